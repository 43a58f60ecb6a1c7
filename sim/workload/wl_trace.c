/*
 * wl_trace.c -- the streamed trace reader shared by every trace format:
 * it reads the file one line at a time, hands each record line to its
 * format (a wl_format vtable, wl_fmt_<name>.c), and turns the record's
 * raw time into an arrival (relative to the first record, scaled), with
 * the checks every format shares: no empty line, no time going
 * backwards, max_requests.  It also gives the formats the helpers that
 * split a CSV line and parse its fields with located errors.
 *
 * A trace is read into a single buffer that grows to the longest line
 * (at most WL_MAX_LINE bytes: a longer line is an error, so that no
 * input can make the reader grow without bound) and is then reused;
 * fields are split and parsed in place.  Memory therefore does not
 * depend on the trace's length, and reading a line does not allocate.
 * Arrivals are computed with checked arithmetic: a record too far after
 * the first is an error, never a wrapped or saturated time.  Every malformed line is an error that names
 * the file and line; nothing is skipped.
 *
 * Invariants:
 *   I1  status != HS_OK  =>  every later read returns status unchanged
 *   I2  has_first  =>  first_raw <= prev_raw, and prev_raw is the raw
 *       time of line prev_line, the last record returned
 *   I3  has_first  =>  first_raw is the raw time of line first_line
 *   I4  len <= WL_MAX_LINE
 *   I5  n_read <= max_requests when max_requests > 0
 */
#include "workload_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wl_trace {
    const wl_format *format;
    void *state; /* the format's, format->size bytes (NULL when 0) */
    FILE *fp;
    char *path; /* owned copy, named in every error */
    char *buf;  /* the line, NUL-terminated, without its newline */
    size_t cap;
    size_t len;
    unsigned line; /* 1-based number of the line in 'buf' */
    double time_scale;
    wl_profile_spec profile; /* arrivals (after time_scale) warped by it */
    int64_t max_requests;
    int64_t n_read;
    int status;
    bool at_end;
    bool has_first;
    int64_t first_raw; /* raw time (ns, the file's own origin) */
    int64_t prev_raw;
    unsigned prev_line;
    unsigned first_line;
    unsigned time_at; /* column of the current record's time; 0 unknown */
    size_t n_cols;    /* CSV: columns of every row, from the header */
    char *field[WL_MAX_COLS];
    size_t flen[WL_MAX_COLS];
};

hs_loc wl_trace_here(const wl_trace *t)
{
    hs_loc at = {t->path, t->line, 0};

    return at;
}

/* ---- lines and fields -------------------------------------------------- */

/* An error about the current line at byte 'col' (1-based). */
static int line_error(const wl_trace *t, size_t col, const char *what,
                      hs_diag *d)
{
    hs_loc at = wl_trace_here(t);

    at.col = (unsigned)col;
    return hs_diag_error(d, at, "%s", what);
}

/* Store byte 'c' at t->buf[n], keeping room for the NUL. */
static void put_byte(wl_trace *t, size_t n, int c)
{
    if (n + 1 >= t->cap)
        hs_grow((void **)&t->buf, &t->cap, n + 2, 1);
    t->buf[n] = (char)c;
}

/* Read the next line into t->buf, at most WL_MAX_LINE bytes before its
 * newline; stops at the first NUL byte or the first byte over the
 * limit, which are errors.  Returns 1, 0 at end of file, HS_EINPUT or
 * HS_EIO. */
static int read_line(wl_trace *t, hs_diag *d)
{
    size_t n = 0;
    int c;

    put_byte(t, 0, '\0');
    if (t->line == UINT_MAX)
        return line_error(t, 0, "more lines than the reader counts", d);
    t->line++;
    errno = 0;
    while ((c = getc_unlocked(t->fp)) != EOF && c != '\n') {
        if (c == '\0')
            return line_error(t, n + 1, "NUL byte in the line", d);
        if (n == WL_MAX_LINE)
            return line_error(t, n + 1,
                              "line longer than " WL_MAX_LINE_TEXT
                              " (the limit of a trace line)",
                              d);
        put_byte(t, n++, c);
    }
    if (ferror(t->fp)) {
        hs_loc at = {t->path, 0, 0};

        return hs_diag_error(d, at, "read error: %s",
                             strerror(errno != 0 ? errno : EIO));
    }
    if (c == EOF && n == 0) {
        t->line--;
        return 0;
    }
    if (n > 0 && t->buf[n - 1] == '\r')
        n--;
    t->buf[n] = '\0';
    t->len = n;
    return 1;
}

const char *wl_trace_line(const wl_trace *t, size_t *len)
{
    *len = t->len;
    return t->buf;
}

size_t wl_trace_split(wl_trace *t)
{
    size_t nf = 0;
    char *p = t->buf;
    char *end = t->buf + t->len;

    for (;;) {
        char *comma = memchr(p, ',', (size_t)(end - p));
        char *stop = comma != NULL ? comma : end;

        if (nf < WL_MAX_COLS) {
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

const char *wl_trace_field(const wl_trace *t, size_t i, size_t *len)
{
    HS_ASSERT(i < WL_MAX_COLS);
    *len = t->flen[i];
    return t->field[i];
}

void wl_trace_set_cols(wl_trace *t, size_t n_cols)
{
    HS_ASSERT(n_cols <= WL_MAX_COLS);
    t->n_cols = n_cols;
}

size_t wl_trace_cols(const wl_trace *t)
{
    return t->n_cols;
}

hs_loc wl_trace_field_at(const wl_trace *t, size_t i)
{
    hs_loc at = wl_trace_here(t);

    HS_ASSERT(i < WL_MAX_COLS);
    at.col = (unsigned)(t->field[i] - t->buf) + 1;
    return at;
}

int wl_trace_split_row(wl_trace *t, hs_diag *d)
{
    size_t nf = wl_trace_split(t);
    hs_loc at = wl_trace_here(t);

    if (nf == t->n_cols)
        return HS_OK;
    /* The first column too many, or the end of a short line. */
    at.col = nf > t->n_cols && t->n_cols < WL_MAX_COLS
                 ? wl_trace_field_at(t, t->n_cols).col
                 : (unsigned)t->len + 1;
    return hs_diag_error(d, at, "expected %zu columns, found %zu", t->n_cols,
                         nf);
}

int wl_trace_bad_field(const wl_trace *t, size_t i, const char *col,
                       const char *expect, hs_diag *d)
{
    int n = (int)(t->flen[i] < WL_SHOW ? t->flen[i] : WL_SHOW);

    return hs_diag_error(d, wl_trace_field_at(t, i),
                         "column '%s': expected %s, found '%.*s'", col, expect,
                         n, t->field[i]);
}

int wl_trace_span(const wl_trace *t, wl_span *sp, int64_t ns, size_t i,
                  const char *col, const char *limit, hs_diag *d)
{
    char expect[128];
    int64_t gap;

    if (!sp->has_first) {
        sp->has_first = true;
        sp->first = ns;
    }
    /* an earlier one is "time goes backwards"; a gap past int64 (times
     * of different centuries) is too long as well */
    if (ns <= sp->first || (!__builtin_sub_overflow(ns, sp->first, &gap) &&
                            gap <= WL_MAX_TRACE_NS))
        return HS_OK;
    snprintf(expect, sizeof expect, "at most %s after the first record's %s",
             limit, col);
    return wl_trace_bad_field(t, i, col, expect, d);
}

int wl_trace_uint(const wl_trace *t, size_t i, const char *col, int64_t max,
                  int64_t *out, hs_diag *d)
{
    int rc = wl_parse_uint(t->field[i], t->flen[i], max, out);

    if (rc == HS_ERANGE)
        return wl_trace_bad_field(t, i, col, "a smaller integer", d);
    if (rc != HS_OK)
        return wl_trace_bad_field(t, i, col, "a non-negative integer", d);
    return HS_OK;
}

int wl_trace_decimal(const wl_trace *t, size_t i, const char *col, int digits,
                     const char *expect, int64_t *out, hs_diag *d)
{
    if (wl_parse_decimal(t->field[i], t->flen[i], digits, out) != HS_OK)
        return wl_trace_bad_field(t, i, col, expect, d);
    return HS_OK;
}

/* ---- headers ----------------------------------------------------------- */

int wl_trace_header(wl_trace *t, const char *want, hs_diag *d)
{
    int rc = read_line(t, d);

    if (rc < 0)
        return rc;
    if (rc == 0) {
        t->line = 1;
        return hs_diag_error(d, wl_trace_here(t),
                             "missing header: expected '%s'", want);
    }
    if (t->len >= 3 && memcmp(t->buf, "\xef\xbb\xbf", 3) == 0) {
        memmove(t->buf, t->buf + 3, t->len - 2); /* a UTF-8 BOM */
        t->len -= 3;
    }
    return HS_OK;
}

int wl_trace_bad_header(const wl_trace *t, const char *want, hs_diag *d)
{
    hs_loc at = wl_trace_here(t);

    at.col = 1;
    return hs_diag_error(d, at, "expected header '%s', found '%.*s'%s", want,
                         (int)(t->len < WL_SHOW ? t->len : WL_SHOW), t->buf,
                         t->len > 0 && t->buf[0] == '{'
                             ? " (a JSON line: is the format mooncake?)"
                             : "");
}

/* ---- the reader -------------------------------------------------------- */

wl_trace *wl_trace_open(const wl_format *f, const wl_trace_spec *spec,
                        hs_diag *d)
{
    wl_trace *t;
    hs_loc at = {spec->path, 0, 0};

    HS_ASSERT(f != NULL && f->version == WL_FORMAT_VERSION);
    HS_ASSERT(spec->path != NULL && spec->time_scale > 0);
    t = hs_calloc(1, sizeof *t);
    t->format = f;
    t->state = f->size > 0 ? hs_calloc(1, f->size) : NULL;
    t->path = hs_strdup(spec->path);
    t->time_scale = spec->time_scale;
    t->profile = spec->profile;
    t->max_requests = spec->max_requests;
    t->fp = fopen(spec->path, "r");
    if (t->fp == NULL) {
        hs_diag_error(d, at, "cannot open: %s", strerror(errno));
        goto fail;
    }
    if (f->open != NULL && f->open(t, t->state, d) != HS_OK)
        goto fail;
    return t;
fail:
    wl_trace_close(t);
    return NULL;
}

/* Parse the current line with the format: a fresh request (no session,
 * no prefix) and the record's raw time. */
static int parse_row(wl_trace *t, wl_request *out, int64_t *raw, hs_diag *d)
{
    memset(out, 0, sizeof *out);
    out->session_id = -1;
    t->time_at = 0;
    if (t->len == 0) {
        hs_loc at = wl_trace_here(t);

        at.col = 1;
        return hs_diag_error(d, at, "empty line");
    }
    return t->format->read(t, t->state, out, raw, d);
}

void wl_trace_time_at(wl_trace *t, unsigned col)
{
    t->time_at = col;
}

/* Where the current record's time is: its column when the format said. */
static hs_loc time_loc(const wl_trace *t)
{
    hs_loc at = wl_trace_here(t);

    at.col = t->time_at;
    return at;
}

/* '*at' (ns) warped by the trace's rate profile: the time at which the
 * integral of its factor reaches it (workload.h); false when that no
 * longer fits hs_time.  A monotone map, so arrivals keep their order. */
static bool warp(const wl_trace *t, hs_time *at)
{
    double s;

    if (t->profile.kind == WL_PROFILE_NONE)
        return true;
    s = wl_profile_time(&t->profile, hs_time_to_s(*at)) * 1e9 + 0.5;
    if (!(s < 0x1p63))
        return false;
    *at = (hs_time)s;
    return true;
}

/* Arrival of a record at raw time 'raw' into '*out': relative to the
 * first record, scaled, rounded to the nearest ns, warped by the rate
 * profile.  HS_OK, or HS_EINPUT when it does not fit hs_time
 * (time_scale > 0, raw >= first_raw). */
static int arrival_of(const wl_trace *t, int64_t raw, hs_time *out, hs_diag *d)
{
    int64_t delta;
    double x;

    if (!__builtin_sub_overflow(raw, t->first_raw, &delta)) {
        if (t->time_scale == 1.0) {
            *out = delta;
            if (warp(t, out))
                return HS_OK;
        } else {
            x = (double)delta * t->time_scale + 0.5;
            if (x < 0x1p63) { /* the doubles below 2^63 fit an int64_t */
                *out = (hs_time)x;
                if (warp(t, out))
                    return HS_OK;
            }
        }
    }
    return hs_diag_error(d, time_loc(t),
                         "%s: arrival more than 2^63 ns (292 years) after "
                         "the first record (line %u)",
                         t->format->time_col, t->first_line);
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
        rc = hs_diag_error(d, time_loc(t),
                           "%s: time goes backwards (earlier than line %u)",
                           t->format->time_col, t->prev_line);
    if (rc == HS_OK && !t->has_first) {
        t->has_first = true;
        t->first_raw = raw;
        t->first_line = t->line;
    }
    if (rc == HS_OK)
        rc = arrival_of(t, raw, &out->arrival, d);
    if (rc != HS_OK)
        return t->status = rc;
    t->prev_raw = raw;
    t->prev_line = t->line;
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
    if (t->format->close != NULL && t->state != NULL)
        t->format->close(t->state);
    if (t->fp != NULL)
        fclose(t->fp);
    free(t->state);
    free(t->path);
    free(t->buf);
    free(t);
}
