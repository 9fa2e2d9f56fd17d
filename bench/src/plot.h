/* SPDX-License-Identifier: GPL-2.0 */
/* The benchmark report's gnuplot plots (SVG), written into plotdir. */
#ifndef WB_PLOT_H
#define WB_PLOT_H

#include <stddef.h>
#include "compare.h"

int wb_plot_all(const struct wb_comparison *c, const char *plotdir, char *err, size_t errlen);

#endif
