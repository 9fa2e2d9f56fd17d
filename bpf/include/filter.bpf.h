/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filters and path attribution shared by the tools' BPF programs (include after
 * vmlinux.h and the libbpf headers). The filter values are set by user space before
 * loading: 0 means "no filter".
 */
#ifndef WBSCOPE_FILTER_BPF_H
#define WBSCOPE_FILTER_BPF_H

#include "wbscope.h"
#include "bits.bpf.h"	/* WB_RD */

const volatile __u32 targ_tgid = 0;	/* -p: thread group of the current task */
const volatile __u32 targ_dev = 0;	/* -d: dev_t of the inode's file system */
const volatile __u64 targ_ino = 0;	/* --ino */
const volatile bool targ_ms = false;	/* -m: latencies in msecs */

/*
 * The iomap path's address space operations; absent (NULL) on kernels without the
 * series, where every ext4 inode is on the buffer_head path.
 */
extern const void ext4_iomap_aops __ksym __weak;

/*
 * Does the inode (and the current task) pass -d, --ino and -p? Sets *dev. btf: inode is
 * a typed tracepoint argument of a tp_btf program (read directly; WB_RD).
 */
static __always_inline bool wb_inode_wanted_t(struct inode *inode, __u32 *dev, const bool btf)
{
	*dev = WB_RD(btf, inode, i_sb, s_dev);
	if (targ_dev && *dev != targ_dev)
		return false;
	if (targ_ino && WB_RD(btf, inode, i_ino) != targ_ino)
		return false;
	if (targ_tgid && (bpf_get_current_pid_tgid() >> 32) != targ_tgid)
		return false;
	return true;
}

/*
 * The same for an event that carries the device and inode number instead of the inode
 * (an event that may fire after the inode is gone).
 */
static __always_inline bool wb_dev_ino_wanted(__u32 dev, __u64 ino)
{
	if (targ_dev && dev != targ_dev)
		return false;
	if (targ_ino && ino != targ_ino)
		return false;
	if (targ_tgid && (bpf_get_current_pid_tgid() >> 32) != targ_tgid)
		return false;
	return true;
}

/* The same for an inode pointer the verifier does not know as typed. */
static __always_inline bool wb_inode_wanted(struct inode *inode, __u32 *dev)
{
	return wb_inode_wanted_t(inode, dev, false);
}

/*
 * The same for an inode pointer computed by the program (container_of): read directly
 * through a typed view where the program type allows (btf, WB_VIEW), else probed.
 */
static __always_inline bool wb_inode_wanted_p(struct inode *inode, __u32 *dev, const bool btf)
{
	struct inode *v = WB_VIEW(btf, inode, struct inode);

	return v ? wb_inode_wanted_t(v, dev, true) : wb_inode_wanted(inode, dev);
}

/*
 * A tracepoint hooked both ways: a tp_btf program PROG_btf and a raw_tp program PROG,
 * each returning CALL(btf) (a macro over the arguments' names; see WB_RD).
 */
#define WB_TWIN(tp, prog, call, ...)						\
SEC("tp_btf/" #tp) int BPF_PROG(prog##_btf, __VA_ARGS__) { return call(true); }	\
SEC("raw_tp/" #tp) int BPF_PROG(prog, __VA_ARGS__) { return call(false); }

/*
 * Per-thread state in task local storage: one value per task, created on first use and
 * freed with the task, so the map is bounded by the number of tasks. Cheaper than a hash
 * keyed by thread id: no update or delete on the hot path, the value is reused in place.
 */
#define WB_TASK_STORAGE(name, value_type)				\
struct {								\
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);			\
	__uint(map_flags, BPF_F_NO_PREALLOC);				\
	__type(key, int);						\
	__type(value, value_type);					\
} name SEC(".maps")

/* The current thread's value in a WB_TASK_STORAGE map; created zeroed if create. NULL
 * when absent, or when it cannot be created (no memory, storage busy on this CPU). */
static __always_inline void *wb_task_state(void *map, bool create)
{
	return bpf_task_storage_get(map, bpf_get_current_task_btf(), NULL,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* enum wb_path of an ext4 inode, from its address space operations (btf: see WB_RD). */
static __always_inline __u32 wb_ext4_path_t(struct inode *inode, const bool btf)
{
	if (bpf_ksym_exists(&ext4_iomap_aops) &&
	    (void *)WB_RD(btf, inode, i_mapping, a_ops) == (void *)&ext4_iomap_aops)
		return WB_PATH_IOMAP;
	return WB_PATH_BH;
}

static __always_inline __u32 wb_ext4_path(struct inode *inode)
{
	return wb_ext4_path_t(inode, false);
}

/* Nanoseconds to the histogram unit (usecs, or msecs with -m). */
static __always_inline __u64 wb_time_unit(__u64 ns)
{
	return targ_ms ? ns / 1000000 : ns / 1000;
}

/* counters[idx]++ for a per-CPU array of u64 counters. */
static __always_inline void wb_count(void *counters, __u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(counters, &idx);

	if (c)
		(*c)++;
}

#endif
