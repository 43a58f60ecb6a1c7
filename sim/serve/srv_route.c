/*
 * srv_route.c -- where a new request goes: among every instance, or in
 * split mode the prefill pool.  Prefix affinity comes first: a request
 * whose prefix is cached goes to the instance holding the longest part
 * of it (an agent session returns to its KV); otherwise the router
 * policy decides (route_*.c).  O(instances x cached prefix blocks).
 */
#include "serve_int.h"

/* Cached prefix blocks of 'r' on instance 'in' (counting from block 0,
 * up to 'max'). */
static int64_t cached_prefix(const srv_inst *in, const srv_req *r, int64_t max)
{
    int64_t k = 0;

    while (k < max && srv_pcache_find(&in->cache, srv_req_block_id(r, k)) >= 0)
        k++;
    return k;
}

/* The instance among the first 'n' holding the longest cached prefix of
 * 'r', or -1. */
static int affinity(const srv_sim *s, const srv_req *r, int n)
{
    int64_t max, best_k = 0;
    int best = -1;

    if (r->id_tokens == 0 || !s->insts[0].caching)
        return -1;
    max = (r->prefix_limit < r->prompt - 1 ? r->prefix_limit : r->prompt - 1) /
          r->id_tokens;
    if (r->ids != NULL && max > r->n_ids)
        max = r->n_ids;
    for (int i = 0; i < n && max > 0; i++) {
        int64_t k = cached_prefix(&s->insts[i], r, max);

        if (k > best_k) {
            best_k = k;
            best = i;
        }
    }
    return best;
}

int srv_route(srv_sim *s, const srv_req *r)
{
    int n = s->n_prefill > 0 ? s->n_prefill : s->n_insts;
    int best = affinity(s, r, n);

    if (best >= 0)
        return best;
    return s->router.ops->select(&s->router, s->inst_ptrs, n, r);
}
