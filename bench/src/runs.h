/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A benchmark run directory (results/<run-id>/) as bench/run and scripts/bench write it:
 * runner.json, host.json, kernel.info and runs/NNNN-<workload>-<device>-<path>-r<rep>/
 * with run.json, fio.json (json+) and one JSON file per wbscope collector.
 */
#ifndef WB_RUNS_H
#define WB_RUNS_H

#include <stdbool.h>
#include <jansson.h>
#include "lathist.h"

/* Write-back phases measured by the collectors (sums over the run, per path). */
enum wb_phase { WB_PH_WRITEPAGES, WB_PH_BIO, WB_PH_ENDIO, WB_PH_NR };
extern const char *const wb_phase_names[WB_PH_NR];

struct wb_run {
	char id[160], workload[64], device[16], path[32], target[16], job[64], fs[8];
	char bs[16];
	char devname[32];	/* the block device's name (vda, ram0, loop0) */
	int rep, order;
	double bw_mib;		/* MiB/s, reads and writes of all jobs */
	double iops;
	uint64_t bytes;
	const char *ddir;	/* "write" or "read": whose completion latency is in clat */
	struct wb_lathist *clat;	/* per-I/O completion latency (the syscall for psync) */
	struct wb_lathist *sync;	/* fsync/fdatasync latency, when the job syncs */
	/* Collectors: has[] false when that tool did not run or saw nothing. */
	bool has[WB_PH_NR];
	double phase_ns[WB_PH_NR];	/* total time in the phase during the run */
	double phase_events[WB_PH_NR];	/* calls, bios, work items */
	char seen_path[WB_PH_NR][16];	/* the path the tool attributed the events to */
	uint64_t missed, drops;
};

struct wb_runset {
	char dir[4096];
	json_t *runner, *host;	/* runner.json, host.json (NULL when absent) */
	char *kernel_info;	/* kernel.info text, or NULL */
	struct wb_run *runs;
	int nr;
	int skipped;		/* partial or unreadable run directories */
};

/* A JSON number, or null for NaN and infinities (summary.json, the gate's JSON). */
static inline json_t *wb_jnum(double v)
{
	return v != v || v - v != 0 ? json_null() : json_real(v);
}

/* Load a run directory. Errors name the file and the problem; returns 0 or -1. */
int wb_runset_load(const char *dir, struct wb_runset *rs, char *err, size_t errlen);
void wb_runset_free(struct wb_runset *rs);
/* Parse one fio json+ document into r (exposed for tests). */
int wb_fio_parse(json_t *root, struct wb_run *r, char *err, size_t errlen);

#endif
