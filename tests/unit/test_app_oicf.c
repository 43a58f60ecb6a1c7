/*
 * test_app_oicf.c -- analytic points through sim/app (app.h): catalog
 * names resolved and evaluated (a decode point of Llama-3-8B on an H100
 * is bandwidth-bound, below the ridge), the operators listed, unknown
 * names reported all at once, and the points appended to a results file
 * as one 'oicf' run ended 'done'.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "hetsim/app.h"

Suite *app_oicf_suite(void);

static oicf_point point(const char *model, const char *hw)
{
    oicf_point p;

    memset(&p, 0, sizeof p);
    snprintf(p.model, sizeof p.model, "%s", model);
    snprintf(p.hardware, sizeof p.hardware, "%s", hw);
    snprintf(p.label, sizeof p.label, "ctx4k");
    p.pt.phase = COST_PHASE_DECODE;
    p.pt.batch = 4;
    p.pt.context = 4096;
    p.tp = 1;
    p.prec = cost_precision_default();
    return p;
}

START_TEST(points_are_evaluated_and_stored)
{
    oicf_point pts[2] = {point("llama-3-8b", "h100-sxm"),
                         point("llama-3-8b", "h100-sxm")};
    app_oicf_row *rows = NULL;
    hs_diag *d = hs_diag_new();
    char dir[64], db[96], p[128];
    cost_op ops[64];
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;

    pts[1].pt.batch = 64;
    ck_assert_int_eq(app_oicf_eval(pts, 2, &rows, d), HS_OK);
    ck_assert_ptr_eq(rows[1].p, &pts[1]);
    ck_assert_int_eq(rows[0].r.bound, COST_BOUND_BANDWIDTH);
    ck_assert(rows[0].r.step.oi < rows[0].r.ridge_oi);
    ck_assert(rows[1].r.step.oi > rows[0].r.step.oi); /* batching helps */
    ck_assert_uint_gt(app_oicf_ops(&rows[0], ops, 64), 3);

    snprintf(dir, sizeof dir, "/tmp/hetsim_oicf_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/o.db", dir);
    ck_assert_int_eq(app_oicf_write(rows, 2, db, NULL, d), HS_OK);
    ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_prepare_v2(h,
                           "SELECT count(*), min(r.name), min(r.status), "
                           "min(o.label), sum(o.batch), min(o.oi) = "
                           "min(o.flops / o.bytes) FROM oicf o JOIN runs r "
                           "USING (run_id)",
                           -1, &st, NULL),
        SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 2);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), "oicf");
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), "done");
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 3), "ctx4k");
    ck_assert_int_eq(sqlite3_column_int(st, 4), 68);
    sqlite3_finalize(st);
    sqlite3_close(h);
    unlink(db);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
    rmdir(dir);
    free(rows);
    hs_diag_free(d);
}
END_TEST

START_TEST(unknown_names_are_all_reported)
{
    oicf_point pts[2] = {point("no-such-model", "h100-sxm"),
                         point("llama-3-8b", "no-such-device")};
    app_oicf_row *rows = (app_oicf_row *)1;
    hs_diag *d = hs_diag_new();

    ck_assert_int_eq(app_oicf_eval(pts, 2, &rows, d), HS_EINPUT);
    ck_assert_ptr_null(rows);
    ck_assert_uint_eq(hs_diag_count(d), 2);
    ck_assert_ptr_nonnull(strstr(hs_diag_message(d, 0), "no-such-model"));
    ck_assert_ptr_nonnull(strstr(hs_diag_message(d, 1), "no-such-device"));
    hs_diag_free(d);
}
END_TEST

Suite *app_oicf_suite(void)
{
    Suite *s = suite_create("app_oicf");
    TCase *tc = tcase_create("points");

    tcase_add_test(tc, points_are_evaluated_and_stored);
    tcase_add_test(tc, unknown_names_are_all_reported);
    suite_add_tcase(s, tc);
    return s;
}
