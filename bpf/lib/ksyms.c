// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

struct ksym {
	unsigned long long addr;
	char *name;
};

struct wb_ksyms {
	struct ksym *syms;
	size_t n;
};

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct wb_ksyms *wb_ksyms_load(const char *path)
{
	FILE *f = fopen(path ? path : "/proc/kallsyms", "r");
	struct wb_ksyms *k;
	size_t cap = 0;
	char line[512];

	if (!f)
		return NULL;
	k = calloc(1, sizeof(*k));
	while (k && fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[256];

		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !addr)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (k->n == cap) {
			struct ksym *s = realloc(k->syms, (cap = cap ? cap * 2 : 65536) * sizeof(*s));

			if (!s)
				break;
			k->syms = s;
		}
		k->syms[k->n].addr = addr;
		k->syms[k->n].name = strdup(name);
		if (k->syms[k->n].name)
			k->n++;
	}
	fclose(f);
	if (k && !k->n) {
		wb_ksyms_free(k);
		return NULL;	/* kptr_restrict: all addresses read as 0 */
	}
	if (k)
		qsort(k->syms, k->n, sizeof(*k->syms), cmp_ksym);
	return k;
}

void wb_ksyms_free(struct wb_ksyms *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		free(k->syms[i].name);
	free(k->syms);
	free(k);
}

const char *wb_ksyms_lookup(const struct wb_ksyms *k, unsigned long long addr,
			    unsigned long long *offset)
{
	size_t lo = 0, hi;

	if (!k || !k->n || addr < k->syms[0].addr)
		return NULL;
	hi = k->n;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = addr - k->syms[lo].addr;
	return k->syms[lo].name;
}
