/*
 * cli_stubs.c -- subcommands not built yet.  Each stub is removed when
 * its real file sim/cli/cli_<cmd>.c lands.
 */
#include "cli.h"

static int not_yet(const char *name)
{
    fprintf(stderr, "hetsim %s: not implemented yet\n", name);
    return CLI_FAIL;
}

int cli_run(int argc, char **argv)
{
    (void)argc;
    return not_yet(argv[0]);
}

int cli_report(int argc, char **argv)
{
    (void)argc;
    return not_yet(argv[0]);
}

int cli_check(int argc, char **argv)
{
    (void)argc;
    return not_yet(argv[0]);
}

int cli_list(int argc, char **argv)
{
    (void)argc;
    return not_yet(argv[0]);
}

int cli_oicf(int argc, char **argv)
{
    (void)argc;
    return not_yet(argv[0]);
}
