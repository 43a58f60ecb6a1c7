/*
 * route_least_loaded.c -- the "least-loaded" router: the instance with
 * the fewest outstanding tokens (prefill still to do + output still to
 * produce, over its waiting and running requests); as split mode's
 * decode router ('by_kv'), the smallest share of KV blocks in use (held
 * or reserved).  Ties go to the lowest index.
 */
#include "srv_host.h"

static double kv_share(const srv_inst *in)
{
    return (double)srv_host_used_blocks(in) /
           (double)srv_host_total_blocks(in);
}

static int select_least(srv_router *r, srv_inst *const *insts, int n,
                        const srv_req *req)
{
    int best = 0;

    (void)req;
    for (int i = 1; i < n; i++) {
        if (r->by_kv ? kv_share(insts[i]) < kv_share(insts[best])
                     : srv_host_outstanding(insts[i]) <
                           srv_host_outstanding(insts[best]))
            best = i;
    }
    return best;
}

const srv_route_ops srv_route_least_loaded = {"least-loaded", NULL,
                                              select_least, NULL};
