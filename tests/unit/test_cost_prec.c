/*
 * test_cost_prec.c -- precision as frameworks mean it (issue 12 item 5):
 * the scalar shorthands, the separate formats of GEMM inputs, the
 * residual stream and communication, and attention, with the bytes and
 * times of a Llama-3-70B TP8 prefill of 2,048 tokens computed by hand;
 * 4-bit formats and their peaks; the scenario's 'precision' key.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ck_util.h"
#include "hetsim/cost.h"
#include "hetsim/io.h"

Suite *cost_prec_suite(void);

#define REL_EQ(a, b) ck_assert_double_eq_tol((a), (b), fabs(b) * 1e-12)

static cost_model llama3_70b(void)
{
    cost_model m = {0};

    strcpy(m.name, "llama-3-70b");
    m.layers = 80, m.hidden = 8192, m.heads = 64, m.kv_heads = 8;
    m.head_dim = 128, m.ffn = 28672, m.vocab = 128256, m.gated_mlp = true;
    return m;
}

/* H100 SXM (costmodel-reference 3.1), ideal efficiencies, no overheads. */
static cost_device h100(void)
{
    cost_device d = {0};

    strcpy(d.name, "h100");
    d.peak_flops[COST_BF16] = 989.4e12;
    d.peak_flops[COST_FP8] = 1978.9e12;
    d.mem_bytes = 80e9, d.mem_bw = 3.35e12;
    d.eta_compute = 1.0, d.eta_memory = 1.0;
    return d;
}

static const cost_op *op_named(const cost_op *ops, size_t n, const char *name,
                               int nth)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ops[i].name, name) == 0 && nth-- == 0)
            return &ops[i];
    ck_abort_msg("no operator %s", name);
    return NULL;
}

START_TEST(shorthands_mean_what_frameworks_mean)
{
    cost_precision p;
    bool fp4 = true;

    ck_assert(cost_precision_shorthand("fp8", &p, &fp4));
    ck_assert(!fp4);
    ck_assert_int_eq(p.weights, COST_FP8);
    ck_assert_int_eq(p.activations, COST_FP8);
    ck_assert_int_eq(p.kv, COST_BF16);
    ck_assert_int_eq(p.residual, COST_BF16);
    ck_assert_int_eq(p.attention, COST_BF16);
    ck_assert(cost_precision_shorthand("int4", &p, &fp4));
    ck_assert_int_eq(p.weights, COST_INT4);
    ck_assert_int_eq(p.activations, COST_BF16); /* W4A16 */
    ck_assert(cost_precision_shorthand("int8", &p, &fp4));
    ck_assert_int_eq(p.activations, COST_INT8); /* W8A8 */
    ck_assert(cost_precision_shorthand("fp16", &p, &fp4));
    ck_assert_int_eq(p.residual, COST_FP16);
    ck_assert_int_eq(p.kv, COST_FP16);
    ck_assert(cost_precision_shorthand("nvfp4", &p, &fp4));
    ck_assert(fp4);
    ck_assert_int_eq(p.weights, COST_NVFP4);
    ck_assert_int_eq(p.activations, COST_NVFP4);
    ck_assert(cost_precision_shorthand("fp4", &p, &fp4));
    ck_assert_int_eq(p.weights, COST_NVFP4);
    ck_assert(cost_precision_shorthand("mxfp4", &p, &fp4));
    ck_assert_int_eq(p.weights, COST_MXFP4);
    ck_assert(!cost_precision_shorthand("fp6", &p, &fp4));
}
END_TEST

/* A {weights, kv, activations} precision derives the rest: 8-bit GEMM
 * inputs keep a bf16 residual stream and attention; 16-bit keep their
 * own. */
START_TEST(map_form_derives_residual_and_attention)
{
    cost_precision a = {
        .weights = COST_FP8, .kv = COST_BF16, .activations = COST_FP8};
    cost_precision b = {
        .weights = COST_BF16, .kv = COST_BF16, .activations = COST_FP16};

    cost_precision_resolve(&a);
    cost_precision_resolve(&b);
    ck_assert_int_eq(a.residual, COST_BF16);
    ck_assert_int_eq(a.attention, COST_BF16);
    ck_assert_int_eq(b.residual, COST_FP16);
    ck_assert_int_eq(b.attention, COST_FP16);
}
END_TEST

/* Llama-3-70B, TP 8 over a 450 GB/s ring (alpha 1 us), one 2,048-token
 * prompt, fp8 W8A8 (the 'fp8' shorthand).  By hand: the residual stream
 * and the all-reduce stay 2 B an element; GEMM inputs are 1 B; the
 * attention core runs at the bf16 peak. */
START_TEST(fp8_keeps_residual_and_allreduce_in_bf16)
{
    cost_model m = llama3_70b();
    cost_device dev = h100();
    cost_link nv = {"nvlink4", 450e9, 1e-6, 0, 1.0};
    cost_precision p,
        all8 = {COST_FP8, COST_BF16, COST_FP8, COST_FP8, COST_FP8, true, true};
    bool fp4;
    cost_ctx c, c8;
    cost_batch b = {0};
    cost_op ops[64];
    cost_step st, st8;
    size_t n;
    double T = 2048, d = 8192, L = 80, tp = 8, hd = 64 * 128.0;
    double pairs = T * (T + 1) / 2;
    double msg = T * d * 2; /* 32 MiB: the residual stream, bf16 */

    ck_assert(cost_precision_shorthand("fp8", &p, &fp4));
    cost_ctx_init(&c, &m, &p, &dev, 8, &nv, NULL);
    cost_ctx_init(&c8, &m, &all8, &dev, 8, &nv, NULL);
    ck_assert_int_eq(c.compute, COST_FP8);
    ck_assert_int_eq(c.attn, COST_BF16);
    ck_assert_double_eq(c.peak, 1978.9e12);
    ck_assert_double_eq(c.attn_peak, 989.4e12);
    cost_batch_add_prefill(&b, &c, 2048, 0, true);
    n = cost_step_ops(&c, &b, ops, 64);
    cost_step_eval(&c, &b, &st);
    cost_step_eval(&c8, &b, &st8);

    /* Two residual adds a layer, each on every rank: 3 T d elements of
     * 2 B = 100.7 MB, x 80 layers x 8 ranks = 64.4 GB each. */
    REL_EQ(op_named(ops, n, "residual", 0)->act_bytes, L * tp * 3 * T * d * 2);
    REL_EQ(op_named(ops, n, "residual", 1)->act_bytes, L * tp * 3 * T * d * 2);
    /* Two ring all-reduces of 32 MiB a layer: 2(n-1) alpha + 2(n-1)/n M/BW
     * = 14 us + 130.5 us; x 160 = 23.12 ms (11.56 ms with 1-byte
     * messages, the former 'everything 1 byte'). */
    REL_EQ(st.comm_s, 2 * L * (14e-6 + 14.0 / 8 * msg / 450e9));
    ck_assert_double_eq_tol(st.comm_s, 23.12e-3, 0.01e-3);
    REL_EQ(st8.comm_s, 2 * L * (14e-6 + 14.0 / 8 * (msg / 2) / 450e9));
    /* QKV reads fp8 inputs and writes bf16 Q; attention reads Q and
     * writes O in bf16 and runs at the bf16 peak (compute-bound). */
    REL_EQ(op_named(ops, n, "qkv_proj", 0)->act_bytes,
           L * T * (d * 1 + hd * 2));
    REL_EQ(op_named(ops, n, "attn_prefill", 0)->act_bytes, L * 2 * T * hd * 2);
    REL_EQ(op_named(ops, n, "attn_prefill", 0)->time_s,
           L * 4 * hd * pairs / (tp * 989.4e12));
    /* The MLP's down projection: fp8 input of width F, bf16 output. */
    REL_EQ(op_named(ops, n, "mlp_down", 0)->act_bytes,
           L * T * (28672 * 1 + d * 2));
    /* Same FLOPs, more bytes and a longer step than all-1-byte. */
    REL_EQ(st.flops, st8.flops);
    ck_assert(st.act_bytes > st8.act_bytes);
    ck_assert(st.time_s > st8.time_s);
}
END_TEST

/* Attention written as fp8 runs at the fp8 peak. */
START_TEST(attention_runs_at_its_own_peak)
{
    cost_model m = llama3_70b();
    cost_device dev = h100();
    cost_precision p = {COST_FP8, COST_FP8, COST_FP8, COST_BF16,
                        COST_FP8, true,     true};
    cost_ctx c;
    cost_batch b = {0};
    cost_op ops[64];
    size_t n;
    double T = 4096, hd = 64 * 128.0, pairs = T * (T + 1) / 2;

    cost_ctx_init(&c, &m, &p, &dev, 1, NULL, NULL);
    ck_assert_int_eq(c.attn, COST_FP8);
    cost_batch_add_prefill(&b, &c, 4096, 0, true);
    n = cost_step_ops(&c, &b, ops, 64);
    REL_EQ(op_named(ops, n, "attn_prefill", 0)->time_s,
           80 * 4 * hd * pairs / 1978.9e12);
}
END_TEST

/* nvfp4 and mxfp4 use a device's fp4 peak; without one the map form
 * falls back to fp8 (the next wider format with a peak). */
START_TEST(fp4_formats_and_peaks)
{
    cost_device h = h100(), bw = h100();
    cost_precision w4a4 = {
        .weights = COST_NVFP4, .kv = COST_BF16, .activations = COST_NVFP4};
    cost_precision w4a16 = {
        .weights = COST_MXFP4, .kv = COST_BF16, .activations = COST_BF16};

    bw.peak_flops[COST_FP4] = 9000e12;
    ck_assert_double_eq(cost_dtype_bytes(COST_NVFP4), 0.5625);
    ck_assert_double_eq(cost_dtype_bytes(COST_MXFP4), 0.53125);
    ck_assert_double_eq(cost_device_peak(&bw, COST_NVFP4), 9000e12);
    ck_assert_double_eq(cost_device_peak(&bw, COST_MXFP4), 9000e12);
    ck_assert_double_eq(cost_device_peak(&h, COST_NVFP4), 0);
    ck_assert_int_eq(cost_compute_dtype(&bw, &w4a4), COST_NVFP4);
    ck_assert_int_eq(cost_compute_dtype(&h, &w4a4), COST_FP8);
    ck_assert_int_eq(cost_compute_dtype(&bw, &w4a16), COST_BF16);
}
END_TEST

/* ---- the all-reduce an engine runs --------------------------------------- */

static cost_ar_table table8(double s_small, double s_big)
{
    cost_ar_table t = {8, 2, {1024, 64 << 20}, {s_small, s_big}};

    return t;
}

/* 'custom' reads the custom table up to the engine's largest custom
 * message for the GPU count, NCCL above; 'nccl' NCCL alone; 'best' the
 * merged table; a count without a table of the chosen implementation
 * falls back to the merged one. */
START_TEST(allreduce_by_engine)
{
    cost_calib cal;
    cost_ar_choice best = {COST_AR_BEST, {0}}, nccl = {COST_AR_NCCL, {0}};
    cost_ar_choice custom = {COST_AR_CUSTOM, {0}};
    double s = 0;

    memset(&cal, 0, sizeof cal);
    cal.present = true;
    cal.allreduce[0] = table8(4e-6, 300e-6);
    cal.ar_nccl[0] = table8(16e-6, 300e-6);
    cal.ar_custom[0] = table8(4e-6, 600e-6);
    custom.custom_max[8] = 256 << 10; /* vLLM, Hopper, 8 GPUs */

    ck_assert(cost_calib_allreduce_as(&cal, &best, 8, 1024, &s));
    ck_assert_double_eq(s, 4e-6);
    ck_assert(cost_calib_allreduce_as(&cal, &nccl, 8, 1024, &s));
    ck_assert_double_eq(s, 16e-6);
    ck_assert(cost_calib_allreduce_as(&cal, &custom, 8, 1024, &s));
    ck_assert_double_eq(s, 4e-6);
    /* 64 MiB is above 256 KiB: NCCL */
    ck_assert(cost_calib_allreduce_as(&cal, &custom, 8, 64 << 20, &s));
    ck_assert_double_eq(s, 300e-6);
    /* no limit: the custom kernel at every size */
    custom.custom_max[8] = 0;
    ck_assert(cost_calib_allreduce_as(&cal, &custom, 8, 64 << 20, &s));
    ck_assert_double_eq(s, 600e-6);
    /* no 4-GPU table at all: the caller's ring */
    ck_assert(!cost_calib_allreduce_as(&cal, &custom, 4, 1024, &s));
    /* only the merged table (a file written before the split) */
    memset(cal.ar_custom, 0, sizeof cal.ar_custom);
    ck_assert(cost_calib_allreduce_as(&cal, &custom, 8, 1024, &s));
    ck_assert_double_eq(s, 4e-6);
}
END_TEST

/* ---- the scenario key --------------------------------------------------- */

/* The scenario with 'precision' and an extra top-level line 'extra'. */
static int load_with(const char *precision, const char *extra,
                     sc_scenario **sc, hs_diag *d)
{
    char text[1024];
    io_scenario_opts opts;

    snprintf(text, sizeof text,
             "model: tiny\n"
             "precision: %s\n"
             "hardware:\n"
             "  a: {catalog: gpu-a}\n"
             "cluster:\n"
             "  instances: [{name: mono, device: a, tp: 2}]\n"
             "workload:\n"
             "  - name: s\n"
             "    synthetic:\n"
             "      arrival: {process: poisson, rate: 2/s}\n"
             "      requests: 10\n"
             "      prompt: {dist: fixed, value: 100}\n"
             "      output: {dist: fixed, value: 10}\n"
             "%s",
             precision, extra);
    memset(&opts, 0, sizeof opts);
    opts.text = text;
    opts.catalog_dir = "tests/data/catalog";
    return io_scenario_load_opts("tests/data/scenarios/t.yaml", &opts, sc, d);
}

static int load(const char *precision, sc_scenario **sc, hs_diag *d)
{
    return load_with(precision, "", sc, d);
}

START_TEST(engine_allreduce_key)
{
    hs_diag *d = hs_diag_new();
    sc_scenario *sc = NULL;
    const cost_ar_choice *ch;

    ck_assert_int_eq(load_with("bf16",
                               "engine: {profile: none, allreduce: {impl: "
                               "custom, custom_max: {8: 256KiB, 2: 64MiB}}}\n",
                               &sc, d),
                     HS_OK);
    ch = &sc->cluster.instances[0].engine.allreduce;
    ck_assert_int_eq(ch->impl, COST_AR_CUSTOM);
    ck_assert_double_eq(ch->custom_max[8], 262144);
    ck_assert_double_eq(ch->custom_max[2], 67108864);
    ck_assert_double_eq(ch->custom_max[4], 0);
    sc_scenario_free(sc);
    sc = NULL;
    ck_assert_int_eq(load_with("bf16",
                               "engine: {profile: none, allreduce: "
                               "{custom_max: {9: 1MiB}}}\n",
                               &sc, d),
                     HS_EINPUT);
    ck_assert_str_eq(ck_diag_text(d),
                     "tests/data/scenarios/t.yaml:14:53: error: "
                     "engine.allreduce.custom_max.9: expected a GPU count "
                     "from 2 to 8 as the key, found '9'\n");
    hs_diag_free(d);
}
END_TEST

START_TEST(scenario_shorthand_and_map)
{
    hs_diag *d = hs_diag_new();
    sc_scenario *sc = NULL;

    ck_assert_int_eq(load("fp8", &sc, d), HS_OK);
    ck_assert_int_eq(sc->precision.weights, COST_FP8);
    ck_assert_int_eq(sc->precision.activations, COST_FP8);
    ck_assert_int_eq(sc->precision.residual, COST_BF16);
    sc_scenario_free(sc);
    sc = NULL;
    ck_assert_int_eq(
        load("{weights: int4, activations: bf16, attention: fp8}", &sc, d),
        HS_OK);
    ck_assert_int_eq(sc->precision.weights, COST_INT4);
    ck_assert(sc->precision.has_attention && !sc->precision.has_residual);
    ck_assert_int_eq(sc->precision.attention, COST_FP8);
    sc_scenario_free(sc);
    sc = NULL;
    /* gpu-a has no fp4 peak: W4A4 is refused where it is written. */
    ck_assert_int_eq(load("nvfp4", &sc, d), HS_EINPUT);
    ck_assert_ptr_null(sc);
    ck_assert_str_eq(
        ck_diag_text(d),
        "tests/data/scenarios/t.yaml:2:12: error: precision: precision "
        "'nvfp4' runs 4-bit GEMMs at the fp4 tensor peak, which hardware "
        "'a' (group 'mono') does not have; for 4-bit weights with 16-bit "
        "math write {weights: nvfp4, activations: bf16}\n");
    hs_diag_clear(d);
    ck_assert_int_eq(load("fp6", &sc, d), HS_EINPUT);
    ck_assert_str_eq(ck_diag_text(d),
                     "tests/data/scenarios/t.yaml:2:12: error: precision: "
                     "expected a precision shorthand (bf16, fp16, fp32, "
                     "fp8, int8, int4, fp4, nvfp4 or mxfp4) or a mapping "
                     "of weights, kv, activations, residual and attention, "
                     "found 'fp6'\n");
    hs_diag_free(d);
}
END_TEST

Suite *cost_prec_suite(void)
{
    Suite *s = suite_create("cost_prec");
    TCase *tc = tcase_create("precision");

    tcase_add_test(tc, shorthands_mean_what_frameworks_mean);
    tcase_add_test(tc, map_form_derives_residual_and_attention);
    tcase_add_test(tc, fp8_keeps_residual_and_allreduce_in_bf16);
    tcase_add_test(tc, attention_runs_at_its_own_peak);
    tcase_add_test(tc, fp4_formats_and_peaks);
    tcase_add_test(tc, scenario_shorthand_and_map);
    tcase_add_test(tc, allreduce_by_engine);
    tcase_add_test(tc, engine_allreduce_key);
    suite_add_tcase(s, tc);
    return s;
}
