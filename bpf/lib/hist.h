/* SPDX-License-Identifier: GPL-2.0 */
/* log2 histograms in user space: merging, bounds, quantiles and text rendering. */
#ifndef WB_HIST_H
#define WB_HIST_H

#include <stdio.h>
#include "wbscope.h"

/* Bounds of slot i, as libbpf-tools print them: slot 0 is 0..1, slot i is 2^i..2^(i+1)-1. */
unsigned long long wb_slot_lo(unsigned int slot);
unsigned long long wb_slot_hi(unsigned int slot);
/* Slot of a value (floor(log2(v)), 0 for 0 and 1), clamped to the last slot. */
unsigned int wb_slot_of(unsigned long long v);

void wb_hist_add(struct wb_hist *h, unsigned long long v);
void wb_hist_merge(struct wb_hist *dst, const struct wb_hist *src);
int wb_hist_empty(const struct wb_hist *h);
/* Index of the highest non-empty slot, or -1. */
int wb_hist_last_slot(const struct wb_hist *h);
/*
 * Estimate of the q-quantile (0 < q <= 1): linear interpolation inside the bucket that
 * holds it, between its smallest and largest value (the values are integers: a
 * histogram of counts that are all 0 or 1 has no quantile above 1). Returns 0 for an
 * empty histogram.
 */
double wb_hist_quantile(const struct wb_hist *h, double q);

/* Text rendering in the style of libbpf-tools' print_log2_hist(). */
void wb_hist_print(FILE *out, const struct wb_hist *h, const char *unit);
/* A title line with count, p50 and p99, then the histogram; nothing when empty. */
void wb_hist_print_titled(FILE *out, const char *title, const struct wb_hist *h, const char *unit);

#endif
