// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope writepages: ext4 writepages call latency, pages written per call and
 * nr_to_write, per device and write-back path. See writepages.bpf.c for the hooks.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "json.h"
#include "tool.h"
#include "writepages.h"
#include "writepages.skel.h"
#include "collect.h"
#include "commands.h"

static const struct wb_metric metric_defs[] = {
	{ .name = "writepages", .alts = {
		{ WB_WP_DONE_BIOS_BTF, {
			{ WB_TP_BTF, "ext4_writepages_done", "wp_done_bios_tp_btf", 12 } } },
		{ WB_WP_DONE_BIOS_RAW, {
			{ WB_RAW_TP, "ext4_writepages_done", "wp_done_bios_tp", 12 } } },
		{ WB_WP_DONE_MAPS_BTF, {
			{ WB_TP_BTF, "ext4_writepages_done", "wp_done_maps_tp_btf", 10 } } },
		{ WB_WP_DONE_MAPS_RAW, {
			{ WB_RAW_TP, "ext4_writepages_done", "wp_done_maps_tp", 10 } } },
		{ "tp_btf:ext4_writepages_done", {
			{ WB_TP_BTF, "ext4_writepages_done", "wp_done_tp_btf", 7 } } },
		{ "raw_tp:ext4_writepages_done", {
			{ WB_RAW_TP, "ext4_writepages_done", "wp_done_tp", 7 } } },
		{ "tp_btf:ext4_writepages+ext4_writepages_result", {
			{ WB_TP_BTF, "ext4_writepages", "wp_enter_tp_btf" },
			{ WB_TP_BTF, "ext4_writepages_result", "wp_exit_tp_btf" } } },
		{ "raw_tp:ext4_writepages+ext4_writepages_result", {
			{ WB_RAW_TP, "ext4_writepages", "wp_enter_tp" },
			{ WB_RAW_TP, "ext4_writepages_result", "wp_exit_tp" } } },
		{ "fentry+fexit:ext4_writepages", {
			{ WB_FENTRY, "ext4_writepages", "wp_enter_fentry" },
			{ WB_FEXIT, "ext4_writepages", "wp_exit_fexit" } } },
		{ "kprobe+kretprobe:ext4_writepages", {
			{ WB_KPROBE, "ext4_writepages", "wp_enter_kprobe" },
			{ WB_KRETPROBE, "ext4_writepages", "wp_exit_kretprobe" } } },
	} },
};
#define NR_METRICS ((int)(sizeof(metric_defs) / sizeof(metric_defs[0])))

static const char *const counter_names[WP_NR_COUNTERS] = {
	[WP_CNT_ENTER] = "counters.enter",
	[WP_CNT_EXIT] = "counters.exit",
	[WP_CNT_UNPAIRED] = "counters.unpaired",
	[WP_CNT_DROP_TASKS] = "drops.tasks_map_full",
	[WP_CNT_DROP_STATS] = "drops.stats_map_full",
};


struct wp_state {
	struct wb_tool_state base;
	struct wb_metric metrics[NR_METRICS];
	struct writepages_bpf *skel;
};

bool wb_writepages_has_bios(const struct wb_collector *c)
{
	const char *hook = wb_metric_hook(c->metrics, c->nmetrics, "writepages");

	return hook && (!strcmp(hook, WB_WP_DONE_BIOS_BTF) || !strcmp(hook, WB_WP_DONE_BIOS_RAW));
}

bool wb_writepages_has_maps(const struct wb_collector *c)
{
	const char *hook = wb_metric_hook(c->metrics, c->nmetrics, "writepages");

	return wb_writepages_has_bios(c) ||
	       (hook && (!strcmp(hook, WB_WP_DONE_MAPS_BTF) || !strcmp(hook, WB_WP_DONE_MAPS_RAW)));
}

/*
 * From the done event, the programs count neither the calls nor their starts
 * (writepages.bpf.c, wp_done): every result seen is one of the groups' calls or a drop,
 * and every one has its start but the unpaired.
 */
static void wp_after_read(struct wb_collector *c, struct wb_snapshot *s)
{
	const char *hook = wb_metric_hook(c->metrics, c->nmetrics, "writepages");

	if (!hook || !strstr(hook, "ext4_writepages_done"))
		return;
	s->cnt[WP_CNT_EXIT] = s->cnt[WP_CNT_DROP_STATS] +
		wb_snapshot_sum(s, sizeof(struct wp_val), offsetof(struct wp_val, calls));
	s->cnt[WP_CNT_ENTER] = s->cnt[WP_CNT_EXIT] - s->cnt[WP_CNT_UNPAIRED];
}

static void wp_close(struct wb_tool_state *base)
{
	struct wp_state *st = (struct wp_state *)base;

	if (!st)
		return;
	wb_tool_stop(&st->base);
	writepages_bpf__destroy(st->skel);
	free(st);
}

static int wp_open(const struct wb_opts *o, struct wb_tool_state **out, FILE *hooks_out)
{
	struct wp_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	memcpy(st->metrics, metric_defs, sizeof(metric_defs));
	st->skel = writepages_bpf__open();
	if (!st->skel) {
		err = -errno;
		wb_explain_load_error("writepages", err);
		free(st);
		return err;
	}
	WB_SET_FILTERS(st->skel, o);
	st->base.c = (struct wb_collector){
		.tool = "writepages", .obj = st->skel->obj, .metrics = st->metrics,
		.nmetrics = NR_METRICS, .stats_map = "stats", .counters_map = "counters",
		.ncounters = WP_NR_COUNTERS, .counter_names = counter_names,
		.val_size = sizeof(struct wp_val), .select = o->metrics,
		.after_read = wp_after_read,
	};
	err = wb_tool_start(&st->base, hooks_out, "writepages");
	if (err) {
		wp_close(&st->base);
		return err;
	}
	*out = &st->base;
	return 0;
}

/*
 * nr_to_write at entry. Integrity write-back (fsync, sync(2)) asks for LONG_MAX pages,
 * which the program clamps into the last slot (2^31 pages and more, 8 TiB of 4 KiB
 * pages: no real request): print those as unlimited and the histogram of the rest.
 */
static void wp_print_nr_to_write(const struct wb_hist *h)
{
	struct wb_hist bounded = *h;
	unsigned long long unlimited = h->slots[WB_MAX_SLOTS - 1];

	bounded.slots[WB_MAX_SLOTS - 1] = 0;
	bounded.count -= unlimited;
	printf("\n  nr_to_write: %llu calls unlimited (LONG_MAX: fsync, sync), %llu bounded\n",
	       unlimited, bounded.count);
	if (bounded.count) {
		printf("\n");
		wb_hist_print(stdout, &bounded, "nr_to_write");
	}
}

static void wp_text(const struct wb_tool_state *st, const struct wb_opts *o)
{
	const struct wb_snapshot *s = &st->snap;
	const struct wb_group_key *keys = s->keys;
	const struct wp_val *vals = s->vals;
	const unsigned long long *cnt = s->cnt;

	if (s->n == 0)
		printf("(no ext4 writepages calls)\n");
	for (int i = 0; i < s->n; i++) {
		const struct wp_val *v = &vals[i];

		wb_print_group_title(keys[i].dev, keys[i].path);
		printf(" %llu calls (%llu WB_SYNC_ALL, %llu WB_SYNC_NONE), %llu pages written, "
		       "%llu errors", v->calls, v->sync_all, v->calls - v->sync_all,
		       v->pages_total, v->errors);
		if (v->lat.count)
			printf(", avg %.1f us", (double)v->lat_ns_sum / (double)v->lat.count / 1000.0);
		printf("\n");
		if (wb_writepages_has_maps(&st->c))
			printf("  %llu delayed extents mapped, %llu of them allocated (%llu blocks)\n",
			       v->extents, v->allocs, v->alloc_blocks);
		if (wb_writepages_has_bios(&st->c)) {
			printf("  %llu bios submitted, %.1f MiB", v->bios, (double)v->bio_bytes / 1048576.0);
			if (v->bios)
				printf(", avg %.1f KiB", (double)v->bio_bytes / (double)v->bios / 1024.0);
			printf("\n");
		}
		printf("\n");
		wb_hist_print(stdout, &v->lat, o->milliseconds ? "msecs" : "usecs");
		printf("\n");
		wb_hist_print(stdout, &v->pages, "pages/call");
		wp_print_nr_to_write(&v->nr_to_write);
	}
	if (cnt[WP_CNT_UNPAIRED] || cnt[WP_CNT_DROP_TASKS] || cnt[WP_CNT_DROP_STATS])
		printf("\nnote: %llu results without a start (not in latency), dropped: %llu starts "
		       "(no per-thread storage), %llu results (device map full)\n",
		       cnt[WP_CNT_UNPAIRED], cnt[WP_CNT_DROP_TASKS], cnt[WP_CNT_DROP_STATS]);
	printf("\n");
}

static void wp_json(struct wb_json *j, const struct wb_tool_state *st, const struct wb_opts *o)
{
	const struct wb_snapshot *s = &st->snap;
	const struct wb_group_key *keys = s->keys;
	const struct wp_val *vals = s->vals;
	const char *unit = o->milliseconds ? "msecs" : "usecs";

	wb_json_key(j, "groups");
	wb_json_arr_begin(j);
	for (int i = 0; i < s->n; i++) {
		const struct wp_val *v = &vals[i];

		wb_json_obj_begin(j);
		wb_json_group_dev(j, keys[i].dev, keys[i].path);
		wb_json_kv_uint(j, "calls", v->calls);
		wb_json_kv_uint(j, "errors", v->errors);
		wb_json_kv_uint(j, "sync_all", v->sync_all);
		wb_json_kv_uint(j, "pages_written", v->pages_total);
		wb_json_kv_uint(j, "latency_ns_sum", v->lat_ns_sum);
		if (wb_writepages_has_maps(&st->c)) {
			wb_json_kv_uint(j, "extents_mapped", v->extents);
			wb_json_kv_uint(j, "allocations", v->allocs);
			wb_json_kv_uint(j, "blocks_allocated", v->alloc_blocks);
		}
		if (wb_writepages_has_bios(&st->c)) {
			wb_json_kv_uint(j, "bios", v->bios);
			wb_json_kv_uint(j, "bio_bytes", v->bio_bytes);
		}
		wb_json_key(j, "hists");
		wb_json_obj_begin(j);
		wb_json_hist(j, "latency", &v->lat, unit);
		wb_json_hist(j, "pages_per_call", &v->pages, "pages");
		wb_json_hist(j, "nr_to_write", &v->nr_to_write, "pages");
		wb_json_obj_end(j);
		wb_json_obj_end(j);
	}
	wb_json_arr_end(j);
}

const struct wb_tool wb_tool_writepages = {
	.name = "writepages",
	.what = "ext4 writepages",
	.doc =
"Summarize ext4 writepages calls: latency, pages written per call and\n"
"nr_to_write, per device and write-back path (iomap when the inode's address\n"
"space operations are ext4_iomap_aops, else buffer_head). On the wbscope\n"
"kernel also the delayed extents the calls mapped and those they allocated,\n"
"with their blocks, and the bios they submitted.\n"
"\n"
"USAGE: wbscope writepages [OPTIONS] [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    wbscope writepages            # summarize until Ctrl-C\n"
"    wbscope writepages 1 10       # print 1 second summaries, 10 times\n"
"    wbscope writepages -d loop0   # one device only\n"
"    wbscope writepages -j 5       # JSON (schema wbscope/1) every 5 seconds",
	.open = wp_open,
	.close = wp_close,
	.text = wp_text,
	.json = wp_json,
};

int cmd_writepages(int argc, char **argv)
{
	return wb_tool_main(&wb_tool_writepages, argc, argv);
}
