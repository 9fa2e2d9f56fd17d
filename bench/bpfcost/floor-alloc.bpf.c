// SPDX-License-Identifier: GPL-2.0
/*
 * The floor under `wbscope alloc`: a program that does nothing on each tracepoint the
 * tool hooks on the wbscope kernel (see floor-endio.bpf.c): the writepages call's end,
 * each extent mapping's result (kernel patch 24: ext4_da_write_pages_mapped on the
 * buffer_head path, ext4_iomap_map_writeback on the iomap path) and the reservation.
 * bench/overhead variant floor-alloc.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EMPTY(tp) SEC("tp_btf/" #tp) int BPF_PROG(floor_##tp) { return 0; }

EMPTY(ext4_writepages_done)
EMPTY(ext4_da_write_pages_mapped)
EMPTY(ext4_da_update_reserve_space)
EMPTY(ext4_iomap_map_writeback)

char LICENSE[] SEC("license") = "GPL";
