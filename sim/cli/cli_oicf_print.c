/*
 * cli_oicf_print.c -- output of 'hetsim oicf' points: evaluated by
 * sim/app (app_oicf.c: catalog names resolved, cost model), printed as a
 * table, CSV or JSON, or operator by operator, and appended to a results
 * database.
 *
 * The CSV columns are a contract (issue: foundation; docs/design.md):
 * model,hardware,phase,batch,prompt_tokens,context_tokens,tp,flops,
 * weight_bytes,kv_bytes,act_bytes,bytes,oi,ridge_oi,cf_bytes,time_s,bound
 * followed by more columns (capacity_bytes, weights, kv, label, and why
 * the point is bound: eta_compute, eta_memory, eff_ridge_oi = ridge_oi x
 * eta_compute / eta_memory, compute_bound_share = the share of the
 * roofline time in compute-bound operators), then the formats whose peaks
 * the GEMMs and attention ran at and the GEMM peak (gemm_format,
 * attn_format, peak_flops).
 */
#include "cli_oicf.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hetsim/app.h"
#include "hetsim/cost.h"

/* ---- output -------------------------------------------------------------- */

/* The ridge the device's efficiencies give: the OI where the achievable
 * compute rate meets the achievable bandwidth. */
static double eff_ridge(const app_oicf_row *w)
{
    return w->r.ridge_oi * w->ctx.dev.eta_compute / w->ctx.dev.eta_memory;
}

/* The share of the roofline time spent in compute-bound operators. */
static double compute_share(const app_oicf_row *w)
{
    const cost_step *st = &w->r.step;

    return st->roofline_s > 0 ? st->compute_bound_s / st->roofline_s : 0;
}

/* Why the point is bound, e.g. "OI 41 < 243 = ridge 295 x 0.70/0.85;
 * 0% compute-bound time" or "CF 1516 GB > 687 GB memory": the OI
 * against the ridge the efficiencies move (the cost model times each
 * operator at eta_compute x peak and eta_memory x bandwidth). */
static void why(const app_oicf_row *w, char *buf, size_t len)
{
    double oi = w->r.step.oi, er = eff_ridge(w);

    if (w->r.bound == COST_BOUND_CAPACITY) {
        snprintf(buf, len, "CF %.4g GB > %.4g GB memory", w->r.cf_bytes / 1e9,
                 w->r.capacity_bytes / 1e9);
        return;
    }
    snprintf(buf, len,
             "OI %.4g %s %.4g = ridge %.4g x %.2f/%.2f; %.0f%% "
             "compute-bound time",
             oi, oi < er ? "<" : ">=", er, w->r.ridge_oi,
             w->ctx.dev.eta_compute, w->ctx.dev.eta_memory,
             100 * compute_share(w));
}

/* ---- CSV and JSON: one list of fields -------------------------------------- */

/* The fields of a point, in the contract's order: the CSV header and
 * columns and the JSON keys and values all come from this list. */
/* clang-format off */
#define OICF_FIELDS(X)                                                        \
    X(model) X(hardware) X(phase) X(batch) X(prompt_tokens)                   \
    X(context_tokens) X(tp) X(flops) X(weight_bytes) X(kv_bytes)              \
    X(act_bytes) X(bytes) X(oi) X(ridge_oi) X(cf_bytes) X(time_s) X(bound)    \
    X(capacity_bytes) X(weights) X(kv) X(label) X(eta_compute)                \
    X(eta_memory) X(eff_ridge_oi) X(compute_bound_share) X(gemm_format)      \
    X(attn_format) X(peak_flops)
/* clang-format on */

typedef enum oicf_field {
#define FIELD_ID(name) F_##name,
    OICF_FIELDS(FIELD_ID)
#undef FIELD_ID
        N_OICF_FIELDS
} oicf_field;

static const char *const field_names[N_OICF_FIELDS] = {
#define FIELD_NAME(name) #name,
    OICF_FIELDS(FIELD_NAME)
#undef FIELD_NAME
};

/* One field's value: text, an integer, or a real. */
typedef struct oicf_value {
    const char *text; /* non-NULL: a string */
    bool integer;
    long long i;
    double x;
} oicf_value;

static oicf_value text_value(const char *t)
{
    return (oicf_value){.text = t};
}

static oicf_value int_value(long long i)
{
    return (oicf_value){.integer = true, .i = i};
}

static oicf_value real_value(double x)
{
    return (oicf_value){.x = x};
}

static oicf_value field_value(const app_oicf_row *w, oicf_field f)
{
    const cost_step *st = &w->r.step;

    switch (f) {
    case F_model:
        return text_value(w->ctx.model.name);
    case F_hardware:
        return text_value(w->p->hardware);
    case F_phase:
        return text_value(cost_phase_name(w->p->pt.phase));
    case F_batch:
        return int_value((long long)w->p->pt.batch);
    case F_prompt_tokens:
        return int_value((long long)w->p->pt.prompt);
    case F_context_tokens:
        return int_value((long long)w->p->pt.context);
    case F_tp:
        return int_value(w->p->tp);
    case F_flops:
        return real_value(st->flops);
    case F_weight_bytes:
        return real_value(st->weight_bytes);
    case F_kv_bytes:
        return real_value(st->kv_bytes);
    case F_act_bytes:
        return real_value(st->act_bytes);
    case F_bytes:
        return real_value(st->bytes);
    case F_oi:
        return real_value(st->oi);
    case F_ridge_oi:
        return real_value(w->r.ridge_oi);
    case F_cf_bytes:
        return real_value(w->r.cf_bytes);
    case F_time_s:
        return real_value(st->time_s);
    case F_bound:
        return text_value(cost_bound_name(w->r.bound));
    case F_capacity_bytes:
        return real_value(w->r.capacity_bytes);
    case F_weights:
        return text_value(cost_dtype_name(w->p->prec.weights));
    case F_kv:
        return text_value(cost_dtype_name(w->p->prec.kv));
    case F_label:
        return text_value(w->p->label);
    case F_eta_compute:
        return real_value(w->ctx.dev.eta_compute);
    case F_eta_memory:
        return real_value(w->ctx.dev.eta_memory);
    case F_eff_ridge_oi:
        return real_value(eff_ridge(w));
    case F_compute_bound_share:
        return real_value(compute_share(w));
    case F_gemm_format:
        return text_value(cost_dtype_name(w->ctx.compute));
    case F_attn_format:
        return text_value(cost_dtype_name(w->ctx.attn));
    case F_peak_flops:
        return real_value(w->ctx.peak);
    case N_OICF_FIELDS:
        break;
    }
    HS_UNREACHABLE("bad oicf field");
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

/* A value as CSV writes it (text as it is) or as JSON does (text as a
 * string); numbers alike, reals with 17 significant digits. */
static void print_value(oicf_value v, bool json)
{
    if (v.text != NULL && json)
        json_str(v.text);
    else if (v.text != NULL)
        fputs(v.text, stdout);
    else if (v.integer)
        printf("%lld", v.i);
    else
        printf("%.17g", v.x);
}

static void print_csv(const app_oicf_row *rows, size_t n)
{
    for (int f = 0; f < N_OICF_FIELDS; f++)
        printf("%s%s", f > 0 ? "," : "", field_names[f]);
    putchar('\n');
    for (size_t i = 0; i < n; i++) {
        for (int f = 0; f < N_OICF_FIELDS; f++) {
            if (f > 0)
                putchar(',');
            print_value(field_value(&rows[i], (oicf_field)f), false);
        }
        putchar('\n');
    }
}

static void print_json(const app_oicf_row *rows, size_t n)
{
    printf("[\n");
    for (size_t i = 0; i < n; i++) {
        for (int f = 0; f < N_OICF_FIELDS; f++) {
            printf("%s\"%s\": ", f > 0 ? ", " : "  {", field_names[f]);
            print_value(field_value(&rows[i], (oicf_field)f), true);
        }
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
    printf("%-14s %-12s %-7s %5s %7s %7s %3s %-9s %-5s %9s %9s %8s %8s %9s "
           "%9s %9s %-9s %s\n",
           "model", "hardware", "phase", "batch", "prompt", "context", "tp",
           "w/kv", "peak", "TFLOP", "GB moved", "OI", "ridge", "CF GB",
           "mem GB", "time ms", "bound", "why");
    for (size_t i = 0; i < n; i++) {
        const app_oicf_row *w = &rows[i];
        const cost_step *st = &w->r.step;
        char prec[16], because[128];

        snprintf(prec, sizeof prec, "%s/%s",
                 cost_dtype_name(w->p->prec.weights),
                 cost_dtype_name(w->p->prec.kv));
        why(w, because, sizeof because);
        if (labels)
            printf("%-16s ", w->p->label);
        printf("%-14s %-12s %-7s %5lld %7lld %7lld %3d %-9s %-5s %9.3f "
               "%9.3f %8.2f %8.1f %9.2f %9.1f %9.3f %-9s %s\n",
               w->ctx.model.name, w->p->hardware,
               cost_phase_name(w->p->pt.phase), (long long)w->p->pt.batch,
               (long long)w->p->pt.prompt, (long long)w->p->pt.context,
               w->p->tp, prec, cost_dtype_name(w->ctx.compute),
               st->flops / 1e12, st->bytes / 1e9, st->oi, w->r.ridge_oi,
               w->r.cf_bytes / 1e9, w->r.capacity_bytes / 1e9,
               st->time_s * 1e3, cost_bound_name(w->r.bound), because);
    }
}

/* The part of a side-by-side line that is the same for every hardware. */
static void side_point(const app_oicf_row *w, bool labels)
{
    char prec[16];

    snprintf(prec, sizeof prec, "%s/%s", cost_dtype_name(w->p->prec.weights),
             cost_dtype_name(w->p->prec.kv));
    if (labels)
        printf("%-16s ", w->p->label);
    printf("%-14s %-7s %5lld %7lld %7lld %3d %-8s %8.2f %9.2f",
           w->ctx.model.name, cost_phase_name(w->p->pt.phase),
           (long long)w->p->pt.batch, (long long)w->p->pt.prompt,
           (long long)w->p->pt.context, w->p->tp, prec, w->r.step.oi,
           w->r.cf_bytes / 1e9);
}

/* Several hardware side by side: one line per group of 'n_hw' points,
 * per hardware its time, effective ridge and bound. */
static void print_side_by_side(const app_oicf_row *rows, size_t n, size_t n_hw)
{
    bool labels = false;

    for (size_t i = 0; i < n; i++)
        labels = labels || rows[i].p->label[0] != '\0';
    if (labels)
        printf("%-16s ", "label");
    printf("%-14s %-7s %5s %7s %7s %3s %-8s %8s %9s", "model", "phase",
           "batch", "prompt", "context", "tp", "w/kv", "OI", "CF GB");
    for (size_t h = 0; h < n_hw; h++)
        printf(" | %-*.29s", h + 1 < n_hw ? 29 : 0, rows[h].p->hardware);
    printf("\n%*s%77s", labels ? 17 : 0, "", "");
    for (size_t h = 0; h < n_hw; h++)
        printf(" | %9s %8s %-*s", "time ms", "eff.ridge",
               h + 1 < n_hw ? 10 : 0, "bound");
    printf("\n");
    for (size_t i = 0; i + n_hw <= n; i += n_hw) {
        side_point(&rows[i], labels);
        for (size_t h = 0; h < n_hw; h++) {
            const app_oicf_row *w = &rows[i + h];

            printf(" | %9.3f %8.1f %-*s", w->r.step.time_s * 1e3, eff_ridge(w),
                   h + 1 < n_hw ? 10 : 0, cost_bound_name(w->r.bound));
        }
        printf("\n");
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
                   i > 0 ? "\n" : "", w->ctx.model.name, w->p->hardware,
                   cost_phase_name(w->p->pt.phase), (long long)w->p->pt.batch,
                   (long long)w->p->pt.prompt, (long long)w->p->pt.context,
                   w->p->tp, "op", "GFLOP", "weight MB", "kv MB", "act MB",
                   "count");
        for (size_t j = 0; j < k && j < 64; j++) {
            if (csv)
                printf("%zu,%s,%s,%s,%lld,%lld,%lld,%d,%s,%.17g,%.17g,"
                       "%.17g,%.17g,%.17g\n",
                       i, w->ctx.model.name, w->p->hardware,
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

int cli_oicf_print(const oicf_point *pts, size_t n, size_t n_hw,
                   const char *format, bool ops, const char *db,
                   const char *source, hs_diag *d)
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
    else if (n_hw > 1)
        print_side_by_side(rows, n, n_hw);
    else
        print_table(rows, n);
    if (db != NULL &&
        app_oicf_write(rows, n, db, source[0] != '\0' ? source : NULL, d) !=
            HS_OK)
        rc = CLI_FAIL;
    free(rows);
    return rc;
}
