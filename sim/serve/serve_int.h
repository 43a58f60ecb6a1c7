/*
 * serve_int.h -- private structures of the serving simulation: requests
 * in flight, instances with their waiting queue, running batch and KV
 * blocks, the router policies, and the simulation that ties them to the
 * engine and the workload sources.
 *
 * A request's life on an instance (the functions behind each arrow):
 *
 *   route (srv_sim.c) --> WAITING --admit()--> RUNNING:PREFILL
 *        --prefill done: first token--> RUNNING:DECODE --last token-->
 *        finish() (record emitted, blocks freed, request recycled)
 *   RUNNING --preempt() (no KV block for decode growth)--> WAITING, its
 *        prompt and generated tokens to be prefilled again (recompute)
 *   WAITING --drop (can never fit the instance)--> record emitted
 *
 * Split mode (prefill and decode pools): a prefill instance hands the
 * request off when its prefill is done (HANDOFF, KV still held there);
 * at the step's end a decode instance is chosen and the KV blocks are
 * reserved on it (XWAIT in its transfer queue while they do not fit),
 * then the KV moves over the transfer link (MOVING, hw_net); on arrival
 * the prefill blocks are freed and the request waits in the decode
 * instance's queue for a batch slot, then decodes there.  A request
 * preempted on a decode instance goes back to the prefill pool to be
 * prefilled again (recompute).
 *
 * Decode is tracked lazily, so that an iteration costs O(1) however large
 * the batch: every running request in its decode phase advances by one
 * token per decode iteration of its instance ('dec_it'), so its KV length
 * and output count are derived, kv0 + (dec_it - dec_it0), and the
 * instance keeps only aggregates -- how many decode, the sum of their KV
 * lengths, how many cross a KV block boundary at each residue of
 * dec_it modulo the block size, and a heap of the iteration at which each
 * will have produced its last token.  settle() writes the derived values
 * back when a request leaves its decode phase.
 *
 * Invariants (checked by srv_inst_check in tests):
 *   I1  used_blocks == blocks of running requests + held_blocks (blocks
 *       of this instance's requests outside the batch: handed off or
 *       moving away on a prefill instance; reserved for an incoming or
 *       queued request on a decode instance), and
 *       0 <= used_blocks <= total_blocks;
 *   I2  every running request holds ceil(kv / block_size) blocks in its
 *       decode phase (kv its derived KV length), or ceil(target /
 *       block_size) while prefilling (reserved whole at admission);
 *   I3  running[] is in admission order (admit_seq increasing);
 *   I4  outstanding == sum over waiting and running requests of
 *       (target - prefilled) + (output - generated);
 *   I5  n_dec, dec_kv_base, the residue counts and the heap describe
 *       exactly the running requests in their decode phase.
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

/* ---- prefix cache (srv_pcache.c) ---------------------------------------- */

typedef struct srv_pentry {
    uint64_t id;
    int64_t nblk;      /* KV blocks it holds */
    int32_t refs;      /* requests using it; 0 = evictable (in the LRU) */
    bool live;
    hs_time last_use;  /* when it was last released */
    int64_t prev, next; /* LRU links (or free list: next) */
} srv_pentry;

typedef struct srv_pcache {
    srv_pentry *ent;
    int64_t n_ent;
    size_t cap_ent;
    int64_t free_head;
    int64_t *table;   /* entry indexes, -1 = empty */
    size_t table_cap; /* power of two */
    int64_t n_live;
    int64_t lru_head, lru_tail; /* oldest first */
    int64_t held_blocks;
    int64_t evictions;
} srv_pcache;

void srv_pcache_init(srv_pcache *c);
void srv_pcache_fini(srv_pcache *c);
/* Entry index of 'id', or -1. */
int64_t srv_pcache_find(const srv_pcache *c, uint64_t id);
/* A new entry for 'id' (absent), pinned once; returns its index. */
int64_t srv_pcache_insert(srv_pcache *c, uint64_t id, int64_t nblk);
void srv_pcache_pin(srv_pcache *c, int64_t e);
void srv_pcache_unpin(srv_pcache *c, int64_t e, hs_time now);
/* Last use of the least recently used evictable entry, or HS_TIME_MAX. */
hs_time srv_pcache_oldest(const srv_pcache *c);
/* Evict the least recently used evictable entry; returns the blocks it
 * freed (0 when none is evictable) and its id in '*id' (may be NULL). */
int64_t srv_pcache_evict(srv_pcache *c, uint64_t *id);
/* Remove evictable entry 'e'. */
void srv_pcache_remove(srv_pcache *c, int64_t e);
bool srv_pcache_check(const srv_pcache *c, FILE *why);

typedef struct srv_req srv_req;
struct srv_req {
    int64_t id;
    int32_t source;
    int32_t turn;
    int64_t session_id;
    hs_time arrival;
    int64_t prompt;
    int64_t output;
    int64_t target;    /* tokens to prefill: prompt (+ generated, after a
                          preemption) */
    int64_t prefilled; /* tokens of 'target' whose KV is computed */
    int64_t kv_tokens; /* tokens whose KV is held (settled) */
    int64_t generated; /* output tokens produced (settled) */
    int64_t blocks;    /* KV blocks held while prefilling */
    /* decode phase (lazy): values at decode iteration dec_it0 */
    int64_t dec_it0, kv0, gen0;
    int64_t finish_it; /* decode iteration of the last token */
    int64_t heap_idx;  /* slot in the instance's finish heap */
    int64_t chunk;     /* prefill tokens scheduled in the current step */
    hs_time admitted;  /* first admission, -1 before */
    hs_time first_token; /* -1 before */
    int64_t admit_seq; /* order of (last) admission on its instance */
    int32_t preemptions;
    int32_t inst;      /* instance it is on (split: decode, once handed
                          off) */
    int32_t pinst;     /* instance that ran (or runs) its prefill */
    int64_t pblocks;   /* split: KV blocks it holds on the prefill
                          instance while its KV moves */
    hs_time prefill_end;  /* split: hand-off time, -1 before */
    double xfer_s;        /* split: time from hand-off to KV arrival,
                             summed over its transfers (recomputes) */
    int32_t dinst;        /* split: last decode instance reached, -1 */
    /* prefix cache: the request's prefix-block ids are ids[0..n_ids)
     * (Mooncake hash ids, pooled storage) or, for agent sessions,
     * derived from (source, session, block index); id_tokens tokens
     * each */
    uint32_t *ids;
    int64_t n_ids;
    int32_t ids_class;    /* size class of 'ids' in the pool */
    int64_t id_tokens;
    int64_t prefix_limit; /* tokens a cache may serve (session prefix) */
    int64_t pinned;       /* ids [0, pinned) are pinned cache entries */
    int64_t pinned_blk;   /* their KV blocks */
    int64_t cached_tokens; /* served from the cache at first admission */
    int64_t hit_blocks;    /* prefix blocks hit at first admission */
    bool session_last;     /* the last call of its session */
    int64_t swapped;       /* KV tokens swapped out to the pool, 0 none */
    int64_t swapped_back;  /* swapped in by the pending reserve() */
    srv_req *prev, *next; /* waiting queue links, or free list */
};

typedef enum srv_kind {
    SRV_KIND_MONO,    /* prefill and decode */
    SRV_KIND_PREFILL, /* prefill only: hands requests off */
    SRV_KIND_DECODE   /* decode only: receives KV caches */
} srv_kind;

/* One model replica on 'tp' devices. */
typedef struct srv_inst {
    char name[64];
    srv_kind kind;
    const char *role;   /* "monolithic", "prefill" or "decode" */
    const char *pool;   /* split: "prefill" or "decode"; NULL otherwise */
    const char *device; /* hardware name (borrowed from the scenario) */
    cost_ctx ctx;
    int64_t max_batch;
    int64_t max_tokens;
    bool chunked;
    int64_t block_size;
    double block_bytes;
    int64_t total_blocks;
    int64_t used_blocks;

    srv_req *wait_head, *wait_tail;
    int64_t n_wait;
    srv_req **running; /* max_batch slots, admission order */
    int64_t n_running;
    srv_req **prefilling; /* running requests still prefilling, in
                             admission order */
    int64_t n_prefilling;
    srv_req **sched;      /* prefills scheduled in the planned step */
    int64_t n_sched;
    srv_req **handoff;    /* prefill kind: prefills finished in the
                             pending step, handed off at its end */
    int64_t n_handoff;
    srv_req *evicted;     /* decode kind: preempted, to re-prefill
                             (singly linked through 'next') */
    srv_req *xwait_head, *xwait_tail; /* decode kind: hand-offs waiting
                                         for KV blocks */
    int64_t held_blocks;  /* I1 */
    srv_pcache cache;     /* prefix cache (cluster.prefix_cache) */
    /* KV offload to a memory pool (kv_pool offload, kv_retention
     * offload): cache entries evicted from device memory, or a session's
     * context between its calls, move to this instance's share of the
     * pool ('pool_cache', 'pool_blocks' blocks) and are fetched back over
     * the pool's link when a request hits them; the fetch lengthens the
     * step that admits it (pool_adjust). */
    int64_t fallbacks;    /* mixed fallback: requests decoded here */
    bool layerwise;       /* split: KV moves while the prefill runs */
    bool offload;
    bool offload_sessions; /* kv_retention offload */
    srv_pcache pool_cache;
    int64_t pool_blocks;
    int64_t pool_swap_blocks; /* of it, preempted requests' KV */
    double fetch_pending;  /* bytes to fetch for the step being planned */
    double offloaded_bytes, fetched_bytes;
    bool caching;         /* prefix cache on */
    bool retain;          /* sessions keep their KV between calls */
    hs_time idle_timeout; /* evict cache entries idle this long; 0 none */
    int64_t evicted_blocks;
    int port;             /* split: this instance's port in the network */
    /* kv_pool pool-resident: KV lives in the pool, streamed over the
     * pool's link at every step (cost_options.kv_remote) */
    bool pool_resident;
    double pool_bw;        /* B/s this instance streams at */
    double pool_latency_s; /* added once per step */
    double streamed_bytes;
    double link_busy_s;

    /* decode aggregates (see the header comment) */
    int64_t dec_it;       /* decode iterations run */
    int64_t n_dec;        /* running requests in their decode phase */
    int64_t dec_kv_base;  /* sum of (kv0 - dec_it0) over them */
    int64_t *cross;       /* [block_size]: how many cross a block boundary
                             when dec_it % block_size is the index */
    srv_req **heap;       /* min-heap by (finish_it, admit_seq) */
    int64_t n_heap;
    int64_t outstanding; /* tokens still to process, for routing */
    int64_t admit_seq;

    bool busy;

    /* totals */
    double busy_s;
    double cap_bound_s;
    double flops, bytes;
    int64_t steps;
    int64_t tokens_out; /* output tokens produced */
    int64_t tokens_in;  /* prompt tokens prefilled */
} srv_inst;

/* A router policy: a pure choice among the instances (no mutation
 * except its own cursor or random stream). */
typedef struct srv_router srv_router;
typedef struct srv_router_ops {
    const char *name;
    int (*select)(srv_router *r, const srv_inst *insts, int n,
                  const srv_req *req);
} srv_router_ops;

struct srv_router {
    const srv_router_ops *ops;
    int cursor;       /* round-robin */
    void *rng;        /* random: a gsl_rng (opaque here) */
    bool by_kv;       /* least-loaded compares KV use, not tokens (the
                         decode router of split mode) */
};

/* Initialise a router for 'policy'; 'seed' feeds the random policy. */
void srv_router_init(srv_router *r, sc_router_policy policy, uint64_t seed);
void srv_router_fini(srv_router *r);

/* One workload source and its pending arrival. */
typedef struct srv_source {
    wl_source *src;
    const char *name;
    wl_request next;      /* the request of the pending arrival */
    eng_event_id ev;      /* ENG_NO_EVENT when none pending */
    hs_time next_time;    /* its time, HS_TIME_MAX when none */
    bool closed;          /* closed loop: arrivals follow releases */
    bool exhausted;
} srv_source;

/* Requests whose KV is on the wire (split mode), linked through
 * prev/next so a stopped run can still account for them. */
typedef struct srv_moving {
    srv_req *head;
    int64_t n;
} srv_moving;

/* Sessions in progress, by (source, session id): open addressing,
 * backward-shift deletion. */
typedef struct srv_sess {
    uint64_t key; /* 0 = empty */
    int64_t session_id;
    int32_t source;
    int64_t calls, total_tokens, cached_tokens;
    hs_time start, end;
} srv_sess;

typedef struct srv_sessions {
    srv_sess *slot;
    size_t cap; /* power of two */
    size_t n;
} srv_sessions;

/* Quantile estimators for the summary (GSL P^2, opaque here). */
typedef struct srv_quantiles {
    void *q[3]; /* p50, p90, p99 */
    double sum;
    int64_t n;
} srv_quantiles;

struct srv_sim {
    const sc_scenario *sc;
    srv_options opt;
    srv_sink sink;
    eng_sim *eng;

    srv_inst *insts;
    int n_insts;
    int n_prefill;        /* split: instances [0, n_prefill) prefill, the
                             rest decode; 0 in monolithic mode */
    srv_router router;
    srv_router drouter;   /* split: chooses the decode instance */
    struct hw_net *net;   /* split: the KV transfer network */
    const char *xfer_link; /* its link's name */
    double xfer_epb;      /* its energy per bit */
    double kv_token_bytes; /* KV of one token, model-level (one copy) */
    srv_moving moving;
    const sc_pool *pool;  /* kv_pool pool-resident, else NULL */
    double pool_epb;      /* energy per bit of the pool's link */
    srv_sessions sessions;
    int64_t sessions_done;
    double session_time_sum;
    int64_t next_xfer_id;
    srv_source *sources;
    int n_sources;

    srv_req *free_reqs;  /* recycled requests */
    void *id_pool[24];   /* recycled prefix-id buffers by size class */
    srv_req **slabs;     /* allocated chunks of requests */
    size_t n_slabs, cap_slabs;

    int64_t next_id;
    int64_t arrived, done, dropped, in_flight;
    int64_t input_tokens, output_tokens, preemptions;
    int64_t slo_met;
    int64_t cached_tokens, done_prompt_tokens; /* prefix hit rates */
    int64_t hit_blocks, id_blocks;
    srv_quantiles ttft, tpot, e2e;
    double queue_sum;
    int64_t queue_n;

    hs_time sample_every;   /* 0: no time series */
    hs_time next_sample;    /* HS_TIME_MAX when none */
    hs_time progress_every;
    hs_time next_progress;
    hs_time end_time;
    int status;             /* first error raised by a handler */
    hs_diag *diag;          /* borrowed during srv_sim_run */
    bool ended;
    srv_summary summary;
};

/* ---- instances (srv_inst.c) ---------------------------------------------- */

/* Build instance 'inst' of group 'g'.  Returns HS_OK, or HS_EINPUT when
 * the model does not fit (reported to 'd'). */
int srv_inst_init(srv_inst *inst, const sc_scenario *sc, const sc_group *g,
                  srv_kind kind, bool pool_kv, const char *name,
                  hs_diag *d);
void srv_inst_fini(srv_inst *inst);

/* Blocks a request of 'tokens' KV tokens needs. */
int64_t srv_blocks_for(const srv_inst *inst, int64_t tokens);

/* Queue a routed request at the back of the waiting queue. */
void srv_inst_enqueue(srv_inst *inst, srv_req *r);

/* If idle and there is work, form and cost the next step (or a run of
 * identical decode iterations ending no later than 'horizon'), apply it
 * and schedule its end.  Called at arrivals and step ends. */
void srv_inst_kick(srv_sim *s, int idx);

/* The step-end event: finish the requests that completed, then kick. */
void srv_inst_step_end(srv_sim *s, int idx);

/* Check invariants I1-I5; describe a violation to 'why'.  O(batch). */
bool srv_inst_check(const srv_inst *inst, FILE *why);

/* Retire every request the instance holds as unfinished (end of a
 * stopped run). */
void srv_inst_drain(srv_sim *s, int idx);

/* kv_pool pool-resident: keep the KV of this instance in a share of
 * 'share_bytes' of the pool, streamed at 'bw' B/s with 'latency_s' per
 * step.  HS_EINPUT (reported) when weights and workspace do not fit the
 * device alone. */
int srv_inst_attach_pool(srv_inst *inst, const sc_scenario *sc,
                         double share_bytes, double bw, double latency_s,
                         hs_diag *d);

/* Release the prefix-cache entries 'r' pins on 'inst' (they stay cached,
 * evictable). */
void srv_inst_unpin(srv_inst *inst, srv_req *r, hs_time now);

/* KV offload: this instance's prefix cache spills to 'share_bytes' of the
 * pool reached at 'bw' with 'latency_s'; 'sessions': a finished agent
 * call's context moves there at once (kv_retention offload). */
void srv_inst_attach_offload(srv_inst *inst, double share_bytes, double bw,
                             double latency_s, bool sessions);

/* Decode kind: a hand-off whose blocks are reserved here ('blocks' set,
 * counted in held_blocks) and whose KV has arrived joins the queue for a
 * batch slot. */
void srv_inst_receive(srv_inst *inst, srv_req *r);

/* Decode kind: queue a hand-off waiting for KV blocks, and take the next
 * one whose blocks now fit (reserving them), or NULL. */
void srv_inst_xwait_push(srv_inst *inst, srv_req *r);
/* Would 'tokens' of KV fit decode instance 'inst' now, ahead of nobody? */
bool srv_inst_can_reserve(const srv_inst *inst, int64_t tokens);
/* Mixed fallback: prefill instance 'inst' decodes the handed-off 'r'
 * itself; false when its batch is full. */
bool srv_inst_keep(srv_inst *inst, srv_req *r);
srv_req *srv_inst_xwait_take(srv_inst *inst);

/* ---- the simulation (srv_sim.c) ------------------------------------------ */

/* The time before which nothing outside instance 'idx' can observe or
 * change it: the next arrival or sample. */
hs_time srv_sim_horizon(const srv_sim *s);

/* A request finished or was dropped: emit its record, release closed-loop
 * sources, recycle it. */
void srv_sim_retire(srv_sim *s, srv_req *r, srv_request_status st);

/* The engine handler of every serving event ('kind' says which). */
enum {
    SRV_EV_ARRIVAL = 1,
    SRV_EV_STEP_END = 2,
    SRV_EV_SAMPLE = 3,
    SRV_EV_READY = 4 /* layer-wise KV transfer: the prefill step ended */
};
void srv_on_event(eng_sim *eng, void *target, uint32_t kind, uint64_t arg);

/* Split mode: the prefill of 'r' on instance 'pidx' is done; choose its
 * decode instance and start moving its KV (or queue it). */
void srv_sim_handoff(srv_sim *s, int pidx, srv_req *r, hs_time prefill_end);
/* Split mode: the KV of 'r' is on its decode instance and its prefill
 * is over: it joins the decode queue. */
void srv_sim_ready(srv_sim *s, srv_req *r);
/* Split mode: 'r' was preempted on a decode instance; send it back to
 * the prefill pool. */
void srv_sim_reroute(srv_sim *s, srv_req *r);
/* Split mode: start every transfer that decode instance 'didx' now has
 * room for. */
void srv_sim_pump(srv_sim *s, int didx);

/* The id of prefix block 'i' of 'r'. */
uint64_t srv_req_id(const srv_req *r, int64_t i);

/* Emit a step record (handles sink failure). */
void srv_sim_emit_step(srv_sim *s, const srv_step_rec *rec);

#endif /* HETSIM_SERVE_INT_H */
