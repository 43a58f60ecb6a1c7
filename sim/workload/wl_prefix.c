/*
 * wl_prefix.c -- the block ids of a request's reusable prefix
 * (wl_prefix, workload.h).  Content ids come from the trace format that
 * has them (wl_fmt_mooncake.c); the ids of a session's context are
 * derived here from (source, session id), for every source kind alike,
 * so every call of a session names its context's blocks the same way.
 */
#include "workload_int.h"

uint64_t wl_prefix_block_id(const wl_prefix *p, int64_t i)
{
    HS_ASSERT(i >= 0);
    if (p->ids != NULL) {
        HS_ASSERT((size_t)i < p->n_ids);
        return (uint64_t)p->ids[i] + 1; /* 0 is never an id */
    }
    HS_ASSERT(p->key != 0);
    return hs_mix64((p->key ^ WL_PREFIX_DERIVED) ^ (uint64_t)i) |
           (UINT64_C(1) << 63);
}

void wl_prefix_derive(wl_request *r)
{
    if (r->session_id < 0 || r->prefix.ids != NULL)
        return;
    r->prefix.key = (((uint64_t)(uint32_t)r->source << 48) ^
                     ((uint64_t)r->session_id << 20)) |
                    WL_PREFIX_DERIVED;
}
