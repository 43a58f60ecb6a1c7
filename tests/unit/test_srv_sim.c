/*
 * test_srv_sim.c -- the serving simulation end to end, against queueing
 * theory and conservation laws:
 *  - M/D/1: one instance serving one request at a time with a fixed
 *    service time, Poisson arrivals at utilisation 0.5 and 0.8: the mean
 *    queueing delay matches Pollaczek-Khinchine, rho*S / (2(1 - rho));
 *  - conservation (arrived = done + dropped + unfinished), KV never over
 *    capacity (instance invariants checked after every event), Little's
 *    law between sampled occupancy and the request rows;
 *  - determinism: the same seed gives identical rows;
 *  - fast-forward gives the same rows as one iteration per event;
 *  - closed loop keeps exactly N requests in flight;
 *  - a memory pool's traffic is transfer rows that add up exactly to its
 *    metrics.
 * Scenarios are YAML text loaded through io/, with the shipped catalogs.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hetsim/io.h"
#include "hetsim/serve.h"
#include "serve/serve_int.h"

Suite *srv_sim_suite(void);

/* ---- an in-memory sink ---------------------------------------------------- */

typedef struct rows {
    srv_request_rec *req;
    size_t n_req, cap_req;
    srv_step_rec *step;
    size_t n_step, cap_step;
    double occupancy_sum; /* sum over samples of queue + running */
    int64_t n_samples;
    double sample_t;   /* time of the samples being summed */
    int64_t in_flight; /* queue + running over instances at sample_t */
    int64_t max_in_flight;
    double kv_capacity; /* largest kv_capacity_bytes sampled */
    int64_t n_transfers;
    double transfer_bytes;
    double min_transfer_s; /* shortest transfer */
    srv_session_rec last_session;
    int64_t n_sessions;
} rows;

static int on_request(void *ctx, const srv_request_rec *r)
{
    rows *w = ctx;

    hs_grow((void **)&w->req, &w->cap_req, w->n_req + 1, sizeof *w->req);
    memcpy(&w->req[w->n_req], r, sizeof *r); /* padding too: memcmp */
    w->req[w->n_req].source = NULL;          /* borrowed strings: not kept */
    w->req[w->n_req].prefill_instance = NULL;
    w->req[w->n_req].decode_instance = NULL;
    w->n_req++;
    return 0;
}

static int on_step(void *ctx, const srv_step_rec *r)
{
    rows *w = ctx;

    hs_grow((void **)&w->step, &w->cap_step, w->n_step + 1, sizeof *w->step);
    w->step[w->n_step++] = *r; /* instance names live in the sim: compared
                                  before it is freed */
    return 0;
}

static int on_sample(void *ctx, const srv_sample_rec *r)
{
    rows *w = ctx;

    w->occupancy_sum += (double)(r->queue_len + r->running);
    if (r->kv_capacity_bytes > w->kv_capacity)
        w->kv_capacity = r->kv_capacity_bytes;
    w->n_samples++;
    if (w->n_samples == 1 || r->t_s != w->sample_t) {
        w->sample_t = r->t_s;
        w->in_flight = 0;
    }
    w->in_flight += r->queue_len + r->running;
    if (w->in_flight > w->max_in_flight)
        w->max_in_flight = w->in_flight;
    return 0;
}

static int on_transfer(void *ctx, const srv_transfer_rec *r)
{
    rows *w = ctx;

    if (w->n_transfers == 0 || r->end_s - r->start_s < w->min_transfer_s)
        w->min_transfer_s = r->end_s - r->start_s;
    w->n_transfers++;
    w->transfer_bytes += r->bytes;
    return 0;
}

static int on_session(void *ctx, const srv_session_rec *r)
{
    rows *w = ctx;

    w->last_session = *r;
    w->last_session.source = NULL;
    w->n_sessions++;
    return 0;
}

static void rows_free(rows *w)
{
    free(w->req);
    free(w->step);
    memset(w, 0, sizeof *w);
}

/* ---- running a scenario ------------------------------------------------------ */

/* Load 'yaml' (with --set overrides 'set'), catalogs from configs/. */
static sc_scenario *load_set(const char *yaml, const char *const *set,
                             size_t n)
{
    io_scenario_opts o = {0};
    io_override ovr[8];
    sc_scenario *sc = NULL;
    hs_diag *d = hs_diag_new();

    for (size_t i = 0; i < n; i++)
        ovr[i].arg = set[i];
    o.text = yaml;
    o.catalog_dir = "configs";
    o.ovr = ovr;
    o.n_ovr = n;
    if (io_scenario_load_opts("test.yaml", &o, &sc, d) != HS_OK) {
        for (size_t i = 0; i < hs_diag_count(d); i++)
            fprintf(stderr, "%s\n", hs_diag_message(d, i));
        ck_abort_msg("scenario did not load");
    }
    hs_diag_free(d);
    return sc;
}

static sc_scenario *load(const char *yaml)
{
    return load_set(yaml, NULL, 0);
}

static srv_sim *run_checked(const sc_scenario *sc, bool no_ff, bool check,
                            rows *w, srv_summary *sum);

/* Run 'sc' into 'w', checking invariants after every event; the
 * simulation is returned for inspection (caller frees). */
static srv_sim *run(const sc_scenario *sc, bool no_ff, rows *w,
                    srv_summary *sum)
{
    return run_checked(sc, no_ff, true, w, sum);
}

/* Run 'sc', checking every instance's invariants after every event when
 * 'check'. */
static srv_sim *run_checked(const sc_scenario *sc, bool no_ff, bool check,
                            rows *w, srv_summary *sum)
{
    srv_options opt = {0};
    srv_sink sink = {.ctx = w,
                     .request = on_request,
                     .step = on_step,
                     .sample = on_sample,
                     .transfer = on_transfer,
                     .session = on_session};
    srv_sim *s = NULL;
    hs_diag *d = hs_diag_new();

    opt.seed = sc->seed;
    opt.no_fast_forward = no_ff;
    opt.check_invariants = check;
    if (srv_sim_new(sc, &opt, &sink, &s, d) != HS_OK ||
        srv_sim_run(s, d) != HS_OK) {
        for (size_t i = 0; i < hs_diag_count(d); i++)
            fprintf(stderr, "%s\n", hs_diag_message(d, i));
        ck_abort_msg("simulation failed");
    }
    srv_sim_summary(s, sum);
    hs_diag_free(d);
    return s;
}

/* One instance, one request at a time, a fixed 1,024-token prompt and a
 * single output token: every request costs the same prefill step. */
static char *md1_yaml(double rate, int64_t requests)
{
    return hs_asprintf(
        "name: md1\nseed: 7\nmodel: llama-3-8b\n"
        "hardware: {h100: {catalog: h100-sxm}}\n"
        "cluster:\n  mode: monolithic\n"
        "  instances: [{name: solo, device: h100, count: 1, tp: 1,\n"
        "               max_batch: 1, max_batch_tokens: 2048}]\n"
        "workload:\n"
        "  - {name: p, synthetic: {arrival: {process: poisson, rate: "
        "%.9g/s},\n"
        "     requests: %lld, prompt: {dist: fixed, value: 1024},\n"
        "     output: {dist: fixed, value: 1}}}\n"
        "output: {timeseries_interval: 0s}\n",
        rate, (long long)requests);
}

static double service_time(void)
{
    char *y = md1_yaml(1.0, 1);
    sc_scenario *sc = load(y);
    rows w = {0};
    srv_summary sum;
    srv_sim *s = run(sc, false, &w, &sum);
    double svc;

    ck_assert_uint_eq(w.n_req, 1);
    svc = w.req[0].e2e_s;
    ck_assert(svc > 0);
    srv_sim_free(s);
    rows_free(&w);
    sc_scenario_free(sc);
    free(y);
    return svc;
}

static void check_md1(double rho)
{
    double svc = service_time();
    char *y = md1_yaml(rho / svc, 200000);
    sc_scenario *sc = load(y);
    rows w = {0};
    srv_summary sum;
    srv_sim *s = run(sc, false, &w, &sum);
    double wq = 0, want = rho * svc / (2 * (1 - rho));

    ck_assert_uint_eq(w.n_req, 200000);
    for (size_t i = 0; i < w.n_req; i++) {
        ck_assert_double_eq_tol(w.req[i].e2e_s - w.req[i].queue_s, svc, 2e-9);
        wq += w.req[i].queue_s;
    }
    wq /= (double)w.n_req;
    ck_assert_msg(fabs(wq - want) / want < 0.05,
                  "rho %.1f: mean queueing delay %.6g s, M/D/1 says %.6g s",
                  rho, wq, want);
    srv_sim_free(s);
    rows_free(&w);
    sc_scenario_free(sc);
    free(y);
}

START_TEST(md1_rho_05)
{
    check_md1(0.5);
}
END_TEST

START_TEST(md1_rho_08)
{
    check_md1(0.8);
}
END_TEST

/* A busy cluster under KV pressure: preemptions happen, invariants hold
 * after every event, and every request is accounted for. */
static const char *const pressure_yaml =
    "name: pressure\nseed: 11\nmodel: llama-3-8b\n"
    "hardware: {small: {catalog: h100-sxm, mem_capacity: 20GB}}\n"
    "cluster:\n  mode: monolithic\n"
    "  instances: [{name: a, device: small, count: 3, tp: 1,\n"
    "               max_batch: 64, max_batch_tokens: 4096}]\n"
    "router: {policy: least-loaded}\n"
    "workload:\n"
    "  - {name: conv, trace: {format: azure, path: traces/azure_conv.csv,\n"
    "     max_requests: 3000, time_scale: 0.2}}\n"
    "  - {name: syn, synthetic: {arrival: {process: gamma, rate: 4/s, cv: "
    "2},\n"
    "     requests: 500, prompt: {dist: lognormal, mean: 3000, cv: 1},\n"
    "     output: {dist: uniform, min: 50, max: 400}}}\n"
    "output: {timeseries_interval: 100ms}\n";

START_TEST(conservation_and_littles_law)
{
    sc_scenario *sc = load(pressure_yaml);
    rows w = {0};
    srv_summary sum;
    srv_sim *s = run(sc, false, &w, &sum);
    double e2e_sum = 0, l_samples, l_rows;
    int64_t done = 0;

    ck_assert_int_eq(sum.arrived, 3500);
    ck_assert_int_eq(sum.arrived, sum.done + sum.dropped + sum.unfinished);
    ck_assert_int_eq(sum.unfinished, 0);
    ck_assert_uint_eq(w.n_req, (size_t)sum.arrived);
    ck_assert_msg(sum.preemptions > 0, "the scenario should preempt");
    for (size_t i = 0; i < w.n_req; i++) {
        if (w.req[i].status != SRV_REQ_DONE)
            continue;
        done++;
        e2e_sum += w.req[i].e2e_s;
        ck_assert(w.req[i].ttft_s > 0 && w.req[i].ttft_s <= w.req[i].e2e_s);
        /* Admitted before its first token is out. */
        ck_assert(w.req[i].queue_s >= 0 && w.req[i].queue_s < w.req[i].ttft_s);
    }
    ck_assert_int_eq(done, sum.done);
    /* KV in use is a whole number of 16-token blocks (Llama-3-8B bf16:
     * 128 KiB a token, 2 MiB a block), never over the capacity. */
    ck_assert(w.kv_capacity > 0);
    for (size_t i = 0; i < w.n_step; i++) {
        double blocks = w.step[i].kv_used_bytes / 2097152.0;

        ck_assert_double_eq(blocks, floor(blocks));
        ck_assert(w.step[i].kv_used_bytes <= w.kv_capacity);
    }
    /* Little: mean number in system = throughput x mean time in system,
     * here over the whole run (samples every 100 ms, 3 instances). */
    l_samples = w.occupancy_sum / ((double)w.n_samples / 3.0);
    l_rows = e2e_sum / sum.sim_s;
    ck_assert_msg(fabs(l_samples - l_rows) / l_rows < 0.02,
                  "Little: sampled L %.3f, lambda*W %.3f", l_samples, l_rows);
    srv_sim_free(s);
    rows_free(&w);
    sc_scenario_free(sc);
}
END_TEST

static int cmp_step(const void *a, const void *b)
{
    const srv_step_rec *x = a, *y = b;
    int c = strcmp(x->instance, y->instance);

    if (c != 0)
        return c;
    return (x->start_s > y->start_s) - (x->start_s < y->start_s);
}

static int cmp_req(const void *a, const void *b)
{
    const srv_request_rec *x = a, *y = b;

    return (x->request_id > y->request_id) - (x->request_id < y->request_id);
}

static void same_rows(rows *a, rows *b)
{
    ck_assert_uint_eq(a->n_req, b->n_req);
    ck_assert_uint_eq(a->n_step, b->n_step);
    qsort(a->req, a->n_req, sizeof *a->req, cmp_req);
    qsort(b->req, b->n_req, sizeof *b->req, cmp_req);
    qsort(a->step, a->n_step, sizeof *a->step, cmp_step);
    qsort(b->step, b->n_step, sizeof *b->step, cmp_step);
    ck_assert(memcmp(a->req, b->req, a->n_req * sizeof *a->req) == 0);
    for (size_t i = 0; i < a->n_step; i++) {
        const srv_step_rec *x = &a->step[i], *y = &b->step[i];

        ck_assert_str_eq(x->instance, y->instance);
        ck_assert_str_eq(x->phase, y->phase);
        ck_assert_str_eq(x->bound, y->bound);
        ck_assert(x->start_s == y->start_s && x->end_s == y->end_s);
        ck_assert(x->batch_size == y->batch_size &&
                  x->prefill_tokens == y->prefill_tokens &&
                  x->decode_tokens == y->decode_tokens);
        ck_assert(x->flops == y->flops && x->bytes == y->bytes &&
                  x->kv_used_bytes == y->kv_used_bytes &&
                  x->cf_bytes == y->cf_bytes);
    }
}

START_TEST(fast_forward_matches_single_stepping)
{
    sc_scenario *sc = load(pressure_yaml);
    rows a = {0}, b = {0};
    srv_summary sa, sb;
    srv_sim *s1 = run(sc, false, &a, &sa);
    srv_sim *s2 = run(sc, true, &b, &sb);

    same_rows(&a, &b);
    ck_assert_msg(sa.events < sb.events,
                  "fast-forward should fire fewer events (%llu vs %llu)",
                  (unsigned long long)sa.events,
                  (unsigned long long)sb.events);
    srv_sim_free(s1);
    srv_sim_free(s2);
    rows_free(&a);
    rows_free(&b);
    sc_scenario_free(sc);
}
END_TEST

START_TEST(same_seed_same_rows)
{
    sc_scenario *sc = load(pressure_yaml);
    rows a = {0}, b = {0};
    srv_summary sa, sb;
    srv_sim *s1 = run(sc, false, &a, &sa);
    srv_sim *s2 = run(sc, false, &b, &sb);

    same_rows(&a, &b);
    ck_assert(memcmp(&sa, &sb, sizeof sa) == 0);
    srv_sim_free(s1);
    srv_sim_free(s2);
    rows_free(&a);
    rows_free(&b);
    sc_scenario_free(sc);
}
END_TEST

START_TEST(closed_loop_keeps_n_in_flight)
{
    const char *y =
        "name: closed\nseed: 3\nmodel: llama-3-8b\n"
        "hardware: {h100: {catalog: h100-sxm}}\n"
        "cluster:\n  mode: monolithic\n"
        "  instances: [{name: a, device: h100, count: 2, tp: 1}]\n"
        "router: {policy: round-robin}\n"
        "workload:\n"
        "  - {name: bench, synthetic: {arrival: {process: closed, "
        "concurrency: 8},\n"
        "     requests: 400, prompt: {dist: uniform, min: 100, max: 2000},\n"
        "     output: {dist: uniform, min: 10, max: 200}}}\n"
        "output: {timeseries_interval: 10ms}\n";
    sc_scenario *sc = load(y);
    rows w = {0};
    srv_summary sum;
    srv_sim *s = run(sc, false, &w, &sum);

    ck_assert_int_eq(sum.done, 400);
    ck_assert_int_eq(w.max_in_flight, 8);
    srv_sim_free(s);
    rows_free(&w);
    sc_scenario_free(sc);
}
END_TEST

START_TEST(oversized_request_is_dropped)
{
    const char *y =
        "name: drop\nmodel: llama-3-8b\n"
        "hardware: {small: {catalog: h100-sxm, mem_capacity: 20GB}}\n"
        "cluster:\n  mode: monolithic\n"
        "  instances: [{name: a, device: small, count: 1, tp: 1}]\n"
        "workload:\n"
        "  - {name: big, synthetic: {arrival: {process: constant, rate: "
        "1/s},\n"
        "     requests: 3, prompt: {dist: fixed, value: 100000},\n"
        "     output: {dist: fixed, value: 10}}}\n";
    sc_scenario *sc = load(y);
    rows w = {0};
    srv_summary sum;
    srv_sim *s = run(sc, false, &w, &sum);

    ck_assert_int_eq(sum.dropped, 3);
    ck_assert_int_eq(sum.done, 0);
    ck_assert_int_eq(w.req[0].status, SRV_REQ_DROPPED);
    srv_sim_free(s);
    rows_free(&w);
    sc_scenario_free(sc);
}
END_TEST

/* Split mode: two prefill instances hand KV caches over a 400 Gb/s
 * fabric to two decode instances short of memory (transfers wait for
 * blocks, decodes are preempted and go back to be prefilled again). */
static const char *const split_yaml =
    "name: split\nseed: 5\nmodel: llama-3-8b\n"
    "hardware:\n  h100: {catalog: h100-sxm}\n"
    "  small: {catalog: h100-sxm, mem_capacity: 19GB}\n"
    "links: {fabric: {catalog: ib-ndr-400g}}\n"
    "cluster:\n  mode: split\n"
    "  prefill: {device: h100, count: 2, tp: 1, max_batch_tokens: 8192}\n"
    "  decode: {device: small, count: 2, tp: 1, max_batch: 128}\n"
    "  kv_transfer: {link: fabric}\n"
    "workload:\n"
    "  - {name: conv, trace: {format: azure, path: traces/azure_conv.csv,\n"
    "     max_requests: 2000, time_scale: 0.05}}\n"
    "output: {timeseries_interval: 100ms}\n";

START_TEST(split_conserves_requests)
{
    sc_scenario *sc = load(split_yaml);
    rows w = {0};
    srv_summary sum;
    srv_sim *s = run(sc, false, &w, &sum);
    int64_t decoded = 0;
    /* 400 Gb/s = 50 GB/s; Llama-3-8B bf16 KV is 128 KiB per token. */
    double bw = 50e9, lat = 3e-6, kv_tok = 131072;

    ck_assert_int_eq(sum.arrived, 2000);
    ck_assert_int_eq(sum.arrived, sum.done + sum.dropped + sum.unfinished);
    ck_assert_int_eq(sum.unfinished, 0);
    ck_assert_msg(sum.preemptions > 0, "decode should preempt");
    for (size_t i = 0; i < w.n_req; i++) {
        const srv_request_rec *r = &w.req[i];

        if (r->status != SRV_REQ_DONE || r->output_tokens < 2)
            continue;
        decoded++;
        /* At least a lone transfer of the prompt's KV. */
        ck_assert(r->kv_transfer_s >=
                  lat + (double)r->prompt_tokens * kv_tok / bw - 2e-9);
        ck_assert(r->first_token_s + r->kv_transfer_s <= r->finish_s);
    }
    ck_assert_int_ge(w.n_transfers, decoded);
    ck_assert(w.min_transfer_s >= lat);
    srv_sim_free(s);
    rows_free(&w);
    sc_scenario_free(sc);
}
END_TEST

START_TEST(split_fast_forward_matches)
{
    sc_scenario *sc = load(split_yaml);
    rows a = {0}, b = {0};
    srv_summary sa, sb;
    srv_sim *s1 = run(sc, false, &a, &sa);
    srv_sim *s2 = run(sc, true, &b, &sb);

    same_rows(&a, &b);
    ck_assert_int_eq(a.n_transfers, b.n_transfers);
    ck_assert(a.transfer_bytes == b.transfer_bytes);
    srv_sim_free(s1);
    srv_sim_free(s2);
    rows_free(&a);
    rows_free(&b);
    sc_scenario_free(sc);
}
END_TEST

/* A two-call agent session (tests/data/run/two_calls.csv): call 0 reads
 * 1,000 tokens and answers 100; 2 s of tool time later call 1 reads the
 * 1,100-token context plus 200 new tokens. */
static char *two_calls_yaml(const char *retention, const char *bw)
{
    return hs_asprintf(
        "name: two\nmodel: llama-3-8b\n"
        "hardware: {h100: {catalog: h100-sxm, mem_bandwidth: %s}}\n"
        "cluster:\n  mode: monolithic\n"
        "  instances: [{name: a, device: h100, count: 1, tp: 1}]\n"
        "  kv_retention: {policy: %s}\n"
        "workload:\n"
        "  - {name: s, trace: {format: sessions,\n"
        "     path: tests/data/run/two_calls.csv}}\n",
        bw, retention);
}

static void run_two_calls(const char *retention, const char *bw, rows *w,
                          srv_summary *sum)
{
    char *y = two_calls_yaml(retention, bw);
    sc_scenario *sc = load(y);
    srv_sim *s = run(sc, false, w, sum);

    ck_assert_uint_eq(w->n_req, 2);
    qsort(w->req, w->n_req, sizeof *w->req, cmp_req);
    srv_sim_free(s);
    sc_scenario_free(sc);
    free(y);
}

START_TEST(session_keep_reuses_prefix)
{
    rows w = {0};
    srv_summary sum;

    run_two_calls("keep", "3.35TB/s", &w, &sum);
    /* Call 1 reuses the whole 16-token blocks of its 1,100-token prefix:
     * 68 blocks = 1,088 tokens; only 1,300 - 1,088 are prefilled. */
    ck_assert_int_eq(w.req[0].cached_tokens, 0);
    ck_assert_int_eq(w.req[1].cached_tokens, 1088);
    ck_assert_double_eq_tol(sum.prefix_hit_rate, 1088.0 / 2300.0, 1e-12);
    /* One sessions row: 2 calls, 1,000 + 100 + 1,300 + 50 tokens. */
    ck_assert_int_eq(w.n_sessions, 1);
    ck_assert_int_eq(w.last_session.calls, 2);
    ck_assert_int_eq(w.last_session.total_tokens, 2450);
    ck_assert_int_eq(w.last_session.cached_tokens, 1088);
    ck_assert_double_eq(w.last_session.end_s, w.req[1].finish_s);
    ck_assert_int_eq(sum.sessions_done, 1);
    rows_free(&w);
}
END_TEST

START_TEST(session_drop_prefills_all)
{
    rows w = {0};
    srv_summary sum;

    run_two_calls("drop", "3.35TB/s", &w, &sum);
    ck_assert_int_eq(w.req[1].cached_tokens, 0);
    ck_assert_double_eq(sum.prefix_hit_rate, 0);
    rows_free(&w);
}
END_TEST

/* Closed loop: call 1 arrives exactly 2 s (its tool gap) after call 0
 * finished; a slower device (half the bandwidth) finishes call 0 later,
 * and call 1 arrives later by the same amount. */
START_TEST(session_closed_loop_follows_the_cluster)
{
    rows fast = {0}, slow = {0};
    srv_summary sf, ss;

    run_two_calls("keep", "3.35TB/s", &fast, &sf);
    run_two_calls("keep", "1.675TB/s", &slow, &ss);
    ck_assert_double_eq_tol(fast.req[1].arrival_s - fast.req[0].finish_s, 2.0,
                            1e-9);
    ck_assert_double_eq_tol(slow.req[1].arrival_s - slow.req[0].finish_s, 2.0,
                            1e-9);
    ck_assert(slow.req[0].finish_s > fast.req[0].finish_s);
    ck_assert(slow.req[1].finish_s - fast.req[1].finish_s >
              slow.req[0].finish_s - fast.req[0].finish_s);
    rows_free(&fast);
    rows_free(&slow);
}
END_TEST

/* The Mooncake conversation sample with an unbounded cache, requests
 * served one at a time: the block hit rate equals an independent count
 * over the trace's hash ids (an id seen before is a hit).  Llama-3.1-8B:
 * its prompts exceed Llama-3-8B's 8k context. */
START_TEST(mooncake_block_hits_match_independent_count)
{
    const char *y =
        "name: mc\nmodel: llama-3.1-8b\n"
        "hardware: {big: {catalog: h100-sxm, mem_capacity: 100TB}}\n"
        "cluster:\n  mode: monolithic\n"
        "  instances: [{name: a, device: big, count: 1, tp: 1,\n"
        "               max_batch: 1}]\n"
        "workload:\n"
        "  - {name: mc, trace: {format: mooncake,\n"
        "     path: traces/mooncake_conv_sample.jsonl}}\n";
    sc_scenario *sc = load(y);
    rows w = {0};
    srv_summary sum;
    /* (invariants are checked by the other tests: with ~55,000 cached
     * blocks a check after every event would take minutes) */
    srv_sim *s = run_checked(sc, false, false, &w, &sum);
    wl_source *src = wl_source_open(&sc->workload[0], 0, 0, NULL);
    wl_request q;
    uint32_t *seen = NULL;
    size_t n_seen = 0, cap = 0;
    int64_t total = 0, hits = 0;

    ck_assert_ptr_nonnull(src);
    while (wl_source_next(src, &q, NULL) == 1) {
        for (size_t i = 0; i < q.prefix.n_ids; i++) {
            bool found = false;

            for (size_t j = 0; j < n_seen && !found; j++)
                found = seen[j] == q.prefix.ids[i];
            hits += found;
        }
        for (size_t i = 0; i < q.prefix.n_ids; i++) {
            hs_grow((void **)&seen, &cap, n_seen + 1, sizeof *seen);
            seen[n_seen++] = q.prefix.ids[i];
        }
        total += (int64_t)q.prefix.n_ids;
    }
    ck_assert_int_eq(sum.done, 2000);
    ck_assert_msg(
        fabs(sum.prefix_block_hit_rate - (double)hits / (double)total) < 1e-12,
        "simulated %.6f, independent count %.6f", sum.prefix_block_hit_rate,
        (double)hits / (double)total);
    wl_source_close(src);
    free(seen);
    srv_sim_free(s);
    rows_free(&w);
    sc_scenario_free(sc);
}
END_TEST

/* A decode engine with 24 GB of its own (Llama-3.1-8B's 16 GB of weights
 * leave room for ~40k tokens of KV) serving a 100k-token context (128k
 * model) whose KV lives in a 16 TB pool behind a 500 GB/s optical
 * link. */
static char *pool_yaml(const char *policy)
{
    return hs_asprintf(
        "name: pool\nmodel: llama-3.1-8b\n"
        "hardware: {lite: {catalog: h100-sxm, mem_capacity: 24GB}}\n"
        "links: {optical: {catalog: optical-io}}\n"
        "memory_pools: {kvp: {capacity: 16TB, bandwidth: 2TB/s, "
        "latency: 200ns, link: optical}}\n"
        "cluster:\n  mode: monolithic\n"
        "  instances: [{name: a, device: lite, count: 1, tp: 1}]\n"
        "  kv_pool: {pool: kvp, policy: %s}\n"
        "workload:\n"
        "  - {name: long, synthetic: {arrival: {process: constant, rate: "
        "1/s},\n"
        "     requests: 1, prompt: {dist: fixed, value: 100000},\n"
        "     output: {dist: fixed, value: 4}}}\n"
        "output: {timeseries_interval: 10ms}\n",
        policy);
}

START_TEST(hbm_only_cannot_hold_long_context)
{
    char *y = pool_yaml("hbm-only");
    sc_scenario *sc = load(y);
    rows w = {0};
    srv_summary sum;
    srv_sim *s = run(sc, false, &w, &sum);

    ck_assert_int_eq(sum.dropped, 1);
    srv_sim_free(s);
    rows_free(&w);
    sc_scenario_free(sc);
    free(y);
}
END_TEST

/* The pool-resident step of hand computation (srv_step.c): the device
 * step 'st' with its KV in device memory, its KV read layer by layer,
 * each read paying 'lat' and its share of the drain at 'bw'. */
static double per_layer_step(const cost_step *st, int layers, double bw,
                             double lat)
{
    double c = st->time_s / layers, r = lat + st->kv_bytes / bw / layers;

    return r + (layers - 1) * (c > r ? c : r) + c;
}

/* Pool-resident decode: each layer's KV read pays the latency (150 ns
 * optical + 200 ns pool) and overlaps the previous layer's compute at
 * most; the device still reads the KV from its own memory.  One decode
 * of a 100k-token context (Llama-3.1-8B: 32 layers, 13.1 GB of KV) over
 * the 500 GB/s port: 32 reads of 410 MB at 500 GB/s, each 0.82 ms, far
 * more than a layer's compute, so the step is 32 x (0.35 us + 0.82 ms)
 * plus one layer's compute: 26.57 ms (the old single-latency model gave
 * 26.215 ms, below the reads' own 26.2 ms plus any compute). */
START_TEST(pool_resident_step_adds_the_link)
{
    char *y = pool_yaml("pool-resident");
    sc_scenario *sc = load(y);
    rows w = {0};
    srv_summary sum;
    srv_sim *s = run(sc, false, &w, &sum);
    cost_ctx ctx;
    cost_batch b = {0};
    cost_step st;
    const srv_step_rec *d1;
    double want;

    ck_assert_int_eq(sum.done, 1);
    qsort(w.step, w.n_step, sizeof *w.step, cmp_step);
    /* 13 prefill chunks of at most 8,192 tokens, then 3 decodes */
    ck_assert_uint_eq(w.n_step, 16);
    d1 = &w.step[13];
    ck_assert_int_eq(d1->decode_tokens, 1);
    ck_assert_int_eq(d1->prefill_tokens, 0);
    cost_ctx_init(&ctx, &sc->model, &sc->precision, &sc->hardware[0].dev, 1,
                  NULL, NULL);
    cost_batch_add_decode(&b, 100000);
    cost_step_eval(&ctx, &b, &st);
    ck_assert_int_eq(sc->model.layers, 32);
    want = per_layer_step(&st, 32, 500e9, 350e-9);
    ck_assert(want > st.kv_bytes / 500e9 + st.time_s / 32);
    ck_assert_double_eq_tol(d1->end_s - d1->start_s,
                            hs_time_to_s(hs_time_from_s(want)), 2e-9);
    ck_assert_double_eq_tol(d1->end_s - d1->start_s, 26.5725e-3, 1e-7);
    ck_assert_str_eq(d1->bound, "link");
    srv_sim_free(s);
    rows_free(&w);
    sc_scenario_free(sc);
    free(y);
}
END_TEST

/* Never faster than local: a 2,000-token context on a full H100, its KV
 * in device memory or in a pool behind a 500 GB/s optical port.  The
 * device's work dominates (each layer's read, 8 MB, takes 16 us + 0.35
 * us against ~0.2 ms of compute per layer), so the pool-resident step is
 * the local step plus the first layer's read, never less.  The old model
 * left the KV bytes out of the device time and overlapped the stream
 * whole: 6.8693 ms pool-resident against 6.9207 ms local for this
 * decode step; now 6.9374 ms (hetsim run of this scenario, before and
 * after). */
START_TEST(pool_resident_never_faster_than_local)
{
    static const char *const local[] = {"hardware.lite.mem_capacity=80GB",
                                        "workload.0.synthetic.prompt.value="
                                        "2000"};
    static const char *const remote[] = {"hardware.lite.mem_capacity=80GB",
                                         "workload.0.synthetic.prompt.value="
                                         "2000"};
    char *yl = pool_yaml("hbm-only"), *yr = pool_yaml("pool-resident");
    sc_scenario *scl = load_set(yl, local, 2), *scr = load_set(yr, remote, 2);
    rows wl = {0}, wr = {0};
    srv_summary sl, sr;
    srv_sim *a = run(scl, false, &wl, &sl), *r = run(scr, false, &wr, &sr);
    cost_ctx ctx;
    cost_batch b = {0};
    cost_step st;
    double tl, tr, c;

    ck_assert_int_eq(sl.done, 1);
    ck_assert_int_eq(sr.done, 1);
    qsort(wl.step, wl.n_step, sizeof *wl.step, cmp_step);
    qsort(wr.step, wr.n_step, sizeof *wr.step, cmp_step);
    ck_assert_uint_eq(wl.n_step, 4); /* one prefill, three decodes */
    ck_assert_uint_eq(wr.n_step, 4);
    tl = wl.step[1].end_s - wl.step[1].start_s;
    tr = wr.step[1].end_s - wr.step[1].start_s;
    ck_assert(tr >= tl);
    cost_ctx_init(&ctx, &scr->model, &scr->precision, &scr->hardware[0].dev, 1,
                  NULL, NULL);
    cost_batch_add_decode(&b, 2000);
    cost_step_eval(&ctx, &b, &st);
    c = st.time_s / 32;
    ck_assert(c > 350e-9 + st.kv_bytes / 500e9 / 32); /* compute-bound */
    ck_assert_double_eq_tol(tl, hs_time_to_s(hs_time_from_s(st.time_s)), 2e-9);
    ck_assert_double_eq_tol(
        tr,
        hs_time_to_s(hs_time_from_s(per_layer_step(&st, 32, 500e9, 350e-9))),
        2e-9);
    ck_assert_str_eq(wr.step[1].bound, "bandwidth");
    srv_sim_free(a);
    srv_sim_free(r);
    rows_free(&wl);
    rows_free(&wr);
    sc_scenario_free(scl);
    sc_scenario_free(scr);
    free(yl);
    free(yr);
}
END_TEST

/* The pool's bandwidth is shared by the reads in flight, not split in
 * advance: one request decoding a 75k-token context (9.8 GB of KV) on a
 * 1 TB/s pool behind 800 GB/s ports takes the same step whether 1, 2 or
 * 4 instances share the pool (the even split made it 12.3, 19.7 and 39.3
 * ms); with two such requests decoding at once on two instances, each
 * read gets half the pool, 500 GB/s. */
static char *lone_yaml(int count, int requests)
{
    return hs_asprintf(
        "name: lone\nmodel: llama-3.1-8b\n"
        "hardware: {lite: {catalog: h100-sxm, mem_capacity: 24GB}}\n"
        "links: {fast: {bandwidth: 800GB/s, latency: 0ns, "
        "energy_per_bit: 1pJ}}\n"
        "memory_pools: {kvp: {capacity: 16TB, bandwidth: 1TB/s, "
        "latency: 0ns, link: fast}}\n"
        "cluster:\n  mode: monolithic\n"
        "  instances: [{name: a, device: lite, count: %d, tp: 1}]\n"
        "  kv_pool: {pool: kvp, policy: pool-resident}\n"
        "router: {policy: round-robin}\n"
        "workload:\n"
        "  - {name: long, synthetic: {arrival: {process: constant, rate: "
        "1000/s},\n"
        "     requests: %d, prompt: {dist: fixed, value: 75000},\n"
        "     output: {dist: fixed, value: 4}}}\n",
        count, requests);
}

/* The first decode step of instance 'inst' in a run of lone_yaml. */
static double first_decode_s(int count, int requests, const char *inst)
{
    char *y = lone_yaml(count, requests);
    sc_scenario *sc = load(y);
    rows w = {0};
    srv_summary sum;
    srv_sim *s = run(sc, false, &w, &sum);
    double t = -1;

    ck_assert_int_eq(sum.done, requests);
    qsort(w.step, w.n_step, sizeof *w.step, cmp_step);
    for (size_t i = 0; i < w.n_step && t < 0; i++)
        if (w.step[i].decode_tokens > 0 && w.step[i].prefill_tokens == 0 &&
            strcmp(w.step[i].instance, inst) == 0)
            t = w.step[i].end_s - w.step[i].start_s;
    srv_sim_free(s);
    rows_free(&w);
    sc_scenario_free(sc);
    free(y);
    return t;
}

START_TEST(pool_bandwidth_is_shared_at_each_moment)
{
    char *y = lone_yaml(1, 1);
    sc_scenario *sc = load(y);
    cost_ctx ctx;
    cost_batch b = {0};
    cost_step st;
    double one, two, four, lone, pair;

    cost_ctx_init(&ctx, &sc->model, &sc->precision, &sc->hardware[0].dev, 1,
                  NULL, NULL);
    cost_batch_add_decode(&b, 75000);
    cost_step_eval(&ctx, &b, &st);
    lone = hs_time_to_s(hs_time_from_s(per_layer_step(&st, 32, 800e9, 0)));
    pair = hs_time_to_s(hs_time_from_s(per_layer_step(&st, 32, 500e9, 0)));
    one = first_decode_s(1, 1, "a");
    two = first_decode_s(2, 1, "a.0");
    four = first_decode_s(4, 1, "a.0");
    ck_assert_double_eq_tol(one, lone, 2e-9);
    ck_assert_double_eq_tol(one, 12.6016e-3, 1e-7);
    ck_assert_double_eq(two, one);
    ck_assert_double_eq(four, one);
    /* Two requests 1 ms apart on two instances: their prefills take the
     * same time, so their decode steps start 1 ms apart and overlap; the
     * second's read shares the pool with the first's for most of it. */
    ck_assert(first_decode_s(2, 2, "a.1") > lone);
    ck_assert(first_decode_s(2, 2, "a.1") < pair);
    sc_scenario_free(sc);
    free(y);
}
END_TEST

/* Pool reads contend with KV hand-offs on a shared link.  Split mode,
 * one prefill and one decode instance; the decode instance keeps its KV
 * in a pool reached over 'pool_link' (the KV transfer link 'fabric', or
 * a link of its own), both 100 GB/s, latency 0.  Request A (50,000
 * tokens, 6.6 GB of KV) decodes 100 tokens, each step reading its 6.6
 * GB over the decode instance's port (66 ms); B (the same, 1 s later) is
 * handed off while A decodes alone. */
static void run_shared_port(const char *pool_link, rows *w, double *a_min,
                            double *a_max, double *b_xfer)
{
    char *y = hs_asprintf(
        "name: shared\nmodel: llama-3.1-8b\n"
        "hardware:\n  h100: {catalog: h100-sxm}\n"
        "  lite: {catalog: h100-sxm, mem_capacity: 24GB}\n"
        "links:\n  fabric: {bandwidth: 100GB/s, latency: 0ns, "
        "energy_per_bit: 1pJ}\n"
        "  own: {bandwidth: 100GB/s, latency: 0ns, energy_per_bit: 1pJ}\n"
        "memory_pools: {p: {capacity: 16TB, bandwidth: 10TB/s, latency: "
        "0ns, link: %s}}\n"
        "cluster:\n  mode: split\n"
        "  prefill: {device: h100, count: 1, tp: 1, max_batch_tokens: 8192}\n"
        "  decode: {device: lite, count: 1, tp: 1}\n"
        "  kv_transfer: {link: fabric}\n"
        "  kv_pool: {pool: p, policy: pool-resident}\n"
        "workload:\n"
        "  - {name: a, synthetic: {arrival: {process: constant, rate: 1/s},\n"
        "     requests: 2, prompt: {dist: fixed, value: 50000},\n"
        "     output: {dist: fixed, value: 100}}}\n",
        pool_link);
    sc_scenario *sc = load(y);
    srv_summary sum;
    srv_sim *s = run(sc, false, w, &sum);

    ck_assert_int_eq(sum.done, 2);
    *a_min = 1e9;
    *a_max = 0;
    for (size_t i = 0; i < w->n_step; i++) {
        const srv_step_rec *st = &w->step[i];
        double t = st->end_s - st->start_s;

        if (strcmp(st->instance, "decode.0") != 0 || st->batch_size != 1)
            continue;
        *a_min = t < *a_min ? t : *a_min;
        *a_max = t > *a_max ? t : *a_max;
    }
    qsort(w->req, w->n_req, sizeof *w->req, cmp_req);
    ck_assert_uint_eq(w->n_req, 2);
    *b_xfer = w->req[1].kv_transfer_s;
    srv_sim_free(s);
    sc_scenario_free(sc);
    free(y);
}

START_TEST(pool_reads_contend_with_handoffs)
{
    rows own = {0}, shared = {0};
    double lo_own, hi_own, x_own, lo_sh, hi_sh, x_sh;
    double lone = 50000.0 * 131072 / 100e9; /* 65.5 ms */

    run_shared_port("own", &own, &lo_own, &hi_own, &x_own);
    run_shared_port("fabric", &shared, &lo_sh, &hi_sh, &x_sh);
    /* Own link: nothing shared; B's hand-off takes its lone time, a lone
     * step only grows with the context (131 kB more per token: 1.3 us). */
    ck_assert_double_eq_tol(x_own, lone, 2e-9);
    ck_assert(lo_own > lone);
    ck_assert(hi_own < 1.01 * lo_own);
    /* Shared port: B's hand-off and A's reads split it while both flow. */
    ck_assert_double_eq_tol(lo_sh, lo_own, 2e-9);
    ck_assert(x_sh > 1.2 * lone);
    ck_assert(hi_sh > 1.2 * hi_own);
    rows_free(&own);
    rows_free(&shared);
}
END_TEST

/* A session whose 60k-token context (Llama-3.1-8B: 128k) waits 1 s
 * between two calls, kept in device memory or offloaded to a pool behind
 * a 64 GB/s CXL link. */
static void run_long_calls(const char *retention, rows *w, srv_summary *sum)
{
    char *y = hs_asprintf(
        "name: off\nmodel: llama-3.1-8b\n"
        "hardware: {h100: {catalog: h100-sxm}}\n"
        "links: {cxl: {catalog: cxl2-x16}}\n"
        "memory_pools: {p: {capacity: 1TB, bandwidth: 2TB/s, latency: "
        "200ns, link: cxl}}\n"
        "cluster:\n  mode: monolithic\n"
        "  instances: [{name: a, device: h100, count: 1, tp: 1}]\n"
        "  kv_pool: {pool: p}\n"
        "  kv_retention: {policy: %s}\n"
        "workload:\n"
        "  - {name: s, trace: {format: sessions,\n"
        "     path: tests/data/run/long_calls.csv}}\n",
        retention);
    sc_scenario *sc = load(y);
    srv_sim *s = run(sc, false, w, sum);

    ck_assert_uint_eq(w->n_req, 2);
    qsort(w->req, w->n_req, sizeof *w->req, cmp_req);
    srv_sim_free(s);
    sc_scenario_free(sc);
    free(y);
}

START_TEST(session_offload_pays_the_link)
{
    rows keep = {0}, off = {0};
    srv_summary sk, so;
    /* 3,750 whole 16-token blocks of the 60,010-token context, 128 KiB of
     * bf16 KV per token, fetched back at 64 GB/s x 0.82 (the CXL entry's
     * efficiency, measured on PCIe Gen5). */
    double fetch_s = 3750.0 * 16 * 131072 / (64e9 * 0.82);

    run_long_calls("keep", &keep, &sk);
    run_long_calls("offload", &off, &so);
    ck_assert_int_eq(keep.req[1].cached_tokens, 60000);
    ck_assert_int_eq(off.req[1].cached_tokens, 60000);
    ck_assert(off.req[1].ttft_s >= fetch_s);
    ck_assert(off.req[1].ttft_s <= fetch_s + keep.req[1].ttft_s + 1e-3);
    /* keeping it is faster: the 100 new tokens attend over 60k cached */
    ck_assert(keep.req[1].ttft_s < fetch_s / 2);
    rows_free(&keep);
    rows_free(&off);
}
END_TEST

/* The split scenario with layer-wise transfers or mixed fallback, on
 * the least-loaded router (the transfer times compared below include
 * waiting for decode KV blocks, which routing moves by more than the
 * overlap saves).  The devices are the scalar roofline ('calibration:
 * none') and the prefill devices keep the 80 GiB the H100 entry had when
 * this was written: the overload these tests compare under is tuned to
 * them. */
static char *split_with(const char *kv_transfer, const char *fallback)
{
    return hs_asprintf(
        "name: split\nseed: 5\nmodel: llama-3-8b\n"
        "router: {policy: least-loaded, decode_policy: least-loaded}\n"
        "hardware:\n  h100: {catalog: h100-sxm, mem_capacity: 80GiB, "
        "calibration: none}\n"
        "  small: {catalog: h100-sxm, mem_capacity: 19GB, calibration: "
        "none}\n"
        "links: {fabric: {catalog: ib-ndr-400g}}\n"
        "cluster:\n  mode: split\n"
        "  prefill: {device: h100, count: 2, tp: 1, max_batch_tokens: 8192}\n"
        "  decode: {device: small, count: 2, tp: 1, max_batch: 128}\n"
        "  kv_transfer: %s\n  mixed_fallback: %s\n"
        "workload:\n"
        "  - {name: conv, trace: {format: azure, path: "
        "traces/azure_conv.csv,\n"
        "     max_requests: 2000, time_scale: 0.05}}\n",
        kv_transfer, fallback);
}

static double mean_transfer_s(const rows *w)
{
    double sum = 0;
    int64_t n = 0;

    for (size_t i = 0; i < w->n_req; i++)
        if (!isnan(w->req[i].kv_transfer_s)) {
            sum += w->req[i].kv_transfer_s;
            n++;
        }
    return n > 0 ? sum / (double)n : 0;
}

/* Layer-wise transfers overlap with the prefill: KV is ready sooner
 * after the first token than when it moves after the prefill. */
START_TEST(split_layerwise_overlaps)
{
    char *ya = split_with("{link: fabric}", "false");
    char *yb = split_with("{link: fabric, layerwise: true}", "false");
    sc_scenario *sa = load(ya), *sb = load(yb);
    rows a = {0}, b = {0};
    srv_summary ra, rb;
    srv_sim *s1 = run(sa, false, &a, &ra);
    srv_sim *s2 = run(sb, false, &b, &rb);

    ck_assert_int_eq(rb.arrived, rb.done + rb.dropped + rb.unfinished);
    ck_assert_int_eq(rb.unfinished, 0);
    ck_assert_msg(mean_transfer_s(&b) < mean_transfer_s(&a),
                  "layer-wise %.6f s, after prefill %.6f s",
                  mean_transfer_s(&b), mean_transfer_s(&a));
    srv_sim_free(s1);
    srv_sim_free(s2);
    rows_free(&a);
    rows_free(&b);
    sc_scenario_free(sa);
    sc_scenario_free(sb);
    free(ya);
    free(yb);
}
END_TEST

/* Mixed fallback: when the decode pool is full the prefill instances
 * decode requests themselves; requests are conserved and fast-forward
 * still gives the same rows. */
START_TEST(split_mixed_fallback)
{
    char *y = split_with("{link: fabric}", "true");
    sc_scenario *sc = load(y);
    rows a = {0}, b = {0};
    srv_summary sa, sb;
    srv_sim *s1 = run(sc, false, &a, &sa);
    srv_sim *s2 = run(sc, true, &b, &sb);
    int64_t kept = 0;

    ck_assert_int_eq(sa.arrived, sa.done + sa.dropped + sa.unfinished);
    ck_assert_int_eq(sa.unfinished, 0);
    for (int i = 0; i < s1->n_prefill; i++)
        kept += s1->insts[i].fallbacks;
    ck_assert_msg(kept > 0, "no request fell back to a prefill instance");
    same_rows(&a, &b);
    srv_sim_free(s1);
    srv_sim_free(s2);
    rows_free(&a);
    rows_free(&b);
    sc_scenario_free(sc);
    free(y);
}
END_TEST

/* Offload instead of recompute: the pressure scenario with a pool; its
 * preempted requests' KV moves to the pool and back, so fewer prompt
 * tokens are prefilled again than when they are recomputed. */
START_TEST(offload_replaces_recompute)
{
    static const char *const pool[] = {
        "links={cxl: {catalog: cxl2-x16}}",
        "memory_pools={p: {capacity: 1TB, bandwidth: 1TB/s, "
        "latency: 250ns, link: cxl}}",
        "cluster.kv_pool={pool: p, policy: offload}"};
    sc_scenario *base = load(pressure_yaml);
    sc_scenario *off = load_set(pressure_yaml, pool, 3);
    rows a = {0}, b = {0};
    srv_summary sa, sb;
    srv_sim *s1 = run(base, false, &a, &sa);
    srv_sim *s2 = run(off, false, &b, &sb);
    int64_t pa = 0, pb = 0;

    for (size_t i = 0; i < a.n_step; i++)
        pa += a.step[i].prefill_tokens;
    for (size_t i = 0; i < b.n_step; i++)
        pb += b.step[i].prefill_tokens;
    ck_assert_int_eq(sb.arrived, sb.done + sb.dropped + sb.unfinished);
    ck_assert_int_eq(sb.unfinished, 0);
    ck_assert(sa.preemptions > 0 && sb.preemptions > 0);
    ck_assert_msg(pb < pa, "prefilled %lld tokens with offload, %lld without",
                  (long long)pb, (long long)pa);
    srv_sim_free(s1);
    srv_sim_free(s2);
    rows_free(&a);
    rows_free(&b);
    sc_scenario_free(base);
    sc_scenario_free(off);
}
END_TEST

/* ---- the memory pool's traffic as transfer rows ----------------------------- */

/* What a run's pool traffic adds up to, by kind (offload, fetch,
 * stream), in the transfer rows and in the memory pool's metrics. */
typedef struct pool_rows {
    double bytes[3], metric[3];
    int64_t n[3];
    double max_span_s;   /* longest offload or stream row */
    int64_t off_grid;    /* interval rows not on the interval grid */
    double interval_s;   /* of the time series */
    int64_t bad_request; /* interval rows with a request id */
} pool_rows;

static int pool_kind(const char *kind)
{
    return strcmp(kind, "offload") == 0 ? 0
           : strcmp(kind, "fetch") == 0 ? 1
                                        : 2;
}

static int on_pool_transfer(void *ctx, const srv_transfer_rec *r)
{
    pool_rows *p = ctx;
    int k = pool_kind(r->kind);
    double cells = r->start_s / p->interval_s;

    ck_assert_str_ne(r->kind, "kv_pd");
    p->bytes[k] += r->bytes;
    p->n[k]++;
    if (k == 1)
        return 0;
    if (r->end_s - r->start_s > p->max_span_s)
        p->max_span_s = r->end_s - r->start_s;
    p->off_grid += fabs(cells - round(cells)) > 1e-6;
    p->bad_request += r->request_id >= 0;
    return 0;
}

static int on_pool_metric(void *ctx, const char *scope, const char *name,
                          double v)
{
    pool_rows *p = ctx;

    (void)scope;
    if (strcmp(name, "offloaded_bytes") == 0)
        p->metric[0] += v;
    else if (strcmp(name, "fetched_bytes") == 0)
        p->metric[1] += v;
    else if (strcmp(name, "streamed_bytes") == 0)
        p->metric[2] += v;
    return 0;
}

static void run_pool_rows(const sc_scenario *sc, pool_rows *p)
{
    srv_options opt = {.seed = sc->seed};
    srv_sink sink = {
        .ctx = p, .transfer = on_pool_transfer, .metric = on_pool_metric};
    srv_sim *s = NULL;
    hs_diag *d = hs_diag_new();

    memset(p, 0, sizeof *p);
    p->interval_s = sc->output.timeseries_interval_s;
    ck_assert_int_eq(srv_sim_new(sc, &opt, &sink, &s, d), HS_OK);
    ck_assert_int_eq(srv_sim_run(s, d), HS_OK);
    srv_sim_free(s);
    hs_diag_free(d);
}

/* Pool-resident decode of one 100k-token request: its steps' streams are
 * 'stream' rows, one per 10 ms interval, adding up exactly to the
 * pool's streamed_bytes. */
START_TEST(pool_streams_are_interval_rows)
{
    char *y = pool_yaml("pool-resident");
    sc_scenario *sc = load(y);
    pool_rows p;

    run_pool_rows(sc, &p);
    ck_assert_int_gt(p.n[2], 1);
    ck_assert(p.bytes[2] > 0);
    ck_assert(p.bytes[2] == p.metric[2]);
    ck_assert_int_eq(p.n[0] + p.n[1], 0);
    ck_assert(p.max_span_s <= 0.01 + 1e-12);
    ck_assert_int_eq(p.off_grid, 0);
    ck_assert_int_eq(p.bad_request, 0);
    sc_scenario_free(sc);
    free(y);
}
END_TEST

/* Swapping preempted requests to a pool: offload rows (per 100 ms) and
 * fetch rows add up exactly to offloaded_bytes and fetched_bytes. */
START_TEST(pool_offloads_and_fetches_are_rows)
{
    static const char *const pool[] = {
        "links={cxl: {catalog: cxl2-x16}}",
        "memory_pools={p: {capacity: 1TB, bandwidth: 1TB/s, "
        "latency: 250ns, link: cxl}}",
        "cluster.kv_pool={pool: p, policy: offload}"};
    sc_scenario *sc = load_set(pressure_yaml, pool, 3);
    pool_rows p;

    run_pool_rows(sc, &p);
    ck_assert_int_gt(p.n[0], 0);
    ck_assert_int_gt(p.n[1], 0);
    ck_assert(p.bytes[0] == p.metric[0]);
    ck_assert(p.bytes[1] == p.metric[1]);
    ck_assert_int_eq(p.n[2], 0);
    ck_assert(p.max_span_s <= 0.1 + 1e-12);
    ck_assert_int_eq(p.off_grid, 0);
    sc_scenario_free(sc);
}
END_TEST

/* The sampler steps one interval while the next event is at most one
 * away, else jumps to the first grid time at or after it; it never
 * overflows. */
START_TEST(sampler_jumps_idle_spans)
{
    hs_time m = HS_TIME_MAX;

    ck_assert_int_eq(srv_next_sample(0, 5, 10), 10);
    ck_assert_int_eq(srv_next_sample(20, 30, 10), 30);
    ck_assert_int_eq(srv_next_sample(20, 20, 10), 30);
    ck_assert_int_eq(srv_next_sample(20, 31, 10), 40);
    ck_assert_int_eq(srv_next_sample(20, 40, 10), 40);
    ck_assert_int_eq(srv_next_sample(20, 1000001, 10), 1000010);
    ck_assert_int_eq(srv_next_sample(0, m - 5, 10), m);
    ck_assert_int_eq(srv_next_sample(m - m % 10, m, 10), m);
    ck_assert_int_eq(srv_next_sample(m - m % 10 - 20, m - m % 10 - 1, 10),
                     m - m % 10);
    ck_assert_int_eq(srv_next_sample(m - m % 10 - 20, m - 1, 10), m);
}
END_TEST

/* The cluster's invariants (srv_check.c) hold through a run checked
 * after every event, and the checker sees each broken one. */
START_TEST(cluster_check_sees_broken_invariants)
{
    char *y = md1_yaml(50.0, 40);
    sc_scenario *sc = load(y);
    rows w = {0};
    srv_summary sum;
    srv_sim *s = run_checked(sc, false, true, &w, &sum);
    srv_inst *in = &s->insts[0];

    ck_assert(srv_check_cluster(s, NULL));
    s->stats.arrived++; /* S1: a request lost */
    ck_assert(!srv_check_cluster(s, NULL));
    s->stats.arrived--;
    s->stats.dropped++; /* S1: counted twice */
    ck_assert(!srv_check_cluster(s, NULL));
    s->stats.dropped--;
    in->wait.n++; /* S2: placed but not in flight */
    ck_assert(!srv_check_cluster(s, NULL));
    in->wait.n--;
    in->max_batch = in->n_running - 1; /* S3: a batch over max_batch */
    ck_assert(!srv_check_cluster(s, NULL));
    srv_sim_free(s);
    rows_free(&w);
    sc_scenario_free(sc);
    free(y);
}
END_TEST

Suite *srv_sim_suite(void)
{
    Suite *s = suite_create("srv_sim");
    TCase *q = tcase_create("queueing");
    TCase *c = tcase_create("laws");

    tcase_set_timeout(q, 120);
    tcase_set_timeout(c, 120);
    tcase_add_test(q, md1_rho_05);
    tcase_add_test(q, md1_rho_08);
    tcase_add_test(c, conservation_and_littles_law);
    tcase_add_test(c, fast_forward_matches_single_stepping);
    tcase_add_test(c, same_seed_same_rows);
    tcase_add_test(c, closed_loop_keeps_n_in_flight);
    tcase_add_test(c, oversized_request_is_dropped);
    tcase_add_test(c, split_conserves_requests);
    tcase_add_test(c, split_fast_forward_matches);
    tcase_add_test(c, session_keep_reuses_prefix);
    tcase_add_test(c, session_drop_prefills_all);
    tcase_add_test(c, session_closed_loop_follows_the_cluster);
    tcase_add_test(c, mooncake_block_hits_match_independent_count);
    tcase_add_test(c, hbm_only_cannot_hold_long_context);
    tcase_add_test(c, pool_resident_step_adds_the_link);
    tcase_add_test(c, pool_resident_never_faster_than_local);
    tcase_add_test(c, pool_bandwidth_is_shared_at_each_moment);
    tcase_add_test(c, pool_reads_contend_with_handoffs);
    tcase_add_test(c, session_offload_pays_the_link);
    tcase_add_test(c, split_layerwise_overlaps);
    tcase_add_test(c, split_mixed_fallback);
    tcase_add_test(c, offload_replaces_recompute);
    tcase_add_test(c, pool_streams_are_interval_rows);
    tcase_add_test(c, pool_offloads_and_fetches_are_rows);
    tcase_add_test(c, sampler_jumps_idle_spans);
    tcase_add_test(c, cluster_check_sees_broken_invariants);
    suite_add_tcase(s, q);
    suite_add_tcase(s, c);
    return s;
}
