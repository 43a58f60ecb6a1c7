/*
 * srv_xfer.c -- the memory pool's traffic as rows of the transfers
 * table.  Each fetch a KV pool policy reports (all those of one step)
 * is one row.  Offloads (one per evicted prefix block or preempted
 * request: hundreds of thousands in an agent run) and the layer-wise
 * streams of pool-resident KV (one per step) are added up per interval
 * (the time series' interval, else the whole run), each in the interval
 * in which it started, and written as one row per kind and interval that
 * carried bytes.  A step that waited for its pool reads reports its
 * stream when they end: when its interval has been written meanwhile, its
 * bytes go to the oldest interval still open (at most one step late).
 * The rows' bytes add up to the memory pool's offloaded_bytes,
 * fetched_bytes and streamed_bytes metrics.
 */
#include "serve_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[SRV_XFER_N_KINDS] = {"offload", "fetch",
                                                         "stream"};

static void emit(srv_sim *s, srv_xfer_kind kind, int64_t request_id,
                 double bytes, hs_time start, hs_time end)
{
    srv_transfer_rec rec = {
        .transfer_id = s->next_xfer_id++,
        .request_id = request_id,
        .link = s->sc->links[s->pool->link].name,
        .kind = kind_names[kind],
        .bytes = bytes,
        .start_s = hs_time_to_s(start),
        .end_s = hs_time_to_s(end),
    };

    srv_emit_transfer(s, &rec);
}

/* Write interval 'k''s rows (none for a kind that carried nothing); they
 * end at the interval's end or now, whichever is first. */
static void emit_interval(srv_sim *s, int64_t k,
                          const double bytes[SRV_XFER_N_KINDS])
{
    hs_time every = s->streams.every, now = eng_now(s->eng);
    hs_time start = every == HS_TIME_MAX ? 0 : k * every;
    hs_time end = now - start < every ? now : start + every;

    for (int kind = 0; kind < SRV_XFER_N_KINDS; kind++)
        if (bytes[kind] > 0)
            emit(s, (srv_xfer_kind)kind, -1, bytes[kind], start,
                 end > start ? end : start);
}

/* Write the intervals before 'k' and drop them from the window. */
static void flush_before(srv_sim *s, int64_t k)
{
    srv_streams *t = &s->streams;
    size_t i = 0;

    while (i < t->n && t->base + (int64_t)i < k) {
        emit_interval(s, t->base + (int64_t)i, t->bytes[i]);
        i++;
    }
    if (i == 0)
        return;
    memmove(t->bytes, t->bytes + i, (t->n - i) * sizeof *t->bytes);
    t->n -= i;
    t->base += (int64_t)i;
}

static hs_time interval_of(const sc_scenario *sc)
{
    double dt = sc->output.timeseries_interval_s;
    hs_time every = dt > 0 ? hs_time_from_s(dt) : HS_TIME_MAX;

    return every < 1 ? 1 : every;
}

/* Add 'x' to the interval it started in. */
static void add(srv_sim *s, const srv_pool_xfer *x)
{
    srv_streams *t = &s->streams;
    int64_t now_k, k;
    size_t i;

    if (t->every == 0)
        t->every = interval_of(s->sc);
    now_k = eng_now(s->eng) / t->every;
    flush_before(s, now_k);
    if (t->n == 0)
        t->base = now_k;
    k = x->start / t->every; /* nothing starts before now */
    i = (size_t)(k > t->base ? k - t->base : 0);
    if (i >= t->cap) {
        t->cap = i + 1 > 2 * t->cap ? i + 1 : 2 * t->cap;
        t->bytes = hs_realloc(t->bytes, t->cap * sizeof *t->bytes);
    }
    for (; t->n <= i; t->n++)
        memset(t->bytes[t->n], 0, sizeof t->bytes[t->n]);
    t->bytes[i][x->kind] += x->bytes;
}

void srv_xfer_pool(srv_sim *s, const srv_pool_xfer *x)
{
    if (x->kind == SRV_XFER_FETCH)
        emit(s, x->kind, x->request_id, x->bytes, x->start, x->end);
    else
        add(s, x);
}

void srv_xfer_flush(srv_sim *s)
{
    flush_before(s, INT64_MAX);
    free(s->streams.bytes);
    memset(&s->streams, 0, sizeof s->streams);
}
