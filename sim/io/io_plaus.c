/*
 * io_plaus.c -- plausibility of a scenario's hardware, links and memory
 * pools: each physical quantity has a documented range
 * (docs/scenario.md, "Plausible ranges") that every device, link and
 * pool built or announced so far lies well inside; a value outside it is
 * accepted, as a what-if may want one, but warned about where its entry
 * is defined ("s.yaml:9:3: warning: hardware.h100.mem_bandwidth: ...").
 * A value the simulation cannot represent is an error elsewhere: a
 * quantity that is not a finite number (hs_parse_quantity), a device so
 * slow that one prefill step overflows simulated time (srv_build.c).
 *
 * The ranges (loose on purpose: a warning should mean a typo or a unit
 * off by 1000, not a new product):
 *   mem_capacity   1 GB .. 100 TB   (HBM parts hold 16-288 GB; wafer-scale
 *                                    and CXL-backed parts a few TB)
 *   mem_bandwidth  10 GB/s .. 100 PB/s (HBM3e ~8 TB/s; on-wafer SRAM
 *                                    ~21 PB/s, Cerebras WSE-3, as its
 *                                    maker publishes)
 *   peak_flops     1 GFLOP/s .. 10 EFLOP/s per format (WSE-3 ~125 PFLOP/s)
 *   power          1 W .. 100 kW (a GPU 300-1200 W; WSE-3 ~23 kW)
 *   cost_per_hour  0 .. 10,000 USD
 *   link bandwidth 1 MB/s .. 100 TB/s (NVLink 5: 1.8 TB/s per GPU)
 *   link latency   0 .. 10 ms (a datacenter round trip is microseconds)
 *   energy_per_bit 0 .. 1 nJ (links spend a few pJ per bit)
 *   pool capacity  1 GB .. 1 EB; pool bandwidth as a link's; pool
 *                  latency as a link's
 */
#include "hetsim/io.h"

#include <stdio.h>

#include "hetsim/cost.h"

/* One quantity's plausible range, in SI units. */
typedef struct plaus {
    const char *key;
    double lo, hi;
    const char *unit; /* for the message */
} plaus;

static const plaus P_MEM_BYTES = {"mem_capacity", 1e9, 1e14, "B"};
static const plaus P_MEM_BW = {"mem_bandwidth", 1e10, 1e17, "B/s"};
static const plaus P_FLOPS = {"peak_flops", 1e9, 1e19, "FLOP/s"};
static const plaus P_POWER = {"power", 1, 1e5, "W"};
static const plaus P_COST = {"cost_per_hour", 0, 1e4, "USD"};
static const plaus P_LINK_BW = {"bandwidth", 1e6, 1e14, "B/s"};
static const plaus P_LATENCY = {"latency", 0, 1e-2, "s"};
static const plaus P_EPB = {"energy_per_bit", 0, 1e-9, "J"};
static const plaus P_POOL_BYTES = {"capacity", 1e9, 1e18, "B"};

/* Warn at 'at' about 'v' when it is outside 'p'; 'section' and 'name'
 * make the key path ("hardware" "h100" -> hardware.h100.mem_bandwidth),
 * 'sub' a format within it (peak_flops.bf16) or NULL. */
static void check(hs_diag *d, hs_loc at, const char *section, const char *name,
                  const plaus *p, const char *sub, double v)
{
    char key[256];
    hs_diag_item it = {0};
    char msg[256];

    if (v >= p->lo && v <= p->hi)
        return;
    snprintf(key, sizeof key, "%s.%s.%s%s%s", section, name, p->key,
             sub != NULL ? "." : "", sub != NULL ? sub : "");
    snprintf(msg, sizeof msg,
             "%g %s is outside the plausible range [%g, %g] %s: a unit "
             "off by a factor of 1000? (docs/scenario.md, Plausible ranges)",
             v, p->unit, p->lo, p->hi, p->unit);
    it.severity = HS_SEV_WARNING;
    it.code = HS_OK;
    it.loc = at;
    it.key = key;
    it.message = msg;
    hs_diag_add(d, &it);
}

static void check_device(hs_diag *d, const sc_hardware *h)
{
    const cost_device *dev = &h->dev;

    check(d, h->loc, "hardware", h->name, &P_MEM_BYTES, NULL, dev->mem_bytes);
    check(d, h->loc, "hardware", h->name, &P_MEM_BW, NULL, dev->mem_bw);
    for (int t = 0; t < COST_N_DTYPES; t++)
        if (dev->peak_flops[t] > 0)
            check(d, h->loc, "hardware", h->name, &P_FLOPS,
                  cost_dtype_name((cost_dtype)t), dev->peak_flops[t]);
    check(d, h->loc, "hardware", h->name, &P_POWER, NULL, dev->power_busy_w);
    check(d, h->loc, "hardware", h->name, &P_COST, NULL, dev->cost_per_hour);
}

static void check_link(hs_diag *d, const sc_link *l)
{
    check(d, l->loc, "links", l->name, &P_LINK_BW, NULL, l->link.bandwidth);
    check(d, l->loc, "links", l->name, &P_LATENCY, NULL, l->link.latency_s);
    check(d, l->loc, "links", l->name, &P_EPB, NULL, l->link.energy_per_bit);
}

static void check_pool(hs_diag *d, const sc_pool *p)
{
    check(d, p->loc, "memory_pools", p->name, &P_POOL_BYTES, NULL,
          p->capacity_bytes);
    check(d, p->loc, "memory_pools", p->name, &P_LINK_BW, NULL, p->bandwidth);
    check(d, p->loc, "memory_pools", p->name, &P_LATENCY, NULL, p->latency_s);
}

void io_scenario_plausibility(const sc_scenario *sc, hs_diag *d)
{
    for (size_t i = 0; i < sc->n_hardware; i++)
        check_device(d, &sc->hardware[i]);
    for (size_t i = 0; i < sc->n_links; i++)
        check_link(d, &sc->links[i]);
    for (size_t i = 0; i < sc->n_pools; i++)
        check_pool(d, &sc->pools[i]);
}
