/*
 * ck_util.h -- helpers shared by the unit-test suites (not a suite:
 * suites are the tests/unit/test_*.c files).
 */
#ifndef HETSIM_CK_UTIL_H
#define HETSIM_CK_UTIL_H

#include "hetsim/cost.h"
#include "hetsim/util.h"

/* Every message of 'd', one per line, in a static buffer (16 KiB, the
 * excess cut) overwritten by the next call. */
const char *ck_diag_text(const hs_diag *d);

/* Model fixtures with their published shapes (costmodel-reference
 * section 2.1), shared by the cost suites. */
cost_model ck_llama3_8b(void);
cost_model ck_deepseek_v3(void);

#endif /* HETSIM_CK_UTIL_H */
