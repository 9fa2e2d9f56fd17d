// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: the lock-order engine on synthetic event streams with known orders,
 * inversions and cycles (the same bookkeeping the BPF programs do in the kernel).
 */
#include <stdlib.h>
#include "check.h"
#include "json.h"
#include "lockgraph.h"

#define DEV_A ((8U << 20) | 16)
#define DEV_B ((8U << 20) | 32)

static struct lg_edge storage[64];
static struct lg_edges edges;

static void reset(void)
{
	edges.n = 0;
	edges.max = 64;
	edges.e = storage;
	edges.dropped = 0;
}

static struct lg_held L(unsigned int cls, unsigned long long obj, unsigned int dev)
{
	struct lg_held h = { .cls = cls, .mode = LO_MODE_EXCL, .obj = obj, .dev = dev, .ino = obj };

	return h;
}

/* One writeback of a folio of inode ino in the documented order of its path. */
static void writeback(unsigned int path, unsigned int dev, unsigned long long ino)
{
	struct lg_task t = { .path = path, .pid = 100 };
	struct lg_held handle = L(LO_HANDLE, dev, dev), folio = L(LO_FOLIO, 0x1000 + ino, dev),
		       ids = L(LO_I_DATA_SEM, 0x2000 + ino, dev);

	if (path == LO_PATH_BH) {
		lg_task_acquire(&t, &edges, &handle, false);
		lg_task_acquire(&t, &edges, &folio, false);
	} else {
		lg_task_acquire(&t, &edges, &folio, false);
		lg_task_acquire(&t, &edges, &handle, false);
	}
	lg_task_acquire(&t, &edges, &ids, false);
	lg_task_release(&t, LO_I_DATA_SEM, ids.obj);
	lg_task_release(&t, LO_FOLIO, folio.obj);
	lg_task_release(&t, LO_HANDLE, 0);
	CHECK(t.nheld == 0, "all released, %d held", t.nheld);
}

static int find(const struct lg_report *r, unsigned int from, unsigned int to, unsigned int path)
{
	for (int i = 0; i < r->nedges; i++)
		if (r->edges[i].key.from == from && r->edges[i].key.to == to && r->edges[i].key.path == path)
			return i;
	return -1;
}

int main(void)
{
	struct lg_report r;
	char buf[16384];
	FILE *f;
	int i;

	CHECK_STR(lg_documented(LO_PATH_BH), "i_rwsem -> jbd2_handle -> folio -> i_data_sem");
	CHECK_STR(lg_documented(LO_PATH_IOMAP), "i_rwsem -> folio -> jbd2_handle -> i_data_sem");

	/* buffer_head writeback alone: its documented order, nothing else. */
	reset();
	writeback(LO_PATH_BH, DEV_A, 12);
	writeback(LO_PATH_BH, DEV_A, 12);
	lg_analyse(edges.e, edges.n, &r);
	CHECK(r.nedges == 3 && r.violations == 0 && r.ncycles == 0, "bh: %d edges %d viol %d cycles",
	      r.nedges, r.violations, r.ncycles);
	i = find(&r, LO_HANDLE, LO_FOLIO, LO_PATH_BH);
	CHECK(i >= 0 && r.edges[i].val.count == 2, "handle -> folio twice");
	CHECK(lg_exit_status(&r) == 0, "clean");

	/* iomap writeback alone: folio -> handle -> i_data_sem is its documented order. */
	reset();
	writeback(LO_PATH_IOMAP, DEV_B, 13);
	lg_analyse(edges.e, edges.n, &r);
	CHECK(r.violations == 0 && r.ncycles == 0, "iomap: %d viol %d cycles", r.violations, r.ncycles);
	CHECK(find(&r, LO_FOLIO, LO_HANDLE, LO_PATH_IOMAP) >= 0, "folio -> handle on iomap");

	/* Both paths on two file systems: the reversal is a cycle, but no object is shared. */
	reset();
	writeback(LO_PATH_BH, DEV_A, 12);
	writeback(LO_PATH_IOMAP, DEV_B, 13);
	lg_analyse(edges.e, edges.n, &r);
	CHECK(r.violations == 0, "no violation: each edge follows its own path's order");
	CHECK(r.ncycles == 1 && r.cycles[0].len == 2 && r.cycles[0].cross_path && !r.cycles[0].shared,
	      "one cross-path 2-cycle, not shared (%d)", r.ncycles);
	CHECK(r.cycles[0].cls[0] == LO_HANDLE && r.cycles[0].cls[1] == LO_FOLIO, "handle <-> folio");
	CHECK(strstr(r.cycles[0].why, "not a deadlock") != NULL, "%s", r.cycles[0].why);
	CHECK(r.risky == 0 && lg_exit_status(&r) == 0, "not risky");

	/* Both paths on one file system: the journal is shared, a risk to review. */
	reset();
	writeback(LO_PATH_BH, DEV_A, 12);
	writeback(LO_PATH_IOMAP, DEV_A, 13);
	lg_analyse(edges.e, edges.n, &r);
	CHECK(r.ncycles == 1 && r.cycles[0].shared && r.risky == 1, "shared: %d %d", r.ncycles, r.risky);
	CHECK(strstr(r.cycles[0].why, "deadlock risk") != NULL, "%s", r.cycles[0].why);
	CHECK(lg_exit_status(&r) == 1, "risky cycle fails");

	/* An inversion within the buffer_head path: folio held while a handle starts. */
	reset();
	{
		struct lg_task t = { .path = LO_PATH_BH, .pid = 7 };
		struct lg_held folio = L(LO_FOLIO, 0x1000, DEV_A), handle = L(LO_HANDLE, DEV_A, DEV_A);

		lg_task_acquire(&t, &edges, &folio, false);
		lg_task_acquire(&t, &edges, &handle, false);
	}
	lg_analyse(edges.e, edges.n, &r);
	CHECK(r.violations == 1 && lg_edge_status(&r.edges[0].key) == LG_VIOLATION, "bh inversion");
	CHECK(lg_exit_status(&r) == 1, "violation fails");
	f = fmemopen(buf, sizeof(buf), "w");
	lg_print_dot(f, &r);
	fclose(f);
	CHECK(strstr(buf, "folio -> jbd2_handle [label=\"buffer_head (1)\", color=red") != NULL, "%s", buf);
	CHECK(strncmp(buf, "digraph lockorder {", 19) == 0, "dot header");

	/* Trylocks cannot wait: no edge. Nested folios: "nested", not a violation. */
	reset();
	{
		struct lg_task t = { .path = LO_PATH_BH };
		struct lg_held f1 = L(LO_FOLIO, 1, DEV_A), f2 = L(LO_FOLIO, 2, DEV_A), h = L(LO_HANDLE, DEV_A, DEV_A);

		lg_task_acquire(&t, &edges, &f1, false);
		lg_task_acquire(&t, &edges, &h, true);
		CHECK(edges.n == 0, "trylock made %d edges", edges.n);
		lg_task_acquire(&t, &edges, &f2, false);
		lg_task_release(&t, LO_FOLIO, 1);
		CHECK(t.nheld == 2 && t.held[0].cls == LO_HANDLE && t.held[1].obj == 2, "release by object");
	}
	lg_analyse(edges.e, edges.n, &r);
	i = find(&r, LO_FOLIO, LO_FOLIO, LO_PATH_BH);
	CHECK(r.nedges == 2 && i >= 0 && lg_edge_status(&r.edges[i].key) == LG_NESTED && r.violations == 0,
	      "nested folios (and the trylocked handle, once held, orders the next folio)");

	/* A three-class cycle across paths, found once, with its violation. */
	reset();
	{
		struct lg_task a = { .path = LO_PATH_OTHER }, b = { .path = LO_PATH_BH }, c = { .path = LO_PATH_OTHER };
		struct lg_held rw = L(LO_I_RWSEM, 5, DEV_A), h = L(LO_HANDLE, DEV_A, DEV_A),
			       ids = L(LO_I_DATA_SEM, 5, DEV_A);

		lg_task_acquire(&a, &edges, &rw, false);
		lg_task_acquire(&a, &edges, &h, false);
		lg_task_acquire(&b, &edges, &h, false);
		lg_task_acquire(&b, &edges, &ids, false);
		lg_task_acquire(&c, &edges, &ids, false);
		lg_task_acquire(&c, &edges, &rw, false);
	}
	lg_analyse(edges.e, edges.n, &r);
	CHECK(r.ncycles == 1 && r.cycles[0].len == 3, "3-cycle: %d cycles", r.ncycles);
	CHECK(r.violations == 1, "i_data_sem -> i_rwsem breaks the order: %d", r.violations);
	CHECK(r.cycles[0].shared && r.risky == 1, "same device: shared");

	/* Bounded: the held set and the edge table. */
	reset();
	{
		struct lg_task t = { .path = LO_PATH_BH };
		bool ok = true;

		for (unsigned int k = 0; k < LO_MAX_HELD; k++) {
			struct lg_held fo = L(LO_FOLIO, k + 1, DEV_A);

			ok &= lg_task_acquire(&t, &edges, &fo, true);
		}
		struct lg_held one_more = L(LO_FOLIO, 99, DEV_A);

		CHECK(ok && !lg_task_acquire(&t, &edges, &one_more, true), "held set bounded");
	}
	edges.max = 1;
	writeback(LO_PATH_BH, DEV_A, 1);
	CHECK(edges.n == 1 && edges.dropped == 2, "edge table bounded, drops counted: %llu", edges.dropped);

	/* JSON. */
	reset();
	writeback(LO_PATH_BH, DEV_A, 12);
	writeback(LO_PATH_IOMAP, DEV_B, 13);
	lg_analyse(edges.e, edges.n, &r);
	f = fmemopen(buf, sizeof(buf), "w");
	{
		struct wb_json j;

		wb_json_init(&j, f);
		wb_json_obj_begin(&j);
		lg_print_json(&j, &r);
		wb_json_obj_end(&j);
		CHECK(wb_json_finish(&j) == 0, "json well formed");
	}
	fclose(f);
	CHECK(strstr(buf, "\"held\":\"folio\",\"taken\":\"jbd2_handle\",\"path\":\"iomap\",\"dev\":\"8:32\"") != NULL, "%s", buf);
	CHECK(strstr(buf, "\"cross_path\":true,\"objects_may_be_shared\":false") != NULL, "%s", buf);
	CHECK(strstr(buf, "\"violations\":0") && strstr(buf, "\"risky_cycles\":0"), "%s", buf);

	/* Text report names the cycle and its reason. */
	f = fmemopen(buf, sizeof(buf), "w");
	lg_print_text(f, &r, NULL, NULL);
	fclose(f);
	CHECK(strstr(buf, "jbd2_handle -> folio -> jbd2_handle: the steps come from different paths") != NULL, "%s", buf);
	return check_done("lockgraph");
}
