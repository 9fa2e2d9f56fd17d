#!/usr/bin/env bash
# Integration test of the overhead benchmark (bench/overhead) on this machine: workloads
# taken from a matrix with their variables and targets, the rounds and the profiling
# round recorded, vm.dirty_* put back, the report written; bad workloads refused before
# anything is created. Throughput here is noise: this checks the machinery, the
# benchmark itself is run in the guest (make bench-overhead).
#
#   tests/integration/overhead.sh
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
suite=overhead
echo "integration: bench/overhead on matrix workloads, end to end"
t_need_root "$suite integration test" || { t_summary "$suite"; exit $?; }
[ -x "$WBSCOPE_BIN" ] || die "$WBSCOPE_BIN not built (run: make -C bpf)"

work=$(mktemp -d /tmp/wbscope-overhead-test.XXXXXX)
t_on_exit "rm -rf $work"
cat >"$work/small" <<'EOF'
defaults SIZE=16m
wb-append-64k   append.fio     TARGET=writeback BS=64k
rand-4k         rand-write.fio BS=4k FSYNC_EVERY=64 SIZE=8m
hole-1m         read-hole.fio  TARGET=none BS=1m PREP=sparse
EOF
dirty_before=$(sysctl -n vm.dirty_bytes vm.dirty_background_bytes vm.dirty_ratio vm.dirty_background_ratio)

has() { grep -qF -- "$1" <<<"$2"; }	# has TEXT MESSAGE
msg=$(bench/overhead --matrix "$work/small" --jobs wb-append-64k,nosuch --out "$work/bad" 2>&1)
check "an unknown workload is named, with the matrix's" has "no workload 'nosuch' in $work/small (it has: wb-append-64k rand-4k hole-1m)" "$msg"
msg=$(bench/overhead --matrix "$work/small" --jobs hole-1m --out "$work/bad" 2>&1)
check "a workload that does not write is refused" has "workload 'hole-1m' (bench/jobs/read-hole.fio) does not write" "$msg"
msg=$(bench/overhead --matrix "$work/small" --jobs rand-4k --variants none,bio-sample12 --out "$work/bad" 2>&1)
check "a sampling rate that is not a power of two is refused" \
	has "variant bio-sample12: the sampling rate must be a power of two" "$msg"
msg=$(bench/overhead --matrix nosuch --out "$work/bad" 2>&1)
check "an unknown matrix is named" has "no matrix 'nosuch'" "$msg"
check "nothing created for bad input" test ! -e "$work/bad"

out=$work/run
bench/overhead --matrix "$work/small" --jobs wb-append-64k,rand-4k --variants none,writepages \
	--rounds 2 --warmup 0 --profile-rounds 1 --no-prefill --runtime 2 --out "$out" >"$work/log" 2>&1
rc=$?
check "bench/overhead exits 0 (exit $rc)" test $rc = 0
[ $rc = 0 ] || sed 's/^/    /' "$work/log" | tail -20

# 2 jobs x (2 rounds x 2 variants + 1 profiling round x 1 traced variant)
check "every run recorded (10)" test "$(wc -l <"$out/runs.jsonl" 2>/dev/null)" = 10
check "every run wrote something" jq -e -s 'length > 0 and all(.bytes > 0 and .bw_kib > 0)' "$out/runs.jsonl"
check "runs named by workload" jq -e -s '[.[].job] | unique == ["rand-4k", "wb-append-64k"]' "$out/runs.jsonl"
check "the profiling run has the tool's BPF time" \
	jq -e -s 'map(select(.profile and .job == "wb-append-64k")) | length == 1 and .[0].bpf_ns > 0' "$out/runs.jsonl"
check "... and its programs' runs, times and skipped (missed) runs" \
	jq -e -s 'map(select(.profile and .job == "wb-append-64k"))[0].progs
		| length > 0 and all(.runs > 0 and .ns > 0 and (.missed | type) == "number")' "$out/runs.jsonl"
check "the measured runs of the tool list its programs' skipped runs" \
	jq -e -s 'map(select((.profile | not) and .variant == "writepages")) | length == 4
		and all(.missed | type == "array" and length > 0 and all((.missed | type) == "number"))' "$out/runs.jsonl"
check "summary.md gives each program's missed share, in use and while profiling" \
	grep -q '| variant | program | runs per MiB | ns per run | µs per MiB | missed | missed, profiling |' "$out/summary.md"
check "meta.txt says what the device is (a loop device on its image)" \
	grep -qx "device=loop on .*/fs.img" "$out/meta.txt"
check "meta.txt records each workload's job and variables" \
	grep -qx "workload wb-append-64k: bench/jobs/append.fio SIZE=16m TARGET=writeback BS=64k" "$out/meta.txt"
check "summary.md reports both workloads" \
	sh -c "grep -q '^### wb-append-64k' '$out/summary.md' && grep -q '^### rand-4k' '$out/summary.md'"
check "vm.dirty_* put back after the writeback target" \
	test "$dirty_before" = "$(sysctl -n vm.dirty_bytes vm.dirty_background_bytes vm.dirty_ratio vm.dirty_background_ratio)"

before=$(md5sum "$out/runs.jsonl")
msg=$(bench/overhead --matrix "$work/small" --jobs rand-4k --variants none --rounds 1 --out "$out" 2>&1)
check "an existing --out is refused" has "exists: results are never overwritten" "$msg"
check "... and left as it was" test "$before" = "$(md5sum "$out/runs.jsonl")"
t_summary "$suite"
