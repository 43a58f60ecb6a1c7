/*
 * srv_pcache.c -- the prefix cache: entries, their LRU list and their
 * table (srv_pcache.h).
 */
#include "srv_pcache.h"

#include <stdlib.h>
#include <string.h>

#define NONE (-1)

void srv_pcache_init(srv_pcache *c)
{
    memset(c, 0, sizeof *c);
    hs_table_init(&c->table);
    c->lru_head = c->lru_tail = NONE;
    c->free_head = NONE;
}

void srv_pcache_fini(srv_pcache *c)
{
    hs_table_fini(&c->table);
    free(c->ent);
    memset(c, 0, sizeof *c);
}

int64_t srv_pcache_find(const srv_pcache *c, uint64_t id)
{
    uint64_t e;

    return hs_table_get(&c->table, id, &e) ? (int64_t)e : NONE;
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
    hs_table_put(&c->table, id, (uint64_t)e);
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
    hs_table_del(&c->table, c->ent[e].id);
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
    if (live != c->n_live || (int64_t)c->table.n != live)
        broken = broken != NULL ? broken : "C1 table size";
    if (live != c->n_live || in_lru != unpinned)
        broken = broken != NULL ? broken : "C2 LRU membership";
    if (held != c->held_blocks)
        broken = "C3 held blocks";
    if (broken != NULL && why != NULL)
        fprintf(why, "srv_pcache_check: %s\n", broken);
    return broken == NULL;
}
