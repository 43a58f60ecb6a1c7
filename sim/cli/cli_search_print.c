/*
 * cli_search_print.c -- the rows of 'hetsim search' (cli_search.h): one
 * per candidate, in the order app_search_finish() gives, as an aligned
 * table, csv or json.  Columns: the space PATHs (values as the search
 * file wrote them), feasible, the objective under its name, ttft_p99_s,
 * tpot_p99_s, throughput_tok_s (means over the seeds; empty when not
 * simulated), with --rate-max rate_max_req_s and goodput_per_usd,
 * simulated, pareto, run_id (the first seed's; empty when not run) and
 * reason.
 */
#include "cli.h"
#include "cli_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_FIXED 11

static const char *objective_col(const app_search *s, bool rate)
{
    if (rate)
        return "goodput_per_usd";
    switch (s->sw.file->objective) {
    case IO_OBJ_COST:
        return "usd_per_hour";
    case IO_OBJ_ENERGY:
        return "j_per_token";
    case IO_OBJ_DEVICES:
        return "devices";
    }
    return "objective";
}

/* The cells of candidate 'i' (new strings; NULL: empty). */
static void cells(const cli_search_args *a, const app_search *s, size_t i,
                  char **v)
{
    const app_candidate *c = &s->c[i];
    const app_sweep_point *p = &s->sw.pt[c->first];
    size_t k = 0;
    double obj = c->simulated || !a->rate_max ? c->objective : (double)NAN;

    for (size_t j = 0; j < p->n_params; j++)
        v[k++] = hs_strdup(p->params[j].value);
    v[k++] = hs_strdup(c->feasible ? "1" : "0");
    if (!c->simulated && !a->rate_max &&
        s->sw.file->objective != IO_OBJ_ENERGY)
        obj = c->bound; /* exact; energy's is a bound (in 'reason') */
    if (a->rate_max)
        obj = c->feasible ? -obj : (double)NAN;
    v[k++] = isfinite(obj) ? hs_asprintf("%.6g", obj) : NULL;
    v[k++] = c->simulated && isfinite(c->ttft_p99_s)
                 ? hs_asprintf("%.6g", c->ttft_p99_s)
                 : NULL;
    v[k++] = c->simulated && isfinite(c->tpot_p99_s)
                 ? hs_asprintf("%.6g", c->tpot_p99_s)
                 : NULL;
    v[k++] = c->simulated ? hs_asprintf("%.6g", c->throughput_tok_s) : NULL;
    v[k++] = a->rate_max && c->rate_max > 0 ? hs_asprintf("%.6g", c->rate_max)
                                            : NULL;
    v[k++] = hs_strdup(c->simulated ? "1" : "0");
    v[k++] = hs_strdup(c->pareto ? "1" : "0");
    v[k++] = c->run_id[0] >= 0 ? hs_asprintf("%lld", (long long)c->run_id[0])
                               : NULL;
    v[k++] = hs_asprintf("%zu", i + 1);
    v[k++] = c->reason != NULL ? hs_strdup(c->reason) : NULL;
}

static void header(const cli_search_args *a, const app_search *s,
                   const char **h)
{
    const app_sweep_point *p = &s->sw.pt[0];
    size_t k = 0;

    for (size_t j = 0; j < p->n_params; j++)
        h[k++] = p->params[j].path;
    h[k++] = "feasible";
    h[k++] = objective_col(s, a->rate_max);
    h[k++] = "ttft_p99_s";
    h[k++] = "tpot_p99_s";
    h[k++] = "throughput_tok_s";
    h[k++] = "rate_max_req_s";
    h[k++] = "simulated";
    h[k++] = "pareto";
    h[k++] = "run_id";
    h[k++] = "candidate";
    h[k++] = "reason";
}

/* Columns printed as JSON numbers: those after the PATHs but the last
 * (reason). */
static bool is_number(size_t col, size_t n_paths)
{
    return col >= n_paths && col != n_paths + N_FIXED - 1;
}

static void print_rows(const cli_search_args *a, const app_search *s,
                       const size_t *rows, FILE *out)
{
    size_t np = s->sw.pt[0].n_params, nc = np + N_FIXED;
    const char **h = hs_calloc(nc, sizeof *h);
    char **v = hs_calloc(nc * (s->n + 1), sizeof *v);
    bool *num = hs_calloc(nc, sizeof *num);
    cli_rows t = {h, nc, v, s->n, num};

    header(a, s, h);
    for (size_t c = 0; c < nc; c++)
        num[c] = is_number(c, np);
    for (size_t r = 0; r < s->n; r++)
        cells(a, s, rows[r], &v[r * nc]);
    cli_rows_print(&t, a->format, out);
    for (size_t i = 0; i < nc * s->n; i++)
        free(v[i]);
    free(v);
    free(num);
    free(h);
}

void cli_search_print(const cli_search_args *a, const app_search *s,
                      const size_t *rows, size_t sims, const char *db,
                      FILE *out)
{
    print_rows(a, s, rows, out);
    if (strcmp(a->format, "table") != 0 || a->quiet)
        return;
    fprintf(out, "\n");
    if (s->best >= 0)
        fprintf(out, "best: candidate %ld (run %lld)\n", s->best + 1,
                (long long)s->c[s->best].run_id[0]);
    else
        fprintf(out, "best: none of the %zu candidates meets the SLO\n", s->n);
    if (a->rate_max)
        fprintf(out,
                "simulated: %zu runs of the rate bisection for %zu "
                "candidates x %zu seeds; runs in %s\n",
                sims, s->n, s->n_seeds, db);
    else
        fprintf(out,
                "simulated: %zu of %zu points (%zu candidates x %zu "
                "seeds); runs in %s\n",
                sims, s->sw.n, s->n, s->n_seeds, db);
}
