/*
 * cli_oicf.c -- 'hetsim oicf': operational intensity and capacity
 * footprint of analytic points, one row per requested point.
 *
 *   hetsim oicf --model llama-3-70b --hardware h100-sxm,h200 \
 *               --phase decode --context 4096,8192 --batch 1,64 [--tp 8]
 *               [--weights fp8] [--kv fp8] [--act bf16] [--full-attention]
 *               [--beyond-context] [--ops] [--format table|csv|json]
 *               [--db FILE]
 *   hetsim oicf --scenario configs/examples/paper-oicf.yaml [...]
 *
 * The options are the command table's (cli_help_table.c).  --model is a
 * catalog name or a model file.  Numeric options and --hardware take
 * comma-separated lists; every combination is a point, the hardware
 * varying fastest, so that several hardware names print side by side
 * (cli_oicf_print.c).  --ops prints the per-operator breakdown of each
 * point instead.  A point past the model's max_context is refused (exit
 * 2) without --beyond-context.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "cli_help.h"
#include "cli_oicf.h"
#include "hetsim/cost.h"
#include "hetsim/oicf.h"

#define MAX_LIST 64

typedef struct int_list {
    int64_t v[MAX_LIST];
    size_t n;
} int_list;

/* Hardware names of --hardware a,b,c. */
typedef struct name_list {
    char v[CLI_OICF_MAX_HW][64];
    size_t n;
} name_list;

typedef struct oicf_args {
    const char *model;
    const char *scenario;
    const char *format;
    const char *db;
    const char *label;
    cost_precision prec;
    bool full_attention;
    bool beyond_context;
    bool ops;
    name_list hardware;
    int_list phases; /* cost_phase values */
    int_list prompts;
    int_list contexts;
    int_list batches;
    int_list tps;
} oicf_args;

static int usage_error(const char *fmt, const char *arg)
{
    return cli_usage_error(cli_doc_find("oicf"), fmt, arg);
}

/* "h100-sxm,h200" -> names (each at most 63 characters). */
static bool parse_names(const char *text, name_list *out)
{
    char *copy = hs_strdup(text);
    char *save = NULL;
    bool ok = true;

    out->n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL && ok;
         tok = strtok_r(NULL, ",", &save)) {
        ok = out->n < CLI_OICF_MAX_HW && strlen(tok) < sizeof out->v[0];
        if (ok)
            snprintf(out->v[out->n++], sizeof out->v[0], "%s", tok);
    }
    free(copy);
    return ok && out->n > 0;
}

/* "1,8,64" -> list; every item an integer in [min, max]. */
static bool parse_list(const char *text, int64_t min, int64_t max,
                       int_list *out)
{
    char *copy = hs_strdup(text);
    char *save = NULL;
    bool ok = true;

    out->n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        int64_t v;

        if (out->n == MAX_LIST || hs_parse_int64(tok, min, max, &v) != HS_OK) {
            ok = false;
            break;
        }
        out->v[out->n++] = v;
    }
    free(copy);
    return ok && out->n > 0;
}

static bool parse_phases(const char *text, int_list *out)
{
    char *copy = hs_strdup(text);
    char *save = NULL;
    bool ok = true;

    out->n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        if (out->n == MAX_LIST)
            ok = false;
        else if (strcmp(tok, "prefill") == 0)
            out->v[out->n++] = COST_PHASE_PREFILL;
        else if (strcmp(tok, "decode") == 0)
            out->v[out->n++] = COST_PHASE_DECODE;
        else
            ok = false;
    }
    free(copy);
    return ok && out->n > 0;
}

static void set_default(int_list *l, int64_t v)
{
    if (l->n == 0) {
        l->v[0] = v;
        l->n = 1;
    }
}

/* The precision an option sets: --weights, --kv or --act. */
static cost_dtype *precision_field(oicf_args *a, const char *opt)
{
    if (strcmp(opt, "--weights") == 0)
        return &a->prec.weights;
    return strcmp(opt, "--kv") == 0 ? &a->prec.kv : &a->prec.activations;
}

/* A list option's value into its list; false when malformed. */
static bool parse_list_opt(const cli_opt *o, const char *v, oicf_args *a)
{
    if (cli_opt_is(o, "--phase"))
        return parse_phases(v, &a->phases);
    if (cli_opt_is(o, "--prompt"))
        return parse_list(v, 1, INT64_C(1) << 40, &a->prompts);
    if (cli_opt_is(o, "--context"))
        return parse_list(v, 0, INT64_C(1) << 40, &a->contexts);
    if (cli_opt_is(o, "--batch"))
        return parse_list(v, 1, INT64_C(1) << 24, &a->batches);
    return parse_list(v, 1, 1024, &a->tps); /* --tp */
}

static bool is_list_opt(const cli_opt *o)
{
    return cli_opt_is(o, "--phase") || cli_opt_is(o, "--prompt") ||
           cli_opt_is(o, "--context") || cli_opt_is(o, "--batch") ||
           cli_opt_is(o, "--tp");
}

/* Apply option 'o' with value 'v' (NULL for a flag); returns CLI_OK or
 * CLI_USAGE (message printed). */
static int apply_option(const cli_opt *o, const char *v, oicf_args *a)
{
    char what[200];

    if (cli_opt_is(o, "--full-attention"))
        a->full_attention = true;
    else if (cli_opt_is(o, "--beyond-context"))
        a->beyond_context = true;
    else if (cli_opt_is(o, "--ops"))
        a->ops = true;
    else if (cli_opt_is(o, "--model"))
        a->model = v;
    else if (cli_opt_is(o, "--scenario"))
        a->scenario = v;
    else if (cli_opt_is(o, "--format"))
        a->format = v;
    else if (cli_opt_is(o, "--db"))
        a->db = v;
    else if (cli_opt_is(o, "--label"))
        a->label = v;
    else if (cli_opt_is(o, "--precision")) {
        bool fp4;

        if (!cost_precision_shorthand(v, &a->prec, &fp4))
            return usage_error("--precision: expected bf16, fp16, fp32, fp8, "
                               "int8, int4, fp4, nvfp4 or mxfp4, found '%s'",
                               v);
    } else if (cli_opt_is(o, "--hardware")) {
        if (!parse_names(v, &a->hardware))
            return usage_error("--hardware: expected up to 16 comma-separated "
                               "catalog names, found '%s'",
                               v);
    } else if (is_list_opt(o)) {
        if (!parse_list_opt(o, v, a)) {
            snprintf(what, sizeof what, "%s: expected %s, found '%s'", o->name,
                     o->arg, v);
            return usage_error("%s", what);
        }
    } else if (!cost_dtype_parse(v, precision_field(a, o->name))) {
        snprintf(what, sizeof what,
                 "%s: expected fp32, bf16, fp16, fp8, int8, int4, fp4, nvfp4 "
                 "or mxfp4, found '%s'",
                 o->name, v);
        return usage_error("%s", what);
    }
    return CLI_OK;
}

/* Check the combination of options and fill the defaults. */
static int finish_args(oicf_args *a)
{
    if (strcmp(a->format, "table") != 0 && strcmp(a->format, "csv") != 0 &&
        strcmp(a->format, "json") != 0)
        return usage_error("--format: expected table, csv or json, found "
                           "'%s'",
                           a->format);
    if (a->scenario == NULL && (a->model == NULL || a->hardware.n == 0))
        return usage_error("%s", "--model and --hardware are required "
                                 "(or --scenario FILE)");
    if (a->scenario != NULL && (a->model != NULL || a->hardware.n > 0))
        return usage_error("%s", "--scenario cannot be combined with "
                                 "--model or --hardware");
    if (a->model != NULL &&
        strlen(a->model) >= sizeof(((oicf_point *)0)->model))
        return usage_error("--model: path too long: '%s'", a->model);
    set_default(&a->phases, COST_PHASE_DECODE);
    set_default(&a->prompts, 4096);
    set_default(&a->contexts, -1); /* resolved per phase below */
    set_default(&a->batches, 1);
    set_default(&a->tps, 1);
    return CLI_OK;
}

/* Parse argv into 'a'; returns CLI_OK or CLI_USAGE (message printed). */
static int parse_args(int argc, char **argv, oicf_args *a)
{
    const cli_doc *doc = cli_doc_find("oicf");

    a->prec = cost_precision_default();
    a->format = "table";
    for (int i = 1; i < argc; i++) {
        const cli_opt *o;
        const char *v;

        switch (cli_next_arg(doc, argc, argv, &i, &o, &v)) {
        case CLI_ARG_POSITIONAL:
            return usage_error("unexpected argument '%s'", v);
        case CLI_ARG_BAD:
            return CLI_USAGE;
        case CLI_ARG_OPTION:
            if (apply_option(o, v, a) != CLI_OK)
                return CLI_USAGE;
            break;
        }
    }
    return finish_args(a);
}

/* Decode points have no prompt: one point per other combination. */
static size_t prompts_for(const oicf_args *a, int64_t phase)
{
    return phase == COST_PHASE_DECODE ? 1 : a->prompts.n;
}

/* Expand the option lists into points (cartesian product). */
static size_t expand_points(const oicf_args *a, oicf_point **out)
{
    size_t n = a->phases.n * a->prompts.n * a->contexts.n * a->batches.n *
               a->tps.n * a->hardware.n;
    oicf_point *pts = hs_calloc(n, sizeof *pts);
    size_t k = 0;

    for (size_t ph = 0; ph < a->phases.n; ph++)
        for (size_t t = 0; t < a->tps.n; t++)
            for (size_t c = 0; c < a->contexts.n; c++)
                for (size_t p = 0; p < prompts_for(a, a->phases.v[ph]); p++)
                    for (size_t b = 0; b < a->batches.n; b++)
                        for (size_t h = 0; h < a->hardware.n; h++) {
                            oicf_point *o = &pts[k++];
                            int64_t ctx = a->contexts.v[c];

                            o->pt.phase = (cost_phase)a->phases.v[ph];
                            if (ctx < 0)
                                ctx = o->pt.phase == COST_PHASE_DECODE ? 4096
                                                                       : 0;
                            o->pt.context = ctx;
                            o->pt.prompt = o->pt.phase == COST_PHASE_DECODE
                                               ? 0
                                               : a->prompts.v[p];
                            o->pt.batch = a->batches.v[b];
                            o->tp = (int)a->tps.v[t];
                            o->prec = a->prec;
                            o->full_attention = a->full_attention;
                            o->beyond_context = a->beyond_context;
                            snprintf(o->model, sizeof o->model, "%s",
                                     a->model);
                            snprintf(o->hardware, sizeof o->hardware, "%s",
                                     a->hardware.v[h]);
                            snprintf(o->label, sizeof o->label, "%s",
                                     a->label != NULL ? a->label : "");
                        }
    *out = pts;
    return k;
}

int cli_oicf(int argc, char **argv)
{
    oicf_args a;
    oicf_point *pts = NULL;
    size_t n = 0;
    hs_diag *d = hs_diag_new();
    int rc;

    memset(&a, 0, sizeof a);
    rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK)
        goto done;
    if (a.scenario != NULL) {
        if (io_oicf_load(a.scenario, &pts, &n, d) != HS_OK) {
            cli_print_diag(d, stderr);
            rc = CLI_USAGE;
            goto done;
        }
    } else {
        n = expand_points(&a, &pts);
    }
    rc =
        cli_oicf_print(pts, n, a.scenario != NULL ? 1 : a.hardware.n, a.format,
                       a.ops, a.db, a.scenario != NULL ? a.scenario : "", d);
    if (rc != CLI_OK)
        cli_print_diag(d, stderr);
done:
    free(pts);
    hs_diag_free(d);
    return rc;
}
