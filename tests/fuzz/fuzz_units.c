/*
 * fuzz_units.c -- libFuzzer harness for the quantity parser
 * (hs_parse_quantity, hs_parse_double, hs_parse_int64; sim/util/hs_units.c).
 *
 * The input, NUL-terminated, is parsed as every unit kind.  Beyond no
 * crash or undefined behaviour, the contracts checked are: a quantity
 * accepted is finite and not negative, the reason buffer is always a
 * terminated string, and an integer accepted lies in the range asked.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "hetsim/util.h"

static void parse_all_kinds(const char *text)
{
    static const hs_unit_kind kinds[] = {
        HS_UNIT_BYTES, HS_UNIT_BANDWIDTH, HS_UNIT_TIME, HS_UNIT_FLOPS,
        HS_UNIT_POWER, HS_UNIT_ENERGY,    HS_UNIT_RATE,
    };

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char why[64];
        double v = -1.0;
        int rc;

        memset(why, 'x', sizeof why);
        rc = hs_parse_quantity(text, kinds[i], &v, why, sizeof why);
        HS_ASSERT(rc == HS_OK || rc == HS_EINPUT || rc == HS_EUNIT);
        if (rc == HS_OK)
            HS_ASSERT(isfinite(v) && v >= 0.0);
        else
            HS_ASSERT(memchr(why, '\0', sizeof why) != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_cstr(data, size);
    double d;
    int64_t n;

    parse_all_kinds(text);
    if (hs_parse_double(text, &d) == HS_OK)
        HS_ASSERT(isfinite(d));
    if (hs_parse_int64(text, -1000, 1000, &n) == HS_OK)
        HS_ASSERT(n >= -1000 && n <= 1000);
    free(text);
    return 0;
}
