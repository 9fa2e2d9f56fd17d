// SPDX-License-Identifier: GPL-2.0
/*
 * The floor under `wbscope alloc`: a program that does nothing on each tracepoint the
 * tool hooks on the wbscope kernel (see floor-endio.bpf.c; the mappings come from
 * ext4_iomap_map_writeback there, not iomap_add_to_ioend). bench/overhead variant
 * floor-alloc.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EMPTY(tp) SEC("tp_btf/" #tp) int BPF_PROG(floor_##tp) { return 0; }

EMPTY(ext4_writepages)
EMPTY(ext4_writepages_result)
EMPTY(ext4_allocate_blocks)
EMPTY(ext4_da_write_pages_extent)
EMPTY(ext4_da_update_reserve_space)
EMPTY(ext4_iomap_map_writeback)

char LICENSE[] SEC("license") = "GPL";
