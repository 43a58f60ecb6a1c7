/*
 * io_yaml.c -- YAML text into the io_node tree (io_int.h): libyaml's
 * events turned into nodes with file:line:col, and reading a whole file.
 *
 * This is the only file that includes <yaml.h>.  The tree is built from
 * the event stream with an explicit stack (no recursion, so a deeply
 * nested input cannot overflow the C stack); aliases are resolved by
 * copying the anchored node, with the total node count bounded so that an
 * alias bomb is an error rather than an out-of-memory abort.
 */
#include "io_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

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
    size_t bytes; /* what they take, nodes and their text */
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
    io_node *copy = io_node_copy_counted(n, &count);

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
        io_node_add(top->node, n);
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
            io_node_add(top->node, n);
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
    b->bytes += sizeof *n + ev->data.scalar.length + 1;
    if (ev->data.scalar.anchor != NULL)
        set_anchor(b, (const char *)ev->data.scalar.anchor, n);
    finish(b, n);
}

static void on_alias(builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;

    for (size_t i = 0; i < b->n_anchors; i++) {
        if (strcmp(b->anchors[i].name, name) == 0) {
            size_t count = 0, bytes = 0;
            io_node *c;

            /* Measured before copying: an alias bomb is refused before
             * it takes the memory. */
            io_node_measure(b->anchors[i].node, &count, &bytes);
            if (b->nodes + count > IO_MAX_NODES ||
                b->bytes + bytes > IO_MAX_BYTES) {
                if (!b->failed)
                    io_error(b->e, mark_loc(b, ev->start_mark),
                             "document too large: alias '*%s' would expand "
                             "it past %d nodes or %u MiB",
                             name, IO_MAX_NODES, IO_MAX_BYTES >> 20);
                b->failed = true;
                return;
            }
            count = 0;
            c = io_node_copy_counted(b->anchors[i].node, &count);
            b->nodes += count;
            b->bytes += bytes;
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
    f->node = io_node_new(kind, mark_loc(b, ev->start_mark));
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
