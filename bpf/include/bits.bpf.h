/* SPDX-License-Identifier: GPL-2.0 */
/* BPF-side helpers: log2 histograms, direct or probed reads of kernel fields. */
#ifndef WBSCOPE_BITS_BPF_H
#define WBSCOPE_BITS_BPF_H

#include "wbscope.h"

/* floor(log2(v)) for v < 256 (0 for 0), a table in .rodata. */
#define WB_L2X2(n) n, n
#define WB_L2X4(n) WB_L2X2(n), WB_L2X2(n)
#define WB_L2X8(n) WB_L2X4(n), WB_L2X4(n)
#define WB_L2X16(n) WB_L2X8(n), WB_L2X8(n)
#define WB_L2X32(n) WB_L2X16(n), WB_L2X16(n)
#define WB_L2X64(n) WB_L2X32(n), WB_L2X32(n)
#define WB_L2X128(n) WB_L2X64(n), WB_L2X64(n)
static const unsigned char wb_log2_small[256] = {
	WB_L2X2(0), WB_L2X2(1), WB_L2X4(2), WB_L2X8(3), WB_L2X16(4), WB_L2X32(5),
	WB_L2X64(6), WB_L2X128(7),
};

/*
 * floor(log2(v)) for v > 0, 0 for v == 0; no loops. Most values a histogram takes
 * (blocks, KiB, microseconds) are below 256: one load from the table then, where the
 * shift ladder below runs some 25 instructions, on every event that adds to a
 * histogram.
 */
static __always_inline __u32 wb_log2(__u64 v)
{
	__u32 r = 0, shift;

	if (v < 256) {
		__u32 i = v;

		/* The verifier needs the mask on the index register itself: clang would
		 * drop it (it knows v < 256) and may test another register for that. */
		asm volatile("" : "+r"(i));
		return wb_log2_small[i & 255];
	}

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

/*
 * Reads through a pointer the verifier does not know as typed (computed, or loaded from
 * memory): WB_VIEW gives a typed, read-only view of it for direct reads (bpf_core_cast,
 * which the verifier turns into a plain move; Linux >= 6.2), or NULL where that is not
 * possible: in programs whose type cannot call kernel functions (btf false: kprobes,
 * raw_tp) or on older kernels. WB_VRD(v, p, f) then reads p->f through the view v, else
 * with bpf_probe_read_kernel. Each branch stands alone, so the verifier, which knows
 * which one runs, never sees a direct read of an untyped pointer.
 */
#define WB_VIEW(btf, p, type)							\
	((btf) && bpf_ksym_exists(bpf_rdonly_cast) ? bpf_core_cast(p, type) : (type *)0)
#define WB_VRD(v, p, f) ((v) ? (v)->f : BPF_CORE_READ(p, f))

static __always_inline void wb_hist_add(struct wb_hist *h, __u64 v)
{
	__u32 slot = wb_log2(v);

	if (slot >= WB_MAX_SLOTS)
		slot = WB_MAX_SLOTS - 1;
	h->slots[slot]++;
	h->count++;
	h->sum += v;
}

#endif
