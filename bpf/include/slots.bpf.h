/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-flight tables: what an event has to remember until a later event on another CPU or
 * thread (a bio from submission to completion), kept in an array map used as an
 * open-addressed hash table. A hash map costs a locked insert and a locked delete per
 * item, about as much as everything else the programs do together; an array look-up is
 * inlined by the verifier, and a slot is claimed with one compare-and-swap.
 *
 * Every value starts with struct wb_slot. A key is at most WB_SLOT_PROBES slots from its
 * hash; when all of them are taken the caller counts a drop. A slot is owned while its
 * ts is non-zero: it is taken by a compare-and-swap of ts (0, or a stale time, to now),
 * then given its key; it is freed by clearing the key, then ts. A slot older than the
 * caller's stale age is taken over (its item's end was never seen: a missed event) and
 * counted as stale, so the table never fills up with leftovers. Keys are non-zero
 * (kernel pointers).
 */
#ifndef WBSCOPE_SLOTS_BPF_H
#define WBSCOPE_SLOTS_BPF_H

#include "wbscope.h"	/* struct wb_slot */

/*
 * Probes per key. The tables are sized for a low load (bio: 65536 slots for the bios in
 * flight), where a new key nearly always finds its home slot free, and four probes in a
 * row all taken are rare, and then counted as a drop.
 */
#define WB_SLOT_PROBES 4

/* An array of nslots (a power of two) values of type value_type (starting with wb_slot). */
#define WB_SLOT_TABLE(name, value_type, nslots)				\
struct {								\
	__uint(type, BPF_MAP_TYPE_ARRAY);				\
	__uint(max_entries, nslots);					\
	__type(key, __u32);						\
	__type(value, value_type);					\
} name SEC(".maps")

/*
 * Scratch for wb_ptr_key: a value is stored and loaded back. A program can be interrupted
 * on its CPU by another one that uses the scratch too (a completion in an interrupt while
 * a submission program runs), between its store and its load: each nesting level has its
 * own slot. Levels nest strictly (the interrupting program ends before the interrupted
 * one goes on), so a plain counter is enough.
 */
#define WB_PTR_SCRATCH_LEVELS 4		/* task, softirq, hardirq, NMI */
struct wb_ptr_scratch_val {
	__u32 depth;
	__u32 pad;
	__u64 v[WB_PTR_SCRATCH_LEVELS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wb_ptr_scratch_val);
} wb_ptr_scratch SEC(".maps");

/*
 * A kernel pointer as a plain number (0 if it cannot be had). btf: p may be a typed
 * pointer (an argument of a tp_btf or fentry program, or one read through it), on which
 * the verifier allows no arithmetic; what is loaded back from map memory is a scalar.
 * Otherwise (raw_tp, kprobe) p already is a number and is used as it is.
 */
static __always_inline __u64 wb_ptr_key_t(const void *p, const bool btf)
{
	struct wb_ptr_scratch_val *s;
	volatile __u64 *v;
	__u32 zero = 0, d;
	__u64 k;

	if (!btf)
		return (__u64)p;
	s = bpf_map_lookup_elem(&wb_ptr_scratch, &zero);
	if (!s)
		return 0;
	d = s->depth;
	s->depth = d + 1;
	v = &s->v[d & (WB_PTR_SCRATCH_LEVELS - 1)];
	*v = (__u64)p;
	k = *v;
	s->depth = d;
	return k;
}

static __always_inline __u64 wb_ptr_key(const void *p)
{
	return wb_ptr_key_t(p, true);
}

static __always_inline __u32 wb_slot_hash(__u64 key, __u32 nslots)
{
	return (__u32)((key * 0x9E3779B97F4A7C15ULL) >> 32) & (nslots - 1);
}

/* The slot holding key, or NULL. */
static __always_inline struct wb_slot *wb_slot_find(void *table, __u32 nslots, __u64 key)
{
	__u32 h = wb_slot_hash(key, nslots);

	WB_UNROLL
	for (__u32 i = 0; i < WB_SLOT_PROBES; i++) {
		__u32 idx = (h + i) & (nslots - 1);
		struct wb_slot *s = bpf_map_lookup_elem(table, &idx);

		if (s && s->key == key && s->ts)
			return s;
	}
	return NULL;
}

/* Takes slot s for key if it is free or stale (compare-and-swap of its ts). */
static __always_inline bool wb_slot_claim(struct wb_slot *s, __u64 key, __u64 now, __u64 stale_ns,
					  bool *stale)
{
	__u64 old = s->ts;

	if (old && (now < old || now - old < stale_ns))
		return false;	/* in use (ts from another CPU may be a little ahead) */
	if (__sync_val_compare_and_swap(&s->ts, old, now) != old)
		return false;	/* another CPU took it first */
	s->key = key;
	*stale = old != 0;
	return true;
}

/*
 * A slot for key, taken at time now: the first slot on key's probe sequence that is
 * free or already holds key (the item started again: its end was missed), else a stale
 * one. NULL when every probed slot is in use (the caller counts a drop). *stale is set
 * when a stale slot was taken. The caller fills the value after the wb_slot header.
 *
 * The walk ends at the first free slot: every probe is a look-up and a load, and a take
 * runs for every item; walking all four for a key that is nearly never there made
 * endio's end-of-bio program 8.0 us a run instead of 5.6 (guest, one CPU). Two slots can then hold one key only when
 * the key is taken again after its end was missed and a slot ahead of its old one was
 * freed since; wb_slot_find returns the first of them on the sequence, the new one, and
 * the old one waits to be taken over as stale. The sequence is walked again for a
 * stale slot only when no slot was free, or another CPU took the free one first.
 */
static __always_inline struct wb_slot *wb_slot_take(void *table, __u32 nslots, __u64 key, __u64 now,
						    __u64 stale_ns, bool *stale)
{
	__u32 h = wb_slot_hash(key, nslots);
	struct wb_slot *s;

	*stale = false;
	WB_UNROLL
	for (__u32 i = 0; i < WB_SLOT_PROBES; i++) {
		__u32 idx = (h + i) & (nslots - 1);

		s = bpf_map_lookup_elem(table, &idx);
		if (!s)
			return NULL;
		if (!s->ts) {
			if (wb_slot_claim(s, key, now, stale_ns, stale))
				return s;
			break;	/* another CPU took it: look for any free or stale slot */
		}
		if (s->key == key) {
			s->ts = now;
			return s;
		}
	}
	WB_UNROLL
	for (__u32 i = 0; i < WB_SLOT_PROBES; i++) {
		__u32 idx = (h + i) & (nslots - 1);

		s = bpf_map_lookup_elem(table, &idx);
		if (s && wb_slot_claim(s, key, now, stale_ns, stale))
			return s;
	}
	return NULL;
}

/* Frees a slot the caller found and has read: the key first (atomically: the reads of
 * the value come before it), then ts, which lets the slot be taken again. */
static __always_inline void wb_slot_free(struct wb_slot *s, __u64 key)
{
	if (__sync_val_compare_and_swap(&s->key, key, 0) == key)
		s->ts = 0;
}

#endif
