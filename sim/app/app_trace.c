/*
 * app_trace.c -- a run as Chrome trace-event JSON (the format Perfetto's
 * UI and chrome://tracing open; docs/plots.md):
 *
 *   process "instance NAME"  (pid 1..I, in instances-table order)
 *       thread 1 "steps"     a complete slice ("X") per steps row: name
 *                            the phase, args batch_size, prefill_tokens,
 *                            decode_tokens, oi, bound, flops, bytes and
 *                            energy_j (tp x busy power x duration)
 *       counters             kv_used_GB, queue_len, busy_frac (timeseries)
 *   process "link NAME"      (pid I+1..I+L) an async slice ("b"/"e") per
 *                            transfers row, named by its kind
 *   process "requests"       (pid I+L+1) a nested async slice per request:
 *                            "request" from arrival to its end, inside it
 *                            queued, prefill, transfer, decode
 *
 * Times are microseconds of simulated time.  Rows are streamed from the
 * store (io_store_query calls back once per row) and each event is
 * written at once, so memory does not grow with the run; the events are
 * in table order, not time order, which the format allows.  Every event
 * object, and every string in it, is made and escaped by jansson.
 */
#include "app_plot_int.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The writer's state. */
typedef struct trace_w {
    plot_ctx *c;
    const app_trace_opts *o;
    FILE *out;
    app_trace_counts *n;
    const plot_run *r;
    char **links; /* link names, pid = links_pid0 + index */
    size_t n_links, cap_links;
    int req_pid;
    bool failed; /* a write failed */
} trace_w;

/* A number, or null when it is not finite (NaN: SQL NULL). */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Write one event (and take it); false once max_events is reached. */
static bool emit(trace_w *w, json_t *ev)
{
    if (w->o->max_events > 0 && w->n->events >= w->o->max_events) {
        w->n->truncated = true;
        json_decref(ev);
        return false;
    }
    if (w->n->events > 0)
        fputs(",\n", w->out);
    if (json_dumpf(ev, w->out, JSON_COMPACT) != 0)
        w->failed = true;
    json_decref(ev);
    w->n->events++;
    return true;
}

static bool emit_meta(trace_w *w, int pid, const char *what, const char *name)
{
    json_t *ev = json_object();

    json_object_set_new(ev, "ph", json_string("M"));
    json_object_set_new(ev, "name", json_string(what));
    json_object_set_new(ev, "pid", json_integer(pid));
    json_object_set_new(ev, "tid", json_integer(1));
    json_object_set_new(ev, "args", json_pack("{s:s}", "name", name));
    return emit(w, ev);
}

/* The pid of instance 'name' (0 when unknown). */
static int inst_pid(const trace_w *w, const char *name)
{
    const plot_inst *in = plot_inst_find(w->r, name);

    return in != NULL ? (int)(in - w->r->insts) + 1 : 0;
}

static int link_pid(const trace_w *w, const char *name)
{
    for (size_t i = 0; i < w->n_links; i++)
        if (name != NULL && strcmp(w->links[i], name) == 0)
            return (int)(w->r->n_insts + 1 + i);
    return 0;
}

/* A JSON value for an SQL value: integer, real, text or null. */
static json_t *sql_value(const io_row *row, int i)
{
    switch (row->types[i]) {
    case IO_VALUE_INTEGER:
        return json_integer(strtoll(row->values[i], NULL, 10));
    case IO_VALUE_REAL:
        return num(strtod(row->values[i], NULL));
    case IO_VALUE_TEXT:
        return json_string(row->values[i]);
    default:
        return json_null();
    }
}

/* io_row_fn: a steps row (instance, start_s, end_s, phase, batch_size,
 * prefill_tokens, decode_tokens, oi, bound, flops, bytes). */
static int step_row(void *ctx, const io_row *row)
{
    trace_w *w = ctx;
    const plot_inst *in = plot_inst_find(w->r, row->values[0]);
    double t0 = plot_num(row->values[1]), t1 = plot_num(row->values[2]);
    json_t *ev = json_object(), *args = json_object();
    double watts = 0;

    if (in != NULL && in->dev >= 0)
        watts = in->tp * w->r->devs[in->dev].power_busy_w;
    for (int i = 4; i < row->n_cols; i++)
        json_object_set_new(args, row->names[i], sql_value(row, i));
    json_object_set_new(args, "energy_j",
                        watts > 0 ? num(watts * (t1 - t0)) : json_null());
    json_object_set_new(ev, "ph", json_string("X"));
    json_object_set_new(ev, "cat", json_string("step"));
    json_object_set_new(
        ev, "name",
        json_string(row->values[3] != NULL ? row->values[3] : "step"));
    json_object_set_new(ev, "pid", json_integer(inst_pid(w, row->values[0])));
    json_object_set_new(ev, "tid", json_integer(1));
    json_object_set_new(ev, "ts", num(t0 * 1e6));
    json_object_set_new(ev, "dur", num((t1 - t0) * 1e6));
    json_object_set_new(ev, "args", args);
    if (!emit(w, ev))
        return 1;
    w->n->steps++;
    return w->failed;
}

/* An async begin or end event. */
static json_t *async_ev(const char *ph, const char *cat, const char *name,
                        int pid, const char *id, double t_s)
{
    json_t *ev = json_object();

    json_object_set_new(ev, "ph", json_string(ph));
    json_object_set_new(ev, "cat", json_string(cat));
    json_object_set_new(ev, "name", json_string(name));
    json_object_set_new(ev, "pid", json_integer(pid));
    json_object_set_new(ev, "tid", json_integer(1));
    json_object_set_new(ev, "id", json_string(id));
    json_object_set_new(ev, "ts", num(t_s * 1e6));
    return ev;
}

/* A slice [t0, t1] of async track 'id' (nothing when empty); 'args' is
 * taken (NULL for none).  False when max_events stopped it. */
static bool async_slice(trace_w *w, const char *cat, const char *name, int pid,
                        const char *id, double t0, double t1, json_t *args)
{
    json_t *b;

    if (!(t1 >= t0) || !isfinite(t0) || !isfinite(t1)) {
        json_decref(args);
        return true;
    }
    b = async_ev("b", cat, name, pid, id, t0);
    if (args != NULL)
        json_object_set_new(b, "args", args);
    return emit(w, b) && emit(w, async_ev("e", cat, name, pid, id, t1));
}

/* io_row_fn: a transfers row (transfer_id, request_id, link, kind, bytes,
 * start_s, end_s). */
static int xfer_row(void *ctx, const io_row *row)
{
    trace_w *w = ctx;
    char id[48];
    json_t *args = json_object();

    snprintf(id, sizeof id, "x%s", row->values[0]);
    json_object_set_new(args, "request_id", sql_value(row, 1));
    json_object_set_new(args, "bytes", sql_value(row, 4));
    if (!async_slice(w, "transfer", row->values[3] ? row->values[3] : "?",
                     link_pid(w, row->values[2]), id, plot_num(row->values[5]),
                     plot_num(row->values[6]), args))
        return 1;
    w->n->transfers++;
    return w->failed;
}

/* io_row_fn: a requests row (request_id, arrival_s, queue_s,
 * first_token_s, kv_transfer_s, finish_s, status, prompt_tokens,
 * output_tokens, prefill_instance, decode_instance). */
static int req_row(void *ctx, const io_row *row)
{
    trace_w *w = ctx;
    double arr = plot_num(row->values[1]), q = plot_num(row->values[2]);
    double first = plot_num(row->values[3]), kv = plot_num(row->values[4]);
    double fin = plot_num(row->values[5]);
    double end = isfinite(fin)     ? fin
                 : isfinite(first) ? first
                 : isfinite(q)     ? arr + q
                                   : arr;
    double dec0 = first + (isfinite(kv) ? kv : 0);
    char id[48];
    json_t *args = json_object();
    bool ok;

    snprintf(id, sizeof id, "r%s", row->values[0]);
    for (int i = 6; i < row->n_cols; i++)
        json_object_set_new(args, row->names[i], sql_value(row, i));
    json_object_set_new(args, "request_id", sql_value(row, 0));
    /* the enclosing slice first, then its parts inside it */
    ok = async_slice(w, "request", "request", w->req_pid, id, arr, end, args);
    if (ok && isfinite(q))
        ok = async_slice(w, "request", "queued", w->req_pid, id, arr, arr + q,
                         NULL);
    if (ok && isfinite(q) && isfinite(first))
        ok = async_slice(w, "request", "prefill", w->req_pid, id, arr + q,
                         first, NULL);
    if (ok && isfinite(kv) && kv > 0 && isfinite(first))
        ok = async_slice(w, "request", "transfer", w->req_pid, id, first, dec0,
                         NULL);
    if (ok && isfinite(fin) && isfinite(first))
        ok = async_slice(w, "request", "decode", w->req_pid, id, dec0, fin,
                         NULL);
    if (!ok)
        return 1;
    w->n->requests++;
    return w->failed;
}

/* io_row_fn: a timeseries row (instance, t_s, kv_used_bytes, queue_len,
 * busy_frac) as three counters. */
static int ts_row(void *ctx, const io_row *row)
{
    static const char *const names[3] = {"kv_used_GB", "queue_len",
                                         "busy_frac"};
    trace_w *w = ctx;

    for (int k = 0; k < 3; k++) {
        json_t *ev = json_object();
        double v = plot_num(row->values[2 + k]);

        json_object_set_new(ev, "ph", json_string("C"));
        json_object_set_new(ev, "name", json_string(names[k]));
        json_object_set_new(ev, "pid",
                            json_integer(inst_pid(w, row->values[0])));
        json_object_set_new(ev, "ts", num(plot_num(row->values[1]) * 1e6));
        json_object_set_new(
            ev, "args",
            json_pack("{s:o}", names[k], num(k == 0 ? v / 1e9 : v)));
        if (!emit(w, ev))
            return 1;
        w->n->counters++;
    }
    return w->failed;
}

static int link_name(void *ctx, const io_row *row)
{
    trace_w *w = ctx;

    hs_grow((void **)&w->links, &w->cap_links, w->n_links + 1,
            sizeof *w->links);
    w->links[w->n_links++] = hs_strdup(row->values[0] ? row->values[0] : "?");
    return 0;
}

/* The process names. */
static void processes(trace_w *w)
{
    for (size_t i = 0; i < w->r->n_insts; i++) {
        char *n = hs_asprintf("instance %s", w->r->insts[i].name);

        emit_meta(w, (int)i + 1, "process_name", n);
        emit_meta(w, (int)i + 1, "thread_name", "steps");
        free(n);
    }
    for (size_t i = 0; i < w->n_links; i++) {
        char *n = hs_asprintf("link %s", w->links[i]);

        emit_meta(w, link_pid(w, w->links[i]), "process_name", n);
        free(n);
    }
    emit_meta(w, w->req_pid, "process_name", "requests");
}

/* The tables, each filtered to what overlaps [from, to]. */
static int tables(trace_w *w, const char *const *params)
{
    static const char *const sql[] = {
        "SELECT instance, start_s, end_s, phase, batch_size, prefill_tokens, "
        "decode_tokens, oi, bound, flops, bytes FROM steps WHERE run_id = ?1 "
        "AND end_s >= CAST(?2 AS REAL) AND start_s <= CAST(?3 AS REAL) ORDER "
        "BY rowid",
        "SELECT transfer_id, request_id, link, kind, bytes, start_s, end_s "
        "FROM transfers WHERE run_id = ?1 AND end_s >= CAST(?2 AS REAL) AND "
        "start_s <= CAST(?3 AS REAL) "
        "ORDER BY rowid",
        "SELECT request_id, arrival_s, queue_s, first_token_s, "
        "kv_transfer_s, finish_s, status, prompt_tokens, output_tokens, "
        "prefill_instance, decode_instance FROM requests WHERE run_id = ?1 "
        "AND coalesce(finish_s, first_token_s, arrival_s) >= CAST(?2 AS REAL) "
        "AND "
        "arrival_s <= CAST(?3 AS REAL) ORDER BY rowid",
        "SELECT instance, t_s, kv_used_bytes, queue_len, busy_frac FROM "
        "timeseries WHERE run_id = ?1 AND t_s >= CAST(?2 AS REAL) AND t_s <= "
        "CAST(?3 AS REAL) ORDER BY "
        "rowid",
    };
    static const io_row_fn fns[] = {step_row, xfer_row, req_row, ts_row};
    int rc = HS_OK;

    for (size_t i = 0; i < 4 && rc == HS_OK && !w->n->truncated; i++) {
        rc = plot_query(w->c, sql[i], params, 3, fns[i], w);
        if (rc > 0) /* a callback stopped it: max_events or a write */
            rc = HS_OK;
    }
    return rc;
}

int app_trace_write(io_store *s, const app_trace_opts *o, FILE *out,
                    app_trace_counts *counts, hs_diag *d)
{
    app_plot_opts po;
    app_plot p;
    plot_ctx c;
    trace_w w;
    char id[32], from[32], to[32];
    const char *params[3] = {id, from, to};
    int rc;

    memset(&po, 0, sizeof po);
    memset(&p, 0, sizeof p);
    memset(&c, 0, sizeof c);
    memset(&w, 0, sizeof w);
    memset(counts, 0, sizeof *counts);
    c.s = s;
    c.o = &po;
    c.p = &p;
    c.d = d;
    rc = plot_runs_load(&c, &o->run_id, 1);
    snprintf(id, sizeof id, "%lld", (long long)o->run_id);
    snprintf(from, sizeof from, "%.17g",
             isfinite(o->from_s) ? o->from_s : -1e300);
    snprintf(to, sizeof to, "%.17g", isfinite(o->to_s) ? o->to_s : 1e300);
    w.c = &c;
    w.o = o;
    w.out = out;
    w.n = counts;
    w.r = c.runs;
    if (rc == HS_OK)
        rc = plot_query(&c,
                        "SELECT DISTINCT link FROM transfers WHERE run_id = "
                        "?1 ORDER BY link",
                        params, 1, link_name, &w);
    if (rc == HS_OK) {
        w.req_pid = (int)(w.r->n_insts + w.n_links + 1);
        fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", out);
        processes(&w);
        rc = tables(&w, params);
        fputs("\n]}\n", out);
        if (rc == HS_OK && (w.failed || ferror(out))) {
            hs_diag_error(d, (hs_loc){NULL, 0, 0}, "cannot write the trace");
            rc = HS_EIO;
        }
    }
    for (size_t i = 0; i < w.n_links; i++)
        free(w.links[i]);
    free(w.links);
    plot_runs_free(&c);
    return rc;
}
