/*
 * hw_net.c -- the transfer network of hw.h: resources with a bandwidth
 * and a latency, transfers crossing one or more of them, and the rates
 * of the flowing transfers set to the max-min fair allocation.  Model
 * and its limits: docs/network.md; structs and invariants: hw_int.h.
 *
 * Latency rule: a transfer's bytes start to flow only once its latency
 * (the largest among its resources, rounded to the ns) has elapsed; until
 * then it holds no bandwidth.  Its completion is the end of its drain.  A
 * lone transfer therefore takes exactly latency + bytes / bandwidth (to
 * the rounding of each term to the ns).
 *
 * Rates: progressive filling.  All unfrozen flowing transfers rise
 * together to the lowest level at which some resource saturates (its
 * capacity left over by frozen transfers, shared equally by its
 * unfrozen ones); the transfers crossing a saturated resource freeze
 * at that level; repeat until all are frozen.  The resources in use sit
 * in a min-heap by share, so one fill is O(P log P) for P (transfer,
 * resource) pairs; idle resources are never visited.
 *
 * Events: each active transfer has one pending event (arg = its slot)
 * at 'due'.  The handler serves everything due at the current time --
 * drains that end, latencies that elapse -- in transfer-id order,
 * recomputes the rates once, reschedules the completions that moved,
 * then calls the done callbacks in id order, so that a callback sees a
 * consistent network and may start transfers.  The outcome therefore does
 * not depend on the order in which same-time events fire.  Remaining
 * bytes are kept in double and brought up to date (remaining -= rate *
 * elapsed seconds) before any rate changes; times are rounded to the ns
 * only when an event is scheduled.
 */
#include "hw_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Relative tolerance of hw_net_check() on sums of rates. */
#define CHECK_TOL 1e-9

static void on_due(eng_sim *sim, void *target, uint32_t kind, uint64_t arg);

/* ---- small helpers ---------------------------------------------------- */

/* now + s seconds, rounded to the ns, saturating at HS_TIME_MAX. */
static hs_time after(hs_time now, double s)
{
    hs_time d = hs_time_from_s(s);

    return d >= HS_TIME_MAX - now ? HS_TIME_MAX : now + d;
}

static hw_xfer *slot(const hw_net *n, uint32_t s)
{
    return &n->xf[s];
}

/* ---- life and resources ----------------------------------------------- */

hw_net *hw_net_new(eng_sim *eng)
{
    hw_net *n;

    HS_ASSERT(eng != NULL);
    n = hs_calloc(1, sizeof *n);
    n->eng = eng;
    n->free_head = HW_NIL;
    n->last = eng_now(eng);
    return n;
}

void hw_net_free(hw_net *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->n_act; i++)
        eng_cancel(n->eng, slot(n, n->act[i])->ev);
    for (size_t i = 0; i < n->n_xf; i++)
        free(n->xf[i].res);
    for (size_t i = 0; i < n->n_res; i++)
        free(n->res[i].name);
    free(n->res);
    free(n->xf);
    free(n->act);
    free(n->fin);
    free(n->used);
    free(n->adj);
    free(n->heap);
    free(n);
}

int hw_net_add(hw_net *n, const char *name, double bandwidth, double latency_s)
{
    hw_res *r;

    HS_ASSERT(name != NULL);
    HS_ASSERT(bandwidth > 0 && isfinite(bandwidth));
    HS_ASSERT(latency_s >= 0 && isfinite(latency_s));
    HS_ASSERT(n->n_res < (size_t)INT32_MAX);
    hs_grow((void **)&n->res, &n->res_cap, n->n_res + 1, sizeof *n->res);
    hs_grow((void **)&n->used, &n->used_cap, n->n_res + 1, sizeof *n->used);
    r = &n->res[n->n_res];
    memset(r, 0, sizeof *r);
    r->name = hs_strdup(name);
    r->bandwidth = bandwidth;
    r->latency_s = latency_s;
    return (int)n->n_res++;
}

/* ---- the fair share --------------------------------------------------- */

/* Bring every flowing transfer's 'remaining' to time 'now' (I7). */
static void advance(hw_net *n, hs_time now)
{
    double dt;

    HS_ASSERT(now >= n->last);
    if (now == n->last)
        return;
    dt = hs_time_to_s(now - n->last);
    for (size_t i = 0; i < n->n_act; i++) {
        hw_xfer *x = slot(n, n->act[i]);

        if (x->state != HW_XF_FLOWING)
            continue;
        x->remaining -= x->rate * dt;
        if (x->remaining < 0)
            x->remaining = 0;
    }
    n->last = now;
}

/* Reset the filling scratch: every flowing transfer unfrozen (its rate
 * kept in prev_rate), the resources they cross listed in 'used' in
 * order of first use by id, so that idle resources cost nothing.  After
 * a fill every n_unfrozen is 0 again, which marks a resource not yet
 * listed.  Returns the number of flowing transfers; '*n_pairs' gets the
 * number of (transfer, resource) pairs. */
static size_t fill_reset(hw_net *n, size_t *n_pairs)
{
    size_t n_flow = 0, pairs = 0;

    n->n_used = 0;
    for (size_t i = 0; i < n->n_act; i++) {
        hw_xfer *x = slot(n, n->act[i]);

        if (x->state != HW_XF_FLOWING)
            continue;
        x->is_frozen = false;
        x->prev_rate = x->rate;
        for (int k = 0; k < x->n_res; k++) {
            hw_res *r = &n->res[x->res[k]];

            if (r->n_unfrozen++ == 0) {
                r->frozen_sum = 0;
                n->used[n->n_used++] = x->res[k];
            }
        }
        pairs += (size_t)x->n_res;
        n_flow++;
    }
    *n_pairs = pairs;
    return n_flow;
}

/* Build the adjacency: for each used resource, the flowing transfers
 * crossing it, in id order, at adj[adj_off .. adj_off + n_unfrozen). */
static void build_adj(hw_net *n, size_t n_pairs)
{
    size_t off = 0;

    hs_grow((void **)&n->adj, &n->adj_cap, n_pairs, sizeof *n->adj);
    for (size_t i = 0; i < n->n_used; i++) {
        hw_res *r = &n->res[n->used[i]];

        r->adj_off = off;
        r->adj_len = 0;
        off += (size_t)r->n_unfrozen;
    }
    for (size_t i = 0; i < n->n_act; i++) {
        hw_xfer *x = slot(n, n->act[i]);

        if (x->state != HW_XF_FLOWING)
            continue;
        for (int k = 0; k < x->n_res; k++) {
            hw_res *r = &n->res[x->res[k]];

            n->adj[r->adj_off + r->adj_len++] = n->act[i];
        }
    }
}

/* Equal share of what resource r has left for its unfrozen transfers. */
static double share_of(const hw_res *r)
{
    return (r->bandwidth - r->frozen_sum) / (double)r->n_unfrozen;
}

/* ---- a binary min-heap of (share, resource) for fill() ---------------- */

static bool share_before(const hw_share *a, const hw_share *b)
{
    if (a->share != b->share)
        return a->share < b->share;
    return a->res < b->res;
}

static void heap_push(hw_net *n, double share, int res)
{
    size_t i = n->n_heap++;

    HS_ASSERT(i < n->heap_cap);
    while (i > 0) {
        size_t up = (i - 1) / 2;
        hw_share e = {share, res};

        if (!share_before(&e, &n->heap[up]))
            break;
        n->heap[i] = n->heap[up];
        i = up;
    }
    n->heap[i].share = share;
    n->heap[i].res = res;
}

static hw_share heap_pop(hw_net *n)
{
    hw_share top = n->heap[0], last = n->heap[--n->n_heap];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= n->n_heap)
            break;
        if (c + 1 < n->n_heap && share_before(&n->heap[c + 1], &n->heap[c]))
            c++;
        if (!share_before(&n->heap[c], &last))
            break;
        n->heap[i] = n->heap[c];
        i = c;
    }
    if (n->n_heap > 0)
        n->heap[i] = last;
    return top;
}

/* ---- the progressive filling ------------------------------------------ */

/* Freeze 'x' at rate 'level'; the shares of its other resources rise,
 * so they are pushed again (their older entries go stale). */
static void freeze(hw_net *n, hw_xfer *x, double level)
{
    x->is_frozen = true;
    x->rate = level;
    for (int k = 0; k < x->n_res; k++) {
        hw_res *q = &n->res[x->res[k]];

        q->frozen_sum += level;
        q->n_unfrozen--;
    }
    for (int k = 0; k < x->n_res; k++) {
        const hw_res *q = &n->res[x->res[k]];

        if (q->n_unfrozen > 0)
            heap_push(n, share_of(q), x->res[k]);
    }
}

/* Set every flowing transfer's rate to the max-min fair allocation:
 * repeatedly take the resource with the lowest share (the next water
 * level, never below the current one: exactly, shares only rise as
 * transfers freeze, and the guard absorbs rounding) and freeze its
 * unfrozen transfers at that level.  An entry whose share is no longer
 * the resource's, or whose resource has no unfrozen transfer left, is
 * stale and skipped.  O((used + pairs) log(used + pairs)). */
static void fill(hw_net *n)
{
    size_t n_pairs, left = fill_reset(n, &n_pairs);
    double level = 0;

    build_adj(n, n_pairs);
    hs_grow((void **)&n->heap, &n->heap_cap, n->n_used + n_pairs,
            sizeof *n->heap);
    n->n_heap = 0;
    for (size_t i = 0; i < n->n_used; i++)
        heap_push(n, share_of(&n->res[n->used[i]]), n->used[i]);
    while (left > 0) {
        hw_share e;
        const hw_res *r;

        HS_ASSERT(n->n_heap > 0);
        e = heap_pop(n);
        r = &n->res[e.res];
        if (r->n_unfrozen == 0 || share_of(r) != e.share)
            continue;
        if (e.share > level)
            level = e.share;
        for (size_t j = 0; j < r->adj_len; j++) {
            hw_xfer *x = slot(n, n->adj[r->adj_off + j]);

            if (!x->is_frozen) {
                freeze(n, x, level);
                left--;
            }
        }
    }
}

/* Move each flowing transfer's completion event to the end of its drain
 * at its new rate, in id order.  A transfer whose rate did not change
 * keeps its event: its drain end has not moved. */
static void reschedule(hw_net *n, hs_time now)
{
    for (size_t i = 0; i < n->n_act; i++) {
        uint32_t s = n->act[i];
        hw_xfer *x = slot(n, s);
        hs_time due;

        if (x->state != HW_XF_FLOWING ||
            (x->ev != ENG_NO_EVENT && x->rate == x->prev_rate))
            continue;
        HS_ASSERT(x->rate > 0);
        due = after(now, x->remaining / x->rate);
        if (x->ev == ENG_NO_EVENT)
            x->ev = eng_schedule(n->eng, due, ENG_PRIO_COMPLETION, on_due, n,
                                 0, s);
        else if (due != x->due && !eng_reschedule(n->eng, x->ev, due))
            HS_UNREACHABLE("hw_net: completion event not pending");
        x->due = due;
    }
}

static void rebalance(hw_net *n, hs_time now)
{
    fill(n);
    reschedule(n, now);
}

/* ---- state changes of one transfer ------------------------------------ */

/* LATENT -> FLOWING at 'now': it joins the share on every resource. */
static void begin_flow(hw_net *n, hw_xfer *x, hs_time now)
{
    x->state = HW_XF_FLOWING;
    for (int k = 0; k < x->n_res; k++) {
        hw_res *r = &n->res[x->res[k]];

        if (r->n_flowing++ == 0)
            r->busy_since = now;
    }
}

/* FLOWING -> done at 'now': its resources and the network are credited
 * with its bytes and energy, its callback is queued in 'fin' and its
 * slot is freed (the callback runs later, from on_due()). */
static void end_flow(hw_net *n, uint32_t s, hs_time now, size_t n_fin)
{
    hw_xfer *x = slot(n, s);
    hw_done_call *c = &n->fin[n_fin];

    for (int k = 0; k < x->n_res; k++) {
        hw_res *r = &n->res[x->res[k]];

        r->bytes_done += x->bytes;
        if (--r->n_flowing == 0)
            r->busy_ns += now - r->busy_since;
    }
    n->energy_j += x->bytes * 8.0 * x->epb;
    c->done = x->done;
    c->ctx = x->ctx;
    c->tag = x->tag;
    c->start = x->start;
    x->id = 0;
    x->state = HW_XF_FREE;
    x->remaining = 0;
    x->rate = 0;
    x->next_free = n->free_head;
    n->free_head = s;
}

/* A free slot, from the free list or a new one at the end of the pool. */
static uint32_t take_slot(hw_net *n)
{
    uint32_t s = n->free_head;
    hw_xfer *x;

    if (s != HW_NIL) {
        n->free_head = slot(n, s)->next_free;
        return s;
    }
    HS_ASSERT(n->n_xf < (size_t)HW_NIL);
    hs_grow((void **)&n->xf, &n->xf_cap, n->n_xf + 1, sizeof *n->xf);
    x = &n->xf[n->n_xf];
    memset(x, 0, sizeof *x);
    return (uint32_t)n->n_xf++;
}

/* Serve every active transfer due at 'now', in id order: a drain that
 * ends leaves 'act' (its callback goes to 'fin'), a latency that elapses
 * starts the flow.  Returns the number of callbacks put in 'fin'. */
static size_t serve_due(hw_net *n, hs_time now)
{
    size_t kept = 0, n_fin = 0;

    for (size_t i = 0; i < n->n_act; i++) {
        uint32_t s = n->act[i];
        hw_xfer *x = slot(n, s);

        if (x->due > now) {
            n->act[kept++] = s;
            continue;
        }
        if (x->ev != ENG_NO_EVENT)
            eng_cancel(n->eng, x->ev);
        x->ev = ENG_NO_EVENT;
        if (x->state == HW_XF_LATENT) {
            begin_flow(n, x, now);
            n->act[kept++] = s;
        } else {
            end_flow(n, s, now, n_fin++);
        }
    }
    n->n_act = kept;
    return n_fin;
}

/* The engine handler: slot 'arg' is due now (its handle is stale). */
static void on_due(eng_sim *sim, void *target, uint32_t kind, uint64_t arg)
{
    hw_net *n = target;
    hs_time now = eng_now(sim);
    size_t n_fin;

    (void)kind;
    HS_ASSERT(arg < n->n_xf);
    HS_ASSERT(n->xf[arg].state != HW_XF_FREE && n->xf[arg].due == now);
    n->xf[arg].ev = ENG_NO_EVENT;
    advance(n, now);
    n_fin = serve_due(n, now);
    rebalance(n, now);
    for (size_t i = 0; i < n_fin; i++) {
        /* A copy: a callback may start transfers, which may grow 'fin'. */
        hw_done_call c = n->fin[i];

        if (c.done != NULL)
            c.done(c.ctx, c.tag, c.start, now);
    }
}

/* ---- starting a transfer ---------------------------------------------- */

/* Copy and check the resource list; returns the largest latency. */
static double set_resources(hw_net *n, hw_xfer *x, const int *res, int n_res)
{
    double lat = 0;

    hs_grow((void **)&x->res, &x->res_cap, (size_t)n_res, sizeof *x->res);
    for (int k = 0; k < n_res; k++) {
        HS_ASSERT(res[k] >= 0 && (size_t)res[k] < n->n_res);
        for (int j = 0; j < k; j++)
            HS_ASSERT(res[j] != res[k]);
        x->res[k] = res[k];
        if (n->res[res[k]].latency_s > lat)
            lat = n->res[res[k]].latency_s;
    }
    x->n_res = n_res;
    return lat;
}

uint64_t hw_net_start(hw_net *n, const int *res, int n_res, double bytes,
                      double energy_per_bit, hw_done_fn done, void *ctx,
                      uint64_t tag)
{
    hs_time now = eng_now(n->eng);
    uint32_t s;
    hw_xfer *x;
    hs_time lat;

    HS_ASSERT(res != NULL && n_res >= 1);
    HS_ASSERT(bytes > 0 && isfinite(bytes));
    HS_ASSERT(energy_per_bit >= 0 && isfinite(energy_per_bit));
    advance(n, now);
    s = take_slot(n);
    hs_grow((void **)&n->act, &n->act_cap, n->n_act + 1, sizeof *n->act);
    hs_grow((void **)&n->fin, &n->fin_cap, n->act_cap, sizeof *n->fin);
    x = slot(n, s);
    lat = hs_time_from_s(set_resources(n, x, res, n_res));
    x->id = ++n->next_id;
    x->state = HW_XF_LATENT;
    x->bytes = x->remaining = bytes;
    x->rate = 0;
    x->epb = energy_per_bit;
    x->start = now;
    x->ev = ENG_NO_EVENT;
    x->done = done;
    x->ctx = ctx;
    x->tag = tag;
    n->act[n->n_act++] = s; /* the largest id: 'act' stays sorted */
    if (lat == 0) {
        begin_flow(n, x, now);
        rebalance(n, now);
    } else {
        x->due = lat >= HS_TIME_MAX - now ? HS_TIME_MAX : now + lat;
        x->ev =
            eng_schedule(n->eng, x->due, ENG_PRIO_COMPLETION, on_due, n, 0, s);
    }
    return x->id;
}

/* ---- results ---------------------------------------------------------- */

int hw_net_count(const hw_net *n)
{
    return (int)n->n_res;
}

/* Bytes delivered so far over resource 'r' by transfers still active. */
static double inflight_bytes(const hw_net *n, int r, hs_time now)
{
    double dt = hs_time_to_s(now - n->last), sum = 0;

    for (size_t i = 0; i < n->n_act; i++) {
        const hw_xfer *x = slot(n, n->act[i]);
        double left;

        if (x->state != HW_XF_FLOWING)
            continue;
        for (int k = 0; k < x->n_res; k++) {
            if (x->res[k] != r)
                continue;
            left = x->remaining - x->rate * dt;
            sum += x->bytes - (left > 0 ? left : 0);
        }
    }
    return sum;
}

void hw_net_stats(const hw_net *n, int res, hw_res_stats *out)
{
    hs_time now = eng_now(n->eng);
    const hw_res *r;
    hs_time busy;

    HS_ASSERT(res >= 0 && (size_t)res < n->n_res && out != NULL);
    r = &n->res[res];
    busy = r->busy_ns + (r->n_flowing > 0 ? now - r->busy_since : 0);
    out->name = r->name;
    out->bandwidth = r->bandwidth;
    out->bytes = r->bytes_done + inflight_bytes(n, res, now);
    out->busy_s = hs_time_to_s(busy);
}

double hw_net_energy_j(const hw_net *n)
{
    return n->energy_j;
}

uint64_t hw_net_started(const hw_net *n)
{
    return n->next_id;
}

int64_t hw_net_active(const hw_net *n)
{
    return (int64_t)n->n_act;
}

/* ---- invariants ------------------------------------------------------- */

static bool fail(FILE *why, const char *fmt, ...) HS_PRINTF(2, 3);

static bool fail(FILE *why, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL) {
        va_start(ap, fmt);
        fputs("hw_net_check: ", why);
        vfprintf(why, fmt, ap);
        fputc('\n', why);
        va_end(ap);
    }
    return false;
}

/* I1: 'act' is the set of non-free slots, in increasing id. */
static bool check_act(const hw_net *n, FILE *why)
{
    size_t n_used = 0;

    for (size_t i = 0; i < n->n_act; i++) {
        const hw_xfer *x;

        if (n->act[i] >= n->n_xf)
            return fail(why, "I1 active slot %u out of range", n->act[i]);
        x = slot(n, n->act[i]);
        if (x->state == HW_XF_FREE || x->id == 0 || x->id > n->next_id)
            return fail(why, "I1 active slot %u is free", n->act[i]);
        if (i > 0 && x->id <= slot(n, n->act[i - 1])->id)
            return fail(why, "I1 active list not in id order at %zu", i);
    }
    for (size_t i = 0; i < n->n_xf; i++)
        n_used += n->xf[i].state != HW_XF_FREE;
    if (n_used != n->n_act)
        return fail(why, "I1 %zu slots in use, %zu active", n_used, n->n_act);
    return true;
}

/* I2, I3, I7 for one active transfer. */
static bool check_xfer(const hw_net *n, const hw_xfer *x, FILE *why)
{
    hs_time now = eng_now(n->eng);
    uint64_t id = x->id;

    if (x->state == HW_XF_LATENT && x->rate != 0)
        return fail(why, "I2 latent transfer %" PRIu64 " has a rate", id);
    if (x->state == HW_XF_FLOWING && !(x->rate > 0))
        return fail(why, "I2 transfer %" PRIu64 " has no rate", id);
    if (!(x->remaining >= 0 && x->remaining <= x->bytes))
        return fail(why, "I2 transfer %" PRIu64 " remaining %g of %g", id,
                    x->remaining, x->bytes);
    if (x->due < now || eng_event_time(n->eng, x->ev) != x->due)
        return fail(why, "I3 transfer %" PRIu64 " event not at its due time",
                    id);
    if (n->last > now)
        return fail(why, "I7 last update in the future");
    return true;
}

/* Per-resource sums over the flowing transfers: count, rate sum, max. */
typedef struct res_sum {
    int64_t n;
    double sum, max;
} res_sum;

static res_sum *sum_rates(const hw_net *n)
{
    res_sum *t = hs_calloc(n->n_res + 1, sizeof *t);

    for (size_t i = 0; i < n->n_act; i++) {
        const hw_xfer *x = slot(n, n->act[i]);

        if (x->state != HW_XF_FLOWING)
            continue;
        for (int k = 0; k < x->n_res; k++) {
            res_sum *r = &t[x->res[k]];

            r->n++;
            r->sum += x->rate;
            if (x->rate > r->max)
                r->max = x->rate;
        }
    }
    return t;
}

/* I4 and I5 for every resource. */
static bool check_res(const hw_net *n, const res_sum *t, FILE *why)
{
    hs_time now = eng_now(n->eng);

    for (size_t r = 0; r < n->n_res; r++) {
        const hw_res *rs = &n->res[r];

        if (rs->n_flowing != t[r].n)
            return fail(why,
                        "I4 resource '%s' counts %" PRId64
                        " flowing, has %" PRId64,
                        rs->name, rs->n_flowing, t[r].n);
        if (rs->n_flowing > 0 && rs->busy_since > now)
            return fail(why, "I4 resource '%s' busy from the future",
                        rs->name);
        if (t[r].sum > rs->bandwidth * (1 + CHECK_TOL))
            return fail(why, "I5 resource '%s' over capacity: %g > %g B/s",
                        rs->name, t[r].sum, rs->bandwidth);
    }
    return true;
}

/* I6: 'x' has a bottleneck -- saturated, and it gets the most there. */
static bool has_bottleneck(const hw_net *n, const hw_xfer *x, const res_sum *t)
{
    for (int k = 0; k < x->n_res; k++) {
        const res_sum *r = &t[x->res[k]];

        if (r->sum >= n->res[x->res[k]].bandwidth * (1 - CHECK_TOL) &&
            x->rate >= r->max * (1 - CHECK_TOL))
            return true;
    }
    return false;
}

bool hw_net_check(const hw_net *n, FILE *why)
{
    res_sum *t;
    bool ok;

    if (!check_act(n, why))
        return false;
    for (size_t i = 0; i < n->n_act; i++)
        if (!check_xfer(n, slot(n, n->act[i]), why))
            return false;
    t = sum_rates(n);
    ok = check_res(n, t, why);
    for (size_t i = 0; ok && i < n->n_act; i++) {
        const hw_xfer *x = slot(n, n->act[i]);

        if (x->state == HW_XF_FLOWING && !has_bottleneck(n, x, t))
            ok = fail(why,
                      "I6 transfer %" PRIu64 " (rate %g B/s) has no "
                      "bottleneck: not max-min fair",
                      x->id, x->rate);
    }
    free(t);
    return ok;
}
