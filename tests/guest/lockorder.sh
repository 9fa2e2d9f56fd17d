#!/usr/bin/env bash
# Runs inside the wbscope guest (tests/guest/smoke.sh): `wbscope lockorder` on real
# write-back, each path alone and both at once.
#
#   tests/guest/lockorder.sh IOMAP_DEV BH_DEV      (destroys both devices' data)
#
#  - iomap alone (buffered_iomap on IOMAP_DEV): the iomap order is seen (folio ->
#    jbd2_handle, and i_data_sem after both), no violation, exit 0;
#  - buffer_head alone (BH_DEV): jbd2_handle -> folio -> i_data_sem, no violation;
#  - both at once on the two file systems: the handle <-> folio reversal is reported as
#    a cross-path cycle whose objects are not shared (two journals), exit still 0.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
idev=${1:?usage: lockorder.sh IOMAP_DEV BH_DEV}
bdev=${2:?usage: lockorder.sh IOMAP_DEV BH_DEV}
echo "guest lockorder test: iomap on $idev, buffer_head on $bdev"
[ -x "$WBSCOPE_BIN" ] || die "$WBSCOPE_BIN not built"
work=$(mktemp -d /tmp/wbscope-lo.XXXXXX)
t_on_exit "rm -rf $work"
t_ext4 "$idev" "$work/iomap" buffered_iomap
t_ext4 "$bdev" "$work/bh" nobuffered_iomap
imm=$(t_majmin "$idev")
bmm=$(t_majmin "$bdev")

load() { # load DIR...: appending and random buffered writes with fsync, all dirs at once
	local d pids=()
	for d in "$@"; do
		fio --name=seq --directory="$d" --rw=write --bs=64k --size=16m --fsync=16 \
			--fallocate=none >/dev/null 2>&1 &
		pids+=($!)
		fio --name=rnd --directory="$d" --rw=randwrite --bs=8k --size=4m --fsync=32 \
			--fallocate=none >/dev/null 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	sync
}

# audit NAME DIR...: run the audit over the load, JSON to $work/NAME.json, DOT alongside
audit() {
	local name=$1 pid
	shift
	rm -f "$work"/iomap/* "$work"/bh/* 2>/dev/null
	"$WBSCOPE_BIN" lockorder --json --dot "$work/$name.dot" >"$work/$name.json" 2>"$work/$name.err" &
	pid=$!
	for _ in $(seq 300); do grep -q "^Auditing" "$work/$name.err" 2>/dev/null && break; sleep 0.2; done
	load "$@"
	sleep 1
	kill -INT $pid
	wait $pid
	echo $? >"$work/$name.rc"
	echo "  $name: $(jq -c '[.edges[] | "\(.held)->\(.taken) \(.path) \(.dev) \(.verdict) x\(.count)"]' "$work/$name.json" 2>&1)"
	[ "$(cat "$work/$name.rc")" = 2 ] && sed 's/^/    /' "$work/$name.err"
}

# jqt NAME EXPR [jq args]: the audit wrote exactly one JSON document and EXPR holds for it
jqt() { local f=$work/$1.json e=$2; shift 2; jq -se "$@" "length == 1 and (.[0] | $e)" "$f"; }
# edge NAME HELD TAKEN PATH DEV: that edge was seen
edge() { jqt "$1" '[.edges[] | select(.held == $h and .taken == $t and .path == $p and .dev == $d)] | length == 1' \
	--arg h "$2" --arg t "$3" --arg p "$4" --arg d "$5"; }

audit iomap "$work/iomap"
check "iomap alone: audit ran (exit $(cat "$work/iomap.rc"))" test "$(cat "$work/iomap.rc")" = 0
check "iomap alone: every hook needed is there" jqt iomap '.hooks.rwsem != "unavailable" and .hooks.folio_writeback != "unavailable"'
check "iomap alone: folio -> jbd2_handle on iomap" edge iomap folio jbd2_handle iomap "$imm"
check "iomap alone: jbd2_handle -> i_data_sem on iomap" edge iomap jbd2_handle i_data_sem iomap "$imm"
check "iomap alone: folio -> i_data_sem on iomap" edge iomap folio i_data_sem iomap "$imm"
check "iomap alone: no violation, no cycle" jqt iomap '.violations == 0 and (.cycles | length) == 0'
check "iomap alone: no jbd2_handle -> folio on iomap write-back" \
	jqt iomap '[.edges[] | select(.held == "jbd2_handle" and .taken == "folio" and .path == "iomap")] | length == 0'

audit bh "$work/bh"
check "buffer_head alone: audit ran (exit $(cat "$work/bh.rc"))" test "$(cat "$work/bh.rc")" = 0
check "buffer_head alone: jbd2_handle -> folio on buffer_head" edge bh jbd2_handle folio buffer_head "$bmm"
check "buffer_head alone: folio -> i_data_sem on buffer_head" edge bh folio i_data_sem buffer_head "$bmm"
check "buffer_head alone: no violation, no cycle" jqt bh '.violations == 0 and (.cycles | length) == 0'

audit both "$work/iomap" "$work/bh"
check "both: audit exit 0 (no violation, no risky cycle)" test "$(cat "$work/both.rc")" = 0
check "both: the handle <-> folio reversal is a cross-path cycle" jqt both \
	'[.cycles[] | select(.classes == ["jbd2_handle", "folio"] and .cross_path)] | length == 1'
check "both: its objects are not shared (two file systems, two journals)" jqt both \
	'([.cycles[] | select(.objects_may_be_shared)] | length == 0) and .risky_cycles == 0'
check "both: the DOT graph has both arrows" sh -c \
	"grep -q 'folio -> jbd2_handle \[label=\"iomap' $work/both.dot && grep -q 'jbd2_handle -> folio \[label=\"buffer_head' $work/both.dot"
[ -z "${WBSCOPE_GUEST_OUT:-}" ] || cp "$work"/*.json "$work"/*.dot "$work"/*.err "$WBSCOPE_GUEST_OUT/" 2>/dev/null
t_summary guest-lockorder
