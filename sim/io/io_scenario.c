/*
 * io_scenario.c -- scenario files (DESIGN.md section 5, docs/scenario.md)
 * into a validated sc_scenario: the selected variant and the --set
 * overrides are applied to the document tree, then every section is bound
 * to the structs of scenario.h and workload.h, references are resolved
 * to indexes, and catalog entries (models, hardware, links) are loaded
 * with their overrides.
 *
 * Every problem is collected and reported in one pass; binding goes on
 * after an error so that later sections are still checked.  Sections are
 * bound in dependency order: links, then hardware (which may add the
 * catalog links devices name), then memory pools, the cluster and the
 * rest.
 */
#include "io_int.h"
#include "io_preset_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hetsim/io.h"
#include "hetsim/scenario.h"

/* ---- key lists and enum names ------------------------------------------- */

static const char *const root_keys[] = {
    "name",  "seed",         "model",   "precision", "hardware",
    "links", "memory_pools", "cluster", "router",    "workload",
    "slo",   "variants",     "output",  NULL,
};

static const char *const model_keys[] = {
    "catalog",
    "name",
    "description",
    "layers",
    "hidden",
    "heads",
    "kv_heads",
    "head_dim",
    "ffn",
    "vocab",
    "tied_embeddings",
    "gated_mlp",
    "max_context",
    "moe",
    "mla",
    NULL,
};

static const char *const hardware_keys[] = {
    "catalog",    "description",  "hypothetical",
    "peak_flops", "mem_capacity", "mem_bandwidth",
    "power",      "idle_power",   "cost_per_hour",
    "efficiency", "overhead",     "memory_margin",
    "link",       NULL,
};

static const char *const link_keys[] = {
    "catalog", "description", "bandwidth", "latency", "energy_per_bit", NULL,
};

static const char *const precision_keys[] = {"weights", "kv", "activations",
                                             NULL};
static const char *const pool_keys[] = {"capacity", "bandwidth", "latency",
                                        "link", NULL};
static const char *const cluster_keys[] = {
    "mode",        "instances",      "prefill",      "decode",
    "kv_transfer", "kv_pool",        "kv_retention", "prefix_cache",
    "block_size",  "mixed_fallback", NULL,
};
static const char *const instance_keys[] = {
    "name",
    "device",
    "count",
    "tp",
    "max_batch",
    "max_batch_tokens",
    "chunked_prefill",
    "link",
    "router",
    NULL,
};
static const char *const role_keys[] = {
    "device",           "count",           "tp",   "max_batch",
    "max_batch_tokens", "chunked_prefill", "link", NULL,
};
static const char *const kv_transfer_keys[] = {"link", "layerwise", NULL};
static const char *const kv_pool_keys[] = {"pool", "policy", NULL};
static const char *const retention_keys[] = {"policy", "idle_timeout", NULL};
static const char *const router_keys[] = {"policy", "decode_policy", NULL};
static const char *const source_keys[] = {"name", "trace", "synthetic",
                                          "agent", NULL};
static const char *const trace_keys[] = {"format", "path", "time_scale",
                                         "max_requests", NULL};
static const char *const synthetic_keys[] = {
    "arrival", "requests", "horizon", "prompt", "output", NULL,
};
static const char *const arrival_keys[] = {"process", "rate", "cv",
                                           "concurrency", NULL};
static const char *const dist_keys[] = {
    "dist", "value", "min", "max", "mean", "cv", "trace", "format", NULL};
static const char *const agent_keys[] = {"preset", "session_rate", "sessions",
                                         "horizon", NULL};
static const char *const variant_keys[] = {"name", "description", "set", NULL};
static const char *const output_keys[] = {
    "db", "steps", "step_sample_every", "timeseries_interval", NULL,
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define SC_NAME(e, name) name,
static const char *const mode_names[] = {SC_MODES(SC_NAME)};
static const char *const router_names[] = {SC_ROUTER_POLICIES(SC_NAME)};
static const char *const kv_pool_names[] = {SC_KV_POOL_POLICIES(SC_NAME)};
static const char *const retention_names[] = {SC_RETENTION_POLICIES(SC_NAME)};
static const char *const steps_names[] = {SC_STEPS_MODES(SC_NAME)};
static const char *const slo_names[] = {SC_SLO_METRICS(SC_NAME)};
#undef SC_NAME

static const char *const dtype_names[] = {
#define X(e, name, bits, bytes) name,
    COST_DTYPES(X)
#undef X
};

/* In the order of workload.h's enums. */
static const char *const trace_format_names[] = {"azure", "mooncake", "hetsim",
                                                 "sessions"};
static const char *const process_names[] = {"poisson", "gamma", "constant",
                                            "closed"};
static const char *const dist_names[] = {"fixed", "uniform", "lognormal",
                                         "empirical"};

/* Keys each arrival process and each distribution accepts. */
static const char *const arrival_by_process[][4] = {
    {"process", "rate", NULL},
    {"process", "rate", "cv", NULL},
    {"process", "rate", NULL},
    {"process", "concurrency", NULL},
};
static const char *const dist_by_kind[][6] = {
    {"dist", "value", NULL},
    {"dist", "min", "max", NULL},
    {"dist", "mean", "cv", "min", "max", NULL},
    {"dist", "trace", "format", NULL},
};

enum {
    DEFAULT_MAX_BATCH = 256,
    DEFAULT_MAX_BATCH_TOKENS = 8192,
    DEFAULT_BLOCK_SIZE = 16,
    DEFAULT_STEP_SAMPLE_EVERY = 100
};

/* ---- the binding context ------------------------------------------------ */

typedef struct ctx {
    io_errs *e;
    sc_scenario *sc;
    const char *catalog_opt; /* from the options, or NULL */
    bool catalog_failed;     /* the search failed (reported once) */
    char *base_dir;          /* directory of the file; NULL = cwd */
    bool *hw_ok;             /* per hardware entry: bound without error */
} ctx;

/* The catalog directory, found on first use; NULL (reported at 'ref')
 * when there is none. */
static const char *catalog(ctx *c, const io_node *ref)
{
    if (c->sc->catalog_dir != NULL)
        return c->sc->catalog_dir;
    if (c->catalog_opt != NULL) {
        c->sc->catalog_dir = hs_strdup(c->catalog_opt);
        return c->sc->catalog_dir;
    }
    if (c->catalog_failed)
        return NULL;
    if (io_catalog_search(c->e, ref, &c->sc->catalog_dir) != HS_OK)
        c->catalog_failed = true;
    return c->sc->catalog_dir;
}

/* A path as written, resolved against the scenario's directory, and
 * checked to be readable. */
static char *resolve_path(ctx *c, const io_node *n, const char *text)
{
    char *p;

    if (text[0] == '/' || c->base_dir == NULL)
        p = hs_strdup(text);
    else
        p = hs_asprintf("%s/%s", c->base_dir, text);
    if (access(p, R_OK) != 0)
        io_node_error(c->e, n, "cannot read '%s': %s", p, strerror(errno));
    return p;
}

/* Read a path-valued field into '*out' (resolved). */
static void field_path(ctx *c, const io_node *map, const char *key,
                       bool required, char **out)
{
    char *raw = NULL;
    const io_node *n = io_get(map, key);

    if (io_field_string(c->e, map, key, required, &raw) == HS_OK &&
        raw != NULL) {
        free(*out);
        *out = resolve_path(c, n, raw);
    }
    free(raw);
}

/* "a, b, c" of the first 'k' names in 'v' (freed), or NULL when k is 0. */
static char *join_names(const char **v, size_t k)
{
    char *s = k > 0 ? io_join(v, k) : NULL;

    free(v);
    return s;
}

/* Report a reference to an undefined entry of 'section'; frees 'known'
 * (the defined names, or NULL). */
static void unknown_ref(ctx *c, const io_node *n, const char *what,
                        const char *name, const char *section, char *known)
{
    if (known != NULL)
        io_node_error(c->e, n, "unknown %s '%s' (defined: %s)", what, name,
                      known);
    else
        io_node_error(c->e, n, "unknown %s '%s' (nothing is defined in '%s')",
                      what, name, section);
    free(known);
}

static char *link_names(const sc_scenario *sc)
{
    const char **v = hs_calloc(sc->n_links + 1, sizeof(char *));
    size_t k = 0;

    for (size_t i = 0; i < sc->n_links; i++)
        if (!sc->links[i].implicit)
            v[k++] = sc->links[i].name;
    return join_names(v, k);
}

static char *hardware_names(const sc_scenario *sc)
{
    const char **v = hs_calloc(sc->n_hardware + 1, sizeof(char *));

    for (size_t i = 0; i < sc->n_hardware; i++)
        v[i] = sc->hardware[i].name;
    return join_names(v, sc->n_hardware);
}

static char *pool_names(const sc_scenario *sc)
{
    const char **v = hs_calloc(sc->n_pools + 1, sizeof(char *));

    for (size_t i = 0; i < sc->n_pools; i++)
        v[i] = sc->pools[i].name;
    return join_names(v, sc->n_pools);
}

static int find_link(const sc_scenario *sc, const char *name, bool explicit)
{
    for (size_t i = 0; i < sc->n_links; i++)
        if (strcmp(sc->links[i].name, name) == 0 &&
            (!explicit || !sc->links[i].implicit))
            return (int)i;
    return SC_NONE;
}

static int find_hardware(const sc_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_hardware; i++)
        if (strcmp(sc->hardware[i].name, name) == 0)
            return (int)i;
    return SC_NONE;
}

static int find_pool(const sc_scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->n_pools; i++)
        if (strcmp(sc->pools[i].name, name) == 0)
            return (int)i;
    return SC_NONE;
}

/* Resolve a reference to an explicitly defined link. */
static int ref_link(ctx *c, const io_node *n)
{
    char *name = NULL;
    int idx = SC_NONE;

    if (io_string(c->e, n, &name) != HS_OK)
        return SC_NONE;
    idx = find_link(c->sc, name, true);
    if (idx == SC_NONE) {
        unknown_ref(c, n, "link", name, "links", link_names(c->sc));
    }
    free(name);
    return idx;
}

static int ref_hardware(ctx *c, const io_node *n)
{
    char *name = NULL;
    int idx = SC_NONE;

    if (io_string(c->e, n, &name) != HS_OK)
        return SC_NONE;
    idx = find_hardware(c->sc, name);
    if (idx == SC_NONE) {
        unknown_ref(c, n, "hardware", name, "hardware", hardware_names(c->sc));
    }
    free(name);
    return idx;
}

static int ref_pool(ctx *c, const io_node *n)
{
    char *name = NULL;
    int idx = SC_NONE;

    if (io_string(c->e, n, &name) != HS_OK)
        return SC_NONE;
    idx = find_pool(c->sc, name);
    if (idx == SC_NONE) {
        unknown_ref(c, n, "memory pool", name, "memory_pools",
                    pool_names(c->sc));
    }
    free(name);
    return idx;
}

/* Copy a map key into a fixed-size name, reporting one too long. */
static void entry_name(ctx *c, const io_node *entry, char *buf, size_t len)
{
    if (strlen(entry->key) >= len) {
        io_error(c->e, entry->key_loc,
                 "name '%s' too long (at most %zu characters)", entry->key,
                 len - 1);
        return;
    }
    memcpy(buf, entry->key, strlen(entry->key) + 1);
}

/* ---- model and precision ------------------------------------------------ */

static void bind_model(ctx *c, const io_node *n)
{
    sc_scenario *sc = c->sc;
    const io_node *cat;
    const char *dir;
    bool base = false;

    io_model_defaults(&sc->model);
    if (n->kind == IO_SCALAR && !io_is_null(n)) {
        dir = catalog(c, n);
        if (dir != NULL &&
            io_catalog_model_at(c->e, dir, n->text, n, &sc->model) == HS_OK)
            sc->model_catalog = hs_strdup(n->text);
        return;
    }
    if (n->kind != IO_MAP) {
        char buf[96];

        io_node_error(c->e, n,
                      "expected a catalog name or a mapping, found %s",
                      io_describe(n, buf, sizeof buf));
        return;
    }
    io_check_keys(c->e, n, model_keys);
    cat = io_get(n, "catalog");
    if (cat != NULL && io_string(c->e, cat, &sc->model_catalog) == HS_OK) {
        dir = catalog(c, cat);
        base = dir != NULL && io_catalog_model_at(c->e, dir, cat->text, cat,
                                                  &sc->model) == HS_OK;
    }
    if (cat == NULL)
        snprintf(sc->model.name, sizeof sc->model.name, "custom");
    if (cat == NULL || base)
        io_bind_model(c->e, n, &sc->model, cat == NULL);
}

/* An optional dtype field; '*out' keeps its default when absent. */
static void field_dtype(ctx *c, const io_node *map, const char *key,
                        cost_dtype *out)
{
    int v = -1;

    if (io_field_enum(c->e, map, key, false, dtype_names, N_OF(dtype_names),
                      &v) == HS_OK &&
        v >= 0)
        *out = (cost_dtype)v;
}

static void bind_precision(ctx *c, const io_node *n)
{
    cost_precision *p = &c->sc->precision;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, precision_keys);
    field_dtype(c, n, "weights", &p->weights);
    field_dtype(c, n, "kv", &p->kv);
    field_dtype(c, n, "activations", &p->activations);
}

/* ---- links, hardware, pools --------------------------------------------- */

static void bind_link_entry(ctx *c, const io_node *n, sc_link *l)
{
    const io_node *cat;

    l->name = hs_strdup(n->key);
    l->loc = n->loc;
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, link_keys);
    cat = io_get(n, "catalog");
    if (cat != NULL) {
        const char *dir;

        if (io_string(c->e, cat, &l->catalog) != HS_OK)
            return;
        dir = catalog(c, cat);
        if (dir == NULL ||
            io_catalog_link_at(c->e, dir, cat->text, cat, &l->link) != HS_OK)
            return;
    }
    io_bind_link(c->e, n, &l->link, cat == NULL);
    entry_name(c, n, l->link.name, sizeof l->link.name);
}

static void bind_links(ctx *c, const io_node *n)
{
    sc_scenario *sc = c->sc;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    sc->links = hs_calloc(n->n_kids + 1, sizeof(sc_link));
    for (size_t i = 0; i < n->n_kids; i++)
        bind_link_entry(c, n->kids[i], &sc->links[sc->n_links++]);
}

/* Add catalog link 'name' as an implicit entry; SC_NONE on failure. */
static int add_implicit_link(ctx *c, const char *name, const io_node *ref)
{
    sc_scenario *sc = c->sc;
    const char *dir = catalog(c, ref);
    cost_link l;
    sc_link *s;

    if (dir == NULL || io_catalog_link_at(c->e, dir, name, ref, &l) != HS_OK)
        return SC_NONE;
    sc->links = hs_realloc(sc->links, (sc->n_links + 1) * sizeof(sc_link));
    s = &sc->links[sc->n_links];
    memset(s, 0, sizeof *s);
    s->name = hs_strdup(name);
    s->catalog = hs_strdup(name);
    s->implicit = true;
    s->link = l;
    s->loc = ref->loc;
    return (int)sc->n_links++;
}

/* The device's default link: a 'links:' entry of that name, else the
 * catalog's.  'from_file': the name came from a catalog file, which was
 * already checked to exist. */
static int device_link(ctx *c, const char *name, const io_node *ref,
                       bool from_file)
{
    int idx = find_link(c->sc, name, false);
    const char *dir;

    if (idx != SC_NONE)
        return idx;
    dir = catalog(c, ref);
    if (dir == NULL)
        return SC_NONE;
    if (!io_catalog_has(dir, IO_CATALOG_LINKS, name)) {
        if (!from_file) {
            char *known = link_names(c->sc);

            io_node_error(c->e, ref,
                          "unknown link '%s' (neither defined in 'links' "
                          "(%s) nor in %s/links)",
                          name, known != NULL ? known : "none", dir);
            free(known);
        }
        return SC_NONE;
    }
    return add_implicit_link(c, name, ref);
}

/* Returns true when the entry was bound without error. */
static bool bind_hardware_entry(ctx *c, const io_node *n, sc_hardware *h)
{
    size_t before = c->e->n;
    const io_node *cat, *ln;
    io_hardware hw;
    bool ok = true;

    h->name = hs_strdup(n->key);
    h->loc = n->loc;
    h->link = SC_NONE;
    if (!io_expect_map(c->e, n))
        return false;
    io_check_keys(c->e, n, hardware_keys);
    io_device_defaults(&hw.dev);
    hw.link[0] = '\0';
    cat = io_get(n, "catalog");
    if (cat != NULL) {
        const char *dir;

        ok = io_string(c->e, cat, &h->catalog) == HS_OK &&
             (dir = catalog(c, cat)) != NULL &&
             io_catalog_device_raw(c->e, dir, cat->text, cat, &hw) == HS_OK;
    }
    if (!ok)
        return false;
    io_bind_device(c->e, n, &hw.dev, hw.link, sizeof hw.link, cat == NULL);
    io_device_finish(&hw.dev);
    entry_name(c, n, hw.dev.name, sizeof hw.dev.name);
    h->dev = hw.dev;
    ln = io_get(n, "link");
    if (hw.link[0] != '\0')
        h->link = device_link(c, hw.link, ln != NULL ? ln : cat, ln == NULL);
    return c->e->n == before;
}

static void bind_hardware(ctx *c, const io_node *n)
{
    sc_scenario *sc = c->sc;

    if (!io_expect_map(c->e, n))
        return;
    if (n->n_kids == 0) {
        io_node_error(c->e, n, "expected at least one device, found none");
        return;
    }
    sc->hardware = hs_calloc(n->n_kids, sizeof(sc_hardware));
    c->hw_ok = hs_calloc(n->n_kids, sizeof(bool));
    for (size_t i = 0; i < n->n_kids; i++) {
        c->hw_ok[i] = bind_hardware_entry(c, n->kids[i], &sc->hardware[i]);
        sc->n_hardware++;
    }
}

static void bind_pool_entry(ctx *c, const io_node *n, sc_pool *p)
{
    const io_node *ln;

    p->name = hs_strdup(n->key);
    p->loc = n->loc;
    p->link = SC_NONE;
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, pool_keys);
    io_field_quantity(c->e, n, "capacity", true, HS_UNIT_BYTES, true,
                      &p->capacity_bytes);
    io_field_quantity(c->e, n, "bandwidth", true, HS_UNIT_BANDWIDTH, true,
                      &p->bandwidth);
    io_field_quantity(c->e, n, "latency", false, HS_UNIT_TIME, false,
                      &p->latency_s);
    ln = io_member(c->e, n, "link", true);
    if (ln != NULL)
        p->link = ref_link(c, ln);
}

static void bind_pools(ctx *c, const io_node *n)
{
    sc_scenario *sc = c->sc;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    sc->pools = hs_calloc(n->n_kids + 1, sizeof(sc_pool));
    for (size_t i = 0; i < n->n_kids; i++)
        bind_pool_entry(c, n->kids[i], &sc->pools[sc->n_pools++]);
}

/* ---- cluster ------------------------------------------------------------ */

static void group_defaults(sc_group *g, const io_node *n)
{
    g->device = SC_NONE;
    g->count = 1;
    g->tp = 1;
    g->max_batch = DEFAULT_MAX_BATCH;
    g->max_batch_tokens = DEFAULT_MAX_BATCH_TOKENS;
    g->chunked_prefill = true;
    g->link = SC_NONE;
    g->router = SC_ROUTER_LEAST_LOADED;
    g->loc = n->loc;
}

/* Bind one instance group.  'instance': an entry of 'instances' (has a
 * name and may have a router); 'complete': the group is used by the
 * cluster's mode, so required keys must be there. */
static void bind_group(ctx *c, const io_node *n, sc_group *g, bool instance,
                       bool complete, const char *role)
{
    const io_node *dn, *ln;
    int v = 0;

    group_defaults(g, n);
    if (!instance)
        g->name = hs_strdup(role);
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, instance ? instance_keys : role_keys);
    if (instance)
        io_field_string(c->e, n, "name", complete, &g->name);
    dn = io_member(c->e, n, "device", complete);
    if (dn != NULL)
        g->device = ref_hardware(c, dn);
    io_field_int(c->e, n, "count", false, 1, INT64_MAX, &g->count);
    io_field_int32(c->e, n, "tp", false, 1, INT_MAX, &g->tp);
    io_field_int(c->e, n, "max_batch", false, 1, INT64_MAX, &g->max_batch);
    io_field_int(c->e, n, "max_batch_tokens", false, 1, INT64_MAX,
                 &g->max_batch_tokens);
    io_field_bool(c->e, n, "chunked_prefill", false, &g->chunked_prefill);
    if (instance && io_get(n, "router") != NULL &&
        io_field_enum(c->e, n, "router", false, router_names,
                      N_OF(router_names), &v) == HS_OK) {
        g->has_router = true;
        g->router = (sc_router_policy)v;
    }
    ln = io_get(n, "link");
    if (ln != NULL)
        g->link = ref_link(c, ln);
    else if (g->device != SC_NONE)
        g->link = c->sc->hardware[g->device].link;
    /* (A device that failed to load has already been reported.) */
    if (complete && ln == NULL && g->device != SC_NONE &&
        c->hw_ok[g->device] && g->tp > 1 && g->link == SC_NONE)
        io_node_error(c->e, n,
                      "tp %d needs a link, and device '%s' names no default "
                      "link: set 'link'",
                      g->tp, c->sc->hardware[g->device].name);
}

static void bind_instances(ctx *c, const io_node *n, bool complete)
{
    sc_cluster *cl = &c->sc->cluster;

    if (!io_expect_seq(c->e, n))
        return;
    if (n->n_kids == 0 && complete) {
        io_node_error(c->e, n,
                      "expected at least one instance group, found none");
        return;
    }
    cl->instances = hs_calloc(n->n_kids + 1, sizeof(sc_group));
    for (size_t i = 0; i < n->n_kids; i++) {
        sc_group *g = &cl->instances[cl->n_instances++];

        bind_group(c, n->kids[i], g, true, complete, NULL);
        for (size_t j = 0; j < i && g->name != NULL; j++) {
            if (cl->instances[j].name != NULL &&
                strcmp(cl->instances[j].name, g->name) == 0)
                io_node_error(c->e, io_get(n->kids[i], "name"),
                              "duplicate instance group name '%s'", g->name);
        }
    }
}

/* The cluster mode: written, or implied by which forms are present.
 * Returns -1 when it cannot be told (reported). */
static int cluster_mode(ctx *c, const io_node *n)
{
    const io_node *mn = io_get(n, "mode");
    bool mono = io_get(n, "instances") != NULL;
    bool split = io_get(n, "prefill") != NULL || io_get(n, "decode") != NULL;
    int v = -1;

    if (mn != NULL) {
        io_enum(c->e, mn, mode_names, N_OF(mode_names), &v);
        return v;
    }
    if (mono && !split)
        return SC_MODE_MONOLITHIC;
    if (split && !mono)
        return SC_MODE_SPLIT;
    if (mono && split)
        io_node_error(c->e, n,
                      "missing required key 'mode' (both 'instances' and "
                      "'prefill'/'decode' are defined)");
    else
        io_node_error(c->e, n,
                      "missing required key 'instances' (or 'prefill' and "
                      "'decode')");
    return -1;
}

static void bind_roles(ctx *c, const io_node *n, int mode)
{
    sc_cluster *cl = &c->sc->cluster;
    const io_node *in = io_get(n, "instances");
    const io_node *pn = io_get(n, "prefill");
    const io_node *dn = io_get(n, "decode");
    bool mono = mode == SC_MODE_MONOLITHIC, split = mode == SC_MODE_SPLIT;

    if (in != NULL)
        bind_instances(c, in, mono);
    else if (mono)
        io_node_error(c->e, n,
                      "missing required key 'instances' (mode monolithic)");
    cl->has_prefill = pn != NULL;
    cl->has_decode = dn != NULL;
    if (pn != NULL)
        bind_group(c, pn, &cl->prefill, false, split, "prefill");
    else if (split)
        io_node_error(c->e, n, "missing required key 'prefill' (mode split)");
    if (dn != NULL)
        bind_group(c, dn, &cl->decode, false, split, "decode");
    else if (split)
        io_node_error(c->e, n, "missing required key 'decode' (mode split)");
}

static void bind_kv_transfer(ctx *c, const io_node *cn, bool split)
{
    sc_cluster *cl = &c->sc->cluster;
    const io_node *n = io_get(cn, "kv_transfer");
    const io_node *ln;

    if (n == NULL) {
        if (split)
            io_node_error(c->e, cn,
                          "missing required key 'kv_transfer' (mode split)");
        return;
    }
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, kv_transfer_keys);
    ln = io_member(c->e, n, "link", split);
    if (ln != NULL)
        cl->kv_transfer_link = ref_link(c, ln);
    io_field_bool(c->e, n, "layerwise", false, &cl->kv_transfer_layerwise);
}

static void bind_kv_pool(ctx *c, const io_node *cn)
{
    sc_cluster *cl = &c->sc->cluster;
    const io_node *n = io_get(cn, "kv_pool");
    const io_node *pn;
    int v = -1;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, kv_pool_keys);
    io_field_enum(c->e, n, "policy", false, kv_pool_names, N_OF(kv_pool_names),
                  &v);
    pn = io_member(c->e, n, "pool", v != SC_KV_HBM_ONLY);
    if (pn != NULL)
        cl->kv_pool = ref_pool(c, pn);
    if (v >= 0)
        cl->kv_pool_policy = (sc_kv_pool_policy)v;
    else if (pn != NULL)
        cl->kv_pool_policy = SC_KV_OFFLOAD;
}

static void bind_retention(ctx *c, const io_node *cn)
{
    sc_cluster *cl = &c->sc->cluster;
    const io_node *n = io_get(cn, "kv_retention");
    int v = -1;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, retention_keys);
    if (io_field_enum(c->e, n, "policy", false, retention_names,
                      N_OF(retention_names), &v) == HS_OK &&
        v >= 0)
        cl->retention = (sc_retention_policy)v;
    io_field_quantity(c->e, n, "idle_timeout", false, HS_UNIT_TIME, false,
                      &cl->retention_idle_timeout_s);
    if (v == SC_RETAIN_OFFLOAD &&
        io_get(io_get(cn, "kv_pool"), "pool") == NULL)
        io_node_error(c->e, io_get(n, "policy"),
                      "'offload' needs a memory pool: set "
                      "cluster.kv_pool.pool");
}

static void bind_cluster(ctx *c, const io_node *n)
{
    sc_cluster *cl = &c->sc->cluster;
    int mode;

    if (!io_expect_map(c->e, n))
        return;
    cl->loc = n->loc;
    io_check_keys(c->e, n, cluster_keys);
    mode = cluster_mode(c, n);
    if (mode >= 0)
        cl->mode = (sc_mode)mode;
    bind_roles(c, n, mode);
    bind_kv_transfer(c, n, mode == SC_MODE_SPLIT);
    bind_kv_pool(c, n);
    bind_retention(c, n);
    io_field_bool(c->e, n, "prefix_cache", false, &cl->prefix_cache);
    io_field_int(c->e, n, "block_size", false, 1, INT_MAX, &cl->block_size);
    io_field_bool(c->e, n, "mixed_fallback", false, &cl->mixed_fallback);
}

static void bind_router(ctx *c, const io_node *n)
{
    sc_router *r = &c->sc->router;
    int v = -1;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, router_keys);
    if (io_field_enum(c->e, n, "policy", false, router_names,
                      N_OF(router_names), &v) == HS_OK &&
        v >= 0)
        r->policy = (sc_router_policy)v;
    v = -1;
    if (io_field_enum(c->e, n, "decode_policy", false, router_names,
                      N_OF(router_names), &v) == HS_OK &&
        v >= 0)
        r->decode_policy = (sc_router_policy)v;
}

/* ---- workload ----------------------------------------------------------- */

static bool listed(const char *key, const char *const *keys)
{
    for (size_t i = 0; keys[i] != NULL; i++)
        if (strcmp(key, keys[i]) == 0)
            return true;
    return false;
}

/* Report keys of 'n' that exist in general but not for this 'kind'. */
static void check_kind_keys(ctx *c, const io_node *n,
                            const char *const *general,
                            const char *const *allowed, const char *what,
                            const char *kind)
{
    for (size_t i = 0; i < n->n_kids; i++) {
        const io_node *k = n->kids[i];
        char path[256];

        if (!listed(k->key, general) || listed(k->key, allowed))
            continue;
        io_path(n, path, sizeof path);
        io_key_error(c->e, k->key_loc, path, "'%s' does not apply to %s '%s'",
                     k->key, what, kind);
    }
}

static void bind_trace(ctx *c, const io_node *n, wl_trace_spec *t)
{
    int v = -1;

    t->time_scale = 1.0;
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, trace_keys);
    if (io_field_enum(c->e, n, "format", true, trace_format_names,
                      N_OF(trace_format_names), &v) == HS_OK &&
        v >= 0)
        t->format = (wl_trace_format)v;
    field_path(c, n, "path", true, &t->path);
    io_field_number(c->e, n, "time_scale", false, IO_POSITIVE, DBL_MAX,
                    &t->time_scale);
    io_field_int(c->e, n, "max_requests", false, 0, INT64_MAX,
                 &t->max_requests);
}

static void bind_arrival(ctx *c, const io_node *n, wl_arrival_spec *a)
{
    int v = -1;

    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, arrival_keys);
    if (io_field_enum(c->e, n, "process", true, process_names,
                      N_OF(process_names), &v) != HS_OK ||
        v < 0)
        return;
    a->kind = (wl_arrival_kind)v;
    check_kind_keys(c, n, arrival_keys, arrival_by_process[v], "process",
                    process_names[v]);
    if (a->kind == WL_ARRIVAL_CLOSED) {
        io_field_int(c->e, n, "concurrency", true, 1, INT64_MAX,
                     &a->concurrency);
        return;
    }
    io_field_quantity(c->e, n, "rate", true, HS_UNIT_RATE, true, &a->rate);
    if (a->kind == WL_ARRIVAL_GAMMA)
        io_field_number(c->e, n, "cv", true, IO_POSITIVE, DBL_MAX, &a->cv);
}

/* Report "min" > "max" at max. */
static void check_min_max(ctx *c, const io_node *n, const wl_dist_spec *d)
{
    const io_node *mx = io_get(n, "max");

    if (mx != NULL && io_get(n, "min") != NULL && d->max < d->min)
        io_node_error(c->e, mx, "expected a number >= min (%g), found '%s'",
                      d->min, mx->text);
}

static void bind_dist(ctx *c, const io_node *n, wl_dist_spec *d)
{
    size_t before = c->e->n;
    int v = -1;

    d->loc = n->loc;
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, dist_keys);
    if (io_field_enum(c->e, n, "dist", true, dist_names, N_OF(dist_names),
                      &v) != HS_OK ||
        v < 0)
        return;
    d->kind = (wl_dist_kind)v;
    check_kind_keys(c, n, dist_keys, dist_by_kind[v], "dist", dist_names[v]);
    switch (d->kind) {
    case WL_DIST_FIXED:
        io_field_number(c->e, n, "value", true, 1, DBL_MAX, &d->value);
        break;
    case WL_DIST_UNIFORM:
        io_field_number(c->e, n, "min", true, 0, DBL_MAX, &d->min);
        io_field_number(c->e, n, "max", true, 1, DBL_MAX, &d->max);
        break;
    case WL_DIST_LOGNORMAL:
        io_field_number(c->e, n, "mean", true, IO_POSITIVE, DBL_MAX, &d->mean);
        io_field_number(c->e, n, "cv", true, 0, DBL_MAX, &d->cv);
        io_field_number(c->e, n, "min", false, 0, DBL_MAX, &d->min);
        io_field_number(c->e, n, "max", false, 1, DBL_MAX, &d->max);
        break;
    case WL_DIST_EMPIRICAL:
        field_path(c, n, "trace", true, &d->path);
        v = -1;
        if (io_field_enum(c->e, n, "format", true, trace_format_names,
                          N_OF(trace_format_names), &v) == HS_OK &&
            v >= 0)
            d->format = hs_strdup(trace_format_names[v]);
        break;
    }
    if (c->e->n == before)
        check_min_max(c, n, d);
}

/* An open-ended source must be bounded by a count or a horizon. */
static void need_end(ctx *c, const io_node *n, const char *count_key,
                     bool has_count, bool has_horizon)
{
    if (!has_count && !has_horizon)
        io_node_error(c->e, n,
                      "expected '%s' or 'horizon' (or both) to end the "
                      "source, found neither",
                      count_key);
}

static void bind_synthetic(ctx *c, const io_node *n, wl_synthetic_spec *s)
{
    size_t before = c->e->n;
    const io_node *k;

    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, synthetic_keys);
    if ((k = io_member(c->e, n, "arrival", true)) != NULL)
        bind_arrival(c, k, &s->arrival);
    io_field_int(c->e, n, "requests", false, 0, INT64_MAX, &s->requests);
    io_field_quantity(c->e, n, "horizon", false, HS_UNIT_TIME, false,
                      &s->horizon_s);
    if ((k = io_member(c->e, n, "prompt", true)) != NULL)
        bind_dist(c, k, &s->prompt);
    if ((k = io_member(c->e, n, "output", true)) != NULL)
        bind_dist(c, k, &s->output);
    if (c->e->n == before)
        need_end(c, n, "requests", s->requests > 0, s->horizon_s > 0);
}

/* The preset named at 'preset:', loaded from the catalog's presets/ into
 * a->params; an unknown name is reported there with the known ones. */
static void bind_preset(ctx *c, const io_node *n, wl_agent_spec *a)
{
    const io_node *pn = io_get(n, "preset");
    const char *dir;

    if (io_field_string(c->e, n, "preset", true, &a->preset) != HS_OK ||
        a->preset == NULL)
        return;
    if ((dir = catalog(c, pn)) != NULL)
        io_preset_at(c->e, dir, a->preset, pn, &a->params);
}

static void bind_agent(ctx *c, const io_node *n, wl_agent_spec *a)
{
    size_t before = c->e->n;

    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, agent_keys);
    bind_preset(c, n, a);
    io_field_quantity(c->e, n, "session_rate", true, HS_UNIT_RATE, true,
                      &a->session_rate);
    io_field_int(c->e, n, "sessions", false, 0, INT64_MAX, &a->sessions);
    io_field_quantity(c->e, n, "horizon", false, HS_UNIT_TIME, false,
                      &a->horizon_s);
    if (c->e->n == before)
        need_end(c, n, "sessions", a->sessions > 0, a->horizon_s > 0);
}

static void bind_source(ctx *c, const io_node *n, wl_source_spec *s)
{
    static const char *const kinds[] = {"trace", "synthetic", "agent"};
    const io_node *body = NULL;
    size_t found = 0;

    s->loc = n->loc;
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, source_keys);
    io_field_string(c->e, n, "name", true, &s->name);
    for (size_t i = 0; i < N_OF(kinds); i++) {
        const io_node *k = io_get(n, kinds[i]);

        if (k != NULL) {
            found++;
            body = k;
            s->kind = (wl_source_kind)i;
        }
    }
    if (found != 1) {
        io_node_error(c->e, n,
                      "expected exactly one of trace, synthetic, agent, "
                      "found %zu",
                      found);
        return;
    }
    if (s->kind == WL_SOURCE_TRACE)
        bind_trace(c, body, &s->trace);
    else if (s->kind == WL_SOURCE_SYNTHETIC)
        bind_synthetic(c, body, &s->synthetic);
    else
        bind_agent(c, body, &s->agent);
}

static void bind_workload(ctx *c, const io_node *n)
{
    sc_scenario *sc = c->sc;

    if (!io_expect_seq(c->e, n))
        return;
    if (n->n_kids == 0) {
        io_node_error(c->e, n, "expected at least one source, found none");
        return;
    }
    sc->workload = hs_calloc(n->n_kids, sizeof(wl_source_spec));
    for (size_t i = 0; i < n->n_kids; i++) {
        wl_source_spec *s = &sc->workload[sc->n_workload++];

        bind_source(c, n->kids[i], s);
        for (size_t j = 0; j < i && s->name != NULL; j++)
            if (sc->workload[j].name != NULL &&
                strcmp(sc->workload[j].name, s->name) == 0)
                io_node_error(c->e, io_get(n->kids[i], "name"),
                              "duplicate source name '%s'", s->name);
    }
}

/* ---- slo, output -------------------------------------------------------- */

/* Parse "ttft_p99.9" into metric and percentile. */
static bool parse_slo_key(const char *key, sc_slo_metric *metric, double *pct)
{
    for (size_t m = 0; m < N_OF(slo_names); m++) {
        size_t len = strlen(slo_names[m]);
        const char *p = key + len + 2;

        if (strncmp(key, slo_names[m], len) != 0 ||
            strncmp(key + len, "_p", 2) != 0)
            continue;
        if (*p < '0' || *p > '9' || strspn(p, "0123456789.") != strlen(p))
            return false;
        if (hs_parse_double(p, pct) != HS_OK || *pct < 50 || *pct > 99.9)
            return false;
        *metric = (sc_slo_metric)m;
        return true;
    }
    return false;
}

static void bind_slo(ctx *c, const io_node *n)
{
    sc_scenario *sc = c->sc;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    sc->slo = hs_calloc(n->n_kids + 1, sizeof(sc_slo));
    for (size_t i = 0; i < n->n_kids; i++) {
        const io_node *k = n->kids[i];
        sc_slo *s = &sc->slo[sc->n_slo];

        if (!parse_slo_key(k->key, &s->metric, &s->percentile)) {
            io_key_error(c->e, k->key_loc, "slo",
                         "unknown key '%s' (expected ttft_pNN, tpot_pNN or "
                         "e2e_pNN with NN from 50 to 99.9)",
                         k->key);
            continue;
        }
        if (io_quantity(c->e, k, HS_UNIT_TIME, true, &s->threshold_s) != HS_OK)
            continue;
        s->key = hs_strdup(k->key);
        s->loc = k->loc;
        sc->n_slo++;
    }
}

static void bind_output(ctx *c, const io_node *n)
{
    sc_output *o = &c->sc->output;
    int v = -1;

    o->steps = SC_STEPS_SAMPLED;
    o->step_sample_every = DEFAULT_STEP_SAMPLE_EVERY;
    o->timeseries_interval_s = 1.0;
    if (n == NULL || !io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, output_keys);
    io_field_string(c->e, n, "db", false, &o->db);
    if (io_field_enum(c->e, n, "steps", false, steps_names, N_OF(steps_names),
                      &v) == HS_OK &&
        v >= 0)
        o->steps = (sc_steps_mode)v;
    io_field_int(c->e, n, "step_sample_every", false, 1, INT64_MAX,
                 &o->step_sample_every);
    io_field_quantity(c->e, n, "timeseries_interval", false, HS_UNIT_TIME,
                      false, &o->timeseries_interval_s);
}

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

    sc->precision.weights = sc->precision.kv = COST_BF16;
    sc->precision.activations = COST_BF16;
    cl->mode = SC_MODE_MONOLITHIC;
    cl->kv_transfer_link = SC_NONE;
    cl->kv_pool = SC_NONE;
    cl->kv_pool_policy = SC_KV_HBM_ONLY;
    cl->retention = SC_RETAIN_KEEP;
    cl->prefix_cache = true;
    cl->block_size = DEFAULT_BLOCK_SIZE;
    sc->router.policy = SC_ROUTER_LEAST_LOADED;
    sc->router.decode_policy = SC_ROUTER_LEAST_LOADED;
}

static void bind_root(ctx *c, const io_node *root)
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
        bind_model(c, n);
    bind_precision(c, io_get(root, "precision"));
    bind_links(c, io_get(root, "links"));
    if ((n = io_member(c->e, root, "hardware", true)) != NULL)
        bind_hardware(c, n);
    bind_pools(c, io_get(root, "memory_pools"));
    if ((n = io_member(c->e, root, "cluster", true)) != NULL)
        bind_cluster(c, n);
    bind_router(c, io_get(root, "router"));
    if ((n = io_member(c->e, root, "workload", true)) != NULL)
        bind_workload(c, n);
    bind_slo(c, io_get(root, "slo"));
    bind_output(c, io_get(root, "output"));
}

/* ---- variants ----------------------------------------------------------- */

/* True for a path inside 'variants', which variants and --set may not
 * change. */
static bool sets_variants(const char *path)
{
    return strncmp(path, "variants", 8) == 0 &&
           (path[8] == '\0' || path[8] == '.' || path[8] == '=');
}

/* Check the 'variants' section and collect the names (in '*names'). */
static void read_variants(io_errs *e, const io_node *root, char ***names,
                          size_t *count)
{
    const io_node *n = io_get(root, "variants");

    *names = NULL;
    *count = 0;
    if (n == NULL || !io_expect_seq(e, n))
        return;
    *names = hs_calloc(n->n_kids + 1, sizeof(char *));
    for (size_t i = 0; i < n->n_kids; i++) {
        const io_node *v = n->kids[i], *set;
        char *name = NULL;

        if (!io_expect_map(e, v))
            continue;
        io_check_keys(e, v, variant_keys);
        if (io_field_string(e, v, "name", true, &name) == HS_OK &&
            name != NULL) {
            for (size_t j = 0; j < *count; j++)
                if (strcmp((*names)[j], name) == 0)
                    io_node_error(e, io_get(v, "name"),
                                  "duplicate variant name '%s'", name);
            (*names)[(*count)++] = name;
        }
        set = io_member(e, v, "set", true);
        if (set != NULL && io_expect_map(e, set)) {
            for (size_t j = 0; j < set->n_kids; j++) {
                char path[256];

                if (!sets_variants(set->kids[j]->key))
                    continue;
                io_path(set, path, sizeof path);
                io_key_error(e, set->kids[j]->key_loc, path,
                             "a variant cannot set '%s'", set->kids[j]->key);
            }
        }
    }
}

/* Apply variant 'name' to the tree. */
static void apply_variant(io_errs *e, io_node **root, const char *path,
                          const char *name, char **names, size_t count)
{
    const io_node *vs = io_get(*root, "variants");
    const io_node *set = NULL;

    for (size_t i = 0; vs != NULL && vs->kind == IO_SEQ && i < vs->n_kids;
         i++) {
        const io_node *nn = io_get(vs->kids[i], "name");

        if (nn != NULL && nn->kind == IO_SCALAR && strcmp(nn->text, name) == 0)
            set = io_get(vs->kids[i], "set");
    }
    if (set == NULL) {
        hs_loc at = {path, 0, 0};
        char *known;

        for (size_t i = 0; i < count; i++)
            if (strcmp(names[i], name) == 0)
                return; /* a variant without a usable 'set' (reported) */
        known = count > 0 ? io_join((const char *const *)names, count)
                          : hs_strdup("none: the file has no variants");
        io_error(e, at, "unknown variant '%s' (known: %s)", name, known);
        free(known);
        return;
    }
    if (set->kind != IO_MAP)
        return; /* reported by read_variants */
    for (size_t i = 0; i < set->n_kids; i++) {
        const io_node *k = set->kids[i];

        if (sets_variants(k->key))
            continue; /* reported by read_variants */
        io_set_path(e, root, k->key, k->key_loc, io_node_copy(k));
    }
}

static void apply_overrides(io_errs *e, io_node **root, const io_override *ovr,
                            size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *a = ovr[i].arg;

        if (sets_variants(a)) {
            hs_loc at = {IO_SET_FILE, 1, 1};

            io_key_error(e, at, "variants", "cannot be overridden with --set");
            continue;
        }
        io_apply_override(e, root, a);
    }
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
    ctx c;
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
        read_variants(&e, root, &sc->variants, &sc->n_variants);
        if (opts->variant != NULL) {
            sc->variant = hs_strdup(opts->variant);
            apply_variant(&e, &root, sc->path, opts->variant, sc->variants,
                          sc->n_variants);
        }
        apply_overrides(&e, &root, opts->ovr, opts->n_ovr);
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
        read_variants(&e, root, names, count);
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
