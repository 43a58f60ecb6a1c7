/*
 * cli_table.c -- runs side by side, as 'hetsim report' prints them and
 * 'hetsim run' after its runs: the figures of each run (its runs row,
 * its run-scope metrics and those of its split pools, links and memory
 * pools, read by app_runs_load()) in one of three formats:
 *
 *   table  one column per run, one row per figure, in display units
 *          (ms, %, kWh, GB); '-' where the run has no such figure; the
 *          rows of pools, links and memory pools after the run's
 *          ("decode pool: busy (%)", "link fabric: moved (GB)")
 *   csv    a header, then one row per run, in the stored SI units; a
 *          pool's, link's or memory pool's metric is "SCOPE.METRIC", an
 *          SLO key's slo_met "slo_met_KEY" (1 / 0; "SLO met: KEY" yes /
 *          no in the table)
 *   json   an array with one object per run, same keys as the csv
 *
 * Runs of several files get a first 'file' row (column, key).  Runs of a
 * sweep (sweep_points) get a row (column, key) per swept PATH after the
 * status, the value as the sweep file wrote it.
 *
 * A run that is not 'done' shows its status, and the table says under
 * it that its figures are incomplete.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hetsim/app.h"
#include "hetsim/records.h"

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
    {M(window_from_s),       NULL,                 1, NULL},
    {M(window_s),            "window (s)",         1, "%.1f"},
    {M(window_requests),     NULL,                 1, NULL},
    {RUNS(wall_s),           "wall time (s)",      1, "%.2f"},
    {RUNS(events),           "events",             1, "%.0f"},
};
/* clang-format on */

#undef M
#undef RUNS

#define N_FIELDS (sizeof fields / sizeof fields[0])

/* The csv/json key of figure 'f'. */
static const char *field_key(size_t f)
{
    if (fields[f].src == SRC_METRIC)
        return rec_metric_name((rec_metric_id)fields[f].id);
    return rec_table_get(REC_T_runs)->cols[fields[f].id].name;
}

/* Figure 'f' of run 'r' into '*v'; false when the run has none. */
static bool field_value(const app_run_row *r, size_t f, double *v)
{
    const rep_field *x = &fields[f];

    if (x->src == SRC_METRIC) {
        *v = r->metric[x->id];
        return r->has_metric[x->id];
    }
    if (r->col[x->id] == NULL)
        return false;
    *v = strtod(r->col[x->id], NULL);
    return true;
}

/* The runs columns that head each run, in order (after run_id). */
static const int head_cols[] = {REC_C_runs_name, REC_C_runs_variant,
                                REC_C_runs_status, REC_C_runs_seed,
                                REC_C_runs_started_at};

#define N_HEAD_COLS (sizeof head_cols / sizeof head_cols[0])

static const char *col_name(int c)
{
    return rec_table_get(REC_T_runs)->cols[c].name;
}

/* ---- figures of pools, links and memory pools --------------------------- */

/* How the table shows a metric of a split pool, a link or a memory pool;
 * a metric not listed is shown as stored ('%.6g', its name). */
typedef struct scoped_fmt {
    rec_metric_id id;
    const char *label;
    double scale;
    const char *fmt;
} scoped_fmt;

/* clang-format off */
static const scoped_fmt scoped_fmts[] = {
    {REC_M_busy_frac,        "busy (%)",         100, "%.1f"},
    {REC_M_energy_j,         "energy (kWh)", 1 / 3.6e6, "%.4g"},
    {REC_M_cost_usd,         "cost (USD)",         1, "%.4g"},
    {REC_M_tokens_per_usd,   "tokens per USD",     1, "%.0f"},
    {REC_M_tokens_per_j,     "tokens per J",       1, "%.4g"},
    {REC_M_fallback_decodes, "fallback decodes",   1, "%.0f"},
    {REC_M_bytes,            "moved (GB)",      1e-9, "%.1f"},
    {REC_M_transfers,        "transfers",          1, "%.0f"},
    {REC_M_utilisation,      "utilisation (%)",  100, "%.4g"},
    {REC_M_port_busy_frac,   "port busy (%)",    100, "%.4g"},
    {REC_M_capacity_bytes,   "capacity (GB)",   1e-9, "%.1f"},
    {REC_M_streamed_bytes,   "streamed (GB)",   1e-9, "%.1f"},
    {REC_M_offloaded_bytes,  "offloaded (GB)",  1e-9, "%.1f"},
    {REC_M_fetched_bytes,    "fetched (GB)",    1e-9, "%.1f"},
};
/* clang-format on */

static scoped_fmt scoped_fmt_of(rec_metric_id id)
{
    scoped_fmt f = {id, rec_metric_name(id), 1, "%.6g"};

    for (size_t i = 0; i < sizeof scoped_fmts / sizeof scoped_fmts[0]; i++)
        if (scoped_fmts[i].id == id)
            return scoped_fmts[i];
    return f;
}

/* A (scope, metric) that some run has: a row of the table, a csv/json
 * key "scope.metric". */
typedef struct rep_key {
    const char *scope; /* borrowed from the runs */
    rec_metric_id id;
    unsigned kind; /* REC_SCOPE_POOL, _LINK, _MEMPOOL; 0 when unknown */
} rep_key;

typedef struct rep_keys {
    rep_key *k;
    size_t n, cap;
} rep_keys;

static const app_scoped *find_scoped(const app_run_row *r, const rep_key *k)
{
    for (size_t i = 0; i < r->n_scoped; i++)
        if (r->scoped[i].id == k->id &&
            strcmp(r->scoped[i].scope, k->scope) == 0)
            return &r->scoped[i];
    return NULL;
}

/* The kind of scope a metric can only be written for, else 0. */
static unsigned only_kind(rec_metric_id id)
{
    unsigned b =
        rec_metric_get(id)->scopes &
        (REC_SCOPE_POOL | REC_SCOPE_LINK | REC_SCOPE_MEMPOOL | REC_SCOPE_SLO);

    return (b & (b - 1)) == 0 ? b : 0;
}

/* Scope 'scope''s kind, from the metrics it has in the keys so far. */
static void set_kind(rep_keys *keys, const char *scope, unsigned kind)
{
    for (size_t i = 0; i < keys->n && kind != 0; i++)
        if (strcmp(keys->k[i].scope, scope) == 0)
            keys->k[i].kind = kind;
}

/* Every (scope, metric) of the runs, in the order first met. */
static void collect_keys(const app_runs *set, rep_keys *keys)
{
    memset(keys, 0, sizeof *keys);
    for (size_t i = 0; i < set->n; i++) {
        const app_run_row *r = &set->runs[i];

        for (size_t j = 0; j < r->n_scoped; j++) {
            rep_key k = {r->scoped[j].scope, r->scoped[j].id, 0};
            size_t m = 0;

            while (m < keys->n && (keys->k[m].id != k.id ||
                                   strcmp(keys->k[m].scope, k.scope) != 0))
                m++;
            if (m == keys->n) {
                for (size_t x = 0; x < keys->n; x++)
                    if (strcmp(keys->k[x].scope, k.scope) == 0)
                        k.kind = keys->k[x].kind;
                hs_grow((void **)&keys->k, &keys->cap, keys->n + 1,
                        sizeof *keys->k);
                keys->k[keys->n++] = k;
            }
            set_kind(keys, k.scope, only_kind(k.id));
        }
    }
}

/* The table's label of key 'k': "decode pool: busy (%)", "link fabric:
 * moved (GB)", "memory pool cxl-pool: streamed (GB)", "SLO met:
 * ttft_p90". */
static void key_label(const rep_key *k, char *buf, size_t cap)
{
    const char *what = scoped_fmt_of(k->id).label;

    if (k->kind == REC_SCOPE_POOL)
        snprintf(buf, cap, "%s pool: %s", k->scope, what);
    else if (k->kind == REC_SCOPE_LINK)
        snprintf(buf, cap, "link %s: %s", k->scope, what);
    else if (k->kind == REC_SCOPE_MEMPOOL)
        snprintf(buf, cap, "memory pool %s: %s", k->scope, what);
    else if (k->kind == REC_SCOPE_SLO)
        snprintf(buf, cap, "SLO met: %s", k->scope);
    else
        snprintf(buf, cap, "%s: %s", k->scope, what);
}

/* ---- sweep parameters ---------------------------------------------------- */

/* The sweep PATHs of the runs, in the order first met (borrowed). */
typedef struct rep_params {
    const char **path;
    size_t n, cap;
} rep_params;

static void collect_params(const app_runs *set, rep_params *ps)
{
    memset(ps, 0, sizeof *ps);
    for (size_t i = 0; i < set->n; i++)
        for (size_t j = 0; j < set->runs[i].n_param; j += 2) {
            const char *path = set->runs[i].param[j];
            size_t m = 0;

            while (m < ps->n && strcmp(ps->path[m], path) != 0)
                m++;
            if (m < ps->n)
                continue;
            hs_grow((void **)&ps->path, &ps->cap, ps->n + 1, sizeof *ps->path);
            ps->path[ps->n++] = path;
        }
}

/* Run 'r''s value of sweep PATH 'path'; NULL when it has none. */
static const char *param_value(const app_run_row *r, const char *path)
{
    for (size_t j = 0; j < r->n_param; j += 2)
        if (strcmp(r->param[j], path) == 0)
            return r->param[j + 1];
    return NULL;
}

/* Whether the runs come from more than one file. */
static bool several_files(const app_runs *set)
{
    for (size_t i = 1; i < set->n; i++)
        if (strcmp(set->runs[i].file, set->runs[0].file) != 0)
            return true;
    return false;
}

/* ---- table -------------------------------------------------------------- */

#define CELL 64

/* A text cell. */
typedef struct rep_cell {
    char s[CELL];
} rep_cell;

static void put_text(rep_cell *c, const char *s)
{
    snprintf(c->s, sizeof c->s, "%s", s != NULL ? s : "-");
}

/* A value shown as 'fmt' after scaling; '-' when there is none. */
static void put_number(rep_cell *c, bool has, double v, double scale,
                       const char *fmt)
{
    if (!has || !isfinite(v)) {
        snprintf(c->s, sizeof c->s, "%s",
                 has ? (v > 0 ? "inf" : "-inf") : "-");
        return;
    }
    snprintf(c->s, sizeof c->s, fmt, v * scale);
}

/* A share shown in percent never rounds up to "100.0", which means
 * every one (99.98% of requests within the SLO shows as 99.9). */
static void put_value(rep_cell *c, const app_run_row *r, size_t f)
{
    double v = 0;
    bool has = field_value(r, f, &v);

    if (has && fields[f].scale == 100 && v < 1 && v >= 0.9995)
        v = 0.999;
    put_number(c, has, v, fields[f].scale, fields[f].fmt);
}

static void put_scoped(rep_cell *c, const app_run_row *r, const rep_key *k)
{
    const app_scoped *m = find_scoped(r, k);
    scoped_fmt f = scoped_fmt_of(k->id);

    if (k->kind == REC_SCOPE_SLO) { /* slo_met: 1 or 0 */
        put_text(c, m == NULL || !m->has ? NULL : m->value > 0 ? "yes" : "no");
        return;
    }
    put_number(c, m != NULL && m->has, m != NULL ? m->value : 0, f.scale,
               f.fmt);
}

/* The table's shape: a 'file' row when the runs come from several files,
 * then run, name, variant, status, the figures, the keys. */
typedef struct rep_shape {
    bool files;
    size_t n_head, n_fields;
    const rep_keys *keys;
    const rep_params *params; /* rows after the status */
} rep_shape;

static size_t shape_rows(const rep_shape *sh)
{
    return sh->n_head + sh->params->n + sh->n_fields + sh->keys->n;
}

/* Fill column 'col' (rows 0..shape_rows()) of a run. */
static void fill_column(rep_cell *col, const app_run_row *r,
                        const rep_shape *sh)
{
    size_t k = 0;

    if (sh->files)
        put_text(&col[k++], r->file);
    snprintf(col[k++].s, sizeof col[0].s, "run %lld", (long long)r->run_id);
    put_text(&col[k++], r->col[REC_C_runs_name]);
    put_text(&col[k++], r->col[REC_C_runs_variant]);
    put_text(&col[k++], r->col[REC_C_runs_status]);
    for (size_t i = 0; i < sh->params->n; i++)
        put_text(&col[k++], param_value(r, sh->params->path[i]));
    for (size_t f = 0; f < N_FIELDS; f++)
        if (fields[f].label != NULL)
            put_value(&col[k++], r, f);
    for (size_t i = 0; i < sh->keys->n; i++)
        put_scoped(&col[k++], r, &sh->keys->k[i]);
}

static void row_label(const rep_shape *sh, size_t row, char *buf, size_t cap)
{
    static const char *const head[] = {"file", "", "name", "variant",
                                       "status"};
    size_t k = sh->n_head + sh->params->n;

    if (row < sh->n_head) {
        snprintf(buf, cap, "%s", head[row + !sh->files]);
        return;
    }
    if (row < k) {
        snprintf(buf, cap, "%s", sh->params->path[row - sh->n_head]);
        return;
    }
    for (size_t f = 0; f < N_FIELDS; f++)
        if (fields[f].label != NULL && k++ == row) {
            snprintf(buf, cap, "%s", fields[f].label);
            return;
        }
    key_label(&sh->keys->k[row - k], buf, cap);
}

/* Why a run in status 'st' is incomplete: a running run's writer is
 * known dead or alive by the run's lock (app_writer_check); only a run
 * written before the locks, on another host, cannot be told. */
static const char *running_note(const app_run_row *r, const char *st)
{
    if (strcmp(st, "running") != 0)
        return "its figures cover only what ran and are incomplete\n";
    if (r->writer == APP_WRITER_GONE)
        return "its writer is gone: the run died; its figures are "
               "incomplete\n";
    if (r->writer == APP_WRITER_ALIVE)
        return "still being written (its writer is alive); its figures are "
               "incomplete\n";
    return "still being written, or its writer on another host died (a "
           "run written without a run lock); its figures are incomplete\n";
}

/* A note under the table for each run that is not 'done' (named "FILE
 * run N" when the runs come from several files), with its runs.message
 * (why it failed, or where it was interrupted) on the next line. */
static void print_notes(const app_runs *set, bool files, FILE *out)
{
    for (size_t i = 0; i < set->n; i++) {
        const app_run_row *r = &set->runs[i];
        const char *st = r->col[REC_C_runs_status] != NULL
                             ? r->col[REC_C_runs_status]
                             : "?";

        if (strcmp(st, "done") == 0)
            continue;
        fprintf(out, "note: %s%srun %lld is '%s': ", files ? r->file : "",
                files ? " " : "", (long long)r->run_id, st);
        fputs(running_note(r, st), out);
        if (r->col[REC_C_runs_message] != NULL)
            fprintf(out, "      %s\n", r->col[REC_C_runs_message]);
    }
}

#define LABEL 128

static void print_table(const app_runs *set, const rep_keys *keys,
                        const rep_params *ps, FILE *out)
{
    rep_shape sh = {several_files(set), 0, 0, keys, ps};
    size_t nr, lw = 0, nc = set->n > 0 ? set->n : 1;
    rep_cell *cells;
    char(*labels)[LABEL];
    size_t *w = hs_calloc(nc, sizeof *w);

    sh.n_head = sh.files ? 5 : 4;
    for (size_t f = 0; f < N_FIELDS; f++)
        sh.n_fields += fields[f].label != NULL;
    nr = shape_rows(&sh);
    cells = hs_calloc(nr * nc, sizeof *cells);
    labels = hs_calloc(nr, sizeof *labels);
    for (size_t row = 0; row < nr; row++) {
        row_label(&sh, row, labels[row], LABEL);
        if (strlen(labels[row]) > lw)
            lw = strlen(labels[row]);
    }
    for (size_t c = 0; c < set->n; c++) {
        fill_column(&cells[c * nr], &set->runs[c], &sh);
        for (size_t row = 0; row < nr; row++)
            if (strlen(cells[c * nr + row].s) > w[c])
                w[c] = strlen(cells[c * nr + row].s);
    }
    if (set->n == 0)
        fprintf(out, "no runs\n");
    for (size_t row = 0; row < nr && set->n > 0; row++) {
        fprintf(out, "%-*s", (int)lw, labels[row]);
        for (size_t c = 0; c < set->n; c++)
            fprintf(out, "  %*s", (int)w[c], cells[c * nr + row].s);
        fprintf(out, "\n");
    }
    print_notes(set, sh.files, out);
    free(labels);
    free(w);
    free(cells);
}

/* ---- csv and json ------------------------------------------------------- */

/* The csv/json key of 'k', "scope.metric" ("slo_met_KEY" for an SLO
 * key), written by 'text'. */
static void print_key(const rep_key *k, FILE *out,
                      void (*text)(const char *s, FILE *out))
{
    char *key = k->kind == REC_SCOPE_SLO
                    ? hs_asprintf("slo_met_%s", k->scope)
                    : hs_asprintf("%s.%s", k->scope, rec_metric_name(k->id));

    text(key, out);
    free(key);
}

static void print_csv(const app_runs *set, const rep_keys *keys,
                      const rep_params *ps, FILE *out)
{
    bool files = several_files(set);

    fprintf(out, "%srun_id", files ? "file," : "");
    for (size_t h = 0; h < N_HEAD_COLS; h++)
        fprintf(out, ",%s", col_name(head_cols[h]));
    for (size_t i = 0; i < ps->n; i++) {
        fputc(',', out);
        cli_csv_text(ps->path[i], out);
    }
    for (size_t f = 0; f < N_FIELDS; f++)
        fprintf(out, ",%s", field_key(f));
    for (size_t i = 0; i < keys->n; i++) {
        fputc(',', out);
        print_key(&keys->k[i], out, cli_csv_text);
    }
    fprintf(out, "\n");
    for (size_t i = 0; i < set->n; i++) {
        const app_run_row *r = &set->runs[i];
        double v;

        if (files) {
            cli_csv_text(r->file, out);
            fputc(',', out);
        }
        fprintf(out, "%lld", (long long)r->run_id);
        for (size_t h = 0; h < N_HEAD_COLS; h++) {
            fputc(',', out);
            cli_csv_text(r->col[head_cols[h]], out);
        }
        for (size_t p = 0; p < ps->n; p++) {
            fputc(',', out);
            cli_csv_text(param_value(r, ps->path[p]), out);
        }
        for (size_t f = 0; f < N_FIELDS; f++) {
            fputc(',', out);
            if (field_value(r, f, &v))
                fprintf(out, "%.15g", v);
        }
        for (size_t k = 0; k < keys->n; k++) {
            const app_scoped *m = find_scoped(r, &keys->k[k]);

            fputc(',', out);
            if (m != NULL && m->has)
                fprintf(out, "%.15g", m->value);
        }
        fprintf(out, "\n");
    }
}

/* A number, or null when there is none. */
static void print_json_number(bool has, double v, FILE *out)
{
    if (has && isfinite(v))
        fprintf(out, "%.15g", v);
    else
        fputs("null", out);
}

/* The seed is a number, the other head columns are text. */
static void print_json_run(const app_run_row *r, const rep_keys *keys,
                           const rep_params *ps, bool files, FILE *out)
{
    double v = 0;

    fputs("  {", out);
    if (files) {
        fputs("\"file\": ", out);
        cli_json_text(r->file, out);
        fputs(", ", out);
    }
    fprintf(out, "\"run_id\": %lld", (long long)r->run_id);
    for (size_t h = 0; h < N_HEAD_COLS; h++) {
        const char *text = r->col[head_cols[h]];

        fprintf(out, ", \"%s\": ", col_name(head_cols[h]));
        if (head_cols[h] == REC_C_runs_seed)
            fputs(text != NULL ? text : "null", out);
        else
            cli_json_text(text, out);
    }
    for (size_t p = 0; p < ps->n; p++) {
        fputs(", ", out);
        cli_json_text(ps->path[p], out);
        fputs(": ", out);
        cli_json_text(param_value(r, ps->path[p]), out);
    }
    for (size_t f = 0; f < N_FIELDS; f++) {
        bool has = field_value(r, f, &v);

        fprintf(out, ", \"%s\": ", field_key(f));
        print_json_number(has, v, out);
    }
    for (size_t k = 0; k < keys->n; k++) {
        const app_scoped *m = find_scoped(r, &keys->k[k]);

        fputs(", ", out);
        print_key(&keys->k[k], out, cli_json_text);
        fputs(": ", out);
        print_json_number(m != NULL && m->has, m != NULL ? m->value : 0, out);
    }
    fputc('}', out);
}

static void print_json(const app_runs *set, const rep_keys *keys,
                       const rep_params *ps, FILE *out)
{
    bool files = several_files(set);

    fprintf(out, "[");
    for (size_t i = 0; i < set->n; i++) {
        fprintf(out, i == 0 ? "\n" : ",\n");
        print_json_run(&set->runs[i], keys, ps, files, out);
    }
    fprintf(out, set->n > 0 ? "\n]\n" : "]\n");
}

void cli_report_print(const app_runs *set, const char *format, FILE *out)
{
    rep_keys keys;
    rep_params ps;

    collect_keys(set, &keys);
    collect_params(set, &ps);
    if (strcmp(format, "csv") == 0)
        print_csv(set, &keys, &ps, out);
    else if (strcmp(format, "json") == 0)
        print_json(set, &keys, &ps, out);
    else
        print_table(set, &keys, &ps, out);
    free(keys.k);
    free(ps.path);
}

int cli_report_runs(io_store *s, const int64_t *ids, size_t n,
                    const char *format, FILE *out, hs_diag *d)
{
    app_runs set = {0};
    int rc = app_runs_load(s, ids, n, &set, d);

    if (rc == HS_OK)
        cli_report_print(&set, format, out);
    app_runs_fini(&set);
    return rc;
}
