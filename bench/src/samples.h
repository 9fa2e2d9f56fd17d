/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-run samples of the gated metrics, keyed by workload, device, path and metric, as
 * read from a run's summary.json (or from the history database). The gate compares
 * the samples of a baseline with those of a candidate.
 */
#ifndef WB_SAMPLES_H
#define WB_SAMPLES_H

#include <jansson.h>

#define WB_SAMPLES_MAX 256

enum wb_gate_metric { WB_GM_THROUGHPUT, WB_GM_CLAT_P99, WB_GM_WRITEPAGES, WB_GM_ENDIO, WB_GM_NR };

struct wb_gate_metric_info {
	const char *name, *unit, *what;
	int higher_is_better;
	double threshold;	/* default relative change that matters */
};
extern const struct wb_gate_metric_info wb_gate_metrics[WB_GM_NR];

struct wb_cell {
	char workload[64], device[16], path[32];
	enum wb_gate_metric metric;
	double v[WB_SAMPLES_MAX];
	int rep[WB_SAMPLES_MAX];
	int run[WB_SAMPLES_MAX];	/* which run (of the set) the sample came from */
	int n;
};

struct wb_samples {
	struct wb_cell *cells;
	int nr, cap;
	int runs;		/* runs added */
	char **run_ids;
	char accel[64];		/* how the runs were timed (host.accel: kvm, tcg, tcg icount=N) */
};

/* Add the samples of one summary.json document; returns 0 or -1 with err set. */
int wb_samples_add_summary(struct wb_samples *s, json_t *summary, char *err, size_t errlen);
int wb_samples_add_file(struct wb_samples *s, const char *run_dir, char *err, size_t errlen);
/*
 * Record how a run was timed (host.accel); runs timed differently (KVM, TCG, TCG with
 * instruction counting) cannot be compared: -1 with err set. NULL or "": not recorded.
 */
int wb_samples_accel(struct wb_samples *s, const char *accel, char *err, size_t errlen);
/* Add one sample (used by the history database). */
int wb_samples_add(struct wb_samples *s, const char *workload, const char *device, const char *path,
		   enum wb_gate_metric m, int run, int rep, double v);
int wb_samples_run(struct wb_samples *s, const char *run_id);
struct wb_cell *wb_samples_find(const struct wb_samples *s, const char *workload, const char *device,
				const char *path, enum wb_gate_metric m);
void wb_samples_free(struct wb_samples *s);
int wb_gate_metric_by_name(const char *name);

#endif
