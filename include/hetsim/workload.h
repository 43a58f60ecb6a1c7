/*
 * workload.h -- where requests come from: synthetic generators driven by
 * GSL random streams, streamed readers of real traces, and closed-loop
 * agent sessions (generated from a preset, or replayed from a trace).
 *
 * This first part is plain data: the workload section of a scenario as
 * io/ fills it (one wl_source_spec per entry of 'workload:').  The
 * functions that turn a spec into a stream of requests follow below.
 */
#ifndef HETSIM_WORKLOAD_H
#define HETSIM_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hetsim/util.h"

/* ---- specs (filled by io/, read by workload/) -------------------------- */

typedef enum wl_dist_kind {
    WL_DIST_FIXED,     /* 'value' */
    WL_DIST_UNIFORM,   /* integers in ['min', 'max'] */
    WL_DIST_LOGNORMAL, /* 'mean' and 'cv' (std/mean) of the lognormal */
    WL_DIST_EMPIRICAL  /* resampled from a trace file's column */
} wl_dist_kind;

/* A distribution of token counts.  Results are rounded to integers and
 * clamped to ['min', 'max'] when those are set (max 0 = no upper bound);
 * the result is always >= 1. */
typedef struct wl_dist_spec {
    wl_dist_kind kind;
    double value;
    double min, max;
    double mean, cv;
    char *path;   /* empirical: trace file (owned) */
    char *format; /* empirical: trace format name (owned) */
    hs_loc loc;   /* where the spec was written, for errors */
} wl_dist_spec;

/* ---- rate profiles (docs/scenario.md, "Load that changes") -------------
 *
 * A factor f(t) >= 0 scaling a source's rate over simulated time t (s):
 *   diurnal  f = m + A cos(2 pi (t - phase) / period), m = (peak +
 *            trough) / 2, A = (peak - trough) / 2: 'peak' at 'phase',
 *            'trough' half a period later;
 *   points   piecewise linear through (t_i, f_i), t_i increasing, f_0
 *            before t_0, the last factor (> 0) held after t_n.
 * A source with a profile draws its arrivals as without one, in
 * "operational time" u at the base rate, and each arrives at
 * t = L^-1(u), where L(t) is the integral of f from 0 to t: for a Poisson
 * process exactly the non-homogeneous Poisson process of intensity
 * rate * f(t) (the time-change theorem; the same law as thinning, one
 * draw per arrival); gamma and constant gaps, trace times and agent
 * session starts follow the same factor.  Plain data. */
#define WL_PROFILE_MAX_POINTS 256

typedef enum wl_profile_kind {
    WL_PROFILE_NONE, /* f = 1 (no warp; arrivals bit for bit as before) */
    WL_PROFILE_DIURNAL,
    WL_PROFILE_POINTS
} wl_profile_kind;

typedef struct wl_profile_spec {
    wl_profile_kind kind;
    double period_s, peak, trough, phase_s; /* diurnal */
    size_t n_points;                        /* points: 1..MAX_POINTS */
    double t_s[WL_PROFILE_MAX_POINTS];
    double factor[WL_PROFILE_MAX_POINTS];
} wl_profile_spec;

/* f(t), L(t) = integral of f over [0, t], and L^-1(u): the least t >= 0
 * with L(t) >= u (u >= 0).  A spec io/ accepted: diurnal with period >
 * 0 and peak >= trough >= 0, peak > 0; points as above. */
double wl_profile_factor(const wl_profile_spec *p, double t);
double wl_profile_integral(const wl_profile_spec *p, double t);
double wl_profile_time(const wl_profile_spec *p, double u);

typedef enum wl_arrival_kind {
    WL_ARRIVAL_POISSON,  /* exponential gaps at 'rate' */
    WL_ARRIVAL_GAMMA,    /* gamma gaps with mean 1/rate and CV 'cv' */
    WL_ARRIVAL_CONSTANT, /* gaps of exactly 1/rate */
    WL_ARRIVAL_CLOSED    /* 'concurrency' requests kept in flight */
} wl_arrival_kind;

typedef struct wl_arrival_spec {
    wl_arrival_kind kind;
    double rate;             /* requests per second (open processes) */
    double cv;               /* gamma only */
    int64_t concurrency;     /* closed only */
    double ramp_s;           /* closed: users start one at a time over it */
    wl_profile_spec profile; /* open processes only */
} wl_arrival_spec;

typedef struct wl_synthetic_spec {
    wl_arrival_spec arrival;
    int64_t requests; /* stop after this many; 0 = no count limit */
    double horizon_s; /* stop arrivals after this time; 0 = no limit */
    wl_dist_spec prompt;
    wl_dist_spec output;
} wl_synthetic_spec;

/* The trace formats, one per line of hetsim/wl_formats.def, in its order:
 * WL_TRACE_AZURE (TIMESTAMP,ContextTokens,GeneratedTokens), _MOONCAKE
 * (JSONL timestamp(ms),input_length,output_length,hash_ids), _HETSIM
 * (arrival_s,prompt_tokens,output_tokens[,session_id,turn]), _SESSIONS
 * (agent session CSV, DESIGN.md section 5); each is described below
 * (sources) and read by sim/workload/wl_fmt_<name>.c. */
typedef enum wl_trace_format {
#define WL_FORMAT(ID, name) WL_TRACE_##ID,
#include "hetsim/wl_formats.def"
#undef WL_FORMAT
    WL_TRACE_N_FORMATS /* the number of formats, not a format */
} wl_trace_format;

typedef struct wl_trace_spec {
    wl_trace_format format;
    char *path;              /* owned; relative paths are resolved by io/
                             against the scenario file's directory */
    double time_scale;       /* arrival times are multiplied by this (1.0) */
    int64_t max_requests;    /* 0 = all */
    wl_profile_spec profile; /* arrivals (after time_scale) warped by it */
} wl_trace_spec;

/* ---- agent presets ------------------------------------------------------
 *
 * A preset describes the sessions of one kind of agent (chat, coding, web,
 * computer-use): how many calls a session makes, the tokens of each call,
 * and the gaps between calls.  io/ loads configs/presets/<name>.yaml into
 * a wl_preset (include/hetsim/preset.h; every figure and its source is in
 * docs/presets.md).  Plain data: copy it by assignment; it owns nothing.
 */

/* One distribution of a preset.  Token counts (calls, start_context,
 * appended, output) are rounded to the nearest integer and clamped to
 * [max(1, min), max]; times (tool_latency, think_time) are in seconds,
 * clamped to [min, max] and >= 0, uniform times are continuous.  max 0
 * means no upper bound (lognormal only; uniform needs its max). */
typedef struct wl_preset_dist {
    wl_dist_kind kind; /* WL_DIST_FIXED, WL_DIST_UNIFORM or _LOGNORMAL */
    double value;      /* fixed */
    double min, max;   /* uniform: the range; lognormal: optional clamp */
    double mean, cv;   /* lognormal: mean and std/mean */
} wl_preset_dist;

/* What a session does when its next call's prompt (context + appended)
 * would exceed max_context. */
typedef enum wl_overflow {
    WL_OVERFLOW_END,    /* the session ends there (the call is not made) */
    WL_OVERFLOW_COMPACT /* the context is replaced by a fresh start: the
                           call's prompt is a new start_context draw with
                           nothing cached (prefix 0), as after an agent's
                           context compaction */
} wl_overflow;

typedef struct wl_preset {
    char name[64];
    char description[256];
    wl_preset_dist calls;         /* calls per session (>= 1) */
    wl_preset_dist start_context; /* tokens of the first call's prompt */
    wl_preset_dist appended;      /* tokens appended before each later
                                     call (tool output, user message) */
    wl_preset_dist output;        /* tokens each call produces */
    wl_preset_dist tool_latency;  /* s: gap after a call that used a tool */
    wl_preset_dist think_time;    /* s: gap after a call that returns to
                                     the human */
    double tool_fraction;         /* probability that a gap is a tool
                                     call rather than a human turn */
    int64_t max_context;          /* tokens: no prompt is longer */
    wl_overflow on_max_context;
} wl_preset;

typedef struct wl_agent_spec {
    char *preset;            /* owned: the preset's name (chat, coding, ...) */
    wl_preset params;        /* its content, loaded by io/ with the scenario */
    double session_rate;     /* sessions per second */
    wl_profile_spec profile; /* session starts follow it */
    int64_t sessions;        /* number of sessions; 0 = until horizon */
    double horizon_s;
} wl_agent_spec;

typedef enum wl_source_kind {
    WL_SOURCE_TRACE,
    WL_SOURCE_SYNTHETIC,
    WL_SOURCE_AGENT
} wl_source_kind;

/* What the simulation does with a request of this source whose prompt +
 * output exceed the model's max_context (vLLM's max_model_len bounds the
 * prompt and the tokens to generate together; a request beyond it is
 * rejected).  An agent preset's own max_context and on_max_context
 * (wl_preset) shape its calls first; this applies after, against the
 * model's. */
typedef enum wl_ctx_policy {
    WL_CTX_DROP,    /* dropped at arrival, drop_reason 'max_context' */
    WL_CTX_TRUNCATE /* the prompt's head is cut (left truncation, as vLLM's
                       truncate_prompt_tokens keeps the last tokens) so that
                       prompt + output = max_context; see wl_context_fit */
} wl_ctx_policy;

typedef struct wl_source_spec {
    char *name; /* owned */
    wl_source_kind kind;
    wl_ctx_policy on_max_context; /* 'on_max_context:'; WL_CTX_DROP */
    int64_t warmup;      /* 'warmup:': the source's first requests (by id) that
                       are simulated but left out of every metric */
    wl_trace_spec trace; /* kind == WL_SOURCE_TRACE */
    wl_synthetic_spec synthetic; /* kind == WL_SOURCE_SYNTHETIC */
    wl_agent_spec agent;         /* kind == WL_SOURCE_AGENT */
    hs_loc loc;
} wl_source_spec;

/* Free what a spec owns (not the spec itself).  NULL is a no-op. */
void wl_source_spec_fini(wl_source_spec *s);

/* ---- requests -----------------------------------------------------------
 *
 * One request as a source produces it.  Plain data, filled by
 * wl_source_next(); the consumer copies what it keeps.
 */

/* What a prefix cache may reuse of a request.  The reader that knows the
 * format makes it: Mooncake traces give content ids (their hash_ids);
 * every other request with a session (agent sources, session traces,
 * hetsim traces with a session column) gets derived ids, the same for
 * every call of the session, so a later call finds the blocks of the
 * context an earlier call left.  Plain data. */
typedef struct wl_prefix {
    /* Content ids (Mooncake hash_ids): id of block i is ids[i], each
     * naming 'id_tokens' tokens (512), the last block possibly partial;
     * borrowed (see wl_request.prefix).  NULL when the ids are derived. */
    const uint32_t *ids;
    size_t n_ids;
    int64_t id_tokens;
    /* Derived ids (agent sessions, session traces, hetsim traces with a
     * session column): block i of any granularity is
     * wl_prefix_block_id(p, i); 'key' != 0 identifies the session's
     * context (source and session id). 0 when none.  It is
     * (((uint64_t)(uint32_t)source << 48) ^ ((uint64_t)session_id << 20))
     * | WL_PREFIX_DERIVED: the low bit, always 0 in the first part, keeps
     * the key of session 0 of source 0 from being 0. */
    uint64_t key;
    /* Tokens a cache may serve: the whole prompt for content ids, the
     * session's earlier context otherwise. */
    int64_t tokens;
} wl_prefix;

#define WL_PREFIX_DERIVED UINT64_C(1) /* the tag bit of a derived key */

/* Id of block i (never 0): ids[i] + 1 for content ids, else
 * hs_mix64((key ^ WL_PREFIX_DERIVED) ^ (uint64_t)i) | (UINT64_C(1) << 63),
 * i.e. hs_mix64 of the untagged key ^ i.  'p' has content or derived ids;
 * 0 <= i, and i < n_ids for content ids.  Pure, O(1). */
uint64_t wl_prefix_block_id(const wl_prefix *p, int64_t i);

typedef struct wl_request {
    int64_t id;            /* 0-based sequence number within its source */
    hs_time arrival;       /* ns from the start of the simulation */
    int64_t prompt_tokens; /* >= 0 from traces (as written), >= 1 synth. */
    int64_t output_tokens; /* same */
    int32_t source;        /* the source_index given to wl_source_open() */
    int64_t session_id;    /* -1 when the request belongs to no session */
    int32_t turn;          /* 0-based turn within the session; 0 if none */
    /* Session traces and agent sources only (0 otherwise): the tool or
     * think gap after this call's answer before the session's next call
     * (ns; 0 after the session's last call).  The source itself applies
     * the gap (see wl_source_finished); consumers may read it, e.g. to
     * decide whether to keep the session's KV. */
    hs_time tool_wait;
    /* Session traces and agent sources: true on a session's last call
     * (nothing follows it, so its KV need not be kept).  False otherwise. */
    bool session_last;
    /* What a prefix cache may reuse: content ids when the trace gives
     * them (ids != NULL, id_tokens 512, tokens = prompt_tokens), else
     * derived ids when session_id >= 0 (key != 0; tokens = the part of
     * prompt_tokens that repeats the session's earlier context, possibly
     * 0), else nothing (ids NULL, key 0, tokens 0).  Content ids are
     * borrowed: valid until the next wl_source_next/peek/close on the
     * same source. */
    wl_prefix prefix;
} wl_request;

/* ---- sources ------------------------------------------------------------
 *
 * A source is a pull-based stream of requests with non-decreasing arrival
 * times: a trace read line by line from disk, a synthetic generator, or
 * agent sessions whose calls wait for the previous call to finish.
 * The consumer (serve/) merges several sources by arrival time, using
 * wl_source_peek() to look at each one's next arrival.
 *
 * Traces (wl_trace_spec).  The file is streamed through one reusable line
 * buffer; memory does not grow with its length.  Every trace starts at
 * t = 0: arrival = (time of the record - time of the first record) *
 * time_scale, rounded to the nearest ns (exact when time_scale is 1).
 * Lines end in LF or CRLF; the last one may lack its newline.  No CSV
 * quoting.  Malformed lines are errors, never skipped: an empty line, a
 * wrong column count, a bad number or timestamp, a time earlier than the
 * previous record's ("path:LINE:COL: error: column 'ContextTokens':
 * expected a non-negative integer, found 'abc'", COL the 1-based byte
 * where the bad field, value or time starts; 1 for an empty line, a
 * wrong header or a JSON object missing a key).
 *   azure     header exactly 'TIMESTAMP,ContextTokens,GeneratedTokens';
 *             TIMESTAMP 'YYYY-MM-DD HH:MM:SS[.fraction]' (UTC, read
 *             exactly to the ns, up to 9 fraction digits).
 *   mooncake  JSONL, one flat object a line: 'timestamp' (ms, a
 *             non-negative number), 'input_length', 'output_length'
 *             (non-negative integers), optional 'hash_ids' (array of
 *             integers < 2^32); other keys are skipped, a repeated key is
 *             an error.
 *   hetsim    header 'arrival_s,prompt_tokens,output_tokens' optionally
 *             followed by ',session_id,turn'; arrival_s in decimal
 *             seconds (exact to the ns).
 *   sessions  header naming session_id, round_idx, prefix_len,
 *             input_len, output_len, tool_wait_after_ms and optionally
 *             arrival_time (ms), in any order.  Each row is one call:
 *             prompt_tokens = prefix_len + input_len, prefix.tokens =
 *             prefix_len, turn = round_idx, tool_wait = tool_wait_after_ms
 *             (not scaled by time_scale).  Replay is closed-loop, like
 *             agent sources (below): a session's first call arrives at
 *             its arrival_time (0 without that column), each later call
 *             only after wl_source_finished() reported the previous one,
 *             at that time + the previous row's tool_wait_after_ms.  A
 *             session's rows must be consecutive with round_idx 0, 1,
 *             2, ...; they are read when the session starts and held
 *             until it ends (memory: the rows of the active sessions).
 *             A session id may not start again while a session with the
 *             same id is still running (an error at that row).
 * max_requests > 0 stops after that many requests (later lines unread).
 *
 * Synthetic sources (wl_synthetic_spec).  Three GSL mt19937 streams per
 * source (arrivals, prompt lengths, output lengths), each seeded from
 * (seed, source_index, stream) through splitmix64, so adding a source or
 * changing a length distribution does not shift the other draws.
 *   poisson   exponential gaps of mean 1/rate; the first request at t = 0.
 *   gamma     gamma gaps, shape 1/cv^2, mean 1/rate; first at t = 0.
 *   constant  the k-th request (k = 0, 1, ...) at round(k / rate) s.
 *   closed    'concurrency' requests at t = 0, then one more each time
 *             the consumer calls wl_source_release(s, now), arriving at
 *             'now'.
 * Lengths: fixed (value), uniform (integers in [max(1,min), max]),
 * lognormal (sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2),
 * empirical (resampled uniformly from the prompt or output column of the
 * trace 'path' in 'format'; loaded once at open).  Each length is the
 * inverse transform of one uniform number from its stream
 * (gsl_rng_uniform_pos), through the engine agent sessions use too.
 * Every draw is rounded to the nearest integer and clamped to
 * [max(1, min), max] (max 0 = no upper bound, in effect 4e18).  The source stops after 'requests' requests (0 = no
 * limit) or at the first arrival >= horizon_s (0 = no limit); at least
 * one of the two must be set.
 *
 * Agent sources (wl_agent_spec, with the preset in 'params').  Sessions
 * start as a Poisson process at session_rate, the first at t = 0, until
 * 'sessions' have started or the next start would be at or after
 * 'horizon' (sessions already started run to their end).  Session k (ids
 * 0, 1, 2, ... in start order) draws its number of calls n; call 0
 * arrives at the start with prompt = start_context, prefix 0; after call
 * i the context is prompt_i + output_i, and call i+1 has prompt = context
 * + appended, prefix = context (see wl_overflow for prompts over
 * max_context; a first prompt is clamped to it).  Call i+1 is produced
 * only after wl_source_finished(s, k, now) reported call i finished: it
 * arrives at now + gap, gap = tool_latency with probability
 * tool_fraction, think_time otherwise.  Randomness: session starts come
 * from a GSL mt19937 stream seeded from (seed, source_index, 0) as the
 * synthetic arrivals are; every draw of session k (calls, lengths, gap
 * kind and length of turn i) is a counter-based uniform number keyed by
 * (seed, source_index, k, i, quantity) through splitmix64, turned into a
 * length or gap by inverse transform (as synthetic lengths), so a
 * session's calls are the same whatever order and times the consumer
 * finishes them in: a slower cluster delays the calls but does not
 * change them.
 *
 * Closed-loop sessions (agent sources and session traces).  Pending next
 * calls are kept in a binary heap ordered by (arrival, session_id) and
 * merged with the session starts, so wl_source_next() returns calls in
 * non-decreasing arrival order, ties by session id.  While sessions wait
 * for wl_source_finished() and nothing else is due, next() returns 0 and
 * wl_source_blocked() is true.  Memory: O(active sessions).  A peeked
 * arrival is not a promise here: wl_source_finished() may make an earlier
 * call (at >= now) the next one, so peek again after each finished()
 * call, and call next() only when the simulation clock has reached the
 * peeked arrival (finished() asserts that 'now' is not earlier than the
 * last arrival next() returned).
 *
 * Lifecycle (closed-loop sources use all of it; the others never block):
 *
 *   wl_source_open() --> READY --next()=1--> READY
 *                         |  ^
 *      next()=0 and       |  |  wl_source_release() (synthetic closed)
 *      wl_source_blocked()+--+  wl_source_finished() (sessions)
 *                                (BLOCKED: waiting for a finished request)
 *                         |
 *                         +--next()=0, !blocked--> EXHAUSTED (0 forever)
 *                         +--next()<0-------------> FAILED (same status
 *                                                   forever, no new text)
 *   wl_source_close() from any state.
 */
typedef struct wl_source wl_source; /* opaque */

/* Open the source described by 'spec' (borrowed for the call only).
 * 'source_index' is stored in every request's 'source' field and, with
 * 'seed', selects the random streams.  For traces the file is opened and
 * its header checked here.  Returns NULL with the errors in 'd' (for
 * example "path: error: cannot open: No such file or directory", or an
 * invalid spec reported at spec->loc, an agent spec's preset included).
 * O(1), except empirical distributions, which read their trace once:
 * O(rows). */
wl_source *wl_source_open(const wl_source_spec *spec, int32_t source_index,
                          uint64_t seed, hs_diag *d);

/* Produce the next request into '*out'.  Returns 1 (a request), 0 (none
 * now: exhausted, or blocked when wl_source_blocked() says so) or a
 * negative HS_* status with the error in 'd' (HS_EINPUT for a malformed
 * line, HS_EIO for a read error).  Never allocates once warmed up (the
 * line buffer and the hash-id buffer grow to the longest line and are
 * reused; session sources reuse the slots of ended sessions).
 * O(length of the line) for traces, O(log active sessions) for session
 * sources, O(1) otherwise. */
int wl_source_next(wl_source *s, wl_request *out, hs_diag *d);

/* Look at the next request's arrival time without consuming it: the same
 * returns as wl_source_next(), with the time in '*arrival' on 1.  The
 * request is kept and returned by the next wl_source_next() (session
 * sources: unless a wl_source_finished() in between makes an earlier
 * call due, see above). */
int wl_source_peek(wl_source *s, hs_time *arrival, hs_diag *d);

/* True when the source is closed-loop and waits: the last next/peek
 * returned 0 but more requests will come after wl_source_release()
 * (synthetic closed loop) or wl_source_finished() (sessions).  False for
 * every other source and state. */
bool wl_source_blocked(const wl_source *s);

/* True when the source is closed-loop: its requests arrive only as
 * earlier ones finish (wl_source_release, wl_source_finished), so the
 * consumer must report every request that finishes or is dropped.  True
 * for agent sources, session traces (a format whose rows are session
 * calls) and synthetic sources with closed arrivals; false for the other
 * traces and synthetic processes.  Fixed from wl_source_open() on. */
bool wl_source_closed(const wl_source *s);

/* Tell the source that one of its requests finished at 'now'.  A
 * closed-loop source then produces one more request arriving at 'now'
 * (unless its request count or horizon is reached); other sources ignore
 * the call, so a consumer may call it for every finished request.  Calls
 * must come with non-decreasing 'now', at most once per request produced
 * (checked by assertion). */
void wl_source_release(wl_source *s, hs_time now);

/* Tell a closed-loop session source (agent, session trace) that the call
 * of session 'session_id' it produced last finished at 'now' (the answer
 * is complete; for a dropped call, when it was dropped).  The session's
 * next call, if any, then becomes due at now + its gap; after its last
 * call the session is forgotten.  Call it once for every call such a
 * source produced, with non-decreasing 'now' >= the last arrival next()
 * returned (checked by assertion, as is a session with no call out).
 * Other sources, and session_id < 0, ignore it, so a consumer may call it
 * for every finished request.  O(log active sessions). */
void wl_source_finished(wl_source *s, int64_t session_id, hs_time now);

/* Requests produced so far by wl_source_next() (peeked ones excluded). */
int64_t wl_source_count(const wl_source *s);

/* Close the file and free everything.  NULL is a no-op. */
void wl_source_close(wl_source *s);

/* Read every request of the trace source 'spec' (borrowed) once, as a
 * run would, without simulating: each row parsed and checked, a session
 * trace replayed with every call finished at its arrival.  For a run to
 * find a bad row before it writes anything ('hetsim check' and 'hetsim
 * run' both call it).  Returns HS_OK with the number of requests in
 * '*n'; HS_EINPUT for a malformed row (located: file, line, column) or a
 * trace without a request ("path: error: the trace has no requests"),
 * HS_EIO for a read error, errors in 'd'.  Other source kinds are not
 * read: HS_OK with '*n' = -1.  O(rows) time, memory as a run's. */
int wl_source_scan(const wl_source_spec *spec, int64_t *n, hs_diag *d);

/* How a request fits a model of 'max_context' tokens (0 = no limit).
 * WL_FIT_OK: prompt + output <= max_context, nothing changed.  Beyond
 * it, under WL_CTX_DROP: WL_FIT_DROP (nothing changed).  Under
 * WL_CTX_TRUNCATE: WL_FIT_TRUNCATED with the prompt cut from its head to
 * max(1, max_context - output) tokens and the output, when it alone
 * leaves no room, to max_context - prompt, so prompt + output =
 * max_context exactly; a request truncated this way reuses no cached
 * prefix (its first tokens are gone).  max_context 1 leaves no room for
 * both: WL_FIT_DROP.  '*prompt' and '*output' >= 1.  Pure, O(1). */
typedef enum wl_fit { WL_FIT_OK, WL_FIT_TRUNCATED, WL_FIT_DROP } wl_fit;
wl_fit wl_context_fit(int64_t max_context, wl_ctx_policy policy,
                      int64_t *prompt, int64_t *output);

/* Trace format by name ("azure", "mooncake", "hetsim", "sessions": the
 * names of the wl_formats.def registry), as written in
 * wl_dist_spec.format and in scenarios.  Returns HS_OK or HS_EINPUT for
 * an unknown name.  O(formats). */
int wl_trace_format_parse(const char *name, wl_trace_format *out);
/* Name of a format ("azure", ...); "unknown" for anything else. */
const char *wl_trace_format_name(wl_trace_format format);

#endif /* HETSIM_WORKLOAD_H */
