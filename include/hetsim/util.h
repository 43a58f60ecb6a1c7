/*
 * util.h -- the lowest layer of hetsim: status codes, diagnostics with
 * file:line:col locations, checked allocation, simulated time, and the
 * parser for quantities with units ("80GB", "3.35TB/s", "150ns").
 *
 * Library code never prints or exits: expected failures are reported into
 * an hs_diag and returned as a negative HS_* status; bugs abort through
 * HS_ASSERT; running out of memory aborts with a message.
 */
#ifndef HETSIM_UTIL_H
#define HETSIM_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define HS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define HS_NORETURN __attribute__((noreturn))
#else
#define HS_PRINTF(fmt, args)
#define HS_NORETURN
#endif

/* X(name, value, text): the one place where status codes are defined. */
#define HS_STATUS(X)                                                          \
    X(HS_OK, 0, "success")                                                    \
    X(HS_ENOMEM, -1, "out of memory")                                         \
    X(HS_EIO, -2, "input/output error")                                       \
    X(HS_EINPUT, -3, "invalid input")                                         \
    X(HS_ERANGE, -4, "value out of range")                                    \
    X(HS_ERUNTIME, -5, "runtime failure")                                     \
    X(HS_EINTR, -6, "interrupted")                                            \
    X(HS_EUNIT, -7, "unknown unit")

enum hs_status {
#define X(name, value, text) name = (value),
    HS_STATUS(X)
#undef X
};

/* ---- assertions -------------------------------------------------------- */

HS_NORETURN void hs_assert_fail(const char *expr, const char *file, int line,
                                const char *func);

#define HS_ASSERT(expr)                                                       \
    ((expr) ? (void)0 : hs_assert_fail(#expr, __FILE__, __LINE__, __func__))
#define HS_UNREACHABLE(why) hs_assert_fail((why), __FILE__, __LINE__, __func__)

/* ---- checked allocation: abort with a message on out of memory -------- */

void *hs_malloc(size_t n);
void *hs_calloc(size_t count, size_t size);
void *hs_realloc(void *p, size_t n);
char *hs_strdup(const char *s);
char *hs_strndup(const char *s, size_t n);
/* printf into a fresh heap string (caller frees). */
char *hs_asprintf(const char *fmt, ...) HS_PRINTF(1, 2);
char *hs_vasprintf(const char *fmt, va_list ap) HS_PRINTF(1, 0);

/* Grow '*buf' (capacity '*cap' elements of 'elem' bytes) so that it holds
 * at least 'need' elements; capacity at least doubles.  O(1) amortised. */
void hs_grow(void **buf, size_t *cap, size_t need, size_t elem);

/* ---- simulated time ---------------------------------------------------- */

/* Simulated time in integer nanoseconds; 2^63 ns is about 292 years. */
typedef int64_t hs_time;

#define HS_NS_PER_S INT64_C(1000000000)
#define HS_TIME_MAX INT64_MAX

/* Seconds (double) to ns, rounded to nearest; the one conversion point
 * from the cost model's doubles.  Saturates at HS_TIME_MAX. */
hs_time hs_time_from_s(double s);
double hs_time_to_s(hs_time t);

/* ---- diagnostics -------------------------------------------------------
 *
 * A diagnostic is a value, not a string to parse: its severity, an HS_*
 * status code, where it happened, an optional context (which variant of
 * a scenario it belongs to), the key path it is about and the message.
 * The printed form is made from these fields only:
 *
 *   [LOC: ]SEVERITY: [CONTEXT: ][KEY: ]MESSAGE
 *
 * where LOC is "file:line:col", "file:line" or "file" (as much as is
 * known; nothing when the file is unknown) and SEVERITY is "error" or
 * "warning", e.g.
 *   "s.yaml:3:5: error: variant 'mono': cluster.mode: expected one of ..."
 */

/* A location in an input file.  'file' is borrowed; line and col are
 * 1-based, 0 means unknown (then omitted from the message). */
typedef struct hs_loc {
    const char *file;
    unsigned line;
    unsigned col;
} hs_loc;

typedef enum hs_severity { HS_SEV_ERROR, HS_SEV_WARNING } hs_severity;

/* One diagnostic.  In an item returned by a diag every string is the
 * diag's own copy, valid until the diag is cleared or freed; an item
 * passed in may borrow its strings (the diag copies them). */
typedef struct hs_diag_item {
    hs_severity severity;
    int code;            /* an HS_* status: HS_EINPUT, HS_EIO, ... */
    hs_loc loc;          /* loc.file may be NULL: no location */
    const char *context; /* "variant 'mono'", or NULL */
    const char *key;     /* key path "cluster.decode.device", or NULL */
    const char *message; /* the text after the key, never NULL */
} hs_diag_item;

/* A list of diagnostics in the order they were added.  Loaders append
 * and keep going, so one pass reports every problem.
 *
 * Invariants (hs_diag_check):
 *   D1  every item's message is non-NULL;
 *   D2  every item's printed form (hs_diag_message) is made from its
 *       fields as described above;
 *   D3  no two consecutive items are equal (hs_diag_item_eq). */
typedef struct hs_diag hs_diag;

hs_diag *hs_diag_new(void);
void hs_diag_free(hs_diag *d); /* NULL is a no-op */

/* Append one error (code HS_EINPUT, no context, no key) at 'at' and
 * return HS_EINPUT, so that call sites can write
 * 'return hs_diag_error(d, at, ...)'.  'd' may be NULL (the error is then
 * only returned).  An item equal to the last one is not added again. */
int hs_diag_error(hs_diag *d, hs_loc at, const char *fmt, ...) HS_PRINTF(3, 4);
int hs_diag_verror(hs_diag *d, hs_loc at, const char *fmt, va_list ap)
    HS_PRINTF(3, 0);
/* The same about key path 'key' (NULL: none). */
int hs_diag_key_error(hs_diag *d, hs_loc at, const char *key, const char *fmt,
                      ...) HS_PRINTF(4, 5);
/* Append a copy of 'item' (unless it equals the last item); returns
 * item->code.  'd' may be NULL. */
int hs_diag_add(hs_diag *d, const hs_diag_item *item);
/* Append a copy of 'item' with its context replaced by 'context' (NULL:
 * none), e.g. to tag another load's problems with "variant 'NAME'".
 * Returns item->code. */
int hs_diag_add_context(hs_diag *d, const hs_diag_item *item,
                        const char *context);

size_t hs_diag_count(const hs_diag *d); /* 0 for NULL */
/* Of them, the errors (warnings not counted); 0 for NULL. */
size_t hs_diag_errors(const hs_diag *d);
/* The i-th item (0-based, i < count); borrowed until the diag is cleared
 * or freed. */
const hs_diag_item *hs_diag_item_at(const hs_diag *d, size_t i);
/* The printed form of the i-th item (0-based, i < count), without a
 * newline; borrowed like the item. */
const char *hs_diag_message(const hs_diag *d, size_t i);
/* True when every field of 'a' equals that of 'b' (strings by content,
 * NULL equal only to NULL). */
bool hs_diag_item_eq(const hs_diag_item *a, const hs_diag_item *b);
/* True when 'd' holds an item equal to 'item'.  O(count). */
bool hs_diag_contains(const hs_diag *d, const hs_diag_item *item);
/* Drop every item. */
void hs_diag_clear(hs_diag *d);
/* Check D1-D3 (O(count), for tests); false with the reason in 'why'. */
bool hs_diag_check(const hs_diag *d, const char **why);

/* ---- quantities with units ----------------------------------------------
 *
 * Every quantity is parsed into SI base units held in a double:
 *   HS_UNIT_BYTES      bytes         B KB MB GB TB PB, KiB MiB GiB TiB PiB
 *   HS_UNIT_BANDWIDTH  bytes/second  B/s KB/s ... TB/s, KiB/s ... TiB/s,
 *                                    bits: b/s Kb/s Mb/s Gb/s Tb/s (also
 *                                    the spelling Gbps)
 *   HS_UNIT_TIME       seconds       ns us ms s min h
 *   HS_UNIT_FLOPS      FLOP/second   FLOP/s GFLOP/s TFLOP/s PFLOP/s
 *   HS_UNIT_POWER      watts         mW W kW MW
 *   HS_UNIT_ENERGY     joules        fJ pJ nJ uJ mJ J kJ
 *   HS_UNIT_RATE       per second    N/s N/min N/h
 * A bare number, an unknown suffix, a negative or non-finite value is an
 * error.  Whitespace between number and unit is allowed ("80 GB").
 */
typedef enum hs_unit_kind {
    HS_UNIT_BYTES,
    HS_UNIT_BANDWIDTH,
    HS_UNIT_TIME,
    HS_UNIT_FLOPS,
    HS_UNIT_POWER,
    HS_UNIT_ENERGY,
    HS_UNIT_RATE
} hs_unit_kind;

/* Parse 'text' as a quantity of 'kind'.  On success store the value in
 * SI units in '*out' and return HS_OK.  On failure return HS_EUNIT (a
 * number followed by a unit this kind does not know) or HS_EINPUT
 * (anything else), and write a short reason ("unknown unit 'GQ'") to
 * 'why' (may be NULL), for people: callers decide on the status. */
int hs_parse_quantity(const char *text, hs_unit_kind kind, double *out,
                      char *why, size_t whylen);

/* Human name of a kind and an example, for "expected ..." messages:
 * ("bandwidth", "3.35TB/s"). */
const char *hs_unit_kind_name(hs_unit_kind kind);
const char *hs_unit_kind_example(hs_unit_kind kind);

/* Parse a plain decimal number (no unit) into '*out'; the whole string
 * must be consumed.  Returns HS_OK or HS_EINPUT. */
int hs_parse_double(const char *text, double *out);
/* Parse a plain integer in [min, max]; returns HS_OK, HS_EINPUT (not an
 * integer) or HS_ERANGE. */
int hs_parse_int64(const char *text, int64_t min, int64_t max, int64_t *out);

/* ---- hashing and the hash table ------------------------------------------
 *
 * One hash function for the whole tree: splitmix64 (Steele, Lea and Flood
 * 2014), a bijective 64-bit mixer, so distinct keys never collide before
 * the table's mask is applied.  It also derives seeds: a stream's seed is
 * hs_mix64 applied to each of its parts in turn.
 */

/* splitmix64: add the golden-ratio increment, then mix.  Pure, O(1). */
static inline uint64_t hs_mix64(uint64_t x)
{
    uint64_t z = x + UINT64_C(0x9e3779b97f4a7c15);

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Hash of the NUL-terminated 's': hs_mix64 folded over its bytes, eight
 * at a time.  O(length). */
uint64_t hs_hash_str(const char *s);

/* An open-addressing hash table from 64-bit keys to 64-bit values (an
 * index into the owner's array, a count): linear probing, backward-shift
 * deletion (no tombstones), doubling at half load, so every operation is
 * O(1) expected.  The key HS_TABLE_NOKEY is reserved.  Iteration order
 * follows the hash, so callers that emit in table order sort first.
 *
 * Invariants (hs_table_check):
 *   T1  every stored key is found by probing from its home bucket without
 *       meeting an empty bucket;
 *   T2  n == number of non-empty buckets, and 2 * n <= cap. */
#define HS_TABLE_NOKEY UINT64_MAX

typedef struct hs_table {
    uint64_t *keys; /* HS_TABLE_NOKEY = empty bucket */
    uint64_t *vals;
    size_t cap; /* 0 or a power of two */
    size_t n;
} hs_table;

/* A zeroed hs_table is a valid empty table; init only zeroes. */
void hs_table_init(hs_table *t);
void hs_table_fini(hs_table *t);
/* The value of 'key' into '*val' (may be NULL); false when absent. */
bool hs_table_get(const hs_table *t, uint64_t key, uint64_t *val);
/* Set 'key' to 'val', adding it when absent. */
void hs_table_put(hs_table *t, uint64_t key, uint64_t val);
/* Remove 'key'; false when it was absent. */
bool hs_table_del(hs_table *t, uint64_t key);
/* Iterate: start with *pos = 0; each call stores the next entry and
 * returns true, false at the end.  The table must not change meanwhile. */
bool hs_table_next(const hs_table *t, size_t *pos, uint64_t *key,
                   uint64_t *val);
/* Check T1-T2 (O(cap), for tests); false with the reason in 'why'. */
bool hs_table_check(const hs_table *t, const char **why);

#endif /* HETSIM_UTIL_H */
