// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: in-flight tables (include/slots.bpf.h), compiled here over a plain array:
 * take, find, free, a key taken again, collisions up to the probe limit, stale
 * take-over, and a key taken again with a free slot ahead of its old one.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "bpf_as_c.h"
#include "check.h"

static void *bpf_map_lookup_elem(void *map, const void *key);
#include "slots.bpf.h"

#define NSLOTS 64
struct item {
	struct wb_slot slot;
	__u32 v;
};
static struct item items_mem[NSLOTS];
WB_SLOT_TABLE(items, struct item, NSLOTS);

static void *bpf_map_lookup_elem(void *map, const void *key)
{
	__u32 i = *(const __u32 *)key;

	return map == &items && i < NSLOTS ? &items_mem[i] : NULL;
}

#define STALE 1000

static struct item *take(__u64 key, __u64 now, bool *stale)
{
	return (struct item *)wb_slot_take(&items, NSLOTS, key, now, STALE, stale);
}

static struct item *find(__u64 key)
{
	return (struct item *)wb_slot_find(&items, NSLOTS, key);
}

/* n keys (from start up) whose probe sequences start at slot h */
static int keys_at(__u32 h, __u64 start, __u64 *out, int n)
{
	int got = 0;

	for (__u64 k = start; got < n && k < start + 1000000; k++)
		if (wb_slot_hash(k, NSLOTS) == h)
			out[got++] = k;
	return got;
}

static int used(void)
{
	int n = 0;

	for (int i = 0; i < NSLOTS; i++)
		n += items_mem[i].slot.ts != 0;
	return n;
}

int main(void)
{
	struct item *a, *b, *s;
	bool stale;
	__u64 k[WB_SLOT_PROBES + 1];

	/* Take, find, free. */
	a = take(0xffff888000001000ULL, 10, &stale);
	CHECK(a && !stale && a->slot.key == 0xffff888000001000ULL && a->slot.ts == 10, "take a new key");
	a->v = 7;
	CHECK(find(0xffff888000001000ULL) == a && a->v == 7, "find it");
	CHECK(find(0xffff888000002000ULL) == NULL, "an absent key is not found");
	wb_slot_free(&a->slot, 0xffff888000001000ULL);
	CHECK(!a->slot.ts && !a->slot.key && !find(0xffff888000001000ULL), "freed: gone");
	CHECK(used() == 0, "table empty again");

	/* A key taken again while in the table keeps its slot, with the new time. */
	a = take(0xffff888000003000ULL, 20, &stale);
	b = take(0xffff888000003000ULL, 30, &stale);
	CHECK(a && a == b && b->slot.ts == 30 && !stale && used() == 1, "same key, same slot, new time");
	wb_slot_free(&a->slot, 0xffff888000003000ULL);

	/* Collisions: WB_SLOT_PROBES keys of one home slot fit, the next is refused. */
	CHECK(keys_at(5, 1, k, WB_SLOT_PROBES + 1) == WB_SLOT_PROBES + 1, "colliding keys found");
	for (int i = 0; i < WB_SLOT_PROBES; i++) {
		s = take(k[i], 100, &stale);
		CHECK(s == &items_mem[5 + i] && !stale, "colliding key %d in slot %d", i, 5 + i);
	}
	CHECK(take(k[WB_SLOT_PROBES], 100 + STALE - 1, &stale) == NULL, "no slot left: refused");
	for (int i = 0; i < WB_SLOT_PROBES; i++)
		CHECK(find(k[i]) == &items_mem[5 + i], "colliding key %d found", i);

	/* A key taken again after its end was missed, with a free slot ahead of its old
	 * one: it takes the free slot, which find returns first; the old one stays. */
	wb_slot_free(&items_mem[5].slot, k[0]);
	s = take(k[2], 200, &stale);
	CHECK(s == &items_mem[5] && s->slot.key == k[2] && s->slot.ts == 200 && !stale,
	      "a key taken again takes the first free slot");
	CHECK(find(k[2]) == &items_mem[5], "find returns the new slot, ahead of the old");
	CHECK(items_mem[7].slot.key == k[2] && items_mem[7].slot.ts == 100, "the old slot stays until stale");
	/* With no free slot ahead, a key taken again keeps its own slot. */
	s = take(k[3], 250, &stale);
	CHECK(s == &items_mem[8] && s->slot.ts == 250 && !stale && used() == WB_SLOT_PROBES,
	      "existing slot kept, no second one");
	/* Freeing the new slot frees it alone. */
	wb_slot_free(&items_mem[5].slot, k[2]);
	CHECK(!items_mem[5].slot.ts && find(k[2]) == &items_mem[7], "the old slot is found after");
	/* ... and a new key takes the free slot. */
	s = take(k[WB_SLOT_PROBES], 200, &stale);
	CHECK(s == &items_mem[5] && !stale, "new key takes the first free slot");

	/* Stale take-over: when every probed slot is taken, the first one older than the
	 * stale age goes to the new key, flagged stale. */
	for (int i = 0; i < WB_SLOT_PROBES; i++)
		items_mem[5 + i].slot.ts = 100 + i;
	items_mem[5].slot.ts = 300;	/* fresh */
	s = take(k[0], 101 + STALE, &stale);
	CHECK(s == &items_mem[6] && stale && s->slot.key == k[0] && s->slot.ts == 101 + STALE,
	      "stale slot taken over (%ld)", s ? (long)(s - items_mem) : -1L);
	CHECK(take(0xffff888000004000ULL, 102, &stale) != NULL, "other home slots unaffected");
	/* A clock a little behind a slot's time (another CPU) does not make it stale. */
	memset(items_mem, 0, sizeof(items_mem));
	for (int i = 0; i < WB_SLOT_PROBES; i++)
		items_mem[5 + i].slot = (struct wb_slot){ .ts = 5000, .key = k[i] };
	CHECK(take(k[WB_SLOT_PROBES], 4000, &stale) == NULL, "time running backwards is not stale");

	/* Freeing with the wrong key (a slot another item took over) leaves it alone. */
	wb_slot_free(&items_mem[5].slot, 0x1234);
	CHECK(items_mem[5].slot.ts == 5000 && items_mem[5].slot.key == k[0], "free of a taken-over slot is a no-op");
	return check_done("slots");
}
