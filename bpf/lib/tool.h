/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tracing subcommand as a table: how to open its BPF side, how to print one
 * interval as text and as JSON. wb_tool_main() does the rest (options, signals, the
 * interval loop, the JSON envelope); `wbscope top` opens several tools at once.
 */
#ifndef WB_TOOL_H
#define WB_TOOL_H

#include <stdbool.h>
#include <stdio.h>
#include "collector.h"
#include "common.h"

struct wb_json;

/* Every tool's state starts with these. */
struct wb_tool_state {
	struct wb_collector c;
	struct wb_snapshot snap;
};

struct wb_tool {
	const char *name;
	const char *doc;		/* argp doc: summary, usage, examples */
	const char *what;		/* banner: "Tracing <what> on <devices>..." */
	bool no_pid;			/* -p makes no sense (work runs in kworkers) */
	const char *no_pid_why;
	const struct argp *argp;	/* options of this tool alone (parsed into wb_opts), or NULL */
	/* After the options are parsed, before open: defaults that depend on the kernel
	 * (said on info), or NULL. */
	void (*prepare)(struct wb_opts *o, FILE *info);
	/* Opens, resolves hooks (printed to hooks_out), loads and attaches. */
	int (*open)(const struct wb_opts *o, struct wb_tool_state **st, FILE *hooks_out);
	void (*close)(struct wb_tool_state *st);
	void (*text)(const struct wb_tool_state *st, const struct wb_opts *o);
	/* Members after the common envelope, counters and drops: the groups. */
	void (*json)(struct wb_json *j, const struct wb_tool_state *st, const struct wb_opts *o);
};

int wb_tool_main(const struct wb_tool *t, int argc, char **argv);
/* Root argp parser whose children all parse into the root's input (struct wb_opts). */
error_t wb_argp_share_input(int key, char *arg, struct argp_state *state);

/* Sets the filter values of include/filter.bpf.h in an opened skeleton's .rodata. */
#define WB_SET_FILTERS(skel, o) do {						\
	(skel)->rodata->targ_tgid = (__u32)(o)->pid;				\
	(skel)->rodata->targ_dev = (o)->dev_set ? (o)->dev : 0;			\
	(skel)->rodata->targ_ino = (o)->ino;					\
	(skel)->rodata->targ_ms = (o)->milliseconds;				\
} while (0)

/* For open/close: allocate the snapshot and start the collector (st->c filled in). */
int wb_tool_start(struct wb_tool_state *st, FILE *hooks_out, const char *required);
void wb_tool_stop(struct wb_tool_state *st);

/* Collects one interval into st->snap. */
int wb_tool_collect(const struct wb_tool *t, struct wb_tool_state *st);
/* Prints the timestamp line with -T. */
void wb_tool_text_begin(const struct wb_opts *o);
/*
 * The "counters" and "drops" objects: value i under the group and name of names[i]
 * ("counters.queued", "drops.stats_map_full").
 */
void wb_json_counters(struct wb_json *j, const char *const *names, int n,
		      const unsigned long long *v);
/* "bpf_cost": {"stats_enabled", "runs", "ns"} of a snapshot. */
void wb_json_bpf_cost(struct wb_json *j, const struct wb_snapshot *s);
/* One JSON document for the interval. */
int wb_tool_json(const struct wb_tool *t, const struct wb_tool_state *st,
		 const struct wb_opts *o, double span);

#endif
