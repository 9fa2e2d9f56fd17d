// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope bio: write-back bios, submission to completion latency and size, per device
 * and path. See bio.bpf.c for the hooks.
 */
#include <argp.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "hist.h"
#include "json.h"
#include "tool.h"
#include "bio.h"
#include "bio.skel.h"
#include "collect.h"
#include "commands.h"


/*
 * The wbscope kernel's ext4 events come first (ext4's data bios only), then the block
 * layer's (every bio of the system). From the wbscope kernel's patch 21 on, ext4's
 * completion events carry each bio's time in flight (8 and 9 arguments): one program
 * run per bio, and "submit" is that same completion program, the submission being
 * stamped by the kernel. Before it (7 arguments, from the bio submission patch on),
 * ext4's submission and completion events are paired by bio: two runs per bio.
 * NR_STAMPED_ALTS: how many leading alternatives of each metric take the time in flight
 * (bio_open says when they are left out); NR_EXT4_ALTS: how many are ext4's
 * (--block-layer leaves them out).
 */
#define NR_STAMPED_ALTS 2
#define NR_EXT4_ALTS 4
#define STAMPED_ALTS \
		{ "tp_btf:ext4_end_bio+ext4_iomap_end_bio (in_flight)", { \
			{ WB_TP_BTF, "ext4_end_bio", "ext4_done_btf", 8 }, \
			{ WB_TP_BTF, "ext4_iomap_end_bio", "ext4_iomap_done_btf", 9 } } }, \
		{ "raw_tp:ext4_end_bio+ext4_iomap_end_bio (in_flight)", { \
			{ WB_RAW_TP, "ext4_end_bio", "ext4_done", 8 }, \
			{ WB_RAW_TP, "ext4_iomap_end_bio", "ext4_iomap_done", 9 } } }
enum { BIO_M_SUBMIT, BIO_M_COMPLETE };	/* metric_defs' and ksample_defs' order */
static const struct wb_metric metric_defs[] = {
	[BIO_M_SUBMIT] = { .name = "submit", .alts = {
		STAMPED_ALTS,
		{ "tp_btf:ext4_submit_bio+ext4_iomap_submit_bio", {
			{ WB_TP_BTF, "ext4_submit_bio", "ext4_submit_btf" },
			{ WB_TP_BTF, "ext4_iomap_submit_bio", "ext4_iomap_submit_btf" } } },
		{ "raw_tp:ext4_submit_bio+ext4_iomap_submit_bio", {
			{ WB_RAW_TP, "ext4_submit_bio", "ext4_submit" },
			{ WB_RAW_TP, "ext4_iomap_submit_bio", "ext4_iomap_submit" } } },
		{ "tp_btf:block_bio_queue", { { WB_TP_BTF, "block_bio_queue", "bio_queue_btf" } } },
		{ "raw_tp:block_bio_queue", { { WB_RAW_TP, "block_bio_queue", "bio_queue" } } },
	} },
	[BIO_M_COMPLETE] = { .name = "complete", .needs = "submit", .alts = {
		STAMPED_ALTS,
		{ "tp_btf:ext4_end_bio+ext4_iomap_end_bio", {
			{ WB_TP_BTF, "ext4_end_bio", "ext4_end_btf", 7 },
			{ WB_TP_BTF, "ext4_iomap_end_bio", "ext4_iomap_end_btf", 7 } } },
		{ "raw_tp:ext4_end_bio+ext4_iomap_end_bio", {
			{ WB_RAW_TP, "ext4_end_bio", "ext4_end", 7 },
			{ WB_RAW_TP, "ext4_iomap_end_bio", "ext4_iomap_end", 7 } } },
		{ "tp_btf:block_rq_complete+block_bio_complete", {
			{ WB_TP_BTF, "block_rq_complete", "bio_rq_complete_btf" },
			{ WB_TP_BTF, "block_bio_complete", "bio_complete_btf" } } },
		{ "raw_tp:block_rq_complete+block_bio_complete", {
			{ WB_RAW_TP, "block_rq_complete", "bio_rq_complete" },
			{ WB_RAW_TP, "block_bio_complete", "bio_complete" } } },
		{ "fentry:bio_endio", { { WB_FENTRY, "bio_endio", "bio_endio_fentry" } } },
		{ "kprobe:bio_endio", { { WB_KPROBE, "bio_endio", "bio_endio_kprobe" } } },
	} },
};
#undef STAMPED_ALTS
#define NR_METRICS ((int)(sizeof(metric_defs) / sizeof(metric_defs[0])))

/*
 * Sampling where the kernel picks (ext4_bio_timed with the bio's size, patch 25, and
 * ext4_writepages_done with the bios each call submitted, patch 26): ext4 stamps one
 * write-back bio in ext4.bio_time_sample and fires ext4_bio_timed at the completion of
 * those, and of every failed bio. The writepages calls count every bio and byte: no
 * program runs on any submission, nor on the completion of an untimed bio.
 */
#define KSAMPLE_PARAM "/sys/module/ext4/parameters/bio_time_sample"
#define KSAMPLE_TIMED_ARGS 6
#define KSAMPLE_WP_ARGS 12
static const struct wb_metric ksample_defs[] = {
	[BIO_M_SUBMIT] = { .name = "submit", .alts = {
		{ "tp_btf:ext4_writepages_done (bios)", {
			{ WB_TP_BTF, "ext4_writepages_done", "wp_bios_btf", KSAMPLE_WP_ARGS } } },
		{ "raw_tp:ext4_writepages_done (bios)", {
			{ WB_RAW_TP, "ext4_writepages_done", "wp_bios", KSAMPLE_WP_ARGS } } },
	} },
	[BIO_M_COMPLETE] = { .name = "complete", .needs = "submit", .alts = {
		{ "tp_btf:ext4_bio_timed (kernel-sampled)", {
			{ WB_TP_BTF, "ext4_bio_timed", "ext4_timed_btf", KSAMPLE_TIMED_ARGS } } },
		{ "raw_tp:ext4_bio_timed (kernel-sampled)", {
			{ WB_RAW_TP, "ext4_bio_timed", "ext4_timed", KSAMPLE_TIMED_ARGS } } },
	} },
};
_Static_assert(sizeof(ksample_defs) == sizeof(metric_defs), "the same metrics");

static const char *const counter_names[BIO_NR_COUNTERS] = {
	[BIO_CNT_QUEUED] = "counters.queued",
	[BIO_CNT_DONE] = "counters.completed",
	[BIO_CNT_DROP_INFLIGHT] = "drops.inflight_map_full",
	[BIO_CNT_DROP_STATS] = "drops.stats_map_full",
	[BIO_CNT_RQ_TRUNCATED] = "counters.requests_truncated",
	[BIO_CNT_REQUESTS] = "counters.requests",
	[BIO_CNT_STALE] = "drops.stale",
	[BIO_CNT_UNTIMED] = "counters.untimed",
};


enum { OPT_SAMPLE = 0x2000, OPT_BLOCK_LAYER };

static const struct argp_option bio_options[] = {
	{ "sample", OPT_SAMPLE, "N", 0, "Time 1 in N bios (N a power of two, up to 65536); bios "
	  "and bytes still count every bio. On the wbscope kernel the kernel picks them, at "
	  "random intervals (ext4.bio_time_sample, set for the run), sizes are the timed bios' "
	  "and errors every bio's, and no program runs per bio but on the timed ones' "
	  "completion: there the default is 8, or the rate another tracer set (1: every bio). "
	  "Elsewhere, sizes count every bio, errors the timed ones", 0 },
	{ "block-layer", OPT_BLOCK_LAYER, NULL, 0, "Use the block layer's events even where "
	  "the wbscope kernel's ext4 bio events exist: sees other file systems' (XFS) write-back "
	  "too, at a program run for every bio and request of the system", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static error_t bio_parse(int key, char *arg, struct argp_state *state)
{
	struct wb_opts *o = state->input;
	unsigned long long v;
	char err[256];

	if (key == OPT_BLOCK_LAYER) {
		o->upstream_hooks = true;
		return 0;
	}
	if (key != OPT_SAMPLE)
		return ARGP_ERR_UNKNOWN;
	if (wb_parse_uint(arg, 65536, &v, err, sizeof(err)))
		argp_error(state, "invalid --sample: %s", err);
	else if (!v || (v & (v - 1)))
		argp_error(state, "invalid --sample: '%s' is not a power of two (1, 2, 4, ... 65536)", arg);
	o->sample = (unsigned int)v;
	return 0;
}

static const struct argp bio_argp = { .options = bio_options, .parser = bio_parse };

struct bio_state {
	struct wb_tool_state base;
	struct wb_metric metrics[NR_METRICS];
	struct bio_bpf *skel;
	unsigned int ksample_n;	/* sampled by the kernel (ksample_defs) at this rate; 0: not */
	unsigned int ksample_restore;	/* the parameter's value to put back; 0: leave it */
};

/* Keeps the programs of every alternative of defs from loading. */
static void bio_unload(struct bpf_object *obj, const struct wb_metric *defs)
{
	for (int i = 0; i < NR_METRICS; i++) {
		struct wb_metric m = defs[i];

		wb_metric_drop_alts(obj, &m, WB_METRIC_ALTS);
	}
}

/*
 * Sets ext4.bio_time_sample to n for the run. The value is global: another tracer's n
 * is an error, unless it is the same n (then it is left for that tracer to put back).
 */
static int ksample_start(struct bio_state *st, unsigned int n)
{
	unsigned int cur;
	int err = wb_read_uint_file(KSAMPLE_PARAM, &cur);

	if (err) {
		fprintf(stderr, "bio: cannot read %s: %s\n", KSAMPLE_PARAM, strerror(-err));
		return err;
	}
	st->ksample_n = n;
	if (cur == n)
		return 0;
	if (cur > 1) {
		fprintf(stderr, "bio: %s is %u: another tracer is sampling bios 1 in %u (or one "
			"was killed before it put the value back); run with --sample %u, or write 1 "
			"to it if no tracer is running\n", KSAMPLE_PARAM, cur, cur, cur);
		return -EBUSY;
	}
	err = wb_write_uint_file(KSAMPLE_PARAM, n);
	if (err) {
		fprintf(stderr, "bio: cannot write %s: %s\n", KSAMPLE_PARAM, strerror(-err));
		return err;
	}
	st->ksample_restore = cur ? cur : 1;
	return 0;
}

/* Whether the tool pairs submissions and completions in its programs (see bio_open). */
static bool bio_pairs(const struct wb_opts *o)
{
	return o->pid || o->prefer == WB_PREFER_FENTRY || o->prefer == WB_PREFER_KPROBE ||
	       !wb_btf_has_member("bio", "issue_time_ns");
}

bool wb_bio_kernel_can_sample(const struct wb_opts *o)
{
	return !bio_pairs(o) && !o->upstream_hooks && wb_bio_kernel_sample();
}

unsigned int wb_bio_kernel_sample(void)
{
	unsigned int cur;

	if (!wb_raw_tp_exists("ext4_bio_timed") ||
	    wb_tp_nargs("ext4_bio_timed") < KSAMPLE_TIMED_ARGS ||
	    wb_tp_nargs("ext4_writepages_done") < KSAMPLE_WP_ARGS ||
	    wb_read_uint_file(KSAMPLE_PARAM, &cur))
		return 0;
	return cur ? cur : 1;
}

bool wb_bio_default_sample(struct wb_opts *o)
{
	unsigned int cur;

	if (o->sample || !wb_bio_kernel_can_sample(o))
		return false;
	cur = wb_bio_kernel_sample();
	o->sample = cur > 1 ? cur : WB_BIO_SAMPLE;
	return true;
}

static void bio_prepare(struct wb_opts *o, FILE *info)
{
	if (wb_bio_default_sample(o))
		fprintf(info, "bio: timing 1 in %u bios, picked by the kernel (--sample 1: every "
			"bio)\n", o->sample);
}

unsigned int wb_bio_sample_changed(const struct wb_tool_state *base)
{
	const struct bio_state *st = (const struct bio_state *)base;
	unsigned int cur;

	if (!st->ksample_n || wb_read_uint_file(KSAMPLE_PARAM, &cur) || cur == st->ksample_n)
		return 0;
	return cur ? cur : 1;
}

/* Puts the parameter back, unless another tracer changed it since. */
static void ksample_stop(struct bio_state *st)
{
	unsigned int cur;

	if (!st->ksample_restore || wb_read_uint_file(KSAMPLE_PARAM, &cur) || cur != st->ksample_n)
		return;
	if (wb_write_uint_file(KSAMPLE_PARAM, st->ksample_restore))
		fprintf(stderr, "bio: cannot put %s back to %u\n", KSAMPLE_PARAM, st->ksample_restore);
	st->ksample_restore = 0;
}

/*
 * From the completion events' time in flight, the programs do not count completions
 * (bio.bpf.c, ext4_done_ev): every completion seen is one of the groups' bios or a drop.
 */
static void bio_after_read(struct wb_collector *c, struct wb_snapshot *s)
{
	const char *hook = wb_metric_hook(c->metrics, c->nmetrics, "complete");

	if (hook && strstr(hook, "(in_flight)"))
		s->cnt[BIO_CNT_DONE] = s->cnt[BIO_CNT_DROP_STATS] +
			wb_snapshot_sum(s, sizeof(struct bio_val), offsetof(struct bio_val, bios));
}

static void bio_close(struct wb_tool_state *base)
{
	struct bio_state *st = (struct bio_state *)base;

	if (!st)
		return;
	wb_tool_stop(&st->base);
	ksample_stop(st);
	bio_bpf__destroy(st->skel);
	free(st);
}

static int bio_open(const struct wb_opts *o, struct wb_tool_state **out, FILE *hooks_out)
{
	struct bio_state *st = calloc(1, sizeof(*st));
	const char *select = o->metrics;
	bool pair;
	int err;

	if (!st)
		return -ENOMEM;
	memcpy(st->metrics, metric_defs, sizeof(metric_defs));
	st->skel = bio_bpf__open();
	if (!st->skel) {
		err = -errno;
		wb_explain_load_error("bio", err);
		free(st);
		return err;
	}
	/*
	 * --block-layer: the block layer's alternatives come first. -p, and --hooks fentry or
	 * kprobe (whose completion hooks pair with a submission program): the pairing ones;
	 * also a kernel whose bios have no issue_time_ns (no CONFIG_BLK_CGROUP), where the
	 * completion events report every time in flight as 0, not measured.
	 */
	pair = bio_pairs(o);
	/*
	 * Sampling where the kernel can (bio_prepare's default, or --sample): the writepages
	 * calls' counts and ext4_bio_timed, and the parameter; nothing else loads. -p and the
	 * other options that pair keep pairing, which samples in the programs.
	 */
	if (o->sample > 1 && wb_bio_kernel_can_sample(o)) {
		bio_unload(st->skel->obj, metric_defs);
		memcpy(st->metrics, ksample_defs, sizeof(ksample_defs));
		/* top, whose bio counts come from writepages' calls: the timing alone */
		if (o->bio_timed_only) {
			st->metrics[BIO_M_COMPLETE].needs = NULL;
			select = "complete";
		}
		err = ksample_start(st, o->sample);
		if (err) {
			bio_close(&st->base);
			return err;
		}
	} else {
		bio_unload(st->skel->obj, ksample_defs);
	}
	for (int i = 0; (o->upstream_hooks || pair) && i < NR_METRICS; i++)
		wb_metric_drop_alts(st->skel->obj, &st->metrics[i],
				    o->upstream_hooks ? NR_EXT4_ALTS : NR_STAMPED_ALTS);
	WB_SET_FILTERS(st->skel, o);
	st->skel->rodata->targ_sample_mask = o->sample > 1 ? o->sample - 1 : 0;
	st->skel->rodata->targ_size_hist = !o->no_bio_sizes;
	st->base.c = (struct wb_collector){
		.tool = "bio", .obj = st->skel->obj, .metrics = st->metrics, .nmetrics = NR_METRICS,
		.select = select,
		.stats_map = "stats", .counters_map = "counters", .ncounters = BIO_NR_COUNTERS,
		.counter_names = counter_names,
		.val_size = sizeof(struct bio_val),
		.after_read = bio_after_read,
	};
	err = wb_tool_start(&st->base, hooks_out, "complete");
	if (err) {
		bio_close(&st->base);
		return err;
	}
	*out = &st->base;
	return 0;
}

/* Whether the size histograms are the timed bios' (the kernel samples), not every bio's. */
static bool bio_sizes_sampled(const struct wb_tool_state *base)
{
	return ((const struct bio_state *)base)->ksample_n != 0;
}

static void bio_text(const struct wb_tool_state *st, const struct wb_opts *o)
{
	unsigned int changed = wb_bio_sample_changed(st);
	const struct wb_snapshot *s = &st->snap;
	const struct wb_group_key *keys = s->keys;
	const struct bio_val *vals = s->vals;

	if (bio_sizes_sampled(st))
		printf("latency and sizes: 1 in %u bios timed, picked by the kernel; bios, bytes and "
		       "errors: every bio\n\n", o->sample);
	else if (o->sample > 1)
		printf("latency and errors: 1 in %u bios timed (--sample)\n\n", o->sample);
	if (s->n == 0)
		printf("(no write-back bios)\n");
	for (int i = 0; i < s->n; i++) {
		const struct bio_val *v = &vals[i];

		wb_print_group_title(keys[i].dev, keys[i].path);
		printf(" %llu bios, %.1f MiB, %llu errors", v->bios, (double)v->bytes / 1048576.0,
		       v->errors);
		if (o->sample > 1)
			printf(" (%llu bios timed)", v->lat.count);
		if (v->lat.count)
			printf(", avg %.1f us", (double)v->lat_ns_sum / (double)v->lat.count / 1e3);
		if (v->bios)
			printf(", avg %.1f KiB", (double)v->bytes / (double)v->bios / 1024.0);
		printf("\n\n");
		wb_hist_print(stdout, &v->lat, o->milliseconds ? "msecs" : "usecs");
		printf("\n");
		wb_hist_print(stdout, &v->size, "KiB");
	}
	if (changed)
		printf("\nnote: %s is now %u (another tracer changed it): the kernel times 1 in %u "
		       "bios\n", KSAMPLE_PARAM, changed, changed);
	if (s->cnt[BIO_CNT_UNTIMED])
		printf("\nnote: %llu bios submitted before tracing began counted, not timed\n",
		       s->cnt[BIO_CNT_UNTIMED]);
	if (s->cnt[BIO_CNT_DROP_INFLIGHT] || s->cnt[BIO_CNT_DROP_STATS] || s->cnt[BIO_CNT_STALE] ||
	    s->cnt[BIO_CNT_RQ_TRUNCATED])
		printf("\nnote: dropped %llu submissions (in-flight map full), %llu completions "
		       "(no statistics slot for the device); %llu bios unfinished after %llu s forgotten; %llu requests "
		       "with more than %d bios\n",
		       s->cnt[BIO_CNT_DROP_INFLIGHT], s->cnt[BIO_CNT_DROP_STATS], s->cnt[BIO_CNT_STALE],
		       BIO_STALE_NS / 1000000000ULL, s->cnt[BIO_CNT_RQ_TRUNCATED], BIO_RQ_MAX_BIOS);
	printf("\n");
}

static void bio_json(struct wb_json *j, const struct wb_tool_state *st, const struct wb_opts *o)
{
	unsigned int changed = wb_bio_sample_changed(st);
	const struct wb_snapshot *s = &st->snap;
	const struct wb_group_key *keys = s->keys;
	const struct bio_val *vals = s->vals;
	const char *unit = o->milliseconds ? "msecs" : "usecs";

	wb_json_kv_uint(j, "sample", o->sample > 1 ? o->sample : 1);
	if (o->sample > 1)
	{
		wb_json_key(j, "sizes_sampled");
		wb_json_bool(j, bio_sizes_sampled(st));
	}
	if (changed)
		wb_json_kv_uint(j, "sample_now", changed);
	wb_json_key(j, "groups");
	wb_json_arr_begin(j);
	for (int i = 0; i < s->n; i++) {
		const struct bio_val *v = &vals[i];

		wb_json_obj_begin(j);
		wb_json_group_dev(j, keys[i].dev, keys[i].path);
		wb_json_kv_uint(j, "bios", v->bios);
		wb_json_kv_uint(j, "bytes", v->bytes);
		wb_json_kv_uint(j, "errors", v->errors);
		wb_json_kv_uint(j, "latency_ns_sum", v->lat_ns_sum);
		wb_json_key(j, "hists");
		wb_json_obj_begin(j);
		wb_json_hist(j, "latency", &v->lat, unit);
		wb_json_hist(j, "size", &v->size, "KiB");
		wb_json_obj_end(j);
		wb_json_obj_end(j);
	}
	wb_json_arr_end(j);
}

const struct wb_tool wb_tool_bio = {
	.name = "bio",
	.what = "write-back bios",
	.doc =
"Summarize write-back bios: submission -> completion latency and bio size, per\n"
"device and write-back path (buffer_head or iomap; XFS counts as iomap). -p\n"
"filters on the process that submitted the bio (usually a flusher kworker, or a\n"
"task in fsync). On the wbscope kernel, ext4's own bio events are used (ext4\n"
"only, cheap), and where the kernel picks the bios to time it times 1 in 8 by\n"
"default (bios, bytes and errors stay exact; --sample 1: every bio); elsewhere,\n"
"or with --block-layer, the block layer's (any file system), every bio timed.\n"
"\n"
"USAGE: wbscope bio [OPTIONS] [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    wbscope bio                # summarize until Ctrl-C\n"
"    wbscope bio -d vdb 1 10    # one device, 1 second summaries, 10 times\n"
"    wbscope bio -j 5           # JSON (schema wbscope/1) every 5 seconds\n"
"    wbscope bio --sample 16    # time 1 in 16 bios; counts stay exact\n"
"    wbscope bio --sample 1     # time every bio\n"
"    wbscope bio --block-layer  # XFS too, from the block layer's events",
	.argp = &bio_argp,
	.prepare = bio_prepare,
	.open = bio_open,
	.close = bio_close,
	.text = bio_text,
	.json = bio_json,
};

int cmd_bio(int argc, char **argv)
{
	return wb_tool_main(&wb_tool_bio, argc, argv);
}
