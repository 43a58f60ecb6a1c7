/*
 * engine.h -- public interface of the discrete-event engine.
 *
 * The engine owns simulated time, the pending-event queue and the event
 * storage.  It knows nothing about accelerators, requests or scenarios:
 * components schedule events with a handler, a target pointer and two
 * small payload words, and the engine calls the handler when the event's
 * time comes.
 *
 * Ordering contract: events fire in increasing (time, prio, seq) order,
 * where 'seq' is a per-simulation counter assigned by eng_schedule().
 * Equal (time, prio) therefore fire FIFO, and a run is a pure function of
 * its inputs.  Lower 'prio' fires first; see enum eng_prio.
 *
 * Lifecycle of an event:
 *
 *    eng_schedule() --> PENDING --(time comes)--> FIRING --> (slot reused)
 *                          |  \
 *        eng_cancel() <----+   +--> eng_reschedule(): PENDING, new time
 *
 * Storage: events live in an engine-owned pool that grows by doubling and
 * is never shrunk during a run, so steady-state scheduling does not
 * allocate.  Insert, pop and reschedule are O(log n) amortised, cancel
 * O(1) amortised (a ladder queue of time buckets in front of a small
 * 4-ary heap; sim/engine/engine_int.h); a single call may occasionally
 * redistribute a bucket or purge cancelled entries.
 *
 * eng_stop() called while no run is in progress makes the next eng_run()
 * return HS_EINTR at once, so a signal between runs is not lost.  An
 * event's handle is already stale while its own handler runs.
 */
#ifndef HETSIM_ENGINE_H
#define HETSIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hetsim/util.h"

typedef struct eng_sim eng_sim; /* opaque */

/* A handle to a scheduled event: valid until the event fires or is
 * cancelled.  A stale handle is detected (generation count) and refused by
 * eng_cancel/eng_reschedule, never confused with a newer event. */
typedef uint64_t eng_event_id;
#define ENG_NO_EVENT UINT64_C(0)

/* Fixed priorities at equal time (DESIGN.md section 3): completions
 * before arrivals before scheduling decisions, then samplers. */
enum eng_prio {
    ENG_PRIO_COMPLETION = 0,
    ENG_PRIO_ARRIVAL = 1,
    ENG_PRIO_SCHEDULE = 2,
    ENG_PRIO_SAMPLE = 3
};

/* Called when an event fires.  'target', 'kind' and 'arg' are what was
 * given to eng_schedule().  The handler may schedule and cancel events. */
typedef void (*eng_handler)(eng_sim *sim, void *target, uint32_t kind,
                            uint64_t arg);

/* A new simulation at time 0 with an empty queue.  Never NULL (aborts on
 * out of memory). */
eng_sim *eng_sim_new(void);
void eng_sim_free(eng_sim *sim); /* NULL is a no-op */

hs_time eng_now(const eng_sim *sim);
/* Number of events fired so far, and number pending now. */
uint64_t eng_events_fired(const eng_sim *sim);
size_t eng_pending(const eng_sim *sim);

/* Queue an event at absolute time 'at' (>= eng_now(), asserted) with
 * priority 'prio' (0..255).  Returns its handle.  O(log n). */
eng_event_id eng_schedule(eng_sim *sim, hs_time at, int prio, eng_handler fn,
                          void *target, uint32_t kind, uint64_t arg);

/* Remove a pending event.  Returns false (and does nothing) when 'id' is
 * not pending: already fired, cancelled, or ENG_NO_EVENT.  O(log n). */
bool eng_cancel(eng_sim *sim, eng_event_id id);

/* Move a pending event to time 'at' (>= now).  It takes a new sequence
 * number, as if cancelled and scheduled again, but keeps its handle.
 * Returns false when 'id' is not pending.  O(log n). */
bool eng_reschedule(eng_sim *sim, eng_event_id id, hs_time at);

/* Time of a pending event, or -1 when 'id' is not pending. */
hs_time eng_event_time(const eng_sim *sim, eng_event_id id);

/* Time of the next pending event, or HS_TIME_MAX when none. */
hs_time eng_next_time(const eng_sim *sim);

/* Fire the next event: advance time to it and call its handler.  Returns
 * false when the queue is empty. */
bool eng_step(eng_sim *sim);

/* Fire events in order until the queue is empty, the next event is later
 * than 'until' (time is then left at the last fired event), or
 * eng_stop() was called (by a handler or a signal handler).  Returns
 * HS_OK, or HS_EINTR when stopped. */
int eng_run(eng_sim *sim, hs_time until);

/* Call 'fn(ctx)' after every event's handler (NULL: none), for checks
 * and progress reports that must see every event whichever component
 * handled it.  The observer must not schedule or cancel events. */
typedef void (*eng_observer)(void *ctx);
void eng_set_observer(eng_sim *sim, eng_observer fn, void *ctx);

/* Ask eng_run() to return after the current event.  Async-signal-safe. */
void eng_stop(eng_sim *sim);

/* Check every queue invariant; describe the first violation to 'why'
 * (may be NULL).  O(n): for tests and debug builds. */
bool eng_check(const eng_sim *sim, FILE *why);

#endif /* HETSIM_ENGINE_H */
