#!/usr/bin/env bash
# Runs inside the wbscope guest booted with the lockdep flavour (tests/guest/lockdep.sh):
#
# 1. One real violation, end to end: the test-only knob of kernel patch 14
#    (/sys/kernel/debug/ext4_lockorder_inject) locks a file's first folio, then starts a
#    journal handle. On a buffer_head file `wbscope lockorder` must report the
#    folio -> jbd2_handle edge as a VIOLATION (exit 1) with the injecting stack; on an
#    iomap file the same order is the documented one (no violation).
# 2. Cross-check with lockdep over real write-back on both paths: lockdep sees
#    jbd2_handle and i_data_sem (not folio locks). What it recorded (/proc/lockdep:
#    jbd2_handle -> &ei->i_data_sem, never the reverse; no lockdep report) must not
#    contradict the tool's edges between those two classes.
#
#   tests/guest/lockdep-inside.sh BH_DEV IOMAP_DEV     (destroys both devices' data)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
bdev=${1:?usage: lockdep-inside.sh BH_DEV IOMAP_DEV}
idev=${2:?usage: lockdep-inside.sh BH_DEV IOMAP_DEV}
echo "guest lockdep test: $(uname -r); buffer_head on $bdev, iomap on $idev"
[ -x "$WBSCOPE_BIN" ] || die "$WBSCOPE_BIN not built"
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
knob=/sys/kernel/debug/ext4_lockorder_inject
check "the injection knob exists (CONFIG_EXT4_LOCKORDER_INJECT)" test -e $knob
check "lockdep is on (/proc/lockdep)" test -r /proc/lockdep
dmesg_before=$(dmesg | wc -l)

work=$(mktemp -d /tmp/wbscope-lockdep.XXXXXX)
t_on_exit "rm -rf $work"
t_ext4 "$bdev" "$work/bh" nobuffered_iomap
t_ext4 "$idev" "$work/iomap" buffered_iomap
bmm=$(t_majmin "$bdev")
imm=$(t_majmin "$idev")
for d in bh iomap; do
	dd if=/dev/urandom of="$work/$d/victim" bs=4k count=4 status=none
	sync
done

# audit NAME [--json]: start lockorder, run the rest of the arguments, stop it
audit() {
	local name=$1 fmt=$2 pid
	shift 2
	"$WBSCOPE_BIN" lockorder $fmt >"$work/$name.out" 2>"$work/$name.err" &
	pid=$!
	for _ in $(seq 300); do grep -q "^Auditing" "$work/$name.err" 2>/dev/null && break; sleep 0.2; done
	"$@"
	sleep 1
	kill -INT $pid
	wait $pid
	echo $? >"$work/$name.rc"
}
inject() { # inject FILE: hand the knob a descriptor of FILE (it is this shell's fd 7)
	exec 7<"$1"
	echo 7 >$knob
	local rc=$?
	exec 7<&-
	return $rc
}
inject_both() { inject "$work/bh/victim" && inject "$work/iomap/victim"; echo $? >"$work/knob.rc"; }

audit inject --json inject_both
check "the knob took both descriptors (write status $(cat "$work/knob.rc"))" test "$(cat "$work/knob.rc")" = 0
check "lockorder exits 1 on the injected violation (got $(cat "$work/inject.rc"))" test "$(cat "$work/inject.rc")" = 1
jqt() { jq -se "length == 1 and (.[0] | $1)" "$work/inject.out" "${@:2}"; }
check "folio -> jbd2_handle on the buffer_head file is a VIOLATION" \
	jqt '[.edges[] | select(.held == "folio" and .taken == "jbd2_handle" and .path == "buffer_head" and .dev == $d and .verdict == "VIOLATION")] | length == 1' --arg d "$bmm"
check "... the same order on the iomap file is documented" \
	jqt '[.edges[] | select(.held == "folio" and .taken == "jbd2_handle" and .path == "iomap" and .dev == $d and .verdict == "documented")] | length == 1' --arg d "$imm"
check "... counted as exactly one violation" jqt '.violations == 1'
check "... the violating edge names the injecting process" \
	jqt '[.edges[] | select(.verdict == "VIOLATION") | .comm] | all(. != "")'
audit inject-text "" inject "$work/bh/victim"
check "text output: VIOLATION with the injecting stack" \
	sh -c "grep -q VIOLATION '$work/inject-text.out' && grep -q ext4_lockorder_inject_write '$work/inject-text.out'"

load() {
	local d pids=()
	for d in "$work/bh" "$work/iomap"; do
		fio --name=seq --directory="$d" --rw=write --bs=64k --size=16m --fsync=16 --fallocate=none >/dev/null 2>&1 &
		pids+=($!)
		fio --name=rnd --directory="$d" --rw=randwrite --bs=8k --size=4m --fsync=32 --fallocate=none >/dev/null 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	sync
}
audit load --json load
check "lockorder over real write-back on both paths: no violation (exit $(cat "$work/load.rc"))" \
	test "$(cat "$work/load.rc")" = 0
# lockdep's direct dependencies of a class: the " -> [...] NAME" lines below it.
deps_of() { awk -v c="$1" '/^[0-9a-f]+ / { cur = ($NF == c) } cur && /^ -> / { print $NF }' /proc/lockdep; }
deps_of jbd2_handle >"$work/after-handle"
for c in '&ei->i_data_sem' '&ei->i_data_sem/1' '&ei->i_data_sem/2'; do deps_of "$c"; done >"$work/after-idatasem"
check "lockdep saw jbd2_handle -> i_data_sem" grep -q 'i_data_sem' "$work/after-handle"
check "lockdep never saw i_data_sem -> jbd2_handle" sh -c "! grep -qx jbd2_handle '$work/after-idatasem'"
check "the tool saw jbd2_handle -> i_data_sem on both paths, as lockdep did" \
	jq -se '[.[0].edges[] | select(.held == "jbd2_handle" and .taken == "i_data_sem") | .path] | (index("buffer_head") != null and index("iomap") != null)' "$work/load.out"
check "the tool never saw i_data_sem -> jbd2_handle, as lockdep did not" \
	jq -se '[.[0].edges[] | select(.held == "i_data_sem" and .taken == "jbd2_handle")] | length == 0' "$work/load.out"
dmesg | tail -n +"$((dmesg_before + 1))" >"$work/dmesg"
check "no lockdep report in the kernel log" sh -c "! grep -qE 'possible circular locking|possible recursive locking|inconsistent lock state' '$work/dmesg'"
out_dir=${3:-}
[ -z "$out_dir" ] || cp "$work"/*.out "$work"/*.err "$work/dmesg" "$out_dir/" 2>/dev/null
t_summary guest-lockdep
