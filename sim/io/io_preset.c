/*
 * io_preset.c -- agent-workload presets (configs/presets/<name>.yaml,
 * docs/presets.md) into workload.h's wl_preset: finding and listing the
 * files, and binding one file with every problem reported at its
 * file:line:col.  Token distributions use the scenario's DIST syntax;
 * time distributions the same forms with units required.
 */
#include "io_preset_int.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hetsim/io.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_CONTEXT_TOP INT64_C(1000000000000000) /* 1e15 tokens */

static const char *const preset_keys[] = {
    "name",          "description", "calls",          "start_context",
    "appended",      "output",      "tool_latency",   "think_time",
    "tool_fraction", "max_context", "on_max_context", NULL,
};
static const char *const dist_keys[] = {"dist", "value", "min", "max",
                                        "mean", "cv",    NULL};
/* In the order of wl_dist_kind; empirical is not accepted here. */
static const char *const dist_names[] = {"fixed", "uniform", "lognormal"};
static const char *const dist_by_kind[][6] = {
    {"dist", "value", NULL},
    {"dist", "min", "max", NULL},
    {"dist", "mean", "cv", "min", "max", NULL},
};
static const char *const overflow_names[] = {"end", "compact"};

const char *io_overflow_name(wl_overflow o)
{
    if ((unsigned)o < N_OF(overflow_names))
        return overflow_names[o];
    return "unknown";
}

/* ---- finding and listing ------------------------------------------------ */

/* The *.yaml names in <dir>/presets.  On failure returns HS_EIO and puts
 * the reason (strerror) in '*why'. */
static int list_names(const char *dir, char ***names, size_t *count,
                      const char **why)
{
    char *sub = hs_asprintf("%s/presets", dir);
    int err = 0;
    int rc = io_yaml_names(sub, names, count, &err);

    free(sub);
    if (rc != HS_OK)
        *why = strerror(err);
    return rc;
}

int io_preset_list(const char *dir, char ***names, size_t *count, hs_diag *d)
{
    const char *why = NULL;
    int rc = list_names(dir, names, count, &why);

    if (rc != HS_OK) {
        char *sub = hs_asprintf("%s/presets", dir);
        char *msg = hs_asprintf("cannot read the directory: %s", why);
        hs_diag_item it = {HS_SEV_ERROR, HS_EIO, {sub, 0, 0}, NULL, NULL, msg};

        hs_diag_add(d, &it);
        free(msg);
        free(sub);
    }
    return rc;
}

/* Report "no preset 'name' in DIR/presets (known: ...)" at 'ref'. */
static int unknown_preset(io_errs *e, const char *dir, const char *name,
                          const io_node *ref)
{
    hs_loc none = {NULL, 0, 0};
    const char *why = NULL;
    char **names;
    size_t n;
    char *known;

    if (list_names(dir, &names, &n, &why) != HS_OK)
        known = hs_asprintf("cannot read the directory: %s", why);
    else if (n == 0)
        known = hs_strdup("known: none");
    else {
        char *all = io_join((const char *const *)names, n);

        known = hs_asprintf("known: %s", all);
        free(all);
    }
    if (ref != NULL)
        io_node_error(e, ref, "no preset '%s' in %s/presets (%s)", name, dir,
                      known);
    else
        io_error(e, none, "no preset '%s' in %s/presets (%s)", name, dir,
                 known);
    free(known);
    io_names_free(names, n);
    return HS_EINPUT;
}

/* ---- binding ------------------------------------------------------------ */

/* One bound of a DIST: a plain number for tokens, a time for times. */
static void field(io_errs *e, const io_node *n, const char *key, bool required,
                  bool is_time, double min, double *out)
{
    if (is_time)
        io_field_quantity(e, n, key, required, HS_UNIT_TIME, min > 0, out);
    else
        io_field_number(e, n, key, required, min, DBL_MAX, out);
}

/* Report 'max' below 'min' at max. */
static void check_min_max(io_errs *e, const io_node *n,
                          const wl_preset_dist *d, bool is_time)
{
    const io_node *mx = io_get(n, "max");

    if (mx != NULL && io_get(n, "min") != NULL && d->max < d->min)
        io_node_error(e, mx, "expected %s >= min (%g%s), found '%s'",
                      is_time ? "a time" : "a number", d->min,
                      is_time ? "s" : "", mx->text);
}

static void bind_dist(io_errs *e, const io_node *n, wl_preset_dist *d,
                      bool is_time)
{
    size_t before = e->n;
    int v = -1;

    memset(d, 0, sizeof *d);
    if (!io_expect_map(e, n))
        return;
    io_check_keys(e, n, dist_keys);
    if (io_field_enum(e, n, "dist", true, dist_names, N_OF(dist_names), &v) !=
            HS_OK ||
        v < 0)
        return;
    d->kind = (wl_dist_kind)v;
    io_check_kind_keys(e, n, dist_keys, dist_by_kind[v], "dist",
                       dist_names[v]);
    switch (d->kind) {
    case WL_DIST_FIXED:
        field(e, n, "value", true, is_time, is_time ? 0 : 1, &d->value);
        break;
    case WL_DIST_UNIFORM:
        field(e, n, "min", true, is_time, 0, &d->min);
        field(e, n, "max", true, is_time, is_time ? IO_POSITIVE : 1, &d->max);
        break;
    case WL_DIST_LOGNORMAL:
        field(e, n, "mean", true, is_time, IO_POSITIVE, &d->mean);
        io_field_number(e, n, "cv", true, 0, DBL_MAX, &d->cv);
        field(e, n, "min", false, is_time, 0, &d->min);
        field(e, n, "max", false, is_time, is_time ? IO_POSITIVE : 1, &d->max);
        break;
    case WL_DIST_EMPIRICAL:
        break;
    }
    if (e->n == before)
        check_min_max(e, n, d, is_time);
}

static void bind_token_dist(io_errs *e, const io_node *n, void *d,
                            bool complete)
{
    (void)complete;
    bind_dist(e, n, d, false);
}

static void bind_time_dist(io_errs *e, const io_node *n, void *d,
                           bool complete)
{
    (void)complete;
    bind_dist(e, n, d, true);
}

/* Every key after 'name' and 'description', in the order they are
 * read. */
static const io_param preset_params[] = {
    {IO_PARAM_MAP(wl_preset, calls, "calls", true, bind_token_dist)},
    {IO_PARAM_MAP(wl_preset, start_context, "start_context", true,
                  bind_token_dist)},
    {IO_PARAM_MAP(wl_preset, appended, "appended", true, bind_token_dist)},
    {IO_PARAM_MAP(wl_preset, output, "output", true, bind_token_dist)},
    {IO_PARAM_MAP(wl_preset, tool_latency, "tool_latency", true,
                  bind_time_dist)},
    {IO_PARAM_MAP(wl_preset, think_time, "think_time", true, bind_time_dist)},
    {IO_PARAM_NUMBER(wl_preset, tool_fraction, "tool_fraction", true, 0, 1)},
    {IO_PARAM_INT(wl_preset, max_context, "max_context", true, 1,
                  MAX_CONTEXT_TOP)},
    {IO_PARAM_ENUM(wl_preset, on_max_context, "on_max_context", false,
                   overflow_names)},
    IO_PARAM_END,
};

int io_preset_override(io_errs *e, const io_node *map, wl_preset *p)
{
    return io_bind_params(e, map, preset_params, p, false);
}

size_t io_preset_keys(const char **out, size_t cap)
{
    size_t n = 0;

    for (const io_param *q = preset_params; q->key != NULL && n < cap; q++)
        out[n++] = q->key;
    return n;
}

static void bind_description(io_errs *e, const io_node *root, wl_preset *p)
{
    char *text = NULL;

    if (io_field_string(e, root, "description", false, &text) == HS_OK &&
        text != NULL) {
        if (strlen(text) < sizeof p->description)
            memcpy(p->description, text, strlen(text) + 1);
        else
            io_node_error(e, io_get(root, "description"),
                          "expected at most %zu characters, found %zu",
                          sizeof p->description - 1, strlen(text));
    }
    free(text);
}

/* Bind the whole file (a mapping) into '*p'. */
static void bind_preset(io_errs *e, const io_node *root, const char *name,
                        wl_preset *p)
{
    const io_node *n;

    io_check_keys(e, root, preset_keys);
    n = io_member(e, root, "name", true);
    if (n != NULL && n->kind == IO_SCALAR && strcmp(n->text, name) != 0)
        io_node_error(e, n, "expected '%s' (the file name), found '%s'", name,
                      n->text);
    bind_description(e, root, p);
    io_bind_params(e, root, preset_params, p, true);
}

/* Read and parse the file into '*root' (NULL on failure, errors in
 * 'e').  HS_EIO when it cannot be read, else HS_OK. */
static int read_tree(io_errs *e, const char *path, io_node **root)
{
    hs_loc whole = {path, 0, 0};
    char *text;
    size_t len;

    *root = NULL;
    if (io_read_file(e, path, whole, &text, &len) != HS_OK)
        return HS_EIO;
    if (io_parse(e, text, len, path, 0, root) == HS_OK && *root == NULL)
        io_error(e, whole, "empty file");
    free(text);
    return HS_OK;
}

int io_preset_at(io_errs *e, const char *dir, const char *name,
                 const io_node *ref, wl_preset *out)
{
    size_t before = e->n;
    char *path;
    io_node *root;
    int rc;

    memset(out, 0, sizeof *out);
    if (strlen(name) >= sizeof out->name)
        return unknown_preset(e, dir, name, ref);
    path = hs_asprintf("%s/presets/%s.yaml", dir, name);
    if (!io_entry_name_ok(name) || access(path, R_OK) != 0) {
        free(path);
        return unknown_preset(e, dir, name, ref);
    }
    memcpy(out->name, name, strlen(name) + 1);
    rc = read_tree(e, path, &root);
    if (root != NULL && io_expect_map(e, root))
        bind_preset(e, root, name, out);
    io_node_free(root);
    free(path); /* errors hold their own copies of it */
    if (rc != HS_OK)
        return rc;
    return e->n > before ? HS_EINPUT : HS_OK;
}

/* ---- the public entry --------------------------------------------------- */

/* A stand-in node at 'at' for reporting, without a key path. */
static io_node loc_node(hs_loc at)
{
    io_node n;

    memset(&n, 0, sizeof n);
    n.kind = IO_SCALAR;
    n.loc = at;
    return n;
}

int io_preset_load(const char *dir, const char *name, wl_preset *out,
                   hs_loc at, hs_diag *d)
{
    io_errs e = {0};
    io_node ref = loc_node(at);
    char *found = NULL;
    int rc = HS_EINPUT;

    if (dir == NULL) {
        io_catalog_search(&e, &ref, &found);
        dir = found;
    }
    if (dir != NULL)
        rc = io_preset_at(&e, dir, name, &ref, out);
    free(found);
    io_errs_flush(&e, d);
    return rc;
}
