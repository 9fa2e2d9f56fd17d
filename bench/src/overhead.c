// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope overhead-report RUNS.jsonl: the statistics of the tool overhead benchmark
 * (bench/overhead). RUNS.jsonl holds one measured fio run per line:
 *   {"job", "variant", "round", "bw_kib"[, "profile", "bytes", "traced_s", "bpf_ns", "progs",
 *    "missed"]}
 * A run with "profile": true ran with kernel.bpf_stats_enabled, whose clock reads slow
 * every program down: it gives the BPF run times (bpf_ns, progs) and no throughput.
 * "missed" (measured runs): each program's runs the kernel skipped.
 * The other runs give the throughput, and BPF times only where they have them (older
 * files measured both in the same runs).
 * Every round ran each variant once, in shuffled order, so a variant's cost is taken
 * from its ratio to the baseline run of the same round, which cancels slow drifts of
 * the machine: cost = 1 - median over rounds of (variant / baseline), with a percentile
 * bootstrap interval of that median (fixed seed: a report is reproducible from its runs).
 * Beside it, the tools' own BPF run time (kernel.bpf_stats_enabled): the share of one
 * CPU, µs per MiB written, and per BPF program (bpftool's counts during the run).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "common.h"
#include "overhead.h"
#include "runs.h"	/* wb_jnum */
#include "stats.h"

#define OH_BOOT_ITERS 4000
#define OH_BOOT_SEED 1

static const char usage_text[] =
	"usage: wbscope overhead-report RUNS.jsonl [--baseline VARIANT] [--target-pct P]\n"
	"                               [--json FILE] [--md FILE]\n"
	"\n"
	"Statistics of the tool overhead benchmark (bench/overhead): each tracer's throughput\n"
	"cost against the baseline run of the same round, with a 95% bootstrap interval and a\n"
	"verdict against the target (default 2%), and the tools' own BPF run time.\n";

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add s to the sorted set names[*n] (capacity cap) unless present. */
static void set_add(char **names, int *n, int cap, const char *s)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(names[i], s))
			return;
	if (*n < cap) {
		names[(*n)++] = strdup(s);
		qsort(names, *n, sizeof(*names), cmp_str);
	}
}

int wb_oh_load(const char *path, struct wb_oh_run **out, int *nout, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct wb_oh_run *runs = NULL;
	char *line = NULL;
	size_t cap = 0;
	int n = 0, lineno = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		static const char *const need[] = { "job", "variant", "round", "bw_kib" };
		json_error_t je;
		json_t *j, *bw;
		struct wb_oh_run *r;

		lineno++;
		if (strspn(line, " \t\r\n") == strlen(line))
			continue;
		j = json_loads(line, 0, &je);
		if (!j) {
			snprintf(err, errlen, "%s:%d: not JSON: %s", path, lineno, je.text);
			goto fail;
		}
		for (int k = 0; k < 4; k++)
			if (!json_object_get(j, need[k])) {
				snprintf(err, errlen, "%s:%d: missing field '%s'", path, lineno, need[k]);
				json_decref(j);
				goto fail;
			}
		bw = json_object_get(j, "bw_kib");
		if (!json_is_number(bw) || json_number_value(bw) <= 0) {
			snprintf(err, errlen, "%s:%d: bw_kib must be a positive number", path, lineno);
			json_decref(j);
			goto fail;
		}
		r = realloc(runs, (n + 1) * sizeof(*runs));
		if (!r) {
			snprintf(err, errlen, "out of memory");
			json_decref(j);
			goto fail;
		}
		runs = r;
		runs[n++] = (struct wb_oh_run){ .doc = j, .bw = json_number_value(bw),
			.round = (int)json_integer_value(json_object_get(j, "round")),
			.profile = json_is_true(json_object_get(j, "profile")),
			.job = json_string_value(json_object_get(j, "job")) ?: "?",
			.variant = json_string_value(json_object_get(j, "variant")) ?: "?" };
	}
	free(line);
	fclose(f);
	if (!n) {
		snprintf(err, errlen, "%s: no runs", path);
		return -1;
	}
	*out = runs;
	*nout = n;
	return 0;
fail:
	free(line);
	fclose(f);
	wb_oh_free(runs, n);
	return -1;
}

void wb_oh_free(struct wb_oh_run *runs, int n)
{
	for (int i = 0; i < n; i++)
		json_decref(runs[i].doc);
	free(runs);
}

/* {n, median, mean, stdev, cv_pct, min, max} of x[n]. */
static json_t *describe(const double *x, int n)
{
	struct wb_spread s;
	json_t *o = json_pack("{s:i}", "n", n);

	if (!n)
		return o;
	wb_spread(x, n, &s);
	json_object_set_new(o, "median", wb_jnum(s.median));
	json_object_set_new(o, "mean", wb_jnum(s.mean));
	json_object_set_new(o, "stdev", wb_jnum(wb_stddev(x, n)));
	json_object_set_new(o, "cv_pct", wb_jnum(100 * s.cv));
	json_object_set_new(o, "min", wb_jnum(s.min));
	json_object_set_new(o, "max", wb_jnum(s.max));
	return o;
}

const char *wb_oh_verdict(double lo, double hi, double target, char *buf, size_t len)
{
	if (isnan(lo))
		return "too few rounds";
	if (hi < target)
		snprintf(buf, len, "under %g%%", target);
	else if (lo > target)
		snprintf(buf, len, "over %g%%", target);
	else
		return "inconclusive";
	return buf;
}

static double num(json_t *j, const char *k)
{
	json_t *v = json_object_get(j, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/*
 * Per BPF program of one variant, from the profiling runs rv: median runs per MiB, ns
 * per run, µs per MiB, and the share of its events the kernel skipped ("missed": a run
 * of the same program was in progress on that CPU). The statistics' clock reads
 * lengthen every run, so the profiling runs skip more than use does: missed_pct is
 * taken from the measured runs mv instead (their skipped runs per MiB, against the
 * profiling runs' events per MiB), missed_pct_profiling from the profiling runs. Either
 * is null where no run recorded it (older files).
 */
static json_t *programs(struct wb_oh_run **rv, int n, struct wb_oh_run **mv, int nm)
{
	char *names[WB_OH_MAX_PROGS];
	int nn = 0;
	json_t *out = json_object();

	for (int i = 0; i < n; i++) {
		json_t *p;
		size_t k;

		json_array_foreach(json_object_get(rv[i]->doc, "progs"), k, p)
			if (json_string_value(json_object_get(p, "name")))
				set_add(names, &nn, WB_OH_MAX_PROGS, json_string_value(json_object_get(p, "name")));
	}
	/* most expensive first: insertion by µs per MiB */
	struct { const char *name; double rpm, npr, upm, mpct, mpct_prof; } row[WB_OH_MAX_PROGS];
	int nr = 0;

	for (int a = 0; a < nn; a++) {
		double rpm[WB_OH_MAX_ROUNDS], npr[WB_OH_MAX_ROUNDS], upm[WB_OH_MAX_ROUNDS];
		double mpct[WB_OH_MAX_ROUNDS], epm[WB_OH_MAX_ROUNDS], mpm[WB_OH_MAX_ROUNDS];
		int m = 0, mm = 0, me = 0;

		for (int i = 0; i < n && m < WB_OH_MAX_ROUNDS; i++) {
			double mib = num(rv[i]->doc, "bytes") / 1048576.0;
			json_t *p;
			size_t k;

			json_array_foreach(json_object_get(rv[i]->doc, "progs"), k, p) {
				double runs = num(p, "runs"), ns = num(p, "ns"), missed = num(p, "missed");

				if (strcmp(json_string_value(json_object_get(p, "name")) ?: "", names[a]) || !(mib > 0))
					continue;
				rpm[m] = runs / mib;
				npr[m] = runs > 0 ? ns / runs : 0;
				upm[m] = ns / 1000 / mib;
				m++;
				if (missed >= 0 && runs + missed > 0) {
					mpct[mm] = 100 * missed / (runs + missed);
					epm[mm++] = (runs + missed) / mib;
				}
				break;
			}
		}
		if (!m)
			continue;
		for (int i = 0; i < nm && me < WB_OH_MAX_ROUNDS; i++) {
			double mib = num(mv[i]->doc, "bytes") / 1048576.0;
			json_t *p;
			size_t k;

			json_array_foreach(json_object_get(mv[i]->doc, "missed"), k, p) {
				double missed = num(p, "missed");

				if (strcmp(json_string_value(json_object_get(p, "name")) ?: "", names[a]) ||
				    !(mib > 0) || !(missed >= 0))
					continue;
				mpm[me++] = missed / mib;
				break;
			}
		}
		row[nr].name = names[a];
		row[nr].rpm = wb_median(rpm, m);
		row[nr].npr = wb_median(npr, m);
		row[nr].upm = wb_median(upm, m);
		row[nr].mpct_prof = mm ? wb_median(mpct, mm) : NAN;
		row[nr].mpct = mm && me ? 100 * wb_median(mpm, me) / wb_median(epm, mm) : NAN;
		for (int j = nr++; j > 0 && row[j].upm > row[j - 1].upm; j--) {
			__typeof__(row[0]) t = row[j];

			row[j] = row[j - 1];
			row[j - 1] = t;
		}
	}
	for (int i = 0; i < nr; i++)
		json_object_set_new(out, row[i].name, json_pack("{s:o,s:o,s:o,s:o,s:o}", "runs_per_mib", wb_jnum(row[i].rpm),
								"ns_per_run", wb_jnum(row[i].npr),
								"us_per_mib", wb_jnum(row[i].upm),
								"missed_pct", wb_jnum(row[i].mpct),
								"missed_pct_profiling", wb_jnum(row[i].mpct_prof)));
	for (int a = 0; a < nn; a++)
		free(names[a]);
	return out;
}

json_t *wb_oh_analyse(const struct wb_oh_run *runs, int n, const char *baseline, double target,
		      char *err, size_t errlen)
{
	char *jobs[WB_OH_MAX_NAMES], *vars[WB_OH_MAX_NAMES], vbuf[32];
	int nj = 0, nv = 0;
	json_t *res = json_pack("{s:s,s:o,s:o}", "baseline", baseline, "target_pct", wb_jnum(target),
				"jobs", json_object());
	json_t *jobs_o = json_object_get(res, "jobs");

	for (int i = 0; i < n; i++) {
		set_add(jobs, &nj, WB_OH_MAX_NAMES, runs[i].job);
		if (strcmp(runs[i].variant, baseline))
			set_add(vars, &nv, WB_OH_MAX_NAMES, runs[i].variant);
	}
	for (int a = 0; a < nj; a++) {
		const struct wb_oh_run *base[WB_OH_MAX_ROUNDS];
		double bw[WB_OH_MAX_ROUNDS];
		int nb = 0;
		json_t *entry = json_object();

		for (int i = 0; i < n && nb < WB_OH_MAX_ROUNDS; i++)
			if (!strcmp(runs[i].job, jobs[a]) && !strcmp(runs[i].variant, baseline) && !runs[i].profile) {
				base[nb] = &runs[i];
				bw[nb++] = runs[i].bw;
			}
		if (!nb) {
			snprintf(err, errlen, "job %s: no '%s' runs to compare with", jobs[a], baseline);
			json_decref(entry);
			json_decref(res);
			res = NULL;
			goto out;
		}
		json_object_set_new(entry, baseline, json_pack("{s:o}", "bw_kib", describe(bw, nb)));
		for (int v = 0; v < nv; v++) {
			struct wb_oh_run *withp[WB_OH_MAX_ROUNDS], *withm[WB_OH_MAX_ROUNDS];
			double vbw[WB_OH_MAX_ROUNDS], cost[WB_OH_MAX_ROUNDS], cpu[WB_OH_MAX_ROUNDS],
			       per[WB_OH_MAX_ROUNDS];
			int nr = 0, nc = 0, nbpf = 0, ncpu = 0, nprog = 0, nmiss = 0;
			json_t *e = json_object(), *cj;

			for (int i = 0; i < n && nr < WB_OH_MAX_ROUNDS && nbpf < WB_OH_MAX_ROUNDS; i++) {
				const struct wb_oh_run *r = &runs[i];
				double bpf = num(r->doc, "bpf_ns"), bytes = num(r->doc, "bytes"), ts = num(r->doc, "traced_s");

				if (strcmp(r->job, jobs[a]) || strcmp(r->variant, vars[v]))
					continue;
				if (!r->profile) {
					vbw[nr++] = r->bw;
					for (int b = 0; b < nb; b++)
						if (base[b]->round == r->round) {
							cost[nc++] = 100 * (1 - r->bw / base[b]->bw);
							break;
						}
					if (json_is_array(json_object_get(r->doc, "missed")))
						withm[nmiss++] = (struct wb_oh_run *)r;
				}
				if (isnan(bpf) || !(bytes > 0))
					continue;
				per[nbpf++] = bpf / (bytes / 1048576.0);
				if (ts > 0)
					cpu[ncpu++] = 100 * bpf / (ts * 1e9);
				if (json_is_array(json_object_get(r->doc, "progs")))
					withp[nprog++] = (struct wb_oh_run *)r;
			}
			json_object_set_new(e, "bw_kib", describe(vbw, nr));
			json_object_set_new(e, "paired_rounds", json_integer(nc));
			if (nbpf) {
				json_object_set_new(e, "bpf_cpu_pct", describe(cpu, ncpu));
				json_object_set_new(e, "bpf_ns_per_mib", describe(per, nbpf));
			}
			if (nprog) {
				json_t *pr = programs(withp, nprog, withm, nmiss);

				if (json_object_size(pr))
					json_object_set_new(e, "programs", pr);
				else
					json_decref(pr);
			}
			if (nc) {
				double lo = NAN, hi = NAN;
				json_t *pr = json_array();

				if (nc >= 2)
					wb_boot_median(cost, nc, OH_BOOT_ITERS, 0.95, OH_BOOT_SEED, &lo, &hi);
				for (int k = 0; k < nc; k++)
					json_array_append_new(pr, wb_jnum(cost[k]));
				cj = json_pack("{s:o,s:[o,o],s:o}", "median", wb_jnum(wb_median(cost, nc)),
					       "ci95", wb_jnum(lo), wb_jnum(hi), "per_round", pr);
				json_object_set_new(e, "cost_pct", cj);
				json_object_set_new(e, "verdict", json_string(wb_oh_verdict(lo, hi, target, vbuf, sizeof(vbuf))));
			} else {
				json_object_set_new(e, "verdict", json_string("no paired runs"));
			}
			json_object_set_new(entry, vars[v], e);
		}
		json_object_set_new(jobs_o, jobs[a], entry);
	}
out:
	for (int a = 0; a < nj; a++)
		free(jobs[a]);
	for (int v = 0; v < nv; v++)
		free(vars[v]);
	return res;
}

static void fmt(char *buf, size_t len, json_t *v, int digits, double scale)
{
	if (!json_is_number(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", digits, json_number_value(v) / scale);
}

/* A share in percent with two decimals, "-" when there is none. */
static void pct(char *buf, size_t len, json_t *v)
{
	if (!json_is_number(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2f%%", json_number_value(v));
}

/*
 * Tools measured next to their floor (variant floor-TOOL: empty programs on the tool's
 * hooks): how much of a tool's cost is the kernel running BPF on those events at all,
 * and how much the tool's own work.
 */
static void oh_floors(FILE *f, const char *job, json_t *entry)
{
	const char *var;
	json_t *e;
	int n = 0;

	json_object_foreach(entry, var, e) {
		json_t *fl, *tc, *fc;
		char name[128], t[32], a[32], b[32];

		if (strncmp(var, "floor-", 6))
			continue;
		tc = json_object_get(json_object_get(json_object_get(entry, var + 6), "cost_pct"), "median");
		fl = json_object_get(entry, var);
		fc = json_object_get(json_object_get(fl, "cost_pct"), "median");
		if (!json_is_number(tc) || !json_is_number(fc))
			continue;
		if (!n++)
			fprintf(f, "Floor (%s): a tool's cost next to that of a program doing nothing on each of "
				   "its hooks (the kernel running BPF on those events at all); the rest is the "
				   "tool's own work (difference of the medians).\n\n"
				   "| tool | cost %% | floor %% | tool's own work %% |\n|---|---:|---:|---:|\n", job);
		snprintf(name, sizeof(name), "%s", var + 6);
		fmt(t, sizeof(t), tc, 1, 1);
		fmt(a, sizeof(a), fc, 1, 1);
		snprintf(b, sizeof(b), "%.1f", json_number_value(tc) - json_number_value(fc));
		fprintf(f, "| %s | %s | %s | %s |\n", name, t, a, b);
	}
	if (n)
		fprintf(f, "\n");
}

#define OH_MAX_NAMES 64

/*
 * At a glance: one row per tracer, one column per workload, each cell the median cost
 * and the verdict against the target, then how many tracer-workload pairs are under it.
 */
static void oh_overview(FILE *f, json_t *jobs)
{
	char *vars[OH_MAX_NAMES];
	const char *job, *var;
	int nv = 0, njobs = 0, under = 0, measured = 0;
	json_t *entry, *e;

	json_object_foreach(jobs, job, entry) {
		njobs++;
		json_object_foreach(entry, var, e)
			if (json_object_get(e, "verdict"))
				set_add(vars, &nv, OH_MAX_NAMES, var);
	}
	if (!nv || njobs < 1)
		return;
	fprintf(f, "At a glance: median cost %% and verdict per tracer and workload.\n\n| tracer |");
	json_object_foreach(jobs, job, entry)
		fprintf(f, " %s |", job);
	fprintf(f, "\n|---|");
	for (int j = 0; j < njobs; j++)
		fprintf(f, "---|");
	fprintf(f, "\n");
	for (int v = 0; v < nv; v++) {
		fprintf(f, "| %s |", vars[v]);
		json_object_foreach(jobs, job, entry) {
			json_t *x = json_object_get(entry, vars[v]);
			const char *verdict = json_string_value(json_object_get(x, "verdict"));
			char c[32];

			if (!verdict) {
				fprintf(f, " - |");
				continue;
			}
			fmt(c, sizeof(c), json_object_get(json_object_get(x, "cost_pct"), "median"), 1, 1);
			fprintf(f, " %s (%s) |", c, verdict);
			measured++;
			under += !strncmp(verdict, "under", 5);
		}
		fprintf(f, "\n");
		free(vars[v]);
	}
	fprintf(f, "\n%d of %d measured tracer-workload pairs are under the target with 95%% "
		   "confidence.\n\n", under, measured);
}

void wb_oh_markdown(FILE *f, json_t *res)
{
	json_t *jobs = json_object_get(res, "jobs"), *entry;
	const char *job;
	char a[32], b[32], c[32], d[32], e2[32], g[32];

	fprintf(f, "Throughput cost of each tracer against `%s` (no tracing), target under %g%%. "
		   "Cost = 1 - median over rounds of (tracer run / baseline run of the same round); 95%% CI "
		   "by bootstrap. The last two columns are the wbscope tools' own BPF run time "
		   "(kernel.bpf_stats_enabled), a low-noise measure of their direct cost: median %% of one "
		   "CPU over the run, and per MiB written. Where profiling runs exist, the BPF times come from "
		   "them alone and the throughput from the other runs, which had the statistics off "
		   "(they add two clock reads to every program run).\n\n",
		json_string_value(json_object_get(res, "baseline")), json_number_value(json_object_get(res, "target_pct")));
	oh_overview(f, jobs);
	json_object_foreach(jobs, job, entry) {
		const char *var;
		json_t *e;
		int any_prog = 0;

		fprintf(f, "### %s\n\n| variant | MiB/s median | CV %% | rounds | cost %% (median) | 95%% CI | verdict "
			   "| BPF CPU %% of one CPU | BPF µs per MiB |\n|---|---:|---:|---:|---:|---|---|---:|---:|\n", job);
		json_object_foreach(entry, var, e) {
			json_t *bw = json_object_get(e, "bw_kib"), *cost = json_object_get(e, "cost_pct");
			json_t *ci = json_object_get(cost, "ci95");
			const char *verdict = json_string_value(json_object_get(e, "verdict"));

			fmt(a, sizeof(a), json_object_get(bw, "median"), 1, 1024);
			fmt(b, sizeof(b), json_object_get(bw, "cv_pct"), 1, 1);
			fmt(c, sizeof(c), json_object_get(cost, "median"), 1, 1);
			fmt(d, sizeof(d), json_object_get(json_object_get(e, "bpf_cpu_pct"), "median"), 2, 1);
			fmt(e2, sizeof(e2), json_object_get(json_object_get(e, "bpf_ns_per_mib"), "median"), 1, 1000);
			if (ci) {
				char lo[32], hi[32];

				fmt(lo, sizeof(lo), json_array_get(ci, 0), 1, 1);
				fmt(hi, sizeof(hi), json_array_get(ci, 1), 1, 1);
				snprintf(g, sizeof(g), "[%s, %s]", lo, hi);
			} else {
				snprintf(g, sizeof(g), "-");
			}
			fprintf(f, "| %s | %s | %s | %lld | %s | %s | %s | %s | %s |\n", var, a, b,
				(long long)json_integer_value(json_object_get(bw, "n")), c, g, verdict ?: "baseline", d, e2);
			any_prog |= json_object_get(e, "programs") != NULL;
		}
		fprintf(f, "\n");
		oh_floors(f, job, entry);
		if (!any_prog)
			continue;
		fprintf(f, "Where the BPF time goes (%s): each program's median runs per MiB written, ns per run "
			   "and µs per MiB (bpftool, kernel.bpf_stats_enabled), and the share of its events the "
			   "kernel skipped because a run of the same program was in progress on that CPU "
			   "(missed; counts are short by that much): in the measured rounds, and in the "
			   "profiling rounds, whose statistics lengthen every run.\n\n"
			   "| variant | program | runs per MiB | ns per run | µs per MiB | missed | missed, profiling |\n"
			   "|---|---|---:|---:|---:|---:|---:|\n", job);
		json_object_foreach(entry, var, e) {
			const char *name;
			json_t *p;

			json_object_foreach(json_object_get(e, "programs"), name, p) {
				fmt(a, sizeof(a), json_object_get(p, "runs_per_mib"), 1, 1);
				fmt(b, sizeof(b), json_object_get(p, "ns_per_run"), 0, 1);
				fmt(c, sizeof(c), json_object_get(p, "us_per_mib"), 1, 1);
				pct(d, sizeof(d), json_object_get(p, "missed_pct"));
				pct(e2, sizeof(e2), json_object_get(p, "missed_pct_profiling"));
				fprintf(f, "| %s | %s | %s | %s | %s | %s | %s |\n", var, name, a, b, c, d, e2);
			}
		}
		fprintf(f, "\n");
	}
}

int cmd_overhead_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "target-pct", required_argument, NULL, 't' },
		{ "json", required_argument, NULL, 'j' },
		{ "md", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *baseline = "none", *jspath = NULL, *mdpath = NULL;
	double target = 2;
	struct wb_oh_run *runs;
	char err[1024], *end;
	int o, n, rc = WB_EXIT_OK;
	json_t *res;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'b': baseline = optarg; break;
		case 't':
			target = strtod(optarg, &end);
			if (end == optarg || *end || !(target > 0)) {
				fprintf(stderr, "wbscope overhead-report: --target-pct '%s' is not a positive number\n", optarg);
				return WB_EXIT_ERROR;
			}
			break;
		case 'j': jspath = optarg; break;
		case 'm': mdpath = optarg; break;
		case 'h': fputs(usage_text, stdout); return WB_EXIT_OK;
		default: fputs(usage_text, stderr); return WB_EXIT_ERROR;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "wbscope overhead-report: one RUNS.jsonl file expected\n%s", usage_text);
		return WB_EXIT_ERROR;
	}
	if (wb_oh_load(argv[optind], &runs, &n, err, sizeof(err))) {
		fprintf(stderr, "wbscope overhead-report: %s\n", err);
		return WB_EXIT_ERROR;
	}
	res = wb_oh_analyse(runs, n, baseline, target, err, sizeof(err));
	if (!res) {
		fprintf(stderr, "wbscope overhead-report: %s\n", err);
		wb_oh_free(runs, n);
		return WB_EXIT_ERROR;
	}
	if (jspath && json_dump_file(res, jspath, JSON_INDENT(1))) {
		fprintf(stderr, "wbscope overhead-report: cannot write %s\n", jspath);
		rc = WB_EXIT_ERROR;
	}
	if (mdpath) {
		FILE *f = fopen(mdpath, "w");

		if (f)
			wb_oh_markdown(f, res);
		if (!f || fclose(f)) {
			fprintf(stderr, "wbscope overhead-report: cannot write %s\n", mdpath);
			rc = WB_EXIT_ERROR;
		}
	}
	wb_oh_markdown(stdout, res);
	json_decref(res);
	wb_oh_free(runs, n);
	return rc;
}
