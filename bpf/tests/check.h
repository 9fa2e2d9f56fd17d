/* SPDX-License-Identifier: GPL-2.0 */
/* Tiny test harness: CHECK records a result; check_done prints "N passed, N failed". */
#ifndef WB_CHECK_H
#define WB_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_pass, check_fail;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		check_pass++;						\
	} else {							\
		check_fail++;						\
		fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

#define CHECK_STR(got, want) CHECK(strcmp((got), (want)) == 0, "got\n%s\nwant\n%s", (got), (want))

static inline int check_done(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, check_pass, check_fail);
	return check_fail ? 1 : 0;
}

/* Run fn with output captured into buf (NUL-terminated). */
#define CAPTURE(buf, len, stmt) do {					\
	FILE *_f = fmemopen((buf), (len), "w");				\
	if (_f) { FILE *out = _f; (void)out; stmt; fclose(_f); }	\
} while (0)

#endif
