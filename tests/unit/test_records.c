/*
 * test_records.c -- the result schema of include/hetsim/records.h: the
 * tables pass their own check, every descriptor matches its struct, the
 * generated schema creates in SQLite with exactly the described columns
 * and types, the INSERTs take one parameter per column, metric names
 * round-trip, the views keep their hand-written layout, and the docs
 * list every column and metric.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "hetsim/records.h"
#include "hetsim/serve.h"

Suite *records_suite(void);

START_TEST(tables_pass_their_check)
{
    const char *why = "not set";

    ck_assert_msg(rec_check(&why), "rec_check: %s", why);
    ck_assert_ptr_null(why);
}
END_TEST

START_TEST(descriptors_match_the_structs)
{
    const rec_table *req = rec_table_get(REC_T_requests);
    const rec_col *ttft = &req->cols[REC_C_requests_ttft_s];
    const rec_col *turn = &req->cols[REC_C_requests_turn];
    const rec_table *runs = rec_table_get(REC_T_runs);

    ck_assert_str_eq(req->name, "requests");
    ck_assert_str_eq(req->ctype, "srv_request_rec");
    ck_assert_uint_eq(req->size, sizeof(srv_request_rec));
    ck_assert_uint_eq(req->n_cols, REC_N_COLS_requests);
    ck_assert_str_eq(ttft->name, "ttft_s");
    ck_assert_uint_eq(ttft->offset, offsetof(srv_request_rec, ttft_s));
    ck_assert_int_eq(ttft->type, REC_TY_REAL);
    ck_assert_str_eq(ttft->unit, "s");
    ck_assert_uint_eq(turn->size, sizeof(int32_t));
    ck_assert(rec_type_null_if_negative(turn->type));
    ck_assert_str_eq(runs->cols[REC_C_runs_sim_s].name, "sim_s");
    ck_assert_ptr_null(runs->index);
    ck_assert_str_eq(rec_table_get(REC_T_timeseries)->ctype, "srv_sample_rec");
    ck_assert_str_eq(rec_request_status_name(SRV_REQ_UNFINISHED),
                     "unfinished");
    ck_assert_str_eq(rec_enum_name(REC_TY_REQ_STATUS, SRV_REQ_DROPPED),
                     "dropped");
}
END_TEST

/* Each column of table 't' as SQLite sees it: name, declared type and
 * NOT NULL, compared with the descriptors. */
static void compare_columns(sqlite3 *db, const rec_table *t)
{
    char *sql = sqlite3_mprintf("PRAGMA table_info(%s)", t->name);
    sqlite3_stmt *st = NULL;
    size_t k = 0;

    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *type = (const char *)sqlite3_column_text(st, 2);
        int notnull = sqlite3_column_int(st, 3);
        const rec_col *c;

        if (k++ == 0) { /* run_id */
            ck_assert_str_eq(name, "run_id");
            continue;
        }
        ck_assert_uint_le(k - 1, t->n_cols);
        c = &t->cols[k - 2];
        ck_assert_str_eq(name, c->name);
        ck_assert_msg(strncmp(rec_type_sql(c->type), type, strlen(type)) == 0,
                      "%s.%s: %s vs %s", t->name, name, type,
                      rec_type_sql(c->type));
        ck_assert_int_eq(notnull,
                         strstr(rec_type_doc(c->type), "NOT NULL") != NULL);
    }
    ck_assert_uint_eq(k, t->n_cols + 1);
    sqlite3_finalize(st);
    sqlite3_free(sql);
}

START_TEST(schema_creates_the_described_tables)
{
    sqlite3 *db = NULL;

    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    for (size_t i = 0; i < rec_schema_count(); i++) {
        char *sql = rec_schema_sql(i);

        ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK,
                      "%s: %s", sql, sqlite3_errmsg(db));
        free(sql);
    }
    for (int i = 0; i < REC_N_TABLES; i++) {
        const rec_table *t = rec_table_get((rec_table_id)i);
        char *ins = rec_insert_sql((rec_table_id)i);
        sqlite3_stmt *st = NULL;

        compare_columns(db, t);
        ck_assert_int_eq(sqlite3_prepare_v2(db, ins, -1, &st, NULL),
                         SQLITE_OK);
        ck_assert_int_eq(sqlite3_bind_parameter_count(st),
                         (int)t->n_cols + (i != REC_T_runs));
        sqlite3_finalize(st);
        free(ins);
    }
    sqlite3_close(db);
}
END_TEST

/* The statement that starts with 'head' (a new string). */
static char *schema_statement(const char *head)
{
    for (size_t i = 0; i < rec_schema_count(); i++) {
        char *sql = rec_schema_sql(i);

        if (strncmp(sql, head, strlen(head)) == 0)
            return sql;
        free(sql);
    }
    ck_abort_msg("no statement '%s'", head);
    return NULL;
}

START_TEST(views_keep_their_layout)
{
    char *sql = schema_statement("CREATE VIEW run_summary AS\n");

    /* Short pivots on one line, long ones with the alias below. */
    ck_assert_ptr_nonnull(
        strstr(sql, "  max(CASE m.name WHEN 'ttft_p90_s' THEN m.value END) AS "
                    "ttft_p90_s,\n"));
    ck_assert_ptr_nonnull(strstr(
        sql, "  max(CASE m.name WHEN 'throughput_tok_s' THEN m.value END)\n"
             "    AS throughput_tok_s,\n"));
    ck_assert_ptr_nonnull(strstr(sql, "    AS capacity_bound_frac\nFROM runs "
                                      "r\n"));
    free(sql);
}
END_TEST

START_TEST(metric_names_round_trip)
{
    for (int i = 0; i < REC_N_METRICS; i++) {
        const char *name = rec_metric_name((rec_metric_id)i);

        ck_assert_int_eq(rec_metric_find(name), i);
    }
    ck_assert_str_eq(rec_metric_name(REC_M_ttft_p90_s), "ttft_p90_s");
    ck_assert_uint_eq(rec_metric_get(REC_M_energy_j)->scopes &
                          (REC_SCOPE_RUN | REC_SCOPE_LINK),
                      REC_SCOPE_RUN | REC_SCOPE_LINK);
    ck_assert_int_eq(rec_metric_find("no_such_metric"), REC_N_METRICS);
}
END_TEST

START_TEST(docs_list_every_column_and_metric)
{
    char *md = rec_doc_markdown();
    char line[128];

    for (int i = 0; i < REC_N_TABLES; i++) {
        const rec_table *t = rec_table_get((rec_table_id)i);

        snprintf(line, sizeof line, "### `%s` — ", t->name);
        ck_assert_msg(strstr(md, line) != NULL, "no heading %s", line);
        for (size_t c = 0; c < t->n_cols; c++) {
            snprintf(line, sizeof line, "| `%s` | %s |", t->cols[c].name,
                     rec_type_doc(t->cols[c].type));
            ck_assert_msg(strstr(md, line) != NULL, "no row %s", line);
        }
    }
    for (int i = 0; i < REC_N_METRICS; i++) {
        snprintf(line, sizeof line, "| `%s` |",
                 rec_metric_name((rec_metric_id)i));
        ck_assert_msg(strstr(md, line) != NULL, "no metric %s", line);
    }
    ck_assert_ptr_nonnull(strstr(md, "`instances(run_id, instance)` unique"));
    free(md);
}
END_TEST

Suite *records_suite(void)
{
    Suite *s = suite_create("records");
    TCase *tc = tcase_create("schema");

    tcase_add_test(tc, tables_pass_their_check);
    tcase_add_test(tc, descriptors_match_the_structs);
    tcase_add_test(tc, schema_creates_the_described_tables);
    tcase_add_test(tc, views_keep_their_layout);
    tcase_add_test(tc, metric_names_round_trip);
    tcase_add_test(tc, docs_list_every_column_and_metric);
    suite_add_tcase(s, tc);
    return s;
}
