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
"$WBSCOPE_ROOT/scripts/vm" --flavour "$flavour" --disk 2G --disk 2G --rwdir "$out" \
	--timeout "${WBSCOPE_VM_TIMEOUT:-1200}" -- "$WBSCOPE_ROOT/tests/guest/inside.sh" "$out"
rc=$?
[ $rc = 0 ] && rm -rf "$out" || log "the tools' JSON and the trace-cmd record are kept in $out"
exit $rc
