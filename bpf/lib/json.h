/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal streaming JSON writer for wbscope's versioned output schema
 * (docs/json-schema.md). It tracks nesting and commas; strings are escaped.
 */
#ifndef WB_JSON_H
#define WB_JSON_H

#include <stdio.h>
#include "wbscope.h"

#define WB_JSON_SCHEMA "wbscope/1"
#define WB_JSON_MAX_DEPTH 32

struct wb_json {
	FILE *out;
	int depth;
	int count[WB_JSON_MAX_DEPTH];	/* members written at each level */
	int after_key;			/* a key was written; the value follows */
	int error;			/* nesting misuse: set, never cleared */
};

void wb_json_init(struct wb_json *j, FILE *out);
void wb_json_obj_begin(struct wb_json *j);
void wb_json_obj_end(struct wb_json *j);
void wb_json_arr_begin(struct wb_json *j);
void wb_json_arr_end(struct wb_json *j);
void wb_json_key(struct wb_json *j, const char *key);
void wb_json_str(struct wb_json *j, const char *s);
void wb_json_int(struct wb_json *j, long long v);
void wb_json_uint(struct wb_json *j, unsigned long long v);
void wb_json_double(struct wb_json *j, double v);
void wb_json_bool(struct wb_json *j, int v);
void wb_json_null(struct wb_json *j);
/* Ends a top-level value with a newline (one JSON document per line). */
int wb_json_finish(struct wb_json *j);

/* key + value shorthands */
void wb_json_kv_str(struct wb_json *j, const char *k, const char *v);
void wb_json_kv_int(struct wb_json *j, const char *k, long long v);
void wb_json_kv_uint(struct wb_json *j, const char *k, unsigned long long v);
void wb_json_kv_double(struct wb_json *j, const char *k, double v);

/*
 * A log2 histogram as {"unit","type":"log2","count","sum","p50","p99","buckets":[...]}
 * where each bucket is {"lo","hi","count"} with inclusive bounds; empty buckets below the
 * last non-empty one are kept so that consumers can merge histograms slot by slot.
 */
void wb_json_hist(struct wb_json *j, const char *key, const struct wb_hist *h, const char *unit);

#endif
