/*
 * srv_inst.c -- one model instance: its set-up, the step loop (plan with
 * its batch scheduler, cost, record, apply, schedule the step's end),
 * decode fast-forward, retiring finished requests, split mode's hand-off
 * queues, draining a stopped run, and the invariant checker
 * (srv_inst.h); plus the host functions through which policies see it
 * (srv_host.h).
 *
 * Fast-forward: when the scheduler says the batch is steady (decode-only,
 * nothing admitted or preempted: srv_sched_ops.steady), the next
 * iterations are identical in membership, so several are planned in one
 * event -- as long as each ends no later than the cluster's horizon (the
 * next arrival or sample: the first moment anything outside can observe
 * or change the instance) and no request finishes.  Rows and results are
 * the same as stepping one iteration per event (tests/unit/test_srv_sim.c
 * proves it).
 */
#include "srv_inst.h"

#include <stdlib.h>
#include <string.h>

/* Most iterations planned in one event. */
#define MAX_CHUNK_ITERS 4096

enum { EV_STEP_END = 1, EV_KICK = 2 };

static void on_step_end(eng_sim *eng, void *target, uint32_t kind,
                        uint64_t arg);

/* ---- the host interface (srv_host.h) -------------------------------------- */

const char *srv_host_name(const srv_inst *in)
{
    return in->name;
}

srv_kind srv_host_kind(const srv_inst *in)
{
    return in->kind;
}

int64_t srv_host_max_batch(const srv_inst *in)
{
    return in->max_batch;
}

int64_t srv_host_max_tokens(const srv_inst *in)
{
    return in->max_tokens;
}

int64_t srv_host_running(const srv_inst *in)
{
    return in->n_running;
}

bool srv_host_has_waiting(const srv_inst *in)
{
    return in->wait.head != NULL;
}

bool srv_host_has_incoming(const srv_inst *in)
{
    return in->xwait.head != NULL;
}

int64_t srv_host_outstanding(const srv_inst *in)
{
    return in->outstanding;
}

int64_t srv_host_prefill_left(const srv_inst *in)
{
    return in->prefill_left;
}

double srv_host_prefill_rate(const srv_inst *in)
{
    return in->prefill_tps;
}

void srv_host_prefill_load(const srv_inst *in, srv_prefill_load *l)
{
    l->left = in->prefill_left;
    l->running = in->n_running;
    l->max_tokens = in->max_tokens;
    l->rate = in->prefill_tps;
}

int64_t srv_host_total_blocks(const srv_inst *in)
{
    return in->total_blocks;
}

int64_t srv_host_used_blocks(const srv_inst *in)
{
    return in->used_blocks;
}

int64_t srv_host_free_blocks(const srv_inst *in)
{
    return srv_free_blocks(in);
}

int64_t srv_host_blocks_for(const srv_inst *in, int64_t tokens)
{
    return srv_blocks_for(in, tokens);
}

double srv_host_block_bytes(const srv_inst *in)
{
    return in->block_bytes;
}

int64_t srv_host_queued_blocks(const srv_inst *in)
{
    int64_t n = 0;

    for (const srv_req *w = in->wait.head; w != NULL; w = w->next)
        n += srv_blocks_for(in, w->target);
    return n;
}

int64_t srv_host_head_need(const srv_inst *in)
{
    const srv_req *h = in->wait.head;

    return srv_blocks_for(in, h->target) - h->blocks;
}

int64_t srv_host_decode_growth(const srv_inst *in)
{
    return in->cross[srv_decode_crossing(in)];
}

bool srv_host_caching(const srv_inst *in)
{
    return in->caching;
}

/* Device memory left for KV beside the weights and the largest step's
 * workspace. */
double srv_host_local_kv_bytes(const srv_inst *in)
{
    double mem = cost_instance_mem_bytes(&in->ctx);
    double fixed =
        in->ctx.weight_bytes +
        cost_workspace_bytes(&in->ctx, in->max_tokens,
                             in->max_batch < in->max_tokens ? in->max_batch
                                                            : in->max_tokens);

    if (in->mem_fraction <= 0) /* engine none: the device's margin */
        return mem * (1.0 - in->ctx.dev.mem_margin) - fixed;
    if (in->mem_of_free) /* a share of what weights and workspace leave */
        return (mem - fixed) * in->mem_fraction;
    return mem * in->mem_fraction - fixed; /* a share of all memory */
}

/* The KV's device-memory bytes stay in the step's cost: pool-resident KV
 * is read into a device buffer layer by layer and read there by the
 * kernels (srv_step.c), so the cost model's kv_remote stays off. */
void srv_host_set_remote_kv(srv_inst *in, int64_t total_blocks)
{
    in->total_blocks = total_blocks;
}

hs_time srv_host_link_end(const srv_inst *in)
{
    return in->link_end;
}

void srv_host_pool_write(srv_inst *in, double bytes)
{
    if (in->hooks->pool_move != NULL && bytes > 0)
        in->hooks->pool_move(in->hooks->ctx, in->idx, bytes, true);
}

void srv_host_pool_xfer(srv_inst *in, const srv_pool_xfer *x)
{
    if (in->hooks->pool_xfer != NULL)
        in->hooks->pool_xfer(in->hooks->ctx, x);
}

hs_time srv_host_now(const srv_inst *in)
{
    return eng_now(in->eng);
}

/* ---- the step loop ---------------------------------------------------------- */

void srv_inst_enqueue(srv_inst *in, srv_req *r)
{
    srv_queue_push_back(&in->wait, r);
    in->outstanding += (r->target - r->prefilled) + (r->output - r->generated);
    in->prefill_left += r->target - r->prefilled;
}

/* Decode kind: requests preempted while planning go back to the prefill
 * pool, and the blocks they freed may let waiting transfers start. */
static void send_evicted(srv_inst *in)
{
    if (in->evicted == NULL)
        return;
    while (in->evicted != NULL) {
        srv_req *r = in->evicted;

        in->evicted = r->next;
        r->next = NULL;
        in->hooks->evicted(in->hooks->ctx, r);
    }
    in->hooks->freed(in->hooks->ctx, in->idx);
}

/* Layer-wise KV transfer: requests whose prefill this step completes are
 * handed off at the step's start, their KV moving while it is computed;
 * it is usable when the step ends ('end').  Single-token requests wait
 * for the step's end as usual. */
static void hand_off_early(srv_inst *in, hs_time end)
{
    int64_t k = 0;

    for (int64_t i = 0; i < in->n_handoff; i++) {
        srv_req *r = in->handoff[i];

        if (r->generated < r->output)
            in->hooks->handoff(in->hooks->ctx, in->idx, r, end);
        else
            in->handoff[k++] = r;
    }
    in->n_handoff = k;
}

/* Finish the cost of a step starting at 't' whose pool reads (if any)
 * run alone at the share's rate: without a network (unit tests). */
static void lone_reads(srv_inst *in, hs_time t, const srv_plan *p,
                       cost_step *st, const srv_link_use *use)
{
    double drain = 0;

    if (use->bytes > 0) {
        drain = use->bytes / in->pool_bw;
        in->link_end = t + hs_time_from_s(in->pool_latency_s + drain);
    }
    srv_step_finish(in, p, st, use, drain);
}

/* Plan further identical decode iterations after the one ending at 't',
 * while the scheduler says the batch is steady and each ends by the
 * horizon; returns the end of the last. */
static hs_time fast_forward(srv_inst *in, hs_time t, bool finishing)
{
    hs_time horizon = in->hooks->horizon(in->hooks->ctx);
    int64_t iters = 1;
    srv_plan p;
    cost_step st;
    srv_link_use use;

    while (!finishing && in->fast_forward && iters < MAX_CHUNK_ITERS &&
           in->sched->steady(in, &p)) {
        srv_step_cost(in, &p, &st, &use);
        /* A step that reads from the pool shares the network with other
         * instances: it runs in events of its own. */
        if (use.bytes > 0 && in->hooks->pool_move != NULL)
            break;
        lone_reads(in, t, &p, &st, &use);
        /* Not t + duration: t may have saturated at HS_TIME_MAX (an
         * arrival at 2262, fuzz regression case); horizon - t cannot
         * overflow, both being >= 0. */
        if (srv_step_duration(&st) > horizon - t)
            break;
        in->used_blocks += in->cross[srv_decode_crossing(in)];
        t = srv_step_record(in, &p, t, &st);
        finishing = srv_step_apply(in, &p, t);
        iters++;
    }
    return t;
}

static void start_step(srv_inst *in);

static void on_kick(eng_sim *eng, void *target, uint32_t kind, uint64_t arg)
{
    srv_inst *in = target;

    (void)eng;
    (void)kind;
    (void)arg;
    in->kick_pending = false;
    start_step(in);
}

/* Plan the next step now, unless other events wait at this very time:
 * then plan after them (ENG_PRIO_SCHEDULE fires after every completion
 * and arrival of the same instant), so that requests arriving at the
 * same instant -- a closed loop's next request, a burst in a trace --
 * join the same iteration, as an engine's scheduler sees every request
 * that came in while the previous iteration ran. */
void srv_inst_kick_later(srv_inst *in)
{
    if (in->busy || in->kick_pending)
        return;
    in->kick_pending = true;
    eng_schedule(in->eng, eng_now(in->eng), ENG_PRIO_SCHEDULE, on_kick, in,
                 EV_KICK, 0);
}

void srv_inst_kick(srv_inst *in)
{
    hs_time now = eng_now(in->eng);

    if (in->busy || in->kick_pending)
        return;
    if (eng_pending(in->eng) > 0 && eng_next_time(in->eng) == now)
        srv_inst_kick_later(in);
    else
        start_step(in);
}

/* Record and apply the costed step 'p' started at 't', hand off early
 * what it prefills (layer-wise split), run steady iterations after it,
 * and schedule the end of the last. */
static void run_step(srv_inst *in, const srv_plan *p, hs_time t,
                     const cost_step *st)
{
    bool finishing;

    t = srv_step_record(in, p, t, st);
    if (t < eng_now(in->eng))
        t = eng_now(in->eng);
    finishing = srv_step_apply(in, p, t);
    if (in->layerwise)
        hand_off_early(in, t);
    t = fast_forward(in, t, finishing);
    in->busy = true;
    in->busy_until = t;
    eng_schedule(in->eng, t, ENG_PRIO_COMPLETION, on_step_end, in, EV_STEP_END,
                 0);
}

static void start_step(srv_inst *in)
{
    hs_time t = eng_now(in->eng);
    srv_plan p;
    cost_step st;
    srv_link_use use;

    if (in->busy)
        return;
    memset(&p, 0, sizeof p);
    in->n_sched = 0;
    in->sched->plan(in, t, &p);
    send_evicted(in);
    if (p.n_seqs == 0)
        return;
    srv_step_cost(in, &p, &st, &use);
    if (use.bytes > 0 && in->hooks->pool_move != NULL) {
        /* The reads share the network: the step is applied when their
         * last byte is in (srv_inst_link_done). */
        in->busy = in->link_wait = true;
        in->busy_until = t;
        in->link_start = t;
        in->pend = p;
        in->pend_st = st;
        in->pend_use = use;
        in->hooks->pool_move(in->hooks->ctx, in->idx, use.bytes, false);
        return;
    }
    lone_reads(in, t, &p, &st, &use);
    run_step(in, &p, t, &st);
}

void srv_inst_link_done(srv_inst *in)
{
    hs_time now = eng_now(in->eng);
    double drain = hs_time_to_s(now - in->link_start) - in->pool_latency_s;

    HS_ASSERT(in->link_wait);
    in->link_wait = false;
    in->link_end = now;
    srv_step_finish(in, &in->pend, &in->pend_st, &in->pend_use,
                    drain > 0 ? drain : 0);
    run_step(in, &in->pend, in->link_start, &in->pend_st);
}

/* Retire the requests that produced their last token, in (finish
 * iteration, admission) order, and drop them from the batch.  A
 * session's context is cached for its next call (retention decides). */
static void retire_finished(srv_inst *in)
{
    hs_time now = eng_now(in->eng);
    int64_t k = 0, n = 0;
    srv_req *r;

    while ((r = srv_decode_finished(in)) != NULL) {
        srv_decode_leave(in, r);
        if (r->session_id >= 0)
            srv_kv_cache_prefix(in, r, r->kv_tokens);
        srv_kv_unpin(in, r, now);
        if (r->session_id >= 0 && in->retain->call_ended != NULL)
            in->retain->call_ended(in, r, now);
        in->used_blocks -= r->blocks;
        r->blocks = 0;
        r->chunk = 1; /* mark: leaving the batch */
        n++;
    }
    if (n == 0)
        return;
    for (int64_t i = 0; i < in->n_running; i++) {
        r = in->running[i];
        if (srv_req_decoding(r) && r->chunk == 1 &&
            r->generated >= r->output) {
            r->chunk = 0;
            in->hooks->retire(in->hooks->ctx, r, SRV_REQ_DONE);
        } else {
            in->running[k++] = r;
        }
    }
    in->n_running = k;
}

/* The step-end event: finish the requests that completed, hand off the
 * finished prefills (split mode), then plan the next step.  Handing off
 * never starts a step here (a single-token request is retired, nothing
 * more), so the hand-off list is exactly this step's prefills. */
static void on_step_end(eng_sim *eng, void *target, uint32_t kind,
                        uint64_t arg)
{
    srv_inst *in = target;

    (void)eng;
    (void)kind;
    (void)arg;
    in->busy = false;
    retire_finished(in);
    if (in->kind == SRV_KIND_PREFILL) {
        for (int64_t i = 0; i < in->n_handoff; i++)
            in->hooks->handoff(in->hooks->ctx, in->idx, in->handoff[i],
                               eng_now(in->eng));
        in->n_handoff = 0;
    } else if (in->kind == SRV_KIND_DECODE) {
        in->hooks->freed(in->hooks->ctx, in->idx);
    }
    srv_inst_kick(in);
}

void srv_inst_drain(srv_inst *in)
{
    void *ctx = in->hooks->ctx;

    for (int64_t i = 0; i < in->n_running; i++) {
        srv_req *r = in->running[i];

        if (srv_req_decoding(r))
            srv_decode_leave(in, r);
        in->hooks->retire(ctx, r, SRV_REQ_UNFINISHED);
    }
    in->n_running = 0;
    in->n_prefilling = 0;
    for (int64_t i = 0; i < in->n_handoff; i++)
        in->hooks->retire(ctx, in->handoff[i], SRV_REQ_UNFINISHED);
    in->n_handoff = 0;
    while (in->wait.head != NULL)
        in->hooks->retire(ctx, srv_queue_pop(&in->wait), SRV_REQ_UNFINISHED);
    while (in->xwait.head != NULL)
        in->hooks->retire(ctx, srv_queue_pop(&in->xwait), SRV_REQ_UNFINISHED);
}

/* ---- split mode ------------------------------------------------------------ */

void srv_inst_receive(srv_inst *in, srv_req *r)
{
    srv_inst_enqueue(in, r);
}

void srv_inst_xwait_push(srv_inst *in, srv_req *r)
{
    srv_queue_push_back(&in->xwait, r);
}

bool srv_inst_can_reserve(const srv_inst *in, int64_t tokens)
{
    return in->xwait.head == NULL &&
           srv_blocks_for(in, tokens) <= srv_free_blocks(in);
}

bool srv_inst_keep(srv_inst *in, srv_req *r)
{
    if (in->n_running >= in->max_batch)
        return false;
    r->blocks = r->pblocks;
    r->pblocks = 0;
    in->held_blocks -= r->blocks;
    in->outstanding += r->output - r->generated;
    r->admit_seq = in->admit_seq++;
    in->running[in->n_running++] = r;
    srv_decode_enter(in, r);
    in->fallbacks++;
    return true;
}

srv_req *srv_inst_xwait_take(srv_inst *in)
{
    srv_req *r = in->xwait.head;
    int64_t need;

    if (r == NULL)
        return NULL;
    need = srv_blocks_for(in, r->target);
    if (need > srv_free_blocks(in))
        return NULL;
    srv_queue_pop(&in->xwait);
    in->used_blocks += need;
    in->held_blocks += need;
    r->blocks = need;
    return r;
}

void srv_inst_release(srv_inst *in, srv_req *r, hs_time now)
{
    in->used_blocks -= r->pblocks;
    in->held_blocks -= r->pblocks;
    r->pblocks = 0;
    srv_kv_unpin(in, r, now);
}

/* ---- set-up -------------------------------------------------------------- */

static void set_role(srv_inst *in, const sc_scenario *sc, srv_kind kind)
{
    in->kind = kind;
    in->role = kind == SRV_KIND_PREFILL  ? "prefill"
               : kind == SRV_KIND_DECODE ? "decode"
                                         : "monolithic";
    in->layerwise =
        kind == SRV_KIND_PREFILL && sc->cluster.kv_transfer_layerwise;
    in->caching = sc->cluster.prefix_cache && kind != SRV_KIND_DECODE;
    in->idle_timeout = hs_time_from_s(sc->cluster.retention_idle_timeout_s);
}

/* The KV capacity left beside the weights and the largest step's
 * workspace, in blocks. */
static void size_kv(srv_inst *in)
{
    double kv_cap = srv_host_local_kv_bytes(in);

    in->block_bytes = (double)in->block_size * in->ctx.kv_bytes_per_token;
    in->total_blocks = kv_cap > 0 ? (int64_t)(kv_cap / in->block_bytes) : 0;
}

/* The engine profile's additions to the ideal step. */
static void set_engine(srv_inst *in, const sc_engine *e)
{
    in->host_step_s = e->host_step_s;
    in->host_seq_s = e->host_seq_s;
    in->host_overlap = e->host_overlap;
    in->graph_sizes = e->graph_sizes;
    in->n_graph_sizes = e->n_graph_sizes;
    in->mem_fraction = e->mem_fraction;
    in->mem_of_free = e->mem_of_free;
}

/* Prefill tokens per second of one step holding a full chunk. */
static double full_chunk_rate(const srv_inst *in)
{
    cost_batch b = {0};
    cost_step st;

    cost_batch_add_prefill(&b, &in->ctx, in->max_tokens, 0, true);
    cost_step_eval(&in->ctx, &b, &st);
    return (double)in->max_tokens / st.time_s;
}

int srv_inst_init(srv_inst *in, int idx, const sc_scenario *sc,
                  const sc_group *g, const srv_inst_policies *pol,
                  const char *name, hs_diag *d)
{
    const sc_hardware *hw = &sc->hardware[g->device];
    const cost_link *link =
        g->link != SC_NONE ? &sc->links[g->link].link : NULL;
    cost_options opts;
    size_t mb;

    memset(in, 0, sizeof *in);
    snprintf(in->name, sizeof in->name, "%s", name);
    in->idx = idx;
    set_role(in, sc, pol->kind);
    srv_pcache_init(&in->cache);
    in->retain = pol->retain;
    in->kvpol = &srv_kvpol_hbm_only;
    in->fast_forward = true;
    srv_window_of(sc, &in->win_from, &in->win_to);
    in->device = hw->name;
    opts = cost_options_default();
    opts.allreduce = g->engine.allreduce;
    cost_ctx_init(&in->ctx, &sc->model, &sc->precision, &hw->dev, g->tp,
                  g->tp > 1 ? link : NULL, &opts);
    if (g->tp == 1 && link != NULL) { /* pp / dp / ep hand-offs use it */
        in->ctx.link = *link;
        in->ctx.has_link = true;
    }
    cost_ctx_set_parallel(&in->ctx, &g->par);
    in->max_batch = g->max_batch;
    in->max_tokens = g->max_batch_tokens;
    in->prefill_tps = full_chunk_rate(in);
    if (!((double)in->max_tokens / in->prefill_tps <= SRV_MAX_STEP_S))
        return hs_diag_error(
            d, g->loc,
            "cluster: instance '%s': one prefill step of %d tokens would "
            "take %.3g s on %d x %s: check the device's flops and "
            "mem_bandwidth (a step may take at most %.0g s, so that "
            "simulated time stays representable)",
            name, (int)in->max_tokens,
            (double)in->max_tokens / in->prefill_tps, in->ctx.gpus, hw->name,
            SRV_MAX_STEP_S);
    in->sched = pol->sched;
    in->block_size = sc->cluster.block_size;
    set_engine(in, &g->engine);
    size_kv(in);
    if (in->total_blocks < 1 && !pol->pool_kv)
        return hs_diag_error(
            d, g->loc,
            "cluster: instance '%s': model '%s' (%.1f GB of weights) "
            "leaves no room for KV cache on %d x %s (%.1f GB usable)",
            name, sc->model.name, in->ctx.weight_bytes / 1e9, in->ctx.gpus,
            hw->name,
            cost_instance_mem_bytes(&in->ctx) * (1 - hw->dev.mem_margin) /
                1e9);
    mb = (size_t)in->max_batch;
    in->running = hs_calloc(mb, sizeof *in->running);
    in->prefilling = hs_calloc(mb, sizeof *in->prefilling);
    in->sched_reqs = hs_calloc(mb, sizeof *in->sched_reqs);
    in->heap = hs_calloc(mb, sizeof *in->heap);
    in->handoff = hs_calloc(mb, sizeof *in->handoff);
    in->cross = hs_calloc((size_t)in->block_size, sizeof *in->cross);
    return HS_OK;
}

void srv_inst_connect(srv_inst *in, eng_sim *eng, const srv_inst_hooks *h,
                      bool fast_forward)
{
    in->eng = eng;
    in->hooks = h;
    in->fast_forward = fast_forward;
}

int srv_inst_attach(srv_inst *in, const srv_kvpol_ops *kvpol,
                    const srv_pool_share *share, hs_diag *d)
{
    in->kvpol = kvpol;
    in->pool_bw = share->bw;
    in->pool_latency_s = share->latency_s;
    in->kvpol_st = kvpol->size > 0 ? hs_calloc(1, kvpol->size) : NULL;
    return kvpol->attach != NULL ? kvpol->attach(in, in->kvpol_st, share, d)
                                 : HS_OK;
}

void srv_inst_fini(srv_inst *in)
{
    free(in->running);
    free(in->prefilling);
    free(in->sched_reqs);
    free(in->heap);
    free(in->handoff);
    srv_pcache_fini(&in->cache);
    if (in->kvpol != NULL && in->kvpol->detach != NULL)
        in->kvpol->detach(in->kvpol_st);
    free(in->kvpol_st);
    free(in->cross);
    in->running = in->prefilling = in->sched_reqs = in->heap = NULL;
    in->handoff = NULL;
    in->cross = NULL;
    in->kvpol_st = NULL;
}

void srv_inst_pool_totals(const srv_inst *in, srv_pool_totals *t)
{
    if (in->kvpol->totals != NULL)
        in->kvpol->totals(in->kvpol_st, t);
}

/* ---- checks ------------------------------------------------------------------ */

/* I2, I3, I5 over the batch; adds the blocks, outstanding tokens and
 * prefill tokens left of running requests (for I1 and I4). */
static const char *check_running(const srv_inst *in, int64_t *used,
                                 int64_t *out, int64_t *pre)
{
    int64_t n_dec = 0, kv_base = 0, n_pre = 0;

    for (int64_t i = 0; i < in->n_running; i++) {
        const srv_req *r = in->running[i];
        bool dec = srv_req_decoding(r);
        int64_t blocks =
            dec ? srv_blocks_for(in, srv_decode_kv(in, r)) - r->pinned_blk
                : r->blocks;
        int64_t gen = dec ? srv_decode_gen(in, r) : r->generated;

        *used += blocks;
        *out += (r->target - r->prefilled) + (r->output - gen);
        *pre += r->target - r->prefilled;
        if (!dec && r->blocks != srv_blocks_for(in, r->target) - r->pinned_blk)
            return "I2 blocks of a prefilling request";
        if (i > 0 && in->running[i - 1]->admit_seq >= r->admit_seq)
            return "I3 admission order";
        if (dec) {
            n_dec++;
            kv_base += r->kv0 - r->dec_it0;
            if (in->heap[r->heap_idx] != r)
                return "I5 finish heap";
        } else if (in->prefilling[n_pre++] != r) {
            return "I5 prefilling list";
        }
    }
    if (n_dec != in->n_dec || n_dec != in->n_heap ||
        kv_base != in->dec_kv_base || n_pre != in->n_prefilling)
        return "I5 decode aggregates";
    return NULL;
}

bool srv_inst_check(const srv_inst *in, FILE *why)
{
    int64_t used = 0, out = 0, pre = 0, crossing = 0;
    const char *broken = NULL;

    if (in->link_wait) /* planned, not yet applied (header) */
        return srv_pcache_check(&in->cache, why) &&
               (in->kvpol->check == NULL ||
                in->kvpol->check(in->kvpol_st, why));
    broken = check_running(in, &used, &out, &pre);

    for (const srv_req *r = in->wait.head; r != NULL; r = r->next) {
        out += (r->target - r->prefilled) + (r->output - r->generated);
        pre += r->target - r->prefilled;
    }
    for (int64_t i = 0; i < in->block_size; i++)
        crossing += in->cross[i];
    if (broken == NULL && crossing != in->n_dec)
        broken = "I5 residue counts";
    if (broken == NULL && !srv_pcache_check(&in->cache, why))
        broken = "C1-C3 prefix cache";
    if (broken == NULL && in->kvpol->check != NULL &&
        !in->kvpol->check(in->kvpol_st, why))
        broken = "pool share exceeded";
    if (broken == NULL &&
        (used + in->held_blocks + in->cache.held_blocks != in->used_blocks ||
         in->used_blocks > in->total_blocks || in->held_blocks < 0))
        broken = "I1 used blocks";
    if (broken == NULL && (out != in->outstanding || pre != in->prefill_left))
        broken = "I4 outstanding tokens";
    if (broken != NULL && why != NULL)
        fprintf(why, "srv_inst_check: %s: %s\n", in->name, broken);
    return broken == NULL;
}
