/*
 * cli_run.c -- 'hetsim run SCENARIO.yaml [-o DB] [--seed N]
 * [--set PATH=VALUE]... [--variant NAME] [--quiet] [--no-fast-forward]':
 * simulate a scenario and write the results to a SQLite file.
 *
 * Without --variant the base scenario runs first, then every variant in
 * file order, each its own run (runs row) in the same database; with
 * --variant only that variant runs.  The overrides apply to every run.
 * Every run's scenario is loaded and validated, and its simulation built
 * once and freed, before the database is opened: on any problem every
 * message is printed (a variant's own problems tagged "variant 'NAME': ")
 * and nothing is created.
 *
 * The database is -o DB, else the scenario's output.db (relative to the
 * current directory, as written), else results/<name>.db; missing parent
 * directories are created.
 *
 * After each run a one-column summary table is printed on stdout, and,
 * with several runs, a final side-by-side table (the same as 'hetsim
 * report' shows).  While a run goes, a progress line is kept up to date
 * on stderr when stderr is a terminal.  --quiet prints neither.
 *
 * SIGINT / SIGTERM stop the running simulation after its current event:
 * the run is recorded 'interrupted' (rows so far kept), the remaining
 * variants are not run, "hetsim run: interrupted" is printed and the
 * exit status is 1.  The handler is one-shot (SA_RESETHAND): a second
 * signal kills the process at once, leaving the run 'running'.
 *
 * Exit status: 0 every run done; 2 bad usage or bad input (scenario,
 * overrides, unknown variant, a trace srv_sim_new cannot open, a
 * malformed trace line met while running, a file that is not a hetsim
 * database); 1 any other failure (I/O, interrupted).  Runs after a
 * failed one are not started.
 */
#include "cli.h"

#include "hetsim_config.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_sink.h"
#include "hetsim/io.h"
#include "hetsim/serve.h"
#include "hetsim/store.h"

/* The simulation to stop on a signal, and the signal seen.  The only
 * mutable globals of 'hetsim run': a signal handler has no context. */
static srv_sim *volatile running_sim;
static volatile sig_atomic_t got_signal;

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

static double wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- arguments ---------------------------------------------------------- */

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: hetsim run SCENARIO.yaml [-o DB] [--seed N] "
                 "[--set PATH=VALUE]... [--variant NAME] [--quiet] "
                 "[--no-fast-forward]\n");
    return status;
}

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "hetsim run: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return usage(stderr, CLI_USAGE);
}

static bool parse_seed(const char *text, uint64_t *out)
{
    char *end;

    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    *out = (uint64_t)strtoull(text, &end, 10);
    return errno == 0 && *end == '\0';
}

/* Options that take a value, as "--opt V" or "--opt=V" ("-o DB"). */
enum { OPT_SET, OPT_VARIANT, OPT_OUTPUT, OPT_SEED, N_OPTS };
static const char *const opt_names[N_OPTS] = {"--set", "--variant", "-o",
                                              "--seed"};

/* Which value option 'arg' is (N_OPTS: none); '*inline_value' is the text
 * after '=' in "--opt=V", or NULL. */
static int which_option(const char *arg, const char **inline_value)
{
    *inline_value = NULL;
    for (int k = 0; k < N_OPTS; k++) {
        size_t n = strlen(opt_names[k]);

        if (strncmp(arg, opt_names[k], n) != 0)
            continue;
        if (arg[n] == '\0')
            return k;
        if (arg[n] == '=' && arg[1] == '-') {
            *inline_value = arg + n + 1;
            return k;
        }
    }
    return N_OPTS;
}

/* Parse the option at argv[*i] (advancing *i past a separate value);
 * returns CLI_OK or an exit status. */
static int parse_option(int argc, char **argv, int *i, run_args *a)
{
    const char *o = argv[*i], *v;
    int k;

    if (strcmp(o, "--quiet") == 0 || strcmp(o, "-q") == 0) {
        a->quiet = true;
        return CLI_OK;
    }
    if (strcmp(o, "--no-fast-forward") == 0) {
        a->no_fast_forward = true;
        return CLI_OK;
    }
    k = which_option(o, &v);
    if (k == N_OPTS)
        return bad_usage("unknown option '%s'", o);
    if (v == NULL) {
        if (*i + 1 >= argc)
            return bad_usage("option '%s' needs a value", o);
        v = argv[++*i];
    }
    if (k == OPT_SET)
        a->ovr[a->n_ovr++].arg = v;
    else if (k == OPT_VARIANT)
        a->variant = v;
    else if (k == OPT_OUTPUT)
        a->db = v;
    else if (!parse_seed(v, &a->seed))
        return bad_usage("--seed: expected an integer in [0, 2^64), found "
                         "'%s'",
                         v);
    else
        a->has_seed = true;
    return CLI_OK;
}

/* Returns CLI_OK, or the exit status (usage printed; -h is CLI_OK with
 * '*done'). */
static int parse_args(int argc, char **argv, run_args *a, bool *done)
{
    *done = false;
    a->ovr = hs_calloc((size_t)argc + 1, sizeof *a->ovr);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int rc;

        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            *done = true;
            return usage(stdout, CLI_OK);
        }
        if (o[0] != '-' || o[1] == '\0') {
            if (a->path != NULL)
                return bad_usage("unexpected argument '%s'", o);
            a->path = o;
            continue;
        }
        rc = parse_option(argc, argv, &i, a);
        if (rc != CLI_OK)
            return rc;
    }
    if (a->path == NULL)
        return bad_usage("%s", "missing SCENARIO.yaml");
    return CLI_OK;
}

/* ---- loading every run's scenario --------------------------------------- */

/* The scenarios to run, in order, all validated; and the problems of the
 * variants that the base scenario does not have, tagged. */
typedef struct run_plan {
    sc_scenario **sc;
    size_t n;
    char **extra; /* "...: error: variant 'NAME': ..." */
    size_t n_extra, cap_extra;
} run_plan;

static bool has_message(const hs_diag *d, const run_plan *p, const char *m)
{
    for (size_t i = 0; i < hs_diag_count(d); i++)
        if (strcmp(hs_diag_message(d, i), m) == 0)
            return true;
    for (size_t i = 0; i < p->n_extra; i++)
        if (strcmp(p->extra[i], m) == 0)
            return true;
    return false;
}

/* Keep the messages of 'vd' (a variant's load) that the base's 'd' lacks,
 * with "variant 'name': " after their "error: ". */
static void add_variant_diag(run_plan *p, const hs_diag *d, const hs_diag *vd,
                             const char *name)
{
    for (size_t i = 0; i < hs_diag_count(vd); i++) {
        const char *m = hs_diag_message(vd, i);
        const char *tag = strstr(m, "error: ");
        char *t;

        if (has_message(d, p, m))
            continue;
        if (tag == NULL)
            t = hs_asprintf("variant '%s': %s", name, m);
        else
            t = hs_asprintf("%.*svariant '%s': %s", (int)(tag + 7 - m), m,
                            name, tag + 7);
        if (has_message(d, p, t)) {
            free(t);
            continue;
        }
        hs_grow((void **)&p->extra, &p->cap_extra, p->n_extra + 1,
                sizeof *p->extra);
        p->extra[p->n_extra++] = t;
    }
}

/* Load one run's scenario, from 'text' when not NULL.  Problems go to
 * 'd', or, for a variant (not the one --variant asked for), to p->extra
 * when the base does not have them. */
static sc_scenario *load_one(const run_args *a, const char *variant,
                             const char *text, run_plan *p, hs_diag *d)
{
    io_scenario_opts o;
    sc_scenario *sc = NULL;
    bool tagged = variant != NULL && a->variant == NULL;
    hs_diag *vd = tagged ? hs_diag_new() : d;

    memset(&o, 0, sizeof o);
    o.ovr = a->ovr;
    o.n_ovr = a->n_ovr;
    o.variant = variant;
    o.text = text;
    io_scenario_load_opts(a->path, &o, &sc, vd);
    if (tagged) {
        add_variant_diag(p, d, vd, variant);
        hs_diag_free(vd);
    }
    return sc;
}

/* The variants to run after the base: its own list when it loaded, else
 * the names in the file (problems there are the base's too). */
static void variant_names(const run_args *a, const sc_scenario *base,
                          char ***names, size_t *n)
{
    hs_diag *scratch;

    if (base != NULL) {
        *names = hs_calloc(base->n_variants + 1, sizeof **names);
        for (size_t i = 0; i < base->n_variants; i++)
            (*names)[i] = hs_strdup(base->variants[i]);
        *n = base->n_variants;
        return;
    }
    scratch = hs_diag_new();
    io_scenario_variant_names(a->path, NULL, names, n, scratch);
    hs_diag_free(scratch);
}

static void free_plan(run_plan *p)
{
    for (size_t i = 0; i < p->n; i++)
        sc_scenario_free(p->sc[i]);
    free(p->sc);
    io_names_free(p->extra, p->n_extra);
    memset(p, 0, sizeof *p);
}

static void print_plan_diag(const run_plan *p, const hs_diag *d)
{
    cli_print_diag(d, stderr);
    for (size_t i = 0; i < p->n_extra; i++)
        fprintf(stderr, "%s\n", p->extra[i]);
}

/* Load and validate every run.  Returns HS_OK, or HS_EINPUT with every
 * problem printed and an empty plan. */
static int plan_runs(const run_args *a, run_plan *p, hs_diag *d)
{
    char **names = NULL;
    size_t n = 0;
    bool ok;
    sc_scenario *base = NULL;

    if (a->variant != NULL) {
        n = 1;
        names = hs_calloc(1, sizeof *names);
        names[0] = hs_strdup(a->variant);
    } else {
        base = load_one(a, NULL, NULL, p, d);
        variant_names(a, base, &names, &n);
    }
    p->sc = hs_calloc(n + 1, sizeof(sc_scenario *));
    ok = a->variant != NULL || base != NULL;
    if (base != NULL)
        p->sc[p->n++] = base;
    for (size_t i = 0; i < n; i++) {
        sc_scenario *sc =
            load_one(a, names[i], base != NULL ? base->yaml : NULL, p, d);

        ok = ok && sc != NULL;
        if (sc != NULL)
            p->sc[p->n++] = sc;
    }
    io_names_free(names, n);
    if (ok && hs_diag_count(d) == 0 && p->n_extra == 0)
        return HS_OK;
    print_plan_diag(p, d);
    free_plan(p);
    return HS_EINPUT;
}

/* Build (and free) the simulation of every run, so that what only
 * srv_sim_new() finds (a model that does not fit an instance, a trace
 * that cannot be opened) stops the command before the database is
 * touched.  Building is cheap: sources stream, nothing runs.  Returns
 * HS_OK or the first failure, with every problem printed. */
static int check_builds(const run_args *a, const run_plan *p)
{
    srv_sink none;
    int first = HS_OK;

    memset(&none, 0, sizeof none);
    for (size_t i = 0; i < p->n; i++) {
        srv_options opt;
        srv_sim *sim = NULL;
        hs_diag *d = hs_diag_new();
        int rc;

        memset(&opt, 0, sizeof opt);
        opt.seed = a->has_seed ? a->seed : p->sc[i]->seed;
        rc = srv_sim_new(p->sc[i], &opt, &none, &sim, d);
        srv_sim_free(sim);
        cli_print_diag(d, stderr);
        hs_diag_free(d);
        if (first == HS_OK)
            first = rc;
    }
    return first;
}

/* ---- the database ------------------------------------------------------- */

/* Create the missing directories above file 'path' (mkdir -p); failures
 * are left for the open to report. */
static void make_parents(const char *path)
{
    char *p = hs_strdup(path);

    for (char *s = p[0] != '\0' ? strchr(p + 1, '/') : NULL; s != NULL;
         s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            break;
        *s = '/';
    }
    free(p);
}

/* The database path (fresh string): -o, output.db, results/<name>.db. */
static char *db_path(const run_args *a, const sc_scenario *sc)
{
    if (a->db != NULL)
        return hs_strdup(a->db);
    if (sc->output.db != NULL)
        return hs_strdup(sc->output.db);
    return hs_asprintf("results/%s.db", sc->name);
}

/* ---- signals and progress ----------------------------------------------- */

static void on_signal(int sig)
{
    srv_sim *s = running_sim;

    got_signal = sig;
    if (s != NULL)
        srv_sim_stop(s);
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
    got_signal = 0;
    sigaction(SIGINT, &sa, &rs->old_int);
    sigaction(SIGTERM, &sa, &rs->old_term);
}

static void restore_signals(const run_signals *rs)
{
    sigaction(SIGINT, &rs->old_int, NULL);
    sigaction(SIGTERM, &rs->old_term, NULL);
}

/* The progress line of one run (stderr is a terminal). */
typedef struct run_progress {
    const char *label;
    double t0, last; /* wall clock: start, last print */
    bool shown;
} run_progress;

/* At most 10 lines a second, whatever the simulated rate. */
#define PROGRESS_WALL_S 0.1
/* Simulated seconds between calls: cheap, so often enough for slow
 * simulations; the wall clock decides what is printed. */
#define PROGRESS_SIM_S 0.05

static void show_progress(run_progress *p, double sim_s, int64_t done,
                          int64_t arrived, double now)
{
    fprintf(stderr, "\r[%s] sim %.1f s  done %lld/%lld  (wall %.1f s)  ",
            p->label, sim_s, (long long)done, (long long)arrived, now - p->t0);
    fflush(stderr);
    p->last = now;
    p->shown = true;
}

static void on_progress(void *ctx, double sim_s, int64_t done, int64_t arrived)
{
    run_progress *p = ctx;
    double now = wall_now();

    if (now - p->last >= PROGRESS_WALL_S)
        show_progress(p, sim_s, done, arrived, now);
}

/* ---- one run ------------------------------------------------------------ */

/* Everything one run needs and leaves. */
typedef struct run_ctx {
    const run_args *a;
    io_store *store;
    int64_t run_id; /* < 0 until begun */
} run_ctx;

static void iso_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The scenario text stored with the run: the file as written, plus the
 * overrides as trailing comments so the run can be reproduced. */
static char *run_yaml(const run_args *a, const sc_scenario *sc)
{
    size_t len = strlen(sc->yaml);
    char *s = hs_asprintf("%s%s", sc->yaml,
                          len > 0 && sc->yaml[len - 1] != '\n' ? "\n" : "");

    if (a->n_ovr > 0) {
        char *t = hs_asprintf("%s# hetsim run overrides:\n", s);

        free(s);
        s = t;
    }
    for (size_t i = 0; i < a->n_ovr; i++) {
        char *t = hs_asprintf("%s#   --set %s\n", s, a->ovr[i].arg);

        free(s);
        s = t;
    }
    return s;
}

static int begin_run(run_ctx *c, const sc_scenario *sc, uint64_t seed,
                     hs_diag *d)
{
    char started[32], *yaml = run_yaml(c->a, sc);
    rec_run_row info;
    int rc;

    iso_now(started, sizeof started);
    memset(&info, 0, sizeof info);
    info.name = sc->name;
    info.variant = sc->variant;
    info.scenario_path = c->a->path;
    info.scenario_yaml = yaml;
    info.seed = (int64_t)seed;
    info.version = HETSIM_VERSION;
    info.started_at = started;
    rc = io_store_begin_run(c->store, &info, &c->run_id, d);
    free(yaml);
    return rc;
}

static io_run_status status_of(int rc)
{
    if (rc == HS_OK)
        return IO_RUN_DONE;
    return rc == HS_EINTR ? IO_RUN_INTERRUPTED : IO_RUN_FAILED;
}

/* Run the built simulation 'sim' as run c->run_id and end the run.
 * Returns srv_sim_run's status, or the store's when that failed. */
static int simulate(run_ctx *c, srv_sim *sim, run_progress *pg, hs_diag *d)
{
    srv_summary sum;
    int rc, erc;

    running_sim = sim;
    if (got_signal != 0)
        srv_sim_stop(sim);
    rc = srv_sim_run(sim, d);
    running_sim = NULL;
    srv_sim_summary(sim, &sum);
    if (pg->shown) {
        show_progress(pg, sum.sim_s, sum.done, sum.arrived, wall_now());
        fprintf(stderr, "\n");
    }
    erc = io_store_end_run(c->store, c->run_id, status_of(rc),
                           wall_now() - pg->t0, sum.sim_s, sum.events, d);
    return rc != HS_OK ? rc : erc;
}

/* Build, run and record one scenario.  Returns an HS_* status; a
 * simulation that could not be built leaves c->run_id < 0. */
static int run_one(run_ctx *c, const sc_scenario *sc, hs_diag *d)
{
    char *label = sc->variant != NULL
                      ? hs_asprintf("%s/%s", sc->name, sc->variant)
                      : hs_strdup(sc->name);
    double t0 = wall_now();
    run_progress pg = {label, t0, t0, false};
    srv_options opt;
    cli_sink k;
    srv_sink sink;
    srv_sim *sim = NULL;
    int rc;

    memset(&opt, 0, sizeof opt);
    opt.seed = c->a->has_seed ? c->a->seed : sc->seed;
    opt.no_fast_forward = c->a->no_fast_forward;
    if (!c->a->quiet && isatty(STDERR_FILENO)) {
        opt.progress = on_progress;
        opt.progress_ctx = &pg;
        opt.progress_every_s = PROGRESS_SIM_S;
    }
    c->run_id = -1;
    cli_sink_init(&k, sc, c->store, -1, d);
    sink = cli_sink_callbacks(&k);
    rc = srv_sim_new(sc, &opt, &sink, &sim, d);
    if (rc == HS_OK)
        rc = begin_run(c, sc, opt.seed, d);
    if (rc == HS_OK) {
        k.run_id = c->run_id;
        rc = simulate(c, sim, &pg, d);
    }
    srv_sim_free(sim);
    cli_sink_fini(&k);
    free(label);
    return rc;
}

/* ---- the command -------------------------------------------------------- */

/* Exit status of a run's status; 'built': the simulation was built. */
static int exit_status(int rc, bool built)
{
    if (rc == HS_OK)
        return CLI_OK;
    if (rc == HS_EINPUT || (!built && rc == HS_EIO))
        return CLI_USAGE;
    return CLI_FAIL;
}

static void print_summary(run_ctx *c, const int64_t *ids, size_t n, hs_diag *d)
{
    if (c->a->quiet || n == 0)
        return;
    printf("\n");
    if (cli_report_runs(c->store, ids, n, "table", stdout, d) != HS_OK)
        cli_print_diag(d, stderr);
    fflush(stdout);
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

/* Run every scenario of 'p' into 'store'; returns the exit status. */
static int run_all(const run_args *a, const run_plan *p, io_store *store)
{
    run_ctx c = {a, store, -1};
    int64_t *ids = hs_calloc(p->n, sizeof *ids);
    size_t n_ids = 0;
    int status = CLI_OK;

    for (size_t i = 0; i < p->n && status == CLI_OK && !got_signal; i++) {
        hs_diag *d = hs_diag_new();
        int rc = run_one(&c, p->sc[i], d);

        cli_print_diag(d, stderr);
        hs_diag_clear(d);
        if (c.run_id >= 0) {
            ids[n_ids++] = c.run_id;
            print_summary(&c, &c.run_id, 1, d);
        }
        status = exit_status(rc, c.run_id >= 0);
        if (status != CLI_OK && i + 1 < p->n)
            fprintf(stderr, "hetsim run: %zu more run(s) not started\n",
                    p->n - i - 1);
        hs_diag_free(d);
    }
    if (n_ids > 1) {
        hs_diag *d = hs_diag_new();

        print_summary(&c, ids, n_ids, d);
        hs_diag_free(d);
    }
    print_where(a, store, ids, n_ids);
    free(ids);
    if (got_signal != 0) {
        fprintf(stderr, "hetsim run: interrupted\n");
        return CLI_FAIL;
    }
    return status;
}

int cli_run(int argc, char **argv)
{
    run_args a;
    run_plan p;
    run_signals rs;
    io_store *store = NULL;
    hs_diag *d = hs_diag_new();
    char *db = NULL;
    bool done;
    int rc;

    memset(&a, 0, sizeof a);
    memset(&p, 0, sizeof p);
    rc = parse_args(argc, argv, &a, &done);
    if (rc != CLI_OK || done)
        goto out;
    if (plan_runs(&a, &p, d) != HS_OK) {
        rc = CLI_USAGE;
        goto out;
    }
    if (check_builds(&a, &p) != HS_OK) {
        rc = CLI_USAGE;
        goto out;
    }
    db = db_path(&a, p.sc[0]);
    make_parents(db);
    rc = io_store_open(db, &store, d);
    if (rc != HS_OK) {
        cli_print_diag(d, stderr);
        rc = rc == HS_EINPUT ? CLI_USAGE : CLI_FAIL;
        goto out;
    }
    catch_signals(&rs);
    rc = run_all(&a, &p, store);
    restore_signals(&rs);
out:
    io_store_close(store);
    free_plan(&p);
    free(db);
    free(a.ovr);
    hs_diag_free(d);
    return rc;
}
