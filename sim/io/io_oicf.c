/*
 * io_oicf.c -- the loader of 'hetsim oicf --scenario FILE': a list of
 * analytic points, each naming catalog entries or a model file
 * (include/hetsim/oicf.h), and the loader of a point's model.
 */
#include "hetsim/oicf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_int.h"

static const char *const top_keys[] = {"name", "description", "points", NULL};
static const char *const point_keys[] = {
    "label",          "model",  "hardware",    "phase",
    "batch",          "prompt", "context",     "tp",
    "weights",        "kv",     "activations", "full_attention",
    "beyond_context", NULL};
static const char *const phases[] = {"prefill", "decode"};

static int dtype_field(io_errs *e, const io_node *map, const char *key,
                       cost_dtype *out)
{
    static const char *names[COST_N_DTYPES];
    int v = (int)*out;

    for (int i = 0; i < COST_N_DTYPES; i++)
        names[i] = cost_dtype_name((cost_dtype)i);
    if (io_field_enum(e, map, key, false, names, COST_N_DTYPES, &v) != HS_OK)
        return HS_EINPUT;
    *out = (cost_dtype)v;
    return HS_OK;
}

/* A catalog name that must exist in 'dir' (when a catalog was found). */
static int catalog_name(io_errs *e, const io_node *map, const char *key,
                        const char *dir, io_catalog_kind kind, char *buf,
                        size_t len)
{
    const io_node *n = io_member(e, map, key, true);

    if (n == NULL || io_name(e, n, buf, len) != HS_OK)
        return HS_EINPUT;
    if (dir != NULL && !io_catalog_has(dir, kind, buf))
        return io_node_error(e, n,
                             "expected a name from the %s catalog "
                             "(hetsim list %s), found '%s'",
                             io_catalog_kind_name(kind),
                             io_catalog_kind_name(kind), buf);
    return HS_OK;
}

/* 'model': a catalog name, or a model file path (oicf_is_model_path),
 * made relative to the points file's directory. */
static int model_name(io_errs *e, const io_node *map, const char *dir,
                      char *buf, size_t len)
{
    const io_node *n = io_member(e, map, "model", true);
    const char *file;
    size_t base;

    if (n == NULL || n->kind != IO_SCALAR || !oicf_is_model_path(n->text))
        return catalog_name(e, map, "model", dir, IO_CATALOG_MODELS, buf, len);
    file = n->loc.file;
    base = n->text[0] == '/' || strrchr(file, '/') == NULL
               ? 0
               : (size_t)(strrchr(file, '/') - file) + 1;
    if (base + strlen(n->text) >= len)
        return io_node_error(e, n,
                             "model file path too long (at most %zu "
                             "characters)",
                             len - 1);
    snprintf(buf, len, "%.*s%s", (int)base, file, n->text);
    return HS_OK;
}

static int bind_point(io_errs *e, const io_node *map, const char *dir,
                      oicf_point *p)
{
    int rc = HS_OK;
    int phase = COST_PHASE_DECODE;
    int64_t v;

    memset(p, 0, sizeof *p);
    p->loc = map->loc;
    p->tp = 1;
    p->prec = cost_precision_default();
    p->pt.batch = 1;
    if (io_check_keys(e, map, point_keys) != HS_OK)
        rc = HS_EINPUT;
    if (io_get(map, "label") != NULL &&
        io_name(e, io_get(map, "label"), p->label, sizeof p->label) != HS_OK)
        rc = HS_EINPUT;
    if (model_name(e, map, dir, p->model, sizeof p->model) != HS_OK)
        rc = HS_EINPUT;
    if (catalog_name(e, map, "hardware", dir, IO_CATALOG_HARDWARE, p->hardware,
                     sizeof p->hardware) != HS_OK)
        rc = HS_EINPUT;
    if (io_field_enum(e, map, "phase", false, phases, 2, &phase) != HS_OK)
        rc = HS_EINPUT;
    p->pt.phase = (cost_phase)phase;
    p->pt.prompt = p->pt.phase == COST_PHASE_PREFILL ? 4096 : 0;
    p->pt.context = p->pt.phase == COST_PHASE_DECODE ? 4096 : 0;
    if (io_field_int(e, map, "batch", false, 1, INT64_C(1) << 24,
                     &p->pt.batch) != HS_OK)
        rc = HS_EINPUT;
    v = p->pt.prompt;
    if (io_field_int(e, map, "prompt", false, 1, INT64_C(1) << 40, &v) !=
        HS_OK)
        rc = HS_EINPUT;
    if (p->pt.phase == COST_PHASE_PREFILL)
        p->pt.prompt = v;
    if (io_field_int(e, map, "context", false, 0, INT64_C(1) << 40,
                     &p->pt.context) != HS_OK)
        rc = HS_EINPUT;
    if (io_field_int32(e, map, "tp", false, 1, 1024, &p->tp) != HS_OK)
        rc = HS_EINPUT;
    if (dtype_field(e, map, "weights", &p->prec.weights) != HS_OK ||
        dtype_field(e, map, "kv", &p->prec.kv) != HS_OK ||
        dtype_field(e, map, "activations", &p->prec.activations) != HS_OK)
        rc = HS_EINPUT;
    if (io_field_bool(e, map, "full_attention", false, &p->full_attention) !=
        HS_OK)
        rc = HS_EINPUT;
    if (io_field_bool(e, map, "beyond_context", false, &p->beyond_context) !=
        HS_OK)
        rc = HS_EINPUT;
    return rc;
}

static int bind_points(io_errs *e, const io_node *root, const char *dir,
                       oicf_point **out, size_t *n)
{
    const io_node *seq;
    oicf_point *pts;
    int rc = HS_OK;

    if (!io_expect_map(e, root))
        return HS_EINPUT;
    if (io_check_keys(e, root, top_keys) != HS_OK)
        rc = HS_EINPUT;
    seq = io_member(e, root, "points", true);
    if (seq == NULL || !io_expect_seq(e, seq))
        return HS_EINPUT;
    if (seq->n_kids == 0)
        return io_node_error(e, seq, "expected at least one point");
    pts = hs_calloc(seq->n_kids, sizeof *pts);
    for (size_t i = 0; i < seq->n_kids; i++)
        if (!io_expect_map(e, seq->kids[i]) ||
            bind_point(e, seq->kids[i], dir, &pts[i]) != HS_OK)
            rc = HS_EINPUT;
    if (rc != HS_OK) {
        free(pts);
        return rc;
    }
    *out = pts;
    *n = seq->n_kids;
    return HS_OK;
}

int io_oicf_load(const char *path, oicf_point **out, size_t *n, hs_diag *d)
{
    io_errs e = {0};
    io_node *root = NULL;
    char *text = NULL, *dir = NULL;
    size_t len = 0;
    hs_loc none = {NULL, 0, 0};
    int rc;

    *out = NULL;
    *n = 0;
    rc = io_read_file(&e, path, none, &text, &len);
    if (rc == HS_OK)
        rc = io_parse(&e, text, len, path, 0, &root);
    if (rc == HS_OK && root == NULL)
        rc = io_error(&e, (hs_loc){path, 1, 1},
                      "expected a mapping with "
                      "'points', found an empty "
                      "document");
    if (rc == HS_OK)
        rc = io_catalog_find(&dir, d);
    if (rc == HS_OK)
        rc = bind_points(&e, root, dir, out, n);
    io_errs_flush(&e, d);
    io_node_free(root);
    free(text);
    free(dir);
    return rc;
}

/* ---- a point's model ---------------------------------------------------- */

bool oicf_is_model_path(const char *model)
{
    size_t n = strlen(model);

    return strchr(model, '/') != NULL ||
           (n > 5 && strcmp(model + n - 5, ".yaml") == 0);
}

/* Load the model file 'path' (the keys of a models catalog entry). */
static int load_model_file(io_errs *e, const char *path, hs_loc at,
                           cost_model *out)
{
    io_node *root = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = io_read_file(e, path, at, &text, &len);

    if (rc == HS_OK)
        rc = io_parse(e, text, len, path, 0, &root);
    if (rc == HS_OK && root == NULL)
        rc = io_error(e, (hs_loc){path, 1, 1},
                      "expected a model mapping, found an empty document");
    if (rc == HS_OK && !io_expect_map(e, root))
        rc = HS_EINPUT;
    if (rc == HS_OK) {
        size_t before = e->n;

        io_model_defaults(out);
        snprintf(out->name, sizeof out->name, "%s", path);
        io_check_keys(e, root, io_model_keys);
        io_bind_model(e, root, out, true);
        rc = e->n > before ? HS_EINPUT : HS_OK;
    }
    io_node_free(root);
    free(text);
    return rc;
}

int io_oicf_model(const char *model, hs_loc at, cost_model *out, hs_diag *d)
{
    io_errs e = {0};
    int rc;

    if (!oicf_is_model_path(model))
        return io_catalog_load_model(NULL, model, out, at, d);
    rc = load_model_file(&e, model, at, out);
    io_errs_flush(&e, d);
    return rc;
}
