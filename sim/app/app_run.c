/*
 * app_run.c -- one run of a scenario into a results store: build the
 * simulation, begin the run (runs row 'running', committed at once),
 * simulate with the records going to the store through an app_sink, and
 * end the run 'done', 'failed' or 'interrupted' (app.h has the diagram).
 * Also the stop request a signal handler makes, and the progress calls.
 *
 * Invariants of an app_runner (between calls):
 *   R1  'sim' is the simulation being run, or NULL outside
 *       app_runner_run()'s srv_sim_run(): app_runner_stop() stops at most
 *       the run in progress.
 *   R2  'stop' never goes back to 0: once stopped, every later run stops
 *       at its first event.
 */
#include "hetsim/app.h"

#include "app_int.h"
#include "hetsim_config.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct app_runner {
    io_store *store;                /* borrowed */
    const app_run_opts *o;          /* borrowed */
    srv_sim *volatile sim;          /* R1 */
    volatile sig_atomic_t stop;     /* R2 */
    volatile sig_atomic_t stop_sig; /* the signal that stopped it; 0: none */
    /* The run in progress, for the progress callback. */
    const sc_scenario *sc;
    double t0; /* wall clock at its start */
};

/* ---- small helpers ------------------------------------------------------ */

double app_wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void app_iso_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

uint64_t app_run_seed(const app_run_opts *o, const sc_scenario *sc)
{
    return o->has_seed ? o->seed : sc->seed;
}

static srv_options sim_options(const app_run_opts *o, const sc_scenario *sc)
{
    srv_options opt;

    memset(&opt, 0, sizeof opt);
    opt.seed = app_run_seed(o, sc);
    opt.no_fast_forward = o->no_fast_forward;
    return opt;
}

/* Read every trace of 'sc' once (wl_source_scan), reporting to 'd' each
 * problem it does not hold yet (a trace that srv_sim_new() could not
 * open is reported once); HS_OK or the first failure's status. */
static int scan_traces(const sc_scenario *sc, hs_diag *d)
{
    hs_diag *scratch = hs_diag_new();
    int first = HS_OK;

    for (size_t i = 0; i < sc->n_workload; i++) {
        int64_t n;
        int rc = wl_source_scan(&sc->workload[i], &n, scratch);

        if (first == HS_OK)
            first = rc;
    }
    for (size_t i = 0; i < hs_diag_count(scratch); i++)
        if (!hs_diag_contains(d, hs_diag_item_at(scratch, i)))
            hs_diag_add(d, hs_diag_item_at(scratch, i));
    hs_diag_free(scratch);
    return first;
}

int app_run_validate(const sc_scenario *sc, const app_run_opts *o, hs_diag *d)
{
    srv_options opt;
    srv_sink none;
    srv_sim *sim = NULL;
    int rc, src;

    memset(&opt, 0, sizeof opt);
    opt.seed = o != NULL ? app_run_seed(o, sc) : sc->seed;
    memset(&none, 0, sizeof none);
    rc = srv_sim_new(sc, &opt, &none, &sim, d);
    srv_sim_free(sim);
    src = scan_traces(sc, d);
    return rc != HS_OK ? rc : src;
}

/* ---- the runner --------------------------------------------------------- */

app_runner *app_runner_new(io_store *store, const app_run_opts *o)
{
    app_runner *r = hs_calloc(1, sizeof *r);

    r->store = store;
    r->o = o;
    return r;
}

void app_runner_free(app_runner *r)
{
    free(r);
}

void app_runner_stop(app_runner *r)
{
    srv_sim *sim = r->sim;

    r->stop = 1;
    if (sim != NULL)
        srv_sim_stop(sim);
}

void app_runner_stop_by(app_runner *r, int sig)
{
    r->stop_sig = sig;
    app_runner_stop(r);
}

bool app_runner_stopped(const app_runner *r)
{
    return r->stop != 0;
}

static void report(app_runner *r, double sim_s, int64_t done, int64_t arrived,
                   bool final)
{
    app_progress p = {r->sc, sim_s, done, arrived, app_wall_now() - r->t0,
                      final};

    r->o->progress(r->o->progress_ctx, &p);
}

/* srv_options.progress: forward to the caller's callback. */
static void on_progress(void *ctx, double sim_s, int64_t done, int64_t arrived)
{
    report(ctx, sim_s, done, arrived, false);
}

/* The scenario text stored with the run: the file as written, plus the
 * overrides as trailing comments so the run can be reproduced. */
static char *run_yaml(const app_run_opts *o, const sc_scenario *sc)
{
    size_t len = strlen(sc->yaml);
    char *s = hs_asprintf("%s%s", sc->yaml,
                          len > 0 && sc->yaml[len - 1] != '\n' ? "\n" : "");

    if (o->n_ovr > 0) {
        char *t = hs_asprintf("%s# hetsim run overrides:\n", s);

        free(s);
        s = t;
    }
    for (size_t i = 0; i < o->n_ovr; i++) {
        char *t = hs_asprintf("%s#   --set %s\n", s, o->ovr[i].arg);

        free(s);
        s = t;
    }
    return s;
}

static int begin_run(app_runner *r, const sc_scenario *sc, uint64_t seed,
                     int64_t *run_id, hs_diag *d)
{
    char started[32], *yaml = run_yaml(r->o, sc);
    rec_run_row info;
    int rc;

    app_iso_now(started, sizeof started);
    memset(&info, 0, sizeof info);
    info.name = sc->name;
    info.variant = sc->variant;
    info.scenario_path = r->o->scenario_path;
    info.scenario_yaml = yaml;
    info.seed = (int64_t)seed;
    info.version = HETSIM_VERSION;
    info.started_at = started;
    app_writer_fill(&info);
    rc = io_store_begin_run(r->store, &info, run_id, d);
    free(yaml);
    for (size_t i = 0; i < r->o->n_params && rc == HS_OK; i++)
        rc = io_store_add_sweep_points(r->store, *run_id, &r->o->params[i], d);
    if (rc != HS_OK && *run_id >= 0)
        io_store_end_run_msg(r->store, *run_id, IO_RUN_FAILED,
                             "its sweep parameters could not be stored", 0, 0,
                             0, d);
    return rc;
}

static io_run_status status_of(int rc)
{
    if (rc == HS_OK)
        return IO_RUN_DONE;
    return rc == HS_EINTR ? IO_RUN_INTERRUPTED : IO_RUN_FAILED;
}

/* What stopped run 'r' at simulated time 'sim_s', into 'buf'. */
static const char *stop_message(const app_runner *r, double sim_s, char *buf,
                                size_t len)
{
    int sig = r->stop_sig;
    char name[32];

    if (sig == SIGINT || sig == SIGTERM)
        snprintf(name, sizeof name, "%s",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
    else if (sig != 0)
        snprintf(name, sizeof name, "signal %d", sig);
    snprintf(buf, len,
             "interrupted%s%s at t=%.6g s (simulated); the rows written "
             "until then are kept",
             sig != 0 ? " by " : "", sig != 0 ? name : "", sim_s);
    return buf;
}

/* runs.message of a run that ended with 'rc': the stop, or the first
 * problem reported to 'd' from its n0-th on; NULL for a done run. */
static const char *end_message(const app_runner *r, int rc, double sim_s,
                               const hs_diag *d, size_t n0, char *buf,
                               size_t len)
{
    if (rc == HS_OK)
        return NULL;
    if (rc == HS_EINTR)
        return stop_message(r, sim_s, buf, len);
    if (hs_diag_count(d) > n0)
        return hs_diag_message(d, n0);
    return "failed (no message)";
}

/* Run the built simulation 'sim' as run 'out->run_id' and end the run:
 * 'done', 'interrupted' (rows kept) or 'failed' (rows discarded by the
 * store), with the message of the last two.  Returns srv_sim_run's
 * status, or the store's when that failed. */
static int simulate(app_runner *r, srv_sim *sim, app_run_result *out,
                    hs_diag *d)
{
    size_t n0 = hs_diag_count(d);
    char buf[256];
    int rc, erc;

    r->sim = sim;
    if (r->stop)
        srv_sim_stop(sim);
    rc = srv_sim_run(sim, d);
    r->sim = NULL;
    srv_sim_summary(sim, &out->sum);
    if (r->o->progress != NULL)
        report(r, out->sum.sim_s, out->sum.done, out->sum.arrived, true);
    erc = io_store_end_run_msg(
        r->store, out->run_id, status_of(rc),
        end_message(r, rc, out->sum.sim_s, d, n0, buf, sizeof buf),
        app_wall_now() - r->t0, out->sum.sim_s, out->sum.events, d);
    return rc != HS_OK ? rc : erc;
}

int app_runner_run(app_runner *r, const sc_scenario *sc, app_run_result *out,
                   hs_diag *d)
{
    srv_options opt = sim_options(r->o, sc);
    app_sink *k = app_sink_new(sc, r->store, d);
    srv_sink sink = app_sink_callbacks(k);
    srv_sim *sim = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    out->run_id = -1;
    r->sc = sc;
    r->t0 = app_wall_now();
    if (r->o->progress != NULL) {
        opt.progress = on_progress;
        opt.progress_ctx = r;
        opt.progress_every_s = r->o->progress_every_s;
    }
    rc = srv_sim_new(sc, &opt, &sink, &sim, d);
    if (rc == HS_OK)
        rc = begin_run(r, sc, opt.seed, &out->run_id, d);
    if (rc == HS_OK) {
        app_sink_set_run(k, out->run_id);
        rc = simulate(r, sim, out, d);
    }
    srv_sim_free(sim);
    app_sink_free(k);
    r->sc = NULL;
    return rc;
}
