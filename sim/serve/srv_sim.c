/*
 * srv_sim.c -- the serving simulation: builds the instances of a
 * monolithic cluster, pulls requests from the workload sources (one
 * pending arrival event per source), routes them, runs the engine, and
 * reports requests, steps, samples, instance totals and the summary to
 * the sink.
 *
 * Requests come from slabs recycled through a free list, so memory grows
 * with requests in flight, not with requests simulated.  Summary
 * percentiles are GSL P^2 streaming estimates (five markers per
 * quantile), so they too take constant memory; exact percentiles are a
 * query on the requests table (docs/schema.md).
 */
#include "serve_int.h"

#include "hetsim/hw.h"

#include <gsl/gsl_rstat.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SLAB_REQS 1024

static const double quantile_p[3] = {0.5, 0.9, 0.99};

const char *srv_request_status_name(srv_request_status st)
{
    switch (st) {
    case SRV_REQ_DONE:
        return "done";
    case SRV_REQ_DROPPED:
        return "dropped";
    case SRV_REQ_UNFINISHED:
        return "unfinished";
    }
    return "unknown";
}

/* ---- request pool ---------------------------------------------------------- */

static srv_req *req_alloc(srv_sim *s)
{
    srv_req *r = s->free_reqs;

    if (r == NULL) {
        srv_req *slab = hs_calloc(SLAB_REQS, sizeof *slab);

        hs_grow((void **)&s->slabs, &s->cap_slabs, s->n_slabs + 1,
                sizeof *s->slabs);
        s->slabs[s->n_slabs++] = slab;
        for (size_t i = SLAB_REQS; i-- > 0;) {
            slab[i].next = s->free_reqs;
            s->free_reqs = &slab[i];
        }
        r = s->free_reqs;
    }
    s->free_reqs = r->next;
    memset(r, 0, sizeof *r);
    return r;
}

/* Prefix-id buffers, recycled by size class (2^class ids), so that
 * Mooncake requests cost no allocation once the pool is warm. */
#define ID_CLASSES 24

static uint32_t *ids_alloc(srv_sim *s, size_t n, int32_t *cls)
{
    int32_t c = 4;
    void *buf;

    while (((size_t)1 << c) < n)
        c++;
    HS_ASSERT(c < ID_CLASSES);
    *cls = c;
    buf = s->id_pool[c];
    if (buf == NULL)
        return hs_malloc(((size_t)1 << c) * sizeof(uint32_t));
    memcpy(&s->id_pool[c], buf, sizeof(void *)); /* next free buffer */
    return buf;
}

static void ids_free(srv_sim *s, uint32_t *ids, int32_t cls)
{
    memcpy(ids, &s->id_pool[cls], sizeof(void *));
    s->id_pool[cls] = ids;
}

static void req_free(srv_sim *s, srv_req *r)
{
    if (r->ids != NULL)
        ids_free(s, r->ids, r->ids_class);
    r->ids = NULL;
    r->next = s->free_reqs;
    s->free_reqs = r;
}

uint64_t srv_req_id(const srv_req *r, int64_t i)
{
    uint64_t x;

    if (r->ids != NULL)
        return (uint64_t)r->ids[i] + 1; /* 0 is never an id */
    /* An agent session's context block i: the same in every call. */
    x = ((uint64_t)(uint32_t)r->source << 48) ^
        ((uint64_t)r->session_id << 20) ^ (uint64_t)i;
    return hs_mix64(x) | (UINT64_C(1) << 63);
}

/* ---- sink helpers ------------------------------------------------------------ */

static void fail(srv_sim *s, int status, const char *what)
{
    if (s->status == HS_OK) {
        s->status = status;
        if (what != NULL)
            hs_diag_error(s->diag, (hs_loc){NULL, 0, 0}, "%s", what);
    }
    eng_stop(s->eng);
}

void srv_sim_emit_step(srv_sim *s, const srv_step_rec *rec)
{
    if (s->sink.step != NULL && s->sink.step(s->sink.ctx, rec) != 0)
        fail(s, HS_EIO, NULL);
}

static void emit_metric(srv_sim *s, const char *scope, const char *name,
                        double v)
{
    if (s->sink.metric != NULL &&
        s->sink.metric(s->sink.ctx, scope, name, v) != 0)
        fail(s, HS_EIO, NULL);
}

/* ---- statistics ---------------------------------------------------------------- */

static void quantiles_init(srv_quantiles *q)
{
    for (int i = 0; i < 3; i++)
        q->q[i] = gsl_rstat_quantile_alloc(quantile_p[i]);
    q->sum = 0;
    q->n = 0;
}

static void quantiles_fini(srv_quantiles *q)
{
    for (int i = 0; i < 3; i++)
        if (q->q[i] != NULL)
            gsl_rstat_quantile_free(q->q[i]);
}

static void quantiles_add(srv_quantiles *q, double v)
{
    for (int i = 0; i < 3; i++)
        gsl_rstat_quantile_add(v, q->q[i]);
    q->sum += v;
    q->n++;
}

static void quantiles_get(const srv_quantiles *q, double out[3], double *mean)
{
    for (int i = 0; i < 3; i++)
        out[i] = q->n > 0 ? gsl_rstat_quantile_get(q->q[i]) : (double)NAN;
    *mean = q->n > 0 ? q->sum / (double)q->n : (double)NAN;
}

static bool meets_slo(const srv_sim *s, const srv_request_rec *r)
{
    for (size_t i = 0; i < s->sc->n_slo; i++) {
        const sc_slo *slo = &s->sc->slo[i];
        double v = slo->metric == SC_SLO_TTFT   ? r->ttft_s
                   : slo->metric == SC_SLO_TPOT ? r->tpot_s
                                                : r->e2e_s;

        if (!isnan(v) && v > slo->threshold_s)
            return false;
    }
    return true;
}

/* ---- retiring requests ----------------------------------------------------------- */

static void fill_record(const srv_sim *s, const srv_req *r,
                        srv_request_status st, srv_request_rec *rec)
{
    double arrival = hs_time_to_s(r->arrival);
    double first =
        r->first_token >= 0 ? hs_time_to_s(r->first_token) : (double)NAN;
    double finish =
        st == SRV_REQ_DONE ? hs_time_to_s(eng_now(s->eng)) : (double)NAN;
    const char *pinst = r->admitted >= 0 ? s->insts[r->pinst].name : NULL;
    bool moved = r->dinst >= 0;
    const char *dinst = s->n_prefill == 0 ? pinst
                        : moved           ? s->insts[r->dinst].name
                                          : NULL;

    memset(rec, 0, sizeof *rec);
    rec->request_id = r->id;
    rec->source = s->sources[r->source].name;
    rec->session_id = r->session_id;
    rec->turn = r->session_id >= 0 ? r->turn : -1;
    rec->arrival_s = arrival;
    rec->prompt_tokens = r->prompt;
    rec->cached_tokens = r->cached_tokens;
    rec->output_tokens = r->output;
    rec->prefill_instance = pinst;
    rec->decode_instance = r->generated > 1 ? dinst : NULL;
    rec->first_token_s = first;
    rec->finish_s = finish;
    rec->ttft_s = first - arrival;
    rec->tpot_s = st == SRV_REQ_DONE && r->output > 1
                      ? (finish - first) / (double)(r->output - 1)
                      : (double)NAN;
    rec->e2e_s = finish - arrival;
    rec->queue_s =
        r->admitted >= 0 ? hs_time_to_s(r->admitted) - arrival : (double)NAN;
    rec->kv_transfer_s = s->n_prefill == 0 ? 0
                         : moved           ? r->xfer_s
                                           : (double)NAN;
    rec->preemptions = r->preemptions;
    rec->status = st;
}

static void account_blocks(srv_sim *s, const srv_req *r)
{
    if (r->id_tokens == 0)
        return;
    s->hit_blocks += r->hit_blocks;
    s->id_blocks += (r->prompt + r->id_tokens - 1) / r->id_tokens;
}

static void account(srv_sim *s, const srv_request_rec *rec)
{
    if (rec->status == SRV_REQ_DONE) {
        s->done++;
        s->cached_tokens += rec->cached_tokens;
        s->done_prompt_tokens += rec->prompt_tokens;
        s->output_tokens += rec->output_tokens;
        quantiles_add(&s->ttft, rec->ttft_s);
        quantiles_add(&s->e2e, rec->e2e_s);
        if (!isnan(rec->tpot_s))
            quantiles_add(&s->tpot, rec->tpot_s);
        if (meets_slo(s, rec))
            s->slo_met++;
    } else if (rec->status == SRV_REQ_DROPPED) {
        s->dropped++;
    }
    if (!isnan(rec->queue_s)) {
        s->queue_sum += rec->queue_s;
        s->queue_n++;
    }
    s->preemptions += rec->preemptions;
}

static void arm(srv_sim *s, int idx);

/* ---- sessions -------------------------------------------------------------------- */

static uint64_t sess_key(int32_t source, int64_t session_id)
{
    uint64_t x = ((uint64_t)(uint32_t)source << 40) ^ (uint64_t)session_id;

    x = (x ^ (x >> 31)) * UINT64_C(0x7fb5d329728ea185);
    return (x ^ (x >> 27)) | 1; /* never 0 */
}

static size_t sess_home(const srv_sessions *t, uint64_t key)
{
    return (size_t)(key * UINT64_C(0x9e3779b97f4a7c15) >> 20) & (t->cap - 1);
}

static srv_sess *sess_get(srv_sessions *t, int32_t source, int64_t id)
{
    uint64_t key = sess_key(source, id);
    size_t i;

    if ((t->n + 1) * 2 > t->cap) {
        srv_sessions old = *t;

        t->cap = old.cap == 0 ? 64 : old.cap * 2;
        t->slot = hs_calloc(t->cap, sizeof *t->slot);
        for (size_t j = 0; j < old.cap; j++) {
            if (old.slot[j].key == 0)
                continue;
            for (i = sess_home(t, old.slot[j].key); t->slot[i].key != 0;
                 i = (i + 1) & (t->cap - 1))
                ;
            t->slot[i] = old.slot[j];
        }
        free(old.slot);
    }
    for (i = sess_home(t, key); t->slot[i].key != 0;
         i = (i + 1) & (t->cap - 1))
        if (t->slot[i].key == key && t->slot[i].source == source &&
            t->slot[i].session_id == id)
            return &t->slot[i];
    memset(&t->slot[i], 0, sizeof t->slot[i]);
    t->slot[i].key = key;
    t->slot[i].source = source;
    t->slot[i].session_id = id;
    t->slot[i].start = -1;
    t->n++;
    return &t->slot[i];
}

static void sess_remove(srv_sessions *t, srv_sess *x)
{
    size_t i = (size_t)(x - t->slot), j;

    for (j = (i + 1) & (t->cap - 1); t->slot[j].key != 0;
         j = (j + 1) & (t->cap - 1)) {
        size_t home = sess_home(t, t->slot[j].key);

        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
            t->slot[i] = t->slot[j];
            i = j;
        }
    }
    t->slot[i].key = 0;
    t->n--;
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
        s->sessions_done++;
        s->session_time_sum += hs_time_to_s(x->end - x->start);
    }
    if (s->sink.session != NULL && s->sink.session(s->sink.ctx, &rec) != 0)
        fail(s, HS_EIO, NULL);
}

/* A call of a session ended (or the run ends with it unfinished). */
static void session_call(srv_sim *s, const srv_req *r,
                         const srv_request_rec *rec)
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

/* Sessions still open when the run ends. */
static void flush_sessions(srv_sim *s)
{
    for (size_t i = 0; i < s->sessions.cap; i++)
        if (s->sessions.slot[i].key != 0)
            emit_session(s, &s->sessions.slot[i], false);
}

void srv_sim_retire(srv_sim *s, srv_req *r, srv_request_status st)
{
    srv_request_rec rec;
    int idx = r->source;
    srv_source *src = &s->sources[idx];

    fill_record(s, r, st, &rec);
    account(s, &rec);
    if (r->session_id >= 0)
        session_call(s, r, &rec);
    if (st == SRV_REQ_DONE)
        account_blocks(s, r);
    if (s->sink.request != NULL && s->sink.request(s->sink.ctx, &rec) != 0)
        fail(s, HS_EIO, NULL);
    s->in_flight--;
    if (src->closed && st != SRV_REQ_UNFINISHED) {
        /* Closed loops: a finished (or dropped) request lets the next
         * one come -- the benchmark client's next request, or the
         * session's next call after its tool or think gap. */
        wl_source_release(src->src, eng_now(s->eng));
        wl_source_finished(src->src, r->session_id, eng_now(s->eng));
        if (!src->exhausted)
            arm(s, idx);
    }
    req_free(s, r);
}

/* ---- arrivals ---------------------------------------------------------------------- */

/* (Re)schedule source 'idx''s pending arrival at the time of its next
 * request.  A closed-loop source may have an earlier request due after a
 * completion than the one already scheduled: the event moves. */
static void arm(srv_sim *s, int idx)
{
    srv_source *src = &s->sources[idx];
    hs_time t;
    int rc = wl_source_peek(src->src, &t, s->diag);

    if (rc < 0) {
        fail(s, rc, NULL);
        return;
    }
    if (rc == 0) {
        HS_ASSERT(src->ev == ENG_NO_EVENT);
        src->exhausted = !wl_source_blocked(src->src);
        src->next_time = HS_TIME_MAX;
        return;
    }
    if (t < eng_now(s->eng))
        t = eng_now(s->eng);
    if (src->ev == ENG_NO_EVENT)
        src->ev = eng_schedule(s->eng, t, ENG_PRIO_ARRIVAL, srv_on_event, s,
                               SRV_EV_ARRIVAL, (uint64_t)idx);
    else if (t != src->next_time)
        eng_reschedule(s->eng, src->ev, t);
    src->next_time = t;
}

/* Take the request whose arrival is now from source 'idx'. */
static bool take(srv_sim *s, int idx)
{
    srv_source *src = &s->sources[idx];
    int rc = wl_source_next(src->src, &src->next, s->diag);

    src->ev = ENG_NO_EVENT;
    src->next_time = HS_TIME_MAX;
    if (rc != 1) {
        fail(s, rc < 0 ? rc : HS_ERUNTIME,
             rc < 0 ? NULL : "workload source lost a peeked request");
        return false;
    }
    src->next.arrival = eng_now(s->eng);
    return true;
}

/* What a prefix cache may reuse of 'r': Mooncake's hash ids (512-token
 * blocks), or an agent session's context, in KV blocks. */
static void set_prefix_ids(srv_sim *s, srv_req *r, const wl_request *w)
{
    int64_t bs = s->sc->cluster.block_size;

    if (w->n_hash_ids > 0 && 512 % bs == 0) {
        r->ids = ids_alloc(s, w->n_hash_ids, &r->ids_class);
        memcpy(r->ids, w->hash_ids, w->n_hash_ids * sizeof *r->ids);
        r->n_ids = (int64_t)w->n_hash_ids;
        r->id_tokens = 512;
        r->prefix_limit = r->prompt;
    } else if (w->session_id >= 0) {
        r->id_tokens = bs;
        r->prefix_limit = w->prefix_tokens;
    }
}

static srv_req *make_request(srv_sim *s, int idx)
{
    const wl_request *w = &s->sources[idx].next;
    srv_req *r = req_alloc(s);

    r->id = s->next_id++;
    r->source = (int32_t)idx;
    r->session_id = w->session_id;
    r->turn = w->turn;
    r->arrival = w->arrival;
    /* Zero-length prompts or outputs in traces are simulated as one
     * token: every call reads at least one token and produces one. */
    r->prompt = w->prompt_tokens > 0 ? w->prompt_tokens : 1;
    r->output = w->output_tokens > 0 ? w->output_tokens : 1;
    r->target = r->prompt;
    r->admitted = -1;
    r->first_token = -1;
    r->prefill_end = -1;
    r->dinst = -1;
    set_prefix_ids(s, r, w);
    r->session_last = w->session_last;
    s->arrived++;
    s->in_flight++;
    s->input_tokens += r->prompt;
    return r;
}

/* Cached prefix blocks of 'r' on instance 'in' (counting from block 0,
 * up to 'max'). */
static int64_t cached_prefix(const srv_inst *in, const srv_req *r, int64_t max)
{
    int64_t k = 0;

    while (k < max && srv_pcache_find(&in->cache, srv_req_id(r, k)) >= 0)
        k++;
    return k;
}

/* Instances a new request may be routed to: all of them, or in split
 * mode the prefill pool.  Prefix affinity comes first: a request whose
 * prefix is cached goes to the instance holding the longest part of it
 * (an agent session returns to its KV); otherwise the router decides. */
static int route(srv_sim *s, const srv_req *r)
{
    int n = s->n_prefill > 0 ? s->n_prefill : s->n_insts;
    int best = -1;
    int64_t best_k = 0;

    if (r->id_tokens > 0 && s->insts[0].caching) {
        int64_t max = (r->prefix_limit < r->prompt - 1 ? r->prefix_limit
                                                       : r->prompt - 1) /
                      r->id_tokens;

        if (r->ids != NULL && max > r->n_ids)
            max = r->n_ids;
        for (int i = 0; i < n && max > 0; i++) {
            int64_t k = cached_prefix(&s->insts[i], r, max);

            if (k > best_k) {
                best_k = k;
                best = i;
            }
        }
    }
    if (best >= 0)
        return best;
    return s->router.ops->select(&s->router, s->insts, n, r);
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

static void on_arrival(srv_sim *s, int idx)
{
    srv_req *r;
    int dst;
    srv_inst *in;

    if (!take(s, idx))
        return;
    r = make_request(s, idx);
    dst = route(s, r);
    in = &s->insts[dst];
    r->inst = r->pinst = dst;
    arm(s, idx);
    if (never_fits(s, r, dst)) {
        srv_sim_retire(s, r, SRV_REQ_DROPPED);
        return;
    }
    srv_inst_enqueue(in, r);
    srv_inst_kick(s, dst);
}

/* ---- split mode: hand-off, KV transfer, recompute ------------------------------ */

static void moving_add(srv_sim *s, srv_req *r)
{
    r->prev = NULL;
    r->next = s->moving.head;
    if (s->moving.head != NULL)
        s->moving.head->prev = r;
    s->moving.head = r;
    s->moving.n++;
}

static void moving_remove(srv_sim *s, srv_req *r)
{
    if (r->prev != NULL)
        r->prev->next = r->next;
    else
        s->moving.head = r->next;
    if (r->next != NULL)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
    s->moving.n--;
}

/* Free the blocks 'r' held on its prefill instance, and release the
 * prefix-cache entries it pinned there. */
static void release_prefill(srv_sim *s, srv_req *r)
{
    srv_inst *p = &s->insts[r->pinst];

    p->used_blocks -= r->pblocks;
    p->held_blocks -= r->pblocks;
    r->pblocks = 0;
    srv_inst_unpin(p, r, eng_now(s->eng));
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

    if (s->sink.transfer != NULL && s->sink.transfer(s->sink.ctx, &rec) != 0)
        fail(s, HS_EIO, NULL);
    /* Layer-wise: the last layers' KV is ready only when the prefill step
     * ends. */
    if (end < r->prefill_end)
        eng_schedule(s->eng, r->prefill_end, ENG_PRIO_COMPLETION, srv_on_event,
                     s, SRV_EV_READY, (uint64_t)(uintptr_t)r);
    else
        srv_sim_ready(s, r);
}

void srv_sim_ready(srv_sim *s, srv_req *r)
{
    moving_remove(s, r);
    r->xfer_s += hs_time_to_s(eng_now(s->eng) - r->prefill_end);
    r->dinst = r->inst;
    release_prefill(s, r);
    srv_inst_receive(&s->insts[r->inst], r);
    srv_inst_kick(s, r->inst);
    srv_inst_kick(s, r->pinst);
}

static void start_transfer(srv_sim *s, srv_req *r)
{
    int res[2] = {s->insts[r->pinst].port, s->insts[r->inst].port};

    moving_add(s, r);
    hw_net_start(s->net, res, 2, (double)r->kv_tokens * s->kv_token_bytes,
                 s->xfer_epb, on_transfer_done, s, (uint64_t)(uintptr_t)r);
}

void srv_sim_pump(srv_sim *s, int didx)
{
    srv_req *r;

    while ((r = srv_inst_xwait_take(&s->insts[didx])) != NULL)
        start_transfer(s, r);
}

void srv_sim_handoff(srv_sim *s, int pidx, srv_req *r, hs_time prefill_end)
{
    const srv_inst *dec = &s->insts[s->n_prefill];
    srv_inst *d;
    int di;

    r->prefill_end = prefill_end;
    r->pblocks = r->blocks;
    r->blocks = 0;
    if (r->generated >= r->output) { /* the first token was the last */
        release_prefill(s, r);
        srv_sim_retire(s, r, SRV_REQ_DONE);
        srv_inst_kick(s, pidx);
        return;
    }
    di = s->n_prefill + s->drouter.ops->select(&s->drouter, dec,
                                               s->n_insts - s->n_prefill, r);
    d = &s->insts[di];
    /* Mixed fallback: when the chosen decode instance cannot take the KV
     * now, the prefill instance decodes the request itself. */
    if (s->sc->cluster.mixed_fallback && !srv_inst_can_reserve(d, r->target) &&
        srv_inst_keep(&s->insts[pidx], r)) {
        r->dinst = pidx;
        return;
    }
    r->inst = di;
    srv_inst_xwait_push(d, r);
    srv_sim_pump(s, di);
}

void srv_sim_reroute(srv_sim *s, srv_req *r)
{
    int dst = route(s, r);

    r->inst = r->pinst = dst;
    srv_inst_enqueue(&s->insts[dst], r);
    srv_inst_kick(s, dst);
}

hs_time srv_sim_horizon(const srv_sim *s)
{
    hs_time h = s->next_sample;

    /* Split mode: hand-offs and KV arrivals change decode instances at
     * any pending event. */
    if (s->net != NULL)
        return eng_next_time(s->eng) < h ? eng_next_time(s->eng) : h;

    for (int i = 0; i < s->n_sources; i++) {
        const srv_source *src = &s->sources[i];

        if (src->next_time < h)
            h = src->next_time;
        /* A closed-loop source's next request can become due when any
         * request finishes, on any instance: at a step end. */
        if (src->closed && !src->exhausted) {
            hs_time n = eng_next_time(s->eng);

            if (n < h)
                h = n;
        }
    }
    return h;
}

/* ---- samples and progress ------------------------------------------------------------ */

static void on_sample(srv_sim *s)
{
    hs_time now = eng_now(s->eng);

    for (int i = 0; i < s->n_insts && s->sink.sample != NULL; i++) {
        const srv_inst *in = &s->insts[i];
        srv_sample_rec rec = {
            .instance = in->name,
            .t_s = hs_time_to_s(now),
            .queue_len = in->n_wait,
            .running = in->n_running,
            .kv_used_bytes = (double)in->used_blocks * in->block_bytes,
            .kv_capacity_bytes = (double)in->total_blocks * in->block_bytes,
        };

        if (s->sink.sample(s->sink.ctx, &rec) != 0)
            fail(s, HS_EIO, NULL);
    }
    /* Keep sampling only while something else is still to happen. */
    s->next_sample = HS_TIME_MAX;
    if (eng_pending(s->eng) > 0) {
        s->next_sample = now + s->sample_every;
        eng_schedule(s->eng, s->next_sample, ENG_PRIO_SAMPLE, srv_on_event, s,
                     SRV_EV_SAMPLE, 0);
    }
}

static void check_all(srv_sim *s)
{
    for (int i = 0; i < s->n_insts; i++)
        if (!srv_inst_check(&s->insts[i], NULL)) {
            fail(s, HS_ERUNTIME, "serving invariant violated");
            srv_inst_check(&s->insts[i], stderr);
            return;
        }
}

void srv_on_event(eng_sim *eng, void *target, uint32_t kind, uint64_t arg)
{
    srv_sim *s = target;

    (void)eng;
    if (kind == SRV_EV_ARRIVAL)
        on_arrival(s, (int)arg);
    else if (kind == SRV_EV_STEP_END)
        srv_inst_step_end(s, (int)arg);
    else if (kind == SRV_EV_READY)
        srv_sim_ready(s, (srv_req *)(uintptr_t)arg);
    else
        on_sample(s);
    if (s->opt.check_invariants)
        check_all(s);
    if (s->opt.progress != NULL && eng_now(s->eng) >= s->next_progress) {
        s->opt.progress(s->opt.progress_ctx, hs_time_to_s(eng_now(s->eng)),
                        s->done, s->arrived);
        s->next_progress = eng_now(s->eng) + s->progress_every;
    }
}

/* ---- building ----------------------------------------------------------------------- */

/* Does the memory pool hold the KV cache of instances of 'kind'
 * (kv_pool pool-resident: every instance that decodes)? */
static bool pool_holds_kv(const sc_scenario *sc, srv_kind kind)
{
    return sc->cluster.kv_pool != SC_NONE &&
           sc->cluster.kv_pool_policy == SC_KV_POOL_RESIDENT &&
           kind != SRV_KIND_PREFILL;
}

/* KV offload: every instance with a prefix cache spills it to an even
 * share of the pool, over the pool's link. */
static int attach_offload(srv_sim *s)
{
    const sc_pool *pool = &s->sc->pools[s->sc->cluster.kv_pool];
    const cost_link *link = &s->sc->links[pool->link].link;
    int n = 0;
    double bw;

    for (int i = 0; i < s->n_insts; i++)
        n += s->insts[i].caching;
    if (n == 0)
        return HS_OK;
    bw = pool->bandwidth / n < link->bandwidth ? pool->bandwidth / n
                                               : link->bandwidth;
    s->pool = pool;
    s->pool_epb = link->energy_per_bit;
    for (int i = 0; i < s->n_insts; i++)
        if (s->insts[i].caching)
            srv_inst_attach_offload(&s->insts[i], pool->capacity_bytes / n, bw,
                                    pool->latency_s + link->latency_s,
                                    s->sc->cluster.retention ==
                                        SC_RETAIN_OFFLOAD);
    return HS_OK;
}

/* kv_pool pool-resident: the pool's capacity and bandwidth are split
 * evenly among the instances that keep their KV there (a static share:
 * streams do not contend dynamically, docs/disaggregation.md), each
 * reaching it over the pool's link. */
static int attach_pool(srv_sim *s, hs_diag *d)
{
    const sc_pool *pool;
    const cost_link *link;
    int n = 0;
    double bw;

    if (s->sc->cluster.kv_pool == SC_NONE)
        return HS_OK;
    if (s->sc->cluster.kv_pool_policy == SC_KV_OFFLOAD ||
        s->sc->cluster.retention == SC_RETAIN_OFFLOAD)
        return attach_offload(s);
    if (s->sc->cluster.kv_pool_policy != SC_KV_POOL_RESIDENT)
        return HS_OK;
    pool = &s->sc->pools[s->sc->cluster.kv_pool];
    link = &s->sc->links[pool->link].link;
    for (int i = 0; i < s->n_insts; i++)
        n += pool_holds_kv(s->sc, s->insts[i].kind);
    bw = pool->bandwidth / n < link->bandwidth ? pool->bandwidth / n
                                               : link->bandwidth;
    s->pool = pool;
    s->pool_epb = link->energy_per_bit;
    for (int i = 0; i < s->n_insts; i++)
        if (pool_holds_kv(s->sc, s->insts[i].kind) &&
            srv_inst_attach_pool(&s->insts[i], s->sc, pool->capacity_bytes / n,
                                 bw, pool->latency_s + link->latency_s,
                                 d) != HS_OK)
            return HS_EINPUT;
    return HS_OK;
}

/* Build the 'grp->count' instances of one group at s->insts[*k...].
 * 'indexed': always name them <group>.<i> (split pools, whose names are
 * also metric scopes). */
static int build_group(srv_sim *s, const sc_group *grp, srv_kind kind,
                       bool indexed, int *k, hs_diag *d)
{
    for (int64_t i = 0; i < grp->count; i++, (*k)++) {
        char name[64];

        if (grp->count == 1 && !indexed)
            snprintf(name, sizeof name, "%s", grp->name);
        else
            snprintf(name, sizeof name, "%s.%lld", grp->name, (long long)i);
        if (srv_inst_init(&s->insts[*k], s->sc, grp, kind,
                          pool_holds_kv(s->sc, kind), name, d) != HS_OK)
            return HS_EINPUT; /* the same message for every copy */
    }
    return HS_OK;
}

static int alloc_instances(srv_sim *s, int64_t total, hs_diag *d)
{
    if (total > 100000)
        return hs_diag_error(d, s->sc->cluster.loc,
                             "cluster: %lld instances is more "
                             "than the 100000 supported",
                             (long long)total);
    s->insts = hs_calloc((size_t)total, sizeof *s->insts);
    s->n_insts = (int)total;
    return HS_OK;
}

/* Split mode: the prefill pool, the decode pool, and the network of
 * their ports on the KV transfer link (one port per instance: a shared
 * fabric with per-port bandwidth, docs/disaggregation.md). */
static int build_split(srv_sim *s, hs_diag *d)
{
    const sc_cluster *c = &s->sc->cluster;
    const sc_link *link = &s->sc->links[c->kv_transfer_link];
    int k = 0;

    if (alloc_instances(s, c->prefill.count + c->decode.count, d) != HS_OK)
        return HS_EINPUT;
    if (build_group(s, &c->prefill, SRV_KIND_PREFILL, true, &k, d) != HS_OK ||
        build_group(s, &c->decode, SRV_KIND_DECODE, true, &k, d) != HS_OK)
        return HS_EINPUT;
    s->n_prefill = (int)c->prefill.count;
    s->net = hw_net_new(s->eng);
    for (int i = 0; i < s->n_insts; i++)
        s->insts[i].port =
            hw_net_add(s->net, s->insts[i].name, link->link.bandwidth,
                       link->link.latency_s);
    s->xfer_link = link->name;
    s->xfer_epb = link->link.energy_per_bit;
    s->kv_token_bytes = cost_model_kv_elems_per_token(&s->sc->model) *
                        cost_dtype_bytes(s->sc->precision.kv);
    srv_router_init(&s->drouter, s->sc->router.decode_policy,
                    s->opt.seed ^ UINT64_C(0x4445434f4445));
    s->drouter.by_kv = true;
    return HS_OK;
}

static int build_instances(srv_sim *s, hs_diag *d)
{
    const sc_cluster *c = &s->sc->cluster;
    int64_t total = 0;
    int k = 0;

    if (c->mode == SC_MODE_SPLIT)
        return build_split(s, d) == HS_OK ? attach_pool(s, d) : HS_EINPUT;
    for (size_t g = 0; g < c->n_instances; g++)
        total += c->instances[g].count;
    if (alloc_instances(s, total, d) != HS_OK)
        return HS_EINPUT;
    for (size_t g = 0; g < c->n_instances; g++)
        if (build_group(s, &c->instances[g], SRV_KIND_MONO, false, &k, d) !=
            HS_OK)
            return HS_EINPUT;
    return attach_pool(s, d);
}

static int open_sources(srv_sim *s, hs_diag *d)
{
    int rc = HS_OK;

    s->n_sources = (int)s->sc->n_workload;
    s->sources = hs_calloc((size_t)s->n_sources, sizeof *s->sources);
    for (int i = 0; i < s->n_sources; i++) {
        const wl_source_spec *spec = &s->sc->workload[i];
        srv_source *src = &s->sources[i];

        src->name = spec->name;
        src->closed = spec->kind == WL_SOURCE_AGENT ||
                      (spec->kind == WL_SOURCE_TRACE &&
                       spec->trace.format == WL_TRACE_SESSIONS) ||
                      (spec->kind == WL_SOURCE_SYNTHETIC &&
                       spec->synthetic.arrival.kind == WL_ARRIVAL_CLOSED);
        src->next_time = HS_TIME_MAX;
        src->src = wl_source_open(spec, (int32_t)i, s->opt.seed, d);
        if (src->src == NULL)
            rc = HS_EINPUT;
    }
    return rc;
}

int srv_sim_new(const sc_scenario *sc, const srv_options *opt,
                const srv_sink *sink, srv_sim **out, hs_diag *d)
{
    srv_sim *s = hs_calloc(1, sizeof *s);
    int rc;

    *out = NULL;
    s->sc = sc;
    if (opt != NULL)
        s->opt = *opt;
    if (sink != NULL)
        s->sink = *sink;
    s->eng = eng_sim_new();
    quantiles_init(&s->ttft);
    quantiles_init(&s->tpot);
    quantiles_init(&s->e2e);
    s->next_sample = HS_TIME_MAX;
    s->next_progress = HS_TIME_MAX;
    srv_router_init(&s->router, sc->router.policy, s->opt.seed);
    rc = build_instances(s, d);
    if (rc == HS_OK)
        rc = open_sources(s, d);
    if (rc != HS_OK) {
        srv_sim_free(s);
        return rc;
    }
    *out = s;
    return HS_OK;
}

/* ---- running ---------------------------------------------------------------------------- */

static void start(srv_sim *s)
{
    for (int i = 0; i < s->n_sources; i++)
        arm(s, i);
    if (s->sc->output.timeseries_interval_s > 0 && s->sink.sample != NULL) {
        s->sample_every = hs_time_from_s(s->sc->output.timeseries_interval_s);
        if (s->sample_every < 1)
            s->sample_every = 1;
        s->next_sample = 0;
        eng_schedule(s->eng, 0, ENG_PRIO_SAMPLE, srv_on_event, s,
                     SRV_EV_SAMPLE, 0);
    }
    if (s->opt.progress != NULL) {
        s->progress_every = hs_time_from_s(
            s->opt.progress_every_s > 0 ? s->opt.progress_every_s : 1.0);
        s->next_progress = 0;
    }
}

/* Requests still queued or running when the run stopped. */
static void retire_unfinished(srv_sim *s)
{
    for (int i = 0; i < s->n_insts; i++)
        srv_inst_drain(s, i);
    while (s->moving.head != NULL) {
        srv_req *r = s->moving.head;

        moving_remove(s, r);
        srv_sim_retire(s, r, SRV_REQ_UNFINISHED);
    }
}

/* Totals of one pool of split mode (scope = the pool's name): energy,
 * cost and busy share of its devices, and its tokens per dollar and per
 * joule (output tokens for decode, prompt tokens for prefill). */
typedef struct pool_totals {
    double energy_j, cost_usd, busy_s, device_s, tokens;
    double fallbacks; /* requests decoded on prefill instances */
} pool_totals;

static void emit_pool(srv_sim *s, const char *pool, const pool_totals *t)
{
    emit_metric(s, pool, "energy_j", t->energy_j);
    emit_metric(s, pool, "cost_usd", t->cost_usd);
    emit_metric(s, pool, "busy_frac",
                t->device_s > 0 ? t->busy_s / t->device_s : 0);
    emit_metric(s, pool, "tokens_per_usd",
                t->cost_usd > 0 ? t->tokens / t->cost_usd : 0);
    emit_metric(s, pool, "tokens_per_j",
                t->energy_j > 0 ? t->tokens / t->energy_j : 0);
    emit_metric(s, pool, "fallback_decodes", t->fallbacks);
}

/* Split mode: the KV transfer link's totals (scope = the link's name),
 * its energy counted in the run's. */
static void link_totals(srv_sim *s, double sim_s)
{
    double bytes = 0, busy = 0, bw = 0;
    double energy = hw_net_energy_j(s->net);

    for (int i = 0; i < hw_net_count(s->net); i++) {
        hw_res_stats st;

        hw_net_stats(s->net, i, &st);
        bytes += st.bytes;
        busy += st.busy_s;
        bw += st.bandwidth;
    }
    /* Each byte crosses two ports (egress and ingress). */
    emit_metric(s, s->xfer_link, "bytes", bytes / 2);
    emit_metric(s, s->xfer_link, "energy_j", energy);
    emit_metric(s, s->xfer_link, "port_busy_frac",
                sim_s > 0 ? busy / (sim_s * hw_net_count(s->net)) : 0);
    emit_metric(s, s->xfer_link, "utilisation",
                sim_s > 0 && bw > 0 ? bytes / (bw * sim_s) : 0);
    emit_metric(s, s->xfer_link, "transfers", (double)hw_net_started(s->net));
    s->summary.energy_j += energy;
}

/* kv_pool pool-resident: the pool's totals (scope = its name): KV bytes
 * streamed, their energy over the pool's link (added to the run's),
 * bandwidth utilisation, capacity. */
static void memory_pool_totals(srv_sim *s, double sim_s)
{
    double bytes = 0, energy, off = 0, fetched = 0;

    for (int i = 0; i < s->n_insts; i++) {
        bytes += s->insts[i].streamed_bytes;
        off += s->insts[i].offloaded_bytes;
        fetched += s->insts[i].fetched_bytes;
    }
    emit_metric(s, s->pool->name, "offloaded_bytes", off);
    emit_metric(s, s->pool->name, "fetched_bytes", fetched);
    bytes += off + fetched;
    energy = bytes * 8.0 * s->pool_epb;
    emit_metric(s, s->pool->name, "capacity_bytes", s->pool->capacity_bytes);
    emit_metric(s, s->pool->name, "streamed_bytes", bytes - off - fetched);
    emit_metric(s, s->pool->name, "energy_j", energy);
    emit_metric(s, s->pool->name, "utilisation",
                sim_s > 0 ? bytes / (s->pool->bandwidth * sim_s) : 0);
    s->summary.energy_j += energy;
}

static void instance_totals(srv_sim *s, double sim_s)
{
    pool_totals pools[2];

    memset(pools, 0, sizeof pools);

    for (int i = 0; i < s->n_insts; i++) {
        const srv_inst *in = &s->insts[i];
        const cost_device *dev = &in->ctx.dev;
        double idle = sim_s - in->busy_s > 0 ? sim_s - in->busy_s : 0;
        srv_instance_rec rec = {
            .instance = in->name,
            .role = in->role,
            .device = in->device,
            .count = 1,
            .tp = in->ctx.tp,
            .busy_s = in->busy_s,
            .energy_j = in->ctx.tp * (in->busy_s * dev->power_busy_w +
                                      idle * dev->power_idle_w),
            .cost_usd = in->ctx.tp * dev->cost_per_hour * sim_s / 3600.0,
        };

        s->summary.energy_j += rec.energy_j;
        s->summary.cost_usd += rec.cost_usd;
        if (s->sink.instance != NULL &&
            s->sink.instance(s->sink.ctx, &rec) != 0)
            fail(s, HS_EIO, NULL);
        emit_metric(s, in->name, "busy_frac",
                    sim_s > 0 ? in->busy_s / sim_s : 0);
        emit_metric(s, in->name, "capacity_bound_frac",
                    in->busy_s > 0 ? in->cap_bound_s / in->busy_s : 0);
        emit_metric(s, in->name, "mean_oi",
                    in->bytes > 0 ? in->flops / in->bytes : 0);
        emit_metric(s, in->name, "steps", (double)in->steps);
        emit_metric(s, in->name, "throughput_tok_s",
                    sim_s > 0 ? (double)in->tokens_out / sim_s : 0);
        emit_metric(s, in->name, "kv_capacity_bytes",
                    (double)in->total_blocks * in->block_bytes);
        emit_metric(s, in->name, "prefix_evicted_bytes",
                    (double)in->evicted_blocks * in->block_bytes);
        if (in->kind != SRV_KIND_MONO) {
            pool_totals *t = &pools[in->kind == SRV_KIND_DECODE];

            t->energy_j += rec.energy_j;
            t->cost_usd += rec.cost_usd;
            t->busy_s += in->busy_s;
            t->fallbacks += (double)in->fallbacks;
            t->device_s += sim_s;
            t->tokens += in->kind == SRV_KIND_DECODE ? (double)in->tokens_out
                                                     : (double)in->tokens_in;
        }
    }
    if (s->net != NULL) {
        emit_pool(s, "prefill", &pools[0]);
        emit_pool(s, "decode", &pools[1]);
        link_totals(s, sim_s);
    }
    if (s->pool != NULL)
        memory_pool_totals(s, sim_s);
}

static void summarize(srv_sim *s)
{
    srv_summary *m = &s->summary;
    double flops = 0, bytes = 0, busy = 0, cap = 0;

    m->arrived = s->arrived;
    m->done = s->done;
    m->dropped = s->dropped;
    m->unfinished = s->arrived - s->done - s->dropped;
    m->sim_s = hs_time_to_s(s->end_time);
    m->events = eng_events_fired(s->eng);
    m->input_tokens = s->input_tokens;
    m->output_tokens = s->output_tokens;
    m->preemptions = s->preemptions;
    quantiles_get(&s->ttft, m->ttft_s, &m->ttft_mean_s);
    quantiles_get(&s->tpot, m->tpot_s, &m->tpot_mean_s);
    quantiles_get(&s->e2e, m->e2e_s, &m->e2e_mean_s);
    m->queue_mean_s =
        s->queue_n > 0 ? s->queue_sum / (double)s->queue_n : (double)NAN;
    for (int i = 0; i < s->n_insts; i++) {
        flops += s->insts[i].flops;
        bytes += s->insts[i].bytes;
        busy += s->insts[i].busy_s;
        cap += s->insts[i].cap_bound_s;
    }
    m->mean_oi = bytes > 0 ? flops / bytes : 0;
    m->capacity_bound_frac = busy > 0 ? cap / busy : 0;
    if (m->sim_s > 0) {
        m->throughput_tok_s = (double)m->output_tokens / m->sim_s;
        m->throughput_req_s = (double)m->done / m->sim_s;
        m->goodput_req_s = (double)s->slo_met / m->sim_s;
    }
    m->prefix_hit_rate =
        s->done_prompt_tokens > 0
            ? (double)s->cached_tokens / (double)s->done_prompt_tokens
            : 0;
    m->prefix_block_hit_rate =
        s->id_blocks > 0 ? (double)s->hit_blocks / (double)s->id_blocks : 0;
    m->sessions_done = s->sessions_done;
    m->session_mean_s = s->sessions_done > 0
                            ? s->session_time_sum / (double)s->sessions_done
                            : (double)NAN;
    m->slo_attainment = m->done > 0 ? (double)s->slo_met / (double)m->done : 0;
}

static void emit_summary(srv_sim *s)
{
    const srv_summary *m = &s->summary;
    static const char *const pct[3] = {"p50", "p90", "p99"};
    char name[32];

    emit_metric(s, "run", "requests_arrived", (double)m->arrived);
    emit_metric(s, "run", "requests_done", (double)m->done);
    emit_metric(s, "run", "requests_dropped", (double)m->dropped);
    emit_metric(s, "run", "requests_unfinished", (double)m->unfinished);
    emit_metric(s, "run", "input_tokens", (double)m->input_tokens);
    emit_metric(s, "run", "output_tokens", (double)m->output_tokens);
    emit_metric(s, "run", "throughput_tok_s", m->throughput_tok_s);
    emit_metric(s, "run", "throughput_req_s", m->throughput_req_s);
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "ttft_%s_s", pct[i]);
        emit_metric(s, "run", name, m->ttft_s[i]);
        snprintf(name, sizeof name, "tpot_%s_s", pct[i]);
        emit_metric(s, "run", name, m->tpot_s[i]);
        snprintf(name, sizeof name, "e2e_%s_s", pct[i]);
        emit_metric(s, "run", name, m->e2e_s[i]);
    }
    emit_metric(s, "run", "ttft_mean_s", m->ttft_mean_s);
    emit_metric(s, "run", "tpot_mean_s", m->tpot_mean_s);
    emit_metric(s, "run", "e2e_mean_s", m->e2e_mean_s);
    emit_metric(s, "run", "queue_mean_s", m->queue_mean_s);
    emit_metric(s, "run", "goodput_req_s", m->goodput_req_s);
    emit_metric(s, "run", "slo_attainment", m->slo_attainment);
    emit_metric(s, "run", "mean_oi", m->mean_oi);
    emit_metric(s, "run", "capacity_bound_frac", m->capacity_bound_frac);
    emit_metric(s, "run", "energy_j", m->energy_j);
    emit_metric(s, "run", "cost_usd", m->cost_usd);
    emit_metric(s, "run", "tokens_per_usd", m->tokens_per_usd);
    emit_metric(s, "run", "tokens_per_j", m->tokens_per_j);
    emit_metric(s, "run", "preemptions", (double)m->preemptions);
    emit_metric(s, "run", "prefix_hit_rate", m->prefix_hit_rate);
    emit_metric(s, "run", "prefix_block_hit_rate", m->prefix_block_hit_rate);
    emit_metric(s, "run", "sessions_done", (double)m->sessions_done);
    emit_metric(s, "run", "session_mean_s", m->session_mean_s);
}

int srv_sim_run(srv_sim *s, hs_diag *d)
{
    int rc;

    HS_ASSERT(!s->ended);
    s->diag = d;
    start(s);
    rc = eng_run(s->eng, HS_TIME_MAX);
    s->end_time = eng_now(s->eng);
    if (rc == HS_EINTR && s->status == HS_OK)
        s->status = HS_EINTR;
    retire_unfinished(s);
    flush_sessions(s);
    summarize(s);
    instance_totals(s, s->summary.sim_s);
    s->summary.tokens_per_usd =
        s->summary.cost_usd > 0
            ? (double)s->summary.output_tokens / s->summary.cost_usd
            : 0;
    s->summary.tokens_per_j =
        s->summary.energy_j > 0
            ? (double)s->summary.output_tokens / s->summary.energy_j
            : 0;
    emit_summary(s);
    s->ended = true;
    s->diag = NULL;
    return s->status;
}

void srv_sim_stop(srv_sim *s)
{
    eng_stop(s->eng);
}

void srv_sim_summary(const srv_sim *s, srv_summary *out)
{
    *out = s->summary;
}

void srv_sim_free(srv_sim *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < s->n_sources; i++)
        wl_source_close(s->sources[i].src);
    free(s->sources);
    for (int i = 0; i < s->n_insts; i++)
        srv_inst_fini(&s->insts[i]);
    free(s->insts);
    for (size_t i = 0; i < s->n_slabs; i++)
        free(s->slabs[i]);
    for (int c = 0; c < ID_CLASSES; c++)
        while (s->id_pool[c] != NULL) {
            void *next;

            memcpy(&next, s->id_pool[c], sizeof next);
            free(s->id_pool[c]);
            s->id_pool[c] = next;
        }
    free(s->slabs);
    free(s->sessions.slot);
    srv_router_fini(&s->router);
    srv_router_fini(&s->drouter);
    hw_net_free(s->net);
    quantiles_fini(&s->ttft);
    quantiles_fini(&s->tpot);
    quantiles_fini(&s->e2e);
    eng_sim_free(s->eng);
    free(s);
}
