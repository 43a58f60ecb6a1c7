/*
 * scenario.h -- a scenario as typed, validated plain data: what io/
 * (io_scenario_load) makes of a scenario YAML file and what the rest of
 * hetsim builds a simulation from.  docs/scenario.md is the reference of
 * every key; DESIGN.md section 5 the contract.
 *
 * Everything here has been checked by the loader: references resolve
 * (indexes below are valid), counts are positive, units converted to SI
 * (bytes, bytes/s, seconds, watts, joules).  Times are double seconds, as
 * in workload.h; convert once with hs_time_from_s().
 *
 * Ownership: an sc_scenario owns every string and array it points to;
 * sc_scenario_free() releases it all.  hs_loc 'file' fields point to the
 * scenario's own 'path' or to the static string "--set", so locations
 * stay valid as long as the scenario does.
 */
#ifndef HETSIM_SCENARIO_H
#define HETSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hetsim/cost.h"
#include "hetsim/util.h"
#include "hetsim/workload.h"

/* "No reference": the value of an index field that names nothing. */
#define SC_NONE (-1)

/* X(enum, name): the enumerations, spelt as in the YAML.  The KV pool
 * and retention names are also the names of serve's policies of those
 * kinds (a test keeps them equal).  Routers and batch schedulers are
 * named by serve's registries alone (serve.h, srv_policy_*): the loader
 * accepts every registered name and stores the registry's own static
 * string. */
#define SC_MODES(X)                                                           \
    X(SC_MODE_MONOLITHIC, "monolithic")                                       \
    X(SC_MODE_SPLIT, "split")

#define SC_KV_POOL_POLICIES(X)                                                \
    X(SC_KV_HBM_ONLY, "hbm-only")                                             \
    X(SC_KV_OFFLOAD, "offload")                                               \
    X(SC_KV_POOL_RESIDENT, "pool-resident")

#define SC_RETENTION_POLICIES(X)                                              \
    X(SC_RETAIN_KEEP, "keep")                                                 \
    X(SC_RETAIN_OFFLOAD, "offload")                                           \
    X(SC_RETAIN_DROP, "drop")

#define SC_STEPS_MODES(X)                                                     \
    X(SC_STEPS_ALL, "all")                                                    \
    X(SC_STEPS_SAMPLED, "sampled")                                            \
    X(SC_STEPS_NONE, "none")

#define SC_SLO_METRICS(X)                                                     \
    X(SC_SLO_TTFT, "ttft")                                                    \
    X(SC_SLO_TPOT, "tpot")                                                    \
    X(SC_SLO_E2E, "e2e")

#define SC_ENUM_MEMBER(e, name) e,
typedef enum sc_mode { SC_MODES(SC_ENUM_MEMBER) } sc_mode;
typedef enum sc_kv_pool_policy {
    SC_KV_POOL_POLICIES(SC_ENUM_MEMBER)
} sc_kv_pool_policy;
typedef enum sc_retention_policy {
    SC_RETENTION_POLICIES(SC_ENUM_MEMBER)
} sc_retention_policy;
typedef enum sc_steps_mode { SC_STEPS_MODES(SC_ENUM_MEMBER) } sc_steps_mode;
typedef enum sc_slo_metric { SC_SLO_METRICS(SC_ENUM_MEMBER) } sc_slo_metric;
#undef SC_ENUM_MEMBER

/* An entry of 'links:', or a catalog link a device names as its default
 * scale-up link and the scenario does not define ('implicit'). */
typedef struct sc_link {
    char *name;     /* the key in 'links:' (or the catalog name) */
    char *catalog;  /* catalog entry it started from; NULL when inline */
    bool implicit;  /* added by the loader, not written in 'links:' */
    cost_link link; /* link.name == name (truncated to 63 characters) */
    hs_loc loc;
} sc_link;

/* An entry of 'hardware:'. */
typedef struct sc_hardware {
    char *name;      /* the key in 'hardware:' */
    char *catalog;   /* catalog entry it started from; NULL when inline */
    cost_device dev; /* dev.name == name */
    int link;        /* default scale-up link: index into links, or SC_NONE */
    hs_loc loc;
} sc_hardware;

/* An entry of 'memory_pools:'. */
typedef struct sc_pool {
    char *name;
    double capacity_bytes;
    double bandwidth; /* B/s */
    double latency_s; /* access latency of the pool itself */
    int link;         /* index into links: how instances reach it */
    hs_loc loc;
} sc_pool;

/* A group of identical instances: an entry of cluster.instances, or the
 * cluster.prefill / cluster.decode pool. */
/* Most CUDA-graph batch sizes an engine profile may list. */
#define SC_MAX_GRAPH_SIZES 128

#define SC_PREEMPTION_MODES(X)                                                \
    X(SC_PREEMPT_RECOMPUTE, "recompute")                                      \
    X(SC_PREEMPT_SWAP, "swap")

#define SC_ENUM_MEMBER(e, name) e,
typedef enum sc_preemption {
    SC_PREEMPTION_MODES(SC_ENUM_MEMBER)
} sc_preemption;
#undef SC_ENUM_MEMBER

/* A serving engine's profile (configs/engines/<name>.yaml, docs/engines.md):
 * what a real vLLM, TensorRT-LLM or SGLang server adds to the ideal
 * batch model.  'none' is the ideal model itself: no host time, no
 * padding, the device's own memory margin.  Batch limits and the
 * scheduler are defaults that a group's own keys override. */
typedef struct sc_engine {
    char name[64];            /* profile name, "none" for the ideal model */
    int64_t max_batch;        /* sequences per step */
    int64_t max_batch_tokens; /* token budget per step */
    bool chunked_prefill;
    const char *scheduler; /* a registered scheduler for prefilling groups */
    double host_step_s;    /* CPU time per iteration (schedule, sample) */
    double host_seq_s;     /* and per sequence in the batch */
    bool host_overlap;     /* CPU work overlaps the GPU step (async
                               scheduling): step = max(GPU, CPU), else
                               GPU + CPU */
    double mem_fraction;   /* share of memory the engine may use; 0 = the
                               device's memory margin (engine none) */
    bool mem_of_free;      /* the share is of what the weights leave free
                               (TensorRT-LLM), else of the whole memory */
    int32_t graph_sizes[SC_MAX_GRAPH_SIZES]; /* ascending CUDA-graph decode
                                                batch sizes; a decode-only
                                                step of n <= the largest is
                                                padded to the next one */
    int n_graph_sizes;
    double init_s; /* start-up time after the weights are loaded */
    sc_preemption preemption;
    int64_t local_prefill_max; /* split mode: largest prefill a decode
                                  instance runs itself (0 = none) */
    cost_ar_choice allreduce;  /* the TP all-reduce it runs (calibrated
                                  devices); 'none': best */
    hs_loc loc;
} sc_engine;

typedef struct sc_group {
    char *name;               /* instances: 'name'; "prefill" / "decode" */
    int device;               /* index into hardware */
    int64_t count;            /* instances in the group, >= 1 */
    int tp;                   /* tensor-parallel degree, >= 1 */
    cost_parallel par;        /* pp, dp, ep, moe_tp, moe_skew (defaults
                                 1, 1, 1, tp x dp / ep, 0); valid for tp
                                 and the model (cost_parallel_valid);
                                 GPUs per instance: tp x pp x dp */
    int64_t max_batch;        /* sequences per step, >= 1 (default 256) */
    int64_t max_batch_tokens; /* tokens per step, >= 1 (default 8192) */
    bool chunked_prefill;     /* default true */
    int link;                 /* the instance's scale-up link (TP
                              collectives, all-to-all, pipeline hand-offs):
                              index into links, the device's default when
                              not written; SC_NONE only when the instance
                              has one GPU and there is none */
    const char *scheduler;    /* its batch scheduler (a registered name):
                                 'scheduler' as written, else decode-only
                                 for the decode pool, chunked or
                                 prefill-first as chunked_prefill says */
    sc_engine engine;         /* its engine profile: the group's 'engine',
                                 else the scenario's, else 'none' */
    hs_loc loc;
} sc_group;

typedef struct sc_cluster {
    sc_mode mode;
    /* Monolithic form ('instances:').  With mode split it is still
     * type-checked but need not be complete: do not use it then. */
    sc_group *instances;
    size_t n_instances;
    /* Split form.  has_* say whether the section was written; with mode
     * monolithic the sections need not be complete: do not use them. */
    bool has_prefill, has_decode;
    sc_group prefill, decode;
    /* cluster.kv_transfer: the link KV caches cross from a prefill to a
     * decode instance (split mode: always set). */
    int kv_transfer_link;       /* index into links, or SC_NONE */
    bool kv_transfer_layerwise; /* overlap transfer with prefill, layer by
                                   layer (default false) */
    /* cluster.kv_pool */
    int kv_pool;                      /* index into pools, or SC_NONE */
    sc_kv_pool_policy kv_pool_policy; /* default hbm-only without a pool,
                                         offload with one */
    /* cluster.kv_retention: what happens to a session's KV between its
     * calls. */
    sc_retention_policy retention;   /* default keep */
    double retention_idle_timeout_s; /* 0 = no timeout */
    bool prefix_cache;               /* default true */
    int64_t block_size;              /* KV block, tokens (default 16) */
    bool mixed_fallback;             /* default false */
    hs_loc loc;
} sc_cluster;

typedef struct sc_router {
    const char *policy;        /* a registered router; cache-aware */
    const char *decode_policy; /* split mode; default cache-aware */
} sc_router;

/* One entry of 'slo:', e.g. ttft_p90: 2s. */
typedef struct sc_slo {
    sc_slo_metric metric;
    double percentile; /* in [50, 99.9] */
    double threshold_s;
    char *key; /* as written, "ttft_p90" */
    hs_loc loc;
} sc_slo;

/* 'window': the measurement window, [from_s, to_s] clipped to the run's
 * span.  Latency, SLO and throughput metrics count the requests that
 * arrive inside it; cost, energy and busy shares cover its time.  Without
 * the section: from 0 to the end of the run. */
typedef struct sc_window {
    double from_s; /* default 0 */
    double to_s;   /* INFINITY when not written: the end of the run; else
                      > from_s */
} sc_window;

typedef struct sc_output {
    char *db;                     /* NULL when not given (caller's default);
                                  as written, not resolved */
    sc_steps_mode steps;          /* default sampled */
    int64_t step_sample_every;    /* default 100 */
    double timeseries_interval_s; /* default 1 s; 0 = none */
} sc_output;

typedef struct sc_scenario {
    char *path;      /* the file as given to the loader */
    char *yaml;      /* its original text, before variants and --set */
    char *name;      /* 'name', or the file name without .yaml */
    char *variant;   /* the variant applied, or NULL */
    char **variants; /* names of every variant in the file, in order */
    size_t n_variants;
    uint64_t seed; /* default 0 */

    cost_model model;
    char *model_catalog;      /* catalog entry the model came from, or NULL */
    cost_precision precision; /* each default bf16 */

    sc_hardware *hardware;
    size_t n_hardware;
    sc_link *links;
    size_t n_links;
    sc_pool *pools;
    size_t n_pools;

    sc_cluster cluster;
    sc_router router;

    wl_source_spec *workload; /* paths resolved against the file's dir */
    size_t n_workload;

    sc_slo *slo;
    size_t n_slo;

    sc_window window;
    sc_output output;
    char *catalog_dir; /* the catalog used, or NULL when none was needed */
} sc_scenario;

/* Free 's' and everything it owns.  NULL is a no-op.  (Implemented in
 * sim/io/io_scenario.c.) */
void sc_scenario_free(sc_scenario *s);

#endif /* HETSIM_SCENARIO_H */
