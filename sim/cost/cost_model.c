/*
 * cost_model.c -- architecture facts derived from a cost_model:
 * validation, parameter counts and KV elements per token
 * (costmodel-reference section 2.2 and 2.4-2.6).
 */
#include "hetsim/cost.h"

#include <stdio.h>

static double attn_params(const cost_model *m)
{
    double d = m->hidden, h = m->heads;

    if (m->has_mla) {
        double dqc = m->mla_q_lora_rank, dc = m->mla_kv_lora_rank;
        double dr = m->mla_qk_rope_dim, dn = m->mla_qk_nope_dim;
        double dv = m->mla_v_head_dim;
        double q =
            dqc > 0 ? d * dqc + dqc + dqc * h * (dn + dr) : d * h * (dn + dr);

        return q + d * (dc + dr) + dc + dc * h * (dn + dv) + h * dv * d;
    }
    return d * (h + 2.0 * m->kv_heads) * m->head_dim + h * m->head_dim * d;
}

/* Elements of one MLP of intermediate width 'f'. */
static double mlp_params(const cost_model *m, double f)
{
    return (m->gated_mlp ? 3.0 : 2.0) * m->hidden * f;
}

static int dense_layers(const cost_model *m)
{
    return m->moe_experts > 0 ? m->moe_dense_layers : m->layers;
}

static double params(const cost_model *m, double experts_counted)
{
    double d = m->hidden;
    int ld = dense_layers(m);
    int lm = m->layers - ld;
    double per_layer = attn_params(m) + 2.0 * d;
    double total = m->layers * per_layer + ld * mlp_params(m, m->ffn);

    if (lm > 0)
        total += lm * (d * m->moe_experts +
                       (experts_counted + m->moe_shared_experts) *
                           mlp_params(m, m->moe_expert_ffn));
    total += (double)m->vocab * d * (m->tied_embeddings ? 1.0 : 2.0) + d;
    return total;
}

double cost_model_params_total(const cost_model *m)
{
    return params(m, m->moe_experts);
}

double cost_model_params_active(const cost_model *m)
{
    return params(m, m->moe_top_k);
}

double cost_model_kv_elems_per_token(const cost_model *m)
{
    if (m->has_mla)
        return (double)m->layers * (m->mla_kv_lora_rank + m->mla_qk_rope_dim);
    return 2.0 * m->layers * m->kv_heads * m->head_dim;
}

bool cost_model_valid(const cost_model *m, char *why, size_t whylen)
{
    const char *bad = NULL;

    if (m->layers <= 0 || m->hidden <= 0 || m->heads <= 0 || m->vocab <= 0)
        bad = "layers, hidden, heads and vocab must be positive";
    else if (!m->has_mla && (m->kv_heads <= 0 || m->head_dim <= 0))
        bad = "kv_heads and head_dim must be positive";
    else if (!m->has_mla && m->heads % m->kv_heads != 0)
        bad = "heads must be a multiple of kv_heads";
    else if (m->ffn <= 0 && (m->moe_experts == 0 || m->moe_dense_layers > 0))
        bad = "ffn must be positive";
    else if (m->moe_experts < 0 || m->moe_shared_experts < 0)
        bad = "moe counts must not be negative";
    else if (m->moe_experts > 0 &&
             (m->moe_top_k <= 0 || m->moe_top_k > m->moe_experts))
        bad = "moe top_k must be between 1 and experts";
    else if (m->moe_experts > 0 && m->moe_expert_ffn <= 0)
        bad = "moe expert_ffn must be positive";
    else if (m->moe_experts > 0 &&
             (m->moe_dense_layers < 0 || m->moe_dense_layers > m->layers))
        bad = "moe dense_layers must be between 0 and layers";
    else if (m->has_mla &&
             (m->mla_kv_lora_rank <= 0 || m->mla_qk_rope_dim <= 0 ||
              m->mla_qk_nope_dim <= 0 || m->mla_v_head_dim <= 0 ||
              m->mla_q_lora_rank < 0))
        bad = "mla ranks and head dims must be positive";
    if (bad != NULL && why != NULL && whylen > 0)
        snprintf(why, whylen, "%s", bad);
    return bad == NULL;
}
