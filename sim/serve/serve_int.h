/*
 * serve_int.h -- private to sim/serve: the cluster, i.e. the simulation
 * that ties instances (srv_inst.h) to the engine and the workload
 * sources, and the files that make it, lowest first (none calls back
 * into one above it; instances reach the cluster only through the hooks
 * srv_sim.c gives them):
 *
 *   srv_emit.c     the sink: rows and metrics out, the first failure kept
 *   srv_check.c    the invariants after every event (tests, make DEBUG=1)
 *   srv_stats.c    request accounting, the summary, every metric
 *   srv_session.c  agent sessions in progress and their rows
 *   srv_source.c   workload sources and their pending arrival events
 *   srv_retire.c   a request leaves: record, accounting, closed loops
 *   srv_route.c    the router policy chooses an instance
 *   srv_split.c    split mode: prefill -> decode hand-off, KV transfers
 *   srv_xfer.c     the memory pool's traffic as transfer rows
 *   srv_pool.c     the memory pool's traffic on the network
 *   srv_arrival.c  an arrival: make the request, route it, queue it
 *   srv_build.c    building instances, pools and the network
 *   srv_sim.c      the public API: new, run, stop, summary, free; hooks
 *
 * Tests may include this header (-Isim); other modules may not.
 */
#ifndef HETSIM_SERVE_INT_H
#define HETSIM_SERVE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hetsim/cost.h"
#include "hetsim/engine.h"
#include "hetsim/scenario.h"
#include "hetsim/serve.h"
#include "hetsim/workload.h"
#include "srv_inst.h"

/* One workload source and its pending arrival. */
typedef struct srv_source {
    wl_source *src;
    const char *name;
    wl_request next;   /* the request of the pending arrival */
    eng_event_id ev;   /* ENG_NO_EVENT when none pending */
    hs_time next_time; /* its time, HS_TIME_MAX when none */
    bool closed;       /* closed loop: arrivals follow releases */
    bool exhausted;
} srv_source;

/* A session in progress, by (source, session id). */
typedef struct srv_sess {
    bool live;
    int64_t session_id;
    int32_t source;
    int64_t calls, total_tokens, cached_tokens;
    hs_time start, end;
} srv_sess;

/* The sessions in progress: a dense array of slots (a free list reuses
 * the slots of ended sessions), found through one hash table per source
 * (session id -> slot). */
typedef struct srv_sessions {
    srv_sess *slot;
    size_t n_slots, cap_slots;
    size_t *free_slots;
    size_t n_free, cap_free;
    hs_table *by_source; /* [n_sources] */
    int n_sources;
} srv_sessions;

/* The latencies of one kind (TTFT, TPOT or E2E) of the requests counted:
 * every value is kept, a double per request, for exact percentiles at
 * the end (srv_stats.c). */
typedef struct srv_values {
    double *v;
    size_t n, cap;
    double sum;
} srv_values;

/* Request totals, kept as requests retire (srv_stats.c).  The 'win_'
 * totals, the SLO counts, the latencies and the queue time count only the
 * requests that arrived inside the measurement window [win_from,
 * win_to); the others count every request. */
typedef struct srv_stats {
    int64_t arrived, done, dropped, in_flight;
    int64_t input_tokens, output_tokens, preemptions;
    int64_t cached_tokens, done_prompt_tokens; /* prefix hit rates */
    int64_t hit_blocks, id_blocks;
    hs_time win_from, win_to; /* win_to HS_TIME_MAX: to the end */
    int64_t win_arrived, win_done, win_output_tokens;
    int64_t within_all; /* done and within every SLO threshold */
    int64_t *within;    /* [n_slo]: done and within that threshold */
    size_t n_slo;
    srv_values ttft, tpot, e2e;
    double queue_sum;
    int64_t queue_n;
    int64_t sessions_done;
    double session_time_sum;
    hs_time last_change; /* the last arrival, or finish or drop */
} srv_stats;

/* Pool offloads and streams added up per interval (srv_xfer.c): a
 * window of the intervals not yet written, from the one that holds the
 * present (nothing starts before it). */
typedef struct srv_streams {
    hs_time every;    /* the interval; HS_TIME_MAX: one, the whole run */
    int64_t base;     /* interval of bytes[0] */
    double (*bytes)[SRV_XFER_N_KINDS]; /* [n][kind]: bytes in interval
                                          base + i */
    size_t n, cap;
} srv_streams;

struct srv_sim {
    const sc_scenario *sc;
    srv_options opt;
    srv_sink sink;
    eng_sim *eng;
    srv_inst_hooks hooks; /* how instances tell the cluster */

    srv_inst *insts;
    srv_inst **inst_ptrs; /* &insts[i], as routers take them */
    int n_insts;
    int n_prefill; /* split: instances [0, n_prefill) prefill, the
                             rest decode; 0 in monolithic mode */
    srv_router router;
    srv_router drouter;    /* split: chooses the decode instance */
    struct hw_net *net;    /* the network: split mode's KV ports, the
                              memory pool and its ports (srv_pool.c) */
    const char *xfer_link; /* its link's name */
    double xfer_epb;       /* its energy per bit */
    double kv_token_bytes; /* KV of one token, model-level (one copy) */
    srv_queue moving;      /* split: requests whose KV is on the wire */
    const sc_pool *pool;   /* the memory pool in use, else NULL */
    double pool_epb;       /* energy per bit of the pool's link */
    int pool_res;          /* the pool's resource in 'net' */
    double pool_shared_bytes; /* pool bytes over split's KV ports */
    int64_t kv_transfers;     /* split: KV hand-offs started */
    srv_sessions sessions;
    int64_t next_xfer_id;
    srv_streams streams;
    srv_source *sources;
    int n_sources;
    eng_handler on_arrival; /* handler of arrival events (srv_arrival.c) */

    srv_reqpool reqs;
    int64_t next_id;
    srv_stats stats;

    hs_time sample_every; /* 0: no time series */
    hs_time next_sample;  /* HS_TIME_MAX when none */
    hs_time progress_every;
    hs_time next_progress;
    hs_time end_time;
    int status;    /* first error raised by a handler */
    hs_diag *diag; /* borrowed during srv_sim_run */
    bool ended;
    srv_summary summary;
};

/* ---- the sink (srv_emit.c) ----------------------------------------------- */

/* Record the first failure ('what' reported when not NULL) and stop the
 * engine. */
void srv_fail(srv_sim *s, int status, const char *what);
/* Rows and metrics to the sink; a sink failure stops the run (HS_EIO). */
void srv_emit_request(srv_sim *s, const srv_request_rec *rec);
void srv_emit_step(srv_sim *s, const srv_step_rec *rec);
void srv_emit_instance(srv_sim *s, const srv_instance_rec *rec);
void srv_emit_sample(srv_sim *s, const srv_sample_rec *rec);
void srv_emit_transfer(srv_sim *s, const srv_transfer_rec *rec);
void srv_emit_session(srv_sim *s, const srv_session_rec *rec);
/* Metric 'id' of the result schema's metric table (records.h). */
void srv_emit_metric(srv_sim *s, const char *scope, rec_metric_id id,
                     double v);

/* ---- time-series samples (srv_sim.c) ------------------------------------- */

/* When to sample next, the sample at 'now' written, on the grid of
 * multiples of 'every' (> 0) that 'now' is on: 'now' + 'every' while the
 * next event ('next_event') is at most one interval away, else the first
 * grid time at or after it, jumping the idle span between (nothing can
 * change there, so its rows would repeat this one).  HS_TIME_MAX when that
 * time is past HS_TIME_MAX. */
hs_time srv_next_sample(hs_time now, hs_time next_event, hs_time every);

/* ---- invariants (srv_check.c) -------------------------------------------- */

/* Check every instance (srv_inst_check) and the cluster's own invariants
 * S1-S3 (srv_check.c); false when one is broken, said on 'why' when not
 * NULL.  O(requests in flight + instances). */
bool srv_check_cluster(const srv_sim *s, FILE *why);

/* ---- statistics (srv_stats.c) -------------------------------------------- */

/* Empty totals for scenario 'sc' (its SLO and measurement window). */
void srv_stats_init(srv_stats *st, const sc_scenario *sc);
void srv_stats_fini(srv_stats *st);
/* Count a retiring request's record (and, done, its prefix blocks) at
 * the current time.  O(1) amortised (latencies are appended). */
void srv_stats_account(srv_sim *s, const srv_req *r,
                       const srv_request_rec *rec);
/* Compute the summary, emit the instance rows, every metric and the
 * run's summary metrics (end of srv_sim_run).  O(n) expected in the
 * requests of the window (the percentiles select among their latencies). */
void srv_stats_finish(srv_sim *s);

/* ---- sessions (srv_session.c) -------------------------------------------- */

void srv_sessions_init(srv_sessions *t, int n_sources);
void srv_sessions_fini(srv_sessions *t);
/* A call of a session ended (or the run ends with it unfinished): its
 * session's totals; the session's row when it was its last call. */
void srv_session_call(srv_sim *s, const srv_req *r,
                      const srv_request_rec *rec);
/* Rows of the sessions still open when the run ends. */
void srv_sessions_flush(srv_sim *s);

/* ---- sources (srv_source.c) ---------------------------------------------- */

int srv_sources_open(srv_sim *s, hs_diag *d);
void srv_sources_close(srv_sim *s);
/* (Re)schedule source 'idx''s pending arrival at its next request's
 * time (s->on_arrival handles it). */
void srv_source_arm(srv_sim *s, int idx);
/* Take the request whose arrival is now from source 'idx' (into
 * sources[idx].next); false on a failure (recorded). */
bool srv_source_take(srv_sim *s, int idx);
/* A request of source 'idx' finished or was dropped: a closed loop lets
 * the next one come. */
void srv_source_release(srv_sim *s, int idx, int64_t session_id);

/* ---- retiring (srv_retire.c) --------------------------------------------- */

/* 'r' finished or is left unfinished at the end ('st' is not
 * SRV_REQ_DROPPED): emit its record, account it, release closed-loop
 * sources, recycle it. */
void srv_retire(srv_sim *s, srv_req *r, srv_request_status st);

/* 'r' is dropped for reason 'why' (not SRV_DROP_NONE): retired as
 * srv_retire does, its record saying why. */
void srv_drop(srv_sim *s, srv_req *r, srv_drop_reason why);

/* ---- routing (srv_route.c) ------------------------------------------------ */

/* The instance a new (or re-prefilled) request goes to: the prefill
 * pool in split mode, else any, as the router policy chooses. */
int srv_route(srv_sim *s, const srv_req *r);

/* ---- split mode (srv_split.c) --------------------------------------------- */

/* The prefill of 'r' on instance 'pidx' is done (its KV ready at
 * 'ready'): choose its decode instance and move its KV (or queue it).  A
 * request whose first token was its last is retired instead; the caller
 * (the prefill instance's step end) then plans that instance's next
 * step. */
void srv_split_handoff(srv_sim *s, int pidx, srv_req *r, hs_time ready);
/* 'r' was preempted on a decode instance: back to the prefill pool. */
void srv_split_reroute(srv_sim *s, srv_req *r);
/* Start every transfer decode instance 'didx' now has room for. */
void srv_split_pump(srv_sim *s, int didx);
/* Requests whose KV is on the wire when the run stops: unfinished. */
void srv_split_drain(srv_sim *s);

/* ---- the memory pool's traffic (srv_xfer.c) ------------------------------ */

/* Fetches become one transfer row each; offloads and streams are added
 * up per interval of the time series ('output.timeseries_interval'; the
 * whole run without one) and written once the interval is past. */
void srv_xfer_pool(srv_sim *s, const srv_pool_xfer *x);
/* The end of the run: the intervals not written yet; frees the window. */
void srv_xfer_flush(srv_sim *s);

/* ---- the memory pool on the network (srv_pool.c) ------------------------- */

/* Add the pool and the ports of the instances 'ops' applies to to the
 * network (made when there is none), after the instances were built. */
void srv_pool_build(srv_sim *s, const srv_kvpol_ops *ops);
/* The instances' pool_move hook: a step's reads or background writes. */
void srv_pool_move(srv_sim *s, int inst, double bytes, bool write);

/* ---- arrivals (srv_arrival.c) --------------------------------------------- */

/* The engine handler of arrival events (target: the srv_sim, arg: the
 * source index). */
void srv_on_arrival(eng_sim *eng, void *target, uint32_t kind, uint64_t arg);

/* ---- building (srv_build.c) ------------------------------------------------ */

/* Build the instances of the cluster's mode, their routers, the split
 * network and the memory pool. */
int srv_build(srv_sim *s, hs_diag *d);
void srv_unbuild(srv_sim *s);

#endif /* HETSIM_SERVE_INT_H */
