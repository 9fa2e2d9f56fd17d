#!/usr/bin/env bash
# Guest smoke test: build the kernel if needed, boot it with scripts/vm (TCG without
# /dev/kvm) with two scratch virtio disks, and run tests/guest/inside.sh there.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
flavour=${FLAVOUR:-default}
echo "guest smoke test (flavour $flavour)"

"$WBSCOPE_ROOT/scripts/kernel" build "$flavour" || die "kernel build failed"

# The kernel pipeline runs once at a time on the shared tree: a second run waits for the
# lock the first holds, and then goes on.
pipeline_waits() {
	local t0 err rc
	err=$(mktemp); t_on_exit "rm -f $err"
	(flock 9 && sleep 4) 9>"$WBSCOPE_CACHE/kernel.lock" &
	sleep 1
	t0=$(date +%s)
	"$WBSCOPE_ROOT/scripts/kernel" fetch 2>"$err"; rc=$?
	wait
	[ $rc = 0 ] && grep -q "waiting for another kernel pipeline run" "$err" &&
		[ $(( $(date +%s) - t0 )) -ge 2 ] || { cat "$err" >&2; return 1; }
}
check "scripts/kernel waits while another pipeline run holds the lock" pipeline_waits
t_summary pipeline || exit 1
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
