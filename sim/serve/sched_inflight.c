/*
 * sched_inflight.c -- the "inflight" batch scheduler, TensorRT-LLM's
 * in-flight batching without chunked context (its default,
 * enable_chunked_prefill false): every iteration runs the running
 * decodes, then admits whole prompts from the waiting queue in arrival
 * order into the same iteration while the token budget left after the
 * decodes (max_batch_tokens) and the batch allow; the first admitted
 * prompt may exceed the budget.  A request is admitted only when the KV
 * blocks of its prompt fit.  No token of the budget left after the
 * decodes: no admission.
 */
#include "srv_host.h"

static void plan(srv_inst *in, hs_time now, srv_plan *p)
{
    p->n_decodes = srv_batch_decodes(in, &p->batch, now);
    p->n_seqs = p->n_decodes;
    srv_batch_admit(in, &p->batch, srv_host_max_tokens(in) - p->n_decodes,
                    true, now, &p->n_seqs, &p->cap_blocked);
}

/* Steady when nothing would be admitted: no one waits, the batch is
 * full, or the head's KV does not fit after this step's growth (then
 * the steps are capacity-bound).  With a prefix cache an admission may
 * hit or evict it: planned normally. */
static bool steady(const srv_inst *in, srv_plan *p)
{
    int64_t running = srv_host_running(in);
    bool room = running < srv_host_max_batch(in);

    if (!srv_batch_steady_decodes(in, p))
        return false;
    if (srv_host_caching(in) && srv_host_has_waiting(in) && room)
        return false;
    if (srv_host_has_waiting(in) && room &&
        srv_host_max_tokens(in) - running > 0) {
        if (srv_host_head_need(in) <=
            srv_host_free_blocks(in) - srv_host_decode_growth(in))
            return false; /* someone would be admitted */
        p->cap_blocked = true;
    }
    return true;
}

const srv_sched_ops srv_sched_inflight = {"inflight", false, plan, steady};
