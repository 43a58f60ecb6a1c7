/*
 * cli_oicf.c -- 'hetsim oicf': operational intensity and capacity
 * footprint of analytic points, one row per requested point.
 *
 *   hetsim oicf --model llama-3-70b --hardware h100-sxm --phase decode \
 *               --context 4096,65536 --batch 1,64 [--tp 8] [--weights fp8]
 *               [--kv fp8] [--act bf16] [--full-attention] [--ops]
 *               [--format table|csv|json] [--db FILE]
 *   hetsim oicf --scenario configs/examples/paper-oicf.yaml [...]
 *
 * Numeric options take comma-separated lists; every combination is a
 * point.  --ops prints the per-operator breakdown of each point instead.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "cli_oicf.h"
#include "hetsim/cost.h"
#include "hetsim/oicf.h"

#define MAX_LIST 64

typedef struct int_list {
    int64_t v[MAX_LIST];
    size_t n;
} int_list;

typedef struct oicf_args {
    const char *model;
    const char *hardware;
    const char *scenario;
    const char *format;
    const char *db;
    const char *label;
    cost_precision prec;
    bool full_attention;
    bool ops;
    int_list phases; /* cost_phase values */
    int_list prompts;
    int_list contexts;
    int_list batches;
    int_list tps;
} oicf_args;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "hetsim oicf: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nusage: hetsim oicf --model M --hardware H "
                    "[--phase prefill|decode] [--prompt N] [--context N] "
                    "[--batch B] [--tp N] [--weights FMT] [--kv FMT] "
                    "[--act FMT] [--full-attention] [--ops] "
                    "[--format table|csv|json] [--db DB]\n"
                    "       hetsim oicf --scenario FILE [--format ...] "
                    "[--db DB]\n");
    return CLI_USAGE;
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

/* Parse argv into 'a'; returns CLI_OK or CLI_USAGE (message printed). */
static int parse_args(int argc, char **argv, oicf_args *a)
{
    a->prec = cost_precision_default();
    a->format = "table";
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;

        if (strcmp(opt, "--full-attention") == 0) {
            a->full_attention = true;
            takes = false;
        } else if (strcmp(opt, "--ops") == 0) {
            a->ops = true;
            takes = false;
        } else if (val == NULL) {
            return usage_error("option '%s' needs a value (or is unknown)",
                               opt);
        } else if (strcmp(opt, "--model") == 0) {
            a->model = val;
        } else if (strcmp(opt, "--hardware") == 0) {
            a->hardware = val;
        } else if (strcmp(opt, "--scenario") == 0) {
            a->scenario = val;
        } else if (strcmp(opt, "--format") == 0) {
            a->format = val;
        } else if (strcmp(opt, "--db") == 0) {
            a->db = val;
        } else if (strcmp(opt, "--label") == 0) {
            a->label = val;
        } else if (strcmp(opt, "--phase") == 0) {
            if (!parse_phases(val, &a->phases))
                return usage_error("--phase: expected prefill or decode "
                                   "(or a comma list), found '%s'",
                                   val);
        } else if (strcmp(opt, "--prompt") == 0) {
            if (!parse_list(val, 1, INT64_C(1) << 40, &a->prompts))
                return usage_error("--prompt: expected positive integers, "
                                   "found '%s'",
                                   val);
        } else if (strcmp(opt, "--context") == 0) {
            if (!parse_list(val, 0, INT64_C(1) << 40, &a->contexts))
                return usage_error("--context: expected non-negative "
                                   "integers, found '%s'",
                                   val);
        } else if (strcmp(opt, "--batch") == 0) {
            if (!parse_list(val, 1, INT64_C(1) << 24, &a->batches))
                return usage_error("--batch: expected positive integers, "
                                   "found '%s'",
                                   val);
        } else if (strcmp(opt, "--tp") == 0) {
            if (!parse_list(val, 1, 1024, &a->tps))
                return usage_error("--tp: expected positive integers, "
                                   "found '%s'",
                                   val);
        } else if (strcmp(opt, "--weights") == 0 || strcmp(opt, "--kv") == 0 ||
                   strcmp(opt, "--act") == 0) {
            if (!cost_dtype_parse(val, precision_field(a, opt))) {
                char what[160];

                snprintf(what, sizeof what,
                         "%s: expected fp32, bf16, fp16, fp8, int8, int4 or "
                         "fp4, found '%s'",
                         opt, val);
                return usage_error("%s", what);
            }
        } else {
            return usage_error("unknown option '%s'", opt);
        }
        if (takes)
            i++;
    }
    if (strcmp(a->format, "table") != 0 && strcmp(a->format, "csv") != 0 &&
        strcmp(a->format, "json") != 0)
        return usage_error("--format: expected table, csv or json, found "
                           "'%s'",
                           a->format);
    if (a->scenario == NULL && (a->model == NULL || a->hardware == NULL))
        return usage_error("%s", "--model and --hardware are required "
                                 "(or --scenario FILE)");
    if (a->scenario != NULL && (a->model != NULL || a->hardware != NULL))
        return usage_error("%s", "--scenario cannot be combined with "
                                 "--model or --hardware");
    set_default(&a->phases, COST_PHASE_DECODE);
    set_default(&a->prompts, 4096);
    set_default(&a->contexts, -1); /* resolved per phase below */
    set_default(&a->batches, 1);
    set_default(&a->tps, 1);
    return CLI_OK;
}

/* Decode points have no prompt: one point per other combination. */
static size_t prompts_for(const oicf_args *a, int64_t phase)
{
    return phase == COST_PHASE_DECODE ? 1 : a->prompts.n;
}

/* Expand the option lists into points (cartesian product). */
static size_t expand_points(const oicf_args *a, oicf_point **out)
{
    size_t n =
        a->phases.n * a->prompts.n * a->contexts.n * a->batches.n * a->tps.n;
    oicf_point *pts = hs_calloc(n, sizeof *pts);
    size_t k = 0;

    for (size_t ph = 0; ph < a->phases.n; ph++)
        for (size_t t = 0; t < a->tps.n; t++)
            for (size_t c = 0; c < a->contexts.n; c++)
                for (size_t p = 0; p < prompts_for(a, a->phases.v[ph]); p++)
                    for (size_t b = 0; b < a->batches.n; b++) {
                        oicf_point *o = &pts[k++];
                        int64_t ctx = a->contexts.v[c];

                        o->pt.phase = (cost_phase)a->phases.v[ph];
                        if (ctx < 0)
                            ctx = o->pt.phase == COST_PHASE_DECODE ? 4096 : 0;
                        o->pt.context = ctx;
                        o->pt.prompt = o->pt.phase == COST_PHASE_DECODE
                                           ? 0
                                           : a->prompts.v[p];
                        o->pt.batch = a->batches.v[b];
                        o->tp = (int)a->tps.v[t];
                        o->prec = a->prec;
                        o->full_attention = a->full_attention;
                        snprintf(o->model, sizeof o->model, "%s", a->model);
                        snprintf(o->hardware, sizeof o->hardware, "%s",
                                 a->hardware);
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
    rc = cli_oicf_print(pts, n, a.format, a.ops, a.db,
                        a.scenario != NULL ? a.scenario : "", d);
    if (rc != CLI_OK)
        cli_print_diag(d, stderr);
done:
    free(pts);
    hs_diag_free(d);
    return rc;
}
