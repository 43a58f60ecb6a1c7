/*
 * io_sc_cluster.c -- the 'cluster' and 'router' sections of a scenario:
 * the serving mode (written, or implied by which groups are present),
 * the instance groups (monolithic 'instances', or split 'prefill' and
 * 'decode') with their devices and links, the KV transfer link, the KV
 * pool and retention policies, and the routing policies.
 */
#include "io_sc_int.h"

#include "hetsim/serve.h"

#include <limits.h>
#include <string.h>

static const char *const cluster_keys[] = {
    "mode",        "instances",      "prefill",      "decode",
    "kv_transfer", "kv_pool",        "kv_retention", "prefix_cache",
    "block_size",  "mixed_fallback", NULL,
};
/* The keys an instance group and a split pool share, in message order. */
#define GROUP_KEYS                                                            \
    "device", "count", "tp", "pp", "dp", "ep", "moe_tp", "moe_skew",          \
        "max_batch", "max_batch_tokens", "chunked_prefill", "scheduler",      \
        "link"
static const char *const instance_keys[] = {"name", GROUP_KEYS, "router",
                                            "engine", NULL};
static const char *const role_keys[] = {GROUP_KEYS, "engine", NULL};
static const char *const kv_transfer_keys[] = {"link", "layerwise", NULL};
static const char *const kv_pool_keys[] = {"pool", "policy", NULL};
static const char *const retention_keys[] = {"policy", "idle_timeout", NULL};
static const char *const router_keys[] = {"policy", "decode_policy", NULL};

#define SC_NAME(e, name) name,
static const char *const mode_names[] = {SC_MODES(SC_NAME)};
static const char *const kv_pool_names[] = {SC_KV_POOL_POLICIES(SC_NAME)};
static const char *const retention_names[] = {SC_RETENTION_POLICIES(SC_NAME)};
#undef SC_NAME

/* The largest tensor-parallel degree accepted (docs/scenario.md). */
#define SC_MAX_TP 4096

/* The sizing keys of an instance group, with their defaults. */
static const io_param group_params[] = {
    {IO_PARAM_INT(sc_group, count, "count", false, 1, INT64_MAX),
     IO_DEFAULT(1)},
    /* tp: a tensor-parallel group lives in one scale-up domain, which
     * holds at most hundreds of devices; tp 1e9 used to run (issue 16). */
    {IO_PARAM_INT32(sc_group, tp, "tp", false, 1, SC_MAX_TP), IO_DEFAULT(1)},
    /* parallelism beyond tp (docs/scenario.md); moe_tp's default follows
     * from the others (bind_parallel) */
    {IO_PARAM_INT32(sc_group, par.pp, "pp", false, 1, SC_MAX_TP),
     IO_DEFAULT(1)},
    {IO_PARAM_INT32(sc_group, par.dp, "dp", false, 1, SC_MAX_TP),
     IO_DEFAULT(1)},
    {IO_PARAM_INT32(sc_group, par.ep, "ep", false, 1, SC_MAX_TP),
     IO_DEFAULT(1)},
    {IO_PARAM_INT32(sc_group, par.moe_tp, "moe_tp", false, 1, SC_MAX_TP)},
    {IO_PARAM_NUMBER(sc_group, par.moe_skew, "moe_skew", false, 0, 4),
     IO_DEFAULT(0)},
    {IO_PARAM_INT(sc_group, max_batch, "max_batch", false, 1, INT64_MAX),
     IO_DEFAULT(256)},
    {IO_PARAM_INT(sc_group, max_batch_tokens, "max_batch_tokens", false, 1,
                  INT64_MAX),
     IO_DEFAULT(8192)},
    {IO_PARAM_BOOL(sc_group, chunked_prefill, "chunked_prefill", false),
     IO_DEFAULT(true)},
    IO_PARAM_END,
};

/* The plain keys of 'cluster' (mode, groups and policies are code). */
static const io_param cluster_params[] = {
    {IO_PARAM_BOOL(sc_cluster, prefix_cache, "prefix_cache", false)},
    {IO_PARAM_INT(sc_cluster, block_size, "block_size", false, 1, INT_MAX)},
    {IO_PARAM_BOOL(sc_cluster, mixed_fallback, "mixed_fallback", false)},
    IO_PARAM_END,
};

/* Most policies of one kind in serve's registries. */
#define MAX_POLICIES 64

/* Bind the policy name at 'key' of 'map' (absent: '*out' unchanged) to
 * one of serve's registered policies of 'kind': '*out' becomes the
 * registry's own static string. */
static int field_policy(io_errs *e, const io_node *map, const char *key,
                        srv_policy_kind kind, const char **out)
{
    const char *names[MAX_POLICIES];
    size_t n = srv_policy_count(kind);
    int v = -1;

    HS_ASSERT(n <= MAX_POLICIES);
    for (size_t i = 0; i < n; i++)
        names[i] = srv_policy_name(kind, i);
    if (io_field_enum(e, map, key, false, names, n, &v) != HS_OK)
        return HS_EINPUT;
    if (v >= 0)
        *out = names[v];
    return HS_OK;
}

/* The group's batch scheduler: as written, checked against its role (a
 * decode pool needs a decode-pool scheduler, every other group one that
 * prefills), or the default. */
static void bind_scheduler(io_sc_ctx *c, const io_node *n, sc_group *g,
                           const char *role)
{
    bool decode = role != NULL && strcmp(role, "decode") == 0;
    const char *name = NULL;

    if (field_policy(c->e, n, "scheduler", SRV_POLICY_SCHEDULER, &name) !=
            HS_OK ||
        name == NULL) {
        g->scheduler = decode ? "decode-only"
                       : g->engine.scheduler != NULL &&
                               io_get(n, "chunked_prefill") == NULL
                           ? g->engine.scheduler
                       : g->chunked_prefill ? "chunked"
                                            : "prefill-first";
        return;
    }
    g->scheduler = name;
    if (decode && !srv_scheduler_decode_pool(name))
        io_node_error(c->e, io_get(n, "scheduler"),
                      "the decode pool needs a decode-pool scheduler "
                      "('decode-only'), found '%s'",
                      name);
    else if (!decode && srv_scheduler_decode_pool(name))
        io_node_error(c->e, io_get(n, "scheduler"),
                      "'%s' schedules only the decode pool of split mode",
                      name);
}

/* The group's engine profile (its own 'engine', else the scenario's),
 * and the batch limits it sets where the group writes none. */
static void bind_engine(io_sc_ctx *c, const io_node *n, sc_group *g)
{
    const io_node *en = io_get(n, "engine");

    g->engine = c->engine;
    if (en != NULL)
        io_sc_bind_engine(c, en, &g->engine);
    if (io_get(n, "max_batch") == NULL)
        g->max_batch = g->engine.max_batch;
    if (io_get(n, "max_batch_tokens") == NULL)
        g->max_batch_tokens = g->engine.max_batch_tokens;
    if (io_get(n, "chunked_prefill") == NULL)
        g->chunked_prefill = g->engine.chunked_prefill;
}

/* moe_tp's default (tp x dp / ep, which must divide) and the check of
 * the whole parallelism against the model (cost_parallel_valid), located
 * at the key that breaks it. */
static void bind_parallel(io_sc_ctx *c, const io_node *n, sc_group *g)
{
    cost_parallel *p = &g->par;
    const io_node *mt = io_get(n, "moe_tp");
    const io_node *at = mt != NULL ? mt : io_get(n, "ep");
    int64_t stage = (int64_t)g->tp * p->dp;
    char why[200];

    if (mt == NULL) {
        if (stage % p->ep != 0) {
            io_node_error(c->e, at != NULL ? at : n,
                          "ep %d must divide tp x dp = %lld (the GPUs the "
                          "experts of one pipeline stage are spread over)",
                          p->ep, (long long)stage);
            return;
        }
        p->moe_tp = (int)(stage / p->ep);
    }
    if (c->sc->model.layers <= 0) /* the model failed: reported */
        return;
    if (!cost_parallel_valid(p, g->tp, &c->sc->model, why, sizeof why))
        io_node_error(c->e, at != NULL ? at : n, "%s", why);
}

/* GPUs of one instance of the group. */
static int64_t group_gpus(const sc_group *g)
{
    return (int64_t)g->tp * g->par.pp * g->par.dp;
}

static void group_defaults(sc_group *g, const io_node *n)
{
    io_params_default(group_params, g);
    g->par = cost_parallel_default(1);
    g->device = SC_NONE;
    g->link = SC_NONE;
    g->loc = n->loc;
}

/* Bind one instance group.  'instance': an entry of 'instances' (has a
 * name); 'complete': the group is used by the cluster's mode, so required
 * keys must be there.  A 'router' key is known, to be refused with the
 * reason (routing is the top-level router.policy). */
static void bind_group(io_sc_ctx *c, const io_node *n, sc_group *g,
                       bool instance, bool complete, const char *role)
{
    const io_node *dn, *ln;

    group_defaults(g, n);
    if (!instance)
        g->name = hs_strdup(role);
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, instance ? instance_keys : role_keys);
    if (instance)
        io_field_string(c->e, n, "name", complete, &g->name);
    dn = io_member(c->e, n, "device", complete);
    if (dn != NULL)
        g->device = io_sc_ref_hardware(c, dn);
    io_bind_params(c->e, n, group_params, g, true);
    bind_parallel(c, n, g);
    bind_engine(c, n, g);
    bind_scheduler(c, n, g, role);
    if (instance && io_get(n, "router") != NULL)
        io_node_error(c->e, io_get(n, "router"),
                      "a group has no router of its own: every request is "
                      "routed among all instances by the top-level "
                      "'router.policy'");
    ln = io_get(n, "link");
    if (ln != NULL)
        g->link = io_sc_ref_link(c, ln);
    else if (g->device != SC_NONE)
        g->link = c->sc->hardware[g->device].link;
    /* (A device that failed to load has already been reported.) */
    if (complete && ln == NULL && g->device != SC_NONE &&
        c->hw_ok[g->device] && group_gpus(g) > 1 && g->link == SC_NONE) {
        if (group_gpus(g) == g->tp)
            io_node_error(c->e, n,
                          "tp %d needs a link, and device '%s' names no "
                          "default link: set 'link'",
                          g->tp, c->sc->hardware[g->device].name);
        else
            io_node_error(c->e, n,
                          "tp %d x pp %d x dp %d needs a link, and device "
                          "'%s' names no default link: set 'link'",
                          g->tp, g->par.pp, g->par.dp,
                          c->sc->hardware[g->device].name);
    }
}

static void bind_instances(io_sc_ctx *c, const io_node *n, bool complete)
{
    sc_cluster *cl = &c->sc->cluster;

    if (!io_expect_seq(c->e, n))
        return;
    if (n->n_kids == 0 && complete) {
        io_node_error(c->e, n,
                      "expected at least one instance group, found none");
        return;
    }
    cl->instances = hs_calloc(n->n_kids + 1, sizeof(sc_group));
    for (size_t i = 0; i < n->n_kids; i++) {
        sc_group *g = &cl->instances[cl->n_instances++];

        bind_group(c, n->kids[i], g, true, complete, NULL);
        for (size_t j = 0; j < i && g->name != NULL; j++) {
            if (cl->instances[j].name != NULL &&
                strcmp(cl->instances[j].name, g->name) == 0)
                io_node_error(c->e, io_get(n->kids[i], "name"),
                              "duplicate instance group name '%s'", g->name);
        }
    }
}

/* The cluster mode: written, or implied by which forms are present.
 * Returns -1 when it cannot be told (reported). */
static int cluster_mode(io_sc_ctx *c, const io_node *n)
{
    const io_node *mn = io_get(n, "mode");
    bool mono = io_get(n, "instances") != NULL;
    bool split = io_get(n, "prefill") != NULL || io_get(n, "decode") != NULL;
    int v = -1;

    if (mn != NULL) {
        io_enum(c->e, mn, mode_names, N_OF(mode_names), &v);
        return v;
    }
    if (mono && !split)
        return SC_MODE_MONOLITHIC;
    if (split && !mono)
        return SC_MODE_SPLIT;
    if (mono && split)
        io_node_error(c->e, n,
                      "missing required key 'mode' (both 'instances' and "
                      "'prefill'/'decode' are defined)");
    else
        io_node_error(c->e, n,
                      "missing required key 'instances' (or 'prefill' and "
                      "'decode')");
    return -1;
}

static void bind_roles(io_sc_ctx *c, const io_node *n, int mode)
{
    sc_cluster *cl = &c->sc->cluster;
    const io_node *in = io_get(n, "instances");
    const io_node *pn = io_get(n, "prefill");
    const io_node *dn = io_get(n, "decode");
    bool mono = mode == SC_MODE_MONOLITHIC, split = mode == SC_MODE_SPLIT;

    if (in != NULL)
        bind_instances(c, in, mono);
    else if (mono)
        io_node_error(c->e, n,
                      "missing required key 'instances' (mode monolithic)");
    cl->has_prefill = pn != NULL;
    cl->has_decode = dn != NULL;
    if (pn != NULL)
        bind_group(c, pn, &cl->prefill, false, split, "prefill");
    else if (split)
        io_node_error(c->e, n, "missing required key 'prefill' (mode split)");
    if (dn != NULL)
        bind_group(c, dn, &cl->decode, false, split, "decode");
    else if (split)
        io_node_error(c->e, n, "missing required key 'decode' (mode split)");
}

static void bind_kv_transfer(io_sc_ctx *c, const io_node *cn, bool split)
{
    sc_cluster *cl = &c->sc->cluster;
    const io_node *n = io_get(cn, "kv_transfer");
    const io_node *ln;

    if (n == NULL) {
        if (split)
            io_node_error(c->e, cn,
                          "missing required key 'kv_transfer' (mode split)");
        return;
    }
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, kv_transfer_keys);
    ln = io_member(c->e, n, "link", split);
    if (ln != NULL)
        cl->kv_transfer_link = io_sc_ref_link(c, ln);
    io_field_bool(c->e, n, "layerwise", false, &cl->kv_transfer_layerwise);
}

static void bind_kv_pool(io_sc_ctx *c, const io_node *cn)
{
    sc_cluster *cl = &c->sc->cluster;
    const io_node *n = io_get(cn, "kv_pool");
    const io_node *pn;
    int v = -1;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, kv_pool_keys);
    io_field_enum(c->e, n, "policy", false, kv_pool_names, N_OF(kv_pool_names),
                  &v);
    pn = io_member(c->e, n, "pool", v != SC_KV_HBM_ONLY);
    if (pn != NULL)
        cl->kv_pool = io_sc_ref_pool(c, pn);
    if (v >= 0)
        cl->kv_pool_policy = (sc_kv_pool_policy)v;
    else if (pn != NULL)
        cl->kv_pool_policy = SC_KV_OFFLOAD;
}

static void bind_retention(io_sc_ctx *c, const io_node *cn)
{
    sc_cluster *cl = &c->sc->cluster;
    const io_node *n = io_get(cn, "kv_retention");
    int v = -1;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, retention_keys);
    if (io_field_enum(c->e, n, "policy", false, retention_names,
                      N_OF(retention_names), &v) == HS_OK &&
        v >= 0)
        cl->retention = (sc_retention_policy)v;
    io_field_quantity(c->e, n, "idle_timeout", false, HS_UNIT_TIME, false,
                      &cl->retention_idle_timeout_s);
    if (v == SC_RETAIN_OFFLOAD &&
        io_get(io_get(cn, "kv_pool"), "pool") == NULL)
        io_node_error(c->e, io_get(n, "policy"),
                      "'offload' needs a memory pool: set "
                      "cluster.kv_pool.pool");
    else if (v == SC_RETAIN_OFFLOAD && cl->kv_pool_policy != SC_KV_OFFLOAD)
        /* Offloaded session KV lives in the pool under the 'offload' pool
         * policy; it used to replace any other policy silently. */
        io_node_error(c->e, io_get(n, "policy"),
                      "'offload' keeps idle sessions' KV in the pool with "
                      "cluster.kv_pool.policy 'offload', but the pool "
                      "policy is '%s': set cluster.kv_pool.policy to "
                      "'offload', or kv_retention.policy to 'keep' or "
                      "'drop'",
                      kv_pool_names[cl->kv_pool_policy]);
}

void io_sc_bind_cluster(io_sc_ctx *c, const io_node *n)
{
    sc_cluster *cl = &c->sc->cluster;
    int mode;

    if (!io_expect_map(c->e, n))
        return;
    cl->loc = n->loc;
    io_check_keys(c->e, n, cluster_keys);
    mode = cluster_mode(c, n);
    if (mode >= 0)
        cl->mode = (sc_mode)mode;
    bind_roles(c, n, mode);
    bind_kv_transfer(c, n, mode == SC_MODE_SPLIT);
    bind_kv_pool(c, n);
    bind_retention(c, n);
    io_bind_params(c->e, n, cluster_params, cl, true);
}

void io_sc_bind_router(io_sc_ctx *c, const io_node *n)
{
    sc_router *r = &c->sc->router;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, router_keys);
    field_policy(c->e, n, "policy", SRV_POLICY_ROUTER, &r->policy);
    field_policy(c->e, n, "decode_policy", SRV_POLICY_ROUTER,
                 &r->decode_policy);
}
