#!/usr/bin/env bash
# Runs inside the wbscope guest (tests/guest/smoke.sh): both write-back paths at once.
#
#   tests/guest/tools.sh IOMAP_DEV BH_DEV      (destroys both devices' data)
#
# ext4 on IOMAP_DEV mounted with buffered_iomap, on BH_DEV with nobuffered_iomap; fio
# writes to both at the same time while `wbscope writepages/bio/endio/alloc` run and
# scripts/trace records the same events with trace-cmd. Checks:
#  - every metric is non-empty where the path must produce it, and attributed to the
#    right path (iomap groups only on IOMAP_DEV, buffer_head only on BH_DEV);
#  - on this kernel every hook is the wbscope kernel's or an upstream tracepoint;
#  - counts equal trace-cmd's for the same window, and latency sums agree within the
#    width of the histogram bucket holding the mean.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
idev=${1:?usage: tools.sh IOMAP_DEV BH_DEV}
bdev=${2:?usage: tools.sh IOMAP_DEV BH_DEV}
echo "guest tools test: iomap on $idev, buffer_head on $bdev, kernel $(uname -r)"
t_mount_tracefs || die "no tracefs"
[ -x "$WBSCOPE_BIN" ] || die "$WBSCOPE_BIN not built"

work=$(mktemp -d /tmp/wbscope-gtools.XXXXXX)
t_on_exit "rm -rf $work"
t_ext4 "$idev" "$work/iomap" buffered_iomap
t_ext4 "$bdev" "$work/bh" nobuffered_iomap
imm=$(t_majmin "$idev")
bmm=$(t_majmin "$bdev")
ikdev="${imm%%:*},${imm##*:}"
bkdev="${bmm%%:*},${bmm##*:}"

"$WBSCOPE_ROOT/scripts/trace" -o "$work/trace.dat" -s all >"$work/trace.out" 2>&1 &
trace_pid=$!
t_on_exit "kill -TERM $trace_pid"
pids=()
# bio --sample 1 times every bio (where the kernel can sample, bio's default is 1 in 8).
for tool in writepages "bio --sample 1" endio alloc; do
	"$WBSCOPE_BIN" $tool --json >"$work/${tool%% *}.json" 2>"$work/${tool%% *}.err" &
	pids+=($!)
	t_on_exit "kill -INT $!"
done
"$WBSCOPE_BIN" bio --sample 4 --json >"$work/bio-sampled.json" 2>"$work/bio-sampled.err" &
pids+=($!)
t_on_exit "kill -INT $!"
# -p: bios are paired at submission, where the submitter is known. dd, held at a fifo
# until the tools trace, syncs every write itself: its bios are submitted in its context.
mkfifo "$work/gate"
( read -r _ <"$work/gate"; exec dd if=/dev/zero of="$work/iomap/dd.dat" bs=64k count=64 oflag=dsync 2>/dev/null ) &
ddpid=$!
"$WBSCOPE_BIN" bio -p $ddpid --json >"$work/bio-pid.json" 2>"$work/bio-pid.err" &
pids+=($!)
t_on_exit "kill -INT $!"
"$WBSCOPE_BIN" endio --metrics all --json >"$work/endio-all.json" 2>"$work/endio-all.err" &
pids+=($!)
t_on_exit "kill -INT $!"
"$WBSCOPE_BIN" top --sample 4 --json 1 >"$work/top-sampled.json" 2>"$work/top-sampled.err" &
pids+=($!)
t_on_exit "kill -INT $!"
started() { # started TOOL...: each has said it traces
	local tool
	for tool in "$@"; do
		for _ in $(seq 300); do grep -q "^Tracing" "$work/$tool.err" 2>/dev/null && break; sleep 0.2; done
		check "$tool started" grep -q "^Tracing" "$work/$tool.err"
	done
}
started writepages bio endio alloc bio-sampled bio-pid endio-all top-sampled
# top and bio without --sample, once the others hold ext4.bio_time_sample at 4: they take
# that rate.
"$WBSCOPE_BIN" top --json 1 >"$work/top.json" 2>"$work/top.err" &
pids+=($!)
t_on_exit "kill -INT $!"
"$WBSCOPE_BIN" bio --json >"$work/bio-default.json" 2>"$work/bio-default.err" &
pids+=($!)
t_on_exit "kill -INT $!"
started top bio-default
for _ in $(seq 300); do grep -q "recording started" "$work/trace.out" 2>/dev/null && break; sleep 0.2; done
check "trace-cmd is recording" grep -q "recording started" "$work/trace.out"

check "every hook is a tracepoint on this kernel" \
	sh -c "! grep -h '^  ' $work/*.err | grep -vE 'raw_tp:|tp_btf:|off by default|not selected|delayed-block allocations'"
check "endio: the extra metrics are off by default, on with --metrics all" sh -c \
	"grep -q '^  conversion  *off by default' $work/endio.err && grep -q '^  conversion  *tp_btf:' $work/endio-all.err"

run_fio() { # run_fio DIR: appending sequential writes with fsync, random overwrites, random
	# writes into preallocated (unwritten) space
	fio --name=seq --directory="$1" --rw=write --bs=256k --size=32m --fsync=8 \
		--fallocate=none --ioengine=psync >/dev/null 2>&1 &&
	fio --name=rnd --directory="$1" --rw=randwrite --bs=16k --size=8m --fdatasync=16 \
		--fallocate=none --ioengine=psync >/dev/null 2>&1 &&
	fio --name=pre --directory="$1" --rw=randwrite --bs=4k --size=2m --fdatasync=8 \
		--fallocate=native --ioengine=psync >/dev/null 2>&1
}
run_fio "$work/iomap" & f1=$!
run_fio "$work/bh" & f2=$!
echo go >"$work/gate"
wait $f1; r1=$?; wait $f2; r2=$?; wait $ddpid; r3=$?
check "fio ran on both file systems, dd on iomap's" test "$r1$r2$r3" = 000
sync
sleep 2

rcs=()
for p in "${pids[@]}"; do kill -INT "$p"; done
for p in "${pids[@]}"; do wait "$p"; rcs+=($?); done
kill -TERM $trace_pid; wait $trace_pid; trc=$?
check "tools detach cleanly on SIGINT: ${rcs[*]}" test "${rcs[*]}" = "0 0 0 0 0 0 0 0 0 0"
check "trace-cmd recording ended (exit $trc)" test -s "$work/trace.dat"
check "bio --sample 1: ext4's completion events with the time in flight on this kernel" jq -e \
	'.sample == 1 and .hooks.submit == "tp_btf:ext4_end_bio+ext4_iomap_end_bio (in_flight)" and
	 .hooks.submit == .hooks.complete' "$work/bio.json"
check "bio --sample 4: the writepages calls count the bios, the kernel picks the bios ext4_bio_timed times" jq -e \
	'.sample == 4 and .sizes_sampled and .hooks.submit == "tp_btf:ext4_writepages_done (bios)" and
	 .hooks.complete == "tp_btf:ext4_bio_timed (kernel-sampled)"' "$work/bio-sampled.json"
check "bio without --sample: times at the rate another tracer set (1 in 4), from the kernel's picks" jq -e \
	'.sample == 4 and .sizes_sampled and .hooks.submit == "tp_btf:ext4_writepages_done (bios)" and
	 .hooks.complete == "tp_btf:ext4_bio_timed (kernel-sampled)"' "$work/bio-default.json"
check "bio without --sample: says so" grep -q "^bio: timing 1 in 4 bios, picked by the kernel" "$work/bio-default.err"
check "bio --sample 4 and without: no program on a bio submission event" \
	sh -c "! grep -qE 'submit_bio|block_bio_queue' $work/bio-sampled.err $work/bio-default.err"
check "bio --sample 4: ext4.bio_time_sample put back to 1 at exit" \
	grep -qx 1 /sys/module/ext4/parameters/bio_time_sample
check "bio -p: ext4's submission and completion events, paired" jq -e '.hooks.submit == "tp_btf:ext4_submit_bio+ext4_iomap_submit_bio" and
	.hooks.complete == "tp_btf:ext4_end_bio+ext4_iomap_end_bio"' "$work/bio-pid.json"
check "bio -p: dd's 64 synchronous 64 KiB writes, every bio timed, nothing else" jq -e --arg i "$imm" \
	'[.groups[] | select(.dev == $i and .path == "iomap")][0] as $g | (.groups | length) == 1 and
	 $g.bios >= 64 and $g.bytes == 4194304 and $g.hists.latency.count == $g.bios' "$work/bio-pid.json"
check "top: without --sample it times the bios at the rate another tracer set (1 in 4), from the kernel's picks" jq -se \
	'.[0].sample == 4 and .[0].tools.bio.hooks.complete == "tp_btf:ext4_bio_timed (kernel-sampled)"' "$work/top.json"
check "top: allocation columns from writepages' calls, alloc not started" \
	jq -se '.[0].tools.alloc.not_started and (.[0].tools.alloc | has("hooks") | not)' "$work/top.json"
check "top: no program on the allocation event" sh -c "! grep -q ext4_allocate_blocks $work/top.err"
check "writepages: one event per call with its mapping and bio counts (ext4_writepages_done) on this kernel" \
	jq -e '.hooks.writepages == "tp_btf:ext4_writepages_done (with mapping counts and bios)"' "$work/writepages.json"
check "top --sample 4: bio counts from writepages' calls, bio times the kernel-sampled completions alone" jq -se \
	'.[0].tools | .bio.counts_from == "writepages" and .bio.hooks.submit == "unavailable" and
	 .bio.hooks.complete == "tp_btf:ext4_bio_timed (kernel-sampled)" and
	 .writepages.hooks.writepages == "tp_btf:ext4_writepages_done (with mapping counts and bios)"' "$work/top-sampled.json"
check "top --sample 4: no program on a bio submission event" sh -c "! grep -qE 'submit_bio|block_bio_queue' $work/top-sampled.err"
check "alloc: per-call counts from ext4_writepages_done on this kernel" \
	jq -e '.hooks.writeback == "tp_btf:ext4_writepages_done (with mapping counts)"' "$work/alloc.json"
check "alloc: allocations and extents from the mappings' results, one program per extent" jq -e \
	'.hooks.allocation == "tp_btf:ext4_da_write_pages_mapped+ext4_iomap_map_writeback (mapping results)" and
	 .hooks.delalloc_extent == .hooks.allocation and (.counters | has("allocations_elsewhere") | not)' "$work/alloc.json"
check "endio: work items from ext4_end_io_work on this kernel" \
	jq -e '.hooks.work == "tp_btf:ext4_end_io_work"' "$work/endio.json"
check "top: endio's runs count the ioends and extents, no per-ioend programs" jq -se \
	'.[0].tools.endio | .hooks.work == "tp_btf:ext4_end_io_work" and .hooks["ioend.iomap"] == "unavailable" and
	 .hooks["io_end.buffer_head"] == "unavailable"' "$work/top.json"
trace-cmd report -t -i "$work/trace.dat" >"$work/report.txt" 2>/dev/null
check "trace-cmd lost no events" sh -c "! trace-cmd report --stat -i $work/trace.dat 2>/dev/null | grep -iE '(overrun|lost|dropped)[^0-9]*[1-9]'"

# grp TOOL MM PATH: that tool's group for the device and path ({} if none)
grp() { jq -c --arg d "$2" --arg p "$3" '[.groups[] | select(.dev == $d and .path == $p)][0] // {}' "$work/$1.json"; }
# mis TOOL: program runs the kernel skipped for that tool ("missed": on this preemptible
# kernel a BPF program preempted by another run of itself on the same CPU skips that run)
mis() { jq -r '.missed // 0' "$work/$1.json"; }
# mis_top TOOL [TOP]: the same for top's collector of that tool, over its intervals (of the
# top run whose output is $work/TOP.json, top by default)
mis_top() { jq -s --arg t "$1" '[.[].tools[$t].missed // 0] | add // 0' "$work/${2:-top}.json"; }
# top_sum TOP MM PATH EXPR: the sum of EXPR over that top run's intervals for the group
top_sum() { jq -s --arg d "$2" --arg p "$3" "[.[].groups[] | select(.dev == \$d and .path == \$p) | $4 // 0] | add // 0" "$work/$1.json"; }
# same COUNT TRACED MISSED: the tool's count equals trace-cmd's, short by no more than the
# runs the kernel reported skipping
same() { [ "$1" -gt 0 ] && [ "$1" -le "$2" ] && [ $(($2 - $1)) -le "$3" ]; }
# near_sum A B MISSED_A MISSED_B: two sums of the same events' items (ioends, extents,
# allocations per run or call) are equal, unless a side skipped runs: a skipped run
# takes all its items with it, so that side may then be lower by any amount, never
# higher.
near_sum() {
	[ "$1" -gt 0 ] || return 1
	[ "$1" = "$2" ] && return 0
	if [ "$1" -lt "$2" ]; then [ "$3" -gt 0 ]; else [ "$4" -gt 0 ]; fi
}
deferred_same() { [ "$1" -gt 0 ] && same "$2" "$3" "$4"; }	# DEFERRED COUNT TRACED MISSED
# tc EVENT KDEV: events of that kind on that device in the trace-cmd record
tc() { grep -E " $1: +dev $2 " "$work/report.txt" | wc -l; }
# tc_delayed KDEV / tc_unwritten KDEV: ext4_da_write_pages_extent events of delayed
# extents / of the unwritten ones the buffer_head path announces before converting them
tc_delayed() { grep -E " ext4_da_write_pages_extent: +dev $1 " "$work/report.txt" | grep -v 'flags [^ ]*U' | wc -l; }
tc_unwritten() { grep -E " ext4_da_write_pages_extent: +dev $1 .*flags [^ ]*U" "$work/report.txt" | wc -l; }
# tcsum EVENT KDEV FIELD: the sum of a numeric field over those events
tcsum() { grep -E " $1: +dev $2 " "$work/report.txt" | sed -n "s/.* $3 \([0-9]*\).*/\1/p" | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
# same_sum TOOL_N TRACED_N TOOL_SUM TRACED_SUM: with every event seen, the same sum
same_sum() { [ "$3" -gt 0 ] && { [ "$1" != "$2" ] || [ "$3" = "$4" ]; } && [ "$3" -le "$4" ]; }
# lat_agree SUM_NS N TRACED_SUM_NS TRACED_N MISSED: the tool timed about what trace-cmd
# paired (no more, short by no more than the skipped runs), and the mean latencies
# differ by no more than the width of the log2 usecs bucket holding the tool's mean
lat_agree() {
	awk -v a="$1" -v an="$2" -v b="$3" -v bn="$4" -v m="$5" 'BEGIN {
		if (an == 0 || bn < an || bn - an > m) exit 1
		ma = a / an / 1000; mb = b / bn / 1000; w = 1; while (w * 2 <= ma) w *= 2
		exit !((ma - mb < 0 ? mb - ma : ma - mb) <= w) }'
}
# tc_pair_lat SUBMIT_EVENT END_EVENT KDEV: "SUM_NS N" over bios trace-cmd saw both
# submitted and completed, paired by inode and file offset
tc_pair_lat() {
	grep -E " ($1|$2): +dev $3 " "$work/report.txt" | awk -v s="$1:" -v e="$2:" '
		{ for (i = 1; i <= NF; i++) { if ($i == s || $i == e) { ev = $i; ts = $(i - 1) }
		  if ($i == "ino") ino = $(i + 1); if ($i == "offset") off = $(i + 1) } }
		{ sub(/:$/, "", ts); t = ts * 1e9; k = ino " " off }
		ev == s { start[k] = t }
		ev == e && (k in start) { sum += t - start[k]; n++; delete start[k] }
		END { printf "%.0f %d\n", sum, n }'
}

for tool in writepages bio endio alloc; do
	check "$tool: iomap groups only on $idev, buffer_head only on $bdev" jq -e --arg i "$imm" --arg b "$bmm" \
		'[.groups[] | select((.path == "iomap" and .dev != $i) or (.path == "buffer_head" and .dev != $b))] | length == 0' \
		"$work/$tool.json"
	check "$tool: no map drops" jq -e '[.drops[]] | add == 0' "$work/$tool.json"
done

for side in iomap bh; do
	if [ $side = iomap ]; then mm=$imm kd=$ikdev path=iomap; else mm=$bmm kd=$bkdev path=buffer_head; fi
	echo "  -- $path on $mm"
	wp=$(grp writepages "$mm" "$path"); bio=$(grp bio "$mm" "$path")
	eio=$(grp endio "$mm" "$path"); al=$(grp alloc "$mm" "$path"); eia=$(grp endio-all "$mm" "$path")
	n() { jq -r "$2 // 0" <<<"$1"; }

	calls=$(n "$wp" .calls); tcalls=$(tc ext4_writepages_result "$kd")
	check "$path writepages: calls ($calls) = trace-cmd's ext4_writepages_result ($tcalls, missed $(mis writepages))" \
		same "$calls" "$tcalls" "$(mis writepages)"
	check "$path writepages: ext4_writepages_done once per result in the record" \
		test "$(tc ext4_writepages_done "$kd")" = "$tcalls"
	# The kernel's own duration of each call: the same sum when no run was skipped.
	dsum=$(grep -E " ext4_writepages_done: +dev $kd " "$work/report.txt" |
		sed -n 's/.* duration_ns \(-\?[0-9]*\).*/\1/p' | awk '$1 >= 0 { s += $1 } END { printf "%.0f\n", s }')
	check "$path writepages: latency sum ($(n "$wp" .latency_ns_sum) ns) = trace-cmd's ext4_writepages_done durations ($dsum ns)" \
		same_sum "$calls" "$tcalls" "$(n "$wp" .latency_ns_sum)" "$dsum"
	# The bios the calls submitted (kernel patch 26): what trace-cmd's done events say, and
	# ext4's own submission events.
	if [ $side = iomap ]; then sev=ext4_iomap_submit_bio eev=ext4_iomap_end_bio; else sev=ext4_submit_bio eev=ext4_end_bio; fi
	wbios=$(n "$wp" .bios); wbby=$(n "$wp" .bio_bytes)
	check "$path writepages: bios submitted ($wbios, $wbby bytes) = trace-cmd's done events' ($(tcsum ext4_writepages_done "$kd" bios), $(tcsum ext4_writepages_done "$kd" bio_bytes) bytes) = its $sev ($(tc $sev "$kd"), $(tcsum $sev "$kd" size) bytes)" \
		eval 'same_sum "$calls" "$tcalls" "$wbios" "$(tcsum ext4_writepages_done "$kd" bios)" &&
		      same_sum "$calls" "$tcalls" "$wbby" "$(tcsum ext4_writepages_done "$kd" bio_bytes)" &&
		      test "$(tcsum ext4_writepages_done "$kd" bios)" = "$(tc $sev "$kd")" &&
		      test "$(tcsum ext4_writepages_done "$kd" bio_bytes)" = "$(tcsum $sev "$kd" size)"'
	tsb=$(top_sum top-sampled "$mm" "$path" .bio.bios); tsby=$(top_sum top-sampled "$mm" "$path" .bio.bytes)
	tsl=$(top_sum top-sampled "$mm" "$path" .bio.latency.count)
	check "$path top --sample 4: bios ($tsb, $tsby bytes) over its intervals = writepages' ($wbios, $wbby); missed runs $(mis_top writepages top-sampled), $(mis writepages)" \
		eval 'near_sum "$tsb" "$wbios" "$(mis_top writepages top-sampled)" "$(mis writepages)" &&
		      near_sum "$tsby" "$wbby" "$(mis_top writepages top-sampled)" "$(mis writepages)"'
	check "$path top --sample 4: some bios timed ($tsl of $tsb)" test "$tsl" -gt 0 -a "$tsl" -lt "$tsb"
	check "$path writepages: latency and pages histograms non-empty" \
		jq -e '.hists.latency.count > 0 and .pages_written > 0' <<<"$wp"
	# The calls' mapping counts: what trace-cmd's done events say, and what ext4's
	# own events count (delayed extents mapped; mballoc's delayed-block allocations).
	wext=$(n "$wp" .extents_mapped); wal=$(n "$wp" .allocations); wblk=$(n "$wp" .blocks_allocated)
	check "$path writepages: extents mapped ($wext) = trace-cmd's done events' ($(tcsum ext4_writepages_done "$kd" extents)) = its ext4_da_write_pages_extent of delayed extents ($(tc_delayed "$kd"); $(tc_unwritten "$kd") unwritten)" \
		eval 'same_sum "$calls" "$tcalls" "$wext" "$(tcsum ext4_writepages_done "$kd" extents)" &&
		      test "$(tcsum ext4_writepages_done "$kd" extents)" = "$(tc_delayed "$kd")"'
	# (data extents: the extent-tree blocks allocated on the way are not HINT_DATA)
	tdal=$(grep -E " ext4_allocate_blocks: +dev $kd .*HINT_DATA.*DELALLOC_RESV" "$work/report.txt" | wc -l)
	tdblk=$(grep -E " ext4_allocate_blocks: +dev $kd .*HINT_DATA.*DELALLOC_RESV" "$work/report.txt" |
		sed -n 's/.* len \([0-9]*\).*/\1/p' | awk '{ s += $1 } END { printf "%.0f\n", s }')
	check "$path writepages: allocations ($wal, $wblk blocks) = trace-cmd's done events' = its delayed-block ext4_allocate_blocks ($tdal, $tdblk blocks)" \
		eval 'same_sum "$calls" "$tcalls" "$wal" "$(tcsum ext4_writepages_done "$kd" allocs)" &&
		      same_sum "$calls" "$tcalls" "$wblk" "$(tcsum ext4_writepages_done "$kd" alloc_blocks)" &&
		      test "$(tcsum ext4_writepages_done "$kd" allocs)" = "$tdal" &&
		      test "$(tcsum ext4_writepages_done "$kd" alloc_blocks)" = "$tdblk"'
	# Latency sums: trace-cmd pairs ext4_writepages -> _result by pid.
	read -r tsum tn < <(grep -E " ext4_writepages(_result)?: +dev $kd " "$work/report.txt" | awk '
		{ for (i = 1; i <= NF; i++) if ($i ~ /^ext4_writepages(_result)?:$/) { ev = $i; ts = $(i - 1) } }
		{ split($1, a, "-"); pid = a[length(a)]; sub(/:$/, "", ts); t = ts * 1e9 }
		ev == "ext4_writepages:" { start[pid] = t }
		ev == "ext4_writepages_result:" && (pid in start) { s += t - start[pid]; n++; delete start[pid] }
		END { printf "%.0f %d\n", s, n }')
	lsum=$(n "$wp" .latency_ns_sum); ln=$(jq -r '.hists.latency.count // 0' <<<"$wp")
	check "$path writepages: mean latency agrees with trace-cmd within a bucket ($ln timed: $lsum ns vs $tsum ns over $tn)" \
		lat_agree "$lsum" "$ln" "$tsum" "$tn" "$(mis writepages)"

	check "$path bio: write-back bios timed, sizes recorded" \
		jq -e '.bios > 0 and .hists.latency.count == .bios and .hists.size.count == .bios and .bytes >= 41943040' <<<"$bio"
	nb=$(n "$bio" .bios); tnb=$(tc $sev "$kd"); tne=$(tc $eev "$kd")
	check "$path bio: bios ($nb) = trace-cmd's $sev ($tnb) and $eev ($tne), missed $(mis bio)" \
		eval 'same "$nb" "$tnb" "$(mis bio)" && same "$nb" "$tne" "$(mis bio)"'
	by=$(n "$bio" .bytes); tby=$(tcsum $sev "$kd" size)
	check "$path bio: bytes ($by) = the sum of trace-cmd's $sev sizes ($tby)" same_sum "$nb" "$tnb" "$by" "$tby"
	lsum=$(n "$bio" .latency_ns_sum); tif=$(tcsum $eev "$kd" in_flight)
	check "$path bio: latency sum ($lsum ns) = the sum of trace-cmd's $eev in_flight ($tif ns)" \
		same_sum "$nb" "$tne" "$lsum" "$tif"
	read -r tsum tn < <(tc_pair_lat $sev $eev "$kd")
	check "$path bio: mean latency agrees with trace-cmd within a bucket ($nb timed: $lsum ns vs $tsum ns over $tn)" \
		lat_agree "$lsum" "$nb" "$tsum" "$tn" "$(mis bio)"
	sbio=$(grp bio-sampled "$mm" "$path")
	# Two runs of the same hooks: each may miss the runs the kernel reports skipping.
	bm=$(( $(mis bio) + $(mis bio-sampled) ))
	check "$path bio --sample 4: the same bios ($(n "$sbio" .bios) = $(n "$bio" .bios), missed $bm), some timed" \
		jq -e --argjson b "$bio" --argjson m "$bm" '(.bios - $b.bios | fabs) <= $m and
		  (.bios != $b.bios or .bytes == $b.bytes) and .hists.latency.count > 0 and .hists.latency.count < .bios' <<<"$sbio"
	# (ext4_bio_timed also reports every failed bio, with in_flight 0: none here)
	st=$(n "$sbio" .hists.latency.count); tst=$(tc ext4_bio_timed "$kd")
	check "$path bio --sample 4: timed bios ($st) = trace-cmd's ext4_bio_timed ($tst), missed $(mis bio-sampled); no errors" \
		eval 'same "$st" "$tst" "$(mis bio-sampled)" && test "$(n "$sbio" .errors)" = 0 &&
		      test "$(grep -cE " ext4_bio_timed: +dev $kd .* in_flight 0$" "$work/report.txt")" = 0'
	slsum=$(n "$sbio" .latency_ns_sum); tslsum=$(tcsum ext4_bio_timed "$kd" in_flight)
	check "$path bio --sample 4: latency sum ($slsum ns) = the sum of trace-cmd's ext4_bio_timed in_flight ($tslsum ns)" \
		same_sum "$st" "$tst" "$slsum" "$tslsum"
	# Sizes: the timed bios', in KiB, as trace-cmd's bytes say.
	sks=$(n "$sbio" .hists.size.sum)
	tks=$(grep -E " ext4_bio_timed: +dev $kd " "$work/report.txt" | sed -n 's/.* bytes \([0-9]*\).*/\1/p' |
		awk '{ s += int($1 / 1024) } END { printf "%.0f\n", s }')
	check "$path bio --sample 4: sizes of the timed bios ($(n "$sbio" .hists.size.count) bios, $sks KiB) = trace-cmd's ext4_bio_timed bytes ($tks KiB)" \
		eval 'test "$(n "$sbio" .hists.size.count)" = "$st" && same_sum "$st" "$tst" "$sks" "$tks"'
	dbio=$(grp bio-default "$mm" "$path")
	check "$path bio without --sample: bios ($(n "$dbio" .bios), $(n "$dbio" .bytes) bytes) = writepages' ($wbios, $wbby), some timed" \
		eval 'near_sum "$(n "$dbio" .bios)" "$wbios" "$(mis bio-default)" "$(mis writepages)" &&
		      near_sum "$(n "$dbio" .bytes)" "$wbby" "$(mis bio-default)" "$(mis writepages)" &&
		      test "$(n "$dbio" .hists.latency.count)" -gt 0'
	stimed=$((${stimed:-0} + st)); sbios=$((${sbios:-0} + $(n "$sbio" .bios)))

	check "$path endio: the default leaves out bio completions and extent sizes" \
		jq -e '(has("end_bio_inline") | not) and (.hists | (has("ioend_delay") or has("converted_extent_len")) | not)' <<<"$eio"
	if [ $side = iomap ]; then
		inl=$(n "$eia" .end_bio_inline); def=$(n "$eia" .end_bio_deferred); teb=$(tc ext4_iomap_end_bio "$kd")
		check "iomap endio --metrics all: completions ($inl inline + $def deferred) = trace-cmd's ext4_iomap_end_bio ($teb)" \
			deferred_same "$def" $((inl + def)) "$teb" "$(mis endio-all)"
		check "iomap endio --metrics all: every deferred completion's delay to the worker ($def)" \
			jq -e --argjson d "$def" '.hists.ioend_delay.count == $d' <<<"$eia"
		ioe=$(n "$eio" .ioends); tio=$(tc ext4_iomap_ioend_done "$kd")
		check "iomap endio: ioends handled ($ioe) = trace-cmd's ext4_iomap_ioend_done ($tio)" same "$ioe" "$tio" "$(mis endio)"
		rs=$(n "$eio" .ioend_run_ns_sum); trs=$(tcsum ext4_iomap_ioend_done "$kd" duration_ns)
		check "iomap endio: time in ioends ($rs ns) = the sum of trace-cmd's duration_ns ($trs)" same_sum "$ioe" "$tio" "$rs" "$trs"
		check "iomap endio: merges and time per ioend recorded" \
			jq -e '.hists.ioends_merged.count == .ioends and .hists.ioend_run.count == .ioends' <<<"$eio"
		mrg=$(jq -r '.hists.ioends_merged.sum // 0' <<<"$eio")
		check "iomap endio: ioends before merging ($mrg) = deferred completions ($def)" same "$mrg" "$def" "$(mis endio)"
		tdef=$(top_sum top "$mm" iomap .endio.deferred)
		check "iomap top: completions deferred over its intervals ($tdef) = endio's ($mrg); missed runs $(mis_top endio), $(mis endio)" \
			near_sum "$tdef" "$mrg" "$(mis_top endio)" "$(mis endio)"
		ds=$(n "$eio" .disksize_updates); tds=$(tc ext4_iomap_update_disksize "$kd")
		check "iomap endio: i_disksize updates ($ds) = trace-cmd's ($tds)" same "$ds" "$tds" "$(mis endio)"
		cv=$(n "$eio" .extents_converted); tcv=$(tc ext4_iomap_convert_unwritten "$kd")
		check "iomap endio: extents converted ($cv) = trace-cmd's ext4_iomap_convert_unwritten ($tcv)" same "$cv" "$tcv" "$(mis endio)"
		# (one program run per converted extent: a run the kernel skipped loses one)
		ccv=$(n "$eia" .hists.converted_extent_len.count)
		check "iomap endio --metrics all: one size per converted extent ($ccv = trace-cmd's $tcv, missed $(mis endio-all))" \
			same "$ccv" "$tcv" "$(mis endio-all)"
		check "iomap alloc: mappings per writeback range recorded" jq -e '.iomap_mappings > 0 and .hists.mapping_len.count == .iomap_mappings' <<<"$al"
		maps=$(n "$al" .iomap_mappings); tmaps=$(tc ext4_iomap_map_writeback "$kd")
		check "iomap alloc: mappings ($maps) = trace-cmd's ext4_iomap_map_writeback ($tmaps)" same "$maps" "$tmaps" "$(mis alloc)"
		check "iomap alloc: mappings from the wbscope kernel's tracepoint, not per dirty range" \
			jq -e '.hooks.iomap_mapping == "tp_btf:ext4_iomap_map_writeback (with delayed_len)" and (.groups | all(has("ioend_ranges") | not))' "$work/alloc.json"
	else
		inl=$(n "$eia" .end_bio_inline); def=$(n "$eia" .end_bio_deferred); teb=$(tc ext4_end_bio "$kd")
		check "bh endio --metrics all: completions ($inl inline + $def deferred) = trace-cmd's ext4_end_bio ($teb)" \
			deferred_same "$def" $((inl + def)) "$teb" "$(mis endio-all)"
		ioe=$(n "$eio" .ioends); tio=$(tc ext4_end_io_end_done "$kd")
		check "bh endio: io_ends handled ($ioe) = trace-cmd's ext4_end_io_end_done ($tio)" same "$ioe" "$tio" "$(mis endio)"
		rs=$(n "$eio" .ioend_run_ns_sum); trs=$(tcsum ext4_end_io_end_done "$kd" duration_ns)
		check "bh endio: time in io_ends ($rs ns) = the sum of trace-cmd's duration_ns ($trs)" same_sum "$ioe" "$tio" "$rs" "$trs"
		check "bh endio: time per io_end recorded" jq -e '.hists.ioend_run.count == .ioends' <<<"$eio"
		check "bh endio: no iomap-only data in buffer_head groups" jq -e 'has("disksize_updates") | not' <<<"$eio"
	fi
	wk=$(n "$eio" .works); twk=$(tc ext4_end_io_work "$kd")
	check "$path endio: work runs ($wk) = trace-cmd's ext4_end_io_work ($twk)" same "$wk" "$twk" "$(mis endio)"
	for f in run delay; do
		ws=$(n "$eio" .work_${f}_ns_sum); tws=$(tcsum ext4_end_io_work "$kd" ${f}_ns)
		check "$path endio: work $f time ($ws ns) = the sum of trace-cmd's ${f}_ns ($tws)" \
			same_sum "$wk" "$twk" "$ws" "$tws"
	done
	wi=$(jq -r '.hists.work_items.sum // 0' <<<"$eio"); twi=$(tcsum ext4_end_io_work "$kd" items)
	check "$path endio: items taken over per run ($wi) = the sum of trace-cmd's ($twi)" same_sum "$wk" "$twk" "$wi" "$twi"
	# Each run's own counts (kernel patch 22) against the per-ioend events' and trace-cmd's.
	wh=$(n "$eio" .work_handled); we=$(n "$eio" .work_extents)
	twh=$(tcsum ext4_end_io_work "$kd" handled); twe=$(tcsum ext4_end_io_work "$kd" extents)
	check "$path endio: ioends completed by the runs ($wh) = the sum of trace-cmd's handled ($twh)" same_sum "$wk" "$twk" "$wh" "$twh"
	check "$path endio: extents converted by the runs ($we) = the sum of trace-cmd's extents ($twe)" same_sum "$wk" "$twk" "$we" "$twe"
	check "$path endio: the runs' counts = the per-ioend events' ($wh = $(n "$eio" .ioends), $we = $(n "$eio" .extents_converted))" \
		eval 'near_sum "$wh" "$(n "$eio" .ioends)" "$(mis endio)" "$(mis endio)" && near_sum "$we" "$(n "$eio" .extents_converted)" "$(mis endio)" "$(mis endio)"'
	tx=$(top_sum top "$mm" "$path" .endio.extents_converted)
	check "$path top: extents converted over its intervals ($tx) = endio's runs' ($we); missed runs $(mis_top endio), $(mis endio)" \
		near_sum "$tx" "$we" "$(mis_top endio)" "$(mis endio)"
	check "$path endio: work items, unwritten extents converted" \
		jq -e '.works > 0 and .extents_converted > 0 and .hists.conversion_run.count > 0 and
		       .hists.extents_per_handler.sum == .extents_converted' <<<"$eio"
	check "$path endio --metrics all: converted extent sizes" jq -e '.hists.converted_extent_len.count > 0' <<<"$eia"
	allocs=$(n "$al" .allocations); tal=$(tc ext4_allocate_blocks "$kd")
	check "$path alloc: allocations ($allocs, $(n "$al" .blocks_allocated) blocks) = trace-cmd's delayed-block data allocations ($tdal, $tdblk blocks)" \
		eval 'same "$allocs" "$tdal" "$(mis alloc)" && same "$(n "$al" .blocks_allocated)" "$tdblk" "$(mis alloc)"'
	ext=$(n "$al" .delalloc_extents); text=$(tc_delayed "$kd")
	check "$path alloc: allocations in writeback ($allocs) <= trace-cmd's ext4_allocate_blocks ($tal), > 0" \
		test "$allocs" -gt 0 -a "$allocs" -le "$tal"
	# top's alloc columns take allocations of delayed blocks for write-back's.
	talloc=$(top_sum top "$mm" "$path" .alloc.allocations)
	tmis=$(jq -s '[.[].tools[].missed // 0] | add // 0' "$work/top.json")
	check "$path top: allocations in writeback over its intervals ($talloc) = alloc's ($allocs); missed runs $tmis, $(mis alloc)" \
		near_sum "$talloc" "$allocs" "$tmis" "$(mis alloc)"
	check "$path alloc: delayed extents ($ext) = trace-cmd's ext4_da_write_pages_extent of delayed extents ($text)" same "$ext" "$text" "$(mis alloc)"
	# Writes into preallocated space: the buffer_head path announces the unwritten
	# extents it converts, the iomap path does not; neither counts them as delayed.
	if [ "$path" = buffer_head ]; then
		check "buffer_head: trace-cmd saw unwritten extents announced ($(tc_unwritten "$kd")), not counted" \
			test "$(tc_unwritten "$kd")" -gt 0
	else
		check "iomap: no unwritten extent announced as mapped ($(tc_unwritten "$kd"))" \
			test "$(tc_unwritten "$kd")" = 0
	fi
	acalls=$(n "$al" .calls)
	check "$path alloc: writepages calls ($acalls) = trace-cmd's ext4_writepages_result ($tcalls)" same "$acalls" "$tcalls" "$(mis alloc)"
	# A call whose entry the kernel skipped has no per-call sample.
	check "$path alloc: sizes and per-call counts recorded" jq -e --argjson m "$(mis alloc)" \
		'.hists.alloc_len.count == .allocations and .reserved_blocks_used > 0 and
		 .hists.allocs_per_call.count <= .calls and .hists.allocs_per_call.count >= .calls - $m' <<<"$al"
	# Per call from the done event: every allocation and extent of a call started after
	# the tools lands in its call's sample (a skipped run loses at most one of each).
	check "$path alloc: per-call sums = allocations and delayed extents" jq -e --argjson m "$(mis alloc)" \
		'(.allocations - .hists.allocs_per_call.sum) as $a | (.delalloc_extents - .hists.extents_per_call.sum) as $e |
		 $a >= 0 and $a <= $m and $e >= 0 and $e <= $m' <<<"$al"
done
# From the mappings' results alloc sees write-back's data allocations alone (on both devices).
a_all=$(jq -r '.counters.allocations_in_writeback' "$work/alloc.json")
t_all=$(grep -cE " ext4_allocate_blocks: +dev ($ikdev|$bkdev) .*HINT_DATA.*DELALLOC_RESV" "$work/report.txt")
check "alloc: allocations in writeback ($a_all) = trace-cmd's delayed-block data allocations ($t_all)" \
	same "$a_all" "$t_all" "$(mis alloc)"
# The kernel picks one bio in four on average, by a per-CPU countdown that both devices'
# bios advance, each gap drawn from 1 to 7 bios (variance 4): over M bios, 4 * picks - M
# has a standard deviation of sqrt(M). Allowed: five of those, plus the longest gap per CPU (and
# the bios submitted while the tool attached).
check "bio --sample 4: the kernel timed about a quarter of the bios ($stimed of $sbios)" \
	awk -v t="$stimed" -v m="$sbios" -v c="$(nproc)" \
	'BEGIN { d = 4 * t - m; if (d < 0) d = -d; exit !(m > 0 && d <= 8 * (c + 2) + 5 * sqrt(m)) }'
# ext4.bio_time_sample is global: another tracer's value is refused, unless it is the
# same N, which is then left for that tracer to put back.
param=/sys/module/ext4/parameters/bio_time_sample
echo 8 >"$param"
msg=$("$WBSCOPE_BIN" bio --sample 4 --duration 0.2 2>&1); rc=$?
check "bio --sample 4 while another tracer samples 1 in 8: refused, naming the parameter (exit $rc)" \
	sh -c "[ $rc -ne 0 ] && printf '%s' \"\$1\" | grep -q 'bio_time_sample is 8'" _ "$msg"
"$WBSCOPE_BIN" bio --sample 8 --duration 0.2 >/dev/null 2>&1; rc=$?
check "bio --sample 8 alongside it: runs (exit $rc), leaves the value at 8" \
	sh -c "[ $rc -eq 0 ] && grep -qx 8 $param"
echo 1 >"$param"
# Another tracer changing the rate mid-run: said in the report, and not put back.
"$WBSCOPE_BIN" bio --sample 4 --json --duration 2 >"$work/bio-changed.json" 2>"$work/bio-changed.err" &
bpid=$!
started bio-changed
echo 16 >"$param"
wait $bpid; rc=$?
check "bio --sample 4 whose rate another tracer changed to 16: reported (sample_now), left at 16 (exit $rc)" \
	sh -c "[ $rc -eq 0 ] && jq -se '.[-1].sample == 4 and .[-1].sample_now == 16' $work/bio-changed.json >/dev/null && grep -qx 16 $param"
echo 1 >"$param"
# bio and top without --sample time 1 in 8 where the kernel picks, and put the parameter back.
"$WBSCOPE_BIN" bio --json --duration 0.5 >"$work/bio-eight.json" 2>"$work/bio-eight.err"; rc=$?
check "bio without --sample: 1 in 8 bios timed by default (exit $rc), ext4.bio_time_sample back to 1" \
	sh -c "[ $rc -eq 0 ] && jq -se '.[-1].sample == 8 and .[-1].sizes_sampled' $work/bio-eight.json >/dev/null && grep -qx 1 $param"

"$WBSCOPE_BIN" top --json --duration 0.5 >"$work/top-default.json" 2>"$work/top-default.err"; rc=$?
check "top without --sample: 1 in 8 bios timed by default (exit $rc), ext4.bio_time_sample back to 1" \
	sh -c "[ $rc -eq 0 ] && jq -se '.[-1].sample == 8' $work/top-default.json >/dev/null && grep -qx 1 $param"
"$WBSCOPE_BIN" top --sample 1 --json --duration 0.5 >"$work/top-exact.json" 2>"$work/top-exact.err"; rc=$?
check "top --sample 1: every bio timed, from the completion events (exit $rc)" jq -se \
	'.[-1].sample == 1 and .[-1].tools.bio.hooks.complete == "tp_btf:ext4_end_bio+ext4_iomap_end_bio (in_flight)"' "$work/top-exact.json"
[ -z "${WBSCOPE_GUEST_OUT:-}" ] || cp "$work"/*.json "$work"/*.err "$work/trace.out" "$work/report.txt" "$WBSCOPE_GUEST_OUT/" 2>/dev/null
t_summary guest-tools
