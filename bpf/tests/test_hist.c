// SPDX-License-Identifier: GPL-2.0
/* Unit tests: histogram math (BPF and user-space slot functions), quantiles, rendering. */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "hist.h"

/* Compile the BPF-side helpers in user space to prove both sides bucket alike. */
typedef uint32_t __u32;
typedef uint64_t __u64;
#define wb_hist_add bpf_wb_hist_add
#include "bits.bpf.h"
#undef wb_hist_add

static unsigned int ref_slot(unsigned long long v)
{
	unsigned int s = 0;

	while (v >= 2) { v /= 2; s++; }
	return s;
}

int main(void)
{
	struct wb_hist h, g;
	char buf[4096];

	/* Bucket bounds follow libbpf-tools: 0 -> 1, 2 -> 3, 4 -> 7, ... */
	CHECK(wb_slot_lo(0) == 0 && wb_slot_hi(0) == 1, "slot 0");
	CHECK(wb_slot_lo(1) == 2 && wb_slot_hi(1) == 3, "slot 1");
	CHECK(wb_slot_lo(10) == 1024 && wb_slot_hi(10) == 2047, "slot 10");

	/* BPF log2 == user-space slot == reference, at and around every power of two. */
	int mismatch = 0;
	for (int b = 0; b < 64; b++) {
		unsigned long long p = 1ULL << b;
		unsigned long long vals[] = { p - 1, p, p + 1 };

		for (int i = 0; i < 3; i++) {
			unsigned long long v = vals[i];
			unsigned int want = ref_slot(v);

			if (wb_log2(v) != want)
				mismatch++;
			if (wb_slot_of(v) != (want >= WB_MAX_SLOTS ? WB_MAX_SLOTS - 1 : want))
				mismatch++;
		}
	}
	CHECK(mismatch == 0, "%d slot mismatches between BPF, user space and reference", mismatch);
	CHECK(wb_log2(0) == 0, "log2(0)");

	/* BPF add clamps into the last slot instead of overflowing. */
	memset(&h, 0, sizeof(h));
	bpf_wb_hist_add(&h, ~0ULL);
	CHECK(h.slots[WB_MAX_SLOTS - 1] == 1 && h.count == 1, "clamp into last slot");

	/* Values land in the right buckets; count and sum track them. */
	memset(&h, 0, sizeof(h));
	for (int i = 0; i < 100; i++)
		wb_hist_add(&h, 10);	/* slot 3: 8..15 */
	wb_hist_add(&h, 1000);		/* slot 9: 512..1023 */
	CHECK(h.slots[3] == 100 && h.slots[9] == 1, "bucket counts");
	CHECK(h.count == 101 && h.sum == 2000, "count %llu sum %llu", h.count, h.sum);
	CHECK(wb_hist_last_slot(&h) == 9, "last slot");

	/* Quantiles: inside the bucket holding the rank. */
	double p50 = wb_hist_quantile(&h, 0.5), p100 = wb_hist_quantile(&h, 1.0);
	CHECK(p50 >= 8 && p50 < 16, "p50 %.2f in [8,16)", p50);
	CHECK(p100 >= 512 && p100 <= 1024, "p100 %.2f in [512,1024]", p100);
	memset(&g, 0, sizeof(g));
	for (int i = 0; i < 100; i++)
		wb_hist_add(&g, 1);	/* the first bucket: 0..1 */
	CHECK(wb_hist_quantile(&g, 0.99) <= 1.0, "p99 of ones %.2f <= 1", wb_hist_quantile(&g, 0.99));
	CHECK(wb_hist_quantile(&g, 0.5) == 1.0 && wb_hist_quantile(&g, 0.01) == 1.0,
	      "all ones: p50 %.2f and p1 are 1", wb_hist_quantile(&g, 0.5));
	for (int i = 0; i < 300; i++)
		wb_hist_add(&g, 0);	/* 300 zeros and 100 ones */
	CHECK(wb_hist_quantile(&g, 0.5) == 0 && wb_hist_quantile(&g, 0.75) == 0 &&
	      wb_hist_quantile(&g, 0.76) == 1 && wb_hist_quantile(&g, 0.99) == 1,
	      "zeros and ones: p50 %.2f, p75 0, p76 and p99 1", wb_hist_quantile(&g, 0.5));
	wb_hist_add(&g, 2);	/* no longer all in the first slot: interpolated */
	CHECK(wb_hist_quantile(&g, 0.5) >= 0 && wb_hist_quantile(&g, 0.5) <= 1, "mixed: p50 in [0,1]");
	CHECK(wb_hist_quantile(&h, 1.0) <= 1023, "p100 within its bucket's values");
	memset(&g, 0, sizeof(g));
	CHECK(wb_hist_quantile(&g, 0.5) == 0, "empty quantile");
	CHECK(wb_hist_empty(&g), "empty");

	/* Merging is slot-wise addition (how per-CPU values and runs combine). */
	wb_hist_add(&g, 10);
	wb_hist_merge(&g, &h);
	CHECK(g.slots[3] == 101 && g.count == 102 && g.sum == 2010, "merge");

	/* Rendering matches the libbpf-tools layout. */
	memset(&h, 0, sizeof(h));
	wb_hist_add(&h, 1);
	wb_hist_add(&h, 5);
	wb_hist_add(&h, 6);
	memset(buf, 0, sizeof(buf));
	CAPTURE(buf, sizeof(buf), wb_hist_print(out, &h, "usecs"));
	CHECK_STR(buf,
		"     usecs               : count    distribution\n"
		"         0 -> 1          : 1        |********************                    |\n"
		"         2 -> 3          : 0        |                                        |\n"
		"         4 -> 7          : 2        |****************************************|\n");
	memset(&h, 0, sizeof(h));
	memset(buf, 0, sizeof(buf));
	CAPTURE(buf, sizeof(buf), wb_hist_print(out, &h, "usecs"));
	CHECK(strstr(buf, "no events") != NULL, "empty histogram says so: %s", buf);

	return check_done("hist");
}
