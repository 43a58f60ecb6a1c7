/*
 * srv_kv.c -- an instance's KV blocks and its prefix cache: reserving
 * the blocks of an admitted request (its cached prefix pinned, the rest
 * allocated), putting computed prefixes into the cache, least recently
 * used eviction under pressure, and the idle timeout of KV retention.
 *
 * Blocks that leave device memory go to the instance's KV pool policy
 * (kvpol 'evicted': the offload policy moves them to its share of a
 * memory pool), and a device-cache miss asks it to bring a block back
 * (kvpol 'fetch').  A request swapped out to the pool comes back through
 * the policy at its next admission.  What the cache holds of a request
 * is also a host query for the cache-aware router
 * (srv_host_cached_tokens).
 */
#include "srv_inst.h"

/* KV blocks of one prefix block of 'r' (0: 'r' has no prefix ids). */
static int64_t id_blocks(const srv_inst *in, const srv_req *r)
{
    return r->id_tokens / in->block_size;
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

/* A block left device memory: the KV policy may keep it. */
static void evicted(srv_inst *in, uint64_t id, int64_t nblk, hs_time now)
{
    if (in->kvpol->evicted != NULL)
        in->kvpol->evicted(in, in->kvpol_st, id, nblk, now);
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
        evicted(in, id, freed, now);
    }
    return freed;
}

void srv_kv_make_room(srv_inst *in, int64_t need, hs_time now)
{
    while (need > in->total_blocks - in->used_blocks && evict_one(in, now) > 0)
        ;
}

void srv_kv_expire(srv_inst *in, hs_time now)
{
    while (in->idle_timeout > 0 &&
           srv_pcache_oldest(&in->cache) <= now - in->idle_timeout)
        evict_one(in, now);
}

int64_t srv_kv_cache_add(srv_inst *in, uint64_t id, int64_t nblk)
{
    in->used_blocks += nblk;
    return srv_pcache_insert(&in->cache, id, nblk);
}

/* A pinned device-cache entry for block 'id', brought back by the KV
 * policy when device memory lacks it; -1 when neither holds it or
 * device memory has no room for it. */
static int64_t hit(srv_inst *in, uint64_t id, hs_time now)
{
    int64_t e = srv_pcache_find(&in->cache, id);

    if (e >= 0) {
        srv_pcache_pin(&in->cache, e);
        return e;
    }
    if (in->kvpol->fetch == NULL)
        return -1;
    return in->kvpol->fetch(in, in->kvpol_st, id, now);
}

/* Is block 'id' held by the device cache or the KV policy? */
static bool held(const srv_inst *in, uint64_t id)
{
    return srv_pcache_find(&in->cache, id) >= 0 ||
           (in->kvpol->holds != NULL && in->kvpol->holds(in->kvpol_st, id));
}

int64_t srv_host_cached_tokens(const srv_inst *in, const srv_req *r)
{
    int64_t max, k = 0;

    if (!in->caching || r->id_tokens == 0 || r->swapped > 0)
        return 0;
    max = prefix_blocks(in, r, false);
    while (k < max && held(in, srv_req_block_id(r, k)))
        k++;
    return k * r->id_tokens;
}

void srv_kv_unpin(srv_inst *in, srv_req *r, hs_time now)
{
    for (int64_t i = 0; i < r->pinned; i++)
        srv_pcache_unpin(&in->cache,
                         srv_pcache_find(&in->cache, srv_req_block_id(r, i)),
                         now);
    r->pinned = 0;
    r->pinned_blk = 0;
}

/* Content ids (Mooncake) name the last, partial block too -- an equal id
 * is equal content; a session's context only caches whole blocks (its
 * last block keeps growing), and only when retention keeps it. */
void srv_kv_cache_prefix(srv_inst *in, srv_req *r, int64_t tokens)
{
    int64_t P = r->id_tokens;
    int64_t n;

    if (!in->caching || id_blocks(in, r) == 0 ||
        (r->session_id >= 0 && !in->retain->keeps))
        return;
    n = r->ids != NULL ? (tokens + P - 1) / P : tokens / P;
    if (r->ids != NULL && n > r->n_ids)
        n = r->n_ids;
    for (int64_t i = r->pinned; i < n; i++) {
        uint64_t id = srv_req_block_id(r, i);
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

void srv_kv_offload_context(srv_inst *in, const srv_req *r, hs_time now)
{
    int64_t n = r->kv_tokens / r->id_tokens;

    for (int64_t i = 0; i < n; i++) {
        uint64_t id = srv_req_block_id(r, i);
        int64_t e = srv_pcache_find(&in->cache, id);

        if (e >= 0 && in->cache.ent[e].refs == 0) {
            int64_t nblk = in->cache.ent[e].nblk;

            srv_pcache_remove(&in->cache, e);
            in->used_blocks -= nblk;
            evicted(in, id, nblk, now);
        }
    }
}

/* Pin the cached prefix of 'r' (at most 'max' blocks); returns how many
 * were pinned. */
static int64_t pin_prefix(srv_inst *in, srv_req *r, int64_t max, hs_time now)
{
    int64_t k = 0;

    while (k < max) {
        int64_t e = hit(in, srv_req_block_id(r, k), now);

        if (e < 0)
            break;
        r->pinned_blk += in->cache.ent[e].nblk;
        k++;
    }
    return k;
}

bool srv_kv_reserve(srv_inst *in, srv_req *r, hs_time now)
{
    int64_t max = prefix_blocks(in, r, false), need, k;
    int64_t found, all = prefix_blocks(in, r, true);

    if (in->caching)
        srv_kv_expire(in, now);
    if (r->swapped > 0)
        max = 0; /* its KV comes back from the pool instead */
    k = pin_prefix(in, r, max, now);
    /* Blocks found, for the block hit rate: a fully cached prompt still
     * computes its last token, but every block of it was a hit. */
    found = k;
    while (k == max && found < all && held(in, srv_req_block_id(r, found)))
        found++;
    r->pinned = k;
    need = srv_blocks_for(in, r->target) - r->pinned_blk;
    srv_kv_make_room(in, need, now);
    if (need > srv_free_blocks(in)) {
        srv_kv_unpin(in, r, now);
        return false;
    }
    in->used_blocks += need;
    r->blocks = need;
    r->prefilled = k * r->id_tokens;
    if (r->swapped > 0)
        in->kvpol->swap_in(in, in->kvpol_st, r);
    in->outstanding -= r->prefilled;
    in->prefill_left -= r->prefilled;
    if (r->admitted < 0) {
        r->cached_tokens = r->prefilled;
        r->hit_blocks = found;
    }
    return true;
}

void srv_kv_unreserve(srv_inst *in, srv_req *r, hs_time now)
{
    if (r->swapped_back > 0) /* the swap-in did not happen */
        in->kvpol->unswap(in, in->kvpol_st, r);
    in->used_blocks -= r->blocks;
    r->blocks = 0;
    in->outstanding += r->prefilled;
    in->prefill_left += r->prefilled;
    r->prefilled = 0;
    if (r->admitted < 0)
        r->cached_tokens = r->hit_blocks = 0;
    srv_kv_unpin(in, r, now);
}
