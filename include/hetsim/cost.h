/*
 * cost.h -- the analytic cost model: model architectures, numeric
 * precisions, device rooflines, and the FLOPs, bytes, time, operational
 * intensity (OI) and capacity footprint (CF) of one inference step.
 *
 * Everything here is a pure function of plain structs: no events, no
 * allocation in the step evaluation, no I/O.  Formulas follow
 * docs/costmodel.md (after ../shared/docs/costmodel-reference.md, section
 * 2).  Quantities are doubles in SI units: FLOPs, bytes, seconds.
 *
 * Use:
 *   cost_ctx ctx;
 *   cost_ctx_init(&ctx, &model, &precision, &device, tp, &link, &opts);
 *   cost_batch b = {0};
 *   cost_batch_add_prefill(&b, &ctx, 4096, 0);    -- a 4k prompt
 *   cost_batch_add_decode(&b, 4096);              -- one decode token
 *   cost_step st;
 *   cost_step_eval(&ctx, &b, &st);
 */
#ifndef HETSIM_COST_H
#define HETSIM_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- numeric formats --------------------------------------------------- */

/* X(enum, name, bits, bytes per element including scale overhead).
 * int4 is weight-only with one fp16 scale per group of 128 (GPTQ/AWQ):
 * 0.5 + 2/128 B; fp4 and mxfp4 are MXFP4 (OCP MX: one 8-bit E8M0 scale
 * per 32): 0.5 + 1/32 B; nvfp4 has one fp8 E4M3 scale per 16 elements
 * (plus one fp32 per tensor, not counted): 0.5 + 1/16 B.  nvfp4 and mxfp4
 * run at a device's 'fp4' peak unless it lists their own. */
#define COST_DTYPES(X)                                                        \
    X(COST_FP32, "fp32", 32, 4.0)                                             \
    X(COST_BF16, "bf16", 16, 2.0)                                             \
    X(COST_FP16, "fp16", 16, 2.0)                                             \
    X(COST_FP8, "fp8", 8, 1.0)                                                \
    X(COST_INT8, "int8", 8, 1.0)                                              \
    X(COST_INT4, "int4", 4, 0.515625)                                         \
    X(COST_FP4, "fp4", 4, 0.53125)                                            \
    X(COST_NVFP4, "nvfp4", 4, 0.5625)                                         \
    X(COST_MXFP4, "mxfp4", 4, 0.53125)

typedef enum cost_dtype {
#define X(e, name, bits, bytes) e,
    COST_DTYPES(X)
#undef X
        COST_N_DTYPES
} cost_dtype;

const char *cost_dtype_name(cost_dtype t);
/* Bytes per element, including block-scale overhead. */
double cost_dtype_bytes(cost_dtype t);
int cost_dtype_bits(cost_dtype t);
/* Look a format up by name ("bf16"); returns false when unknown. */
bool cost_dtype_parse(const char *name, cost_dtype *out);

/* The formats of one model replica (docs/costmodel.md, "Precisions"):
 *  - weights: how weights are stored (and read);
 *  - kv: the KV cache;
 *  - activations: the inputs of the GEMMs (W8A8 fp8 quantises them to
 *    fp8); GEMMs run at the peak of the wider of weights and activations;
 *  - residual: the residual stream, norms, the gated activation, GEMM
 *    outputs and the tensor-parallel all-reduce (the model's dtype in
 *    vLLM and TensorRT-LLM fp8 serving);
 *  - attention: the attention kernels' math and their Q/O tensors;
 *    attention runs at the peak of this format.
 * 'residual' and 'attention' apply only when has_residual/has_attention
 * (so a {weights, kv, activations} initializer keeps working); otherwise
 * cost_precision_resolve() derives them: residual = activations when
 * 16 bits or wider, else bf16; attention = residual. */
typedef struct cost_precision {
    cost_dtype weights;
    cost_dtype kv;
    cost_dtype activations;
    cost_dtype residual;
    cost_dtype attention;
    bool has_residual;
    bool has_attention;
} cost_precision;

/* bf16 everywhere. */
cost_precision cost_precision_default(void);

/* Fill 'residual' and 'attention' where they were not given. */
void cost_precision_resolve(cost_precision *p);

/* The scalar shorthand 'precision: NAME' as frameworks mean it
 * (docs/scenario.md): bf16 / fp16 / fp32 everywhere; fp8 and int8 W8A8
 * (weights and GEMM inputs 8-bit, residual and attention bf16); int4 W4A16
 * (AWQ/GPTQ weight-only); nvfp4 (also 'fp4') and mxfp4 W4A4 at the fp4
 * tensor peak.  KV stays bf16 (the engines' kv_cache_dtype 'auto').
 * Writes '*out' and returns true, or false for an unknown name.
 * '*needs_fp4' is set when the shorthand is only valid on a device with
 * an fp4 peak. */
bool cost_precision_shorthand(const char *name, cost_precision *out,
                              bool *needs_fp4);

/* ---- model architecture ------------------------------------------------ */

/* One decoder-only transformer.  Attention is MHA when kv_heads == heads,
 * MQA when kv_heads == 1, GQA in between, or MLA when has_mla.  MoE when
 * moe_experts > 0: the first moe_dense_layers layers use a dense MLP of
 * width 'ffn', the others 'moe_experts' routed experts of width
 * 'moe_expert_ffn' (top-k each token) plus 'moe_shared_experts' always-on
 * experts of the same width. */
typedef struct cost_model {
    char name[64];
    int layers;
    int hidden;   /* d */
    int heads;    /* H, query heads */
    int kv_heads; /* H_kv; ignored with MLA */
    int head_dim; /* d_h */
    int ffn;      /* F, dense MLP intermediate size */
    int vocab;    /* V */
    bool tied_embeddings;
    bool gated_mlp;      /* SwiGLU: gate, up, down (3 matrices) */
    int64_t max_context; /* 0 = unknown */

    int moe_experts;        /* E, 0 = dense model */
    int moe_top_k;          /* k */
    int moe_expert_ffn;     /* F_e */
    int moe_shared_experts; /* n_s */
    int moe_dense_layers;   /* leading layers with a dense MLP */

    bool has_mla;
    int mla_q_lora_rank;  /* d_qc, 0 = no query compression */
    int mla_kv_lora_rank; /* d_c */
    int mla_qk_rope_dim;  /* d_r */
    int mla_qk_nope_dim;  /* d_n */
    int mla_v_head_dim;   /* d_v */
} cost_model;

/* Check a model for consistency; writes a reason into 'why' and returns
 * false when something is off (zero layers, heads not a multiple of
 * kv_heads, top_k > experts, ...). */
bool cost_model_valid(const cost_model *m, char *why, size_t whylen);

/* Parameter counts (elements, not bytes).  'total' counts every expert;
 * 'active' counts top_k routed + shared experts per token. Embedding and
 * lm_head included (once if tied). */
double cost_model_params_total(const cost_model *m);
double cost_model_params_active(const cost_model *m);

/* KV-cache elements stored per token over all layers: MHA/GQA
 * 2*L*H_kv*d_h, MLA (absorbed form) L*(d_c + d_r). */
double cost_model_kv_elems_per_token(const cost_model *m);

/* ---- devices and links ------------------------------------------------- */

/* ---- calibrated kernel curves (docs/calibration.md) ------------------- */

/* Operator classes a calibration file fits separately: X(enum, name).
 * gemm / gemm_fp8: dense GEMMs (projections, MLP, lm_head, router) in a
 * 16-bit or an 8-bit compute format; attn_prefill / attn_decode: GQA flash
 * attention; moe: the routed-expert kernels; mla_prefill / mla_decode:
 * DeepSeek's MLA attention core; elementwise: norms, activations,
 * residual adds, embedding; attn_prefill_fp8 / attn_decode_fp8: GQA
 * attention over an 8-bit KV cache; moe_fp8: the routed experts with an
 * 8-bit compute format. */
#define COST_KCLASSES(X)                                                      \
    X(COST_K_GEMM, "gemm")                                                    \
    X(COST_K_GEMM_FP8, "gemm_fp8")                                            \
    X(COST_K_ATTN_PREFILL, "attn_prefill")                                    \
    X(COST_K_ATTN_DECODE, "attn_decode")                                      \
    X(COST_K_MOE, "moe")                                                      \
    X(COST_K_MLA_PREFILL, "mla_prefill")                                      \
    X(COST_K_MLA_DECODE, "mla_decode")                                        \
    X(COST_K_ELEMENTWISE, "elementwise")                                      \
    X(COST_K_ATTN_PREFILL_FP8, "attn_prefill_fp8")                            \
    X(COST_K_ATTN_DECODE_FP8, "attn_decode_fp8")                              \
    X(COST_K_MOE_FP8, "moe_fp8")

typedef enum cost_kclass {
#define X(e, name) e,
    COST_KCLASSES(X)
#undef X
        COST_N_KCLASS
} cost_kclass;

const char *cost_kclass_name(cost_kclass k);
bool cost_kclass_parse(const char *name, cost_kclass *out);

/* The efficiency curve of one operator class on one device.  One kernel
 * of F FLOPs and B bytes on one GPU, with 'par' independent work units
 * and 'units' per-item costs (decode attention: both the sequences x KV
 * heads on the GPU; the MoE gate/up kernel: units = routed tokens; 0
 * otherwise), takes
 *
 *   e_c = eff_c * F / (F + half_flops)
 *   e_m = eff_m * B / (B + half_bytes) * par / (par + half_par)
 *   t_c = F / (e_c * peak),  t_m = B / (e_m * BW)
 *   t   = max(floor, (t_c^n + t_m^n)^(1/n) + unit_s * units)
 *
 * with n = 'sharp' (the roofline corner: real kernels near the ridge are
 * slower than both limits; n -> infinity is the plain max).  A zero
 * half_* leaves that factor out.  The fitted values come from
 * 'hetsim calibrate' (docs/calibration.md). */
typedef struct cost_curve {
    bool fitted; /* false: the device's scalar efficiencies, no floor */
    double eff_c, eff_m;
    double half_flops, half_bytes, half_par;
    double sharp;
    double floor_s;
    double unit_s;
} cost_curve;

/* One kernel's shape for cost_kernel_s(). */
typedef struct cost_kernel {
    double flops;
    double bytes;
    double par;   /* work units for the memory efficiency; 0 = n/a */
    double units; /* per-item count for unit_s */
} cost_kernel;

/* The time of one kernel under curve 'c' on a device of peak 'peak'
 * FLOP/s and bandwidth 'bw' B/s (the formula above). */
double cost_kernel_s(const cost_curve *c, double peak, double bw,
                     const cost_kernel *k);

/* Measured all-reduce times of one GPU count, ascending message sizes;
 * interpolated log-log between points, linearly in bytes beyond the
 * last (at its incremental bandwidth) and flat below the first. */
#define COST_AR_POINTS 32
#define COST_AR_COUNTS 4
typedef struct cost_ar_table {
    int gpus; /* 0 = unused slot */
    int n;
    double bytes[COST_AR_POINTS];
    double seconds[COST_AR_POINTS];
} cost_ar_table;

/* A device's calibration (configs/calibration/<name>.yaml).  When
 * 'present', every operator of a fitted class is timed by its curve,
 * classes not fitted by the device's scalar efficiencies without floor,
 * and overhead.layer is not added (the floors replace it); the TP
 * all-reduce of a GPU count is interpolated from its tables: 'allreduce'
 * the faster implementation per size, 'ar_nccl' NCCL alone, 'ar_custom'
 * vLLM's custom all-reduce alone (an engine profile chooses); the MoE
 * all-to-all of an EP size in 'dispatch' / 'combine' likewise. */
typedef struct cost_calib {
    bool present;
    char name[64];
    cost_curve curve[COST_N_KCLASS];
    cost_ar_table allreduce[COST_AR_COUNTS];
    cost_ar_table ar_nccl[COST_AR_COUNTS];
    cost_ar_table ar_custom[COST_AR_COUNTS];
    /* measured MoE all-to-all (DeepEP) of one EP size: seconds by the
     * payload one GPU sends, tokens x top_k x hidden x element bytes */
    cost_ar_table dispatch[COST_AR_COUNTS];
    cost_ar_table combine[COST_AR_COUNTS];
} cost_calib;

/* The all-reduce of 'bytes' over 'n' GPUs from 'cal' when it measured
 * that count (into '*s', returns true); false otherwise. */
bool cost_calib_allreduce(const cost_calib *cal, int n, double bytes,
                          double *s);

/* Which measured all-reduce a serving engine runs (docs/engines.md):
 * 'best' the faster of NCCL and the custom kernel per size (the ideal
 * engine), 'nccl' NCCL alone, 'custom' the custom one-/two-shot kernel up
 * to the engine's largest custom message for the GPU count, NCCL above. */
typedef enum cost_ar_impl {
    COST_AR_BEST,
    COST_AR_NCCL,
    COST_AR_CUSTOM
} cost_ar_impl;

#define COST_AR_MAX_GPUS 8
typedef struct cost_ar_choice {
    cost_ar_impl impl;
    double custom_max[COST_AR_MAX_GPUS + 1]; /* by GPU count: largest
                                                message of the custom
                                                kernel; 0 = no limit */
} cost_ar_choice;

/* The all-reduce of 'bytes' over 'n' GPUs under 'ch' from the tables of
 * 'cal' (a missing table of the chosen implementation falls back to the
 * 'allreduce' one); false when 'cal' has none for 'n'. */
bool cost_calib_allreduce_as(const cost_calib *cal, const cost_ar_choice *ch,
                             int n, double bytes, double *s);

/* The MoE dispatch ('combine' false) or combine all-to-all of 'bytes'
 * per GPU over 'n' EP ranks from 'cal''s measured tables, interpolated
 * as the all-reduce (into '*s', returns true); false without a table of
 * that size. */
bool cost_calib_alltoall(const cost_calib *cal, int n, double bytes,
                         bool combine, double *s);

/* One accelerator type: the roofline and its economics. */
typedef struct cost_device {
    char name[64];
    double peak_flops[COST_N_DTYPES]; /* FLOP/s per compute format, dense;
                                         0 = format not supported */
    double mem_bytes;                 /* device memory capacity */
    double mem_bw;                    /* device memory bandwidth, B/s */
    double eta_compute;               /* achievable fraction of peak FLOP/s */
    double eta_memory;       /* achievable fraction of memory bandwidth */
    double step_overhead_s;  /* fixed cost per step (launch, scheduling) */
    double layer_overhead_s; /* fixed cost per layer per step (kernel
                                launches not hidden by graphs) */
    double mem_margin;       /* fraction of memory kept free (fragmentation,
                               runtime) */
    double power_busy_w;
    double power_idle_w;
    double cost_per_hour; /* USD per device-hour */
    bool hypothetical;    /* not a real product */
    cost_calib calib;     /* fitted kernel curves; !present = roofline */
} cost_device;

/* The peak FLOP/s of 'dev' in format 't': its own entry, else for nvfp4
 * and mxfp4 the 'fp4' entry; 0 when the device has none. */
double cost_device_peak(const cost_device *dev, cost_dtype t);

/* The format 't' runs in on 'dev': 't' itself when the device has a peak
 * for it, else the next wider format that has one (fp8 on an A100 runs
 * at the bf16 peak), bf16 when none has. */
cost_dtype cost_run_dtype(const cost_device *dev, cost_dtype t);

/* The compute format a step's GEMMs run in for 'p' on 'dev': the wider of
 * the weight and activation formats (int4/fp4 weights are dequantised to
 * the activation format unless activations are 4-bit too), falling back
 * to a wider supported format when the device has no peak for it. */
cost_dtype cost_compute_dtype(const cost_device *dev, const cost_precision *p);

/* The format the attention kernels run in for 'p' on 'dev' (p->attention,
 * resolved, with the same fallback). */
cost_dtype cost_attention_dtype(const cost_device *dev,
                                const cost_precision *p);

/* A point-to-point or fabric link, per port and per direction. */
typedef struct cost_link {
    char name[64];
    double bandwidth;      /* B/s per direction */
    double latency_s;      /* alpha: per message / per hop */
    double energy_per_bit; /* J per bit moved */
    double efficiency;     /* share of 'bandwidth' a transfer over the
                              network reaches (0 < e <= 1; default 1):
                              KV hand-offs and pool traffic move at
                              bandwidth x efficiency */
} cost_link;

/* Ring all-reduce of 'bytes' over 'n' devices joined by 'link':
 * 2(n-1)*alpha + 2(n-1)/n * bytes / bandwidth; 0 when n <= 1. */
double cost_allreduce_s(const cost_link *link, int n, double bytes);

/* ---- parallelism beyond tensor parallelism (docs/costmodel.md) -------- */

/* How one instance spreads a model replica over its GPUs, as serving
 * systems do it (vLLM, SGLang, TensorRT-LLM): 'pp' pipeline stages, each
 * of 'dp' attention data-parallel ranks of 'tp' GPUs (every rank with its
 * own share of the batch and its own KV), so tp x pp x dp GPUs; the MoE
 * layers' routed experts are sharded over all tp x dp GPUs of a stage,
 * 'ep' expert-parallel ranks of 'moe_tp' GPUs each (ep x moe_tp == tp x
 * dp).  'moe_skew' is the Zipf exponent of expert popularity (0: uniform
 * routing). */
typedef struct cost_parallel {
    int pp;
    int dp;
    int ep;
    int moe_tp;
    double moe_skew;
} cost_parallel;

/* pp = dp = ep = 1, moe_tp = tp, no skew: tensor parallelism alone. */
cost_parallel cost_parallel_default(int tp);

/* Check 'p' for an instance of 'tp' GPUs per rank and model 'm': degrees
 * >= 1, ep x moe_tp == tp x dp, ep <= experts, skew in [0, 4]; writes
 * the reason into 'why' and returns false when off. */
bool cost_parallel_valid(const cost_parallel *p, int tp, const cost_model *m,
                         char *why, size_t whylen);

/* The routed-expert load of 'tokens' tokens in one MoE layer of 'e'
 * experts, top-'k', over 'ep' expert-parallel ranks with popularity skew
 * 'skew'.  Experts are ranked by popularity (p_i ~ i^-skew, i = 1..e) and
 * dealt round-robin to the ranks, so rank 0 holds the most popular one
 * and is the hottest; a token picks expert i with q_i = min(1, k p_i).
 *   touched     = sum_i 1 - (1 - q_i)^tokens      (skew 0: the closed
 *                 form e (1 - (1 - k/e)^tokens))
 *   touched_hot = the same sum over rank 0's experts
 *   share       = sum_{rank 0} q_i / sum_i q_i     (uniform: 1/ep)
 *   hot_pairs   = n s + sqrt(2 ln ep * n s (1 - s)) with n = k tokens
 *                 routed pairs and s = share: the mean of rank 0 plus the
 *                 expected excess of the largest of ep binomial loads
 *                 (the sub-Gaussian bound on a maximum), capped at n. */
typedef struct cost_moe_load {
    double touched;
    double touched_hot;
    double share;
    double pairs;
    double hot_pairs;
} cost_moe_load;

void cost_moe_load_eval(double e, double k, double tokens, int ep, double skew,
                        cost_moe_load *out);

/* One all-to-all in which each of 'n' ranks sends 'bytes' (its whole
 * payload, the share for itself included) over 'link': alpha + (n-1)/n *
 * bytes / bandwidth; 0 when n <= 1. */
double cost_alltoall_s(const cost_link *link, int n, double bytes);

/* A step through 'pp' pipeline stages of 'micro' micro-batches, each
 * crossing every stage in 'pass_s' / pp and every hand-off in
 * 'handoff_s': max(micro, pp) * (pass_s / pp + handoff_s).  With micro
 * >= pp the stages stay busy (vLLM's pp virtual engines, TensorRT-LLM's
 * micro-batches in flight); with fewer, pp - micro stage slots are the
 * bubble. */
double cost_pp_step_s(double pass_s, double handoff_s, int pp, double micro);

/* ---- a step ------------------------------------------------------------ */

typedef struct cost_options {
    bool full_attention;      /* count s^2 score pairs, not causal s(s+1)/2 */
    bool kv_remote;           /* the KV cache lives off the device (a memory
                            pool streamed over a link): KV bytes are still
                            counted in 'kv_bytes' and 'bytes', but not in
                            the device memory time; the caller adds the
                            link time (docs/costmodel.md) */
    cost_ar_choice allreduce; /* the engine's TP all-reduce (calibrated
                                 devices); zero = best */
} cost_options;

cost_options cost_options_default(void);

/* The context one instance evaluates steps in: a model replica with
 * precision 'p' on 'tp' devices of one type, tensor-parallel over 'link'.
 * Derived per-layer sizes are cached here so a step costs O(operators). */
typedef struct cost_ctx {
    cost_model model;
    cost_precision prec;
    cost_device dev;
    cost_link link; /* tensor-parallel link; unused when tp == 1 */
    bool has_link;
    int tp;
    cost_options opts;
    cost_dtype compute; /* format whose peak the GEMMs use */
    double peak;        /* peak FLOP/s of one device in that format */
    cost_dtype attn;    /* format whose peak attention uses */
    double attn_peak;   /* peak FLOP/s of one device in that format */
    double res_peak;    /* peak in the residual format (elementwise) */

    /* derived, filled by cost_ctx_init */
    double b_w, b_kv, b_a;     /* bytes per weight/KV/GEMM-input element */
    double b_r, b_att;         /* residual/communication, attention Q/O */
    double weight_bytes;       /* weights the instance holds, all devices
                                  (the model once; dp copies of the
                                  non-expert weights with attention DP) */
    double kv_bytes_per_token; /* whole instance */
    double kv_shard;           /* devices KV is split over (<= tp) */

    cost_parallel par; /* cost_parallel_default(tp) unless
                          cost_ctx_set_parallel */
    int gpus;          /* tp x pp x dp */
} cost_ctx;

/* Fill 'ctx'.  'link' may be NULL when tp == 1 (asserted otherwise).
 * 'opts' may be NULL for the defaults. */
void cost_ctx_init(cost_ctx *ctx, const cost_model *m, const cost_precision *p,
                   const cost_device *dev, int tp, const cost_link *link,
                   const cost_options *opts);

/* Set the instance's parallelism (valid for ctx->tp and its model; a
 * link is needed when it spans more than one GPU).  weight_bytes becomes
 * what the instance holds: the routed experts once, every other weight
 * once per attention rank. */
void cost_ctx_set_parallel(cost_ctx *ctx, const cost_parallel *p);

/* The collectives of one pass of an attention rank holding
 * 'rank_tokens' tokens, the MoE layers routing 'moe_tokens' (every
 * rank's), under ctx's parallelism: the TP all-reduce of each attention
 * and dense-MLP layer; per MoE layer, with ep > 1 a dispatch (activation
 * format) and a combine (at least 16-bit) all-to-all of each GPU's
 * tokens x top_k hidden vectors over the ep ranks, else an all-reduce of
 * every rank's tokens over the tp x dp GPUs (dp > 1) or over tp. */
double cost_par_comm_s(const cost_ctx *ctx, double rank_tokens,
                       double moe_tokens);

/* Aggregate description of one batch iteration: O(1) to add a sequence,
 * O(operators) to evaluate, whatever the batch size. */
typedef struct cost_batch {
    int64_t prefill_seqs;   /* sequences with a prefill chunk */
    int64_t prefill_tokens; /* new tokens in those chunks */
    int64_t prefill_cached; /* sum of cached tokens before each chunk */
    double prefill_pairs;   /* sum of attention score pairs */
    int64_t decode_seqs;    /* sequences decoding one token each */
    int64_t decode_context; /* sum of their context lengths (KV read) */
    int64_t logits_tokens;  /* tokens that produce logits */
} cost_batch;

/* A prefill chunk of 'q' new tokens after 'cached' tokens already in KV.
 * 'last_chunk': the chunk ends the prompt, so its last token produces
 * logits (the first output token). */
void cost_batch_add_prefill(cost_batch *b, const cost_ctx *ctx, int64_t q,
                            int64_t cached, bool last_chunk);
/* One decode token attending to 'context' cached tokens. */
void cost_batch_add_decode(cost_batch *b, int64_t context);

typedef enum cost_bound {
    COST_BOUND_COMPUTE,
    COST_BOUND_BANDWIDTH,
    COST_BOUND_LINK,
    COST_BOUND_CAPACITY
} cost_bound;

const char *cost_bound_name(cost_bound b);

/* The cost of one step on the whole instance (all 'tp' devices). */
typedef struct cost_step {
    double flops;
    double weight_bytes;    /* weights read */
    double kv_bytes;        /* KV read and written */
    double act_bytes;       /* activations read and written */
    double bytes;           /* weight + kv + act */
    double compute_s;       /* sum over operators of their compute time */
    double memory_s;        /* sum over operators of their memory time */
    double roofline_s;      /* sum over operators of max(compute, memory) */
    double comm_s;          /* collectives: TP all-reduce, MoE all-to-all
                               or all-gather, pipeline hand-offs */
    double overhead_s;      /* fixed per-step and per-layer costs */
    double time_s;          /* roofline + comm + overhead */
    double oi;              /* flops / bytes */
    double compute_bound_s; /* time of operators that were compute-bound */
    cost_bound bound;       /* compute or bandwidth, by which dominated */
} cost_step;

/* Evaluate one step.  No allocation.  An empty batch costs zero. */
void cost_step_eval(const cost_ctx *ctx, const cost_batch *b, cost_step *out);

/* Operator-level breakdown, for tests and 'hetsim oicf --ops'. */
typedef struct cost_op {
    const char *name; /* static string, e.g. "qkv_proj" */
    double flops;
    double weight_bytes;
    double kv_bytes;
    double act_bytes;
    double count;       /* how many times per step (layers) */
    cost_kclass kclass; /* the curve that times it when calibrated */
    double time_s;      /* its time (all 'count' kernels, one device) */
} cost_op;

/* Write up to 'cap' per-operator costs (each already multiplied by its
 * count) and return how many operators there are. */
size_t cost_step_ops(const cost_ctx *ctx, const cost_batch *b, cost_op *ops,
                     size_t cap);

/* ---- capacity ---------------------------------------------------------- */

/* Activation workspace of a step processing 'tokens' tokens (the live
 * tensors at the widest operator, plus fp32 logits for 'logits' tokens),
 * whole instance. */
double cost_workspace_bytes(const cost_ctx *ctx, int64_t tokens,
                            int64_t logits);

/* Memory of the instance: gpus (tp x pp x dp) * device memory. */
double cost_instance_mem_bytes(const cost_ctx *ctx);

/* Memory left for KV: instance memory * (1 - margin) - weights -
 * workspace of the largest step ('max_step_tokens' tokens, 'max_logits'
 * of which produce logits).  Negative when the model does not fit. */
double cost_kv_capacity_bytes(const cost_ctx *ctx, int64_t max_step_tokens,
                              int64_t max_logits);

/* ---- one analytic point (hetsim oicf) ----------------------------------- */

typedef enum cost_phase { COST_PHASE_PREFILL, COST_PHASE_DECODE } cost_phase;

const char *cost_phase_name(cost_phase p);

/* 'batch' sequences in one step.  Prefill: each runs a 'prompt'-token
 * chunk after 'context' cached tokens (a reused prefix; 0 for none) and
 * produces its first token.  Decode: each decodes one token attending to
 * 'context' cached tokens. */
typedef struct cost_point {
    cost_phase phase;
    int64_t batch;
    int64_t prompt;
    int64_t context;
} cost_point;

typedef struct cost_point_result {
    cost_step step;
    double ridge_oi; /* peak / bandwidth of one device, compute format */
    double kv_resident_bytes; /* KV held by the batch after the step */
    double workspace_bytes;
    double cf_bytes;       /* weights + resident KV + workspace */
    double capacity_bytes; /* instance memory (tp devices, no margin) */
    cost_bound bound;      /* the step's bound, or capacity when CF does
                              not fit */
} cost_point_result;

/* Evaluate one point.  O(operators), no allocation. */
void cost_point_eval(const cost_ctx *ctx, const cost_point *pt,
                     cost_point_result *out);

#endif /* HETSIM_COST_H */
