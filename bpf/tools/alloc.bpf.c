// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope alloc: block allocation done by write-back, per device and path.
 *
 * ext4_writepages / ext4_writepages_result bracket each writepages call on both paths;
 * inside them ext4_allocate_blocks gives each allocation's size, ext4_da_write_pages_extent
 * each delayed extent mapped for writeback, and ext4_da_update_reserve_space the delalloc
 * reservation consumed. iomap_add_to_ioend gives, on the iomap path (and XFS), the
 * mapping each dirty range is written through: the buffer_head path maps and allocates
 * per folio batch, the iomap path per writeback range, and these histograms show it.
 * Each program exists as tp_btf and as raw_tp (WB_TWIN, filter.bpf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bits.bpf.h"
#include "filter.bpf.h"
#include "alloc.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, AL_MAX_GROUPS);
	__type(key, struct al_key);
	__type(value, struct al_val);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AL_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AL_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct al_task);
} tasks SEC(".maps");

/*
 * The last mapping each task added to an ioend, so that a mapping reused for many
 * folios counts once. LRU: an evicted entry (thousands of writers at once) only makes
 * a mapping count twice.
 */
struct last_map {
	__u64 inode;
	__s64 offset;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, AL_MAX_TASKS);
	__type(key, __u32);
	__type(value, struct last_map);
} last_maps SEC(".maps");

static const struct al_val zero_val;

static __always_inline struct al_val *group(__u32 dev, __u32 path)
{
	struct al_key k = { .dev = dev, .path = path };
	struct al_val *v = wb_lookup_or_init(&stats, &k, &zero_val);

	if (!v)
		wb_count(&counters, AL_CNT_DROP_STATS);
	return v;
}

static __always_inline int wp_enter(struct inode *inode, const bool btf)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct al_task t = {};

	if (!wb_inode_wanted_t(inode, &t.dev, btf))
		return 0;
	t.path = wb_ext4_path(inode);
	if (bpf_map_update_elem(&tasks, &tid, &t, BPF_ANY))
		wb_count(&counters, AL_CNT_DROP_TASKS);
	return 0;
}
#define CALL(btf) wp_enter(inode, btf)
WB_TWIN(ext4_writepages, al_wp_enter, CALL, struct inode *inode, struct writeback_control *wbc)
#undef CALL

static __always_inline int wp_exit(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct al_task *t = bpf_map_lookup_elem(&tasks, &tid);
	struct al_val *v;

	if (!t)
		return 0;
	v = group(t->dev, t->path);
	if (v) {
		v->calls++;
		wb_hist_add(&v->allocs_per_call, t->allocs);
		wb_hist_add(&v->extents_per_call, t->extents);
	}
	bpf_map_delete_elem(&tasks, &tid);
	return 0;
}
#define CALL(btf) wp_exit()
WB_TWIN(ext4_writepages_result, al_wp_exit, CALL, struct inode *inode, struct writeback_control *wbc,
	int ret, int pages_written)
#undef CALL

static __always_inline int allocate(struct ext4_allocation_request *ar, const bool btf)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct al_task *t = bpf_map_lookup_elem(&tasks, &tid);
	struct al_val *v;
	__u32 len;

	if (!t) {
		__u32 dev;

		if (wb_inode_wanted_t(WB_RD(btf, ar, inode), &dev, btf))
			wb_count(&counters, AL_CNT_ALLOC_OTHER);
		return 0;
	}
	wb_count(&counters, AL_CNT_ALLOC_WB);
	t->allocs++;
	len = WB_RD(btf, ar, len);
	v = group(t->dev, t->path);
	if (v) {
		v->allocs++;
		v->blocks += len;
		wb_hist_add(&v->alloc_len, len);
	}
	return 0;
}
#define CALL(btf) allocate(ar, btf)
WB_TWIN(ext4_allocate_blocks, al_allocate, CALL, struct ext4_allocation_request *ar, __u64 block)
#undef CALL

static __always_inline int extent(struct ext4_map_blocks *map, const bool btf)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct al_task *t = bpf_map_lookup_elem(&tasks, &tid);
	struct al_val *v;
	__u32 len;

	if (!t)
		return 0;
	t->extents++;
	len = WB_RD(btf, map, m_len);
	v = group(t->dev, t->path);
	if (v) {
		v->extents++;
		wb_hist_add(&v->extent_len, len);
	}
	return 0;
}
#define CALL(btf) extent(map, btf)
WB_TWIN(ext4_da_write_pages_extent, al_extent, CALL, struct inode *inode, struct ext4_map_blocks *map)
#undef CALL

static __always_inline int rsv(struct inode *inode, int used_blocks, const bool btf)
{
	struct al_val *v;
	__u32 dev;

	if (!wb_inode_wanted_t(inode, &dev, btf) || used_blocks <= 0)
		return 0;
	v = group(dev, wb_ext4_path(inode));
	if (v) {
		v->rsv_blocks += used_blocks;
		wb_hist_add(&v->rsv_used, used_blocks);
	}
	return 0;
}
#define CALL(btf) rsv(inode, used_blocks, btf)
WB_TWIN(ext4_da_update_reserve_space, al_rsv, CALL, struct inode *inode, int used_blocks, int quota_claim)
#undef CALL

static __always_inline int ioend_add(struct inode *inode, struct iomap *iomap, const bool btf)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), dev;
	struct last_map m, *last;
	struct al_val *v;
	__u8 bits;

	if (!wb_inode_wanted_t(inode, &dev, btf))
		return 0;
	bits = WB_RD(btf, inode, i_blkbits);
	v = group(dev, WB_PATH_IOMAP);
	if (!v)
		return 0;
	v->ioend_adds++;
	m.inode = (__u64)inode;
	m.offset = WB_RD(btf, iomap, offset);
	last = bpf_map_lookup_elem(&last_maps, &tid);
	if (last && last->inode == m.inode && last->offset == m.offset)
		return 0;	/* same mapping as this task's previous folio */
	bpf_map_update_elem(&last_maps, &tid, &m, BPF_ANY);
	v->mappings++;
	wb_hist_add(&v->map_len, WB_RD(btf, iomap, length) >> (bits & 31));
	return 0;
}
#define CALL(btf) ioend_add(inode, iomap, btf)
WB_TWIN(iomap_add_to_ioend, al_ioend_add, CALL, struct inode *inode, __u64 pos, unsigned int dirty_len,
	struct iomap *iomap)
#undef CALL

char LICENSE[] SEC("license") = "GPL";
