// SPDX-License-Identifier: GPL-2.0
/* Loading benchmark run directories; see runs.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runs.h"

const char *const wb_phase_names[WB_PH_NR] = { "writepages", "bio", "endio" };

static void copy_str(char *dst, size_t len, json_t *v)
{
	snprintf(dst, len, "%s", json_is_string(v) ? json_string_value(v) : "");
}

/* Add fio's json+ "bins" object (latency ns -> count) to h. */
static int add_bins(struct wb_lathist *h, json_t *bins)
{
	const char *key;
	json_t *v;

	if (!json_is_object(bins))
		return -1;
	json_object_foreach(bins, key, v) {
		char *end;
		unsigned long long ns = strtoull(key, &end, 10);

		if (*end || !json_is_integer(v) || json_integer_value(v) < 0)
			return -1;
		wb_lat_add(h, ns, (uint64_t)json_integer_value(v));
	}
	return 0;
}

int wb_fio_parse(json_t *root, struct wb_run *r, char *err, size_t errlen)
{
	json_t *jobs = json_object_get(root, "jobs"), *job;
	size_t i;
	uint64_t wbytes = 0, rbytes = 0;
	double bw = 0, iops = 0;

	if (!json_is_array(jobs) || !json_array_size(jobs)) {
		snprintf(err, errlen, "no \"jobs\" array (not fio JSON output?)");
		return -1;
	}
	json_array_foreach(jobs, i, job) {
		json_t *w = json_object_get(job, "write"), *rd = json_object_get(job, "read");

		if (!json_is_object(w) || !json_is_object(rd)) {
			snprintf(err, errlen, "job %zu has no read/write sections", i);
			return -1;
		}
		if (json_integer_value(json_object_get(job, "error"))) {
			snprintf(err, errlen, "job %zu reports error %lld", i,
				 (long long)json_integer_value(json_object_get(job, "error")));
			return -1;
		}
		wbytes += json_integer_value(json_object_get(w, "io_bytes"));
		rbytes += json_integer_value(json_object_get(rd, "io_bytes"));
		bw += json_number_value(json_object_get(w, "bw_bytes")) +
		      json_number_value(json_object_get(rd, "bw_bytes"));
		iops += json_number_value(json_object_get(w, "iops")) +
			json_number_value(json_object_get(rd, "iops"));
	}
	r->bytes = wbytes + rbytes;
	r->bw_mib = bw / 1048576.0;
	r->iops = iops;
	r->ddir = wbytes >= rbytes ? "write" : "read";
	r->clat = calloc(1, sizeof(*r->clat));
	r->sync = calloc(1, sizeof(*r->sync));
	if (!r->clat || !r->sync) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_array_foreach(jobs, i, job) {
		json_t *d = json_object_get(job, r->ddir);
		json_t *bins = json_object_get(json_object_get(d, "clat_ns"), "bins");
		json_t *sbins = json_object_get(json_object_get(json_object_get(job, "sync"), "lat_ns"), "bins");

		if (json_integer_value(json_object_get(d, "total_ios")) > 0 && add_bins(r->clat, bins)) {
			snprintf(err, errlen, "job %zu: no clat_ns.bins (run fio with --output-format=json+)", i);
			return -1;
		}
		if (sbins && add_bins(r->sync, sbins)) {
			snprintf(err, errlen, "job %zu: malformed sync.lat_ns.bins", i);
			return -1;
		}
	}
	if (!r->sync->n) {
		free(r->sync);
		r->sync = NULL;
	}
	return 0;
}

/* The last document of an NDJSON file (the collectors print one at the end). */
static json_t *load_last_json(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *last = NULL;
	size_t cap = 0;
	json_t *j = NULL;

	if (!f)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		if (line[0] != '{')
			continue;
		free(last);
		last = strdup(line);
	}
	fclose(f);
	free(line);
	if (last)
		j = json_loads(last, 0, NULL);
	free(last);
	return j;
}

/* Sum one collector's groups for the run's device into the phase. */
static void load_collector(const char *rundir, struct wb_run *r, enum wb_phase ph)
{
	static const char *const ns_field[WB_PH_NR] = { "latency_ns_sum", "latency_ns_sum", "work_run_ns_sum" };
	static const char *const ev_field[WB_PH_NR] = { "calls", "bios", "works" };
	char path[4400];
	json_t *doc, *groups, *g, *v;
	size_t i;
	const char *key;

	snprintf(path, sizeof(path), "%s/%s.json", rundir, wb_phase_names[ph]);
	doc = load_last_json(path);
	if (!doc)
		return;
	if (strcmp(json_string_value(json_object_get(doc, "schema")) ?: "", "wbscope/1")) {
		json_decref(doc);
		return;
	}
	r->missed += json_integer_value(json_object_get(doc, "missed"));
	json_object_foreach(json_object_get(doc, "drops"), key, v)
		r->drops += json_integer_value(v);
	groups = json_object_get(doc, "groups");
	json_array_foreach(groups, i, g) {
		json_t *ns = json_object_get(g, ns_field[ph]);
		const char *devname = json_string_value(json_object_get(g, "devname"));

		/* The collectors watch every device: keep the run's own. */
		if (!ns || (r->devname[0] && devname && strcmp(devname, r->devname)))
			continue;
		r->has[ph] = true;
		r->phase_ns[ph] += json_number_value(ns);
		r->phase_events[ph] += json_number_value(json_object_get(g, ev_field[ph]));
		if (!r->seen_path[ph][0])
			copy_str(r->seen_path[ph], sizeof(r->seen_path[ph]), json_object_get(g, "path"));
		else if (strcmp(r->seen_path[ph], json_string_value(json_object_get(g, "path")) ?: ""))
			snprintf(r->seen_path[ph], sizeof(r->seen_path[ph]), "mixed");
	}
	json_decref(doc);
}

static int load_run(const char *rundir, struct wb_run *r, char *err, size_t errlen)
{
	char path[4400], e2[256];
	json_error_t je;
	json_t *meta, *fio, *vars;
	const char *bs;
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/run.json", rundir);
	meta = json_load_file(path, 0, &je);
	if (!meta) {
		snprintf(err, errlen, "%s: %s", path, je.text);
		return -1;
	}
	copy_str(r->id, sizeof(r->id), json_object_get(meta, "id"));
	copy_str(r->workload, sizeof(r->workload), json_object_get(meta, "workload"));
	copy_str(r->device, sizeof(r->device), json_object_get(meta, "device"));
	copy_str(r->path, sizeof(r->path), json_object_get(meta, "path"));
	copy_str(r->target, sizeof(r->target), json_object_get(meta, "target"));
	copy_str(r->job, sizeof(r->job), json_object_get(meta, "job"));
	copy_str(r->fs, sizeof(r->fs), json_object_get(meta, "fs"));
	{
		const char *dev = json_string_value(json_object_get(meta, "dev"));
		const char *slash = dev ? strrchr(dev, '/') : NULL;

		snprintf(r->devname, sizeof(r->devname), "%s", slash ? slash + 1 : dev ? dev : "");
	}
	r->rep = json_integer_value(json_object_get(meta, "rep"));
	r->order = json_integer_value(json_object_get(meta, "order"));
	vars = json_object_get(meta, "vars");
	bs = json_is_string(vars) ? strstr(json_string_value(vars), "BS=") : NULL;
	if (bs)
		sscanf(bs + 3, "%15s", r->bs);
	json_decref(meta);
	if (!r->workload[0] || !r->device[0] || !r->path[0] || r->rep <= 0) {
		snprintf(err, errlen, "%s: missing workload, device, path or rep", path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/fio.json", rundir);
	fio = json_load_file(path, 0, &je);
	if (!fio) {
		snprintf(err, errlen, "%s: %s", path, je.text);
		return -1;
	}
	rc = wb_fio_parse(fio, r, e2, sizeof(e2));
	json_decref(fio);
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, e2);
		return -1;
	}
	for (int ph = 0; ph < WB_PH_NR; ph++)
		load_collector(rundir, r, ph);
	return 0;
}

static int cmp_order(const void *a, const void *b)
{
	return ((const struct wb_run *)a)->order - ((const struct wb_run *)b)->order;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int wb_runset_load(const char *dir, struct wb_runset *rs, char *err, size_t errlen)
{
	char path[4400];
	json_error_t je;
	struct dirent *de;
	DIR *d;
	int cap = 0;

	memset(rs, 0, sizeof(*rs));
	snprintf(rs->dir, sizeof(rs->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/runner.json", dir);
	rs->runner = json_load_file(path, 0, &je);
	if (!rs->runner) {
		snprintf(err, errlen, "%s: %s (not a wbscope benchmark run directory?)", path, je.text);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/host.json", dir);
	rs->host = json_load_file(path, 0, NULL);
	snprintf(path, sizeof(path), "%s/kernel.info", dir);
	rs->kernel_info = slurp(path);
	snprintf(path, sizeof(path), "%s/runs", dir);
	d = opendir(path);
	if (!d) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char rundir[4400], e2[600];

		if (de->d_name[0] == '.')	/* ".", "..", and partial runs (".NAME.partial") */
			continue;
		if (rs->nr == cap) {
			cap = cap ? 2 * cap : 64;
			rs->runs = realloc(rs->runs, cap * sizeof(*rs->runs));
			if (!rs->runs) {
				closedir(d);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
		snprintf(rundir, sizeof(rundir), "%s/%s", path, de->d_name);
		if (load_run(rundir, &rs->runs[rs->nr], e2, sizeof(e2))) {
			fprintf(stderr, "wbscope report: skipping run: %s\n", e2);
			free(rs->runs[rs->nr].clat);
			free(rs->runs[rs->nr].sync);
			rs->skipped++;
			continue;
		}
		rs->nr++;
	}
	closedir(d);
	qsort(rs->runs, rs->nr, sizeof(*rs->runs), cmp_order);
	if (!rs->nr) {
		snprintf(err, errlen, "%s: no finished runs", path);
		return -1;
	}
	return 0;
}

void wb_runset_free(struct wb_runset *rs)
{
	for (int i = 0; i < rs->nr; i++) {
		free(rs->runs[i].clat);
		free(rs->runs[i].sync);
	}
	free(rs->runs);
	free(rs->kernel_info);
	json_decref(rs->runner);
	json_decref(rs->host);
	memset(rs, 0, sizeof(*rs));
}
