/*
 * hw_int.h -- private to sim/hw (and its unit tests): the structs of the
 * transfer network of hw_net.c.
 *
 * Resources are an array indexed by what hw_net_add() returned.
 * Transfers live in a slot pool (array grown by doubling, free list
 * threaded through 'next_free'), so their storage is reused and steady
 * state does not allocate; a slot's resource list keeps its capacity
 * across reuse for the same reason.  The array 'act' lists the slots of
 * the active transfers in increasing transfer id: every pass over the
 * transfers walks it, so the order of rate sums, completions and
 * callbacks is a function of the ids alone, never of addresses.
 *
 * Lifecycle of a transfer (slot states):
 *
 *   hw_net_start() ----> LATENT --(latency ends: on_due)--+
 *        |                                                 v
 *        +--(latency rounds to 0 ns)-----------------> FLOWING
 *                                                          |
 *   FREE <--(drain ends: on_due; its callback is queued)---+
 *
 * on_due() frees the slots of the transfers it completes before it
 * calls their callbacks (from 'fin'), so a callback sees a consistent
 * network and may start transfers, reusing those slots.
 *
 * Invariants (checked by hw_net_check()):
 *   I1  'act' holds exactly the non-free slots, in strictly increasing
 *       id; every id is in 1..next_id.
 *   I2  A LATENT transfer has rate 0; a FLOWING one has rate > 0 and
 *       0 <= remaining <= bytes.
 *   I3  Every active transfer has exactly one pending engine event, at
 *       'due': the end of its latency (LATENT) or the end of its drain
 *       at its current rate (FLOWING); due >= now.
 *   I4  res[r].n_flowing is the number of FLOWING transfers crossing r;
 *       when it is > 0, r has been busy since busy_since <= now.
 *   I5  No resource carries more than its bandwidth (sum of the rates
 *       of the transfers crossing it), to a relative 1e-9.
 *   I6  Max-min fairness: every FLOWING transfer crosses a saturated
 *       resource on which no transfer has a higher rate (to 1e-9).
 *   I7  'remaining' is up to date at time 'last' (<= now); it is
 *       brought to now before any rate changes.
 */
#ifndef HETSIM_HW_INT_H
#define HETSIM_HW_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hetsim/engine.h"
#include "hetsim/hw.h"
#include "hetsim/util.h"

#define HW_NIL UINT32_MAX /* end of the free list */

typedef enum hw_xfer_state {
    HW_XF_FREE = 0,
    HW_XF_LATENT, /* waiting for its latency to elapse */
    HW_XF_FLOWING /* in the fair share, draining */
} hw_xfer_state;

/* One resource: a port or a link direction. */
typedef struct hw_res {
    char *name;        /* owned */
    double bandwidth;  /* B/s, > 0 */
    double latency_s;  /* >= 0 */
    double bytes_done; /* bytes of completed transfers that crossed it */
    hs_time busy_ns;   /* closed busy intervals */
    hs_time busy_since;
    int64_t n_flowing;
    /* Scratch of the progressive filling (fill() in hw_net.c); valid
     * only for the resources listed in hw_net.used. */
    double frozen_sum; /* rates of the frozen transfers crossing it */
    int64_t n_unfrozen;
    size_t adj_off, adj_len; /* its flowing transfers in hw_net.adj */
} hw_res;

/* An entry of fill()'s heap: a resource and its share when pushed. */
typedef struct hw_share {
    double share;
    int res;
} hw_share;

/* One transfer, in a slot of the pool. */
typedef struct hw_xfer {
    uint64_t id; /* > 0 while active, 0 when free */
    hw_xfer_state state;
    int *res; /* owned; capacity kept across slot reuse */
    int n_res;
    size_t res_cap;
    double bytes;     /* total size */
    double remaining; /* bytes still to drain, as of hw_net.last */
    double rate;      /* B/s while FLOWING, 0 while LATENT */
    double prev_rate; /* scratch of fill(): the rate before it */
    double epb;       /* J per bit */
    hs_time start;
    hs_time due; /* time of its pending event */
    eng_event_id ev;
    hw_done_fn done;
    void *ctx;
    uint64_t tag;
    bool is_frozen;     /* scratch of fill() */
    uint32_t next_free; /* free-list link while FREE */
} hw_xfer;

/* A done callback to make, queued while the network is updated. */
typedef struct hw_done_call {
    hw_done_fn done;
    void *ctx;
    uint64_t tag;
    hs_time start;
} hw_done_call;

struct hw_net {
    eng_sim *eng; /* borrowed */
    hw_res *res;
    size_t n_res, res_cap;
    hw_xfer *xf; /* slot pool */
    size_t n_xf, xf_cap;
    uint32_t free_head;
    uint32_t *act; /* active slots, increasing id */
    size_t n_act, act_cap;
    hw_done_call *fin; /* scratch: callbacks due in one event */
    size_t fin_cap;
    /* Scratch of fill(), grown by doubling and kept: */
    int *used; /* resources crossed by flowing transfers */
    size_t n_used, used_cap;
    uint32_t *adj; /* per used resource, its flowing slots (id order) */
    size_t adj_cap;
    hw_share *heap; /* resources by share */
    size_t n_heap, heap_cap;
    hs_time last;     /* see I7 */
    uint64_t next_id; /* ids handed out so far */
    double energy_j;
};

#endif /* HETSIM_HW_INT_H */
