// SPDX-License-Identifier: GPL-2.0
/*
 * The report's plots, drawn by gnuplot as SVG: throughput per workload with the 95%
 * intervals of each path's median, the iomap/buffer_head ratios with their intervals,
 * latency CDFs per workload from the merged histograms, and the write-back phase
 * breakdown. Each plot leaves its data (.dat) and script (.gp) next to the SVG so a user
 * can restyle it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "plot.h"

#define TERM "set terminal svg size %d,%d dynamic noenhanced font 'sans,11' background '#ffffff'\n"

static FILE *open_in(const char *dir, const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, name);
	return fopen(path, "w");
}

/* Run gnuplot on dir/name.gp (which writes dir/name.svg). */
static int run_gnuplot(const char *dir, const char *name, char *err, size_t errlen)
{
	char cmd[9000];
	int rc;

	snprintf(cmd, sizeof(cmd), "cd '%s' && gnuplot '%s.gp' 2>'%s.log'", dir, name, name);
	rc = system(cmd);
	if (rc) {
		snprintf(err, errlen, "gnuplot failed on %s/%s.gp (see %s/%s.log)", dir, name, dir, name);
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "%s/%s.log", dir, name);
	unlink(cmd);
	return 0;
}

static void label(char *buf, size_t len, const struct wb_group *g)
{
	snprintf(buf, len, "%s/%s", g->workload, g->device);
}

static int plot_throughput(const struct wb_comparison *c, const char *dir, char *err, size_t errlen)
{
	char path[4200], l[96];
	FILE *d = open_in(dir, "throughput.dat", path, sizeof(path)), *gp;

	if (!d)
		goto fail;
	fprintf(d, "# workload/device  %s: median lo hi  %s: median lo hi  (MiB/s, 95%% bootstrap)\n",
		c->paths[0], c->paths[1]);
	for (int i = 0; i < c->nr; i++) {
		const struct wb_metric *m = &c->groups[i].bw;

		label(l, sizeof(l), &c->groups[i]);
		fprintf(d, "\"%s\" %g %g %g %g %g %g\n", l, m->value[0], m->ci[0][0], m->ci[0][1],
			m->value[1], m->ci[1][0], m->ci[1][1]);
	}
	fclose(d);
	gp = open_in(dir, "throughput.gp", path, sizeof(path));
	if (!gp)
		goto fail;
	fprintf(gp, TERM, 120 + 70 * c->nr, 520);
	fprintf(gp, "set output 'throughput.svg'\n"
		"set title 'Throughput per workload: median of the runs, 95%% bootstrap interval'\n"
		"set ylabel 'MiB/s'\nset logscale y\nset grid ytics\nset key top left\n"
		"set style data histogram\nset style histogram errorbars gap 1 lw 1\n"
		"set style fill solid 0.7 border -1\nset xtics rotate by -35 left\nset bmargin 9\n"
		"plot 'throughput.dat' using 2:3:4:xtic(1) title '%s' lc rgb '#4477aa', \\\n"
		"     '' using 5:6:7 title '%s' lc rgb '#ee6677'\n", c->paths[0], c->paths[1]);
	fclose(gp);
	return run_gnuplot(dir, "throughput", err, errlen);
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

static int plot_ratio(const struct wb_comparison *c, const char *dir, char *err, size_t errlen)
{
	char path[4200], l[96];
	FILE *d = open_in(dir, "ratio.dat", path, sizeof(path)), *gp;

	if (!d)
		goto fail;
	fprintf(d, "# index workload/device  throughput ratio %s/%s  lo hi\n", c->paths[1], c->paths[0]);
	for (int i = 0; i < c->nr; i++) {
		const struct wb_metric *m = &c->groups[i].bw;

		label(l, sizeof(l), &c->groups[i]);
		fprintf(d, "%d \"%s\" %g %g %g\n", i, l, m->ratio, m->lo, m->hi);
	}
	fclose(d);
	gp = open_in(dir, "ratio.gp", path, sizeof(path));
	if (!gp)
		goto fail;
	fprintf(gp, TERM, 120 + 60 * c->nr, 480);
	fprintf(gp, "set output 'ratio.svg'\n"
		"set title 'Throughput ratio %s / %s with 95%% bootstrap interval (above 1: %s faster)'\n"
		"set ylabel 'ratio'\nset grid ytics\nset key off\nset xrange [-0.5:%d]\n"
		"set xtics rotate by -35 left\nset bmargin 9\nset arrow from -0.5,1 to %d,1 nohead dt 2\n"
		"plot 'ratio.dat' using 1:3:4:5:xtic(2) with yerrorbars pt 7 lc rgb '#228833'\n",
		c->paths[1], c->paths[0], c->paths[1], c->nr, c->nr);
	fclose(gp);
	return run_gnuplot(dir, "ratio", err, errlen);
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

static int plot_cdf(const struct wb_comparison *c, const struct wb_group *g, const char *dir,
		    char *err, size_t errlen)
{
	char path[4200], name[128];
	FILE *d, *gp;

	snprintf(name, sizeof(name), "latency-%s-%s", g->workload, g->device);
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	d = fopen(path, "w");
	if (!d)
		goto fail;
	for (int s = 0; s < 2; s++) {
		uint64_t cum = 0;

		fprintf(d, "# %s: latency_us cumulative_fraction\n", c->paths[s]);
		for (int i = 0; i < WB_LAT_NR && g->merged[s].n; i++) {
			if (!g->merged[s].count[i])
				continue;
			cum += g->merged[s].count[i];
			fprintf(d, "%g %.6f\n", wb_lat_value(i) / 1000.0, (double)cum / g->merged[s].n);
		}
		fprintf(d, "\n\n");
	}
	fclose(d);
	snprintf(path, sizeof(path), "%s/%s.gp", dir, name);
	gp = fopen(path, "w");
	if (!gp)
		goto fail;
	fprintf(gp, TERM, 720, 440);
	fprintf(gp, "set output '%s.svg'\n"
		"set title 'Per-I/O latency CDF, %s on %s (all runs of each path merged)'\n"
		"set xlabel 'latency (us)'\nset ylabel 'fraction of I/Os'\nset logscale x\n"
		"set grid\nset key bottom right\nset yrange [0:1]\n"
		"plot '%s.dat' index 0 using 1:2 with steps lw 2 lc rgb '#4477aa' title '%s', \\\n"
		"     '' index 1 using 1:2 with steps lw 2 lc rgb '#ee6677' title '%s'\n",
		name, g->workload, g->device, name, c->paths[0], c->paths[1]);
	fclose(gp);
	return run_gnuplot(dir, name, err, errlen);
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

static int plot_phases(const struct wb_comparison *c, const char *dir, char *err, size_t errlen)
{
	char path[4200], l[96];
	FILE *d = open_in(dir, "phases.dat", path, sizeof(path)), *gp;
	int rows = 0;

	if (!d)
		goto fail;
	fprintf(d, "# workload/device/path  us per MiB written in: writepages bio end-I/O-work\n");
	for (int i = 0; i < c->nr; i++)
		for (int s = 0; s < 2; s++) {
			const struct wb_group *g = &c->groups[i];
			const double *v = g->phase_us_per_mib[s];
			int any = 0;

			for (int ph = 0; ph < WB_PH_NR; ph++)
				any |= g->phase_runs[0][ph] || g->phase_runs[1][ph];
			if (!any)	/* nothing written back (page cache only, reads) */
				continue;

			label(l, sizeof(l), g);
			fprintf(d, "\"%s %s\"", l, c->paths[s]);
			for (int ph = 0; ph < WB_PH_NR; ph++)
				fprintf(d, " %g", isnan(v[ph]) ? 0 : v[ph]);
			fprintf(d, "\n");
			rows++;
		}
	fclose(d);
	if (!rows)
		return 0;
	gp = open_in(dir, "phases.gp", path, sizeof(path));
	if (!gp)
		goto fail;
	fprintf(gp, TERM, 160 + 34 * rows, 560);
	fprintf(gp, "set output 'phases.svg'\n"
		"set title 'Write-back phases: time per MiB written (median of the runs, BPF collectors)'\n"
		"set ylabel 'us per MiB'\nset grid ytics\nset key outside top center horizontal\n"
		"set style data histogram\nset style histogram rowstacked\nset boxwidth 0.75\n"
		"set style fill solid 0.8 border -1\nset xtics rotate by -45 left font ',9'\nset bmargin 14\n"
		"plot 'phases.dat' using 2:xtic(1) title 'writepages (call time)' lc rgb '#4477aa', \\\n"
		"     '' using 3 title 'bio (submit to completion)' lc rgb '#ccbb44', \\\n"
		"     '' using 4 title 'end-I/O work (run time)' lc rgb '#aa3377'\n");
	fclose(gp);
	return run_gnuplot(dir, "phases", err, errlen);
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

int wb_plot_all(const struct wb_comparison *c, const char *plotdir, char *err, size_t errlen)
{
	if (mkdir(plotdir, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", plotdir, strerror(errno));
		return -1;
	}
	if (system("command -v gnuplot >/dev/null 2>&1")) {
		snprintf(err, errlen, "gnuplot is not installed (run: make setup)");
		return -1;
	}
	if (plot_throughput(c, plotdir, err, errlen) || plot_ratio(c, plotdir, err, errlen) ||
	    plot_phases(c, plotdir, err, errlen))
		return -1;
	for (int i = 0; i < c->nr; i++)
		if (c->groups[i].merged[0].n && c->groups[i].merged[1].n &&
		    plot_cdf(c, &c->groups[i], plotdir, err, errlen))
			return -1;
	return 0;
}
