/*
 * hs_diag.c -- the error list every loader reports into.
 *
 * Messages are formatted once, when recorded, as
 * "file:line:col: error: text", so the CLI only has to print them in
 * order.  A diag never prints by itself.
 */
#include "hetsim/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hs_diag {
    char **msg;
    size_t n;
    size_t cap;
};

hs_diag *hs_diag_new(void)
{
    return hs_calloc(1, sizeof(hs_diag));
}

void hs_diag_clear(hs_diag *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->msg[i]);
    d->n = 0;
}

void hs_diag_free(hs_diag *d)
{
    if (d == NULL)
        return;
    hs_diag_clear(d);
    free(d->msg);
    free(d);
}

int hs_diag_verror(hs_diag *d, hs_loc at, const char *fmt, va_list ap)
{
    char *text;
    char *line;

    if (d == NULL)
        return HS_EINPUT;
    text = hs_vasprintf(fmt, ap);
    if (at.file == NULL)
        line = hs_asprintf("error: %s", text);
    else if (at.line == 0)
        line = hs_asprintf("%s: error: %s", at.file, text);
    else if (at.col == 0)
        line = hs_asprintf("%s:%u: error: %s", at.file, at.line, text);
    else
        line =
            hs_asprintf("%s:%u:%u: error: %s", at.file, at.line, at.col, text);
    free(text);
    if (d->n > 0 && strcmp(d->msg[d->n - 1], line) == 0) {
        free(line);
        return HS_EINPUT;
    }
    hs_grow((void **)&d->msg, &d->cap, d->n + 1, sizeof(char *));
    d->msg[d->n++] = line;
    return HS_EINPUT;
}

int hs_diag_error(hs_diag *d, hs_loc at, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = hs_diag_verror(d, at, fmt, ap);
    va_end(ap);
    return rc;
}

size_t hs_diag_count(const hs_diag *d)
{
    return d == NULL ? 0 : d->n;
}

const char *hs_diag_message(const hs_diag *d, size_t i)
{
    HS_ASSERT(d != NULL && i < d->n);
    return d->msg[i];
}
