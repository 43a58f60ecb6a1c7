/*
 * wl_trace.c -- streamed readers of request traces: Azure LLM inference
 * CSV, Mooncake JSONL, hetsim's own CSV and agent session CSV.
 *
 * A trace is read one line at a time into a single buffer that getline()
 * grows to the longest line and then reuses; fields are split and parsed
 * in place.  Memory therefore does not depend on the trace's length, and
 * reading a line does not allocate.  Every malformed line is an error
 * that names the file and line; nothing is skipped.
 *
 * Invariants:
 *   I1  status != HS_OK  =>  every later read returns status unchanged
 *   I2  has_first  =>  first_raw <= prev_raw, and prev_raw is the raw
 *       time of line prev_line, the last record returned
 *   I3  n_read <= max_requests when max_requests > 0
 */
#include "workload_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define MAX_COLS 8 /* more columns than any format has */
#define SHOW 64    /* at most this many bytes of a bad value are shown */
#define MAX_TOKENS (INT64_MAX / 4) /* so prefix + input cannot overflow */

static const char azure_header[] = "TIMESTAMP,ContextTokens,GeneratedTokens";
static const char hetsim_header[] = "arrival_s,prompt_tokens,output_tokens";
static const char hetsim_session_header[] =
    "arrival_s,prompt_tokens,output_tokens,session_id,turn";

/* Columns of the session format, in no particular file order. */
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

struct wl_trace {
    FILE *fp;
    char *path; /* owned copy, named in every error */
    char *buf;  /* the line, NUL-terminated, without its newline */
    size_t cap;
    size_t len;
    unsigned line; /* 1-based number of the line in 'buf' */
    wl_trace_format format;
    double time_scale;
    int64_t max_requests;
    int64_t n_read;
    int status;
    bool at_end;
    bool has_first;
    int64_t first_raw; /* raw time (ns, the file's own origin) */
    int64_t prev_raw;
    unsigned prev_line;
    const char *time_col; /* "column 'TIMESTAMP'", for backwards times */
    size_t n_cols;        /* CSV: columns in the header */
    int sess_col[SC_N];   /* sessions: index of each column, -1 absent */
    int64_t prev_session;
    int64_t prev_round;
    char *field[MAX_COLS];
    size_t flen[MAX_COLS];
    wl_mooncake_rec moon;
};

static hs_loc here(const wl_trace *t)
{
    hs_loc at = {t->path, t->line, 0};

    return at;
}

/* ---- lines and fields -------------------------------------------------- */

/* Read the next line into t->buf.  Returns 1, 0 at end of file, or
 * HS_EIO. */
static int read_line(wl_trace *t, hs_diag *d)
{
    ssize_t n;

    errno = 0;
    n = getline(&t->buf, &t->cap, t->fp);
    if (n < 0) {
        hs_loc at = {t->path, 0, 0};

        if (feof(t->fp))
            return 0;
        hs_diag_error(d, at, "read error: %s",
                      strerror(errno != 0 ? errno : EIO));
        return HS_EIO;
    }
    t->line++;
    t->len = (size_t)n;
    if (t->len > 0 && t->buf[t->len - 1] == '\n')
        t->buf[--t->len] = '\0';
    if (t->len > 0 && t->buf[t->len - 1] == '\r')
        t->buf[--t->len] = '\0';
    if (memchr(t->buf, '\0', t->len) != NULL)
        return hs_diag_error(d, here(t), "NUL byte in the line");
    return 1;
}

/* Split the line in place at commas.  Returns the number of fields (which
 * may exceed MAX_COLS; only the first MAX_COLS are recorded). */
static size_t split(wl_trace *t)
{
    size_t nf = 0;
    char *p = t->buf;
    char *end = t->buf + t->len;

    for (;;) {
        char *comma = memchr(p, ',', (size_t)(end - p));
        char *stop = comma != NULL ? comma : end;

        if (nf < MAX_COLS) {
            t->field[nf] = p;
            t->flen[nf] = (size_t)(stop - p);
        }
        nf++;
        if (comma == NULL)
            return nf;
        *comma = '\0';
        p = comma + 1;
    }
}

/* Split a data line and check it has the header's column count. */
static int split_row(wl_trace *t, hs_diag *d)
{
    size_t nf;

    if (t->len == 0)
        return hs_diag_error(d, here(t), "empty line");
    nf = split(t);
    if (nf != t->n_cols)
        return hs_diag_error(d, here(t), "expected %zu columns, found %zu",
                             t->n_cols, nf);
    return HS_OK;
}

static int bad_field(wl_trace *t, size_t i, const char *col,
                     const char *expect, hs_diag *d)
{
    int n = (int)(t->flen[i] < SHOW ? t->flen[i] : SHOW);

    return hs_diag_error(d, here(t), "column '%s': expected %s, found '%.*s'",
                         col, expect, n, t->field[i]);
}

static int get_uint(wl_trace *t, size_t i, const char *col, int64_t max,
                    int64_t *out, hs_diag *d)
{
    int rc = wl_parse_uint(t->field[i], t->flen[i], max, out);

    if (rc == HS_ERANGE)
        return bad_field(t, i, col, "a smaller integer", d);
    if (rc != HS_OK)
        return bad_field(t, i, col, "a non-negative integer", d);
    return HS_OK;
}

/* A decimal number of units scaled by 10^digits (see wl_parse_decimal). */
static int get_decimal(wl_trace *t, size_t i, const char *col, int digits,
                       const char *expect, int64_t *out, hs_diag *d)
{
    if (wl_parse_decimal(t->field[i], t->flen[i], digits, out) != HS_OK)
        return bad_field(t, i, col, expect, d);
    return HS_OK;
}

/* ---- Azure ------------------------------------------------------------- */

static bool digits_at(const char *s, size_t n, unsigned *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (unsigned)(s[i] - '0');
    }
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil); y >= 0. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned day)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = y / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned dm[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dm[m - 1];
}

/* 'YYYY-MM-DD HH:MM:SS[.f...]' (1 to 9 fraction digits) as ns since the
 * epoch, UTC, exactly. */
static bool parse_azure_time(const char *s, size_t n, int64_t *ns)
{
    unsigned y, mo, da, h, mi, se, frac = 0;
    size_t nfrac = 0;

    if (n < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
        s[16] != ':')
        return false;
    if (!digits_at(s, 4, &y) || !digits_at(s + 5, 2, &mo) ||
        !digits_at(s + 8, 2, &da) || !digits_at(s + 11, 2, &h) ||
        !digits_at(s + 14, 2, &mi) || !digits_at(s + 17, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || da < 1 || da > days_in_month(y, mo) || h > 23 ||
        mi > 59 || se > 60)
        return false;
    if (n > 19) {
        nfrac = n - 20;
        if (s[19] != '.' || nfrac < 1 || nfrac > 9 ||
            !digits_at(s + 20, nfrac, &frac))
            return false;
        for (size_t k = nfrac; k < 9; k++)
            frac *= 10;
    }
    *ns = ((days_from_civil(y, mo, da) * 24 + h) * 60 + mi) * 60 + se;
    *ns = *ns * HS_NS_PER_S + frac;
    return true;
}

static int row_azure(wl_trace *t, wl_request *out, int64_t *raw, hs_diag *d)
{
    int rc;

    if ((rc = split_row(t, d)) != HS_OK)
        return rc;
    if (!parse_azure_time(t->field[0], t->flen[0], raw))
        return bad_field(t, 0, "TIMESTAMP",
                         "a time like '2023-11-16 18:15:46.6805900'", d);
    if ((rc = get_uint(t, 1, "ContextTokens", MAX_TOKENS, &out->prompt_tokens,
                       d)) != HS_OK)
        return rc;
    return get_uint(t, 2, "GeneratedTokens", MAX_TOKENS, &out->output_tokens,
                    d);
}

/* ---- hetsim ------------------------------------------------------------ */

static int row_hetsim(wl_trace *t, wl_request *out, int64_t *raw, hs_diag *d)
{
    int64_t turn;
    int rc;

    if ((rc = split_row(t, d)) != HS_OK)
        return rc;
    if ((rc = get_decimal(t, 0, "arrival_s", 9,
                          "a non-negative number of seconds", raw, d)) ||
        (rc = get_uint(t, 1, "prompt_tokens", MAX_TOKENS, &out->prompt_tokens,
                       d)) ||
        (rc = get_uint(t, 2, "output_tokens", MAX_TOKENS, &out->output_tokens,
                       d)))
        return rc;
    if (t->n_cols == 3)
        return HS_OK;
    if ((rc = get_uint(t, 3, "session_id", INT64_MAX, &out->session_id, d)) ||
        (rc = get_uint(t, 4, "turn", INT32_MAX, &turn, d)))
        return rc;
    out->turn = (int32_t)turn;
    return HS_OK;
}

/* ---- agent sessions ---------------------------------------------------- */

static int sess_uint(wl_trace *t, enum sess_col c, int64_t max, int64_t *v,
                     hs_diag *d)
{
    return get_uint(t, (size_t)t->sess_col[c], sess_names[c], max, v, d);
}

static int sess_ms(wl_trace *t, enum sess_col c, int64_t *ns, hs_diag *d)
{
    return get_decimal(t, (size_t)t->sess_col[c], sess_names[c], 6,
                       "a non-negative number of ms", ns, d);
}

/* A session's rows are consecutive and numbered 0, 1, 2, ... */
static int check_round(wl_trace *t, int64_t session, int64_t round, hs_diag *d)
{
    int64_t want = session == t->prev_session ? t->prev_round + 1 : 0;
    size_t i = (size_t)t->sess_col[SC_ROUND];

    if (round != want)
        return hs_diag_error(d, here(t),
                             "column 'round_idx': expected %lld (a "
                             "session's rows are consecutive, numbered from "
                             "0), found '%.*s'",
                             (long long)want, (int)t->flen[i], t->field[i]);
    t->prev_session = session;
    t->prev_round = round;
    return HS_OK;
}

static int row_sessions(wl_trace *t, wl_request *out, int64_t *raw, hs_diag *d)
{
    int64_t round, prefix, input;
    int rc;

    if ((rc = split_row(t, d)) != HS_OK)
        return rc;
    if ((rc = sess_uint(t, SC_SESSION, INT64_MAX, &out->session_id, d)) ||
        (rc = sess_uint(t, SC_ROUND, INT32_MAX, &round, d)) ||
        (rc = sess_uint(t, SC_PREFIX, MAX_TOKENS, &prefix, d)) ||
        (rc = sess_uint(t, SC_INPUT, MAX_TOKENS, &input, d)) ||
        (rc = sess_uint(t, SC_OUTPUT, MAX_TOKENS, &out->output_tokens, d)) ||
        (rc = sess_ms(t, SC_WAIT, &out->tool_wait, d)))
        return rc;
    *raw = 0;
    if (t->sess_col[SC_ARRIVAL] >= 0 &&
        (rc = sess_ms(t, SC_ARRIVAL, raw, d)) != HS_OK)
        return rc;
    if ((rc = check_round(t, out->session_id, round, d)) != HS_OK)
        return rc;
    out->turn = (int32_t)round;
    out->prefix_tokens = prefix;
    out->prompt_tokens = prefix + input;
    return HS_OK;
}

/* ---- Mooncake ---------------------------------------------------------- */

static int row_mooncake(wl_trace *t, wl_request *out, int64_t *raw, hs_diag *d)
{
    int rc;

    if (t->len == 0)
        return hs_diag_error(d, here(t), "empty line");
    rc = wl_mooncake_parse(t->buf, t->len, here(t), &t->moon, d);
    if (rc != HS_OK)
        return rc;
    *raw = t->moon.timestamp_ns;
    out->prompt_tokens = t->moon.input_length;
    out->output_tokens = t->moon.output_length;
    out->hash_ids = t->moon.hash;
    out->n_hash_ids = t->moon.n_hash;
    return HS_OK;
}

/* ---- headers ----------------------------------------------------------- */

/* Read line 1; false (with an error) if the file is empty. */
static int read_header(wl_trace *t, const char *want, hs_diag *d)
{
    int rc = read_line(t, d);

    if (rc < 0)
        return rc;
    if (rc == 0) {
        t->line = 1;
        return hs_diag_error(d, here(t), "missing header: expected '%s'",
                             want);
    }
    if (t->len >= 3 && memcmp(t->buf, "\xef\xbb\xbf", 3) == 0) {
        memmove(t->buf, t->buf + 3, t->len - 2); /* a UTF-8 BOM */
        t->len -= 3;
    }
    return HS_OK;
}

static int bad_header(wl_trace *t, const char *want, hs_diag *d)
{
    return hs_diag_error(d, here(t), "expected header '%s', found '%.*s'",
                         want, (int)(t->len < SHOW ? t->len : SHOW), t->buf);
}

static int header_fixed(wl_trace *t, hs_diag *d)
{
    const char *want =
        t->format == WL_TRACE_AZURE ? azure_header : hetsim_header;
    int rc = read_header(t, want, d);

    if (rc != HS_OK)
        return rc;
    if (strcmp(t->buf, want) == 0) {
        t->n_cols = 3;
        return HS_OK;
    }
    if (t->format == WL_TRACE_HETSIM &&
        strcmp(t->buf, hetsim_session_header) == 0) {
        t->n_cols = 5;
        return HS_OK;
    }
    return bad_header(t, want, d);
}

/* Map one session header name to its column 'i'. */
static int sess_name(wl_trace *t, size_t i, hs_diag *d)
{
    for (int c = 0; c < SC_N; c++) {
        if (strlen(sess_names[c]) != t->flen[i] ||
            memcmp(sess_names[c], t->field[i], t->flen[i]) != 0)
            continue;
        if (t->sess_col[c] >= 0)
            return hs_diag_error(d, here(t), "duplicate column '%s'",
                                 sess_names[c]);
        t->sess_col[c] = (int)i;
        return HS_OK;
    }
    return hs_diag_error(d, here(t), "unknown column '%.*s'",
                         (int)(t->flen[i] < SHOW ? t->flen[i] : SHOW),
                         t->field[i]);
}

static int header_sessions(wl_trace *t, hs_diag *d)
{
    int rc = read_header(t,
                         "session_id,round_idx,prefix_len,input_len,"
                         "output_len,tool_wait_after_ms",
                         d);

    if (rc != HS_OK)
        return rc;
    for (int c = 0; c < SC_N; c++)
        t->sess_col[c] = -1;
    t->n_cols = split(t);
    if (t->n_cols > SC_N)
        return hs_diag_error(d, here(t),
                             "expected at most %d columns, found %zu", SC_N,
                             t->n_cols);
    for (size_t i = 0; i < t->n_cols; i++) {
        int r = sess_name(t, i, d);

        if (r != HS_OK)
            rc = r; /* keep going: list every problem */
    }
    for (int c = 0; c < SC_ARRIVAL; c++)
        if (t->sess_col[c] < 0)
            rc = hs_diag_error(d, here(t), "missing column '%s'",
                               sess_names[c]);
    return rc;
}

/* ---- the reader -------------------------------------------------------- */

static const char *time_column(wl_trace_format f)
{
    switch (f) {
    case WL_TRACE_AZURE:
        return "column 'TIMESTAMP'";
    case WL_TRACE_MOONCAKE:
        return "key 'timestamp'";
    case WL_TRACE_HETSIM:
        return "column 'arrival_s'";
    case WL_TRACE_SESSIONS:
        return "column 'arrival_time'";
    }
    return "time";
}

wl_trace *wl_trace_open(const wl_trace_spec *spec, hs_diag *d)
{
    wl_trace *t;
    hs_loc at = {spec->path, 0, 0};
    int rc = HS_OK;

    HS_ASSERT(spec->path != NULL && spec->time_scale > 0);
    t = hs_calloc(1, sizeof *t);
    t->path = hs_strdup(spec->path);
    t->format = spec->format;
    t->time_scale = spec->time_scale;
    t->max_requests = spec->max_requests;
    t->time_col = time_column(spec->format);
    t->prev_session = -1;
    t->fp = fopen(spec->path, "r");
    if (t->fp == NULL) {
        hs_diag_error(d, at, "cannot open: %s", strerror(errno));
        goto fail;
    }
    if (t->format == WL_TRACE_AZURE || t->format == WL_TRACE_HETSIM)
        rc = header_fixed(t, d);
    else if (t->format == WL_TRACE_SESSIONS)
        rc = header_sessions(t, d);
    if (rc != HS_OK)
        goto fail;
    return t;
fail:
    wl_trace_close(t);
    return NULL;
}

static int parse_row(wl_trace *t, wl_request *out, int64_t *raw, hs_diag *d)
{
    out->session_id = -1;
    out->turn = 0;
    out->prefix_tokens = 0;
    out->tool_wait = 0;
    out->hash_ids = NULL;
    out->n_hash_ids = 0;
    switch (t->format) {
    case WL_TRACE_AZURE:
        return row_azure(t, out, raw, d);
    case WL_TRACE_MOONCAKE:
        return row_mooncake(t, out, raw, d);
    case WL_TRACE_HETSIM:
        return row_hetsim(t, out, raw, d);
    case WL_TRACE_SESSIONS:
        return row_sessions(t, out, raw, d);
    }
    HS_UNREACHABLE("unknown trace format");
}

/* Arrival of a record at raw time 'raw': relative to the first record,
 * scaled, rounded to the nearest ns. */
static hs_time arrival_of(const wl_trace *t, int64_t raw)
{
    int64_t delta = raw - t->first_raw;
    double x;

    if (t->time_scale == 1.0)
        return delta;
    x = (double)delta * t->time_scale;
    return x < 9.2e18 ? (hs_time)(x + 0.5) : HS_TIME_MAX;
}

int wl_trace_read(wl_trace *t, wl_request *out, hs_diag *d)
{
    int64_t raw = 0;
    int rc;

    if (t->status != HS_OK)
        return t->status;
    if (t->at_end || (t->max_requests > 0 && t->n_read >= t->max_requests)) {
        t->at_end = true;
        return 0;
    }
    rc = read_line(t, d);
    if (rc == 0) {
        t->at_end = true;
        return 0;
    }
    if (rc > 0)
        rc = parse_row(t, out, &raw, d);
    if (rc == HS_OK && t->has_first && raw < t->prev_raw)
        rc = hs_diag_error(d, here(t),
                           "%s: time goes backwards (earlier than line %u)",
                           t->time_col, t->prev_line);
    if (rc != HS_OK)
        return t->status = rc;
    if (!t->has_first) {
        t->has_first = true;
        t->first_raw = raw;
    }
    t->prev_raw = raw;
    t->prev_line = t->line;
    out->arrival = arrival_of(t, raw);
    t->n_read++;
    return 1;
}

hs_loc wl_trace_loc(const wl_trace *t)
{
    hs_loc at = {t->path, t->prev_line, 0};

    return at;
}

void wl_trace_close(wl_trace *t)
{
    if (t == NULL)
        return;
    if (t->fp != NULL)
        fclose(t->fp);
    free(t->path);
    free(t->buf);
    free(t->moon.hash);
    free(t);
}
