/*
 * test_hs_units.c -- the units parser and the diagnostics list (items
 * as fields, their printed form, context tagging, de-duplication).
 */
#include <check.h>
#include <string.h>

#include "hetsim/util.h"

Suite *hs_units_suite(void);

static double parse_ok(const char *text, hs_unit_kind kind)
{
    double v = -1;
    char why[128];

    ck_assert_msg(hs_parse_quantity(text, kind, &v, why, sizeof why) == HS_OK,
                  "%s: %s", text, why);
    return v;
}

static void parse_bad(const char *text, hs_unit_kind kind, const char *want)
{
    double v = -1;
    char why[128] = "";

    /* An unknown unit has its own status; the reason is for people. */
    ck_assert_int_eq(hs_parse_quantity(text, kind, &v, why, sizeof why),
                     strncmp(want, "unknown unit", 12) == 0 ? HS_EUNIT
                                                            : HS_EINPUT);
    ck_assert_msg(strstr(why, want) != NULL, "%s: got '%s', want '%s'", text,
                  why, want);
}

START_TEST(bytes_decimal_and_binary)
{
    ck_assert_double_eq(parse_ok("80GB", HS_UNIT_BYTES), 80e9);
    ck_assert_double_eq(parse_ok("80 GiB", HS_UNIT_BYTES),
                        80.0 * 1073741824.0);
    ck_assert_double_eq(parse_ok("512B", HS_UNIT_BYTES), 512.0);
    ck_assert_double_eq(parse_ok("1.5KiB", HS_UNIT_BYTES), 1536.0);
    ck_assert_double_eq(parse_ok("16TB", HS_UNIT_BYTES), 16e12);
}
END_TEST

START_TEST(bandwidth_bytes_and_bits)
{
    ck_assert_double_eq_tol(parse_ok("3.35TB/s", HS_UNIT_BANDWIDTH), 3.35e12,
                            1);
    ck_assert_double_eq(parse_ok("400Gb/s", HS_UNIT_BANDWIDTH), 50e9);
    ck_assert_double_eq(parse_ok("400Gbps", HS_UNIT_BANDWIDTH), 50e9);
    ck_assert_double_eq(parse_ok("64GB/s", HS_UNIT_BANDWIDTH), 64e9);
    ck_assert_double_eq(parse_ok("1GiB/s", HS_UNIT_BANDWIDTH), 1073741824.0);
}
END_TEST

START_TEST(time_flops_power_energy_rate)
{
    ck_assert_double_eq_tol(parse_ok("150ns", HS_UNIT_TIME), 150e-9, 1e-18);
    ck_assert_double_eq_tol(parse_ok("1.5us", HS_UNIT_TIME), 1.5e-6, 1e-18);
    ck_assert_double_eq(parse_ok("2s", HS_UNIT_TIME), 2.0);
    ck_assert_double_eq(parse_ok("5min", HS_UNIT_TIME), 300.0);
    ck_assert_double_eq(parse_ok("1h", HS_UNIT_TIME), 3600.0);
    ck_assert_double_eq_tol(parse_ok("100ms", HS_UNIT_TIME), 0.1, 1e-15);
    ck_assert_double_eq(parse_ok("989TFLOP/s", HS_UNIT_FLOPS), 989e12);
    ck_assert_double_eq(parse_ok("2PFLOP/s", HS_UNIT_FLOPS), 2e15);
    ck_assert_double_eq(parse_ok("700W", HS_UNIT_POWER), 700.0);
    ck_assert_double_eq(parse_ok("1.2kW", HS_UNIT_POWER), 1200.0);
    ck_assert_double_eq_tol(parse_ok("3.1pJ", HS_UNIT_ENERGY), 3.1e-12, 1e-24);
    ck_assert_double_eq(parse_ok("5/s", HS_UNIT_RATE), 5.0);
    ck_assert_double_eq(parse_ok("300/min", HS_UNIT_RATE), 5.0);
    ck_assert_double_eq(parse_ok("0.5/s", HS_UNIT_RATE), 0.5);
}
END_TEST

START_TEST(bad_quantities)
{
    parse_bad("80", HS_UNIT_BYTES, "has no unit");
    parse_bad("80GQ", HS_UNIT_BYTES, "unknown unit 'GQ'");
    parse_bad("GB", HS_UNIT_BYTES, "does not start with a decimal number");
    parse_bad("-1GB", HS_UNIT_BYTES, "negative");
    parse_bad("", HS_UNIT_TIME, "empty");
    parse_bad("3TB/s", HS_UNIT_BYTES, "unknown unit");
    parse_bad("10GB", HS_UNIT_BANDWIDTH, "unknown unit");
    parse_bad("5", HS_UNIT_RATE, "has no unit");
    parse_bad("inf W", HS_UNIT_POWER, "does not start with a decimal number");
    /* Issue 16: a finite number whose unit overflows it, and strtod's
     * other forms (hex floats, inf, nan), are refused. */
    parse_bad("1e308TB/s", HS_UNIT_BANDWIDTH, "out of range");
    parse_bad("1e306h", HS_UNIT_TIME, "out of range");
    parse_bad("0x1p3GB", HS_UNIT_BYTES, "does not start with a decimal");
    parse_bad("nan s", HS_UNIT_TIME, "does not start with a decimal");
    parse_bad("infinity GB", HS_UNIT_BYTES, "does not start with a decimal");
    ck_assert_double_eq(parse_ok(".5s", HS_UNIT_TIME), 0.5);
    ck_assert_double_eq(parse_ok("1e3GB", HS_UNIT_BYTES), 1e12);
}
END_TEST

START_TEST(plain_numbers)
{
    double d;
    int64_t i;

    ck_assert_int_eq(hs_parse_double("2.5", &d), HS_OK);
    ck_assert_double_eq(d, 2.5);
    ck_assert_int_eq(hs_parse_double("2.5x", &d), HS_EINPUT);
    ck_assert_int_eq(hs_parse_int64("42", 0, 100, &i), HS_OK);
    ck_assert_int_eq(i, 42);
    ck_assert_int_eq(hs_parse_int64("420", 0, 100, &i), HS_ERANGE);
    ck_assert_int_eq(hs_parse_int64("4.2", 0, 100, &i), HS_EINPUT);
}
END_TEST

START_TEST(diag_formats_locations)
{
    hs_diag *d = hs_diag_new();
    hs_loc at = {"t.yaml", 3, 7};
    hs_loc noline = {"t.yaml", 0, 0};
    hs_loc nocol = {"t.yaml", 4, 0};
    hs_loc none = {NULL, 0, 0};
    const char *why = NULL;

    ck_assert_int_eq(hs_diag_error(d, at, "unknown key '%s'", "bandwith"),
                     HS_EINPUT);
    hs_diag_error(d, at, "unknown key '%s'", "bandwith"); /* duplicate */
    hs_diag_error(d, noline, "cannot open");
    hs_diag_error(d, nocol, "bad line");
    hs_diag_error(d, none, "no file");
    ck_assert_uint_eq(hs_diag_count(d), 4);
    ck_assert_str_eq(hs_diag_message(d, 0),
                     "t.yaml:3:7: error: unknown key 'bandwith'");
    ck_assert_str_eq(hs_diag_message(d, 1), "t.yaml: error: cannot open");
    ck_assert_str_eq(hs_diag_message(d, 2), "t.yaml:4: error: bad line");
    ck_assert_str_eq(hs_diag_message(d, 3), "error: no file");
    ck_assert_msg(hs_diag_check(d, &why), "%s", why);
    hs_diag_free(d);
}
END_TEST

/* Every field of an item comes back as it went in, the diag owning its
 * copies of the strings. */
START_TEST(diag_items_are_fields)
{
    hs_diag *d = hs_diag_new();
    char file[] = "s.yaml";
    hs_loc at = {file, 5, 9};
    const hs_diag_item *it;

    ck_assert_int_eq(hs_diag_key_error(d, at, "cluster.mode",
                                       "expected one of %s", "monolithic"),
                     HS_EINPUT);
    file[0] = 'X'; /* the diag keeps its own copy */
    it = hs_diag_item_at(d, 0);
    ck_assert_int_eq(it->severity, HS_SEV_ERROR);
    ck_assert_int_eq(it->code, HS_EINPUT);
    ck_assert_str_eq(it->loc.file, "s.yaml");
    ck_assert_uint_eq(it->loc.line, 5);
    ck_assert_uint_eq(it->loc.col, 9);
    ck_assert_ptr_null(it->context);
    ck_assert_str_eq(it->key, "cluster.mode");
    ck_assert_str_eq(it->message, "expected one of monolithic");
    ck_assert_str_eq(hs_diag_message(d, 0),
                     "s.yaml:5:9: error: cluster.mode: expected one of "
                     "monolithic");
    hs_diag_free(d);
}
END_TEST

/* A warning and an I/O error added as items; a copy tagged with a
 * context prints it between the severity and the key. */
START_TEST(diag_context_and_severity)
{
    hs_diag *d = hs_diag_new();
    hs_diag *v = hs_diag_new();
    hs_diag_item w = {HS_SEV_WARNING, HS_OK, {"a.yaml", 1, 2},
                      NULL,           "slo", "ignored"};
    hs_diag_item io = {
        HS_SEV_ERROR, HS_EIO, {"dir", 0, 0},
        NULL,         NULL,   "cannot read the directory: Permission denied"};
    const char *why = NULL;

    ck_assert_int_eq(hs_diag_add(d, &w), HS_OK);
    ck_assert_int_eq(hs_diag_add(d, &io), HS_EIO);
    ck_assert_str_eq(hs_diag_message(d, 0),
                     "a.yaml:1:2: warning: slo: ignored");
    ck_assert_str_eq(hs_diag_message(d, 1),
                     "dir: error: cannot read the directory: Permission "
                     "denied");
    ck_assert_int_eq(hs_diag_item_at(d, 1)->code, HS_EIO);
    /* Of the two, one error: warnings do not count. */
    ck_assert_uint_eq(hs_diag_errors(d), 1);
    ck_assert_uint_eq(hs_diag_errors(v), 0);
    ck_assert_uint_eq(hs_diag_errors(NULL), 0);
    ck_assert_int_eq(
        hs_diag_add_context(v, hs_diag_item_at(d, 0), "variant 'mono'"),
        HS_OK);
    ck_assert_str_eq(hs_diag_item_at(v, 0)->context, "variant 'mono'");
    ck_assert_str_eq(hs_diag_message(v, 0),
                     "a.yaml:1:2: warning: variant 'mono': slo: ignored");
    /* The tagged copy is a different item; the untagged one is in 'd'. */
    ck_assert(!hs_diag_item_eq(hs_diag_item_at(v, 0), &w));
    ck_assert(hs_diag_contains(d, &w));
    ck_assert(!hs_diag_contains(d, hs_diag_item_at(v, 0)));
    /* Adding the same tagged item again is a duplicate. */
    hs_diag_add(v, hs_diag_item_at(v, 0));
    ck_assert_uint_eq(hs_diag_count(v), 1);
    ck_assert_msg(hs_diag_check(d, &why), "%s", why);
    ck_assert_msg(hs_diag_check(v, &why), "%s", why);
    hs_diag_clear(d);
    ck_assert_uint_eq(hs_diag_count(d), 0);
    ck_assert_uint_eq(hs_diag_count(NULL), 0);
    ck_assert_int_eq(hs_diag_add(NULL, &io), HS_EIO);
    hs_diag_free(v);
    hs_diag_free(d);
}
END_TEST

/* Equality is by every field: items that differ only in code, key or
 * location are different. */
START_TEST(diag_equality_by_fields)
{
    hs_diag_item a = {HS_SEV_ERROR, HS_EINPUT, {"f", 1, 1}, NULL, "k", "m"};
    hs_diag_item b = a;

    ck_assert(hs_diag_item_eq(&a, &b));
    b.code = HS_EIO;
    ck_assert(!hs_diag_item_eq(&a, &b));
    b = a;
    b.key = NULL;
    ck_assert(!hs_diag_item_eq(&a, &b));
    b = a;
    b.loc.col = 2;
    ck_assert(!hs_diag_item_eq(&a, &b));
    b = a;
    b.loc.file = NULL;
    ck_assert(!hs_diag_item_eq(&a, &b));
    b = a;
    b.context = "variant 'x'";
    ck_assert(!hs_diag_item_eq(&a, &b));
    b = a;
    b.message = "m2";
    ck_assert(!hs_diag_item_eq(&a, &b));
}
END_TEST

START_TEST(time_conversion_rounds)
{
    ck_assert_int_eq(hs_time_from_s(1.5e-9), 2);
    ck_assert_int_eq(hs_time_from_s(2.0), 2 * HS_NS_PER_S);
    ck_assert_int_eq(hs_time_from_s(1e300), HS_TIME_MAX);
}
END_TEST

Suite *hs_units_suite(void)
{
    Suite *s = suite_create("hs_units");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, bytes_decimal_and_binary);
    tcase_add_test(tc, bandwidth_bytes_and_bits);
    tcase_add_test(tc, time_flops_power_energy_rate);
    tcase_add_test(tc, bad_quantities);
    tcase_add_test(tc, plain_numbers);
    tcase_add_test(tc, diag_formats_locations);
    tcase_add_test(tc, diag_items_are_fields);
    tcase_add_test(tc, diag_context_and_severity);
    tcase_add_test(tc, diag_equality_by_fields);
    tcase_add_test(tc, time_conversion_rounds);
    suite_add_tcase(s, tc);
    return s;
}
