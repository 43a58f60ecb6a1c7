/*
 * app_calib.c -- 'hetsim calibrate': for each device with measured
 * kernel tables, fit every operator class's curve (app_kfit.c) to its
 * rows (app_calib_rows.c), test it on the rows held out, take the
 * all-reduce tables, and write configs/calibration/<device>.yaml, read
 * back with the loader before it replaces the old file.
 *
 * Which tables belong to which device is the table 'devices' below
 * (shared/data/README.md section 2).  H200 and B200 have their own
 * attention tables only: their other classes are copied from the H100
 * fit and say so in the file ('borrowed'); B200 gets no all-reduce
 * table (NVLink 5 is not NVLink 4).  A device whose classes all lack
 * data is not written.
 */
#include "app_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AIC "aiconfigurator/"
#define AIC_H200 AIC "other_gpus/h200_sxm_vllm0.19.0_"
#define AIC_B200 AIC "other_gpus/b200_sxm_vllm0.19.0_"
#define VIDUR_H100 "vidur/compute/h100/"

/* A device: its catalog entry, its tables per class (paths under the
 * data folder), where its other classes come from. */
typedef struct dev_src {
    const char *name;
    const char *files[COST_N_KCLASS][4];
    const char *borrow;    /* device whose fits fill the other classes */
    bool borrow_allreduce; /* its all-reduce and all-to-all tables too */
    const char *nccl, *custom;
    const char *deepep_low, *deepep_normal; /* MoE all-to-all tables */
} dev_src;

static const dev_src devices[] = {
    {"h100-sxm",
     {[COST_K_GEMM] = {AIC "vllm0.19.0_gemm_perf.csv"},
      [COST_K_GEMM_FP8] = {AIC "vllm0.19.0_gemm_perf.csv"},
      [COST_K_ATTN_PREFILL] = {AIC "vllm0.19.0_context_attention_perf.csv"},
      [COST_K_ATTN_DECODE] = {AIC "vllm0.19.0_generation_attention_perf.csv"},
      [COST_K_MOE] = {AIC "vllm0.19.0_moe_perf.csv"},
      [COST_K_MOE_FP8] = {AIC "vllm0.19.0_moe_perf.csv"},
      [COST_K_ATTN_PREFILL_FP8] = {AIC
                                   "vllm0.19.0_context_attention_perf.csv"},
      [COST_K_ATTN_DECODE_FP8] = {AIC
                                  "vllm0.19.0_generation_attention_perf.csv"},
      [COST_K_MLA_PREFILL] =
          {AIC "vllm0.19.0_mla_context_module_perf_DeepSeek-V3.csv"},
      [COST_K_MLA_DECODE] =
          {AIC "vllm0.19.0_mla_generation_module_perf_DeepSeek-V3.csv"},
      [COST_K_ELEMENTWISE] = {VIDUR_H100 "meta-llama/Llama-2-7b-hf/mlp.csv",
                              VIDUR_H100 "meta-llama/Llama-2-70b-hf/mlp.csv",
                              VIDUR_H100
                              "codellama/CodeLlama-34b-Instruct-hf/mlp.csv"}},
     NULL,
     false,
     AIC "nccl_perf.csv",
     AIC "vllm0.19.0_custom_allreduce_perf.csv",
     AIC "sglang0.5.12_deepep_low_latency_perf.csv",
     AIC "sglang0.5.12_deepep_normal_perf.csv"},
    {"h200",
     {[COST_K_ATTN_PREFILL] = {AIC_H200 "context_attention_perf.csv"},
      [COST_K_ATTN_DECODE] = {AIC_H200 "generation_attention_perf.csv"},
      [COST_K_ATTN_PREFILL_FP8] = {AIC_H200 "context_attention_perf.csv"},
      [COST_K_ATTN_DECODE_FP8] = {AIC_H200 "generation_attention_perf.csv"}},
     "h100-sxm",
     true,
     NULL,
     NULL,
     NULL,
     NULL},
    {"b200",
     {[COST_K_ATTN_PREFILL] = {AIC_B200 "context_attention_perf.csv"},
      [COST_K_ATTN_DECODE] = {AIC_B200 "generation_attention_perf.csv"},
      [COST_K_ATTN_PREFILL_FP8] = {AIC_B200 "context_attention_perf.csv"},
      [COST_K_ATTN_DECODE_FP8] = {AIC_B200 "generation_attention_perf.csv"}},
     "h100-sxm",
     false,
     NULL,
     NULL,
     NULL,
     NULL},
};
#define N_DEVICES (sizeof devices / sizeof devices[0])

/* Start values and free parameters of each class's fit. */
typedef struct class_fit {
    cost_curve start;
    unsigned mask;
} class_fit;

#define BASIC                                                                 \
    (APP_KP(APP_KP_EFF_C) | APP_KP(APP_KP_EFF_M) | APP_KP(APP_KP_SHARP) |     \
     APP_KP(APP_KP_FLOOR))

/* The 16-bit class an fp8 class refines (itself for the others). */
static cost_kclass base_class(cost_kclass k)
{
    switch (k) {
    case COST_K_GEMM_FP8:
        return COST_K_GEMM;
    case COST_K_ATTN_PREFILL_FP8:
        return COST_K_ATTN_PREFILL;
    case COST_K_ATTN_DECODE_FP8:
        return COST_K_ATTN_DECODE;
    case COST_K_MOE_FP8:
        return COST_K_MOE;
    default:
        return k;
    }
}

static class_fit class_start(cost_kclass k)
{
    class_fit f = {{true, 0.8, 0.85, 1e9, 1e6, 0, 4, 5e-6, 0},
                   BASIC | APP_KP(APP_KP_HALF_FLOPS) |
                       APP_KP(APP_KP_HALF_BYTES)};

    switch (base_class(k)) {
    case COST_K_ATTN_DECODE:
        /* OI ~ q heads / KV heads, far below the ridge: the compute
         * side is fixed (0.5 of peak, hard max) and not fitted */
        f.start = (cost_curve){true, 0.5, 0.85, 0, 1e6, 8, 0, 8e-6, 5e-9};
        f.mask = APP_KP(APP_KP_EFF_M) | APP_KP(APP_KP_FLOOR) |
                 APP_KP(APP_KP_HALF_BYTES) | APP_KP(APP_KP_HALF_PAR) |
                 APP_KP(APP_KP_UNIT);
        break;
    case COST_K_MOE:
        /* + a cost per routed token (sorting, gathering, scattering) */
        f.start.unit_s = 1e-8;
        f.mask |= APP_KP(APP_KP_UNIT);
        break;
    case COST_K_ATTN_PREFILL:
        f.start = (cost_curve){true, 0.6, 0.8, 1e10, 0, 0, 4, 8e-6, 0};
        f.mask = BASIC | APP_KP(APP_KP_HALF_FLOPS);
        break;
    case COST_K_MLA_DECODE:
    case COST_K_MLA_PREFILL:
        f.start = (cost_curve){true, 0.5, 0.8, 1e9, 1e6, 0, 2, 5e-6, 0};
        break;
    case COST_K_ELEMENTWISE:
        f.start = (cost_curve){true, 1.0, 0.8, 0, 1e6, 0, 0, 3e-6, 0};
        f.mask = APP_KP(APP_KP_EFF_M) | APP_KP(APP_KP_HALF_BYTES) |
                 APP_KP(APP_KP_FLOOR);
        break;
    default:
        break;
    }
    return f;
}

static const cost_kclass fit_order[] = {
    COST_K_GEMM,
    COST_K_GEMM_FP8,
    COST_K_ATTN_PREFILL,
    COST_K_ATTN_DECODE,
    COST_K_MOE,
    COST_K_ELEMENTWISE,
    COST_K_MLA_PREFILL,
    COST_K_MLA_DECODE,
    COST_K_ATTN_PREFILL_FP8,
    COST_K_ATTN_DECODE_FP8,
    COST_K_MOE_FP8,
};

/* The peak a class is timed against: fp8 for gemm_fp8 and moe_fp8 (the
 * step's compute format), else bf16 (attention over an fp8 KV cache
 * included: cost_step.c evaluates its curve at the bf16 peak). */
static double class_peak(const cost_device *dev, cost_kclass k)
{
    return k == COST_K_GEMM_FP8 || k == COST_K_MOE_FP8
               ? dev->peak_flops[COST_FP8]
               : dev->peak_flops[COST_BF16];
}

/* Append every row of a fit to CSV file 'path' (for docs/calibration.md
 * and residual plots); the header is written when the file is empty. */
static int dump_rows(const char *path, const app_calib_device *dv,
                     cost_kclass k, const app_ksample *s, size_t n,
                     const cost_curve *c, hs_diag *d)
{
    hs_loc none = {NULL, 0, 0};
    FILE *f = fopen(path, "a");

    if (f == NULL)
        return hs_diag_error(d, none, "%s: cannot write: %s", path,
                             strerror(errno));
    if (ftell(f) == 0)
        fprintf(f, "device,class,test,kernels,flops,bytes,par,units,"
                   "measured_s,predicted_s\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s,%s,%d,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n", dv->name,
                cost_kclass_name(k), s[i].test ? 1 : 0, s[i].n_k,
                s[i].k[0].flops, s[i].k[0].bytes, s[i].k[0].par,
                s[i].k[0].units, s[i].measured_s,
                app_kpredict(c, dv->peak[k], dv->bw, &s[i]));
    if (fclose(f) != 0)
        return hs_diag_error(d, none, "%s: cannot write: %s", path,
                             strerror(errno));
    return HS_OK;
}

/* Store the fit of class 'k' with its residuals.  An fp8 class that
 * refines a fitted 16-bit class also gets that class's residuals on the
 * same rows ('before': what the simulator used for them) and is kept only
 * when it fits its training rows better (median |error|); otherwise the
 * simulator keeps using the 16-bit curve. */
static void keep_fit(app_calib_device *out, cost_kclass k,
                     const app_ksample *s, size_t n, const cost_curve *c)
{
    app_calib_class *cl = &out->cls[k];
    cost_kclass base = base_class(k);
    app_kresid before_train;

    app_kresiduals(s, n, out->peak[k], out->bw, c, false, &cl->train);
    app_kresiduals(s, n, out->peak[k], out->bw, c, true, &cl->test);
    if (base != k && k != COST_K_GEMM_FP8 && out->cls[base].fitted) {
        cl->has_before = true;
        app_kresiduals(s, n, out->peak[k], out->bw, &out->cal.curve[base],
                       true, &cl->before);
        app_kresiduals(s, n, out->peak[k], out->bw, &out->cal.curve[base],
                       false, &before_train);
        if (cl->train.median >= before_train.median) {
            cl->not_kept = true;
            return;
        }
    }
    out->cal.curve[k] = *c;
    out->dev.calib = out->cal;
    out->dev.calib.present = true;
    cl->fitted = true;
}

/* Fit class 'k' of device 'src' into 'out'; a table that is absent
 * leaves it unfitted.  Rejects a table of which more than a tenth of
 * the rows beat the device's limits (it cannot be what it says). */
static int fit_class(const app_calib_opts *o, const dev_src *src,
                     cost_kclass k, app_calib_device *out, hs_diag *d)
{
    const char *paths[5] = {NULL};
    app_calib_class *cl = &out->cls[k];
    cost_device dev = out->dev;
    app_ktable t = {k, paths, &dev};
    class_fit cf = class_start(k);
    cost_kclass base = base_class(k);
    app_ksample *s;
    size_t n, n_files = 0, off;
    int rc;

    for (int i = 0; i < 4 && src->files[k][i] != NULL; i++) {
        char *p = hs_asprintf("%s/%s", o->data, src->files[k][i]);
        FILE *f = fopen(p, "r");

        if (f == NULL) {
            free(p);
            continue;
        }
        fclose(f);
        paths[n_files++] = p;
        off = strlen(cl->source);
        snprintf(cl->source + off, sizeof cl->source - off, "%s%s",
                 off > 0 ? " " : "", src->files[k][i]);
    }
    if (n_files == 0)
        return HS_OK;
    rc = app_calib_rows(&t, out->peak[k], out->bw, &s, &n, &cl->dropped, d);
    for (size_t i = 0; i < n_files; i++)
        free((char *)paths[i]);
    if (rc != HS_OK || n == 0 || cl->dropped * 10 > n + cl->dropped) {
        free(s);
        return rc;
    }
    /* an fp8 class starts from its 16-bit class's fit (the same kernels
     * on narrower data), which keeps the trust region near that fit */
    if (base != k && k != COST_K_GEMM_FP8 && out->cls[base].fitted)
        cf.start = out->cal.curve[base];
    rc = app_kfit(s, n, out->peak[k], out->bw, cf.mask, &cf.start, d);
    if (rc == HS_OK && o->residuals != NULL)
        rc = dump_rows(o->residuals, out, k, s, n, &cf.start, d);
    if (rc == HS_OK)
        keep_fit(out, k, s, n, &cf.start);
    free(s);
    return rc;
}

/* Interpolation error of each GPU count's held-out sizes. */
static void ar_test(const app_ar_points *p, app_kresid *r)
{
    double e[COST_AR_POINTS];
    cost_calib one;

    memset(r, 0, sizeof *r);
    memset(&one, 0, sizeof one);
    one.present = true;
    one.allreduce[0] = p->train;
    for (int i = 0; i < p->n_test; i++) {
        double s = 0;

        cost_calib_allreduce(&one, p->train.gpus, p->test_bytes[i], &s);
        e[i] = fabs(s / p->test_s[i] - 1.0);
        r->bias += (s / p->test_s[i] - 1.0) / p->n_test;
        r->median = i == 0 || e[i] > r->median ? e[i] : r->median;
    }
    r->n = (size_t)p->n_test;
    r->p90 = r->median; /* few points: the largest error */
}

static int fit_allreduce(const app_calib_opts *o, const dev_src *src,
                         app_calib_device *out, hs_diag *d)
{
    app_ar_points pts[COST_AR_COUNTS];
    char *nccl, *custom;
    FILE *f;
    int rc;

    if (src->nccl == NULL)
        return HS_OK;
    nccl = hs_asprintf("%s/%s", o->data, src->nccl);
    custom = hs_asprintf("%s/%s", o->data, src->custom);
    if ((f = fopen(nccl, "r")) == NULL) {
        rc = HS_OK;
    } else {
        fclose(f);
        if ((f = fopen(custom, "r")) != NULL)
            fclose(f);
        rc = app_calib_allreduce(nccl, f != NULL ? custom : NULL, pts, d);
        for (int g = 0; rc == HS_OK && g < COST_AR_COUNTS; g++) {
            out->cal.allreduce[g] = pts[g].train;
            ar_test(&pts[g], &out->ar_test[g]);
        }
        /* each implementation alone, for the engines that choose */
        if (rc == HS_OK)
            rc = app_calib_allreduce(nccl, NULL, pts, d);
        for (int g = 0; rc == HS_OK && g < COST_AR_COUNTS; g++)
            out->cal.ar_nccl[g] = pts[g].train;
        if (rc == HS_OK && f != NULL)
            rc = app_calib_allreduce(NULL, custom, pts, d);
        for (int g = 0; rc == HS_OK && f != NULL && g < COST_AR_COUNTS; g++)
            out->cal.ar_custom[g] = pts[g].train;
    }
    free(nccl);
    free(custom);
    return rc;
}

/* The measured MoE all-to-all tables (DeepEP), when the device has
 * them and the data is there. */
static int fit_alltoall(const app_calib_opts *o, const dev_src *src,
                        app_calib_device *out, hs_diag *d)
{
    app_ar_points disp[COST_AR_COUNTS], comb[COST_AR_COUNTS];
    char *low, *normal;
    FILE *f;
    int rc = HS_OK;

    if (src->deepep_low == NULL)
        return HS_OK;
    low = hs_asprintf("%s/%s", o->data, src->deepep_low);
    normal = hs_asprintf("%s/%s", o->data, src->deepep_normal);
    if ((f = fopen(low, "r")) != NULL) {
        fclose(f);
        if ((f = fopen(normal, "r")) != NULL)
            fclose(f);
        rc = app_calib_alltoall(low, f != NULL ? normal : NULL, disp, comb, d);
        for (int g = 0; rc == HS_OK && g < COST_AR_COUNTS; g++) {
            out->cal.dispatch[g] = disp[g].train;
            out->cal.combine[g] = comb[g].train;
            ar_test(&disp[g], &out->a2a_test[0][g]);
            ar_test(&comb[g], &out->a2a_test[1][g]);
        }
    }
    free(low);
    free(normal);
    return rc;
}

/* Copy the classes 'from' fitted that 'to' did not. */
static void borrow(const dev_src *src, const app_calib_device *from,
                   app_calib_device *to)
{
    for (int k = 0; k < COST_N_KCLASS; k++) {
        if (to->cls[k].fitted || to->cls[k].not_kept || !from->cls[k].fitted)
            continue;
        to->cal.curve[k] = from->cal.curve[k];
        snprintf(to->cls[k].borrowed, sizeof to->cls[k].borrowed, "%s",
                 from->name);
        to->cls[k].train = from->cls[k].train;
        to->cls[k].test = from->cls[k].test;
    }
    if (src->borrow_allreduce) {
        memcpy(to->cal.allreduce, from->cal.allreduce,
               sizeof to->cal.allreduce);
        memcpy(to->cal.ar_nccl, from->cal.ar_nccl, sizeof to->cal.ar_nccl);
        memcpy(to->cal.ar_custom, from->cal.ar_custom,
               sizeof to->cal.ar_custom);
        memcpy(to->ar_test, from->ar_test, sizeof to->ar_test);
        memcpy(to->cal.dispatch, from->cal.dispatch, sizeof to->cal.dispatch);
        memcpy(to->cal.combine, from->cal.combine, sizeof to->cal.combine);
        memcpy(to->a2a_test, from->a2a_test, sizeof to->a2a_test);
        snprintf(to->ar_borrowed, sizeof to->ar_borrowed, "%s", from->name);
    }
}

static int calibrate_device(const app_calib_opts *o, const dev_src *src,
                            const cost_device *dev, app_calib_device *out,
                            hs_diag *d)
{
    int rc = HS_OK;

    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", src->name);
    snprintf(out->cal.name, sizeof out->cal.name, "%s", src->name);
    out->bw = dev->mem_bw;
    out->dev = *dev;
    for (int k = 0; k < COST_N_KCLASS; k++)
        out->peak[k] = class_peak(dev, (cost_kclass)k);
    /* MLA last: its module tables are timed partly by the curves of
     * gemm and elementwise, held fixed */
    for (size_t i = 0;
         i < sizeof fit_order / sizeof fit_order[0] && rc == HS_OK; i++)
        rc = fit_class(o, src, fit_order[i], out, d);
    if (rc == HS_OK)
        rc = fit_allreduce(o, src, out, d);
    if (rc == HS_OK)
        rc = fit_alltoall(o, src, out, d);
    out->cal.present = true;
    return rc;
}

/* Fitted from own rows or borrowed: worth a file. */
static bool any_fitted(const app_calib_device *dv)
{
    for (int k = 0; k < COST_N_KCLASS; k++)
        if (dv->cls[k].fitted)
            return true;
    return false;
}

static int find_device(const char *name)
{
    for (size_t i = 0; i < N_DEVICES; i++)
        if (strcmp(devices[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Device i is calibrated when all are, when it is the one asked for, or
 * when that one borrows from it. */
static bool wanted(int only, size_t i)
{
    const char *b;

    if (only < 0 || (size_t)only == i)
        return true;
    b = devices[only].borrow;
    return b != NULL && strcmp(b, devices[i].name) == 0;
}

/* The catalog entry of a device (its peaks and bandwidth). */
static int load_device(const char *catalog, const char *name, cost_device *dev,
                       hs_diag *d)
{
    io_hardware hw;
    hs_loc none = {NULL, 0, 0};
    int rc = io_catalog_load_hardware(catalog, name, &hw, none, d);

    *dev = hw.dev;
    return rc;
}

int app_calibrate(const app_calib_opts *o, app_calib_device **out, size_t *n,
                  hs_diag *d)
{
    hs_loc none = {NULL, 0, 0};
    app_calib_device *dv = hs_calloc(N_DEVICES, sizeof *dv);
    char *catalog = NULL;
    int only = -1, rc;
    size_t m = 0;

    *out = NULL;
    *n = 0;
    if (o->device != NULL && (only = find_device(o->device)) < 0) {
        free(dv);
        return hs_diag_error(d, none,
                             "no kernel data is known for device '%s' "
                             "(calibrated: h100-sxm, h200, b200)",
                             o->device);
    }
    rc = io_catalog_find(&catalog, d);
    for (size_t i = 0; rc == HS_OK && i < N_DEVICES; i++) {
        const dev_src *src = &devices[i];
        int from = src->borrow != NULL ? find_device(src->borrow) : -1;
        cost_device dev;

        if (!wanted(only, i))
            continue;
        if ((rc = load_device(catalog, src->name, &dev, d)) != HS_OK ||
            (rc = calibrate_device(o, src, &dev, &dv[i], d)) != HS_OK)
            break;
        if (from >= 0 && dv[from].cal.present)
            borrow(src, &dv[from], &dv[i]);
    }
    /* keep the devices asked for that have data, in table order */
    for (size_t i = 0; rc == HS_OK && i < N_DEVICES; i++)
        if ((only < 0 || (size_t)only == i) && any_fitted(&dv[i]))
            dv[m++] = dv[i];
    if (rc == HS_OK && m == 0)
        rc = hs_diag_error(d, none,
                           "no kernel table found under '%s' (expected "
                           "aiconfigurator/ and vidur/ as in "
                           "shared/data)",
                           o->data);
    for (size_t i = 0; rc == HS_OK && i < m; i++)
        rc = app_calib_write(o->out_dir, catalog, &dv[i], d);
    free(catalog);
    if (rc != HS_OK) {
        free(dv);
        return rc;
    }
    *out = dv;
    *n = m;
    return HS_OK;
}
