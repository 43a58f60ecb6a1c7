/*
 * cli_search.c -- 'hetsim search SEARCH.yaml [-o DB] [-j N] [--format
 * table|csv|json] [--rate-max] [--quiet]': the best candidate of a
 * space that meets an SLO (docs/search.md; the search itself is
 * app_search.c, the bisection of --rate-max cli_search_rate.c).
 *
 * The candidates that may still beat the best are simulated in order,
 * -j at a time (cli_pool.c), into DB; then one row per candidate is
 * printed: the space PATHs, feasible, the objective, ttft_p99_s,
 * tpot_p99_s, throughput_tok_s, simulated (0: decided by a bound,
 * 'reason' says which), pareto, the run ids; feasible ones first in
 * objective order.  A line under the table names the best and counts
 * the simulations against the size of the space.
 *
 * Exit status: 0 a candidate meets the SLO; 1 none does, or a failure;
 * 2 bad usage or bad input.
 */
#include "cli_search.h"
#include "cli.h"
#include "cli_sweep.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_help.h"
#include "hetsim/app.h"

static bool parse_jobs(const char *s, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || v < 1 || v > 4096)
        return false;
    *out = (int)v;
    return true;
}

static int apply_option(const cli_doc *doc, const cli_opt *o, const char *v,
                        void *ctx)
{
    cli_search_args *a = ctx;
    if (cli_opt_is(o, "-o"))
        a->db = v;
    else if (cli_opt_is(o, "--quiet"))
        a->quiet = true;
    else if (cli_opt_is(o, "--rate-max"))
        a->rate_max = true;
    else if (cli_opt_is(o, "--format")) {
        if (strcmp(v, "table") != 0 && strcmp(v, "csv") != 0 &&
            strcmp(v, "json") != 0)
            return cli_usage_error(doc,
                                   "--format: expected table, csv or json, "
                                   "found '%s'",
                                   v);
        a->format = v;
    } else if (!parse_jobs(v, &a->jobs))
        return cli_usage_error(doc,
                               "-j: expected an integer in [1, 4096], "
                               "found '%s'",
                               v);
    return CLI_OK;
}

static int parse_args(int argc, char **argv, cli_search_args *a)
{
    const cli_doc *doc = cli_doc_find("search");

    a->format = "table";
    return cli_parse_path_args(doc, argc, argv, "SEARCH.yaml", &a->path,
                               apply_option, a);
}

/* ---- simulating --------------------------------------------------------- */

typedef struct take_ctx {
    app_search *s;
    io_store *store;
    bool failed;
} take_ctx;

static void on_point(void *ctx, size_t point, int64_t run_id)
{
    take_ctx *t = ctx;
    hs_diag *d = hs_diag_new();

    if (app_search_take(t->s, point, t->store, run_id, d) != HS_OK)
        t->failed = true;
    cli_print_diag(d, stderr);
    hs_diag_free(d);
}

/* Simulate what may beat the best, -j candidates at a time; returns the
 * points simulated, or SIZE_MAX when a signal or the store stopped it. */
static size_t simulate(const cli_search_args *a, app_search *s,
                       io_store *store, const char *db)
{
    int jobs = a->jobs > 0 ? a->jobs : cli_ncpu();
    size_t *pts = hs_calloc((size_t)jobs * s->n_seeds + 1, sizeof *pts);
    size_t total = 0, n;
    take_ctx t = {s, store, false};

    while ((n = app_search_next(s, (size_t)jobs, pts)) > 0) {
        cli_pool_result r;

        cli_pool_run(&s->sw, pts, n, jobs, store, db, !a->quiet && isatty(2),
                     on_point, &t, &r);
        total += n;
        if (r.stopped || r.io_error || t.failed) {
            total = SIZE_MAX;
            break;
        }
    }
    free(pts);
    return total;
}

/* ---- the command -------------------------------------------------------- */

static int search_in(const cli_search_args *a, app_search *s, const char *db)
{
    hs_diag *d = hs_diag_new();
    io_store *store = NULL;
    size_t *rows = NULL, sims = 0;
    int rc = app_store_open(db, &store, d);

    cli_print_diag(d, stderr);
    hs_diag_free(d);
    if (rc != HS_OK) {
        io_store_close(store);
        return rc == HS_EINPUT ? CLI_USAGE : CLI_FAIL;
    }
    if (a->rate_max)
        sims = cli_search_rate(a, s, store, db);
    else
        sims = simulate(a, s, store, db);
    io_store_close(store);
    if (sims == SIZE_MAX) {
        fprintf(stderr, "hetsim search: stopped before the end; no result\n");
        return CLI_FAIL;
    }
    app_search_finish(s, &rows);
    cli_search_print(a, s, rows, sims, db, stdout);
    free(rows);
    return s->best >= 0 ? CLI_OK : CLI_FAIL;
}

int cli_search(int argc, char **argv)
{
    cli_search_args a;
    app_search s;
    hs_diag *d;
    char *db;
    int rc;

    memset(&a, 0, sizeof a);
    rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK)
        return rc;
    d = hs_diag_new();
    rc = app_search_load(a.path, &s, d);
    cli_print_diag(d, stderr);
    hs_diag_free(d);
    if (rc != HS_OK)
        return CLI_USAGE;
    if (a.rate_max && s.sw.file->rate_path == NULL) {
        fprintf(stderr,
                "%s: error: --rate-max needs a rate_max section "
                "(path, min, max)\n",
                a.path);
        app_search_fini(&s);
        return CLI_USAGE;
    }
    db = a.db != NULL ? hs_strdup(a.db) : cli_default_db(a.path);
    rc = search_in(&a, &s, db);
    free(db);
    app_search_fini(&s);
    return rc;
}
