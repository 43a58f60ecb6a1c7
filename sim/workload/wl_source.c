/*
 * wl_source.c -- the public face of the workload module: one wl_source
 * per entry of the scenario's 'workload:' list, behind which sits one
 * source kind (workload_int.h: a trace read open-loop, a session trace
 * replayed closed-loop, a synthetic generator, agent sessions).  It picks
 * the kind, numbers the requests, tags them with their source and, for
 * session calls, the derived ids of their prefix (wl_prefix.c), keeps a
 * one-request look-ahead for
 * wl_source_peek() (not for the kinds that answer peek themselves, whose
 * next call may change when a call finishes), and makes failures sticky.
 * Invariants of the common header: workload_int.h.
 */
#include "workload_int.h"

#include <stdlib.h>

/* The kind that produces the requests of 'spec', or NULL. */
static const wl_source_ops *kind_of(const wl_source_spec *spec)
{
    const wl_format *f;

    switch (spec->kind) {
    case WL_SOURCE_TRACE:
        f = wl_format_of(spec->trace.format);
        return f != NULL && f->sessions ? &wl_replay_ops : &wl_stream_ops;
    case WL_SOURCE_SYNTHETIC:
        return &wl_synth_ops;
    case WL_SOURCE_AGENT:
        return &wl_agent_ops;
    }
    return NULL;
}

wl_source *wl_source_open(const wl_source_spec *spec, int32_t source_index,
                          uint64_t seed, hs_diag *d)
{
    const wl_source_ops *ops = kind_of(spec);
    wl_source *s;

    if (ops == NULL) {
        hs_diag_error(d, spec->loc, "unknown source kind %d", (int)spec->kind);
        return NULL;
    }
    HS_ASSERT(ops->version == WL_SOURCE_OPS_VERSION && ops->size >= sizeof *s);
    s = hs_calloc(1, ops->size);
    s->ops = ops;
    s->index = source_index;
    if (ops->init(s, spec, seed, d) != HS_OK) {
        wl_source_close(s);
        return NULL;
    }
    return s;
}

/* One more request from the kind. */
static int produce(wl_source *s, wl_request *out, hs_diag *d)
{
    int rc;

    if (s->status != HS_OK)
        return s->status;
    rc = s->ops->next(s, out, d);
    if (rc < 0)
        s->status = rc;
    return rc;
}

int wl_source_next(wl_source *s, wl_request *out, hs_diag *d)
{
    int rc;

    if (s->has_ahead) {
        *out = s->ahead;
        s->has_ahead = false;
        rc = 1;
    } else {
        rc = produce(s, out, d);
    }
    if (rc == 1) {
        out->id = s->n_out++;
        out->source = s->index;
        wl_prefix_derive(out);
    }
    return rc;
}

int wl_source_peek(wl_source *s, hs_time *arrival, hs_diag *d)
{
    int rc;

    if (s->ops->peek != NULL) {
        if (s->status != HS_OK)
            return s->status;
        rc = s->ops->peek(s, arrival, d);
        if (rc < 0)
            s->status = rc;
        return rc;
    }
    if (!s->has_ahead) {
        rc = produce(s, &s->ahead, d);
        if (rc != 1)
            return rc;
        s->has_ahead = true;
    }
    *arrival = s->ahead.arrival;
    return 1;
}

bool wl_source_blocked(const wl_source *s)
{
    if (s->status != HS_OK || s->has_ahead || s->ops->blocked == NULL)
        return false;
    return s->ops->blocked(s);
}

bool wl_source_closed(const wl_source *s)
{
    return s->ops->closed != NULL && s->ops->closed(s);
}

void wl_source_release(wl_source *s, hs_time now)
{
    if (s->ops->release != NULL)
        s->ops->release(s, now);
}

void wl_source_finished(wl_source *s, int64_t session_id, hs_time now)
{
    if (s->status == HS_OK && s->ops->finished != NULL)
        s->ops->finished(s, session_id, now);
}

int64_t wl_source_count(const wl_source *s)
{
    return s->n_out;
}

/* Drive the open source 's' to its end, finishing every call at its
 * arrival; the number of requests into '*n'. */
static int drain(wl_source *s, int64_t *n, hs_diag *d)
{
    wl_request r;
    int rc;

    while ((rc = wl_source_next(s, &r, d)) == 1) {
        wl_source_finished(s, r.session_id, r.arrival);
        wl_source_release(s, r.arrival);
    }
    *n = wl_source_count(s);
    return rc;
}

int wl_source_scan(const wl_source_spec *spec, int64_t *n, hs_diag *d)
{
    wl_source *s;
    int rc;

    *n = -1;
    if (spec->kind != WL_SOURCE_TRACE)
        return HS_OK;
    s = wl_source_open(spec, 0, 0, d);
    if (s == NULL)
        return HS_EINPUT;
    rc = drain(s, n, d);
    wl_source_close(s);
    if (rc == 0 && *n == 0) {
        hs_loc at = {spec->trace.path, 0, 0};

        return hs_diag_error(d, at, "the trace has no requests (%s format)",
                             wl_trace_format_name(spec->trace.format));
    }
    return rc < 0 ? rc : HS_OK;
}

void wl_source_close(wl_source *s)
{
    if (s == NULL)
        return;
    if (s->ops->fini != NULL)
        s->ops->fini(s);
    free(s);
}
