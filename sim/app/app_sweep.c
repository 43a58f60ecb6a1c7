/*
 * app_sweep.c -- the points of a sweep or search file (app.h): each one
 * the base scenario with PATH=VALUE overrides and a seed, all checked
 * before anything runs; running one point into a store; and the key that
 * identifies a point in a results file (for --resume and merge).
 *
 * Invariants (of a loaded app_sweep):
 *   W1  pt[i].n_params == file->n_grid + file->n_zip and pt[i].n_ovr is
 *       that plus 1 when the file has an slo (a search): every point sets
 *       every PATH once.
 *   W2  pt[i].key is unique among the points.
 */
#include "hetsim/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- enumerating -------------------------------------------------------- */

/* The number of points: grid sizes x zip length x seeds. */
static size_t count_points(const io_sweep *f)
{
    size_t n = 1;

    for (size_t i = 0; i < f->n_grid; i++)
        n *= f->grid[i].n;
    if (f->n_zip > 0)
        n *= f->zip_len;
    if (f->n_seeds > 0)
        n *= f->n_seeds;
    return n;
}

static int cmp_param(const void *a, const void *b)
{
    const rec_sweep_point_row *x = a, *y = b;

    return strcmp(x->path, y->path);
}

/* The key of a run named 'name' with 'seed' and 'n' parameters (sorted
 * here, in place). */
static char *make_key(const char *name, uint64_t seed, rec_sweep_point_row *p,
                      size_t n)
{
    char *key = hs_asprintf("%s\x1f%llu", name, (unsigned long long)seed);

    qsort(p, n, sizeof *p, cmp_param);
    for (size_t i = 0; i < n; i++) {
        char *t = hs_asprintf("%s\x1f%s=%s", key, p[i].path,
                              p[i].value != NULL ? p[i].value : "");

        free(key);
        key = t;
    }
    return key;
}

static void add_override(app_sweep_point *p, const char *path,
                         const io_sweep_value *v, hs_loc path_at)
{
    size_t k = p->n_ovr++;

    p->ovr[k].arg = hs_asprintf("%s=%s", path, v->text);
    p->at[2 * k] = path_at;
    p->at[2 * k + 1] = v->at;
    p->params[p->n_params].path = path;
    p->params[p->n_params++].value = v->text;
}

/* Point 'i': decode its index into one value per axis and a seed. */
static void make_point(const io_sweep *f, size_t i, uint64_t base_seed,
                       app_sweep_point *p, const char *name)
{
    size_t n_axes = f->n_grid + f->n_zip, rest = i, zi = 0;
    rec_sweep_point_row *sorted;

    p->ovr = hs_calloc(n_axes + 2, sizeof *p->ovr);
    p->at = hs_calloc(2 * (n_axes + 2), sizeof *p->at);
    p->params = hs_calloc(n_axes + 1, sizeof *p->params);
    if (f->slo != NULL) {
        p->ovr[0].arg = hs_strdup(f->slo);
        p->at[0] = f->slo_at[0];
        p->at[1] = f->slo_at[1];
        p->n_ovr = 1;
    }
    p->has_seed = f->n_seeds > 0;
    p->seed = base_seed;
    if (f->n_seeds > 0) {
        p->seed = f->seeds[rest % f->n_seeds];
        rest /= f->n_seeds;
    }
    if (f->n_zip > 0) {
        zi = rest % f->zip_len;
        rest /= f->zip_len;
    }
    /* Grid: the last axis varies fastest. */
    {
        size_t *gi = hs_calloc(f->n_grid + 1, sizeof *gi);

        for (size_t a = f->n_grid; a-- > 0;) {
            gi[a] = rest % f->grid[a].n;
            rest /= f->grid[a].n;
        }
        for (size_t a = 0; a < f->n_grid; a++)
            add_override(p, f->grid[a].path, &f->grid[a].v[gi[a]],
                         f->grid[a].at);
        free(gi);
    }
    for (size_t a = 0; a < f->n_zip; a++)
        add_override(p, f->zip[a].path, &f->zip[a].v[zi], f->zip[a].at);
    sorted = hs_calloc(p->n_params + 1, sizeof *sorted);
    memcpy(sorted, p->params, p->n_params * sizeof *sorted);
    p->key = make_key(name, p->seed, sorted, p->n_params);
    free(sorted);
}

/* ---- checking ----------------------------------------------------------- */

/* "point 3: a=1 b=2" (a new string). */
static char *point_context(const app_sweep *sw, size_t i)
{
    const app_sweep_point *p = &sw->pt[i];
    char *s = hs_asprintf("point %zu:", i + 1);

    for (size_t k = 0; k < p->n_params; k++) {
        char *t =
            hs_asprintf("%s %s=%s", s, p->params[k].path, p->params[k].value);

        free(s);
        s = t;
    }
    return s;
}

/* Add the problems of 'pd' not yet in 'd': those located in the sweep
 * file as they are, the others with the point as their context. */
static void add_point_diag(const app_sweep *sw, size_t i, const hs_diag *pd,
                           hs_diag *d)
{
    char *ctx = point_context(sw, i);

    for (size_t k = 0; k < hs_diag_count(pd); k++) {
        hs_diag_item it = *hs_diag_item_at(pd, k);

        if (it.loc.file == NULL || strcmp(it.loc.file, sw->file->path) != 0)
            it.context = ctx;
        if (!hs_diag_contains(d, &it))
            hs_diag_add(d, &it);
    }
    free(ctx);
}

int app_sweep_scenario(const app_sweep *sw, size_t i, sc_scenario **out,
                       hs_diag *d)
{
    const app_sweep_point *p = &sw->pt[i];
    io_scenario_opts so;

    memset(&so, 0, sizeof so);
    so.ovr = p->ovr;
    so.n_ovr = p->n_ovr;
    so.ovr_at = p->at;
    return io_scenario_load_opts(sw->file->scenario, &so, out, d);
}

/* Check point 'i' (load its scenario and, with 'validate', check it as a
 * run would); problems to 'd'. */
static int check_point(const app_sweep *sw, size_t i, bool validate,
                       hs_diag *d)
{
    hs_diag *pd = hs_diag_new();
    sc_scenario *sc = NULL;
    app_run_opts o;
    int rc = app_sweep_scenario(sw, i, &sc, pd);

    memset(&o, 0, sizeof o);
    o.has_seed = sw->pt[i].has_seed;
    o.seed = sw->pt[i].seed;
    if (rc == HS_OK && validate)
        rc = app_run_validate(sc, &o, pd);
    add_point_diag(sw, i, pd, d);
    sc_scenario_free(sc);
    hs_diag_free(pd);
    return rc;
}

/* The base scenario's name and seed (without any override); HS_OK or
 * its problems in 'd'. */
static int base_of(const io_sweep *f, char **name, uint64_t *seed, hs_diag *d)
{
    sc_scenario *sc = NULL;
    int rc = io_scenario_load(f->scenario, NULL, 0, NULL, &sc, d);

    if (rc == HS_OK) {
        *name = hs_strdup(sc->name);
        *seed = sc->seed;
    }
    sc_scenario_free(sc);
    return rc;
}

int app_sweep_load(const char *path, io_sweep_kind kind, app_sweep *sw,
                   hs_diag *d)
{
    size_t per_seed;
    uint64_t seed = 0;
    int rc, first = HS_OK;

    memset(sw, 0, sizeof *sw);
    rc = io_sweep_load(path, kind, &sw->file, d);
    if (rc == HS_OK)
        rc = base_of(sw->file, &sw->name, &seed, d);
    if (rc != HS_OK) {
        app_sweep_fini(sw);
        return rc;
    }
    sw->n = count_points(sw->file);
    sw->pt = hs_calloc(sw->n, sizeof *sw->pt);
    for (size_t i = 0; i < sw->n; i++)
        make_point(sw->file, i, seed, &sw->pt[i], sw->name);
    /* Seeds are innermost: check the first seed of each combination. */
    per_seed = sw->file->n_seeds > 0 ? sw->file->n_seeds : 1;
    for (size_t i = 0; i < sw->n; i += per_seed) {
        rc = check_point(sw, i, kind == IO_SWEEP_FILE, d);
        if (first == HS_OK)
            first = rc;
    }
    if (first == HS_OK && hs_diag_count(d) > 0)
        first = HS_EINPUT;
    if (first != HS_OK)
        app_sweep_fini(sw);
    return first;
}

void app_sweep_fini(app_sweep *sw)
{
    for (size_t i = 0; i < sw->n; i++) {
        app_sweep_point *p = &sw->pt[i];

        for (size_t k = 0; k < p->n_ovr; k++)
            free((char *)p->ovr[k].arg);
        free(p->ovr);
        free(p->at);
        free(p->params);
        free(p->key);
    }
    free(sw->pt);
    free(sw->name);
    io_sweep_free(sw->file);
    memset(sw, 0, sizeof *sw);
}

/* ---- running ------------------------------------------------------------ */

int app_sweep_run(const app_sweep *sw, size_t i, io_store *store,
                  const app_run_opts *base, app_run_result *out,
                  void (*on_runner)(void *ctx, app_runner *r), void *ctx,
                  hs_diag *d)
{
    const app_sweep_point *p = &sw->pt[i];
    app_run_opts o = *base;
    sc_scenario *sc = NULL;
    app_runner *r;
    int rc;

    memset(out, 0, sizeof *out);
    out->run_id = -1;
    o.has_seed = p->has_seed;
    o.seed = p->seed;
    o.scenario_path = sw->file->scenario;
    o.ovr = p->ovr;
    o.n_ovr = p->n_ovr;
    o.params = p->params;
    o.n_params = p->n_params;
    rc = app_sweep_scenario(sw, i, &sc, d);
    if (rc != HS_OK)
        return rc;
    r = app_runner_new(store, &o);
    if (on_runner != NULL)
        on_runner(ctx, r);
    rc = app_runner_run(r, sc, out, d);
    if (on_runner != NULL)
        on_runner(ctx, NULL);
    app_runner_free(r);
    sc_scenario_free(sc);
    return rc;
}

/* ---- keys of stored runs ------------------------------------------------ */

typedef struct key_acc {
    char *name;
    uint64_t seed;
    bool found;
    rec_sweep_point_row *p;
    char **own; /* the strings of 'p' */
    size_t n, cap;
} key_acc;

static int take_run(void *ctx, const io_row *row)
{
    key_acc *k = ctx;

    k->found = true;
    k->name = hs_strdup(row->values[0] != NULL ? row->values[0] : "");
    k->seed = row->values[1] != NULL ? strtoull(row->values[1], NULL, 10) : 0;
    return 0;
}

static int take_param(void *ctx, const io_row *row)
{
    key_acc *k = ctx;
    size_t cap = k->cap;

    hs_grow((void **)&k->p, &k->cap, k->n + 1, sizeof *k->p);
    hs_grow((void **)&k->own, &cap, 2 * (k->n + 1), sizeof *k->own);
    k->own[2 * k->n] = hs_strdup(row->values[0]);
    k->own[2 * k->n + 1] =
        row->values[1] != NULL ? hs_strdup(row->values[1]) : NULL;
    k->p[k->n].path = k->own[2 * k->n];
    k->p[k->n].value = k->own[2 * k->n + 1];
    k->n++;
    return 0;
}

char *app_run_key(io_store *s, int64_t run_id, hs_diag *d)
{
    char id[32], *key = NULL;
    const char *prm[1] = {id};
    key_acc k;

    memset(&k, 0, sizeof k);
    snprintf(id, sizeof id, "%lld", (long long)run_id);
    if (io_store_query(s,
                       "SELECT name, seed FROM runs WHERE run_id = "
                       "CAST(?1 AS INTEGER)",
                       prm, 1, take_run, &k, d) == HS_OK &&
        k.found &&
        io_store_query(s,
                       "SELECT path, value FROM sweep_points WHERE run_id "
                       "= CAST(?1 AS INTEGER) ORDER BY rowid",
                       prm, 1, take_param, &k, d) == HS_OK)
        key = make_key(k.name, k.seed, k.p, k.n);
    for (size_t i = 0; i < 2 * k.n; i++)
        free(k.own[i]);
    free(k.own);
    free(k.p);
    free(k.name);
    return key;
}

typedef struct id_list {
    int64_t *v;
    size_t n, cap;
} id_list;

static int take_id(void *ctx, const io_row *row)
{
    id_list *l = ctx;

    hs_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = strtoll(row->values[0], NULL, 10);
    return 0;
}

int app_sweep_done(io_store *s, const app_sweep *sw, bool *done, hs_diag *d)
{
    const char *prm[1] = {sw->name};
    id_list ids = {0};
    int rc = io_store_query(s,
                            "SELECT run_id FROM runs WHERE name = ?1 AND "
                            "status = 'done' ORDER BY run_id",
                            prm, 1, take_id, &ids, d);

    memset(done, 0, sw->n * sizeof *done);
    for (size_t r = 0; r < ids.n && rc == HS_OK; r++) {
        char *key = app_run_key(s, ids.v[r], d);

        for (size_t i = 0; key != NULL && i < sw->n; i++)
            if (strcmp(sw->pt[i].key, key) == 0)
                done[i] = true;
        free(key);
    }
    free(ids.v);
    return rc;
}
