/*
 * route_cache_aware.c -- the "cache-aware" router: the instance with the
 * lowest expected time to first token, weighing what its prefix cache
 * holds of the request against the work queued ahead of it.
 *
 * For instance i, with the request's prefill of T tokens of which C_i
 * are in the instance's prefix cache (device memory or its KV pool
 * share: srv_host_cached_tokens) and P_i prefill tokens still to compute
 * on it (queued and running requests: srv_host_prefill_left):
 *
 *   ttft_i = (P_i + T - C_i) / (rate_i * (B_i - R_i) / B_i)
 *
 * rate_i is the cost model's prefill tokens per second for a full chunk
 * of B_i = max_batch_tokens tokens (srv_host_prefill_rate); the R_i
 * requests running on it take one token slot each of every step, so
 * prefill gets (B_i - R_i) / B_i of it (at least one slot).  The
 * instance with the smallest ttft_i wins; ties go to the lowest index.
 * O(instances x cached prefix blocks) per request.
 *
 * As split mode's decode router ('by_kv': decode instances have no
 * prefix cache and no prefill) it is least-loaded's KV-share choice.
 * docs/serving.md compares it with SGLang's, Dynamo's and vLLM's
 * routers.
 */
#include "srv_host.h"

/* Expected seconds to the first token of 'req' on 'in'. */
static double expected_ttft(const srv_inst *in, const srv_req *req)
{
    int64_t slots = srv_host_max_tokens(in) - srv_host_running(in);
    double share;
    int64_t work = srv_host_prefill_left(in) + req->target -
                   srv_host_cached_tokens(in, req);

    if (slots < 1)
        slots = 1;
    share = (double)slots / (double)srv_host_max_tokens(in);
    return (double)work / (srv_host_prefill_rate(in) * share);
}

static int select_cache_aware(srv_router *r, srv_inst *const *insts, int n,
                              const srv_req *req)
{
    int best = 0;
    double best_t;

    if (r->by_kv)
        return srv_route_least_loaded.select(r, insts, n, req);
    best_t = expected_ttft(insts[0], req);
    for (int i = 1; i < n; i++) {
        double t = expected_ttft(insts[i], req);

        if (t < best_t) {
            best = i;
            best_t = t;
        }
    }
    return best;
}

const srv_route_ops srv_route_cache_aware = {"cache-aware", NULL,
                                             select_cache_aware, NULL};
