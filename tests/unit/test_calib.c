/*
 * test_calib.c -- calibrated kernel curves (cost_kernel_s, the measured
 * all-reduce tables), their use in a step, the calibration-file loader
 * (tests/data/calib) and the GSL fit that 'hetsim calibrate' runs
 * (app_kfit), which must recover the parameters of synthetic data.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "ck_util.h"
#include "hetsim/app.h"
#include "hetsim/cost.h"
#include "hetsim/io.h"

#define GOOD "tests/data/calib/good.yaml"

Suite *calib_suite(void);

/* A made-up device: 1 PFLOP/s bf16, 1 TB/s. */
static cost_device device(void)
{
    cost_device d = {0};

    strcpy(d.name, "dev");
    d.peak_flops[COST_BF16] = 1e15;
    d.mem_bytes = 80e9, d.mem_bw = 1e12;
    d.eta_compute = 0.5, d.eta_memory = 0.5, d.mem_margin = 0.1;
    d.step_overhead_s = 3e-6, d.layer_overhead_s = 1.0;
    return d;
}

static cost_calib load_good(void)
{
    hs_diag *d = hs_diag_new();
    cost_calib c;

    ck_assert_int_eq(io_calibration_load(GOOD, &c, d), HS_OK);
    ck_assert_uint_eq(hs_diag_count(d), 0);
    hs_diag_free(d);
    return c;
}

/* good.yaml's gemm: eff 0.5 / 0.5, half_flops 1e11, sharp 2, floor 5us.
 * F = 1.4e12, B = 2e9: t_c = (1.4e12 + 1e11) / (0.5 * 1e15) = 3 ms,
 * t_m = 2e9 / (0.5 * 1e12) = 4 ms, (3^2 + 4^2)^(1/2) = 5 ms. */
START_TEST(kernel_time_by_hand)
{
    cost_calib c = load_good();
    cost_kernel big = {1.4e12, 2e9, 0, 0};
    cost_kernel tiny = {0, 1000, 1, 1};
    cost_kernel dec = {1e9, 8e9, 4, 4};

    ck_assert(c.present);
    ck_assert(c.curve[COST_K_GEMM].fitted);
    ck_assert(!c.curve[COST_K_MOE].fitted);
    ck_assert_double_eq_tol(
        cost_kernel_s(&c.curve[COST_K_GEMM], 1e15, 1e12, &big), 5e-3, 1e-15);
    /* attn_decode: 1000 B at 0.8 * 1/(1+4) of 1 TB/s is 6.25 ns, + 20 ns
     * a unit: under the 10 us floor */
    ck_assert_double_eq_tol(
        cost_kernel_s(&c.curve[COST_K_ATTN_DECODE], 1e15, 1e12, &tiny), 10e-6,
        1e-18);
    /* 8e9 B at 0.8 * 4/(4+4) = 0.4 of 1 TB/s is 20 ms, + 4 units of 20 ns;
     * the compute side (2 us) is below it (hard max, no 'sharp') */
    ck_assert_double_eq_tol(
        cost_kernel_s(&c.curve[COST_K_ATTN_DECODE], 1e15, 1e12, &dec),
        0.02 + 80e-9, 1e-15);
}
END_TEST

/* good.yaml's 2-GPU table: (1000 B, 10 us), (4000, 40 us), (16000,
 * 60 us). */
START_TEST(allreduce_interpolated)
{
    cost_calib c = load_good();
    double s = 0;

    ck_assert(cost_calib_allreduce(&c, 2, 2000, &s));
    ck_assert_double_eq_tol(s, 2e-5, 1e-18); /* log-log, slope 1 */
    ck_assert(cost_calib_allreduce(&c, 2, 500, &s));
    ck_assert_double_eq(s, 1e-5); /* flat below the first size */
    ck_assert(cost_calib_allreduce(&c, 2, 20000, &s));
    /* beyond: the last segment's 20 us per 12,000 B */
    ck_assert_double_eq_tol(s, 6e-5 + 4000 * 2e-5 / 12000, 1e-18);
    ck_assert(!cost_calib_allreduce(&c, 4, 2000, &s)); /* not measured */
}
END_TEST

static cost_model small_model(void)
{
    cost_model m = {0};

    strcpy(m.name, "small");
    m.layers = 2, m.hidden = 4096, m.heads = 32, m.kv_heads = 8;
    m.head_dim = 128, m.ffn = 14336, m.vocab = 32000, m.gated_mlp = true;
    return m;
}

/* Four decodes of 1,000 tokens, two layers, tp 1: each layer's
 * attn_decode kernel reads 4000 * 2*8*128 * 2 B of KV + 2*4*32*128 * 2 B
 * of activations = 16,449,536 B with 4 x 8 = 32 (sequence, KV head)
 * units: 16449536 / (0.8 * 32/36 * 1e12) + 32 * 20 ns. */
START_TEST(step_uses_curves)
{
    cost_device dev = device();
    cost_model m = small_model();
    cost_precision p = cost_precision_default();
    cost_ctx ctx;
    cost_batch b = {0};
    cost_op ops[64];
    cost_step st;
    size_t n;
    double want = 2.0 * (16449536.0 / (0.8 * 32.0 / 36.0 * 1e12) + 32 * 20e-9);
    bool seen = false;

    dev.calib = load_good();
    cost_ctx_init(&ctx, &m, &p, &dev, 1, NULL, NULL);
    for (int i = 0; i < 4; i++)
        cost_batch_add_decode(&b, 1000);
    n = cost_step_ops(&ctx, &b, ops, 64);
    for (size_t i = 0; i < n && i < 64; i++)
        if (strcmp(ops[i].name, "attn_decode") == 0) {
            ck_assert_int_eq(ops[i].kclass, COST_K_ATTN_DECODE);
            ck_assert_double_eq_tol(ops[i].time_s, want, 1e-15);
            seen = true;
        }
    ck_assert(seen);
    /* the floors replace overhead.layer (1 s here): only the step's */
    cost_step_eval(&ctx, &b, &st);
    ck_assert_double_eq(st.overhead_s, 3e-6);
    /* uncalibrated, the same device adds it per layer */
    dev.calib.present = false;
    cost_ctx_init(&ctx, &m, &p, &dev, 1, NULL, NULL);
    cost_step_eval(&ctx, &b, &st);
    ck_assert_double_eq(st.overhead_s, 3e-6 + 2.0);
}
END_TEST

static void expect_bad(const char *path, const char *want)
{
    hs_diag *d = hs_diag_new();
    cost_calib c;

    ck_assert_int_eq(io_calibration_load(path, &c, d), HS_EINPUT);
    ck_assert(!c.present);
    ck_assert_str_eq(ck_diag_text(d), want);
    hs_diag_free(d);
}

START_TEST(bad_files_are_located)
{
    expect_bad("tests/data/calib/bad_class.yaml",
               "tests/data/calib/bad_class.yaml:4:5: error: curves.gemmm: "
               "unknown operator class 'gemmm' (expected gemm, gemm_fp8, "
               "attn_prefill, attn_decode, moe, mla_prefill, mla_decode or "
               "elementwise)\n");
    expect_bad("tests/data/calib/bad_fields.yaml",
               "tests/data/calib/bad_fields.yaml:4:5: error: curves.gemm: "
               "missing required key 'eff_compute'\n"
               "tests/data/calib/bad_fields.yaml:5:12: error: "
               "curves.gemm.floor: expected a time like '150ns', found '5' "
               "(no unit)\n");
    expect_bad("tests/data/calib/bad_order.yaml",
               "tests/data/calib/bad_order.yaml:7:10: error: "
               "allreduce.0.points.1.0: expected sizes in ascending order "
               "(after 4000), found 1000\n");
    expect_bad("tests/data/calib/missing.yaml",
               "tests/data/calib/missing.yaml: error: cannot read "
               "'tests/data/calib/missing.yaml': No such file or "
               "directory\n");
}
END_TEST

/* Samples of the gemm shape grid timed by a known curve. */
static size_t synthetic(const cost_curve *c, double peak, double bw,
                        app_ksample *s, size_t cap)
{
    static const double ms[] = {1, 4, 16, 64, 256, 1024, 4096, 16384};
    static const double nk[] = {1024, 4096, 16384};
    size_t n = 0;

    for (size_t i = 0; i < 8; i++)
        for (size_t j = 0; j < 3; j++)
            for (size_t k = 0; k < 3 && n < cap; k++) {
                double m = ms[i], nn = nk[j], kk = nk[k];

                memset(&s[n], 0, sizeof s[n]);
                s[n].k[0] = (cost_kernel){2 * m * nn * kk,
                                          (kk * nn + m * (kk + nn)) * 2, 0, 0};
                s[n].n_k = 1;
                s[n].measured_s = app_kpredict(c, peak, bw, &s[n]);
                s[n].test = n % 5 == 0;
                n++;
            }
    return n;
}

START_TEST(fit_recovers_synthetic)
{
    cost_curve truth = {true, 0.7, 0.8, 5e8, 2e6, 0, 3, 4e-6, 0};
    cost_curve fit = {true, 0.8, 0.85, 1e9, 1e6, 0, 4, 5e-6, 0};
    unsigned mask = APP_KP(APP_KP_EFF_C) | APP_KP(APP_KP_EFF_M) |
                    APP_KP(APP_KP_HALF_FLOPS) | APP_KP(APP_KP_HALF_BYTES) |
                    APP_KP(APP_KP_SHARP) | APP_KP(APP_KP_FLOOR);
    app_ksample s[72];
    size_t n = synthetic(&truth, 1e15, 3e12, s, 72);
    app_kresid r;

    ck_assert_int_eq(app_kfit(s, n, 1e15, 3e12, mask, &fit, NULL), HS_OK);
    ck_assert_double_eq_tol(fit.eff_c, 0.7, 1e-4);
    ck_assert_double_eq_tol(fit.eff_m, 0.8, 1e-4);
    ck_assert_double_eq_tol(fit.half_flops / 5e8, 1, 1e-3);
    ck_assert_double_eq_tol(fit.half_bytes / 2e6, 1, 1e-3);
    ck_assert_double_eq_tol(fit.sharp, 3, 1e-3);
    ck_assert_double_eq_tol(fit.floor_s, 4e-6, 1e-10);
    app_kresiduals(s, n, 1e15, 3e12, &fit, true, &r);
    ck_assert_uint_eq(r.n, 15);
    ck_assert(r.p90 < 1e-4);
}
END_TEST

Suite *calib_suite(void)
{
    Suite *s = suite_create("calib");
    TCase *tc = tcase_create("curves");

    tcase_add_test(tc, kernel_time_by_hand);
    tcase_add_test(tc, allreduce_interpolated);
    tcase_add_test(tc, step_uses_curves);
    tcase_add_test(tc, bad_files_are_located);
    tcase_add_test(tc, fit_recovers_synthetic);
    suite_add_tcase(s, tc);
    return s;
}
