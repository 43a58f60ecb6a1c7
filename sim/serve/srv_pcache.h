/*
 * srv_pcache.h -- private to sim/serve: a prefix cache, the KV blocks of
 * prompt prefixes addressed by content id, shared by the requests that
 * use them and evicted least-recently-used first.  An instance has one
 * in device memory; the offload policy keeps a second one for the
 * instance's share of a memory pool (kvpol_offload.c).
 *
 * An entry holds the KV of one prefix block (P tokens: 512 for Mooncake
 * hash ids, the KV block size for agent sessions), i.e. 'nblk' KV
 * blocks.  Entries live in a pool (stable indexes, free list) found
 * through the tree's hash table (hs_table: id -> entry index).
 *
 * Invariants (srv_pcache_check):
 *   C1  every live entry is found by its id, and the table holds no
 *       other entry;
 *   C2  the LRU list holds exactly the live entries with refs == 0, in
 *       non-decreasing last_use order;
 *   C3  held_blocks == sum of nblk over live entries.
 * All operations are O(1) expected.
 */
#ifndef HETSIM_SRV_PCACHE_H
#define HETSIM_SRV_PCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hetsim/util.h"

typedef struct srv_pentry {
    uint64_t id;
    int64_t nblk; /* KV blocks it holds */
    int32_t refs; /* requests using it; 0 = evictable (in the LRU) */
    bool live;
    hs_time last_use;   /* when it was last released */
    int64_t prev, next; /* LRU links (or free list: next) */
} srv_pentry;

typedef struct srv_pcache {
    srv_pentry *ent;
    int64_t n_ent;
    size_t cap_ent;
    int64_t free_head;
    hs_table table; /* id -> entry index */
    int64_t n_live;
    int64_t lru_head, lru_tail; /* oldest first */
    int64_t held_blocks;
    int64_t evictions;
} srv_pcache;

void srv_pcache_init(srv_pcache *c);
void srv_pcache_fini(srv_pcache *c);
/* Entry index of 'id', or -1. */
int64_t srv_pcache_find(const srv_pcache *c, uint64_t id);
/* A new entry for 'id' (absent), pinned once; returns its index. */
int64_t srv_pcache_insert(srv_pcache *c, uint64_t id, int64_t nblk);
void srv_pcache_pin(srv_pcache *c, int64_t e);
void srv_pcache_unpin(srv_pcache *c, int64_t e, hs_time now);
/* Last use of the least recently used evictable entry, or HS_TIME_MAX. */
hs_time srv_pcache_oldest(const srv_pcache *c);
/* Evict the least recently used evictable entry; returns the blocks it
 * freed (0 when none is evictable) and its id in '*id' (may be NULL). */
int64_t srv_pcache_evict(srv_pcache *c, uint64_t *id);
/* Remove evictable entry 'e'. */
void srv_pcache_remove(srv_pcache *c, int64_t e);
bool srv_pcache_check(const srv_pcache *c, FILE *why);

#endif /* HETSIM_SRV_PCACHE_H */
