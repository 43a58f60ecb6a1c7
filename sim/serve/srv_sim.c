/*
 * srv_sim.c -- the serving simulation's public API (serve.h): wiring a
 * cluster (srv_build.c) to the workload sources and the engine, running
 * it, and what a run ends with.  Here too are the hooks through which
 * instances tell the cluster what happens, the horizon that bounds their
 * fast-forward, the time-series samples, and the per-event observer
 * (invariant checks, progress).
 */
#include "serve_int.h"

#include "hetsim/hw.h"

#include <stdlib.h>
#include <string.h>

/* ---- the hooks of every instance ------------------------------------------ */

static void hook_retire(void *ctx, srv_req *r, srv_request_status st)
{
    srv_retire(ctx, r, st);
}

static void hook_handoff(void *ctx, int inst, srv_req *r, hs_time ready)
{
    srv_split_handoff(ctx, inst, r, ready);
}

static void hook_evicted(void *ctx, srv_req *r)
{
    srv_split_reroute(ctx, r);
}

static void hook_freed(void *ctx, int inst)
{
    srv_split_pump(ctx, inst);
}

/* The time before which nothing outside an instance can observe or
 * change it: the next arrival or sample.  A closed-loop source's next
 * request can become due when any request finishes, on any instance: at
 * the next event; in split mode hand-offs and KV arrivals change decode
 * instances at any pending event. */
static hs_time hook_horizon(void *ctx)
{
    const srv_sim *s = ctx;
    hs_time h = s->next_sample, next = eng_next_time(s->eng);

    if (s->sc->cluster.mode == SC_MODE_SPLIT)
        return next < h ? next : h;
    for (int i = 0; i < s->n_sources; i++) {
        const srv_source *src = &s->sources[i];

        if (src->next_time < h)
            h = src->next_time;
        if (src->closed && !src->exhausted && next < h)
            h = next;
    }
    return h;
}

static void hook_step(void *ctx, const srv_step_rec *rec)
{
    srv_emit_step(ctx, rec);
}

static void hook_pool_xfer(void *ctx, const srv_pool_xfer *x)
{
    srv_xfer_pool(ctx, x);
}

static void hook_pool_move(void *ctx, int inst, double bytes, bool write)
{
    srv_pool_move(ctx, inst, bytes, write);
}

static void set_hooks(srv_sim *s)
{
    s->hooks.ctx = s;
    s->hooks.retire = hook_retire;
    s->hooks.handoff = hook_handoff;
    s->hooks.evicted = hook_evicted;
    s->hooks.freed = hook_freed;
    s->hooks.horizon = hook_horizon;
    s->hooks.step = s->sink.step != NULL ? hook_step : NULL;
    s->hooks.pool_xfer = s->sink.transfer != NULL ? hook_pool_xfer : NULL;
    s->hooks.pool_move = hook_pool_move;
}

/* ---- samples and the per-event observer ------------------------------------ */

hs_time srv_next_sample(hs_time now, hs_time next_event, hs_time every)
{
    hs_time k;

    if (next_event <= now || next_event - now <= every)
        return now > HS_TIME_MAX - every ? HS_TIME_MAX : now + every;
    k = next_event / every + (next_event % every != 0);
    return k > HS_TIME_MAX / every ? HS_TIME_MAX : k * every;
}

/* The share of (in->sampled_at, now] instance 'in' spent stepping, and
 * the sampler's memory moved to 'now'.  busy_s counts a chain of steps
 * whole when it is scheduled, so the part after 'now' is taken off; the
 * first sample (sampled_at 0, now 0) is 0. */
static double sample_busy_frac(srv_inst *in, hs_time now)
{
    double busy = in->busy_s, frac = 0;

    if (in->busy && in->busy_until > now)
        busy -= hs_time_to_s(in->busy_until - now);
    if (now > in->sampled_at)
        frac =
            (busy - in->sampled_busy_s) / hs_time_to_s(now - in->sampled_at);
    in->sampled_busy_s = busy;
    in->sampled_at = now;
    return frac < 0 ? 0 : frac > 1 ? 1 : frac;
}

static void on_sample(eng_sim *eng, void *target, uint32_t kind, uint64_t arg)
{
    srv_sim *s = target;
    hs_time now = eng_now(eng);

    (void)kind;
    (void)arg;
    for (int i = 0; i < s->n_insts && s->sink.sample != NULL; i++) {
        srv_inst *in = &s->insts[i];
        srv_sample_rec rec = {
            .instance = in->name,
            .t_s = hs_time_to_s(now),
            .queue_len = in->wait.n,
            .running = in->n_running,
            .kv_used_bytes = (double)in->used_blocks * in->block_bytes,
            .kv_capacity_bytes = (double)in->total_blocks * in->block_bytes,
            .busy_frac = sample_busy_frac(in, now),
        };

        srv_emit_sample(s, &rec);
    }
    /* Keep sampling only while something else is still to happen. */
    s->next_sample = HS_TIME_MAX;
    if (eng_pending(eng) > 0) {
        s->next_sample =
            srv_next_sample(now, eng_next_time(eng), s->sample_every);
        if (s->next_sample < HS_TIME_MAX)
            eng_schedule(eng, s->next_sample, ENG_PRIO_SAMPLE, on_sample, s, 0,
                         0);
    }
}

/* The invariants (srv_check.c); a violation fails the run, what broke on
 * stderr. */
static void check_all(srv_sim *s)
{
    if (!srv_check_cluster(s, NULL)) {
        srv_fail(s, HS_ERUNTIME, "serving invariant violated");
        srv_check_cluster(s, stderr);
    }
}

/* After every event, whichever component handled it. */
static void observe(void *ctx)
{
    srv_sim *s = ctx;
    hs_time now = eng_now(s->eng);

    if (s->opt.check_invariants)
        check_all(s);
    if (s->opt.progress != NULL && now >= s->next_progress) {
        s->opt.progress(s->opt.progress_ctx, hs_time_to_s(now), s->stats.done,
                        s->stats.arrived);
        s->next_progress = now + s->progress_every;
    }
}

/* ---- the API ------------------------------------------------------------------ */

int srv_sim_new(const sc_scenario *sc, const srv_options *opt,
                const srv_sink *sink, srv_sim **out, hs_diag *d)
{
    srv_sim *s = hs_calloc(1, sizeof *s);
    int rc;

    *out = NULL;
    s->sc = sc;
    if (opt != NULL)
        s->opt = *opt;
#ifdef HS_DEBUG_INVARIANTS
    s->opt.check_invariants = true; /* make DEBUG=1 */
#endif
    if (sink != NULL)
        s->sink = *sink;
    s->eng = eng_sim_new();
    srv_stats_init(&s->stats, sc);
    srv_reqpool_init(&s->reqs);
    s->next_sample = HS_TIME_MAX;
    s->next_progress = HS_TIME_MAX;
    s->on_arrival = srv_on_arrival;
    set_hooks(s);
    rc = srv_build(s, d);
    if (rc == HS_OK)
        rc = srv_sources_open(s, d);
    if (rc != HS_OK) {
        srv_sim_free(s);
        return rc;
    }
    srv_sessions_init(&s->sessions, s->n_sources);
    if (s->opt.check_invariants || s->opt.progress != NULL)
        eng_set_observer(s->eng, observe, s);
    *out = s;
    return HS_OK;
}

static void start(srv_sim *s)
{
    for (int i = 0; i < s->n_sources; i++)
        srv_source_arm(s, i);
    if (s->sc->output.timeseries_interval_s > 0 && s->sink.sample != NULL) {
        s->sample_every = hs_time_from_s(s->sc->output.timeseries_interval_s);
        if (s->sample_every < 1)
            s->sample_every = 1;
        s->next_sample = 0;
        eng_schedule(s->eng, 0, ENG_PRIO_SAMPLE, on_sample, s, 0, 0);
    }
    if (s->opt.progress != NULL) {
        s->progress_every = hs_time_from_s(
            s->opt.progress_every_s > 0 ? s->opt.progress_every_s : 1.0);
        s->next_progress = 0;
    }
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
    /* Requests still queued, running or moving when the run stopped. */
    for (int i = 0; i < s->n_insts; i++)
        srv_inst_drain(&s->insts[i]);
    srv_split_drain(s);
    srv_xfer_flush(s);
    srv_sessions_flush(s);
    srv_stats_finish(s);
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
    srv_sources_close(s);
    srv_unbuild(s);
    srv_reqpool_fini(&s->reqs);
    srv_sessions_fini(&s->sessions);
    free(s->streams.bytes);
    srv_stats_fini(&s->stats);
    eng_sim_free(s->eng);
    free(s);
}
