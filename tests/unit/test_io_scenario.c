/*
 * test_io_scenario.c -- scenario files into sc_scenario: every section of
 * a complete file (tests/data/scenarios/good.yaml) with its values and
 * defaults, exact diagnostics for each kind of mistake, several mistakes
 * reported together, --set overrides and variants.  Catalog entries come
 * from tests/data/catalog; tests run from the repository root.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ck_util.h"
#include "hetsim/io.h"

Suite *io_scenario_suite(void);

#define TEST_CAT "tests/data/catalog"
#define DIR "tests/data/scenarios"

static hs_diag *diag;
static sc_scenario *sc;

static void setup(void)
{
    diag = hs_diag_new();
    sc = NULL;
}

static void teardown(void)
{
    sc_scenario_free(sc);
    hs_diag_free(diag);
}

/* Every message, one per line (static). */
static const char *messages(void)
{
    const char *text = ck_diag_text(diag);

    hs_diag_clear(diag);
    return text;
}

/* Compare the messages with 'want'; on a difference show the first line
 * that differs (whole lists are too long for one failure message). */
static void expect(const char *want)
{
    const char *got = messages();
    size_t i = 0, line;

    while (got[i] != '\0' && got[i] == want[i])
        i++;
    if (got[i] == want[i])
        return;
    line = i;
    while (line > 0 && got[line - 1] != '\n')
        line--;
    ck_assert_msg(0, "messages differ:\n got: %.400s\nwant: %.400s",
                  got + line, want + line);
}

/* Load 'text' as DIR/t.yaml with up to three overrides and a variant. */
static int load_text(const char *text, const char *variant, const char *o1,
                     const char *o2, const char *o3)
{
    io_override ovr[3];
    io_scenario_opts opts;
    size_t n = 0;

    if (o1 != NULL)
        ovr[n++].arg = o1;
    if (o2 != NULL)
        ovr[n++].arg = o2;
    if (o3 != NULL)
        ovr[n++].arg = o3;
    memset(&opts, 0, sizeof opts);
    opts.text = text;
    opts.catalog_dir = TEST_CAT;
    opts.variant = variant;
    opts.ovr = ovr;
    opts.n_ovr = n;
    sc_scenario_free(sc);
    sc = NULL;
    return io_scenario_load_opts(DIR "/t.yaml", &opts, &sc, diag);
}

static int load_file(const char *path, const char *variant)
{
    io_scenario_opts opts;

    memset(&opts, 0, sizeof opts);
    opts.catalog_dir = TEST_CAT;
    opts.variant = variant;
    sc_scenario_free(sc);
    sc = NULL;
    return io_scenario_load_opts(path, &opts, &sc, diag);
}

/* A valid scenario; line numbers matter to the tests below. */
static const char base[] =
    "model: tiny\n"                                   /* 1 */
    "hardware:\n"                                     /* 2 */
    "  a: {catalog: gpu-a}\n"                         /* 3 */
    "cluster:\n"                                      /* 4 */
    "  instances: [{name: mono, device: a, tp: 2}]\n" /* 5 */
    "workload:\n"                                     /* 6 */
    "  - name: s\n"                                   /* 7 */
    "    synthetic:\n"                                /* 8 */
    "      arrival: {process: poisson, rate: 2/s}\n"  /* 9 */
    "      requests: 10\n"                            /* 10 */
    "      prompt: {dist: fixed, value: 100}\n"       /* 11 */
    "      output: {dist: fixed, value: 10}\n";       /* 12 */

/* 'base' with line 'line' (1-based) replaced by 'repl' (which may hold
 * several lines, or be "" to delete the line) (static). */
static const char *edit(int line, const char *repl)
{
    static char buf[4096];
    const char *p = base;

    buf[0] = '\0';
    for (int i = 1; *p != '\0'; i++) {
        const char *nl = strchr(p, '\n');
        size_t len = (size_t)(nl - p) + 1;

        if (i == line)
            strcat(buf, repl);
        else
            strncat(buf, p, len);
        p += len;
    }
    return buf;
}

/* ---- valid files -------------------------------------------------------- */

START_TEST(base_text_is_valid)
{
    ck_assert_int_eq(load_text(base, NULL, NULL, NULL, NULL), HS_OK);
    expect("");
    ck_assert_str_eq(sc->name, "t");
    ck_assert_str_eq(sc->yaml, base);
    ck_assert_str_eq(sc->path, DIR "/t.yaml");
}
END_TEST

START_TEST(every_section_is_bound)
{
    const sc_cluster *cl;
    const wl_source_spec *w;

    ck_assert_int_eq(load_file(DIR "/good.yaml", NULL), HS_OK);
    expect("");
    ck_assert_str_eq(sc->name, "good");
    ck_assert_uint_eq(sc->seed, 7);
    ck_assert_ptr_nonnull(strstr(sc->yaml, "name: good\nseed: 7\n"));
    ck_assert_str_eq(sc->model.name, "tiny");
    ck_assert_str_eq(sc->model_catalog, "tiny");
    ck_assert_int_eq(sc->model.layers, 2);
    ck_assert_int_eq(sc->precision.weights, COST_FP8);
    ck_assert_int_eq(sc->precision.kv, COST_FP8);
    ck_assert_int_eq(sc->precision.activations, COST_BF16);
    ck_assert_str_eq(sc->catalog_dir, TEST_CAT);

    /* links: two written, then gpu-a's default link added from the
     * catalog */
    ck_assert_uint_eq(sc->n_links, 3);
    ck_assert_str_eq(sc->links[0].name, "optical");
    ck_assert_ptr_null(sc->links[0].catalog);
    ck_assert_double_eq(sc->links[0].link.bandwidth, 500e9);
    ck_assert_double_eq_tol(sc->links[0].link.latency_s, 150e-9, 1e-18);
    ck_assert_str_eq(sc->links[1].name, "net");
    ck_assert_str_eq(sc->links[1].catalog, "slowlink");
    ck_assert_str_eq(sc->links[1].link.name, "net");
    ck_assert_double_eq(sc->links[1].link.bandwidth, 50e9);
    ck_assert_double_eq_tol(sc->links[1].link.latency_s, 10e-6, 1e-15);
    ck_assert_str_eq(sc->links[2].name, "fastlink");
    ck_assert(sc->links[2].implicit);
    ck_assert(!sc->links[1].implicit);

    ck_assert_uint_eq(sc->n_hardware, 3);
    ck_assert_str_eq(sc->hardware[0].name, "a");
    ck_assert_str_eq(sc->hardware[0].dev.name, "a");
    ck_assert_str_eq(sc->hardware[0].catalog, "gpu-a");
    ck_assert_int_eq(sc->hardware[0].link, 2);
    ck_assert_double_eq(sc->hardware[1].dev.power_busy_w, 500);
    ck_assert_double_eq(sc->hardware[1].dev.power_idle_w, 50);
    ck_assert_double_eq(sc->hardware[1].dev.peak_flops[COST_FP8], 1e15);
    ck_assert_double_eq(sc->hardware[1].dev.peak_flops[COST_BF16], 500e12);
    ck_assert_int_eq(sc->hardware[1].link, SC_NONE);
    ck_assert_ptr_null(sc->hardware[2].catalog);
    ck_assert_double_eq(sc->hardware[2].dev.power_idle_w, 225);
    ck_assert_double_eq(sc->hardware[2].dev.eta_compute, 0.7);
    ck_assert_double_eq(sc->hardware[2].dev.mem_bytes, 96e9);

    ck_assert_uint_eq(sc->n_pools, 1);
    ck_assert_str_eq(sc->pools[0].name, "kv-pool");
    ck_assert_double_eq(sc->pools[0].capacity_bytes, 16e12);
    ck_assert_double_eq(sc->pools[0].bandwidth, 2e12);
    ck_assert_double_eq_tol(sc->pools[0].latency_s, 200e-9, 1e-18);
    ck_assert_int_eq(sc->pools[0].link, 0);

    cl = &sc->cluster;
    ck_assert_int_eq(cl->mode, SC_MODE_SPLIT);
    ck_assert_uint_eq(cl->n_instances, 2);
    ck_assert_str_eq(cl->instances[0].name, "mono");
    ck_assert_int_eq(cl->instances[0].device, 0);
    ck_assert_int_eq(cl->instances[0].count, 4);
    ck_assert_int_eq(cl->instances[0].tp, 8);
    ck_assert_int_eq(cl->instances[0].link, 2);
    ck_assert(!cl->instances[1].chunked_prefill);
    ck_assert_int_eq(cl->instances[1].link, SC_NONE);
    ck_assert(cl->has_prefill && cl->has_decode);
    ck_assert_str_eq(cl->prefill.name, "prefill");
    ck_assert_int_eq(cl->prefill.device, 2);
    ck_assert_int_eq(cl->prefill.count, 4);
    ck_assert_int_eq(cl->prefill.tp, 2);
    ck_assert_int_eq(cl->prefill.max_batch_tokens, 16384);
    ck_assert_int_eq(cl->prefill.link, 0);
    ck_assert_int_eq(cl->decode.device, 0);
    ck_assert_int_eq(cl->decode.max_batch, 128);
    ck_assert_int_eq(cl->decode.link, 2);
    ck_assert_int_eq(cl->kv_transfer_link, 1);
    ck_assert(cl->kv_transfer_layerwise);
    ck_assert_int_eq(cl->kv_pool, 0);
    ck_assert_int_eq(cl->kv_pool_policy, SC_KV_OFFLOAD);
    ck_assert_int_eq(cl->retention, SC_RETAIN_OFFLOAD);
    ck_assert_double_eq(cl->retention_idle_timeout_s, 300);
    ck_assert(!cl->prefix_cache);
    ck_assert_int_eq(cl->block_size, 32);
    ck_assert(cl->mixed_fallback);
    ck_assert_str_eq(sc->router.policy, "kv-aware");
    ck_assert_str_eq(sc->router.decode_policy, "round-robin");

    ck_assert_uint_eq(sc->n_workload, 3);
    w = &sc->workload[0];
    ck_assert_str_eq(w->name, "conv");
    ck_assert_int_eq(w->kind, WL_SOURCE_TRACE);
    ck_assert_int_eq(w->trace.format, WL_TRACE_HETSIM);
    ck_assert_str_eq(w->trace.path, DIR "/trace.csv");
    ck_assert_double_eq(w->trace.time_scale, 0.5);
    ck_assert_int_eq(w->trace.max_requests, 1000);
    w = &sc->workload[1];
    ck_assert_int_eq(w->kind, WL_SOURCE_SYNTHETIC);
    ck_assert_int_eq(w->synthetic.arrival.kind, WL_ARRIVAL_GAMMA);
    ck_assert_double_eq(w->synthetic.arrival.rate, 5);
    ck_assert_double_eq(w->synthetic.arrival.cv, 2);
    ck_assert_int_eq(w->synthetic.requests, 10000);
    ck_assert_double_eq(w->synthetic.horizon_s, 3600);
    ck_assert_int_eq(w->synthetic.prompt.kind, WL_DIST_LOGNORMAL);
    ck_assert_double_eq(w->synthetic.prompt.mean, 2048);
    ck_assert_double_eq(w->synthetic.prompt.max, 8192);
    ck_assert_int_eq(w->synthetic.output.kind, WL_DIST_UNIFORM);
    ck_assert_double_eq(w->synthetic.output.min, 10);
    ck_assert_double_eq(w->synthetic.output.max, 500);
    ck_assert_uint_eq(w->synthetic.prompt.loc.line, 44);
    w = &sc->workload[2];
    ck_assert_int_eq(w->kind, WL_SOURCE_AGENT);
    ck_assert_str_eq(w->agent.preset, "coding");
    ck_assert_double_eq(w->agent.session_rate, 0.5);
    ck_assert_int_eq(w->agent.sessions, 50);

    ck_assert_uint_eq(sc->n_slo, 3);
    ck_assert_int_eq(sc->slo[1].metric, SC_SLO_TPOT);
    ck_assert_double_eq(sc->slo[1].percentile, 99.9);
    ck_assert_double_eq_tol(sc->slo[1].threshold_s, 0.1, 1e-12);
    ck_assert_str_eq(sc->slo[1].key, "tpot_p99.9");
    ck_assert_int_eq(sc->slo[2].metric, SC_SLO_E2E);
    ck_assert_double_eq(sc->slo[2].threshold_s, 60);

    ck_assert_uint_eq(sc->n_variants, 2);
    ck_assert_str_eq(sc->variants[0], "monolithic");
    ck_assert_str_eq(sc->variants[1], "fast-prefill");
    ck_assert_ptr_null(sc->variant);
    ck_assert_str_eq(sc->output.db, "results/good.db");
    ck_assert_int_eq(sc->output.steps, SC_STEPS_ALL);
    ck_assert_int_eq(sc->output.step_sample_every, 10);
    ck_assert_double_eq(sc->output.timeseries_interval_s, 0.5);
}
END_TEST

START_TEST(defaults_fill_the_rest)
{
    const sc_cluster *cl;

    ck_assert_int_eq(load_file(DIR "/minimal.yaml", NULL), HS_OK);
    expect("");
    cl = &sc->cluster;
    ck_assert_str_eq(sc->name, "minimal");
    ck_assert_uint_eq(sc->seed, 0);
    ck_assert_int_eq(sc->precision.weights, COST_BF16);
    ck_assert_int_eq(sc->precision.kv, COST_BF16);
    ck_assert_int_eq(cl->mode, SC_MODE_MONOLITHIC);
    ck_assert_int_eq(cl->instances[0].count, 1);
    ck_assert_int_eq(cl->instances[0].tp, 1);
    ck_assert_int_eq(cl->instances[0].max_batch, 256);
    ck_assert_int_eq(cl->instances[0].max_batch_tokens, 8192);
    ck_assert(cl->instances[0].chunked_prefill);
    ck_assert_int_eq(cl->instances[0].link, 0); /* gpu-a's fastlink */
    ck_assert(!cl->has_prefill && !cl->has_decode);
    ck_assert_int_eq(cl->kv_transfer_link, SC_NONE);
    ck_assert_int_eq(cl->kv_pool, SC_NONE);
    ck_assert_int_eq(cl->kv_pool_policy, SC_KV_HBM_ONLY);
    ck_assert_int_eq(cl->retention, SC_RETAIN_KEEP);
    ck_assert_double_eq(cl->retention_idle_timeout_s, 0);
    ck_assert(cl->prefix_cache);
    ck_assert_int_eq(cl->block_size, 16);
    ck_assert(!cl->mixed_fallback);
    ck_assert_str_eq(sc->router.policy, "cache-aware");
    ck_assert_str_eq(sc->router.decode_policy, "cache-aware");
    ck_assert_uint_eq(sc->n_slo, 0);
    ck_assert_uint_eq(sc->n_variants, 0);
    ck_assert_uint_eq(sc->n_pools, 0);
    ck_assert_ptr_null(sc->output.db);
    ck_assert_int_eq(sc->output.steps, SC_STEPS_SAMPLED);
    ck_assert_int_eq(sc->output.step_sample_every, 100);
    ck_assert_double_eq(sc->output.timeseries_interval_s, 1);
}
END_TEST

START_TEST(inline_model_and_catalog_overrides)
{
    ck_assert_int_eq(
        load_text(edit(1, "model: {layers: 3, hidden: 64, heads: 4, "
                          "kv_heads: 4, head_dim: 16, ffn: 128, vocab: 10}\n"),
                  NULL, NULL, NULL, NULL),
        HS_OK);
    ck_assert_str_eq(sc->model.name, "custom");
    ck_assert_ptr_null(sc->model_catalog);
    ck_assert_int_eq(sc->model.layers, 3);
    ck_assert(sc->model.gated_mlp);
    ck_assert_int_eq(load_text(edit(1, "model: {catalog: tiny-mla, layers: "
                                       "8, moe: {top_k: 4}}\n"),
                               NULL, NULL, NULL, NULL),
                     HS_OK);
    ck_assert_str_eq(sc->model.name, "tiny-mla");
    ck_assert_str_eq(sc->model_catalog, "tiny-mla");
    ck_assert_int_eq(sc->model.layers, 8);
    ck_assert_int_eq(sc->model.moe_top_k, 4);
    ck_assert_int_eq(sc->model.moe_experts, 8);
    ck_assert(sc->model.has_mla);
    expect("");
}
END_TEST

/* ---- one mistake each --------------------------------------------------- */

START_TEST(unknown_key)
{
    ck_assert_int_eq(load_text(edit(5, "  instances: [{name: mono, device: a,"
                                       " tp: 2, cuont: 2}]\n"),
                               NULL, NULL, NULL, NULL),
                     HS_EINPUT);
    ck_assert_ptr_null(sc);
    expect(DIR "/t.yaml:5:46: error: cluster.instances.0: unknown "
               "key 'cuont' (expected one of name, device, count, "
               "tp, pp, dp, ep, moe_tp, moe_skew, max_batch, "
               "max_batch_tokens, chunked_prefill, scheduler, link, router, "
               "engine)\n");
}
END_TEST

/* A group has no router of its own (issue 17): the key is refused where
 * it is written, saying which key routes. */
START_TEST(group_router_is_refused)
{
    ck_assert_int_eq(load_text(edit(5, "  instances: [{name: mono, device: a,"
                                       " router: random}]\n"),
                               NULL, NULL, NULL, NULL),
                     HS_EINPUT);
    ck_assert_ptr_null(sc);
    expect(DIR "/t.yaml:5:47: error: cluster.instances.0.router: a group "
               "has no router of its own: every request is routed among "
               "all instances by the top-level 'router.policy'\n");
}
END_TEST

/* A group's batch scheduler: by default decode-only for the decode
 * pool, chunked or prefill-first as chunked_prefill says; as written
 * when it names a registered scheduler that fits the group's role. */
START_TEST(schedulers_by_default_and_by_name)
{
    const sc_cluster *cl;

    ck_assert_int_eq(load_file(DIR "/good.yaml", NULL), HS_OK);
    cl = &sc->cluster;
    ck_assert_str_eq(cl->instances[0].scheduler, "chunked");
    ck_assert_str_eq(cl->instances[1].scheduler, "prefill-first");
    ck_assert_str_eq(cl->prefill.scheduler, "chunked");
    ck_assert_str_eq(cl->decode.scheduler, "decode-only");
    ck_assert_int_eq(load_text(base, NULL,
                               "cluster.instances.0.scheduler=prefill-first",
                               NULL, NULL),
                     HS_OK);
    ck_assert_str_eq(sc->cluster.instances[0].scheduler, "prefill-first");
    ck_assert_int_eq(
        load_text(base, NULL, "cluster.instances.0.scheduler=decode-only",
                  "cluster.instances.0.tp=1", "router.policy=sarathi"),
        HS_EINPUT);
    expect("--set:1:31: error: cluster.instances.0.scheduler: "
           "'decode-only' schedules only the decode pool of split mode\n"
           "--set:1:15: error: router.policy: expected one of cache-aware, "
           "round-robin, least-loaded, random, kv-aware, found 'sarathi'\n");
}
END_TEST

START_TEST(wrong_type)
{
    load_text(edit(5, "  instances: {name: mono}\n"), NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:5:14: error: cluster.instances:"
               " expected a sequence, found a "
               "mapping\n");
    load_text(edit(10, "      requests: ten\n"), NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:10:17: error: "
               "workload.0.synthetic.requests: expected "
               "an integer >= 0, found 'ten'\n");
}
END_TEST

START_TEST(bare_number_where_a_unit_is_needed)
{
    load_text(edit(9, "      arrival: {process: poisson, rate: 2}\n"), NULL,
              NULL, NULL, NULL);
    expect(DIR "/t.yaml:9:41: error: "
               "workload.0.synthetic.arrival.rate: "
               "expected a rate like '5/s', found '2' "
               "(no unit)\n");
}
END_TEST

START_TEST(bad_unit)
{
    load_text(edit(3, "  a: {catalog: gpu-a, mem_bandwidth: 3TQ/s}\n"), NULL,
              NULL, NULL, NULL);
    expect(DIR "/t.yaml:3:38: error: "
               "hardware.a.mem_bandwidth: expected a "
               "bandwidth like '3.35TB/s', found "
               "'3TQ/s' (unknown unit 'TQ/s')\n");
}
END_TEST

START_TEST(dangling_references)
{
    load_text(edit(5, "  instances: [{name: mono, device: h100, link: ib}]\n"),
              NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:5:36: error: cluster.instances.0.device: "
               "unknown hardware 'h100' (defined: a)\n" DIR
               "/t.yaml:5:48: error: cluster.instances.0.link: "
               "unknown link 'ib' (nothing is defined in "
               "'links')\n");
    load_text(edit(1, "model: gpt-9\n"), NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:1:8: error: model: no model "
               "'gpt-9' in tests/data/catalog/models "
               "(known: tiny, tiny-mla)\n");
    load_text(edit(3, "  a: {catalog: gpu-z}\n"), NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:3:16: error: "
               "hardware.a.catalog: no hardware 'gpu-z' "
               "in tests/data/catalog/hardware (known: "
               "gpu-a, gpu-b)\n");
}
END_TEST

START_TEST(missing_required_keys)
{
    load_text(edit(7, "  -\n"), NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:8:5: error: workload.0: "
               "missing required key 'name'\n");
    load_text(edit(3, "  a: {peak_flops: {bf16: 1PFLOP/s}, mem_capacity: 1GB, "
                      "power: 1W}\n"),
              NULL, NULL, NULL, NULL);
    /* Same place: in the order they were found.  (No cascade: the
     * device's lack of a link is not reported, it failed to load.) */
    expect(DIR "/t.yaml:3:6: error: hardware.a: missing required "
               "key 'mem_bandwidth'\n" DIR
               "/t.yaml:3:6: error: hardware.a: missing required "
               "key 'cost_per_hour'\n");
    load_text(edit(4, "clusters:\n"), NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:1:1: error: missing required key "
               "'cluster'\n" DIR "/t.yaml:4:1: error: unknown key 'clusters' "
               "(expected one of name, seed, model, precision, "
               "hardware, links, memory_pools, cluster, router, "
               "workload, slo, variants, output, window, engine)\n");
}
END_TEST

START_TEST(many_errors_in_one_pass)
{
    static const char text[] =
        "name: many\n"                                             /* 1 */
        "seed: -1\n"                                               /* 2 */
        "model: tiny\n"                                            /* 3 */
        "precision: {weights: fp9}\n"                              /* 4 */
        "hardware:\n"                                              /* 5 */
        "  a: {catalog: gpu-a, power: 700}\n"                      /* 6 */
        "memory_pools:\n"                                          /* 7 */
        "  p: {capacity: 1TB, bandwidth: 1TB/s, link: nowhere}\n"  /* 8 */
        "cluster:\n"                                               /* 9 */
        "  mode: split\n"                                          /* 10 */
        "  prefill: {device: b, count: 0}\n"                       /* 11 */
        "  decode: {device: a}\n"                                  /* 12 */
        "router: {policy: fastest}\n"                              /* 13 */
        "workload:\n"                                              /* 14 */
        "  - {name: t, trace: {format: csv, path: nothere.csv}}\n" /* 15 */
        "slo: {ttft_p90: 2, ttft_p40: 1s}\n";                      /* 16 */

    ck_assert_int_eq(load_text(text, NULL, NULL, NULL, NULL), HS_EINPUT);
    expect(
        DIR
        "/t.yaml:2:7: error: seed: expected an integer >= 0, found "
        "'-1'\n" DIR "/t.yaml:4:22: error: precision.weights: expected "
        "one of fp32, bf16, fp16, fp8, int8, int4, fp4, nvfp4, mxfp4, found "
        "'fp9'\n" DIR
        "/t.yaml:6:30: error: hardware.a.power: expected a power like "
        "'700W', found '700' (no unit)\n" DIR
        "/t.yaml:8:46: error: memory_pools.p.link: unknown link "
        "'nowhere' (nothing is defined in 'links')\n" DIR
        "/t.yaml:10:3: error: cluster: missing required key "
        "'kv_transfer' (mode split)\n" DIR
        "/t.yaml:11:21: error: cluster.prefill.device: unknown hardware "
        "'b' (defined: a)\n" DIR
        "/t.yaml:11:31: error: cluster.prefill.count: expected an "
        "integer >= 1, found '0'\n" DIR
        "/t.yaml:13:18: error: router.policy: expected one of "
        "cache-aware, round-robin, least-loaded, random, kv-aware, found "
        "'fastest'\n" DIR
        "/t.yaml:15:31: error: workload.0.trace.format: expected one of "
        "azure, mooncake, hetsim, sessions, found 'csv'\n" DIR
        "/t.yaml:15:42: error: workload.0.trace.path: cannot read "
        "'" DIR "/nothere.csv': No such file or directory\n" DIR
        "/t.yaml:16:17: error: slo.ttft_p90: expected a time like "
        "'150ns', found '2' (no unit)\n" DIR
        "/t.yaml:16:20: error: slo: unknown key 'ttft_p40' (expected "
        "ttft_pNN, tpot_pNN or e2e_pNN with NN from 50 to 99.9)\n");
}
END_TEST

START_TEST(cluster_mode_rules)
{
    /* tp > 1 without a link */
    load_text(edit(3, "  a: {catalog: gpu-b}\n"), NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:5:15: error: "
               "cluster.instances.0: tp 2 needs a "
               "link, and device 'a' names no default "
               "link: set 'link'\n");
    /* split needs prefill, decode and kv_transfer */
    load_text(edit(5, "  mode: split\n  instances: [{name: m, device: a}]\n"),
              NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:5:3: error: cluster: missing required key "
               "'prefill' (mode split)\n" DIR
               "/t.yaml:5:3: error: cluster: missing required key "
               "'decode' (mode split)\n" DIR
               "/t.yaml:5:3: error: cluster: missing required key "
               "'kv_transfer' (mode split)\n");
    /* both forms and no mode */
    load_text(edit(5, "  instances: [{name: m, device: a}]\n"
                      "  decode: {device: a}\n"),
              NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:5:3: error: cluster: missing "
               "required key 'mode' (both 'instances' "
               "and 'prefill'/'decode' are "
               "defined)\n");
    /* the form not in use may be incomplete */
    ck_assert_int_eq(load_text(edit(5, "  instances: [{name: m, device: a}]\n"
                                       "  decode: {tp: 2}\n  mode: "
                                       "monolithic\n"),
                               NULL, NULL, NULL, NULL),
                     HS_OK);
}
END_TEST

/* Offloaded session KV lives under the 'offload' pool policy; another
 * policy with kv_retention 'offload' is an error (it used to be replaced
 * silently by 'offload'). */
START_TEST(offload_retention_needs_the_offload_pool_policy)
{
    static const char pools[] =
        "memory_pools: {p: {capacity: 1TB, bandwidth: 1TB/s, link: l}}\n"
        "links: {l: {catalog: fastlink}}\n"
        "cluster:\n";

    char text[1024];

    snprintf(text, sizeof text, "%s", edit(4, pools));
    load_text(text, NULL, "cluster.kv_pool={pool: p, policy: pool-resident}",
              "cluster.kv_retention.policy=offload", NULL);
    expect("--set:1:29: error: cluster.kv_retention.policy: 'offload' keeps "
           "idle sessions' KV in the pool with cluster.kv_pool.policy "
           "'offload', but the pool policy is 'pool-resident': set "
           "cluster.kv_pool.policy to 'offload', or kv_retention.policy to "
           "'keep' or 'drop'\n");
    ck_assert_int_eq(load_text(text, NULL,
                               "cluster.kv_pool={pool: p, policy: offload}",
                               "cluster.kv_retention.policy=offload", NULL),
                     HS_OK);
}
END_TEST

/* Link and memory pool names are scopes of the metrics table: not one of
 * the reserved scopes, and not each other's (energy_j of both would
 * collide). */
START_TEST(link_and_pool_names_are_distinct_scopes)
{
    load_text(edit(4, "links: {run: {catalog: fastlink}, l: {catalog: "
                      "fastlink}}\n"
                      "memory_pools: {l: {capacity: 1TB, bandwidth: 1TB/s, "
                      "link: l},\n"
                      "  decode: {capacity: 1TB, bandwidth: 1TB/s, link: l}}\n"
                      "cluster:\n"),
              NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:4:14: error: links.run: a link may not be named "
               "'run' (reserved: run, prefill and decode are scopes of the "
               "metrics table)\n" DIR
               "/t.yaml:5:19: error: memory_pools.l: memory pool 'l' has the "
               "name of a link: their metrics (energy_j, utilisation) would "
               "share one scope; rename one\n" DIR
               "/t.yaml:6:11: error: memory_pools.decode: a memory pool may "
               "not be named 'decode' (reserved: run, prefill and decode are "
               "scopes of the metrics table)\n");
}
END_TEST

START_TEST(source_kind_keys)
{
    load_text(edit(9, "      arrival: {process: closed, rate: 2/s}\n"), NULL,
              NULL, NULL, NULL);
    expect(DIR "/t.yaml:9:16: error: workload.0.synthetic.arrival: "
               "missing required key 'concurrency'\n" DIR
               "/t.yaml:9:34: error: workload.0.synthetic.arrival: "
               "'rate' does not apply to process 'closed'\n");
    load_text(edit(11, "      prompt: {dist: uniform, min: 50, max: 20}\n"),
              NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:11:45: error: "
               "workload.0.synthetic.prompt.max: "
               "expected a number >= min (50), found "
               "'20'\n");
    load_text(edit(10, ""), NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:9:7: error: "
               "workload.0.synthetic: expected "
               "'requests' or 'horizon' (or both) to "
               "end the source, found neither\n");
    load_text(edit(8, "    agent: {preset: coding, session_rate: 1/s}\n"
                      "    synthetic:\n"),
              NULL, NULL, NULL, NULL);
    expect(DIR "/t.yaml:7:5: error: workload.0: expected exactly "
               "one of trace, synthetic, agent, found 2\n");
}
END_TEST

/* Issue 17, item 8: every preset field may be overridden inline; each
 * override changes exactly that field, and is checked as in a preset. */
START_TEST(preset_fields_are_overridden_inline)
{
    wl_preset plain, p;

    ck_assert_int_eq(load_text("model: tiny\n"
                               "hardware: {a: {catalog: gpu-a}}\n"
                               "cluster: {instances: [{name: m, device: a}]}\n"
                               "workload:\n"
                               "  - {name: s, agent: {preset: coding, "
                               "session_rate: 1/s, sessions: 2}}\n",
                               NULL, NULL, NULL, NULL),
                     HS_OK);
    plain = sc->workload[0].agent.params;
    ck_assert_int_eq(plain.max_context, 8000);
    ck_assert_int_eq(load_text("model: tiny\n"
                               "hardware: {a: {catalog: gpu-a}}\n"
                               "cluster: {instances: [{name: m, device: a}]}\n"
                               "workload:\n"
                               "  - {name: s, agent: {preset: coding, "
                               "session_rate: 1/s, sessions: 2, "
                               "think_time: {dist: fixed, value: 5s}, "
                               "max_context: 32768}}\n",
                               NULL, NULL, NULL, NULL),
                     HS_OK);
    p = sc->workload[0].agent.params;
    ck_assert_int_eq(p.think_time.kind, WL_DIST_FIXED);
    ck_assert_double_eq(p.think_time.value, 5);
    ck_assert_int_eq(p.max_context, 32768);
    /* Everything else is the preset's, byte for byte. */
    p.think_time = plain.think_time;
    p.max_context = plain.max_context;
    ck_assert_int_eq(memcmp(&p, &plain, sizeof p), 0);
    /* The same through --set, and one field's error located. */
    ck_assert_int_eq(load_text("model: tiny\n"
                               "hardware: {a: {catalog: gpu-a}}\n"
                               "cluster: {instances: [{name: m, device: a}]}\n"
                               "workload:\n"
                               "  - {name: s, agent: {preset: coding, "
                               "session_rate: 1/s, sessions: 2}}\n",
                               NULL, "workload.0.agent.on_max_context=compact",
                               NULL, NULL),
                     HS_OK);
    p = sc->workload[0].agent.params;
    ck_assert_int_eq(plain.on_max_context, WL_OVERFLOW_END);
    ck_assert_int_eq(p.on_max_context, WL_OVERFLOW_COMPACT);
    p.on_max_context = plain.on_max_context;
    ck_assert_int_eq(memcmp(&p, &plain, sizeof p), 0);
    ck_assert_int_eq(load_text("model: tiny\n"
                               "hardware: {a: {catalog: gpu-a}}\n"
                               "cluster: {instances: [{name: m, device: a}]}\n"
                               "workload:\n"
                               "  - {name: s, agent: {preset: coding, "
                               "session_rate: 1/s, sessions: 2}}\n",
                               NULL, "workload.0.agent.on_max_context=compact",
                               "workload.0.agent.tool_fraction=1.5", NULL),
                     HS_EINPUT);
    ck_assert_int_eq(sc == NULL, 1);
    expect("--set:1:32: error: workload.0.agent.tool_fraction: expected a "
           "number between 0 and 1, found '1.5'\n");
}
END_TEST

START_TEST(invalid_model_is_reported)
{
    load_text(edit(1, "model: {catalog: tiny, kv_heads: 3}\n"), NULL, NULL,
              NULL, NULL);
    expect(DIR "/t.yaml:1:8: error: model: invalid "
               "model: heads must be a multiple of "
               "kv_heads\n");
}
END_TEST

START_TEST(unreadable_and_empty_files)
{
    ck_assert_int_eq(load_file(DIR "/nothere.yaml", NULL), HS_EIO);
    ck_assert_ptr_null(sc);
    expect(DIR "/nothere.yaml: error: cannot read '" DIR
               "/nothere.yaml': No such file or "
               "directory\n");
    ck_assert_int_eq(load_text("# nothing\n", NULL, NULL, NULL, NULL),
                     HS_EINPUT);
    expect(DIR "/t.yaml: error: empty scenario\n");
    ck_assert_int_eq(load_text("- a\n", NULL, NULL, NULL, NULL), HS_EINPUT);
    expect(DIR "/t.yaml:1:1: error: expected a "
               "mapping, found a sequence\n");
}
END_TEST

/* ---- overrides and variants --------------------------------------------- */

START_TEST(set_overrides_a_scalar)
{
    ck_assert_int_eq(load_text(base, NULL, "cluster.instances.0.count=3",
                               "workload.0.synthetic.arrival.rate=7/s", NULL),
                     HS_OK);
    ck_assert_int_eq(sc->cluster.instances[0].count, 3);
    ck_assert_double_eq(sc->workload[0].synthetic.arrival.rate, 7);
    ck_assert_str_eq(sc->yaml, base); /* the original text is kept */
}
END_TEST

START_TEST(set_creates_a_path)
{
    ck_assert_int_eq(load_text(base, NULL, "router.policy=random",
                               "cluster.kv_retention.idle_timeout=2min",
                               "seed=99"),
                     HS_OK);
    ck_assert_str_eq(sc->router.policy, "random");
    ck_assert_double_eq(sc->cluster.retention_idle_timeout_s, 120);
    ck_assert_uint_eq(sc->seed, 99);
}
END_TEST

START_TEST(set_with_a_bad_value)
{
    ck_assert_int_eq(load_text(base, NULL, "cluster.instances.0.tp=two",
                               "workload.0.synthetic.arrival.rate=5",
                               "cluster.instances.0.cuont=1"),
                     HS_EINPUT);
    /* --set errors come in the order they were found. */
    expect("--set:1:21: error: cluster.instances.0: unknown key "
           "'cuont' (expected one of name, device, count, tp, pp, dp, ep, "
           "moe_tp, moe_skew, max_batch, max_batch_tokens, chunked_prefill, "
           "scheduler, link, "
           "router, engine)\n"
           "--set:1:24: error: cluster.instances.0.tp: expected an "
           "integer between 1 and 4096, found 'two'\n"
           "--set:1:35: error: workload.0.synthetic.arrival.rate: "
           "expected a rate like '5/s', found '5' (no unit)\n");
    ck_assert_int_eq(load_text(base, NULL, "variants.0.name=x",
                               "workload.2.name=x", "model={"),
                     HS_EINPUT);
    expect("--set:1:1: error: variants: cannot be overridden with "
           "--set\n"
           "--set:1:10: error: workload: no item '2' (the sequence "
           "has 1 items, numbered from 0)\n"
           "--set:1:8: error: invalid YAML: did not find expected "
           "node content (while parsing a flow node at line 1, "
           "column 8)\n");
}
END_TEST

START_TEST(variants_are_applied)
{
    ck_assert_int_eq(load_file(DIR "/good.yaml", "fast-prefill"), HS_OK);
    ck_assert_str_eq(sc->variant, "fast-prefill");
    ck_assert_int_eq(sc->cluster.prefill.count, 8);
    ck_assert_double_eq(sc->hardware[2].dev.mem_bytes, 192e9);
    ck_assert_int_eq(sc->cluster.mode, SC_MODE_SPLIT);
    ck_assert_int_eq(load_file(DIR "/good.yaml", "monolithic"), HS_OK);
    ck_assert_int_eq(sc->cluster.mode, SC_MODE_MONOLITHIC);
    ck_assert_int_eq(sc->cluster.prefill.count, 4);
    ck_assert_uint_eq(sc->n_variants, 2);
    ck_assert_int_eq(load_file(DIR "/good.yaml", "turbo"), HS_EINPUT);
    ck_assert_ptr_null(sc);
    expect(DIR "/good.yaml: error: unknown variant "
               "'turbo' (known: monolithic, "
               "fast-prefill)\n");
    ck_assert_int_eq(load_text(base, "x", NULL, NULL, NULL), HS_EINPUT);
    expect(DIR "/t.yaml: error: unknown variant 'x' "
               "(known: none: the file has no "
               "variants)\n");
}
END_TEST

START_TEST(variant_errors_point_into_the_variant)
{
    static const char tail[] =
        "variants:\n"                                              /* 13 */
        "  - {name: v, set: {cluster.instances.0.tp: 0}}\n"        /* 14 */
        "  - {name: v, set: {cluster.nope.x: 1, variants: []}}\n"; /* 15 */
    char text[2048];

    snprintf(text, sizeof text, "%s%s", base, tail);
    ck_assert_int_eq(load_text(text, NULL, NULL, NULL, NULL), HS_EINPUT);
    expect(DIR "/t.yaml:15:12: error: variants.1.name: duplicate "
               "variant name 'v'\n" DIR
               "/t.yaml:15:40: error: variants.1.set: a variant "
               "cannot set 'variants'\n");
    snprintf(text, sizeof text, "%s%s", base,
             "variants:\n  - {name: v, set: {cluster.instances.0.tp: 0}}\n"
             "  - {name: w, set: {cluster.nope.x: 1}}\n");
    ck_assert_int_eq(load_text(text, "v", NULL, NULL, NULL), HS_EINPUT);
    expect(DIR "/t.yaml:14:45: error: "
               "cluster.instances.0.tp: expected an "
               "integer between 1 and 4096, found '0'\n");
    ck_assert_int_eq(load_text(text, "w", NULL, NULL, NULL), HS_EINPUT);
    expect(DIR "/t.yaml:15:29: error: cluster: unknown key 'nope' "
               "(expected one of mode, instances, prefill, decode, "
               "kv_transfer, kv_pool, kv_retention, prefix_cache, "
               "block_size, mixed_fallback)\n");
}
END_TEST

START_TEST(variant_names_are_listed)
{
    char **names;
    size_t n;

    ck_assert_int_eq(
        io_scenario_variant_names(DIR "/good.yaml", NULL, &names, &n, diag),
        HS_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(names[0], "monolithic");
    ck_assert_str_eq(names[1], "fast-prefill");
    io_names_free(names, n);
    ck_assert_int_eq(
        io_scenario_variant_names("x.yaml", "variants: 3\n", &names, &n, diag),
        HS_EINPUT);
    ck_assert_ptr_null(names);
    expect("x.yaml:1:11: error: variants: expected a "
           "sequence, found '3'\n");
}
END_TEST

/* ---- diagnostics as values --------------------------------------------- */

/* The i-th item of the last load, checked field by field. */
static void expect_item(size_t i, int code, const char *file, unsigned line,
                        unsigned col, const char *key, const char *message)
{
    const hs_diag_item *it;

    ck_assert_uint_gt(hs_diag_count(diag), i);
    it = hs_diag_item_at(diag, i);
    ck_assert_int_eq(it->severity, HS_SEV_ERROR);
    ck_assert_int_eq(it->code, code);
    ck_assert_str_eq(it->loc.file, file);
    ck_assert_uint_eq(it->loc.line, line);
    ck_assert_uint_eq(it->loc.col, col);
    ck_assert_ptr_null(it->context);
    if (key == NULL)
        ck_assert_ptr_null(it->key);
    else
        ck_assert_str_eq(it->key, key);
    ck_assert_str_eq(it->message, message);
}

START_TEST(errors_keep_key_and_message_apart)
{
    const char *why = NULL;

    load_text(edit(5, "  instances: [{name: mono, device: a, tp: 2, "
                      "cuont: 2}]\n"),
              NULL, "variants.0.name=x", "workload.2.name=x", NULL);
    ck_assert_uint_eq(hs_diag_count(diag), 3);
    /* The --set errors were found first (overrides come before binding). */
    expect_item(0, HS_EINPUT, "--set", 1, 1, "variants",
                "cannot be overridden with --set");
    expect_item(1, HS_EINPUT, "--set", 1, 10, "workload",
                "no item '2' (the sequence has 1 items, numbered from 0)");
    expect_item(
        2, HS_EINPUT, DIR "/t.yaml", 5, 46, "cluster.instances.0",
        "unknown key 'cuont' (expected one of name, device, count, "
        "tp, pp, dp, ep, moe_tp, moe_skew, max_batch, max_batch_tokens, "
        "chunked_prefill, scheduler, link, router, engine)");
    ck_assert_msg(hs_diag_check(diag, &why), "%s", why);
    hs_diag_clear(diag);
    load_text(edit(9, "      arrival: {process: poisson, rate: 2/s, cv: 1}\n"),
              NULL, NULL, NULL, NULL);
    expect_item(0, HS_EINPUT, DIR "/t.yaml", 9, 46,
                "workload.0.synthetic.arrival",
                "'cv' does not apply to process 'poisson'");
    hs_diag_clear(diag);
    load_text(edit(12, "      output: {dist: fixed, value: 10}\n"
                       "slo: {ttft_p20: 1s}\n"),
              NULL, NULL, NULL, NULL);
    expect_item(0, HS_EINPUT, DIR "/t.yaml", 13, 7, "slo",
                "unknown key 'ttft_p20' (expected ttft_pNN, tpot_pNN or "
                "e2e_pNN with NN from 50 to 99.9)");
    hs_diag_clear(diag);
    ck_assert_int_eq(load_file(DIR "/nothere.yaml", NULL), HS_EIO);
    expect_item(0, HS_EIO, DIR "/nothere.yaml", 0, 0, NULL,
                "cannot read '" DIR "/nothere.yaml': No such file or "
                "directory");
}
END_TEST

/* A failed catalog search is reported at the node that needed the
 * catalog, with its key path. */
START_TEST(failed_catalog_search_is_reported_at_the_node)
{
    io_scenario_opts opts;

    memset(&opts, 0, sizeof opts);
    opts.text = base;
    setenv("HETSIM_CATALOG", DIR, 1);
    ck_assert_int_eq(io_scenario_load_opts(DIR "/t.yaml", &opts, &sc, diag),
                     HS_EINPUT);
    unsetenv("HETSIM_CATALOG");
    ck_assert_uint_eq(hs_diag_count(diag), 1);
    expect_item(0, HS_EINPUT, DIR "/t.yaml", 1, 8, "model",
                "HETSIM_CATALOG=" DIR " is not a catalog directory (it "
                "needs models/, hardware/ and links/)");
    expect(DIR "/t.yaml:1:8: error: model: HETSIM_CATALOG=" DIR
               " is not a catalog directory (it needs models/, hardware/ "
               "and links/)\n");
}
END_TEST

Suite *io_scenario_suite(void)
{
    Suite *s = suite_create("io_scenario");
    TCase *good = tcase_create("good");
    TCase *bad = tcase_create("bad");
    TCase *set = tcase_create("set");

    tcase_add_checked_fixture(good, setup, teardown);
    tcase_add_test(good, base_text_is_valid);
    tcase_add_test(good, every_section_is_bound);
    tcase_add_test(good, defaults_fill_the_rest);
    tcase_add_test(good, inline_model_and_catalog_overrides);
    suite_add_tcase(s, good);

    tcase_add_checked_fixture(bad, setup, teardown);
    tcase_add_test(good, schedulers_by_default_and_by_name);
    tcase_add_test(bad, unknown_key);
    tcase_add_test(bad, group_router_is_refused);
    tcase_add_test(bad, wrong_type);
    tcase_add_test(bad, bare_number_where_a_unit_is_needed);
    tcase_add_test(bad, bad_unit);
    tcase_add_test(bad, dangling_references);
    tcase_add_test(bad, missing_required_keys);
    tcase_add_test(bad, many_errors_in_one_pass);
    tcase_add_test(bad, cluster_mode_rules);
    tcase_add_test(bad, offload_retention_needs_the_offload_pool_policy);
    tcase_add_test(bad, link_and_pool_names_are_distinct_scopes);
    tcase_add_test(bad, source_kind_keys);
    tcase_add_test(bad, invalid_model_is_reported);
    tcase_add_test(bad, preset_fields_are_overridden_inline);
    tcase_add_test(bad, unreadable_and_empty_files);
    tcase_add_test(bad, errors_keep_key_and_message_apart);
    tcase_add_test(bad, failed_catalog_search_is_reported_at_the_node);
    suite_add_tcase(s, bad);

    tcase_add_checked_fixture(set, setup, teardown);
    tcase_add_test(set, set_overrides_a_scalar);
    tcase_add_test(set, set_creates_a_path);
    tcase_add_test(set, set_with_a_bad_value);
    tcase_add_test(set, variants_are_applied);
    tcase_add_test(set, variant_errors_point_into_the_variant);
    tcase_add_test(set, variant_names_are_listed);
    suite_add_tcase(s, set);
    return s;
}
