// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope bio: write-back bios, submission to completion latency and size, per device
 * and path. See bio.bpf.c for the hooks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "hist.h"
#include "hooks.h"
#include "json.h"
#include "maps.h"
#include "bio.h"
#include "bio.skel.h"
#include "collect.h"
#include "commands.h"

static const char doc[] =
"Summarize write-back bios: submission -> completion latency and bio size, per device\n"
"and write-back path (buffer_head or iomap; XFS counts as iomap).\n"
"\n"
"USAGE: wbscope bio [OPTIONS] [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    wbscope bio                # summarize until Ctrl-C\n"
"    wbscope bio -d vdb 1 10    # one device, 1 second summaries, 10 times\n"
"    wbscope bio -j 5           # JSON (schema wbscope/1) every 5 seconds";

/* bios still unfinished after this long are dropped from the in-flight map. */
#define STALE_NS (120ULL * 1000000000ULL)

static const struct wb_metric metric_defs[] = {
	{ .name = "submit", .alts = {
		{ "raw_tp:block_bio_queue", { { WB_RAW_TP, "block_bio_queue", "bio_queue" } } },
	} },
	{ .name = "complete", .needs = "submit", .alts = {
		{ "raw_tp:block_rq_complete+block_bio_complete", {
			{ WB_RAW_TP, "block_rq_complete", "bio_rq_complete" },
			{ WB_RAW_TP, "block_bio_complete", "bio_complete" } } },
		{ "fentry:bio_endio", { { WB_FENTRY, "bio_endio", "bio_endio_fentry" } } },
		{ "kprobe:bio_endio", { { WB_KPROBE, "bio_endio", "bio_endio_kprobe" } } },
	} },
};
#define NR_METRICS ((int)(sizeof(metric_defs) / sizeof(metric_defs[0])))

struct bio_state {
	struct bio_bpf *skel;
	struct wb_metric metrics[NR_METRICS];
	int ncpu;
	unsigned long long prev[BIO_NR_COUNTERS];
};

static int cmp_keys(const void *a, const void *b)
{
	const struct bio_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->path < y->path ? -1 : x->path > y->path;
}

void bio_close(struct bio_state *st)
{
	if (!st)
		return;
	bio_bpf__destroy(st->skel);
	free(st);
}

int bio_open(const struct wb_opts *o, struct bio_state **out, FILE *hooks_out)
{
	struct bio_state *st = calloc(1, sizeof(*st));
	int err;

	if (!st)
		return -ENOMEM;
	memcpy(st->metrics, metric_defs, sizeof(metric_defs));
	st->ncpu = libbpf_num_possible_cpus();
	st->skel = bio_bpf__open();
	if (!st->skel) {
		err = -errno;
		wb_explain_load_error("bio", err);
		goto fail;
	}
	st->skel->rodata->targ_tgid = (__u32)o->pid;
	st->skel->rodata->targ_dev = o->dev_set ? o->dev : 0;
	st->skel->rodata->targ_ino = o->ino;
	st->skel->rodata->targ_ms = o->milliseconds;
	wb_metrics_resolve(st->skel->obj, st->metrics, NR_METRICS);
	if (hooks_out)
		wb_metrics_print(hooks_out, "bio", st->metrics, NR_METRICS);
	if (!wb_metric_available(st->metrics, NR_METRICS, "complete")) {
		fprintf(stderr, "%s bio: hook missing: no bio submission or completion hook: %s\n",
			wb_progname, st->metrics[0].chosen < 0 ? st->metrics[0].why : st->metrics[1].why);
		err = -ENOENT;
		goto fail;
	}
	err = bio_bpf__load(st->skel);
	if (err) {
		wb_explain_load_error("bio", err);
		goto fail;
	}
	err = bio_bpf__attach(st->skel);
	if (err) {
		fprintf(stderr, "%s bio: cannot attach: %s\n", wb_progname, strerror(-err));
		goto fail;
	}
	*out = st;
	return 0;
fail:
	bio_close(st);
	return err ? err : -EINVAL;
}

int bio_collect(struct bio_state *st, struct bio_snap *snap)
{
	unsigned long long cnt[BIO_NR_COUNTERS];
	int n;

	n = wb_drain_percpu_hash(bpf_map__fd(st->skel->maps.stats), sizeof(struct bio_key),
				 sizeof(struct bio_val), st->ncpu, snap->keys, snap->vals,
				 BIO_MAX_GROUPS);
	if (n < 0)
		return n;
	/* Sort keys and values together through an index. */
	{
		struct { struct bio_key k; int i; } idx[BIO_MAX_GROUPS];
		static struct bio_val tmp[BIO_MAX_GROUPS];

		for (int i = 0; i < n; i++) {
			idx[i].k = snap->keys[i];
			idx[i].i = i;
		}
		qsort(idx, n, sizeof(idx[0]), cmp_keys);
		for (int i = 0; i < n; i++)
			tmp[i] = snap->vals[idx[i].i];
		for (int i = 0; i < n; i++) {
			snap->keys[i] = idx[i].k;
			snap->vals[i] = tmp[i];
		}
	}
	snap->n = n;
	wb_read_percpu_counters(bpf_map__fd(st->skel->maps.counters), BIO_NR_COUNTERS, st->ncpu, cnt);
	for (int i = 0; i < BIO_NR_COUNTERS; i++) {
		snap->cnt[i] = cnt[i] - st->prev[i];
		st->prev[i] = cnt[i];
	}
	snap->stale = wb_purge_stale(bpf_map__fd(st->skel->maps.starts), sizeof(__u64),
				     sizeof(struct bio_start), STALE_NS);
	return 0;
}

const struct wb_metric *bio_metrics(const struct bio_state *st, int *n)
{
	*n = NR_METRICS;
	return st->metrics;
}

static void print_text(const struct wb_opts *o, const struct bio_snap *s)
{
	char ts[16];

	if (o->timestamp) {
		wb_timestamp(ts, sizeof(ts));
		printf("%-8s\n", ts);
	}
	if (s->n == 0)
		printf("(no write-back bios completed)\n");
	for (int i = 0; i < s->n; i++) {
		const struct bio_val *v = &s->vals[i];

		wb_print_group_title(s->keys[i].dev, s->keys[i].path);
		printf(" %llu bios, %.1f MiB, %llu errors", v->bios, (double)v->bytes / 1048576.0,
		       v->errors);
		if (v->bios)
			printf(", avg %.1f us, avg %.1f KiB", (double)v->lat_ns_sum / (double)v->bios / 1e3,
			       (double)v->bytes / (double)v->bios / 1024.0);
		printf("\n\n");
		wb_hist_print(stdout, &v->lat, o->milliseconds ? "msecs" : "usecs");
		printf("\n");
		wb_hist_print(stdout, &v->size, "KiB");
	}
	if (s->cnt[BIO_CNT_DROP_INFLIGHT] || s->cnt[BIO_CNT_DROP_STATS] || s->stale ||
	    s->cnt[BIO_CNT_RQ_TRUNCATED])
		printf("\nnote: dropped %llu submissions (in-flight map full), %llu completions "
		       "(stats map full); %llu bios unfinished after %llu s forgotten; %llu requests "
		       "with more than %d bios\n",
		       s->cnt[BIO_CNT_DROP_INFLIGHT], s->cnt[BIO_CNT_DROP_STATS], s->stale,
		       STALE_NS / 1000000000ULL, s->cnt[BIO_CNT_RQ_TRUNCATED], BIO_RQ_MAX_BIOS);
	printf("\n");
	fflush(stdout);
}

void bio_json_groups(struct wb_json *j, const struct wb_opts *o, const struct bio_snap *s)
{
	const char *unit = o->milliseconds ? "msecs" : "usecs";

	wb_json_key(j, "counters");
	wb_json_obj_begin(j);
	wb_json_kv_uint(j, "queued", s->cnt[BIO_CNT_QUEUED]);
	wb_json_kv_uint(j, "completed", s->cnt[BIO_CNT_DONE]);
	wb_json_kv_uint(j, "requests_truncated", s->cnt[BIO_CNT_RQ_TRUNCATED]);
	wb_json_obj_end(j);
	wb_json_key(j, "drops");
	wb_json_obj_begin(j);
	wb_json_kv_uint(j, "inflight_map_full", s->cnt[BIO_CNT_DROP_INFLIGHT]);
	wb_json_kv_uint(j, "stats_map_full", s->cnt[BIO_CNT_DROP_STATS]);
	wb_json_kv_uint(j, "stale", s->stale);
	wb_json_obj_end(j);
	wb_json_key(j, "groups");
	wb_json_arr_begin(j);
	for (int i = 0; i < s->n; i++) {
		const struct bio_val *v = &s->vals[i];

		wb_json_obj_begin(j);
		wb_json_group_dev(j, s->keys[i].dev, s->keys[i].path);
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

struct run {
	const struct wb_opts *o;
	struct bio_state *st;
	struct bio_snap snap;
};

static int report(void *ctx, double span)
{
	struct run *r = ctx;
	struct wb_json j;
	int err = bio_collect(r->st, &r->snap);

	if (err) {
		fprintf(stderr, "%s bio: reading maps failed: %s\n", wb_progname, strerror(-err));
		return err;
	}
	if (!r->o->json) {
		print_text(r->o, &r->snap);
		return 0;
	}
	wb_json_init(&j, stdout);
	wb_json_obj_begin(&j);
	wb_json_header(&j, "bio", span, r->o);
	wb_metrics_json(&j, r->st->metrics, NR_METRICS);
	bio_json_groups(&j, r->o, &r->snap);
	wb_json_obj_end(&j);
	return wb_json_finish(&j) ? -EIO : 0;
}

int cmd_bio(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &wb_common_argp, 0, "Options:", 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct argp argp = { .children = children, .doc = doc };
	static struct run r;
	struct wb_opts o;
	int err;

	wb_opts_init(&o);
	argp_err_exit_status = WB_EXIT_ERROR;
	if (argp_parse(&argp, argc, argv, 0, NULL, &o) || wb_opts_finish(&o, "bio"))
		return WB_EXIT_ERROR;
	wb_libbpf_setup(o.verbose);
	wb_install_signals();
	if (bio_open(&o, &r.st, o.json ? stderr : stdout))
		return WB_EXIT_ERROR;
	r.o = &o;
	fprintf(o.json ? stderr : stdout, "Tracing write-back bios on %s... Hit Ctrl-C to end.\n",
		o.dev_set ? o.dev_name : "all devices");
	fflush(stdout);
	err = wb_report_loop(&o, report, &r);
	bio_close(r.st);
	return err ? WB_EXIT_ERROR : WB_EXIT_OK;
}
