/*
 * io_engine.c -- serving-engine profiles (configs/engines/<name>.yaml,
 * docs/engines.md) into scenario.h's sc_engine: the built-in ideal
 * profile 'none', reading a catalog profile, and the scenario's 'engine'
 * key (top level or per group), which is a profile name or a mapping
 * {profile: NAME, <any profile key>: value} whose keys override the
 * profile's.  Every problem is reported at its file:line:col.
 */
#include "io_sc_int.h"

#include "hetsim/serve.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Keys of a profile file; a scenario's 'engine' mapping takes the same
 * keys with 'profile' in place of 'name', 'description' and 'source'. */
/* The keys a profile file and an inline override share, in message
 * order. */
#define PROFILE_KEYS                                                          \
    "max_batch", "max_batch_tokens", "chunked_prefill", "scheduler", "host",  \
        "memory", "cuda_graphs", "init", "preemption", "local_prefill_max",   \
        "allreduce"
static const char *const file_keys[] = {"name", "description", "source",
                                        PROFILE_KEYS, NULL};
static const char *const override_keys[] = {"profile", PROFILE_KEYS, NULL};
static const char *const allreduce_keys[] = {"impl", "custom_max", NULL};
static const char *const allreduce_names[] = {"best", "nccl", "custom"};
static const char *const host_keys[] = {"step", "per_seq", "overlap", NULL};
static const char *const memory_keys[] = {"fraction", "of", NULL};
static const char *const memory_of_names[] = {"total", "free"};

#define SC_NAME(e, name) name,
static const char *const preemption_names[] = {SC_PREEMPTION_MODES(SC_NAME)};
#undef SC_NAME

static const io_param engine_params[] = {
    {IO_PARAM_INT(sc_engine, max_batch, "max_batch", false, 1, INT64_MAX)},
    {IO_PARAM_INT(sc_engine, max_batch_tokens, "max_batch_tokens", false, 1,
                  INT64_MAX)},
    {IO_PARAM_BOOL(sc_engine, chunked_prefill, "chunked_prefill", false)},
    {IO_PARAM_QUANTITY(sc_engine, init_s, "init", false, HS_UNIT_TIME, false)},
    {IO_PARAM_ENUM(sc_engine, preemption, "preemption", false,
                   preemption_names)},
    {IO_PARAM_INT(sc_engine, local_prefill_max, "local_prefill_max", false, 0,
                  INT64_MAX)},
    IO_PARAM_END,
};
static const io_param host_params[] = {
    {IO_PARAM_QUANTITY(sc_engine, host_step_s, "step", false, HS_UNIT_TIME,
                       false)},
    {IO_PARAM_QUANTITY(sc_engine, host_seq_s, "per_seq", false, HS_UNIT_TIME,
                       false)},
    {IO_PARAM_BOOL(sc_engine, host_overlap, "overlap", false)},
    IO_PARAM_END,
};
static const io_param memory_params[] = {
    {IO_PARAM_NUMBER(sc_engine, mem_fraction, "fraction", false, IO_POSITIVE,
                     1.0)},
    IO_PARAM_END,
};

void io_engine_none(sc_engine *g)
{
    memset(g, 0, sizeof *g);
    snprintf(g->name, sizeof g->name, "none");
    g->max_batch = 256;
    g->max_batch_tokens = 8192;
    g->chunked_prefill = true;
    g->scheduler = NULL; /* chunked or prefill-first as chunked_prefill */
    g->preemption = SC_PREEMPT_RECOMPUTE;
}

/* 'scheduler': a registered scheduler that prefills (a profile sets the
 * policy of monolithic and prefill groups; the decode pool keeps its
 * own). */
static void bind_scheduler(io_errs *e, const io_node *map, sc_engine *g)
{
    const io_node *n = io_get(map, "scheduler");
    size_t count = srv_policy_count(SRV_POLICY_SCHEDULER);

    if (n == NULL || n->kind != IO_SCALAR) {
        if (n != NULL)
            io_node_error(e, n, "expected a scheduler name");
        return;
    }
    for (size_t i = 0; i < count; i++) {
        const char *name = srv_policy_name(SRV_POLICY_SCHEDULER, i);

        if (strcmp(name, n->text) == 0 && !srv_scheduler_decode_pool(name)) {
            g->scheduler = name;
            return;
        }
    }
    io_node_error(e, n,
                  "unknown scheduler '%s' for an engine profile (expected "
                  "chunked or prefill-first)",
                  n->text);
}

/* 'allreduce': {impl: best|nccl|custom, custom_max: {GPUS: SIZE, ...}},
 * the TP all-reduce the engine runs (read from a calibrated device's
 * measured tables; docs/engines.md). */
static void bind_allreduce(io_errs *e, const io_node *n, sc_engine *g)
{
    const io_node *m;
    int impl = -1;

    if (!io_expect_map(e, n))
        return;
    io_check_keys(e, n, allreduce_keys);
    if (io_field_enum(e, n, "impl", false, allreduce_names,
                      N_OF(allreduce_names), &impl) == HS_OK &&
        impl >= 0)
        g->allreduce.impl = (cost_ar_impl)impl;
    if ((m = io_get(n, "custom_max")) == NULL || !io_expect_map(e, m))
        return;
    for (size_t i = 0; i < m->n_kids; i++) {
        const io_node *k = m->kids[i];
        char *end = NULL;
        long gpus = strtol(k->key, &end, 10);
        double v = 0;

        if (end == k->key || *end != '\0' || gpus < 2 ||
            gpus > COST_AR_MAX_GPUS) {
            io_node_error(e, k,
                          "expected a GPU count from 2 to %d as the key, "
                          "found '%s'",
                          COST_AR_MAX_GPUS, k->key);
            continue;
        }
        if (io_quantity(e, k, HS_UNIT_BYTES, true, &v) == HS_OK)
            g->allreduce.custom_max[gpus] = v;
    }
}

/* 'cuda_graphs': a strictly ascending list of batch sizes >= 1. */
static void bind_graphs(io_errs *e, const io_node *n, sc_engine *g)
{
    if (n->kind != IO_SEQ) {
        io_node_error(e, n, "expected a list of batch sizes");
        return;
    }
    if (n->n_kids > SC_MAX_GRAPH_SIZES) {
        io_node_error(e, n, "at most %d CUDA-graph sizes, found %zu",
                      SC_MAX_GRAPH_SIZES, n->n_kids);
        return;
    }
    g->n_graph_sizes = 0;
    for (size_t i = 0; i < n->n_kids; i++) {
        int64_t v;

        if (io_int(e, n->kids[i], 1, INT_MAX, &v) != HS_OK)
            return;
        if (i > 0 && v <= g->graph_sizes[i - 1]) {
            io_node_error(e, n->kids[i],
                          "CUDA-graph sizes must ascend: %lld after %d",
                          (long long)v, (int)g->graph_sizes[i - 1]);
            return;
        }
        g->graph_sizes[g->n_graph_sizes++] = (int32_t)v;
    }
}

/* Bind the profile keys present in 'map' over '*g'. */
static void bind_fields(io_errs *e, const io_node *map, sc_engine *g)
{
    const io_node *n;

    io_bind_params(e, map, engine_params, g, false);
    bind_scheduler(e, map, g);
    if ((n = io_get(map, "host")) != NULL && io_expect_map(e, n)) {
        io_check_keys(e, n, host_keys);
        io_bind_params(e, n, host_params, g, false);
    }
    if ((n = io_get(map, "memory")) != NULL && io_expect_map(e, n)) {
        int of = -1;

        io_check_keys(e, n, memory_keys);
        io_bind_params(e, n, memory_params, g, false);
        io_field_enum(e, n, "of", false, memory_of_names,
                      N_OF(memory_of_names), &of);
        if (of >= 0)
            g->mem_of_free = of == 1;
    }
    if ((n = io_get(map, "cuda_graphs")) != NULL)
        bind_graphs(e, n, g);
    if ((n = io_get(map, "allreduce")) != NULL)
        bind_allreduce(e, n, g);
}

/* Read profile 'name' of the catalog in 'dir' over the ideal one. */
static void load_profile(io_errs *e, const char *dir, const io_node *ref,
                         const char *name, sc_engine *g)
{
    char *path, *text;
    size_t len;
    io_node *root = NULL;
    const io_node *nn;

    io_engine_none(g);
    if (strcmp(name, "none") == 0)
        return;
    path = hs_asprintf("%s/engines/%s.yaml", dir, name);
    if (!io_entry_name_ok(name) || access(path, R_OK) != 0) {
        io_node_error(e, ref,
                      "unknown engine profile '%s' (expected none or a "
                      "file of %s/engines)",
                      name, dir);
        free(path);
        return;
    }
    if (io_read_file(e, path, ref->loc, &text, &len) == HS_OK) {
        if (io_parse(e, text, len, path, 0, &root) == HS_OK && root != NULL &&
            io_expect_map(e, root)) {
            io_check_keys(e, root, file_keys);
            nn = io_member(e, root, "name", true);
            if (nn != NULL && nn->kind == IO_SCALAR &&
                strcmp(nn->text, name) != 0)
                io_node_error(e, nn,
                              "expected '%s' (the file name), found "
                              "'%s'",
                              name, nn->text);
            bind_fields(e, root, g);
        }
        free(text);
    }
    io_node_free(root);
    free(path);
    snprintf(g->name, sizeof g->name, "%s", name);
}

void io_sc_bind_engine(io_sc_ctx *c, const io_node *n, sc_engine *g)
{
    const io_node *pn = n;
    const char *dir;

    if (n->kind == IO_MAP) {
        io_check_keys(c->e, n, override_keys);
        pn = io_member(c->e, n, "profile", true);
        if (pn == NULL)
            return;
    }
    if (pn->kind != IO_SCALAR) {
        io_node_error(c->e, pn, "expected an engine profile name");
        return;
    }
    if (strcmp(pn->text, "none") == 0) {
        io_engine_none(g);
    } else {
        dir = io_sc_catalog(c, pn);
        if (dir == NULL)
            return;
        load_profile(c->e, dir, pn, pn->text, g);
    }
    g->loc = n->loc;
    if (n->kind == IO_MAP)
        bind_fields(c->e, n, g);
}
