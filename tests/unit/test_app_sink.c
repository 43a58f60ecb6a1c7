/*
 * test_app_sink.c -- the srv_sink of sim/app (app.h): records become
 * store rows (a decode instance equal to the prefill instance as NULL),
 * steps are sampled per instance by name (every Nth of each, counted
 * exactly across 300 names, invariants S1-S2 checked after every step),
 * 'none' writes no steps, and a failed append is kept and stops.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "hetsim/app.h"

Suite *app_sink_suite(void);

static char dir[64];
static char path[128];
static hs_diag *diag;
static io_store *store;
static int64_t run_id;

static void setup(void)
{
    rec_run_row info = {.name = "sink"};

    snprintf(dir, sizeof dir, "/tmp/hetsim_sink_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/r.db", dir);
    diag = hs_diag_new();
    ck_assert_int_eq(io_store_open(path, &store, diag), HS_OK);
    ck_assert_int_eq(io_store_begin_run(store, &info, &run_id, diag), HS_OK);
}

static void teardown(void)
{
    char p[160];

    io_store_close(store);
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    rmdir(dir);
    hs_diag_free(diag);
}

static int64_t count(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t n;

    ck_assert_int_eq(io_store_flush(store, diag), HS_OK);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* A scenario holding only what the sink reads. */
static sc_scenario scenario(sc_steps_mode mode, int64_t every)
{
    sc_scenario sc;

    memset(&sc, 0, sizeof sc);
    sc.output.steps = mode;
    sc.output.step_sample_every = every;
    return sc;
}

START_TEST(steps_are_sampled_per_instance)
{
    sc_scenario sc = scenario(SC_STEPS_SAMPLED, 3);
    app_sink *k = app_sink_new(&sc, store, diag);
    srv_sink cb = app_sink_callbacks(k);
    const char *why = NULL;
    char name[32];

    app_sink_set_run(k, run_id);
    /* 300 instances, instance i stepping i % 7 + 1 times, interleaved. */
    for (int round = 0; round < 7; round++)
        for (int i = 0; i < 300; i++) {
            srv_step_rec st = {.instance = name, .phase = "decode"};

            if (round > i % 7)
                continue;
            snprintf(name, sizeof name, "inst.%d", i);
            st.start_s = round;
            ck_assert_int_eq(cb.step(cb.ctx, &st), 0);
            ck_assert_msg(app_sink_check(k, &why), "%s", why);
        }
    /* Instance i keeps steps 0, 3, 6 of its i % 7 + 1: 1 + (i % 7) / 3. */
    ck_assert_int_eq(count("SELECT count(*) FROM steps"),
                     43 * 1 + 43 * 1 + 43 * 1 + 43 * 2 + 43 * 2 + 43 * 2 +
                         42 * 3);
    ck_assert_int_eq(count("SELECT count(*) FROM steps WHERE instance = "
                           "'inst.6' AND start_s IN (0, 3, 6)"),
                     3);
    ck_assert_int_eq(app_sink_status(k), HS_OK);
    app_sink_free(k);
}
END_TEST

START_TEST(no_steps_and_same_decode_instance)
{
    sc_scenario sc = scenario(SC_STEPS_NONE, 1);
    app_sink *k = app_sink_new(&sc, store, diag);
    srv_sink cb = app_sink_callbacks(k);
    srv_step_rec st = {.instance = "a", .phase = "decode"};
    srv_request_rec rq = {.request_id = 1,
                          .session_id = -1,
                          .turn = -1,
                          .prefill_instance = "a",
                          .decode_instance = "a",
                          .status = SRV_REQ_DONE};

    app_sink_set_run(k, run_id);
    ck_assert_int_eq(cb.step(cb.ctx, &st), 0);
    ck_assert_int_eq(cb.request(cb.ctx, &rq), 0);
    rq.request_id = 2;
    rq.decode_instance = "b";
    ck_assert_int_eq(cb.request(cb.ctx, &rq), 0);
    ck_assert_int_eq(count("SELECT count(*) FROM steps"), 0);
    ck_assert_int_eq(count("SELECT count(*) FROM requests WHERE "
                           "decode_instance IS NULL AND request_id = 1 "
                           "AND session_id IS NULL AND status = 'done'"),
                     1);
    ck_assert_int_eq(count("SELECT count(*) FROM requests WHERE "
                           "decode_instance = 'b'"),
                     1);
    app_sink_free(k);
}
END_TEST

START_TEST(a_failed_append_is_kept_and_stops)
{
    sc_scenario sc = scenario(SC_STEPS_ALL, 1);
    app_sink *k = app_sink_new(&sc, store, diag);
    srv_sink cb = app_sink_callbacks(k);

    app_sink_set_run(k, run_id);
    ck_assert_int_eq(cb.metric(cb.ctx, "run", "energy_j", 1.0), 0);
    /* A second value for the same key breaks the unique index. */
    ck_assert_int_ne(cb.metric(cb.ctx, "run", "energy_j", 2.0), 0);
    ck_assert_int_eq(app_sink_status(k), HS_EIO);
    ck_assert_int_eq(cb.metric(cb.ctx, "run", "cost_usd", 1.0), 0);
    ck_assert_int_eq(app_sink_status(k), HS_EIO); /* the first is kept */
    ck_assert_uint_eq(hs_diag_count(diag), 1);
    app_sink_free(k);
}
END_TEST

Suite *app_sink_suite(void)
{
    Suite *s = suite_create("app_sink");
    TCase *tc = tcase_create("sink");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, steps_are_sampled_per_instance);
    tcase_add_test(tc, no_steps_and_same_decode_instance);
    tcase_add_test(tc, a_failed_append_is_kept_and_stops);
    suite_add_tcase(s, tc);
    return s;
}
