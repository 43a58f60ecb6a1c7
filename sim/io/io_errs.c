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

/* Append one item to the list 'v' (of '*n' items, capacity '*cap'). */
static void append(io_err **v, size_t *n, size_t *cap, int code, hs_loc at,
                   const char *key, const char *fmt, va_list ap)
    HS_PRINTF(7, 0);
static void append(io_err **v, size_t *n, size_t *cap, int code, hs_loc at,
                   const char *key, const char *fmt, va_list ap)
{
    io_err *r;

    hs_grow((void **)v, cap, *n + 1, sizeof(io_err));
    r = &(*v)[*n];
    r->file = at.file != NULL ? hs_strdup(at.file) : NULL;
    r->line = at.line;
    r->col = at.col;
    r->code = code;
    r->key = key != NULL ? hs_strdup(key) : NULL;
    r->seq = *n;
    r->text = hs_vasprintf(fmt, ap);
    (*n)++;
}

int io_vreport(io_errs *e, int code, hs_loc at, const char *key,
               const char *fmt, va_list ap)
{
    append(&e->v, &e->n, &e->cap, code, at, key, fmt, ap);
    return code;
}

void io_warn(io_errs *e, hs_loc at, const char *key, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    append(&e->w, &e->nw, &e->wcap, HS_OK, at, key, fmt, ap);
    va_end(ap);
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

static void free_list(io_err *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].file);
        free(v[i].key);
        free(v[i].text);
    }
    free(v);
}

void io_errs_clear(io_errs *e)
{
    free_list(e->v, e->n);
    free_list(e->w, e->nw);
    e->v = e->w = NULL;
    e->n = e->cap = e->nw = e->wcap = 0;
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

/* Sort 'v' as described in io_int.h and add it to 'd' with 'sev'. */
static void flush_list(io_err *v, size_t n, hs_severity sev, hs_diag *d)
{
    /* O(n^2) ranking; error lists are short. */
    for (size_t i = 0; i < n; i++) {
        v[i].rank = i;
        for (size_t j = 0; j < i; j++) {
            if (same_file(v[j].file, v[i].file)) {
                v[i].rank = v[j].rank;
                break;
            }
        }
    }
    if (n > 0)
        qsort(v, n, sizeof(io_err), cmp_err);
    /* hs_diag keeps equal consecutive items once. */
    for (size_t i = 0; i < n; i++) {
        hs_diag_item it;

        it.severity = sev;
        it.code = sev == HS_SEV_ERROR ? v[i].code : HS_OK;
        it.loc.file = v[i].file;
        it.loc.line = v[i].line;
        it.loc.col = v[i].col;
        it.context = NULL;
        it.key = v[i].key;
        it.message = v[i].text;
        hs_diag_add(d, &it);
    }
}

void io_errs_flush(io_errs *e, hs_diag *d)
{
    flush_list(e->v, e->n, HS_SEV_ERROR, d);
    flush_list(e->w, e->nw, HS_SEV_WARNING, d);
    io_errs_clear(e);
}
