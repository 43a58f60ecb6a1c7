/*
 * cli_merge.c -- 'hetsim merge OUT.db SHARD.db...': copy every run of
 * each shard (in the order given, runs in run_id order) into OUT as new
 * runs, renumbered after OUT's, every row kept (app_merge_file).  A done
 * run whose point -- scenario name, seed and sweep parameters -- a done
 * run of OUT (or of an earlier shard) already has is copied too and
 * reported as a duplicate on stderr.  Every shard is checked (a hetsim
 * results file of this schema) before OUT is written.
 *
 * Exit status: 0 merged (duplicates included); 2 bad usage, a shard that
 * is missing or not a results file (nothing written); 1 a store failure.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "cli_help.h"
#include "hetsim/app.h"

/* Open each shard read-only once: its problems before anything is
 * written.  Returns HS_OK or the first problem's status. */
static int check_shards(char **paths, int n, hs_diag *d)
{
    int first = HS_OK;

    for (int i = 0; i < n; i++) {
        io_store *s = NULL;
        int rc = io_store_open_read(paths[i], &s, d);

        io_store_close(s);
        if (first == HS_OK)
            first = rc;
    }
    return first;
}

static int merge_all(const char *out, char **paths, int n)
{
    hs_diag *d = hs_diag_new(), *dup = hs_diag_new();
    app_merge_stats st = {0, 0, -1};
    io_store *s = NULL;
    int rc = check_shards(paths, n, d);

    if (rc == HS_OK)
        rc = app_store_open(out, &s, d);
    for (int i = 0; i < n && rc == HS_OK; i++)
        rc = app_merge_file(s, paths[i], -1, &st, dup, d);
    io_store_close(s);
    cli_print_diag(dup, stderr);
    cli_print_diag(d, stderr);
    if (rc == HS_OK)
        printf("merge: %zu run(s) from %d file(s) into %s; %zu duplicate "
               "point(s)\n",
               st.runs, n, out, st.duplicates);
    hs_diag_free(dup);
    hs_diag_free(d);
    if (rc == HS_OK)
        return CLI_OK;
    return rc == HS_EINPUT || st.runs == 0 ? CLI_USAGE : CLI_FAIL;
}

int cli_merge(int argc, char **argv)
{
    const cli_doc *doc = cli_doc_find("merge");
    char **paths = hs_calloc((size_t)argc + 1, sizeof *paths);
    int n = 0, rc;

    for (int i = 1; i < argc; i++) {
        const cli_opt *o;
        const char *v;

        if (cli_next_arg(doc, argc, argv, &i, &o, &v) != CLI_ARG_POSITIONAL) {
            free(paths);
            return CLI_USAGE;
        }
        paths[n++] = (char *)v;
    }
    if (n < 2) {
        free(paths);
        return cli_usage_error(doc, "expected OUT.db and at least one "
                                    "SHARD.db");
    }
    rc = merge_all(paths[0], paths + 1, n - 1);
    free(paths);
    return rc;
}
