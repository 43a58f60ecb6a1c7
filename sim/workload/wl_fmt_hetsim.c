/*
 * wl_fmt_hetsim.c -- hetsim's own trace format: CSV with the header
 * 'arrival_s,prompt_tokens,output_tokens', optionally followed by
 * ',session_id,turn'; arrival_s in decimal seconds (exact to the ns).
 * With the session columns, requests carry their session (and so get
 * derived prefix ids, wl_prefix.c) but arrive open-loop at their times.
 * Arrivals are at most WL_MAX_TRACE_NS (10 years) after the first
 * record's.  Read by wl_trace.c.
 */
#include "workload_int.h"

#include <string.h>

static const char hetsim_header[] = "arrival_s,prompt_tokens,output_tokens";
static const char hetsim_session_header[] =
    "arrival_s,prompt_tokens,output_tokens,session_id,turn";

static int hetsim_open(wl_trace *t, void *state, hs_diag *d)
{
    size_t len;
    const char *line;
    int rc = wl_trace_header(t, hetsim_header, d);

    (void)state;
    if (rc != HS_OK)
        return rc;
    line = wl_trace_line(t, &len);
    if (strcmp(line, hetsim_header) == 0) {
        wl_trace_set_cols(t, 3);
        return HS_OK;
    }
    if (strcmp(line, hetsim_session_header) == 0) {
        wl_trace_set_cols(t, 5);
        return HS_OK;
    }
    return wl_trace_bad_header(t, hetsim_header, d);
}

static int hetsim_read(wl_trace *t, void *state, wl_request *out, int64_t *raw,
                       hs_diag *d)
{
    int64_t turn;
    int rc;

    if ((rc = wl_trace_split_row(t, d)) != HS_OK)
        return rc;
    wl_trace_time_at(t, wl_trace_field_at(t, 0).col);
    if ((rc = wl_trace_decimal(t, 0, "arrival_s", 9,
                               "a non-negative number of seconds", raw, d)) ||
        (rc = wl_trace_span(t, state, *raw, 0, "arrival_s",
                            "10 years (315360000 s)", d)) ||
        (rc = wl_trace_uint(t, 1, "prompt_tokens", WL_MAX_TOKENS,
                            &out->prompt_tokens, d)) ||
        (rc = wl_trace_uint(t, 2, "output_tokens", WL_MAX_TOKENS,
                            &out->output_tokens, d)))
        return rc;
    if (wl_trace_cols(t) == 3)
        return HS_OK;
    if ((rc = wl_trace_uint(t, 3, "session_id", INT64_MAX, &out->session_id,
                            d)) ||
        (rc = wl_trace_uint(t, 4, "turn", INT32_MAX, &turn, d)))
        return rc;
    out->turn = (int32_t)turn;
    return HS_OK;
}

const wl_format wl_format_hetsim = {
    .version = WL_FORMAT_VERSION,
    .name = "hetsim",
    .time_col = "column 'arrival_s'",
    .sessions = false,
    .size = sizeof(wl_span),
    .open = hetsim_open,
    .read = hetsim_read,
    .close = NULL,
};
