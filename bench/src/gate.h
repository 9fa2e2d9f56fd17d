/* SPDX-License-Identifier: GPL-2.0 */
/* The CI performance gate: thresholds (gate.toml) and the decision per cell. */
#ifndef WB_GATE_H
#define WB_GATE_H

#include <stddef.h>
#include "samples.h"

struct wb_gate_config {
	double alpha, level, power;
	int history_runs, iters;
	double threshold[WB_GM_NR];	/* relative change that matters, per metric */
	int enabled[WB_GM_NR];
	/* An inconclusive cell of a required metric makes the gate inconclusive (exit 2);
	 * other metrics can only fail it (a significant regression), never hold it up. */
	int required[WB_GM_NR];
};

enum wb_gate_status { WB_GATE_PASS, WB_GATE_IMPROVEMENT, WB_GATE_REGRESSION, WB_GATE_INCONCLUSIVE };

struct wb_gate_result {
	enum wb_gate_status status;
	enum wb_gate_metric metric;
	int family;		/* cells compared together (the Holm correction's m) */
	double p_adj;		/* Holm-adjusted p-value (= p for a family of one) */
	double base_median, cand_median, base_cv, cand_cv;
	double ratio, lo, hi, p, change;
	double floor;		/* A/A noise floor (relative), NAN when unknown */
	int aa_pairs, nb, nc, runs_needed;
	char why[160];
};

void wb_gate_config_defaults(struct wb_gate_config *c);
/* Read a gate.toml (TOML subset: [sections], key = number|true|false, # comments). */
int wb_gate_config_load(struct wb_gate_config *c, const char *path, char *err, size_t errlen);
/* Measure one cell (b from baseline_runs runs, c from the candidate): ratio, interval,
 * p-value, A/A floor. */
void wb_gate_measure(const struct wb_gate_config *cfg, const struct wb_cell *b, int baseline_runs,
		     const struct wb_cell *c, struct wb_gate_result *r);
/* Holm's correction over the m cells of one gate run: sets p_adj and family. */
void wb_gate_holm(struct wb_gate_result *r, int m);
/* The verdict of a measured cell, from its adjusted p-value. */
void wb_gate_decide(const struct wb_gate_config *cfg, struct wb_gate_result *r);
/* Measure and decide one cell on its own (a family of one). */
void wb_gate_cell(const struct wb_gate_config *cfg, const struct wb_cell *b, int baseline_runs,
		  const struct wb_cell *c, struct wb_gate_result *r);
const char *wb_gate_status_name(enum wb_gate_status s);

#endif
