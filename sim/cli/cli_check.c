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

#include "cli_help.h"
#include "hetsim/app.h"

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
    const cli_doc *doc = cli_doc_find("check");
    io_override *ovr = hs_calloc((size_t)argc + 1, sizeof(io_override));
    size_t n_ovr = 0;
    const char *path = NULL;
    int rc = CLI_OK;

    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const cli_opt *o;
        const char *v;

        switch (cli_next_arg(doc, argc, argv, &i, &o, &v)) {
        case CLI_ARG_OPTION: /* --set, the only option */
            ovr[n_ovr++].arg = v;
            break;
        case CLI_ARG_POSITIONAL:
            if (path != NULL)
                rc = cli_usage_error(doc, "unexpected argument '%s'", v);
            path = v;
            break;
        case CLI_ARG_BAD:
            rc = CLI_USAGE;
            break;
        }
    }
    if (rc == CLI_OK)
        rc = path != NULL ? check(path, ovr, n_ovr)
                          : cli_usage_error(doc, "missing SCENARIO.yaml");
    free(ovr);
    return rc;
}
