/*
 * app_sink.c -- the srv_sink of a run: every record the serving
 * simulation emits becomes a row of the results store (store.h); the
 * record structs are the store's rows (records.h), so most callbacks
 * pass them through.  What the sink decides is in app.h: a decode
 * instance equal to the prefill instance is stored as NULL, and steps
 * are thinned out by output.steps.
 *
 * Step sampling keeps one counter per instance name, found through the
 * tree's hash table keyed by hs_hash_str() of the name.  Two names with
 * the same 64-bit hash are told apart by a linear scan, so the counts
 * stay exact whatever the names.
 *
 * Invariants (app_sink_check):
 *   S1  the names of counts[0..n) are distinct, and counts[i].seen is
 *       the number of steps of instance counts[i].name received so far.
 *   S2  every name's key (hs_hash_str, HS_TABLE_NOKEY folded to 0) is in
 *       'index', mapped to the first of counts[] with that key.
 */
#include "hetsim/app.h"

#include <stdlib.h>
#include <string.h>

/* The steps seen of one instance. */
typedef struct step_count {
    char *name; /* owned */
    int64_t seen;
} step_count;

struct app_sink {
    io_store *store; /* borrowed */
    int64_t run_id;
    sc_steps_mode steps;
    int64_t sample_every; /* >= 1 */
    step_count *counts;   /* instances seen (sampled mode) */
    size_t n, cap;
    hs_table index; /* key of a name -> its index in 'counts' */
    int status;     /* HS_OK, or the first failure of a row append */
    hs_diag *d;     /* borrowed: where append failures are reported */
};

/* ---- per-instance step counters ----------------------------------------- */

static uint64_t key_of(const char *name)
{
    uint64_t k = hs_hash_str(name);

    return k == HS_TABLE_NOKEY ? 0 : k;
}

/* The counter of 'instance', created at 0 when new.  O(1) expected;
 * O(instances) when two names share a hash. */
static step_count *counter(app_sink *k, const char *instance)
{
    uint64_t key = key_of(instance), i;
    bool known = hs_table_get(&k->index, key, &i);

    if (known && strcmp(k->counts[i].name, instance) == 0)
        return &k->counts[i];
    for (i = 0; known && i < k->n; i++) /* a hash collision */
        if (strcmp(k->counts[i].name, instance) == 0)
            return &k->counts[i];
    hs_grow((void **)&k->counts, &k->cap, k->n + 1, sizeof *k->counts);
    k->counts[k->n].name = hs_strdup(instance);
    k->counts[k->n].seen = 0;
    if (!known)
        hs_table_put(&k->index, key, k->n);
    return &k->counts[k->n++];
}

/* Whether the next step of 'instance' gets a row. */
static bool keep_step(app_sink *k, const char *instance)
{
    if (k->steps == SC_STEPS_ALL)
        return true;
    if (k->steps == SC_STEPS_NONE)
        return false;
    return counter(k, instance)->seen++ % k->sample_every == 0;
}

/* ---- callbacks ---------------------------------------------------------- */

/* Keep the first failure; nonzero stops the simulation. */
static int note(app_sink *k, int rc)
{
    if (rc != HS_OK && k->status == HS_OK)
        k->status = rc;
    return rc != HS_OK;
}

static int on_request(void *ctx, const srv_request_rec *r)
{
    app_sink *k = ctx;
    srv_request_rec w = *r;

    if (w.decode_instance != NULL && w.prefill_instance != NULL &&
        strcmp(w.decode_instance, w.prefill_instance) == 0)
        w.decode_instance = NULL;
    return note(k, io_store_add_requests(k->store, k->run_id, &w, k->d));
}

static int on_step(void *ctx, const srv_step_rec *r)
{
    app_sink *k = ctx;

    if (!keep_step(k, r->instance))
        return 0;
    return note(k, io_store_add_steps(k->store, k->run_id, r, k->d));
}

static int on_instance(void *ctx, const srv_instance_rec *r)
{
    app_sink *k = ctx;

    return note(k, io_store_add_instances(k->store, k->run_id, r, k->d));
}

static int on_sample(void *ctx, const srv_sample_rec *r)
{
    app_sink *k = ctx;

    return note(k, io_store_add_timeseries(k->store, k->run_id, r, k->d));
}

static int on_transfer(void *ctx, const srv_transfer_rec *r)
{
    app_sink *k = ctx;

    return note(k, io_store_add_transfers(k->store, k->run_id, r, k->d));
}

static int on_session(void *ctx, const srv_session_rec *r)
{
    app_sink *k = ctx;

    return note(k, io_store_add_sessions(k->store, k->run_id, r, k->d));
}

static int on_metric(void *ctx, const char *scope, const char *name,
                     double value)
{
    app_sink *k = ctx;

    return note(
        k, io_store_add_metric(k->store, k->run_id, scope, name, value, k->d));
}

/* ---- lifecycle ---------------------------------------------------------- */

app_sink *app_sink_new(const sc_scenario *sc, io_store *store, hs_diag *d)
{
    app_sink *k = hs_calloc(1, sizeof *k);

    k->store = store;
    k->run_id = -1;
    k->steps = sc->output.steps;
    k->sample_every =
        sc->output.step_sample_every >= 1 ? sc->output.step_sample_every : 1;
    k->status = HS_OK;
    k->d = d;
    hs_table_init(&k->index);
    return k;
}

void app_sink_free(app_sink *k)
{
    if (k == NULL)
        return;
    for (size_t i = 0; i < k->n; i++)
        free(k->counts[i].name);
    free(k->counts);
    hs_table_fini(&k->index);
    free(k);
}

void app_sink_set_run(app_sink *k, int64_t run_id)
{
    k->run_id = run_id;
}

int app_sink_status(const app_sink *k)
{
    return k->status;
}

srv_sink app_sink_callbacks(app_sink *k)
{
    srv_sink s;

    s.ctx = k;
    s.request = on_request;
    s.step = on_step;
    s.instance = on_instance;
    s.sample = on_sample;
    s.transfer = on_transfer;
    s.session = on_session;
    s.metric = on_metric;
    return s;
}

bool app_sink_check(const app_sink *k, const char **why)
{
    const char *bad = NULL;

    for (size_t i = 0; i < k->n && bad == NULL; i++) {
        const char *name = k->counts[i].name;
        uint64_t j;

        for (size_t m = 0; m < i && bad == NULL; m++)
            if (strcmp(k->counts[m].name, name) == 0)
                bad = "S1 an instance counted twice";
        if (bad == NULL &&
            (!hs_table_get(&k->index, key_of(name), &j) || j > i ||
             key_of(k->counts[j].name) != key_of(name)))
            bad = "S2 a name missing from the index";
    }
    if (why != NULL)
        *why = bad;
    return bad == NULL;
}
