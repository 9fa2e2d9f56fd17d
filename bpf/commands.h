/* SPDX-License-Identifier: GPL-2.0 */
/* The wbscope subcommands: tracing tools in bpf/tools/<name>.c, benchmark ones in
 * bench/src/<name>.c. */
#ifndef WB_COMMANDS_H
#define WB_COMMANDS_H

int cmd_writepages(int argc, char **argv);
int cmd_bio(int argc, char **argv);
int cmd_endio(int argc, char **argv);
int cmd_alloc(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_lockorder(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_overhead_report(int argc, char **argv);

#endif
