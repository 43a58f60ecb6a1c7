/*
 * oicf.h -- the points of 'hetsim oicf' (plain data) and the loader of
 * an oicf points file (io/), such as configs/examples/paper-oicf.yaml:
 *
 *   name: paper-oicf
 *   points:
 *     - {label: short-chat-4k, model: llama-3-8b, hardware: h100-sxm,
 *        phase: decode, context: 4096, batch: 1, tp: 1,
 *        weights: fp8, kv: fp8, activations: bf16}
 *
 * Every point names catalog entries; the CLI resolves them.
 */
#ifndef HETSIM_OICF_H
#define HETSIM_OICF_H

#include <stdbool.h>
#include <stddef.h>

#include "hetsim/cost.h"
#include "hetsim/util.h"

typedef struct oicf_point {
    char label[64];
    char model[64];
    char hardware[64];
    cost_point pt;
    int tp;
    cost_precision prec;
    bool full_attention;
    hs_loc loc; /* where the point was written (file form) */
} oicf_point;

/* Load the points of 'path' into a new array '*out' of '*n' points
 * (caller frees with free()).  Defaults: phase decode, batch 1, tp 1,
 * prompt 4096 (prefill), context 4096 (decode) or 0 (prefill), bf16
 * everywhere.  Unknown keys, wrong types and bad formats are reported to
 * 'd' with file:line:col, all in one pass; returns HS_OK or HS_EINPUT
 * (then '*out' is NULL). */
int io_oicf_load(const char *path, oicf_point **out, size_t *n, hs_diag *d);

#endif /* HETSIM_OICF_H */
