/*
 * io_sc_hardware.c -- the 'links', 'hardware' and 'memory_pools' sections
 * of a scenario: catalog entries with overrides or inline definitions,
 * each device's default link (a 'links:' entry, else the catalog's, added
 * as an implicit entry), and pools with the link that reaches them.
 * Bound in that order: hardware may name links, pools name links.
 */
#include "io_sc_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const hardware_keys[] = {
    "catalog",       "description",   "hypothetical", "peak_flops",
    "mem_capacity",  "mem_bandwidth", "power",        "idle_power",
    "cost_per_hour", "efficiency",    "overhead",     "memory_margin",
    "link",          "calibration",   NULL,
};

static const char *const link_keys[] = {
    "catalog",        "description", "bandwidth", "latency",
    "energy_per_bit", "efficiency",  NULL,
};

/* A memory pool's own figures (its link is a reference, bound apart). */
static const io_param pool_params[] = {
    {IO_PARAM_QUANTITY(sc_pool, capacity_bytes, "capacity", true,
                       HS_UNIT_BYTES, true)},
    {IO_PARAM_QUANTITY(sc_pool, bandwidth, "bandwidth", true,
                       HS_UNIT_BANDWIDTH, true)},
    {IO_PARAM_QUANTITY(sc_pool, latency_s, "latency", false, HS_UNIT_TIME,
                       false)},
    IO_PARAM_END,
};

static const char *const pool_keys[] = {"capacity", "bandwidth", "latency",
                                        "link", NULL};

/* Link and memory pool names are scopes of the metrics table, beside
 * 'run' and split mode's pools 'prefill' and 'decode': a name that is
 * one of those would make two metrics share a (scope, name) key. */
static void check_scope_name(io_sc_ctx *c, const io_node *n, const char *what)
{
    static const char *const reserved[] = {"run", "prefill", "decode"};

    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(n->key, reserved[i]) == 0)
            io_node_error(c->e, n,
                          "a %s may not be named '%s' (reserved: run, "
                          "prefill and decode are scopes of the metrics "
                          "table)",
                          what, n->key);
}

static void bind_link_entry(io_sc_ctx *c, const io_node *n, sc_link *l)
{
    const io_node *cat;

    l->name = hs_strdup(n->key);
    l->loc = n->loc;
    check_scope_name(c, n, "link");
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, link_keys);
    cat = io_get(n, "catalog");
    if (cat != NULL) {
        const char *dir;

        if (io_string(c->e, cat, &l->catalog) != HS_OK)
            return;
        dir = io_sc_catalog(c, cat);
        if (dir == NULL ||
            io_catalog_link_at(c->e, dir, cat->text, cat, &l->link) != HS_OK)
            return;
    }
    io_bind_link(c->e, n, &l->link, cat == NULL);
    io_sc_entry_name(c, n, l->link.name, sizeof l->link.name);
}

void io_sc_bind_links(io_sc_ctx *c, const io_node *n)
{
    sc_scenario *sc = c->sc;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    sc->links = hs_calloc(n->n_kids + 1, sizeof(sc_link));
    for (size_t i = 0; i < n->n_kids; i++)
        bind_link_entry(c, n->kids[i], &sc->links[sc->n_links++]);
}

/* Add catalog link 'name' as an implicit entry; SC_NONE on failure. */
static int add_implicit_link(io_sc_ctx *c, const char *name,
                             const io_node *ref)
{
    sc_scenario *sc = c->sc;
    const char *dir = io_sc_catalog(c, ref);
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
static int device_link(io_sc_ctx *c, const char *name, const io_node *ref,
                       bool from_file)
{
    int idx = io_sc_find_link(c->sc, name, false);
    const char *dir;

    if (idx != SC_NONE)
        return idx;
    dir = io_sc_catalog(c, ref);
    if (dir == NULL)
        return SC_NONE;
    if (!io_catalog_has(dir, IO_CATALOG_LINKS, name)) {
        if (!from_file) {
            char *known = io_sc_link_names(c->sc);

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
static bool bind_hardware_entry(io_sc_ctx *c, const io_node *n, sc_hardware *h)
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
             (dir = io_sc_catalog(c, cat)) != NULL &&
             io_catalog_device_raw(c->e, dir, cat->text, cat, &hw) == HS_OK;
    }
    if (!ok)
        return false;
    io_bind_device(c->e, n, &hw.dev, hw.link, sizeof hw.link, cat == NULL);
    if ((ln = io_get(n, "calibration")) != NULL) {
        const char *dir = io_sc_catalog(c, ln);

        if (dir != NULL)
            io_calib_ref(c->e, dir, ln, &hw.dev.calib);
    }
    io_device_finish(&hw.dev);
    io_sc_entry_name(c, n, hw.dev.name, sizeof hw.dev.name);
    h->dev = hw.dev;
    ln = io_get(n, "link");
    if (hw.link[0] != '\0')
        h->link = device_link(c, hw.link, ln != NULL ? ln : cat, ln == NULL);
    return c->e->n == before;
}

void io_sc_bind_hardware(io_sc_ctx *c, const io_node *n)
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

static void bind_pool_entry(io_sc_ctx *c, const io_node *n, sc_pool *p)
{
    const io_node *ln;

    p->name = hs_strdup(n->key);
    p->loc = n->loc;
    p->link = SC_NONE;
    check_scope_name(c, n, "memory pool");
    for (size_t i = 0; i < c->sc->n_links; i++)
        if (strcmp(c->sc->links[i].name, n->key) == 0)
            io_node_error(c->e, n,
                          "memory pool '%s' has the name of a link: their "
                          "metrics (energy_j, utilisation) would share one "
                          "scope; rename one",
                          n->key);
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, pool_keys);
    io_bind_params(c->e, n, pool_params, p, true);
    ln = io_member(c->e, n, "link", true);
    if (ln != NULL)
        p->link = io_sc_ref_link(c, ln);
}

void io_sc_bind_pools(io_sc_ctx *c, const io_node *n)
{
    sc_scenario *sc = c->sc;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    sc->pools = hs_calloc(n->n_kids + 1, sizeof(sc_pool));
    for (size_t i = 0; i < n->n_kids; i++)
        bind_pool_entry(c, n->kids[i], &sc->pools[sc->n_pools++]);
}
