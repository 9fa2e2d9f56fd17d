/* SPDX-License-Identifier: GPL-2.0 */
/* Reading wbscope's BPF maps from user space. */
#ifndef WB_MAPS_H
#define WB_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include "wbscope.h"

/*
 * A tool's statistics groups (include/groups.bpf.h): devs_fd is its wb_devs table
 * (dev_t + 1 per device slot, 0: free), stats_fd its per-CPU array of WB_MAX_GROUPS
 * values of val_size bytes, made only of 64-bit counts and sums (counters, sums,
 * struct wb_hist). Each group's per-CPU copies are summed; prev holds the sums of the
 * previous read (WB_MAX_GROUPS values, zeroed before the first) and is brought up to
 * date. Every group that changed since is written to keys and vals (WB_MAX_GROUPS
 * each at most), its value as the difference. Returns how many, or -errno.
 */
int wb_read_groups(int devs_fd, int stats_fd, size_t val_size, int ncpu, unsigned long long *prev,
		   struct wb_group_key *keys, void *vals);

/* out = cur - prev and prev = cur, word by word; whether any word of out is non-zero. */
bool wb_group_delta(const unsigned long long *cur, unsigned long long *prev,
		    unsigned long long *out, size_t words);

/* Sums a BPF_MAP_TYPE_PERCPU_ARRAY of n u64 counters over the CPUs. */
void wb_read_percpu_counters(int fd, int n, int ncpu, unsigned long long *out);

#endif
