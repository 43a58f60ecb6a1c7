/*
 * sched_decode_only.c -- the batch scheduler of a decode instance in
 * split mode: requests whose KV has arrived join the batch in arrival
 * order while it has room, then every running request decodes one
 * token.  Steps are capacity-bound while hand-offs wait for KV blocks
 * and the batch has room.
 */
#include "srv_host.h"

static void plan(srv_inst *in, hs_time now, srv_plan *p)
{
    srv_batch_admit_ready(in);
    p->n_decodes = srv_batch_decodes(in, &p->batch, now);
    p->n_seqs = p->n_decodes;
    p->cap_blocked = srv_host_has_incoming(in) &&
                     srv_host_running(in) < srv_host_max_batch(in);
}

static bool steady(const srv_inst *in, srv_plan *p)
{
    bool room = srv_host_running(in) < srv_host_max_batch(in);

    if (!srv_batch_steady_decodes(in, p))
        return false;
    if (srv_host_has_waiting(in) && room)
        return false; /* an arrived KV cache would join */
    p->cap_blocked = srv_host_has_incoming(in) && room;
    return true;
}

const srv_sched_ops srv_sched_decode_only = {"decode-only", true, plan,
                                             steady};
