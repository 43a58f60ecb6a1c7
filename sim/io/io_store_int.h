/*
 * io_store_int.h -- private to sim/io: the SQLite connection behind an
 * io_store, for io_merge.c, which copies whole runs between files with
 * SQL (ATTACH, INSERT ... SELECT) rather than row by row.
 */
#ifndef HETSIM_IO_STORE_INT_H
#define HETSIM_IO_STORE_INT_H

#include <sqlite3.h>

#include "hetsim/store.h"

/* The connection of 's' (borrowed).  The caller must leave no
 * transaction open and no statement unfinalized. */
sqlite3 *io_store_db(io_store *s);

#endif /* HETSIM_IO_STORE_INT_H */
