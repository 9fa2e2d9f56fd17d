// SPDX-License-Identifier: GPL-2.0
/*
 * The floor under `wbscope alloc`: a program that does nothing on each tracepoint the
 * tool hooks (see floor-endio.bpf.c). bench/overhead variant floor-alloc.
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
EMPTY(iomap_add_to_ioend)

char LICENSE[] SEC("license") = "GPL";
