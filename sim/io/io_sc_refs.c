/*
 * io_sc_refs.c -- what every section binder of a scenario shares
 * (io_sc_int.h): the catalog directory, found once on first use; paths
 * resolved against the scenario's directory; references by name to the
 * scenario's links, hardware and memory pools, with the defined names
 * listed when one is unknown; entry names copied into fixed-size fields.
 */
#include "io_sc_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The catalog directory, found on first use; NULL (reported at 'ref')
 * when there is none. */
const char *io_sc_catalog(io_sc_ctx *c, const io_node *ref)
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
static char *resolve_path(io_sc_ctx *c, const io_node *n, const char *text)
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
void io_sc_field_path(io_sc_ctx *c, const io_node *map, const char *key,
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
static void unknown_ref(io_sc_ctx *c, const io_node *n, const char *what,
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

char *io_sc_link_names(const sc_scenario *sc)
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

int io_sc_find_link(const sc_scenario *sc, const char *name, bool explicit)
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
int io_sc_ref_link(io_sc_ctx *c, const io_node *n)
{
    char *name = NULL;
    int idx = SC_NONE;

    if (io_string(c->e, n, &name) != HS_OK)
        return SC_NONE;
    idx = io_sc_find_link(c->sc, name, true);
    if (idx == SC_NONE) {
        unknown_ref(c, n, "link", name, "links", io_sc_link_names(c->sc));
    }
    free(name);
    return idx;
}

int io_sc_ref_hardware(io_sc_ctx *c, const io_node *n)
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

int io_sc_ref_pool(io_sc_ctx *c, const io_node *n)
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
void io_sc_entry_name(io_sc_ctx *c, const io_node *entry, char *buf,
                      size_t len)
{
    if (strlen(entry->key) >= len) {
        io_error(c->e, entry->key_loc,
                 "name '%s' too long (at most %zu characters)", entry->key,
                 len - 1);
        return;
    }
    memcpy(buf, entry->key, strlen(entry->key) + 1);
}
