/* SPDX-License-Identifier: GPL-2.0 */
/* BPF-side helpers: log2 slot selection and bounded map updates. */
#ifndef WBSCOPE_BITS_BPF_H
#define WBSCOPE_BITS_BPF_H

#include "wbscope.h"

/* floor(log2(v)) for v > 0, 0 for v == 0; branch-light, no loops. */
static __always_inline __u32 wb_log2(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xFFFFFFFFULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

/*
 * WB_RD(btf, src, a, b...): src->a->b..., read directly in a BTF-typed (tp_btf) program,
 * where src is a typed kernel pointer the verifier lets us load from, and with
 * BPF_CORE_READ (bpf_probe_read_kernel per step) in a raw_tp program. btf is a
 * compile-time constant: the other branch is compiled out, so one body serves both.
 */
#define WB_D1(s, a) ((s)->a)
#define WB_D2(s, a, b) ((s)->a->b)
#define WB_D3(s, a, b, c) ((s)->a->b->c)
#define WB_DSEL(_1, _2, _3, n, ...) n
#define WB_DIRECT(s, ...) WB_DSEL(__VA_ARGS__, WB_D3, WB_D2, WB_D1, 0)(s, __VA_ARGS__)
#define WB_RD(btf, s, ...) ((btf) ? WB_DIRECT(s, __VA_ARGS__) : BPF_CORE_READ(s, __VA_ARGS__))

static __always_inline void wb_hist_add(struct wb_hist *h, __u64 v)
{
	__u32 slot = wb_log2(v);

	if (slot >= WB_MAX_SLOTS)
		slot = WB_MAX_SLOTS - 1;
	h->slots[slot]++;
	h->count++;
	h->sum += v;
}

/*
 * Look a key up, inserting a zeroed value when absent. Returns NULL when the map is
 * full; the caller counts that as a drop so that nothing is lost silently.
 */
static __always_inline void *wb_lookup_or_init(void *map, const void *key, const void *zero)
{
	void *v = bpf_map_lookup_elem(map, key);
	long err;

	if (v)
		return v;
	err = bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST */)
		return NULL;
	return bpf_map_lookup_elem(map, key);
}

#endif
