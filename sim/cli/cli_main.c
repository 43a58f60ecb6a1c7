/*
 * cli_main.c -- 'hetsim', git-style: the first argument names a
 * subcommand from the table below, which gets the remaining arguments.
 * Its synopsis, options and help are the command table's
 * (cli_help_table.c); '-h' or '--help' anywhere after a command prints
 * that command's help instead of running it.
 */
#include "cli.h"

#include "cli_help.h"
#include "hetsim_config.h"
#include <stdio.h>
#include <string.h>

typedef struct cli_command {
    const char *name; /* as in the command table */
    int (*fn)(int argc, char **argv);
} cli_command;

static const cli_command commands[] = {
    {"run", cli_run},
    {"check", cli_check},
    {"oicf", cli_oicf},
    {"report", cli_report},
    {"plot", cli_plot},
    {"trace", cli_trace},
    {"sweep", cli_sweep},
    {"merge", cli_merge},
    {"search", cli_search},
    {"list", cli_list},
    {"calibrate", cli_calibrate},
    {"help", cli_help},
    {"schema-doc", cli_schema_doc},
    {"man", cli_man},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static bool is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* True when an argument after the command asks for its help. */
static bool wants_help(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (is_help(argv[i]))
            return true;
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_help_commands(stderr);
        return CLI_USAGE;
    }
    if (is_help(argv[1])) {
        cli_help_commands(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("hetsim %s\n", HETSIM_VERSION);
        return CLI_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        if (wants_help(argc, argv)) {
            cli_help_print(cli_doc_find(commands[i].name), stdout);
            return CLI_OK;
        }
        return commands[i].fn(argc - 1, argv + 1);
    }
    fprintf(stderr, "hetsim: unknown command '%s'\n", argv[1]);
    cli_help_commands(stderr);
    return CLI_USAGE;
}
