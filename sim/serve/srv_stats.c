/*
 * srv_stats.c -- what a run adds up to: requests accounted as they
 * retire (counts, tokens, latencies, SLO, prefix hits), and at the end
 * the summary, the instance rows, the per-instance, per-pool, per-link
 * and memory-pool metrics, and the run's summary metrics.
 *
 * Percentiles are exact: every latency of the window's finished requests
 * is kept (a double per request and kind, a few bytes per request) and
 * the nearest rank is selected at the end -- the k-th smallest of n
 * values with k = ceil(q n) -- the definition of docs/schema.md, so a
 * query on the requests table gives the same numbers.
 *
 * The measurement window (sc_window) is [from, to) clipped to the span
 * [0, end], where the end is the last arrival, finish or drop: no
 * sampling or output setting moves it.  Requests count for latency, SLO
 * and throughput when they arrive inside the window; busy time, energy
 * and cost are clipped to it.
 */
#include "serve_int.h"

#include "hetsim/hw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- latencies and ranks ------------------------------------------------------ */

static void values_add(srv_values *q, double v)
{
    if (q->n == q->cap) {
        q->cap = q->cap > 0 ? 2 * q->cap : 1024;
        q->v = hs_realloc(q->v, q->cap * sizeof *q->v);
    }
    q->v[q->n++] = v;
    q->sum += v;
}

/* The nearest rank (from 1) of the percentile 'ppm' (parts per million:
 * p90 is 900000) among 'n' > 0 values: ceil(ppm n / 10^6), at least 1.
 * Integer arithmetic, so p90 of 10 values is exactly the 9th. */
static int64_t nearest_rank(int64_t ppm, int64_t n)
{
    int64_t k = (ppm * n + 999999) / 1000000;

    return k > 0 ? k : 1;
}

/* Percentile 'pct' (50, 99.9) in parts per million. */
static int64_t ppm_of(double pct)
{
    return (int64_t)llround(pct * 1e4);
}

static double median3(double a, double b, double c)
{
    if (a > b) {
        double t = a;

        a = b;
        b = t;
    }
    return c < a ? a : c > b ? b : c;
}

/* Put the k-th smallest (from 0) of v[lo..hi] at v[k], none larger
 * before it and none smaller after it (Hoare's selection: O(hi - lo)
 * expected, against O(n log n) for a sort -- 3 x 1,000,000 values sort in
 * about 0.7 s). */
static void select_kth(double *v, int64_t lo, int64_t hi, int64_t k)
{
    while (lo < hi) {
        double p = median3(v[lo], v[lo + (hi - lo) / 2], v[hi]);
        int64_t i = lo, j = hi;

        while (i <= j) {
            while (v[i] < p)
                i++;
            while (v[j] > p)
                j--;
            if (i <= j) {
                double t = v[i];

                v[i++] = v[j];
                v[j--] = t;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return; /* v[j + 1 .. i - 1] all equal p */
    }
}

/* p50, p90, p99 (nearest rank) and the mean of 'q'; NaN when empty.
 * Reorders the values: each rank is selected among those not below the
 * previous one. */
static void values_get(srv_values *q, double out[3], double *mean)
{
    static const int64_t ppm[3] = {500000, 900000, 990000};
    int64_t n = (int64_t)q->n, from = 0;

    for (int i = 0; i < 3; i++)
        out[i] = (double)NAN;
    *mean = (double)NAN;
    if (n == 0)
        return;
    for (int i = 0; i < 3; i++) {
        int64_t k = nearest_rank(ppm[i], n) - 1;

        select_kth(q->v, from, n - 1, k);
        out[i] = q->v[k];
        from = k;
    }
    *mean = q->sum / (double)n;
}

void srv_stats_init(srv_stats *st, const sc_scenario *sc)
{
    memset(st, 0, sizeof *st);
    srv_window_of(sc, &st->win_from, &st->win_to);
    st->n_slo = sc->n_slo;
    st->within = hs_calloc(sc->n_slo + 1, sizeof *st->within);
}

void srv_stats_fini(srv_stats *st)
{
    free(st->ttft.v);
    free(st->tpot.v);
    free(st->e2e.v);
    free(st->within);
}

/* ---- as requests retire ----------------------------------------------------- */

/* Is finished request 'rec' within the threshold of 'slo'?  A request of
 * one output token has no TPOT: within any TPOT threshold. */
static bool within(const sc_slo *slo, const srv_request_rec *rec)
{
    double v = slo->metric == SC_SLO_TTFT   ? rec->ttft_s
               : slo->metric == SC_SLO_TPOT ? rec->tpot_s
                                            : rec->e2e_s;

    return isnan(v) || v <= slo->threshold_s;
}

static void account_done(srv_stats *st, const srv_request_rec *rec)
{
    st->done++;
    st->cached_tokens += rec->cached_tokens;
    st->done_prompt_tokens += rec->prompt_tokens;
    st->output_tokens += rec->output_tokens;
}

/* A request that arrived inside the window: its latencies and SLO. */
static void account_window(srv_sim *s, const srv_request_rec *rec)
{
    srv_stats *st = &s->stats;
    bool all = true;

    st->win_arrived++;
    if (!isnan(rec->queue_s)) {
        st->queue_sum += rec->queue_s;
        st->queue_n++;
    }
    if (rec->status != SRV_REQ_DONE)
        return;
    st->win_done++;
    st->win_output_tokens += rec->output_tokens;
    values_add(&st->ttft, rec->ttft_s);
    values_add(&st->e2e, rec->e2e_s);
    if (!isnan(rec->tpot_s))
        values_add(&st->tpot, rec->tpot_s);
    for (size_t i = 0; i < st->n_slo; i++) {
        if (within(&s->sc->slo[i], rec))
            st->within[i]++;
        else
            all = false;
    }
    if (all)
        st->within_all++;
}

void srv_stats_account(srv_sim *s, const srv_req *r,
                       const srv_request_rec *rec)
{
    srv_stats *st = &s->stats;
    hs_time now = eng_now(s->eng);

    if (r->arrival > st->last_change)
        st->last_change = r->arrival;
    if (rec->status != SRV_REQ_UNFINISHED && now > st->last_change)
        st->last_change = now;
    if (rec->status == SRV_REQ_DONE)
        account_done(st, rec);
    else if (rec->status == SRV_REQ_DROPPED)
        st->dropped++;
    st->preemptions += rec->preemptions;
    if (rec->status == SRV_REQ_DONE && r->id_tokens != 0) {
        st->hit_blocks += r->hit_blocks;
        st->id_blocks += (r->prompt + r->id_tokens - 1) / r->id_tokens;
    }
    if (!r->warmup && r->arrival >= st->win_from && r->arrival < st->win_to)
        account_window(s, rec);
}

/* ---- at the end: instances, pools, links ------------------------------------- */

/* Totals of one pool of split mode (scope = the pool's name): energy,
 * cost and busy share of its devices, and its tokens per dollar and per
 * joule (output tokens for decode, prompt tokens for prefill). */
typedef struct pool_totals {
    double energy_j, cost_usd, busy_s, device_s, tokens;
    double fallbacks; /* requests decoded on prefill instances */
} pool_totals;

static void emit_pool(srv_sim *s, const char *pool, const pool_totals *t)
{
    srv_emit_metric(s, pool, REC_M_energy_j, t->energy_j);
    srv_emit_metric(s, pool, REC_M_cost_usd, t->cost_usd);
    srv_emit_metric(s, pool, REC_M_busy_frac,
                    t->device_s > 0 ? t->busy_s / t->device_s : 0);
    srv_emit_metric(s, pool, REC_M_tokens_per_usd,
                    t->cost_usd > 0 ? t->tokens / t->cost_usd : 0);
    srv_emit_metric(s, pool, REC_M_tokens_per_j,
                    t->energy_j > 0 ? t->tokens / t->energy_j : 0);
    srv_emit_metric(s, pool, REC_M_fallback_decodes, t->fallbacks);
}

/* Split mode: the KV transfer link's totals (scope = the link's name),
 * its energy counted in the run's.  Its ports are the instances' KV
 * ports; pool traffic over the same link crosses them too: its bytes are
 * taken off (they cross one of the link's ports, and the pool's metrics
 * count them), its time on the ports is not.  Pool transfers carry no
 * energy in the network (srv_pool.c). */
static void link_totals(srv_sim *s, double sim_s)
{
    double bytes = 0, busy = 0, bw = 0;
    double energy = hw_net_energy_j(s->net);

    for (int i = 0; i < s->n_insts; i++) {
        hw_res_stats st;

        hw_net_stats(s->net, s->insts[i].port, &st);
        bytes += st.bytes;
        busy += st.busy_s;
        bw += st.bandwidth;
    }
    /* Each byte of a hand-off crosses two ports (egress and ingress). */
    bytes = (bytes - s->pool_shared_bytes) / 2;
    srv_emit_metric(s, s->xfer_link, REC_M_bytes, bytes);
    srv_emit_metric(s, s->xfer_link, REC_M_energy_j, energy);
    srv_emit_metric(s, s->xfer_link, REC_M_port_busy_frac,
                    sim_s > 0 ? busy / (sim_s * s->n_insts) : 0);
    srv_emit_metric(s, s->xfer_link, REC_M_utilisation,
                    sim_s > 0 && bw > 0 ? 2 * bytes / (bw * sim_s) : 0);
    srv_emit_metric(s, s->xfer_link, REC_M_transfers, (double)s->kv_transfers);
    s->summary.energy_j += energy;
}

/* The memory pool's totals (scope = its name): KV bytes streamed,
 * offloaded and fetched, their energy over the pool's link (added to the
 * run's), bandwidth utilisation, capacity. */
static void memory_pool_totals(srv_sim *s, double sim_s)
{
    srv_pool_totals t = {0, 0, 0};
    const char *pool = s->pool->name;
    double bytes, energy;

    for (int i = 0; i < s->n_insts; i++)
        srv_inst_pool_totals(&s->insts[i], &t);
    srv_emit_metric(s, pool, REC_M_offloaded_bytes, t.offloaded_bytes);
    srv_emit_metric(s, pool, REC_M_fetched_bytes, t.fetched_bytes);
    bytes = t.streamed_bytes;
    bytes += t.offloaded_bytes + t.fetched_bytes; /* as summed before */
    energy = bytes * 8.0 * s->pool_epb;
    srv_emit_metric(s, pool, REC_M_capacity_bytes, s->pool->capacity_bytes);
    srv_emit_metric(s, pool, REC_M_streamed_bytes,
                    bytes - t.offloaded_bytes - t.fetched_bytes);
    srv_emit_metric(s, pool, REC_M_energy_j, energy);
    srv_emit_metric(s, pool, REC_M_utilisation,
                    sim_s > 0 ? bytes / (s->pool->bandwidth * sim_s) : 0);
    s->summary.energy_j += energy;
}

/* Its metrics: busy share and throughput over the window ('win_s'
 * long), the rest over the whole run. */
static void instance_metrics(srv_sim *s, const srv_inst *in, double win_s)
{
    srv_emit_metric(s, in->name, REC_M_busy_frac,
                    win_s > 0 ? in->win_busy_s / win_s : 0);
    srv_emit_metric(s, in->name, REC_M_capacity_bound_frac,
                    in->busy_s > 0 ? in->cap_bound_s / in->busy_s : 0);
    srv_emit_metric(s, in->name, REC_M_mean_oi,
                    in->bytes > 0 ? in->flops / in->bytes : 0);
    srv_emit_metric(s, in->name, REC_M_steps, (double)in->steps);
    srv_emit_metric(s, in->name, REC_M_throughput_tok_s,
                    win_s > 0 ? (double)in->win_tokens_out / win_s : 0);
    srv_emit_metric(s, in->name, REC_M_kv_capacity_bytes,
                    (double)in->total_blocks * in->block_bytes);
    srv_emit_metric(s, in->name, REC_M_prefix_evicted_bytes,
                    (double)in->evicted_blocks * in->block_bytes);
}

/* The instance's row (busy time, energy and cost inside the window,
 * 'win_s' long: the instance exists for the whole run) and metrics; its
 * part of its split pool's totals. */
static void instance_totals(srv_sim *s, const srv_inst *in, double win_s,
                            pool_totals pools[2])
{
    const cost_device *dev = &in->ctx.dev;
    double busy = in->win_busy_s;
    double idle = win_s - busy > 0 ? win_s - busy : 0;
    srv_instance_rec rec = {
        .instance = in->name,
        .role = in->role,
        .device = in->device,
        .count = 1,
        .tp = in->ctx.tp,
        .pp = in->ctx.par.pp,
        .dp = in->ctx.par.dp,
        .ep = in->ctx.par.ep,
        .moe_tp = in->ctx.par.moe_tp,
        .busy_s = busy,
        .energy_j = in->ctx.gpus *
                    (busy * dev->power_busy_w + idle * dev->power_idle_w),
        .cost_usd = in->ctx.gpus * dev->cost_per_hour * win_s / 3600.0,
        .gemm_format = cost_dtype_name(in->ctx.compute),
        .attn_format = cost_dtype_name(in->ctx.attn),
    };

    s->summary.energy_j += rec.energy_j;
    s->summary.cost_usd += rec.cost_usd;
    srv_emit_instance(s, &rec);
    instance_metrics(s, in, win_s);
    if (in->kind != SRV_KIND_MONO) {
        pool_totals *t = &pools[in->kind == SRV_KIND_DECODE];

        t->energy_j += rec.energy_j;
        t->cost_usd += rec.cost_usd;
        t->busy_s += busy;
        t->fallbacks += (double)in->fallbacks;
        t->device_s += win_s;
        t->tokens += in->kind == SRV_KIND_DECODE ? (double)in->win_tokens_out
                                                 : (double)in->win_tokens_in;
    }
}

/* Instances and their pools over the window ('win_s' long); the traffic
 * of the transfer link and the memory pool over the whole run ('sim_s'
 * long). */
static void cluster_totals(srv_sim *s, double win_s, double sim_s)
{
    pool_totals pools[2];

    memset(pools, 0, sizeof pools);
    for (int i = 0; i < s->n_insts; i++)
        instance_totals(s, &s->insts[i], win_s, pools);
    if (s->sc->cluster.mode == SC_MODE_SPLIT) {
        emit_pool(s, "prefill", &pools[0]);
        emit_pool(s, "decode", &pools[1]);
        link_totals(s, sim_s);
    }
    if (s->pool != NULL)
        memory_pool_totals(s, sim_s);
}

/* ---- the summary -------------------------------------------------------------- */

/* The end of the span: the last arrival, finish or drop; a run stopped
 * early (interrupted, failed) ends when it stopped. */
static hs_time span_end(const srv_sim *s)
{
    hs_time t = s->stats.last_change;

    if (s->status != HS_OK && s->end_time > t)
        t = s->end_time;
    return t;
}

/* The span and the window inside it. */
static void summarize_span(const srv_sim *s, srv_summary *m)
{
    const srv_stats *st = &s->stats;
    hs_time end = span_end(s);
    hs_time to = st->win_to < end ? st->win_to : end;

    m->sim_s = hs_time_to_s(end);
    m->window_from_s = hs_time_to_s(st->win_from);
    m->window_s = to > st->win_from ? hs_time_to_s(to - st->win_from) : 0;
    m->window_requests = st->win_arrived;
}

static void summarize_requests(srv_sim *s, srv_summary *m)
{
    srv_stats *st = &s->stats;

    m->arrived = st->arrived;
    m->done = st->done;
    m->dropped = st->dropped;
    m->unfinished = st->arrived - st->done - st->dropped;
    m->events = eng_events_fired(s->eng);
    m->input_tokens = st->input_tokens;
    m->output_tokens = st->output_tokens;
    m->preemptions = st->preemptions;
    values_get(&st->ttft, m->ttft_s, &m->ttft_mean_s);
    values_get(&st->tpot, m->tpot_s, &m->tpot_mean_s);
    values_get(&st->e2e, m->e2e_s, &m->e2e_mean_s);
    m->queue_mean_s =
        st->queue_n > 0 ? st->queue_sum / (double)st->queue_n : (double)NAN;
}

/* Per window second; 0 for an empty window. */
static double per_s(double v, double win_s)
{
    return win_s > 0 ? v / win_s : 0;
}

static void summarize(srv_sim *s)
{
    srv_summary *m = &s->summary;
    const srv_stats *st = &s->stats;
    double flops = 0, bytes = 0, busy = 0, cap = 0;

    summarize_span(s, m);
    summarize_requests(s, m);
    for (int i = 0; i < s->n_insts; i++) {
        flops += s->insts[i].flops;
        bytes += s->insts[i].bytes;
        busy += s->insts[i].busy_s;
        cap += s->insts[i].cap_bound_s;
    }
    m->mean_oi = bytes > 0 ? flops / bytes : 0;
    m->capacity_bound_frac = busy > 0 ? cap / busy : 0;
    m->throughput_tok_s = per_s((double)st->win_output_tokens, m->window_s);
    m->throughput_req_s = per_s((double)st->win_done, m->window_s);
    m->goodput_req_s = per_s((double)st->within_all, m->window_s);
    m->prefix_hit_rate =
        st->done_prompt_tokens > 0
            ? (double)st->cached_tokens / (double)st->done_prompt_tokens
            : 0;
    m->prefix_block_hit_rate =
        st->id_blocks > 0 ? (double)st->hit_blocks / (double)st->id_blocks : 0;
    m->sessions_done = st->sessions_done;
    m->session_mean_s = st->sessions_done > 0
                            ? st->session_time_sum / (double)st->sessions_done
                            : (double)NAN;
    m->slo_attainment = st->win_arrived > 0
                            ? (double)st->within_all / (double)st->win_arrived
                            : (double)NAN;
}

/* slo_met of each SLO key (scope = the key): the key's percentile over
 * the window's arrived requests, those not finished counted as infinite,
 * is within the threshold exactly when at least its nearest rank of them
 * finished within it.  NaN without arrivals. */
static void emit_slo_met(srv_sim *s)
{
    const srv_stats *st = &s->stats;

    for (size_t i = 0; i < st->n_slo; i++) {
        const sc_slo *slo = &s->sc->slo[i];
        double met = (double)NAN;

        if (st->win_arrived > 0)
            met = st->within[i] >=
                  nearest_rank(ppm_of(slo->percentile), st->win_arrived);
        srv_emit_metric(s, slo->key, REC_M_slo_met, met);
    }
}

static void emit_percentiles(srv_sim *s, const srv_summary *m)
{
    static const rec_metric_id ttft[3] = {REC_M_ttft_p50_s, REC_M_ttft_p90_s,
                                          REC_M_ttft_p99_s};
    static const rec_metric_id tpot[3] = {REC_M_tpot_p50_s, REC_M_tpot_p90_s,
                                          REC_M_tpot_p99_s};
    static const rec_metric_id e2e[3] = {REC_M_e2e_p50_s, REC_M_e2e_p90_s,
                                         REC_M_e2e_p99_s};

    for (int i = 0; i < 3; i++) {
        srv_emit_metric(s, "run", ttft[i], m->ttft_s[i]);
        srv_emit_metric(s, "run", tpot[i], m->tpot_s[i]);
        srv_emit_metric(s, "run", e2e[i], m->e2e_s[i]);
    }
}

static void emit_summary(srv_sim *s)
{
    const srv_summary *m = &s->summary;

    srv_emit_metric(s, "run", REC_M_sim_s, m->sim_s);
    srv_emit_metric(s, "run", REC_M_window_from_s, m->window_from_s);
    srv_emit_metric(s, "run", REC_M_window_s, m->window_s);
    srv_emit_metric(s, "run", REC_M_window_requests,
                    (double)m->window_requests);
    srv_emit_metric(s, "run", REC_M_requests_arrived, (double)m->arrived);
    srv_emit_metric(s, "run", REC_M_requests_done, (double)m->done);
    srv_emit_metric(s, "run", REC_M_requests_dropped, (double)m->dropped);
    srv_emit_metric(s, "run", REC_M_requests_unfinished,
                    (double)m->unfinished);
    srv_emit_metric(s, "run", REC_M_input_tokens, (double)m->input_tokens);
    srv_emit_metric(s, "run", REC_M_output_tokens, (double)m->output_tokens);
    srv_emit_metric(s, "run", REC_M_throughput_tok_s, m->throughput_tok_s);
    srv_emit_metric(s, "run", REC_M_throughput_req_s, m->throughput_req_s);
    emit_percentiles(s, m);
    srv_emit_metric(s, "run", REC_M_ttft_mean_s, m->ttft_mean_s);
    srv_emit_metric(s, "run", REC_M_tpot_mean_s, m->tpot_mean_s);
    srv_emit_metric(s, "run", REC_M_e2e_mean_s, m->e2e_mean_s);
    srv_emit_metric(s, "run", REC_M_queue_mean_s, m->queue_mean_s);
    srv_emit_metric(s, "run", REC_M_goodput_req_s, m->goodput_req_s);
    srv_emit_metric(s, "run", REC_M_slo_attainment, m->slo_attainment);
    emit_slo_met(s);
    srv_emit_metric(s, "run", REC_M_mean_oi, m->mean_oi);
    srv_emit_metric(s, "run", REC_M_capacity_bound_frac,
                    m->capacity_bound_frac);
    srv_emit_metric(s, "run", REC_M_energy_j, m->energy_j);
    srv_emit_metric(s, "run", REC_M_cost_usd, m->cost_usd);
    srv_emit_metric(s, "run", REC_M_tokens_per_usd, m->tokens_per_usd);
    srv_emit_metric(s, "run", REC_M_tokens_per_j, m->tokens_per_j);
    srv_emit_metric(s, "run", REC_M_preemptions, (double)m->preemptions);
    srv_emit_metric(s, "run", REC_M_prefix_hit_rate, m->prefix_hit_rate);
    srv_emit_metric(s, "run", REC_M_prefix_block_hit_rate,
                    m->prefix_block_hit_rate);
    srv_emit_metric(s, "run", REC_M_sessions_done, (double)m->sessions_done);
    srv_emit_metric(s, "run", REC_M_session_mean_s, m->session_mean_s);
}

void srv_stats_finish(srv_sim *s)
{
    srv_summary *m = &s->summary;
    double tokens = (double)s->stats.win_output_tokens;

    summarize(s);
    cluster_totals(s, m->window_s, m->sim_s);
    m->tokens_per_usd = m->cost_usd > 0 ? tokens / m->cost_usd : 0;
    m->tokens_per_j = m->energy_j > 0 ? tokens / m->energy_j : 0;
    emit_summary(s);
}
