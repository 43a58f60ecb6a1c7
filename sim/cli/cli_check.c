/*
 * cli_check.c -- 'hetsim check SCENARIO.yaml [--set PATH=VALUE]...':
 * validate a scenario, its base and every variant, without running it:
 * each is loaded and checked as 'hetsim run' checks a run before its
 * first simulated event (app_run_validate: the simulation built, so a
 * model without room for KV is found; every trace read once, so a bad
 * row, a wrong format or an empty trace is found, by file, line and
 * column).  A scenario 'check' passes fails 'run' only on I/O.
 * Prints "ok" on stdout (exit 0), or every problem on stderr as
 * "file:line:col: error: ..." (exit 2).  A problem that appears only
 * with a variant applied names it: "...: error: variant 'mono': ...".
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "hetsim/app.h"

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: hetsim check SCENARIO.yaml [--set PATH=VALUE]...\n");
    return status;
}

/* Validate 'path' with the overrides; returns the exit status. */
static int check(const char *path, const io_override *ovr, size_t n_ovr)
{
    app_plan_opts o = {path, ovr, n_ovr, NULL};
    app_plan p = {0};
    hs_diag *d = hs_diag_new();
    int rc = app_plan_validate(&o, &p, d);

    cli_print_plan_diag(d, &p, stderr);
    app_plan_fini(&p);
    hs_diag_free(d);
    if (rc != HS_OK)
        return CLI_USAGE;
    printf("ok\n");
    return CLI_OK;
}

int cli_check(int argc, char **argv)
{
    io_override *ovr = hs_calloc((size_t)argc + 1, sizeof(io_override));
    size_t n_ovr = 0;
    const char *path = NULL;
    int rc;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (strcmp(a, "--set") == 0 && i + 1 < argc) {
            ovr[n_ovr++].arg = argv[++i];
        } else if (strncmp(a, "--set=", 6) == 0) {
            ovr[n_ovr++].arg = a + 6;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            free(ovr);
            return usage(stdout, CLI_OK);
        } else if (a[0] == '-' || path != NULL) {
            fprintf(stderr, "hetsim check: unexpected argument '%s'\n", a);
            free(ovr);
            return usage(stderr, CLI_USAGE);
        } else {
            path = a;
        }
    }
    rc = path != NULL ? check(path, ovr, n_ovr) : usage(stderr, CLI_USAGE);
    free(ovr);
    return rc;
}
