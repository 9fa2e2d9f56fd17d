// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "maps.h"

int wb_drain_percpu_hash(int fd, size_t key_size, size_t val_size, int ncpu,
			 void *keys, void *vals, int max)
{
	size_t words = val_size / 8;
	unsigned long long *percpu = calloc((size_t)ncpu, val_size);
	char *prev = NULL, *cur = calloc(1, key_size), *k = keys;
	int nkeys = 0, n = 0;

	if (!percpu || !cur || val_size % 8) {
		free(percpu);
		free(cur);
		return val_size % 8 ? -EINVAL : -ENOMEM;
	}
	/* Collect keys first: deleting while iterating restarts the walk. */
	while (nkeys < max && bpf_map_get_next_key(fd, prev, k + (size_t)nkeys * key_size) == 0) {
		memcpy(cur, k + (size_t)nkeys * key_size, key_size);
		prev = cur;
		nkeys++;
	}
	for (int i = 0; i < nkeys; i++) {
		void *key = k + (size_t)i * key_size;
		unsigned long long *dst;

		if (bpf_map_lookup_and_delete_elem(fd, key, percpu)) {
			/* Older kernels: no lookup-and-delete for per-CPU hashes. */
			if (bpf_map_lookup_elem(fd, key, percpu))
				continue;
			bpf_map_delete_elem(fd, key);
		}
		if (n != i)
			memmove(k + (size_t)n * key_size, key, key_size);
		dst = (unsigned long long *)((char *)vals + (size_t)n * val_size);
		memset(dst, 0, val_size);
		for (int c = 0; c < ncpu; c++)
			for (size_t w = 0; w < words; w++)
				dst[w] += percpu[(size_t)c * words + w];
		n++;
	}
	free(percpu);
	free(cur);
	return n;
}

void wb_read_percpu_counters(int fd, int n, int ncpu, unsigned long long *out)
{
	unsigned long long *vals = calloc((size_t)ncpu, sizeof(*vals));

	for (int i = 0; i < n; i++) {
		unsigned int idx = (unsigned int)i;

		out[i] = 0;
		if (vals && bpf_map_lookup_elem(fd, &idx, vals) == 0)
			for (int c = 0; c < ncpu; c++)
				out[i] += vals[c];
	}
	free(vals);
}

int wb_purge_stale(int fd, size_t key_size, size_t val_size, unsigned long long max_age_ns)
{
	enum { MAX_PURGE = 65536 };
	struct timespec ts;
	unsigned long long now;
	char *key = calloc(1, key_size), *stale = calloc(MAX_PURGE, key_size);
	unsigned long long *val = calloc(1, val_size < 8 ? 8 : val_size);
	void *prev = NULL;
	int nstale = 0, purged = 0;

	if (!key || !stale || !val)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &ts);	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC */
	now = (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
	/* Collect first, delete after: deleting while walking restarts the walk. */
	while (nstale < MAX_PURGE && bpf_map_get_next_key(fd, prev, key) == 0) {
		if (bpf_map_lookup_elem(fd, key, val) == 0 && val[0] && val[0] + max_age_ns < now)
			memcpy(stale + (size_t)nstale++ * key_size, key, key_size);
		if (!prev)
			prev = calloc(1, key_size);
		if (!prev)
			break;
		memcpy(prev, key, key_size);
	}
	for (int i = 0; i < nstale; i++)
		purged += bpf_map_delete_elem(fd, stale + (size_t)i * key_size) == 0;
	free(prev);
out:
	free(key);
	free(stale);
	free(val);
	return purged;
}
