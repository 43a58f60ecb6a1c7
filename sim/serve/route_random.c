/*
 * route_random.c -- the "random" router: an instance drawn uniformly
 * from the router's own GSL mt19937 stream, seeded from the run's seed
 * through hs_mix64, so its draws do not shift any other stream.
 */
#include "srv_host.h"

#include <gsl/gsl_rng.h>

/* Stream id of the router ("ROUTER"), mixed into the run's seed. */
#define ROUTER_STREAM UINT64_C(0x524f55544552)

static void init_stream(srv_router *r, uint64_t seed)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);

    HS_ASSERT(g != NULL);
    gsl_rng_set(g,
                (unsigned long)(hs_mix64(seed ^ ROUTER_STREAM) & 0xffffffffu));
    r->state = g;
}

static int select_random(srv_router *r, srv_inst *const *insts, int n,
                         const srv_req *req)
{
    (void)insts;
    (void)req;
    return (int)gsl_rng_uniform_int((gsl_rng *)r->state, (unsigned long)n);
}

static void free_stream(srv_router *r)
{
    gsl_rng_free((gsl_rng *)r->state);
    r->state = NULL;
}

const srv_route_ops srv_route_random = {"random", init_stream, select_random,
                                        free_stream};
