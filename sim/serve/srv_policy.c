/*
 * srv_policy.c -- the registries of serve's policies: batch schedulers
 * (sched.def), routers (route.def), KV pool policies (kvpol.def) and KV
 * retention policies (retain.def), each a table built from its .def
 * file and searched by name; and the router's set-up.
 */
#include "srv_host.h"

#include "hetsim/serve.h"

#include <string.h>

static const srv_sched_ops *const scheds[] = {
#define SRV_SCHED(id, name) &srv_sched_##id,
#include "sched.def"
#undef SRV_SCHED
};

static const srv_route_ops *const routes[] = {
#define SRV_ROUTE(id, name) &srv_route_##id,
#include "route.def"
#undef SRV_ROUTE
};

static const srv_kvpol_ops *const kvpols[] = {
#define SRV_KVPOL(id, name) &srv_kvpol_##id,
#include "kvpol.def"
#undef SRV_KVPOL
};

static const srv_retain_ops *const retains[] = {
#define SRV_RETAIN(id, name) &srv_retain_##id,
#include "retain.def"
#undef SRV_RETAIN
};

#define FIND(table, name)                                                     \
    do {                                                                      \
        for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)           \
            if (strcmp(table[i]->name, name) == 0)                            \
                return table[i];                                              \
        return NULL;                                                          \
    } while (0)

const srv_sched_ops *srv_sched_find(const char *name)
{
    FIND(scheds, name);
}

const srv_route_ops *srv_route_find(const char *name)
{
    FIND(routes, name);
}

const srv_kvpol_ops *srv_kvpol_find(const char *name)
{
    FIND(kvpols, name);
}

const srv_retain_ops *srv_retain_find(const char *name)
{
    FIND(retains, name);
}

size_t srv_policy_count(srv_policy_kind kind)
{
    switch (kind) {
    case SRV_POLICY_ROUTER:
        return sizeof routes / sizeof routes[0];
    case SRV_POLICY_SCHEDULER:
        return sizeof scheds / sizeof scheds[0];
    case SRV_POLICY_KV_POOL:
        return sizeof kvpols / sizeof kvpols[0];
    case SRV_POLICY_RETENTION:
        return sizeof retains / sizeof retains[0];
    }
    return 0;
}

const char *srv_policy_name(srv_policy_kind kind, size_t i)
{
    HS_ASSERT(i < srv_policy_count(kind));
    switch (kind) {
    case SRV_POLICY_ROUTER:
        return routes[i]->name;
    case SRV_POLICY_SCHEDULER:
        return scheds[i]->name;
    case SRV_POLICY_KV_POOL:
        return kvpols[i]->name;
    case SRV_POLICY_RETENTION:
        return retains[i]->name;
    }
    return NULL;
}

bool srv_policy_known(srv_policy_kind kind, const char *name)
{
    for (size_t i = 0; i < srv_policy_count(kind); i++)
        if (strcmp(srv_policy_name(kind, i), name) == 0)
            return true;
    return false;
}

bool srv_scheduler_decode_pool(const char *name)
{
    const srv_sched_ops *ops = srv_sched_find(name);

    return ops != NULL && ops->decode_pool;
}

void srv_router_init(srv_router *r, const srv_route_ops *ops, uint64_t seed,
                     bool by_kv)
{
    r->ops = ops;
    r->by_kv = by_kv;
    r->counter = 0;
    r->state = NULL;
    if (ops->init != NULL)
        ops->init(r, seed);
}

void srv_router_fini(srv_router *r)
{
    if (r->ops != NULL && r->ops->fini != NULL)
        r->ops->fini(r);
    r->ops = NULL;
}
