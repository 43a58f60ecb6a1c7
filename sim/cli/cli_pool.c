/*
 * cli_pool.c -- the points of a sweep run into one results store
 * (cli_sweep.h): in this process, or in N worker processes.
 *
 * With workers, this process is the only writer of the output store,
 * and the only process that uses SQLite.  Each worker is forked before
 * anything is written, reads point indexes from a pipe (two at a time:
 * the one it runs and the next, so it never waits for this process),
 * runs each point into a run log of its own (io_store_open_log: a
 * compact binary record of the run's rows, DB.parts.XXXXXX/pN.log), and
 * writes back "index status" once the log is closed.  This process
 * replays the log into the output (io_store_replay: the rows in their
 * order, bit for bit, the run ended as the worker ended it) and removes
 * it.  So each row goes through SQLite once, as with -j 1, and the
 * output's rows equal those of a run made in this process.  The output's
 * connection, opened before the fork, is never used by a worker.
 *
 * Signals: SIGINT/SIGTERM set a flag here and stop the running point (in
 * this process, or in each worker, which catch them too); no new point
 * starts, the points running end 'interrupted' and are still copied.
 */
#include "cli.h"
#include "cli_search.h"
#include "cli_sweep.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hetsim/app.h"

/* The runner of the point running in this process (a signal handler has
 * no context), and whether a signal came. */
static app_runner *volatile pool_runner;
static volatile sig_atomic_t pool_stop;

static void on_signal(int sig)
{
    app_runner *r = pool_runner;

    pool_stop = sig;
    if (r != NULL)
        app_runner_stop_by(r, sig);
}

static void set_runner(void *ctx, app_runner *r)
{
    (void)ctx;
    pool_runner = r;
    if (r != NULL && pool_stop != 0)
        app_runner_stop_by(r, pool_stop);
}

typedef struct pool_signals {
    struct sigaction old_int, old_term;
} pool_signals;

static void catch_signals(pool_signals *ps)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &ps->old_int);
    sigaction(SIGTERM, &sa, &ps->old_term);
}

static void restore_signals(const pool_signals *ps)
{
    sigaction(SIGINT, &ps->old_int, NULL);
    sigaction(SIGTERM, &ps->old_term, NULL);
}

char *cli_default_db(const char *path)
{
    const char *base = strrchr(path, '/');
    size_t len;

    base = base != NULL ? base + 1 : path;
    len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".yaml") == 0)
        len -= 5;
    return hs_asprintf("results/%.*s.db", (int)len, base);
}

int cli_ncpu(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n >= 1 ? (int)n : 1;
}

/* ---- progress ----------------------------------------------------------- */

typedef struct pool_progress {
    bool on;
    size_t total, done, running;
    double t0, last;
} pool_progress;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void show(pool_progress *pg, bool final)
{
    double t = now_s(), el = t - pg->t0;

    if (!pg->on || (!final && t - pg->last < 0.1))
        return;
    pg->last = t;
    fprintf(stderr, "\rsweep: %zu/%zu points done, %zu running, %.0f s",
            pg->done, pg->total, pg->running, el);
    if (pg->done > 0 && pg->done < pg->total)
        fprintf(stderr, ", ETA %.0f s",
                el / (double)pg->done * (double)(pg->total - pg->done));
    fputs(final ? "\n" : "   ", stderr);
    fflush(stderr);
}

/* ---- in this process ---------------------------------------------------- */

static void run_here(const app_sweep *sw, const size_t *todo, size_t n,
                     io_store *store, pool_progress *pg, cli_point_done cb,
                     void *ctx, cli_pool_result *out)
{
    app_run_opts o;

    memset(&o, 0, sizeof o);
    for (size_t k = 0; k < n && pool_stop == 0; k++) {
        hs_diag *d = hs_diag_new();
        app_run_result res;
        int rc;

        pg->running = 1;
        show(pg, false);
        rc = app_sweep_run(sw, todo[k], store, &o, &res, set_runner, NULL, d);
        cli_print_diag(d, stderr);
        hs_diag_free(d);
        pg->running = 0;
        pg->done++;
        if (rc == HS_OK)
            out->done++;
        else
            out->failed++;
        if (rc == HS_EIO && res.run_id < 0)
            out->io_error = true;
        if (cb != NULL)
            cb(ctx, todo[k], res.run_id);
        show(pg, false);
    }
}

/* ---- workers ------------------------------------------------------------ */

/* Points a worker holds at once: the one it runs and the next, already
 * in its pipe, so that it never waits for this process to copy a run. */
#define DEPTH 2

/* A point a worker finished, not yet copied. */
typedef struct finished {
    size_t point;
    int rc;
} finished;

typedef struct worker {
    pid_t pid;
    int cmd, res;    /* our ends: write point indexes, read results */
    size_t q[DEPTH]; /* points sent, oldest (running) first */
    int nq;
    char buf[256]; /* result lines not read whole yet */
    size_t len;
    finished f[DEPTH]; /* finished, to copy */
    int nf;
} worker;

/* The run log of point 'point'. */
static char *part_path(const char *dir, size_t point)
{
    return hs_asprintf("%s/p%zu.log", dir, point);
}

/* A worker's loop: run each point it is sent into a run log of its own
 * (io_store_open_log: no SQLite here), and answer "point status" once
 * the log is closed. */
static void worker_main(const app_sweep *sw, const char *dir, int cmd, int res)
{
    FILE *in = fdopen(cmd, "r");
    hs_diag *d = hs_diag_new();
    unsigned long point;
    app_run_opts o;

    memset(&o, 0, sizeof o);
    while (in != NULL && fscanf(in, "%lu", &point) == 1) {
        char *path = part_path(dir, point), line[96];
        io_store *s = NULL;
        app_run_result r;
        int rc, len;

        hs_diag_clear(d);
        rc = io_store_open_log(path, &s, d);
        if (rc == HS_OK)
            rc = app_sweep_run(sw, point, s, &o, &r, set_runner, NULL, d);
        io_store_close(s);
        cli_print_diag(d, stderr);
        free(path);
        len = snprintf(line, sizeof line, "%lu %d\n", point, rc);
        if (write(res, line, (size_t)len) != len)
            break;
    }
    hs_diag_free(d);
    _exit(0);
}

static bool start_workers(const app_sweep *sw, const char *dir, worker *w,
                          int jobs)
{
    for (int i = 0; i < jobs; i++) {
        int c[2], r[2];

        if (pipe(c) != 0 || pipe(r) != 0)
            return false;
        fflush(NULL);
        w[i].pid = fork();
        if (w[i].pid < 0)
            return false;
        if (w[i].pid == 0) {
            for (int k = 0; k < i; k++) {
                close(w[k].cmd);
                close(w[k].res);
            }
            close(c[1]);
            close(r[0]);
            worker_main(sw, dir, c[0], r[1]);
        }
        close(c[0]);
        close(r[1]);
        w[i].cmd = c[1];
        w[i].res = r[0];
        w[i].nq = 0;
        w[i].nf = 0;
        w[i].len = 0;
    }
    return true;
}

static bool send_point(worker *w, size_t point)
{
    char line[32];
    int len = snprintf(line, sizeof line, "%zu\n", point);

    if (write(w->cmd, line, (size_t)len) != len)
        return false;
    w->q[w->nq++] = point;
    return true;
}

typedef struct pool {
    const app_sweep *sw;
    io_store *store;
    const char *dir;
    pool_progress *pg;
    cli_point_done cb;
    void *ctx;
    cli_pool_result *out;
} pool;

/* Replay point 'point''s run log (it ended with 'rc') into the output,
 * and remove it. */
static void take_part(pool *p, size_t point, int rc)
{
    char *path = part_path(p->dir, point);
    hs_diag *d = hs_diag_new();
    int64_t run_id = -1;

    if (access(path, F_OK) == 0 &&
        io_store_replay(p->store, path, &run_id, d) != HS_OK)
        p->out->io_error = true;
    cli_print_diag(d, stderr);
    hs_diag_free(d);
    unlink(path);
    free(path);
    if (rc == HS_OK && run_id >= 0)
        p->out->done++;
    else
        p->out->failed++;
    if (p->cb != NULL)
        p->cb(p->ctx, point, run_id);
}

/* Read what worker 'w' wrote; each complete line finishes its oldest
 * point.  Returns the points finished. */
static int read_result(pool *p, worker *w)
{
    ssize_t got = read(w->res, w->buf + w->len, sizeof w->buf - 1 - w->len);
    char *line = w->buf, *nl;
    int ended = 0;

    if (got <= 0) { /* the worker died: its points failed */
        for (int i = 0; i < w->nq; i++) {
            fprintf(stderr,
                    "hetsim sweep: a worker (pid %ld) died before point "
                    "%zu ended\n",
                    (long)w->pid, w->q[i] + 1);
            take_part(p, w->q[i], HS_EIO);
        }
        ended = w->nq;
        close(w->res);
        w->res = -1;
        w->nq = 0;
        return ended;
    }
    w->len += (size_t)got;
    w->buf[w->len] = '\0';
    while ((nl = strchr(line, '\n')) != NULL && w->nq > 0) {
        unsigned long point;
        int rc;

        *nl = '\0';
        if (sscanf(line, "%lu %d", &point, &rc) == 2)
            w->f[w->nf++] = (finished){point, rc};
        memmove(w->q, w->q + 1, (size_t)(w->nq - 1) * sizeof *w->q);
        w->nq--;
        ended++;
        line = nl + 1;
    }
    w->len = strlen(line);
    memmove(w->buf, line, w->len + 1);
    return ended;
}

/* Fill every worker's queue from todo[*next..n). */
static void hand_out(worker *w, int jobs, const size_t *todo, size_t n,
                     size_t *next)
{
    for (int i = 0; i < jobs; i++)
        while (w[i].res >= 0 && w[i].nq < DEPTH && *next < n &&
               pool_stop == 0 && send_point(&w[i], todo[*next]))
            (*next)++;
}

/* Hand out points, take results, until every point is taken or a signal
 * came and nothing runs. */
static void drive(pool *p, worker *w, int jobs, const size_t *todo, size_t n)
{
    struct pollfd *fds = hs_calloc((size_t)jobs, sizeof *fds);
    size_t next = 0;
    bool forwarded = false;

    for (;;) {
        int nf = 0, running = 0;

        if (pool_stop != 0 && !forwarded) { /* stop the running points */
            for (int i = 0; i < jobs; i++)
                if (w[i].pid > 0)
                    kill(w[i].pid, (int)pool_stop);
            forwarded = true;
        }
        hand_out(w, jobs, todo, n, &next);
        for (int i = 0; i < jobs; i++)
            running += w[i].res >= 0 && w[i].nq > 0;
        p->pg->running = (size_t)running;
        show(p->pg, false);
        if (running == 0)
            break;
        for (int i = 0; i < jobs; i++)
            if (w[i].res >= 0 && w[i].nq > 0) {
                fds[nf].fd = w[i].res;
                fds[nf].events = POLLIN;
                fds[nf].revents = 0;
                nf++;
            }
        if (poll(fds, (nfds_t)nf, -1) < 0 && errno != EINTR)
            break;
        for (int k = 0; k < nf; k++)
            for (int i = 0; i < jobs && fds[k].revents != 0; i++)
                if (w[i].res == fds[k].fd)
                    p->pg->done += (size_t)read_result(p, &w[i]);
        /* Keep the workers busy first, then copy what they finished. */
        hand_out(w, jobs, todo, n, &next);
        for (int i = 0; i < jobs; i++) {
            for (int j = 0; j < w[i].nf; j++)
                take_part(p, w[i].f[j].point, w[i].f[j].rc);
            w[i].nf = 0;
        }
    }
    free(fds);
}

static void stop_workers(worker *w, int jobs)
{
    for (int i = 0; i < jobs; i++) {
        if (w[i].pid <= 0)
            continue;
        close(w[i].cmd);
        if (w[i].res >= 0)
            close(w[i].res);
        if (pool_stop != 0)
            kill(w[i].pid, SIGTERM);
    }
    for (int i = 0; i < jobs; i++)
        if (w[i].pid > 0)
            while (waitpid(w[i].pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

static void run_workers(pool *p, int jobs, const size_t *todo, size_t n,
                        const char *db_path)
{
    char *dir = hs_asprintf("%s.parts.XXXXXX", db_path);
    worker *w = hs_calloc((size_t)jobs, sizeof *w);

    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "hetsim sweep: cannot create %s: %s\n", dir,
                strerror(errno));
        p->out->io_error = true;
    } else {
        p->dir = dir;
        if (start_workers(p->sw, dir, w, jobs))
            drive(p, w, jobs, todo, n);
        else
            p->out->io_error = true;
        stop_workers(w, jobs);
        rmdir(dir);
    }
    free(w);
    free(dir);
}

void cli_pool_run(const app_sweep *sw, const size_t *todo, size_t n, int jobs,
                  io_store *store, const char *db_path, bool progress,
                  cli_point_done done, void *ctx, cli_pool_result *out)
{
    pool_progress pg = {progress, n, 0, 0, now_s(), 0};
    pool_signals ps;
    pool p = {sw, store, NULL, &pg, done, ctx, out};

    memset(out, 0, sizeof *out);
    pool_stop = 0;
    catch_signals(&ps);
    if (jobs > (int)n)
        jobs = (int)n;
    if (jobs <= 1)
        run_here(sw, todo, n, store, &pg, done, ctx, out);
    else
        run_workers(&p, jobs, todo, n, db_path);
    if (n > 0)
        show(&pg, true);
    out->stopped = pool_stop != 0;
    restore_signals(&ps);
}
