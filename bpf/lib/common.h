/* SPDX-License-Identifier: GPL-2.0 */
/* Shared plumbing for wbscope subcommands: options, signals, devices, hook probing. */
#ifndef WB_COMMON_H
#define WB_COMMON_H

#include <argp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses shared by every subcommand. */
#define WB_EXIT_OK 0
#define WB_EXIT_FAIL 1	/* ran, and found what it reports as a failure */
#define WB_EXIT_ERROR 2	/* could not run: bad arguments, missing hooks, no permission */

/* --hooks: which alternative a metric uses when several are usable. */
enum wb_prefer {
	WB_PREFER_BEST,		/* the first usable one: tracepoints, then fentry, then kprobes */
	WB_PREFER_FENTRY,	/* an fentry/fexit alternative where the metric has one */
	WB_PREFER_KPROBE,	/* a kprobe/kretprobe alternative where the metric has one */
	WB_PREFER_RAW_TP,	/* a raw_tp alternative (probe reads) rather than tp_btf */
};

/* Options every tracing subcommand accepts (see wb_common_argp). */
struct wb_opts {
	int pid;			/* -p: process (tgid) filter, 0 = all */
	unsigned int dev;		/* -d: kernel dev_t (major << 20 | minor) */
	bool dev_set;
	char dev_name[64];
	unsigned long long ino;		/* -i/--ino: inode filter, 0 = all */
	double interval;		/* seconds between reports */
	long count;			/* number of reports, 0 = until the end */
	double duration;		/* --duration: stop after this many seconds, 0 = none */
	bool timestamp;			/* -T */
	bool json;			/* -j/--json */
	bool milliseconds;		/* -m */
	bool verbose;			/* -v: libbpf debug output */
	enum wb_prefer prefer;		/* --hooks */
	unsigned int sample;		/* bio --sample: time 1 in N bios (a power of two); 0: all */
	/* bio --block-layer, endio --workqueue: upstream hooks even where the wbscope kernel's
	 * ext4 events exist (they see other file systems too) */
	bool upstream_hooks;
	/* top: alloc takes allocations of delayed blocks (EXT4_MB_DELALLOC_RESERVED, which
	 * only write-back makes) for write-back's, without hooking writepages calls */
	bool delalloc_writeback;
	/* top: endio leaves out the per-ioend handler metrics where ext4_end_io_work counts
	 * each run's handled ioends and converted extents (wbscope kernel patch 22) */
	bool work_sums;
	/* top: bio keeps no size histogram (top shows no bio sizes) */
	bool no_bio_sizes;
	/* top: writepages counts the bios each call submitted (wbscope kernel patch 26), so
	 * where the kernel samples (--sample, patch 25) bio traces the timed completions
	 * alone, with no program on any submission */
	bool bio_timed_only;
	const char *metrics;		/* -M/--metrics: metrics to trace (comma-separated); NULL: all */
	int nargs;			/* positional arguments seen */
};

/* argp child that parses the options above and positional [interval] [count]. */
extern const struct argp wb_common_argp;
void wb_opts_init(struct wb_opts *o);
/* Checks combinations after parsing; prints the problem and returns -1 if invalid. */
int wb_opts_finish(struct wb_opts *o, const char *cmd);

/* Parsers, exposed for unit tests. Return 0 on success, -1 with a message in err. */
int wb_parse_uint(const char *s, unsigned long long max, unsigned long long *out,
		  char *err, size_t errlen);
int wb_parse_seconds(const char *s, double *out, char *err, size_t errlen);
int wb_parse_dev(const char *s, const char *partitions, unsigned int *dev,
		 char *err, size_t errlen);
/* Name of a device from /proc/partitions (or the given file), else "MAJ:MIN". */
void wb_dev_name(unsigned int dev, const char *partitions, char *buf, size_t len);

#define WB_DEV_MAJOR(d) ((d) >> 20)
#define WB_DEV_MINOR(d) ((d) & ((1U << 20) - 1))
#define WB_MKDEV(ma, mi) (((ma) << 20) | (mi))

/* SIGINT/SIGTERM set wb_exiting; the main loop ends and the tool detaches cleanly. */
extern volatile sig_atomic_t wb_exiting;
/* SIGUSR1 sets wb_report_now: the tools report at once (what was seen since their last
 * report) and go on, so that a caller can cut one run into several windows. */
extern volatile sig_atomic_t wb_report_now;
void wb_install_signals(void);
/* Sleep up to secs, returning early when a signal arrives. */
void wb_sleep(double secs);
double wb_now(void);
void wb_timestamp(char *buf, size_t len);	/* HH:MM:SS */
void wb_iso_time(char *buf, size_t len);	/* UTC ISO 8601 */

/* libbpf messages: debug ones only with -v. */
void wb_libbpf_setup(bool verbose);

/* Hook probing. A raw tracepoint exists when BTF has typedef btf_trace_<name>. */
struct btf;
/* The running kernel's BTF, loaded once and kept; NULL without it. */
struct btf *wb_vmlinux_btf(void);
bool wb_btf_has_type(const char *name, int kind);
/* Does the running kernel's struct strct have a member of that name (not in a nested
 * anonymous member)? false without kernel BTF. */
bool wb_btf_has_member(const char *strct, const char *member);
bool wb_raw_tp_exists(const char *name);
bool wb_tracefs_event_exists(const char *system, const char *event);
/*
 * A file holding one unsigned number (sysctls, module parameters): 0, or -errno
 * (-EINVAL: the file does not start with a number).
 */
int wb_read_uint_file(const char *path, unsigned int *v);
int wb_write_uint_file(const char *path, unsigned int v);
/* Explains why BPF loading failed (permissions, missing BTF, ...). */
void wb_explain_load_error(const char *cmd, int err);

extern const char *wb_progname;

/*
 * Calls report(ctx, seconds since the last report) every interval (once at the end when
 * there is none) until count reports, --duration, or SIGINT/SIGTERM. Returns report's
 * first non-zero value, else 0.
 */
int wb_report_loop(const struct wb_opts *o, int (*report)(void *ctx, double span), void *ctx);

struct wb_json;
/* The members every document starts with: schema, tool, time, interval_s, filters. */
void wb_json_header(struct wb_json *j, const char *tool, double span, const struct wb_opts *o);
/* "dev", "devname", "path" members of a group. */
void wb_json_group_dev(struct wb_json *j, unsigned int dev, unsigned int path);
const char *wb_path_name(unsigned int path);
/* "\ndev NAME (MAJ:MIN) path P:" without a newline at the end. */
void wb_print_group_title(unsigned int dev, unsigned int path);

#endif
