// SPDX-License-Identifier: GPL-2.0
/* Benchmark statistics; see stats.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"

void wb_rng_seed(struct wb_rng *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

uint64_t wb_rng_next(struct wb_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

unsigned int wb_rng_below(struct wb_rng *r, unsigned int n)
{
	return (unsigned int)((wb_rng_next(r) >> 32) * (uint64_t)n >> 32);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Quantile of already sorted values. */
static double sorted_quantile(const double *s, int n, double q)
{
	double pos, frac;
	int i;

	if (n <= 0)
		return NAN;
	pos = q * (n - 1);
	i = (int)floor(pos);
	frac = pos - i;
	if (i + 1 >= n)
		return s[n - 1];
	return s[i] + frac * (s[i + 1] - s[i]);
}

double wb_quantile(const double *x, int n, double q)
{
	double *s, v;

	if (n <= 0)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	v = sorted_quantile(s, n, q);
	free(s);
	return v;
}

double wb_median(const double *x, int n)
{
	return wb_quantile(x, n, 0.5);
}

double wb_mean(const double *x, int n)
{
	double sum = 0;

	if (n <= 0)
		return NAN;
	for (int i = 0; i < n; i++)
		sum += x[i];
	return sum / n;
}

double wb_stddev(const double *x, int n)
{
	double m = wb_mean(x, n), ss = 0;

	if (n < 2)
		return 0;
	for (int i = 0; i < n; i++)
		ss += (x[i] - m) * (x[i] - m);
	return sqrt(ss / (n - 1));
}

void wb_spread(const double *x, int n, struct wb_spread *s)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	if (n <= 0) {
		s->median = s->q1 = s->q3 = s->min = s->max = s->mean = s->cv = NAN;
		return;
	}
	s->median = wb_quantile(x, n, 0.5);
	s->q1 = wb_quantile(x, n, 0.25);
	s->q3 = wb_quantile(x, n, 0.75);
	s->min = wb_quantile(x, n, 0);
	s->max = wb_quantile(x, n, 1);
	s->mean = wb_mean(x, n);
	s->cv = s->mean != 0 ? wb_stddev(x, n) / fabs(s->mean) : NAN;
}

/* Buffers for a bootstrap: one resample of up to n values, iters estimates. */
static int boot_alloc(int n, int iters, double **buf, double **est)
{
	*buf = malloc(n * sizeof(**buf));
	*est = malloc(iters * sizeof(**est));
	if (*buf && *est)
		return 0;
	free(*buf);
	free(*est);
	return -1;
}

/* Median of a resample of x (n values) drawn into buf. */
static double resample_median(const double *x, int n, double *buf, struct wb_rng *r)
{
	for (int i = 0; i < n; i++)
		buf[i] = x[wb_rng_below(r, n)];
	qsort(buf, n, sizeof(*buf), cmp_double);
	return sorted_quantile(buf, n, 0.5);
}

int wb_boot_ratio(const double *a, int na, const double *b, int nb, int iters, double level,
		  uint64_t seed, double *ratio, double *lo, double *hi)
{
	double ma = wb_median(a, na), mb = wb_median(b, nb), *buf, *est;
	struct wb_rng r;
	int k = 0;

	if (na <= 0 || nb <= 0 || ma == 0 || iters <= 0)
		return -1;
	*ratio = mb / ma;
	if (boot_alloc(na > nb ? na : nb, iters, &buf, &est))
		return -1;
	wb_rng_seed(&r, seed);
	for (int i = 0; i < iters; i++) {
		double ra = resample_median(a, na, buf, &r);
		double rb = resample_median(b, nb, buf, &r);

		if (ra != 0)
			est[k++] = rb / ra;
	}
	qsort(est, k, sizeof(*est), cmp_double);
	*lo = sorted_quantile(est, k, (1 - level) / 2);
	*hi = sorted_quantile(est, k, 1 - (1 - level) / 2);
	free(buf);
	free(est);
	return k ? 0 : -1;
}

int wb_boot_median(const double *x, int n, int iters, double level, uint64_t seed,
		   double *lo, double *hi)
{
	double *buf, *est;
	struct wb_rng r;

	if (n <= 0 || iters <= 0 || boot_alloc(n, iters, &buf, &est))
		return -1;
	wb_rng_seed(&r, seed);
	for (int i = 0; i < iters; i++)
		est[i] = resample_median(x, n, buf, &r);
	qsort(est, iters, sizeof(*est), cmp_double);
	*lo = sorted_quantile(est, iters, (1 - level) / 2);
	*hi = sorted_quantile(est, iters, 1 - (1 - level) / 2);
	free(buf);
	free(est);
	return 0;
}

/*
 * Exact null distribution of U for sample sizes m and n (no ties): the number of
 * arrangements with U = u, by the recurrence f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u).
 * Returns P(U <= u).
 */
static double mwu_exact_cdf(int m, int n, int u)
{
	int maxu = m * n;
	double *f, *g, total = 0, le = 0;

	/* f[j][k]: counts for sizes (i, j) with U = k, built up over i. */
	f = calloc((size_t)(n + 1) * (maxu + 1), sizeof(*f));
	g = calloc((size_t)(n + 1) * (maxu + 1), sizeof(*g));
	if (!f || !g) {
		free(f);
		free(g);
		return NAN;
	}
#define F(a, j, k) (a)[(size_t)(j) * (maxu + 1) + (k)]
	for (int j = 0; j <= n; j++)
		F(f, j, 0) = 1;	/* i = 0: U = 0 in one way */
	for (int i = 1; i <= m; i++) {
		memset(g, 0, (size_t)(n + 1) * (maxu + 1) * sizeof(*g));
		F(g, 0, 0) = 1;
		for (int j = 1; j <= n; j++)
			for (int k = 0; k <= i * j; k++)
				F(g, j, k) = (k >= j ? F(f, j, k - j) : 0) + F(g, j - 1, k);
		memcpy(f, g, (size_t)(n + 1) * (maxu + 1) * sizeof(*f));
	}
	for (int k = 0; k <= maxu; k++) {
		total += F(f, n, k);
		if (k <= u)
			le += F(f, n, k);
	}
#undef F
	free(f);
	free(g);
	return le / total;
}

double wb_mwu_min_p(int na, int nb)
{
	if (na <= 0 || nb <= 0)
		return 1;
	return fmin(1, 2 * mwu_exact_cdf(na, nb, 0));
}

struct ranked {
	double v;
	int from_a;
};

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_double(&((const struct ranked *)a)->v, &((const struct ranked *)b)->v);
}

double wb_mwu(const double *a, int na, const double *b, int nb, double *u_out)
{
	int n = na + nb, ties = 0;
	struct ranked *all;
	double ra = 0, tie_term = 0, u, mu, sigma, z, p;

	if (u_out)
		*u_out = NAN;
	if (na <= 0 || nb <= 0)
		return 1;
	all = malloc(n * sizeof(*all));
	if (!all)
		return NAN;
	for (int i = 0; i < na; i++)
		all[i] = (struct ranked){ a[i], 1 };
	for (int i = 0; i < nb; i++)
		all[na + i] = (struct ranked){ b[i], 0 };
	qsort(all, n, sizeof(*all), cmp_ranked);
	/* Mid-ranks for ties. */
	for (int i = 0; i < n;) {
		int j = i;

		while (j + 1 < n && all[j + 1].v == all[i].v)
			j++;
		double rank = (i + j + 2) / 2.0;	/* ranks start at 1 */
		int t = j - i + 1;

		if (t > 1) {
			ties = 1;
			tie_term += (double)t * t * t - t;
		}
		for (int k = i; k <= j; k++)
			if (all[k].from_a)
				ra += rank;
		i = j + 1;
	}
	free(all);
	u = ra - na * (na + 1) / 2.0;
	if (u_out)
		*u_out = u;
	if (!ties && (double)na * nb <= 400) {
		double umin = fmin(u, (double)na * nb - u);

		return fmin(1, 2 * mwu_exact_cdf(na, nb, (int)umin));
	}
	mu = na * (double)nb / 2;
	sigma = sqrt(na * (double)nb / 12 * ((n + 1) - tie_term / ((double)n * (n - 1))));
	if (sigma == 0)
		return 1;
	z = (fabs(u - mu) - 0.5) / sigma;
	if (z < 0)
		z = 0;
	p = erfc(z / sqrt(2));
	return fmin(1, p);
}

enum wb_verdict wb_verdict(double lo, double hi, double p, double alpha, int higher_is_better,
			   int na, int nb)
{
	if (wb_mwu_min_p(na, nb) >= alpha)
		return WB_TOO_FEW;
	if (isnan(lo) || isnan(hi) || isnan(p) || p >= alpha || (lo <= 1 && hi >= 1))
		return WB_NO_DIFFERENCE;
	if (lo > 1)
		return higher_is_better ? WB_BETTER : WB_WORSE;
	return higher_is_better ? WB_WORSE : WB_BETTER;
}

const char *wb_verdict_name(enum wb_verdict v, int higher_is_better)
{
	switch (v) {
	case WB_BETTER:
		return higher_is_better ? "faster" : "lower";
	case WB_WORSE:
		return higher_is_better ? "slower" : "higher";
	case WB_TOO_FEW:
		return "too few runs";
	default:
		return "no detectable difference";
	}
}
