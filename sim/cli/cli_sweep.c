/*
 * cli_sweep.c -- 'hetsim sweep SWEEP.yaml [-o DB] [-j N] [--shard I/N]
 * [--resume] [--quiet]': run every point of a sweep file (docs/sweep.md)
 * into one results database.
 *
 * Every point is loaded and checked before the database is opened (a
 * value the scenario rejects is reported where the sweep file wrote it;
 * exit 2, nothing created).  --shard I/N keeps the points whose index
 * (from 0, in the sweep's order) is I-1 modulo N; --resume leaves out
 * the points the database already holds as done runs.  The points run in
 * -j N worker processes (default: the number of processors), this
 * process the only writer (cli_pool.c).  A progress line (points done,
 * running, ETA) is kept on stderr when it is a terminal.
 *
 * The database is -o DB, else results/<sweep file name>.db.
 *
 * Exit status: 0 every point done; 2 bad usage or bad input; 1 a point
 * failed, the store failed, or a signal stopped the sweep.
 */
#include "cli_sweep.h"
#include "cli.h"
#include "cli_search.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_help.h"
#include "hetsim/app.h"

typedef struct sweep_args {
    const char *path;
    const char *db;
    int jobs;
    long shard_i, shard_n; /* 0: no shard */
    bool resume, quiet;
} sweep_args;

static bool parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;

    errno = 0;
    *out = strtol(s, &end, 10);
    return s[0] != '\0' && *end == '\0' && errno == 0 && *out >= lo &&
           *out <= hi;
}

static int parse_shard(const cli_doc *doc, const char *v, sweep_args *a)
{
    const char *slash = strchr(v, '/');
    char *i = slash != NULL ? hs_strndup(v, (size_t)(slash - v)) : NULL;
    bool ok = i != NULL && parse_int(i, 1, 1000000, &a->shard_i) &&
              parse_int(slash + 1, 1, 1000000, &a->shard_n) &&
              a->shard_i <= a->shard_n;

    free(i);
    if (!ok)
        return cli_usage_error(doc,
                               "--shard: expected I/N with 1 <= I <= N, "
                               "found '%s'",
                               v);
    return CLI_OK;
}

static int apply_option(const cli_doc *doc, const cli_opt *o, const char *v,
                        void *ctx)
{
    sweep_args *a = ctx;
    long j;

    if (cli_opt_is(o, "-o"))
        a->db = v;
    else if (cli_opt_is(o, "--resume"))
        a->resume = true;
    else if (cli_opt_is(o, "--quiet"))
        a->quiet = true;
    else if (cli_opt_is(o, "--shard"))
        return parse_shard(doc, v, a);
    else if (!parse_int(v, 1, 4096, &j))
        return cli_usage_error(doc,
                               "-j: expected an integer in [1, 4096], "
                               "found '%s'",
                               v);
    else
        a->jobs = (int)j;
    return CLI_OK;
}

static int parse_args(int argc, char **argv, sweep_args *a)
{
    const cli_doc *doc = cli_doc_find(argv[0]);

    return cli_parse_path_args(doc, argc, argv, "SWEEP.yaml", &a->path,
                               apply_option, a);
}

/* The points to run: the shard's, less those done (--resume). */
static size_t *select_points(const sweep_args *a, const app_sweep *sw,
                             io_store *store, size_t *n, hs_diag *d)
{
    size_t *todo = hs_calloc(sw->n + 1, sizeof *todo);
    bool *done = hs_calloc(sw->n + 1, sizeof *done);

    *n = 0;
    if (a->resume)
        app_sweep_done(store, sw, done, d);
    for (size_t i = 0; i < sw->n; i++) {
        if (a->shard_n > 0 && i % (size_t)a->shard_n != (size_t)a->shard_i - 1)
            continue;
        if (!done[i])
            todo[(*n)++] = i;
    }
    free(done);
    return todo;
}

static int finish(const sweep_args *a, const char *db, size_t total,
                  size_t skipped, const cli_pool_result *r)
{
    if (!a->quiet)
        printf("sweep: %zu point(s) run (%zu done, %zu not), %zu skipped as "
               "already done; results: %s\n",
               r->done + r->failed, r->done, r->failed, skipped, db);
    (void)total;
    if (r->stopped) {
        fprintf(stderr, "hetsim sweep: interrupted (run it again with "
                        "--resume to finish)\n");
        return CLI_FAIL;
    }
    return r->failed > 0 || r->io_error ? CLI_FAIL : CLI_OK;
}

static int run_sweep(const sweep_args *a, const app_sweep *sw)
{
    char *db = a->db != NULL ? hs_strdup(a->db) : cli_default_db(a->path);
    hs_diag *d = hs_diag_new();
    io_store *store = NULL;
    cli_pool_result r;
    size_t n = 0, shard_total, *todo = NULL;
    int rc = app_store_open(db, &store, d);

    if (rc == HS_OK) {
        todo = select_points(a, sw, store, &n, d);
        shard_total = a->shard_n > 0
                          ? (sw->n + (size_t)a->shard_n - (size_t)a->shard_i) /
                                (size_t)a->shard_n
                          : sw->n;
        cli_print_diag(d, stderr);
        cli_pool_run(sw, todo, n, a->jobs > 0 ? a->jobs : cli_ncpu(), store,
                     db, !a->quiet && isatty(2), NULL, NULL, &r);
        rc = finish(a, db, sw->n, shard_total - n, &r);
    } else {
        cli_print_diag(d, stderr);
        rc = rc == HS_EINPUT ? CLI_USAGE : CLI_FAIL;
    }
    io_store_close(store);
    hs_diag_free(d);
    free(todo);
    free(db);
    return rc;
}

int cli_sweep(int argc, char **argv)
{
    sweep_args a;
    app_sweep sw;
    hs_diag *d;
    int rc;

    memset(&a, 0, sizeof a);
    rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK)
        return rc;
    d = hs_diag_new();
    rc = app_sweep_load(a.path, IO_SWEEP_FILE, &sw, d);
    cli_print_diag(d, stderr);
    hs_diag_free(d);
    if (rc != HS_OK)
        return CLI_USAGE;
    rc = run_sweep(&a, &sw);
    app_sweep_fini(&sw);
    return rc;
}
