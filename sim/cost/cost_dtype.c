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
    cost_precision p = {COST_BF16, COST_BF16, COST_BF16};

    return p;
}

/* The next wider format to try when a device has no peak for 't'. */
static cost_dtype wider(cost_dtype t)
{
    switch (t) {
    case COST_FP4:
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

/* Weight-only 4-bit formats are dequantised in-kernel: the math runs in
 * the activation format unless activations are 4-bit too. */
cost_dtype cost_compute_dtype(const cost_device *dev, const cost_precision *p)
{
    cost_dtype t = p->activations;

    if (cost_dtype_bits(p->weights) > cost_dtype_bits(t))
        t = p->weights;
    for (int guard = 0; guard < COST_N_DTYPES; guard++) {
        if (dev->peak_flops[t] > 0)
            return t;
        if (t == COST_FP32)
            break;
        t = wider(t);
    }
    /* No peak for anything wider: use bf16, the one required peak. */
    return COST_BF16;
}
