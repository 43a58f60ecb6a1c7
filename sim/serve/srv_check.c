/*
 * srv_check.c -- the cluster's invariants, checked after every event when
 * srv_options.check_invariants is set (tests) or in the debug build
 * ('make DEBUG=1', which defines HS_DEBUG_INVARIANTS and turns the check
 * on for every run).  Each instance checks its own (srv_inst_check: I1-I5,
 * the prefix cache, the pool share); this file adds what spans instances:
 *
 *   S1  conservation: every request that arrived is done, dropped or
 *       still in flight (arrived == done + dropped + in_flight, none
 *       negative) -- no request is lost or counted twice;
 *   S2  every request in flight is somewhere: the requests in instance
 *       queues (waiting, waiting for blocks), batches, hand-off lists and
 *       eviction lists, and on the wire between pools, number at most
 *       in_flight (a request may also be between two places within one
 *       event's handler, never across events);
 *   S3  capacity: no batch holds more than max_batch requests, no
 *       instance uses more KV blocks than it has or fewer than none.
 *
 * Cost: O(requests in flight + instances) per event, so a debug run is
 * several times slower; release builds check nothing unless asked.
 */
#include <inttypes.h>

#include "serve_int.h"

static int64_t evicted_count(const srv_inst *in)
{
    int64_t n = 0;

    for (const srv_req *r = in->evicted; r != NULL; r = r->next)
        n++;
    return n;
}

/* S3 for one instance; NULL or what is broken. */
static const char *check_capacity(const srv_inst *in)
{
    if (in->n_running < 0 || in->n_running > in->max_batch)
        return "S3 batch larger than max_batch";
    if (in->used_blocks < 0 || in->used_blocks > in->total_blocks)
        return "S3 KV blocks beyond capacity";
    return NULL;
}

/* S1 and S2; NULL or what is broken. */
static const char *check_conservation(const srv_sim *s)
{
    const srv_stats *st = &s->stats;
    int64_t placed = s->moving.n;

    if (st->arrived < 0 || st->done < 0 || st->dropped < 0 ||
        st->in_flight < 0 ||
        st->arrived != st->done + st->dropped + st->in_flight)
        return "S1 arrived != done + dropped + in flight";
    for (int i = 0; i < s->n_insts; i++) {
        const srv_inst *in = &s->insts[i];

        placed += in->wait.n + in->xwait.n + in->n_running + in->n_handoff +
                  evicted_count(in);
    }
    if (placed > st->in_flight)
        return "S2 more requests placed than in flight";
    return NULL;
}

bool srv_check_cluster(const srv_sim *s, FILE *why)
{
    const char *broken = check_conservation(s);
    const srv_inst *bad = NULL;

    for (int i = 0; i < s->n_insts && broken == NULL; i++) {
        if (!srv_inst_check(&s->insts[i], why))
            return false; /* it said why */
        if ((broken = check_capacity(&s->insts[i])) != NULL)
            bad = &s->insts[i];
    }
    if (broken != NULL && why != NULL)
        fprintf(why,
                "srv_check_cluster: %s%s%s at t = %" PRId64
                " ns (arrived %" PRId64 ", done %" PRId64 ", dropped %" PRId64
                ", in flight %" PRId64 ")\n",
                bad != NULL ? bad->name : "", bad != NULL ? ": " : "", broken,
                eng_now(s->eng), s->stats.arrived, s->stats.done,
                s->stats.dropped, s->stats.in_flight);
    return broken == NULL;
}
