/*
 * app.h -- what a program does with a scenario, callable from the CLI, a
 * sweep, a search or a test: plan the runs of a scenario file (base,
 * variants, --set overrides, every run validated before anything is
 * written), run one into a results store with its lifecycle and status,
 * stop it from a signal handler, write a simulation's records to the
 * store, read runs back for reports, and evaluate analytic OI/CF points
 * from the catalogs.
 *
 * Layer: above io and serve, below cli.  Nothing here prints or exits;
 * problems go to an hs_diag, and the CLI prints them.
 *
 *   app_plan.c    scenario + variants + overrides -> validated runs;
 *                 where the results go
 *   app_run.c     one run: build, begin in the store, simulate, end it
 *                 done / failed / interrupted; stopping; progress
 *   app_sink.c    the srv_sink that writes records to the store
 *   app_report.c  runs of a results file and their run-scope metrics
 *   app_oicf.c    OI/CF points resolved from the catalogs and evaluated
 */
#ifndef HETSIM_APP_H
#define HETSIM_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hetsim/cost.h"
#include "hetsim/io.h"
#include "hetsim/oicf.h"
#include "hetsim/records.h"
#include "hetsim/scenario.h"
#include "hetsim/serve.h"
#include "hetsim/store.h"
#include "hetsim/util.h"

/* ---- plans (app_plan.c) ------------------------------------------------- */

/* What to plan.  Everything is borrowed for the call. */
typedef struct app_plan_opts {
    const char *path;       /* the scenario file */
    const io_override *ovr; /* --set overrides, applied to every run */
    size_t n_ovr;
    const char *variant; /* NULL: the base scenario, then every variant in
                            file order; else only that variant */
} app_plan_opts;

/* The runs of a scenario file, in order, and the problems found with its
 * variants.  Zero it, fill it with app_plan_load() or app_plan_validate(),
 * release it with app_plan_fini().
 *
 * Invariants (after a call):
 *   P1  sc[0..n) are loaded, validated scenarios, owned by the plan.
 *   P2  'extra' holds the variants' problems that the base scenario
 *       does not have, each with its context "variant 'NAME'" (printed
 *       after "error: "); NULL when there is none yet.
 *   P3  after a failed call n == 0: a plan never holds part of a file. */
typedef struct app_plan {
    sc_scenario **sc;
    size_t n;
    hs_diag *extra;
} app_plan;

/* Load and validate every run of 'o'.  Returns HS_OK with p->n >= 1, or
 * HS_EINPUT with every problem reported: the base scenario's (and those
 * of the variant 'o' names) to 'd', the other variants' in p->extra (P2;
 * print 'd' first).  Problems a variant shares with the base, or repeats,
 * are reported once.  O(variants) loads. */
int app_plan_load(const app_plan_opts *o, app_plan *p, hs_diag *d);

/* Validate the base scenario of 'o' and every variant in the file, as
 * 'hetsim check' does, keeping nothing: each is loaded and checked as
 * 'hetsim run' checks a run before its first event (app_run_validate,
 * every trace read once).  The base's problems go to 'd',
 * each variant's problems that the base lacks to p->extra.  Returns
 * HS_OK when there is none, else HS_EINPUT.  'o->variant' is ignored. */
int app_plan_validate(const app_plan_opts *o, app_plan *p, hs_diag *d);

void app_plan_fini(app_plan *p); /* back to zero; a zeroed plan is fine */

/* Check P1-P2 as far as they can be seen (scenarios present, messages
 * tagged); false with the reason in '*why'.  O(runs + messages). */
bool app_plan_check(const app_plan *p, const char **why);

/* Where the results of a plan go (a new string): 'db' when not NULL,
 * else the first run's output.db, else "results/<name>.db". */
char *app_plan_db_path(const app_plan *p, const char *db);

/* Open the results store at 'path' for writing (io_store_open), creating
 * the missing parent directories first; runs left 'running' by a writer
 * on this host that no longer exists are marked 'failed' (with why) and
 * their rows deleted (app_store_reap_dead). */
int app_store_open(const char *path, io_store **out, hs_diag *d);

/* ---- run writers (app_writer.c) ----------------------------------------- */

/* Whether the process that wrote a run still exists. */
typedef enum app_writer_state {
    APP_WRITER_UNKNOWN, /* cannot be told (see app_writer_check) */
    APP_WRITER_ALIVE,   /* it holds the run's lock, or its pid exists */
    APP_WRITER_GONE     /* the lock is free, or no process has its pid */
} app_writer_state;

/* Record this process as the writer of a new run ('info''s writer_host
 * and writer_pid; the host name is static storage). */
void app_writer_fill(rec_run_row *info);

/* The state of the writer of 'running' run 'run_id' of 's': from the
 * run's lock (io_store_writer: certain on any host sharing the file);
 * for a run written before locks, from its process id when 'host' (the
 * runs columns as text; NULL when absent) is this host; else unknown. */
app_writer_state app_writer_check(io_store *s, int64_t run_id,
                                  const char *host, const char *pid);

/* Mark every 'running' run of 's' whose writer is gone 'failed', with a
 * message saying it died (its rows are deleted, as for any failed run).
 * Returns HS_OK or the store's error. */
int app_store_reap_dead(io_store *s, hs_diag *d);

/* ---- runs (app_run.c) --------------------------------------------------- */

/* What a progress callback sees. */
typedef struct app_progress {
    const sc_scenario *sc; /* the run */
    double sim_s;          /* simulated time so far */
    int64_t done, arrived; /* requests */
    double wall_s;         /* wall-clock seconds since the run started */
    bool final;            /* the simulation has ended: the last call */
} app_progress;

/* How to run.  Zero it, then set what is needed; borrowed by the runner
 * for its whole life. */
typedef struct app_run_opts {
    bool has_seed; /* 'seed' replaces the scenario's */
    uint64_t seed;
    bool no_fast_forward;      /* srv_options.no_fast_forward */
    const char *scenario_path; /* stored as runs.scenario_path */
    const io_override *ovr;    /* stored after the scenario text as */
    size_t n_ovr;              /* "#   --set PATH=VALUE" comments */
    /* Called about every 'progress_every_s' simulated seconds while a
     * simulation runs, then once with 'final' set, when not NULL. */
    void (*progress)(void *ctx, const app_progress *p);
    void *progress_ctx;
    double progress_every_s;
    /* A sweep point's parameters: written as sweep_points rows of each
     * run right after it is begun, so they are committed with it. */
    const rec_sweep_point_row *params;
    size_t n_params;
} app_run_opts;

/* The seed a run of 'sc' uses under 'o'. */
uint64_t app_run_seed(const app_run_opts *o, const sc_scenario *sc);

/* Everything a run of 'sc' checks before its first simulated event,
 * without simulating: build and free the simulation (srv_sim_new: a
 * model that leaves no room for KV, a trace that cannot be opened or has
 * the wrong header), then read every trace once (wl_source_scan: each
 * row parsed and checked, an empty trace refused).  'hetsim check' and
 * 'hetsim run' both call it on every run before any store is touched, so
 * a run that passes it fails later only on I/O.  'o' NULL: the
 * scenario's seed.  Returns HS_OK or the first failure's status, every
 * problem in 'd'.  O(trace rows) time, memory as a run's. */
int app_run_validate(const sc_scenario *sc, const app_run_opts *o, hs_diag *d);

/* Check every run of the loaded plan 'p' as 'hetsim run' does before it
 * writes anything (app_run_validate with 'o': build each simulation,
 * read each trace once).  The first run's problems go to 'd', the later
 * runs' (variants) to p->extra as app_plan_load() reports them: those the
 * first run shares are left out.  Returns HS_OK, or the first failure's
 * status.  O(runs x trace rows). */
int app_plan_check_runs(app_plan *p, const app_run_opts *o, hs_diag *d);

/* Runs scenarios one at a time into one store.
 *
 * Lifecycle of one app_runner_run():
 *
 *   build (srv_sim_new) --fail--> returns, run_id < 0, nothing written
 *     |
 *   io_store_begin_run --fail--> returns, run_id < 0
 *     |   runs row 'running'
 *   srv_sim_run, records to the store through an app_sink
 *     |
 *   io_store_end_run_msg: 'done' (HS_OK), 'interrupted' (stopped; rows
 *   kept) or 'failed' (any other status, or rows lost; its rows are
 *   deleted), runs.message saying why for the last two
 *
 * app_runner_stop() may be called at any time, from a signal handler
 * too: the running simulation stops after its current event (its run
 * ends 'interrupted'), a run started later stops at once, and
 * app_runner_stopped() says so from then on. */
typedef struct app_runner app_runner; /* opaque */

/* A runner writing to 'store' with 'o' (both borrowed; they must outlive
 * it). */
app_runner *app_runner_new(io_store *store, const app_run_opts *o);
void app_runner_free(app_runner *r); /* NULL is a no-op */

/* What one run left. */
typedef struct app_run_result {
    int64_t run_id;  /* < 0: the run was never begun in the store */
    srv_summary sum; /* the simulation's summary, when run_id >= 0 */
} app_run_result;

/* Run 'sc' (borrowed for the call) as a new run of the store.  Returns
 * HS_OK (run 'done'), HS_EINTR (stopped: 'interrupted'), HS_EINPUT (a
 * scenario the simulation rejects, a malformed trace line) or HS_EIO (a
 * trace that cannot be read, a store failure); with run_id >= 0 the run
 * is recorded with that outcome.  Problems go to 'd'. */
int app_runner_run(app_runner *r, const sc_scenario *sc, app_run_result *out,
                   hs_diag *d);

/* Ask the runner to stop.  Async-signal-safe.  The run ends
 * 'interrupted' with runs.message "interrupted at t=T s (simulated); the
 * rows written until then are kept". */
void app_runner_stop(app_runner *r);
/* The same, for signal 'sig' (from its handler): the message says
 * "interrupted by SIGINT at ..." (SIGTERM, or "signal N").
 * Async-signal-safe. */
void app_runner_stop_by(app_runner *r, int sig);
bool app_runner_stopped(const app_runner *r);

/* ---- records to the store (app_sink.c) ---------------------------------- */

/* The srv_sink that writes a simulation's records to a results store:
 *   request   -> requests; a decode instance equal to the prefill
 *                instance is stored as NULL
 *   step      -> steps, thinned by output.steps: all; sampled = steps
 *                0, N, 2N, ... of each instance (N = step_sample_every);
 *                none = no rows
 *   instance  -> instances;  sample -> timeseries;  transfer ->
 *   transfers;  session -> sessions;  metric -> metrics
 * The first append failure is kept and stops the simulation (the sink
 * returns nonzero), so the run ends 'failed'. */
typedef struct app_sink app_sink; /* opaque */

/* A sink for a run of 'sc' (output.steps and step_sample_every are read
 * now) writing to 'store' (borrowed) under app_sink_set_run()'s run id;
 * append failures are reported to 'd' (borrowed). */
app_sink *app_sink_new(const sc_scenario *sc, io_store *store, hs_diag *d);
void app_sink_free(app_sink *k); /* NULL is a no-op */

/* The run the rows belong to; set before the simulation emits rows. */
void app_sink_set_run(app_sink *k, int64_t run_id);

/* The callbacks of 'k', for srv_sim_new(); 'k' must outlive the
 * simulation. */
srv_sink app_sink_callbacks(app_sink *k);

/* HS_OK, or the status of the first row that could not be appended. */
int app_sink_status(const app_sink *k);

/* Check the sink's invariants (see app_sink.c); false with the reason
 * in '*why'.  O(instances), for tests. */
bool app_sink_check(const app_sink *k, const char **why);

/* ---- runs of a results file (app_report.c) ------------------------------ */

/* A metric of a scope other than the run and its instances: a pool of
 * split mode ('prefill', 'decode'), a KV transfer link or a memory pool
 * (the scope is its name). */
typedef struct app_scoped {
    char *scope;
    rec_metric_id id;
    double value;
    bool has; /* false: NULL in the store */
} app_scoped;

/* One run as stored: its runs row, its run-scope metrics and those of
 * its pools, links and memory pools. */
typedef struct app_run_row {
    int64_t run_id;
    char *file;                     /* the results file (its path) */
    char *col[REC_N_COLS_runs];     /* runs columns (REC_C_runs_*) as
                                       SQLite's text; NULL = SQL NULL */
    double metric[REC_N_METRICS];   /* by rec_metric_id */
    bool has_metric[REC_N_METRICS]; /* the run has the metric */
    app_scoped *scoped;             /* in the order they were written */
    size_t n_scoped, cap_scoped;
    char **param; /* sweep_points: path, value, path, value, ... */
    size_t n_param, cap_param; /* strings in 'param' (2 per PATH) */
    app_writer_state writer;   /* of a 'running' run; UNKNOWN otherwise */
} app_run_row;

/* Runs read from a store. */
typedef struct app_runs {
    app_run_row *runs;
    size_t n, cap;
} app_runs;

/* Append runs 'ids[0..n)' of 's' -- every run of the file, in run_id
 * order and 'hetsim oicf --db' invocations excepted, when 'ids' is NULL
 * -- to 'out' (zeroed by the caller before the first load; runs of
 * several files may be appended; release with app_runs_fini).  A run
 * without a requests_done metric (not ended yet) gets the count of its
 * 'done' requests rows instead.  Metrics of scopes other than 'run' and
 * the run's instances (metric names this build does not know skipped)
 * go to the run's 'scoped'.  Returns HS_OK, or HS_EIO / HS_EINPUT with
 * the store's message in 'd'.  O(runs) queries. */
int app_runs_load(io_store *s, const int64_t *ids, size_t n, app_runs *out,
                  hs_diag *d);
void app_runs_fini(app_runs *r);

/* The run id that 'sel' names in 's': a number is a run_id; "NAME" is
 * the latest run of scenario NAME without a variant, "NAME/VARIANT" the
 * latest of that variant.  HS_EINPUT when there is none (reported). */
int app_runs_find(io_store *s, const char *sel, int64_t *id, hs_diag *d);

/* ---- OI/CF points (app_oicf.c) ------------------------------------------ */

/* One evaluated point. */
typedef struct app_oicf_row {
    const oicf_point *p; /* borrowed from the caller's points */
    cost_ctx ctx;        /* model, precision, device, tp from the catalogs */
    cost_point_result r;
} app_oicf_row;

/* The tokens a point holds against the model's max_context: its context
 * (decode), or its prompt and context (prefill). */
int64_t app_oicf_tokens(const cost_point *pt);

/* Resolve every point's catalog entries (or model file: io_oicf_model)
 * and evaluate it.  A point whose app_oicf_tokens() exceed the model's
 * max_context, without 'beyond_context', is an error.  On HS_OK
 * '*out' is a new array of 'n' rows (free() it); on HS_EINPUT every
 * point that could not be resolved is reported to 'd' and '*out' is
 * NULL.  'pts' must outlive the rows. */
int app_oicf_eval(const oicf_point *pts, size_t n, app_oicf_row **out,
                  hs_diag *d);

/* The operators of row 'w''s step, at most 'cap' in 'ops'; returns how
 * many there are (may exceed 'cap'). */
size_t app_oicf_ops(const app_oicf_row *w, cost_op *ops, size_t cap);

/* Append 'rows' to the results file 'db' as one run named "oicf" (its
 * scenario_path 'source', NULL for none), ended 'done'.  Errors (HS_EIO,
 * HS_EINPUT for a file that is not a results database) go to 'd'. */
int app_oicf_write(const app_oicf_row *rows, size_t n, const char *db,
                   const char *source, hs_diag *d);

/* ---- sweeps (app_sweep.c) ------------------------------------------------
 *
 * The points of a sweep (or search) file: every combination of the grid
 * PATHs (the last varying fastest), crossed with each step of the zip
 * lists, crossed with each seed (the innermost).  Point i is the base
 * scenario with its PATH=VALUE overrides (a search's slo first), run
 * with its seed; its parameters go to the run's sweep_points rows.
 *
 * A point is identified by its key: the scenario's name, the seed and
 * its PATH=VALUE pairs sorted by PATH.  A run of a results file with the
 * same key and status 'done' is that point done (--resume, merge).
 */
typedef struct app_sweep_point {
    io_override *ovr; /* the overrides, then the 2 * n_ovr locations */
    hs_loc *at;
    size_t n_ovr;
    rec_sweep_point_row *params; /* path, value (borrowed from the file) */
    size_t n_params;
    bool has_seed; /* a seeds: list gives this point its seed */
    uint64_t seed;
    char *key;
} app_sweep_point;

typedef struct app_sweep {
    io_sweep *file; /* owned */
    char *name;     /* the base scenario's name */
    app_sweep_point *pt;
    size_t n;
} app_sweep;

/* Load the sweep (or search) file 'path', list its points and check each
 * as 'hetsim run' checks a run (app_run_validate; each combination once,
 * whatever its seed; a search's points are only loaded: one that cannot
 * be built is a candidate the search prunes).  A value the scenario rejects is reported where
 * the sweep file wrote it; a problem of a combination located elsewhere
 * (the scenario) carries the point as its context ("point 3:
 * cluster.instances.0.tp=2 ...").  Returns HS_OK, or HS_EINPUT / HS_EIO
 * with every problem in 'd' and 'sw' empty.  O(points) loads. */
int app_sweep_load(const char *path, io_sweep_kind kind, app_sweep *sw,
                   hs_diag *d);
void app_sweep_fini(app_sweep *sw); /* a zeroed sweep is fine */

/* Load point 'i''s scenario (its overrides applied). */
int app_sweep_scenario(const app_sweep *sw, size_t i, sc_scenario **out,
                       hs_diag *d);

/* Run point 'i' of 'sw' as a new run of 'store', with 'base''s options
 * (progress, fast-forward) and the point's seed, overrides and
 * parameters.  Returns as app_runner_run().  'on_runner' (may be NULL)
 * is called with the runner made for the point before it runs (so that
 * a signal handler can stop it) and with NULL after. */
int app_sweep_run(const app_sweep *sw, size_t i, io_store *store,
                  const app_run_opts *base, app_run_result *out,
                  void (*on_runner)(void *ctx, app_runner *r), void *ctx,
                  hs_diag *d);

/* Mark in done[0..sw->n) the points that 's' holds as 'done' runs (by
 * key).  Returns HS_OK or the store's error. */
int app_sweep_done(io_store *s, const app_sweep *sw, bool *done, hs_diag *d);

/* The key of run 'run_id' of 's' (a new string; NULL when the run does
 * not exist), as a point's key. */
char *app_run_key(io_store *s, int64_t run_id, hs_diag *d);

/* ---- merging results files (app_merge.c) ---------------------------------- */

/* What a merge did. */
typedef struct app_merge_stats {
    size_t runs;       /* runs copied */
    size_t duplicates; /* of them, 'done' runs whose point key a done run
                          of the output (or an earlier input) already had */
    int64_t last_run;  /* the new id of the last run copied; -1: none */
} app_merge_stats;

/* Copy every run of results file 'src' into 's' (io_store_merge: new
 * run ids, every row, statuses as they are; nothing dropped), in run id
 * order.  A done run whose key (app_run_key) a done run of 's' already
 * has is still copied, and reported to 'dup' as a warning naming both
 * runs.  With 'only' >= 0 only that run.  Adds to '*st'.  Returns HS_OK,
 * HS_EINPUT (not a results file of this schema) or HS_EIO. */
int app_merge_file(io_store *s, const char *src, int64_t only,
                   app_merge_stats *st, hs_diag *dup, hs_diag *d);

/* ---- searches (app_search.c) ---------------------------------------------
 *
 * A search (docs/search.md) finds the candidate of a space -- the points
 * of a search file, seeds aside -- that meets the SLO with the lowest
 * objective, simulating as few as it can.  Before anything runs each
 * candidate gets, from the scenario and the cost model alone:
 *   - its objective when that is fixed by the configuration (cost: the
 *     catalogs' cost_per_hour x devices; devices), else a lower bound of
 *     it (energy: J per output token >= tp x busy power x the least step
 *     time per token of its groups; 0 with a window.to);
 *   - 'pruned' with its reason when it provably cannot meet the SLO: its
 *     simulation cannot be built (the model does not fit: capacity), or
 *     the smallest step any of its instances can take (one prefill token
 *     for TTFT and E2E keys, one decode token at context 1 for TPOT;
 *     the roofline cost is monotone in a step's work) already exceeds a
 *     threshold: then every request misses it.
 * Candidates are taken in (bound, index) order; once one is feasible,
 * every later candidate whose bound is not below its objective is
 * decided without a simulation (it cannot beat it; ties go to the lower
 * index, as an exhaustive sweep ordered the same way picks).
 */
typedef struct app_candidate {
    size_t first;   /* its first point in the sweep (seeds follow) */
    double devices; /* devices of the cluster */
    double usd_per_hour;
    double bound;     /* the objective's lower bound before simulating */
    double objective; /* once simulated (cost, devices: == bound) */
    bool pruned;      /* decided without a simulation ('reason') */
    bool simulated;   /* every seed's run ended (runs in 'run_id') */
    bool feasible;    /* simulated, and every seed met every SLO key */
    bool pareto;      /* feasible, and no feasible candidate is as good in
                         objective, TTFT p99 and throughput and better
                         in one */
    char *reason;     /* why pruned or infeasible; NULL: none */
    int64_t *run_id;  /* per seed; -1 until run */
    size_t runs_taken;
    /* means over the seeds' runs */
    double ttft_p99_s, tpot_p99_s, throughput_tok_s, goodput_req_s;
    double rate_max; /* --rate-max: the highest rate found within the SLO
                        (requests/s); 0: none */
} app_candidate;

typedef struct app_search {
    app_sweep sw;
    app_candidate *c;
    size_t n, n_seeds;
    size_t *order; /* candidates in (bound, index) order */
    size_t next;   /* position in 'order' of the next to consider */
    long best;     /* the best feasible candidate so far; -1: none */
} app_search;

/* Load a search file and bound every candidate (above).  Problems with
 * the file or a value are errors (HS_EINPUT, located); a candidate that
 * cannot be built is not: it is pruned.  O(candidates) loads and
 * builds. */
int app_search_load(const char *path, app_search *s, hs_diag *d);
void app_search_fini(app_search *s);

/* The points (sweep indexes) to simulate next: those of the next
 * candidates in order that may still beat the best, at most 'max'
 * candidates; '*n' points written to 'pts' (room for max x n_seeds).
 * 0 when the search is over. */
size_t app_search_next(app_search *s, size_t max, size_t *pts);

/* Whether candidate 'cand' (handed out by app_search_next) may still beat
 * the best taken so far: what a search simulating one candidate at a
 * time checks before simulating it.  A caller that simulated a round
 * ahead (hetsim-mpi) takes the round's results in order and drops those
 * from the first candidate that may not on, so that it ends as a search
 * one at a time would. */
bool app_search_may_beat(const app_search *s, size_t cand);

/* Point 'point' ran as run 'run_id' of 'store' (< 0: it could not run):
 * read its metrics; when the candidate's last seed is in, decide it. */
int app_search_take(app_search *s, size_t point, io_store *store,
                    int64_t run_id, hs_diag *d);

/* After the last app_search_next(): mark what was not simulated, find
 * the Pareto front, and write the candidates in report order to
 * '*rows' (feasible first by (objective, index), then the others by
 * (bound, index)); a new array of s->n indexes. */
void app_search_finish(app_search *s, size_t **rows);

/* Whether run 'run_id' of 'store' ended done with every SLO key met;
 * its goodput_req_s and throughput to '*goodput', '*tok_s' (0 when
 * none).  HS_OK or the store's error. */
int app_search_run_met(io_store *store, int64_t run_id, bool *met,
                       double *goodput, double *tok_s, hs_diag *d);

/* ---- kernel calibration (app_kfit.c, app_calib_rows.c, app_calib.c) ----
 *
 * 'hetsim calibrate': per device and operator class, fit the efficiency
 * curve of cost.h (cost_curve) to measured kernel tables with
 * gsl_multifit_nlinear, hold a fifth of the rows out to test it, and
 * write the device's calibration file (docs/calibration.md). */

/* One measured row: the kernels the cost model would time for it (their
 * predicted times add up), and the measured time. */
#define APP_KFIT_OPS 3
typedef struct app_ksample {
    cost_kernel k[APP_KFIT_OPS];
    int n_k;
    double fixed_s; /* time of kernels of other, already fitted classes */
    double measured_s;
    bool test; /* held out of the fit */
} app_ksample;

/* The parameters of a cost_curve, as bits of a fit's 'mask'. */
enum {
    APP_KP_EFF_C,
    APP_KP_EFF_M,
    APP_KP_HALF_FLOPS,
    APP_KP_HALF_BYTES,
    APP_KP_HALF_PAR,
    APP_KP_SHARP,
    APP_KP_FLOOR,
    APP_KP_UNIT,
    APP_KP_COUNT
};
#define APP_KP(i) (1u << (i))

/* The predicted time of sample 's' under 'c' (its fixed time plus the
 * sum of its kernels). */
double app_kpredict(const cost_curve *c, double peak, double bw,
                    const app_ksample *s);

/* Fit the parameters in 'mask' of '*c' (start values in, each > 0;
 * fitted values out; the others kept) to the samples not held out,
 * minimising the sum of squared log(predicted / measured).  HS_EINPUT
 * (in 'd') when there are too few rows. */
int app_kfit(const app_ksample *s, size_t n, double peak, double bw,
             unsigned mask, cost_curve *c, hs_diag *d);

/* Relative errors predicted/measured - 1 of the held-out ('test') or the
 * training samples: count, median and p90 of |error|, median error. */
typedef struct app_kresid {
    size_t n;
    double median, p90, bias;
} app_kresid;
void app_kresiduals(const app_ksample *s, size_t n, double peak, double bw,
                    const cost_curve *c, bool test, app_kresid *out);

/* The samples of one operator class read from the tables of a device
 * (app_calib_rows.c).  'files' are paths; 'peak' the device's peak of the
 * class's format.  Rows faster than the device's peak or bandwidth allow
 * are left out and counted in '*dropped'.  '*out' is a new array. */
typedef struct app_ktable {
    cost_kclass k;
    const char *const *files; /* NULL-ended */
    const cost_device *dev;   /* MLA: the device with the curves fitted
                                 so far, which time the module's other
                                 kernels */
} app_ktable;
int app_calib_rows(const app_ktable *t, double peak, double bw,
                   app_ksample **out, size_t *n, size_t *dropped, hs_diag *d);

/* The measured all-reduce of each GPU count from NCCL and vLLM custom
 * all-reduce tables (either may be NULL: the other alone): per size the
 * faster implementation; points held out ('test' sizes) are returned
 * apart for the residuals. */
typedef struct app_ar_points {
    cost_ar_table train;
    int n_test;
    double test_bytes[COST_AR_POINTS], test_s[COST_AR_POINTS];
} app_ar_points;
int app_calib_allreduce(const char *nccl, const char *custom,
                        app_ar_points out[COST_AR_COUNTS], hs_diag *d);

/* The measured MoE all-to-all of each EP size from DeepEP's low-latency
 * and normal tables (SGLang; DeepSeek-V3's shape): seconds by the payload
 * one GPU sends, per size the faster mode (the lower envelope), for the
 * dispatch (fp8) and the combine (bf16); 'normal' may be NULL. */
int app_calib_alltoall(const char *low_latency, const char *normal,
                       app_ar_points disp[COST_AR_COUNTS],
                       app_ar_points comb[COST_AR_COUNTS], hs_diag *d);

/* What one class's fit came to on one device. */
typedef struct app_calib_class {
    bool fitted;       /* from this device's own rows */
    char borrowed[64]; /* else the device it was copied from, or "" */
    char source[256];  /* the tables */
    size_t dropped;    /* rows beyond the physical limits, left out */
    app_kresid train, test;
    bool has_before; /* an fp8 class: 'before' is its held-out rows
                          under the 16-bit class's curve */
    app_kresid before;
    bool not_kept; /* fitted, but the 16-bit curve fits its training
                          rows better: left out of the file */
} app_calib_class;

/* One device's calibration as written. */
typedef struct app_calib_device {
    char name[64];
    double bw;
    double peak[COST_N_KCLASS]; /* the peak each class is timed against */
    cost_device dev;            /* the catalog entry, with the curves
                                   fitted so far */
    cost_calib cal;
    app_calib_class cls[COST_N_KCLASS];
    char ar_borrowed[64];
    app_kresid ar_test[COST_AR_COUNTS];
    app_kresid a2a_test[2][COST_AR_COUNTS]; /* dispatch, combine */
    char path[4096];                        /* the file written */
} app_calib_device;

typedef struct app_calib_opts {
    const char *data;    /* the shared data folder (aiconfigurator/, vidur/) */
    const char *device;  /* one device, or NULL for every one with data */
    const char *out_dir; /* where <device>.yaml goes; NULL: the catalog's
                            calibration/ */
    const char *residuals; /* NULL, or a CSV file of every fitted row:
                              device, class, held out, its first kernel's
                              shape, measured and predicted seconds */
} app_calib_opts;

/* Fit, test and write the calibration of each device; every file written
 * is read back with io_calibration_load.  A table that is absent leaves
 * its classes unfitted (classes with no rows are reported as such).  On
 * HS_OK '*out' is a new array of '*n' devices (free()). */
int app_calibrate(const app_calib_opts *o, app_calib_device **out, size_t *n,
                  hs_diag *d);

#endif /* HETSIM_APP_H */
