/*
 * cli_gnuplot.c -- running gnuplot on a plot built by sim/app
 * (app_plot.h): the script and its inline data go to gnuplot's standard
 * input through a pipe; the script writes its own output file.  Also the
 * checks 'plot', 'trace' and 'report --html' share before they read a
 * database.  Calls no subcommand.
 */
#include "cli_plot.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *cli_gnuplot_program(void)
{
    const char *p = getenv("HETSIM_GNUPLOT");

    return p != NULL && p[0] != '\0' ? p : "gnuplot";
}

int cli_gnuplot_run(const app_plot *p, hs_diag *d)
{
    const char *prog = cli_gnuplot_program();
    /* gnuplot's messages (to its stderr) come to ours; what it would
     * print to stdout is nothing a plot needs. */
    char *cmd = hs_asprintf("exec %s >/dev/null", prog);
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    FILE *f;
    int st, rc = HS_OK;

    f = popen(cmd, "w");
    free(cmd);
    if (f == NULL) {
        signal(SIGPIPE, old);
        return hs_diag_error(d, (hs_loc){NULL, 0, 0}, "cannot start %s", prog);
    }
    app_plot_write(p, f);
    st = pclose(f);
    signal(SIGPIPE, old);
    if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 127)
        rc = hs_diag_error(d, (hs_loc){NULL, 0, 0},
                           "%s not found: install gnuplot (Debian: apt-get "
                           "install gnuplot-nox, or scripts/install-deps.sh)",
                           prog);
    else if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        rc = hs_diag_error(d, (hs_loc){NULL, 0, 0},
                           "%s failed (exit status %d; its messages are "
                           "above)",
                           prog,
                           st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return rc == HS_OK ? HS_OK : HS_EIO;
}

const char *cli_plot_terminal(const char *path)
{
    const char *dot = strrchr(path, '.');

    if (dot == NULL)
        return NULL;
    if (strcmp(dot, ".png") == 0)
        return "pngcairo";
    if (strcmp(dot, ".svg") == 0)
        return "svg";
    if (strcmp(dot, ".pdf") == 0)
        return "pdfcairo";
    return NULL;
}

int cli_open_db(const char *path, io_store **s, hs_diag *d)
{
    *s = NULL;
    if (access(path, F_OK) != 0)
        return hs_diag_error(d, (hs_loc){path, 0, 0}, "no such file");
    return io_store_open_read(path, s, d);
}
