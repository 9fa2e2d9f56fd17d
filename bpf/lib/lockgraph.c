// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "lockgraph.h"

static const char *const class_names[LO_NR_CLASSES] = {
	[LO_I_RWSEM] = "i_rwsem",
	[LO_HANDLE] = "jbd2_handle",
	[LO_FOLIO] = "folio",
	[LO_I_DATA_SEM] = "i_data_sem",
};

static const char *const path_names[LO_NR_PATHS] = {
	[LO_PATH_BH] = "buffer_head",
	[LO_PATH_IOMAP] = "iomap",
	[LO_PATH_OTHER] = "other",
};

/*
 * Documented orders, classes first to last. buffer_head (fs/ext4/super.c in 7.3):
 * i_rwsem -> transaction start -> page lock -> i_data_sem, writepages included; iomap
 * (the series' writeback path): folio lock -> transaction start -> i_data_sem, i_rwsem
 * first where taken. "other" (no write-back context and no ext4 inode to tell the path):
 * the 7.3 order.
 */
static const int order[LO_NR_PATHS][LO_NR_CLASSES] = {
	[LO_PATH_BH] = { LO_I_RWSEM, LO_HANDLE, LO_FOLIO, LO_I_DATA_SEM },
	[LO_PATH_IOMAP] = { LO_I_RWSEM, LO_FOLIO, LO_HANDLE, LO_I_DATA_SEM },
	[LO_PATH_OTHER] = { LO_I_RWSEM, LO_HANDLE, LO_FOLIO, LO_I_DATA_SEM },
};

const char *lg_class_name(unsigned int cls)
{
	return cls < LO_NR_CLASSES ? class_names[cls] : "?";
}

const char *lg_path_name(unsigned int path)
{
	return path < LO_NR_PATHS ? path_names[path] : "?";
}

int lg_rank(unsigned int path, unsigned int cls)
{
	if (path >= LO_NR_PATHS)
		return -1;
	for (int i = 0; i < LO_NR_CLASSES; i++)
		if (order[path][i] == (int)cls)
			return i;
	return -1;
}

const char *lg_documented(unsigned int path)
{
	static char buf[LO_NR_PATHS][128];

	if (path >= LO_NR_PATHS)
		return "?";
	if (!buf[path][0]) {
		size_t used = 0;

		for (int i = 0; i < LO_NR_CLASSES; i++)
			used += (size_t)snprintf(buf[path] + used, sizeof(buf[path]) - used, "%s%s",
						 i ? " -> " : "", class_names[order[path][i]]);
	}
	return buf[path];
}

enum lg_edge_status lg_edge_status(const struct lo_edge_key *k)
{
	int a = lg_rank(k->path, k->from), b = lg_rank(k->path, k->to);

	if (k->from == k->to)
		return LG_NESTED;
	if (a < 0 || b < 0)
		return LG_UNDOCUMENTED;
	return a < b ? LG_DOCUMENTED : LG_VIOLATION;
}

const char *lg_status_name(enum lg_edge_status s)
{
	switch (s) {
	case LG_DOCUMENTED: return "documented";
	case LG_NESTED: return "nested";
	case LG_VIOLATION: return "VIOLATION";
	case LG_UNDOCUMENTED: return "undocumented";
	}
	return "?";
}

static int cmp_edge(const void *a, const void *b)
{
	const struct lo_edge_key *x = &((const struct lg_edge *)a)->key;
	const struct lo_edge_key *y = &((const struct lg_edge *)b)->key;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	if (x->path != y->path)
		return x->path < y->path ? -1 : 1;
	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/* Devices (bit per distinct device, up to 64) and paths with edges from -> to. */
struct step {
	unsigned int npaths;
	bool path[LO_NR_PATHS];
	int ndevs;
	unsigned int devs[64];
};

static void step_of(const struct lg_report *r, unsigned int from, unsigned int to, struct step *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < r->nedges; i++) {
		const struct lo_edge_key *k = &r->edges[i].key;
		bool seen = false;

		if (k->from != from || k->to != to)
			continue;
		if (k->path < LO_NR_PATHS && !s->path[k->path]) {
			s->path[k->path] = true;
			s->npaths++;
		}
		for (int d = 0; d < s->ndevs; d++)
			seen |= s->devs[d] == k->dev;
		if (!seen && s->ndevs < 64)
			s->devs[s->ndevs++] = k->dev;
	}
}

static bool step_has_dev(const struct step *s, unsigned int dev)
{
	for (int d = 0; d < s->ndevs; d++)
		if (s->devs[d] == dev)
			return true;
	return false;
}

static bool has_edge(const bool adj[LO_NR_CLASSES][LO_NR_CLASSES], unsigned int a, unsigned int b)
{
	return adj[a][b];
}

/* Records the cycle cls[0..len-1] (smallest class first, so each is found once). */
static void add_cycle(struct lg_report *r, const unsigned int *cls, int len)
{
	struct lg_cycle *c;
	struct step steps[LG_MAX_CYCLE];
	bool paths[LO_NR_PATHS] = { false };
	int npaths = 0;
	size_t used;

	for (int i = 1; i < len; i++)
		if (cls[i] < cls[0])
			return;
	if (r->ncycles >= LG_MAX_CYCLES)
		return;
	c = &r->cycles[r->ncycles++];
	memset(c, 0, sizeof(*c));
	c->len = len;
	memcpy(c->cls, cls, sizeof(*cls) * (size_t)len);
	for (int i = 0; i < len; i++) {
		step_of(r, cls[i], cls[(i + 1) % len], &steps[i]);
		for (int p = 0; p < LO_NR_PATHS; p++)
			if (steps[i].path[p] && !paths[p]) {
				paths[p] = true;
				npaths++;
			}
	}
	c->cross_path = npaths > 1;
	/* The objects can be shared only if one device has edges for every step. */
	for (int d = 0; d < steps[0].ndevs && !c->shared; d++) {
		bool all = true;

		for (int i = 1; i < len; i++)
			all &= step_has_dev(&steps[i], steps[0].devs[d]);
		c->shared = all;
	}
	used = (size_t)snprintf(c->why, sizeof(c->why), "%s",
				c->cross_path ? "the steps come from different paths" :
						"every step comes from one path");
	if (c->shared) {
		snprintf(c->why + used, sizeof(c->why) - used,
			 "; one file system has every step, so the objects can be shared (one journal: "
			 "a task waiting to start a handle blocks on the commit, which waits for the "
			 "handle holders): a deadlock risk unless something else orders them, review "
			 "the stacks");
		r->risky++;
	} else {
		snprintf(c->why + used, sizeof(c->why) - used,
			 "; no file system has every step, so no object is shared (folios of different "
			 "inodes, handles of different journals): not a deadlock");
	}
}

void lg_analyse(struct lg_edge *edges, int n, struct lg_report *r)
{
	bool adj[LO_NR_CLASSES][LO_NR_CLASSES] = { { false } };
	unsigned int cls[LG_MAX_CYCLE];

	memset(r, 0, sizeof(*r));
	qsort(edges, (size_t)n, sizeof(*edges), cmp_edge);
	r->edges = edges;
	r->nedges = n;
	for (int i = 0; i < n; i++) {
		const struct lo_edge_key *k = &edges[i].key;

		if (lg_edge_status(k) == LG_VIOLATION)
			r->violations++;
		if (k->from != k->to && k->from < LO_NR_CLASSES && k->to < LO_NR_CLASSES)
			adj[k->from][k->to] = true;
	}
	/* Simple cycles of 2 to 4 classes; the graph has 4 nodes, so enumerate. */
	for (unsigned int a = 0; a < LO_NR_CLASSES; a++)
		for (unsigned int b = 0; b < LO_NR_CLASSES; b++) {
			if (b == a || !has_edge(adj, a, b))
				continue;
			if (has_edge(adj, b, a)) {
				cls[0] = a, cls[1] = b;
				add_cycle(r, cls, 2);
			}
			for (unsigned int c = 0; c < LO_NR_CLASSES; c++) {
				if (c == a || c == b || !has_edge(adj, b, c))
					continue;
				if (has_edge(adj, c, a)) {
					cls[0] = a, cls[1] = b, cls[2] = c;
					add_cycle(r, cls, 3);
				}
				for (unsigned int d = 0; d < LO_NR_CLASSES; d++) {
					if (d == a || d == b || d == c || !has_edge(adj, c, d) ||
					    !has_edge(adj, d, a))
						continue;
					cls[0] = a, cls[1] = b, cls[2] = c, cls[3] = d;
					add_cycle(r, cls, 4);
				}
			}
		}
}

int lg_exit_status(const struct lg_report *r)
{
	return r->violations || r->risky ? 1 : 0;
}

static void modes_str(unsigned int modes, char *buf, size_t len)
{
	static const char *const m[4] = { "?", "excl", "shared", "excl|shared" };

	snprintf(buf, len, "%s -> %s", m[(modes >> 4) & 3], m[modes & 3]);
}

static void print_edge(FILE *out, const struct lg_edge *e, lg_stack_fn stack, void *ctx)
{
	char modes[32];

	modes_str(e->val.modes, modes, sizeof(modes));
	fprintf(out, "  %-11s -> %-11s %-11s dev %u:%u  %8llu  %-12s (%s; first: %s pid %u)\n",
		lg_class_name(e->key.from), lg_class_name(e->key.to), lg_path_name(e->key.path),
		e->key.dev >> 20, e->key.dev & 0xfffff, e->val.count,
		lg_status_name(lg_edge_status(&e->key)), modes, e->val.comm, e->val.pid);
	if (stack && lg_edge_status(&e->key) == LG_VIOLATION)
		stack(e->val.stack_id, out, "      ", ctx);
}

void lg_print_text(FILE *out, const struct lg_report *r, lg_stack_fn stack, void *ctx)
{
	fprintf(out, "documented orders:\n");
	for (unsigned int p = 0; p < LO_NR_PATHS; p++)
		fprintf(out, "  %-11s %s\n", lg_path_name(p), lg_documented(p));
	fprintf(out, "\nobserved (held -> taken, path, device, count, verdict):\n");
	if (!r->nedges)
		fprintf(out, "  (no lock taken while another tracked one was held)\n");
	for (int i = 0; i < r->nedges; i++)
		print_edge(out, &r->edges[i], stack, ctx);
	fprintf(out, "\n%d edge(s) break the documented order of their path\n", r->violations);
	fprintf(out, "%d cycle(s) in the class graph", r->ncycles);
	fprintf(out, r->ncycles ? ":\n" : "\n");
	for (int c = 0; c < r->ncycles; c++) {
		const struct lg_cycle *cy = &r->cycles[c];

		fprintf(out, "  ");
		for (int i = 0; i < cy->len; i++)
			fprintf(out, "%s -> ", lg_class_name(cy->cls[i]));
		fprintf(out, "%s: %s\n", lg_class_name(cy->cls[0]), cy->why);
		for (int i = 0; i < cy->len; i++) {
			unsigned int from = cy->cls[i], to = cy->cls[(i + 1) % cy->len];

			for (int e = 0; e < r->nedges; e++) {
				if (r->edges[e].key.from != from || r->edges[e].key.to != to)
					continue;
				print_edge(out, &r->edges[e], NULL, NULL);
				if (stack)
					stack(r->edges[e].val.stack_id, out, "      ", ctx);
			}
		}
	}
}

void lg_print_json(struct wb_json *j, const struct lg_report *r)
{
	char modes[32];

	wb_json_key(j, "documented");
	wb_json_obj_begin(j);
	for (unsigned int p = 0; p < LO_NR_PATHS; p++)
		wb_json_kv_str(j, lg_path_name(p), lg_documented(p));
	wb_json_obj_end(j);
	wb_json_key(j, "edges");
	wb_json_arr_begin(j);
	for (int i = 0; i < r->nedges; i++) {
		const struct lg_edge *e = &r->edges[i];
		char dev[32];

		wb_json_obj_begin(j);
		wb_json_kv_str(j, "held", lg_class_name(e->key.from));
		wb_json_kv_str(j, "taken", lg_class_name(e->key.to));
		wb_json_kv_str(j, "path", lg_path_name(e->key.path));
		snprintf(dev, sizeof(dev), "%u:%u", e->key.dev >> 20, e->key.dev & 0xfffff);
		wb_json_kv_str(j, "dev", dev);
		wb_json_kv_uint(j, "count", e->val.count);
		wb_json_kv_str(j, "verdict", lg_status_name(lg_edge_status(&e->key)));
		modes_str(e->val.modes, modes, sizeof(modes));
		wb_json_kv_str(j, "modes", modes);
		wb_json_kv_uint(j, "held_obj", e->val.from_obj);
		wb_json_kv_uint(j, "taken_obj", e->val.to_obj);
		wb_json_kv_int(j, "stack_id", e->val.stack_id);
		wb_json_kv_uint(j, "pid", e->val.pid);
		wb_json_kv_str(j, "comm", e->val.comm);
		wb_json_obj_end(j);
	}
	wb_json_arr_end(j);
	wb_json_kv_int(j, "violations", r->violations);
	wb_json_key(j, "cycles");
	wb_json_arr_begin(j);
	for (int c = 0; c < r->ncycles; c++) {
		const struct lg_cycle *cy = &r->cycles[c];

		wb_json_obj_begin(j);
		wb_json_key(j, "classes");
		wb_json_arr_begin(j);
		for (int i = 0; i < cy->len; i++)
			wb_json_str(j, lg_class_name(cy->cls[i]));
		wb_json_arr_end(j);
		wb_json_key(j, "cross_path");
		wb_json_bool(j, cy->cross_path);
		wb_json_key(j, "objects_may_be_shared");
		wb_json_bool(j, cy->shared);
		wb_json_kv_str(j, "why", cy->why);
		wb_json_obj_end(j);
	}
	wb_json_arr_end(j);
	wb_json_kv_int(j, "risky_cycles", r->risky);
}

void lg_print_dot(FILE *out, const struct lg_report *r)
{
	fprintf(out, "digraph lockorder {\n\trankdir=LR;\n\tnode [shape=box];\n");
	for (unsigned int c = 0; c < LO_NR_CLASSES; c++)
		fprintf(out, "\t%s;\n", class_names[c]);
	for (int i = 0; i < r->nedges; i++) {
		const struct lg_edge *e = &r->edges[i];
		unsigned long long count = 0;
		bool dup = false, viol;

		/* One arrow per (from, to, path): add up the devices. */
		for (int k = 0; k < i; k++)
			dup |= r->edges[k].key.from == e->key.from && r->edges[k].key.to == e->key.to &&
			       r->edges[k].key.path == e->key.path;
		if (dup)
			continue;
		for (int k = i; k < r->nedges; k++)
			if (r->edges[k].key.from == e->key.from && r->edges[k].key.to == e->key.to &&
			    r->edges[k].key.path == e->key.path)
				count += r->edges[k].val.count;
		viol = lg_edge_status(&e->key) == LG_VIOLATION;
		fprintf(out, "\t%s -> %s [label=\"%s (%llu)\"%s];\n", class_names[e->key.from],
			class_names[e->key.to], lg_path_name(e->key.path), count,
			viol ? ", color=red, fontcolor=red, penwidth=2" :
			e->key.path == LO_PATH_IOMAP ? ", color=blue" : "");
	}
	fprintf(out, "}\n");
}

/* ---- reference per-task bookkeeping ---- */

static struct lg_edge *edge_slot(struct lg_edges *out, const struct lo_edge_key *k)
{
	for (int i = 0; i < out->n; i++)
		if (!memcmp(&out->e[i].key, k, sizeof(*k)))
			return &out->e[i];
	if (out->n == out->max) {
		out->dropped++;
		return NULL;
	}
	memset(&out->e[out->n], 0, sizeof(out->e[0]));
	out->e[out->n].key = *k;
	out->e[out->n].val.stack_id = -1;
	return &out->e[out->n++];
}

bool lg_task_acquire(struct lg_task *t, struct lg_edges *out, const struct lg_held *l, bool trylock)
{
	if (!trylock) {
		for (int i = 0; i < t->nheld; i++) {
			const struct lg_held *h = &t->held[i];
			struct lo_edge_key k = { h->cls, l->cls, t->path, l->dev };
			struct lg_edge *e = edge_slot(out, &k);

			if (!e)
				continue;
			if (!e->val.count) {
				e->val.from_obj = h->ino;
				e->val.to_obj = l->ino;
				e->val.from_dev = h->dev;
				e->val.pid = t->pid;
			}
			e->val.modes |= (h->mode << 4) | l->mode;
			e->val.count++;
		}
	}
	if (t->nheld == LO_MAX_HELD)
		return false;
	t->held[t->nheld++] = *l;
	return true;
}

void lg_task_release(struct lg_task *t, unsigned int cls, unsigned long long obj)
{
	for (int i = t->nheld - 1; i >= 0; i--) {
		if (t->held[i].cls != cls || (obj && t->held[i].obj != obj))
			continue;
		memmove(&t->held[i], &t->held[i + 1], sizeof(t->held[0]) * (size_t)(t->nheld - i - 1));
		t->nheld--;
		return;
	}
}
