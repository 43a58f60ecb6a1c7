/*
 * kvpol_pool_resident.c -- the "pool-resident" KV pool policy: every
 * instance that decodes keeps its weights in device memory and its KV
 * cache in its share of a memory pool, streamed over the pool's link at
 * every step.  The stream overlaps the device's work layer by layer, so
 * a step takes the longer of the two, plus the pool's latency once;
 * 'link' bound when the stream is the longer.  The pool's capacity and
 * bandwidth are split evenly among those instances (a static share:
 * streams do not contend dynamically, docs/disaggregation.md).
 */
#include "srv_host.h"

typedef struct resident {
    double bw;        /* B/s this instance streams at */
    double latency_s; /* added once per step */
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
    p->bw = share->bw;
    p->latency_s = share->latency_s;
    blocks = (int64_t)(share->bytes / srv_host_block_bytes(in));
    srv_host_set_remote_kv(in, blocks);
    if (blocks < 1)
        return hs_diag_error(d, share->loc,
                             "cluster.kv_pool: instance '%s': its share of "
                             "the pool holds no KV block",
                             srv_host_name(in));
    return HS_OK;
}

static void adjust(void *st, cost_step *step)
{
    const resident *p = st;

    srv_step_add_link(step, step->kv_bytes, p->bw, p->latency_s);
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
    .adjust = adjust,
    .recorded = recorded,
    .totals = totals,
};
