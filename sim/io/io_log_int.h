/*
 * io_log_int.h -- private to sim/io: the run log writer (io_log.c)
 * behind a store opened with io_store_open_log(); io_store.c hands it
 * every write.
 */
#ifndef HETSIM_IO_LOG_INT_H
#define HETSIM_IO_LOG_INT_H

#include <stdio.h>

#include "hetsim/store.h"

typedef struct io_log io_log; /* opaque */

/* A new log at 'path' (truncated); NULL when it cannot be created. */
io_log *io_log_create(const char *path);
/* Close it; HS_EIO when a write failed.  NULL is a no-op. */
int io_log_close(io_log *l);

/* Whether a column of type 't' is logged as text (length and bytes),
 * not as its struct field's bytes. */
bool io_log_is_text(rec_type t);

/* The store's writes, logged.  Run ids count from 1 in the log. */
int io_log_begin(io_log *l, const rec_run_row *info, int64_t *run_id);
int io_log_add(io_log *l, int64_t run_id, rec_table_id table,
               const void *row);
int io_log_end(io_log *l, int64_t run_id, io_run_status status,
               const char *message, double wall_s, double sim_s,
               uint64_t events);

#endif /* HETSIM_IO_LOG_INT_H */
