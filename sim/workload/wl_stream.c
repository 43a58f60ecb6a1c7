/*
 * wl_stream.c -- the source kind of a trace read open-loop: every record
 * is one request arriving at its own time, whatever the consumer does.
 * All formats but the session ones (wl_format.sessions, replayed by
 * wl_replay.c) are read this way.  The reading itself is wl_trace.c's.
 */
#include "workload_int.h"

typedef struct wl_streamed {
    wl_source base; /* must be first */
    wl_trace *trace;
} wl_streamed;

static wl_streamed *as_stream(wl_source *s)
{
    HS_ASSERT(s->ops == &wl_stream_ops);
    return (wl_streamed *)(void *)s;
}

static int stream_init(wl_source *self, const wl_source_spec *spec,
                       uint64_t seed, hs_diag *d)
{
    wl_streamed *st = as_stream(self);
    const wl_format *f = wl_trace_check(spec, d);

    (void)seed;
    if (f == NULL)
        return HS_EINPUT;
    st->trace = wl_trace_open(f, &spec->trace, d);
    return st->trace != NULL ? HS_OK : HS_EINPUT;
}

static int stream_next(wl_source *self, wl_request *out, hs_diag *d)
{
    return wl_trace_read(as_stream(self)->trace, out, d);
}

static void stream_fini(wl_source *self)
{
    wl_trace_close(as_stream(self)->trace);
}

const wl_source_ops wl_stream_ops = {
    .version = WL_SOURCE_OPS_VERSION,
    .kind = "trace",
    .size = sizeof(wl_streamed),
    .init = stream_init,
    .next = stream_next,
    .peek = NULL,
    .blocked = NULL,
    .release = NULL,
    .finished = NULL,
    .closed = NULL,
    .fini = stream_fini,
};
