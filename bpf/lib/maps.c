// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "maps.h"

bool wb_group_delta(const unsigned long long *cur, unsigned long long *prev,
		    unsigned long long *out, size_t words)
{
	bool changed = false;

	for (size_t w = 0; w < words; w++) {
		out[w] = cur[w] - prev[w];
		prev[w] = cur[w];
		changed |= out[w] != 0;
	}
	return changed;
}

int wb_read_groups(int devs_fd, int stats_fd, size_t val_size, int ncpu, unsigned long long *prev,
		   struct wb_group_key *keys, void *vals)
{
	size_t words = val_size / 8;
	unsigned long long *percpu = calloc((size_t)ncpu, val_size), *sum = calloc(1, val_size);
	int n = 0, err = 0;

	if (!percpu || !sum || val_size % 8) {
		err = val_size % 8 ? -EINVAL : -ENOMEM;
		goto out;
	}
	for (unsigned int slot = 0; slot < WB_MAX_DEVS; slot++) {
		unsigned long long dev1 = 0;

		if (bpf_map_lookup_elem(devs_fd, &slot, &dev1)) {
			err = -errno;
			goto out;
		}
		if (!dev1)
			continue;	/* a free slot: no group of it has ever been written */
		for (unsigned int path = 0; path < WB_NR_PATHS; path++) {
			unsigned int idx = slot * WB_NR_PATHS + path;
			unsigned long long *dst = (unsigned long long *)((char *)vals + (size_t)n * val_size);

			if (bpf_map_lookup_elem(stats_fd, &idx, percpu)) {
				err = -errno;
				goto out;
			}
			memset(sum, 0, val_size);
			for (int c = 0; c < ncpu; c++)
				for (size_t w = 0; w < words; w++)
					sum[w] += percpu[(size_t)c * words + w];
			if (wb_group_delta(sum, prev + (size_t)idx * words, dst, words)) {
				keys[n].dev = (unsigned int)(dev1 - 1);
				keys[n].path = path;
				n++;
			}
		}
	}
out:
	free(percpu);
	free(sum);
	return err ? err : n;
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
