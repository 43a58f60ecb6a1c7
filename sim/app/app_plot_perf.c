/*
 * app_plot_perf.c -- the two performance-model pictures: the OI-CF
 * plane (operational intensity, log x, against capacity footprint over
 * the instance's memory, the ridge point and the memory line dividing
 * the bandwidth-, compute- and capacity-bound regions) and the roofline
 * (attainable FLOP/s per device against OI).  Points are each run's
 * steps (thinned to PLOT_MAX_POINTS per run and phase) and the points of
 * 'hetsim oicf --db' invocations, marked by phase.
 */
#include "app_plot_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const phases[] = {"prefill", "decode", "mixed"};
#define N_PHASES 3
/* Point type of each phase: triangle, circle, square. */
static const int phase_pt[N_PHASES] = {9, 7, 5};

/* A dataset of points and what the plot command needs of it. */
typedef struct series {
    char name[48];
    size_t run, phase;
} series;

/* A ridge line: a device and its ridge point, and its roof. */
typedef struct ridge {
    char name[64];
    double oi;   /* FLOP/byte */
    double peak; /* FLOP/s; 0 when unknown (oicf points) */
    double bw;   /* B/s */
} ridge;

/* What the point callbacks fill. */
typedef struct points {
    plot_ctx *c;
    const plot_run *r;
    FILE *f;
    bool roofline;
    size_t n; /* points written to the current series */
    double xmin, xmax, ymin, ymax;
    series *s;
    size_t n_s, cap_s;
    ridge *ridges;
    size_t n_ridges, cap_ridges;
} points;

static void add_ridge(points *a, const char *name, double oi, double peak,
                      double bw)
{
    if (!(oi > 0) || !isfinite(oi))
        return;
    for (size_t i = 0; i < a->n_ridges; i++) {
        ridge *g = &a->ridges[i];
        size_t len = strlen(g->name);

        if (fabs(g->oi - oi) > 1e-9 * oi ||
            (g->peak != peak && g->peak > 0 && peak > 0))
            continue;
        if (!(g->peak > 0)) { /* an oicf point's ridge learns its roof */
            g->peak = peak;
            g->bw = bw;
        }
        /* the same roof under another name: one line, both names */
        if (strcmp(g->name, name) != 0 && strstr(g->name, name) == NULL &&
            len + strlen(name) + 3 < sizeof g->name)
            snprintf(g->name + len, sizeof g->name - len, ", %s", name);
        return;
    }
    hs_grow((void **)&a->ridges, &a->cap_ridges, a->n_ridges + 1,
            sizeof *a->ridges);
    snprintf(a->ridges[a->n_ridges].name, sizeof a->ridges[0].name, "%s",
             name);
    a->ridges[a->n_ridges].oi = oi;
    a->ridges[a->n_ridges].peak = peak;
    a->ridges[a->n_ridges++].bw = bw;
    if (oi < a->xmin)
        a->xmin = oi;
    if (oi > a->xmax)
        a->xmax = oi;
}

static void add_point(points *a, double x, double y)
{
    if (!(x > 0) || !isfinite(x) || !isfinite(y) || (a->roofline && !(y > 0)))
        return;
    fprintf(a->f, "%.9g\t%.9g\n", x, y);
    a->n++;
    a->xmin = fmin(a->xmin, x);
    a->xmax = fmax(a->xmax, x);
    a->ymin = fmin(a->ymin, y);
    a->ymax = fmax(a->ymax, y);
}

/* io_row_fn: a step (instance, oi, cf_bytes, flops, duration). */
static int step_row(void *ctx, const io_row *row)
{
    points *a = ctx;
    const plot_inst *in = plot_inst_find(a->r, row->values[0]);
    double oi = plot_num(row->values[1]), cf = plot_num(row->values[2]);
    double flops = plot_num(row->values[3]), dt = plot_num(row->values[4]);

    if (a->roofline)
        add_point(a, oi,
                  dt > 0 && in != NULL ? flops / dt / in->tp / 1e12
                                       : (double)NAN);
    else if (in != NULL && in->mem > 0)
        add_point(a, oi, cf / in->mem);
    return 0;
}

/* io_row_fn: an oicf point (hardware, oi, cf_bytes, capacity_bytes,
 * flops, time_s, ridge_oi, tp). */
static int oicf_row(void *ctx, const io_row *row)
{
    points *a = ctx;
    double oi = plot_num(row->values[1]), cf = plot_num(row->values[2]);
    double cap = plot_num(row->values[3]), flops = plot_num(row->values[4]);
    double t = plot_num(row->values[5]), tp = plot_num(row->values[7]);

    add_ridge(a, row->values[0] != NULL ? row->values[0] : "?",
              plot_num(row->values[6]), 0, 0);
    if (a->roofline)
        add_point(a, oi,
                  t > 0 && tp > 0 ? flops / t / tp / 1e12 : (double)NAN);
    else
        add_point(a, oi, cap > 0 ? cf / cap : (double)NAN);
    return 0;
}

/* The points of run 'ri' in phase 'ph' as one dataset (dropped when it
 * has none). */
static int run_phase(points *a, size_t ri, size_t ph)
{
    plot_ctx *c = a->c;
    const plot_run *r = &c->runs[ri];
    char id[32], stride[32];
    const char *params[3] = {id, phases[ph], stride};
    series *s;
    int rc;

    snprintf(id, sizeof id, "%lld", (long long)r->id);
    snprintf(
        stride, sizeof stride, "%lld",
        (long long)plot_stride(
            c, plot_count(c,
                          r->oicf
                              ? "SELECT count(*) FROM oicf WHERE run_id = ?1 "
                                "AND phase = ?2"
                              : "SELECT count(*) FROM steps WHERE run_id = ?1 "
                                "AND phase = ?2",
                          params, 2)));
    hs_grow((void **)&a->s, &a->cap_s, a->n_s + 1, sizeof *a->s);
    s = &a->s[a->n_s];
    snprintf(s->name, sizeof s->name, "pts_%zu_%s", ri, phases[ph]);
    s->run = ri;
    s->phase = ph;
    a->r = r;
    a->n = 0;
    a->f = plot_data_begin(c, "%s", s->name);
    rc = plot_query(c,
                    r->oicf ? "SELECT hardware, oi, cf_bytes, capacity_bytes, "
                              "flops, time_s, ridge_oi, tp FROM oicf WHERE "
                              "run_id = ?1 AND phase = ?2"
                            : "SELECT instance, oi, cf_bytes, flops, dt FROM "
                              "(SELECT instance, oi, cf_bytes, flops, end_s - "
                              "start_s AS dt, row_number() OVER () AS k FROM "
                              "steps WHERE run_id = ?1 AND phase = ?2 AND oi "
                              "> 0) WHERE (k - 1) % ?3 = 0",
                    params, r->oicf ? 2 : 3, r->oicf ? oicf_row : step_row, a);
    plot_data_end(c);
    if (a->n > 0)
        a->n_s++;
    return rc;
}

/* Every run's points, and the ridges of the devices its instances use. */
static int collect(points *a)
{
    plot_ctx *c = a->c;
    int rc = HS_OK;

    a->xmin = a->ymin = INFINITY;
    a->xmax = a->ymax = -INFINITY;
    for (size_t i = 0; i < c->n_runs; i++) {
        const plot_run *r = &c->runs[i];

        for (size_t k = 0; k < r->n_insts; k++)
            if (r->insts[k].dev >= 0) {
                const plot_dev *dv = &r->devs[r->insts[k].dev];

                add_ridge(a, dv->name, dv->ridge, dv->peak, dv->bw);
            }
        for (size_t ph = 0; ph < N_PHASES && rc == HS_OK; ph++)
            rc = run_phase(a, i, ph);
    }
    if (rc == HS_OK && a->n_s == 0)
        return hs_diag_error(c->d, (hs_loc){io_store_path(c->s), 0, 0},
                             "the runs have no %s to plot (output.steps: "
                             "none?)",
                             a->roofline ? "step with FLOP/s" : "step");
    return rc;
}

static void free_points(points *a)
{
    free(a->s);
    free(a->ridges);
}

/* The plot command over every series: a run's colour named once, the
 * phases' marks named in black after them. */
static void plot_series(points *a, const char *prefix)
{
    plot_ctx *c = a->c;
    bool phase_seen[N_PHASES] = {false, false, false};

    fprintf(c->f, "plot %s", prefix);
    for (size_t i = 0; i < a->n_s; i++) {
        const series *s = &a->s[i];

        fputs(i > 0 ? ", \\\n     " : "", c->f);
        plot_ref(c, s->name);
        fprintf(c->f, " using 1:2 with points pt %d ps 0.9 lc rgb '%s' ",
                phase_pt[s->phase], plot_color(s->run));
        if (i == 0 || a->s[i - 1].run != s->run) {
            fputs("title ", c->f);
            plot_quote(c->f, c->runs[s->run].label);
        } else {
            fputs("notitle", c->f);
        }
        phase_seen[s->phase] = true;
    }
    for (size_t ph = 0; ph < N_PHASES; ph++)
        if (phase_seen[ph])
            fprintf(c->f,
                    ", \\\n     1/0 with points pt %d ps 1.2 lc rgb "
                    "'#000000' title '%s'",
                    phase_pt[ph], phases[ph]);
    fputc('\n', c->f);
}

/* x range: a decade around the points and ridges. */
static void x_range(points *a)
{
    fprintf(a->c->f, "set logscale x 10\nset xrange [%.6g:%.6g]\n",
            pow(10, floor(log10(a->xmin) - 0.2)),
            pow(10, ceil(log10(a->xmax) + 0.2)));
}

/* The OI-CF plane's regions, ridge lines and memory line. */
static void oicf_regions(points *a, double ytop)
{
    FILE *f = a->c->f;
    double r0 = a->ridges != NULL ? a->ridges[0].oi : (double)NAN;

    if (isfinite(r0)) {
        fprintf(f,
                "set object 1 rect from graph 0, first 0 to first %.9g, "
                "first 1 behind fc rgb '#dbe9f6' fs solid 0.8 noborder\n"
                "set object 2 rect from first %.9g, first 0 to graph 1, "
                "first 1 behind fc rgb '#fde8cf' fs solid 0.8 noborder\n",
                r0, r0);
        fprintf(f,
                "set label 1 'bandwidth-bound' at graph 0.02, first 0.94 "
                "font ',14' tc rgb '#1f4e79'\n"
                "set label 2 'compute-bound' at graph 0.98, first 0.94 right "
                "font ',14' tc rgb '#9c5700'\n");
    }
    fprintf(f,
            "set object 3 rect from graph 0, first 1 to graph 1, graph 1 "
            "behind fc rgb '#f8d7d5' fs solid 0.8 noborder\n"
            "set label 3 'capacity-bound: footprint exceeds memory' at graph "
            "0.02, first %.6g font ',14' tc rgb '#922b21'\n"
            "set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead "
            "lw 2 lc rgb '#922b21'\n",
            1 + (ytop - 1) / 2);
    for (size_t i = 0; i < a->n_ridges; i++) {
        fprintf(f,
                "set arrow %zu from first %.9g, graph 0 to first %.9g, graph "
                "1 nohead lw 2 dt 2 lc rgb '#333333'\n"
                "set label %zu ",
                i + 2, a->ridges[i].oi, a->ridges[i].oi, i + 4);
        {
            char *t = hs_asprintf("%s ridge %.0f FLOP/byte", a->ridges[i].name,
                                  a->ridges[i].oi);

            plot_quote(f, t);
            free(t);
        }
        fprintf(f,
                " at first %.9g, graph %.2f rotate by 90 right front "
                "offset character 1.3, character 0\n",
                a->ridges[i].oi, 0.97 - 0.0 * (double)i);
    }
}

int plot_oicf(plot_ctx *c)
{
    points a;
    double ytop;
    int rc;

    memset(&a, 0, sizeof a);
    a.c = c;
    rc = collect(&a);
    if (rc == HS_OK) {
        char *title = plot_title(c, "OI–CF plane", c->runs, c->n_runs);

        plot_head(c, title);
        free(title);
        ytop = fmax(1.3, a.ymax * 1.1);
        x_range(&a);
        fprintf(c->f,
                "set yrange [0:%.6g]\nset xlabel 'operational intensity "
                "(FLOP/byte, log scale)'\nset ylabel 'capacity footprint / "
                "instance memory (fraction)'\nset key outside right top "
                "box opaque\n",
                ytop);
        oicf_regions(&a, ytop);
        plot_series(&a, "");
    }
    free_points(&a);
    return rc;
}

int plot_roofline(plot_ctx *c)
{
    points a;
    int rc;

    memset(&a, 0, sizeof a);
    a.c = c;
    a.roofline = true;
    rc = collect(&a);
    if (rc == HS_OK) {
        char *title = plot_title(c, "Roofline", c->runs, c->n_runs);
        char *roofs = NULL;
        size_t len = 0;
        FILE *r = open_memstream(&roofs, &len);
        double ymax = a.ymax;

        HS_ASSERT(r != NULL);
        plot_head(c, title);
        free(title);
        x_range(&a);
        for (size_t i = 0; i < a.n_ridges; i++) {
            const ridge *g = &a.ridges[i];

            if (!(g->peak > 0))
                continue;
            ymax = fmax(ymax, g->peak / 1e12);
            fprintf(c->f, "roof%zu(x) = x * %.9g < %.9g ? x * %.9g : %.9g\n",
                    i, g->bw / 1e12, g->peak / 1e12, g->bw / 1e12,
                    g->peak / 1e12);
            fprintf(r,
                    "roof%zu(x) with lines lw 3 lc rgb '#444444' dt %zu "
                    "title ",
                    i, i + 1);
            {
                char *t = hs_asprintf("%s roof (peak %.0f TFLOP/s, %.2f TB/s)",
                                      g->name, g->peak / 1e12, g->bw / 1e12);

                plot_quote(r, t);
                free(t);
            }
            fputs(", \\\n     ", r);
        }
        fclose(r);
        fprintf(c->f,
                "set logscale y 10\nset yrange [%.6g:%.6g]\nset samples 1000\n"
                "set xlabel 'operational intensity (FLOP/byte, log scale)'\n"
                "set ylabel 'attained FLOP/s per device (TFLOP/s, log "
                "scale)'\nset key outside right top box opaque\n",
                pow(10, floor(log10(a.ymin) - 0.2)),
                pow(10, ceil(log10(ymax) + 0.2)));
        plot_series(&a, roofs);
        free(roofs);
    }
    free_points(&a);
    return rc;
}
