/*
 * test_cost_par.c -- parallelism beyond tensor parallelism (cost_par.c
 * and its use in cost_step.c) against figures computed by hand: the
 * pipeline schedule and bubble, the attention data-parallel split, the
 * MoE all-to-all bytes, the skewed experts touched and the hottest EP
 * rank's load, the checks of a parallel layout, and MLA's replicated
 * q_a / kv_a projections.  Models are written out here, as in
 * test_cost_model.c, so the test pins the formulas, not the catalog.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "ck_util.h"
#include "hetsim/cost.h"

Suite *cost_par_suite(void);

/* H100 SXM figures, ideal efficiencies and no overheads: pure rooflines. */
static cost_device h100(void)
{
    cost_device d = {0};

    strcpy(d.name, "h100");
    d.peak_flops[COST_BF16] = 989.4e12;
    d.peak_flops[COST_FP16] = 989.4e12;
    d.mem_bytes = 80e9, d.mem_bw = 3.35e12;
    d.eta_compute = 1.0, d.eta_memory = 1.0, d.mem_margin = 0.1;
    return d;
}

static const cost_precision bf16 = {COST_BF16, COST_BF16, COST_BF16, COST_BF16,
                                    COST_BF16, false,     false};
static const cost_link nv = {"nvlink4", 450e9, 1e-6, 0, 1.0};

static cost_ctx ctx_par(const cost_model *m, int tp, int pp, int dp, int ep,
                        double skew)
{
    cost_device dev = h100();
    cost_ctx c;
    cost_parallel p = {pp, dp, ep, tp * dp / ep, skew};

    cost_ctx_init(&c, m, &bf16, &dev, tp, &nv, NULL);
    cost_ctx_set_parallel(&c, &p);
    return c;
}

#define REL_EQ(a, b) ck_assert_double_eq_tol((a), (b), fabs(b) * 1e-12)

static void decodes(cost_batch *b, int n, int64_t context)
{
    memset(b, 0, sizeof *b);
    for (int i = 0; i < n; i++)
        cost_batch_add_decode(b, context);
}

/* max(m, pp) x (pass / pp + hand-off): 4 stages, a 40 ms pass, 1 ms per
 * hand-off: one micro-batch 4 x 11 = 44 ms (3 of 4 slots idle), four the
 * same 44 ms (no bubble), eight 88 ms. */
START_TEST(pipeline_schedule_by_hand)
{
    REL_EQ(cost_pp_step_s(0.040, 0.001, 4, 1), 0.044);
    REL_EQ(cost_pp_step_s(0.040, 0.001, 4, 4), 0.044);
    REL_EQ(cost_pp_step_s(0.040, 0.001, 4, 8), 0.088);
    REL_EQ(cost_pp_step_s(0.040, 0.0, 1, 1), 0.040);
}
END_TEST

/* Llama-3-8B, one GPU per stage, pp 4.  One decode: one micro-batch
 * crosses all 4 stages, so the step is the whole pass plus 4 hand-offs
 * of one token's hidden state, 1 us + 4096 x 2 B / 450 GB/s each.  Four
 * decodes (at the same context) run as 4 micro-batches of one: the
 * pipeline is full, and the step costs the same -- PP serves 4 sequences
 * for the price of one when weights dominate. */
START_TEST(pipeline_step_bubble)
{
    cost_model m = ck_llama3_8b();
    cost_ctx c1 = ctx_par(&m, 1, 1, 1, 1, 0), c4 = ctx_par(&m, 1, 4, 1, 1, 0);
    cost_batch b;
    cost_step s1, s4, s4x4;
    double hand = 1e-6 + 4096.0 * 2 / 450e9;

    decodes(&b, 1, 1000);
    cost_step_eval(&c1, &b, &s1);
    cost_step_eval(&c4, &b, &s4);
    REL_EQ(s4.time_s, s1.time_s + 4 * hand);
    REL_EQ(s4.comm_s, 4 * hand);
    REL_EQ(s4.flops, s1.flops);
    decodes(&b, 4, 1000);
    cost_step_eval(&c4, &b, &s4x4);
    REL_EQ(s4x4.time_s, s4.time_s);
    REL_EQ(s4x4.flops, 4 * s1.flops);
    ck_assert_int_eq(c4.gpus, 4);
}
END_TEST

/* Attention DP 4 (tp 1): 8 decodes put 2 on each rank; the step is one
 * rank's step of 2 (a dense model has no MoE all-to-all, tp 1 no
 * all-reduce) and the step's FLOPs four ranks' worth.  9 decodes: the
 * slowest rank holds ceil(9/4) = 3. */
START_TEST(attention_dp_split)
{
    cost_model m = ck_llama3_8b();
    cost_ctx c1 = ctx_par(&m, 1, 1, 1, 1, 0), c4 = ctx_par(&m, 1, 1, 4, 1, 0);
    cost_batch b;
    cost_step one, dp;

    decodes(&b, 2, 1000);
    cost_step_eval(&c1, &b, &one);
    decodes(&b, 8, 1000);
    cost_step_eval(&c4, &b, &dp);
    REL_EQ(dp.time_s, one.time_s);
    REL_EQ(dp.flops, 4 * one.flops);
    ck_assert_double_eq(dp.comm_s, 0);
    decodes(&b, 3, 1000);
    cost_step_eval(&c1, &b, &one);
    decodes(&b, 9, 1000);
    cost_step_eval(&c4, &b, &dp);
    REL_EQ(dp.time_s, one.time_s);
    /* every rank holds the non-expert weights: 4 copies of the model */
    REL_EQ(c4.weight_bytes, 4 * c1.weight_bytes);
    ck_assert_int_eq(c4.gpus, 4);
    REL_EQ(cost_instance_mem_bytes(&c4), 4 * 80e9);
}
END_TEST

/* The all-to-all: alpha + (n-1)/n x bytes / BW.  DeepSeek-V3 with
 * attention DP 8 and EP 8 (tp 1): 64 decodes, 8 per GPU, each sent to
 * its top-8 experts' ranks, 8 x 8 x 7168 = 458,752 elements of 2 B per
 * GPU for the dispatch and again for the combine, in each of the 58 MoE
 * layers; no TP all-reduce at tp 1. */
START_TEST(moe_alltoall_bytes)
{
    cost_model m = ck_deepseek_v3();
    cost_ctx c = ctx_par(&m, 1, 1, 8, 8, 0);
    cost_batch b;
    cost_step st;
    double bytes = 8.0 * 8 * 7168 * 2;
    double a2a = 1e-6 + 7.0 / 8 * bytes / 450e9;

    REL_EQ(cost_alltoall_s(&nv, 8, 1e6), 1e-6 + 7.0 / 8 * 1e6 / 450e9);
    ck_assert_double_eq(cost_alltoall_s(&nv, 1, 1e6), 0);
    REL_EQ(cost_par_comm_s(&c, 8, 64), 58 * 2 * a2a);
    decodes(&b, 64, 2000);
    cost_step_eval(&c, &b, &st);
    REL_EQ(st.comm_s, 58 * 2 * a2a);
    ck_assert_int_eq(c.par.moe_tp, 1);
}
END_TEST

/* With a calibration's measured DeepEP tables for 8 GPUs the all-to-all
 * is interpolated log-log between their points instead: the payload of
 * the test above, 917,504 B, between (1e5 B, 10 us) and (1e7 B, 50 us)
 * takes 10 us x 5^(log(9.17504) / log(100)) = 21.7 us to dispatch and
 * twice that to combine. */
START_TEST(moe_alltoall_measured_table)
{
    cost_model m = ck_deepseek_v3();
    cost_device dev = h100();
    cost_parallel p = {1, 8, 8, 1, 0};
    cost_ctx c;
    cost_ar_table disp = {8, 2, {1e5, 1e7}, {10e-6, 50e-6}};
    cost_ar_table comb = {8, 2, {1e5, 1e7}, {20e-6, 100e-6}};
    double f = log(917504 / 1e5) / log(100.0);
    double td = 10e-6 * pow(5.0, f), tc = 20e-6 * pow(5.0, f);

    dev.calib.present = true;
    dev.calib.dispatch[0] = disp;
    dev.calib.combine[0] = comb;
    cost_ctx_init(&c, &m, &bf16, &dev, 1, &nv, NULL);
    cost_ctx_set_parallel(&c, &p);
    ck_assert_double_eq_tol(td, 21.7e-6, 0.05e-6);
    REL_EQ(cost_par_comm_s(&c, 8, 64), 58 * (td + tc));
    /* an EP size without a table falls back to the link */
    p.ep = 4, p.moe_tp = 2;
    cost_ctx_set_parallel(&c, &p);
    REL_EQ(cost_par_comm_s(&c, 8, 64),
           58 * (2 * 1e-6 + 0.75 * 2 * 8.0 * 8 * 7168 * 2 / 450e9));
}
END_TEST

/* Zipf skew 1 over 4 experts, top-1: p = (12/25)(1, 1/2, 1/3, 1/4) =
 * 0.48, 0.24, 0.16, 0.12.  Two tokens touch sum 1 - (1 - p_i)^2 =
 * 0.7296 + 0.4224 + 0.2944 + 0.2256 = 1.672 experts, fewer than the
 * uniform 4 (1 - 0.75^2) = 1.75; on 2 EP ranks rank 0 holds experts 1
 * and 3: share 0.64 (not 0.5), 1.024 experts touched (uniform 0.875). */
START_TEST(skewed_experts_touched)
{
    cost_moe_load u, z;

    cost_moe_load_eval(4, 1, 2, 2, 0, &u);
    cost_moe_load_eval(4, 1, 2, 2, 1.0, &z);
    REL_EQ(u.touched, 1.75);
    REL_EQ(u.touched_hot, 0.875);
    REL_EQ(u.share, 0.5);
    ck_assert_double_eq_tol(z.touched, 1.672, 1e-12);
    ck_assert_double_eq_tol(z.touched_hot, 1.024, 1e-12);
    ck_assert_double_eq_tol(z.share, 0.64, 1e-12);
    /* 1.28 + sqrt(2 ln 2 x 1.28 x 0.36) = 2.079 > the 2 pairs there are */
    REL_EQ(z.hot_pairs, 2.0);
}
END_TEST

/* Uniform routing, 256 experts top-8 over 8 EP ranks, 100 tokens: rank
 * 0's mean is 800 / 8 = 100 pairs; the largest of 8 ranks carries
 * 100 + sqrt(2 ln 8 x 100 x 7/8) = 119.08 (+19% over the mean). */
START_TEST(ep_hot_rank_imbalance)
{
    cost_moe_load ld;

    cost_moe_load_eval(256, 8, 100, 8, 0, &ld);
    REL_EQ(ld.pairs, 800.0);
    REL_EQ(ld.share, 0.125);
    REL_EQ(ld.hot_pairs, 100 + sqrt(2 * log(8.0) * 100 * 0.875));
    ck_assert_double_eq_tol(ld.hot_pairs, 119.076, 1e-3);
    /* one EP rank: every pair, no imbalance */
    cost_moe_load_eval(256, 8, 100, 1, 0, &ld);
    REL_EQ(ld.hot_pairs, 800.0);
    REL_EQ(ld.touched, 256 * (1 - pow(1 - 8.0 / 256, 100)));
}
END_TEST

/* Skew at EP 1 changes only the experts read: routed weight bytes of one
 * decode step of 16 tokens equal 58 x touched x 3 d F_e x 2 B with the
 * skewed count. */
START_TEST(skew_in_step)
{
    cost_model m = ck_deepseek_v3();
    cost_ctx c = ctx_par(&m, 1, 1, 1, 1, 1.2);
    cost_batch b;
    cost_op ops[64];
    cost_moe_load ld;
    size_t n;
    double w = 0;

    decodes(&b, 16, 1000);
    n = cost_step_ops(&c, &b, ops, 64);
    for (size_t i = 0; i < n; i++)
        if (strcmp(ops[i].name, "moe_gate_up") == 0 ||
            strcmp(ops[i].name, "moe_down") == 0)
            w += ops[i].weight_bytes;
    cost_moe_load_eval(256, 8, 16, 1, 1.2, &ld);
    REL_EQ(w, 58 * ld.touched * 3 * 7168.0 * 2048 * 2);
    ck_assert(ld.touched < 256 * (1 - pow(1 - 8.0 / 256, 16)));
}
END_TEST

START_TEST(layout_checks)
{
    cost_model m = ck_deepseek_v3(), d = ck_llama3_8b();
    cost_parallel ok = {1, 8, 8, 1, 0}, bad = {1, 1, 8, 2, 0};
    cost_parallel dense_ep = {1, 1, 2, 1, 0}, skew = {1, 1, 1, 8, 5};
    char why[200];

    ck_assert(cost_parallel_valid(&ok, 1, &m, why, sizeof why));
    ck_assert(!cost_parallel_valid(&bad, 8, &m, why, sizeof why));
    ck_assert_ptr_nonnull(strstr(why, "ep 8 x moe_tp 2 = 16"));
    ck_assert(!cost_parallel_valid(&dense_ep, 2, &d, why, sizeof why));
    ck_assert(!cost_parallel_valid(&skew, 8, &m, why, sizeof why));
}
END_TEST

/* DeepSeek's q_a and kv_a projections are replicated on every TP rank:
 * at tp 8 the instance runs 8 copies (FLOPs x 8) and each GPU takes as
 * long as one GPU at tp 1: one token, 61 x 2 x 7168 x 1536 FLOPs per
 * copy of q_a. */
START_TEST(mla_replicated_projections)
{
    cost_model m = ck_deepseek_v3();
    cost_ctx c1 = ctx_par(&m, 1, 1, 1, 1, 0), c8 = ctx_par(&m, 8, 1, 1, 1, 0);
    cost_batch b;
    cost_op o1[64], o8[64];
    size_t n1, n8;
    int hits = 0;

    decodes(&b, 1, 1000);
    n1 = cost_step_ops(&c1, &b, o1, 64);
    n8 = cost_step_ops(&c8, &b, o8, 64);
    ck_assert_uint_eq(n1, n8);
    for (size_t i = 0; i < n1; i++) {
        if (strcmp(o1[i].name, "q_a_proj") == 0) {
            REL_EQ(o1[i].flops, 61 * 2 * 7168.0 * 1536);
            REL_EQ(o8[i].flops, 8 * 61 * 2 * 7168.0 * 1536);
        } else if (strcmp(o1[i].name, "kv_a_proj") != 0) {
            continue;
        }
        REL_EQ(o8[i].time_s, o1[i].time_s);
        if (strcmp(o1[i].name, "kv_a_proj") == 0) /* a latent per rank */
            REL_EQ(o8[i].kv_bytes, o1[i].kv_bytes * 8);
        hits++;
    }
    ck_assert_int_eq(hits, 2);
}
END_TEST

Suite *cost_par_suite(void)
{
    Suite *s = suite_create("cost_par");
    TCase *tc = tcase_create("formulas");

    tcase_add_test(tc, pipeline_schedule_by_hand);
    tcase_add_test(tc, pipeline_step_bubble);
    tcase_add_test(tc, attention_dp_split);
    tcase_add_test(tc, moe_alltoall_bytes);
    tcase_add_test(tc, moe_alltoall_measured_table);
    tcase_add_test(tc, skewed_experts_touched);
    tcase_add_test(tc, ep_hot_rank_imbalance);
    tcase_add_test(tc, skew_in_step);
    tcase_add_test(tc, layout_checks);
    tcase_add_test(tc, mla_replicated_projections);
    suite_add_tcase(s, tc);
    return s;
}
