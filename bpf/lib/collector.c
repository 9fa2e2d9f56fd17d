// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collector.h"
#include "common.h"
#include "maps.h"

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

int wb_collector_start(struct wb_collector *c, FILE *hooks_out, const char *required)
{
	struct bpf_program *p;
	int avail, err, n = 0;

	c->ncpu = libbpf_num_possible_cpus();
	if (c->ncpu <= 0) {
		fprintf(stderr, "%s %s: cannot count CPUs\n", wb_progname, c->tool);
		return -EINVAL;
	}
	c->prev = calloc((size_t)c->ncounters, sizeof(*c->prev));
	if (!c->prev)
		return -ENOMEM;
	if (c->stats_map) {
		struct bpf_map *m = bpf_object__find_map_by_name(c->obj, c->stats_map);

		/* The map must be what wb_read_groups reads (groups.bpf.h). */
		if (!m || bpf_map__type(m) != BPF_MAP_TYPE_PERCPU_ARRAY ||
		    bpf_map__max_entries(m) != WB_MAX_GROUPS || bpf_map__value_size(m) != c->val_size) {
			fprintf(stderr, "%s %s: internal error: map %s is not a WB_GROUP_STATS map of "
				"%zu-byte values\n", wb_progname, c->tool, c->stats_map, c->val_size);
			return -EINVAL;
		}
		c->prev_vals = calloc(WB_MAX_GROUPS, c->val_size);
		if (!c->prev_vals)
			return -ENOMEM;
	}
	{
		char err[512];

		if (wb_metrics_select(c->metrics, c->nmetrics, c->select, required, err, sizeof(err))) {
			fprintf(stderr, "%s %s: invalid --metrics: %s\n", wb_progname, c->tool, err);
			return -EINVAL;
		}
	}
	avail = wb_metrics_resolve(c->obj, c->metrics, c->nmetrics);
	if (c->before_load) {
		c->before_load(c);
		avail = 0;
		for (int i = 0; i < c->nmetrics; i++)
			avail += c->metrics[i].chosen >= 0;
	}
	if (hooks_out)
		wb_metrics_print(hooks_out, c->tool, c->metrics, c->nmetrics);
	{
		/* required: "a,b,c", every one of them needed */
		char buf[256], *save = NULL, *tok;
		const char *missing = avail ? NULL : "every metric";

		snprintf(buf, sizeof(buf), "%s", required ? required : "");
		for (tok = strtok_r(buf, ",", &save); tok && !missing; tok = strtok_r(NULL, ",", &save))
			if (!wb_metric_available(c->metrics, c->nmetrics, tok))
				missing = required + (tok - buf);
		if (missing) {
			if (!hooks_out)
				wb_metrics_print(stderr, c->tool, c->metrics, c->nmetrics);
			fprintf(stderr, "%s %s: hook missing: %.*s is unavailable on this kernel, the tool "
				"cannot run (see above)\n", wb_progname, c->tool,
				(int)strcspn(missing, ","), missing);
			return -ENOENT;
		}
	}
	err = bpf_object__load(c->obj);
	if (err) {
		wb_explain_load_error(c->tool, err);
		return err;
	}
	bpf_object__for_each_program(p, c->obj)
		n++;
	c->links = calloc((size_t)n, sizeof(*c->links));
	if (!c->links)
		return -ENOMEM;
	bpf_object__for_each_program(p, c->obj) {
		struct bpf_link *l;

		if (!bpf_program__autoload(p))
			continue;
		l = bpf_program__attach(p);
		if (!l) {
			err = -errno;
			fprintf(stderr, "%s %s: cannot attach %s (%s): %s\n", wb_progname, c->tool,
				bpf_program__name(p), bpf_program__section_name(p), strerror(-err));
			return err;
		}
		c->links[c->nlinks++] = l;
	}
	return 0;
}

void wb_collector_stop(struct wb_collector *c)
{
	for (int i = 0; i < c->nlinks; i++)
		bpf_link__destroy(c->links[i]);
	free(c->links);
	free(c->prev);
	free(c->prev_vals);
	c->links = NULL;
	c->prev = NULL;
	c->prev_vals = NULL;
	c->nlinks = 0;
}

int wb_snapshot_alloc(const struct wb_collector *c, struct wb_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->keys = calloc(WB_MAX_GROUPS, sizeof(struct wb_group_key));
	s->vals = calloc(WB_MAX_GROUPS, c->val_size ? c->val_size : 1);
	s->cnt = calloc((size_t)c->ncounters, sizeof(*s->cnt));
	if (!s->keys || !s->vals || !s->cnt) {
		wb_snapshot_free(s);
		return -ENOMEM;
	}
	return 0;
}

void wb_snapshot_free(struct wb_snapshot *s)
{
	free(s->keys);
	free(s->vals);
	free(s->cnt);
	memset(s, 0, sizeof(*s));
}

/*
 * struct bpf_link_info as far as a kprobe perf-event link goes, in the layout of the
 * Linux >= 6.7 UAPI (the build's headers may be older). The kernel fills in what it
 * knows; an older kernel leaves "missed" at 0.
 */
struct wb_kprobe_link_info {
	__u32 type;		/* BPF_LINK_TYPE_PERF_EVENT */
	__u32 id;
	__u32 prog_id;
	__u32 pad;
	__u32 event_type;	/* BPF_PERF_EVENT_KPROBE / _KRETPROBE */
	__u32 pad2;
	__u64 func_name;	/* 0: do not copy the name */
	__u32 name_len;
	__u32 offset;
	__u64 addr;
	__u64 missed;		/* kprobe hits skipped (nested kprobes, kretprobe maxactive) */
	__u64 cookie;
};

/* Hits of the tool's kprobes that the kernel skipped (kp->nmissed). */
static unsigned long long kprobe_missed(const struct wb_collector *c)
{
	unsigned long long sum = 0;

	for (int i = 0; i < c->nlinks; i++) {
		struct wb_kprobe_link_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_link_get_info_by_fd(bpf_link__fd(c->links[i]), (void *)&info, &len))
			continue;
		if (info.type == BPF_LINK_TYPE_PERF_EVENT &&
		    (info.event_type == BPF_PERF_EVENT_KPROBE || info.event_type == BPF_PERF_EVENT_KRETPROBE))
			sum += info.missed;
	}
	return sum;
}

static bool bpf_stats_on(void)
{
	unsigned int v;

	return !wb_read_uint_file("/proc/sys/kernel/bpf_stats_enabled", &v) && v == 1;
}

/*
 * One pass over the tool's programs: their run count and run time (counted while
 * kernel.bpf_stats_enabled is on), and the events the kernel did not give them: their
 * recursion_misses (a program skipped because another BPF program was running on that
 * CPU) plus the kprobes' own misses (a kprobe hit while another kprobe handler runs on
 * that CPU).
 */
static void prog_stats(const struct wb_collector *c, unsigned long long *runs,
		       unsigned long long *ns, unsigned long long *missed)
{
	struct bpf_program *p;

	*runs = *ns = 0;
	*missed = kprobe_missed(c);
	bpf_object__for_each_program(p, c->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_prog_get_info_by_fd(fd, &info, &len) == 0) {
			*runs += info.run_cnt;
			*ns += info.run_time_ns;
			*missed += info.recursion_misses;
		}
	}
}

/* A group read, and where its value is: sorted by (dev, path). */
struct order {
	struct wb_group_key k;
	int i;
};

static int cmp_order(const void *a, const void *b)
{
	const struct wb_group_key *x = &((const struct order *)a)->k, *y = &((const struct order *)b)->k;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->path < y->path ? -1 : x->path > y->path;
}

int wb_collector_read(struct wb_collector *c, struct wb_snapshot *s)
{
	struct wb_group_key *keys = calloc(WB_MAX_GROUPS, sizeof(*keys));
	struct order *ord = calloc(WB_MAX_GROUPS, sizeof(*ord));
	char *vals = calloc(WB_MAX_GROUPS, c->val_size ? c->val_size : 1);
	unsigned long long *cnt = calloc((size_t)c->ncounters, sizeof(*cnt));
	int n = 0;

	if (!keys || !vals || !ord || !cnt) {
		n = -ENOMEM;
		goto out;
	}
	if (c->stats_map) {
		n = wb_read_groups(map_fd(c->obj, "wb_devs"), map_fd(c->obj, c->stats_map), c->val_size,
				   c->ncpu, c->prev_vals, keys, vals);
		if (n < 0)
			goto out;
	}
	for (int i = 0; i < n; i++) {
		ord[i].k = keys[i];
		ord[i].i = i;
	}
	qsort(ord, (size_t)n, sizeof(*ord), cmp_order);
	for (int i = 0; i < n; i++) {
		((struct wb_group_key *)s->keys)[i] = ord[i].k;
		memcpy((char *)s->vals + (size_t)i * c->val_size, vals + (size_t)ord[i].i * c->val_size,
		       c->val_size);
	}
	s->n = n;
	wb_read_percpu_counters(map_fd(c->obj, c->counters_map), c->ncounters, c->ncpu, cnt);
	for (int i = 0; i < c->ncounters; i++) {
		s->cnt[i] = cnt[i] - c->prev[i];
		c->prev[i] = cnt[i];
	}
	{
		unsigned long long runs, ns, missed;

		prog_stats(c, &runs, &ns, &missed);
		s->missed = missed - c->prev_missed;
		s->runs = runs - c->prev_runs;
		s->run_ns = ns - c->prev_run_ns;
		c->prev_missed = missed;
		c->prev_runs = runs;
		c->prev_run_ns = ns;
		s->bpf_stats = bpf_stats_on();
	}
	if (c->after_read)
		c->after_read(c, s);
	n = 0;
out:
	free(keys);
	free(vals);
	free(ord);
	free(cnt);
	return n;
}

bool wb_collector_on(const struct wb_collector *c, const char *metric)
{
	return wb_metric_available(c->metrics, c->nmetrics, metric);
}

void wb_collector_print_unavail(const struct wb_collector *c, const char *what, const char *metric)
{
	for (int i = 0; i < c->nmetrics; i++) {
		if (strcmp(c->metrics[i].name, metric))
			continue;
		if (c->metrics[i].off)
			printf("  %s: off (--metrics %s)\n", what, metric);
		else if (!c->metrics[i].skip)
			printf("  %s: unavailable (%s)\n", what, c->metrics[i].why);
	}
}

unsigned long long wb_snapshot_sum(const struct wb_snapshot *s, size_t val_size, size_t offset)
{
	unsigned long long sum = 0, v;

	for (int i = 0; i < s->n; i++) {
		memcpy(&v, (const char *)s->vals + (size_t)i * val_size + offset, sizeof(v));
		sum += v;
	}
	return sum;
}
