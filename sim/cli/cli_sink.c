/*
 * cli_sink.c -- the srv_sink of 'hetsim run': every record the serving
 * simulation emits becomes a row of the results store (store.h).
 *
 * Mapping (serve.h record -> docs/schema.md row):
 *   request   -> requests; status by srv_request_status_name(); a decode
 *                instance equal to the prefill instance -> NULL
 *   step      -> steps, thinned by output.steps: all; sampled = steps
 *                0, N, 2N, ... of each instance (N = step_sample_every);
 *                none = no rows
 *   instance  -> instances
 *   sample    -> timeseries
 *   transfer  -> transfers
 *   session   -> sessions
 *   metric    -> metrics
 * NaN doubles and NULL strings are stored as SQL NULL by the store; the
 * first append failure is kept and stops the simulation (nonzero
 * return), so the run ends 'failed'.
 */
#include "cli_sink.h"

#include <stdlib.h>
#include <string.h>

/* ---- per-instance step counters: open addressing, FNV-1a ---------------- */

static uint64_t hash_name(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* The slot of 'name' in a table of 'cap' (a power of 2) slots: its own or
 * the empty one where it belongs. */
static cli_step_count *slot_of(cli_step_count *t, size_t cap, const char *name)
{
    size_t i = (size_t)hash_name(name) & (cap - 1);

    while (t[i].instance != NULL && strcmp(t[i].instance, name) != 0)
        i = (i + 1) & (cap - 1);
    return &t[i];
}

/* Double the table (or create it).  O(slots). */
static void grow_counts(cli_sink *k)
{
    size_t cap = k->cap_counts == 0 ? 64 : 2 * k->cap_counts;
    cli_step_count *t = hs_calloc(cap, sizeof *t);

    for (size_t i = 0; i < k->cap_counts; i++)
        if (k->counts[i].instance != NULL)
            *slot_of(t, cap, k->counts[i].instance) = k->counts[i];
    free(k->counts);
    k->counts = t;
    k->cap_counts = cap;
}

/* The counter of 'instance', created at 0 when new.  O(1) expected. */
static cli_step_count *counter(cli_sink *k, const char *instance)
{
    cli_step_count *c;

    if (2 * (k->n_counts + 1) > k->cap_counts)
        grow_counts(k);
    c = slot_of(k->counts, k->cap_counts, instance);
    if (c->instance == NULL) {
        c->instance = hs_strdup(instance);
        c->seen = 0;
        k->n_counts++;
    }
    return c;
}

/* ---- callbacks ---------------------------------------------------------- */

/* Keep the first failure; nonzero stops the simulation. */
static int note(cli_sink *k, int rc)
{
    if (rc != HS_OK && k->status == HS_OK)
        k->status = rc;
    return rc != HS_OK;
}

static int on_request(void *ctx, const srv_request_rec *r)
{
    cli_sink *k = ctx;
    srv_request_rec w = *r;

    if (w.decode_instance != NULL && w.prefill_instance != NULL &&
        strcmp(w.decode_instance, w.prefill_instance) == 0)
        w.decode_instance = NULL;
    k->n_requests++;
    return note(k, io_store_add_requests(k->store, k->run_id, &w, k->d));
}

/* Whether the next step of 'instance' gets a row. */
static bool keep_step(cli_sink *k, const char *instance)
{
    cli_step_count *c;

    if (k->steps == SC_STEPS_ALL)
        return true;
    if (k->steps == SC_STEPS_NONE)
        return false;
    c = counter(k, instance);
    return c->seen++ % k->sample_every == 0;
}

static int on_step(void *ctx, const srv_step_rec *r)
{
    cli_sink *k = ctx;

    if (!keep_step(k, r->instance))
        return 0;
    k->n_steps_written++;
    return note(k, io_store_add_steps(k->store, k->run_id, r, k->d));
}

static int on_instance(void *ctx, const srv_instance_rec *r)
{
    cli_sink *k = ctx;

    return note(k, io_store_add_instances(k->store, k->run_id, r, k->d));
}

static int on_sample(void *ctx, const srv_sample_rec *r)
{
    cli_sink *k = ctx;

    return note(k, io_store_add_timeseries(k->store, k->run_id, r, k->d));
}

static int on_metric(void *ctx, const char *scope, const char *name,
                     double value)
{
    cli_sink *k = ctx;

    return note(
        k, io_store_add_metric(k->store, k->run_id, scope, name, value, k->d));
}

/* ---- lifecycle ---------------------------------------------------------- */

static int on_transfer(void *ctx, const srv_transfer_rec *r)
{
    cli_sink *k = ctx;

    return note(k, io_store_add_transfers(k->store, k->run_id, r, k->d));
}

static int on_session(void *ctx, const srv_session_rec *r)
{
    cli_sink *k = ctx;

    return note(k, io_store_add_sessions(k->store, k->run_id, r, k->d));
}

void cli_sink_init(cli_sink *k, const sc_scenario *sc, io_store *store,
                   int64_t run_id, hs_diag *d)
{
    memset(k, 0, sizeof *k);
    k->store = store;
    k->run_id = run_id;
    k->steps = sc->output.steps;
    k->sample_every =
        sc->output.step_sample_every >= 1 ? sc->output.step_sample_every : 1;
    k->status = HS_OK;
    k->d = d;
}

void cli_sink_fini(cli_sink *k)
{
    for (size_t i = 0; i < k->cap_counts; i++)
        free(k->counts[i].instance);
    free(k->counts);
    k->counts = NULL;
    k->n_counts = k->cap_counts = 0;
}

srv_sink cli_sink_callbacks(cli_sink *k)
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
