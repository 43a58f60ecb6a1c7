/*
 * cli_report.c -- 'hetsim report DB [--run ID|NAME] [--format F]': the
 * runs of a results database side by side (cli_table.c), from the runs
 * table and the run-scope metrics (docs/schema.md).
 *
 * --run selects one run: a number is a run_id; "NAME" is the latest run
 * of scenario NAME without a variant, "NAME/VARIANT" the latest of that
 * variant.  Without --run every run is shown except 'hetsim oicf --db'
 * invocations.
 *
 * Exit status: 0; 2 for bad usage, a missing file, a file that is not a
 * hetsim database or an unknown run; 1 for a failed read.
 */
#include "cli.h"

#include <string.h>
#include <unistd.h>

#include "hetsim/app.h"
#include "hetsim/store.h"

/* ---- the command -------------------------------------------------------- */

typedef struct report_args {
    const char *db;
    const char *run;
    const char *format;
} report_args;

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: hetsim report DB [--run ID|NAME[/VARIANT]] "
                 "[--format table|csv|json]\n");
    return status;
}

static int bad_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "hetsim report: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return usage(stderr, CLI_USAGE);
}

/* Parse argv; returns CLI_OK, or the exit status when done already. */
static int parse_args(int argc, char **argv, report_args *a, bool *done)
{
    *done = false;
    a->format = "table";
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            *done = true;
            return usage(stdout, CLI_OK);
        } else if (strncmp(o, "--run=", 6) == 0) {
            a->run = o + 6;
        } else if (strncmp(o, "--format=", 9) == 0) {
            a->format = o + 9;
        } else if (strcmp(o, "--run") == 0 || strcmp(o, "--format") == 0) {
            if (v == NULL)
                return bad_usage("option '%s' needs a value", o);
            if (strcmp(o, "--run") == 0)
                a->run = v;
            else
                a->format = v;
            i++;
        } else if (o[0] == '-' && o[1] != '\0') {
            return bad_usage("unknown option '%s'", o);
        } else if (a->db != NULL) {
            return bad_usage("unexpected argument '%s'", o);
        } else {
            a->db = o;
        }
    }
    if (a->db == NULL)
        return bad_usage("%s", "missing DB");
    if (strcmp(a->format, "table") != 0 && strcmp(a->format, "csv") != 0 &&
        strcmp(a->format, "json") != 0)
        return bad_usage("--format: expected table, csv or json, found '%s'",
                         a->format);
    return CLI_OK;
}

static int exit_status(int rc)
{
    return rc == HS_OK ? CLI_OK : rc == HS_EINPUT ? CLI_USAGE : CLI_FAIL;
}

int cli_report(int argc, char **argv)
{
    report_args a = {0};
    io_store *s = NULL;
    hs_diag *d;
    int64_t id;
    bool done;
    int rc = parse_args(argc, argv, &a, &done);

    if (rc != CLI_OK || done)
        return rc;
    if (access(a.db, F_OK) != 0) {
        fprintf(stderr, "%s: error: no such file\n", a.db);
        return CLI_USAGE;
    }
    d = hs_diag_new();
    rc = io_store_open_read(a.db, &s, d);
    if (rc == HS_OK && a.run != NULL)
        rc = app_runs_find(s, a.run, &id, d);
    if (rc == HS_OK)
        rc = cli_report_runs(s, a.run != NULL ? &id : NULL, 1, a.format,
                             stdout, d);
    cli_print_diag(d, stderr);
    io_store_close(s);
    hs_diag_free(d);
    return exit_status(rc);
}
