// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope alloc: block allocation done by write-back, per device and path: size of each
 * allocation and of each delayed extent mapped, allocations per writepages call, the
 * delalloc reservation consumed, and on the iomap path the mappings dirty ranges are
 * written through. See alloc.bpf.c for the hooks.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "hist.h"
#include "json.h"
#include "tool.h"
#include "alloc.h"
#include "alloc.skel.h"
#include "collect.h"
#include "commands.h"

/*
 * Allocations and delayed extents from the mappings' results (wbscope kernel patch 24):
 * one program per extent on each path, sharing the iomap one with iomap_mapping.
 */
#define AL_MAPPED_BTF "tp_btf:ext4_da_write_pages_mapped+ext4_iomap_map_writeback (mapping results)"
#define AL_MAPPED_RAW "raw_tp:ext4_da_write_pages_mapped+ext4_iomap_map_writeback (mapping results)"
#define AL_MAPPED_ALTS								\
	{ AL_MAPPED_BTF, {							\
		{ WB_TP_BTF, "ext4_da_write_pages_mapped", "al_bh_mapped_btf", 4 },	\
		{ WB_TP_BTF, "ext4_iomap_map_writeback", "al_map_res_btf", 5 } } },	\
	{ AL_MAPPED_RAW, {							\
		{ WB_RAW_TP, "ext4_da_write_pages_mapped", "al_bh_mapped", 4 },	\
		{ WB_RAW_TP, "ext4_iomap_map_writeback", "al_map_res", 5 } } }

static const struct wb_metric metric_defs[] = {
	{ .name = "writeback", .alts = {
		{ WB_WP_DONE_MAPS_BTF, { { WB_TP_BTF, "ext4_writepages_done", "al_wp_sums_btf", 10 } } },
		{ WB_WP_DONE_MAPS_RAW, { { WB_RAW_TP, "ext4_writepages_done", "al_wp_sums", 10 } } },
		{ "tp_btf:ext4_writepages_done", { { WB_TP_BTF, "ext4_writepages_done", "al_wp_done_btf" } } },
		{ "raw_tp:ext4_writepages_done", { { WB_RAW_TP, "ext4_writepages_done", "al_wp_done" } } },
		{ "tp_btf:ext4_writepages+ext4_writepages_result", {
			{ WB_TP_BTF, "ext4_writepages", "al_wp_enter_btf" },
			{ WB_TP_BTF, "ext4_writepages_result", "al_wp_exit_btf" } } },
		{ "raw_tp:ext4_writepages+ext4_writepages_result", {
			{ WB_RAW_TP, "ext4_writepages", "al_wp_enter" },
			{ WB_RAW_TP, "ext4_writepages_result", "al_wp_exit" } } },
	} },
	{ .name = "allocation", .needs = "writeback", .alts = {
		AL_MAPPED_ALTS,
		{ "tp_btf:ext4_allocate_blocks", { { WB_TP_BTF, "ext4_allocate_blocks", "al_allocate_btf" } } },
		{ "raw_tp:ext4_allocate_blocks", { { WB_RAW_TP, "ext4_allocate_blocks", "al_allocate" } } },
	} },
	{ .name = "delalloc_extent", .needs = "writeback", .alts = {
		AL_MAPPED_ALTS,
		{ "tp_btf:ext4_da_write_pages_extent", {
			{ WB_TP_BTF, "ext4_da_write_pages_extent", "al_extent_btf" } } },
		{ "raw_tp:ext4_da_write_pages_extent", {
			{ WB_RAW_TP, "ext4_da_write_pages_extent", "al_extent" } } },
	} },
	{ .name = "reservation", .alts = {
		{ "tp_btf:ext4_da_update_reserve_space", {
			{ WB_TP_BTF, "ext4_da_update_reserve_space", "al_rsv_btf" } } },
		{ "raw_tp:ext4_da_update_reserve_space", {
			{ WB_RAW_TP, "ext4_da_update_reserve_space", "al_rsv" } } },
	} },
	{ .name = "iomap_mapping", .alts = {
		{ "tp_btf:ext4_iomap_map_writeback (with delayed_len)", {
			{ WB_TP_BTF, "ext4_iomap_map_writeback", "al_map_res_btf", 5 } } },
		{ "raw_tp:ext4_iomap_map_writeback (with delayed_len)", {
			{ WB_RAW_TP, "ext4_iomap_map_writeback", "al_map_res", 5 } } },
		{ "tp_btf:ext4_iomap_map_writeback", {
			{ WB_TP_BTF, "ext4_iomap_map_writeback", "al_map_wb_btf" } } },
		{ "raw_tp:ext4_iomap_map_writeback", {
			{ WB_RAW_TP, "ext4_iomap_map_writeback", "al_map_wb" } } },
		{ "tp_btf:iomap_add_to_ioend", { { WB_TP_BTF, "iomap_add_to_ioend", "al_ioend_add_btf" } } },
		{ "raw_tp:iomap_add_to_ioend", { { WB_RAW_TP, "iomap_add_to_ioend", "al_ioend_add" } } },
	} },
};
#define NR_METRICS ((int)(sizeof(metric_defs) / sizeof(metric_defs[0])))

static const char *const counter_names[AL_NR_COUNTERS] = {
	[AL_CNT_ALLOC_WB] = "counters.allocations_in_writeback",
	[AL_CNT_ALLOC_OTHER] = "counters.allocations_elsewhere",
	[AL_CNT_ALLOC_WB_META] = "counters.metadata_allocations_in_writeback",
	[AL_CNT_DROP_TASKS] = "drops.tasks_map_full",
	[AL_CNT_DROP_STATS] = "drops.stats_map_full",
};


struct alloc_state {
	struct wb_tool_state base;
	struct wb_metric metrics[NR_METRICS];
	const char *counter_names[AL_NR_COUNTERS];
	struct alloc_bpf *skel;
};

/* The writeback metric's hooks decide how allocations are attributed to calls. */
static void alloc_before_load(struct wb_collector *c)
{
	struct alloc_state *st = (struct alloc_state *)((char *)c - offsetof(struct alloc_state, base.c));
	const char *hook = wb_metric_hook(c->metrics, c->nmetrics, "writeback");
	const char *alloc_hook = wb_metric_hook(c->metrics, c->nmetrics, "allocation");

	/* From the mappings' results, allocations elsewhere and extent-tree blocks go unseen. */
	if (alloc_hook && (!strcmp(alloc_hook, AL_MAPPED_BTF) || !strcmp(alloc_hook, AL_MAPPED_RAW))) {
		st->counter_names[AL_CNT_ALLOC_OTHER] = NULL;
		st->counter_names[AL_CNT_ALLOC_WB_META] = NULL;
	}
	if (st->skel->rodata->wp_mode != AL_WP_PAIR || !hook)
		return;
	if (!strcmp(hook, WB_WP_DONE_MAPS_BTF) || !strcmp(hook, WB_WP_DONE_MAPS_RAW))
		st->skel->rodata->wp_mode = AL_WP_SUMS;
	else if (strstr(hook, "ext4_writepages_done"))
		st->skel->rodata->wp_mode = AL_WP_DONE;
}

static void alloc_close(struct wb_tool_state *base)
{
	struct alloc_state *st = (struct alloc_state *)base;

	if (!st)
		return;
	wb_tool_stop(&st->base);
	alloc_bpf__destroy(st->skel);
	free(st);
}

static int alloc_open(const struct wb_opts *o, struct wb_tool_state **out, FILE *hooks_out)
{
	struct alloc_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	memcpy(st->metrics, metric_defs, sizeof(metric_defs));
	memcpy(st->counter_names, counter_names, sizeof(counter_names));
	st->skel = alloc_bpf__open();
	if (!st->skel) {
		err = -errno;
		wb_explain_load_error("alloc", err);
		free(st);
		return err;
	}
	if (o->delalloc_writeback) {
		/* top: write-back's allocations are those of delayed blocks; no writepages hooks */
		wb_metric_drop_alts(st->skel->obj, &st->metrics[0], WB_METRIC_ALTS);
		st->metrics[0].alts[0] = (struct wb_alt){ .label = "delayed-block allocations" };
		st->skel->rodata->wp_mode = AL_WP_DELALLOC;
	}
	WB_SET_FILTERS(st->skel, o);
	st->base.c = (struct wb_collector){
		.tool = "alloc", .obj = st->skel->obj, .metrics = st->metrics, .nmetrics = NR_METRICS,
		.select = o->metrics,
		.stats_map = "stats", .counters_map = "counters", .ncounters = AL_NR_COUNTERS,
		.counter_names = st->counter_names,
		.val_size = sizeof(struct al_val),
		.before_load = alloc_before_load,
	};
	err = wb_tool_start(&st->base, hooks_out, NULL);
	if (err) {
		alloc_close(&st->base);
		return err;
	}
	*out = &st->base;
	return 0;
}

static double avg(unsigned long long sum, unsigned long long n)
{
	return n ? (double)sum / (double)n : 0.0;
}

/*
 * Does the mapping metric count dirty ranges too? Only iomap_add_to_ioend sees each
 * range; the wbscope kernel's tracepoint fires per mapping alone.
 */
static bool counts_ranges(const struct wb_collector *c)
{
	const char *hook = wb_metric_hook(c->metrics, c->nmetrics, "iomap_mapping");

	return hook && strstr(hook, "iomap_add_to_ioend");
}

static void alloc_text(const struct wb_tool_state *st, const struct wb_opts *o)
{
	const struct wb_snapshot *s = &st->snap;
	const struct wb_group_key *keys = s->keys;
	const struct al_val *vals = s->vals;
	const struct wb_collector *c = &st->c;

	if (s->n == 0)
		printf("(no write-back allocation activity)\n");
	for (int i = 0; i < s->n; i++) {
		const struct al_val *v = &vals[i];
		bool ext4 = v->calls || v->allocs || v->extents || v->rsv_blocks;

		wb_print_group_title(keys[i].dev, keys[i].path);
		printf("\n");
		if (ext4 && wb_collector_on(c, "writeback"))
			printf("  writepages calls: %llu\n", v->calls);
		if (ext4 && wb_collector_on(c, "allocation"))
			printf("  allocations during writeback: %llu (%llu blocks), avg %.1f blocks, "
			       "%.2f per call\n", v->allocs, v->blocks, avg(v->blocks, v->allocs),
			       avg(v->allocs, v->calls));
		else if (ext4)
			wb_collector_print_unavail(c, "allocations", "allocation");
		if (ext4 && wb_collector_on(c, "delalloc_extent"))
			printf("  delayed extents mapped: %llu, avg %.1f blocks\n", v->extents,
			       avg(v->extent_len.sum, v->extent_len.count));
		if (ext4 && wb_collector_on(c, "reservation"))
			printf("  delalloc reservation consumed: %llu blocks\n", v->rsv_blocks);
		if (keys[i].path == WB_PATH_IOMAP) {
			if (wb_collector_on(c, "iomap_mapping") && counts_ranges(c))
				printf("  iomap: %llu dirty ranges written through %llu mappings, avg %.1f "
				       "blocks per mapping\n", v->ioend_adds, v->mappings,
				       avg(v->map_len.sum, v->map_len.count));
			else if (wb_collector_on(c, "iomap_mapping"))
				printf("  iomap: %llu mappings written through, avg %.1f blocks per mapping\n",
				       v->mappings, avg(v->map_len.sum, v->map_len.count));
			else
				wb_collector_print_unavail(c, "iomap mappings", "iomap_mapping");
		}
		wb_hist_print_titled(stdout, "blocks per allocation", &v->alloc_len, "blocks");
		wb_hist_print_titled(stdout, "allocations per writepages call", &v->allocs_per_call, "allocs");
		wb_hist_print_titled(stdout, "blocks per delayed extent mapped", &v->extent_len, "blocks");
		wb_hist_print_titled(stdout, "blocks per iomap mapping", &v->map_len, "blocks");
		wb_hist_print_titled(stdout, "delalloc blocks consumed per update", &v->rsv_used, "blocks");
	}
	if (s->cnt[AL_CNT_ALLOC_WB_META])
		printf("\n%llu extent-tree blocks allocated by writeback, not counted above\n",
		       s->cnt[AL_CNT_ALLOC_WB_META]);
	if (s->cnt[AL_CNT_ALLOC_OTHER])
		printf("\n%llu allocations outside writeback (fallocate, direct I/O, ...) not counted above\n",
		       s->cnt[AL_CNT_ALLOC_OTHER]);
	if (s->cnt[AL_CNT_DROP_TASKS] || s->cnt[AL_CNT_DROP_STATS])
		printf("\nnote: dropped (map full): %llu writepages calls, %llu stats updates\n",
		       s->cnt[AL_CNT_DROP_TASKS], s->cnt[AL_CNT_DROP_STATS]);
	printf("\n");
}

static void alloc_json(struct wb_json *j, const struct wb_tool_state *st, const struct wb_opts *o)
{
	const struct wb_snapshot *s = &st->snap;
	const struct wb_group_key *keys = s->keys;
	const struct al_val *vals = s->vals;
	const struct wb_collector *c = &st->c;

	wb_json_key(j, "groups");
	wb_json_arr_begin(j);
	for (int i = 0; i < s->n; i++) {
		const struct al_val *v = &vals[i];

		wb_json_obj_begin(j);
		wb_json_group_dev(j, keys[i].dev, keys[i].path);
		if (wb_collector_on(c, "writeback"))
			wb_json_kv_uint(j, "calls", v->calls);
		if (wb_collector_on(c, "allocation")) {
			wb_json_kv_uint(j, "allocations", v->allocs);
			wb_json_kv_uint(j, "blocks_allocated", v->blocks);
		}
		if (wb_collector_on(c, "delalloc_extent"))
			wb_json_kv_uint(j, "delalloc_extents", v->extents);
		if (wb_collector_on(c, "reservation"))
			wb_json_kv_uint(j, "reserved_blocks_used", v->rsv_blocks);
		if (wb_collector_on(c, "iomap_mapping")) {
			if (counts_ranges(c))
				wb_json_kv_uint(j, "ioend_ranges", v->ioend_adds);
			wb_json_kv_uint(j, "iomap_mappings", v->mappings);
		}
		wb_json_key(j, "hists");
		wb_json_obj_begin(j);
		if (wb_collector_on(c, "allocation")) {
			wb_json_hist(j, "alloc_len", &v->alloc_len, "blocks");
			wb_json_hist(j, "allocs_per_call", &v->allocs_per_call, "allocations");
		}
		if (wb_collector_on(c, "delalloc_extent")) {
			wb_json_hist(j, "extent_len", &v->extent_len, "blocks");
			wb_json_hist(j, "extents_per_call", &v->extents_per_call, "extents");
		}
		if (wb_collector_on(c, "reservation"))
			wb_json_hist(j, "reserved_used", &v->rsv_used, "blocks");
		if (wb_collector_on(c, "iomap_mapping"))
			wb_json_hist(j, "mapping_len", &v->map_len, "blocks");
		wb_json_obj_end(j);
		wb_json_obj_end(j);
	}
	wb_json_arr_end(j);
}

const struct wb_tool wb_tool_alloc = {
	.name = "alloc",
	.what = "write-back block allocation",
	.doc =
"Summarize block allocation by ext4 write-back per device and path: blocks\n"
"per allocation and per delayed extent, allocations per writepages call,\n"
"delalloc reservation consumed; on the iomap path the mappings dirty ranges\n"
"are written through (on the wbscope kernel ext4's, from its own tracepoint;\n"
"elsewhere those of any iomap file system, XFS included). The buffer_head\n"
"path allocates per batch of folios, the iomap path per writeback range:\n"
"compare the histograms of the two paths.\n"
"\n"
"USAGE: wbscope alloc [OPTIONS] [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    wbscope alloc              # summarize until Ctrl-C\n"
"    wbscope alloc -d vdb 10 1  # one device, one 10 second summary\n"
"    wbscope alloc -j           # JSON (schema wbscope/1) at Ctrl-C",
	.open = alloc_open,
	.close = alloc_close,
	.text = alloc_text,
	.json = alloc_json,
};

int cmd_alloc(int argc, char **argv)
{
	return wb_tool_main(&wb_tool_alloc, argc, argv);
}
