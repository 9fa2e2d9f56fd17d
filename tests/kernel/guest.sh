#!/usr/bin/env bash
# Kernel series tests, run inside the wbscope guest (see tests/kernel/run.sh):
#
#   tests/kernel/guest.sh MODE OUTDIR      MODE: iomap | bh
#
# Needs two scratch disks: /dev/vda (test file system) and /dev/vdb (dm targets).
# Every test ends with e2fsck -fn and a dmesg check for warnings, lockdep reports
# and "Data will be lost".
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
mode=${1:?usage: guest.sh iomap|bh OUTDIR}
out=${2:?usage: guest.sh iomap|bh OUTDIR}
case $mode in
iomap) opt=buffered_iomap ;;
bh) opt=nobuffered_iomap ;;
*) die "unknown mode '$mode' (iomap or bh)" 2 ;;
esac
FSX=${WBFSX:-$WBSCOPE_ROOT/tests/kernel/.output/wbfsx}
[ -x "$FSX" ] || die "$FSX not built (make -C tests/kernel)"
DEV=/dev/vda
MNT=$(mktemp -d /tmp/wbk-mnt.XXXXXX)
SEEDS=${WBSCOPE_FSX_SEEDS:-3}
echo "kernel tests: mode $mode (mount option $opt), kernel $(uname -r)"

t_mount_tracefs || die "no tracefs"
dmesg -C

# dmesg_clean NAME: no warnings, oopses, lockdep reports or data loss messages.
dmesg_clean() {
	local bad
	bad=$(dmesg | grep -E 'WARNING:|BUG:|Oops|possible circular locking|possible recursive locking|inconsistent lock state|Data will be lost|potential data loss|INFO: task .* blocked' | head -5)
	if [ -n "$bad" ]; then
		bad "$1: kernel log is clean"
		echo "$bad" | sed 's/^/      /'
		dmesg > "$out/dmesg-$mode-$1.txt"
	else
		ok "$1: kernel log is clean"
	fi
	dmesg -C
}

fsck_clean() { # fsck_clean NAME [DEV]
	local d=${2:-$DEV} log
	log=$(e2fsck -fn "$d" 2>&1)
	if [ $? = 0 ]; then ok "$1: e2fsck -fn clean"; else bad "$1: e2fsck -fn clean"; echo "$log" | tail -8 | sed 's/^/      /'; fi
}

mkfs_mount() { # mkfs_mount [extra mount options]
	mkfs.ext4 -q -F "$DEV" >/dev/null || die "mkfs.ext4 $DEV failed"
	mount -o "$opt${1:+,$1}" "$DEV" "$MNT" || die "mount -o $opt${1:+,$1} $DEV failed"
}

# path_check WHAT N_IOMAP N_BH: the path of this mode ran, the other one did not.
path_check() {
	local what=$1 n_iomap=$2 n_bh=$3
	if [ $mode = iomap ]; then
		check "iomap path: $what: iomap ran ($n_iomap), buffer_head did not ($n_bh)" \
			test "$n_iomap" -gt 0 -a "$n_bh" = 0
	else
		check "bh path: $what: buffer_head ran ($n_bh), iomap did not ($n_iomap)" \
			test "$n_bh" -gt 0 -a "$n_iomap" = 0
	fi
}

# sum_sizes EVENT TRACE: the sum of the "size" fields of EVENT's lines in a trace.
sum_sizes() {
	awk -v ev=" $1:" 'index($0, ev) { for (i = 1; i < NF; i++) if ($i == "size") s += $(i + 1) }
		END { print s + 0 }' "$2"
}

# ---- 1. path proof ---------------------------------------------------------------
test_path() {
	local ev=/sys/kernel/tracing
	mkfs_mount
	check "option shown in /proc/mounts" grep -q "$MNT ext4 .*$([ $mode = iomap ] && echo buffered_iomap || echo rw)" /proc/mounts
	echo 'p:wbk_iomap ext4_iomap_writepages' > $ev/kprobe_events || { bad "kprobe on ext4_iomap_writepages"; umount "$MNT"; return; }
	echo 'p:wbk_bh ext4_writepages' >> $ev/kprobe_events || { bad "kprobe on ext4_writepages"; umount "$MNT"; return; }
	echo 1 > $ev/events/kprobes/enable
	# The series' completion tracepoints tell the paths apart too.
	local have_tp=0
	if [ -d $ev/events/ext4/ext4_iomap_end_bio ] && [ -d $ev/events/ext4/ext4_end_bio ]; then
		have_tp=1
		echo 1 > $ev/events/ext4/ext4_iomap_end_bio/enable
		echo 1 > $ev/events/ext4/ext4_end_bio/enable
	fi
	echo > $ev/trace
	"$WBSCOPE_BIN" writepages -d "${DEV#/dev/}" --json --duration 600 \
		> "$out/path-$mode.json" 2> "$out/path-$mode.err" &
	local tool=$! i
	# Loading takes a while under TCG; a SIGINT before the tool set up its
	# handler would be lost (background jobs of scripts ignore SIGINT).
	for i in $(seq 300); do grep -qs Tracing "$out/path-$mode.err" && break; sleep 0.2; done
	dd if=/dev/urandom of="$MNT/f" bs=64k count=64 conv=fsync status=none
	kill -INT $tool; wait $tool
	echo 0 > $ev/events/kprobes/enable
	[ $have_tp = 0 ] || { echo 0 > $ev/events/ext4/ext4_iomap_end_bio/enable; echo 0 > $ev/events/ext4/ext4_end_bio/enable; }
	local n_iomap n_bh t_iomap t_bh
	n_iomap=$(grep -c 'wbk_iomap:' $ev/trace)
	n_bh=$(grep -c 'wbk_bh:' $ev/trace)
	t_iomap=$(grep -c ' ext4_iomap_end_bio:' $ev/trace)
	t_bh=$(grep -c ' ext4_end_bio:' $ev/trace)
	# Bytes the completion events report (the sum of their size fields), and the file's.
	local s_iomap s_bh want=$((64 * 65536))
	s_iomap=$(sum_sizes ext4_iomap_end_bio $ev/trace)
	s_bh=$(sum_sizes ext4_end_bio $ev/trace)
	echo > $ev/kprobe_events
	echo "    writepages calls: iomap $n_iomap, buffer_head $n_bh; completions: iomap $t_iomap, buffer_head $t_bh"
	path_check "writepages (kprobes on ext4_iomap_writepages / ext4_writepages)" "$n_iomap" "$n_bh"
	path_check "wbscope writepages attribution (JSON groups by path)" \
		"$(jq '[.groups[] | select(.path == "iomap") | .calls] | add // 0' "$out/path-$mode.json")" \
		"$(jq '[.groups[] | select(.path == "buffer_head") | .calls] | add // 0' "$out/path-$mode.json")"
	if [ $have_tp = 0 ]; then
		skip "completion tracepoints (kernel without the series' tracepoint patch)"
	else
		path_check "bio completion (ext4:ext4_iomap_end_bio / ext4:ext4_end_bio)" "$t_iomap" "$t_bh"
		# The sizes are those of the bios as written, not what completion left
		# in their iterators (0 once the driver has advanced them).
		check "completion events' sizes add up to the file ($want bytes): iomap $s_iomap, buffer_head $s_bh" \
			test "$([ $mode = iomap ] && echo "$s_iomap" || echo "$s_bh")" = "$want"
	fi
	umount "$MNT"
	fsck_clean path
	dmesg_clean path
}

# ---- 1b. which bios ext4_bio_timed times ----------------------------------------
# With ext4.bio_time_sample = 2, two files written back in turn, one bio each (a 4 KiB
# write and an fsync, on one CPU): a fixed period would time every bio of one file and
# none of the other. The kernel draws each gap at random (1 to 3 bios here), so both
# files' bios are timed, about half of all bios.
test_sample() {
	local ev=/sys/kernel/tracing param=/sys/module/ext4/parameters/bio_time_sample
	if [ ! -d $ev/events/ext4/ext4_bio_timed ] || [ ! -w $param ]; then
		skip "ext4_bio_timed sampling (kernel without the series' patch 25)"
		return
	fi
	mkfs_mount
	local rounds=150 ia ib na nb n
	: > "$MNT/a"; : > "$MNT/b"; sync
	ia=$(stat -c %i "$MNT/a"); ib=$(stat -c %i "$MNT/b")
	echo > $ev/trace
	echo 2 > $param
	echo 1 > $ev/events/ext4/ext4_bio_timed/enable
	taskset -c 0 bash -c 'for ((i = 1; i <= $1; i++)); do
		xfs_io -c "pwrite -q $((i * 8192)) 4k" -c fsync "$2/a"
		xfs_io -c "pwrite -q $((i * 8192)) 4k" -c fsync "$2/b"
	done' _ $rounds "$MNT" >/dev/null
	echo 0 > $ev/events/ext4/ext4_bio_timed/enable
	echo 1 > $param
	na=$(grep -c " ext4_bio_timed: .* ino $ia " $ev/trace)
	nb=$(grep -c " ext4_bio_timed: .* ino $ib " $ev/trace)
	n=$((na + nb))
	echo "    timed bios of $((2 * rounds)): file a $na, file b $nb"
	# The count of picks has a standard deviation of 5 here (gaps of variance 2/3).
	check "bio_time_sample 2: about half the bios timed ($n of $((2 * rounds)))" \
		test $n -ge $((rounds - 40)) -a $n -le $((rounds + 42))
	check "bio_time_sample 2: both files' bios timed, neither under a quarter ($na, $nb)" \
		test $((4 * na)) -ge $n -a $((4 * nb)) -ge $n
	umount "$MNT"
	fsck_clean sample
	dmesg_clean sample
}

# ---- 2. fio verify ---------------------------------------------------------------
test_fio() {
	mkfs_mount
	local job=$out/verify-$mode.fio
	cat > "$job" <<EOT
[global]
directory=$MNT
ioengine=psync
verify=crc32c
do_verify=1
verify_fatal=1
size=8m
[seq-4k-fsync]
rw=write
bs=4k
fsync=16
[rand-bs512-fdatasync]
rw=randwrite
bs=512
fdatasync=8
size=2m
[seq-1m]
rw=write
bs=1m
size=16m
[rand-mixed-sizes]
rw=randwrite
bsrange=512-256k
size=8m
[overwrite]
rw=randwrite
bs=16k
overwrite=1
fsync=4
[append]
rw=write
bs=3k
file_append=1
size=4m
[mmap]
ioengine=mmap
rw=randwrite
bs=8k
size=8m
EOT
	fio --output="$out/fio-$mode.txt" "$job" >/dev/null 2>&1
	check "fio verify (crc32c): sequential, random, overwrite, append, 512B-1M, fsync/fdatasync, mmap" test $? = 0
	umount "$MNT"
	fsck_clean fio
	dmesg_clean fio
}

# ---- 3. randomized operations, remount, crash --------------------------------------
test_fsx() {
	local s base=$((RANDOM * 1000)) st=/tmp/wbk-fsx.state
	for s in $(seq "$base" $((base + SEEDS - 1))); do
		mkfs_mount
		rm -f "$st"
		"$FSX" run "$MNT/fsx" -s "$s" -n 2000 --state "$st" >/dev/null
		check "wbfsx run seed $s (2000 ops, reads checked against the model)" test $? = 0
		umount "$MNT" && mount -o "$opt" "$DEV" "$MNT"
		"$FSX" verify "$MNT/fsx" --state "$st" >/dev/null
		check "wbfsx seed $s: contents after unmount/remount" test $? = 0
		umount "$MNT"
		fsck_clean "fsx-$s"
		for flush in logflush nologflush; do
			mkfs_mount
			rm -f "$st"	# a failed run must not leave the last seed's state to verify
			"$FSX" crash "$MNT/fsx" -s "$s" -n 600 --state "$st" $([ $flush = nologflush ] && echo --nologflush) >/dev/null
			check "wbfsx seed $s: crash ($flush) ran" test $? = 0
			umount "$MNT"
			mount -o "$opt" "$DEV" "$MNT" || { bad "remount after shutdown"; continue; }
			"$FSX" verify "$MNT/fsx" --state "$st"
			check "wbfsx seed $s: after shutdown ($flush) fsynced data present, no stale data" test $? = 0
			umount "$MNT"
			fsck_clean "crash-$flush-$s"
		done
	done
	dmesg | grep -v 'shut down\|shutdown\|recovery\|journal\|mounted filesystem\|unmounting' > /tmp/wbk-d.txt || true
	dmesg_clean fsx
}

# ---- 3b. size-growing fallocate over an unaligned EOF ----------------------------
# bytes_are FILE OFF LEN BYTE: LEN bytes of FILE from OFF all equal BYTE (0-255).
bytes_are() {
	cmp -s <(dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=64k status=none) \
		<(head -c "$3" /dev/zero | tr '\000' "\\$(printf %03o "$4")")
}

# A zero range or fallocate that grows the file zeroes the old EOF block's tail
# first. When the zeroed range covers that block, the zeroing must not leave the
# block's old contents in the page cache over the zeroed extent (read back as
# data, and written back over the zeroes).
test_zero_eof() {
	local f=$MNT/zeof
	mkfs_mount
	# 10000 bytes on disk: the EOF is inside block 2 (8192..12287).
	xfs_io -f -c "pwrite -S 0x5e 0 10000" -c fsync -c "fzero 4096 8192" "$f" >/dev/null
	check "zero range over the EOF block, growing the file: zeroes read back" bytes_are "$f" 4096 8192 0
	check "zero range over the EOF block: data before it kept" bytes_are "$f" 0 4096 94
	xfs_io -f -c "pwrite -S 0x5e 0 10000" -c fsync -c "fzero 12288 4096" "$f.2" >/dev/null
	check "zero range beyond the EOF block: the EOF block's data kept" bytes_are "$f.2" 0 10000 94
	check "zero range beyond the EOF block: its tail and the range are zero" bytes_are "$f.2" 10000 6384 0
	xfs_io -f -c "pwrite -S 0x5e 0 10000" -c fsync -c "falloc 8192 8192" "$f.3" >/dev/null
	check "fallocate over the EOF block: data kept, tail zero" \
		eval 'bytes_are "$f.3" 0 10000 94 && bytes_are "$f.3" 10000 6384 0'
	umount "$MNT" && mount -o "$opt" "$DEV" "$MNT"
	check "after remount: zero range over the EOF block reads zeroes" bytes_are "$f" 4096 8192 0
	check "after remount: the other files' contents" \
		eval 'bytes_are "$f.2" 0 10000 94 && bytes_are "$f.2" 10000 6384 0 && bytes_are "$f.3" 0 10000 94 && bytes_are "$f.3" 10000 6384 0'
	umount "$MNT"
	fsck_clean zero-eof
	dmesg_clean zero-eof
}

# ---- 4. ENOSPC ---------------------------------------------------------------------
test_enospc() {
	mkfs.ext4 -q -F "$DEV" 96M >/dev/null
	mount -o "$opt" "$DEV" "$MNT" || { bad "mount small fs"; return; }
	local sysfs=/sys/fs/ext4/${DEV#/dev/}
	dd if=/dev/zero of="$MNT/fill" bs=1M count=200 2>"$out/enospc-$mode.txt"
	check "filling the file system fails with ENOSPC" grep -q "No space left on device" "$out/enospc-$mode.txt"
	sync
	xfs_io -f -c "pwrite 0 64k" "$MNT/more" >/dev/null 2>&1
	xfs_io -c fsync "$MNT/fill" 2>/dev/null
	sync
	check "no delalloc reservation left after sync ($(cat $sysfs/delayed_allocation_blocks))" \
		test "$(cat $sysfs/delayed_allocation_blocks)" = 0
	rm -f "$MNT/fill" "$MNT/more"
	sync
	check "no delalloc reservation left after delete" test "$(cat $sysfs/delayed_allocation_blocks)" = 0
	umount "$MNT"
	fsck_clean enospc
	dmesg_clean enospc
}

# ---- 5. I/O errors -----------------------------------------------------------------
test_ioerr() {
	local sectors name=wbk-err
	sectors=$(blockdev --getsz /dev/vdb)
	for abort in no yes; do
		dmsetup create $name --table "0 $sectors linear /dev/vdb 0" || { bad "dmsetup create"; return; }
		mkfs.ext4 -q -F /dev/mapper/$name >/dev/null
		mount -o "$opt$([ $abort = yes ] && echo ,data_err=abort)" /dev/mapper/$name "$MNT"
		xfs_io -f -c "pwrite 0 1m" -c fsync "$MNT/before" >/dev/null
		# Dirty data (and the file's creation) in memory only, then fail every
		# write from now on (dm-flakey: up 0 s, down forever): the data write
		# back fails first, inside fsync.
		# Without data_err=abort, every other 4 KiB block of 1 MiB: 128 bios, whose
		# errors wbscope bio counts one by one below. (With it, the first failed bio
		# aborts the journal, and the fsync may then fail with EROFS instead.)
		local i cmds=(-c "pwrite 0 1m")
		if [ $abort = no ]; then
			cmds=()
			for ((i = 0; i < 128; i++)); do cmds+=(-c "pwrite -q $((i * 8192)) 4k"); done
		fi
		xfs_io -f "${cmds[@]}" "$MNT/after" >/dev/null
		dmsetup suspend --nolockfs $name	# no freeze: keep the data dirty
		dmsetup load $name --table "0 $sectors flakey /dev/vdb 0 0 100000 1 error_writes"
		dmsetup resume $name
		local err tool=""
		# wbscope bio sampling 1 in 1024: ext4_bio_timed also reports every failed
		# bio, so that every error counts whichever bios the kernel picked to time.
		if [ $abort = no ] && [ -d /sys/kernel/tracing/events/ext4/ext4_bio_timed ]; then
			"$WBSCOPE_BIN" bio --sample 1024 -d "$(t_majmin /dev/mapper/$name)" --json \
				>"$out/ioerr-bio-$mode.json" 2>"$out/ioerr-bio-$mode.err" &
			tool=$!
			for _ in $(seq 300); do grep -qs Tracing "$out/ioerr-bio-$mode.err" && break; sleep 0.2; done
		fi
		err=$(xfs_io -c fsync "$MNT/after" 2>&1)
		if grep -qi "input/output error" <<<"$err"; then ok "write error reaches fsync (data_err=abort: $abort)"; else bad "write error reaches fsync (data_err=abort: $abort): $err"; fi
		if [ -n "$tool" ]; then
			kill -INT $tool; wait $tool
			# The kernel times about one of the 128 bios: the other errors come from
			# the untimed bios' reports.
			check "wbscope bio --sample 1024: every failed write-back bio counted as an error, timed or not ($(jq -c '[.groups[] | {bios, errors, timed: .hists.latency.count}]' "$out/ioerr-bio-$mode.json"))" jq -e \
				'([.groups[].bios] | add) as $b | .sizes_sampled and $b >= 64 and
				 ([.groups[].errors] | add) == $b and ([.groups[].hists.latency.count] | add) < $b / 2' \
				"$out/ioerr-bio-$mode.json"
		fi
		if [ $abort = yes ]; then
			sleep 1
			check "data_err=abort: journal aborted" dmesg_has 'Aborting journal|Detected aborted journal|ext4_journal_check_start'
		fi
		umount "$MNT" 2>/dev/null || umount -l "$MNT"
		dmsetup remove $name
		fsck_clean "ioerr-abort-$abort" /dev/vdb
		dmesg -C
	done
}
dmesg_has() { dmesg | grep -qE "$1"; }

test_path
test_sample
test_fio
test_fsx
test_zero_eof
test_enospc
test_ioerr
t_summary "kernel-$mode"
