/*
 * rec_sql.c -- the SQL generated from the tables of records.h: CREATE
 * TABLE and CREATE INDEX for each table, the INSERT of each table, and
 * the views (rec_view_get()), which pivot run-scope metrics into
 * columns.
 *
 * The text is laid out exactly as the schema was first written by hand
 * (two-space indents, one column per line), because SQLite stores it:
 * 'sqlite3 DB .schema' shows it, and files written before and after
 * this generator carry the same schema text.
 */
#include "hetsim/records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hetsim/util.h"

/* ---- views -------------------------------------------------------------- */

/* A pivot line wider than this puts its alias on a line of its own. */
#define VIEW_LINE_MAX 72

static void put_pivot(FILE *f, const char *name, bool last)
{
    int n = snprintf(NULL, 0, "  max(CASE m.name WHEN '%s' THEN m.value END)",
                     name);
    size_t width = (size_t)n + strlen(" AS ") + strlen(name) + !last;

    fprintf(f, "  max(CASE m.name WHEN '%s' THEN m.value END)%sAS %s%s\n",
            name, width > VIEW_LINE_MAX ? "\n    " : " ", name,
            last ? "" : ",");
}

static char *view_sql(const rec_view *v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    HS_ASSERT(f != NULL); /* out of memory */
    fputs(v->head, f);
    for (size_t i = 0; i < v->n_ids; i++)
        put_pivot(f, rec_metric_name(v->ids[i]), i + 1 == v->n_ids);
    fputs("FROM runs r\n"
          "  LEFT JOIN metrics m ON m.run_id = r.run_id AND m.scope = 'run'\n"
          "GROUP BY r.run_id",
          f);
    fclose(f);
    return buf;
}

/* ---- tables ------------------------------------------------------------- */

static char *create_table_sql(const rec_table *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    HS_ASSERT(f != NULL); /* out of memory */
    fprintf(f, "CREATE TABLE %s (\n  run_id %s", t->name,
            strcmp(t->name, "runs") == 0
                ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                : "INTEGER NOT NULL REFERENCES runs(run_id)");
    for (size_t c = 0; c < t->n_cols; c++)
        fprintf(f, ",\n  %s %s", t->cols[c].name,
                rec_type_sql(t->cols[c].type));
    fputc(')', f);
    fclose(f);
    return buf;
}

static char *create_index_sql(const rec_table *t)
{
    return hs_asprintf("CREATE %sINDEX %s ON %s(run_id%s%s)",
                       t->unique ? "UNIQUE " : "", t->index, t->name,
                       t->keys[0] != '\0' ? ", " : "", t->keys);
}

size_t rec_schema_count(void)
{
    size_t n = rec_view_count();

    for (int i = 0; i < REC_N_TABLES; i++)
        n += 1 + (rec_table_get((rec_table_id)i)->index != NULL);
    return n;
}

char *rec_schema_sql(size_t i)
{
    for (int k = 0; k < REC_N_TABLES; k++) {
        const rec_table *t = rec_table_get((rec_table_id)k);

        if (i == 0)
            return create_table_sql(t);
        if (t->index != NULL && i == 1)
            return create_index_sql(t);
        i -= 1 + (t->index != NULL);
    }
    return view_sql(rec_view_get(i));
}

char *rec_insert_sql(rec_table_id id)
{
    const rec_table *t = rec_table_get(id);
    bool runs = id == REC_T_runs;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    HS_ASSERT(f != NULL); /* out of memory */
    fprintf(f, "INSERT INTO %s (%s", t->name, runs ? "" : "run_id, ");
    for (size_t c = 0; c < t->n_cols; c++)
        fprintf(f, "%s%s", c > 0 ? ", " : "", t->cols[c].name);
    fprintf(f, ") VALUES (%s", runs ? "" : "?, ");
    for (size_t c = 0; c < t->n_cols; c++)
        fprintf(f, "%s?", c > 0 ? ", " : "");
    fputc(')', f);
    fclose(f);
    return buf;
}
