// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope writepages: latency of ext4 writepages calls and pages written per call,
 * per device and path. Hooks, best first: the ext4_writepages / ext4_writepages_result
 * tracepoints as raw tracepoints (both paths); fentry/fexit on ext4_writepages; a
 * kprobe/kretprobe pair on it. Without the result tracepoint, pages written are
 * wbc->nr_to_write at entry minus at return (what ext4 decrements as it writes).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bits.bpf.h"
#include "filter.bpf.h"
#include "groups.bpf.h"
#include "writepages.h"

struct start {
	__u64 ts;
	__s64 nr_to_write;
	struct inode *inode;		/* for the kretprobe, which sees no arguments */
	struct writeback_control *wbc;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, WP_MAX_INFLIGHT);
	__type(key, __u32);
	__type(value, struct start);
} starts SEC(".maps");

WB_GROUP_STATS(stats, struct wp_val);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, WP_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void wp_enter(struct inode *inode, struct writeback_control *wbc)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), dev;
	struct start s;

	if (!wb_inode_wanted(inode, &dev))
		return;
	wb_count(&counters, WP_CNT_ENTER);
	s.ts = bpf_ktime_get_ns();
	s.nr_to_write = BPF_CORE_READ(wbc, nr_to_write);
	s.inode = inode;
	s.wbc = wbc;
	if (bpf_map_update_elem(&starts, &tid, &s, BPF_ANY))
		wb_count(&counters, WP_CNT_DROP_INFLIGHT);
}

/* pages_written < 0: compute it from wbc->nr_to_write. */
static __always_inline void wp_exit(struct inode *inode, struct writeback_control *wbc, int ret,
				    int pages_written)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct wp_val *val;
	__u32 dev;
	struct start *s;
	__u64 now = bpf_ktime_get_ns(), delta;

	s = bpf_map_lookup_elem(&starts, &tid);
	if (!inode && s) {
		inode = s->inode;
		wbc = s->wbc;
	}
	if (!inode || !wb_inode_wanted(inode, &dev))
		goto out;
	wb_count(&counters, WP_CNT_EXIT);
	if (pages_written < 0) {
		__s64 left = BPF_CORE_READ(wbc, nr_to_write);

		pages_written = s && s->nr_to_write > left ? s->nr_to_write - left : 0;
	}
	val = wb_group(&stats, dev, wb_ext4_path(inode));
	if (!val) {
		wb_count(&counters, WP_CNT_DROP_STATS);
		goto out;
	}
	val->calls++;
	if (ret < 0)
		val->errors++;
	if (BPF_CORE_READ(wbc, sync_mode) == WB_SYNC_ALL)
		val->sync_all++;
	if (pages_written > 0) {
		val->pages_total += pages_written;
		wb_hist_add(&val->pages, pages_written);
	} else {
		wb_hist_add(&val->pages, 0);
	}
	if (!s) {
		wb_count(&counters, WP_CNT_UNPAIRED);
		return;
	}
	delta = now - s->ts;
	val->lat_ns_sum += delta;
	wb_hist_add(&val->lat, wb_time_unit(delta));
	/* LONG_MAX means "everything" (sync writeback): clamp into the top slot. */
	wb_hist_add(&val->nr_to_write, s->nr_to_write <= 0 ? 0 :
		    s->nr_to_write > 0xffffffffLL ? 0xffffffffULL : s->nr_to_write);
out:
	if (s)
		bpf_map_delete_elem(&starts, &tid);
}

SEC("raw_tp/ext4_writepages")
int BPF_PROG(wp_enter_tp, struct inode *inode, struct writeback_control *wbc)
{
	wp_enter(inode, wbc);
	return 0;
}

SEC("raw_tp/ext4_writepages_result")
int BPF_PROG(wp_exit_tp, struct inode *inode, struct writeback_control *wbc, int ret,
	     int pages_written)
{
	wp_exit(inode, wbc, ret, pages_written);
	return 0;
}

SEC("fentry/ext4_writepages")
int BPF_PROG(wp_enter_fentry, struct address_space *mapping, struct writeback_control *wbc)
{
	wp_enter(BPF_CORE_READ(mapping, host), wbc);
	return 0;
}

SEC("fexit/ext4_writepages")
int BPF_PROG(wp_exit_fexit, struct address_space *mapping, struct writeback_control *wbc, int ret)
{
	wp_exit(BPF_CORE_READ(mapping, host), wbc, ret, -1);
	return 0;
}

SEC("kprobe/ext4_writepages")
int BPF_KPROBE(wp_enter_kprobe, struct address_space *mapping, struct writeback_control *wbc)
{
	wp_enter(BPF_CORE_READ(mapping, host), wbc);
	return 0;
}

SEC("kretprobe/ext4_writepages")
int BPF_KRETPROBE(wp_exit_kretprobe, int ret)
{
	wp_exit(NULL, NULL, ret, -1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
