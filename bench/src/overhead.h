/* SPDX-License-Identifier: GPL-2.0 */
/* The tool overhead benchmark's statistics (bench/overhead -> wbscope overhead-report). */
#ifndef WB_OVERHEAD_H
#define WB_OVERHEAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#define WB_OH_MAX_NAMES 64	/* jobs, variants */
#define WB_OH_MAX_ROUNDS 256	/* runs per job and variant */
#define WB_OH_MAX_PROGS 64	/* BPF programs per variant */

struct wb_oh_run {
	json_t *doc;		/* the run's line */
	const char *job, *variant;	/* owned by doc */
	int round;
	bool profile;		/* a profiling run (bpf_stats on): BPF times only, no throughput */
	double bw;		/* KiB/s */
};

/* Read RUNS.jsonl; errors name the file, line and problem. Returns 0 or -1. */
int wb_oh_load(const char *path, struct wb_oh_run **runs, int *n, char *err, size_t errlen);
void wb_oh_free(struct wb_oh_run *runs, int n);
/* The statistics per job and variant (JSON, as written by --json); NULL with err set. */
json_t *wb_oh_analyse(const struct wb_oh_run *runs, int n, const char *baseline, double target,
		      char *err, size_t errlen);
void wb_oh_markdown(FILE *f, json_t *res);
/* "under T%", "over T%", "inconclusive" or "too few rounds" (lo is NaN). */
const char *wb_oh_verdict(double lo, double hi, double target, char *buf, size_t len);

#endif
