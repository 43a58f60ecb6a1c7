/*
 * records.h -- the result schema, written once: one X-macro table per
 * record (the rows a simulation emits and the results store keeps) and
 * one table of metric names.  Everything else is generated from them:
 *
 *   the C structs          this header (srv_request_rec, ...; serve.h
 *                          includes it where the records used to be)
 *   CREATE TABLE / INDEX   rec_schema_sql() (sim/records/rec_sql.c)
 *   INSERT and its binds   rec_insert_sql() plus one generic bind loop in
 *                          sim/io over rec_table_get()'s columns
 *   the views              rec_schema_sql() too, from the metric lists
 *                          of rec_view_get()
 *   the report's figures   sim/cli/cli_table.c names metrics and runs
 *                          columns by id (REC_M_*, REC_C_runs_*)
 *   docs/schema.md         rec_doc_markdown() ('hetsim schema-doc'); a
 *                          CLI test fails when the page drifts
 *
 * Adding a column: one line in its table's REC_COLS_<table> below (and
 * bump IO_STORE_SCHEMA_VERSION in store.h), then 'make schema-doc'.
 * Adding a metric: one line in REC_METRICS.  The module uses util only:
 * no SQLite.
 *
 * A column line is X(table, name, type, unit, meaning) where 'type' is
 * one of the column types below, 'unit' is the unit of the value (""
 * when none) and 'meaning' its one-line description in the docs.  Every
 * table also has an implicit first column run_id (the runs table's key;
 * in every other table a reference to it), which is not a field of the
 * struct.
 */
#ifndef HETSIM_RECORDS_H
#define HETSIM_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- column types ---------------------------------------------------------
 *
 *   type        C field             SQL                   stored as
 *   I64         int64_t             INTEGER               the value
 *   I64_KEY     int64_t             INTEGER NOT NULL      the value
 *   I64_OPT     int64_t             INTEGER               NULL when < 0
 *   I32         int32_t             INTEGER               the value
 *   I32_OPT     int32_t             INTEGER               NULL when < 0
 *   INT         int                 INTEGER               the value
 *   REAL        double              REAL                  NULL when NaN
 *   TEXT        const char *        TEXT                  NULL when NULL
 *   TEXT_KEY    const char *        TEXT NOT NULL         the text
 *   REQ_STATUS  srv_request_status  TEXT                  its name
 *   DROP_REASON srv_drop_reason     TEXT                  its name; NULL
 *                                                         for SRV_DROP_NONE
 *   RUN_STATUS  const char *        TEXT NOT NULL, one of 'running',
 *                                   'done', 'failed', 'interrupted'
 *
 * Strings are borrowed: a record never owns what its pointers point to.
 */
#define REC_CTYPE_I64 int64_t
#define REC_CTYPE_I64_KEY int64_t
#define REC_CTYPE_I64_OPT int64_t
#define REC_CTYPE_I32 int32_t
#define REC_CTYPE_I32_OPT int32_t
#define REC_CTYPE_INT int
#define REC_CTYPE_REAL double
#define REC_CTYPE_TEXT const char *
#define REC_CTYPE_TEXT_KEY const char *
#define REC_CTYPE_REQ_STATUS srv_request_status
#define REC_CTYPE_DROP_REASON srv_drop_reason
#define REC_CTYPE_RUN_STATUS const char *

#define REC_TYPES(X)                                                          \
    X(I64)                                                                    \
    X(I64_KEY)                                                                \
    X(I64_OPT)                                                                \
    X(I32)                                                                    \
    X(I32_OPT)                                                                \
    X(INT)                                                                    \
    X(REAL)                                                                   \
    X(TEXT)                                                                   \
    X(TEXT_KEY)                                                               \
    X(REQ_STATUS)                                                             \
    X(DROP_REASON)                                                            \
    X(RUN_STATUS)

typedef enum rec_type {
#define REC_TYPE_MEMBER(t) REC_TY_##t,
    REC_TYPES(REC_TYPE_MEMBER)
#undef REC_TYPE_MEMBER
        REC_N_TYPES
} rec_type;

/* ---- how a request ended ------------------------------------------------ */

/* X(member, name in the store, meaning) */
#define REC_REQUEST_STATUSES(X)                                               \
    X(SRV_REQ_DONE, "done", "finished: every output token produced")          \
    X(SRV_REQ_DROPPED, "dropped",                                             \
      "rejected: can never fit, e.g. its prompt KV exceeds an instance")      \
    X(SRV_REQ_UNFINISHED, "unfinished",                                       \
      "still in the system when the run ended")

typedef enum srv_request_status {
#define REC_STATUS_MEMBER(m, name, doc) m,
    REC_REQUEST_STATUSES(REC_STATUS_MEMBER)
#undef REC_STATUS_MEMBER
} srv_request_status;

/* Why a request was dropped: one enumeration, stored in
 * requests.drop_reason (NULL unless the status is 'dropped').
 * X(member, name in the store, meaning) */
#define REC_DROP_REASONS(X)                                                   \
    X(SRV_DROP_NONE, NULL, "not dropped")                                     \
    X(SRV_DROP_MAX_CONTEXT, "max_context",                                    \
      "prompt + output exceed the model's (or preset's) `max_context`")       \
    X(SRV_DROP_NEVER_FITS, "never_fits",                                      \
      "its KV cannot fit the instance's KV memory even alone")

typedef enum srv_drop_reason {
#define REC_DROP_MEMBER(m, name, doc) m,
    REC_DROP_REASONS(REC_DROP_MEMBER)
#undef REC_DROP_MEMBER
} srv_drop_reason;

/* ---- the tables -----------------------------------------------------------
 *
 * REC_TABLES(T): T(table, struct type, index, unique, index columns,
 *                  title, note), in the order the schema creates them.
 * 'index' is the name of the table's index on (run_id, index columns)
 * (NULL: none); 'title' heads the table in the docs and 'note' (NULL:
 * none) is a paragraph under it.
 */
/* clang-format off */
#define REC_TABLES(T)                                                         \
    T(runs, rec_run_row, NULL, false, "",                                     \
      "one row per run", NULL)                                                \
    T(requests, srv_request_rec, "requests_run", false, "request_id",         \
      "one row per request, written when it ends",                            \
      "Every request that arrived has exactly one row: done + dropped + "     \
      "unfinished = arrived.")                                                \
    T(steps, srv_step_rec, "steps_run", false, "instance",                    \
      "one row per batch iteration of an instance",                           \
      "A fast-forwarded span of identical decode iterations may be one "      \
      "row. With `output.steps: sampled` only a sample of steps is "          \
      "written; aggregates in `metrics` are always computed over every "      \
      "step.")                                                                \
    T(instances, srv_instance_rec, "instances_key", true, "instance",         \
      "one row per serving instance, written at the end", NULL)               \
    T(transfers, srv_transfer_rec, "transfers_run", false, "request_id",      \
      "data moved over a link",                                               \
      "`kv_pd` and `fetch` rows are one transfer each (a `fetch` row: the "  \
      "KV that one step brings back from the memory pool, its end when the "  \
      "link has carried it). `offload` rows (one per evicted prefix block "   \
      "or preempted request would be hundreds of thousands in an agent "      \
      "run) and `stream` rows (one per step) are added up per interval of "   \
      "`output.timeseries_interval` (one interval for the whole run "         \
      "without it): one row per link, kind and interval that carried bytes, " \
      "its `start_s`/`end_s` the interval's bounds (the last ends with the "  \
      "run), each transfer counted in the interval in which it started, "     \
      "`request_id` NULL. Over a run the rows add up exactly to the "         \
      "metrics: a KV link's `bytes` (`kv_pd`), a memory pool's "              \
      "`offloaded_bytes`, `fetched_bytes` and `streamed_bytes`. Offloads "    \
      "delay nothing (their bytes are counted, not timed).")                  \
    T(metrics, rec_metric_row, "metrics_key", true, "scope, name",            \
      "summary numbers",                                                      \
      "`(run_id, scope, name)` is unique. The names, and the scopes each "    \
      "is written for, are listed under [Metric names](#metric-names).")      \
    T(timeseries, srv_sample_rec, "timeseries_run", false, "instance",        \
      "periodic samples (`output.timeseries_interval`)",                      \
      "One row per instance at each multiple of the interval while events "   \
      "are due, from 0 s. An idle span (no event from a sample until past "   \
      "the next multiple) has no rows: they would repeat the row before "     \
      "it; sampling resumes at the first multiple at or after the next "      \
      "event. So a row holds until the instance's next row (the run's end "   \
      "after the last): weight a row by that gap to average over time, e.g. " \
      "`sum(v * w) / sum(w)` with `w = coalesce(lead(t_s) OVER (PARTITION "   \
      "BY run_id, instance ORDER BY t_s), runs.sim_s) - t_s`.")              \
    T(sessions, srv_session_rec, "sessions_run", false, "session_id",         \
      "one row per agent session, written when its last call ends", NULL)    \
    T(oicf, rec_oicf_row, "oicf_run", false, "",                              \
      "analytic points from `hetsim oicf --db`",                              \
      "Each `hetsim oicf --db` invocation is a run (`runs.name = 'oicf'`) "   \
      "holding one row per point. REAL values round-trip exactly.")           \
    T(sweep_points, rec_sweep_point_row, "sweep_points_key", true, "path",    \
      "the parameters of a sweep point (`hetsim sweep`, `hetsim search`)",    \
      "One row per PATH the sweep file sets for the run, its value as "       \
      "written there (`5/s`); the seed of a `seeds:` list is `runs.seed`. "   \
      "`hetsim report` shows each path as a row (table) or column (csv, "     \
      "json).")

#define REC_COLS_runs(X)                                                      \
    X(runs, name, TEXT_KEY, "",                                               \
      "scenario `name` (`oicf` for `hetsim oicf --db` points)")               \
    X(runs, variant, TEXT, "",                                                \
      "variant name; NULL for the scenario as written")                       \
    X(runs, scenario_path, TEXT, "",                                          \
      "scenario file as given on the command line")                           \
    X(runs, scenario_yaml, TEXT, "",                                          \
      "the scenario file's text as written, followed by the `--set` "         \
      "overrides of the run as trailing `#   --set PATH=VALUE` comments, "    \
      "for reproduction")                                                     \
    X(runs, seed, I64, "", "random seed of the run")                          \
    X(runs, version, TEXT, "", "hetsim version that wrote the run")           \
    X(runs, started_at, TEXT, "",                                             \
      "wall-clock start, ISO-8601 (`2025-01-31T12:00:00Z`)")                  \
    X(runs, wall_s, REAL, "s", "wall-clock seconds the run took; NULL while " \
      "running")                                                              \
    X(runs, sim_s, REAL, "s", "simulated seconds covered; NULL while "        \
      "running")                                                              \
    X(runs, events, I64_OPT, "", "events fired; NULL while running")          \
    X(runs, status, RUN_STATUS, "",                                           \
      "`running`, `done`, `failed` or `interrupted` (CHECK constraint); "     \
      "see above")                                                            \
    X(runs, message, TEXT, "", "why the run is `failed` (its first error) "   \
      "or `interrupted` (signal, simulated time); NULL otherwise")           \
    X(runs, writer_host, TEXT, "",                                            \
      "host name of the process that wrote the run")                         \
    X(runs, writer_pid, I64_OPT, "",                                          \
      "its process id (the run's lock in `DB-writers` tells whether it "   \
      "lives; for runs written before those locks, `writer_host` and "      \
      "this, on that host)")

#define REC_COLS_requests(X)                                                  \
    X(requests, request_id, I64_KEY, "",                                      \
      "unique within the run, in arrival order")                              \
    X(requests, source, TEXT, "", "workload source (`workload[].name`)")      \
    X(requests, session_id, I64_OPT, "",                                      \
      "agent session; NULL (-1 in the record) when the request is not "       \
      "part of one")                                                          \
    X(requests, turn, I32_OPT, "",                                            \
      "call index within its session, from 0; NULL (-1) without a session")   \
    X(requests, arrival_s, REAL, "s", "arrival at the router")                \
    X(requests, prompt_tokens, I64, "tokens",                                 \
      "whole prompt, cached part included")                                   \
    X(requests, cached_tokens, I64, "tokens",                                 \
      "prompt tokens served from a reused KV prefix (not recomputed)")        \
    X(requests, output_tokens, I64, "tokens", "tokens generated")             \
    X(requests, prefill_instance, TEXT, "",                                   \
      "instance that ran the prefill; NULL when never admitted")              \
    X(requests, decode_instance, TEXT, "",                                    \
      "instance that ran the decode (split mode); NULL when the same as "     \
      "prefill or never reached")                                             \
    X(requests, first_token_s, REAL, "s",                                     \
      "time the first output token was produced; NULL if never")             \
    X(requests, finish_s, REAL, "s",                                          \
      "time the last token was produced; NULL if unfinished")                 \
    X(requests, ttft_s, REAL, "s",                                            \
      "time to first token = `first_token_s - arrival_s`")                    \
    X(requests, tpot_s, REAL, "s",                                            \
      "time per output token after the first = `(finish_s - "                 \
      "first_token_s) / (output_tokens - 1)`; NULL with one output token "    \
      "or when not done")                                                     \
    X(requests, e2e_s, REAL, "s",                                             \
      "end-to-end latency = `finish_s - arrival_s`; NULL when not done")      \
    X(requests, queue_s, REAL, "s",                                           \
      "waiting before first admission to a batch; NULL if never admitted")   \
    X(requests, kv_transfer_s, REAL, "s",                                     \
      "KV transfer from prefill to decode instance (0 in monolithic mode)")   \
    X(requests, preemptions, I32, "",                                         \
      "times the request was evicted from a batch and re-queued")            \
    X(requests, status, REQ_STATUS, "",                                       \
      "`done`; `dropped` (rejected, e.g. never fits in memory); "             \
      "`unfinished` (still in flight when the run stopped)")                  \
    X(requests, drop_reason, DROP_REASON, "",                                 \
      "why a dropped request was dropped: `max_context` or `never_fits` "     \
      "(see [Drop reasons](#drop-reasons)); NULL unless dropped")            \
    X(requests, warmup, I32, "",                                              \
      "1 for a warm-up request (among its source's first `warmup`): "        \
      "simulated, left out of every metric; else 0")

#define REC_COLS_steps(X)                                                     \
    X(steps, instance, TEXT, "", "instance name")                             \
    X(steps, start_s, REAL, "s", "when the step began")                       \
    X(steps, end_s, REAL, "s", "when the step ended")                         \
    X(steps, phase, TEXT, "",                                                 \
      "`prefill`, `decode`, or `mixed` (prefill chunks batched with decode "  \
      "tokens)")                                                              \
    X(steps, batch_size, I64, "", "sequences in the batch")                   \
    X(steps, prefill_tokens, I64, "tokens", "new prompt tokens processed")    \
    X(steps, decode_tokens, I64, "tokens", "output tokens generated")         \
    X(steps, flops, REAL, "FLOP", "FLOPs of the step, whole instance")        \
    X(steps, bytes, REAL, "bytes",                                            \
      "bytes moved off-chip (weights + KV + activations)")                    \
    X(steps, oi, REAL, "FLOP/byte",                                           \
      "operational intensity = `flops / bytes`")                              \
    X(steps, cf_bytes, REAL, "bytes",                                         \
      "capacity footprint of the batch: KV + weights + activation "           \
      "workspace")                                                            \
    X(steps, kv_used_bytes, REAL, "bytes",                                    \
      "KV memory in use at the step's start")                                 \
    X(steps, bound, TEXT, "",                                                 \
      "`compute`, `bandwidth`, `link` (pool streaming dominated) or "         \
      "`capacity` (requests waited for KV memory while the batch had room)")                                                                  \
    X(steps, gemm_format, TEXT, "",                                           \
      "the format whose tensor peak the step's GEMMs ran at (`fp8` for "      \
      "W8A8 fp8; the wider of weights and GEMM inputs, or the next wider "    \
      "format the device has a peak for; docs/costmodel.md)")                 \
    X(steps, attn_format, TEXT, "",                                           \
      "the format whose peak the attention kernels ran at (`precision`'s "    \
      "`attention`, bf16 unless written)")

#define REC_COLS_instances(X)                                                 \
    X(instances, instance, TEXT_KEY, "",                                      \
      "instance name, unique within the run")                                 \
    X(instances, role, TEXT, "", "`monolithic`, `prefill` or `decode`")       \
    X(instances, device, TEXT, "", "device type name (from `hardware:`)")     \
    X(instances, count, I64, "",                                              \
      "model replicas this row stands for (1 unless a group is aggregated)")  \
    X(instances, tp, INT, "",                                                 \
      "tensor-parallel degree (devices per replica: `tp` x `pp` x `dp`)")     \
    X(instances, pp, INT, "", "pipeline-parallel stages")                     \
    X(instances, dp, INT, "", "attention data-parallel ranks")                \
    X(instances, ep, INT, "", "expert-parallel ranks of the MoE layers")      \
    X(instances, moe_tp, INT, "", "tensor parallelism inside each expert")    \
    X(instances, busy_s, REAL, "s",                                           \
      "simulated time spent stepping inside the measurement window (the "     \
      "whole run without `window`)")                                          \
    X(instances, energy_j, REAL, "J",                                         \
      "busy plus idle energy inside the window")                              \
    X(instances, cost_usd, REAL, "USD",                                       \
      "device-hours inside the window × `cost_per_hour`")                                                                  \
    X(instances, gemm_format, TEXT, "",                                       \
      "the format whose tensor peak its GEMMs run at (as in `steps`)")        \
    X(instances, attn_format, TEXT, "",                                       \
      "the format whose peak its attention kernels run at")

#define REC_COLS_transfers(X)                                                 \
    X(transfers, transfer_id, I64_KEY, "", "unique within the run")           \
    X(transfers, request_id, I64_OPT, "",                                     \
      "the request the data belongs to; NULL (< 0 in the record) when not "   \
      "one request's")                                                        \
    X(transfers, link, TEXT, "",                                              \
      "link name (from `links:`; a memory pool's: its `link`)")               \
    X(transfers, kind, TEXT, "",                                              \
      "`kv_pd` (prefill→decode KV), `offload` (to the memory pool), "         \
      "`fetch` (back from it), `stream` (layer-wise reads of pool-resident "  \
      "KV during steps); see above")                                          \
    X(transfers, bytes, REAL, "bytes", "bytes moved")                         \
    X(transfers, start_s, REAL, "s",                                          \
      "when the transfer started (an interval row: the interval's start)")    \
    X(transfers, end_s, REAL, "s",                                            \
      "when the transfer completed (an interval row: the interval's end)")

#define REC_COLS_metrics(X)                                                   \
    X(metrics, scope, TEXT_KEY, "",                                           \
      "`run` (whole run), an instance name, `prefill` / `decode` (the "       \
      "pools of split mode), a link or a memory pool name, an SLO key")       \
    X(metrics, name, TEXT_KEY, "",                                            \
      "metric name (see below); the unit is its suffix")                      \
    X(metrics, value, REAL, "",                                               \
      "the value; NULL when undefined (e.g. TPOT with no multi-token "        \
      "request)")

#define REC_COLS_timeseries(X)                                                \
    X(timeseries, instance, TEXT, "", "instance name")                        \
    X(timeseries, t_s, REAL, "s", "sample time")                              \
    X(timeseries, queue_len, I64, "", "requests waiting for admission")       \
    X(timeseries, running, I64, "", "requests admitted, not finished")        \
    X(timeseries, kv_used_bytes, REAL, "bytes", "KV memory in use")           \
    X(timeseries, kv_capacity_bytes, REAL, "bytes",                           \
      "KV memory available to the instance")                                 \
    X(timeseries, busy_frac, REAL, "fraction",                                \
      "share of the time since the instance's previous row (0 on its first "  \
      "row) that it spent stepping")

#define REC_COLS_sessions(X)                                                  \
    X(sessions, session_id, I64_KEY, "", "matches `requests.session_id`")     \
    X(sessions, source, TEXT, "", "workload source")                          \
    X(sessions, calls, I64, "", "calls that ended (done or dropped)")         \
    X(sessions, start_s, REAL, "s", "arrival of the first call")              \
    X(sessions, end_s, REAL, "s",                                             \
      "finish of the last call; NULL if unfinished")                          \
    X(sessions, total_tokens, I64, "tokens",                                  \
      "prompt + output tokens over its calls")                                \
    X(sessions, cached_tokens, I64, "tokens",                                 \
      "prompt tokens served from a reused KV prefix")

#define REC_COLS_oicf(X)                                                      \
    X(oicf, model, TEXT, "", "model name")                                    \
    X(oicf, hardware, TEXT, "", "device name")                                \
    X(oicf, phase, TEXT, "", "`prefill` or `decode`")                         \
    X(oicf, batch, I64, "", "sequences in the step")                          \
    X(oicf, prompt_tokens, I64, "tokens",                                     \
      "new tokens per sequence (prefill)")                                    \
    X(oicf, context_tokens, I64, "tokens",                                    \
      "tokens already in KV per sequence")                                    \
    X(oicf, tp, I64, "", "tensor-parallel degree")                            \
    X(oicf, weights, TEXT, "",                                                \
      "numeric format of the weights (`bf16`, `fp8`, `int4`, ...)")           \
    X(oicf, kv, TEXT, "", "numeric format of the KV cache")                   \
    X(oicf, flops, REAL, "FLOP", "FLOPs of the step")                         \
    X(oicf, weight_bytes, REAL, "bytes", "bytes of weights moved")            \
    X(oicf, kv_bytes, REAL, "bytes", "bytes of KV moved")                     \
    X(oicf, act_bytes, REAL, "bytes", "bytes of activations moved")           \
    X(oicf, bytes, REAL, "bytes", "their sum")                                \
    X(oicf, oi, REAL, "FLOP/byte", "`flops / bytes`")                         \
    X(oicf, ridge_oi, REAL, "FLOP/byte",                                      \
      "device peak FLOP/s ÷ memory bandwidth: above it a step is "            \
      "compute-bound")                                                        \
    X(oicf, cf_bytes, REAL, "bytes", "capacity footprint")                    \
    X(oicf, capacity_bytes, REAL, "bytes",                                    \
      "memory of the instance (`tp` × device memory)")                        \
    X(oicf, time_s, REAL, "s", "step time")                                   \
    X(oicf, bound, TEXT, "",                                                  \
      "`compute`, `bandwidth` or `capacity` (footprint exceeds the "          \
      "instance's memory)")                                                   \
    X(oicf, label, TEXT, "", "free text; NULL if none")

#define REC_COLS_sweep_points(X)                                              \
    X(sweep_points, path, TEXT_KEY, "",                                       \
      "the dotted scenario PATH, as `--set` takes it")                        \
    X(sweep_points, value, TEXT, "", "its value, as the sweep file wrote it")
/* clang-format on */

/* The struct of each table: one field per column, in column order. */
#define REC_FIELD(table, name, type, unit, doc) REC_CTYPE_##type name;
#define REC_STRUCT(table, ctype, index, unique, keys, title, note)            \
    typedef struct ctype {                                                    \
        REC_COLS_##table(REC_FIELD)                                           \
    } ctype;
REC_TABLES(REC_STRUCT)
#undef REC_STRUCT
#undef REC_FIELD

/* Table ids, in schema order: REC_T_runs, REC_T_requests, ... */
typedef enum rec_table_id {
#define REC_TABLE_MEMBER(table, ctype, index, unique, keys, title, note)      \
    REC_T_##table,
    REC_TABLES(REC_TABLE_MEMBER)
#undef REC_TABLE_MEMBER
        REC_N_TABLES
} rec_table_id;

/* Column indexes within each table (run_id not counted), e.g.
 * REC_C_runs_sim_s. */
#define REC_COL_MEMBER(table, name, type, unit, doc) REC_C_##table##_##name,
#define REC_COL_ENUM(table, ctype, index, unique, keys, title, note)          \
    enum { REC_COLS_##table(REC_COL_MEMBER) REC_N_COLS_##table };
REC_TABLES(REC_COL_ENUM)
#undef REC_COL_ENUM
#undef REC_COL_MEMBER

/* ---- describing the tables ---------------------------------------------- */

/* One column.  'offset' and 'size' locate the field in the struct. */
typedef struct rec_col {
    const char *name;
    rec_type type;
    size_t offset;
    size_t size;
    const char *unit; /* "" when none */
    const char *doc;
} rec_col;

/* One table. */
typedef struct rec_table {
    const char *name;    /* SQL table name */
    const char *ctype;   /* C struct name */
    size_t size;         /* sizeof the struct */
    const char *index;   /* index name, NULL when none */
    bool unique;         /* a UNIQUE index */
    const char *keys;    /* index columns after run_id ("" = none) */
    const char *title;   /* docs heading */
    const char *note;    /* docs paragraph, NULL when none */
    const rec_col *cols; /* n_cols columns, run_id not included */
    size_t n_cols;
} rec_table;

/* Table 'id' (< REC_N_TABLES, asserted); static storage. */
const rec_table *rec_table_get(rec_table_id id);

/* The SQL declaration of a column type ("INTEGER NOT NULL", ...), the
 * type as the docs show it ("TEXT NOT NULL"), and whether it is stored
 * as NULL when negative (the _OPT types). */
const char *rec_type_sql(rec_type t);
const char *rec_type_doc(rec_type t);
bool rec_type_null_if_negative(rec_type t);

/* "done", "dropped" or "unfinished"; the status's row in the store. */
const char *rec_request_status_name(srv_request_status s);

/* The name of drop reason 'd' in the store; NULL for SRV_DROP_NONE. */
const char *rec_drop_reason_name(srv_drop_reason d);

/* The text stored for an enumerated column of type 't' (REQ_STATUS or
 * DROP_REASON) with value 'v'. */
const char *rec_enum_name(rec_type t, int v);

/* ---- metric names ---------------------------------------------------------
 *
 * REC_METRICS(X): X(name, scopes, unit, meaning) for every metric a run
 * writes.  'scopes' is an OR of REC_SCOPE_* bits: which kinds of scope
 * the metric is written for.
 */
#define REC_SCOPE_RUN 1u      /* scope 'run': the whole run */
#define REC_SCOPE_INSTANCE 2u /* scope = an instance's name */
#define REC_SCOPE_POOL 4u     /* 'prefill' / 'decode': split mode pools */
#define REC_SCOPE_LINK 8u     /* the KV transfer link's name */
#define REC_SCOPE_MEMPOOL 16u /* the KV memory pool's name */
#define REC_SCOPE_SLO 32u     /* an SLO key as written ('ttft_p90') */

/* clang-format off */
#define REC_METRICS(X)                                                        \
    X(requests_arrived, REC_SCOPE_RUN, "requests", "requests that arrived")   \
    X(requests_done, REC_SCOPE_RUN, "requests", "requests that finished")     \
    X(requests_dropped, REC_SCOPE_RUN, "requests",                            \
      "requests rejected (they can never fit)")                               \
    X(requests_unfinished, REC_SCOPE_RUN, "requests",                         \
      "requests still in flight when the run ended")                          \
    X(sim_s, REC_SCOPE_RUN, "s",                                              \
      "the simulated span, from 0 to the last arrival, finish or drop (a "    \
      "stopped run: to when it stopped); as `runs.sim_s`")                    \
    X(window_from_s, REC_SCOPE_RUN, "s",                                      \
      "start of the measurement window (`window.from`; 0 without `window`)")  \
    X(window_s, REC_SCOPE_RUN, "s",                                           \
      "length of the measurement window inside the span (`sim_s` without "    \
      "`window`): the time windowed metrics cover")                           \
    X(window_requests, REC_SCOPE_RUN, "requests",                             \
      "requests that arrived inside the window: the requests windowed "       \
      "metrics count")                                                        \
    X(throughput_tok_s, REC_SCOPE_RUN | REC_SCOPE_INSTANCE, "tokens/s",       \
      "windowed: output tokens of the window's finished requests (an "        \
      "instance: of its steps ending in the window) / `window_s`")            \
    X(throughput_req_s, REC_SCOPE_RUN, "requests/s",                          \
      "windowed: the window's finished requests / `window_s`")                \
    X(ttft_p50_s, REC_SCOPE_RUN, "s",                                         \
      "windowed: TTFT median, nearest rank over the window's done requests")  \
    X(ttft_p90_s, REC_SCOPE_RUN, "s", "windowed: TTFT 90th percentile")       \
    X(ttft_p99_s, REC_SCOPE_RUN, "s", "windowed: TTFT 99th percentile")       \
    X(tpot_p50_s, REC_SCOPE_RUN, "s", "windowed: TPOT median")                \
    X(tpot_p90_s, REC_SCOPE_RUN, "s", "windowed: TPOT 90th percentile")       \
    X(tpot_p99_s, REC_SCOPE_RUN, "s", "windowed: TPOT 99th percentile")       \
    X(e2e_p50_s, REC_SCOPE_RUN, "s", "windowed: end-to-end latency median")   \
    X(e2e_p90_s, REC_SCOPE_RUN, "s", "windowed: E2E latency 90th percentile") \
    X(e2e_p99_s, REC_SCOPE_RUN, "s", "windowed: E2E latency 99th percentile") \
    X(ttft_mean_s, REC_SCOPE_RUN, "s", "windowed: mean TTFT")                 \
    X(tpot_mean_s, REC_SCOPE_RUN, "s", "windowed: mean TPOT")                 \
    X(e2e_mean_s, REC_SCOPE_RUN, "s", "windowed: mean end-to-end latency")    \
    X(queue_mean_s, REC_SCOPE_RUN, "s",                                       \
      "windowed: mean wait before first admission, of the requests admitted") \
    X(goodput_req_s, REC_SCOPE_RUN, "requests/s",                             \
      "windowed: finished requests within every SLO threshold / `window_s`")  \
    X(slo_attainment, REC_SCOPE_RUN, "fraction",                              \
      "windowed: share of the arrived requests that finished within every "   \
      "SLO threshold; dropped and unfinished ones are misses (without "       \
      "`slo`: the share that finished)")                                      \
    X(slo_met, REC_SCOPE_SLO, "",                                             \
      "windowed, one per SLO key (scope = the key, `ttft_p90`): 1 when the "  \
      "key's percentile over the arrived requests, misses counted as "        \
      "infinite, is within its threshold, else 0")                            \
    X(mean_oi, REC_SCOPE_RUN | REC_SCOPE_INSTANCE, "FLOP/byte",               \
      "step FLOPs / step bytes, summed over the steps")                       \
    X(capacity_bound_frac, REC_SCOPE_RUN | REC_SCOPE_INSTANCE, "fraction",    \
      "share of busy time spent in `capacity`-bound steps (the memory "       \
      "capacity wall)")                                                       \
    X(energy_j, REC_SCOPE_RUN | REC_SCOPE_POOL | REC_SCOPE_LINK |             \
                    REC_SCOPE_MEMPOOL, "J",                                   \
      "energy: of every instance (windowed), link and pool (run); of the "    \
      "pool's devices (windowed); of the link's or the memory pool's "        \
      "traffic (whole run)")                                                  \
    X(cost_usd, REC_SCOPE_RUN | REC_SCOPE_POOL, "USD",                        \
      "windowed: device-hours inside the window × `cost_per_hour`")           \
    X(tokens_per_usd, REC_SCOPE_RUN | REC_SCOPE_POOL, "tokens/USD",           \
      "windowed: output tokens of the window's finished requests per dollar " \
      "(a pool: the prefill or decode tokens of its steps ending in the "     \
      "window)")                                                              \
    X(tokens_per_j, REC_SCOPE_RUN | REC_SCOPE_POOL, "tokens/J",               \
      "windowed: the same tokens per joule")                                  \
    X(preemptions, REC_SCOPE_RUN, "", "evictions from a batch")               \
    X(input_tokens, REC_SCOPE_RUN, "tokens", "prompt tokens that arrived")    \
    X(output_tokens, REC_SCOPE_RUN, "tokens", "tokens generated")             \
    X(prefix_hit_rate, REC_SCOPE_RUN, "fraction",                             \
      "cached prompt tokens / prompt tokens of finished requests")            \
    X(prefix_block_hit_rate, REC_SCOPE_RUN, "fraction",                       \
      "prefix blocks served from the cache / prefix blocks, same requests")   \
    X(sessions_done, REC_SCOPE_RUN, "sessions", "agent sessions completed")   \
    X(session_mean_s, REC_SCOPE_RUN, "s", "mean session completion time")     \
    X(busy_frac, REC_SCOPE_INSTANCE | REC_SCOPE_POOL, "fraction",             \
      "windowed: busy time inside the window / `window_s` (a pool: over its " \
      "devices)")                                                             \
    X(steps, REC_SCOPE_INSTANCE, "steps", "steps run")                        \
    X(kv_capacity_bytes, REC_SCOPE_INSTANCE, "bytes",                         \
      "KV memory of the instance")                                            \
    X(prefix_evicted_bytes, REC_SCOPE_INSTANCE, "bytes",                      \
      "prefix-cache KV evicted")                                              \
    X(fallback_decodes, REC_SCOPE_POOL, "requests",                           \
      "requests decoded on a prefill instance")                               \
    X(bytes, REC_SCOPE_LINK, "bytes", "bytes carried")                        \
    X(port_busy_frac, REC_SCOPE_LINK, "fraction",                             \
      "busy time of the link's ports / (simulated time × ports)")            \
    X(utilisation, REC_SCOPE_LINK | REC_SCOPE_MEMPOOL, "fraction",            \
      "bytes moved / (bandwidth × simulated time)")                           \
    X(transfers, REC_SCOPE_LINK, "transfers", "transfers started")            \
    X(offloaded_bytes, REC_SCOPE_MEMPOOL, "bytes", "KV offloaded to the pool")\
    X(fetched_bytes, REC_SCOPE_MEMPOOL, "bytes", "KV fetched back")           \
    X(capacity_bytes, REC_SCOPE_MEMPOOL, "bytes", "capacity of the pool")     \
    X(streamed_bytes, REC_SCOPE_MEMPOOL, "bytes",                             \
      "KV streamed from the pool during steps")
/* clang-format on */

/* Metric ids: REC_M_ttft_p90_s, ...; rec_metric_get(id)->name is the
 * name written to the store. */
typedef enum rec_metric_id {
#define REC_METRIC_MEMBER(name, scopes, unit, doc) REC_M_##name,
    REC_METRICS(REC_METRIC_MEMBER)
#undef REC_METRIC_MEMBER
        REC_N_METRICS
} rec_metric_id;

typedef struct rec_metric {
    const char *name;
    unsigned scopes; /* REC_SCOPE_* bits */
    const char *unit;
    const char *doc;
} rec_metric;

/* Metric 'id' (< REC_N_METRICS, asserted); static storage. */
const rec_metric *rec_metric_get(rec_metric_id id);
/* Its name, e.g. rec_metric_name(REC_M_ttft_p90_s) is "ttft_p90_s". */
const char *rec_metric_name(rec_metric_id id);
/* The id of metric 'name', or REC_N_METRICS when unknown.  O(metrics). */
rec_metric_id rec_metric_find(const char *name);

/* ---- generated SQL ------------------------------------------------------
 *
 * Every function returns a new string (free it with free()).
 */

/* The schema, statement by statement, in creation order: each table's
 * CREATE TABLE then its CREATE INDEX, then the views.  Statement 'i' <
 * rec_schema_count(). */
size_t rec_schema_count(void);
char *rec_schema_sql(size_t i);

/* "INSERT INTO table (run_id, col, ...) VALUES (?, ?, ...)": the run_id
 * is parameter 1 and column k (from 0) of the table parameter k + 2; the
 * runs table has no run_id parameter, so its column k is parameter
 * k + 1. */
char *rec_insert_sql(rec_table_id id);

/* ---- views --------------------------------------------------------------
 *
 * Each view pivots the run-scope metrics of a list into columns, one row
 * per run. */
typedef struct rec_view {
    const char *name;
    const char *doc;          /* docs: what a row is, its leading columns */
    const char *head;         /* SQL up to the metric columns */
    const rec_metric_id *ids; /* the metric columns, in order */
    size_t n_ids;
} rec_view;

size_t rec_view_count(void);
const rec_view *rec_view_get(size_t i); /* i < rec_view_count() */

/* ---- docs --------------------------------------------------------------- */

/* The generated part of docs/schema.md (markdown, ending in a newline):
 * every table with its columns, the metric names, the indexes and the
 * views.  A new string. */
char *rec_doc_markdown(void);

/* Check the tables for what the compiler cannot: unique table, column
 * and metric names, metric scopes set, view metrics written at run
 * scope.  Returns true, or false with the first problem in '*why'
 * (static text).  O(columns^2), for tests. */
bool rec_check(const char **why);

#endif /* HETSIM_RECORDS_H */
