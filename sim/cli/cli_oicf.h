/*
 * cli_oicf.h -- private to 'hetsim oicf': output of the points
 * (cli_oicf_print.c), shared by the option form and the --scenario form.
 */
#ifndef HETSIM_CLI_OICF_H
#define HETSIM_CLI_OICF_H

#include <stdbool.h>
#include <stddef.h>

#include "hetsim/oicf.h"
#include "hetsim/util.h"

/* At most this many hardware names in --hardware. */
#define CLI_OICF_MAX_HW 16

/* Evaluate the points (app_oicf_eval) and print them in 'format'
 * (table, csv or json) -- or their operators with 'ops' -- then append
 * the rows to the SQLite file 'db' when not NULL.  With 'n_hw' > 1 the
 * points come in groups of 'n_hw' that differ only in their hardware,
 * and the table shows each group on one line, the hardware side by side.
 * 'source' names the points file ("" for the option form).  Returns a
 * CLI_* status; errors are in 'd'. */
int cli_oicf_print(const oicf_point *pts, size_t n, size_t n_hw,
                   const char *format, bool ops, const char *db,
                   const char *source, hs_diag *d);

#endif /* HETSIM_CLI_OICF_H */
