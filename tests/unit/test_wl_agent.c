/*
 * test_wl_agent.c -- closed-loop agent sessions: sources generated from a
 * preset (exact call times and context growth with fixed distributions,
 * counts, gaps, the context cap, blocking, determinism and independence
 * from the consumer's finishing order), the closed-loop replay of session
 * traces with exact times, the shared heap and session table against a
 * reference, and the presets: every shipped one loads, fixtures give
 * exact file:line:col errors, and a scenario binds its preset.  Runs from
 * the repository root.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "hetsim/io.h"
#include "hetsim/preset.h"
#include "hetsim/util.h"
#include "hetsim/workload.h"
#include "workload/workload_int.h"

Suite *wl_agent_suite(void);

#define S(x) ((hs_time)((x)*1e9 + 0.5)) /* seconds to ns, for literals */
#define FIX "tests/data/traces/"
#define PRESETS "tests/data/presets"

/* ---- helpers ------------------------------------------------------------ */

static wl_preset_dist fixed(double v)
{
    wl_preset_dist d;

    memset(&d, 0, sizeof d);
    d.kind = WL_DIST_FIXED;
    d.value = v;
    return d;
}

static wl_preset_dist uniform(double lo, double hi)
{
    wl_preset_dist d;

    memset(&d, 0, sizeof d);
    d.kind = WL_DIST_UNIFORM;
    d.min = lo;
    d.max = hi;
    return d;
}

static wl_preset_dist lognormal(double mean, double cv)
{
    wl_preset_dist d;

    memset(&d, 0, sizeof d);
    d.kind = WL_DIST_LOGNORMAL;
    d.mean = mean;
    d.cv = cv;
    return d;
}

/* 3 calls; start 1000, appended 10, output 100 tokens; tool gap 2 s,
 * think gap 60 s, always a tool; no cap to speak of. */
static wl_preset simple_preset(void)
{
    wl_preset p;

    memset(&p, 0, sizeof p);
    strcpy(p.name, "t");
    p.calls = fixed(3);
    p.start_context = fixed(1000);
    p.appended = fixed(10);
    p.output = fixed(100);
    p.tool_latency = fixed(2);
    p.think_time = fixed(60);
    p.tool_fraction = 1;
    p.max_context = 1000000;
    p.on_max_context = WL_OVERFLOW_END;
    return p;
}

/* Random lengths and gaps, both kinds of gap. */
static wl_preset random_preset(void)
{
    wl_preset p = simple_preset();

    p.calls = uniform(1, 12);
    p.start_context = lognormal(2000, 1);
    p.appended = uniform(10, 20);
    p.output = lognormal(200, 1.5);
    p.tool_latency = lognormal(1, 2);
    p.think_time = uniform(5, 50);
    p.tool_fraction = 0.7;
    return p;
}

static wl_source_spec agent_spec(const wl_preset *p, int64_t sessions,
                                 double rate, double horizon_s)
{
    wl_source_spec s;

    memset(&s, 0, sizeof s);
    s.kind = WL_SOURCE_AGENT;
    s.agent.params = *p;
    s.agent.sessions = sessions;
    s.agent.session_rate = rate;
    s.agent.horizon_s = horizon_s;
    s.loc.file = "s.yaml";
    s.loc.line = 4;
    s.loc.col = 5;
    return s;
}

static wl_source *open_ok(const wl_source_spec *spec, uint64_t seed,
                          hs_diag *d)
{
    wl_source *s = wl_source_open(spec, 2, seed, d);

    ck_assert_msg(s != NULL, "%s",
                  hs_diag_count(d) ? hs_diag_message(d, 0) : "no message");
    return s;
}

static wl_request next_ok(wl_source *s, hs_diag *d)
{
    wl_request r;

    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    return r;
}

/* A consumer: every call finishes 'service(id)' ns after it arrives, in
 * the order of finish times merged with the arrivals, as a simulator
 * would do.  The calls are written to 'out' (up to 'cap'); returns how
 * many there were. */
typedef hs_time (*service_fn)(const wl_request *r);

typedef struct fin {
    hs_time at;
    int64_t session;
} fin;

static size_t drive(wl_source *s, service_fn service, wl_request *out,
                    size_t cap)
{
    hs_diag *d = hs_diag_new();
    fin *pend = hs_malloc(cap * sizeof *pend); /* unsorted, small tests */
    size_t n = 0, np = 0;
    hs_time last = 0;

    for (;;) {
        hs_time t;
        int rc = wl_source_peek(s, &t, d);
        size_t k = 0;

        ck_assert_int_ge(rc, 0);
        for (size_t i = 1; i < np; i++)
            if (pend[i].at < pend[k].at)
                k = i;
        if (np > 0 && (rc == 0 || pend[k].at <= t)) {
            wl_source_finished(s, pend[k].session, pend[k].at);
            pend[k] = pend[--np];
            continue;
        }
        if (rc == 0)
            break;
        ck_assert_uint_lt(n, cap);
        out[n] = next_ok(s, d);
        ck_assert_int_eq(out[n].arrival, t);
        ck_assert_int_ge(out[n].arrival, last);
        last = out[n].arrival;
        pend[np].at = last + service(&out[n]);
        pend[np++].session = out[n].session_id;
        n++;
    }
    ck_assert(!wl_source_blocked(s));
    ck_assert_int_eq(wl_source_count(s), (int64_t)n);
    ck_assert_uint_eq(hs_diag_count(d), 0);
    free(pend);
    hs_diag_free(d);
    return n;
}

static hs_time instant(const wl_request *r)
{
    (void)r;
    return 0;
}

static hs_time slow(const wl_request *r)
{
    /* Longer prompts take longer, and session parity changes the speed,
     * so sessions finish in an order unlike instant()'s. */
    return S(0.5) * (1 + r->session_id % 3) + r->prompt_tokens * 1000;
}

/* ---- agent sources: exact behaviour ------------------------------------- */

START_TEST(calls_wait_for_finished_plus_gap)
{
    wl_preset p = simple_preset();
    wl_source_spec spec = agent_spec(&p, 1, 1, 0);
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, 7, d);
    wl_request r;
    hs_time t;

    ck_assert(wl_source_closed(s)); /* agent sources always are */
    r = next_ok(s, d);
    ck_assert_int_eq(r.arrival, 0);
    ck_assert_int_eq(r.session_id, 0);
    ck_assert_int_eq(r.turn, 0);
    ck_assert_int_eq(r.prompt_tokens, 1000);
    ck_assert_int_eq(r.prefix.tokens, 0);
    ck_assert_uint_eq(r.prefix.key, (UINT64_C(2) << 48) | WL_PREFIX_DERIVED);
    ck_assert_int_eq(r.prefix.tokens, 0);
    ck_assert_int_eq(r.output_tokens, 100);
    ck_assert_int_eq(r.tool_wait, S(2));
    ck_assert(!r.session_last);
    ck_assert_int_eq(r.id, 0);
    ck_assert_int_eq(r.source, 2);
    /* Nothing until the call finishes. */
    ck_assert_int_eq(wl_source_peek(s, &t, d), 0);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(wl_source_blocked(s));
    wl_source_finished(s, 0, S(5));
    ck_assert(!wl_source_blocked(s));
    ck_assert_int_eq(wl_source_peek(s, &t, d), 1);
    ck_assert_int_eq(t, S(7));
    r = next_ok(s, d);
    ck_assert_int_eq(r.arrival, S(7)); /* finished at 5 s + the 2 s tool */
    ck_assert_int_eq(r.turn, 1);
    ck_assert_int_eq(r.prompt_tokens, 1110); /* 1000 + 100 + 10 */
    ck_assert_int_eq(r.prefix.tokens, 1100);
    ck_assert_int_eq(r.id, 1);
    /* Derived prefix ids: session 0 of source 2, the context reusable. */
    ck_assert_ptr_null(r.prefix.ids);
    ck_assert_uint_eq(r.prefix.key, (UINT64_C(2) << 48) | WL_PREFIX_DERIVED);
    ck_assert_int_eq(r.prefix.tokens, 1100);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(wl_source_blocked(s));
    wl_source_finished(s, 0, S(9.5));
    r = next_ok(s, d);
    ck_assert_int_eq(r.arrival, S(11.5));
    ck_assert_int_eq(r.turn, 2);
    ck_assert_int_eq(r.prompt_tokens, 1220);
    ck_assert_int_eq(r.prefix.tokens, 1210);
    ck_assert_int_eq(r.tool_wait, 0);
    ck_assert(r.session_last);
    /* The last call is out: nothing more will come. */
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(!wl_source_blocked(s));
    wl_source_finished(s, 0, S(12));
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(!wl_source_blocked(s));
    ck_assert_int_eq(wl_source_count(s), 3);
    /* Other ids and other sources' requests are ignored. */
    wl_source_finished(s, -1, S(13));
    ck_assert_uint_eq(hs_diag_count(d), 0);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

START_TEST(think_gaps_when_no_tools)
{
    wl_preset p = simple_preset();
    wl_source_spec spec;
    hs_diag *d = hs_diag_new();
    wl_source *s;
    wl_request r;

    p.tool_fraction = 0;
    p.calls = fixed(2);
    spec = agent_spec(&p, 1, 1, 0);
    s = open_ok(&spec, 7, d);
    r = next_ok(s, d);
    ck_assert_int_eq(r.tool_wait, S(60));
    wl_source_finished(s, 0, S(1));
    r = next_ok(s, d);
    ck_assert_int_eq(r.arrival, S(61));
    ck_assert(r.session_last);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

/* prompt of call i = start + sum over j < i of (appended_j + output_j) +
 * appended_i, with random lengths; appended_i = prompt_i - prefix_i. */
START_TEST(context_grows_exactly)
{
    wl_preset p = random_preset();
    wl_source_spec spec = agent_spec(&p, 300, 2, 0);
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, 11, d);
    wl_request *v = hs_malloc(4000 * sizeof *v);
    int64_t *ctx = hs_calloc(300, sizeof *ctx);   /* context so far */
    int64_t *start = hs_calloc(300, sizeof *ctx); /* first prompt */
    int32_t *turns = hs_calloc(300, sizeof *turns);
    size_t n = drive(s, slow, v, 4000);
    int64_t bad = 0; /* asserted once: each assertion is a system call */
    int64_t started = 0;

    for (size_t i = 0; i < n; i++) {
        const wl_request *r = &v[i];
        int64_t id = r->session_id, appended = r->prompt_tokens - ctx[id];

        bad += r->turn != turns[id]++;
        if (r->turn == 0) {
            start[id] = r->prompt_tokens;
            started++;
            bad += r->prefix.tokens != 0;
        } else {
            bad += r->prefix.tokens != ctx[id];
            bad += appended < 10 || appended > 20;
        }
        ctx[id] = r->prompt_tokens + r->output_tokens;
        bad += r->output_tokens < 1;
    }
    ck_assert_int_eq(bad, 0);
    ck_assert_int_eq(started, 300); /* every session, once */
    wl_source_close(s);
    free(v);
    free(ctx);
    free(start);
    free(turns);
    hs_diag_free(d);
}
END_TEST

/* Fixed calls per session: every session appears, in id order of start,
 * with turns 0..k-1; session starts follow the GSL exponential stream. */
START_TEST(sessions_and_calls_are_counted)
{
    wl_preset p = random_preset();
    wl_source_spec spec;
    hs_diag *d = hs_diag_new();
    wl_source *s;
    wl_request *v = hs_malloc(2000 * sizeof *v);
    int32_t turns[200] = {0};
    gsl_rng *g = wl_rng_new(5, 2, WL_STREAM_ARRIVAL);
    double t = 0;
    int64_t next_id = 0;
    size_t n;

    p.calls = fixed(4);
    spec = agent_spec(&p, 200, 3, 0);
    s = open_ok(&spec, 5, d);
    n = drive(s, slow, v, 2000);
    ck_assert_uint_eq(n, 800);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(v[i].id, (int64_t)i);
        ck_assert_int_eq(v[i].turn, turns[v[i].session_id]++);
        ck_assert(v[i].session_last == (v[i].turn == 3));
        if (v[i].turn != 0)
            continue;
        ck_assert_int_eq(v[i].session_id, next_id++);
        ck_assert_int_eq(v[i].arrival, hs_time_from_s(t));
        t += gsl_ran_exponential(g, 1.0 / 3);
    }
    ck_assert_int_eq(next_id, 200);
    gsl_rng_free(g);
    wl_source_close(s);
    free(v);
    hs_diag_free(d);
}
END_TEST

/* With a horizon and no count, sessions start while the next start is
 * before it; those already started run to their end. */
START_TEST(horizon_ends_the_starts)
{
    wl_preset p = simple_preset();
    wl_source_spec spec = agent_spec(&p, 0, 4, 10);
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, 3, d);
    wl_request *v = hs_malloc(1000 * sizeof *v);
    gsl_rng *g = wl_rng_new(3, 2, WL_STREAM_ARRIVAL);
    int64_t want = 0, got = 0;
    hs_time latest = 0, last_start = 0;
    size_t n;

    for (double t = 0; hs_time_from_s(t) < S(10);
         t += gsl_ran_exponential(g, 1.0 / 4)) {
        last_start = hs_time_from_s(t);
        want++;
    }
    n = drive(s, instant, v, 1000);
    for (size_t i = 0; i < n; i++) {
        if (v[i].turn == 0) {
            got++;
            ck_assert_int_lt(v[i].arrival, S(10));
        }
        if (v[i].arrival > latest)
            latest = v[i].arrival;
    }
    ck_assert_int_eq(got, want);
    ck_assert_uint_eq(n, (size_t)(3 * want));
    /* The last session's calls come after the horizon: instant calls,
     * two 2 s tool gaps. */
    ck_assert_int_eq(latest, last_start + S(4));
    gsl_rng_free(g);
    wl_source_close(s);
    free(v);
    hs_diag_free(d);
}
END_TEST

/* Over max_context: 'end' stops the session, 'compact' starts afresh. */
START_TEST(context_cap)
{
    wl_preset p = simple_preset();
    wl_source_spec spec;
    hs_diag *d = hs_diag_new();
    wl_source *s;
    wl_request v[16];
    size_t n;

    p.calls = fixed(5);
    p.appended = fixed(500);
    p.output = fixed(500);
    p.max_context = 2500;
    spec = agent_spec(&p, 1, 1, 0);
    s = open_ok(&spec, 1, d);
    n = drive(s, instant, v, 16);
    /* 1000 (ctx 1500), 2000 (ctx 2500), then 3000 > 2500: ends. */
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(v[1].prompt_tokens, 2000);
    ck_assert_int_eq(v[1].prefix.tokens, 1500);
    ck_assert(v[1].session_last);
    ck_assert_int_eq(v[1].tool_wait, 0);
    wl_source_close(s);

    spec.agent.params.on_max_context = WL_OVERFLOW_COMPACT;
    s = open_ok(&spec, 1, d);
    n = drive(s, instant, v, 16);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(v[2].prompt_tokens, 1000); /* a fresh start */
    ck_assert_int_eq(v[2].prefix.tokens, 0);
    ck_assert_int_eq(v[3].prompt_tokens, 2000);
    ck_assert_int_eq(v[3].prefix.tokens, 1500);
    ck_assert_int_eq(v[4].prompt_tokens, 1000);
    ck_assert(v[4].session_last);
    wl_source_close(s);

    /* A first prompt over the cap is clamped to it. */
    spec.agent.params.max_context = 600;
    s = open_ok(&spec, 1, d);
    n = drive(s, instant, v, 16);
    ck_assert_int_eq(v[0].prompt_tokens, 600);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

/* Session starts and due calls interleave in (arrival, session id) order;
 * a peeked arrival can be overtaken by a finished call's next one. */
START_TEST(starts_and_due_calls_merge)
{
    wl_preset p = simple_preset();
    wl_source_spec spec = agent_spec(&p, 3, 0.001, 0); /* starts far apart */
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, 9, d);
    gsl_rng *g = wl_rng_new(9, 2, WL_STREAM_ARRIVAL);
    wl_request r;
    hs_time t, second;

    r = next_ok(s, d);
    ck_assert_int_eq(r.arrival, 0);
    ck_assert_int_eq(wl_source_peek(s, &second, d), 1); /* session 1 */
    ck_assert_int_eq(second,
                     hs_time_from_s(gsl_ran_exponential(g, 1.0 / 0.001)));
    gsl_rng_free(g);
    ck_assert(!wl_source_blocked(s));
    wl_source_finished(s, 0, S(1));
    ck_assert_int_eq(wl_source_peek(s, &t, d), 1);
    ck_assert_int_eq(t, S(3)); /* session 0's call 1 comes first now */
    r = next_ok(s, d);
    ck_assert_int_eq(r.session_id, 0);
    ck_assert_int_eq(r.arrival, S(3));
    ck_assert_int_eq(wl_source_peek(s, &t, d), 1);
    ck_assert_int_eq(t, second);
    r = next_ok(s, d);
    ck_assert_int_eq(r.session_id, 1);
    ck_assert_int_eq(r.arrival, second);
    /* Another session, another context key. */
    ck_assert_uint_eq(r.prefix.key, (UINT64_C(2) << 48) ^ (UINT64_C(1) << 20) ^
                                        WL_PREFIX_DERIVED);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

/* ---- determinism -------------------------------------------------------- */

/* True if the two lists hold the same calls, field by field. */
static bool same_calls(const wl_request *a, const wl_request *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].id != b[i].id || a[i].arrival != b[i].arrival ||
            a[i].prompt_tokens != b[i].prompt_tokens ||
            a[i].output_tokens != b[i].output_tokens ||
            a[i].session_id != b[i].session_id || a[i].turn != b[i].turn ||
            a[i].prefix.tokens != b[i].prefix.tokens ||
            a[i].tool_wait != b[i].tool_wait ||
            a[i].session_last != b[i].session_last)
            return false;
    return true;
}

/* Per session, the calls (turn, prompt, prefix, output, gap) as one
 * checksum per session id. */
static void per_session(const wl_request *v, size_t n, uint64_t *sum,
                        size_t n_sessions)
{
    memset(sum, 0, n_sessions * sizeof *sum);
    for (size_t i = 0; i < n; i++) {
        uint64_t h = wl_stream_seed((uint64_t)v[i].prompt_tokens, v[i].turn,
                                    (uint32_t)v[i].output_tokens);

        h = wl_stream_seed(h ^ (uint64_t)v[i].prefix.tokens,
                           (int32_t)(v[i].tool_wait % 1000003), 1);
        sum[v[i].session_id] += h;
    }
}

START_TEST(same_seed_same_sessions)
{
    wl_preset p = random_preset();
    wl_source_spec spec = agent_spec(&p, 150, 1, 0);
    hs_diag *d = hs_diag_new();
    wl_request *a = hs_malloc(3000 * sizeof *a);
    wl_request *b = hs_malloc(3000 * sizeof *b);
    uint64_t sa[150], sb[150];
    wl_source *s;
    size_t na, nb;

    s = open_ok(&spec, 42, d);
    na = drive(s, slow, a, 3000);
    wl_source_close(s);
    s = open_ok(&spec, 42, d);
    nb = drive(s, slow, b, 3000);
    wl_source_close(s);
    ck_assert_uint_eq(na, nb);
    ck_assert(same_calls(a, b, na));

    /* A different finishing order (a faster "cluster") changes the times
     * but not the sessions' calls. */
    s = open_ok(&spec, 42, d);
    nb = drive(s, instant, b, 3000);
    wl_source_close(s);
    ck_assert_uint_eq(na, nb);
    per_session(a, na, sa, 150);
    per_session(b, nb, sb, 150);
    ck_assert_int_eq(memcmp(sa, sb, sizeof sa), 0);
    ck_assert(!same_calls(a, b, na));

    /* Another seed, other sessions. */
    s = open_ok(&spec, 43, d);
    nb = drive(s, slow, b, 3000);
    wl_source_close(s);
    per_session(b, nb, sb, 150);
    ck_assert_int_ne(memcmp(sa, sb, sizeof sa), 0);
    free(a);
    free(b);
    hs_diag_free(d);
}
END_TEST

/* ---- spec errors -------------------------------------------------------- */

START_TEST(bad_agent_specs)
{
    wl_preset p = simple_preset();
    wl_source_spec spec = agent_spec(&p, 0, 0, 0);
    hs_diag *d = hs_diag_new();

    spec.agent.params.calls = uniform(0, 0);
    spec.agent.params.output = lognormal(0, 1);
    spec.agent.params.tool_fraction = 2;
    spec.agent.params.max_context = 0;
    ck_assert_ptr_null(wl_source_open(&spec, 0, 1, d));
    ck_assert_uint_eq(hs_diag_count(d), 6);
    ck_assert_str_eq(hs_diag_message(d, 0),
                     "s.yaml:4:5: error: 'session_rate' must be > 0, got 0");
    ck_assert_str_eq(hs_diag_message(d, 1),
                     "s.yaml:4:5: error: agent source needs 'sessions' or "
                     "'horizon' to end");
    ck_assert_str_eq(hs_diag_message(d, 2),
                     "s.yaml:4:5: error: preset 't': calls: uniform needs "
                     "'max' > 0 and >= 'min'");
    ck_assert_str_eq(hs_diag_message(d, 3),
                     "s.yaml:4:5: error: preset 't': output: lognormal "
                     "needs 'mean' > 0 and 'cv' >= 0");
    ck_assert_str_eq(hs_diag_message(d, 4),
                     "s.yaml:4:5: error: preset 't': 'tool_fraction' must "
                     "be in [0, 1], got 2");
    ck_assert_str_eq(hs_diag_message(d, 5),
                     "s.yaml:4:5: error: preset 't': 'max_context' must be "
                     ">= 1, got 0");
    hs_diag_free(d);
}
END_TEST

/* ---- session-trace replay ----------------------------------------------- */

static wl_source_spec sessions_spec(const char *path)
{
    wl_source_spec s;

    memset(&s, 0, sizeof s);
    s.kind = WL_SOURCE_TRACE;
    s.trace.format = WL_TRACE_SESSIONS;
    s.trace.path = (char *)path;
    s.trace.time_scale = 1.0;
    return s;
}

static void expect_call(const wl_request *r, int64_t session, int32_t turn,
                        hs_time arrival, int64_t prompt, int64_t prefix,
                        bool last)
{
    ck_assert_int_eq(r->session_id, session);
    ck_assert_int_eq(r->turn, turn);
    ck_assert_int_eq(r->arrival, arrival);
    ck_assert_int_eq(r->prompt_tokens, prompt);
    ck_assert_int_eq(r->prefix.tokens, prefix);
    ck_assert(r->session_last == last);
}

/* tests/data/traces/sessions_loop.csv: session 7 at 0 ms (2 rounds, wait
 * 50 ms), session 3 at 20 ms (3 rounds, waits 1000 and 10 ms), session 9
 * at 20 ms (1 round). */
START_TEST(replay_is_closed_loop)
{
    wl_source_spec spec = sessions_spec(FIX "sessions_loop.csv");
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, 1, d);
    wl_request r;
    hs_time t;

    r = next_ok(s, d);
    expect_call(&r, 7, 0, 0, 100, 0, false);
    ck_assert_int_eq(r.tool_wait, S(0.05));
    r = next_ok(s, d);
    expect_call(&r, 3, 0, S(0.02), 200, 0, false); /* ties by session id */
    r = next_ok(s, d);
    expect_call(&r, 9, 0, S(0.02), 50, 0, true);
    ck_assert_int_eq(wl_source_peek(s, &t, d), 0);
    ck_assert(wl_source_blocked(s));
    wl_source_finished(s, 7, S(0.025));
    ck_assert(!wl_source_blocked(s));
    ck_assert_int_eq(wl_source_peek(s, &t, d), 1);
    ck_assert_int_eq(t, S(0.075));
    wl_source_finished(s, 3, S(0.03)); /* due at 1.03 s */
    wl_source_finished(s, 9, S(0.04)); /* its last: forgotten */
    r = next_ok(s, d);
    expect_call(&r, 7, 1, S(0.075), 130, 110, true);
    wl_source_finished(s, 7, S(0.1));
    r = next_ok(s, d);
    expect_call(&r, 3, 1, S(1.03), 250, 220, false);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(wl_source_blocked(s));
    wl_source_finished(s, 3, S(1.1));
    r = next_ok(s, d);
    expect_call(&r, 3, 2, S(1.11), 260, 255, true);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(!wl_source_blocked(s));
    wl_source_finished(s, 3, S(1.2));
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert_int_eq(wl_source_count(s), 6);
    ck_assert_uint_eq(hs_diag_count(d), 0);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

START_TEST(replay_rejects_a_running_session_id)
{
    wl_source_spec spec = sessions_spec(FIX "sessions_dup.csv");
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, 1, d);
    wl_request r;
    hs_time t;

    r = next_ok(s, d);
    expect_call(&r, 4, 0, 0, 10, 0, false);
    r = next_ok(s, d);
    expect_call(&r, 5, 0, 0, 10, 0, true);
    ck_assert_int_eq(wl_source_next(s, &r, d), HS_EINPUT);
    ck_assert_uint_eq(hs_diag_count(d), 1);
    ck_assert_str_eq(hs_diag_message(d, 0),
                     FIX "sessions_dup.csv:5: error: column 'session_id': "
                         "session 4 starts again while its earlier session "
                         "is still running");
    ck_assert_int_eq(wl_source_peek(s, &t, d), HS_EINPUT); /* sticky */
    ck_assert_int_eq(wl_source_next(s, &r, d), HS_EINPUT);
    ck_assert_uint_eq(hs_diag_count(d), 1);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

/* The bundled example replays every row once, whatever the speed. */
START_TEST(replay_bundled_example)
{
    wl_source_spec spec =
        sessions_spec("traces/tracelab_sessions_example.csv");
    hs_diag *d = hs_diag_new();
    wl_request *v = hs_malloc(400 * sizeof *v);
    wl_source *s = open_ok(&spec, 1, d);
    int64_t prompt = 0, prefix = 0;
    size_t n = drive(s, slow, v, 400);

    ck_assert_uint_eq(n, 303);
    for (size_t i = 0; i < n; i++) {
        prompt += v[i].prompt_tokens;
        prefix += v[i].prefix.tokens;
    }
    ck_assert_int_eq(prompt, 1150397); /* as test_wl_traces.c */
    ck_assert_int_eq(prefix, 939365);
    wl_source_close(s);
    free(v);
    hs_diag_free(d);
}
END_TEST

/* ---- the heap and the session table ------------------------------------- */

/* Random adds, removes, pushes and pops against a plain array, with
 * wl_loop_check() after every step. */
START_TEST(loop_against_reference)
{
    enum { IDS = 300 };
    wl_loop l;
    uint32_t slot[IDS];
    bool active[IDS] = {false}, queued[IDS] = {false};
    hs_time due[IDS];
    gsl_rng *g = wl_rng_new(1, 0, 0);
    const char *why = NULL;
    uint32_t n_active = 0, peak = 0;

    wl_loop_init(&l);
    for (int step = 0; step < 20000; step++) {
        int64_t id = (int64_t)gsl_rng_uniform_int(g, IDS);
        int op = (int)gsl_rng_uniform_int(g, 4);

        if (op == 0 && !active[id]) {
            slot[id] = wl_loop_add(&l, id * 7919 + 5); /* spread ids */
            ck_assert_uint_ne(slot[id], WL_NO_SLOT);
            ck_assert_uint_eq(wl_loop_add(&l, id * 7919 + 5), WL_NO_SLOT);
            active[id] = true;
            peak = ++n_active > peak ? n_active : peak;
        } else if (op == 1 && active[id] && !queued[id]) {
            wl_loop_remove(&l, id * 7919 + 5);
            active[id] = false;
            n_active--;
        } else if (op == 2 && active[id] && !queued[id]) {
            due[id] = (hs_time)gsl_rng_uniform_int(g, 50);
            wl_loop_push(&l, due[id], id * 7919 + 5, slot[id]);
            queued[id] = true;
        } else if (op == 3 && wl_loop_top(&l) != NULL) {
            wl_due top = wl_loop_pop(&l);
            int64_t k = (top.session_id - 5) / 7919;

            for (int64_t j = 0; j < IDS; j++) /* none comes before it */
                ck_assert(!queued[j] ||
                          !wl_due_before(due[j], j * 7919 + 5, top.arrival,
                                         top.session_id));
            ck_assert(queued[k]);
            ck_assert_int_eq(top.arrival, due[k]);
            ck_assert_uint_eq(top.slot, slot[k]);
            queued[k] = false;
        }
        for (int64_t j = 0; j < IDS; j++)
            if ((wl_loop_find(&l, j * 7919 + 5) != WL_NO_SLOT) != active[j])
                ck_abort_msg("find disagrees for id %lld", (long long)j);
        ck_assert_msg(wl_loop_check(&l, &why), "%s", why);
    }
    ck_assert_uint_eq(l.n_slots, peak); /* slots are reused */
    wl_loop_fini(&l);
    gsl_rng_free(g);
}
END_TEST

/* The checker sees each broken invariant. */
START_TEST(loop_check_finds_broken_invariants)
{
    wl_loop l;
    const char *why = NULL;
    uint32_t a, b;

    wl_loop_init(&l);
    a = wl_loop_add(&l, 10);
    b = wl_loop_add(&l, 20);
    wl_loop_push(&l, 5, 10, a);
    wl_loop_push(&l, 7, 20, b);
    ck_assert_msg(wl_loop_check(&l, &why), "%s", why);
    l.heap[0].arrival = 9; /* now after its child */
    ck_assert(!wl_loop_check(&l, &why));
    ck_assert_str_eq(why, "I1 heap order");
    l.heap[0].arrival = 5;
    l.heap[1].slot = a; /* session 20 with session 10's slot */
    ck_assert(!wl_loop_check(&l, &why));
    ck_assert_str_eq(why, "I2 heap entry of an inactive session");
    l.heap[1].slot = b;
    wl_loop_pop(&l);
    wl_loop_pop(&l);
    wl_loop_remove(&l, 20);
    ck_assert_msg(wl_loop_check(&l, &why), "%s", why);
    hs_table_put(&l.active, 30, b); /* a free slot in use */
    ck_assert(!wl_loop_check(&l, &why));
    ck_assert_str_eq(why, "I3 active slot out of range, shared or free");
    hs_table_del(&l.active, 30);
    l.n_slots++; /* a slot neither active nor free */
    ck_assert(!wl_loop_check(&l, &why));
    ck_assert_str_eq(why, "I3 slots neither active nor free");
    wl_loop_fini(&l);
}
END_TEST

/* ---- presets ------------------------------------------------------------ */

START_TEST(shipped_presets_load)
{
    static const char *const want[] = {"chat", "coding", "computer-use",
                                       "web"};
    hs_diag *d = hs_diag_new();
    hs_loc none = {NULL, 0, 0};
    char **names;
    size_t n;

    ck_assert_int_eq(io_preset_list("configs", &names, &n, d), HS_OK);
    ck_assert_uint_eq(n, 4);
    for (size_t i = 0; i < n; i++) {
        wl_preset p;
        wl_source_spec spec;
        wl_source *s;
        wl_request *v = hs_malloc(20000 * sizeof *v);
        size_t calls;
        int64_t firsts, lasts;

        ck_assert_str_eq(names[i], want[i]);
        ck_assert_msg(io_preset_load("configs", names[i], &p, none, d) ==
                          HS_OK,
                      "%s", hs_diag_count(d) ? hs_diag_message(d, 0) : "");
        ck_assert_str_eq(p.name, names[i]);
        ck_assert(p.description[0] != '\0');
        /* It runs, and every prompt respects the cap. */
        spec = agent_spec(&p, 50, 1, 0);
        s = open_ok(&spec, 1, d);
        calls = drive(s, instant, v, 20000);
        firsts = lasts = 0;
        for (size_t k = 0; k < calls; k++) {
            ck_assert_int_le(v[k].prompt_tokens, p.max_context);
            ck_assert_int_le(v[k].prefix.tokens, v[k].prompt_tokens);
            firsts += v[k].turn == 0;
            lasts += v[k].session_last;
        }
        ck_assert_int_eq(firsts, 50); /* every session starts and ends */
        ck_assert_int_eq(lasts, 50);
        wl_source_close(s);
        free(v);
    }
    io_names_free(names, n);
    ck_assert_uint_eq(hs_diag_count(d), 0);
    hs_diag_free(d);
}
END_TEST

START_TEST(preset_fixture_values)
{
    hs_diag *d = hs_diag_new();
    hs_loc none = {NULL, 0, 0};
    wl_preset p;

    ck_assert_int_eq(io_preset_load(PRESETS, "good", &p, none, d), HS_OK);
    ck_assert_str_eq(p.description, "all forms");
    ck_assert_int_eq(p.calls.kind, WL_DIST_UNIFORM);
    ck_assert_double_eq(p.calls.max, 5);
    ck_assert_double_eq(p.start_context.value, 1000);
    ck_assert_int_eq(p.appended.kind, WL_DIST_LOGNORMAL);
    ck_assert_double_eq(p.appended.min, 10);
    ck_assert_double_eq(p.appended.max, 200);
    ck_assert_double_eq_tol(p.tool_latency.min, 0.1, 1e-12);
    ck_assert_double_eq(p.tool_latency.max, 2);
    ck_assert_double_eq(p.think_time.mean, 60);
    ck_assert_double_eq(p.think_time.max, 3600);
    ck_assert_double_eq(p.tool_fraction, 0.25);
    ck_assert_int_eq(p.max_context, 32000);
    ck_assert_int_eq(p.on_max_context, WL_OVERFLOW_COMPACT);
    ck_assert_str_eq(io_overflow_name(p.on_max_context), "compact");
    ck_assert_uint_eq(hs_diag_count(d), 0);
    hs_diag_free(d);
}
END_TEST

static void expect_msgs(hs_diag *d, const char *const *want)
{
    size_t n = 0;

    for (; want[n] != NULL; n++) {
        ck_assert_uint_gt(hs_diag_count(d), n);
        ck_assert_str_eq(hs_diag_message(d, n), want[n]);
    }
    ck_assert_uint_eq(hs_diag_count(d), n);
    hs_diag_clear(d);
}

#define BAD PRESETS "/presets/bad.yaml:"

START_TEST(preset_errors_have_locations)
{
    static const char *const bad[] = {
        BAD "1:1: error: missing required key 'max_context'",
        BAD "1:7: error: name: expected 'bad' (the file name), found "
            "'wrong'",
        BAD "2:32: error: calls: 'mean' does not apply to dist 'fixed'",
        BAD "3:23: error: start_context.dist: expected one of fixed, "
            "uniform, lognormal, found 'empirical'",
        BAD "3:34: error: start_context: unknown key 'trace' (expected one "
            "of dist, value, min, max, mean, cv)",
        BAD "4:41: error: appended.max: expected a number >= min (20), "
            "found '10'",
        BAD "5:33: error: output.mean: expected a number > 0, found '0'",
        BAD "6:39: error: tool_latency.mean: expected a time like '150ns', "
            "found '18.4' (no unit)",
        BAD "7:34: error: think_time.value: expected a time like '150ns', "
            "found '5 parsecs' (unknown unit 'parsecs')",
        BAD "8:16: error: tool_fraction: expected a number between 0 and 1, "
            "found '1.5'",
        BAD "9:17: error: on_max_context: expected one of end, compact, "
            "found 'shrink'",
        BAD "10:1: error: unknown key 'colour' (expected one of name, "
            "description, calls, start_context, appended, output, "
            "tool_latency, think_time, tool_fraction, max_context, "
            "on_max_context)",
        NULL};
    static const char *const scalar[] = {
        PRESETS "/presets/scalar.yaml:1:1: error: expected a mapping, found "
                "'just a string'",
        NULL};
    static const char *const unknown[] = {
        "s.yaml:3:7: error: no preset 'nope' in " PRESETS
        "/presets (known: bad, good, scalar)",
        NULL};
    static const char *const nodir[] = {
        "error: no preset 'x' in tests/data/nowhere/presets (cannot read "
        "the directory: No such file or directory)",
        NULL};
    hs_diag *d = hs_diag_new();
    hs_loc at = {"s.yaml", 3, 7}, none = {NULL, 0, 0};
    wl_preset p;

    ck_assert_int_eq(io_preset_load(PRESETS, "bad", &p, at, d), HS_EINPUT);
    expect_msgs(d, bad);
    ck_assert_int_eq(io_preset_load(PRESETS, "scalar", &p, at, d), HS_EINPUT);
    expect_msgs(d, scalar);
    ck_assert_int_eq(io_preset_load(PRESETS, "nope", &p, at, d), HS_EINPUT);
    expect_msgs(d, unknown);
    ck_assert_int_eq(io_preset_load(PRESETS, "../good", &p, at, d), HS_EINPUT);
    hs_diag_clear(d);
    ck_assert_int_eq(io_preset_load("tests/data/nowhere", "x", &p, none, d),
                     HS_EINPUT);
    expect_msgs(d, nodir);
    hs_diag_free(d);
}
END_TEST

/* The scenario binds the preset at load time (test catalog: only
 * 'coding', a made-up one); an unknown name is reported at 'preset:'. */
START_TEST(scenario_binds_the_preset)
{
    static const char text[] =
        "model: tiny\n"
        "hardware:\n"
        "  a: {catalog: gpu-a}\n"
        "cluster:\n"
        "  instances: [{name: mono, device: a, tp: 2}]\n"
        "workload:\n"
        "  - {name: ag, agent: {preset: coding, session_rate: 2/s, "
        "sessions: 5}}\n"
        "  - {name: bad, agent: {preset: chatty, session_rate: 2/s, "
        "sessions: 5}}\n";
    io_scenario_opts opts;
    sc_scenario *sc = NULL;
    hs_diag *d = hs_diag_new();

    memset(&opts, 0, sizeof opts);
    opts.text = text;
    opts.catalog_dir = "tests/data/catalog";
    ck_assert_int_eq(
        io_scenario_load_opts("tests/data/scenarios/t.yaml", &opts, &sc, d),
        HS_EINPUT);
    ck_assert_uint_eq(hs_diag_count(d), 1);
    ck_assert_str_eq(hs_diag_message(d, 0),
                     "tests/data/scenarios/t.yaml:8:33: error: "
                     "workload.1.agent.preset: no preset 'chatty' in "
                     "tests/data/catalog/presets (known: coding)");
    hs_diag_clear(d);
    opts.text = "model: tiny\n"
                "hardware:\n"
                "  a: {catalog: gpu-a}\n"
                "cluster:\n"
                "  instances: [{name: mono, device: a, tp: 2}]\n"
                "workload:\n"
                "  - {name: ag, agent: {preset: coding, session_rate: 2/s, "
                "sessions: 5}}\n";
    ck_assert_int_eq(
        io_scenario_load_opts("tests/data/scenarios/t.yaml", &opts, &sc, d),
        HS_OK);
    ck_assert_str_eq(sc->workload[0].agent.preset, "coding");
    ck_assert_str_eq(sc->workload[0].agent.params.name, "coding");
    ck_assert_double_eq(sc->workload[0].agent.params.calls.value, 3);
    ck_assert_double_eq(sc->workload[0].agent.params.tool_latency.value, 0.25);
    ck_assert_int_eq(sc->workload[0].agent.params.max_context, 8000);
    sc_scenario_free(sc);
    hs_diag_free(d);
}
END_TEST

Suite *wl_agent_suite(void)
{
    Suite *s = suite_create("wl_agent");
    TCase *agent = tcase_create("agent");
    TCase *replay = tcase_create("replay");
    TCase *loop = tcase_create("loop");
    TCase *presets = tcase_create("presets");

    tcase_add_test(agent, calls_wait_for_finished_plus_gap);
    tcase_add_test(agent, think_gaps_when_no_tools);
    tcase_add_test(agent, context_grows_exactly);
    tcase_add_test(agent, sessions_and_calls_are_counted);
    tcase_add_test(agent, horizon_ends_the_starts);
    tcase_add_test(agent, context_cap);
    tcase_add_test(agent, starts_and_due_calls_merge);
    tcase_add_test(agent, same_seed_same_sessions);
    tcase_add_test(agent, bad_agent_specs);
    suite_add_tcase(s, agent);
    tcase_add_test(replay, replay_is_closed_loop);
    tcase_add_test(replay, replay_rejects_a_running_session_id);
    tcase_add_test(replay, replay_bundled_example);
    suite_add_tcase(s, replay);
    tcase_set_timeout(loop, 60); /* 20,000 checked steps; slow under SAN */
    tcase_add_test(loop, loop_against_reference);
    tcase_add_test(loop, loop_check_finds_broken_invariants);
    suite_add_tcase(s, loop);
    tcase_add_test(presets, shipped_presets_load);
    tcase_add_test(presets, preset_fixture_values);
    tcase_add_test(presets, preset_errors_have_locations);
    tcase_add_test(presets, scenario_binds_the_preset);
    suite_add_tcase(s, presets);
    return s;
}
