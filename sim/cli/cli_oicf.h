/*
 * cli_oicf.h -- private to 'hetsim oicf': evaluation and output of the
 * points, shared by the option form and the --scenario form.
 */
#ifndef HETSIM_CLI_OICF_H
#define HETSIM_CLI_OICF_H

#include <stdbool.h>
#include <stddef.h>

#include "hetsim/oicf.h"
#include "hetsim/util.h"

/* Resolve each point's catalog entries, evaluate it and print it in
 * 'format' (table, csv or json) -- or its operators with 'ops' -- then
 * append the rows to the SQLite file 'db' when not NULL.  'source' names
 * the points file ("" for the option form).  Returns a CLI_* status;
 * errors are in 'd'. */
int oicf_run(const oicf_point *pts, size_t n, const char *format, bool ops,
             const char *db, const char *source, hs_diag *d);

#endif /* HETSIM_CLI_OICF_H */
