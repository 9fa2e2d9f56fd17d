/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hook selection. Every metric a tool reports names the hooks that can feed it, best
 * first: the wbscope kernel's own tracepoints, then upstream tracepoints (as BTF-typed
 * tp_btf programs, which read kernel memory directly, else as raw_tp programs, which go
 * through bpf_probe_read_kernel), then fentry/fexit, then kprobes. At start-up the first alternative whose hooks all exist
 * (and that the kernel lets us attach) is chosen; its BPF programs are loaded and the
 * programs of every other alternative are not. A metric with no usable alternative is
 * "unavailable": it is reported as such, never as zero.
 */
#ifndef WB_HOOKS_H
#define WB_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct bpf_object;
struct wb_json;

enum wb_hook_kind {
	WB_RAW_TP,	/* raw tracepoint: target is the tracepoint name */
	WB_TP_BTF,	/* the same, BTF-typed (a tracing program): direct reads */
	WB_FENTRY,	/* BPF trampoline at function entry */
	WB_FEXIT,	/* BPF trampoline at function return */
	WB_KPROBE,
	WB_KRETPROBE,
};

#define WB_ALT_HOOKS 5
#define WB_METRIC_ALTS 10

struct wb_hook {
	enum wb_hook_kind kind;
	const char *target;	/* NULL ends the list */
	const char *prog;	/* BPF program (function) name in the tool's object */
	/*
	 * Tracepoints: the fewest arguments the program reads (0: no check). A kernel whose
	 * tracepoint has fewer (an older wbscope kernel) makes the hook unusable, with the
	 * reason, instead of failing the load.
	 */
	unsigned char min_args;
};

struct wb_alt {
	const char *label;	/* NULL ends the list; e.g. "raw_tp:ext4_end_bio" */
	struct wb_hook hooks[WB_ALT_HOOKS];
};

struct wb_metric {
	const char *name;		/* e.g. "bio.latency" */
	struct wb_alt alts[WB_METRIC_ALTS];
	/*
	 * Needs another metric's hooks too (e.g. context set by them): a metric name, or
	 * several as "a|b" when any one will do; NULL if none.
	 */
	const char *needs;
	/*
	 * Detail beyond the tool's summary that costs a hook on every page or bio written:
	 * traced only when --metrics names it (or says "all").
	 */
	bool extra;
	/* Left out by --metrics (wb_metrics_select): not loaded, reported unavailable. */
	bool skip;
	/* Left out because it is extra and --metrics was not given. */
	bool off;
	/* filled by wb_metrics_resolve() */
	int chosen;			/* index into alts, or -1 when unavailable */
	char why[384];			/* why it is unavailable, one reason per alternative */
};

/* "raw_tp", "fentry", ... */
const char *wb_hook_kind_name(enum wb_hook_kind kind);

/*
 * Is this hook usable on the running kernel? Raw tracepoints: the tracepoint's
 * btf_trace_ typedef is in the kernel's BTF; tp_btf also needs a trivial tracing
 * program on it to load and attach. fentry/fexit: the function is in BTF and a
 * trivial trampoline program loads and attaches. kprobes: a kprobe perf event opens on
 * the function. On failure, why holds a one-line reason.
 */
bool wb_hook_usable(const struct wb_hook *h, char *why, size_t len);
/* How many arguments tracepoint target passes (from vmlinux BTF), -1 if unknown. */
int wb_tp_nargs(const char *target);

/*
 * Chooses an alternative for each metric and sets the autoload flag of every program
 * named in any alternative (on for the chosen ones, off for the rest). Call between
 * open and load. Returns the number of available metrics.
 */
int wb_metrics_resolve(struct bpf_object *obj, struct wb_metric *m, int n);
/*
 * Leaves out the first nalts alternatives of metric m, for options that ask for the
 * upstream hooks where the wbscope kernel's own exist (bio --block-layer, endio
 * --workqueue: they see other file systems too), and keeps their programs from loading.
 * Call between open and wb_metrics_resolve.
 */
void wb_metric_drop_alts(struct bpf_object *obj, struct wb_metric *m, int nalts);
/*
 * --metrics: keeps the metrics named in list (comma-separated), those they need and the
 * required ones (comma-separated, or NULL), and marks every other one skipped, for
 * wb_metrics_resolve to leave unloaded. NULL or "" keeps every metric but the extra ones
 * (marked off); "all" keeps every metric. Returns 0, or -1 with the problem (an unknown
 * name, with the tool's metrics) in err.
 */
int wb_metrics_select(struct wb_metric *m, int n, const char *list, const char *required,
		      char *err, size_t errlen);
/* The reason a skipped metric is unavailable (--metrics, or top: no column needs it). */
#define WB_METRIC_NOT_SELECTED "not selected"
/* The reason an extra metric is unavailable without --metrics. */
#define WB_METRIC_OFF "off by default"

/*
 * With --hooks raw_tp|fentry|kprobe: an alternative made only of hooks of that family
 * is tried first (to check the fallbacks on a kernel that has the better hooks).
 */
extern int wb_hook_prefer;	/* enum wb_prefer */
/* Hook-usable test, replaceable by unit tests. */
extern bool (*wb_hook_usable_fn)(const struct wb_hook *h, char *why, size_t len);

/*
 * After wb_metrics_resolve: leaves metric name out after all, as if --metrics had not
 * named it (its programs, which must serve no other chosen metric, do not load; it
 * reports why, e.g. WB_METRIC_NOT_SELECTED). For what another metric's chosen hook
 * turns out to cover.
 */
void wb_metric_unselect(struct bpf_object *obj, struct wb_metric *m, int n, const char *name,
			const char *why);
bool wb_metric_available(const struct wb_metric *m, int n, const char *name);
const char *wb_metric_hook(const struct wb_metric *m, int n, const char *name);

/* "  metric   hook" lines, unavailable ones with their reason. */
void wb_metrics_print(FILE *out, const char *tool, const struct wb_metric *m, int n);
/* "hooks": {metric: label or "unavailable"}, "unavailable": {metric: reason} */
void wb_metrics_json(struct wb_json *j, const struct wb_metric *m, int n);

#endif
