#!/usr/bin/env bash
# Runs inside the wbscope guest (tests/guest/smoke.sh): the fentry/fexit and kprobe
# fallbacks of the tools, on a kernel that has the tracepoints too.
#
#   tests/guest/fallback.sh DEV        (destroys DEV's data)
#
# Each tool runs three times at once over the same window, with --hooks best
# (tracepoints), --hooks fentry and --hooks kprobe, on ext4 on the buffer_head path
# (the stock-kernel functions the fallbacks hook). Every run must pick the hooks asked
# for where the metric has them, and count the same events.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
dev=${1:?usage: fallback.sh DEV}
echo "guest fallback test on $dev, kernel $(uname -r)"
[ -x "$WBSCOPE_BIN" ] || die "$WBSCOPE_BIN not built"
work=$(mktemp -d /tmp/wbscope-fallback.XXXXXX)
t_on_exit "rm -rf $work"
t_ext4 "$dev" "$work/mnt" nobuffered_iomap
name=${dev#/dev/}

pids=()
for tool in writepages bio endio; do
	# endio: its extra metrics too (end_bio.buffer_head has fentry and kprobe fallbacks);
	# bio: every bio timed (its default on this kernel times 1 in 8, from other events)
	extra=(); [ $tool != endio ] || extra=(--metrics all); [ $tool != bio ] || extra=(--sample 1)
	for kind in best fentry kprobe; do
		"$WBSCOPE_BIN" "$tool" --hooks "$kind" "${extra[@]}" -d "$name" --json >"$work/$tool-$kind.json" \
			2>"$work/$tool-$kind.err" &
		pids+=($!)
		t_on_exit "kill -INT $!"
	done
done
# bio from the block layer's events rather than ext4's (the wbscope kernel has both).
"$WBSCOPE_BIN" bio --block-layer -d "$name" --json >"$work/bio-block.json" 2>"$work/bio-block.err" &
pids+=($!)
t_on_exit "kill -INT $!"
# endio's work items from the workqueue's events rather than ext4_end_io_work.
"$WBSCOPE_BIN" endio --workqueue -d "$name" --json >"$work/endio-wq.json" 2>"$work/endio-wq.err" &
pids+=($!)
t_on_exit "kill -INT $!"
# By name, not by a glob: a run whose shell has not opened its file yet must be waited for.
for tool in writepages bio endio; do
	for kind in best fentry kprobe $([ $tool = bio ] && echo block) $([ $tool = endio ] && echo wq); do
		f="$work/$tool-$kind.err"
		for _ in $(seq 300); do grep -q "^Tracing" "$f" 2>/dev/null && break; sleep 0.2; done
		check "$tool-$kind started" grep -q "^Tracing" "$f"
	done
done

fio --name=seq --directory="$work/mnt" --rw=write --bs=256k --size=24m --fsync=8 \
	--fallocate=none --ioengine=psync >/dev/null 2>&1
check "fio ran" test $? = 0
sync
sleep 2
for p in "${pids[@]}"; do kill -INT "$p"; done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
check "all runs detach cleanly" test $rc = 0

hook() { jq -r --arg m "$2" '.hooks[$m]' "$work/$1.json"; }
check "writepages --hooks fentry uses fentry+fexit ($(hook writepages-fentry writepages))" \
	test "$(hook writepages-fentry writepages)" = "fentry+fexit:ext4_writepages"
check "writepages --hooks kprobe uses kprobe+kretprobe ($(hook writepages-kprobe writepages))" \
	test "$(hook writepages-kprobe writepages)" = "kprobe+kretprobe:ext4_writepages"
check "bio --hooks fentry completes at fentry:bio_endio" test "$(hook bio-fentry complete)" = "fentry:bio_endio"
check "bio --hooks kprobe completes at kprobe:bio_endio" test "$(hook bio-kprobe complete)" = "kprobe:bio_endio"
check "bio --hooks fentry/kprobe: paired with ext4's submission events ($(hook bio-fentry submit))" \
	test "$(hook bio-fentry submit) $(hook bio-kprobe submit)" = \
	"tp_btf:ext4_submit_bio+ext4_iomap_submit_bio tp_btf:ext4_submit_bio+ext4_iomap_submit_bio"
check "bio: ext4's bio events by default, the block layer's with --block-layer" \
	test "$(hook bio-best submit) $(hook bio-block submit) $(hook bio-block complete)" = \
	"tp_btf:ext4_end_bio+ext4_iomap_end_bio (in_flight) tp_btf:block_bio_queue tp_btf:block_rq_complete+block_bio_complete"
check "endio: ext4_end_io_work by default, the workqueue's events with --workqueue" \
	test "$(hook endio-best work) $(hook endio-wq work)" = \
	"tp_btf:ext4_end_io_work tp_btf:workqueue_queue_work+execute_start,raw_tp:workqueue_execute_end"
check "endio --hooks fentry: fentry:ext4_end_bio" test "$(hook endio-fentry end_bio.buffer_head)" = "fentry:ext4_end_bio"
check "endio --hooks kprobe: kprobe:ext4_end_bio" test "$(hook endio-kprobe end_bio.buffer_head)" = "kprobe:ext4_end_bio"
check "endio --hooks fentry: conversion via fentry+fexit" \
	grep -q '^fentry+fexit:ext4_convert_unwritten_io_end_vec' <<<"$(hook endio-fentry io_end.buffer_head)"

# same(TOOL, JQ): the value is equal (and non-zero) with tracepoints and fentry; with
# kprobes it may be lower by at most the events the kernel reports as missed (a kprobe
# program is skipped when it fires while another BPF program runs on that CPU).
same() {
	local a b c m
	a=$(jq "$2" "$work/$1-best.json"); b=$(jq "$2" "$work/$1-fentry.json"); c=$(jq "$2" "$work/$1-kprobe.json")
	m=$(jq '.missed' "$work/$1-kprobe.json")
	check "$1: $2 is the same with tracepoints and fentry ($a, $b)" test "$a" = "$b" -a "$a" != 0
	check "$1: $2 with kprobes ($c) misses no more than reported ($m)" \
		test "$c" -le "$a" -a $((a - c)) -le "$m"
}
same writepages '[.groups[].calls] | add'
same writepages '[.groups[].pages_written] | add'
same writepages '[.groups[].hists.latency.count] | add'
same bio '[.groups[].bios] | add'
bb=$(jq '[.groups[].bios] | add' "$work/bio-block.json"); ba=$(jq '[.groups[].bios] | add' "$work/bio-best.json")
check "bio --block-layer: the same bios as ext4's events ($bb, $ba)" test "$bb" = "$ba" -a "$ba" != 0
same endio '[.groups[] | .end_bio_inline + .end_bio_deferred] | add'
same endio '[.groups[].end_bio_deferred] | add'
same endio '[.groups[].extents_converted] | add'
same endio '[.groups[].hists.conversion_run.count] | add'
same endio '[.groups[].hists.converted_extent_len.count] | add'
for q in works 'hists.work_delay.count'; do
	a=$(jq "[.groups[].$q] | add" "$work/endio-best.json"); b=$(jq "[.groups[].$q] | add" "$work/endio-wq.json")
	check "endio --workqueue: the same $q as ext4_end_io_work ($b, $a)" test "$a" = "$b" -a "$a" != 0
done
t_summary guest-fallback
