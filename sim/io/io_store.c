/*
 * io_store.c -- the SQLite results store behind include/hetsim/store.h:
 * schema creation and version checks, the run lifecycle, batched row
 * appenders with cached prepared statements, and a read-only query
 * callback for reports.  The schema -- tables, INSERT statements and the
 * layout of every row -- comes from the tables of records.h (bump
 * IO_STORE_SCHEMA_VERSION on any change there); one generic loop binds a
 * row of any table, column by column (io_sql_bind.c).
 *
 * Invariants (between calls):
 *   I1  s->in_txn == !sqlite3_get_autocommit(s->db): the only transaction
 *       ever open is the batch transaction this file opened.
 *   I2  s->pending == 0 when !s->in_txn; rows counted in s->pending are
 *       uncommitted, and their run ids are listed in s->batch_runs.
 *   I3  a run listed in s->lost had a row that is not in the file; it
 *       can no longer be marked 'done'.
 *   I4  every statement in s->st is reset with its bindings cleared, so
 *       no borrowed caller string is referenced after a call returns.
 */
#include "hetsim/store.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "io_log_int.h"
#include "io_sql_bind.h"
#include "io_store_int.h"

/* ---- statements --------------------------------------------------------- */

/* The statements the store runs more than once, prepared at open: the
 * fixed ones below, then the INSERT of each table (ST_INSERT + its
 * rec_table_id). */
enum stmt_id {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_RUN_END,
    ST_INSERT,
    N_STMT = ST_INSERT + REC_N_TABLES
};

static const char *const fixed_sql[ST_INSERT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_RUN_END] = ("UPDATE runs SET status = ?2, wall_s = ?3, sim_s = ?4,"
                    " events = ?5, message = ?6"
                    " WHERE run_id = ?1 AND status = 'running'"),
};

struct io_store {
    io_log *log; /* a log store (io_store_open_log): no database */
    sqlite3 *db;
    char *path;
    sqlite3_stmt *st[N_STMT];
    size_t batch_rows; /* commit after this many rows */
    size_t pending;    /* rows in the open batch transaction */
    bool in_txn;
    int64_t *batch_runs; /* runs with rows in the open batch */
    size_t n_batch_runs, cap_batch_runs;
    int64_t *lost; /* runs that lost a row (I3) */
    size_t n_lost, cap_lost;
    io_runlock lock; /* the runs this process writes (io_runlock.c) */
};

/* ---- errors ------------------------------------------------------------- */

static hs_loc where(const io_store *s)
{
    hs_loc at = {s->path, 0, 0};

    return at;
}

/* Report a failed SQLite call on 's' with SQLite's message; HS_EIO. */
static int db_fail(io_store *s, hs_diag *d, const char *what)
{
    hs_diag_error(d, where(s), "%s: %s", what, sqlite3_errmsg(s->db));
    return HS_EIO;
}

/* Report a misuse or a bad file; HS_EINPUT. */
static int bad_input(io_store *s, hs_diag *d, const char *what)
{
    return hs_diag_error(d, where(s), "%s", what);
}

/* ---- small helpers ------------------------------------------------------ */

static bool contains(const int64_t *v, size_t n, int64_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

static void push_id(int64_t **v, size_t *n, size_t *cap, int64_t x)
{
    if (contains(*v, *n, x))
        return;
    hs_grow((void **)v, cap, *n + 1, sizeof(int64_t));
    (*v)[(*n)++] = x;
}

/* Step a statement that returns no rows; restore I4 whatever happens.
 * Returns the sqlite3_step() code; the error message stays readable via
 * sqlite3_errmsg() until the next call on the connection. */
static int run_stmt(io_store *s, enum stmt_id id, char *msg, size_t len)
{
    sqlite3_stmt *st = s->st[id];
    int rc = sqlite3_step(st);

    if (rc != SQLITE_DONE && msg != NULL)
        snprintf(msg, len, "%s", sqlite3_errmsg(s->db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Step statement 'id' whose parameters were bound with the OR-ed result
 * 'bind_rc': a failed bind fails the step without running it. */
static int step_bound(io_store *s, enum stmt_id id, int bind_rc, char *msg,
                      size_t len)
{
    if (bind_rc == SQLITE_OK)
        return run_stmt(s, id, msg, len);
    snprintf(msg, len, "%s", sqlite3_errmsg(s->db));
    sqlite3_clear_bindings(s->st[id]);
    return SQLITE_ERROR;
}

/* ---- the batch transaction ---------------------------------------------- */

/* The batch transaction went away without a commit (SQLite rolls back on
 * some I/O errors): every run with rows in it lost them. */
static void batch_lost(io_store *s)
{
    for (size_t i = 0; i < s->n_batch_runs; i++)
        push_id(&s->lost, &s->n_lost, &s->cap_lost, s->batch_runs[i]);
    s->n_batch_runs = 0;
    s->pending = 0;
    s->in_txn = false;
}

static int begin_batch(io_store *s, hs_diag *d)
{
    char msg[256];

    if (run_stmt(s, ST_BEGIN, msg, sizeof msg) != SQLITE_DONE) {
        hs_diag_error(d, where(s), "cannot begin a transaction: %s", msg);
        return HS_EIO;
    }
    s->in_txn = true;
    return HS_OK;
}

int io_store_flush(io_store *s, hs_diag *d)
{
    char msg[256];

    if (!s->in_txn || s->log != NULL)
        return HS_OK;
    if (run_stmt(s, ST_COMMIT, msg, sizeof msg) != SQLITE_DONE) {
        hs_diag_error(d, where(s), "cannot commit %zu rows: %s", s->pending,
                      msg);
        if (sqlite3_get_autocommit(s->db))
            batch_lost(s); /* rolled back by SQLite */
        return HS_EIO;
    }
    s->in_txn = false;
    s->pending = 0;
    s->n_batch_runs = 0;
    return HS_OK;
}

/* Give up on the open batch (after a failed commit that left it open):
 * its rows are lost.  Restores I1. */
static void abandon_batch(io_store *s)
{
    if (!s->in_txn)
        return;
    run_stmt(s, ST_ROLLBACK, NULL, 0);
    batch_lost(s);
}

/* Remember that the open batch holds rows of 'run_id' (I2).  O(1) while
 * one run is being written. */
static void note_batch_run(io_store *s, int64_t run_id)
{
    if (s->n_batch_runs > 0 && s->batch_runs[s->n_batch_runs - 1] == run_id)
        return;
    push_id(&s->batch_runs, &s->n_batch_runs, &s->cap_batch_runs, run_id);
}

/* Step the bound insert 'id' for run 'run_id' in the batch transaction,
 * opening it first when needed and committing it when full.  'bind_rc'
 * is the OR of the bind results. */
static int append(io_store *s, enum stmt_id id, int64_t run_id, int bind_rc,
                  hs_diag *d)
{
    char msg[256];

    if (!s->in_txn && bind_rc == SQLITE_OK && begin_batch(s, d) != HS_OK) {
        sqlite3_clear_bindings(s->st[id]);
        push_id(&s->lost, &s->n_lost, &s->cap_lost, run_id);
        return HS_EIO;
    }
    if (step_bound(s, id, bind_rc, msg, sizeof msg) != SQLITE_DONE) {
        if (s->in_txn && sqlite3_get_autocommit(s->db))
            batch_lost(s); /* SQLite rolled the batch back */
        push_id(&s->lost, &s->n_lost, &s->cap_lost, run_id);
        hs_diag_error(
            d, where(s), "cannot add a row to %s (run %" PRId64 "): %s",
            rec_table_get((rec_table_id)(id - ST_INSERT))->name, run_id, msg);
        return HS_EIO;
    }
    note_batch_run(s, run_id);
    if (++s->pending >= s->batch_rows)
        return io_store_flush(s, d);
    return HS_OK;
}

/* ---- opening ------------------------------------------------------------ */

/* What the file header says about the database. */
typedef struct header {
    int64_t app_id;
    int64_t version;
    int64_t n_objects; /* rows in sqlite_schema */
} header;

/* Evaluate a one-row, one-integer query. */
static int query_int(io_store *s, const char *sql, int64_t *out, hs_diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_NOTADB) {
            hs_diag_error(d, where(s), "not a SQLite database (%s)",
                          sqlite3_errmsg(s->db));
            rc = HS_EINPUT;
        } else if ((rc & 0xff) == SQLITE_CORRUPT) {
            /* The file named is damaged (truncated, overwritten): bad
             * input, as a file that is not a database is. */
            hs_diag_error(d, where(s), "a damaged SQLite database (%s)",
                          sqlite3_errmsg(s->db));
            rc = HS_EINPUT;
        } else {
            rc = db_fail(s, d, "cannot read the database header");
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static int read_header(io_store *s, header *h, hs_diag *d)
{
    int rc = query_int(s, "PRAGMA application_id", &h->app_id, d);

    if (rc == HS_OK)
        rc = query_int(s, "PRAGMA user_version", &h->version, d);
    if (rc == HS_OK)
        rc = query_int(s, "SELECT count(*) FROM sqlite_schema", &h->n_objects,
                       d);
    return rc;
}

static bool is_fresh(const header *h)
{
    return h->app_id == 0 && h->version == 0 && h->n_objects == 0;
}

static int check_header(io_store *s, const header *h, hs_diag *d)
{
    if (h->app_id != IO_STORE_APPLICATION_ID) {
        hs_diag_error(d, where(s),
                      "not a hetsim results database (application_id "
                      "%" PRId64 ", user_version %" PRId64 ")",
                      h->app_id, h->version);
        return HS_EINPUT;
    }
    if (h->version > IO_STORE_SCHEMA_VERSION) {
        hs_diag_error(d, where(s),
                      "results schema version %" PRId64 " is newer than "
                      "this hetsim supports (%d); use a newer hetsim",
                      h->version, IO_STORE_SCHEMA_VERSION);
        return HS_EINPUT;
    }
    if (h->version != IO_STORE_SCHEMA_VERSION) {
        hs_diag_error(d, where(s),
                      "unknown results schema version %" PRId64
                      " (this hetsim supports %d)",
                      h->version, IO_STORE_SCHEMA_VERSION);
        return HS_EINPUT;
    }
    return HS_OK;
}

static int exec(io_store *s, const char *sql, const char *what, hs_diag *d)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, d, what);
    return HS_OK;
}

/* Create the schema in one transaction, unless another process did so
 * since 'read_header' looked (BEGIN IMMEDIATE serialises creators). */
static int create_schema(io_store *s, hs_diag *d)
{
    char pragmas[128];
    header h;
    int rc = exec(s, "BEGIN IMMEDIATE", "cannot create the schema", d);

    if (rc != HS_OK)
        return rc;
    rc = read_header(s, &h, d);
    if (rc == HS_OK && is_fresh(&h)) {
        snprintf(pragmas, sizeof pragmas,
                 "PRAGMA application_id = %d; PRAGMA user_version = %d;",
                 IO_STORE_APPLICATION_ID, IO_STORE_SCHEMA_VERSION);
        for (size_t i = 0; rc == HS_OK && i < rec_schema_count(); i++) {
            char *sql = rec_schema_sql(i);

            rc = exec(s, sql, "cannot create the schema", d);
            free(sql);
        }
        if (rc == HS_OK)
            rc = exec(s, pragmas, "cannot set the schema version", d);
    }
    if (rc == HS_OK)
        return exec(s, "COMMIT", "cannot commit the schema", d);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Check the file is ours, creating the schema in a fresh writable one. */
static int check_schema(io_store *s, bool writable, hs_diag *d)
{
    header h;
    int rc = read_header(s, &h, d);

    if (rc == HS_OK && writable && is_fresh(&h)) {
        rc = create_schema(s, d);
        if (rc == HS_OK)
            rc = read_header(s, &h, d);
    }
    if (rc == HS_OK)
        rc = check_header(s, &h, d);
    return rc;
}

/* Settings for long bulk writes: WAL so readers (reports) never block the
 * writer and commits are sequential appends; synchronous=NORMAL is safe
 * against application crashes in WAL mode (a power loss may drop the last
 * commits, never corrupt the file); a 32 MiB page cache keeps the index
 * pages of large tables hot. */
static int configure(io_store *s, hs_diag *d)
{
    return exec(s,
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                " PRAGMA foreign_keys = ON; PRAGMA cache_size = -32768;",
                "cannot configure the database", d);
}

static int prepare_all(io_store *s, hs_diag *d)
{
    for (int i = 0; i < N_STMT; i++) {
        char *sql = i < ST_INSERT
                        ? hs_strdup(fixed_sql[i])
                        : rec_insert_sql((rec_table_id)(i - ST_INSERT));
        int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                    &s->st[i], NULL);

        free(sql);
        if (rc != SQLITE_OK)
            return db_fail(s, d, "cannot prepare a statement");
    }
    return HS_OK;
}

/* A store opened for reading opens the file read-write where the OS lets
 * it (never creating it) and forbids every change with query_only: a
 * read-only connection to a WAL database leaves its -wal and -shm files
 * behind, while the last read-write connection to close checkpoints and
 * removes them.  A write-protected file is opened read-only. */
static int open_flags(bool writable)
{
    /* NOMUTEX: a store is used by one thread at a time (store.h), so
     * SQLite's per-call connection mutex is pure overhead. */
    return SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE |
           (writable ? SQLITE_OPEN_CREATE : 0);
}

static int open_store(const char *path, bool writable, io_store **out,
                      hs_diag *d)
{
    io_store *s = hs_calloc(1, sizeof *s);
    int flags = open_flags(writable);
    int rc = HS_OK;

    *out = NULL;
    io_runlock_init(&s->lock);
    s->path = hs_strdup(path);
    s->batch_rows = IO_STORE_BATCH_ROWS;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        rc = db_fail(s, d, "cannot open the results database");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    if (!writable)
        rc = exec(s, "PRAGMA query_only = ON", "cannot open read-only", d);
    if (rc == HS_OK)
        rc = check_schema(s, writable, d);
    if (rc == HS_OK && writable)
        rc = configure(s, d);
    if (rc == HS_OK)
        rc = prepare_all(s, d);
    if (rc != HS_OK)
        goto fail;
    *out = s;
    return HS_OK;
fail:
    io_store_close(s);
    return rc;
}

int io_store_open(const char *path, io_store **out, hs_diag *d)
{
    return open_store(path, true, out, d);
}

int io_store_open_read(const char *path, io_store **out, hs_diag *d)
{
    return open_store(path, false, out, d);
}

int io_store_open_log(const char *path, io_store **out, hs_diag *d)
{
    io_store *s = hs_calloc(1, sizeof *s);

    io_runlock_init(&s->lock);
    s->path = hs_strdup(path);
    s->log = io_log_create(path);
    if (s->log == NULL) {
        hs_diag_error(d, where(s), "cannot create the run log");
        io_store_close(s);
        *out = NULL;
        return HS_EIO;
    }
    *out = s;
    return HS_OK;
}

void io_store_close(io_store *s)
{
    if (s == NULL)
        return;
    io_log_close(s->log);
    if (s->in_txn && io_store_flush(s, NULL) != HS_OK)
        abandon_batch(s);
    for (int i = 0; i < N_STMT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    io_runlock_close(&s->lock);
    free(s->batch_runs);
    free(s->lost);
    free(s->path);
    free(s);
}

io_writer io_store_writer(io_store *s, int64_t run_id)
{
    return s->log != NULL ? IO_WRITER_UNKNOWN
                          : io_runlock_probe(&s->lock, s->path, run_id);
}

const char *io_store_path(const io_store *s)
{
    return s->path;
}

void io_store_set_batch_rows(io_store *s, size_t rows)
{
    HS_ASSERT(rows >= 1);
    s->batch_rows = rows;
}

/* ---- runs --------------------------------------------------------------- */

const char *io_run_status_name(io_run_status st)
{
    switch (st) {
    case IO_RUN_DONE:
        return "done";
    case IO_RUN_FAILED:
        return "failed";
    case IO_RUN_INTERRUPTED:
        return "interrupted";
    }
    HS_UNREACHABLE("bad io_run_status");
}

int io_store_begin_run(io_store *s, const rec_run_row *info, int64_t *run_id,
                       hs_diag *d)
{
    enum stmt_id id = ST_INSERT + REC_T_runs;
    rec_run_row row = *info;
    char msg[256];
    int rc;

    if (info->name == NULL)
        return bad_input(s, d, "a run needs a name");
    if (s->log != NULL)
        return io_log_begin(s->log, info, run_id);
    rc = io_store_flush(s, d);
    if (rc != HS_OK)
        return rc;
    row.wall_s = row.sim_s = (double)NAN;
    row.events = -1;
    row.status = "running";
    rc = io_bind_record(s->st[id], 1, rec_table_get(REC_T_runs), &row);
    if (step_bound(s, id, rc, msg, sizeof msg) != SQLITE_DONE) {
        hs_diag_error(d, where(s), "cannot record a new run: %s", msg);
        return HS_EIO;
    }
    *run_id = sqlite3_last_insert_rowid(s->db);
    (void)io_runlock_take(&s->lock, s->path, *run_id);
    return HS_OK;
}

/* Write the final status of 'run_id'; HS_EINPUT if it is not running. */
static int mark_run(io_store *s, int64_t run_id, const char *status,
                    const char *message, double wall_s, double sim_s,
                    uint64_t events, hs_diag *d)
{
    sqlite3_stmt *st = s->st[ST_RUN_END];
    int64_t ev = events > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)events;
    char msg[256];
    int rc = io_bind_int(st, 1, run_id) | io_bind_text(st, 2, status) |
             io_bind_real(st, 3, wall_s) | io_bind_real(st, 4, sim_s) |
             io_bind_int(st, 5, ev) | io_bind_text(st, 6, message);

    if (step_bound(s, ST_RUN_END, rc, msg, sizeof msg) != SQLITE_DONE) {
        hs_diag_error(d, where(s), "cannot mark run %" PRId64 " %s: %s",
                      run_id, status, msg);
        return HS_EIO;
    }
    if (sqlite3_changes(s->db) == 0) {
        hs_diag_error(d, where(s),
                      "run %" PRId64 " is not a running run of this file",
                      run_id);
        return HS_EINPUT;
    }
    return HS_OK;
}

/* Mark running run 'run_id' 'failed' and delete its other rows, in one
 * transaction (the batch is committed or abandoned before): a reader
 * never sees a failed run with rows, nor a finished run lose them. */
static int fail_run(io_store *s, int64_t run_id, const char *message,
                    double wall_s, double sim_s, uint64_t events, hs_diag *d)
{
    char *sql = hs_strdup("BEGIN IMMEDIATE;");
    int rc;

    _Static_assert(REC_T_runs == 0, "the runs table comes first");
    for (size_t t = REC_T_runs + 1; t < REC_N_TABLES; t++) {
        char *more =
            hs_asprintf("%s DELETE FROM %s WHERE run_id = %" PRId64 ";", sql,
                        rec_table_get((rec_table_id)t)->name, run_id);

        free(sql);
        sql = more;
    }
    rc = exec(s, sql, "cannot discard a failed run's rows", d);
    free(sql);
    if (rc == HS_OK)
        rc = mark_run(s, run_id, io_run_status_name(IO_RUN_FAILED), message,
                      wall_s, sim_s, events, d);
    if (rc == HS_OK)
        return exec(s, "COMMIT", "cannot end a failed run", d);
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int io_store_end_run(io_store *s, int64_t run_id, io_run_status status,
                     double wall_s, double sim_s, uint64_t events, hs_diag *d)
{
    return io_store_end_run_msg(s, run_id, status, NULL, wall_s, sim_s, events,
                                d);
}

int io_store_end_run_msg(io_store *s, int64_t run_id, io_run_status status,
                         const char *message, double wall_s, double sim_s,
                         uint64_t events, hs_diag *d)
{
    int rc, mark_rc;

    if (s->log != NULL)
        return io_log_end(s->log, run_id, status, message, wall_s, sim_s,
                          events);
    rc = io_store_flush(s, d);
    if (rc != HS_OK)
        abandon_batch(s); /* the rows are lost: record that, below */
    if (status == IO_RUN_DONE && contains(s->lost, s->n_lost, run_id)) {
        status = IO_RUN_FAILED;
        message = "some of the run's rows could not be written";
        if (rc == HS_OK) {
            hs_diag_error(d, where(s), "run %" PRId64 " lost rows; %s", run_id,
                          "marked failed, not done");
            rc = HS_EIO;
        }
    }
    if (status == IO_RUN_FAILED) /* a failed run keeps no partial rows */
        mark_rc = fail_run(s, run_id, message, wall_s, sim_s, events, d);
    else
        mark_rc = mark_run(s, run_id, io_run_status_name(status), message,
                           wall_s, sim_s, events, d);
    io_runlock_release(&s->lock, run_id);
    return rc != HS_OK ? rc : mark_rc;
}

/* ---- row appenders ------------------------------------------------------ */

int io_store_add(io_store *s, int64_t run_id, rec_table_id table,
                 const void *row, hs_diag *d)
{
    enum stmt_id id = ST_INSERT + table;
    sqlite3_stmt *st = s->st[id];
    int rc;

    HS_ASSERT(table != REC_T_runs && table < REC_N_TABLES);
    if (s->log != NULL)
        return io_log_add(s->log, run_id, table, row);
    rc = io_bind_int(st, 1, run_id) |
         io_bind_record(st, 2, rec_table_get(table), row);
    return append(s, id, run_id, rc, d);
}

int io_store_add_metric(io_store *s, int64_t run_id, const char *scope,
                        const char *name, double value, hs_diag *d)
{
    rec_metric_row m = {scope, name, value};

    return io_store_add(s, run_id, REC_T_metrics, &m, d);
}

/* ---- reading ------------------------------------------------------------ */

/* Authorizer for io_store_query(): reading only.  Transaction control is
 * refused too (sqlite3_stmt_readonly() lets BEGIN and COMMIT through),
 * since it would break the batch transaction (I1). */
static int read_only(void *ctx, int action, const char *a, const char *b,
                     const char *db, const char *trigger)
{
    (void)ctx;
    (void)a;
    (void)db;
    (void)trigger;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_PRAGMA:
        return b == NULL ? SQLITE_OK : SQLITE_DENY; /* reads only */
    default:
        return SQLITE_DENY;
    }
}

static int prepare_query(io_store *s, const char *sql, sqlite3_stmt **st,
                         hs_diag *d)
{
    const char *tail = NULL;
    int rc;

    sqlite3_set_authorizer(s->db, read_only, NULL);
    rc = sqlite3_prepare_v2(s->db, sql, -1, st, &tail);
    sqlite3_set_authorizer(s->db, NULL, NULL);
    if (rc != SQLITE_OK) {
        hs_diag_error(d, where(s), "bad query: %s", sqlite3_errmsg(s->db));
        return HS_EINPUT;
    }
    if (*st == NULL)
        return bad_input(s, d, "empty query");
    tail += strspn(tail, " \t\r\n;");
    if (*tail != '\0')
        return bad_input(s, d, "a query must be a single statement");
    if (!sqlite3_stmt_readonly(*st))
        return bad_input(s, d, "a query may not modify the database");
    return HS_OK;
}

static int bind_params(io_store *s, sqlite3_stmt *st,
                       const char *const *params, int n_params, hs_diag *d)
{
    if (n_params > sqlite3_bind_parameter_count(st)) {
        hs_diag_error(d, where(s), "query takes %d parameters, not %d",
                      sqlite3_bind_parameter_count(st), n_params);
        return HS_EINPUT;
    }
    for (int i = 0; i < n_params; i++)
        if (io_bind_text(st, i + 1, params[i]) != SQLITE_OK)
            return db_fail(s, d, "cannot bind a query parameter");
    return HS_OK;
}

static io_value_type value_type(int sqlite_type)
{
    switch (sqlite_type) {
    case SQLITE_INTEGER:
        return IO_VALUE_INTEGER;
    case SQLITE_FLOAT:
        return IO_VALUE_REAL;
    case SQLITE_TEXT:
        return IO_VALUE_TEXT;
    case SQLITE_BLOB:
        return IO_VALUE_BLOB;
    default:
        return IO_VALUE_NULL;
    }
}

/* Step 'st' to the end, handing each row to 'fn'.  Returns HS_OK, the
 * callback's nonzero value, or HS_EIO. */
static int each_row(io_store *s, sqlite3_stmt *st, io_row_fn fn, void *ctx,
                    hs_diag *d)
{
    int n = sqlite3_column_count(st);
    const char **names = hs_calloc((size_t)n + 1, sizeof(char *));
    const char **values = hs_calloc((size_t)n + 1, sizeof(char *));
    io_value_type *types = hs_calloc((size_t)n + 1, sizeof(io_value_type));
    io_row row = {n, names, values, types};
    int step = SQLITE_DONE;
    int rc = HS_OK;

    while (rc == HS_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++) {
            /* Names after the step: a step may re-prepare the statement
             * (setting the authorizer expires it), which frees them. */
            names[i] = sqlite3_column_name(st, i);
            /* The type first: fetching the text converts the value. */
            types[i] = value_type(sqlite3_column_type(st, i));
            values[i] = (const char *)sqlite3_column_text(st, i);
        }
        rc = fn(ctx, &row);
    }
    if (rc == HS_OK && step != SQLITE_DONE)
        rc = db_fail(s, d, "query failed");
    free(names);
    free(values);
    free(types);
    return rc;
}

int io_store_query(io_store *s, const char *sql, const char *const *params,
                   int n_params, io_row_fn fn, void *ctx, hs_diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (s->log != NULL) {
        hs_diag_error(d, where(s), "a run log cannot be queried");
        return HS_EIO;
    }
    rc = prepare_query(s, sql, &st, d);
    if (rc == HS_OK)
        rc = bind_params(s, st, params, n_params, d);
    if (rc == HS_OK)
        rc = each_row(s, st, fn, ctx, d);
    sqlite3_finalize(st);
    return rc;
}

/* ---- for the merge (io_store_int.h) ------------------------------------- */

sqlite3 *io_store_db(io_store *s)
{
    return s->db;
}
