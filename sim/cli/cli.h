/*
 * cli.h -- the command-line layer: one function per subcommand, each in
 * its own file sim/cli/cli_<cmd>.c, registered in cli_main.c's table,
 * and the printing helpers they share (cli_util.c, cli_table.c), which
 * call no subcommand.  The work itself is done by sim/app (app.h): the
 * CLI parses arguments and prints.
 *
 * A subcommand receives the arguments after its name (argv[0] is the
 * subcommand) and returns the process exit status: 0 success, 1 runtime
 * failure, 2 bad usage or bad input (docs/design.md §5).  Only this
 * layer prints to stdout/stderr or exits.
 */
#ifndef HETSIM_CLI_H
#define HETSIM_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hetsim/app.h"
#include "hetsim/store.h"
#include "hetsim/util.h"

/* Exit statuses: 0 success; 1 a runtime failure (I/O, a store that
 * cannot be written, an interrupted run); 2 bad usage or bad input; 3
 * 'report' showed a run that is not done (its figures are incomplete). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_INCOMPLETE = 3 };

int cli_run(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_oicf(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_merge(int argc, char **argv);
int cli_search(int argc, char **argv);
int cli_plot(int argc, char **argv);
int cli_trace(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_calibrate(int argc, char **argv);
int cli_schema_doc(int argc, char **argv);

/* ---- shared helpers ----------------------------------------------------- */

/* Print every message of 'd' to 'out', one per line (cli_util.c). */
void cli_print_diag(const hs_diag *d, FILE *out);

/* Print the problems of a plan: those of 'd', then the variants' of 'p'
 * (cli_util.c). */
void cli_print_plan_diag(const hs_diag *d, const app_plan *p, FILE *out);

/* Rows of text cells with a head (cli_rows.c): cells[r * nc + c] is
 * row r's column c, NULL when it has none (table: "-", csv: empty, json:
 * null); number[c] (NULL: none) prints column c unquoted in json (its
 * cells must then be JSON numbers). */
typedef struct cli_rows {
    const char *const *head;
    size_t nc;
    char *const *cells;
    size_t nr;
    const bool *number;
} cli_rows;

/* Print 't' as "table" (columns aligned, two spaces apart), "csv" (head
 * line, then a line per row) or "json" (an array of an object per row,
 * keyed by the head) to 'out'. */
void cli_rows_print(const cli_rows *t, const char *format, FILE *out);

/* One string as a csv field (quoted when it holds a comma, quote or line
 * break; NULL: empty) and as a json string (escaped; NULL: null). */
void cli_csv_text(const char *s, FILE *out);
void cli_json_text(const char *s, FILE *out);

/* Print runs 'ids[0..n)' of 's' (all runs of the file, oicf invocations
 * excepted, when 'ids' is NULL) in 'format' ("table", "csv" or "json")
 * to 'out': one column (table) or one row / object (csv, json) per run,
 * from the runs table and the run-scope metrics.  Runs that are not
 * 'done' show their status and a note under the table.  Returns HS_OK,
 * or HS_EIO / HS_EINPUT with the store's message in 'd' (cli_table.c). */
int cli_report_runs(io_store *s, const int64_t *ids, size_t n,
                    const char *format, FILE *out, hs_diag *d);
/* Print runs already loaded (app_runs_load(), from one file or several)
 * the same way (cli_table.c). */
void cli_report_print(const app_runs *set, const char *format, FILE *out);

#endif /* HETSIM_CLI_H */
