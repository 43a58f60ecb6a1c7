/*
 * io_set.c -- dotted-path overrides of the document tree (io_int.h):
 * "--set PATH=VALUE" arguments and the 'set:' entries of scenario
 * variants replace or create the node at PATH, with errors located at the
 * path component that went wrong.
 */
#include "io_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    io_node_add(map, value);
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
                       io_node_new(IO_MAP, value->loc));
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
            io_node *map = io_node_new(IO_MAP, value->loc);

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
        *root = io_node_new(IO_MAP, at);
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

/* Move every node of 'n' down 'lines' lines; a node on the first line
 * also 'cols' columns right (the parser counted from column 1). */
static void shift_locs(io_node *n, unsigned lines, unsigned cols)
{
    if (n->loc.line == 1)
        n->loc.col += cols;
    if (n->key_loc.line == 1)
        n->key_loc.col += cols;
    n->loc.line += lines;
    if (n->key_loc.line > 0)
        n->key_loc.line += lines;
    for (size_t i = 0; i < n->n_kids; i++)
        shift_locs(n->kids[i], lines, cols);
}

int io_apply_override_at(io_errs *e, io_node **root, const char *arg,
                         const hs_loc at[2])
{
    const char *eq = strchr(arg, '=');
    io_node *value = NULL;
    char *path;
    int rc;

    if (eq == NULL || eq == arg)
        return io_error(e, at[0], "expected PATH=VALUE, found '%s'", arg);
    if (io_parse(e, eq + 1, strlen(eq + 1), at[1].file, 0, &value) != HS_OK)
        return HS_EINPUT;
    if (value == NULL)
        value = io_node_new_scalar("", true, at[1]);
    else
        shift_locs(value, at[1].line - 1, at[1].col - 1);
    path = hs_strndup(arg, (size_t)(eq - arg));
    rc = io_set_path(e, root, path, at[0], value);
    free(path);
    return rc;
}
