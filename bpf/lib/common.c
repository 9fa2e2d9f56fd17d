// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "json.h"

const char *wb_progname = "wbscope";
volatile sig_atomic_t wb_exiting;

enum { OPT_DURATION = 0x1000, OPT_INO, OPT_HOOKS };

static const struct argp_option common_options[] = {
	{ "pid", 'p', "PID", 0, "Trace this process (thread group) only", 0 },
	{ "dev", 'd', "DEV", 0, "Trace this block device only: name (sda, loop0) or MAJ:MIN", 0 },
	{ "ino", OPT_INO, "INODE", 0, "Trace this inode number only", 0 },
	{ "duration", OPT_DURATION, "SECS", 0, "Stop after SECS seconds", 0 },
	{ "timestamp", 'T', NULL, 0, "Print a timestamp with each interval", 0 },
	{ "json", 'j', NULL, 0, "JSON output, one document per interval (schema wbscope/1)", 0 },
	{ "milliseconds", 'm', NULL, 0, "Latency histograms in milliseconds", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf debug output", 0 },
	{ "hooks", OPT_HOOKS, "KIND", 0, "Prefer raw_tp, fentry or kprobe hooks where a metric has "
	  "them (default: best available, tracepoints first)", 0 },
	{ "metrics", 'M', "LIST", 0, "Trace only these metrics, comma-separated, as named in the "
	  "hooks list at start-up (and what they need); the others are not attached and are "
	  "reported unavailable (default: all)", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

void wb_opts_init(struct wb_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->interval = 0;
}

int wb_parse_uint(const char *s, unsigned long long max, unsigned long long *out,
		  char *err, size_t errlen)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+') {
		snprintf(err, errlen, "'%s' is not a non-negative integer", s ? s : "");
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end) {
		snprintf(err, errlen, "'%s' is not a non-negative integer", s);
		return -1;
	}
	if (v > max) {
		snprintf(err, errlen, "'%s' is too large (max %llu)", s, max);
		return -1;
	}
	*out = v;
	return 0;
}

int wb_parse_seconds(const char *s, double *out, char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = s && *s ? strtod(s, &end) : -1;
	if (!s || !*s || errno || *end || !(v > 0) || v > 1e7) {
		snprintf(err, errlen, "'%s' is not a positive number of seconds", s ? s : "");
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * Look a block device up in partitions (/proc/partitions when NULL), which lists every
 * disk and partition with a size: by name when name is set (*dev is set), else by *dev
 * (its name goes to buf). 1: found, 0: not there, -1: the file cannot be read.
 */
static int partitions_find(const char *partitions, const char *name, unsigned int *dev,
			   char *buf, size_t len)
{
	unsigned int ma, mi;
	unsigned long long blocks;
	char line[256], n[128];
	int found = 0;
	FILE *f = fopen(partitions ? partitions : "/proc/partitions", "r");

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %u %llu %127s", &ma, &mi, &blocks, n) != 4)
			continue;
		if (name ? !strcmp(n, name) : WB_MKDEV(ma, mi) == *dev) {
			found = 1;
			if (name)
				*dev = WB_MKDEV(ma, mi);
			else
				snprintf(buf, len, "%s", n);
		}
	}
	fclose(f);
	return found;
}

int wb_parse_dev(const char *s, const char *partitions, unsigned int *dev,
		 char *err, size_t errlen)
{
	const char *file = partitions ? partitions : "/proc/partitions";
	unsigned int ma, mi;
	char tail, name[128];
	struct stat st;
	int found;

	if (!s || !*s) {
		snprintf(err, errlen, "empty device name");
		return -1;
	}
	if (sscanf(s, "%u:%u%c", &ma, &mi, &tail) == 2) {
		if (ma >= (1U << 12) || mi >= (1U << 20)) {
			snprintf(err, errlen, "device number '%s' out of range", s);
			return -1;
		}
		*dev = WB_MKDEV(ma, mi);
		/* A filter on a device that is not there would only ever report nothing. */
		found = partitions_find(partitions, NULL, dev, name, sizeof(name));
		if (found == 0)
			snprintf(err, errlen, "no block device %u:%u (see %s)", ma, mi, file);
	} else if (s[0] == '/') {
		if (stat(s, &st) || !S_ISBLK(st.st_mode)) {
			snprintf(err, errlen, "'%s' is not a block device", s);
			return -1;
		}
		*dev = WB_MKDEV(major(st.st_rdev), minor(st.st_rdev));
		return 0;
	} else {
		found = partitions_find(partitions, s, dev, NULL, 0);
		if (found == 0)
			snprintf(err, errlen, "no block device named '%s' (see %s, or give MAJ:MIN)",
				 s, file);
	}
	if (found < 0)
		snprintf(err, errlen, "cannot read %s: %s", file, strerror(errno));
	return found > 0 ? 0 : -1;
}

void wb_dev_name(unsigned int dev, const char *partitions, char *buf, size_t len)
{
	if (partitions_find(partitions, NULL, &dev, buf, len) <= 0)
		snprintf(buf, len, "%u:%u", WB_DEV_MAJOR(dev), WB_DEV_MINOR(dev));
}

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	struct wb_opts *o = state->input;
	char err[256];
	unsigned long long v;

	switch (key) {
	case 'p':
		if (wb_parse_uint(arg, INT_MAX, &v, err, sizeof(err)))
			argp_error(state, "invalid PID: %s", err);
		else if (v == 0)
			argp_error(state, "invalid PID: 0");
		else if (kill((pid_t)v, 0) && errno == ESRCH)	/* EPERM: it exists */
			argp_error(state, "invalid PID: no process %llu", v);
		o->pid = (int)v;
		break;
	case 'd':
		if (wb_parse_dev(arg, NULL, &o->dev, err, sizeof(err)))
			argp_error(state, "invalid device: %s", err);
		o->dev_set = true;
		snprintf(o->dev_name, sizeof(o->dev_name), "%s", arg);
		break;
	case OPT_INO:
		if (wb_parse_uint(arg, ~0ULL, &o->ino, err, sizeof(err)))
			argp_error(state, "invalid inode: %s", err);
		else if (o->ino == 0)
			argp_error(state, "invalid inode: 0");
		break;
	case OPT_DURATION:
		if (wb_parse_seconds(arg, &o->duration, err, sizeof(err)))
			argp_error(state, "invalid duration: %s", err);
		break;
	case 'T': o->timestamp = true; break;
	case 'j': o->json = true; break;
	case 'm': o->milliseconds = true; break;
	case 'v': o->verbose = true; break;
	case 'M':
		if (!*arg)
			argp_error(state, "invalid --metrics: empty list");
		o->metrics = arg;
		break;
	case OPT_HOOKS:
		if (!strcmp(arg, "fentry"))
			o->prefer = WB_PREFER_FENTRY;
		else if (!strcmp(arg, "kprobe"))
			o->prefer = WB_PREFER_KPROBE;
		else if (!strcmp(arg, "raw_tp"))
			o->prefer = WB_PREFER_RAW_TP;
		else if (!strcmp(arg, "best"))
			o->prefer = WB_PREFER_BEST;
		else
			argp_error(state, "invalid --hooks '%s' (best, raw_tp, fentry or kprobe)", arg);
		break;
	case ARGP_KEY_ARG:
		if (o->nargs == 0) {
			if (wb_parse_seconds(arg, &o->interval, err, sizeof(err)))
				argp_error(state, "invalid interval: %s", err);
		} else if (o->nargs == 1) {
			if (wb_parse_uint(arg, LONG_MAX, &v, err, sizeof(err)))
				argp_error(state, "invalid count: %s", err);
			else if (v == 0)
				argp_error(state, "invalid count: 0");
			o->count = (long)v;
		} else {
			argp_error(state, "unexpected argument '%s' (usage: [interval] [count])", arg);
		}
		o->nargs++;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp wb_common_argp = {
	.options = common_options,
	.parser = common_parse,
};

int wb_opts_finish(struct wb_opts *o, const char *cmd)
{
	(void)cmd;
	/* With neither an interval nor a duration, report once at Ctrl-C. */
	if (o->count && !o->interval)
		o->interval = 1;
	return 0;
}

volatile sig_atomic_t wb_report_now;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		wb_report_now = 1;
	else
		wb_exiting = 1;
}

void wb_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

double wb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void wb_sleep(double secs)
{
	double end = wb_now() + secs;

	while (!wb_exiting && !wb_report_now) {
		double left = end - wb_now();
		struct timespec ts;

		if (left <= 0)
			break;
		if (left > 0.2)
			left = 0.2;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

void wb_timestamp(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

void wb_iso_time(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char tmp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03ldZ", tmp, ts.tv_nsec / 1000000);
}

static bool libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !libbpf_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void wb_libbpf_setup(bool verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(libbpf_print);
}

struct btf *wb_vmlinux_btf(void)
{
	static struct btf *vmlinux;
	static bool tried;

	if (!tried) {
		tried = true;
		vmlinux = btf__load_vmlinux_btf();
		if (!vmlinux || libbpf_get_error(vmlinux))
			vmlinux = NULL;
	}
	return vmlinux;
}

bool wb_btf_has_member(const char *strct, const char *member)
{
	struct btf *btf = wb_vmlinux_btf();
	const struct btf_member *m;
	const struct btf_type *t;
	int id;

	id = btf ? btf__find_by_name_kind(btf, strct, BTF_KIND_STRUCT) : -1;
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (!t)
		return false;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);

		if (name && !strcmp(name, member))
			return true;
	}
	return false;
}

bool wb_btf_has_type(const char *name, int kind)
{
	struct btf *vmlinux = wb_vmlinux_btf();

	if (vmlinux && btf__find_by_name_kind(vmlinux, name, kind) > 0)
		return true;
	/* The type may live in a module's BTF (e.g. ext4 built as a module). */
	if (vmlinux) {
		static const char *mods[] = { "ext4", "jbd2", "xfs" };

		for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
			struct btf *m = btf__load_module_btf(mods[i], vmlinux);
			bool found;

			if (!m || libbpf_get_error(m))
				continue;
			found = btf__find_by_name_kind(m, name, kind) > 0;
			btf__free(m);
			if (found)
				return true;
		}
	}
	return false;
}

bool wb_raw_tp_exists(const char *name)
{
	char tname[256];

	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	return wb_btf_has_type(tname, BTF_KIND_TYPEDEF);
}

bool wb_tracefs_event_exists(const char *system, const char *event)
{
	static const char *roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[512];

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s/format", roots[i], system, event);
		if (access(path, R_OK) == 0)
			return true;
	}
	return false;
}

void wb_explain_load_error(const char *cmd, int err)
{
	if (err < 0)
		err = -err;
	fprintf(stderr, "%s %s: failed to load BPF programs: %s\n", wb_progname, cmd, strerror(err));
	if (err == EPERM || err == EACCES)
		fprintf(stderr, "  need root (or CAP_BPF and CAP_PERFMON); is kernel.unprivileged_bpf_disabled set?\n");
	else if (access("/sys/kernel/btf/vmlinux", R_OK))
		fprintf(stderr, "  this kernel has no BTF (/sys/kernel/btf/vmlinux): CONFIG_DEBUG_INFO_BTF=y is required\n");
	else
		fprintf(stderr, "  rerun with -v for libbpf's log\n");
}

int wb_report_loop(const struct wb_opts *o, int (*report)(void *ctx, double span), void *ctx)
{
	double start = wb_now(), last = start;
	long reports = 0;

	for (;;) {
		double wait = o->interval > 0 ? o->interval : 1e9;
		double now;
		int err;

		if (o->duration > 0 && start + o->duration - wb_now() < wait)
			wait = start + o->duration - wb_now();
		if (wait > 0)
			wb_sleep(wait);
		now = wb_now();
		err = report(ctx, now - last);
		if (err)
			return err;
		last = now;
		if (wb_report_now && !wb_exiting) {
			/* SIGUSR1: a report now, outside the interval/count schedule */
			wb_report_now = 0;
			if (!(o->duration > 0 && now - start >= o->duration - 1e-3))
				continue;
		}
		reports++;
		if (wb_exiting || (o->count && reports >= o->count) ||
		    (o->duration > 0 && now - start >= o->duration - 1e-3))
			return 0;
	}
}

void wb_json_header(struct wb_json *j, const char *tool, double span, const struct wb_opts *o)
{
	char buf[64];

	wb_json_kv_str(j, "schema", WB_JSON_SCHEMA);
	wb_json_kv_str(j, "tool", tool);
	wb_iso_time(buf, sizeof(buf));
	wb_json_kv_str(j, "time", buf);
	wb_json_kv_double(j, "interval_s", span);
	wb_json_key(j, "filters");
	wb_json_obj_begin(j);
	if (o->pid)
		wb_json_kv_int(j, "pid", o->pid);
	if (o->dev_set) {
		snprintf(buf, sizeof(buf), "%u:%u", WB_DEV_MAJOR(o->dev), WB_DEV_MINOR(o->dev));
		wb_json_kv_str(j, "dev", buf);
	}
	if (o->ino)
		wb_json_kv_uint(j, "ino", o->ino);
	wb_json_obj_end(j);
}

void wb_json_group_dev(struct wb_json *j, unsigned int dev, unsigned int path)
{
	static const char *const names[WB_NR_PATHS] = { "buffer_head", "iomap" };
	char buf[64];

	snprintf(buf, sizeof(buf), "%u:%u", WB_DEV_MAJOR(dev), WB_DEV_MINOR(dev));
	wb_json_kv_str(j, "dev", buf);
	wb_dev_name(dev, NULL, buf, sizeof(buf));
	wb_json_kv_str(j, "devname", buf);
	wb_json_kv_str(j, "path", path < WB_NR_PATHS ? names[path] : "unknown");
}

const char *wb_path_name(unsigned int path)
{
	static const char *const names[WB_NR_PATHS] = { "buffer_head", "iomap" };

	return path < WB_NR_PATHS ? names[path] : "unknown";
}

void wb_print_group_title(unsigned int dev, unsigned int path)
{
	char name[64];

	wb_dev_name(dev, NULL, name, sizeof(name));
	printf("\ndev %s (%u:%u) path %s:", name, WB_DEV_MAJOR(dev), WB_DEV_MINOR(dev),
	       wb_path_name(path));
}

int wb_read_uint_file(const char *path, unsigned int *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%u", v) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

int wb_write_uint_file(const char *path, unsigned int v)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%u\n", v) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}
