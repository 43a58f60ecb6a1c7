/*
 * cli_report.c -- 'hetsim report DB [--run ID|NAME] [--format F]': the
 * runs of a results database side by side, from the runs table and the
 * run-scope metrics (docs/schema.md).  Also the table 'hetsim run'
 * prints after each run (cli_report_runs, declared in cli_sink.h).
 *
 *   table  one column per run, one row per figure, in display units
 *          (ms, %, kWh); '-' where the run has no such figure
 *   csv    a header, then one row per run, in the stored SI units
 *   json   an array with one object per run, same keys as the csv
 *
 * --run selects one run: a number is a run_id; "NAME" is the latest run
 * of scenario NAME without a variant, "NAME/VARIANT" the latest of that
 * variant.  Without --run every run is shown except 'hetsim oicf --db'
 * invocations.  A run that is not 'done' shows its status, and the
 * table says under it that its figures are incomplete.
 *
 * Exit status: 0; 2 for bad usage, a missing file, a file that is not a
 * hetsim database or an unknown run; 1 for a failed read.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_sink.h"
#include "hetsim/records.h"
#include "hetsim/store.h"

/* Where a figure comes from. */
typedef enum rep_src {
    SRC_METRIC, /* the run-scope metric 'id' (rec_metric_id) */
    SRC_RUNS    /* the runs column 'id' (REC_C_runs_*) */
} rep_src;

/* One figure: where it comes from, and how the table shows it.  Its
 * csv/json key is the metric's or the column's name (records.h). */
typedef struct rep_field {
    rep_src src;
    int id;
    const char *label; /* table row; NULL: csv and json only */
    double scale;      /* table value = stored value * scale */
    const char *fmt;   /* table format of the scaled value */
} rep_field;

#define M(name) SRC_METRIC, REC_M_##name
#define RUNS(name) SRC_RUNS, REC_C_runs_##name

/* clang-format off */
static const rep_field fields[] = {
    {M(requests_arrived),    "requests arrived",   1, "%.0f"},
    {M(requests_done),       "requests done",      1, "%.0f"},
    {M(requests_dropped),    "requests dropped",   1, "%.0f"},
    {M(requests_unfinished), "requests unfinished", 1, "%.0f"},
    {M(throughput_tok_s),    "throughput (tok/s)", 1, "%.1f"},
    {M(throughput_req_s),    "throughput (req/s)", 1, "%.3f"},
    {M(ttft_p50_s),          "TTFT p50 (ms)",    1e3, "%.1f"},
    {M(ttft_p90_s),          "TTFT p90 (ms)",    1e3, "%.1f"},
    {M(ttft_p99_s),          "TTFT p99 (ms)",    1e3, "%.1f"},
    {M(tpot_p50_s),          "TPOT p50 (ms)",    1e3, "%.2f"},
    {M(tpot_p90_s),          "TPOT p90 (ms)",    1e3, "%.2f"},
    {M(tpot_p99_s),          "TPOT p99 (ms)",    1e3, "%.2f"},
    {M(e2e_p50_s),           "E2E p50 (s)",        1, "%.3f"},
    {M(e2e_p90_s),           "E2E p90 (s)",        1, "%.3f"},
    {M(e2e_p99_s),           "E2E p99 (s)",        1, "%.3f"},
    {M(ttft_mean_s),         NULL,                 1, NULL},
    {M(tpot_mean_s),         NULL,                 1, NULL},
    {M(e2e_mean_s),          NULL,                 1, NULL},
    {M(queue_mean_s),        NULL,                 1, NULL},
    {M(goodput_req_s),       "goodput (req/s)",    1, "%.3f"},
    {M(slo_attainment),      "SLO attainment (%)", 100, "%.1f"},
    {M(mean_oi),             "mean OI (FLOP/B)",   1, "%.1f"},
    {M(capacity_bound_frac), "capacity-bound (%)", 100, "%.1f"},
    {M(energy_j),            "energy (kWh)",  1 / 3.6e6, "%.4g"},
    {M(cost_usd),            "cost (USD)",         1, "%.4g"},
    {M(tokens_per_usd),      "tokens per USD",     1, "%.0f"},
    {M(tokens_per_j),        NULL,                 1, NULL},
    {M(preemptions),         "preemptions",        1, "%.0f"},
    {M(input_tokens),        NULL,                 1, NULL},
    {M(output_tokens),       NULL,                 1, NULL},
    {RUNS(sim_s),            "sim time (s)",       1, "%.1f"},
    {RUNS(wall_s),           "wall time (s)",      1, "%.2f"},
    {RUNS(events),           "events",             1, "%.0f"},
};
/* clang-format on */

#undef M
#undef RUNS

#define N_FIELDS (sizeof fields / sizeof fields[0])
#define F_DONE 1 /* index of requests_done */

/* One run, as read from the file. */
typedef struct rep_run {
    int64_t run_id;
    char *name, *variant, *status, *seed, *started_at; /* NULL = SQL NULL */
    double v[N_FIELDS];
    bool has[N_FIELDS];
    int64_t rows_done; /* requests rows 'done': when no metric says */
} rep_run;

typedef struct rep_set {
    rep_run *runs;
    size_t n, cap;
} rep_set;

/* Columns of the runs query, in order. */
static const char *const runs_cols =
    "SELECT r.run_id, r.name, r.variant, r.status, r.seed, r.started_at, "
    "r.wall_s, r.sim_s, r.events, "
    "(SELECT count(*) FROM requests q WHERE q.run_id = r.run_id "
    "AND q.status = 'done') FROM runs r ";

static char *dup_or_null(const char *s)
{
    return s != NULL ? hs_strdup(s) : NULL;
}

/* The csv/json key of figure 'f'. */
static const char *field_key(size_t f)
{
    if (fields[f].src == SRC_METRIC)
        return rec_metric_name((rec_metric_id)fields[f].id);
    return rec_table_get(REC_T_runs)->cols[fields[f].id].name;
}

static size_t field_index(rep_src src, const char *key)
{
    for (size_t i = 0; i < N_FIELDS; i++)
        if (fields[i].src == src && strcmp(field_key(i), key) == 0)
            return i;
    return N_FIELDS;
}

static void set_value(rep_run *r, size_t f, const char *text)
{
    if (f >= N_FIELDS || text == NULL)
        return;
    r->v[f] = strtod(text, NULL);
    r->has[f] = true;
}

/* io_row_fn: one row of the runs query. */
static int collect_run(void *ctx, const io_row *row)
{
    rep_set *set = ctx;
    rep_run *r;

    hs_grow((void **)&set->runs, &set->cap, set->n + 1, sizeof *set->runs);
    r = &set->runs[set->n++];
    memset(r, 0, sizeof *r);
    r->run_id = strtoll(row->values[0], NULL, 10);
    r->name = dup_or_null(row->values[1]);
    r->variant = dup_or_null(row->values[2]);
    r->status = dup_or_null(row->values[3]);
    r->seed = dup_or_null(row->values[4]);
    r->started_at = dup_or_null(row->values[5]);
    for (int i = 6; i < 9; i++) /* wall_s, sim_s, events */
        set_value(r, field_index(SRC_RUNS, row->names[i]), row->values[i]);
    r->rows_done = strtoll(row->values[9], NULL, 10);
    return 0;
}

/* io_row_fn: one (name, value) metric of the run 'ctx'. */
static int collect_metric(void *ctx, const io_row *row)
{
    set_value(ctx, field_index(SRC_METRIC, row->values[0]), row->values[1]);
    return 0;
}

static void free_set(rep_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        rep_run *r = &set->runs[i];

        free(r->name);
        free(r->variant);
        free(r->status);
        free(r->seed);
        free(r->started_at);
    }
    free(set->runs);
}

/* Read the runs (all, or 'ids') and their run-scope metrics. */
static int load_runs(io_store *s, const int64_t *ids, size_t n, rep_set *set,
                     hs_diag *d)
{
    char *sql, id[32];
    const char *p[1] = {id};
    int rc = HS_OK;

    if (ids == NULL) {
        sql = hs_asprintf("%sWHERE NOT EXISTS (SELECT 1 FROM oicf o WHERE "
                          "o.run_id = r.run_id) ORDER BY r.run_id",
                          runs_cols);
        rc = io_store_query(s, sql, NULL, 0, collect_run, set, d);
    } else {
        sql = hs_asprintf("%sWHERE r.run_id = CAST(?1 AS INTEGER)", runs_cols);
        for (size_t i = 0; i < n && rc == HS_OK; i++) {
            snprintf(id, sizeof id, "%lld", (long long)ids[i]);
            rc = io_store_query(s, sql, p, 1, collect_run, set, d);
        }
    }
    free(sql);
    for (size_t i = 0; i < set->n && rc == HS_OK; i++) {
        rep_run *r = &set->runs[i];

        snprintf(id, sizeof id, "%lld", (long long)r->run_id);
        rc = io_store_query(s,
                            "SELECT name, value FROM metrics WHERE run_id "
                            "= CAST(?1 AS INTEGER) AND scope = 'run'",
                            p, 1, collect_metric, r, d);
        if (!r->has[F_DONE]) { /* no summary (yet): count the rows */
            r->v[F_DONE] = (double)r->rows_done;
            r->has[F_DONE] = true;
        }
    }
    return rc;
}

/* ---- table -------------------------------------------------------------- */

#define CELL 48

/* A text cell. */
typedef struct rep_cell {
    char s[CELL];
} rep_cell;

static void put_text(rep_cell *c, const char *s)
{
    snprintf(c->s, sizeof c->s, "%s", s != NULL ? s : "-");
}

static void put_value(rep_cell *c, const rep_run *r, size_t f)
{
    if (!r->has[f] || !isfinite(r->v[f])) {
        snprintf(c->s, sizeof c->s, "%s",
                 r->has[f] ? (r->v[f] > 0 ? "inf" : "-inf") : "-");
        return;
    }
    snprintf(c->s, sizeof c->s, fields[f].fmt, r->v[f] * fields[f].scale);
}

#define N_HEAD 4 /* run, name, variant, status */

static size_t table_rows(void)
{
    size_t k = N_HEAD;

    for (size_t f = 0; f < N_FIELDS; f++)
        k += fields[f].label != NULL;
    return k;
}

/* Fill column 'col' (rows 0..table_rows()) of a run. */
static void fill_column(rep_cell *col, const rep_run *r)
{
    size_t k = N_HEAD;

    snprintf(col[0].s, sizeof col[0].s, "run %lld", (long long)r->run_id);
    put_text(&col[1], r->name);
    put_text(&col[2], r->variant);
    put_text(&col[3], r->status);
    for (size_t f = 0; f < N_FIELDS; f++)
        if (fields[f].label != NULL)
            put_value(&col[k++], r, f);
}

static const char *row_label(size_t row)
{
    static const char *const head[N_HEAD] = {"", "name", "variant", "status"};
    size_t k = N_HEAD;

    if (row < N_HEAD)
        return head[row];
    for (size_t f = 0; f < N_FIELDS; f++)
        if (fields[f].label != NULL && k++ == row)
            return fields[f].label;
    return "";
}

static void print_notes(const rep_set *set, FILE *out)
{
    for (size_t i = 0; i < set->n; i++) {
        const rep_run *r = &set->runs[i];
        const char *st = r->status != NULL ? r->status : "?";

        if (strcmp(st, "done") == 0)
            continue;
        if (strcmp(st, "running") == 0)
            fprintf(out,
                    "note: run %lld is 'running': still being written, "
                    "or its process died; its figures are incomplete\n",
                    (long long)r->run_id);
        else
            fprintf(out,
                    "note: run %lld is '%s': its figures cover only "
                    "what ran and are incomplete\n",
                    (long long)r->run_id, st);
    }
}

static void print_table(const rep_set *set, FILE *out)
{
    size_t nr = table_rows(), lw = 0;
    rep_cell *cells = hs_calloc(nr * (set->n > 0 ? set->n : 1), sizeof *cells);
    size_t *w = hs_calloc(set->n > 0 ? set->n : 1, sizeof *w);

    for (size_t row = 0; row < nr; row++)
        if (strlen(row_label(row)) > lw)
            lw = strlen(row_label(row));
    for (size_t c = 0; c < set->n; c++) {
        fill_column(&cells[c * nr], &set->runs[c]);
        for (size_t row = 0; row < nr; row++)
            if (strlen(cells[c * nr + row].s) > w[c])
                w[c] = strlen(cells[c * nr + row].s);
    }
    if (set->n == 0)
        fprintf(out, "no runs\n");
    for (size_t row = 0; row < nr && set->n > 0; row++) {
        fprintf(out, "%-*s", (int)lw, row_label(row));
        for (size_t c = 0; c < set->n; c++)
            fprintf(out, "  %*s", (int)w[c], cells[c * nr + row].s);
        fprintf(out, "\n");
    }
    print_notes(set, out);
    free(w);
    free(cells);
}

/* ---- csv and json ------------------------------------------------------- */

static void print_csv_text(const char *s, FILE *out)
{
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void print_csv(const rep_set *set, FILE *out)
{
    fprintf(out, "run_id,name,variant,status,seed,started_at");
    for (size_t f = 0; f < N_FIELDS; f++)
        fprintf(out, ",%s", field_key(f));
    fprintf(out, "\n");
    for (size_t i = 0; i < set->n; i++) {
        const rep_run *r = &set->runs[i];
        const char *text[] = {r->name, r->variant, r->status, r->seed,
                              r->started_at};

        fprintf(out, "%lld", (long long)r->run_id);
        for (size_t t = 0; t < sizeof text / sizeof text[0]; t++) {
            fputc(',', out);
            print_csv_text(text[t], out);
        }
        for (size_t f = 0; f < N_FIELDS; f++) {
            fputc(',', out);
            if (r->has[f])
                fprintf(out, "%.15g", r->v[f]);
        }
        fprintf(out, "\n");
    }
}

static void print_json_text(const char *s, FILE *out)
{
    if (s == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

static void print_json_run(const rep_run *r, FILE *out)
{
    const char *keys[] = {"name", "variant", "status"};
    const char *text[] = {r->name, r->variant, r->status};

    fprintf(out, "  {\"run_id\": %lld", (long long)r->run_id);
    for (size_t t = 0; t < sizeof keys / sizeof keys[0]; t++) {
        fprintf(out, ", \"%s\": ", keys[t]);
        print_json_text(text[t], out);
    }
    fprintf(out, ", \"seed\": %s, \"started_at\": ",
            r->seed != NULL ? r->seed : "null");
    print_json_text(r->started_at, out);
    for (size_t f = 0; f < N_FIELDS; f++) {
        fprintf(out, ", \"%s\": ", field_key(f));
        if (r->has[f] && isfinite(r->v[f]))
            fprintf(out, "%.15g", r->v[f]);
        else
            fputs("null", out);
    }
    fputc('}', out);
}

static void print_json(const rep_set *set, FILE *out)
{
    fprintf(out, "[");
    for (size_t i = 0; i < set->n; i++) {
        fprintf(out, i == 0 ? "\n" : ",\n");
        print_json_run(&set->runs[i], out);
    }
    fprintf(out, set->n > 0 ? "\n]\n" : "]\n");
}

int cli_report_runs(io_store *s, const int64_t *ids, size_t n,
                    const char *format, FILE *out, hs_diag *d)
{
    rep_set set = {0};
    int rc = load_runs(s, ids, n, &set, d);

    if (rc == HS_OK) {
        if (strcmp(format, "csv") == 0)
            print_csv(&set, out);
        else if (strcmp(format, "json") == 0)
            print_json(&set, out);
        else
            print_table(&set, out);
    }
    free_set(&set);
    return rc;
}

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

/* io_row_fn: keep the first column as a run id. */
static int take_id(void *ctx, const io_row *row)
{
    *(int64_t *)ctx = strtoll(row->values[0], NULL, 10);
    return 0;
}

/* Resolve --run to a run id: a number, "NAME" or "NAME/VARIANT". */
static int find_run(io_store *s, const char *sel, int64_t *id, hs_diag *d)
{
    const char *p[1] = {sel};
    bool numeric = sel[0] != '\0' && strspn(sel, "0123456789") == strlen(sel);
    int rc;

    *id = -1;
    rc = io_store_query(
        s,
        numeric ? "SELECT run_id FROM runs WHERE run_id = CAST(?1 AS INTEGER)"
                : "SELECT run_id FROM runs WHERE (name = ?1 AND variant IS "
                  "NULL) OR name || '/' || variant = ?1 "
                  "ORDER BY run_id DESC LIMIT 1",
        p, 1, take_id, id, d);
    if (rc == HS_OK && *id < 0)
        rc = hs_diag_error(d, (hs_loc){io_store_path(s), 0, 0},
                           "no run '%s' (give a run_id, NAME or "
                           "NAME/VARIANT)",
                           sel);
    return rc;
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
        rc = find_run(s, a.run, &id, d);
    if (rc == HS_OK)
        rc = cli_report_runs(s, a.run != NULL ? &id : NULL, 1, a.format,
                             stdout, d);
    cli_print_diag(d, stderr);
    io_store_close(s);
    hs_diag_free(d);
    return exit_status(rc);
}
