// SPDX-License-Identifier: GPL-2.0
/* wbscope: one command, subcommands in the style of perf and bpftool. */
#include <stdio.h>
#include <string.h>
#include "common.h"
#include "commands.h"

#ifndef WBSCOPE_VERSION
#define WBSCOPE_VERSION "dev"
#endif

const char *argp_program_version = "wbscope " WBSCOPE_VERSION;
const char *argp_program_bug_address = "the wbscope issue tracker";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "writepages", cmd_writepages, "ext4 writepages calls: latency, pages per call, per path" },
	{ "bio", cmd_bio, "write-back bios: submission to completion latency, size" },
	{ "endio", cmd_endio, "end-I/O work: worker delay and run time, merges, conversion" },
	{ "alloc", cmd_alloc, "write-back allocation: sizes, per call, delalloc, mappings" },
	{ "top", cmd_top, "one line per device and path per interval, all of the above" },
	{ "lockorder", cmd_lockorder, "audit folio lock / jbd2 handle / i_data_sem order per path" },
	{ "bench", cmd_bench, "run the benchmark matrix: buffer_head vs iomap side by side" },
	{ "report", cmd_report, "statistics, report and plots of a benchmark run; run index" },
	{ "gate", cmd_gate, "CI performance gate: candidate against a baseline or history" },
	{ "history", cmd_history, "the results history (SQLite): record runs, list them, trends" },
	{ "overhead-report", cmd_overhead_report, "statistics of the tool overhead benchmark (bench/overhead)" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	int width = 0;

	for (size_t i = 0; i < NR_COMMANDS; i++)
		if ((int)strlen(commands[i].name) > width)
			width = (int)strlen(commands[i].name);
	fprintf(out, "usage: wbscope <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-*s  %s\n", width, commands[i].name, commands[i].summary);
	fprintf(out, "\n'wbscope <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
	static char name[64];

	if (argc < 2) {
		usage(stderr);
		return WB_EXIT_ERROR;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return WB_EXIT_OK;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("%s\n", argp_program_version);
		return WB_EXIT_OK;
	}
	for (size_t i = 0; i < NR_COMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		snprintf(name, sizeof(name), "wbscope %s", commands[i].name);
		wb_progname = "wbscope";
		argv[1] = name;
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "wbscope: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return WB_EXIT_ERROR;
}
