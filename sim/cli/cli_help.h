/*
 * cli_help.h -- the one table of hetsim's commands and their options
 * (cli_help.c).  'hetsim COMMAND --help', 'hetsim help COMMAND', the
 * usage lines of bad-usage errors, the man page (docs/hetsim.1, printed
 * by the hidden 'hetsim man') and the option parsers of run, check,
 * oicf, report and list all read it, so they cannot drift apart.
 */
#ifndef HETSIM_CLI_HELP_H
#define HETSIM_CLI_HELP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hetsim/util.h"

/* One option of a command. */
typedef struct cli_opt {
    const char *name;  /* "--seed" or "-o": what parsers compare with */
    const char *alias; /* a short spelling ("-q"), or NULL */
    const char *arg;   /* the value's placeholder ("N"); NULL: a flag */
    const char *help;  /* one line, no final period */
} cli_opt;

/* One command: its synopsis, what it does and its options. */
typedef struct cli_doc {
    const char *name;    /* "run" */
    const char *args;    /* the positional arguments ("SCENARIO.yaml"), or
                            "" */
    const char *summary; /* one line, no final period */
    const char *about;   /* a paragraph for --help and the man page */
    const cli_opt *opts; /* ended by an entry with name NULL */
    bool hidden;         /* a maintainer's command: not listed */
} cli_doc;

/* The entry of command 'name', or NULL. */
const cli_doc *cli_doc_find(const char *name);

/* Every command, in the order 'hetsim --help' lists them; '*n' set. */
const cli_doc *cli_docs(size_t *n);

/* "usage: hetsim NAME ARGS [OPTIONS]\n" and, for each option, one line
 * with its name, value and help: what 'hetsim NAME --help' prints. */
void cli_help_print(const cli_doc *doc, FILE *out);

/* Print "hetsim NAME: " + the message, then "usage: ..." and "Try
 * 'hetsim NAME --help'." to stderr; returns CLI_USAGE (2).  The message
 * is a printf format. */
int cli_usage_error(const cli_doc *doc, const char *fmt, ...) HS_PRINTF(2, 3);

/* What cli_next_arg found at argv[*i]. */
typedef enum cli_arg_kind {
    CLI_ARG_POSITIONAL, /* '*value' is the argument */
    CLI_ARG_OPTION,     /* '*opt' the table entry, '*value' its value (NULL
                           for a flag) */
    CLI_ARG_BAD         /* unknown option, missing or unexpected value:
                           reported (cli_usage_error) */
} cli_arg_kind;

/* Read the argument at argv[*i] against the options of 'doc': "-" and
 * words not starting with '-' are positional; "--opt V", "--opt=V" (and
 * "-o V") give an option its value, advancing *i past a separate value.
 * Only options in the table are accepted. */
cli_arg_kind cli_next_arg(const cli_doc *doc, int argc, char **argv, int *i,
                          const cli_opt **opt, const char **value);

/* Applies option 'o' with value 'v' to the command's arguments 'ctx';
 * returns CLI_OK or an exit status. */
typedef int (*cli_apply_fn)(const cli_doc *doc, const cli_opt *o,
                            const char *v, void *ctx);

/* Read argv[1..] of a command that takes exactly one positional argument
 * (into '*path'; 'what' names it in the "missing" usage error) and
 * options, each given to 'apply'.  Returns CLI_OK or an exit status. */
int cli_parse_path_args(const cli_doc *doc, int argc, char **argv,
                        const char *what, const char **path,
                        cli_apply_fn apply, void *ctx);

/* True when 'o' is the option named 'name' (its canonical name). */
bool cli_opt_is(const cli_opt *o, const char *name);

/* 'hetsim help [COMMAND]': the list of commands, or one command's help;
 * exit 0, or 2 for an unknown command. */
int cli_help(int argc, char **argv);

/* 'hetsim man' (hidden): the man page, in roff, generated from the
 * table; docs/hetsim.1 is its output (make man; tests/cli/t_help.sh
 * fails when they differ). */
int cli_man(int argc, char **argv);

/* 'hetsim --help': the synopsis of every listed command. */
void cli_help_commands(FILE *out);

#endif /* HETSIM_CLI_HELP_H */
