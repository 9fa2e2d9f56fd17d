/* SPDX-License-Identifier: GPL-2.0 */
/* The tracing subcommands as tables (lib/tool.h), for wbscope.c and `wbscope top`. */
#ifndef WB_COLLECT_H
#define WB_COLLECT_H

#include "tool.h"

extern const struct wb_tool wb_tool_writepages;
extern const struct wb_tool wb_tool_bio;
extern const struct wb_tool wb_tool_endio;
extern const struct wb_tool wb_tool_alloc;

/* endio: does its work hook (ext4_end_io_work from wbscope kernel patch 22) count each
 * run's handled ioends and converted extents (eio_val.work_handled, work_extents)? */
bool wb_endio_work_has_sums(const struct wb_collector *c);
/* writepages: does its hook (ext4_writepages_done from wbscope kernel patch 23) count
 * each call's mapped extents and allocations (wp_val.extents, allocs, alloc_blocks)? */
bool wb_writepages_has_maps(const struct wb_collector *c);
/* The hook labels of ext4_writepages_done with those counts (writepages, alloc). */
#define WB_WP_DONE_MAPS_BTF "tp_btf:ext4_writepages_done (with mapping counts)"
#define WB_WP_DONE_MAPS_RAW "raw_tp:ext4_writepages_done (with mapping counts)"
/* writepages: does its hook (ext4_writepages_done from wbscope kernel patch 26) also count
 * the bios each call submitted and their bytes (wp_val.bios, bio_bytes)? */
bool wb_writepages_has_bios(const struct wb_collector *c);
/* bio: the rate at which the kernel picks the bios ext4_bio_timed times (wbscope kernel
 * patches 25 and 26: the event with the bio's size, and the writepages calls' bio
 * counts): ext4.bio_time_sample's value (1: every bio), or 0 where it cannot. */
unsigned int wb_bio_kernel_sample(void);
/* bio: with these options, would the kernel pick the bios --sample times (not the
 * programs: -p, --hooks fentry|kprobe, --block-layer and kernels without
 * bio->issue_time_ns keep sampling in the programs)? */
bool wb_bio_kernel_can_sample(const struct wb_opts *o);
/* bio: where the kernel can sample for o and o sets no --sample, sets o->sample to the
 * rate another tracer already set, else WB_BIO_SAMPLE; returns whether it did (bio's
 * default, and top's for its bio columns). */
#define WB_BIO_SAMPLE 8
bool wb_bio_default_sample(struct wb_opts *o);
/* bio: where the kernel samples for the tool, the rate another tracer has changed
 * ext4.bio_time_sample to since the tool set it; 0 while it is unchanged. */
unsigned int wb_bio_sample_changed(const struct wb_tool_state *st);
#define WB_WP_DONE_BIOS_BTF "tp_btf:ext4_writepages_done (with mapping counts and bios)"
#define WB_WP_DONE_BIOS_RAW "raw_tp:ext4_writepages_done (with mapping counts and bios)"

#endif
