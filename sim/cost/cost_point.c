/*
 * cost_point.c -- one analytic OI/CF point: a uniform batch of prefills
 * or decodes, with its step cost, ridge point and capacity footprint.
 * This is what 'hetsim oicf' prints, one row per point.
 */
#include "hetsim/cost.h"

const char *cost_phase_name(cost_phase p)
{
    return p == COST_PHASE_PREFILL ? "prefill" : "decode";
}

static void fill_batch(const cost_ctx *ctx, const cost_point *pt,
                       cost_batch *b)
{
    for (int64_t i = 0; i < pt->batch; i++) {
        if (pt->phase == COST_PHASE_PREFILL)
            cost_batch_add_prefill(b, ctx, pt->prompt, pt->context, true);
        else
            cost_batch_add_decode(b, pt->context);
    }
}

void cost_point_eval(const cost_ctx *ctx, const cost_point *pt,
                     cost_point_result *out)
{
    cost_batch b = {0};
    int64_t step_tokens, held;

    fill_batch(ctx, pt, &b);
    cost_step_eval(ctx, &b, &out->step);
    step_tokens = b.prefill_tokens + b.decode_seqs;
    /* Tokens whose KV is resident once the step has run. */
    held = pt->phase == COST_PHASE_PREFILL
               ? pt->batch * (pt->prompt + pt->context)
               : pt->batch * (pt->context + 1);
    out->ridge_oi = ctx->peak / ctx->dev.mem_bw;
    out->kv_resident_bytes = (double)held * ctx->kv_bytes_per_token;
    out->workspace_bytes =
        cost_workspace_bytes(ctx, step_tokens, b.logits_tokens);
    out->cf_bytes =
        ctx->weight_bytes + out->kv_resident_bytes + out->workspace_bytes;
    out->capacity_bytes = cost_instance_mem_bytes(ctx);
    out->bound = out->cf_bytes > out->capacity_bytes ? COST_BOUND_CAPACITY
                                                     : out->step.bound;
}
