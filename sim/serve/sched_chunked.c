/*
 * sched_chunked.c -- the "chunked" batch scheduler, vLLM's default with
 * chunked prefill (Sarathi-Serve): every iteration runs the running
 * decodes first (one token each), then the running partial prefills,
 * then new admissions from the waiting queue in arrival order, while the
 * token budget (max_batch_tokens) and the batch (max_batch) allow; a
 * long prompt is split across iterations.  A request is admitted only
 * when the KV blocks of its whole prefill fit.
 */
#include "srv_host.h"

static void plan(srv_inst *in, hs_time now, srv_plan *p)
{
    int64_t budget;

    p->n_decodes = srv_batch_decodes(in, &p->batch, now);
    p->n_seqs = p->n_decodes;
    budget = srv_batch_prefills(
        in, &p->batch, srv_host_max_tokens(in) - p->n_decodes, &p->n_seqs);
    srv_batch_admit(in, &p->batch, budget, false, now, &p->n_seqs,
                    &p->cap_blocked);
}

/* Steady when nothing would be admitted: no one waits, or the batch is
 * full, or no token of the budget is left after the decodes, or the
 * head's KV does not fit (then the steps are capacity-bound).  With a
 * prefix cache an admission may hit or evict it: planned normally. */
static bool steady(const srv_inst *in, srv_plan *p)
{
    int64_t running = srv_host_running(in);
    bool room = running < srv_host_max_batch(in);
    int64_t free_after;

    if (!srv_batch_steady_decodes(in, p))
        return false;
    free_after = srv_host_free_blocks(in) - srv_host_decode_growth(in);
    if (srv_host_caching(in) && srv_host_has_waiting(in) && room)
        return false;
    if (srv_host_has_waiting(in) && room &&
        srv_host_max_tokens(in) - running > 0) {
        if (srv_host_head_need(in) <= free_after)
            return false; /* someone would be admitted */
        p->cap_blocked = true;
    }
    return true;
}

const srv_sched_ops srv_sched_chunked = {"chunked", false, plan, steady};
