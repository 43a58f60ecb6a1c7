/*
 * cli_report.c -- 'hetsim report DB... [--run ID|NAME]... [--format F]':
 * the runs of one or more results databases side by side (cli_table.c),
 * from the runs table and the metrics (docs/schema.md), each run named
 * by its file (when there are several) and its run_id.
 *
 * --run selects runs, and may be repeated: a number is a run_id; "NAME"
 * is the latest run of scenario NAME without a variant, "NAME/VARIANT"
 * the latest of that variant.  A --run written after a DB selects in
 * that DB; one written before every DB selects in each of them.  A DB
 * without a selector shows every run except 'hetsim oicf --db'
 * invocations.  Runs appear in the order of the DBs, then of the
 * selectors.  A database is opened for reading only and is left as it
 * was (no -wal/-shm files: io_store_open_read).
 *
 * Exit status: 0; 3 when a run shown is not done (unless
 * --allow-incomplete); 2 for bad usage, a missing file, a file that is not a
 * hetsim database or an unknown run; 1 for a failed read.  Nothing is
 * printed on an error.
 */
#include "cli.h"
#include "cli_help.h"
#include "cli_plot.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hetsim/app.h"
#include "hetsim/store.h"

/* ---- the command -------------------------------------------------------- */

/* One DB argument and the selectors written after it. */
typedef struct report_db {
    const char *path;
    const char **runs; /* borrowed from argv */
    size_t n_runs;
} report_db;

typedef struct report_args {
    report_db *dbs; /* [argc]: at most one per argument */
    size_t n_dbs;
    const char **all_runs; /* selectors before the first DB */
    size_t n_all;
    const char *format;
    bool allow_incomplete; /* --allow-incomplete: exit 0 even so */
    bool html;             /* --html: a page instead (cli_html.c) */
    const char *out;       /* -o: the page */
} report_args;

/* A --run selector: for the last DB given, or for all before any. */
static void add_run(report_args *a, const char *sel)
{
    if (a->n_dbs == 0) {
        a->all_runs[a->n_all++] = sel;
    } else {
        report_db *db = &a->dbs[a->n_dbs - 1];

        db->runs[db->n_runs++] = sel;
    }
}

static void add_db(report_args *a, const char *path, int argc)
{
    report_db *db = &a->dbs[a->n_dbs++];

    db->path = path;
    db->runs = hs_calloc((size_t)argc, sizeof *db->runs);
}

/* Parse argv against report's options in the command table
 * (cli_help_table.c); CLI_OK or the exit status. */
static int parse_args(int argc, char **argv, report_args *a)
{
    const cli_doc *doc = cli_doc_find("report");
    const cli_opt *o;
    const char *v;

    a->format = "table";
    a->dbs = hs_calloc((size_t)argc, sizeof *a->dbs);
    a->all_runs = hs_calloc((size_t)argc, sizeof *a->all_runs);
    for (int i = 1; i < argc; i++) {
        switch (cli_next_arg(doc, argc, argv, &i, &o, &v)) {
        case CLI_ARG_POSITIONAL:
            add_db(a, v, argc);
            break;
        case CLI_ARG_OPTION:
            if (cli_opt_is(o, "--run"))
                add_run(a, v);
            else if (cli_opt_is(o, "--allow-incomplete"))
                a->allow_incomplete = true;
            else if (cli_opt_is(o, "--html"))
                a->html = true;
            else if (cli_opt_is(o, "-o"))
                a->out = v;
            else
                a->format = v;
            break;
        case CLI_ARG_BAD:
            return CLI_USAGE;
        }
    }
    if (a->n_dbs == 0)
        return cli_usage_error(doc, "missing DB");
    if (a->html && a->n_dbs > 1)
        return cli_usage_error(doc, "--html: one DB at a time");
    if (a->out != NULL && !a->html)
        return cli_usage_error(doc, "-o: only with --html");
    if (strcmp(a->format, "table") != 0 && strcmp(a->format, "csv") != 0 &&
        strcmp(a->format, "json") != 0)
        return cli_usage_error(doc,
                               "--format: expected table, csv or json, "
                               "found '%s'",
                               a->format);
    return CLI_OK;
}

static void free_args(report_args *a)
{
    for (size_t i = 0; i < a->n_dbs; i++)
        free(a->dbs[i].runs);
    free(a->dbs);
    free(a->all_runs);
}

static int exit_status(int rc)
{
    return rc == HS_OK ? CLI_OK : rc == HS_EINPUT ? CLI_USAGE : CLI_FAIL;
}

/* The run ids the selectors of 'db' name in 's' (all before it, then its
 * own) into 'ids'; '*n' of them, 0 when there is no selector. */
static int find_runs(io_store *s, const report_args *a, const report_db *db,
                     int64_t *ids, size_t *n, hs_diag *d)
{
    int rc = HS_OK;

    *n = 0;
    for (size_t i = 0; i < a->n_all && rc == HS_OK; i++)
        rc = app_runs_find(s, a->all_runs[i], &ids[(*n)++], d);
    for (size_t i = 0; i < db->n_runs && rc == HS_OK; i++)
        rc = app_runs_find(s, db->runs[i], &ids[(*n)++], d);
    return rc;
}

/* Append the runs 'db' selects to 'set'. */
static int load_db(const report_args *a, const report_db *db, app_runs *set,
                   hs_diag *d)
{
    io_store *s = NULL;
    int64_t *ids;
    size_t n = 0;
    int rc;

    if (access(db->path, F_OK) != 0)
        return hs_diag_error(d, (hs_loc){db->path, 0, 0}, "no such file");
    ids = hs_calloc(a->n_all + db->n_runs + 1, sizeof *ids);
    rc = io_store_open_read(db->path, &s, d);
    if (rc == HS_OK)
        rc = find_runs(s, a, db, ids, &n, d);
    if (rc == HS_OK)
        rc = app_runs_load(s, n > 0 ? ids : NULL, n, set, d);
    io_store_close(s);
    free(ids);
    return rc;
}

/* Runs of 'set' whose status is not 'done' (running, failed,
 * interrupted, or a process that died while running). */
static size_t count_incomplete(const app_runs *set)
{
    size_t n = 0;

    for (size_t i = 0; i < set->n; i++) {
        const char *st = set->runs[i].col[REC_C_runs_status];

        n += st == NULL || strcmp(st, "done") != 0;
    }
    return n;
}

/* Exit 3 when a run shown is not done, unless told to allow it. */
static int incomplete_status(const report_args *a, const app_runs *set)
{
    size_t n = count_incomplete(set);

    if (n == 0 || a->allow_incomplete)
        return CLI_OK;
    fprintf(stderr,
            "hetsim report: %zu run%s shown %s not done (see the notes): "
            "exit status 3 (--allow-incomplete: 0)\n",
            n, n > 1 ? "s" : "", n > 1 ? "are" : "is");
    return CLI_INCOMPLETE;
}

/* --html: the page of the runs the selectors name in the one DB. */
static int html_report(const report_args *a, hs_diag *d)
{
    const report_db *db = &a->dbs[0];
    const char *out = a->out != NULL ? a->out : "report.html";
    io_store *s = NULL;
    int64_t *ids = hs_calloc(a->n_all + db->n_runs + 1, sizeof *ids);
    size_t n = 0;
    int rc = cli_open_db(db->path, &s, d);

    if (rc == HS_OK)
        rc = find_runs(s, a, db, ids, &n, d);
    if (rc == HS_OK)
        rc = cli_html_write(s, db->path, n > 0 ? ids : NULL, n, out, d);
    if (rc == HS_OK)
        printf("wrote %s\n", out);
    io_store_close(s);
    free(ids);
    return rc;
}

int cli_report(int argc, char **argv)
{
    report_args a = {0};
    app_runs set = {0};
    hs_diag *d;
    int status, rc = parse_args(argc, argv, &a);

    if (rc != CLI_OK) {
        free_args(&a);
        return rc;
    }
    d = hs_diag_new();
    if (a.html) {
        /* The page is written whatever the runs' status; the exit status
         * says, as the text report's does, when a run shown is not done. */
        rc = html_report(&a, d);
        if (rc == HS_OK)
            rc = load_db(&a, &a.dbs[0], &set, d);
        cli_print_diag(d, stderr);
        status = rc == HS_OK ? incomplete_status(&a, &set) : exit_status(rc);
        app_runs_fini(&set);
        hs_diag_free(d);
        free_args(&a);
        return status;
    }
    for (size_t i = 0; i < a.n_dbs && rc == HS_OK; i++)
        rc = load_db(&a, &a.dbs[i], &set, d);
    if (rc == HS_OK)
        cli_report_print(&set, a.format, stdout);
    cli_print_diag(d, stderr);
    status = rc == HS_OK ? incomplete_status(&a, &set) : exit_status(rc);
    app_runs_fini(&set);
    hs_diag_free(d);
    free_args(&a);
    return status;
}
