/*
 * srv_inst.c -- one model instance: continuous batching at iteration
 * level, chunked prefill, paged KV blocks with preemption by recompute,
 * and decode fast-forward.
 *
 * Scheduling an iteration (plan_step), vLLM-style:
 *  - chunked prefill on (Sarathi): running decodes first (one token each,
 *    growing their KV by a block when they cross a block boundary), then
 *    the running partial prefills, then new admissions from the waiting
 *    queue in arrival order, while the token budget (max_batch_tokens)
 *    and the batch (max_batch) allow;
 *  - chunked prefill off: whole prompts are admitted into a prefill-only
 *    step while they fit the token budget; when none is admitted, all
 *    running requests decode.
 * A request is admitted only when the KV blocks of its whole prefill
 * target fit; a decode that finds no free block preempts the newest
 * running request (its KV is dropped and recomputed later).
 *
 * Cost per iteration: O(1) for the decodes (lazy state, serve_int.h),
 * O(prefills scheduled) for the rest; O(batch) only when a preemption is
 * due or a request finishes.
 *
 * State is applied when an iteration is planned, and its end is the step
 * event.  Fast-forward: when the batch is decode-only and nothing can be
 * admitted, the next iterations are identical in membership, so several
 * are planned in one event -- as long as each ends no later than the
 * simulation horizon (the next arrival or sample, the first moment
 * anything outside can observe or change the instance) and no request
 * finishes.  Rows and results are the same as stepping one iteration
 * per event (tests/unit/test_srv_sim.c proves it).
 */
#include "serve_int.h"

#include <stdlib.h>
#include <string.h>

/* Most iterations planned in one event. */
#define MAX_CHUNK_ITERS 4096

/* What one planned iteration contains, for its step row. */
typedef struct step_plan {
    cost_batch batch;
    int64_t n_seqs;
    int64_t n_decodes;
    bool cap_blocked;
} step_plan;

int64_t srv_blocks_for(const srv_inst *inst, int64_t tokens)
{
    return (tokens + inst->block_size - 1) / inst->block_size;
}

static int64_t free_blocks(const srv_inst *in)
{
    return in->total_blocks - in->used_blocks;
}

static bool in_decode(const srv_req *r)
{
    return r->prefilled == r->target;
}

/* ---- prefix cache ------------------------------------------------------------ */

/* KV blocks of one prefix block of 'r' (0: 'r' has no prefix ids). */
static int64_t id_blocks(const srv_inst *in, const srv_req *r)
{
    return r->id_tokens / in->block_size;
}

/* KV blocks of the cache entries 'r' pins. */
static int64_t pinned_blocks(const srv_inst *in, const srv_req *r)
{
    (void)in;
    return r->pinned_blk;
}

/* Prefix blocks of 'r' a cache could hold for a prefill of 'target'
 * tokens: those within its shareable prefix ('whole': counting a last
 * partial block; otherwise whole blocks only, leaving at least one token
 * to compute, as it produces the next token). */
static int64_t prefix_blocks(const srv_inst *in, const srv_req *r, bool whole)
{
    int64_t limit = r->target < r->prefix_limit ? r->target : r->prefix_limit;
    int64_t n;

    if (!in->caching || id_blocks(in, r) == 0)
        return 0;
    if (!whole && limit == r->target)
        limit--;
    n = whole ? (limit + r->id_tokens - 1) / r->id_tokens
              : limit / r->id_tokens;
    return r->ids != NULL && n > r->n_ids ? r->n_ids : n;
}

/* With offload, a block leaving device memory moves to this instance's
 * share of the pool (the pool's least recently used blocks make room,
 * dropped); otherwise it is dropped.  The move's bytes cross the pool's
 * link in the background. */
static void to_pool(srv_inst *in, uint64_t id, int64_t nblk, hs_time now)
{
    if (!in->offload || nblk > in->pool_blocks)
        return;
    while (in->pool_cache.held_blocks + in->pool_swap_blocks + nblk >
               in->pool_blocks &&
           srv_pcache_evict(&in->pool_cache, NULL) > 0)
        ;
    if (in->pool_cache.held_blocks + in->pool_swap_blocks + nblk >
        in->pool_blocks)
        return;
    srv_pcache_unpin(&in->pool_cache,
                     srv_pcache_insert(&in->pool_cache, id, nblk), now);
    in->offloaded_bytes += (double)nblk * in->block_bytes;
}

/* Evict the device cache's least recently used block; returns the
 * blocks freed, 0 when nothing is evictable. */
static int64_t evict_one(srv_inst *in, hs_time now)
{
    uint64_t id;
    int64_t freed = srv_pcache_evict(&in->cache, &id);

    if (freed > 0) {
        in->used_blocks -= freed;
        in->evicted_blocks += freed;
        to_pool(in, id, freed, now);
    }
    return freed;
}

static void evict_until(srv_inst *in, int64_t need, hs_time now)
{
    while (need > in->total_blocks - in->used_blocks && evict_one(in, now) > 0)
        ;
}

/* Drop cache entries idle for longer than the retention timeout. */
static void expire(srv_inst *in, hs_time now)
{
    while (in->idle_timeout > 0 &&
           srv_pcache_oldest(&in->cache) <= now - in->idle_timeout)
        evict_one(in, now);
}

/* A device-cache entry for block 'id', fetched back from the pool when
 * it is there (its bytes are added to the step being planned), pinned;
 * -1 when neither tier holds it or device memory has no room for it. */
static int64_t hit(srv_inst *in, uint64_t id, hs_time now)
{
    int64_t e = srv_pcache_find(&in->cache, id), p, nblk;

    if (e >= 0) {
        srv_pcache_pin(&in->cache, e);
        return e;
    }
    if (!in->offload || (p = srv_pcache_find(&in->pool_cache, id)) < 0 ||
        in->pool_cache.ent[p].refs != 0)
        return -1;
    nblk = in->pool_cache.ent[p].nblk;
    evict_until(in, nblk, now);
    if (nblk > in->total_blocks - in->used_blocks)
        return -1;
    p = srv_pcache_find(&in->pool_cache, id); /* evictions may move it */
    if (p < 0)
        return -1;
    srv_pcache_remove(&in->pool_cache, p);
    in->used_blocks += nblk;
    in->fetch_pending += (double)nblk * in->block_bytes;
    in->fetched_bytes += (double)nblk * in->block_bytes;
    return srv_pcache_insert(&in->cache, id, nblk);
}

/* Release the entries 'r' pins (they stay cached, evictable). */
void srv_inst_unpin(srv_inst *in, srv_req *r, hs_time now)
{
    for (int64_t i = 0; i < r->pinned; i++)
        srv_pcache_unpin(&in->cache,
                         srv_pcache_find(&in->cache, srv_req_id(r, i)), now);
    r->pinned = 0;
    r->pinned_blk = 0;
}

/* Put the prefix blocks of the first 'tokens' tokens of 'r' into the
 * cache, from its own blocks; blocks already cached are shared and its
 * copy freed.  They stay pinned by 'r'.  Content ids (Mooncake) name the
 * last, partial block too -- an equal id is equal content; a session's
 * context only caches whole blocks (its last block keeps growing). */
static void cache_prefix(srv_inst *in, srv_req *r, int64_t tokens)
{
    int64_t P = r->id_tokens;
    int64_t n;

    if (!in->caching || id_blocks(in, r) == 0 ||
        (r->session_id >= 0 && !in->retain))
        return;
    n = r->ids != NULL ? (tokens + P - 1) / P : tokens / P;
    if (r->ids != NULL && n > r->n_ids)
        n = r->n_ids;
    for (int64_t i = r->pinned; i < n; i++) {
        uint64_t id = srv_req_id(r, i);
        int64_t e = srv_pcache_find(&in->cache, id);
        int64_t own =
            srv_blocks_for(in, tokens - i * P < P ? tokens - i * P : P);

        if (e >= 0) { /* shared: our copy is freed */
            srv_pcache_pin(&in->cache, e);
            in->used_blocks -= own;
            r->pinned_blk += in->cache.ent[e].nblk;
        } else { /* moved into the cache */
            srv_pcache_insert(&in->cache, id, own);
            r->pinned_blk += own;
        }
        r->blocks -= own;
        r->pinned++;
    }
}

/* kv_retention offload: a finished call's context leaves device memory
 * for the pool until the session's next call fetches it back. */
static void offload_context(srv_inst *in, const srv_req *r, hs_time now)
{
    int64_t n = r->kv_tokens / r->id_tokens;

    for (int64_t i = 0; i < n; i++) {
        uint64_t id = srv_req_id(r, i);
        int64_t e = srv_pcache_find(&in->cache, id);

        if (e >= 0 && in->cache.ent[e].refs == 0) {
            int64_t nblk = in->cache.ent[e].nblk;

            srv_pcache_remove(&in->cache, e);
            in->used_blocks -= nblk;
            to_pool(in, id, nblk, now);
        }
    }
}

/* The KV of a swapped-out request comes back: fetched over the pool's
 * link with the step that admits it; only its last token is computed. */
static void swap_in(srv_inst *in, srv_req *r)
{
    int64_t nblk = srv_blocks_for(in, r->swapped);

    r->prefilled = r->swapped < r->target ? r->swapped : r->target - 1;
    in->pool_swap_blocks -= nblk;
    in->fetch_pending += (double)nblk * in->block_bytes;
    in->fetched_bytes += (double)nblk * in->block_bytes;
    r->swapped_back = r->swapped;
    r->swapped = 0;
}

/* Find, pin and make room for the KV of 'r' (its cached prefix and the
 * blocks for the rest).  False, with nothing changed, when the rest does
 * not fit even after evicting the cache's evictable entries. */
static bool reserve(srv_inst *in, srv_req *r, hs_time now)
{
    int64_t k = 0, max = prefix_blocks(in, r, false), need;
    int64_t found, all = prefix_blocks(in, r, true);

    if (in->caching)
        expire(in, now);
    if (r->swapped > 0)
        max = 0; /* its KV comes back from the pool instead */
    while (k < max) {
        int64_t e = hit(in, srv_req_id(r, k), now);

        if (e < 0)
            break;
        r->pinned_blk += in->cache.ent[e].nblk;
        k++;
    }
    /* Blocks found, for the block hit rate: a fully cached prompt still
     * computes its last token, but every block of it was a hit. */
    found = k;
    while (k == max && found < all &&
           (srv_pcache_find(&in->cache, srv_req_id(r, found)) >= 0 ||
            (in->offload &&
             srv_pcache_find(&in->pool_cache, srv_req_id(r, found)) >= 0)))
        found++;
    r->pinned = k;
    need = srv_blocks_for(in, r->target) - pinned_blocks(in, r);
    evict_until(in, need, now);
    if (need > free_blocks(in)) {
        srv_inst_unpin(in, r, now);
        return false;
    }
    in->used_blocks += need;
    r->blocks = need;
    r->prefilled = k * r->id_tokens;
    if (r->swapped > 0)
        swap_in(in, r);
    in->outstanding -= r->prefilled;
    if (r->admitted < 0) {
        r->cached_tokens = r->prefilled;
        r->hit_blocks = found;
    }
    return true;
}

/* Undo reserve(). */
static void unreserve(srv_inst *in, srv_req *r, hs_time now)
{
    if (r->swapped_back > 0) { /* the swap-in did not happen */
        int64_t nblk = srv_blocks_for(in, r->swapped_back);

        r->swapped = r->swapped_back;
        r->swapped_back = 0;
        in->pool_swap_blocks += nblk;
        in->fetch_pending -= (double)nblk * in->block_bytes;
        in->fetched_bytes -= (double)nblk * in->block_bytes;
    }
    in->used_blocks -= r->blocks;
    r->blocks = 0;
    in->outstanding += r->prefilled;
    r->prefilled = 0;
    if (r->admitted < 0)
        r->cached_tokens = r->hit_blocks = 0;
    srv_inst_unpin(in, r, now);
}

/* ---- lazy decode state ---------------------------------------------------- */

static int64_t kv_now(const srv_inst *in, const srv_req *r)
{
    return r->kv0 + (in->dec_it - r->dec_it0);
}

static int64_t gen_now(const srv_inst *in, const srv_req *r)
{
    return r->gen0 + (in->dec_it - r->dec_it0);
}

static int64_t residue(const srv_inst *in, int64_t x)
{
    int64_t m = x % in->block_size;

    return m < 0 ? m + in->block_size : m;
}

/* Index of 'cross' whose requests cross a block boundary at the next
 * decode iteration: those whose KV length is a multiple of the block. */
static int64_t crossing_slot(const srv_inst *in)
{
    return residue(in, -in->dec_it);
}

static bool heap_before(const srv_req *a, const srv_req *b)
{
    if (a->finish_it != b->finish_it)
        return a->finish_it < b->finish_it;
    return a->admit_seq < b->admit_seq;
}

static void heap_set(srv_inst *in, int64_t i, srv_req *r)
{
    in->heap[i] = r;
    r->heap_idx = i;
}

static void heap_up(srv_inst *in, int64_t i)
{
    srv_req *r = in->heap[i];

    while (i > 0 && heap_before(r, in->heap[(i - 1) / 2])) {
        heap_set(in, i, in->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(in, i, r);
}

static void heap_down(srv_inst *in, int64_t i)
{
    srv_req *r = in->heap[i];

    for (;;) {
        int64_t c = 2 * i + 1;

        if (c >= in->n_heap)
            break;
        if (c + 1 < in->n_heap && heap_before(in->heap[c + 1], in->heap[c]))
            c++;
        if (!heap_before(in->heap[c], r))
            break;
        heap_set(in, i, in->heap[c]);
        i = c;
    }
    heap_set(in, i, r);
}

static void heap_remove(srv_inst *in, srv_req *r)
{
    int64_t i = r->heap_idx;
    srv_req *last = in->heap[--in->n_heap];

    if (last != r) {
        heap_set(in, i, last);
        heap_up(in, i);
        heap_down(in, last->heap_idx);
    }
    r->heap_idx = -1;
}

/* A request finished its prefill (its first token is out): it joins the
 * decode aggregates. */
static void enter_decode(srv_inst *in, srv_req *r)
{
    r->dec_it0 = in->dec_it;
    r->kv0 = r->kv_tokens;
    r->gen0 = r->generated;
    r->finish_it = r->dec_it0 + (r->output - r->gen0);
    in->n_dec++;
    in->dec_kv_base += r->kv0 - r->dec_it0;
    in->cross[residue(in, r->kv0 - r->dec_it0)]++;
    heap_set(in, in->n_heap++, r);
    heap_up(in, in->n_heap - 1);
}

/* Write a decoding request's derived values back and take it out of the
 * decode aggregates. */
static void leave_decode(srv_inst *in, srv_req *r)
{
    r->kv_tokens = kv_now(in, r);
    r->generated = gen_now(in, r);
    r->blocks = srv_blocks_for(in, r->kv_tokens) - pinned_blocks(in, r);
    in->n_dec--;
    in->dec_kv_base -= r->kv0 - r->dec_it0;
    in->cross[residue(in, r->kv0 - r->dec_it0)]--;
    heap_remove(in, r);
}

/* ---- lists ------------------------------------------------------------------ */

void srv_inst_enqueue(srv_inst *in, srv_req *r)
{
    r->next = NULL;
    r->prev = in->wait_tail;
    if (in->wait_tail != NULL)
        in->wait_tail->next = r;
    else
        in->wait_head = r;
    in->wait_tail = r;
    in->n_wait++;
    in->outstanding += (r->target - r->prefilled) + (r->output - r->generated);
}

static void push_front(srv_inst *in, srv_req *r)
{
    r->prev = NULL;
    r->next = in->wait_head;
    if (in->wait_head != NULL)
        in->wait_head->prev = r;
    else
        in->wait_tail = r;
    in->wait_head = r;
    in->n_wait++;
}

static srv_req *pop_front(srv_inst *in)
{
    srv_req *r = in->wait_head;

    in->wait_head = r->next;
    if (in->wait_head != NULL)
        in->wait_head->prev = NULL;
    else
        in->wait_tail = NULL;
    r->next = r->prev = NULL;
    in->n_wait--;
    return r;
}

/* Remove 'r' from an array kept in admission order.  O(n). */
static void list_remove(srv_req **v, int64_t *n, const srv_req *r)
{
    int64_t i = *n;

    while (i-- > 0)
        if (v[i] == r)
            break;
    HS_ASSERT(i >= 0);
    memmove(&v[i], &v[i + 1], (size_t)(*n - i - 1) * sizeof *v);
    (*n)--;
}

/* ---- admission and preemption -------------------------------------------- */

/* Move the queue's head, reserved, into the batch. */
static void admit(srv_inst *in, srv_req *r, hs_time now)
{
    HS_ASSERT(in->n_running < in->max_batch);
    pop_front(in);
    r->swapped_back = 0;
    r->admit_seq = in->admit_seq++;
    if (r->admitted < 0)
        r->admitted = now;
    in->running[in->n_running++] = r;
    in->prefilling[in->n_prefilling++] = r;
}

/* Preempt the newest running request: drop its KV, queue it first, to
 * prefill its prompt and generated tokens again. */
/* KV offload: instead of being recomputed, a preempted request's KV
 * moves to the pool (when its share has room, making room by dropping
 * the pool's least recently used cache blocks) and comes back when it
 * is admitted again. */
static void swap_out(srv_inst *in, srv_req *r, hs_time now)
{
    int64_t nblk = srv_blocks_for(in, r->kv_tokens);

    (void)now;
    if (!in->offload || in->kind == SRV_KIND_DECODE || r->kv_tokens == 0)
        return;
    while (in->pool_swap_blocks + in->pool_cache.held_blocks + nblk >
               in->pool_blocks &&
           srv_pcache_evict(&in->pool_cache, NULL) > 0)
        ;
    if (in->pool_swap_blocks + in->pool_cache.held_blocks + nblk >
        in->pool_blocks)
        return;
    r->swapped = r->kv_tokens;
    in->pool_swap_blocks += nblk;
    in->offloaded_bytes += (double)nblk * in->block_bytes;
}

static void preempt_newest(srv_inst *in, hs_time now)
{
    srv_req *r = in->running[--in->n_running];
    int64_t before;

    if (in_decode(r))
        leave_decode(in, r);
    else
        list_remove(in->prefilling, &in->n_prefilling, r);
    before = r->target - r->prefilled;
    swap_out(in, r, now);
    in->used_blocks -= r->blocks;
    r->blocks = 0;
    srv_inst_unpin(in, r, now);
    r->target = r->prompt + r->generated;
    r->prefilled = 0;
    r->kv_tokens = 0;
    r->chunk = 0;
    r->preemptions++;
    if (in->kind == SRV_KIND_DECODE) {
        /* Recompute needs a prefill: back to the prefill pool. */
        in->outstanding -= before + (r->output - r->generated);
        r->next = in->evicted;
        in->evicted = r;
        return;
    }
    in->outstanding += r->target - before;
    push_front(in, r);
}

/* Add every decoding request to the batch: one token each. */
static void add_decodes(const srv_inst *in, cost_batch *b)
{
    b->decode_seqs += in->n_dec;
    b->decode_context += in->dec_kv_base + in->n_dec * in->dec_it;
    b->logits_tokens += in->n_dec;
}

/* Schedule every running decode for one token, growing KV by a block
 * where needed.  When blocks run short, go through the decodes oldest
 * first, preempting the newest requests, as vLLM does.  Returns the
 * number of decodes scheduled. */
static int64_t schedule_decodes(srv_inst *in, cost_batch *b, hs_time now)
{
    int64_t growth = in->cross[crossing_slot(in)];

    evict_until(in, growth, now);
    if (growth > free_blocks(in)) {
        for (int64_t i = 0; i < in->n_running; i++) {
            srv_req *r = in->running[i];
            int64_t need;

            if (!in_decode(r))
                continue;
            need = srv_blocks_for(in, kv_now(in, r) + 1) -
                   srv_blocks_for(in, kv_now(in, r));
            while (need > free_blocks(in) && in->n_running - 1 > i)
                preempt_newest(in, now);
            if (need > free_blocks(in)) {
                preempt_newest(in, now); /* r itself: the newest now */
                break;
            }
            in->used_blocks += need;
        }
    } else {
        in->used_blocks += growth;
    }
    add_decodes(in, b);
    return in->n_dec;
}

/* Give running partial prefills their next chunk within 'budget'. */
static int64_t continue_prefills(srv_inst *in, cost_batch *b, int64_t budget,
                                 int64_t *n_seqs)
{
    for (int64_t i = 0; i < in->n_prefilling && budget > 0; i++) {
        srv_req *r = in->prefilling[i];
        int64_t q = r->target - r->prefilled < budget
                        ? r->target - r->prefilled
                        : budget;

        r->chunk = q;
        in->sched[in->n_sched++] = r;
        cost_batch_add_prefill(b, &in->ctx, q, r->prefilled,
                               r->prefilled + q == r->target);
        budget -= q;
        (*n_seqs)++;
    }
    return budget;
}

/* Admit waiting requests while the batch, the budget and KV allow.
 * 'whole': prompts are not chunked (the first one may exceed the
 * budget).  Sets '*cap_blocked' when the head waits for KV blocks while
 * the batch had room. */
static int64_t admit_waiting(srv_inst *in, cost_batch *b, int64_t budget,
                             bool whole, hs_time now, int64_t *n_seqs,
                             bool *cap_blocked)
{
    int64_t admitted = 0;

    while (in->wait_head != NULL && in->n_running < in->max_batch &&
           budget > 0) {
        srv_req *r = in->wait_head;
        int64_t rest, q;

        if (!reserve(in, r, now)) {
            *cap_blocked = true;
            break;
        }
        rest = r->target - r->prefilled;
        if (whole && admitted > 0 && rest > budget) {
            unreserve(in, r, now);
            break;
        }
        admit(in, r, now);
        q = whole || rest < budget ? rest : budget;
        r->chunk = q;
        in->sched[in->n_sched++] = r;
        cost_batch_add_prefill(b, &in->ctx, q, r->prefilled,
                               r->prefilled + q == r->target);
        budget -= q;
        admitted++;
        (*n_seqs)++;
    }
    return admitted;
}

/* Decode kind: requests whose KV has arrived join the batch, in arrival
 * order, while it has room. */
static void admit_ready(srv_inst *in)
{
    while (in->wait_head != NULL && in->n_running < in->max_batch) {
        srv_req *r = pop_front(in);

        r->admit_seq = in->admit_seq++;
        in->running[in->n_running++] = r;
        in->held_blocks -= r->blocks;
        enter_decode(in, r);
    }
}

/* Form the next iteration.  Returns false when there is nothing to run. */
static bool plan_step(srv_inst *in, hs_time now, step_plan *p)
{
    int64_t budget = in->max_tokens;

    memset(p, 0, sizeof *p);
    in->n_sched = 0;
    if (in->kind == SRV_KIND_DECODE) {
        admit_ready(in);
        p->n_decodes = schedule_decodes(in, &p->batch, now);
        p->n_seqs = p->n_decodes;
        p->cap_blocked =
            in->xwait_head != NULL && in->n_running < in->max_batch;
    } else if (in->chunked) {
        p->n_decodes = schedule_decodes(in, &p->batch, now);
        p->n_seqs = p->n_decodes;
        budget = continue_prefills(in, &p->batch, budget - p->n_decodes,
                                   &p->n_seqs);
        admit_waiting(in, &p->batch, budget, false, now, &p->n_seqs,
                      &p->cap_blocked);
    } else if (admit_waiting(in, &p->batch, budget, true, now, &p->n_seqs,
                             &p->cap_blocked) == 0) {
        p->n_decodes = schedule_decodes(in, &p->batch, now);
        p->n_seqs = p->n_decodes;
    }
    return p->n_seqs > 0;
}

/* ---- fast-forward --------------------------------------------------------- */

/* Would plan_step() at this point form exactly "every running request
 * decodes, nobody is admitted or preempted"?  If so, fill the plan it
 * would make, capacity flag included, without changing anything. */
static bool decode_only_next(const srv_inst *in, step_plan *p)
{
    int64_t growth, free_after;

    if (in->n_running == 0 || in->n_dec != in->n_running)
        return false;
    growth = in->cross[crossing_slot(in)];
    if (growth > free_blocks(in))
        return false; /* a preemption is due: plan it normally */
    memset(p, 0, sizeof *p);
    add_decodes(in, &p->batch);
    p->n_seqs = p->n_decodes = in->n_dec;
    if (in->kind == SRV_KIND_DECODE) {
        bool room = in->n_running < in->max_batch;

        if (in->wait_head != NULL && room)
            return false; /* an arrived KV cache would join */
        p->cap_blocked = in->xwait_head != NULL && room;
        return true;
    }
    free_after = in->chunked ? free_blocks(in) - growth : free_blocks(in);
    if (in->caching && in->wait_head != NULL && in->n_running < in->max_batch)
        return false; /* admission may hit or evict the cache: plan it */
    if (in->wait_head != NULL && in->n_running < in->max_batch &&
        (!in->chunked || in->max_tokens - in->n_running > 0)) {
        if (srv_blocks_for(in, in->wait_head->target) -
                in->wait_head->blocks <=
            free_after)
            return false; /* someone would be admitted */
        p->cap_blocked = true;
    }
    return true;
}

/* ---- applying an iteration ------------------------------------------------ */

/* Prefill kind: the request leaves the batch with its KV blocks still
 * held here; it is handed off at the step's end. */
static void hand_off(srv_inst *in, srv_req *r)
{
    list_remove(in->running, &in->n_running, r);
    in->held_blocks += r->blocks;
    in->outstanding -= r->output - r->generated;
    in->handoff[in->n_handoff++] = r;
}

/* Advance the planned iteration ending at 'end'.  Returns true when some
 * request has produced its last token. */
static bool apply_step(srv_inst *in, const step_plan *p, hs_time end)
{
    if (p->n_decodes > 0) {
        in->dec_it++;
        in->outstanding -= p->n_decodes;
        in->tokens_out += p->n_decodes;
    }
    for (int64_t i = 0; i < in->n_sched; i++) {
        srv_req *r = in->sched[i];

        r->prefilled += r->chunk;
        r->kv_tokens = r->prefilled;
        in->outstanding -= r->chunk;
        in->tokens_in += r->chunk;
        r->chunk = 0;
        if (r->prefilled == r->target) {
            r->generated++;
            in->outstanding--;
            in->tokens_out++;
            if (r->first_token < 0)
                r->first_token = end;
            list_remove(in->prefilling, &in->n_prefilling, r);
            cache_prefix(in, r, r->target);
            if (in->kind == SRV_KIND_PREFILL)
                hand_off(in, r);
            else
                enter_decode(in, r);
        }
    }
    in->n_sched = 0;
    return in->n_heap > 0 && in->heap[0]->finish_it <= in->dec_it;
}

/* Pool-resident KV: the step also streams its KV bytes over the pool's
 * link, overlapped with the device's work layer by layer, so it takes
 * the longer of the two, plus the pool's latency once.  'link' bound when
 * the stream is the longer. */
static void pool_adjust(srv_inst *in, cost_step *st)
{
    double bytes = (in->pool_resident ? st->kv_bytes : 0) + in->fetch_pending;
    double t_link;

    in->fetch_pending = 0;
    if (bytes <= 0)
        return;
    t_link = bytes / in->pool_bw;
    if (t_link > st->time_s) {
        st->time_s = t_link;
        st->bound = COST_BOUND_LINK;
    }
    st->time_s += in->pool_latency_s;
}

static const char *phase_of(const cost_batch *b)
{
    if (b->decode_seqs == 0)
        return "prefill";
    return b->prefill_seqs == 0 ? "decode" : "mixed";
}

static hs_time duration(const cost_step *st)
{
    hs_time dt = hs_time_from_s(st->time_s);

    return dt < 1 ? 1 : dt;
}

/* Record one costed iteration starting at 'start'; return its end. */
static hs_time record(srv_sim *s, srv_inst *in, const step_plan *p,
                      hs_time start, const cost_step *st)
{
    hs_time end = start + duration(st);
    double kv_used = (double)in->used_blocks * in->block_bytes;
    srv_step_rec rec;

    in->busy_s += hs_time_to_s(end - start);
    if (in->pool_resident) {
        in->streamed_bytes += st->kv_bytes;
        in->link_busy_s += st->kv_bytes / in->pool_bw;
    }
    in->flops += st->flops;
    in->bytes += st->bytes;
    in->steps++;
    if (p->cap_blocked)
        in->cap_bound_s += hs_time_to_s(end - start);
    if (s->sink.step == NULL)
        return end;
    rec.instance = in->name;
    rec.start_s = hs_time_to_s(start);
    rec.end_s = hs_time_to_s(end);
    rec.phase = phase_of(&p->batch);
    rec.batch_size = p->n_seqs;
    rec.prefill_tokens = p->batch.prefill_tokens;
    rec.decode_tokens = p->batch.decode_seqs;
    rec.flops = st->flops;
    rec.bytes = st->bytes;
    rec.oi = st->oi;
    rec.kv_used_bytes = kv_used;
    rec.cf_bytes =
        in->ctx.weight_bytes + kv_used +
        cost_workspace_bytes(&in->ctx,
                             p->batch.prefill_tokens + p->batch.decode_seqs,
                             p->batch.logits_tokens);
    rec.bound = p->cap_blocked ? "capacity" : cost_bound_name(st->bound);
    srv_sim_emit_step(s, &rec);
    return end;
}

/* Decode kind: requests preempted while planning go back to the prefill
 * pool, and the blocks they freed may let waiting transfers start. */
static void send_evicted(srv_sim *s, int idx)
{
    srv_inst *in = &s->insts[idx];

    if (in->evicted == NULL)
        return;
    while (in->evicted != NULL) {
        srv_req *r = in->evicted;

        in->evicted = r->next;
        r->next = NULL;
        srv_sim_reroute(s, r);
    }
    srv_sim_pump(s, idx);
}

/* Layer-wise KV transfer: requests whose prefill this step completes are
 * handed off at the step's start, their KV moving while it is computed;
 * it is usable when the step ends ('end').  Single-token requests wait
 * for the step's end as usual. */
static void hand_off_early(srv_sim *s, int idx, hs_time end)
{
    srv_inst *in = &s->insts[idx];
    int64_t k = 0;

    for (int64_t i = 0; i < in->n_handoff; i++) {
        srv_req *r = in->handoff[i];

        if (r->generated < r->output)
            srv_sim_handoff(s, idx, r, end);
        else
            in->handoff[k++] = r;
    }
    in->n_handoff = k;
}

void srv_inst_kick(srv_sim *s, int idx)
{
    srv_inst *in = &s->insts[idx];
    hs_time t = eng_now(s->eng);
    hs_time horizon;
    step_plan p;
    cost_step st;
    int64_t iters = 1;
    bool finishing;

    if (in->busy)
        return;
    if (!plan_step(in, t, &p)) {
        send_evicted(s, idx);
        return;
    }
    send_evicted(s, idx);
    cost_step_eval(&in->ctx, &p.batch, &st);
    pool_adjust(in, &st);
    t = record(s, in, &p, t, &st);
    finishing = apply_step(in, &p, t);
    if (in->layerwise)
        hand_off_early(s, idx, t);
    horizon = srv_sim_horizon(s);
    while (!finishing && !s->opt.no_fast_forward && iters < MAX_CHUNK_ITERS &&
           decode_only_next(in, &p)) {
        cost_step_eval(&in->ctx, &p.batch, &st);
        pool_adjust(in, &st);
        if (t + duration(&st) > horizon)
            break;
        in->used_blocks += in->cross[crossing_slot(in)];
        t = record(s, in, &p, t, &st);
        finishing = apply_step(in, &p, t);
        iters++;
    }
    in->busy = true;
    eng_schedule(s->eng, t, ENG_PRIO_COMPLETION, srv_on_event, s,
                 SRV_EV_STEP_END, (uint64_t)idx);
}

/* Retire the requests that produced their last token, in (finish
 * iteration, admission) order, and drop them from the batch. */
static void retire_finished(srv_sim *s, srv_inst *in)
{
    int64_t k = 0, n = 0;

    while (in->n_heap > 0 && in->heap[0]->finish_it <= in->dec_it) {
        srv_req *r = in->heap[0];

        leave_decode(in, r);
        if (r->session_id >= 0)
            cache_prefix(in, r, r->kv_tokens); /* the next call's prefix */
        srv_inst_unpin(in, r, eng_now(s->eng));
        if (r->session_id >= 0 && in->offload_sessions)
            offload_context(in, r, eng_now(s->eng));
        in->used_blocks -= r->blocks;
        r->blocks = 0;
        r->chunk = 1; /* mark: leaving the batch */
        n++;
    }
    if (n == 0)
        return;
    for (int64_t i = 0; i < in->n_running; i++) {
        srv_req *r = in->running[i];

        if (in_decode(r) && r->chunk == 1 && r->generated >= r->output) {
            r->chunk = 0;
            srv_sim_retire(s, r, SRV_REQ_DONE);
        } else {
            in->running[k++] = r;
        }
    }
    in->n_running = k;
}

void srv_inst_step_end(srv_sim *s, int idx)
{
    srv_inst *in = &s->insts[idx];

    in->busy = false;
    retire_finished(s, in);
    if (in->kind == SRV_KIND_PREFILL) {
        for (int64_t i = 0; i < in->n_handoff; i++)
            srv_sim_handoff(s, idx, in->handoff[i], eng_now(s->eng));
        in->n_handoff = 0;
    } else if (in->kind == SRV_KIND_DECODE) {
        srv_sim_pump(s, idx);
    }
    srv_inst_kick(s, idx);
}

void srv_inst_drain(srv_sim *s, int idx)
{
    srv_inst *in = &s->insts[idx];

    for (int64_t i = 0; i < in->n_running; i++) {
        srv_req *r = in->running[i];

        if (in_decode(r))
            leave_decode(in, r);
        srv_sim_retire(s, r, SRV_REQ_UNFINISHED);
    }
    in->n_running = 0;
    in->n_prefilling = 0;
    for (int64_t i = 0; i < in->n_handoff; i++)
        srv_sim_retire(s, in->handoff[i], SRV_REQ_UNFINISHED);
    in->n_handoff = 0;
    while (in->wait_head != NULL)
        srv_sim_retire(s, pop_front(in), SRV_REQ_UNFINISHED);
    while (in->xwait_head != NULL) {
        srv_req *r = in->xwait_head;

        in->xwait_head = r->next;
        srv_sim_retire(s, r, SRV_REQ_UNFINISHED);
    }
    in->xwait_tail = NULL;
}

void srv_inst_receive(srv_inst *in, srv_req *r)
{
    srv_inst_enqueue(in, r);
}

void srv_inst_xwait_push(srv_inst *in, srv_req *r)
{
    r->next = NULL;
    r->prev = in->xwait_tail;
    if (in->xwait_tail != NULL)
        in->xwait_tail->next = r;
    else
        in->xwait_head = r;
    in->xwait_tail = r;
}

bool srv_inst_can_reserve(const srv_inst *in, int64_t tokens)
{
    return in->xwait_head == NULL &&
           srv_blocks_for(in, tokens) <= free_blocks(in);
}

bool srv_inst_keep(srv_inst *in, srv_req *r)
{
    if (in->n_running >= in->max_batch)
        return false;
    r->blocks = r->pblocks;
    r->pblocks = 0;
    in->held_blocks -= r->blocks;
    in->outstanding += r->output - r->generated;
    r->admit_seq = in->admit_seq++;
    in->running[in->n_running++] = r;
    enter_decode(in, r);
    in->fallbacks++;
    return true;
}

srv_req *srv_inst_xwait_take(srv_inst *in)
{
    srv_req *r = in->xwait_head;
    int64_t need;

    if (r == NULL)
        return NULL;
    need = srv_blocks_for(in, r->target);
    if (need > free_blocks(in))
        return NULL;
    in->xwait_head = r->next;
    if (in->xwait_head != NULL)
        in->xwait_head->prev = NULL;
    else
        in->xwait_tail = NULL;
    r->next = r->prev = NULL;
    in->used_blocks += need;
    in->held_blocks += need;
    r->blocks = need;
    return r;
}

/* ---- set-up and checks ----------------------------------------------------- */

int srv_inst_init(srv_inst *in, const sc_scenario *sc, const sc_group *g,
                  srv_kind kind, bool pool_kv, const char *name, hs_diag *d)
{
    const sc_hardware *hw = &sc->hardware[g->device];
    const cost_link *link =
        g->link != SC_NONE ? &sc->links[g->link].link : NULL;
    double kv_cap;
    size_t mb;

    memset(in, 0, sizeof *in);
    snprintf(in->name, sizeof in->name, "%s", name);
    in->kind = kind;
    in->role = kind == SRV_KIND_PREFILL  ? "prefill"
               : kind == SRV_KIND_DECODE ? "decode"
                                         : "monolithic";
    in->pool = kind == SRV_KIND_MONO ? NULL : in->role;
    in->layerwise =
        kind == SRV_KIND_PREFILL && sc->cluster.kv_transfer_layerwise;
    srv_pcache_init(&in->cache);
    srv_pcache_init(&in->pool_cache);
    in->caching = sc->cluster.prefix_cache && kind != SRV_KIND_DECODE;
    in->retain = sc->cluster.retention != SC_RETAIN_DROP;
    in->idle_timeout = hs_time_from_s(sc->cluster.retention_idle_timeout_s);
    in->device = hw->name;
    cost_ctx_init(&in->ctx, &sc->model, &sc->precision, &hw->dev, g->tp,
                  g->tp > 1 ? link : NULL, NULL);
    in->max_batch = g->max_batch;
    in->max_tokens = g->max_batch_tokens;
    in->chunked = g->chunked_prefill;
    in->block_size = sc->cluster.block_size;
    in->block_bytes = (double)in->block_size * in->ctx.kv_bytes_per_token;
    kv_cap = cost_kv_capacity_bytes(&in->ctx, g->max_batch_tokens,
                                    g->max_batch < g->max_batch_tokens
                                        ? g->max_batch
                                        : g->max_batch_tokens);
    in->total_blocks = kv_cap > 0 ? (int64_t)(kv_cap / in->block_bytes) : 0;
    if (in->total_blocks < 1 && !pool_kv)
        return hs_diag_error(
            d, g->loc,
            "cluster: instance '%s': model '%s' (%.1f GB of weights) "
            "leaves no room for KV cache on %d x %s (%.1f GB usable)",
            name, sc->model.name, in->ctx.weight_bytes / 1e9, g->tp, hw->name,
            cost_instance_mem_bytes(&in->ctx) * (1 - hw->dev.mem_margin) /
                1e9);
    mb = (size_t)in->max_batch;
    in->running = hs_calloc(mb, sizeof *in->running);
    in->prefilling = hs_calloc(mb, sizeof *in->prefilling);
    in->sched = hs_calloc(mb, sizeof *in->sched);
    in->heap = hs_calloc(mb, sizeof *in->heap);
    in->handoff = hs_calloc(mb, sizeof *in->handoff);
    in->cross = hs_calloc((size_t)in->block_size, sizeof *in->cross);
    return HS_OK;
}

void srv_inst_attach_offload(srv_inst *in, double share_bytes, double bw,
                             double latency_s, bool sessions)
{
    in->offload = in->caching;
    in->offload_sessions = in->caching && sessions;
    in->pool_bw = bw;
    in->pool_latency_s = latency_s;
    in->pool_blocks = (int64_t)(share_bytes / in->block_bytes);
}

int srv_inst_attach_pool(srv_inst *in, const sc_scenario *sc,
                         double share_bytes, double bw, double latency_s,
                         hs_diag *d)
{
    double local =
        cost_instance_mem_bytes(&in->ctx) * (1.0 - in->ctx.dev.mem_margin) -
        in->ctx.weight_bytes -
        cost_workspace_bytes(&in->ctx, in->max_tokens,
                             in->max_batch < in->max_tokens ? in->max_batch
                                                            : in->max_tokens);

    if (local < 0)
        return hs_diag_error(d, sc->cluster.loc,
                             "cluster.kv_pool: instance '%s': weights and "
                             "workspace do not fit its own memory",
                             in->name);
    in->pool_resident = true;
    in->ctx.opts.kv_remote = true;
    in->pool_bw = bw;
    in->pool_latency_s = latency_s;
    in->total_blocks = (int64_t)(share_bytes / in->block_bytes);
    if (in->total_blocks < 1)
        return hs_diag_error(d, sc->cluster.loc,
                             "cluster.kv_pool: instance '%s': its share of "
                             "the pool holds no KV block",
                             in->name);
    return HS_OK;
}

void srv_inst_fini(srv_inst *in)
{
    free(in->running);
    free(in->prefilling);
    free(in->sched);
    free(in->heap);
    free(in->handoff);
    srv_pcache_fini(&in->cache);
    srv_pcache_fini(&in->pool_cache);
    free(in->cross);
    in->running = in->prefilling = in->sched = in->heap = NULL;
    in->handoff = NULL;
    in->cross = NULL;
}

static const char *check_running(const srv_inst *in, int64_t *used,
                                 int64_t *out)
{
    int64_t n_dec = 0, kv_base = 0, n_pre = 0;

    for (int64_t i = 0; i < in->n_running; i++) {
        const srv_req *r = in->running[i];
        bool dec = in_decode(r);
        int64_t blocks =
            dec ? srv_blocks_for(in, kv_now(in, r)) - pinned_blocks(in, r)
                : r->blocks;
        int64_t gen = dec ? gen_now(in, r) : r->generated;

        *used += blocks;
        *out += (r->target - r->prefilled) + (r->output - gen);
        if (!dec &&
            r->blocks != srv_blocks_for(in, r->target) - pinned_blocks(in, r))
            return "I2 blocks of a prefilling request";
        if (i > 0 && in->running[i - 1]->admit_seq >= r->admit_seq)
            return "I3 admission order";
        if (dec) {
            n_dec++;
            kv_base += r->kv0 - r->dec_it0;
            if (in->heap[r->heap_idx] != r)
                return "I5 finish heap";
        } else if (in->prefilling[n_pre++] != r) {
            return "I5 prefilling list";
        }
    }
    if (n_dec != in->n_dec || n_dec != in->n_heap ||
        kv_base != in->dec_kv_base || n_pre != in->n_prefilling)
        return "I5 decode aggregates";
    return NULL;
}

bool srv_inst_check(const srv_inst *in, FILE *why)
{
    int64_t used = 0, out = 0, crossing = 0;
    const char *broken = check_running(in, &used, &out);

    for (const srv_req *r = in->wait_head; r != NULL; r = r->next)
        out += (r->target - r->prefilled) + (r->output - r->generated);
    for (int64_t i = 0; i < in->block_size; i++)
        crossing += in->cross[i];
    if (broken == NULL && crossing != in->n_dec)
        broken = "I5 residue counts";
    if (broken == NULL && !srv_pcache_check(&in->cache, why))
        broken = "C1-C3 prefix cache";
    if (broken == NULL &&
        (!srv_pcache_check(&in->pool_cache, why) ||
         in->pool_cache.held_blocks + in->pool_swap_blocks > in->pool_blocks))
        broken = "pool share exceeded";
    if (broken == NULL &&
        (used + in->held_blocks + in->cache.held_blocks != in->used_blocks ||
         in->used_blocks > in->total_blocks || in->held_blocks < 0))
        broken = "I1 used blocks";
    if (broken == NULL && out != in->outstanding)
        broken = "I4 outstanding tokens";
    if (broken != NULL && why != NULL)
        fprintf(why, "srv_inst_check: %s: %s\n", in->name, broken);
    return broken == NULL;
}
