// SPDX-License-Identifier: GPL-2.0
/*
 * What the building blocks of the wbscope tools' BPF programs cost a run: each program
 * here does one thing (nothing at all, a map look-up, a probe read, a clock read, a
 * slot take, a statistics update) with the tools' own helpers, and all of them are
 * attached to one tracepoint (block_bio_complete, which brd and other bio-based devices
 * fire once per bio), so that the kernel's per-program run time
 * (kernel.bpf_stats_enabled) compares them on the same events. bench/bpfcost/run
 * subtracts the empty program's time.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bits.bpf.h"
#include "filter.bpf.h"
#include "slots.bpf.h"
#include "groups.bpf.h"

struct item {
	struct wb_slot slot;
	__u32 a, b, c, d;
};
WB_SLOT_TABLE(items, struct item, 65536);
WB_SLOT_TABLE(items_1k, struct item, 1024);	/* the same, small enough to stay cached */

struct thread {
	__u64 n;
};
WB_TASK_STORAGE(threads, struct thread);

struct val {
	struct wb_hist h1, h2;
	__u64 n;
};
WB_GROUP_STATS(stats, struct val);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

__u64 sink;	/* keeps results alive */

#define BLOCK(name) SEC("raw_tp/block_bio_complete") int BPF_PROG(name, void *q, struct bio *bio)

BLOCK(empty)
{
	return 0;
}

BLOCK(counter)		/* wb_count: a per-CPU array increment */
{
	wb_count(&counters, 1);
	return 0;
}

BLOCK(ktime)		/* bpf_ktime_get_ns */
{
	sink += bpf_ktime_get_ns();
	return 0;
}

BLOCK(ptr_key)		/* wb_ptr_key: a pointer made a number through per-CPU scratch */
{
	sink += wb_ptr_key(bio);
	return 0;
}

BLOCK(probe_read)	/* BPF_CORE_READ, one level */
{
	sink += BPF_CORE_READ(bio, bi_status);
	return 0;
}

BLOCK(probe_read2)	/* BPF_CORE_READ, two levels */
{
	sink += BPF_CORE_READ(bio, bi_bdev, bd_dev);
	return 0;
}

BLOCK(group_hists)	/* wb_group and two histogram updates */
{
	struct val *v = wb_group(&stats, 7, WB_PATH_IOMAP);

	if (v) {
		v->n++;
		wb_hist_add(&v->h1, sink & 1023);
		wb_hist_add(&v->h2, 4);
	}
	return 0;
}

BLOCK(slot_miss)	/* wb_slot_find of an absent key (every probe), with wb_ptr_key */
{
	if (wb_slot_find(&items, 65536, wb_ptr_key(bio)))
		sink++;
	return 0;
}

/* wb_slot_take of a new key and wb_slot_free, with key and clock, in table of nslots */
static __always_inline void take_free(void *table, __u32 nslots, struct bio *bio)
{
	__u64 key = wb_ptr_key(bio);
	struct wb_slot *s;
	bool stale;

	s = wb_slot_take(table, nslots, key, bpf_ktime_get_ns(), 1000000000ULL, &stale);
	if (s)
		wb_slot_free(s, key);
}

BLOCK(slot_take_free)		/* take_free in the 65536-slot table */
{
	take_free(&items, 65536, bio);
	return 0;
}

BLOCK(slot_take_free_1k)	/* the same in a 1024-slot table */
{
	take_free(&items_1k, 1024, bio);
	return 0;
}

BLOCK(task_state)	/* wb_task_state: the current thread's task storage, created once */
{
	struct thread *t = wb_task_state(&threads, true);

	if (t)
		t->n++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
