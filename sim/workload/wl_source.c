/*
 * wl_source.c -- the public face of the workload module: one wl_source
 * per entry of the scenario's 'workload:' list, behind which sits a
 * streamed trace reader (wl_trace.c), a synthetic generator (wl_synth.c),
 * agent sessions from a preset (wl_agent.c) or a closed-loop replay of a
 * session trace (wl_replay.c).  It numbers the requests, tags them with
 * their source, keeps a one-request look-ahead for wl_source_peek() (not
 * for the session sources, whose next call may change when a call
 * finishes: they answer peek themselves), and makes failures sticky.
 *
 * Invariants:
 *   I1  exactly one of 'trace', 'synth', 'agent' and 'replay' is set
 *   I2  status != HS_OK  =>  next/peek return status, adding no text
 *   I3  has_ahead  =>  'ahead' is the request the next wl_source_next()
 *       returns, with its id and source not yet assigned; never set for
 *       'agent' and 'replay'
 */
#include "workload_int.h"

#include <stdlib.h>
#include <string.h>

struct wl_source {
    int32_t index;
    int64_t n_out; /* requests returned by wl_source_next() */
    int status;
    bool has_ahead;
    wl_request ahead;
    wl_trace *trace;
    wl_synth *synth;
    wl_agent *agent;
    wl_replay *replay;
};

/* Open the reader or generator of 'spec' into 's'; false on failure. */
static bool open_inner(wl_source *s, const wl_source_spec *spec,
                       int32_t source_index, uint64_t seed, hs_diag *d)
{
    const wl_format *f;

    switch (spec->kind) {
    case WL_SOURCE_TRACE:
        if ((f = wl_trace_check(spec, d)) == NULL)
            return false;
        if (f->sessions)
            return (s->replay = wl_replay_open(f, &spec->trace, d)) != NULL;
        return (s->trace = wl_trace_open(f, &spec->trace, d)) != NULL;
    case WL_SOURCE_SYNTHETIC:
        return (s->synth = wl_synth_open(spec, source_index, seed, d)) != NULL;
    case WL_SOURCE_AGENT:
        return (s->agent = wl_agent_open(spec, source_index, seed, d)) != NULL;
    }
    hs_diag_error(d, spec->loc, "unknown source kind %d", (int)spec->kind);
    return false;
}

wl_source *wl_source_open(const wl_source_spec *spec, int32_t source_index,
                          uint64_t seed, hs_diag *d)
{
    wl_source *s = hs_calloc(1, sizeof *s);

    s->index = source_index;
    if (!open_inner(s, spec, source_index, seed, d)) {
        free(s);
        return NULL;
    }
    return s;
}

/* One more request from the underlying reader or generator. */
static int produce(wl_source *s, wl_request *out, hs_diag *d)
{
    int rc;

    if (s->status != HS_OK)
        return s->status;
    if (s->trace != NULL)
        rc = wl_trace_read(s->trace, out, d);
    else if (s->replay != NULL)
        rc = wl_replay_next(s->replay, out, d);
    else if (s->agent != NULL)
        rc = wl_agent_next(s->agent, out);
    else
        rc = wl_synth_next(s->synth, out);
    if (rc < 0)
        s->status = rc;
    return rc;
}

/* Session sources answer peek themselves (no look-ahead kept). */
static int peek_sessions(wl_source *s, hs_time *arrival, hs_diag *d)
{
    int rc;

    if (s->status != HS_OK)
        return s->status;
    if (s->agent != NULL)
        return wl_agent_peek(s->agent, arrival);
    rc = wl_replay_peek(s->replay, arrival, d);
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
    }
    return rc;
}

int wl_source_peek(wl_source *s, hs_time *arrival, hs_diag *d)
{
    if (s->agent != NULL || s->replay != NULL)
        return peek_sessions(s, arrival, d);
    if (!s->has_ahead) {
        int rc = produce(s, &s->ahead, d);

        if (rc != 1)
            return rc;
        s->has_ahead = true;
    }
    *arrival = s->ahead.arrival;
    return 1;
}

bool wl_source_blocked(const wl_source *s)
{
    if (s->status != HS_OK || s->has_ahead)
        return false;
    if (s->agent != NULL)
        return wl_agent_blocked(s->agent);
    if (s->replay != NULL)
        return wl_replay_blocked(s->replay);
    return s->synth != NULL && wl_synth_blocked(s->synth);
}

void wl_source_release(wl_source *s, hs_time now)
{
    if (s->synth != NULL)
        wl_synth_release(s->synth, now);
}

void wl_source_finished(wl_source *s, int64_t session_id, hs_time now)
{
    if (s->status != HS_OK)
        return;
    if (s->agent != NULL)
        wl_agent_finished(s->agent, session_id, now);
    else if (s->replay != NULL)
        wl_replay_finished(s->replay, session_id, now);
}

int64_t wl_source_count(const wl_source *s)
{
    return s->n_out;
}

void wl_source_close(wl_source *s)
{
    if (s == NULL)
        return;
    wl_trace_close(s->trace);
    wl_synth_close(s->synth);
    wl_agent_close(s->agent);
    wl_replay_close(s->replay);
    free(s);
}
