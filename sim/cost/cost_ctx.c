/*
 * cost_ctx.c -- the evaluation context of an instance (model, precision,
 * device, tensor parallelism), collectives, and capacity arithmetic.
 */
#include "hetsim/cost.h"

#include <string.h>

#include "hetsim/util.h"

cost_options cost_options_default(void)
{
    cost_options o;

    memset(&o, 0, sizeof o);

    return o;
}

cost_parallel cost_parallel_default(int tp)
{
    cost_parallel p = {1, 1, 1, tp, 0.0};

    return p;
}

double cost_allreduce_s(const cost_link *link, int n, double bytes)
{
    double steps;

    if (n <= 1 || bytes <= 0)
        return 0;
    steps = 2.0 * (n - 1);
    return steps * link->latency_s + steps / n * bytes / link->bandwidth;
}

/* Devices each KV element is split over.  MLA's latent is shared by all
 * heads, so every tensor-parallel rank keeps a full copy; GQA splits KV
 * heads over ranks and replicates them when tp exceeds kv_heads. */
static double kv_copies_per_token(const cost_model *m, int tp)
{
    double per_device;

    if (m->has_mla)
        return (double)tp * m->layers *
               (m->mla_kv_lora_rank + m->mla_qk_rope_dim);
    per_device = (double)((m->kv_heads + tp - 1) / tp);
    return (double)tp * 2.0 * m->layers * per_device * m->head_dim;
}

void cost_ctx_init(cost_ctx *ctx, const cost_model *m, const cost_precision *p,
                   const cost_device *dev, int tp, const cost_link *link,
                   const cost_options *opts)
{
    HS_ASSERT(tp >= 1);
    HS_ASSERT(tp == 1 || link != NULL);
    memset(ctx, 0, sizeof *ctx);
    ctx->model = *m;
    ctx->prec = *p;
    ctx->dev = *dev;
    ctx->tp = tp;
    if (link != NULL) {
        ctx->link = *link;
        ctx->has_link = true;
    }
    ctx->opts = opts != NULL ? *opts : cost_options_default();
    cost_precision_resolve(&ctx->prec);
    p = &ctx->prec;
    ctx->compute = cost_compute_dtype(dev, p);
    ctx->peak = cost_device_peak(dev, ctx->compute);
    ctx->attn = cost_attention_dtype(dev, p);
    ctx->attn_peak = cost_device_peak(dev, ctx->attn);
    ctx->res_peak = cost_device_peak(dev, cost_run_dtype(dev, p->residual));
    ctx->b_w = cost_dtype_bytes(p->weights);
    ctx->b_kv = cost_dtype_bytes(p->kv);
    ctx->b_a = cost_dtype_bytes(p->activations);
    ctx->b_r = cost_dtype_bytes(p->residual);
    ctx->b_att = cost_dtype_bytes(p->attention);
    ctx->weight_bytes = cost_model_params_total(m) * ctx->b_w;
    ctx->kv_bytes_per_token = kv_copies_per_token(m, tp) * ctx->b_kv;
    ctx->kv_shard =
        m->has_mla ? 1.0 : (double)(tp < m->kv_heads ? tp : m->kv_heads);
    ctx->par = cost_parallel_default(tp);
    ctx->gpus = tp;
}

/* Live activations at the widest operator: the residual stream and its
 * normalised copy, plus the widest intermediate. */
static double widest_intermediate(const cost_model *m)
{
    double w = (m->gated_mlp ? 2.0 : 1.0) * m->ffn;
    double x;

    if (m->has_mla)
        x = (double)m->heads * (m->mla_qk_nope_dim + m->mla_v_head_dim);
    else
        x = ((double)m->heads + 2.0 * m->kv_heads) * m->head_dim;
    if (x > w)
        w = x;
    if (m->moe_experts > 0) {
        x = (m->gated_mlp ? 2.0 : 1.0) * m->moe_expert_ffn *
            (m->moe_top_k + m->moe_shared_experts);
        if (x > w)
            w = x;
    }
    return w;
}

double cost_workspace_bytes(const cost_ctx *ctx, int64_t tokens,
                            int64_t logits)
{
    const cost_model *m = &ctx->model;

    return (double)tokens * ctx->b_r *
               (2.0 * m->hidden + widest_intermediate(m)) +
           (double)logits * m->vocab * 4.0;
}

double cost_instance_mem_bytes(const cost_ctx *ctx)
{
    return ctx->gpus * ctx->dev.mem_bytes;
}

double cost_kv_capacity_bytes(const cost_ctx *ctx, int64_t max_step_tokens,
                              int64_t max_logits)
{
    return cost_instance_mem_bytes(ctx) * (1.0 - ctx->dev.mem_margin) -
           ctx->weight_bytes -
           cost_workspace_bytes(ctx, max_step_tokens, max_logits);
}
