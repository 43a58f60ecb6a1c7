/*
 * srv_session.c -- agent sessions in progress: each call that ends adds
 * to its session's totals; the session's row is emitted when its last
 * call ends, or, unfinished, when the run ends.  O(1) expected per call.
 */
#include "serve_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void srv_sessions_init(srv_sessions *t, int n_sources)
{
    memset(t, 0, sizeof *t);
    t->n_sources = n_sources;
    t->by_source = hs_calloc((size_t)n_sources + 1, sizeof *t->by_source);
}

void srv_sessions_fini(srv_sessions *t)
{
    for (int i = 0; i < t->n_sources && t->by_source != NULL; i++)
        hs_table_fini(&t->by_source[i]);
    free(t->by_source);
    free(t->slot);
    free(t->free_slots);
    memset(t, 0, sizeof *t);
}

/* The session of (source, id), started now when new. */
static srv_sess *sess_get(srv_sessions *t, int32_t source, int64_t id)
{
    hs_table *index = &t->by_source[source];
    uint64_t k;
    srv_sess *x;

    if (hs_table_get(index, (uint64_t)id, &k))
        return &t->slot[k];
    if (t->n_free > 0) {
        k = t->free_slots[--t->n_free];
    } else {
        hs_grow((void **)&t->slot, &t->cap_slots, t->n_slots + 1,
                sizeof *t->slot);
        k = t->n_slots++;
    }
    hs_table_put(index, (uint64_t)id, k);
    x = &t->slot[k];
    memset(x, 0, sizeof *x);
    x->live = true;
    x->source = source;
    x->session_id = id;
    x->start = -1;
    return x;
}

static void sess_remove(srv_sessions *t, srv_sess *x)
{
    size_t k = (size_t)(x - t->slot);

    hs_table_del(&t->by_source[x->source], (uint64_t)x->session_id);
    x->live = false;
    hs_grow((void **)&t->free_slots, &t->cap_free, t->n_free + 1,
            sizeof *t->free_slots);
    t->free_slots[t->n_free++] = k;
}

static void emit_session(srv_sim *s, const srv_sess *x, bool done)
{
    srv_session_rec rec = {
        .session_id = x->session_id,
        .source = s->sources[x->source].name,
        .calls = x->calls,
        .start_s = hs_time_to_s(x->start),
        .end_s = done ? hs_time_to_s(x->end) : (double)NAN,
        .total_tokens = x->total_tokens,
        .cached_tokens = x->cached_tokens,
    };

    if (done) {
        s->stats.sessions_done++;
        s->stats.session_time_sum += hs_time_to_s(x->end - x->start);
    }
    srv_emit_session(s, &rec);
}

void srv_session_call(srv_sim *s, const srv_req *r, const srv_request_rec *rec)
{
    srv_sess *x = sess_get(&s->sessions, r->source, r->session_id);

    if (x->start < 0 || r->arrival < x->start)
        x->start = r->arrival;
    if (rec->status == SRV_REQ_UNFINISHED)
        return;
    x->calls++;
    x->total_tokens +=
        r->prompt + (rec->status == SRV_REQ_DONE ? r->output : 0);
    x->cached_tokens += r->cached_tokens;
    x->end = eng_now(s->eng);
    if (r->session_last) {
        emit_session(s, x, true);
        sess_remove(&s->sessions, x);
    }
}

void srv_sessions_flush(srv_sim *s)
{
    for (size_t k = 0; k < s->sessions.n_slots; k++)
        if (s->sessions.slot[k].live)
            emit_session(s, &s->sessions.slot[k], false);
}
