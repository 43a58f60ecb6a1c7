/*
 * app_calib_write.c -- one device's calibration file
 * (configs/calibration/<name>.yaml, format in docs/calibration.md):
 * written to a temporary file beside the target, read back with the
 * loader (a file hetsim cannot load is never left behind), then renamed
 * over the old one.  The text depends only on the fit, never on the
 * time or the machine, so rerunning the command on the same data gives
 * the same bytes.
 */
#include "app_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void write_resid(FILE *f, const char *what, const app_kresid *r)
{
    fprintf(f, "%s %zu rows, |error| median %.1f%% p90 %.1f%%", what, r->n,
            100 * r->median, 100 * r->p90);
}

static void write_curve(FILE *f, const app_calib_device *dv, int k)
{
    const cost_curve *c = &dv->cal.curve[k];
    const app_calib_class *cl = &dv->cls[k];

    fprintf(f, "  %s:\n", cost_kclass_name((cost_kclass)k));
    if (cl->borrowed[0] != '\0')
        fprintf(f,
                "    # borrowed: no %s table for this device; the fit of "
                "%s\n",
                cost_kclass_name((cost_kclass)k), cl->borrowed);
    fprintf(f, "    # ");
    write_resid(f, "train", &cl->train);
    fprintf(f, ";\n    # ");
    write_resid(f, "test", &cl->test);
    fprintf(f, " (%s)\n",
            cl->borrowed[0] != '\0' ? "on that device" : "held out");
    if (cl->dropped > 0)
        fprintf(f, "    # %zu rows faster than the peak allows left out\n",
                cl->dropped);
    fprintf(f, "    source: \"%s%s\"\n",
            cl->borrowed[0] != '\0' ? "borrowed from " : "",
            cl->borrowed[0] != '\0' ? cl->borrowed : cl->source);
    fprintf(f, "    eff_compute: %.6g\n", c->eff_c);
    fprintf(f, "    eff_memory: %.6g\n", c->eff_m);
    fprintf(f, "    half_flops: %.6g\n", c->half_flops);
    fprintf(f, "    half_bytes: %.6g\n", c->half_bytes);
    fprintf(f, "    half_par: %.6g\n", c->half_par);
    fprintf(f, "    sharp: %.6g\n", c->sharp);
    fprintf(f, "    floor: %.6gus\n", c->floor_s * 1e6);
    fprintf(f, "    unit: %.6gns\n", c->unit_s * 1e9);
}

/* The measured tables 'tabs' (one per GPU count) under 'key', after the
 * comment 'head' (whole lines): each with its GPU count, its held-out
 * interpolation error when 'resid' has one per table, its source ('src',
 * or the note that it is borrowed) and its [bytes, seconds] points. */
static void write_tables(FILE *f, const app_calib_device *dv, const char *key,
                         const char *head,
                         const cost_ar_table tabs[COST_AR_COUNTS],
                         const app_kresid *resid, const char *src)
{
    bool any = false;

    for (int g = 0; g < COST_AR_COUNTS; g++) {
        const cost_ar_table *t = &tabs[g];

        if (t->gpus == 0 || t->n < 2)
            continue;
        if (!any)
            fprintf(f, "%s%s:\n", head, key);
        any = true;
        fprintf(f, "  - gpus: %d\n", t->gpus);
        if (resid != NULL)
            fprintf(f,
                    "    # interpolation error at %zu held-out sizes: at "
                    "most %.1f%%\n",
                    resid[g].n, 100 * resid[g].median);
        fprintf(f, "    source: \"%s\"\n    points:\n",
                dv->ar_borrowed[0] != '\0'
                    ? "borrowed from h100-sxm (NVLink 4 / NVSwitch)"
                    : src);
        for (int i = 0; i < t->n; i++)
            fprintf(f, "      - [%.0f, %.6g]\n", t->bytes[i], t->seconds[i]);
    }
}

/* Every measured table: the all-reduce (the faster implementation per
 * size, and each alone: engines choose, docs/engines.md) and the MoE
 * all-to-all's dispatch and combine. */
static void write_measured(FILE *f, const app_calib_device *dv)
{
    write_tables(f, dv, "allreduce",
                 "# [bytes, seconds]: per size the faster of NCCL and "
                 "vLLM's custom all-reduce (CUDA graph)\n",
                 dv->cal.allreduce, dv->ar_test,
                 "aiconfigurator/nccl_perf.csv aiconfigurator/"
                 "vllm0.19.0_custom_allreduce_perf.csv");
    write_tables(f, dv, "allreduce_nccl",
                 "# [bytes, seconds]: NCCL 2.29 alone\n", dv->cal.ar_nccl,
                 NULL, "aiconfigurator/nccl_perf.csv (all_reduce, half)");
    write_tables(f, dv, "allreduce_custom",
                 "# [bytes, seconds]: vLLM's custom all-reduce (CUDA graph) "
                 "alone\n",
                 dv->cal.ar_custom, NULL,
                 "aiconfigurator/vllm0.19.0_custom_allreduce_perf.csv "
                 "(vLLM_custom_graph, bfloat16)");
    for (int w = 0; w < 2; w++) {
        char head[256];

        snprintf(head, sizeof head,
                 "# [bytes per GPU, seconds]: DeepEP's MoE %s (tokens x "
                 "top_k x hidden x %s), per size\n# the faster of the "
                 "low-latency and normal kernels (DeepSeek-V3 shape)\n",
                 w == 0 ? "dispatch" : "combine",
                 w == 0 ? "1 B (fp8)" : "2 B (bf16)");
        write_tables(f, dv, w == 0 ? "dispatch" : "combine", head,
                     w == 0 ? dv->cal.dispatch : dv->cal.combine,
                     dv->a2a_test[w],
                     "aiconfigurator/sglang0.5.12_deepep_low_latency_perf.csv "
                     "aiconfigurator/sglang0.5.12_deepep_normal_perf.csv");
    }
}

static void write_file(FILE *f, const app_calib_device *dv)
{
    fprintf(f,
            "# Kernel calibration of %s: fitted efficiency curves per "
            "operator class.\n"
            "# Written by `hetsim calibrate` from the measured kernel "
            "tables of shared/data\n"
            "# (docs/calibration.md has the model, the data and the "
            "residuals). Do not edit\n"
            "# by hand: rerun `hetsim calibrate --data ../shared/data`.\n",
            dv->name);
    fprintf(f, "name: %s\n", dv->name);
    fprintf(f, "source: \"ai-dynamo/aiconfigurator@095f58a (vLLM 0.19 "
               "kernels); microsoft/vidur@7d47513 (elementwise)\"\n");
    fprintf(f, "curves:\n");
    for (int k = 0; k < COST_N_KCLASS; k++)
        if (dv->cls[k].fitted || dv->cls[k].borrowed[0] != '\0')
            write_curve(f, dv, k);
    write_measured(f, dv);
}

int app_calib_write(const char *out_dir, const char *catalog,
                    app_calib_device *dv, hs_diag *d)
{
    hs_loc none = {NULL, 0, 0};
    char *dir = out_dir != NULL ? hs_strdup(out_dir)
                                : hs_asprintf("%s/calibration", catalog);
    char *tmp = hs_asprintf("%s/.%s.yaml.tmp", dir, dv->name);
    FILE *f = fopen(tmp, "w");
    cost_calib back;
    int rc = HS_OK;

    snprintf(dv->path, sizeof dv->path, "%s/%s.yaml", dir, dv->name);
    if (f == NULL) {
        rc = hs_diag_error(d, none, "%s: cannot write: %s", tmp,
                           strerror(errno));
    } else {
        write_file(f, dv);
        if (fclose(f) != 0)
            rc = hs_diag_error(d, none, "%s: cannot write: %s", tmp,
                               strerror(errno));
    }
    if (rc == HS_OK)
        rc = io_calibration_load(tmp, &back, d);
    if (rc == HS_OK && rename(tmp, dv->path) != 0)
        rc = hs_diag_error(d, none, "%s: cannot rename to %s: %s", tmp,
                           dv->path, strerror(errno));
    if (rc != HS_OK)
        remove(tmp);
    free(tmp);
    free(dir);
    return rc;
}
