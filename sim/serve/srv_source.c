/*
 * srv_source.c -- the workload sources of a run, each with at most one
 * pending arrival event (at its next request's time), and closed loops:
 * a finished request lets a closed-loop source produce its next one,
 * whose arrival event may then move earlier.
 */
#include "serve_int.h"

#include <stdlib.h>

int srv_sources_open(srv_sim *s, hs_diag *d)
{
    int rc = HS_OK;

    s->n_sources = (int)s->sc->n_workload;
    s->sources = hs_calloc((size_t)s->n_sources, sizeof *s->sources);
    for (int i = 0; i < s->n_sources; i++) {
        const wl_source_spec *spec = &s->sc->workload[i];
        srv_source *src = &s->sources[i];

        src->name = spec->name;
        src->next_time = HS_TIME_MAX;
        src->src = wl_source_open(spec, (int32_t)i, s->opt.seed, d);
        if (src->src == NULL)
            rc = HS_EINPUT;
        else
            src->closed = wl_source_closed(src->src);
    }
    return rc;
}

void srv_sources_close(srv_sim *s)
{
    for (int i = 0; i < s->n_sources; i++)
        wl_source_close(s->sources[i].src);
    free(s->sources);
    s->sources = NULL;
    s->n_sources = 0;
}

/* A closed-loop source may have an earlier request due after a
 * completion than the one already scheduled: the event moves. */
void srv_source_arm(srv_sim *s, int idx)
{
    srv_source *src = &s->sources[idx];
    hs_time t;
    int rc = wl_source_peek(src->src, &t, s->diag);

    if (rc < 0) {
        srv_fail(s, rc, NULL);
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
        src->ev = eng_schedule(s->eng, t, ENG_PRIO_ARRIVAL, s->on_arrival, s,
                               0, (uint64_t)idx);
    else if (t != src->next_time)
        eng_reschedule(s->eng, src->ev, t);
    src->next_time = t;
}

bool srv_source_take(srv_sim *s, int idx)
{
    srv_source *src = &s->sources[idx];
    int rc = wl_source_next(src->src, &src->next, s->diag);

    src->ev = ENG_NO_EVENT;
    src->next_time = HS_TIME_MAX;
    if (rc != 1) {
        srv_fail(s, rc < 0 ? rc : HS_ERUNTIME,
                 rc < 0 ? NULL : "workload source lost a peeked request");
        return false;
    }
    src->next.arrival = eng_now(s->eng);
    return true;
}

/* Closed loops: a finished (or dropped) request lets the next one come
 * -- the benchmark client's next request, or the session's next call
 * after its tool or think gap. */
void srv_source_release(srv_sim *s, int idx, int64_t session_id)
{
    srv_source *src = &s->sources[idx];

    if (!src->closed)
        return;
    wl_source_release(src->src, eng_now(s->eng));
    wl_source_finished(src->src, session_id, eng_now(s->eng));
    if (!src->exhausted)
        srv_source_arm(s, idx);
}
