/*
 * workload_int.h -- private interface between the files of sim/workload:
 * the trace reader, the Mooncake line parser, the length distributions
 * and the synthetic generator, which wl_source.c puts behind the public
 * wl_source API.  Tests may include it (-Isim); other modules may not.
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
    WL_STREAM_OUTPUT = 2
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

/* ---- trace reader ------------------------------------------------------ */

typedef struct wl_trace wl_trace;

/* Open the trace and check its header.  'spec' is borrowed for the call.
 * NULL with errors in 'd' on failure. */
wl_trace *wl_trace_open(const wl_trace_spec *spec, hs_diag *d);
/* Next record: arrival (relative to the first record, scaled), lengths,
 * session fields and hash ids; 'id' and 'source' are left alone.  Returns
 * 1, 0 at the end (or after max_requests) or a negative HS_* status.
 * Sticky: after a failure, returns the same status with no new text. */
int wl_trace_read(wl_trace *t, wl_request *out, hs_diag *d);
void wl_trace_close(wl_trace *t); /* NULL is a no-op */

/* ---- Mooncake JSONL line parser ---------------------------------------- */

/* One parsed Mooncake line.  'hash' is a buffer owned by the caller that
 * the parser grows with hs_grow() and reuses across lines. */
typedef struct wl_mooncake_rec {
    int64_t timestamp_ns;
    int64_t input_length;
    int64_t output_length;
    uint32_t *hash;
    size_t n_hash;
    size_t hash_cap;
} wl_mooncake_rec;

/* Parse line[0..n) (no newline) into '*rec'.  'at' names the file and
 * line; errors carry the 1-based byte column.  Returns HS_OK or HS_EINPUT
 * with one error in 'd'.  O(n). */
int wl_mooncake_parse(const char *line, size_t n, hs_loc at,
                      wl_mooncake_rec *rec, hs_diag *d);

/* ---- token-length distributions ---------------------------------------- */

typedef struct wl_dist {
    wl_dist_kind kind;
    int64_t lo, hi; /* clamp bounds: lo >= 1, hi = INT64_MAX if unset */
    double value;   /* fixed */
    int64_t umin;   /* uniform: integers in [umin, umin + urange) */
    unsigned long urange;
    double mu, sigma; /* lognormal */
    int64_t *table;   /* empirical: the column's values (owned) */
    size_t n_table;
} wl_dist;

/* Check 'spec' and prepare '*dist'; 'what' ("prompt" or "output") names
 * it in errors, which are reported at spec->loc, or at 'fallback' when
 * that has no file.  Empirical distributions read their trace here.
 * Returns HS_OK or a negative status with errors in 'd'; '*dist' needs
 * wl_dist_fini() either way. */
int wl_dist_init(wl_dist *dist, const wl_dist_spec *spec, bool is_prompt,
                 hs_loc fallback, hs_diag *d);
/* One draw, already rounded and clamped.  O(1). */
int64_t wl_dist_sample(const wl_dist *dist, gsl_rng *r);
void wl_dist_fini(wl_dist *dist);

/* ---- synthetic generator ----------------------------------------------- */

typedef struct wl_synth wl_synth;

/* Check the spec and build the generator.  NULL with errors in 'd'. */
wl_synth *wl_synth_open(const wl_source_spec *spec, int32_t source_index,
                        uint64_t seed, hs_diag *d);
/* 1 with arrival and lengths in '*out', or 0 (exhausted or blocked). */
int wl_synth_next(wl_synth *g, wl_request *out);
bool wl_synth_blocked(const wl_synth *g);
void wl_synth_release(wl_synth *g, hs_time now);
void wl_synth_close(wl_synth *g); /* NULL is a no-op */

#endif /* HETSIM_WORKLOAD_INT_H */
