#!/usr/bin/env bash
# Kernel series tests (`make kernel-test`): boot the wbscope kernel with two scratch
# disks and run tests/kernel/guest.sh with and without buffered_iomap.
#
#   tests/kernel/run.sh [iomap|bh]...     (default: both; FLAVOUR=lockdep for lockdep)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
flavour=${FLAVOUR:-default}
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(iomap bh)
for m in "${modes[@]}"; do
	case $m in iomap|bh) ;; *) die "unknown mode '$m' (iomap or bh)" 2 ;; esac
done
"$WBSCOPE_ROOT/scripts/kernel" build "$flavour" || die "kernel build failed"
make -s -C "$WBSCOPE_ROOT/tests/kernel" || die "building wbfsx failed"
make -s -C "$WBSCOPE_ROOT/bpf" || die "building the BPF tools failed"
out=$(mktemp -d /tmp/wbscope-ktest.XXXXXX)
rc=0
for m in "${modes[@]}"; do
	"$WBSCOPE_ROOT/scripts/vm" --flavour "$flavour" --disk 2G --disk 1G --rwdir "$out" \
		--timeout "${WBSCOPE_VM_TIMEOUT:-3000}" -- "$WBSCOPE_ROOT/tests/kernel/guest.sh" "$m" "$out" || rc=1
done
ls "$out"/dmesg-* >/dev/null 2>&1 && log "kernel logs of failed checks kept in $out"
exit $rc
