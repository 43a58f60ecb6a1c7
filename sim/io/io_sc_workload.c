/*
 * io_sc_workload.c -- the 'workload' section of a scenario: a sequence of
 * named sources, each a trace file, a synthetic generator (an arrival
 * process and token distributions) or agent sessions from a preset, bound
 * to workload.h's specs, with what to do with a request beyond the
 * model's context ('on_max_context': drop or truncate).  Keys that exist
 * but do not apply to the chosen process or distribution are reported as
 * such.
 */
#include "io_sc_int.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

static const char *const source_keys[] = {
    "name", "trace", "synthetic", "agent", "on_max_context", "warmup", NULL};
/* In the order of wl_ctx_policy. */
static const char *const ctx_policy_names[] = {"drop", "truncate"};
static const char *const trace_keys[] = {
    "format", "path", "time_scale", "max_requests", "profile", NULL};
static const char *const synthetic_keys[] = {
    "arrival", "requests", "horizon", "prompt", "output", NULL,
};
static const char *const arrival_keys[] = {
    "process", "rate", "cv", "concurrency", "profile", "ramp", NULL};
static const char *const dist_keys[] = {
    "dist", "value", "min", "max", "mean", "cv", "trace", "format", NULL};
static const char *const agent_keys[] = {"preset",  "session_rate", "sessions",
                                         "horizon", "profile",      NULL};

/* The keys of an agent source after its preset. */
static const io_param agent_params[] = {
    {IO_PARAM_QUANTITY(wl_agent_spec, session_rate, "session_rate", true,
                       HS_UNIT_RATE, true)},
    {IO_PARAM_INT(wl_agent_spec, sessions, "sessions", false, 0, INT64_MAX)},
    {IO_PARAM_QUANTITY(wl_agent_spec, horizon_s, "horizon", false,
                       HS_UNIT_TIME, false)},
    IO_PARAM_END,
};

/* In the order of workload.h's enums. */
static const char *const process_names[] = {"poisson", "gamma", "constant",
                                            "closed"};
static const char *const dist_names[] = {"fixed", "uniform", "lognormal",
                                         "empirical"};

/* Keys each arrival process and each distribution accepts. */
static const char *const arrival_by_process[][5] = {
    {"process", "rate", "profile", NULL},
    {"process", "rate", "cv", "profile", NULL},
    {"process", "rate", "profile", NULL},
    {"process", "concurrency", "ramp", NULL},
};
static const char *const dist_by_kind[][6] = {
    {"dist", "value", NULL},
    {"dist", "min", "max", NULL},
    {"dist", "mean", "cv", "min", "max", NULL},
    {"dist", "trace", "format", NULL},
};

/* Bind the trace format named at 'key' of 'map' (required): one of the
 * workload's registered formats (wl_formats.def), in registry order;
 * -1 when absent or unknown (reported). */
static int field_format(io_sc_ctx *c, const io_node *map, const char *key)
{
    const char *names[WL_TRACE_N_FORMATS];
    int v = -1;

    for (int i = 0; i < WL_TRACE_N_FORMATS; i++)
        names[i] = wl_trace_format_name((wl_trace_format)i);
    if (io_field_enum(c->e, map, key, true, names, WL_TRACE_N_FORMATS, &v) !=
        HS_OK)
        return -1;
    return v;
}

static void bind_trace(io_sc_ctx *c, const io_node *n, wl_trace_spec *t)
{
    const io_node *k;
    int v = -1;

    t->time_scale = 1.0;
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, trace_keys);
    v = field_format(c, n, "format");
    if (v >= 0)
        t->format = (wl_trace_format)v;
    io_sc_field_path(c, n, "path", true, &t->path);
    io_field_number(c->e, n, "time_scale", false, IO_POSITIVE, DBL_MAX,
                    &t->time_scale);
    io_field_int(c->e, n, "max_requests", false, 0, INT64_MAX,
                 &t->max_requests);
    if ((k = io_get(n, "profile")) != NULL)
        io_sc_bind_profile(c, k, &t->profile);
}

static void bind_arrival(io_sc_ctx *c, const io_node *n, wl_arrival_spec *a)
{
    int v = -1;

    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, arrival_keys);
    if (io_field_enum(c->e, n, "process", true, process_names,
                      N_OF(process_names), &v) != HS_OK ||
        v < 0)
        return;
    a->kind = (wl_arrival_kind)v;
    io_check_kind_keys(c->e, n, arrival_keys, arrival_by_process[v], "process",
                       process_names[v]);
    if (a->kind == WL_ARRIVAL_CLOSED) {
        io_field_int(c->e, n, "concurrency", true, 1, INT64_MAX,
                     &a->concurrency);
        io_field_quantity(c->e, n, "ramp", false, HS_UNIT_TIME, false,
                          &a->ramp_s);
        return;
    }
    io_field_quantity(c->e, n, "rate", true, HS_UNIT_RATE, true, &a->rate);
    if (a->kind == WL_ARRIVAL_GAMMA)
        io_field_number(c->e, n, "cv", true, IO_POSITIVE, DBL_MAX, &a->cv);
    if (io_get(n, "profile") != NULL)
        io_sc_bind_profile(c, io_get(n, "profile"), &a->profile);
}

/* Report "min" > "max" at max. */
static void check_min_max(io_sc_ctx *c, const io_node *n,
                          const wl_dist_spec *d)
{
    const io_node *mx = io_get(n, "max");

    if (mx != NULL && io_get(n, "min") != NULL && d->max < d->min)
        io_node_error(c->e, mx, "expected a number >= min (%g), found '%s'",
                      d->min, mx->text);
}

static void bind_dist(io_sc_ctx *c, const io_node *n, wl_dist_spec *d)
{
    size_t before = c->e->n;
    int v = -1;

    d->loc = n->loc;
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, dist_keys);
    if (io_field_enum(c->e, n, "dist", true, dist_names, N_OF(dist_names),
                      &v) != HS_OK ||
        v < 0)
        return;
    d->kind = (wl_dist_kind)v;
    io_check_kind_keys(c->e, n, dist_keys, dist_by_kind[v], "dist",
                       dist_names[v]);
    switch (d->kind) {
    case WL_DIST_FIXED:
        io_field_number(c->e, n, "value", true, 1, DBL_MAX, &d->value);
        break;
    case WL_DIST_UNIFORM:
        io_field_number(c->e, n, "min", true, 0, DBL_MAX, &d->min);
        io_field_number(c->e, n, "max", true, 1, DBL_MAX, &d->max);
        break;
    case WL_DIST_LOGNORMAL:
        io_field_number(c->e, n, "mean", true, IO_POSITIVE, DBL_MAX, &d->mean);
        io_field_number(c->e, n, "cv", true, 0, DBL_MAX, &d->cv);
        io_field_number(c->e, n, "min", false, 0, DBL_MAX, &d->min);
        io_field_number(c->e, n, "max", false, 1, DBL_MAX, &d->max);
        break;
    case WL_DIST_EMPIRICAL:
        io_sc_field_path(c, n, "trace", true, &d->path);
        v = field_format(c, n, "format");
        if (v >= 0)
            d->format = hs_strdup(wl_trace_format_name((wl_trace_format)v));
        break;
    }
    if (c->e->n == before)
        check_min_max(c, n, d);
}

/* An open-ended source must be bounded by a count or a horizon. */
static void need_end(io_sc_ctx *c, const io_node *n, const char *count_key,
                     bool has_count, bool has_horizon)
{
    if (!has_count && !has_horizon)
        io_node_error(c->e, n,
                      "expected '%s' or 'horizon' (or both) to end the "
                      "source, found neither",
                      count_key);
}

static void bind_synthetic(io_sc_ctx *c, const io_node *n,
                           wl_synthetic_spec *s)
{
    size_t before = c->e->n;
    const io_node *k;

    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, synthetic_keys);
    if ((k = io_member(c->e, n, "arrival", true)) != NULL)
        bind_arrival(c, k, &s->arrival);
    io_field_int(c->e, n, "requests", false, 0, INT64_MAX, &s->requests);
    io_field_quantity(c->e, n, "horizon", false, HS_UNIT_TIME, false,
                      &s->horizon_s);
    if ((k = io_member(c->e, n, "prompt", true)) != NULL)
        bind_dist(c, k, &s->prompt);
    if ((k = io_member(c->e, n, "output", true)) != NULL)
        bind_dist(c, k, &s->output);
    if (c->e->n == before)
        need_end(c, n, "requests", s->requests > 0, s->horizon_s > 0);
}

/* The preset named at 'preset:', loaded from the catalog's presets/ into
 * a->params; an unknown name is reported there with the known ones. */
static void bind_preset(io_sc_ctx *c, const io_node *n, wl_agent_spec *a)
{
    const io_node *pn = io_get(n, "preset");
    const char *dir;

    if (io_field_string(c->e, n, "preset", true, &a->preset) != HS_OK ||
        a->preset == NULL)
        return;
    if ((dir = io_sc_catalog(c, pn)) != NULL)
        io_preset_at(c->e, dir, a->preset, pn, &a->params);
}

/* An agent source's keys: its own, then every key of a preset file
 * that may override the preset inline. */
static void check_agent_keys(io_sc_ctx *c, const io_node *n)
{
    const char *keys[N_OF(agent_keys) + IO_PRESET_N_KEYS];
    size_t k = 0;

    for (; agent_keys[k] != NULL; k++)
        keys[k] = agent_keys[k];
    k += io_preset_keys(keys + k, IO_PRESET_N_KEYS - 1);
    keys[k] = NULL;
    io_check_keys(c->e, n, keys);
}

static void bind_agent(io_sc_ctx *c, const io_node *n, wl_agent_spec *a)
{
    size_t before = c->e->n;

    if (!io_expect_map(c->e, n))
        return;
    check_agent_keys(c, n);
    bind_preset(c, n, a);
    io_preset_override(c->e, n, &a->params);
    io_bind_params(c->e, n, agent_params, a, true);
    if (io_get(n, "profile") != NULL)
        io_sc_bind_profile(c, io_get(n, "profile"), &a->profile);
    if (c->e->n == before)
        need_end(c, n, "sessions", a->sessions > 0, a->horizon_s > 0);
}

static void bind_source(io_sc_ctx *c, const io_node *n, wl_source_spec *s)
{
    static const char *const kinds[] = {"trace", "synthetic", "agent"};
    const io_node *body = NULL;
    size_t found = 0;
    int policy = -1;

    s->loc = n->loc;
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, source_keys);
    io_field_string(c->e, n, "name", true, &s->name);
    if (io_field_enum(c->e, n, "on_max_context", false, ctx_policy_names,
                      N_OF(ctx_policy_names), &policy) == HS_OK &&
        policy >= 0)
        s->on_max_context = (wl_ctx_policy)policy;
    io_field_int(c->e, n, "warmup", false, 0, INT64_MAX, &s->warmup);
    for (size_t i = 0; i < N_OF(kinds); i++) {
        const io_node *k = io_get(n, kinds[i]);

        if (k != NULL) {
            found++;
            body = k;
            s->kind = (wl_source_kind)i;
        }
    }
    if (found != 1) {
        io_node_error(c->e, n,
                      "expected exactly one of trace, synthetic, agent, "
                      "found %zu",
                      found);
        return;
    }
    if (s->kind == WL_SOURCE_TRACE)
        bind_trace(c, body, &s->trace);
    else if (s->kind == WL_SOURCE_SYNTHETIC)
        bind_synthetic(c, body, &s->synthetic);
    else
        bind_agent(c, body, &s->agent);
}

void io_sc_bind_workload(io_sc_ctx *c, const io_node *n)
{
    sc_scenario *sc = c->sc;

    if (!io_expect_seq(c->e, n))
        return;
    if (n->n_kids == 0) {
        io_node_error(c->e, n, "expected at least one source, found none");
        return;
    }
    sc->workload = hs_calloc(n->n_kids, sizeof(wl_source_spec));
    for (size_t i = 0; i < n->n_kids; i++) {
        wl_source_spec *s = &sc->workload[sc->n_workload++];

        bind_source(c, n->kids[i], s);
        for (size_t j = 0; j < i && s->name != NULL; j++)
            if (sc->workload[j].name != NULL &&
                strcmp(sc->workload[j].name, s->name) == 0)
                io_node_error(c->e, io_get(n->kids[i], "name"),
                              "duplicate source name '%s'", s->name);
    }
}
