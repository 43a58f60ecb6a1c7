/*
 * workload_int.h -- private interface between the files of sim/workload:
 * the trace formats and their reader, the length distributions, the
 * machinery shared by the closed-loop session sources (heap and session
 * table), and the vtable of the source kinds that wl_source.c puts
 * behind the public wl_source API.  Tests may include it (-Isim); other
 * modules may not.
 */
#ifndef HETSIM_WORKLOAD_INT_H
#define HETSIM_WORKLOAD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "hetsim/util.h"
#include "hetsim/workload.h"

/* Stream numbers within one source, for wl_stream_seed(). */
enum wl_stream {
    WL_STREAM_ARRIVAL = 0,
    WL_STREAM_PROMPT = 1,
    WL_STREAM_OUTPUT = 2,
    WL_STREAM_SESSION = 3 /* agent sources: base of the per-session draws */
};

/* Seed of stream 'stream' of source 'source_index' under scenario seed
 * 'seed': splitmix64 applied to each part in turn, so nearby inputs give
 * unrelated seeds.  Pure. */
uint64_t wl_stream_seed(uint64_t seed, int32_t source_index, uint32_t stream);

/* A new mt19937 generator seeded with wl_stream_seed(...).  Aborts on out
 * of memory. */
gsl_rng *wl_rng_new(uint64_t seed, int32_t source_index, uint32_t stream);

/* ---- number parsing shared by the trace readers ------------------------ */

/* Parse s[0..n) as a non-negative decimal integer (digits only, at most
 * 'max').  Returns HS_OK or HS_EINPUT. */
int wl_parse_uint(const char *s, size_t n, int64_t max, int64_t *out);

/* Parse s[0..n) as a non-negative decimal number, optionally with an
 * exponent, and scale it by 10^digits into an integer, rounded to nearest
 * (digits = 9 turns seconds into ns, 6 turns ms into ns).  Plain decimals
 * are converted exactly; exponent forms go through strtod.  Returns HS_OK
 * or HS_EINPUT (malformed, negative, or above INT64_MAX). */
int wl_parse_decimal(const char *s, size_t n, int digits, int64_t *out);

/* ---- trace formats (wl_fmt_<name>.c, registry in wl_formats.c) ---------
 *
 * A trace format is a const vtable, one per file, listed in
 * include/hetsim/wl_formats.def.  The reader (wl_trace.c) owns the file,
 * the line buffer and the arrival times; the format reads the header when
 * the trace is opened and turns each record line into a request and the
 * record's raw time.  Formats see the line through the wl_trace_*
 * accessors below and report errors located at the current line with
 * wl_trace_here().
 */
#define WL_FORMAT_VERSION 1 /* bump when a member is added to wl_format */
#define WL_MAX_COLS 8       /* more columns than any CSV format has */
#define WL_SHOW 64          /* at most this many bytes of a bad value shown */
#define WL_MAX_TOKENS (INT64_MAX / 4) /* so prefix + input cannot overflow */
/* The longest trace line read, in bytes before its newline: 16 MiB (a
 * longer line is an error at its first byte over).  Docs: traces.md. */
#define WL_MAX_LINE ((size_t)16 << 20)
#define WL_MAX_LINE_TEXT "16 MiB"
/* The longest time a hetsim or sessions trace may span (an arrival after
 * the first record's) or wait (a tool wait): 10 years of 365 days, in
 * ns.  Beyond it a time is an input error, not centuries of idle run. */
#define WL_MAX_TRACE_NS (INT64_C(3650) * 86400 * 1000000000)

typedef struct wl_trace wl_trace;

typedef struct wl_format {
    int version;          /* WL_FORMAT_VERSION */
    const char *name;     /* in scenarios and messages: "azure" */
    const char *time_col; /* the record's time, named when time goes
                             backwards: "column 'TIMESTAMP'" */
    bool sessions;        /* rows are calls of closed-loop sessions: a
                             trace source replays them (wl_replay.c) */
    size_t size;          /* bytes of per-reader state, zeroed at open;
                             0 for none (the functions get NULL) */
    /* Read and check the header (wl_trace_header) and set the CSV column
     * count (wl_trace_set_cols).  HS_OK, or a negative status with every
     * problem of the header in 'd'.  NULL: the format has no header. */
    int (*open)(wl_trace *t, void *state, hs_diag *d);
    /* Parse the current line (not empty) into '*out', which comes zeroed
     * with session_id -1, and the record's time in ns from the file's own
     * origin into '*raw' (the reader makes the arrival).  HS_OK or a
     * negative status with one error in 'd'.  Must not allocate once the
     * state's buffers have grown. */
    int (*read)(wl_trace *t, void *state, wl_request *out, int64_t *raw,
                hs_diag *d);
    /* Free what 'state' owns (not 'state').  NULL: nothing to free. */
    void (*close)(void *state);
} wl_format;

#define WL_FORMAT(ID, name) extern const wl_format wl_format_##name;
#include "hetsim/wl_formats.def"
#undef WL_FORMAT

/* The vtable of 'format', or NULL for a value outside the enum. */
const wl_format *wl_format_of(wl_trace_format format);
/* The format names for messages, "azure, mooncake, hetsim or sessions",
 * into buf[0..len) (truncated if short); returns 'buf'. */
const char *wl_format_list(char *buf, size_t len);
/* Check the trace part of 'spec' (path, format, time_scale,
 * max_requests), reporting every problem at spec->loc.  The format's
 * vtable, or NULL with errors in 'd'. */
const wl_format *wl_trace_check(const wl_source_spec *spec, hs_diag *d);

/* ---- trace reader (wl_trace.c) ------------------------------------------ */

/* Open the trace 'spec' in format 'f' and read its header (f->open).
 * 'spec' is borrowed for the call.  NULL with errors in 'd' on failure
 * ("path: error: cannot open: ..." or the header's problems). */
wl_trace *wl_trace_open(const wl_format *f, const wl_trace_spec *spec,
                        hs_diag *d);
/* Next record: arrival (relative to the first record, scaled), lengths,
 * session fields and prefix ids as the format fills them; 'id' and
 * 'source' are 0.  Returns 1, 0 at the end (or after max_requests) or a
 * negative HS_* status.  Sticky: after a failure, returns the same status
 * with no new text.  O(length of the line). */
int wl_trace_read(wl_trace *t, wl_request *out, hs_diag *d);
void wl_trace_close(wl_trace *t); /* NULL is a no-op */
/* File and line of the record wl_trace_read() returned last (column 0);
 * borrowed from the reader.  For errors found after parsing. */
hs_loc wl_trace_loc(const wl_trace *t);

/* For formats: the 1-based column where the current record's time starts,
 * so that "time goes backwards" points at it (0: unknown, the line only).
 * Reset before each record is parsed. */
void wl_trace_time_at(wl_trace *t, unsigned col);
/* For formats: the current line and where it is (file, line, column 0;
 * the path is borrowed from the reader). */
hs_loc wl_trace_here(const wl_trace *t);
/* The current line without its newline, NUL-terminated; its length in
 * '*len'.  Valid until the next read. */
const char *wl_trace_line(const wl_trace *t, size_t *len);
/* Read line 1 into the buffer (dropping a UTF-8 BOM).  HS_OK, or an error
 * "missing header: expected 'want'" for an empty file, or HS_EIO. */
int wl_trace_header(wl_trace *t, const char *want, hs_diag *d);
/* Report "expected header 'want', found '<line>'" at column 1 (with a
 * hint when the line is JSON); returns HS_EINPUT. */
int wl_trace_bad_header(const wl_trace *t, const char *want, hs_diag *d);
/* Split the current line in place at commas; the number of fields (which
 * may exceed WL_MAX_COLS: only the first WL_MAX_COLS are kept). */
size_t wl_trace_split(wl_trace *t);
/* Where field i (< WL_MAX_COLS) of the last split starts: file, line
 * and its 1-based column (byte) in the line, for errors about it. */
hs_loc wl_trace_field_at(const wl_trace *t, size_t i);
/* Field i (< WL_MAX_COLS) of the last split, its length in '*len'. */
const char *wl_trace_field(const wl_trace *t, size_t i, size_t *len);
/* The number of columns every row has (set by the header, <=
 * WL_MAX_COLS), and its getter. */
void wl_trace_set_cols(wl_trace *t, size_t n_cols);
size_t wl_trace_cols(const wl_trace *t);
/* Split a record line and check it has the header's column count
 * ("expected 3 columns, found 2", at the first column too many or at
 * the end of a short line).  HS_OK or HS_EINPUT. */
int wl_trace_split_row(wl_trace *t, hs_diag *d);
/* Report "column 'col': expected <expect>, found '<field i>'" at the
 * field's column (wl_trace_field_at); returns HS_EINPUT. */
/* The first arrival of a trace, for wl_trace_span(). */
typedef struct wl_span {
    bool has_first;
    int64_t first; /* ns */
} wl_span;
/* HS_OK when arrival 'ns' (field 'i', column 'col') is at most
 * WL_MAX_TRACE_NS after the first one seen through 'sp' (the first is
 * recorded); else a located error that says 'limit' (the 10 years in
 * the column's own unit). */
int wl_trace_span(const wl_trace *t, wl_span *sp, int64_t ns, size_t i,
                  const char *col, const char *limit, hs_diag *d);
int wl_trace_bad_field(const wl_trace *t, size_t i, const char *col,
                       const char *expect, hs_diag *d);
/* Field i as an integer in [0, max] (wl_parse_uint), or an error. */
int wl_trace_uint(const wl_trace *t, size_t i, const char *col, int64_t max,
                  int64_t *out, hs_diag *d);
/* Field i as a decimal scaled by 10^digits (wl_parse_decimal), or the
 * error "expected <expect>". */
int wl_trace_decimal(const wl_trace *t, size_t i, const char *col, int digits,
                     const char *expect, int64_t *out, hs_diag *d);

/* ---- distributions: the one engine (wl_dist.c) -------------------------
 *
 * A distribution of token counts or times, prepared once from a
 * synthetic source's wl_dist_spec or a preset's wl_preset_dist, then
 * sampled by inverse transform: a draw is a pure function of one uniform
 * u in (0, 1).  The caller supplies u: synthetic sources from their GSL
 * stream (gsl_rng_uniform_pos, one u per draw), agent sessions from a
 * counter-based hash keyed by (seed, source, session, call, quantity),
 * which keeps a session's draws independent of the order its calls
 * finish in.  Rounding and clamping: wl_dist.c.
 */
typedef struct wl_dist {
    wl_dist_kind kind;
    bool is_time;       /* seconds (continuous) rather than tokens */
    int64_t lo, hi;     /* tokens: clamp bounds, 1 <= lo <= hi */
    double tmin, tmax;  /* times: clamp bounds (s); tmax 0 = none */
    double value;       /* fixed */
    double span;        /* uniform: hi - lo + 1 tokens, tmax - tmin s */
    double mu, sigma;   /* lognormal: of the underlying normal */
    int64_t *table;     /* empirical: the column's values (owned) */
    size_t n_table;
} wl_dist;

/* Check 'spec' and prepare '*dist' (tokens); 'is_prompt' names it
 * ("prompt" or "output") in errors, which are reported at spec->loc, or
 * at 'fallback' when that has no file.  Empirical distributions read
 * their trace here, O(rows).  Returns HS_OK or a negative status with
 * errors in 'd'; '*dist' needs wl_dist_fini() either way. */
int wl_dist_init(wl_dist *dist, const wl_dist_spec *spec, bool is_prompt,
                 hs_loc fallback, hs_diag *d);
/* What is wrong with a preset distribution of tokens or times (static
 * text such as "uniform needs 'max' > 0 and >= 'min'"), or NULL. */
const char *wl_dist_preset_problem(const wl_preset_dist *pd, bool is_time);
/* Prepare '*dist' from a preset distribution without problems (asserted);
 * nothing to free. */
void wl_dist_preset(wl_dist *dist, const wl_preset_dist *pd, bool is_time);
/* The draw at 'u' in (0, 1): a token count, rounded and clamped to
 * [lo, hi]; or a time (ns) clamped to [tmin, tmax].  Pure, O(1). */
int64_t wl_dist_tokens(const wl_dist *dist, double u);
hs_time wl_dist_time(const wl_dist *dist, double u);
void wl_dist_fini(wl_dist *dist); /* NULL is a no-op */

/* ---- closed-loop sessions: the shared machinery (wl_loop.c) ------------
 *
 * The calls that are due later ("pending": a session whose previous call
 * finished, waiting out its gap) sit in a binary min-heap ordered by
 * (arrival, session_id); the active sessions are found by id through the
 * tree's hash table (hs_table, util.h: session id -> slot).  Each active
 * session owns a slot, a small integer that indexes the owner's
 * per-session arrays; slots of ended sessions are reused, so the arrays
 * grow to the peak number of active sessions and no further.
 *
 * Invariants (wl_loop_check):
 *   I1  heap order: no entry comes before its parent
 *   I2  every heap entry's session is active and owns the entry's slot
 *   I3  the table holds exactly the active sessions, each with its own
 *       slot < n_slots, none of them free; n_slots = active + free
 *   I4  the table's own invariants hold (hs_table_check: T1-T2)
 */
#define WL_NO_SLOT UINT32_MAX

typedef struct wl_due {
    hs_time arrival;
    int64_t session_id;
    uint32_t slot;
} wl_due;

typedef struct wl_loop {
    wl_due *heap;
    size_t n_heap, cap_heap;
    hs_table active; /* session id (as uint64_t) -> slot */
    uint32_t *free_slots;
    size_t n_free, cap_free;
    uint32_t n_slots; /* slots handed out so far (per-slot array size) */
} wl_loop;

/* True if (ta, ia) comes before (tb, ib). */
bool wl_due_before(hs_time ta, int64_t ia, hs_time tb, int64_t ib);

void wl_loop_init(wl_loop *l);
void wl_loop_fini(wl_loop *l);
/* Make session 'id' (>= 0) active; its slot, or WL_NO_SLOT when 'id' is
 * active already.  The owner grows its per-slot arrays to l->n_slots.
 * O(1) expected. */
uint32_t wl_loop_add(wl_loop *l, int64_t id);
/* The slot of active session 'id', or WL_NO_SLOT.  O(1) expected. */
uint32_t wl_loop_find(const wl_loop *l, int64_t id);
/* End active session 'id' (it must not be in the heap). */
void wl_loop_remove(wl_loop *l, int64_t id);
/* Make a call of session 'id' (slot 'slot') due at 'arrival'. */
void wl_loop_push(wl_loop *l, hs_time arrival, int64_t id, uint32_t slot);
/* The earliest due call, or NULL. */
const wl_due *wl_loop_top(const wl_loop *l);
/* Remove and return the earliest due call (the heap is not empty). */
wl_due wl_loop_pop(wl_loop *l);
/* Check I1-I4; false (with the reason in 'why', may be NULL) if broken.
 * O(heap + table + slots).  For tests. */
bool wl_loop_check(const wl_loop *l, const char **why);

/* ---- source kinds (wl_source.c puts them behind wl_source) -------------
 *
 * Each kind of source is a struct whose first member is 'wl_source base'
 * and a const wl_source_ops vtable: wl_stream.c (a trace read open-loop,
 * each record one request), wl_replay.c (a session trace replayed
 * closed-loop), wl_synth.c (synthetic arrivals and lengths), wl_agent.c
 * (agent sessions from a preset).  wl_source.c picks the kind from the
 * spec (a trace's format says whether it holds sessions), allocates
 * ops->size zeroed bytes, and does what all kinds share: numbering and
 * tagging requests, a one-request look-ahead for kinds without peek(),
 * sticky failures, and the prefix key of session requests (wl_prefix.c).
 *
 * The common header (wl_source.c owns every field but 'ops'):
 *   I1  has_ahead  =>  'ahead' is the request the next wl_source_next()
 *       returns, id and source not yet assigned; never set when the kind
 *       has its own peek()
 *   I2  status != HS_OK  =>  next/peek return status, adding no text
 */
#define WL_SOURCE_OPS_VERSION 1 /* bump when a member is added */

typedef struct wl_source_ops wl_source_ops;

struct wl_source {
    const wl_source_ops *ops; /* never NULL */
    int32_t index;            /* the source_index given to open */
    int64_t n_out;            /* requests returned by wl_source_next() */
    int status;
    bool has_ahead;
    wl_request ahead;
};

struct wl_source_ops {
    int version;      /* WL_SOURCE_OPS_VERSION */
    const char *kind; /* "trace", "sessions", "synthetic", "agent" */
    size_t size;      /* sizeof the kind's struct (wl_source first) */
    /* Check 'spec' (borrowed for the call) and set up 'self', zeroed but
     * for the header.  HS_OK, or a negative status with every problem in
     * 'd'; fini() is called after a failure too. */
    int (*init)(wl_source *self, const wl_source_spec *spec, uint64_t seed,
                hs_diag *d);
    /* The next request into '*out' (id and source are assigned by the
     * caller): 1, 0 (none now) or a negative status with the error in
     * 'd'.  Called only while the header's status is HS_OK. */
    int (*next)(wl_source *self, wl_request *out, hs_diag *d);
    /* The next request's arrival without consuming it, as next().  NULL:
     * the kind's next request never changes once due, and wl_source.c
     * keeps it as a look-ahead instead. */
    int (*peek)(wl_source *self, hs_time *arrival, hs_diag *d);
    /* True while the kind waits for release()/finished() (see
     * wl_source_blocked).  NULL: never blocks. */
    bool (*blocked)(const wl_source *self);
    /* wl_source_release, wl_source_finished.  NULL: ignored. */
    void (*release)(wl_source *self, hs_time now);
    void (*finished)(wl_source *self, int64_t session_id, hs_time now);
    /* True when the kind is closed-loop (wl_source_closed).  NULL: open
     * loop. */
    bool (*closed)(const wl_source *self);
    /* Free what the kind owns (not 'self').  NULL: nothing. */
    void (*fini)(wl_source *self);
};

/* Give 'r' derived prefix ids when it belongs to a session and has no
 * content ids (key from r->source and r->session_id; the source set
 * prefix.tokens); otherwise leave r->prefix alone.  wl_source.c calls it
 * on every request, once its source is set (wl_prefix.c). */
void wl_prefix_derive(wl_request *r);

extern const wl_source_ops wl_stream_ops; /* wl_stream.c */
extern const wl_source_ops wl_replay_ops; /* wl_replay.c */
extern const wl_source_ops wl_synth_ops;  /* wl_synth.c */
extern const wl_source_ops wl_agent_ops;  /* wl_agent.c */

#endif /* HETSIM_WORKLOAD_INT_H */
