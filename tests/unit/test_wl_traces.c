/*
 * test_wl_traces.c -- the streamed trace readers: exact counts, token sums
 * and arrival times on the bundled traces (expected values computed
 * independently from the shared data with Python), time_scale and
 * max_requests, every format's corner cases, and the exact text of the
 * errors for malformed files.  Runs from the repository root.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ck_util.h"
#include "hetsim/util.h"
#include "hetsim/workload.h"
#include "workload/workload_int.h"

Suite *wl_traces_suite(void);

#define FIX "tests/data/traces/"

/* Totals over a whole trace. */
typedef struct totals {
    int64_t n;
    int64_t prompt, output, prefix;
    int64_t first, second, last;
    int64_t n_hash, hash_sum;
    int64_t sessions; /* rows with turn 0 and a session */
    int64_t tool_wait;
} totals;

static wl_source_spec trace_spec(wl_trace_format f, const char *path)
{
    wl_source_spec s;

    memset(&s, 0, sizeof s);
    s.kind = WL_SOURCE_TRACE;
    s.trace.format = f;
    s.trace.path = (char *)path;
    s.trace.time_scale = 1.0;
    return s;
}

static wl_source *open_ok(const wl_source_spec *spec, hs_diag *d)
{
    wl_source *s = wl_source_open(spec, 3, 42, d);

    ck_assert_msg(s != NULL, "%s",
                  hs_diag_count(d) ? hs_diag_message(d, 0) : "no message");
    return s;
}

/* Read the whole source.  Session traces replay closed-loop: every call
 * is reported finished the moment it arrives (an infinitely fast
 * cluster), so a session's next call comes tool_wait after the last. */
static totals read_all(const wl_source_spec *spec)
{
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(spec, d);
    totals t;
    wl_request r;
    int64_t odd = 0; /* asserted once: each assertion is a system call */
    int rc;

    memset(&t, 0, sizeof t);
    while ((rc = wl_source_next(s, &r, d)) == 1) {
        odd += r.id != t.n || r.source != 3 || r.arrival < t.last;
        if (t.n == 0)
            t.first = r.arrival;
        if (t.n == 1)
            t.second = r.arrival;
        t.last = r.arrival;
        t.prompt += r.prompt_tokens;
        t.output += r.output_tokens;
        t.prefix += r.prefix.tokens;
        t.tool_wait += r.tool_wait;
        t.n_hash += (int64_t)r.prefix.n_ids;
        for (size_t i = 0; i < r.prefix.n_ids; i++)
            t.hash_sum += r.prefix.ids[i];
        if (r.session_id >= 0 && r.turn == 0)
            t.sessions++;
        t.n++;
        wl_source_finished(s, r.session_id, r.arrival);
    }
    ck_assert_msg(rc == 0, "%s",
                  hs_diag_count(d) ? hs_diag_message(d, 0) : "no message");
    ck_assert_int_eq(odd, 0);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0); /* stays exhausted */
    ck_assert(!wl_source_blocked(s));
    ck_assert_int_eq(wl_source_count(s), t.n);
    ck_assert_uint_eq(hs_diag_count(d), 0);
    wl_source_close(s);
    hs_diag_free(d);
    return t;
}

/* ---- bundled traces ---------------------------------------------------- */

START_TEST(azure_conv_totals)
{
    wl_source_spec spec = trace_spec(WL_TRACE_AZURE, "traces/azure_conv.csv");
    totals t = read_all(&spec);

    ck_assert_int_eq(t.n, 19366);
    ck_assert_int_eq(t.prompt, 22361870);
    ck_assert_int_eq(t.output, 4088665);
    ck_assert_int_eq(t.first, 0);
    ck_assert_int_eq(t.second, INT64_C(4314579000));
    ck_assert_int_eq(t.last, INT64_C(3501721937000));
    ck_assert_int_eq(t.n_hash, 0);
    ck_assert_int_eq(t.sessions, 0);
}
END_TEST

START_TEST(azure_code_totals)
{
    wl_source_spec spec = trace_spec(WL_TRACE_AZURE, "traces/azure_code.csv");
    totals t = read_all(&spec);

    ck_assert_int_eq(t.n, 8819);
    ck_assert_int_eq(t.prompt, 18059974);
    ck_assert_int_eq(t.output, 245896);
    ck_assert_int_eq(t.second, INT64_C(52000000));
    ck_assert_int_eq(t.last, INT64_C(3435948056000));
}
END_TEST

START_TEST(mooncake_sample_totals)
{
    wl_source_spec spec =
        trace_spec(WL_TRACE_MOONCAKE, "traces/mooncake_conv_sample.jsonl");
    totals t = read_all(&spec);

    ck_assert_int_eq(t.n, 2000);
    ck_assert_int_eq(t.prompt, 27441774);
    ck_assert_int_eq(t.output, 704602);
    ck_assert_int_eq(t.first, 0);
    ck_assert_int_eq(t.last, INT64_C(669000) * 1000000);
    ck_assert_int_eq(t.n_hash, 54559);
    ck_assert_int_eq(t.hash_sum, 923559206);
}
END_TEST

START_TEST(sessions_example_totals)
{
    wl_source_spec spec =
        trace_spec(WL_TRACE_SESSIONS, "traces/tracelab_sessions_example.csv");
    totals t = read_all(&spec);

    ck_assert_int_eq(t.n, 303);
    ck_assert_int_eq(t.prompt, 1150397);
    ck_assert_int_eq(t.prefix, 939365);
    ck_assert_int_eq(t.output, 58678);
    ck_assert_int_eq(t.sessions, 48);
    ck_assert_int_eq(t.tool_wait, INT64_C(81628) * 1000000);
    /* Closed loop (this used to be open-loop, every call at its session's
     * arrival_time, the last at 9,877 ms): with calls finishing as they
     * arrive, round k of a session comes at its arrival_time - 117 ms plus
     * the waits of rounds 0..k-1; the latest is 12,721 ms (computed with
     * Python from the CSV), the second call is session 1's first at
     * 393 - 117 ms. */
    ck_assert_int_eq(t.first, 0);
    ck_assert_int_eq(t.second, INT64_C(276) * 1000000);
    ck_assert_int_eq(t.last, INT64_C(12721) * 1000000);
}
END_TEST

START_TEST(time_scale_and_max_requests)
{
    wl_source_spec spec = trace_spec(WL_TRACE_AZURE, "traces/azure_conv.csv");
    totals t;

    spec.trace.time_scale = 0.5;
    t = read_all(&spec);
    ck_assert_int_eq(t.n, 19366);
    ck_assert_int_eq(t.last, INT64_C(1750860968500));
    spec.trace.time_scale = 2.0;
    t = read_all(&spec);
    ck_assert_int_eq(t.last, INT64_C(7003443874000));
    spec.trace.time_scale = 1.0;
    spec.trace.max_requests = 100;
    t = read_all(&spec);
    ck_assert_int_eq(t.n, 100);
    ck_assert_int_eq(t.last, INT64_C(42685223000));
    spec.trace.max_requests = 1000000;
    t = read_all(&spec);
    ck_assert_int_eq(t.n, 19366);
}
END_TEST

START_TEST(last_mooncake_hash_ids)
{
    wl_source_spec spec =
        trace_spec(WL_TRACE_MOONCAKE, "traces/mooncake_conv_sample.jsonl");
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, d);
    wl_request r, last;
    uint32_t ids[3];

    memset(&last, 0, sizeof last);
    while (wl_source_next(s, &r, d) == 1) {
        last = r;
        if (r.prefix.n_ids == 3)
            memcpy(ids, r.prefix.ids, sizeof ids);
    }
    ck_assert_uint_eq(last.prefix.n_ids, 3);
    ck_assert_uint_eq(ids[0], 0);
    ck_assert_uint_eq(ids[1], 36636);
    ck_assert_uint_eq(ids[2], 38787);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

/* ---- small fixtures: exact values -------------------------------------- */

START_TEST(azure_exact_times)
{
    /* CRLF, no final newline, 1 to 7 fraction digits, a leap day. */
    wl_source_spec spec = trace_spec(WL_TRACE_AZURE, FIX "azure_small.csv");
    const int64_t want[4] = {0, 200, INT64_C(86400000000100),
                             INT64_C(86400500000100)};
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, d);
    wl_request r;

    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(wl_source_next(s, &r, d), 1);
        ck_assert_int_eq(r.arrival, want[i]);
        ck_assert_int_eq(r.prompt_tokens, INT64_C(10) * (i + 1));
        ck_assert_int_eq(r.output_tokens, i == 3 ? 0 : i + 1);
        ck_assert_int_eq(r.session_id, -1);
        ck_assert_int_eq(r.turn, 0);
        ck_assert_ptr_null(r.prefix.ids);
    }
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

START_TEST(mooncake_small_lines)
{
    wl_source_spec spec =
        trace_spec(WL_TRACE_MOONCAKE, FIX "mooncake_small.jsonl");
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, d);
    wl_request r;

    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.arrival, 0);
    ck_assert_int_eq(r.prompt_tokens, 1024);
    ck_assert_int_eq(r.output_tokens, 7);
    ck_assert_uint_eq(r.prefix.n_ids, 2);
    ck_assert_uint_eq(r.prefix.ids[1], 1);
    /* keys in any order, nested unknown values, fractional ms */
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.arrival, 1500000);
    ck_assert_int_eq(r.prompt_tokens, 3);
    ck_assert_int_eq(r.output_tokens, 9);
    ck_assert_uint_eq(r.prefix.n_ids, 0);
    /* no hash_ids at all */
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.arrival, INT64_C(2000000000));
    ck_assert_int_eq(r.prompt_tokens, 0);
    ck_assert_uint_eq(r.prefix.n_ids, 0);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_uint_eq(r.prefix.n_ids, 3);
    ck_assert_uint_eq(r.prefix.ids[0], 4294967295u);
    ck_assert_uint_eq(r.prefix.ids[2], 0);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert_uint_eq(hs_diag_count(d), 0);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

START_TEST(hetsim_with_sessions)
{
    wl_source_spec spec = trace_spec(WL_TRACE_HETSIM, FIX "hetsim_small.csv");
    const int64_t at[4] = {0, 1, INT64_C(1500000000), INT64_C(9500000000)};
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, d);
    wl_request r;

    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(wl_source_next(s, &r, d), 1);
        ck_assert_int_eq(r.arrival, at[i]);
        ck_assert_int_eq(r.prompt_tokens, INT64_C(100) * (i + 1));
        ck_assert_int_eq(r.output_tokens, INT64_C(10) * (i + 1));
        ck_assert_int_eq(r.session_id, i < 2 ? 7 : 8);
        ck_assert_int_eq(r.turn, i % 2);
    }
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    wl_source_close(s);

    spec = trace_spec(WL_TRACE_HETSIM, FIX "hetsim_plain.csv");
    s = open_ok(&spec, d);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.arrival, 250000000);
    ck_assert_int_eq(r.session_id, -1);
    ck_assert_int_eq(r.prompt_tokens, 3);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

START_TEST(sessions_any_column_order)
{
    wl_source_spec spec =
        trace_spec(WL_TRACE_SESSIONS, FIX "sessions_small.csv");
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, d);
    wl_request r;

    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.session_id, 5);
    ck_assert_int_eq(r.turn, 0);
    ck_assert_int_eq(r.prompt_tokens, 100);
    ck_assert_int_eq(r.prefix.tokens, 0);
    ck_assert_int_eq(r.tool_wait, INT64_C(250000000));
    ck_assert(!r.session_last);
    /* Closed loop (session 5's round 1 used to follow at once): the next
     * call is session 6's first, both sessions starting at 0 without an
     * arrival_time column; session 5 waits for its round 0 to finish. */
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.session_id, 6);
    ck_assert_int_eq(r.tool_wait, 1500000);
    ck_assert_int_eq(r.arrival, 0);
    ck_assert(r.session_last);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(wl_source_blocked(s));
    wl_source_finished(s, 5, INT64_C(1000000000));
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.session_id, 5);
    ck_assert_int_eq(r.turn, 1);
    ck_assert_int_eq(r.prompt_tokens, 130);
    ck_assert_int_eq(r.prefix.tokens, 110);
    ck_assert_int_eq(r.output_tokens, 12);
    ck_assert_int_eq(r.arrival, INT64_C(1250000000));
    ck_assert(r.session_last);
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    ck_assert(!wl_source_blocked(s)); /* no next call will come */
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

START_TEST(peek_keeps_the_request)
{
    wl_source_spec spec = trace_spec(WL_TRACE_HETSIM, FIX "hetsim_small.csv");
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, d);
    wl_request r;
    hs_time t = -1;

    ck_assert_int_eq(wl_source_peek(s, &t, d), 1);
    ck_assert_int_eq(t, 0);
    ck_assert_int_eq(wl_source_peek(s, &t, d), 1);
    ck_assert_int_eq(wl_source_count(s), 0);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.id, 0);
    ck_assert_int_eq(r.prompt_tokens, 100);
    ck_assert_int_eq(wl_source_peek(s, &t, d), 1);
    ck_assert_int_eq(t, 1);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.id, 1);
    ck_assert_int_eq(r.prompt_tokens, 200);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

/* The registry: every format's name parses back to it, in .def order. */
START_TEST(format_names)
{
    static const char *const names[] = {"azure", "mooncake", "hetsim",
                                        "sessions"};
    wl_trace_format f = WL_TRACE_AZURE;
    char list[128];

    ck_assert_uint_eq(WL_TRACE_N_FORMATS, 4);
    for (int i = 0; i < WL_TRACE_N_FORMATS; i++) {
        const wl_format *vt = wl_format_of((wl_trace_format)i);

        ck_assert_str_eq(wl_trace_format_name((wl_trace_format)i), names[i]);
        ck_assert_int_eq(wl_trace_format_parse(names[i], &f), HS_OK);
        ck_assert_int_eq(f, i);
        ck_assert_str_eq(vt->name, names[i]);
        ck_assert_int_eq(vt->version, WL_FORMAT_VERSION);
        ck_assert(vt->sessions == (i == WL_TRACE_SESSIONS));
    }
    ck_assert_int_eq(wl_trace_format_parse("csv", &f), HS_EINPUT);
    ck_assert_int_eq(f, WL_TRACE_SESSIONS); /* untouched */
    ck_assert_int_eq(wl_trace_format_parse("Azure", &f), HS_EINPUT);
    ck_assert_str_eq(wl_trace_format_name(WL_TRACE_N_FORMATS), "unknown");
    ck_assert_str_eq(wl_trace_format_name((wl_trace_format)-1), "unknown");
    ck_assert_ptr_null(wl_format_of(WL_TRACE_N_FORMATS));
    ck_assert_str_eq(wl_format_list(list, sizeof list),
                     "azure, mooncake, hetsim or sessions");
    ck_assert_str_eq(wl_format_list(list, 12), "azure, moon"); /* cut */
}
END_TEST

/* Only a format whose rows are session calls is replayed closed-loop;
 * hetsim traces with a session column arrive at their own times. */
START_TEST(which_traces_are_closed_loop)
{
    static const struct {
        wl_trace_format format;
        const char *path;
        bool closed;
    } cases[] = {
        {WL_TRACE_AZURE, FIX "azure_small.csv", false},
        {WL_TRACE_MOONCAKE, FIX "mooncake_small.jsonl", false},
        {WL_TRACE_HETSIM, FIX "hetsim_small.csv", false},
        {WL_TRACE_SESSIONS, FIX "sessions_small.csv", true},
    };
    hs_diag *d = hs_diag_new();

    ck_assert_uint_eq(sizeof cases / sizeof *cases, WL_TRACE_N_FORMATS);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        wl_source_spec spec = trace_spec(cases[i].format, cases[i].path);
        wl_source *s = open_ok(&spec, d);

        ck_assert_msg(wl_source_closed(s) == cases[i].closed, "%s",
                      cases[i].path);
        wl_source_close(s);
    }
    hs_diag_free(d);
}
END_TEST

/* ---- prefix ids ---------------------------------------------------------- */

/* The id serve gave block i of a session's context before the workload
 * made prefixes (srv_sim.c srv_req_id), written out independently: the
 * derived ids must stay exactly these. */
static uint64_t serve_block_id(int32_t source, int64_t session, int64_t i)
{
    uint64_t x = ((uint64_t)(uint32_t)source << 48) ^
                 ((uint64_t)session << 20) ^ (uint64_t)i;

    return hs_mix64(x) | (UINT64_C(1) << 63);
}

/* 'p' holds derived ids of session 'session' of source 3, with 'tokens'
 * reusable. */
static void expect_derived(const wl_prefix *p, int64_t session, int64_t tokens)
{
    ck_assert_ptr_null(p->ids);
    ck_assert_uint_eq(p->n_ids, 0);
    ck_assert_int_eq(p->id_tokens, 0);
    ck_assert_uint_eq(p->key, (UINT64_C(3) << 48) ^ ((uint64_t)session << 20) ^
                                  WL_PREFIX_DERIVED);
    ck_assert_int_eq(p->tokens, tokens);
    for (int64_t i = 0; i < 40; i++)
        ck_assert_uint_eq(wl_prefix_block_id(p, i),
                          serve_block_id(3, session, i));
}

static void expect_no_prefix(const wl_prefix *p)
{
    ck_assert_ptr_null(p->ids);
    ck_assert_uint_eq(p->n_ids, 0);
    ck_assert_int_eq(p->id_tokens, 0);
    ck_assert_uint_eq(p->key, 0);
    ck_assert_int_eq(p->tokens, 0);
}

START_TEST(mooncake_gives_content_ids)
{
    wl_source_spec spec =
        trace_spec(WL_TRACE_MOONCAKE, FIX "mooncake_small.jsonl");
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, d);
    wl_request r;

    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_ptr_eq(r.prefix.ids, r.prefix.ids);
    ck_assert_uint_eq(r.prefix.n_ids, 2);
    ck_assert_int_eq(r.prefix.id_tokens, 512);
    ck_assert_int_eq(r.prefix.tokens, 1024); /* the whole prompt */
    ck_assert_uint_eq(r.prefix.key, 0);
    ck_assert_uint_eq(wl_prefix_block_id(&r.prefix, 0), 1); /* id 0 + 1 */
    ck_assert_uint_eq(wl_prefix_block_id(&r.prefix, 1), 2);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1); /* "hash_ids": [] */
    expect_no_prefix(&r.prefix);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1); /* no hash_ids */
    expect_no_prefix(&r.prefix);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_uint_eq(r.prefix.n_ids, 3);
    ck_assert_int_eq(r.prefix.tokens, 1100);
    ck_assert_uint_eq(wl_prefix_block_id(&r.prefix, 0),
                      UINT64_C(4294967296)); /* 2^32 - 1 + 1, no wrap */
    ck_assert_uint_eq(wl_prefix_block_id(&r.prefix, 2), 1);
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

START_TEST(sessions_get_derived_ids)
{
    wl_source_spec spec = trace_spec(WL_TRACE_HETSIM, FIX "hetsim_small.csv");
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, d);
    wl_request r;

    /* hetsim with a session column: derived ids, nothing reusable (the
     * format has no prefix length). */
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(wl_source_next(s, &r, d), 1);
        expect_derived(&r.prefix, i < 2 ? 7 : 8, 0);
    }
    wl_source_close(s);
    spec = trace_spec(WL_TRACE_HETSIM, FIX "hetsim_plain.csv");
    s = open_ok(&spec, d);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    expect_no_prefix(&r.prefix);
    wl_source_close(s);
    /* Session traces: the earlier context is reusable. */
    spec = trace_spec(WL_TRACE_SESSIONS, FIX "sessions_small.csv");
    s = open_ok(&spec, d);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    expect_derived(&r.prefix, 5, 0);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    expect_derived(&r.prefix, 6, 0);
    wl_source_finished(s, 5, 0);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    expect_derived(&r.prefix, 5, 110);
    wl_source_close(s);
    /* Azure traces have neither. */
    spec = trace_spec(WL_TRACE_AZURE, FIX "azure_small.csv");
    s = open_ok(&spec, d);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    expect_no_prefix(&r.prefix);
    wl_source_close(s);
    ck_assert_uint_eq(hs_diag_count(d), 0);
    hs_diag_free(d);
}
END_TEST

/* Session 0 of source 0 has a key too (the tag bit), and its ids are
 * serve's. */
START_TEST(first_session_key_is_not_zero)
{
    wl_request r;

    memset(&r, 0, sizeof r);
    r.session_id = 0;
    r.source = 0;
    r.prefix.tokens = 77;
    wl_prefix_derive(&r);
    ck_assert_uint_eq(r.prefix.key, WL_PREFIX_DERIVED);
    ck_assert_int_eq(r.prefix.tokens, 77);
    for (int64_t i = 0; i < 40; i++)
        ck_assert_uint_eq(wl_prefix_block_id(&r.prefix, i),
                          serve_block_id(0, 0, i));
    /* A large source index and session id, as serve wrote them. */
    memset(&r, 0, sizeof r);
    r.session_id = INT64_C(1) << 40;
    r.source = 70000;
    wl_prefix_derive(&r);
    ck_assert_uint_eq(r.prefix.key, (UINT64_C(0x1170) << 48) ^
                                        (UINT64_C(1) << 60) ^
                                        WL_PREFIX_DERIVED); /* 70000 < 2^20 */
    ck_assert_uint_eq(wl_prefix_block_id(&r.prefix, 123456789),
                      serve_block_id(70000, INT64_C(1) << 40, 123456789));
    /* No session: nothing derived. */
    memset(&r, 0, sizeof r);
    r.session_id = -1;
    wl_prefix_derive(&r);
    expect_no_prefix(&r.prefix);
}
END_TEST

/* The exact number parsers behind every reader (private API). */
START_TEST(exact_numbers)
{
    int64_t v = -1;

    ck_assert_int_eq(wl_parse_decimal("1.5", 3, 9, &v), HS_OK);
    ck_assert_int_eq(v, 1500000000);
    ck_assert_int_eq(wl_parse_decimal("0.0000000015", 12, 9, &v), HS_OK);
    ck_assert_int_eq(v, 2); /* half up on the first dropped digit */
    ck_assert_int_eq(wl_parse_decimal("0.00000000149", 13, 9, &v), HS_OK);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(wl_parse_decimal(".25", 3, 6, &v), HS_OK);
    ck_assert_int_eq(v, 250000);
    ck_assert_int_eq(wl_parse_decimal("7.", 2, 6, &v), HS_OK);
    ck_assert_int_eq(v, 7000000);
    ck_assert_int_eq(wl_parse_decimal("1e-3", 4, 9, &v), HS_OK);
    ck_assert_int_eq(v, 1000000);
    ck_assert_int_eq(wl_parse_decimal("2.5E+2", 6, 6, &v), HS_OK);
    ck_assert_int_eq(v, 250000000);
    ck_assert_int_eq(wl_parse_decimal("9223372036", 10, 9, &v), HS_OK);
    ck_assert_int_eq(v, INT64_C(9223372036000000000));
    ck_assert_int_eq(wl_parse_decimal("9223372036.854775807", 20, 9, &v),
                     HS_OK);
    ck_assert_int_eq(v, INT64_MAX);
    ck_assert_int_eq(wl_parse_decimal("9223372036.854775808", 20, 9, &v),
                     HS_ERANGE);
    ck_assert_int_eq(wl_parse_decimal("9223372037", 10, 9, &v), HS_ERANGE);
    ck_assert_int_eq(wl_parse_decimal("1e30", 4, 9, &v), HS_ERANGE);
    ck_assert_int_eq(wl_parse_decimal("-1", 2, 9, &v), HS_EINPUT);
    ck_assert_int_eq(wl_parse_decimal("", 0, 9, &v), HS_EINPUT);
    ck_assert_int_eq(wl_parse_decimal(".", 1, 9, &v), HS_EINPUT);
    ck_assert_int_eq(wl_parse_decimal("1e", 2, 9, &v), HS_EINPUT);
    ck_assert_int_eq(wl_parse_decimal(" 1", 2, 9, &v), HS_EINPUT);
    ck_assert_int_eq(wl_parse_decimal("inf", 3, 9, &v), HS_EINPUT);
    ck_assert_int_eq(wl_parse_uint("9223372036854775807", 19, INT64_MAX, &v),
                     HS_OK);
    ck_assert_int_eq(v, INT64_MAX);
    ck_assert_int_eq(wl_parse_uint("9223372036854775808", 19, INT64_MAX, &v),
                     HS_ERANGE);
    ck_assert_int_eq(wl_parse_uint("+1", 2, INT64_MAX, &v), HS_EINPUT);
    ck_assert_int_eq(wl_parse_uint("", 0, INT64_MAX, &v), HS_EINPUT);
    ck_assert_int_eq(wl_parse_uint("4294967295", 10, UINT32_MAX, &v), HS_OK);
    ck_assert_int_eq(wl_parse_uint("4294967296", 10, UINT32_MAX, &v),
                     HS_ERANGE);
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

/* Opening fails with exactly the messages 'want' (NULL-terminated). */
static void open_fails(wl_trace_format f, const char *path,
                       const char *const *want)
{
    wl_source_spec spec = trace_spec(f, path);
    hs_diag *d = hs_diag_new();
    size_t n = 0;

    ck_assert_ptr_null(wl_source_open(&spec, 0, 1, d));
    for (; want[n] != NULL; n++) {
        ck_assert_uint_gt(hs_diag_count(d), n);
        ck_assert_str_eq(hs_diag_message(d, n), want[n]);
    }
    ck_assert_uint_eq(hs_diag_count(d), n);
    hs_diag_free(d);
}

static void open_fails1(wl_trace_format f, const char *path, const char *want)
{
    const char *const w[2] = {want, NULL};

    open_fails(f, path, w);
}

/* Reading fails after 'good' requests with exactly 'want'; the failure
 * is sticky and adds no text. */
static void read_fails(wl_trace_format f, const char *path, int good,
                       const char *want)
{
    wl_source_spec spec = trace_spec(f, path);
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, d);
    wl_request r;
    hs_time t;
    int n = 0, rc;

    while ((rc = wl_source_next(s, &r, d)) == 1)
        n++;
    ck_assert_int_eq(n, good);
    ck_assert_int_eq(rc, HS_EINPUT);
    ck_assert_uint_eq(hs_diag_count(d), 1);
    ck_assert_str_eq(hs_diag_message(d, 0), want);
    ck_assert_int_eq(wl_source_next(s, &r, d), HS_EINPUT);
    ck_assert_int_eq(wl_source_peek(s, &t, d), HS_EINPUT);
    ck_assert_uint_eq(hs_diag_count(d), 1);
    wl_source_close(s);
    hs_diag_free(d);
}

START_TEST(missing_file)
{
    open_fails1(WL_TRACE_AZURE, FIX "nope.csv",
                FIX "nope.csv: error: cannot open: No such file or directory");
}
END_TEST

START_TEST(csv_header_errors)
{
    const char *const sess[] = {
        FIX "sessions_bad_header.csv:1: error: unknown column 'round'",
        FIX "sessions_bad_header.csv:1: error: missing column 'round_idx'",
        FIX "sessions_bad_header.csv:1: error: missing column "
            "'tool_wait_after_ms'",
        NULL};

    open_fails1(WL_TRACE_AZURE, FIX "azure_bad_header.csv",
                FIX "azure_bad_header.csv:1:1: error: expected header "
                    "'TIMESTAMP,ContextTokens,GeneratedTokens', found "
                    "'TIMESTAMP,ContextTokens'");
    open_fails1(WL_TRACE_AZURE, FIX "azure_empty.csv",
                FIX "azure_empty.csv:1: error: missing header: expected "
                    "'TIMESTAMP,ContextTokens,GeneratedTokens'");
    open_fails1(WL_TRACE_HETSIM, FIX "hetsim_bad_header.csv",
                FIX "hetsim_bad_header.csv:1:1: error: expected header "
                    "'arrival_s,prompt_tokens,output_tokens', found "
                    "'arrival,prompt_tokens,output_tokens'");
    open_fails(WL_TRACE_SESSIONS, FIX "sessions_bad_header.csv", sess);
}
END_TEST

START_TEST(azure_line_errors)
{
    read_fails(WL_TRACE_AZURE, FIX "azure_bad_number.csv", 1,
               FIX "azure_bad_number.csv:3:29: error: column 'ContextTokens': "
                   "expected a non-negative integer, found 'abc'");
    read_fails(WL_TRACE_AZURE, FIX "azure_missing_column.csv", 2,
               FIX "azure_missing_column.csv:4:31: error: expected 3 columns, "
                   "found 2");
    read_fails(WL_TRACE_AZURE, FIX "azure_backwards.csv", 2,
               FIX "azure_backwards.csv:4:1: error: column 'TIMESTAMP': time "
                   "goes backwards (earlier than line 3)");
    read_fails(WL_TRACE_AZURE, FIX "azure_bad_time.csv", 1,
               FIX "azure_bad_time.csv:3:1: error: column 'TIMESTAMP': "
                   "expected a time like '2023-11-16 18:15:46.6805900', "
                   "found '2023-02-30 18:15:50.9951690'");
    read_fails(WL_TRACE_AZURE, FIX "azure_blank_line.csv", 1,
               FIX "azure_blank_line.csv:3:1: error: empty line");
}
END_TEST

START_TEST(mooncake_line_errors)
{
    read_fails(WL_TRACE_MOONCAKE, FIX "mooncake_bad_json.jsonl", 1,
               FIX "mooncake_bad_json.jsonl:2:17: error: malformed JSON: '}' "
                   "expected near '\"input_length\"'");
    read_fails(WL_TRACE_MOONCAKE, FIX "mooncake_missing_key.jsonl", 0,
               FIX "mooncake_missing_key.jsonl:1:1: error: missing key "
                   "'output_length'");
    read_fails(WL_TRACE_MOONCAKE, FIX "mooncake_bad_value.jsonl", 2,
               FIX "mooncake_bad_value.jsonl:3:34: error: key "
                   "'input_length': expected a non-negative integer, found "
                   "'-3'");
    read_fails(WL_TRACE_MOONCAKE, FIX "mooncake_backwards.jsonl", 1,
               FIX "mooncake_backwards.jsonl:2:15: error: key 'timestamp': "
                   "time goes backwards (earlier than line 1)");
    read_fails(WL_TRACE_MOONCAKE, FIX "mooncake_duplicate.jsonl", 0,
               FIX "mooncake_duplicate.jsonl:1:58: error: duplicate key "
                   "'input_length'");
    read_fails(WL_TRACE_MOONCAKE, FIX "mooncake_trailing.jsonl", 0,
               FIX "mooncake_trailing.jsonl:1:58: error: expected end of "
                   "line after the object, found 'x'");
}
END_TEST

START_TEST(azure_time_range)
{
    /* Years outside 1677-2262 overflowed int64 ns (UB) and then read as
     * "time goes backwards"; now they are out of range, located. */
    read_fails(WL_TRACE_AZURE, FIX "azure_year_low.csv", 0,
               FIX "azure_year_low.csv:2:1: error: column 'TIMESTAMP': "
                   "expected a time from 1677-09-21 00:12:44 to 2262-04-11 "
                   "23:47:16.854775807, found '1600-01-01 00:00:00'");
    read_fails(WL_TRACE_AZURE, FIX "azure_year_high.csv", 1,
               FIX "azure_year_high.csv:3:1: error: column 'TIMESTAMP': "
                   "expected a time from 1677-09-21 00:12:44 to 2262-04-11 "
                   "23:47:16.854775807, found '2263-01-01 00:00:00'");
    /* One second inside the first accepted year, but its ns overflow. */
    read_fails(WL_TRACE_AZURE, FIX "azure_year_edge.csv", 0,
               FIX "azure_year_edge.csv:2:1: error: column 'TIMESTAMP': "
                   "expected a time from 1677-09-21 00:12:44 to 2262-04-11 "
                   "23:47:16.854775807, found '1677-09-21 00:12:43.9'");
    /* Both ends accepted, but 584 years apart: raw - first_raw wrapped
     * (exit 0, a negative arrival); then "more than 2^63 ns"; now beyond
     * the 10 years every trace format allows. */
    read_fails(WL_TRACE_AZURE, FIX "azure_far_apart.csv", 1,
               FIX "azure_far_apart.csv:3:1: error: column 'TIMESTAMP': "
                   "expected at most 10 years after the first record's "
                   "TIMESTAMP, found '2262-04-11 23:47:16.854775807'");
}
END_TEST

/* The latest time, 2^63 - 1 ns after the epoch, is read exactly (ten
 * days and more after the first record, 2262-04-01); scaled by 10^4 the
 * arrival no longer fits, and that is an error, not a saturated time. */
START_TEST(azure_time_limits)
{
    wl_source_spec spec =
        trace_spec(WL_TRACE_AZURE, FIX "azure_time_limits.csv");
    hs_diag *d = hs_diag_new();
    wl_source *s = open_ok(&spec, d);
    wl_request r;

    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.arrival, 0);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(r.arrival, INT64_C(949636854775807));
    ck_assert_int_eq(wl_source_next(s, &r, d), 0);
    wl_source_close(s);
    spec.trace.time_scale = 1e4;
    s = open_ok(&spec, d);
    ck_assert_int_eq(wl_source_next(s, &r, d), 1);
    ck_assert_int_eq(wl_source_next(s, &r, d), HS_EINPUT);
    ck_assert_uint_eq(hs_diag_count(d), 1);
    ck_assert_str_eq(hs_diag_message(d, 0),
                     FIX "azure_time_limits.csv:3:1: error: column "
                         "'TIMESTAMP': arrival more than 2^63 ns (292 years) "
                         "after the first record (line 2)");
    wl_source_close(s);
    hs_diag_free(d);
}
END_TEST

START_TEST(mooncake_hash_id_count)
{
    /* 3 ids for 1025 tokens is fine (ceil(1025 / 512) = 3), for 1024 not:
     * 2^23 ids used to abort the run in the request pool. */
    read_fails(WL_TRACE_MOONCAKE, FIX "mooncake_many_ids.jsonl", 1,
               FIX "mooncake_many_ids.jsonl:2:72: error: key 'hash_ids': 3 "
                   "ids for an input_length of 1024 tokens, expected at most "
                   "2 (one per 512 tokens)");
}
END_TEST

/* A scratch file: an Azure header, then line 2 of 'n' bytes 'x' and a
 * newline; its path in 'path' (unlink it). */
static void write_long_line(char *path, size_t n)
{
    int fd = mkstemp(path);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    char *x = malloc(n + 1);

    ck_assert(fp != NULL && x != NULL);
    memset(x, 'x', n);
    x[n] = '\n';
    fputs("TIMESTAMP,ContextTokens,GeneratedTokens\n", fp);
    ck_assert_uint_eq(fwrite(x, 1, n + 1, fp), n + 1);
    ck_assert_int_eq(fclose(fp), 0);
    free(x);
}

/* Lines are read up to WL_MAX_LINE bytes and no further: a longer line
 * (a 100 MB one used to be buffered whole) is an error at its first
 * byte over; /dev/zero stops at its first NUL instead of growing. */
START_TEST(line_length_limit)
{
    char path[] = "/tmp/hetsim_lineXXXXXX";
    char want[160];

    write_long_line(path, WL_MAX_LINE);
    snprintf(want, sizeof want, "%s:2:%zu: error: expected 3 columns, found 1",
             path, WL_MAX_LINE + 1);
    read_fails(WL_TRACE_AZURE, path, 0, want);
    unlink(path);
    strcpy(path, "/tmp/hetsim_lineXXXXXX");
    write_long_line(path, WL_MAX_LINE + 1);
    snprintf(want, sizeof want,
             "%s:2:%zu: error: line longer than 16 MiB (the limit of a "
             "trace line)",
             path, WL_MAX_LINE + 1);
    read_fails(WL_TRACE_AZURE, path, 0, want);
    unlink(path);
    open_fails1(WL_TRACE_AZURE, "/dev/zero",
                "/dev/zero:1:1: error: NUL byte in the line");
    read_fails(WL_TRACE_MOONCAKE, "/dev/zero", 0,
               "/dev/zero:1:1: error: NUL byte in the line");
}
END_TEST

START_TEST(other_line_errors)
{
    read_fails(WL_TRACE_HETSIM, FIX "hetsim_bad_arrival.csv", 1,
               FIX "hetsim_bad_arrival.csv:3:1: error: column 'arrival_s': "
                   "expected a non-negative number of seconds, found '-1'");
    /* 0 good requests: a session's rows are read when it starts (closed
     * loop), so its round 0 is not produced past a bad later row. */
    read_fails(WL_TRACE_SESSIONS, FIX "sessions_bad_round.csv", 0,
               FIX "sessions_bad_round.csv:3:5: error: column 'round_idx': "
                   "expected 1 (a session's rows are consecutive, numbered "
                   "from 0), found '2'");
}
END_TEST

/* wl_source_scan reads a whole trace as a run would: its request count,
 * or the first bad row located by line and column, or "no requests". */
static void scan_is(wl_trace_format f, const char *path, int64_t want_n,
                    const char *want)
{
    wl_source_spec spec = trace_spec(f, path);
    hs_diag *d = hs_diag_new();
    int64_t n = 0;
    int rc = wl_source_scan(&spec, &n, d);

    if (want == NULL) {
        ck_assert_msg(rc == HS_OK, "%s: %s", path, ck_diag_text(d));
        ck_assert_int_eq(n, want_n);
    } else {
        ck_assert_int_eq(rc, HS_EINPUT);
        ck_assert_uint_eq(hs_diag_count(d), 1);
        ck_assert_str_eq(hs_diag_message(d, 0), want);
    }
    hs_diag_free(d);
}

START_TEST(scan_reads_every_row)
{
    wl_source_spec synth = trace_spec(WL_TRACE_AZURE, "unused");
    int64_t n = 0;

    scan_is(WL_TRACE_AZURE, FIX "azure_small.csv", 4, NULL);
    scan_is(WL_TRACE_SESSIONS, FIX "sessions_small.csv", 3, NULL);
    scan_is(WL_TRACE_MOONCAKE, "traces/mooncake_conv_sample.jsonl", 2000,
            NULL);
    scan_is(WL_TRACE_AZURE, FIX "azure_bad_number.csv", 0,
            FIX "azure_bad_number.csv:3:29: error: column 'ContextTokens': "
                "expected a non-negative integer, found 'abc'");
    scan_is(WL_TRACE_AZURE, FIX "azure_header_only.csv", 0,
            FIX "azure_header_only.csv: error: the trace has no requests "
                "(azure format)");
    scan_is(WL_TRACE_MOONCAKE, FIX "azure_empty.csv", 0,
            FIX "azure_empty.csv: error: the trace has no requests "
                "(mooncake format)");
    scan_is(
        WL_TRACE_AZURE, "traces/mooncake_conv_sample.jsonl", 0,
        "traces/mooncake_conv_sample.jsonl:1:1: error: expected header "
        "'TIMESTAMP,ContextTokens,GeneratedTokens', found '{\"timestamp\": "
        "0, \"input_length\": 6758, \"output_length\": 500, \"ha' (a "
        "JSON line: is the format mooncake?)");
    synth.kind = WL_SOURCE_SYNTHETIC;
    ck_assert_int_eq(wl_source_scan(&synth, &n, NULL), HS_OK);
    ck_assert_int_eq(n, -1);
}
END_TEST

/* A request against the model's context (issue 17, item 6). */
static void fit_is(int64_t max, wl_ctx_policy pol, int64_t p, int64_t o,
                   wl_fit want, int64_t want_p, int64_t want_o)
{
    ck_assert_int_eq(wl_context_fit(max, pol, &p, &o), want);
    ck_assert_int_eq(p, want_p);
    ck_assert_int_eq(o, want_o);
}

START_TEST(context_fit)
{
    fit_is(0, WL_CTX_DROP, 55000, 500, WL_FIT_OK, 55000, 500);
    fit_is(8192, WL_CTX_DROP, 7692, 500, WL_FIT_OK, 7692, 500);
    fit_is(8192, WL_CTX_DROP, 7693, 500, WL_FIT_DROP, 7693, 500);
    fit_is(8192, WL_CTX_TRUNCATE, 7693, 500, WL_FIT_TRUNCATED, 7692, 500);
    fit_is(8192, WL_CTX_TRUNCATE, 55000, 500, WL_FIT_TRUNCATED, 7692, 500);
    /* The output alone leaves no room: one prompt token, output cut. */
    fit_is(8192, WL_CTX_TRUNCATE, 10, 9000, WL_FIT_TRUNCATED, 1, 8191);
    fit_is(1, WL_CTX_TRUNCATE, 1, 1, WL_FIT_DROP, 1, 1);
}
END_TEST

START_TEST(bad_trace_specs)
{
    wl_source_spec spec = trace_spec(WL_TRACE_AZURE, "traces/azure_conv.csv");
    hs_diag *d = hs_diag_new();

    spec.loc.file = "s.yaml";
    spec.loc.line = 4;
    spec.loc.col = 5;
    spec.trace.time_scale = 0;
    spec.trace.max_requests = -1;
    ck_assert_ptr_null(wl_source_open(&spec, 0, 1, d));
    ck_assert_uint_eq(hs_diag_count(d), 2);
    ck_assert_str_eq(hs_diag_message(d, 0),
                     "s.yaml:4:5: error: 'time_scale' must be > 0, got 0");
    ck_assert_str_eq(hs_diag_message(d, 1),
                     "s.yaml:4:5: error: 'max_requests' must be >= 0, got "
                     "-1");
    hs_diag_clear(d);
    /* Agent sources exist now (test_wl_agent.c checks their specs): an
     * empty one is refused for its rate first. */
    spec.kind = WL_SOURCE_AGENT;
    ck_assert_ptr_null(wl_source_open(&spec, 0, 1, d));
    ck_assert_str_eq(hs_diag_message(d, 0),
                     "s.yaml:4:5: error: 'session_rate' must be > 0, got 0");
    hs_diag_free(d);
}
END_TEST

/* More JSON shapes, each written as a one-line scratch file. */
START_TEST(json_shapes)
{
    static const struct {
        const char *line;
        const char *want; /* NULL = parses */
    } cases[] = {
        {"{\"timestamp\":0,\"input_length\":1,\"output_length\":1,"
         "\"x\":[[],{},\"\\u00e9\\n\",-0.5e-3,false]}",
         NULL},
        {"{\"timestamp\":0,\"input_length\":1,\"output_length\":1,}",
         ":1:51: error: malformed JSON: string or '}' expected near '}'"},
        {"{\"timestamp\":0,\"input_length\":01,\"output_length\":1}",
         ":1:31: error: malformed JSON: invalid token near '0'"},
        {"{\"timestamp\":0,\"input_length\":1.0,\"output_length\":1}",
         ":1:31: error: key 'input_length': expected a non-negative "
         "integer, found '1.0'"},
        {"{\"timestamp\":\"0\",\"input_length\":1,\"output_length\":1}",
         ":1:14: error: key 'timestamp': expected a non-negative number "
         "of ms, found '\"'"},
        {"{\"timestamp\":0,\"input_length\":1,\"output_length\":1,"
         "\"hash_ids\":[1,4294967296]}",
         ":1:65: error: key 'hash_ids': value too large, found "
         "'4294967296'"},
        {"{\"timestamp\":0,\"input_length\":1,\"output_length\":1,"
         "\"s\":\"abc}",
         ":1:55: error: malformed JSON: premature end of input near "
         "'\"abc}'"},
        {"{\"timestamp\":0,\"input_length\":1,\"output_length\":1,"
         "\"s\":tru}",
         ":1:55: error: malformed JSON: invalid token near 'tru'"},
        {"[1]", ":1:1: error: expected '{', found '['"},
        {"{\"timestamp\":0,\"input_length\":1,\"output_length\":1,"
         "\"hash_ids\":[7,01]}",
         ":1:65: error: malformed JSON: invalid token near '0'"},
        {"{\"timestamp\":0,\"input_length\":1,\"output_length\":1,"
         "\"hash_ids\":[7, 1.5]}",
         ":1:66: error: key 'hash_ids': expected a non-negative integer, "
         "found '1.5'"},
        {"{\"timestamp\":0,\"input_length\":1,\"output_length\":1,"
         "\"hash_ids\":[12345678901]}",
         ":1:63: error: key 'hash_ids': value too large, found '12345678901'"},
    };
    char path[] = "/tmp/hetsim_wl_json_XXXXXX";
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    close(fd);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        FILE *fp = fopen(path, "w");
        wl_source_spec spec = trace_spec(WL_TRACE_MOONCAKE, path);
        hs_diag *d = hs_diag_new();
        wl_source *s;
        wl_request r;
        int rc;

        ck_assert_ptr_nonnull(fp);
        fprintf(fp, "%s\n", cases[i].line);
        fclose(fp);
        s = open_ok(&spec, d);
        rc = wl_source_next(s, &r, d);
        if (cases[i].want == NULL) {
            ck_assert_msg(rc == 1, "case %zu: %s", i,
                          hs_diag_count(d) ? hs_diag_message(d, 0) : "");
        } else {
            ck_assert_int_eq(rc, HS_EINPUT);
            ck_assert_str_eq(hs_diag_message(d, 0) + strlen(path),
                             cases[i].want);
        }
        wl_source_close(s);
        hs_diag_free(d);
    }
    remove(path);
}
END_TEST

Suite *wl_traces_suite(void)
{
    Suite *s = suite_create("wl_traces");
    TCase *bundled = tcase_create("bundled");
    TCase *exact = tcase_create("exact");
    TCase *errors = tcase_create("errors");

    tcase_set_timeout(bundled, 60);
    tcase_add_test(bundled, azure_conv_totals);
    tcase_add_test(bundled, azure_code_totals);
    tcase_add_test(bundled, mooncake_sample_totals);
    tcase_add_test(bundled, sessions_example_totals);
    tcase_add_test(bundled, time_scale_and_max_requests);
    tcase_add_test(bundled, last_mooncake_hash_ids);
    suite_add_tcase(s, bundled);
    tcase_add_test(exact, azure_exact_times);
    tcase_add_test(exact, mooncake_small_lines);
    tcase_add_test(exact, hetsim_with_sessions);
    tcase_add_test(exact, sessions_any_column_order);
    tcase_add_test(exact, peek_keeps_the_request);
    tcase_add_test(exact, format_names);
    tcase_add_test(exact, which_traces_are_closed_loop);
    tcase_add_test(exact, mooncake_gives_content_ids);
    tcase_add_test(exact, sessions_get_derived_ids);
    tcase_add_test(exact, first_session_key_is_not_zero);
    tcase_add_test(exact, exact_numbers);
    suite_add_tcase(s, exact);
    tcase_add_test(errors, missing_file);
    tcase_add_test(errors, csv_header_errors);
    tcase_add_test(errors, azure_line_errors);
    tcase_add_test(errors, mooncake_line_errors);
    tcase_add_test(errors, other_line_errors);
    tcase_add_test(errors, azure_time_range);
    tcase_add_test(errors, azure_time_limits);
    tcase_add_test(errors, mooncake_hash_id_count);
    tcase_add_test(errors, line_length_limit);
    tcase_add_test(errors, bad_trace_specs);
    tcase_add_test(errors, scan_reads_every_row);
    tcase_add_test(errors, context_fit);
    tcase_add_test(errors, json_shapes);
    suite_add_tcase(s, errors);
    return s;
}
