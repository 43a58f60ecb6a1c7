/*
 * io_sc_profile.c -- a source's rate profile, 'profile:' under an open
 * arrival process, a trace or an agent source (workload.h, docs/
 * scenario.md): either
 *   {shape: diurnal, period: 24h, peak: 2.0, trough: 0.25, phase: 0h}
 * or
 *   {points: [[0s, 0.5], [10min, 2.0], [20min, 0.5]]}
 * Times are quantities, factors plain numbers >= 0.  Every condition
 * wl_profile.c relies on is checked here, located: points in strictly
 * increasing time from 0 s on, at most WL_PROFILE_MAX_POINTS, the last
 * factor (held for ever) > 0; peak >= trough, peak > 0, period > 0.
 */
#include "io_sc_int.h"

#include <float.h>
#include <string.h>

static const char *const profile_keys[] = {"shape", "period", "peak", "trough",
                                           "phase", "points", NULL};
static const char *const shape_names[] = {"diurnal"};
static const char *const diurnal_keys[] = {"shape",  "period", "peak",
                                           "trough", "phase",  NULL};
static const char *const points_keys[] = {"points", NULL};

/* Factors beyond this are surely a mistake (and keep rate x factor
 * finite). */
#define MAX_FACTOR 1e6

static void bind_diurnal(io_sc_ctx *c, const io_node *n, wl_profile_spec *p)
{
    const io_node *pk = io_get(n, "peak");

    io_check_kind_keys(c->e, n, profile_keys, diurnal_keys, "shape",
                       "diurnal");
    io_field_quantity(c->e, n, "period", true, HS_UNIT_TIME, true,
                      &p->period_s);
    io_field_number(c->e, n, "peak", true, IO_POSITIVE, MAX_FACTOR, &p->peak);
    io_field_number(c->e, n, "trough", true, 0, MAX_FACTOR, &p->trough);
    io_field_quantity(c->e, n, "phase", false, HS_UNIT_TIME, false,
                      &p->phase_s);
    if (pk != NULL && io_get(n, "trough") != NULL && p->peak < p->trough)
        io_node_error(c->e, pk, "expected a factor >= trough (%g), found '%s'",
                      p->trough, pk->text);
    p->kind = WL_PROFILE_DIURNAL;
}

/* Point i, '[TIME, FACTOR]', after point i - 1 (its time 'prev'). */
static void bind_point(io_sc_ctx *c, const io_node *item, wl_profile_spec *p,
                       size_t i)
{
    if (item->kind != IO_SEQ || item->n_kids != 2) {
        io_node_error(c->e, item, "expected a point [time, factor]");
        return;
    }
    if (io_quantity(c->e, item->kids[0], HS_UNIT_TIME, false, &p->t_s[i]) ==
            HS_OK &&
        i > 0 && !(p->t_s[i] > p->t_s[i - 1]))
        io_node_error(c->e, item->kids[0],
                      "expected a time after the previous point's (%g s), "
                      "found '%s'",
                      p->t_s[i - 1], item->kids[0]->text);
    io_number(c->e, item->kids[1], 0, MAX_FACTOR, &p->factor[i]);
}

static void bind_points(io_sc_ctx *c, const io_node *n, wl_profile_spec *p)
{
    const io_node *pts = io_get(n, "points");
    size_t before = c->e->n;

    io_check_keys(c->e, n, points_keys);
    if (!io_expect_seq(c->e, pts))
        return;
    if (pts->n_kids == 0 || pts->n_kids > WL_PROFILE_MAX_POINTS) {
        io_node_error(c->e, pts, "expected 1 to %d points, found %zu",
                      WL_PROFILE_MAX_POINTS, pts->n_kids);
        return;
    }
    p->n_points = pts->n_kids;
    for (size_t i = 0; i < pts->n_kids; i++)
        bind_point(c, pts->kids[i], p, i);
    if (c->e->n == before && !(p->factor[p->n_points - 1] > 0))
        io_node_error(c->e, pts->kids[p->n_points - 1],
                      "expected a last factor > 0 (it holds for ever after "
                      "the last point), found %g",
                      p->factor[p->n_points - 1]);
    p->kind = WL_PROFILE_POINTS;
}

void io_sc_bind_profile(io_sc_ctx *c, const io_node *n, wl_profile_spec *p)
{
    int shape = -1;

    memset(p, 0, sizeof *p);
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, profile_keys);
    if (io_get(n, "points") != NULL) {
        if (io_get(n, "shape") != NULL)
            io_node_error(c->e, io_get(n, "shape"),
                          "expected either 'shape' or 'points', found both");
        else
            bind_points(c, n, p);
        return;
    }
    if (io_field_enum(c->e, n, "shape", true, shape_names, N_OF(shape_names),
                      &shape) == HS_OK &&
        shape == 0)
        bind_diurnal(c, n, p);
}
