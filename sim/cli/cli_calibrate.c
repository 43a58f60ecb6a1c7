/*
 * cli_calibrate.c -- 'hetsim calibrate [--data DIR] [--device NAME]
 * [--out DIR]': fit the kernel curves of each device with measured
 * tables (app_calibrate), write configs/calibration/<device>.yaml and
 * print, per device and operator class, the fitted values and the
 * residuals on the training rows and on the rows held out.
 * Exit 0; 2 for a bad option, a missing or malformed table, or a file
 * the loader would refuse; 1 when a file cannot be written.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "cli_help.h"

/* The 16-bit class whose curve times fp8 class 'k' when it has none of
 * its own (cost_step.c), or NULL for the other classes. */
static const char *fp8_base(int k)
{
    switch (k) {
    case COST_K_GEMM_FP8:
        return "gemm";
    case COST_K_ATTN_PREFILL_FP8:
        return "attn_prefill";
    case COST_K_ATTN_DECODE_FP8:
        return "attn_decode";
    case COST_K_MOE_FP8:
        return "moe";
    default:
        return NULL;
    }
}

static void print_class(const app_calib_device *dv, int k)
{
    const app_calib_class *cl = &dv->cls[k];
    const cost_curve *c = &dv->cal.curve[k];

    if (cl->not_kept) {
        printf(
            "  %-16s  fitted (test median %.1f%%, p90 %.1f%%) but the 16-bit "
            "curve fits its training rows better (test median %.1f%%, "
            "p90 %.1f%%): not kept, the 16-bit curve times it\n",
            cost_kclass_name((cost_kclass)k), 100 * cl->test.median,
            100 * cl->test.p90, 100 * cl->before.median, 100 * cl->before.p90);
        return;
    }
    if (!cl->fitted && cl->borrowed[0] == '\0') {
        const char *base = fp8_base(k);

        if (base != NULL)
            printf("  %-16s  no fit: the %s curve times it\n",
                   cost_kclass_name((cost_kclass)k), base);
        else
            printf("  %-16s  no data: the device's scalar efficiencies\n",
                   cost_kclass_name((cost_kclass)k));
        return;
    }
    if (cl->dropped > 0)
        printf("  %-16s  %zu rows faster than the device's peak or "
               "bandwidth left out%s\n",
               cost_kclass_name((cost_kclass)k), cl->dropped,
               cl->fitted ? "" : "; more than a tenth: table rejected");
    printf("  %-16s %7zu %6zu %6.1f%% %6.1f%% %6.1f%% %6.1f%% %+6.1f%%  "
           "%5.3f %5.3f %8.3g %8.3g %6.3g %5.2f %6.2f %6.3g%s%s\n",
           cost_kclass_name((cost_kclass)k), cl->train.n, cl->test.n,
           100 * cl->train.median, 100 * cl->train.p90, 100 * cl->test.median,
           100 * cl->test.p90, 100 * cl->test.bias, c->eff_c, c->eff_m,
           c->half_flops, c->half_bytes, c->half_par, c->sharp,
           c->floor_s * 1e6, c->unit_s * 1e9,
           cl->borrowed[0] != '\0' ? "  borrowed from " : "", cl->borrowed);
    if (cl->has_before)
        printf("  %-16s  before (the %s curve on the same test rows): "
               "median %.1f%%, p90 %.1f%%, bias %+.1f%%\n",
               "", fp8_base(k), 100 * cl->before.median, 100 * cl->before.p90,
               100 * cl->before.bias);
}

static void print_device(const app_calib_device *dv)
{
    printf("%s -> %s\n", dv->name, dv->path);
    printf("  %-16s %7s %6s %7s %7s %7s %7s %7s  %5s %5s %8s %8s %6s %5s "
           "%6s %6s\n",
           "class", "train", "test", "tr_med", "tr_p90", "te_med", "te_p90",
           "te_bias", "eff_c", "eff_m", "half_F", "half_B", "h_par", "sharp",
           "floor", "unit");
    for (int k = 0; k < COST_N_KCLASS; k++)
        print_class(dv, k);
    for (int g = 0; g < COST_AR_COUNTS; g++) {
        const cost_ar_table *t = &dv->cal.allreduce[g];

        if (t->gpus > 0 && t->n >= 2)
            printf("  allreduce %d GPUs: %d sizes, %zu held out, largest "
                   "interpolation error %.1f%%%s%s\n",
                   t->gpus, t->n, dv->ar_test[g].n,
                   100 * dv->ar_test[g].median,
                   dv->ar_borrowed[0] != '\0' ? ", borrowed from " : "",
                   dv->ar_borrowed);
    }
    printf("  (|error| of predicted/measured - 1 in %%; floor in us, unit "
           "in ns)\n");
}

int cli_calibrate(int argc, char **argv)
{
    const cli_doc *doc = cli_doc_find("calibrate");
    app_calib_opts o = {"../shared/data", NULL, NULL, NULL};
    app_calib_device *dv = NULL;
    hs_diag *d;
    size_t n = 0;
    int rc;

    for (int i = 1; i < argc; i++) {
        const cli_opt *opt;
        const char *v;

        switch (cli_next_arg(doc, argc, argv, &i, &opt, &v)) {
        case CLI_ARG_OPTION:
            if (cli_opt_is(opt, "--data"))
                o.data = v;
            else if (cli_opt_is(opt, "--device"))
                o.device = v;
            else if (cli_opt_is(opt, "--residuals"))
                o.residuals = v;
            else
                o.out_dir = v;
            break;
        case CLI_ARG_POSITIONAL:
            return cli_usage_error(doc, "unexpected argument '%s'", v);
        case CLI_ARG_BAD:
            return CLI_USAGE;
        }
    }
    d = hs_diag_new();
    rc = app_calibrate(&o, &dv, &n, d);
    cli_print_diag(d, stderr);
    hs_diag_free(d);
    if (rc != HS_OK) {
        free(dv);
        return rc == HS_EIO ? CLI_FAIL : CLI_USAGE;
    }
    for (size_t i = 0; i < n; i++)
        print_device(&dv[i]);
    free(dv);
    return CLI_OK;
}
