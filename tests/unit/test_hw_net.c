/*
 * test_hw_net.c -- the transfer network (hw.h): latency + drain times of
 * lone and concurrent transfers, worked-out max-min fair shares checked
 * through completion times (and directly, through hw_int.h), energy and
 * per-resource stats, callbacks that start transfers, a randomised run
 * with hw_net_check() after every engine event, determinism, and
 * hw_net_check() noticing a corrupted allocation.
 *
 * Transfers are started from engine events (a "plan" of start times), so
 * every run goes through the engine exactly as the serving simulation
 * does.  Times are in ns; 1 GB/s moves 1 byte per ns.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hetsim/engine.h"
#include "hetsim/hw.h"
#include "hw/hw_int.h"

Suite *hw_net_suite(void);

#define MAX_XF 1024

static eng_sim *sim;
static hw_net *net;

static void setup(void)
{
    sim = eng_sim_new();
    net = hw_net_new(sim);
}

static void teardown(void)
{
    hw_net_free(net);
    eng_sim_free(sim);
    net = NULL;
    sim = NULL;
}

/* hw_net_check(), with its complaint in the failure message. */
static void assert_check(void)
{
    char buf[256] = "";
    FILE *f = tmpfile();
    bool ok;

    ck_assert_ptr_nonnull(f);
    ok = hw_net_check(net, f);
    rewind(f);
    if (fgets(buf, sizeof buf, f) == NULL)
        buf[0] = '\0';
    fclose(f);
    ck_assert_msg(ok, "%s", buf);
}

/* hw_net_check() must fail and say 'want'. */
static void assert_check_fails(const char *want)
{
    char buf[256] = "";
    FILE *f = tmpfile();
    bool ok;

    ck_assert_ptr_nonnull(f);
    ok = hw_net_check(net, f);
    rewind(f);
    if (fgets(buf, sizeof buf, f) == NULL)
        buf[0] = '\0';
    fclose(f);
    ck_assert_msg(!ok, "hw_net_check passed a broken allocation");
    ck_assert_msg(strstr(buf, want) != NULL, "got '%s', want '%s'", buf, want);
}

/* ---- a plan of transfers and a record of their completions ----------- */

typedef struct plan_xf {
    hs_time at; /* start time */
    int res[4];
    int n_res;
    double bytes;
    double epb;
} plan_xf;

typedef struct record {
    size_t n_plan;
    plan_xf plan[MAX_XF];
    uint64_t id[MAX_XF];
    hs_time start[MAX_XF];
    hs_time end[MAX_XF];
    int count[MAX_XF];
    size_t n_order; /* completion order, by tag */
    uint64_t order[MAX_XF];
    bool check_in_done;
} record;

static record rec;

static void on_done(void *ctx, uint64_t tag, hs_time start, hs_time end)
{
    record *r = ctx;

    ck_assert_ptr_eq(r, &rec);
    ck_assert_uint_lt(tag, MAX_XF);
    ck_assert_int_eq(end, eng_now(sim));
    r->start[tag] = start;
    r->end[tag] = end;
    r->count[tag]++;
    r->order[r->n_order++] = tag;
    if (r->check_in_done)
        assert_check();
}

static void on_start(eng_sim *s, void *target, uint32_t kind, uint64_t arg)
{
    record *r = target;
    const plan_xf *p = &r->plan[arg];

    (void)s;
    (void)kind;
    r->id[arg] =
        hw_net_start(net, p->res, p->n_res, p->bytes, p->epb, on_done, r, arg);
}

/* Add a transfer to the plan; returns its tag. */
static uint64_t plan(hs_time at, const int *res, int n_res, double bytes,
                     double epb)
{
    plan_xf *p = &rec.plan[rec.n_plan];

    ck_assert_uint_lt(rec.n_plan, MAX_XF);
    p->at = at;
    memcpy(p->res, res, (size_t)n_res * sizeof *res);
    p->n_res = n_res;
    p->bytes = bytes;
    p->epb = epb;
    eng_schedule(sim, at, ENG_PRIO_ARRIVAL, on_start, &rec, 0, rec.n_plan);
    return rec.n_plan++;
}

/* Run the engine dry with hw_net_check() after every event. */
static void run_checked(void)
{
    while (eng_step(sim))
        assert_check();
}

static void rec_reset(void)
{
    memset(&rec, 0, sizeof rec);
}

/* The active transfer with id 'id' (through hw_int.h). */
static hw_xfer *xfer_by_id(uint64_t id)
{
    for (size_t i = 0; i < net->n_act; i++)
        if (net->xf[net->act[i]].id == id)
            return &net->xf[net->act[i]];
    ck_abort_msg("transfer %llu not active", (unsigned long long)id);
    return NULL;
}

/* ---- single resource ---------------------------------------------------- */

START_TEST(test_lone_transfer)
{
    int r = hw_net_add(net, "port", 1e9, 2e-6);
    uint64_t t;

    rec_reset();
    t = plan(1000, &r, 1, 1.5e6, 0);
    run_checked();
    ck_assert_int_eq(rec.count[t], 1);
    ck_assert_int_eq(rec.start[t], 1000);
    /* 1000 + 2 us latency + 1.5e6 B / 1e9 B/s = 1.5 ms. */
    ck_assert_int_eq(rec.end[t], 1000 + 2000 + 1500000);
    ck_assert_uint_eq(rec.id[t], 1);
}
END_TEST

START_TEST(test_lone_transfer_odd_figures)
{
    int r = hw_net_add(net, "odd", 3e9, 1.5e-6);
    uint64_t t;
    double want;

    rec_reset();
    t = plan(7, &r, 1, 1234567, 0);
    run_checked();
    want = 7 + (1.5e-6 + 1234567 / 3e9) * 1e9; /* 413029.33 ns */
    ck_assert_int_eq(rec.count[t], 1);
    ck_assert_msg(fabs((double)rec.end[t] - want) <= 1.0, "end %lld want %f",
                  (long long)rec.end[t], want);
}
END_TEST

START_TEST(test_zero_latency_no_callback)
{
    int r = hw_net_add(net, "p", 2e9, 0);
    uint64_t id = hw_net_start(net, &r, 1, 4e6, 0, NULL, NULL, 0);

    ck_assert_uint_eq(id, 1);
    ck_assert_int_eq(hw_net_active(net), 1);
    assert_check();
    ck_assert_double_eq(xfer_by_id(id)->rate, 2e9); /* flowing at once */
    run_checked();
    ck_assert_int_eq(eng_now(sim), 2000000);
    ck_assert_int_eq(hw_net_active(net), 0);
    ck_assert_uint_eq(hw_net_started(net), 1);
}
END_TEST

START_TEST(test_two_equal_concurrent)
{
    int r = hw_net_add(net, "port", 1e9, 5e-6);
    uint64_t a, b;

    rec_reset();
    rec.check_in_done = true;
    a = plan(0, &r, 1, 1e6, 0);
    b = plan(0, &r, 1, 1e6, 0);
    run_checked();
    /* latency + 2 B / W each. */
    ck_assert_int_eq(rec.end[a], 5000 + 2000000);
    ck_assert_int_eq(rec.end[b], 5000 + 2000000);
    ck_assert_uint_eq(rec.n_order, 2);
    ck_assert_uint_eq(rec.order[0], a); /* tie: lower id first */
    ck_assert_uint_eq(rec.order[1], b);
}
END_TEST

/* Five equal transfers at one time finish at one ns, in id order. */
START_TEST(test_tie_order_by_id)
{
    int r = hw_net_add(net, "port", 1e9, 1e-6);

    rec_reset();
    rec.check_in_done = true;
    for (int i = 0; i < 5; i++)
        plan(100, &r, 1, 3e5, 0);
    run_checked();
    ck_assert_uint_eq(rec.n_order, 5);
    for (uint64_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(rec.order[i], i);
        ck_assert_uint_eq(rec.id[i], i + 1);
        ck_assert_int_eq(rec.end[i], 100 + 1000 + 1500000);
    }
}
END_TEST

/*
 * A: 1e6 B at 0, B: 1e6 B at 500 us, on 1 GB/s with 10 us latency.
 * A flows alone 10..510 us (5e5 B), then both at 0.5 GB/s: A's last 5e5 B
 * take 1 ms -> 1510 us.  B has then moved 5e5 B and drains the rest
 * alone in 0.5 ms -> 2010 us.
 */
START_TEST(test_second_joins_half_way)
{
    int r = hw_net_add(net, "port", 1e9, 10e-6);
    uint64_t a, b;

    rec_reset();
    rec.check_in_done = true;
    a = plan(0, &r, 1, 1e6, 0);
    b = plan(500000, &r, 1, 1e6, 0);
    run_checked();
    ck_assert_int_eq(rec.end[a], 1510000);
    ck_assert_int_eq(rec.end[b], 2010000);
}
END_TEST

/* ---- several resources -------------------------------------------------- */

/*
 * r1 = 10 GB/s, r2 = 4 GB/s; A over r1 (12 MB), B over r1+r2 (4 MB), C
 * over r2 (2 MB).  Max-min: r2's share 2 < r1's 5, so B = C = 2 GB/s,
 * then A takes r1's remaining 8.  C ends at 1 ms (A has 4 MB left, B
 * 2 MB).  Then r2 gives B 4 < r1's 5: B = 4, A = 6; B ends at 1.5 ms (A
 * has 1 MB left), then A alone at 10: 1.6 ms.
 */
START_TEST(test_max_min_two_resources)
{
    int r1 = hw_net_add(net, "r1", 10e9, 0);
    int r2 = hw_net_add(net, "r2", 4e9, 0);
    int both[2];
    uint64_t a, b, c;

    both[0] = r1;
    both[1] = r2;
    rec_reset();
    rec.check_in_done = true;
    a = plan(0, &r1, 1, 12e6, 0);
    b = plan(0, both, 2, 4e6, 0);
    c = plan(0, &r2, 1, 2e6, 0);
    for (int i = 0; i < 3; i++) {
        ck_assert(eng_step(sim));
        assert_check();
    }
    ck_assert_double_eq_tol(xfer_by_id(rec.id[a])->rate, 8e9, 1);
    ck_assert_double_eq_tol(xfer_by_id(rec.id[b])->rate, 2e9, 1);
    ck_assert_double_eq_tol(xfer_by_id(rec.id[c])->rate, 2e9, 1);
    run_checked();
    ck_assert_int_eq(rec.end[c], 1000000);
    ck_assert_int_eq(rec.end[b], 1500000);
    ck_assert_int_eq(rec.end[a], 1600000);
}
END_TEST

/* A transfer limited elsewhere leaves spare capacity: r1 = 1, r2 = 2
 * (GB/s); A over r1+r2, B and C over r2.  r2's share 2/3 < r1's 1, so
 * all three get 2/3 and r1 keeps 1/3 unused. */
START_TEST(test_bottleneck_elsewhere)
{
    int r1 = hw_net_add(net, "r1", 1e9, 0);
    int r2 = hw_net_add(net, "r2", 2e9, 0);
    int both[2];
    uint64_t a, b, c;

    both[0] = r1;
    both[1] = r2;
    a = hw_net_start(net, both, 2, 1e6, 0, NULL, NULL, 0);
    b = hw_net_start(net, &r2, 1, 1e6, 0, NULL, NULL, 1);
    c = hw_net_start(net, &r2, 1, 1e6, 0, NULL, NULL, 2);
    assert_check();
    ck_assert_double_eq_tol(xfer_by_id(a)->rate, 2e9 / 3, 1);
    ck_assert_double_eq_tol(xfer_by_id(b)->rate, 2e9 / 3, 1);
    ck_assert_double_eq_tol(xfer_by_id(c)->rate, 2e9 / 3, 1);
    /* All three end together: 1e6 / (2e9/3) s = 1.5 ms. */
    run_checked();
    ck_assert_int_eq(eng_now(sim), 1500000);
}
END_TEST

/* The latency of a multi-resource transfer is the largest of its
 * resources', and bytes flow at the narrowest's bandwidth. */
START_TEST(test_latency_is_max)
{
    int r1 = hw_net_add(net, "egress", 5e9, 1e-6);
    int r2 = hw_net_add(net, "ingress", 2e9, 4e-6);
    int both[2];
    uint64_t t;

    both[0] = r1;
    both[1] = r2;
    rec_reset();
    t = plan(0, both, 2, 2e6, 0);
    run_checked();
    ck_assert_int_eq(rec.end[t], 4000 + 1000000);
}
END_TEST

/* ---- accounting --------------------------------------------------------- */

typedef struct probe {
    hw_res_stats r1, r2;
    int64_t active;
} probe;

static void on_probe(eng_sim *s, void *target, uint32_t kind, uint64_t arg)
{
    probe *p = target;

    (void)s;
    (void)kind;
    (void)arg;
    hw_net_stats(net, 0, &p->r1);
    hw_net_stats(net, 1, &p->r2);
    p->active = hw_net_active(net);
}

/*
 * r1 = 1 GB/s, 1 us; r2 = 2 GB/s, 3 us.  T1: 1 MB over r1+r2 at 0, 5 pJ/b
 * -> flows 3 us .. 1003 us at 1 GB/s.  T2: 2 MB over r1 at 10 ms, 1 pJ/b
 * -> flows 10.001 ms .. 12.001 ms.  Probe at 503 us: half of T1 moved.
 */
START_TEST(test_energy_and_stats)
{
    int r1 = hw_net_add(net, "r1", 1e9, 1e-6);
    int r2 = hw_net_add(net, "r2", 2e9, 3e-6);
    int both[2];
    probe p;
    hw_res_stats s1, s2;
    uint64_t t1, t2;

    both[0] = r1;
    both[1] = r2;
    rec_reset();
    memset(&p, 0, sizeof p);
    t1 = plan(0, both, 2, 1e6, 5e-12);
    t2 = plan(10000000, &r1, 1, 2e6, 1e-12);
    eng_schedule(sim, 503000, ENG_PRIO_SAMPLE, on_probe, &p, 0, 0);
    run_checked();
    ck_assert_int_eq(rec.end[t1], 1003000);
    ck_assert_int_eq(rec.end[t2], 12001000);
    ck_assert_double_eq_tol(p.r1.bytes, 5e5, 1e-3);
    ck_assert_double_eq_tol(p.r2.bytes, 5e5, 1e-3);
    ck_assert_double_eq_tol(p.r1.busy_s, 500e-6, 1e-12);
    ck_assert_int_eq(p.active, 1);
    ck_assert_double_eq_tol(hw_net_energy_j(net),
                            1e6 * 8 * 5e-12 + 2e6 * 8 * 1e-12, 1e-18);
    ck_assert_int_eq(hw_net_count(net), 2);
    hw_net_stats(net, r1, &s1);
    hw_net_stats(net, r2, &s2);
    ck_assert_str_eq(s1.name, "r1");
    ck_assert_str_eq(s2.name, "r2");
    ck_assert_double_eq(s1.bandwidth, 1e9);
    ck_assert_double_eq(s1.bytes, 3e6);
    ck_assert_double_eq(s2.bytes, 1e6);
    ck_assert_double_eq_tol(s1.busy_s, 3e-3, 1e-12);
    ck_assert_double_eq_tol(s2.busy_s, 1e-3, 1e-12);
    ck_assert_uint_eq(hw_net_started(net), 2);
    ck_assert_int_eq(hw_net_active(net), 0);
}
END_TEST

/* Overlapping transfers count the union of their flowing times. */
START_TEST(test_busy_is_union)
{
    int r = hw_net_add(net, "p", 1e9, 0);
    hw_res_stats st;

    rec_reset();
    plan(0, &r, 1, 1e6, 0);       /* alone 0..0.5 ms, shared after */
    plan(500000, &r, 1, 1e6, 0);  /* ends at 2 ms */
    plan(3000000, &r, 1, 1e6, 0); /* 3 .. 4 ms */
    run_checked();
    hw_net_stats(net, r, &st);
    ck_assert_double_eq_tol(st.busy_s, 3e-3, 1e-12);
    ck_assert_double_eq(st.bytes, 3e6);
}
END_TEST

/* ---- callbacks that start transfers ------------------------------------ */

typedef struct chain {
    int res;
    int left; /* transfers still to start from the callback */
    hs_time end[8];
    int n_end;
} chain;

static void on_chain(void *ctx, uint64_t tag, hs_time start, hs_time end)
{
    chain *c = ctx;

    (void)tag;
    (void)start;
    c->end[c->n_end++] = end;
    assert_check();
    if (c->left-- > 0)
        hw_net_start(net, &c->res, 1, 1e6, 0, on_chain, c, 0);
}

START_TEST(test_chain_from_callback)
{
    chain c;

    memset(&c, 0, sizeof c);
    c.res = hw_net_add(net, "p", 1e9, 2e-6);
    c.left = 4;
    hw_net_start(net, &c.res, 1, 1e6, 0, on_chain, &c, 0);
    run_checked();
    ck_assert_int_eq(c.n_end, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(c.end[i], (i + 1) * 1002000);
    /* One slot, reused: steady state does not grow the pool. */
    ck_assert_uint_eq(net->n_xf, 1);
}
END_TEST

START_TEST(test_free_cancels_events)
{
    int r = hw_net_add(net, "p", 1e9, 1e-6);

    hw_net_start(net, &r, 1, 1e6, 0, NULL, NULL, 0);
    hw_net_start(net, &r, 1, 1e6, 0, NULL, NULL, 0);
    ck_assert_uint_eq(eng_pending(sim), 2);
    ck_assert(eng_step(sim)); /* both latencies end: one event left */
    ck_assert_uint_eq(eng_pending(sim), 2);
    hw_net_free(net);
    net = NULL;
    ck_assert_uint_eq(eng_pending(sim), 0);
}
END_TEST

/* ---- randomised --------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * 0x1p-53;
}

#define RAND_RES 4
#define RAND_XF 600

/* A random scenario: RAND_RES resources, RAND_XF transfers over 1..3 of
 * them with integer sizes and random start times.  Returns the sum of
 * the sizes crossing each resource in 'want'. */
static void random_plan(uint64_t seed, double *want)
{
    uint64_t s = seed;

    rec_reset();
    rec.check_in_done = true;
    for (int r = 0; r < RAND_RES; r++) {
        char name[16];
        double lat = rng_unit(&s) < 0.25 ? 0 : rng_unit(&s) * 5e-6;

        snprintf(name, sizeof name, "r%d", r);
        hw_net_add(net, name, 1e9 + rng_unit(&s) * 9e9, lat);
        want[r] = 0;
    }
    for (int i = 0; i < RAND_XF; i++) {
        int res[RAND_RES] = {0, 1, 2, 3};
        int k = 1 + (int)(rng_next(&s) % 3);
        double bytes = (double)(1 + rng_next(&s) % 4000000);
        hs_time at = (hs_time)(rng_next(&s) % 40000000);

        for (int j = 0; j < k; j++) { /* partial Fisher-Yates */
            int m = j + (int)(rng_next(&s) % (uint64_t)(RAND_RES - j));
            int t = res[j];

            res[j] = res[m];
            res[m] = t;
            want[res[j]] += bytes;
        }
        plan(at, res, k, bytes, rng_unit(&s) * 1e-11);
    }
}

/* Fewest time a transfer can take: its latency and its bytes at the
 * narrowest resource alone, less 1 ns of rounding. */
static double lower_bound_ns(const plan_xf *p)
{
    double lat = 0, bw = HUGE_VAL;

    for (int k = 0; k < p->n_res; k++) {
        hw_res_stats st;

        hw_net_stats(net, p->res[k], &st);
        if (net->res[p->res[k]].latency_s > lat)
            lat = net->res[p->res[k]].latency_s;
        if (st.bandwidth < bw)
            bw = st.bandwidth;
    }
    return (lat + p->bytes / bw) * 1e9 - 1.0;
}

START_TEST(test_random)
{
    double want[RAND_RES], energy = 0;
    int64_t max_active = 0;

    random_plan(UINT64_C(0x5eed) + (uint64_t)_i, want);
    while (eng_step(sim)) {
        assert_check();
        if (hw_net_active(net) > max_active)
            max_active = hw_net_active(net);
    }
    ck_assert_int_gt(max_active, 3); /* there was contention */
    ck_assert_uint_eq(hw_net_started(net), RAND_XF);
    ck_assert_int_eq(hw_net_active(net), 0);
    ck_assert_uint_eq(rec.n_order, RAND_XF);
    for (int i = 0; i < RAND_XF; i++) {
        const plan_xf *p = &rec.plan[i];

        ck_assert_int_eq(rec.count[i], 1);
        ck_assert_int_eq(rec.start[i], p->at);
        ck_assert_msg((double)(rec.end[i] - rec.start[i]) >= lower_bound_ns(p),
                      "transfer %d too fast", i);
        energy += p->bytes * 8 * p->epb;
    }
    for (int r = 0; r < RAND_RES; r++) {
        hw_res_stats st;

        hw_net_stats(net, r, &st);
        ck_assert_double_eq(st.bytes, want[r]);
        ck_assert(st.busy_s > 0 && st.busy_s <= hs_time_to_s(eng_now(sim)));
    }
    ck_assert_double_eq_tol(hw_net_energy_j(net), energy, energy * 1e-12);
    ck_assert_uint_le(net->n_xf, (size_t)max_active);
}
END_TEST

START_TEST(test_deterministic)
{
    double want[RAND_RES];
    static hs_time first[RAND_XF];
    static uint64_t first_order[RAND_XF];
    uint64_t fired;

    random_plan(99, want);
    rec.check_in_done = false;
    run_checked();
    memcpy(first, rec.end, sizeof first);
    memcpy(first_order, rec.order, sizeof first_order);
    fired = eng_events_fired(sim);
    teardown();
    setup();
    random_plan(99, want);
    rec.check_in_done = false;
    run_checked();
    ck_assert(memcmp(first, rec.end, sizeof first) == 0);
    ck_assert(memcmp(first_order, rec.order, sizeof first_order) == 0);
    ck_assert_uint_eq(fired, eng_events_fired(sim));
}
END_TEST

/* ---- hw_net_check() notices a broken allocation ------------------------ */

START_TEST(test_check_catches)
{
    int r = hw_net_add(net, "p", 1e9, 0);
    uint64_t a = hw_net_start(net, &r, 1, 1e6, 0, NULL, NULL, 0);
    uint64_t b = hw_net_start(net, &r, 1, 1e6, 0, NULL, NULL, 0);
    hw_xfer *xa = xfer_by_id(a), *xb = xfer_by_id(b);
    uint32_t saved;

    assert_check();
    xa->rate = 0.9e9;
    assert_check_fails("I5");
    xa->rate = 0.3e9;
    assert_check_fails("I6");
    xa->rate = 0;
    assert_check_fails("I2");
    xa->rate = 0.5e9;
    net->res[r].n_flowing = 1;
    assert_check_fails("I4");
    net->res[r].n_flowing = 2;
    xb->due += 1;
    assert_check_fails("I3");
    xb->due -= 1;
    saved = net->act[0];
    net->act[0] = net->act[1];
    assert_check_fails("I1");
    net->act[0] = saved;
    assert_check();
}
END_TEST

Suite *hw_net_suite(void)
{
    Suite *s = suite_create("hw_net");
    TCase *one = tcase_create("one_resource");
    TCase *many = tcase_create("many_resources");
    TCase *acct = tcase_create("accounting");
    TCase *rnd = tcase_create("random");

    tcase_add_checked_fixture(one, setup, teardown);
    tcase_add_test(one, test_lone_transfer);
    tcase_add_test(one, test_lone_transfer_odd_figures);
    tcase_add_test(one, test_zero_latency_no_callback);
    tcase_add_test(one, test_two_equal_concurrent);
    tcase_add_test(one, test_tie_order_by_id);
    tcase_add_test(one, test_second_joins_half_way);
    suite_add_tcase(s, one);

    tcase_add_checked_fixture(many, setup, teardown);
    tcase_add_test(many, test_max_min_two_resources);
    tcase_add_test(many, test_bottleneck_elsewhere);
    tcase_add_test(many, test_latency_is_max);
    suite_add_tcase(s, many);

    tcase_add_checked_fixture(acct, setup, teardown);
    tcase_add_test(acct, test_energy_and_stats);
    tcase_add_test(acct, test_busy_is_union);
    tcase_add_test(acct, test_chain_from_callback);
    tcase_add_test(acct, test_free_cancels_events);
    tcase_add_test(acct, test_check_catches);
    suite_add_tcase(s, acct);

    tcase_add_checked_fixture(rnd, setup, teardown);
    tcase_set_timeout(rnd, 60);
    tcase_add_loop_test(rnd, test_random, 0, 4);
    tcase_add_test(rnd, test_deterministic);
    suite_add_tcase(s, rnd);
    return s;
}
