/*
 * srv_batch.c -- the actions a batch scheduler composes to form an
 * iteration (srv_host.h): grow the running decodes by one token (with
 * preemption of the newest requests when KV blocks run short), give
 * partial prefills their next chunk, admit waiting requests whose KV
 * fits.  State changes as the iteration is planned; its end is the step
 * event (srv_step.c applies it).
 *
 * Cost: O(1) for the decodes (lazy state, srv_inst.h), O(prefills
 * scheduled) for the rest; O(batch) only when a preemption is due.
 */
#include "srv_inst.h"

#include <string.h>

/* Move the queue's head, reserved, into the batch. */
static void admit(srv_inst *in, srv_req *r, hs_time now)
{
    HS_ASSERT(in->n_running < in->max_batch);
    srv_queue_pop(&in->wait);
    r->swapped_back = 0;
    r->admit_seq = in->admit_seq++;
    if (r->admitted < 0)
        r->admitted = now;
    in->running[in->n_running++] = r;
    in->prefilling[in->n_prefilling++] = r;
}

/* Preempt the newest running request: drop its KV (the KV policy may
 * swap it to a pool instead) and queue it first, to prefill its prompt
 * and generated tokens again.  On a decode instance it leaves for the
 * prefill pool (the cluster is told after planning). */
static void preempt_newest(srv_inst *in, hs_time now)
{
    srv_req *r = in->running[--in->n_running];
    int64_t before;

    if (srv_req_decoding(r))
        srv_decode_leave(in, r);
    else
        srv_list_remove(in->prefilling, &in->n_prefilling, r);
    before = r->target - r->prefilled;
    if (in->kvpol->swap_out != NULL)
        in->kvpol->swap_out(in, in->kvpol_st, r);
    in->used_blocks -= r->blocks;
    r->blocks = 0;
    srv_kv_unpin(in, r, now);
    r->target = r->prompt + r->generated;
    r->prefilled = 0;
    r->kv_tokens = 0;
    r->chunk = 0;
    r->preemptions++;
    if (in->kind == SRV_KIND_DECODE) {
        in->outstanding -= before + (r->output - r->generated);
        in->prefill_left -= before;
        r->next = in->evicted;
        in->evicted = r;
        return;
    }
    in->outstanding += r->target - before;
    in->prefill_left += r->target - before;
    srv_queue_push_front(&in->wait, r);
}

/* Blocks run short for this iteration's growth: go through the decodes
 * oldest first, growing each, preempting the newest requests until it
 * fits (or preempting itself when it is the newest). */
static void grow_preempting(srv_inst *in, hs_time now)
{
    for (int64_t i = 0; i < in->n_running; i++) {
        srv_req *r = in->running[i];
        int64_t need;

        if (!srv_req_decoding(r))
            continue;
        need = srv_blocks_for(in, srv_decode_kv(in, r) + 1) -
               srv_blocks_for(in, srv_decode_kv(in, r));
        while (need > srv_free_blocks(in) && in->n_running - 1 > i)
            preempt_newest(in, now);
        if (need > srv_free_blocks(in)) {
            preempt_newest(in, now); /* r itself: the newest now */
            break;
        }
        in->used_blocks += need;
    }
}

int64_t srv_batch_decodes(srv_inst *in, cost_batch *b, hs_time now)
{
    int64_t growth = in->cross[srv_decode_crossing(in)];

    srv_kv_make_room(in, growth, now);
    if (growth > srv_free_blocks(in))
        grow_preempting(in, now);
    else
        in->used_blocks += growth;
    srv_decode_add(in, b);
    return in->n_dec;
}

/* Schedule 'q' tokens of r's prefill in this iteration. */
static void add_chunk(srv_inst *in, cost_batch *b, srv_req *r, int64_t q)
{
    r->chunk = q;
    in->sched_reqs[in->n_sched++] = r;
    cost_batch_add_prefill(b, &in->ctx, q, r->prefilled,
                           r->prefilled + q == r->target);
}

int64_t srv_batch_prefills(srv_inst *in, cost_batch *b, int64_t budget,
                           int64_t *n_seqs)
{
    for (int64_t i = 0; i < in->n_prefilling && budget > 0; i++) {
        srv_req *r = in->prefilling[i];
        int64_t q = r->target - r->prefilled < budget
                        ? r->target - r->prefilled
                        : budget;

        add_chunk(in, b, r, q);
        budget -= q;
        (*n_seqs)++;
    }
    return budget;
}

int64_t srv_batch_admit(srv_inst *in, cost_batch *b, int64_t budget,
                        bool whole, hs_time now, int64_t *n_seqs,
                        bool *cap_blocked)
{
    int64_t admitted = 0;

    while (in->wait.head != NULL && in->n_running < in->max_batch &&
           budget > 0) {
        srv_req *r = in->wait.head;
        int64_t rest, q;

        if (!srv_kv_reserve(in, r, now)) {
            *cap_blocked = true;
            break;
        }
        rest = r->target - r->prefilled;
        if (whole && admitted > 0 && rest > budget) {
            srv_kv_unreserve(in, r, now);
            break;
        }
        admit(in, r, now);
        q = whole || rest < budget ? rest : budget;
        add_chunk(in, b, r, q);
        budget -= q;
        admitted++;
        (*n_seqs)++;
    }
    return admitted;
}

void srv_batch_admit_ready(srv_inst *in)
{
    while (in->wait.head != NULL && in->n_running < in->max_batch) {
        srv_req *r = srv_queue_pop(&in->wait);

        r->admit_seq = in->admit_seq++;
        in->running[in->n_running++] = r;
        in->held_blocks -= r->blocks;
        srv_decode_enter(in, r);
    }
}

bool srv_batch_steady_decodes(const srv_inst *in, srv_plan *p)
{
    if (in->n_running == 0 || in->n_dec != in->n_running)
        return false;
    if (in->cross[srv_decode_crossing(in)] > srv_free_blocks(in))
        return false; /* a preemption is due: plan it normally */
    memset(p, 0, sizeof *p);
    srv_decode_add(in, &p->batch);
    p->n_seqs = p->n_decodes = in->n_dec;
    return true;
}
