/*
 * srv_host.h -- private to sim/serve: how a policy sees an instance.
 *
 * Policies -- batch schedulers (sched_*.c), routers (route_*.c), KV pool
 * policies (kvpol_*.c) and KV retention policies (retain_*.c) -- are
 * const vtables listed in .def registries (srv_policy.c).  They see an
 * instance only through the functions below (its queue, its batch, its
 * KV blocks, its load) and never include srv_inst.h, so the instance's
 * internals can change without touching them.  Adding a policy is one
 * new file, one registry line, a test and a paragraph in docs/.
 *
 * The host functions are implemented by the instance core (srv_inst.c,
 * srv_batch.c, srv_kv.c); the core calls policies only through their
 * vtables, so no policy file and no core file call each other in a
 * circle.
 */
#ifndef HETSIM_SRV_HOST_H
#define HETSIM_SRV_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hetsim/cost.h"
#include "hetsim/util.h"
#include "srv_req.h"

typedef struct srv_inst srv_inst; /* opaque here: srv_inst.h */

/* ---- what an instance is ------------------------------------------------- */

typedef enum srv_kind {
    SRV_KIND_MONO,    /* prefill and decode */
    SRV_KIND_PREFILL, /* prefill only: hands requests off */
    SRV_KIND_DECODE   /* decode only: receives KV caches */
} srv_kind;

const char *srv_host_name(const srv_inst *in);
srv_kind srv_host_kind(const srv_inst *in);
int64_t srv_host_max_batch(const srv_inst *in);
int64_t srv_host_max_tokens(const srv_inst *in);

/* ---- its load ------------------------------------------------------------ */

int64_t srv_host_running(const srv_inst *in);  /* requests in the batch */
bool srv_host_has_waiting(const srv_inst *in); /* queue not empty */
/* Decode kind: hand-offs wait for KV blocks here. */
bool srv_host_has_incoming(const srv_inst *in);
/* Prefill tokens still to compute + output tokens still to produce,
 * over its waiting and running requests (I4). */
int64_t srv_host_outstanding(const srv_inst *in);
/* Of them, the prefill tokens still to compute (I4).  A waiting request
 * counts its whole prompt: its cache hits are known at admission. */
int64_t srv_host_prefill_left(const srv_inst *in);
/* Prefill tokens per second, the cost model's rate for one step of a
 * full chunk (max_batch_tokens tokens, nothing cached, no decodes),
 * computed once when the instance is built.  > 0. */
double srv_host_prefill_rate(const srv_inst *in);
/* The four above that time a prefill there, read in one call (the
 * cache-aware router reads every instance on every arrival). */
typedef struct srv_prefill_load {
    int64_t left;       /* srv_host_prefill_left */
    int64_t running;    /* srv_host_running */
    int64_t max_tokens; /* srv_host_max_tokens */
    double rate;        /* srv_host_prefill_rate */
} srv_prefill_load;
void srv_host_prefill_load(const srv_inst *in, srv_prefill_load *l);

/* ---- its KV blocks ------------------------------------------------------- */

int64_t srv_host_total_blocks(const srv_inst *in);
int64_t srv_host_used_blocks(const srv_inst *in);
int64_t srv_host_free_blocks(const srv_inst *in);
int64_t srv_host_blocks_for(const srv_inst *in, int64_t tokens);
double srv_host_block_bytes(const srv_inst *in);
/* Blocks the waiting requests will claim when admitted.  O(queue). */
int64_t srv_host_queued_blocks(const srv_inst *in);
/* Blocks the queue's head still needs to be admitted (its prefill
 * target's blocks minus those it holds); the queue must not be empty. */
int64_t srv_host_head_need(const srv_inst *in);
/* Blocks the running decodes claim at the next decode iteration (those
 * crossing a block boundary). */
int64_t srv_host_decode_growth(const srv_inst *in);
/* The prefix cache is on. */
bool srv_host_caching(const srv_inst *in);
/* Tokens of the prefill of 'r' the instance would take from its prefix
 * cache if 'r' were admitted now: its leading prefix blocks held in
 * device memory or by the KV pool policy (the prefix srv_kv_reserve
 * pins), 0 with the cache off.  O(blocks found) (srv_kv.c). */
int64_t srv_host_cached_tokens(const srv_inst *in, const srv_req *r);

/* ---- forming an iteration (srv_batch.c) ---------------------------------- */

/* What one planned iteration contains. */
typedef struct srv_plan {
    cost_batch batch;
    int64_t n_seqs;    /* sequences in it */
    int64_t n_decodes; /* of them, decoding one token */
    bool cap_blocked;  /* requests waited for KV memory while the batch
                          had room: the step is capacity-bound */
} srv_plan;

/* Schedule every running decode for one token, growing KV by a block
 * where needed; when blocks run short, preempt the newest requests, as
 * vLLM does.  Returns the number of decodes scheduled. */
int64_t srv_batch_decodes(srv_inst *in, cost_batch *b, hs_time now);
/* Give running partial prefills their next chunk within 'budget' tokens;
 * returns the budget left. */
int64_t srv_batch_prefills(srv_inst *in, cost_batch *b, int64_t budget,
                           int64_t *n_seqs);
/* Admit waiting requests, oldest first, while the batch, the budget and
 * KV allow.  'whole': prompts are not chunked (the first one may exceed
 * the budget).  Sets '*cap_blocked' when the head waits for KV blocks
 * while the batch had room.  Returns the number admitted. */
int64_t srv_batch_admit(srv_inst *in, cost_batch *b, int64_t budget,
                        bool whole, hs_time now, int64_t *n_seqs,
                        bool *cap_blocked);
/* Decode kind: requests whose KV has arrived join the batch, in arrival
 * order, while it has room. */
void srv_batch_admit_ready(srv_inst *in);
/* The common part of every scheduler's steady(): when every running
 * request decodes and their KV growth fits without a preemption, fill
 * 'p' (zeroed first) with exactly "every running request decodes one
 * token" and return true; else return false. */
bool srv_batch_steady_decodes(const srv_inst *in, srv_plan *p);

/* ---- batch schedulers (sched_*.c, sched.def) ----------------------------- */

typedef struct srv_sched_ops {
    const char *name;  /* a group's 'scheduler' value */
    bool decode_pool;  /* for split mode's decode pool: it admits arrived
                          KV caches instead of prefilling; every other
                          scheduler serves monolithic and prefill groups */
    /* Form the next iteration into 'p' (zeroed by the caller) with the
     * srv_batch_* actions: admissions, chunks, preemptions. */
    void (*plan)(srv_inst *in, hs_time now, srv_plan *p);
    /* The fast-forward horizon: would plan() at this point form exactly
     * "every running request decodes, nobody is admitted or
     * preempted"?  If so fill 'p' as plan() would (capacity flag
     * included) and return true, changing nothing.  The instance then
     * runs identical iterations in one event until the simulation's
     * next external event. */
    bool (*steady)(const srv_inst *in, srv_plan *p);
} srv_sched_ops;

#define SRV_SCHED(id, name) extern const srv_sched_ops srv_sched_##id;
#include "sched.def"
#undef SRV_SCHED

/* The scheduler called 'name', or NULL. */
const srv_sched_ops *srv_sched_find(const char *name);

/* ---- routers (route_*.c, route.def) ------------------------------------- */

typedef struct srv_router srv_router;

typedef struct srv_route_ops {
    const char *name; /* the scenario's router.policy value */
    /* Prepare the policy's state in 'r' ('seed' feeds a random stream);
     * may be NULL. */
    void (*init)(srv_router *r, uint64_t seed);
    /* Choose among insts[0..n) for 'req': a pure decision that changes
     * only the router's own state (a cursor, a random stream).  Ties go
     * to the lowest index, so choices never depend on memory layout. */
    int (*select)(srv_router *r, srv_inst *const *insts, int n,
                  const srv_req *req);
    void (*fini)(srv_router *r); /* may be NULL */
} srv_route_ops;

struct srv_router {
    const srv_route_ops *ops;
    bool by_kv;      /* least-loaded compares KV use, not tokens (the
                        decode router of split mode) */
    int64_t counter; /* for the policy's own use (round-robin cursor) */
    void *state;     /* for the policy's own use (a random stream) */
};

#define SRV_ROUTE(id, name) extern const srv_route_ops srv_route_##id;
#include "route.def"
#undef SRV_ROUTE

const srv_route_ops *srv_route_find(const char *name);
/* Initialise 'r' with 'ops'; 'seed' feeds a random policy's stream.
 * 'by_kv': least-loaded by KV use (split mode's decode router). */
void srv_router_init(srv_router *r, const srv_route_ops *ops, uint64_t seed,
                     bool by_kv);
void srv_router_fini(srv_router *r);

/* ---- KV pool policies (kvpol_*.c, kvpol.def) ----------------------------- */

/* An instance's share of a memory pool, reached over a link: an even
 * share of its capacity; its bandwidth is not shared in advance (the
 * cluster's network shares it among the transfers using it at each
 * moment, docs/network.md). */
typedef struct srv_pool_share {
    double bytes;     /* capacity share */
    double bw;        /* B/s a lone transfer reaches: min(pool bandwidth,
                         link bandwidth x efficiency x tp) */
    double latency_s; /* pool + link latency, once per access */
    hs_loc loc;       /* where errors are reported (cluster.kv_pool) */
} srv_pool_share;

/* What a step reads from the pool over its link.  'per_layer': each
 * layer's KV is read in its turn, the read of layer i+1 overlapped with
 * the compute of layer i at most, and each read pays the latency
 * (pool-resident KV); otherwise the bytes are fetched once, overlapped
 * with the whole step, the latency paid once (offload's fetches). */
typedef struct srv_link_use {
    double bytes;
    bool per_layer;
} srv_link_use;

/* Totals of one instance's use of its pool, for the pool's metrics. */
typedef struct srv_pool_totals {
    double streamed_bytes, offloaded_bytes, fetched_bytes;
} srv_pool_totals;

/* Where an instance's KV may live besides device memory.  'st' is the
 * policy's own state ('size' bytes, zeroed, owned by the instance).  A
 * NULL member means "nothing to do". */
typedef struct srv_kvpol_ops {
    const char *name; /* the scenario's cluster.kv_pool.policy value */
    size_t size;
    /* KV lives in the pool (streamed at every step), so an instance with
     * no room for KV in device memory is still valid. */
    bool remote_kv;
    /* Does the policy apply to an instance of 'kind' (caching: its
     * prefix cache is on)?  Instances it applies to share the pool
     * evenly. */
    bool (*applies)(srv_kind kind, bool caching);
    /* Take the instance's pool share; HS_EINPUT reported to 'd'. */
    int (*attach)(srv_inst *in, void *st, const srv_pool_share *share,
                  hs_diag *d);
    void (*detach)(void *st);
    /* A prefix-cache block leaves device memory. */
    void (*evicted)(srv_inst *in, void *st, uint64_t id, int64_t nblk,
                    hs_time now);
    /* A device-cache miss on block 'id': bring it back (pinned device
     * cache entry) or -1. */
    int64_t (*fetch)(srv_inst *in, void *st, uint64_t id, hs_time now);
    bool (*holds)(const void *st, uint64_t id);
    /* A request is preempted: keep its KV ('r->swapped' set) or not. */
    void (*swap_out)(srv_inst *in, void *st, srv_req *r);
    /* Its admission brings the KV back; unswap undoes an admission that
     * did not happen. */
    void (*swap_in)(srv_inst *in, void *st, srv_req *r);
    void (*unswap)(srv_inst *in, void *st, srv_req *r);
    /* The step about to run reads 'use->bytes' from the pool (zeroed
     * before the call), overlapped with the device's work as
     * 'use->per_layer' says (srv_step_finish). */
    void (*traffic)(void *st, const cost_step *step, srv_link_use *use);
    /* A step was run, from 'start' to 'end'. */
    void (*recorded)(srv_inst *in, void *st, const cost_step *step,
                     hs_time start, hs_time end);
    bool (*check)(const void *st, FILE *why);
    void (*totals)(const void *st, srv_pool_totals *t);
} srv_kvpol_ops;

#define SRV_KVPOL(id, name) extern const srv_kvpol_ops srv_kvpol_##id;
#include "kvpol.def"
#undef SRV_KVPOL

const srv_kvpol_ops *srv_kvpol_find(const char *name);

/* When the step whose link traffic was last started delivered its last
 * byte (the cluster's network, or alone at the share's rate without
 * one): a fetch row's end. */
hs_time srv_host_link_end(const srv_inst *in);

/* Traffic between an instance and its memory pool, over the pool's
 * link, that a KV pool policy reports for the results (srv_inst.c): the
 * cluster writes each fetch as a transfer row and adds offloads and
 * streams up per time-series interval (docs/schema.md). */
typedef enum srv_xfer_kind {
    SRV_XFER_OFFLOAD, /* KV to the pool */
    SRV_XFER_FETCH,   /* KV back from the pool */
    SRV_XFER_STREAM,  /* a step's layer-wise reads of pool-resident KV */
    SRV_XFER_N_KINDS
} srv_xfer_kind;

typedef struct srv_pool_xfer {
    srv_xfer_kind kind;
    int64_t request_id; /* < 0: not one request's */
    double bytes;
    hs_time start, end;
} srv_pool_xfer;

void srv_host_pool_xfer(srv_inst *in, const srv_pool_xfer *x);
/* 'bytes' of KV written to the pool now (offloads): they load the pool's
 * link and the pool in the background; no step waits for them. */
void srv_host_pool_write(srv_inst *in, double bytes);
/* The simulated time now. */
hs_time srv_host_now(const srv_inst *in);

/* Host actions a KV policy uses (srv_kv.c). */
/* Evict device-cache entries until 'need' blocks are free (or nothing
 * is evictable); evicted blocks go to the policy's 'evicted'. */
void srv_kv_make_room(srv_inst *in, int64_t need, hs_time now);
/* Add a device-cache entry for 'id' holding 'nblk' newly used blocks,
 * pinned once; returns it. */
int64_t srv_kv_cache_add(srv_inst *in, uint64_t id, int64_t nblk);
/* Move the unpinned device-cache blocks of r's context to the policy
 * (retention offload). */
void srv_kv_offload_context(srv_inst *in, const srv_req *r, hs_time now);
/* Pool-resident: the device bytes left for KV, and making the pool's
 * share the instance's KV capacity (streamed at every step). */
double srv_host_local_kv_bytes(const srv_inst *in);
void srv_host_set_remote_kv(srv_inst *in, int64_t total_blocks);

/* ---- KV retention between agent calls (retain_*.c, retain.def) ---------- */

typedef struct srv_retain_ops {
    const char *name; /* the scenario's cluster.kv_retention.policy */
    bool keeps;       /* a session's context stays cached */
    bool offloads;    /* the context moves to a pool: the instance uses
                           the offload pool policy */
    /* A call of a session ended (its KV already cached as 'keeps' says);
     * may be NULL. */
    void (*call_ended)(srv_inst *in, const srv_req *r, hs_time now);
} srv_retain_ops;

#define SRV_RETAIN(id, name) extern const srv_retain_ops srv_retain_##id;
#include "retain.def"
#undef SRV_RETAIN

const srv_retain_ops *srv_retain_find(const char *name);

#endif /* HETSIM_SRV_HOST_H */
