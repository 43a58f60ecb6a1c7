/*
 * app_plot_int.h -- private to the plot files of sim/app: the facts of
 * a run a plot shows (app_plot_util.c) and the context a kind writes its
 * script and datasets through.  app_plot_util.c is the lowest of the
 * plot files; the kinds (app_plot_perf.c, app_plot_time.c,
 * app_plot_sweep.c) use it, and app_plot.c calls the kinds.
 */
#ifndef HETSIM_APP_PLOT_INT_H
#define HETSIM_APP_PLOT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hetsim/app_plot.h"
#include "hetsim/store.h"

/* At most this many points of one series unless app_plot_opts says
 * otherwise: more rows are thinned evenly (every k-th row), which a
 * 1280-pixel-wide plot cannot tell apart. */
#define PLOT_MAX_POINTS 4000

/* A device of a run's scenario ('hardware:' entry). */
typedef struct plot_dev {
    char *name;   /* the key in 'hardware:' */
    double peak;  /* FLOP/s in the run's compute format */
    double bw;    /* memory bandwidth, B/s */
    double mem;   /* memory per device, bytes */
    double ridge; /* peak / bw, FLOP/byte (as oicf.ridge_oi) */
    double power_busy_w; /* per device while stepping */
} plot_dev;

/* An instance of a run (instances table) and its memory. */
typedef struct plot_inst {
    char *name;
    int dev;    /* index into the run's devs, -1 when unknown */
    int tp;     /* devices per replica */
    double mem; /* tp x device memory, bytes; 0 when unknown */
} plot_inst;

/* An SLO of a run's scenario. */
typedef struct plot_slo {
    char metric; /* 't' TTFT, 'p' TPOT, 'e' E2E */
    double percentile; /* 90 */
    double threshold_s;
    char *key; /* "ttft_p90" */
} plot_slo;

/* What a plot shows of one run. */
typedef struct plot_run {
    int64_t id;
    char *name, *variant; /* variant NULL for the base */
    char *label;          /* "1 quickstart/two-instances" */
    char *model;          /* "llama-3.1-8b", "?" when unknown */
    char *hw;             /* "4x h100 tp1", from the instances table */
    bool oicf;            /* a 'hetsim oicf --db' invocation */
    double sim_s;
    plot_dev *devs;
    size_t n_devs;
    plot_inst *insts;
    size_t n_insts;
    plot_slo *slos;
    size_t n_slos;
} plot_run;

/* A plot being built. */
typedef struct plot_ctx {
    io_store *s;
    const app_plot_opts *o;
    app_plot *p;
    hs_diag *d;
    plot_run *runs;
    size_t n_runs;
    FILE *f;      /* the script, a memstream into p->script */
    size_t size;  /* its length */
    FILE *data;   /* the dataset being written (plot_data_begin) */
    char *dbuf;
    size_t dlen;
} plot_ctx;

/* Load the facts of runs 'ids[0..n)' into c->runs (HS_EINPUT: a run
 * that does not exist).  The scenario stored with a run gives its
 * devices and SLOs; when it no longer loads (a catalog or trace moved)
 * they are left empty and the model is read from its 'model:' line. */
int plot_runs_load(plot_ctx *c, const int64_t *ids, size_t n);
void plot_runs_free(plot_ctx *c);

/* The title naming the model(s) and the hardware after 'what', then on
 * a second line the runs of 'runs[0..n)' (a new string). */
char *plot_title(const plot_ctx *c, const char *what, const plot_run *runs,
                 size_t n);

/* Write 's' to 'f' as a field of a data line (tabs and line ends made
 * spaces; "?" for NULL). */
void plot_field(FILE *f, const char *s);

/* Write 's' to 'f' as a gnuplot string: double quotes, '"' and '\\'
 * escaped, a line end as \n. */
void plot_quote(FILE *f, const char *s);

/* The script's head: terminal, size, output, fonts, title. */
void plot_head(plot_ctx *c, const char *title);

/* Start a dataset named 'name' (printf format): returns the stream to
 * write its rows to, valid until plot_data_end(). */
FILE *plot_data_begin(plot_ctx *c, const char *fmt, ...) HS_PRINTF(2, 3);
void plot_data_end(plot_ctx *c);
/* Write the reference to dataset 'name' into the script ('$name' or
 * 'name.dat'). */
void plot_ref(plot_ctx *c, const char *name);

/* io_store_query on the plot's store. */
int plot_query(plot_ctx *c, const char *sql, const char *const *params,
               int n, io_row_fn fn, void *ctx);
/* The first column of the first row as a number (NAN when none or
 * NULL), and as a count (0 then). */
double plot_scalar(plot_ctx *c, const char *sql, const char *const *params,
                   int n);
int64_t plot_count(plot_ctx *c, const char *sql, const char *const *params,
                   int n);
/* Every how many rows to keep to show at most PLOT_MAX_POINTS (or the
 * plot's max_points) of 'n'. */
int64_t plot_stride(const plot_ctx *c, int64_t n);
/* Parse a row value as a double (NAN for NULL). */
double plot_num(const char *v);

/* The instance of run 'r' named 'name', or NULL. */
const plot_inst *plot_inst_find(const plot_run *r, const char *name);

/* The colour of series 'i' ("#1f77b4", ...). */
const char *plot_color(size_t i);

/* The kinds (app_plot_perf.c, app_plot_time.c, app_plot_sweep.c). */
int plot_oicf(plot_ctx *c);
int plot_roofline(plot_ctx *c);
int plot_cdf(plot_ctx *c);
int plot_timeline(plot_ctx *c);
int plot_sweep(plot_ctx *c);
int plot_pareto(plot_ctx *c);

#endif /* HETSIM_APP_PLOT_INT_H */
