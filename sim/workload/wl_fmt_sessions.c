/*
 * wl_fmt_sessions.c -- the agent session trace format (DESIGN.md section
 * 5; TraceLab's replay CSV): a header naming session_id, round_idx,
 * prefix_len, input_len, output_len, tool_wait_after_ms and optionally
 * arrival_time (ms), in any order.  Each row is one call of a session:
 * prompt_tokens = prefix_len + input_len, prefix.tokens = prefix_len,
 * turn = round_idx, tool_wait = tool_wait_after_ms.  A session's rows are
 * consecutive and numbered 0, 1, 2, ...  The format is a session format:
 * a trace source replays it closed-loop (wl_replay.c).  Times are bounded
 * (WL_MAX_TRACE_NS, 10 years): an arrival_time after the first record's,
 * a tool wait, and the tool waits of one session together.  Read by
 * wl_trace.c.
 *
 * Invariant (of the reader's state):
 *   I1  prev_session, prev_round are the session and round of the last
 *       row read (prev_session -1 before the first)
 *   I2  waited is the sum of that session's tool waits, each and all at
 *       most WL_MAX_TRACE_NS, as is every arrival_time after the first
 */
#include "workload_int.h"

#include <stdio.h>
#include <string.h>

/* Columns of the format, in no particular file order. */
enum sess_col {
    SC_SESSION,
    SC_ROUND,
    SC_PREFIX,
    SC_INPUT,
    SC_OUTPUT,
    SC_WAIT,
    SC_ARRIVAL, /* optional */
    SC_N
};

static const char *const sess_names[SC_N] = {
    "session_id", "round_idx",          "prefix_len",  "input_len",
    "output_len", "tool_wait_after_ms", "arrival_time"};

typedef struct sess_state {
    int col[SC_N]; /* index of each column in the file, -1 absent */
    int64_t prev_session;
    int64_t prev_round;
    int64_t waited; /* the tool waits of session prev_session so far, ns */
    bool has_first;
    int64_t first; /* the first record's arrival_time, in ns */
} sess_state;

/* ---- header ------------------------------------------------------------- */

/* Map one header name to its column 'i'. */
static int sess_name(wl_trace *t, sess_state *st, size_t i, hs_diag *d)
{
    size_t len;
    const char *name = wl_trace_field(t, i, &len);

    for (int c = 0; c < SC_N; c++) {
        if (strlen(sess_names[c]) != len ||
            memcmp(sess_names[c], name, len) != 0)
            continue;
        if (st->col[c] >= 0)
            return hs_diag_error(d, wl_trace_here(t), "duplicate column '%s'",
                                 sess_names[c]);
        st->col[c] = (int)i;
        return HS_OK;
    }
    return hs_diag_error(d, wl_trace_here(t), "unknown column '%.*s'",
                         (int)(len < WL_SHOW ? len : WL_SHOW), name);
}

static int sess_open(wl_trace *t, void *state, hs_diag *d)
{
    sess_state *st = state;
    size_t n_cols;
    int rc = wl_trace_header(t,
                             "session_id,round_idx,prefix_len,input_len,"
                             "output_len,tool_wait_after_ms",
                             d);

    if (rc != HS_OK)
        return rc;
    st->prev_session = -1;
    for (int c = 0; c < SC_N; c++)
        st->col[c] = -1;
    n_cols = wl_trace_split(t);
    if (n_cols > SC_N)
        return hs_diag_error(d, wl_trace_here(t),
                             "expected at most %d columns, found %zu", SC_N,
                             n_cols);
    wl_trace_set_cols(t, n_cols);
    for (size_t i = 0; i < n_cols; i++) {
        int r = sess_name(t, st, i, d);

        if (r != HS_OK)
            rc = r; /* keep going: list every problem */
    }
    for (int c = 0; c < SC_ARRIVAL; c++)
        if (st->col[c] < 0)
            rc = hs_diag_error(d, wl_trace_here(t), "missing column '%s'",
                               sess_names[c]);
    return rc;
}

/* ---- rows --------------------------------------------------------------- */

static int sess_uint(wl_trace *t, const sess_state *st, enum sess_col c,
                     int64_t max, int64_t *v, hs_diag *d)
{
    return wl_trace_uint(t, (size_t)st->col[c], sess_names[c], max, v, d);
}

static int sess_ms(wl_trace *t, const sess_state *st, enum sess_col c,
                   int64_t *ns, hs_diag *d)
{
    return wl_trace_decimal(t, (size_t)st->col[c], sess_names[c], 6,
                            "a non-negative number of ms", ns, d);
}

/* Column c's time 'ns' (since 'origin') at most WL_MAX_TRACE_NS. */
static int sess_span(wl_trace *t, const sess_state *st, enum sess_col c,
                     int64_t ns, int64_t origin, const char *after, hs_diag *d)
{
    char expect[96];

    if (ns <= origin || ns - origin <= WL_MAX_TRACE_NS)
        return HS_OK;
    snprintf(expect, sizeof expect, "at most 10 years (315360000000 ms)%s",
             after);
    return wl_trace_bad_field(t, (size_t)st->col[c], sess_names[c], expect, d);
}

/* The arrival time, at most WL_MAX_TRACE_NS after the first record's (an
 * earlier one is wl_trace.c's "time goes backwards"). */
static int sess_arrival(wl_trace *t, sess_state *st, int64_t *raw, hs_diag *d)
{
    int rc;

    wl_trace_time_at(t, wl_trace_field_at(t, (size_t)st->col[SC_ARRIVAL]).col);
    if ((rc = sess_ms(t, st, SC_ARRIVAL, raw, d)) != HS_OK)
        return rc;
    if (!st->has_first) {
        st->has_first = true;
        st->first = *raw;
    }
    return sess_span(t, st, SC_ARRIVAL, *raw, st->first,
                     " after the first record's", d);
}

/* A session's rows are consecutive and numbered 0, 1, 2, ... */
static int check_round(wl_trace *t, sess_state *st, int64_t session,
                       int64_t round, hs_diag *d)
{
    int64_t want = session == st->prev_session ? st->prev_round + 1 : 0;
    size_t len;
    const char *field = wl_trace_field(t, (size_t)st->col[SC_ROUND], &len);

    if (round != want)
        return hs_diag_error(d,
                             wl_trace_field_at(t, (size_t)st->col[SC_ROUND]),
                             "column 'round_idx': expected %lld (a "
                             "session's rows are consecutive, numbered from "
                             "0), found '%.*s'",
                             (long long)want, (int)len, field);
    st->prev_session = session;
    st->prev_round = round;
    return HS_OK;
}

static int sess_read(wl_trace *t, void *state, wl_request *out, int64_t *raw,
                     hs_diag *d)
{
    sess_state *st = state;
    int64_t round, prefix, input;
    int rc;

    if ((rc = wl_trace_split_row(t, d)) != HS_OK)
        return rc;
    if ((rc = sess_uint(t, st, SC_SESSION, INT64_MAX, &out->session_id, d)) ||
        (rc = sess_uint(t, st, SC_ROUND, INT32_MAX, &round, d)) ||
        (rc = sess_uint(t, st, SC_PREFIX, WL_MAX_TOKENS, &prefix, d)) ||
        (rc = sess_uint(t, st, SC_INPUT, WL_MAX_TOKENS, &input, d)) ||
        (rc = sess_uint(t, st, SC_OUTPUT, WL_MAX_TOKENS, &out->output_tokens,
                        d)) ||
        (rc = sess_ms(t, st, SC_WAIT, &out->tool_wait, d)))
        return rc;
    *raw = 0;
    if (st->col[SC_ARRIVAL] >= 0 &&
        (rc = sess_arrival(t, st, raw, d)) != HS_OK)
        return rc;
    if ((rc = check_round(t, st, out->session_id, round, d)) != HS_OK)
        return rc;
    /* The session's waits so far, this one included: no session waits
     * longer than the limit, and no sum of waits overflows. */
    if (round == 0)
        st->waited = 0;
    if ((rc = sess_span(t, st, SC_WAIT, st->waited + out->tool_wait, 0,
                        " for one session's waits together", d)) != HS_OK)
        return rc;
    st->waited += out->tool_wait;
    out->turn = (int32_t)round;
    out->prefix.tokens = prefix;
    out->prompt_tokens = prefix + input;
    return HS_OK;
}

const wl_format wl_format_sessions = {
    .version = WL_FORMAT_VERSION,
    .name = "sessions",
    .time_col = "column 'arrival_time'",
    .sessions = true,
    .size = sizeof(sess_state),
    .open = sess_open,
    .read = sess_read,
    .close = NULL,
};
