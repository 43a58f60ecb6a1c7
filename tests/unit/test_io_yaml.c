/*
 * test_io_yaml.c -- the YAML layer of sim/io: the node tree and its
 * locations, syntax and structure errors, typed scalar readers and their
 * exact messages, the error list's ordering, parameter tables, and path
 * overrides (--set).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ck_util.h"
#include "io/io_int.h"

Suite *io_yaml_suite(void);

/* ---- helpers ------------------------------------------------------------ */

static io_errs errs;
static hs_diag *diag;
static io_node *root;

static void setup(void)
{
    memset(&errs, 0, sizeof errs);
    diag = hs_diag_new();
    root = NULL;
}

static void teardown(void)
{
    io_node_free(root);
    io_errs_clear(&errs);
    hs_diag_free(diag);
}

/* Parse 'text' as file "t.yaml" into 'root'. */
static int parse(const char *text)
{
    io_node_free(root);
    root = NULL;
    return io_parse(&errs, text, strlen(text), "t.yaml", 0, &root);
}

/* Flush the errors and return every message, one per line (static). */
static const char *messages(void)
{
    const char *text;

    io_errs_flush(&errs, diag);
    text = ck_diag_text(diag);
    hs_diag_clear(diag);
    return text;
}

static const io_node *at_path(const char *a, const char *b)
{
    const io_node *n = io_get(root, a);

    return b != NULL ? io_get(n, b) : n;
}

/* ---- the tree ----------------------------------------------------------- */

START_TEST(tree_has_locations_and_paths)
{
    const io_node *b, *c, *y;
    char path[64];

    ck_assert_int_eq(parse("a: 1\nb:\n  c: [x, 'y']\n"), HS_OK);
    ck_assert_int_eq(root->kind, IO_MAP);
    ck_assert_uint_eq(root->n_kids, 2);
    ck_assert_str_eq(root->kids[0]->key, "a");
    ck_assert_uint_eq(root->kids[0]->key_loc.line, 1);
    ck_assert_uint_eq(root->kids[0]->key_loc.col, 1);
    ck_assert_uint_eq(root->kids[0]->loc.col, 4);
    ck_assert_str_eq(root->kids[0]->loc.file, "t.yaml");
    b = at_path("b", NULL);
    ck_assert_int_eq(b->kind, IO_MAP);
    c = io_get(b, "c");
    ck_assert_int_eq(c->kind, IO_SEQ);
    ck_assert_uint_eq(c->loc.line, 3);
    ck_assert_uint_eq(c->loc.col, 6);
    y = c->kids[1];
    ck_assert_str_eq(y->text, "y");
    ck_assert(!y->plain);
    ck_assert(c->kids[0]->plain);
    ck_assert_uint_eq(y->loc.col, 10);
    ck_assert_str_eq(io_path(y, path, sizeof path), "b.c.1");
    ck_assert_str_eq(io_path(root, path, sizeof path), "");
    ck_assert_str_eq(messages(), "");
}
END_TEST

START_TEST(empty_document_is_null_root)
{
    ck_assert_int_eq(parse("# only a comment\n"), HS_OK);
    ck_assert_ptr_null(root);
}
END_TEST

START_TEST(syntax_error_has_location)
{
    ck_assert_int_eq(parse("a: [1, 2\nb: 3\n"), HS_EINPUT);
    ck_assert_ptr_null(root);
    ck_assert_str_eq(messages(),
                     "t.yaml:2:2: error: invalid YAML: did not find "
                     "expected ',' or ']' (while parsing a flow sequence at "
                     "line 1, column 4)\n");
}
END_TEST

START_TEST(duplicate_key_is_an_error)
{
    ck_assert_int_eq(parse("a: 1\nm:\n  k: 1\n  k: 2\n"), HS_OK);
    ck_assert_str_eq(messages(), "t.yaml:4:3: error: duplicate key 'k' "
                                 "(first at line 3)\n");
    ck_assert_str_eq(at_path("m", "k")->text, "1");
}
END_TEST

START_TEST(non_scalar_key_is_an_error)
{
    ck_assert_int_eq(parse("? [a, b]\n: 1\nc: 2\n"), HS_OK);
    ck_assert_str_eq(messages(), "t.yaml:1:3: error: a mapping key must be "
                                 "a scalar, found a sequence\n");
    ck_assert_uint_eq(root->n_kids, 1);
}
END_TEST

START_TEST(one_document_only)
{
    ck_assert_int_eq(parse("a: 1\n---\nb: 2\n"), HS_EINPUT);
    ck_assert_str_eq(messages(), "t.yaml:2:1: error: expected a single YAML "
                                 "document, found another\n");
}
END_TEST

START_TEST(aliases_are_copies)
{
    const io_node *copy;

    ck_assert_int_eq(parse("base: &b {x: 1}\ncopy: *b\n"), HS_OK);
    copy = at_path("copy", NULL);
    ck_assert_int_eq(copy->kind, IO_MAP);
    ck_assert_str_eq(io_get(copy, "x")->text, "1");
    ck_assert_ptr_ne(copy, at_path("base", NULL));
    ck_assert_uint_eq(copy->loc.line, 2);
    ck_assert_int_eq(parse("a: &a [*a]\n"), HS_EINPUT);
    ck_assert_str_eq(messages(), "t.yaml:1:8: error: unknown alias '*a'\n");
}
END_TEST

START_TEST(deep_nesting_is_refused)
{
    char text[256];

    memset(text, '[', 100);
    memset(text + 100, ']', 100);
    text[200] = '\0';
    ck_assert_int_eq(parse(text), HS_EINPUT);
    ck_assert_str_eq(messages(), "t.yaml:1:65: error: document nested "
                                 "deeper than 64 levels\n");
}
END_TEST

START_TEST(alias_bomb_is_refused)
{
    const char *text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                       "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";

    ck_assert_int_eq(parse(text), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(messages(), "error: document too large"));
}
END_TEST

/* Few nodes but many bytes (issue 16 item 6): one anchored 100 KB string
 * aliased ten times over five levels would be 10 GB; the expansion is
 * refused when it would pass IO_MAX_BYTES, before it is copied. */
START_TEST(alias_bomb_by_bytes_is_refused)
{
    size_t big = 100000;
    char *text = hs_calloc(big + 512, 1);
    char *p = text;
    char prev = 'a';

    p += sprintf(p, "a: &a \"");
    memset(p, 'x', big);
    p += big;
    p += sprintf(p, "\"\n");
    for (const char *l = "bcdef"; *l != '\0'; prev = *l++) {
        p += sprintf(p, "%c: &%c [", *l, *l);
        for (int i = 0; i < 10; i++)
            p += sprintf(p, "%s*%c", i > 0 ? ", " : "", prev);
        p += sprintf(p, "]\n");
    }
    ck_assert_int_eq(parse(text), HS_EINPUT);
    ck_assert_ptr_nonnull(strstr(messages(), "would expand it past"));
    free(text);
}
END_TEST

/* ---- structure and typed scalars ---------------------------------------- */

START_TEST(unknown_and_missing_keys)
{
    static const char *const keys[] = {"bandwidth", "latency", NULL};
    const io_node *link;

    ck_assert_int_eq(parse("link:\n  latency: 2ns\n  bandwith: 1GB/s\n"),
                     HS_OK);
    link = at_path("link", NULL);
    ck_assert_int_eq(io_check_keys(&errs, link, keys), HS_EINPUT);
    ck_assert_ptr_null(io_member(&errs, link, "bandwidth", true));
    ck_assert_ptr_nonnull(io_member(&errs, link, "latency", true));
    ck_assert_ptr_null(io_member(&errs, link, "mtu", false));
    ck_assert_str_eq(messages(),
                     "t.yaml:2:3: error: link: missing required key "
                     "'bandwidth'\n"
                     "t.yaml:3:3: error: link: unknown key 'bandwith' "
                     "(expected one of bandwidth, latency)\n");
}
END_TEST

START_TEST(typed_scalars_read_values)
{
    int64_t i = 0;
    int i32 = 0;
    bool b = false;
    double x = 0;
    char *s = NULL;
    char name[8];
    static const char *const colours[] = {"red", "green"};
    int e = -1;

    ck_assert_int_eq(parse("i: 1_000_000\nb: true\nx: 0.25\n"
                           "q: 3.35TB/s\ns: \"hello\"\nn: abc\nc: green\n"
                           "t: 7\n"),
                     HS_OK);
    ck_assert_int_eq(io_int(&errs, at_path("i", NULL), 0, INT64_MAX, &i),
                     HS_OK);
    ck_assert_int_eq(i, 1000000);
    ck_assert_int_eq(io_bool(&errs, at_path("b", NULL), &b), HS_OK);
    ck_assert(b);
    ck_assert_int_eq(io_number(&errs, at_path("x", NULL), 0, 1, &x), HS_OK);
    ck_assert_double_eq(x, 0.25);
    ck_assert_int_eq(
        io_quantity(&errs, at_path("q", NULL), HS_UNIT_BANDWIDTH, true, &x),
        HS_OK);
    ck_assert_double_eq_tol(x, 3.35e12, 1);
    ck_assert_int_eq(io_string(&errs, at_path("s", NULL), &s), HS_OK);
    ck_assert_str_eq(s, "hello");
    ck_assert_int_eq(io_name(&errs, at_path("n", NULL), name, sizeof name),
                     HS_OK);
    ck_assert_str_eq(name, "abc");
    ck_assert_int_eq(io_enum(&errs, at_path("c", NULL), colours, 2, &e),
                     HS_OK);
    ck_assert_int_eq(e, 1);
    ck_assert_int_eq(io_field_int32(&errs, root, "t", true, 1, 10, &i32),
                     HS_OK);
    ck_assert_int_eq(i32, 7);
    i32 = 42;
    ck_assert_int_eq(io_field_int32(&errs, root, "absent", false, 1, 10, &i32),
                     HS_OK);
    ck_assert_int_eq(i32, 42);
    ck_assert_str_eq(messages(), "");
    free(s);
}
END_TEST

START_TEST(typed_scalars_report_what_was_found)
{
    int64_t i = 5;
    bool b = false;
    double x = 0;
    char *s = NULL;
    char name[4];
    static const char *const colours[] = {"red", "green"};
    int e = -1;

    ck_assert_int_eq(parse("i: four\nr: 0\nb: yes\nx: 1.5\nm: {a: 1}\n"
                           "s: ''\nn: toolong\nc: blue\nz:\n"),
                     HS_OK);
    ck_assert_int_eq(
        io_int(&errs, at_path("i", NULL), INT64_MIN, INT64_MAX, &i),
        HS_EINPUT);
    ck_assert_int_eq(i, 5);
    io_int(&errs, at_path("r", NULL), 1, INT64_MAX, &i);
    io_bool(&errs, at_path("b", NULL), &b);
    io_number(&errs, at_path("x", NULL), 0, 1, &x);
    io_number(&errs, at_path("m", NULL), IO_POSITIVE, DBL_MAX, &x);
    io_string(&errs, at_path("s", NULL), &s);
    io_name(&errs, at_path("n", NULL), name, sizeof name);
    io_enum(&errs, at_path("c", NULL), colours, 2, &e);
    io_int(&errs, at_path("z", NULL), 0, 10, &i);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(
        messages(),
        "t.yaml:1:4: error: i: expected an integer, found 'four'\n"
        "t.yaml:2:4: error: r: expected an integer >= 1, found '0'\n"
        "t.yaml:3:4: error: b: expected true or false, found 'yes'\n"
        "t.yaml:4:4: error: x: expected a number between 0 and 1, found "
        "'1.5'\n"
        "t.yaml:5:4: error: m: expected a number > 0, found a mapping\n"
        "t.yaml:6:4: error: s: expected a non-empty string, found ''\n"
        "t.yaml:7:4: error: n: expected a name of at most 3 characters, "
        "found 'toolong'\n"
        "t.yaml:8:4: error: c: expected one of red, green, found 'blue'\n"
        "t.yaml:9:3: error: z: expected an integer between 0 and 10, found "
        "nothing\n");
}
END_TEST

START_TEST(quantities_need_units)
{
    double x = -1;

    ck_assert_int_eq(parse("bare: 5\nbad: 500GQ/s\nzero: 0W\nword: fast\n"
                           "neg: -2s\n"),
                     HS_OK);
    ck_assert_int_eq(
        io_quantity(&errs, at_path("bare", NULL), HS_UNIT_RATE, true, &x),
        HS_EINPUT);
    io_quantity(&errs, at_path("bad", NULL), HS_UNIT_BANDWIDTH, true, &x);
    io_quantity(&errs, at_path("zero", NULL), HS_UNIT_POWER, true, &x);
    io_quantity(&errs, at_path("word", NULL), HS_UNIT_ENERGY, false, &x);
    io_quantity(&errs, at_path("neg", NULL), HS_UNIT_TIME, false, &x);
    ck_assert_double_eq(x, -1);
    ck_assert_str_eq(
        messages(),
        "t.yaml:1:7: error: bare: expected a rate like '5/s', found '5' (no "
        "unit)\n"
        "t.yaml:2:6: error: bad: expected a bandwidth like '3.35TB/s', "
        "found '500GQ/s' (unknown unit 'GQ/s')\n"
        "t.yaml:3:7: error: zero: expected a power > 0, found '0W'\n"
        "t.yaml:4:7: error: word: expected an energy like '3.1pJ', found "
        "'fast'\n"
        "t.yaml:5:6: error: neg: expected a time like '150ns', found "
        "'-2s'\n");
}
END_TEST

START_TEST(errors_come_out_sorted_by_file_line_col)
{
    hs_loc a3 = {"a.yaml", 3, 1}, a1 = {"a.yaml", 1, 9};
    hs_loc a1b = {"a.yaml", 1, 2}, b1 = {"b.yaml", 1, 1};
    hs_loc s1 = {IO_SET_FILE, 1, 9}, s2 = {IO_SET_FILE, 1, 2};

    io_error(&errs, a3, "third");
    io_error(&errs, b1, "other file");
    io_error(&errs, s1, "first --set");
    io_error(&errs, a1, "second");
    io_error(&errs, s2, "second --set");
    io_error(&errs, a1b, "first");
    io_error(&errs, a1b, "first");
    ck_assert_str_eq(messages(), "a.yaml:1:2: error: first\n"
                                 "a.yaml:1:9: error: second\n"
                                 "a.yaml:3:1: error: third\n"
                                 "b.yaml:1:1: error: other file\n"
                                 "--set:1:9: error: first --set\n"
                                 "--set:1:2: error: second --set\n");
    ck_assert_uint_eq(errs.n, 0);
}
END_TEST

/* Flushed errors are hs_diag items: the key path apart from the message,
 * the code kept, equal neighbours (after sorting) kept once. */
START_TEST(flushed_errors_are_items)
{
    hs_loc at = {"a.yaml", 2, 3}, none = {NULL, 0, 0};
    const hs_diag_item *it;
    const char *why = NULL;

    ck_assert_int_eq(parse("link:\n  latency: fast\n"), HS_OK);
    io_node_error(&errs, at_path("link", "latency"), "expected %s", "a time");
    io_node_error(&errs, root, "top");
    ck_assert_int_eq(io_report(&errs, HS_EIO, at, "k", "gone"), HS_EIO);
    io_key_error(&errs, at, "k", "gone");
    io_key_error(&errs, at, "k", "gone");
    io_error(&errs, none, "nowhere");
    io_errs_flush(&errs, diag);
    ck_assert_uint_eq(hs_diag_count(diag), 5);
    it = hs_diag_item_at(diag, 0);
    ck_assert_str_eq(it->loc.file, "t.yaml");
    ck_assert_uint_eq(it->loc.line, 1);
    ck_assert_ptr_null(it->key); /* the root has no key path */
    ck_assert_str_eq(it->message, "top");
    it = hs_diag_item_at(diag, 1);
    ck_assert_str_eq(it->key, "link.latency");
    ck_assert_str_eq(it->message, "expected a time");
    ck_assert_int_eq(it->code, HS_EINPUT);
    ck_assert_int_eq(hs_diag_item_at(diag, 2)->code, HS_EIO);
    ck_assert_int_eq(hs_diag_item_at(diag, 3)->code, HS_EINPUT);
    ck_assert_ptr_null(hs_diag_item_at(diag, 4)->loc.file);
    ck_assert_msg(hs_diag_check(diag, &why), "%s", why);
    ck_assert_str_eq(hs_diag_message(diag, 1),
                     "t.yaml:2:12: error: link.latency: expected a time");
    ck_assert_str_eq(hs_diag_message(diag, 2), "a.yaml:2:3: error: k: gone");
    ck_assert_str_eq(hs_diag_message(diag, 4), "error: nowhere");
    ck_assert_uint_eq(errs.n, 0);
    hs_diag_clear(diag);
}
END_TEST

/* ---- parameter tables --------------------------------------------------- */

typedef enum demo_mode { DEMO_FAST, DEMO_SLOW } demo_mode;

typedef struct demo {
    char name[8];
    int64_t count;
    int tp;
    bool on;
    double share;
    double latency;
    char *label;
    demo_mode mode;
    int64_t inner;
} demo;

static const char *const demo_modes[] = {"fast", "slow"};

static const io_param inner_params[] = {
    {IO_PARAM_INT(demo, inner, "x", true, 0, 9)},
    IO_PARAM_END,
};

static void bind_inner(io_errs *e, const io_node *n, void *d, bool complete)
{
    io_bind_params(e, n, inner_params, d, complete);
}

static const io_param demo_params[] = {
    {IO_PARAM_NAME(demo, name, "name", false)},
    {IO_PARAM_INT(demo, count, "count", true, 1, 100), IO_DEFAULT(4)},
    {IO_PARAM_INT32(demo, tp, "tp", false, 1, 8), IO_DEFAULT(1)},
    {IO_PARAM_BOOL(demo, on, "on", false), IO_DEFAULT(true)},
    {IO_PARAM_NUMBER(demo, share, "share", true, 0, 1)},
    {IO_PARAM_QUANTITY(demo, latency, "latency", false, HS_UNIT_TIME, true),
     IO_DEFAULT(2.5)},
    {IO_PARAM_STRING(demo, label, "label", false)},
    {IO_PARAM_ENUM(demo, mode, "mode", false, demo_modes),
     IO_DEFAULT(DEMO_SLOW)},
    {IO_PARAM_BLOCK("inner", false, bind_inner)},
    IO_PARAM_END,
};

START_TEST(param_tables_bind_and_default)
{
    demo d;

    memset(&d, 0, sizeof d);
    io_params_default(demo_params, &d);
    ck_assert_int_eq(d.count, 4);
    ck_assert_int_eq(d.tp, 1);
    ck_assert(d.on);
    ck_assert_double_eq(d.latency, 2.5);
    ck_assert_int_eq(d.mode, DEMO_SLOW);
    ck_assert_int_eq(parse("name: abc\ncount: 7\non: false\nshare: 0.5\n"
                           "latency: 3ms\nlabel: hi\nmode: fast\n"
                           "inner: {x: 3}\n"),
                     HS_OK);
    ck_assert_int_eq(io_bind_params(&errs, root, demo_params, &d, true),
                     HS_OK);
    ck_assert_str_eq(d.name, "abc");
    ck_assert_int_eq(d.count, 7);
    ck_assert_int_eq(d.tp, 1); /* absent: the default stays */
    ck_assert(!d.on);
    ck_assert_double_eq(d.share, 0.5);
    ck_assert_double_eq_tol(d.latency, 3e-3, 1e-15);
    ck_assert_str_eq(d.label, "hi");
    ck_assert_int_eq(d.mode, DEMO_FAST);
    ck_assert_int_eq(d.inner, 3);
    free(d.label);
    ck_assert_uint_eq(errs.n, 0);
}
END_TEST

/* Errors are the typed readers' own, in table order where they share a
 * place; without 'complete' nothing is required. */
START_TEST(param_tables_report_in_table_order)
{
    demo d;

    memset(&d, 0, sizeof d);
    ck_assert_int_eq(parse("tp: 9\nmode: medium\nname: toolongname\n"
                           "inner: {}\n"),
                     HS_OK);
    ck_assert_int_eq(io_bind_params(&errs, root, demo_params, &d, true),
                     HS_EINPUT);
    ck_assert_str_eq(messages(),
                     "t.yaml:1:1: error: missing required key 'count'\n"
                     "t.yaml:1:1: error: missing required key 'share'\n"
                     "t.yaml:1:5: error: tp: expected an integer between 1 "
                     "and 8, found '9'\n"
                     "t.yaml:2:7: error: mode: expected one of fast, slow, "
                     "found 'medium'\n"
                     "t.yaml:3:7: error: name: expected a name of at most 7 "
                     "characters, found 'toolongname'\n"
                     "t.yaml:4:8: error: inner: missing required key 'x'\n");
    ck_assert_int_eq(parse("tp: 2\n"), HS_OK);
    ck_assert_int_eq(io_bind_params(&errs, root, demo_params, &d, false),
                     HS_OK);
    ck_assert_int_eq(d.tp, 2);
    ck_assert_str_eq(messages(), "");
}
END_TEST

/* ---- overrides ---------------------------------------------------------- */

START_TEST(set_replaces_a_scalar)
{
    hs_loc at = {"x", 1, 1};
    const io_node *mode;

    ck_assert_int_eq(parse("cluster:\n  mode: split\n  count: 2\n"), HS_OK);
    ck_assert_int_eq(
        io_apply_override(&errs, &root, "cluster.mode=monolithic"), HS_OK);
    mode = at_path("cluster", "mode");
    ck_assert_str_eq(mode->text, "monolithic");
    ck_assert_str_eq(mode->loc.file, "--set");
    ck_assert_uint_eq(mode->loc.line, 1);
    ck_assert_uint_eq(mode->loc.col, 14);
    ck_assert_uint_eq(mode->key_loc.line, 2); /* the key stays in the file */
    ck_assert_ptr_eq(mode->parent, at_path("cluster", NULL));
    ck_assert_uint_eq(at_path("cluster", NULL)->n_kids, 2);
    ck_assert_str_eq(at_path("cluster", NULL)->kids[0]->key, "mode");
    ck_assert_int_eq(io_set_path(&errs, &root, "cluster.count", at,
                                 io_node_new_scalar("3", true, at)),
                     HS_OK);
    ck_assert_str_eq(at_path("cluster", "count")->text, "3");
    ck_assert_str_eq(messages(), "");
}
END_TEST

START_TEST(set_creates_missing_mappings)
{
    const io_node *p, *slo;
    char path[64];

    ck_assert_int_eq(parse("cluster: {mode: split}\nslo:\n"), HS_OK);
    ck_assert_int_eq(
        io_apply_override(&errs, &root, "cluster.kv_pool.policy=offload"),
        HS_OK);
    p = io_get(at_path("cluster", "kv_pool"), "policy");
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p->text, "offload");
    ck_assert_str_eq(io_path(p, path, sizeof path), "cluster.kv_pool.policy");
    ck_assert_uint_eq(p->key_loc.col, 17);
    /* A null value counts as missing; a dotted key stays one key. */
    ck_assert_int_eq(io_apply_override(&errs, &root, "slo.ttft_p99.9=2s"),
                     HS_OK);
    slo = at_path("slo", NULL);
    ck_assert_int_eq(slo->kind, IO_MAP);
    ck_assert_str_eq(io_get(slo, "ttft_p99.9")->text, "2s");
    ck_assert_int_eq(io_apply_override(&errs, &root, "slo.ttft_p99.9=3s"),
                     HS_OK);
    ck_assert_uint_eq(slo->n_kids, 1);
    ck_assert_str_eq(io_get(slo, "ttft_p99.9")->text, "3s");
    /* ttft_p99 is another key: ttft_p99.9 is not a path through it. */
    ck_assert_int_eq(io_apply_override(&errs, &root, "slo.ttft_p99=1s"),
                     HS_OK);
    ck_assert_int_eq(io_apply_override(&errs, &root, "slo.ttft_p99.9=4s"),
                     HS_OK);
    ck_assert_uint_eq(slo->n_kids, 2);
    ck_assert_str_eq(io_get(slo, "ttft_p99.9")->text, "4s");
    ck_assert_str_eq(io_get(slo, "ttft_p99")->text, "1s");
    ck_assert_int_eq(
        io_apply_override(&errs, &root, "router={policy: random}"), HS_OK);
    ck_assert_str_eq(at_path("router", "policy")->text, "random");
    ck_assert_str_eq(messages(), "");
}
END_TEST

START_TEST(set_indexes_sequences)
{
    const io_node *w;

    ck_assert_int_eq(parse("workload:\n  - {name: a, synthetic: {requests: "
                           "5}}\n  - {name: b}\n"),
                     HS_OK);
    ck_assert_int_eq(
        io_apply_override(&errs, &root, "workload.0.synthetic.requests=9"),
        HS_OK);
    w = at_path("workload", NULL);
    ck_assert_str_eq(io_get(io_get(w->kids[0], "synthetic"), "requests")->text,
                     "9");
    ck_assert_int_eq(io_apply_override(&errs, &root, "workload.1={name: c}"),
                     HS_OK);
    ck_assert_str_eq(io_get(w->kids[1], "name")->text, "c");
    ck_assert_uint_eq(w->kids[1]->index, 1);
    ck_assert_str_eq(messages(), "");
}
END_TEST

START_TEST(set_reports_bad_paths_and_values)
{
    ck_assert_int_eq(parse("workload: [{name: a}]\ncluster: {mode: split}\n"),
                     HS_OK);
    ck_assert_int_eq(io_apply_override(&errs, &root, "workload.3.name=x"),
                     HS_EINPUT);
    ck_assert_int_eq(io_apply_override(&errs, &root, "cluster.mode.x=1"),
                     HS_EINPUT);
    ck_assert_int_eq(io_apply_override(&errs, &root, "cluster..mode=1"),
                     HS_EINPUT);
    ck_assert_int_eq(io_apply_override(&errs, &root, "cluster.mode"),
                     HS_EINPUT);
    ck_assert_int_eq(io_apply_override(&errs, &root, "cluster.mode=[a, "),
                     HS_EINPUT);
    ck_assert_str_eq(at_path("cluster", "mode")->text, "split");
    ck_assert_str_eq(
        messages(),
        "--set:1:10: error: workload: no item '3' (the sequence has 1 "
        "items, numbered from 0)\n"
        "--set:1:14: error: cluster.mode: cannot set 'x' inside the scalar "
        "'split'\n"
        "--set:1:9: error: bad path 'cluster..mode': empty component\n"
        "--set:1:1: error: expected PATH=VALUE, found 'cluster.mode'\n"
        "--set:1:18: error: invalid YAML: did not find expected node "
        "content (while parsing a flow node at line 1, column 18)\n");
}
END_TEST

START_TEST(set_value_errors_point_into_the_argument)
{
    int64_t v;

    ck_assert_int_eq(parse("cluster: {prefill: {count: 2}}\n"), HS_OK);
    ck_assert_int_eq(
        io_apply_override(&errs, &root, "cluster.prefill.count=abc"), HS_OK);
    io_int(&errs, io_get(at_path("cluster", "prefill"), "count"), 1, INT64_MAX,
           &v);
    ck_assert_str_eq(messages(), "--set:1:23: error: cluster.prefill.count: "
                                 "expected an integer >= 1, found 'abc'\n");
}
END_TEST

Suite *io_yaml_suite(void)
{
    Suite *s = suite_create("io_yaml");
    TCase *tree = tcase_create("tree");
    TCase *scalars = tcase_create("scalars");
    TCase *set = tcase_create("set");

    tcase_add_checked_fixture(tree, setup, teardown);
    tcase_add_test(tree, tree_has_locations_and_paths);
    tcase_add_test(tree, empty_document_is_null_root);
    tcase_add_test(tree, syntax_error_has_location);
    tcase_add_test(tree, duplicate_key_is_an_error);
    tcase_add_test(tree, non_scalar_key_is_an_error);
    tcase_add_test(tree, one_document_only);
    tcase_add_test(tree, aliases_are_copies);
    tcase_add_test(tree, deep_nesting_is_refused);
    tcase_add_test(tree, alias_bomb_is_refused);
    tcase_add_test(tree, alias_bomb_by_bytes_is_refused);
    suite_add_tcase(s, tree);

    tcase_add_checked_fixture(scalars, setup, teardown);
    tcase_add_test(scalars, unknown_and_missing_keys);
    tcase_add_test(scalars, typed_scalars_read_values);
    tcase_add_test(scalars, typed_scalars_report_what_was_found);
    tcase_add_test(scalars, quantities_need_units);
    tcase_add_test(scalars, errors_come_out_sorted_by_file_line_col);
    tcase_add_test(scalars, flushed_errors_are_items);
    tcase_add_test(scalars, param_tables_bind_and_default);
    tcase_add_test(scalars, param_tables_report_in_table_order);
    suite_add_tcase(s, scalars);

    tcase_add_checked_fixture(set, setup, teardown);
    tcase_add_test(set, set_replaces_a_scalar);
    tcase_add_test(set, set_creates_missing_mappings);
    tcase_add_test(set, set_indexes_sequences);
    tcase_add_test(set, set_reports_bad_paths_and_values);
    tcase_add_test(set, set_value_errors_point_into_the_argument);
    suite_add_tcase(s, set);
    return s;
}
