/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lock-order analysis for `wbscope lockorder`: from "A held while B taken" edges
 * (per path and device) to the verdicts: edges that break the documented order of
 * their path, and cycles of the global class graph with whether the objects they
 * involve can be shared (a deadlock risk) or not.
 *
 * The per-task bookkeeping that turns acquire/release events into edges is here too
 * (lg_task_*): the BPF programs do the same in the kernel; the unit tests feed
 * synthetic event streams through this reference version.
 */
#ifndef WB_LOCKGRAPH_H
#define WB_LOCKGRAPH_H

#include <stdbool.h>
#include <stdio.h>
#include "lockorder.h"

struct wb_json;

const char *lg_class_name(unsigned int cls);
const char *lg_path_name(unsigned int path);

/* Rank of a class in a path's documented order (lower is taken first), -1: not in it. */
int lg_rank(unsigned int path, unsigned int cls);
/* The documented order of a path, e.g. "folio -> jbd2_handle -> i_data_sem". */
const char *lg_documented(unsigned int path);

struct lg_edge {
	struct lo_edge_key key;
	struct lo_edge_val val;
};

enum lg_edge_status {
	LG_DOCUMENTED,	/* follows its path's documented order */
	LG_NESTED,	/* same class twice (e.g. folios in index order) */
	LG_VIOLATION,	/* contradicts its path's documented order */
	LG_UNDOCUMENTED,/* a class the path's order does not mention */
};
enum lg_edge_status lg_edge_status(const struct lo_edge_key *k);
const char *lg_status_name(enum lg_edge_status s);

#define LG_MAX_CYCLE 4
#define LG_MAX_CYCLES 32

struct lg_cycle {
	int len;			/* classes in the cycle */
	unsigned int cls[LG_MAX_CYCLE];	/* cls[0] -> cls[1] -> ... -> cls[0] */
	bool cross_path;		/* its edges come from more than one path */
	bool shared;			/* some device has edges of every step: objects may be shared */
	char why[512];			/* the explanation printed with it */
};

struct lg_report {
	int nedges;
	struct lg_edge *edges;		/* sorted: from, to, path, dev */
	int violations;			/* edges with LG_VIOLATION */
	int ncycles;
	struct lg_cycle cycles[LG_MAX_CYCLES];
	int risky;			/* cycles whose objects may be shared */
};

/* Sorts the edges and analyses them (the report keeps the edges pointer). */
void lg_analyse(struct lg_edge *edges, int n, struct lg_report *r);
/* 0: clean; 1: violations or cycles whose objects may be shared. */
int lg_exit_status(const struct lg_report *r);

/* stack(id, out, ctx): prints the stack with that id (may be NULL). */
typedef void (*lg_stack_fn)(int id, FILE *out, const char *indent, void *ctx);
void lg_print_text(FILE *out, const struct lg_report *r, lg_stack_fn stack, void *ctx);
void lg_print_json(struct wb_json *j, const struct lg_report *r);
/* Graphviz: classes as nodes, one arrow per (from, to, path) with counts. */
void lg_print_dot(FILE *out, const struct lg_report *r);

/* ---- reference per-task bookkeeping (what the BPF programs do) ---- */

struct lg_held {
	unsigned int cls;
	unsigned int mode;
	unsigned long long obj;		/* identifies the instance (address, inode) */
	unsigned int dev;
	unsigned long long ino;
};

struct lg_task {
	int nheld;
	struct lg_held held[LO_MAX_HELD];
	unsigned int path;
	unsigned int pid;
};

struct lg_edges {
	int n, max;
	struct lg_edge *e;
	unsigned long long dropped;	/* edges not recorded: table full */
};

/*
 * Task t takes a lock: one edge from every lock it holds (trylocks: none, they cannot
 * wait). The lock is then held. Returns false when the held set is full (not tracked).
 */
bool lg_task_acquire(struct lg_task *t, struct lg_edges *out, const struct lg_held *l, bool trylock);
/* Task t releases the lock with that object (the most recent one of that class if obj is 0). */
void lg_task_release(struct lg_task *t, unsigned int cls, unsigned long long obj);

#endif
