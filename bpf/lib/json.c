// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include "json.h"
#include "hist.h"

void wb_json_init(struct wb_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->count[0] = 0;
	j->after_key = 0;
	j->error = 0;
}

/* Called before every value or key: writes the separating comma when needed. */
static void sep(struct wb_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->count[j->depth]++ > 0)
		fputc(',', j->out);
}

static void push(struct wb_json *j, char c)
{
	sep(j);
	fputc(c, j->out);
	if (j->depth + 1 >= WB_JSON_MAX_DEPTH) {
		j->error = 1;
		return;
	}
	j->count[++j->depth] = 0;
}

static void pop(struct wb_json *j, char c)
{
	if (j->depth == 0 || j->after_key) {
		j->error = 1;
		return;
	}
	j->depth--;
	fputc(c, j->out);
}

void wb_json_obj_begin(struct wb_json *j) { push(j, '{'); }
void wb_json_obj_end(struct wb_json *j) { pop(j, '}'); }
void wb_json_arr_begin(struct wb_json *j) { push(j, '['); }
void wb_json_arr_end(struct wb_json *j) { pop(j, ']'); }

static void put_escaped(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void wb_json_key(struct wb_json *j, const char *key)
{
	if (j->after_key || j->depth == 0) {
		j->error = 1;
		return;
	}
	sep(j);
	put_escaped(j->out, key);
	fputc(':', j->out);
	j->after_key = 1;
}

void wb_json_str(struct wb_json *j, const char *s) { sep(j); put_escaped(j->out, s); }
void wb_json_int(struct wb_json *j, long long v) { sep(j); fprintf(j->out, "%lld", v); }
void wb_json_uint(struct wb_json *j, unsigned long long v) { sep(j); fprintf(j->out, "%llu", v); }
void wb_json_bool(struct wb_json *j, int v) { sep(j); fputs(v ? "true" : "false", j->out); }
void wb_json_null(struct wb_json *j) { sep(j); fputs("null", j->out); }

void wb_json_double(struct wb_json *j, double v)
{
	sep(j);
	/* JSON has no NaN or infinity. */
	if (!isfinite(v))
		fputs("null", j->out);
	else
		fprintf(j->out, "%.17g", v);
}

int wb_json_finish(struct wb_json *j)
{
	if (j->depth != 0 || j->after_key)
		j->error = 1;
	fputc('\n', j->out);
	fflush(j->out);
	j->count[0] = 0;
	return j->error ? -1 : 0;
}

void wb_json_kv_str(struct wb_json *j, const char *k, const char *v) { wb_json_key(j, k); wb_json_str(j, v); }
void wb_json_kv_int(struct wb_json *j, const char *k, long long v) { wb_json_key(j, k); wb_json_int(j, v); }
void wb_json_kv_uint(struct wb_json *j, const char *k, unsigned long long v) { wb_json_key(j, k); wb_json_uint(j, v); }
void wb_json_kv_double(struct wb_json *j, const char *k, double v) { wb_json_key(j, k); wb_json_double(j, v); }

void wb_json_hist(struct wb_json *j, const char *key, const struct wb_hist *h, const char *unit)
{
	int last = wb_hist_last_slot(h);

	wb_json_key(j, key);
	wb_json_obj_begin(j);
	wb_json_kv_str(j, "unit", unit);
	wb_json_kv_str(j, "type", "log2");
	wb_json_kv_uint(j, "count", h->count);
	wb_json_kv_uint(j, "sum", h->sum);
	wb_json_kv_double(j, "p50", wb_hist_quantile(h, 0.50));
	wb_json_kv_double(j, "p99", wb_hist_quantile(h, 0.99));
	wb_json_key(j, "buckets");
	wb_json_arr_begin(j);
	for (int i = 0; i <= last; i++) {
		wb_json_obj_begin(j);
		wb_json_kv_uint(j, "lo", wb_slot_lo(i));
		wb_json_kv_uint(j, "hi", wb_slot_hi(i));
		wb_json_kv_uint(j, "count", h->slots[i]);
		wb_json_obj_end(j);
	}
	wb_json_arr_end(j);
	wb_json_obj_end(j);
}
