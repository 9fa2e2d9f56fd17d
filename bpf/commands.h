/* SPDX-License-Identifier: GPL-2.0 */
/* The wbscope subcommands; each lives in tools/<name>.c. */
#ifndef WB_COMMANDS_H
#define WB_COMMANDS_H

int cmd_writepages(int argc, char **argv);
int cmd_bio(int argc, char **argv);
int cmd_endio(int argc, char **argv);
int cmd_alloc(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_lockorder(int argc, char **argv);

#endif
