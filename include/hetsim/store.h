/*
 * store.h -- the SQLite results store: one database file holds any number
 * of runs, each with its per-request, per-step, per-instance, per-transfer,
 * time-series, per-session and summary-metric rows, plus the analytic
 * points written by 'hetsim oicf --db'.  The tables, their row structs
 * and the views come from records.h; docs/schema.md documents them.
 *
 * Only plain C types cross this interface; SQLite stays inside sim/io.
 *
 * Lifecycle of a run (the function behind each transition):
 *
 *            io_store_begin_run()
 *   (none) ------------------------> running   runs row committed at once
 *                                     |   ^
 *                                     |   |  io_store_add_*(): rows go to
 *                                     |   +- the batch transaction
 *                                     |
 *                                     |  io_store_end_run(): pending rows
 *                                     v  committed first, status last
 *                    done | failed | interrupted
 *
 *   A process that dies before io_store_end_run() leaves the status
 *   'running' for good: in a file no process is writing, 'running' means
 *   "unfinished".  A run is never 'done' with rows missing.
 *
 * Writes are batched: the store opens one transaction on the first row
 * and commits it every io_store_set_batch_rows() rows (default
 * IO_STORE_BATCH_ROWS) and at io_store_flush(), io_store_begin_run(),
 * io_store_end_run() and io_store_close().  Appending a row allocates
 * nothing in the store (SQLite's own page cache aside): statements are
 * prepared once, at open, and text is bound without copying.
 *
 * Errors: every function that can fail returns HS_OK or a negative HS_*
 * status and, when 'd' is not NULL, appends one message naming the
 * database path ("results.db: error: ...").  HS_EIO is a failed SQLite
 * operation (with SQLite's own message); HS_EINPUT is a file that is not
 * a hetsim results database, a schema version this build does not know,
 * or a bad argument (unknown run, run already ended, writable SQL given to
 * io_store_query).  Nothing here prints or exits.
 *
 * Threads: an io_store is used by one thread at a time.  Several processes
 * may share one file (SQLite locking, 5 s busy timeout), but a writer
 * holds the write lock for a whole batch, so parallel runs should write
 * separate files.
 */
#ifndef HETSIM_STORE_H
#define HETSIM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "hetsim/records.h"
#include "hetsim/util.h"

/* Schema version stored in PRAGMA user_version. */
#define IO_STORE_SCHEMA_VERSION 4
/* PRAGMA application_id of a hetsim results file: "HSIM". */
#define IO_STORE_APPLICATION_ID 0x4853494d
/* Rows per batch transaction unless io_store_set_batch_rows() says
 * otherwise. */
#define IO_STORE_BATCH_ROWS 65536

typedef struct io_store io_store; /* opaque */

/* ---- opening and closing ------------------------------------------------ */

/* Open the results database at 'path' for writing, creating the file and
 * the schema when the file is new or empty.  An existing file must be a
 * hetsim results database (application_id IO_STORE_APPLICATION_ID) of
 * schema version IO_STORE_SCHEMA_VERSION; anything else (a text file, a
 * foreign SQLite database, a newer schema) is HS_EINPUT and the file is
 * left untouched.  Sets journal_mode=WAL, synchronous=NORMAL and
 * foreign_keys=ON.  On HS_OK '*out' owns the store (free it with
 * io_store_close()); otherwise '*out' is NULL.  Errors: HS_EINPUT, HS_EIO.
 */
int io_store_open(const char *path, io_store **out, hs_diag *d);

/* Open an existing results database read-only, for reports: the file
 * must exist and pass the same checks; nothing is created or changed
 * (PRAGMA query_only), and closing the store leaves no -wal or -shm file
 * behind unless another connection still has the file open (or the file
 * is write-protected).  Row appenders and runs fail with HS_EIO on such
 * a store. */
int io_store_open_read(const char *path, io_store **out, hs_diag *d);

/* Commit pending rows (best effort: a failure here is silent, so call
 * io_store_flush() or io_store_end_run() first when it matters), finalize
 * every statement and close the file.  Runs not ended stay 'running'.
 * NULL is a no-op. */
void io_store_close(io_store *s);

/* The path the store was opened with (borrowed, lives as long as 's'). */
const char *io_store_path(const io_store *s);

/* Rows per batch transaction, >= 1 (asserted).  Smaller batches make rows
 * visible to other readers sooner; larger ones write faster. */
void io_store_set_batch_rows(io_store *s, size_t rows);

/* Commit the pending batch now, if any.  Errors: HS_EIO. */
int io_store_flush(io_store *s, hs_diag *d);

/* ---- runs --------------------------------------------------------------- */

/* How a run ended. */
typedef enum io_run_status {
    IO_RUN_DONE,       /* "done": every row written, results complete */
    IO_RUN_FAILED,     /* "failed": stopped by an error */
    IO_RUN_INTERRUPTED /* "interrupted": stopped by the user (signal) */
} io_run_status;

/* "done", "failed" or "interrupted". */
const char *io_run_status_name(io_run_status st);

/* Commit any pending rows, then insert a runs row (records.h) with the
 * columns of 'info' up to started_at -- every string borrowed for the
 * call only and NULL when unknown, except 'name' -- status 'running' and
 * wall_s, sim_s and events NULL (whatever 'info' holds there), and commit
 * it at once, so the run is visible (as unfinished) even if the process
 * dies next.  Stores the new run's id, one more than any
 * id the file ever had, in '*run_id'.  Earlier runs are not touched.
 * Errors: HS_EIO. */
int io_store_begin_run(io_store *s, const rec_run_row *info, int64_t *run_id,
                       hs_diag *d);

/* Finish run 'run_id': commit its pending rows, then, last and in its own
 * transaction, set status, wall_s (wall-clock seconds), sim_s (simulated
 * seconds) and events (events fired).  If the pending rows cannot be
 * committed, or a row of this run failed to append earlier, a requested
 * IO_RUN_DONE is recorded as 'failed' instead and HS_EIO is returned: a
 * run is never marked done with rows missing.  Errors: HS_EINPUT when
 * 'run_id' is not a 'running' run of this file; HS_EIO. */
int io_store_end_run(io_store *s, int64_t run_id, io_run_status status,
                     double wall_s, double sim_s, uint64_t events, hs_diag *d);

/* io_store_end_run() with runs.message set to 'message' (borrowed for
 * the call; NULL for none): why a run ended 'failed' or 'interrupted'.
 * A run that ends 'failed' (asked for, or a 'done' that lost rows, whose
 * message then says so) keeps no row but its runs row: the rows it wrote
 * are deleted first, in one transaction, so no half-written results are
 * left behind.  An 'interrupted' run keeps its rows.  Same errors. */
int io_store_end_run_msg(io_store *s, int64_t run_id, io_run_status status,
                         const char *message, double wall_s, double sim_s,
                         uint64_t events, hs_diag *d);

/* ---- row appenders --------------------------------------------------------
 *
 * io_store_add() appends one row of table 'table' (any but REC_T_runs,
 * asserted: runs are begun and ended above) for run 'run_id', which must
 * exist (foreign key), to the current batch transaction.  'row' points to
 * the table's struct (records.h: srv_request_rec for REC_T_requests, ...);
 * its strings are borrowed for the call only.  Each column is stored by
 * its type: a NULL string, a NaN double and a negative _OPT integer as
 * SQL NULL ("none" / "not reached"), a request status as its name.  Times
 * are simulated seconds from the start of the run; bytes are bytes.
 * O(log rows) (index updates), no allocation.  Errors: HS_EIO (the row is
 * not stored, and the run can no longer end 'done').
 *
 * io_store_add_<table>() is the same with the row's type checked, e.g.
 * io_store_add_requests(s, run_id, &rec, d).
 */
int io_store_add(io_store *s, int64_t run_id, rec_table_id table,
                 const void *row, hs_diag *d);

#define IO_STORE_ADDER(table, ctype, index, unique, keys, title, note)        \
    static inline int io_store_add_##table(io_store *s, int64_t run_id,       \
                                           const ctype *row, hs_diag *d)      \
    {                                                                         \
        return io_store_add(s, run_id, REC_T_##table, row, d);                \
    }
REC_TABLES(IO_STORE_ADDER)
#undef IO_STORE_ADDER

/* One summary number (a metrics row): 'scope' is "run", an instance name
 * or another scope of records.h; 'name' a metric name (rec_metric_name()).
 * (run_id, scope, name) is unique: a second value for the same key is
 * HS_EIO.  NaN is stored as NULL. */
int io_store_add_metric(io_store *s, int64_t run_id, const char *scope,
                        const char *name, double value, hs_diag *d);

/* ---- reading ------------------------------------------------------------ */

/* SQL storage class of one value. */
typedef enum io_value_type {
    IO_VALUE_NULL,
    IO_VALUE_INTEGER,
    IO_VALUE_REAL,
    IO_VALUE_TEXT,
    IO_VALUE_BLOB
} io_value_type;

/* One result row, valid only during the callback.  'values[i]' is the
 * column as text (SQLite's conversion: REAL with 15 significant digits)
 * or NULL for SQL NULL; 'types[i]' its storage class. */
typedef struct io_row {
    int n_cols;
    const char *const *names;
    const char *const *values;
    const io_value_type *types;
} io_row;

/* Called once per row.  Return 0 to go on; any other value stops the
 * query, and io_store_query() returns that value. */
typedef int (*io_row_fn)(void *ctx, const io_row *row);

/* Run one read-only SQL statement ('sql', no trailing statement) with
 * 'n_params' text parameters bound to ?1..?n (NULL entries bind SQL
 * NULL), calling 'fn' for each row in order.  Sees this store's pending
 * rows.  Returns HS_OK, the callback's nonzero value, HS_EINPUT (SQL that
 * does not compile, writes, or has more than one statement) or HS_EIO.
 * Allocates O(columns) per call, not per row. */
int io_store_query(io_store *s, const char *sql, const char *const *params,
                   int n_params, io_row_fn fn, void *ctx, hs_diag *d);

/* ---- copying runs between files (io_merge.c) ---------------------------- */

/* Copy runs of the results file 'src' (checked as io_store_open_read()
 * checks it) into 's' -- every run in run_id order, or only run 'only'
 * when it is >= 0 -- each as a new run of 's' (its id one more than any
 * 's' ever had) with every row of every table, in their order, and its
 * status, message and times as they are.  Each run is copied in one
 * transaction, so a reader of 's' never sees part of one.  Pending rows
 * of 's' are committed first.  On HS_OK '*from' and '*to' (may be NULL)
 * are new arrays of the '*n' old and new ids.  Errors: HS_EINPUT ('src'
 * is not a results file of this schema), HS_EIO. */
int io_store_merge(io_store *s, const char *src, int64_t only, int64_t **from,
                   int64_t **to, size_t *n, hs_diag *d);

/* ---- run logs (io_log.c) -------------------------------------------------
 *
 * A store opened with io_store_open_log() writes no database: its runs,
 * rows and metrics go to a log file as a compact binary stream, which
 * io_store_replay() applies to a real store later, in order and bit for
 * bit (the workers of 'hetsim sweep -j N' write logs; the one writer
 * replays them, so each row goes through SQLite once).  Only begin_run,
 * add, add_metric, end_run, flush, path and close work on it; queries
 * fail (HS_EIO).  A log is read back on the machine that wrote it. */
int io_store_open_log(const char *path, io_store **out, hs_diag *d);

/* Apply the log at 'path' to 's': each run begun anew in 's' (its id in
 * '*last_run' for the last one, -1 when none), its rows added and its
 * end recorded as the log says.  Errors: HS_EIO (unreadable), HS_EINPUT
 * (a log cut short: what came before is applied), or the store's. */
int io_store_replay(io_store *s, const char *path, int64_t *last_run,
                    hs_diag *d);

#endif /* HETSIM_STORE_H */
