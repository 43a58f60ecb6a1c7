/*
 * sched_prefill_first.c -- the "prefill-first" batch scheduler (vLLM
 * without chunked prefill): whole prompts are admitted into a
 * prefill-only iteration while they fit the token budget (the first one
 * may exceed it); when none is admitted, all running requests decode.
 * A request is admitted only when the KV blocks of its prompt fit.
 */
#include "srv_host.h"

static void plan(srv_inst *in, hs_time now, srv_plan *p)
{
    if (srv_batch_admit(in, &p->batch, srv_host_max_tokens(in), true, now,
                        &p->n_seqs, &p->cap_blocked) == 0) {
        p->n_decodes = srv_batch_decodes(in, &p->batch, now);
        p->n_seqs = p->n_decodes;
    }
}

/* Steady when nothing would be admitted: no one waits, the batch is
 * full, or the head's KV does not fit (capacity-bound steps). */
static bool steady(const srv_inst *in, srv_plan *p)
{
    bool room = srv_host_running(in) < srv_host_max_batch(in);

    if (!srv_batch_steady_decodes(in, p))
        return false;
    if (srv_host_caching(in) && srv_host_has_waiting(in) && room)
        return false; /* admission may hit or evict the cache */
    if (srv_host_has_waiting(in) && room) {
        if (srv_host_head_need(in) <= srv_host_free_blocks(in))
            return false; /* someone would be admitted */
        p->cap_blocked = true;
    }
    return true;
}

const srv_sched_ops srv_sched_prefill_first = {"prefill-first", false, plan,
                                               steady};
