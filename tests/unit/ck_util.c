/*
 * ck_util.c -- helpers shared by the unit-test suites (ck_util.h).
 */
#include "ck_util.h"

#include <string.h>

const char *ck_diag_text(const hs_diag *d)
{
    static char buf[16384];

    buf[0] = '\0';
    for (size_t i = 0; i < hs_diag_count(d); i++) {
        strncat(buf, hs_diag_message(d, i), sizeof buf - strlen(buf) - 2);
        strcat(buf, "\n");
    }
    return buf;
}

cost_model ck_llama3_8b(void)
{
    cost_model m = {0};

    strcpy(m.name, "llama-3-8b");
    m.layers = 32, m.hidden = 4096, m.heads = 32, m.kv_heads = 8;
    m.head_dim = 128, m.ffn = 14336, m.vocab = 128256, m.gated_mlp = true;
    return m;
}

cost_model ck_deepseek_v3(void)
{
    cost_model m = {0};

    strcpy(m.name, "deepseek-v3");
    m.layers = 61, m.hidden = 7168, m.heads = 128, m.vocab = 129280;
    m.ffn = 18432, m.gated_mlp = true;
    m.moe_experts = 256, m.moe_top_k = 8, m.moe_expert_ffn = 2048;
    m.moe_shared_experts = 1, m.moe_dense_layers = 3;
    m.has_mla = true, m.mla_q_lora_rank = 1536, m.mla_kv_lora_rank = 512;
    m.mla_qk_rope_dim = 64, m.mla_qk_nope_dim = 128, m.mla_v_head_dim = 128;
    return m;
}
