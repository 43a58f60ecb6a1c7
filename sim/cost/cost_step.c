/*
 * cost_step.c -- FLOPs, bytes and time of one batch iteration.
 *
 * A step is a list of operators per layer (costmodel-reference section
 * 2.3-2.6, docs/costmodel.md).  Each operator's FLOPs and bytes (weights,
 * KV cache, activations) are counted for the whole instance; its time is
 * its roofline on one of the 'tp' devices that share it:
 *
 *     t_op = max(FLOPs / (tp * eta_c * peak), bytes / (tp * eta_m * BW))
 *
 * summed over operators, plus tensor-parallel all-reduces over the
 * instance link and fixed per-step and per-layer overheads.
 *
 * A device with a calibration (cost_calib) times each of the 'count'
 * kernels of an operator by its class's fitted curve instead,
 * cost_kernel_s() on one device's share (FLOPs and bytes / tp / count),
 * which has its own kernel floor, so no per-layer overhead is added;
 * compute_s and memory_s stay the scalar-efficiency times, which say
 * which limit an operator is near.  The TP all-reduce is interpolated
 * from the measured table of that GPU count when the file has one.
 *
 * Counting conventions (the tests compute the same numbers by hand):
 *  - a GEMM of T tokens through an ic x oc weight costs 2*T*ic*oc FLOPs,
 *    reads the weight once (ic*oc*b_w), reads T*ic inputs in the GEMM
 *    input format (b_a) and writes T*oc outputs in the residual format
 *    (b_r); K and V projections write to the KV cache instead;
 *  - formats (cost.h cost_precision): GEMMs run at the peak of the compute
 *    format, attention at the peak of the attention format (its Q and O
 *    in b_att), norms, residual adds and activations move b_r elements,
 *    and the TP all-reduce carries the residual stream (b_r);
 *  - attention is fused (flash): the score matrix never reaches memory;
 *    prefill reads the K/V of the cached prefix and of the chunk once;
 *  - MoE reads E_touched(T) = E*(1-(1-k/E)^T) experts' weights;
 *  - MLA prefill runs the naive form (up-project the latent of every
 *    token in context), decode the absorbed form;
 *  - norms cost 4 FLOPs per element, residual adds 1, the gated
 *    activation 4 per intermediate element;
 *  - under tensor parallelism every operator is split over the 'tp'
 *    devices except norms, residual adds and MLA's q_a / kv_a
 *    projections, which every rank runs whole (counted 'tp' times).
 * Pipeline, attention data and expert parallelism (cost_parallel, a
 * group's pp / dp / ep / moe_tp / moe_skew) time one attention rank's
 * micro-batch through every layer and make the step of it (eval() at
 * the end of the file; the formulas are in cost_par.c).  Tensor
 * parallelism alone takes the original path unchanged.
 * Evaluating a step allocates nothing and costs O(operators).
 */
#include "hetsim/cost.h"

#include <math.h>
#include <stddef.h>

#include "hetsim/util.h"

/* Accumulates operators into a step (and optionally a breakdown). */
typedef struct acc {
    const cost_ctx *ctx;
    cost_step *st;
    cost_op *ops;
    size_t cap;
    size_t n;
    double flops_rate[COST_N_KCLASS]; /* tp * eta_c * the class's peak */
    double bytes_rate;                /* tp * eta_m * BW */
    cost_kclass gemm; /* gemm or gemm_fp8, by the compute format */
    cost_kclass moe;  /* moe or moe_fp8, likewise */
    cost_kclass attn_prefill, attn_decode; /* the _fp8 classes with an
                                              8-bit KV cache */
    double par, units; /* cost_kernel's par and units: decode
                          attention's (sequence, KV head) pairs, the
                          routed tokens of the MoE gate/up kernel; set
                          only around their add_op */
    double tot_mult;   /* copies of this pass in the step (attention
                          ranks x micro-batches; 1 without DP or PP):
                          the step's totals are the timed amounts times
                          it, except the routed experts' (cost_par.c) */
    double moe_tokens; /* tokens every MoE layer routes in this pass
                          (all attention ranks) */
} acc;

/* The peak a class runs at: the GEMM compute format for the GEMM-like
 * classes, the attention format for attention and MLA, the residual
 * format for elementwise kernels. */
static double class_peak(const cost_ctx *c, cost_kclass k)
{
    switch (k) {
    case COST_K_GEMM:
    case COST_K_GEMM_FP8:
    case COST_K_MOE:
    case COST_K_MOE_FP8:
        return c->peak;
    case COST_K_ATTN_PREFILL:
    case COST_K_ATTN_DECODE:
    case COST_K_ATTN_PREFILL_FP8:
    case COST_K_ATTN_DECODE_FP8:
    case COST_K_MLA_PREFILL:
    case COST_K_MLA_DECODE:
        return c->attn_peak > 0 ? c->attn_peak : c->peak;
    case COST_K_ELEMENTWISE:
    default:
        return c->res_peak > 0 ? c->res_peak : c->peak;
    }
}

/* The peak a class's curve is evaluated against: its class_peak, except
 * elementwise kernels and attention over an fp8 KV cache, fitted against
 * bf16 (hetsim calibrate; vLLM's fp8-KV kernels of the tables are timed
 * as they ran, whatever their internal format). */
static double curve_peak(const cost_ctx *c, cost_kclass k)
{
    double bf16 = c->dev.peak_flops[COST_BF16];

    if ((k == COST_K_ELEMENTWISE || k == COST_K_ATTN_PREFILL_FP8 ||
         k == COST_K_ATTN_DECODE_FP8) &&
        bf16 > 0)
        return bf16;
    return class_peak(c, k);
}

/* The time of 'count' kernels of class 'k' holding 'f' FLOPs and 'b'
 * device-memory bytes on the whole instance, under the calibration;
 * 'scalar' (the uncalibrated roofline) when the class was not fitted. */
static double calibrated_s(const acc *a, cost_kclass k, double count, double f,
                           double b, double scalar)
{
    const cost_ctx *c = a->ctx;
    const cost_curve *cv = &c->dev.calib.curve[k];
    double per = c->tp * count;
    cost_kernel kn = {f / per, b / per, a->par, a->units};

    if (!cv->fitted)
        return scalar;
    return count * cost_kernel_s(cv, curve_peak(c, k), c->dev.mem_bw, &kn);
}

/* Add an operator timed by the amounts 'q' (FLOPs, weight, KV and
 * activation bytes of all 'count' kernels as the tp devices of one rank
 * see them: q / tp is one device's share) whose amounts in the whole
 * step are 'tot'. */
static void add_op_q(acc *a, const char *name, cost_kclass k, double count,
                     const double q[4], const double tot[4])
{
    cost_step *st = a->st;
    double f = q[0], w = q[1], kv = q[2], act = q[3];
    double tc = f / a->flops_rate[k];
    double b = w + (a->ctx->opts.kv_remote ? 0 : kv) + act;
    double tm = b / a->bytes_rate;
    double t = tc > tm ? tc : tm;

    if (count <= 0 || (f == 0 && w + kv + act == 0))
        return;
    if (a->ctx->dev.calib.present)
        t = calibrated_s(a, k, count, f, b, t);
    f = tot[0];
    w = tot[1];
    kv = tot[2];
    act = tot[3];
    st->flops += f;
    st->weight_bytes += w;
    st->kv_bytes += kv;
    st->act_bytes += act;
    st->compute_s += tc;
    st->memory_s += tm;
    st->roofline_s += t;
    if (tc > tm)
        st->compute_bound_s += t;
    if (a->ops != NULL && a->n < a->cap) {
        cost_op *op = &a->ops[a->n];

        op->name = name;
        op->flops = f;
        op->weight_bytes = w;
        op->kv_bytes = kv;
        op->act_bytes = act;
        op->count = count;
        op->kclass = k;
        op->time_s = t;
    }
    a->n++;
}

/* Add an operator run 'count' times per step by each of 'copies'
 * devices (1: split over the tp devices; tp: replicated on each). */
static void add_op_copies(acc *a, const char *name, cost_kclass k,
                          double count, double copies, double flops,
                          double wbytes, double kvbytes, double actbytes)
{
    double n = count * copies;
    double q[4] = {n * flops, n * wbytes, n * kvbytes, n * actbytes};
    double tot[4];

    for (int i = 0; i < 4; i++)
        tot[i] = q[i] * a->tot_mult;
    add_op_q(a, name, k, count, q, tot);
}

static void add_op(acc *a, const char *name, cost_kclass k, double count,
                   double flops, double wbytes, double kvbytes,
                   double actbytes)
{
    add_op_copies(a, name, k, count, 1, flops, wbytes, kvbytes, actbytes);
}

/* T tokens through an ic x oc weight; 'wmult' copies of the weight are
 * read (MoE experts touched), 'kv_out' when the output goes to KV. */
static void gemm_k(acc *a, const char *name, cost_kclass k, double count,
                   double t, double ic, double oc, double wmult)
{
    const cost_ctx *c = a->ctx;

    if (t <= 0)
        return;
    add_op(a, name, k, count, 2.0 * t * ic * oc, wmult * ic * oc * c->b_w, 0,
           t * (ic * c->b_a + oc * c->b_r));
}

static void gemm(acc *a, const char *name, double count, double t, double ic,
                 double oc, double wmult)
{
    gemm_k(a, name, a->gemm, count, t, ic, oc, wmult);
}

static void norm(acc *a, const char *name, double count, double t,
                 double width)
{
    const cost_ctx *c = a->ctx;

    if (t <= 0)
        return;
    add_op_copies(a, name, COST_K_ELEMENTWISE, count, c->tp, 4.0 * t * width,
                  width * c->b_w, 0, 2.0 * t * width * c->b_r);
}

static void residual(acc *a, double count, double t)
{
    const cost_ctx *c = a->ctx;
    double d = c->model.hidden;

    add_op_copies(a, "residual", COST_K_ELEMENTWISE, count, c->tp, t * d, 0, 0,
                  3.0 * t * d * c->b_r);
}

/* An MLP of width f over t tokens; 'wmult' weight copies read. */
static void mlp(acc *a, const char *const names[3], cost_kclass k,
                double count, double t, double f, double wmult)
{
    const cost_ctx *c = a->ctx;
    double d = c->model.hidden;
    bool gated = c->model.gated_mlp;
    bool moe = k == COST_K_MOE || k == COST_K_MOE_FP8;
    cost_kclass act = moe ? k : COST_K_ELEMENTWISE;

    if (t <= 0)
        return;
    if (moe)
        a->units = t; /* routed tokens: each device sees all of them */
    gemm_k(a, names[0], k, count, t, d, gated ? 2.0 * f : f, wmult);
    a->units = 0;
    add_op(a, names[1], act, count, 4.0 * t * f, 0, 0,
           (gated ? 3.0 : 2.0) * t * f * c->b_r);
    gemm_k(a, names[2], k, count, t, f, d, wmult);
}

static double experts_touched(double e, double k, double t)
{
    if (t <= 0)
        return 0;
    return e * (1.0 - pow(1.0 - k / e, t));
}

/* KV elements per token per layer for the whole instance, counting the
 * copies held by every device when KV heads are replicated. */
static double kv_layer_elems(const cost_ctx *c)
{
    return c->kv_bytes_per_token / c->b_kv / c->model.layers;
}

static void gqa_attention(acc *a, const cost_batch *b, double t)
{
    const cost_ctx *c = a->ctx;
    const cost_model *m = &c->model;
    double d = m->hidden, h = m->heads, dh = m->head_dim;
    double kvl = kv_layer_elems(c), l = m->layers;
    double tp = (double)b->prefill_tokens, td = (double)b->decode_seqs;

    add_op(a, "qkv_proj", a->gemm, l,
           2.0 * t * d * (h + 2.0 * m->kv_heads) * dh,
           d * (h + 2.0 * m->kv_heads) * dh * c->b_w, t * kvl * c->b_kv,
           t * (d * c->b_a + h * dh * c->b_r));
    if (tp > 0)
        add_op(a, "attn_prefill", a->attn_prefill, l,
               4.0 * h * dh * b->prefill_pairs, 0,
               (tp + (double)b->prefill_cached) * kvl * c->b_kv,
               2.0 * tp * h * dh * c->b_att);
    if (td > 0) {
        /* one kernel: every (sequence, KV head) of a device is a unit of
         * parallel work and has a fixed cost (docs/calibration.md) */
        a->par = td * (double)((m->kv_heads + c->tp - 1) / c->tp);
        a->units = a->par;
        add_op(a, "attn_decode", a->attn_decode, l,
               4.0 * h * dh * (double)b->decode_context, 0,
               (double)b->decode_context * kvl * c->b_kv,
               2.0 * td * h * dh * c->b_att);
        a->par = a->units = 0;
    }
    gemm(a, "o_proj", l, t, h * dh, d, 1);
}

static void mla_attention(acc *a, const cost_batch *b, double t)
{
    const cost_ctx *c = a->ctx;
    const cost_model *m = &c->model;
    double d = m->hidden, h = m->heads, l = m->layers;
    double dqc = m->mla_q_lora_rank, dc = m->mla_kv_lora_rank;
    double dr = m->mla_qk_rope_dim, dn = m->mla_qk_nope_dim;
    double dv = m->mla_v_head_dim, kvl = kv_layer_elems(c);
    double tp = (double)b->prefill_tokens, td = (double)b->decode_seqs;
    double ctx_tok = tp + (double)b->prefill_cached;

    /* q_a / kv_a are replicated on every tensor-parallel rank (vLLM's
     * and SGLang's DeepSeek layers build them as ReplicatedLinear): each
     * rank runs them whole, as the norms after them. */
    if (dqc > 0) {
        add_op_copies(a, "q_a_proj", a->gemm, l, c->tp, 2.0 * t * d * dqc,
                      d * dqc * c->b_w, 0, t * (d + dqc) * c->b_a);
        norm(a, "q_norm", l, t, dqc);
        gemm(a, "q_b_proj", l, t, dqc, h * (dn + dr), 1);
    } else {
        gemm(a, "q_proj", l, t, d, h * (dn + dr), 1);
    }
    add_op_copies(a, "kv_a_proj", a->gemm, l, c->tp, 2.0 * t * d * (dc + dr),
                  d * (dc + dr) * c->b_w, t * kvl * c->b_kv / c->tp,
                  t * d * c->b_a);
    norm(a, "kv_norm", l, t, dc);
    if (tp > 0) {
        /* Naive form: up-project the latent of every token in context. */
        add_op(a, "kv_b_proj", COST_K_MLA_PREFILL, l,
               2.0 * ctx_tok * dc * h * (dn + dv), dc * h * (dn + dv) * c->b_w,
               ctx_tok * kvl * c->b_kv, ctx_tok * h * (dn + dv) * c->b_att);
        add_op(a, "mla_prefill", COST_K_MLA_PREFILL, l,
               2.0 * b->prefill_pairs * h * (dn + dr + dv), 0, 0,
               (tp * h * (dn + dr) + ctx_tok * h * (dn + dv) + tp * h * dv) *
                   c->b_att);
    }
    if (td > 0) {
        /* Absorbed form: attend over the latent, shared by all heads. */
        add_op(a, "q_absorb", COST_K_MLA_DECODE, l, 2.0 * td * h * dn * dc,
               h * dn * dc * c->b_w, 0, td * h * (dn + dc) * c->b_att);
        add_op(a, "mla_decode", COST_K_MLA_DECODE, l,
               2.0 * (double)b->decode_context * h * (2.0 * dc + dr), 0,
               (double)b->decode_context * kvl * c->b_kv,
               td * h * (2.0 * dc + dr) * c->b_att);
        add_op(a, "o_absorb", COST_K_MLA_DECODE, l, 2.0 * td * h * dc * dv,
               h * dc * dv * c->b_w, 0, td * h * (dc + dv) * c->b_att);
    }
    gemm(a, "o_proj", l, t, h * dv, d, 1);
}

/* Tensor parallelism alone: no pipeline, attention DP, EP or skew. */
static bool tp_only(const cost_ctx *c)
{
    const cost_parallel *p = &c->par;

    return p->pp == 1 && p->dp == 1 && p->ep == 1 && p->moe_skew == 0;
}

/* One routed-expert GEMM (or the activation between, 'gemm' false) of
 * the MoE layers under expert parallelism: timed on the hottest EP rank,
 * whose moe_tp devices share its experts, counted in full in the step. */
static void moe_op(acc *a, const char *name, double lm,
                   const cost_moe_load *ld, double ic, double oc, bool gemm,
                   bool gate_up)
{
    const cost_ctx *c = a->ctx;
    /* amounts the tp devices of add_op_q's rate would handle, were they
     * the hottest rank's moe_tp devices */
    double s = (double)c->tp / c->par.moe_tp;
    double tot[4], q[4];

    if (gemm) {
        tot[0] = 2.0 * ld->pairs * ic * oc;
        tot[1] = ld->touched * ic * oc * c->b_w;
        tot[3] = ld->pairs * (ic * c->b_a + oc * c->b_r);
        q[0] = 2.0 * ld->hot_pairs * ic * oc * s;
        q[1] = ld->touched_hot * ic * oc * c->b_w * s;
        q[3] = ld->hot_pairs * (ic * c->b_a + oc * c->b_r) * s;
    } else { /* ic: the intermediate width, oc: elements moved per one */
        tot[0] = 4.0 * ld->pairs * ic;
        tot[1] = 0;
        tot[3] = oc * ld->pairs * ic * c->b_r;
        q[0] = 4.0 * ld->hot_pairs * ic * s;
        q[1] = 0;
        q[3] = oc * ld->hot_pairs * ic * c->b_r * s;
    }
    tot[2] = q[2] = 0;
    for (int i = 0; i < 4; i++) {
        tot[i] *= lm;
        q[i] *= lm;
    }
    a->units = gate_up ? ld->hot_pairs : 0; /* as mlp() */
    add_op_q(a, name, a->moe, lm, q, tot);
    a->units = 0;
}

/* The routed experts of the MoE layers with the parallelism of
 * cost_parallel (cost_moe_load_eval: skew, hottest EP rank). */
static void routed_par(acc *a, double lm)
{
    const cost_ctx *c = a->ctx;
    const cost_model *m = &c->model;
    double d = m->hidden, f = m->moe_expert_ffn;
    double gu = m->gated_mlp ? 2.0 * f : f;
    cost_moe_load ld;

    cost_moe_load_eval(m->moe_experts, m->moe_top_k, a->moe_tokens, c->par.ep,
                       c->par.moe_skew, &ld);
    if (ld.pairs <= 0)
        return;
    moe_op(a, "moe_gate_up", lm, &ld, d, gu, true, true);
    moe_op(a, "moe_act", lm, &ld, f, m->gated_mlp ? 3.0 : 2.0, false, false);
    moe_op(a, "moe_down", lm, &ld, f, d, true, false);
}

static void feed_forward(acc *a, double t)
{
    static const char *const dense[3] = {"mlp_gate_up", "mlp_act", "mlp_down"};
    static const char *const routed[3] = {"moe_gate_up", "moe_act",
                                          "moe_down"};
    static const char *const shared[3] = {"shared_gate_up", "shared_act",
                                          "shared_down"};
    const cost_model *m = &a->ctx->model;
    double e = m->moe_experts, k = m->moe_top_k;
    double ld = m->moe_experts > 0 ? m->moe_dense_layers : m->layers;
    double lm = m->layers - ld;

    mlp(a, dense, a->gemm, ld, t, m->ffn, 1);
    if (lm <= 0)
        return;
    gemm(a, "moe_router", lm, t, m->hidden, e, 1);
    if (tp_only(a->ctx))
        mlp(a, routed, a->moe, lm, t * k, m->moe_expert_ffn,
            experts_touched(e, k, t));
    else
        routed_par(a, lm);
    if (m->moe_shared_experts > 0)
        mlp(a, shared, a->gemm, lm, t,
            (double)m->moe_shared_experts * m->moe_expert_ffn, 1);
}

/* 'fp8' when 'eight' and its curve was fitted, else 'base'. */
static cost_kclass pick(const cost_ctx *c, bool eight, cost_kclass fp8,
                        cost_kclass base)
{
    return eight && c->dev.calib.curve[fp8].fitted ? fp8 : base;
}

/* 8-bit compute formats use the gemm_fp8 / moe_fp8 curves, an 8-bit KV
 * cache the attention _fp8 curves, when they were fitted. */
static void pick_classes(const cost_ctx *c, acc *a)
{
    bool eight = c->compute == COST_FP8 || c->compute == COST_INT8;
    bool kv8 = cost_dtype_bits(c->prec.kv) == 8;

    a->gemm = pick(c, eight, COST_K_GEMM_FP8, COST_K_GEMM);
    a->moe = pick(c, eight, COST_K_MOE_FP8, COST_K_MOE);
    a->attn_prefill =
        pick(c, kv8, COST_K_ATTN_PREFILL_FP8, COST_K_ATTN_PREFILL);
    a->attn_decode = pick(c, kv8, COST_K_ATTN_DECODE_FP8, COST_K_ATTN_DECODE);
}

/* The TP all-reduce of 'bytes': the measured table of this GPU count and
 * the engine's implementation when the calibration has one, else the
 * ring over the link. */
static double tp_allreduce_s(const cost_ctx *c, double bytes)
{
    double s;

    if (cost_calib_allreduce_as(&c->dev.calib, &c->opts.allreduce, c->tp,
                                bytes, &s))
        return s;
    return cost_allreduce_s(&c->link, c->tp, bytes);
}

/* One pass of batch 'b' (one attention rank's micro-batch) through
 * every layer; 'moe_tokens' and 'tot_mult' as in acc. */
static void eval_pass(const cost_ctx *c, const cost_batch *b,
                      double moe_tokens, double tot_mult, cost_step *st,
                      cost_op *ops, size_t cap, size_t *n_ops)
{
    const cost_model *m = &c->model;
    double t = (double)(b->prefill_tokens + b->decode_seqs);
    double d = m->hidden, l = m->layers;
    acc a = {.ctx = c,
             .st = st,
             .ops = ops,
             .cap = cap,
             .tot_mult = tot_mult,
             .moe_tokens = moe_tokens};

    a.bytes_rate = c->tp * c->dev.eta_memory * c->dev.mem_bw;
    pick_classes(c, &a);
    for (int k = 0; k < COST_N_KCLASS; k++)
        a.flops_rate[k] =
            c->tp * c->dev.eta_compute * class_peak(c, (cost_kclass)k);
    *st = (cost_step){0};
    st->bound = COST_BOUND_BANDWIDTH;
    if (t > 0) {
        add_op(&a, "embed", COST_K_ELEMENTWISE, 1, 0,
               fmin(t, m->vocab) * d * c->b_w, 0, t * d * c->b_r);
        norm(&a, "attn_norm", l, t, d);
        if (m->has_mla)
            mla_attention(&a, b, t);
        else
            gqa_attention(&a, b, t);
        residual(&a, l, t);
        norm(&a, "mlp_norm", l, t, d);
        feed_forward(&a, t);
        residual(&a, l, t);
        norm(&a, "final_norm", 1, t, d);
        gemm(&a, "lm_head", 1, (double)b->logits_tokens, d, m->vocab, 1);
        if (!tp_only(c))
            st->comm_s = cost_par_comm_s(c, t, moe_tokens);
        else if (c->tp > 1)
            st->comm_s = 2.0 * l * tp_allreduce_s(c, t * d * c->b_r);
        st->overhead_s = c->dev.step_overhead_s;
        if (!c->dev.calib.present)
            st->overhead_s += l * c->dev.layer_overhead_s;
    }
    st->bytes = st->weight_bytes + st->kv_bytes + st->act_bytes;
    st->oi = st->bytes > 0 ? st->flops / st->bytes : 0;
    st->time_s = st->roofline_s + st->comm_s + st->overhead_s;
    if (st->compute_bound_s > st->roofline_s - st->compute_bound_s)
        st->bound = COST_BOUND_COMPUTE;
    if (n_ops != NULL)
        *n_ops = a.n;
}

/* The largest of 'parts' even shares of 'b': ceil(n / parts) of its
 * sequences of each kind with their mean lengths. */
static cost_batch share_of(const cost_batch *b, double parts)
{
    cost_batch r = *b;
    double fp, fd;

    if (parts <= 1)
        return r;
    r.prefill_seqs = (int64_t)ceil((double)b->prefill_seqs / parts);
    r.decode_seqs = (int64_t)ceil((double)b->decode_seqs / parts);
    r.logits_tokens = (int64_t)ceil((double)b->logits_tokens / parts);
    fp = b->prefill_seqs > 0 ? (double)r.prefill_seqs / (double)b->prefill_seqs
                             : 0;
    fd = b->decode_seqs > 0 ? (double)r.decode_seqs / (double)b->decode_seqs
                            : 0;
    r.prefill_tokens = llround((double)b->prefill_tokens * fp);
    r.prefill_cached = llround((double)b->prefill_cached * fp);
    r.prefill_pairs = b->prefill_pairs * fp;
    r.decode_context = llround((double)b->decode_context * fd);
    return r;
}

/* A step under pipeline and attention data parallelism: the slowest
 * attention rank holds the largest share of the batch, split into
 * min(pp, its sequences) micro-batches; one micro-batch's pass through
 * all layers is timed and the pipeline schedule (cost_pp_step_s) makes
 * the step of it.  Routed experts see the tokens of every rank. */
static void eval(const cost_ctx *c, const cost_batch *b, cost_step *st,
                 cost_op *ops, size_t cap, size_t *n_ops)
{
    const cost_parallel *p = &c->par;
    cost_batch rank, mb;
    double seqs, micro, tm, slots, f, hand;

    if (tp_only(c)) {
        eval_pass(c, b, (double)(b->prefill_tokens + b->decode_seqs), 1, st,
                  ops, cap, n_ops);
        return;
    }
    rank = share_of(b, p->dp);
    seqs = (double)(rank.prefill_seqs + rank.decode_seqs);
    micro = p->pp > 1 && seqs > 1 ? fmin(p->pp, seqs) : 1;
    mb = share_of(&rank, micro);
    eval_pass(c, &mb, (double)(b->prefill_tokens + b->decode_seqs) / micro,
              p->dp * micro, st, ops, cap, n_ops);
    tm = (double)(mb.prefill_tokens + mb.decode_seqs);
    if (p->pp == 1 || tm <= 0)
        return;
    slots = micro > p->pp ? micro : p->pp;
    f = slots / p->pp;
    hand =
        c->link.latency_s + tm * c->model.hidden * c->b_r / c->link.bandwidth;
    st->compute_s *= f;
    st->memory_s *= f;
    st->roofline_s *= f;
    st->compute_bound_s *= f;
    st->overhead_s *= f;
    st->comm_s = st->comm_s * f + slots * hand;
    st->time_s = st->roofline_s + st->comm_s + st->overhead_s;
}

void cost_step_eval(const cost_ctx *ctx, const cost_batch *b, cost_step *out)
{
    eval(ctx, b, out, NULL, 0, NULL);
}

size_t cost_step_ops(const cost_ctx *ctx, const cost_batch *b, cost_op *ops,
                     size_t cap)
{
    cost_step st;
    size_t n = 0;

    eval(ctx, b, &st, ops, cap, &n);
    return n;
}

void cost_batch_add_prefill(cost_batch *b, const cost_ctx *ctx, int64_t q,
                            int64_t cached, bool last_chunk)
{
    double dq = (double)q, dp = (double)cached;

    if (q <= 0)
        return;
    b->prefill_seqs++;
    b->prefill_tokens += q;
    b->prefill_cached += cached;
    if (ctx->opts.full_attention)
        b->prefill_pairs += dq * (dp + dq);
    else
        b->prefill_pairs += dq * dp + dq * (dq + 1.0) / 2.0;
    if (last_chunk)
        b->logits_tokens++;
}

void cost_batch_add_decode(cost_batch *b, int64_t context)
{
    b->decode_seqs++;
    b->decode_context += context;
    b->logits_tokens++;
}

const char *cost_bound_name(cost_bound b)
{
    switch (b) {
    case COST_BOUND_COMPUTE:
        return "compute";
    case COST_BOUND_BANDWIDTH:
        return "bandwidth";
    case COST_BOUND_LINK:
        return "link";
    case COST_BOUND_CAPACITY:
        return "capacity";
    }
    return "unknown";
}
