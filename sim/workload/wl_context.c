/*
 * wl_context.c -- a request against the model's context window: whether
 * its prompt and output fit max_context together (vLLM's max_model_len
 * rule), and the left truncation of its prompt when its source says
 * 'on_max_context: truncate' (workload.h, wl_context_fit).
 */
#include "hetsim/workload.h"

wl_fit wl_context_fit(int64_t max_context, wl_ctx_policy policy,
                      int64_t *prompt, int64_t *output)
{
    HS_ASSERT(*prompt >= 1 && *output >= 1);
    if (max_context <= 0 || *prompt <= max_context - *output)
        return WL_FIT_OK;
    if (policy != WL_CTX_TRUNCATE || max_context < 2)
        return WL_FIT_DROP;
    *prompt = max_context - *output >= 1 ? max_context - *output : 1;
    *output = max_context - *prompt;
    return WL_FIT_TRUNCATED;
}
