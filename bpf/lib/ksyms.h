/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbols from /proc/kallsyms, for printing stack traces. */
#ifndef WB_KSYMS_H
#define WB_KSYMS_H

struct wb_ksyms;

/* NULL if the file cannot be read. */
struct wb_ksyms *wb_ksyms_load(const char *path);
void wb_ksyms_free(struct wb_ksyms *k);
/* Name of the function containing addr and the offset into it; NULL if unknown. */
const char *wb_ksyms_lookup(const struct wb_ksyms *k, unsigned long long addr,
			    unsigned long long *offset);

#endif
