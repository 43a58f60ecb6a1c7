/*
 * bench_engine.c -- the "hold" micro-benchmark of the event engine.
 *
 * Fill the queue with PENDING events, then fire PAIRS events one by one
 * with eng_step(); each handler schedules one new event at now + a
 * random increment, so the queue stays at PENDING events and every step
 * is one pop plus one insert.  Increments are exponential (the classic
 * hold model) or uniform on [0, 2 * mean), with mean MEAN_NS, drawn from
 * a fixed-seed xorshift64* generator, so every run does the same work.
 * The timed loop includes drawing the increment and calling the handler,
 * as a simulation would.
 *
 * Usage: bench_engine [PENDING [PAIRS [exp|uniform [MEAN_NS]]]]
 *        (defaults: 1000000 20000000 exp 1000000)
 * Output: one line,
 *   engine hold: 1000000 pending, 20000000 pairs, 1.23 s, 16.2 M pairs/s
 * Figures are recorded in docs/performance.md.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hetsim/engine.h"

#define DEFAULT_PENDING 1000000L
#define DEFAULT_PAIRS 20000000L
#define DEFAULT_MEAN_NS 1000000L /* 1 ms, the scale of a decode step */
#define SEED UINT64_C(0x9e3779b97f4a7c15)

typedef struct hold {
    uint64_t rng; /* xorshift64* state, never 0 */
    double mean;  /* mean increment, ns */
    bool uniform; /* uniform on [0, 2 mean) instead of exponential */
} hold;

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * UINT64_C(0x2545f4914f6cdd1d);
}

/* The next increment, in whole ns. */
static hs_time increment(hold *h)
{
    /* 53 random bits -> u in (0, 1] */
    double u = ((double)(xorshift(&h->rng) >> 11) + 1.0) / 9007199254740992.0;

    if (h->uniform)
        return (hs_time)(2.0 * h->mean * u);
    return (hs_time)(-h->mean * log(u));
}

static void on_hold(eng_sim *sim, void *target, uint32_t kind, uint64_t arg)
{
    hold *h = target;

    eng_schedule(sim, eng_now(sim) + increment(h), ENG_PRIO_ARRIVAL, on_hold,
                 h, kind, arg);
}

static double seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static HS_NORETURN void usage(void)
{
    fprintf(stderr, "usage: bench_engine [PENDING [PAIRS [exp|uniform "
                    "[MEAN_NS]]]]\n");
    exit(2);
}

/* The positive count in argv[i], or 'def' when absent. */
static long count_arg(int argc, char **argv, int i, long def)
{
    char *end;
    long v;

    if (argc <= i)
        return def;
    v = strtol(argv[i], &end, 10);
    if (*end != '\0' || v <= 0)
        usage();
    return v;
}

int main(int argc, char **argv)
{
    long pending = count_arg(argc, argv, 1, DEFAULT_PENDING);
    long pairs = count_arg(argc, argv, 2, DEFAULT_PAIRS);
    hold h = {SEED, 0, false};
    eng_sim *sim;
    double t0, dt;

    if (argc > 3 && strcmp(argv[3], "uniform") == 0)
        h.uniform = true;
    else if (argc > 3 && strcmp(argv[3], "exp") != 0)
        usage();
    h.mean = (double)count_arg(argc, argv, 4, DEFAULT_MEAN_NS);
    sim = eng_sim_new();
    for (long i = 0; i < pending; i++)
        eng_schedule(sim, increment(&h), ENG_PRIO_ARRIVAL, on_hold, &h, 0, 0);
    t0 = seconds();
    for (long i = 0; i < pairs; i++)
        eng_step(sim);
    dt = seconds() - t0;
    if (eng_pending(sim) != (size_t)pending ||
        eng_events_fired(sim) != (uint64_t)pairs) {
        fprintf(stderr, "bench_engine: the queue lost events\n");
        return 1;
    }
    printf("engine hold: %ld pending, %ld pairs, %.2f s, %.1f M pairs/s\n",
           pending, pairs, dt, (double)pairs / dt / 1e6);
    eng_sim_free(sim);
    return 0;
}
