/*
 * cli_table.c -- the runs of a results file side by side, as 'hetsim
 * report' prints them and 'hetsim run' after its runs: the figures of
 * each run (its runs row, run-scope metrics and slo_met per SLO key, read
 * by app_runs_load()) in one of three formats:
 *
 *   table  one column per run, one row per figure, in display units
 *          (ms, %, kWh); '-' where the run has no such figure; then one
 *          row "SLO met: KEY" per SLO key of any run (yes / no)
 *   csv    a header, then one row per run, in the stored SI units; the
 *          SLO keys as columns slo_met_KEY (1 / 0)
 *   json   an array with one object per run, same keys as the csv
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

/* ---- SLO keys ------------------------------------------------------------ */

/* The SLO keys of a set of runs, each once, in the order first seen
 * (borrowed from the runs). */
typedef struct slo_keys {
    const char **key;
    size_t n;
} slo_keys;

static void slo_keys_of(const app_runs *set, slo_keys *k)
{
    size_t total = 0;

    for (size_t i = 0; i < set->n; i++)
        total += set->runs[i].n_slo;
    k->key = hs_calloc(total + 1, sizeof *k->key);
    k->n = 0;
    for (size_t i = 0; i < set->n; i++)
        for (size_t j = 0; j < set->runs[i].n_slo; j++) {
            const char *key = set->runs[i].slo_key[j];
            size_t m = 0;

            while (m < k->n && strcmp(k->key[m], key) != 0)
                m++;
            if (m == k->n)
                k->key[k->n++] = key;
        }
}

/* Run 'r''s slo_met for 'key' into '*v'; false when it has none. */
static bool slo_value(const app_run_row *r, const char *key, double *v)
{
    for (size_t j = 0; j < r->n_slo; j++)
        if (strcmp(r->slo_key[j], key) == 0) {
            *v = r->slo_met[j];
            return !isnan(*v);
        }
    return false;
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

static void put_value(rep_cell *c, const app_run_row *r, size_t f)
{
    double v = 0;
    bool has = field_value(r, f, &v);

    if (!has || !isfinite(v)) {
        snprintf(c->s, sizeof c->s, "%s",
                 has ? (v > 0 ? "inf" : "-inf") : "-");
        return;
    }
    snprintf(c->s, sizeof c->s, fields[f].fmt, v * fields[f].scale);
}

#define N_HEAD 4 /* run, name, variant, status */

static size_t table_rows(const slo_keys *keys)
{
    size_t k = N_HEAD + keys->n;

    for (size_t f = 0; f < N_FIELDS; f++)
        k += fields[f].label != NULL;
    return k;
}

/* Fill column 'col' (rows 0..table_rows()) of a run. */
static void fill_column(rep_cell *col, const app_run_row *r,
                        const slo_keys *keys)
{
    double v;
    size_t k = N_HEAD;

    snprintf(col[0].s, sizeof col[0].s, "run %lld", (long long)r->run_id);
    put_text(&col[1], r->col[REC_C_runs_name]);
    put_text(&col[2], r->col[REC_C_runs_variant]);
    put_text(&col[3], r->col[REC_C_runs_status]);
    for (size_t f = 0; f < N_FIELDS; f++)
        if (fields[f].label != NULL)
            put_value(&col[k++], r, f);
    for (size_t j = 0; j < keys->n; j++, k++)
        put_text(&col[k], !slo_value(r, keys->key[j], &v) ? NULL
                          : v > 0                         ? "yes"
                                                          : "no");
}

/* The label of table row 'row' (written into 'buf' for SLO rows). */
static const char *row_label(size_t row, const slo_keys *keys, rep_cell *buf)
{
    static const char *const head[N_HEAD] = {"", "name", "variant", "status"};
    size_t k = N_HEAD;

    if (row < N_HEAD)
        return head[row];
    for (size_t f = 0; f < N_FIELDS; f++)
        if (fields[f].label != NULL && k++ == row)
            return fields[f].label;
    if (row - k < keys->n) {
        snprintf(buf->s, sizeof buf->s, "SLO met: %s", keys->key[row - k]);
        return buf->s;
    }
    return "";
}

static void print_notes(const app_runs *set, FILE *out)
{
    for (size_t i = 0; i < set->n; i++) {
        const app_run_row *r = &set->runs[i];
        const char *st = r->col[REC_C_runs_status] != NULL
                             ? r->col[REC_C_runs_status]
                             : "?";

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

static void print_table(const app_runs *set, const slo_keys *keys, FILE *out)
{
    size_t nr = table_rows(keys), lw = 0;
    rep_cell *cells = hs_calloc(nr * (set->n > 0 ? set->n : 1), sizeof *cells);
    size_t *w = hs_calloc(set->n > 0 ? set->n : 1, sizeof *w);
    rep_cell label;

    for (size_t row = 0; row < nr; row++)
        if (strlen(row_label(row, keys, &label)) > lw)
            lw = strlen(row_label(row, keys, &label));
    for (size_t c = 0; c < set->n; c++) {
        fill_column(&cells[c * nr], &set->runs[c], keys);
        for (size_t row = 0; row < nr; row++)
            if (strlen(cells[c * nr + row].s) > w[c])
                w[c] = strlen(cells[c * nr + row].s);
    }
    if (set->n == 0)
        fprintf(out, "no runs\n");
    for (size_t row = 0; row < nr && set->n > 0; row++) {
        fprintf(out, "%-*s", (int)lw, row_label(row, keys, &label));
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

static void print_csv(const app_runs *set, const slo_keys *keys, FILE *out)
{
    fprintf(out, "run_id");
    for (size_t h = 0; h < N_HEAD_COLS; h++)
        fprintf(out, ",%s", col_name(head_cols[h]));
    for (size_t f = 0; f < N_FIELDS; f++)
        fprintf(out, ",%s", field_key(f));
    for (size_t j = 0; j < keys->n; j++) /* keys: [a-z0-9_.] only */
        fprintf(out, ",slo_met_%s", keys->key[j]);
    fprintf(out, "\n");
    for (size_t i = 0; i < set->n; i++) {
        const app_run_row *r = &set->runs[i];
        double v;

        fprintf(out, "%lld", (long long)r->run_id);
        for (size_t h = 0; h < N_HEAD_COLS; h++) {
            fputc(',', out);
            print_csv_text(r->col[head_cols[h]], out);
        }
        for (size_t f = 0; f < N_FIELDS; f++) {
            fputc(',', out);
            if (field_value(r, f, &v))
                fprintf(out, "%.15g", v);
        }
        for (size_t j = 0; j < keys->n; j++) {
            fputc(',', out);
            if (slo_value(r, keys->key[j], &v))
                fprintf(out, "%.15g", v);
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

/* The seed is a number, the other head columns are text. */
static void print_json_run(const app_run_row *r, const slo_keys *keys,
                           FILE *out)
{
    double v;

    fprintf(out, "  {\"run_id\": %lld", (long long)r->run_id);
    for (size_t h = 0; h < N_HEAD_COLS; h++) {
        const char *text = r->col[head_cols[h]];

        fprintf(out, ", \"%s\": ", col_name(head_cols[h]));
        if (head_cols[h] == REC_C_runs_seed)
            fputs(text != NULL ? text : "null", out);
        else
            print_json_text(text, out);
    }
    for (size_t f = 0; f < N_FIELDS; f++) {
        fprintf(out, ", \"%s\": ", field_key(f));
        if (field_value(r, f, &v) && isfinite(v))
            fprintf(out, "%.15g", v);
        else
            fputs("null", out);
    }
    for (size_t j = 0; j < keys->n; j++) {
        fprintf(out, ", \"slo_met_%s\": ", keys->key[j]);
        if (slo_value(r, keys->key[j], &v))
            fprintf(out, "%.15g", v);
        else
            fputs("null", out);
    }
    fputc('}', out);
}

static void print_json(const app_runs *set, const slo_keys *keys, FILE *out)
{
    fprintf(out, "[");
    for (size_t i = 0; i < set->n; i++) {
        fprintf(out, i == 0 ? "\n" : ",\n");
        print_json_run(&set->runs[i], keys, out);
    }
    fprintf(out, set->n > 0 ? "\n]\n" : "]\n");
}

int cli_report_runs(io_store *s, const int64_t *ids, size_t n,
                    const char *format, FILE *out, hs_diag *d)
{
    app_runs set = {0};
    slo_keys keys = {0};
    int rc = app_runs_load(s, ids, n, &set, d);

    if (rc == HS_OK) {
        slo_keys_of(&set, &keys);
        if (strcmp(format, "csv") == 0)
            print_csv(&set, &keys, out);
        else if (strcmp(format, "json") == 0)
            print_json(&set, &keys, out);
        else
            print_table(&set, &keys, out);
    }
    free(keys.key);
    app_runs_fini(&set);
    return rc;
}
