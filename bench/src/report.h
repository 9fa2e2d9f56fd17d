/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the benchmark subcommands (report, bench). */
#ifndef WB_REPORT_H
#define WB_REPORT_H

/* The repository root: $WBSCOPE_ROOT, else derived from the binary's location. */
const char *wb_root(void);
/* Rewrite the run index in results_dir/README.md; returns an exit status. */
int wb_results_index(const char *results_dir);

#endif
