// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope lockorder: which of folio lock, jbd2 handle, i_data_sem (and i_rwsem) each
 * task holds, and every "A held while B taken" edge, per path and device, with the
 * first stack. lib/lockgraph.c analyses the edges; lg_task_acquire() there is the
 * reference version of the bookkeeping below.
 *
 * Hooks:
 *  - jbd2 handle: the ext4_journal_start_{inode,sb,reserved} tracepoints (before the
 *    handle starts, so the edge is taken at attempt time, as lockdep does; a start with
 *    current->journal_info set is nested and cannot wait), released at
 *    jbd2_handle_stats (outermost stop only). A held handle whose task has no
 *    journal_info any more (stop on an aborted journal) is dropped.
 *  - i_data_sem / i_rwsem: down_{read,write}[_killable] and up_{read,write}, by lock
 *    address: the rwsem is i_data_sem when the ext4_inode_info around it belongs to an
 *    ext4 super block, i_rwsem likewise for the inode around it. Trylocks add no edge.
 *  - folio lock (the fast path is inline and invisible): contended __folio_lock; folios
 *    handed out locked by writeback_iter (iomap and generic write-back);
 *    ext4_bio_write_folio and, before blocks are mapped, ext4_da_write_pages_extent
 *    (buffer_head write-back locks its folios inline); released at folio_unlock.
 *  - path: ext4_writepages .. _result (buffer_head or iomap by the inode's a_ops), the
 *    wbscope kernel's end-I/O handler tracepoints; otherwise the path of the inode
 *    whose lock is taken; else "other".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bits.bpf.h"
#include "filter.bpf.h"
#include "slots.bpf.h"	/* wb_ptr_key */
#include "groups.bpf.h"	/* wb_dev_slot */
#include "lockorder.h"

_Static_assert(LO_EDGE_DEVS == WB_MAX_DEVS, "an edge's device is its wb_devs slot");

#define S_IFMT 00170000
#define S_IFREG 0100000
#define LO_NO_PATH LO_NR_PATHS

enum lo_counter {
	LO_CNT_ACQUIRE,		/* tracked acquisitions */
	LO_CNT_DROP_HELD,	/* held set full: lock not tracked */
	LO_CNT_DROP_TASKS,	/* no per-thread state (task storage could not be created) */
	LO_CNT_DROP_EDGES,	/* no device slot left for an edge */
	LO_CNT_HEALED,		/* held entries dropped: the lock was no longer held (a release missed) */
	LO_NR_COUNTERS,
};

struct held {
	__u64 obj;
	__u64 ino;
	__u32 cls;
	__u32 mode;
	__u32 dev;
	__u32 ipath;	/* path of the lock's inode, or LO_NO_PATH */
};

struct task_state {
	__u32 init;	/* 0: just created (task storage starts zeroed) */
	__u32 nheld;
	__u32 ctx_path;	/* write-back / end-I/O context, or LO_NO_PATH */
	struct held held[LO_MAX_HELD];
};

/* The locks each thread holds (task storage: no update or delete per lock operation). */
WB_TASK_STORAGE(tasks, struct task_state);

/*
 * Edges in an array indexed by (device slot, path, from, to): every edge there can be
 * has its entry, found with an inlined array look-up instead of a hash of the key. A
 * busy task takes i_data_sem several times per page with two or three locks held.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LO_MAX_EDGES);
	__type(key, __u32);
	__type(value, struct lo_edge_val);
} edges SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, LO_MAX_STACKS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, LO_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LO_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Typeless: kernels carry no BTF for this variable, kallsyms has its address. */
extern const void ext4_fs_type __ksym __weak;

/* sb is ext4's; vsb: its WB_VIEW or NULL. */
static __always_inline bool is_ext4_sb_v(struct super_block *sb, struct super_block *vsb)
{
	return sb && bpf_ksym_exists(&ext4_fs_type) &&
	       (void *)WB_VRD(vsb, sb, s_type) == (void *)&ext4_fs_type;
}

/* The current thread's state; created if create (NULL and counted if it cannot be). */
static __always_inline struct task_state *task_get(bool create)
{
	struct task_state *t = wb_task_state(&tasks, create);

	if (!t) {
		if (create)
			wb_count(&counters, LO_CNT_DROP_TASKS);
		return NULL;
	}
	if (!t->init) {
		t->init = 1;
		t->nheld = 0;
		t->ctx_path = LO_NO_PATH;
	}
	return t;
}

static __always_inline void held_remove(struct task_state *t, __u32 i)
{
	__u32 last = t->nheld - 1;

	if (i >= LO_MAX_HELD || last >= LO_MAX_HELD)
		return;
	t->held[i] = t->held[last];
	t->nheld = last;
}

/*
 * Is a lock the task is recorded as holding still held? A release can be missed: a
 * handle stopped without jbd2_handle_stats (aborted journal), or a release whose BPF
 * program the kernel skipped (on preemptible kernels a program preempted on a CPU makes
 * the same program skip on that CPU meanwhile; counted in "missed"). Checked against
 * the lock itself: the task's journal_info, the folio's PG_locked bit, the rwsem's
 * writer owner or reader count.
 */
/*
 * The machine word at addr. btf: read directly through a typed view where the program
 * type allows it (a load instead of a helper call). The view's type only has to start
 * with a 64-bit integer: struct timespec64 (tv_sec) has for as long as it has existed.
 */
static __always_inline unsigned long word_at(__u64 addr, const bool btf)
{
	struct timespec64 *p = (void *)addr, *w = WB_VIEW(btf, p, struct timespec64);

	return (unsigned long)WB_VRD(w, p, tv_sec);
}

static __always_inline bool still_held(struct held *h, struct task_struct *task, const bool btf)
{
	unsigned long v;

	switch (h->cls) {
	case LO_HANDLE:
		return task->journal_info != NULL;
	case LO_FOLIO:
		if (h->obj & 1)
			return true;	/* buffer_head batch: released at its own tracepoint */
		/*
		 * The flags word is the first member of struct folio (unsigned long, or a
		 * memdesc_flags_t wrapping one in newer kernels: CO-RE cannot relocate across
		 * that type change, the offset has never moved). PG_locked is bit 0.
		 */
		return word_at(h->obj, btf) & 1;
	default:
		/*
		 * struct rw_semaphore starts with count and owner (atomic_long_t each) in
		 * every kernel wbscope supports; 7.3 declares it through a macro that CO-RE
		 * cannot relocate against, so read the two words directly.
		 */
		if (h->mode == LO_MODE_EXCL) {
			v = word_at(h->obj + sizeof(long), btf);
			return (v & ~7UL) == (unsigned long)task;	/* owner; flags in low bits */
		}
		return (word_at(h->obj, btf) >> 8) != 0;	/* count >> RWSEM_READER_SHIFT: readers */
	}
}

static __always_inline void heal(struct task_state *t, const bool btf)
{
	struct task_struct *task = bpf_get_current_task_btf();

	for (int i = LO_MAX_HELD - 1; i >= 0; i--) {
		__u32 k = (__u32)i;

		barrier_var(k);	/* keep an index the verifier can bound, not a moving pointer */
		if (k >= t->nheld || k >= LO_MAX_HELD)
			continue;
		if (!still_held(&t->held[k], task, btf)) {
			held_remove(t, k);
			wb_count(&counters, LO_CNT_HEALED);
		}
	}
}

static __always_inline __u32 edge_path(struct task_state *t, struct held *from, struct held *to)
{
	if (t->ctx_path != LO_NO_PATH)
		return t->ctx_path;
	if (to->ipath != LO_NO_PATH)
		return to->ipath;
	if (from->ipath != LO_NO_PATH)
		return from->ipath;
	return LO_PATH_OTHER;
}

static __always_inline void add_edge(void *ctx, struct task_state *t, struct held *from,
				     struct held *to)
{
	__u32 path = edge_path(t, from, to), idx;
	int slot = wb_dev_slot(to->dev);
	struct lo_edge_val *v;

	if (slot < 0 || from->cls >= LO_NR_CLASSES || to->cls >= LO_NR_CLASSES || path >= LO_NR_PATHS) {
		wb_count(&counters, LO_CNT_DROP_EDGES);
		return;
	}
	idx = (((__u32)slot * LO_NR_PATHS + path) * LO_NR_CLASSES + from->cls) * LO_NR_CLASSES + to->cls;
	v = bpf_map_lookup_elem(&edges, &idx);
	if (!v)
		return;
	/* The first sighting, on whichever CPU claims the entry, records where it was. */
	if (!v->claimed && !__sync_val_compare_and_swap(&v->claimed, 0, 1)) {
		v->key = (struct lo_edge_key){
			.from = from->cls, .to = to->cls, .path = path, .dev = to->dev,
		};
		v->from_obj = from->ino;
		v->to_obj = to->ino;
		v->from_dev = from->dev;
		v->pid = (__u32)bpf_get_current_pid_tgid();
		v->stack_id = bpf_get_stackid(ctx, &stacks, 0);
		bpf_get_current_comm(v->comm, sizeof(v->comm));
	}
	v->modes |= (from->mode << 4) | to->mode;
	__sync_fetch_and_add(&v->count, 1);
}

/* The task takes lock l: an edge from every lock it holds (none for a trylock). btf:
 * the program may read through typed views (tp_btf, fentry/fexit). */
static __always_inline void acquire(void *ctx, struct held *l, bool trylock, const bool btf)
{
	struct task_state *t = task_get(true);
	__u32 n;

	if (!t)
		return;
	heal(t, btf);
	for (int i = 0; i < LO_MAX_HELD; i++) {
		if (i >= t->nheld)
			break;
		/* Already known to be held (an anchor after __folio_lock, say). */
		if (t->held[i].cls == l->cls && t->held[i].obj == l->obj)
			return;
		/* A folio of the buffer_head batch already held as one (see lo_da_extent). */
		if (l->cls == LO_FOLIO && t->held[i].cls == LO_FOLIO && (t->held[i].obj & 1))
			return;
	}
	wb_count(&counters, LO_CNT_ACQUIRE);
	if (!trylock) {
		for (int i = 0; i < LO_MAX_HELD; i++) {
			if (i >= t->nheld)
				break;
			add_edge(ctx, t, &t->held[i], l);
		}
	}
	n = t->nheld;
	if (n >= LO_MAX_HELD) {
		wb_count(&counters, LO_CNT_DROP_HELD);
		return;
	}
	t->held[n] = *l;
	t->nheld = n + 1;
}

/* Releases the most recent lock of that class and object (any object if obj is 0). */
static __always_inline void release(__u32 cls, __u64 obj)
{
	struct task_state *t = task_get(false);

	if (!t)
		return;
	for (int i = LO_MAX_HELD - 1; i >= 0; i--) {
		if (i >= t->nheld || i >= LO_MAX_HELD)
			continue;
		if (t->held[i].cls == cls && (!obj || t->held[i].obj == obj)) {
			held_remove(t, i);
			break;
		}
	}
}

/* vi: inode's WB_VIEW, or NULL. */
static __always_inline __u32 inode_path_v(struct inode *inode, struct inode *vi)
{
	__u32 p = vi ? wb_ext4_path_t(vi, true) : wb_ext4_path(inode);

	return p == WB_PATH_IOMAP ? LO_PATH_IOMAP : LO_PATH_BH;
}

static __always_inline __u32 inode_path(struct inode *inode)
{
	return inode_path_v(inode, NULL);
}

/* ---- context ---- */

static __always_inline void set_ctx(__u32 path)
{
	struct task_state *t = task_get(path != LO_NO_PATH);

	if (!t)
		return;
	t->ctx_path = path;
}

SEC("raw_tp/ext4_writepages")
int BPF_PROG(lo_wp_enter, struct inode *inode, struct writeback_control *wbc)
{
	set_ctx(inode_path(inode));
	return 0;
}

SEC("raw_tp/ext4_writepages_result")
int BPF_PROG(lo_wp_exit, struct inode *inode)
{
	release(LO_FOLIO, (__u64)inode | 1);	/* buffer_head folio batch, if any */
	set_ctx(LO_NO_PATH);
	return 0;
}

SEC("raw_tp/ext4_iomap_ioend_start")
int BPF_PROG(lo_ioend_start, struct inode *inode)
{
	set_ctx(LO_PATH_IOMAP);
	return 0;
}

SEC("raw_tp/ext4_iomap_ioend_done")
int BPF_PROG(lo_ioend_done, struct inode *inode)
{
	set_ctx(LO_NO_PATH);
	return 0;
}

SEC("raw_tp/ext4_end_io_end_start")
int BPF_PROG(lo_io_end_start, struct inode *inode)
{
	set_ctx(LO_PATH_BH);
	return 0;
}

SEC("raw_tp/ext4_end_io_end_done")
int BPF_PROG(lo_io_end_done, struct inode *inode)
{
	set_ctx(LO_NO_PATH);
	return 0;
}

/* ---- jbd2 handle ---- */

/* btf: sb and inode are typed (tp_btf), read directly (see WB_RD). */
static __always_inline void handle_start(void *ctx, struct super_block *sb, struct inode *inode,
					 const bool btf)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct held l = { .cls = LO_HANDLE, .mode = LO_MODE_SHARED, .ipath = LO_NO_PATH };

	if (task->journal_info || !is_ext4_sb_v(sb, btf ? sb : NULL))
		return;	/* nested start: h_ref++, cannot wait */
	l.dev = WB_RD(btf, sb, s_dev);
	if (targ_dev && l.dev != targ_dev)
		return;
	l.obj = wb_ptr_key_t(sb, btf);
	l.ino = l.dev;
	if (inode)
		l.ipath = inode_path_v(inode, btf ? inode : NULL);
	acquire(ctx, &l, false, btf);
}

#define CALL(btf) ({ handle_start(ctx, WB_RD(btf, inode, i_sb), inode, btf); 0; })
WB_TWIN(ext4_journal_start_inode, lo_jstart_inode, CALL, struct inode *inode)
#undef CALL

#define CALL(btf) ({ handle_start(ctx, sb, NULL, btf); 0; })
WB_TWIN(ext4_journal_start_sb, lo_jstart_sb, CALL, struct super_block *sb)
WB_TWIN(ext4_journal_start_reserved, lo_jstart_rsv, CALL, struct super_block *sb)
#undef CALL

SEC("raw_tp/jbd2_handle_stats")
int BPF_PROG(lo_jstop, unsigned int dev)
{
	release(LO_HANDLE, 0);
	return 0;
}

/* ---- i_data_sem and i_rwsem ---- */

/*
 * Which tracked lock is this rwsem? Fills l; false for any other rwsem. Every rwsem
 * of the kernel comes through here: btf (a typed argument, fentry) reads directly
 * through WB_VIEW where the kernel allows it, one load per field instead of a helper
 * call.
 */
static __always_inline bool classify_rwsem(struct rw_semaphore *sem, struct held *l, const bool btf)
{
	__u64 addr = wb_ptr_key_t(sem, btf);	/* a number: computed addresses are cast, not offset */
	struct inode *inode, *vi;
	struct super_block *sb, *vsb;
	__u16 mode;

	/* i_data_sem sits in struct ext4_inode_info next to its vfs_inode. */
	inode = (void *)(addr - bpf_core_field_offset(struct ext4_inode_info, i_data_sem) +
			 bpf_core_field_offset(struct ext4_inode_info, vfs_inode));
	vi = WB_VIEW(btf, inode, struct inode);
	sb = WB_VRD(vi, inode, i_sb);
	vsb = WB_VIEW(btf, sb, struct super_block);
	if (is_ext4_sb_v(sb, vsb) && WB_VRD(vi, inode, i_ino)) {
		l->cls = LO_I_DATA_SEM;
		goto found;
	}
	inode = (void *)(addr - bpf_core_field_offset(struct inode, i_rwsem));
	vi = WB_VIEW(btf, inode, struct inode);
	sb = WB_VRD(vi, inode, i_sb);
	vsb = WB_VIEW(btf, sb, struct super_block);
	mode = WB_VRD(vi, inode, i_mode);
	if (is_ext4_sb_v(sb, vsb) && (mode & S_IFMT) == S_IFREG) {
		l->cls = LO_I_RWSEM;
		goto found;
	}
	return false;
found:
	l->obj = addr;
	l->dev = WB_VRD(vsb, sb, s_dev);
	l->ino = WB_VRD(vi, inode, i_ino);
	l->ipath = inode_path_v(inode, vi);
	return !targ_dev || l->dev == targ_dev;
}

static __always_inline void rwsem_acquire(void *ctx, struct rw_semaphore *sem, __u32 mode,
					  bool trylock, const bool btf)
{
	struct held l = { .mode = mode };

	if (classify_rwsem(sem, &l, btf))
		acquire(ctx, &l, trylock, btf);
}

static __always_inline void rwsem_release(struct rw_semaphore *sem)
{
	struct task_state *t = task_get(false);

	if (!t)
		return;	/* the task holds nothing tracked: cheap exit for every other rwsem */
	for (int i = LO_MAX_HELD - 1; i >= 0; i--) {
		if (i >= t->nheld || i >= LO_MAX_HELD)
			continue;
		if ((t->held[i].cls == LO_I_DATA_SEM || t->held[i].cls == LO_I_RWSEM) &&
		    t->held[i].obj == (__u64)sem) {
			held_remove(t, i);
			break;
		}
	}
}

SEC("fentry/down_write")
int BPF_PROG(lo_down_write, struct rw_semaphore *sem)
{
	rwsem_acquire(ctx, sem, LO_MODE_EXCL, false, true);
	return 0;
}

SEC("fentry/down_write_killable")
int BPF_PROG(lo_down_write_killable, struct rw_semaphore *sem)
{
	rwsem_acquire(ctx, sem, LO_MODE_EXCL, false, true);
	return 0;
}

SEC("fentry/down_read")
int BPF_PROG(lo_down_read, struct rw_semaphore *sem)
{
	rwsem_acquire(ctx, sem, LO_MODE_SHARED, false, true);
	return 0;
}

SEC("fexit/down_write_trylock")
int BPF_PROG(lo_down_write_trylock, struct rw_semaphore *sem, int ret)
{
	if (ret)
		rwsem_acquire(ctx, sem, LO_MODE_EXCL, true, true);
	return 0;
}

SEC("fexit/down_read_trylock")
int BPF_PROG(lo_down_read_trylock, struct rw_semaphore *sem, int ret)
{
	if (ret)
		rwsem_acquire(ctx, sem, LO_MODE_SHARED, true, true);
	return 0;
}

/* Lockdep kernels: the _nested variants are functions of their own. */
SEC("fentry/down_write_nested")
int BPF_PROG(lo_down_write_nested, struct rw_semaphore *sem)
{
	rwsem_acquire(ctx, sem, LO_MODE_EXCL, false, true);
	return 0;
}

SEC("fentry/down_read_nested")
int BPF_PROG(lo_down_read_nested, struct rw_semaphore *sem)
{
	rwsem_acquire(ctx, sem, LO_MODE_SHARED, false, true);
	return 0;
}

SEC("fentry/up_write")
int BPF_PROG(lo_up_write, struct rw_semaphore *sem)
{
	rwsem_release(sem);
	return 0;
}

SEC("fentry/up_read")
int BPF_PROG(lo_up_read, struct rw_semaphore *sem)
{
	rwsem_release(sem);
	return 0;
}

SEC("kprobe/down_write")
int BPF_KPROBE(lo_down_write_kp, struct rw_semaphore *sem)
{
	rwsem_acquire(ctx, sem, LO_MODE_EXCL, false, false);
	return 0;
}

SEC("kprobe/down_read")
int BPF_KPROBE(lo_down_read_kp, struct rw_semaphore *sem)
{
	rwsem_acquire(ctx, sem, LO_MODE_SHARED, false, false);
	return 0;
}

SEC("kprobe/up_write")
int BPF_KPROBE(lo_up_write_kp, struct rw_semaphore *sem)
{
	rwsem_release(sem);
	return 0;
}

SEC("kprobe/up_read")
int BPF_KPROBE(lo_up_read_kp, struct rw_semaphore *sem)
{
	rwsem_release(sem);
	return 0;
}

/* ---- folio lock ---- */

/* The same for a folio (btf: direct reads as in classify_rwsem). */
static __always_inline bool classify_folio(struct folio *folio, struct held *l, const bool btf)
{
	__u64 addr = wb_ptr_key_t(folio, btf);
	struct folio *vf = WB_VIEW(btf, (struct folio *)addr, struct folio);
	struct address_space *mapping = WB_VRD(vf, folio, mapping), *vm;
	struct inode *inode, *vi;
	struct super_block *sb, *vsb;

	if (!mapping || (wb_ptr_key_t(mapping, btf) & 1))	/* anonymous (a typed pointer: no bit tests) */
		return false;
	vm = WB_VIEW(btf, mapping, struct address_space);
	inode = WB_VRD(vm, mapping, host);
	vi = WB_VIEW(btf, inode, struct inode);
	sb = WB_VRD(vi, inode, i_sb);
	vsb = WB_VIEW(btf, sb, struct super_block);
	if (!is_ext4_sb_v(sb, vsb) || (WB_VRD(vi, inode, i_mode) & S_IFMT) != S_IFREG)
		return false;
	l->cls = LO_FOLIO;
	l->mode = LO_MODE_EXCL;
	l->obj = addr;
	l->dev = WB_VRD(vsb, sb, s_dev);
	l->ino = WB_VRD(vi, inode, i_ino);
	l->ipath = inode_path_v(inode, vi);
	return !targ_dev || l->dev == targ_dev;
}

static __always_inline void folio_acquire(void *ctx, struct folio *folio, const bool btf)
{
	struct held l = {};

	if (classify_folio(folio, &l, btf))
		acquire(ctx, &l, false, btf);
}

SEC("fentry/__folio_lock")
int BPF_PROG(lo_folio_lock, struct folio *folio)
{
	folio_acquire(ctx, folio, true);
	return 0;
}

SEC("fentry/__folio_lock_killable")
int BPF_PROG(lo_folio_lock_killable, struct folio *folio)
{
	folio_acquire(ctx, folio, true);
	return 0;
}

SEC("fexit/writeback_iter")
int BPF_PROG(lo_writeback_iter, struct address_space *mapping, struct writeback_control *wbc,
	     struct folio *prev, int *error, struct folio *ret)
{
	if (ret)
		folio_acquire(ctx, ret, true);
	return 0;
}

SEC("fentry/ext4_bio_write_folio")
int BPF_PROG(lo_bio_write_folio, void *io, struct folio *folio)
{
	folio_acquire(ctx, folio, true);
	return 0;
}

/* buffer_head write-back maps a delayed extent with its folios locked (inline). */
SEC("raw_tp/ext4_da_write_pages_extent")
int BPF_PROG(lo_da_extent, struct inode *inode)
{
	struct task_state *t = task_get(false);
	struct held l = { .cls = LO_FOLIO, .mode = LO_MODE_EXCL };

	if (!t || t->ctx_path != LO_PATH_BH)
		return 0;	/* iomap: its folio is already known from writeback_iter */
	l.obj = (__u64)inode | 1;	/* stands for the batch of folios */
	l.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	l.ino = BPF_CORE_READ(inode, i_ino);
	l.ipath = LO_PATH_BH;
	if (!targ_dev || l.dev == targ_dev)
		acquire(ctx, &l, false, false);
	return 0;
}

SEC("raw_tp/ext4_da_write_folios_end")
int BPF_PROG(lo_da_folios_end, struct inode *inode)
{
	release(LO_FOLIO, (__u64)inode | 1);
	return 0;
}

SEC("fentry/folio_unlock")
int BPF_PROG(lo_folio_unlock, struct folio *folio)
{
	release(LO_FOLIO, (__u64)folio);
	return 0;
}

SEC("kprobe/__folio_lock")
int BPF_KPROBE(lo_folio_lock_kp, struct folio *folio)
{
	folio_acquire(ctx, folio, false);
	return 0;
}

SEC("kprobe/folio_unlock")
int BPF_KPROBE(lo_folio_unlock_kp, struct folio *folio)
{
	release(LO_FOLIO, (__u64)folio);
	return 0;
}

SEC("kprobe/ext4_bio_write_folio")
int BPF_KPROBE(lo_bio_write_folio_kp, void *io, struct folio *folio)
{
	folio_acquire(ctx, folio, false);
	return 0;
}

SEC("kretprobe/writeback_iter")
int BPF_KRETPROBE(lo_writeback_iter_kp, struct folio *ret)
{
	if (ret)
		folio_acquire(ctx, ret, false);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
