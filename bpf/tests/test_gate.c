// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the CI gate's decision per cell and of its configuration file. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "gate.h"
#include "stats.h"

/* A cell of n samples around mean with relative spread sd (deterministic noise). */
static void fill(struct wb_cell *c, enum wb_gate_metric m, int n, double mean, double sd, int run, uint64_t seed)
{
	struct wb_rng r;

	memset(c, 0, sizeof(*c));
	strcpy(c->workload, "w");
	strcpy(c->device, "disk");
	strcpy(c->path, "iomap");
	c->metric = m;
	wb_rng_seed(&r, seed);
	for (int i = 0; i < n; i++) {
		/* sum of uniforms: roughly normal, unit variance */
		double z = 0;

		for (int k = 0; k < 12; k++)
			z += (wb_rng_next(&r) >> 11) * (1.0 / 9007199254740992.0);
		c->v[i] = mean * (1 + sd * (z - 6));
		c->rep[i] = i + 1;
		c->run[i] = run;
	}
	c->n = n;
}

static void test_cells(void)
{
	static struct wb_cell b, c;
	struct wb_gate_config cfg;
	struct wb_gate_result r;

	wb_gate_config_defaults(&cfg);
	fill(&b, WB_GM_THROUGHPUT, 5, 100, 0.01, 0, 1);
	fill(&c, WB_GM_THROUGHPUT, 5, 100, 0.01, 0, 2);
	wb_gate_cell(&cfg, &b, 1, &c, &r);
	CHECK(r.status == WB_GATE_PASS, "A/A passes: %s (%s)", wb_gate_status_name(r.status), r.why);

	fill(&c, WB_GM_THROUGHPUT, 5, 80, 0.01, 0, 3);
	wb_gate_cell(&cfg, &b, 1, &c, &r);
	CHECK(r.status == WB_GATE_REGRESSION && r.change < -0.15, "20%% slower: %s %g", wb_gate_status_name(r.status), r.change);

	fill(&c, WB_GM_THROUGHPUT, 5, 97, 0.002, 0, 4);
	fill(&b, WB_GM_THROUGHPUT, 5, 100, 0.002, 0, 5);
	wb_gate_cell(&cfg, &b, 1, &c, &r);
	CHECK(r.status == WB_GATE_PASS && strstr(r.why, "within the threshold"), "3%% < 5%% threshold: %s (%s)",
	      wb_gate_status_name(r.status), r.why);

	fill(&c, WB_GM_THROUGHPUT, 5, 125, 0.01, 0, 6);
	wb_gate_cell(&cfg, &b, 1, &c, &r);
	CHECK(r.status == WB_GATE_IMPROVEMENT, "faster: %s", wb_gate_status_name(r.status));

	fill(&b, WB_GM_THROUGHPUT, 3, 100, 0.01, 0, 7);
	fill(&c, WB_GM_THROUGHPUT, 3, 50, 0.01, 0, 8);
	wb_gate_cell(&cfg, &b, 1, &c, &r);
	CHECK(r.status == WB_GATE_INCONCLUSIVE && strstr(r.why, "at least 4"), "3 runs: %s (%s)",
	      wb_gate_status_name(r.status), r.why);

	fill(&b, WB_GM_THROUGHPUT, 5, 100, 0.3, 0, 9);
	fill(&c, WB_GM_THROUGHPUT, 5, 100, 0.3, 0, 10);
	wb_gate_cell(&cfg, &b, 1, &c, &r);
	CHECK(r.status == WB_GATE_INCONCLUSIVE && r.runs_needed > 5 && strstr(r.why, "too noisy"),
	      "noisy baseline: %s (%s) needs %d", wb_gate_status_name(r.status), r.why, r.runs_needed);

	fill(&b, WB_GM_CLAT_P99, 6, 100, 0.01, 0, 11);
	fill(&c, WB_GM_CLAT_P99, 6, 130, 0.01, 0, 12);
	wb_gate_cell(&cfg, &b, 1, &c, &r);
	CHECK(r.status == WB_GATE_REGRESSION, "latency 30%% higher: %s", wb_gate_status_name(r.status));

	/* Two baseline runs 15% apart: a 12% drop is within their A/A noise floor. */
	{
		static struct wb_cell r0, r1;

		fill(&r0, WB_GM_THROUGHPUT, 5, 100, 0.005, 0, 13);
		fill(&r1, WB_GM_THROUGHPUT, 5, 115, 0.005, 1, 14);
		b = r0;
		for (int i = 0; i < 5; i++) {
			b.v[5 + i] = r1.v[i];
			b.rep[5 + i] = i + 1;
			b.run[5 + i] = 1;
		}
		b.n = 10;
		fill(&c, WB_GM_THROUGHPUT, 5, 94, 0.005, 0, 15);
		wb_gate_cell(&cfg, &b, 2, &c, &r);
		CHECK(fabs(r.floor - 0.15) < 0.02 && r.aa_pairs == 1, "floor %g pairs %d", r.floor, r.aa_pairs);
		CHECK(r.status != WB_GATE_REGRESSION, "within the A/A floor: %s (%s, change %g)",
		      wb_gate_status_name(r.status), r.why, r.change);
	}
}

static void test_holm(void)
{
	static struct wb_cell b, c;
	struct wb_gate_result r[4] = { 0 };
	struct wb_gate_config cfg;
	double p[4] = { 0.03, 0.01, 0.04, 0.02 }, want[4] = { 0.06, 0.04, 0.06, 0.06 };

	for (int i = 0; i < 4; i++)
		r[i].p = p[i];
	wb_gate_holm(r, 4);
	for (int i = 0; i < 4; i++)
		CHECK(fabs(r[i].p_adj - want[i]) < 1e-12 && r[i].family == 4, "holm %d: %g want %g", i, r[i].p_adj, want[i]);

	/* 5 runs per side can reach p < 0.05 alone, but not p < 0.05 / 8 for 8 cells. */
	wb_gate_config_defaults(&cfg);
	fill(&b, WB_GM_THROUGHPUT, 5, 100, 0.01, 0, 21);
	fill(&c, WB_GM_THROUGHPUT, 5, 70, 0.01, 0, 22);
	wb_gate_measure(&cfg, &b, 1, &c, &r[0]);
	r[0].family = 8;
	wb_gate_decide(&cfg, &r[0]);
	CHECK(r[0].status == WB_GATE_INCONCLUSIVE && strstr(r[0].why, "8 cells"), "family of 8: %s (%s)",
	      wb_gate_status_name(r[0].status), r[0].why);
	/* With 20 baseline samples (history) and 5 candidate runs it can. */
	fill(&b, WB_GM_THROUGHPUT, 20, 100, 0.01, 0, 23);
	wb_gate_measure(&cfg, &b, 1, &c, &r[0]);
	r[0].family = 8;
	r[0].p_adj = fmin(1, 8 * r[0].p);
	wb_gate_decide(&cfg, &r[0]);
	CHECK(r[0].status == WB_GATE_REGRESSION, "20 against 5 in a family of 8: %s (%s)",
	      wb_gate_status_name(r[0].status), r[0].why);
}

static int write_conf(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void test_config(void)
{
	char path[] = "/tmp/wbscope-gate-test.XXXXXX", err[512];
	struct wb_gate_config cfg;
	int fd = mkstemp(path);

	if (fd < 0) {
		CHECK(0, "mkstemp");
		return;
	}
	close(fd);
	wb_gate_config_defaults(&cfg);
	write_conf(path, "# comment\n[gate]\nalpha = 0.01   # stricter\nhistory_runs = 7\n"
			 "[throughput]\nthreshold = 0.08\n[endio]\nenabled = false\n[clat_p99]\nrequired = true\n");
	CHECK(cfg.required[WB_GM_THROUGHPUT] && !cfg.required[WB_GM_CLAT_P99], "only throughput required by default");
	CHECK(!wb_gate_config_load(&cfg, path, err, sizeof(err)), "load: %s", err);
	CHECK(cfg.alpha == 0.01 && cfg.history_runs == 7 && cfg.threshold[WB_GM_THROUGHPUT] == 0.08 &&
	      !cfg.enabled[WB_GM_ENDIO] && cfg.enabled[WB_GM_CLAT_P99] && cfg.required[WB_GM_CLAT_P99], "values");
	write_conf(path, "[gate]\nalpha = 0.05\n[throughput]\ntreshold = 0.1\n");
	CHECK(wb_gate_config_load(&cfg, path, err, sizeof(err)) && strstr(err, ":4:") && strstr(err, "treshold"),
	      "unknown key named with its line: %s", err);
	write_conf(path, "[latency]\nthreshold = 0.1\n");
	CHECK(wb_gate_config_load(&cfg, path, err, sizeof(err)) && strstr(err, "unknown section [latency]"), "%s", err);
	write_conf(path, "[gate]\nalpha = lots\n");
	CHECK(wb_gate_config_load(&cfg, path, err, sizeof(err)) && strstr(err, "not a number"), "%s", err);
	write_conf(path, "[gate]\nalpha = 2\n");
	CHECK(wb_gate_config_load(&cfg, path, err, sizeof(err)) && strstr(err, "out of range"), "%s", err);
	unlink(path);
	CHECK(wb_gate_config_load(&cfg, path, err, sizeof(err)) && strstr(err, path), "missing file: %s", err);
}

/* Runs timed differently (TCG vs TCG with instruction counting) never mix. */
static void test_accel(void)
{
	struct wb_samples s = { 0 };
	char err[256];

	CHECK(!wb_samples_accel(&s, NULL, err, sizeof(err)) && !s.accel[0], "not recorded: accepted");
	CHECK(!wb_samples_accel(&s, "tcg icount=3", err, sizeof(err)), "first run sets it");
	CHECK(!wb_samples_accel(&s, "tcg icount=3", err, sizeof(err)), "same timing: accepted");
	CHECK(wb_samples_accel(&s, "tcg", err, sizeof(err)) && strstr(err, "'tcg icount=3' and 'tcg'"),
	      "different timing refused: %s", err);
}

int main(void)
{
	test_cells();
	test_holm();
	test_config();
	test_accel();
	return check_done("test_gate");
}
