/*
 * srv_inst.h -- private to the instance core of sim/serve: one model
 * instance (a replica on 'tp' devices) with its waiting queue, running
 * batch, paged KV blocks, prefix cache and lazy decode state.  Policies
 * never include this header (they use srv_host.h); the cluster-level
 * files (serve_int.h) use the srv_inst_* functions at the end.
 *
 * The core, lowest first (no file calls back into one above it):
 *   srv_queue.c   intrusive FIFO queues of requests
 *   srv_decode.c  the lazy decode aggregates (I5) and the finish heap
 *   srv_kv.c      KV blocks, the prefix cache, eviction, reservation
 *   srv_batch.c   admission, chunks, preemption: the actions schedulers
 *                 compose
 *   srv_step.c    cost, record and apply a planned iteration
 *   srv_inst.c    set-up, the step loop with fast-forward, hand-offs,
 *                 draining, the invariant checker
 * The instance tells the cluster what happens (a request finished, was
 * handed off or evicted; blocks were freed; a step ran) through the
 * srv_inst_hooks it was built with.
 *
 * Decode is tracked lazily, so that an iteration costs O(1) however large
 * the batch: every running request in its decode phase advances by one
 * token per decode iteration of its instance ('dec_it'), so its KV length
 * and output count are derived, kv0 + (dec_it - dec_it0), and the
 * instance keeps only aggregates -- how many decode, the sum of their KV
 * lengths, how many cross a KV block boundary at each residue of
 * dec_it modulo the block size, and a heap of the iteration at which each
 * will have produced its last token.  srv_decode_leave() writes the
 * derived values back when a request leaves its decode phase.
 *
 * Invariants (checked by srv_inst_check in tests):
 *   I1  used_blocks == blocks of running requests + held_blocks (blocks
 *       of this instance's requests outside the batch: handed off or
 *       moving away on a prefill instance; reserved for an incoming or
 *       queued request on a decode instance) + the prefix cache's
 *       blocks, and 0 <= used_blocks <= total_blocks;
 *   I2  every running request holds ceil(kv / block_size) blocks in its
 *       decode phase (kv its derived KV length), or ceil(target /
 *       block_size) while prefilling (reserved whole at admission), less
 *       the cache entries it pins;
 *   I3  running[] is in admission order (admit_seq increasing);
 *   I4  outstanding == sum over waiting and running requests of
 *       (target - prefilled) + (output - generated), and prefill_left
 *       == the sum of (target - prefilled) alone;
 *   I5  n_dec, dec_kv_base, the residue counts and the heap describe
 *       exactly the running requests in their decode phase.
 * The KV pool policy checks its own state (kvpol check), the prefix
 * cache C1-C3 (srv_pcache.h).  I1, I2, I4 and I5 are not checked while a
 * step waits for its pool traffic ('link_wait'): it has been planned
 * (blocks grown, chunks set) but is applied only when its reads end.
 */
#ifndef HETSIM_SRV_INST_H
#define HETSIM_SRV_INST_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hetsim/cost.h"
#include "hetsim/engine.h"
#include "hetsim/scenario.h"
#include "hetsim/serve.h"
#include "srv_host.h"
#include "srv_pcache.h"
#include "srv_req.h"

/* ---- queues (srv_queue.c) ------------------------------------------------- */

/* A FIFO of requests linked through their prev/next. */
typedef struct srv_queue {
    srv_req *head, *tail;
    int64_t n;
} srv_queue;

void srv_queue_push_back(srv_queue *q, srv_req *r);
void srv_queue_push_front(srv_queue *q, srv_req *r);
/* Remove and return the head (the queue is not empty). */
srv_req *srv_queue_pop(srv_queue *q);
/* Remove 'r', which is in 'q'. */
void srv_queue_remove(srv_queue *q, srv_req *r);

/* Remove 'r' from v[0..*n), an array kept in order.  O(n). */
void srv_list_remove(srv_req **v, int64_t *n, const srv_req *r);

/* ---- the cluster side of an instance ------------------------------------- */

/* What an instance tells the cluster, as it happens.  'ctx' is the
 * cluster; instances are named by their index. */
typedef struct srv_inst_hooks {
    void *ctx;
    /* 'r' finished (done) or must be given up (unfinished) here. */
    void (*retire)(void *ctx, srv_req *r, srv_request_status st);
    /* Prefill kind: the prefill of 'r' is done; its KV is ready at
     * 'ready' (the step's end). */
    void (*handoff)(void *ctx, int inst, srv_req *r, hs_time ready);
    /* Decode kind: 'r' was preempted and needs a prefill again. */
    void (*evicted)(void *ctx, srv_req *r);
    /* Decode kind: blocks were freed; waiting transfers may start. */
    void (*freed)(void *ctx, int inst);
    /* The time before which nothing outside the instance can observe
     * or change it (fast-forward stops there). */
    hs_time (*horizon)(void *ctx);
    /* A step row; the cluster forwards it to its sink. */
    void (*step)(void *ctx, const srv_step_rec *rec);
    /* Traffic with the memory pool (srv_host_pool_xfer); may be NULL. */
    void (*pool_xfer)(void *ctx, const srv_pool_xfer *x);
    /* Move 'bytes' between instance 'inst' and the memory pool over the
     * cluster's network: a step's reads ('write' false; the cluster
     * calls srv_inst_link_done when their last byte is in) or offloads
     * in the background.  NULL: no network; reads then take the share's
     * lone rate and offloads are not simulated on the link. */
    void (*pool_move)(void *ctx, int inst, double bytes, bool write);
} srv_inst_hooks;

/* ---- the instance --------------------------------------------------------- */

struct srv_inst {
    char name[64];
    int idx; /* index in the cluster */
    srv_kind kind;
    const char *role;   /* "monolithic", "prefill" or "decode" */
    const char *device; /* hardware name (borrowed from the scenario) */
    cost_ctx ctx;
    int64_t max_batch;
    int64_t max_tokens;
    /* The engine profile's additions to the ideal step (sc_engine):
     * host time per iteration and per sequence, overlapped or added;
     * the CUDA-graph sizes a decode-only batch is padded to (borrowed
     * from the scenario); the share of memory the engine may use. */
    double host_step_s, host_seq_s;
    bool host_overlap;
    const int32_t *graph_sizes;
    int n_graph_sizes;
    double mem_fraction; /* 0: the device's memory margin */
    bool mem_of_free;
    const srv_sched_ops *sched;
    const srv_inst_hooks *hooks;
    eng_sim *eng;
    bool fast_forward; /* several steady iterations in one event */

    /* KV blocks (srv_kv.c) */
    int64_t block_size;
    double block_bytes;
    int64_t total_blocks;
    int64_t used_blocks;
    int64_t held_blocks; /* I1 */
    srv_pcache cache;    /* prefix cache (cluster.prefix_cache) */
    bool caching;        /* prefix cache on */
    const srv_retain_ops *retain;
    hs_time idle_timeout; /* evict cache entries idle this long; 0 none */
    int64_t evicted_blocks;
    const srv_kvpol_ops *kvpol; /* where KV goes besides device memory */
    void *kvpol_st;             /* its state (owned) */

    /* queues and the batch */
    srv_queue wait;    /* routed, waiting for admission */
    srv_queue xwait;   /* decode kind: hand-offs waiting for blocks */
    srv_req **running; /* max_batch slots, admission order */
    int64_t n_running;
    srv_req **prefilling; /* running requests still prefilling, in
                             admission order */
    int64_t n_prefilling;
    srv_req **sched_reqs; /* prefills scheduled in the planned step */
    int64_t n_sched;
    srv_req **handoff; /* prefill kind: prefills finished in the
                             pending step, handed off at its end */
    int64_t n_handoff;
    srv_req *evicted;  /* decode kind: preempted, to re-prefill
                             (singly linked through 'next') */
    bool layerwise;    /* split: KV moves while the prefill runs */
    int64_t fallbacks; /* mixed fallback: requests decoded here */
    int port;          /* split: this instance's port in the network */

    /* The memory pool's link (srv_step.c, srv_pool.c) */
    int pool_port;         /* its port on the pool's link in the network */
    double pool_bw;        /* B/s a lone transfer reaches (the share's) */
    double pool_latency_s; /* pool + link latency, per access */
    double wr_pending;     /* offload bytes queued behind 'wr_busy' */
    bool wr_busy;          /* an offload transfer is on the link */
    double pool_move_bytes[2]; /* of the read [0] and write [1] on it */
    bool link_wait;        /* the planned step waits for its reads */
    hs_time link_start, link_end; /* of the last step's reads */
    srv_plan pend;                /* the step waiting ('link_wait') */
    cost_step pend_st;            /* its device cost */
    srv_link_use pend_use;        /* its reads */

    /* decode aggregates (see the header comment; srv_decode.c) */
    int64_t dec_it;      /* decode iterations run */
    int64_t n_dec;       /* running requests in their decode phase */
    int64_t dec_kv_base; /* sum of (kv0 - dec_it0) over them */
    int64_t *cross;      /* [block_size]: how many cross a block boundary
                            when dec_it % block_size is the index */
    srv_req **heap;      /* min-heap by (finish_it, admit_seq) */
    int64_t n_heap;
    int64_t outstanding; /* tokens still to process, for routing (I4) */
    int64_t prefill_left; /* of them, prefill tokens (I4) */
    double prefill_tps;   /* prefill tokens per second of a full chunk
                             (srv_host_prefill_rate) */
    int64_t admit_seq;

    bool busy;
    bool kick_pending; /* a planning event waits at the current time */
    hs_time busy_until; /* end of the chain of steps scheduled at the last
                           kick (busy_s already counts it whole) */

    /* the time-series sampler's memory (srv_sim.c): busy time up to the
     * instance's previous sample and when that was */
    double sampled_busy_s;
    hs_time sampled_at;

    /* totals */
    double busy_s;
    double cap_bound_s;
    double flops, bytes;
    int64_t steps;
    int64_t tokens_out; /* output tokens produced */
    int64_t tokens_in;  /* prompt tokens prefilled */

    /* the same inside the measurement window [win_from, win_to) */
    hs_time win_from, win_to; /* srv_window_of() */
    double win_busy_s;        /* busy time clipped to the window */
    int64_t win_tokens_out;   /* produced by steps ending in the window */
    int64_t win_tokens_in;
};

/* The scenario's measurement window in simulated time: [*from, *to),
 * *to HS_TIME_MAX when it runs to the end of the run. */
static inline void srv_window_of(const sc_scenario *sc, hs_time *from,
                                 hs_time *to)
{
    *from = hs_time_from_s(sc->window.from_s);
    *to = isfinite(sc->window.to_s) ? hs_time_from_s(sc->window.to_s)
                                    : HS_TIME_MAX;
}

/* Blocks a request of 'tokens' KV tokens needs. */
static inline int64_t srv_blocks_for(const srv_inst *in, int64_t tokens)
{
    return (tokens + in->block_size - 1) / in->block_size;
}

static inline int64_t srv_free_blocks(const srv_inst *in)
{
    return in->total_blocks - in->used_blocks;
}

/* ---- lazy decode state (srv_decode.c) ------------------------------------ */

int64_t srv_decode_kv(const srv_inst *in, const srv_req *r);
int64_t srv_decode_gen(const srv_inst *in, const srv_req *r);
/* Index of 'cross' whose requests cross a block boundary at the next
 * decode iteration. */
int64_t srv_decode_crossing(const srv_inst *in);
/* 'r' finished its prefill (its first token is out): it joins the
 * decode aggregates.  O(log batch). */
void srv_decode_enter(srv_inst *in, srv_req *r);
/* Write a decoding request's derived values back and take it out of the
 * aggregates.  O(log batch). */
void srv_decode_leave(srv_inst *in, srv_req *r);
/* The decoding request that finishes first, when it has finished by
 * now; else NULL. */
srv_req *srv_decode_finished(const srv_inst *in);
/* Add every decoding request to 'b': one token each. */
void srv_decode_add(const srv_inst *in, cost_batch *b);

/* ---- KV blocks and the prefix cache (srv_kv.c) --------------------------- */

/* Drop cache entries idle for longer than the retention timeout. */
void srv_kv_expire(srv_inst *in, hs_time now);
/* Find, pin and make room for the KV of 'r' (its cached prefix, and the
 * blocks for the rest).  False, with nothing changed, when the rest does
 * not fit even after evicting the cache's evictable entries. */
bool srv_kv_reserve(srv_inst *in, srv_req *r, hs_time now);
/* Undo srv_kv_reserve(). */
void srv_kv_unreserve(srv_inst *in, srv_req *r, hs_time now);
/* Release the prefix-cache entries 'r' pins (they stay cached,
 * evictable). */
void srv_kv_unpin(srv_inst *in, srv_req *r, hs_time now);
/* Put the prefix blocks of the first 'tokens' tokens of 'r' into the
 * cache, from its own blocks (shared ones freed); they stay pinned. */
void srv_kv_cache_prefix(srv_inst *in, srv_req *r, int64_t tokens);

/* ---- a planned iteration (srv_step.c) ------------------------------------ */

/* Cost the plan 'p' on the device, its KV read locally (the step's
 * pool reads, from the KV pool policy, in 'use'; host time not yet
 * added): srv_step_finish completes it. */
void srv_step_cost(srv_inst *in, const srv_plan *p, cost_step *st,
                   srv_link_use *use);
/* Complete the cost 'st' of 'p': its pool reads 'use' drained in
 * 'drain_s' (their time on the link at the rates they got, latency not
 * included), overlapped with the device's work as 'use' says, then the
 * host time.  Never shorter than the device's work alone. */
void srv_step_finish(const srv_inst *in, const srv_plan *p, cost_step *st,
                     const srv_link_use *use, double drain_s);
/* Record one costed iteration starting at 'start' (totals, step row);
 * return its end. */
hs_time srv_step_record(srv_inst *in, const srv_plan *p, hs_time start,
                        const cost_step *st);
/* Advance the iteration ending at 'end'.  Returns true when some request
 * has produced its last token. */
bool srv_step_apply(srv_inst *in, const srv_plan *p, hs_time end);
/* Duration of a costed step, at least 1 ns. */
hs_time srv_step_duration(const cost_step *st);

/* The longest step an instance may take, in seconds: a device whose
 * full prefill chunk takes longer (absurd flops or bandwidth) is refused
 * at build time, so that simulated time (hs_time: nanoseconds in an
 * int64, about 292 years) never overflows. */
#define SRV_MAX_STEP_S 1e6

/* ---- the instance (srv_inst.c): what the cluster calls ------------------- */

/* What an instance is and which policies it runs. */
typedef struct srv_inst_policies {
    srv_kind kind;
    const srv_sched_ops *sched;
    const srv_retain_ops *retain;
    bool pool_kv; /* its KV will live in a pool (pool-resident), so no
                     room for KV in device memory is not an error */
} srv_inst_policies;

/* Build instance 'in' (index 'idx') of group 'g' with the policies
 * 'pol' (its KV pool policy is hbm-only until srv_inst_attach).  Returns
 * HS_OK, or HS_EINPUT when the model does not fit (reported to 'd'). */
int srv_inst_init(srv_inst *in, int idx, const sc_scenario *sc,
                  const sc_group *g, const srv_inst_policies *pol,
                  const char *name, hs_diag *d);
/* Connect the instance to its engine and cluster ('h' borrowed: it must
 * outlive the instance); 'fast_forward' off steps one iteration per
 * event. */
void srv_inst_connect(srv_inst *in, eng_sim *eng, const srv_inst_hooks *h,
                      bool fast_forward);
/* Take a share of the memory pool under the KV pool policy 'kvpol'. */
int srv_inst_attach(srv_inst *in, const srv_kvpol_ops *kvpol,
                    const srv_pool_share *share, hs_diag *d);
void srv_inst_fini(srv_inst *in);

/* Queue a routed request at the back of the waiting queue. */
void srv_inst_enqueue(srv_inst *in, srv_req *r);
/* If idle and there is work, form and cost the next step (or a run of
 * identical decode iterations ending no later than the horizon), apply
 * it and schedule its end. */
void srv_inst_kick(srv_inst *in);
/* Plan the next step after everything else at the current instant,
 * always: for callers that may change the instance again within the
 * same event (the network finishes every transfer due at one instant in
 * one event, one hand-off after another). */
void srv_inst_kick_later(srv_inst *in);
/* The reads of the step waiting for them ended at the current time:
 * finish, record and apply it, and schedule its end. */
void srv_inst_link_done(srv_inst *in);
/* Retire every request the instance holds as unfinished (end of a
 * stopped run). */
void srv_inst_drain(srv_inst *in);
/* Check invariants I1-I5; describe a violation to 'why'.  O(batch). */
bool srv_inst_check(const srv_inst *in, FILE *why);
/* Its KV pool policy's totals. */
void srv_inst_pool_totals(const srv_inst *in, srv_pool_totals *t);

/* Split mode. */
/* Decode kind: queue a hand-off waiting for KV blocks. */
void srv_inst_xwait_push(srv_inst *in, srv_req *r);
/* Decode kind: the next waiting hand-off whose blocks now fit (reserved,
 * counted in held_blocks), or NULL. */
srv_req *srv_inst_xwait_take(srv_inst *in);
/* Would 'tokens' of KV fit decode instance 'in' now, ahead of nobody? */
bool srv_inst_can_reserve(const srv_inst *in, int64_t tokens);
/* Decode kind: a hand-off whose KV has arrived joins the queue for a
 * batch slot. */
void srv_inst_receive(srv_inst *in, srv_req *r);
/* Mixed fallback: prefill instance 'in' decodes the handed-off 'r'
 * itself; false when its batch is full. */
bool srv_inst_keep(srv_inst *in, srv_req *r);
/* Prefill kind: free the blocks 'r' held here while its KV moved, and
 * release the prefix-cache entries it pinned. */
void srv_inst_release(srv_inst *in, srv_req *r, hs_time now);

#endif /* HETSIM_SRV_INST_H */
