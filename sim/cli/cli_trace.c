/*
 * cli_trace.c -- 'hetsim trace DB [--run ID|NAME] [-o FILE] [--from T]
 * [--to T] [--max-events N]': one run as Chrome trace-event JSON
 * (app_trace.c; open it in https://ui.perfetto.dev or chrome://tracing).
 * The file is written beside FILE under a temporary name and renamed
 * when complete, so a failed trace leaves nothing behind.
 *
 * Exit status: 0; 2 for bad usage, a missing file, a file that is not a
 * results database or an unknown run; 1 for a failed read or write.
 */
#include "cli.h"
#include "cli_help.h"
#include "cli_plot.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct trace_args {
    const char *db, *run, *out;
    app_trace_opts o;
} trace_args;

/* A time option's value in seconds ('*out'); CLI_OK or the status. */
static int parse_time(const cli_doc *doc, const char *opt, const char *v,
                      double *out)
{
    if (hs_parse_double(v, out) != HS_OK || !isfinite(*out))
        return cli_usage_error(doc, "%s: expected seconds, found '%s'", opt,
                               v);
    return CLI_OK;
}

static int take_option(const cli_doc *doc, trace_args *a, const cli_opt *o,
                       const char *v)
{
    int64_t n;

    if (cli_opt_is(o, "--run"))
        a->run = v;
    else if (cli_opt_is(o, "-o"))
        a->out = v;
    else if (cli_opt_is(o, "--from"))
        return parse_time(doc, "--from", v, &a->o.from_s);
    else if (cli_opt_is(o, "--to"))
        return parse_time(doc, "--to", v, &a->o.to_s);
    else if (hs_parse_int64(v, 1, INT64_MAX, &n) != HS_OK)
        return cli_usage_error(doc,
                               "--max-events: expected a count >= 1, "
                               "found '%s'",
                               v);
    else
        a->o.max_events = n;
    return CLI_OK;
}

static int parse_args(int argc, char **argv, trace_args *a)
{
    const cli_doc *doc = cli_doc_find("trace");
    const cli_opt *o;
    const char *v;

    a->out = "trace.json";
    a->o.from_s = -INFINITY;
    a->o.to_s = INFINITY;
    for (int i = 1; i < argc; i++) {
        switch (cli_next_arg(doc, argc, argv, &i, &o, &v)) {
        case CLI_ARG_POSITIONAL:
            if (a->db != NULL)
                return cli_usage_error(doc, "unexpected argument '%s'", v);
            a->db = v;
            break;
        case CLI_ARG_OPTION:
            if (take_option(doc, a, o, v) != CLI_OK)
                return CLI_USAGE;
            break;
        case CLI_ARG_BAD:
            return CLI_USAGE;
        }
    }
    if (a->db == NULL)
        return cli_usage_error(doc, "missing DB");
    if (a->o.from_s > a->o.to_s)
        return cli_usage_error(doc, "--from is after --to");
    return CLI_OK;
}

static int last_id(void *ctx, const io_row *row)
{
    *(int64_t *)ctx =
        row->values[0] != NULL ? strtoll(row->values[0], NULL, 10) : -1;
    return 0;
}

/* The run: --run's, else the latest run of the file (oicf excepted). */
static int find_run(io_store *s, const trace_args *a, int64_t *id, hs_diag *d)
{
    int rc;

    if (a->run != NULL)
        return app_runs_find(s, a->run, id, d);
    *id = -1;
    rc = io_store_query(s, "SELECT max(run_id) FROM runs WHERE name <> 'oicf'",
                        NULL, 0, last_id, id, d);
    if (rc == HS_OK && *id < 0)
        rc = hs_diag_error(d, (hs_loc){a->db, 0, 0}, "no run to trace");
    return rc;
}

static int write_trace(io_store *s, trace_args *a, hs_diag *d)
{
    bool to_stdout = strcmp(a->out, "-") == 0;
    char *tmp =
        to_stdout ? NULL : hs_asprintf("%s.tmp%ld", a->out, (long)getpid());
    FILE *f = to_stdout ? stdout : fopen(tmp, "w");
    app_trace_counts n;
    int rc;

    if (f == NULL) {
        hs_diag_error(d, (hs_loc){a->out, 0, 0}, "cannot write: %s",
                      strerror(errno));
        free(tmp);
        return HS_EIO;
    }
    rc = app_trace_write(s, &a->o, f, &n, d);
    if (!to_stdout && fclose(f) != 0 && rc == HS_OK) {
        hs_diag_error(d, (hs_loc){a->out, 0, 0}, "cannot write: %s",
                      strerror(errno));
        rc = HS_EIO;
    }
    if (!to_stdout && rc == HS_OK && rename(tmp, a->out) != 0) {
        hs_diag_error(d, (hs_loc){a->out, 0, 0}, "cannot write: %s",
                      strerror(errno));
        rc = HS_EIO;
    }
    if (tmp != NULL && rc != HS_OK)
        unlink(tmp);
    if (rc == HS_OK)
        fprintf(to_stdout ? stderr : stdout,
                "wrote %s: %lld steps, %lld transfers, %lld requests, %lld "
                "counter samples (%lld events%s)\n",
                to_stdout ? "the trace" : a->out, (long long)n.steps,
                (long long)n.transfers, (long long)n.requests,
                (long long)n.counters, (long long)n.events,
                n.truncated ? ", stopped by --max-events" : "");
    free(tmp);
    return rc;
}

int cli_trace(int argc, char **argv)
{
    trace_args a;
    io_store *s = NULL;
    hs_diag *d;
    int rc;

    memset(&a, 0, sizeof a);
    rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK)
        return rc;
    d = hs_diag_new();
    rc = cli_open_db(a.db, &s, d);
    if (rc == HS_OK)
        rc = find_run(s, &a, &a.o.run_id, d);
    if (rc == HS_OK)
        rc = write_trace(s, &a, d);
    cli_print_diag(d, stderr);
    io_store_close(s);
    hs_diag_free(d);
    return rc == HS_OK ? CLI_OK : rc == HS_EINPUT ? CLI_USAGE : CLI_FAIL;
}
