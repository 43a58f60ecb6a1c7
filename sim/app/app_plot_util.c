/*
 * app_plot_util.c -- what every plot kind shares: the facts of a run
 * (model, hardware, devices' ridge points and memory, SLOs) read from the
 * store and from the scenario text stored with it, gnuplot quoting, the
 * script's head, and datasets (inline datablocks or files).  The lowest
 * of the plot files: it calls no kind.
 */
#include "app_plot_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hetsim/io.h"
#include "hetsim/scenario.h"

/* ---- queries ------------------------------------------------------------- */

int plot_query(plot_ctx *c, const char *sql, const char *const *params, int n,
               io_row_fn fn, void *ctx)
{
    return io_store_query(c->s, sql, params, n, fn, ctx, c->d);
}

static int first_num(void *ctx, const io_row *row)
{
    *(double *)ctx = plot_num(row->values[0]);
    return 1;
}

double plot_scalar(plot_ctx *c, const char *sql, const char *const *params,
                   int n)
{
    double v = NAN;

    plot_query(c, sql, params, n, first_num, &v);
    return v;
}

int64_t plot_count(plot_ctx *c, const char *sql, const char *const *params,
                   int n)
{
    double v = plot_scalar(c, sql, params, n);

    return isfinite(v) ? (int64_t)v : 0;
}

int64_t plot_stride(const plot_ctx *c, int64_t n)
{
    int64_t max = c->o->max_points > 0 ? c->o->max_points : PLOT_MAX_POINTS;

    return n <= max ? 1 : (n + max - 1) / max;
}

double plot_num(const char *v)
{
    return v != NULL ? strtod(v, NULL) : (double)NAN;
}

/* ---- text ----------------------------------------------------------------- */

void plot_field(FILE *f, const char *s)
{
    if (s == NULL)
        s = "?";
    for (; *s != '\0'; s++)
        fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

const char *plot_color(size_t i)
{
    static const char *const colors[] = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
        "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
    };

    return colors[i % (sizeof colors / sizeof colors[0])];
}

const plot_inst *plot_inst_find(const plot_run *r, const char *name)
{
    for (size_t i = 0; i < r->n_insts && name != NULL; i++)
        if (strcmp(r->insts[i].name, name) == 0)
            return &r->insts[i];
    return NULL;
}

void plot_quote(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s != NULL && *s != '\0'; s++) {
        if (*s == '\n')
            fputs("\\n", f);
        else if (*s == '\r' || *s == '\t')
            fputc(' ', f);
        else if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

void plot_head(plot_ctx *c, const char *title)
{
    const app_plot_opts *o = c->o;
    FILE *f = c->f;

    if (strcmp(o->terminal, "pdfcairo") == 0)
        fprintf(f, "set terminal pdfcairo size %.2fin,%.2fin font 'Sans,9'\n",
                o->width / 100.0, o->height / 100.0);
    else if (strcmp(o->terminal, "svg") == 0)
        fprintf(f,
                "set terminal svg size %d,%d dynamic font 'Sans,13' "
                "background '#ffffff'\n",
                o->width, o->height);
    else
        fprintf(f, "set terminal pngcairo size %d,%d font 'Sans,12'\n",
                o->width, o->height);
    fputs("set output ", f);
    plot_quote(f, o->output);
    fputs("\nset encoding utf8\nset termoption noenhanced\n"
          "set datafile separator '\\t'\nset datafile missing 'NaN'\n"
          "set grid lc rgb '#dddddd'\nset key noenhanced\n"
          "set style line 1 lw 2 lc rgb '#1f77b4'\n",
          f);
    fputs("set title ", f);
    plot_quote(f, title);
    fputs(" noenhanced font ',14'\n", f);
}

char *plot_title(const plot_ctx *c, const char *what, const plot_run *runs,
                 size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    (void)c;
    HS_ASSERT(f != NULL);
    fprintf(f, "%s: ", what);
    for (size_t i = 0; i < n; i++) {
        bool seen = false;

        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(runs[j].model, runs[i].model) == 0 &&
                   strcmp(runs[j].hw, runs[i].hw) == 0;
        if (!seen)
            fprintf(f, "%s%s on %s",
                    ftell(f) > (long)strlen(what) + 2 ? "; " : "",
                    runs[i].model, runs[i].hw);
    }
    fprintf(f, "\nrun%s ", n > 1 ? "s" : "");
    for (size_t i = 0; i < n && i < 4; i++)
        fprintf(f, "%s%s", i > 0 ? ", " : "", runs[i].label);
    if (n > 4)
        fprintf(f, " and %zu more", n - 4);
    fclose(f);
    return buf;
}

/* ---- datasets ----------------------------------------------------------- */

FILE *plot_data_begin(plot_ctx *c, const char *fmt, ...)
{
    app_plot *p = c->p;
    va_list ap;

    HS_ASSERT(c->data == NULL);
    hs_grow((void **)&p->data, &p->cap_data, p->n_data + 1, sizeof *p->data);
    memset(&p->data[p->n_data], 0, sizeof p->data[0]);
    va_start(ap, fmt);
    p->data[p->n_data].name = hs_vasprintf(fmt, ap);
    va_end(ap);
    c->dbuf = NULL;
    c->dlen = 0;
    c->data = open_memstream(&c->dbuf, &c->dlen);
    HS_ASSERT(c->data != NULL);
    return c->data;
}

void plot_data_end(plot_ctx *c)
{
    app_plot_data *ds = &c->p->data[c->p->n_data++];

    fclose(c->data);
    c->data = NULL;
    ds->text = c->dbuf;
    ds->len = c->dlen;
}

void plot_ref(plot_ctx *c, const char *name)
{
    if (c->p->files)
        fprintf(c->f, "'%s.dat'", name);
    else
        fprintf(c->f, "$%s", name);
}

/* ---- the facts of a run ------------------------------------------------- */

/* The "--set" overrides stored after a run's scenario text as
 * "#   --set PATH=VALUE" lines (app_run.c), pointing into 'text' (a copy
 * of the scenario text, cut into lines here).  '*n' of them. */
static io_override *stored_overrides(char *text, size_t *n)
{
    static const char mark[] = "#   --set ";
    io_override *ovr = NULL;
    size_t cap = 0;
    char *line = text;

    *n = 0;
    while (line != NULL) {
        char *end = strchr(line, '\n');

        if (end != NULL)
            *end = '\0';
        if (strncmp(line, mark, sizeof mark - 1) == 0) {
            hs_grow((void **)&ovr, &cap, *n + 1, sizeof *ovr);
            ovr[(*n)++].arg = line + sizeof mark - 1;
        }
        line = end != NULL ? end + 1 : NULL;
    }
    return ovr;
}

/* The value of the first top-level "model:" line of 'yaml' (a new
 * string), "?" when there is none: the fallback when the scenario no
 * longer loads. */
static char *model_line(const char *yaml)
{
    const char *p = yaml;

    while (p != NULL && *p != '\0') {
        if (strncmp(p, "model:", 6) == 0) {
            size_t k = strcspn(p + 6, "#\n");
            char *v = hs_strndup(p + 6, k), *s = v, *e;

            while (*s == ' ')
                s++;
            e = s + strlen(s);
            while (e > s && e[-1] == ' ')
                *--e = '\0';
            if (*s != '\0' && *s != '{') {
                char *r = hs_strdup(s);

                free(v);
                return r;
            }
            free(v);
            break;
        }
        p = strchr(p, '\n');
        p = p != NULL ? p + 1 : NULL;
    }
    return hs_strdup("?");
}

/* A --set override that replaces a scenario's workload with one that
 * reads no file. */
#define STAND_IN_WORKLOAD                                                     \
    "workload=[{name: plot, synthetic: {arrival: {process: poisson, rate: "   \
    "1/s}, requests: 1, prompt: {dist: fixed, value: 16}, output: {dist: "    \
    "fixed, value: 1}}}]"

/* The devices, SLOs and model of run 'r' from its stored scenario. */
static void from_scenario(plot_run *r, const char *path, const char *yaml)
{
    char *text = hs_strdup(yaml), *lines = hs_strdup(yaml);
    io_scenario_opts so;
    sc_scenario *sc = NULL;
    hs_diag *scratch = hs_diag_new();

    memset(&so, 0, sizeof so);
    so.text = text;
    so.variant = r->variant;
    so.ovr = stored_overrides(lines, &so.n_ovr);
    if (io_scenario_load_opts(path, &so, &sc, scratch) != HS_OK) {
        /* A trace that is not where the run read it (the database moved,
         * or another working directory) fails the load; a plot needs no
         * trace, so a one-request workload stands in for it. */
        io_override *more = hs_calloc(so.n_ovr + 1, sizeof *more);

        if (so.n_ovr > 0)
            memcpy(more, so.ovr, so.n_ovr * sizeof *more);
        more[so.n_ovr].arg = STAND_IN_WORKLOAD;
        free((void *)so.ovr);
        so.ovr = more;
        so.n_ovr++;
        io_scenario_load_opts(path, &so, &sc, scratch);
    }
    if (sc != NULL) {
        r->model = hs_strdup(sc->model.name[0] != '\0'   ? sc->model.name
                             : sc->model_catalog != NULL ? sc->model_catalog
                                                         : "custom");
        r->devs = hs_calloc(sc->n_hardware + 1, sizeof *r->devs);
        for (size_t i = 0; i < sc->n_hardware; i++) {
            const cost_device *dev = &sc->hardware[i].dev;
            plot_dev *pd = &r->devs[r->n_devs++];

            pd->name = hs_strdup(sc->hardware[i].name);
            pd->peak =
                cost_device_peak(dev, cost_compute_dtype(dev, &sc->precision));
            pd->bw = dev->mem_bw;
            pd->mem = dev->mem_bytes;
            pd->power_busy_w = dev->power_busy_w;
            pd->ridge = pd->bw > 0 ? pd->peak / pd->bw : (double)NAN;
        }
        r->slos = hs_calloc(sc->n_slo + 1, sizeof *r->slos);
        for (size_t i = 0; i < sc->n_slo; i++) {
            plot_slo *ps = &r->slos[r->n_slos++];

            ps->metric = sc->slo[i].metric == SC_SLO_TTFT   ? 't'
                         : sc->slo[i].metric == SC_SLO_TPOT ? 'p'
                                                            : 'e';
            ps->threshold_s = sc->slo[i].threshold_s;
            ps->percentile = sc->slo[i].percentile;
            ps->key = hs_strdup(sc->slo[i].key);
        }
    } else {
        r->model = model_line(yaml);
    }
    sc_scenario_free(sc);
    hs_diag_free(scratch);
    free((void *)so.ovr);
    free(lines);
    free(text);
}

/* io_row_fn: the runs row (name, variant, scenario_path, scenario_yaml,
 * sim_s). */
static int run_row(void *ctx, const io_row *row)
{
    plot_run *r = ctx;
    const char *const *v = row->values;

    r->name = hs_strdup(v[0] != NULL ? v[0] : "?");
    r->variant = v[1] != NULL ? hs_strdup(v[1]) : NULL;
    r->label = hs_asprintf("%lld %s%s%s", (long long)r->id, r->name,
                           r->variant != NULL ? "/" : "",
                           r->variant != NULL ? r->variant : "");
    r->sim_s = plot_num(v[4]);
    r->oicf = strcmp(r->name, "oicf") == 0;
    if (!r->oicf)
        from_scenario(r, v[2] != NULL ? v[2] : "scenario.yaml",
                      v[3] != NULL ? v[3] : "");
    return 0;
}

/* What inst_row builds: the run and its hardware text. */
typedef struct inst_acc {
    plot_run *r;
    FILE *hw;
    size_t cap;
} inst_acc;

/* io_row_fn: one instances row (instance, device, count, tp). */
static int inst_row(void *ctx, const io_row *row)
{
    inst_acc *a = ctx;
    plot_run *r = a->r;
    plot_inst *in;
    const char *dev = row->values[1] != NULL ? row->values[1] : "?";
    long tp = row->values[3] != NULL ? strtol(row->values[3], NULL, 10) : 1;

    hs_grow((void **)&r->insts, &a->cap, r->n_insts + 1, sizeof *r->insts);
    in = &r->insts[r->n_insts++];
    in->name = hs_strdup(row->values[0] != NULL ? row->values[0] : "?");
    in->dev = -1;
    in->tp = tp > 0 ? (int)tp : 1;
    for (size_t i = 0; i < r->n_devs; i++)
        if (strcmp(r->devs[i].name, dev) == 0) {
            in->dev = (int)i;
            in->mem = (double)tp * r->devs[i].mem;
        }
    return 0;
}

/* The hardware text: "4x h100" per (device, tp) group, from the
 * instances table. */
static int hw_row(void *ctx, const io_row *row)
{
    inst_acc *a = ctx;
    const char *const *v = row->values;

    fprintf(a->hw, "%s%s× %s%s%s", ftell(a->hw) > 0 ? " + " : "",
            v[2] != NULL ? v[2] : "?", v[0] != NULL ? v[0] : "?",
            v[1] != NULL && strcmp(v[1], "1") != 0 ? " tp" : "",
            v[1] != NULL && strcmp(v[1], "1") != 0 ? v[1] : "");
    return 0;
}

/* io_row_fn: the model and hardware of an oicf invocation. */
static int oicf_row(void *ctx, const io_row *row)
{
    plot_run *r = ctx;

    r->model = hs_strdup(row->values[0] != NULL ? row->values[0] : "?");
    r->hw = hs_strdup(row->values[1] != NULL ? row->values[1] : "?");
    return 1;
}

static int load_one(plot_ctx *c, plot_run *r)
{
    char id[32];
    const char *params[1] = {id};
    inst_acc a = {r, NULL, 0};
    char *buf = NULL;
    size_t len = 0;
    int rc;

    snprintf(id, sizeof id, "%lld", (long long)r->id);
    rc = plot_query(c,
                    "SELECT name, variant, scenario_path, scenario_yaml, "
                    "sim_s FROM runs WHERE run_id = ?1",
                    params, 1, run_row, r);
    if (rc == HS_OK && r->name == NULL)
        return hs_diag_error(c->d, (hs_loc){io_store_path(c->s), 0, 0},
                             "no run %s", id);
    if (rc != HS_OK)
        return rc;
    if (r->oicf) {
        rc = plot_query(c,
                        "SELECT group_concat(DISTINCT model), "
                        "group_concat(DISTINCT hardware) FROM oicf "
                        "WHERE run_id = ?1",
                        params, 1, oicf_row, r);
        return rc == 1 ? HS_OK : rc;
    }
    rc = plot_query(c,
                    "SELECT instance, device, count, tp FROM instances "
                    "WHERE run_id = ?1 ORDER BY rowid",
                    params, 1, inst_row, &a);
    a.hw = open_memstream(&buf, &len);
    HS_ASSERT(a.hw != NULL);
    if (rc == HS_OK)
        rc = plot_query(c,
                        "SELECT device, tp, sum(count) FROM instances WHERE "
                        "run_id = ?1 GROUP BY device, tp ORDER BY min(rowid)",
                        params, 1, hw_row, &a);
    if (ftell(a.hw) == 0)
        fputs("?", a.hw);
    fclose(a.hw);
    r->hw = buf;
    return rc;
}

int plot_runs_load(plot_ctx *c, const int64_t *ids, size_t n)
{
    int rc = HS_OK;

    c->runs = hs_calloc(n + 1, sizeof *c->runs);
    for (size_t i = 0; i < n && rc == HS_OK; i++) {
        c->runs[i].id = ids[i];
        c->n_runs = i + 1;
        rc = load_one(c, &c->runs[i]);
    }
    for (size_t i = 0; i < c->n_runs; i++) {
        if (c->runs[i].model == NULL)
            c->runs[i].model = hs_strdup("?");
        if (c->runs[i].hw == NULL)
            c->runs[i].hw = hs_strdup("?");
        if (c->runs[i].label == NULL)
            c->runs[i].label = hs_strdup("?");
    }
    return rc;
}

void plot_runs_free(plot_ctx *c)
{
    for (size_t i = 0; i < c->n_runs; i++) {
        plot_run *r = &c->runs[i];

        for (size_t j = 0; j < r->n_devs; j++)
            free(r->devs[j].name);
        for (size_t j = 0; j < r->n_insts; j++)
            free(r->insts[j].name);
        for (size_t j = 0; j < r->n_slos; j++)
            free(r->slos[j].key);
        free(r->devs);
        free(r->insts);
        free(r->slos);
        free(r->name);
        free(r->variant);
        free(r->label);
        free(r->model);
        free(r->hw);
    }
    free(c->runs);
    c->runs = NULL;
    c->n_runs = 0;
}
