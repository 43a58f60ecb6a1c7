/*
 * cli_list.c -- 'hetsim list models|hardware|links|presets': print one
 * catalog as a table.  The catalog directory is found by
 * io_catalog_find() ($HETSIM_CATALOG, configs/ next to the binary, the
 * installed copy).  A catalog file with an error is reported with its
 * file:line:col and nothing is listed (exit 2).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "hetsim/cost.h"
#include "hetsim/io.h"

static int usage(FILE *out, int status)
{
    fprintf(out, "usage: hetsim list models|hardware|links|presets\n");
    return status;
}

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

static void list_hardware(const io_catalog *c)
{
    size_t longest = 0;
    int w;

    for (size_t i = 0; i < c->n; i++)
        if (strlen(c->hardware[i].dev.name) > longest)
            longest = strlen(c->hardware[i].dev.name);
    w = width_of(longest);
    printf("%-*s %10s %10s %8s %8s %7s %6s %-15s %s\n", w, "name", "bf16_TF/s",
           "fp8_TF/s", "mem_GB", "bw_TB/s", "power_W", "usd/h", "link",
           "hypothetical");
    for (size_t i = 0; i < c->n; i++) {
        const io_hardware *h = &c->hardware[i];
        const cost_device *d = &h->dev;
        char fp8[32];

        if (d->peak_flops[COST_FP8] > 0)
            snprintf(fp8, sizeof fp8, "%.1f", d->peak_flops[COST_FP8] / 1e12);
        else
            snprintf(fp8, sizeof fp8, "-");
        printf("%-*s %10.1f %10s %8.1f %8.2f %7.0f %6.2f %-15s %s\n", w,
               d->name, d->peak_flops[COST_BF16] / 1e12, fp8,
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

int cli_list(int argc, char **argv)
{
    io_catalog_kind kind;
    io_catalog *c = NULL;
    char *dir = NULL;
    hs_diag *d;
    int rc;

    if (argc == 2 &&
        (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
        return usage(stdout, CLI_OK);
    if (argc == 2 && strcmp(argv[1], "presets") == 0) {
        printf("no presets yet (agent workloads come with the agents "
               "issue)\n");
        return CLI_OK;
    }
    if (argc != 2 || parse_kind(argv[1], &kind) != HS_OK)
        return usage(stderr, CLI_USAGE);
    d = hs_diag_new();
    rc = io_catalog_find(&dir, d);
    if (rc == HS_OK)
        rc = io_catalog_load_all(dir, kind, &c, d);
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
