/*
 * eng_sim.c -- the simulation: simulated time, handles, dispatch and the
 * run loop, on top of the queue of eng_queue.c and eng_heap.c.
 *
 * Invariants (verified by eng_check(), besides the queue's I1-I10):
 *   S1  time never goes backwards: every pending event is at >= now
 *       (the queue's I7 with this 'now')
 *   S2  next_seq < 2^56, so (prio << 56 | seq) keys never collide
 *
 * Firing an event frees its slot *before* the handler runs: its handle
 * is already stale inside the handler (eng_cancel on it returns false),
 * and an event the handler schedules reuses the slot while it is still
 * in the cache.
 *
 * eng_stop() only sets a flag.  eng_run() tests it before each event;
 * when it finds it set it clears it and returns HS_EINTR.  A stop asked
 * while no run is in progress therefore makes the next eng_run() return
 * at once, so a signal arriving between two runs is not lost.
 */
#include <stdlib.h>

#include "engine_int.h"

eng_sim *eng_sim_new(void)
{
    eng_sim *sim = hs_calloc(1, sizeof *sim);

    eq_init(&sim->q);
    sim->stop = 0;
    return sim;
}

void eng_sim_free(eng_sim *sim)
{
    if (sim == NULL)
        return;
    eq_fini(&sim->q);
    free(sim);
}

hs_time eng_now(const eng_sim *sim)
{
    return sim->now;
}

uint64_t eng_events_fired(const eng_sim *sim)
{
    return sim->fired;
}

size_t eng_pending(const eng_sim *sim)
{
    return sim->q.pending;
}

/* The next sequence number (S2). */
static uint64_t take_seq(eng_sim *sim)
{
    HS_ASSERT(sim->next_seq < EQ_SEQ_MASK);
    return sim->next_seq++;
}

eng_event_id eng_schedule(eng_sim *sim, hs_time at, int prio, eng_handler fn,
                          void *target, uint32_t kind, uint64_t arg)
{
    eq_key k;
    uint32_t s;
    eq_slot *e;

    HS_ASSERT(at >= sim->now);
    HS_ASSERT(prio >= 0 && prio <= 255);
    HS_ASSERT(fn != NULL);
    k.time = at;
    k.ps = (uint64_t)prio << EQ_SEQ_BITS | take_seq(sim);
    s = eq_alloc(&sim->q);
    e = &sim->q.slot[s];
    e->fn = fn;
    e->target = target;
    e->arg = arg;
    e->kind = kind;
    eq_insert(&sim->q, s, k);
    return eq_make_id(e->gen, s);
}

bool eng_cancel(eng_sim *sim, eng_event_id id)
{
    uint32_t s = eq_lookup(&sim->q, id);

    if (s == EQ_NIL)
        return false;
    eq_cancel(&sim->q, s);
    return true;
}

bool eng_reschedule(eng_sim *sim, eng_event_id id, hs_time at)
{
    uint32_t s = eq_lookup(&sim->q, id);
    eq_key k;

    HS_ASSERT(at >= sim->now);
    if (s == EQ_NIL)
        return false;
    k.time = at;
    k.ps = (sim->q.slot[s].key.ps & ~EQ_SEQ_MASK) | take_seq(sim);
    eq_move(&sim->q, s, k);
    return true;
}

hs_time eng_event_time(const eng_sim *sim, eng_event_id id)
{
    uint32_t s = eq_lookup(&sim->q, id);

    if (s == EQ_NIL)
        return -1;
    return sim->q.slot[s].key.time;
}

hs_time eng_next_time(const eng_sim *sim)
{
    return sim->q.pending > 0 ? sim->q.heap.key[0].time : HS_TIME_MAX;
}

bool eng_step(eng_sim *sim)
{
    eq_slot e;

    if (sim->q.pending == 0)
        return false;
    eq_pop(&sim->q, &e);
    sim->now = e.key.time;
    sim->fired++;
    e.fn(sim, e.target, e.kind, e.arg);
    if (sim->observer != NULL)
        sim->observer(sim->observer_ctx);
    return true;
}

int eng_run(eng_sim *sim, hs_time until)
{
    for (;;) {
        if (sim->stop) {
            sim->stop = 0;
            return HS_EINTR;
        }
        if (sim->q.pending == 0 || sim->q.heap.key[0].time > until)
            return HS_OK;
        eng_step(sim);
    }
}

void eng_set_observer(eng_sim *sim, eng_observer fn, void *ctx)
{
    sim->observer = fn;
    sim->observer_ctx = ctx;
}

void eng_stop(eng_sim *sim)
{
    sim->stop = 1;
}

bool eng_check(const eng_sim *sim, FILE *why)
{
    if (sim->next_seq > EQ_SEQ_MASK) {
        if (why != NULL)
            fprintf(why, "eng_check: S2 sequence overflow\n");
        return false;
    }
    return eq_check(&sim->q, sim->now, sim->next_seq, why);
}
