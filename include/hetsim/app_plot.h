/*
 * app_plot.h -- pictures of a results database (sim/app, docs/plots.md):
 * gnuplot scripts with their data for the plot kinds (the OI-CF plane,
 * rooflines, latency CDFs, a run's timeline, a metric across a sweep or
 * the variants of a scenario, a Pareto front), the Chrome trace-event
 * JSON of a run.
 *
 * Layer: app (above io).  Nothing here starts a process, prints or
 * exits: the CLI runs gnuplot on the scripts built here (through a pipe,
 * or writes them to a folder) and puts their SVG in the HTML report.
 *
 *   app_plot_util.c   the run facts a plot needs (model, hardware,
 *                     ridge points, SLOs), gnuplot quoting, datasets
 *   app_plot_perf.c   oicf, roofline
 *   app_plot_time.c   cdf, timeline
 *   app_plot_sweep.c  sweep, pareto
 *   app_plot.c        the kinds, selecting runs, building a plot
 *   app_trace.c       the trace-event JSON (jansson), streamed
 */
#ifndef HETSIM_APP_PLOT_H
#define HETSIM_APP_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hetsim/store.h"
#include "hetsim/util.h"

/* X(enum, name, what it shows) */
#define APP_PLOT_KINDS(X)                                                     \
    X(APP_PLOT_OICF, "oicf",                                                  \
      "operational intensity against capacity footprint / memory")            \
    X(APP_PLOT_ROOFLINE, "roofline",                                          \
      "attainable FLOP/s against operational intensity, per device")          \
    X(APP_PLOT_CDF, "cdf", "TTFT, TPOT and E2E latency CDFs, SLO lines")      \
    X(APP_PLOT_TIMELINE, "timeline",                                          \
      "busy fraction, KV use, queue and link traffic over time")              \
    X(APP_PLOT_SWEEP, "sweep",                                                \
      "a metric against a sweep parameter (or across variants)")              \
    X(APP_PLOT_PARETO, "pareto", "two metrics of every run, Pareto front")

typedef enum app_plot_kind {
#define APP_PLOT_KIND_MEMBER(e, name, doc) e,
    APP_PLOT_KINDS(APP_PLOT_KIND_MEMBER)
#undef APP_PLOT_KIND_MEMBER
        APP_PLOT_N_KINDS
} app_plot_kind;

/* "oicf", ...; and the kind named 'name' (false when unknown). */
const char *app_plot_kind_name(app_plot_kind k);
const char *app_plot_kind_doc(app_plot_kind k);
bool app_plot_kind_parse(const char *name, app_plot_kind *out);

/* What to plot.  Zero it, then set what is needed; borrowed for the
 * call. */
typedef struct app_plot_opts {
    app_plot_kind kind;
    const int64_t *runs; /* run ids (app_runs_find); NULL: see below */
    size_t n_runs;
    const char *x, *y, *by; /* sweep: --x PATH, --y METRIC, --by PATH;
                               pareto: --x METRIC, --y METRIC */
    const char *terminal;   /* "pngcairo", "svg" or "pdfcairo" */
    const char *output;     /* the file the script writes ('set output') */
    int width, height;      /* pixels (pdf: at 100 pixels per inch) */
    int64_t max_points;     /* per series; 0: 4000 */
    const char *const *instances; /* timeline: --instance NAMEs, at most
                                     8; none: every instance, or one
                                     aggregated line per group beyond 8 */
    size_t n_instances;
    bool files; /* data in files "NAME.dat" beside the script,
                               not in inline datablocks */
} app_plot_opts;

/* One dataset: the text of a gnuplot data file. */
typedef struct app_plot_data {
    char *name; /* "cdf_ttft_1": the file NAME.dat or datablock $NAME */
    char *text;
    size_t len;
} app_plot_data;

/* A built plot: the script, and the data it reads.  With inline data
 * the script to feed gnuplot is app_plot_write()'s output. */
typedef struct app_plot {
    char *script;
    app_plot_data *data;
    size_t n_data, cap_data;
    bool files; /* as app_plot_opts.files */
} app_plot;

/* Build plot 'o' from the store 's'.  Without runs: every run of the
 * file but 'hetsim oicf --db' invocations (the oicf kind takes those
 * too); timeline takes the last run selected (the latest without runs).
 * Returns HS_OK, or HS_EINPUT (no run to plot, an unknown metric, a
 * kind's option missing) / HS_EIO with the reason in 'd'.  Reads the
 * rows it plots with bounded memory: a run with more steps or requests
 * than a plot can show is thinned evenly (docs/plots.md). */
int app_plot_build(io_store *s, const app_plot_opts *o, app_plot *out,
                   hs_diag *d);
void app_plot_fini(app_plot *p); /* back to zero */

/* The whole script for gnuplot's standard input: every dataset as an
 * inline datablock, then the script (inline data only). */
void app_plot_write(const app_plot *p, FILE *out);

/* ---- trace (app_trace.c) ------------------------------------------------ */

typedef struct app_trace_opts {
    int64_t run_id;
    double from_s, to_s; /* only what overlaps [from_s, to_s] */
    int64_t max_events;  /* stop after this many events; <= 0: no limit */
} app_trace_opts;

/* What a trace wrote. */
typedef struct app_trace_counts {
    int64_t steps, transfers, requests, counters, events;
    bool truncated; /* max_events reached */
} app_trace_counts;

/* Write run 'o->run_id' of 's' to 'out' as Chrome trace-event JSON
 * (docs/plots.md): a process per instance with its steps as complete
 * slices, a process per link with its transfers, requests as async
 * slices (queued, prefill, transfer, decode), counters for KV use and
 * queue length.  Rows are streamed from the store: memory does not grow
 * with the run.  Returns HS_OK, HS_EINPUT (unknown run) or HS_EIO (the
 * store, or a write error on 'out'). */
int app_trace_write(io_store *s, const app_trace_opts *o, FILE *out,
                    app_trace_counts *counts, hs_diag *d);

#endif /* HETSIM_APP_PLOT_H */
