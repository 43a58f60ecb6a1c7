/*
 * cli_main.c -- 'hetsim', git-style: the first argument names a
 * subcommand from the table below, which gets the remaining arguments.
 */
#include "cli.h"

#include "hetsim_config.h"
#include <stdio.h>
#include <string.h>

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage; /* NULL: a maintainer's command, not listed */
} cli_command;

static const cli_command commands[] = {
    {"run", cli_run,
     "run SCENARIO.yaml [-o DB] [--seed N] [--set PATH=VALUE]... "
     "[--variant NAME] [--quiet] [--no-fast-forward]"},
    {"check", cli_check, "check SCENARIO.yaml"},
    {"oicf", cli_oicf,
     "oicf --model M --hardware H [--phase prefill|decode] [--prompt N] "
     "[--context N] [--batch B] [--tp N] [--weights FMT] [--kv FMT] "
     "[--format table|csv|json] [--db DB] | oicf --scenario FILE"},
    {"report", cli_report,
     "report DB... [--run ID|NAME[/VARIANT]]... [--format table|csv|json]"},
    {"list", cli_list, "list models|hardware|links|presets"},
    {"schema-doc", cli_schema_doc, NULL},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: hetsim COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (commands[i].usage != NULL)
            fprintf(out, "  hetsim %s\n", commands[i].usage);
    fprintf(out, "\nhetsim --version prints the version.  See README.md and "
                 "docs/ for the guide.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("hetsim %s\n", HETSIM_VERSION);
        return CLI_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "hetsim: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
