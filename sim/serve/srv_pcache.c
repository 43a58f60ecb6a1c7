/*
 * srv_pcache.c -- the prefix cache of one instance: KV blocks of prompt
 * prefixes, addressed by content id, shared by the requests that use
 * them and evicted least-recently-used first when memory runs short.
 *
 * An entry holds the KV of one prefix block (P tokens: 512 for Mooncake
 * hash ids, the KV block size for agent sessions), i.e. 'nblk' KV
 * blocks of the instance.  Entries live in a pool (stable indexes, free
 * list) found through an open-addressing table of indexes (linear
 * probing, backward-shift deletion, so no tombstones).
 *
 * Invariants (srv_pcache_check):
 *   C1  every live entry is found by its id, and the table holds no
 *       other index;
 *   C2  the LRU list holds exactly the live entries with refs == 0, in
 *       non-decreasing last_use order;
 *   C3  held_blocks == sum of nblk over live entries.
 * All operations are O(1) expected; the table doubles at half load.
 */
#include "serve_int.h"

#include <stdlib.h>
#include <string.h>

#define NONE (-1)

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    return x ^ (x >> 33);
}

void srv_pcache_init(srv_pcache *c)
{
    memset(c, 0, sizeof *c);
    c->lru_head = c->lru_tail = NONE;
    c->free_head = NONE;
}

void srv_pcache_fini(srv_pcache *c)
{
    free(c->table);
    free(c->ent);
    memset(c, 0, sizeof *c);
}

static void table_put(srv_pcache *c, int64_t e)
{
    size_t mask = c->table_cap - 1;
    size_t i = (size_t)mix64(c->ent[e].id) & mask;

    while (c->table[i] != NONE)
        i = (i + 1) & mask;
    c->table[i] = e;
}

static void table_grow(srv_pcache *c)
{
    size_t cap = c->table_cap == 0 ? 64 : c->table_cap * 2;

    free(c->table);
    c->table = hs_malloc(cap * sizeof *c->table);
    for (size_t i = 0; i < cap; i++)
        c->table[i] = NONE;
    c->table_cap = cap;
    for (int64_t e = 0; e < c->n_ent; e++)
        if (c->ent[e].live)
            table_put(c, e);
}

int64_t srv_pcache_find(const srv_pcache *c, uint64_t id)
{
    size_t mask, i;

    if (c->table_cap == 0)
        return NONE;
    mask = c->table_cap - 1;
    for (i = (size_t)mix64(id) & mask; c->table[i] != NONE; i = (i + 1) & mask)
        if (c->ent[c->table[i]].id == id)
            return c->table[i];
    return NONE;
}

/* Remove entry 'e' from the table: backward-shift deletion. */
static void table_remove(srv_pcache *c, int64_t e)
{
    size_t mask = c->table_cap - 1;
    size_t i = (size_t)mix64(c->ent[e].id) & mask;
    size_t j;

    while (c->table[i] != e)
        i = (i + 1) & mask;
    for (j = (i + 1) & mask; c->table[j] != NONE; j = (j + 1) & mask) {
        size_t home = (size_t)mix64(c->ent[c->table[j]].id) & mask;

        /* Move j back to i unless its home lies cyclically in (i, j]. */
        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
            c->table[i] = c->table[j];
            i = j;
        }
    }
    c->table[i] = NONE;
}

static void lru_unlink(srv_pcache *c, int64_t e)
{
    srv_pentry *x = &c->ent[e];

    if (x->prev != NONE)
        c->ent[x->prev].next = x->next;
    else
        c->lru_head = x->next;
    if (x->next != NONE)
        c->ent[x->next].prev = x->prev;
    else
        c->lru_tail = x->prev;
    x->prev = x->next = NONE;
}

static void lru_append(srv_pcache *c, int64_t e)
{
    srv_pentry *x = &c->ent[e];

    x->prev = c->lru_tail;
    x->next = NONE;
    if (c->lru_tail != NONE)
        c->ent[c->lru_tail].next = e;
    else
        c->lru_head = e;
    c->lru_tail = e;
}

int64_t srv_pcache_insert(srv_pcache *c, uint64_t id, int64_t nblk)
{
    int64_t e;

    if ((size_t)(c->n_live + 1) * 2 > c->table_cap)
        table_grow(c);
    if (c->free_head != NONE) {
        e = c->free_head;
        c->free_head = c->ent[e].next;
    } else {
        hs_grow((void **)&c->ent, &c->cap_ent, (size_t)c->n_ent + 1,
                sizeof *c->ent);
        e = c->n_ent++;
    }
    memset(&c->ent[e], 0, sizeof c->ent[e]);
    c->ent[e].id = id;
    c->ent[e].nblk = nblk;
    c->ent[e].refs = 1;
    c->ent[e].live = true;
    c->ent[e].prev = c->ent[e].next = NONE;
    table_put(c, e);
    c->n_live++;
    c->held_blocks += nblk;
    return e;
}

void srv_pcache_pin(srv_pcache *c, int64_t e)
{
    if (c->ent[e].refs++ == 0)
        lru_unlink(c, e);
}

void srv_pcache_unpin(srv_pcache *c, int64_t e, hs_time now)
{
    HS_ASSERT(c->ent[e].refs > 0);
    c->ent[e].last_use = now;
    if (--c->ent[e].refs == 0)
        lru_append(c, e);
}

hs_time srv_pcache_oldest(const srv_pcache *c)
{
    return c->lru_head == NONE ? HS_TIME_MAX : c->ent[c->lru_head].last_use;
}

void srv_pcache_remove(srv_pcache *c, int64_t e)
{
    HS_ASSERT(c->ent[e].live && c->ent[e].refs == 0);
    lru_unlink(c, e);
    table_remove(c, e);
    c->ent[e].live = false;
    c->ent[e].next = c->free_head;
    c->free_head = e;
    c->n_live--;
    c->held_blocks -= c->ent[e].nblk;
}

int64_t srv_pcache_evict(srv_pcache *c, uint64_t *id)
{
    int64_t e = c->lru_head, nblk;

    if (e == NONE)
        return 0;
    nblk = c->ent[e].nblk;
    if (id != NULL)
        *id = c->ent[e].id;
    srv_pcache_remove(c, e);
    c->evictions++;
    return nblk;
}

bool srv_pcache_check(const srv_pcache *c, FILE *why)
{
    int64_t live = 0, held = 0, unpinned = 0, in_lru = 0;
    hs_time last = INT64_MIN;
    const char *broken = NULL;

    for (int64_t e = 0; e < c->n_ent; e++) {
        if (!c->ent[e].live)
            continue;
        live++;
        held += c->ent[e].nblk;
        unpinned += c->ent[e].refs == 0;
        if (srv_pcache_find(c, c->ent[e].id) != e)
            broken = "C1 entry not found by its id";
    }
    for (int64_t e = c->lru_head; e != NONE; e = c->ent[e].next) {
        in_lru++;
        if (c->ent[e].refs != 0 || c->ent[e].last_use < last)
            broken = "C2 LRU list";
        last = c->ent[e].last_use;
    }
    if (live != c->n_live || in_lru != unpinned)
        broken = broken != NULL ? broken : "C2 LRU membership";
    if (held != c->held_blocks)
        broken = "C3 held blocks";
    if (broken != NULL && why != NULL)
        fprintf(why, "srv_pcache_check: %s\n", broken);
    return broken == NULL;
}
