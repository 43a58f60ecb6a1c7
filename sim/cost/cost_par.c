/*
 * cost_par.c -- parallelism beyond tensor parallelism: the pipeline,
 * attention data parallelism and expert parallelism of an instance
 * (cost_parallel), the routed-expert load under popularity skew, the
 * MoE all-to-all and the pipeline schedule (docs/costmodel.md,
 * "Parallelism").  Pure functions of plain numbers; cost_step.c uses
 * them to time a step.
 */
#include "hetsim/cost.h"

#include <math.h>
#include <stdio.h>

#include "hetsim/util.h"

/* The largest Zipf exponent accepted: beyond it one expert takes
 * practically every token already. */
#define MAX_SKEW 4.0

bool cost_parallel_valid(const cost_parallel *p, int tp, const cost_model *m,
                         char *why, size_t whylen)
{
    if (p->pp < 1 || p->dp < 1 || p->ep < 1 || p->moe_tp < 1) {
        snprintf(why, whylen, "pp, dp, ep and moe_tp must be >= 1");
        return false;
    }
    if ((int64_t)p->ep * p->moe_tp != (int64_t)tp * p->dp) {
        snprintf(why, whylen,
                 "ep x moe_tp must equal tp x dp (the GPUs of one pipeline "
                 "stage): ep %d x moe_tp %d = %lld, tp %d x dp %d = %lld",
                 p->ep, p->moe_tp, (long long)p->ep * p->moe_tp, tp, p->dp,
                 (long long)tp * p->dp);
        return false;
    }
    if (p->ep > 1 && p->ep > m->moe_experts) {
        snprintf(why, whylen,
                 "ep %d needs at least that many experts; model '%s' has "
                 "%d",
                 p->ep, m->name, m->moe_experts);
        return false;
    }
    if (p->pp > m->layers) {
        snprintf(why, whylen, "pp %d exceeds the model's %d layers", p->pp,
                 m->layers);
        return false;
    }
    if (!(p->moe_skew >= 0 && p->moe_skew <= MAX_SKEW)) {
        snprintf(why, whylen, "moe_skew must be in [0, %g]", MAX_SKEW);
        return false;
    }
    return true;
}

/* Parameters of the routed experts alone (every expert, every MoE
 * layer): the weights expert parallelism shards instead of replicating. */
static double routed_expert_params(const cost_model *m)
{
    double mats = m->gated_mlp ? 3.0 : 2.0;

    if (m->moe_experts <= 0)
        return 0;
    return (double)(m->layers - m->moe_dense_layers) * m->moe_experts * mats *
           m->hidden * m->moe_expert_ffn;
}

void cost_ctx_set_parallel(cost_ctx *ctx, const cost_parallel *p)
{
    char why[160];
    double experts = routed_expert_params(&ctx->model) * ctx->b_w;

    HS_ASSERT(cost_parallel_valid(p, ctx->tp, &ctx->model, why, sizeof why));
    ctx->par = *p;
    ctx->gpus = ctx->tp * p->pp * p->dp;
    HS_ASSERT(ctx->gpus == 1 || ctx->has_link);
    if (p->dp > 1)
        ctx->weight_bytes =
            experts +
            p->dp *
                (cost_model_params_total(&ctx->model) * ctx->b_w - experts);
}

/* q_i, the chance that one token picks the expert of popularity rank i
 * (0-based) among 'e' under Zipf exponent 'skew' with top-'k' routing;
 * 'norm' is sum_j (j+1)^-skew. */
static double pick_chance(double k, double skew, double norm, int i)
{
    double q = k * pow((double)i + 1.0, -skew) / norm;

    return q < 1.0 ? q : 1.0;
}

/* The skewed sums of cost_moe_load_eval (skew > 0). */
static void skewed_load(double e, double k, double tokens, int ep, double skew,
                        cost_moe_load *o)
{
    int n = (int)e;
    double norm = 0, qsum = 0, qhot = 0;

    for (int i = 0; i < n; i++)
        norm += pow((double)i + 1.0, -skew);
    for (int i = 0; i < n; i++) {
        double q = pick_chance(k, skew, norm, i);
        double touched = 1.0 - pow(1.0 - q, tokens);

        qsum += q;
        o->touched += touched;
        if (i % ep == 0) {
            qhot += q;
            o->touched_hot += touched;
        }
    }
    o->share = qsum > 0 ? qhot / qsum : 0;
}

void cost_moe_load_eval(double e, double k, double tokens, int ep, double skew,
                        cost_moe_load *o)
{
    double rank0 = ceil(e / ep); /* experts dealt to rank 0 */
    double mean, cap;

    *o = (cost_moe_load){0};
    if (tokens <= 0 || e <= 0)
        return;
    if (skew > 0) {
        skewed_load(e, k, tokens, ep, skew, o);
    } else {
        double one = 1.0 - pow(1.0 - k / e, tokens);

        o->touched = e * one;
        o->touched_hot = rank0 * one;
        o->share = rank0 / e;
    }
    o->pairs = k * tokens;
    mean = o->pairs * o->share;
    o->hot_pairs = mean;
    if (ep > 1)
        o->hot_pairs += sqrt(2.0 * log((double)ep) * mean * (1.0 - o->share));
    cap = fmin(o->pairs, tokens * rank0);
    if (o->hot_pairs > cap)
        o->hot_pairs = cap;
}

double cost_alltoall_s(const cost_link *link, int n, double bytes)
{
    if (n <= 1 || bytes <= 0)
        return 0;
    return link->latency_s + (n - 1.0) / n * bytes / link->bandwidth;
}

double cost_pp_step_s(double pass_s, double handoff_s, int pp, double micro)
{
    double slots = micro > pp ? micro : (double)pp;

    return slots * (pass_s / pp + handoff_s);
}

/* An all-reduce of 'bytes' over 'n' GPUs: the measured table of that
 * count when the device's calibration has one, else the ring. */
static double allreduce_n(const cost_ctx *c, int n, double bytes)
{
    double s;

    if (n <= 1)
        return 0;
    if (cost_calib_allreduce(&c->dev.calib, n, bytes, &s))
        return s;
    return cost_allreduce_s(&c->link, n, bytes);
}

/* One dispatch or combine of 'bytes' per GPU over the ep ranks: the
 * measured DeepEP table of that EP size when calibrated, else the
 * all-to-all over the link. */
static double alltoall(const cost_ctx *c, double bytes, bool combine)
{
    double s;

    if (cost_calib_alltoall(&c->dev.calib, c->par.ep, bytes, combine, &s))
        return s;
    return cost_alltoall_s(&c->link, c->par.ep, bytes);
}

double cost_par_comm_s(const cost_ctx *c, double rank_tokens,
                       double moe_tokens)
{
    const cost_model *m = &c->model;
    const cost_parallel *p = &c->par;
    double d = m->hidden, l = m->layers;
    double lm = m->moe_experts > 0 ? l - m->moe_dense_layers : 0;
    double ar = allreduce_n(c, c->tp, rank_tokens * d * c->b_r);
    double s = ar * (2.0 * l - lm); /* attention, dense MLPs */
    double per_gpu, comb;

    if (lm <= 0 || moe_tokens <= 0)
        return s;
    if (p->ep == 1) /* experts split over the stage's tp x dp GPUs */
        return s + lm * (p->dp > 1 ? allreduce_n(c, c->tp * p->dp,
                                                 moe_tokens * d * c->b_r)
                                   : ar);
    /* each GPU dispatches its share of the tokens to the k experts' ranks
     * and gets the results back (combine in at least 16 bits) */
    per_gpu = moe_tokens / (c->tp * p->dp) * m->moe_top_k * d;
    comb = c->b_r > 2.0 ? c->b_r : 2.0;
    return s + lm * (alltoall(c, per_gpu * c->b_a, false) +
                     alltoall(c, per_gpu * comb, true));
}
