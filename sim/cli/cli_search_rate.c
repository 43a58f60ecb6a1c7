/*
 * cli_search_rate.c -- 'hetsim search --rate-max' (cli_search.h): for
 * each candidate not pruned, the highest request rate of the search
 * file's rate_max range [min, max] at which every seed's run meets every
 * SLO key, by bisection: first max (it passes: done), then min (it
 * fails: no rate), then 'steps' midpoints.  The rate is set at
 * rate_max.path (with the seeds of the file; each run a point in DB
 * with the rate among its sweep_points).  Candidates are ranked by
 * goodput per dollar at their rate (goodput_req_s x 3600 /
 * usd_per_hour: requests per USD).
 *
 * Bisection assumes that a rate the cluster sustains within the SLO
 * implies every lower rate does too; hetsim does not prove it (a
 * heuristic, labelled so in docs/search.md).  Each round simulates every
 * open candidate's next rate together, -j at a time.
 */
#include "cli.h"
#include "cli_search.h"
#include "cli_sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One candidate's bracket. */
typedef struct bracket {
    double lo, hi; /* lo passes (0: none yet), hi fails (0: none yet) */
    double next;   /* the rate to try; 0: finished */
    int round;
    double goodput; /* at lo, mean over seeds */
    double tok_s;
    int64_t run_id; /* of lo's first seed */
} bracket;

/* The points of one round: each open candidate's point(s) at its rate. */
typedef struct round_pts {
    app_sweep sw; /* pt[] owned here, the rest borrowed */
    size_t *cand; /* candidate of each point */
    char **rate;  /* its rate text */
} round_pts;

static void add_point(round_pts *r, const app_search *s, size_t c, size_t k,
                      double rate)
{
    const app_sweep_point *src = &s->sw.pt[s->c[c].first + k];
    app_sweep_point *p = &r->sw.pt[r->sw.n];
    size_t n = src->n_ovr;

    r->rate[r->sw.n] = hs_asprintf("%.9g/s", rate);
    memset(p, 0, sizeof *p);
    p->ovr = hs_calloc(n + 1, sizeof *p->ovr);
    p->at = hs_calloc(2 * (n + 1), sizeof *p->at);
    p->params = hs_calloc(src->n_params + 1, sizeof *p->params);
    memcpy(p->ovr, src->ovr, n * sizeof *p->ovr);
    memcpy(p->at, src->at, 2 * n * sizeof *p->at);
    memcpy(p->params, src->params, src->n_params * sizeof *p->params);
    p->ovr[n].arg =
        hs_asprintf("%s=%s", s->sw.file->rate_path, r->rate[r->sw.n]);
    p->at[2 * n] = s->sw.file->rate_at;
    p->at[2 * n + 1] = s->sw.file->rate_at;
    p->n_ovr = n + 1;
    p->params[src->n_params].path = s->sw.file->rate_path;
    p->params[src->n_params].value = r->rate[r->sw.n];
    p->n_params = src->n_params + 1;
    p->has_seed = src->has_seed;
    p->seed = src->seed;
    r->cand[r->sw.n++] = c;
}

static void free_round(round_pts *r)
{
    for (size_t i = 0; i < r->sw.n; i++) {
        app_sweep_point *p = &r->sw.pt[i];

        free((char *)p->ovr[p->n_ovr - 1].arg);
        free(p->ovr);
        free(p->at);
        free(p->params);
        free(r->rate[i]);
    }
    free(r->sw.pt);
    free(r->cand);
    free(r->rate);
}

typedef struct round_ctx {
    round_pts *r;
    io_store *store;
    bool *met;      /* per candidate: every seed so far */
    double *good;   /* per candidate: sum over seeds */
    double *tok;    /* per candidate: sum over seeds */
    int64_t *first; /* per candidate: the first seed's run */
    bool failed;
} round_ctx;

static void on_point(void *ctx, size_t point, int64_t run_id)
{
    round_ctx *t = ctx;
    size_t c = t->r->cand[point];
    hs_diag *d = hs_diag_new();
    bool met;
    double g, tok;

    if (app_search_run_met(t->store, run_id, &met, &g, &tok, d) != HS_OK)
        t->failed = true;
    cli_print_diag(d, stderr);
    hs_diag_free(d);
    t->met[c] = t->met[c] && met;
    t->good[c] += g;
    t->tok[c] += tok;
    if (t->first[c] < 0)
        t->first[c] = run_id;
}

/* The next rate of a bracket after a run at b->next that passed or not. */
static void advance(bracket *b, bool pass, const app_search *s, double good,
                    double tok, int64_t run)
{
    const io_sweep *f = s->sw.file;

    if (pass) {
        b->lo = b->next;
        b->goodput = good;
        b->tok_s = tok;
        b->run_id = run;
    } else {
        b->hi = b->next;
    }
    b->round++;
    if (b->round == 1)
        b->next = pass ? 0 : f->rate_min; /* max passed: done */
    else if (b->lo == 0)
        b->next = 0; /* min failed: no rate */
    else if (b->round >= f->rate_steps + 2)
        b->next = 0;
    else
        b->next = (b->lo + b->hi) / 2;
}

/* Run one round: every candidate with a rate to try. */
static bool run_round(const cli_search_args *a, app_search *s, bracket *b,
                      io_store *store, const char *db, size_t *sims)
{
    round_pts r;
    round_ctx t;
    cli_pool_result res;
    int jobs = a->jobs > 0 ? a->jobs : cli_ncpu();
    size_t *todo;

    memset(&r, 0, sizeof r);
    r.sw.file = s->sw.file;
    r.sw.name = s->sw.name;
    r.sw.pt = hs_calloc(s->sw.n + 1, sizeof *r.sw.pt);
    r.cand = hs_calloc(s->sw.n + 1, sizeof *r.cand);
    r.rate = hs_calloc(s->sw.n + 1, sizeof *r.rate);
    for (size_t c = 0; c < s->n; c++)
        for (size_t k = 0; b[c].next > 0 && k < s->n_seeds; k++)
            add_point(&r, s, c, k, b[c].next);
    if (r.sw.n == 0) {
        free_round(&r);
        return false;
    }
    t = (round_ctx){&r,
                    store,
                    hs_calloc(s->n, sizeof(bool)),
                    hs_calloc(s->n, sizeof(double)),
                    hs_calloc(s->n, sizeof(double)),
                    hs_calloc(s->n, sizeof(int64_t)),
                    false};
    todo = hs_calloc(r.sw.n, sizeof *todo);
    for (size_t c = 0; c < s->n; c++) {
        t.met[c] = true;
        t.first[c] = -1;
    }
    for (size_t i = 0; i < r.sw.n; i++)
        todo[i] = i;
    cli_pool_run(&r.sw, todo, r.sw.n, jobs, store, db, !a->quiet && isatty(2),
                 on_point, &t, &res);
    *sims += r.sw.n;
    for (size_t c = 0; c < s->n && !(res.stopped || t.failed); c++)
        if (b[c].next > 0)
            advance(&b[c], t.met[c], s, t.good[c] / (double)s->n_seeds,
                    t.tok[c] / (double)s->n_seeds, t.first[c]);
    free(todo);
    free(t.met);
    free(t.good);
    free(t.tok);
    free(t.first);
    free_round(&r);
    if (res.stopped || res.io_error || t.failed)
        *sims = SIZE_MAX;
    return *sims != SIZE_MAX;
}

/* Set the candidates from their brackets; the best by goodput per
 * dollar. */
static void conclude(app_search *s, const bracket *b)
{
    for (size_t c = 0; c < s->n; c++) {
        app_candidate *x = &s->c[c];

        if (x->pruned)
            continue;
        x->simulated = true;
        x->feasible = b[c].lo > 0;
        x->rate_max = b[c].lo;
        x->run_id[0] = b[c].run_id;
        x->throughput_tok_s = b[c].tok_s;
        x->goodput_req_s = b[c].goodput;
        x->ttft_p99_s = x->tpot_p99_s = NAN;
        x->objective =
            x->usd_per_hour > 0 ? -(b[c].goodput * 3600 / x->usd_per_hour) : 0;
        if (!x->feasible)
            x->reason = hs_strdup("simulated: the SLO is missed at the "
                                  "lowest rate of rate_max");
        if (x->feasible &&
            (s->best < 0 || x->objective < s->c[s->best].objective))
            s->best = (long)c;
    }
}

size_t cli_search_rate(const cli_search_args *a, app_search *s,
                       io_store *store, const char *db)
{
    bracket *b = hs_calloc(s->n + 1, sizeof *b);
    size_t sims = 0;

    for (size_t c = 0; c < s->n; c++) {
        b[c].run_id = -1;
        b[c].next = s->c[c].pruned ? 0 : s->sw.file->rate_max;
    }
    while (run_round(a, s, b, store, db, &sims))
        ;
    if (sims != SIZE_MAX)
        conclude(s, b);
    free(b);
    return sims;
}
