/*
 * srv_split.c -- split mode: a prefill instance hands each request off at
 * its first token; a decode instance is chosen by the decode router
 * (least-loaded: smallest share of KV blocks in use); its KV blocks are
 * reserved there (a FIFO of hand-offs while they do not fit: the KV
 * stays on the prefill instance meanwhile, back-pressure); the KV moves
 * over the transfer link's ports (hw_net: max-min fair sharing), after
 * the prefill or, layer-wise, while it runs; on arrival the request
 * joins the decode instance's queue.  With mixed fallback, a prefill
 * instance decodes a request itself when the chosen decode instance
 * cannot take its KV at once.  A request preempted on a decode instance
 * goes back to the prefill pool (recompute).
 */
#include "serve_int.h"

#include "hetsim/hw.h"

enum { EV_READY = 1 };

/* The KV of 'r' is on its decode instance and its prefill is over: it
 * joins the decode queue. */
static void ready(srv_sim *s, srv_req *r)
{
    srv_queue_remove(&s->moving, r);
    r->xfer_s += hs_time_to_s(eng_now(s->eng) - r->prefill_end);
    r->dinst = r->inst;
    srv_inst_release(&s->insts[r->pinst], r, eng_now(s->eng));
    srv_inst_receive(&s->insts[r->inst], r);
    srv_inst_kick_later(&s->insts[r->inst]);
    srv_inst_kick_later(&s->insts[r->pinst]);
}

static void on_ready(eng_sim *eng, void *target, uint32_t kind, uint64_t arg)
{
    (void)eng;
    (void)kind;
    ready(target, (srv_req *)(uintptr_t)arg);
}

static void on_transfer_done(void *ctx, uint64_t tag, hs_time start,
                             hs_time end)
{
    srv_sim *s = ctx;
    srv_req *r = (srv_req *)(uintptr_t)tag;
    srv_transfer_rec rec = {
        .transfer_id = s->next_xfer_id++,
        .request_id = r->id,
        .link = s->xfer_link,
        .kind = "kv_pd",
        .bytes = (double)r->kv_tokens * s->kv_token_bytes,
        .start_s = hs_time_to_s(start),
        .end_s = hs_time_to_s(end),
    };

    srv_emit_transfer(s, &rec);
    /* Layer-wise: the last layers' KV is ready only when the prefill step
     * ends. */
    if (end < r->prefill_end)
        eng_schedule(s->eng, r->prefill_end, ENG_PRIO_COMPLETION, on_ready, s,
                     EV_READY, (uint64_t)(uintptr_t)r);
    else
        ready(s, r);
}

static void start_transfer(srv_sim *s, srv_req *r)
{
    int res[2] = {s->insts[r->pinst].port, s->insts[r->inst].port};

    srv_queue_push_front(&s->moving, r);
    s->kv_transfers++;
    hw_net_start(s->net, res, 2, (double)r->kv_tokens * s->kv_token_bytes,
                 s->xfer_epb, on_transfer_done, s, (uint64_t)(uintptr_t)r);
}

void srv_split_pump(srv_sim *s, int didx)
{
    srv_req *r;

    while ((r = srv_inst_xwait_take(&s->insts[didx])) != NULL)
        start_transfer(s, r);
}

void srv_split_handoff(srv_sim *s, int pidx, srv_req *r, hs_time ready_at)
{
    srv_inst *p = &s->insts[pidx];
    int di;

    r->prefill_end = ready_at;
    r->pblocks = r->blocks;
    r->blocks = 0;
    if (r->generated >= r->output) { /* the first token was the last */
        srv_inst_release(p, r, eng_now(s->eng));
        srv_retire(s, r, SRV_REQ_DONE);
        return; /* the step end that handed it off plans the next step */
    }
    di = s->n_prefill + s->drouter.ops->select(&s->drouter,
                                               s->inst_ptrs + s->n_prefill,
                                               s->n_insts - s->n_prefill, r);
    /* Mixed fallback: when the chosen decode instance cannot take the KV
     * now, the prefill instance decodes the request itself. */
    if (s->sc->cluster.mixed_fallback &&
        !srv_inst_can_reserve(&s->insts[di], r->target) &&
        srv_inst_keep(p, r)) {
        r->dinst = pidx;
        return;
    }
    r->inst = di;
    srv_inst_xwait_push(&s->insts[di], r);
    srv_split_pump(s, di);
}

void srv_split_reroute(srv_sim *s, srv_req *r)
{
    int dst = srv_route(s, r);

    r->inst = r->pinst = dst;
    srv_inst_enqueue(&s->insts[dst], r);
    srv_inst_kick_later(&s->insts[dst]);
}

void srv_split_drain(srv_sim *s)
{
    while (s->moving.head != NULL) {
        srv_req *r = s->moving.head;

        srv_queue_remove(&s->moving, r);
        srv_retire(s, r, SRV_REQ_UNFINISHED);
    }
}
