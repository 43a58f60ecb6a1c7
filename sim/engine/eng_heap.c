/*
 * eng_heap.c -- the 4-ary min-heap at the bottom of the event queue.
 *
 * Entries are (key, slot) in two parallel arrays: sifting compares keys
 * only, and the four children of node i, key[4i+1 .. 4i+4], share one
 * 64-byte cache line (the key array starts three entries past a line
 * boundary).  The heap keeps no back-index: the queue cancels lazily
 * (see engine_int.h), so an entry never has to be found in the heap.
 *
 * Invariant (checked by eq_heap_bad(), part of eng_check()):
 *   H1  !eq_before(key[i], key[(i - 1) / 4])          for 0 < i < len
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

#define ARITY 4
#define LINE 64      /* cache line size assumed by the layout */
#define KEY_OFFSET 3 /* key[1] starts a cache line */

void *eq_aligned(size_t bytes, size_t align, size_t offset, void **mem)
{
    uintptr_t p;

    *mem = hs_malloc(bytes + align + offset);
    p = (uintptr_t)*mem;
    p = (p + align - 1) & ~(uintptr_t)(align - 1);
    return (char *)*mem + (p - (uintptr_t)*mem) + offset;
}

void eq_heap_init(eq_heap *h)
{
    memset(h, 0, sizeof *h);
}

void eq_heap_fini(eq_heap *h)
{
    free(h->key_mem);
    free(h->slot);
    memset(h, 0, sizeof *h);
}

void eq_heap_reserve(eq_heap *h, uint32_t cap)
{
    void *mem;
    eq_key *key;

    if (cap <= h->cap)
        return;
    key = eq_aligned(cap * sizeof *key, LINE, KEY_OFFSET * sizeof *key, &mem);
    if (h->len > 0)
        memcpy(key, h->key, h->len * sizeof *key);
    free(h->key_mem);
    h->key_mem = mem;
    h->key = key;
    h->slot = hs_realloc(h->slot, cap * sizeof *h->slot);
    h->cap = cap;
}

/* Put (k, s) at index i. */
static inline void place(eq_heap *h, size_t i, eq_key k, uint32_t s)
{
    h->key[i] = k;
    h->slot[i] = s;
}

/* Fill the hole at i with (k, s), moving it towards the root. */
static void sift_up(eq_heap *h, size_t i, eq_key k, uint32_t s)
{
    while (i > 0) {
        size_t p = (i - 1) / ARITY;

        if (!eq_before(k, h->key[p]))
            break;
        place(h, i, h->key[p], h->slot[p]);
        i = p;
    }
    place(h, i, k, s);
}

/* Index of the earliest of the 'n' (1..4) entries starting at 'c'. */
static inline size_t min_child(const eq_key *key, size_t c, size_t n)
{
    size_t m = c;

    if (n == ARITY) {
        /* a tournament in arithmetic, not branches: the outcome of each
         * comparison is a coin toss the predictor cannot learn */
        size_t a = c + eq_before(key[c + 1], key[c]);
        size_t b = c + 2 + eq_before(key[c + 3], key[c + 2]);

        return a + ((b - a) & ((size_t)0 - eq_before(key[b], key[a])));
    }
    for (size_t j = c + 1; j < c + n; j++)
        if (eq_before(key[j], key[m]))
            m = j;
    return m;
}

/* Index of the earliest child of i, or 0 when i is a leaf. */
static inline size_t first_child(const eq_heap *h, size_t i)
{
    size_t c = ARITY * i + 1;

    if (c >= h->len)
        return 0;
    return min_child(h->key, c, h->len - c < ARITY ? h->len - c : ARITY);
}

/* Fill the hole at i with (k, s), moving it away from the root. */
static void sift_down(eq_heap *h, size_t i, eq_key k, uint32_t s)
{
    size_t m;

    while ((m = first_child(h, i)) != 0 && eq_before(h->key[m], k)) {
        place(h, i, h->key[m], h->slot[m]);
        i = m;
    }
    place(h, i, k, s);
}

/* Move the hole at the root down to a leaf along the earliest children,
 * then fill it with (k, s) moving up.  The entry that fills the root's
 * hole comes from the bottom and nearly always belongs there, so this
 * saves comparing it at every level on the way down (Wegener's
 * bottom-up heapsort). */
static void sift_hole(eq_heap *h, eq_key k, uint32_t s)
{
    size_t i = 0;
    size_t m;

    while ((m = first_child(h, i)) != 0) {
        place(h, i, h->key[m], h->slot[m]);
        i = m;
    }
    sift_up(h, i, k, s);
}

void eq_heap_push(eq_heap *h, eq_key k, uint32_t s)
{
    if (h->len == h->cap)
        eq_heap_reserve(h, h->cap < 32 ? 64 : 2 * h->cap);
    sift_up(h, h->len++, k, s);
}

void eq_heap_pop(eq_heap *h)
{
    uint32_t n;

    HS_ASSERT(h->len > 0);
    n = --h->len;
    if (n > 0)
        sift_hole(h, h->key[n], h->slot[n]);
}

void eq_heap_build(eq_heap *h)
{
    size_t i = h->len;

    if (i < 2)
        return;
    for (i = (i - 2) / ARITY + 1; i-- > 0;)
        sift_down(h, i, h->key[i], h->slot[i]);
}

uint32_t eq_heap_bad(const eq_heap *h)
{
    for (uint32_t i = 1; i < h->len; i++)
        if (eq_before(h->key[i], h->key[(i - 1) / ARITY]))
            return i;
    return h->len;
}
