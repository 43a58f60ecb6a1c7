/*
 * srv_req.c -- the request pool (slabs and a free list) and prefix-block
 * ids; see srv_req.h.
 */
#include "srv_req.h"

#include "hetsim/workload.h"

#include <stdlib.h>
#include <string.h>

#define SLAB_REQS 1024

uint64_t srv_req_block_id(const srv_req *r, int64_t i)
{
    if (r->ids != NULL)
        return (uint64_t)r->ids[i] + 1; /* 0 is never an id */
    /* A derived id (an agent session's context block i): the same in
     * every call of the session, as the workload names it. */
    return wl_prefix_block_id(&(const wl_prefix){.key = r->prefix_key}, i);
}

void srv_reqpool_init(srv_reqpool *p)
{
    memset(p, 0, sizeof *p);
}

void srv_reqpool_fini(srv_reqpool *p)
{
    for (size_t i = 0; i < p->n_slabs; i++)
        free(p->slabs[i]);
    free(p->slabs);
    for (int c = 0; c < SRV_ID_CLASSES; c++)
        while (p->id_pool[c] != NULL) {
            void *next;

            memcpy(&next, p->id_pool[c], sizeof next);
            free(p->id_pool[c]);
            p->id_pool[c] = next;
        }
    memset(p, 0, sizeof *p);
}

srv_req *srv_req_new(srv_reqpool *p)
{
    srv_req *r = p->free_reqs;

    if (r == NULL) {
        srv_req *slab = hs_calloc(SLAB_REQS, sizeof *slab);

        hs_grow((void **)&p->slabs, &p->cap_slabs, p->n_slabs + 1,
                sizeof *p->slabs);
        p->slabs[p->n_slabs++] = slab;
        for (size_t i = SLAB_REQS; i-- > 0;) {
            slab[i].next = p->free_reqs;
            p->free_reqs = &slab[i];
        }
        r = p->free_reqs;
    }
    p->free_reqs = r->next;
    memset(r, 0, sizeof *r);
    return r;
}

/* A buffer of at least 'n' ids, recycled by size class (2^class ids), so
 * that Mooncake requests cost no allocation once the pool is warm. */
static uint32_t *ids_alloc(srv_reqpool *p, size_t n, int32_t *cls)
{
    int32_t c = 4;
    void *buf;

    while (((size_t)1 << c) < n)
        c++;
    HS_ASSERT(c < SRV_ID_CLASSES);
    *cls = c;
    buf = p->id_pool[c];
    if (buf == NULL)
        return hs_malloc(((size_t)1 << c) * sizeof(uint32_t));
    memcpy(&p->id_pool[c], buf, sizeof(void *)); /* next free buffer */
    return buf;
}

void srv_req_set_ids(srv_reqpool *p, srv_req *r, const uint32_t *ids, size_t n)
{
    r->ids = ids_alloc(p, n, &r->ids_class);
    memcpy(r->ids, ids, n * sizeof *r->ids);
    r->n_ids = (int64_t)n;
}

void srv_req_free(srv_reqpool *p, srv_req *r)
{
    if (r->ids != NULL) {
        memcpy(r->ids, &p->id_pool[r->ids_class], sizeof(void *));
        p->id_pool[r->ids_class] = r->ids;
    }
    r->ids = NULL;
    r->next = p->free_reqs;
    p->free_reqs = r;
}
