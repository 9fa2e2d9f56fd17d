// SPDX-License-Identifier: GPL-2.0
/*
 * wbscope bench [options]: run the benchmark matrix. The orchestration (building the
 * kernel, booting the guest, running fio and the collectors in it, then the report) is
 * scripts/bench; this subcommand hands its arguments over, so that `wbscope bench`
 * and `make bench` are the same thing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "common.h"
#include "report.h"

int cmd_bench(int argc, char **argv)
{
	char script[PATH_MAX];

	snprintf(script, sizeof(script), "%s/scripts/bench", wb_root());
	if (access(script, X_OK)) {
		fprintf(stderr, "wbscope bench: cannot run %s: %s (set WBSCOPE_ROOT to the wbscope checkout)\n",
			script, strerror(errno));
		return WB_EXIT_ERROR;
	}
	argv[0] = script;
	execv(script, argv);
	fprintf(stderr, "wbscope bench: exec %s: %s\n", script, strerror(errno));
	return WB_EXIT_ERROR;
}
