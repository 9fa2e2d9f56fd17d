#!/usr/bin/env bash
# Command-line error handling of the wbscope binary: every bad input gets a message that
# names the problem and exit status 2. Needs no root (errors come before BPF loading).
set -u
bin=${1:?usage: cli.sh path/to/wbscope}
pass=0 fail=0

expect() { # expect STATUS PATTERN -- ARGS...
	local want=$1 pat=$2 out rc
	shift 3
	out=$("$bin" "$@" 2>&1); rc=$?
	if [ "$rc" = "$want" ] && grep -qiE -- "$pat" <<<"$out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: wbscope $* -> exit $rc (want $want), output:"; echo "$out" | sed 's/^/    /'
	fi
}

expect 2 "usage: wbscope"              --
expect 2 "unknown command 'nosuch'"    -- nosuch
expect 0 "writepages"                  -- help
expect 0 "wbscope "                    -- --version
expect 0 "interval.*count"             -- writepages --help
expect 2 "unrecognized option|invalid option" -- writepages --bogus
expect 2 "invalid PID: 'abc'"          -- writepages -p abc
expect 2 "invalid PID: 0"              -- writepages -p 0
expect 2 "no block device named 'nosuchdisk'" -- writepages -d nosuchdisk
expect 2 "invalid PID: no process 4194304" -- writepages -p 4194304
expect 2 "no block device 4095:1048575" -- writepages -d 4095:1048575
expect 2 "invalid interval: '0'"       -- writepages 0
expect 2 "invalid count: 'x'"          -- writepages 1 x
expect 2 "unexpected argument '3'"     -- writepages 1 2 3
expect 2 "invalid duration"            -- writepages --duration -5
expect 2 "invalid inode"               -- writepages --ino 0
for cmd in bio endio alloc top; do
	expect 0 "interval.*count"         -- $cmd --help
	expect 0 "$cmd"                    -- help
	expect 2 "no block device named 'nosuchdisk'" -- $cmd -d nosuchdisk
	expect 2 "invalid interval: '-1'"  -- $cmd -- -1
done
expect 2 "endio: -p is not supported: end-I/O work runs in kworkers" -- endio -p 1
expect 2 "top: -p is not supported"    -- top -p 1
expect 2 "invalid --hooks 'tp'"        -- bio --hooks tp
expect 0 "Time 1 in N bios"            -- bio --help
expect 2 "'3' is not a power of two"   -- bio --sample 3
expect 2 "'0' is not a power of two"   -- bio --sample 0
expect 2 "too large"                   -- bio --sample 131072
expect 2 "not a non-negative integer"  -- bio --sample x
expect 2 "unrecognized option '--sample'" -- endio --sample 4
expect 0 "Time 1 in N bios"            -- top --help
expect 2 "'6' is not a power of two"   -- top --sample 6
expect 2 "invalid --metrics: empty list" -- alloc --metrics ''
expect 2 "alloc: invalid --metrics: unknown metric 'nosuch' \(one of: writeback allocation delalloc_extent" -- alloc -M allocation,nosuch
expect 2 "endio: invalid --metrics: unknown metric 'end_bio' " -- endio -M end_bio
expect 2 "top: --metrics is for the single tools" -- top -M all
expect 0 "Graphviz"                    -- lockorder --help
expect 2 "lockorder: -p and --ino are not supported" -- lockorder -p 1
expect 2 "requires an argument"        -- lockorder --dot

# Benchmark subcommands.
tmp=$(mktemp -d /tmp/wbscope-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
expect 2 "expected one directory"      -- report
expect 0 "merged fio histograms"       -- report --help
expect 2 "$tmp/nosuch/runner.json.*not a wbscope benchmark run" -- report "$tmp/nosuch"
mkdir -p "$tmp/norun/runs" && echo '{"paths":["a","b"]}' >"$tmp/norun/runner.json"
expect 2 "no finished runs"            -- report "$tmp/norun"
echo '{not json' >"$tmp/norun/runner.json"
expect 2 "runner.json"                 -- report "$tmp/norun"
expect 2 "$tmp/nodir.*No such file"    -- report --index "$tmp/nodir"
expect 0 "Ctrl-C"                      -- bench --help
expect 2 "unknown argument '--bogus'"  -- bench --bogus
expect 2 "no matrix 'nosuch'"          -- bench --matrix nosuch
expect 2 "--icount: 'fast' is not a shift from 0 to 10 or off" -- bench --icount fast
expect 0 "bootstrap interval"          -- overhead-report --help
expect 2 "one RUNS.jsonl file expected" -- overhead-report
expect 2 "$tmp/nosuch.jsonl: No such file" -- overhead-report "$tmp/nosuch.jsonl"
expect 2 "--target-pct 'x' is not a positive number" -- overhead-report --target-pct x "$tmp/r.jsonl"
printf '{"job":"j","variant":"t","round":1,"bw_kib":5}\n' >"$tmp/r.jsonl"
expect 2 "job j: no 'none' runs"       -- overhead-report "$tmp/r.jsonl"
echo '{"job":"j","round":1,"bw_kib":5}' >"$tmp/r.jsonl"
expect 2 "r.jsonl:1: missing field 'variant'" -- overhead-report "$tmp/r.jsonl"

# Help text fits an 80-column terminal: argp wraps lines at column 79, so a description
# line written longer than that comes out broken in two. The description (before the
# options) must read the same with and without argp's wrapping; the command list too.
check_help_layout() { # check_help_layout COMMAND
	local wrapped raw
	wrapped=$("$bin" "$1" --help 2>&1 | sed '/^ *-/,$d')
	raw=$(ARGP_HELP_FMT=rmargin=1000 "$bin" "$1" --help 2>&1 | sed '/^ *-/,$d')
	if [ -n "$wrapped" ] && [ "$wrapped" = "$raw" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: wbscope $1 --help: description lines wider than 79 columns:"
		diff <(echo "$wrapped") <(echo "$raw") | sed 's/^/    /'
	fi
}
for cmd in $("$bin" help | awk '/^  [a-z]/ {print $1}'); do
	check_help_layout "$cmd"
done
if long=$("$bin" help | awk 'length($0) > 79') && [ -z "$long" ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1)); echo "FAIL: wbscope help: lines wider than 79 columns:"; echo "$long"
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
