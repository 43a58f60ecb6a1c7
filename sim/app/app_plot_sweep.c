/*
 * app_plot_sweep.c -- pictures across runs: a run-scope metric against a
 * sweep parameter, one line per value of another ('sweep'; the
 * parameters come from the sweep_points(run_id, path, value) table that
 * 'hetsim sweep' writes; without it, or without --x, the metric is drawn
 * across the runs, e.g. a scenario's variants), and two metrics of every
 * run with their Pareto front ('pareto').
 */
#include "app_plot_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hetsim/records.h"

/* One run's point. */
typedef struct sw_point {
    size_t run;
    char *by; /* the --by value, "" without */
    double x, y;
    bool front;
} sw_point;

/* The run-scope metric 'name' of run 'ri' (NAN when it has none). */
static double run_metric(plot_ctx *c, size_t ri, const char *name)
{
    char id[32];
    const char *params[2] = {id, name};

    snprintf(id, sizeof id, "%lld", (long long)c->runs[ri].id);
    return plot_scalar(c,
                       "SELECT value FROM metrics WHERE run_id = ?1 AND "
                       "scope = 'run' AND name = ?2",
                       params, 2);
}

/* io_row_fn: a text value. */
static int text_row(void *ctx, const io_row *row)
{
    char **out = ctx;

    *out = hs_strdup(row->values[0] != NULL ? row->values[0] : "");
    return 1;
}

/* The value run 'ri' had for sweep parameter 'path' (a new string; NULL
 * when not recorded). */
static char *sweep_value(plot_ctx *c, size_t ri, const char *path)
{
    char id[32], *v = NULL;
    const char *params[2] = {id, path};

    snprintf(id, sizeof id, "%lld", (long long)c->runs[ri].id);
    plot_query(
        c, "SELECT value FROM sweep_points WHERE run_id = ?1 AND path = ?2",
        params, 2, text_row, &v);
    return v;
}

/* HS_OK when 'name' is a metric of records.h (reported otherwise). */
static int known_metric(plot_ctx *c, const char *opt, const char *name)
{
    if (rec_metric_find(name) < REC_N_METRICS)
        return HS_OK;
    return hs_diag_error(c->d, (hs_loc){NULL, 0, 0},
                         "%s: unknown metric '%s' (the names are in "
                         "docs/schema.md, e.g. ttft_p99_s, throughput_tok_s)",
                         opt, name);
}

static char *axis_label(const char *name)
{
    const rec_metric *m = rec_metric_get(rec_metric_find(name));

    return hs_asprintf("%s (%s)", name, m->unit[0] != '\0' ? m->unit : "-");
}

static int cmp_point(const void *a, const void *b)
{
    const sw_point *p = a, *q = b;
    int k = strcmp(p->by, q->by);

    return k != 0 ? k : (p->x > q->x) - (p->x < q->x);
}

static void free_points(sw_point *pts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(pts[i].by);
    free(pts);
}

/* "set logscale AXIS" when the values 'lo'..'hi' span more than two
 * decades (all positive). */
static void wide_log(plot_ctx *c, const char *axis, double lo, double hi)
{
    if (lo > 0 && hi / lo > 100)
        fprintf(c->f, "set logscale %s 10\n", axis);
    /* large values as plain numbers, not 2.1513e+06 */
    if (lo >= 1000 && hi < 1e12)
        fprintf(c->f, "set format %s '%%.0f'\n", axis);
}

/* The metric across the runs, one point each, named on the x axis. */
static int across_runs(plot_ctx *c, const char *y)
{
    char *title = plot_title(c, "Across runs", c->runs, c->n_runs);
    char *ylabel = axis_label(y);
    FILE *f = plot_data_begin(c, "sweep");
    size_t n = 0;
    double lo = INFINITY, hi = -INFINITY;

    for (size_t i = 0; i < c->n_runs; i++) {
        double v = run_metric(c, i, y);

        if (isfinite(v)) {
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
        fprintf(f, "%zu\t%.9g\t", i, v);
        plot_field(f, c->runs[i].label);
        fputc('\n', f);
        n += isfinite(v);
    }
    plot_data_end(c);
    if (n == 0) {
        free(title);
        free(ylabel);
        return hs_diag_error(c->d, (hs_loc){io_store_path(c->s), 0, 0},
                             "no run has metric %s", y);
    }
    plot_head(c, title);
    wide_log(c, "y", lo, hi);
    fprintf(c->f,
            "set xlabel 'run (run_id name/variant)'\nset ylabel '%s'\n"
            "set xrange [-0.5:%zu.5]\nset yrange [%s:*]\nset xtics rotate "
            "by -25\nset bmargin 8\nset rmargin 12\nplot ",
            ylabel, c->n_runs - 1, lo > 0 && hi / lo > 100 ? "*" : "0");
    plot_ref(c, "sweep");
    fprintf(c->f,
            " using 1:2:xtic(3) with points pt 7 ps 2 lc rgb "
            "'%s' title '%s', '' using 1:2:(sprintf('%%.4g', $2)) with labels "
            "offset 0,1 notitle\n",
            plot_color(0), y);
    free(title);
    free(ylabel);
    return HS_OK;
}

/* Write the sorted points, one dataset per --by value, and the plot. */
static void sweep_lines(plot_ctx *c, sw_point *pts, size_t n, const char *x,
                        const char *by, const char *y)
{
    size_t k = 0, n_sets = 0;
    const char **set_by = hs_calloc(n + 1, sizeof *set_by);
    char *title = plot_title(c, "Sweep", c->runs, c->n_runs);
    char *ylabel = axis_label(y);

    qsort(pts, n, sizeof *pts, cmp_point);
    while (k < n) {
        FILE *f = plot_data_begin(c, "sweep_%zu", n_sets);
        size_t j = k;

        set_by[n_sets++] = pts[k].by;
        for (; j < n && strcmp(pts[j].by, pts[k].by) == 0; j++)
            fprintf(f, "%.9g\t%.9g\n", pts[j].x, pts[j].y);
        plot_data_end(c);
        k = j;
    }
    plot_head(c, title);
    fputs("set xlabel ", c->f);
    plot_quote(c->f, x);
    fprintf(c->f, "\nset ylabel '%s'\nset key outside right top\nplot ",
            ylabel);
    for (size_t s = 0; s < n_sets; s++) {
        char name[32], *t;

        snprintf(name, sizeof name, "sweep_%zu", s);
        fputs(s > 0 ? ", \\\n     " : "", c->f);
        plot_ref(c, name);
        t = by != NULL ? hs_asprintf("%s = %s", by, set_by[s]) : hs_strdup(y);
        fprintf(c->f,
                " using 1:2 with linespoints lw 2 pt 7 lc rgb '%s' title ",
                plot_color(s));
        plot_quote(c->f, t);
        free(t);
    }
    fputc('\n', c->f);
    free(set_by);
    free(title);
    free(ylabel);
}

int plot_sweep(plot_ctx *c)
{
    const char *y = c->o->y != NULL ? c->o->y : "ttft_p99_s";
    const char *x = c->o->x;
    sw_point *pts;
    size_t n = 0;
    char unit[32] = "";
    int rc = known_metric(c, "--y", y);

    if (rc != HS_OK)
        return rc;
    if (x == NULL)
        return across_runs(c, y);
    if (plot_count(c, "SELECT count(*) FROM sweep_points", NULL, 0) == 0)
        return hs_diag_error(c->d, (hs_loc){io_store_path(c->s), 0, 0},
                             "--x %s: the database has no sweep points "
                             "(written by 'hetsim sweep'); without --x the "
                             "metric is drawn across the runs",
                             x);
    pts = hs_calloc(c->n_runs + 1, sizeof *pts);
    for (size_t i = 0; i < c->n_runs; i++) {
        char *xv = sweep_value(c, i, x), *bv = NULL, *end = NULL;

        if (c->o->by != NULL)
            bv = sweep_value(c, i, c->o->by);
        if (xv != NULL && isfinite(run_metric(c, i, y))) {
            pts[n].run = i;
            pts[n].x = strtod(xv, &end);
            /* a value written with a unit ("5/s"): its number, the unit
             * in the axis label (the first run's) */
            if (unit[0] == '\0' && end != NULL && *end != '\0')
                snprintf(unit, sizeof unit, "%s", end);
            pts[n].y = run_metric(c, i, y);
            pts[n++].by = bv != NULL ? bv : hs_strdup("");
        } else {
            free(bv);
        }
        free(xv);
    }
    if (n == 0)
        rc =
            hs_diag_error(c->d, (hs_loc){io_store_path(c->s), 0, 0},
                          "no run has sweep parameter %s and metric %s", x, y);
    else {
        char *xl =
            unit[0] != '\0' ? hs_asprintf("%s (%s)", x, unit) : hs_strdup(x);

        sweep_lines(c, pts, n, xl, c->o->by, y);
        free(xl);
    }
    free_points(pts, n);
    return rc;
}

/* ---- Pareto ------------------------------------------------------------- */

/* Whether less of metric 'name' is better: times, money, energy and
 * preemptions. */
static bool lower_better(const char *name)
{
    const rec_metric *m = rec_metric_get(rec_metric_find(name));

    return strcmp(m->unit, "s") == 0 || strcmp(m->unit, "USD") == 0 ||
           strcmp(m->unit, "J") == 0 || strcmp(name, "preemptions") == 0;
}

/* Mark the points no other point beats on both metrics. */
static void mark_front(sw_point *pts, size_t n, bool xlow, bool ylow)
{
    for (size_t i = 0; i < n; i++) {
        pts[i].front = true;
        for (size_t j = 0; j < n && pts[i].front; j++) {
            double dx = xlow ? pts[i].x - pts[j].x : pts[j].x - pts[i].x;
            double dy = ylow ? pts[i].y - pts[j].y : pts[j].y - pts[i].y;

            /* j beats i: no worse on both, better on one */
            if (j != i && dx >= 0 && dy >= 0 && (dx > 0 || dy > 0))
                pts[i].front = false;
        }
    }
}

static void pareto_data(plot_ctx *c, sw_point *pts, size_t n)
{
    FILE *f = plot_data_begin(c, "pareto_all");

    for (size_t i = 0; i < n; i++) {
        /* the mark's label is the run_id; the key names the runs */
        fprintf(f, "%.9g\t%.9g\t%lld\n", pts[i].x, pts[i].y,
                (long long)c->runs[pts[i].run].id);
    }
    plot_data_end(c);
    qsort(pts, n, sizeof *pts, cmp_point);
    f = plot_data_begin(c, "pareto_front");
    for (size_t i = 0; i < n; i++)
        if (pts[i].front)
            fprintf(f, "%.9g\t%.9g\n", pts[i].x, pts[i].y);
    plot_data_end(c);
}

int plot_pareto(plot_ctx *c)
{
    const char *x = c->o->x != NULL ? c->o->x : "ttft_p99_s";
    const char *y = c->o->y != NULL ? c->o->y : "tokens_per_usd";
    sw_point *pts;
    size_t n = 0;
    int rc = known_metric(c, "--x", x);

    if (rc == HS_OK)
        rc = known_metric(c, "--y", y);
    if (rc != HS_OK)
        return rc;
    pts = hs_calloc(c->n_runs + 1, sizeof *pts);
    for (size_t i = 0; i < c->n_runs; i++) {
        double vx = run_metric(c, i, x), vy = run_metric(c, i, y);

        if (isfinite(vx) && isfinite(vy)) {
            pts[n].run = i;
            pts[n].by = hs_strdup("");
            pts[n].x = vx;
            pts[n++].y = vy;
        }
    }
    if (n == 0) {
        free_points(pts, n);
        return hs_diag_error(c->d, (hs_loc){io_store_path(c->s), 0, 0},
                             "no run has both %s and %s", x, y);
    }
    mark_front(pts, n, lower_better(x), lower_better(y));
    pareto_data(c, pts, n);
    {
        double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY,
               yhi = -INFINITY;

        char *title = plot_title(c, "Pareto front", c->runs, c->n_runs);
        char *xl = axis_label(x), *yl = axis_label(y);

        for (size_t i = 0; i < n; i++) {
            xlo = fmin(xlo, pts[i].x);
            xhi = fmax(xhi, pts[i].x);
            ylo = fmin(ylo, pts[i].y);
            yhi = fmax(yhi, pts[i].y);
        }
        plot_head(c, title);
        wide_log(c, "x", xlo, xhi);
        wide_log(c, "y", ylo, yhi);
        fprintf(c->f,
                "set xlabel '%s, %s is better'\nset ylabel '%s, %s is "
                "better'\nset key outside right top\nset offsets graph 0.05, "
                "graph 0.15, graph 0.08, graph 0.08\nplot ",
                xl, lower_better(x) ? "lower" : "higher", yl,
                lower_better(y) ? "lower" : "higher");
        plot_ref(c, "pareto_all");
        fprintf(c->f,
                " using 1:2 with points pt 7 ps 1.5 lc rgb '%s' title "
                "'runs (labelled by run_id)', '' using 1:2:3 with labels left "
                "offset 0.8,0.6 notitle, \\\n     ",
                plot_color(0));
        plot_ref(c, "pareto_front");
        fprintf(c->f,
                " using 1:2 with linespoints lw 2 pt 6 ps 2.2 lc rgb "
                "'%s' title 'Pareto front'",
                plot_color(1));
        for (size_t i = 0; i < c->n_runs && i < 24; i++) {
            fputs(", \\\n     1/0 with points ps 0 title ", c->f);
            plot_quote(c->f, c->runs[i].label);
        }
        fputc('\n', c->f);
        free(title);
        free(xl);
        free(yl);
    }
    free_points(pts, n);
    return HS_OK;
}
