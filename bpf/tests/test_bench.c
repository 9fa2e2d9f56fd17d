// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the benchmark statistics, fio histograms and run loading (bench/src). */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "compare.h"
#include "lathist.h"
#include "runs.h"
#include "stats.h"

#define NEAR(a, b, eps) (fabs((a) - (b)) <= (eps))

static void test_quantiles(void)
{
	double x[] = { 4, 1, 3, 2 }, y[] = { 5, 1, 4, 2, 3 };
	struct wb_spread s;

	CHECK(NEAR(wb_median(x, 4), 2.5, 1e-12), "median %g", wb_median(x, 4));
	CHECK(NEAR(wb_quantile(y, 5, 0.25), 2, 1e-12), "q1 %g", wb_quantile(y, 5, 0.25));
	CHECK(x[0] == 4 && x[1] == 1, "input reordered");
	wb_spread(y, 5, &s);
	CHECK(s.min == 1 && s.max == 5 && s.q3 == 4 && s.mean == 3, "spread");
	CHECK(NEAR(s.cv, sqrt(2.5) / 3, 1e-12), "cv %g", s.cv);
	CHECK(isnan(wb_median(x, 0)), "empty median");
}

static void test_mwu(void)
{
	double a3[] = { 1, 2, 3 }, b3[] = { 4, 5, 6 }, c3[] = { 1, 2, 4 }, d3[] = { 3, 5, 6 };
	double a5[] = { 10, 11, 12, 13, 14 }, b5[] = { 20, 21, 22, 23, 24 };
	double t1[] = { 1, 1, 2, 2, 3, 3 }, t2[] = { 2, 3, 3, 4, 4, 5 };
	double big_a[30], big_b[30], u;

	/* Exact: complete separation of 3 and 3 has two-sided p = 2 / C(6,3) = 0.1. */
	CHECK(NEAR(wb_mwu(a3, 3, b3, 3, &u), 0.1, 1e-12) && u == 0, "p %g u %g", wb_mwu(a3, 3, b3, 3, NULL), u);
	/* U = 1: P(U <= 1) = 2/20, two-sided 0.2. */
	CHECK(NEAR(wb_mwu(c3, 3, d3, 3, &u), 0.2, 1e-12) && u == 1, "p %g", wb_mwu(c3, 3, d3, 3, NULL));
	CHECK(NEAR(wb_mwu(a5, 5, b5, 5, NULL), 2.0 / 252, 1e-12), "5v5 %g", wb_mwu(a5, 5, b5, 5, NULL));
	CHECK(NEAR(wb_mwu(b5, 5, a5, 5, &u), 2.0 / 252, 1e-12) && u == 25, "symmetric, U %g", u);
	CHECK(NEAR(wb_mwu_min_p(3, 3), 0.1, 1e-12), "min p 3,3");
	CHECK(NEAR(wb_mwu_min_p(4, 4), 2.0 / 70, 1e-12), "min p 4,4");
	CHECK(wb_mwu(a5, 5, a5, 5, NULL) == 1, "identical samples");
	/* Ties: normal approximation, symmetric and in (0, 1]. */
	{
		double p1 = wb_mwu(t1, 6, t2, 6, NULL), p2 = wb_mwu(t2, 6, t1, 6, NULL);

		CHECK(p1 > 0.01 && p1 < 0.5 && NEAR(p1, p2, 1e-12), "ties p %g %g", p1, p2);
	}
	for (int i = 0; i < 30; i++) {
		big_a[i] = 100 + i;
		big_b[i] = 200 + i;
	}
	CHECK(wb_mwu(big_a, 30, big_b, 30, NULL) < 1e-9, "large separated");
	CHECK(wb_mwu(a3, 0, b3, 3, NULL) == 1, "empty side");
}

static void test_bootstrap(void)
{
	double a[] = { 100, 100, 100, 100, 100 }, b[] = { 110, 110, 110, 110, 110 };
	double x[] = { 98, 103, 100, 97, 102, 101 }, y[] = { 101, 99, 102, 98, 100, 103 };
	double r, lo, hi, r2, lo2, hi2;

	CHECK(!wb_boot_ratio(a, 5, b, 5, 500, 0.95, 1, &r, &lo, &hi), "boot");
	CHECK(NEAR(r, 1.1, 1e-12) && NEAR(lo, 1.1, 1e-12) && NEAR(hi, 1.1, 1e-12), "constant %g [%g %g]", r, lo, hi);
	CHECK(!wb_boot_ratio(x, 6, y, 6, 2000, 0.95, 7, &r, &lo, &hi), "boot xy");
	CHECK(lo < 1 && hi > 1 && lo > 0.95 && hi < 1.05, "same distribution: [%g, %g]", lo, hi);
	wb_boot_ratio(x, 6, y, 6, 2000, 0.95, 7, &r2, &lo2, &hi2);
	CHECK(lo == lo2 && hi == hi2, "reproducible with the seed");
	CHECK(wb_boot_ratio(x, 0, y, 6, 100, 0.95, 1, &r, &lo, &hi) == -1, "empty side");
	CHECK(!wb_boot_median(x, 6, 1000, 0.95, 3, &lo, &hi) && lo <= wb_median(x, 6) && hi >= wb_median(x, 6),
	      "median ci [%g %g]", lo, hi);
}

static void test_verdict(void)
{
	CHECK(wb_verdict(1.05, 1.2, 0.01, 0.05, 1, 5, 5) == WB_BETTER, "faster");
	CHECK(wb_verdict(0.8, 0.9, 0.01, 0.05, 1, 5, 5) == WB_WORSE, "slower");
	CHECK(wb_verdict(1.05, 1.2, 0.01, 0.05, 0, 5, 5) == WB_WORSE, "latency higher is worse");
	CHECK(wb_verdict(0.95, 1.2, 0.01, 0.05, 1, 5, 5) == WB_NO_DIFFERENCE, "interval holds 1");
	CHECK(wb_verdict(1.05, 1.2, 0.2, 0.05, 1, 5, 5) == WB_NO_DIFFERENCE, "p too high");
	CHECK(wb_verdict(1.05, 1.2, 0.01, 0.05, 1, 3, 3) == WB_TOO_FEW, "3 runs can never reach 0.05");
	CHECK_STR(wb_verdict_name(WB_BETTER, 1), "faster");
	CHECK_STR(wb_verdict_name(WB_WORSE, 0), "higher");
}

static void test_lathist(void)
{
	static struct wb_lathist h;
	int ok = 1;

	for (unsigned int i = 0; i < WB_LAT_NR; i++)
		if (wb_lat_index((uint64_t)wb_lat_value(i)) != i)
			ok = 0;
	CHECK(ok, "index(value(i)) == i for every bucket");
	CHECK(wb_lat_index(100) == 100 && wb_lat_value(100) == 100, "exact below 128");
	/* fio's json+ keys are bucket midpoints: 1000 ns lands in a bucket within 1/128. */
	CHECK(fabs(wb_lat_value(wb_lat_index(1000)) - 1000) / 1000 < 1.0 / 128, "rel error");
	CHECK(wb_lat_index(~0ULL) == WB_LAT_NR - 1, "clamps");
	wb_lat_add(&h, 1000, 999);
	wb_lat_add(&h, 1000000, 1);
	CHECK(h.n == 1000, "n");
	CHECK(fabs(wb_lat_percentile(&h, 50) - 1000) < 8, "p50 %g", wb_lat_percentile(&h, 50));
	CHECK(fabs(wb_lat_percentile(&h, 99.9) - 1000) < 8, "p99.9 is the 999th %g", wb_lat_percentile(&h, 99.9));
	CHECK(fabs(wb_lat_percentile(&h, 100) - 1e6) / 1e6 < 1.0 / 128, "max");
}

static const char fio_doc[] =
	"{\"jobs\":[{\"jobname\":\"a\",\"error\":0,"
	"\"read\":{\"io_bytes\":0,\"bw_bytes\":0,\"iops\":0,\"total_ios\":0,\"clat_ns\":{}},"
	"\"write\":{\"io_bytes\":1048576,\"bw_bytes\":2097152,\"iops\":512,\"total_ios\":256,"
	"\"clat_ns\":{\"bins\":{\"1000\":200,\"2000\":56}}},"
	"\"sync\":{\"total_ios\":2,\"lat_ns\":{\"bins\":{\"50000\":2}}}}]}";

static void test_fio_parse(void)
{
	struct wb_run r = { 0 };
	char err[256];
	json_t *j = json_loads(fio_doc, 0, NULL), *bad;

	CHECK(j && !wb_fio_parse(j, &r, err, sizeof(err)), "parse: %s", err);
	CHECK(r.bw_mib == 2 && r.bytes == 1048576 && !strcmp(r.ddir, "write"), "bw %g", r.bw_mib);
	CHECK(r.clat && r.clat->n == 256 && r.sync && r.sync->n == 2, "hists");
	free(r.clat);
	free(r.sync);
	json_decref(j);

	bad = json_loads("{\"fio version\":\"x\"}", 0, NULL);
	memset(&r, 0, sizeof(r));
	CHECK(wb_fio_parse(bad, &r, err, sizeof(err)) && strstr(err, "jobs"), "no jobs: %s", err);
	json_decref(bad);
	bad = json_loads("{\"jobs\":[{\"error\":0,\"read\":{},\"write\":{\"io_bytes\":4096,\"total_ios\":1,"
			 "\"clat_ns\":{\"mean\":1}}}]}", 0, NULL);
	memset(&r, 0, sizeof(r));
	CHECK(wb_fio_parse(bad, &r, err, sizeof(err)) && strstr(err, "json+"), "no bins: %s", err);
	free(r.clat);
	free(r.sync);
	json_decref(bad);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A run directory with one workload, 4 runs per path; iomap writes twice as fast. */
static void test_runset(void)
{
	char dir[] = "/tmp/wbscope-test-runs.XXXXXX", p[512], doc[1024], err[1024];
	struct wb_runset rs;
	struct wb_comparison c;
	int order = 0;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	CHECK(wb_runset_load(dir, &rs, err, sizeof(err)) && strstr(err, "runner.json"), "no runner.json: %s", err);
	snprintf(p, sizeof(p), "%s/runner.json", dir);
	write_file(p, "{\"paths\":[\"buffer_head\",\"iomap\"],\"mode\":\"test\"}");
	snprintf(p, sizeof(p), "%s/runs", dir);
	mkdir(p, 0755);
	for (int rep = 1; rep <= 4; rep++)
		for (int s = 0; s < 2; s++) {
			const char *path = s ? "iomap" : "buffer_head";
			double bw = (s ? 200 : 100) + rep;

			snprintf(p, sizeof(p), "%s/runs/%04d-w-disk-%s-r%d", dir, ++order, path, rep);
			mkdir(p, 0755);
			snprintf(p, sizeof(p), "%s/runs/%04d-w-disk-%s-r%d/run.json", dir, order, path, rep);
			snprintf(doc, sizeof(doc), "{\"id\":\"x%d\",\"workload\":\"w\",\"device\":\"disk\",\"dev\":\"/dev/vda\",\"path\":\"%s\","
				 "\"rep\":%d,\"order\":%d,\"target\":\"writeback\",\"job\":\"bench/jobs/append.fio\","
				 "\"vars\":\"BS=4k\"}", order, path, rep, order);
			write_file(p, doc);
			snprintf(p, sizeof(p), "%s/runs/%04d-w-disk-%s-r%d/fio.json", dir, order, path, rep);
			snprintf(doc, sizeof(doc), "{\"jobs\":[{\"error\":0,\"read\":{\"io_bytes\":0,\"bw_bytes\":0,\"iops\":0},"
				 "\"write\":{\"io_bytes\":1048576,\"bw_bytes\":%.0f,\"iops\":1,\"total_ios\":10,"
				 "\"clat_ns\":{\"bins\":{\"%d\":10}}}}]}", bw * 1048576, s ? 1000 : 2000);
			write_file(p, doc);
			snprintf(p, sizeof(p), "%s/runs/%04d-w-disk-%s-r%d/writepages.json", dir, order, path, rep);
			/* the collectors watch every device: the other disk's group is not this run's */
			snprintf(doc, sizeof(doc), "{\"schema\":\"wbscope/1\",\"groups\":[{\"devname\":\"vda\",\"path\":\"%s\","
				 "\"calls\":2,\"latency_ns_sum\":%d},{\"devname\":\"ram0\",\"path\":\"%s\",\"calls\":9,"
				 "\"latency_ns_sum\":123456789}]}\n", rep == 4 && s ? "buffer_head" : path, s ? 5000 : 9000, path);
			write_file(p, doc);
		}
	/* A run that never finished is skipped, not read. */
	snprintf(p, sizeof(p), "%s/runs/.0009-w-disk-iomap-r5.partial", dir);
	mkdir(p, 0755);
	CHECK(!wb_runset_load(dir, &rs, err, sizeof(err)), "load: %s", err);
	CHECK(rs.nr == 8 && rs.skipped == 0, "runs %d skipped %d", rs.nr, rs.skipped);
	CHECK(!wb_compare(&rs, &c, err, sizeof(err)), "compare: %s", err);
	CHECK(c.nr == 1 && c.groups[0].n[0] == 4 && c.groups[0].n[1] == 4, "grouping");
	CHECK(NEAR(c.groups[0].bw.ratio, 202.5 / 102.5, 1e-9), "ratio %g", c.groups[0].bw.ratio);
	CHECK(c.groups[0].bw.verdict == WB_BETTER, "verdict %d (p %g)", c.groups[0].bw.verdict, c.groups[0].bw.p);
	CHECK(c.groups[0].lat[1].valid && fabs(c.groups[0].lat[1].ratio - 0.5) < 0.01, "p99 ratio %g",
	      c.groups[0].lat[1].ratio);
	CHECK(NEAR(c.groups[0].phase_us_per_mib[0][WB_PH_WRITEPAGES], 9, 1e-9), "writepages us/MiB %g",
	      c.groups[0].phase_us_per_mib[0][WB_PH_WRITEPAGES]);
	CHECK(c.groups[0].misattributed == 1, "the run whose collector saw the other path is flagged");
	wb_comparison_free(&c);
	wb_runset_free(&rs);

	/* A third path is an error naming the run. */
	snprintf(p, sizeof(p), "%s/runs/0001-w-disk-buffer_head-r1/run.json", dir);
	write_file(p, "{\"id\":\"odd\",\"workload\":\"w\",\"device\":\"disk\",\"path\":\"zfs\",\"rep\":1,\"order\":1}");
	CHECK(!wb_runset_load(dir, &rs, err, sizeof(err)), "reload");
	CHECK(wb_compare(&rs, &c, err, sizeof(err)) && strstr(err, "zfs"), "third path: %s", err);
	wb_comparison_free(&c);
	wb_runset_free(&rs);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p))
		CHECK(0, "cleanup");
}

int main(void)
{
	test_quantiles();
	test_mwu();
	test_bootstrap();
	test_verdict();
	test_lathist();
	test_fio_parse();
	test_runset();
	return check_done("test_bench");
}
