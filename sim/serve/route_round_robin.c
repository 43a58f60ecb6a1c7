/*
 * route_round_robin.c -- the "round-robin" router: instances in turn,
 * whatever their load.
 */
#include "srv_host.h"

static int select_next(srv_router *r, srv_inst *const *insts, int n,
                       const srv_req *req)
{
    int i = (int)r->counter;

    (void)insts;
    (void)req;
    r->counter = (r->counter + 1) % n;
    return i;
}

const srv_route_ops srv_route_round_robin = {"round-robin", NULL, select_next,
                                             NULL};
