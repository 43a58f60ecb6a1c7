/*
 * cost_dtype.c -- numeric formats, precisions and the compute format a
 * step runs in.  Bytes per element include block-scale overhead
 * (costmodel-reference section 2.7).
 */
#include "hetsim/cost.h"

#include <string.h>

typedef struct dtype_info {
    const char *name;
    int bits;
    double bytes;
} dtype_info;

static const dtype_info dtypes[] = {
#define X(e, name, bits, bytes) {name, bits, bytes},
    COST_DTYPES(X)
#undef X
};

const char *cost_dtype_name(cost_dtype t)
{
    return dtypes[t].name;
}

double cost_dtype_bytes(cost_dtype t)
{
    return dtypes[t].bytes;
}

int cost_dtype_bits(cost_dtype t)
{
    return dtypes[t].bits;
}

bool cost_dtype_parse(const char *name, cost_dtype *out)
{
    for (int i = 0; i < COST_N_DTYPES; i++) {
        if (strcmp(name, dtypes[i].name) == 0) {
            *out = (cost_dtype)i;
            return true;
        }
    }
    return false;
}

cost_precision cost_precision_default(void)
{
    cost_precision p = {COST_BF16, COST_BF16, COST_BF16, COST_BF16,
                        COST_BF16, false,     false};

    return p;
}

void cost_precision_resolve(cost_precision *p)
{
    if (!p->has_residual)
        p->residual =
            cost_dtype_bits(p->activations) >= 16 ? p->activations : COST_BF16;
    if (!p->has_attention)
        p->attention = p->residual;
    p->has_residual = p->has_attention = true;
}

/* X(name, weights, activations, 16-bit rest, needs an fp4 peak): the
 * scalar shorthands (cost.h).  W8A8 fp8 is what vLLM's and TensorRT-LLM's
 * fp8 checkpoints run: fp8 GEMMs, the residual stream, norms and the TP
 * all-reduce in the model dtype (docs/costmodel.md cites the sources). */
/* clang-format off */
#define SHORTHANDS(X)                                                          \
    X("fp32",  COST_FP32,  COST_FP32,  COST_FP32, false)                      \
    X("bf16",  COST_BF16,  COST_BF16,  COST_BF16, false)                      \
    X("fp16",  COST_FP16,  COST_FP16,  COST_FP16, false)                      \
    X("fp8",   COST_FP8,   COST_FP8,   COST_BF16, false)                      \
    X("int8",  COST_INT8,  COST_INT8,  COST_BF16, false)                      \
    X("int4",  COST_INT4,  COST_BF16,  COST_BF16, false)                      \
    X("fp4",   COST_NVFP4, COST_NVFP4, COST_BF16, true)                       \
    X("nvfp4", COST_NVFP4, COST_NVFP4, COST_BF16, true)                       \
    X("mxfp4", COST_MXFP4, COST_MXFP4, COST_BF16, true)
/* clang-format on */

bool cost_precision_shorthand(const char *name, cost_precision *out,
                              bool *needs_fp4)
{
    static const struct {
        const char *name;
        cost_dtype w, a, rest;
        bool fp4;
    } tab[] = {
#define X(n, w, a, r, f) {n, w, a, r, f},
        SHORTHANDS(X)
#undef X
    };

    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        if (strcmp(name, tab[i].name) != 0)
            continue;
        out->weights = tab[i].w;
        out->activations = tab[i].a;
        out->kv = out->residual = out->attention = tab[i].rest;
        out->has_residual = out->has_attention = true;
        *needs_fp4 = tab[i].fp4;
        return true;
    }
    return false;
}

double cost_device_peak(const cost_device *dev, cost_dtype t)
{
    if (dev->peak_flops[t] > 0)
        return dev->peak_flops[t];
    if (t == COST_NVFP4 || t == COST_MXFP4)
        return dev->peak_flops[COST_FP4];
    return 0;
}

/* The next wider format to try when a device has no peak for 't'. */
static cost_dtype wider(cost_dtype t)
{
    switch (t) {
    case COST_FP4:
    case COST_NVFP4:
    case COST_MXFP4:
        return COST_FP8;
    case COST_INT4:
        return COST_INT8;
    case COST_FP8:
    case COST_INT8:
        return COST_BF16;
    case COST_FP16:
        return COST_BF16;
    case COST_BF16:
        return COST_FP32;
    case COST_FP32:
    default:
        return COST_FP32;
    }
}

cost_dtype cost_run_dtype(const cost_device *dev, cost_dtype t)
{
    for (int guard = 0; guard < COST_N_DTYPES; guard++) {
        if (cost_device_peak(dev, t) > 0)
            return t;
        if (t == COST_FP32)
            break;
        t = wider(t);
    }
    /* No peak for anything wider: use bf16, the one required peak. */
    return COST_BF16;
}

/* Weight-only 4-bit formats are dequantised in-kernel: the math runs in
 * the activation format unless activations are 4-bit too. */
cost_dtype cost_compute_dtype(const cost_device *dev, const cost_precision *p)
{
    cost_dtype t = p->activations;

    if (cost_dtype_bits(p->weights) > cost_dtype_bits(t))
        t = p->weights;
    return cost_run_dtype(dev, t);
}

cost_dtype cost_attention_dtype(const cost_device *dev,
                                const cost_precision *p)
{
    cost_precision r = *p;

    cost_precision_resolve(&r);
    return cost_run_dtype(dev, r.attention);
}
