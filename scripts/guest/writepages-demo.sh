#!/usr/bin/env bash
# Runs inside the wbscope guest (started by scripts/demo): ext4 on the scratch virtio
# disk, `wbscope writepages` attached, a short fio buffered-write workload with fsync,
# then the tool's histograms.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
WBSCOPE_TAG=guest
dev=${1:-/dev/vda}
bin=$WBSCOPE_ROOT/bpf/.output/wbscope
[ -b "$dev" ] || die "no scratch disk $dev in the guest"

log "kernel $(uname -r), clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
mnt=$(mktemp -d /tmp/wbscope-mnt.XXXXXX)
mkfs.ext4 -q -F "$dev"
mount "$dev" "$mnt"
log "ext4 on $dev mounted at $mnt ($(findmnt -no OPTIONS "$mnt"))"

"$bin" writepages -d "${dev#/dev/}" > /tmp/wbscope-writepages.out 2>&1 &
tool=$!
sleep 2
log "fio: sequential 64k buffered writes, fsync every 8 writes (64 MiB)"
fio --name=seq-fsync --directory="$mnt" --rw=write --bs=64k --size=64m --fsync=8 \
	--ioengine=psync --end_fsync=1 | grep -E '^\s+(write|WRITE):' || true
log "fio: random 4k buffered writes, fdatasync every 16 writes (16 MiB)"
fio --name=rand-fdatasync --directory="$mnt" --rw=randwrite --bs=4k --size=16m --fdatasync=16 \
	--ioengine=psync | grep -E '^\s+(write|WRITE):' || true
sync -f "$mnt"
kill -INT "$tool"
wait "$tool"
cat /tmp/wbscope-writepages.out
umount "$mnt"
