// SPDX-License-Identifier: GPL-2.0
/*
 * The floor under `wbscope bio --sample 1` (every bio timed): a program that does nothing
 * on each tracepoint the tool then hooks on the wbscope kernel: ext4's bio completion
 * events, both paths, which carry the time in flight from kernel patch 21 on. (Before it, the tool also hooked
 * ext4_submit_bio and ext4_iomap_submit_bio, as it still does with -p; floor-submit
 * is their floor, and results/overhead-guest-1cpu-ram-bio-floor-20261202 measured all
 * four.) bench/overhead (variant floor-bio) loads it with bpftool: what it costs is
 * what the kernel charges for running a BPF program on these events at all, before any
 * work of the tool's own.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EMPTY(tp) SEC("tp_btf/" #tp) int BPF_PROG(floor_##tp) { return 0; }

EMPTY(ext4_end_bio)
EMPTY(ext4_iomap_end_bio)

char LICENSE[] SEC("license") = "GPL";
