/*
 * cli_sweep.h -- private to sim/cli: running the points of a sweep (or a
 * search's candidates) into one results store, in this process or in N
 * local worker processes with this process the only writer (cli_pool.c),
 * with the progress line; shared by 'hetsim sweep', 'hetsim search' and
 * the MPI companion 'hetsim-mpi'.
 */
#ifndef HETSIM_CLI_SWEEP_H
#define HETSIM_CLI_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hetsim/app.h"

/* What running a list of points did. */
typedef struct cli_pool_result {
    size_t done, failed; /* points whose run ended done / otherwise */
    bool stopped;        /* a signal stopped it */
    bool io_error;       /* the output store failed */
} cli_pool_result;

/* One point finished: its index in the sweep and the run id in 'store'
 * (< 0: no run), for the caller (a search reads its metrics). */
typedef void (*cli_point_done)(void *ctx, size_t point, int64_t run_id);

/* Run points 'todo[0..n)' of 'sw' into 'store' (the only writer): with
 * jobs <= 1 one after the other in this process, else in 'jobs' worker
 * processes, each running a point into a file of its own under a
 * temporary directory beside 'db_path' that this process then merges
 * (app_merge_file) and removes.  SIGINT/SIGTERM stop it: running points
 * end 'interrupted', no new one starts.  'progress': a line on stderr
 * when it is a terminal.  'done' (may be NULL) is called per point. */
void cli_pool_run(const app_sweep *sw, const size_t *todo, size_t n,
                  int jobs, io_store *store, const char *db_path,
                  bool progress, cli_point_done done, void *ctx,
                  cli_pool_result *out);

/* The number of online processors (at least 1). */
int cli_ncpu(void);

#endif /* HETSIM_CLI_SWEEP_H */
