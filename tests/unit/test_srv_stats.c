/*
 * test_srv_stats.c -- the run's statistics (sim/serve/srv_stats.c)
 * against hand-computable cases: exact nearest-rank percentiles.  The
 * percentiles against a SQL query over the requests rows are
 * tests/cli/t_stats.sh.
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
    /* One output token each: no TPOT. */
    ck_assert(isnan(sum.tpot_s[0]) && isnan(sum.tpot_mean_s));
    rows_free(&w);
}
END_TEST

Suite *srv_stats_suite(void)
{
    Suite *s = suite_create("srv_stats");
    TCase *c = tcase_create("stats");

    tcase_set_timeout(c, 60);
    tcase_add_test(c, percentiles_are_nearest_rank);
    suite_add_tcase(s, c);
    return s;
}
