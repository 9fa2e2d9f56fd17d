// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope alloc: block allocation done by write-back, per device and path.
 *
 * On the wbscope kernel ext4_writepages_done ends each writepages call on both paths
 * (since kernel patch 23 with the call's extent and allocation counts), and an
 * allocation of delayed blocks is write-back's; elsewhere ext4_writepages /
 * ext4_writepages_result bracket each call. ext4_allocate_blocks gives each allocation's
 * size, ext4_da_write_pages_extent each delayed extent mapped for writeback, and
 * ext4_da_update_reserve_space the delalloc reservation consumed. The mappings the iomap
 * path writes through come from the wbscope kernel's ext4_iomap_map_writeback (once per
 * new mapping), else from iomap_add_to_ioend (once per dirty range, so every 4 KiB range
 * written costs a run; it also sees XFS): the buffer_head path maps and allocates per
 * folio batch, the iomap path per writeback range, and these histograms show it.
 * From kernel patch 24 each extent mapping reports what it allocated
 * (ext4_da_write_pages_mapped on the buffer_head path, ext4_iomap_map_writeback's
 * delayed_len on the iomap path), and one program per mapping replaces those on the
 * delayed extent, the allocation and (iomap) the mapping.
 * Each program exists as tp_btf and as raw_tp (WB_TWIN, filter.bpf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bits.bpf.h"
#include "filter.bpf.h"
#include "groups.bpf.h"
#include "alloc.h"

WB_GROUP_STATS(stats, struct al_val);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AL_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Each thread's writepages call and last mapping. */
WB_TASK_STORAGE(threads, struct al_thread);

/* ext4_map_blocks' m_flags (fs/ext4/ext4.h): buffer_head state bits */
#define EXT4_MAP_NEW		(1U << BH_New)
#define EXT4_MAP_DELAYED	(1U << BH_Delay)

/*
 * How allocations are attributed to writepages calls (alloc.h AL_WP_*): set from the
 * hooks chosen for the writeback metric. On the wbscope kernel (ext4_writepages_done)
 * and in wbscope top, an allocation is write-back's when it allocates delayed blocks
 * (EXT4_MB_DELALLOC_RESERVED), which only write-back maps.
 */
const volatile __u8 wp_mode = AL_WP_PAIR;

#define EXT4_MB_HINT_DATA		0x0020
#define EXT4_MB_DELALLOC_RESERVED	0x0400

/* An allocation by write-back of len blocks, and a delayed extent of len blocks mapped. */
static __always_inline void count_alloc(struct al_val *v, __u32 len)
{
	v->allocs++;
	v->blocks += len;
	wb_hist_add(&v->alloc_len, len);
}

static __always_inline void count_extent(struct al_val *v, __u32 len)
{
	v->extents++;
	wb_hist_add(&v->extent_len, len);
}

/* The statistics at group index idx (wb_group_index), a drop counted for none. */
static __always_inline struct al_val *group_at(int idx)
{
	struct al_val *v = wb_group_at(&stats, idx);

	if (!v)
		wb_count(&counters, AL_CNT_DROP_STATS);
	return v;
}

static __always_inline struct al_val *group(__u32 dev, __u32 path)
{
	return group_at(wb_group_index(dev, path));
}

/*
 * The current thread's writepages call on inode, NULL outside one. The kernel skips a
 * program run that would nest in a preempted run of the same program on that CPU
 * ("missed"), so an entry or exit can go unseen: comparing the inode keeps a stale call
 * from claiming a later allocation of another inode, and counts that need no call
 * (calls, extents) come from the event's own inode.
 */
static __always_inline struct al_task *writepages_task(struct inode *inode)
{
	struct al_thread *th = wb_task_state(&threads, false);

	return th && th->wp.inode == (__u64)inode ? &th->wp : NULL;
}

/*
 * AL_WP_DONE: the current thread's counts for its writepages call on inode, started at
 * the call's first allocation or extent; its ext4_writepages_done takes them. NULL when
 * the thread map is full (counted).
 */
static __always_inline struct al_task *call_counts(struct inode *inode)
{
	struct al_thread *th = wb_task_state(&threads, true);

	if (!th) {
		wb_count(&counters, AL_CNT_DROP_TASKS);
		return NULL;
	}
	if (th->wp.inode != (__u64)inode)
		th->wp = (struct al_task){ .inode = (__u64)inode };
	return &th->wp;
}

/*
 * The end of a writepages call (the wbscope kernel's event). duration_ns < 0: the call
 * began before the event was enabled, so its counts may be partial; it is counted as a
 * call without per-call counts, as a result without its entry is in AL_WP_PAIR. sums:
 * the event counts the call's allocations and extents itself (AL_WP_SUMS, kernel patch
 * 23), else they are the thread's counts (AL_WP_DONE).
 */
static __always_inline int wp_done(struct inode *inode, bool iomap, long long duration_ns, bool sums,
				   unsigned int extents, unsigned int allocs, const bool btf)
{
	struct al_thread *th;
	struct al_task t = { .allocs = allocs, .extents = extents };
	struct al_val *v;
	__u32 dev;

	if (!wb_inode_wanted_t(inode, &dev, btf))
		return 0;
	if (!sums) {
		th = wb_task_state(&threads, false);
		if (th && th->wp.inode == (__u64)inode) {
			t = th->wp;
			th->wp.inode = 0;
		}
	}
	v = group(dev, iomap ? WB_PATH_IOMAP : WB_PATH_BH);
	if (!v)
		return 0;
	v->calls++;
	if (duration_ns >= 0) {
		wb_hist_add(&v->allocs_per_call, t.allocs);
		wb_hist_add(&v->extents_per_call, t.extents);
	}
	return 0;
}
#define CALL(btf) wp_done(inode, iomap, duration_ns, false, 0, 0, btf)
WB_TWIN(ext4_writepages_done, al_wp_done, CALL, struct inode *inode, struct writeback_control *wbc,
	bool iomap, long nr_to_write, long pages_written, int ret, long long duration_ns)
#undef CALL
#define CALL(btf) wp_done(inode, iomap, duration_ns, true, extents, allocs, btf)
WB_TWIN(ext4_writepages_done, al_wp_sums, CALL, struct inode *inode, struct writeback_control *wbc,
	bool iomap, long nr_to_write, long pages_written, int ret, long long duration_ns,
	unsigned int extents, unsigned int allocs, __u64 alloc_blocks)
#undef CALL

static __always_inline int wp_enter(struct inode *inode, const bool btf)
{
	struct al_thread *th;
	__u32 dev;

	if (!wb_inode_wanted_t(inode, &dev, btf))
		return 0;
	th = wb_task_state(&threads, true);
	if (!th) {
		wb_count(&counters, AL_CNT_DROP_TASKS);
		return 0;
	}
	th->wp = (struct al_task){ .inode = (__u64)inode,
				   .group = wb_group_index(dev, wb_ext4_path_t(inode, btf)) };
	return 0;
}
#define CALL(btf) wp_enter(inode, btf)
WB_TWIN(ext4_writepages, al_wp_enter, CALL, struct inode *inode, struct writeback_control *wbc)
#undef CALL

static __always_inline int wp_exit(struct inode *inode, const bool btf)
{
	struct al_task *t = writepages_task(inode);
	struct al_val *v;
	__u32 dev;

	if (!t) {
		/* Its entry unseen: counted as a call all the same. */
		if (wb_inode_wanted_t(inode, &dev, btf)) {
			v = group(dev, wb_ext4_path_t(inode, btf));
			if (v)
				v->calls++;
		}
		return 0;
	}
	t->inode = 0;
	v = group_at(t->group);
	if (v) {
		v->calls++;
		wb_hist_add(&v->allocs_per_call, t->allocs);
		wb_hist_add(&v->extents_per_call, t->extents);
	}
	return 0;
}
#define CALL(btf) wp_exit(inode, btf)
WB_TWIN(ext4_writepages_result, al_wp_exit, CALL, struct inode *inode, struct writeback_control *wbc,
	int ret, int pages_written)
#undef CALL

/*
 * A block allocation. Write-back's are its data extents (EXT4_MB_HINT_DATA); the
 * extent-tree blocks it allocates on the way, with the same reserved flag, are counted
 * apart (AL_CNT_ALLOC_WB_META), as the kernel's per-call counts leave them out too.
 */
static __always_inline int allocate(struct ext4_allocation_request *ar, const bool btf)
{
	struct inode *inode = WB_RD(btf, ar, inode);
	struct al_task *t = wp_mode == AL_WP_PAIR ? writepages_task(inode) : NULL;
	unsigned int flags = WB_RD(btf, ar, flags);
	struct al_val *v = NULL;
	__u32 dev;

	if (!t) {
		if (!wb_inode_wanted_t(inode, &dev, btf))
			return 0;
		if (wp_mode == AL_WP_PAIR || !(flags & EXT4_MB_DELALLOC_RESERVED)) {
			wb_count(&counters, AL_CNT_ALLOC_OTHER);
			return 0;
		}
	}
	if (!(flags & EXT4_MB_HINT_DATA)) {
		wb_count(&counters, AL_CNT_ALLOC_WB_META);
		return 0;
	}
	if (t) {
		v = group_at(t->group);
	} else {
		if (wp_mode == AL_WP_DONE)
			t = call_counts(inode);
		v = group(dev, wb_ext4_path_t(inode, btf));
	}
	wb_count(&counters, AL_CNT_ALLOC_WB);
	if (t)
		t->allocs++;
	if (v)
		count_alloc(v, WB_RD(btf, ar, len));
	return 0;
}
#define CALL(btf) allocate(ar, btf)
WB_TWIN(ext4_allocate_blocks, al_allocate, CALL, struct ext4_allocation_request *ar, __u64 block)
#undef CALL

/*
 * Only writeback maps delayed extents, so this needs no writepages call to attribute.
 * The buffer_head path announces the unwritten extents it converts here too (written
 * into preallocated space): they allocate nothing, the iomap path does not announce
 * them, and they are not counted.
 */
static __always_inline int extent(struct inode *inode, struct ext4_map_blocks *map, const bool btf)
{
	struct al_task *t;
	struct al_val *v;
	__u32 dev;

	if (!(WB_RD(btf, map, m_flags) & EXT4_MAP_DELAYED))
		return 0;
	t = wp_mode == AL_WP_PAIR ? writepages_task(inode) : NULL;
	if (t) {
		v = group_at(t->group);
	} else {
		if (!wb_inode_wanted_t(inode, &dev, btf))
			return 0;
		if (wp_mode == AL_WP_DONE)
			t = call_counts(inode);
		v = group(dev, wb_ext4_path_t(inode, btf));
	}
	if (t)
		t->extents++;
	if (v)
		count_extent(v, WB_RD(btf, map, m_len));
	return 0;
}
#define CALL(btf) extent(inode, map, btf)
WB_TWIN(ext4_da_write_pages_extent, al_extent, CALL, struct inode *inode, struct ext4_map_blocks *map)
#undef CALL

static __always_inline int rsv(struct inode *inode, int used_blocks, const bool btf)
{
	struct al_val *v;
	__u32 dev;

	if (!wb_inode_wanted_t(inode, &dev, btf) || used_blocks <= 0)
		return 0;
	v = group(dev, wb_ext4_path_t(inode, btf));
	if (v) {
		v->rsv_blocks += used_blocks;
		wb_hist_add(&v->rsv_used, used_blocks);
	}
	return 0;
}
#define CALL(btf) rsv(inode, used_blocks, btf)
WB_TWIN(ext4_da_update_reserve_space, al_rsv, CALL, struct inode *inode, int used_blocks, int quota_claim)
#undef CALL

/* A new iomap write-back mapping of an ext4 inode (the wbscope kernel's tracepoint). */
static __always_inline int map_writeback(struct inode *inode, struct ext4_map_blocks *map, const bool btf)
{
	struct al_val *v;
	__u32 dev;

	if (!wb_inode_wanted_t(inode, &dev, btf))
		return 0;
	v = group(dev, WB_PATH_IOMAP);
	if (v) {
		v->mappings++;
		wb_hist_add(&v->map_len, WB_RD(btf, map, m_len));
	}
	return 0;
}
#define CALL(btf) map_writeback(inode, map, btf)
WB_TWIN(ext4_iomap_map_writeback, al_map_wb, CALL, struct inode *inode, long long offset,
	unsigned int dirty_len, struct ext4_map_blocks *map)
#undef CALL

/*
 * The wbscope kernel from patch 24: each write-back extent mapping with its result, one
 * event per extent instead of the delayed extent's, the allocation's and (iomap) the
 * mapping's. A delayed extent mapped with EXT4_MAP_NEW was given blocks, and the map's
 * length is the allocation (write-back's data extents: as the per-call counts of
 * ext4_writepages_done, which this mode goes with, AL_WP_SUMS).
 */
static __always_inline void mapped(struct al_val *v, unsigned int delayed_len, unsigned int len,
				   unsigned int flags)
{
	if (!delayed_len)
		return;
	count_extent(v, delayed_len);
	if (!(flags & EXT4_MAP_NEW))
		return;
	wb_count(&counters, AL_CNT_ALLOC_WB);
	count_alloc(v, len);
}

/* buffer_head: the extent ext4_da_write_pages_extent announced, as mapped. */
static __always_inline int bh_mapped(struct inode *inode, unsigned int len, struct ext4_map_blocks *map,
				     bool delayed, const bool btf)
{
	struct al_val *v;
	__u32 dev;

	if (!wb_inode_wanted_t(inode, &dev, btf))
		return 0;
	v = group(dev, WB_PATH_BH);
	if (!v)
		return 0;
	/* an unwritten extent is announced too, with nothing to allocate: not counted */
	if (!delayed)
		return 0;
	mapped(v, len, WB_RD(btf, map, m_len), WB_RD(btf, map, m_flags));
	return 0;
}
#define CALL(btf) bh_mapped(inode, len, map, delayed, btf)
WB_TWIN(ext4_da_write_pages_mapped, al_bh_mapped, CALL, struct inode *inode, unsigned int len,
	struct ext4_map_blocks *map, bool delayed)
#undef CALL

/* iomap: a new write-back mapping, and the delayed extent it allocated (delayed_len). */
static __always_inline int map_result(struct inode *inode, struct ext4_map_blocks *map,
				      unsigned int delayed_len, const bool btf)
{
	struct al_val *v;
	__u32 dev, len;

	if (!wb_inode_wanted_t(inode, &dev, btf))
		return 0;
	v = group(dev, WB_PATH_IOMAP);
	if (!v)
		return 0;
	len = WB_RD(btf, map, m_len);
	v->mappings++;
	wb_hist_add(&v->map_len, len);
	mapped(v, delayed_len, len, WB_RD(btf, map, m_flags));
	return 0;
}
#define CALL(btf) map_result(inode, map, delayed_len, btf)
WB_TWIN(ext4_iomap_map_writeback, al_map_res, CALL, struct inode *inode, long long offset,
	unsigned int dirty_len, struct ext4_map_blocks *map, unsigned int delayed_len)
#undef CALL

static __always_inline int ioend_add(struct inode *inode, struct iomap *iomap, const bool btf)
{
	struct al_thread *th;
	struct al_val *v;
	__s64 offset;
	__u32 dev;
	__u8 bits;

	if (!wb_inode_wanted_t(inode, &dev, btf))
		return 0;
	bits = WB_RD(btf, inode, i_blkbits);
	v = group(dev, WB_PATH_IOMAP);
	if (!v)
		return 0;
	v->ioend_adds++;
	offset = WB_RD(btf, iomap, offset);
	th = wb_task_state(&threads, true);
	if (th) {
		if (th->last_inode == (__u64)inode && th->last_offset == offset)
			return 0;	/* same mapping as this thread's previous folio */
		th->last_inode = (__u64)inode;
		th->last_offset = offset;
	}
	v->mappings++;
	wb_hist_add(&v->map_len, WB_RD(btf, iomap, length) >> (bits & 31));
	return 0;
}
#define CALL(btf) ioend_add(inode, iomap, btf)
WB_TWIN(iomap_add_to_ioend, al_ioend_add, CALL, struct inode *inode, __u64 pos, unsigned int dirty_len,
	struct iomap *iomap)
#undef CALL

char LICENSE[] SEC("license") = "GPL";
