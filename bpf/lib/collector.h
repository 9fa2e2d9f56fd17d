/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic half of a tracing subcommand: given an opened BPF object, choose hooks,
 * load, attach, and read one interval back from its maps. The stats map is a
 * WB_GROUP_STATS per-CPU array (include/groups.bpf.h) whose values are made of u64s,
 * read as the difference from the previous read; counters are a per-CPU array of u64.
 */
#ifndef WB_COLLECTOR_H
#define WB_COLLECTOR_H

#include <stddef.h>
#include <stdio.h>
#include "hooks.h"
#include "wbscope.h"

struct bpf_object;
struct bpf_link;
struct wb_snapshot;

struct wb_collector {
	/* set by the tool */
	const char *tool;
	struct bpf_object *obj;
	struct wb_metric *metrics;
	int nmetrics;
	const char *stats_map;		/* NULL: the tool has no groups */
	const char *counters_map;
	int ncounters;
	/* JSON name of each counter: "counters.NAME" or "drops.NAME" (see wb_json_counters) */
	const char *const *counter_names;
	size_t val_size;
	/* --metrics: the metrics to trace, comma-separated (wb_metrics_select); NULL: all */
	const char *select;
	/* Called once the hooks are chosen, before they are printed and the object loads:
	 * read-only data can still be set from what was chosen, and metrics that the chosen
	 * hooks make redundant left out (wb_metric_unselect); NULL: none. */
	void (*before_load)(struct wb_collector *c);
	/* Called at the end of every read (wb_collector_read), to fill in counters the
	 * programs leave to user space because the groups' statistics imply them; NULL:
	 * none. */
	void (*after_read)(struct wb_collector *c, struct wb_snapshot *s);
	/* internal */
	int ncpu;
	unsigned long long *prev;
	unsigned long long *prev_vals;	/* the groups' sums at the previous read */
	unsigned long long prev_missed;
	unsigned long long prev_runs, prev_run_ns;
	struct bpf_link **links;
	int nlinks;
};

/*
 * Selects the metrics (c->select), resolves hooks (printing them to hooks_out unless
 * NULL), loads and attaches every chosen program. required: metrics without which the
 * tool cannot run, comma-separated (NULL: at least one metric), always selected. Errors
 * are explained on stderr. Returns 0 or -errno.
 */
int wb_collector_start(struct wb_collector *c, FILE *hooks_out, const char *required);

/* One snapshot of an interval, sorted by (dev, path). */
struct wb_snapshot {
	int n;
	struct wb_group_key *keys;	/* n keys */
	void *vals;			/* n values of val_size */
	unsigned long long *cnt;	/* ncounters, this interval */
	/*
	 * Events the kernel did not hand to the tool's programs this interval: a program
	 * skipped because another BPF program was running on that CPU, or a kprobe hit
	 * while another kprobe handler ran there (an IRQ interrupting a kprobe handler).
	 */
	unsigned long long missed;
	/*
	 * CPU time of the tool's programs this interval, and how many times they ran:
	 * the kernel counts it only while BPF run-time statistics are on
	 * (sysctl kernel.bpf_stats_enabled=1); bpf_stats tells whether they were.
	 */
	unsigned long long runs, run_ns;
	bool bpf_stats;
};

int wb_snapshot_alloc(const struct wb_collector *c, struct wb_snapshot *s);
void wb_snapshot_free(struct wb_snapshot *s);
int wb_collector_read(struct wb_collector *c, struct wb_snapshot *s);
/* The sum over a snapshot's groups of the u64 member at offset in each value (of
 * val_size bytes): a count the programs leave to the groups (wb_collector.after_read). */
unsigned long long wb_snapshot_sum(const struct wb_snapshot *s, size_t val_size, size_t offset);
/* Detaches; the tool destroys its skeleton afterwards. */
void wb_collector_stop(struct wb_collector *c);

bool wb_collector_on(const struct wb_collector *c, const char *metric);
/*
 * "  what: unavailable (reason)" for a metric, "  what: off (--metrics NAME)" for an extra
 * one not asked for; nothing for one left out by --metrics.
 */
void wb_collector_print_unavail(const struct wb_collector *c, const char *what, const char *metric);

#endif
