// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope history: the results history, an SQLite database with one row per recorded
 * run (kernel, series and config hashes, matrix, mode, accel, commit) and one row per
 * run sample of every gated metric. `wbscope bench` records each run it reports; the
 * gate reads "the last N runs" from it; users query trends:
 *
 *   wbscope history add RUN_DIR...       record runs (already recorded ones are kept)
 *   wbscope history list                 the recorded runs
 *   wbscope history show -m METRIC -w WORKLOAD [-d DEVICE] [-p PATH] [--plot FILE.svg]
 *                                        a metric over the runs (median per run), and a plot
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "common.h"
#include "history.h"
#include "report.h"
#include "stats.h"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS runs(run_id TEXT PRIMARY KEY, started TEXT, kernel TEXT,"
	" series_hash TEXT, config_sha256 TEXT, matrix TEXT, mode TEXT, accel TEXT, wbscope TEXT,"
	" reps INTEGER, interrupted INTEGER, recorded TEXT DEFAULT CURRENT_TIMESTAMP);"
	"CREATE TABLE IF NOT EXISTS samples(run_id TEXT NOT NULL REFERENCES runs(run_id),"
	" workload TEXT, device TEXT, path TEXT, metric TEXT, rep INTEGER, value REAL);"
	"CREATE INDEX IF NOT EXISTS samples_key ON samples(workload, device, path, metric);";

const char *wb_history_default(void)
{
	static char path[PATH_MAX];

	if (getenv("WBSCOPE_HISTORY"))
		return getenv("WBSCOPE_HISTORY");
	snprintf(path, sizeof(path), "%s/results/history.sqlite", wb_root());
	return path;
}

static int db_open(const char *path, int create, sqlite3 **db, char *err, size_t errlen)
{
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);

	if (!path)
		path = wb_history_default();
	if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s%s", path, sqlite3_errmsg(*db),
			 create ? "" : " (no history yet: 'wbscope history add RUN_DIR' records runs)");
		sqlite3_close(*db);
		return -1;
	}
	sqlite3_busy_timeout(*db, 5000);
	if (sqlite3_exec(*db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s (not a wbscope history database?)", path, sqlite3_errmsg(*db));
		sqlite3_close(*db);
		return -1;
	}
	return 0;
}

static const char *jget(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(json_object_get(o, a), b);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A key's value in RUN_DIR/kernel.info, or NULL. */
static char *kinfo(const char *dir, const char *key, char *buf, size_t len)
{
	char path[4200], line[512];
	size_t kl = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "%s/kernel.info", dir);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == '=') {
			line[strcspn(line, "\n")] = 0;
			snprintf(buf, len, "%s", line + kl + 1);
			fclose(f);
			return buf;
		}
	fclose(f);
	return NULL;
}

int wb_history_add(const char *dbpath, const char *dir, int *added, char *err, size_t errlen)
{
	char path[4200], e2[512], series[128], config[128];
	struct wb_samples s = { 0 };
	json_error_t je;
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	json_t *sum;
	int rc = -1;

	*added = 0;
	snprintf(path, sizeof(path), "%s/summary.json", dir);
	sum = json_load_file(path, 0, &je);
	if (!sum) {
		snprintf(err, errlen, "%s: %s (run 'wbscope report %s' first?)", path, je.text, dir);
		return -1;
	}
	if (wb_samples_add_summary(&s, sum, e2, sizeof(e2))) {
		snprintf(err, errlen, "%s: %s", path, e2);
		json_decref(sum);
		return -1;
	}
	if (db_open(dbpath, 1, &db, err, errlen))
		goto out_free;
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO runs(run_id, started, kernel, series_hash, config_sha256,"
				   " matrix, mode, accel, wbscope, reps, interrupted) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	sqlite3_bind_text(st, 1, s.run_ids[0], -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, jget(sum, "runner", "started"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, jget(sum, "runner", "kernel"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, kinfo(dir, "series_hash", series, sizeof(series)), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, kinfo(dir, "config_sha256", config, sizeof(config)), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, jget(sum, "runner", "matrix"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, jget(sum, "runner", "mode"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, jget(sum, "host", "accel"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 9, jget(sum, "host", "wbscope_commit"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 10, json_integer_value(json_object_get(json_object_get(sum, "runner"), "reps")));
	sqlite3_bind_int(st, 11, json_is_true(json_object_get(json_object_get(sum, "runner"), "interrupted")));
	if (sqlite3_step(st) != SQLITE_DONE)
		goto sqlerr;
	sqlite3_finalize(st);
	st = NULL;
	if (!sqlite3_changes(db)) {	/* recorded before: keep what is there */
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		rc = 0;
		goto out;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO samples VALUES(?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	for (int i = 0; i < s.nr; i++)
		for (int k = 0; k < s.cells[i].n; k++) {
			const struct wb_cell *c = &s.cells[i];

			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, s.run_ids[0], -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 2, c->workload, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 3, c->device, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 4, c->path, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 5, wb_gate_metrics[c->metric].name, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(st, 6, c->rep[k]);
			sqlite3_bind_double(st, 7, c->v[k]);
			if (sqlite3_step(st) != SQLITE_DONE)
				goto sqlerr;
		}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto sqlerr;
	*added = 1;
	rc = 0;
	goto out;
sqlerr:
	snprintf(err, errlen, "%s: %s", dbpath ?: wb_history_default(), sqlite3_errmsg(db));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
out_free:
	wb_samples_free(&s);
	json_decref(sum);
	return rc;
}

int wb_history_baseline(const char *dbpath, const char *cand_dir, int n, struct wb_samples *s,
			char *err, size_t errlen)
{
	char path[4200];
	json_error_t je;
	json_t *sum;
	sqlite3 *db;
	sqlite3_stmt *runs = NULL, *st = NULL;
	const char *cand_id;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/summary.json", cand_dir);
	sum = json_load_file(path, 0, &je);
	if (!sum) {
		snprintf(err, errlen, "%s: %s", path, je.text);
		return -1;
	}
	cand_id = json_string_value(json_object_get(sum, "run_id"));
	if (db_open(dbpath, 0, &db, err, errlen)) {
		json_decref(sum);
		return -1;
	}
	/* Only runs timed the same way (accel: kvm, tcg, tcg icount=N) are comparable. */
	if (sqlite3_prepare_v2(db, "SELECT run_id FROM runs WHERE matrix = ? AND mode = ? AND run_id != ?"
				   " AND interrupted = 0 AND (?5 IS NULL OR accel = ?5) ORDER BY started DESC LIMIT ?4",
				   -1, &runs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT workload, device, path, metric, rep, value FROM samples WHERE run_id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	sqlite3_bind_text(runs, 1, jget(sum, "runner", "matrix"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(runs, 2, jget(sum, "runner", "mode"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(runs, 3, cand_id ?: "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(runs, 4, n);
	sqlite3_bind_text(runs, 5, jget(sum, "host", "accel"), -1, SQLITE_TRANSIENT);
	if (jget(sum, "host", "accel"))
		snprintf(s->accel, sizeof(s->accel), "%s", jget(sum, "host", "accel"));
	while (sqlite3_step(runs) == SQLITE_ROW) {
		int run = wb_samples_run(s, (const char *)sqlite3_column_text(runs, 0));

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, (const char *)sqlite3_column_text(runs, 0), -1, SQLITE_TRANSIENT);
		while (sqlite3_step(st) == SQLITE_ROW) {
			int m = wb_gate_metric_by_name((const char *)sqlite3_column_text(st, 3));

			if (m >= 0)
				wb_samples_add(s, (const char *)sqlite3_column_text(st, 0),
					       (const char *)sqlite3_column_text(st, 1),
					       (const char *)sqlite3_column_text(st, 2), m, run,
					       sqlite3_column_int(st, 4), sqlite3_column_double(st, 5));
		}
	}
	if (!s->runs)
		snprintf(err, errlen, "no earlier complete run of matrix '%s' (%s, %s) in the history",
			 jget(sum, "runner", "matrix") ?: "?", jget(sum, "runner", "mode") ?: "?",
			 jget(sum, "host", "accel") ?: "?");
	else
		rc = 0;
	goto out;
sqlerr:
	snprintf(err, errlen, "%s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(runs);
	sqlite3_finalize(st);
	sqlite3_close(db);
	json_decref(sum);
	return rc;
}

static int history_list(const char *dbpath)
{
	char err[1024];
	sqlite3 *db;
	sqlite3_stmt *st;

	if (db_open(dbpath, 0, &db, err, sizeof(err))) {
		fprintf(stderr, "wbscope history: %s\n", err);
		return WB_EXIT_ERROR;
	}
	if (sqlite3_prepare_v2(db, "SELECT run_id, started, kernel, IFNULL(series_hash,'-'), matrix, accel, reps,"
				   " interrupted, (SELECT COUNT(*) FROM samples s WHERE s.run_id = r.run_id)"
				   " FROM runs r ORDER BY started", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "wbscope history: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return WB_EXIT_ERROR;
	}
	printf("%-36s %-20s %-14s %-14s %-8s %-6s %4s %7s\n", "RUN", "STARTED", "KERNEL", "SERIES", "MATRIX",
	       "ACCEL", "REPS", "SAMPLES");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-36s %-20s %-14.14s %-14.12s %-8s %-6s %4d %7d%s\n", sqlite3_column_text(st, 0),
		       sqlite3_column_text(st, 1) ?: (const unsigned char *)"-", sqlite3_column_text(st, 2),
		       sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
		       sqlite3_column_text(st, 5) ?: (const unsigned char *)"-", sqlite3_column_int(st, 6),
		       sqlite3_column_int(st, 8), sqlite3_column_int(st, 7) ? " (interrupted)" : "");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return WB_EXIT_OK;
}

static int history_show(const char *dbpath, const char *metric, const char *workload, const char *device,
			const char *path, const char *plot)
{
	char err[1024], datpath[PATH_MAX + 8];
	sqlite3 *db;
	sqlite3_stmt *runs, *st;
	FILE *dat = NULL;
	int rows = 0;

	if (wb_gate_metric_by_name(metric) < 0) {
		fprintf(stderr, "wbscope history: unknown metric '%s' (throughput, clat_p99, writepages, endio)\n", metric);
		return WB_EXIT_ERROR;
	}
	if (db_open(dbpath, 0, &db, err, sizeof(err))) {
		fprintf(stderr, "wbscope history: %s\n", err);
		return WB_EXIT_ERROR;
	}
	sqlite3_prepare_v2(db, "SELECT run_id, started, kernel FROM runs ORDER BY started", -1, &runs, NULL);
	sqlite3_prepare_v2(db, "SELECT device, path, value FROM samples WHERE run_id = ? AND metric = ? AND workload = ?"
			       " AND (?4 IS NULL OR device = ?4) AND (?5 IS NULL OR path = ?5) ORDER BY device, path",
			   -1, &st, NULL);
	if (plot) {
		snprintf(datpath, sizeof(datpath), "%s.dat", plot);
		dat = fopen(datpath, "w");
		if (!dat) {
			fprintf(stderr, "wbscope history: cannot write %s: %s\n", datpath, strerror(errno));
			goto fail;
		}
	}
	printf("%-4s %-36s %-14s %-6s %-18s %10s %6s %4s\n", "#", "RUN", "KERNEL", "DEV", "PATH", "MEDIAN", "CV%", "N");
	while (sqlite3_step(runs) == SQLITE_ROW) {
		/* one line per device and path of this run */
		double v[WB_SAMPLES_MAX];
		char cur[64] = "";
		int n = 0, more;

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, (const char *)sqlite3_column_text(runs, 0), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, metric, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, workload, -1, SQLITE_TRANSIENT);
		device ? sqlite3_bind_text(st, 4, device, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 4);
		path ? sqlite3_bind_text(st, 5, path, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 5);
		do {
			char key[64] = "";

			more = sqlite3_step(st) == SQLITE_ROW;
			if (more)
				snprintf(key, sizeof(key), "%s %s", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
			if ((!more || strcmp(key, cur)) && n) {
				struct wb_spread sp;
				char dev[16], p[40];

				wb_spread(v, n, &sp);
				sscanf(cur, "%15s %39s", dev, p);
				rows++;
				printf("%-4d %-36s %-14.14s %-6s %-18s %10.4g %6.1f %4d\n", rows,
				       sqlite3_column_text(runs, 0), sqlite3_column_text(runs, 2), dev, p, sp.median,
				       100 * (isnan(sp.cv) ? 0 : sp.cv), n);
				if (dat)
					fprintf(dat, "%d \"%s\" \"%s/%s\" %g %g %g\n", rows, sqlite3_column_text(runs, 0),
						dev, p, sp.median, sp.min, sp.max);
				n = 0;
			}
			if (more && n < WB_SAMPLES_MAX) {
				snprintf(cur, sizeof(cur), "%s", key);
				v[n++] = sqlite3_column_double(st, 2);
			}
		} while (more);
	}
	if (!rows)
		fprintf(stderr, "wbscope history: no samples of %s for workload '%s'%s%s\n", metric, workload,
			device ? " on " : "", device ?: "");
	if (dat) {
		char gp[PATH_MAX + 64];
		FILE *g;

		fclose(dat);
		dat = NULL;
		snprintf(gp, sizeof(gp), "%s.gp", plot);
		g = fopen(gp, "w");
		if (!g)
			goto fail;
		fprintf(g, "set terminal svg size 900,450 dynamic noenhanced font 'sans,11' background '#ffffff'\n"
			   "set output '%s'\nset title '%s of %s over the recorded runs (median, min-max)'\n"
			   "set xlabel 'run (oldest first)'\nset ylabel '%s'\nset grid\nset key outside right\n"
			   "plot '%s' using 1:4:5:6 with yerrorlines pt 7 title '%s'\n",
			   plot, metric, workload, wb_gate_metrics[wb_gate_metric_by_name(metric)].unit, datpath,
			   device ? device : "all devices and paths");
		fclose(g);
		snprintf(err, sizeof(err), "gnuplot '%s' 2>/dev/null", gp);
		if (!rows || system(err)) {
			fprintf(stderr, "wbscope history: no plot drawn (%s)\n", rows ? "gnuplot failed" : "no data");
			goto fail;
		}
		fprintf(stderr, "wbscope history: plot written to %s\n", plot);
	}
	sqlite3_finalize(runs);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rows ? WB_EXIT_OK : WB_EXIT_ERROR;
fail:
	if (dat)
		fclose(dat);
	sqlite3_finalize(runs);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return WB_EXIT_ERROR;
}

static const char usage_text[] =
	"usage: wbscope history [--db FILE] add RUN_DIR...\n"
	"       wbscope history [--db FILE] list\n"
	"       wbscope history [--db FILE] show -m METRIC -w WORKLOAD [-d DEVICE] [-p PATH] [--plot FILE.svg]\n"
	"\n"
	"The results history (SQLite; default results/history.sqlite or $WBSCOPE_HISTORY):\n"
	"every run's per-run samples of throughput, clat_p99, writepages and endio, for the\n"
	"gate's '--baseline history' and for trends.\n";

int cmd_history(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "metric", required_argument, NULL, 'm' },
		{ "workload", required_argument, NULL, 'w' },
		{ "device", required_argument, NULL, 'd' },
		{ "path", required_argument, NULL, 'p' },
		{ "plot", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *metric = NULL, *workload = NULL, *device = NULL, *path = NULL, *plot = NULL;
	char err[1024];
	int o, rc = WB_EXIT_OK;

	/* GNU getopt permutes: options may come before or after the action. */
	while ((o = getopt_long(argc, argv, "m:w:d:p:h", opts, NULL)) != -1) {
		switch (o) {
		case 'D': db = optarg; break;
		case 'm': metric = optarg; break;
		case 'w': workload = optarg; break;
		case 'd': device = optarg; break;
		case 'p': path = optarg; break;
		case 'P': plot = optarg; break;
		case 'h': printf(usage_text); return WB_EXIT_OK;
		default: fprintf(stderr, usage_text); return WB_EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "wbscope history: expected add, list or show\n%s", usage_text);
		return WB_EXIT_ERROR;
	}
	if (!strcmp(argv[optind], "add")) {
		if (optind + 1 >= argc) {
			fprintf(stderr, "wbscope history add: expected run directories\n");
			return WB_EXIT_ERROR;
		}
		for (int i = optind + 1; i < argc; i++) {
			int added;

			if (wb_history_add(db, argv[i], &added, err, sizeof(err))) {
				fprintf(stderr, "wbscope history: %s\n", err);
				rc = WB_EXIT_ERROR;
				continue;
			}
			fprintf(stderr, "wbscope history: %s %s\n", argv[i], added ? "recorded" : "was recorded before (kept)");
		}
		return rc;
	}
	if (!strcmp(argv[optind], "list"))
		return history_list(db);
	if (!strcmp(argv[optind], "show")) {
		if (!metric || !workload) {
			fprintf(stderr, "wbscope history show: -m METRIC and -w WORKLOAD are required\n");
			return WB_EXIT_ERROR;
		}
		return history_show(db, metric, workload, device, path, plot);
	}
	fprintf(stderr, "wbscope history: unknown action '%s' (add, list, show)\n", argv[optind]);
	return WB_EXIT_ERROR;
}
