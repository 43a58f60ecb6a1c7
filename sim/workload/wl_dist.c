/*
 * wl_dist.c -- distributions of token counts for synthetic sources:
 * fixed, uniform integers, lognormal by mean and CV, and empirical
 * (resampled from one column of a trace file).
 *
 * Every draw is rounded to the nearest integer and clamped to [lo, hi],
 * lo = max(1, min), hi = max (or INT64_MAX when max is 0), so a length is
 * never zero.  Sampling is O(1) and never allocates; the empirical table
 * is the only thing held in memory, read once at init.
 */
#include "workload_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#define BIG 4.0e18 /* bounds above this are refused: far from overflow */

static int64_t clamp_real(const wl_dist *dist, double x)
{
    if (!(x >= (double)dist->lo)) /* also NaN */
        return dist->lo;
    if (x >= (double)dist->hi || x >= BIG)
        return dist->hi;
    return (int64_t)(x + 0.5);
}

static int64_t clamp_int(const wl_dist *dist, int64_t v)
{
    return v < dist->lo ? dist->lo : v > dist->hi ? dist->hi : v;
}

int64_t wl_dist_sample(const wl_dist *dist, gsl_rng *r)
{
    double z;

    switch (dist->kind) {
    case WL_DIST_FIXED:
        return clamp_real(dist, dist->value);
    case WL_DIST_UNIFORM:
        return dist->umin + (int64_t)gsl_rng_uniform_int(r, dist->urange);
    case WL_DIST_LOGNORMAL:
        z = gsl_ran_gaussian_ziggurat(r, 1.0);
        return clamp_real(dist, exp(dist->mu + dist->sigma * z));
    case WL_DIST_EMPIRICAL:
        return clamp_int(dist,
                         dist->table[gsl_rng_uniform_int(r, dist->n_table)]);
    }
    HS_UNREACHABLE("unknown distribution kind");
}

/* Read the prompt or output column of the trace into dist->table. */
static int load_table(wl_dist *dist, const wl_dist_spec *spec, bool is_prompt,
                      hs_loc at, hs_diag *d)
{
    const char *what = is_prompt ? "prompt" : "output";
    wl_trace_spec ts = {0};
    wl_trace *t;
    wl_request r;
    size_t cap = 0;
    char names[128];
    int rc;

    if (spec->path == NULL || spec->format == NULL)
        return hs_diag_error(d, at,
                             "%s: empirical distribution needs "
                             "'path' and 'format'",
                             what);
    if (wl_trace_format_parse(spec->format, &ts.format) != HS_OK)
        return hs_diag_error(
            d, at, "%s: unknown trace format '%s' (expected %s)", what,
            spec->format, wl_format_list(names, sizeof names));
    ts.path = spec->path;
    ts.time_scale = 1.0;
    if ((t = wl_trace_open(wl_format_of(ts.format), &ts, d)) == NULL)
        return HS_EINPUT;
    while ((rc = wl_trace_read(t, &r, d)) == 1) {
        hs_grow((void **)&dist->table, &cap, dist->n_table + 1,
                sizeof(int64_t));
        dist->table[dist->n_table++] =
            is_prompt ? r.prompt_tokens : r.output_tokens;
    }
    wl_trace_close(t);
    if (rc < 0)
        return rc;
    if (dist->n_table == 0 || dist->n_table > UINT32_MAX)
        return hs_diag_error(d, at,
                             "%s: '%s' holds %zu requests, expected "
                             "1 to 2^32",
                             what, spec->path, dist->n_table);
    return HS_OK;
}

/* min/max into [lo, hi]. */
static int set_bounds(wl_dist *dist, const wl_dist_spec *spec,
                      const char *what, hs_loc at, hs_diag *d)
{
    if (!(spec->min >= 0 && spec->min < BIG && spec->max >= 0 &&
          spec->max < BIG))
        return hs_diag_error(d, at,
                             "%s: 'min' and 'max' must be in "
                             "[0, 4e18], got %g and %g",
                             what, spec->min, spec->max);
    dist->lo = spec->min > 1 ? (int64_t)ceil(spec->min) : 1;
    dist->hi = spec->max > 0 ? (int64_t)floor(spec->max) : INT64_MAX;
    if (dist->hi < dist->lo)
        return hs_diag_error(d, at,
                             "%s: 'max' (%g) is below max(1, 'min') "
                             "(%lld)",
                             what, spec->max, (long long)dist->lo);
    return HS_OK;
}

/* The kind-specific parameters. */
static int set_params(wl_dist *dist, const wl_dist_spec *spec, bool is_prompt,
                      hs_loc at, hs_diag *d)
{
    const char *what = is_prompt ? "prompt" : "output";
    double s2;

    switch (spec->kind) {
    case WL_DIST_FIXED:
        if (!(spec->value >= 0 && spec->value < BIG))
            return hs_diag_error(d, at,
                                 "%s: 'value' must be in [0, 4e18], "
                                 "got %g",
                                 what, spec->value);
        dist->value = spec->value;
        return HS_OK;
    case WL_DIST_UNIFORM:
        if (spec->max <= 0 || dist->hi - dist->lo >= INT64_C(0xffffffff))
            return hs_diag_error(d, at,
                                 "%s: uniform needs 'max', at most "
                                 "2^32 - 1 above 'min'",
                                 what);
        dist->umin = dist->lo;
        dist->urange = (unsigned long)(dist->hi - dist->lo + 1);
        return HS_OK;
    case WL_DIST_LOGNORMAL:
        if (!(spec->mean > 0 && spec->mean < BIG && spec->cv >= 0 &&
              spec->cv < 1e6))
            return hs_diag_error(d, at,
                                 "%s: lognormal needs 'mean' > 0 and "
                                 "'cv' >= 0, got %g and %g",
                                 what, spec->mean, spec->cv);
        s2 = log1p(spec->cv * spec->cv);
        dist->sigma = sqrt(s2);
        dist->mu = log(spec->mean) - s2 / 2;
        return HS_OK;
    case WL_DIST_EMPIRICAL:
        return load_table(dist, spec, is_prompt, at, d);
    }
    return hs_diag_error(d, at, "%s: unknown distribution kind %d", what,
                         (int)spec->kind);
}

int wl_dist_init(wl_dist *dist, const wl_dist_spec *spec, bool is_prompt,
                 hs_loc fallback, hs_diag *d)
{
    hs_loc at = spec->loc.file != NULL ? spec->loc : fallback;
    int rc;

    memset(dist, 0, sizeof *dist);
    dist->kind = spec->kind;
    rc = set_bounds(dist, spec, is_prompt ? "prompt" : "output", at, d);
    if (rc != HS_OK)
        return rc;
    return set_params(dist, spec, is_prompt, at, d);
}

void wl_dist_fini(wl_dist *dist)
{
    if (dist == NULL)
        return;
    free(dist->table);
    dist->table = NULL;
    dist->n_table = 0;
}
