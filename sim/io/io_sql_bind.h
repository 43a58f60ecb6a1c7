/*
 * io_sql_bind.h -- SQLite parameter binding for the results store
 * (io_sql_bind.c).  Every function returns a SQLite result code; callers
 * OR them together, and any nonzero result makes the statement fail.
 */
#ifndef HETSIM_IO_SQL_BIND_H
#define HETSIM_IO_SQL_BIND_H

#include <stdint.h>

#include <sqlite3.h>

#include "hetsim/records.h"

/* 'v' as parameter 'i'; NULL as SQL NULL (the text is borrowed: the
 * statement must be reset before 'v' goes away). */
int io_bind_text(sqlite3_stmt *st, int i, const char *v);

/* 'v' as parameter 'i'; NaN as SQL NULL. */
int io_bind_real(sqlite3_stmt *st, int i, double v);

/* 'v' as parameter 'i'. */
int io_bind_int(sqlite3_stmt *st, int i, int64_t v);

/* Every column of 'row', a struct of table 't', as parameters 'first',
 * 'first' + 1, ...: NaN and NULL as SQL NULL, an _OPT integer < 0 as
 * NULL, a request status or drop reason as its name (NULL for none). */
int io_bind_record(sqlite3_stmt *st, int first, const rec_table *t,
                   const void *row);

#endif /* HETSIM_IO_SQL_BIND_H */
