/*
 * wl_fmt_mooncake.c -- the Mooncake (Kimi) trace format: JSONL, one flat
 * object a line such as
 *
 *   {"timestamp": 27482, "input_length": 6955, "output_length": 52,
 *    "hash_ids": [46, 47, 48]}
 *
 * with 'timestamp' in ms (a non-negative number), 'input_length' and
 * 'output_length' (non-negative integers) and optional 'hash_ids' (an
 * array of integers < 2^32): the content ids of the prompt's 512-token
 * KV blocks (an equal id is a reusable block), which this reader hands
 * on as the request's prefix (wl_request.prefix: content ids of 512
 * tokens each, the whole prompt reusable), at most one per started
 * block of the prompt (ceil(input_length / 512)).  Other keys are skipped, a repeated key is an error.  Read by
 * wl_trace.c.
 *
 * The line parser is small and strict: it accepts exactly the JSON
 * grammar (RFC 8259) for the line, reads the four known keys in place,
 * skips the values of other keys, and reports the first problem with its
 * byte column.  It never allocates except to grow the reader's hash-id
 * buffer, reused across lines.  Keys are compared byte for byte, so a
 * known key spelled with escapes counts as unknown.
 */
#include "workload_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64     /* nesting allowed inside skipped values */
#define BLOCK_TOKENS 512 /* tokens named by one hash id */

/* One parsed line.  'hash' is the reader's buffer, grown with hs_grow()
 * and reused across lines (the format's state). */
typedef struct wl_mooncake_rec {
    int64_t timestamp_ns;
    size_t timestamp_at; /* byte of its value in the line */
    int64_t input_length;
    int64_t output_length;
    uint32_t *hash;
    size_t hash_at; /* byte of its value in the line */
    size_t n_hash;
    size_t hash_cap;
} wl_mooncake_rec;

typedef struct jp {
    const char *s;
    size_t n;
    size_t i;
    hs_loc at;
    hs_diag *d;
} jp;

enum key { K_TIMESTAMP, K_INPUT, K_OUTPUT, K_HASH, K_UNKNOWN };

static const char *const key_names[] = {"timestamp", "input_length",
                                        "output_length", "hash_ids"};

/* Report an error at byte 'pos' of the line. */
static int jerr(jp *p, size_t pos, const char *fmt, ...) HS_PRINTF(3, 4);
static int jerr(jp *p, size_t pos, const char *fmt, ...)
{
    hs_loc at = p->at;
    va_list ap;

    at.col = (unsigned)pos + 1;
    va_start(ap, fmt);
    hs_diag_verror(p->d, at, fmt, ap);
    va_end(ap);
    return HS_EINPUT;
}

/* Describe the byte at 'pos' for "found ..." (into 'buf'). */
static const char *found(const jp *p, size_t pos, char *buf, size_t len)
{
    unsigned char c;

    if (pos >= p->n)
        return "end of line";
    c = (unsigned char)p->s[pos];
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, len, "'%c'", c);
    else
        snprintf(buf, len, "byte 0x%02x", c);
    return buf;
}

static int expected(jp *p, const char *what)
{
    char buf[16];

    return jerr(p, p->i, "expected %s, found %s", what,
                found(p, p->i, buf, sizeof buf));
}

static void skip_ws(jp *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
                           p->s[p->i] == '\r' || p->s[p->i] == '\n'))
        p->i++;
}

static bool at_char(const jp *p, char c)
{
    return p->i < p->n && p->s[p->i] == c;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

/* A string at p->i (which is a '"'); its raw contents are s[*b..*e). */
static int parse_string(jp *p, size_t *b, size_t *e)
{
    size_t start = p->i;

    p->i++;
    *b = p->i;
    while (p->i < p->n) {
        unsigned char c = (unsigned char)p->s[p->i];

        if (c == '"') {
            *e = p->i++;
            return HS_OK;
        }
        if (c < 0x20)
            return jerr(p, p->i, "control character in a string");
        if (c == '\\') {
            char x = '\0';

            if (p->i + 1 < p->n)
                x = p->s[p->i + 1];

            if (x == 'u') {
                for (size_t k = 2; k < 6; k++)
                    if (p->i + k >= p->n || !is_hex(p->s[p->i + k]))
                        return jerr(p, p->i, "bad \\u escape in a string");
                p->i += 6;
                continue;
            }
            if (strchr("\"\\/bfnrt", x) == NULL || x == '\0')
                return jerr(p, p->i, "bad escape in a string");
            p->i++;
        }
        p->i++;
    }
    return jerr(p, start, "unterminated string");
}

static bool digit_at(const jp *p, size_t i)
{
    return i < p->n && p->s[i] >= '0' && p->s[i] <= '9';
}

/* A JSON number at p->i; s[*b..p->i) on success.  '*is_int' is true for
 * a non-negative number without fraction or exponent. */
static int scan_number(jp *p, size_t *b, bool *is_int)
{
    size_t i = p->i;

    *b = i;
    *is_int = true;
    if (i < p->n && p->s[i] == '-')
        i++, *is_int = false;
    if (!digit_at(p, i))
        return jerr(p, *b, "malformed number");
    if (p->s[i] == '0')
        i++;
    else
        while (digit_at(p, i))
            i++;
    if (i < p->n && p->s[i] == '.') {
        i++, *is_int = false;
        if (!digit_at(p, i))
            return jerr(p, *b, "malformed number");
        while (digit_at(p, i))
            i++;
    }
    if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
        i++, *is_int = false;
        if (i < p->n && (p->s[i] == '+' || p->s[i] == '-'))
            i++;
        if (!digit_at(p, i))
            return jerr(p, *b, "malformed number");
        while (digit_at(p, i))
            i++;
    }
    p->i = i;
    return HS_OK;
}

static int skip_value(jp *p, int depth);

static int skip_literal(jp *p, const char *word)
{
    size_t len = strlen(word);

    if (p->n - p->i < len || memcmp(p->s + p->i, word, len) != 0)
        return expected(p, "a value");
    p->i += len;
    return HS_OK;
}

/* The rest of an array or object after its opening bracket. */
static int skip_members(jp *p, int depth, bool is_object)
{
    char close = is_object ? '}' : ']';

    skip_ws(p);
    if (at_char(p, close)) {
        p->i++;
        return HS_OK;
    }
    for (;;) {
        int rc;

        if (is_object) {
            size_t b, e;

            if (!at_char(p, '"'))
                return expected(p, "'\"' to start a key");
            if ((rc = parse_string(p, &b, &e)) != HS_OK)
                return rc;
            skip_ws(p);
            if (!at_char(p, ':'))
                return expected(p, "':'");
            p->i++;
            skip_ws(p);
        }
        if ((rc = skip_value(p, depth + 1)) != HS_OK)
            return rc;
        skip_ws(p);
        if (at_char(p, close)) {
            p->i++;
            return HS_OK;
        }
        if (!at_char(p, ','))
            return expected(p, is_object ? "',' or '}'" : "',' or ']'");
        p->i++;
        skip_ws(p);
    }
}

/* Any JSON value at p->i, not interpreted. */
static int skip_value(jp *p, int depth)
{
    size_t b;
    bool is_int;

    if (depth > MAX_DEPTH)
        return jerr(p, p->i, "values nested too deeply");
    if (p->i >= p->n)
        return expected(p, "a value");
    switch (p->s[p->i]) {
    case '"':
        return parse_string(p, &b, &b);
    case '{':
    case '[':
        p->i++;
        return skip_members(p, depth, p->s[p->i - 1] == '{');
    case 't':
        return skip_literal(p, "true");
    case 'f':
        return skip_literal(p, "false");
    case 'n':
        return skip_literal(p, "null");
    default:
        if (p->s[p->i] == '-' || digit_at(p, p->i))
            return scan_number(p, &b, &is_int);
        return expected(p, "a value");
    }
}

/* A non-negative integer value for key 'k' (at most 'max'). */
static int parse_int_value(jp *p, const char *k, int64_t max, int64_t *out)
{
    size_t b = p->i;
    bool is_int = false;
    int rc;

    if (p->i < p->n && (p->s[p->i] == '-' || digit_at(p, p->i))) {
        if ((rc = scan_number(p, &b, &is_int)) != HS_OK)
            return rc;
        if (is_int && wl_parse_uint(p->s + b, p->i - b, max, out) == HS_OK)
            return HS_OK;
        if (is_int)
            return jerr(p, b, "key '%s': value too large, found '%.*s'", k,
                        (int)(p->i - b), p->s + b);
        return jerr(p, b,
                    "key '%s': expected a non-negative integer, found "
                    "'%.*s'",
                    k, (int)(p->i - b), p->s + b);
    }
    {
        char buf[16];

        return jerr(p, b,
                    "key '%s': expected a non-negative integer, found %s", k,
                    found(p, b, buf, sizeof buf));
    }
}

/* 'timestamp': a non-negative number of milliseconds, kept in ns. */
static int parse_timestamp(jp *p, int64_t *ns)
{
    size_t b = p->i;
    bool is_int;
    int rc;
    char buf[16];

    if (p->i >= p->n || !(p->s[p->i] == '-' || digit_at(p, p->i)))
        return jerr(p, b,
                    "key 'timestamp': expected a non-negative number of ms, "
                    "found %s",
                    found(p, b, buf, sizeof buf));
    if ((rc = scan_number(p, &b, &is_int)) != HS_OK)
        return rc;
    if (wl_parse_decimal(p->s + b, p->i - b, 6, ns) != HS_OK)
        return jerr(p, b,
                    "key 'timestamp': expected a non-negative number of ms, "
                    "found '%.*s'",
                    (int)(p->i - b), p->s + b);
    return HS_OK;
}

/* The common hash id in one pass: plain digits, no leading zero, not
 * followed by a fraction or exponent, below 2^32.  Anything else returns
 * false having consumed nothing, and the general path parses or reports
 * it.  This halves the time of a Mooncake line, which is mostly ids. */
static bool fast_uint32(jp *p, uint32_t *out)
{
    size_t i = p->i;
    uint64_t v = 0;

    while (i < p->n && i - p->i < 10 && digit_at(p, i))
        v = v * 10 + (uint64_t)(p->s[i++] - '0');
    if (i == p->i || v > UINT32_MAX || (p->s[p->i] == '0' && i - p->i > 1))
        return false;
    if (i < p->n &&
        (digit_at(p, i) || p->s[i] == '.' || p->s[i] == 'e' || p->s[i] == 'E'))
        return false;
    *out = (uint32_t)v;
    p->i = i;
    return true;
}

/* 'hash_ids': an array of integers in [0, 2^32). */
static int parse_hash_ids(jp *p, wl_mooncake_rec *rec)
{
    rec->n_hash = 0;
    if (!at_char(p, '['))
        return expected(p, "'[' to start 'hash_ids'");
    p->i++;
    skip_ws(p);
    if (at_char(p, ']')) {
        p->i++;
        return HS_OK;
    }
    for (;;) {
        uint32_t u;

        if (!fast_uint32(p, &u)) {
            int64_t v = 0;
            int rc = parse_int_value(p, "hash_ids", UINT32_MAX, &v);

            if (rc != HS_OK)
                return rc;
            u = (uint32_t)v;
        }
        if (rec->n_hash == rec->hash_cap)
            hs_grow((void **)&rec->hash, &rec->hash_cap, rec->n_hash + 1,
                    sizeof(uint32_t));
        rec->hash[rec->n_hash++] = u;
        skip_ws(p);
        if (at_char(p, ']')) {
            p->i++;
            return HS_OK;
        }
        if (!at_char(p, ','))
            return expected(p, "',' or ']'");
        p->i++;
        skip_ws(p);
    }
}

static enum key find_key(const char *s, size_t len)
{
    for (int k = 0; k < K_UNKNOWN; k++)
        if (strlen(key_names[k]) == len && memcmp(key_names[k], s, len) == 0)
            return (enum key)k;
    return K_UNKNOWN;
}

/* The value of a known key 'k' into 'rec'. */
static int parse_known(jp *p, enum key k, wl_mooncake_rec *rec)
{
    switch (k) {
    case K_TIMESTAMP:
        rec->timestamp_at = p->i;
        return parse_timestamp(p, &rec->timestamp_ns);
    case K_INPUT:
        return parse_int_value(p, key_names[k], WL_MAX_TOKENS,
                               &rec->input_length);
    case K_OUTPUT:
        return parse_int_value(p, key_names[k], WL_MAX_TOKENS,
                               &rec->output_length);
    case K_HASH:
        rec->hash_at = p->i;
        return parse_hash_ids(p, rec);
    case K_UNKNOWN:
        break;
    }
    return skip_value(p, 1);
}

/* One "key": value pair; marks known keys in 'seen'. */
static int parse_member(jp *p, wl_mooncake_rec *rec, bool seen[K_UNKNOWN])
{
    size_t b = 0, e = 0, kpos = p->i;
    enum key k;
    int rc;

    if (!at_char(p, '"'))
        return expected(p, "'\"' to start a key");
    if ((rc = parse_string(p, &b, &e)) != HS_OK)
        return rc;
    k = find_key(p->s + b, e - b);
    if (k != K_UNKNOWN && seen[k])
        return jerr(p, kpos, "duplicate key '%s'", key_names[k]);
    if (k != K_UNKNOWN)
        seen[k] = true;
    skip_ws(p);
    if (!at_char(p, ':'))
        return expected(p, "':'");
    p->i++;
    skip_ws(p);
    return parse_known(p, k, rec);
}

static int parse_object(jp *p, wl_mooncake_rec *rec, bool seen[K_UNKNOWN])
{
    skip_ws(p);
    if (!at_char(p, '{'))
        return expected(p, "'{'");
    p->i++;
    skip_ws(p);
    if (at_char(p, '}')) {
        p->i++;
        return HS_OK;
    }
    for (;;) {
        int rc = parse_member(p, rec, seen);

        if (rc != HS_OK)
            return rc;
        skip_ws(p);
        if (at_char(p, '}')) {
            p->i++;
            return HS_OK;
        }
        if (!at_char(p, ','))
            return expected(p, "',' or '}'");
        p->i++;
        skip_ws(p);
    }
}

/* At most one hash id per started block of the prompt:
 * ceil(input_length / BLOCK_TOKENS), or an error at 'hash_ids'. */
static int check_hash_count(jp *p, const wl_mooncake_rec *rec)
{
    int64_t blocks = rec->input_length / BLOCK_TOKENS +
                     (rec->input_length % BLOCK_TOKENS != 0);

    if ((uint64_t)rec->n_hash <= (uint64_t)blocks)
        return HS_OK;
    return jerr(p, rec->hash_at,
                "key 'hash_ids': %zu ids for an input_length of %" PRId64
                " tokens, expected at most %" PRId64 " (one per %d tokens)",
                rec->n_hash, rec->input_length, blocks, BLOCK_TOKENS);
}

/* Parse line[0..n) (no newline) into '*rec'.  'at' names the file and
 * line; errors carry the 1-based byte column.  Returns HS_OK or HS_EINPUT
 * with one error in 'd'.  O(n). */
static int parse_line(const char *line, size_t n, hs_loc at,
                      wl_mooncake_rec *rec, hs_diag *d)
{
    jp p = {line, n, 0, at, d};
    bool seen[K_UNKNOWN] = {false};
    int rc;

    rec->n_hash = 0;
    if ((rc = parse_object(&p, rec, seen)) != HS_OK)
        return rc;
    skip_ws(&p);
    if (p.i < p.n)
        return expected(&p, "end of line after the object");
    for (int k = 0; k < K_HASH; k++) {
        if (!seen[k]) {
            p.at.col = 1; /* the object */
            return hs_diag_error(d, p.at, "missing key '%s'", key_names[k]);
        }
    }
    return check_hash_count(&p, rec);
}

/* ---- the format --------------------------------------------------------- */

static int mooncake_read(wl_trace *t, void *state, wl_request *out,
                         int64_t *raw, hs_diag *d)
{
    wl_mooncake_rec *rec = state;
    size_t len;
    const char *line = wl_trace_line(t, &len);
    int rc = parse_line(line, len, wl_trace_here(t), rec, d);

    if (rc != HS_OK)
        return rc;
    *raw = rec->timestamp_ns;
    wl_trace_time_at(t, (unsigned)rec->timestamp_at + 1);
    out->prompt_tokens = rec->input_length;
    out->output_tokens = rec->output_length;
    if (rec->n_hash > 0) {
        out->prefix.ids = rec->hash;
        out->prefix.n_ids = rec->n_hash;
        out->prefix.id_tokens = BLOCK_TOKENS;
        out->prefix.tokens = out->prompt_tokens;
    }
    return HS_OK;
}

static void mooncake_close(void *state)
{
    wl_mooncake_rec *rec = state;

    free(rec->hash);
}

const wl_format wl_format_mooncake = {
    .version = WL_FORMAT_VERSION,
    .name = "mooncake",
    .time_col = "key 'timestamp'",
    .sessions = false,
    .size = sizeof(wl_mooncake_rec),
    .open = NULL,
    .read = mooncake_read,
    .close = mooncake_close,
};
