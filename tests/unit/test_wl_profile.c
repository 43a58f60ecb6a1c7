/*
 * test_wl_profile.c -- rate profiles (workload.h): the factor, its
 * integral and the inverse against hand-computed values; a constant
 * process and a trace warped to exact times; agent session starts; and
 * Poisson counts per window against the profile's integral, within four
 * standard deviations (so a wrong warp fails and a right one does not).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hetsim/util.h"
#include "hetsim/workload.h"

Suite *wl_profile_suite(void);

/* A points profile through (t[i], f[i]), i < n. */
static wl_profile_spec points_of(size_t n, const double *t, const double *f)
{
    wl_profile_spec p;

    memset(&p, 0, sizeof p);
    p.kind = WL_PROFILE_POINTS;
    p.n_points = n;
    for (size_t i = 0; i < n; i++) {
        p.t_s[i] = t[i];
        p.factor[i] = f[i];
    }
    return p;
}

/* [[0s, 1], [10s, 3]]: f = 1 + 0.2 t up to 10 s, then 3. */
static wl_profile_spec ramp(void)
{
    return points_of(2, (const double[]){0, 10}, (const double[]){1, 3});
}

/* The example: [[0s, 0.5], [10min, 2.0], [20min, 0.5]]. */
static wl_profile_spec tent(void)
{
    return points_of(3, (const double[]){0, 600, 1200},
                     (const double[]){0.5, 2.0, 0.5});
}

static wl_profile_spec day(void)
{
    wl_profile_spec p;

    memset(&p, 0, sizeof p);
    p.kind = WL_PROFILE_DIURNAL;
    p.period_s = 86400;
    p.peak = 2.0;
    p.trough = 0.25;
    p.phase_s = 14 * 3600.0;
    return p;
}

START_TEST(points_by_hand)
{
    wl_profile_spec p = ramp();

    /* L(t) = t + 0.1 t^2 on [0, 10]: L(10) = 20; then 20 + 3 (t - 10). */
    ck_assert_double_eq_tol(wl_profile_factor(&p, 5), 2.0, 1e-15);
    ck_assert_double_eq_tol(wl_profile_factor(&p, 50), 3.0, 1e-15);
    ck_assert_double_eq_tol(wl_profile_integral(&p, 5), 7.5, 1e-12);
    ck_assert_double_eq_tol(wl_profile_integral(&p, 12), 26.0, 1e-12);
    /* 0.1 t^2 + t = 11.25: t = (-1 + sqrt(5.5)) / 0.2 */
    ck_assert_double_eq_tol(wl_profile_time(&p, 11.25), 6.726039399558574,
                            1e-12);
    ck_assert_double_eq_tol(wl_profile_time(&p, 26.0), 12.0, 1e-12);
    ck_assert_double_eq(wl_profile_time(&p, 0), 0);
}
END_TEST

/* A first point after 0 s holds its factor before it; a zero factor
 * inside the profile is skipped by the inverse. */
START_TEST(points_hold_and_gap)
{
    wl_profile_spec p =
        points_of(3, (const double[]){10, 20, 30}, (const double[]){0, 0, 2});

    ck_assert_double_eq(wl_profile_integral(&p, 20), 0);
    /* on [20, 30] f = 0.2 (t - 20): L = 0.1 (t - 20)^2, so L(30) = 10 */
    ck_assert_double_eq_tol(wl_profile_time(&p, 2.5), 25.0, 1e-12);
    ck_assert_double_eq_tol(wl_profile_time(&p, 14.0), 32.0, 1e-12);
}
END_TEST

/* The diurnal integral equals a fine midpoint sum of the factor, one
 * period carries (peak + trough) / 2 x period, and L^-1 inverts L. */
START_TEST(diurnal_integral_and_inverse)
{
    wl_profile_spec p = day();
    double sum = 0, h = 1.0;

    ck_assert_double_eq_tol(wl_profile_factor(&p, p.phase_s), 2.0, 1e-12);
    ck_assert_double_eq_tol(wl_profile_factor(&p, p.phase_s + 43200), 0.25,
                            1e-12);
    for (double t = 0; t < 30000; t += h)
        sum += wl_profile_factor(&p, t + h / 2) * h;
    ck_assert_double_eq_tol(wl_profile_integral(&p, 30000), sum, 1e-4);
    ck_assert_double_eq_tol(wl_profile_integral(&p, 86400), 1.125 * 86400,
                            1e-6);
    for (double t = 0.5; t < 3 * 86400; t *= 1.7)
        ck_assert_double_eq_tol(
            wl_profile_time(&p, wl_profile_integral(&p, t)), t, 1e-6 * t);
}
END_TEST

static wl_source_spec constant_with(const wl_profile_spec *p, int64_t n)
{
    wl_source_spec s;

    memset(&s, 0, sizeof s);
    s.kind = WL_SOURCE_SYNTHETIC;
    s.synthetic.arrival.kind = WL_ARRIVAL_CONSTANT;
    s.synthetic.arrival.rate = 4.0;
    s.synthetic.arrival.profile = *p;
    s.synthetic.requests = n;
    s.synthetic.prompt.kind = WL_DIST_FIXED;
    s.synthetic.prompt.value = 100;
    s.synthetic.output.kind = WL_DIST_FIXED;
    s.synthetic.output.value = 10;
    return s;
}

/* Constant arrivals at 4/s through the ramp: arrival k at L^-1(k / 4);
 * k = 45 is at L = 11.25 (hand value above), k = 104 at 26 -> 12 s. */
START_TEST(constant_warped_exactly)
{
    wl_profile_spec p = ramp();
    wl_source_spec spec = constant_with(&p, 105);
    hs_diag *d = hs_diag_new();
    wl_source *s = wl_source_open(&spec, 0, 1, d);
    wl_request r;
    hs_time at[105];

    ck_assert_ptr_nonnull(s);
    for (int k = 0; k < 105; k++) {
        ck_assert_int_eq(wl_source_next(s, &r, d), 1);
        at[k] = r.arrival;
    }
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert_int_eq(at[0], 0);
    ck_assert_int_eq(at[45], INT64_C(6726039400)); /* 6.7260393996 s */
    ck_assert_int_eq(at[104], INT64_C(12000000000));
    for (int k = 1; k < 105; k++)
        ck_assert_int_le(at[k - 1], at[k]);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

/* Poisson at 20/s through the tent for 30 min, five seeds: each 5-min
 * window holds rate x (L(b) - L(a)) arrivals within 4 sigma. */
START_TEST(poisson_counts_follow_the_integral)
{
    wl_profile_spec p = tent();
    wl_source_spec spec = constant_with(&p, 0);

    spec.synthetic.arrival.kind = WL_ARRIVAL_POISSON;
    spec.synthetic.arrival.rate = 20.0;
    spec.synthetic.horizon_s = 1800;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        hs_diag *d = hs_diag_new();
        wl_source *s = wl_source_open(&spec, 0, seed, d);
        wl_request r;
        long count[6] = {0};

        ck_assert_ptr_nonnull(s);
        while (wl_source_next(s, &r, d) == 1)
            count[(int)(hs_time_to_s(r.arrival) / 300)]++;
        for (int w = 0; w < 6; w++) {
            double want = 20 * (wl_profile_integral(&p, 300.0 * (w + 1)) -
                                wl_profile_integral(&p, 300.0 * w));

            ck_assert_msg(fabs((double)count[w] - want) < 4 * sqrt(want),
                          "seed %d window %d: %ld arrivals, want %.0f",
                          (int)seed, w, count[w], want);
        }
        wl_source_close(s);
        hs_diag_free(d);
    }
    /* the expected counts by hand: 5250, 9750, 9750, 5250, 3000, 3000 */
    ck_assert_double_eq_tol(20 * wl_profile_integral(&p, 300), 5250, 1e-9);
    ck_assert_double_eq_tol(
        20 * (wl_profile_integral(&p, 1800) - wl_profile_integral(&p, 1500)),
        3000, 1e-9);
}
END_TEST

/* A trace's arrivals land at L^-1 of their own times, to the ns: the
 * same file read without and with the ramp, side by side. */
START_TEST(trace_warped)
{
    wl_source_spec plain, warped;
    hs_diag *d = hs_diag_new();
    wl_source *a, *b;
    wl_request ra, rb;
    int n = 0;

    memset(&plain, 0, sizeof plain);
    plain.kind = WL_SOURCE_TRACE;
    plain.trace.format = WL_TRACE_HETSIM;
    plain.trace.path = (char *)"tests/data/traces/hetsim_small.csv";
    plain.trace.time_scale = 7.0;
    warped = plain;
    warped.trace.profile = ramp();
    a = wl_source_open(&plain, 0, 1, d);
    b = wl_source_open(&warped, 0, 1, d);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    while (wl_source_next(a, &ra, d) == 1) {
        double want =
            wl_profile_time(&warped.trace.profile, hs_time_to_s(ra.arrival));

        ck_assert_int_eq(wl_source_next(b, &rb, d), 1);
        ck_assert_int_eq(rb.arrival, (hs_time)(want * 1e9 + 0.5));
        ck_assert_int_eq(rb.prompt_tokens, ra.prompt_tokens);
        n++;
    }
    ck_assert_int_eq(wl_source_next(b, &rb, d), 0);
    ck_assert_int_ge(n, 3);
    wl_source_close(a);
    wl_source_close(b);
    hs_diag_free(d);
    ck_assert_double_eq_tol(wl_profile_time(&warped.trace.profile, 7.5), 5.0,
                            1e-12);
}
END_TEST

Suite *wl_profile_suite(void)
{
    Suite *s = suite_create("wl_profile");
    TCase *tc = tcase_create("profile");

    tcase_add_test(tc, points_by_hand);
    tcase_add_test(tc, points_hold_and_gap);
    tcase_add_test(tc, diurnal_integral_and_inverse);
    tcase_add_test(tc, constant_warped_exactly);
    tcase_add_test(tc, poisson_counts_follow_the_integral);
    tcase_add_test(tc, trace_warped);
    suite_add_tcase(s, tc);
    return s;
}
