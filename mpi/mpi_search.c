/*
 * mpi_search.c -- 'mpirun -np N hetsim-mpi search SEARCH.yaml [-o DB]
 * [--format table|csv|json]' (docs/search.md): a search whose candidates
 * are simulated N at a time, one per rank, ending with the pick, the rows
 * and the database that 'hetsim search -j 1' gives.
 *
 * Every rank loads the search file (each computes the same bounds);
 * rank 0 alone decides.  Each round it hands out the next N candidates
 * that may beat the best (app_search_next) and broadcasts their points;
 * rank r runs the points at positions r, r + N, ... of the round, each
 * into a run log of its own (io_store_open_log) in a directory under
 * $TMPDIR, and ranks r > 0 send theirs to rank 0 over MPI.  Rank 0 then
 * takes the round in candidate order, as a search one candidate at a
 * time would: a candidate that may still beat the best taken so far
 * (app_search_may_beat) has its logs replayed into DB -- so its runs get
 * the ids that -j 1 gives them -- and its results taken; from the first
 * one that may not, the round's logs are dropped and the search ends.
 * The runs made ahead and dropped are what the parallelism costs;
 * nothing of them reaches DB.
 *
 * Invariant: every rank takes part in the same rounds -- rank 0
 * broadcasts the number of points of each, and 0 ends the loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_search.h"
#include "cli_sweep.h"
#include "hetsim/app.h"
#include "mpi_int.h"

/* The run log of point 'point' in 'dir' (a new string). */
static char *log_path(const char *dir, size_t point)
{
    return hs_asprintf("%s/p%zu.log", dir, point);
}

/* Run point 'point' into the log 'path'; 1 when the log could not be
 * written or a signal stopped the run, else 0. */
static uint64_t run_point(const app_sweep *sw, size_t point, const char *path)
{
    hs_diag *d = hs_diag_new();
    io_store *s = NULL;
    cli_pool_result r;
    bool ok = io_store_open_log(path, &s, d) == HS_OK;

    memset(&r, 0, sizeof r);
    if (ok)
        cli_pool_run(sw, &point, 1, 1, s, path, false, NULL, NULL, &r);
    io_store_close(s);
    cli_print_diag(d, stderr);
    hs_diag_free(d);
    return !ok || r.stopped || r.io_error;
}

/* This rank's points of the round pts[0..n), into logs in 'dir'; ranks
 * r > 0 send each (with its point and flag) to rank 0 and remove it.
 * Returns whether every one was run and sent. */
static bool run_mine(const app_sweep *sw, const size_t *pts, size_t n,
                     int rank, int size, const char *dir)
{
    bool ok = true;

    for (size_t k = (size_t)rank; k < n; k += (size_t)size) {
        char *path = log_path(dir, pts[k]);
        uint64_t msg[2] = {pts[k], run_point(sw, pts[k], path)};

        ok = ok && msg[1] == 0;
        if (rank != 0) {
            ok = mpi_send_file(path, msg) && ok;
            unlink(path);
        }
        free(path);
    }
    return ok;
}

/* Rank 0: the other ranks' logs of the round, in rank order. */
static bool receive(const size_t *pts, size_t n, int size, const char *dir)
{
    bool ok = true;

    for (int r = 1; r < size; r++)
        for (size_t k = (size_t)r; k < n; k += (size_t)size) {
            char *path = log_path(dir, pts[k]);
            uint64_t msg[2];

            ok = mpi_recv_file(r, path, msg) && ok;
            ok = ok && msg[0] == pts[k] && msg[1] == 0;
            free(path);
        }
    return ok;
}

/* Rank 0: replay point 'point''s log into 'store' and take its result. */
static bool take_point(app_search *s, size_t point, io_store *store,
                       const char *path)
{
    hs_diag *d = hs_diag_new();
    int64_t run_id = -1;
    bool ok = true;

    if (access(path, F_OK) == 0 &&
        io_store_replay(store, path, &run_id, d) != HS_OK)
        ok = false;
    if (app_search_take(s, point, store, run_id, d) != HS_OK)
        ok = false;
    cli_print_diag(d, stderr);
    hs_diag_free(d);
    return ok;
}

/* Rank 0: take the round in order until a candidate may not beat the
 * best ('*over' then); counts the points taken to '*taken'. */
static bool take_round(app_search *s, io_store *store, const size_t *pts,
                       size_t n, const char *dir, size_t *taken, bool *over)
{
    bool ok = true;

    for (size_t k = 0; k < n; k++) {
        char *path = log_path(dir, pts[k]);

        if (pts[k] % s->n_seeds == 0 && !*over &&
            !app_search_may_beat(s, pts[k] / s->n_seeds))
            *over = true;
        if (!*over) {
            ok = take_point(s, pts[k], store, path) && ok;
            (*taken)++;
        }
        unlink(path);
        free(path);
    }
    return ok;
}

/* The rounds; on rank 0 returns whether all went well and counts the
 * points taken to '*taken'. */
static bool rounds(app_search *s, io_store *store, int rank, int size,
                   const char *dir, size_t *taken)
{
    size_t *pts = hs_calloc((size_t)size * s->n_seeds + 1, sizeof *pts);
    bool ok = true, over = false;

    for (;;) {
        uint64_t n = 0;

        if (rank == 0 && ok && !over)
            n = app_search_next(s, (size_t)size, pts);
        MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
        if (n == 0)
            break;
        MPI_Bcast(pts, (int)n, MPI_UINT64_T, 0, MPI_COMM_WORLD);
        ok = run_mine(&s->sw, pts, n, rank, size, dir) && ok;
        if (rank == 0) {
            ok = receive(pts, n, size, dir) && ok;
            ok = take_round(s, store, pts, n, dir, taken, &over) && ok;
        }
    }
    free(pts);
    return ok;
}

/* Rank 0: print the rows; the exit status. */
static int finish(const mpi_args *a, app_search *s, size_t taken, bool ok,
                  const char *db)
{
    cli_search_args ca;
    size_t *rows = NULL;

    if (!ok) {
        fprintf(stderr, "hetsim-mpi search: stopped before the end; no "
                        "result\n");
        return CLI_FAIL;
    }
    memset(&ca, 0, sizeof ca);
    ca.path = a->path;
    ca.db = db;
    ca.format = a->format;
    ca.jobs = 1;
    app_search_finish(s, &rows);
    cli_search_print(&ca, s, rows, taken, db, stdout);
    free(rows);
    return s->best >= 0 ? CLI_OK : CLI_FAIL;
}

/* Load on every rank, open DB on rank 0; CLI_OK everywhere or the
 * worst status. */
static int start(const mpi_args *a, app_search *s, const char *db,
                 io_store **store, int rank)
{
    hs_diag *d = hs_diag_new();
    int rc = app_search_load(a->path, s, d), worst;

    if (rank == 0)
        cli_print_diag(d, stderr);
    hs_diag_clear(d);
    rc = rc == HS_OK ? CLI_OK : CLI_USAGE;
    if (rank == 0 && rc == CLI_OK && app_store_open(db, store, d) != HS_OK) {
        cli_print_diag(d, stderr);
        rc = CLI_FAIL;
    }
    hs_diag_free(d);
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return worst;
}

int mpi_search(const mpi_args *a, int rank, int size)
{
    app_search s;
    io_store *store = NULL;
    char *db = a->db != NULL ? hs_strdup(a->db) : cli_default_db(a->path);
    int rc = start(a, &s, db, &store, rank);

    if (rc == CLI_OK) {
        char *dir = mpi_temp_dir();
        int mine = dir != NULL, all;
        size_t taken = 0;
        bool ok;

        MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        ok = all && rounds(&s, store, rank, size, dir, &taken);
        io_store_close(store);
        store = NULL;
        rc = rank == 0 ? finish(a, &s, taken, all && ok, db) : CLI_OK;
        MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
        if (dir != NULL)
            rmdir(dir);
        free(dir);
    }
    if (s.c != NULL || s.sw.pt != NULL)
        app_search_fini(&s);
    io_store_close(store);
    free(db);
    return rc;
}
