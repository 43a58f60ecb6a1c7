/*
 * hs_diag.c -- the list of diagnostics every loader reports into.
 *
 * Each diagnostic is kept as its fields (hs_diag_item, util.h), every
 * string an owned copy, together with its printed form, made once when it
 * is added, so that the CLI only has to print the texts in order and
 * callers that need to know what happened read the fields.  A diag never
 * prints by itself.
 */
#include "hetsim/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One item and its printed form.  The item's strings (loc.file, context,
 * key, message) are owned by the entry. */
typedef struct entry {
    hs_diag_item item;
    char *text;
} entry;

struct hs_diag {
    entry *v;
    size_t n;
    size_t cap;
};

hs_diag *hs_diag_new(void)
{
    return hs_calloc(1, sizeof(hs_diag));
}

/* Strings of an entry are allocated here, so dropping their const is
 * safe. */
static void free_str(const char *s)
{
    free((char *)s);
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? hs_strdup(s) : NULL;
}

void hs_diag_clear(hs_diag *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free_str(d->v[i].item.loc.file);
        free_str(d->v[i].item.context);
        free_str(d->v[i].item.key);
        free_str(d->v[i].item.message);
        free(d->v[i].text);
    }
    d->n = 0;
}

void hs_diag_free(hs_diag *d)
{
    if (d == NULL)
        return;
    hs_diag_clear(d);
    free(d->v);
    free(d);
}

/* The printed form of 'it' (util.h): "[LOC: ]SEVERITY: [CONTEXT: ][KEY: ]
 * MESSAGE".  Caller frees. */
static char *format(const hs_diag_item *it)
{
    const hs_loc *at = &it->loc;
    const char *sev = it->severity == HS_SEV_WARNING ? "warning" : "error";
    char *loc, *line;

    if (at->file == NULL)
        loc = hs_strdup("");
    else if (at->line == 0)
        loc = hs_asprintf("%s: ", at->file);
    else if (at->col == 0)
        loc = hs_asprintf("%s:%u: ", at->file, at->line);
    else
        loc = hs_asprintf("%s:%u:%u: ", at->file, at->line, at->col);
    line = hs_asprintf(
        "%s%s: %s%s%s%s%s", loc, sev, it->context != NULL ? it->context : "",
        it->context != NULL ? ": " : "", it->key != NULL ? it->key : "",
        it->key != NULL ? ": " : "", it->message);
    free(loc);
    return line;
}

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

bool hs_diag_item_eq(const hs_diag_item *a, const hs_diag_item *b)
{
    return a->severity == b->severity && a->code == b->code &&
           str_eq(a->loc.file, b->loc.file) && a->loc.line == b->loc.line &&
           a->loc.col == b->loc.col && str_eq(a->context, b->context) &&
           str_eq(a->key, b->key) && str_eq(a->message, b->message);
}

bool hs_diag_contains(const hs_diag *d, const hs_diag_item *item)
{
    for (size_t i = 0; i < hs_diag_count(d); i++)
        if (hs_diag_item_eq(&d->v[i].item, item))
            return true;
    return false;
}

int hs_diag_add_context(hs_diag *d, const hs_diag_item *item,
                        const char *context)
{
    entry *e;

    HS_ASSERT(item->message != NULL);
    if (d == NULL)
        return item->code;
    if (d->n > 0) {
        hs_diag_item probe = *item;

        probe.context = context;
        if (hs_diag_item_eq(&d->v[d->n - 1].item, &probe))
            return item->code;
    }
    hs_grow((void **)&d->v, &d->cap, d->n + 1, sizeof(entry));
    e = &d->v[d->n++];
    e->item = *item;
    e->item.loc.file = dup_or_null(item->loc.file);
    e->item.context = dup_or_null(context);
    e->item.key = dup_or_null(item->key);
    e->item.message = hs_strdup(item->message);
    e->text = format(&e->item);
    return item->code;
}

int hs_diag_add(hs_diag *d, const hs_diag_item *item)
{
    return hs_diag_add_context(d, item, item->context);
}

/* Add an error about 'key' (may be NULL) with a formatted message. */
static int vkey_error(hs_diag *d, hs_loc at, const char *key, const char *fmt,
                      va_list ap) HS_PRINTF(4, 0);

static int vkey_error(hs_diag *d, hs_loc at, const char *key, const char *fmt,
                      va_list ap)
{
    hs_diag_item it;
    char *text;

    if (d == NULL)
        return HS_EINPUT;
    text = hs_vasprintf(fmt, ap);
    it.severity = HS_SEV_ERROR;
    it.code = HS_EINPUT;
    it.loc = at;
    it.context = NULL;
    it.key = key;
    it.message = text;
    hs_diag_add(d, &it);
    free(text);
    return HS_EINPUT;
}

int hs_diag_verror(hs_diag *d, hs_loc at, const char *fmt, va_list ap)
{
    return vkey_error(d, at, NULL, fmt, ap);
}

int hs_diag_error(hs_diag *d, hs_loc at, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vkey_error(d, at, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

int hs_diag_key_error(hs_diag *d, hs_loc at, const char *key, const char *fmt,
                      ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = vkey_error(d, at, key, fmt, ap);
    va_end(ap);
    return rc;
}

size_t hs_diag_count(const hs_diag *d)
{
    return d == NULL ? 0 : d->n;
}

size_t hs_diag_errors(const hs_diag *d)
{
    size_t n = 0;

    for (size_t i = 0; i < hs_diag_count(d); i++)
        n += hs_diag_item_at(d, i)->severity == HS_SEV_ERROR;
    return n;
}

const hs_diag_item *hs_diag_item_at(const hs_diag *d, size_t i)
{
    HS_ASSERT(d != NULL && i < d->n);
    return &d->v[i].item;
}

const char *hs_diag_message(const hs_diag *d, size_t i)
{
    HS_ASSERT(d != NULL && i < d->n);
    return d->v[i].text;
}

bool hs_diag_check(const hs_diag *d, const char **why)
{
    for (size_t i = 0; i < hs_diag_count(d); i++) {
        const hs_diag_item *it = &d->v[i].item;
        const char *broken = NULL;

        if (it->message == NULL) {
            broken = "D1 item without a message";
        } else {
            char *text = format(it);

            if (strcmp(text, d->v[i].text) != 0)
                broken = "D2 printed form differs from the fields";
            free(text);
        }
        if (broken == NULL && i > 0 && hs_diag_item_eq(&d->v[i - 1].item, it))
            broken = "D3 two consecutive items are equal";
        if (broken != NULL) {
            if (why != NULL)
                *why = broken;
            return false;
        }
    }
    return true;
}
