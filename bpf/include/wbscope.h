/* SPDX-License-Identifier: GPL-2.0 */
/* Types shared by BPF programs and user space. Keep it free of kernel and libc headers. */
#ifndef WBSCOPE_H
#define WBSCOPE_H

/* Unroll a short constant-bound loop (BPF programs: straight code, constants folded). */
#ifdef __clang__
#define WB_UNROLL _Pragma("unroll")
#else
#define WB_UNROLL
#endif

/* log2 histograms: slot i holds values in [2^i, 2^(i+1) - 1]; slot 0 holds 0 and 1. */
#define WB_MAX_SLOTS 32

/* Write-back path of an ext4 inode, told by its address space operations. */
enum wb_path {
	WB_PATH_BH,	/* buffer_head (ext4_aops, ext4_da_aops, journalled) */
	WB_PATH_IOMAP,	/* iomap (ext4_iomap_aops, wbscope kernel) */
	WB_NR_PATHS,
};

/*
 * Statistics groups: one per (device, path). A device gets one of WB_MAX_DEVS slots
 * (groups.bpf.h); its groups are stats entries slot * WB_NR_PATHS + path.
 */
#define WB_MAX_DEVS 64
#define WB_MAX_GROUPS (WB_MAX_DEVS * WB_NR_PATHS)

/* User space's key of a group (the tools' *_key structs have this layout). */
struct wb_group_key {
	unsigned int dev;
	unsigned int path;
};

struct wb_hist {
	unsigned long long slots[WB_MAX_SLOTS];
	unsigned long long count;
	unsigned long long sum;
};

/* The header of an in-flight table's value (slots.bpf.h). */
struct wb_slot {
	unsigned long long ts;	/* bpf_ktime_get_ns() when the slot was taken; 0: free */
	unsigned long long key;	/* what the slot is for (a kernel pointer) */
};

#endif
