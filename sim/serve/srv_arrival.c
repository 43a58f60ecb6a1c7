/*
 * srv_arrival.c -- a request arrives: it is made from the source's
 * pending wl_request (lengths, session, the prefix a cache may reuse),
 * routed, and queued at its instance -- or dropped at once: before
 * routing when its prompt + output exceed the model's max_context and
 * its source does not say 'on_max_context: truncate' (drop reason
 * max_context; a truncated one goes on with its prompt's head cut), or
 * after routing when it could never fit its instance even alone
 * (never_fits).
 */
#include "serve_int.h"

#include <string.h>

/* What a prefix cache may reuse of 'r', as the workload describes it:
 * content ids (used when this cluster's KV block divides their block),
 * or the derived ids of a session's context, named per KV block. */
static void set_prefix(srv_sim *s, srv_req *r, const wl_prefix *p)
{
    int64_t bs = s->sc->cluster.block_size;

    if (p->ids != NULL && p->n_ids > 0 && p->id_tokens % bs == 0) {
        srv_req_set_ids(&s->reqs, r, p->ids, p->n_ids);
        r->id_tokens = p->id_tokens;
        r->prefix_limit = p->tokens;
    } else if (p->ids == NULL && p->key != 0) {
        r->prefix_key = p->key;
        r->id_tokens = bs;
        r->prefix_limit = p->tokens;
    }
}

/* Make the request of source 'idx''s pending wl_request, held to the
 * model's max_context as the source says (wl_context_fit): '*fit' is
 * WL_FIT_DROP when it must be dropped; a truncated one reuses no
 * prefix. */
static srv_req *make_request(srv_sim *s, int idx, wl_fit *fit)
{
    const wl_request *w = &s->sources[idx].next;
    srv_req *r = srv_req_new(&s->reqs);

    r->id = s->next_id++;
    r->source = (int32_t)idx;
    r->session_id = w->session_id;
    r->turn = w->turn;
    r->warmup = w->id < s->sc->workload[idx].warmup;
    r->arrival = w->arrival;
    /* Zero-length prompts or outputs in traces are simulated as one
     * token: every call reads at least one token and produces one. */
    r->prompt = w->prompt_tokens > 0 ? w->prompt_tokens : 1;
    r->output = w->output_tokens > 0 ? w->output_tokens : 1;
    *fit = wl_context_fit(s->sc->model.max_context,
                          s->sc->workload[idx].on_max_context, &r->prompt,
                          &r->output);
    r->target = r->prompt;
    r->admitted = -1;
    r->first_token = -1;
    r->prefill_end = -1;
    r->dinst = -1;
    if (*fit == WL_FIT_OK)
        set_prefix(s, r, &w->prefix);
    r->session_last = w->session_last;
    s->stats.arrived++;
    s->stats.in_flight++;
    s->stats.input_tokens += r->prompt;
    return r;
}

/* Would 'r' never fit?  Its prompt and output cannot be held even alone
 * by the instance that prefills it (monolithic) or decodes it (split). */
static bool never_fits(const srv_sim *s, const srv_req *r, int dst)
{
    const srv_inst *in = &s->insts[dst];
    const srv_inst *dec = s->n_prefill > 0 ? &s->insts[s->n_prefill] : in;

    return srv_blocks_for(in, r->prompt) > in->total_blocks ||
           srv_blocks_for(dec, r->prompt + r->output) > dec->total_blocks;
}

void srv_on_arrival(eng_sim *eng, void *target, uint32_t kind, uint64_t arg)
{
    srv_sim *s = target;
    int idx = (int)arg, dst;
    srv_req *r;
    wl_fit fit;

    (void)eng;
    (void)kind;
    if (!srv_source_take(s, idx))
        return;
    r = make_request(s, idx, &fit);
    if (fit == WL_FIT_DROP) { /* beyond the model's context: not routed */
        srv_source_arm(s, idx);
        srv_drop(s, r, SRV_DROP_MAX_CONTEXT);
        return;
    }
    dst = srv_route(s, r);
    r->inst = r->pinst = dst;
    srv_source_arm(s, idx);
    if (never_fits(s, r, dst)) {
        srv_drop(s, r, SRV_DROP_NEVER_FITS);
        return;
    }
    srv_inst_enqueue(&s->insts[dst], r);
    srv_inst_kick(&s->insts[dst]);
}
