/*
 * io_sc_output.c -- the 'slo', 'output' and 'window' sections of a
 * scenario: the latency targets ("ttft_p99: 2s"), where and how finely
 * results are recorded (database, step sampling, time-series interval),
 * and the measurement window the metrics cover ("{from: 10min, to: 1h}").
 */
#include "io_sc_int.h"

#include <math.h>
#include <string.h>

static const char *const output_keys[] = {
    "db", "steps", "step_sample_every", "timeseries_interval", NULL,
};

#define SC_NAME(e, name) name,
static const char *const steps_names[] = {SC_STEPS_MODES(SC_NAME)};
static const char *const slo_names[] = {SC_SLO_METRICS(SC_NAME)};
#undef SC_NAME

static const io_param output_params[] = {
    {IO_PARAM_STRING(sc_output, db, "db", false)},
    {IO_PARAM_ENUM(sc_output, steps, "steps", false, steps_names),
     IO_DEFAULT(SC_STEPS_SAMPLED)},
    {IO_PARAM_INT(sc_output, step_sample_every, "step_sample_every", false, 1,
                  INT64_MAX),
     IO_DEFAULT(100)},
    {IO_PARAM_QUANTITY(sc_output, timeseries_interval_s, "timeseries_interval",
                       false, HS_UNIT_TIME, false),
     IO_DEFAULT(1.0)},
    IO_PARAM_END,
};

/* Parse "ttft_p99.9" into metric and percentile. */
static bool parse_slo_key(const char *key, sc_slo_metric *metric, double *pct)
{
    for (size_t m = 0; m < N_OF(slo_names); m++) {
        size_t len = strlen(slo_names[m]);
        const char *p = key + len + 2;

        if (strncmp(key, slo_names[m], len) != 0 ||
            strncmp(key + len, "_p", 2) != 0)
            continue;
        if (*p < '0' || *p > '9' || strspn(p, "0123456789.") != strlen(p))
            return false;
        if (hs_parse_double(p, pct) != HS_OK || *pct < 50 || *pct > 99.9)
            return false;
        *metric = (sc_slo_metric)m;
        return true;
    }
    return false;
}

void io_sc_bind_slo(io_sc_ctx *c, const io_node *n)
{
    sc_scenario *sc = c->sc;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    sc->slo = hs_calloc(n->n_kids + 1, sizeof(sc_slo));
    for (size_t i = 0; i < n->n_kids; i++) {
        const io_node *k = n->kids[i];
        sc_slo *s = &sc->slo[sc->n_slo];

        if (!parse_slo_key(k->key, &s->metric, &s->percentile)) {
            io_key_error(c->e, k->key_loc, "slo",
                         "unknown key '%s' (expected ttft_pNN, tpot_pNN or "
                         "e2e_pNN with NN from 50 to 99.9)",
                         k->key);
            continue;
        }
        if (io_quantity(c->e, k, HS_UNIT_TIME, true, &s->threshold_s) != HS_OK)
            continue;
        s->key = hs_strdup(k->key);
        s->loc = k->loc;
        sc->n_slo++;
    }
}

void io_sc_bind_output(io_sc_ctx *c, const io_node *n)
{
    sc_output *o = &c->sc->output;

    io_params_default(output_params, o);
    if (n == NULL || !io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, output_keys);
    io_bind_params(c->e, n, output_params, o, true);
}

static const char *const window_keys[] = {"from", "to", NULL};

void io_sc_bind_window(io_sc_ctx *c, const io_node *n)
{
    sc_window *w = &c->sc->window;
    const io_node *to;
    double t;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, window_keys);
    if (io_field_quantity(c->e, n, "from", false, HS_UNIT_TIME, false,
                          &w->from_s) != HS_OK)
        return;
    to = io_get(n, "to");
    if (to == NULL || io_quantity(c->e, to, HS_UNIT_TIME, true, &t) != HS_OK)
        return;
    if (!(t > w->from_s)) {
        io_node_error(c->e, to, "must be after window.from (%gs), found %gs",
                      w->from_s, t);
        return;
    }
    w->to_s = t;
}
