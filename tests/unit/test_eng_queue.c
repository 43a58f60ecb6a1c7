/*
 * test_eng_queue.c -- the event engine: ordering, handles, the run loop,
 * and randomised operation sequences checked against a reference model
 * (a plain array scanned for its minimum), with eng_check() after every
 * step in one of them.  Some tests reach into engine_int.h to corrupt the
 * queue and see eng_check() notice.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "hetsim/engine.h"

Suite *eng_queue_suite(void);

static eng_sim *sim;

static void setup(void)
{
    sim = eng_sim_new();
}

/* The death tests abort on purpose; the assertion message they print
 * would read as a failure in 'make check', so their forked child writes
 * stderr to /dev/null (the test still checks the SIGABRT). */
static void setup_quiet(void)
{
    if (freopen("/dev/null", "w", stderr) == NULL)
        abort();
    setup();
}

static void teardown(void)
{
    eng_sim_free(sim);
    sim = NULL;
}

/* eng_check(), with its complaint in the failure message. */
static void assert_check(void)
{
    char buf[256] = "";
    FILE *f = tmpfile();
    bool ok;

    ck_assert_ptr_nonnull(f);
    ok = eng_check(sim, f);
    rewind(f);
    if (fgets(buf, sizeof buf, f) == NULL)
        buf[0] = '\0';
    fclose(f);
    ck_assert_msg(ok, "%s", buf);
}

/* eng_check() must fail and say 'want'. */
static void assert_check_fails(const char *want)
{
    char buf[256] = "";
    FILE *f = tmpfile();
    bool ok;

    ck_assert_ptr_nonnull(f);
    ok = eng_check(sim, f);
    rewind(f);
    if (fgets(buf, sizeof buf, f) == NULL)
        buf[0] = '\0';
    fclose(f);
    ck_assert_msg(!ok, "eng_check passed a broken queue");
    ck_assert_msg(strstr(buf, want) != NULL, "got '%s', want '%s'", buf, want);
}

/* ---- a log of fired events -------------------------------------------- */

#define LOG_MAX 64

typedef struct fire_log {
    size_t n;
    uint64_t arg[LOG_MAX];
    hs_time at[LOG_MAX];
    uint32_t kind[LOG_MAX];
} fire_log;

static void on_log(eng_sim *s, void *target, uint32_t kind, uint64_t arg)
{
    fire_log *log = target;

    ck_assert_uint_lt(log->n, LOG_MAX);
    log->arg[log->n] = arg;
    log->at[log->n] = eng_now(s);
    log->kind[log->n] = kind;
    log->n++;
}

static void assert_args(const fire_log *log, const uint64_t *want, size_t n)
{
    ck_assert_uint_eq(log->n, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(
            log->arg[i] == want[i], "event %zu: fired %llu, want %llu", i,
            (unsigned long long)log->arg[i], (unsigned long long)want[i]);
}

static void on_nothing(eng_sim *s, void *target, uint32_t kind, uint64_t arg)
{
    (void)s;
    (void)target;
    (void)kind;
    (void)arg;
}

/* ---- core ------------------------------------------------------------- */

START_TEST(empty_queue)
{
    ck_assert_int_eq(eng_now(sim), 0);
    ck_assert_uint_eq(eng_pending(sim), 0);
    ck_assert_uint_eq(eng_events_fired(sim), 0);
    ck_assert_int_eq(eng_next_time(sim), HS_TIME_MAX);
    ck_assert(!eng_step(sim));
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_OK);
    ck_assert_int_eq(eng_now(sim), 0);
    assert_check();
    eng_sim_free(NULL); /* a no-op */
}
END_TEST

START_TEST(equal_time_priority_then_fifo)
{
    static const int prio[] = {3, 1, 2, 0, 1, 3, 0, 2, 1};
    static const uint64_t want[] = {100, 3, 6, 1, 4, 8, 2, 7, 0, 5, 200};
    fire_log log = {0};

    eng_schedule(sim, 20, ENG_PRIO_COMPLETION, on_log, &log, 0, 200);
    for (uint64_t i = 0; i < 9; i++)
        eng_schedule(sim, 10, prio[i], on_log, &log, 0, i);
    eng_schedule(sim, 5, ENG_PRIO_SAMPLE, on_log, &log, 0, 100);
    ck_assert_int_eq(eng_next_time(sim), 5);
    assert_check();
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_OK);
    assert_args(&log, want, 11);
    ck_assert_int_eq(log.at[0], 5);
    ck_assert_int_eq(log.at[5], 10);
    ck_assert_int_eq(log.at[10], 20);
    ck_assert_uint_eq(eng_events_fired(sim), 11);
}
END_TEST

START_TEST(priority_255_and_fifo_over_many)
{
    fire_log log = {0};
    uint64_t want[40];

    /* 20 at prio 255 then 20 at prio 0, all at one time: the prio-0
     * ones first, each group in scheduling order */
    for (uint64_t i = 0; i < 40; i++) {
        eng_schedule(sim, 7, i < 20 ? 255 : 0, on_log, &log, 0, i);
        want[i < 20 ? i + 20 : i - 20] = i;
    }
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_OK);
    assert_args(&log, want, 40);
}
END_TEST

START_TEST(stale_handles_are_refused)
{
    fire_log log = {0};
    eng_event_id a, b;

    ck_assert(!eng_cancel(sim, ENG_NO_EVENT));
    ck_assert(!eng_reschedule(sim, ENG_NO_EVENT, 5));
    ck_assert_int_eq(eng_event_time(sim, ENG_NO_EVENT), -1);

    a = eng_schedule(sim, 10, 0, on_log, &log, 0, 1);
    ck_assert(a != ENG_NO_EVENT);
    ck_assert_int_eq(eng_event_time(sim, a), 10);
    ck_assert(eng_cancel(sim, a));
    ck_assert(!eng_cancel(sim, a));
    ck_assert(!eng_reschedule(sim, a, 20));
    ck_assert_int_eq(eng_event_time(sim, a), -1);

    /* the next event likely reuses a's slot: a must stay stale */
    b = eng_schedule(sim, 30, 0, on_log, &log, 0, 2);
    ck_assert(b != a && b != ENG_NO_EVENT);
    ck_assert(!eng_cancel(sim, a));
    ck_assert_int_eq(eng_event_time(sim, a), -1);
    ck_assert_int_eq(eng_event_time(sim, b), 30);

    /* forged handles: other generations, a slot out of range */
    ck_assert(!eng_cancel(sim, b + (UINT64_C(1) << 32)));
    ck_assert(!eng_cancel(sim, b + (UINT64_C(2) << 32)));
    ck_assert(!eng_cancel(sim, (b & ~UINT64_C(0xffffffff)) | 0xfffffffu));
    ck_assert_int_eq(eng_event_time(sim, b ^ (UINT64_C(1) << 32)), -1);
    ck_assert_uint_eq(eng_pending(sim), 1);

    ck_assert(eng_step(sim));
    ck_assert_uint_eq(log.n, 1);
    ck_assert_uint_eq(log.arg[0], 2);
    ck_assert(!eng_cancel(sim, b));
    ck_assert(!eng_reschedule(sim, b, 40));
    ck_assert_int_eq(eng_event_time(sim, b), -1);
    assert_check();
}
END_TEST

typedef struct self_cancel {
    eng_event_id id;
    bool cancelled;
    bool rescheduled;
} self_cancel;

static void on_self_cancel(eng_sim *s, void *target, uint32_t kind,
                           uint64_t arg)
{
    self_cancel *sc = target;

    (void)kind;
    (void)arg;
    sc->cancelled = eng_cancel(s, sc->id);
    sc->rescheduled = eng_reschedule(s, sc->id, eng_now(s) + 1);
}

START_TEST(handle_is_stale_inside_its_handler)
{
    self_cancel sc = {0, true, true};

    sc.id = eng_schedule(sim, 3, 0, on_self_cancel, &sc, 0, 0);
    ck_assert(eng_step(sim));
    ck_assert(!sc.cancelled);
    ck_assert(!sc.rescheduled);
    ck_assert_uint_eq(eng_pending(sim), 0);
    assert_check();
}
END_TEST

START_TEST(reschedule_takes_a_new_sequence_number)
{
    static const uint64_t want[] = {3, 2, 1, 4};
    fire_log log = {0};
    eng_event_id a, b, c;

    a = eng_schedule(sim, 10, 1, on_log, &log, 0, 1);
    b = eng_schedule(sim, 10, 1, on_log, &log, 0, 2);
    c = eng_schedule(sim, 50, 1, on_log, &log, 0, 3);
    eng_schedule(sim, 60, 1, on_log, &log, 0, 4);
    /* same time: a goes behind b; c moves earlier than both */
    ck_assert(eng_reschedule(sim, a, 10));
    ck_assert(eng_reschedule(sim, c, 5));
    ck_assert_int_eq(eng_event_time(sim, a), 10);
    ck_assert_int_eq(eng_event_time(sim, b), 10);
    ck_assert_int_eq(eng_event_time(sim, c), 5);
    ck_assert_int_eq(eng_next_time(sim), 5);
    ck_assert_uint_eq(eng_pending(sim), 4);
    assert_check();
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_OK);
    assert_args(&log, want, 4);
    ck_assert_int_eq(log.at[0], 5);
}
END_TEST

/* ---- the run loop ----------------------------------------------------- */

START_TEST(run_until_leaves_time_at_the_last_event)
{
    static const uint64_t want[] = {1, 2, 3};
    fire_log log = {0};

    eng_schedule(sim, 10, 0, on_log, &log, 0, 1);
    eng_schedule(sim, 20, 0, on_log, &log, 0, 2);
    eng_schedule(sim, 30, 0, on_log, &log, 0, 3);
    ck_assert_int_eq(eng_run(sim, 20), HS_OK);
    ck_assert_uint_eq(log.n, 2);
    ck_assert_int_eq(eng_now(sim), 20);
    ck_assert_uint_eq(eng_pending(sim), 1);
    ck_assert_int_eq(eng_run(sim, 25), HS_OK);
    ck_assert_uint_eq(log.n, 2);
    ck_assert_int_eq(eng_now(sim), 20);
    ck_assert_int_eq(eng_run(sim, 29), HS_OK);
    ck_assert_uint_eq(log.n, 2);
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_OK);
    ck_assert_int_eq(eng_now(sim), 30);
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_OK);
    assert_args(&log, want, 3);
    ck_assert_uint_eq(eng_events_fired(sim), 3);
}
END_TEST

static void on_stop_at_3(eng_sim *s, void *target, uint32_t kind, uint64_t arg)
{
    on_log(s, target, kind, arg);
    if (arg == 3)
        eng_stop(s);
}

START_TEST(stop_from_a_handler)
{
    fire_log log = {0};

    for (uint64_t i = 1; i <= 5; i++)
        eng_schedule(sim, (hs_time)i, 0, on_stop_at_3, &log, 0, i);
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_EINTR);
    ck_assert_uint_eq(log.n, 3);
    ck_assert_int_eq(eng_now(sim), 3);
    ck_assert_uint_eq(eng_pending(sim), 2);
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_OK);
    ck_assert_uint_eq(log.n, 5);
    ck_assert_int_eq(eng_now(sim), 5);
}
END_TEST

START_TEST(stop_before_run_is_not_lost)
{
    fire_log log = {0};

    eng_schedule(sim, 1, 0, on_log, &log, 0, 1);
    eng_stop(sim);
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_EINTR);
    ck_assert_uint_eq(log.n, 0);
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_OK);
    ck_assert_uint_eq(log.n, 1);
}
END_TEST

static eng_sim *signal_sim; /* for the signal handler below */

static void on_sigusr1(int sig)
{
    (void)sig;
    eng_stop(signal_sim);
}

static void on_raise_at_2(eng_sim *s, void *target, uint32_t kind,
                          uint64_t arg)
{
    on_log(s, target, kind, arg);
    if (arg == 2)
        raise(SIGUSR1);
}

START_TEST(stop_from_a_signal_handler)
{
    struct sigaction sa, old;
    fire_log log = {0};

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigusr1;
    sigemptyset(&sa.sa_mask);
    signal_sim = sim;
    ck_assert_int_eq(sigaction(SIGUSR1, &sa, &old), 0);
    for (uint64_t i = 1; i <= 4; i++)
        eng_schedule(sim, (hs_time)(10 * i), 0, on_raise_at_2, &log, 0, i);
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_EINTR);
    ck_assert_uint_eq(log.n, 2);
    ck_assert_int_eq(eng_now(sim), 20);
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_OK);
    ck_assert_uint_eq(log.n, 4);
    sigaction(SIGUSR1, &old, NULL);
}
END_TEST

/* ---- handlers that schedule ------------------------------------------- */

enum { K_TICK = 1, K_ECHO, K_VICTIM, K_URGENT, K_LATE };

typedef struct chain {
    fire_log log;
    eng_event_id victim;
    bool cancelled;
} chain;

static void on_chain(eng_sim *s, void *target, uint32_t kind, uint64_t arg)
{
    chain *c = target;
    hs_time now = eng_now(s);

    on_log(s, &c->log, kind, arg);
    if (kind != K_TICK)
        return;
    /* an echo at the same time, fired after us (lower priority) */
    eng_schedule(s, now, ENG_PRIO_SAMPLE, on_chain, c, K_ECHO, arg);
    if (arg == 2)
        c->cancelled = eng_cancel(s, c->victim);
    if (arg > 0)
        eng_schedule(s, now + 7, ENG_PRIO_SCHEDULE, on_chain, c, K_TICK,
                     arg - 1);
}

START_TEST(handlers_schedule_and_cancel)
{
    chain c;

    memset(&c, 0, sizeof c);
    eng_schedule(sim, 100, ENG_PRIO_SCHEDULE, on_chain, &c, K_TICK, 3);
    c.victim = eng_schedule(sim, 120, ENG_PRIO_COMPLETION, on_chain, &c,
                            K_VICTIM, 99);
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_OK);
    ck_assert(c.cancelled);
    /* ticks 3,2,1,0 at 100,107,114,121, each followed by its echo; the
     * victim (at 120) was cancelled by tick 2 at 107 */
    ck_assert_uint_eq(c.log.n, 8);
    for (size_t i = 0; i < 8; i++) {
        ck_assert_uint_eq(c.log.kind[i], i % 2 == 0 ? K_TICK : K_ECHO);
        ck_assert_uint_eq(c.log.arg[i], 3 - i / 2);
        ck_assert_int_eq(c.log.at[i], 100 + 7 * (hs_time)(i / 2));
    }
    ck_assert_uint_eq(eng_events_fired(sim), 8);
    assert_check();
}
END_TEST

static void on_urgent(eng_sim *s, void *target, uint32_t kind, uint64_t arg)
{
    on_log(s, target, kind, arg);
    if (arg == 1)
        eng_schedule(s, eng_now(s), ENG_PRIO_COMPLETION, on_urgent, target,
                     K_URGENT, 3);
}

START_TEST(handler_schedules_ahead_of_same_time_events)
{
    static const uint64_t want[] = {1, 3, 2};
    fire_log log = {0};

    eng_schedule(sim, 50, ENG_PRIO_SCHEDULE, on_urgent, &log, K_LATE, 1);
    eng_schedule(sim, 50, ENG_PRIO_SCHEDULE, on_urgent, &log, K_LATE, 2);
    ck_assert_int_eq(eng_run(sim, HS_TIME_MAX), HS_OK);
    assert_args(&log, want, 3);
}
END_TEST

/* ---- randomised sequences against a reference ------------------------- */

typedef struct ref_ev {
    eng_event_id id;
    hs_time time;
    int prio;
    uint64_t seq;
    uint64_t tag;
} ref_ev;

typedef struct ref_model {
    ref_ev *v;
    size_t n;
    size_t cap;
    uint64_t seq; /* mirrors the engine's sequence numbers */
    uint64_t rng;
    uint64_t next_tag;
    eng_event_id stale[64]; /* handles of fired or cancelled events */
    size_t nstale;
    uint64_t fired_tag; /* set by on_rand */
    size_t fired;
    hs_time spread; /* increments are drawn from [0, spread) */
    bool check_every_step;
} ref_model;

static uint64_t rnd(ref_model *m)
{
    uint64_t x = m->rng;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    m->rng = x;
    return x;
}

static uint64_t rnd_below(ref_model *m, uint64_t n)
{
    return rnd(m) % n;
}

static void remember_stale(ref_model *m, eng_event_id id)
{
    m->stale[m->nstale++ % 64] = id;
}

static void on_rand(eng_sim *s, void *target, uint32_t kind, uint64_t arg);

/* Schedule in both the engine and the model. */
static void ref_schedule(ref_model *m, hs_time at, int prio, uint32_t kind)
{
    ref_ev e;

    e.time = at;
    e.prio = prio;
    e.seq = m->seq++;
    e.tag = m->next_tag++;
    e.id = eng_schedule(sim, at, prio, on_rand, m, kind, e.tag);
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 1024;
        m->v = realloc(m->v, m->cap * sizeof *m->v);
        ck_assert_ptr_nonnull(m->v);
    }
    m->v[m->n++] = e;
}

/* A time from now, often equal to an earlier one. */
static hs_time ref_time(ref_model *m)
{
    hs_time now = eng_now(sim);

    if (rnd_below(m, 8) == 0 || now > HS_TIME_MAX - m->spread)
        return now;
    if (rnd_below(m, 256) == 0)
        return HS_TIME_MAX - (hs_time)rnd_below(m, 3);
    return now + (hs_time)rnd_below(m, (uint64_t)m->spread);
}

/* Index of the earliest event of the model. */
static size_t ref_min(const ref_model *m)
{
    size_t best = 0;

    for (size_t i = 1; i < m->n; i++) {
        const ref_ev *a = &m->v[i], *b = &m->v[best];

        if (a->time != b->time   ? a->time < b->time
            : a->prio != b->prio ? a->prio < b->prio
                                 : a->seq < b->seq)
            best = i;
    }
    return best;
}

static void ref_drop(ref_model *m, size_t i)
{
    remember_stale(m, m->v[i].id);
    m->v[i] = m->v[--m->n];
}

/* A handler of kind 1 schedules a follow-up, as models do. */
static void on_rand(eng_sim *s, void *target, uint32_t kind, uint64_t arg)
{
    ref_model *m = target;

    ck_assert_ptr_eq(s, sim);
    m->fired_tag = arg;
    m->fired++;
    if (kind == 1)
        ref_schedule(m, ref_time(m), (int)rnd_below(m, 4), 0);
}

static void op_step(ref_model *m)
{
    size_t i;
    ref_ev want;

    if (m->n == 0) {
        ck_assert(!eng_step(sim));
        return;
    }
    i = ref_min(m);
    want = m->v[i];
    ck_assert_int_eq(eng_next_time(sim), want.time);
    ref_drop(m, i); /* before the handler, which may schedule */
    ck_assert(eng_step(sim));
    ck_assert_msg(
        m->fired_tag == want.tag, "fired tag %llu, reference says %llu",
        (unsigned long long)m->fired_tag, (unsigned long long)want.tag);
    ck_assert_int_eq(eng_now(sim), want.time);
}

static void op_cancel(ref_model *m)
{
    size_t i;

    if (m->n == 0 || rnd_below(m, 4) == 0) {
        if (m->nstale > 0) {
            eng_event_id id =
                m->stale[rnd_below(m, m->nstale < 64 ? m->nstale : 64)];

            ck_assert(!eng_cancel(sim, id));
            ck_assert(!eng_reschedule(sim, id, eng_now(sim)));
            ck_assert_int_eq(eng_event_time(sim, id), -1);
        }
        return;
    }
    i = rnd_below(m, m->n);
    ck_assert_int_eq(eng_event_time(sim, m->v[i].id), m->v[i].time);
    ck_assert(eng_cancel(sim, m->v[i].id));
    ref_drop(m, i);
}

static void op_reschedule(ref_model *m)
{
    size_t i;
    hs_time at;

    if (m->n == 0)
        return;
    i = rnd_below(m, m->n);
    at = ref_time(m);
    ck_assert(eng_reschedule(sim, m->v[i].id, at));
    m->v[i].time = at;
    m->v[i].seq = m->seq++;
    ck_assert_int_eq(eng_event_time(sim, m->v[i].id), at);
}

/* One random operation; 'grow' weighs towards scheduling. */
static void random_op(ref_model *m, bool grow)
{
    uint64_t r = rnd_below(m, 100);

    if (r < (grow ? 60u : 35u))
        ref_schedule(m, ref_time(m), (int)rnd_below(m, 4),
                     (uint32_t)(rnd_below(m, 8) == 0));
    else if (r < (grow ? 70u : 50u))
        op_cancel(m);
    else if (r < (grow ? 80u : 65u))
        op_reschedule(m);
    else
        op_step(m);
    ck_assert_uint_eq(eng_pending(sim), m->n);
    if (m->check_every_step)
        assert_check();
}

/* 'ops' random operations: growing to about 'peak' pending events, then
 * shrinking, then draining; every pop compared with the reference. */
static void run_random(uint64_t seed, long ops, size_t peak, hs_time spread,
                       bool check_every_step)
{
    ref_model m;

    memset(&m, 0, sizeof m);
    m.rng = seed;
    m.spread = spread;
    m.check_every_step = check_every_step;
    for (long i = 0; i < ops; i++)
        random_op(&m, i < ops / 2 && m.n < peak);
    while (m.n > 0)
        op_step(&m);
    ck_assert(!eng_step(sim));
    ck_assert_uint_eq(eng_pending(sim), 0);
    assert_check();
    free(m.v);
}

START_TEST(random_small_heap_with_ties)
{
    run_random(0x9e3779b97f4a7c15u + (uint64_t)_i, 40000, 300, 20, false);
}
END_TEST

START_TEST(random_large_tiered)
{
    run_random(0x2545f4914f6cdd1du + (uint64_t)_i, 60000, 20000, 1000000,
               false);
}
END_TEST

START_TEST(random_large_with_ties)
{
    run_random(0x51afd7ed558ccd1du + (uint64_t)_i, 60000, 20000, 50, false);
}
END_TEST

START_TEST(random_check_every_step)
{
    run_random(0x123456789abcdefu, 24000, 9000, 5000, true);
}
END_TEST

/* ---- growth, cancellation in bulk, extreme times ----------------------- */

START_TEST(pool_grows_and_is_reused)
{
    enum { N = 100000 };
    eng_event_id first;
    uint32_t cap;
    hs_time last = -1;
    size_t n = 0;

    for (int round = 0; round < 2; round++) {
        first = eng_schedule(sim, eng_now(sim) + N, 1, on_nothing, NULL, 0, 0);
        for (long i = 1; i < N; i++)
            eng_schedule(sim, eng_now(sim) + (i * 7919) % N, 1, on_nothing,
                         NULL, 0, 0);
        ck_assert_uint_eq(eng_pending(sim), N);
        ck_assert_int_eq(eng_event_time(sim, first), eng_now(sim) + N);
        assert_check();
        if (round == 0)
            cap = sim->q.cap;
        else
            ck_assert_uint_eq(sim->q.cap, cap); /* no growth the 2nd time */
        while (eng_step(sim)) {
            ck_assert_int_ge(eng_now(sim), last);
            last = eng_now(sim);
            n++;
        }
        assert_check();
    }
    ck_assert_uint_eq(n, 2 * N);
}
END_TEST

START_TEST(mass_cancel_keeps_dead_entries_bounded)
{
    enum { N = 50000 };
    eng_event_id *id = malloc(N * sizeof *id);
    size_t left = 0;

    ck_assert_ptr_nonnull(id);
    for (long i = 0; i < N; i++)
        id[i] = eng_schedule(sim, 1000 + (i * 104729) % 1000003, 2, on_nothing,
                             NULL, 0, 0);
    for (long i = 0; i < N; i++)
        if (i % 10 != 0)
            ck_assert(eng_cancel(sim, id[i]));
    assert_check();
    ck_assert_uint_le(sim->q.dead, eng_pending(sim) + 1024);
    /* one event rescheduled over and over: dead entries stay bounded */
    for (long i = 0; i < 100000; i++)
        ck_assert(eng_reschedule(sim, id[0], 5000 + i % 999983));
    assert_check();
    ck_assert_uint_le(sim->q.dead, eng_pending(sim) + 1024);
    while (eng_step(sim))
        left++;
    ck_assert_uint_eq(left, N / 10);
    free(id);
}
END_TEST

START_TEST(extreme_times)
{
    enum { N = 12000 };
    hs_time last = -1;
    size_t n = 0;

    eng_schedule(sim, HS_TIME_MAX, 3, on_nothing, NULL, 0, 0);
    eng_schedule(sim, HS_TIME_MAX, 0, on_nothing, NULL, 0, 0);
    eng_schedule(sim, 0, 0, on_nothing, NULL, 0, 0);
    for (long i = 0; i < N; i++) {
        uint64_t x = (uint64_t)i * UINT64_C(0x9e3779b97f4a7c15);

        eng_schedule(sim, (hs_time)(x >> 1), (int)(i % 4), on_nothing, NULL, 0,
                     0);
    }
    assert_check();
    while (eng_step(sim)) {
        ck_assert_int_ge(eng_now(sim), last);
        last = eng_now(sim);
        if (++n % 1000 == 0)
            assert_check();
    }
    ck_assert_uint_eq(n, N + 3);
    ck_assert_int_eq(eng_now(sim), HS_TIME_MAX);
    /* time cannot move on, but events at HS_TIME_MAX still fire */
    eng_schedule(sim, HS_TIME_MAX, 0, on_nothing, NULL, 0, 0);
    ck_assert(eng_step(sim));
}
END_TEST

/* ---- eng_check notices corruption ------------------------------------- */

START_TEST(check_detects_heap_disorder)
{
    eq_key k;

    for (hs_time t = 1; t <= 20; t++)
        eng_schedule(sim, t, 0, on_nothing, NULL, 0, 0);
    assert_check();
    k = sim->q.heap.key[0];
    sim->q.heap.key[0] = sim->q.heap.key[5];
    sim->q.heap.key[5] = k;
    assert_check_fails("I");
    sim->q.heap.key[5] = sim->q.heap.key[0];
    sim->q.heap.key[0] = k;
    assert_check();
}
END_TEST

START_TEST(check_detects_bad_counts_and_slots)
{
    uint32_t s;

    for (hs_time t = 1; t <= 20; t++)
        eng_schedule(sim, t, 0, on_nothing, NULL, 0, 0);
    sim->q.pending++;
    assert_check_fails("I1");
    sim->q.pending--;
    s = sim->q.heap.slot[3];
    sim->q.slot[s].gen++; /* pending slot looks free */
    assert_check_fails("I");
    sim->q.slot[s].gen--;
    sim->q.slot[s].fn = NULL;
    assert_check_fails("I7");
    sim->q.slot[s].fn = on_nothing;
    sim->now = 5; /* events in the past */
    assert_check_fails("I7");
    sim->now = 0;
    assert_check();
}
END_TEST

START_TEST(check_detects_misplaced_bucket_entry)
{
    eq_rung *r;
    eq_chunk *c = NULL;

    for (long i = 0; i < 10000; i++)
        eng_schedule(sim, i * 100, 0, on_nothing, NULL, 0, 0);
    ck_assert_uint_gt(sim->q.depth, 0); /* tiered by now */
    assert_check();
    r = &sim->q.rung[sim->q.depth - 1];
    for (uint32_t b = r->cur; b < r->nb && c == NULL; b++)
        c = r->bucket[b].head;
    ck_assert_ptr_nonnull(c);
    c->e[0].key.time += (hs_time)1 << (r->shift + 1);
    sim->q.slot[c->e[0].slot].key.time = c->e[0].key.time;
    assert_check_fails("I4");
}
END_TEST

/* ---- assertions ------------------------------------------------------- */

START_TEST(schedule_in_the_past_aborts)
{
    eng_schedule(sim, 10, 0, on_nothing, NULL, 0, 0);
    eng_step(sim);
    eng_schedule(sim, 9, 0, on_nothing, NULL, 0, 0);
}
END_TEST

START_TEST(priority_out_of_range_aborts)
{
    eng_schedule(sim, 0, 256, on_nothing, NULL, 0, 0);
}
END_TEST

START_TEST(negative_priority_aborts)
{
    eng_schedule(sim, 0, -1, on_nothing, NULL, 0, 0);
}
END_TEST

START_TEST(reschedule_into_the_past_aborts)
{
    eng_event_id id = eng_schedule(sim, 20, 0, on_nothing, NULL, 0, 0);

    eng_schedule(sim, 10, 0, on_nothing, NULL, 0, 0);
    eng_step(sim);
    eng_reschedule(sim, id, 5);
}
END_TEST

Suite *eng_queue_suite(void)
{
    Suite *s = suite_create("eng_queue");
    TCase *core = tcase_create("core");
    TCase *run = tcase_create("run");
    TCase *random = tcase_create("random");
    TCase *check = tcase_create("check");
    const char *fork = getenv("CK_FORK");

    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_test(core, empty_queue);
    tcase_add_test(core, equal_time_priority_then_fifo);
    tcase_add_test(core, priority_255_and_fifo_over_many);
    tcase_add_test(core, stale_handles_are_refused);
    tcase_add_test(core, handle_is_stale_inside_its_handler);
    tcase_add_test(core, reschedule_takes_a_new_sequence_number);
    suite_add_tcase(s, core);

    tcase_add_checked_fixture(run, setup, teardown);
    tcase_add_test(run, run_until_leaves_time_at_the_last_event);
    tcase_add_test(run, stop_from_a_handler);
    tcase_add_test(run, stop_before_run_is_not_lost);
    tcase_add_test(run, stop_from_a_signal_handler);
    tcase_add_test(run, handlers_schedule_and_cancel);
    tcase_add_test(run, handler_schedules_ahead_of_same_time_events);
    suite_add_tcase(s, run);

    tcase_add_checked_fixture(random, setup, teardown);
    tcase_set_timeout(random, 120);
    tcase_add_loop_test(random, random_small_heap_with_ties, 0, 3);
    tcase_add_loop_test(random, random_large_tiered, 0, 2);
    tcase_add_loop_test(random, random_large_with_ties, 0, 2);
    tcase_add_test(random, random_check_every_step);
    tcase_add_test(random, pool_grows_and_is_reused);
    tcase_add_test(random, mass_cancel_keeps_dead_entries_bounded);
    tcase_add_test(random, extreme_times);
    suite_add_tcase(s, random);

    tcase_add_checked_fixture(check, setup, teardown);
    tcase_add_test(check, check_detects_heap_disorder);
    tcase_add_test(check, check_detects_bad_counts_and_slots);
    tcase_add_test(check, check_detects_misplaced_bucket_entry);
    suite_add_tcase(s, check);

    /* these abort the process: only where Check forks, stderr silenced */
    if (fork == NULL || strcmp(fork, "no") != 0) {
        TCase *aborts = tcase_create("aborts");

        tcase_add_checked_fixture(aborts, setup_quiet, teardown);
        tcase_add_test_raise_signal(aborts, schedule_in_the_past_aborts,
                                    SIGABRT);
        tcase_add_test_raise_signal(aborts, priority_out_of_range_aborts,
                                    SIGABRT);
        tcase_add_test_raise_signal(aborts, negative_priority_aborts, SIGABRT);
        tcase_add_test_raise_signal(aborts, reschedule_into_the_past_aborts,
                                    SIGABRT);
        suite_add_tcase(s, aborts);
    }
    return s;
}
