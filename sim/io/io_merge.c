/*
 * io_merge.c -- copy whole runs from one results file into another
 * (store.h, io_store_merge): the sweep's single writer takes its
 * workers' runs this way, and 'hetsim merge' shards.  The source is
 * attached to the destination's connection and each run is copied with
 * INSERT ... SELECT, table by table in schema order, under a new run id,
 * in one transaction: values are copied as SQLite holds them (REAL bit
 * for bit), rows in their rowid order, so a merged run's rows equal the
 * source's but for run_id.
 */
#include "hetsim/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_store_int.h"

/* Report SQLite's message about 'what' for the destination 's'. */
static int fail(io_store *s, const char *what, hs_diag *d)
{
    hs_loc at = {io_store_path(s), 0, 0};

    hs_diag_error(d, at, "%s: %s", what, sqlite3_errmsg(io_store_db(s)));
    return HS_EIO;
}

/* "INSERT INTO main.T (run_id, c...) SELECT ?1, c... FROM src.T WHERE
 * run_id = ?2 ORDER BY rowid" (the runs table: without run_id, its new
 * id given by AUTOINCREMENT). */
static char *copy_sql(rec_table_id id)
{
    const rec_table *t = rec_table_get(id);
    bool runs = id == REC_T_runs;
    char *cols = hs_strdup(""), *sql;

    for (size_t c = 0; c < t->n_cols; c++) {
        char *more =
            hs_asprintf("%s%s%s", cols, c > 0 ? ", " : "", t->cols[c].name);

        free(cols);
        cols = more;
    }
    if (runs)
        sql = hs_asprintf("INSERT INTO main.runs (%s) SELECT %s FROM "
                          "src.runs WHERE run_id = ?2",
                          cols, cols);
    else
        sql = hs_asprintf("INSERT INTO main.%s (run_id, %s) SELECT ?1, %s "
                          "FROM src.%s WHERE run_id = ?2 ORDER BY rowid",
                          t->name, cols, cols, t->name);
    free(cols);
    return sql;
}

/* Run 'sql' with ?1 = 'to' (when it uses it) and ?2 = 'from'. */
static int copy_table(sqlite3 *db, const char *sql, int64_t from, int64_t to)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK) {
        if (sqlite3_bind_parameter_count(st) >= 2)
            sqlite3_bind_int64(st, 1, to);
        sqlite3_bind_int64(st, sqlite3_bind_parameter_count(st), from);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Copy run 'from' in one transaction; its new id to '*to'. */
static int copy_run(io_store *s, int64_t from, int64_t *to, hs_diag *d)
{
    sqlite3 *db = io_store_db(s);
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

    for (int t = 0; t < REC_N_TABLES && rc == SQLITE_OK; t++) {
        char *sql = copy_sql((rec_table_id)t);

        rc = copy_table(db, sql, from, *to);
        if (t == REC_T_runs)
            *to = sqlite3_last_insert_rowid(db);
        free(sql);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        return HS_OK;
    fail(s, "cannot copy a run", d);
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return HS_EIO;
}

typedef struct ids {
    int64_t *v;
    size_t n, cap;
} ids;

static int take_id(void *ctx, const io_row *row)
{
    ids *l = ctx;

    hs_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = strtoll(row->values[0], NULL, 10);
    return 0;
}

/* The run ids of 'src' to copy, in order. */
static int source_ids(const char *src, int64_t only, ids *out, hs_diag *d)
{
    io_store *r = NULL;
    char id[32];
    const char *p[1] = {id};
    int rc = io_store_open_read(src, &r, d);

    snprintf(id, sizeof id, "%" PRId64, only);
    if (rc == HS_OK)
        rc = io_store_query(r,
                            only >= 0 ? "SELECT run_id FROM runs WHERE "
                                        "run_id = CAST(?1 AS INTEGER)"
                                      : "SELECT run_id FROM runs WHERE "
                                        "?1 IS NOT NULL ORDER BY run_id",
                            p, 1, take_id, out, d);
    io_store_close(r);
    return rc;
}

static int attach(io_store *s, const char *src, hs_diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(io_store_db(s), "ATTACH DATABASE ?1 AS src",
                                -1, &st, NULL);

    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, src, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return HS_OK;
    return fail(s, "cannot attach the file to merge", d);
}

int io_store_merge(io_store *s, const char *src, int64_t only, int64_t **from,
                   int64_t **to, size_t *n, hs_diag *d)
{
    ids list = {0};
    int64_t *new_ids = NULL;
    size_t done = 0;
    int rc = source_ids(src, only, &list, d);

    if (rc == HS_OK)
        rc = io_store_flush(s, d);
    if (rc == HS_OK)
        rc = attach(s, src, d);
    if (rc == HS_OK) {
        new_ids = hs_calloc(list.n + 1, sizeof *new_ids);
        for (; done < list.n && rc == HS_OK; done++)
            rc = copy_run(s, list.v[done], &new_ids[done], d);
        if (rc != HS_OK)
            done--;
        sqlite3_exec(io_store_db(s), "DETACH DATABASE src", NULL, NULL, NULL);
    }
    if (n != NULL)
        *n = done;
    if (from != NULL)
        *from = list.v;
    else
        free(list.v);
    if (to != NULL)
        *to = new_ids;
    else
        free(new_ids);
    return rc;
}
