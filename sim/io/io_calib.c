/*
 * io_calib.c -- calibration files (configs/calibration/<name>.yaml):
 * the fitted kernel curves of one device and its measured all-reduce
 * and MoE all-to-all (dispatch, combine) tables, written by 'hetsim calibrate' and referenced by a hardware
 * entry's 'calibration:' key (docs/calibration.md has the format).
 *
 * Every problem is a located error (file:line:col, key path, what was
 * expected); a file that does not load leaves the device uncalibrated
 * and the caller fails with HS_EINPUT.
 */
#include "io_int.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

static const char *const file_keys[] = {
    "name",      "source",         "curves",
    "allreduce", "allreduce_nccl", "allreduce_custom",
    "dispatch",  "combine",        NULL};
static const char *const ar_keys[] = {"gpus", "source", "points", NULL};

/* One curve's keys; 'fitted' is set by being present. */
static const io_param curve_params[] = {
    {IO_PARAM_NUMBER(cost_curve, eff_c, "eff_compute", true, IO_POSITIVE,
                     2.0)},
    {IO_PARAM_NUMBER(cost_curve, eff_m, "eff_memory", true, IO_POSITIVE, 2.0)},
    {IO_PARAM_NUMBER(cost_curve, half_flops, "half_flops", false, 0, DBL_MAX)},
    {IO_PARAM_NUMBER(cost_curve, half_bytes, "half_bytes", false, 0, DBL_MAX)},
    {IO_PARAM_NUMBER(cost_curve, half_par, "half_par", false, 0, DBL_MAX)},
    {IO_PARAM_NUMBER(cost_curve, sharp, "sharp", false, 0, 1000)},
    {IO_PARAM_QUANTITY(cost_curve, floor_s, "floor", true, HS_UNIT_TIME,
                       false)},
    {IO_PARAM_QUANTITY(cost_curve, unit_s, "unit", false, HS_UNIT_TIME,
                       false)},
    IO_PARAM_END,
};

static const char *const curve_keys[] = {
    "eff_compute", "eff_memory", "half_flops", "half_bytes",
    "half_par",    "sharp",      "floor",      "unit",
    "rows",        "source",     NULL,
};

static void bind_curves(io_errs *e, const io_node *n, cost_calib *cal)
{
    if (!io_expect_map(e, n))
        return;
    for (size_t i = 0; i < n->n_kids; i++) {
        const io_node *c = n->kids[i];
        cost_kclass k;

        if (!cost_kclass_parse(c->key, &k)) {
            io_node_error(e, c,
                          "unknown operator class '%s' (expected gemm, "
                          "gemm_fp8, attn_prefill, attn_decode, moe, "
                          "mla_prefill, mla_decode or elementwise)",
                          c->key);
            continue;
        }
        if (!io_expect_map(e, c))
            continue;
        io_check_keys(e, c, curve_keys);
        memset(&cal->curve[k], 0, sizeof cal->curve[k]);
        if (io_bind_params(e, c, curve_params, &cal->curve[k], true) == HS_OK)
            cal->curve[k].fitted = true;
    }
}

/* One point [bytes, seconds] of an all-reduce table, after 'prev'. */
static bool bind_point(io_errs *e, const io_node *p, double prev,
                       cost_ar_table *tb)
{
    double b, s;

    if (!io_expect_seq(e, p))
        return false;
    if (p->n_kids != 2) {
        io_node_error(e, p, "expected [bytes, seconds], found %zu items",
                      p->n_kids);
        return false;
    }
    if (io_number(e, p->kids[0], 1, DBL_MAX, &b) != HS_OK ||
        io_number(e, p->kids[1], IO_POSITIVE, DBL_MAX, &s) != HS_OK)
        return false;
    if (b <= prev) {
        io_node_error(e, p->kids[0],
                      "expected sizes in ascending order (after %g), "
                      "found %g",
                      prev, b);
        return false;
    }
    tb->bytes[tb->n] = b;
    tb->seconds[tb->n] = s;
    tb->n++;
    return true;
}

static void bind_table(io_errs *e, const io_node *n,
                       cost_ar_table tabs[COST_AR_COUNTS], size_t slot)
{
    cost_ar_table *tb = &tabs[slot];
    const io_node *pts;
    double prev = 0;

    if (!io_expect_map(e, n))
        return;
    io_check_keys(e, n, ar_keys);
    io_field_int32(e, n, "gpus", true, 2, 1 << 20, &tb->gpus);
    for (size_t i = 0; i < slot; i++)
        if (tabs[i].gpus == tb->gpus && tb->gpus > 0)
            io_node_error(e, io_get(n, "gpus"), "a second table for %d GPUs",
                          tb->gpus);
    pts = io_member(e, n, "points", true);
    if (pts == NULL || !io_expect_seq(e, pts))
        return;
    if (pts->n_kids < 2 || pts->n_kids > COST_AR_POINTS) {
        io_node_error(e, pts, "expected 2 to %d points, found %zu",
                      COST_AR_POINTS, pts->n_kids);
        return;
    }
    for (size_t i = 0; i < pts->n_kids; i++) {
        if (!bind_point(e, pts->kids[i], prev, tb))
            return;
        prev = tb->bytes[tb->n - 1];
    }
}

/* A list of measured tables, one per GPU count: 'allreduce', and the
 * MoE all-to-all's 'dispatch' and 'combine'. */
static void bind_tables(io_errs *e, const io_node *n,
                        cost_ar_table tabs[COST_AR_COUNTS])
{
    if (!io_expect_seq(e, n))
        return;
    if (n->n_kids > COST_AR_COUNTS) {
        io_node_error(e, n, "expected at most %d tables, found %zu",
                      COST_AR_COUNTS, n->n_kids);
        return;
    }
    for (size_t i = 0; i < n->n_kids; i++)
        bind_table(e, n->kids[i], tabs, i);
}

/* Bind a parsed calibration file; 'name' (may be NULL) must equal its
 * 'name:'. */
static int bind_file(io_errs *e, const io_node *root, const char *name,
                     cost_calib *cal)
{
    size_t before = e->n;
    const io_node *n;

    memset(cal, 0, sizeof *cal);
    if (!io_expect_map(e, root))
        return HS_EINPUT;
    io_check_keys(e, root, file_keys);
    n = io_member(e, root, "name", true);
    if (n != NULL && io_name(e, n, cal->name, sizeof cal->name) == HS_OK &&
        name != NULL && strcmp(cal->name, name) != 0)
        io_node_error(e, n, "expected '%s' (the file name), found '%s'", name,
                      cal->name);
    if ((n = io_member(e, root, "curves", true)) != NULL)
        bind_curves(e, n, cal);
    if ((n = io_get(root, "allreduce")) != NULL)
        bind_tables(e, n, cal->allreduce);
    if ((n = io_get(root, "allreduce_nccl")) != NULL)
        bind_tables(e, n, cal->ar_nccl);
    if ((n = io_get(root, "allreduce_custom")) != NULL)
        bind_tables(e, n, cal->ar_custom);
    if ((n = io_get(root, "dispatch")) != NULL)
        bind_tables(e, n, cal->dispatch);
    if ((n = io_get(root, "combine")) != NULL)
        bind_tables(e, n, cal->combine);
    if (e->n > before) {
        memset(cal, 0, sizeof *cal);
        return HS_EINPUT;
    }
    cal->present = true;
    return HS_OK;
}

int io_calib_read(io_errs *e, const char *path, const char *name, hs_loc at,
                  cost_calib *out)
{
    char *text;
    size_t len;
    io_node *root = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if (io_read_file(e, path, at, &text, &len) != HS_OK)
        return HS_EINPUT;
    rc = io_parse(e, text, len, path, 0, &root);
    free(text);
    if (rc == HS_OK && root == NULL) {
        hs_loc whole = {path, 0, 0};

        rc = io_error(e, whole, "empty file");
    }
    if (rc == HS_OK)
        rc = bind_file(e, root, name, out);
    io_node_free(root);
    return rc == HS_OK ? HS_OK : HS_EINPUT;
}

int io_calib_ref(io_errs *e, const char *dir, const io_node *ref,
                 cost_calib *out)
{
    char *path;
    int rc;

    memset(out, 0, sizeof *out);
    if (ref == NULL)
        return HS_OK;
    if (ref->kind == IO_SCALAR && strcmp(ref->text, "none") == 0)
        return HS_OK; /* explicitly uncalibrated: the scalar roofline */
    if (ref->kind != IO_SCALAR || ref->text[0] == '\0' ||
        ref->text[0] == '.' || strchr(ref->text, '/') != NULL)
        return io_node_error(e, ref,
                             "expected the name of a file in "
                             "calibration/ or 'none'");
    path = hs_asprintf("%s/calibration/%s.yaml", dir, ref->text);
    rc = io_calib_read(e, path, ref->text, ref->loc, out);
    free(path);
    return rc;
}

int io_calibration_load(const char *path, cost_calib *out, hs_diag *d)
{
    io_errs e = {0};
    hs_loc none = {NULL, 0, 0};
    int rc = io_calib_read(&e, path, NULL, none, out);

    io_errs_flush(&e, d);
    return rc;
}
