// SPDX-License-Identifier: GPL-2.0
/* Side-by-side comparison of a benchmark run's two paths; see compare.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"

const double wb_pcts[WB_NR_PCT] = { 50, 99, 99.9 };
const char *const wb_pct_names[WB_NR_PCT] = { "p50", "p99", "p99.9" };

#define ALPHA 0.05
#define LEVEL 0.95

const char *wb_expected_attribution(const char *path)
{
	const char *dash = strrchr(path, '-');	/* host mode: "ext4-buffer_head", "xfs-iomap" */

	return dash ? dash + 1 : path;
}

static struct wb_group *find_group(struct wb_comparison *c, const struct wb_run *r)
{
	for (int i = 0; i < c->nr; i++)
		if (!strcmp(c->groups[i].workload, r->workload) && !strcmp(c->groups[i].device, r->device))
			return &c->groups[i];
	return NULL;
}

/* Compare per-run values a (path A) and b (path B). */
static void compare_values(struct wb_metric *m, const double *a, int na, const double *b, int nb,
			   int higher_is_better, uint64_t seed, int iters)
{
	memset(m, 0, sizeof(*m));
	m->higher_is_better = higher_is_better;
	wb_spread(a, na, &m->s[0]);
	wb_spread(b, nb, &m->s[1]);
	m->value[0] = m->s[0].median;
	m->value[1] = m->s[1].median;
	m->ratio = m->lo = m->hi = m->p = NAN;
	for (int k = 0; k < 2; k++)
		m->ci[k][0] = m->ci[k][1] = NAN;
	if (na > 0)
		wb_boot_median(a, na, iters, LEVEL, seed, &m->ci[0][0], &m->ci[0][1]);
	if (nb > 0)
		wb_boot_median(b, nb, iters, LEVEL, seed + 1, &m->ci[1][0], &m->ci[1][1]);
	if (na == 0 || nb == 0 ||
	    wb_boot_ratio(a, na, b, nb, iters, LEVEL, seed + 2, &m->ratio, &m->lo, &m->hi))
		return;
	m->p = wb_mwu(a, na, b, nb, NULL);
	m->verdict = wb_verdict(m->lo, m->hi, m->p, ALPHA, higher_is_better, na, nb);
	m->valid = 1;
}

/*
 * Latency percentile pct of each path from the merged histogram of its runs; the
 * interval of the ratio resamples whole runs (with replacement) and merges their
 * histograms, so it never averages percentiles. The rank test uses per-run values.
 */
static void compare_latency(struct wb_metric *m, const struct wb_runset *rs, const struct wb_group *g,
			    const struct wb_lathist *const merged[2], double pct, uint64_t seed, int iters,
			    int use_sync)
{
	double per_run[2][WB_MAX_REPS], *est;
	int n[2] = { 0, 0 }, k = 0;
	struct wb_lathist *h;
	struct wb_rng rng;

	for (int s = 0; s < 2; s++)
		for (int i = 0; i < g->n[s]; i++) {
			const struct wb_run *r = &rs->runs[g->run[s][i]];
			const struct wb_lathist *lh = use_sync ? r->sync : r->clat;

			if (lh && lh->n)
				per_run[s][n[s]++] = wb_lat_percentile(lh, pct) / 1000.0;
		}
	compare_values(m, per_run[0], n[0], per_run[1], n[1], 0, seed, iters);
	m->valid = 0;
	if (!n[0] || !n[1])
		return;
	h = calloc(1, sizeof(*h));
	est = malloc(iters * sizeof(*est));
	if (!h || !est)
		goto out;
	m->value[0] = wb_lat_percentile(merged[0], pct) / 1000.0;
	m->value[1] = wb_lat_percentile(merged[1], pct) / 1000.0;
	m->ratio = m->value[1] / m->value[0];
	wb_rng_seed(&rng, seed + 3);
	for (int it = 0; it < iters; it++) {
		double v[2];

		for (int s = 0; s < 2; s++) {
			memset(h, 0, sizeof(*h));
			for (int i = 0; i < g->n[s]; i++) {
				const struct wb_run *r = &rs->runs[g->run[s][wb_rng_below(&rng, g->n[s])]];
				const struct wb_lathist *lh = use_sync ? r->sync : r->clat;

				if (lh)
					wb_lat_merge(h, lh);
			}
			v[s] = wb_lat_percentile(h, pct);
		}
		if (v[0] > 0 && !isnan(v[0]) && !isnan(v[1]))
			est[k++] = v[1] / v[0];
	}
	if (k) {
		double lo, hi;

		/* wb_quantile sorts a copy: the interval of the bootstrap distribution */
		lo = wb_quantile(est, k, (1 - LEVEL) / 2);
		hi = wb_quantile(est, k, 1 - (1 - LEVEL) / 2);
		m->lo = lo;
		m->hi = hi;
		m->verdict = wb_verdict(lo, hi, m->p, ALPHA, 0, n[0], n[1]);
		m->valid = 1;
	}
out:
	free(h);
	free(est);
}

static void compare_phases(struct wb_group *g, const struct wb_runset *rs)
{
	for (int s = 0; s < 2; s++)
		for (int ph = 0; ph < WB_PH_NR; ph++) {
			double us[WB_MAX_REPS], ev[WB_MAX_REPS];
			int n = 0;

			for (int i = 0; i < g->n[s]; i++) {
				const struct wb_run *r = &rs->runs[g->run[s][i]];
				double mib = r->bytes / 1048576.0;

				if (!r->has[ph] || mib <= 0)
					continue;
				us[n] = r->phase_ns[ph] / 1000.0 / mib;
				ev[n++] = r->phase_events[ph] / mib;
			}
			g->phase_runs[s][ph] = n;
			g->phase_us_per_mib[s][ph] = n ? wb_median(us, n) : NAN;
			g->phase_events_per_mib[s][ph] = n ? wb_median(ev, n) : NAN;
		}
}

int wb_compare(const struct wb_runset *rs, struct wb_comparison *c, char *err, size_t errlen)
{
	json_t *paths = json_object_get(rs->runner, "paths");

	memset(c, 0, sizeof(*c));
	c->iters = 2000;
	c->seed = 20261127;
	if (json_array_size(paths) != 2 || !json_is_string(json_array_get(paths, 0)) ||
	    !json_is_string(json_array_get(paths, 1))) {
		snprintf(err, errlen, "%s/runner.json: \"paths\" must list two paths", rs->dir);
		return -1;
	}
	c->paths[0] = json_string_value(json_array_get(paths, 0));
	c->paths[1] = json_string_value(json_array_get(paths, 1));
	c->groups = calloc(rs->nr, sizeof(*c->groups));
	if (!c->groups) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < rs->nr; i++) {
		const struct wb_run *r = &rs->runs[i];
		struct wb_group *g = find_group(c, r);
		int s;

		if (!strcmp(r->path, c->paths[0]))
			s = 0;
		else if (!strcmp(r->path, c->paths[1]))
			s = 1;
		else {
			snprintf(err, errlen, "run %s: path '%s' is neither %s nor %s", r->id, r->path,
				 c->paths[0], c->paths[1]);
			return -1;
		}
		if (!g) {
			g = &c->groups[c->nr++];
			snprintf(g->workload, sizeof(g->workload), "%s", r->workload);
			snprintf(g->device, sizeof(g->device), "%s", r->device);
			snprintf(g->target, sizeof(g->target), "%s", r->target);
			snprintf(g->job, sizeof(g->job), "%s", r->job);
			snprintf(g->bs, sizeof(g->bs), "%s", r->bs);
		}
		if (g->n[s] == WB_MAX_REPS) {
			snprintf(err, errlen, "more than %d runs of %s on %s (%s)", WB_MAX_REPS,
				 r->workload, r->device, r->path);
			return -1;
		}
		g->run[s][g->n[s]++] = i;
		for (int ph = 0; ph < WB_PH_NR; ph++)
			if (r->has[ph] && strcmp(r->seen_path[ph], wb_expected_attribution(r->path))) {
				g->misattributed++;
				break;
			}
	}
	for (int gi = 0; gi < c->nr; gi++) {
		struct wb_group *g = &c->groups[gi];
		double bw[2][WB_MAX_REPS];
		uint64_t seed = c->seed + 97 * gi;

		for (int s = 0; s < 2; s++) {
			for (int i = 0; i < g->n[s]; i++) {
				const struct wb_run *r = &rs->runs[g->run[s][i]];

				bw[s][i] = r->bw_mib;
				wb_lat_merge(&g->merged[s], r->clat);
			}
		}
		compare_values(&g->bw, bw[0], g->n[0], bw[1], g->n[1], 1, seed, c->iters);
		for (int s = 0; s < 2; s++) {
			double odd[WB_MAX_REPS], even[WB_MAX_REPS];
			int no = 0, ne = 0;

			for (int i = 0; i < g->n[s]; i++) {
				if (rs->runs[g->run[s][i]].rep % 2)
					odd[no++] = bw[s][i];
				else
					even[ne++] = bw[s][i];
			}
			g->aa_ratio[s] = no >= 2 && ne >= 2 ? wb_median(odd, no) / wb_median(even, ne) : NAN;
		}
		{
			/* merged once per path: clat (kept in the group for the CDF plots) and sync */
			const struct wb_lathist *clat[2] = { &g->merged[0], &g->merged[1] };
			struct wb_lathist *sync[2] = { calloc(1, sizeof(struct wb_lathist)),
						      calloc(1, sizeof(struct wb_lathist)) };

			for (int k = 0; k < WB_NR_PCT; k++)
				compare_latency(&g->lat[k], rs, g, clat, wb_pcts[k], seed + 10 * (k + 1), c->iters / 2, 0);
			if (sync[0] && sync[1]) {
				for (int s = 0; s < 2; s++)
					for (int i = 0; i < g->n[s]; i++)
						if (rs->runs[g->run[s][i]].sync)
							wb_lat_merge(sync[s], rs->runs[g->run[s][i]].sync);
				compare_latency(&g->sync99, rs, g, (const struct wb_lathist *const *)sync, 99,
						seed + 50, c->iters / 2, 1);
			}
			free(sync[0]);
			free(sync[1]);
		}
		compare_phases(g, rs);
	}
	return 0;
}

void wb_comparison_free(struct wb_comparison *c)
{
	free(c->groups);
	memset(c, 0, sizeof(*c));
}
