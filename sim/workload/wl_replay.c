/*
 * wl_replay.c -- the source kind of a session trace replayed
 * closed-loop (a format marked 'sessions', such as the session CSV of
 * DESIGN.md section 5, wl_fmt_sessions.c, read by wl_trace.c): a session's
 * first call arrives at its arrival_time, and each later call only after
 * the consumer reported the previous one finished, at that time plus the
 * previous row's tool_wait_after_ms.  A slower cluster therefore delays a
 * session's later calls, as it would delay a real agent.
 *
 * A session's rows are consecutive in the file, so they are read when the
 * session starts (up to the first row of the next session, kept as the
 * 'head') and held until the session ends: memory is the rows of the
 * active sessions.  Each slot keeps its row buffer when its session ends,
 * for the next session that gets the slot.
 *
 * Invariants:
 *   I1  status != HS_OK  =>  peek/next return status, adding no text
 *   I2  has_head  =>  'head' is a round-0 row not yet produced, and every
 *       row before it in the file belongs to a started session
 *   I3  an active session is 'out' (its last call produced, not yet
 *       finished) or in the heap, never both; rows[next] is its next call
 */
#include "workload_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct row {
    int64_t prompt, prefix, output;
    hs_time wait; /* tool_wait_after_ms, as ns */
} row;

typedef struct rsess {
    int64_t id;
    row *rows; /* the session's rows, round 0 first (reused by the slot) */
    size_t n_rows, cap_rows;
    size_t next; /* the row to produce next */
    bool out;
} rsess;

typedef struct wl_replay {
    wl_source base; /* must be first */
    wl_trace *trace;
    int status;
    bool has_head;
    bool at_end; /* the trace has no rows left */
    wl_request head;
    unsigned head_line;
    hs_time last_out;  /* arrival of the last call produced */
    int64_t n_waiting; /* sessions 'out' with a next call to come */
    wl_loop loop;
    rsess *sess; /* by slot */
    size_t cap_sess;
} wl_replay;

static wl_replay *as_replay(wl_source *s)
{
    HS_ASSERT(s->ops == &wl_replay_ops);
    return (wl_replay *)(void *)s;
}

static const wl_replay *as_creplay(const wl_source *s)
{
    HS_ASSERT(s->ops == &wl_replay_ops);
    return (const wl_replay *)(const void *)s;
}

/* ---- reading ------------------------------------------------------------ */

/* Read one row into '*out': 1, 0 at the end, or a negative status. */
static int read_row(wl_replay *r, wl_request *out, hs_diag *d)
{
    int rc;

    if (r->at_end)
        return 0;
    rc = wl_trace_read(r->trace, out, d);
    if (rc == 0)
        r->at_end = true;
    if (rc < 0)
        r->status = rc;
    return rc;
}

/* Make sure the first row of the next session is in 'head' if there is
 * one.  HS_OK or a negative status. */
static int load_head(wl_replay *r, hs_diag *d)
{
    int rc;

    if (r->status != HS_OK)
        return r->status;
    if (r->has_head || r->at_end)
        return HS_OK;
    rc = read_row(r, &r->head, d);
    if (rc == 1) {
        r->has_head = true;
        r->head_line = wl_trace_loc(r->trace).line;
    }
    return rc < 0 ? rc : HS_OK;
}

static void add_row(rsess *s, const wl_request *q)
{
    row *w;

    hs_grow((void **)&s->rows, &s->cap_rows, s->n_rows + 1, sizeof *w);
    w = &s->rows[s->n_rows++];
    w->prompt = q->prompt_tokens;
    w->prefix = q->prefix.tokens;
    w->output = q->output_tokens;
    w->wait = q->tool_wait;
}

/* Read the rows after the head's until the next session's first row
 * (the new head) or the end. */
static int read_session(wl_replay *r, rsess *s, hs_diag *d)
{
    wl_request q;
    int rc;

    while ((rc = read_row(r, &q, d)) == 1) {
        if (q.turn == 0) {
            r->head = q;
            r->head_line = wl_trace_loc(r->trace).line;
            r->has_head = true;
            return HS_OK;
        }
        add_row(s, &q);
    }
    return rc;
}

/* ---- sessions ----------------------------------------------------------- */

static void emit(wl_replay *r, rsess *s, hs_time arrival, wl_request *out)
{
    const row *w = &s->rows[s->next];

    memset(out, 0, sizeof *out);
    out->arrival = arrival;
    out->session_id = s->id;
    out->turn = (int32_t)s->next;
    out->prompt_tokens = w->prompt;
    out->prefix.tokens = w->prefix;
    out->output_tokens = w->output;
    out->tool_wait = w->wait;
    s->next++;
    out->session_last = s->next == s->n_rows;
    s->out = true;
    r->n_waiting += !out->session_last;
    r->last_out = arrival;
}

/* Start the head's session: read its rows and produce its round 0. */
static int start(wl_replay *r, wl_request *out, hs_diag *d)
{
    wl_request h = r->head;
    uint32_t slot = wl_loop_add(&r->loop, h.session_id);
    rsess *s;
    int rc;

    if (slot == WL_NO_SLOT) {
        hs_loc at = wl_trace_loc(r->trace);

        at.line = r->head_line;
        hs_diag_error(d, at,
                      "column 'session_id': session %lld starts again while "
                      "its earlier session is still running",
                      (long long)h.session_id);
        return r->status = HS_EINPUT;
    }
    if (slot >= r->cap_sess) {
        size_t old = r->cap_sess;

        hs_grow((void **)&r->sess, &r->cap_sess, (size_t)slot + 1, sizeof *s);
        memset(r->sess + old, 0, (r->cap_sess - old) * sizeof *s);
    }
    s = &r->sess[slot];
    s->id = h.session_id;
    s->n_rows = 0;
    s->next = 0;
    s->out = false;
    add_row(s, &h);
    r->has_head = false;
    if ((rc = read_session(r, s, d)) < 0)
        return rc;
    emit(r, s, h.arrival, out);
    return 1;
}

/* True when the head's session starts before the earliest due call. */
static bool head_first(const wl_replay *r)
{
    const wl_due *top = wl_loop_top(&r->loop);

    if (!r->has_head)
        return false;
    return top == NULL || wl_due_before(r->head.arrival, r->head.session_id,
                                        top->arrival, top->session_id);
}

static int replay_peek(wl_source *self, hs_time *arrival, hs_diag *d)
{
    wl_replay *r = as_replay(self);
    int rc = load_head(r, d);
    const wl_due *top = wl_loop_top(&r->loop);

    if (rc != HS_OK)
        return rc;
    if (head_first(r)) {
        *arrival = r->head.arrival;
        return 1;
    }
    if (top == NULL)
        return 0;
    *arrival = top->arrival;
    return 1;
}

static int replay_next(wl_source *self, wl_request *out, hs_diag *d)
{
    wl_replay *r = as_replay(self);
    int rc = load_head(r, d);
    wl_due due;

    if (rc != HS_OK)
        return rc;
    if (head_first(r))
        return start(r, out, d);
    if (wl_loop_top(&r->loop) == NULL)
        return 0;
    due = wl_loop_pop(&r->loop);
    emit(r, &r->sess[due.slot], due.arrival, out);
    return 1;
}

static bool replay_blocked(const wl_source *self)
{
    const wl_replay *r = as_creplay(self);

    return r->status == HS_OK && r->n_waiting > 0 && !r->has_head &&
           r->at_end && wl_loop_top(&r->loop) == NULL;
}

static void replay_finished(wl_source *self, int64_t session_id, hs_time now)
{
    wl_replay *r = as_replay(self);
    uint32_t slot;
    rsess *s;
    hs_time wait;

    if (session_id < 0 || r->status != HS_OK)
        return;
    HS_ASSERT(now >= r->last_out);
    slot = wl_loop_find(&r->loop, session_id);
    HS_ASSERT(slot != WL_NO_SLOT);
    s = &r->sess[slot];
    HS_ASSERT(s->out);
    s->out = false;
    if (s->next == s->n_rows) {
        wl_loop_remove(&r->loop, session_id);
        return;
    }
    r->n_waiting--;
    wait = s->rows[s->next - 1].wait;
    wl_loop_push(&r->loop, wait < HS_TIME_MAX - now ? now + wait : HS_TIME_MAX,
                 session_id, slot);
}

/* ---- the kind ----------------------------------------------------------- */

static bool replay_closed(const wl_source *self)
{
    (void)self;
    return true;
}

static int replay_init(wl_source *self, const wl_source_spec *spec,
                       uint64_t seed, hs_diag *d)
{
    wl_replay *r = as_replay(self);
    const wl_format *f = wl_trace_check(spec, d);

    (void)seed;
    wl_loop_init(&r->loop);
    if (f == NULL)
        return HS_EINPUT;
    r->trace = wl_trace_open(f, &spec->trace, d);
    return r->trace != NULL ? HS_OK : HS_EINPUT;
}

static void replay_fini(wl_source *self)
{
    wl_replay *r = as_replay(self);

    wl_trace_close(r->trace);
    for (uint32_t i = 0; i < r->loop.n_slots; i++)
        free(r->sess[i].rows);
    free(r->sess);
    wl_loop_fini(&r->loop);
}

const wl_source_ops wl_replay_ops = {
    .version = WL_SOURCE_OPS_VERSION,
    .kind = "sessions",
    .size = sizeof(wl_replay),
    .init = replay_init,
    .next = replay_next,
    .peek = replay_peek,
    .blocked = replay_blocked,
    .release = NULL,
    .finished = replay_finished,
    .closed = replay_closed,
    .fini = replay_fini,
};
