/*
 * store.h -- the SQLite results store: one database file holds any number
 * of runs, each with its per-request, per-step, per-instance, per-transfer,
 * time-series, per-session and summary-metric rows, plus the analytic
 * points written by 'hetsim oicf --db'.  The tables, views and units are
 * documented in docs/schema.md.
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

#include "hetsim/util.h"

/* Schema version stored in PRAGMA user_version. */
#define IO_STORE_SCHEMA_VERSION 1
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
 * must exist and pass the same checks; nothing is created or changed.
 * Row appenders and runs fail with HS_EIO on such a store. */
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

/* What a run is; every string is borrowed for the call only and may be
 * NULL (stored as SQL NULL), except 'name'. */
typedef struct io_run_info {
    const char *name;          /* scenario name, required */
    const char *variant;       /* variant name, NULL for the base scenario */
    const char *scenario_path; /* as given on the command line */
    const char *scenario_yaml; /* full scenario text, for reproduction */
    int64_t seed;
    const char *version;    /* hetsim version, e.g. HETSIM_VERSION */
    const char *started_at; /* wall-clock start, ISO-8601 text */
} io_run_info;

/* How a run ended. */
typedef enum io_run_status {
    IO_RUN_DONE,       /* "done": every row written, results complete */
    IO_RUN_FAILED,     /* "failed": stopped by an error */
    IO_RUN_INTERRUPTED /* "interrupted": stopped by the user (signal) */
} io_run_status;

/* "done", "failed" or "interrupted". */
const char *io_run_status_name(io_run_status st);

/* Commit any pending rows, then insert a runs row with status 'running'
 * and commit it at once, so the run is visible (as unfinished) even if
 * the process dies next.  Stores the new run's id, one more than any
 * id the file ever had, in '*run_id'.  Earlier runs are not touched.
 * Errors: HS_EIO. */
int io_store_begin_run(io_store *s, const io_run_info *info, int64_t *run_id,
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

/* ---- row appenders --------------------------------------------------------
 *
 * Each appends one row for run 'run_id' (which must exist: foreign key)
 * to the current batch transaction.  Strings are borrowed for the call
 * only.  Conventions, unless a field says otherwise: a NULL string and a
 * NaN double are stored as SQL NULL ("none" / "not reached"); an integer
 * documented as "< 0 = none" is stored as NULL when negative.  Times are
 * simulated seconds from the start of the run; bytes are bytes.
 * O(log rows) (index updates), no allocation.  Errors: HS_EIO (the row is
 * not stored, and the run can no longer end 'done').
 */

/* One request, written once, when it ends (see docs/schema.md). */
typedef struct io_request_row {
    int64_t request_id; /* unique within the run */
    const char *source; /* workload source name */
    int64_t session_id; /* agent session, < 0 = none */
    int64_t turn;       /* call index in its session, < 0 = none */
    double arrival_s;
    int64_t prompt_tokens;        /* whole prompt, cached part included */
    int64_t cached_tokens;        /* prompt tokens served from a KV prefix */
    int64_t output_tokens;        /* tokens generated */
    const char *prefill_instance; /* instance name */
    const char *decode_instance;  /* NULL when prefill and decode coincide
                                     or decode never started */
    double first_token_s;         /* NaN when never reached */
    double finish_s;              /* NaN when unfinished */
    double ttft_s;                /* first_token_s - arrival_s */
    double tpot_s;                /* (finish - first token)/(output - 1) */
    double e2e_s;                 /* finish_s - arrival_s */
    double queue_s;               /* waiting before first admission */
    double kv_transfer_s;         /* P/D KV transfer time, 0 monolithic */
    int64_t preemptions;
    const char *status; /* "done", "dropped" or "unfinished" */
} io_request_row;

int io_store_add_request(io_store *s, int64_t run_id, const io_request_row *r,
                         hs_diag *d);

/* One batch iteration (or fast-forwarded span of iterations) of one
 * instance. */
typedef struct io_step_row {
    const char *instance;
    double start_s;
    double end_s;
    const char *phase;      /* "prefill", "decode" or "mixed" */
    int64_t batch_size;     /* sequences in the batch */
    int64_t prefill_tokens; /* new prompt tokens processed */
    int64_t decode_tokens;  /* tokens generated */
    double flops;
    double bytes;         /* off-chip bytes moved */
    double oi;            /* flops / bytes */
    double cf_bytes;      /* capacity footprint of the step */
    double kv_used_bytes; /* KV memory in use at the start */
    const char *bound;    /* "compute", "bandwidth", "link", "capacity" */
} io_step_row;

int io_store_add_step(io_store *s, int64_t run_id, const io_step_row *r,
                      hs_diag *d);

/* One serving instance (a model replica on 'tp' devices), written at the
 * end of the run.  'instance' is unique within the run. */
typedef struct io_instance_row {
    const char *instance;
    const char *role;   /* "monolithic", "prefill" or "decode" */
    const char *device; /* device type name */
    int64_t count;      /* replicas this row stands for (usually 1) */
    int64_t tp;         /* tensor-parallel degree: devices per replica */
    double busy_s;      /* simulated seconds spent stepping */
    double energy_j;
    double cost_usd;
} io_instance_row;

int io_store_add_instance(io_store *s, int64_t run_id,
                          const io_instance_row *r, hs_diag *d);

/* One transfer over a link (KV prefill-to-decode, pool offload/fetch). */
typedef struct io_transfer_row {
    int64_t transfer_id; /* unique within the run */
    int64_t request_id;  /* < 0 = not tied to one request */
    const char *link;    /* link name */
    const char *kind;    /* "kv_pd", "offload", "fetch" or "stream" */
    double bytes;
    double start_s;
    double end_s;
} io_transfer_row;

int io_store_add_transfer(io_store *s, int64_t run_id,
                          const io_transfer_row *r, hs_diag *d);

/* One summary number: 'scope' is "run", an instance name or a workload
 * source name; 'name' a metric name such as "ttft_p90_s" (the list is in
 * docs/schema.md).  (run_id, scope, name) is unique: a second value for
 * the same key is HS_EIO.  NaN is stored as NULL. */
int io_store_add_metric(io_store *s, int64_t run_id, const char *scope,
                        const char *name, double value, hs_diag *d);

/* One sample of one instance's state at simulated time t_s. */
typedef struct io_timeseries_row {
    const char *instance;
    double t_s;
    int64_t queue_len; /* requests waiting for admission */
    int64_t running;   /* requests in the running batch */
    double kv_used_bytes;
    double kv_capacity_bytes;
} io_timeseries_row;

int io_store_add_timeseries(io_store *s, int64_t run_id,
                            const io_timeseries_row *r, hs_diag *d);

/* One agent session, written when its last call ends. */
typedef struct io_session_row {
    int64_t session_id;
    const char *source;
    int64_t calls;         /* model calls (requests) in the session */
    double start_s;        /* first arrival */
    double end_s;          /* last finish, NaN when unfinished */
    int64_t total_tokens;  /* prompt + output tokens over all calls */
    int64_t cached_tokens; /* prompt tokens served from a KV prefix */
} io_session_row;

int io_store_add_session(io_store *s, int64_t run_id, const io_session_row *r,
                         hs_diag *d);

/* One analytic OI/CF point ('hetsim oicf --db'); the run is the oicf
 * invocation (begin_run, add_oicf..., end_run).  Doubles round-trip
 * exactly (stored as IEEE-754 REAL). */
typedef struct io_oicf_row {
    const char *model;
    const char *hardware;
    const char *phase;      /* "prefill" or "decode" */
    int64_t batch;          /* sequences in the step */
    int64_t prompt_tokens;  /* new tokens per sequence (prefill) */
    int64_t context_tokens; /* cached tokens per sequence */
    int64_t tp;
    const char *weights; /* weight format, e.g. "fp8" */
    const char *kv;      /* KV format */
    double flops;
    double weight_bytes;
    double kv_bytes;
    double act_bytes;
    double bytes;          /* weight + kv + act */
    double oi;             /* flops / bytes */
    double ridge_oi;       /* peak FLOP/s / memory bandwidth */
    double cf_bytes;       /* capacity footprint */
    double capacity_bytes; /* instance memory */
    double time_s;         /* step time */
    const char *bound;     /* "compute", "bandwidth", "capacity", ... */
    const char *label;     /* free text, NULL = none */
} io_oicf_row;

int io_store_add_oicf(io_store *s, int64_t run_id, const io_oicf_row *r,
                      hs_diag *d);

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

#endif /* HETSIM_STORE_H */
