/*
 * io_bind.c -- the catalog binders (io_int.h): a model, device or link
 * mapping into cost.h's structs, with the defaults of docs/catalogs.md.
 * Shared by the catalog loader (io_catalog.c: whole files) and the
 * scenario binder (inline definitions and overrides of catalog entries).
 *
 * Devices, links and the model's moe and mla blocks are parameter tables
 * (io_param.c); the model's main keys stay code because whether each is
 * required depends on the others (MLA replaces kv_heads and head_dim, a
 * pure MoE model needs no dense ffn).
 */
#include "io_int.h"

#include <limits.h>
#include <string.h>

/* ---- models ------------------------------------------------------------- */

static const io_param moe_params[] = {
    {IO_PARAM_INT32(cost_model, moe_experts, "experts", true, 1, INT_MAX)},
    {IO_PARAM_INT32(cost_model, moe_top_k, "top_k", true, 1, INT_MAX)},
    {IO_PARAM_INT32(cost_model, moe_expert_ffn, "expert_ffn", true, 1,
                    INT_MAX)},
    {IO_PARAM_INT32(cost_model, moe_shared_experts, "shared_experts", false, 0,
                    INT_MAX)},
    {IO_PARAM_INT32(cost_model, moe_dense_layers, "dense_layers", false, 0,
                    INT_MAX)},
    IO_PARAM_END,
};

static const io_param mla_params[] = {
    {IO_PARAM_INT32(cost_model, mla_q_lora_rank, "q_lora_rank", false, 0,
                    INT_MAX)},
    {IO_PARAM_INT32(cost_model, mla_kv_lora_rank, "kv_lora_rank", true, 1,
                    INT_MAX)},
    {IO_PARAM_INT32(cost_model, mla_qk_rope_dim, "qk_rope_dim", true, 1,
                    INT_MAX)},
    {IO_PARAM_INT32(cost_model, mla_qk_nope_dim, "qk_nope_dim", true, 1,
                    INT_MAX)},
    {IO_PARAM_INT32(cost_model, mla_v_head_dim, "v_head_dim", true, 1,
                    INT_MAX)},
    IO_PARAM_END,
};

static const char *const moe_keys[] = {
    "experts", "top_k", "expert_ffn", "shared_experts", "dense_layers", NULL,
};

static const char *const mla_keys[] = {
    "q_lora_rank", "kv_lora_rank", "qk_rope_dim",
    "qk_nope_dim", "v_head_dim",   NULL,
};

void io_model_defaults(cost_model *m)
{
    memset(m, 0, sizeof *m);
    m->gated_mlp = true;
}

static int bind_moe(io_errs *e, const io_node *n, cost_model *m, bool req)
{
    if (!io_expect_map(e, n))
        return HS_EINPUT;
    io_check_keys(e, n, moe_keys);
    return io_bind_params(e, n, moe_params, m, req);
}

static int bind_mla(io_errs *e, const io_node *n, cost_model *m, bool req)
{
    if (!io_expect_map(e, n))
        return HS_EINPUT;
    io_check_keys(e, n, mla_keys);
    m->has_mla = true;
    return io_bind_params(e, n, mla_params, m, req);
}

int io_bind_model(io_errs *e, const io_node *map, cost_model *m, bool complete)
{
    size_t before = e->n;
    const io_node *moe = io_get(map, "moe");
    const io_node *mla = io_get(map, "mla");
    bool has_mla = m->has_mla || mla != NULL;
    char why[160];

    if (io_get(map, "name") != NULL)
        io_name(e, io_get(map, "name"), m->name, sizeof m->name);
    if (moe != NULL)
        bind_moe(e, moe, m, complete || m->moe_experts == 0);
    if (mla != NULL)
        bind_mla(e, mla, m, complete || !m->has_mla);
    io_field_int32(e, map, "layers", complete, 1, INT_MAX, &m->layers);
    io_field_int32(e, map, "hidden", complete, 1, INT_MAX, &m->hidden);
    io_field_int32(e, map, "heads", complete, 1, INT_MAX, &m->heads);
    io_field_int32(e, map, "kv_heads", complete && !has_mla, 1, INT_MAX,
                   &m->kv_heads);
    io_field_int32(e, map, "head_dim", complete && !has_mla, 1, INT_MAX,
                   &m->head_dim);
    io_field_int32(e, map, "ffn",
                   complete &&
                       (m->moe_experts == 0 || m->moe_dense_layers > 0),
                   1, INT_MAX, &m->ffn);
    io_field_int32(e, map, "vocab", complete, 1, INT_MAX, &m->vocab);
    io_field_bool(e, map, "tied_embeddings", false, &m->tied_embeddings);
    io_field_bool(e, map, "gated_mlp", false, &m->gated_mlp);
    io_field_int(e, map, "max_context", false, 1, INT64_MAX, &m->max_context);
    if (e->n > before)
        return HS_EINPUT;
    if (!cost_model_valid(m, why, sizeof why))
        return io_node_error(e, map, "invalid model: %s", why);
    return HS_OK;
}

/* ---- devices ------------------------------------------------------------ */

/* Peak FLOP/s per compute format; bf16 is the one a device must give. */
static const io_param peak_params[] = {
#define X(e, name, bits, bytes)                                               \
    {IO_PARAM_QUANTITY(cost_device, peak_flops[e], name, (e) == COST_BF16,    \
                       HS_UNIT_FLOPS, true)},
    COST_DTYPES(X)
#undef X
        IO_PARAM_END,
};

static const io_param efficiency_params[] = {
    {IO_PARAM_NUMBER(cost_device, eta_compute, "compute", false, IO_POSITIVE,
                     1.0),
     IO_DEFAULT(0.7)},
    {IO_PARAM_NUMBER(cost_device, eta_memory, "memory", false, IO_POSITIVE,
                     1.0),
     IO_DEFAULT(0.85)},
    IO_PARAM_END,
};

static const io_param overhead_params[] = {
    {IO_PARAM_QUANTITY(cost_device, step_overhead_s, "step", false,
                       HS_UNIT_TIME, false)},
    {IO_PARAM_QUANTITY(cost_device, layer_overhead_s, "layer", false,
                       HS_UNIT_TIME, false)},
    IO_PARAM_END,
};

static const char *const dtype_keys[] = {
#define X(e, name, bits, bytes) name,
    COST_DTYPES(X)
#undef X
        NULL,
};
static const char *const efficiency_keys[] = {"compute", "memory", NULL};
static const char *const overhead_keys[] = {"step", "layer", NULL};

/* A nested mapping of a device: its keys checked, then its table. */
static void bind_block(io_errs *e, const io_node *n, cost_device *dev,
                       const char *const *keys, const io_param *params,
                       bool complete)
{
    if (!io_expect_map(e, n))
        return;
    io_check_keys(e, n, keys);
    io_bind_params(e, n, params, dev, complete);
}

static void bind_peaks(io_errs *e, const io_node *n, void *dev, bool complete)
{
    bind_block(e, n, dev, dtype_keys, peak_params, complete);
}

static void bind_efficiency(io_errs *e, const io_node *n, void *dev,
                            bool complete)
{
    bind_block(e, n, dev, efficiency_keys, efficiency_params, complete);
}

static void bind_overhead(io_errs *e, const io_node *n, void *dev,
                          bool complete)
{
    bind_block(e, n, dev, overhead_keys, overhead_params, complete);
}

/* Every key of a device but its link (which is not a cost_device
 * field). */
static const io_param device_params[] = {
    {IO_PARAM_NAME(cost_device, name, "name", false)},
    {IO_PARAM_BOOL(cost_device, hypothetical, "hypothetical", false)},
    {IO_PARAM_BLOCK("peak_flops", true, bind_peaks)},
    {IO_PARAM_QUANTITY(cost_device, mem_bytes, "mem_capacity", true,
                       HS_UNIT_BYTES, true)},
    {IO_PARAM_QUANTITY(cost_device, mem_bw, "mem_bandwidth", true,
                       HS_UNIT_BANDWIDTH, true)},
    {IO_PARAM_QUANTITY(cost_device, power_busy_w, "power", true, HS_UNIT_POWER,
                       true)},
    {IO_PARAM_QUANTITY(cost_device, power_idle_w, "idle_power", false,
                       HS_UNIT_POWER, false),
     IO_DEFAULT(-1)}, /* "not given" until io_device_finish */
    {IO_PARAM_NUMBER(cost_device, cost_per_hour, "cost_per_hour", true, 0,
                     DBL_MAX)},
    {IO_PARAM_BLOCK("efficiency", false, bind_efficiency)},
    {IO_PARAM_BLOCK("overhead", false, bind_overhead)},
    {IO_PARAM_NUMBER(cost_device, mem_margin, "memory_margin", false, 0, 0.99),
     IO_DEFAULT(0.1)},
    IO_PARAM_END,
};

void io_device_defaults(cost_device *dev)
{
    memset(dev, 0, sizeof *dev);
    io_params_default(device_params, dev);
    io_params_default(efficiency_params, dev);
}

void io_device_finish(cost_device *dev)
{
    if (dev->power_idle_w < 0)
        dev->power_idle_w = 0.25 * dev->power_busy_w;
}

int io_bind_device(io_errs *e, const io_node *map, cost_device *dev,
                   char *link, size_t linklen, bool complete)
{
    size_t before = e->n;
    const io_node *n;

    io_bind_params(e, map, device_params, dev, complete);
    if ((n = io_get(map, "link")) != NULL)
        io_name(e, n, link, linklen);
    if (e->n == before && dev->power_idle_w > dev->power_busy_w &&
        io_get(map, "idle_power") != NULL)
        io_node_error(e, io_get(map, "idle_power"),
                      "expected at most the busy power (%g W), found %g W",
                      dev->power_busy_w, dev->power_idle_w);
    return e->n > before ? HS_EINPUT : HS_OK;
}

/* ---- links -------------------------------------------------------------- */

static const io_param link_params[] = {
    {IO_PARAM_NAME(cost_link, name, "name", false)},
    {IO_PARAM_QUANTITY(cost_link, bandwidth, "bandwidth", true,
                       HS_UNIT_BANDWIDTH, true)},
    {IO_PARAM_QUANTITY(cost_link, latency_s, "latency", true, HS_UNIT_TIME,
                       false)},
    {IO_PARAM_QUANTITY(cost_link, energy_per_bit, "energy_per_bit", true,
                       HS_UNIT_ENERGY, false)},
    {IO_PARAM_NUMBER(cost_link, efficiency, "efficiency", false, IO_POSITIVE,
                     1.0)},
    IO_PARAM_END,
};

int io_bind_link(io_errs *e, const io_node *map, cost_link *l, bool complete)
{
    if (complete) /* a fresh link (not a catalog entry's override) */
        l->efficiency = 1.0;
    return io_bind_params(e, map, link_params, l, complete);
}
