/*
 * srv_pool.c -- the memory pool's traffic on the cluster's network
 * (hw_net, max-min fair): the pool is one resource (its bandwidth), and
 * every instance that uses it has a port on the pool's link (link
 * bandwidth x efficiency x tp: each GPU reads its own KV heads over its
 * own link, as split mode's KV ports).  In split mode, when the pool is
 * reached over the KV transfer link, an instance's pool port is its KV
 * port, so pool reads and KV hand-offs share it.
 *
 * A step's reads (pool-resident KV, offload's fetches) are one transfer
 * over [port, pool]: the step is applied when it ends
 * (srv_inst_link_done), so a pool's bandwidth is shared by the
 * instances reading at that moment, not split in advance.  Offloads are
 * written in the background, one transfer at a time per instance (the
 * bytes offloaded while one is on the link go together in the next), so
 * that an agent run's hundreds of thousands of offloads stay a bounded
 * number of transfers in flight.  Pool transfers carry no energy in the
 * network: the pool's energy is its bytes' (srv_stats.c).
 */
#include "serve_int.h"

#include "hetsim/hw.h"

/* A transfer's tag: the instance and whether it writes. */
static uint64_t tag_of(int inst, bool write)
{
    return (uint64_t)inst * 2 + (write ? 1 : 0);
}

static void start(srv_sim *s, int inst, double bytes, bool write);

static void on_done(void *ctx, uint64_t tag, hs_time t0, hs_time t1)
{
    srv_sim *s = ctx;
    srv_inst *in = &s->insts[tag / 2];

    (void)t0;
    (void)t1;
    if (in->pool_port == in->port && s->sc->cluster.mode == SC_MODE_SPLIT)
        s->pool_shared_bytes += in->pool_move_bytes[tag % 2];
    if (tag % 2 == 0) {
        srv_inst_link_done(in);
        return;
    }
    in->wr_busy = false;
    if (in->wr_pending > 0) {
        double bytes = in->wr_pending;

        in->wr_pending = 0;
        start(s, in->idx, bytes, true);
    }
}

static void start(srv_sim *s, int inst, double bytes, bool write)
{
    srv_inst *in = &s->insts[inst];
    int res[2] = {in->pool_port, s->pool_res};

    in->pool_move_bytes[write ? 1 : 0] = bytes;
    if (write)
        in->wr_busy = true;
    hw_net_start(s->net, res, 2, bytes, 0, on_done, s, tag_of(inst, write));
}

void srv_pool_move(srv_sim *s, int inst, double bytes, bool write)
{
    srv_inst *in = &s->insts[inst];

    if (write && in->wr_busy) {
        in->wr_pending += bytes;
        return;
    }
    start(s, inst, bytes, write);
}

/* The port of instance 'in' on the pool's link. */
static int port_of(srv_sim *s, srv_inst *in, int link)
{
    const sc_link *l = &s->sc->links[link];
    char name[160];

    if (s->sc->cluster.mode == SC_MODE_SPLIT &&
        link == s->sc->cluster.kv_transfer_link)
        return in->port;
    snprintf(name, sizeof name, "%s.%s", in->name, l->name);
    return hw_net_add(s->net, name,
                      l->link.bandwidth * l->link.efficiency * in->ctx.tp,
                      l->link.latency_s);
}

void srv_pool_build(srv_sim *s, const srv_kvpol_ops *ops)
{
    const sc_pool *pool = s->pool;
    const sc_link *l = &s->sc->links[pool->link];

    if (s->net == NULL)
        s->net = hw_net_new(s->eng);
    /* The pool's own latency after the link's: the largest on the path,
     * so a transfer pays both once (hw.h). */
    s->pool_res = hw_net_add(s->net, pool->name, pool->bandwidth,
                             pool->latency_s + l->link.latency_s);
    for (int i = 0; i < s->n_insts; i++)
        if (ops->applies(s->insts[i].kind, s->insts[i].caching))
            s->insts[i].pool_port = port_of(s, &s->insts[i], pool->link);
}
