/*
 * route_cache_aware.c -- the "cache-aware" router: the instance with the
 * lowest expected time to first token, weighing what its prefix cache
 * holds of the request against the work queued ahead of it.
 *
 * For instance i, with the request's prefill of T tokens of which C_i
 * are in the instance's prefix cache (device memory or its KV pool
 * share: srv_host_cached_tokens) and P_i prefill tokens still to compute
 * on it (queued and running requests: srv_host_prefill_load):
 *
 *   ttft_i = (P_i + T - C_i) * B_i / (rate_i * max(1, B_i - R_i))
 *
 * rate_i is the cost model's prefill tokens per second for a full chunk
 * of B_i = max_batch_tokens tokens (srv_host_prefill_rate); the R_i
 * requests running on it take one token slot each of every step, so
 * prefill gets (B_i - R_i) / B_i of it (at least one slot).  The
 * instance with the smallest ttft_i wins; ties go to the lowest index.
 * O(instances x cached prefix blocks) per request; a request without
 * prefix blocks (no reusable prefix) skips the cache look-ups.
 *
 * As split mode's decode router ('by_kv': decode instances have no
 * prefix cache and no prefill) it is least-loaded's KV-share choice.
 * docs/serving.md compares it with SGLang's, Dynamo's and vLLM's
 * routers.
 */
#include "srv_host.h"

/* Expected seconds to the first token of 'req' on 'in' ('prefixed':
 * the request has prefix blocks a cache could hold). */
static double expected_ttft(const srv_inst *in, const srv_req *req,
                            bool prefixed)
{
    srv_prefill_load l;
    int64_t slots, work;

    srv_host_prefill_load(in, &l);
    slots = l.max_tokens - l.running;
    work = l.left + req->target;
    if (prefixed)
        work -= srv_host_cached_tokens(in, req);
    if (slots < 1)
        slots = 1;
    return (double)work * (double)l.max_tokens / (l.rate * (double)slots);
}

static int select_cache_aware(srv_router *r, srv_inst *const *insts, int n,
                              const srv_req *req)
{
    int best = 0;
    bool prefixed;
    double best_t;

    if (r->by_kv)
        return srv_route_least_loaded.select(r, insts, n, req);
    prefixed = req->id_tokens > 0;
    best_t = expected_ttft(insts[0], req, prefixed);
    for (int i = 1; i < n; i++) {
        double t = expected_ttft(insts[i], req, prefixed);

        if (t < best_t) {
            best = i;
            best_t = t;
        }
    }
    return best;
}

const srv_route_ops srv_route_cache_aware = {"cache-aware", NULL,
                                             select_cache_aware, NULL};
