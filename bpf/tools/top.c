// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope top: the writepages, bio, endio and alloc collectors at once, one line per
 * device and write-back path per interval, so that both paths sit side by side.
 * A column whose hook is unavailable shows "-" (JSON: the member is absent).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "hist.h"
#include "json.h"
#include "tool.h"
#include "alloc.h"
#include "bio.h"
#include "endio.h"
#include "writepages.h"
#include "collect.h"
#include "commands.h"

enum { T_WP, T_BIO, T_EIO, T_AL, T_NR };

static const struct wb_tool *const tools[T_NR] = {
	&wb_tool_writepages, &wb_tool_bio, &wb_tool_endio, &wb_tool_alloc,
};

/*
 * What each tool traces for top: the metrics its columns need (and what those need,
 * wb_metrics_select), NULL for the tool's default. A per-page hook costs every page
 * written: alloc's delayed extents, reservation and iomap mappings feed no column, so
 * they stay off. alloc takes allocations of delayed blocks for write-back's
 * (wb_opts.delalloc_writeback) rather than hooking writepages calls a second time.
 * endio's per-ioend handler metrics are left out where its work event counts the
 * handled ioends and converted extents itself (wb_opts.work_sums). Where writepages'
 * event counts each call's allocations (wbscope kernel patch 23), the allocation columns
 * come from it and alloc is not started: no program on any allocation. bio keeps no
 * size histogram (wb_opts.no_bio_sizes): top shows bios and bytes, not their sizes.
 * Where writepages' event also counts each call's bios (patch 26) and the kernel samples
 * the timed bios (--sample, patch 25), the bio counts come from writepages too and bio
 * traces the timed completions alone (wb_opts.bio_timed_only): no program on any
 * submission.
 */
static const char *const top_metrics[T_NR] = {
	[T_EIO] = "work,ioend.iomap,io_end.buffer_head",
	[T_AL] = "allocation",
};

#define TOP_MAX_ROWS 256
#define TOP_ALLOC_FROM_WP "allocation columns from writepages' ext4_writepages_done"


struct row {
	unsigned int dev, path;
	const void *v[T_NR];	/* this row's value in each tool's snapshot, or NULL */
};

struct top {
	const struct wb_opts *o;
	struct wb_tool_state *st[T_NR];
	struct row rows[TOP_MAX_ROWS];
	int nrows;
	unsigned long long drops;
	bool alloc_from_wp;	/* the allocation columns come from writepages' calls */
	bool bios_from_wp;	/* the bio counts come from writepages' calls */
};

static const char doc[] =
"One screen per interval: for each device and write-back path, writepages\n"
"calls and latency, write-back bios and their latency, completions deferred\n"
"to the end-I/O worker, its delay, merges and conversions, and block\n"
"allocation. Columns whose hooks this kernel lacks show '-'.\n"
"\n"
"Where the kernel picks the bios it times (the wbscope kernel), BIO_p99 is\n"
"that of 1 in 8 bios unless --sample says otherwise (--sample 1: every bio).\n"
"\n"
"USAGE: wbscope top [OPTIONS] [interval] [count]   (default interval: 2 s)\n"
"\n"
"EXAMPLES:\n"
"    wbscope top                # refresh every 2 seconds until Ctrl-C\n"
"    wbscope top -d vdb 5 12    # one device, 5 second intervals, one minute\n"
"    wbscope top -j 1 10        # JSON (schema wbscope/1), ten 1 s documents";

static struct row *row_for(struct top *t, unsigned int dev, unsigned int path)
{
	for (int i = 0; i < t->nrows; i++)
		if (t->rows[i].dev == dev && t->rows[i].path == path)
			return &t->rows[i];
	if (t->nrows == TOP_MAX_ROWS) {
		t->drops++;
		return NULL;
	}
	memset(&t->rows[t->nrows], 0, sizeof(t->rows[0]));
	t->rows[t->nrows].dev = dev;
	t->rows[t->nrows].path = path;
	return &t->rows[t->nrows++];
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->path < y->path ? -1 : x->path > y->path;
}

static bool on(const struct top *t, int tool, const char *metric)
{
	return t->st[tool] && wb_collector_on(&t->st[tool]->c, metric);
}

/*
 * A row's end-I/O columns: the completions deferred to the worker (iomap, the bio ioends
 * before merging; buffer_head, the io_ends), those it handled (ioends after merging) and
 * the extents it converted. From ext4_end_io_work's sums where it has them (one program
 * per work run), else from the per-ioend handler events; has_* false where neither
 * sees them (the buffer_head fallbacks time the conversion alone).
 */
struct eio_cols {
	bool has_deferred, has_conv;
	unsigned long long deferred, handled, extents;
};

/* A row's allocation columns: from writepages' calls or from alloc; has false without. */
struct al_cols {
	bool has;
	unsigned long long allocs, blocks;
};

static struct al_cols al_cols_of(const struct top *t, const struct row *r)
{
	const struct wp_val *wp = r->v[T_WP];
	const struct al_val *al = r->v[T_AL];

	if (t->alloc_from_wp)
		return wp ? (struct al_cols){ true, wp->allocs, wp->alloc_blocks } : (struct al_cols){ 0 };
	if (al && on(t, T_AL, "allocation"))
		return (struct al_cols){ true, al->allocs, al->blocks };
	return (struct al_cols){ 0 };
}

/* A row's bio counts: from writepages' calls or from bio; has false without. */
struct bio_cols {
	bool has;
	unsigned long long bios, bytes;
};

static struct bio_cols bio_cols_of(const struct top *t, const struct row *r)
{
	const struct wp_val *wp = r->v[T_WP];
	const struct bio_val *bio = r->v[T_BIO];

	if (t->bios_from_wp)
		return wp ? (struct bio_cols){ true, wp->bios, wp->bio_bytes } : (struct bio_cols){ 0 };
	if (bio)
		return (struct bio_cols){ true, bio->bios, bio->bytes };
	return (struct bio_cols){ 0 };
}

static struct eio_cols eio_cols_of(const struct top *t, const struct row *r,
				   const struct eio_val *eio)
{
	struct eio_cols e = { 0 };
	bool bh = r->path == WB_PATH_BH;
	const char *m = bh ? "io_end.buffer_head" : "ioend.iomap";
	const char *hook;

	if (!eio)
		return e;
	if (on(t, T_EIO, "work") && wb_endio_work_has_sums(&t->st[T_EIO]->c)) {
		e.has_deferred = e.has_conv = true;
		e.deferred = eio->work_items.sum;
		e.handled = eio->work_handled;
		e.extents = eio->work_extents;
		return e;
	}
	if (!on(t, T_EIO, m))
		return e;
	e.has_conv = true;
	e.extents = eio->extents;
	hook = wb_metric_hook(t->st[T_EIO]->c.metrics, t->st[T_EIO]->c.nmetrics, m);
	if (hook && !strstr(hook, "conversion only")) {
		e.has_deferred = true;
		e.deferred = bh ? eio->ioends : eio->merged.sum;
		e.handled = bh ? eio->ioends : eio->merged.count;
	}
	return e;
}

static void cell_u(char *buf, size_t len, bool avail, double v, const char *fmt)
{
	if (!avail)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, fmt, v);
}

static void print_text(const struct top *t, double span)
{
	unsigned int changed = t->st[T_BIO] ? wb_bio_sample_changed(t->st[T_BIO]) : 0;
	char ts[16], dev[32], c[12][16];

	wb_timestamp(ts, sizeof(ts));
	printf("\n%s  wbscope top, %.1f s interval%s", ts, span,
	       t->o->milliseconds ? " (latencies in ms)" : " (latencies in us)");
	if (t->o->sample > 1)
		printf(", BIO_p99 of 1 in %u bios", t->o->sample);
	if (changed)
		printf(" (ext4.bio_time_sample is now %u: another tracer changed it)", changed);
	printf("\n");
	printf("%-8s %-11s|%7s %8s %7s|%7s %7s %7s|%7s %7s %6s %6s|%7s %7s\n",
	       "DEVICE", "PATH", "WP/s", "PAGES/s", "WP_p99", "BIOS/s", "MiB/s", "BIO_p99",
	       "DEFER/s", "WQ_p99", "MERGE", "CONV/s", "ALLOC/s", "AVG_BLK");
	if (!t->nrows)
		printf("(no write-back activity)\n");
	for (int i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		const struct wp_val *wp = r->v[T_WP];
		const struct bio_val *bio = r->v[T_BIO];
		const struct eio_val *eio = r->v[T_EIO];
		bool bh = r->path == WB_PATH_BH;
		struct eio_cols e = eio_cols_of(t, r, eio);
		struct al_cols a = al_cols_of(t, r);
		struct bio_cols b = bio_cols_of(t, r);

		wb_dev_name(r->dev, NULL, dev, sizeof(dev));
		cell_u(c[0], 16, wp != NULL, wp ? (double)wp->calls / span : 0, "%.0f");
		cell_u(c[1], 16, wp != NULL, wp ? (double)wp->pages_total / span : 0, "%.0f");
		cell_u(c[2], 16, wp && wp->lat.count, wp ? wb_hist_quantile(&wp->lat, 0.99) : 0, "%.0f");
		cell_u(c[3], 16, b.has, (double)b.bios / span, "%.0f");
		cell_u(c[4], 16, b.has, (double)b.bytes / 1048576.0 / span, "%.1f");
		cell_u(c[5], 16, bio && bio->lat.count, bio ? wb_hist_quantile(&bio->lat, 0.99) : 0, "%.0f");
		cell_u(c[6], 16, e.has_deferred, (double)e.deferred / span, "%.0f");
		cell_u(c[7], 16, eio && eio->work_delay.count,
		       eio ? wb_hist_quantile(&eio->work_delay, 0.99) : 0, "%.0f");
		cell_u(c[8], 16, !bh && e.has_deferred && e.handled,
		       e.handled ? (double)e.deferred / (double)e.handled : 0, "%.1f");
		cell_u(c[9], 16, e.has_conv, (double)e.extents / span, "%.0f");
		cell_u(c[10], 16, a.has, (double)a.allocs / span, "%.0f");
		cell_u(c[11], 16, a.allocs, a.allocs ? (double)a.blocks / (double)a.allocs : 0, "%.1f");
		printf("%-8.8s %-11s|%7s %8s %7s|%7s %7s %7s|%7s %7s %6s %6s|%7s %7s\n", dev,
		       wb_path_name(r->path), c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9],
		       c[10], c[11]);
	}
	if (t->drops)
		printf("note: more than %d device/path rows, %llu not shown\n", TOP_MAX_ROWS, t->drops);
	fflush(stdout);
}

static void json_hist_q(struct wb_json *j, const char *key, const struct wb_hist *h)
{
	if (!h->count)
		return;
	wb_json_key(j, key);
	wb_json_obj_begin(j);
	wb_json_kv_uint(j, "count", h->count);
	wb_json_kv_double(j, "p50", wb_hist_quantile(h, 0.5));
	wb_json_kv_double(j, "p99", wb_hist_quantile(h, 0.99));
	wb_json_obj_end(j);
}

static int print_json(const struct top *t, double span)
{
	const char *unit = t->o->milliseconds ? "msecs" : "usecs";
	unsigned int changed;
	struct wb_json j;

	wb_json_init(&j, stdout);
	wb_json_obj_begin(&j);
	wb_json_header(&j, "top", span, t->o);
	wb_json_kv_str(&j, "latency_unit", unit);
	wb_json_kv_uint(&j, "sample", t->o->sample > 1 ? t->o->sample : 1);
	wb_json_key(&j, "tools");
	wb_json_obj_begin(&j);
	for (int k = 0; k < T_NR; k++) {
		wb_json_key(&j, tools[k]->name);
		wb_json_obj_begin(&j);
		if (t->st[k]) {
			wb_metrics_json(&j, t->st[k]->c.metrics, t->st[k]->c.nmetrics);
			wb_json_kv_uint(&j, "missed", t->st[k]->snap.missed);
			wb_json_bpf_cost(&j, &t->st[k]->snap);
			if (k == T_BIO && t->bios_from_wp)
				wb_json_kv_str(&j, "counts_from", "writepages");
			if (k == T_BIO && (changed = wb_bio_sample_changed(t->st[k])))
				wb_json_kv_uint(&j, "sample_now", changed);
		} else if (k == T_AL && t->alloc_from_wp) {
			wb_json_kv_str(&j, "not_started", TOP_ALLOC_FROM_WP);
		} else {
			wb_json_kv_str(&j, "error", "could not be started");
		}
		wb_json_obj_end(&j);
	}
	wb_json_obj_end(&j);
	wb_json_key(&j, "groups");
	wb_json_arr_begin(&j);
	for (int i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];
		const struct wp_val *wp = r->v[T_WP];
		const struct bio_val *bio = r->v[T_BIO];
		const struct eio_val *eio = r->v[T_EIO];
		struct al_cols a = al_cols_of(t, r);
		struct bio_cols b = bio_cols_of(t, r);

		wb_json_obj_begin(&j);
		wb_json_group_dev(&j, r->dev, r->path);
		if (wp) {
			wb_json_key(&j, "writepages");
			wb_json_obj_begin(&j);
			wb_json_kv_uint(&j, "calls", wp->calls);
			wb_json_kv_uint(&j, "pages_written", wp->pages_total);
			json_hist_q(&j, "latency", &wp->lat);
			wb_json_obj_end(&j);
		}
		if (b.has || bio) {
			wb_json_key(&j, "bio");
			wb_json_obj_begin(&j);
			if (b.has) {
				wb_json_kv_uint(&j, "bios", b.bios);
				wb_json_kv_uint(&j, "bytes", b.bytes);
			}
			if (bio)
				json_hist_q(&j, "latency", &bio->lat);
			wb_json_obj_end(&j);
		}
		if (eio) {
			struct eio_cols e = eio_cols_of(t, r, eio);

			wb_json_key(&j, "endio");
			wb_json_obj_begin(&j);
			if (e.has_deferred) {
				wb_json_kv_uint(&j, "deferred", e.deferred);
				wb_json_kv_uint(&j, "handled", e.handled);
			}
			wb_json_kv_uint(&j, "works", eio->works);
			if (e.has_conv)
				wb_json_kv_uint(&j, "extents_converted", e.extents);
			json_hist_q(&j, "work_delay", &eio->work_delay);
			json_hist_q(&j, "ioends_merged", &eio->merged);
			wb_json_obj_end(&j);
		}
		if (a.has) {
			wb_json_key(&j, "alloc");
			wb_json_obj_begin(&j);
			wb_json_kv_uint(&j, "allocations", a.allocs);
			wb_json_kv_uint(&j, "blocks_allocated", a.blocks);
			wb_json_obj_end(&j);
		}
		wb_json_obj_end(&j);
	}
	wb_json_arr_end(&j);
	wb_json_obj_end(&j);
	return wb_json_finish(&j) ? -EIO : 0;
}

static int report(void *ctx, double span)
{
	struct top *t = ctx;

	t->nrows = 0;
	t->drops = 0;
	for (int k = 0; k < T_NR; k++) {
		const struct wb_snapshot *s;
		int err;

		if (!t->st[k])
			continue;
		err = wb_tool_collect(tools[k], t->st[k]);
		if (err)
			return err;
		s = &t->st[k]->snap;
		for (int i = 0; i < s->n; i++) {
			const unsigned int *key = (const void *)((const char *)s->keys +
								 (size_t)i * sizeof(struct wb_group_key));
			struct row *r = row_for(t, key[0], key[1]);

			if (r)
				r->v[k] = (const char *)s->vals + (size_t)i * t->st[k]->c.val_size;
		}
	}
	qsort(t->rows, (size_t)t->nrows, sizeof(t->rows[0]), cmp_row);
	if (t->o->json)
		return print_json(t, span);
	print_text(t, span);
	return 0;
}

int cmd_top(int argc, char **argv)
{
	const struct argp_child children[] = {
		{ &wb_common_argp, 0, "Options:", 0 },
		{ wb_tool_bio.argp, 0, NULL, 0 },	/* --sample, for the bio columns */
		{ NULL, 0, NULL, 0 },
	};
	const struct argp argp = { .parser = wb_argp_share_input, .children = children, .doc = doc };
	static struct top t;
	static struct wb_opts tool_opts[T_NR];
	struct wb_opts o;
	int err, started = 0;
	bool sampled;
	FILE *info;

	wb_opts_init(&o);
	argp_err_exit_status = WB_EXIT_ERROR;
	if (argp_parse(&argp, argc, argv, 0, NULL, &o) || wb_opts_finish(&o, "top"))
		return WB_EXIT_ERROR;
	if (o.pid) {
		fprintf(stderr, "%s top: -p is not supported: write-back runs in kworkers; use the "
			"single tools (writepages, bio, alloc) for a process filter\n", wb_progname);
		return WB_EXIT_ERROR;
	}
	if (o.metrics) {
		fprintf(stderr, "%s top: --metrics is for the single tools: top traces what its "
			"columns need\n", wb_progname);
		return WB_EXIT_ERROR;
	}
	if (!o.interval)
		o.interval = 2;
	/*
	 * Without --sample, where the kernel picks the bios it times, top times 1 in
	 * WB_BIO_SAMPLE bios (or the rate another tracer set), as bio does: timing every bio
	 * costs a program run and two clock reads per bio, more than the rest of top together
	 * on small writes, for one p99 column.
	 */
	sampled = wb_bio_default_sample(&o);
	wb_libbpf_setup(o.verbose);
	wb_hook_prefer = o.prefer;
	wb_install_signals();
	info = o.json ? stderr : stdout;
	t.o = &o;
	if (sampled)
		fprintf(info, "bio: timing 1 in %u bios, picked by the kernel (--sample 1: every bio)\n",
			o.sample);
	for (int k = 0; k < T_NR; k++) {
		if (k == T_AL && t.st[T_WP] && wb_writepages_has_maps(&t.st[T_WP]->c)) {
			t.alloc_from_wp = true;
			fprintf(info, "alloc: not started (%s)\n", TOP_ALLOC_FROM_WP);
			continue;
		}
		tool_opts[k] = o;
		tool_opts[k].metrics = top_metrics[k];
		if (k == T_AL)
			tool_opts[k].delalloc_writeback = true;
		if (k == T_EIO)
			tool_opts[k].work_sums = true;
		if (k == T_BIO) {
			tool_opts[k].no_bio_sizes = true;
			tool_opts[k].bio_timed_only = t.st[T_WP] &&
						      wb_writepages_has_bios(&t.st[T_WP]->c);
		}
		if (tools[k]->open(&tool_opts[k], &t.st[k], info)) {
			fprintf(stderr, "%s top: %s columns disabled (see the message above)\n",
				wb_progname, tools[k]->name);
			t.st[k] = NULL;
			continue;
		}
		started++;
		if (k == T_BIO && tool_opts[k].bio_timed_only && !on(&t, T_BIO, "submit")) {
			t.bios_from_wp = true;
			fprintf(info, "bio: bios and bytes counted by writepages' ext4_writepages_done, "
				"the kernel's picks timed\n");
		}
	}
	if (!started) {
		fprintf(stderr, "%s top: no collector could be started\n", wb_progname);
		return WB_EXIT_ERROR;
	}
	fprintf(info, "Tracing write-back on %s... Hit Ctrl-C to end.\n",
		o.dev_set ? o.dev_name : "all devices");
	fflush(info);
	err = wb_report_loop(&o, report, &t);
	for (int k = 0; k < T_NR; k++)
		if (t.st[k])
			tools[k]->close(t.st[k]);
	return err ? WB_EXIT_ERROR : WB_EXIT_OK;
}
