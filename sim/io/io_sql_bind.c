/*
 * io_sql_bind.c -- binding values and records.h rows to SQLite statement
 * parameters: the one generic loop that writes a row of any table of the
 * results schema, column by column, for io_store.c.
 */
#include "io_sql_bind.h"

#include <math.h>
#include <string.h>

#include "hetsim/util.h"

int io_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v == NULL)
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

int io_bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isnan(v))
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_double(st, i, v);
}

int io_bind_int(sqlite3_stmt *st, int i, int64_t v)
{
    return sqlite3_bind_int64(st, i, v);
}

/* Column 'c' of 'row' (a struct of the column's table) as parameter 'i'
 * of 'st': NaN and NULL as SQL NULL, an _OPT integer < 0 as NULL, a
 * request status or drop reason as its name (NULL for none). */
static int bind_col(sqlite3_stmt *st, int i, const rec_col *c, const void *row)
{
    const char *field = (const char *)row + c->offset;
    int64_t v64;
    int32_t v32;
    double x;
    const char *t;
    srv_request_status rs;
    srv_drop_reason dr;

    switch (c->type) {
    case REC_TY_REAL:
        memcpy(&x, field, sizeof x);
        return io_bind_real(st, i, x);
    case REC_TY_TEXT:
    case REC_TY_TEXT_KEY:
    case REC_TY_RUN_STATUS:
        memcpy(&t, field, sizeof t);
        return io_bind_text(st, i, t);
    case REC_TY_REQ_STATUS:
        memcpy(&rs, field, sizeof rs);
        return io_bind_text(st, i, rec_enum_name(c->type, (int)rs));
    case REC_TY_DROP_REASON:
        memcpy(&dr, field, sizeof dr);
        return io_bind_text(st, i, rec_enum_name(c->type, (int)dr));
    default: /* integers of 4 or 8 bytes */
        if (c->size == sizeof v64) {
            memcpy(&v64, field, sizeof v64);
        } else {
            HS_ASSERT(c->size == sizeof v32);
            memcpy(&v32, field, sizeof v32);
            v64 = v32;
        }
        if (v64 < 0 && rec_type_null_if_negative(c->type))
            return sqlite3_bind_null(st, i);
        return io_bind_int(st, i, v64);
    }
}

int io_bind_record(sqlite3_stmt *st, int first, const rec_table *t,
                   const void *row)
{
    int rc = SQLITE_OK;

    for (size_t c = 0; c < t->n_cols; c++)
        rc |= bind_col(st, first + (int)c, &t->cols[c], row);
    return rc;
}
