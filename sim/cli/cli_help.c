/*
 * cli_help.c -- everything printed or parsed from the command table
 * (cli_help_table.c): --help, 'hetsim help', usage errors, the option
 * reader the commands share, and the man page ('hetsim man').
 */
#include "cli_help.h"

#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "hetsim_config.h"

/* ---- usage and help ----------------------------------------------------- */

/* "hetsim NAME ARGS [--opt V]...", wrapped before 79 columns. */
static void synopsis(const cli_doc *doc, FILE *out)
{
    int col = fprintf(out, "hetsim %s", doc->name);
    int indent =
        col + 7; /* "usage: " and the command: the next [ under the first */

    if (doc->args[0] != '\0')
        col += fprintf(out, " %s", doc->args);
    for (const cli_opt *o = doc->opts; o->name != NULL; o++) {
        int w = (int)strlen(o->name) + 3 +
                (o->arg != NULL ? (int)strlen(o->arg) + 1 : 0);

        if (col + 7 + w > 79) {
            fprintf(out, "\n%*s", indent, "");
            col = indent - 7;
        }
        col += fprintf(out, " [%s%s%s]", o->name, o->arg ? " " : "",
                       o->arg ? o->arg : "");
    }
}

/* "--seed N" or "--quiet, -q" into 'buf'. */
static void opt_words(const cli_opt *o, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s%s", o->name, o->alias ? ", " : "",
             o->alias ? o->alias : "", o->arg ? " " : "",
             o->arg ? o->arg : "");
}

void cli_help_print(const cli_doc *doc, FILE *out)
{
    fprintf(out, "usage: ");
    synopsis(doc, out);
    fprintf(out, "\n\n%s.\n\n%s\n", doc->summary, doc->about);
    if (doc->opts[0].name != NULL)
        fprintf(out, "\noptions:\n");
    for (const cli_opt *o = doc->opts; o->name != NULL; o++) {
        char words[64];

        opt_words(o, words, sizeof words);
        fprintf(out, "  %-26s %s\n", words, o->help);
    }
    fprintf(out, "  %-26s %s\n", "--help, -h", "print this help and exit");
}

void cli_help_commands(FILE *out)
{
    size_t n;
    const cli_doc *d = cli_docs(&n);

    fprintf(out, "usage: hetsim COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < n; i++)
        if (!d[i].hidden)
            fprintf(out, "  %-8s %s\n", d[i].name, d[i].summary);
    fprintf(out, "\n'hetsim COMMAND --help' (or 'hetsim help COMMAND') lists "
                 "a command's options;\n'hetsim --version' prints the "
                 "version; 'man hetsim' and docs/ are the guide.\n");
}

int cli_usage_error(const cli_doc *doc, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "hetsim %s: ", doc->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nusage: ");
    synopsis(doc, stderr);
    fprintf(stderr, "\nTry 'hetsim %s --help'.\n", doc->name);
    return CLI_USAGE;
}

/* ---- reading options ---------------------------------------------------- */

bool cli_opt_is(const cli_opt *o, const char *name)
{
    return strcmp(o->name, name) == 0;
}

/* The option 'arg' spells ("--opt", "--opt=V", an alias), with the text
 * after '=' in '*inline_value' (NULL without one); NULL when none. */
static const cli_opt *find_opt(const cli_doc *doc, const char *arg,
                               const char **inline_value)
{
    *inline_value = NULL;
    for (const cli_opt *o = doc->opts; o->name != NULL; o++) {
        size_t n = strlen(o->name);

        if (strcmp(arg, o->name) == 0 ||
            (o->alias != NULL && strcmp(arg, o->alias) == 0))
            return o;
        if (strncmp(arg, o->name, n) == 0 && arg[n] == '=') {
            *inline_value = arg + n + 1;
            return o;
        }
    }
    return NULL;
}

int cli_parse_path_args(const cli_doc *doc, int argc, char **argv,
                        const char *what, const char **path,
                        cli_apply_fn apply, void *ctx)
{
    for (int i = 1; i < argc; i++) {
        const cli_opt *o;
        const char *v;
        int rc = CLI_OK;

        switch (cli_next_arg(doc, argc, argv, &i, &o, &v)) {
        case CLI_ARG_POSITIONAL:
            if (*path != NULL)
                return cli_usage_error(doc, "unexpected argument '%s'", v);
            *path = v;
            break;
        case CLI_ARG_OPTION:
            rc = apply(doc, o, v, ctx);
            break;
        case CLI_ARG_BAD:
            return CLI_USAGE;
        }
        if (rc != CLI_OK)
            return rc;
    }
    if (*path == NULL)
        return cli_usage_error(doc, "missing %s", what);
    return CLI_OK;
}

cli_arg_kind cli_next_arg(const cli_doc *doc, int argc, char **argv, int *i,
                          const cli_opt **opt, const char **value)
{
    const char *a = argv[*i];
    const cli_opt *o;

    *opt = NULL;
    *value = NULL;
    if (a[0] != '-' || a[1] == '\0') {
        *value = a;
        return CLI_ARG_POSITIONAL;
    }
    o = find_opt(doc, a, value);
    if (o == NULL) {
        cli_usage_error(doc, "unknown option '%s'", a);
        return CLI_ARG_BAD;
    }
    if (o->arg == NULL && *value != NULL) {
        cli_usage_error(doc, "option '%s' takes no value", o->name);
        return CLI_ARG_BAD;
    }
    if (o->arg != NULL && *value == NULL) {
        if (*i + 1 >= argc) {
            cli_usage_error(doc, "option '%s' needs a value (%s)", o->name,
                            o->arg);
            return CLI_ARG_BAD;
        }
        *value = argv[++*i];
    }
    *opt = o;
    return CLI_ARG_OPTION;
}

/* ---- hetsim help -------------------------------------------------------- */

int cli_help(int argc, char **argv)
{
    const cli_doc *doc;

    if (argc < 2) {
        cli_help_commands(stdout);
        return CLI_OK;
    }
    doc = cli_doc_find(argv[1]);
    if (doc == NULL || argc > 2) {
        fprintf(stderr, "hetsim help: unknown command '%s'\n", argv[1]);
        cli_help_commands(stderr);
        return CLI_USAGE;
    }
    cli_help_print(doc, stdout);
    return CLI_OK;
}

/* ---- the man page ------------------------------------------------------- */

/* 's' as roff text: '-' as \-, '\' as \e, and a leading '.' or '\''
 * guarded by \&. */
static void roff(const char *s, FILE *out)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", out);
    for (; *s != '\0'; s++) {
        if (*s == '-')
            fputs("\\-", out);
        else if (*s == '\\')
            fputs("\\e", out);
        else
            fputc(*s, out);
    }
}

static void man_command(const cli_doc *doc, FILE *out)
{
    fprintf(out, ".SS \"hetsim %s", doc->name);
    if (doc->args[0] != '\0') {
        fputc(' ', out);
        roff(doc->args, out);
    }
    fprintf(out, "\"\n");
    roff(doc->summary, out);
    fprintf(out, ".\n.PP\n");
    roff(doc->about, out);
    fprintf(out, "\n");
    for (const cli_opt *o = doc->opts; o->name != NULL; o++) {
        char words[64];

        opt_words(o, words, sizeof words);
        fprintf(out, ".TP\n.B ");
        roff(words, out);
        fprintf(out, "\n");
        roff(o->help, out);
        fprintf(out, ".\n");
    }
}

/* Fixed text of the page around the commands. */
static const char *const man_head =
    ".SH NAME\n"
    "hetsim \\- discrete\\-event simulator of datacenter LLM inference\n"
    ".SH SYNOPSIS\n"
    ".B hetsim\n"
    ".I COMMAND\n"
    "[\\fIARGS\\fR]\n"
    ".br\n"
    ".B hetsim\n"
    ".I COMMAND\n"
    ".B \\-\\-help\n"
    ".SH DESCRIPTION\n"
    "hetsim drives request traces and synthetic or agent workloads through\n"
    "clusters of accelerators, times every batch iteration with a roofline\n"
    "cost model (operational intensity and capacity footprint), and writes\n"
    "the results to SQLite.\n"
    "Every command takes \\fB\\-\\-help\\fR (\\fB\\-h\\fR).\n"
    ".SH COMMANDS\n";

static const char *const man_tail =
    ".SH EXIT STATUS\n"
    "0 success; 1 a runtime failure (I/O, an interrupted run); 2 bad usage\n"
    "or bad input, reported on stderr as\n"
    "\\fIfile\\fR:\\fIline\\fR:\\fIcol\\fR: error: ...\n"
    ".SH ENVIRONMENT\n"
    ".TP\n"
    ".B HETSIM_CATALOG\n"
    "The catalog directory (models/, hardware/, links/, presets/).\n"
    "Without it: configs/ beside the binary's directory, else the\n"
    "installed copy.\n"
    ".TP\n"
    ".B HETSIM_PROGRESS_INTERVAL\n"
    "Seconds between the progress lines of \\fBhetsim run\\fR when stderr\n"
    "is not a terminal (default 5).\n"
    ".SH FILES\n"
    ".TP\n"
    ".I PREFIX/share/hetsim/configs\n"
    "The installed catalogs and examples (examples/); PREFIX is the\n"
    "installation prefix, /usr/local by default.\n"
    ".TP\n"
    ".I PREFIX/share/hetsim/traces\n"
    "The bundled traces the examples replay.\n"
    ".SH EXAMPLES\n"
    ".nf\n"
    "hetsim oicf \\-\\-model llama\\-3\\-70b \\-\\-hardware h100\\-sxm,h200 "
    "\\-\\-tp 8\n"
    "hetsim run PREFIX/share/hetsim/configs/examples/quickstart.yaml "
    "\\-o q.db\n"
    "hetsim report q.db\n"
    ".fi\n"
    ".SH SEE ALSO\n"
    ".BR sqlite3 (1);\n"
    "the guide in docs/ of the source tree (getting\\-started.md,\n"
    "scenario.md, schema.md, traces.md, design.md).\n";

int cli_man(int argc, char **argv)
{
    size_t n;
    const cli_doc *d = cli_docs(&n);

    (void)argv;
    if (argc > 1)
        return cli_usage_error(cli_doc_find("man"), "takes no arguments");
    printf(".\\\" docs/hetsim.1 -- generated by 'hetsim man' (make man) from "
           "sim/cli/cli_help_table.c; do not edit.\n"
           ".TH HETSIM 1 \"\" \"hetsim %s\" \"User Commands\"\n",
           HETSIM_VERSION);
    fputs(man_head, stdout);
    for (size_t i = 0; i < n; i++)
        if (!d[i].hidden)
            man_command(&d[i], stdout);
    fputs(man_tail, stdout);
    return CLI_OK;
}
