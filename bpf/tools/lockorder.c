// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope lockorder: audits the order in which tasks take folio locks, jbd2 handles,
 * i_data_sem and i_rwsem on both write-back paths, against the documented orders.
 * BPF side: lockorder.bpf.c; analysis: lib/lockgraph.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collector.h"
#include "common.h"
#include "json.h"
#include "ksyms.h"
#include "lockgraph.h"
#include "lockorder.skel.h"
#include "tool.h"
#include "commands.h"

enum { LO_CNT_ACQUIRE, LO_CNT_DROP_HELD, LO_CNT_DROP_TASKS, LO_CNT_DROP_EDGES, LO_CNT_HEALED,
       LO_NR_COUNTERS };

/* Cumulative totals: the audit is over everything seen since the start. */
static const char *const counter_names[LO_NR_COUNTERS] = {
	[LO_CNT_ACQUIRE] = "counters.acquisitions",
	[LO_CNT_DROP_HELD] = "drops.held_set_full",
	[LO_CNT_DROP_TASKS] = "drops.tasks_map_full",
	[LO_CNT_DROP_EDGES] = "drops.edges_map_full",
	[LO_CNT_HEALED] = "counters.releases_missed",
};

static const char doc[] =
"Audit the lock order of ext4 write-back: folio lock, jbd2 handle, i_data_sem\n"
"and i_rwsem, per task. Every \"A held while B taken\" edge is recorded with\n"
"its path (buffer_head, iomap, other), device, count, process and first\n"
"stack, checked against the documented orders (buffer_head: handle -> folio\n"
"-> i_data_sem; iomap: folio -> handle -> i_data_sem), and the class graph is\n"
"searched for cycles, each explained as a deadlock risk or not (shared\n"
"objects or not). Exit status: 0 clean, 1 violations or risky cycles found, 2\n"
"could not run. Needs fentry or kprobes on the rwsem and folio functions (the\n"
"wbscope kernel has both).\n"
"\n"
"USAGE: wbscope lockorder [OPTIONS] [interval] [count]\n"
"\n"
"EXAMPLES:\n"
"    wbscope lockorder --duration 30           # audit 30 seconds, then report\n"
"    wbscope lockorder -d vdb --dot order.dot  # one device, a Graphviz graph\n"
"    wbscope lockorder -j --duration 60 >lo.json  # JSON (schema wbscope/1)";

static const struct wb_metric metric_defs[] = {
	{ .name = "handle", .alts = {
		{ "tp_btf:ext4_journal_start_{inode,sb,reserved},raw_tp:jbd2_handle_stats", {
			{ WB_TP_BTF, "ext4_journal_start_inode", "lo_jstart_inode_btf" },
			{ WB_TP_BTF, "ext4_journal_start_sb", "lo_jstart_sb_btf" },
			{ WB_TP_BTF, "ext4_journal_start_reserved", "lo_jstart_rsv_btf" },
			{ WB_RAW_TP, "jbd2_handle_stats", "lo_jstop" } } },
		{ "raw_tp:ext4_journal_start_{inode,sb,reserved}+jbd2_handle_stats", {
			{ WB_RAW_TP, "ext4_journal_start_inode", "lo_jstart_inode" },
			{ WB_RAW_TP, "ext4_journal_start_sb", "lo_jstart_sb" },
			{ WB_RAW_TP, "ext4_journal_start_reserved", "lo_jstart_rsv" },
			{ WB_RAW_TP, "jbd2_handle_stats", "lo_jstop" } } },
	} },
	{ .name = "rwsem", .alts = {
		{ "fentry:down_{write,write_killable,read}+up_{write,read}", {
			{ WB_FENTRY, "down_write", "lo_down_write" },
			{ WB_FENTRY, "down_write_killable", "lo_down_write_killable" },
			{ WB_FENTRY, "down_read", "lo_down_read" },
			{ WB_FENTRY, "up_write", "lo_up_write" },
			{ WB_FENTRY, "up_read", "lo_up_read" } } },
		{ "kprobe:down_{write,read}+up_{write,read}", {
			{ WB_KPROBE, "down_write", "lo_down_write_kp" },
			{ WB_KPROBE, "down_read", "lo_down_read_kp" },
			{ WB_KPROBE, "up_write", "lo_up_write_kp" },
			{ WB_KPROBE, "up_read", "lo_up_read_kp" } } },
	} },
	{ .name = "rwsem_trylock", .needs = "rwsem", .alts = {
		{ "fexit:down_{write,read}_trylock", {
			{ WB_FEXIT, "down_write_trylock", "lo_down_write_trylock" },
			{ WB_FEXIT, "down_read_trylock", "lo_down_read_trylock" } } },
	} },
	{ .name = "rwsem_nested", .needs = "rwsem", .alts = {
		{ "fentry:down_{write,read}_nested (lockdep kernels)", {
			{ WB_FENTRY, "down_write_nested", "lo_down_write_nested" },
			{ WB_FENTRY, "down_read_nested", "lo_down_read_nested" } } },
	} },
	{ .name = "folio_release", .alts = {
		{ "fentry:folio_unlock", { { WB_FENTRY, "folio_unlock", "lo_folio_unlock" } } },
		{ "kprobe:folio_unlock", { { WB_KPROBE, "folio_unlock", "lo_folio_unlock_kp" } } },
	} },
	{ .name = "folio_contended", .needs = "folio_release", .alts = {
		{ "fentry:__folio_lock{,_killable}", {
			{ WB_FENTRY, "__folio_lock", "lo_folio_lock" },
			{ WB_FENTRY, "__folio_lock_killable", "lo_folio_lock_killable" } } },
		{ "kprobe:__folio_lock", { { WB_KPROBE, "__folio_lock", "lo_folio_lock_kp" } } },
	} },
	{ .name = "folio_writeback", .needs = "folio_release", .alts = {
		{ "fexit:writeback_iter+fentry:ext4_bio_write_folio+raw_tp:ext4_da_write_{pages_extent,folios_end}", {
			{ WB_FEXIT, "writeback_iter", "lo_writeback_iter" },
			{ WB_FENTRY, "ext4_bio_write_folio", "lo_bio_write_folio" },
			{ WB_RAW_TP, "ext4_da_write_pages_extent", "lo_da_extent" },
			{ WB_RAW_TP, "ext4_da_write_folios_end", "lo_da_folios_end" } } },
		{ "kretprobe:writeback_iter+kprobe:ext4_bio_write_folio+raw_tp:ext4_da_write_{pages_extent,folios_end}", {
			{ WB_KRETPROBE, "writeback_iter", "lo_writeback_iter_kp" },
			{ WB_KPROBE, "ext4_bio_write_folio", "lo_bio_write_folio_kp" },
			{ WB_RAW_TP, "ext4_da_write_pages_extent", "lo_da_extent" },
			{ WB_RAW_TP, "ext4_da_write_folios_end", "lo_da_folios_end" } } },
	} },
	{ .name = "writeback_context", .alts = {
		{ "raw_tp:ext4_writepages+ext4_writepages_result", {
			{ WB_RAW_TP, "ext4_writepages", "lo_wp_enter" },
			{ WB_RAW_TP, "ext4_writepages_result", "lo_wp_exit" } } },
	} },
	{ .name = "endio_context", .alts = {
		{ "raw_tp:ext4_iomap_ioend_{start,done}+ext4_end_io_end_{start,done}", {
			{ WB_RAW_TP, "ext4_iomap_ioend_start", "lo_ioend_start" },
			{ WB_RAW_TP, "ext4_iomap_ioend_done", "lo_ioend_done" },
			{ WB_RAW_TP, "ext4_end_io_end_start", "lo_io_end_start" },
			{ WB_RAW_TP, "ext4_end_io_end_done", "lo_io_end_done" } } },
	} },
};
#define NR_METRICS ((int)(sizeof(metric_defs) / sizeof(metric_defs[0])))

struct lo_run {
	const struct wb_opts *o;
	struct lockorder_bpf *skel;
	struct wb_collector c;
	struct wb_snapshot snap;
	struct wb_metric metrics[NR_METRICS];
	struct wb_ksyms *ksyms;
	struct lg_edge edges[LO_MAX_EDGES];
	struct lg_report report;
	unsigned long long total[LO_NR_COUNTERS];
	const char *dot;
	int status;
};

/* The edges seen so far: the claimed entries of the edge array (lockorder.bpf.c). */
static int read_edges(struct lo_run *r)
{
	int fd = bpf_map__fd(r->skel->maps.edges), n = 0;
	struct lo_edge_val v;

	for (__u32 i = 0; i < LO_MAX_EDGES; i++) {
		if (bpf_map_lookup_elem(fd, &i, &v) || !v.claimed || !v.count)
			continue;
		r->edges[n].key = v.key;
		r->edges[n++].val = v;
	}
	return n;
}

static void print_stack(int id, FILE *out, const char *indent, void *ctx)
{
	struct lo_run *r = ctx;
	unsigned long long ips[LO_STACK_DEPTH];
	__u32 key = (__u32)id;

	if (id < 0 || bpf_map_lookup_elem(bpf_map__fd(r->skel->maps.stacks), &key, ips)) {
		fprintf(out, "%s(no stack: %s)\n", indent, id < 0 ? "stack map full or not captured" : "lost");
		return;
	}
	for (int i = 0; i < LO_STACK_DEPTH && ips[i]; i++) {
		unsigned long long off = 0;
		const char *name = wb_ksyms_lookup(r->ksyms, ips[i], &off);

		if (name)
			fprintf(out, "%s%s+0x%llx\n", indent, name, off);
		else
			fprintf(out, "%s0x%llx\n", indent, ips[i]);
	}
}

static int report(void *ctx, double span)
{
	struct lo_run *r = ctx;
	const unsigned long long *cnt;
	int n, err = wb_collector_read(&r->c, &r->snap);

	if (err) {
		fprintf(stderr, "%s lockorder: reading maps failed: %s\n", wb_progname, strerror(-err));
		return err;
	}
	cnt = r->snap.cnt;
	for (int i = 0; i < LO_NR_COUNTERS; i++)
		r->total[i] += cnt[i];
	n = read_edges(r);
	lg_analyse(r->edges, n, &r->report);
	r->status = lg_exit_status(&r->report);
	if (r->o->json) {
		struct wb_json j;

		wb_json_init(&j, stdout);
		wb_json_obj_begin(&j);
		wb_json_header(&j, "lockorder", span, r->o);
		wb_metrics_json(&j, r->c.metrics, r->c.nmetrics);
		wb_json_kv_uint(&j, "missed", r->snap.missed);
		wb_json_bpf_cost(&j, &r->snap);
		wb_json_counters(&j, counter_names, LO_NR_COUNTERS, r->total);
		lg_print_json(&j, &r->report);
		wb_json_kv_int(&j, "exit_status", r->status);
		wb_json_obj_end(&j);
		if (wb_json_finish(&j))
			return -EIO;
	} else {
		char ts[16];

		if (r->o->timestamp) {
			wb_timestamp(ts, sizeof(ts));
			printf("%s\n", ts);
		}
		printf("%llu tracked acquisitions (cumulative)\n", r->total[LO_CNT_ACQUIRE]);
		lg_print_text(stdout, &r->report, print_stack, r);
		if (r->total[LO_CNT_DROP_HELD] || r->total[LO_CNT_DROP_TASKS] || r->total[LO_CNT_DROP_EDGES] ||
		    r->snap.missed)
			printf("note: not tracked: %llu locks (held set full), %llu tasks (map full), %llu "
			       "edges (map full); %llu events missed by the kernel: the audit is incomplete\n",
			       r->total[LO_CNT_DROP_HELD], r->total[LO_CNT_DROP_TASKS],
			       r->total[LO_CNT_DROP_EDGES], r->snap.missed);
		printf("verdict: %s\n\n", r->status ? "lock-order problems found (exit 1)" : "clean");
		fflush(stdout);
	}
	if (r->dot) {
		FILE *f = fopen(r->dot, "w");

		if (!f) {
			fprintf(stderr, "%s lockorder: cannot write %s: %s\n", wb_progname, r->dot,
				strerror(errno));
			return -errno;
		}
		lg_print_dot(f, &r->report);
		fclose(f);
	}
	return 0;
}

enum { OPT_DOT = 0x2000 };

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct lo_run *r = state->input;

	switch (key) {
	case OPT_DOT:
		r->dot = arg;
		break;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = (void *)r->o;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int cmd_lockorder(int argc, char **argv)
{
	static const struct argp_option options[] = {
		{ "dot", OPT_DOT, "FILE", 0, "Write the lock-order graph to FILE (Graphviz DOT); "
		  "an existing FILE is replaced", 0 },
		{ NULL, 0, NULL, 0, NULL, 0 },
	};
	static const struct argp_child children[] = {
		{ &wb_common_argp, 0, "Options:", 0 },
		{ NULL, 0, NULL, 0 },
	};
	const struct argp argp = { .options = options, .parser = parse, .children = children,
				   .doc = doc };
	static struct lo_run r;
	struct wb_opts o;
	int err;

	wb_opts_init(&o);
	r.o = &o;
	argp_err_exit_status = WB_EXIT_ERROR;
	if (argp_parse(&argp, argc, argv, 0, NULL, &r) || wb_opts_finish(&o, "lockorder"))
		return WB_EXIT_ERROR;
	if (o.pid || o.ino) {
		fprintf(stderr, "%s lockorder: -p and --ino are not supported: lock order is a property "
			"of all tasks together (filter with -d)\n", wb_progname);
		return WB_EXIT_ERROR;
	}
	wb_libbpf_setup(o.verbose);
	wb_hook_prefer = o.prefer;
	wb_install_signals();
	memcpy(r.metrics, metric_defs, sizeof(metric_defs));
	r.skel = lockorder_bpf__open();
	if (!r.skel) {
		wb_explain_load_error("lockorder", errno);
		return WB_EXIT_ERROR;
	}
	r.skel->rodata->targ_dev = o.dev_set ? o.dev : 0;
	r.c = (struct wb_collector){
		.tool = "lockorder", .obj = r.skel->obj, .metrics = r.metrics, .nmetrics = NR_METRICS,
		.counters_map = "counters", .ncounters = LO_NR_COUNTERS,	/* edges, no groups */
		.select = o.metrics,
	};
	err = wb_snapshot_alloc(&r.c, &r.snap);
	if (!err)
		err = wb_collector_start(&r.c, o.json ? stderr : stdout, "handle,rwsem,folio_release");
	if (err) {
		wb_collector_stop(&r.c);
		wb_snapshot_free(&r.snap);
		lockorder_bpf__destroy(r.skel);
		return WB_EXIT_ERROR;
	}
	r.ksyms = wb_ksyms_load(NULL);
	fprintf(o.json ? stderr : stdout, "Auditing lock order on %s... Hit Ctrl-C to end.\n",
		o.dev_set ? o.dev_name : "all devices");
	fflush(stdout);
	err = wb_report_loop(&o, report, &r);
	wb_collector_stop(&r.c);
	wb_snapshot_free(&r.snap);
	lockorder_bpf__destroy(r.skel);
	wb_ksyms_free(r.ksyms);
	if (err)
		return WB_EXIT_ERROR;
	return r.status ? WB_EXIT_FAIL : WB_EXIT_OK;
}
