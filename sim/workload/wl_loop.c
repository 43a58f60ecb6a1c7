/*
 * wl_loop.c -- the machinery shared by the closed-loop session sources
 * (wl_agent.c, wl_replay.c): a binary min-heap of the calls due later,
 * ordered by (arrival, session_id), and the tree's hash table (hs_table)
 * from session id to the slot that holds the session's state in the
 * owner's arrays.
 *
 * Everything grows geometrically to the peak number of active sessions
 * and is then reused: no allocation once warmed up.  Invariants:
 * workload_int.h.
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
    hs_table_init(&l->active);
}

void wl_loop_fini(wl_loop *l)
{
    if (l == NULL)
        return;
    free(l->heap);
    hs_table_fini(&l->active);
    free(l->free_slots);
    memset(l, 0, sizeof *l);
}

/* ---- the table ---------------------------------------------------------- */

uint32_t wl_loop_find(const wl_loop *l, int64_t id)
{
    uint64_t slot;

    if (!hs_table_get(&l->active, (uint64_t)id, &slot))
        return WL_NO_SLOT;
    return (uint32_t)slot;
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

    HS_ASSERT(id >= 0);
    if (wl_loop_find(l, id) != WL_NO_SLOT)
        return WL_NO_SLOT;
    slot = new_slot(l);
    hs_table_put(&l->active, (uint64_t)id, slot);
    return slot;
}

void wl_loop_remove(wl_loop *l, int64_t id)
{
    uint32_t slot = wl_loop_find(l, id);

    HS_ASSERT(slot != WL_NO_SLOT);
    hs_table_del(&l->active, (uint64_t)id);
    hs_grow((void **)&l->free_slots, &l->cap_free, l->n_free + 1,
            sizeof *l->free_slots);
    l->free_slots[l->n_free++] = slot;
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

/* I3: each active session has its own slot, below n_slots and not free,
 * and every slot is either active or free.  'owner' is scratch, one entry
 * per slot. */
static const char *check_slots(const wl_loop *l, uint8_t *owner)
{
    uint64_t key, slot;
    size_t pos = 0;

    for (size_t i = 0; i < l->n_free; i++) {
        if (l->free_slots[i] >= l->n_slots || owner[l->free_slots[i]] != 0)
            return "I3 free slot out of range or listed twice";
        owner[l->free_slots[i]] = 1;
    }
    while (hs_table_next(&l->active, &pos, &key, &slot)) {
        if (slot >= l->n_slots || owner[slot] != 0)
            return "I3 active slot out of range, shared or free";
        owner[slot] = 2;
    }
    if (l->active.n + l->n_free != l->n_slots)
        return "I3 slots neither active nor free";
    return NULL;
}

bool wl_loop_check(const wl_loop *l, const char **why)
{
    const char *broken = NULL;
    uint8_t *owner = hs_calloc((size_t)l->n_slots + 1, 1);

    for (size_t i = 1; i < l->n_heap && broken == NULL; i++)
        if (before(&l->heap[i], &l->heap[(i - 1) / 2]))
            broken = "I1 heap order";
    for (size_t i = 0; i < l->n_heap && broken == NULL; i++)
        if (wl_loop_find(l, l->heap[i].session_id) != l->heap[i].slot)
            broken = "I2 heap entry of an inactive session";
    if (broken == NULL)
        broken = check_slots(l, owner);
    if (broken == NULL)
        (void)hs_table_check(&l->active, &broken); /* I4 */
    free(owner);
    if (why != NULL)
        *why = broken;
    return broken == NULL;
}
