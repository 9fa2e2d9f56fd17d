// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: statistics groups. The BPF side (include/groups.bpf.h: device slots and
 * group indices) is compiled here over plain arrays; the user side (wb_group_delta) is
 * the library's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "bpf_as_c.h"
#include "check.h"
#include "maps.h"
#include "collector.h"


/* The maps the header declares, backed by arrays. */
static __u64 devs_mem[WB_MAX_DEVS];
static __u64 stats_mem[WB_MAX_GROUPS];
static void *bpf_map_lookup_elem(void *map, const void *key);
#include "groups.bpf.h"
WB_GROUP_STATS(stats, __u64);

static void *bpf_map_lookup_elem(void *map, const void *key)
{
	__u32 i = *(const __u32 *)key;

	if (map == &wb_devs)
		return i < WB_MAX_DEVS ? &devs_mem[i] : NULL;
	if (map == &stats)
		return i < WB_MAX_GROUPS ? &stats_mem[i] : NULL;
	return NULL;
}

static int nfree(void)
{
	int n = 0;

	for (int i = 0; i < WB_MAX_DEVS; i++)
		n += !devs_mem[i];
	return n;
}

int main(void)
{
	int a, b, z;

	/* A device keeps its slot; another device gets another one; dev_t 0 is a device. */
	a = wb_dev_slot(0x800001);
	CHECK(a >= 0 && wb_dev_slot(0x800001) == a, "same device, same slot (%d)", a);
	CHECK(devs_mem[a] == 0x800002, "slot holds dev_t + 1");
	b = wb_dev_slot(0x800011);
	CHECK(b >= 0 && b != a, "second device, own slot (%d %d)", a, b);
	z = wb_dev_slot(0);
	CHECK(z >= 0 && z != a && z != b && devs_mem[z] == 1, "dev_t 0 is stored as 1");
	CHECK(nfree() == WB_MAX_DEVS - 3, "three slots used");

	/* The first device found is remembered, once: later devices do not replace it, and
	 * its look-up gives the slot the table holds for it. */
	CHECK(wb_dev_hint == ((0x800002ULL << 8) | (unsigned int)a), "hint: first device and its slot");
	CHECK(wb_dev_slot(0x800011) == b && wb_dev_hint >> 8 == 0x800002, "hint kept for the first device");
	devs_mem[a] = 0;	/* the hint alone answers for the first device */
	CHECK(wb_dev_slot(0x800001) == a, "hinted device, no probe");
	devs_mem[a] = 0x800002;

	/* Groups: slot * paths + path, in the stats array; a bad path has none. */
	CHECK(wb_group(&stats, 0x800011, WB_PATH_IOMAP) == &stats_mem[b * WB_NR_PATHS + WB_PATH_IOMAP],
	      "group index");
	CHECK(wb_group(&stats, 0x800011, WB_PATH_BH) == &stats_mem[b * WB_NR_PATHS], "bh group");
	CHECK(wb_group(&stats, 0x800011, WB_NR_PATHS) == NULL, "path out of range");
	/* An index kept for a later event leads to the same statistics. */
	CHECK(wb_group_index(0x800011, WB_PATH_IOMAP) == b * WB_NR_PATHS + WB_PATH_IOMAP, "group index kept");
	CHECK(wb_group_at(&stats, wb_group_index(0x800011, WB_PATH_BH)) == &stats_mem[b * WB_NR_PATHS],
	      "statistics at a kept index");
	CHECK(wb_group_index(0x800011, WB_NR_PATHS) == -1 && wb_group_at(&stats, -1) == NULL,
	      "no index, no statistics");

	/* Full table: every device gets a slot until none is left in its probe window,
	 * then NULL (the caller counts a drop); devices already in keep theirs. */
	int got = 0, refused = 0;
	for (__u32 d = 100; d < 100 + 4 * WB_MAX_DEVS; d++) {
		if (wb_dev_slot(d) >= 0)
			got++;
		else
			refused++;
	}
	CHECK(nfree() == 0 && refused > 0, "table fills up (%d got, %d refused)", got, refused);
	CHECK(wb_dev_slot(0x800001) == a && wb_dev_slot(0) == z, "old devices keep their slots");
	CHECK(wb_group(&stats, 0xfffff, WB_PATH_BH) == NULL, "no group when no slot");
	CHECK(wb_group_index(0xfffff, WB_PATH_BH) == -1, "no index when no slot");

	/* Interval = difference from the previous read; unchanged groups say so. */
	unsigned long long cur[3] = { 5, 0, 7 }, prev[3] = { 0 }, out[3];

	CHECK(wb_group_delta(cur, prev, out, 3) && out[0] == 5 && out[2] == 7, "first read");
	CHECK(prev[0] == 5 && prev[2] == 7, "prev updated");
	CHECK(!wb_group_delta(cur, prev, out, 3) && out[0] == 0, "no change");
	cur[1] = 2;
	CHECK(wb_group_delta(cur, prev, out, 3) && out[0] == 0 && out[1] == 2 && out[2] == 0,
	      "one word changed");

	/* A count left to the groups: the sum of one member over a snapshot's values. */
	struct val { unsigned long long a, b; } vals[3] = { { 1, 10 }, { 2, 20 }, { 3, 30 } };
	struct wb_snapshot snap = { .n = 3, .vals = vals };

	CHECK(wb_snapshot_sum(&snap, sizeof(struct val), offsetof(struct val, b)) == 60, "sum of a member");
	snap.n = 0;
	CHECK(wb_snapshot_sum(&snap, sizeof(struct val), 0) == 0, "sum over no groups");
	return check_done("groups");
}
