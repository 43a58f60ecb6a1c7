/*
 * io_node.c -- the document tree of sim/io (io_int.h): nodes with their
 * file:line:col, building and copying them, looking members up, the key
 * path of a node ("cluster.prefill.count") and errors reported about a
 * node under that path.
 */
#include "io_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

io_node *io_node_new(io_kind kind, hs_loc at)
{
    io_node *n = hs_calloc(1, sizeof(io_node));

    n->kind = kind;
    n->loc = at;
    return n;
}

io_node *io_node_new_scalar(const char *text, bool plain, hs_loc at)
{
    io_node *n = io_node_new(IO_SCALAR, at);

    n->text = hs_strdup(text);
    n->plain = plain;
    return n;
}

void io_node_free(io_node *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->n_kids; i++)
        io_node_free(n->kids[i]);
    free(n->kids);
    free(n->key);
    free(n->text);
    free(n);
}

void io_node_add(io_node *parent, io_node *kid)
{
    hs_grow((void **)&parent->kids, &parent->cap_kids, parent->n_kids + 1,
            sizeof(io_node *));
    kid->parent = parent;
    kid->index = parent->n_kids;
    parent->kids[parent->n_kids++] = kid;
}

io_node *io_node_copy_counted(const io_node *n, size_t *count)
{
    io_node *c = io_node_new(n->kind, n->loc);

    (*count)++;
    c->key = n->key != NULL ? hs_strdup(n->key) : NULL;
    c->key_loc = n->key_loc;
    c->index = n->index;
    c->text = n->text != NULL ? hs_strdup(n->text) : NULL;
    c->plain = n->plain;
    for (size_t i = 0; i < n->n_kids; i++) {
        io_node *k = io_node_copy_counted(n->kids[i], count);

        io_node_add(c, k);
        k->index = n->kids[i]->index;
    }
    return c;
}

void io_node_measure(const io_node *n, size_t *nodes, size_t *bytes)
{
    (*nodes)++;
    *bytes += sizeof *n + (n->key != NULL ? strlen(n->key) + 1 : 0) +
              (n->text != NULL ? strlen(n->text) + 1 : 0);
    for (size_t i = 0; i < n->n_kids; i++)
        io_node_measure(n->kids[i], nodes, bytes);
}

io_node *io_node_copy(const io_node *n)
{
    size_t count = 0;

    return n == NULL ? NULL : io_node_copy_counted(n, &count);
}

io_node *io_get(const io_node *map, const char *key)
{
    if (map == NULL || map->kind != IO_MAP)
        return NULL;
    for (size_t i = 0; i < map->n_kids; i++)
        if (strcmp(map->kids[i]->key, key) == 0)
            return map->kids[i];
    return NULL;
}

bool io_is_null(const io_node *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};

    if (n == NULL)
        return true;
    if (n->kind != IO_SCALAR || !n->plain)
        return false;
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        if (strcmp(n->text, nulls[i]) == 0)
            return true;
    return false;
}

char *io_path(const io_node *n, char *buf, size_t len)
{
    char tmp[256];

    if (len == 0)
        return buf;
    buf[0] = '\0';
    if (n == NULL || n->parent == NULL)
        return buf;
    io_path(n->parent, tmp, sizeof tmp);
    if (n->parent->kind == IO_MAP)
        snprintf(buf, len, "%s%s%s", tmp, tmp[0] != '\0' ? "." : "", n->key);
    else
        snprintf(buf, len, "%s%s%zu", tmp, tmp[0] != '\0' ? "." : "",
                 n->index);
    return buf;
}

/* An error about node 'n' reported at 'at', about n's key path. */
static int node_verror(io_errs *e, const io_node *n, hs_loc at,
                       const char *fmt, va_list ap) HS_PRINTF(4, 0);

static int node_verror(io_errs *e, const io_node *n, hs_loc at,
                       const char *fmt, va_list ap)
{
    char path[256];

    io_path(n, path, sizeof path);
    return io_vreport(e, HS_EINPUT, at, path[0] != '\0' ? path : NULL, fmt,
                      ap);
}

int io_node_error(io_errs *e, const io_node *n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    node_verror(e, n, n->loc, fmt, ap);
    va_end(ap);
    return HS_EINPUT;
}

const char *io_describe(const io_node *n, char *buf, size_t len)
{
    if (n == NULL || io_is_null(n))
        return "nothing";
    if (n->kind == IO_MAP)
        return "a mapping";
    if (n->kind == IO_SEQ)
        return "a sequence";
    if (strlen(n->text) > 60)
        snprintf(buf, len, "'%.57s...'", n->text);
    else
        snprintf(buf, len, "'%s'", n->text);
    return buf;
}
