/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Side-by-side comparison of the two paths of a benchmark run: runs grouped by
 * workload and device, per group the throughput and latency statistics of each path and
 * the ratio of the second path (iomap) to the first (buffer_head).
 */
#ifndef WB_COMPARE_H
#define WB_COMPARE_H

#include "runs.h"
#include "stats.h"

#define WB_MAX_REPS 64
#define WB_NR_PCT 3
extern const double wb_pcts[WB_NR_PCT];	/* 50, 99, 99.9 */
extern const char *const wb_pct_names[WB_NR_PCT];

/* One metric compared between path A (index 0) and path B (index 1). */
struct wb_metric {
	struct wb_spread s[2];		/* per path, over runs (per-run values) */
	double ci[2][2];		/* 95% bootstrap interval of each path's median */
	double value[2];		/* what the ratio compares (median, or merged percentile) */
	double ratio, lo, hi, p;	/* B / A, its 95% interval, Mann-Whitney p */
	enum wb_verdict verdict;
	int higher_is_better;
	int valid;
};

struct wb_group {
	char workload[64], device[16], target[16], job[64], bs[16];
	int run[2][WB_MAX_REPS], n[2];	/* indices into the runset */
	struct wb_metric bw;		/* MiB/s */
	struct wb_metric lat[WB_NR_PCT];	/* completion latency from merged histograms, us */
	struct wb_metric sync99;	/* p99 of fsync/fdatasync, us (jobs that sync) */
	struct wb_lathist merged[2];	/* clat of all runs of each path */
	/* Write-back phases from the collectors: median over runs of us per MiB written,
	 * and the paths the tools attributed the events to. */
	double phase_us_per_mib[2][WB_PH_NR];
	double phase_events_per_mib[2][WB_PH_NR];
	int phase_runs[2][WB_PH_NR];
	int misattributed;	/* runs whose collectors saw the other path */
	/* A/A: median throughput of the odd repetitions over that of the even ones, per
	 * path (NAN under 4 runs): how far apart two halves of one path's runs are. */
	double aa_ratio[2];
};

struct wb_comparison {
	const char *paths[2];
	struct wb_group *groups;
	int nr;
	int iters;
	uint64_t seed;
};

/* Group and compare; paths come from runner.json ("paths"). Returns 0 or -1 (err). */
int wb_compare(const struct wb_runset *rs, struct wb_comparison *c, char *err, size_t errlen);
void wb_comparison_free(struct wb_comparison *c);
/* The collector's name for a run's path ("buffer_head" or "iomap"). */
const char *wb_expected_attribution(const char *path);

#endif
