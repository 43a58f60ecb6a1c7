/*
 * ck_util.c -- helpers shared by the unit-test suites (ck_util.h).
 */
#include "ck_util.h"

#include <string.h>

const char *ck_diag_text(const hs_diag *d)
{
    static char buf[16384];

    buf[0] = '\0';
    for (size_t i = 0; i < hs_diag_count(d); i++) {
        strncat(buf, hs_diag_message(d, i), sizeof buf - strlen(buf) - 2);
        strcat(buf, "\n");
    }
    return buf;
}
