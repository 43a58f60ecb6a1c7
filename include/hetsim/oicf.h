/*
 * oicf.h -- the points of 'hetsim oicf' (plain data) and the loader of
 * an oicf points file (io/), such as configs/examples/paper-oicf.yaml:
 *
 *   name: paper-oicf
 *   points:
 *     - {label: short-chat-4k, model: llama-3-8b, hardware: h100-sxm,
 *        phase: decode, context: 4096, batch: 1, tp: 1,
 *        weights: fp8, kv: fp8, activations: bf16}
 *     - {model: my-models/llama-3.1-8b.yaml, hardware: h100-sxm,
 *        context: 65536, beyond_context: true}
 *
 * Every point names catalog entries (the model may be a model file
 * instead: a path, relative to the points file); sim/app resolves them.
 */
#ifndef HETSIM_OICF_H
#define HETSIM_OICF_H

#include <stdbool.h>
#include <stddef.h>

#include "hetsim/cost.h"
#include "hetsim/util.h"

typedef struct oicf_point {
    char label[64];
    char model[256]; /* a catalog name or a model file path */
    char hardware[64];
    cost_point pt;
    int tp;
    cost_precision prec;
    bool full_attention;
    bool beyond_context; /* evaluate even past the model's max_context */
    hs_loc loc;          /* where the point was written (file form) */
} oicf_point;

/* Load the points of 'path' into a new array '*out' of '*n' points
 * (caller frees with free()).  Defaults: phase decode, batch 1, tp 1,
 * prompt 4096 (prefill), context 4096 (decode) or 0 (prefill), bf16
 * everywhere.  Unknown keys, wrong types and bad formats are reported to
 * 'd' with file:line:col, all in one pass; returns HS_OK or HS_EINPUT
 * (then '*out' is NULL). */
int io_oicf_load(const char *path, oicf_point **out, size_t *n, hs_diag *d);

/* True when a point's 'model' names a model file rather than a catalog
 * entry: it contains a '/' or ends in ".yaml". */
bool oicf_is_model_path(const char *model);

/* Load a point's model: the catalog entry 'model' (io_catalog_load_model,
 * the catalog found by io_catalog_find), or, when oicf_is_model_path(),
 * the model file at that path (the keys of a models catalog entry,
 * docs/catalogs.md; its 'name', else the path, names it).  Problems are
 * reported to 'd' at their file:line:col, a missing file or an unknown
 * name at 'at'.  Returns HS_OK, HS_EINPUT or HS_EIO. */
int io_oicf_model(const char *model, hs_loc at, cost_model *out, hs_diag *d);

#endif /* HETSIM_OICF_H */
