/*
 * io_yaml.c -- the YAML layer of sim/io: libyaml events turned into a
 * small io_node tree with file:line:col on every node, the error
 * collector, typed scalar readers with "expected ..., found ..." messages,
 * and dotted-path overrides (--set and scenario variants).
 *
 * This is the only file that includes <yaml.h>.  The tree is built from
 * the event stream with an explicit stack (no recursion, so a deeply
 * nested input cannot overflow the C stack); aliases are resolved by
 * copying the anchored node, with the total node count bounded so that an
 * alias bomb is an error rather than an out-of-memory abort.
 */
#include "io_int.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* ---- errors ------------------------------------------------------------ */

static int io_vreport(io_errs *e, int code, hs_loc at, const char *key,
                      const char *fmt, va_list ap) HS_PRINTF(5, 0);

static int io_vreport(io_errs *e, int code, hs_loc at, const char *key,
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

/* ---- nodes ------------------------------------------------------------- */

static io_node *node_new(io_kind kind, hs_loc at)
{
    io_node *n = hs_calloc(1, sizeof(io_node));

    n->kind = kind;
    n->loc = at;
    return n;
}

io_node *io_node_new_scalar(const char *text, bool plain, hs_loc at)
{
    io_node *n = node_new(IO_SCALAR, at);

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

static void add_kid(io_node *parent, io_node *kid)
{
    hs_grow((void **)&parent->kids, &parent->cap_kids, parent->n_kids + 1,
            sizeof(io_node *));
    kid->parent = parent;
    kid->index = parent->n_kids;
    parent->kids[parent->n_kids++] = kid;
}

/* Copy 'n' and count the nodes made into '*count'. */
static io_node *copy_counted(const io_node *n, size_t *count)
{
    io_node *c = node_new(n->kind, n->loc);

    (*count)++;
    c->key = n->key != NULL ? hs_strdup(n->key) : NULL;
    c->key_loc = n->key_loc;
    c->index = n->index;
    c->text = n->text != NULL ? hs_strdup(n->text) : NULL;
    c->plain = n->plain;
    for (size_t i = 0; i < n->n_kids; i++) {
        io_node *k = copy_counted(n->kids[i], count);

        add_kid(c, k);
        k->index = n->kids[i]->index;
    }
    return c;
}

io_node *io_node_copy(const io_node *n)
{
    size_t count = 0;

    return n == NULL ? NULL : copy_counted(n, &count);
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

static int node_verror(io_errs *e, const io_node *n, hs_loc at,
                       const char *fmt, va_list ap) HS_PRINTF(4, 0);

/* An error about node 'n' reported at 'at', about n's key path. */
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

char *io_join(const char *const *names, size_t count)
{
    size_t len = 1;
    char *s;

    for (size_t i = 0; i < count; i++)
        len += strlen(names[i]) + 2;
    s = hs_malloc(len);
    s[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        if (i > 0)
            strcat(s, ", ");
        strcat(s, names[i]);
    }
    return s;
}

/* ---- parsing: libyaml events to a tree --------------------------------- */

typedef struct anchor {
    char *name;
    io_node *node; /* a private copy, owned */
} anchor;

typedef struct frame {
    io_node *node;
    io_node *key; /* mapping: the key waiting for its value (owned) */
    char *anchor; /* anchor of this container, registered at its end */
} frame;

typedef struct builder {
    io_errs *e;
    const char *file;
    unsigned col_offset;
    size_t first_line_len; /* characters before the first newline */
    io_node *root;
    frame stack[IO_MAX_DEPTH];
    size_t depth;
    anchor *anchors;
    size_t n_anchors, cap_anchors;
    size_t nodes; /* nodes made so far, copies included */
    int documents;
    bool failed;
} builder;

static hs_loc mark_loc(const builder *b, yaml_mark_t m)
{
    hs_loc at;

    at.file = b->file;
    at.line = (unsigned)m.line + 1;
    at.col = (unsigned)m.column + 1;
    if (b->col_offset > 0 && m.line > 0) {
        /* A one-line --set value: a mark past its end (libyaml reports
         * the end of the stream on a new line) is put at its end. */
        at.line = 1;
        at.col = (unsigned)b->first_line_len + 1;
    }
    if (at.line == 1)
        at.col += b->col_offset;
    return at;
}

static void set_anchor(builder *b, const char *name, const io_node *n)
{
    size_t count = 0;
    io_node *copy = copy_counted(n, &count);

    b->nodes += count;
    for (size_t i = 0; i < b->n_anchors; i++) {
        if (strcmp(b->anchors[i].name, name) == 0) {
            io_node_free(b->anchors[i].node);
            b->anchors[i].node = copy;
            return;
        }
    }
    hs_grow((void **)&b->anchors, &b->cap_anchors, b->n_anchors + 1,
            sizeof(anchor));
    b->anchors[b->n_anchors].name = hs_strdup(name);
    b->anchors[b->n_anchors].node = copy;
    b->n_anchors++;
}

/* Attach a finished node 'n' to the open container, or make it the root. */
static void finish(builder *b, io_node *n)
{
    frame *top;

    if (b->depth == 0) {
        io_node_free(b->root);
        b->root = n;
        return;
    }
    top = &b->stack[b->depth - 1];
    if (top->node->kind == IO_SEQ) {
        add_kid(top->node, n);
        return;
    }
    if (top->key == NULL) {
        top->key = n;
        return;
    }
    if (top->key->kind != IO_SCALAR) {
        io_error(b->e, top->key->loc,
                 "a mapping key must be a scalar, found %s",
                 top->key->kind == IO_MAP ? "a mapping" : "a sequence");
        io_node_free(top->key);
        io_node_free(n);
    } else {
        io_node *old = io_get(top->node, top->key->text);

        if (old != NULL) {
            /* No key path: the tree above is not linked up yet. */
            io_error(b->e, top->key->loc,
                     "duplicate key '%s' (first at line %u)", top->key->text,
                     old->key_loc.line);
            io_node_free(n);
        } else {
            n->key = top->key->text;
            top->key->text = NULL;
            n->key_loc = top->key->loc;
            add_kid(top->node, n);
        }
        io_node_free(top->key);
    }
    top->key = NULL;
}

static void on_scalar(builder *b, const yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    char *text = hs_strndup((const char *)ev->data.scalar.value,
                            ev->data.scalar.length);
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                 (tag == NULL || strcmp(tag, YAML_STR_TAG) != 0);
    io_node *n = io_node_new_scalar(text, plain, mark_loc(b, ev->start_mark));

    free(text);
    b->nodes++;
    if (ev->data.scalar.anchor != NULL)
        set_anchor(b, (const char *)ev->data.scalar.anchor, n);
    finish(b, n);
}

static void on_alias(builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;

    for (size_t i = 0; i < b->n_anchors; i++) {
        if (strcmp(b->anchors[i].name, name) == 0) {
            size_t count = 0;
            io_node *c = copy_counted(b->anchors[i].node, &count);

            b->nodes += count;
            c->loc = mark_loc(b, ev->start_mark);
            finish(b, c);
            return;
        }
    }
    io_error(b->e, mark_loc(b, ev->start_mark), "unknown alias '*%s'", name);
    b->failed = true;
}

static void on_start(builder *b, const yaml_event_t *ev, io_kind kind)
{
    const yaml_char_t *a = kind == IO_MAP ? ev->data.mapping_start.anchor
                                          : ev->data.sequence_start.anchor;
    frame *f;

    if (b->depth == IO_MAX_DEPTH) {
        io_error(b->e, mark_loc(b, ev->start_mark),
                 "document nested deeper than %d levels", IO_MAX_DEPTH);
        b->failed = true;
        return;
    }
    f = &b->stack[b->depth++];
    f->node = node_new(kind, mark_loc(b, ev->start_mark));
    f->key = NULL;
    f->anchor = a != NULL ? hs_strdup((const char *)a) : NULL;
    b->nodes++;
}

static void on_end(builder *b)
{
    frame f = b->stack[--b->depth];

    io_node_free(f.key); /* only set on malformed input */
    if (f.anchor != NULL) {
        set_anchor(b, f.anchor, f.node);
        free(f.anchor);
    }
    finish(b, f.node);
}

static void builder_fini(builder *b)
{
    while (b->depth > 0) {
        frame *f = &b->stack[--b->depth];

        io_node_free(f->node);
        io_node_free(f->key);
        free(f->anchor);
    }
    for (size_t i = 0; i < b->n_anchors; i++) {
        free(b->anchors[i].name);
        io_node_free(b->anchors[i].node);
    }
    free(b->anchors);
}

static void parser_error(builder *b, const yaml_parser_t *p)
{
    hs_loc at = mark_loc(b, p->problem_mark);
    const char *problem = p->problem != NULL ? p->problem : "parse error";

    if (p->context != NULL) {
        hs_loc ctx = mark_loc(b, p->context_mark);

        io_error(b->e, at, "invalid YAML: %s (%s at line %u, column %u)",
                 problem, p->context, ctx.line, ctx.col);
    } else {
        io_error(b->e, at, "invalid YAML: %s", problem);
    }
    b->failed = true;
}

/* Handle one event; returns false at the end of the stream. */
static bool on_event(builder *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->documents > 1) {
            io_error(b->e, mark_loc(b, ev->start_mark),
                     "expected a single YAML document, found another");
            b->failed = true;
        }
        break;
    case YAML_SCALAR_EVENT:
        on_scalar(b, ev);
        break;
    case YAML_ALIAS_EVENT:
        on_alias(b, ev);
        break;
    case YAML_MAPPING_START_EVENT:
        on_start(b, ev, IO_MAP);
        break;
    case YAML_SEQUENCE_START_EVENT:
        on_start(b, ev, IO_SEQ);
        break;
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        on_end(b);
        break;
    case YAML_STREAM_END_EVENT:
        return false;
    default:
        break;
    }
    if (b->nodes > IO_MAX_NODES && !b->failed) {
        io_error(b->e, mark_loc(b, ev->start_mark),
                 "document too large (more than %d nodes after aliases)",
                 IO_MAX_NODES);
        b->failed = true;
    }
    return true;
}

int io_parse(io_errs *e, const char *text, size_t len, const char *file,
             unsigned col_offset, io_node **root)
{
    yaml_parser_t parser;
    builder b;
    bool more = true;

    memset(&b, 0, sizeof b);
    b.e = e;
    b.file = file;
    b.col_offset = col_offset;
    while (b.first_line_len < len && text[b.first_line_len] != '\n')
        b.first_line_len++;
    *root = NULL;
    if (!yaml_parser_initialize(&parser))
        HS_UNREACHABLE("yaml_parser_initialize: out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (more && !b.failed) {
        yaml_event_t ev;

        if (!yaml_parser_parse(&parser, &ev)) {
            parser_error(&b, &parser);
            break;
        }
        more = on_event(&b, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    builder_fini(&b);
    if (b.failed) {
        io_node_free(b.root);
        return HS_EINPUT;
    }
    *root = b.root;
    return HS_OK;
}

int io_read_file(io_errs *e, const char *path, hs_loc at, char **text,
                 size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;

    if (at.file == NULL)
        at.file = path;
    if (f == NULL)
        return io_report(e, HS_EIO, at, NULL, "cannot read '%s': %s", path,
                         strerror(errno));
    for (;;) {
        size_t got;

        hs_grow((void **)&buf, &cap, n + 4096 + 1, 1);
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        io_report(e, HS_EIO, at, NULL, "cannot read '%s': %s", path,
                  strerror(errno));
        fclose(f);
        free(buf);
        return HS_EIO;
    }
    fclose(f);
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return HS_OK;
}

/* ---- structure checks --------------------------------------------------- */

static bool in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

int io_check_keys(io_errs *e, const io_node *map, const char *const *keys)
{
    int rc = HS_OK;
    size_t count = 0;
    char *all;

    if (map == NULL || map->kind != IO_MAP)
        return HS_OK;
    while (keys[count] != NULL)
        count++;
    all = io_join(keys, count);
    for (size_t i = 0; i < map->n_kids; i++) {
        const io_node *k = map->kids[i];
        char path[256];

        if (in_list(k->key, keys))
            continue;
        io_path(map, path, sizeof path);
        rc =
            io_key_error(e, k->key_loc, path[0] != '\0' ? path : NULL,
                         "unknown key '%s' (expected one of %s)", k->key, all);
    }
    free(all);
    return rc;
}

static bool expect_kind(io_errs *e, const io_node *n, io_kind kind,
                        const char *what)
{
    char buf[96];

    if (n != NULL && n->kind == kind)
        return true;
    if (n != NULL)
        io_node_error(e, n, "expected %s, found %s", what,
                      io_describe(n, buf, sizeof buf));
    return false;
}

bool io_expect_map(io_errs *e, const io_node *n)
{
    return expect_kind(e, n, IO_MAP, "a mapping");
}

bool io_expect_seq(io_errs *e, const io_node *n)
{
    return expect_kind(e, n, IO_SEQ, "a sequence");
}

io_node *io_member(io_errs *e, const io_node *map, const char *key,
                   bool required)
{
    io_node *n = io_get(map, key);

    if (n == NULL && required && map != NULL)
        io_node_error(e, map, "missing required key '%s'", key);
    return n;
}

/* ---- typed scalars ------------------------------------------------------ */

/* 'n' must be a non-null scalar; otherwise report "expected <what>". */
static bool want_scalar(io_errs *e, const io_node *n, const char *what)
{
    char buf[96];

    if (n->kind == IO_SCALAR && !io_is_null(n))
        return true;
    io_node_error(e, n, "expected %s, found %s", what,
                  io_describe(n, buf, sizeof buf));
    return false;
}

static int bad_value(io_errs *e, const io_node *n, const char *what)
{
    char buf[96];

    return io_node_error(e, n, "expected %s, found %s", what,
                         io_describe(n, buf, sizeof buf));
}

/* Integers may group digits with '_' (1_000_000). */
static bool strip_underscores(const char *in, char *out, size_t len)
{
    size_t j = 0;

    for (size_t i = 0; in[i] != '\0'; i++) {
        if (in[i] == '_' && i > 0 && in[i + 1] >= '0' && in[i + 1] <= '9' &&
            in[i - 1] >= '0' && in[i - 1] <= '9')
            continue;
        if (j + 1 >= len)
            return false;
        out[j++] = in[i];
    }
    out[j] = '\0';
    return true;
}

/* The limits INT_MAX and INT64_MAX are storage bounds, not worth
 * mentioning. */
static void describe_int_range(char *buf, size_t len, int64_t min, int64_t max)
{
    if (max == INT_MAX)
        max = INT64_MAX;
    if (min > INT64_MIN && max < INT64_MAX)
        snprintf(buf, len, "an integer between %lld and %lld", (long long)min,
                 (long long)max);
    else if (min > INT64_MIN)
        snprintf(buf, len, "an integer >= %lld", (long long)min);
    else if (max < INT64_MAX)
        snprintf(buf, len, "an integer <= %lld", (long long)max);
    else
        snprintf(buf, len, "an integer");
}

int io_int(io_errs *e, const io_node *n, int64_t min, int64_t max,
           int64_t *out)
{
    char what[96];
    char digits[64];
    int64_t v;

    describe_int_range(what, sizeof what, min, max);
    if (!want_scalar(e, n, what))
        return HS_EINPUT;
    if (!strip_underscores(n->text, digits, sizeof digits) ||
        hs_parse_int64(digits, min, max, &v) != HS_OK)
        return bad_value(e, n, what);
    *out = v;
    return HS_OK;
}

int io_int32(io_errs *e, const io_node *n, int min, int max, int *out)
{
    int64_t v;

    if (io_int(e, n, min, max, &v) != HS_OK)
        return HS_EINPUT;
    *out = (int)v;
    return HS_OK;
}

int io_bool(io_errs *e, const io_node *n, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE"};
    static const char *const no[] = {"false", "False", "FALSE"};

    if (!want_scalar(e, n, "true or false"))
        return HS_EINPUT;
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(n->text, yes[i]) == 0) {
            *out = true;
            return HS_OK;
        }
        if (strcmp(n->text, no[i]) == 0) {
            *out = false;
            return HS_OK;
        }
    }
    return bad_value(e, n, "true or false");
}

static void describe_range(char *buf, size_t len, const char *noun, double min,
                           double max)
{
    bool has_min = min > -DBL_MAX, has_max = max < DBL_MAX;

    if (min == IO_POSITIVE && has_max)
        snprintf(buf, len, "%s > 0 and <= %g", noun, max);
    else if (min == IO_POSITIVE)
        snprintf(buf, len, "%s > 0", noun);
    else if (has_min && has_max)
        snprintf(buf, len, "%s between %g and %g", noun, min, max);
    else if (has_min)
        snprintf(buf, len, "%s >= %g", noun, min);
    else if (has_max)
        snprintf(buf, len, "%s <= %g", noun, max);
    else
        snprintf(buf, len, "%s", noun);
}

int io_number(io_errs *e, const io_node *n, double min, double max,
              double *out)
{
    char what[96];
    double v;

    describe_range(what, sizeof what, "a number", min, max);
    if (!want_scalar(e, n, what))
        return HS_EINPUT;
    if (hs_parse_double(n->text, &v) != HS_OK ||
        (min == IO_POSITIVE ? !(v > 0) : !(v >= min)) || !(v <= max))
        return bad_value(e, n, what);
    *out = v;
    return HS_OK;
}

static const char *article(const char *noun)
{
    return strchr("aeiou", noun[0]) != NULL ? "an" : "a";
}

int io_quantity(io_errs *e, const io_node *n, hs_unit_kind kind, bool positive,
                double *out)
{
    const char *noun = hs_unit_kind_name(kind);
    char what[128], why[128], buf[96];
    double v;

    snprintf(what, sizeof what, "%s %s like '%s'", article(noun), noun,
             hs_unit_kind_example(kind));
    if (!want_scalar(e, n, what))
        return HS_EINPUT;
    if (hs_parse_quantity(n->text, kind, &v, why, sizeof why) != HS_OK) {
        double bare;

        io_describe(n, buf, sizeof buf);
        if (hs_parse_double(n->text, &bare) == HS_OK)
            return io_node_error(e, n, "expected %s, found %s (no unit)", what,
                                 buf);
        if (strncmp(why, "unknown unit", 12) == 0)
            return io_node_error(e, n, "expected %s, found %s (%s)", what, buf,
                                 why);
        return bad_value(e, n, what);
    }
    if (positive && !(v > 0)) {
        snprintf(what, sizeof what, "%s %s > 0", article(noun), noun);
        return bad_value(e, n, what);
    }
    *out = v;
    return HS_OK;
}

int io_string(io_errs *e, const io_node *n, char **out)
{
    if (!want_scalar(e, n, "a string"))
        return HS_EINPUT;
    if (n->text[0] == '\0')
        return bad_value(e, n, "a non-empty string");
    free(*out);
    *out = hs_strdup(n->text);
    return HS_OK;
}

int io_name(io_errs *e, const io_node *n, char *buf, size_t len)
{
    char what[64];

    if (!want_scalar(e, n, "a name"))
        return HS_EINPUT;
    if (n->text[0] == '\0')
        return bad_value(e, n, "a non-empty name");
    if (strlen(n->text) >= len) {
        snprintf(what, sizeof what, "a name of at most %zu characters",
                 len - 1);
        return bad_value(e, n, what);
    }
    memcpy(buf, n->text, strlen(n->text) + 1);
    return HS_OK;
}

int io_enum(io_errs *e, const io_node *n, const char *const *names,
            size_t count, int *out)
{
    char *all = io_join(names, count);
    char *what = hs_asprintf("one of %s", all);
    int rc = HS_EINPUT;

    free(all);
    if (want_scalar(e, n, what)) {
        for (size_t i = 0; i < count; i++) {
            if (strcmp(n->text, names[i]) == 0) {
                *out = (int)i;
                rc = HS_OK;
                break;
            }
        }
        if (rc != HS_OK)
            bad_value(e, n, what);
    }
    free(what);
    return rc;
}

/* The io_field_* forms: look the key up, then read it. */
#define FIELD(e, map, key, required)                                          \
    const io_node *n = io_member((e), (map), (key), (required));              \
    if (n == NULL)                                                            \
    return (required) && (map) != NULL ? HS_EINPUT : HS_OK

int io_field_int(io_errs *e, const io_node *map, const char *key,
                 bool required, int64_t min, int64_t max, int64_t *out)
{
    FIELD(e, map, key, required);
    return io_int(e, n, min, max, out);
}

int io_field_int32(io_errs *e, const io_node *map, const char *key,
                   bool required, int min, int max, int *out)
{
    FIELD(e, map, key, required);
    return io_int32(e, n, min, max, out);
}

int io_field_bool(io_errs *e, const io_node *map, const char *key,
                  bool required, bool *out)
{
    FIELD(e, map, key, required);
    return io_bool(e, n, out);
}

int io_field_number(io_errs *e, const io_node *map, const char *key,
                    bool required, double min, double max, double *out)
{
    FIELD(e, map, key, required);
    return io_number(e, n, min, max, out);
}

int io_field_quantity(io_errs *e, const io_node *map, const char *key,
                      bool required, hs_unit_kind kind, bool positive,
                      double *out)
{
    FIELD(e, map, key, required);
    return io_quantity(e, n, kind, positive, out);
}

int io_field_string(io_errs *e, const io_node *map, const char *key,
                    bool required, char **out)
{
    FIELD(e, map, key, required);
    return io_string(e, n, out);
}

int io_field_enum(io_errs *e, const io_node *map, const char *key,
                  bool required, const char *const *names, size_t count,
                  int *out)
{
    FIELD(e, map, key, required);
    return io_enum(e, n, names, count, out);
}

#undef FIELD

/* ---- overrides ---------------------------------------------------------- */

typedef struct comp {
    char *text;
    size_t offset; /* of its first character within the path */
} comp;

static bool all_digits(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool ends_in_digit(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && s[n - 1] >= '0' && s[n - 1] <= '9';
}

/* Split 'path' at dots; an empty component is an error. */
static comp *split_path(io_errs *e, const char *path, hs_loc at, size_t *count)
{
    comp *v = NULL;
    size_t n = 0, cap = 0;
    const char *p = path;

    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot != NULL ? (size_t)(dot - p) : strlen(p);
        hs_loc here = at;

        here.col += (unsigned)(p - path);
        if (len == 0) {
            io_error(e, here, "bad path '%s': empty component", path);
            for (size_t i = 0; i < n; i++)
                free(v[i].text);
            free(v);
            return NULL;
        }
        hs_grow((void **)&v, &cap, n + 1, sizeof(comp));
        v[n].text = hs_strndup(p, len);
        v[n].offset = (size_t)(p - path);
        n++;
        if (dot == NULL)
            break;
        p = dot + 1;
    }
    *count = n;
    return v;
}

/* Components i..j joined with dots (caller frees). */
static char *join_comps(const comp *c, size_t i, size_t j)
{
    char *s = hs_strdup(c[i].text);

    for (size_t k = i + 1; k <= j; k++) {
        char *t = hs_asprintf("%s.%s", s, c[k].text);

        free(s);
        s = t;
    }
    return s;
}

/* Put 'value' in place of 'old' (same parent, key and index); frees
 * 'old'. */
static void replace_node(io_node **root, io_node *old, io_node *value)
{
    io_node *parent = old->parent;

    free(value->key);
    value->key = old->key != NULL ? hs_strdup(old->key) : NULL;
    value->key_loc = old->key_loc;
    value->index = old->index;
    value->parent = parent;
    if (parent == NULL)
        *root = value;
    else
        parent->kids[old->index] = value;
    io_node_free(old);
}

static io_node *add_member(io_node *map, const char *key, hs_loc key_loc,
                           io_node *value)
{
    free(value->key);
    value->key = hs_strdup(key);
    value->key_loc = key_loc;
    add_kid(map, value);
    return value;
}

typedef struct set_state {
    io_errs *e;
    io_node **root;
    const char *path;
    hs_loc at;
    comp *c;
    size_t n;
} set_state;

static hs_loc comp_loc(const set_state *s, size_t i)
{
    hs_loc l = s->at;

    l.col += (unsigned)s->c[i].offset;
    return l;
}

/* True when components j and j+1 are the two halves of a number split
 * at its dot ("ttft_p99" "9"): they are one key. */
static bool splits_number(const set_state *s, size_t j)
{
    return j + 1 < s->n && ends_in_digit(s->c[j].text) &&
           all_digits(s->c[j + 1].text);
}

/* In mapping 'cur', at component *i: the existing member matching the
 * longest run of components, advancing *i past it; NULL when none.  A
 * run that would cut a number in two does not count. */
static io_node *match_member(const set_state *s, io_node *cur, size_t *i)
{
    for (size_t j = s->n; j-- > *i;) {
        char *key;
        io_node *m;

        if (splits_number(s, j))
            continue;
        key = join_comps(s->c, *i, j);
        m = io_get(cur, key);

        free(key);
        if (m != NULL) {
            *i = j + 1;
            return m;
        }
    }
    return NULL;
}

/* Create the member for components from *i in mapping 'cur' ('value' when
 * it is the last, else an empty mapping) and return it. */
static io_node *create_member(const set_state *s, io_node *cur, size_t *i,
                              io_node *value)
{
    size_t j = *i;
    char *key;
    io_node *m;

    while (splits_number(s, j))
        j++;
    key = join_comps(s->c, *i, j);
    if (j + 1 == s->n)
        m = add_member(cur, key, comp_loc(s, *i), value);
    else
        m = add_member(cur, key, comp_loc(s, *i),
                       node_new(IO_MAP, value->loc));
    free(key);
    *i = j + 1;
    return m;
}

static int walk_set(set_state *s, io_node *value)
{
    io_node *cur = *s->root;
    size_t i = 0;

    while (i < s->n) {
        io_node *next;

        if (cur->kind == IO_SCALAR && io_is_null(cur)) {
            io_node *map = node_new(IO_MAP, value->loc);

            replace_node(s->root, cur, map);
            cur = map;
        }
        if (cur->kind == IO_MAP) {
            next = match_member(s, cur, &i);
            if (next == NULL) {
                next = create_member(s, cur, &i, value);
                if (i == s->n)
                    return HS_OK;
            } else if (i == s->n) {
                replace_node(s->root, next, value);
                return HS_OK;
            }
        } else if (cur->kind == IO_SEQ) {
            int64_t idx;

            if (!all_digits(s->c[i].text) ||
                hs_parse_int64(s->c[i].text, 0, INT64_MAX, &idx) != HS_OK ||
                (size_t)idx >= cur->n_kids) {
                char path[256];

                io_path(cur, path, sizeof path);
                io_key_error(s->e, comp_loc(s, i), path,
                             "no item '%s' (the sequence has %zu items, "
                             "numbered from 0)",
                             s->c[i].text, cur->n_kids);
                io_node_free(value);
                return HS_EINPUT;
            }
            next = cur->kids[idx];
            i++;
            if (i == s->n) {
                replace_node(s->root, next, value);
                return HS_OK;
            }
        } else {
            char path[256];

            io_path(cur, path, sizeof path);
            io_key_error(s->e, comp_loc(s, i), path,
                         "cannot set '%s' inside the scalar '%s'",
                         s->c[i].text, cur->text);
            io_node_free(value);
            return HS_EINPUT;
        }
        cur = next;
    }
    HS_UNREACHABLE("walk_set: path exhausted");
}

int io_set_path(io_errs *e, io_node **root, const char *path, hs_loc at,
                io_node *value)
{
    set_state s;
    int rc;

    s.e = e;
    s.root = root;
    s.path = path;
    s.at = at;
    s.c = split_path(e, path, at, &s.n);
    if (s.c == NULL) {
        io_node_free(value);
        return HS_EINPUT;
    }
    if (*root == NULL)
        *root = node_new(IO_MAP, at);
    value->parent = NULL;
    rc = walk_set(&s, value);
    for (size_t i = 0; i < s.n; i++)
        free(s.c[i].text);
    free(s.c);
    return rc;
}

int io_apply_override(io_errs *e, io_node **root, const char *arg)
{
    const char *eq = strchr(arg, '=');
    hs_loc at = {IO_SET_FILE, 1, 1};
    io_node *value = NULL;
    char *path;
    size_t off;
    int rc;

    if (eq == NULL || eq == arg)
        return io_error(e, at, "expected PATH=VALUE, found '%s'", arg);
    off = (size_t)(eq - arg) + 1;
    if (io_parse(e, eq + 1, strlen(eq + 1), IO_SET_FILE, (unsigned)off,
                 &value) != HS_OK)
        return HS_EINPUT;
    if (value == NULL) {
        hs_loc vat = {IO_SET_FILE, 1, (unsigned)off + 1};

        value = io_node_new_scalar("", true, vat);
    }
    path = hs_strndup(arg, off - 1);
    rc = io_set_path(e, root, path, at, value);
    free(path);
    return rc;
}
