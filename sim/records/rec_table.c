/*
 * rec_table.c -- the descriptors generated from the X-macro tables of
 * include/hetsim/records.h: each table with its columns (name, type,
 * where the field lives in the struct), the column types, the request
 * statuses and the metric names.  Everything here is constant data.
 */
#include "hetsim/records.h"

#include <string.h>

#include "hetsim/util.h"

/* ---- column types ------------------------------------------------------- */

static const struct {
    const char *sql; /* declaration in CREATE TABLE */
    const char *doc; /* the type as the docs show it */
    bool null_if_negative;
} types[REC_N_TYPES] = {
    [REC_TY_I64] = {"INTEGER", "INTEGER", false},
    [REC_TY_I64_KEY] = {"INTEGER NOT NULL", "INTEGER NOT NULL", false},
    [REC_TY_I64_OPT] = {"INTEGER", "INTEGER", true},
    [REC_TY_I32] = {"INTEGER", "INTEGER", false},
    [REC_TY_I32_OPT] = {"INTEGER", "INTEGER", true},
    [REC_TY_INT] = {"INTEGER", "INTEGER", false},
    [REC_TY_REAL] = {"REAL", "REAL", false},
    [REC_TY_TEXT] = {"TEXT", "TEXT", false},
    [REC_TY_TEXT_KEY] = {"TEXT NOT NULL", "TEXT NOT NULL", false},
    [REC_TY_REQ_STATUS] = {"TEXT", "TEXT", false},
    [REC_TY_DROP_REASON] = {"TEXT", "TEXT", false},
    [REC_TY_RUN_STATUS] = {"TEXT NOT NULL DEFAULT 'running'\n"
                           "    CHECK (status IN ('running', 'done', "
                           "'failed', 'interrupted'))",
                           "TEXT NOT NULL", false},
};

const char *rec_type_sql(rec_type t)
{
    HS_ASSERT(t < REC_N_TYPES);
    return types[t].sql;
}

const char *rec_type_doc(rec_type t)
{
    HS_ASSERT(t < REC_N_TYPES);
    return types[t].doc;
}

bool rec_type_null_if_negative(rec_type t)
{
    HS_ASSERT(t < REC_N_TYPES);
    return types[t].null_if_negative;
}

/* ---- request statuses --------------------------------------------------- */

static const char *const request_status_names[] = {
#define STATUS_NAME(m, name, doc) [m] = name,
    REC_REQUEST_STATUSES(STATUS_NAME)
#undef STATUS_NAME
};

#define N_REQUEST_STATUSES                                                    \
    (sizeof request_status_names / sizeof request_status_names[0])

const char *rec_request_status_name(srv_request_status s)
{
    HS_ASSERT((size_t)s < N_REQUEST_STATUSES);
    return request_status_names[s];
}

/* ---- drop reasons -------------------------------------------------------- */

static const char *const drop_reason_names[] = {
#define DROP_NAME(m, name, doc) [m] = name,
    REC_DROP_REASONS(DROP_NAME)
#undef DROP_NAME
};

#define N_DROP_REASONS (sizeof drop_reason_names / sizeof drop_reason_names[0])

const char *rec_drop_reason_name(srv_drop_reason d)
{
    HS_ASSERT((size_t)d < N_DROP_REASONS);
    return drop_reason_names[d];
}

const char *rec_enum_name(rec_type t, int v)
{
    if (t == REC_TY_DROP_REASON)
        return rec_drop_reason_name((srv_drop_reason)v);
    HS_ASSERT(t == REC_TY_REQ_STATUS);
    return rec_request_status_name((srv_request_status)v);
}

/* ---- tables ------------------------------------------------------------- */

/* row_<table>: the struct of each table, so that a column line, which
 * names its table, finds its struct. */
#define ROW_ALIAS(table, ctype, index, unique, keys, title, note)             \
    typedef ctype row_##table;
REC_TABLES(ROW_ALIAS)
#undef ROW_ALIAS

#define COL_DESC(table, name, type, unit, doc)                                \
    {#name,                                                                   \
     REC_TY_##type,                                                           \
     offsetof(row_##table, name),                                             \
     sizeof(((row_##table *)0)->name),                                        \
     unit,                                                                    \
     doc},
#define COL_ARRAY(table, ctype, index, unique, keys, title, note)             \
    static const rec_col cols_##table[] = {REC_COLS_##table(COL_DESC)};
REC_TABLES(COL_ARRAY)
#undef COL_ARRAY
#undef COL_DESC

static const rec_table tables[REC_N_TABLES] = {
#define TABLE_DESC(table, ctype, index, unique, keys, title, note)            \
    {#table,        #ctype,                                                   \
     sizeof(ctype), index,                                                    \
     unique,        keys,                                                     \
     title,         note,                                                     \
     cols_##table,  sizeof cols_##table / sizeof cols_##table[0]},
    REC_TABLES(TABLE_DESC)
#undef TABLE_DESC
};

const rec_table *rec_table_get(rec_table_id id)
{
    HS_ASSERT(id < REC_N_TABLES);
    return &tables[id];
}

/* ---- metrics ------------------------------------------------------------ */

static const rec_metric metrics[REC_N_METRICS] = {
#define METRIC_DESC(name, scopes, unit, doc) {#name, scopes, unit, doc},
    REC_METRICS(METRIC_DESC)
#undef METRIC_DESC
};

const rec_metric *rec_metric_get(rec_metric_id id)
{
    HS_ASSERT(id < REC_N_METRICS);
    return &metrics[id];
}

const char *rec_metric_name(rec_metric_id id)
{
    return rec_metric_get(id)->name;
}

rec_metric_id rec_metric_find(const char *name)
{
    for (int i = 0; i < REC_N_METRICS; i++)
        if (strcmp(metrics[i].name, name) == 0)
            return (rec_metric_id)i;
    return REC_N_METRICS;
}

/* ---- views -------------------------------------------------------------- */

static const rec_metric_id summary_ids[] = {
    REC_M_throughput_tok_s, REC_M_goodput_req_s,   REC_M_slo_attainment,
    REC_M_ttft_p90_s,       REC_M_tpot_p90_s,      REC_M_energy_j,
    REC_M_tokens_per_usd,   REC_M_prefix_hit_rate, REC_M_capacity_bound_frac,
};

static const rec_metric_id latency_ids[] = {
    REC_M_ttft_p50_s, REC_M_ttft_p90_s, REC_M_ttft_p99_s,
    REC_M_tpot_p50_s, REC_M_tpot_p90_s, REC_M_tpot_p99_s,
    REC_M_e2e_p50_s,  REC_M_e2e_p90_s,  REC_M_e2e_p99_s,
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const rec_view views[] = {
    {"run_summary",
     "one row per run, runs side by side: `run_id, name, variant, status, "
     "seed, started_at, wall_s, sim_s, events`, then `requests` (rows in "
     "`requests`), `requests_done` (of those with status `done`), then the "
     "run-scope metrics",
     "CREATE VIEW run_summary AS\n"
     "SELECT r.run_id, r.name, r.variant, r.status, r.seed, r.started_at,\n"
     "  r.wall_s, r.sim_s, r.events,\n"
     "  (SELECT count(*) FROM requests q WHERE q.run_id = r.run_id)\n"
     "    AS requests,\n"
     "  (SELECT count(*) FROM requests q\n"
     "    WHERE q.run_id = r.run_id AND q.status = 'done') AS "
     "requests_done,\n",
     summary_ids, N_OF(summary_ids)},
    {"latency_percentiles",
     "one row per run: `run_id, name, variant, status`, then the run-scope "
     "metrics",
     "CREATE VIEW latency_percentiles AS\n"
     "SELECT r.run_id, r.name, r.variant, r.status,\n",
     latency_ids, N_OF(latency_ids)},
};

size_t rec_view_count(void)
{
    return N_OF(views);
}

const rec_view *rec_view_get(size_t i)
{
    HS_ASSERT(i < N_OF(views));
    return &views[i];
}

/* ---- checks ------------------------------------------------------------- */

/* The size a field of type 't' must have. */
static size_t type_size(rec_type t)
{
    switch (t) {
    case REC_TY_I64:
    case REC_TY_I64_KEY:
    case REC_TY_I64_OPT:
        return sizeof(int64_t);
    case REC_TY_I32:
    case REC_TY_I32_OPT:
        return sizeof(int32_t);
    case REC_TY_INT:
        return sizeof(int);
    case REC_TY_REAL:
        return sizeof(double);
    case REC_TY_REQ_STATUS:
        return sizeof(srv_request_status);
    case REC_TY_DROP_REASON:
        return sizeof(srv_drop_reason);
    default:
        return sizeof(const char *);
    }
}

/* Columns in field order, of the right size, documented. */
static const char *check_table(const rec_table *t)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        const rec_col *col = &t->cols[c];

        if (col->size != type_size(col->type))
            return "a field's size does not match its column type";
        if (c > 0 && col->offset < t->cols[c - 1].offset + t->cols[c - 1].size)
            return "columns out of field order";
        if (col->doc[0] == '\0' || strcmp(col->name, "run_id") == 0)
            return "an undocumented column, or a column named run_id";
    }
    return t->n_cols > 0 ? NULL : "a table without columns";
}

static const char *check_views(void)
{
    for (size_t v = 0; v < rec_view_count(); v++) {
        const rec_view *w = rec_view_get(v);

        for (size_t i = 0; i < w->n_ids; i++)
            if (!(metrics[w->ids[i]].scopes & REC_SCOPE_RUN))
                return "a view column is not a run-scope metric";
    }
    return NULL;
}

bool rec_check(const char **why)
{
    const char *bad = NULL;

    for (int i = 0; i < REC_N_TABLES && bad == NULL; i++)
        bad = check_table(&tables[i]);
    for (int i = 0; i < REC_N_METRICS && bad == NULL; i++)
        if (metrics[i].scopes == 0 || metrics[i].doc[0] == '\0')
            bad = "a metric without scope or meaning";
    if (bad == NULL)
        bad = check_views();
    if (why != NULL)
        *why = bad;
    return bad == NULL;
}
