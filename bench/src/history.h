/* SPDX-License-Identifier: GPL-2.0 */
/* The results history: an SQLite database of every run's per-run samples. */
#ifndef WB_HISTORY_H
#define WB_HISTORY_H

#include <stddef.h>
#include "samples.h"

/* Default database path: $WBSCOPE_HISTORY, else <root>/results/history.sqlite. */
const char *wb_history_default(void);
/* Record a run directory (its summary.json); a run already recorded is left as is. */
int wb_history_add(const char *db, const char *run_dir, int *added, char *err, size_t errlen);
/* The samples of the last n runs with the candidate's matrix and mode, the candidate
 * itself excluded, into s. */
int wb_history_baseline(const char *db, const char *candidate_dir, int n, struct wb_samples *s,
			char *err, size_t errlen);

#endif
