// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "hooks.h"
#include "json.h"

const char *wb_hook_kind_name(enum wb_hook_kind kind)
{
	switch (kind) {
	case WB_RAW_TP: return "raw_tp";
	case WB_TP_BTF: return "tp_btf";
	case WB_FENTRY: return "fentry";
	case WB_FEXIT: return "fexit";
	case WB_KPROBE: return "kprobe";
	case WB_KRETPROBE: return "kretprobe";
	}
	return "?";
}

/*
 * The libbpf-tools test: a two-instruction tracing program must load and attach, at a
 * function's entry or exit (fentry/fexit: a trampoline) or on a tracepoint (tp_btf).
 */
static bool tracing_usable(const char *target, enum bpf_attach_type type, char *why, size_t len)
{
	struct bpf_insn insns[2];
	struct btf *btf = wb_vmlinux_btf();
	const char *kind = type == BPF_TRACE_FEXIT ? "fexit" : type == BPF_TRACE_FENTRY ? "fentry" : "tp_btf";
	char name[256];
	int id, fd, link;

	if (!btf) {
		snprintf(why, len, "no kernel BTF");
		return false;
	}
	if (type == BPF_TRACE_RAW_TP) {
		snprintf(name, sizeof(name), "btf_trace_%s", target);
		id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
		if (id <= 0) {
			snprintf(why, len, "tracepoint %s is not in this kernel", target);
			return false;
		}
	} else {
		id = btf__find_by_name_kind(btf, target, BTF_KIND_FUNC);
		if (id <= 0) {
			snprintf(why, len, "%s is not in the kernel's BTF (inlined, renamed or absent)", target);
			return false;
		}
	}
	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;	/* r0 = 0 */
	insns[1].code = BPF_JMP | BPF_EXIT;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = type, .attach_btf_id = id);
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "wb_probe", "GPL", insns, 2, &opts);
	if (fd < 0) {
		snprintf(why, len, "%s programs are not allowed by this kernel (%s)", kind, strerror(errno));
		return false;
	}
	link = bpf_link_create(fd, 0, type, NULL);
	if (link < 0) {
		snprintf(why, len, "cannot attach %s to %s (%s)", kind, target, strerror(errno));
		close(fd);
		return false;
	}
	close(link);
	close(fd);
	return true;
}

/* A kprobe perf event on the function must open (kprobe PMU, as libbpf attaches). */
static bool kprobe_usable(const char *func, bool ret, char *why, size_t len)
{
	struct perf_event_attr attr;
	char buf[32];
	FILE *f = fopen("/sys/bus/event_source/devices/kprobe/type", "r");
	int type, fd;

	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		snprintf(why, len, "kernel has no kprobe PMU (CONFIG_KPROBES)");
		return false;
	}
	fclose(f);
	type = atoi(buf);
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = type;
	attr.config = ret ? 1 : 0;	/* format: config:0 is "retprobe" */
	attr.config1 = (uint64_t)(uintptr_t)func;
	attr.config2 = 0;
	fd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "cannot place a %s on %s (%s)", ret ? "kretprobe" : "kprobe", func,
			 strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/* How many arguments a tracepoint passes (its btf_trace_ prototype), -1 if unknown. */
int wb_tp_nargs(const char *target)
{
	struct btf *btf = wb_vmlinux_btf();
	const struct btf_type *t;
	char name[256];
	int id;

	if (!btf)
		return -1;
	snprintf(name, sizeof(name), "btf_trace_%s", target);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return -1;
	id = btf__resolve_type(btf, id);	/* through the typedef */
	if (id <= 0)
		return -1;
	t = btf__type_by_id(btf, id);
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return -1;
	return btf_vlen(t) - 1;	/* the first argument is the tracepoint's data pointer */
}

/* A tracepoint that passes fewer arguments than the program reads cannot be used. */
static bool tp_args_enough(const struct wb_hook *h, char *why, size_t len)
{
	int n;

	if (!h->min_args)
		return true;
	n = wb_tp_nargs(h->target);
	if (n < 0 || n >= h->min_args)
		return true;
	snprintf(why, len, "tracepoint %s passes %d arguments, %d needed (an older wbscope kernel?)",
		 h->target, n, h->min_args);
	return false;
}

static bool hook_usable(const struct wb_hook *h, char *why, size_t len)
{
	switch (h->kind) {
	case WB_RAW_TP:
		if (!wb_raw_tp_exists(h->target)) {
			snprintf(why, len, "tracepoint %s is not in this kernel", h->target);
			return false;
		}
		return tp_args_enough(h, why, len);
	case WB_TP_BTF:
		return tp_args_enough(h, why, len) &&
		       tracing_usable(h->target, BPF_TRACE_RAW_TP, why, len);
	case WB_FENTRY:
	case WB_FEXIT:
		return tracing_usable(h->target, h->kind == WB_FEXIT ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY, why, len);
	case WB_KPROBE:
	case WB_KRETPROBE:
		return kprobe_usable(h->target, h->kind == WB_KRETPROBE, why, len);
	}
	snprintf(why, len, "unknown hook kind");
	return false;
}

bool (*wb_hook_usable_fn)(const struct wb_hook *h, char *why, size_t len) = hook_usable;

bool wb_hook_usable(const struct wb_hook *h, char *why, size_t len)
{
	return wb_hook_usable_fn(h, why, len);
}

static struct wb_metric *find_metric(struct wb_metric *m, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (m[i].name && !strcmp(m[i].name, name))
			return &m[i];
	return NULL;
}

/* Keeps the metric named name[0..len); false if the tool has none of that name. */
static bool keep_metric(struct wb_metric *m, int n, const char *name, size_t len)
{
	for (int i = 0; i < n; i++)
		if (m[i].name && strlen(m[i].name) == len && !strncmp(m[i].name, name, len)) {
			m[i].skip = false;
			return true;
		}
	return false;
}

/* Keeps every metric of a separated list; the first unknown one in *bad. */
static bool keep_list(struct wb_metric *m, int n, const char *list, const char *seps, const char **bad,
		      size_t *badlen)
{
	for (const char *p = list; p && *p; ) {
		size_t len = strcspn(p, seps);

		if (len && !keep_metric(m, n, p, len)) {
			*bad = p;
			*badlen = len;
			return false;
		}
		p += len;
		p += *p != 0;
	}
	return true;
}

int wb_metrics_select(struct wb_metric *m, int n, const char *list, const char *required,
		      char *err, size_t errlen)
{
	const char *bad = NULL;
	size_t badlen = 0, used;

	for (int i = 0; i < n; i++)
		m[i].skip = m[i].off = false;
	if (!list || !*list) {
		for (int i = 0; i < n; i++)
			m[i].skip = m[i].off = m[i].extra;
		return 0;
	}
	if (!strcmp(list, "all"))
		return 0;
	for (int i = 0; i < n; i++)
		m[i].skip = true;
	if (!keep_list(m, n, list, ",", &bad, &badlen) || !keep_list(m, n, required, ",", &bad, &badlen)) {
		used = (size_t)snprintf(err, errlen, "unknown metric '%.*s' (one of:", (int)badlen, bad);
		for (int i = 0; i < n && used < errlen; i++)
			used += (size_t)snprintf(err + used, errlen - used, " %s", m[i].name);
		if (used < errlen)
			snprintf(err + used, errlen - used, ", or all)");
		for (int i = 0; i < n; i++)
			m[i].skip = false;
		return -1;
	}
	/* What a kept metric needs is kept too ("a|b": both, whichever the path uses);
	 * n passes reach the end of any chain. */
	for (int pass = 0; pass < n; pass++)
		for (int i = 0; i < n; i++)
			if (!m[i].skip && m[i].needs)
				keep_list(m, n, m[i].needs, "|", &bad, &badlen);
	return 0;
}

static void set_autoload(struct bpf_object *obj, const char *prog, bool on)
{
	struct bpf_program *p;

	if (!obj)
		return;
	p = bpf_object__find_program_by_name(obj, prog);
	if (p)
		bpf_program__set_autoload(p, on);
}

int wb_hook_prefer = WB_PREFER_BEST;

/* Is every hook of the alternative of the preferred family? */
static bool preferred(const struct wb_alt *alt)
{
	for (int h = 0; h < WB_ALT_HOOKS && alt->hooks[h].target; h++) {
		enum wb_hook_kind k = alt->hooks[h].kind;

		if (wb_hook_prefer == WB_PREFER_FENTRY && k != WB_FENTRY && k != WB_FEXIT)
			return false;
		if (wb_hook_prefer == WB_PREFER_KPROBE && k != WB_KPROBE && k != WB_KRETPROBE)
			return false;
		if (wb_hook_prefer == WB_PREFER_RAW_TP && k != WB_RAW_TP)
			return false;
	}
	return wb_hook_prefer != WB_PREFER_BEST;
}

static bool alt_usable(const struct wb_alt *alt, char *why, size_t len)
{
	for (int h = 0; h < WB_ALT_HOOKS && alt->hooks[h].target; h++)
		if (!wb_hook_usable(&alt->hooks[h], why, len))
			return false;
	return true;
}

void wb_metric_drop_alts(struct bpf_object *obj, struct wb_metric *m, int nalts)
{
	struct wb_alt *a = m->alts;

	if (nalts <= 0 || nalts > WB_METRIC_ALTS)
		return;
	for (int i = 0; obj && i < nalts && a[i].label; i++)
		for (int h = 0; h < WB_ALT_HOOKS && a[i].hooks[h].target; h++) {
			struct bpf_program *p = bpf_object__find_program_by_name(obj, a[i].hooks[h].prog);

			if (p)
				bpf_program__set_autoload(p, false);
		}
	memmove(a, a + nalts, (WB_METRIC_ALTS - nalts) * sizeof(*a));
	memset(a + WB_METRIC_ALTS - nalts, 0, nalts * sizeof(*a));
}

int wb_metrics_resolve(struct bpf_object *obj, struct wb_metric *m, int n)
{
	int avail = 0;

	for (int i = 0; i < n; i++) {
		char why[160] = "";

		m[i].chosen = -1;
		m[i].why[0] = 0;
		if (m[i].skip) {
			if (m[i].off)
				snprintf(m[i].why, sizeof(m[i].why), "%s (--metrics %s turns it on)",
					 WB_METRIC_OFF, m[i].name);
			else
				snprintf(m[i].why, sizeof(m[i].why), "%s", WB_METRIC_NOT_SELECTED);
			continue;
		}
		for (int a = 0; a < WB_METRIC_ALTS && m[i].alts[a].label; a++) {
			if (preferred(&m[i].alts[a]) && alt_usable(&m[i].alts[a], why, sizeof(why))) {
				m[i].chosen = a;
				break;
			}
		}
		for (int a = 0; m[i].chosen < 0 && a < WB_METRIC_ALTS && m[i].alts[a].label; a++) {
			if (alt_usable(&m[i].alts[a], why, sizeof(why))) {
				m[i].chosen = a;
				break;
			}
			/* Every alternative's reason, preferred first, each once (tp_btf and
			 * raw_tp on a missing tracepoint say the same). */
			if (!strstr(m[i].why, why)) {
				size_t used = strlen(m[i].why);

				snprintf(m[i].why + used, sizeof(m[i].why) - used, "%s%s",
					 used ? "; " : "", why);
			}
		}
		if (m[i].chosen >= 0)
			m[i].why[0] = 0;
		else if (!m[i].why[0])
			snprintf(m[i].why, sizeof(m[i].why), "no hook defined");
	}
	/* A metric that needs another one is unavailable without it (one level deep). */
	for (int i = 0; i < n; i++) {
		struct wb_metric *dep;

		if (!m[i].needs || m[i].chosen < 0)
			continue;
		dep = NULL;
		{
			/* "a|b": any one of them will do. */
			char buf[128], *save = NULL, *tok;

			snprintf(buf, sizeof(buf), "%s", m[i].needs);
			for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
				dep = find_metric(m, n, tok);
				if (dep && dep->chosen >= 0)
					break;
				dep = NULL;
			}
		}
		if (!dep) {
			m[i].chosen = -1;
			snprintf(m[i].why, sizeof(m[i].why), "needs %s, which is unavailable", m[i].needs);
		}
	}
	/* Programs of unchosen alternatives off first, then chosen ones on (shared programs). */
	for (int i = 0; i < n; i++)
		for (int a = 0; a < WB_METRIC_ALTS && m[i].alts[a].label; a++)
			for (int h = 0; h < WB_ALT_HOOKS && m[i].alts[a].hooks[h].target; h++)
				set_autoload(obj, m[i].alts[a].hooks[h].prog, false);
	for (int i = 0; i < n; i++) {
		if (m[i].chosen < 0)
			continue;
		avail++;
		for (int h = 0; h < WB_ALT_HOOKS && m[i].alts[m[i].chosen].hooks[h].target; h++)
			set_autoload(obj, m[i].alts[m[i].chosen].hooks[h].prog, true);
	}
	return avail;
}

void wb_metric_unselect(struct bpf_object *obj, struct wb_metric *m, int n, const char *name,
			const char *why)
{
	struct wb_metric *x = find_metric(m, n, name);

	if (!x)
		return;
	if (x->chosen >= 0)
		for (int h = 0; h < WB_ALT_HOOKS && x->alts[x->chosen].hooks[h].target; h++)
			set_autoload(obj, x->alts[x->chosen].hooks[h].prog, false);
	x->chosen = -1;
	x->skip = true;
	snprintf(x->why, sizeof(x->why), "%s", why);
}

bool wb_metric_available(const struct wb_metric *m, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (m[i].name && !strcmp(m[i].name, name))
			return m[i].chosen >= 0;
	return false;
}

const char *wb_metric_hook(const struct wb_metric *m, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (m[i].name && !strcmp(m[i].name, name))
			return m[i].chosen >= 0 ? m[i].alts[m[i].chosen].label : NULL;
	return NULL;
}

void wb_metrics_print(FILE *out, const char *tool, const struct wb_metric *m, int n)
{
	fprintf(out, "%s %s: hooks\n", wb_progname, tool);
	for (int i = 0; i < n; i++) {
		if (m[i].chosen >= 0)
			fprintf(out, "  %-22s %s\n", m[i].name, m[i].alts[m[i].chosen].label);
		else if (m[i].off)
			fprintf(out, "  %-22s %s\n", m[i].name, m[i].why);
		else
			fprintf(out, "  %-22s unavailable: %s\n", m[i].name, m[i].why);
	}
}

void wb_metrics_json(struct wb_json *j, const struct wb_metric *m, int n)
{
	bool any = false;

	wb_json_key(j, "hooks");
	wb_json_obj_begin(j);
	for (int i = 0; i < n; i++) {
		wb_json_kv_str(j, m[i].name, m[i].chosen >= 0 ? m[i].alts[m[i].chosen].label
							 : "unavailable");
		any |= m[i].chosen < 0;
	}
	wb_json_obj_end(j);
	if (!any)
		return;
	wb_json_key(j, "unavailable");
	wb_json_obj_begin(j);
	for (int i = 0; i < n; i++)
		if (m[i].chosen < 0)
			wb_json_kv_str(j, m[i].name, m[i].why);
	wb_json_obj_end(j);
}
