/*
 * srv_router.c -- router policies: which instance a new request goes to.
 *
 * Each policy is a const table entry with a pure select() (it reads the
 * instances, changes only its own cursor or random stream), registered
 * once in 'policies' below by its scenario enum.  Ties always go to the
 * lowest instance index, so choices never depend on memory layout.
 */
#include "serve_int.h"

#include <gsl/gsl_rng.h>

static int select_round_robin(srv_router *r, const srv_inst *insts, int n,
                              const srv_req *req)
{
    int i = r->cursor;

    (void)insts;
    (void)req;
    r->cursor = (r->cursor + 1) % n;
    return i;
}

/* Fewest outstanding tokens (prefill still to do + output still to
 * produce, over waiting and running requests); with 'by_kv', the
 * smallest share of KV blocks in use (held or reserved). */
static int select_least_loaded(srv_router *r, const srv_inst *insts, int n,
                               const srv_req *req)
{
    int best = 0;

    (void)req;
    for (int i = 1; i < n; i++) {
        if (r->by_kv ? (double)insts[i].used_blocks /
                               (double)insts[i].total_blocks <
                           (double)insts[best].used_blocks /
                               (double)insts[best].total_blocks
                     : insts[i].outstanding < insts[best].outstanding)
            best = i;
    }
    return best;
}

static int select_random(srv_router *r, const srv_inst *insts, int n,
                         const srv_req *req)
{
    (void)insts;
    (void)req;
    return (int)gsl_rng_uniform_int((gsl_rng *)r->rng, (unsigned long)n);
}

/* Most free KV blocks once the queued work is admitted: free blocks
 * minus the blocks the waiting requests will claim. */
static int select_kv_aware(srv_router *r, const srv_inst *insts, int n,
                           const srv_req *req)
{
    int best = 0;
    int64_t best_free = INT64_MIN;

    (void)r;
    (void)req;
    for (int i = 0; i < n; i++) {
        int64_t f = insts[i].total_blocks - insts[i].used_blocks;

        for (const srv_req *w = insts[i].wait_head; w != NULL; w = w->next)
            f -= srv_blocks_for(&insts[i], w->target);
        if (f > best_free) {
            best_free = f;
            best = i;
        }
    }
    return best;
}

static const srv_router_ops policies[] = {
    [SC_ROUTER_ROUND_ROBIN] = {"round-robin", select_round_robin},
    [SC_ROUTER_LEAST_LOADED] = {"least-loaded", select_least_loaded},
    [SC_ROUTER_RANDOM] = {"random", select_random},
    [SC_ROUTER_KV_AWARE] = {"kv-aware", select_kv_aware},
};

void srv_router_init(srv_router *r, sc_router_policy policy, uint64_t seed)
{
    r->ops = &policies[policy];
    r->cursor = 0;
    r->rng = NULL;
    r->by_kv = false;
    if (policy == SC_ROUTER_RANDOM) {
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);

        gsl_rng_set(g,
                    (unsigned long)(hs_mix64(seed ^ UINT64_C(0x524f55544552)) &
                                    0xffffffffu));
        r->rng = g;
    }
}

void srv_router_fini(srv_router *r)
{
    if (r->rng != NULL)
        gsl_rng_free((gsl_rng *)r->rng);
    r->rng = NULL;
}
