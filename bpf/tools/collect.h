/* SPDX-License-Identifier: GPL-2.0 */
/* The tracing subcommands as tables (lib/tool.h), for wbscope.c and `wbscope top`. */
#ifndef WB_COLLECT_H
#define WB_COLLECT_H

#include "tool.h"

extern const struct wb_tool wb_tool_writepages;
extern const struct wb_tool wb_tool_bio;
extern const struct wb_tool wb_tool_endio;
extern const struct wb_tool wb_tool_alloc;

#endif
