/*
 * io_sc_model.c -- the 'model' and 'precision' sections of a scenario: a
 * catalog model by name, or a mapping (a catalog base or a HuggingFace
 * config.json, 'hf_config', with overrides, or a whole inline model), and
 * the precision: a shorthand ('fp8' = W8A8, cost_precision_shorthand) or
 * a map of the formats of weights, KV, GEMM inputs ('activations'), the
 * residual stream and attention.
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

static const char *const precision_keys[] = {
    "weights", "kv", "activations", "residual", "attention", NULL};

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

/* An optional dtype field; '*out' keeps its default when absent.  True
 * when the field was given. */
static bool field_dtype(io_sc_ctx *c, const io_node *map, const char *key,
                        cost_dtype *out)
{
    int v = -1;

    if (io_field_enum(c->e, map, key, false, dtype_names, N_OF(dtype_names),
                      &v) == HS_OK &&
        v >= 0) {
        *out = (cost_dtype)v;
        return true;
    }
    return false;
}

/* 'precision: NAME', the shorthand as frameworks mean it. */
static void bind_shorthand(io_sc_ctx *c, const io_node *n)
{
    static const char *const names[] = {"bf16", "fp16",  "fp32",
                                        "fp8",  "int8",  "int4",
                                        "fp4",  "nvfp4", "mxfp4"};
    cost_precision p = cost_precision_default();
    bool fp4 = false;

    if (cost_precision_shorthand(n->text, &p, &fp4)) {
        c->sc->precision = p;
        c->precision_fp4 = fp4;
        return;
    }
    io_node_error(c->e, n,
                  "expected a precision shorthand (%s, %s, %s, %s, %s, %s, "
                  "%s, %s or %s) or a mapping of weights, kv, activations, "
                  "residual and attention, found '%s'",
                  names[0], names[1], names[2], names[3], names[4], names[5],
                  names[6], names[7], names[8], n->text);
}

void io_sc_bind_precision(io_sc_ctx *c, const io_node *n)
{
    cost_precision *p = &c->sc->precision;

    if (n == NULL)
        return;
    if (n->kind == IO_SCALAR && !io_is_null(n)) {
        bind_shorthand(c, n);
        return;
    }
    if (!io_expect_map(c->e, n))
        return;
    io_check_keys(c->e, n, precision_keys);
    field_dtype(c, n, "weights", &p->weights);
    field_dtype(c, n, "kv", &p->kv);
    field_dtype(c, n, "activations", &p->activations);
    p->has_residual = field_dtype(c, n, "residual", &p->residual);
    p->has_attention = field_dtype(c, n, "attention", &p->attention);
}

/* The hardware of 'g' has an fp4 peak; else a located error at 'n'. */
static void check_fp4(io_sc_ctx *c, const io_node *n, const sc_group *g)
{
    const sc_hardware *hw;

    if (g->device < 0 || (size_t)g->device >= c->sc->n_hardware)
        return;
    hw = &c->sc->hardware[g->device];
    if (cost_device_peak(&hw->dev, COST_FP4) > 0)
        return;
    io_node_error(c->e, n,
                  "precision '%s' runs 4-bit GEMMs at the fp4 tensor peak, "
                  "which hardware '%s' (group '%s') does not have; for "
                  "4-bit weights with 16-bit math write {weights: %s, "
                  "activations: bf16}",
                  n->text, hw->name, g->name != NULL ? g->name : "?",
                  n->text[0] == 'm' ? "mxfp4" : "nvfp4");
}

void io_sc_check_precision(io_sc_ctx *c, const io_node *n)
{
    const sc_cluster *cl = &c->sc->cluster;

    if (n == NULL || !c->precision_fp4)
        return;
    for (size_t i = 0; i < cl->n_instances; i++)
        check_fp4(c, n, &cl->instances[i]);
    if (cl->has_prefill)
        check_fp4(c, n, &cl->prefill);
    if (cl->has_decode)
        check_fp4(c, n, &cl->decode);
}
