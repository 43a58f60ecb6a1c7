/*
 * io_value.c -- reading the document tree (io_int.h): structure checks
 * (known keys, mappings and sequences, required members) and typed
 * scalars (integers, booleans, numbers, quantities with units, strings,
 * names, enums) with "expected ..., found ..." messages.
 */
#include "io_int.h"

#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void io_check_kind_keys(io_errs *e, const io_node *n,
                        const char *const *general, const char *const *allowed,
                        const char *what, const char *kind)
{
    for (size_t i = 0; i < n->n_kids; i++) {
        const io_node *k = n->kids[i];
        char path[256];

        if (!in_list(k->key, general) || in_list(k->key, allowed))
            continue;
        io_path(n, path, sizeof path);
        io_key_error(e, k->key_loc, path, "'%s' does not apply to %s '%s'",
                     k->key, what, kind);
    }
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
    int rc;

    snprintf(what, sizeof what, "%s %s like '%s'", article(noun), noun,
             hs_unit_kind_example(kind));
    if (!want_scalar(e, n, what))
        return HS_EINPUT;
    rc = hs_parse_quantity(n->text, kind, &v, why, sizeof why);
    if (rc != HS_OK) {
        double bare;

        io_describe(n, buf, sizeof buf);
        if (hs_parse_double(n->text, &bare) == HS_OK)
            return io_node_error(e, n, "expected %s, found %s (no unit)", what,
                                 buf);
        if (rc == HS_EUNIT)
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
