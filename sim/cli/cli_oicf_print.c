/*
 * cli_oicf_print.c -- output of 'hetsim oicf' points: evaluated by
 * sim/app (app_oicf.c: catalog names resolved, cost model), printed as a
 * table, CSV or JSON, or operator by operator, and appended to a results
 * database.
 *
 * The CSV columns are a contract (issue: foundation; DESIGN.md section 5):
 * model,hardware,phase,batch,prompt_tokens,context_tokens,tp,flops,
 * weight_bytes,kv_bytes,act_bytes,bytes,oi,ridge_oi,cf_bytes,time_s,bound
 * followed by more columns (capacity_bytes, weights, kv, label).
 */
#include "cli_oicf.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hetsim/app.h"
#include "hetsim/cost.h"

/* ---- output -------------------------------------------------------------- */

static const char *const csv_header =
    "model,hardware,phase,batch,prompt_tokens,context_tokens,tp,flops,"
    "weight_bytes,kv_bytes,act_bytes,bytes,oi,ridge_oi,cf_bytes,time_s,"
    "bound,capacity_bytes,weights,kv,label";

static void print_csv(const app_oicf_row *rows, size_t n)
{
    printf("%s\n", csv_header);
    for (size_t i = 0; i < n; i++) {
        const app_oicf_row *w = &rows[i];
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

static void print_json(const app_oicf_row *rows, size_t n)
{
    printf("[\n");
    for (size_t i = 0; i < n; i++) {
        const app_oicf_row *w = &rows[i];
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

static void print_table(const app_oicf_row *rows, size_t n)
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
        const app_oicf_row *w = &rows[i];
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
static void print_ops(const app_oicf_row *rows, size_t n, const char *format)
{
    bool csv = strcmp(format, "csv") == 0;

    if (csv)
        printf("point,model,hardware,phase,batch,prompt_tokens,"
               "context_tokens,tp,op,flops,weight_bytes,kv_bytes,act_bytes,"
               "count\n");
    for (size_t i = 0; i < n; i++) {
        const app_oicf_row *w = &rows[i];
        cost_op ops[64];
        size_t k = app_oicf_ops(w, ops, 64);

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

int cli_oicf_print(const oicf_point *pts, size_t n, const char *format,
                   bool ops, const char *db, const char *source, hs_diag *d)
{
    app_oicf_row *rows = NULL;
    int rc = CLI_OK;

    if (app_oicf_eval(pts, n, &rows, d) != HS_OK)
        return CLI_USAGE;
    if (ops)
        print_ops(rows, n, format);
    else if (strcmp(format, "csv") == 0)
        print_csv(rows, n);
    else if (strcmp(format, "json") == 0)
        print_json(rows, n);
    else
        print_table(rows, n);
    if (db != NULL &&
        app_oicf_write(rows, n, db, source[0] != '\0' ? source : NULL, d) !=
            HS_OK)
        rc = CLI_FAIL;
    free(rows);
    return rc;
}
