/*
 * app_plan.c -- from a scenario file to the runs to make: the base
 * scenario, then every variant in file order (or the one variant asked
 * for), each with the --set overrides, all loaded and validated before
 * anything is written; and where their results go.
 *
 * A variant's problems are kept apart from the base's: a problem the
 * base has too is reported once, under the base, and the others carry
 * the variant's name as their context ("variant 'mono'", printed after
 * "error: "), so that the user sees which variant breaks.  Problems are
 * compared by their fields (hs_diag_item_eq), never by their text.
 */
#include "hetsim/app.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- variant problems --------------------------------------------------- */

/* Add the problems of 'vd' (variant 'name''s load) that the base's 'd'
 * lacks to p->extra, with the variant as their context.  With 'once', a
 * problem already reported for another variant is skipped too. */
static void add_variant_diag(app_plan *p, const hs_diag *d, const hs_diag *vd,
                             const char *name, bool once)
{
    char *context = hs_asprintf("variant '%s'", name);

    if (p->extra == NULL)
        p->extra = hs_diag_new();
    for (size_t i = 0; i < hs_diag_count(vd); i++) {
        hs_diag_item it = *hs_diag_item_at(vd, i);

        if (hs_diag_contains(d, &it))
            continue;
        it.context = context;
        if (once && hs_diag_contains(p->extra, &it))
            continue;
        hs_diag_add(p->extra, &it);
    }
    free(context);
}

/* ---- loading ------------------------------------------------------------ */

/* Load one run's scenario, from 'text' when not NULL.  Problems go to
 * 'd', or, when 'tagged', to p->extra as a variant's (those the base in
 * 'd' does not have). */
static sc_scenario *load_one(const app_plan_opts *o, const char *variant,
                             const char *text, bool tagged, app_plan *p,
                             hs_diag *d)
{
    io_scenario_opts so;
    sc_scenario *sc = NULL;
    hs_diag *vd = tagged ? hs_diag_new() : d;

    memset(&so, 0, sizeof so);
    so.ovr = o->ovr;
    so.n_ovr = o->n_ovr;
    so.variant = variant;
    so.text = text;
    if (io_scenario_load_opts(o->path, &so, &sc, vd) == HS_OK)
        io_scenario_plausibility(sc, vd);
    if (tagged) {
        add_variant_diag(p, d, vd, variant, true);
        hs_diag_free(vd);
    }
    return sc;
}

/* The variants to run after the base: its own list when it loaded, else
 * the names in the file (problems there are the base's too). */
static void variant_names(const char *path, const sc_scenario *base,
                          char ***names, size_t *n)
{
    hs_diag *scratch;

    if (base != NULL) {
        *names = hs_calloc(base->n_variants + 1, sizeof **names);
        for (size_t i = 0; i < base->n_variants; i++)
            (*names)[i] = hs_strdup(base->variants[i]);
        *n = base->n_variants;
        return;
    }
    scratch = hs_diag_new();
    io_scenario_variant_names(path, NULL, names, n, scratch);
    hs_diag_free(scratch);
}

/* Drop the scenarios, keep the problems (P3). */
static void drop_runs(app_plan *p)
{
    for (size_t i = 0; i < p->n; i++)
        sc_scenario_free(p->sc[i]);
    free(p->sc);
    p->sc = NULL;
    p->n = 0;
}

void app_plan_fini(app_plan *p)
{
    drop_runs(p);
    hs_diag_free(p->extra);
    memset(p, 0, sizeof *p);
}

bool app_plan_check(const app_plan *p, const char **why)
{
    const char *bad = NULL;

    for (size_t i = 0; i < p->n && bad == NULL; i++)
        if (p->sc[i] == NULL)
            bad = "P1 a run without its scenario";
    for (size_t i = 0; i < hs_diag_count(p->extra) && bad == NULL; i++)
        if (hs_diag_item_at(p->extra, i)->context == NULL)
            bad = "P2 a variant problem without its variant";
    if (why != NULL)
        *why = bad;
    return bad == NULL;
}

int app_plan_load(const app_plan_opts *o, app_plan *p, hs_diag *d)
{
    char **names = NULL;
    size_t n = 0;
    sc_scenario *base = NULL;
    bool ok;

    if (o->variant != NULL) {
        n = 1;
        names = hs_calloc(1, sizeof *names);
        names[0] = hs_strdup(o->variant);
    } else {
        base = load_one(o, NULL, NULL, false, p, d);
        variant_names(o->path, base, &names, &n);
    }
    p->sc = hs_calloc(n + 1, sizeof(sc_scenario *));
    ok = o->variant != NULL || base != NULL;
    if (base != NULL)
        p->sc[p->n++] = base;
    for (size_t i = 0; i < n; i++) {
        sc_scenario *sc = load_one(o, names[i], base ? base->yaml : NULL,
                                   o->variant == NULL, p, d);

        ok = ok && sc != NULL;
        if (sc != NULL)
            p->sc[p->n++] = sc;
    }
    io_names_free(names, n);
    if (ok && hs_diag_errors(d) == 0 && hs_diag_errors(p->extra) == 0)
        return HS_OK;
    drop_runs(p);
    return HS_EINPUT;
}

int app_plan_check_runs(app_plan *p, const app_run_opts *o, hs_diag *d)
{
    hs_diag *vd = hs_diag_new();
    int first = HS_OK;

    for (size_t i = 0; i < p->n; i++) {
        int rc;

        hs_diag_clear(vd);
        rc = app_run_validate(p->sc[i], o, i == 0 ? d : vd);
        if (i > 0)
            add_variant_diag(p, d, vd, p->sc[i]->variant, true);
        if (first == HS_OK)
            first = rc;
    }
    hs_diag_free(vd);
    return first;
}

/* Load run 'variant' (NULL: the base) of 'o' into nothing, and check it
 * as a run would before its first event (app_run_validate); problems to
 * 'd'.  HS_OK when there is none. */
static int validate_one(const app_plan_opts *o, const char *variant,
                        hs_diag *d)
{
    sc_scenario *sc = NULL;
    int rc = io_scenario_load(o->path, o->ovr, o->n_ovr, variant, &sc, d);

    if (rc == HS_OK) {
        io_scenario_plausibility(sc, d);
        rc = app_run_validate(sc, NULL, d);
    }
    sc_scenario_free(sc);
    return rc;
}

int app_plan_validate(const app_plan_opts *o, app_plan *p, hs_diag *d)
{
    hs_diag *vd = hs_diag_new();
    char **names = NULL;
    size_t n = 0;

    validate_one(o, NULL, d);
    io_scenario_variant_names(o->path, NULL, &names, &n, vd);
    for (size_t i = 0; i < n; i++) {
        hs_diag_clear(vd);
        validate_one(o, names[i], vd); /* errors, or warnings alone */
        add_variant_diag(p, d, vd, names[i], false);
    }
    io_names_free(names, n);
    hs_diag_free(vd);
    return hs_diag_errors(d) + hs_diag_errors(p->extra) == 0 ? HS_OK
                                                             : HS_EINPUT;
}

/* ---- where the results go ----------------------------------------------- */

char *app_plan_db_path(const app_plan *p, const char *db)
{
    const sc_scenario *sc = p->sc[0];

    HS_ASSERT(p->n > 0);
    if (db != NULL)
        return hs_strdup(db);
    if (sc->output.db != NULL)
        return hs_strdup(sc->output.db);
    return hs_asprintf("results/%s.db", sc->name);
}

/* Create the missing directories above file 'path' (mkdir -p); failures
 * are left for the open to report. */
static void make_parents(const char *path)
{
    char *p = hs_strdup(path);

    for (char *s = p[0] != '\0' ? strchr(p + 1, '/') : NULL; s != NULL;
         s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            break;
        *s = '/';
    }
    free(p);
}

int app_store_open(const char *path, io_store **out, hs_diag *d)
{
    int rc;

    make_parents(path);
    rc = io_store_open(path, out, d);
    if (rc == HS_OK)
        rc = app_store_reap_dead(*out, d);
    return rc;
}
