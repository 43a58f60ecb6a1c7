/*
 * io_scenario.c -- scenario files (DESIGN.md section 5, docs/scenario.md)
 * into a validated sc_scenario: the selected variant and the --set
 * overrides are applied to the document tree (io_sc_variants.c), then
 * every section is bound to the structs of scenario.h and workload.h by
 * its own file (io_sc_*.c, io_sc_int.h), references are resolved to
 * indexes, and catalog entries (models, hardware, links) are loaded with
 * their overrides.
 *
 * Every problem is collected and reported in one pass; binding goes on
 * after an error so that later sections are still checked.  Sections are
 * bound in dependency order: links, then hardware (which may add the
 * catalog links devices name), then memory pools, the cluster and the
 * rest.
 */
#include "io_sc_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hetsim/io.h"

static const char *const root_keys[] = {
    "name",         "seed",    "model",  "precision", "hardware", "links",
    "memory_pools", "cluster", "router", "workload",  "slo",      "variants",
    "output",       "window",  "engine", NULL,
};

enum { DEFAULT_BLOCK_SIZE = 16 };

/* ---- the root ----------------------------------------------------------- */

/* The file name without its directory and .yaml/.yml extension. */
static char *default_name(const char *path)
{
    const char *base = strrchr(path, '/');
    size_t len;

    base = base != NULL ? base + 1 : path;
    len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".yaml") == 0)
        len -= 5;
    else if (len > 4 && strcmp(base + len - 4, ".yml") == 0)
        len -= 4;
    return hs_strndup(base, len);
}

static void scenario_defaults(sc_scenario *sc)
{
    sc_cluster *cl = &sc->cluster;

    sc->precision = cost_precision_default();
    cl->mode = SC_MODE_MONOLITHIC;
    cl->kv_transfer_link = SC_NONE;
    cl->kv_pool = SC_NONE;
    cl->kv_pool_policy = SC_KV_HBM_ONLY;
    cl->retention = SC_RETAIN_KEEP;
    cl->prefix_cache = true;
    cl->block_size = DEFAULT_BLOCK_SIZE;
    sc->router.policy = "cache-aware";
    sc->router.decode_policy = "cache-aware";
    sc->window.to_s = INFINITY;
}

static void bind_root(io_sc_ctx *c, const io_node *root)
{
    sc_scenario *sc = c->sc;
    const io_node *n;
    int64_t seed = 0;

    io_check_keys(c->e, root, root_keys);
    io_field_string(c->e, root, "name", false, &sc->name);
    if (sc->name == NULL)
        sc->name = default_name(sc->path);
    if (io_field_int(c->e, root, "seed", false, 0, INT64_MAX, &seed) == HS_OK)
        sc->seed = (uint64_t)seed;
    if ((n = io_member(c->e, root, "model", true)) != NULL)
        io_sc_bind_model(c, n);
    io_sc_bind_precision(c, io_get(root, "precision"));
    io_sc_bind_links(c, io_get(root, "links"));
    if ((n = io_member(c->e, root, "hardware", true)) != NULL)
        io_sc_bind_hardware(c, n);
    io_sc_bind_pools(c, io_get(root, "memory_pools"));
    io_engine_none(&c->engine);
    if ((n = io_get(root, "engine")) != NULL)
        io_sc_bind_engine(c, n, &c->engine);
    if ((n = io_member(c->e, root, "cluster", true)) != NULL)
        io_sc_bind_cluster(c, n);
    io_sc_check_precision(c, io_get(root, "precision"));
    io_sc_bind_router(c, io_get(root, "router"));
    if ((n = io_member(c->e, root, "workload", true)) != NULL)
        io_sc_bind_workload(c, n);
    io_sc_bind_slo(c, io_get(root, "slo"));
    io_sc_bind_output(c, io_get(root, "output"));
    io_sc_bind_window(c, io_get(root, "window"));
}

/* ---- loading ------------------------------------------------------------ */

void sc_scenario_free(sc_scenario *s)
{
    if (s == NULL)
        return;
    free(s->path);
    free(s->yaml);
    free(s->name);
    free(s->variant);
    io_names_free(s->variants, s->n_variants);
    free(s->model_catalog);
    for (size_t i = 0; i < s->n_hardware; i++) {
        free(s->hardware[i].name);
        free(s->hardware[i].catalog);
    }
    free(s->hardware);
    for (size_t i = 0; i < s->n_links; i++) {
        free(s->links[i].name);
        free(s->links[i].catalog);
    }
    free(s->links);
    for (size_t i = 0; i < s->n_pools; i++)
        free(s->pools[i].name);
    free(s->pools);
    for (size_t i = 0; i < s->cluster.n_instances; i++)
        free(s->cluster.instances[i].name);
    free(s->cluster.instances);
    free(s->cluster.prefill.name);
    free(s->cluster.decode.name);
    for (size_t i = 0; i < s->n_workload; i++)
        wl_source_spec_fini(&s->workload[i]);
    free(s->workload);
    for (size_t i = 0; i < s->n_slo; i++)
        free(s->slo[i].key);
    free(s->slo);
    free(s->output.db);
    free(s->catalog_dir);
    free(s);
}

/* Read (or copy) the text and parse it; '*root' NULL on failure. */
static int load_tree(io_errs *e, const char *path, const char *text,
                     char **copy, io_node **root)
{
    hs_loc whole = {path, 0, 0};
    size_t len;
    int rc;

    *root = NULL;
    if (text != NULL) {
        *copy = hs_strdup(text);
        len = strlen(text);
    } else if ((rc = io_read_file(e, path, whole, copy, &len)) != HS_OK) {
        return rc;
    }
    if (io_parse(e, *copy, len, path, 0, root) != HS_OK)
        return HS_EINPUT;
    if (*root == NULL)
        return io_error(e, whole, "empty scenario");
    if (!io_expect_map(e, *root)) {
        io_node_free(*root);
        *root = NULL;
        return HS_EINPUT;
    }
    return HS_OK;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return NULL;
    if (slash == path)
        return hs_strdup("/");
    return hs_strndup(path, (size_t)(slash - path));
}

int io_scenario_load_opts(const char *path, const io_scenario_opts *opts,
                          sc_scenario **out, hs_diag *d)
{
    io_errs e = {0};
    sc_scenario *sc = hs_calloc(1, sizeof *sc);
    io_node *root = NULL;
    io_scenario_opts none;
    io_sc_ctx c;
    int rc;

    *out = NULL;
    if (opts == NULL) {
        memset(&none, 0, sizeof none);
        opts = &none;
    }
    sc->path = hs_strdup(path);
    scenario_defaults(sc);
    rc = load_tree(&e, sc->path, opts->text, &sc->yaml, &root);
    if (rc == HS_OK) {
        io_sc_read_variants(&e, root, &sc->variants, &sc->n_variants);
        if (opts->variant != NULL) {
            sc->variant = hs_strdup(opts->variant);
            io_sc_apply_variant(&e, &root, sc->path, opts->variant,
                                sc->variants, sc->n_variants);
        }
        io_sc_apply_overrides(&e, &root, opts->ovr, opts->n_ovr, opts->ovr_at);
        memset(&c, 0, sizeof c);
        c.e = &e;
        c.sc = sc;
        c.catalog_opt = opts->catalog_dir;
        c.base_dir = dir_of(path);
        if (root->kind == IO_MAP)
            bind_root(&c, root);
        free(c.base_dir);
        free(c.hw_ok);
    }
    io_node_free(root);
    if (e.n > 0) {
        io_errs_flush(&e, d);
        sc_scenario_free(sc);
        return rc == HS_EIO ? HS_EIO : HS_EINPUT;
    }
    io_errs_flush(&e, d); /* the warnings, if any */
    *out = sc;
    return HS_OK;
}

int io_scenario_load(const char *path, const io_override *ovr, size_t n_ovr,
                     const char *variant, sc_scenario **out, hs_diag *d)
{
    io_scenario_opts o;

    memset(&o, 0, sizeof o);
    o.ovr = ovr;
    o.n_ovr = n_ovr;
    o.variant = variant;
    return io_scenario_load_opts(path, &o, out, d);
}

int io_scenario_variant_names(const char *path, const char *text,
                              char ***names, size_t *count, hs_diag *d)
{
    io_errs e = {0};
    io_node *root = NULL;
    char *copy = NULL;
    int rc = load_tree(&e, path, text, &copy, &root);

    *names = NULL;
    *count = 0;
    if (rc == HS_OK)
        io_sc_read_variants(&e, root, names, count);
    io_node_free(root);
    free(copy);
    if (e.n > 0) {
        io_errs_flush(&e, d);
        io_names_free(*names, *count);
        *names = NULL;
        *count = 0;
        return rc == HS_EIO ? HS_EIO : HS_EINPUT;
    }
    return HS_OK;
}
