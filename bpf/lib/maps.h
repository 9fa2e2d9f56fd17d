/* SPDX-License-Identifier: GPL-2.0 */
/* Reading wbscope's BPF maps from user space. */
#ifndef WB_MAPS_H
#define WB_MAPS_H

#include <stddef.h>

/*
 * Drains a BPF_MAP_TYPE_PERCPU_HASH whose values are made only of 64-bit counters
 * (wbscope's stats values: counts, sums and struct wb_hist): every entry is read and
 * deleted, and its per-CPU copies are summed word by word. keys receives up to max keys
 * (key_size each), vals the summed values (val_size each, a multiple of 8). Returns the
 * number of entries, or -errno.
 */
int wb_drain_percpu_hash(int fd, size_t key_size, size_t val_size, int ncpu,
			 void *keys, void *vals, int max);

/* Sums a BPF_MAP_TYPE_PERCPU_ARRAY of n u64 counters over the CPUs. */
void wb_read_percpu_counters(int fd, int n, int ncpu, unsigned long long *out);

/*
 * Deletes entries of a hash whose value starts with a u64 bpf_ktime_get_ns() timestamp
 * older than max_age_ns (starts whose end event never came). Returns how many.
 */
int wb_purge_stale(int fd, size_t key_size, size_t val_size, unsigned long long max_age_ns);

#endif
