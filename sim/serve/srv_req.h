/*
 * srv_req.h -- private to sim/serve: one request in flight, and the pool
 * its storage comes from.
 *
 * A request is plain data shared by every part of serve: the instance
 * that queues and runs it (srv_inst.h), the KV block manager, the split
 * hand-off, the retiring code that turns it into a record.  Its life on
 * an instance, and the functions behind each arrow:
 *
 *   srv_arrival.c route --> WAITING --srv_batch admit--> RUNNING:PREFILL
 *        --prefill done: first token (srv_step apply)--> RUNNING:DECODE
 *        --last token (srv_inst retire_finished)--> retired: record
 *        emitted, blocks freed, storage recycled (srv_req_free)
 *   RUNNING --srv_batch preempt (no KV block for decode growth)-->
 *        WAITING, its prompt and generated tokens to be prefilled again
 *        (recompute), or its KV swapped to a pool (kv policy offload)
 *   WAITING --never fits the instance--> dropped: record emitted
 *
 * Split mode (srv_split.c): a prefill instance hands the request off when
 * its prefill is done (HANDOFF, KV still held there); a decode instance
 * is chosen and the KV blocks reserved on it (XWAIT in its transfer queue
 * while they do not fit); the KV moves over the transfer link (MOVING);
 * on arrival the prefill blocks are freed and the request waits in the
 * decode instance's queue for a batch slot.
 *
 * Storage comes from slabs recycled through a free list, so memory grows
 * with requests in flight, not with requests simulated; prefix-id
 * buffers are recycled by size class.
 */
#ifndef HETSIM_SRV_REQ_H
#define HETSIM_SRV_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hetsim/util.h"

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
    /* decode phase (lazy, srv_decode.c): values at decode iteration
     * dec_it0 */
    int64_t dec_it0, kv0, gen0;
    int64_t finish_it;   /* decode iteration of the last token */
    int64_t heap_idx;    /* slot in the instance's finish heap */
    int64_t chunk;       /* prefill tokens scheduled in the current step */
    hs_time admitted;    /* first admission, -1 before */
    hs_time first_token; /* -1 before */
    int64_t admit_seq;   /* order of (last) admission on its instance */
    int32_t preemptions;
    int32_t inst;        /* instance it is on (split: decode, once handed
                            off) */
    int32_t pinst;       /* instance that ran (or runs) its prefill */
    int64_t pblocks;     /* split: KV blocks it holds on the prefill
                            instance while its KV moves */
    hs_time prefill_end; /* split: hand-off time, -1 before */
    double xfer_s;       /* split: time from hand-off to KV arrival,
                            summed over its transfers (recomputes) */
    int32_t dinst;       /* split: last decode instance reached, -1 */
    /* Prefix cache: the request's prefix-block ids are ids[0..n_ids)
     * (content ids, pooled storage) or derived from 'prefix_key' (the
     * workload's wl_prefix key: srv_req_block_id); id_tokens tokens
     * each, 0 when the request has no reusable prefix. */
    uint32_t *ids;
    int64_t n_ids;
    int32_t ids_class; /* size class of 'ids' in the pool */
    uint64_t prefix_key;
    int64_t id_tokens;
    int64_t prefix_limit;  /* tokens a cache may serve (session prefix) */
    int64_t pinned;        /* ids [0, pinned) are pinned cache entries */
    int64_t pinned_blk;    /* their KV blocks */
    int64_t cached_tokens; /* served from the cache at first admission */
    int64_t hit_blocks;    /* prefix blocks hit at first admission */
    bool session_last;     /* the last call of its session */
    bool warmup;           /* a warm-up request: in no metric */
    int64_t swapped;       /* KV tokens swapped out to the pool, 0 none */
    int64_t swapped_back;  /* swapped in by the pending reserve */
    srv_req *prev, *next;  /* queue links, or free list */
};

/* The id of prefix block 'i' of 'r' (never 0). */
uint64_t srv_req_block_id(const srv_req *r, int64_t i);

/* True once every prefill token of 'r' is computed: it decodes. */
static inline bool srv_req_decoding(const srv_req *r)
{
    return r->prefilled == r->target;
}

/* ---- the pool ------------------------------------------------------------- */

#define SRV_ID_CLASSES 24

typedef struct srv_reqpool {
    srv_req *free_reqs;            /* recycled requests */
    void *id_pool[SRV_ID_CLASSES]; /* recycled id buffers by size class */
    srv_req **slabs;               /* allocated chunks of requests */
    size_t n_slabs, cap_slabs;
} srv_reqpool;

void srv_reqpool_init(srv_reqpool *p);
void srv_reqpool_fini(srv_reqpool *p);

/* A zeroed request.  O(1) amortised; allocates only when the pool is
 * empty (a slab of requests at a time). */
srv_req *srv_req_new(srv_reqpool *p);
/* Give 'n' content ids to 'r' (a buffer from the pool, copied from
 * 'ids'). */
void srv_req_set_ids(srv_reqpool *p, srv_req *r, const uint32_t *ids,
                     size_t n);
/* Recycle 'r' and its id buffer. */
void srv_req_free(srv_reqpool *p, srv_req *r);

#endif /* HETSIM_SRV_REQ_H */
