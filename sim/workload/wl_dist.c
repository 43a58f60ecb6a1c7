/*
 * wl_dist.c -- the workload's one distribution engine: token counts and
 * times, fixed, uniform, lognormal by mean and CV, and empirical
 * (resampled from one column of a trace file), for synthetic sources
 * (wl_dist_spec) and agent presets (wl_preset_dist) alike.
 *
 * A distribution is prepared once, then sampled by inverse transform: a
 * draw is a pure function of one uniform u in (0, 1).  Where u comes
 * from is the caller's: a synthetic source takes it from its GSL stream,
 * an agent session from a counter-based hash of (seed, source, session,
 * call, quantity), so a session's draws never depend on the order in
 * which the consumer finishes calls (workload_int.h).
 *
 * A token count is rounded to the nearest integer and clamped to
 * [lo, hi], lo = max(1, min), hi = max (or 4e18 when max is 0), so a
 * length is never zero; uniform token counts are the integers of
 * [lo, hi], equally likely.  A time is in seconds, continuous, clamped
 * to [min, max] (no upper bound when max is 0).  Sampling is O(1) and
 * never allocates; the empirical table is read once at init.
 */
#include "workload_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#define BIG 4.0e18 /* bounds above this are refused: far from overflow */

/* ---- sampling ----------------------------------------------------------- */

/* The real value at 'u', before rounding and clamping. */
static double raw(const wl_dist *dist, double u)
{
    size_t i;

    switch (dist->kind) {
    case WL_DIST_FIXED:
        return dist->value;
    case WL_DIST_UNIFORM:
        if (dist->is_time)
            return dist->tmin + u * dist->span;
        return (double)dist->lo + floor(u * dist->span);
    case WL_DIST_LOGNORMAL:
        return exp(dist->mu + dist->sigma * gsl_cdf_ugaussian_Pinv(u));
    case WL_DIST_EMPIRICAL:
        i = (size_t)(u * (double)dist->n_table);
        return (double)dist->table[i < dist->n_table ? i : dist->n_table - 1];
    }
    HS_UNREACHABLE("unknown distribution kind");
}

int64_t wl_dist_tokens(const wl_dist *dist, double u)
{
    double x = raw(dist, u);

    HS_ASSERT(!dist->is_time);
    if (!(x >= (double)dist->lo)) /* also NaN */
        return dist->lo;
    if (x >= (double)dist->hi)
        return dist->hi;
    return (int64_t)(x + 0.5);
}

hs_time wl_dist_time(const wl_dist *dist, double u)
{
    double x = raw(dist, u);

    HS_ASSERT(dist->is_time);
    if (dist->tmax > 0 && x > dist->tmax)
        x = dist->tmax;
    if (!(x >= dist->tmin)) /* also NaN */
        x = dist->tmin;
    return hs_time_from_s(x);
}

/* ---- preparation: what both spec forms share ---------------------------- */

/* Token bounds from 'min' and 'max' (both checked to be in [0, BIG)). */
static void set_token_bounds(wl_dist *dist, double min, double max)
{
    dist->lo = min > 1 ? (int64_t)ceil(min) : 1;
    dist->hi = max > 0 ? (int64_t)floor(max) : (int64_t)BIG;
}

/* The kind's parameters; the bounds are set. */
static void set_shape(wl_dist *dist, double value, double mean, double cv)
{
    double s2;

    switch (dist->kind) {
    case WL_DIST_FIXED:
        dist->value = value;
        break;
    case WL_DIST_UNIFORM:
        dist->span = dist->is_time ? dist->tmax - dist->tmin
                                   : (double)(dist->hi - dist->lo + 1);
        break;
    case WL_DIST_LOGNORMAL:
        s2 = log1p(cv * cv);
        dist->sigma = sqrt(s2);
        dist->mu = log(mean) - s2 / 2;
        break;
    case WL_DIST_EMPIRICAL:
        break;
    }
}

/* ---- synthetic sources (wl_dist_spec) ----------------------------------- */

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
static int check_bounds(wl_dist *dist, const wl_dist_spec *spec,
                        const char *what, hs_loc at, hs_diag *d)
{
    if (!(spec->min >= 0 && spec->min < BIG && spec->max >= 0 &&
          spec->max < BIG))
        return hs_diag_error(d, at,
                             "%s: 'min' and 'max' must be in "
                             "[0, 4e18], got %g and %g",
                             what, spec->min, spec->max);
    set_token_bounds(dist, spec->min, spec->max);
    if (dist->hi < dist->lo)
        return hs_diag_error(d, at,
                             "%s: 'max' (%g) is below max(1, 'min') "
                             "(%lld)",
                             what, spec->max, (long long)dist->lo);
    return HS_OK;
}

/* The kind-specific parameters: checked, then set. */
static int check_params(wl_dist *dist, const wl_dist_spec *spec,
                        bool is_prompt, hs_loc at, hs_diag *d)
{
    const char *what = is_prompt ? "prompt" : "output";

    switch (spec->kind) {
    case WL_DIST_FIXED:
        if (!(spec->value >= 0 && spec->value < BIG))
            return hs_diag_error(d, at,
                                 "%s: 'value' must be in [0, 4e18], "
                                 "got %g",
                                 what, spec->value);
        break;
    case WL_DIST_UNIFORM:
        if (spec->max <= 0 || dist->hi - dist->lo >= INT64_C(0xffffffff))
            return hs_diag_error(d, at,
                                 "%s: uniform needs 'max', at most "
                                 "2^32 - 1 above 'min'",
                                 what);
        break;
    case WL_DIST_LOGNORMAL:
        if (!(spec->mean > 0 && spec->mean < BIG && spec->cv >= 0 &&
              spec->cv < 1e6))
            return hs_diag_error(d, at,
                                 "%s: lognormal needs 'mean' > 0 and "
                                 "'cv' >= 0, got %g and %g",
                                 what, spec->mean, spec->cv);
        break;
    case WL_DIST_EMPIRICAL:
        return load_table(dist, spec, is_prompt, at, d);
    default:
        return hs_diag_error(d, at, "%s: unknown distribution kind %d", what,
                             (int)spec->kind);
    }
    set_shape(dist, spec->value, spec->mean, spec->cv);
    return HS_OK;
}

int wl_dist_init(wl_dist *dist, const wl_dist_spec *spec, bool is_prompt,
                 hs_loc fallback, hs_diag *d)
{
    hs_loc at = spec->loc.file != NULL ? spec->loc : fallback;
    int rc;

    memset(dist, 0, sizeof *dist);
    dist->kind = spec->kind;
    rc = check_bounds(dist, spec, is_prompt ? "prompt" : "output", at, d);
    if (rc != HS_OK)
        return rc;
    return check_params(dist, spec, is_prompt, at, d);
}

/* ---- agent presets (wl_preset_dist) ------------------------------------- */

const char *wl_dist_preset_problem(const wl_preset_dist *pd, bool is_time)
{
    double top = is_time ? 9.2e9 : BIG;

    if (!(pd->min >= 0 && pd->min < top && pd->max >= 0 && pd->max < top))
        return "'min' and 'max' must be in range and >= 0";
    switch (pd->kind) {
    case WL_DIST_FIXED:
        return pd->value >= 0 && pd->value < top ? NULL
                                                 : "'value' out of range";
    case WL_DIST_UNIFORM:
        if (!(pd->max > 0 && pd->max >= pd->min))
            return "uniform needs 'max' > 0 and >= 'min'";
        return is_time || floor(pd->max) >= (pd->min > 1 ? ceil(pd->min) : 1)
                   ? NULL
                   : "uniform holds no integer >= 1";
    case WL_DIST_LOGNORMAL:
        if (!(pd->mean > 0 && pd->mean < top && pd->cv >= 0 && pd->cv < 1e6))
            return "lognormal needs 'mean' > 0 and 'cv' >= 0";
        return pd->max == 0 || pd->max >= pd->min ? NULL
                                                  : "'max' is below 'min'";
    case WL_DIST_EMPIRICAL:
        break;
    }
    return "only fixed, uniform and lognormal apply to presets";
}

void wl_dist_preset(wl_dist *dist, const wl_preset_dist *pd, bool is_time)
{
    HS_ASSERT(wl_dist_preset_problem(pd, is_time) == NULL);
    memset(dist, 0, sizeof *dist);
    dist->kind = pd->kind;
    dist->is_time = is_time;
    if (is_time) {
        dist->tmin = pd->min;
        dist->tmax = pd->max;
    } else {
        set_token_bounds(dist, pd->min, pd->max);
    }
    set_shape(dist, pd->value, pd->mean, pd->cv);
}

void wl_dist_fini(wl_dist *dist)
{
    if (dist == NULL)
        return;
    free(dist->table);
    dist->table = NULL;
    dist->n_table = 0;
}
