/*
 * io_runlock.c -- whether the process writing a 'running' run still
 * lives, on any host that shares the results file: the writer holds a
 * POSIX record lock (fcntl F_SETLK) on byte 'run_id' of a companion
 * file, DB-writers, from io_store_begin_run() to the run's end.  The
 * kernel (or, on a network filesystem, its lock manager) drops the lock
 * when the process ends however it ends -- SIGKILL, a crash, an abort --
 * so a reader that finds the byte unlocked knows the writer is gone, and
 * one that finds it locked knows it lives.  The companion file is empty:
 * only its locks carry meaning.
 *
 * Invariants (POSIX locks belong to a process and a file, not to an fd):
 *  - a process must never close an fd of DB-writers while it holds run
 *    locks it still needs (closing any fd of the file drops them all), so
 *    each store keeps one fd of it for its life, and a probe reuses it;
 *  - a process's own locks are invisible to its F_GETLK, so a probe
 *    cannot tell a run this process writes: callers never probe those.
 */
#include "io_store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hetsim/util.h"

static char *companion(const char *db_path)
{
    return hs_asprintf("%s-writers", db_path);
}

/* An fd of DB-writers in '*fd' (kept there), opened read-write and
 * created when 'rw', else read-only when it exists; false when it cannot
 * be had. */
static bool open_fd(const char *db_path, io_runlock *lk, bool rw)
{
    char *p;
    int fd;

    if (lk->fd >= 0 && (lk->rw || !rw))
        return true;
    /* A read-only fd holds no lock of ours: closing it drops nothing. */
    if (lk->fd >= 0) {
        close(lk->fd);
        lk->fd = -1;
    }
    p = companion(db_path);
    fd = rw ? open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644)
            : open(p, O_RDONLY | O_CLOEXEC);
    free(p);
    if (fd < 0)
        return false;
    lk->fd = fd;
    lk->rw = rw;
    return true;
}

static struct flock byte_of(int64_t run_id, short type)
{
    struct flock fl;

    memset(&fl, 0, sizeof fl);
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = (off_t)run_id;
    fl.l_len = 1;
    return fl;
}

void io_runlock_init(io_runlock *lk)
{
    lk->fd = -1;
    lk->rw = false;
}

bool io_runlock_take(io_runlock *lk, const char *db_path, int64_t run_id)
{
    struct flock fl = byte_of(run_id, F_WRLCK);

    return run_id > 0 && open_fd(db_path, lk, true) &&
           fcntl(lk->fd, F_SETLK, &fl) == 0;
}

void io_runlock_release(io_runlock *lk, int64_t run_id)
{
    struct flock fl = byte_of(run_id, F_UNLCK);

    if (lk->fd >= 0 && lk->rw && run_id > 0)
        (void)fcntl(lk->fd, F_SETLK, &fl);
}

io_writer io_runlock_probe(io_runlock *lk, const char *db_path, int64_t run_id)
{
    struct flock fl = byte_of(run_id, F_WRLCK);

    if (run_id <= 0 || !open_fd(db_path, lk, false))
        return IO_WRITER_UNKNOWN; /* no companion: written without locks */
    if (fcntl(lk->fd, F_GETLK, &fl) != 0)
        return IO_WRITER_UNKNOWN;
    return fl.l_type == F_UNLCK ? IO_WRITER_GONE : IO_WRITER_ALIVE;
}

void io_runlock_close(io_runlock *lk)
{
    if (lk->fd >= 0)
        close(lk->fd);
    lk->fd = -1;
}
