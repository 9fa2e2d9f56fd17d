#!/usr/bin/env bash
# Runs inside the wbscope guest (started by tests/guest/smoke.sh): checks the kernel the
# guest booted, runs the writepages integration test on the virtio disk /dev/vda, then
# the tools test with both write-back paths at once (/dev/vda iomap, /dev/vdb buffer_head)
# the fentry/kprobe fallback test (/dev/vdb) and the lock-order audit (both).
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
[ -z "${1:-}" ] || : >"$1/started"	# tells smoke.sh that the guest booted
echo "guest: $(uname -r), $(nproc) CPUs"

cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
check "clocksource is tsc, not an emulated HPET (got $cs)" test "$cs" = tsc
check "kernel exposes BTF" test -r /sys/kernel/btf/vmlinux
check "fentry/fexit possible (DYNAMIC_FTRACE_WITH_DIRECT_CALLS=y)" \
	zgrep -q '^CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS=y' /proc/config.gz
check "kprobes enabled" zgrep -q '^CONFIG_KPROBE_EVENTS=y' /proc/config.gz
check "scratch virtio disks are /dev/vda and /dev/vdb" test -b /dev/vda -a -b /dev/vdb
check "fadvise works (fio cache invalidation needs it)" \
	fio --name=fadv --filename=/tmp/wbscope-fadv --size=1m --rw=read --invalidate=1 --output-format=terse
rm -f /tmp/wbscope-fadv
t_summary guest-kernel
kernel_rc=$?

"$WBSCOPE_ROOT/tests/integration/writepages.sh" --dev /dev/vda
wp_rc=$?
WBSCOPE_GUEST_OUT=${1:-} "$WBSCOPE_ROOT/tests/guest/tools.sh" /dev/vda /dev/vdb
tools_rc=$?
"$WBSCOPE_ROOT/tests/guest/fallback.sh" /dev/vdb
fb_rc=$?
WBSCOPE_GUEST_OUT=${1:-} "$WBSCOPE_ROOT/tests/guest/lockorder.sh" /dev/vda /dev/vdb
lo_rc=$?
[ $kernel_rc = 0 ] && [ $wp_rc = 0 ] && [ $tools_rc = 0 ] && [ $fb_rc = 0 ] && [ $lo_rc = 0 ]
