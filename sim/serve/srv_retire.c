/*
 * srv_retire.c -- a request leaves the simulation, done, dropped, or
 * unfinished when the run ends: its record (the requests row) goes to
 * the sink, the run's statistics and its session count it, a closed-loop
 * source may release its next request, and its storage is recycled.
 * Every request is retired exactly once (done + dropped + unfinished =
 * arrived).
 */
#include "serve_int.h"

#include <math.h>
#include <string.h>

/* Where 'r' ran: its prefill instance (NULL when never admitted) and
 * decode instance (the same in monolithic mode; NULL when its KV never
 * reached one, or it produced at most one token). */
static void placement(const srv_sim *s, const srv_req *r, srv_request_rec *rec)
{
    const char *pinst = r->admitted >= 0 ? s->insts[r->pinst].name : NULL;
    bool moved = r->dinst >= 0;
    const char *dinst = s->n_prefill == 0 ? pinst
                        : moved           ? s->insts[r->dinst].name
                                          : NULL;

    rec->prefill_instance = pinst;
    rec->decode_instance = r->generated > 1 ? dinst : NULL;
    rec->kv_transfer_s = s->n_prefill == 0 ? 0
                         : moved           ? r->xfer_s
                                           : (double)NAN;
}

static void fill_record(const srv_sim *s, const srv_req *r,
                        srv_request_status st, srv_drop_reason why,
                        srv_request_rec *rec)
{
    double arrival = hs_time_to_s(r->arrival);
    double first =
        r->first_token >= 0 ? hs_time_to_s(r->first_token) : (double)NAN;
    double finish =
        st == SRV_REQ_DONE ? hs_time_to_s(eng_now(s->eng)) : (double)NAN;

    memset(rec, 0, sizeof *rec);
    rec->request_id = r->id;
    rec->source = s->sources[r->source].name;
    rec->session_id = r->session_id;
    rec->turn = r->session_id >= 0 ? r->turn : -1;
    rec->arrival_s = arrival;
    rec->prompt_tokens = r->prompt;
    rec->cached_tokens = r->cached_tokens;
    rec->output_tokens = r->output;
    placement(s, r, rec);
    rec->first_token_s = first;
    rec->finish_s = finish;
    rec->ttft_s = first - arrival;
    rec->tpot_s = st == SRV_REQ_DONE && r->output > 1
                      ? (finish - first) / (double)(r->output - 1)
                      : (double)NAN;
    rec->e2e_s = finish - arrival;
    rec->queue_s =
        r->admitted >= 0 ? hs_time_to_s(r->admitted) - arrival : (double)NAN;
    rec->preemptions = r->preemptions;
    rec->status = st;
    rec->drop_reason = why;
    rec->warmup = r->warmup;
}

/* Invariant: 'why' is SRV_DROP_NONE exactly when 'st' is not dropped. */
static void retire_as(srv_sim *s, srv_req *r, srv_request_status st,
                      srv_drop_reason why)
{
    srv_request_rec rec;

    HS_ASSERT((st == SRV_REQ_DROPPED) == (why != SRV_DROP_NONE));
    fill_record(s, r, st, why, &rec);
    srv_stats_account(s, r, &rec);
    if (r->session_id >= 0)
        srv_session_call(s, r, &rec);
    srv_emit_request(s, &rec);
    s->stats.in_flight--;
    if (st != SRV_REQ_UNFINISHED)
        srv_source_release(s, r->source, r->session_id);
    srv_req_free(&s->reqs, r);
}

void srv_retire(srv_sim *s, srv_req *r, srv_request_status st)
{
    retire_as(s, r, st, SRV_DROP_NONE);
}

void srv_drop(srv_sim *s, srv_req *r, srv_drop_reason why)
{
    retire_as(s, r, SRV_REQ_DROPPED, why);
}
