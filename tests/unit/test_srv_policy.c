/*
 * test_srv_policy.c -- serve's policy registries and each router policy
 * on real instances (built from a scenario, their queues and KV blocks
 * set by hand): round-robin cycles, least-loaded picks the fewest
 * outstanding tokens (or, as the decode router, the smallest KV share),
 * kv-aware the most free blocks net of queued work, random is uniform
 * and reproducible from its seed, cache-aware the lowest expected time
 * to first token (queued prefill plus the prompt tokens the instance's
 * prefix cache does not hold, at its prefill rate).  Ties go to the
 * lowest index.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hetsim/io.h"
#include "serve/serve_int.h"

Suite *srv_policy_suite(void);

/* Four identical instances (block size 16) and no traffic. */
static const char *const four_yaml =
    "name: four\nseed: 5\nmodel: llama-3-8b\n"
    "hardware: {h100: {catalog: h100-sxm}}\n"
    "cluster:\n  mode: monolithic\n"
    "  instances: [{name: g, device: h100, count: 4, tp: 1}]\n"
    "workload:\n"
    "  - {name: p, synthetic: {arrival: {process: poisson, rate: 1/s},\n"
    "     requests: 1, prompt: {dist: fixed, value: 10},\n"
    "     output: {dist: fixed, value: 1}}}\n";

typedef struct fleet {
    sc_scenario *sc;
    srv_sim *s;
} fleet;

static void fleet_open(fleet *f)
{
    io_scenario_opts o = {0};
    hs_diag *d = hs_diag_new();
    srv_options opt = {0};

    o.text = four_yaml;
    o.catalog_dir = "configs";
    ck_assert_int_eq(io_scenario_load_opts("four.yaml", &o, &f->sc, d), HS_OK);
    opt.seed = 5;
    ck_assert_int_eq(srv_sim_new(f->sc, &opt, NULL, &f->s, d), HS_OK);
    ck_assert_int_eq(f->s->n_insts, 4);
    hs_diag_free(d);
}

static void fleet_close(fleet *f)
{
    srv_sim_free(f->s);
    sc_scenario_free(f->sc);
}

/* Queue a request of 'prompt' tokens and 'output' tokens at instance i. */
static void queue(fleet *f, int i, int64_t prompt, int64_t output)
{
    srv_req *r = srv_req_new(&f->s->reqs);

    r->prompt = r->target = prompt;
    r->output = output;
    r->admitted = r->first_token = -1;
    srv_inst_enqueue(&f->s->insts[i], r);
}

static int pick(srv_router *r, fleet *f)
{
    return r->ops->select(r, f->s->inst_ptrs, f->s->n_insts, NULL);
}

/* A new request of 'prompt' tokens whose prefix ids are derived from
 * 'key', one 16-token block each (an agent session's context). */
static srv_req *prefixed(fleet *f, int64_t prompt, uint64_t key)
{
    srv_req *r = srv_req_new(&f->s->reqs);

    r->prompt = r->target = r->prefix_limit = prompt;
    r->output = 1;
    r->admitted = r->first_token = -1;
    r->prefix_key = key;
    r->id_tokens = 16;
    return r;
}

/* Instance i's prefix cache holds the first 'n' blocks of 'r'
 * (evictable, as after the call that computed them). */
static void cache_blocks(fleet *f, int i, const srv_req *r, int64_t n)
{
    srv_inst *in = &f->s->insts[i];

    for (int64_t k = 0; k < n; k++)
        srv_pcache_unpin(&in->cache,
                         srv_kv_cache_add(in, srv_req_block_id(r, k), 1), 0);
}

static int pick_for(srv_router *r, fleet *f, const srv_req *req)
{
    return r->ops->select(r, f->s->inst_ptrs, f->s->n_insts, req);
}

START_TEST(registries_find_every_policy_by_name)
{
    ck_assert_ptr_eq(srv_route_find("round-robin"), &srv_route_round_robin);
    ck_assert_ptr_eq(srv_route_find("least-loaded"), &srv_route_least_loaded);
    ck_assert_ptr_eq(srv_route_find("random"), &srv_route_random);
    ck_assert_ptr_eq(srv_route_find("kv-aware"), &srv_route_kv_aware);
    ck_assert_ptr_eq(srv_route_find("cache-aware"), &srv_route_cache_aware);
    ck_assert_ptr_eq(srv_sched_find("chunked"), &srv_sched_chunked);
    ck_assert_ptr_eq(srv_sched_find("prefill-first"),
                     &srv_sched_prefill_first);
    ck_assert_ptr_eq(srv_sched_find("decode-only"), &srv_sched_decode_only);
    ck_assert_ptr_eq(srv_kvpol_find("hbm-only"), &srv_kvpol_hbm_only);
    ck_assert_ptr_eq(srv_kvpol_find("offload"), &srv_kvpol_offload);
    ck_assert_ptr_eq(srv_kvpol_find("pool-resident"),
                     &srv_kvpol_pool_resident);
    ck_assert_ptr_eq(srv_retain_find("keep"), &srv_retain_keep);
    ck_assert_ptr_eq(srv_retain_find("offload"), &srv_retain_offload);
    ck_assert_ptr_eq(srv_retain_find("drop"), &srv_retain_drop);
    ck_assert_ptr_null(srv_route_find("fastest"));
    ck_assert_ptr_null(srv_sched_find(""));
    ck_assert_ptr_null(srv_kvpol_find("hbm"));
    ck_assert_ptr_null(srv_retain_find("forget"));
}
END_TEST

START_TEST(public_names_follow_the_registries)
{
    static const char *const routers[] = {
        "cache-aware", "round-robin", "least-loaded", "random", "kv-aware"};

    ck_assert_uint_eq(srv_policy_count(SRV_POLICY_ROUTER), 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_str_eq(srv_policy_name(SRV_POLICY_ROUTER, i), routers[i]);
    ck_assert_uint_eq(srv_policy_count(SRV_POLICY_SCHEDULER), 4);
    ck_assert_uint_eq(srv_policy_count(SRV_POLICY_KV_POOL), 3);
    ck_assert_uint_eq(srv_policy_count(SRV_POLICY_RETENTION), 3);
    ck_assert(srv_policy_known(SRV_POLICY_KV_POOL, "pool-resident"));
    ck_assert(srv_policy_known(SRV_POLICY_SCHEDULER, "prefill-first"));
    ck_assert(srv_policy_known(SRV_POLICY_SCHEDULER, "inflight"));
    ck_assert(!srv_policy_known(SRV_POLICY_RETENTION, "pool-resident"));
    ck_assert(!srv_policy_known(SRV_POLICY_ROUTER, "Random"));
}
END_TEST

/* The scenario's enumerations of KV pool and retention policies (which
 * carry the loader's rules) name exactly the registered policies. */
START_TEST(scenario_enums_match_the_registries)
{
#define SC_NAME(e, name) name,
    static const char *const pools[] = {SC_KV_POOL_POLICIES(SC_NAME)};
    static const char *const retains[] = {SC_RETENTION_POLICIES(SC_NAME)};
#undef SC_NAME

    ck_assert_uint_eq(srv_policy_count(SRV_POLICY_KV_POOL),
                      sizeof pools / sizeof pools[0]);
    for (size_t i = 0; i < sizeof pools / sizeof pools[0]; i++)
        ck_assert_msg(srv_policy_known(SRV_POLICY_KV_POOL, pools[i]), "%s",
                      pools[i]);
    ck_assert_uint_eq(srv_policy_count(SRV_POLICY_RETENTION),
                      sizeof retains / sizeof retains[0]);
    for (size_t i = 0; i < sizeof retains / sizeof retains[0]; i++)
        ck_assert_msg(srv_policy_known(SRV_POLICY_RETENTION, retains[i]), "%s",
                      retains[i]);
}
END_TEST

START_TEST(round_robin_cycles)
{
    fleet f;
    srv_router r;

    fleet_open(&f);
    srv_router_init(&r, &srv_route_round_robin, 1, false);
    for (int i = 0; i < 9; i++)
        ck_assert_int_eq(pick(&r, &f), i % 4);
    srv_router_fini(&r);
    fleet_close(&f);
}
END_TEST

START_TEST(least_loaded_counts_outstanding_tokens)
{
    fleet f;
    srv_router r;

    fleet_open(&f);
    srv_router_init(&r, &srv_route_least_loaded, 1, false);
    ck_assert_int_eq(pick(&r, &f), 0); /* all idle: the lowest index */
    queue(&f, 0, 100, 10);             /* 110 tokens */
    queue(&f, 1, 50, 50);              /* 100 */
    queue(&f, 2, 30, 20);              /* 50 */
    queue(&f, 3, 40, 10);              /* 50: a tie, index 2 wins */
    ck_assert_int_eq(srv_host_outstanding(f.s->inst_ptrs[0]), 110);
    ck_assert_int_eq(pick(&r, &f), 2);
    queue(&f, 2, 1, 1);
    ck_assert_int_eq(pick(&r, &f), 3);
    srv_router_fini(&r);
    fleet_close(&f);
}
END_TEST

START_TEST(least_loaded_by_kv_share)
{
    fleet f;
    srv_router r;
    int64_t total;

    fleet_open(&f);
    srv_router_init(&r, &srv_route_least_loaded, 1, true);
    total = f.s->insts[0].total_blocks;
    ck_assert_int_gt(total, 100);
    f.s->insts[0].used_blocks = 10;
    f.s->insts[1].used_blocks = 3;
    f.s->insts[2].used_blocks = 3;
    f.s->insts[3].used_blocks = 7;
    queue(&f, 1, 100000, 1000); /* tokens do not count by KV */
    ck_assert_int_eq(pick(&r, &f), 1);
    f.s->insts[1].used_blocks = 4;
    ck_assert_int_eq(pick(&r, &f), 2);
    for (int i = 0; i < 4; i++)
        f.s->insts[i].used_blocks = 0;
    srv_router_fini(&r);
    fleet_close(&f);
}
END_TEST

START_TEST(kv_aware_nets_out_queued_blocks)
{
    fleet f;
    srv_router r;

    fleet_open(&f);
    srv_router_init(&r, &srv_route_kv_aware, 1, false);
    /* Free blocks minus the blocks queued requests will claim (16-token
     * blocks): 0 has 100 used + 0 queued, 1 has 0 used + 7 queued
     * (100 tokens), 2 has 50 used + 1 queued, 3 has 0 used + 2 queued
     * (two 16-token prompts: one block each). */
    f.s->insts[0].used_blocks = 100;
    queue(&f, 1, 100, 5);
    f.s->insts[2].used_blocks = 50;
    queue(&f, 2, 16, 5);
    queue(&f, 3, 16, 5);
    queue(&f, 3, 16, 5);
    ck_assert_int_eq(srv_host_queued_blocks(f.s->inst_ptrs[1]), 7);
    ck_assert_int_eq(srv_host_queued_blocks(f.s->inst_ptrs[3]), 2);
    ck_assert_int_eq(pick(&r, &f), 3);
    queue(&f, 3, 100, 5); /* now 9 queued at 3 */
    ck_assert_int_eq(pick(&r, &f), 1);
    for (int i = 0; i < 4; i++)
        f.s->insts[i].used_blocks = 0;
    srv_router_fini(&r);
    fleet_close(&f);
}
END_TEST

/* The host queries cache-aware reads: prefill tokens left (a waiting
 * request counts its whole prompt), cached tokens of a request (whole
 * blocks, leaving its last token to compute), the prefill rate. */
START_TEST(cache_aware_host_queries)
{
    fleet f;
    srv_req *r;
    double rate;

    fleet_open(&f);
    r = prefixed(&f, 1000, 77);
    queue(&f, 1, 300, 40);
    queue(&f, 1, 20, 5);
    ck_assert_int_eq(srv_host_prefill_left(f.s->inst_ptrs[1]), 320);
    ck_assert_int_eq(srv_host_outstanding(f.s->inst_ptrs[1]), 365);
    ck_assert_int_eq(srv_host_cached_tokens(f.s->inst_ptrs[2], r), 0);
    cache_blocks(&f, 2, r, 30);
    ck_assert_int_eq(srv_host_cached_tokens(f.s->inst_ptrs[2], r), 480);
    cache_blocks(&f, 3, r, 70); /* more than the prompt's 62 whole blocks */
    ck_assert_int_eq(srv_host_cached_tokens(f.s->inst_ptrs[3], r), 992);
    r->target = r->prefix_limit = 992; /* a whole-block prompt: its last */
    ck_assert_int_eq(srv_host_cached_tokens(f.s->inst_ptrs[3], r), 976);
    f.s->insts[3].caching = false; /* token is computed, or none cached */
    ck_assert_int_eq(srv_host_cached_tokens(f.s->inst_ptrs[3], r), 0);
    f.s->insts[3].caching = true;
    /* Llama-3-8B on one H100: some tens of thousands of tokens/s. */
    rate = srv_host_prefill_rate(f.s->inst_ptrs[0]);
    ck_assert_msg(rate > 1e4 && rate < 1e5, "rate %g", rate);
    ck_assert_double_eq(srv_host_prefill_rate(f.s->inst_ptrs[3]), rate);
    srv_req_free(&f.s->reqs, r);
    fleet_close(&f);
}
END_TEST

START_TEST(cache_aware_prefers_the_cached_prefix_at_equal_load)
{
    fleet f;
    srv_router rt;
    srv_req *r;

    fleet_open(&f);
    srv_router_init(&rt, &srv_route_cache_aware, 1, false);
    r = prefixed(&f, 1000, 5);
    ck_assert_int_eq(pick_for(&rt, &f, r), 0); /* nothing cached: index 0 */
    cache_blocks(&f, 2, r, 10);
    ck_assert_int_eq(pick_for(&rt, &f, r), 2);
    cache_blocks(&f, 1, r, 11); /* a longer prefix wins */
    ck_assert_int_eq(pick_for(&rt, &f, r), 1);
    cache_blocks(&f, 3, r, 11); /* as long: the lower index */
    ck_assert_int_eq(pick_for(&rt, &f, r), 1);
    srv_req_free(&f.s->reqs, r);
    srv_router_fini(&rt);
    fleet_close(&f);
}
END_TEST

/* Instance 3 holds 480 of the 1000 prompt tokens: it saves 480 tokens of
 * prefill, so a queue of fewer than 480 prefill tokens there is worth
 * waiting for, 480 is a tie (every instance 1000 tokens away: index 0),
 * and a long queue sends the request to an idle instance. */
START_TEST(cache_aware_weighs_the_prefix_against_the_queue)
{
    fleet f;
    srv_router rt;
    srv_req *r;

    fleet_open(&f);
    srv_router_init(&rt, &srv_route_cache_aware, 1, false);
    r = prefixed(&f, 1000, 9);
    cache_blocks(&f, 3, r, 30);
    queue(&f, 3, 479, 100); /* output tokens do not delay a first token */
    ck_assert_int_eq(pick_for(&rt, &f, r), 3);
    queue(&f, 3, 1, 1); /* 480: a tie with the idle instances */
    ck_assert_int_eq(pick_for(&rt, &f, r), 0);
    queue(&f, 0, 1, 1);
    queue(&f, 1, 1, 1); /* 0 and 1 one token busier: 2 ties 3, 2 wins */
    ck_assert_int_eq(pick_for(&rt, &f, r), 2);
    queue(&f, 3, 5000, 1); /* a long queue: the idle instance */
    queue(&f, 2, 1, 1);
    ck_assert_int_eq(pick_for(&rt, &f, r), 0);
    srv_req_free(&f.s->reqs, r);
    srv_router_fini(&rt);
    fleet_close(&f);
}
END_TEST

/* Running requests take one token slot each of every step (8192 by
 * default), so 256 of them leave prefill 7936/8192 of the rate: 1000
 * tokens there take as long as 1032.26 tokens on an idle instance. */
START_TEST(cache_aware_counts_running_decodes)
{
    fleet f;
    srv_router rt;
    srv_req *r;

    fleet_open(&f);
    srv_router_init(&rt, &srv_route_cache_aware, 1, false);
    r = prefixed(&f, 1000, 3);
    for (int i = 2; i < 4; i++)
        queue(&f, i, 100, 1);
    f.s->insts[0].n_running = 256; /* as seen by the router only */
    queue(&f, 1, 32, 1);
    ck_assert_int_eq(pick_for(&rt, &f, r), 1);
    queue(&f, 1, 1, 1);
    ck_assert_int_eq(pick_for(&rt, &f, r), 0);
    f.s->insts[0].n_running = 0;
    srv_req_free(&f.s->reqs, r);
    srv_router_fini(&rt);
    fleet_close(&f);
}
END_TEST

/* As the decode router it is least-loaded's KV-share choice. */
START_TEST(cache_aware_decode_router_is_least_kv)
{
    fleet f;
    srv_router rt;
    srv_req *r;

    fleet_open(&f);
    srv_router_init(&rt, &srv_route_cache_aware, 1, true);
    r = prefixed(&f, 1000, 4);
    cache_blocks(&f, 0, r, 30); /* 30 blocks used: caches do not attract */
    f.s->insts[1].used_blocks = 5;
    f.s->insts[2].used_blocks = 2;
    f.s->insts[3].used_blocks = 2;
    ck_assert_int_eq(pick_for(&rt, &f, r), 2);
    for (int i = 1; i < 4; i++)
        f.s->insts[i].used_blocks = 0;
    srv_req_free(&f.s->reqs, r);
    srv_router_fini(&rt);
    fleet_close(&f);
}
END_TEST

START_TEST(random_is_uniform_and_seeded)
{
    fleet f;
    srv_router a, b, c;
    int64_t count[4] = {0, 0, 0, 0};
    int n = 40000, same_c = 0;
    double chi2 = 0;

    fleet_open(&f);
    srv_router_init(&a, &srv_route_random, 42, false);
    srv_router_init(&b, &srv_route_random, 42, false);
    srv_router_init(&c, &srv_route_random, 43, false);
    for (int i = 0; i < n; i++) {
        int x = pick(&a, &f);

        ck_assert_int_eq(pick(&b, &f), x); /* same seed, same draws */
        same_c += pick(&c, &f) == x;
        ck_assert(x >= 0 && x < 4);
        count[x]++;
    }
    for (int i = 0; i < 4; i++) {
        double e = n / 4.0;

        chi2 += ((double)count[i] - e) * ((double)count[i] - e) / e;
    }
    /* Chi-square with 3 degrees of freedom: P(> 16.27) = 0.001. */
    ck_assert_msg(chi2 < 16.27, "chi2 %.2f", chi2);
    /* Another seed is another stream: it agrees about 1 time in 4. */
    ck_assert_msg(same_c > n / 5 && same_c < n * 3 / 10, "agreed %d", same_c);
    srv_router_fini(&a);
    srv_router_fini(&b);
    srv_router_fini(&c);
    fleet_close(&f);
}
END_TEST

Suite *srv_policy_suite(void)
{
    Suite *s = suite_create("srv_policy");
    TCase *tc = tcase_create("routers");

    tcase_add_test(tc, registries_find_every_policy_by_name);
    tcase_add_test(tc, public_names_follow_the_registries);
    tcase_add_test(tc, scenario_enums_match_the_registries);
    tcase_add_test(tc, round_robin_cycles);
    tcase_add_test(tc, least_loaded_counts_outstanding_tokens);
    tcase_add_test(tc, least_loaded_by_kv_share);
    tcase_add_test(tc, kv_aware_nets_out_queued_blocks);
    tcase_add_test(tc, random_is_uniform_and_seeded);
    tcase_add_test(tc, cache_aware_host_queries);
    tcase_add_test(tc, cache_aware_prefers_the_cached_prefix_at_equal_load);
    tcase_add_test(tc, cache_aware_weighs_the_prefix_against_the_queue);
    tcase_add_test(tc, cache_aware_counts_running_decodes);
    tcase_add_test(tc, cache_aware_decode_router_is_least_kv);
    suite_add_tcase(s, tc);
    return s;
}
