/*
 * cli_progress.c -- 'hetsim run''s progress line, its estimates and the
 * steps warning (cli_progress.h).  The workload is counted once per run,
 * before any runs, by reading every open source through the workload
 * layer (a trace is read twice in all: here and by the run); the ETA
 * then scales the wall time so far by the share of the requests arrived,
 * or, when the count is unknown, of the arrival horizon simulated.
 */
#include "cli_progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hetsim/workload.h"

/* Stop counting a source after this many requests: an endless one. */
#define MAX_COUNTED INT64_C(100000000)

/* Count one source; false when its count is unknown. */
static bool count_source(const wl_source_spec *spec, int32_t index,
                         uint64_t seed, cli_workload_est *out)
{
    hs_diag *d = hs_diag_new();
    wl_source *s = wl_source_open(spec, index, seed, d);
    wl_request r;
    int64_t n = 0;
    bool known = s != NULL && !wl_source_closed(s);
    int rc = 1;

    while (known && n < MAX_COUNTED && (rc = wl_source_next(s, &r, d)) == 1) {
        n++;
        out->output_tokens += (double)r.output_tokens;
    }
    known = known && rc == 0 && !wl_source_blocked(s);
    if (known)
        out->requests += n;
    wl_source_close(s);
    hs_diag_free(d);
    return known;
}

/* The arrival horizon a source states (0: none). */
static double source_horizon(const wl_source_spec *spec)
{
    if (spec->kind == WL_SOURCE_AGENT)
        return spec->agent.horizon_s;
    if (spec->kind == WL_SOURCE_SYNTHETIC)
        return spec->synthetic.horizon_s;
    return 0;
}

void cli_workload_estimate(const sc_scenario *sc, uint64_t seed,
                           cli_workload_est *out)
{
    bool known = true, horizons = true;

    out->requests = 0;
    out->output_tokens = 0;
    out->horizon_s = 0;
    for (size_t i = 0; i < sc->n_workload; i++) {
        const wl_source_spec *spec = &sc->workload[i];
        double h = source_horizon(spec);

        if (!count_source(spec, (int32_t)i, seed, out))
            known = false;
        if (h <= 0)
            horizons = false;
        else if (h > out->horizon_s)
            out->horizon_s = h;
    }
    if (!known)
        out->requests = -1;
    if (!horizons)
        out->horizon_s = 0;
}

double cli_steps_bytes_max(const cli_workload_est *w)
{
    if (w->requests < 0)
        return 0;
    return (w->output_tokens + (double)w->requests) * CLI_STEPS_ROW_BYTES;
}

/* The warning of a run whose steps rows may pass the threshold. */
static void steps_warning(const sc_scenario *sc, const cli_workload_est *w)
{
    double bytes = cli_steps_bytes_max(w);

    if (sc->output.steps != SC_STEPS_ALL || bytes <= CLI_STEPS_WARN_BYTES)
        return;
    fprintf(stderr,
            "hetsim run: warning: %s%s%s: output.steps: all writes a row "
            "per batch step: up to %.1f GB for %lld requests and %.0f "
            "output tokens (about %.0f bytes a row; fewer when steps batch "
            "several requests).  Sample instead: --set output.steps=sampled "
            "--set output.step_sample_every=100 (or steps: none)\n",
            sc->name, sc->variant != NULL ? "/" : "",
            sc->variant != NULL ? sc->variant : "", bytes / 1e9,
            (long long)w->requests, w->output_tokens, CLI_STEPS_ROW_BYTES);
}

/* The seconds between lines without a terminal: $HETSIM_PROGRESS_INTERVAL
 * when it is a number > 0, else CLI_PROGRESS_PIPE_S. */
static double pipe_interval(void)
{
    const char *env = getenv("HETSIM_PROGRESS_INTERVAL");
    char *end;
    double v;

    if (env == NULL || env[0] == '\0')
        return CLI_PROGRESS_PIPE_S;
    v = strtod(env, &end);
    return *end == '\0' && v > 0 ? v : CLI_PROGRESS_PIPE_S;
}

void cli_progress_init(cli_progress *pg, const app_plan *p,
                       const app_run_opts *ro, bool progress)
{
    pg->tty = isatty(STDERR_FILENO) != 0;
    pg->every = pg->tty ? CLI_PROGRESS_TTY_S : pipe_interval();
    pg->last = 0;
    pg->shown = false;
    pg->plan = p;
    pg->est = hs_calloc(p->n > 0 ? p->n : 1, sizeof *pg->est);
    for (size_t i = 0; i < p->n; i++) {
        const sc_scenario *sc = p->sc[i];

        pg->est[i].requests = -1;
        if (!progress && sc->output.steps != SC_STEPS_ALL)
            continue;
        cli_workload_estimate(sc, app_run_seed(ro, sc), &pg->est[i]);
        steps_warning(sc, &pg->est[i]);
    }
}

void cli_progress_fini(cli_progress *pg)
{
    free(pg->est);
    pg->est = NULL;
}

/* ---- the line ------------------------------------------------------------ */

/* The estimate of the run of 'sc'. */
static const cli_workload_est *est_of(const cli_progress *pg,
                                      const sc_scenario *sc)
{
    static const cli_workload_est none = {-1, 0, 0};

    for (size_t i = 0; i < pg->plan->n; i++)
        if (pg->plan->sc[i] == sc)
            return &pg->est[i];
    return &none;
}

/* The share of the run done, in (0, 1], or 0 when unknown. */
static double fraction(const cli_workload_est *w, const app_progress *p)
{
    double f = 0;

    if (w->requests > 0)
        f = (double)p->arrived / (double)w->requests;
    else if (w->horizon_s > 0)
        f = p->sim_s / w->horizon_s;
    return f > 1 ? 1 : f;
}

/* "ETA 1h02m", "ETA 3m05s", "ETA 12s" or "ETA ?" into 'buf'. */
static void eta(const cli_workload_est *w, const app_progress *p, char *buf,
                size_t len)
{
    double f = fraction(w, p), left;
    long s;

    if (f < 0.001 || p->wall_s <= 0) {
        snprintf(buf, len, "ETA ?");
        return;
    }
    left = p->wall_s * (1 - f) / f;
    s = (long)(left + 0.5);
    if (s >= 3600)
        snprintf(buf, len, "ETA %ldh%02ldm", s / 3600, s / 60 % 60);
    else if (s >= 60)
        snprintf(buf, len, "ETA %ldm%02lds", s / 60, s % 60);
    else
        snprintf(buf, len, "ETA %lds", s);
}

static void show(const cli_progress *pg, const app_progress *p)
{
    const sc_scenario *sc = p->sc;
    const cli_workload_est *w = est_of(pg, sc);
    char total[48] = "", left[32];

    if (w->requests >= 0)
        snprintf(total, sizeof total, " of ~%lld", (long long)w->requests);
    if (p->final)
        snprintf(left, sizeof left, "finished");
    else
        eta(w, p, left, sizeof left);
    fprintf(stderr,
            "%s[%s%s%s] sim %.1f s  done %lld/%lld%s  wall %.1f s  "
            "%s%s",
            pg->tty ? "\r" : "", sc->name, sc->variant != NULL ? "/" : "",
            sc->variant != NULL ? sc->variant : "", p->sim_s,
            (long long)p->done, (long long)p->arrived, total, p->wall_s, left,
            pg->tty ? "   " : "\n");
    fflush(stderr);
}

void cli_progress_cb(void *ctx, const app_progress *p)
{
    cli_progress *pg = ctx;

    if (p->final) {
        if (pg->shown) {
            show(pg, p);
            if (pg->tty)
                fprintf(stderr, "\n");
        }
        pg->last = 0;
        pg->shown = false;
    } else if (p->wall_s - pg->last >= pg->every) {
        show(pg, p);
        pg->last = p->wall_s;
        pg->shown = true;
    }
}
