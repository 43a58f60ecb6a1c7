/*
 * app_kfit.c -- fitting one operator class's efficiency curve
 * (cost_curve) to measured kernel times with GSL's nonlinear least
 * squares (gsl_multifit_nlinear, trust region / Levenberg-Marquardt,
 * finite-difference Jacobian), and its residuals.
 *
 * The residual of a sample is log(predicted / measured), so every row
 * counts by its relative error whatever its size (kernel times span five
 * decades).  The prediction is the sum over the sample's kernels of
 * cost_kernel_s(), the very function the cost model evaluates.  Free
 * parameters are fitted in coordinates that keep them in range
 * (from_coord).
 * Only samples not held out ('test' false) enter the fit.
 */
#include "hetsim/app.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The curve fields in APP_KP_* bit order. */
static double *param(cost_curve *c, int i)
{
    double *f[APP_KP_COUNT] = {&c->eff_c,      &c->eff_m,    &c->half_flops,
                               &c->half_bytes, &c->half_par, &c->sharp,
                               &c->floor_s,    &c->unit_s};

    return f[i];
}

double app_kpredict(const cost_curve *c, double peak, double bw,
                    const app_ksample *s)
{
    double t = s->fixed_s;

    for (int i = 0; i < s->n_k; i++)
        t += cost_kernel_s(c, peak, bw, &s->k[i]);
    return t;
}

typedef struct fit_ctx {
    const app_ksample *s;
    size_t n;      /* all samples */
    size_t *train; /* indices of the training samples */
    size_t n_train;
    double peak, bw;
    unsigned mask;   /* free parameters */
    cost_curve base; /* fixed values */
} fit_ctx;

/* Fitted coordinates: efficiencies are logistic (kept in (0, 1)), the
 * corner's sharpness is 1 + exp(x) (at least a sum's softness), every
 * other parameter exp(x) (positive). */
static double from_coord(int i, double x)
{
    if (i == APP_KP_EFF_C || i == APP_KP_EFF_M)
        return 1.0 / (1.0 + exp(-x));
    if (i == APP_KP_SHARP)
        return 1.0 + exp(x);
    return exp(x);
}

static double to_coord(int i, double v)
{
    if (i == APP_KP_EFF_C || i == APP_KP_EFF_M)
        return log(v / (1.0 - v));
    if (i == APP_KP_SHARP)
        return log(v - 1.0);
    return log(v);
}

/* The curve for parameter vector 'x' (coordinates of the free ones). */
static cost_curve curve_of(const fit_ctx *f, const gsl_vector *x)
{
    cost_curve c = f->base;
    size_t j = 0;

    for (int i = 0; i < APP_KP_COUNT; i++)
        if (f->mask & (1u << i))
            *param(&c, i) = from_coord(i, gsl_vector_get(x, j++));
    return c;
}

static int residuals(const gsl_vector *x, void *data, gsl_vector *r)
{
    const fit_ctx *f = data;
    cost_curve c = curve_of(f, x);

    for (size_t i = 0; i < f->n_train; i++) {
        const app_ksample *s = &f->s[f->train[i]];
        double p = app_kpredict(&c, f->peak, f->bw, s);

        gsl_vector_set(r, i,
                       isfinite(p) && p > 0 ? log(p / s->measured_s) : 1e3);
    }
    return GSL_SUCCESS;
}

static size_t count_free(unsigned mask)
{
    size_t p = 0;

    for (int i = 0; i < APP_KP_COUNT; i++)
        p += (mask >> i) & 1u;
    return p;
}

/* Run the solver from the start values in 'f->base'; the fitted curve
 * into '*out', the final cost (sum of squares) returned. */
static double solve(fit_ctx *f, cost_curve *out, int *status)
{
    size_t p = count_free(f->mask), j = 0;
    gsl_multifit_nlinear_fdf fdf;
    gsl_multifit_nlinear_parameters prm =
        gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w = gsl_multifit_nlinear_alloc(
        gsl_multifit_nlinear_trust, &prm, f->n_train, p);
    gsl_vector *x = gsl_vector_alloc(p);
    double chisq;
    int info;

    for (int i = 0; i < APP_KP_COUNT; i++)
        if (f->mask & (1u << i))
            gsl_vector_set(x, j++, to_coord(i, *param(&f->base, i)));
    memset(&fdf, 0, sizeof fdf);
    fdf.f = residuals;
    fdf.n = f->n_train;
    fdf.p = p;
    fdf.params = f;
    gsl_multifit_nlinear_init(x, &fdf, w);
    *status = gsl_multifit_nlinear_driver(500, 1e-10, 1e-10, 1e-12, NULL, NULL,
                                          &info, w);
    *out = curve_of(f, gsl_multifit_nlinear_position(w));
    gsl_blas_ddot(gsl_multifit_nlinear_residual(w),
                  gsl_multifit_nlinear_residual(w), &chisq);
    gsl_vector_free(x);
    gsl_multifit_nlinear_free(w);
    return chisq;
}

/* A start value inside the range of its coordinate. */
static bool start_ok(int i, double v)
{
    if (i == APP_KP_EFF_C || i == APP_KP_EFF_M)
        return v > 0 && v < 1;
    if (i == APP_KP_SHARP)
        return v > 1;
    return v > 0;
}

int app_kfit(const app_ksample *s, size_t n, double peak, double bw,
             unsigned mask, cost_curve *c, hs_diag *d)
{
    fit_ctx f = {s, n, NULL, 0, peak, bw, mask, *c};
    hs_loc none = {NULL, 0, 0};
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    cost_curve best;
    int status;

    for (int i = 0; i < APP_KP_COUNT; i++)
        if ((mask & (1u << i)) && !start_ok(i, *param(c, i)))
            return hs_diag_error(d, none,
                                 "fit: free parameter %d: start value %g "
                                 "out of its range",
                                 i, *param(c, i));
    f.train = hs_calloc(n + 1, sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        if (!s[i].test)
            f.train[f.n_train++] = i;
    if (f.n_train < count_free(mask) + 2) {
        free(f.train);
        gsl_set_error_handler(old);
        return hs_diag_error(d, none,
                             "fit: %zu training rows for %zu parameters",
                             f.n_train, count_free(mask));
    }
    solve(&f, &best, &status);
    free(f.train);
    gsl_set_error_handler(old);
    best.fitted = true;
    *c = best;
    return HS_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The q-quantile of sorted v[0..n) (nearest rank). */
static double quantile(const double *v, size_t n, double q)
{
    size_t i = (size_t)ceil(q * (double)n);

    return v[i > 0 ? i - 1 : 0];
}

void app_kresiduals(const app_ksample *s, size_t n, double peak, double bw,
                    const cost_curve *c, bool test, app_kresid *out)
{
    double *abs_err = hs_calloc(n + 1, sizeof(double));
    double *err = hs_calloc(n + 1, sizeof(double));
    size_t m = 0;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        double e;

        if (s[i].test != test)
            continue;
        e = app_kpredict(c, peak, bw, &s[i]) / s[i].measured_s - 1.0;
        err[m] = e;
        abs_err[m++] = fabs(e);
    }
    out->n = m;
    if (m > 0) {
        qsort(abs_err, m, sizeof(double), cmp_double);
        qsort(err, m, sizeof(double), cmp_double);
        out->median = quantile(abs_err, m, 0.5);
        out->p90 = quantile(abs_err, m, 0.9);
        out->bias = quantile(err, m, 0.5);
    }
    free(abs_err);
    free(err);
}
