/*
 * cli_plot.h -- running gnuplot (cli_gnuplot.c), shared by 'hetsim plot'
 * (cli_plot.c) and the HTML report (cli_html.c), and the report's entry
 * point.
 */
#ifndef HETSIM_CLI_PLOT_H
#define HETSIM_CLI_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hetsim/app_plot.h"
#include "hetsim/store.h"

/* The gnuplot program: $HETSIM_GNUPLOT, else "gnuplot". */
const char *cli_gnuplot_program(void);

/* Feed plot 'p' (inline data) to gnuplot through a pipe; its script
 * writes its own output file.  Returns HS_OK, or HS_EIO with why in 'd'
 * (gnuplot missing, or it failed: its own messages went to stderr). */
int cli_gnuplot_run(const app_plot *p, hs_diag *d);

/* The terminal for an output file name by its extension (".png",
 * ".svg", ".pdf"), or NULL. */
const char *cli_plot_terminal(const char *path);

/* Open 's' read-only after checking that 'path' exists: a missing file,
 * and one that is not a results database, are HS_EINPUT. */
int cli_open_db(const char *path, io_store **s, hs_diag *d);

/* 'hetsim report DB... --html': runs 'ids[0..n)' of store 's' (every
 * run but oicf invocations when 'ids' is NULL) as one self-contained
 * HTML page written to 'out' (cli_html.c). */
int cli_html_write(io_store *s, const char *db, const int64_t *ids, size_t n,
                   const char *out, hs_diag *d);

#endif /* HETSIM_CLI_PLOT_H */
