/* SPDX-License-Identifier: GPL-2.0 */
/* wbscope alloc: types shared by alloc.bpf.c and alloc.c. */
#ifndef WB_ALLOC_H
#define WB_ALLOC_H

#include "wbscope.h"

enum al_counter {
	AL_CNT_ALLOC_WB,	/* data block allocations by writepages */
	AL_CNT_ALLOC_OTHER,	/* block allocations elsewhere (fallocate, direct I/O, ...) */
	AL_CNT_ALLOC_WB_META,	/* extent-tree blocks writepages allocated for its extents */
	AL_CNT_DROP_TASKS,	/* writepages call not tracked: no per-thread state (task storage) */
	AL_CNT_DROP_STATS,	/* no statistics slot for the device (groups.bpf.h) */
	AL_NR_COUNTERS,
};

struct al_val {
	struct wb_hist alloc_len;	/* blocks per allocation made during writeback */
	struct wb_hist extent_len;	/* blocks per delayed extent mapped for writeback */
	struct wb_hist allocs_per_call;	/* allocations per writepages call */
	struct wb_hist extents_per_call; /* delayed extents mapped per writepages call */
	struct wb_hist rsv_used;	/* delalloc reservation consumed per update, blocks */
	struct wb_hist map_len;		/* iomap: blocks per distinct mapping written through */
	unsigned long long calls;	/* writepages calls */
	unsigned long long allocs;
	unsigned long long blocks;	/* blocks allocated */
	unsigned long long extents;
	unsigned long long rsv_blocks;	/* delalloc blocks consumed */
	unsigned long long ioend_adds;	/* iomap: dirty ranges added to ioends */
	unsigned long long mappings;	/* iomap: distinct mappings those ranges used */
};

/* Per task inside ext4 writepages. */
/*
 * How allocations are attributed to writepages calls (alloc.bpf.c wp_mode):
 * AL_WP_PAIR: inside ext4_writepages .. ext4_writepages_result on the same thread;
 * AL_WP_DONE: allocations of delayed blocks, counted per thread until the call's
 * ext4_writepages_done; AL_WP_DELALLOC: allocations of delayed blocks, no per-call counts;
 * AL_WP_SUMS: allocations of delayed blocks, per-call counts from ext4_writepages_done
 * itself (wbscope kernel patch 23): no per-thread state.
 */
enum { AL_WP_PAIR, AL_WP_DONE, AL_WP_DELALLOC, AL_WP_SUMS };

struct al_task {
	unsigned long long inode;	/* the call's inode; 0: not inside a call */
	int group;			/* its statistics (wb_group_index); AL_WP_PAIR only */
	unsigned int allocs;
	unsigned int extents;
	unsigned int pad;
};

/* Per-thread state (task storage). */
struct al_thread {
	struct al_task wp;
	/* the last mapping this thread added to an ioend (a mapping reused for many
	 * folios counts once) */
	unsigned long long last_inode;
	long long last_offset;
};

#endif
