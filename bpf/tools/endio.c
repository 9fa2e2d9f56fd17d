// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope endio: where the end-I/O work of each write-back path goes: bio completions
 * finished inline or deferred, work item queueing delay and run time, ioends merged,
 * unwritten extent conversion, i_disksize updates. See endio.bpf.c for the hooks.
 */
#include <argp.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "json.h"
#include "tool.h"
#include "endio.h"
#include "endio.skel.h"
#include "collect.h"
#include "commands.h"


/*
 * Work items: the wbscope kernel's ext4_end_io_work first (one program per run of ext4's
 * end-I/O work; from kernel patch 22 on, 8 arguments, with the run's handled ioends and
 * converted extents), then the workqueue's events (three per work item of the system;
 * they also see XFS's). NR_EXT4_WORK_ALTS: how many of the "work" alternatives are
 * ext4's (--workqueue leaves them out).
 */
#define NR_EXT4_WORK_ALTS 4
#define WORK_ITEMS_ONLY " (items only)"
static const struct wb_metric metric_defs[] = {
	{ .name = "work", .alts = {
		{ "tp_btf:ext4_end_io_work", {
			{ WB_TP_BTF, "ext4_end_io_work", "end_io_work_sums_btf", 8 } } },
		{ "raw_tp:ext4_end_io_work", {
			{ WB_RAW_TP, "ext4_end_io_work", "end_io_work_sums", 8 } } },
		{ "tp_btf:ext4_end_io_work" WORK_ITEMS_ONLY, {
			{ WB_TP_BTF, "ext4_end_io_work", "end_io_work_btf", 6 } } },
		{ "raw_tp:ext4_end_io_work" WORK_ITEMS_ONLY, {
			{ WB_RAW_TP, "ext4_end_io_work", "end_io_work", 6 } } },
		{ "tp_btf:workqueue_queue_work+execute_start,raw_tp:workqueue_execute_end", {
			{ WB_TP_BTF, "workqueue_queue_work", "work_queue_btf" },
			{ WB_TP_BTF, "workqueue_execute_start", "work_start_btf" },
			{ WB_RAW_TP, "workqueue_execute_end", "work_end" } } },
		{ "raw_tp:workqueue_queue_work+execute_start+execute_end", {
			{ WB_RAW_TP, "workqueue_queue_work", "work_queue" },
			{ WB_RAW_TP, "workqueue_execute_start", "work_start" },
			{ WB_RAW_TP, "workqueue_execute_end", "work_end" } } },
	} },
	{ .name = "ioend.iomap", .alts = {
		{ "tp_btf:ext4_iomap_ioend_done", {
			{ WB_TP_BTF, "ext4_iomap_ioend_done", "iomap_ioend_done_btf", 6 } } },
		{ "raw_tp:ext4_iomap_ioend_done", {
			{ WB_RAW_TP, "ext4_iomap_ioend_done", "iomap_ioend_done", 6 } } },
	} },
	{ .name = "io_end.buffer_head", .alts = {
		{ "tp_btf:ext4_end_io_end_done", {
			{ WB_TP_BTF, "ext4_end_io_end_done", "bh_io_end_done_btf", 7 } } },
		{ "raw_tp:ext4_end_io_end_done", {
			{ WB_RAW_TP, "ext4_end_io_end_done", "bh_io_end_done", 7 } } },
		{ "fentry+fexit:ext4_convert_unwritten_io_end_vec (conversion only)", {
			{ WB_FENTRY, "ext4_convert_unwritten_io_end_vec", "bh_conv_fentry" },
			{ WB_FEXIT, "ext4_convert_unwritten_io_end_vec", "bh_conv_fexit" } } },
		{ "kprobe+kretprobe:ext4_convert_unwritten_io_end_vec (conversion only)", {
			{ WB_KPROBE, "ext4_convert_unwritten_io_end_vec", "bh_conv_kprobe" },
			{ WB_KRETPROBE, "ext4_convert_unwritten_io_end_vec", "bh_conv_kretprobe" } } },
	} },
	/* Extra: a program on every bio completion or converted extent. */
	{ .name = "end_bio.iomap", .extra = true, .needs = "ioend.iomap", .alts = {
		{ "tp_btf:ext4_iomap_end_bio", { { WB_TP_BTF, "ext4_iomap_end_bio", "iomap_end_bio_btf" } } },
		{ "raw_tp:ext4_iomap_end_bio", { { WB_RAW_TP, "ext4_iomap_end_bio", "iomap_end_bio" } } },
	} },
	{ .name = "end_bio.buffer_head", .extra = true, .alts = {
		{ "tp_btf:ext4_end_bio", { { WB_TP_BTF, "ext4_end_bio", "bh_end_bio_tp_btf" } } },
		{ "raw_tp:ext4_end_bio", { { WB_RAW_TP, "ext4_end_bio", "bh_end_bio_tp" } } },
		{ "fentry:ext4_end_bio", { { WB_FENTRY, "ext4_end_bio", "bh_end_bio_fentry" } } },
		{ "kprobe:ext4_end_bio", { { WB_KPROBE, "ext4_end_bio", "bh_end_bio_kprobe" } } },
	} },
	{ .name = "conversion", .extra = true, .alts = {
		{ "tp_btf:ext4_ext_handle_unwritten_extents", {
			{ WB_TP_BTF, "ext4_ext_handle_unwritten_extents", "conv_extent_btf" } } },
		{ "raw_tp:ext4_ext_handle_unwritten_extents", {
			{ WB_RAW_TP, "ext4_ext_handle_unwritten_extents", "conv_extent" } } },
	} },
};
#define NR_METRICS ((int)(sizeof(metric_defs) / sizeof(metric_defs[0])))

static const char *const counter_names[EIO_NR_COUNTERS] = {
	[EIO_CNT_WORK_QUEUED] = "counters.work_queued",
	[EIO_CNT_WORK_UNPAIRED] = "counters.work_unpaired",
	[EIO_CNT_IOEND_UNPAIRED] = "counters.ioend_unpaired",
	[EIO_CNT_MERGE_TRUNC] = "counters.merge_truncated",
	[EIO_CNT_DROP_WORKS] = "drops.works_map_full",
	[EIO_CNT_DROP_PENDING] = "drops.pending_map_full",
	[EIO_CNT_DROP_TASKS] = "drops.tasks_map_full",
	[EIO_CNT_STALE] = "drops.stale",
	[EIO_CNT_DROP_STATS] = "drops.stats_map_full",
};


enum { OPT_WORKQUEUE = 0x2000 };

static const struct argp_option endio_options[] = {
	{ "workqueue", OPT_WORKQUEUE, NULL, 0, "Time work items with the workqueue's events even "
	  "where the wbscope kernel's ext4_end_io_work exists: sees XFS's end-I/O work too, at "
	  "three program runs for every work item of the system", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t endio_parse(int key, char *arg, struct argp_state *state)
{
	struct wb_opts *o = state->input;

	(void)arg;
	if (key != OPT_WORKQUEUE)
		return ARGP_ERR_UNKNOWN;
	o->upstream_hooks = true;
	return 0;
}

static const struct argp endio_argp = { .options = endio_options, .parser = endio_parse };

struct endio_state {
	struct wb_tool_state base;
	struct wb_metric metrics[NR_METRICS];
	struct endio_bpf *skel;
	bool work_sums;		/* wb_opts.work_sums */
};

bool wb_endio_work_has_sums(const struct wb_collector *c)
{
	const char *hook = wb_metric_hook(c->metrics, c->nmetrics, "work");

	return hook && strstr(hook, "ext4_end_io_work") && !strstr(hook, WORK_ITEMS_ONLY);
}

/* top: where the work event has the sums, the per-ioend handler programs are not needed. */
static void endio_before_load(struct wb_collector *c)
{
	struct endio_state *st = (struct endio_state *)((char *)c - offsetof(struct endio_state, base.c));

	if (!st->work_sums || !wb_endio_work_has_sums(c))
		return;
	wb_metric_unselect(c->obj, c->metrics, c->nmetrics, "ioend.iomap", WB_METRIC_NOT_SELECTED);
	wb_metric_unselect(c->obj, c->metrics, c->nmetrics, "io_end.buffer_head", WB_METRIC_NOT_SELECTED);
}

/*
 * From ext4_end_io_work, the programs do not count the work items seen queued
 * (endio.bpf.c, end_io_work_ev): they are the groups' runs but the unpaired.
 */
static void endio_after_read(struct wb_collector *c, struct wb_snapshot *s)
{
	const char *hook = wb_metric_hook(c->metrics, c->nmetrics, "work");

	if (hook && strstr(hook, "ext4_end_io_work"))
		s->cnt[EIO_CNT_WORK_QUEUED] = wb_snapshot_sum(s, sizeof(struct eio_val),
							      offsetof(struct eio_val, works)) -
					      s->cnt[EIO_CNT_WORK_UNPAIRED];
}

static void endio_close(struct wb_tool_state *base)
{
	struct endio_state *st = (struct endio_state *)base;

	if (!st)
		return;
	wb_tool_stop(&st->base);
	endio_bpf__destroy(st->skel);
	free(st);
}

static int endio_open(const struct wb_opts *o, struct wb_tool_state **out, FILE *hooks_out)
{
	struct endio_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	memcpy(st->metrics, metric_defs, sizeof(metric_defs));
	st->skel = endio_bpf__open();
	if (!st->skel) {
		err = -errno;
		wb_explain_load_error("endio", err);
		free(st);
		return err;
	}
	if (o->upstream_hooks)
		wb_metric_drop_alts(st->skel->obj, &st->metrics[0], NR_EXT4_WORK_ALTS);
	WB_SET_FILTERS(st->skel, o);
	st->work_sums = o->work_sums;
	st->base.c = (struct wb_collector){
		.tool = "endio", .obj = st->skel->obj, .metrics = st->metrics, .nmetrics = NR_METRICS,
		.select = o->metrics,
		.stats_map = "stats", .counters_map = "counters", .ncounters = EIO_NR_COUNTERS,
		.counter_names = counter_names,
		.val_size = sizeof(struct eio_val),
		.before_load = endio_before_load, .after_read = endio_after_read,
	};
	err = wb_tool_start(&st->base, hooks_out, NULL);
	if (err) {
		endio_close(&st->base);
		return err;
	}
	*out = &st->base;
	return 0;
}

/* Is the metric behind a field available for this path? */
static bool on(const struct wb_tool_state *st, const char *metric)
{
	return wb_collector_on(&st->c, metric);
}

static const char *path_metric(const char *base, unsigned int path, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%s", base, wb_path_name(path));
	return buf;
}

/* The handler metric of a path, and whether its hook sees whole ioends / io_ends. */
static const char *handler_metric(const struct wb_tool_state *st, unsigned int path, bool *whole)
{
	const char *m = path == WB_PATH_IOMAP ? "ioend.iomap" : "io_end.buffer_head";
	const char *hook = wb_metric_hook(st->c.metrics, st->c.nmetrics, m);

	/* The fallbacks time the conversion alone. */
	*whole = hook && !strstr(hook, "conversion only");
	return m;
}

/* Are work items timed by ext4_end_io_work (which also counts the items per run)? */
static bool ext4_work_event(const struct wb_tool_state *st)
{
	const char *hook = wb_metric_hook(st->c.metrics, st->c.nmetrics, "work");

	return hook && strstr(hook, "ext4_end_io_work");
}

static void endio_text(const struct wb_tool_state *st, const struct wb_opts *o)
{
	const struct wb_snapshot *s = &st->snap;
	const struct wb_group_key *keys = s->keys;
	const struct eio_val *vals = s->vals;
	const char *unit = o->milliseconds ? "msecs" : "usecs";
	char m1[64], m2[64];

	if (s->n == 0)
		printf("(no write-back end-I/O activity)\n");
	for (int i = 0; i < s->n; i++) {
		const struct eio_val *v = &vals[i];
		unsigned int path = keys[i].path;
		bool iomap = path == WB_PATH_IOMAP, whole;
		const char *handler = handler_metric(st, path, &whole);
		const char *unit_name = iomap ? "ioends" : "io_ends";

		wb_print_group_title(keys[i].dev, path);
		printf("\n");
		if (on(st, "work")) {
			printf("  work items run: %llu, avg run %.1f us", v->works,
			       v->works ? (double)v->work_run_ns_sum / (double)v->works / 1e3 : 0.0);
			if (v->work_delay.count)
				printf(", avg queueing delay %.1f us",
				       (double)v->work_delay_ns_sum / (double)v->work_delay.count / 1e3);
			if (wb_endio_work_has_sums(&st->c))
				printf(", %llu %s completed, %llu extents converted", v->work_handled,
				       unit_name, v->work_extents);
			printf("\n");
		} else
			wb_collector_print_unavail(&st->c, "work items", "work");
		if (on(st, handler)) {
			if (whole) {
				printf("  %s handled by the worker: %llu, %llu failed, avg %.1f us", unit_name,
				       v->ioends, v->ioends_failed,
				       v->ioends ? (double)v->ioend_run_ns_sum / (double)v->ioends / 1e3 : 0.0);
				if (iomap && v->merged.count)
					printf(", %.2f bio ioends merged into each",
					       (double)v->merged.sum / (double)v->merged.count);
				printf("\n");
			}
			printf("  unwritten extents converted: %llu\n", v->extents);
			if (iomap)
				printf("  i_disksize updates at completion: %llu\n", v->disksize_updates);
		} else {
			snprintf(m2, sizeof(m2), "%s handled by the worker", unit_name);
			wb_collector_print_unavail(&st->c, m2, handler);
		}
		if (on(st, path_metric("end_bio", path, m1, sizeof(m1))))
			printf("  bio completions: %llu finished inline, %llu deferred to the worker, "
			       "%llu errors\n", v->end_bio_inline, v->end_bio_deferred, v->end_bio_errors);
		else
			wb_collector_print_unavail(&st->c, "bio completions", m1);
		if (!on(st, "conversion"))
			wb_collector_print_unavail(&st->c, "converted extent sizes", "conversion");
		wb_hist_print_titled(stdout, "work queueing delay", &v->work_delay, unit);
		wb_hist_print_titled(stdout, "work run time", &v->work_run, unit);
		wb_hist_print_titled(stdout, iomap ? "ioends (before merging) per work run" :
				     "io_ends per work run", &v->work_items, unit_name);
		wb_hist_print_titled(stdout, "bio end -> worker picks the ioend up", &v->ioend_delay, unit);
		wb_hist_print_titled(stdout, "ioends merged per handled ioend", &v->merged, "ioends");
		wb_hist_print_titled(stdout, iomap ? "time per handled ioend" : "time per io_end",
				     &v->ioend_run, unit);
		wb_hist_print_titled(stdout, "conversion time", &v->conv_run, unit);
		wb_hist_print_titled(stdout, "extents converted per handler", &v->conv_extents, "extents");
		wb_hist_print_titled(stdout, "blocks per converted extent", &v->conv_len, "blocks");
		wb_hist_print_titled(stdout, "i_disksize advance per ioend", &v->disksize_adv, "KiB");
	}
	if (s->cnt[EIO_CNT_DROP_WORKS] || s->cnt[EIO_CNT_DROP_PENDING] || s->cnt[EIO_CNT_DROP_TASKS] ||
	    s->cnt[EIO_CNT_DROP_STATS] || s->cnt[EIO_CNT_STALE])
		printf("\nnote: dropped (map full): %llu work items, %llu pending ioends, %llu thread "
		       "states, %llu stats updates; %llu entries unfinished after 120 s forgotten\n",
		       s->cnt[EIO_CNT_DROP_WORKS], s->cnt[EIO_CNT_DROP_PENDING],
		       s->cnt[EIO_CNT_DROP_TASKS], s->cnt[EIO_CNT_DROP_STATS], s->cnt[EIO_CNT_STALE]);
	printf("\n");
}

static void endio_json(struct wb_json *j, const struct wb_tool_state *st, const struct wb_opts *o)
{
	const struct wb_snapshot *s = &st->snap;
	const struct wb_group_key *keys = s->keys;
	const struct eio_val *vals = s->vals;
	const char *unit = o->milliseconds ? "msecs" : "usecs";
	bool work_items = ext4_work_event(st);
	char m[64];

	wb_json_key(j, "groups");
	wb_json_arr_begin(j);
	for (int i = 0; i < s->n; i++) {
		const struct eio_val *v = &vals[i];
		unsigned int path = keys[i].path;
		bool iomap = path == WB_PATH_IOMAP, whole;
		bool handler = on(st, handler_metric(st, path, &whole));
		bool end_bio = on(st, path_metric("end_bio", path, m, sizeof(m)));

		wb_json_obj_begin(j);
		wb_json_group_dev(j, keys[i].dev, path);
		if (end_bio) {
			wb_json_kv_uint(j, "end_bio_inline", v->end_bio_inline);
			wb_json_kv_uint(j, "end_bio_deferred", v->end_bio_deferred);
			wb_json_kv_uint(j, "end_bio_errors", v->end_bio_errors);
		}
		if (on(st, "work")) {
			wb_json_kv_uint(j, "works", v->works);
			wb_json_kv_uint(j, "work_run_ns_sum", v->work_run_ns_sum);
			wb_json_kv_uint(j, "work_delay_ns_sum", v->work_delay_ns_sum);
			if (wb_endio_work_has_sums(&st->c)) {
				wb_json_kv_uint(j, "work_handled", v->work_handled);
				wb_json_kv_uint(j, "work_extents", v->work_extents);
			}
		}
		if (handler && whole) {
			wb_json_kv_uint(j, "ioends", v->ioends);
			wb_json_kv_uint(j, "ioends_failed", v->ioends_failed);
			wb_json_kv_uint(j, "ioend_run_ns_sum", v->ioend_run_ns_sum);
		}
		if (handler)
			wb_json_kv_uint(j, "extents_converted", v->extents);
		if (iomap && handler)
			wb_json_kv_uint(j, "disksize_updates", v->disksize_updates);
		wb_json_key(j, "hists");
		wb_json_obj_begin(j);
		if (on(st, "work")) {
			wb_json_hist(j, "work_delay", &v->work_delay, unit);
			wb_json_hist(j, "work_run", &v->work_run, unit);
		}
		if (work_items)
			wb_json_hist(j, "work_items", &v->work_items, iomap ? "ioends" : "io_ends");
		if (iomap && end_bio)
			wb_json_hist(j, "ioend_delay", &v->ioend_delay, unit);
		if (iomap && handler)
			wb_json_hist(j, "ioends_merged", &v->merged, "ioends");
		if (handler && whole)
			wb_json_hist(j, "ioend_run", &v->ioend_run, unit);
		if (handler) {
			wb_json_hist(j, "conversion_run", &v->conv_run, unit);
			wb_json_hist(j, "extents_per_handler", &v->conv_extents, "extents");
		}
		if (on(st, "conversion"))
			wb_json_hist(j, "converted_extent_len", &v->conv_len, "blocks");
		if (iomap && handler)
			wb_json_hist(j, "disksize_advance_per_ioend", &v->disksize_adv, "KiB");
		wb_json_obj_end(j);
		wb_json_obj_end(j);
	}
	wb_json_arr_end(j);
}

const struct wb_tool wb_tool_endio = {
	.name = "endio",
	.what = "write-back end-I/O work",
	.no_pid = true,
	.no_pid_why = "end-I/O work runs in kworkers, not in the process that wrote the data "
		      "(filter with -d or --ino)",
	.doc =
"Summarize write-back end-I/O work per device and path: worker queueing\n"
"delay and run time, ioends merged, time per ioend, unwritten extent\n"
"conversion and i_disksize updates. Extra metrics (--metrics, each a program\n"
"on every bio or extent): end_bio.iomap and end_bio.buffer_head (completions\n"
"inline or deferred; per-ioend delay to the worker), conversion (converted\n"
"extent sizes). The work runs in kworkers, so there is no -p. On the wbscope\n"
"kernel, work items are timed by ext4's own event (ext4 only, cheap);\n"
"elsewhere, or with --workqueue, by the workqueue's (XFS too).\n"
"\n"
"USAGE: wbscope endio [OPTIONS] [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    wbscope endio              # summarize until Ctrl-C\n"
"    wbscope endio -d vdb 5 3   # one device, 5 second summaries, 3 times\n"
"    wbscope endio --metrics all  # also the extra metrics\n"
"    wbscope endio -j           # JSON (schema wbscope/1) at Ctrl-C\n"
"    wbscope endio --workqueue  # XFS's work items too (workqueue events)",
	.argp = &endio_argp,
	.open = endio_open,
	.close = endio_close,
	.text = endio_text,
	.json = endio_json,
};

int cmd_endio(int argc, char **argv)
{
	return wb_tool_main(&wb_tool_endio, argc, argv);
}
