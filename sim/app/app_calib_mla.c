/*
 * app_calib_mla.c -- the DeepSeek-V3 MLA module tables as fit samples
 * (vllm0.19.0_mla_{generation,context}_module_perf_DeepSeek-V3.csv).
 *
 * A row times the whole attention module of one layer on one GPU with
 * 'num_heads' query heads on it.  hetsim's own operator list for that
 * module (cost_step_ops on a one-layer model of DeepSeek-V3's attention
 * geometry, tp 1) splits it in two: the MLA core kernels (mla_decode:
 * q_absorb, mla_decode, o_absorb; mla_prefill: kv_b_proj, mla_prefill)
 * are the sample's kernels, whose curve is fitted; the projections and
 * norms (gemm and elementwise classes) are timed by the curves already
 * fitted and enter as the sample's fixed time.
 */
#include "app_int.h"

#include <string.h>

/* DeepSeek-V3's attention (shared/data/model_configs, hf_config_json):
 * hidden 7168, q_lora 1536, kv_lora 512, rope 64, nope 128, v 128. */
static cost_model v3_attention(int heads)
{
    cost_model m;

    memset(&m, 0, sizeof m);
    strcpy(m.name, "deepseek-v3-attention");
    m.layers = 1, m.hidden = 7168, m.heads = heads, m.vocab = 1;
    m.ffn = 1, m.gated_mlp = true, m.has_mla = true;
    m.mla_q_lora_rank = 1536, m.mla_kv_lora_rank = 512;
    m.mla_qk_rope_dim = 64, m.mla_qk_nope_dim = 128, m.mla_v_head_dim = 128;
    return m;
}

/* The module's operators; the rest of the step (embedding, MLP, lm_head,
 * residuals, the layer's own norms) is not in the tables. */
static bool in_module(const char *name)
{
    static const char *const names[] = {
        "q_a_proj",  "q_norm",     "q_b_proj",  "q_proj",
        "kv_a_proj", "kv_norm",    "kv_b_proj", "mla_prefill",
        "q_absorb",  "mla_decode", "o_absorb",  "o_proj"};

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

int app_mla_sample(const cost_device *dev, cost_kclass k, int heads, int batch,
                   double prompt, double context, double measured_s,
                   app_ksample *x)
{
    cost_model m = v3_attention(heads);
    cost_precision p = cost_precision_default();
    cost_ctx ctx;
    cost_batch b = {0};
    cost_op ops[64];
    size_t n;

    memset(x, 0, sizeof *x);
    cost_ctx_init(&ctx, &m, &p, dev, 1, NULL, NULL);
    for (int i = 0; i < batch; i++) {
        if (k == COST_K_MLA_PREFILL)
            cost_batch_add_prefill(&b, &ctx, (int64_t)prompt, (int64_t)context,
                                   true);
        else
            cost_batch_add_decode(&b, (int64_t)context);
    }
    n = cost_step_ops(&ctx, &b, ops, 64);
    for (size_t i = 0; i < n && i < 64; i++) {
        const cost_op *op = &ops[i];

        if (!in_module(op->name))
            continue;
        if (op->kclass != k) {
            x->fixed_s += op->time_s;
        } else if (x->n_k < APP_KFIT_OPS) {
            x->k[x->n_k++] = (cost_kernel){
                op->flops, op->weight_bytes + op->kv_bytes + op->act_bytes, 0,
                0};
        }
    }
    x->measured_s = measured_s;
    return x->n_k > 0 ? HS_OK : HS_EINPUT;
}
