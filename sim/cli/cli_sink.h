/*
 * cli_sink.h -- private to 'hetsim run' and 'hetsim report': the srv_sink
 * that writes a simulation's rows to the results store, and the
 * side-by-side runs table both commands print.
 *
 * The sink maps serve's records (serve.h) onto store rows (store.h,
 * docs/schema.md): NaN and NULL strings become SQL NULL, a decode
 * instance equal to the prefill
 * instance is stored as NULL, and steps are thinned out according to
 * output.steps (all, every step_sample_every-th per instance, none).
 */
#ifndef HETSIM_CLI_SINK_H
#define HETSIM_CLI_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hetsim/scenario.h"
#include "hetsim/serve.h"
#include "hetsim/store.h"
#include "hetsim/util.h"

/* Step counter of one instance, for sampling (open addressing by name). */
typedef struct cli_step_count {
    char *instance; /* owned; NULL = empty slot */
    int64_t seen;   /* steps received so far */
} cli_step_count;

/* State of one run's sink.  Fill with cli_sink_init(), set 'store' and
 * 'run_id' before the simulation emits rows, release with
 * cli_sink_fini(). */
typedef struct cli_sink {
    io_store *store; /* borrowed */
    int64_t run_id;
    sc_steps_mode steps;
    int64_t sample_every; /* >= 1 */
    cli_step_count *counts;
    size_t n_counts, cap_counts; /* used slots, table size (power of 2) */
    int64_t n_requests, n_steps_written;
    int status; /* HS_OK, or the first failure of a row append */
    hs_diag *d; /* borrowed: where append failures are reported */
} cli_sink;

/* Prepare 'k' for a run of 'sc' (output.steps and step_sample_every are
 * read now); rows are written to 'store' under 'run_id' (both may be set
 * later, before srv_sim_run).  Failures go to 'd'. */
void cli_sink_init(cli_sink *k, const sc_scenario *sc, io_store *store,
                   int64_t run_id, hs_diag *d);
void cli_sink_fini(cli_sink *k);

/* The callbacks of 'k', for srv_sim_new(); 'k' must outlive the
 * simulation. */
srv_sink cli_sink_callbacks(cli_sink *k);

/* ---- the runs table (implemented in cli_report.c) ----------------------- */

/* Print runs 'ids[0..n)' of 's' (all runs of the file, oicf invocations
 * excepted, when 'ids' is NULL) in 'format' ("table", "csv" or "json")
 * to 'out': one column (table) or one row / object (csv, json) per run,
 * from the runs table and the run-scope metrics.  Runs that are not
 * 'done' show their status and a note under the table.  Returns HS_OK,
 * or HS_EIO / HS_EINPUT with the store's message in 'd'. */
int cli_report_runs(io_store *s, const int64_t *ids, size_t n,
                    const char *format, FILE *out, hs_diag *d);

#endif /* HETSIM_CLI_SINK_H */
