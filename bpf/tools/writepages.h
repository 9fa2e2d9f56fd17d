/* SPDX-License-Identifier: GPL-2.0 */
/* wbscope writepages: types shared by writepages.bpf.c and writepages.c. */
#ifndef WB_WRITEPAGES_H
#define WB_WRITEPAGES_H

#include "wbscope.h"

enum wp_counter {
	WP_CNT_ENTER,		/* ext4_writepages events that passed the filters */
	WP_CNT_EXIT,		/* ext4_writepages_result events that passed the filters */
	WP_CNT_UNPAIRED,	/* results without a recorded start (tool started mid-call) */
	WP_CNT_DROP_TASKS,	/* start not recorded: no per-thread storage (out of memory) */
	WP_CNT_DROP_STATS,	/* result not recorded: no statistics slot for the device */
	WP_NR_COUNTERS,
};

/* Each thread's writepages call in progress (task storage "threads"), with a pair of hooks. */
struct wp_call {
	unsigned long long ts;		/* 0: no call in progress */
	long long nr_to_write;
	unsigned long long inode;	/* for the kretprobe, which sees no arguments */
	unsigned long long wbc;
	int group;			/* statistics index of the call's device and path (this
					 * object's: another object numbers its groups itself) */
	unsigned int pad;
};

struct wp_val {
	struct wb_hist lat;		/* call latency (usecs, or msecs with -m) */
	struct wb_hist pages;		/* pages written per call */
	struct wb_hist nr_to_write;	/* wbc->nr_to_write at entry */
	unsigned long long calls;	/* results seen */
	unsigned long long errors;	/* results with ret < 0 */
	unsigned long long sync_all;	/* calls with WB_SYNC_ALL (fsync, sync) */
	unsigned long long pages_total;
	unsigned long long lat_ns_sum;	/* exact latency sum, for cross-checks */
	/* from ext4_writepages_done's mapping counts (wbscope kernel patch 23), else 0 */
	unsigned long long extents;	/* extents passed to block mapping */
	unsigned long long allocs;	/* delayed extents given blocks */
	unsigned long long alloc_blocks; /* the blocks they were given */
	/* from ext4_writepages_done's bio counts (wbscope kernel patch 26), else 0 */
	unsigned long long bios;	/* write-back bios the calls submitted */
	unsigned long long bio_bytes;	/* their bytes */
};

#endif
