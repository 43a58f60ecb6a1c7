/*
 * route_kv_aware.c -- the "kv-aware" router: the instance with the most
 * free KV blocks once its queued work is admitted (free blocks minus the
 * blocks its waiting requests will claim).  O(queued requests).  Ties go
 * to the lowest index.
 */
#include "srv_host.h"

static int select_kv(srv_router *r, srv_inst *const *insts, int n,
                     const srv_req *req)
{
    int best = 0;
    int64_t best_free = INT64_MIN;

    (void)r;
    (void)req;
    for (int i = 0; i < n; i++) {
        int64_t f =
            srv_host_free_blocks(insts[i]) - srv_host_queued_blocks(insts[i]);

        if (f > best_free) {
            best_free = f;
            best = i;
        }
    }
    return best;
}

const srv_route_ops srv_route_kv_aware = {"kv-aware", NULL, select_kv, NULL};
