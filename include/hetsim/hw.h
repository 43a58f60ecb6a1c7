/*
 * hw.h -- data movement between devices: a network of shared resources
 * (link ports, fabric ports, a memory pool's port) over which transfers
 * run concurrently, each resource's bandwidth shared max-min fairly among
 * the transfers that cross it, recomputed whenever a transfer starts or
 * ends, with every transfer's completion event rescheduled accordingly.
 * Contention is simulated, not assumed away.
 *
 * A transfer of B bytes over resources R1..Rk (for example the egress
 * port of a prefill instance and the ingress port of a decode instance)
 * completes at
 *     start + latency + (time to drain B bytes at its fair-share rates)
 * where latency is the largest latency among its resources; a transfer
 * alone on one resource of bandwidth W therefore takes latency + B / W,
 * and two equal transfers started together on it take latency + 2B / W.
 *
 * Energy of a transfer = bytes * 8 * energy_per_bit (given per transfer:
 * the link type's figure, counted once however many ports it crosses).
 *
 * The network schedules its own engine events; completions call the
 * transfer's callback from inside the engine handler (at
 * ENG_PRIO_COMPLETION, the network already updated; a callback may start
 * transfers but must not free the network).  Free the network before its
 * engine: it cancels its pending events.  docs/network.md has the model.
 */
#ifndef HETSIM_HW_H
#define HETSIM_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hetsim/engine.h"
#include "hetsim/util.h"

typedef struct hw_net hw_net; /* opaque */

/* Called when a transfer has delivered its last byte, at 'end'. */
typedef void (*hw_done_fn)(void *ctx, uint64_t tag, hs_time start,
                           hs_time end);

/* A new, empty network scheduling on 'eng' (borrowed). */
hw_net *hw_net_new(eng_sim *eng);
void hw_net_free(hw_net *n); /* NULL is a no-op */

/* Add a resource: 'bandwidth' B/s (> 0), 'latency_s' (>= 0).  'name' is
 * copied.  Returns its index (0, 1, ...). */
int hw_net_add(hw_net *n, const char *name, double bandwidth,
               double latency_s);

/* Start moving 'bytes' (> 0, asserted) at the current engine time across
 * the 'n_res' distinct resources listed (indexes from hw_net_add; 1 or
 * more).  Its bytes start flowing once the largest latency among them
 * has elapsed.  'done' (may be NULL) is called with 'ctx' and 'tag' at
 * completion, with 'start' the time of this call.  Returns a transfer id
 * (> 0).  O(P log P) per start or end, P the (transfer, resource) pairs
 * active, plus a reschedule per transfer whose rate changed. */
uint64_t hw_net_start(hw_net *n, const int *res, int n_res, double bytes,
                      double energy_per_bit, hw_done_fn done, void *ctx,
                      uint64_t tag);

/* Per-resource totals, for results: bytes carried and time with at
 * least one transfer active. */
typedef struct hw_res_stats {
    const char *name;
    double bandwidth;
    double bytes;
    double busy_s;
} hw_res_stats;

int hw_net_count(const hw_net *n);
void hw_net_stats(const hw_net *n, int res, hw_res_stats *out);

/* Whole-network totals: energy of every completed transfer (J), number
 * of transfers started and active now. */
double hw_net_energy_j(const hw_net *n);
uint64_t hw_net_started(const hw_net *n);
int64_t hw_net_active(const hw_net *n);

/* Check the allocation invariants (no resource over capacity, every
 * active transfer has a positive rate, max-min fairness: each transfer
 * is bottlenecked on some saturated resource where no other transfer
 * gets more).  O(active x resources).  For tests. */
bool hw_net_check(const hw_net *n, FILE *why);

#endif /* HETSIM_HW_H */
