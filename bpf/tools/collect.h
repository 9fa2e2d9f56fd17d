/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The collectors behind the tracing subcommands: open (probe hooks, load, attach),
 * collect one interval, close. Each subcommand prints its own data; `wbscope top`
 * runs several collectors at once.
 */
#ifndef WB_COLLECT_H
#define WB_COLLECT_H

#include <stdio.h>
#include "common.h"
#include "hooks.h"
#include "bio.h"
#include "endio.h"

struct wb_json;

struct bio_state;
struct bio_snap {
	int n;
	struct bio_key keys[BIO_MAX_GROUPS];
	struct bio_val vals[BIO_MAX_GROUPS];
	unsigned long long cnt[BIO_NR_COUNTERS];
	unsigned long long stale;
};
/* hooks_out: where to print the chosen hooks (NULL: nowhere). Returns 0 or -errno. */
int bio_open(const struct wb_opts *o, struct bio_state **st, FILE *hooks_out);
int bio_collect(struct bio_state *st, struct bio_snap *snap);
void bio_close(struct bio_state *st);
const struct wb_metric *bio_metrics(const struct bio_state *st, int *n);
void bio_json_groups(struct wb_json *j, const struct wb_opts *o, const struct bio_snap *s);

struct endio_state;
struct endio_snap {
	int n;
	struct eio_key keys[EIO_MAX_GROUPS];
	struct eio_val vals[EIO_MAX_GROUPS];
	unsigned long long cnt[EIO_NR_COUNTERS];
	unsigned long long stale;
};
int endio_open(const struct wb_opts *o, struct endio_state **st, FILE *hooks_out);
int endio_collect(struct endio_state *st, struct endio_snap *snap);
void endio_close(struct endio_state *st);
const struct wb_metric *endio_metrics(const struct endio_state *st, int *n);
void endio_json_groups(struct wb_json *j, const struct endio_state *st, const struct wb_opts *o,
		       const struct endio_snap *s);

#endif
