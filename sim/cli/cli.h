/*
 * cli.h -- the command-line layer: one function per subcommand, each in
 * its own file sim/cli/cli_<cmd>.c, registered in cli_main.c's table.
 *
 * A subcommand receives the arguments after its name (argv[0] is the
 * subcommand) and returns the process exit status: 0 success, 1 runtime
 * failure, 2 bad usage or bad input (DESIGN.md section 5).  Only this
 * layer prints to stdout/stderr or exits.
 */
#ifndef HETSIM_CLI_H
#define HETSIM_CLI_H

#include <stdio.h>

#include "hetsim/util.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int cli_run(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_oicf(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_schema_doc(int argc, char **argv);

/* Print every message of 'd' to 'out', one per line. */
void cli_print_diag(const hs_diag *d, FILE *out);

#endif /* HETSIM_CLI_H */
