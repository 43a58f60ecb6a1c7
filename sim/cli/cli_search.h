/*
 * cli_search.h -- private to sim/cli: the parts of 'hetsim search'
 * (cli_search.c parses and drives, cli_search_print.c prints the rows,
 * cli_search_rate.c runs the --rate-max bisection).
 */
#ifndef HETSIM_CLI_SEARCH_H
#define HETSIM_CLI_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hetsim/app.h"

typedef struct cli_search_args {
    const char *path;
    const char *db;
    const char *format; /* "table", "csv" or "json" */
    int jobs;           /* 0: the number of processors */
    bool rate_max, quiet;
} cli_search_args;

/* Print one row per candidate in the order 'rows', then (table) the best
 * and the count of points simulated ('sims') against the space. */
void cli_search_print(const cli_search_args *a, const app_search *s,
                      const size_t *rows, size_t sims, const char *db,
                      FILE *out);

/* --rate-max: bisect each candidate's rate over the file's rate_max
 * range, its points simulated into 'store'; sets each candidate's
 * rate_max, feasibility (a rate found) and objective (goodput per
 * dollar, negated: lower is better), and s->best.  Returns the points
 * simulated, or SIZE_MAX when stopped. */
size_t cli_search_rate(const cli_search_args *a, app_search *s,
                       io_store *store, const char *db);

/* results/<NAME>.db for the sweep or search file 'path' (a new string). */
char *cli_default_db(const char *path);

#endif /* HETSIM_CLI_SEARCH_H */
