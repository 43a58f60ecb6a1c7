/*
 * cli_progress.h -- private to 'hetsim run': the progress line and the
 * estimates made before a run (cli_progress.c): how many requests a
 * scenario's workload holds, for the ETA, and how large its steps rows
 * may grow, for the 'output.steps: all' warning.
 */
#ifndef HETSIM_CLI_PROGRESS_H
#define HETSIM_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "hetsim/app.h"
#include "hetsim/scenario.h"

/* Without a terminal, one progress line every this many wall seconds
 * ($HETSIM_PROGRESS_INTERVAL, in seconds, overrides it). */
#define CLI_PROGRESS_PIPE_S 5.0
/* On a terminal, the line is redrawn at most this often. */
#define CLI_PROGRESS_TTY_S 0.1
/* Bytes a steps row (and its steps_run share) takes in the database,
 * measured on quickstart with steps: all (931,813 rows, 102 MB). */
#define CLI_STEPS_ROW_BYTES 110.0
/* The steps warning's threshold. */
#define CLI_STEPS_WARN_BYTES 1e9

/* What a workload holds, counted before it runs. */
typedef struct cli_workload_est {
    int64_t requests;     /* -1: unknown (a closed-loop or endless source) */
    double output_tokens; /* of those requests (when known) */
    double horizon_s;     /* the sources' arrival horizon; 0: none known */
} cli_workload_est;

/* Count the requests and output tokens of 'sc''s workload by reading
 * every open source once with 'seed' (traces through their reader, so a
 * bad trace gives an unknown count here and its error at the run);
 * closed-loop sources (agents, session traces, closed synthetic) leave
 * the count unknown and give their horizon instead. */
void cli_workload_estimate(const sc_scenario *sc, uint64_t seed,
                           cli_workload_est *out);

/* The upper bound of the steps rows' bytes of a workload: one row per
 * output token and per request (every step serving one request), at
 * CLI_STEPS_ROW_BYTES; 0 when the count is unknown. */
double cli_steps_bytes_max(const cli_workload_est *w);

/* The state of the progress line of one 'hetsim run'. */
typedef struct cli_progress {
    bool tty;              /* stderr is a terminal: redraw one line */
    double every;          /* wall seconds between lines */
    double last;           /* wall seconds into the run of the last line */
    bool shown;            /* a line of this run was printed */
    const app_plan *plan;  /* the runs, borrowed */
    cli_workload_est *est; /* per run of the plan; NULL: none made */
} cli_progress;

/* Prepare 'pg' for the runs of 'p' under 'ro' (borrowed): estimate each
 * run's workload when 'progress' is set or the run writes 'output.steps:
 * all', and print a warning on stderr, before anything runs, for each run
 * whose steps rows may pass CLI_STEPS_WARN_BYTES, saying how to sample.
 * Free with cli_progress_fini. */
void cli_progress_init(cli_progress *pg, const app_plan *p,
                       const app_run_opts *ro, bool progress);
void cli_progress_fini(cli_progress *pg);

/* app_run_opts.progress: "[name/variant] sim 12.3 s  done 456/789 of
 * ~1000  wall 4.5 s  ETA 6 s", redrawn on a terminal at most every
 * CLI_PROGRESS_TTY_S, printed as a line every CLI_PROGRESS_PIPE_S
 * otherwise; 'ctx' is a cli_progress. */
void cli_progress_cb(void *ctx, const app_progress *p);

#endif /* HETSIM_CLI_PROGRESS_H */
