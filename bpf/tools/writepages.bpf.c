// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope writepages: latency of ext4 writepages calls and pages written per call,
 * per device and path. Hooks, best first:
 * - the wbscope kernel's ext4_writepages_done: one event per call, after its result,
 *   carrying its duration, nr_to_write at entry and path: one program per call, no
 *   per-thread state; since kernel patch 23 also the extents the call mapped and the
 *   delayed extents it allocated, with their blocks; since patch 26 the bios the call
 *   submitted and their bytes;
 * - the upstream ext4_writepages / ext4_writepages_result tracepoints (both paths), as
 *   tp_btf programs reading their typed arguments directly, else as raw tracepoints;
 * - fentry/fexit on ext4_writepages; a kprobe/kretprobe pair on it. Without the result
 *   tracepoint, pages written are wbc->nr_to_write at entry minus at return (what ext4
 *   decrements as it writes).
 * With a pair, a call's start is kept in the thread's task local storage: no map insert
 * and delete per call.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bits.bpf.h"
#include "filter.bpf.h"
#include "groups.bpf.h"
#include "writepages.h"

WB_TASK_STORAGE(threads, struct wp_call);

WB_GROUP_STATS(stats, struct wp_val);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WP_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* btf: inode and wbc are typed arguments (tp_btf, fentry), read directly (WB_RD). */
static __always_inline void wp_enter(struct inode *inode, struct writeback_control *wbc, const bool btf)
{
	struct wp_call *s;
	__u32 dev;

	if (!wb_inode_wanted_t(inode, &dev, btf))
		return;
	wb_count(&counters, WP_CNT_ENTER);
	s = wb_task_state(&threads, true);
	if (!s) {
		wb_count(&counters, WP_CNT_DROP_TASKS);
		return;
	}
	s->nr_to_write = WB_RD(btf, wbc, nr_to_write);
	s->inode = (__u64)inode;
	s->wbc = (__u64)wbc;
	s->group = wb_group_index(dev, wb_ext4_path_t(inode, btf));
	s->ts = bpf_ktime_get_ns();
}

/* A completed call's result, sync mode and pages written. */
static __always_inline void wp_count_call(struct wp_val *val, struct writeback_control *wbc, int ret,
					  long pages_written, const bool btf)
{
	val->calls++;
	if (ret < 0)
		val->errors++;
	if (WB_RD(btf, wbc, sync_mode) == WB_SYNC_ALL)
		val->sync_all++;
	if (pages_written > 0) {
		val->pages_total += pages_written;
		wb_hist_add(&val->pages, pages_written);
	} else {
		wb_hist_add(&val->pages, 0);
	}
}

/* A timed call's latency and its nr_to_write at entry. */
static __always_inline void wp_time_call(struct wp_val *val, __u64 delta, __s64 nr_to_write)
{
	val->lat_ns_sum += delta;
	wb_hist_add(&val->lat, wb_time_unit(delta));
	/* LONG_MAX means "everything" (sync writeback): clamp into the top slot. */
	wb_hist_add(&val->nr_to_write, nr_to_write <= 0 ? 0 :
		    nr_to_write > 0xffffffffLL ? 0xffffffffULL : nr_to_write);
}

/*
 * pages_written < 0: compute it from wbc->nr_to_write. inode NULL (kretprobe): the
 * call's, from its start. A result without a start (the tool started mid-call, or the
 * kernel skipped the entry program) is counted, without a latency.
 */
static __always_inline void wp_exit(struct inode *inode, struct writeback_control *wbc, int ret,
				    int pages_written, const bool btf)
{
	__u64 now = bpf_ktime_get_ns(), delta;
	struct wp_call *s = wb_task_state(&threads, false);
	struct wp_val *val;
	__s64 start_nr = 0;
	bool paired;
	__u32 dev;
	int group;

	if (s && !s->ts)
		s = NULL;
	if (!btf && !inode) {	/* tracepoint arguments are never NULL */
		if (!s)
			return;
		inode = (struct inode *)s->inode;
		wbc = (struct writeback_control *)s->wbc;
	}
	/* A start left by another inode's call whose result went unseen is not ours. */
	paired = s && s->inode == (__u64)inode;
	if (paired) {
		group = s->group;
		start_nr = s->nr_to_write;
		delta = now - s->ts;
	} else {
		if (!wb_inode_wanted_t(inode, &dev, btf))
			goto out;
		group = wb_group_index(dev, wb_ext4_path_t(inode, btf));
	}
	wb_count(&counters, WP_CNT_EXIT);
	if (pages_written < 0) {
		__s64 left = BPF_CORE_READ(wbc, nr_to_write);

		pages_written = paired && start_nr > left ? start_nr - left : 0;
	}
	val = wb_group_at(&stats, group);
	if (!val) {
		wb_count(&counters, WP_CNT_DROP_STATS);
		goto out;
	}
	wp_count_call(val, wbc, ret, pages_written, btf);
	if (!paired) {
		wb_count(&counters, WP_CNT_UNPAIRED);
		goto out;
	}
	wp_time_call(val, delta, start_nr);
out:
	if (s)
		s->ts = 0;
}

#define CALL(btf) ({ wp_enter(inode, wbc, btf); 0; })
WB_TWIN(ext4_writepages, wp_enter_tp, CALL, struct inode *inode, struct writeback_control *wbc)
#undef CALL

#define CALL(btf) ({ wp_exit(inode, wbc, ret, pages_written, btf); 0; })
WB_TWIN(ext4_writepages_result, wp_exit_tp, CALL, struct inode *inode, struct writeback_control *wbc,
	int ret, int pages_written)
#undef CALL

/*
 * wbscope kernel: one event per call, after its result, with nr_to_write at entry, the
 * pages written and the duration (-1: the event was enabled during the call). No
 * per-thread state: one program per call instead of two. Since kernel patch 23 it also
 * counts the extents the call mapped and the delayed extents it allocated, with their
 * blocks, and since patch 26 the bios the call submitted, with their bytes (0 from the
 * older events' programs, which do not read them).
 */
static __always_inline void wp_done(struct inode *inode, struct writeback_control *wbc, bool iomap,
				    long nr_to_write, long pages_written, int ret,
				    long long duration_ns, unsigned int extents,
				    unsigned int allocs, __u64 alloc_blocks, unsigned int bios,
				    __u64 bio_bytes, const bool btf)
{
	struct wp_val *val;
	__u32 dev;

	if (!wb_inode_wanted_t(inode, &dev, btf))
		return;
	/* Calls and starts are not counted here: writepages.c adds them up from the
	 * groups' calls, the drops and the unpaired (two counters fewer per call). */
	val = wb_group(&stats, dev, iomap ? WB_PATH_IOMAP : WB_PATH_BH);
	if (!val) {
		wb_count(&counters, WP_CNT_DROP_STATS);
		if (duration_ns < 0)
			wb_count(&counters, WP_CNT_UNPAIRED);
		return;
	}
	wp_count_call(val, wbc, ret, pages_written, btf);
	val->extents += extents;
	val->allocs += allocs;
	val->alloc_blocks += alloc_blocks;
	val->bios += bios;
	val->bio_bytes += bio_bytes;
	if (duration_ns < 0) {
		wb_count(&counters, WP_CNT_UNPAIRED);
		return;
	}
	wp_time_call(val, duration_ns, nr_to_write);
}

#define CALL(btf) ({ wp_done(inode, wbc, iomap, nr_to_write, pages_written, ret, duration_ns, \
			     0, 0, 0, 0, 0, btf); 0; })
WB_TWIN(ext4_writepages_done, wp_done_tp, CALL, struct inode *inode, struct writeback_control *wbc,
	bool iomap, long nr_to_write, long pages_written, int ret, long long duration_ns)
#undef CALL

#define CALL(btf) ({ wp_done(inode, wbc, iomap, nr_to_write, pages_written, ret, duration_ns, \
			     extents, allocs, alloc_blocks, 0, 0, btf); 0; })
WB_TWIN(ext4_writepages_done, wp_done_maps_tp, CALL, struct inode *inode, struct writeback_control *wbc,
	bool iomap, long nr_to_write, long pages_written, int ret, long long duration_ns,
	unsigned int extents, unsigned int allocs, __u64 alloc_blocks)
#undef CALL

#define CALL(btf) ({ wp_done(inode, wbc, iomap, nr_to_write, pages_written, ret, duration_ns, \
			     extents, allocs, alloc_blocks, bios, bio_bytes, btf); 0; })
WB_TWIN(ext4_writepages_done, wp_done_bios_tp, CALL, struct inode *inode, struct writeback_control *wbc,
	bool iomap, long nr_to_write, long pages_written, int ret, long long duration_ns,
	unsigned int extents, unsigned int allocs, __u64 alloc_blocks, unsigned int bios,
	__u64 bio_bytes)
#undef CALL

SEC("fentry/ext4_writepages")
int BPF_PROG(wp_enter_fentry, struct address_space *mapping, struct writeback_control *wbc)
{
	wp_enter(BPF_CORE_READ(mapping, host), wbc, false);
	return 0;
}

SEC("fexit/ext4_writepages")
int BPF_PROG(wp_exit_fexit, struct address_space *mapping, struct writeback_control *wbc, int ret)
{
	wp_exit(BPF_CORE_READ(mapping, host), wbc, ret, -1, false);
	return 0;
}

SEC("kprobe/ext4_writepages")
int BPF_KPROBE(wp_enter_kprobe, struct address_space *mapping, struct writeback_control *wbc)
{
	wp_enter(BPF_CORE_READ(mapping, host), wbc, false);
	return 0;
}

SEC("kretprobe/ext4_writepages")
int BPF_KRETPROBE(wp_exit_kretprobe, int ret)
{
	wp_exit(NULL, NULL, ret, -1, false);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
