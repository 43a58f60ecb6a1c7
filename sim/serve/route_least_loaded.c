/*
 * route_least_loaded.c -- the "least-loaded" router: the instance with
 * the fewest outstanding tokens (prefill still to do + output still to
 * produce, over its waiting and running requests); as split mode's
 * decode router ('by_kv'), the smallest share of KV blocks in use (held
 * or reserved).  Ties go to the lowest index.
 */
#include "srv_host.h"

/* The load 'r' compares: the KV share in use, or outstanding tokens
 * (exact in a double: far below 2^53, every queued token is held in
 * memory by a request). */
static double load_of(const srv_router *r, const srv_inst *in)
{
    if (r->by_kv)
        return (double)srv_host_used_blocks(in) /
               (double)srv_host_total_blocks(in);
    return (double)srv_host_outstanding(in);
}

/* One pass, each instance's load read once. */
static int select_least(srv_router *r, srv_inst *const *insts, int n,
                        const srv_req *req)
{
    int best = 0;
    double best_load = load_of(r, insts[0]);

    (void)req;
    for (int i = 1; i < n; i++) {
        double load = load_of(r, insts[i]);

        if (load < best_load) {
            best = i;
            best_load = load;
        }
    }
    return best;
}

const srv_route_ops srv_route_least_loaded = {"least-loaded", NULL,
                                              select_least, NULL};
