/*
 * wl_synth.c -- synthetic request generators: open arrival processes
 * (poisson, gamma, constant) and a closed loop that keeps 'concurrency'
 * requests in flight, each with prompt and output lengths drawn from
 * wl_dist distributions (the workload's one engine, by inverse transform
 * of one uniform per draw).
 *
 * Three random streams per source (arrivals, prompt lengths, output
 * lengths) keep the draws independent: changing the output distribution
 * leaves arrival times and prompt lengths as they were.
 *
 * Invariants:
 *   I1  open processes: t_s is the next arrival in seconds; arrivals are
 *       hs_time_from_s(t_s), hence non-decreasing
 *   I2  closed: n_released <= n_made, and the credit queue holds the
 *       release times not yet turned into requests, in non-decreasing order;
 *       user k (0-based) of N makes its first request at k ramp / (N - 1)
 *       (all at 0 without a ramp), and the next arrival is the earlier of
 *       the next user's start and the first credit, so a request released
 *       during the ramp may come before a later user's first
 *   I4  peek() changes nothing: the next arrival is a function of the
 *       state, and a release may make it earlier (serve/ then re-peeks)
 *   I3  done => next() returns 0 forever and blocked() is false
 */
#include "workload_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* Arrivals and horizons stay below this many seconds: simulated time is
 * int64 nanoseconds (about 9.2e9 s). */
#define WL_SYNTH_MAX_S 9e9

typedef struct wl_synth {
    wl_source base; /* must be first */
    wl_arrival_kind kind;
    double rate;     /* requests per second (open) */
    double gamma_a;  /* gamma shape 1/cv^2 */
    double gamma_b;  /* gamma scale cv^2/rate, so the mean is 1/rate */
    double t_s;      /* open: next arrival, seconds */
    int64_t n_made;  /* requests produced */
    int64_t limit;   /* 'requests'; 0 = none */
    hs_time horizon; /* arrivals must be earlier; HS_TIME_MAX = none */
    hs_loc loc;      /* the source in the scenario, for errors */
    bool done;
    int64_t initial; /* closed: users yet to make their first request */
    int64_t users;   /* closed: 'concurrency' */
    double ramp_s;   /* closed: user k starts at k ramp / (users - 1) */
    int64_t n_released;
    hs_time last_release;
    hs_time *credit; /* closed: FIFO ring of release times */
    size_t cap, head, n_credit;
    gsl_rng *arrival_rng, *prompt_rng, *output_rng;
    wl_dist prompt, output;
    wl_profile_spec profile; /* open: t_s and n_made / rate are in its
                                operational time (workload.h) */
} wl_synth;

static wl_synth *as_synth(wl_source *s)
{
    HS_ASSERT(s->ops == &wl_synth_ops);
    return (wl_synth *)(void *)s;
}

static const wl_synth *as_csynth(const wl_source *s)
{
    HS_ASSERT(s->ops == &wl_synth_ops);
    return (const wl_synth *)(const void *)s;
}

/* ---- the closed loop's queue of releases ------------------------------ */

static void credit_push(wl_synth *g, hs_time t)
{
    if (g->n_credit == g->cap) {
        size_t cap = g->cap == 0 ? 16 : 2 * g->cap;
        hs_time *q = hs_malloc(cap * sizeof *q);

        for (size_t i = 0; i < g->n_credit; i++)
            q[i] = g->credit[(g->head + i) % g->cap];
        free(g->credit);
        g->credit = q;
        g->cap = cap;
        g->head = 0;
    }
    g->credit[(g->head + g->n_credit++) % g->cap] = t;
}

static hs_time credit_pop(wl_synth *g)
{
    hs_time t = g->credit[g->head];

    g->head = (g->head + 1) % g->cap;
    g->n_credit--;
    return t;
}

/* ---- arrivals --------------------------------------------------------- */

/* Seconds of simulated time at operational time 'u' of an open process:
 * u itself without a profile (bit for bit as before profiles). */
static double real_s(const wl_synth *g, double u)
{
    return g->profile.kind == WL_PROFILE_NONE
               ? u
               : wl_profile_time(&g->profile, u);
}

/* The operational time of the next open arrival. */
static double next_u(const wl_synth *g)
{
    return g->kind == WL_ARRIVAL_CONSTANT ? (double)g->n_made / g->rate
                                          : g->t_s;
}

/* Closed: when the next user yet to start makes its first request. */
static hs_time user_start(const wl_synth *g)
{
    int64_t k = g->users - g->initial;

    if (g->ramp_s <= 0 || g->users < 2)
        return 0;
    return hs_time_from_s(g->ramp_s * (double)k / (double)(g->users - 1));
}

/* Closed: whether the next request is a user's first (else a credit). */
static bool start_next(const wl_synth *g)
{
    return g->initial > 0 &&
           (g->n_credit == 0 || user_start(g) <= g->credit[g->head]);
}

/* Arrival time of the next request, or -1 when none is available now
 * (closed loop waiting for a release); changes nothing (I4). */
static hs_time peek_arrival(const wl_synth *g)
{
    switch (g->kind) {
    case WL_ARRIVAL_POISSON:
    case WL_ARRIVAL_GAMMA:
    case WL_ARRIVAL_CONSTANT:
        return hs_time_from_s(real_s(g, next_u(g)));
    case WL_ARRIVAL_CLOSED:
        if (start_next(g))
            return user_start(g);
        return g->n_credit > 0 ? g->credit[g->head] : -1;
    }
    HS_UNREACHABLE("unknown arrival process");
}

/* Consume the closed loop's next arrival (peek_arrival's). */
static void take_closed(wl_synth *g)
{
    if (start_next(g))
        g->initial--;
    else
        (void)credit_pop(g);
}

/* Advance an open process past the request just made. */
static void advance(wl_synth *g)
{
    if (g->kind == WL_ARRIVAL_POISSON)
        g->t_s += gsl_ran_exponential(g->arrival_rng, 1.0 / g->rate);
    else if (g->kind == WL_ARRIVAL_GAMMA)
        g->t_s += gsl_ran_gamma(g->arrival_rng, g->gamma_a, g->gamma_b);
}

/* The next arrival as next() would give it: 1 with '*t', 0 when there is
 * none (ended, which it records, or blocked), or the error of an arrival
 * simulated time cannot hold. */
static int upcoming(wl_synth *g, hs_time *t, hs_diag *d)
{
    if (g->done)
        return 0;
    if (g->limit > 0 && g->n_made >= g->limit) {
        g->done = true;
        return 0;
    }
    *t = peek_arrival(g);
    if (*t < 0)
        return 0; /* blocked */
    if (*t >= g->horizon && g->horizon == HS_TIME_MAX && g->limit > 0)
        return hs_diag_error(d, g->loc,
                             "arrival %lld of %lld would come at t = %.3g s, "
                             "past the %.0g s simulated time can hold: the "
                             "rate is too low for 'requests' (set a higher "
                             "rate, fewer requests, or a 'horizon')",
                             (long long)g->n_made + 1, (long long)g->limit,
                             real_s(g, next_u(g)), WL_SYNTH_MAX_S);
    if (*t >= g->horizon) {
        g->done = true;
        return 0;
    }
    return 1;
}

static int synth_peek(wl_source *self, hs_time *arrival, hs_diag *d)
{
    return upcoming(as_synth(self), arrival, d);
}

static int synth_next(wl_source *self, wl_request *out, hs_diag *d)
{
    wl_synth *g = as_synth(self);
    hs_time t = 0;
    int rc = upcoming(g, &t, d);

    if (rc != 1)
        return rc;
    if (g->kind == WL_ARRIVAL_CLOSED)
        take_closed(g);
    advance(g);
    g->n_made++;
    memset(out, 0, sizeof *out);
    out->arrival = t;
    out->session_id = -1;
    out->prompt_tokens =
        wl_dist_tokens(&g->prompt, gsl_rng_uniform_pos(g->prompt_rng));
    out->output_tokens =
        wl_dist_tokens(&g->output, gsl_rng_uniform_pos(g->output_rng));
    return 1;
}

static bool synth_blocked(const wl_source *self)
{
    const wl_synth *g = as_csynth(self);

    return g->kind == WL_ARRIVAL_CLOSED && !g->done &&
           !(g->limit > 0 && g->n_made >= g->limit) && g->initial == 0 &&
           g->n_credit == 0;
}

static void synth_release(wl_source *self, hs_time now)
{
    wl_synth *g = as_synth(self);

    if (g->kind != WL_ARRIVAL_CLOSED)
        return;
    HS_ASSERT(now >= g->last_release);
    HS_ASSERT(g->n_released < g->n_made);
    g->last_release = now;
    g->n_released++;
    if (!g->done)
        credit_push(g, now);
}

/* ---- construction ----------------------------------------------------- */

static hs_loc where(const wl_source_spec *spec)
{
    return spec->loc;
}

/* Check the arrival process and stop conditions; fill 'g'. */
static int set_arrival(wl_synth *g, const wl_source_spec *spec, hs_diag *d)
{
    const wl_synthetic_spec *sy = &spec->synthetic;
    const wl_arrival_spec *a = &sy->arrival;
    int rc = HS_OK;

    g->kind = a->kind;
    g->rate = a->rate;
    g->loc = spec->loc;
    g->profile = a->profile;
    if (a->kind != WL_ARRIVAL_CLOSED && !(a->rate > 0 && a->rate < 1e15))
        rc = hs_diag_error(d, where(spec),
                           "arrival 'rate' must be > 0, got %g", a->rate);
    if (a->kind == WL_ARRIVAL_GAMMA && !(a->cv > 0 && a->cv < 1e3))
        rc = hs_diag_error(d, where(spec),
                           "gamma arrivals need 'cv' > 0, got %g", a->cv);
    if (a->kind == WL_ARRIVAL_CLOSED && a->concurrency < 1)
        rc = hs_diag_error(d, where(spec),
                           "closed arrivals need 'concurrency' >= 1, got "
                           "%lld",
                           (long long)a->concurrency);
    if (sy->requests < 0 ||
        !(sy->horizon_s >= 0 && sy->horizon_s < WL_SYNTH_MAX_S))
        rc = hs_diag_error(d, where(spec),
                           "'requests' and 'horizon' must be >= 0");
    else if (a->kind != WL_ARRIVAL_CLOSED && sy->horizon_s == 0 &&
             sy->requests > 0 && a->rate > 0 &&
             !(real_s(g, (double)sy->requests / a->rate) < WL_SYNTH_MAX_S))
        rc = hs_diag_error(d, where(spec),
                           "%lld requests at %g/s would arrive over %.3g s, "
                           "past the %.0g s simulated time can hold",
                           (long long)sy->requests, a->rate,
                           real_s(g, (double)sy->requests / a->rate),
                           WL_SYNTH_MAX_S);
    else if (sy->requests == 0 && sy->horizon_s == 0)
        rc = hs_diag_error(d, where(spec),
                           "synthetic source needs 'requests' or 'horizon' "
                           "to end");
    g->gamma_a = a->kind == WL_ARRIVAL_GAMMA ? 1.0 / (a->cv * a->cv) : 0;
    g->gamma_b = a->kind == WL_ARRIVAL_GAMMA ? a->cv * a->cv / a->rate : 0;
    g->initial = a->kind == WL_ARRIVAL_CLOSED ? a->concurrency : 0;
    g->users = g->initial;
    g->ramp_s = a->kind == WL_ARRIVAL_CLOSED ? a->ramp_s : 0;
    if (!(g->ramp_s >= 0 && g->ramp_s < WL_SYNTH_MAX_S))
        rc = hs_diag_error(d, where(spec), "'ramp' must be >= 0, got %g",
                           g->ramp_s);
    g->limit = sy->requests;
    g->horizon =
        sy->horizon_s > 0 ? hs_time_from_s(sy->horizon_s) : HS_TIME_MAX;
    return rc;
}

static bool synth_closed(const wl_source *self)
{
    return as_csynth(self)->kind == WL_ARRIVAL_CLOSED;
}

static int synth_init(wl_source *self, const wl_source_spec *spec,
                      uint64_t seed, hs_diag *d)
{
    wl_synth *g = as_synth(self);
    int rc = set_arrival(g, spec, d);
    int rp = wl_dist_init(&g->prompt, &spec->synthetic.prompt, true,
                          where(spec), d);
    int ro = wl_dist_init(&g->output, &spec->synthetic.output, false,
                          where(spec), d);

    if (rc != HS_OK || rp != HS_OK || ro != HS_OK)
        return rc != HS_OK ? rc : rp != HS_OK ? rp : ro;
    g->arrival_rng = wl_rng_new(seed, self->index, WL_STREAM_ARRIVAL);
    g->prompt_rng = wl_rng_new(seed, self->index, WL_STREAM_PROMPT);
    g->output_rng = wl_rng_new(seed, self->index, WL_STREAM_OUTPUT);
    return HS_OK;
}

static void synth_fini(wl_source *self)
{
    wl_synth *g = as_synth(self);

    wl_dist_fini(&g->prompt);
    wl_dist_fini(&g->output);
    if (g->arrival_rng != NULL)
        gsl_rng_free(g->arrival_rng);
    if (g->prompt_rng != NULL)
        gsl_rng_free(g->prompt_rng);
    if (g->output_rng != NULL)
        gsl_rng_free(g->output_rng);
    free(g->credit);
}

const wl_source_ops wl_synth_ops = {
    .version = WL_SOURCE_OPS_VERSION,
    .kind = "synthetic",
    .size = sizeof(wl_synth),
    .init = synth_init,
    .next = synth_next,
    .peek = synth_peek,
    .blocked = synth_blocked,
    .release = synth_release,
    .finished = NULL,
    .closed = synth_closed,
    .fini = synth_fini,
};
