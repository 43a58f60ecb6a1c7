/*
 * srv_step.c -- one planned iteration of an instance: its cost (the cost
 * model's step time, then the time of its reads from the memory pool
 * overlapped with it as the KV pool policy says, then the host's time),
 * its record (the instance's totals and a step row for the
 * cluster's sink), and applying it when it ends (prefill progress, first
 * tokens, prefixes into the cache, hand-offs of finished prefills in
 * split mode, one more decode iteration).
 */
#include "srv_inst.h"

/* The CUDA-graph size a decode-only batch of 'n' runs as: the smallest
 * captured size >= n, or n itself when none is that large (then the
 * engine runs it without a graph). */
static int64_t graph_size(const srv_inst *in, int64_t n)
{
    for (int i = 0; i < in->n_graph_sizes; i++) {
        if (in->graph_sizes[i] >= n)
            return in->graph_sizes[i];
    }
    return n;
}

/* Host (CPU) time of an iteration of 'n_seqs' sequences added to the
 * GPU step: hidden behind it when the engine overlaps the two. */
static void add_host_time(const srv_inst *in, int64_t n_seqs, cost_step *st)
{
    double host = in->host_step_s + in->host_seq_s * (double)n_seqs;

    if (host <= 0)
        return;
    if (!in->host_overlap)
        st->time_s += host;
    else if (host > st->time_s)
        st->time_s = host;
}

void srv_step_cost(srv_inst *in, const srv_plan *p, cost_step *st,
                   srv_link_use *use)
{
    const cost_batch *b = &p->batch;
    cost_batch padded;

    if (in->n_graph_sizes > 0 && b->prefill_seqs == 0 && b->decode_seqs > 0) {
        int64_t pad = graph_size(in, b->decode_seqs) - b->decode_seqs;

        /* Padding rows run through every GEMM and read no KV. */
        padded = *b;
        for (int64_t i = 0; i < pad; i++)
            cost_batch_add_decode(&padded, 0);
        b = &padded;
    }
    cost_step_eval(&in->ctx, b, st);
    use->bytes = 0;
    use->per_layer = false;
    if (in->kvpol->traffic != NULL)
        in->kvpol->traffic(in->kvpol_st, st, use);
}

/* Pool-resident KV, read layer by layer into device memory (a two-layer
 * buffer) and read there by the layer's kernels: the read of layer i
 * (latency + its share of the drain) starts when layer i-1's compute
 * starts, so with c the device time of one layer (the step's over
 * 'layers') and r = latency + drain / layers,
 *     t = r + (layers - 1) x max(c, r) + c  >=  layers x c,
 * never shorter than the step with its KV in device memory. */
static void per_layer(const srv_inst *in, cost_step *st, double drain_s)
{
    double n = in->ctx.model.layers > 0 ? in->ctx.model.layers : 1;
    double c = st->time_s / n;
    double r = in->pool_latency_s + drain_s / n;

    st->time_s = r + (n - 1) * (c > r ? c : r) + c;
    if (r > c)
        st->bound = COST_BOUND_LINK;
}

/* Fetched KV: the bytes move once, overlapped with the whole step, the
 * latency paid once. */
static void whole(const srv_inst *in, cost_step *st, double drain_s)
{
    if (drain_s > st->time_s) {
        st->time_s = drain_s;
        st->bound = COST_BOUND_LINK;
    }
    st->time_s += in->pool_latency_s;
}

void srv_step_finish(const srv_inst *in, const srv_plan *p, cost_step *st,
                     const srv_link_use *use, double drain_s)
{
    if (use->bytes > 0) {
        if (use->per_layer)
            per_layer(in, st, drain_s);
        else
            whole(in, st, drain_s);
    }
    add_host_time(in, p->n_seqs, st);
}

hs_time srv_step_duration(const cost_step *st)
{
    hs_time dt = hs_time_from_s(st->time_s);

    return dt < 1 ? 1 : dt;
}

static const char *phase_of(const cost_batch *b)
{
    if (b->decode_seqs == 0)
        return "prefill";
    return b->prefill_seqs == 0 ? "decode" : "mixed";
}

static void emit(const srv_inst *in, const srv_plan *p, hs_time start,
                 hs_time end, const cost_step *st)
{
    double kv_used = (double)in->used_blocks * in->block_bytes;
    srv_step_rec rec;

    rec.instance = in->name;
    rec.start_s = hs_time_to_s(start);
    rec.end_s = hs_time_to_s(end);
    rec.phase = phase_of(&p->batch);
    rec.batch_size = p->n_seqs;
    rec.prefill_tokens = p->batch.prefill_tokens;
    rec.decode_tokens = p->batch.decode_seqs;
    rec.flops = st->flops;
    rec.bytes = st->bytes;
    rec.oi = st->oi;
    rec.kv_used_bytes = kv_used;
    rec.cf_bytes =
        in->ctx.weight_bytes + kv_used +
        cost_workspace_bytes(&in->ctx,
                             p->batch.prefill_tokens + p->batch.decode_seqs,
                             p->batch.logits_tokens);
    rec.bound = p->cap_blocked ? "capacity" : cost_bound_name(st->bound);
    rec.gemm_format = cost_dtype_name(in->ctx.compute);
    rec.attn_format = cost_dtype_name(in->ctx.attn);
    in->hooks->step(in->hooks->ctx, &rec);
}

/* The length of the part of [start, end) inside the instance's
 * measurement window. */
static hs_time in_window(const srv_inst *in, hs_time start, hs_time end)
{
    hs_time a = start > in->win_from ? start : in->win_from;
    hs_time b = end < in->win_to ? end : in->win_to;

    return b > a ? b - a : 0;
}

hs_time srv_step_record(srv_inst *in, const srv_plan *p, hs_time start,
                        const cost_step *st)
{
    hs_time dt = srv_step_duration(st);
    /* Saturates rather than overflows (srv_inst_init refuses devices
     * whose steps approach that: SRV_MAX_STEP_S). */
    hs_time end = start > HS_TIME_MAX - dt ? HS_TIME_MAX : start + dt;

    in->busy_s += hs_time_to_s(end - start);
    in->win_busy_s += hs_time_to_s(in_window(in, start, end));
    if (in->kvpol->recorded != NULL)
        in->kvpol->recorded(in, in->kvpol_st, st, start, end);
    in->flops += st->flops;
    in->bytes += st->bytes;
    in->steps++;
    if (p->cap_blocked)
        in->cap_bound_s += hs_time_to_s(end - start);
    if (in->hooks->step != NULL)
        emit(in, p, start, end, st);
    return end;
}

/* Prefill kind: the request leaves the batch with its KV blocks still
 * held here; it is handed off at the step's end. */
static void hand_off(srv_inst *in, srv_req *r)
{
    srv_list_remove(in->running, &in->n_running, r);
    in->held_blocks += r->blocks;
    in->outstanding -= r->output - r->generated;
    in->handoff[in->n_handoff++] = r;
}

/* The prefill of 'r' is complete at 'end': its first token is out. */
static void prefill_done(srv_inst *in, srv_req *r, hs_time end)
{
    r->generated++;
    in->outstanding--;
    in->tokens_out++;
    if (r->first_token < 0)
        r->first_token = end;
    srv_list_remove(in->prefilling, &in->n_prefilling, r);
    srv_kv_cache_prefix(in, r, r->target);
    if (in->kind == SRV_KIND_PREFILL)
        hand_off(in, r);
    else
        srv_decode_enter(in, r);
}

static bool apply(srv_inst *in, const srv_plan *p, hs_time end)
{
    if (p->n_decodes > 0) {
        in->dec_it++;
        in->outstanding -= p->n_decodes;
        in->tokens_out += p->n_decodes;
    }
    for (int64_t i = 0; i < in->n_sched; i++) {
        srv_req *r = in->sched_reqs[i];

        r->prefilled += r->chunk;
        r->kv_tokens = r->prefilled;
        in->outstanding -= r->chunk;
        in->prefill_left -= r->chunk;
        in->tokens_in += r->chunk;
        r->chunk = 0;
        if (r->prefilled == r->target)
            prefill_done(in, r, end);
    }
    in->n_sched = 0;
    return srv_decode_finished(in) != NULL;
}

bool srv_step_apply(srv_inst *in, const srv_plan *p, hs_time end)
{
    int64_t out = in->tokens_out, inp = in->tokens_in;
    bool finishing = apply(in, p, end);

    if (end >= in->win_from && end < in->win_to) {
        in->win_tokens_out += in->tokens_out - out;
        in->win_tokens_in += in->tokens_in - inp;
    }
    return finishing;
}
