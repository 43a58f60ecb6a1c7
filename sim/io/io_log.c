/*
 * io_log.c -- run logs (store.h): what a writer would put in a results
 * store -- runs begun and ended, rows, metrics -- appended to a file as
 * a compact binary stream instead, and replayed into a real store later.
 * 'hetsim sweep -j N' workers write logs, so that the rows of a run go
 * through SQLite once, in the one writer, rather than twice (a worker's
 * own file, then a copy).
 *
 * Format (host byte order: a log is read back on the machine that wrote
 * it): a sequence of records, each a tag byte then its fields:
 *   'B' int64 log run id, the runs row          (io_store_begin_run)
 *   'R' uint8 table, int64 log run id, the row  (io_store_add)
 *   'E' int64 log run id, uint8 status, text message, double wall_s,
 *       double sim_s, uint64 events            (io_store_end_run_msg)
 * A row is its columns in table order (records.h): a text column as a
 * uint32 length (UINT32_MAX: NULL) and its bytes, any other column as
 * the bytes of its struct field.  So a replayed row is bit for bit the
 * row the writer was given, and rows keep their order.
 */
#include "io_log_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Records are assembled in 'buf' and written a buffer at a time: a row
 * is dozens of small fields, and a stdio call per field (each taking the
 * stream's lock) cost the workers more than the copies themselves. */
enum { LOG_BUF = 1 << 16 };

struct io_log {
    FILE *f;
    int64_t next_id;
    bool failed;
    size_t used;
    char buf[LOG_BUF];
};

bool io_log_is_text(rec_type t)
{
    return t == REC_TY_TEXT || t == REC_TY_TEXT_KEY || t == REC_TY_RUN_STATUS;
}

/* ---- writing ------------------------------------------------------------ */

io_log *io_log_create(const char *path)
{
    FILE *f = fopen(path, "wb");
    io_log *l;

    if (f == NULL)
        return NULL;
    l = hs_calloc(1, sizeof *l);
    l->f = f;
    l->next_id = 1;
    return l;
}

/* Write out what 'buf' holds. */
static void drain(io_log *l)
{
    if (l->used > 0 && fwrite(l->buf, 1, l->used, l->f) != l->used)
        l->failed = true;
    l->used = 0;
}

int io_log_close(io_log *l)
{
    int rc;

    if (l == NULL)
        return HS_OK;
    drain(l);
    rc = fclose(l->f) != 0 || l->failed ? HS_EIO : HS_OK;
    free(l);
    return rc;
}

static void put(io_log *l, const void *p, size_t n)
{
    if (l->used + n > LOG_BUF)
        drain(l);
    if (n > LOG_BUF) { /* a text longer than the buffer: straight out */
        if (fwrite(p, 1, n, l->f) != n)
            l->failed = true;
        return;
    }
    memcpy(l->buf + l->used, p, n);
    l->used += n;
}

static void put_text(io_log *l, const char *s)
{
    uint32_t n = s != NULL ? (uint32_t)strlen(s) : UINT32_MAX;

    put(l, &n, sizeof n);
    if (s != NULL)
        put(l, s, n);
}

static void put_row(io_log *l, const rec_table *t, const void *row)
{
    const char *base = row;

    for (size_t c = 0; c < t->n_cols; c++) {
        const rec_col *col = &t->cols[c];

        if (io_log_is_text(col->type)) {
            const char *s;

            memcpy(&s, base + col->offset, sizeof s);
            put_text(l, s);
        } else {
            put(l, base + col->offset, col->size);
        }
    }
}

int io_log_begin(io_log *l, const rec_run_row *info, int64_t *run_id)
{
    char tag = 'B';

    *run_id = l->next_id++;
    put(l, &tag, 1);
    put(l, run_id, sizeof *run_id);
    put_row(l, rec_table_get(REC_T_runs), info);
    return l->failed ? HS_EIO : HS_OK;
}

int io_log_add(io_log *l, int64_t run_id, rec_table_id table, const void *row)
{
    char tag = 'R';
    uint8_t t = (uint8_t)table;

    put(l, &tag, 1);
    put(l, &t, 1);
    put(l, &run_id, sizeof run_id);
    put_row(l, rec_table_get(table), row);
    return l->failed ? HS_EIO : HS_OK;
}

int io_log_end(io_log *l, int64_t run_id, io_run_status status,
               const char *message, double wall_s, double sim_s,
               uint64_t events)
{
    char tag = 'E';
    uint8_t st = (uint8_t)status;

    put(l, &tag, 1);
    put(l, &run_id, sizeof run_id);
    put(l, &st, 1);
    put_text(l, message);
    put(l, &wall_s, sizeof wall_s);
    put(l, &sim_s, sizeof sim_s);
    put(l, &events, sizeof events);
    drain(l);
    if (fflush(l->f) != 0)
        l->failed = true;
    return l->failed ? HS_EIO : HS_OK;
}
