/*
 * app_plot.c -- building a plot (app_plot.h): the kinds by name, the
 * runs a plot shows, the kind's script and datasets, and the script with
 * its data inline for gnuplot's standard input.  The top of the plot
 * files: it calls the kinds, which call app_plot_util.c.
 */
#include "app_plot_int.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name, *doc;
} kinds[] = {
#define APP_PLOT_KIND_ROW(e, name, doc) {name, doc},
    APP_PLOT_KINDS(APP_PLOT_KIND_ROW)
#undef APP_PLOT_KIND_ROW
};

const char *app_plot_kind_name(app_plot_kind k)
{
    HS_ASSERT(k < APP_PLOT_N_KINDS);
    return kinds[k].name;
}

const char *app_plot_kind_doc(app_plot_kind k)
{
    HS_ASSERT(k < APP_PLOT_N_KINDS);
    return kinds[k].doc;
}

bool app_plot_kind_parse(const char *name, app_plot_kind *out)
{
    for (int k = 0; k < APP_PLOT_N_KINDS; k++)
        if (strcmp(kinds[k].name, name) == 0) {
            *out = (app_plot_kind)k;
            return true;
        }
    return false;
}

static int build_kind(plot_ctx *c)
{
    switch (c->o->kind) {
    case APP_PLOT_OICF:
        return plot_oicf(c);
    case APP_PLOT_ROOFLINE:
        return plot_roofline(c);
    case APP_PLOT_CDF:
        return plot_cdf(c);
    case APP_PLOT_TIMELINE:
        return plot_timeline(c);
    case APP_PLOT_SWEEP:
        return plot_sweep(c);
    case APP_PLOT_PARETO:
        return plot_pareto(c);
    case APP_PLOT_N_KINDS:
        break;
    }
    HS_ASSERT(false);
    return HS_EINPUT;
}

/* What all_runs collects. */
typedef struct id_list {
    int64_t *ids;
    size_t n, cap;
} id_list;

static int id_row(void *ctx, const io_row *row)
{
    id_list *l = ctx;

    hs_grow((void **)&l->ids, &l->cap, l->n + 1, sizeof *l->ids);
    l->ids[l->n++] = strtoll(row->values[0], NULL, 10);
    return 0;
}

/* The runs a plot without --run shows: every run but oicf invocations
 * (the oicf kind: every run); timeline: the latest of them. */
static int default_runs(plot_ctx *c, id_list *l)
{
    bool with_oicf = c->o->kind == APP_PLOT_OICF;
    int rc = plot_query(c,
                        with_oicf ? "SELECT run_id FROM runs ORDER BY run_id"
                                  : "SELECT run_id FROM runs WHERE name <> "
                                    "'oicf' ORDER BY run_id",
                        NULL, 0, id_row, l);

    if (rc == HS_OK && l->n == 0)
        return hs_diag_error(c->d, (hs_loc){io_store_path(c->s), 0, 0},
                             "no run to plot");
    return rc;
}

int app_plot_build(io_store *s, const app_plot_opts *o, app_plot *out,
                   hs_diag *d)
{
    plot_ctx c = {s, o, out, d, NULL, 0, NULL, 0, NULL, NULL, 0};
    id_list l = {NULL, 0, 0};
    const int64_t *ids = o->runs;
    size_t n = o->n_runs;
    int rc = HS_OK;

    memset(out, 0, sizeof *out);
    out->files = o->files;
    if (ids == NULL) {
        rc = default_runs(&c, &l);
        ids = l.ids;
        n = l.n;
    }
    if (rc == HS_OK && o->kind == APP_PLOT_TIMELINE && n > 1) {
        ids += n - 1; /* one run: the last selected */
        n = 1;
    }
    if (rc == HS_OK)
        rc = plot_runs_load(&c, ids, n);
    c.f = open_memstream(&out->script, &c.size);
    HS_ASSERT(c.f != NULL);
    if (rc == HS_OK)
        rc = build_kind(&c);
    fclose(c.f);
    if (c.data != NULL)
        plot_data_end(&c);
    plot_runs_free(&c);
    free(l.ids);
    if (rc != HS_OK)
        app_plot_fini(out);
    return rc;
}

void app_plot_fini(app_plot *p)
{
    for (size_t i = 0; i < p->n_data; i++) {
        free(p->data[i].name);
        free(p->data[i].text);
    }
    free(p->data);
    free(p->script);
    memset(p, 0, sizeof *p);
}

void app_plot_write(const app_plot *p, FILE *out)
{
    for (size_t i = 0; i < p->n_data; i++) {
        fprintf(out, "$%s << EOD\n", p->data[i].name);
        fwrite(p->data[i].text, 1, p->data[i].len, out);
        fputs("EOD\n", out);
    }
    fputs(p->script, out);
}
