/*
 * kvpol_hbm_only.c -- the "hbm-only" KV pool policy: KV lives in device
 * memory only; blocks evicted from the prefix cache are dropped, a
 * preempted request's KV is recomputed.  Every member is "nothing to
 * do".
 */
#include "srv_host.h"

static bool never(srv_kind kind, bool caching)
{
    (void)kind;
    (void)caching;
    return false;
}

const srv_kvpol_ops srv_kvpol_hbm_only = {
    .name = "hbm-only",
    .applies = never,
};
