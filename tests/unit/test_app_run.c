/*
 * test_app_run.c -- a scenario run end to end through the app layer
 * (include/hetsim/app.h), without the CLI: planned with a variant and an
 * override, checked, run into a real SQLite file under a directory the
 * store creates, and read back, with the rows checked value by value;
 * a stopped runner (and its runs.message), a run that fails mid-run (no
 * rows left), the progress calls, tagged variant problems, the results
 * path rules and reading runs back for reports.
 *
 * The scenario replays a three-request trace (arrivals 0, 0.5 and 1 s;
 * 100/10, 200/20 and 300/1 prompt/output tokens) on one H100 serving
 * Llama-3-8B, so counts and sizes are known exactly: 31 steps (3
 * prefills, 9 + 19 decodes), 16 of them written when sampling every 2nd.
 */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ck_util.h"
#include "hetsim/app.h"

Suite *app_run_suite(void);

static char dir[64];
static char scen[128], bad[128], trace[128], sub[128], db[160];
static hs_diag *diag;

static const char scenario_text[] =
    "name: app-test\n"
    "seed: 3\n"
    "model: llama-3-8b\n"
    "hardware:\n"
    "  h100: {catalog: h100-sxm}\n"
    "cluster:\n"
    "  instances: [{name: mono, device: h100, count: 1, tp: 1, max_batch: "
    "8}]\n"
    "workload:\n"
    "  - {name: t, trace: {format: hetsim, path: trace.csv}}\n"
    "variants:\n"
    "  - {name: two, set: {cluster.instances.0.count: 2}}\n"
    "output: {steps: sampled, step_sample_every: 2}\n";

/* The same with a second variant that does not validate. */
static const char bad_text[] =
    "name: app-bad\n"
    "model: llama-3-8b\n"
    "hardware: {h100: {catalog: h100-sxm}}\n"
    "cluster: {instances: [{name: mono, device: h100}]}\n"
    "workload: [{name: t, trace: {format: hetsim, path: trace.csv}}]\n"
    "variants:\n"
    "  - {name: two, set: {cluster.instances.0.count: 2}}\n"
    "  - {name: bad, set: {cluster.instances.0.count: x}}\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/hetsim_app_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(scen, sizeof scen, "%s/s.yaml", dir);
    snprintf(bad, sizeof bad, "%s/bad.yaml", dir);
    snprintf(trace, sizeof trace, "%s/trace.csv", dir);
    snprintf(sub, sizeof sub, "%s/out", dir);
    snprintf(db, sizeof db, "%s/results.db", sub);
    write_file(scen, scenario_text);
    write_file(bad, bad_text);
    write_file(trace, "arrival_s,prompt_tokens,output_tokens\n"
                      "0.0,100,10\n0.5,200,20\n1.0,300,1\n");
    diag = hs_diag_new();
}

static void teardown(void)
{
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[192];

    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(p, sizeof p, "%s%s", db, suffix[i]);
        unlink(p);
    }
    rmdir(sub);
    unlink(scen);
    unlink(bad);
    unlink(trace);
    rmdir(dir);
    hs_diag_free(diag);
}

/* ---- helpers ------------------------------------------------------------ */

static const char *all_diag(void)
{
    return ck_diag_text(diag);
}

/* The rows of 'sql' on the results file, as text: columns joined by '|',
 * rows by '\n', SQL NULL as "NULL". */
static const char *rows(const char *sql)
{
    static char buf[4096];
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;

    buf[0] = '\0';
    ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK,
                  "%s: %s", sql, sqlite3_errmsg(h));
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *t = sqlite3_column_text(st, c);

            if (c > 0)
                strncat(buf, "|", sizeof buf - strlen(buf) - 1);
            strncat(buf, t != NULL ? (const char *)t : "NULL",
                    sizeof buf - strlen(buf) - 1);
        }
        strncat(buf, "\n", sizeof buf - strlen(buf) - 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return buf;
}

static const io_override seed5[] = {{"seed=5"}};

/* Plan the scenario (base and variant 'two', seed overridden to 5). */
static void plan_ok(app_plan *p)
{
    app_plan_opts o = {scen, seed5, 1, NULL};

    memset(p, 0, sizeof *p);
    ck_assert_msg(app_plan_load(&o, p, diag) == HS_OK, "%s", all_diag());
    ck_assert(app_plan_check(p, NULL));
}

static app_run_opts run_opts(void)
{
    app_run_opts o;

    memset(&o, 0, sizeof o);
    o.scenario_path = scen;
    o.ovr = seed5;
    o.n_ovr = 1;
    return o;
}

static io_store *open_store(void)
{
    io_store *s = NULL;

    ck_assert_msg(app_store_open(db, &s, diag) == HS_OK, "%s", all_diag());
    return s;
}

/* ---- a plan run end to end ---------------------------------------------- */

START_TEST(plan_and_run_into_a_results_file)
{
    app_plan p;
    app_run_opts o = run_opts();
    app_runner *r;
    io_store *s;
    int64_t ids[2];
    char *yaml;

    plan_ok(&p);
    ck_assert_uint_eq(p.n, 2);
    ck_assert_ptr_null(p.sc[0]->variant);
    ck_assert_str_eq(p.sc[1]->variant, "two");
    for (size_t i = 0; i < p.n; i++)
        ck_assert_int_eq(app_run_validate(p.sc[i], &o, diag), HS_OK);
    s = open_store(); /* creates the missing directory 'out' */
    r = app_runner_new(s, &o);
    for (size_t i = 0; i < p.n; i++) {
        app_run_result res;

        ck_assert_msg(app_runner_run(r, p.sc[i], &res, diag) == HS_OK, "%s",
                      all_diag());
        ck_assert_int_eq(res.run_id, (int64_t)i + 1);
        ck_assert_int_eq(res.sum.arrived, 3);
        ck_assert_int_eq(res.sum.done, 3);
        ids[i] = res.run_id;
    }
    ck_assert(!app_runner_stopped(r));
    app_runner_free(r);
    io_store_close(s);
    ck_assert_int_eq(ids[1], 2);

    /* runs: the override is the seed, stored after the text. */
    ck_assert_str_eq(rows("SELECT run_id, name, variant, seed, status, "
                          "events > 0, sim_s > 1.0, wall_s >= 0 FROM runs"),
                     "1|app-test|NULL|5|done|1|1|1\n"
                     "2|app-test|two|5|done|1|1|1\n");
    yaml = hs_asprintf("%s# hetsim run overrides:\n#   --set seed=5\n\n",
                       scenario_text);
    ck_assert_str_eq(rows("SELECT scenario_yaml FROM runs WHERE run_id = 1"),
                     yaml);
    free(yaml);

    /* requests: one row each, decode instance NULL (same as prefill). */
    ck_assert_str_eq(
        rows("SELECT request_id, source, session_id, turn, arrival_s, "
             "prompt_tokens, cached_tokens, output_tokens, prefill_instance, "
             "decode_instance, tpot_s IS NULL, kv_transfer_s, queue_s, "
             "preemptions, status FROM requests WHERE run_id = 1 "
             "ORDER BY request_id"),
        "0|t|NULL|NULL|0.0|100|0|10|mono|NULL|0|0.0|0.0|0|done\n"
        "1|t|NULL|NULL|0.5|200|0|20|mono|NULL|0|0.0|0.0|0|done\n"
        "2|t|NULL|NULL|1.0|300|0|1|mono|NULL|1|0.0|0.0|0|done\n");
    ck_assert_str_eq(rows("SELECT count(*) FROM requests WHERE run_id = 1 "
                          "AND abs(ttft_s - (first_token_s - arrival_s)) "
                          "< 1e-12 AND e2e_s = finish_s - arrival_s"),
                     "3\n");
    ck_assert_str_eq(rows("SELECT prefill_instance FROM requests WHERE "
                          "run_id = 2 AND request_id = 0"),
                     "mono.0\n");

    /* steps: 31 per run, every 2nd written, the first a 100-token
     * prefill at time 0. */
    ck_assert_str_eq(rows("SELECT run_id, count(*) FROM steps GROUP BY "
                          "run_id"),
                     "1|16\n2|16\n");
    ck_assert_str_eq(rows("SELECT instance, start_s, phase, batch_size, "
                          "prefill_tokens, decode_tokens FROM steps WHERE "
                          "run_id = 1 ORDER BY start_s LIMIT 1"),
                     "mono|0.0|prefill|1|100|0\n");

    /* instances and metrics. */
    ck_assert_str_eq(rows("SELECT run_id, instance, role, device, count, tp "
                          "FROM instances ORDER BY run_id, instance"),
                     "1|mono|monolithic|h100|1|1\n"
                     "2|mono.0|monolithic|h100|1|1\n"
                     "2|mono.1|monolithic|h100|1|1\n");
    ck_assert_str_eq(
        rows("SELECT name, value FROM metrics WHERE run_id = 1 AND scope = "
             "'run' AND name IN ('requests_arrived', 'requests_done', "
             "'input_tokens', 'output_tokens', 'preemptions') ORDER BY name"),
        "input_tokens|600.0\noutput_tokens|31.0\npreemptions|0.0\n"
        "requests_arrived|3.0\nrequests_done|3.0\n");
    ck_assert_str_eq(rows("SELECT value FROM metrics WHERE run_id = 1 AND "
                          "scope = 'mono' AND name = 'steps'"),
                     "31.0\n");
    app_plan_fini(&p);
}
END_TEST

START_TEST(a_stopped_runner_records_interrupted)
{
    app_plan p;
    app_run_opts o = run_opts();
    app_run_result res;
    app_runner *r;
    io_store *s;

    plan_ok(&p);
    s = open_store();
    r = app_runner_new(s, &o);
    app_runner_stop(r); /* as a signal handler would, before the run */
    ck_assert(app_runner_stopped(r));
    ck_assert_int_eq(app_runner_run(r, p.sc[0], &res, diag), HS_EINTR);
    ck_assert_int_eq(res.run_id, 1);
    ck_assert_int_lt(res.sum.done, 3);
    app_runner_free(r);
    io_store_close(s);
    ck_assert_str_eq(rows("SELECT status FROM runs"), "interrupted\n");
    ck_assert_str_eq(rows("SELECT message FROM runs"),
                     "interrupted at t=0 s (simulated); the rows written "
                     "until then are kept\n");
    /* Every request that arrived has its row, finished or not. */
    ck_assert_str_eq(rows("SELECT (SELECT count(*) FROM requests) = value "
                          "FROM metrics WHERE name = 'requests_arrived' "
                          "AND scope = 'run'"),
                     "1\n");
    app_plan_fini(&p);
}
END_TEST

/* Stopped by a signal: the message names it. */
START_TEST(a_signal_is_named_in_the_message)
{
    app_plan p;
    app_run_opts o = run_opts();
    app_run_result res;
    app_runner *r;
    io_store *s;

    plan_ok(&p);
    s = open_store();
    r = app_runner_new(s, &o);
    app_runner_stop_by(r, SIGTERM);
    ck_assert_int_eq(app_runner_run(r, p.sc[0], &res, diag), HS_EINTR);
    app_runner_free(r);
    io_store_close(s);
    ck_assert_str_eq(rows("SELECT status, message FROM runs"),
                     "interrupted|interrupted by SIGTERM at t=0 s "
                     "(simulated); the rows written until then are kept\n");
    app_plan_fini(&p);
}
END_TEST

/* A trace that turns bad after the plan was checked (changed on disk):
 * checking the runs again finds the row; running it anyway fails
 * mid-run, and the run keeps no row but its runs row, whose message is
 * the located error (issue 17). */
START_TEST(a_failed_run_keeps_no_rows)
{
    static const char want[] =
        "column 'prompt_tokens': expected a non-negative integer, found 'x'";
    app_plan p;
    app_run_opts o = run_opts();
    app_run_result res;
    app_runner *r;
    io_store *s;
    char *msg;

    plan_ok(&p);
    write_file(trace, "arrival_s,prompt_tokens,output_tokens\n"
                      "0.0,100,10\n0.5,200,20\n1.0,x,1\n");
    ck_assert_int_eq(app_plan_check_runs(&p, &o, diag), HS_EINPUT);
    msg = hs_asprintf("%s:4:5: error: %s", trace, want);
    ck_assert_str_eq(hs_diag_message(diag, 0), msg);
    hs_diag_clear(diag);
    s = open_store();
    r = app_runner_new(s, &o);
    ck_assert_int_eq(app_runner_run(r, p.sc[0], &res, diag), HS_EINPUT);
    ck_assert_int_eq(res.run_id, 1);
    app_runner_free(r);
    io_store_close(s);
    free(msg);
    msg = hs_asprintf("failed|%s:4:5: error: %s\n", trace, want);
    ck_assert_str_eq(rows("SELECT status, message FROM runs"), msg);
    ck_assert_str_eq(rows("SELECT (SELECT count(*) FROM requests) + "
                          "(SELECT count(*) FROM steps) + "
                          "(SELECT count(*) FROM instances) + "
                          "(SELECT count(*) FROM metrics) + "
                          "(SELECT count(*) FROM timeseries)"),
                     "0\n");
    free(msg);
    app_plan_fini(&p);
}
END_TEST

/* Progress calls seen: how many, how many final, the last one. */
typedef struct seen_progress {
    int calls, finals;
    app_progress last;
} seen_progress;

static void on_progress(void *ctx, const app_progress *p)
{
    seen_progress *sp = ctx;

    ck_assert_int_eq(sp->finals, 0); /* the final call is the last */
    sp->calls++;
    sp->finals += p->final;
    sp->last = *p;
}

START_TEST(progress_ends_with_one_final_call)
{
    app_plan p;
    app_run_opts o = run_opts();
    seen_progress sp = {0, 0, {0}};
    app_run_result res;
    app_runner *r;
    io_store *s;

    plan_ok(&p);
    o.progress = on_progress;
    o.progress_ctx = &sp;
    o.progress_every_s = 0.25;
    s = open_store();
    r = app_runner_new(s, &o);
    ck_assert_int_eq(app_runner_run(r, p.sc[0], &res, diag), HS_OK);
    ck_assert_int_gt(sp.calls, 2);
    ck_assert_int_eq(sp.finals, 1);
    ck_assert_ptr_eq(sp.last.sc, p.sc[0]);
    ck_assert_int_eq(sp.last.done, 3);
    ck_assert_int_eq(sp.last.arrived, 3);
    ck_assert(sp.last.sim_s == res.sum.sim_s);
    app_runner_free(r);
    io_store_close(s);
    app_plan_fini(&p);
}
END_TEST

/* ---- plans -------------------------------------------------------------- */

START_TEST(variant_problems_are_tagged)
{
    app_plan_opts o = {bad, NULL, 0, NULL};
    app_plan p = {0};
    char *want = hs_asprintf("%s:", bad);

    ck_assert_int_eq(app_plan_load(&o, &p, diag), HS_EINPUT);
    ck_assert_uint_eq(p.n, 0); /* P3 */
    ck_assert(app_plan_check(&p, NULL));
    ck_assert_uint_eq(hs_diag_count(diag), 0);
    ck_assert_uint_eq(hs_diag_count(p.extra), 1);
    ck_assert_str_eq(hs_diag_item_at(p.extra, 0)->context, "variant 'bad'");
    ck_assert_str_eq(hs_diag_item_at(p.extra, 0)->loc.file, bad);
    ck_assert_msg(
        strncmp(hs_diag_message(p.extra, 0), want, strlen(want)) == 0 &&
            strstr(hs_diag_message(p.extra, 0), ": error: variant 'bad': ") !=
                NULL,
        "%s", hs_diag_message(p.extra, 0));
    app_plan_fini(&p);

    /* The same with 'hetsim check''s rules. */
    ck_assert_int_eq(app_plan_validate(&o, &p, diag), HS_EINPUT);
    ck_assert_uint_eq(hs_diag_count(p.extra), 1);
    app_plan_fini(&p);

    /* Asked for by name, the variant's problem is not tagged. */
    o.variant = "bad";
    ck_assert_int_eq(app_plan_load(&o, &p, diag), HS_EINPUT);
    ck_assert_uint_eq(hs_diag_count(p.extra), 0);
    ck_assert_uint_eq(hs_diag_count(diag), 1);
    ck_assert_ptr_null(strstr(hs_diag_message(diag, 0), "variant 'bad'"));
    app_plan_fini(&p);
    free(want);
}
END_TEST

START_TEST(results_path_rules)
{
    app_plan p;
    char *path;

    plan_ok(&p);
    path = app_plan_db_path(&p, NULL);
    ck_assert_str_eq(path, "results/app-test.db");
    free(path);
    path = app_plan_db_path(&p, "x/y.db");
    ck_assert_str_eq(path, "x/y.db");
    free(path);
    app_plan_fini(&p);
    ck_assert_int_eq(
        app_plan_validate(&(app_plan_opts){scen, NULL, 0, NULL}, &p, diag),
        HS_OK);
    app_plan_fini(&p);
}
END_TEST

/* ---- reading runs back -------------------------------------------------- */

START_TEST(runs_read_back_for_reports)
{
    app_plan p;
    app_run_opts o = run_opts();
    app_runs set = {0};
    app_runner *r;
    io_store *s;
    int64_t id;

    plan_ok(&p);
    s = open_store();
    r = app_runner_new(s, &o);
    for (size_t i = 0; i < p.n; i++) {
        app_run_result res;

        ck_assert_int_eq(app_runner_run(r, p.sc[i], &res, diag), HS_OK);
    }
    app_runner_free(r);
    ck_assert_int_eq(app_runs_find(s, "app-test/two", &id, diag), HS_OK);
    ck_assert_int_eq(id, 2);
    ck_assert_int_eq(app_runs_find(s, "app-test", &id, diag), HS_OK);
    ck_assert_int_eq(id, 1);
    ck_assert_int_eq(app_runs_find(s, "7", &id, diag), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(all_diag(), "no run '7'"));
    ck_assert_int_eq(app_runs_load(s, NULL, 0, &set, diag), HS_OK);
    ck_assert_uint_eq(set.n, 2);
    ck_assert_str_eq(set.runs[1].col[REC_C_runs_variant], "two");
    ck_assert_str_eq(set.runs[1].col[REC_C_runs_seed], "5");
    ck_assert_str_eq(set.runs[0].col[REC_C_runs_status], "done");
    ck_assert_ptr_null(set.runs[0].col[REC_C_runs_variant]);
    ck_assert(set.runs[0].has_metric[REC_M_requests_done]);
    ck_assert(set.runs[0].metric[REC_M_requests_done] == 3);
    ck_assert(set.runs[0].metric[REC_M_output_tokens] == 31);
    ck_assert(!set.runs[0].has_metric[REC_M_session_mean_s]); /* NULL */
    app_runs_fini(&set);
    io_store_close(s);
    app_plan_fini(&p);
}
END_TEST

Suite *app_run_suite(void)
{
    Suite *s = suite_create("app_run");
    TCase *run = tcase_create("run");
    TCase *plan = tcase_create("plan");

    tcase_add_checked_fixture(run, setup, teardown);
    tcase_set_timeout(run, 60);
    tcase_add_test(run, plan_and_run_into_a_results_file);
    tcase_add_test(run, a_stopped_runner_records_interrupted);
    tcase_add_test(run, a_signal_is_named_in_the_message);
    tcase_add_test(run, a_failed_run_keeps_no_rows);
    tcase_add_test(run, progress_ends_with_one_final_call);
    tcase_add_test(run, runs_read_back_for_reports);
    suite_add_tcase(s, run);
    tcase_add_checked_fixture(plan, setup, teardown);
    tcase_add_test(plan, variant_problems_are_tagged);
    tcase_add_test(plan, results_path_rules);
    suite_add_tcase(s, plan);
    return s;
}
