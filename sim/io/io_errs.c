/*
 * io_errs.c -- the error collector of sim/io (io_int.h): loaders append
 * errors with their location, key path and status code and keep going;
 * the public entry points flush the list into the caller's hs_diag,
 * sorted by file, line and column, so one load reports every problem in
 * reading order.
 */
#include "io_int.h"

#include <stdlib.h>
#include <string.h>

int io_vreport(io_errs *e, int code, hs_loc at, const char *key,
               const char *fmt, va_list ap)
{
    io_err *r;

    hs_grow((void **)&e->v, &e->cap, e->n + 1, sizeof(io_err));
    r = &e->v[e->n];
    r->file = at.file != NULL ? hs_strdup(at.file) : NULL;
    r->line = at.line;
    r->col = at.col;
    r->code = code;
    r->key = key != NULL ? hs_strdup(key) : NULL;
    r->seq = e->n;
    r->text = hs_vasprintf(fmt, ap);
    e->n++;
    return code;
}

int io_report(io_errs *e, int code, hs_loc at, const char *key,
              const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    io_vreport(e, code, at, key, fmt, ap);
    va_end(ap);
    return code;
}

int io_error(io_errs *e, hs_loc at, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    io_vreport(e, HS_EINPUT, at, NULL, fmt, ap);
    va_end(ap);
    return HS_EINPUT;
}

int io_key_error(io_errs *e, hs_loc at, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    io_vreport(e, HS_EINPUT, at, key, fmt, ap);
    va_end(ap);
    return HS_EINPUT;
}

void io_errs_clear(io_errs *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].file);
        free(e->v[i].key);
        free(e->v[i].text);
    }
    free(e->v);
    e->v = NULL;
    e->n = e->cap = 0;
}

/* Errors sort by file (in the order each file first had an error), then
 * line, column and insertion order; --set errors by insertion order. */
static int cmp_err(const void *pa, const void *pb)
{
    const io_err *a = pa, *b = pb;

    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    /* Every --set value is "line 1": keep them in command-line order. */
    if (a->file != NULL && strcmp(a->file, IO_SET_FILE) == 0)
        return a->seq < b->seq ? -1 : a->seq > b->seq;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return 0;
}

static bool same_file(const char *a, const char *b)
{
    return (a == NULL && b == NULL) ||
           (a != NULL && b != NULL && strcmp(a, b) == 0);
}

void io_errs_flush(io_errs *e, hs_diag *d)
{
    if (e->n == 0)
        return;
    /* O(n^2) ranking; error lists are short. */
    for (size_t i = 0; i < e->n; i++) {
        e->v[i].rank = i;
        for (size_t j = 0; j < i; j++) {
            if (same_file(e->v[j].file, e->v[i].file)) {
                e->v[i].rank = e->v[j].rank;
                break;
            }
        }
    }
    qsort(e->v, e->n, sizeof(io_err), cmp_err);
    /* hs_diag keeps equal consecutive items once. */
    for (size_t i = 0; i < e->n; i++) {
        hs_diag_item it;

        it.severity = HS_SEV_ERROR;
        it.code = e->v[i].code;
        it.loc.file = e->v[i].file;
        it.loc.line = e->v[i].line;
        it.loc.col = e->v[i].col;
        it.context = NULL;
        it.key = e->v[i].key;
        it.message = e->v[i].text;
        hs_diag_add(d, &it);
    }
    io_errs_clear(e);
}
