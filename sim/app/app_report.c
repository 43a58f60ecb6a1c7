/*
 * app_report.c -- runs of results files, read back for reports: each
 * run's runs row, its run-scope metrics and those of its split pools,
 * links, memory pools and SLO keys (slo_met; docs/schema.md), and the run a --run selector
 * names.  Values are read as SQLite's text and parsed, so a report shows
 * exactly what 'sqlite3' would.
 */
#include "hetsim/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The runs query up to its WHERE (a new string): run_id, every column of
 * the runs table in order, then the count of 'done' requests rows (for
 * runs without a summary yet). */
static char *runs_select(void)
{
    const rec_table *t = rec_table_get(REC_T_runs);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    HS_ASSERT(f != NULL); /* out of memory */
    fputs("SELECT r.run_id", f);
    for (size_t c = 0; c < t->n_cols; c++)
        fprintf(f, ", r.%s", t->cols[c].name);
    fputs(", (SELECT count(*) FROM requests q WHERE q.run_id = r.run_id "
          "AND q.status = 'done') FROM runs r ",
          f);
    fclose(f);
    return buf;
}

/* What collect_run appends to. */
typedef struct run_sink {
    app_runs *set;
    io_store *s;
} run_sink;

/* io_row_fn: one row of the runs query. */
static int collect_run(void *ctx, const io_row *row)
{
    run_sink *k = ctx;
    app_runs *set = k->set;
    app_run_row *r;

    hs_grow((void **)&set->runs, &set->cap, set->n + 1, sizeof *set->runs);
    r = &set->runs[set->n++];
    memset(r, 0, sizeof *r);
    r->file = hs_strdup(io_store_path(k->s));
    r->run_id = strtoll(row->values[0], NULL, 10);
    for (int c = 0; c < REC_N_COLS_runs; c++)
        if (row->values[1 + c] != NULL)
            r->col[c] = hs_strdup(row->values[1 + c]);
    /* Until the run writes its summary, the rows say how many are done. */
    r->metric[REC_M_requests_done] =
        strtod(row->values[1 + REC_N_COLS_runs], NULL);
    if (r->col[REC_C_runs_status] != NULL &&
        strcmp(r->col[REC_C_runs_status], "running") == 0)
        r->writer =
            app_writer_check(k->s, r->run_id, r->col[REC_C_runs_writer_host],
                             r->col[REC_C_runs_writer_pid]);
    return 0;
}

/* io_row_fn: one (name, value) metric of the run 'ctx'; names this build
 * does not know are skipped. */
static int collect_metric(void *ctx, const io_row *row)
{
    app_run_row *r = ctx;
    rec_metric_id id = rec_metric_find(row->values[0]);

    if (id < REC_N_METRICS && row->values[1] != NULL) {
        r->metric[id] = strtod(row->values[1], NULL);
        r->has_metric[id] = true;
    }
    return 0;
}

/* io_row_fn: one (scope, name, value) metric of the run 'ctx'; names
 * this build does not know are skipped. */
static int collect_scoped(void *ctx, const io_row *row)
{
    app_run_row *r = ctx;
    rec_metric_id id = rec_metric_find(row->values[1]);
    app_scoped *m;

    if (id >= REC_N_METRICS || row->values[0] == NULL)
        return 0;
    hs_grow((void **)&r->scoped, &r->cap_scoped, r->n_scoped + 1,
            sizeof *r->scoped);
    m = &r->scoped[r->n_scoped++];
    m->scope = hs_strdup(row->values[0]);
    m->id = id;
    m->has = row->values[2] != NULL;
    m->value = m->has ? strtod(row->values[2], NULL) : 0;
    return 0;
}

/* io_row_fn: one (path, value) sweep parameter of the run 'ctx'. */
static int collect_param(void *ctx, const io_row *row)
{
    app_run_row *r = ctx;

    hs_grow((void **)&r->param, &r->cap_param, r->n_param + 2,
            sizeof *r->param);
    r->param[r->n_param++] = hs_strdup(row->values[0]);
    r->param[r->n_param++] =
        row->values[1] != NULL ? hs_strdup(row->values[1]) : NULL;
    return 0;
}

static void run_row_fini(app_run_row *r)
{
    for (size_t i = 0; i < r->n_param; i++)
        free(r->param[i]);
    free(r->param);
    for (int c = 0; c < REC_N_COLS_runs; c++)
        free(r->col[c]);
    for (size_t i = 0; i < r->n_scoped; i++)
        free(r->scoped[i].scope);
    free(r->scoped);
    free(r->file);
}

void app_runs_fini(app_runs *set)
{
    for (size_t i = 0; i < set->n; i++)
        run_row_fini(&set->runs[i]);
    free(set->runs);
    memset(set, 0, sizeof *set);
}

static int load_rows(io_store *s, const int64_t *ids, size_t n, app_runs *set,
                     hs_diag *d)
{
    char *head = runs_select(), *sql, id[32];
    const char *p[1] = {id};
    run_sink k = {set, s};
    int rc = HS_OK;

    if (ids == NULL) {
        sql = hs_asprintf("%sWHERE NOT EXISTS (SELECT 1 FROM oicf o WHERE "
                          "o.run_id = r.run_id) ORDER BY r.run_id",
                          head);
        rc = io_store_query(s, sql, NULL, 0, collect_run, &k, d);
    } else {
        sql = hs_asprintf("%sWHERE r.run_id = CAST(?1 AS INTEGER)", head);
        for (size_t i = 0; i < n && rc == HS_OK; i++) {
            snprintf(id, sizeof id, "%lld", (long long)ids[i]);
            rc = io_store_query(s, sql, p, 1, collect_run, &k, d);
        }
    }
    free(sql);
    free(head);
    return rc;
}

/* The metrics of run 'r': run scope, then the scopes that are neither
 * the run nor one of its instances. */
static int load_metrics(io_store *s, app_run_row *r, hs_diag *d)
{
    char id[32];
    const char *p[1] = {id};
    int rc;

    snprintf(id, sizeof id, "%lld", (long long)r->run_id);
    rc = io_store_query(s,
                        "SELECT name, value FROM metrics WHERE run_id "
                        "= CAST(?1 AS INTEGER) AND scope = 'run'",
                        p, 1, collect_metric, r, d);
    r->has_metric[REC_M_requests_done] = true;
    if (rc == HS_OK)
        rc = io_store_query(
            s,
            "SELECT scope, name, value FROM metrics WHERE run_id = "
            "CAST(?1 AS INTEGER) AND scope != 'run' AND scope NOT IN "
            "(SELECT instance FROM instances WHERE run_id = "
            "CAST(?1 AS INTEGER)) ORDER BY rowid",
            p, 1, collect_scoped, r, d);
    if (rc == HS_OK)
        rc = io_store_query(s,
                            "SELECT path, value FROM sweep_points WHERE "
                            "run_id = CAST(?1 AS INTEGER) ORDER BY rowid",
                            p, 1, collect_param, r, d);
    return rc;
}

int app_runs_load(io_store *s, const int64_t *ids, size_t n, app_runs *set,
                  hs_diag *d)
{
    size_t first = set->n;
    int rc = load_rows(s, ids, n, set, d);

    for (size_t i = first; i < set->n && rc == HS_OK; i++)
        rc = load_metrics(s, &set->runs[i], d);
    return rc;
}

/* io_row_fn: keep the first column as a run id. */
static int take_id(void *ctx, const io_row *row)
{
    *(int64_t *)ctx = strtoll(row->values[0], NULL, 10);
    return 0;
}

int app_runs_find(io_store *s, const char *sel, int64_t *id, hs_diag *d)
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
