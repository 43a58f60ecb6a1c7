/*
 * io_sweep.c -- sweep and search files (io.h, docs/sweep.md,
 * docs/search.md) into an io_sweep: the scenario they name, the PATHs and
 * the values to try, the seeds, and for a search the SLO, the objective
 * and the rate bisection.  Every value keeps where it was written, so
 * that a value the scenario rejects is reported in the sweep file
 * (io_scenario_opts.ovr_at).
 */
#include "io_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sweep_keys[] = {"scenario", "grid", "zip", "seeds",
                                         NULL};
static const char *const search_keys[] = {
    "scenario", "slo", "objective", "space", "seeds", "rate_max", NULL};
static const char *const rate_keys[] = {"path", "min", "max", "steps", NULL};
static const char *const objectives[] = {"cost", "energy", "devices"};

const char *io_objective_name(io_objective o)
{
    return objectives[o];
}

/* ---- values as flow YAML ------------------------------------------------ */

/* A scalar as YAML text that parses back to the same scalar: plain as
 * written, else single-quoted. */
static void put_scalar(FILE *f, const io_node *n)
{
    if (n->plain) {
        fputs(n->text, f);
        return;
    }
    fputc('\'', f);
    for (const char *p = n->text; *p != '\0'; p++) {
        if (*p == '\'')
            fputc('\'', f);
        fputc(*p, f);
    }
    fputc('\'', f);
}

static void put_flow(FILE *f, const io_node *n)
{
    if (n->kind == IO_SCALAR) {
        put_scalar(f, n);
        return;
    }
    fputc(n->kind == IO_MAP ? '{' : '[', f);
    for (size_t i = 0; i < n->n_kids; i++) {
        if (i > 0)
            fputs(", ", f);
        if (n->kind == IO_MAP) {
            io_node k = {
                .kind = IO_SCALAR, .text = n->kids[i]->key, .plain = true};

            put_scalar(f, &k);
            fputs(": ", f);
        }
        put_flow(f, n->kids[i]);
    }
    fputc(n->kind == IO_MAP ? '}' : ']', f);
}

/* 'n' as one line of flow YAML (a new string). */
static char *flow_text(const io_node *n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    HS_ASSERT(f != NULL); /* out of memory */
    put_flow(f, n);
    fclose(f);
    return buf;
}

/* ---- sections ----------------------------------------------------------- */

static bool has_path(const io_sweep *s, const char *path)
{
    for (size_t i = 0; i < s->n_grid; i++)
        if (strcmp(s->grid[i].path, path) == 0)
            return true;
    for (size_t i = 0; i < s->n_zip; i++)
        if (strcmp(s->zip[i].path, path) == 0)
            return true;
    return false;
}

/* One PATH: [values] member into 'ax'; false when it is not usable. */
static bool read_axis(io_errs *e, const io_sweep *s, const io_node *m,
                      io_sweep_axis *ax)
{
    char where[256];

    io_path(m, where, sizeof where);
    if (has_path(s, m->key)) {
        io_key_error(e, m->key_loc, where, "PATH set twice in one file");
        return false;
    }
    if (strcmp(m->key, "variants") == 0 ||
        strncmp(m->key, "variants.", 9) == 0) {
        io_key_error(e, m->key_loc, where, "variants cannot be swept");
        return false;
    }
    if (!io_expect_seq(e, m))
        return false;
    if (m->n_kids == 0) {
        io_node_error(e, m, "expected a list of at least one value");
        return false;
    }
    memset(ax, 0, sizeof *ax);
    ax->path = hs_strdup(m->key);
    ax->at = m->key_loc;
    ax->n = m->n_kids;
    ax->v = hs_calloc(m->n_kids, sizeof *ax->v);
    for (size_t i = 0; i < m->n_kids; i++) {
        ax->v[i].text = flow_text(m->kids[i]);
        ax->v[i].at = m->kids[i]->loc;
    }
    return true;
}

static void read_axes(io_errs *e, io_sweep *s, const io_node *map, bool zip)
{
    io_sweep_axis **v = zip ? &s->zip : &s->grid;
    size_t *n = zip ? &s->n_zip : &s->n_grid;

    if (map == NULL || !io_expect_map(e, map))
        return;
    *v = hs_calloc(map->n_kids + 1, sizeof **v);
    for (size_t i = 0; i < map->n_kids; i++)
        if (read_axis(e, s, map->kids[i], &(*v)[*n]))
            (*n)++;
}

/* zip: every list as long as the first. */
static void check_zip(io_errs *e, io_sweep *s)
{
    if (s->n_zip == 0)
        return;
    s->zip_len = s->zip[0].n;
    for (size_t i = 1; i < s->n_zip; i++)
        if (s->zip[i].n != s->zip_len)
            io_key_error(e, s->zip[i].at, s->zip[i].path,
                         "zip lists advance together: expected %zu values "
                         "(as '%s'), found %zu",
                         s->zip_len, s->zip[0].path, s->zip[i].n);
}

static void read_seeds(io_errs *e, io_sweep *s, const io_node *n)
{
    if (n == NULL || !io_expect_seq(e, n))
        return;
    if (n->n_kids == 0) {
        io_node_error(e, n, "expected a list of at least one seed");
        return;
    }
    s->seeds = hs_calloc(n->n_kids, sizeof *s->seeds);
    for (size_t i = 0; i < n->n_kids; i++) {
        int64_t v;

        if (io_int(e, n->kids[i], 0, INT64_MAX, &v) == HS_OK)
            s->seeds[s->n_seeds++] = (uint64_t)v;
    }
}

/* The scenario path: relative to the sweep file's directory. */
static void read_scenario(io_errs *e, io_sweep *s, const io_node *root)
{
    const io_node *n = io_member(e, root, "scenario", true);
    const char *slash = strrchr(s->path, '/');
    char *rel = NULL;
    FILE *f;

    if (n == NULL || io_string(e, n, &rel) != HS_OK)
        return;
    s->scenario_at = n->loc;
    if (rel[0] == '/' || slash == NULL)
        s->scenario = hs_strdup(rel);
    else
        s->scenario =
            hs_asprintf("%.*s/%s", (int)(slash - s->path), s->path, rel);
    f = fopen(s->scenario, "r");
    if (f == NULL)
        io_node_error(e, n, "cannot read the scenario '%s'", s->scenario);
    else
        fclose(f);
    free(rel);
}

/* ---- search sections ---------------------------------------------------- */

static void read_rate(io_errs *e, io_sweep *s, const io_node *n)
{
    int64_t steps = 6;

    if (n == NULL || !io_expect_map(e, n))
        return;
    io_check_keys(e, n, rate_keys);
    if (io_field_string(e, n, "path", true, &s->rate_path) == HS_OK)
        s->rate_at = io_get(n, "path")->loc;
    io_field_quantity(e, n, "min", true, HS_UNIT_RATE, true, &s->rate_min);
    io_field_quantity(e, n, "max", true, HS_UNIT_RATE, true, &s->rate_max);
    io_field_int(e, n, "steps", false, 1, 30, &steps);
    s->rate_steps = (int)steps;
    if (s->rate_min > 0 && s->rate_max > 0 && s->rate_min >= s->rate_max)
        io_node_error(e, n, "expected min < max");
}

static void read_search(io_errs *e, io_sweep *s, const io_node *root)
{
    const io_node *slo = io_get(root, "slo");
    int obj = IO_OBJ_COST;

    if (slo != NULL && io_expect_map(e, slo)) {
        char *flow = flow_text(slo);

        s->slo = hs_asprintf("slo=%s", flow);
        free(flow);
        s->slo_at[0] = slo->parent != NULL ? slo->key_loc : slo->loc;
        s->slo_at[1] = slo->loc;
    }
    io_field_enum(e, root, "objective", false, objectives,
                  sizeof objectives / sizeof objectives[0], &obj);
    s->objective = (io_objective)obj;
    read_axes(e, s, io_member(e, root, "space", true), false);
    read_rate(e, s, io_get(root, "rate_max"));
}

/* ---- loading ------------------------------------------------------------ */

void io_sweep_free(io_sweep *s)
{
    io_sweep_axis *sets[2];
    size_t ns[2];

    if (s == NULL)
        return;
    sets[0] = s->grid, ns[0] = s->n_grid;
    sets[1] = s->zip, ns[1] = s->n_zip;
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < ns[k]; i++) {
            for (size_t j = 0; j < sets[k][i].n; j++)
                free(sets[k][i].v[j].text);
            free(sets[k][i].v);
            free(sets[k][i].path);
        }
        free(sets[k]);
    }
    free(s->seeds);
    free(s->scenario);
    free(s->slo);
    free(s->rate_path);
    free(s->path);
    free(s);
}

static void bind_file(io_errs *e, io_sweep *s, const io_node *root)
{
    if (!io_expect_map(e, root))
        return;
    io_check_keys(e, root,
                  s->kind == IO_SWEEP_FILE ? sweep_keys : search_keys);
    read_scenario(e, s, root);
    if (s->kind == IO_SEARCH_FILE) {
        read_search(e, s, root);
    } else {
        read_axes(e, s, io_get(root, "grid"), false);
        read_axes(e, s, io_get(root, "zip"), true);
        check_zip(e, s);
        if (io_get(root, "grid") == NULL && io_get(root, "zip") == NULL &&
            io_get(root, "seeds") == NULL)
            io_node_error(e, root,
                          "expected at least one of grid, zip and "
                          "seeds");
    }
    read_seeds(e, s, io_get(root, "seeds"));
}

int io_sweep_load(const char *path, io_sweep_kind kind, io_sweep **out,
                  hs_diag *d)
{
    io_errs e = {0};
    io_sweep *s = hs_calloc(1, sizeof *s);
    hs_loc whole;
    io_node *root = NULL;
    char *text = NULL;
    size_t len;
    int rc;

    *out = NULL;
    s->kind = kind;
    s->path = hs_strdup(path);
    whole = (hs_loc){s->path, 0, 0};
    rc = io_read_file(&e, s->path, whole, &text, &len);
    if (rc == HS_OK && io_parse(&e, text, len, s->path, 0, &root) == HS_OK) {
        if (root == NULL)
            io_error(&e, whole, "empty %s file",
                     kind == IO_SWEEP_FILE ? "sweep" : "search");
        else
            bind_file(&e, s, root);
    }
    io_node_free(root);
    free(text);
    if (e.n > 0) {
        io_errs_flush(&e, d);
        io_sweep_free(s);
        return rc == HS_EIO ? HS_EIO : HS_EINPUT;
    }
    *out = s;
    return HS_OK;
}
