/*
 * rec_doc.c -- the generated part of docs/schema.md: every table of
 * records.h with its columns, the metric names with their scopes, the
 * indexes and the views, as markdown.  'hetsim schema-doc' prints it and
 * tests/cli/t_schema.sh fails when the page and the tables disagree.
 */
#include "hetsim/records.h"

#include <stdio.h>
#include <stdlib.h>

#include "hetsim/util.h"

static void put_table(FILE *f, const rec_table *t)
{
    bool runs = t == rec_table_get(REC_T_runs);

    fprintf(f, "### `%s` — %s\n\n", t->name, t->title);
    if (t->note != NULL)
        fprintf(f, "%s\n\n", t->note);
    fprintf(f, "| column | type | unit | meaning |\n|---|---|---|---|\n");
    fprintf(f, "| `run_id` | %s |  | %s |\n",
            runs ? "INTEGER PRIMARY KEY" : "INTEGER NOT NULL",
            runs ? "1, 2, 3, ... in the order runs started; never reused"
                 : "the run (`runs.run_id`)");
    for (size_t c = 0; c < t->n_cols; c++) {
        const rec_col *col = &t->cols[c];

        fprintf(f, "| `%s` | %s | %s | %s |\n", col->name,
                rec_type_doc(col->type), col->unit, col->doc);
    }
    fputc('\n', f);
}

/* "run, instance" for a REC_SCOPE_* set. */
static void put_scopes(FILE *f, unsigned scopes)
{
    static const char *const names[] = {"run",  "instance",    "pool",
                                        "link", "memory pool", "SLO"};
    const char *sep = "";

    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (scopes & (1u << i)) {
            fprintf(f, "%s%s", sep, names[i]);
            sep = ", ";
        }
}

static void put_metrics(FILE *f)
{
    fprintf(f, "### Metric names\n\n"
               "The scopes a metric is written for: `run` (the whole run), "
               "instance (scope = the instance's name), pool (`prefill` and "
               "`decode`, the instance pools of split mode), link (the KV "
               "transfer link's name), memory pool (the KV pool's "
               "name) and SLO (a key of `slo:` as written, `ttft_p90`). "
               "Metrics marked *windowed* cover the measurement window "
               "(`window:`; the whole run without it), the others the "
               "whole run; see [Percentiles, SLOs and the measurement "
               "window](#percentiles-slos-and-the-measurement-window)."
               "\n\n"
               "| name | unit | scopes | meaning |\n|---|---|---|---|\n");
    for (int i = 0; i < REC_N_METRICS; i++) {
        const rec_metric *m = rec_metric_get((rec_metric_id)i);

        fprintf(f, "| `%s` | %s | ", m->name, m->unit);
        put_scopes(f, m->scopes);
        fprintf(f, " | %s |\n", m->doc);
    }
    fputc('\n', f);
}

static void put_drop_reasons(FILE *f)
{
    fprintf(f, "### Drop reasons\n\n"
               "`requests.drop_reason` of a dropped request, one of:\n\n");
#define PUT_REASON(m, name, doc)                                              \
    if (m != SRV_DROP_NONE)                                                   \
        fprintf(f, "- `%s`: %s\n", (const char *)name, doc);
    REC_DROP_REASONS(PUT_REASON)
#undef PUT_REASON
    fputc('\n', f);
}

static void put_indexes(FILE *f)
{
    const char *sep = "";

    fprintf(f, "### Indexes\n\n");
    for (int i = 0; i < REC_N_TABLES; i++) {
        const rec_table *t = rec_table_get((rec_table_id)i);

        if (t->index == NULL)
            continue;
        fprintf(f, "%s`%s(run_id%s%s)`%s", sep, t->name,
                t->keys[0] != '\0' ? ", " : "", t->keys,
                t->unique ? " unique" : "");
        sep = ", ";
    }
    fprintf(f, ". Filter on `run_id` first to use them.\n\n");
}

static void put_views(FILE *f)
{
    fprintf(f, "## Views\n\n");
    for (size_t v = 0; v < rec_view_count(); v++) {
        const rec_view *w = rec_view_get(v);

        fprintf(f, "%s**`%s`** — %s `", v > 0 ? "\n" : "", w->name, w->doc);
        for (size_t i = 0; i < w->n_ids; i++)
            fprintf(f, "%s%s", i > 0 ? ", " : "", rec_metric_name(w->ids[i]));
        fprintf(f, "` (NULL when the run has no such metric, e.g. while "
                   "running).\n");
    }
}

char *rec_doc_markdown(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    HS_ASSERT(f != NULL); /* out of memory */
    fprintf(f, "## Tables\n\n");
    for (int i = 0; i < REC_N_TABLES; i++) {
        put_table(f, rec_table_get((rec_table_id)i));
        if (i == REC_T_requests)
            put_drop_reasons(f);
        if (i == REC_T_metrics)
            put_metrics(f);
    }
    put_indexes(f);
    put_views(f);
    fclose(f);
    return buf;
}
