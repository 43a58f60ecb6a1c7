/*
 * srv_inst.c -- one model instance: continuous batching at iteration
 * level, chunked prefill, paged KV blocks with preemption by recompute,
 * and decode fast-forward.
 *
 * Scheduling an iteration (plan_step), vLLM-style:
 *  - chunked prefill on (Sarathi): running decodes first (one token each,
 *    growing their KV by a block when they cross a block boundary), then
 *    the running partial prefills, then new admissions from the waiting
 *    queue in arrival order, while the token budget (max_batch_tokens)
 *    and the batch (max_batch) allow;
 *  - chunked prefill off: whole prompts are admitted into a prefill-only
 *    step while they fit the token budget; when none is admitted, all
 *    running requests decode.
 * A request is admitted only when the KV blocks of its whole prefill
 * target fit; a decode that finds no free block preempts the newest
 * running request (its KV is dropped and recomputed later).
 *
 * State is applied when an iteration is planned, and its end is the step
 * event.  Fast-forward: when the batch is decode-only and nothing can be
 * admitted, the next iterations are identical in membership, so several
 * are planned in one event -- as long as each ends no later than the
 * simulation horizon (the next arrival or sample, the first moment
 * anything outside can observe or change the instance) and no request
 * finishes.  Rows and results are the same as stepping one iteration
 * per event (tests/unit/test_srv_sim.c proves it).
 */
#include "serve_int.h"

#include <stdlib.h>
#include <string.h>

/* Most iterations planned in one event. */
#define MAX_CHUNK_ITERS 4096

/* What one planned iteration contains, for its step row. */
typedef struct step_plan {
    cost_batch batch;
    int64_t n_seqs;
    bool cap_blocked;
} step_plan;

int64_t srv_blocks_for(const srv_inst *inst, int64_t tokens)
{
    return (tokens + inst->block_size - 1) / inst->block_size;
}

static int64_t free_blocks(const srv_inst *in)
{
    return in->total_blocks - in->used_blocks;
}

static bool in_decode(const srv_req *r)
{
    return r->prefilled == r->target;
}

/* ---- the waiting queue --------------------------------------------------- */

void srv_inst_enqueue(srv_inst *in, srv_req *r)
{
    r->next = NULL;
    r->prev = in->wait_tail;
    if (in->wait_tail != NULL)
        in->wait_tail->next = r;
    else
        in->wait_head = r;
    in->wait_tail = r;
    in->n_wait++;
    in->outstanding += (r->target - r->prefilled) + (r->output - r->generated);
}

static void push_front(srv_inst *in, srv_req *r)
{
    r->prev = NULL;
    r->next = in->wait_head;
    if (in->wait_head != NULL)
        in->wait_head->prev = r;
    else
        in->wait_tail = r;
    in->wait_head = r;
    in->n_wait++;
}

static srv_req *pop_front(srv_inst *in)
{
    srv_req *r = in->wait_head;

    in->wait_head = r->next;
    if (in->wait_head != NULL)
        in->wait_head->prev = NULL;
    else
        in->wait_tail = NULL;
    r->next = r->prev = NULL;
    in->n_wait--;
    return r;
}

/* ---- admission and preemption -------------------------------------------- */

static void admit(srv_inst *in, srv_req *r, hs_time now)
{
    int64_t need = srv_blocks_for(in, r->target);

    HS_ASSERT(need <= free_blocks(in) && in->n_running < in->max_batch);
    pop_front(in);
    in->used_blocks += need - r->blocks;
    r->blocks = need;
    r->admit_seq = in->admit_seq++;
    if (r->admitted < 0)
        r->admitted = now;
    in->running[in->n_running++] = r;
}

/* Preempt the newest running request: drop its KV, queue it first, to
 * prefill its prompt and generated tokens again. */
static void preempt_newest(srv_inst *in)
{
    srv_req *r = in->running[--in->n_running];
    int64_t before = r->target - r->prefilled;

    in->used_blocks -= r->blocks;
    r->blocks = 0;
    r->target = r->prompt + r->generated;
    r->prefilled = 0;
    r->kv_tokens = 0;
    r->chunk = 0;
    r->preemptions++;
    in->outstanding += r->target - before;
    push_front(in, r);
}

/* Schedule every running decode for one token, growing KV by a block
 * where needed and preempting the newest requests when blocks run out.
 * Returns the number of decodes scheduled. */
static int64_t schedule_decodes(srv_inst *in, cost_batch *b)
{
    int64_t n = 0;

    for (int64_t i = 0; i < in->n_running; i++) {
        srv_req *r = in->running[i];
        int64_t need;

        if (!in_decode(r))
            continue;
        need = srv_blocks_for(in, r->kv_tokens + 1) - r->blocks;
        while (need > free_blocks(in) && in->n_running - 1 > i)
            preempt_newest(in);
        if (need > free_blocks(in)) {
            preempt_newest(in); /* r itself: it is the newest now */
            break;
        }
        in->used_blocks += need;
        r->blocks += need;
        r->chunk = -1;
        cost_batch_add_decode(b, r->kv_tokens);
        n++;
    }
    return n;
}

/* Give running partial prefills their next chunk within 'budget'. */
static int64_t continue_prefills(srv_inst *in, cost_batch *b, int64_t budget,
                                 int64_t *n_seqs)
{
    for (int64_t i = 0; i < in->n_running && budget > 0; i++) {
        srv_req *r = in->running[i];
        int64_t q;

        if (in_decode(r) || r->chunk != 0)
            continue;
        q = r->target - r->prefilled < budget ? r->target - r->prefilled
                                              : budget;
        r->chunk = q;
        cost_batch_add_prefill(b, &in->ctx, q, r->prefilled,
                               r->prefilled + q == r->target);
        budget -= q;
        (*n_seqs)++;
    }
    return budget;
}

/* Admit waiting requests while the batch, the budget and KV allow.
 * 'whole': prompts are not chunked (the first one may exceed the
 * budget).  Sets '*cap_blocked' when the head waits for KV blocks while
 * the batch had room. */
static int64_t admit_waiting(srv_inst *in, cost_batch *b, int64_t budget,
                             bool whole, hs_time now, int64_t *n_seqs,
                             bool *cap_blocked)
{
    int64_t admitted = 0;

    while (in->wait_head != NULL && in->n_running < in->max_batch &&
           budget > 0) {
        srv_req *r = in->wait_head;
        int64_t q;

        if (srv_blocks_for(in, r->target) - r->blocks > free_blocks(in)) {
            *cap_blocked = true;
            break;
        }
        if (whole && admitted > 0 && r->target > budget)
            break;
        admit(in, r, now);
        q = whole || r->target < budget ? r->target : budget;
        r->chunk = q;
        cost_batch_add_prefill(b, &in->ctx, q, 0, q == r->target);
        budget -= q;
        admitted++;
        (*n_seqs)++;
    }
    return admitted;
}

/* Form the next iteration.  Returns false when there is nothing to run. */
static bool plan_step(srv_inst *in, hs_time now, step_plan *p)
{
    int64_t budget = in->max_tokens;

    memset(p, 0, sizeof *p);
    for (int64_t i = 0; i < in->n_running; i++)
        in->running[i]->chunk = 0;
    if (in->chunked) {
        int64_t dec = schedule_decodes(in, &p->batch);

        p->n_seqs = dec;
        budget = continue_prefills(in, &p->batch, budget - dec, &p->n_seqs);
        admit_waiting(in, &p->batch, budget, false, now, &p->n_seqs,
                      &p->cap_blocked);
    } else if (admit_waiting(in, &p->batch, budget, true, now, &p->n_seqs,
                             &p->cap_blocked) == 0) {
        p->n_seqs = schedule_decodes(in, &p->batch);
    }
    return p->n_seqs > 0;
}

/* ---- fast-forward --------------------------------------------------------- */

/* Would plan_step() at this point form exactly "every running request
 * decodes, nobody is admitted or preempted"?  If so, fill the batch and
 * the capacity flag it would compute, without changing anything. */
static bool decode_only_next(const srv_inst *in, step_plan *p)
{
    int64_t growth = 0, free_after;

    if (in->n_running == 0)
        return false;
    memset(p, 0, sizeof *p);
    for (int64_t i = 0; i < in->n_running; i++) {
        const srv_req *r = in->running[i];

        if (!in_decode(r))
            return false;
        growth += srv_blocks_for(in, r->kv_tokens + 1) - r->blocks;
        cost_batch_add_decode(&p->batch, r->kv_tokens);
    }
    p->n_seqs = in->n_running;
    if (growth > free_blocks(in))
        return false; /* a preemption is due: plan it normally */
    free_after = in->chunked ? free_blocks(in) - growth : free_blocks(in);
    if (in->wait_head != NULL && in->n_running < in->max_batch &&
        (!in->chunked || in->max_tokens - in->n_running > 0)) {
        if (srv_blocks_for(in, in->wait_head->target) -
                in->wait_head->blocks <=
            free_after)
            return false; /* someone would be admitted */
        p->cap_blocked = true;
    }
    return true;
}

static void grow_decodes(srv_inst *in)
{
    for (int64_t i = 0; i < in->n_running; i++) {
        srv_req *r = in->running[i];
        int64_t need = srv_blocks_for(in, r->kv_tokens + 1) - r->blocks;

        in->used_blocks += need;
        r->blocks += need;
        r->chunk = -1;
    }
}

/* ---- applying an iteration ------------------------------------------------ */

/* Advance every scheduled request by its iteration ending at 'end'.
 * Returns how many have produced their last token. */
static int64_t apply_step(srv_inst *in, hs_time end)
{
    int64_t finishing = 0;

    for (int64_t i = 0; i < in->n_running; i++) {
        srv_req *r = in->running[i];

        if (r->chunk > 0) {
            r->prefilled += r->chunk;
            r->kv_tokens = r->prefilled;
            in->outstanding -= r->chunk;
            if (r->prefilled == r->target) {
                r->generated++;
                in->outstanding--;
                if (r->first_token < 0)
                    r->first_token = end;
            }
        } else if (r->chunk < 0) {
            r->kv_tokens++;
            r->generated++;
            in->outstanding--;
        }
        r->chunk = 0;
        if (r->generated >= r->output)
            finishing++;
    }
    return finishing;
}

static const char *phase_of(const cost_batch *b)
{
    if (b->decode_seqs == 0)
        return "prefill";
    return b->prefill_seqs == 0 ? "decode" : "mixed";
}

/* Cost one planned iteration starting at 'start'; record it; return its
 * end. */
static hs_time cost_and_record(srv_sim *s, srv_inst *in, const step_plan *p,
                               hs_time start, const cost_step *given)
{
    cost_step st;
    hs_time dt, end;
    srv_step_rec rec;
    double kv_used = (double)in->used_blocks * in->block_bytes;

    if (given != NULL)
        st = *given;
    else
        cost_step_eval(&in->ctx, &p->batch, &st);
    dt = hs_time_from_s(st.time_s);
    if (dt < 1)
        dt = 1;
    end = start + dt;
    in->busy_s += hs_time_to_s(dt);
    in->flops += st.flops;
    in->bytes += st.bytes;
    in->steps++;
    if (p->cap_blocked)
        in->cap_bound_s += hs_time_to_s(dt);
    rec.instance = in->name;
    rec.start_s = hs_time_to_s(start);
    rec.end_s = hs_time_to_s(end);
    rec.phase = phase_of(&p->batch);
    rec.batch_size = p->n_seqs;
    rec.prefill_tokens = p->batch.prefill_tokens;
    rec.decode_tokens = p->batch.decode_seqs;
    rec.flops = st.flops;
    rec.bytes = st.bytes;
    rec.oi = st.oi;
    rec.kv_used_bytes = kv_used;
    rec.cf_bytes = in->ctx.weight_bytes + kv_used +
                   cost_workspace_bytes(&in->ctx,
                                        p->batch.prefill_tokens +
                                            p->batch.decode_seqs,
                                        p->batch.logits_tokens);
    rec.bound = p->cap_blocked ? "capacity" : cost_bound_name(st.bound);
    srv_sim_emit_step(s, &rec);
    return end;
}

void srv_inst_kick(srv_sim *s, int idx)
{
    srv_inst *in = &s->insts[idx];
    hs_time t = eng_now(s->eng);
    hs_time horizon;
    step_plan p;
    int64_t iters = 0, finishing;

    if (in->busy || !plan_step(in, t, &p))
        return;
    t = cost_and_record(s, in, &p, t, NULL);
    finishing = apply_step(in, t);
    iters = 1;
    horizon = srv_sim_horizon(s);
    while (finishing == 0 && !s->opt.no_fast_forward &&
           iters < MAX_CHUNK_ITERS && decode_only_next(in, &p)) {
        cost_step st;

        cost_step_eval(&in->ctx, &p.batch, &st);
        if (t + (hs_time_from_s(st.time_s) < 1 ? 1
                                               : hs_time_from_s(st.time_s)) >
            horizon)
            break;
        grow_decodes(in);
        t = cost_and_record(s, in, &p, t, &st);
        finishing = apply_step(in, t);
        iters++;
    }
    in->busy = true;
    in->chunk_iters = iters;
    in->n_finishing = finishing;
    eng_schedule(s->eng, t, ENG_PRIO_COMPLETION, srv_on_event, s,
                 SRV_EV_STEP_END, (uint64_t)idx);
}

/* Remove finished requests from the batch (keeping admission order) and
 * retire them. */
void srv_inst_step_end(srv_sim *s, int idx)
{
    srv_inst *in = &s->insts[idx];
    int64_t k = 0;

    in->busy = false;
    if (in->n_finishing > 0) {
        for (int64_t i = 0; i < in->n_running; i++) {
            srv_req *r = in->running[i];

            if (r->generated >= r->output) {
                in->used_blocks -= r->blocks;
                r->blocks = 0;
                srv_sim_retire(s, r, SRV_REQ_DONE);
            } else {
                in->running[k++] = r;
            }
        }
        in->n_running = k;
        in->n_finishing = 0;
    }
    srv_inst_kick(s, idx);
}

/* ---- set-up and checks ----------------------------------------------------- */

int srv_inst_init(srv_inst *in, const sc_scenario *sc, const sc_group *g,
                  const char *name, hs_diag *d)
{
    const sc_hardware *hw = &sc->hardware[g->device];
    const cost_link *link =
        g->link != SC_NONE ? &sc->links[g->link].link : NULL;
    double kv_cap;

    memset(in, 0, sizeof *in);
    snprintf(in->name, sizeof in->name, "%s", name);
    in->role = "mono";
    in->device = hw->name;
    cost_ctx_init(&in->ctx, &sc->model, &sc->precision, &hw->dev, g->tp,
                  g->tp > 1 ? link : NULL, NULL);
    in->max_batch = g->max_batch;
    in->max_tokens = g->max_batch_tokens;
    in->chunked = g->chunked_prefill;
    in->block_size = sc->cluster.block_size;
    in->block_bytes = (double)in->block_size * in->ctx.kv_bytes_per_token;
    kv_cap = cost_kv_capacity_bytes(
        &in->ctx, g->max_batch_tokens,
        g->max_batch < g->max_batch_tokens ? g->max_batch
                                           : g->max_batch_tokens);
    in->total_blocks = kv_cap > 0 ? (int64_t)(kv_cap / in->block_bytes) : 0;
    if (in->total_blocks < 1)
        return hs_diag_error(
            d, g->loc,
            "cluster: instance '%s': model '%s' (%.1f GB of weights) "
            "leaves no room for KV cache on %d x %s (%.1f GB usable)",
            name, sc->model.name, in->ctx.weight_bytes / 1e9, g->tp,
            hw->name,
            cost_instance_mem_bytes(&in->ctx) * (1 - hw->dev.mem_margin) /
                1e9);
    in->running = hs_calloc((size_t)in->max_batch, sizeof *in->running);
    return HS_OK;
}

void srv_inst_fini(srv_inst *in)
{
    free(in->running);
    in->running = NULL;
}

bool srv_inst_check(const srv_inst *in, FILE *why)
{
    int64_t used = 0, out = 0;
    const char *broken = NULL;

    for (int64_t i = 0; i < in->n_running; i++) {
        const srv_req *r = in->running[i];
        int64_t want = in_decode(r) ? srv_blocks_for(in, r->kv_tokens)
                                    : srv_blocks_for(in, r->target);

        used += r->blocks;
        out += (r->target - r->prefilled) + (r->output - r->generated);
        if (r->blocks != want && !(in_decode(r) && r->blocks == want + 1))
            broken = "I2 blocks of a running request";
        if (i > 0 && in->running[i - 1]->admit_seq >= r->admit_seq)
            broken = "I3 admission order";
    }
    for (const srv_req *r = in->wait_head; r != NULL; r = r->next)
        out += (r->target - r->prefilled) + (r->output - r->generated);
    if (used != in->used_blocks || used > in->total_blocks || used < 0)
        broken = "I1 used blocks";
    if (out != in->outstanding)
        broken = "I4 outstanding tokens";
    if (broken != NULL && why != NULL)
        fprintf(why, "srv_inst_check: %s: %s\n", in->name, broken);
    return broken == NULL;
}
