// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope writepages: ext4 writepages call latency and pages written per call, per
 * device, from the ext4_writepages / ext4_writepages_result tracepoints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "hist.h"
#include "json.h"
#include "writepages.h"
#include "writepages.skel.h"
#include "commands.h"

static const char doc[] =
"Summarize ext4 writepages calls: latency and pages written per call, per device.\n"
"\n"
"USAGE: wbscope writepages [OPTIONS] [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    wbscope writepages            # summarize until Ctrl-C\n"
"    wbscope writepages 1 10       # print 1 second summaries, 10 times\n"
"    wbscope writepages -d loop0   # one device only\n"
"    wbscope writepages -j 5       # JSON (schema wbscope/1) every 5 seconds";

static const char *const hook_enter = "raw_tp:ext4_writepages";
static const char *const hook_exit = "raw_tp:ext4_writepages_result";

struct group {
	struct wp_key key;
	struct wp_val val;
};

static const char *const path_names[WB_NR_PATHS] = { "buffer_head", "iomap" };

static const char *path_name(unsigned int path)
{
	return path < WB_NR_PATHS ? path_names[path] : "unknown";
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->key.dev != y->key.dev)
		return x->key.dev < y->key.dev ? -1 : 1;
	return x->key.path < y->key.path ? -1 : x->key.path > y->key.path;
}

static void sum_percpu(struct wp_val *dst, const struct wp_val *vals, int ncpu)
{
	memset(dst, 0, sizeof(*dst));
	for (int c = 0; c < ncpu; c++) {
		const struct wp_val *v = &vals[c];

		wb_hist_merge(&dst->lat, &v->lat);
		wb_hist_merge(&dst->pages, &v->pages);
		wb_hist_merge(&dst->nr_to_write, &v->nr_to_write);
		dst->calls += v->calls;
		dst->errors += v->errors;
		dst->sync_all += v->sync_all;
		dst->pages_total += v->pages_total;
		dst->lat_ns_sum += v->lat_ns_sum;
	}
}

/* Reads and removes every per-device entry; returns the number of groups. */
static int drain_stats(int fd, int ncpu, struct group *out, int max)
{
	struct wp_key key, next, *prev = NULL;
	struct wp_key keys[WP_MAX_DEVS];
	struct wp_val *vals = calloc(ncpu, sizeof(*vals));
	int nkeys = 0, n = 0;

	if (!vals)
		return -ENOMEM;
	while (nkeys < WP_MAX_DEVS && bpf_map_get_next_key(fd, prev, &next) == 0) {
		keys[nkeys++] = next;
		key = next;
		prev = &key;
	}
	for (int i = 0; i < nkeys && n < max; i++) {
		if (bpf_map_lookup_and_delete_elem(fd, &keys[i], vals)) {
			if (bpf_map_lookup_elem(fd, &keys[i], vals))
				continue;
			bpf_map_delete_elem(fd, &keys[i]);
		}
		out[n].key = keys[i];
		sum_percpu(&out[n].val, vals, ncpu);
		n++;
	}
	free(vals);
	qsort(out, n, sizeof(*out), cmp_group);
	return n;
}

static void read_counters(int fd, int ncpu, unsigned long long *out)
{
	unsigned long long *vals = calloc(ncpu, sizeof(*vals));

	for (__u32 i = 0; i < WP_NR_COUNTERS; i++) {
		out[i] = 0;
		if (vals && bpf_map_lookup_elem(fd, &i, vals) == 0)
			for (int c = 0; c < ncpu; c++)
				out[i] += vals[c];
	}
	free(vals);
}

static void print_text(const struct wb_opts *o, const struct group *g, int n,
		       const unsigned long long *cnt)
{
	const char *unit = o->milliseconds ? "msecs" : "usecs";
	char ts[16], name[64];

	if (o->timestamp) {
		wb_timestamp(ts, sizeof(ts));
		printf("%-8s\n", ts);
	}
	if (n == 0)
		printf("(no ext4 writepages calls)\n");
	for (int i = 0; i < n; i++) {
		const struct wp_val *v = &g[i].val;

		wb_dev_name(g[i].key.dev, NULL, name, sizeof(name));
		printf("\ndev %s (%u:%u) path %s: %llu calls, %llu pages written, %llu WB_SYNC_ALL, %llu errors",
		       name, WB_DEV_MAJOR(g[i].key.dev), WB_DEV_MINOR(g[i].key.dev),
		       path_name(g[i].key.path), v->calls, v->pages_total, v->sync_all, v->errors);
		if (v->lat.count)
			printf(", avg %.1f us", (double)v->lat_ns_sum / (double)v->lat.count / 1000.0);
		printf("\n\n");
		wb_hist_print(stdout, &v->lat, unit);
		printf("\n");
		wb_hist_print(stdout, &v->pages, "pages/call");
	}
	if (cnt[WP_CNT_UNPAIRED] || cnt[WP_CNT_DROP_INFLIGHT] || cnt[WP_CNT_DROP_STATS])
		printf("\nnote: %llu results without a start (not in latency), dropped: %llu starts "
		       "(in-flight map full), %llu results (device map full)\n",
		       cnt[WP_CNT_UNPAIRED], cnt[WP_CNT_DROP_INFLIGHT], cnt[WP_CNT_DROP_STATS]);
	printf("\n");
	fflush(stdout);
}

static void print_json(const struct wb_opts *o, const struct group *g, int n,
		       const unsigned long long *cnt, double span)
{
	const char *unit = o->milliseconds ? "msecs" : "usecs";
	struct wb_json j;
	char buf[64];

	wb_json_init(&j, stdout);
	wb_json_obj_begin(&j);
	wb_json_kv_str(&j, "schema", WB_JSON_SCHEMA);
	wb_json_kv_str(&j, "tool", "writepages");
	wb_iso_time(buf, sizeof(buf));
	wb_json_kv_str(&j, "time", buf);
	wb_json_kv_double(&j, "interval_s", span);
	wb_json_key(&j, "hooks");
	wb_json_obj_begin(&j);
	wb_json_kv_str(&j, "latency", "raw_tp:ext4_writepages -> raw_tp:ext4_writepages_result");
	wb_json_kv_str(&j, "pages_per_call", hook_exit);
	wb_json_kv_str(&j, "nr_to_write", hook_enter);
	wb_json_kv_str(&j, "path", "inode->i_mapping->a_ops == ext4_iomap_aops (ksym)");
	wb_json_obj_end(&j);
	wb_json_key(&j, "filters");
	wb_json_obj_begin(&j);
	if (o->pid)
		wb_json_kv_int(&j, "pid", o->pid);
	if (o->dev_set) {
		snprintf(buf, sizeof(buf), "%u:%u", WB_DEV_MAJOR(o->dev), WB_DEV_MINOR(o->dev));
		wb_json_kv_str(&j, "dev", buf);
	}
	if (o->ino)
		wb_json_kv_uint(&j, "ino", o->ino);
	wb_json_obj_end(&j);
	wb_json_key(&j, "counters");
	wb_json_obj_begin(&j);
	wb_json_kv_uint(&j, "enter", cnt[WP_CNT_ENTER]);
	wb_json_kv_uint(&j, "exit", cnt[WP_CNT_EXIT]);
	wb_json_kv_uint(&j, "unpaired", cnt[WP_CNT_UNPAIRED]);
	wb_json_obj_end(&j);
	wb_json_key(&j, "drops");
	wb_json_obj_begin(&j);
	wb_json_kv_uint(&j, "inflight_map_full", cnt[WP_CNT_DROP_INFLIGHT]);
	wb_json_kv_uint(&j, "stats_map_full", cnt[WP_CNT_DROP_STATS]);
	wb_json_obj_end(&j);
	wb_json_key(&j, "groups");
	wb_json_arr_begin(&j);
	for (int i = 0; i < n; i++) {
		const struct wp_val *v = &g[i].val;

		wb_json_obj_begin(&j);
		snprintf(buf, sizeof(buf), "%u:%u", WB_DEV_MAJOR(g[i].key.dev), WB_DEV_MINOR(g[i].key.dev));
		wb_json_kv_str(&j, "dev", buf);
		wb_dev_name(g[i].key.dev, NULL, buf, sizeof(buf));
		wb_json_kv_str(&j, "devname", buf);
		wb_json_kv_str(&j, "path", path_name(g[i].key.path));
		wb_json_kv_uint(&j, "calls", v->calls);
		wb_json_kv_uint(&j, "errors", v->errors);
		wb_json_kv_uint(&j, "sync_all", v->sync_all);
		wb_json_kv_uint(&j, "pages_written", v->pages_total);
		wb_json_kv_uint(&j, "latency_ns_sum", v->lat_ns_sum);
		wb_json_key(&j, "hists");
		wb_json_obj_begin(&j);
		wb_json_hist(&j, "latency", &v->lat, unit);
		wb_json_hist(&j, "pages_per_call", &v->pages, "pages");
		wb_json_hist(&j, "nr_to_write", &v->nr_to_write, "pages");
		wb_json_obj_end(&j);
		wb_json_obj_end(&j);
	}
	wb_json_arr_end(&j);
	wb_json_obj_end(&j);
	wb_json_finish(&j);
}

int cmd_writepages(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &wb_common_argp, 0, "Options:", 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct argp argp = { .children = children, .doc = doc };
	struct writepages_bpf *skel = NULL;
	struct group groups[WP_MAX_DEVS];
	unsigned long long cnt[WP_NR_COUNTERS], prev[WP_NR_COUNTERS] = { 0 }, delta[WP_NR_COUNTERS];
	struct wb_opts o;
	double start, last;
	long reports = 0;
	int err, ncpu, n, ret = WB_EXIT_ERROR;

	wb_opts_init(&o);
	argp_err_exit_status = WB_EXIT_ERROR;
	err = argp_parse(&argp, argc, argv, 0, NULL, &o);
	if (err || wb_opts_finish(&o, "writepages"))
		return WB_EXIT_ERROR;
	wb_libbpf_setup(o.verbose);
	/* Before the (slow) load, so that an early Ctrl-C still ends cleanly. */
	wb_install_signals();

	if (!wb_raw_tp_exists("ext4_writepages") || !wb_raw_tp_exists("ext4_writepages_result")) {
		fprintf(stderr, "wbscope writepages: hook missing: tracepoint ext4:ext4_writepages or "
			"ext4:ext4_writepages_result is not in this kernel's BTF (is ext4 built in or "
			"loaded, and CONFIG_DEBUG_INFO_BTF=y?)\n");
		return WB_EXIT_ERROR;
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		fprintf(stderr, "wbscope writepages: cannot count CPUs: %s\n", strerror(-ncpu));
		return WB_EXIT_ERROR;
	}
	skel = writepages_bpf__open();
	if (!skel) {
		wb_explain_load_error("writepages", errno);
		return WB_EXIT_ERROR;
	}
	skel->rodata->targ_tgid = (__u32)o.pid;
	skel->rodata->targ_dev = o.dev_set ? o.dev : 0;
	skel->rodata->targ_ino = o.ino;
	skel->rodata->targ_ms = o.milliseconds;
	err = writepages_bpf__load(skel);
	if (err) {
		wb_explain_load_error("writepages", err);
		goto out;
	}
	err = writepages_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "wbscope writepages: cannot attach %s / %s: %s\n", hook_enter, hook_exit,
			strerror(-err));
		goto out;
	}
	fprintf(o.json ? stderr : stdout,
		"Tracing ext4 writepages on %s (hooks: %s, %s)... Hit Ctrl-C to end.\n",
		o.dev_set ? o.dev_name : "all devices", hook_enter, hook_exit);
	fflush(stdout);

	start = last = wb_now();
	for (;;) {
		double wait = o.interval > 0 ? o.interval : 1e9;
		double now;

		if (o.duration > 0 && start + o.duration - wb_now() < wait)
			wait = start + o.duration - wb_now();
		if (wait > 0)
			wb_sleep(wait);
		now = wb_now();
		n = drain_stats(bpf_map__fd(skel->maps.stats), ncpu, groups, WP_MAX_DEVS);
		if (n < 0) {
			fprintf(stderr, "wbscope writepages: reading maps failed: %s\n", strerror(-n));
			goto out;
		}
		read_counters(bpf_map__fd(skel->maps.counters), ncpu, cnt);
		for (int i = 0; i < WP_NR_COUNTERS; i++) {
			delta[i] = cnt[i] - prev[i];
			prev[i] = cnt[i];
		}
		if (o.json)
			print_json(&o, groups, n, delta, now - last);
		else
			print_text(&o, groups, n, delta);
		last = now;
		reports++;
		if (wb_exiting || (o.count && reports >= o.count) ||
		    (o.duration > 0 && now - start >= o.duration - 1e-3))
			break;
	}
	ret = WB_EXIT_OK;
out:
	writepages_bpf__destroy(skel);
	return ret;
}
