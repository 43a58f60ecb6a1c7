/*
 * app_oicf.c -- analytic OI/CF points ('hetsim oicf'): resolve each
 * point's model (catalog entry or model file), hardware and scale-up link
 * from the catalogs, refuse a point past the model's max_context unless
 * it says beyond_context, evaluate it with the cost model, list its
 * operators, and append the points to a results file as one run.
 */
#include "hetsim/app.h"

#include "app_int.h"
#include "hetsim_config.h"
#include <stdlib.h>
#include <string.h>

int64_t app_oicf_tokens(const cost_point *pt)
{
    return pt->phase == COST_PHASE_PREFILL ? pt->prompt + pt->context
                                           : pt->context;
}

/* True (and reported) when 'p' goes past the max_context of 'm' and does
 * not say beyond_context. */
static bool beyond_context(const oicf_point *p, const cost_model *m,
                           hs_diag *d)
{
    int64_t tokens = app_oicf_tokens(&p->pt);

    if (p->beyond_context || m->max_context <= 0 || tokens <= m->max_context)
        return false;
    hs_diag_key_error(d, p->loc, "context",
                      "%s%s%s%lld tokens of context exceed %s's max_context "
                      "%lld; pass --beyond-context (beyond_context: true in a "
                      "points file) to evaluate it anyway",
                      p->label[0] != '\0' ? "point '" : "", p->label,
                      p->label[0] != '\0' ? "': " : "", (long long)tokens,
                      m->name, (long long)m->max_context);
    return true;
}

/* Build the evaluation context of a point from the catalogs. */
static int resolve(const oicf_point *p, cost_ctx *ctx, hs_diag *d)
{
    cost_model m;
    io_hardware hw;
    cost_link link;
    cost_options opts = cost_options_default();
    int rc = HS_OK;

    if (io_oicf_model(p->model, p->loc, &m, d) != HS_OK)
        rc = HS_EINPUT;
    else if (beyond_context(p, &m, d))
        rc = HS_EINPUT;
    if (io_catalog_load_hardware(NULL, p->hardware, &hw, p->loc, d) != HS_OK)
        rc = HS_EINPUT;
    if (rc != HS_OK)
        return rc;
    if (p->tp > 1) {
        if (hw.link[0] == '\0')
            return hs_diag_error(d, p->loc,
                                 "hardware '%s' names no scale-up link; "
                                 "tp %d needs one",
                                 p->hardware, p->tp);
        if (io_catalog_load_link(NULL, hw.link, &link, p->loc, d) != HS_OK)
            return HS_EINPUT;
    }
    opts.full_attention = p->full_attention;
    cost_ctx_init(ctx, &m, &p->prec, &hw.dev, p->tp, p->tp > 1 ? &link : NULL,
                  &opts);
    return HS_OK;
}

int app_oicf_eval(const oicf_point *pts, size_t n, app_oicf_row **out,
                  hs_diag *d)
{
    app_oicf_row *rows = hs_calloc(n, sizeof *rows);
    int rc = HS_OK;

    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        rows[i].p = &pts[i];
        if (resolve(&pts[i], &rows[i].ctx, d) != HS_OK)
            rc = HS_EINPUT;
    }
    if (rc != HS_OK) {
        free(rows);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        cost_point_eval(&rows[i].ctx, &pts[i].pt, &rows[i].r);
    *out = rows;
    return HS_OK;
}

size_t app_oicf_ops(const app_oicf_row *w, cost_op *ops, size_t cap)
{
    const cost_point *pt = &w->p->pt;
    cost_batch b = {0};

    for (int64_t j = 0; j < pt->batch; j++) {
        if (pt->phase == COST_PHASE_PREFILL)
            cost_batch_add_prefill(&b, &w->ctx, pt->prompt, pt->context, true);
        else
            cost_batch_add_decode(&b, pt->context);
    }
    return cost_step_ops(&w->ctx, &b, ops, cap);
}

/* The store row of an evaluated point. */
static rec_oicf_row row_of(const app_oicf_row *w)
{
    rec_oicf_row r = {
        .model = w->ctx.model.name,
        .hardware = w->p->hardware,
        .phase = cost_phase_name(w->p->pt.phase),
        .batch = w->p->pt.batch,
        .prompt_tokens = w->p->pt.prompt,
        .context_tokens = w->p->pt.context,
        .tp = w->p->tp,
        .weights = cost_dtype_name(w->p->prec.weights),
        .kv = cost_dtype_name(w->p->prec.kv),
        .flops = w->r.step.flops,
        .weight_bytes = w->r.step.weight_bytes,
        .kv_bytes = w->r.step.kv_bytes,
        .act_bytes = w->r.step.act_bytes,
        .bytes = w->r.step.bytes,
        .oi = w->r.step.oi,
        .ridge_oi = w->r.ridge_oi,
        .cf_bytes = w->r.cf_bytes,
        .capacity_bytes = w->r.capacity_bytes,
        .time_s = w->r.step.time_s,
        .bound = cost_bound_name(w->r.bound),
        .label = w->p->label[0] != '\0' ? w->p->label : NULL,
    };

    return r;
}

int app_oicf_write(const app_oicf_row *rows, size_t n, const char *db,
                   const char *source, hs_diag *d)
{
    io_store *s = NULL;
    rec_run_row info = {0};
    int64_t run_id;
    char started[32];
    int rc;

    app_iso_now(started, sizeof started);
    info.name = "oicf";
    info.scenario_path = source;
    info.version = HETSIM_VERSION;
    info.started_at = started;
    app_writer_fill(&info);
    rc = io_store_open(db, &s, d);
    if (rc == HS_OK)
        rc = io_store_begin_run(s, &info, &run_id, d);
    for (size_t i = 0; rc == HS_OK && i < n; i++) {
        rec_oicf_row r = row_of(&rows[i]);

        rc = io_store_add_oicf(s, run_id, &r, d);
    }
    if (s != NULL && rc == HS_OK)
        rc = io_store_end_run(s, run_id, IO_RUN_DONE, 0, 0, 0, d);
    io_store_close(s);
    return rc;
}
