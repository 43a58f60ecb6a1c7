/*
 * srv_build.c -- building a cluster from a scenario: the instances of
 * the monolithic groups, or the prefill and decode pools of split mode
 * with the network of their ports on the KV transfer link; the routers;
 * and the memory pool, shared evenly by the instances its KV policy
 * applies to.  Policies are found in their registries by the names the
 * scenario uses.
 */
#include "serve_int.h"

#include "hetsim/hw.h"

#include <stdlib.h>

#define SC_NAME(e, name) name,
static const char *const kvpol_names[] = {SC_KV_POOL_POLICIES(SC_NAME)};
static const char *const retain_names[] = {SC_RETENTION_POLICIES(SC_NAME)};
#undef SC_NAME

/* Most instances in one cluster. */
#define MAX_INSTANCES 100000

/* Stream id of split mode's decode router ("DECODE"), mixed into the
 * run's seed. */
#define DECODE_ROUTER_STREAM UINT64_C(0x4445434f4445)

static const srv_route_ops *router_of(const char *name)
{
    const srv_route_ops *ops = srv_route_find(name);

    HS_ASSERT(ops != NULL);
    return ops;
}

/* Does the memory pool hold the KV cache of instances of 'kind'
 * (kv_pool pool-resident: every instance that decodes)? */
static bool pool_holds_kv(const sc_scenario *sc, srv_kind kind)
{
    return sc->cluster.kv_pool != SC_NONE &&
           sc->cluster.kv_pool_policy == SC_KV_POOL_RESIDENT &&
           kind != SRV_KIND_PREFILL;
}

static int alloc_instances(srv_sim *s, int64_t total, hs_diag *d)
{
    if (total > MAX_INSTANCES)
        return hs_diag_error(d, s->sc->cluster.loc,
                             "cluster: %lld instances is more "
                             "than the 100000 supported",
                             (long long)total);
    s->insts = hs_calloc((size_t)total, sizeof *s->insts);
    s->inst_ptrs = hs_calloc((size_t)total, sizeof *s->inst_ptrs);
    s->n_insts = (int)total;
    for (int i = 0; i < s->n_insts; i++)
        s->inst_ptrs[i] = &s->insts[i];
    return HS_OK;
}

/* The policies of the instances of 'grp', as 'kind'. */
static void policies_of(const sc_scenario *sc, const sc_group *grp,
                        srv_kind kind, srv_inst_policies *pol)
{
    pol->kind = kind;
    pol->sched = srv_sched_find(grp->scheduler);
    pol->retain = srv_retain_find(retain_names[sc->cluster.retention]);
    pol->pool_kv = pool_holds_kv(sc, kind);
    HS_ASSERT(pol->sched != NULL && pol->retain != NULL);
}

/* Build the 'grp->count' instances of one group at s->insts[*k...].
 * 'indexed': always name them <group>.<i> (split pools, whose names are
 * also metric scopes). */
static int build_group(srv_sim *s, const sc_group *grp, srv_kind kind,
                       bool indexed, int *k, hs_diag *d)
{
    srv_inst_policies pol;

    policies_of(s->sc, grp, kind, &pol);
    for (int64_t i = 0; i < grp->count; i++, (*k)++) {
        char name[64];

        if (grp->count == 1 && !indexed)
            snprintf(name, sizeof name, "%s", grp->name);
        else
            snprintf(name, sizeof name, "%s.%lld", grp->name, (long long)i);
        if (srv_inst_init(&s->insts[*k], *k, s->sc, grp, &pol, name, d) !=
            HS_OK)
            return HS_EINPUT; /* the same message for every copy */
        srv_inst_connect(&s->insts[*k], s->eng, &s->hooks,
                         !s->opt.no_fast_forward);
    }
    return HS_OK;
}

/* Split mode: the prefill pool, the decode pool, and the network of
 * their ports on the KV transfer link: one port per instance on a
 * shared fabric (docs/disaggregation.md), with one link per GPU -- each
 * GPU sends or receives its own KV heads over its own NIC -- at the
 * link's efficiency: gpus x bandwidth x efficiency (tp x pp x dp GPUs:
 * every attention rank and stage holds its own sequences' or layers'
 * KV). */
static int build_split(srv_sim *s, hs_diag *d)
{
    const sc_cluster *c = &s->sc->cluster;
    const sc_link *link = &s->sc->links[c->kv_transfer_link];
    int k = 0;

    if (alloc_instances(s, c->prefill.count + c->decode.count, d) != HS_OK)
        return HS_EINPUT;
    if (build_group(s, &c->prefill, SRV_KIND_PREFILL, true, &k, d) != HS_OK ||
        build_group(s, &c->decode, SRV_KIND_DECODE, true, &k, d) != HS_OK)
        return HS_EINPUT;
    s->n_prefill = (int)c->prefill.count;
    s->net = hw_net_new(s->eng);
    for (int i = 0; i < s->n_insts; i++)
        s->insts[i].port =
            hw_net_add(s->net, s->insts[i].name,
                       link->link.bandwidth * link->link.efficiency *
                           s->insts[i].ctx.gpus,
                       link->link.latency_s);
    s->xfer_link = link->name;
    s->xfer_epb = link->link.energy_per_bit;
    s->kv_token_bytes = cost_model_kv_elems_per_token(&s->sc->model) *
                        cost_dtype_bytes(s->sc->precision.kv);
    srv_router_init(&s->drouter, router_of(s->sc->router.decode_policy),
                    s->opt.seed ^ DECODE_ROUTER_STREAM, true);
    return HS_OK;
}

static int build_monolithic(srv_sim *s, hs_diag *d)
{
    const sc_cluster *c = &s->sc->cluster;
    int64_t total = 0;
    int k = 0;

    for (size_t g = 0; g < c->n_instances; g++)
        total += c->instances[g].count;
    if (alloc_instances(s, total, d) != HS_OK)
        return HS_EINPUT;
    for (size_t g = 0; g < c->n_instances; g++)
        if (build_group(s, &c->instances[g], SRV_KIND_MONO, false, &k, d) !=
            HS_OK)
            return HS_EINPUT;
    return HS_OK;
}

/* The KV pool policy of the cluster: offload whenever retention offloads
 * a session's context; NULL without a pool (hbm-only). */
static const srv_kvpol_ops *pool_policy(const sc_scenario *sc)
{
    const srv_kvpol_ops *ops;

    if (sc->cluster.kv_pool == SC_NONE)
        return NULL;
    if (srv_retain_find(retain_names[sc->cluster.retention])->offloads)
        return &srv_kvpol_offload;
    ops = srv_kvpol_find(kvpol_names[sc->cluster.kv_pool_policy]);
    HS_ASSERT(ops != NULL);
    return ops->attach != NULL ? ops : NULL;
}

/* The memory pool: its capacity is split evenly among the instances its
 * policy applies to, each reaching it over the pool's link; its
 * bandwidth is shared on the network (srv_pool.c).  The share's 'bw' is
 * what one instance's transfer reaches alone. */
static int attach_pool(srv_sim *s, hs_diag *d)
{
    const srv_kvpol_ops *ops = pool_policy(s->sc);
    const sc_pool *pool;
    const cost_link *link;
    srv_pool_share share;
    int n = 0;

    if (ops == NULL)
        return HS_OK;
    for (int i = 0; i < s->n_insts; i++)
        n += ops->applies(s->insts[i].kind, s->insts[i].caching);
    if (n == 0)
        return HS_OK;
    pool = &s->sc->pools[s->sc->cluster.kv_pool];
    link = &s->sc->links[pool->link].link;
    share.bytes = pool->capacity_bytes / n;
    share.latency_s = pool->latency_s + link->latency_s;
    share.loc = s->sc->cluster.loc;
    s->pool = pool;
    s->pool_epb = link->energy_per_bit;
    for (int i = 0; i < s->n_insts; i++) {
        double port = link->bandwidth * link->efficiency * s->insts[i].ctx.tp;

        share.bw = pool->bandwidth < port ? pool->bandwidth : port;
        if (ops->applies(s->insts[i].kind, s->insts[i].caching) &&
            srv_inst_attach(&s->insts[i], ops, &share, d) != HS_OK)
            return HS_EINPUT;
    }
    srv_pool_build(s, ops);
    return HS_OK;
}

int srv_build(srv_sim *s, hs_diag *d)
{
    int rc;

    srv_router_init(&s->router, router_of(s->sc->router.policy), s->opt.seed,
                    false);
    rc = s->sc->cluster.mode == SC_MODE_SPLIT ? build_split(s, d)
                                              : build_monolithic(s, d);
    return rc == HS_OK ? attach_pool(s, d) : HS_EINPUT;
}

void srv_unbuild(srv_sim *s)
{
    for (int i = 0; i < s->n_insts; i++)
        srv_inst_fini(&s->insts[i]);
    free(s->insts);
    free(s->inst_ptrs);
    s->insts = NULL;
    s->inst_ptrs = NULL;
    s->n_insts = 0;
    srv_router_fini(&s->router);
    srv_router_fini(&s->drouter);
    hw_net_free(s->net);
    s->net = NULL;
}
