// SPDX-License-Identifier: GPL-2.0
/*
 * The floor under `wbscope endio`: a program that does nothing on each tracepoint the
 * tool hooks by default on the iomap path of the wbscope kernel. bench/overhead (variant
 * floor-endio) loads it with bpftool: what it costs is what the kernel charges for
 * running a BPF program on these events at all, before any work of the tool's own.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EMPTY(tp) SEC("tp_btf/" #tp) int BPF_PROG(floor_##tp) { return 0; }

EMPTY(ext4_end_io_work)
EMPTY(ext4_iomap_ioend_done)

char LICENSE[] SEC("license") = "GPL";
