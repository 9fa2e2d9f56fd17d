/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics per (device, path) group, kept in a per-CPU array rather than a per-CPU
 * hash: every event that updates statistics would otherwise pay a hash look-up (hashing
 * the key, walking a bucket) for what is nearly always one of a handful of groups. A
 * device's slot comes from wb_devs, a small table filled here (open addressing, claimed
 * with a compare-and-swap) and never emptied; its groups are the stats entries
 * slot * WB_NR_PATHS + path, and both look-ups are array look-ups the verifier inlines.
 *
 * Nothing is reset: user space reads the arrays and reports an interval as the
 * difference from its previous read (every statistic is a count or a sum).
 */
#ifndef WBSCOPE_GROUPS_BPF_H
#define WBSCOPE_GROUPS_BPF_H

#include "wbscope.h"

#define WB_DEV_PROBES 8

/* A tool's statistics: value_type per group, per CPU. */
#define WB_GROUP_STATS(name, value_type)				\
struct {								\
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);			\
	__uint(max_entries, WB_MAX_GROUPS);				\
	__type(key, __u32);						\
	__type(value, value_type);					\
} name SEC(".maps")

/* Device slots: dev_t + 1 (0: free). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, WB_MAX_DEVS);
	__type(key, __u32);
	__type(value, __u64);
} wb_devs SEC(".maps");

/*
 * The first device a program found a slot for, as (dev_t + 1) << 8 | slot (0: none yet).
 * Most programs see one device (-d, or one file system under test): one load and a
 * compare then replace the hash and the table probe, on every event. It is written once,
 * while 0, so CPUs do not pass its cache line around; two CPUs racing to write it write
 * two valid pairs, slots never change, and either may stay.
 */
static __u64 wb_dev_hint;

static __always_inline int wb_dev_slot_found(__u64 want, __u32 idx)
{
	if (!wb_dev_hint)
		wb_dev_hint = want << 8 | idx;
	return (int)idx;
}

/* The slot of device dev, claimed if it has none yet; -1 when the table is full. */
static __always_inline int wb_dev_slot(__u32 dev)
{
	__u64 want = (__u64)dev + 1, hint = wb_dev_hint;
	__u32 h;

	if (hint >> 8 == want)
		return (int)(hint & (WB_MAX_DEVS - 1));
	h = (__u32)(want * 0x9E3779B97F4A7C15ULL >> 32);
	WB_UNROLL
	for (__u32 i = 0; i < WB_DEV_PROBES; i++) {
		__u32 idx = (h + i) & (WB_MAX_DEVS - 1);
		__u64 *d = bpf_map_lookup_elem(&wb_devs, &idx), old;

		if (!d)
			return -1;
		old = *d;
		if (old == want)
			return wb_dev_slot_found(want, idx);
		if (old)
			continue;
		old = __sync_val_compare_and_swap(d, 0, want);
		if (!old || old == want)	/* claimed, or by another CPU for the same device */
			return wb_dev_slot_found(want, idx);
	}
	return -1;
}

/* The index of (dev, path)'s statistics, claiming dev a slot if it has none; -1 when
 * no slot is left. A program that meets the same group again in a later event (an
 * item's end) keeps the index rather than the device, and skips the slot search. */
static __always_inline int wb_group_index(__u32 dev, __u32 path)
{
	int slot;

	if (path >= WB_NR_PATHS)
		return -1;
	slot = wb_dev_slot(dev);
	return slot < 0 ? -1 : slot * WB_NR_PATHS + (int)path;
}

/* The statistics at index idx in stats (a WB_GROUP_STATS map); NULL for idx -1. */
static __always_inline void *wb_group_at(void *stats, int idx)
{
	__u32 i = idx;

	return idx < 0 ? NULL : bpf_map_lookup_elem(stats, &i);
}

/* The statistics of (dev, path) in stats; NULL: no slot left. */
static __always_inline void *wb_group(void *stats, __u32 dev, __u32 path)
{
	return wb_group_at(stats, wb_group_index(dev, path));
}

#endif
