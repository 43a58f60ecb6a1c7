/*
 * test_io_store.c -- the SQLite results store (include/hetsim/store.h):
 * schema and version checks, the run lifecycle and its statuses, batched
 * appends across commit boundaries, exact round trips, the views, the
 * read-only query callback, and errors that name the database path.
 *
 * Each test works in a fresh directory under /tmp and checks what landed
 * in the file through a separate, plain SQLite connection.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ck_util.h"
#include "hetsim/store.h"

Suite *io_store_suite(void);

static char dir[64];
static char path[128];
static hs_diag *diag;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/hetsim_store_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/results.db", dir);
    diag = hs_diag_new();
}

static void remove_file(const char *suffix)
{
    char p[160];

    snprintf(p, sizeof p, "%s%s", path, suffix);
    unlink(p);
}

static void teardown(void)
{
    char p[160];

    remove_file("");
    remove_file("-wal");
    remove_file("-shm");
    remove_file("-journal");
    snprintf(p, sizeof p, "%s/other.db", dir);
    unlink(p);
    rmdir(dir);
    hs_diag_free(diag);
}

/* ---- helpers ------------------------------------------------------------ */

static const char *all_diag(void)
{
    return ck_diag_text(diag);
}

static io_store *open_ok(void)
{
    io_store *s = NULL;
    int rc = io_store_open(path, &s, diag);

    ck_assert_msg(rc == HS_OK, "open: %s", all_diag());
    ck_assert_ptr_nonnull(s);
    return s;
}

static int64_t begin_ok(io_store *s, const char *name, const char *variant)
{
    rec_run_row info = {.name = name,
                        .variant = variant,
                        .scenario_path = "scen.yaml",
                        .scenario_yaml = "name: x\n",
                        .seed = 42,
                        .version = "0.1.0",
                        .started_at = "2025-01-01T00:00:00Z"};
    int64_t id = -1;

    ck_assert_msg(io_store_begin_run(s, &info, &id, diag) == HS_OK, "%s",
                  all_diag());
    return id;
}

static void end_ok(io_store *s, int64_t id, io_run_status st)
{
    ck_assert_msg(io_store_end_run(s, id, st, 1.5, 10.0, 1234, diag) == HS_OK,
                  "%s", all_diag());
}

/* Run 'sql' on a separate connection and return the first column of its
 * first row as an integer (SQL NULL gives INT64_MIN). */
static int64_t sql_int(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v;

    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
                  "%s: %s", sql, sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_type(st, 0) == SQLITE_NULL
            ? INT64_MIN
            : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static double sql_real(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    double v;

    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
                  "%s: %s", sql, sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    if (sqlite3_column_type(st, 0) == SQLITE_NULL)
        v = (double)NAN;
    else
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* First column of the first row as text ("(null)" for SQL NULL). */
static const char *sql_text(const char *sql)
{
    static char buf[256];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    const unsigned char *t;

    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
                  "%s: %s", sql, sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    t = sqlite3_column_text(st, 0);
    snprintf(buf, sizeof buf, "%s", t == NULL ? "(null)" : (const char *)t);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return buf;
}

/* Write a database with a plain connection, for the foreign-file tests. */
static void make_db(const char *file, const char *sql)
{
    sqlite3 *db = NULL;

    ck_assert_int_eq(sqlite3_open(file, &db), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s",
                  sqlite3_errmsg(db));
    sqlite3_close(db);
}

static void assert_open_fails(int want_rc, const char *want_text)
{
    io_store *s = (io_store *)1;
    int rc = io_store_open(path, &s, diag);

    ck_assert_int_eq(rc, want_rc);
    ck_assert_ptr_null(s);
    ck_assert_uint_eq(hs_diag_count(diag), 1);
    ck_assert_msg(strstr(hs_diag_message(diag, 0), path) != NULL,
                  "no path in '%s'", hs_diag_message(diag, 0));
    ck_assert_msg(strstr(hs_diag_message(diag, 0), want_text) != NULL,
                  "'%s' lacks '%s'", hs_diag_message(diag, 0), want_text);
}

static srv_request_rec request(int64_t id)
{
    srv_request_rec r = {
        .request_id = id,
        .source = "conv",
        .session_id = -1,
        .turn = -1,
        .arrival_s = 0.5 * (double)id,
        .prompt_tokens = 1000 + id,
        .cached_tokens = 0,
        .output_tokens = 100,
        .prefill_instance = "mono/0",
        .decode_instance = NULL,
        .first_token_s = 0.5 * (double)id + 0.25,
        .finish_s = 0.5 * (double)id + 2.0,
        .ttft_s = 0.25,
        .tpot_s = 0.0175,
        .e2e_s = 2.0,
        .queue_s = 0.125,
        .kv_transfer_s = 0.0,
        .preemptions = 0,
        .status = SRV_REQ_DONE,
    };
    return r;
}

static void add_requests(io_store *s, int64_t run, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        srv_request_rec r = request(i);

        ck_assert_msg(io_store_add_requests(s, run, &r, diag) == HS_OK, "%s",
                      all_diag());
    }
}

/* One row of every other kind for 'run'. */
static void add_one_of_each(io_store *s, int64_t run)
{
    srv_step_rec st = {"mono/0", 1.0,  1.02,        "decode", 32,
                       0,        32,   2e12,        1e11,     20.0,
                       5e10,     4e10, "bandwidth", "bf16",   "bf16"};
    srv_instance_rec in = {
        "mono/0", "monolithic", "h100", 1,    8,      1,     1, 1,
        8,        90.0,         3.6e5,  12.5, "bf16", "bf16"};
    srv_transfer_rec tr = {7, 3, "optical", "kv_pd", 1.5e9, 2.0, 2.003};
    srv_sample_rec ts = {"mono/0", 1.0, 4, 32, 4e10, 6e10, 0.5};
    srv_session_rec se = {11, "agents", 5, 0.5, (double)NAN, 12000, 9000};

    ck_assert_int_eq(io_store_add_steps(s, run, &st, diag), HS_OK);
    ck_assert_int_eq(io_store_add_instances(s, run, &in, diag), HS_OK);
    ck_assert_int_eq(io_store_add_transfers(s, run, &tr, diag), HS_OK);
    ck_assert_int_eq(io_store_add_timeseries(s, run, &ts, diag), HS_OK);
    ck_assert_int_eq(io_store_add_sessions(s, run, &se, diag), HS_OK);
    ck_assert_int_eq(
        io_store_add_metric(s, run, "run", "throughput_tok_s", 1234.5, diag),
        HS_OK);
}

/* ---- schema and versions ------------------------------------------------ */

START_TEST(fresh_file_gets_schema)
{
    static const char *const objects[] = {
        "runs",
        "requests",
        "steps",
        "instances",
        "transfers",
        "metrics",
        "timeseries",
        "sessions",
        "oicf",
        "run_summary",
        "latency_percentiles",
        "requests_run",
        "steps_run",
        "metrics_key",
        "instances_key",
    };
    char sql[160];
    FILE *f = fopen(path, "w"); /* an existing empty file counts as new */

    ck_assert_ptr_nonnull(f);
    fclose(f);
    io_store_close(open_ok());
    ck_assert_int_eq(sql_int("PRAGMA user_version"), IO_STORE_SCHEMA_VERSION);
    ck_assert_int_eq(sql_int("PRAGMA application_id"),
                     IO_STORE_APPLICATION_ID);
    ck_assert_str_eq(sql_text("PRAGMA journal_mode"), "wal");
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_schema WHERE name = '%s'",
                 objects[i]);
        ck_assert_msg(sql_int(sql) == 1, "missing %s", objects[i]);
    }
    ck_assert_int_eq(sql_int("SELECT count(*) FROM pragma_table_info('oicf')"),
                     22);
    ck_assert_int_eq(
        sql_int("SELECT count(*) FROM pragma_table_info('requests')"), 22);
    /* Reopening a file of our own version works and changes nothing. */
    io_store_close(open_ok());
    ck_assert_int_eq(sql_int("SELECT count(*) FROM runs"), 0);
}
END_TEST

START_TEST(non_database_file_is_rejected)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 100; i++)
        fputs("arrival_s,prompt_tokens,output_tokens\n", f);
    fclose(f);
    assert_open_fails(HS_EINPUT, "not a SQLite database");
    f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fgetc(f), 'a'); /* untouched */
    fclose(f);
}
END_TEST

START_TEST(newer_schema_version_is_rejected)
{
    char sql[160];

    snprintf(sql, sizeof sql,
             "PRAGMA application_id = %d; PRAGMA user_version = 7;"
             " CREATE TABLE runs (run_id INTEGER PRIMARY KEY);",
             IO_STORE_APPLICATION_ID);
    make_db(path, sql);
    assert_open_fails(HS_EINPUT, "version 7 is newer");
    ck_assert_int_eq(sql_int("PRAGMA user_version"), 7);
}
END_TEST

START_TEST(foreign_database_is_rejected)
{
    make_db(path, "CREATE TABLE songs (title TEXT);"
                  " INSERT INTO songs VALUES ('x');");
    assert_open_fails(HS_EINPUT, "not a hetsim results database");
    ck_assert_int_eq(sql_int("SELECT count(*) FROM sqlite_schema"), 1);
    ck_assert_str_eq(sql_text("PRAGMA journal_mode"), "delete");
}
END_TEST

START_TEST(foreign_application_with_our_version_is_rejected)
{
    make_db(path, "PRAGMA application_id = 99; PRAGMA user_version = 1;"
                  " CREATE TABLE runs (x);");
    assert_open_fails(HS_EINPUT, "not a hetsim results database");
}
END_TEST

START_TEST(unwritable_path_is_an_io_error)
{
    snprintf(path, sizeof path, "%s/no/such/dir/results.db", dir);
    assert_open_fails(HS_EIO, "cannot open");
}
END_TEST

/* ---- runs --------------------------------------------------------------- */

START_TEST(two_runs_done_and_failed)
{
    io_store *s = open_ok();
    int64_t a = begin_ok(s, "mono-vs-split", NULL);
    int64_t b = begin_ok(s, "mono-vs-split", "monolithic");

    ck_assert_int_eq(a, 1);
    ck_assert_int_eq(b, 2);
    add_requests(s, a, 10);
    add_requests(s, b, 5); /* interleaved runs share one batch */
    add_one_of_each(s, a);
    add_one_of_each(s, b);
    end_ok(s, a, IO_RUN_DONE);
    ck_assert_int_eq(io_store_end_run_msg(s, b, IO_RUN_FAILED,
                                          "t.csv:3:5: error: bad row", 0.25,
                                          3.0, 99, diag),
                     HS_OK);
    io_store_close(s);
    /* A failed run keeps its runs row, with the message, and nothing
     * else: no half-written results (issue 17). */
    ck_assert_str_eq(sql_text("SELECT message FROM runs WHERE run_id = 2"),
                     "t.csv:3:5: error: bad row");
    ck_assert_str_eq(sql_text("SELECT message FROM runs WHERE run_id = 1"),
                     "(null)");
    for (size_t t = 0; t < REC_N_TABLES; t++) {
        char *q = hs_asprintf("SELECT count(*) FROM %s WHERE run_id = 2",
                              rec_table_get((rec_table_id)t)->name);

        ck_assert_int_eq(sql_int(q), t == REC_T_runs ? 1 : 0);
        free(q);
    }

    ck_assert_str_eq(sql_text("SELECT status FROM runs WHERE run_id = 1"),
                     "done");
    ck_assert_str_eq(sql_text("SELECT status FROM runs WHERE run_id = 2"),
                     "failed");
    ck_assert_str_eq(sql_text("SELECT variant FROM runs WHERE run_id = 1"),
                     "(null)");
    ck_assert_str_eq(sql_text("SELECT variant FROM runs WHERE run_id = 2"),
                     "monolithic");
    ck_assert_str_eq(sql_text("SELECT scenario_yaml FROM runs WHERE run_id=1"),
                     "name: x\n");
    ck_assert_int_eq(sql_int("SELECT seed FROM runs WHERE run_id = 1"), 42);
    ck_assert_int_eq(sql_int("SELECT events FROM runs WHERE run_id = 1"),
                     1234);
    ck_assert_double_eq(sql_real("SELECT wall_s FROM runs WHERE run_id = 1"),
                        1.5);
    ck_assert_double_eq(sql_real("SELECT sim_s FROM runs WHERE run_id = 2"),
                        3.0);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM requests WHERE run_id = 1"),
                     10);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM steps"), 1);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM instances"), 1);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM transfers"), 1);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM timeseries"), 1);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM sessions"), 1);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM metrics"), 1);

    /* Values, and the NULL conventions (negative id, NULL text, NaN). */
    ck_assert_int_eq(sql_int("SELECT prompt_tokens FROM requests"
                             " WHERE run_id = 1 AND request_id = 7"),
                     1007);
    ck_assert_double_eq(sql_real("SELECT arrival_s FROM requests"
                                 " WHERE run_id = 1 AND request_id = 7"),
                        3.5);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM requests WHERE"
                             " session_id IS NULL AND turn IS NULL AND"
                             " decode_instance IS NULL"),
                     10);
    ck_assert_str_eq(sql_text("SELECT prefill_instance || status"
                              " FROM requests LIMIT 1"),
                     "mono/0done");
    ck_assert_int_eq(sql_int("SELECT count(*) FROM sessions"
                             " WHERE end_s IS NULL AND cached_tokens = 9000"),
                     1);
    ck_assert_str_eq(sql_text("SELECT bound FROM steps WHERE run_id = 1"),
                     "bandwidth");
    ck_assert_double_eq(sql_real("SELECT oi FROM steps WHERE run_id = 1"),
                        20.0);
    ck_assert_int_eq(sql_int("SELECT tp FROM instances WHERE run_id = 1"), 8);
    ck_assert_double_eq(
        sql_real("SELECT cost_usd FROM instances WHERE run_id = 1"), 12.5);
    ck_assert_double_eq(
        sql_real("SELECT end_s FROM transfers WHERE run_id = 1"), 2.003);
    ck_assert_int_eq(
        sql_int("SELECT request_id FROM transfers WHERE run_id = 1"), 3);
    ck_assert_double_eq(
        sql_real("SELECT kv_capacity_bytes FROM timeseries WHERE run_id=1"),
        6e10);
}
END_TEST

START_TEST(begun_run_is_visible_as_running)
{
    io_store *s = open_ok();
    int64_t id = begin_ok(s, "crashy", NULL);

    add_requests(s, id, 100);
    /* Committed at once: another reader sees it unfinished; the rows are
     * still in the open batch. */
    ck_assert_str_eq(sql_text("SELECT status FROM runs"), "running");
    ck_assert_int_eq(sql_int("SELECT count(*) FROM requests"), 0);
    ck_assert_int_eq(io_store_flush(s, diag), HS_OK);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM requests"), 100);
    io_store_close(s); /* the process "dies" without ending the run */
    ck_assert_str_eq(sql_text("SELECT status FROM runs"), "running");
    ck_assert_int_eq(sql_int("SELECT wall_s IS NULL FROM runs"), 1);
}
END_TEST

START_TEST(later_runs_never_touch_earlier_ones)
{
    io_store *s = open_ok();
    int64_t a = begin_ok(s, "first", NULL);

    add_requests(s, a, 3);
    end_ok(s, a, IO_RUN_DONE);
    io_store_close(s);

    s = open_ok();
    ck_assert_int_eq(begin_ok(s, "second", NULL), 2);
    /* Ending a finished run is refused and changes nothing. */
    ck_assert_int_eq(io_store_end_run(s, a, IO_RUN_FAILED, 9, 9, 9, diag),
                     HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(all_diag(), "run 1 is not a running run"));
    ck_assert_ptr_nonnull(strstr(all_diag(), path));
    ck_assert_int_eq(io_store_end_run(s, 77, IO_RUN_DONE, 0, 0, 0, diag),
                     HS_EINPUT);
    ck_assert_int_eq(
        io_store_end_run(s, 2, IO_RUN_INTERRUPTED, 0.5, 1.0, 10, diag), HS_OK);
    io_store_close(s);

    ck_assert_str_eq(sql_text("SELECT group_concat(run_id || status, ',')"
                              " FROM runs"),
                     "1done,2interrupted");
    ck_assert_double_eq(sql_real("SELECT wall_s FROM runs WHERE run_id = 1"),
                        1.5);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM requests"), 3);
}
END_TEST

START_TEST(lost_rows_make_a_run_failed_not_done)
{
    io_store *s = open_ok();
    int64_t a = begin_ok(s, "dup", NULL);
    int64_t b = begin_ok(s, "fine", NULL);

    ck_assert_int_eq(io_store_add_metric(s, a, "run", "energy_j", 1, diag),
                     HS_OK);
    ck_assert_int_eq(io_store_add_metric(s, a, "run", "energy_j", 2, diag),
                     HS_EIO);
    ck_assert_ptr_nonnull(strstr(all_diag(), path));
    ck_assert_ptr_nonnull(strstr(all_diag(), "metrics (run 1)"));
    /* A row for a run that does not exist breaks the foreign key. */
    ck_assert_int_eq(io_store_add_metric(s, 99, "run", "x", 1, diag), HS_EIO);
    add_requests(s, b, 2);
    hs_diag_clear(diag);
    ck_assert_int_eq(io_store_end_run(s, a, IO_RUN_DONE, 1, 1, 1, diag),
                     HS_EIO);
    ck_assert_ptr_nonnull(strstr(all_diag(), "marked failed"));
    end_ok(s, b, IO_RUN_DONE);
    io_store_close(s);
    ck_assert_str_eq(sql_text("SELECT group_concat(status, ',') FROM runs"),
                     "failed,done");
    ck_assert_str_eq(sql_text("SELECT message FROM runs WHERE run_id = 1"),
                     "some of the run's rows could not be written");
    /* The row that was written is gone with the failed run. */
    ck_assert_int_eq(sql_int("SELECT count(*) FROM metrics"), 0);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM requests"), 2);
}
END_TEST

START_TEST(status_is_constrained)
{
    sqlite3 *db = NULL;
    io_store *s = open_ok();

    begin_ok(s, "x", NULL);
    io_store_close(s);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_ne(sqlite3_exec(db, "UPDATE runs SET status = 'finished'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    ck_assert_str_eq(io_run_status_name(IO_RUN_INTERRUPTED), "interrupted");
}
END_TEST

/* ---- batching and exactness --------------------------------------------- */

START_TEST(batches_across_commits_lose_nothing)
{
    io_store *s = open_ok();
    int64_t id = begin_ok(s, "big", NULL);
    const int64_t n = 200000;

    add_requests(s, id, IO_STORE_BATCH_ROWS + 10);
    /* The first full batch is committed, the rest still pending. */
    ck_assert_int_eq(sql_int("SELECT count(*) FROM requests"),
                     IO_STORE_BATCH_ROWS);
    for (int64_t i = IO_STORE_BATCH_ROWS + 10; i < n; i++) {
        srv_request_rec r = request(i);

        ck_assert_int_eq(io_store_add_requests(s, id, &r, NULL), HS_OK);
    }
    end_ok(s, id, IO_RUN_DONE);
    io_store_close(s);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM requests"), n);
    ck_assert_int_eq(
        sql_int("SELECT count(DISTINCT request_id) FROM requests"), n);
    ck_assert_int_eq(sql_int("SELECT sum(request_id) FROM requests"),
                     n * (n - 1) / 2);
    ck_assert_int_eq(sql_int("SELECT sum(prompt_tokens) FROM requests"),
                     1000 * n + n * (n - 1) / 2);
    ck_assert_str_eq(sql_text("SELECT status FROM runs"), "done");
}
END_TEST

START_TEST(small_batches_commit_as_they_go)
{
    io_store *s = open_ok();
    int64_t id = begin_ok(s, "small", NULL);

    io_store_set_batch_rows(s, 3);
    add_requests(s, id, 7);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM requests"), 6);
    io_store_close(s); /* commits the last row, run stays running */
    ck_assert_int_eq(sql_int("SELECT count(*) FROM requests"), 7);
    ck_assert_str_eq(sql_text("SELECT status FROM runs"), "running");
}
END_TEST

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

START_TEST(oicf_round_trips_exactly)
{
    rec_oicf_row r = {
        .model = "llama-3-70b",
        .hardware = "h100-sxm",
        .phase = "decode",
        .batch = 64,
        .prompt_tokens = 1,
        .context_tokens = 8191,
        .tp = 8,
        .weights = "fp8",
        .kv = "bf16",
        .flops = 1.0 / 3.0,
        .weight_bytes = 70.55e9 + 0.1,
        .kv_bytes = 1e300,
        .act_bytes = 4.9406564584124654e-324, /* smallest denormal */
        .bytes = 9007199254740993.0,          /* 2^53 + 1 rounds */
        .oi = 0.1,
        .ridge_oi = 295.24691358024694,
        .cf_bytes = 123456789.123456789,
        .capacity_bytes = 640e9,
        .time_s = 0.012345678901234568,
        .bound = "bandwidth",
        .label = "ctx=8k",
    };
    const double want[] = {
        r.flops, r.weight_bytes, r.kv_bytes, r.act_bytes,      r.bytes,
        r.oi,    r.ridge_oi,     r.cf_bytes, r.capacity_bytes, r.time_s};
    io_store *s = open_ok();
    int64_t id = begin_ok(s, "oicf", NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    ck_assert_int_eq(io_store_add_oicf(s, id, &r, diag), HS_OK);
    end_ok(s, id, IO_RUN_DONE);
    io_store_close(s);

    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(
        sqlite3_prepare_v2(db,
                           "SELECT flops, weight_bytes, kv_bytes, act_bytes,"
                           " bytes, oi, ridge_oi, cf_bytes, capacity_bytes,"
                           " time_s, model, hardware, phase, weights, kv,"
                           " bound, label, batch, prompt_tokens,"
                           " context_tokens, tp, run_id FROM oicf",
                           -1, &st, NULL),
        SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    for (int i = 0; i < 10; i++)
        ck_assert_msg(same_bits(sqlite3_column_double(st, i), want[i]),
                      "column %d: %.17g != %.17g", i,
                      sqlite3_column_double(st, i), want[i]);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 10), r.model);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 11), r.hardware);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 12), r.phase);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 13), r.weights);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 14), r.kv);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 15), r.bound);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 16), r.label);
    ck_assert_int_eq(sqlite3_column_int64(st, 17), 64);
    ck_assert_int_eq(sqlite3_column_int64(st, 18), 1);
    ck_assert_int_eq(sqlite3_column_int64(st, 19), 8191);
    ck_assert_int_eq(sqlite3_column_int64(st, 20), 8);
    ck_assert_int_eq(sqlite3_column_int64(st, 21), id);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
}
END_TEST

/* ---- views and queries -------------------------------------------------- */

START_TEST(views_pivot_run_metrics)
{
    static const char *const names[] = {
        "ttft_p50_s", "ttft_p90_s", "ttft_p99_s", "tpot_p50_s", "tpot_p90_s",
        "tpot_p99_s", "e2e_p50_s",  "e2e_p90_s",  "e2e_p99_s",
    };
    io_store *s = open_ok();
    int64_t a = begin_ok(s, "a", NULL);
    int64_t b = begin_ok(s, "b", "v");
    srv_request_rec r = request(3);

    for (int i = 0; i < 9; i++)
        ck_assert_int_eq(
            io_store_add_metric(s, a, "run", names[i], 0.5 + i, diag), HS_OK);
    /* Same names in another scope must not leak into the run columns. */
    ck_assert_int_eq(
        io_store_add_metric(s, a, "mono/0", "ttft_p50_s", 99, diag), HS_OK);
    ck_assert_int_eq(
        io_store_add_metric(s, a, "run", "throughput_tok_s", 5e3, diag),
        HS_OK);
    ck_assert_int_eq(
        io_store_add_metric(s, a, "run", "capacity_bound_frac", 0.25, diag),
        HS_OK);
    add_requests(s, a, 3);
    r.status = SRV_REQ_DROPPED;
    ck_assert_int_eq(io_store_add_requests(s, a, &r, diag), HS_OK);
    end_ok(s, a, IO_RUN_DONE);
    io_store_close(s);

    ck_assert_int_eq(sql_int("SELECT count(*) FROM run_summary"), 2);
    ck_assert_int_eq(
        sql_int("SELECT requests FROM run_summary WHERE run_id = 1"), 4);
    ck_assert_int_eq(
        sql_int("SELECT requests_done FROM run_summary WHERE run_id = 1"), 3);
    ck_assert_double_eq(sql_real("SELECT throughput_tok_s FROM run_summary"
                                 " WHERE run_id = 1"),
                        5e3);
    ck_assert_double_eq(sql_real("SELECT capacity_bound_frac FROM"
                                 " run_summary WHERE run_id = 1"),
                        0.25);
    ck_assert_double_eq(
        sql_real("SELECT ttft_p90_s FROM run_summary WHERE run_id = 1"), 1.5);
    ck_assert_str_eq(sql_text("SELECT status || variant FROM run_summary"
                              " WHERE run_id = 2"),
                     "runningv");
    ck_assert(isnan(
        sql_real("SELECT throughput_tok_s FROM run_summary WHERE run_id=2")));
    ck_assert_double_eq(sql_real("SELECT ttft_p50_s FROM latency_percentiles"
                                 " WHERE run_id = 1"),
                        0.5);
    ck_assert_double_eq(sql_real("SELECT tpot_p99_s FROM latency_percentiles"
                                 " WHERE run_id = 1"),
                        5.5);
    ck_assert_double_eq(sql_real("SELECT e2e_p99_s FROM latency_percentiles"
                                 " WHERE run_id = 1"),
                        8.5);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM latency_percentiles"), 2);
    (void)b;
}
END_TEST

typedef struct collected {
    int rows;
    int stop_after; /* 0 = never */
    char text[256];
} collected;

static int collect(void *ctx, const io_row *row)
{
    collected *c = ctx;
    size_t len = strlen(c->text);

    ck_assert_int_eq(row->n_cols, 3);
    ck_assert_str_eq(row->names[0], "run_id");
    ck_assert_int_eq(row->types[0], IO_VALUE_INTEGER);
    ck_assert_int_eq(row->types[2],
                     row->values[2] == NULL ? IO_VALUE_NULL : IO_VALUE_TEXT);
    snprintf(c->text + len, sizeof c->text - len, "%s:%s:%s;", row->values[0],
             row->values[1], row->values[2] == NULL ? "NULL" : row->values[2]);
    c->rows++;
    return c->stop_after != 0 && c->rows >= c->stop_after ? 42 : 0;
}

START_TEST(query_calls_back_per_row)
{
    static const char *const bad[] = {
        "DELETE FROM runs",
        "UPDATE runs SET status = 'done'",
        "BEGIN",
        "PRAGMA user_version = 9",
        "SELECT 1; SELECT 2",
        "SELEKT 1",
        "",
    };
    const char *sql = "SELECT run_id, name, variant FROM runs"
                      " WHERE name = ?1 ORDER BY run_id";
    const char *param[] = {"a"};
    io_store *s = open_ok();
    collected c = {0};

    begin_ok(s, "a", NULL);
    begin_ok(s, "b", NULL);
    begin_ok(s, "a", "v2");
    ck_assert_int_eq(io_store_query(s, sql, param, 1, collect, &c, diag),
                     HS_OK);
    ck_assert_int_eq(c.rows, 2);
    ck_assert_str_eq(c.text, "1:a:NULL;3:a:v2;");

    memset(&c, 0, sizeof c);
    c.stop_after = 1;
    ck_assert_int_eq(io_store_query(s, sql, param, 1, collect, &c, diag), 42);
    ck_assert_int_eq(c.rows, 1);

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hs_diag_clear(diag);
        ck_assert_msg(io_store_query(s, bad[i], NULL, 0, collect, &c, diag) ==
                          HS_EINPUT,
                      "accepted '%s'", bad[i]);
        ck_assert_ptr_nonnull(strstr(all_diag(), path));
    }
    /* Too many parameters. */
    ck_assert_int_eq(
        io_store_query(s, "SELECT 1", param, 1, collect, &c, diag), HS_EINPUT);
    io_store_close(s);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM runs"), 3);
    ck_assert_int_eq(sql_int("PRAGMA user_version"), IO_STORE_SCHEMA_VERSION);
}
END_TEST

START_TEST(read_only_open)
{
    io_store *s = NULL;
    rec_run_row info = {.name = "x"};
    int64_t id;
    collected c = {0};

    ck_assert_int_ne(io_store_open_read(path, &s, diag), HS_OK);
    ck_assert_ptr_null(s);
    ck_assert_int_ne(access(path, F_OK), 0); /* nothing created */

    s = open_ok();
    begin_ok(s, "a", NULL);
    io_store_close(s);

    ck_assert_int_eq(io_store_open_read(path, &s, diag), HS_OK);
    ck_assert_str_eq(io_store_path(s), path);
    ck_assert_int_eq(io_store_query(s,
                                    "SELECT run_id, name, variant FROM runs",
                                    NULL, 0, collect, &c, diag),
                     HS_OK);
    ck_assert_int_eq(c.rows, 1);
    ck_assert_int_eq(io_store_begin_run(s, &info, &id, diag), HS_EIO);
    io_store_close(s);
    ck_assert_int_eq(sql_int("SELECT count(*) FROM runs"), 1);
}
END_TEST

Suite *io_store_suite(void)
{
    Suite *s = suite_create("io_store");
    TCase *schema = tcase_create("schema");
    TCase *runs = tcase_create("runs");
    TCase *rows = tcase_create("rows");
    TCase *read = tcase_create("read");

    tcase_add_checked_fixture(schema, setup, teardown);
    tcase_add_test(schema, fresh_file_gets_schema);
    tcase_add_test(schema, non_database_file_is_rejected);
    tcase_add_test(schema, newer_schema_version_is_rejected);
    tcase_add_test(schema, foreign_database_is_rejected);
    tcase_add_test(schema, foreign_application_with_our_version_is_rejected);
    tcase_add_test(schema, unwritable_path_is_an_io_error);
    suite_add_tcase(s, schema);

    tcase_add_checked_fixture(runs, setup, teardown);
    tcase_add_test(runs, two_runs_done_and_failed);
    tcase_add_test(runs, begun_run_is_visible_as_running);
    tcase_add_test(runs, later_runs_never_touch_earlier_ones);
    tcase_add_test(runs, lost_rows_make_a_run_failed_not_done);
    tcase_add_test(runs, status_is_constrained);
    suite_add_tcase(s, runs);

    tcase_add_checked_fixture(rows, setup, teardown);
    tcase_set_timeout(rows, 60);
    tcase_add_test(rows, batches_across_commits_lose_nothing);
    tcase_add_test(rows, small_batches_commit_as_they_go);
    tcase_add_test(rows, oicf_round_trips_exactly);
    suite_add_tcase(s, rows);

    tcase_add_checked_fixture(read, setup, teardown);
    tcase_add_test(read, views_pivot_run_metrics);
    tcase_add_test(read, query_calls_back_per_row);
    tcase_add_test(read, read_only_open);
    suite_add_tcase(s, read);
    return s;
}
