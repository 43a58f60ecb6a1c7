/*
 * serve.h -- the serving simulation: a cluster of model instances fed by
 * the scenario's workload sources, timed step by step by the cost model.
 *
 * One simulation runs one scenario (after variants and overrides are
 * applied).  It emits what it observes through a sink of callbacks --
 * finished requests, steps, per-instance totals, sampled time series and
 * summary metrics -- so that it needs no knowledge of SQLite: the CLI
 * connects the sink to the results store, tests collect rows in memory.
 *
 * Lifecycle:
 *
 *   srv_sim_new() --> READY --srv_sim_run()--> RUNNING --> ENDED
 *                                       |                    ^
 *                      srv_sim_stop() --+--> STOPPED --------+
 *   srv_sim_summary() is valid once ENDED; srv_sim_free() at any time.
 *
 * Every row a sink receives is final: rows of a stopped simulation are
 * the requests that finished before the stop.
 */
#ifndef HETSIM_SERVE_H
#define HETSIM_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hetsim/cost.h"
#include "hetsim/records.h"
#include "hetsim/scenario.h"
#include "hetsim/util.h"

/* ---- records handed to the sink ------------------------------------------
 *
 * The record structs (srv_request_rec, srv_step_rec, srv_instance_rec,
 * srv_sample_rec, srv_transfer_rec, srv_session_rec) and the request
 * statuses are generated from the result schema in records.h. */

/* Callbacks; any may be NULL.  A nonzero return stops the simulation
 * with HS_EIO (the sink failed). */
typedef struct srv_sink {
    void *ctx;
    int (*request)(void *ctx, const srv_request_rec *r);
    int (*step)(void *ctx, const srv_step_rec *r);
    int (*instance)(void *ctx, const srv_instance_rec *r);
    int (*sample)(void *ctx, const srv_sample_rec *r);
    int (*transfer)(void *ctx, const srv_transfer_rec *r);
    int (*session)(void *ctx, const srv_session_rec *r);
    int (*metric)(void *ctx, const char *scope, const char *name,
                  double value);
} srv_sink;

/* ---- running ------------------------------------------------------------ */

typedef struct srv_options {
    uint64_t seed;         /* randomness: workload streams, random router */
    bool no_fast_forward;  /* step decode batches one iteration per event
                             (same results, slower; for tests) */
    bool check_invariants; /* check every instance's and the cluster's
                              invariants (sim/serve/srv_check.c) after
                              every event; a violation ends the run with
                              HS_ERUNTIME (tests, debugging; always on
                              in the debug build, make DEBUG=1) */
    /* Called about every 'progress_every_s' of simulated time, when not
     * NULL, with the simulated time and requests finished so far. */
    void (*progress)(void *ctx, double sim_s, int64_t done, int64_t arrived);
    void *progress_ctx;
    double progress_every_s;
} srv_options;

typedef struct srv_sim srv_sim; /* opaque */

/* Build the cluster and open the workload sources of 'sc' (borrowed: it
 * must outlive the simulation).  Errors (a model that does not fit an
 * instance, an unreadable trace) go to 'd'; returns HS_OK, HS_EINPUT or
 * HS_EIO, and '*out' is NULL on failure. */
int srv_sim_new(const sc_scenario *sc, const srv_options *opt,
                const srv_sink *sink, srv_sim **out, hs_diag *d);

/* Run until every source is exhausted and every request has finished
 * or been dropped.  Returns HS_OK, HS_EINTR (srv_sim_stop was called;
 * the summary covers what ran), HS_EINPUT (a malformed trace line) or
 * HS_EIO (the sink failed). */
int srv_sim_run(srv_sim *s, hs_diag *d);

/* Ask a running simulation to stop after the current event.
 * Async-signal-safe. */
void srv_sim_stop(srv_sim *s);

/* The run's summary, computed at the end of srv_sim_run (also emitted to
 * the sink's 'metric' callback with scope "run"). */
/* Fields marked W cover the measurement window (sc_window): the requests
 * that arrived inside it, or its time; the others the whole run.  NaN
 * where undefined (no request to take a percentile of). */
typedef struct srv_summary {
    int64_t arrived, done, dropped, unfinished;
    double sim_s; /* the span: from 0 to the last arrival, finish or drop
                     (a stopped run: to when it stopped) */
    double window_from_s, window_s; /* the window inside [0, sim_s] */
    int64_t window_requests;        /* requests that arrived inside it */
    uint64_t events;
    int64_t input_tokens, output_tokens;
    double throughput_tok_s; /* W: output tokens of done / window_s */
    double throughput_req_s; /* W: done / window_s */
    double ttft_s[3];        /* W: p50, p90, p99, nearest rank over done */
    double tpot_s[3];
    double e2e_s[3];
    double ttft_mean_s, tpot_mean_s, e2e_mean_s, queue_mean_s; /* W */
    double goodput_req_s;       /* W: done within every SLO / window_s */
    double slo_attainment;      /* W: done within every SLO / arrived (without
                              SLO: done / arrived) */
    double mean_oi;             /* sum of step FLOPs / sum of step bytes */
    double capacity_bound_frac; /* busy time in capacity-bound steps */
    double energy_j;            /* W for instances; traffic: whole run */
    double cost_usd;            /* W */
    double tokens_per_usd;      /* W: output tokens per dollar */
    double tokens_per_j;        /* W */
    int64_t preemptions;
    double prefix_hit_rate;       /* cached prompt tokens / prompt tokens
                                     of finished requests */
    double prefix_block_hit_rate; /* prefix blocks served from the cache
                                     / prefix blocks, same requests */
    int64_t sessions_done;
    double session_mean_s; /* mean session completion time */
} srv_summary;

void srv_sim_summary(const srv_sim *s, srv_summary *out);
void srv_sim_free(srv_sim *s); /* NULL is a no-op */

/* ---- the policies a scenario may name ------------------------------------
 *
 * Serve's policies are registered in tables (the .def files of sim/serve); the
 * scenario loader asks here which names exist, so a new policy needs no
 * change outside serve. */
typedef enum srv_policy_kind {
    SRV_POLICY_ROUTER,    /* router.policy, router.decode_policy */
    SRV_POLICY_SCHEDULER, /* a group's scheduler */
    SRV_POLICY_KV_POOL,   /* cluster.kv_pool.policy */
    SRV_POLICY_RETENTION  /* cluster.kv_retention.policy */
} srv_policy_kind;

/* The number of registered policies of 'kind', and the name of the i-th
 * (i < count), in registry order. */
size_t srv_policy_count(srv_policy_kind kind);
const char *srv_policy_name(srv_policy_kind kind, size_t i);
/* Is 'name' a registered policy of 'kind'? */
bool srv_policy_known(srv_policy_kind kind, const char *name);
/* Is the registered scheduler 'name' one for the decode pool of split
 * mode (it admits arrived KV caches, it does not prefill)? */
bool srv_scheduler_decode_pool(const char *name);

#endif /* HETSIM_SERVE_H */
