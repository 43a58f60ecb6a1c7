/*
 * test_cost_model.c -- the analytic cost model against numbers computed
 * by hand from the formulas of costmodel-reference section 2, for a
 * dense GQA model (Llama-3-8B), an MHA model (Llama-2-7B), a MoE model
 * (Mixtral-8x7B) and DeepSeek-V3 (MLA + MoE with a shared expert and
 * dense first layers).  Models are written out here, not loaded from the
 * catalog, so the test pins the formulas, not the YAML.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "ck_util.h"
#include "hetsim/cost.h"

Suite *cost_model_suite(void);

static cost_model llama3_70b(void)
{
    cost_model m = ck_llama3_8b();

    m.layers = 80, m.hidden = 8192, m.heads = 64, m.ffn = 28672;
    return m;
}

static cost_model llama2_7b(void)
{
    cost_model m = ck_llama3_8b();

    m.kv_heads = 32, m.ffn = 11008, m.vocab = 32000;
    return m;
}

static cost_model mixtral(void)
{
    cost_model m = ck_llama3_8b();

    m.vocab = 32000, m.ffn = 14336;
    m.moe_experts = 8, m.moe_top_k = 2, m.moe_expert_ffn = 14336;
    return m;
}

/* H100 SXM figures of costmodel-reference section 3.1, ideal
 * efficiencies and no overheads so times are pure rooflines. */
static cost_device h100(void)
{
    cost_device d = {0};

    strcpy(d.name, "h100");
    d.peak_flops[COST_BF16] = 989.4e12;
    d.peak_flops[COST_FP16] = 989.4e12;
    d.peak_flops[COST_FP8] = 1978.9e12;
    d.peak_flops[COST_INT8] = 1978.9e12;
    d.mem_bytes = 80e9, d.mem_bw = 3.35e12;
    d.eta_compute = 1.0, d.eta_memory = 1.0, d.mem_margin = 0.1;
    return d;
}

static cost_ctx ctx_for(const cost_model *m, cost_precision p, int tp)
{
    cost_device dev = h100();
    cost_link nv = {"nvlink4", 450e9, 1e-6, 0, 1.0};
    cost_ctx c;

    cost_ctx_init(&c, m, &p, &dev, tp, &nv, NULL);
    return c;
}

static const cost_precision bf16 = {
    .weights = COST_BF16, .kv = COST_BF16, .activations = COST_BF16};

#define REL_EQ(a, b) ck_assert_double_eq_tol((a), (b), fabs(b) * 1e-12)

START_TEST(params_match_published_counts)
{
    cost_model a = llama2_7b(), b = ck_llama3_8b(), c = mixtral();
    cost_model d = ck_deepseek_v3(), e = llama3_70b();

    /* HF parameter counts (norm weights included). */
    REL_EQ(cost_model_params_total(&a), 6738415616.0);
    REL_EQ(cost_model_params_total(&b), 8030261248.0);
    REL_EQ(cost_model_params_total(&e), 70553706496.0);
    REL_EQ(cost_model_params_total(&c), 46702792704.0);
    REL_EQ(cost_model_params_active(&c), 12879925248.0);
    /* DeepSeek-V3: 671B total, 37B active (model card). */
    REL_EQ(cost_model_params_total(&d), 671026404352.0);
    REL_EQ(cost_model_params_active(&d), 37552282624.0);
}
END_TEST

START_TEST(kv_bytes_per_token)
{
    cost_model a = llama2_7b(), b = ck_llama3_8b(), c = mixtral();
    cost_model d = ck_deepseek_v3(), e = llama3_70b();
    cost_precision fp8kv = {
        .weights = COST_BF16, .kv = COST_FP8, .activations = COST_BF16};

    /* 2 * L * H_kv * d_h * 2 B; MLA L * (d_c + d_r) * 2 B. */
    ck_assert_double_eq(ctx_for(&a, bf16, 1).kv_bytes_per_token, 524288.0);
    ck_assert_double_eq(ctx_for(&b, bf16, 1).kv_bytes_per_token, 131072.0);
    ck_assert_double_eq(ctx_for(&c, bf16, 1).kv_bytes_per_token, 131072.0);
    ck_assert_double_eq(ctx_for(&e, bf16, 1).kv_bytes_per_token, 327680.0);
    ck_assert_double_eq(ctx_for(&d, bf16, 1).kv_bytes_per_token, 70272.0);
    ck_assert_double_eq(ctx_for(&b, fp8kv, 1).kv_bytes_per_token, 65536.0);
    /* TP splits KV heads (same total), until tp > kv_heads replicates
     * them; MLA's latent is replicated on every rank. */
    ck_assert_double_eq(ctx_for(&b, bf16, 8).kv_bytes_per_token, 131072.0);
    ck_assert_double_eq(ctx_for(&b, bf16, 16).kv_bytes_per_token,
                        2.0 * 131072.0);
    ck_assert_double_eq(ctx_for(&d, bf16, 8).kv_bytes_per_token,
                        8.0 * 70272.0);
}
END_TEST

/* Llama-3-8B, one sequence decoding at context c: every term by hand. */
START_TEST(dense_gqa_decode_by_hand)
{
    cost_model m = ck_llama3_8b();
    cost_ctx c = ctx_for(&m, bf16, 1);
    cost_batch b = {0};
    cost_step st;
    double L = 32, d = 4096, F = 14336, V = 128256, ctx = 4096;
    double layer_flops = 2 * d * 6144         /* qkv: (32 + 2*8) * 128 */
                         + 4 * 32 * 128 * ctx /* attention */
                         + 2 * d * d          /* o_proj */
                         + 2 * d * 2 * F      /* gate+up */
                         + 4 * F              /* SiLU * up */
                         + 2 * F * d          /* down */
                         + 2 * 4 * d          /* two norms */
                         + 2 * d;             /* two residual adds */
    double flops = L * layer_flops + 4 * d + 2 * d * V;
    /* All weights but the embedding, of which one row is read. */
    double weights = (8030261248.0 - V * d + d) * 2;
    /* Read c cached tokens' K and V, write the new token's. */
    double kv = L * (ctx + 1) * 2 * 8 * 128 * 2;

    cost_batch_add_decode(&b, 4096);
    cost_step_eval(&c, &b, &st);
    REL_EQ(st.flops, flops);
    REL_EQ(st.weight_bytes, weights);
    REL_EQ(st.kv_bytes, kv);
    ck_assert(st.bound == COST_BOUND_BANDWIDTH);
    ck_assert_double_eq_tol(st.oi, st.flops / st.bytes, 1e-12);
    /* Decode at batch 1 is weight-bound: OI is about one FLOP per byte. */
    ck_assert(st.oi > 0.9 && st.oi < 1.5);
}
END_TEST

/* Llama-2-7B (MHA): the non-attention FLOPs of a 4,096-token prefill
 * equal 2 * tokens * (4 d^2 + 3 d F) per layer (reference_results
 * section 2), attention counts causal pairs s(s+1)/2. */
START_TEST(mha_prefill_by_hand)
{
    cost_model m = llama2_7b();
    cost_ctx c = ctx_for(&m, bf16, 1);
    cost_batch b = {0};
    cost_op ops[64];
    size_t n;
    double s = 4096, d = 4096, F = 11008, pairs = s * (s + 1) / 2;
    double gemm = 0, attn = 0, kv = 0;

    cost_batch_add_prefill(&b, &c, 4096, 0, true);
    ck_assert_double_eq(b.prefill_pairs, pairs);
    n = cost_step_ops(&c, &b, ops, 64);
    ck_assert_uint_le(n, 64);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ops[i].name, "qkv_proj") == 0 ||
            strcmp(ops[i].name, "o_proj") == 0 ||
            strcmp(ops[i].name, "mlp_gate_up") == 0 ||
            strcmp(ops[i].name, "mlp_down") == 0)
            gemm += ops[i].flops;
        if (strcmp(ops[i].name, "attn_prefill") == 0) {
            attn = ops[i].flops;
            kv += ops[i].kv_bytes;
        }
        if (strcmp(ops[i].name, "qkv_proj") == 0)
            kv += ops[i].kv_bytes;
    }
    REL_EQ(gemm, 32 * 2 * s * (4 * d * d + 3 * d * F));
    REL_EQ(attn, 32 * 4 * 32 * 128 * pairs);
    /* Write the prompt's KV once, read it once in the fused kernel. */
    REL_EQ(kv, 2 * s * 524288.0);
    /* Full attention option: s^2 pairs. */
    {
        cost_options o = {.full_attention = true};
        cost_device dev = h100();
        cost_ctx full;
        cost_batch fb = {0};

        cost_ctx_init(&full, &m, &bf16, &dev, 1, NULL, &o);
        cost_batch_add_prefill(&fb, &full, 4096, 0, true);
        ck_assert_double_eq(fb.prefill_pairs, s * s);
    }
}
END_TEST

START_TEST(chunked_prefill_pairs)
{
    cost_model m = ck_llama3_8b();
    cost_ctx c = ctx_for(&m, bf16, 1);
    cost_batch b = {0};

    /* A chunk of q after p cached: q*p + q(q+1)/2. */
    cost_batch_add_prefill(&b, &c, 512, 1024, false);
    ck_assert_double_eq(b.prefill_pairs, 512.0 * 1024 + 512.0 * 513 / 2);
    ck_assert_int_eq(b.logits_tokens, 0);
    cost_batch_add_prefill(&b, &c, 512, 1536, true);
    ck_assert_int_eq(b.logits_tokens, 1);
    ck_assert_int_eq(b.prefill_cached, 2560);
}
END_TEST

/* Mixtral: weights of E_touched(T) = E (1 - (1 - k/E)^T) experts. */
START_TEST(moe_experts_touched)
{
    cost_model m = mixtral();
    cost_ctx c = ctx_for(&m, bf16, 1);
    double d = 4096, Fe = 14336, expert = 3 * d * Fe * 2;
    double t_vals[] = {1, 4, 16, 64};

    for (size_t i = 0; i < 4; i++) {
        cost_batch b = {0};
        cost_op ops[64];
        size_t n;
        double w = 0, f = 0;
        double t = t_vals[i];
        double touched = 8 * (1 - pow(1 - 2.0 / 8, t));

        for (int j = 0; j < (int)t; j++)
            cost_batch_add_decode(&b, 1000);
        n = cost_step_ops(&c, &b, ops, 64);
        for (size_t k = 0; k < n; k++) {
            if (strncmp(ops[k].name, "moe_", 4) == 0 &&
                strcmp(ops[k].name, "moe_router") != 0) {
                w += ops[k].weight_bytes;
                f += ops[k].flops;
            }
        }
        REL_EQ(w, 32 * touched * expert);
        /* FLOPs: k experts per token, 3 GEMMs and the gated activation. */
        REL_EQ(f, 32 * t * 2 * (2 * 3 * d * Fe + 4 * Fe));
    }
    ck_assert_double_eq_tol(8 * (1 - pow(0.75, 16)), 7.92, 0.01);
}
END_TEST

/* DeepSeek-V3: absorbed MLA decode, attention-only OI
 * 2 H (2 d_c + d_r) / ((d_c + d_r) b_kv) = 241.8 FLOP/B in bf16. */
START_TEST(mla_decode_absorbed)
{
    cost_model m = ck_deepseek_v3();
    cost_ctx c = ctx_for(&m, bf16, 1);
    cost_batch b = {0};
    cost_op ops[64];
    size_t n;
    double core_f = 0, core_kv = 0, moe_w = 0;
    double touched = 256 * (1 - pow(1 - 8.0 / 256, 1));

    cost_batch_add_decode(&b, 4096);
    n = cost_step_ops(&c, &b, ops, 64);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ops[i].name, "mla_decode") == 0) {
            core_f = ops[i].flops;
            core_kv = ops[i].kv_bytes;
        }
        if (strcmp(ops[i].name, "moe_gate_up") == 0 ||
            strcmp(ops[i].name, "moe_down") == 0)
            moe_w += ops[i].weight_bytes;
    }
    REL_EQ(core_f, 61 * 2 * 4096.0 * 128 * (2 * 512 + 64));
    REL_EQ(core_kv, 61 * 4096.0 * 576 * 2);
    ck_assert_double_eq_tol(core_f / core_kv, 241.78, 0.01);
    /* One token touches exactly top_k = 8 routed experts in each of the
     * 58 MoE layers. */
    ck_assert_double_eq_tol(touched, 8.0, 1e-9);
    REL_EQ(moe_w, 58 * 8 * 3 * 7168.0 * 2048 * 2);
}
END_TEST

/* MLA prefill runs the naive form: up-projection of the latent and a
 * core with qk dim d_n + d_r and v dim d_v. */
START_TEST(mla_prefill_naive)
{
    cost_model m = ck_deepseek_v3();
    cost_ctx c = ctx_for(&m, bf16, 1);
    cost_batch b = {0};
    cost_op ops[64];
    size_t n;
    double s = 2048, pairs = s * (s + 1) / 2, core = 0, up = 0;

    cost_batch_add_prefill(&b, &c, 2048, 0, true);
    n = cost_step_ops(&c, &b, ops, 64);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ops[i].name, "mla_prefill") == 0)
            core = ops[i].flops;
        if (strcmp(ops[i].name, "kv_b_proj") == 0)
            up = ops[i].flops;
    }
    REL_EQ(core, 61 * 2 * pairs * 128 * (128 + 64 + 128));
    REL_EQ(up, 61 * 2 * s * 512 * 128 * (128 + 128));
}
END_TEST

/* Reference section 2.8: Llama-3-70B decode OI, counting weight and KV
 * bytes as the reference does, tends to 111.6 at c=4k and 14.5 at c=64k
 * as the batch grows (bf16), below every ridge.  hetsim also counts
 * activation traffic, which lowers the full OI by a few percent. */
START_TEST(decode_oi_limit_llama3_70b)
{
    cost_model m = llama3_70b();
    cost_ctx c = ctx_for(&m, bf16, 1);
    int64_t ctxs[2] = {4096, 65536};
    double want[2] = {111.6, 14.5};

    for (int i = 0; i < 2; i++) {
        cost_batch b = {0};
        cost_step st;

        for (int j = 0; j < 100000; j++)
            cost_batch_add_decode(&b, ctxs[i]);
        cost_step_eval(&c, &b, &st);
        double oi_wkv = st.flops / (st.weight_bytes + st.kv_bytes);

        ck_assert_msg(fabs(oi_wkv - want[i]) / want[i] < 0.01,
                      "context %lld: OI %.2f, want about %.1f",
                      (long long)ctxs[i], oi_wkv, want[i]);
        ck_assert(st.oi < oi_wkv && st.oi > 0.9 * oi_wkv);
        ck_assert(st.bound == COST_BOUND_BANDWIDTH);
    }
}
END_TEST

START_TEST(roofline_time_and_bound)
{
    cost_model m = ck_llama3_8b();
    cost_ctx c = ctx_for(&m, bf16, 1);
    cost_batch b = {0};
    cost_step st;

    cost_batch_add_prefill(&b, &c, 8192, 0, true);
    cost_step_eval(&c, &b, &st);
    ck_assert(st.bound == COST_BOUND_COMPUTE);
    /* Pure roofline (eta 1, no overheads, tp 1): at least the FLOPs at
     * peak and the bytes at full bandwidth, at most their sum. */
    ck_assert(st.time_s >= st.flops / 989.4e12);
    ck_assert(st.time_s >= st.bytes / 3.35e12);
    ck_assert(st.time_s <= st.flops / 989.4e12 + st.bytes / 3.35e12);
    ck_assert_double_eq_tol(st.time_s, st.roofline_s, 1e-15);
}
END_TEST

START_TEST(tensor_parallel_allreduce)
{
    cost_link l = {"x", 100e9, 2e-6, 0, 1.0};
    cost_model m = ck_llama3_8b();
    cost_ctx c1 = ctx_for(&m, bf16, 1), c4 = ctx_for(&m, bf16, 4);
    cost_batch b = {0};
    cost_step s1, s4;

    /* 2(n-1) alpha + 2(n-1)/n M / BW */
    ck_assert_double_eq_tol(cost_allreduce_s(&l, 4, 1e9),
                            6 * 2e-6 + 1.5 * 1e9 / 100e9, 1e-15);
    ck_assert_double_eq(cost_allreduce_s(&l, 1, 1e9), 0);
    cost_batch_add_decode(&b, 4096);
    cost_step_eval(&c1, &b, &s1);
    cost_step_eval(&c4, &b, &s4);
    /* Same work spread over 4 devices -- except norms and residual adds,
     * which every rank runs whole (3 more copies of 2 norms and 2 adds
     * per layer and the final norm) -- plus 2 all-reduces per layer of
     * one token's hidden state. */
    REL_EQ(s4.flops,
           s1.flops + 3 * (32 * (2 * 4 * 4096.0 + 2 * 4096) + 4 * 4096));
    ck_assert(s4.roofline_s > s1.roofline_s / 4);
    ck_assert(s4.roofline_s < s1.roofline_s / 3);
    REL_EQ(s4.comm_s, 2 * 32 * (6 * 1e-6 + 1.5 * 4096 * 2 / 450e9));
}
END_TEST

START_TEST(compute_format_selection)
{
    cost_device h = h100(), a = {0};
    cost_precision w4 = {
        .weights = COST_INT4, .kv = COST_BF16, .activations = COST_BF16};
    cost_precision f8 = {
        .weights = COST_FP8, .kv = COST_FP8, .activations = COST_FP8};
    cost_precision w8 = {
        .weights = COST_FP8, .kv = COST_FP8, .activations = COST_BF16};

    a.peak_flops[COST_BF16] = 312e12;
    a.peak_flops[COST_INT8] = 624e12;
    ck_assert_int_eq(cost_compute_dtype(&h, &w4), COST_BF16);
    ck_assert_int_eq(cost_compute_dtype(&h, &f8), COST_FP8);
    ck_assert_int_eq(cost_compute_dtype(&h, &w8), COST_BF16);
    ck_assert_int_eq(cost_compute_dtype(&a, &f8), COST_BF16);
    ck_assert_double_eq(cost_dtype_bytes(COST_INT4), 0.515625);
    ck_assert_double_eq(cost_dtype_bytes(COST_FP4), 0.53125);
}
END_TEST

START_TEST(capacity_arithmetic)
{
    cost_model m = llama3_70b();
    cost_ctx c = ctx_for(&m, bf16, 1), c4 = ctx_for(&m, bf16, 4);

    /* 141 GB of bf16 weights do not fit one 80 GB device. */
    ck_assert(cost_kv_capacity_bytes(&c, 0, 0) < 0);
    REL_EQ(cost_kv_capacity_bytes(&c4, 0, 0),
           4 * 80e9 * 0.9 - 70553706496.0 * 2);
    REL_EQ(cost_workspace_bytes(&c, 10, 1),
           10 * 2 * (2 * 8192.0 + 2 * 28672) + 128256.0 * 4);
}
END_TEST

START_TEST(model_validation)
{
    cost_model m = ck_llama3_8b();
    char why[128];

    ck_assert(cost_model_valid(&m, why, sizeof why));
    m.kv_heads = 7;
    ck_assert(!cost_model_valid(&m, why, sizeof why));
    ck_assert_str_eq(why, "heads must be a multiple of kv_heads");
    m = mixtral();
    m.moe_top_k = 9;
    ck_assert(!cost_model_valid(&m, why, sizeof why));
}
END_TEST

/* KV in a remote pool: the same FLOPs and bytes, but the device's memory
 * time leaves the KV bytes out (the serving layer adds the link time). */
START_TEST(remote_kv_leaves_device_memory_time)
{
    cost_model m = ck_llama3_8b();
    cost_device dev = h100();
    cost_options remote = {.kv_remote = true};
    cost_ctx local, pool;
    cost_batch b = {0};
    cost_step sl, sp;

    cost_ctx_init(&local, &m, &bf16, &dev, 1, NULL, NULL);
    cost_ctx_init(&pool, &m, &bf16, &dev, 1, NULL, &remote);
    for (int i = 0; i < 32; i++)
        cost_batch_add_decode(&b, 16384);
    cost_step_eval(&local, &b, &sl);
    cost_step_eval(&pool, &b, &sp);
    REL_EQ(sp.flops, sl.flops);
    REL_EQ(sp.kv_bytes, sl.kv_bytes);
    REL_EQ(sp.bytes, sl.bytes);
    /* Decode is bandwidth-bound throughout, so the memory time drops by
     * exactly the KV bytes at full bandwidth. */
    REL_EQ(sl.memory_s - sp.memory_s, sl.kv_bytes / 3.35e12);
}
END_TEST

START_TEST(empty_batch_costs_nothing)
{
    cost_model m = ck_llama3_8b();
    cost_ctx c = ctx_for(&m, bf16, 2);
    cost_batch b = {0};
    cost_step st;

    cost_step_eval(&c, &b, &st);
    ck_assert_double_eq(st.time_s, 0);
    ck_assert_double_eq(st.flops, 0);
}
END_TEST

Suite *cost_model_suite(void)
{
    Suite *s = suite_create("cost_model");
    TCase *tc = tcase_create("formulas");

    tcase_add_test(tc, params_match_published_counts);
    tcase_add_test(tc, kv_bytes_per_token);
    tcase_add_test(tc, dense_gqa_decode_by_hand);
    tcase_add_test(tc, mha_prefill_by_hand);
    tcase_add_test(tc, chunked_prefill_pairs);
    tcase_add_test(tc, moe_experts_touched);
    tcase_add_test(tc, mla_decode_absorbed);
    tcase_add_test(tc, mla_prefill_naive);
    tcase_add_test(tc, decode_oi_limit_llama3_70b);
    tcase_add_test(tc, roofline_time_and_bound);
    tcase_add_test(tc, tensor_parallel_allreduce);
    tcase_add_test(tc, compute_format_selection);
    tcase_add_test(tc, capacity_arithmetic);
    tcase_add_test(tc, model_validation);
    tcase_add_test(tc, empty_batch_costs_nothing);
    tcase_add_test(tc, remote_kv_leaves_device_memory_time);
    suite_add_tcase(s, tc);
    return s;
}
