/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Benchmark statistics: medians and spread, bootstrap confidence intervals of a ratio
 * of medians, the Mann-Whitney U test, and the verdict built from them. Used by
 * `wbscope report` (and the CI gate).
 */
#ifndef WB_STATS_H
#define WB_STATS_H

#include <stdint.h>

/* A small, seedable generator (xorshift64*), so that reports are reproducible. */
struct wb_rng {
	uint64_t s;
};
void wb_rng_seed(struct wb_rng *r, uint64_t seed);
uint64_t wb_rng_next(struct wb_rng *r);
/* Uniform in [0, n). */
unsigned int wb_rng_below(struct wb_rng *r, unsigned int n);

/* Quantile q (0..1) of n values with linear interpolation (type 7); x is not changed. */
double wb_quantile(const double *x, int n, double q);
double wb_median(const double *x, int n);
double wb_mean(const double *x, int n);
/* Sample standard deviation (n - 1); 0 for n < 2. */
double wb_stddev(const double *x, int n);

struct wb_spread {
	double median, q1, q3, min, max, mean, cv;	/* cv: stddev / mean */
	int n;
};
void wb_spread(const double *x, int n, struct wb_spread *s);

/*
 * Percentile bootstrap (iters resamples) of median(b) / median(a): each iteration
 * resamples a and b with replacement. Fills the point estimate and the central
 * 'level' interval (e.g. 0.95). Returns -1 when a side is empty or a median is 0.
 */
int wb_boot_ratio(const double *a, int na, const double *b, int nb, int iters, double level,
		  uint64_t seed, double *ratio, double *lo, double *hi);
/* Percentile bootstrap of the median of x alone. */
int wb_boot_median(const double *x, int n, int iters, double level, uint64_t seed,
		   double *lo, double *hi);

/*
 * Two-sided Mann-Whitney U test of a against b. Exact distribution when there are no
 * ties and na * nb <= 400; otherwise the normal approximation with tie correction and
 * continuity correction. Returns the p-value (1 when a side is empty); *u gets U of a.
 */
double wb_mwu(const double *a, int na, const double *b, int nb, double *u);
/* The smallest two-sided p-value the exact test can give with these sample sizes. */
double wb_mwu_min_p(int na, int nb);

enum wb_verdict {
	WB_NO_DIFFERENCE,	/* no detectable difference */
	WB_BETTER,		/* b better than a */
	WB_WORSE,		/* b worse than a */
	WB_TOO_FEW,		/* too few samples for the test to ever reach alpha */
};
/*
 * A difference is declared when the ratio's interval excludes 1 and the rank test's
 * p-value is below alpha; 'higher_is_better' says which side of 1 is better.
 */
enum wb_verdict wb_verdict(double lo, double hi, double p, double alpha, int higher_is_better,
			   int na, int nb);
const char *wb_verdict_name(enum wb_verdict v, int higher_is_better);

#endif
