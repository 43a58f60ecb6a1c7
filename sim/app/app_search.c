/*
 * app_search.c -- the search for the best candidate of a space that
 * meets an SLO (app.h has the contract): the candidates' objectives and
 * the bounds that decide some without a simulation, the order they are
 * simulated in, the stop rule, and the Pareto front of what ran.
 *
 * Every bound used to prune is provably safe:
 *   capacity  the candidate's simulation cannot be built (srv_sim_new
 *             refuses it: the model leaves no room for KV), so it cannot
 *             serve anything;
 *   roofline  the floor of any step that gives a token (step_floor_s,
 *             k = 1: its fixed overhead plus the roofline of the least
 *             FLOPs and weight bytes a one-token step moves, at the
 *             fastest efficiencies and peak the device's timing uses; "the
 *             energy bound" below says why no step is faster -- the cost
 *             model's own smallest step is not a bound, since calibrated
 *             steps are not monotone in their work: one decode 2.515 ms,
 *             two 2.482 ms on H100 at TP 8).  A first token needs at
 *             least one step and each later token one more, so every
 *             request's TTFT (and E2E) and TPOT are at least the floor;
 *             when it exceeds a key's threshold every request (and every
 *             miss, counted as infinite) is above it, and the percentile
 *             too.
 *   objective for cost and devices the objective is a property of the
 *             configuration (devices x cost_per_hour: what the simulation
 *             charges per hour of its window), so a candidate whose
 *             objective is not below the best feasible one's cannot beat
 *             it; for energy a lower bound of it (J per output token:
 *             the busy power of the least step time per token a step
 *             can reach, "the energy bound" below) serves the same way.
 * No heuristic pruning is made (more instances are never assumed to
 * help).
 *
 * Invariants (between calls):
 *   S1  order[] is a permutation of the candidates sorted by (bound,
 *       index); order[0..next) have been handed out or decided.
 *   S2  best < 0, or c[best] is feasible with the lowest (objective,
 *       index) among the feasible candidates decided so far.
 */
#include "hetsim/app.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- bounds before simulating ------------------------------------------- */

/* The groups of instances of 'sc': the monolithic instances, or the
 * prefill and decode pools. */
static size_t groups_of(const sc_scenario *sc, const sc_group **g)
{
    if (sc->cluster.mode == SC_MODE_SPLIT) {
        g[0] = &sc->cluster.prefill;
        g[1] = &sc->cluster.decode;
        return 2;
    }
    for (size_t i = 0; i < sc->cluster.n_instances && i < 64; i++)
        g[i] = &sc->cluster.instances[i];
    return sc->cluster.n_instances < 64 ? sc->cluster.n_instances : 64;
}

/* The GPUs of one instance of group 'g': tp x pp x dp. */
static double gpus_of(const sc_group *g)
{
    return (double)g->tp * g->par.pp * g->par.dp;
}

/* The cost context of group 'g''s instances, with the KV cache off the
 * device (kv_remote: its bytes leave the device memory time, so the
 * times are lower bounds whatever the KV policy); false when tp > 1 has
 * no link (then no bound). */
static bool group_ctx(const sc_scenario *sc, const sc_group *g, cost_ctx *ctx)
{
    const cost_link *link = NULL;
    cost_options o = cost_options_default();

    o.kv_remote = true; /* allreduce stays the fastest: a lower bound */
    if (g->link >= 0)
        link = &sc->links[g->link].link;
    if (g->tp * g->par.pp * g->par.dp > 1 && link == NULL)
        return false;
    cost_ctx_init(ctx, &sc->model, &sc->precision,
                  &sc->hardware[g->device].dev, g->tp, g->tp > 1 ? link : NULL,
                  &o);
    cost_ctx_set_parallel(ctx, &g->par);
    return true;
}

static double step_floor_s(const sc_scenario *sc, const sc_group *g, double k);

/* The roofline bound: the reason a key is missed by every request, or
 * NULL (a new string). */
static char *roofline_reason(const sc_scenario *sc)
{
    const sc_group *g[64];
    size_t n = groups_of(sc, g);
    double lb = INFINITY;

    for (size_t i = 0; i < n; i++)
        lb = fmin(lb, step_floor_s(sc, g[i], 1));
    for (size_t k = 0; k < sc->n_slo && n > 0; k++) {
        const sc_slo *o = &sc->slo[k];

        if (lb > o->threshold_s)
            return hs_asprintf("roofline: no step that gives a token takes "
                               "less than %.4g s, above %s = %.4g s",
                               lb, o->key, o->threshold_s);
    }
    return NULL;
}

/* ---- the energy bound --------------------------------------------------
 *
 * J per output token = E / T: T the output tokens of the requests done
 * that arrived in the window, E the energy over the window, at least
 * sum over instances of tp x power_busy_w x busy_s (idle power, links and
 * pools only add).  Every output token comes out of a step (a prefill
 * ending its prompt gives the first, each decode one more), a step gives
 * at most one per sequence and holds at most max_batch (B) sequences.
 *
 * A step's time is not monotone in its work once kernels are calibrated
 * (a fitted curve's parallelism term, the measured all-reduce table), so
 * the bound rests only on what every step time is made of: its fixed
 * step_overhead_s, collectives >= 0, and per operator at least its
 * FLOPs / (tp x e_c x peak) and its device bytes / (tp x e_m x bw), e_c
 * and e_m the largest efficiencies the device's timing uses (catalog or
 * fitted curves), peak the largest of its formats.  A step's FLOPs are a
 * sum over its tokens (every count is linear in them), so a step giving
 * k tokens does at least k x F1, F1 the fewer FLOPs of a one-token
 * prompt and a decode at context 1; and it reads at least W1, the fewer
 * weight bytes of those two one-token steps (dense weights are read
 * whole by any step, MoE experts more as tokens grow).  Its time is then
 * at least ovh + max(k F1 / (tp e_c peak), W1 / (tp e_m bw)), less a
 * nanosecond (durations are rounded to one), per token least at k = B.
 * So an instance's busy time is at least its tokens x L, and
 * E / T >= min over groups of tp x power_busy_w x L.
 *
 * That needs the tokens' steps inside the window: they start after their
 * request arrived (>= window.from) and end before the run's end, so it
 * holds when the window runs to the end of the run; with a window.to the
 * bound is 0. */

/* The largest efficiencies the timing of 'dev' may use, and its largest
 * peak FLOP/s. */
static void fastest(const cost_ctx *ctx, double *e_c, double *e_m,
                    double *peak)
{
    const cost_device *dev = &ctx->dev;

    *e_c = dev->eta_compute;
    *e_m = dev->eta_memory;
    *peak = ctx->peak;
    for (int k = 0; k < COST_N_DTYPES; k++)
        *peak = fmax(*peak, dev->peak_flops[k]);
    if (!dev->calib.present)
        return;
    for (int k = 0; k < COST_N_KCLASS; k++)
        if (dev->calib.curve[k].fitted) {
            *e_c = fmax(*e_c, dev->calib.curve[k].eff_c);
            *e_m = fmax(*e_m, dev->calib.curve[k].eff_m);
        }
}

/* The least time of any step of group 'g' that gives k >= 1 tokens:
 * ovh + max(k F1 / (tp e_c peak), W1 / (tp e_m bw)) less a nanosecond
 * (the floor above); 0 when there is none to be had. */
static double step_floor_s(const sc_scenario *sc, const sc_group *g, double k)
{
    cost_ctx ctx;
    cost_batch b;
    cost_step pre, dec;
    double e_c, e_m, peak, f1, w1, t;

    if (!group_ctx(sc, g, &ctx))
        return 0;
    memset(&b, 0, sizeof b);
    cost_batch_add_prefill(&b, &ctx, 1, 0, true);
    cost_step_eval(&ctx, &b, &pre);
    memset(&b, 0, sizeof b);
    cost_batch_add_decode(&b, 1);
    cost_step_eval(&ctx, &b, &dec);
    fastest(&ctx, &e_c, &e_m, &peak);
    f1 = fmin(pre.flops, dec.flops);
    w1 = fmin(pre.weight_bytes, dec.weight_bytes);
    if (!(e_c > 0 && e_m > 0 && peak > 0 && ctx.dev.mem_bw > 0))
        return 0;
    /* spread over every GPU of the instance at best (EP may put a
     * token's experts beyond its TP group; PP stages run in turn) */
    t = ctx.dev.step_overhead_s - 1e-9 +
        fmax(k * f1 / (gpus_of(g) * e_c * peak),
             w1 / (gpus_of(g) * e_m * ctx.dev.mem_bw));
    return t > 0 ? t : 0;
}

/* L of group 'g': seconds of step per token it can give, at least (at
 * k = max_batch). */
static double per_token_s(const sc_scenario *sc, const sc_group *g)
{
    double big = (double)g->max_batch;

    return big < 1 ? 0 : step_floor_s(sc, g, big) / big;
}

/* The energy objective's lower bound (J per output token), or 0. */
static double energy_bound(const sc_scenario *sc)
{
    const sc_group *g[64];
    size_t n = groups_of(sc, g);
    double lb = INFINITY;

    if (isfinite(sc->window.to_s) || n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const cost_device *dev = &sc->hardware[g[i]->device].dev;

        if (dev->power_idle_w < 0 || dev->power_busy_w < 0)
            return 0;
        lb = fmin(lb,
                  gpus_of(g[i]) * dev->power_busy_w * per_token_s(sc, g[i]));
    }
    return isfinite(lb) ? lb * (1 - 1e-9) : 0; /* below any rounding */
}

/* Devices and their cost per hour. */
static void price(const sc_scenario *sc, double *devices, double *usd)
{
    const sc_group *g[64];
    size_t n = groups_of(sc, g);

    *devices = *usd = 0;
    for (size_t i = 0; i < n; i++) {
        double dv = (double)g[i]->count * gpus_of(g[i]);

        *devices += dv;
        *usd += dv * sc->hardware[g[i]->device].dev.cost_per_hour;
    }
}

/* Whether the simulation of 'sc' can be built; else the reason. */
static char *build_reason(const sc_scenario *sc)
{
    hs_diag *d = hs_diag_new();
    char *why = NULL;

    if (app_run_validate(sc, NULL, d) != HS_OK) {
        const hs_diag_item *it =
            hs_diag_count(d) > 0 ? hs_diag_item_at(d, 0) : NULL;

        why = hs_asprintf("capacity: %s%s%s",
                          it != NULL && it->key != NULL ? it->key : "",
                          it != NULL && it->key != NULL ? ": " : "",
                          it != NULL ? it->message : "cannot be built");
    }
    hs_diag_free(d);
    return why;
}

static int bound_one(app_search *s, size_t i, hs_diag *d)
{
    app_candidate *c = &s->c[i];
    sc_scenario *sc = NULL;
    int rc = app_sweep_scenario(&s->sw, c->first, &sc, d);

    if (rc != HS_OK)
        return rc;
    if (i == 0 && sc->n_slo == 0) {
        hs_loc at = {s->sw.file->path, 1, 1};

        hs_diag_error(d, at,
                      "a search needs an slo (in the search file or "
                      "its scenario)");
        rc = HS_EINPUT;
    }
    price(sc, &c->devices, &c->usd_per_hour);
    switch (s->sw.file->objective) {
    case IO_OBJ_COST:
        c->bound = c->usd_per_hour;
        break;
    case IO_OBJ_DEVICES:
        c->bound = c->devices;
        break;
    case IO_OBJ_ENERGY:
        c->bound = 0;
        break;
    }
    c->reason = build_reason(sc);
    if (c->reason == NULL)
        c->reason = roofline_reason(sc);
    if (c->reason == NULL && s->sw.file->objective == IO_OBJ_ENERGY)
        c->bound = energy_bound(sc);
    c->pruned = c->reason != NULL;
    sc_scenario_free(sc);
    return rc;
}

/* ---- loading ------------------------------------------------------------ */

/* A sort key: a rank (0 first), a value, then the index. */
typedef struct sort_key {
    int rank;
    double v;
    size_t i;
} sort_key;

static int cmp_key(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;

    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* out[0..n) = the indexes of 'k' sorted by cmp_key. */
static void sort_keys(sort_key *k, size_t n, size_t *out)
{
    qsort(k, n, sizeof *k, cmp_key);
    for (size_t j = 0; j < n; j++)
        out[j] = k[j].i;
}

int app_search_load(const char *path, app_search *s, hs_diag *d)
{
    int rc;

    memset(s, 0, sizeof *s);
    s->best = -1;
    rc = app_sweep_load(path, IO_SEARCH_FILE, &s->sw, d);
    if (rc != HS_OK)
        return rc;
    s->n_seeds = s->sw.file->n_seeds > 0 ? s->sw.file->n_seeds : 1;
    s->n = s->sw.n / s->n_seeds;
    s->c = hs_calloc(s->n + 1, sizeof *s->c);
    s->order = hs_calloc(s->n + 1, sizeof *s->order);
    for (size_t i = 0; i < s->n && rc == HS_OK; i++) {
        s->c[i].first = i * s->n_seeds;
        s->c[i].run_id = hs_calloc(s->n_seeds, sizeof(int64_t));
        for (size_t k = 0; k < s->n_seeds; k++)
            s->c[i].run_id[k] = -1;
        rc = bound_one(s, i, d);
        s->order[i] = i;
    }
    if (rc != HS_OK) {
        app_search_fini(s);
        return rc;
    }
    {
        sort_key *k = hs_calloc(s->n + 1, sizeof *k);

        for (size_t i = 0; i < s->n; i++)
            k[i] = (sort_key){0, s->c[i].bound, i};
        sort_keys(k, s->n, s->order);
        free(k);
    }
    return HS_OK;
}

void app_search_fini(app_search *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->c[i].reason);
        free(s->c[i].run_id);
    }
    free(s->c);
    free(s->order);
    app_sweep_fini(&s->sw);
    memset(s, 0, sizeof *s);
    s->best = -1;
}

/* ---- the loop ----------------------------------------------------------- */

/* Whether candidate 'i' can still beat the best (S2). */
static bool may_beat(const app_search *s, size_t i)
{
    const app_candidate *b;

    if (s->best < 0)
        return true;
    b = &s->c[s->best];
    return s->c[i].bound < b->objective ||
           (s->c[i].bound == b->objective && i < (size_t)s->best);
}

bool app_search_may_beat(const app_search *s, size_t cand)
{
    return cand < s->n && may_beat(s, cand);
}

size_t app_search_next(app_search *s, size_t max, size_t *pts)
{
    size_t n = 0, taken = 0;

    while (s->next < s->n && taken < max) {
        size_t i = s->order[s->next];

        if (!s->c[i].pruned && !may_beat(s, i))
            break; /* nothing later can beat the best: sorted by bound */
        s->next++;
        if (s->c[i].pruned)
            continue;
        for (size_t k = 0; k < s->n_seeds; k++)
            pts[n++] = s->c[i].first + k;
        taken++;
    }
    return n;
}

typedef struct run_metrics {
    int64_t run_id;
    bool done;
    double m[REC_N_METRICS];
    bool has[REC_N_METRICS];
    size_t slo_keys, slo_met;
} run_metrics;

static int take_metric(void *ctx, const io_row *row)
{
    run_metrics *r = ctx;
    rec_metric_id id = rec_metric_find(row->values[1]);

    if (id == REC_M_slo_met) {
        r->slo_keys++;
        r->slo_met += row->values[2] != NULL && atof(row->values[2]) > 0;
    } else if (id < REC_N_METRICS && strcmp(row->values[0], "run") == 0 &&
               row->values[2] != NULL) {
        r->m[id] = atof(row->values[2]);
        r->has[id] = true;
    }
    return 0;
}

static int take_status(void *ctx, const io_row *row)
{
    run_metrics *r = ctx;

    r->done = row->values[0] != NULL && strcmp(row->values[0], "done") == 0;
    return 0;
}

static int read_run(io_store *store, run_metrics *r, hs_diag *d)
{
    char id[32];
    const char *p[1] = {id};
    int rc;

    snprintf(id, sizeof id, "%lld", (long long)r->run_id);
    rc = io_store_query(store,
                        "SELECT status FROM runs WHERE run_id = "
                        "CAST(?1 AS INTEGER)",
                        p, 1, take_status, r, d);
    if (rc == HS_OK)
        rc = io_store_query(store,
                            "SELECT scope, name, value FROM metrics WHERE "
                            "run_id = CAST(?1 AS INTEGER) AND (scope = "
                            "'run' OR name = 'slo_met')",
                            p, 1, take_metric, r, d);
    return rc;
}

/* The simulated objective of run 'r' ('c' for the fixed ones). */
static double run_objective(const app_search *s, const app_candidate *c,
                            const run_metrics *r)
{
    double tpj = r->m[REC_M_tokens_per_j];

    if (s->sw.file->objective != IO_OBJ_ENERGY)
        return c->bound;
    return r->has[REC_M_tokens_per_j] && tpj > 0 ? 1 / tpj : (double)INFINITY;
}

/* The last seed of 'i' is in: feasible, and the best so far? */
static void decide(app_search *s, size_t i)
{
    app_candidate *c = &s->c[i];
    double n = (double)s->n_seeds;

    c->simulated = true;
    c->ttft_p99_s /= n;
    c->tpot_p99_s /= n;
    c->throughput_tok_s /= n;
    c->goodput_req_s /= n;
    c->objective /= n;
    if (c->reason == NULL)
        c->feasible = true;
    if (c->feasible &&
        (s->best < 0 || c->objective < s->c[s->best].objective ||
         (c->objective == s->c[s->best].objective && i < (size_t)s->best)))
        s->best = (long)i;
}

int app_search_take(app_search *s, size_t point, io_store *store,
                    int64_t run_id, hs_diag *d)
{
    size_t i = point / s->n_seeds, k = point % s->n_seeds;
    app_candidate *c = &s->c[i];
    run_metrics r;
    int rc = HS_OK;

    memset(&r, 0, sizeof r);
    r.run_id = run_id;
    c->run_id[k] = run_id;
    if (run_id >= 0)
        rc = read_run(store, &r, d);
    if (c->reason == NULL && (!r.done || r.slo_keys == 0))
        c->reason = hs_strdup("its run did not end done");
    else if (c->reason == NULL && r.slo_met < r.slo_keys)
        c->reason = hs_asprintf("simulated: %zu of %zu SLO keys missed%s",
                                r.slo_keys - r.slo_met, r.slo_keys,
                                s->n_seeds > 1 ? " (a seed)" : "");
    c->ttft_p99_s +=
        r.has[REC_M_ttft_p99_s] ? r.m[REC_M_ttft_p99_s] : (double)NAN;
    c->tpot_p99_s +=
        r.has[REC_M_tpot_p99_s] ? r.m[REC_M_tpot_p99_s] : (double)NAN;
    c->throughput_tok_s += r.m[REC_M_throughput_tok_s];
    c->goodput_req_s += r.m[REC_M_goodput_req_s];
    c->objective += run_objective(s, c, &r);
    if (++c->runs_taken == s->n_seeds)
        decide(s, i);
    return rc;
}

/* ---- the end ------------------------------------------------------------ */

/* Whether simulated 'a' dominates 'b': no worse in objective, TTFT p99
 * (lower) and throughput (higher), better in one. */
static bool dominates(const app_candidate *a, const app_candidate *b)
{
    bool ttft = !isnan(a->ttft_p99_s) && !isnan(b->ttft_p99_s);
    bool le = a->objective <= b->objective &&
              (!ttft || a->ttft_p99_s <= b->ttft_p99_s) &&
              a->throughput_tok_s >= b->throughput_tok_s;
    bool lt = a->objective < b->objective ||
              (ttft && a->ttft_p99_s < b->ttft_p99_s) ||
              a->throughput_tok_s > b->throughput_tok_s;

    return le && lt && a->feasible;
}

void app_search_finish(app_search *s, size_t **rows)
{
    for (size_t i = 0; i < s->n; i++) {
        app_candidate *c = &s->c[i];

        if (!c->simulated && !c->pruned) {
            c->pruned = true;
            free(c->reason);
            c->reason = hs_asprintf(
                "objective: %s %s%.6g is not below the best's %.6g",
                io_objective_name(s->sw.file->objective),
                s->sw.file->objective == IO_OBJ_ENERGY ? "at least " : "",
                c->bound,
                s->best >= 0 ? s->c[s->best].objective : (double)NAN);
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        app_candidate *c = &s->c[i];

        c->pareto = c->simulated && c->feasible;
        for (size_t j = 0; j < s->n && c->pareto; j++)
            if (j != i && s->c[j].simulated && dominates(&s->c[j], c))
                c->pareto = false;
    }
    {
        sort_key *k = hs_calloc(s->n + 1, sizeof *k);

        for (size_t i = 0; i < s->n; i++) {
            const app_candidate *c = &s->c[i];

            k[i] = (sort_key){c->feasible ? 0 : 1,
                              c->feasible ? c->objective : c->bound, i};
        }
        *rows = hs_calloc(s->n + 1, sizeof **rows);
        sort_keys(k, s->n, *rows);
        free(k);
    }
}

int app_search_run_met(io_store *store, int64_t run_id, bool *met,
                       double *goodput, double *tok_s, hs_diag *d)
{
    run_metrics r;
    int rc = HS_OK;

    memset(&r, 0, sizeof r);
    r.run_id = run_id;
    if (run_id >= 0)
        rc = read_run(store, &r, d);
    *met = r.done && r.slo_keys > 0 && r.slo_met == r.slo_keys;
    *goodput = r.m[REC_M_goodput_req_s];
    *tok_s = r.m[REC_M_throughput_tok_s];
    return rc;
}
