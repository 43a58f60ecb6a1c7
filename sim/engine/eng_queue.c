/*
 * eng_queue.c -- the pending-event queue: a slot table that grows by
 * doubling, entries that die lazily, and tiers partitioned by time (a
 * heap, rungs of buckets, a top list: a ladder queue with a heap at the
 * bottom).  engine_int.h has the picture and the reasons.
 *
 * Costs: an insert goes into the heap, O(log h) with h the heap size
 * (kept near BUCKET_TARGET once the queue is large), or into a bucket or
 * top, O(depth).  A pop is O(log h), plus, when the heap runs empty, a
 * refill that costs O(1) per entry it moves.  An entry moves down the
 * tiers (top, rung 0, deeper rungs, heap), at most EQ_MAX_RUNGS + 1
 * times; the only move up is a spill of a plain heap to 'top', which
 * takes SPILL_AT - PLAIN_MAX inserts to come round again.  A cancel is
 * O(1), plus a compaction, O(1) per entry, when the dead entries
 * outnumber the live ones by DEAD_SLACK.  So every operation is O(log n)
 * amortised, though one call may do O(n) work.  Nothing is allocated
 * once the slot table, the heap and the pool of list chunks have reached
 * their peak size, which is proportional to the peak number of entries.
 *
 * Invariants (verified by eq_check(), hence eng_check()):
 *   I1  heap.len + the rungs' counts + top.len == pending + dead;
 *       pending <= cap <= EQ_MAX_SLOTS; each rung's count is the sum of
 *       its buckets; depth <= EQ_MAX_RUNGS
 *   I2  the heap invariant H1 of eng_heap.c holds
 *   I3  every heap entry has time <= heap_last
 *   I4  bucket b of rung r holds only times t with (t - base) >> shift
 *       == b and no finer rung covers t, and is empty unless
 *       cur <= b < nb; top holds only times after every rung
 *   I5  the tiers are contiguous: heap_last + 1 is the first time of the
 *       finest rung's bucket 'cur', and the end of rung r + 1 is the first
 *       time of rung r's bucket 'cur'
 *   I6  every pending slot (generation odd) has exactly one live entry
 *       (an entry whose key equals the slot's key); there are exactly
 *       'dead' other entries, and dead <= pending + DEAD_SLACK
 *   I7  every live entry has fn != NULL and a sequence number < next_seq;
 *       every entry has time >= now
 *   I8  the free list visits exactly the cap - pending other slots, each
 *       once, each with an even generation
 *   I9  when pending > 0 the heap's root is live: it is the next event to
 *       fire; when pending == 0 there are no entries at all
 *   I10 depth == 0 (a plain heap) implies heap_last == HS_TIME_MAX and an
 *       empty top
 * Sequence numbers are unique (one per eng_schedule/eng_reschedule), so
 * the order of H1 is total and the pop order is fully determined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

/* Tuned with tests/bench/bench_engine.c (docs/performance.md). */
#define SPILL_AT 8192     /* a plain heap this large becomes tiered */
#define PLAIN_MAX 2048    /* a refill this small makes a plain heap */
#define BUCKET_TARGET 128 /* entries per bucket aimed at by a spread */
#define SPLIT_AT 512      /* a bucket this large gets a finer rung */
#define PREFETCH_AHEAD 16 /* list_to_heap: slots fetched ahead */
#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif
#define DEAD_SLACK 1024  /* dead entries allowed beyond 'pending' */
#define INITIAL_CAP 64   /* slots of a new queue */
#define SLOT_ALIGN 64    /* a slot is one cache line */
#define TOP EQ_MAX_RUNGS /* locate(): after every rung */

_Static_assert(sizeof(eq_slot) <= SLOT_ALIGN, "a slot fits a cache line");

/* ---- slot table ------------------------------------------------------- */

/* Chain the slots [from, to) onto the free list, lowest first. */
static void free_range(eng_queue *q, uint32_t from, uint32_t to)
{
    for (uint32_t s = to; s-- > from;) {
        memset(&q->slot[s], 0, sizeof q->slot[s]);
        q->slot[s].next_free = q->free_top;
        q->free_top = s;
    }
}

/* Double the slot table. */
static void grow(eng_queue *q)
{
    uint32_t old = q->cap;
    uint32_t cap = old == 0 ? INITIAL_CAP : old * 2;
    void *mem;
    eq_slot *slot;

    HS_ASSERT(old < EQ_MAX_SLOTS);
    if (cap > EQ_MAX_SLOTS)
        cap = EQ_MAX_SLOTS;
    slot = eq_aligned(cap * sizeof *slot, SLOT_ALIGN, 0, &mem);
    if (old > 0)
        memcpy(slot, q->slot, old * sizeof *slot);
    free(q->slot_mem);
    q->slot_mem = mem;
    q->slot = slot;
    q->cap = cap;
    free_range(q, old, cap);
}

void eq_init(eng_queue *q)
{
    memset(q, 0, sizeof *q);
    eq_heap_init(&q->heap);
    q->free_top = EQ_NIL;
    q->heap_last = HS_TIME_MAX;
    grow(q);
}

static void list_clear(eng_queue *q, eq_list *l);

void eq_fini(eng_queue *q)
{
    for (unsigned r = 0; r < EQ_MAX_RUNGS; r++) {
        for (uint32_t b = 0; b < q->rung[r].nb_alloc; b++)
            list_clear(q, &q->rung[r].bucket[b]);
        free(q->rung[r].bucket);
    }
    list_clear(q, &q->top);
    while (q->nspare > 0)
        free(q->spare[--q->nspare]);
    free(q->spare);
    eq_heap_fini(&q->heap);
    free(q->slot_mem);
    memset(q, 0, sizeof *q);
}

uint32_t eq_alloc(eng_queue *q)
{
    uint32_t s;

    if (q->free_top == EQ_NIL)
        grow(q);
    s = q->free_top;
    q->free_top = q->slot[s].next_free;
    q->slot[s].gen++; /* even -> odd: pending */
    return s;
}

/* Return slot 's' to the free list; every handle to it is now stale,
 * and so is its entry, if still queued. */
static void release(eng_queue *q, uint32_t s)
{
    q->slot[s].gen++; /* odd -> even */
    q->slot[s].next_free = q->free_top;
    q->free_top = s;
}

uint32_t eq_lookup(const eng_queue *q, eng_event_id id)
{
    uint32_t s = (uint32_t)(id & UINT32_MAX);
    uint32_t gen = (uint32_t)(id >> 32);

    if ((gen & 1u) == 0 || s >= q->cap || q->slot[s].gen != gen)
        return EQ_NIL;
    return s;
}

/* True if the entry (k, s) is its slot's live entry. */
static bool live(const eng_queue *q, eq_key k, uint32_t s)
{
    const eq_slot *x = &q->slot[s];

    return (x->gen & 1u) & (x->key.ps == k.ps);
}

/* ---- chunked lists --------------------------------------------------- */

/* An empty chunk, from the pool if it has one.  The pool is a stack of
 * pointers, not a chain through the chunks, so that taking one does not
 * wait for the chunk to come from memory. */
static eq_chunk *chunk_get(eng_queue *q)
{
    eq_chunk *c;

    if (q->nspare > 0)
        c = q->spare[--q->nspare];
    else
        c = hs_malloc(sizeof *c);
    c->next = NULL;
    return c;
}

/* Give chunk c back to the pool. */
static void chunk_put(eng_queue *q, eq_chunk *c)
{
    if (q->nspare == q->spare_cap)
        hs_grow((void **)&q->spare, &q->spare_cap, q->nspare + 1,
                sizeof *q->spare);
    q->spare[q->nspare++] = c;
}

/* Entries in chunk c of list l. */
static uint32_t chunk_len(const eq_list *l, const eq_chunk *c)
{
    return c != l->tail ? EQ_CHUNK : (uint32_t)((l->len - 1) % EQ_CHUNK) + 1;
}

/* Give chunk c and the chunks chained after it back to the pool. */
static void chain_put(eng_queue *q, eq_chunk *c)
{
    while (c != NULL) {
        eq_chunk *next = c->next;

        chunk_put(q, c);
        c = next;
    }
}

/* Give the chunks of 'l' back to the pool; 'l' becomes empty. */
static void list_clear(eng_queue *q, eq_list *l)
{
    chain_put(q, l->head);
    l->head = l->tail = NULL;
    l->len = 0;
}

static void list_push(eng_queue *q, eq_list *l, eq_key k, uint32_t s)
{
    uint32_t i = (uint32_t)(l->len % EQ_CHUNK);
    eq_chunk *c = l->tail;

    if (i == 0) { /* empty, or the tail is full */
        eq_chunk *n = chunk_get(q);

        if (c == NULL)
            l->head = n;
        else
            c->next = n;
        l->tail = c = n;
    }
    c->e[i].key = k;
    c->e[i].slot = s;
    l->len++;
}

/* Drop the dead entries of 'l', keeping the order of the others; return
 * how many were dropped. */
static size_t list_compact(eng_queue *q, eq_list *l)
{
    eq_chunk *w = l->head; /* writing into w->e[n] */
    uint32_t n = 0;
    size_t kept = 0, dropped;

    for (eq_chunk *c = l->head; c != NULL; c = c->next)
        for (uint32_t i = 0; i < chunk_len(l, c); i++) {
            if (!live(q, c->e[i].key, c->e[i].slot))
                continue;
            if (n == EQ_CHUNK) {
                w = w->next;
                n = 0;
            }
            w->e[n++] = c->e[i];
            kept++;
        }
    dropped = l->len - kept;
    if (kept == 0) {
        list_clear(q, l);
        return dropped;
    }
    chain_put(q, w->next);
    w->next = NULL;
    l->tail = w;
    l->len = kept;
    return dropped;
}

/* ---- rungs ------------------------------------------------------------ */

/* Bucket of time t in rung r; nb or more: after the rung. */
static uint64_t bucket_of(const eq_rung *r, hs_time t)
{
    return (uint64_t)(t - r->base) >> r->shift;
}

/* The last time before bucket b of rung r, clamped to HS_TIME_MAX. */
static hs_time last_before(const eq_rung *r, uint64_t b)
{
    uint64_t start = (uint64_t)r->base + (b << r->shift);

    return start > (uint64_t)HS_TIME_MAX ? HS_TIME_MAX : (hs_time)start - 1;
}

/* The finest rung that covers time t (> heap_last), with its bucket in
 * '*b'; TOP when none does. */
static unsigned locate(const eng_queue *q, hs_time t, uint32_t *b)
{
    for (unsigned d = q->depth; d-- > 0;) {
        uint64_t k = bucket_of(&q->rung[d], t);

        if (k < q->rung[d].nb) {
            *b = (uint32_t)k;
            return d;
        }
    }
    *b = 0;
    return TOP;
}

/* Set rung r to 'nb' empty buckets of width 2^shift from 'base'. */
static void rung_reset(eq_rung *r, hs_time base, unsigned shift, uint32_t nb)
{
    if (nb > r->nb_alloc) {
        r->bucket = hs_realloc(r->bucket, nb * sizeof *r->bucket);
        memset(r->bucket + r->nb_alloc, 0,
               (nb - r->nb_alloc) * sizeof *r->bucket);
        r->nb_alloc = nb;
    }
    r->base = base;
    r->shift = shift;
    r->nb = nb;
    r->cur = 0;
    r->count = 0;
}

/* Move every entry of 'src' into the buckets of rung r.  Each chunk of
 * 'src' goes back to the pool as soon as it is read, to be reused at
 * once while it is still in the cache. */
static void rung_fill(eng_queue *q, eq_rung *r, eq_list *src)
{
    eq_chunk *c = src->head;

    r->count = src->len;
    while (c != NULL) {
        eq_chunk *next = c->next;
        uint32_t n = chunk_len(src, c);

        for (uint32_t i = 0; i < n; i++)
            list_push(q, &r->bucket[bucket_of(r, c->e[i].key.time)],
                      c->e[i].key, c->e[i].slot);
        chunk_put(q, c);
        c = next;
    }
    src->head = src->tail = NULL;
    src->len = 0;
}

/* Empty rung r, dropping its (dead) entries. */
static void rung_clear(eng_queue *q, eq_rung *r)
{
    for (uint32_t b = r->cur; b < r->nb; b++)
        list_clear(q, &r->bucket[b]);
    r->cur = r->nb;
    r->count = 0;
}

/* Earliest and latest time in 'top' (not empty). */
static void top_span(const eng_queue *q, hs_time *lo, hs_time *hi)
{
    *lo = *hi = q->top.head->e[0].key.time;
    for (const eq_chunk *c = q->top.head; c != NULL; c = c->next)
        for (uint32_t i = 0; i < chunk_len(&q->top, c); i++) {
            hs_time t = c->e[i].key.time;

            *lo = t < *lo ? t : *lo;
            *hi = t > *hi ? t : *hi;
        }
}

/* Spread 'top' (no rungs) over a new rung 0 of about BUCKET_TARGET
 * entries per bucket on average, covering its time span. */
static void spread_top(eng_queue *q)
{
    size_t want = q->top.len / BUCKET_TARGET;
    hs_time lo, hi;
    uint64_t span;
    unsigned shift = 0;

    top_span(q, &lo, &hi);
    span = (uint64_t)hi - (uint64_t)lo;
    want = want < 1 ? 1 : want > EQ_MAX_BUCKETS ? EQ_MAX_BUCKETS : want;
    while ((span >> shift) >= want)
        shift++;
    rung_reset(&q->rung[0], lo, shift, (uint32_t)(span >> shift) + 1);
    rung_fill(q, &q->rung[0], &q->top);
    q->depth = 1;
}

/* Spread bucket b of the finest rung (already consumed: cur > b) over a
 * new, finer rung covering exactly that bucket's time range. */
static void split(eng_queue *q, uint64_t b)
{
    eq_rung *parent = &q->rung[q->depth - 1];
    eq_list *l = &parent->bucket[b];
    unsigned k = 1; /* log2 of the new rung's bucket count */

    while (k < parent->shift && (l->len >> k) > BUCKET_TARGET &&
           (UINT32_C(1) << k) < EQ_MAX_BUCKETS)
        k++;
    rung_reset(&q->rung[q->depth], last_before(parent, b) + 1,
               parent->shift - k, UINT32_C(1) << k);
    rung_fill(q, &q->rung[q->depth], l);
    q->depth++;
}

/* ---- tiers ------------------------------------------------------------ */

/* Move every heap entry to 'top'. */
static void heap_to_top(eng_queue *q)
{
    for (uint32_t i = 0; i < q->heap.len; i++)
        list_push(q, &q->top, q->heap.key[i], q->heap.slot[i]);
    q->heap.len = 0;
}

/* The entry PREFETCH_AHEAD places after entry i of chunk c of list l, or
 * NULL. */
static const eq_entry *ahead(const eq_list *l, const eq_chunk *c, uint32_t i)
{
    uint32_t j = i + PREFETCH_AHEAD;

    if (j < chunk_len(l, c))
        return &c->e[j];
    if (c->next != NULL && j - EQ_CHUNK < chunk_len(l, c->next))
        return &c->next->e[j - EQ_CHUNK];
    return NULL;
}

/* Fill the empty heap with the live entries of list 'l', which becomes
 * empty, and drop its dead ones.  Checking liveness reads each event's
 * slot, which brings it into the cache before the event fires; doing it
 * here, for many events at once and prefetching a few entries ahead,
 * lets those memory accesses overlap. */
static void list_to_heap(eng_queue *q, eq_list *l)
{
    eq_heap *h = &q->heap;
    uint32_t n = 0;

    if (l->len > h->cap)
        eq_heap_reserve(h, (uint32_t)l->len);
    for (eq_chunk *c = l->head, *next; c != NULL; c = next) {
        uint32_t len = chunk_len(l, c);

        for (uint32_t i = 0; i < len; i++) {
            const eq_entry *a = ahead(l, c, i);

            if (a != NULL)
                PREFETCH(&q->slot[a->slot]);
            h->key[n] = c->e[i].key;
            h->slot[n] = c->e[i].slot;
            n += live(q, c->e[i].key, c->e[i].slot);
        }
        next = c->next;
        chunk_put(q, c);
    }
    q->dead -= l->len - n;
    h->len = n;
    l->head = l->tail = NULL;
    l->len = 0;
    eq_heap_build(h);
}

/* Become a plain heap holding what is live in 'top' (no rungs). */
static void become_plain(eng_queue *q)
{
    list_to_heap(q, &q->top);
    q->heap_last = HS_TIME_MAX;
    q->depth = 0;
}

/* The heap ran empty: move the next non-empty bucket of the finest rung
 * into it, splitting it first if it is large; drop exhausted rungs, and
 * spread 'top' when none is left.  There may be nothing live left in
 * what was moved. */
static void refill(eng_queue *q)
{
    for (;;) {
        eq_rung *r;
        eq_list *l;

        while (q->depth > 0 && q->rung[q->depth - 1].count == 0)
            q->depth--;
        if (q->depth == 0) {
            if (q->top.len <= PLAIN_MAX) {
                become_plain(q);
                return;
            }
            spread_top(q);
        }
        r = &q->rung[q->depth - 1];
        while (r->bucket[r->cur].len == 0)
            r->cur++;
        l = &r->bucket[r->cur++];
        r->count -= l->len;
        if (l->len > SPLIT_AT && r->shift > 0 && q->depth < EQ_MAX_RUNGS) {
            split(q, r->cur - 1);
            continue;
        }
        q->heap_last = last_before(r, r->cur);
        list_to_heap(q, l);
        return;
    }
}

/* Drop every entry: they are all dead.  Back to an empty plain heap. */
static void reset(eng_queue *q)
{
    for (unsigned d = 0; d < q->depth; d++)
        rung_clear(q, &q->rung[d]);
    q->heap.len = 0;
    list_clear(q, &q->top);
    q->dead = 0;
    q->depth = 0;
    q->heap_last = HS_TIME_MAX;
}

/* Restore I9: make the heap's root the next live entry. */
static void settle(eng_queue *q)
{
    for (;;) {
        if (q->pending == 0) {
            reset(q);
            return;
        }
        if (q->heap.len == 0) {
            refill(q);
        } else if (live(q, q->heap.key[0], q->heap.slot[0])) {
            return;
        } else {
            eq_heap_pop(&q->heap);
            q->dead--;
        }
    }
}

/* Drop the dead entries of the heap. */
static void heap_compact(eng_queue *q)
{
    eq_heap *h = &q->heap;
    uint32_t n = 0;

    for (uint32_t i = 0; i < h->len; i++) {
        h->key[n] = h->key[i];
        h->slot[n] = h->slot[i];
        n += live(q, h->key[i], h->slot[i]);
    }
    h->len = n;
    eq_heap_build(h);
}

/* Drop every dead entry; then restore I9. */
static void compact(eng_queue *q)
{
    for (unsigned d = 0; d < q->depth; d++) {
        eq_rung *r = &q->rung[d];

        for (uint32_t b = r->cur; b < r->nb; b++)
            r->count -= list_compact(q, &r->bucket[b]);
    }
    list_compact(q, &q->top);
    heap_compact(q);
    q->dead = 0;
    settle(q);
}

/* Queue the entry (k, s), which may be dead by the time it comes out. */
static void enqueue(eng_queue *q, eq_key k, uint32_t s)
{
    uint32_t b;
    unsigned d;

    if (k.time <= q->heap_last) {
        eq_heap_push(&q->heap, k, s);
        if (q->depth == 0 && q->heap.len > SPILL_AT) {
            heap_to_top(q);
            refill(q); /* spreads 'top', as it holds > PLAIN_MAX */
            settle(q);
        }
        return;
    }
    d = locate(q, k.time, &b);
    if (d == TOP) {
        list_push(q, &q->top, k, s);
    } else {
        list_push(q, &q->rung[d].bucket[b], k, s);
        q->rung[d].count++;
    }
}

void eq_insert(eng_queue *q, uint32_t s, eq_key k)
{
    q->slot[s].key = k;
    q->pending++;
    enqueue(q, k, s); /* cannot kill the root: settled */
}

void eq_move(eng_queue *q, uint32_t s, eq_key k)
{
    q->slot[s].key = k; /* the old entry is dead from now on */
    q->dead++;
    enqueue(q, k, s);
    settle(q);
    if (q->dead > (size_t)q->pending + DEAD_SLACK)
        compact(q);
}

void eq_pop(eng_queue *q, eq_slot *e)
{
    uint32_t s = q->heap.slot[0];

    *e = q->slot[s];
    eq_heap_pop(&q->heap);
    q->pending--;
    release(q, s);
    settle(q);
}

void eq_cancel(eng_queue *q, uint32_t s)
{
    q->pending--;
    q->dead++;
    release(q, s);
    settle(q);
    if (q->dead > (size_t)q->pending + DEAD_SLACK)
        compact(q);
}

/* ---- checker ---------------------------------------------------------- */

typedef struct checker {
    const eng_queue *q;
    hs_time now;
    uint64_t next_seq;
    unsigned char *seen; /* cap flags: slot's live entry found, or free */
    size_t live;         /* live entries found */
    size_t dead;         /* dead entries found */
    FILE *why;
} checker;

static bool broken(const checker *c, const char *what, size_t at)
{
    if (c->why != NULL)
        fprintf(c->why, "eng_check: %s violated at %zu\n", what, at);
    return false;
}

/* I6 and I7 for the entry (k, s) at index j of some tier. */
static bool check_entry(checker *c, eq_key k, uint32_t s, size_t j)
{
    const eng_queue *q = c->q;

    if (s >= q->cap || k.time < c->now)
        return broken(c, "I7 entry slot and time", j);
    if (!live(q, k, s)) {
        c->dead++;
        return true;
    }
    if (c->seen[s] || q->slot[s].key.time != k.time)
        return broken(c, "I6 one live entry per slot", j);
    if (q->slot[s].fn == NULL || (k.ps & EQ_SEQ_MASK) >= c->next_seq)
        return broken(c, "I7 handler and sequence", j);
    c->seen[s] = 1;
    c->live++;
    return true;
}

/* I2, I3, I6, I7 and I9 for the heap. */
static bool check_heap(checker *c)
{
    const eq_heap *h = &c->q->heap;

    for (uint32_t i = 0; i < h->len; i++) {
        if (!check_entry(c, h->key[i], h->slot[i], i))
            return false;
        if (h->key[i].time > c->q->heap_last)
            return broken(c, "I3 heap time", i);
    }
    if (eq_heap_bad(h) != h->len)
        return broken(c, "I2 heap order", eq_heap_bad(h));
    if (h->len > 0 && !live(c->q, h->key[0], h->slot[0]))
        return broken(c, "I9 live root", 0);
    return true;
}

/* I4, I6 and I7 for list 'l', which is bucket b of rung d (d == TOP: the
 * top list). */
static bool check_list(checker *c, const eq_list *l, unsigned d, uint32_t b)
{
    size_t j = 0;

    if ((l->head == NULL) != (l->len == 0))
        return broken(c, "I1 list chunks", 0);
    for (const eq_chunk *k = l->head; k != NULL; k = k->next) {
        if (j >= l->len || (k->next == NULL) != (k == l->tail))
            return broken(c, "I1 list chunks", j);
        for (uint32_t i = 0; i < chunk_len(l, k); i++, j++) {
            hs_time t = k->e[i].key.time;
            uint32_t tb;

            if (!check_entry(c, k->e[i].key, k->e[i].slot, j))
                return false;
            if (t <= c->q->heap_last || locate(c->q, t, &tb) != d || tb != b)
                return broken(c, "I4 bucket time", j);
        }
    }
    if (j != l->len)
        return broken(c, "I1 list length", j);
    return true;
}

/* I1 (count), I4 (buckets in use) and I5 (contiguity) for rung d. */
static bool check_rung(const checker *c, unsigned d, size_t *total)
{
    const eng_queue *q = c->q;
    const eq_rung *r = &q->rung[d];
    size_t n = 0;

    if (r->nb > r->nb_alloc || r->cur > r->nb || r->nb > EQ_MAX_BUCKETS)
        return broken(c, "I1 rung shape", d);
    for (uint32_t b = 0; b < r->nb_alloc; b++) {
        if (r->bucket[b].len > 0 && (b < r->cur || b >= r->nb))
            return broken(c, "I4 bucket in use", b);
        n += r->bucket[b].len;
    }
    if (n != r->count)
        return broken(c, "I1 rung count", d);
    if (last_before(r, r->cur) !=
        (d + 1 == q->depth ? q->heap_last
                           : last_before(&q->rung[d + 1], q->rung[d + 1].nb)))
        return broken(c, "I5 contiguous tiers", d);
    *total += n;
    return true;
}

/* I1, I4, I5, I6 (bound), I9 (emptiness), I10: all but the entries. */
static bool check_shape(const checker *c)
{
    const eng_queue *q = c->q;
    size_t n = q->heap.len + q->top.len;

    if (q->depth > EQ_MAX_RUNGS)
        return broken(c, "I1 depth", q->depth);
    for (unsigned d = 0; d < q->depth; d++)
        if (!check_rung(c, d, &n))
            return false;
    if (n != q->pending + q->dead || q->pending > q->cap ||
        q->cap > EQ_MAX_SLOTS)
        return broken(c, "I1 counts", n);
    if (q->dead > (size_t)q->pending + DEAD_SLACK)
        return broken(c, "I6 dead entries bound", q->dead);
    if ((q->pending > 0) != (q->heap.len > 0))
        return broken(c, "I9 heap holds the next event", q->heap.len);
    if (q->depth == 0 && (q->heap_last != HS_TIME_MAX || q->top.len != 0))
        return broken(c, "I10 plain heap", q->top.len);
    return true;
}

/* I6 (every pending slot has its entry) and I8; run after the tiers. */
static bool check_slots(checker *c)
{
    const eng_queue *q = c->q;
    size_t n = 0;

    if (c->live != q->pending || c->dead != q->dead)
        return broken(c, "I6 live and dead counts", c->live);
    for (uint32_t s = q->free_top; s != EQ_NIL; s = q->slot[s].next_free) {
        if (s >= q->cap || c->seen[s] || (q->slot[s].gen & 1u) != 0)
            return broken(c, "I8 free list", n);
        c->seen[s] = 1;
        n++;
    }
    if (n != (size_t)(q->cap - q->pending))
        return broken(c, "I8 free list length", n);
    return true;
}

/* I2-I9 for every entry of every tier, then the slots. */
static bool check_entries(checker *c)
{
    const eng_queue *q = c->q;
    bool ok = check_heap(c);

    for (unsigned d = 0; ok && d < q->depth; d++)
        for (uint32_t b = q->rung[d].cur; ok && b < q->rung[d].nb; b++)
            ok = check_list(c, &q->rung[d].bucket[b], d, b);
    ok = ok && check_list(c, &q->top, TOP, 0);
    return ok && check_slots(c);
}

bool eq_check(const eng_queue *q, hs_time now, uint64_t next_seq, FILE *why)
{
    checker c = {q, now, next_seq, NULL, 0, 0, why};
    bool ok;

    if (!check_shape(&c))
        return false;
    c.seen = hs_calloc(q->cap, 1);
    ok = check_entries(&c);
    free(c.seen);
    return ok;
}
