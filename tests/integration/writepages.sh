#!/usr/bin/env bash
# Integration test of `wbscope writepages`: a loop-mounted ext4 image (or, with
# --dev DEV, ext4 made on that block device, as the guest smoke test does), fio buffered
# writes with fsync, the tool running alongside, and tracefs recording the same
# tracepoint (through a tracefs instance) for the same window. The tool's call count must equal the number of
# ext4_writepages_result events recorded for that device, and the latency
# histogram must not be empty. Runs on any kernel that allows tracepoint programs.
#
#   tests/integration/writepages.sh [--dev /dev/vdX]   (--dev destroys that device's data)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
use_dev=""
case "${1:-}" in
"") ;;
--dev) use_dev=${2:?--dev needs a block device}; [ -b "$use_dev" ] || die "$use_dev is not a block device" 2 ;;
*) die "unknown argument '$1' (usage: writepages.sh [--dev DEV])" 2 ;;
esac
echo "integration: wbscope writepages vs tracefs on ${use_dev:-loop-mounted} ext4"

t_need_root "writepages integration test" || { t_summary writepages; exit $?; }
[ -x "$WBSCOPE_BIN" ] || die "$WBSCOPE_BIN not built (run: make -C bpf)"
t_mount_tracefs || die "tracefs is not available"

work=$(mktemp -d /tmp/wbscope-host.XXXXXX)
t_on_exit "rm -rf $work"
if [ -n "$use_dev" ]; then
	mkfs.ext4 -q -F "$use_dev" || die "mkfs.ext4 on $use_dev failed"
	mkdir -p "$work/mnt"; mount "$use_dev" "$work/mnt" || die "mounting $use_dev failed"
	t_on_exit "umount $work/mnt"
	dev=$use_dev
else
	t_loopfs ext4 1G "$work"; dev=$T_DEV
fi
kdev=$(t_kdev "$dev")
name=${dev#/dev/}
echo "  device $dev (kernel dev $kdev)"

# tracefs first, then the tool; both must be running before the workload starts.
t_tracefs_start "wbscope-test-$$" "dev == $kdev" ext4/ext4_writepages ext4/ext4_writepages_result
"$WBSCOPE_BIN" writepages -d "$name" --json >"$work/tool.json" 2>"$work/tool.err" &
tool_pid=$!
t_on_exit "kill -INT $tool_pid"
for _ in $(seq 50); do grep -q "Tracing" "$work/tool.err" 2>/dev/null && break; sleep 0.2; done
check "tool started" grep -q "Tracing ext4 writepages on $name" "$work/tool.err"

fio --name=wb --directory="$work/mnt" --rw=write --bs=64k --size=64m --fsync=4 \
	--ioengine=psync --output-format=terse >"$work/fio.log" 2>&1
check "fio buffered writes with fsync ran" test $? = 0
fio --name=wb2 --directory="$work/mnt" --rw=randwrite --bs=4k --size=16m --fdatasync=16 \
	--ioengine=psync --output-format=terse >>"$work/fio.log" 2>&1
sync -f "$work/mnt"
sleep 1

kill -INT "$tool_pid"; wait "$tool_pid"; tool_rc=$?
lost=$(t_tracefs_stop "wbscope-test-$$" "$work/trace.txt")
check "tool exits 0 on SIGINT (clean detach)" test "$tool_rc" = 0
check "tool printed one JSON document" test "$(wc -l < "$work/tool.json")" = 1
check "JSON carries the schema version" jq -e '.schema == "wbscope/1" and .tool == "writepages"' "$work/tool.json"

calls=$(jq --arg d "$(t_majmin "$dev")" '[.groups[] | select(.dev == $d) | .calls] | add // 0' "$work/tool.json")
lat_count=$(jq '[.groups[].hists.latency.count] | add // 0' "$work/tool.json")
enters=$(jq '.counters.enter' "$work/tool.json")
tc_results=$(grep -c ' ext4_writepages_result:' "$work/trace.txt")
tc_enters=$(grep -c ' ext4_writepages:' "$work/trace.txt")
echo "  tool: $calls calls ($enters starts, $lat_count timed); tracefs: $tc_results results, $tc_enters starts, $lost lost"

check "workload produced writepages calls" test "$calls" -gt 10
check "tracefs lost no events" test "$lost" = 0
check "call count equals tracefs' ext4_writepages_result count ($calls = $tc_results)" test "$calls" = "$tc_results"
check "start count equals tracefs' ext4_writepages count ($enters = $tc_enters)" test "$enters" = "$tc_enters"
check "latency histogram is non-empty" test "$lat_count" -gt 0
check "pages histogram is non-empty" jq -e '[.groups[].hists.pages_per_call.count] | add > 0' "$work/tool.json"
# Without the wbscope kernel's mapping counts the fields are absent, not zero.
check "no mapping counts without ext4_writepages_done's (absent, not zero)" jq -e \
	'(.hooks.writepages | test("mapping counts")) or ([.groups[] | has("extents_mapped") or has("allocations")] | any | not)' "$work/tool.json"

# Text mode with interval and count ends by itself.
"$WBSCOPE_BIN" writepages -d "$name" -T 1 2 >"$work/text.out" 2>&1
check "interval/count mode ends after 2 reports" test "$(grep -c 'no ext4 writepages calls\|^dev ' "$work/text.out")" = 2

# Text mode until Ctrl-C, around 256 writes with an fsync each: fsync's calls show as
# unlimited nr_to_write (LONG_MAX), and the unlimited and bounded ones are the calls.
"$WBSCOPE_BIN" writepages -d "$name" >"$work/text2.out" 2>"$work/text2.err" &
text_pid=$!
for _ in $(seq 50); do grep -q "Tracing" "$work/text2.err" 2>/dev/null && break; sleep 0.2; done
fio --name=wb3 --directory="$work/mnt" --rw=write --bs=4k --size=1m --fsync=1 \
	--ioengine=psync --output-format=terse >>"$work/fio.log" 2>&1
kill -INT "$text_pid"; wait "$text_pid"
text_calls=$(awk '/^dev / { for (i = 1; i < NF; i++) if ($(i + 1) == "calls") n += $i } END { print n + 0 }' "$work/text2.out")
text_nr=$(awk '/nr_to_write: / { n += $2 + $(NF - 1) } END { print n + 0 }' "$work/text2.out")
text_unl=$(awk '/nr_to_write: / { n += $2 } END { print n + 0 }' "$work/text2.out")
check "text: fsync's calls are unlimited nr_to_write ($text_unl of 256 fsyncs)" test "$text_unl" -ge 200
check "text: unlimited plus bounded nr_to_write are the calls ($text_nr = $text_calls)" test "$text_nr" = "$text_calls"

t_summary writepages
