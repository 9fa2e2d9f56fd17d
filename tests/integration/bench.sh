#!/usr/bin/env bash
# Integration test of the benchmark suite on this machine: `wbscope bench --host`
# (ext4 against XFS on loop devices) with a small matrix, end to end: the runner, the
# collectors, `wbscope report` (statistics, report.md, plots, summary.json), the run
# index, bad matrices, never overwriting a run, and an interrupted run keeping (and
# reporting) what finished.
#
#   tests/integration/bench.sh
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
suite=bench
echo "integration: wbscope bench --host, a small matrix end to end"
t_need_root "$suite integration test" || { t_summary "$suite"; exit $?; }
[ -x "$WBSCOPE_BIN" ] || die "$WBSCOPE_BIN not built (run: make -C bpf)"

work=$(mktemp -d /tmp/wbscope-bench-test.XXXXXX)
t_on_exit "rm -rf $work"
cat >"$work/small" <<'EOF'
defaults SIZE=24m RUNTIME=5
wb-append-64k   append.fio     TARGET=writeback BS=64k
cache-append-1m append.fio     TARGET=cache BS=1m DEVICES=ram
hole-1m         read-hole.fio  TARGET=none BS=1m PREP=sparse DEVICES=ram
EOF
out=$work/results/run1
"$WBSCOPE_BIN" bench --host --matrix "$work/small" --reps 4 --out "$out" >"$work/bench.log" 2>&1
rc=$?
check "wbscope bench --host exits 0 (exit $rc)" test $rc = 0
[ $rc = 0 ] || sed 's/^/    /' "$work/bench.log" | tail -20

# 3 workloads: wb on disk and ram, the other two on ram only = 4 groups x 2 paths x 4 reps.
n=$(find "$out/runs" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)
check "32 finished runs recorded (got $n)" test "$n" = 32
check "no partial run left behind" test -z "$(find "$out/runs" -maxdepth 1 -name '.*partial')"
check "progress lines carry an ETA" grep -q '\[32/32\].*ETA' "$work/bench.log"
check "every run has fio json+ with latency bins" \
	bash -c "for f in '$out'/runs/*/fio.json; do jq -e '.jobs[0] | (.write.clat_ns.bins // .read.clat_ns.bins) | length > 0' \"\$f\" >/dev/null || exit 1; done"
check "every run records its mkfs, mount and fio commands" \
	bash -c "for f in '$out'/runs/*/run.json; do jq -e '.commands.mkfs and .commands.fio and .mount and .vm_dirty' \"\$f\" >/dev/null || exit 1; done"
check "paths alternate: rep 1 ext4 first, rep 2 XFS first" \
	bash -c "ls '$out/runs' | grep -q '^0001-wb-append-64k-disk-ext4-buffer_head-r1' && ls '$out/runs' | grep -q '^0009-wb-append-64k-disk-xfs-iomap-r2'"
check "the cache target held write-back off" \
	jq -e '.vm_dirty.dirty_writeback_centisecs == 0 and .vm_dirty.dirty_ratio == 100' "$out"/runs/*cache-append-1m*-r1/run.json
check "vm.dirty settings restored afterwards" \
	bash -c "[ \"\$(cat /proc/sys/vm/dirty_writeback_centisecs)\" = \"\$(jq .vm_dirty_default.dirty_writeback_centisecs '$out/runner.json')\" ]"
check "the hole was read, not laid out (no write bytes)" \
	jq -se 'all(.[]; .jobs[0].write.io_bytes == 0 and .jobs[0].read.io_bytes > 0)' "$out"/runs/*hole-1m*/fio.json
check "host.json and runner.json describe the run" \
	bash -c "jq -e '.accel and .host_cpu and .duration' '$out/host.json' >/dev/null && jq -e '.finished and .runs_done == 32 and (.interrupted | not)' '$out/runner.json' >/dev/null"

s=$out/summary.json
check "summary.json has schema wbscope-bench/1 and 4 groups" jq -e '.schema == "wbscope-bench/1" and (.groups | length) == 4' "$s"
check "each group has 4 runs per path, a ratio, an interval and a verdict" \
	jq -e 'all(.groups[]; (.runs["ext4-buffer_head"] | length) == 4 and (.runs["xfs-iomap"] | length) == 4
		and .throughput.ratio > 0 and .throughput.ratio_ci95[0] <= .throughput.ratio
		and .throughput.ratio_ci95[1] >= .throughput.ratio and (.throughput.verdict | type) == "string")' "$s"
check "ratio = median(xfs) / median(ext4) of the recorded runs" \
	jq -e 'all(.groups[]; (.throughput["xfs-iomap"].median / .throughput["ext4-buffer_head"].median - .throughput.ratio | fabs) < 1e-6)' "$s"
check "latency p50/p99/p99.9 per path from merged histograms" \
	jq -e 'all(.groups[]; .clat.p99["ext4-buffer_head"].value > 0 and .clat.p99["xfs-iomap"].value > 0 and .clat["p99.9"].ratio > 0)' "$s"
check "write-back phases measured where data was written back" \
	jq -e '.groups[] | select(.workload == "wb-append-64k" and .device == "disk") | .phases.bio["xfs-iomap"].us_per_mib > 0 and .phases.writepages["ext4-buffer_head"].us_per_mib > 0' "$s"
check "collectors attributed every run to its own path" jq -e 'all(.groups[]; .misattributed_runs == 0)' "$s"
r=$out/report.md
for section in "## Throughput" "## Latency per I/O" "## Where write-back time goes" "## Next to the published numbers" "## Noise"; do
	check "report.md has '$section'" grep -qF "$section" "$r"
done
check "report.md puts a published ratio next to ours (writeback append 64k)" grep -qE '^\| wb-append-64k \| ram \|.*\| 1950 → 4640 \|' "$r"
for p in throughput ratio phases latency-wb-append-64k-disk; do
	check "plot $p.svg drawn" grep -q '<svg' "$out/plots/$p.svg"
done
"$WBSCOPE_BIN" report --index "$work/results" 2>/dev/null
check "results index lists the run" grep -q '^| \[run1\](run1/report.md) |' "$work/results/README.md"
echo "Notes by people." >"$work/results/README.md.keep"
{ echo "# Our results"; echo "Notes by people."; cat "$work/results/README.md"; } >"$work/results/README.new" &&
	mv "$work/results/README.new" "$work/results/README.md"
"$WBSCOPE_BIN" report --index "$work/results" 2>/dev/null
check "re-indexing keeps the prose and one table" \
	bash -c "grep -q 'Notes by people' '$work/results/README.md' && [ \$(grep -c 'wbscope runs: begin' '$work/results/README.md') = 1 ]"

# Never overwrite.
before=$(md5sum "$s")
"$WBSCOPE_BIN" bench --host --matrix "$work/small" --reps 1 --out "$out" >"$work/again.log" 2>&1
rc=$?
check "a second bench into the same --out is refused (exit $rc)" test $rc = 2
check "... naming the problem" grep -q "exists: a run is never overwritten" "$work/again.log"
check "... and the first run is untouched" test "$before" = "$(md5sum "$s")"

# Bad matrices are named by file and line.
has() { grep -qF -- "$1" <<<"$2"; }	# has TEXT MESSAGE
printf 'defaults SIZE=8m\nx append.fio TARGET=sometimes\n' >"$work/bad1"
msg=$(bench/run --host --out "$work/bad" --matrix "$work/bad1" 2>&1)
check "bad TARGET: file:line named" has "bad1:2: TARGET must be" "$msg"
printf 'x append.fio DEVICES=virtio\n' >"$work/bad3"
msg=$(bench/run --host --out "$work/bad" --matrix "$work/bad3" 2>&1)
check "unknown device in DEVICES named" has "bad3:1: DEVICES must list disk" "$msg"
printf 'x nosuch.fio\n' >"$work/bad2"
msg=$(bench/run --host --out "$work/bad" --matrix "$work/bad2" 2>&1)
check "missing job file named" has "bad2:1: no job file bench/jobs/nosuch.fio" "$msg"
check "nothing created for a bad matrix" test ! -e "$work/bad"
msg=$(bench/run --host --out "$work/bad" --throttle 9,5 2>&1)
check "a malformed --throttle is named" has "--throttle: '9,5' is not a number of MiB/s" "$msg"
msg=$(bench/run --host --out "$work/bad" --throttle 0 2>&1)
check "a zero --throttle is refused" has "--throttle: '0' is not" "$msg"
check "nothing created for a bad --throttle" test ! -e "$work/bad"

# Interrupted after the first runs; what finished is kept and reported. SIGTERM: a
# background job of a script starts with SIGINT ignored, and that cannot be trapped
# (Ctrl-C on a terminal sends SIGINT to a foreground run, handled the same way).
setsid "$WBSCOPE_BIN" bench --host --matrix "$work/small" --reps 3 --collectors none \
	--out "$work/results/run2" >"$work/int.log" 2>&1 &
bpid=$!
for _ in $(seq 300); do
	[ "$(find "$work/results/run2/runs" -mindepth 1 -maxdepth 1 ! -name '.*' 2>/dev/null | wc -l)" -ge 3 ] && break
	sleep 0.1
done
kill -TERM -- -"$bpid" 2>/dev/null
wait "$bpid"
rc=$?
done2=$(find "$work/results/run2/runs" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)
check "interrupted bench exits 130 (exit $rc)" test $rc = 130
check "finished runs kept ($done2), fewer than planned" bash -c "[ $done2 -ge 3 ] && [ $done2 -lt 24 ]"
check "runner.json says interrupted, with the count" jq -e ".interrupted and .runs_done == $done2" "$work/results/run2/runner.json"
check "the report covers the finished runs and says interrupted" grep -q 'interrupted' "$work/results/run2/report.md"
check "no mount or loop device left behind" bash -c "! grep -q wbscope-bench /proc/mounts && ! losetup -a | grep -q bench-disk.img"

t_summary "$suite"
