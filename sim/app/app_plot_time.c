/*
 * app_plot_time.c -- the serving pictures: latency CDFs (TTFT, TPOT and
 * E2E of the done requests, one panel each, the runs side by side, the
 * SLO thresholds drawn) and a run's timeline (per instance busy
 * fraction, KV occupancy and queue length from the timeseries table, and
 * per link throughput from the transfers table, over simulated time).
 */
#include "app_plot_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- CDFs ---------------------------------------------------------------- */

/* One latency panel. */
typedef struct cdf_panel {
    const char *col;  /* requests column */
    char slo;         /* plot_slo.metric */
    const char *head; /* panel title */
    const char *xlabel;
} cdf_panel;

static const cdf_panel cdf_panels[] = {
    {"ttft_s", 't', "TTFT", "time to first token (s, log scale)"},
    {"tpot_s", 'p', "TPOT", "time per output token (s, log scale)"},
    {"e2e_s", 'e', "E2E", "end-to-end latency (s, log scale)"},
};

/* What cdf_row writes: rank k of n values. */
typedef struct cdf_acc {
    FILE *f;
    int64_t n, k, stride;
    double lo, hi;
} cdf_acc;

static int cdf_row(void *ctx, const io_row *row)
{
    cdf_acc *a = ctx;
    double v = plot_num(row->values[0]);

    a->k++;
    if (v > 0) {
        a->lo = fmin(a->lo, v);
        a->hi = fmax(a->hi, v);
    }
    if (v > 0 && ((a->k - 1) % a->stride == 0 || a->k == a->n))
        fprintf(a->f, "%.9g\t%.9g\n", v, (double)a->k / (double)a->n);
    return 0;
}

/* The CDF of column 'p->col' of run 'ri' as dataset cdf_<col>_<ri>;
 * false when the run has no value. */
static bool cdf_series(plot_ctx *c, const cdf_panel *p, size_t ri, cdf_acc *a,
                       int *rc)
{
    char id[32], *sql;
    const char *params[1] = {id};

    snprintf(id, sizeof id, "%lld", (long long)c->runs[ri].id);
    sql = hs_asprintf("SELECT count(*) FROM requests WHERE run_id = ?1 AND "
                      "%s IS NOT NULL",
                      p->col);
    a->n = plot_count(c, sql, params, 1);
    free(sql);
    if (a->n == 0)
        return false;
    a->k = 0;
    a->stride = plot_stride(c, a->n);
    a->f = plot_data_begin(c, "cdf_%s_%zu", p->col, ri);
    sql = hs_asprintf("SELECT %s FROM requests WHERE run_id = ?1 AND %s IS "
                      "NOT NULL ORDER BY %s",
                      p->col, p->col, p->col);
    *rc = plot_query(c, sql, params, 1, cdf_row, a);
    free(sql);
    plot_data_end(c);
    return true;
}

/* The largest SLO threshold of panel 'p' (0 when none). */
static double cdf_slo_max(const plot_ctx *c, const cdf_panel *p)
{
    double m = 0;

    for (size_t i = 0; i < c->n_runs; i++)
        for (size_t j = 0; j < c->runs[i].n_slos; j++)
            if (c->runs[i].slos[j].metric == p->slo)
                m = fmax(m, c->runs[i].slos[j].threshold_s);
    return m;
}

/* The SLO thresholds of panel 'p' over every run, once each. */
static void cdf_slos(plot_ctx *c, const cdf_panel *p)
{
    int n = 0;

    for (size_t i = 0; i < c->n_runs; i++)
        for (size_t j = 0; j < c->runs[i].n_slos; j++) {
            const plot_slo *s = &c->runs[i].slos[j];
            bool seen = false;
            char *t;

            if (s->metric != p->slo)
                continue;
            for (size_t i2 = 0; i2 <= i && !seen; i2++)
                for (size_t j2 = 0; j2 < c->runs[i2].n_slos; j2++)
                    if ((i2 < i || j2 < j) &&
                        strcmp(c->runs[i2].slos[j2].key, s->key) == 0 &&
                        c->runs[i2].slos[j2].threshold_s == s->threshold_s)
                        seen = true;
            if (seen)
                continue;
            fprintf(c->f,
                    "set arrow from first %.9g, graph 0 to first %.9g, graph "
                    "1 nohead lw 2 dt 3 lc rgb '#c0392b' front\n"
                    "set arrow from graph 0, first %.6g to graph 1, first "
                    "%.6g nohead lw 1 dt 3 lc rgb '#c0392b' front\n",
                    s->threshold_s, s->threshold_s, s->percentile / 100,
                    s->percentile / 100);
            t = hs_asprintf("SLO %s ≤ %g s", s->key, s->threshold_s);
            fputs("set label ", c->f);
            plot_quote(c->f, t);
            fprintf(c->f,
                    " at first %.9g, graph %.2f right offset -0.5,0 tc rgb "
                    "'#c0392b' front\n",
                    s->threshold_s, 0.5 - 0.06 * n++);
            free(t);
        }
}

/* One panel: the runs' CDFs of one column. */
static int cdf_panel_plot(plot_ctx *c, const cdf_panel *p)
{
    cdf_acc a = {NULL, 0, 0, 1, INFINITY, -INFINITY};
    bool *has = hs_calloc(c->n_runs + 1, sizeof *has);
    size_t n = 0;
    int rc = HS_OK;

    for (size_t i = 0; i < c->n_runs && rc == HS_OK; i++)
        n += has[i] = !c->runs[i].oicf && cdf_series(c, p, i, &a, &rc);
    fprintf(c->f,
            "unset arrow\nunset label\nset title '%s'\nset xlabel '%s'\n"
            "set ylabel 'fraction of requests'\nset yrange [0:1.02]\n"
            "set logscale x 10\n",
            p->head, p->xlabel);
    if (n == 0) {
        fputs("set xrange [0.001:1]\nset label 'no values' at graph 0.5, "
              "graph 0.5 center\nplot 2 notitle\n",
              c->f);
        free(has);
        return rc;
    }
    fprintf(c->f, "set xrange [%.6g:%.6g]\n",
            pow(10, floor(log10(a.lo) - 0.1)),
            pow(10, ceil(log10(fmax(a.hi, cdf_slo_max(c, p) * 1.5)))));
    cdf_slos(c, p);
    fputs("plot ", c->f);
    for (size_t i = 0, k = 0; i < c->n_runs; i++) {
        char name[48];

        if (!has[i])
            continue;
        snprintf(name, sizeof name, "cdf_%s_%zu", p->col, i);
        fputs(k++ > 0 ? ", \\\n     " : "", c->f);
        plot_ref(c, name);
        fprintf(c->f, " using 1:2 with steps lw 2 lc rgb '%s' notitle",
                plot_color(i));
    }
    fputc('\n', c->f);
    free(has);
    return rc;
}

/* The fourth cell of the layout: the key of the three panels. */
static void cdf_key(plot_ctx *c)
{
    fputs("unset arrow\nunset label\nunset title\nunset border\nunset "
          "tics\nunset xlabel\nunset ylabel\nunset logscale\nset xrange "
          "[0:1]\nset yrange [0:1]\nset key center center box opaque "
          "spacing 1.3\nplot ",
          c->f);
    for (size_t i = 0; i < c->n_runs; i++) {
        fprintf(c->f, "%s2 with lines lw 3 lc rgb '%s' title ",
                i > 0 ? ", \\\n     " : "", plot_color(i));
        plot_quote(c->f, c->runs[i].label);
    }
    fputc('\n', c->f);
}

int plot_cdf(plot_ctx *c)
{
    char *title = plot_title(c, "Latency CDFs", c->runs, c->n_runs);
    int rc = HS_OK;

    plot_head(c, title);
    fputs("set multiplot layout 2,2 title ", c->f);
    plot_quote(c->f, title);
    fputs(" font ',14'\nset key off\n", c->f);
    free(title);
    for (size_t i = 0; i < 3 && rc == HS_OK; i++)
        rc = cdf_panel_plot(c, &cdf_panels[i]);
    cdf_key(c);
    fputs("unset multiplot\n", c->f);
    return rc;
}

/* ---- timeline ------------------------------------------------------------- */

/* Lines of the instance panels at most: the instances one line each up
 * to this many; beyond it one line per group (said in the title). */
#define TIMELINE_MAX_LINES 8

/* A line of the instance panels: one instance, or several aggregated
 * row by row of the same sample time (t_s): busy fraction their mean,
 * KV occupancy their used bytes over their capacity, queue length their
 * sum.  Over one instance these are its own values. */
typedef struct ts_line {
    char *label;
    const char **members; /* instance names (the run's) */
    size_t n;
} ts_line;

/* io_row_fn: a timeseries row (t_s, busy_frac, kv fraction, queue_len). */
static int ts_row(void *ctx, const io_row *row)
{
    FILE *f = ctx;

    fprintf(f, "%s\t%s\t%s\t%s\n", row->values[0] ? row->values[0] : "NaN",
            row->values[1] ? row->values[1] : "NaN",
            row->values[2] ? row->values[2] : "NaN",
            row->values[3] ? row->values[3] : "NaN");
    return 0;
}

/* The dataset ts_<k> of line 'l' of the run. */
static int ts_series(plot_ctx *c, size_t k, const ts_line *l)
{
    const plot_run *r = &c->runs[0];
    const char **params = hs_calloc(l->n + 2, sizeof *params);
    char id[32], stride[32], *in = NULL, *sql;
    size_t len = 0;
    FILE *f = open_memstream(&in, &len);
    int rc;

    HS_ASSERT(f != NULL);
    for (size_t j = 0; j < l->n; j++) {
        fprintf(f, "%s?%zu", j > 0 ? ", " : "", j + 3);
        params[j + 2] = l->members[j];
    }
    fclose(f);
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    params[0] = id;
    params[1] = stride;
    snprintf(stride, sizeof stride, "1");
    sql = hs_asprintf("SELECT count(DISTINCT t_s) FROM timeseries WHERE "
                      "run_id = ?1 AND instance IN (%s)",
                      in);
    snprintf(
        stride, sizeof stride, "%lld",
        (long long)plot_stride(c, plot_count(c, sql, params, (int)l->n + 2)));
    free(sql);
    sql = hs_asprintf(
        "SELECT t_s, b, kv, q FROM (SELECT t_s, avg(busy_frac) AS b, "
        "sum(kv_used_bytes) / nullif(sum(kv_capacity_bytes), 0) AS kv, "
        "sum(queue_len) AS q, row_number() OVER (ORDER BY t_s) AS k FROM "
        "timeseries WHERE run_id = ?1 AND instance IN (%s) GROUP BY t_s) "
        "WHERE (k - 1) %% ?2 = 0 ORDER BY t_s",
        in);
    f = plot_data_begin(c, "ts_%zu", k);
    rc = plot_query(c, sql, params, (int)l->n + 2, ts_row, f);
    plot_data_end(c);
    free(sql);
    free(in);
    free(params);
    return rc;
}

/* The length of the group part of instance name 'name': the name less a
 * final ".N" (mono.3: "mono"), else the whole name. */
static size_t group_len(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (dot == NULL || dot[1] == '\0' ||
        strspn(dot + 1, "0123456789") != strlen(dot + 1))
        return strlen(name);
    return (size_t)(dot - name);
}

static ts_line *add_line(ts_line **l, size_t *n, size_t *cap, char *label,
                         size_t members)
{
    ts_line *x;

    hs_grow((void **)l, cap, *n + 1, sizeof **l);
    x = &(*l)[(*n)++];
    x->label = label;
    x->members = hs_calloc(members + 1, sizeof *x->members);
    x->n = 0;
    return x;
}

/* One line per group of the run's instances, in their order; when there
 * are more groups than lines, one line of them all. */
static size_t group_lines(const plot_run *r, ts_line **l, size_t *cap)
{
    size_t n = 0;

    for (size_t i = 0; i < r->n_insts; i++) {
        const char *name = r->insts[i].name;
        size_t g = group_len(name), k = 0;

        while (k < n && !(strlen((*l)[k].label) == g &&
                          strncmp((*l)[k].label, name, g) == 0))
            k++;
        if (k == n)
            add_line(l, &n, cap, hs_asprintf("%.*s", (int)g, name),
                     r->n_insts);
        (*l)[k].members[(*l)[k].n++] = name;
    }
    if (n <= TIMELINE_MAX_LINES)
        return n;
    for (size_t k = 1; k < n; k++) {
        free((*l)[k].label);
        free((*l)[k].members);
    }
    free((*l)[0].label);
    (*l)[0].label = hs_asprintf("all %zu instances", r->n_insts);
    (*l)[0].n = r->n_insts;
    for (size_t i = 0; i < r->n_insts; i++)
        (*l)[0].members[i] = r->insts[i].name;
    return 1;
}

/* The lines of the instance panels: the --instance ones, else every
 * instance, else (more than TIMELINE_MAX_LINES) one per group, each
 * label "NAME (N instances)"; what the title adds to '*note'. */
static int ts_lines(plot_ctx *c, ts_line **l, size_t *n, char **note)
{
    const plot_run *r = &c->runs[0];
    const app_plot_opts *o = c->o;
    size_t cap = 0;

    *l = NULL;
    *n = 0;
    *note = NULL;
    if (o->n_instances > TIMELINE_MAX_LINES)
        return hs_diag_error(c->d, (hs_loc){NULL, 0, 0},
                             "--instance: at most %d instances, %zu given",
                             TIMELINE_MAX_LINES, o->n_instances);
    for (size_t i = 0; i < o->n_instances; i++)
        if (plot_inst_find(r, o->instances[i]) == NULL)
            return hs_diag_error(c->d, (hs_loc){io_store_path(c->s), 0, 0},
                                 "run %s has no instance '%s'", r->label,
                                 o->instances[i]);
    if (o->n_instances > 0 || r->n_insts <= TIMELINE_MAX_LINES) {
        size_t m = o->n_instances > 0 ? o->n_instances : r->n_insts;

        for (size_t i = 0; i < m; i++) {
            const char *name =
                o->n_instances > 0 ? o->instances[i] : r->insts[i].name;

            add_line(l, n, &cap, hs_strdup(name), 1)->members[0] = name;
            (*l)[i].n = 1;
        }
        if (m < r->n_insts)
            *note = hs_asprintf("%zu of %zu instances", m, r->n_insts);
        return HS_OK;
    }
    *n = group_lines(r, l, &cap);
    for (size_t k = 0; k < *n; k++) {
        char *label = hs_asprintf("%s (%zu)", (*l)[k].label, (*l)[k].n);

        free((*l)[k].label);
        (*l)[k].label = label;
    }
    *note = hs_asprintf("%zu instances, a line per group: mean busy, total "
                        "KV, total queue",
                        r->n_insts);
    return HS_OK;
}

static void ts_lines_free(ts_line *l, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        free(l[k].label);
        free(l[k].members);
    }
    free(l);
}

/* What link_row writes. */
typedef struct link_acc {
    plot_ctx *c;
    char **links;
    size_t n, cap;
    double bucket;
    double max; /* the largest GB/s */
} link_acc;

/* io_row_fn: (link, bucket, bytes), ordered by link then bucket. */
static int link_row(void *ctx, const io_row *row)
{
    link_acc *a = ctx;
    const char *link = row->values[0] != NULL ? row->values[0] : "?";
    double v;

    if (a->n == 0 || strcmp(a->links[a->n - 1], link) != 0) {
        if (a->n > 0)
            plot_data_end(a->c);
        hs_grow((void **)&a->links, &a->cap, a->n + 1, sizeof *a->links);
        a->links[a->n++] = hs_strdup(link);
        plot_data_begin(a->c, "link_%zu", a->n - 1);
    }
    v = plot_num(row->values[2]) / a->bucket / 1e9;
    a->max = fmax(a->max, v);
    fprintf(a->c->data, "%.9g\t%.9g\n", plot_num(row->values[1]) * a->bucket,
            v);
    return 0;
}

/* Per link throughput, bytes summed per bucket of the run's span / 200
 * (at least the longest interval row). */
static int link_series(plot_ctx *c, link_acc *a)
{
    const plot_run *r = &c->runs[0];
    char id[32], bucket[32];
    const char *params[2] = {id, bucket};
    double longest;
    int rc;

    snprintf(id, sizeof id, "%lld", (long long)r->id);
    longest = plot_scalar(c,
                          "SELECT max(end_s - start_s) FROM transfers WHERE "
                          "run_id = ?1 AND request_id IS NULL",
                          params, 1);
    a->bucket = isfinite(r->sim_s) ? r->sim_s / 200 : 1;
    if (isfinite(longest))
        a->bucket = fmax(a->bucket, longest);
    if (!(a->bucket > 0))
        a->bucket = 1;
    snprintf(bucket, sizeof bucket, "%.17g", a->bucket);
    rc = plot_query(c,
                    "SELECT link, CAST(start_s / ?2 AS INTEGER) AS b, "
                    "sum(bytes) FROM transfers WHERE run_id = ?1 GROUP BY "
                    "link, b ORDER BY link, b",
                    params, 2, link_row, a);
    if (a->n > 0)
        plot_data_end(c);
    return rc;
}

/* One panel over the lines: column 'col' of ts_<k>. */
static void ts_panel(plot_ctx *c, const ts_line *l, size_t n, int col,
                     const char *style, const char *title, const char *ylabel,
                     const char *yr)
{
    fprintf(c->f,
            "set title '%s' offset 0,-0.4\nset ylabel '%s'\nset yrange "
            "%s\nset ytics %s\nplot ",
            title, ylabel, yr,
            strcmp(yr, "[0:1.05]") == 0 ? "0.5" : "autofreq");
    for (size_t k = 0; k < n; k++) {
        char name[32];

        snprintf(name, sizeof name, "ts_%zu", k);
        fputs(k > 0 ? ", \\\n     " : "", c->f);
        plot_ref(c, name);
        fprintf(c->f, " using 1:%d with %s lw 2 lc rgb '%s' ", col, style,
                plot_color(k));
        if (col == 2) { /* the instances' key, once, by the first panel */
            fputs("title ", c->f);
            plot_quote(c->f, l[k].label);
        } else {
            fputs("notitle", c->f);
        }
    }
    fputc('\n', c->f);
}

/* The round number (1, 2 or 5 times a power of ten) at or above 'x'
 * (> 0), for tics that a short panel has room for. */
static double nice_step(double x)
{
    double p;

    if (!(x > 0) || !isfinite(x))
        return 1;
    p = pow(10, floor(log10(x)));
    return x <= p ? p : x <= 2 * p ? 2 * p : x <= 5 * p ? 5 * p : 10 * p;
}

/* The capacity of link 'k' of the run in GB/s, as its 'utilisation'
 * metric counts it: the bytes of its transfers rows / (utilisation x
 * the run's span), so the time average of the panel's line is that
 * metric.  NAN when the link has no utilisation metric under its own
 * name (a memory pool's traffic: the metric's scope is the pool). */
static double link_capacity(plot_ctx *c, const link_acc *a, size_t k)
{
    const plot_run *r = &c->runs[0];
    char id[32];
    const char *params[2] = {id, a->links[k]};
    double util, bytes;

    snprintf(id, sizeof id, "%lld", (long long)r->id);
    util = plot_scalar(c,
                       "SELECT value FROM metrics WHERE run_id = ?1 AND "
                       "scope = ?2 AND name = 'utilisation'",
                       params, 2);
    bytes = plot_scalar(c,
                        "SELECT sum(bytes) FROM transfers WHERE run_id = ?1 "
                        "AND link = ?2",
                        params, 2);
    if (!(util > 0) || !(bytes > 0) || !(r->sim_s > 0))
        return NAN;
    return bytes / (util * r->sim_s) / 1e9;
}

/* Utilisation when every link's capacity is known, else GB/s. */
static void link_panel(plot_ctx *c, const link_acc *a)
{
    double *cap = hs_calloc(a->n + 1, sizeof *cap), top = 0;
    bool util = true;

    for (size_t k = 0; k < a->n; k++) {
        cap[k] = link_capacity(c, a, k);
        util = util && isfinite(cap[k]);
    }
    for (size_t k = 0; k < a->n && util; k++)
        top = fmax(top, a->max / cap[k]);
    fprintf(c->f,
            "set title 'link %s (bytes of the transfers starting in each "
            "%.3g s%s)' offset 0,-0.4\nset ylabel '%s'\nset yrange [0:*]\n"
            "set ytics %.3g\nplot ",
            util ? "utilisation" : "throughput", a->bucket,
            util ? ", / bandwidth" : "", util ? "fraction" : "GB/s",
            nice_step((util ? top : a->max) / 3));
    for (size_t k = 0; k < a->n; k++) {
        char name[32];

        snprintf(name, sizeof name, "link_%zu", k);
        fputs(k > 0 ? ", \\\n     " : "", c->f);
        plot_ref(c, name);
        if (util)
            fprintf(c->f, " using 1:($2 / %.9g)", cap[k]);
        else
            fputs(" using 1:2", c->f);
        fprintf(c->f, " with steps lw 2 lc rgb '%s' title ", plot_color(k));
        plot_quote(c->f, a->links[k]);
    }
    fputc('\n', c->f);
    free(cap);
}

int plot_timeline(plot_ctx *c)
{
    const plot_run *r = &c->runs[0];
    link_acc links = {c, NULL, 0, 0, 1, 0};
    ts_line *l = NULL;
    size_t n = 0;
    char *title, *head, *note = NULL;
    int rc = HS_OK;

    if (r->oicf || r->n_insts == 0)
        return hs_diag_error(c->d, (hs_loc){io_store_path(c->s), 0, 0},
                             "run %s has no instances to show over time",
                             r->label);
    rc = ts_lines(c, &l, &n, &note);
    for (size_t k = 0; k < n && rc == HS_OK; k++)
        rc = ts_series(c, k, &l[k]);
    if (rc == HS_OK)
        rc = link_series(c, &links);
    title = plot_title(c, "Timeline", c->runs, 1);
    head =
        note != NULL ? hs_asprintf("%s (%s)", title, note) : hs_strdup(title);
    plot_head(c, head);
    fprintf(c->f, "set multiplot layout %d,1 title ", links.n > 0 ? 4 : 3);
    plot_quote(c->f, head);
    /* one x label, under the last panel; the panels share the x range */
    fprintf(c->f,
            " font ',14'\nset key outside right top vertical maxrows 4 "
            "samplen 1.5\nset lmargin 12\nset rmargin 30\nset tmargin "
            "2.2\nset "
            "bmargin 1.2\nset xrange [0:%.9g]\nunset xlabel\n",
            isfinite(r->sim_s) && r->sim_s > 0 ? r->sim_s : 1.0);
    ts_panel(c, l, n, 2, "fsteps", "busy fraction (since the previous sample)",
             "fraction", "[0:1.05]");
    ts_panel(c, l, n, 3, "steps", "KV occupancy", "used / capacity",
             "[0:1.05]");
    if (links.n == 0)
        fputs("set xlabel 'simulated time (s)'\nset bmargin 3\n", c->f);
    ts_panel(c, l, n, 4, "steps", "queue length (waiting for admission)",
             "requests", "[0:*]");
    if (links.n > 0) {
        fputs("set xlabel 'simulated time (s)'\nset bmargin 3\n", c->f);
        link_panel(c, &links);
    }
    fputs("unset multiplot\n", c->f);
    for (size_t k = 0; k < links.n; k++)
        free(links.links[k]);
    free(links.links);
    ts_lines_free(l, n);
    free(note);
    free(title);
    free(head);
    return rc;
}
