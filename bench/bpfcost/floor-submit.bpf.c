// SPDX-License-Identifier: GPL-2.0
/*
 * An empty program on ext4's bio submission events (ext4_submit_bio,
 * ext4_iomap_submit_bio): the floor of `wbscope bio -p`'s submission side, and a
 * per-bio event whose enabling changes nothing else in the kernel (enabling the
 * completion events also has ext4 stamp each bio's submission time), to tell the
 * price of running a program per bio from that of the kernel's work for the
 * completion events. bench/overhead variant floor-submit (see floor-bio.bpf.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EMPTY(tp) SEC("tp_btf/" #tp) int BPF_PROG(floor_##tp) { return 0; }

EMPTY(ext4_submit_bio)
EMPTY(ext4_iomap_submit_bio)

char LICENSE[] SEC("license") = "GPL";
