/*
 * cli_check.c -- 'hetsim check SCENARIO.yaml [--set PATH=VALUE]...':
 * validate a scenario, its base and every variant, without running it.
 * Prints "ok" on stdout (exit 0), or every problem on stderr as
 * "file:line:col: error: ..." (exit 2).  A problem that appears only
 * with a variant applied names it: "...: error: variant 'mono': ...".
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "hetsim/io.h"

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: hetsim check SCENARIO.yaml [--set PATH=VALUE]...\n");
    return status;
}

/* True if message 'm' is among the first 'n' of 'd'. */
static bool seen(const hs_diag *d, const char *m)
{
    for (size_t i = 0; i < hs_diag_count(d); i++)
        if (strcmp(hs_diag_message(d, i), m) == 0)
            return true;
    return false;
}

/* Print 'm' with "variant 'name': " after its "error: ". */
static void print_for_variant(const char *m, const char *name)
{
    const char *tag = strstr(m, "error: ");

    if (tag == NULL) {
        fprintf(stderr, "variant '%s': %s\n", name, m);
        return;
    }
    tag += strlen("error: ");
    fprintf(stderr, "%.*svariant '%s': %s\n", (int)(tag - m), m, name, tag);
}

/* Validate each variant; print its problems that the base did not have.
 * Returns the number printed. */
static size_t check_variants(const char *path, const io_override *ovr,
                             size_t n_ovr, const hs_diag *base)
{
    hs_diag *d = hs_diag_new();
    char **names = NULL;
    size_t n = 0, printed = 0;

    io_scenario_variant_names(path, NULL, &names, &n, d);
    for (size_t i = 0; i < n; i++) {
        sc_scenario *sc = NULL;

        hs_diag_clear(d);
        if (io_scenario_load(path, ovr, n_ovr, names[i], &sc, d) == HS_OK) {
            sc_scenario_free(sc);
            continue;
        }
        for (size_t j = 0; j < hs_diag_count(d); j++) {
            const char *m = hs_diag_message(d, j);

            if (seen(base, m))
                continue;
            print_for_variant(m, names[i]);
            printed++;
        }
    }
    io_names_free(names, n);
    hs_diag_free(d);
    return printed;
}

int cli_check(int argc, char **argv)
{
    io_override *ovr = hs_calloc((size_t)argc + 1, sizeof(io_override));
    size_t n_ovr = 0, problems;
    const char *path = NULL;
    sc_scenario *sc = NULL;
    hs_diag *d;

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
    if (path == NULL) {
        free(ovr);
        return usage(stderr, CLI_USAGE);
    }
    d = hs_diag_new();
    if (io_scenario_load(path, ovr, n_ovr, NULL, &sc, d) == HS_OK)
        sc_scenario_free(sc);
    cli_print_diag(d, stderr);
    problems = hs_diag_count(d) + check_variants(path, ovr, n_ovr, d);
    hs_diag_free(d);
    free(ovr);
    if (problems > 0)
        return CLI_USAGE;
    printf("ok\n");
    return CLI_OK;
}
