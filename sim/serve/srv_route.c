/*
 * srv_route.c -- where a new request goes: among every instance, or in
 * split mode the prefill pool, as the router policy (route_*.c) decides.
 * Prefix affinity is the policy's business: only 'cache-aware' looks at
 * what the instances' caches hold; the others mean what they say.
 */
#include "serve_int.h"

int srv_route(srv_sim *s, const srv_req *r)
{
    int n = s->n_prefill > 0 ? s->n_prefill : s->n_insts;

    return s->router.ops->select(&s->router, s->inst_ptrs, n, r);
}
