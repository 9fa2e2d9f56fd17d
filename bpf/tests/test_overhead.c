// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the overhead benchmark's statistics: paired costs, intervals, verdicts,
 * BPF run-time columns and the per-program breakdown, bad input. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "overhead.h"

static char path[] = "/tmp/wbscope-test-overhead.XXXXXX";

/* Analyse the JSONL lines given (NULL-terminated); NULL with err on failure. */
static json_t *analyse(char *err, size_t errlen, ...)
{
	struct wb_oh_run *runs;
	const char *line;
	json_t *res = NULL;
	va_list ap;
	FILE *f;
	int fd = mkstemp(path), n;

	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errlen, "mkstemp");
		return NULL;
	}
	va_start(ap, errlen);
	while ((line = va_arg(ap, const char *)))
		fprintf(f, "%s\n", line);
	va_end(ap);
	fclose(f);
	if (!wb_oh_load(path, &runs, &n, err, errlen)) {
		res = wb_oh_analyse(runs, n, "none", 2.0, err, errlen);
		wb_oh_free(runs, n);
	}
	unlink(path);
	strcpy(path + strlen(path) - 6, "XXXXXX");
	return res;
}

static double get(json_t *res, const char *variant, const char *a, const char *b)
{
	json_t *v = json_object_get(json_object_get(json_object_get(json_object_get(res, "jobs"), "j"), variant), a);

	if (b)
		v = json_object_get(v, b);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *verdict(json_t *res, const char *variant)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(json_object_get(res, "jobs"), "j"),
								  variant), "verdict")) ?: "";
}

static void test_costs(void)
{
	char err[512], l[10][128];
	static const double base[5] = { 100, 200, 150, 120, 180 };
	json_t *res, *ci;

	/* The tracer costs exactly 10% in every round, whatever the round's speed. */
	for (int r = 0; r < 5; r++) {
		snprintf(l[2 * r], sizeof(l[0]), "{\"job\":\"j\",\"variant\":\"none\",\"round\":%d,\"bw_kib\":%g}", r + 1, base[r]);
		snprintf(l[2 * r + 1], sizeof(l[0]), "{\"job\":\"j\",\"variant\":\"t\",\"round\":%d,\"bw_kib\":%g}", r + 1,
			 base[r] * 0.9);
	}
	res = analyse(err, sizeof(err), l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8], l[9], NULL);
	CHECK(res, "%s", err);
	CHECK(fabs(get(res, "t", "cost_pct", "median") - 10) < 1e-9, "median cost %g", get(res, "t", "cost_pct", "median"));
	ci = json_object_get(json_object_get(json_object_get(json_object_get(json_object_get(res, "jobs"), "j"), "t"),
					     "cost_pct"), "ci95");
	CHECK(fabs(json_number_value(json_array_get(ci, 0)) - 10) < 1e-9 &&
	      fabs(json_number_value(json_array_get(ci, 1)) - 10) < 1e-9, "interval [10, 10]");
	CHECK_STR(verdict(res, "t"), "over 2%");
	json_decref(res);

	/* Cheap: every round within 0.5%; noisy: +-20% alternating. */
	char m[18][128];
	int k = 0;

	for (int r = 1; r <= 6; r++) {
		snprintf(m[k++], sizeof(m[0]), "{\"job\":\"j\",\"variant\":\"none\",\"round\":%d,\"bw_kib\":100}", r);
		snprintf(m[k++], sizeof(m[0]), "{\"job\":\"j\",\"variant\":\"cheap\",\"round\":%d,\"bw_kib\":%g}", r, 99.5 + 0.1 * r);
		snprintf(m[k++], sizeof(m[0]), "{\"job\":\"j\",\"variant\":\"noisy\",\"round\":%d,\"bw_kib\":%d}", r,
			 r % 2 ? 120 : 80);
	}
	res = analyse(err, sizeof(err), m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], m[10], m[11],
		      m[12], m[13], m[14], m[15], m[16], m[17], NULL);
	CHECK(res, "%s", err);
	CHECK_STR(verdict(res, "cheap"), "under 2%");
	CHECK_STR(verdict(res, "noisy"), "inconclusive");
	json_decref(res);

	/* A round without its baseline run is not paired. */
	res = analyse(err, sizeof(err), "{\"job\":\"j\",\"variant\":\"none\",\"round\":1,\"bw_kib\":100}",
		      "{\"job\":\"j\",\"variant\":\"t\",\"round\":1,\"bw_kib\":90}",
		      "{\"job\":\"j\",\"variant\":\"t\",\"round\":2,\"bw_kib\":10}", NULL);
	CHECK(res && get(res, "t", "paired_rounds", NULL) == 1, "paired rounds %g", get(res, "t", "paired_rounds", NULL));
	CHECK_STR(verdict(res, "t"), "too few rounds");
	json_decref(res);
}

static void test_bpf_time(void)
{
	char err[512], md[4096] = "";
	json_t *res, *progs;
	const char *key;
	json_t *v;
	int i = 0;

	/* 4 MiB in 1 s: 8 ms of BPF time = 0.8% of one CPU and 2000 us per MiB (median of two). */
	res = analyse(err, sizeof(err), "{\"job\":\"j\",\"variant\":\"none\",\"round\":1,\"bw_kib\":102400}",
		      "{\"job\":\"j\",\"variant\":\"none\",\"round\":2,\"bw_kib\":102400}",
		      "{\"job\":\"j\",\"variant\":\"t\",\"round\":1,\"bw_kib\":92160,\"bytes\":4194304,\"traced_s\":1,"
		      "\"bpf_ns\":4000000,\"progs\":[{\"name\":\"hot\",\"runs\":8,\"ns\":4000,\"missed\":2},{\"name\":\"cold\",\"runs\":1,\"ns\":100}],"
		      "\"missed\":[{\"name\":\"hot\",\"missed\":1},{\"name\":\"cold\",\"missed\":0}]}",
		      "{\"job\":\"j\",\"variant\":\"t\",\"round\":2,\"bw_kib\":97280,\"bytes\":4194304,\"traced_s\":1,"
		      "\"bpf_ns\":12000000,\"progs\":[{\"name\":\"cold\",\"runs\":1,\"ns\":100},{\"name\":\"hot\",\"runs\":8,\"ns\":8000,\"missed\":0}],"
		      "\"missed\":[{\"name\":\"hot\",\"missed\":1},{\"name\":\"cold\",\"missed\":0}]}",
		      NULL);
	CHECK(res, "%s", err);
	CHECK(fabs(get(res, "t", "bpf_cpu_pct", "median") - 0.8) < 1e-9, "cpu %g", get(res, "t", "bpf_cpu_pct", "median"));
	CHECK(fabs(get(res, "t", "bpf_ns_per_mib", "median") - 2e6) < 1e-3, "ns/MiB %g",
	      get(res, "t", "bpf_ns_per_mib", "median"));
	progs = json_object_get(json_object_get(json_object_get(json_object_get(res, "jobs"), "j"), "t"), "programs");
	json_object_foreach(progs, key, v)
		CHECK(!strcmp(key, i++ ? "cold" : "hot"), "most expensive first: %s at %d", key, i - 1);
	v = json_object_get(progs, "hot");
	CHECK(fabs(json_number_value(json_object_get(v, "runs_per_mib")) - 2) < 1e-9, "runs per MiB");
	CHECK(fabs(json_number_value(json_object_get(v, "ns_per_run")) - 750) < 1e-9, "ns per run: median of 500, 1000");
	CHECK(fabs(json_number_value(json_object_get(v, "us_per_mib")) - 1.5) < 1e-9, "us per MiB");
	/* profiling: missed 2 of 10 events, then 0 of 8: the median of 20% and 0% */
	CHECK(fabs(json_number_value(json_object_get(v, "missed_pct_profiling")) - 10) < 1e-9,
	      "missed while profiling: median share %g", json_number_value(json_object_get(v, "missed_pct_profiling")));
	/* measured: 1 missed per 4 MiB, against a median of 2.5 and 2 events per MiB */
	CHECK(fabs(json_number_value(json_object_get(v, "missed_pct")) - 100 * 0.25 / 2.25) < 1e-9,
	      "missed in use: %g", json_number_value(json_object_get(v, "missed_pct")));
	CHECK(json_is_null(json_object_get(json_object_get(progs, "cold"), "missed_pct")) &&
	      json_is_null(json_object_get(json_object_get(progs, "cold"), "missed_pct_profiling")),
	      "no events per MiB with their misses (older files): null, not 0");
	CAPTURE(md, sizeof(md), wb_oh_markdown(out, res));
	CHECK(strstr(md, "| t | hot | 2.0 | 750 | 1.5 | 11.11% | 10.00% |"), "markdown row:\n%s", md);
	CHECK(strstr(md, "| t | cold | 0.2 | 100 | 0.0 | - | - |"), "markdown row without missed:\n%s", md);
	CHECK(strstr(md, "| t | 92.5 | "), "throughput column in MiB/s:\n%s", md);
	CHECK(strstr(md, "| 7.5 | [5.0, 10.0] | over 2% |"), "cost, interval, verdict:\n%s", md);
	CHECK(strstr(md, "| tracer | j |\n|---|---|\n| t | 7.5 (over 2%) |\n"), "at a glance:\n%s", md);
	CHECK(strstr(md, "0 of 1 measured tracer-workload pairs are under"), "pairs under:\n%s", md);
	json_decref(res);
}

/* A tool next to its floor (floor-TOOL): the floor's cost and the tool's own work. */
static void test_floor(void)
{
	char err[512], md[4096] = "";
	json_t *res;

	res = analyse(err, sizeof(err), "{\"job\":\"j\",\"variant\":\"none\",\"round\":1,\"bw_kib\":1000}",
		      "{\"job\":\"j\",\"variant\":\"t\",\"round\":1,\"bw_kib\":950}",
		      "{\"job\":\"j\",\"variant\":\"floor-t\",\"round\":1,\"bw_kib\":980}",
		      "{\"job\":\"j\",\"variant\":\"floor-gone\",\"round\":1,\"bw_kib\":990}", NULL);
	CHECK(res, "%s", err);
	CAPTURE(md, sizeof(md), wb_oh_markdown(out, res));
	CHECK(strstr(md, "| t | 5.0 | 2.0 | 3.0 |"), "floor row:\n%s", md);
	CHECK(!strstr(md, "| gone |"), "no row for a floor without its tool:\n%s", md);
	json_decref(res);
	res = analyse(err, sizeof(err), "{\"job\":\"j\",\"variant\":\"none\",\"round\":1,\"bw_kib\":1000}",
		      "{\"job\":\"j\",\"variant\":\"t\",\"round\":1,\"bw_kib\":950}", NULL);
	CAPTURE(md, sizeof(md), wb_oh_markdown(out, res));
	CHECK(res && !strstr(md, "Floor"), "no floor section without floors:\n%s", md);
	json_decref(res);
}

/* Profiling runs give the BPF times and never the throughput; measured runs the reverse. */
static void test_profile_runs(void)
{
	char err[512];
	json_t *res;

	res = analyse(err, sizeof(err), "{\"job\":\"j\",\"variant\":\"none\",\"round\":1,\"bw_kib\":100}",
		      "{\"job\":\"j\",\"variant\":\"none\",\"round\":2,\"bw_kib\":100}",
		      "{\"job\":\"j\",\"variant\":\"t\",\"round\":1,\"profile\":false,\"bw_kib\":99,\"bytes\":1048576,"
		      "\"traced_s\":1,\"bpf_ns\":null,\"progs\":null}",
		      "{\"job\":\"j\",\"variant\":\"t\",\"round\":2,\"profile\":false,\"bw_kib\":99,\"bytes\":1048576,"
		      "\"traced_s\":1,\"bpf_ns\":null,\"progs\":null}",
		      /* slowed by the statistics, in round 3 = a baseline round number it must not pair with */
		      "{\"job\":\"j\",\"variant\":\"t\",\"round\":3,\"profile\":true,\"bw_kib\":50,\"bytes\":2097152,"
		      "\"traced_s\":2,\"bpf_ns\":20000000,\"progs\":[{\"name\":\"p\",\"runs\":4,\"ns\":400}]}",
		      "{\"job\":\"j\",\"variant\":\"none\",\"round\":3,\"profile\":true,\"bw_kib\":100}",
		      NULL);
	CHECK(res, "%s", err);
	CHECK(fabs(get(res, "t", "cost_pct", "median") - 1) < 1e-9, "cost from the measured runs only: %g",
	      get(res, "t", "cost_pct", "median"));
	CHECK(get(res, "t", "bw_kib", "n") == 2, "profiling run left out of the throughput");
	CHECK(get(res, "none", "bw_kib", "n") == 2, "profiling baseline left out");
	CHECK(fabs(get(res, "t", "bpf_ns_per_mib", "median") - 1e7) < 1e-3, "BPF time from the profiling run: %g",
	      get(res, "t", "bpf_ns_per_mib", "median"));
	CHECK(fabs(get(res, "t", "bpf_cpu_pct", "median") - 1) < 1e-9, "cpu %g", get(res, "t", "bpf_cpu_pct", "median"));
	CHECK(json_object_get(json_object_get(json_object_get(json_object_get(res, "jobs"), "j"), "t"), "programs"),
	      "per-program table from the profiling run");
	json_decref(res);
}

static void test_bad_input(void)
{
	char err[512];

	CHECK(!analyse(err, sizeof(err), "{oops", NULL) && strstr(err, ":1: not JSON"), "%s", err);
	CHECK(!analyse(err, sizeof(err), "{\"job\":\"j\",\"variant\":\"none\",\"round\":1}", NULL) &&
	      strstr(err, "missing field 'bw_kib'"), "%s", err);
	CHECK(!analyse(err, sizeof(err), "{\"job\":\"j\",\"variant\":\"t\",\"round\":1,\"bw_kib\":5}", NULL) &&
	      strstr(err, "no 'none' runs"), "%s", err);
	CHECK(!analyse(err, sizeof(err), "{\"job\":\"j\",\"variant\":\"none\",\"round\":1,\"bw_kib\":0}", NULL) &&
	      strstr(err, "bw_kib must be a positive number"), "%s", err);
	CHECK(!analyse(err, sizeof(err), "", NULL) && strstr(err, "no runs"), "%s", err);
}

int main(void)
{
	test_costs();
	test_bpf_time();
	test_floor();
	test_profile_runs();
	test_bad_input();
	return check_done("test_overhead");
}
