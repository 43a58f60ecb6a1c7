/*
 * io_store_int.h -- private to sim/io: the SQLite connection behind an
 * io_store, for io_merge.c, which copies whole runs between files with
 * SQL (ATTACH, INSERT ... SELECT) rather than row by row; and the run
 * locks of io_runlock.c, which io_store.c takes and releases.
 */
#ifndef HETSIM_IO_STORE_INT_H
#define HETSIM_IO_STORE_INT_H

#include <sqlite3.h>

#include "hetsim/store.h"

/* The connection of 's' (borrowed).  The caller must leave no
 * transaction open and no statement unfinalized. */
sqlite3 *io_store_db(io_store *s);

/* A store's fd of its companion lock file DB-writers (io_runlock.c). */
typedef struct io_runlock {
    int fd; /* -1: not open */
    bool rw;
} io_runlock;

void io_runlock_init(io_runlock *lk);
/* Lock byte 'run_id' of DB-writers (created if need be) for this
 * process; false when it cannot be locked (the run goes on unlocked, and
 * a reader cannot tell its writer's fate: IO_WRITER_UNKNOWN at worst). */
bool io_runlock_take(io_runlock *lk, const char *db_path, int64_t run_id);
void io_runlock_release(io_runlock *lk, int64_t run_id);
/* Whether another process holds run 'run_id''s lock: ALIVE, GONE (the
 * byte is free), UNKNOWN (no companion file: written before locks, or
 * it cannot be read).  Never for a run this process writes. */
io_writer io_runlock_probe(io_runlock *lk, const char *db_path,
                           int64_t run_id);
/* Close the fd: drops every lock this process holds on the file. */
void io_runlock_close(io_runlock *lk);

#endif /* HETSIM_IO_STORE_INT_H */
