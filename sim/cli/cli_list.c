/*
 * cli_list.c -- 'hetsim list models|hardware|links|presets': print one
 * catalog as a table.  The catalog directory is found by
 * io_catalog_find() ($HETSIM_CATALOG, configs/ next to the binary, the
 * installed copy); presets are its presets/ (docs/presets.md), shown
 * with the means of their distributions.  A catalog or preset file with
 * an error is reported with its file:line:col and nothing is listed
 * (exit 2).  'list models --from FILE' lists HuggingFace config.json
 * files instead (io_hf_load_model), their warnings on stderr.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "cli_help.h"
#include "hetsim/cost.h"
#include "hetsim/io.h"
#include "hetsim/preset.h"

/* Width of the name column for a longest name of 'longest'. */
static int width_of(size_t longest)
{
    return longest < 4 ? 4 : (int)longest;
}

/* "GQA 64/8", "MHA 32", "MQA 32/1" or "MLA 128". */
static void attention(const cost_model *m, char *buf, size_t len)
{
    if (m->has_mla)
        snprintf(buf, len, "MLA %d", m->heads);
    else if (m->kv_heads == m->heads)
        snprintf(buf, len, "MHA %d", m->heads);
    else if (m->kv_heads == 1)
        snprintf(buf, len, "MQA %d/1", m->heads);
    else
        snprintf(buf, len, "GQA %d/%d", m->heads, m->kv_heads);
}

static void list_models(const io_catalog *c)
{
    size_t longest = 0;
    int w;

    for (size_t i = 0; i < c->n; i++)
        if (strlen(c->models[i].name) > longest)
            longest = strlen(c->models[i].name);
    w = width_of(longest);
    printf("%-*s %6s %6s %-10s %-14s %9s %9s\n", w, "name", "layers", "hidden",
           "attention", "experts", "params_B", "active_B");
    for (size_t i = 0; i < c->n; i++) {
        const cost_model *m = &c->models[i];
        char att[32], moe[32];

        attention(m, att, sizeof att);
        if (m->moe_experts > 0)
            snprintf(moe, sizeof moe, "%d top-%d +%d", m->moe_experts,
                     m->moe_top_k, m->moe_shared_experts);
        else
            snprintf(moe, sizeof moe, "-");
        printf("%-*s %6d %6d %-10s %-14s %9.2f %9.2f\n", w, m->name, m->layers,
               m->hidden, att, moe, cost_model_params_total(m) / 1e9,
               cost_model_params_active(m) / 1e9);
    }
}

/* A peak in TFLOP/s, or "-" when the device has none in format 't'. */
static void peak(const cost_device *d, cost_dtype t, char *buf, size_t len)
{
    if (d->peak_flops[t] > 0)
        snprintf(buf, len, "%.1f", d->peak_flops[t] / 1e12);
    else
        snprintf(buf, len, "-");
}

static void list_hardware(const io_catalog *c)
{
    size_t longest = 0;
    int w;

    for (size_t i = 0; i < c->n; i++)
        if (strlen(c->hardware[i].dev.name) > longest)
            longest = strlen(c->hardware[i].dev.name);
    w = width_of(longest);
    printf("%-*s %10s %10s %10s %8s %8s %7s %6s %-15s %s\n", w, "name",
           "bf16_TF/s", "fp8_TF/s", "fp4_TF/s", "mem_GB", "bw_TB/s", "power_W",
           "usd/h", "link", "hypothetical");
    for (size_t i = 0; i < c->n; i++) {
        const io_hardware *h = &c->hardware[i];
        const cost_device *d = &h->dev;
        char fp8[32], fp4[32];

        peak(d, COST_FP8, fp8, sizeof fp8);
        peak(d, COST_FP4, fp4, sizeof fp4);
        printf("%-*s %10.1f %10s %10s %8.1f %8.2f %7.0f %6.2f %-15s %s\n", w,
               d->name, d->peak_flops[COST_BF16] / 1e12, fp8, fp4,
               d->mem_bytes / 1e9, d->mem_bw / 1e12, d->power_busy_w,
               d->cost_per_hour, h->link[0] != '\0' ? h->link : "-",
               d->hypothetical ? "yes" : "no");
    }
}

static void list_links(const io_catalog *c)
{
    size_t longest = 0;
    int w;

    for (size_t i = 0; i < c->n; i++)
        if (strlen(c->links[i].name) > longest)
            longest = strlen(c->links[i].name);
    w = width_of(longest);
    printf("%-*s %10s %10s %13s\n", w, "name", "bw_GB/s", "latency_us",
           "energy_pJ/bit");
    for (size_t i = 0; i < c->n; i++) {
        const cost_link *l = &c->links[i];

        printf("%-*s %10.1f %10.3f %13.2f\n", w, l->name, l->bandwidth / 1e9,
               l->latency_s * 1e6, l->energy_per_bit * 1e12);
    }
}

/* ---- presets ------------------------------------------------------------ */

/* The mean of a preset distribution before rounding and clamping. */
static double dist_mean(const wl_preset_dist *d)
{
    switch (d->kind) {
    case WL_DIST_FIXED:
        return d->value;
    case WL_DIST_UNIFORM:
        return (d->min + d->max) / 2;
    case WL_DIST_LOGNORMAL:
    case WL_DIST_EMPIRICAL:
        break;
    }
    return d->mean;
}

/* A time as "0.3s", "18.4s", "46.7min" or "2.5h". */
static void fmt_time(double s, char *buf, size_t len)
{
    if (s < 60)
        snprintf(buf, len, "%.3gs", s);
    else if (s < 3600)
        snprintf(buf, len, "%.3gmin", s / 60);
    else
        snprintf(buf, len, "%.3gh", s / 3600);
}

static void preset_row(const wl_preset *p, int w)
{
    char tool[32], think[32];

    if (p->tool_fraction > 0)
        fmt_time(dist_mean(&p->tool_latency), tool, sizeof tool);
    else
        snprintf(tool, sizeof tool, "-");
    if (p->tool_fraction < 1)
        fmt_time(dist_mean(&p->think_time), think, sizeof think);
    else
        snprintf(think, sizeof think, "-");
    printf("%-*s %10.1f %13.0f %13.0f %11.0f %9.2f %12s %12s %11lld\n", w,
           p->name, dist_mean(&p->calls), dist_mean(&p->start_context),
           dist_mean(&p->appended), dist_mean(&p->output), p->tool_fraction,
           tool, think, (long long)p->max_context);
}

/* 'hetsim list presets': every preset of <catalog>/presets, loaded. */
static int list_presets(const char *dir, hs_diag *d)
{
    wl_preset *v;
    char **names;
    size_t n, longest = 0;
    hs_loc none = {NULL, 0, 0};
    int rc = io_preset_list(dir, &names, &n, d);
    int w;

    if (rc != HS_OK)
        return rc;
    v = hs_calloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        if (io_preset_load(dir, names[i], &v[i], none, d) != HS_OK)
            rc = HS_EINPUT;
        if (strlen(names[i]) > longest)
            longest = strlen(names[i]);
    }
    io_names_free(names, n);
    if (rc != HS_OK) {
        free(v);
        return rc;
    }
    w = width_of(longest);
    printf("%-*s %10s %13s %13s %11s %9s %12s %12s %11s\n", w, "name",
           "calls_mean", "start_context", "appended_mean", "output_mean",
           "tool_frac", "tool_latency", "think_time", "max_context");
    for (size_t i = 0; i < n; i++)
        preset_row(&v[i], w);
    free(v);
    return HS_OK;
}

static int parse_kind(const char *s, io_catalog_kind *kind)
{
    for (int k = IO_CATALOG_MODELS; k <= IO_CATALOG_LINKS; k++) {
        if (strcmp(s, io_catalog_kind_name((io_catalog_kind)k)) == 0) {
            *kind = (io_catalog_kind)k;
            return HS_OK;
        }
    }
    return HS_EINPUT;
}

/* 'hetsim list models --from FILE...': the models of config.json files,
 * every one read before anything is printed; warnings to stderr. */
static int list_from(char **files, size_t n)
{
    io_catalog c;
    hs_diag *d = hs_diag_new();
    int rc = HS_OK;

    memset(&c, 0, sizeof c);
    c.kind = IO_CATALOG_MODELS;
    c.models = hs_calloc(n + 1, sizeof(cost_model));
    for (size_t i = 0; i < n; i++)
        if (io_hf_load_model(files[i], &c.models[c.n++], d) != HS_OK)
            rc = HS_EINPUT;
    cli_print_diag(d, stderr);
    if (rc == HS_OK)
        list_models(&c);
    free(c.models);
    hs_diag_free(d);
    return rc == HS_OK ? CLI_OK : CLI_USAGE;
}

/* Parse the arguments: the kind (argv[] position) and the --from files. */
static int parse_args(int argc, char **argv, const char **what, char **files,
                      size_t *n_files)
{
    const cli_doc *doc = cli_doc_find("list");

    *what = NULL;
    *n_files = 0;
    for (int i = 1; i < argc; i++) {
        const cli_opt *o;
        const char *v;

        switch (cli_next_arg(doc, argc, argv, &i, &o, &v)) {
        case CLI_ARG_OPTION: /* --from, the only option */
            files[(*n_files)++] = (char *)v;
            break;
        case CLI_ARG_POSITIONAL:
            if (*what != NULL)
                return cli_usage_error(doc, "unexpected argument '%s'", v);
            *what = v;
            break;
        case CLI_ARG_BAD:
            return CLI_USAGE;
        }
    }
    if (*what == NULL)
        return cli_usage_error(doc, "expected one of models, hardware, "
                                    "links, presets");
    if (*n_files > 0 && strcmp(*what, "models") != 0)
        return cli_usage_error(doc, "--from applies to models only");
    return CLI_OK;
}

int cli_list(int argc, char **argv)
{
    io_catalog_kind kind = IO_CATALOG_MODELS;
    io_catalog *c = NULL;
    char *dir = NULL;
    char **files = hs_calloc((size_t)argc + 1, sizeof(char *));
    const char *what;
    size_t n_files;
    hs_diag *d;
    int rc = parse_args(argc, argv, &what, files, &n_files);

    if (rc == CLI_OK && strcmp(what, "presets") != 0 &&
        parse_kind(what, &kind) != HS_OK)
        rc = cli_usage_error(cli_doc_find("list"),
                             "expected models, hardware, links or presets, "
                             "found '%s'",
                             what);
    if (rc == CLI_OK && n_files > 0)
        rc = list_from(files, n_files);
    free(files);
    if (rc != CLI_OK || n_files > 0)
        return rc;
    d = hs_diag_new();
    rc = io_catalog_find(&dir, d);
    if (rc == HS_OK && strcmp(what, "presets") == 0) {
        rc = list_presets(dir, d);
        if (rc == HS_OK) {
            hs_diag_free(d);
            free(dir);
            return CLI_OK;
        }
    } else if (rc == HS_OK) {
        rc = io_catalog_load_all(dir, kind, &c, d);
    }
    if (rc != HS_OK) {
        cli_print_diag(d, stderr);
        hs_diag_free(d);
        free(dir);
        return CLI_USAGE;
    }
    if (kind == IO_CATALOG_MODELS)
        list_models(c);
    else if (kind == IO_CATALOG_HARDWARE)
        list_hardware(c);
    else
        list_links(c);
    io_catalog_free(c);
    hs_diag_free(d);
    free(dir);
    return CLI_OK;
}
