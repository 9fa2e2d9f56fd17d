/* SPDX-License-Identifier: GPL-2.0 */
/* wbscope bio: types shared by bio.bpf.c and bio.c. */
#ifndef WB_BIO_H
#define WB_BIO_H

#include "wbscope.h"

#define BIO_MAX_INFLIGHT 65536	/* write-back bios between submission and completion
				   (in-flight table slots: a power of two) */
#define BIO_STALE_NS (120ULL * 1000000000ULL)	/* a bio unfinished this long is forgotten */
#define BIO_RQ_MAX_BIOS 4096	/* bios walked per completed request (bpf_loop) */

enum bio_counter {
	BIO_CNT_QUEUED,		/* write-back bios seen at submission (after filters) */
	BIO_CNT_DONE,		/* of those, completions seen */
	BIO_CNT_DROP_INFLIGHT,	/* submission not recorded: in-flight map full */
	BIO_CNT_DROP_STATS,	/* completion not recorded: no statistics slot for the device */
	BIO_CNT_RQ_TRUNCATED,	/* request with more bios than BIO_RQ_MAX_BIOS */
	BIO_CNT_REQUESTS,	/* block-layer request completions walked (past -d) */
	BIO_CNT_STALE,		/* bios unfinished after BIO_STALE_NS, forgotten */
	BIO_CNT_UNTIMED,	/* completions with no time in flight (submitted before the
				   wbscope kernel's completion event was enabled) */
	BIO_NR_COUNTERS,
};

struct bio_val {
	struct wb_hist lat;		/* submission -> completion (usecs, or msecs with -m) */
	struct wb_hist size;		/* bio size in KiB */
	unsigned long long bios;
	unsigned long long bytes;
	unsigned long long errors;	/* completed with an I/O error */
	unsigned long long lat_ns_sum;	/* exact latency sum, for cross-checks */
};

/* What is remembered between submission and completion (in-flight table, by bio). */
struct bio_start {
	struct wb_slot slot;	/* slot.ts: submission time */
	unsigned int dev;
	unsigned int path;
	unsigned int size;
	unsigned int pad;
};

#endif
