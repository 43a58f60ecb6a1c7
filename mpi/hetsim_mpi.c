/*
 * hetsim_mpi.c -- 'hetsim-mpi', the Open MPI companion of hetsim (built
 * by make when mpicc is found; docs/sweep.md, docs/search.md):
 *
 *   mpirun -np N hetsim-mpi sweep SWEEP.yaml [-o DB] [-j J] [--resume]
 *   mpirun -np N hetsim-mpi search SEARCH.yaml [-o DB] [--format F]
 *
 * This file parses the command line, moves files between ranks and runs
 * sweeps; mpi_search.c runs searches.
 *
 * A sweep splits its points over the N ranks and leaves one database,
 * written by rank 0 only.  Every rank loads and checks the sweep file
 * (rank 0 prints the problems; all exit 2).  Rank 0 opens DB, leaves out
 * the points done there (--resume) and broadcasts the list; rank r runs
 * the points at positions r, r + N, ... of it (in J local workers,
 * default 1) -- rank 0 into DB, the others into a run log of their own
 * in $TMPDIR (io_store_open_log: no SQLite there) -- and then sends that
 * log to rank 0 over MPI (no shared file system is needed), which
 * replays it (io_store_replay: new run ids, every row bit for bit) in
 * rank order.  A run log is binary in the writer's byte order: the
 * ranks must share one architecture.  The result rows are the same as 'hetsim sweep'
 * makes with -j 1 (tests/cli/t_mpi.sh).
 *
 * It sits above sim/cli: it reuses the sweep's pool and printing
 * (cli_sweep.h, cli_search.h); mpi/ is the only place that includes
 * <mpi.h>.
 *
 * Exit status: as 'hetsim sweep' or 'hetsim search' (0 ok, 1 a failure
 * or, for a search, no candidate meets the SLO, 2 bad usage or input),
 * the same on every rank.
 */
#include <mpi.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_search.h"
#include "cli_sweep.h"
#include "hetsim/app.h"
#include "mpi_int.h"

/* Bytes per MPI message of a file (under INT_MAX). */
#define CHUNK (64u << 20)

static int usage(int rank, const char *why)
{
    if (rank == 0)
        fprintf(stderr,
                "hetsim-mpi: %s\nusage: mpirun -np N hetsim-mpi sweep "
                "SWEEP.yaml [-o DB] [-j J] [--resume]\n"
                "       mpirun -np N hetsim-mpi search SEARCH.yaml [-o DB] "
                "[--format table|csv|json]\n",
                why);
    return CLI_USAGE;
}

static bool is_format(const char *v)
{
    return strcmp(v, "table") == 0 || strcmp(v, "csv") == 0 ||
           strcmp(v, "json") == 0;
}

/* One option at argv[*i] of the command; false when it is not one. */
static bool option(int argc, char **argv, int *i, mpi_args *a)
{
    const char *o = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;

    if (strcmp(o, "-o") == 0 && v != NULL)
        a->db = v;
    else if (a->search && strcmp(o, "--format") == 0 && v != NULL &&
             is_format(v))
        a->format = v;
    else if (!a->search && strcmp(o, "--resume") == 0)
        return a->resume = true;
    else if (!a->search && strcmp(o, "-j") == 0 && v != NULL && atoi(v) >= 1)
        a->jobs = atoi(v);
    else
        return false;
    (*i)++;
    return true;
}

static int parse(int argc, char **argv, int rank, mpi_args *a)
{
    memset(a, 0, sizeof *a);
    a->jobs = 1;
    a->format = "table";
    if (argc < 3 ||
        (strcmp(argv[1], "sweep") != 0 && strcmp(argv[1], "search") != 0))
        return usage(rank, "expected 'sweep SWEEP.yaml' or 'search "
                           "SEARCH.yaml'");
    a->search = strcmp(argv[1], "search") == 0;
    a->path = argv[2];
    for (int i = 3; i < argc; i++)
        if (!option(argc, argv, &i, a))
            return usage(rank, "bad argument");
    return CLI_OK;
}

/* ---- files over MPI ----------------------------------------------------- */

/* Wait for 'req' without spinning: Open MPI's blocking calls poll a busy
 * loop, which would take the processor from the ranks still simulating
 * on the same machine (rank 0 waits for the others' files for as long
 * as they run).  A millisecond between tests costs nothing here. */
void mpi_polite_wait(MPI_Request *req)
{
    struct timespec ms = {0, 1000000};
    int done = 0;

    for (;;) {
        MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (done)
            return;
        nanosleep(&ms, NULL);
    }
}

bool mpi_send_file(const char *path, const uint64_t counts[2])
{
    FILE *f = fopen(path, "rb");
    uint64_t head[3] = {0, counts[0], counts[1]};
    char *buf = malloc(CHUNK);
    bool ok = f != NULL && buf != NULL;

    if (ok && fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);

        head[0] = n > 0 ? (uint64_t)n : 0;
        rewind(f);
    }
    {
        MPI_Request req;

        MPI_Isend(head, 3, MPI_UINT64_T, 0, 1, MPI_COMM_WORLD, &req);
        mpi_polite_wait(&req);
    }
    for (uint64_t left = head[0]; left > 0;) {
        size_t n = left < CHUNK ? (size_t)left : CHUNK;

        if (fread(buf, 1, n, f) != n) {
            memset(buf, 0, n); /* rank 0 finds it is not a database */
            ok = false;
        }
        MPI_Send(buf, (int)n, MPI_BYTE, 0, 2, MPI_COMM_WORLD);
        left -= n;
    }
    if (f != NULL)
        fclose(f);
    free(buf);
    return ok;
}

bool mpi_recv_file(int from, const char *path, uint64_t counts[2])
{
    uint64_t head[3];
    FILE *f = fopen(path, "wb");
    char *buf = malloc(CHUNK);
    bool ok = f != NULL && buf != NULL;

    {
        MPI_Request req;

        MPI_Irecv(head, 3, MPI_UINT64_T, from, 1, MPI_COMM_WORLD, &req);
        mpi_polite_wait(&req);
    }
    counts[0] = head[1];
    counts[1] = head[2];
    for (uint64_t left = head[0]; left > 0;) {
        size_t n = left < CHUNK ? (size_t)left : CHUNK;

        MPI_Recv(buf, (int)n, MPI_BYTE, from, 2, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        if (ok && fwrite(buf, 1, n, f) != n)
            ok = false;
        left -= n;
    }
    if (f != NULL && fclose(f) != 0)
        ok = false;
    free(buf);
    return ok;
}

/* ---- the sweep ---------------------------------------------------------- */

/* Rank 0: the points to run (all, less those done with --resume), or
 * NULL with '*n' (size_t)-1 when DB cannot be opened. */
static size_t *todo_list(const mpi_args *a, const app_sweep *sw, io_store *s,
                         size_t *n)
{
    bool *done = calloc(sw->n + 1, sizeof *done);
    size_t *todo = calloc(sw->n + 1, sizeof *todo);
    hs_diag *d = hs_diag_new();

    *n = 0;
    if (a->resume)
        app_sweep_done(s, sw, done, d);
    cli_print_diag(d, stderr);
    hs_diag_free(d);
    for (size_t i = 0; i < sw->n; i++)
        if (!done[i])
            todo[(*n)++] = i;
    free(done);
    return todo;
}

/* Run this rank's share of 'todo' into 'store'; counts done, failed. */
static bool run_share(const mpi_args *a, const app_sweep *sw,
                      const size_t *todo, size_t n, int rank, int size,
                      io_store *store, const char *path, uint64_t counts[2])
{
    size_t *mine = calloc(n / (size_t)size + 2, sizeof *mine), m = 0;
    cli_pool_result r;

    for (size_t k = (size_t)rank; k < n; k += (size_t)size)
        mine[m++] = todo[k];
    cli_pool_run(sw, mine, m, a->jobs, store, path, false, NULL, NULL, &r);
    free(mine);
    counts[0] = r.done;
    counts[1] = r.failed;
    return !r.stopped && !r.io_error;
}

char *mpi_temp_dir(void)
{
    const char *tmpdir = getenv("TMPDIR");
    char *tdir =
        hs_asprintf("%s/hetsim-mpi.XXXXXX",
                    tmpdir != NULL && tmpdir[0] != '\0' ? tmpdir : "/tmp");

    if (mkdtemp(tdir) != NULL)
        return tdir;
    fprintf(stderr, "hetsim-mpi: cannot make a directory under %s: %s\n",
            tmpdir != NULL && tmpdir[0] != '\0' ? tmpdir : "/tmp",
            strerror(errno));
    free(tdir);
    return NULL;
}

/* Rank r > 0: run into a file of its own, send it, remove it. */
static int worker_rank(const mpi_args *a, const app_sweep *sw,
                       const size_t *todo, size_t n, int rank, int size)
{
    char *tdir = mpi_temp_dir(), *path;
    uint64_t counts[2] = {0, 0};
    hs_diag *d = hs_diag_new();
    io_store *s = NULL;
    bool ok = tdir != NULL;

    path = hs_asprintf("%s/rank-%d.log", ok ? tdir : "/nonexistent", rank);
    ok = ok && io_store_open_log(path, &s, d) == HS_OK;
    if (ok)
        ok = run_share(a, sw, todo, n, rank, size, s, path, counts);
    io_store_close(s);
    cli_print_diag(d, stderr);
    hs_diag_free(d);
    ok = mpi_send_file(path, counts) && ok;
    unlink(path);
    if (tdir != NULL)
        rmdir(tdir);
    free(path);
    free(tdir);
    return ok && counts[1] == 0 ? CLI_OK : CLI_FAIL;
}

/* Rank 0: its share into DB, then every other rank's file merged. */
static int writer_rank(const mpi_args *a, const app_sweep *sw,
                       const size_t *todo, size_t n, int size, io_store *s,
                       const char *db)
{
    uint64_t counts[2] = {0, 0}, total[2];
    bool ok = run_share(a, sw, todo, n, 0, size, s, db, counts);
    char *part = hs_asprintf("%s.rank.%ld", db, (long)getpid());

    total[0] = counts[0];
    total[1] = counts[1];
    for (int r = 1; r < size; r++) {
        hs_diag *d = hs_diag_new();
        int64_t last;

        if (!mpi_recv_file(r, part, counts) ||
            io_store_replay(s, part, &last, d) != HS_OK)
            ok = false;
        cli_print_diag(d, stderr);
        hs_diag_free(d);
        unlink(part);
        total[0] += counts[0];
        total[1] += counts[1];
    }
    free(part);
    printf("sweep: %llu point(s) run on %d ranks (%llu done, %llu not), "
           "%zu skipped as already done; results: %s\n",
           (unsigned long long)(total[0] + total[1]), size,
           (unsigned long long)total[0], (unsigned long long)total[1],
           sw->n - n, db);
    return ok && total[1] == 0 ? CLI_OK : CLI_FAIL;
}

static int sweep(const mpi_args *a, int rank, int size)
{
    hs_diag *d = hs_diag_new();
    app_sweep sw;
    io_store *s = NULL;
    char *db = a->db != NULL ? hs_strdup(a->db) : cli_default_db(a->path);
    int rc = app_sweep_load(a->path, IO_SWEEP_FILE, &sw, d), worst;
    uint64_t n = 0;
    size_t *todo = NULL;

    if (rank == 0)
        cli_print_diag(d, stderr);
    hs_diag_clear(d);
    rc = rc == HS_OK ? CLI_OK : CLI_USAGE;
    if (rank == 0 && rc == CLI_OK && app_store_open(db, &s, d) != HS_OK) {
        cli_print_diag(d, stderr);
        rc = CLI_FAIL;
    }
    MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (worst == CLI_OK) {
        size_t m = 0;

        if (rank == 0) {
            todo = todo_list(a, &sw, s, &m);
            n = m;
        }
        MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
        if (rank != 0)
            todo = calloc(n + 1, sizeof *todo);
        MPI_Bcast(todo, (int)n, MPI_UINT64_T, 0, MPI_COMM_WORLD);
        rc = rank == 0 ? writer_rank(a, &sw, todo, n, size, s, db)
                       : worker_rank(a, &sw, todo, n, rank, size);
        {
            MPI_Request req;

            MPI_Iallreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD,
                           &req);
            mpi_polite_wait(&req);
        }
    }
    app_sweep_fini(&sw);
    io_store_close(s);
    hs_diag_free(d);
    free(todo);
    free(db);
    return worst;
}

int main(int argc, char **argv)
{
    int rank = 0, size = 1, rc;
    mpi_args a;

    _Static_assert(sizeof(size_t) == sizeof(uint64_t),
                   "point indexes travel as MPI_UINT64_T");
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    rc = parse(argc, argv, rank, &a);
    if (rc == CLI_OK)
        rc = a.search ? mpi_search(&a, rank, size) : sweep(&a, rank, size);
    MPI_Finalize();
    return rc;
}
