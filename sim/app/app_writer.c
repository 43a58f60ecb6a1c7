/*
 * app_writer.c -- which process wrote a run, and whether it still lives:
 * each run records its writer's host name and process id
 * (runs.writer_host, runs.writer_pid), and holds the run's lock in the
 * file's companion DB-writers while it writes (io_store_writer), so that
 * a run left 'running' by a process that was killed or crashed can be
 * told with certainty from one still being written, from any host that
 * shares the file (the pid serves runs written before the locks, on
 * their own host).  A later writer of the same file marks such dead runs
 * 'failed' (app_store_reap_dead).
 */
#include "hetsim/app.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* This host's name ("" when unknown); static storage. */
static const char *host_name(void)
{
    static char name[256];

    if (name[0] == '\0' && gethostname(name, sizeof name - 1) != 0)
        name[0] = '\0';
    return name;
}

void app_writer_fill(rec_run_row *info)
{
    info->writer_host = host_name();
    info->writer_pid = (int64_t)getpid();
}

/* The old way, for runs written before run locks: the pid on this host. */
static app_writer_state by_pid(const char *host, const char *pid)
{
    char *end;
    long long p;

    if (host == NULL || pid == NULL || host_name()[0] == '\0' ||
        strcmp(host, host_name()) != 0)
        return APP_WRITER_UNKNOWN;
    errno = 0;
    p = strtoll(pid, &end, 10);
    if (errno != 0 || *end != '\0' || p <= 0 || p > INT32_MAX)
        return APP_WRITER_UNKNOWN;
    if (kill((pid_t)p, 0) == 0 || errno == EPERM)
        return APP_WRITER_ALIVE;
    return errno == ESRCH ? APP_WRITER_GONE : APP_WRITER_UNKNOWN;
}

app_writer_state app_writer_check(io_store *s, int64_t run_id,
                                  const char *host, const char *pid)
{
    switch (io_store_writer(s, run_id)) {
    case IO_WRITER_ALIVE:
        return APP_WRITER_ALIVE;
    case IO_WRITER_GONE:
        return APP_WRITER_GONE;
    case IO_WRITER_UNKNOWN:
        break;
    }
    return by_pid(host, pid);
}

/* The running runs of a store whose writer is gone: id, why. */
typedef struct dead_runs {
    io_store *s;
    int64_t *id;
    char **why;
    size_t n, cap;
} dead_runs;

/* io_row_fn over (run_id, writer_host, writer_pid) of running runs. */
static int collect_dead(void *ctx, const io_row *row)
{
    dead_runs *dr = ctx;

    int64_t id = strtoll(row->values[0], NULL, 10);

    if (app_writer_check(dr->s, id, row->values[1], row->values[2]) !=
        APP_WRITER_GONE)
        return 0;
    hs_grow((void **)&dr->id, &dr->cap, dr->n + 1, sizeof *dr->id);
    dr->why = hs_realloc(dr->why, dr->cap * sizeof *dr->why);
    dr->id[dr->n] = id;
    dr->why[dr->n++] = hs_asprintf(
        "died: its writer (pid %s on %s) ended without finishing the run; "
        "its rows were deleted when a later run opened the file",
        row->values[2], row->values[1]);
    return 0;
}

int app_store_reap_dead(io_store *s, hs_diag *d)
{
    dead_runs dr = {s, NULL, NULL, 0, 0};
    int rc = io_store_query(s,
                            "SELECT run_id, writer_host, writer_pid FROM runs "
                            "WHERE status = 'running' ORDER BY run_id",
                            NULL, 0, collect_dead, &dr, d);

    for (size_t i = 0; i < dr.n; i++) {
        if (rc == HS_OK)
            rc = io_store_end_run_msg(s, dr.id[i], IO_RUN_FAILED, dr.why[i],
                                      (double)NAN, (double)NAN, 0, d);
        free(dr.why[i]);
    }
    free(dr.id);
    free(dr.why);
    return rc;
}
