# shellcheck shell=bash
# Helpers for wbscope's shell tests: results, loop-mounted filesystems, cleanup.
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

T_PASS=0 T_FAIL=0 T_SKIP=0
WBSCOPE_BIN=${WBSCOPE_BIN:-$WBSCOPE_ROOT/bpf/.output/wbscope}

ok()   { T_PASS=$((T_PASS + 1)); printf '  ok   %s\n' "$*"; }
bad()  { T_FAIL=$((T_FAIL + 1)); printf '  FAIL %s\n' "$*"; }
skip() { T_SKIP=$((T_SKIP + 1)); printf '  skip %s\n' "$*"; }
check() { # check "description" CMD...
	local what=$1; shift
	if "$@" >/dev/null; then ok "$what"; else bad "$what"; fi
}
# jq -e exits 0 when its input holds no JSON at all (an empty file, an empty here-string),
# so a check on a tool's missing output would pass: as a check, `jq -e` also needs output.
jq() {
	[ "${1-}" = -e ] || { command jq "$@"; return; }
	local out rc
	out=$(command jq "$@"); rc=$?
	[ "$rc" = 0 ] && [ -z "$out" ] && { echo "jq: no JSON input" >&2; return 4; }
	[ -z "$out" ] || printf '%s\n' "$out"
	return "$rc"
}
t_summary() { # t_summary SUITE: prints the closing line and returns the status
	printf '%s: %d passed, %d failed, %d skipped\n' "$1" "$T_PASS" "$T_FAIL" "$T_SKIP"
	[ "$T_FAIL" = 0 ]
}

# Cleanup actions run in reverse order at exit.
T_CLEANUP=()
t_on_exit() { T_CLEANUP=("$*" "${T_CLEANUP[@]}"); }
t_cleanup() { local c; for c in "${T_CLEANUP[@]}"; do eval "$c" >/dev/null 2>&1 || true; done; }
trap t_cleanup EXIT

# t_loopfs TYPE SIZE DIR: make a filesystem image in DIR and loop-mount it at DIR/mnt.
# Sets T_DEV to the loop device (not printed: cleanup must register in this shell).
t_loopfs() {
	local type=$1 size=$2 dir=$3
	truncate -s "$size" "$dir/$type.img"
	case $type in
	ext4) mkfs.ext4 -q -F "$dir/$type.img" ;;
	xfs) mkfs.xfs -q -f "$dir/$type.img" ;;
	*) die "t_loopfs: unknown filesystem type $type" ;;
	esac
	T_DEV=$(losetup --find --show "$dir/$type.img") || die "losetup failed (loop devices available?)"
	t_on_exit "losetup -d $T_DEV"
	mkdir -p "$dir/mnt"
	mount "$T_DEV" "$dir/mnt" || die "mounting $type on $T_DEV failed"
	t_on_exit "umount $dir/mnt"
}

# Recording events through a private tracefs instance (leaves global tracing alone and
# needs no function tracer, which some hosts forbid).
# t_tracefs_start NAME FILTER EVENT...: EVENT is system/name; FILTER applies to each.
t_tracefs_start() {
	local name=$1 filter=$2 ev inst
	shift 2
	inst=/sys/kernel/tracing/instances/$name
	mkdir "$inst" || die "cannot create tracefs instance $inst"
	t_on_exit "rmdir $inst"
	echo 16384 > "$inst/buffer_size_kb"
	echo mono > "$inst/trace_clock" 2>/dev/null || true
	for ev in "$@"; do
		[ -d "$inst/events/$ev" ] || die "tracepoint $ev does not exist in this kernel"
		[ -z "$filter" ] || echo "$filter" > "$inst/events/$ev/filter" || die "bad filter '$filter' for $ev"
		echo 1 > "$inst/events/$ev/enable"
	done
	echo 1 > "$inst/tracing_on"
}

# t_tracefs_stop NAME OUT: stop recording, save the buffer to OUT, print lost events.
t_tracefs_stop() {
	local inst=/sys/kernel/tracing/instances/$1
	echo 0 > "$inst/tracing_on"
	echo 0 > "$inst/events/enable"
	cat "$inst/trace" > "$2"
	cat "$inst"/per_cpu/cpu*/stats | awk '/^overrun:/ {s += $2} END {print s + 0}'
}

# "MAJ:MIN" of a block device, as wbscope's JSON names devices.
t_majmin() { lsblk -dno MAJ:MIN "$1" | tr -d ' '; }

# Kernel dev_t encoding of a block device (major << 20 | minor), as tracepoints use.
t_kdev() {
	local mm
	mm=$(t_majmin "$1")
	echo $(( (${mm%%:*} << 20) | ${mm##*:} ))
}

# t_ext4 DEV DIR OPTS: a fresh ext4 on DEV (no lazy init, whose writes would mix with the
# test's), mounted at DIR with OPTS, unmounted at exit.
t_ext4() {
	mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$1" || die "mkfs.ext4 $1 failed"
	mkdir -p "$2"
	mount -o "$3" "$1" "$2" || die "mount -o $3 $1 failed"
	t_on_exit "umount $2"
}

t_need_root() {
	[ "$(id -u)" = 0 ] || { skip "$1 (needs root)"; return 1; }
}

t_mount_tracefs() {
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
	[ -d /sys/kernel/tracing/events ]
}
