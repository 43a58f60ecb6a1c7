/*
 * io_hf.c -- a model read from a HuggingFace config.json (docs/catalogs.md,
 * "HuggingFace configs"): 'model: {hf_config: FILE}' in a scenario and
 * 'hetsim list models --from FILE'.
 *
 * The file is parsed with jansson.  The keys the cost model uses are read
 * from the top-level object, or from 'text_config' when there is one (the
 * multimodal wrappers of Llama 4, Qwen3.5 and Kimi-K2.5), under the names
 * the main model families give them (Llama, Qwen, Mixtral, DeepSeek,
 * gpt-oss, MiniMax, GLM, and DeepSeek's reference 'n_layers'/'dim' files).
 * A feature the cost model does not represent (sliding-window, chunked,
 * linear or sparse attention, multi-token-prediction layers, a vision
 * tower, the checkpoint's quantization) is a warning, never silent.
 *
 * jansson does not keep where a value was, so errors are located by a
 * small scanner over the text (member_at): after jansson has accepted the
 * document it finds a member's key at depth 1 of an object, byte for byte
 * (keys with escapes are not found; the error then points at the object).
 */
#include "io_int.h"

#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define NO_POS ((size_t)-1)

/* One document being read. */
typedef struct hf_doc {
    io_errs *e;
    const char *path; /* file name for locations */
    const char *text;
    size_t len;
    json_t *root;
    json_t *obj;        /* the object holding the model's keys */
    size_t obj_at;      /* byte of its '{' in 'text' */
    size_t root_at;     /* byte of the root's '{' */
    const char *prefix; /* "" or "text_config." for key paths */
} hf_doc;

/* ---- locations ----------------------------------------------------------- */

/* The end of the string whose opening quote is at 't[i]': the byte after
 * its closing quote. */
static size_t skip_string(const char *t, size_t len, size_t i)
{
    for (i++; i < len && t[i] != '"'; i++)
        if (t[i] == '\\')
            i++;
    return i + 1;
}

/* The byte of member 'key''s opening quote in the object whose '{' is at
 * 't[obj]', or NO_POS.  Only members of that object (depth 1) match. */
static size_t member_at(const char *t, size_t len, size_t obj, const char *key)
{
    size_t klen = strlen(key);
    int depth = 1;
    bool want_key = true;

    for (size_t i = obj + 1; i < len && depth > 0;) {
        char c = t[i];

        if (c == '"') {
            size_t end = skip_string(t, len, i);

            if (depth == 1 && want_key && end - i - 2 == klen &&
                memcmp(t + i + 1, key, klen) == 0)
                return i;
            if (depth == 1)
                want_key = false;
            i = end;
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']')
            depth--;
        else if (c == ',' && depth == 1)
            want_key = true;
        i++;
    }
    return NO_POS;
}

/* The byte where the value of the member whose key starts at 'k' starts. */
static size_t value_at(const char *t, size_t len, size_t k)
{
    size_t i = skip_string(t, len, k);

    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' ||
                       t[i] == '\n' || t[i] == ':'))
        i++;
    return i;
}

/* 'pos' of the text as a location (1-based line and byte column). */
static hs_loc loc_of(const hf_doc *h, size_t pos)
{
    hs_loc at = {h->path, 1, 1};
    size_t line_start = 0;

    for (size_t i = 0; i < pos && i < h->len; i++) {
        if (h->text[i] == '\n') {
            at.line++;
            line_start = i + 1;
        }
    }
    at.col = (unsigned)(pos - line_start + 1);
    return at;
}

/* Where member 'key' of the model object has its value (the object itself
 * when the key is not found), and its key path into 'path'. */
static hs_loc key_loc(const hf_doc *h, const char *key, char *path,
                      size_t plen)
{
    bool in_root = h->obj != h->root && json_object_get(h->obj, key) == NULL &&
                   json_object_get(h->root, key) != NULL;
    size_t obj = in_root ? h->root_at : h->obj_at;
    size_t k = member_at(h->text, h->len, obj, key);

    snprintf(path, plen, "%s%s", in_root ? "" : h->prefix, key);
    return loc_of(h, k == NO_POS ? obj : value_at(h->text, h->len, k));
}

static void hf_error(hf_doc *h, const char *key, const char *fmt, ...)
    HS_PRINTF(3, 4);
static void hf_error(hf_doc *h, const char *key, const char *fmt, ...)
{
    char path[128];
    hs_loc at = key_loc(h, key, path, sizeof path);
    va_list ap;

    va_start(ap, fmt);
    io_vreport(h->e, HS_EINPUT, at, path, fmt, ap);
    va_end(ap);
}

static void hf_warn(hf_doc *h, const char *key, const char *fmt, ...)
    HS_PRINTF(3, 4);
static void hf_warn(hf_doc *h, const char *key, const char *fmt, ...)
{
    char path[128];
    hs_loc at = key_loc(h, key, path, sizeof path);
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = hs_vasprintf(fmt, ap);
    va_end(ap);
    io_warn(h->e, at, path, "%s", msg);
    free(msg);
}

/* "12", "1.5", "'text'", "true", "null", "an object" or "an array". */
static const char *describe(const json_t *v, char *buf, size_t len)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    case JSON_REAL:
        snprintf(buf, len, "%g", json_real_value(v));
        return buf;
    case JSON_STRING:
        snprintf(buf, len, "'%s'", json_string_value(v));
        return buf;
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "null";
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        break;
    }
    return "an array";
}

/* ---- typed members ------------------------------------------------------- */

/* The first of the NULL-ended 'names' that the model object has with a
 * value other than null, or NULL; its name into '*which'. */
static json_t *first_of(const hf_doc *h, const char *const *names,
                        const char **which)
{
    for (; *names != NULL; names++) {
        json_t *v = json_object_get(h->obj, *names);

        if (v != NULL && !json_is_null(v)) {
            *which = *names;
            return v;
        }
    }
    return NULL;
}

/* An integer in [min, INT_MAX] under one of 'names' into '*out'.
 * Returns true when one was given (valid or reported); absent and
 * 'required' is reported at the object with the first name. */
static bool get_int(hf_doc *h, const char *const *names, int min,
                    bool required, int *out)
{
    const char *which = names[0];
    json_t *v = first_of(h, names, &which);
    char buf[96];

    if (v == NULL) {
        if (required)
            hf_error(h, names[0], "missing key (the cost model needs it)");
        return false;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min ||
        json_integer_value(v) > INT_MAX) {
        hf_error(h, which, "expected an integer of at least %d, found %s", min,
                 describe(v, buf, sizeof buf));
        return true;
    }
    *out = (int)json_integer_value(v);
    return true;
}

/* An integer member, or 'dflt' when absent, null or not an integer. */
static json_int_t int_or(const hf_doc *h, const char *key, json_int_t dflt)
{
    json_t *v = json_object_get(h->obj, key);

    return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static bool is_true(const json_t *v)
{
    return json_is_true(v);
}

/* ---- the architecture ---------------------------------------------------- */

static const char *const k_layers[] = {"num_hidden_layers", "n_layers",
                                       "num_layers", "n_layer", NULL};
static const char *const k_hidden[] = {"hidden_size", "dim", "d_model",
                                       "n_embd", NULL};
static const char *const k_heads[] = {"num_attention_heads", "n_heads",
                                      "n_head", NULL};
static const char *const k_kv_heads[] = {"num_key_value_heads", "n_kv_heads",
                                         "num_kv_heads",
                                         "multi_query_group_num", NULL};
static const char *const k_head_dim[] = {"head_dim", "kv_channels", NULL};
static const char *const k_vocab[] = {"vocab_size", "padded_vocab_size", NULL};
static const char *const k_ffn[] = {"intermediate_size", "inter_dim",
                                    "ffn_dim",           "n_inner",
                                    "ffn_hidden_size",   NULL};
static const char *const k_dense_ffn[] = {"intermediate_size_mlp", NULL};
static const char *const k_context[] = {
    "max_position_embeddings", "max_seq_len", "n_positions", "seq_length",
    "max_sequence_length",     NULL};
static const char *const k_experts[] = {
    "n_routed_experts", "num_local_experts", "num_experts",
    "moe_num_experts",  "n_experts",         NULL};
static const char *const k_top_k[] = {"num_experts_per_tok",
                                      "n_activated_experts",
                                      "experts_per_token", "moe_top_k", NULL};
static const char *const k_expert_ffn[] = {"moe_intermediate_size",
                                           "moe_inter_dim", NULL};
static const char *const k_shared[] = {"n_shared_experts",
                                       "num_shared_experts", NULL};
static const char *const k_shared_ffn[] = {
    "shared_expert_intermediate_size", "shared_intermediate_size",
    "moe_shared_expert_intermediate_size", NULL};
static const char *const k_kv_lora[] = {"kv_lora_rank", NULL};
static const char *const k_q_lora[] = {"q_lora_rank", NULL};
static const char *const k_rope[] = {"qk_rope_head_dim", NULL};
static const char *const k_nope[] = {"qk_nope_head_dim", NULL};
static const char *const k_v_head[] = {"v_head_dim", NULL};

/* Model families whose MLP is not gated (two matrices, no SwiGLU). */
static const char *const ungated_types[] = {
    "gpt2", "gpt_bigcode", "opt", "falcon", "gpt_neox",
    "gptj", "bloom",       "phi", "mpt",    NULL};

static bool gated_mlp(const hf_doc *h)
{
    const char *t = json_string_value(json_object_get(h->obj, "model_type"));

    for (const char *const *u = ungated_types; t != NULL && *u != NULL; u++)
        if (strcmp(t, *u) == 0)
            return false;
    return true;
}

/* True when layer 'i' (0-based) of 'layers' has a routed MoE MLP, by the
 * rules of the families' modelling code: DeepSeek's first_k_dense_replace
 * and moe_layer_freq, Qwen's decoder_sparse_step and mlp_only_layers,
 * Llama 4's moe_layers or interleave_moe_layer_step. */
static bool is_moe_layer(const hf_doc *h, int i)
{
    json_t *list = json_object_get(h->obj, "mlp_only_layers");
    json_t *moe = json_object_get(h->obj, "moe_layers");
    json_int_t first =
        int_or(h, "first_k_dense_replace", int_or(h, "n_dense_layers", 0));
    json_int_t freq = int_or(h, "moe_layer_freq", 1);
    json_int_t step = int_or(h, "decoder_sparse_step", 1);
    json_int_t inter = int_or(h, "interleave_moe_layer_step", 1);
    size_t k;
    json_t *v;

    if (json_is_array(moe)) {
        json_array_foreach(moe, k, v)
        {
            if (json_integer_value(v) == i)
                return true;
        }
        return false;
    }
    json_array_foreach(list, k, v)
    {
        if (json_integer_value(v) == i)
            return false;
    }
    if (i < first || (freq > 1 && i % freq != 0))
        return false;
    if (step > 1 && (i + 1) % step != 0)
        return false;
    return inter <= 1 || (i + 1) % inter == 0;
}

/* Routed experts, top-k, their width, shared experts and dense layers. */
static void read_moe(hf_doc *h, cost_model *m, int ffn)
{
    int shared_ffn = 0, moe_layers = 0;
    const char *mt = json_string_value(json_object_get(h->obj, "model_type"));

    if (!get_int(h, k_experts, 0, false, &m->moe_experts) ||
        m->moe_experts == 0) {
        m->moe_experts = 0;
        return;
    }
    get_int(h, k_top_k, 1, true, &m->moe_top_k);
    m->moe_expert_ffn = ffn;
    get_int(h, k_expert_ffn, 1, ffn == 0, &m->moe_expert_ffn);
    if (get_int(h, k_shared, 0, false, &m->moe_shared_experts)) {
        /* n_shared_experts given */
    } else if (get_int(h, k_shared_ffn, 0, false, &shared_ffn) &&
               shared_ffn > 0) {
        m->moe_shared_experts =
            (shared_ffn + m->moe_expert_ffn / 2) / m->moe_expert_ffn;
        if (m->moe_shared_experts * m->moe_expert_ffn != shared_ffn)
            hf_warn(h, "shared_expert_intermediate_size",
                    "a shared expert of width %d is modelled as %d experts "
                    "of width %d (the cost model's shared experts have the "
                    "routed experts' width)",
                    shared_ffn, m->moe_shared_experts, m->moe_expert_ffn);
    } else if (mt != NULL && strcmp(mt, "llama4_text") == 0) {
        m->moe_shared_experts = 1; /* Llama4TextMoe's shared_expert */
    }
    for (int i = 0; i < m->layers; i++)
        moe_layers += is_moe_layer(h, i);
    m->moe_dense_layers = m->layers - moe_layers;
}

static void read_mla(hf_doc *h, cost_model *m)
{
    if (!get_int(h, k_kv_lora, 1, false, &m->mla_kv_lora_rank))
        return;
    m->has_mla = true;
    get_int(h, k_q_lora, 0, false, &m->mla_q_lora_rank);
    get_int(h, k_rope, 1, true, &m->mla_qk_rope_dim);
    get_int(h, k_nope, 1, true, &m->mla_qk_nope_dim);
    get_int(h, k_v_head, 1, true, &m->mla_v_head_dim);
}

/* tie_word_embeddings of the model object, else of the root. */
static void read_tied(hf_doc *h, cost_model *m)
{
    json_t *v = json_object_get(h->obj, "tie_word_embeddings");

    if (v == NULL)
        v = json_object_get(h->root, "tie_word_embeddings");
    if (json_is_boolean(v)) {
        m->tied_embeddings = is_true(v);
        return;
    }
    if (v != NULL) {
        char buf[96];

        hf_error(h, "tie_word_embeddings", "expected true or false, found %s",
                 describe(v, buf, sizeof buf));
        return;
    }
    m->tied_embeddings = false;
    hf_warn(h, "tie_word_embeddings",
            "not given: the input embedding and the LM head are counted as "
            "two matrices (untied)");
}

static void read_dims(hf_doc *h, cost_model *m)
{
    int ffn = 0;
    int64_t ctx = 0;

    get_int(h, k_layers, 1, true, &m->layers);
    get_int(h, k_hidden, 1, true, &m->hidden);
    get_int(h, k_heads, 1, true, &m->heads);
    get_int(h, k_vocab, 1, true, &m->vocab);
    read_mla(h, m);
    m->kv_heads = m->heads;
    if (!m->has_mla)
        get_int(h, k_kv_heads, 1, false, &m->kv_heads);
    if (!m->has_mla && !get_int(h, k_head_dim, 1, false, &m->head_dim) &&
        m->heads > 0) {
        m->head_dim = m->hidden / m->heads;
        if (m->head_dim * m->heads != m->hidden)
            hf_error(h, "head_dim",
                     "missing, and hidden_size %d is not a multiple of %d "
                     "heads",
                     m->hidden, m->heads);
    }
    get_int(h, k_ffn, 1, false, &ffn);
    m->ffn = ffn;
    get_int(h, k_dense_ffn, 1, false, &m->ffn);
    {
        int c = 0;

        if (get_int(h, k_context, 1, false, &c))
            ctx = c;
    }
    m->max_context = ctx;
    m->gated_mlp = gated_mlp(h);
    read_tied(h, m);
    read_moe(h, m, ffn);
    if (m->ffn == 0 && m->moe_experts > 0 && m->moe_dense_layers == 0)
        m->ffn = m->moe_expert_ffn; /* unused: no dense layer */
    else if (m->ffn == 0)
        hf_error(h, k_ffn[0], "missing key (the width of the %s)",
                 m->moe_experts > 0 ? "dense layers' MLP" : "MLP");
    if (m->has_mla) { /* MLA: no per-head K/V; keep the binder's zeros */
        m->kv_heads = 0;
        m->head_dim = 0;
    }
}

/* ---- what the cost model leaves out -------------------------------------- */

/* How many entries of array member 'key' equal 'what'. */
static int count_of(const hf_doc *h, const char *key, const char *what)
{
    json_t *a = json_object_get(h->obj, key);
    size_t i;
    json_t *v;
    int n = 0;

    json_array_foreach(a, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), what) == 0)
            n++;
    }
    return n;
}

static void warn_attention(hf_doc *h, const cost_model *m)
{
    int sliding = count_of(h, "layer_types", "sliding_attention");
    int linear = count_of(h, "layer_types", "linear_attention");
    json_int_t window = int_or(h, "sliding_window", 0);
    json_t *use = json_object_get(h->obj, "use_sliding_window");

    if (sliding > 0)
        hf_warn(h, "layer_types",
                "%d of %d layers use sliding-window attention (window %lld "
                "tokens); the cost model treats every layer as full "
                "attention, so KV size and attention cost are over-counted "
                "beyond the window",
                sliding, m->layers, (long long)window);
    else if (window > 0 && (use == NULL || is_true(use)))
        hf_warn(h, "sliding_window",
                "sliding-window attention (%lld tokens) is not modelled: "
                "every layer attends to the whole context",
                (long long)window);
    if (linear > 0)
        hf_warn(h, "layer_types",
                "%d of %d layers are linear attention (Gated DeltaNet); the "
                "cost model treats them as full-attention layers of the "
                "same shape (KV and attention over-counted, their "
                "projections approximated)",
                linear, m->layers);
    if (int_or(h, "attention_chunk_size", 0) > 0)
        hf_warn(h, "attention_chunk_size",
                "chunked local attention (%lld tokens) is not modelled: "
                "every layer attends to the whole context",
                (long long)int_or(h, "attention_chunk_size", 0));
    if (json_object_get(h->obj, "index_topk") != NULL)
        hf_warn(h, "index_topk",
                "sparse attention (a lightning indexer selecting %lld "
                "tokens) is not modelled: attention is dense over the "
                "context and the indexer's own cost is left out",
                (long long)int_or(h, "index_topk", 0));
    if (is_true(json_object_get(h->obj, "attn_output_gate")))
        hf_warn(h, "attn_output_gate",
                "the attention output gate (a second query-sized "
                "projection) is not counted");
}

static void warn_extras(hf_doc *h)
{
    const char *mtp_key = "num_nextn_predict_layers";
    json_int_t mtp = int_or(h, mtp_key, 0);
    json_t *q = json_object_get(h->obj, "quantization_config");

    if (mtp == 0)
        mtp = int_or(h, mtp_key = "mtp_num_hidden_layers", 0);
    if (mtp == 0 && is_true(json_object_get(h->obj, "use_mtp")))
        mtp = int_or(h, mtp_key = "num_mtp_modules", 0);
    if (mtp > 0)
        hf_warn(h, mtp_key,
                "%lld multi-token-prediction layer(s) are not modelled "
                "(their weights and speculative decoding are left out)",
                (long long)mtp);
    if (json_object_get(h->root, "vision_config") != NULL)
        hf_warn(h, "vision_config",
                "the vision encoder is not modelled (text decoder only)");
    if (q == NULL)
        q = json_object_get(h->root, "quantization_config");
    if (q != NULL) {
        const char *qm = json_string_value(json_object_get(q, "quant_method"));

        hf_warn(h, "quantization_config",
                "the checkpoint's quantization (%s) is not read: formats "
                "come from the scenario's 'precision' section",
                qm != NULL ? qm : "unnamed");
    }
}

/* ---- loading -------------------------------------------------------------- */

/* The model's name: the file name without '.json' (and a '_config'
 * suffix), or the directory's name for '<dir>/config.json'. */
static void name_of(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    size_t n = strlen(base);

    if (strcmp(base, "config.json") == 0 && slash != NULL) {
        const char *p = slash;

        while (p > path && p[-1] != '/')
            p--;
        base = p;
        n = (size_t)(slash - p);
    } else {
        if (n > 5 && strcmp(base + n - 5, ".json") == 0)
            n -= 5;
        if (n > 7 && strncmp(base + n - 7, "_config", 7) == 0)
            n -= 7;
    }
    if (n >= len)
        n = len - 1;
    memcpy(buf, base, n);
    buf[n] = '\0';
}

/* Pick the object holding the model (text_config or the root). */
static void pick_object(hf_doc *h)
{
    json_t *tc = json_object_get(h->root, "text_config");
    size_t k;

    h->obj = h->root;
    h->prefix = "";
    h->obj_at = 0;
    while (h->obj_at < h->len && h->text[h->obj_at] != '{')
        h->obj_at++;
    h->root_at = h->obj_at;
    if (!json_is_object(tc))
        return;
    k = member_at(h->text, h->len, h->obj_at, "text_config");
    h->obj = tc;
    h->prefix = "text_config.";
    if (k != NO_POS)
        h->obj_at = value_at(h->text, h->len, k);
}

/* Where jansson's syntax error starts: its position is the end of the
 * token its message names ("... near 'TOKEN'"), so step back over it. */
static size_t syntax_pos(const json_error_t *err)
{
    const char *near = strstr(err->text, " near '");
    size_t pos = err->position > 0 ? (size_t)err->position : 0;
    size_t n;

    if (near == NULL)
        return pos;
    n = strlen(near + 7);
    if (n > 0 && near[7 + n - 1] == '\'' && n - 1 <= pos)
        pos -= n - 1;
    return pos;
}

/* Parse 'text' and map it into '*m'. */
static int read_doc(io_errs *e, const char *path, const char *text, size_t len,
                    cost_model *m)
{
    size_t before = e->n;
    json_error_t err;
    hf_doc h = {e, path, text, len, NULL, NULL, 0, 0, ""};
    char why[160];

    h.root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (h.root == NULL)
        return io_error(e, loc_of(&h, syntax_pos(&err)), "not valid JSON: %s",
                        err.text);
    if (!json_is_object(h.root)) {
        hs_loc at = {path, 1, 1};

        json_decref(h.root);
        return io_error(e, at, "expected a JSON object (a config.json)");
    }
    pick_object(&h);
    io_model_defaults(m);
    name_of(path, m->name, sizeof m->name);
    read_dims(&h, m);
    if (e->n == before) {
        warn_attention(&h, m);
        warn_extras(&h);
        if (!cost_model_valid(m, why, sizeof why))
            io_error(e, loc_of(&h, h.obj_at), "invalid model: %s", why);
    }
    json_decref(h.root);
    return e->n > before ? HS_EINPUT : HS_OK;
}

int io_hf_model(io_errs *e, const char *path, hs_loc at, cost_model *m)
{
    char *text;
    size_t len;
    int rc;

    if (io_read_file(e, path, at, &text, &len) != HS_OK)
        return HS_EIO;
    rc = read_doc(e, path, text, len, m);
    free(text);
    return rc;
}

int io_hf_load_model(const char *path, cost_model *out, hs_diag *d)
{
    io_errs e = {0};
    hs_loc none = {NULL, 0, 0};
    int rc = io_hf_model(&e, path, none, out);

    io_errs_flush(&e, d);
    return rc;
}
