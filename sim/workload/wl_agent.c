/*
 * wl_agent.c -- agent sessions generated from a preset (chat, coding,
 * web, computer-use; configs/presets/, docs/presets.md): a Poisson
 * process of session starts, and per session a chain of calls, each
 * made only after the consumer reported the previous one finished
 * (wl_source_finished) plus a tool or think gap.  The context grows by
 * the appended and output tokens of each call; the part already seen is
 * the next call's cacheable prefix.
 *
 * Randomness.  Session starts use a GSL mt19937 stream like the other
 * generators.  A session's own draws are counter-based: the draw of
 * quantity q at turn i of session k is a function of (key, k, i, q)
 * only, where key comes from (seed, source index): a uniform number that
 * the workload's one distribution engine (wl_dist.c, inverse transform)
 * turns into a length or a gap.  The consumer
 * finishes calls in an order that depends on the cluster it simulates;
 * with per-session counters, a session's call count, lengths and gaps do
 * not depend on that order, so two clusters see the same sessions, only
 * delayed differently.  No state per session beyond a few integers.
 *
 * Invariants:
 *   I1  a session is active from its start until finished() is called
 *       for its last call; it is either 'out' (its last call produced,
 *       not yet finished) or in the heap (its next call due), never both
 *   I2  n_started <= sessions (when set), and every start < horizon
 *   I3  arrivals returned by next() are non-decreasing (finished()
 *       asserts now >= last_out, and gaps are >= 0)
 */
#include "workload_int.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* What a draw is for: part of its key, so draws never share a value. */
enum quantity { Q_CALLS, Q_START, Q_APPENDED, Q_OUTPUT, Q_GAP_KIND, Q_GAP };

typedef struct session {
    int64_t id;
    int64_t context;     /* tokens after the last call produced */
    int64_t n_calls;     /* drawn at the start */
    int64_t turn;        /* index of the next call */
    int64_t next_prompt; /* the next call, planned when the last went out */
    int64_t next_prefix;
    hs_time next_gap;
    bool has_next;
    bool out; /* its last call is out, waiting for finished() */
} session;

typedef struct wl_agent {
    wl_source base; /* must be first */
    wl_preset p;
    wl_dist calls, start_context, appended, output; /* tokens, from p */
    wl_dist tool_latency, think_time;               /* times, from p */
    uint64_t key;    /* key of this source's per-session draws */
    double rate;     /* sessions per second */
    int64_t limit;   /* sessions; 0 = none */
    hs_time horizon; /* starts must be earlier; HS_TIME_MAX = none */
    gsl_rng *arrival_rng;
    double t_start_s; /* next session start, seconds (of the profile's
                         operational time when it has one) */
    wl_profile_spec profile;
    int64_t n_started;
    hs_time last_out;  /* arrival of the last call produced */
    int64_t n_waiting; /* sessions 'out' with a next call to come */
    wl_loop loop;
    session *sess; /* by slot */
    size_t cap_sess;
} wl_agent;

static wl_agent *as_agent(wl_source *s)
{
    HS_ASSERT(s->ops == &wl_agent_ops);
    return (wl_agent *)(void *)s;
}

static const wl_agent *as_cagent(const wl_source *s)
{
    HS_ASSERT(s->ops == &wl_agent_ops);
    return (const wl_agent *)(const void *)s;
}

/* ---- draws -------------------------------------------------------------- */

/* A uniform number in (0, 1) for quantity 'q' of turn 'turn' of session
 * 'id'. */
static double uniform(const wl_agent *g, int64_t id, int64_t turn,
                      enum quantity q)
{
    uint64_t h =
        wl_stream_seed(g->key ^ (uint64_t)id, (int32_t)turn, (uint32_t)q);

    return ((double)(h >> 11) + 0.5) * 0x1.0p-53;
}

static int64_t draw_tokens(const wl_agent *g, const wl_dist *d, int64_t id,
                           int64_t turn, enum quantity q)
{
    return wl_dist_tokens(d, uniform(g, id, turn, q));
}

/* The gap after call 'turn': a tool call or a human turn. */
static hs_time draw_gap(const wl_agent *g, int64_t id, int64_t turn)
{
    bool tool = uniform(g, id, turn, Q_GAP_KIND) < g->p.tool_fraction;

    return wl_dist_time(tool ? &g->tool_latency : &g->think_time,
                        uniform(g, id, turn, Q_GAP));
}

/* A fresh first prompt for call 'turn': start_context, at most the cap. */
static int64_t start_prompt(const wl_agent *g, int64_t id, int64_t turn)
{
    int64_t v = draw_tokens(g, &g->start_context, id, turn, Q_START);

    return v < g->p.max_context ? v : g->p.max_context;
}

/* ---- sessions ----------------------------------------------------------- */

/* Decide the call after the one just produced (turn - 1). */
static void plan_next(const wl_agent *g, session *s)
{
    int64_t appended, prompt;

    s->has_next = s->turn < s->n_calls;
    if (!s->has_next)
        return;
    appended = draw_tokens(g, &g->appended, s->id, s->turn, Q_APPENDED);
    prompt = s->context + appended;
    s->next_prompt = prompt;
    s->next_prefix = s->context;
    if (prompt > g->p.max_context) {
        if (g->p.on_max_context == WL_OVERFLOW_END) {
            s->has_next = false;
            return;
        }
        s->next_prompt = start_prompt(g, s->id, s->turn);
        s->next_prefix = 0;
    }
    s->next_gap = draw_gap(g, s->id, s->turn - 1);
}

/* Produce session s's planned call at 'arrival'. */
static void emit(wl_agent *g, session *s, hs_time arrival, wl_request *out)
{
    memset(out, 0, sizeof *out);
    out->arrival = arrival;
    out->session_id = s->id;
    out->turn = (int32_t)s->turn;
    out->prompt_tokens = s->next_prompt;
    out->prefix.tokens = s->next_prefix;
    out->output_tokens = draw_tokens(g, &g->output, s->id, s->turn, Q_OUTPUT);
    s->context = s->next_prompt + out->output_tokens;
    s->turn++;
    plan_next(g, s);
    out->tool_wait = s->has_next ? s->next_gap : 0;
    out->session_last = !s->has_next;
    s->out = true;
    g->n_waiting += s->has_next;
    g->last_out = arrival;
}

/* Start session number n_started at 'arrival' and produce its call 0. */
static void start(wl_agent *g, hs_time arrival, wl_request *out)
{
    int64_t id = g->n_started++;
    uint32_t slot = wl_loop_add(&g->loop, id);
    session *s;

    HS_ASSERT(slot != WL_NO_SLOT);
    hs_grow((void **)&g->sess, &g->cap_sess, g->loop.n_slots, sizeof *s);
    s = &g->sess[slot];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->n_calls = draw_tokens(g, &g->calls, id, 0, Q_CALLS);
    if (s->n_calls > INT32_MAX) /* turns are int32_t */
        s->n_calls = INT32_MAX;
    s->next_prompt = start_prompt(g, id, 0);
    emit(g, s, arrival, out);
    g->t_start_s += gsl_ran_exponential(g->arrival_rng, 1.0 / g->rate);
}

/* The next session start, or HS_TIME_MAX when there is none. */
static hs_time next_start(const wl_agent *g)
{
    hs_time t =
        hs_time_from_s(g->profile.kind == WL_PROFILE_NONE
                           ? g->t_start_s
                           : wl_profile_time(&g->profile, g->t_start_s));

    if ((g->limit > 0 && g->n_started >= g->limit) || t >= g->horizon)
        return HS_TIME_MAX;
    return t;
}

/* True when the next call is a session start rather than a due call. */
static bool start_first(const wl_agent *g, hs_time t_start)
{
    const wl_due *top = wl_loop_top(&g->loop);

    if (t_start == HS_TIME_MAX)
        return false;
    return top == NULL ||
           wl_due_before(t_start, g->n_started, top->arrival, top->session_id);
}

/* The next call's arrival (a session start or a due call) into
 * '*arrival': 1, or 0 (none now). */
static int next_call_at(const wl_agent *g, hs_time *arrival)
{
    hs_time t = next_start(g);
    const wl_due *top = wl_loop_top(&g->loop);

    if (start_first(g, t)) {
        *arrival = t;
        return 1;
    }
    if (top == NULL)
        return 0;
    *arrival = top->arrival;
    return 1;
}

static int agent_peek(wl_source *self, hs_time *arrival, hs_diag *d)
{
    (void)d;
    return next_call_at(as_agent(self), arrival);
}

static int agent_next(wl_source *self, wl_request *out, hs_diag *d)
{
    wl_agent *g = as_agent(self);
    hs_time t = next_start(g);
    wl_due due;

    (void)d;
    if (start_first(g, t)) {
        start(g, t, out);
        return 1;
    }
    if (wl_loop_top(&g->loop) == NULL)
        return 0;
    due = wl_loop_pop(&g->loop);
    emit(g, &g->sess[due.slot], due.arrival, out);
    return 1;
}

static bool agent_blocked(const wl_source *self)
{
    const wl_agent *g = as_cagent(self);
    hs_time t;

    return g->n_waiting > 0 && wl_loop_top(&g->loop) == NULL &&
           next_call_at(g, &t) == 0;
}

static void agent_finished(wl_source *self, int64_t session_id, hs_time now)
{
    wl_agent *g = as_agent(self);
    uint32_t slot;
    session *s;

    if (session_id < 0)
        return;
    HS_ASSERT(now >= g->last_out);
    slot = wl_loop_find(&g->loop, session_id);
    HS_ASSERT(slot != WL_NO_SLOT);
    s = &g->sess[slot];
    HS_ASSERT(s->out);
    s->out = false;
    if (!s->has_next) {
        wl_loop_remove(&g->loop, session_id);
        return;
    }
    g->n_waiting--;
    wl_loop_push(&g->loop,
                 s->next_gap < HS_TIME_MAX - now ? now + s->next_gap
                                                 : HS_TIME_MAX,
                 session_id, slot);
}

/* ---- construction ------------------------------------------------------- */

/* Report a problem with one distribution; true if there was one. */
static bool bad_dist(const wl_source_spec *spec, const char *what,
                     const wl_preset_dist *d, bool is_time, hs_diag *d_out)
{
    const char *why = wl_dist_preset_problem(d, is_time);

    if (why != NULL)
        hs_diag_error(d_out, spec->loc, "preset '%s': %s: %s",
                      spec->agent.params.name, what, why);
    return why != NULL;
}

static int check_preset(const wl_source_spec *spec, hs_diag *d)
{
    const wl_preset *p = &spec->agent.params;
    int rc = HS_OK;
    int bad = 0;

    bad += bad_dist(spec, "calls", &p->calls, false, d);
    bad += bad_dist(spec, "start_context", &p->start_context, false, d);
    bad += bad_dist(spec, "appended", &p->appended, false, d);
    bad += bad_dist(spec, "output", &p->output, false, d);
    bad += bad_dist(spec, "tool_latency", &p->tool_latency, true, d);
    bad += bad_dist(spec, "think_time", &p->think_time, true, d);
    if (bad > 0)
        rc = HS_EINPUT;
    if (!(p->tool_fraction >= 0 && p->tool_fraction <= 1))
        rc = hs_diag_error(d, spec->loc,
                           "preset '%s': 'tool_fraction' must be in [0, 1], "
                           "got %g",
                           p->name, p->tool_fraction);
    if (p->max_context < 1)
        rc = hs_diag_error(d, spec->loc,
                           "preset '%s': 'max_context' must be >= 1, got "
                           "%lld",
                           p->name, (long long)p->max_context);
    if (p->on_max_context != WL_OVERFLOW_END &&
        p->on_max_context != WL_OVERFLOW_COMPACT)
        rc = hs_diag_error(d, spec->loc,
                           "preset '%s': unknown 'on_max_context' %d", p->name,
                           (int)p->on_max_context);
    return rc;
}

/* Check the spec (rate, end, preset); HS_OK or errors at spec->loc. */
static int check_spec(const wl_source_spec *spec, hs_diag *d)
{
    const wl_agent_spec *a = &spec->agent;
    int rc = HS_OK;

    if (!(a->session_rate > 0 && a->session_rate < 1e15))
        rc = hs_diag_error(d, spec->loc, "'session_rate' must be > 0, got %g",
                           a->session_rate);
    if (a->sessions < 0 || !(a->horizon_s >= 0 && a->horizon_s < 9e9))
        rc = hs_diag_error(d, spec->loc,
                           "'sessions' and 'horizon' must be >= 0");
    else if (a->sessions == 0 && a->horizon_s == 0)
        rc = hs_diag_error(d, spec->loc,
                           "agent source needs 'sessions' or 'horizon' to "
                           "end");
    if (check_preset(spec, d) != HS_OK)
        rc = HS_EINPUT;
    return rc;
}

static bool agent_closed(const wl_source *self)
{
    (void)self;
    return true;
}

static int agent_init(wl_source *self, const wl_source_spec *spec,
                      uint64_t seed, hs_diag *d)
{
    const wl_agent_spec *a = &spec->agent;
    wl_agent *g = as_agent(self);

    wl_loop_init(&g->loop);
    if (check_spec(spec, d) != HS_OK)
        return HS_EINPUT;
    g->p = a->params;
    wl_dist_preset(&g->calls, &g->p.calls, false);
    wl_dist_preset(&g->start_context, &g->p.start_context, false);
    wl_dist_preset(&g->appended, &g->p.appended, false);
    wl_dist_preset(&g->output, &g->p.output, false);
    wl_dist_preset(&g->tool_latency, &g->p.tool_latency, true);
    wl_dist_preset(&g->think_time, &g->p.think_time, true);
    g->key = wl_stream_seed(seed, self->index, WL_STREAM_SESSION);
    g->rate = a->session_rate;
    g->profile = a->profile;
    g->limit = a->sessions;
    g->horizon = a->horizon_s > 0 ? hs_time_from_s(a->horizon_s) : HS_TIME_MAX;
    g->arrival_rng = wl_rng_new(seed, self->index, WL_STREAM_ARRIVAL);
    return HS_OK;
}

static void agent_fini(wl_source *self)
{
    wl_agent *g = as_agent(self);

    if (g->arrival_rng != NULL)
        gsl_rng_free(g->arrival_rng);
    wl_loop_fini(&g->loop);
    free(g->sess);
}

const wl_source_ops wl_agent_ops = {
    .version = WL_SOURCE_OPS_VERSION,
    .kind = "agent",
    .size = sizeof(wl_agent),
    .init = agent_init,
    .next = agent_next,
    .peek = agent_peek,
    .blocked = agent_blocked,
    .release = NULL,
    .finished = agent_finished,
    .closed = agent_closed,
    .fini = agent_fini,
};
