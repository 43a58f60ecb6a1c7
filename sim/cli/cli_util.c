/*
 * cli_util.c -- printing helpers every subcommand shares.  This file
 * calls no subcommand, so no cli file calls back into another.
 */
#include "cli.h"

void cli_print_diag(const hs_diag *d, FILE *out)
{
    for (size_t i = 0; i < hs_diag_count(d); i++)
        fprintf(out, "%s\n", hs_diag_message(d, i));
}

void cli_print_plan_diag(const hs_diag *d, const app_plan *p, FILE *out)
{
    cli_print_diag(d, out);
    cli_print_diag(p->extra, out);
}
