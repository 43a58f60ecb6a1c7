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
 * block of the prompt (ceil(input_length / 512)).  Other keys are
 * skipped; a repeated key is an error.  Read by wl_trace.c.
 *
 * Each line is parsed with jansson (RFC 8259, duplicate keys rejected).
 * jansson does not keep where a value was, so the byte columns of
 * errors come from a small scanner over the line (member_at, item_at),
 * which runs on text jansson has already accepted: it finds a key of
 * the line's object byte for byte (a known key spelled with escapes is
 * found by jansson but not by the scanner, and is then located at the
 * object).  A jansson syntax error is located at the start of the token
 * it names ("near '...'").  The timestamp is read from its text, as a
 * decimal, so fractional milliseconds convert to ns exactly.
 */
#include "workload_int.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_TOKENS 512 /* tokens named by one hash id */
#define NO_POS ((size_t)-1)

/* The reader's state: the hash-id buffer, grown with hs_grow() and
 * reused across lines. */
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

/* One line being read. */
typedef struct jp {
    const char *s;
    size_t n;
    size_t obj; /* byte of the object's '{' */
    hs_loc at;
    hs_diag *d;
} jp;

enum key { K_TIMESTAMP, K_INPUT, K_OUTPUT, K_HASH, K_N };

static const char *const key_names[] = {"timestamp", "input_length",
                                        "output_length", "hash_ids"};

/* Report an error at byte 'pos' of the line. */
static int jerr(const jp *p, size_t pos, const char *fmt, ...) HS_PRINTF(3, 4);
static int jerr(const jp *p, size_t pos, const char *fmt, ...)
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

/* ---- locating values in accepted text ----------------------------------- */

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The byte after the string whose opening quote is at s[i]. */
static size_t skip_string(const jp *p, size_t i)
{
    for (i++; i < p->n && p->s[i] != '"'; i++)
        if (p->s[i] == '\\')
            i++;
    return i + 1;
}

/* The byte after the value starting at s[i] (scalars end at a
 * delimiter, containers at their closing bracket). */
static size_t skip_value(const jp *p, size_t i)
{
    int depth = 0;

    if (i < p->n && p->s[i] == '"')
        return skip_string(p, i);
    for (; i < p->n; i++) {
        char c = p->s[i];

        if (c == '"') {
            i = skip_string(p, i) - 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;
            if (--depth == 0)
                return i + 1;
        } else if (depth == 0 && (c == ',' || is_ws(c))) {
            return i;
        }
    }
    return i;
}

static size_t skip_ws(const jp *p, size_t i)
{
    while (i < p->n && is_ws(p->s[i]))
        i++;
    return i;
}

/* The byte where the value of the object's member 'key' starts, or
 * NO_POS: members are walked key, ':', value, ',' at depth 1. */
static size_t member_at(const jp *p, const char *key)
{
    size_t klen = strlen(key);
    size_t i = skip_ws(p, p->obj + 1);

    while (i < p->n && p->s[i] == '"') {
        size_t end = skip_string(p, i);
        bool match =
            end - i - 2 == klen && memcmp(p->s + i + 1, key, klen) == 0;

        i = skip_ws(p, end);
        i = skip_ws(p, i + 1); /* past ':' */
        if (match)
            return i;
        i = skip_ws(p, skip_value(p, i));
        if (i >= p->n || p->s[i] != ',')
            break;
        i = skip_ws(p, i + 1);
    }
    return NO_POS;
}

/* The byte where item 'k' of the array whose '[' is at s[a] starts. */
static size_t item_at(const jp *p, size_t a, size_t k)
{
    size_t i = skip_ws(p, a + 1);

    for (size_t j = 0; j < k && i < p->n; j++)
        i = skip_ws(p, skip_ws(p, skip_value(p, i)) + 1);
    return i;
}

/* The length of the scalar at s[i]. */
static int scalar_len(const jp *p, size_t i)
{
    return (int)(skip_value(p, i) - i);
}

/* ---- syntax errors ------------------------------------------------------- */

/* The token jansson's message names ("... near 'TOKEN'"), or NULL with
 * '*len' 0 (end of file, or a token too long to be quoted). */
static const char *near_token(const json_error_t *err, size_t *len)
{
    const char *near = strstr(err->text, " near '");
    size_t n;

    *len = 0;
    if (near == NULL)
        return NULL;
    near += 7;
    n = strlen(near);
    if (n == 0 || near[n - 1] != '\'')
        return NULL;
    *len = n - 1;
    return near;
}

/* Report jansson's error: at the start of the token it names, in this
 * reader's words for a duplicate key and for text after the object. */
static int syntax_error(const jp *p, const json_error_t *err)
{
    size_t tlen;
    const char *tok = near_token(err, &tlen);
    size_t pos = (size_t)err->position;
    char buf[16];

    if (tok != NULL && tlen <= pos)
        pos -= tlen;
    switch (json_error_code(err)) {
    case json_error_duplicate_key:
        if (tok != NULL && tlen >= 2 && tok[0] == '"')
            return jerr(p, pos, "duplicate key '%.*s'", (int)tlen - 2,
                        tok + 1);
        break;
    case json_error_end_of_input_expected:
        return jerr(p, pos, "expected end of line after the object, found %s",
                    found(p, pos, buf, sizeof buf));
    default:
        break;
    }
    return jerr(p, pos, "malformed JSON: %s", err->text);
}

/* ---- the known keys ------------------------------------------------------ */

/* A non-negative integer value for key 'k' (at most 'max'), whose text
 * starts at s[b]. */
static int int_value(const jp *p, const json_t *v, size_t b, const char *k,
                     int64_t max, int64_t *out)
{
    char buf[16];

    if (json_is_integer(v) && json_integer_value(v) >= 0 && p->s[b] != '-') {
        if (json_integer_value(v) > max)
            return jerr(p, b, "key '%s': value too large, found '%.*s'", k,
                        scalar_len(p, b), p->s + b);
        *out = json_integer_value(v);
        return HS_OK;
    }
    if (json_is_number(v))
        return jerr(p, b,
                    "key '%s': expected a non-negative integer, found "
                    "'%.*s'",
                    k, scalar_len(p, b), p->s + b);
    return jerr(p, b, "key '%s': expected a non-negative integer, found %s", k,
                found(p, b, buf, sizeof buf));
}

/* 'timestamp': a non-negative number of milliseconds, kept in ns, read
 * from its text at s[b]. */
static int timestamp_value(const jp *p, const json_t *v, size_t b, int64_t *ns)
{
    char buf[16];
    int len = scalar_len(p, b);

    if (!json_is_number(v))
        return jerr(p, b,
                    "key 'timestamp': expected a non-negative number of ms, "
                    "found %s",
                    found(p, b, buf, sizeof buf));
    if (wl_parse_decimal(p->s + b, (size_t)len, 6, ns) != HS_OK)
        return jerr(p, b,
                    "key 'timestamp': expected a non-negative number of ms, "
                    "found '%.*s'",
                    len, p->s + b);
    return HS_OK;
}

/* 'hash_ids': an array of integers in [0, 2^32), at s[b]. */
static int hash_value(const jp *p, const json_t *v, size_t b,
                      wl_mooncake_rec *rec)
{
    size_t n = json_array_size(v);
    char buf[16];

    rec->n_hash = 0;
    if (!json_is_array(v))
        return jerr(p, b, "expected '[' to start 'hash_ids', found %s",
                    found(p, b, buf, sizeof buf));
    if (n > rec->hash_cap)
        hs_grow((void **)&rec->hash, &rec->hash_cap, n, sizeof(uint32_t));
    for (size_t i = 0; i < n; i++) {
        const json_t *x = json_array_get(v, i);
        int64_t u = 0;

        if (json_is_integer(x) && json_integer_value(x) >= 0 &&
            json_integer_value(x) <= UINT32_MAX) {
            rec->hash[i] = (uint32_t)json_integer_value(x);
            continue;
        }
        if (int_value(p, x, item_at(p, b, i), "hash_ids", UINT32_MAX, &u) !=
            HS_OK)
            return HS_EINPUT;
        rec->hash[i] = (uint32_t)u;
    }
    rec->n_hash = n;
    return HS_OK;
}

/* The value of known key 'k' (present in the object), at s[b]. */
static int known_value(const jp *p, enum key k, const json_t *v, size_t b,
                       wl_mooncake_rec *rec)
{
    switch (k) {
    case K_TIMESTAMP:
        rec->timestamp_at = b;
        return timestamp_value(p, v, b, &rec->timestamp_ns);
    case K_INPUT:
        return int_value(p, v, b, key_names[k], WL_MAX_TOKENS,
                         &rec->input_length);
    case K_OUTPUT:
        return int_value(p, v, b, key_names[k], WL_MAX_TOKENS,
                         &rec->output_length);
    case K_HASH:
        rec->hash_at = b;
        return hash_value(p, v, b, rec);
    case K_N:
        break;
    }
    return HS_OK;
}

/* At most one hash id per started block of the prompt:
 * ceil(input_length / BLOCK_TOKENS), or an error at 'hash_ids'. */
static int check_hash_count(const jp *p, const wl_mooncake_rec *rec)
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

/* Read the known keys of object 'o': the first bad value in the order
 * of the line (so the error is the leftmost), then a missing key. */
static int read_object(jp *p, const json_t *o, wl_mooncake_rec *rec)
{
    size_t at[K_N];
    bool done[K_N] = {false};

    for (int k = 0; k < K_N; k++) {
        at[k] = json_object_get(o, key_names[k]) != NULL
                    ? member_at(p, key_names[k])
                    : NO_POS;
        if (at[k] == NO_POS && json_object_get(o, key_names[k]) != NULL)
            at[k] = p->obj; /* spelled with escapes */
    }
    for (int left = K_N; left > 0; left--) {
        int k = -1;

        for (int j = 0; j < K_N; j++)
            if (!done[j] && json_object_get(o, key_names[j]) != NULL &&
                (k < 0 || at[j] < at[k]))
                k = j;
        if (k < 0)
            break;
        done[k] = true;
        if (known_value(p, (enum key)k, json_object_get(o, key_names[k]),
                        at[k], rec) != HS_OK)
            return HS_EINPUT;
    }
    for (int k = 0; k < K_HASH; k++)
        if (!done[k])
            return jerr(p, p->obj, "missing key '%s'", key_names[k]);
    return check_hash_count(p, rec);
}

/* Parse line[0..n) (no newline) into '*rec'.  'at' names the file and
 * line; errors carry the 1-based byte column.  Returns HS_OK or HS_EINPUT
 * with one error in 'd'.  O(n). */
static int parse_line(const char *line, size_t n, hs_loc at,
                      wl_mooncake_rec *rec, hs_diag *d)
{
    jp p = {line, n, 0, at, d};
    json_error_t err;
    json_t *o;
    int rc;
    char buf[16];

    rec->n_hash = 0;
    p.obj = skip_ws(&p, 0);
    if (p.obj >= n || line[p.obj] != '{')
        return jerr(&p, p.obj, "expected '{', found %s",
                    found(&p, p.obj, buf, sizeof buf));
    o = json_loadb(line, n, JSON_REJECT_DUPLICATES, &err);
    if (o == NULL)
        return syntax_error(&p, &err);
    rc = read_object(&p, o, rec);
    json_decref(o);
    return rc;
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
