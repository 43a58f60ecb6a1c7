/*
 * check_main.c -- runs every unit-test suite.
 *
 * The suite list comes from build/gen/suites.h, which the Makefile writes
 * from the file names: tests/unit/test_<name>.c defines
 * 'Suite *<name>_suite(void)'.
 *
 * Handy environment variables (Check): CK_RUN_SUITE=eng_queue,
 * CK_RUN_CASE=core, CK_FORK=no (run in-process, e.g. under gdb).
 */
#include <check.h>
#include <stdlib.h>

#include "suites.h"

#define X(name) Suite *name##_suite(void);
HS_SUITES(X)
#undef X

int main(void)
{
    SRunner *sr = srunner_create(NULL);
    int failed;

#define X(name) srunner_add_suite(sr, name##_suite());
    HS_SUITES(X)
#undef X
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
