/*
 * engine_int.h -- private to sim/engine (and its unit tests): the slot
 * table, the tiered queue of pending events and the simulation struct.
 *
 * Slots.  Each pending event owns a slot of the slot table: 64 bytes,
 * one cache line, holding what the event does (handler, target, arg,
 * kind), when it fires and its key, and a generation count.  An
 * eng_event_id is (generation << 32 | slot).  A slot's generation is odd
 * while its event is pending and even while the slot is free; it is
 * bumped on schedule and on fire/cancel.  A handle is valid exactly when
 * its generation equals the slot's current one, and ENG_NO_EVENT
 * (generation 0) never is.  A stale handle could only alias after the
 * same slot was reused 2^31 times.
 *
 * Entries.  The queue holds 24-byte entries (key, slot), where the key
 * is (time, prio << 56 | seq).  An entry is live when its slot is
 * pending and the slot's key has the entry's sequence number; cancelling
 * or rescheduling an event only updates its slot, which leaves the old
 * entry dead where it is.  Dead entries are dropped when they reach the
 * heap, and all at once when they outnumber the live ones, so cancel is
 * O(1) amortised and moving entries never touches the slot table.
 *
 * Tiers.  Every entry is in exactly one tier; the tiers partition time,
 * earliest first, so all entries of one time share one:
 *
 *   heap      time <= heap_last    4-ary min-heap in exact order; its
 *                                  root is the next event to fire
 *   rung[d-1] the next times       buckets of equal power-of-two width,
 *   ...                            each an unsorted list; each deeper
 *   rung[0]                        rung subdivides one bucket of the
 *                                  rung above it
 *   top       the latest times     one unsorted list
 *
 * While the queue is small it is a plain heap (depth 0, heap_last ==
 * HS_TIME_MAX, top empty).  When the heap outgrows a threshold its
 * content is spilled to 'top'.  Whenever the heap runs empty, the next
 * non-empty bucket of the finest rung is heapified into it -- or, if that
 * bucket is big, spread over a new, finer rung first; when the rungs run
 * out, 'top' is spread over a new rung 0.  This is the ladder queue of
 * Tang, Goh and Thng (2005) with a heap as its bottom rung.  Each entry
 * is moved a bounded number of times, the heap stays small enough for
 * the cache, the lists are walked sequentially, and the one random
 * access per event -- its slot -- happens when its bucket is heapified,
 * many at a time, which lets the memory system overlap them.
 *
 * The heap keeps keys and slots in parallel arrays, so that sifting
 * compares one cache line of keys per level: the key array is offset so
 * that the four children of a node, key[4i+1 .. 4i+4], fill one line.
 */
#ifndef HETSIM_ENGINE_INT_H
#define HETSIM_ENGINE_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hetsim/engine.h"

#define EQ_NIL UINT32_MAX /* "no slot" in the free list */
#define EQ_SEQ_BITS 56    /* ps = prio << EQ_SEQ_BITS | seq */
#define EQ_SEQ_MASK ((UINT64_C(1) << EQ_SEQ_BITS) - 1)
#define EQ_MAX_SLOTS (UINT32_MAX / 4u) /* slot table capacity limit */
#define EQ_MAX_RUNGS 16
#define EQ_MAX_BUCKETS 16384 /* per rung */

/* The ordering key of an entry. */
typedef struct eq_key {
    hs_time time;
    uint64_t ps; /* prio in the top 8 bits, sequence number below */
} eq_key;

/* One slot of the slot table: 64 bytes, 64-byte aligned. */
typedef struct eq_slot {
    eng_handler fn;
    void *target;
    uint64_t arg;
    eq_key key; /* of the live entry, while pending */
    uint32_t kind;
    uint32_t gen;       /* odd: pending; even: free */
    uint32_t next_free; /* while free: the next free slot or EQ_NIL */
    uint32_t unused[3];
} eq_slot;

/* An entry of the queue. */
typedef struct eq_entry {
    eq_key key;
    uint32_t slot;
} eq_entry;

/* A 4-ary min-heap of (key, slot) in parallel arrays. */
typedef struct eq_heap {
    void *key_mem; /* allocation behind 'key' (over-sized to align) */
    eq_key *key;
    uint32_t *slot;
    uint32_t len;
    uint32_t cap;
} eq_heap;

/* An unsorted list of entries: a chain of fixed-size chunks taken from
 * and given back to the queue's pool, so that lists never reallocate and
 * the memory they hold is bounded by the entries queued. */
#define EQ_CHUNK 64 /* entries per chunk */

typedef struct eq_chunk {
    struct eq_chunk *next;
    eq_entry e[EQ_CHUNK];
} eq_chunk;

/* All chunks but the last are full, so 'len' says how full each is. */
typedef struct eq_list {
    eq_chunk *head;
    eq_chunk *tail;
    size_t len;
} eq_list;

/* A rung: 'nb' buckets of width 2^shift ns from 'base'; the buckets
 * before 'cur' have been consumed. */
typedef struct eq_rung {
    eq_list *bucket; /* nb_alloc lists, of which [cur, nb) in use */
    uint32_t nb;
    uint32_t cur;
    uint32_t nb_alloc;
    unsigned shift;
    hs_time base;
    size_t count; /* entries in the buckets */
} eq_rung;

typedef struct eng_queue {
    /* the slot table */
    void *slot_mem; /* allocation behind 'slot' (over-sized to align) */
    eq_slot *slot;  /* 'cap' slots */
    uint32_t cap;
    uint32_t free_top; /* head of the free-slot list, EQ_NIL if empty */
    uint32_t pending;  /* live entries (pending events) */
    size_t dead;       /* dead entries still queued */
    /* the tiers, earliest first */
    eq_heap heap;
    hs_time heap_last; /* latest time the heap may hold */
    unsigned depth;    /* rungs in use; rung[depth-1] is the finest */
    eq_rung rung[EQ_MAX_RUNGS];
    eq_list top;
    eq_chunk **spare; /* the pool of free chunks, a stack */
    size_t nspare;
    size_t spare_cap;
} eng_queue;

struct eng_sim {
    eng_queue q;
    hs_time now;
    uint64_t next_seq;          /* sequence number of the next schedule */
    uint64_t fired;             /* events fired so far */
    volatile sig_atomic_t stop; /* set by eng_stop(), read by eng_run() */
    eng_observer observer;      /* called after every event, or NULL */
    void *observer_ctx;
};

/* True if key 'a' fires before key 'b' (time, then prio, then seq).
 * Times are never negative, so where the compiler has a 128-bit integer
 * the key compares as one number: no branch to mispredict, which
 * matters because heap comparisons are unpredictable by nature. */
#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 eq_u128;

static inline eq_u128 eq_wide(eq_key k)
{
    return (eq_u128)(uint64_t)k.time << 64 | k.ps;
}

static inline bool eq_before(eq_key a, eq_key b)
{
    return eq_wide(a) < eq_wide(b);
}
#else
static inline bool eq_before(eq_key a, eq_key b)
{
    return a.time < b.time || (a.time == b.time && a.ps < b.ps);
}
#endif

static inline eng_event_id eq_make_id(uint32_t gen, uint32_t slot)
{
    return (uint64_t)gen << 32 | slot;
}

/* Allocate 'bytes' plus slack in '*mem' and return the first address in
 * it that is 'offset' past a multiple of 'align' (a power of two). */
void *eq_aligned(size_t bytes, size_t align, size_t offset, void **mem);

/* ---- eng_heap.c: the 4-ary heap --------------------------------------- */

void eq_heap_init(eq_heap *h);
void eq_heap_fini(eq_heap *h);
/* Make room for 'cap' entries (never shrinks). */
void eq_heap_reserve(eq_heap *h, uint32_t cap);
/* Insert (k, s), growing by doubling if full.  O(log n). */
void eq_heap_push(eq_heap *h, eq_key k, uint32_t s);
/* Remove the minimum (len > 0). */
void eq_heap_pop(eq_heap *h);
/* Restore heap order over all 'len' entries.  O(n). */
void eq_heap_build(eq_heap *h);
/* Index of the first entry out of heap order, or h->len when none. */
uint32_t eq_heap_bad(const eq_heap *h);

/* ---- eng_queue.c: the slot table and the tiers ------------------------ */

void eq_init(eng_queue *q);
void eq_fini(eng_queue *q);

/* Take a free slot (growing the table by doubling if none) and mark it
 * pending (generation odd).  The caller fills in fn, target, arg and
 * kind and then queues it with eq_insert. */
uint32_t eq_alloc(eng_queue *q);
/* Slot of the pending event 'id', or EQ_NIL when 'id' is stale or
 * invalid. */
uint32_t eq_lookup(const eng_queue *q, eng_event_id id);

/* Queue the newly allocated slot 's' with key 'k'.  O(log n). */
void eq_insert(eng_queue *q, uint32_t s, eq_key k);
/* Queue pending slot 's' again with the new key 'k' (a new sequence
 * number); its old entry becomes dead.  O(log n) amortised. */
void eq_move(eng_queue *q, uint32_t s, eq_key k);
/* Unqueue the next event (pending > 0), copy its slot to '*e' and free
 * the slot.  O(log n) amortised. */
void eq_pop(eng_queue *q, eq_slot *e);
/* Cancel pending slot 's' and free it.  O(1) amortised. */
void eq_cancel(eng_queue *q, uint32_t s);

/* Verify the queue invariants (see eng_queue.c); pending events must not
 * be earlier than 'now' nor have a sequence number >= 'next_seq'. */
bool eq_check(const eng_queue *q, hs_time now, uint64_t next_seq, FILE *why);

#endif /* HETSIM_ENGINE_INT_H */
