// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "hist.h"

unsigned long long wb_slot_lo(unsigned int slot)
{
	return slot == 0 ? 0 : 1ULL << slot;
}

unsigned long long wb_slot_hi(unsigned int slot)
{
	if (slot >= 63)
		return ~0ULL;
	return (1ULL << (slot + 1)) - 1;
}

unsigned int wb_slot_of(unsigned long long v)
{
	unsigned int s = 0;

	while (v > 1) {
		v >>= 1;
		s++;
	}
	return s >= WB_MAX_SLOTS ? WB_MAX_SLOTS - 1 : s;
}

void wb_hist_add(struct wb_hist *h, unsigned long long v)
{
	h->slots[wb_slot_of(v)]++;
	h->count++;
	h->sum += v;
}

void wb_hist_merge(struct wb_hist *dst, const struct wb_hist *src)
{
	for (int i = 0; i < WB_MAX_SLOTS; i++)
		dst->slots[i] += src->slots[i];
	dst->count += src->count;
	dst->sum += src->sum;
}

int wb_hist_last_slot(const struct wb_hist *h)
{
	for (int i = WB_MAX_SLOTS - 1; i >= 0; i--)
		if (h->slots[i])
			return i;
	return -1;
}

int wb_hist_empty(const struct wb_hist *h)
{
	return wb_hist_last_slot(h) < 0;
}

double wb_hist_quantile(const struct wb_hist *h, double q)
{
	unsigned long long total = 0, seen = 0;
	int i;

	for (i = 0; i < WB_MAX_SLOTS; i++)
		total += h->slots[i];
	if (!total || q <= 0)
		return 0;
	if (q > 1)
		q = 1;
	double rank = q * (double)total;

	/*
	 * The first slot holds both 0 and 1. When it holds every value, the sum says how
	 * many are 1 (counts such as "extents per handler", all 1, would otherwise read
	 * as p50 0.5).
	 */
	if (total == h->slots[0] && h->sum <= total)
		return rank <= (double)(total - h->sum) ? 0 : 1;

	for (i = 0; i < WB_MAX_SLOTS; i++) {
		unsigned long long n = h->slots[i];

		if (n && (double)(seen + n) >= rank) {
			/* Values are recorded as integers: never past the bucket's largest. */
			double lo = (double)wb_slot_lo(i), hi = (double)wb_slot_hi(i);
			double frac = (rank - (double)seen) / (double)n;

			return lo + frac * (hi - lo);
		}
		seen += n;
	}
	return (double)wb_slot_hi(WB_MAX_SLOTS - 1);
}

static void print_stars(FILE *out, unsigned long long val, unsigned long long max, int width)
{
	int stars = max ? (int)((double)val * width / (double)max) : 0;
	int i;

	if (stars > width)
		stars = width;
	for (i = 0; i < stars; i++)
		fputc('*', out);
	for (; i < width; i++)
		fputc(' ', out);
}

void wb_hist_print(FILE *out, const struct wb_hist *h, const char *unit)
{
	int last = wb_hist_last_slot(h), i, width, stars;
	unsigned long long max = 0;

	if (last < 0) {
		fprintf(out, "%*s%s : (no events)\n", 10, "", unit);
		return;
	}
	for (i = 0; i <= last; i++)
		if (h->slots[i] > max)
			max = h->slots[i];
	width = last <= 32 ? 10 : 20;
	stars = last <= 32 ? 40 : 20;
	fprintf(out, "%*s%-*s : count    distribution\n", last <= 32 ? 5 : 15, "",
		last <= 32 ? 19 : 29, unit);
	for (i = 0; i <= last; i++) {
		fprintf(out, "%*llu -> %-*llu : %-8llu |", width, wb_slot_lo(i),
			width, wb_slot_hi(i), h->slots[i]);
		print_stars(out, h->slots[i], max, stars);
		fprintf(out, "|\n");
	}
}

void wb_hist_print_titled(FILE *out, const char *title, const struct wb_hist *h, const char *unit)
{
	if (!h->count)
		return;
	fprintf(out, "\n%s (%llu, p50 %.1f, p99 %.1f %s)\n", title, h->count,
		wb_hist_quantile(h, 0.5), wb_hist_quantile(h, 0.99), unit);
	wb_hist_print(out, h, unit);
}
