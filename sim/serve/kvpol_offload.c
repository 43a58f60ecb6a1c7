/*
 * kvpol_offload.c -- the "offload" KV pool policy: KV lives in device
 * memory while it is used; prefix-cache blocks evicted from it move to
 * the instance's share of a memory pool (the pool's least recently used
 * blocks make room, dropped), and come back over the pool's link when a
 * request hits them, the fetch lengthening the step that admits it.  A
 * preempted request's KV is swapped to the pool instead of recomputed,
 * and fetched back at its next admission.  Applies to instances with a
 * prefix cache; the pool is shared evenly among them.  Offloads and each
 * step's fetches are reported to the cluster (srv_host_pool_xfer) for the
 * transfers table.
 *
 * Invariant (check): the pool cache's C1-C3, and its blocks plus the
 * swapped requests' never exceed the share.
 */
#include "srv_host.h"
#include "srv_pcache.h"

typedef struct offload {
    srv_pcache pool;      /* prefix blocks held in the share */
    int64_t pool_blocks;  /* the share, in KV blocks */
    int64_t swap_blocks;  /* of it, preempted requests' KV */
    double bw, latency_s; /* of the pool's link, alone on it */
    double block_bytes;
    double fetch_pending; /* bytes to fetch for the step being planned */
    double step_fetch;    /* of the step last costed, reported when run */
    double offloaded_bytes, fetched_bytes;
} offload;

static bool caches(srv_kind kind, bool caching)
{
    (void)kind;
    return caching;
}

static int attach(srv_inst *in, void *st, const srv_pool_share *share,
                  hs_diag *d)
{
    offload *o = st;

    (void)d;
    srv_pcache_init(&o->pool);
    o->bw = share->bw;
    o->latency_s = share->latency_s;
    o->block_bytes = srv_host_block_bytes(in);
    o->pool_blocks = (int64_t)(share->bytes / o->block_bytes);
    return HS_OK;
}

static void detach(void *st)
{
    offload *o = st;

    srv_pcache_fini(&o->pool);
}

/* Make room for 'nblk' blocks in the share by dropping its least
 * recently used prefix blocks; false when they cannot fit. */
static bool room_for(offload *o, int64_t nblk)
{
    while (o->pool.held_blocks + o->swap_blocks + nblk > o->pool_blocks &&
           srv_pcache_evict(&o->pool, NULL) > 0)
        ;
    return o->pool.held_blocks + o->swap_blocks + nblk <= o->pool_blocks;
}

/* Report 'bytes' of kind 'kind' over the pool's link from 'start' to
 * 'end'. */
static void report(srv_inst *in, srv_xfer_kind kind, int64_t request_id,
                   double bytes, hs_time start, hs_time end)
{
    srv_pool_xfer x = {kind, request_id, bytes, start, end};

    srv_host_pool_xfer(in, &x);
}

/* Offload 'bytes' now: written to the pool in the background (the
 * network carries them; the row, added up per interval, ends when the
 * link alone would have carried them). */
static void offload_bytes(srv_inst *in, offload *o, int64_t request_id,
                          double bytes, hs_time now)
{
    o->offloaded_bytes += bytes;
    srv_host_pool_write(in, bytes);
    report(in, SRV_XFER_OFFLOAD, request_id, bytes, now,
           now + hs_time_from_s(bytes / o->bw + o->latency_s));
}

static void evicted(srv_inst *in, void *st, uint64_t id, int64_t nblk,
                    hs_time now)
{
    offload *o = st;
    double bytes = (double)nblk * o->block_bytes;

    int64_t p = srv_pcache_find(&o->pool, id);

    /* The pool may hold these blocks already: the device computed them
     * again while a copy sat in the pool (a request's own blocks are not
     * looked up there).  Nothing moves; the copy is used now.  (Inserting
     * a second entry under the same id broke the pool cache's C1 and its
     * count of held blocks: found by make DEBUG=1, issue 16.) */
    if (p >= 0) {
        if (o->pool.ent[p].refs == 0) {
            srv_pcache_pin(&o->pool, p);
            srv_pcache_unpin(&o->pool, p, now);
        }
        return;
    }
    if (nblk > o->pool_blocks || !room_for(o, nblk))
        return;
    srv_pcache_unpin(&o->pool, srv_pcache_insert(&o->pool, id, nblk), now);
    offload_bytes(in, o, -1, bytes, now);
}

static void fetched(offload *o, int64_t nblk)
{
    o->fetch_pending += (double)nblk * o->block_bytes;
}

static int64_t fetch(srv_inst *in, void *st, uint64_t id, hs_time now)
{
    offload *o = st;
    int64_t p = srv_pcache_find(&o->pool, id), nblk;

    if (p < 0 || o->pool.ent[p].refs != 0)
        return -1;
    nblk = o->pool.ent[p].nblk;
    srv_kv_make_room(in, nblk, now);
    if (nblk > srv_host_free_blocks(in))
        return -1;
    p = srv_pcache_find(&o->pool, id); /* evictions may have moved it */
    if (p < 0)
        return -1;
    srv_pcache_remove(&o->pool, p);
    fetched(o, nblk);
    return srv_kv_cache_add(in, id, nblk);
}

static bool holds(const void *st, uint64_t id)
{
    const offload *o = st;

    return srv_pcache_find(&o->pool, id) >= 0;
}

static void swap_out(srv_inst *in, void *st, srv_req *r)
{
    offload *o = st;
    int64_t nblk = srv_host_blocks_for(in, r->kv_tokens);

    if (srv_host_kind(in) == SRV_KIND_DECODE || r->kv_tokens == 0 ||
        !room_for(o, nblk))
        return;
    r->swapped = r->kv_tokens;
    o->swap_blocks += nblk;
    offload_bytes(in, o, r->id, (double)nblk * o->block_bytes,
                  srv_host_now(in));
}

/* The KV comes back with the step that admits the request; only its
 * last token is computed. */
static void swap_in(srv_inst *in, void *st, srv_req *r)
{
    offload *o = st;
    int64_t nblk = srv_host_blocks_for(in, r->swapped);

    r->prefilled = r->swapped < r->target ? r->swapped : r->target - 1;
    o->swap_blocks -= nblk;
    fetched(o, nblk);
    r->swapped_back = r->swapped;
    r->swapped = 0;
}

static void unswap(srv_inst *in, void *st, srv_req *r)
{
    offload *o = st;
    int64_t nblk = srv_host_blocks_for(in, r->swapped_back);

    r->swapped = r->swapped_back;
    r->swapped_back = 0;
    o->swap_blocks += nblk;
    o->fetch_pending -= (double)nblk * o->block_bytes;
}

/* The fetches of the step cross the pool's link once, overlapped with
 * the device's work. */
static void traffic(void *st, const cost_step *step, srv_link_use *use)
{
    offload *o = st;

    (void)step;
    o->step_fetch = o->fetch_pending;
    o->fetch_pending = 0;
    use->bytes = o->step_fetch;
    use->per_layer = false;
}

/* The step's fetches are one transfer, from the step's start; they count
 * as fetched once the step has run (a fetch still pending when the run
 * ends moved nothing). */
static void recorded(srv_inst *in, void *st, const cost_step *step,
                     hs_time start, hs_time end)
{
    offload *o = st;

    (void)step;
    (void)end;
    o->fetched_bytes += o->step_fetch;
    if (o->step_fetch > 0)
        report(in, SRV_XFER_FETCH, -1, o->step_fetch, start,
               srv_host_link_end(in));
    o->step_fetch = 0;
}

static bool check(const void *st, FILE *why)
{
    const offload *o = st;

    return srv_pcache_check(&o->pool, why) &&
           o->pool.held_blocks + o->swap_blocks <= o->pool_blocks;
}

static void totals(const void *st, srv_pool_totals *t)
{
    const offload *o = st;

    t->offloaded_bytes += o->offloaded_bytes;
    t->fetched_bytes += o->fetched_bytes;
}

const srv_kvpol_ops srv_kvpol_offload = {
    .name = "offload",
    .size = sizeof(offload),
    .applies = caches,
    .attach = attach,
    .detach = detach,
    .evicted = evicted,
    .fetch = fetch,
    .holds = holds,
    .swap_out = swap_out,
    .swap_in = swap_in,
    .unswap = unswap,
    .traffic = traffic,
    .recorded = recorded,
    .check = check,
    .totals = totals,
};
