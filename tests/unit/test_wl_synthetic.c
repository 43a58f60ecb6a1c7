/*
 * test_wl_synthetic.c -- synthetic sources: determinism and stream
 * independence, the statistics of each arrival process and length
 * distribution (checked over 200k draws with tolerances of four or more
 * standard errors, so a wrong formula fails and a correct one does not),
 * exact constant arrivals, horizons, the closed loop, empirical
 * resampling, and spec errors.  Runs from the repository root.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "hetsim/util.h"
#include "hetsim/workload.h"
#include "workload/workload_int.h"

Suite *wl_synthetic_suite(void);

#define N_STAT 200000

static wl_source_spec synth(wl_arrival_kind kind, double rate,
                            int64_t requests)
{
    wl_source_spec s;

    memset(&s, 0, sizeof s);
    s.kind = WL_SOURCE_SYNTHETIC;
    s.synthetic.arrival.kind = kind;
    s.synthetic.arrival.rate = rate;
    s.synthetic.requests = requests;
    s.synthetic.prompt.kind = WL_DIST_FIXED;
    s.synthetic.prompt.value = 100;
    s.synthetic.output.kind = WL_DIST_FIXED;
    s.synthetic.output.value = 10;
    return s;
}

static wl_source *open_ok(const wl_source_spec *spec, int32_t index,
                          uint64_t seed, hs_diag *d)
{
    wl_source *s = wl_source_open(spec, index, seed, d);

    ck_assert_msg(s != NULL, "%s",
                  hs_diag_count(d) ? hs_diag_message(d, 0) : "no message");
    return s;
}

/* Draw every request of 'spec' into a fresh array of 'n' (caller frees);
 * the source must give exactly n. */
static wl_request *draw(const wl_source_spec *spec, int32_t index,
                        uint64_t seed, size_t n)
{
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(spec, index, seed, d);
    wl_request *r = calloc(n, sizeof *r);
    wl_request extra;
    size_t got = 0;

    /* Loops over many draws assert once at the end: Check's assertions
     * cost a system call each. */
    ck_assert_ptr_nonnull(r);
    while (got < n && wl_source_next(s, &r[got], d) == 1)
        got++;
    ck_assert_uint_eq(got, n);
    ck_assert_int_eq(wl_source_next(s, &extra, d), 0);
    wl_source_close(s);
    hs_diag_free(d);
    return r;
}

/* Mean and coefficient of variation of x[0..n). */
static void mean_cv(const double *x, size_t n, double *mean, double *cv)
{
    double m = 0, v = 0;

    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m);
    v /= (double)(n - 1);
    *mean = m;
    *cv = sqrt(v) / m;
}

/* Inter-arrival gaps in seconds of n requests. */
static void gap_stats(const wl_source_spec *spec, double *mean, double *cv)
{
    wl_request *r = draw(spec, 0, 7, N_STAT + 1);
    double *g = malloc(N_STAT * sizeof *g);

    size_t backwards = 0;

    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(r[0].arrival, 0);
    for (size_t i = 0; i < N_STAT; i++) {
        backwards += r[i + 1].arrival < r[i].arrival;
        g[i] = (double)(r[i + 1].arrival - r[i].arrival) / 1e9;
    }
    ck_assert_uint_eq(backwards, 0);
    mean_cv(g, N_STAT, mean, cv);
    free(g);
    free(r);
}

/* Prompt lengths of n requests with prompt distribution 'p'. */
static void length_stats(const wl_dist_spec *p, double *mean, double *cv,
                         int64_t *lo, int64_t *hi)
{
    wl_source_spec spec = synth(WL_ARRIVAL_CONSTANT, 1000, N_STAT);
    wl_request *r;
    double *x = malloc(N_STAT * sizeof *x);

    ck_assert_ptr_nonnull(x);
    spec.synthetic.prompt = *p;
    r = draw(&spec, 1, 11, N_STAT);
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    for (size_t i = 0; i < N_STAT; i++) {
        x[i] = (double)r[i].prompt_tokens;
        *lo = r[i].prompt_tokens < *lo ? r[i].prompt_tokens : *lo;
        *hi = r[i].prompt_tokens > *hi ? r[i].prompt_tokens : *hi;
    }
    mean_cv(x, N_STAT, mean, cv);
    free(x);
    free(r);
}

/* ---- determinism ------------------------------------------------------- */

static wl_source_spec lognormal_poisson(void)
{
    wl_source_spec s = synth(WL_ARRIVAL_POISSON, 5, 1000);

    s.synthetic.prompt.kind = WL_DIST_LOGNORMAL;
    s.synthetic.prompt.mean = 2048;
    s.synthetic.prompt.cv = 1;
    s.synthetic.output.kind = WL_DIST_LOGNORMAL;
    s.synthetic.output.mean = 256;
    s.synthetic.output.cv = 0.5;
    return s;
}

/* Number of i in [0, n) where a[i] and b[i] differ in the field. */
#define N_DIFF(a, b, n, field, out)                                           \
    do {                                                                      \
        (out) = 0;                                                            \
        for (size_t i_ = 0; i_ < (n); i_++)                                   \
            (out) += (a)[i_].field != (b)[i_].field;                          \
    } while (0)

START_TEST(same_seed_same_sequence)
{
    wl_source_spec spec = lognormal_poisson();
    wl_request *a = draw(&spec, 2, 42, 1000);
    wl_request *b = draw(&spec, 2, 42, 1000);

    for (size_t i = 0; i < 1000; i++) {
        ck_assert_int_eq(a[i].id, (int64_t)i);
        ck_assert_int_eq(a[i].source, 2);
        ck_assert_int_eq(a[i].session_id, -1);
        ck_assert_uint_eq(a[i].prefix.key, 0); /* nothing reusable */
        ck_assert_ptr_null(a[i].prefix.ids);
        ck_assert_int_eq(a[i].arrival, b[i].arrival);
        ck_assert_int_eq(a[i].prompt_tokens, b[i].prompt_tokens);
        ck_assert_int_eq(a[i].output_tokens, b[i].output_tokens);
    }
    free(a);
    free(b);
}
END_TEST

START_TEST(other_index_or_seed_differs)
{
    wl_source_spec spec = lognormal_poisson();
    wl_request *a = draw(&spec, 2, 42, 1000);
    wl_request *b = draw(&spec, 3, 42, 1000);
    wl_request *c = draw(&spec, 2, 43, 1000);
    size_t n;

    N_DIFF(a, b, (size_t)1000, arrival, n);
    ck_assert_uint_gt(n, 990);
    N_DIFF(a, b, (size_t)1000, prompt_tokens, n);
    ck_assert_uint_gt(n, 950);
    N_DIFF(a, c, (size_t)1000, arrival, n);
    ck_assert_uint_gt(n, 990);
    N_DIFF(a, c, (size_t)1000, output_tokens, n);
    ck_assert_uint_gt(n, 900);
    free(a);
    free(b);
    free(c);
}
END_TEST

START_TEST(streams_are_independent)
{
    wl_source_spec spec = lognormal_poisson();
    wl_request *a = draw(&spec, 0, 9, 1000);
    wl_request *b;
    size_t n;

    /* A different output distribution moves neither arrivals nor prompts. */
    spec.synthetic.output.kind = WL_DIST_UNIFORM;
    spec.synthetic.output.min = 1;
    spec.synthetic.output.max = 1000;
    b = draw(&spec, 0, 9, 1000);
    N_DIFF(a, b, (size_t)1000, arrival, n);
    ck_assert_uint_eq(n, 0);
    N_DIFF(a, b, (size_t)1000, prompt_tokens, n);
    ck_assert_uint_eq(n, 0);
    N_DIFF(a, b, (size_t)1000, output_tokens, n);
    ck_assert_uint_gt(n, 900);
    free(b);
    /* Nor does a different arrival process move the lengths. */
    spec = lognormal_poisson();
    spec.synthetic.arrival.kind = WL_ARRIVAL_GAMMA;
    spec.synthetic.arrival.cv = 3;
    b = draw(&spec, 0, 9, 1000);
    N_DIFF(a, b, (size_t)1000, prompt_tokens, n);
    ck_assert_uint_eq(n, 0);
    N_DIFF(a, b, (size_t)1000, output_tokens, n);
    ck_assert_uint_eq(n, 0);
    free(a);
    free(b);
}
END_TEST

START_TEST(prompt_and_output_streams_differ)
{
    wl_source_spec spec = lognormal_poisson();
    wl_request *a;
    size_t same = 0;

    spec.synthetic.output = spec.synthetic.prompt;
    a = draw(&spec, 0, 9, 1000);
    for (size_t i = 0; i < 1000; i++)
        same += a[i].prompt_tokens == a[i].output_tokens;
    ck_assert_uint_lt(same, 50);
    free(a);
}
END_TEST

/* ---- arrival processes ------------------------------------------------- */

START_TEST(poisson_mean_gap)
{
    wl_source_spec spec = synth(WL_ARRIVAL_POISSON, 10, N_STAT + 1);
    double mean, cv;

    gap_stats(&spec, &mean, &cv);
    /* standard error of the mean: 0.1 / sqrt(2e5) = 0.22% */
    ck_assert_double_eq_tol(mean, 0.1, 0.0007);
    ck_assert_double_eq_tol(cv, 1.0, 0.02);
}
END_TEST

START_TEST(gamma_mean_and_cv)
{
    wl_source_spec spec = synth(WL_ARRIVAL_GAMMA, 5, N_STAT + 1);
    double mean, cv;

    spec.synthetic.arrival.cv = 2.0;
    gap_stats(&spec, &mean, &cv);
    /* SE: mean 0.9%, CV about 0.6% (kurtosis 6 cv^2) */
    ck_assert_double_eq_tol(mean, 0.2, 0.2 * 0.04);
    ck_assert_double_eq_tol(cv, 2.0, 2.0 * 0.04);
    spec.synthetic.arrival.cv = 0.5;
    gap_stats(&spec, &mean, &cv);
    ck_assert_double_eq_tol(mean, 0.2, 0.2 * 0.01);
    ck_assert_double_eq_tol(cv, 0.5, 0.5 * 0.02);
}
END_TEST

START_TEST(constant_is_exact)
{
    wl_source_spec spec = synth(WL_ARRIVAL_CONSTANT, 4, 1000);
    wl_request *r = draw(&spec, 0, 1, 1000);

    for (int64_t k = 0; k < 1000; k++)
        ck_assert_int_eq(r[k].arrival, k * 250000000);
    free(r);
    spec.synthetic.arrival.rate = 3;
    r = draw(&spec, 0, 1, 1000);
    for (int64_t k = 0; k < 1000; k++) /* round(k * 1e9 / 3) */
        ck_assert_int_eq(r[k].arrival, (2 * k * 1000000000 + 3) / 6);
    free(r);
}
END_TEST

START_TEST(horizon_stops_arrivals)
{
    wl_source_spec spec = synth(WL_ARRIVAL_CONSTANT, 10, 0);
    hs_diag *d = hs_diag_new();
    wl_source *s;
    wl_request r;
    int64_t n = 0;

    spec.synthetic.horizon_s = 1.0;
    s = open_ok(&spec, 0, 1, d);
    while (wl_source_next(s, &r, d) == 1)
        n++;
    ck_assert_int_eq(n, 10); /* 0, 0.1, ..., 0.9 s */
    ck_assert_int_eq(r.arrival, 900000000);
    ck_assert(!wl_source_blocked(s));
    wl_source_close(s);

    spec = synth(WL_ARRIVAL_POISSON, 100, 0);
    spec.synthetic.horizon_s = 100;
    s = open_ok(&spec, 0, 1, d);
    n = 0;
    while (wl_source_next(s, &r, d) == 1)
        n++;
    ck_assert_int_lt(r.arrival, INT64_C(100000000000)); /* the last */
    ck_assert_int_gt(n, 10000 - 500);                   /* sd 100 */
    ck_assert_int_lt(n, 10000 + 500);
    wl_source_close(s);

    spec = synth(WL_ARRIVAL_POISSON, 100, 50); /* the count comes first */
    spec.synthetic.horizon_s = 100;
    s = open_ok(&spec, 0, 1, d);
    n = 0;
    while (wl_source_next(s, &r, d) == 1)
        n++;
    ck_assert_int_eq(n, 50);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

START_TEST(closed_loop)
{
    wl_source_spec spec = synth(WL_ARRIVAL_CLOSED, 0, 10);
    hs_diag *d = hs_diag_new();
    wl_source *s;
    wl_request r;
    hs_time t;

    spec.synthetic.arrival.concurrency = 4;
    s = open_ok(&spec, 0, 1, d);
    ck_assert(wl_source_closed(s));
    for (int i = 0; i < 4; i++) {
        ck_assert(!wl_source_blocked(s));
        ck_assert_int_eq(wl_source_next(s, &r, d), 1);
        ck_assert_int_eq(r.arrival, 0);
    }
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(wl_source_blocked(s));
    ck_assert_int_eq(wl_source_peek(s, &t, d), 0);
    wl_source_release(s, 5);
    ck_assert(!wl_source_blocked(s));
    ck_assert_int_eq(wl_source_peek(s, &t, d), 1);
    ck_assert_int_eq(t, 5);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.arrival, 5);
    ck_assert_int_eq(r.id, 4);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(wl_source_blocked(s));
    wl_source_release(s, 7);
    wl_source_release(s, 8);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.arrival, 7);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.arrival, 8);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    for (hs_time now = 10; now < 14; now++)
        wl_source_release(s, now);
    for (hs_time now = 10; now < 13; now++) {
        ck_assert_int_eq(wl_source_next(s, &r, d), 1);
        ck_assert_int_eq(r.arrival, now);
    }
    /* 10 requests made: exhausted, not blocked, although one is owed. */
    ck_assert_int_eq(wl_source_count(s), 10);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(!wl_source_blocked(s));
    wl_source_release(s, 20);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert_uint_eq(hs_diag_count(d), 0);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

/* A ramp starts 4 users at 0, 1, 2 and 3 s (k x 3 s / 3); a request
 * released at 0.5 s comes back before the second user's first, and a
 * peek moves (serve/ re-arms its event) but takes nothing. */
START_TEST(closed_loop_ramp)
{
    wl_source_spec spec = synth(WL_ARRIVAL_CLOSED, 0, 10);
    hs_diag *d = hs_diag_new();
    wl_source *s;
    wl_request r;
    hs_time t;

    spec.synthetic.arrival.concurrency = 4;
    spec.synthetic.arrival.ramp_s = 3.0;
    s = open_ok(&spec, 0, 1, d);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.arrival, 0);
    ck_assert_int_eq(wl_source_peek(s, &t, d), 1);
    ck_assert_int_eq(t, HS_NS_PER_S);
    wl_source_release(s, HS_NS_PER_S / 2);
    ck_assert_int_eq(wl_source_peek(s, &t, d), 1);
    ck_assert_int_eq(t, HS_NS_PER_S / 2);
    ck_assert_int_eq(wl_source_peek(s, &t, d), 1); /* a peek takes nothing */
    ck_assert_int_eq(t, HS_NS_PER_S / 2);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.arrival, HS_NS_PER_S / 2);
    for (int64_t k = 1; k < 4; k++) {
        ck_assert_int_eq(wl_source_next(s, &r, d), 1);
        ck_assert_int_eq(r.arrival, k * HS_NS_PER_S);
    }
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(wl_source_blocked(s));
    ck_assert_uint_eq(hs_diag_count(d), 0);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

/* Only the closed process is closed-loop. */
START_TEST(open_processes_are_open_loop)
{
    const wl_arrival_kind open[] = {WL_ARRIVAL_POISSON, WL_ARRIVAL_GAMMA,
                                    WL_ARRIVAL_CONSTANT};
    hs_diag *d = hs_diag_new();

    for (size_t i = 0; i < sizeof open / sizeof *open; i++) {
        wl_source_spec spec = synth(open[i], 10, 5);
        wl_source *s;

        spec.synthetic.arrival.cv = 1;
        s = open_ok(&spec, 0, 1, d);
        ck_assert(!wl_source_closed(s));
        wl_source_close(s);
    }
    hs_diag_free(d);
}
END_TEST

START_TEST(closed_loop_horizon)
{
    wl_source_spec spec = synth(WL_ARRIVAL_CLOSED, 0, 0);
    hs_diag *d = hs_diag_new();
    wl_source *s;
    wl_request r;

    spec.synthetic.arrival.concurrency = 2;
    spec.synthetic.horizon_s = 1.0;
    s = open_ok(&spec, 0, 1, d);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    wl_source_release(s, 999999999);
    wl_source_release(s, 1000000000);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.arrival, 999999999);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(!wl_source_blocked(s));
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

/* ---- length distributions ---------------------------------------------- */

START_TEST(lognormal_mean_and_cv)
{
    wl_dist_spec p = {0};
    double mean, cv;
    int64_t lo, hi;

    p.kind = WL_DIST_LOGNORMAL;
    p.mean = 2048;
    p.cv = 1.0;
    length_stats(&p, &mean, &cv, &lo, &hi);
    /* SE: mean 0.22%, CV about 0.7% */
    ck_assert_double_eq_tol(mean, 2048, 2048 * 0.01);
    ck_assert_double_eq_tol(cv, 1.0, 0.04);
    p.mean = 500;
    p.cv = 0.25;
    length_stats(&p, &mean, &cv, &lo, &hi);
    ck_assert_double_eq_tol(mean, 500, 500 * 0.003);
    ck_assert_double_eq_tol(cv, 0.25, 0.25 * 0.02);
    /* clamped */
    p.min = 400;
    p.max = 600;
    length_stats(&p, &mean, &cv, &lo, &hi);
    ck_assert_int_eq(lo, 400);
    ck_assert_int_eq(hi, 600);
}
END_TEST

/* Draws below 1.5 round or clamp to 1: with mean 1 and CV 3 that is
 * P(X < 1.5) = Phi((ln 1.5 + ln(10) / 2) / sqrt(ln 10)) = 0.847535 of
 * them (169507 of 200k, sd 161), and none is below 1. */
START_TEST(lognormal_clamps_at_one)
{
    wl_source_spec spec = synth(WL_ARRIVAL_CONSTANT, 1000, N_STAT);
    wl_request *r;
    int64_t ones = 0, below = 0;

    spec.synthetic.prompt.kind = WL_DIST_LOGNORMAL;
    spec.synthetic.prompt.mean = 1;
    spec.synthetic.prompt.cv = 3;
    r = draw(&spec, 0, 13, N_STAT);
    for (size_t i = 0; i < N_STAT; i++) {
        ones += r[i].prompt_tokens == 1;
        below += r[i].prompt_tokens < 1;
    }
    ck_assert_int_eq(below, 0);
    ck_assert_int_lt(llabs(ones - 169507), 700);
    free(r);
}
END_TEST

START_TEST(uniform_bounds)
{
    wl_source_spec spec = synth(WL_ARRIVAL_CONSTANT, 1000, N_STAT);
    int64_t count[11] = {0};
    size_t outside = 0;
    wl_request *r;

    spec.synthetic.prompt.kind = WL_DIST_UNIFORM;
    spec.synthetic.prompt.min = 10;
    spec.synthetic.prompt.max = 20;
    r = draw(&spec, 0, 5, N_STAT);
    for (size_t i = 0; i < N_STAT; i++) {
        if (r[i].prompt_tokens < 10 || r[i].prompt_tokens > 20)
            outside++;
        else
            count[r[i].prompt_tokens - 10]++;
    }
    ck_assert_uint_eq(outside, 0);
    for (int v = 0; v < 11; v++) /* expected 18182, sd 129 */
        ck_assert_int_lt(llabs(count[v] - N_STAT / 11), 800);
    free(r);
}
END_TEST

START_TEST(fixed_and_clamp)
{
    wl_source_spec spec = synth(WL_ARRIVAL_CONSTANT, 1000, 10);
    wl_request *r;

    spec.synthetic.prompt.value = 99.5; /* rounds half up */
    spec.synthetic.output.value = 0;    /* at least 1 */
    r = draw(&spec, 0, 5, 10);
    for (size_t i = 0; i < 10; i++) {
        ck_assert_int_eq(r[i].prompt_tokens, 100);
        ck_assert_int_eq(r[i].output_tokens, 1);
    }
    free(r);
    spec.synthetic.prompt.value = 5000;
    spec.synthetic.prompt.max = 4096;
    r = draw(&spec, 0, 5, 10);
    ck_assert_int_eq(r[9].prompt_tokens, 4096);
    free(r);
}
END_TEST

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* The sorted prompt (or output) column of a trace. */
static int64_t *column(const char *path, bool prompt, size_t *n)
{
    wl_source_spec spec;
    hs_diag *d = hs_diag_new();
    wl_source *s;
    wl_request r;
    int64_t *v = malloc(20000 * sizeof *v);

    memset(&spec, 0, sizeof spec);
    spec.kind = WL_SOURCE_TRACE;
    spec.trace.path = (char *)path;
    spec.trace.time_scale = 1;
    s = open_ok(&spec, 0, 0, d);
    *n = 0;
    while (*n < 20000 && wl_source_next(s, &r, d) == 1)
        v[(*n)++] = prompt ? r.prompt_tokens : r.output_tokens;
    qsort(v, *n, sizeof *v, cmp_i64);
    wl_source_close(s);
    hs_diag_free(d);
    return v;
}

START_TEST(empirical_samples_the_column)
{
    wl_source_spec spec = synth(WL_ARRIVAL_POISSON, 10, 20000);
    size_t np, no, distinct = 0;
    int64_t *pc = column("traces/azure_code.csv", true, &np);
    int64_t *oc = column("traces/azure_conv.csv", false, &no);
    int64_t *seen = calloc(20000, sizeof *seen);
    size_t missing = 0;
    wl_request *r;

    spec.synthetic.prompt.kind = WL_DIST_EMPIRICAL;
    spec.synthetic.prompt.path = (char *)"traces/azure_code.csv";
    spec.synthetic.prompt.format = (char *)"azure";
    spec.synthetic.output.kind = WL_DIST_EMPIRICAL;
    spec.synthetic.output.path = (char *)"traces/azure_conv.csv";
    spec.synthetic.output.format = (char *)"azure";
    r = draw(&spec, 0, 3, 20000);
    for (size_t i = 0; i < 20000; i++) {
        missing +=
            bsearch(&r[i].prompt_tokens, pc, np, sizeof *pc, cmp_i64) == NULL;
        missing +=
            bsearch(&r[i].output_tokens, oc, no, sizeof *oc, cmp_i64) == NULL;
        seen[i] = r[i].prompt_tokens;
    }
    ck_assert_uint_eq(missing, 0);
    qsort(seen, 20000, sizeof *seen, cmp_i64);
    for (size_t i = 0; i < 20000; i++)
        distinct += i == 0 || seen[i] != seen[i - 1];
    ck_assert_uint_gt(distinct, 1500); /* the code trace has 3552 */
    free(pc);
    free(oc);
    free(seen);
    free(r);
}
END_TEST

/* ---- the engine ------------------------------------------------------- */

/* One engine for both spec forms, sampled at u by inverse transform. */
START_TEST(engine_is_an_inverse_transform)
{
    wl_preset_dist pd;
    wl_dist d;

    memset(&pd, 0, sizeof pd);
    pd.kind = WL_DIST_UNIFORM; /* integers 10..20, 11 of them */
    pd.min = 10;
    pd.max = 20;
    wl_dist_preset(&d, &pd, false);
    ck_assert_int_eq(wl_dist_tokens(&d, 1e-9), 10);
    ck_assert_int_eq(wl_dist_tokens(&d, 1.0 / 11 + 1e-9), 11);
    ck_assert_int_eq(wl_dist_tokens(&d, 1 - 1e-9), 20);
    wl_dist_preset(&d, &pd, true); /* seconds: continuous */
    ck_assert_int_eq(wl_dist_time(&d, 0.25), INT64_C(12500000000));
    pd.kind = WL_DIST_LOGNORMAL; /* median mean / sqrt(1 + cv^2) */
    pd.mean = 1000;
    pd.cv = 0.75;
    pd.min = pd.max = 0;
    wl_dist_preset(&d, &pd, false);
    ck_assert_int_eq(wl_dist_tokens(&d, 0.5), 800);
    pd.max = 500; /* the clamp */
    wl_dist_preset(&d, &pd, false);
    ck_assert_int_eq(wl_dist_tokens(&d, 0.5), 500);
    pd.kind = WL_DIST_FIXED;
    pd.value = 0.2; /* at least one token, any time >= 0 */
    pd.max = 0;
    wl_dist_preset(&d, &pd, false);
    ck_assert_int_eq(wl_dist_tokens(&d, 0.5), 1);
    wl_dist_preset(&d, &pd, true);
    ck_assert_int_eq(wl_dist_time(&d, 0.5), 200000000);
}
END_TEST

/* A synthetic source's length is the engine at one uniform number of its
 * stream: replayed here from the same stream, exactly. */
START_TEST(synthetic_draws_one_uniform_each)
{
    wl_source_spec spec = lognormal_poisson();
    wl_request *r = draw(&spec, 4, 21, 1000);
    gsl_rng *pg = wl_rng_new(21, 4, WL_STREAM_PROMPT);
    gsl_rng *og = wl_rng_new(21, 4, WL_STREAM_OUTPUT);
    hs_diag *d = hs_diag_new();
    wl_dist p, o;
    size_t bad = 0;

    ck_assert_int_eq(
        wl_dist_init(&p, &spec.synthetic.prompt, true, spec.loc, d), HS_OK);
    ck_assert_int_eq(
        wl_dist_init(&o, &spec.synthetic.output, false, spec.loc, d), HS_OK);
    for (size_t i = 0; i < 1000; i++) {
        bad +=
            r[i].prompt_tokens != wl_dist_tokens(&p, gsl_rng_uniform_pos(pg));
        bad +=
            r[i].output_tokens != wl_dist_tokens(&o, gsl_rng_uniform_pos(og));
    }
    ck_assert_uint_eq(bad, 0);
    wl_dist_fini(&p);
    wl_dist_fini(&o);
    gsl_rng_free(pg);
    gsl_rng_free(og);
    hs_diag_free(d);
    free(r);
}
END_TEST

/* ---- spec errors ------------------------------------------------------- */

static void open_fails(const wl_source_spec *spec, const char *const *want)
{
    hs_diag *d = hs_diag_new();
    size_t n = 0;

    ck_assert_ptr_null(wl_source_open(spec, 0, 1, d));
    for (; want[n] != NULL; n++) {
        ck_assert_uint_gt(hs_diag_count(d), n);
        ck_assert_str_eq(hs_diag_message(d, n), want[n]);
    }
    ck_assert_uint_eq(hs_diag_count(d), n);
    hs_diag_free(d);
}

START_TEST(bad_specs)
{
    wl_source_spec spec = synth(WL_ARRIVAL_GAMMA, 0, 0);
    const char *const w1[] = {
        "w.yaml:3:7: error: arrival 'rate' must be > 0, got 0",
        "w.yaml:3:7: error: gamma arrivals need 'cv' > 0, got 0",
        "w.yaml:3:7: error: synthetic source needs 'requests' or 'horizon' "
        "to end",
        "w.yaml:9:9: error: prompt: uniform needs 'max', at most 2^32 - 1 "
        "above 'min'",
        "w.yaml:3:7: error: output: lognormal needs 'mean' > 0 and 'cv' >= "
        "0, got 0 and -1",
        NULL};
    const char *const w2[] = {
        "w.yaml:3:7: error: closed arrivals need 'concurrency' >= 1, got 0",
        "w.yaml:3:7: error: prompt: unknown trace format 'parquet' "
        "(expected azure, mooncake, hetsim or sessions)",
        "traces/nope.csv: error: cannot open: No such file or directory",
        NULL};
    const char *const w3[] = {
        "w.yaml:3:7: error: prompt: 'max' (5) is below max(1, 'min') (10)",
        NULL};

    spec.loc.file = "w.yaml";
    spec.loc.line = 3;
    spec.loc.col = 7;
    spec.synthetic.prompt.kind = WL_DIST_UNIFORM;
    spec.synthetic.prompt.loc = (hs_loc){"w.yaml", 9, 9};
    spec.synthetic.output.kind = WL_DIST_LOGNORMAL;
    spec.synthetic.output.cv = -1;
    open_fails(&spec, w1);

    spec.synthetic.arrival.kind = WL_ARRIVAL_CLOSED;
    spec.synthetic.requests = 5;
    spec.synthetic.prompt.kind = WL_DIST_EMPIRICAL;
    spec.synthetic.prompt.loc.file = NULL;
    spec.synthetic.prompt.path = (char *)"traces/azure_code.csv";
    spec.synthetic.prompt.format = (char *)"parquet";
    spec.synthetic.output.kind = WL_DIST_EMPIRICAL;
    spec.synthetic.output.path = (char *)"traces/nope.csv";
    spec.synthetic.output.format = (char *)"azure";
    open_fails(&spec, w2);

    spec = synth(WL_ARRIVAL_POISSON, 1, 5);
    spec.loc = (hs_loc){"w.yaml", 3, 7};
    spec.synthetic.prompt.min = 10;
    spec.synthetic.prompt.max = 5;
    open_fails(&spec, w3);
}
END_TEST

Suite *wl_synthetic_suite(void)
{
    Suite *s = suite_create("wl_synthetic");
    TCase *det = tcase_create("determinism");
    TCase *arr = tcase_create("arrivals");
    TCase *len = tcase_create("lengths");

    tcase_add_test(det, same_seed_same_sequence);
    tcase_add_test(det, other_index_or_seed_differs);
    tcase_add_test(det, streams_are_independent);
    tcase_add_test(det, prompt_and_output_streams_differ);
    suite_add_tcase(s, det);
    tcase_set_timeout(arr, 60);
    tcase_add_test(arr, poisson_mean_gap);
    tcase_add_test(arr, gamma_mean_and_cv);
    tcase_add_test(arr, constant_is_exact);
    tcase_add_test(arr, horizon_stops_arrivals);
    tcase_add_test(arr, closed_loop);
    tcase_add_test(arr, closed_loop_horizon);
    tcase_add_test(arr, closed_loop_ramp);
    tcase_add_test(arr, open_processes_are_open_loop);
    suite_add_tcase(s, arr);
    tcase_set_timeout(len, 60);
    tcase_add_test(len, lognormal_mean_and_cv);
    tcase_add_test(len, lognormal_clamps_at_one);
    tcase_add_test(len, uniform_bounds);
    tcase_add_test(len, fixed_and_clamp);
    tcase_add_test(len, empirical_samples_the_column);
    tcase_add_test(len, bad_specs);
    tcase_add_test(len, engine_is_an_inverse_transform);
    tcase_add_test(len, synthetic_draws_one_uniform_each);
    suite_add_tcase(s, len);
    return s;
}
