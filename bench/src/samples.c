// SPDX-License-Identifier: GPL-2.0
/* Per-run samples of the gated metrics; see samples.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "samples.h"

const struct wb_gate_metric_info wb_gate_metrics[WB_GM_NR] = {
	[WB_GM_THROUGHPUT] = { "throughput", "MiB/s", "fio throughput", 1, 0.05 },
	[WB_GM_CLAT_P99] = { "clat_p99", "us", "p99 latency per I/O", 0, 0.10 },
	[WB_GM_WRITEPAGES] = { "writepages", "us/MiB", "writepages time per MiB", 0, 0.10 },
	[WB_GM_ENDIO] = { "endio", "us/MiB", "end-I/O work time per MiB", 0, 0.10 },
};

int wb_gate_metric_by_name(const char *name)
{
	for (int m = 0; m < WB_GM_NR; m++)
		if (!strcmp(wb_gate_metrics[m].name, name))
			return m;
	return -1;
}

struct wb_cell *wb_samples_find(const struct wb_samples *s, const char *workload, const char *device,
				const char *path, enum wb_gate_metric m)
{
	for (int i = 0; i < s->nr; i++) {
		struct wb_cell *c = &s->cells[i];

		if (c->metric == m && !strcmp(c->workload, workload) && !strcmp(c->device, device) &&
		    !strcmp(c->path, path))
			return c;
	}
	return NULL;
}

int wb_samples_run(struct wb_samples *s, const char *run_id)
{
	char **ids = realloc(s->run_ids, (s->runs + 1) * sizeof(*ids));

	if (!ids)
		return -1;
	s->run_ids = ids;
	s->run_ids[s->runs] = strdup(run_id);
	return s->runs++;
}

int wb_samples_add(struct wb_samples *s, const char *workload, const char *device, const char *path,
		   enum wb_gate_metric m, int run, int rep, double v)
{
	struct wb_cell *c = wb_samples_find(s, workload, device, path, m);

	if (isnan(v))
		return 0;
	if (!c) {
		if (s->nr == s->cap) {
			int cap = s->cap ? 2 * s->cap : 64;
			struct wb_cell *n = realloc(s->cells, cap * sizeof(*n));

			if (!n)
				return -1;
			s->cells = n;
			s->cap = cap;
		}
		c = &s->cells[s->nr++];
		memset(c, 0, sizeof(*c));
		snprintf(c->workload, sizeof(c->workload), "%s", workload);
		snprintf(c->device, sizeof(c->device), "%s", device);
		snprintf(c->path, sizeof(c->path), "%s", path);
		c->metric = m;
	}
	if (c->n == WB_SAMPLES_MAX)
		return -1;
	c->v[c->n] = v;
	c->rep[c->n] = rep;
	c->run[c->n++] = run;
	return 0;
}

static double num_or_nan(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

int wb_samples_accel(struct wb_samples *s, const char *accel, char *err, size_t errlen)
{
	if (!accel || !*accel)
		return 0;	/* not recorded: nothing to check */
	if (!s->accel[0]) {
		snprintf(s->accel, sizeof(s->accel), "%s", accel);
		return 0;
	}
	if (!strcmp(s->accel, accel))
		return 0;
	snprintf(err, errlen, "runs timed differently ('%s' and '%s'): their numbers are not comparable",
		 s->accel, accel);
	return -1;
}

int wb_samples_add_summary(struct wb_samples *s, json_t *sum, char *err, size_t errlen)
{
	json_t *groups = json_object_get(sum, "groups"), *g;
	const char *schema = json_string_value(json_object_get(sum, "schema"));
	size_t i;
	int run;

	if (!schema || strcmp(schema, "wbscope-bench/1")) {
		snprintf(err, errlen, "schema is '%s', expected wbscope-bench/1", schema ?: "missing");
		return -1;
	}
	if (!json_is_array(groups)) {
		snprintf(err, errlen, "no \"groups\" array");
		return -1;
	}
	if (wb_samples_accel(s, json_string_value(json_object_get(json_object_get(sum, "host"), "accel")),
			     err, errlen))
		return -1;
	run = wb_samples_run(s, json_string_value(json_object_get(sum, "run_id")) ?: "?");
	if (run < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_array_foreach(groups, i, g) {
		const char *wl = json_string_value(json_object_get(g, "workload"));
		const char *dev = json_string_value(json_object_get(g, "device"));
		const char *path;
		json_t *runs = json_object_get(g, "runs"), *list;

		if (!wl || !dev || !json_is_object(runs)) {
			snprintf(err, errlen, "group %zu lacks workload, device or runs", i);
			return -1;
		}
		json_object_foreach(runs, path, list) {
			size_t k;
			json_t *r;

			json_array_foreach(list, k, r) {
				int rep = json_integer_value(json_object_get(r, "rep"));
				json_t *ph = json_object_get(r, "phases_us_per_mib");

				if (wb_samples_add(s, wl, dev, path, WB_GM_THROUGHPUT, run, rep,
						   num_or_nan(json_object_get(r, "mib_s"))) ||
				    wb_samples_add(s, wl, dev, path, WB_GM_CLAT_P99, run, rep,
						   num_or_nan(json_object_get(r, "clat_p99_us"))) ||
				    wb_samples_add(s, wl, dev, path, WB_GM_WRITEPAGES, run, rep,
						   num_or_nan(json_object_get(ph, "writepages"))) ||
				    wb_samples_add(s, wl, dev, path, WB_GM_ENDIO, run, rep,
						   num_or_nan(json_object_get(ph, "endio")))) {
					snprintf(err, errlen, "too many samples of %s on %s (%s)", wl, dev, path);
					return -1;
				}
			}
		}
	}
	return 0;
}

int wb_samples_add_file(struct wb_samples *s, const char *run_dir, char *err, size_t errlen)
{
	char path[4200], e2[512];
	json_error_t je;
	json_t *sum;
	int rc;

	snprintf(path, sizeof(path), "%s/summary.json", run_dir);
	sum = json_load_file(path, 0, &je);
	if (!sum) {
		snprintf(err, errlen, "%s: %s (run 'wbscope report %s' first?)", path, je.text, run_dir);
		return -1;
	}
	rc = wb_samples_add_summary(s, sum, e2, sizeof(e2));
	if (rc)
		snprintf(err, errlen, "%s: %s", path, e2);
	json_decref(sum);
	return rc;
}

void wb_samples_free(struct wb_samples *s)
{
	for (int i = 0; i < s->runs; i++)
		free(s->run_ids[i]);
	free(s->run_ids);
	free(s->cells);
	memset(s, 0, sizeof(*s));
}
