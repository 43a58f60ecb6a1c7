/*
 * hs_table.c -- the tree's one hash table: open addressing from 64-bit
 * keys to 64-bit values, linear probing, backward-shift deletion, keyed
 * through hs_mix64 (util.h).  Users: the prefix cache (block id -> entry),
 * serve's session totals and the closed-loop session table of workload/
 * (session -> slot), the sink's per-instance step counters (name hash).
 */
#include "hetsim/util.h"

#include <stdlib.h>
#include <string.h>

uint64_t hs_hash_str(const char *s)
{
    uint64_t h = 0;
    size_t len = strlen(s), n = len;

    while (n >= 8) {
        uint64_t w;

        memcpy(&w, s, 8);
        h = hs_mix64(h ^ w);
        s += 8;
        n -= 8;
    }
    if (n > 0) {
        uint64_t w = 0;

        memcpy(&w, s, n);
        h = hs_mix64(h ^ w);
    }
    return hs_mix64(h ^ (uint64_t)len);
}

void hs_table_init(hs_table *t)
{
    memset(t, 0, sizeof *t);
}

void hs_table_fini(hs_table *t)
{
    free(t->keys);
    free(t->vals);
    memset(t, 0, sizeof *t);
}

static size_t home(const hs_table *t, uint64_t key)
{
    return (size_t)hs_mix64(key) & (t->cap - 1);
}

/* The bucket holding 'key', or the empty bucket where it would go. */
static size_t probe(const hs_table *t, uint64_t key)
{
    size_t i = home(t, key);

    while (t->keys[i] != HS_TABLE_NOKEY && t->keys[i] != key)
        i = (i + 1) & (t->cap - 1);
    return i;
}

/* Double the table (16 buckets at first) and re-insert everything. */
static void grow(hs_table *t)
{
    hs_table old = *t;

    t->cap = old.cap == 0 ? 16 : old.cap * 2;
    t->keys = hs_malloc(t->cap * sizeof *t->keys);
    t->vals = hs_malloc(t->cap * sizeof *t->vals);
    for (size_t i = 0; i < t->cap; i++)
        t->keys[i] = HS_TABLE_NOKEY;
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i] != HS_TABLE_NOKEY) {
            size_t j = probe(t, old.keys[i]);

            t->keys[j] = old.keys[i];
            t->vals[j] = old.vals[i];
        }
    free(old.keys);
    free(old.vals);
}

bool hs_table_get(const hs_table *t, uint64_t key, uint64_t *val)
{
    size_t i;

    if (t->cap == 0)
        return false;
    i = probe(t, key);
    if (t->keys[i] == HS_TABLE_NOKEY)
        return false;
    if (val != NULL)
        *val = t->vals[i];
    return true;
}

void hs_table_put(hs_table *t, uint64_t key, uint64_t val)
{
    size_t i;

    HS_ASSERT(key != HS_TABLE_NOKEY);
    if (2 * (t->n + 1) > t->cap)
        grow(t);
    i = probe(t, key);
    if (t->keys[i] == HS_TABLE_NOKEY) {
        t->keys[i] = key;
        t->n++;
    }
    t->vals[i] = val;
}

bool hs_table_del(hs_table *t, uint64_t key)
{
    size_t mask, i, j;

    if (t->cap == 0)
        return false;
    mask = t->cap - 1;
    i = probe(t, key);
    if (t->keys[i] == HS_TABLE_NOKEY)
        return false;
    /* Backward shift: move up every later entry of the run whose home is
     * not between the hole and itself (cyclically). */
    for (j = (i + 1) & mask; t->keys[j] != HS_TABLE_NOKEY;
         j = (j + 1) & mask) {
        size_t h = home(t, t->keys[j]);

        if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
            t->keys[i] = t->keys[j];
            t->vals[i] = t->vals[j];
            i = j;
        }
    }
    t->keys[i] = HS_TABLE_NOKEY;
    t->n--;
    return true;
}

bool hs_table_next(const hs_table *t, size_t *pos, uint64_t *key,
                   uint64_t *val)
{
    while (*pos < t->cap) {
        size_t i = (*pos)++;

        if (t->keys[i] != HS_TABLE_NOKEY) {
            *key = t->keys[i];
            *val = t->vals[i];
            return true;
        }
    }
    return false;
}

bool hs_table_check(const hs_table *t, const char **why)
{
    size_t n = 0;

    for (size_t i = 0; i < t->cap; i++) {
        if (t->keys[i] == HS_TABLE_NOKEY)
            continue;
        n++;
        if (probe(t, t->keys[i]) != i) {
            *why = "T1 key not found from its home bucket";
            return false;
        }
    }
    if (n != t->n || 2 * t->n > t->cap) {
        *why = "T2 count or load";
        return false;
    }
    return true;
}
