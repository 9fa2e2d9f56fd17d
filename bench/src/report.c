// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope report RUN_DIR: the statistics, report and plots of a benchmark run.
 * wbscope report --index RESULTS_DIR: the index of all runs (RESULTS_DIR/README.md).
 *
 * Writes RUN_DIR/summary.json (schema wbscope-bench/1, for the gate), RUN_DIR/report.md
 * and RUN_DIR/plots/<name>.svg, and prints the throughput table. Everything is derived from
 * the recorded runs with a fixed seed, so re-running it gives the same files.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "commands.h"
#include "common.h"
#include "compare.h"
#include "plot.h"
#include "report.h"

static const char usage_text[] =
	"usage: wbscope report [--no-plots] [--upstream FILE] [-q] RUN_DIR\n"
	"       wbscope report --index RESULTS_DIR\n"
	"\n"
	"Statistics, report.md, summary.json and SVG plots of a benchmark run made by\n"
	"'wbscope bench' (results/<run-id>/); --index rewrites the run index in\n"
	"RESULTS_DIR/README.md. Per workload and device: median and spread of each path,\n"
	"the iomap/buffer_head ratio with a 95%% bootstrap interval, a Mann-Whitney U\n"
	"p-value and a verdict; latency percentiles from merged fio histograms.\n"
	"\n"
	"  --no-plots       skip the gnuplot SVGs\n"
	"  --upstream FILE  published numbers to compare ratios with\n"
	"                   (default bench/upstream/zhang-yi-v1-2024.tsv)\n"
	"  -q, --quiet      do not print the table\n";

/* The repository root: WBSCOPE_ROOT, else two levels above bpf/.output/wbscope. */
const char *wb_root(void)
{
	static char root[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;

	if (root[0])
		return root;
	if (getenv("WBSCOPE_ROOT")) {
		snprintf(root, sizeof(root), "%s", getenv("WBSCOPE_ROOT"));
		return root;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return ".";
	exe[n] = 0;
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(exe, '/');

		if (slash)
			*slash = 0;
	}
	snprintf(root, sizeof(root), "%s", exe);
	return root;
}

static double nan0(double v)
{
	return isnan(v) ? 0 : v;
}

static json_t *metric_json(const struct wb_metric *m, const char *const paths[2], const char *unit)
{
	json_t *o = json_object();

	json_object_set_new(o, "unit", json_string(unit));
	for (int s = 0; s < 2; s++) {
		json_t *p = json_object();

		json_object_set_new(p, "n", json_integer(m->s[s].n));
		json_object_set_new(p, "value", wb_jnum(m->value[s]));
		json_object_set_new(p, "median", wb_jnum(m->s[s].median));
		json_object_set_new(p, "q1", wb_jnum(m->s[s].q1));
		json_object_set_new(p, "q3", wb_jnum(m->s[s].q3));
		json_object_set_new(p, "min", wb_jnum(m->s[s].min));
		json_object_set_new(p, "max", wb_jnum(m->s[s].max));
		json_object_set_new(p, "cv", wb_jnum(m->s[s].cv));
		json_object_set_new(p, "median_ci95", json_pack("[oo]", wb_jnum(m->ci[s][0]), wb_jnum(m->ci[s][1])));
		json_object_set_new(o, paths[s], p);
	}
	json_object_set_new(o, "ratio", wb_jnum(m->ratio));
	json_object_set_new(o, "ratio_ci95", json_pack("[oo]", wb_jnum(m->lo), wb_jnum(m->hi)));
	json_object_set_new(o, "p_mann_whitney", wb_jnum(m->p));
	json_object_set_new(o, "verdict", json_string(m->valid ? wb_verdict_name(m->verdict, m->higher_is_better)
							      : "not measured"));
	return o;
}

static json_t *group_json(const struct wb_comparison *c, const struct wb_group *g,
			  const struct wb_runset *rs)
{
	json_t *o = json_object(), *lat = json_object(), *ph = json_object(), *runs = json_object();

	json_object_set_new(o, "workload", json_string(g->workload));
	json_object_set_new(o, "device", json_string(g->device));
	json_object_set_new(o, "target", json_string(g->target));
	json_object_set_new(o, "job", json_string(g->job));
	json_object_set_new(o, "bs", json_string(g->bs));
	for (int s = 0; s < 2; s++) {
		json_t *vals = json_array();

		for (int i = 0; i < g->n[s]; i++) {
			const struct wb_run *r = &rs->runs[g->run[s][i]];

			json_t *ph = json_object();
			double mib = r->bytes / 1048576.0;

			for (int p = 0; p < WB_PH_NR; p++)
				json_object_set_new(ph, wb_phase_names[p],
						    wb_jnum(r->has[p] && mib > 0 ? r->phase_ns[p] / 1000 / mib : NAN));
			json_array_append_new(vals, json_pack("{s:s,s:i,s:f,s:o,s:o,s:o}", "id", r->id, "rep", r->rep,
							      "mib_s", r->bw_mib,
							      "clat_p99_us", wb_jnum(r->clat->n ? wb_lat_percentile(r->clat, 99) / 1000 : NAN),
							      "sync_p99_us", wb_jnum(r->sync ? wb_lat_percentile(r->sync, 99) / 1000 : NAN),
							      "phases_us_per_mib", ph));
		}
		json_object_set_new(runs, c->paths[s], vals);
	}
	json_object_set_new(o, "runs", runs);
	json_object_set_new(o, "throughput", metric_json(&g->bw, c->paths, "MiB/s"));
	for (int k = 0; k < WB_NR_PCT; k++)
		json_object_set_new(lat, wb_pct_names[k], metric_json(&g->lat[k], c->paths, "us"));
	json_object_set_new(o, "clat", lat);
	if (g->sync99.valid)
		json_object_set_new(o, "sync_p99", metric_json(&g->sync99, c->paths, "us"));
	for (int p = 0; p < WB_PH_NR; p++) {
		json_t *x = json_object();

		for (int s = 0; s < 2; s++)
			json_object_set_new(x, c->paths[s],
					    json_pack("{s:o,s:o,s:i}", "us_per_mib", wb_jnum(g->phase_us_per_mib[s][p]),
						      "events_per_mib", wb_jnum(g->phase_events_per_mib[s][p]),
						      "runs", g->phase_runs[s][p]));
		json_object_set_new(ph, wb_phase_names[p], x);
	}
	json_object_set_new(o, "phases", ph);
	json_object_set_new(o, "misattributed_runs", json_integer(g->misattributed));
	json_object_set_new(o, "aa_split_ratio", json_pack("{s:o,s:o}", c->paths[0], wb_jnum(g->aa_ratio[0]),
							    c->paths[1], wb_jnum(g->aa_ratio[1])));
	return o;
}

/* Published numbers (a bench/upstream/ table), matched to groups by their axes. */
struct upstream_row {
	char target[16], job[64], bs[16], dev[8];
	double bh, iomap;
};

static int load_upstream(const char *path, struct upstream_row **rows)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0, cap = 0;

	*rows = NULL;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		struct upstream_row r;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%15s %63s %15s %7s %lf %lf", r.target, r.job, r.bs, r.dev, &r.bh, &r.iomap) != 6)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			*rows = realloc(*rows, cap * sizeof(**rows));
			if (!*rows) {
				fclose(f);
				return -1;
			}
		}
		(*rows)[n++] = r;
	}
	fclose(f);
	return n;
}

static const struct upstream_row *find_upstream(const struct upstream_row *rows, int n,
						const struct wb_group *g)
{
	const char *job = strrchr(g->job, '/') ? strrchr(g->job, '/') + 1 : g->job;

	for (int i = 0; i < n; i++)
		if (!strcmp(rows[i].target, g->target) && !strcmp(rows[i].job, job) &&
		    !strcasecmp(rows[i].bs, g->bs) &&
		    (!strcmp(rows[i].dev, "any") || !strcmp(rows[i].dev, g->device)))
			return &rows[i];
	return NULL;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "?";
}

static char *info_get(const char *info, const char *key, char *buf, size_t len)
{
	const char *p = info;
	size_t kl = strlen(key);

	snprintf(buf, len, "?");
	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			const char *e = strchr(p, '\n');

			snprintf(buf, len, "%.*s", (int)(e ? (size_t)(e - p) - kl - 1 : strlen(p + kl + 1)), p + kl + 1);
			break;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return buf;
}

static void md_metric_cells(FILE *f, const struct wb_metric *m, const char *fmt)
{
	char a[64], b[64];

	snprintf(a, sizeof(a), fmt, m->value[0]);
	snprintf(b, sizeof(b), fmt, m->value[1]);
	if (!m->valid) {
		fprintf(f, " %s | %s | – |", m->s[0].n ? a : "–", m->s[1].n ? b : "–");
		return;
	}
	fprintf(f, " %s | %s | %s%.3f [%.3f, %.3f]%s |", a, b,
		m->verdict == WB_BETTER || m->verdict == WB_WORSE ? "**" : "", m->ratio, m->lo, m->hi,
		m->verdict == WB_BETTER || m->verdict == WB_WORSE ? "**" : "");
}

static void write_markdown(FILE *f, const struct wb_runset *rs, const struct wb_comparison *c,
			   const struct upstream_row *up, int nup, int plots, const char *run_id)
{
	json_t *r = rs->runner, *h = rs->host;
	char buf[256], buf2[256], buf3[128];
	int done = json_integer_value(json_object_get(r, "runs_done"));
	int planned = json_integer_value(json_object_get(r, "runs_planned"));

	fprintf(f, "# Benchmark run %s\n\n", run_id);
	fprintf(f, "**%s**, matrix `%s`, %lld repetitions per path. Ratios are %s / %s: above 1 means %s "
		   "has the higher value.\n\n", jstr(r, "mode"), jstr(r, "matrix"),
		(long long)json_integer_value(json_object_get(r, "reps")), c->paths[1], c->paths[0], c->paths[1]);
	fprintf(f, "| | |\n|---|---|\n");
	fprintf(f, "| kernel | %s |\n", jstr(r, "kernel"));
	if (rs->kernel_info) {
		fprintf(f, "| kernel series | %s patches, series hash `%s`, base %s |\n",
			info_get(rs->kernel_info, "series_patches", buf, sizeof(buf)),
			info_get(rs->kernel_info, "series_hash", buf2, sizeof(buf2)),
			info_get(rs->kernel_info, "base_version", buf3, sizeof(buf3)));
		fprintf(f, "| kernel config sha256 | `%s` |\n", info_get(rs->kernel_info, "config_sha256", buf, sizeof(buf)));
	}
	fprintf(f, "| CPU (where fio ran) | %s, %lld CPUs, %lld MiB |\n", jstr(r, "cpu"),
		(long long)json_integer_value(json_object_get(r, "cpus")),
		(long long)json_integer_value(json_object_get(r, "mem_kib")) / 1024);
	if (h) {
		fprintf(f, "| host | %s; %s |\n", jstr(h, "host_cpu"), jstr(h, "host_kernel"));
		fprintf(f, "| virtualisation | %s (%s) |\n", jstr(h, "accel"), jstr(h, "qemu"));
		fprintf(f, "| wbscope | %s |\n", jstr(h, "wbscope_commit"));
		fprintf(f, "| command | `%s` |\n", jstr(h, "command"));
		fprintf(f, "| wall time | %s to %s (%s) |\n", jstr(h, "started"), jstr(h, "finished"), jstr(h, "duration"));
	} else {
		fprintf(f, "| started / finished | %s / %s |\n", jstr(r, "started"), jstr(r, "finished"));
	}
	fprintf(f, "| runs | %d of %d%s%s |\n", done ? done : rs->nr, planned,
		json_is_true(json_object_get(r, "interrupted")) ? " (**interrupted**: the finished runs are reported)" : "",
		rs->skipped ? " (some run directories were unreadable and skipped)" : "");
	{
		char *nodes = json_dumps(json_object_get(r, "device_nodes"), JSON_COMPACT);
		char *coll = json_dumps(json_object_get(r, "collectors"), JSON_COMPACT);

		fprintf(f, "| fio | %s; devices %s; mkfs `%s` |\n", jstr(r, "fio"), nodes ?: "?",
			jstr(json_object_get(r, "mkfs"), "ext4"));
		fprintf(f, "| collectors | %s |\n\n",
			json_array_size(json_object_get(r, "collectors")) && coll ? coll : "none");
		free(nodes);
		free(coll);
	}
	if (h && strstr(jstr(h, "accel"), "icount=")) {
		int shift = atoi(strstr(jstr(h, "accel"), "icount=") + 7);

		fprintf(f, "**Timing**: QEMU counted instructions for guest time (`-icount shift=%d`): while a "
			   "vCPU runs, each instruction takes %d ns of guest time; while the guest waits for a "
			   "device, guest time follows the host clock. Throughput and latencies are in guest time: "
			   "CPU work takes the same time however fast or busy the host is, so compare them only "
			   "with runs timed the same way.\n\n", shift, 1 << (shift & 15));
	}
	fprintf(f, "Per run: a fresh file system, caches dropped, the workload's `vm.dirty_*` target, the "
		   "paths alternating (A B, then B A). Everything is in `runs/` (fio JSON+, collector "
		   "JSON, `run.json` with the exact commands); `summary.json` holds these numbers.\n\n");
	fprintf(f, "**Verdict rule**: a difference is reported when the 95%% bootstrap interval of the ratio "
		   "of medians excludes 1 *and* the Mann-Whitney U test gives p < 0.05; otherwise \"no "
		   "detectable difference\". With fewer runs than the test needs to ever reach p < 0.05 "
		   "(under 4 per path), \"too few runs\". Significant ratios are in bold.\n\n");

	fprintf(f, "## Throughput\n\n");
	fprintf(f, "Median MiB/s over the runs of each path, ± half the interquartile range, and the "
		   "coefficient of variation (run-to-run noise of that path).\n\n");
	fprintf(f, "| workload | device | %s MiB/s | %s MiB/s | ratio [95%% CI] | p | verdict |\n", c->paths[0], c->paths[1]);
	fprintf(f, "|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < c->nr; i++) {
		const struct wb_group *g = &c->groups[i];
		const struct wb_metric *m = &g->bw;

		fprintf(f, "| %s | %s |", g->workload, g->device);
		for (int s = 0; s < 2; s++)
			fprintf(f, " %.1f ±%.1f (cv %.1f%%, n=%d) |", m->s[s].median, (m->s[s].q3 - m->s[s].q1) / 2,
				100 * nan0(m->s[s].cv), m->s[s].n);
		if (m->valid)
			fprintf(f, " %s%.3f [%.3f, %.3f]%s | %.3g | %s |\n",
				m->verdict == WB_BETTER || m->verdict == WB_WORSE ? "**" : "", m->ratio, m->lo, m->hi,
				m->verdict == WB_BETTER || m->verdict == WB_WORSE ? "**" : "", m->p,
				wb_verdict_name(m->verdict, 1));
		else
			fprintf(f, " – | – | not measured on both paths |\n");
	}
	if (plots)
		fprintf(f, "\n![throughput](plots/throughput.svg)\n\n![ratios](plots/ratio.svg)\n");

	fprintf(f, "\n## Latency per I/O\n\n");
	fprintf(f, "fio's completion latency of each write (or read) call, in µs, from the histogram of "
		   "all runs of a path merged (never averaged percentiles); the interval resamples whole "
		   "runs. Below 1 means %s is quicker.\n\n", c->paths[1]);
	fprintf(f, "| workload | device |");
	for (int k = 0; k < WB_NR_PCT; k++)
		fprintf(f, " %s %s | %s %s | ratio |", wb_pct_names[k], c->paths[0], wb_pct_names[k], c->paths[1]);
	fprintf(f, "\n|---|---|");
	for (int k = 0; k < WB_NR_PCT; k++)
		fprintf(f, "---|---|---|");
	fprintf(f, "\n");
	for (int i = 0; i < c->nr; i++) {
		fprintf(f, "| %s | %s |", c->groups[i].workload, c->groups[i].device);
		for (int k = 0; k < WB_NR_PCT; k++)
			md_metric_cells(f, &c->groups[i].lat[k], "%.1f");
		fprintf(f, "\n");
	}
	for (int i = 0; i < c->nr; i++)
		if (c->groups[i].sync99.valid) {
			fprintf(f, "\nfsync/fdatasync p99 (µs):\n\n| workload | device | %s | %s | ratio |\n|---|---|---|---|---|\n",
				c->paths[0], c->paths[1]);
			for (int j = i; j < c->nr; j++)
				if (c->groups[j].sync99.valid) {
					fprintf(f, "| %s | %s |", c->groups[j].workload, c->groups[j].device);
					md_metric_cells(f, &c->groups[j].sync99, "%.1f");
					fprintf(f, "\n");
				}
			break;
		}
	if (plots) {
		fprintf(f, "\n<details><summary>Latency CDFs</summary>\n\n");
		for (int i = 0; i < c->nr; i++)
			if (c->groups[i].merged[0].n && c->groups[i].merged[1].n)
				fprintf(f, "![%s on %s](plots/latency-%s-%s.svg)\n\n", c->groups[i].workload,
					c->groups[i].device, c->groups[i].workload, c->groups[i].device);
		fprintf(f, "</details>\n");
	}

	fprintf(f, "\n## Where write-back time goes\n\n");
	fprintf(f, "From the wbscope collectors attached to every run: time per MiB written in ext4 "
		   "writepages calls, write-back bios from submission to completion, and end-I/O work "
		   "items (median over runs), with events per MiB. Phases overlap (bios complete while "
		   "writepages runs), so they are not additive.\n\n");
	fprintf(f, "| workload | device | path | writepages µs/MiB (calls/MiB) | bio µs/MiB (bios/MiB) | end-I/O work µs/MiB (items/MiB) |\n");
	fprintf(f, "|---|---|---|---|---|---|\n");
	for (int i = 0; i < c->nr; i++)
		for (int s = 0; s < 2; s++) {
			const struct wb_group *g = &c->groups[i];

			fprintf(f, "| %s | %s | %s |", g->workload, g->device, c->paths[s]);
			for (int p = 0; p < WB_PH_NR; p++) {
				if (g->phase_runs[s][p])
					fprintf(f, " %.1f (%.2f) |", g->phase_us_per_mib[s][p], g->phase_events_per_mib[s][p]);
				else
					fprintf(f, " – |");
			}
			fprintf(f, "\n");
		}
	for (int i = 0; i < c->nr; i++)
		if (c->groups[i].misattributed)
			fprintf(f, "\n**Warning**: %s on %s: %d run(s) whose collectors attributed write-back to "
				   "another path than the one mounted.\n", c->groups[i].workload, c->groups[i].device,
				c->groups[i].misattributed);
	snprintf(buf, sizeof(buf), "%.200s/plots/phases.svg", rs->dir);
	if (plots && access(buf, F_OK) == 0)	/* not drawn when nothing was written back */
		fprintf(f, "\n![phases](plots/phases.svg)\n");

	fprintf(f, "\n## Next to the published numbers\n\n");
	fprintf(f, "Our throughput ratio beside the upstream author's for the same axes (page cache "
		   "only / write-back / fsync per write, append / overwrite, block size; his ramdisk for "
		   "our `ram`, his NVMe for our `disk`). Ratios only: his machine, kernel (6.12, before "
		   "buffer_head large folios) and sizes differ from ours. Source: "
		   "bench/upstream/zhang-yi-v1-2024.tsv.\n\n");
	if (json_integer_value(json_object_get(r, "host")))
		fprintf(f, "**This is a host reference run (ext4 against XFS)**: the published ratios compare "
			   "two ext4 paths, so they are shown for orientation only.\n\n");
	fprintf(f, "| workload | device | ours | published bh → iomap MiB/s | published ratio |\n|---|---|---|---|---|\n");
	for (int i = 0; i < c->nr; i++) {
		const struct wb_group *g = &c->groups[i];
		const struct upstream_row *u = find_upstream(up, nup, g);

		if (!u)
			continue;
		fprintf(f, "| %s | %s |", g->workload, g->device);
		if (g->bw.valid)
			fprintf(f, " %.3f [%.3f, %.3f] |", g->bw.ratio, g->bw.lo, g->bw.hi);
		else
			fprintf(f, " – |");
		fprintf(f, " %g → %g | %.3f |\n", u->bh, u->iomap, u->iomap / u->bh);
	}

	fprintf(f, "\n## Noise\n\n");
	{
		double cvs[2][1024];
		int n[2] = { 0, 0 };

		for (int i = 0; i < c->nr && i < 1024; i++)
			for (int s = 0; s < 2; s++)
				if (c->groups[i].bw.s[s].n > 1)
					cvs[s][n[s]++] = 100 * c->groups[i].bw.s[s].cv;
		fprintf(f, "Run-to-run coefficient of variation of throughput, over the workloads: ");
		for (int s = 0; s < 2; s++)
			fprintf(f, "%s median %.1f%% (max %.1f%%)%s", c->paths[s], n[s] ? wb_median(cvs[s], n[s]) : NAN,
				n[s] ? wb_quantile(cvs[s], n[s], 1) : NAN, s ? ".\n" : ", ");
		fprintf(f, "A difference much smaller than this needs more repetitions to show.\n");
		n[0] = 0;
		for (int i = 0; i < c->nr && i < 1024; i++)
			for (int s = 0; s < 2; s++)
				if (!isnan(c->groups[i].aa_ratio[s]) && n[0] < 1024)
					cvs[0][n[0]++] = 100 * fabs(c->groups[i].aa_ratio[s] - 1);
		if (n[0])
			fprintf(f, "\nA/A within this run: the median throughput of a path's odd repetitions "
				   "against its even ones (same kernel, same path) differs by %.1f%% (median over "
				   "workloads and paths; 90th percentile %.1f%%, max %.1f%%).\n",
				wb_median(cvs[0], n[0]), wb_quantile(cvs[0], n[0], 0.9), wb_quantile(cvs[0], n[0], 1));
	}
}

static void print_table(const struct wb_comparison *c)
{
	printf("%-24s %-5s %12s %12s  %-24s %s\n", "WORKLOAD", "DEV", c->paths[0], c->paths[1],
	       "RATIO [95% CI]", "VERDICT");
	for (int i = 0; i < c->nr; i++) {
		const struct wb_group *g = &c->groups[i];
		char ratio[64] = "-";

		if (g->bw.valid)
			snprintf(ratio, sizeof(ratio), "%.3f [%.3f, %.3f]", g->bw.ratio, g->bw.lo, g->bw.hi);
		printf("%-24s %-5s %12.1f %12.1f  %-24s %s\n", g->workload, g->device, nan0(g->bw.value[0]),
		       nan0(g->bw.value[1]), ratio,
		       g->bw.valid ? wb_verdict_name(g->bw.verdict, 1) : "not measured on both paths");
	}
	printf("(MiB/s, median of the runs; ratio %s/%s)\n", c->paths[1], c->paths[0]);
}

static int report_run(const char *dir, int plots, const char *upstream, int quiet)
{
	struct wb_runset rs;
	struct wb_comparison c;
	struct upstream_row *up = NULL;
	char err[1024], path[4200], tmp[4300], up_default[PATH_MAX];
	const char *run_id = strrchr(dir, '/') && strrchr(dir, '/')[1] ? strrchr(dir, '/') + 1 : dir;
	json_t *summary, *groups;
	int nup, rc = WB_EXIT_ERROR;
	FILE *f;

	if (wb_runset_load(dir, &rs, err, sizeof(err))) {
		fprintf(stderr, "wbscope report: %s\n", err);
		return WB_EXIT_ERROR;
	}
	if (wb_compare(&rs, &c, err, sizeof(err))) {
		fprintf(stderr, "wbscope report: %s\n", err);
		wb_runset_free(&rs);
		return WB_EXIT_ERROR;
	}
	if (!upstream) {
		snprintf(up_default, sizeof(up_default), "%s/bench/upstream/zhang-yi-v1-2024.tsv", wb_root());
		upstream = up_default;
	}
	nup = load_upstream(upstream, &up);
	if (nup < 0) {
		fprintf(stderr, "wbscope report: warning: cannot read the published numbers %s: %s\n", upstream,
			strerror(errno));
		nup = 0;
	}
	if (plots) {
		snprintf(path, sizeof(path), "%s/plots", dir);
		if (wb_plot_all(&c, path, err, sizeof(err))) {
			fprintf(stderr, "wbscope report: warning: no plots: %s\n", err);
			plots = 0;
		}
	}

	summary = json_object();
	json_object_set_new(summary, "schema", json_string("wbscope-bench/1"));
	json_object_set_new(summary, "run_id", json_string(run_id));
	json_object_set(summary, "runner", rs.runner);
	if (rs.host)
		json_object_set(summary, "host", rs.host);
	json_object_set_new(summary, "paths", json_pack("[ss]", c.paths[0], c.paths[1]));
	json_object_set_new(summary, "statistics",
			    json_pack("{s:i,s:i,s:f,s:f,s:s}", "bootstrap_iterations", c.iters, "seed", (int)c.seed,
				      "level", 0.95, "alpha", 0.05, "ratio", "second path / first path, of medians"));
	groups = json_array();
	for (int i = 0; i < c.nr; i++)
		json_array_append_new(groups, group_json(&c, &c.groups[i], &rs));
	json_object_set_new(summary, "groups", groups);
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(summary, tmp, JSON_INDENT(1) | JSON_REAL_PRECISION(8)) || rename(tmp, path)) {
		fprintf(stderr, "wbscope report: cannot write %s: %s\n", path, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/report.md", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "wbscope report: cannot write %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	write_markdown(f, &rs, &c, up, nup, plots, run_id);
	if (fclose(f) || rename(tmp, path)) {
		fprintf(stderr, "wbscope report: cannot write %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (!quiet)
		print_table(&c);
	fprintf(stderr, "wbscope report: %d runs (%d skipped) -> %s/report.md, summary.json%s\n", rs.nr,
		rs.skipped, dir, plots ? ", plots/" : "");
	rc = WB_EXIT_OK;
out:
	json_decref(summary);
	free(up);
	wb_comparison_free(&c);
	wb_runset_free(&rs);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-plots", no_argument, NULL, 'P' },
		{ "upstream", required_argument, NULL, 'u' },
		{ "index", no_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *upstream = NULL;
	int plots = 1, quiet = 0, index = 0, o;
	char dir[PATH_MAX];
	size_t len;

	while ((o = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (o) {
		case 'P':
			plots = 0;
			break;
		case 'u':
			upstream = optarg;
			break;
		case 'i':
			index = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			printf(usage_text);
			return WB_EXIT_OK;
		default:
			fprintf(stderr, usage_text);
			return WB_EXIT_ERROR;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "wbscope report: expected one directory\n%s", usage_text);
		return WB_EXIT_ERROR;
	}
	snprintf(dir, sizeof(dir), "%s", argv[optind]);
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = 0;
	if (index)
		return wb_results_index(dir);
	return report_run(dir, plots, upstream, quiet);
}
