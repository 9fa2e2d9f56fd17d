/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fio's latency histogram (json+ "bins"): 29 groups of 64 buckets, each bucket's key
 * the midpoint of its range in ns, relative error under 1/128. Histograms of several
 * runs merge exactly by adding counts, so percentiles of a path come from the merged
 * histogram of its runs, never from averaged per-run percentiles.
 */
#ifndef WB_LATHIST_H
#define WB_LATHIST_H

#include <stdint.h>

#define WB_LAT_BITS 6
#define WB_LAT_VAL (1 << WB_LAT_BITS)
#define WB_LAT_NR (29 * WB_LAT_VAL)

struct wb_lathist {
	uint64_t count[WB_LAT_NR];
	uint64_t n;
};

/* Bucket index of a latency in ns (fio's mapping); values past the last bucket clamp. */
unsigned int wb_lat_index(uint64_t ns);
/* The bucket's representative value (its midpoint, as fio prints it). */
double wb_lat_value(unsigned int idx);
void wb_lat_add(struct wb_lathist *h, uint64_t ns, uint64_t count);
void wb_lat_merge(struct wb_lathist *dst, const struct wb_lathist *src);
/* Percentile p (0..100) in ns: the first bucket where the cumulative count reaches p%. */
double wb_lat_percentile(const struct wb_lathist *h, double p);

#endif
