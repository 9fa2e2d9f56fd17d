// SPDX-License-Identifier: GPL-2.0
/* Unit tests: kernel symbol lookup for stack traces, from a kallsyms-format file. */
#include <stdlib.h>
#include "check.h"
#include "ksyms.h"

int main(void)
{
	char path[] = "/tmp/wbscope-ksyms-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct wb_ksyms *k;
	unsigned long long off = 0;

	fputs("ffffffff81000000 T _stext\n"
	      "ffffffff81002000 t folio_unlock\n"
	      "ffffffff81001000 T down_write\n"
	      "ffffffff81003000 D some_data\n"
	      "ffffffff81004000 T ext4_writepages\t[ext4]\n", f);
	fclose(f);
	k = wb_ksyms_load(path);
	CHECK(k != NULL, "loaded");
	CHECK_STR(wb_ksyms_lookup(k, 0xffffffff81001010ULL, &off), "down_write");
	CHECK(off == 0x10, "offset %llx", off);
	CHECK_STR(wb_ksyms_lookup(k, 0xffffffff81002fffULL, &off), "folio_unlock");
	/* data symbols are not functions: the address belongs to the function before */
	CHECK_STR(wb_ksyms_lookup(k, 0xffffffff81003004ULL, &off), "folio_unlock");
	CHECK_STR(wb_ksyms_lookup(k, 0xffffffff81004000ULL, &off), "ext4_writepages");
	CHECK(wb_ksyms_lookup(k, 0x1000, &off) == NULL, "below the first symbol");
	wb_ksyms_free(k);

	/* kptr_restrict: every address reads as 0, nothing usable */
	f = fopen(path, "w");
	fputs("0000000000000000 T _stext\n0000000000000000 T down_write\n", f);
	fclose(f);
	CHECK(wb_ksyms_load(path) == NULL, "all-zero addresses give no table");
	CHECK(wb_ksyms_load("/nonexistent/kallsyms") == NULL, "missing file");
	remove(path);
	return check_done("ksyms");
}
