/*
 * cli_html.c -- 'hetsim report DB --html [-o FILE]': the runs of one
 * results database as one self-contained HTML page: no script, no
 * stylesheet, image or font fetched from anywhere (the style is inline,
 * every plot an inline SVG drawn by gnuplot).  It holds the text report
 * (as 'hetsim report' prints it), the run_summary and
 * latency_percentiles views, the instances, an OI/CF summary of the
 * steps, each run's scenario, the plots (oicf, roofline, cdf, timeline
 * of the last run, and the metric across runs), and under each table the
 * SQL that produced it.  Page made here; plots by sim/app (app_plot.h)
 * and cli_gnuplot.c; the text report by cli_table.c.
 */
#include "cli.h"
#include "cli_plot.h"

#include "hetsim_config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- text ----------------------------------------------------------------- */

static void esc(FILE *f, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static const char style[] =
    "body{font-family:sans-serif;margin:2em;max-width:1400px;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0;font-size:90%;"
    "display:block;overflow-x:auto}"
    "td,th{border:1px solid #bbb;padding:2px 8px;text-align:right}"
    "th{background:#eee}td.t{text-align:left}"
    "pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:85%}"
    "details{margin:.3em 0 1.2em}summary{cursor:pointer;color:#555}"
    "svg{max-width:100%;height:auto;border:1px solid #ddd}"
    ".note{color:#922b21}";

/* ---- SQL tables ------------------------------------------------------------ */

typedef struct table_w {
    FILE *f;
    size_t rows;
} table_w;

static int table_row(void *ctx, const io_row *row)
{
    table_w *t = ctx;

    if (t->rows++ == 0) {
        fputs("<table><tr>", t->f);
        for (int i = 0; i < row->n_cols; i++) {
            fputs("<th>", t->f);
            esc(t->f, row->names[i]);
            fputs("</th>", t->f);
        }
        fputs("</tr>\n", t->f);
    }
    fputs("<tr>", t->f);
    for (int i = 0; i < row->n_cols; i++) {
        fputs(row->types[i] == IO_VALUE_TEXT ? "<td class=t>" : "<td>", t->f);
        esc(t->f, row->values[i] != NULL ? row->values[i] : "NULL");
        fputs("</td>", t->f);
    }
    fputs("</tr>\n", t->f);
    return 0;
}

/* A heading, the result of 'sql' as a table, and the SQL under it. */
static int sql_table(io_store *s, FILE *f, const char *head, const char *sql,
                     hs_diag *d)
{
    table_w t = {f, 0};
    int rc;

    fputs("<h2>", f);
    esc(f, head);
    fputs("</h2>\n", f);
    rc = io_store_query(s, sql, NULL, 0, table_row, &t, d);
    if (t.rows > 0)
        fputs("</table>\n", f);
    else
        fputs("<p>(no rows)</p>\n", f);
    fputs("<details><summary>SQL</summary><pre>", f);
    esc(f, sql);
    fputs(";</pre></details>\n", f);
    return rc;
}

/* ---- plots ----------------------------------------------------------------- */

/* The SVG text of the file at 'path' from its <svg element on (a new
 * string), or NULL. */
static char *read_svg(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL, *svg;
    size_t len = 0, cap = 0, k;
    char chunk[65536];

    if (f == NULL)
        return NULL;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
        hs_grow((void **)&buf, &cap, len + k + 1, 1);
        memcpy(buf + len, chunk, k);
        len += k;
    }
    fclose(f);
    if (buf == NULL)
        return NULL;
    buf[len] = '\0';
    svg = strstr(buf, "<svg");
    svg = svg != NULL ? hs_strdup(svg) : NULL;
    free(buf);
    return svg;
}

/* Draw plot 'kind' of runs 'ids' as SVG and put it in the page, or a
 * note saying why not. */
static void plot_svg(io_store *s, FILE *f, app_plot_kind kind,
                     const int64_t *ids, size_t n)
{
    const char *dir = getenv("TMPDIR");
    char *tmp = hs_asprintf("%s/hetsim-report-%ld-%s.svg",
                            dir != NULL && dir[0] != '\0' ? dir : "/tmp",
                            (long)getpid(), app_plot_kind_name(kind));
    hs_diag *d = hs_diag_new();
    app_plot_opts o;
    app_plot p;
    char *svg = NULL;
    int rc;

    memset(&o, 0, sizeof o);
    o.kind = kind;
    o.runs = ids;
    o.n_runs = n;
    o.terminal = "svg";
    o.output = tmp;
    o.width = 1280;
    o.height = 800;
    o.max_points = 500; /* an SVG keeps every mark: keep the page small */
    rc = app_plot_build(s, &o, &p, d);
    if (rc == HS_OK)
        rc = cli_gnuplot_run(&p, d);
    if (rc == HS_OK)
        svg = read_svg(tmp);
    fprintf(f,
            "<h2>Plot: %s</h2>\n<p>%s (<code>hetsim plot DB %s</code>)</p>\n",
            app_plot_kind_name(kind), app_plot_kind_doc(kind),
            app_plot_kind_name(kind));
    if (svg != NULL) {
        fputs(svg, f);
        fputc('\n', f);
    } else {
        fputs("<p class=note>not drawn: ", f);
        for (size_t i = 0; i < hs_diag_count(d); i++)
            esc(f, hs_diag_message(d, i));
        fputs("</p>\n", f);
    }
    unlink(tmp);
    app_plot_fini(&p);
    hs_diag_free(d);
    free(svg);
    free(tmp);
}

/* ---- the page ------------------------------------------------------------- */

/* "1, 2, 3": the run ids for IN (...) (a new string). */
static char *id_list(const app_runs *set)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    HS_ASSERT(f != NULL);
    for (size_t i = 0; i < set->n; i++)
        fprintf(f, "%s%lld", i > 0 ? ", " : "",
                (long long)set->runs[i].run_id);
    fclose(f);
    return buf;
}

/* The text report, as 'hetsim report' prints it. */
static void text_report(FILE *f, const app_runs *set, const char *db)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);

    HS_ASSERT(m != NULL);
    cli_report_print(set, "table", m);
    fclose(m);
    fputs("<h2>Runs side by side</h2>\n<pre>", f);
    esc(f, buf);
    fputs("</pre>\n<details><summary>made by</summary><pre>hetsim report ", f);
    esc(f, db);
    fputs("</pre></details>\n", f);
    free(buf);
}

static int tables(io_store *s, FILE *f, const char *ids, hs_diag *d)
{
    static const struct {
        const char *head, *sql;
    } t[] = {
        {"Runs", "SELECT run_id, name, variant, seed, status, sim_s, wall_s, "
                 "events, version, started_at FROM runs WHERE run_id IN (%s) "
                 "ORDER BY run_id"},
        {"Summary (view run_summary)",
         "SELECT * FROM run_summary WHERE run_id IN (%s) ORDER BY run_id"},
        {"Latency percentiles (view latency_percentiles)",
         "SELECT * FROM latency_percentiles WHERE run_id IN (%s) ORDER BY "
         "run_id"},
        {"Instances",
         "SELECT run_id, instance, role, device, count, tp, busy_s, "
         "energy_j, cost_usd FROM instances WHERE run_id IN (%s) ORDER BY "
         "run_id, rowid"},
        {"OI/CF summary of the steps",
         "SELECT run_id, phase, bound, count(*) AS steps, round(sum(end_s - "
         "start_s), 3) AS busy_s, round(min(oi), 2) AS min_oi, "
         "round(sum(flops) / sum(bytes), 2) AS oi, round(max(oi), 2) AS "
         "max_oi, round(avg(cf_bytes) / 1e9, 3) AS mean_cf_gb, "
         "round(max(cf_bytes) / 1e9, 3) AS max_cf_gb FROM steps WHERE run_id "
         "IN (%s) GROUP BY run_id, phase, bound ORDER BY run_id, phase, "
         "bound"},
    };
    int rc = HS_OK;

    for (size_t i = 0; i < sizeof t / sizeof t[0] && rc == HS_OK; i++) {
        char *sql = hs_asprintf(t[i].sql, ids);

        rc = sql_table(s, f, t[i].head, sql, d);
        free(sql);
    }
    return rc;
}

/* io_row_fn: a run's scenario (run_id, name, variant, scenario_path,
 * scenario_yaml). */
static int scenario_row(void *ctx, const io_row *row)
{
    FILE *f = ctx;

    fputs("<details><summary>run ", f);
    esc(f, row->values[0]);
    fputs(" ", f);
    esc(f, row->values[1]);
    if (row->values[2] != NULL) {
        fputs("/", f);
        esc(f, row->values[2]);
    }
    fputs(" (", f);
    esc(f, row->values[3] != NULL ? row->values[3] : "?");
    fputs(")</summary><pre>", f);
    esc(f, row->values[4] != NULL ? row->values[4] : "");
    fputs("</pre></details>\n", f);
    return 0;
}

static int page(io_store *s, const char *db, const app_runs *set, FILE *f,
                hs_diag *d)
{
    char *ids = id_list(set), *sql;
    int64_t *idv = hs_calloc(set->n + 1, sizeof *idv);
    int rc;

    for (size_t i = 0; i < set->n; i++)
        idv[i] = set->runs[i].run_id;
    fputs("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
          "<title>hetsim report: ",
          f);
    esc(f, db);
    fprintf(f,
            "</title>\n<style>%s</style></head><body>\n<h1>hetsim "
            "report: ",
            style);
    esc(f, db);
    fprintf(f,
            "</h1>\n<p>%zu run%s, written by hetsim %s. Every table "
            "below can be re-made with <code>sqlite3 DB</code> and the "
            "SQL under it.</p>\n",
            set->n, set->n == 1 ? "" : "s", HETSIM_VERSION);
    text_report(f, set, db);
    rc = tables(s, f, ids, d);
    for (int k = 0; k < APP_PLOT_N_KINDS && rc == HS_OK; k++) {
        if ((k == APP_PLOT_SWEEP || k == APP_PLOT_PARETO) && set->n < 2)
            continue;
        plot_svg(s, f, (app_plot_kind)k, idv, set->n);
    }
    fputs("<h2>Scenarios</h2>\n", f);
    sql = hs_asprintf("SELECT run_id, name, variant, scenario_path, "
                      "scenario_yaml FROM runs WHERE run_id IN (%s) ORDER BY "
                      "run_id",
                      ids);
    if (rc == HS_OK)
        rc = io_store_query(s, sql, NULL, 0, scenario_row, f, d);
    fputs("<details><summary>SQL</summary><pre>", f);
    esc(f, sql);
    fputs(";</pre></details>\n</body></html>\n", f);
    free(sql);
    free(ids);
    free(idv);
    return rc;
}

int cli_html_write(io_store *s, const char *db, const int64_t *ids, size_t n,
                   const char *out, hs_diag *d)
{
    char *tmp = hs_asprintf("%s.tmp%ld", out, (long)getpid());
    app_runs set = {0};
    FILE *f = NULL;
    int rc = app_runs_load(s, ids, n, &set, d);

    if (rc == HS_OK && set.n == 0)
        rc = hs_diag_error(d, (hs_loc){db, 0, 0}, "no run to report");
    if (rc == HS_OK && (f = fopen(tmp, "w")) == NULL) {
        hs_diag_error(d, (hs_loc){out, 0, 0}, "cannot write: %s",
                      strerror(errno));
        rc = HS_EIO;
    }
    if (rc == HS_OK)
        rc = page(s, db, &set, f, d);
    if (f != NULL && (ferror(f) != 0) + (fclose(f) != 0) > 0 && rc == HS_OK) {
        hs_diag_error(d, (hs_loc){out, 0, 0}, "cannot write");
        rc = HS_EIO;
    }
    if (rc == HS_OK && rename(tmp, out) != 0) {
        hs_diag_error(d, (hs_loc){out, 0, 0}, "cannot write: %s",
                      strerror(errno));
        rc = HS_EIO;
    }
    if (rc != HS_OK)
        unlink(tmp);
    app_runs_fini(&set);
    free(tmp);
    return rc;
}
