// SPDX-License-Identifier: GPL-2.0
/* Unit tests: option value parsers and device name resolution. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "common.h"

int main(void)
{
	char err[256], name[64], path[] = "/tmp/wbscope-partitions-XXXXXX";
	unsigned long long v;
	unsigned int dev;
	double d;
	int fd;
	FILE *f;

	CHECK(wb_parse_uint("42", 100, &v, err, sizeof(err)) == 0 && v == 42, "uint");
	CHECK(wb_parse_uint("101", 100, &v, err, sizeof(err)) == -1 && strstr(err, "too large"), "max: %s", err);
	CHECK(wb_parse_uint("-1", 100, &v, err, sizeof(err)) == -1, "negative");
	CHECK(wb_parse_uint("12abc", 100, &v, err, sizeof(err)) == -1 && strstr(err, "12abc"), "junk named: %s", err);
	CHECK(wb_parse_uint("", 100, &v, err, sizeof(err)) == -1, "empty");
	CHECK(wb_parse_uint("99999999999999999999999", ~0ULL, &v, err, sizeof(err)) == -1, "overflow");

	CHECK(wb_parse_seconds("1.5", &d, err, sizeof(err)) == 0 && d == 1.5, "seconds");
	CHECK(wb_parse_seconds("0", &d, err, sizeof(err)) == -1, "zero seconds");
	CHECK(wb_parse_seconds("-2", &d, err, sizeof(err)) == -1, "negative seconds");
	CHECK(wb_parse_seconds("nan", &d, err, sizeof(err)) == -1, "nan seconds");
	CHECK(wb_parse_seconds("1s", &d, err, sizeof(err)) == -1 && strstr(err, "1s"), "suffix: %s", err);

	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fprintf(f, "major minor  #blocks  name\n\n 254        0  262144000 vda\n   7        0     524288 loop0\n 259        3       1024 nvme0n1p3\n");
	fclose(f);

	CHECK(wb_parse_dev("7:0", path, &dev, err, sizeof(err)) == 0 && dev == WB_MKDEV(7, 0), "maj:min");
	CHECK(wb_parse_dev("8:16", path, &dev, err, sizeof(err)) == -1 && strstr(err, "no block device 8:16"),
	      "absent maj:min: %s", err);
	CHECK(wb_parse_dev("loop0", path, &dev, err, sizeof(err)) == 0 && dev == WB_MKDEV(7, 0), "name");
	CHECK(wb_parse_dev("nvme0n1p3", path, &dev, err, sizeof(err)) == 0 && dev == WB_MKDEV(259, 3), "nvme name");
	CHECK(wb_parse_dev("sdz", path, &dev, err, sizeof(err)) == -1 && strstr(err, "sdz"), "unknown named: %s", err);
	CHECK(wb_parse_dev("8:x", path, &dev, err, sizeof(err)) == -1, "bad maj:min");
	CHECK(wb_parse_dev("5000:1", path, &dev, err, sizeof(err)) == -1 && strstr(err, "range"), "major range: %s", err);
	CHECK(wb_parse_dev("/nonexistent/dev", path, &dev, err, sizeof(err)) == -1 && strstr(err, "not a block device"), "path: %s", err);
	CHECK(wb_parse_dev("", path, &dev, err, sizeof(err)) == -1, "empty dev");
	CHECK(wb_parse_dev("loop0", "/nonexistent/partitions", &dev, err, sizeof(err)) == -1 &&
	      strstr(err, "cannot read /nonexistent/partitions"), "unreadable: %s", err);

	wb_dev_name(WB_MKDEV(7, 0), path, name, sizeof(name));
	CHECK_STR(name, "loop0");
	wb_dev_name(WB_MKDEV(9, 9), path, name, sizeof(name));
	CHECK_STR(name, "9:9");
	CHECK(WB_DEV_MAJOR(WB_MKDEV(259, 3)) == 259 && WB_DEV_MINOR(WB_MKDEV(259, 3)) == 3, "dev macros");

	/* Kernel BTF look-ups (bio: does struct bio carry issue_time_ns?). */
	if (access("/sys/kernel/btf/vmlinux", R_OK) == 0) {
		CHECK(wb_btf_has_member("bio", "bi_iter"), "struct bio has bi_iter");
		CHECK(!wb_btf_has_member("bio", "no_such_member"), "no such member");
		CHECK(!wb_btf_has_member("no_such_struct_wb", "bi_iter"), "no such struct");
	} else {
		CHECK(!wb_btf_has_member("bio", "bi_iter"), "without kernel BTF: false");
	}

	unlink(path);

	/* One-number files (module parameters, sysctls): written, read back, bad ones refused. */
	{
		char upath[] = "/tmp/wbscope-uint-XXXXXX";
		unsigned int u = 0;
		int ufd = mkstemp(upath);

		CHECK(ufd >= 0, "mkstemp");
		close(ufd);
		CHECK(wb_write_uint_file(upath, 16) == 0 && wb_read_uint_file(upath, &u) == 0 && u == 16,
		      "uint file round trip: %u", u);
		f = fopen(upath, "w");
		fputs("sixteen\n", f);
		fclose(f);
		CHECK(wb_read_uint_file(upath, &u) == -EINVAL, "not a number: -EINVAL");
		unlink(upath);
		CHECK(wb_read_uint_file(upath, &u) == -ENOENT, "missing file: -ENOENT");
	}
	return check_done("opts");
}
