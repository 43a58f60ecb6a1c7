/*
 * cli_run.c -- 'hetsim run SCENARIO.yaml [-o DB] [--seed N]
 * [--set PATH=VALUE]... [--variant NAME] [--quiet] [--no-fast-forward]':
 * simulate a scenario and write the results to a SQLite file.
 *
 * Without --variant the base scenario runs first, then every variant in
 * file order, each its own run (runs row) in the same database; with
 * --variant only that variant runs.  The overrides apply to every run.
 * Every run's scenario is loaded and validated, its simulation built
 * once and freed and its traces read once (app_plan_check_runs, the
 * checks 'hetsim check' makes), before the database is opened: on any
 * problem every message is printed (a variant's own problems tagged
 * "variant 'NAME': ") and nothing is created.
 *
 * The database is -o DB, else the scenario's output.db (relative to the
 * current directory, as written), else results/<name>.db; missing parent
 * directories are created.
 *
 * After each run a one-column summary table is printed on stdout, and,
 * with several runs, a final side-by-side table (the same as 'hetsim
 * report' shows).  While a run goes, a progress line (simulated time,
 * requests done, ETA) is kept up to date on stderr when it is a
 * terminal, or printed every few seconds when it is not
 * (cli_progress.c).  --quiet prints neither.  A run whose 'output.steps:
 * all' may write more than 1 GB is warned about before anything runs.
 *
 * SIGINT / SIGTERM stop the running simulation after its current event:
 * the run is recorded 'interrupted' (rows so far kept; runs.message
 * "interrupted by SIGINT at t=T s (simulated); ..."), the remaining
 * variants are not run, "hetsim run: interrupted" is printed and the
 * exit status is 1.  The handler is one-shot (SA_RESETHAND): a second
 * signal kills the process at once, leaving the run 'running'.
 *
 * Exit status: 0 every run done; 2 bad usage or bad input (scenario,
 * overrides, unknown variant, a trace that cannot be opened or has a bad
 * row, a file that is not a hetsim database); 1 any other failure (I/O,
 * interrupted).  Runs after a failed one are not started.
 *
 * The planning, the runs and their records are sim/app's (app.h); this
 * file parses the arguments, handles the signals and prints.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_help.h"
#include "cli_progress.h"
#include "hetsim/app.h"

/* The runner to stop on a signal.  The only mutable global of 'hetsim
 * run': a signal handler has no context. */
static app_runner *volatile signal_runner;

typedef struct run_args {
    const char *path;
    const char *db; /* -o; NULL = from the scenario */
    bool has_seed;
    uint64_t seed;
    io_override *ovr;
    size_t n_ovr;
    const char *variant; /* --variant; NULL = base and every variant */
    bool quiet;
    bool no_fast_forward;
} run_args;

/* ---- arguments ---------------------------------------------------------- */

static bool parse_seed(const char *text, uint64_t *out)
{
    char *end;

    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    *out = (uint64_t)strtoull(text, &end, 10);
    return errno == 0 && *end == '\0';
}

/* Apply option 'o' (from the command table) with value 'v'; returns
 * CLI_OK or an exit status. */
static int apply_option(const cli_doc *doc, const cli_opt *o, const char *v,
                        void *ctx)
{
    run_args *a = ctx;
    if (cli_opt_is(o, "--quiet"))
        a->quiet = true;
    else if (cli_opt_is(o, "--no-fast-forward"))
        a->no_fast_forward = true;
    else if (cli_opt_is(o, "--set"))
        a->ovr[a->n_ovr++].arg = v;
    else if (cli_opt_is(o, "--variant"))
        a->variant = v;
    else if (cli_opt_is(o, "-o") && *v == '\0')
        /* SQLite opens "" as a private temporary database, deleted on
         * close: the run would succeed and its rows vanish. */
        return cli_usage_error(doc, "-o: expected a file name, found ''");
    else if (cli_opt_is(o, "-o"))
        a->db = v;
    else if (!parse_seed(v, &a->seed))
        return cli_usage_error(doc,
                               "--seed: expected an integer in [0, 2^64), "
                               "found '%s'",
                               v);
    else
        a->has_seed = true;
    return CLI_OK;
}

/* Returns CLI_OK, or the exit status (usage printed). */
static int parse_args(int argc, char **argv, run_args *a)
{
    const cli_doc *doc = cli_doc_find("run");

    a->ovr = hs_calloc((size_t)argc + 1, sizeof *a->ovr);
    return cli_parse_path_args(doc, argc, argv, "SCENARIO.yaml", &a->path,
                               apply_option, a);
}

/* ---- checking every run ------------------------------------------------ */

/* Plan every run and build (and free) the simulation of each, so that
 * any problem stops the command before the database is touched.
 * Returns HS_OK, or a failure with every problem printed. */
static int plan_runs(const run_args *a, const app_run_opts *ro, app_plan *p)
{
    app_plan_opts po = {a->path, a->ovr, a->n_ovr, a->variant};
    hs_diag *d = hs_diag_new();
    int rc = app_plan_load(&po, p, d);

    if (rc == HS_OK)
        rc = app_plan_check_runs(p, ro, d);
    cli_print_plan_diag(d, p, stderr);
    hs_diag_free(d);
    return rc;
}

/* Simulated seconds between progress calls: cheap, so often enough for
 * slow simulations; the wall clock decides what is printed
 * (cli_progress.c). */
#define PROGRESS_SIM_S 0.05

/* ---- signals ------------------------------------------------------------ */

static void on_signal(int sig)
{
    app_runner *r = signal_runner;

    if (r != NULL)
        app_runner_stop_by(r, sig);
}

typedef struct run_signals {
    struct sigaction old_int, old_term;
} run_signals;

static void catch_signals(run_signals *rs)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, &rs->old_int);
    sigaction(SIGTERM, &sa, &rs->old_term);
}

static void restore_signals(const run_signals *rs)
{
    sigaction(SIGINT, &rs->old_int, NULL);
    sigaction(SIGTERM, &rs->old_term, NULL);
}

/* ---- the command -------------------------------------------------------- */

/* Exit status of a run's status.  Input was validated before the
 * database was opened, so an I/O failure here (a database another writer
 * holds locked past the busy timeout, a full disk, a trace gone since) is
 * a runtime failure, not bad input, whether or not the run had begun. */
static int exit_status(int rc)
{
    if (rc == HS_OK)
        return CLI_OK;
    if (rc == HS_EINPUT)
        return CLI_USAGE;
    return CLI_FAIL;
}

static void print_summary(const run_args *a, io_store *store,
                          const int64_t *ids, size_t n, hs_diag *d)
{
    if (a->quiet || n == 0)
        return;
    printf("\n");
    if (cli_report_runs(store, ids, n, "table", stdout, d) != HS_OK)
        cli_print_diag(d, stderr);
    fflush(stdout);
}

/* One group's formats: "  mono (h100-sxm): GEMMs fp8 at 1978.9 TFLOP/s,
 * attention bf16 at 989.4 TFLOP/s" (docs/costmodel.md, Precisions). */
static void print_group_formats(const sc_scenario *sc, const sc_group *g)
{
    const cost_device *dev;
    cost_dtype gemm, attn;

    if (g->device < 0 || (size_t)g->device >= sc->n_hardware)
        return;
    dev = &sc->hardware[g->device].dev;
    gemm = cost_compute_dtype(dev, &sc->precision);
    attn = cost_attention_dtype(dev, &sc->precision);
    printf("  %s (%s): GEMMs %s at %.1f TFLOP/s, attention %s at %.1f "
           "TFLOP/s\n",
           g->name, sc->hardware[g->device].name, cost_dtype_name(gemm),
           cost_device_peak(dev, gemm) / 1e12, cost_dtype_name(attn),
           cost_device_peak(dev, attn) / 1e12);
}

/* Which tensor peak each group's GEMMs and attention ran at. */
static void print_formats(const run_args *a, const sc_scenario *sc)
{
    const sc_cluster *cl = &sc->cluster;

    if (a->quiet)
        return;
    printf("peaks used:\n");
    if (cl->mode == SC_MODE_MONOLITHIC) {
        for (size_t i = 0; i < cl->n_instances; i++)
            print_group_formats(sc, &cl->instances[i]);
        return;
    }
    print_group_formats(sc, &cl->prefill);
    print_group_formats(sc, &cl->decode);
}

/* "results: DB (runs 1, 2)" after the tables. */
static void print_where(const run_args *a, io_store *store, const int64_t *ids,
                        size_t n)
{
    if (a->quiet || n == 0)
        return;
    printf("\nresults: %s (run%s", io_store_path(store), n > 1 ? "s" : "");
    for (size_t i = 0; i < n; i++)
        printf("%s %lld", i > 0 ? "," : "", (long long)ids[i]);
    printf(")\n");
}

/* A window that no request arrived in leaves the windowed figures empty
 * (NULL): say so, with the span, rather than let the table show '-'. */
static void warn_empty_window(const sc_scenario *sc, const srv_summary *sum)
{
    if (sum->window_requests > 0 || sum->arrived == 0)
        return;
    fprintf(stderr,
            "hetsim run: warning: %s%s%s: no request arrived inside the "
            "measurement window ([%.6g s, %.6g s) of a run that spans "
            "%.6g s): its latency, SLO and throughput figures are empty\n",
            sc->name, sc->variant != NULL ? "/" : "",
            sc->variant != NULL ? sc->variant : "", sum->window_from_s,
            sum->window_from_s + sum->window_s, sum->sim_s);
}

/* Run every scenario of 'p' with 'runner' into 'store'; returns the exit
 * status. */
static int run_all(const run_args *a, const app_plan *p, app_runner *runner,
                   io_store *store)
{
    int64_t *ids = hs_calloc(p->n, sizeof *ids);
    size_t n_ids = 0;
    int status = CLI_OK;

    for (size_t i = 0;
         i < p->n && status == CLI_OK && !app_runner_stopped(runner); i++) {
        hs_diag *d = hs_diag_new();
        app_run_result res;
        int rc = app_runner_run(runner, p->sc[i], &res, d);

        cli_print_diag(d, stderr);
        hs_diag_clear(d);
        if (rc == HS_OK)
            warn_empty_window(p->sc[i], &res.sum);
        if (res.run_id >= 0) {
            ids[n_ids++] = res.run_id;
            print_summary(a, store, &res.run_id, 1, d);
            print_formats(a, p->sc[i]);
        }
        status = exit_status(rc);
        if (status != CLI_OK && i + 1 < p->n)
            fprintf(stderr, "hetsim run: %zu more run(s) not started\n",
                    p->n - i - 1);
        hs_diag_free(d);
    }
    if (n_ids > 1) {
        hs_diag *d = hs_diag_new();

        print_summary(a, store, ids, n_ids, d);
        hs_diag_free(d);
    }
    print_where(a, store, ids, n_ids);
    free(ids);
    if (app_runner_stopped(runner)) {
        fprintf(stderr, "hetsim run: interrupted\n");
        return CLI_FAIL;
    }
    return status;
}

/* The run options of 'a', reporting progress to 'pg' unless --quiet. */
static app_run_opts run_options(const run_args *a, cli_progress *pg)
{
    app_run_opts o;

    memset(&o, 0, sizeof o);
    o.has_seed = a->has_seed;
    o.seed = a->seed;
    o.no_fast_forward = a->no_fast_forward;
    o.scenario_path = a->path;
    o.ovr = a->ovr;
    o.n_ovr = a->n_ovr;
    if (!a->quiet) {
        o.progress = cli_progress_cb;
        o.progress_ctx = pg;
        o.progress_every_s = PROGRESS_SIM_S;
    }
    return o;
}

/* Open the database and run every run of 'p' into it, signals caught. */
static int run_plan(const run_args *a, const app_run_opts *ro,
                    const app_plan *p)
{
    char *db = app_plan_db_path(p, a->db);
    io_store *store = NULL;
    hs_diag *d = hs_diag_new();
    app_runner *runner;
    run_signals rs;
    int rc = app_store_open(db, &store, d);

    if (rc != HS_OK) {
        cli_print_diag(d, stderr);
        rc = rc == HS_EINPUT ? CLI_USAGE : CLI_FAIL;
    } else {
        runner = app_runner_new(store, ro);
        signal_runner = runner;
        catch_signals(&rs);
        rc = run_all(a, p, runner, store);
        restore_signals(&rs);
        signal_runner = NULL;
        app_runner_free(runner);
    }
    io_store_close(store);
    hs_diag_free(d);
    free(db);
    return rc;
}

int cli_run(int argc, char **argv)
{
    run_args a;
    cli_progress pg;
    app_run_opts ro;
    app_plan p;
    int rc;

    memset(&a, 0, sizeof a);
    memset(&p, 0, sizeof p);
    rc = parse_args(argc, argv, &a);
    if (rc == CLI_OK) {
        ro = run_options(&a, &pg);
        rc = plan_runs(&a, &ro, &p);
        if (rc == HS_OK) {
            cli_progress_init(&pg, &p, &ro, !a.quiet);
            rc = run_plan(&a, &ro, &p);
            cli_progress_fini(&pg);
        } else {
            rc = CLI_USAGE;
        }
    }
    app_plan_fini(&p);
    free(a.ovr);
    return rc;
}
