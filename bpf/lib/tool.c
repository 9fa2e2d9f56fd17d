// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "json.h"
#include "tool.h"

int wb_tool_collect(const struct wb_tool *t, struct wb_tool_state *st)
{
	int err = wb_collector_read(&st->c, &st->snap);

	if (err)
		fprintf(stderr, "%s %s: reading maps failed: %s\n", wb_progname, t->name, strerror(-err));
	return err;
}

void wb_tool_text_begin(const struct wb_opts *o)
{
	char ts[16];

	if (o->timestamp) {
		wb_timestamp(ts, sizeof(ts));
		printf("%-8s\n", ts);
	}
}

void wb_json_counters(struct wb_json *j, const char *const *names, int n,
		      const unsigned long long *v)
{
	static const char *const groups[] = { "counters", "drops" };

	for (int g = 0; g < 2; g++) {
		size_t glen = strlen(groups[g]);

		wb_json_key(j, groups[g]);
		wb_json_obj_begin(j);
		for (int i = 0; i < n; i++)
			if (names[i] && !strncmp(names[i], groups[g], glen) && names[i][glen] == '.')
				wb_json_kv_uint(j, names[i] + glen + 1, v[i]);
		wb_json_obj_end(j);
	}
}

void wb_json_bpf_cost(struct wb_json *j, const struct wb_snapshot *s)
{
	wb_json_key(j, "bpf_cost");
	wb_json_obj_begin(j);
	wb_json_key(j, "stats_enabled");
	wb_json_bool(j, s->bpf_stats);
	wb_json_kv_uint(j, "runs", s->runs);
	wb_json_kv_uint(j, "ns", s->run_ns);
	wb_json_obj_end(j);
}

int wb_tool_json(const struct wb_tool *t, const struct wb_tool_state *st,
		 const struct wb_opts *o, double span)
{
	struct wb_json j;

	wb_json_init(&j, stdout);
	wb_json_obj_begin(&j);
	wb_json_header(&j, t->name, span, o);
	wb_metrics_json(&j, st->c.metrics, st->c.nmetrics);
	wb_json_kv_uint(&j, "missed", st->snap.missed);
	wb_json_bpf_cost(&j, &st->snap);
	wb_json_counters(&j, st->c.counter_names, st->c.ncounters, st->snap.cnt);
	t->json(&j, st, o);
	wb_json_obj_end(&j);
	return wb_json_finish(&j) ? -EIO : 0;
}

struct run {
	const struct wb_tool *t;
	const struct wb_opts *o;
	struct wb_tool_state *st;
};

static int report(void *ctx, double span)
{
	struct run *r = ctx;
	int err = wb_tool_collect(r->t, r->st);

	if (err)
		return err;
	if (r->o->json)
		return wb_tool_json(r->t, r->st, r->o, span);
	wb_tool_text_begin(r->o);
	r->t->text(r->st, r->o);
	if (r->st->snap.missed)
		printf("note: the kernel did not hand %llu events to this tool (a run of the same "
		       "program was in progress on that CPU: nested, or preempted on a preemptible "
		       "kernel, which with several writers per CPU skips a burst): counts are lower "
		       "bounds\n\n", r->st->snap.missed);
	fflush(stdout);
	return 0;
}

/* Hands the options to every child parser (argp gives them to the first one alone). */
error_t wb_argp_share_input(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key != ARGP_KEY_INIT)
		return ARGP_ERR_UNKNOWN;
	for (int i = 0; state->root_argp->children[i].argp; i++)
		state->child_inputs[i] = state->input;
	return 0;
}

int wb_tool_main(const struct wb_tool *t, int argc, char **argv)
{
	const struct argp_child children[] = {
		{ &wb_common_argp, 0, "Options:", 0 },
		{ t->argp, 0, NULL, 0 },	/* NULL: ends the list here */
		{ NULL, 0, NULL, 0 },
	};
	const struct argp argp = { .parser = wb_argp_share_input, .children = children, .doc = t->doc };
	struct run r = { .t = t };
	struct wb_opts o;
	int err;

	wb_opts_init(&o);
	argp_err_exit_status = WB_EXIT_ERROR;
	if (argp_parse(&argp, argc, argv, 0, NULL, &o) || wb_opts_finish(&o, t->name))
		return WB_EXIT_ERROR;
	if (o.pid && t->no_pid) {
		fprintf(stderr, "%s %s: -p is not supported: %s\n", wb_progname, t->name, t->no_pid_why);
		return WB_EXIT_ERROR;
	}
	wb_libbpf_setup(o.verbose);
	wb_hook_prefer = o.prefer;
	/* Before the (slow) load, so that an early Ctrl-C still ends cleanly. */
	wb_install_signals();
	if (t->prepare)
		t->prepare(&o, o.json ? stderr : stdout);
	if (t->open(&o, &r.st, o.json ? stderr : stdout))
		return WB_EXIT_ERROR;
	r.o = &o;
	fprintf(o.json ? stderr : stdout, "Tracing %s on %s... Hit Ctrl-C to end.\n", t->what,
		o.dev_set ? o.dev_name : "all devices");
	fflush(stdout);
	err = wb_report_loop(&o, report, &r);
	t->close(r.st);
	return err ? WB_EXIT_ERROR : WB_EXIT_OK;
}

int wb_tool_start(struct wb_tool_state *st, FILE *hooks_out, const char *required)
{
	int err = wb_snapshot_alloc(&st->c, &st->snap);

	if (err)
		return err;
	return wb_collector_start(&st->c, hooks_out, required);
}

void wb_tool_stop(struct wb_tool_state *st)
{
	wb_collector_stop(&st->c);
	wb_snapshot_free(&st->snap);
}
