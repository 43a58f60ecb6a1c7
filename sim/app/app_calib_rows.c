/*
 * app_calib_rows.c -- measured kernel tables -> fit samples, one
 * operator class at a time (docs/calibration.md, "Data").
 *
 * Each row becomes the kernels hetsim's cost model runs for the same
 * shape on one GPU, counted as sim/cost/cost_step.c counts them (bf16:
 * 2 bytes an element, fp8 1):
 *   gemm        m x k . k x n: 2mnk FLOPs, k*n weights + m*(k+n)
 *               activations;
 *   attn_decode batch B, h query / g KV heads, KV length L (context
 *               L + 1): 4*h*d*B*(L+1) FLOPs, B*(L+1)*2*g*d KV +
 *               2*B*h*d activations; par and units B*g (a
 *               fixed cost per sequence and KV head fits the tables far
 *               better than one per query head: H100 test p90 19%
 *               against 46%);
 *   attn_prefill batch B of S-token prompts (causal): 4*h*d*B*S(S+1)/2
 *               FLOPs, B*S*2*g*d KV + 2*B*S*h*d activations;
 *   moe         T tokens, top-k of E experts of width I over H, split
 *               moe_tp x ep: the routed gate/up, activation and down
 *               kernels of cost_step's mlp() with experts of width
 *               I/moe_tp, on the busiest rank of the tables' 'balanced'
 *               routing: ceil(T*k/ep) routed tokens reading as many
 *               distinct experts' weights (at most E/ep), units = the
 *               routed tokens on the gate/up kernel.  (The cost
 *               model's own routing decides how many experts a step
 *               touches; the curve only maps a kernel's size to time.)
 *   elementwise Vidur's RMSNorm (4 FLOPs, d weights + 2d activations a
 *               token) and SiLU-and-mul (4 FLOPs, 3 elements an
 *               intermediate element of the TP shard), each its own
 *               sample.  Vidur's 'add' is left out: half its rows move
 *               3 elements a token faster than the HBM allows, so it is
 *               not the kernel hetsim's residual counts.
 * Rows are held out for the test by a hash of their table and row
 * number (one in five), so the split is the same on every run.
 */
#include "app_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct sink {
    app_ksample *s;
    size_t n, cap;
    size_t dropped;
    double peak, bw;
} sink;

/* Keep sample 'x' unless it beats the device's physical limits. */
static void keep(sink *k, app_ksample *x, uint64_t id)
{
    double f = 0, b = 0;

    for (int i = 0; i < x->n_k; i++) {
        f += x->k[i].flops;
        b += x->k[i].bytes;
    }
    if (!(x->measured_s > 0) || f / k->peak > x->measured_s ||
        b / k->bw > x->measured_s) {
        k->dropped++;
        return;
    }
    x->test = hs_mix64(id) % 5 == 0;
    if (k->n == k->cap) {
        k->cap = 2 * k->cap + 256;
        k->s = hs_realloc(k->s, k->cap * sizeof(app_ksample));
    }
    k->s[k->n++] = *x;
}

static app_ksample one(double f, double b, double par, double units, double ms)
{
    app_ksample x;

    memset(&x, 0, sizeof x);
    x.k[0] = (cost_kernel){f, b, par, units};
    x.n_k = 1;
    x.measured_s = ms * 1e-3;
    return x;
}

/* The columns a table needs, looked up once. */
#define MAX_COLS 12
typedef struct cols {
    int c[MAX_COLS];
} cols;

static int need(const io_csv *t, const char *const *names, cols *out,
                hs_diag *d)
{
    int rc = HS_OK;

    for (int i = 0; names[i] != NULL; i++)
        if ((out->c[i] = io_csv_need(t, names[i], d)) < 0)
            rc = HS_EINPUT;
    return rc;
}

/* Row 'r''s numeric cells of 'cl' (count 'n') into v. */
static int nums(const io_csv *t, size_t r, const cols *cl, int n, double *v,
                hs_diag *d)
{
    for (int i = 0; i < n; i++)
        if (cl->c[i] >= 0 && io_csv_num(t, r, cl->c[i], &v[i], d) != HS_OK)
            return HS_EINPUT;
    return HS_OK;
}

static bool cell_is(const io_csv *t, size_t r, int col, const char *want)
{
    return strcmp(io_csv_cell(t, r, col), want) == 0;
}

static int gemm_rows(const io_csv *t, bool fp8, sink *k, uint64_t salt,
                     hs_diag *d)
{
    static const char *const names[] = {"m",          "n",          "k",
                                        "latency_ms", "gemm_dtype", NULL};
    /* inputs and weights in the GEMM format, output in bf16 (the
     * residual format of cost_step.c) */
    double b = fp8 ? 1.0 : 2.0, v[4];
    cols cl;

    if (need(t, names, &cl, d) != HS_OK)
        return HS_EINPUT;
    for (size_t r = 0; r < io_csv_rows(t); r++) {
        app_ksample x;

        if (!cell_is(t, r, cl.c[4], fp8 ? "fp8" : "bfloat16"))
            continue;
        if (nums(t, r, &cl, 4, v, d) != HS_OK)
            return HS_EINPUT;
        x = one(2.0 * v[0] * v[1] * v[2],
                (v[2] * v[1] + v[0] * v[2]) * b + v[0] * v[1] * 2.0, 0, 0,
                v[3]);
        keep(k, &x, salt + r);
    }
    return HS_OK;
}

/* Attention rows of KV format 'fp8' (1-byte K and V) or bf16; Q and O
 * in bf16 either way. */
static int decode_rows(const io_csv *t, bool fp8, sink *k, uint64_t salt,
                       hs_diag *d)
{
    static const char *const names[] = {
        "batch_size",    "num_heads",  "num_key_value_heads", "head_dim",
        "kv_len_tokens", "latency_ms", "kv_cache_dtype",      NULL};
    double v[6];
    cols cl;

    if (need(t, names, &cl, d) != HS_OK)
        return HS_EINPUT;
    for (size_t r = 0; r < io_csv_rows(t); r++) {
        double bs, h, g, dh, ctx;
        app_ksample x;

        if (!cell_is(t, r, cl.c[6], fp8 ? "fp8" : "bfloat16"))
            continue;
        if (nums(t, r, &cl, 6, v, d) != HS_OK)
            return HS_EINPUT;
        bs = v[0], h = v[1], g = v[2], dh = v[3], ctx = v[4] + 1.0;
        x = one(4.0 * h * dh * bs * ctx,
                bs * ctx * 2.0 * g * dh * (fp8 ? 1.0 : 2.0) +
                    2.0 * bs * h * dh * 2.0,
                bs * g, bs * g, v[5]);
        keep(k, &x, salt + r);
    }
    return HS_OK;
}

static int prefill_rows(const io_csv *t, bool fp8, sink *k, uint64_t salt,
                        hs_diag *d)
{
    static const char *const names[] = {
        "batch_size",     "prompt_len_tokens",
        "num_heads",      "num_key_value_heads",
        "head_dim",       "latency_ms",
        "kv_cache_dtype", NULL};
    double v[6];
    cols cl;

    if (need(t, names, &cl, d) != HS_OK)
        return HS_EINPUT;
    for (size_t r = 0; r < io_csv_rows(t); r++) {
        double bs, s, h, g, dh;
        app_ksample x;

        if (!cell_is(t, r, cl.c[6], fp8 ? "fp8" : "bfloat16"))
            continue;
        if (nums(t, r, &cl, 6, v, d) != HS_OK)
            return HS_EINPUT;
        bs = v[0], s = v[1], h = v[2], g = v[3], dh = v[4];
        x = one(4.0 * h * dh * bs * s * (s + 1.0) / 2.0,
                bs * s * 2.0 * g * dh * (fp8 ? 1.0 : 2.0) +
                    2.0 * bs * s * h * dh * 2.0,
                0, 0, v[5]);
        keep(k, &x, salt + r);
    }
    return HS_OK;
}

/* The routed-expert kernels of one fused MoE row (gated MLP): weights
 * and GEMM inputs of 'b' bytes (2 bf16, 1 fp8), outputs and the
 * activation kernel in bf16, as cost_step.c counts them. */
static app_ksample moe_sample(const double *v, double b)
{
    double tok = v[0], hid = v[1], in = v[2] / v[5], topk = v[3];
    double e = v[4], ep = v[6];
    /* the tables route 'balanced': the T*k (token, expert) pairs are
     * spread evenly, so the busiest rank gets ceil(T*k/ep) of them and
     * reads as many distinct experts (at most its E/ep) */
    double routed = ceil(tok * topk / ep);
    double touched = fmin(e / ep, routed);
    app_ksample x;

    memset(&x, 0, sizeof x);
    x.k[0] = (cost_kernel){2.0 * routed * hid * 2.0 * in,
                           (touched * hid * 2.0 * in + routed * hid) * b +
                               routed * 2.0 * in * 2.0,
                           0, routed};
    x.k[1] = (cost_kernel){4.0 * routed * in, 3.0 * routed * in * 2.0, 0, 0};
    x.k[2] = (cost_kernel){
        2.0 * routed * in * hid,
        (touched * in * hid + routed * in) * b + routed * hid * 2.0, 0, 0};
    x.n_k = 3;
    x.measured_s = v[7] * 1e-3;
    return x;
}

static int moe_rows(const io_csv *t, bool fp8, sink *k, uint64_t salt,
                    hs_diag *d)
{
    static const char *const names[] = {
        "num_tokens",  "hidden_size", "inter_size", "topk",      "num_experts",
        "moe_tp_size", "moe_ep_size", "latency_ms", "moe_dtype", NULL};
    double v[8];
    cols cl;

    if (need(t, names, &cl, d) != HS_OK)
        return HS_EINPUT;
    for (size_t r = 0; r < io_csv_rows(t); r++) {
        app_ksample x;

        if (!cell_is(t, r, cl.c[8], fp8 ? "fp8" : "bfloat16"))
            continue;
        if (nums(t, r, &cl, 8, v, d) != HS_OK)
            return HS_EINPUT;
        x = moe_sample(v, fp8 ? 1.0 : 2.0);
        keep(k, &x, salt + r);
    }
    return HS_OK;
}

/* Vidur mlp.csv: norms, the activation and the residual add. */
static int elementwise_rows(const io_csv *t, sink *k, uint64_t salt,
                            hs_diag *d)
{
    static const char *const names[] = {
        "num_tokens",
        "num_tensor_parallel_workers",
        "n_embd",
        "n_expanded_embd",
        "time_stats.input_layernorm.median",
        "time_stats.post_attention_layernorm.median",
        "time_stats.mlp_act.median",
        NULL};
    double v[7];
    cols cl;

    if (need(t, names, &cl, d) != HS_OK)
        return HS_EINPUT;
    for (size_t r = 0; r < io_csv_rows(t); r++) {
        double tok, dm, f;
        app_ksample x;

        if (nums(t, r, &cl, 7, v, d) != HS_OK)
            return HS_EINPUT;
        tok = v[0], dm = v[2], f = v[3] / v[1];
        for (int i = 0; i < 2; i++) {
            x = one(4.0 * tok * dm, (dm + 2.0 * tok * dm) * 2.0, 0, 0,
                    v[4 + i]);
            keep(k, &x, salt + 4 * r + (uint64_t)i);
        }
        x = one(4.0 * tok * f, 3.0 * tok * f * 2.0, 0, 0, v[6]);
        keep(k, &x, salt + 4 * r + 2);
    }
    return HS_OK;
}

/* The MLA module tables (app_calib_mla.c): bf16 KV and bf16 GEMMs. */
static int mla_rows(const io_csv *t, cost_kclass kc, const cost_device *dev,
                    sink *k, uint64_t salt, hs_diag *d)
{
    static const char *const dec[] = {
        "num_heads",  "batch_size",     "kv_len_tokens",
        "latency_ms", "kv_cache_dtype", "gemm_type",
        NULL};
    static const char *const pre[] = {
        "num_heads",         "batch_size",
        "prompt_len_tokens", "prefix_cached_tokens",
        "latency_ms",        "kv_cache_dtype",
        "gemm_type",         NULL};
    bool prefill = kc == COST_K_MLA_PREFILL;
    int nn = prefill ? 5 : 4;
    double v[5];
    cols cl;

    if (need(t, prefill ? pre : dec, &cl, d) != HS_OK)
        return HS_EINPUT;
    for (size_t r = 0; r < io_csv_rows(t); r++) {
        app_ksample x;

        if (!cell_is(t, r, cl.c[nn], "bfloat16") ||
            !cell_is(t, r, cl.c[nn + 1], "bfloat16"))
            continue;
        if (nums(t, r, &cl, nn, v, d) != HS_OK)
            return HS_EINPUT;
        if (app_mla_sample(dev, kc, (int)v[0], (int)v[1], prefill ? v[2] : 0,
                           prefill ? v[3] : v[2] + 1.0, v[nn - 1] * 1e-3,
                           &x) == HS_OK &&
            x.measured_s > x.fixed_s)
            keep(k, &x, salt + r);
        else
            k->dropped++;
    }
    return HS_OK;
}

static int table_rows(const app_ktable *tb, const io_csv *t, sink *k,
                      uint64_t salt, hs_diag *d)
{
    cost_kclass kc = tb->k;

    switch (kc) {
    case COST_K_MLA_PREFILL:
    case COST_K_MLA_DECODE:
        return mla_rows(t, kc, tb->dev, k, salt, d);
    case COST_K_GEMM:
    case COST_K_GEMM_FP8:
        return gemm_rows(t, kc == COST_K_GEMM_FP8, k, salt, d);
    case COST_K_ATTN_DECODE:
    case COST_K_ATTN_DECODE_FP8:
        return decode_rows(t, kc == COST_K_ATTN_DECODE_FP8, k, salt, d);
    case COST_K_ATTN_PREFILL:
    case COST_K_ATTN_PREFILL_FP8:
        return prefill_rows(t, kc == COST_K_ATTN_PREFILL_FP8, k, salt, d);
    case COST_K_MOE:
    case COST_K_MOE_FP8:
        return moe_rows(t, kc == COST_K_MOE_FP8, k, salt, d);
    case COST_K_ELEMENTWISE:
        return elementwise_rows(t, k, salt, d);
    default:
        return HS_OK;
    }
}

int app_calib_rows(const app_ktable *t, double peak, double bw,
                   app_ksample **out, size_t *n, size_t *dropped, hs_diag *d)
{
    sink k = {NULL, 0, 0, 0, peak, bw};
    int rc = HS_OK;

    for (size_t i = 0; t->files[i] != NULL && rc == HS_OK; i++) {
        io_csv *csv;

        rc = io_csv_load(t->files[i], &csv, d);
        if (rc == HS_OK)
            rc = table_rows(t, csv, &k,
                            ((uint64_t)i << 40) + ((uint64_t)t->k << 56), d);
        io_csv_free(csv);
    }
    if (rc != HS_OK) {
        free(k.s);
        k.s = NULL;
        k.n = 0;
    }
    *out = k.s;
    *n = k.n;
    *dropped = k.dropped;
    return rc;
}

/* ---- all-reduce ----------------------------------------------------- */

typedef struct ar_acc {
    int gpus[COST_AR_COUNTS];
    double bytes[COST_AR_COUNTS][COST_AR_POINTS];
    double best[COST_AR_COUNTS][COST_AR_POINTS];
    int n[COST_AR_COUNTS];
} ar_acc;

/* Record a measurement; the fastest implementation of a size wins. */
static void ar_add(ar_acc *a, int gpus, double bytes, double s)
{
    int g = 0, i = 0;

    while (g < COST_AR_COUNTS && a->gpus[g] != 0 && a->gpus[g] != gpus)
        g++;
    if (g == COST_AR_COUNTS)
        return;
    a->gpus[g] = gpus;
    while (i < a->n[g] && a->bytes[g][i] != bytes)
        i++;
    if (i == a->n[g]) {
        if (i == COST_AR_POINTS)
            return;
        a->n[g]++;
        a->bytes[g][i] = bytes;
        a->best[g][i] = s;
    } else if (s < a->best[g][i]) {
        a->best[g][i] = s;
    }
}

/* Rows of 'path' whose column 'kcol' is 'kval' and 'dcol' is 'dval'. */
static int ar_read(const char *path, const char *kcol, const char *kval,
                   const char *dcol, const char *dval, ar_acc *a, hs_diag *d)
{
    static const char *names[] = {"num_gpus", "message_size", "latency_ms",
                                  NULL,       NULL,           NULL};
    io_csv *t;
    double v[3];
    cols cl;
    int rc = io_csv_load(path, &t, d);

    names[3] = kcol;
    names[4] = dcol;
    if (rc == HS_OK)
        rc = need(t, names, &cl, d);
    for (size_t r = 0; rc == HS_OK && r < io_csv_rows(t); r++) {
        if (!cell_is(t, r, cl.c[3], kval) || !cell_is(t, r, cl.c[4], dval))
            continue;
        if ((rc = nums(t, r, &cl, 3, v, d)) == HS_OK)
            ar_add(a, (int)v[0], v[1], v[2] * 1e-3);
    }
    io_csv_free(t);
    return rc;
}

static int cmp_pair(const void *x, const void *y)
{
    const double *a = x, *b = y;

    return (a[0] > b[0]) - (a[0] < b[0]);
}

/* Sort one GPU count's points and split them into train and test. */
static void ar_split(const ar_acc *a, int g, app_ar_points *o)
{
    double p[COST_AR_POINTS][2];
    int n = a->n[g];

    for (int i = 0; i < n; i++)
        p[i][0] = a->bytes[g][i], p[i][1] = a->best[g][i];
    qsort(p, (size_t)n, sizeof p[0], cmp_pair);
    memset(o, 0, sizeof *o);
    o->train.gpus = a->gpus[g];
    for (int i = 0; i < n; i++) {
        /* the end points stay in the table (no extrapolation tested) */
        bool test = i > 0 && i < n - 1 &&
                    hs_mix64((uint64_t)(a->gpus[g] * 1000 + i)) % 5 == 0;

        if (test) {
            o->test_bytes[o->n_test] = p[i][0];
            o->test_s[o->n_test++] = p[i][1];
        } else {
            o->train.bytes[o->train.n] = p[i][0];
            o->train.seconds[o->train.n++] = p[i][1];
        }
    }
}

int app_calib_allreduce(const char *nccl, const char *custom,
                        app_ar_points out[COST_AR_COUNTS], hs_diag *d)
{
    ar_acc a;
    int rc;

    memset(&a, 0, sizeof a);
    memset(out, 0, COST_AR_COUNTS * sizeof *out);
    rc = nccl != NULL ? ar_read(nccl, "op_name", "all_reduce", "nccl_dtype",
                                "half", &a, d)
                      : HS_OK;
    if (rc == HS_OK && custom != NULL)
        rc = ar_read(custom, "kernel_source", "vLLM_custom_graph",
                     "allreduce_dtype", "bfloat16", &a, d);
    if (rc != HS_OK)
        return rc;
    for (int g = 0; g < COST_AR_COUNTS; g++)
        if (a.gpus[g] != 0 && a.n[g] >= 2)
            ar_split(&a, g, &out[g]);
    return HS_OK;
}

/* DeepEP's MoE all-to-all (SGLang 0.5.12, shared/data/aiconfigurator/
 * sglang0.5.12_deepep_{low_latency,normal}_perf.csv, 8 H100 of one node
 * per node_num): the rows of DeepSeek-V3's shape, whose payload per GPU
 * is num_token x top_k x hidden elements, fp8 on dispatch and bf16 on
 * combine (the tables' bandwidth column is that payload over the time). */
#define A2A_HIDDEN 7168
#define A2A_TOPK 8
#define A2A_EXPERTS 256
#define A2A_GPUS_PER_NODE 8

static int a2a_read(const char *path, bool normal, ar_acc *disp, ar_acc *comb,
                    hs_diag *d)
{
    static const char *const low[] = {
        "num_token",   "node_num",          "hidden_size",      "num_topk",
        "num_experts", "dispatch_avg_t_us", "combine_avg_t_us", NULL};
    static const char *const full[] = {
        "num_token",          "node_num",
        "hidden_size",        "num_topk",
        "num_experts",        "dispatch_transmit_us",
        "dispatch_notify_us", "combine_transmit_us",
        "combine_notify_us",  NULL};
    int n = normal ? 9 : 7;
    io_csv *t;
    double v[9];
    cols cl;
    int rc = io_csv_load(path, &t, d);

    if (rc == HS_OK)
        rc = need(t, normal ? full : low, &cl, d);
    for (size_t r = 0; rc == HS_OK && r < io_csv_rows(t); r++) {
        double elems, ds, cs;
        int gpus;

        if ((rc = nums(t, r, &cl, n, v, d)) != HS_OK)
            break;
        if (v[2] != A2A_HIDDEN || v[3] != A2A_TOPK || v[4] != A2A_EXPERTS)
            continue;
        gpus = (int)v[1] * A2A_GPUS_PER_NODE;
        elems = v[0] * v[3] * v[2];
        ds = (normal ? v[5] + v[6] : v[5]) * 1e-6;
        cs = (normal ? v[7] + v[8] : v[6]) * 1e-6;
        ar_add(disp, gpus, elems * 1.0, ds);
        ar_add(comb, gpus, elems * 2.0, cs);
    }
    io_csv_free(t);
    return rc;
}

/* Keep the lower envelope of each GPU count's points: a size another
 * larger size beats (a normal-mode row between two low-latency ones)
 * is dropped, so that time grows with the payload. */
static void envelope(ar_acc *a)
{
    for (int g = 0; g < COST_AR_COUNTS; g++) {
        int k = 0;

        for (int i = 0; i < a->n[g]; i++) {
            bool beaten = false;

            for (int j = 0; j < a->n[g] && !beaten; j++)
                beaten = a->bytes[g][j] > a->bytes[g][i] &&
                         a->best[g][j] <= a->best[g][i];
            if (beaten)
                continue;
            a->bytes[g][k] = a->bytes[g][i];
            a->best[g][k++] = a->best[g][i];
        }
        a->n[g] = k;
    }
}

int app_calib_alltoall(const char *low_latency, const char *normal,
                       app_ar_points disp[COST_AR_COUNTS],
                       app_ar_points comb[COST_AR_COUNTS], hs_diag *d)
{
    ar_acc a, b;
    int rc;

    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(disp, 0, COST_AR_COUNTS * sizeof *disp);
    memset(comb, 0, COST_AR_COUNTS * sizeof *comb);
    rc = a2a_read(low_latency, false, &a, &b, d);
    if (rc == HS_OK && normal != NULL)
        rc = a2a_read(normal, true, &a, &b, d);
    if (rc != HS_OK)
        return rc;
    envelope(&a);
    envelope(&b);
    for (int g = 0; g < COST_AR_COUNTS; g++) {
        if (a.gpus[g] != 0 && a.n[g] >= 2)
            ar_split(&a, g, &disp[g]);
        if (b.gpus[g] != 0 && b.n[g] >= 2)
            ar_split(&b, g, &comb[g]);
    }
    return HS_OK;
}
