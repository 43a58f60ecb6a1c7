/*
 * cost_calib.c -- calibrated kernel curves: the time of one kernel under
 * a fitted efficiency curve, and the measured all-reduce tables.
 *
 * The formulas are those of cost.h (cost_curve); 'hetsim calibrate'
 * fits their parameters with the same cost_kernel_s(), so the simulator
 * evaluates exactly the function that was fitted (docs/calibration.md).
 */
#include "hetsim/cost.h"

#include <math.h>
#include <string.h>

static const char *const kclass_names[] = {
#define X(e, name) name,
    COST_KCLASSES(X)
#undef X
};

const char *cost_kclass_name(cost_kclass k)
{
    return (unsigned)k < COST_N_KCLASS ? kclass_names[k] : "unknown";
}

bool cost_kclass_parse(const char *name, cost_kclass *out)
{
    for (int k = 0; k < COST_N_KCLASS; k++)
        if (strcmp(kclass_names[k], name) == 0) {
            *out = (cost_kclass)k;
            return true;
        }
    return false;
}

/* x / (x + half), or 1 when there is no half point. */
static double saturate(double x, double half)
{
    if (half <= 0)
        return 1.0;
    return x / (x + half);
}

double cost_kernel_s(const cost_curve *c, double peak, double bw,
                     const cost_kernel *k)
{
    double tc = 0, tm = 0, roof, t;

    if (k->flops > 0) {
        /* F / (eff_c * F/(F+h) * peak) = (F + h) / (eff_c * peak) */
        tc = (k->flops + (c->half_flops > 0 ? c->half_flops : 0)) /
             (c->eff_c * peak);
    }
    if (k->bytes > 0) {
        double em = c->eff_m * saturate(k->bytes, c->half_bytes);

        if (k->par > 0)
            em *= saturate(k->par, c->half_par);
        tm = k->bytes / (em * bw);
    }
    if (c->sharp > 0 && tc > 0 && tm > 0) {
        /* (tc^n + tm^n)^(1/n), scaled by the larger term for range */
        double hi = tc > tm ? tc : tm, lo = tc > tm ? tm : tc;

        roof = hi * pow(1.0 + pow(lo / hi, c->sharp), 1.0 / c->sharp);
    } else {
        roof = tc > tm ? tc : tm;
    }
    t = roof + c->unit_s * k->units;
    return t > c->floor_s ? t : c->floor_s;
}

/* Log-log interpolation between points i and i+1 of 'tb'. */
static double interp(const cost_ar_table *tb, int i, double bytes)
{
    double x0 = log(tb->bytes[i]), x1 = log(tb->bytes[i + 1]);
    double y0 = log(tb->seconds[i]), y1 = log(tb->seconds[i + 1]);
    double f = (log(bytes) - x0) / (x1 - x0);

    return exp(y0 + f * (y1 - y0));
}

/* The table of 'n' GPUs among 'tabs', or NULL. */
static const cost_ar_table *ar_table(const cost_ar_table tabs[COST_AR_COUNTS],
                                     int n)
{
    const cost_ar_table *tb = NULL;

    for (int i = 0; i < COST_AR_COUNTS; i++)
        if (tabs[i].gpus == n && tabs[i].n >= 2)
            tb = &tabs[i];
    return tb;
}

/* 'bytes' read from 'tb': log-log between points, flat below the first,
 * the last segment's incremental bandwidth beyond the last. */
static double ar_lookup(const cost_ar_table *tb, double bytes)
{
    int last = tb->n - 1, i = 0;

    if (bytes <= tb->bytes[0])
        return tb->seconds[0];
    if (bytes >= tb->bytes[last]) {
        double slope = (tb->seconds[last] - tb->seconds[last - 1]) /
                       (tb->bytes[last] - tb->bytes[last - 1]);

        return tb->seconds[last] +
               (slope > 0 ? slope : 0) * (bytes - tb->bytes[last]);
    }
    while (tb->bytes[i + 1] < bytes)
        i++;
    return interp(tb, i, bytes);
}

bool cost_calib_allreduce(const cost_calib *cal, int n, double bytes,
                          double *s)
{
    const cost_ar_table *tb;

    if (!cal->present || (tb = ar_table(cal->allreduce, n)) == NULL)
        return false;
    *s = ar_lookup(tb, bytes);
    return true;
}

bool cost_calib_allreduce_as(const cost_calib *cal, const cost_ar_choice *ch,
                             int n, double bytes, double *s)
{
    const cost_ar_table *tb = NULL;

    if (!cal->present)
        return false;
    if (ch->impl == COST_AR_CUSTOM) {
        double max = n >= 0 && n <= COST_AR_MAX_GPUS ? ch->custom_max[n] : 0;

        tb = max <= 0 || bytes <= max ? ar_table(cal->ar_custom, n)
                                      : ar_table(cal->ar_nccl, n);
    } else if (ch->impl == COST_AR_NCCL) {
        tb = ar_table(cal->ar_nccl, n);
    }
    if (tb == NULL)
        return cost_calib_allreduce(cal, n, bytes, s);
    *s = ar_lookup(tb, bytes);
    return true;
}

bool cost_calib_alltoall(const cost_calib *cal, int n, double bytes,
                         bool combine, double *s)
{
    const cost_ar_table *tb;

    if (!cal->present ||
        (tb = ar_table(combine ? cal->combine : cal->dispatch, n)) == NULL)
        return false;
    *s = ar_lookup(tb, bytes);
    return true;
}
