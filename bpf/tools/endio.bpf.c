// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope endio: the end-I/O work of both write-back paths, per device and path.
 *
 * - Work items: the wbscope kernel's ext4_end_io_work, one program per run of ext4's
 *   end-I/O work (buffer_head: ext4_end_io_rsv_work, iomap: ext4_iomap_end_io), with its
 *   queueing delay, run time and the io_ends / ioends it took over (from kernel patch 22
 *   also those it completed, after merging, and the extents it converted). Else (stock kernels,
 *   XFS, --workqueue) workqueue_queue_work / _execute_start / _execute_end, which fire for
 *   every work item of the system, for those functions and xfs_end_io (iomap).
 * - iomap ioends (wbscope kernel): one program per ioend the worker handles, on
 *   ext4_iomap_ioend_done, whose summary says how many ioends were merged into it, how
 *   long it took, the unwritten extents converted and the i_disksize updates.
 * - buffer_head io_ends: ext4_end_io_end_done (wbscope kernel) with its time and the
 *   io_end's unwritten ranges; else the conversion alone via fentry/fexit or kprobes on
 *   ext4_convert_unwritten_io_end_vec.
 * Extra metrics (--metrics), each a program on every bio or converted extent:
 * - Bio completion, inline or deferred: the wbscope kernel's ext4_iomap_end_bio and
 *   ext4_end_bio tracepoints; for buffer_head also fentry/kprobe on ext4_end_bio. On
 *   the iomap path also the delay from each bio's end to the worker picking its ioend
 *   up (merged ioends are contiguous, so they are followed by offset).
 * - Converted extent sizes, both paths: ext4_ext_handle_unwritten_extents with
 *   EXT4_GET_BLOCKS_CONVERT, counted only when the current thread is a workqueue worker
 *   running ext4's end-I/O work (not direct I/O completion).
 * Every tracepoint program exists twice (WB_TWIN): tp_btf, reading its typed arguments
 * directly, and raw_tp, for kernels that refuse tracing programs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bits.bpf.h"
#include "filter.bpf.h"
#include "slots.bpf.h"
#include "groups.bpf.h"
#include "endio.h"

#define IOMAP_IOEND_UNWRITTEN	(1U << 1)
#define EXT4_IO_END_UNWRITTEN	0x0001
#define EXT4_GET_BLOCKS_CONVERT	0x0010

WB_GROUP_STATS(stats, struct eio_val);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EIO_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* End-I/O work items queued and not yet started, by work pointer. */
WB_SLOT_TABLE(works, struct eio_queued, EIO_MAX_WORKS);

/* iomap ioends whose bio ended and that the worker has not picked up yet. */
WB_SLOT_TABLE(pending, struct eio_pending, EIO_MAX_PENDING);

/* The work item and the handler each thread is in. */
WB_TASK_STORAGE(threads, struct eio_thread);

extern const void ext4_end_io_rsv_work __ksym __weak;
extern const void ext4_iomap_end_io __ksym __weak;
extern const void xfs_end_io __ksym __weak;

/*
 * Set by the first deferred iomap bio end the tool sees (end_bio.iomap is on): only
 * then does the ioend handler look for its bios' pending entries.
 */
volatile bool pending_on;

#define PF_WQ_WORKER	0x00000020

/* A kernel thread's data (kthread_data()): a workqueue worker's struct worker. */
struct kthread___wb {
	void *data;
} __attribute__((preserve_access_index));

struct worker___wb {
	void *current_func;
} __attribute__((preserve_access_index));

/* Fields that exist only on some kernels. */
struct ext4_iomap_end_stats___wb {
	__u64 duration_ns;
	long long disksize_advance;
	unsigned int merged;
	unsigned int extents;
	unsigned int disksize_updates;
} __attribute__((preserve_access_index));

struct ext4_inode_info___wb {
	struct work_struct i_iomap_ioend_work;
	struct work_struct i_rsv_conversion_work;
	struct inode vfs_inode;
} __attribute__((preserve_access_index));

struct xfs_inode___wb {
	struct work_struct i_ioend_work;
	struct inode i_vnode;
} __attribute__((preserve_access_index));

/* The statistics at group index idx (wb_group_index), a drop counted for none. */
static __always_inline struct eio_val *group_at(int idx)
{
	struct eio_val *v = wb_group_at(&stats, idx);

	if (!v)
		wb_count(&counters, EIO_CNT_DROP_STATS);
	return v;
}

static __always_inline struct eio_val *group(__u32 dev, __u32 path)
{
	return group_at(wb_group_index(dev, path));
}

/* A slot of an in-flight table for key (0: none), stale take-overs counted. */
static __always_inline struct wb_slot *slot_take(void *table, __u32 nslots, __u64 key, bool *stale)
{
	struct wb_slot *s;

	if (!key)
		return NULL;
	s = wb_slot_take(table, nslots, key, bpf_ktime_get_ns(), EIO_STALE_NS, stale);
	if (s && *stale)
		wb_count(&counters, EIO_CNT_STALE);
	return s;
}

/* The pending table's key of (inode, offset): a 64-bit mix, checked against both. */
static __always_inline __u64 pending_key(__u64 ino, long long offset)
{
	__u64 k = ino ^ ((__u64)offset * 0x9E3779B97F4A7C15ULL);

	k ^= k >> 31;
	k *= 0xBF58476D1CE4E5B9ULL;
	k ^= k >> 29;
	return k ? k : 1;
}

enum eio_fn { EIO_FN_NONE, EIO_FN_EXT4_BH, EIO_FN_EXT4_IOMAP, EIO_FN_XFS };

/* Which end-I/O work function fn is, if any. */
static __always_inline enum eio_fn end_io_fn(void *fn)
{
	if (!fn)
		return EIO_FN_NONE;
	if (bpf_ksym_exists(&ext4_end_io_rsv_work) && fn == &ext4_end_io_rsv_work)
		return EIO_FN_EXT4_BH;
	if (bpf_ksym_exists(&ext4_iomap_end_io) && fn == &ext4_iomap_end_io &&
	    bpf_core_field_exists(struct ext4_inode_info___wb, i_iomap_ioend_work))
		return EIO_FN_EXT4_IOMAP;
	if (bpf_ksym_exists(&xfs_end_io) && fn == &xfs_end_io &&
	    bpf_core_type_exists(struct xfs_inode___wb))
		return EIO_FN_XFS;
	return EIO_FN_NONE;
}

/* The work function the current thread runs, if it is a workqueue worker (else NULL). */
static __always_inline void *current_work_fn(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct kthread___wb *k;
	struct worker___wb *w;

	if (!bpf_core_field_exists(t->worker_private) || !(BPF_CORE_READ(t, flags) & PF_WQ_WORKER))
		return NULL;
	k = BPF_CORE_READ(t, worker_private);
	w = k ? BPF_CORE_READ(k, data) : NULL;
	return w ? BPF_CORE_READ(w, current_func) : NULL;
}

/* The inode an end-I/O work item belongs to, and its path; NULL if not ours. */
static __always_inline struct inode *work_inode(struct work_struct *work, void *fn, __u32 *path)
{
	switch (end_io_fn(fn)) {
	case EIO_FN_EXT4_BH:
		*path = WB_PATH_BH;
		return (void *)((char *)work -
				bpf_core_field_offset(struct ext4_inode_info___wb, i_rsv_conversion_work) +
				bpf_core_field_offset(struct ext4_inode_info___wb, vfs_inode));
	case EIO_FN_EXT4_IOMAP:
		*path = WB_PATH_IOMAP;
		return (void *)((char *)work -
				bpf_core_field_offset(struct ext4_inode_info___wb, i_iomap_ioend_work) +
				bpf_core_field_offset(struct ext4_inode_info___wb, vfs_inode));
	case EIO_FN_XFS:
		*path = WB_PATH_IOMAP;
		return (void *)((char *)work - bpf_core_field_offset(struct xfs_inode___wb, i_ioend_work) +
				bpf_core_field_offset(struct xfs_inode___wb, i_vnode));
	default:
		return NULL;
	}
}

/* ---- work items: the wbscope kernel's event, one per run of ext4's end-I/O work ---- */

static __always_inline int end_io_work_ev(__u32 dev, __u64 ino, bool iomap, __u32 items,
					  long long delay, __u64 run, __u32 handled, __u32 extents)
{
	struct eio_val *v;

	if (!wb_dev_ino_wanted(dev, ino))
		return 0;
	v = group(dev, iomap ? WB_PATH_IOMAP : WB_PATH_BH);
	if (!v)
		return 0;
	v->works++;
	v->work_handled += handled;
	v->work_extents += extents;
	v->work_run_ns_sum += run;
	wb_hist_add(&v->work_run, wb_time_unit(run));
	wb_hist_add(&v->work_items, items);
	if (delay < 0) {
		/* queued before the event was enabled */
		wb_count(&counters, EIO_CNT_WORK_UNPAIRED);
		return 0;
	}
	/* The queued ones are not counted here: endio.c has them as the groups' works but
	 * the unpaired (one counter fewer per run). */
	v->work_delay_ns_sum += delay;
	wb_hist_add(&v->work_delay, wb_time_unit(delay));
	return 0;
}
/* Before kernel patch 22: no handled and extents arguments. */
#define CALL(btf) end_io_work_ev(dev, ino, iomap, items, delay_ns, run_ns, 0, 0)
WB_TWIN(ext4_end_io_work, end_io_work, CALL, __u32 dev, __u64 ino, bool iomap, unsigned int items,
	long long delay_ns, __u64 run_ns)
#undef CALL
#define CALL(btf) end_io_work_ev(dev, ino, iomap, items, delay_ns, run_ns, handled, extents)
WB_TWIN(ext4_end_io_work, end_io_work_sums, CALL, __u32 dev, __u64 ino, bool iomap,
	unsigned int items, long long delay_ns, __u64 run_ns, unsigned int handled,
	unsigned int extents)
#undef CALL

/* ---- work items: upstream workqueue tracepoints (every work item of the system) ---- */

static __always_inline int work_queue_ev(struct work_struct *work, const bool btf)
{
	struct eio_queued *q;
	struct inode *inode;
	__u32 path, dev;
	bool stale;

	inode = work_inode(work, WB_RD(btf, work, func), &path);
	if (!inode || !wb_inode_wanted_p(inode, &dev, btf))
		return 0;
	wb_count(&counters, EIO_CNT_WORK_QUEUED);
	q = (struct eio_queued *)slot_take(&works, EIO_MAX_WORKS, wb_ptr_key_t(work, btf), &stale);
	if (!q) {
		wb_count(&counters, EIO_CNT_DROP_WORKS);
		return 0;
	}
	q->group = wb_group_index(dev, path);
	return 0;
}
#define CALL(btf) work_queue_ev(work, btf)
WB_TWIN(workqueue_queue_work, work_queue, CALL, int req_cpu, struct pool_workqueue *pwq,
	struct work_struct *work)
#undef CALL

/* Every work item of the system passes here: only ours go further than the function. */
static __always_inline int work_start_ev(struct work_struct *work, const bool btf)
{
	struct inode *inode;
	struct eio_queued *q;
	struct eio_thread *th;
	struct eio_work r = {};
	struct eio_val *v;
	__u64 key, now;
	__u32 path = 0, dev;

	inode = work_inode(work, WB_RD(btf, work, func), &path);
	if (!inode)
		return 0;
	key = wb_ptr_key_t(work, btf);
	now = bpf_ktime_get_ns();
	q = key ? (struct eio_queued *)wb_slot_find(&works, EIO_MAX_WORKS, key) : NULL;
	if (!q) {
		/* Ours, but queued before the tool started? */
		if (wb_inode_wanted_p(inode, &dev, btf))
			wb_count(&counters, EIO_CNT_WORK_UNPAIRED);
		return 0;
	}
	r.ts = q->slot.ts;
	r.group = q->group;
	wb_slot_free(&q->slot, key);
	v = group_at(r.group);
	if (v) {
		v->work_delay_ns_sum += now - r.ts;
		wb_hist_add(&v->work_delay, wb_time_unit(now - r.ts));
	}
	/* A work item may be queued again while it runs: the run is tracked per thread. */
	th = wb_task_state(&threads, true);
	if (!th) {
		wb_count(&counters, EIO_CNT_DROP_TASKS);
		return 0;
	}
	th->run = r;
	th->run.ts = now;
	return 0;
}
#define CALL(btf) work_start_ev(work, btf)
WB_TWIN(workqueue_execute_start, work_start, CALL, struct work_struct *work)
#undef CALL

static __always_inline int work_end_ev(void *fn)
{
	struct eio_thread *th;
	struct eio_val *v;
	__u64 delta;

	if (end_io_fn(fn) == EIO_FN_NONE)
		return 0;	/* not an end-I/O work function */
	th = wb_task_state(&threads, false);
	if (!th || !th->run.ts)
		return 0;
	delta = bpf_ktime_get_ns() - th->run.ts;
	th->run.ts = 0;
	v = group_at(th->run.group);
	if (v) {
		v->works++;
		v->work_run_ns_sum += delta;
		wb_hist_add(&v->work_run, wb_time_unit(delta));
	}
	return 0;
}
/* raw_tp only: a tp_btf program may not read the function pointer argument. */
SEC("raw_tp/workqueue_execute_end")
int BPF_PROG(work_end, struct work_struct *work, void *function)
{
	return work_end_ev(function);
}

/* ---- bio completion ---- */

/* Counts a completion of a wanted inode; false (nothing counted) otherwise. */
static __always_inline bool end_bio(struct inode *inode, __u32 path, int error, bool defer,
				    __u32 *dev, const bool btf)
{
	struct eio_val *v;

	if (!wb_inode_wanted_t(inode, dev, btf))
		return false;
	v = group(*dev, path);
	if (!v)
		return true;
	if (defer)
		v->end_bio_deferred++;
	else
		v->end_bio_inline++;
	if (error)
		v->end_bio_errors++;
	return true;
}

static __always_inline int iomap_end_bio_ev(struct inode *inode, long long offset, unsigned long size,
					 int error, bool defer, const bool btf)
{
	struct eio_pending *p;
	bool stale;
	__u64 ino;
	__u32 dev;

	if (!end_bio(inode, WB_PATH_IOMAP, error, defer, &dev, btf) || !defer)
		return 0;
	if (!pending_on)
		pending_on = true;
	ino = wb_ptr_key_t(inode, btf);
	p = (struct eio_pending *)slot_take(&pending, EIO_MAX_PENDING, pending_key(ino, offset), &stale);
	if (!p) {
		wb_count(&counters, EIO_CNT_DROP_PENDING);
		return 0;
	}
	p->inode = ino;
	p->offset = offset;
	p->size = size;
	return 0;
}
#define CALL(btf) iomap_end_bio_ev(inode, offset, size, error, defer, btf)
WB_TWIN(ext4_iomap_end_bio, iomap_end_bio, CALL, struct inode *inode, long long offset,
	unsigned long size, unsigned int io_flags, int error, bool defer)
#undef CALL

#define CALL(btf) ({ __u32 dev; end_bio(inode, WB_PATH_BH, error, defer, &dev, btf); 0; })
WB_TWIN(ext4_end_bio, bh_end_bio_tp, CALL, struct inode *inode, long long offset, unsigned int size,
	unsigned int flag, int error, bool defer)
#undef CALL

/* Without the tracepoint: deferred when the io_end has unwritten extents to convert. */
static __always_inline void bh_end_bio(struct bio *bio)
{
	struct ext4_io_end *io_end = BPF_CORE_READ(bio, bi_private);
	unsigned int flag = BPF_CORE_READ(io_end, flag);
	__u32 dev;

	end_bio(BPF_CORE_READ(io_end, inode), WB_PATH_BH, BPF_CORE_READ(bio, bi_status),
		flag & EXT4_IO_END_UNWRITTEN, &dev, false);
}

SEC("fentry/ext4_end_bio")
int BPF_PROG(bh_end_bio_fentry, struct bio *bio)
{
	bh_end_bio(bio);
	return 0;
}

SEC("kprobe/ext4_end_bio")
int BPF_KPROBE(bh_end_bio_kprobe, struct bio *bio)
{
	bh_end_bio(bio);
	return 0;
}

/* ---- ioend / io_end handling ---- */

/*
 * The delays from bio end to the worker picking up each of the ioends merged into the
 * one handled at picked (end_bio.iomap): they follow each other in file offset order.
 */
static __always_inline void iomap_ioend_delays(struct eio_val *v, __u64 ino, long long offset,
					       unsigned long size, __u64 picked)
{
	long long at = offset;
	__u32 merged = 0;

	for (int i = 0; i < EIO_MAX_MERGE; i++) {
		__u64 key = pending_key(ino, at), psize, ts;
		struct eio_pending *p = (struct eio_pending *)wb_slot_find(&pending, EIO_MAX_PENDING, key);

		if (!p || p->inode != ino || p->offset != at)
			break;
		psize = p->size;
		ts = p->slot.ts;
		wb_slot_free(&p->slot, key);
		wb_hist_add(&v->ioend_delay, wb_time_unit(picked > ts ? picked - ts : 0));
		merged++;
		at += psize;
		if (at >= offset + (long long)size || !psize)
			break;
	}
	if (!merged)
		wb_count(&counters, EIO_CNT_IOEND_UNPAIRED);
	else if (at < offset + (long long)size)
		wb_count(&counters, EIO_CNT_MERGE_TRUNC);
}

/* The statistics of a wanted inode's path; NULL if filtered out or without a slot. */
static __always_inline struct eio_val *wanted_group(struct inode *inode, __u32 path, const bool btf)
{
	__u32 dev;

	return wb_inode_wanted_t(inode, &dev, btf) ? group(dev, path) : NULL;
}

/*
 * One ioend / io_end that the worker handled in dur ns, converting extents unwritten
 * extents if unwritten: the statistics both paths keep, in v.
 */
static __always_inline void handled(struct eio_val *v, int ret, __u64 dur, bool unwritten, __u32 extents)
{
	__u64 t = wb_time_unit(dur);

	v->ioends++;
	v->ioends_failed += ret < 0;
	v->ioend_run_ns_sum += dur;
	wb_hist_add(&v->ioend_run, t);
	if (unwritten) {
		wb_hist_add(&v->conv_run, t);
		wb_hist_add(&v->conv_extents, extents);
		v->extents += extents;
	}
}

/* One (merged) ioend handled by the worker, with the kernel's summary of the work. */
static __always_inline int iomap_ioend_done_ev(struct inode *inode, long long offset, unsigned long size,
					       unsigned int io_flags, int ret,
					       struct ext4_iomap_end_stats___wb *st, const bool btf)
{
	struct eio_val *v = wanted_group(inode, WB_PATH_IOMAP, btf);
	__u32 merged, updates;
	__u64 dur;

	if (!v)
		return 0;
	dur = WB_RD(btf, st, duration_ns);
	merged = WB_RD(btf, st, merged);
	updates = WB_RD(btf, st, disksize_updates);
	handled(v, ret, dur, io_flags & IOMAP_IOEND_UNWRITTEN, WB_RD(btf, st, extents));
	if (merged)	/* 0: the event was enabled while this ioend was handled */
		wb_hist_add(&v->merged, merged);
	if (updates) {
		long long adv = WB_RD(btf, st, disksize_advance);

		v->disksize_updates += updates;
		wb_hist_add(&v->disksize_adv, adv > 0 ? adv >> 10 : 0);
	}
	if (pending_on) {
		__u64 now = bpf_ktime_get_ns();

		iomap_ioend_delays(v, wb_ptr_key_t(inode, btf), offset, size, now > dur ? now - dur : 0);
	}
	return 0;
}
#define CALL(btf) iomap_ioend_done_ev(inode, offset, size, io_flags, ret, stats, btf)
WB_TWIN(ext4_iomap_ioend_done, iomap_ioend_done, CALL, struct inode *inode, long long offset,
	unsigned long size, unsigned int io_flags, int ret, struct ext4_iomap_end_stats___wb *stats)
#undef CALL

/* One io_end completed by the rsv_conversion worker in duration_ns; its vectors are the
 * unwritten ranges it converted. */
static __always_inline int bh_io_end_done_ev(struct inode *inode, unsigned int nr_vecs, unsigned int flag,
					     int ret, __u64 dur, const bool btf)
{
	struct eio_val *v = wanted_group(inode, WB_PATH_BH, btf);

	if (v)
		handled(v, ret, dur, flag & EXT4_IO_END_UNWRITTEN, nr_vecs);
	return 0;
}
#define CALL(btf) bh_io_end_done_ev(inode, nr_vecs, flag, ret, duration_ns, btf)
WB_TWIN(ext4_end_io_end_done, bh_io_end_done, CALL, struct inode *inode, long long offset,
	long long size, unsigned int nr_vecs, unsigned int flag, int ret, __u64 duration_ns)
#undef CALL

/*
 * Fallback without the wbscope tracepoints: the conversion of one io_end, timed from
 * entry to return on this thread; its unwritten ranges are the io_end's vectors.
 */
static __always_inline void bh_conv_start(struct ext4_io_end *io_end)
{
	struct list_head *head = &io_end->list_vec, *p;
	struct eio_thread *th;
	unsigned int nr = 0;
	__u32 dev;

	if (!wb_inode_wanted(BPF_CORE_READ(io_end, inode), &dev))
		return;
	th = wb_task_state(&threads, true);
	if (!th) {
		wb_count(&counters, EIO_CNT_DROP_TASKS);
		return;
	}
	p = BPF_CORE_READ(io_end, list_vec.next);
	for (int i = 0; i < EIO_MAX_VECS && p && p != head; i++) {
		nr++;
		p = BPF_CORE_READ(p, next);
	}
	th->handler = (struct eio_task){
		.group = wb_group_index(dev, WB_PATH_BH), .extents = nr, .ts = bpf_ktime_get_ns(),
	};
}

static __always_inline int bh_conv_done(void)
{
	struct eio_thread *th = wb_task_state(&threads, false);
	struct eio_task *t;
	struct eio_val *v;
	__u64 delta;

	if (!th || !th->handler.ts)
		return 0;
	t = &th->handler;
	delta = bpf_ktime_get_ns() - t->ts;
	t->ts = 0;
	v = group_at(t->group);
	if (!v)
		return 0;
	wb_hist_add(&v->conv_run, wb_time_unit(delta));
	wb_hist_add(&v->conv_extents, t->extents);
	v->extents += t->extents;
	return 0;
}

SEC("fentry/ext4_convert_unwritten_io_end_vec")
int BPF_PROG(bh_conv_fentry, void *handle, struct ext4_io_end *io_end)
{
	bh_conv_start(io_end);
	return 0;
}

SEC("fexit/ext4_convert_unwritten_io_end_vec")
int BPF_PROG(bh_conv_fexit, void *handle, struct ext4_io_end *io_end, int ret)
{
	return bh_conv_done();
}

SEC("kprobe/ext4_convert_unwritten_io_end_vec")
int BPF_KPROBE(bh_conv_kprobe, void *handle, struct ext4_io_end *io_end)
{
	bh_conv_start(io_end);
	return 0;
}

SEC("kretprobe/ext4_convert_unwritten_io_end_vec")
int BPF_KRETPROBE(bh_conv_kretprobe, int ret)
{
	return bh_conv_done();
}

/* ---- converted extents (extra) ---- */

/*
 * A conversion by ext4's end-I/O work: the current thread is a workqueue worker running
 * it (direct I/O completion converts too, from other work functions or inline).
 */
static __always_inline int conv_extent_ev(struct inode *inode, struct ext4_map_blocks *map, int flags,
					  const bool btf)
{
	struct eio_val *v;
	__u32 path;

	if (!(flags & EXT4_GET_BLOCKS_CONVERT))
		return 0;
	switch (end_io_fn(current_work_fn())) {
	case EIO_FN_EXT4_BH:
		path = WB_PATH_BH;
		break;
	case EIO_FN_EXT4_IOMAP:
		path = WB_PATH_IOMAP;
		break;
	default:
		return 0;
	}
	v = wanted_group(inode, path, btf);
	if (v)
		wb_hist_add(&v->conv_len, WB_RD(btf, map, m_len));
	return 0;
}
#define CALL(btf) conv_extent_ev(inode, map, flags, btf)
WB_TWIN(ext4_ext_handle_unwritten_extents, conv_extent, CALL, struct inode *inode,
	struct ext4_map_blocks *map, int flags, unsigned int allocated, __u64 newblock)
#undef CALL

char LICENSE[] SEC("license") = "GPL";
