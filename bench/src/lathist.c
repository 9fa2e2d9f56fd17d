// SPDX-License-Identifier: GPL-2.0
/* fio latency histograms; see lathist.h. */
#include <math.h>
#include <string.h>
#include "lathist.h"

unsigned int wb_lat_index(uint64_t ns)
{
	unsigned int msb, shift, idx;

	if (ns < 2 * WB_LAT_VAL)
		return (unsigned int)ns;
	msb = 63 - __builtin_clzll(ns);
	shift = msb - WB_LAT_BITS;	/* low bits below the bucket resolution */
	idx = ((shift + 1) << WB_LAT_BITS) + ((ns >> shift) & (WB_LAT_VAL - 1));
	return idx < WB_LAT_NR ? idx : WB_LAT_NR - 1;
}

double wb_lat_value(unsigned int idx)
{
	unsigned int shift;

	if (idx < 2 * WB_LAT_VAL)
		return idx;
	shift = (idx >> WB_LAT_BITS) - 1;
	return (double)(1ULL << (shift + WB_LAT_BITS)) +
	       ((idx & (WB_LAT_VAL - 1)) + 0.5) * (double)(1ULL << shift);
}

void wb_lat_add(struct wb_lathist *h, uint64_t ns, uint64_t count)
{
	h->count[wb_lat_index(ns)] += count;
	h->n += count;
}

void wb_lat_merge(struct wb_lathist *dst, const struct wb_lathist *src)
{
	for (int i = 0; i < WB_LAT_NR; i++)
		dst->count[i] += src->count[i];
	dst->n += src->n;
}

double wb_lat_percentile(const struct wb_lathist *h, double p)
{
	double want = p * h->n / 100.0 - 1e-9;	/* tolerate 99.9 * 1000 / 100 > 999 */
	uint64_t cum = 0;

	if (!h->n)
		return NAN;
	for (int i = 0; i < WB_LAT_NR; i++) {
		cum += h->count[i];
		if (cum > 0 && cum >= want)
			return wb_lat_value(i);
	}
	return wb_lat_value(WB_LAT_NR - 1);
}
