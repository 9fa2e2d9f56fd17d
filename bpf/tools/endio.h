/* SPDX-License-Identifier: GPL-2.0 */
/* wbscope endio: types shared by endio.bpf.c and endio.c. */
#ifndef WB_ENDIO_H
#define WB_ENDIO_H

#include "wbscope.h"

/* In-flight tables (slots: powers of two) */
#define EIO_MAX_WORKS 16384	/* end-I/O work items queued and not yet run */
#define EIO_MAX_PENDING 65536	/* iomap ioends deferred and not yet picked up */
#define EIO_MAX_MERGE 64	/* ioends followed per merged ioend */
#define EIO_MAX_VECS 64		/* io_end vectors counted (fallback without tracepoints) */
#define EIO_STALE_NS (120ULL * 1000000000ULL)	/* unfinished this long: forgotten */

enum eio_counter {
	EIO_CNT_WORK_QUEUED,	/* end-I/O work items queued (seen queued and run) */
	EIO_CNT_WORK_UNPAIRED,	/* work runs whose queueing was not seen */
	EIO_CNT_IOEND_UNPAIRED,	/* worker ioends whose end_bio was not seen (end_bio.iomap) */
	EIO_CNT_MERGE_TRUNC,	/* merged ioends longer than EIO_MAX_MERGE */
	EIO_CNT_DROP_WORKS,	/* work map full */
	EIO_CNT_DROP_PENDING,	/* pending-ioend map full */
	EIO_CNT_DROP_TASKS,	/* no per-thread state (task storage could not be created) */
	EIO_CNT_DROP_STATS,	/* no statistics slot for the device (groups.bpf.h) */
	EIO_CNT_STALE,		/* work items or ioends unfinished after EIO_STALE_NS, forgotten */
	EIO_NR_COUNTERS,
};

/* All times in usecs (msecs with -m). */
struct eio_val {
	struct wb_hist work_delay;	/* work item queued -> worker starts it */
	struct wb_hist work_run;	/* worker runtime per work item */
	struct wb_hist work_items;	/* io_ends / ioends (unmerged) per run (ext4_end_io_work) */
	struct wb_hist ioend_delay;	/* iomap: bio end -> worker picks its ioend up (extra) */
	struct wb_hist merged;		/* iomap: ioends per ioend the worker handles */
	struct wb_hist ioend_run;	/* worker time per (merged) ioend / io_end */
	struct wb_hist conv_run;	/* time per ioend / io_end with unwritten extents */
	struct wb_hist conv_extents;	/* extents converted per such ioend / io_end */
	struct wb_hist conv_len;	/* blocks per converted extent (extra) */
	struct wb_hist disksize_adv;	/* iomap: KiB i_disksize advanced per ioend that moved it */
	unsigned long long works;
	unsigned long long end_bio_inline;	/* completions finished in the bio end handler */
	unsigned long long end_bio_deferred;	/* completions deferred to the worker */
	unsigned long long end_bio_errors;
	unsigned long long ioends;		/* ioends / io_ends the worker handled */
	unsigned long long ioends_failed;	/* ... that ended with an error */
	/* extents converted: iomap, as the kernel counts them; buffer_head, the io_ends'
	 * unwritten ranges (one extent each as mapped at write-back) */
	unsigned long long extents;
	unsigned long long disksize_updates;
	unsigned long long work_run_ns_sum;
	/* from ext4_end_io_work with its sums (wbscope kernel patch 22): per run, the
	 * io_ends / ioends (after merging) completed and the unwritten extents converted */
	unsigned long long work_handled;
	unsigned long long work_extents;
	unsigned long long work_delay_ns_sum;	/* over the runs in work_delay */
	unsigned long long ioend_run_ns_sum;
};

/* A deferred iomap ioend (in-flight table, by a hash of inode and file offset). */
struct eio_pending {
	struct wb_slot slot;	/* slot.ts: when its bio ended */
	unsigned long long inode;
	long long offset;
	unsigned long long size;
};

/* A queued end-I/O work item (in-flight table, by work pointer). */
struct eio_queued {
	struct wb_slot slot;	/* slot.ts: when it was queued */
	int group;		/* its statistics (wb_group_index), -1: none */
	unsigned int pad;
};

struct eio_work {
	unsigned long long ts;
	int group;		/* wb_group_index */
	unsigned int pad;
};

/* A task inside an io_end's conversion (fallback without the wbscope tracepoints). */
struct eio_task {
	unsigned long long ts;	/* 0: not inside one */
	int group;		/* wb_group_index */
	unsigned int flags;
	unsigned int extents;	/* the io_end's unwritten ranges */
};

/* Per-thread state (task storage): the work item it runs and the handler it is in. */
struct eio_thread {
	struct eio_work run;	/* run.ts 0: no work item */
	struct eio_task handler;
};

#endif
