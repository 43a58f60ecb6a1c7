/*
 * test_io_hf.c -- models read from HuggingFace config.json files
 * (sim/io/io_hf.c, tests/data/hf): every catalog entry made from a
 * config equals what the reader makes of that config; parameter counts
 * against published totals; warnings for what the cost model leaves
 * out; located errors; 'model: {hf_config: FILE}' in a scenario.
 * Tests run from the repository root.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ck_util.h"
#include "hetsim/io.h"

Suite *io_hf_suite(void);

#define HF "tests/data/hf/"

static hs_diag *diag;

static void setup(void)
{
    diag = hs_diag_new();
}

static void teardown(void)
{
    hs_diag_free(diag);
}

static cost_model load_hf(const char *file)
{
    cost_model m;
    int rc = io_hf_load_model(file, &m, diag);

    ck_assert_msg(rc == HS_OK, "%s:\n%s", file, ck_diag_text(diag));
    ck_assert_uint_eq(hs_diag_errors(diag), 0);
    return m;
}

/* The catalog entries and the configs they were written from. */
static const struct {
    const char *entry;
    const char *json;
} pairs[] = {
    {"llama-3.1-8b", "meta-llama--Meta-Llama-3.1-8B_config.json"},
    {"llama-3.1-70b", "meta-llama--Meta-Llama-3.1-70B_config.json"},
    {"llama-3.1-405b", "meta-llama--Meta-Llama-3.1-405B_config.json"},
    {"qwen3-8b", "Qwen--Qwen3-8B_config.json"},
    {"qwen3-32b", "Qwen--Qwen3-32B_config.json"},
    {"qwen3-30b-a3b", "Qwen--Qwen3-30B-A3B_config.json"},
    {"qwen3-235b-a22b", "Qwen--Qwen3-235B-A22B_config.json"},
    {"qwen3-coder-480b-a35b",
     "Qwen--Qwen3-Coder-480B-A35B-Instruct_config.json"},
    {"qwen3.5-397b-a17b", "Qwen--Qwen3.5-397B-A17B_config.json"},
    {"deepseek-v3", "deepseek-ai--DeepSeek-V3_config.json"},
    {"deepseek-r1", "deepseek-ai--DeepSeek-R1_config.json"},
    {"deepseek-v3", "deepseek-ref--config_671B.json"},
    {"deepseek-v3.1", "deepseek-ref--config_v3.1.json"},
    {"deepseek-v2", "deepseek-ref--config_236B.json"},
    {"deepseek-v2-lite", "deepseek-ref--config_16B.json"},
    {"kimi-k2", "moonshotai--Kimi-K2-Instruct_config.json"},
    {"kimi-k2.5", "moonshotai--Kimi-K2.5_config.json"},
    {"mixtral-8x7b", "mistralai--Mixtral-8x7B-v0.1_config.json"},
    {"mixtral-8x22b", "mistralai--Mixtral-8x22B-v0.1_config.json"},
    {"llama-4-scout",
     "meta-llama--Llama-4-Scout-17B-16E-Instruct_config.json"},
    {"gpt-oss-120b", "openai--gpt-oss-120b_config.json"},
    {"minimax-m2.5", "MiniMaxAI--MiniMax-M2.5_config.json"},
    {"glm-5", "zai-org--GLM-5_config.json"},
};

/* Every field but the name; max_context only when the config gives it
 * (DeepSeek's reference configs do not). */
static void same_model(const cost_model *a, const cost_model *b,
                       const char *what)
{
#define SAME(f)                                                               \
    ck_assert_msg(a->f == b->f, "%s: " #f " %lld != %lld", what,              \
                  (long long)a->f, (long long)b->f)
    SAME(layers);
    SAME(hidden);
    SAME(heads);
    SAME(kv_heads);
    SAME(head_dim);
    SAME(ffn);
    SAME(vocab);
    SAME(tied_embeddings);
    SAME(gated_mlp);
    if (b->max_context > 0)
        SAME(max_context);
    SAME(moe_experts);
    SAME(moe_top_k);
    SAME(moe_expert_ffn);
    SAME(moe_shared_experts);
    SAME(moe_dense_layers);
    SAME(has_mla);
    SAME(mla_q_lora_rank);
    SAME(mla_kv_lora_rank);
    SAME(mla_qk_rope_dim);
    SAME(mla_qk_nope_dim);
    SAME(mla_v_head_dim);
#undef SAME
}

START_TEST(catalog_entries_match_their_configs)
{
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        hs_loc none = {NULL, 0, 0};
        char path[256];
        cost_model cat, hf;

        ck_assert_int_eq(
            io_catalog_load_model("configs", pairs[i].entry, &cat, none, diag),
            HS_OK);
        snprintf(path, sizeof path, HF "%s", pairs[i].json);
        hf = load_hf(path);
        same_model(&cat, &hf, pairs[i].entry);
        hs_diag_clear(diag);
    }
}
END_TEST

/* Published parameter counts: Llama-3.1-8B exactly (8,030,261,248 in its
 * HF safetensors index: hetsim counts the two RMSNorms of each layer and
 * the final one, untied embeddings), the others to 3%: DeepSeek-V3 671B
 * total / 37B active, Qwen3-235B-A22B 235B / 22B, Llama-3.1-405B 405B,
 * gpt-oss-120b 117B, GLM-5 744B, MiniMax-M2.5 230B, Kimi-K2 1T (1.026T
 * counted), Mixtral-8x22B 141B / 39B.  The sources are in each catalog
 * entry's header. */
START_TEST(parameter_counts_match_published_totals)
{
    static const struct {
        const char *json;
        double total, active;
    } cases[] = {
        {"deepseek-ai--DeepSeek-V3_config.json", 671e9, 37e9},
        {"Qwen--Qwen3-235B-A22B_config.json", 235e9, 22e9},
        {"meta-llama--Meta-Llama-3.1-405B_config.json", 405e9, 405e9},
        {"openai--gpt-oss-120b_config.json", 117e9, 0},
        {"zai-org--GLM-5_config.json", 744e9, 40e9},
        {"MiniMaxAI--MiniMax-M2.5_config.json", 230e9, 0},
        {"moonshotai--Kimi-K2-Instruct_config.json", 1000e9, 32e9},
        {"mistralai--Mixtral-8x22B-v0.1_config.json", 141e9, 39e9},
    };
    cost_model m = load_hf(HF "meta-llama--Meta-Llama-3.1-8B_config.json");

    ck_assert_double_eq(cost_model_params_total(&m), 8030261248.0);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[256];
        double total, active;

        snprintf(path, sizeof path, HF "%s", cases[i].json);
        m = load_hf(path);
        total = cost_model_params_total(&m);
        active = cost_model_params_active(&m);
        ck_assert_msg(fabs(total / cases[i].total - 1) < 0.03,
                      "%s: %.4g total", cases[i].json, total);
        if (cases[i].active > 0)
            ck_assert_msg(fabs(active / cases[i].active - 1) < 0.03,
                          "%s: %.4g active", cases[i].json, active);
    }
}
END_TEST

/* How the families spell MoE layers: Qwen3.5's shared expert by width,
 * Llama 4's implicit shared expert, DeepSeek's dense prefix; MLA from
 * kv_lora_rank with q_lora_rank 0 (V2-Lite) and null. */
START_TEST(moe_and_mla_mapping)
{
    cost_model m = load_hf(HF "Qwen--Qwen3.5-397B-A17B_config.json");

    ck_assert_int_eq(m.moe_experts, 512);
    ck_assert_int_eq(m.moe_top_k, 10);
    ck_assert_int_eq(m.moe_expert_ffn, 1024);
    ck_assert_int_eq(m.moe_shared_experts, 1);
    ck_assert_int_eq(m.moe_dense_layers, 0);
    ck_assert_int_eq(m.kv_heads, 2);
    ck_assert_int_eq(m.head_dim, 256);
    ck_assert_int_eq(m.max_context, 262144);
    m = load_hf(HF "meta-llama--Llama-4-Scout-17B-16E-Instruct_config.json");
    ck_assert_int_eq(m.moe_shared_experts, 1);
    ck_assert_int_eq(m.ffn, 16384); /* intermediate_size_mlp */
    ck_assert_int_eq(m.moe_expert_ffn, 8192);
    m = load_hf(HF "deepseek-ref--config_16B.json");
    ck_assert(m.has_mla);
    ck_assert_int_eq(m.mla_q_lora_rank, 0);
    ck_assert_int_eq(m.moe_dense_layers, 1);
    ck_assert_int_eq(m.max_context, 0); /* not in the file */
    ck_assert_str_eq(m.name, "deepseek-ref--config_16B");
}
END_TEST

/* Each feature the cost model leaves out is one located warning. */
START_TEST(unmodelled_features_warn)
{
    const char *text;

    load_hf(HF "openai--gpt-oss-120b_config.json");
    text = ck_diag_text(diag);
    ck_assert_uint_eq(hs_diag_count(diag), 2);
    ck_assert_int_eq(hs_diag_item_at(diag, 0)->severity, HS_SEV_WARNING);
    ck_assert_msg(strstr(text, HF "openai--gpt-oss-120b_config.json:15:18: "
                                  "warning: layer_types: 18 of 36 layers use "
                                  "sliding-window attention (window 128 "
                                  "tokens)") != NULL,
                  "%s", text);
    ck_assert_msg(strstr(text, "quantization_config: the checkpoint's "
                               "quantization (mxfp4) is not read") != NULL,
                  "%s", text);
    hs_diag_clear(diag);
    load_hf(HF "Qwen--Qwen3.5-397B-A17B_config.json");
    text = ck_diag_text(diag);
    ck_assert_msg(strstr(text, "text_config.layer_types: 45 of 60 layers are "
                               "linear attention") != NULL,
                  "%s", text);
    ck_assert_msg(strstr(text, ":117:22: warning: vision_config: the vision "
                               "encoder is not modelled") != NULL,
                  "%s", text);
    hs_diag_clear(diag);
    load_hf(HF "zai-org--GLM-5_config.json");
    text = ck_diag_text(diag);
    ck_assert_msg(strstr(text, "warning: index_topk: sparse attention") !=
                      NULL,
                  "%s", text);
    hs_diag_clear(diag);
    load_hf(HF "meta-llama--Meta-Llama-3.1-8B_config.json");
    ck_assert_uint_eq(hs_diag_count(diag), 0); /* nothing left out */
}
END_TEST

/* Write 'text' to a scratch file; its path into 'path' (unlink it). */
static void scratch(char *path, const char *text)
{
    FILE *fp;

    strcpy(path, "/tmp/hetsim_hf_XXXXXX");
    close(mkstemp(path));
    fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

START_TEST(errors_are_located)
{
    char path[64], want[256];
    cost_model m;

    scratch(path, "{\"tie_word_embeddings\": true,\n"
                  "  \"text_config\": {\n    \"num_hidden_layers\": 2,\n"
                  "    \"hidden_size\": -4, \"num_attention_heads\": 2,\n"
                  "    \"vocab_size\": 10, \"intermediate_size\": 8}\n}\n");
    ck_assert_int_eq(io_hf_load_model(path, &m, diag), HS_EINPUT);
    snprintf(want, sizeof want,
             "%s:4:20: error: text_config.hidden_size: expected an integer "
             "of at least 1, found -4\n",
             path);
    ck_assert_str_eq(ck_diag_text(diag), want);
    hs_diag_clear(diag);
    unlink(path);
    scratch(path, "{\"a\": 1,\n \"a\": 2}");
    ck_assert_int_eq(io_hf_load_model(path, &m, diag), HS_EINPUT);
    snprintf(want, sizeof want,
             "%s:2:2: error: not valid JSON: duplicate object key near "
             "'\"a\"'\n",
             path);
    ck_assert_str_eq(ck_diag_text(diag), want);
    hs_diag_clear(diag);
    unlink(path);
    ck_assert_int_eq(io_hf_load_model("tests/data/hf/none.json", &m, diag),
                     HS_EIO);
}
END_TEST

/* 'model: {hf_config: FILE, ...}': the config, then the overrides;
 * warnings do not fail the load; 'catalog' and 'hf_config' together are
 * an error. */
START_TEST(scenario_reads_hf_config)
{
    char path[64];
    sc_scenario *sc = NULL;
    char *text = hs_asprintf(
        "model: {hf_config: %s/" HF "openai--gpt-oss-120b_config.json, "
        "name: oss, max_context: 8192}\n"
        "hardware: {a: {catalog: h200}}\n"
        "cluster: {instances: [{name: m, device: a}]}\n"
        "workload:\n"
        "  - name: s\n"
        "    synthetic: {arrival: {process: poisson, rate: 1/s}, "
        "requests: 1, prompt: {dist: fixed, value: 10}, "
        "output: {dist: fixed, value: 2}}\n",
        getcwd((char[512]){0}, 512));

    scratch(path, text);
    ck_assert_int_eq(io_scenario_load(path, NULL, 0, NULL, &sc, diag), HS_OK);
    ck_assert_str_eq(sc->model.name, "oss");
    ck_assert_int_eq(sc->model.max_context, 8192);
    ck_assert_int_eq(sc->model.moe_experts, 128);
    ck_assert_uint_eq(hs_diag_errors(diag), 0);
    ck_assert_uint_eq(hs_diag_count(diag), 2); /* the warnings */
    sc_scenario_free(sc);
    hs_diag_clear(diag);
    unlink(path);
    free(text);
    scratch(path, "model: {catalog: llama-3-8b, hf_config: x.json}\n"
                  "hardware: {a: {catalog: h200}}\n"
                  "cluster: {instances: [{name: m, device: a}]}\n"
                  "workload: []\n");
    ck_assert_int_eq(io_scenario_load(path, NULL, 0, NULL, &sc, diag),
                     HS_EINPUT);
    ck_assert_msg(strstr(ck_diag_text(diag),
                         ":1:41: error: model.hf_config: expected either "
                         "'catalog' or 'hf_config', not both") != NULL,
                  "%s", ck_diag_text(diag));
    unlink(path);
}
END_TEST

Suite *io_hf_suite(void)
{
    Suite *s = suite_create("io_hf");
    TCase *tc = tcase_create("hf");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, catalog_entries_match_their_configs);
    tcase_add_test(tc, parameter_counts_match_published_totals);
    tcase_add_test(tc, moe_and_mla_mapping);
    tcase_add_test(tc, unmodelled_features_warn);
    tcase_add_test(tc, errors_are_located);
    tcase_add_test(tc, scenario_reads_hf_config);
    suite_add_tcase(s, tc);
    return s;
}
