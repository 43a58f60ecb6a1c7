/*
 * cli_oicf_run.c -- evaluation and output of 'hetsim oicf' points:
 * resolve catalog names, evaluate each point with the cost model, print
 * a table, CSV or JSON, and append rows to a results database.
 *
 * The CSV columns are a contract (issue: foundation; DESIGN.md section 5):
 * model,hardware,phase,batch,prompt_tokens,context_tokens,tp,flops,
 * weight_bytes,kv_bytes,act_bytes,bytes,oi,ridge_oi,cf_bytes,time_s,bound
 * followed by more columns (capacity_bytes, weights, kv, label).
 */
#include "cli_oicf.h"

#include "hetsim_config.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hetsim/cost.h"
#include "hetsim/io.h"
#include "hetsim/store.h"

/* One evaluated point. */
typedef struct oicf_row {
    const oicf_point *p;
    cost_ctx ctx;
    cost_point_result r;
} oicf_row;

/* Build the evaluation context of a point from the catalogs. */
static int resolve(const oicf_point *p, cost_ctx *ctx, hs_diag *d)
{
    cost_model m;
    io_hardware hw;
    cost_link link;
    cost_options opts = cost_options_default();
    int rc = HS_OK;

    if (io_catalog_load_model(NULL, p->model, &m, p->loc, d) != HS_OK)
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

/* ---- output -------------------------------------------------------------- */

static const char *const csv_header =
    "model,hardware,phase,batch,prompt_tokens,context_tokens,tp,flops,"
    "weight_bytes,kv_bytes,act_bytes,bytes,oi,ridge_oi,cf_bytes,time_s,"
    "bound,capacity_bytes,weights,kv,label";

static void print_csv(const oicf_row *rows, size_t n)
{
    printf("%s\n", csv_header);
    for (size_t i = 0; i < n; i++) {
        const oicf_row *w = &rows[i];
        const cost_step *st = &w->r.step;

        printf("%s,%s,%s,%lld,%lld,%lld,%d,%.17g,%.17g,%.17g,%.17g,%.17g,"
               "%.17g,%.17g,%.17g,%.17g,%s,%.17g,%s,%s,%s\n",
               w->p->model, w->p->hardware, cost_phase_name(w->p->pt.phase),
               (long long)w->p->pt.batch, (long long)w->p->pt.prompt,
               (long long)w->p->pt.context, w->p->tp, st->flops,
               st->weight_bytes, st->kv_bytes, st->act_bytes, st->bytes,
               st->oi, w->r.ridge_oi, w->r.cf_bytes, st->time_s,
               cost_bound_name(w->r.bound), w->r.capacity_bytes,
               cost_dtype_name(w->p->prec.weights),
               cost_dtype_name(w->p->prec.kv), w->p->label);
    }
}

/* A JSON string for names that are plain identifiers (catalog names,
 * labels): escape quote and backslash, drop control characters. */
static void json_str(const char *s)
{
    putchar('"');
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        if ((unsigned char)*s >= 0x20)
            putchar(*s);
    }
    putchar('"');
}

static void print_json(const oicf_row *rows, size_t n)
{
    printf("[\n");
    for (size_t i = 0; i < n; i++) {
        const oicf_row *w = &rows[i];
        const cost_step *st = &w->r.step;

        printf("  {\"model\": ");
        json_str(w->p->model);
        printf(", \"hardware\": ");
        json_str(w->p->hardware);
        printf(", \"phase\": \"%s\", \"batch\": %lld, \"prompt_tokens\": "
               "%lld, \"context_tokens\": %lld, \"tp\": %d, \"flops\": %.17g, "
               "\"weight_bytes\": %.17g, \"kv_bytes\": %.17g, \"act_bytes\": "
               "%.17g, \"bytes\": %.17g, \"oi\": %.17g, \"ridge_oi\": %.17g, "
               "\"cf_bytes\": %.17g, \"time_s\": %.17g, \"bound\": \"%s\", "
               "\"capacity_bytes\": %.17g, \"weights\": \"%s\", \"kv\": "
               "\"%s\", \"label\": ",
               cost_phase_name(w->p->pt.phase), (long long)w->p->pt.batch,
               (long long)w->p->pt.prompt, (long long)w->p->pt.context,
               w->p->tp, st->flops, st->weight_bytes, st->kv_bytes,
               st->act_bytes, st->bytes, st->oi, w->r.ridge_oi, w->r.cf_bytes,
               st->time_s, cost_bound_name(w->r.bound), w->r.capacity_bytes,
               cost_dtype_name(w->p->prec.weights),
               cost_dtype_name(w->p->prec.kv));
        json_str(w->p->label);
        printf("}%s\n", i + 1 < n ? "," : "");
    }
    printf("]\n");
}

static void print_table(const oicf_row *rows, size_t n)
{
    bool labels = false;

    for (size_t i = 0; i < n; i++)
        labels = labels || rows[i].p->label[0] != '\0';
    if (labels)
        printf("%-16s ", "label");
    printf("%-14s %-12s %-7s %5s %7s %7s %3s %-8s %9s %9s %8s %8s %9s %9s "
           "%9s %s\n",
           "model", "hardware", "phase", "batch", "prompt", "context", "tp",
           "w/kv", "TFLOP", "GB moved", "OI", "ridge", "CF GB", "mem GB",
           "time ms", "bound");
    for (size_t i = 0; i < n; i++) {
        const oicf_row *w = &rows[i];
        const cost_step *st = &w->r.step;
        char prec[16];

        snprintf(prec, sizeof prec, "%s/%s",
                 cost_dtype_name(w->p->prec.weights),
                 cost_dtype_name(w->p->prec.kv));
        if (labels)
            printf("%-16s ", w->p->label);
        printf("%-14s %-12s %-7s %5lld %7lld %7lld %3d %-8s %9.3f %9.3f "
               "%8.2f %8.1f %9.2f %9.1f %9.3f %s\n",
               w->p->model, w->p->hardware, cost_phase_name(w->p->pt.phase),
               (long long)w->p->pt.batch, (long long)w->p->pt.prompt,
               (long long)w->p->pt.context, w->p->tp, prec, st->flops / 1e12,
               st->bytes / 1e9, st->oi, w->r.ridge_oi, w->r.cf_bytes / 1e9,
               w->r.capacity_bytes / 1e9, st->time_s * 1e3,
               cost_bound_name(w->r.bound));
    }
}

/* --ops: one line per operator of each point. */
static void print_ops(const oicf_row *rows, size_t n, const char *format)
{
    bool csv = strcmp(format, "csv") == 0;

    if (csv)
        printf("point,model,hardware,phase,batch,prompt_tokens,"
               "context_tokens,tp,op,flops,weight_bytes,kv_bytes,act_bytes,"
               "count\n");
    for (size_t i = 0; i < n; i++) {
        const oicf_row *w = &rows[i];
        cost_batch b = {0};
        cost_op ops[64];
        size_t k;

        for (int64_t j = 0; j < w->p->pt.batch; j++) {
            if (w->p->pt.phase == COST_PHASE_PREFILL)
                cost_batch_add_prefill(&b, &w->ctx, w->p->pt.prompt,
                                       w->p->pt.context, true);
            else
                cost_batch_add_decode(&b, w->p->pt.context);
        }
        k = cost_step_ops(&w->ctx, &b, ops, 64);
        if (!csv)
            printf("%s%s %s %s batch %lld prompt %lld context %lld tp %d\n"
                   "  %-16s %12s %12s %12s %12s %6s\n",
                   i > 0 ? "\n" : "", w->p->model, w->p->hardware,
                   cost_phase_name(w->p->pt.phase), (long long)w->p->pt.batch,
                   (long long)w->p->pt.prompt, (long long)w->p->pt.context,
                   w->p->tp, "op", "GFLOP", "weight MB", "kv MB", "act MB",
                   "count");
        for (size_t j = 0; j < k && j < 64; j++) {
            if (csv)
                printf("%zu,%s,%s,%s,%lld,%lld,%lld,%d,%s,%.17g,%.17g,"
                       "%.17g,%.17g,%.17g\n",
                       i, w->p->model, w->p->hardware,
                       cost_phase_name(w->p->pt.phase),
                       (long long)w->p->pt.batch, (long long)w->p->pt.prompt,
                       (long long)w->p->pt.context, w->p->tp, ops[j].name,
                       ops[j].flops, ops[j].weight_bytes, ops[j].kv_bytes,
                       ops[j].act_bytes, ops[j].count);
            else
                printf("  %-16s %12.3f %12.3f %12.3f %12.3f %6.0f\n",
                       ops[j].name, ops[j].flops / 1e9,
                       ops[j].weight_bytes / 1e6, ops[j].kv_bytes / 1e6,
                       ops[j].act_bytes / 1e6, ops[j].count);
        }
    }
}

/* ---- database ------------------------------------------------------------- */

static void iso_now(char *buf, size_t len)
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_db(const oicf_row *rows, size_t n, const char *db,
                    const char *source, hs_diag *d)
{
    io_store *s = NULL;
    rec_run_row info = {0};
    int64_t run_id;
    char started[32];
    int rc;

    iso_now(started, sizeof started);
    info.name = "oicf";
    info.scenario_path = source[0] != '\0' ? source : NULL;
    info.version = HETSIM_VERSION;
    info.started_at = started;
    rc = io_store_open(db, &s, d);
    if (rc == HS_OK)
        rc = io_store_begin_run(s, &info, &run_id, d);
    for (size_t i = 0; rc == HS_OK && i < n; i++) {
        const oicf_row *w = &rows[i];
        rec_oicf_row r = {
            .model = w->p->model,
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

        rc = io_store_add_oicf(s, run_id, &r, d);
    }
    if (s != NULL && rc == HS_OK)
        rc = io_store_end_run(s, run_id, IO_RUN_DONE, 0, 0, 0, d);
    io_store_close(s);
    return rc;
}

int oicf_run(const oicf_point *pts, size_t n, const char *format, bool ops,
             const char *db, const char *source, hs_diag *d)
{
    oicf_row *rows = hs_calloc(n, sizeof *rows);
    int rc = HS_OK;

    for (size_t i = 0; i < n; i++) {
        rows[i].p = &pts[i];
        if (resolve(&pts[i], &rows[i].ctx, d) != HS_OK)
            rc = HS_EINPUT;
    }
    if (rc != HS_OK) {
        free(rows);
        return CLI_USAGE;
    }
    for (size_t i = 0; i < n; i++)
        cost_point_eval(&rows[i].ctx, &pts[i].pt, &rows[i].r);
    if (ops)
        print_ops(rows, n, format);
    else if (strcmp(format, "csv") == 0)
        print_csv(rows, n);
    else if (strcmp(format, "json") == 0)
        print_json(rows, n);
    else
        print_table(rows, n);
    if (db != NULL && write_db(rows, n, db, source, d) != HS_OK)
        rc = HS_EIO;
    free(rows);
    return rc == HS_OK ? CLI_OK : CLI_FAIL;
}
