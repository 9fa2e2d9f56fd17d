#!/usr/bin/env bash
# The lockdep-flavour guest test: build the lockdep kernel (PROVE_LOCKING and the
# test-only lock-order injection knob, kernel/config/flavour/lockdep.config), boot it
# with two scratch disks and run tests/guest/lockdep-inside.sh there: one real
# lock-order violation caught end to end by `wbscope lockorder`, and the tool
# cross-checked against lockdep. Not part of `tests/run all` (a second kernel build,
# ~25 min cold): run it with `tests/run lockdep` or `make test-lockdep`.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
echo "guest lockdep test (flavour lockdep)"
"$WBSCOPE_ROOT/scripts/kernel" build lockdep || die "lockdep kernel build failed"
[ -x "$WBSCOPE_BIN" ] || make -s -C "$WBSCOPE_ROOT/bpf" || die "building the BPF tools failed"
out=$(mktemp -d /tmp/wbscope-lockdep.XXXXXX)
"$WBSCOPE_ROOT/scripts/vm" --flavour lockdep --disk 1G --disk 1G --rwdir "$out" \
	--timeout "${WBSCOPE_VM_TIMEOUT:-900}" -- "$WBSCOPE_ROOT/tests/guest/lockdep-inside.sh" /dev/vda /dev/vdb "$out"
rc=$?
[ $rc = 0 ] && rm -rf "$out" || log "the tool's output and the guest's kernel log are kept in $out"
exit $rc
