// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: hook selection. The kernel probe is replaced by a table of which hooks
 * "exist", so preference order, fallbacks, dependencies between metrics and the
 * unavailable reasons are checked without BPF.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "common.h"
#include "hooks.h"
#include "json.h"

static const char *present[16];

/* present[] names a tp_btf hook "btf:TARGET" (tracing programs may be refused alone). */
static bool fake_usable(const struct wb_hook *h, char *why, size_t len)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", h->kind == WB_TP_BTF ? "btf:" : "", h->target);
	for (int i = 0; present[i]; i++)
		if (!strcmp(present[i], name))
			return true;
	snprintf(why, len, "%s %s missing", wb_hook_kind_name(h->kind), h->target);
	return false;
}

static void set_present(const char *const *names)
{
	int i = 0;

	for (; names[i]; i++)
		present[i] = names[i];
	present[i] = NULL;
}

static struct wb_metric defs[] = {
	{ .name = "submit", .alts = {
		{ "raw_tp:q", { { WB_RAW_TP, "q", "p_q" } } },
	} },
	{ .name = "complete", .needs = "submit", .alts = {
		{ "raw_tp:c1+c2", { { WB_RAW_TP, "c1", "p_c1" }, { WB_RAW_TP, "c2", "p_c2" } } },
		{ "fentry:f", { { WB_FENTRY, "f", "p_f" } } },
		{ "kprobe:f", { { WB_KPROBE, "f", "p_k" } } },
	} },
	{ .name = "ctx_a", .alts = { { "raw_tp:a", { { WB_RAW_TP, "a", "p_a" } } } } },
	{ .name = "ctx_b", .alts = { { "raw_tp:b", { { WB_RAW_TP, "b", "p_b" } } } } },
	{ .name = "uses_ctx", .needs = "ctx_a|ctx_b", .alts = {
		{ "raw_tp:u", { { WB_RAW_TP, "u", "p_u" } } },
	} },
	{ .name = "typed", .alts = {
		{ "tp_btf:t", { { WB_TP_BTF, "t", "p_tb" } } },
		{ "raw_tp:t", { { WB_RAW_TP, "t", "p_t" } } },
	} },
};
#define N ((int)(sizeof(defs) / sizeof(defs[0])))

/* The "hooks"/"unavailable" members of the first n metrics, as one JSON object in buf. */
static void metrics_json(const struct wb_metric *m, int n, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");
	struct wb_json j;

	wb_json_init(&j, f);
	wb_json_obj_begin(&j);
	wb_metrics_json(&j, m, n);
	wb_json_obj_end(&j);
	wb_json_finish(&j);
	fclose(f);
}

static int resolve(struct wb_metric *m, const char *const *names)
{
	memcpy(m, defs, sizeof(defs));
	set_present(names);
	return wb_metrics_resolve(NULL, m, N);
}

int main(void)
{
	struct wb_metric m[N];
	char buf[4096];
	FILE *f;

	/*
	 * The real probe, on a raw tracepoint every kernel with BTF has: sched_switch
	 * passes 4 arguments (preempt, prev, next, prev_state). A program reading a fifth
	 * makes the hook unusable, with the reason.
	 */
	if (access("/sys/kernel/btf/vmlinux", R_OK) == 0) {
		struct wb_hook h4 = { WB_RAW_TP, "sched_switch", "p", 4 };
		struct wb_hook h5 = { WB_RAW_TP, "sched_switch", "p", 5 };
		char why[256] = "";

		CHECK(wb_hook_usable(&h4, why, sizeof(why)), "4 arguments needed, 4 passed: %s", why);
		CHECK(!wb_hook_usable(&h5, why, sizeof(why)), "5 needed");
		CHECK_STR(why, "tracepoint sched_switch passes 4 arguments, 5 needed (an older wbscope kernel?)");
	} else {
		printf("hooks: no kernel BTF, the argument count check is not tested\n");
	}

	wb_hook_usable_fn = fake_usable;

	/* Everything present: the first alternative of each metric wins. */
	CHECK(resolve(m, (const char *[]){ "q", "c1", "c2", "f", "a", "b", "u", "t", NULL }) == N, "all");
	CHECK_STR(wb_metric_hook(m, N, "complete"), "raw_tp:c1+c2");
	CHECK(m[1].chosen == 0 && !m[1].why[0], "chosen %d why '%s'", m[1].chosen, m[1].why);

	/* An alternative needs all its hooks: c2 missing falls back to fentry. */
	CHECK(resolve(m, (const char *[]){ "q", "c1", "f", NULL }) == 2, "fallback");
	CHECK_STR(wb_metric_hook(m, N, "complete"), "fentry:f");

	/* Nothing for "complete": unavailable, with every alternative's reason in order. */
	resolve(m, (const char *[]){ "q", NULL });
	CHECK(!wb_metric_available(m, N, "complete"), "complete unavailable");
	CHECK(wb_metric_hook(m, N, "complete") == NULL, "no hook");
	CHECK_STR(m[1].why, "raw_tp c1 missing; fentry f missing; kprobe f missing");

	/* A metric whose dependency is unavailable is unavailable too, and says why. */
	resolve(m, (const char *[]){ "c1", "c2", NULL });
	CHECK(!wb_metric_available(m, N, "submit"), "submit missing");
	CHECK(!wb_metric_available(m, N, "complete"), "complete needs submit");
	CHECK_STR(m[1].why, "needs submit, which is unavailable");

	/* "a|b": any one dependency will do. */
	resolve(m, (const char *[]){ "b", "u", NULL });
	CHECK(wb_metric_available(m, N, "uses_ctx"), "uses_ctx with ctx_b");
	resolve(m, (const char *[]){ "u", NULL });
	CHECK(!wb_metric_available(m, N, "uses_ctx"), "uses_ctx without either");
	CHECK_STR(m[4].why, "needs ctx_a|ctx_b, which is unavailable");

	/* --hooks fentry: the fentry alternative first where there is one, else as usual. */
	wb_hook_prefer = WB_PREFER_FENTRY;
	resolve(m, (const char *[]){ "q", "c1", "c2", "f", NULL });
	CHECK_STR(wb_metric_hook(m, N, "complete"), "fentry:f");
	CHECK_STR(wb_metric_hook(m, N, "submit"), "raw_tp:q");
	wb_hook_prefer = WB_PREFER_KPROBE;
	resolve(m, (const char *[]){ "q", "c1", "c2", "f", NULL });
	CHECK_STR(wb_metric_hook(m, N, "complete"), "kprobe:f");
	wb_hook_prefer = WB_PREFER_BEST;

	/* tp_btf before raw_tp on the same tracepoint; raw_tp where tracing programs are
	 * refused; --hooks raw_tp picks the raw_tp one. */
	resolve(m, (const char *[]){ "t", "btf:t", NULL });
	CHECK_STR(wb_metric_hook(m, N, "typed"), "tp_btf:t");
	resolve(m, (const char *[]){ "t", NULL });
	CHECK_STR(wb_metric_hook(m, N, "typed"), "raw_tp:t");
	wb_hook_prefer = WB_PREFER_RAW_TP;
	resolve(m, (const char *[]){ "t", "btf:t", NULL });
	CHECK_STR(wb_metric_hook(m, N, "typed"), "raw_tp:t");
	wb_hook_prefer = WB_PREFER_BEST;

	/* Unknown metric names are never available. */
	CHECK(!wb_metric_available(m, N, "nosuch"), "unknown metric");

	/* JSON: every metric under hooks, reasons under unavailable. */
	resolve(m, (const char *[]){ "q", "f", NULL });
	metrics_json(m, 2, buf, sizeof(buf));
	CHECK_STR(buf, "{\"hooks\":{\"submit\":\"raw_tp:q\",\"complete\":\"fentry:f\"}}\n");
	resolve(m, (const char *[]){ "f", NULL });
	metrics_json(m, 2, buf, sizeof(buf));
	CHECK_STR(buf, "{\"hooks\":{\"submit\":\"unavailable\",\"complete\":\"unavailable\"},"
		  "\"unavailable\":{\"submit\":\"raw_tp q missing\","
		  "\"complete\":\"needs submit, which is unavailable\"}}\n");

	/* Text: one line per metric. */
	f = fmemopen(buf, sizeof(buf), "w");
	wb_metrics_print(f, "t", m, 2);
	fclose(f);
	CHECK(strstr(buf, "submit                 unavailable: raw_tp q missing") != NULL, "%s", buf);
	/* --metrics: the named metrics and what they need; the rest skipped, unloaded. */
	{
		static const char *const all[] = { "q", "c1", "c2", "a", "b", "u", "btf:t", NULL };
		char err[256];

		memcpy(m, defs, sizeof(defs));
		CHECK(!wb_metrics_select(m, N, "complete", NULL, err, sizeof(err)), "select complete");
		set_present(all);
		CHECK(wb_metrics_resolve(NULL, m, N) == 2, "complete and the submit it needs");
		CHECK(wb_metric_available(m, N, "submit") && wb_metric_available(m, N, "complete") &&
		      !wb_metric_available(m, N, "typed") && !wb_metric_available(m, N, "ctx_a"),
		      "only the selected metrics");
		CHECK_STR(m[5].why, WB_METRIC_NOT_SELECTED);
		memcpy(m, defs, sizeof(defs));
		CHECK(!wb_metrics_select(m, N, "uses_ctx,typed", "submit", err, sizeof(err)), "select a list");
		CHECK(wb_metrics_resolve(NULL, m, N) == 5, "'a|b' needs keep both, required kept");
		CHECK(!wb_metric_available(m, N, "complete"), "complete not selected");
		memcpy(m, defs, sizeof(defs));
		CHECK(!wb_metrics_select(m, N, "all", NULL, err, sizeof(err)) &&
		      wb_metrics_resolve(NULL, m, N) == N, "all: every metric");
		memcpy(m, defs, sizeof(defs));
		CHECK(wb_metrics_select(m, N, "submit,nosuch", NULL, err, sizeof(err)) == -1, "unknown name");
		CHECK_STR(err, "unknown metric 'nosuch' (one of: submit complete ctx_a ctx_b uses_ctx typed, or all)");
		CHECK(wb_metrics_resolve(NULL, m, N) == N, "a failed selection keeps every metric");
		CHECK(wb_metrics_select(m, N, "subm", NULL, err, sizeof(err)) == -1, "a prefix is not a name");
	}
	/* Extra metrics: off without --metrics, with their own reason; on when named or "all". */
	{
		static const char *const all[] = { "q", "c1", "c2", "a", "b", "u", "btf:t", NULL };
		char err[256], buf[512];
		FILE *f;

		set_present(all);
		memcpy(m, defs, sizeof(defs));
		m[1].extra = true;	/* complete */
		CHECK(!wb_metrics_select(m, N, NULL, NULL, err, sizeof(err)), "default selection");
		CHECK(wb_metrics_resolve(NULL, m, N) == N - 1, "every metric but the extra one");
		CHECK(!wb_metric_available(m, N, "complete") && m[1].off, "extra: off by default");
		CHECK_STR(m[1].why, "off by default (--metrics complete turns it on)");
		f = fmemopen(buf, sizeof(buf), "w");
		wb_metrics_print(f, "t", m, 2);
		fclose(f);
		CHECK(strstr(buf, "complete               off by default") != NULL, "%s", buf);
		CHECK(!wb_metrics_select(m, N, "", NULL, err, sizeof(err)) && m[1].skip, "\"\" is the default");
		CHECK(!wb_metrics_select(m, N, "complete", NULL, err, sizeof(err)) &&
		      wb_metrics_resolve(NULL, m, N) == 2 && wb_metric_available(m, N, "complete") && !m[1].off,
		      "extra: on when named");
		CHECK(!wb_metrics_select(m, N, "all", NULL, err, sizeof(err)) &&
		      wb_metrics_resolve(NULL, m, N) == N, "all: the extra ones too");
		CHECK(!wb_metrics_select(m, N, "typed", NULL, err, sizeof(err)) && m[1].skip && !m[1].off,
		      "an explicit list leaves it not selected, not off");
	}
	/* Leaving the first alternatives out (bio --block-layer, endio --workqueue). */
	{
		static const char *const all[] = { "q", "c1", "c2", "f", NULL };

		set_present(all);
		memcpy(m, defs, sizeof(defs));
		wb_metric_drop_alts(NULL, &m[1], 1);
		CHECK(wb_metrics_resolve(NULL, m, 2) == 2 && m[1].chosen == 0, "the rest still resolve");
		CHECK_STR(wb_metric_hook(m, 2, "complete"), "fentry:f");
		CHECK(m[1].alts[1].label && !strcmp(m[1].alts[1].label, "kprobe:f") && !m[1].alts[2].label,
		      "the later alternatives move up, the tail is cleared");
		memcpy(m, defs, sizeof(defs));
		wb_metric_drop_alts(NULL, &m[1], 3);
		CHECK(wb_metrics_resolve(NULL, m, 2) == 1 && !wb_metric_available(m, 2, "complete"),
		      "dropping every alternative leaves the metric unavailable");
		CHECK_STR(m[1].why, "no hook defined");
		memcpy(m, defs, sizeof(defs));
		wb_metric_drop_alts(NULL, &m[1], WB_METRIC_ALTS + 1);
		CHECK_STR(wb_metric_hook(m, 2, "complete"), "raw_tp:c1+c2");
	}
	/* Leaving a resolved metric out after all (endio under top, wb_metric_unselect). */
	{
		static const char *const all[] = { "q", "c1", "c2", NULL };
		char err[256], buf[512];
		FILE *f;

		set_present(all);
		memcpy(m, defs, sizeof(defs));
		CHECK(!wb_metrics_select(m, 2, NULL, NULL, err, sizeof(err)) &&
		      wb_metrics_resolve(NULL, m, 2) == 2, "both resolve");
		wb_metric_unselect(NULL, m, 2, "complete", WB_METRIC_NOT_SELECTED);
		CHECK(!wb_metric_available(m, 2, "complete") && m[1].skip && !m[1].off &&
		      wb_metric_available(m, 2, "submit"), "unselected: unavailable, the other kept");
		CHECK_STR(m[1].why, WB_METRIC_NOT_SELECTED);
		f = fmemopen(buf, sizeof(buf), "w");
		wb_metrics_print(f, "t", m, 2);
		fclose(f);
		CHECK(strstr(buf, "raw_tp:c1+c2") == NULL, "its hook is not printed as used: %s", buf);
		wb_metric_unselect(NULL, m, 2, "nosuch", "x");
		CHECK(wb_metric_available(m, 2, "submit"), "an unknown name changes nothing");
	}

	return check_done("hooks");
}
