#!/usr/bin/env bash
# Guest smoke test: build the kernel if needed, boot it with scripts/vm (TCG without
# /dev/kvm) with two scratch virtio disks, and run tests/guest/inside.sh there.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
flavour=${FLAVOUR:-default}
echo "guest smoke test (flavour $flavour)"

"$WBSCOPE_ROOT/scripts/kernel" build "$flavour" || die "kernel build failed"
[ -x "$WBSCOPE_BIN" ] || make -s -C "$WBSCOPE_ROOT/bpf" || die "building the BPF tools failed"
out=$(mktemp -d /tmp/wbscope-guest.XXXXXX)
# inside.sh leaves "$out/started" first thing. A guest that timed out without it never
# got to run the tests (a boot hang, seen once under TCG): boot once more.
for attempt in 1 2; do
	"$WBSCOPE_ROOT/scripts/vm" --flavour "$flavour" --disk 2G --disk 2G --rwdir "$out" \
		--timeout "${WBSCOPE_VM_TIMEOUT:-600}" -- "$WBSCOPE_ROOT/tests/guest/inside.sh" "$out"
	rc=$?
	[ $rc = 124 ] && [ ! -e "$out/started" ] && [ $attempt = 1 ] || break
	warn "the guest timed out before the tests started (boot hang?): booting it again"
done
[ $rc = 0 ] && rm -rf "$out" || log "the tools' JSON and the trace-cmd record are kept in $out"
exit $rc
