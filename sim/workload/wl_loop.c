/*
 * wl_loop.c -- the machinery shared by the closed-loop session sources
 * (wl_agent.c, wl_replay.c): a binary min-heap of the calls due later,
 * ordered by (arrival, session_id), and a hash table from session id to
 * the slot that holds the session's state in the owner's arrays.
 *
 * The table uses open addressing with linear probing and backward-shift
 * deletion (no tombstones), at a load of at most 1/2, so lookups stay
 * O(1) expected however many sessions come and go.  Everything grows
 * geometrically to the peak number of active sessions and is then
 * reused: no allocation once warmed up.  Invariants: workload_int.h.
 */
#include "workload_int.h"

#include <stdlib.h>
#include <string.h>

bool wl_due_before(hs_time ta, int64_t ia, hs_time tb, int64_t ib)
{
    return ta != tb ? ta < tb : ia < ib;
}

static bool before(const wl_due *a, const wl_due *b)
{
    return wl_due_before(a->arrival, a->session_id, b->arrival, b->session_id);
}

void wl_loop_init(wl_loop *l)
{
    memset(l, 0, sizeof *l);
}

void wl_loop_fini(wl_loop *l)
{
    if (l == NULL)
        return;
    free(l->heap);
    free(l->keys);
    free(l->slots);
    free(l->free_slots);
    memset(l, 0, sizeof *l);
}

/* ---- the table ---------------------------------------------------------- */

/* Home bucket of 'id' (the splitmix64 finaliser spreads nearby ids). */
static size_t home(const wl_loop *l, int64_t id)
{
    uint64_t z = (uint64_t)id + UINT64_C(0x9e3779b97f4a7c15);

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return (size_t)(z ^ (z >> 31)) & (l->table_cap - 1);
}

/* Bucket holding 'id', or the empty bucket where it would go. */
static size_t probe(const wl_loop *l, int64_t id)
{
    size_t i = home(l, id);

    while (l->slots[i] != WL_NO_SLOT && l->keys[i] != id)
        i = (i + 1) & (l->table_cap - 1);
    return i;
}

static void put(wl_loop *l, int64_t id, uint32_t slot)
{
    size_t i = probe(l, id);

    l->keys[i] = id;
    l->slots[i] = slot;
}

/* Double the table (16 buckets at first) and re-insert everything. */
static void grow_table(wl_loop *l)
{
    size_t old_cap = l->table_cap;
    int64_t *old_keys = l->keys;
    uint32_t *old_slots = l->slots;

    l->table_cap = old_cap == 0 ? 16 : 2 * old_cap;
    l->keys = hs_malloc(l->table_cap * sizeof *l->keys);
    l->slots = hs_malloc(l->table_cap * sizeof *l->slots);
    for (size_t i = 0; i < l->table_cap; i++)
        l->slots[i] = WL_NO_SLOT;
    for (size_t i = 0; i < old_cap; i++)
        if (old_slots[i] != WL_NO_SLOT)
            put(l, old_keys[i], old_slots[i]);
    free(old_keys);
    free(old_slots);
}

uint32_t wl_loop_find(const wl_loop *l, int64_t id)
{
    if (l->table_cap == 0)
        return WL_NO_SLOT;
    return l->slots[probe(l, id)];
}

static uint32_t new_slot(wl_loop *l)
{
    if (l->n_free > 0)
        return l->free_slots[--l->n_free];
    HS_ASSERT(l->n_slots < WL_NO_SLOT - 1);
    return l->n_slots++;
}

uint32_t wl_loop_add(wl_loop *l, int64_t id)
{
    uint32_t slot;

    if (wl_loop_find(l, id) != WL_NO_SLOT)
        return WL_NO_SLOT;
    if (2 * (l->n_active + 1) > l->table_cap)
        grow_table(l);
    slot = new_slot(l);
    put(l, id, slot);
    l->n_active++;
    return slot;
}

void wl_loop_remove(wl_loop *l, int64_t id)
{
    size_t mask = l->table_cap - 1;
    size_t hole, i;

    HS_ASSERT(l->table_cap > 0);
    hole = probe(l, id);
    HS_ASSERT(l->slots[hole] != WL_NO_SLOT);
    hs_grow((void **)&l->free_slots, &l->cap_free, l->n_free + 1,
            sizeof *l->free_slots);
    l->free_slots[l->n_free++] = l->slots[hole];
    l->slots[hole] = WL_NO_SLOT;
    l->n_active--;
    /* Backward shift: move later members of the cluster into the hole
     * when their home bucket does not lie strictly after the hole. */
    for (i = (hole + 1) & mask; l->slots[i] != WL_NO_SLOT;
         i = (i + 1) & mask) {
        size_t h = home(l, l->keys[i]);

        if (((i - h) & mask) >= ((i - hole) & mask)) {
            l->keys[hole] = l->keys[i];
            l->slots[hole] = l->slots[i];
            l->slots[i] = WL_NO_SLOT;
            hole = i;
        }
    }
}

/* ---- the heap ----------------------------------------------------------- */

void wl_loop_push(wl_loop *l, hs_time arrival, int64_t id, uint32_t slot)
{
    size_t i = l->n_heap++;
    wl_due e = {arrival, id, slot};

    hs_grow((void **)&l->heap, &l->cap_heap, l->n_heap, sizeof *l->heap);
    while (i > 0 && before(&e, &l->heap[(i - 1) / 2])) {
        l->heap[i] = l->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    l->heap[i] = e;
}

const wl_due *wl_loop_top(const wl_loop *l)
{
    return l->n_heap > 0 ? &l->heap[0] : NULL;
}

wl_due wl_loop_pop(wl_loop *l)
{
    wl_due top, last;
    size_t i = 0, n;

    HS_ASSERT(l->n_heap > 0);
    top = l->heap[0];
    last = l->heap[--l->n_heap];
    n = l->n_heap;
    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= n)
            break;
        if (c + 1 < n && before(&l->heap[c + 1], &l->heap[c]))
            c++;
        if (!before(&l->heap[c], &last))
            break;
        l->heap[i] = l->heap[c];
        i = c;
    }
    if (n > 0)
        l->heap[i] = last;
    return top;
}

/* ---- checking ----------------------------------------------------------- */

bool wl_loop_check(const wl_loop *l, const char **why)
{
    const char *broken = NULL;
    size_t seen = 0;

    for (size_t i = 1; i < l->n_heap && broken == NULL; i++)
        if (before(&l->heap[i], &l->heap[(i - 1) / 2]))
            broken = "I1 heap order";
    for (size_t i = 0; i < l->n_heap && broken == NULL; i++)
        if (wl_loop_find(l, l->heap[i].session_id) != l->heap[i].slot)
            broken = "I2 heap entry of an inactive session";
    for (size_t i = 0; i < l->table_cap && broken == NULL; i++) {
        if (l->slots[i] == WL_NO_SLOT)
            continue;
        seen++;
        if (l->slots[i] >= l->n_slots ||
            wl_loop_find(l, l->keys[i]) != l->slots[i])
            broken = "I3 table entry unreachable or out of range";
    }
    if (broken == NULL && seen != l->n_active)
        broken = "I3 active count";
    if (why != NULL)
        *why = broken;
    return broken == NULL;
}
