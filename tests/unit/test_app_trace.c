/*
 * test_app_trace.c -- the trace-event JSON and the plot scripts of a run
 * (include/hetsim/app_plot.h), without the CLI or gnuplot: a three-
 * request trace on one H100 serving Llama-3-8B (every step written) run
 * into a real SQLite file, its trace parsed back with jansson and its
 * slices counted against the rows of the store (steps, requests and
 * their phases, counters), a window and an event limit that still give
 * valid JSON, and every plot kind's script built with its data.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ck_util.h"
#include "hetsim/app.h"
#include "hetsim/app_plot.h"

Suite *app_trace_suite(void);

static char dir[64], scen[128], trace[128], db[128], out[128];
static hs_diag *diag;

static const char scenario_text[] =
    "name: trace-test\n"
    "seed: 3\n"
    "model: llama-3-8b\n"
    "hardware:\n"
    "  h100: {catalog: h100-sxm}\n"
    "cluster:\n"
    "  instances: [{name: mono, device: h100, count: 1, tp: 1, max_batch: "
    "8}]\n"
    "workload:\n"
    "  - {name: t, trace: {format: hetsim, path: trace.csv}}\n"
    "slo: {ttft_p90: 2s}\n"
    "output: {steps: all, timeseries_interval: 100ms}\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Run the scenario once into 'db'. */
static void run_it(void)
{
    app_plan_opts po = {scen, NULL, 0, NULL};
    app_plan p = {0};
    app_run_opts ro;
    io_store *s = NULL;
    app_runner *r;
    app_run_result res;

    memset(&ro, 0, sizeof ro);
    ck_assert_msg(app_plan_load(&po, &p, diag) == HS_OK, "%s",
                  ck_diag_text(diag));
    ck_assert_int_eq(app_store_open(db, &s, diag), HS_OK);
    r = app_runner_new(s, &ro);
    ck_assert_msg(app_runner_run(r, p.sc[0], &res, diag) == HS_OK, "%s",
                  ck_diag_text(diag));
    app_runner_free(r);
    io_store_close(s);
    app_plan_fini(&p);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/hetsim_trace_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(scen, sizeof scen, "%s/s.yaml", dir);
    snprintf(trace, sizeof trace, "%s/trace.csv", dir);
    snprintf(db, sizeof db, "%s/r.db", dir);
    snprintf(out, sizeof out, "%s/trace.json", dir);
    write_file(scen, scenario_text);
    write_file(trace, "arrival_s,prompt_tokens,output_tokens\n"
                      "0.0,100,10\n0.5,200,20\n1.0,300,1\n");
    diag = hs_diag_new();
    run_it();
}

static void teardown(void)
{
    const char *suffix[] = {"", "-wal", "-shm"};
    char p[192];

    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        snprintf(p, sizeof p, "%s%s", db, suffix[i]);
        unlink(p);
    }
    unlink(scen);
    unlink(trace);
    unlink(out);
    rmdir(dir);
    hs_diag_free(diag);
}

static int count_row(void *ctx, const io_row *row)
{
    *(long long *)ctx = strtoll(row->values[0], NULL, 10);
    return 0;
}

/* The count 'sql' gives on the store. */
static long long sql_count(const char *sql)
{
    io_store *s = NULL;
    long long n = -1;

    ck_assert_int_eq(io_store_open_read(db, &s, diag), HS_OK);
    ck_assert_int_eq(io_store_query(s, sql, NULL, 0, count_row, &n, diag),
                     HS_OK);
    io_store_close(s);
    return n;
}

/* Write the trace of run 1 with 'o' to 'out'; its counts in '*n'. */
static void write_trace(const app_trace_opts *o, app_trace_counts *n)
{
    io_store *s = NULL;
    FILE *f = fopen(out, "w");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(io_store_open_read(db, &s, diag), HS_OK);
    ck_assert_msg(app_trace_write(s, o, f, n, diag) == HS_OK, "%s",
                  ck_diag_text(diag));
    io_store_close(s);
    fclose(f);
}

/* Events of the parsed trace 'root' with phase 'ph' (and name 'name'
 * when not NULL). */
static long long count_events(json_t *root, const char *ph, const char *name)
{
    json_t *evs = json_object_get(root, "traceEvents"), *ev;
    size_t i;
    long long n = 0;

    ck_assert(json_is_array(evs));
    json_array_foreach(evs, i, ev)
    {
        const char *p = json_string_value(json_object_get(ev, "ph"));
        const char *nm = json_string_value(json_object_get(ev, "name"));

        ck_assert_ptr_nonnull(p);
        n += strcmp(p, ph) == 0 && (name == NULL || strcmp(nm, name) == 0);
    }
    return n;
}

static json_t *parse(void)
{
    json_error_t err;
    json_t *root = json_load_file(out, 0, &err);

    ck_assert_msg(root != NULL, "line %d: %s", err.line, err.text);
    return root;
}

START_TEST(trace_slices_match_the_rows)
{
    app_trace_opts o = {1, -INFINITY, INFINITY, 0};
    app_trace_counts n;
    json_t *root;

    write_trace(&o, &n);
    root = parse();
    /* every steps row a complete slice; 3 prefills + 9 + 19 decodes */
    ck_assert_int_eq(sql_count("SELECT count(*) FROM steps"), 31);
    ck_assert_int_eq(count_events(root, "X", NULL), 31);
    ck_assert_int_eq(n.steps, 31);
    /* a request slice per request, each with its queued, prefill and
     * decode parts (no transfer in monolithic mode) */
    ck_assert_int_eq(count_events(root, "b", "request"), 3);
    ck_assert_int_eq(count_events(root, "e", "request"), 3);
    ck_assert_int_eq(count_events(root, "b", "queued"), 3);
    ck_assert_int_eq(count_events(root, "b", "prefill"), 3);
    ck_assert_int_eq(count_events(root, "b", "decode"), 3);
    ck_assert_int_eq(count_events(root, "b", "transfer"), 0);
    /* three counters per timeseries row */
    ck_assert_int_eq(count_events(root, "C", NULL),
                     3 * sql_count("SELECT count(*) FROM timeseries"));
    ck_assert_int_eq(count_events(root, "M", "process_name"), 2);
    ck_assert(!n.truncated);
    json_decref(root);
}
END_TEST

START_TEST(a_window_and_a_limit_keep_valid_json)
{
    app_trace_opts o = {1, 0.6, 0.8, 0};
    app_trace_counts n;
    json_t *root;

    write_trace(&o, &n);
    root = parse();
    ck_assert_int_eq(count_events(root, "X", NULL),
                     sql_count("SELECT count(*) FROM steps WHERE end_s >= "
                               "0.6 AND start_s <= 0.8"));
    json_decref(root);
    o.from_s = -INFINITY;
    o.to_s = INFINITY;
    o.max_events = 10;
    write_trace(&o, &n);
    root = parse();
    ck_assert(n.truncated);
    ck_assert_int_eq(json_array_size(json_object_get(root, "traceEvents")),
                     10);
    json_decref(root);
}
END_TEST

START_TEST(an_unknown_run_is_refused)
{
    app_trace_opts o = {42, -INFINITY, INFINITY, 0};
    app_trace_counts n;
    io_store *s = NULL;
    FILE *f = fopen(out, "w");

    ck_assert_int_eq(io_store_open_read(db, &s, diag), HS_OK);
    ck_assert_int_eq(app_trace_write(s, &o, f, &n, diag), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(ck_diag_text(diag), "no run 42"));
    io_store_close(s);
    fclose(f);
}
END_TEST

START_TEST(every_plot_kind_builds)
{
    io_store *s = NULL;

    ck_assert_int_eq(io_store_open_read(db, &s, diag), HS_OK);
    for (int k = 0; k < APP_PLOT_N_KINDS; k++) {
        app_plot_opts o;
        app_plot p;

        memset(&o, 0, sizeof o);
        o.kind = (app_plot_kind)k;
        o.terminal = "svg";
        o.output = "x.svg";
        o.width = 1280;
        o.height = 800;
        ck_assert_msg(app_plot_build(s, &o, &p, diag) == HS_OK, "%s: %s",
                      app_plot_kind_name(o.kind), ck_diag_text(diag));
        /* the title names the model, the hardware and the run */
        ck_assert_msg(strstr(p.script, "llama-3-8b on 1× h100\\nrun 1 "
                                       "trace-test") != NULL,
                      "%s", p.script);
        ck_assert_ptr_nonnull(strstr(p.script, "set output \"x.svg\""));
        ck_assert_uint_gt(p.n_data, 0);
        app_plot_fini(&p);
    }
    io_store_close(s);
}
END_TEST

START_TEST(plot_options_are_checked)
{
    io_store *s = NULL;
    app_plot_opts o;
    app_plot p;

    memset(&o, 0, sizeof o);
    o.terminal = "pngcairo";
    o.output = "x.png";
    ck_assert_int_eq(io_store_open_read(db, &s, diag), HS_OK);
    o.kind = APP_PLOT_SWEEP;
    o.y = "no_such_metric";
    ck_assert_int_eq(app_plot_build(s, &o, &p, diag), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(ck_diag_text(diag), "unknown metric"));
    o.y = NULL;
    o.x = "cluster.instances.0.count"; /* no sweep points */
    ck_assert_int_eq(app_plot_build(s, &o, &p, diag), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(ck_diag_text(diag), "hetsim sweep"));
    io_store_close(s);
}
END_TEST

Suite *app_trace_suite(void)
{
    Suite *s = suite_create("app_trace");
    TCase *t = tcase_create("trace");

    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, trace_slices_match_the_rows);
    tcase_add_test(t, a_window_and_a_limit_keep_valid_json);
    tcase_add_test(t, an_unknown_run_is_refused);
    tcase_add_test(t, every_plot_kind_builds);
    tcase_add_test(t, plot_options_are_checked);
    suite_add_tcase(s, t);
    return s;
}
