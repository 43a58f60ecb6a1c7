/*
 * test_srv_stats.c -- the run's statistics (sim/serve/srv_stats.c)
 * against hand-computable cases: exact nearest-rank percentiles, SLOs
 * that count dropped requests as misses and honour the percentile of
 * their key, and the measurement window (requests counted by arrival,
 * busy time, energy and cost clipped to it).  The percentiles against a
 * SQL query over the requests rows, and metrics that no output setting
 * moves, are tests/cli/t_stats.sh.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ck_util.h"
#include "hetsim/io.h"
#include "hetsim/serve.h"

Suite *srv_stats_suite(void);

/* ---- an in-memory sink: requests and metrics ------------------------------ */

typedef struct metric {
    char scope[64], name[64];
    double value;
} metric;

typedef struct rows {
    srv_request_rec *req;
    size_t n_req, cap_req;
    metric *m;
    size_t n_m, cap_m;
} rows;

static int on_request(void *ctx, const srv_request_rec *r)
{
    rows *w = ctx;

    hs_grow((void **)&w->req, &w->cap_req, w->n_req + 1, sizeof *w->req);
    w->req[w->n_req] = *r;
    w->req[w->n_req].source = NULL; /* borrowed strings: not kept */
    w->req[w->n_req].prefill_instance = NULL;
    w->req[w->n_req].decode_instance = NULL;
    w->n_req++;
    return 0;
}

static int on_metric(void *ctx, const char *scope, const char *name,
                     double value)
{
    rows *w = ctx;
    metric *m;

    hs_grow((void **)&w->m, &w->cap_m, w->n_m + 1, sizeof *w->m);
    m = &w->m[w->n_m++];
    snprintf(m->scope, sizeof m->scope, "%s", scope);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->value = value;
    return 0;
}

/* Metric 'name' of scope 'scope'; fails the test when absent. */
static double get(const rows *w, const char *scope, const char *name)
{
    for (size_t i = 0; i < w->n_m; i++)
        if (strcmp(w->m[i].scope, scope) == 0 &&
            strcmp(w->m[i].name, name) == 0)
            return w->m[i].value;
    ck_abort_msg("no metric %s/%s", scope, name);
    return 0;
}

static void rows_free(rows *w)
{
    free(w->req);
    free(w->m);
    memset(w, 0, sizeof *w);
}

/* Load 'yaml' with the --set overrides 'set' (NULL-terminated; catalogs
 * from configs/), run it into 'w', free it. */
static void run(const char *yaml, const char *const *set, rows *w,
                srv_summary *sum)
{
    io_scenario_opts o = {0};
    io_override ovr[8];
    srv_sink sink = {.ctx = w, .request = on_request, .metric = on_metric};
    srv_options opt = {0};
    sc_scenario *sc = NULL;
    srv_sim *s = NULL;
    hs_diag *d = hs_diag_new();

    while (set != NULL && set[o.n_ovr] != NULL) {
        ovr[o.n_ovr].arg = set[o.n_ovr];
        o.n_ovr++;
    }
    o.text = yaml;
    o.catalog_dir = "configs";
    o.ovr = ovr;
    ck_assert_msg(io_scenario_load_opts("test.yaml", &o, &sc, d) == HS_OK,
                  "%s", ck_diag_text(d));
    opt.seed = sc->seed;
    opt.check_invariants = true;
    ck_assert_msg(srv_sim_new(sc, &opt, &sink, &s, d) == HS_OK &&
                      srv_sim_run(s, d) == HS_OK,
                  "%s", ck_diag_text(d));
    srv_sim_summary(s, sum);
    srv_sim_free(s);
    sc_scenario_free(sc);
    hs_diag_free(d);
}

/* ---- exact percentiles ------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The latency 'which' (0 TTFT, 1 TPOT, 2 E2E) of request row 'r'. */
static double latency(const srv_request_rec *r, int which)
{
    return which == 0 ? r->ttft_s : which == 1 ? r->tpot_s : r->e2e_s;
}

/* The summary's p50/p90/p99 of every latency equal the ceil(q n)-th
 * smallest of the done rows' values, sorted here independently. */
static void expect_nearest_rank(const rows *w, const srv_summary *sum)
{
    const double *got[3] = {sum->ttft_s, sum->tpot_s, sum->e2e_s};
    const int64_t pct[3] = {50, 90, 99};
    double *v = calloc(w->n_req + 1, sizeof *v);

    for (int which = 0; which < 3; which++) {
        int64_t n = 0;

        for (size_t i = 0; i < w->n_req; i++)
            if (w->req[i].status == SRV_REQ_DONE &&
                !isnan(latency(&w->req[i], which)))
                v[n++] = latency(&w->req[i], which);
        qsort(v, (size_t)n, sizeof *v, cmp_double);
        for (int q = 0; q < 3 && n > 0; q++)
            ck_assert_double_eq(got[which][q], v[(n * pct[q] + 99) / 100 - 1]);
    }
    free(v);
}

/* 100 identical one-token requests all arriving at 0 on an instance that
 * runs one at a time: the k-th (from 1) has TTFT = E2E = k S, S the
 * prefill time -- the values 1..100 in units of S. */
static const char *const hundred_yaml =
    "name: hundred\nmodel: llama-3-8b\n"
    "hardware: {h100: {catalog: h100-sxm}}\n"
    "cluster:\n"
    "  instances: [{name: a, device: h100, count: 1, tp: 1, max_batch: 1}]\n"
    "workload:\n"
    "  - {name: t, trace: {format: hetsim, path: "
    "tests/data/stats/hundred.csv}}\n";

START_TEST(percentiles_are_nearest_rank)
{
    rows w = {0};
    srv_summary sum;
    double s;

    run(hundred_yaml, NULL, &w, &sum);
    ck_assert_int_eq(w.n_req, 100);
    s = w.req[0].ttft_s;
    for (size_t i = 0; i < w.n_req; i++) {
        ck_assert_int_eq(w.req[i].request_id, (int64_t)i);
        ck_assert_double_eq_tol(w.req[i].ttft_s, (double)(i + 1) * s, 1e-12);
    }
    /* p = ceil(q n)-th smallest: the 50th, 90th and 99th. */
    ck_assert_double_eq(sum.ttft_s[0], w.req[49].ttft_s);
    ck_assert_double_eq(sum.ttft_s[1], w.req[89].ttft_s);
    ck_assert_double_eq(sum.ttft_s[2], w.req[98].ttft_s);
    ck_assert_double_eq(sum.e2e_s[1], w.req[89].e2e_s);
    ck_assert_double_eq(get(&w, "run", "ttft_p90_s"), w.req[89].ttft_s);
    expect_nearest_rank(&w, &sum);
    /* One output token each: no TPOT. */
    ck_assert(isnan(sum.tpot_s[0]) && isnan(sum.tpot_mean_s));
    rows_free(&w);
}
END_TEST

/* ---- SLOs ------------------------------------------------------------------------ */

/* NN of a key matters: over TTFTs 1..100 (in S), a threshold of 50.5 S
 * holds at p50 and not at p90; 99.5 S holds at p99 and not at p99.9
 * (the 100th of 100). */
START_TEST(slo_met_honours_the_percentile)
{
    char t50[96];
    const char *set[2] = {t50, NULL};
    rows w = {0}, w2 = {0};
    srv_summary sum;
    double s;

    run(hundred_yaml, NULL, &w, &sum);
    s = w.req[0].ttft_s;
    snprintf(t50, sizeof t50, "slo={ttft_p50: %.9fs, ttft_p90: %.9fs}",
             50.5 * s, 50.5 * s);
    run(hundred_yaml, set, &w2, &sum);
    ck_assert_double_eq(get(&w2, "ttft_p50", "slo_met"), 1);
    ck_assert_double_eq(get(&w2, "ttft_p90", "slo_met"), 0);
    /* 50 of 100 within 50.5 S. */
    ck_assert_double_eq(sum.slo_attainment, 0.5);
    rows_free(&w2);
    snprintf(t50, sizeof t50, "slo={ttft_p99: %.9fs, ttft_p99.9: %.9fs}",
             99.5 * s, 99.5 * s);
    run(hundred_yaml, set, &w2, &sum);
    ck_assert_double_eq(get(&w2, "ttft_p99", "slo_met"), 1);
    ck_assert_double_eq(get(&w2, "ttft_p99.9", "slo_met"), 0);
    ck_assert_double_eq(sum.slo_attainment, 0.99);
    rows_free(&w2);
    rows_free(&w);
}
END_TEST

/* 2,000 requests whose prompts are uniform up to 120k tokens on an H100
 * cut to 20 GB (about 30k tokens of KV): most can never fit and are
 * dropped.  Dropped requests are misses: attainment is the share of
 * arrivals that finished within every threshold, not of the finished. */
static const char *const drops_yaml =
    "name: drops\nseed: 3\nmodel: llama-3-8b\n"
    "hardware: {small: {catalog: h100-sxm, mem_capacity: 20GB}}\n"
    "cluster:\n"
    "  instances: [{name: a, device: small, count: 1, tp: 1}]\n"
    "workload:\n"
    "  - {name: u, synthetic: {arrival: {process: poisson, rate: 20/s},\n"
    "     requests: 2000, prompt: {dist: uniform, min: 1000, max: 120000},\n"
    "     output: {dist: fixed, value: 4}}}\n"
    "slo: {ttft_p50: 1h, e2e_p90: 1h}\n";

START_TEST(dropped_requests_are_slo_misses)
{
    rows w = {0};
    srv_summary sum;
    int64_t within = 0;

    run(drops_yaml, NULL, &w, &sum);
    ck_assert_int_eq(sum.arrived, 2000);
    ck_assert_int_ge(sum.dropped, 1400);
    for (size_t i = 0; i < w.n_req; i++)
        within += w.req[i].status == SRV_REQ_DONE && w.req[i].ttft_s <= 3600 &&
                  w.req[i].e2e_s <= 3600;
    ck_assert_int_eq(within, sum.done);
    ck_assert_double_eq(sum.slo_attainment, (double)within / 2000.0);
    ck_assert(sum.slo_attainment <= 0.25);
    ck_assert_double_eq(sum.goodput_req_s, (double)within / sum.window_s);
    /* Over half of the arrivals are misses (infinite): p50 and p90 fail
     * whatever the threshold. */
    ck_assert_double_eq(get(&w, "ttft_p50", "slo_met"), 0);
    ck_assert_double_eq(get(&w, "e2e_p90", "slo_met"), 0);
    expect_nearest_rank(&w, &sum); /* the ~500 done */
    rows_free(&w);
}
END_TEST

/* ---- the measurement window ------------------------------------------------------ */

/* 20 identical one-token requests arriving at 0 s, 1 s, ..., 19 s, each
 * served alone in S (well under a second). */
static const char *const spaced_yaml =
    "name: spaced\nmodel: llama-3-8b\n"
    "hardware: {h100: {catalog: h100-sxm, power: 700W, idle_power: 100W,\n"
    "                  cost_per_hour: 2.5}}\n"
    "cluster:\n"
    "  instances: [{name: a, device: h100, count: 1, tp: 2}]\n"
    "workload:\n"
    "  - {name: c, synthetic: {arrival: {process: constant, rate: 1/s},\n"
    "     requests: 20, prompt: {dist: fixed, value: 2048},\n"
    "     output: {dist: fixed, value: 1}}}\n";

/* The energy and cost of a window 'win_s' long in which the instance
 * (tp 2) was busy 'busy_s'. */
static void expect_costs(const rows *w, const srv_summary *sum, double win_s,
                         double busy_s)
{
    const double busy_w = 700, idle_w = 100, usd_h = 2.5; /* as written */

    ck_assert_double_eq_tol(sum->energy_j,
                            2 * (busy_s * busy_w + (win_s - busy_s) * idle_w),
                            1e-6);
    ck_assert_double_eq_tol(sum->cost_usd, 2 * usd_h * win_s / 3600.0, 1e-12);
    ck_assert_double_eq_tol(get(w, "a", "busy_frac"), busy_s / win_s, 1e-12);
}

START_TEST(window_covers_arrivals_and_time)
{
    const char *set[] = {"window={from: 5s, to: 15s}", NULL};
    rows w = {0}, all = {0};
    srv_summary sum, whole;
    double s;

    run(spaced_yaml, NULL, &all, &whole);
    s = all.req[0].e2e_s;
    ck_assert(s > 0 && s < 0.5);
    ck_assert_double_eq(whole.sim_s, 19 + s);
    ck_assert_double_eq(whole.window_s, whole.sim_s);
    expect_costs(&all, &whole, 19 + s, 20 * s);

    run(spaced_yaml, set, &w, &sum);
    ck_assert_double_eq(sum.sim_s, whole.sim_s);
    ck_assert_double_eq(sum.window_from_s, 5);
    ck_assert_double_eq(sum.window_s, 10);
    ck_assert_int_eq(sum.window_requests, 10); /* arrivals 5 s .. 14 s */
    ck_assert_int_eq(sum.arrived, 20);
    ck_assert_double_eq(sum.throughput_req_s, 1.0);
    ck_assert_double_eq(get(&w, "run", "window_s"), 10);
    ck_assert_double_eq(get(&w, "run", "sim_s"), whole.sim_s);
    expect_costs(&w, &sum, 10, 10 * s);
    rows_free(&w);

    /* 'to' past the end, or left out: the window ends with the run. */
    set[0] = "window={from: 15s}";
    run(spaced_yaml, set, &w, &sum);
    ck_assert_double_eq_tol(sum.window_s, whole.sim_s - 15, 1e-9);
    ck_assert_int_eq(sum.window_requests, 5);
    expect_costs(&w, &sum, whole.sim_s - 15, 5 * s);
    rows_free(&w);
    rows_free(&all);
}
END_TEST

Suite *srv_stats_suite(void)
{
    Suite *s = suite_create("srv_stats");
    TCase *c = tcase_create("stats");

    tcase_set_timeout(c, 60);
    tcase_add_test(c, percentiles_are_nearest_rank);
    tcase_add_test(c, slo_met_honours_the_percentile);
    tcase_add_test(c, dropped_requests_are_slo_misses);
    tcase_add_test(c, window_covers_arrivals_and_time);
    suite_add_tcase(s, c);
    return s;
}
