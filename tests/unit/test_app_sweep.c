/*
 * test_app_sweep.c -- sweeps through the app layer (app.h), without the
 * CLI: the points of tests/data/sweep/grid.yaml in their order (grid
 * with the last PATH fastest, then zip, then seeds innermost), their
 * parameters and unique keys (W1, W2); a bad value reported where the
 * sweep file wrote it; a point run through a run log (io_store_open_log)
 * and replayed gives the rows of the same point run straight into a
 * store, REALs bit for bit; a merged file keeps every run; and the keys
 * of stored runs find the points done (--resume).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ck_util.h"
#include "hetsim/app.h"

Suite *app_sweep_suite(void);

#define GRID "tests/data/sweep/grid.yaml"

static char dir[64], path_a[128], path_b[128], path_log[128], path_m[128];
static hs_diag *diag;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/hetsim_sweep_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path_a, sizeof path_a, "%s/a.db", dir);
    snprintf(path_b, sizeof path_b, "%s/b.db", dir);
    snprintf(path_m, sizeof path_m, "%s/m.db", dir);
    snprintf(path_log, sizeof path_log, "%s/p.log", dir);
    diag = hs_diag_new();
}

static void remove_db(const char *p)
{
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    char f[192];

    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(f, sizeof f, "%s%s", p, suffix[i]);
        unlink(f);
    }
}

static void teardown(void)
{
    remove_db(path_a);
    remove_db(path_b);
    remove_db(path_m);
    unlink(path_log);
    rmdir(dir);
    hs_diag_free(diag);
}

/* Every row of 'sql' on file 'db', columns quoted with every digit
 * (quote()), rows joined by '\n' (a new string). */
static char *dump(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK,
                  "%s: %s", sql, sqlite3_errmsg(h));
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *t = sqlite3_column_text(st, c);

            fprintf(f, "%s%s", c > 0 ? "|" : "",
                    t != NULL ? (const char *)t : "NULL");
        }
        fputc('\n', f);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    fclose(f);
    return buf;
}

/* Run point 'i' of 'sw' as a new run of 'store'. */
static int64_t run_point(const app_sweep *sw, size_t i, io_store *store)
{
    app_run_opts o;
    app_run_result r;

    memset(&o, 0, sizeof o);
    ck_assert_int_eq(app_sweep_run(sw, i, store, &o, &r, NULL, NULL, diag),
                     HS_OK);
    return r.run_id;
}

START_TEST(points_in_order)
{
    app_sweep sw;
    const app_sweep_point *p;

    ck_assert_msg(app_sweep_load(GRID, IO_SWEEP_FILE, &sw, diag) == HS_OK,
                  "%s", ck_diag_text(diag));
    ck_assert_uint_eq(sw.n, 16); /* 2 x 2 grid, zip of 2, 2 seeds */
    ck_assert_str_eq(sw.name, "tiny-sweep");
    p = &sw.pt[0];
    ck_assert_uint_eq(p->n_params, 4); /* W1 */
    ck_assert_str_eq(p->params[0].path, "workload.0.synthetic.arrival.rate");
    ck_assert_str_eq(p->params[0].value, "10/s");
    ck_assert_str_eq(p->params[3].path, "cluster.instances.0.max_batch");
    ck_assert_str_eq(p->params[3].value, "32");
    ck_assert(p->has_seed);
    ck_assert_uint_eq(p->seed, 1);
    ck_assert_uint_eq(sw.pt[1].seed, 2);             /* seeds innermost */
    ck_assert_str_eq(sw.pt[2].params[2].value, "2"); /* then the zip */
    ck_assert_str_eq(sw.pt[4].params[1].value, "2"); /* then the last PATH */
    ck_assert_str_eq(sw.pt[8].params[0].value, "40/s");
    ck_assert_str_eq(sw.pt[0].ovr[0].arg,
                     "workload.0.synthetic.arrival.rate=10/s");
    for (size_t i = 0; i < sw.n; i++) /* W2 */
        for (size_t j = i + 1; j < sw.n; j++)
            ck_assert_str_ne(sw.pt[i].key, sw.pt[j].key);
    app_sweep_fini(&sw);
}
END_TEST

START_TEST(bad_value_is_located_in_the_sweep_file)
{
    char bad[128];
    FILE *f;
    app_sweep sw;

    snprintf(bad, sizeof bad, "%s/bad.yaml", dir);
    f = fopen(bad, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "scenario: %s/tests/data/sweep/tiny.yaml\n"
            "grid:\n"
            "  cluster.instances.0.tp: [1, x]\n",
            getcwd(path_b, sizeof path_b));
    fclose(f);
    ck_assert_int_eq(app_sweep_load(bad, IO_SWEEP_FILE, &sw, diag), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(ck_diag_text(diag),
                                 "bad.yaml:3:31: error: "
                                 "cluster.instances.0.tp: expected an "
                                 "integer"));
    ck_assert_uint_eq(sw.n, 0);
    unlink(bad);
    snprintf(path_b, sizeof path_b, "%s/b.db", dir);
}
END_TEST

/* The log at path_log cut in the middle of its last record (a worker
 * killed while writing) is refused as a whole, "cut short". */
static void check_cut_log_refused(void)
{
    struct stat st;
    char cut[512];
    io_store *c = NULL;
    int64_t last = -1;

    ck_assert_int_eq(stat(path_log, &st), 0);
    ck_assert_int_gt(st.st_size, 16);
    ck_assert_int_eq(truncate(path_log, st.st_size - 5), 0);
    snprintf(cut, sizeof cut, "%s/cut.db", dir);
    ck_assert_int_eq(io_store_open(cut, &c, diag), HS_OK);
    ck_assert_int_eq(io_store_replay(c, path_log, &last, diag), HS_EINPUT);
    ck_assert(strstr(ck_diag_text(diag), "cut short") != NULL);
    io_store_close(c);
    unlink(cut);
}

/* Point 5 straight into a.db; through a run log replayed into b.db:
 * every row but the process's own fields equal. */
START_TEST(a_replayed_log_gives_the_same_rows)
{
    static const char *const q[] = {
        "SELECT name, variant, scenario_yaml, seed, sim_s, events, status "
        "FROM runs",
        "SELECT request_id, quote(ttft_s), quote(tpot_s), quote(e2e_s), "
        "status FROM requests ORDER BY rowid",
        "SELECT scope, name, quote(value) FROM metrics ORDER BY rowid",
        "SELECT instance, quote(start_s), quote(end_s) FROM steps ORDER BY "
        "rowid",
        "SELECT path, value FROM sweep_points ORDER BY rowid",
    };
    app_sweep sw;
    io_store *a = NULL, *b = NULL, *lg = NULL;
    int64_t last = -1;

    ck_assert_int_eq(app_sweep_load(GRID, IO_SWEEP_FILE, &sw, diag), HS_OK);
    ck_assert_int_eq(io_store_open(path_a, &a, diag), HS_OK);
    ck_assert_int_eq(run_point(&sw, 5, a), 1);
    io_store_close(a);
    ck_assert_int_eq(io_store_open_log(path_log, &lg, diag), HS_OK);
    ck_assert_int_eq(run_point(&sw, 5, lg), 1);
    ck_assert_int_eq(io_store_query(lg, "SELECT 1", NULL, 0, NULL, NULL, NULL),
                     HS_EIO); /* a log cannot be read */
    io_store_close(lg);
    ck_assert_int_eq(io_store_open(path_b, &b, diag), HS_OK);
    ck_assert_msg(io_store_replay(b, path_log, &last, diag) == HS_OK, "%s",
                  ck_diag_text(diag));
    ck_assert_int_eq(last, 1);
    io_store_close(b);
    check_cut_log_refused();
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        char *x = dump(path_a, q[i]), *y = dump(path_b, q[i]);

        ck_assert_msg(strlen(x) > 0, "%s: no rows", q[i]);
        ck_assert_str_eq(x, y);
        free(x);
        free(y);
    }
    app_sweep_fini(&sw);
}
END_TEST

/* Two files merged: runs renumbered, every row kept, a duplicate point
 * reported; the keys find the points done. */
START_TEST(merge_and_resume_keys)
{
    app_sweep sw;
    io_store *a = NULL, *m = NULL;
    app_merge_stats st = {0, 0, -1};
    hs_diag *dup = hs_diag_new();
    bool done[16];

    ck_assert_int_eq(app_sweep_load(GRID, IO_SWEEP_FILE, &sw, diag), HS_OK);
    ck_assert_int_eq(io_store_open(path_a, &a, diag), HS_OK);
    run_point(&sw, 0, a);
    run_point(&sw, 3, a);
    io_store_close(a);
    ck_assert_int_eq(io_store_open(path_m, &m, diag), HS_OK);
    ck_assert_int_eq(app_merge_file(m, path_a, -1, &st, dup, diag), HS_OK);
    ck_assert_uint_eq(st.runs, 2);
    ck_assert_uint_eq(st.duplicates, 0);
    ck_assert_int_eq(app_merge_file(m, path_a, -1, &st, dup, diag), HS_OK);
    ck_assert_uint_eq(st.runs, 4);
    ck_assert_uint_eq(st.duplicates, 2);
    ck_assert_int_eq(st.last_run, 4);
    ck_assert_ptr_nonnull(strstr(ck_diag_text(dup), "run 2 is a duplicate "
                                                    "point: run 2 of the "
                                                    "output"));
    ck_assert_int_eq(app_sweep_done(m, &sw, done, diag), HS_OK);
    for (size_t i = 0; i < 16; i++)
        ck_assert_int_eq(done[i], i == 0 || i == 3);
    io_store_close(m);
    {
        char *x = dump(path_a, "SELECT count(*) FROM requests");
        char *y = dump(path_m, "SELECT count(*) FROM requests");

        ck_assert_int_eq(2 * atoi(x), atoi(y));
        free(x);
        free(y);
    }
    hs_diag_free(dup);
    app_sweep_fini(&sw);
}
END_TEST

Suite *app_sweep_suite(void)
{
    Suite *s = suite_create("app_sweep");
    TCase *tc = tcase_create("sweep");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, points_in_order);
    tcase_add_test(tc, bad_value_is_located_in_the_sweep_file);
    tcase_add_test(tc, a_replayed_log_gives_the_same_rows);
    tcase_add_test(tc, merge_and_resume_keys);
    suite_add_tcase(s, tc);
    return s;
}
