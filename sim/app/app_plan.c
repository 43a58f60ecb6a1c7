/*
 * app_plan.c -- from a scenario file to the runs to make: the base
 * scenario, then every variant in file order (or the one variant asked
 * for), each with the --set overrides, all loaded and validated before
 * anything is written; and where their results go.
 *
 * A variant's problems are kept apart from the base's: a problem the
 * base has too is reported once, under the base, and the others are
 * tagged with the variant's name after their "error: ", so that the
 * user sees which variant breaks.  (The tags are made from the message
 * text for now; they become a field when diagnostics are structs.)
 */
#include "hetsim/app.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- variant problems --------------------------------------------------- */

static bool in_diag(const hs_diag *d, const char *m)
{
    for (size_t i = 0; i < hs_diag_count(d); i++)
        if (strcmp(hs_diag_message(d, i), m) == 0)
            return true;
    return false;
}

static bool in_extra(const app_plan *p, const char *m)
{
    for (size_t i = 0; i < p->n_extra; i++)
        if (strcmp(p->extra[i], m) == 0)
            return true;
    return false;
}

/* 'm' with "variant 'name': " after its "error: " (a new string). */
static char *tag_variant(const char *m, const char *name)
{
    const char *tag = strstr(m, "error: ");

    if (tag == NULL)
        return hs_asprintf("variant '%s': %s", name, m);
    return hs_asprintf("%.*svariant '%s': %s", (int)(tag + 7 - m), m, name,
                       tag + 7);
}

/* Add the messages of 'vd' (variant 'name''s load) that the base's 'd'
 * lacks to p->extra, tagged.  With 'once', a message already reported
 * (in 'd' or p->extra, tagged or not) is skipped too. */
static void add_variant_diag(app_plan *p, const hs_diag *d, const hs_diag *vd,
                             const char *name, bool once)
{
    for (size_t i = 0; i < hs_diag_count(vd); i++) {
        const char *m = hs_diag_message(vd, i);
        char *t;

        if (in_diag(d, m) || (once && in_extra(p, m)))
            continue;
        t = tag_variant(m, name);
        if (once && (in_diag(d, t) || in_extra(p, t))) {
            free(t);
            continue;
        }
        hs_grow((void **)&p->extra, &p->cap_extra, p->n_extra + 1,
                sizeof *p->extra);
        p->extra[p->n_extra++] = t;
    }
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
    io_scenario_load_opts(o->path, &so, &sc, vd);
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
    io_names_free(p->extra, p->n_extra);
    memset(p, 0, sizeof *p);
}

bool app_plan_check(const app_plan *p, const char **why)
{
    const char *bad = NULL;

    for (size_t i = 0; i < p->n && bad == NULL; i++)
        if (p->sc[i] == NULL)
            bad = "P1 a run without its scenario";
    for (size_t i = 0; i < p->n_extra && bad == NULL; i++)
        if (p->extra[i] == NULL || strstr(p->extra[i], "variant '") == NULL)
            bad = "P2 a variant problem without its tag";
    if (p->n_extra > p->cap_extra)
        bad = "P2 more messages than room";
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
    if (ok && hs_diag_count(d) == 0 && p->n_extra == 0)
        return HS_OK;
    drop_runs(p);
    return HS_EINPUT;
}

int app_plan_validate(const app_plan_opts *o, app_plan *p, hs_diag *d)
{
    hs_diag *vd = hs_diag_new();
    char **names = NULL;
    size_t n = 0;
    sc_scenario *sc = NULL;

    if (io_scenario_load(o->path, o->ovr, o->n_ovr, NULL, &sc, d) == HS_OK)
        sc_scenario_free(sc);
    io_scenario_variant_names(o->path, NULL, &names, &n, vd);
    for (size_t i = 0; i < n; i++) {
        hs_diag_clear(vd);
        sc = NULL;
        if (io_scenario_load(o->path, o->ovr, o->n_ovr, names[i], &sc, vd) ==
            HS_OK) {
            sc_scenario_free(sc);
            continue;
        }
        add_variant_diag(p, d, vd, names[i], false);
    }
    io_names_free(names, n);
    hs_diag_free(vd);
    return hs_diag_count(d) + p->n_extra == 0 ? HS_OK : HS_EINPUT;
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
    make_parents(path);
    return io_store_open(path, out, d);
}
