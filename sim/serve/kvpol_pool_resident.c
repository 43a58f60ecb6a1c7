/*
 * kvpol_pool_resident.c -- the "pool-resident" KV pool policy: every
 * instance that decodes keeps its weights in device memory and its KV
 * cache in its share of a memory pool, streamed over the pool's link at
 * every step, layer by layer, each layer's read paying the latency and
 * overlapped with the previous layer's compute at most (srv_step.c);
 * 'link' bound when the reads are the longer.  The pool's capacity is
 * split evenly among those instances; its bandwidth is shared by the
 * reads on the cluster's network at each moment (docs/network.md).
 */
#include "srv_host.h"

typedef struct resident {
    double streamed_bytes;
} resident;

static bool decodes(srv_kind kind, bool caching)
{
    (void)caching;
    return kind != SRV_KIND_PREFILL;
}

static int attach(srv_inst *in, void *st, const srv_pool_share *share,
                  hs_diag *d)
{
    resident *p = st;
    int64_t blocks;

    if (srv_host_local_kv_bytes(in) < 0)
        return hs_diag_error(d, share->loc,
                             "cluster.kv_pool: instance '%s': weights and "
                             "workspace do not fit its own memory",
                             srv_host_name(in));
    (void)p;
    blocks = (int64_t)(share->bytes / srv_host_block_bytes(in));
    srv_host_set_remote_kv(in, blocks);
    if (blocks < 1)
        return hs_diag_error(d, share->loc,
                             "cluster.kv_pool: instance '%s': its share of "
                             "the pool holds no KV block",
                             srv_host_name(in));
    return HS_OK;
}

/* Every step reads the KV it attends to from the pool, layer by layer. */
static void traffic(void *st, const cost_step *step, srv_link_use *use)
{
    (void)st;
    use->bytes = step->kv_bytes;
    use->per_layer = true;
}

/* The step streamed its KV: reported to the cluster, which adds streams
 * up per interval. */
static void recorded(srv_inst *in, void *st, const cost_step *step,
                     hs_time start, hs_time end)
{
    resident *p = st;
    srv_pool_xfer x = {SRV_XFER_STREAM, -1, step->kv_bytes, start, end};

    p->streamed_bytes += step->kv_bytes;
    if (step->kv_bytes > 0)
        srv_host_pool_xfer(in, &x);
}

static void totals(const void *st, srv_pool_totals *t)
{
    const resident *p = st;

    t->streamed_bytes += p->streamed_bytes;
}

const srv_kvpol_ops srv_kvpol_pool_resident = {
    .name = "pool-resident",
    .size = sizeof(resident),
    .remote_kv = true,
    .applies = decodes,
    .attach = attach,
    .traffic = traffic,
    .recorded = recorded,
    .totals = totals,
};
