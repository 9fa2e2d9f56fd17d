/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a BPF-side header (include/NAME.bpf.h) needs to compile as plain C in a unit test:
 * the kernel's integer types and the map-definition macros. The test then defines
 * bpf_map_lookup_elem over its own arrays.
 */
#ifndef WB_BPF_AS_C_H
#define WB_BPF_AS_C_H

#include <stdint.h>

typedef uint32_t __u32;
typedef uint64_t __u64;
#define SEC(name)
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name
enum { BPF_MAP_TYPE_ARRAY = 2, BPF_MAP_TYPE_PERCPU_ARRAY = 6 };

#endif
