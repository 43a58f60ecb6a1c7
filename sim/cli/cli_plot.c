/*
 * cli_plot.c -- 'hetsim plot DB KIND [--run ID|NAME]... [-o FILE]
 * [--script DIR] [--x ...] [--y ...] [--by ...]': one picture of a
 * results database (docs/plots.md), drawn by gnuplot through a pipe, or
 * its gnuplot script and data files written to DIR for the user to
 * restyle and run.  The script and data are built by sim/app
 * (app_plot.h).
 *
 * The picture is drawn to a temporary file beside FILE and renamed over
 * it when gnuplot succeeded, so a failed plot leaves nothing behind.
 * Exit status: 0; 2 for bad usage, a missing file, a file that is not a
 * results database, an unknown run, kind or metric; 1 when gnuplot is
 * missing or fails, or a file cannot be written.
 */
#include "cli_plot.h"
#include "cli.h"
#include "cli_help.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct plot_args {
    const char *db, *kind_name, *out_arg, *script;
    char *out;         /* the picture's file: -o, else KIND.png */
    const char **runs; /* [argc] */
    size_t n_runs;
    const char **insts; /* [argc]: --instance */
    app_plot_opts o;
} plot_args;

/* The kinds, for a usage message: "oicf, roofline, ..." (a new string). */
static char *kind_list(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    HS_ASSERT(f != NULL);
    for (int k = 0; k < APP_PLOT_N_KINDS; k++)
        fprintf(f, "%s%s", k > 0 ? ", " : "",
                app_plot_kind_name((app_plot_kind)k));
    fclose(f);
    return buf;
}

static int check_kind(const cli_doc *doc, plot_args *a)
{
    char *list;
    int rc;

    if (app_plot_kind_parse(a->kind_name, &a->o.kind))
        return CLI_OK;
    list = kind_list();
    rc = cli_usage_error(doc, "unknown plot kind '%s' (expected one of %s)",
                         a->kind_name, list);
    free(list);
    return rc;
}

static void take_option(plot_args *a, const cli_opt *o, const char *v)
{
    if (cli_opt_is(o, "--run"))
        a->runs[a->n_runs++] = v;
    else if (cli_opt_is(o, "-o"))
        a->out_arg = v;
    else if (cli_opt_is(o, "--script"))
        a->script = v;
    else if (cli_opt_is(o, "--x"))
        a->o.x = v;
    else if (cli_opt_is(o, "--y"))
        a->o.y = v;
    else if (cli_opt_is(o, "--instance"))
        a->insts[a->o.n_instances++] = v;
    else
        a->o.by = v;
}

static int parse_args(int argc, char **argv, plot_args *a)
{
    const cli_doc *doc = cli_doc_find("plot");
    const cli_opt *o;
    const char *v;
    int n_pos = 0;

    a->runs = hs_calloc((size_t)argc, sizeof *a->runs);
    a->insts = hs_calloc((size_t)argc, sizeof *a->insts);
    a->o.instances = a->insts;
    for (int i = 1; i < argc; i++) {
        switch (cli_next_arg(doc, argc, argv, &i, &o, &v)) {
        case CLI_ARG_POSITIONAL:
            if (n_pos == 0)
                a->db = v;
            else if (n_pos == 1)
                a->kind_name = v;
            else
                return cli_usage_error(doc, "unexpected argument '%s'", v);
            n_pos++;
            break;
        case CLI_ARG_OPTION:
            take_option(a, o, v);
            break;
        case CLI_ARG_BAD:
            return CLI_USAGE;
        }
    }
    if (a->db == NULL || a->kind_name == NULL)
        return cli_usage_error(doc, "expected DB and KIND");
    if (check_kind(doc, a) != CLI_OK)
        return CLI_USAGE;
    if (a->out_arg == NULL)
        a->out = hs_asprintf("%s.png", a->kind_name);
    else
        a->out = hs_strdup(a->out_arg);
    a->o.terminal = cli_plot_terminal(a->out);
    if (a->o.terminal == NULL)
        return cli_usage_error(
            doc, "-o %s: expected a .png, .svg or .pdf file", a->out);
    a->o.width = 1280;
    a->o.height = 800;
    return CLI_OK;
}

/* The run ids the selectors name (NULL when there is none). */
static int find_runs(io_store *s, const plot_args *a, int64_t **ids,
                     hs_diag *d)
{
    int rc = HS_OK;

    *ids = NULL;
    if (a->n_runs == 0)
        return HS_OK;
    *ids = hs_calloc(a->n_runs, sizeof **ids);
    for (size_t i = 0; i < a->n_runs && rc == HS_OK; i++)
        rc = app_runs_find(s, a->runs[i], &(*ids)[i], d);
    return rc;
}

/* Write 'len' bytes of 'text' to DIR/NAME. */
static int write_file(const char *dir, const char *name, const char *text,
                      size_t len, hs_diag *d)
{
    char *path = hs_asprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    int rc = HS_OK;

    if (f == NULL || fwrite(text, 1, len, f) != len)
        rc = hs_diag_error(d, (hs_loc){path, 0, 0}, "cannot write: %s",
                           strerror(errno));
    if (f != NULL && fclose(f) != 0 && rc == HS_OK)
        rc = hs_diag_error(d, (hs_loc){path, 0, 0}, "cannot write: %s",
                           strerror(errno));
    free(path);
    return rc == HS_OK ? HS_OK : HS_EIO;
}

/* --script DIR: plot.gp and one NAME.dat per dataset. */
static int write_script(const plot_args *a, const app_plot *p, hs_diag *d)
{
    int rc = HS_OK;

    if (mkdir(a->script, 0777) != 0 && errno != EEXIST) {
        hs_diag_error(d, (hs_loc){a->script, 0, 0},
                      "cannot create the folder: %s", strerror(errno));
        return HS_EIO;
    }
    for (size_t i = 0; i < p->n_data && rc == HS_OK; i++) {
        char *name = hs_asprintf("%s.dat", p->data[i].name);

        rc = write_file(a->script, name, p->data[i].text, p->data[i].len, d);
        free(name);
    }
    if (rc == HS_OK)
        rc = write_file(a->script, "plot.gp", p->script, strlen(p->script), d);
    if (rc == HS_OK)
        printf("wrote %s/plot.gp and %zu data file%s; draw it with: cd %s "
               "&& gnuplot plot.gp (it writes %s)\n",
               a->script, p->n_data, p->n_data == 1 ? "" : "s", a->script,
               a->o.output);
    return rc;
}

/* Draw into a temporary file, then rename it to -o. */
static int draw(const plot_args *a, io_store *s, const int64_t *ids,
                hs_diag *d)
{
    char *tmp = hs_asprintf("%s.tmp%ld", a->out, (long)getpid());
    app_plot_opts o = a->o;
    app_plot p;
    int rc;

    o.runs = ids;
    o.n_runs = ids != NULL ? a->n_runs : 0;
    o.output = tmp;
    rc = app_plot_build(s, &o, &p, d);
    if (rc == HS_OK)
        rc = cli_gnuplot_run(&p, d);
    if (rc == HS_OK && rename(tmp, a->out) != 0) {
        hs_diag_error(d, (hs_loc){a->out, 0, 0}, "cannot write: %s",
                      strerror(errno));
        rc = HS_EIO;
    }
    if (rc != HS_OK)
        unlink(tmp);
    else
        printf("wrote %s\n", a->out);
    app_plot_fini(&p);
    free(tmp);
    return rc;
}

static int script_only(const plot_args *a, io_store *s, const int64_t *ids,
                       hs_diag *d)
{
    const char *slash = strrchr(a->out, '/');
    app_plot_opts o = a->o;
    app_plot p;
    int rc;

    o.runs = ids;
    o.n_runs = ids != NULL ? a->n_runs : 0;
    o.output = slash != NULL ? slash + 1 : a->out;
    o.files = true;
    rc = app_plot_build(s, &o, &p, d);
    if (rc == HS_OK) {
        plot_args b = *a;

        b.o.output = o.output;
        rc = write_script(&b, &p, d);
    }
    app_plot_fini(&p);
    return rc;
}

int cli_plot(int argc, char **argv)
{
    plot_args a;
    io_store *s = NULL;
    int64_t *ids = NULL;
    hs_diag *d;
    int rc;

    memset(&a, 0, sizeof a);
    rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK) {
        free(a.runs);
        free(a.insts);
        free(a.out);
        return rc;
    }
    d = hs_diag_new();
    rc = cli_open_db(a.db, &s, d);
    if (rc == HS_OK)
        rc = find_runs(s, &a, &ids, d);
    if (rc == HS_OK)
        rc = a.script != NULL ? script_only(&a, s, ids, d)
                              : draw(&a, s, ids, d);
    cli_print_diag(d, stderr);
    io_store_close(s);
    hs_diag_free(d);
    free(ids);
    free(a.runs);
    free(a.insts);
    free(a.out);
    return rc == HS_OK ? CLI_OK : rc == HS_EINPUT ? CLI_USAGE : CLI_FAIL;
}
