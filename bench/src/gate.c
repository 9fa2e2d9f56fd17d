// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope gate: compare a candidate benchmark run with a baseline (a run, or the last
 * runs recorded in the history database) per workload, device, path and metric, and
 * decide pass (0), regression (1) or inconclusive (2).
 *
 * A cell is a regression only when all of these hold:
 *  - the 95% bootstrap interval of the ratio candidate/baseline (of medians) lies
 *    entirely on the bad side of 1, and the Mann-Whitney U p-value is below alpha;
 *  - the change is larger than the metric's threshold (gate.toml) and larger than the
 *    noise floor: the largest change seen between runs of the baseline alone (A/A: two
 *    baseline runs against each other, or the odd against the even repetitions of one).
 * A cell is inconclusive when the test could never reach alpha with the runs given, or
 * when the baseline is so noisy that a change of the threshold's size could not be seen
 * with them; the message says how many runs per side would be needed. Only inconclusive
 * cells of required metrics (gate.toml; throughput by default) make the gate as a whole
 * inconclusive: the others can fail it, never hold it up.
 */
#include <errno.h>
#include <getopt.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "common.h"
#include "gate.h"
#include "history.h"
#include "report.h"
#include "runs.h"	/* wb_jnum */
#include "stats.h"

static const char usage_text[] =
	"usage: wbscope gate --baseline RUN_DIR|history[:N] --candidate RUN_DIR\n"
	"                    [--config FILE] [--db FILE] [--md FILE] [--json FILE]\n"
	"\n"
	"Compare a candidate benchmark run with a baseline, per workload, device, path and\n"
	"metric (throughput, p99 latency per I/O, writepages and end-I/O time per MiB).\n"
	"Exit status: 0 pass, 1 regression, 2 inconclusive (a cell of a required metric,\n"
	"throughput by default) or error.\n"
	"\n"
	"  --baseline RUN_DIR    a run made by 'wbscope bench' (with its summary.json)\n"
	"  --baseline history[:N]  the last N runs (default: history_runs in the config) in\n"
	"                        the history database with the candidate's matrix and mode\n"
	"  --candidate RUN_DIR   the run under test\n"
	"  --config FILE         thresholds (default bench/gate.toml)\n"
	"  --db FILE             history database (default results/history.sqlite)\n"
	"  --md FILE, --json FILE  also write the Markdown summary / JSON there\n";

void wb_gate_config_defaults(struct wb_gate_config *c)
{
	memset(c, 0, sizeof(*c));
	c->alpha = 0.05;
	c->level = 0.95;
	c->power = 0.9;
	c->history_runs = 5;
	c->iters = 2000;
	for (int m = 0; m < WB_GM_NR; m++) {
		c->threshold[m] = wb_gate_metrics[m].threshold;
		c->enabled[m] = 1;
		c->required[m] = m == WB_GM_THROUGHPUT;
	}
}

/* A number, optionally followed by a '#' comment (TOML style). */
static int parse_num(const char *v, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(v, &end);
	if (end == v || errno)
		return -1;
	while (*end == ' ' || *end == '\t')
		end++;
	return *end && *end != '#' ? -1 : 0;
}

struct conf_ctx {
	struct wb_gate_config *c;
	char err[256];
};

static int conf_handler(void *user, const char *section, const char *name, const char *value)
{
	struct conf_ctx *x = user;
	struct wb_gate_config *c = x->c;
	double v;
	int m;

	if (!strcmp(value, "true") || !strncmp(value, "true ", 5))
		v = 1;
	else if (!strcmp(value, "false") || !strncmp(value, "false ", 6))
		v = 0;
	else if (parse_num(value, &v)) {
		snprintf(x->err, sizeof(x->err), "[%s] %s = '%s' is not a number or true/false", section, name, value);
		return 0;
	}
	if (!strcmp(section, "gate")) {
		if (!strcmp(name, "alpha") && v > 0 && v < 1)
			c->alpha = v;
		else if (!strcmp(name, "level") && v > 0 && v < 1)
			c->level = v;
		else if (!strcmp(name, "power") && v > 0 && v < 1)
			c->power = v;
		else if (!strcmp(name, "history_runs") && v >= 1 && v <= 1000)
			c->history_runs = (int)v;
		else if (!strcmp(name, "bootstrap_iterations") && v >= 100 && v <= 1000000)
			c->iters = (int)v;
		else {
			snprintf(x->err, sizeof(x->err), "[gate] %s = %s: unknown key or value out of range", name, value);
			return 0;
		}
		return 1;
	}
	m = wb_gate_metric_by_name(section);
	if (m < 0) {
		snprintf(x->err, sizeof(x->err), "unknown section [%s] (gate, throughput, clat_p99, writepages, endio)", section);
		return 0;
	}
	if (!strcmp(name, "threshold") && v >= 0 && v < 10)
		c->threshold[m] = v;
	else if (!strcmp(name, "enabled"))
		c->enabled[m] = v != 0;
	else if (!strcmp(name, "required"))
		c->required[m] = v != 0;
	else {
		snprintf(x->err, sizeof(x->err), "[%s] %s = %s: unknown key or value out of range", section, name, value);
		return 0;
	}
	return 1;
}

int wb_gate_config_load(struct wb_gate_config *c, const char *path, char *err, size_t errlen)
{
	struct conf_ctx x = { .c = c };
	int rc = ini_parse(path, conf_handler, &x);

	if (rc == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOENT));
		return -1;
	}
	if (rc) {
		snprintf(err, errlen, "%s:%d: %s", path, rc, x.err[0] ? x.err : "syntax error");
		return -1;
	}
	return 0;
}

static double z_of(double p)	/* inverse of the standard normal CDF (bisection) */
{
	double lo = -10, hi = 10;

	for (int i = 0; i < 100; i++) {
		double mid = (lo + hi) / 2;

		if (0.5 * erfc(-mid / sqrt(2)) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* Median of the samples of one run (or of one rep parity when run < 0: -1 odd, -2 even). */
static int subset(const struct wb_cell *c, int run, double *out)
{
	int n = 0;

	for (int i = 0; i < c->n; i++)
		if ((run >= 0 && c->run[i] == run) || (run == -1 && c->rep[i] % 2) ||
		    (run == -2 && !(c->rep[i] % 2)))
			out[n++] = c->v[i];
	return n;
}

/* The largest relative change between parts of the baseline alone (A/A). */
static double aa_floor(const struct wb_cell *b, int baseline_runs, int *pairs)
{
	double x[WB_SAMPLES_MAX], y[WB_SAMPLES_MAX], worst = 0;
	int nx, ny;

	*pairs = 0;
	if (baseline_runs >= 2) {
		for (int i = 0; i < baseline_runs; i++)
			for (int j = i + 1; j < baseline_runs; j++) {
				nx = subset(b, i, x);
				ny = subset(b, j, y);
				if (nx && ny && wb_median(x, nx) > 0) {
					worst = fmax(worst, fabs(wb_median(y, ny) / wb_median(x, nx) - 1));
					(*pairs)++;
				}
			}
		return worst;
	}
	nx = subset(b, -1, x);
	ny = subset(b, -2, y);
	if (nx >= 2 && ny >= 2 && wb_median(x, nx) > 0) {
		(*pairs)++;
		return fabs(wb_median(y, ny) / wb_median(x, nx) - 1);
	}
	return NAN;
}

void wb_gate_measure(const struct wb_gate_config *cfg, const struct wb_cell *b, int baseline_runs,
		     const struct wb_cell *c, struct wb_gate_result *r)
{
	struct wb_spread sb, sc;

	memset(r, 0, sizeof(*r));
	r->metric = b->metric;
	r->ratio = r->lo = r->hi = r->p = r->p_adj = r->floor = NAN;
	wb_spread(b->v, b->n, &sb);
	wb_spread(c->v, c->n, &sc);
	r->base_median = sb.median;
	r->cand_median = sc.median;
	r->base_cv = sb.cv;
	r->cand_cv = sc.cv;
	r->nb = b->n;
	r->nc = c->n;
	r->floor = aa_floor(b, baseline_runs, &r->aa_pairs);
	if (wb_boot_ratio(b->v, b->n, c->v, c->n, cfg->iters, cfg->level, 20261127, &r->ratio, &r->lo, &r->hi))
		return;
	r->p = r->p_adj = wb_mwu(b->v, b->n, c->v, c->n, NULL);
	r->change = r->ratio - 1;
}

/* Smallest n per side with which the exact rank test can reach alpha. */
static int min_runs_for_alpha(double alpha)
{
	for (int n = 2; n < 200; n++)
		if (wb_mwu_min_p(n, n) < alpha)
			return n;
	return 200;
}

void wb_gate_holm(struct wb_gate_result *r, int m)
{
	int *order = malloc(m * sizeof(*order)), k = 0;
	double run_max = 0;

	if (!order)
		return;
	for (int i = 0; i < m; i++)
		if (!isnan(r[i].p))
			order[k++] = i;
	/* sort by raw p (insertion sort: a few hundred cells at most) */
	for (int i = 1; i < k; i++)
		for (int j = i; j > 0 && r[order[j]].p < r[order[j - 1]].p; j--) {
			int t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (int i = 0; i < k; i++) {
		double adj = fmin(1, (k - i) * r[order[i]].p);

		run_max = fmax(run_max, adj);	/* adjusted p-values never decrease */
		r[order[i]].p_adj = run_max;
		r[order[i]].family = k;
	}
	free(order);
}

void wb_gate_decide(const struct wb_gate_config *cfg, struct wb_gate_result *r)
{
	const struct wb_gate_metric_info *mi = &wb_gate_metrics[r->metric];
	int m = r->family > 1 ? r->family : 1;
	double alpha_cell = cfg->alpha / m;	/* what the smallest p of the family must beat */
	double za = z_of(1 - alpha_cell / 2), zb = z_of(cfg->power);
	int need = min_runs_for_alpha(alpha_cell), n = r->nb < r->nc ? r->nb : r->nc;
	double thr = cfg->threshold[r->metric];
	int bad_side, good_side, beyond, significant;

	r->why[0] = 0;
	if (isnan(r->ratio)) {
		r->status = WB_GATE_INCONCLUSIVE;
		snprintf(r->why, sizeof(r->why), "no usable samples on one side");
		return;
	}
	/* Runs per side needed to see a change of the threshold's size with this noise. */
	r->runs_needed = isnan(r->base_cv) || thr <= 0 ? need : (int)ceil(2 * pow((za + zb) * r->base_cv / thr, 2));
	if (r->runs_needed < need)
		r->runs_needed = need;
	bad_side = mi->higher_is_better ? r->hi < 1 : r->lo > 1;
	good_side = mi->higher_is_better ? r->lo > 1 : r->hi < 1;
	beyond = fabs(r->change) > thr && (isnan(r->floor) || fabs(r->change) > r->floor);
	significant = r->p_adj < cfg->alpha;

	if (wb_mwu_min_p(r->nb, r->nc) >= alpha_cell) {
		r->status = WB_GATE_INCONCLUSIVE;
		snprintf(r->why, sizeof(r->why), "too few runs (%d and %d): with %d cells compared the rank test needs at least %d per side",
			 r->nb, r->nc, m, need);
	} else if (bad_side && significant && beyond) {
		r->status = WB_GATE_REGRESSION;
		snprintf(r->why, sizeof(r->why), "%+.1f%%, beyond the %.0f%% threshold%s", 100 * r->change, 100 * thr,
			 isnan(r->floor) ? "" : " and the A/A noise floor");
	} else if (good_side && significant && beyond) {
		r->status = WB_GATE_IMPROVEMENT;
		snprintf(r->why, sizeof(r->why), "%+.1f%%", 100 * r->change);
	} else if (r->runs_needed > n) {
		r->status = WB_GATE_INCONCLUSIVE;
		snprintf(r->why, sizeof(r->why), "baseline too noisy (cv %.1f%%): %d runs per side needed to see a %.0f%% change",
			 100 * r->base_cv, r->runs_needed, 100 * thr);
	} else {
		r->status = WB_GATE_PASS;
		if (bad_side && significant)
			snprintf(r->why, sizeof(r->why), "%+.1f%%: significant but within %s", 100 * r->change,
				 fabs(r->change) <= thr ? "the threshold" : "the A/A noise floor");
	}
}

void wb_gate_cell(const struct wb_gate_config *cfg, const struct wb_cell *b, int baseline_runs,
		  const struct wb_cell *c, struct wb_gate_result *r)
{
	wb_gate_measure(cfg, b, baseline_runs, c, r);
	r->family = 1;
	wb_gate_decide(cfg, r);
}

const char *wb_gate_status_name(enum wb_gate_status s)
{
	static const char *const names[] = { "pass", "improvement", "REGRESSION", "inconclusive" };

	return names[s];
}

static void md_row(FILE *f, const struct wb_cell *b, const struct wb_gate_result *r)
{
	const struct wb_gate_metric_info *mi = &wb_gate_metrics[b->metric];
	const char *em = r->status == WB_GATE_REGRESSION || r->status == WB_GATE_IMPROVEMENT ? "**" : "";
	char floor[32] = "–";

	if (!isnan(r->floor))
		snprintf(floor, sizeof(floor), "%.1f%%", 100 * r->floor);
	fprintf(f, "| %s | %s | %s | %s | %.4g ±%.1f%% | %s%+.1f%%%s [%+.1f, %+.1f] | %.4g ±%.1f%% | %.2g | %s | %s%s%s%s%s |\n",
		b->workload, b->device, b->path, mi->name, r->base_median, 100 * r->base_cv, em, 100 * r->change, em,
		100 * (r->lo - 1), 100 * (r->hi - 1), r->cand_median, 100 * r->cand_cv, r->p_adj, floor, em,
		wb_gate_status_name(r->status), em, r->why[0] ? ": " : "", r->why);
}

static int run_gate(const struct wb_gate_config *cfg, struct wb_samples *base, struct wb_samples *cand,
		    const char *base_desc, const char *cand_desc, FILE *md, json_t *js)
{
	int counts[4] = { 0 }, blocking = 0;
	json_t *cells = json_array();

	fprintf(md, "# wbscope gate\n\nBaseline: %s (%d run(s)); candidate: %s. Per cell: median ±cv of "
		    "each side, the change of the medians with its %.0f%% bootstrap interval, the "
		    "Mann-Whitney p-value corrected for the number of cells compared (Holm), the A/A "
		    "noise floor, and the verdict (significant changes in bold).\n\n", base_desc, base->runs, cand_desc, 100 * cfg->level);
	fprintf(md, "| workload | device | path | metric | baseline | %%change [CI] | candidate | p | A/A floor | verdict |\n");
	fprintf(md, "|---|---|---|---|---|---|---|---|---|---|\n");
	struct wb_gate_result *res = calloc(cand->nr ? cand->nr : 1, sizeof(*res));
	const struct wb_cell **bases = calloc(cand->nr ? cand->nr : 1, sizeof(*bases));
	int m = 0;

	if (!res || !bases) {
		free(res);
		free(bases);
		json_decref(cells);
		return -1;
	}
	/* Measure every cell, then correct the p-values for the number of cells (Holm), so
	 * that the gate as a whole, not each cell, keeps its false-alarm rate near alpha. */
	for (int i = 0; i < cand->nr; i++) {
		const struct wb_cell *c = &cand->cells[i];
		const struct wb_cell *b;

		if (!cfg->enabled[c->metric])
			continue;
		b = wb_samples_find(base, c->workload, c->device, c->path, c->metric);
		if (!b)
			continue;	/* not in the baseline: nothing to compare with */
		wb_gate_measure(cfg, b, base->runs, c, &res[m]);
		bases[m++] = b;
	}
	wb_gate_holm(res, m);
	for (int i = 0; i < m; i++) {
		const struct wb_cell *b = bases[i];
		struct wb_gate_result *r = &res[i];

		wb_gate_decide(cfg, r);
		counts[r->status]++;
		blocking += r->status == WB_GATE_INCONCLUSIVE && cfg->required[r->metric];
		md_row(md, b, r);
		json_array_append_new(cells, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:i,s:i,s:i,s:i,s:s,s:s}",
						       "workload", b->workload, "device", b->device, "path", b->path,
						       "metric", wb_gate_metrics[b->metric].name,
						       "baseline_median", wb_jnum(r->base_median), "candidate_median", wb_jnum(r->cand_median),
						       "baseline_cv", wb_jnum(r->base_cv), "ratio", wb_jnum(r->ratio),
						       "ci_lo", wb_jnum(r->lo), "ci_hi", wb_jnum(r->hi), "p", wb_jnum(r->p),
						       "p_holm", wb_jnum(r->p_adj), "aa_floor", wb_jnum(r->floor),
						       "baseline_n", r->nb, "candidate_n", r->nc, "cells", r->family,
						       "runs_needed", r->runs_needed,
						       "verdict", wb_gate_status_name(r->status), "why", r->why));
	}
	free(res);
	free(bases);
	fprintf(md, "\n**%d regression(s), %d inconclusive (%d in a required metric), %d improvement(s), %d pass.**\n",
		counts[WB_GATE_REGRESSION], counts[WB_GATE_INCONCLUSIVE], blocking, counts[WB_GATE_IMPROVEMENT],
		counts[WB_GATE_PASS]);
	json_object_set_new(js, "cells", cells);
	json_object_set_new(js, "regressions", json_integer(counts[WB_GATE_REGRESSION]));
	json_object_set_new(js, "inconclusive", json_integer(counts[WB_GATE_INCONCLUSIVE]));
	json_object_set_new(js, "inconclusive_required", json_integer(blocking));
	json_object_set_new(js, "improvements", json_integer(counts[WB_GATE_IMPROVEMENT]));
	json_object_set_new(js, "passed", json_integer(counts[WB_GATE_PASS]));
	if (!json_array_size(cells))
		return -1;
	if (counts[WB_GATE_REGRESSION])
		return WB_EXIT_FAIL;
	return blocking ? WB_EXIT_ERROR : WB_EXIT_OK;
}

int cmd_gate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "candidate", required_argument, NULL, 'c' },
		{ "config", required_argument, NULL, 'f' },
		{ "db", required_argument, NULL, 'd' },
		{ "md", required_argument, NULL, 'm' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *baseline = NULL, *candidate = NULL, *config = NULL, *db = NULL, *mdpath = NULL, *jspath = NULL;
	char err[1024], defconf[4200], desc[256];
	struct wb_gate_config cfg;
	struct wb_samples base = { 0 }, cand = { 0 };
	char *mdbuf = NULL;
	size_t mdlen = 0;
	FILE *md;
	json_t *js;
	int o, rc;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'b': baseline = optarg; break;
		case 'c': candidate = optarg; break;
		case 'f': config = optarg; break;
		case 'd': db = optarg; break;
		case 'm': mdpath = optarg; break;
		case 'j': jspath = optarg; break;
		case 'h': printf(usage_text); return WB_EXIT_OK;
		default: fprintf(stderr, usage_text); return WB_EXIT_ERROR;
		}
	}
	if (!baseline || !candidate || optind != argc) {
		fprintf(stderr, "wbscope gate: --baseline and --candidate are required\n%s", usage_text);
		return WB_EXIT_ERROR;
	}
	wb_gate_config_defaults(&cfg);
	if (!config) {
		snprintf(defconf, sizeof(defconf), "%s/bench/gate.toml", wb_root());
		config = defconf;
	}
	if (wb_gate_config_load(&cfg, config, err, sizeof(err))) {
		fprintf(stderr, "wbscope gate: %s\n", err);
		return WB_EXIT_ERROR;
	}
	if (wb_samples_add_file(&cand, candidate, err, sizeof(err))) {
		fprintf(stderr, "wbscope gate: candidate: %s\n", err);
		return WB_EXIT_ERROR;
	}
	if (!strncmp(baseline, "history", 7) && (baseline[7] == 0 || baseline[7] == ':')) {
		int n = baseline[7] ? atoi(baseline + 8) : cfg.history_runs;

		if (n <= 0) {
			fprintf(stderr, "wbscope gate: --baseline %s: N must be a positive number\n", baseline);
			rc = WB_EXIT_ERROR;
			goto out;
		}
		if (wb_history_baseline(db, candidate, n, &base, err, sizeof(err))) {
			fprintf(stderr, "wbscope gate: baseline: %s\n", err);
			rc = WB_EXIT_ERROR;
			goto out;
		}
		snprintf(desc, sizeof(desc), "history (the last %d runs of the same matrix)", n);
	} else {
		if (wb_samples_add_file(&base, baseline, err, sizeof(err))) {
			fprintf(stderr, "wbscope gate: baseline: %s\n", err);
			rc = WB_EXIT_ERROR;
			goto out;
		}
		snprintf(desc, sizeof(desc), "%s", baseline);
	}
	if (base.accel[0] && cand.accel[0] && strcmp(base.accel, cand.accel)) {
		fprintf(stderr, "wbscope gate: the baseline ran under '%s' and the candidate under '%s': "
			"their timings are not comparable\n", base.accel, cand.accel);
		rc = WB_EXIT_ERROR;
		goto out;
	}
	md = open_memstream(&mdbuf, &mdlen);
	js = json_pack("{s:s,s:s,s:s}", "schema", "wbscope-gate/1", "baseline", desc, "candidate", candidate);
	rc = run_gate(&cfg, &base, &cand, desc, candidate, md, js);
	fclose(md);
	if (rc < 0) {
		fprintf(stderr, "wbscope gate: the baseline and the candidate have no workload, device and path in common\n");
		rc = WB_EXIT_ERROR;
	} else {
		json_object_set_new(js, "exit_status", json_integer(rc));
		fputs(mdbuf, stdout);
		if (mdpath) {
			FILE *f = fopen(mdpath, "w");

			if (!f || fputs(mdbuf, f) < 0 || fclose(f)) {
				fprintf(stderr, "wbscope gate: cannot write %s\n", mdpath);
				rc = WB_EXIT_ERROR;
			}
		}
		if (jspath && json_dump_file(js, jspath, JSON_INDENT(1))) {
			fprintf(stderr, "wbscope gate: cannot write %s\n", jspath);
			rc = WB_EXIT_ERROR;
		}
	}
	json_decref(js);
	free(mdbuf);
out:
	wb_samples_free(&base);
	wb_samples_free(&cand);
	return rc;
}
