/*
 * wl_profile.c -- rate profiles: the factor f(t) that scales a source's
 * rate over time, its integral L(t), and the inverse L^-1(u) that maps a
 * source's "operational time" to simulated time (workload.h).
 *
 * Diurnal: f = m + A cos(w (t - phase)), w = 2 pi / period, so
 *   L(t) = m t + (A / w) (sin(w (t - phase)) + sin(w phase)),
 * and L(t + period) = L(t) + m period: L^-1 reduces u to one period and
 * bisects there (L is increasing; 80 halvings of a period reach the
 * spacing of doubles).  Points: L is piecewise quadratic; L^-1 walks the
 * segments and solves the quadratic of the one that holds u in the form
 * that cannot cancel, x = 2 d / (f0 + sqrt(f0^2 + 2 a d)).
 */
#include "hetsim/workload.h"

#include <math.h>

#include "hetsim/util.h"

static const double two_pi = 6.283185307179586476925286766559;

/* ---- diurnal ------------------------------------------------------------ */

static double diurnal_factor(const wl_profile_spec *p, double t)
{
    double m = (p->peak + p->trough) / 2, a = (p->peak - p->trough) / 2;

    return m + a * cos(two_pi * (t - p->phase_s) / p->period_s);
}

static double diurnal_integral(const wl_profile_spec *p, double t)
{
    double m = (p->peak + p->trough) / 2, a = (p->peak - p->trough) / 2;
    double w = two_pi / p->period_s;

    return m * t + a / w * (sin(w * (t - p->phase_s)) + sin(w * p->phase_s));
}

static double diurnal_time(const wl_profile_spec *p, double u)
{
    double per_period = (p->peak + p->trough) / 2 * p->period_s;
    double k = floor(u / per_period), r = u - k * per_period;
    double lo = 0, hi = p->period_s;

    if (r <= 0)
        return k * p->period_s;
    for (int i = 0; i < 80 && lo < hi; i++) {
        double mid = lo + (hi - lo) / 2;

        if (diurnal_integral(p, mid) < r)
            lo = mid;
        else
            hi = mid;
    }
    return k * p->period_s + hi;
}

/* ---- points ------------------------------------------------------------- */

static double points_factor(const wl_profile_spec *p, double t)
{
    size_t n = p->n_points;

    if (t <= p->t_s[0])
        return p->factor[0];
    for (size_t i = 0; i + 1 < n; i++)
        if (t < p->t_s[i + 1]) {
            double x = (t - p->t_s[i]) / (p->t_s[i + 1] - p->t_s[i]);

            return p->factor[i] + x * (p->factor[i + 1] - p->factor[i]);
        }
    return p->factor[n - 1];
}

/* The area under f over [t_i, t_i + x] of segment i (x within it). */
static double segment_area(const wl_profile_spec *p, size_t i, double x)
{
    double h = p->t_s[i + 1] - p->t_s[i];
    double slope = (p->factor[i + 1] - p->factor[i]) / h;

    return x * (p->factor[i] + slope * x / 2);
}

static double points_integral(const wl_profile_spec *p, double t)
{
    size_t n = p->n_points;
    double sum;

    if (t <= p->t_s[0])
        return p->factor[0] * t;
    sum = p->factor[0] * p->t_s[0];
    for (size_t i = 0; i + 1 < n; i++) {
        double h = p->t_s[i + 1] - p->t_s[i];

        if (t < p->t_s[i + 1])
            return sum + segment_area(p, i, t - p->t_s[i]);
        sum += segment_area(p, i, h);
    }
    return sum + p->factor[n - 1] * (t - p->t_s[n - 1]);
}

/* x in [0, h] with segment_area(i, x) = d (0 <= d <= its whole area). */
static double segment_solve(const wl_profile_spec *p, size_t i, double d)
{
    double h = p->t_s[i + 1] - p->t_s[i];
    double f0 = p->factor[i];
    double slope = (p->factor[i + 1] - f0) / h;
    double den = f0 + sqrt(f0 * f0 + 2 * slope * d);
    double x = den > 0 ? 2 * d / den : 0;

    return x < h ? x : h;
}

static double points_time(const wl_profile_spec *p, double u)
{
    size_t n = p->n_points;
    double sum = p->factor[0] * p->t_s[0];

    if (u <= sum)
        return p->factor[0] > 0 ? u / p->factor[0] : 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double area = segment_area(p, i, p->t_s[i + 1] - p->t_s[i]);

        if (u <= sum + area && area > 0)
            return p->t_s[i] + segment_solve(p, i, u - sum);
        sum += area;
    }
    /* the last factor is > 0 (io/ checks it): the tail holds any u */
    return p->t_s[n - 1] + (u - sum) / p->factor[n - 1];
}

/* ---- the interface ------------------------------------------------------ */

double wl_profile_factor(const wl_profile_spec *p, double t)
{
    switch (p->kind) {
    case WL_PROFILE_NONE:
        return 1.0;
    case WL_PROFILE_DIURNAL:
        return diurnal_factor(p, t);
    case WL_PROFILE_POINTS:
        return points_factor(p, t);
    }
    HS_UNREACHABLE("bad wl_profile_kind");
}

double wl_profile_integral(const wl_profile_spec *p, double t)
{
    switch (p->kind) {
    case WL_PROFILE_NONE:
        return t;
    case WL_PROFILE_DIURNAL:
        return diurnal_integral(p, t);
    case WL_PROFILE_POINTS:
        return points_integral(p, t);
    }
    HS_UNREACHABLE("bad wl_profile_kind");
}

double wl_profile_time(const wl_profile_spec *p, double u)
{
    if (!(u > 0))
        return 0;
    switch (p->kind) {
    case WL_PROFILE_NONE:
        return u;
    case WL_PROFILE_DIURNAL:
        return diurnal_time(p, u);
    case WL_PROFILE_POINTS:
        return points_time(p, u);
    }
    HS_UNREACHABLE("bad wl_profile_kind");
}
