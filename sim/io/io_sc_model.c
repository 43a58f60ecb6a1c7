/*
 * io_sc_model.c -- the 'model' and 'precision' sections of a scenario: a
 * catalog model by name, or a mapping (a catalog base or a HuggingFace
 * config.json, 'hf_config', with overrides, or a whole inline model), and
 * the dtypes of weights, KV and activations.
 */
#include "io_sc_int.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const model_keys[] = {
    "catalog",   "hf_config",   "name",  "description",
    "layers",    "hidden",      "heads", "kv_heads",
    "head_dim",  "ffn",         "vocab", "tied_embeddings",
    "gated_mlp", "max_context", "moe",   "mla",
    NULL,
};

static const char *const precision_keys[] = {"weights", "kv", "activations",
                                             NULL};

static const char *const dtype_names[] = {
#define X(e, name, bits, bytes) name,
    COST_DTYPES(X)
#undef X
};

/* The base model of 'n' from the config.json that 'hf' names (resolved
 * against the scenario's directory); true when it loaded. */
static bool bind_hf(io_sc_ctx *c, const io_node *n, const io_node *hf)
{
    char *path = NULL;
    size_t before = c->e->n;

    io_sc_field_path(c, n, "hf_config", true, &path);
    if (path == NULL || c->e->n > before) {
        free(path);
        return false;
    }
    io_hf_model(c->e, path, hf->loc, &c->sc->model);
    free(path);
    return c->e->n == before;
}

void io_sc_bind_model(io_sc_ctx *c, const io_node *n)
{
    sc_scenario *sc = c->sc;
    const io_node *cat, *hf;
    const char *dir;
    bool base = false;

    io_model_defaults(&sc->model);
    if (n->kind == IO_SCALAR && !io_is_null(n)) {
        dir = io_sc_catalog(c, n);
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
    hf = io_get(n, "hf_config");
    if (cat != NULL && hf != NULL) {
        io_node_error(c->e, hf,
                      "expected either 'catalog' or 'hf_config', not both");
        return;
    }
    if (cat != NULL && io_string(c->e, cat, &sc->model_catalog) == HS_OK) {
        dir = io_sc_catalog(c, cat);
        base = dir != NULL && io_catalog_model_at(c->e, dir, cat->text, cat,
                                                  &sc->model) == HS_OK;
    }
    if (hf != NULL)
        base = bind_hf(c, n, hf);
    if (cat == NULL && hf == NULL)
        snprintf(sc->model.name, sizeof sc->model.name, "custom");
    if ((cat == NULL && hf == NULL) || base)
        io_bind_model(c->e, n, &sc->model, cat == NULL && hf == NULL);
}

/* An optional dtype field; '*out' keeps its default when absent. */
static void field_dtype(io_sc_ctx *c, const io_node *map, const char *key,
                        cost_dtype *out)
{
    int v = -1;

    if (io_field_enum(c->e, map, key, false, dtype_names, N_OF(dtype_names),
                      &v) == HS_OK &&
        v >= 0)
        *out = (cost_dtype)v;
}

void io_sc_bind_precision(io_sc_ctx *c, const io_node *n)
{
    cost_precision *p = &c->sc->precision;

    if (n == NULL || !io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, precision_keys);
    field_dtype(c, n, "weights", &p->weights);
    field_dtype(c, n, "kv", &p->kv);
    field_dtype(c, n, "activations", &p->activations);
}
