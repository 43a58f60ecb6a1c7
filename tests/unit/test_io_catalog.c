/*
 * test_io_catalog.c -- the catalogs of models, hardware and links: every
 * shipped file under configs/ loads cleanly, entries of the test catalog
 * (tests/data/catalog) load with the documented defaults, and broken
 * entries (tests/data/catalog-bad) are reported with exact messages.
 * Tests run from the repository root.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ck_util.h"
#include "hetsim/io.h"
#include "hetsim/preset.h"

Suite *io_catalog_suite(void);

#define TEST_CAT "tests/data/catalog"
#define BAD_CAT "tests/data/catalog-bad"

static hs_diag *diag;
static const hs_loc nowhere = {NULL, 0, 0};

static void setup(void)
{
    diag = hs_diag_new();
}

static void teardown(void)
{
    hs_diag_free(diag);
}

/* Every message, one per line (static). */
static const char *messages(void)
{
    const char *text = ck_diag_text(diag);

    hs_diag_clear(diag);
    return text;
}

/* ---- the shipped catalogs ----------------------------------------------- */

static void load_all_clean(io_catalog_kind kind)
{
    io_catalog *c = NULL;
    int rc = io_catalog_load_all("configs", kind, &c, diag);

    ck_assert_msg(rc == HS_OK, "configs/%s:\n%s", io_catalog_kind_name(kind),
                  messages());
    ck_assert_uint_eq(hs_diag_count(diag), 0);
    ck_assert_uint_ge(c->n, 1);
    for (size_t i = 0; i < c->n; i++) {
        char why[128];

        if (kind == IO_CATALOG_MODELS)
            ck_assert_msg(cost_model_valid(&c->models[i], why, sizeof why),
                          "%s: %s", c->models[i].name, why);
        else if (kind == IO_CATALOG_HARDWARE)
            ck_assert(c->hardware[i].dev.peak_flops[COST_BF16] > 0);
        else
            ck_assert(c->links[i].bandwidth > 0);
    }
    io_catalog_free(c);
}

START_TEST(shipped_models_load_cleanly)
{
    load_all_clean(IO_CATALOG_MODELS);
}
END_TEST

START_TEST(shipped_hardware_loads_cleanly)
{
    load_all_clean(IO_CATALOG_HARDWARE);
}
END_TEST

START_TEST(shipped_links_load_cleanly)
{
    load_all_clean(IO_CATALOG_LINKS);
}
END_TEST

/* ---- the test catalog --------------------------------------------------- */

START_TEST(names_are_listed_sorted)
{
    char **names;
    size_t n;

    ck_assert_int_eq(
        io_catalog_list(TEST_CAT, IO_CATALOG_MODELS, &names, &n, diag), HS_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(names[0], "tiny");
    ck_assert_str_eq(names[1], "tiny-mla");
    io_names_free(names, n);
    ck_assert_int_eq(io_catalog_list("tests/data/nothere", IO_CATALOG_LINKS,
                                     &names, &n, diag),
                     HS_EIO);
    ck_assert_ptr_null(names);
    ck_assert_str_eq(messages(), "tests/data/nothere/links: error: cannot "
                                 "read the directory: No such file or "
                                 "directory\n");
}
END_TEST

START_TEST(model_loads_with_defaults)
{
    cost_model m;

    ck_assert_int_eq(
        io_catalog_load_model(TEST_CAT, "tiny", &m, nowhere, diag), HS_OK);
    ck_assert_str_eq(m.name, "tiny");
    ck_assert_int_eq(m.layers, 2);
    ck_assert_int_eq(m.kv_heads, 2);
    ck_assert_int_eq(m.head_dim, 32);
    ck_assert_int_eq(m.max_context, 4096);
    ck_assert(m.gated_mlp);
    ck_assert(!m.tied_embeddings);
    ck_assert(!m.has_mla);
    ck_assert_int_eq(m.moe_experts, 0);
    ck_assert_int_eq(
        io_catalog_load_model(TEST_CAT, "tiny-mla", &m, nowhere, diag), HS_OK);
    ck_assert(m.has_mla);
    ck_assert(!m.gated_mlp);
    ck_assert_int_eq(m.mla_kv_lora_rank, 64);
    ck_assert_int_eq(m.mla_q_lora_rank, 0);
    ck_assert_int_eq(m.moe_experts, 8);
    ck_assert_int_eq(m.moe_shared_experts, 1);
    ck_assert_int_eq(m.moe_dense_layers, 1);
    ck_assert_str_eq(messages(), "");
}
END_TEST

START_TEST(hardware_loads_with_defaults)
{
    io_hardware h;

    ck_assert_int_eq(
        io_catalog_load_hardware(TEST_CAT, "gpu-a", &h, nowhere, diag), HS_OK);
    ck_assert_str_eq(h.dev.name, "gpu-a");
    ck_assert_str_eq(h.link, "fastlink");
    ck_assert_double_eq(h.dev.peak_flops[COST_BF16], 1e15);
    ck_assert_double_eq(h.dev.peak_flops[COST_FP8], 2e15);
    ck_assert_double_eq(h.dev.peak_flops[COST_FP4], 0);
    ck_assert_double_eq(h.dev.mem_bytes, 80e9);
    ck_assert_double_eq(h.dev.mem_bw, 3e12);
    ck_assert_double_eq(h.dev.power_busy_w, 700);
    ck_assert_double_eq(h.dev.power_idle_w, 175); /* 25% of power */
    ck_assert_double_eq(h.dev.eta_compute, 0.7);
    ck_assert_double_eq(h.dev.eta_memory, 0.85);
    ck_assert_double_eq(h.dev.step_overhead_s, 0);
    ck_assert_double_eq(h.dev.layer_overhead_s, 0);
    ck_assert_double_eq(h.dev.mem_margin, 0.1);
    ck_assert_double_eq(h.dev.cost_per_hour, 2.5);
    ck_assert(!h.dev.hypothetical);

    ck_assert_int_eq(
        io_catalog_load_hardware(TEST_CAT, "gpu-b", &h, nowhere, diag), HS_OK);
    ck_assert_str_eq(h.link, "");
    ck_assert(h.dev.hypothetical);
    ck_assert_double_eq(h.dev.mem_bytes, 48.0 * 1073741824.0);
    ck_assert_double_eq(h.dev.power_idle_w, 50);
    ck_assert_double_eq(h.dev.eta_compute, 0.6);
    ck_assert_double_eq(h.dev.eta_memory, 0.8);
    ck_assert_double_eq_tol(h.dev.step_overhead_s, 10e-6, 1e-15);
    ck_assert_double_eq_tol(h.dev.layer_overhead_s, 1e-6, 1e-15);
    ck_assert_double_eq(h.dev.mem_margin, 0.05);
    ck_assert_str_eq(messages(), "");
}
END_TEST

START_TEST(link_loads)
{
    cost_link l;

    ck_assert_int_eq(
        io_catalog_load_link(TEST_CAT, "slowlink", &l, nowhere, diag), HS_OK);
    ck_assert_str_eq(l.name, "slowlink");
    ck_assert_double_eq(l.bandwidth, 50e9); /* 400Gb/s */
    ck_assert_double_eq_tol(l.latency_s, 5e-6, 1e-15);
    ck_assert_double_eq_tol(l.energy_per_bit, 20e-12, 1e-21);
}
END_TEST

START_TEST(unknown_entry_lists_the_known_ones)
{
    cost_model m;
    hs_loc at = {"s.yaml", 3, 8};

    ck_assert_int_eq(io_catalog_load_model(TEST_CAT, "huge", &m, at, diag),
                     HS_EINPUT);
    ck_assert_int_eq(io_catalog_load_model(TEST_CAT, "../catalog/models/tiny",
                                           &m, nowhere, diag),
                     HS_EINPUT);
    ck_assert_str_eq(messages(),
                     "s.yaml:3:8: error: no model 'huge' in "
                     "tests/data/catalog/models (known: tiny, tiny-mla)\n"
                     "error: no model '../catalog/models/tiny' in "
                     "tests/data/catalog/models (known: tiny, tiny-mla)\n");
}
END_TEST

/* ---- broken entries ----------------------------------------------------- */

START_TEST(bad_model_reports_every_problem)
{
    cost_model m;

    ck_assert_int_eq(
        io_catalog_load_model(BAD_CAT, "badmodel", &m, nowhere, diag),
        HS_EINPUT);
    ck_assert_str_eq(
        messages(),
        "tests/data/catalog-bad/models/badmodel.yaml:1:1: error: missing "
        "required key 'ffn'\n"
        "tests/data/catalog-bad/models/badmodel.yaml:1:7: error: name: "
        "expected 'badmodel' (the file name), found 'other'\n"
        "tests/data/catalog-bad/models/badmodel.yaml:8:1: error: unknown key "
        "'colour' (expected one of name, description, layers, hidden, "
        "heads, kv_heads, head_dim, ffn, vocab, tied_embeddings, gated_mlp, "
        "max_context, moe, mla)\n");
}
END_TEST

START_TEST(bad_hardware_reports_every_problem)
{
    io_hardware h;

    ck_assert_int_eq(
        io_catalog_load_hardware(BAD_CAT, "badgpu", &h, nowhere, diag),
        HS_EINPUT);
    ck_assert_str_eq(
        messages(),
        "tests/data/catalog-bad/hardware/badgpu.yaml:2:13: error: "
        "peak_flops: missing required key 'bf16'\n"
        "tests/data/catalog-bad/hardware/badgpu.yaml:3:15: error: "
        "mem_capacity: expected a size in bytes like '80GB', found '80' (no "
        "unit)\n"
        "tests/data/catalog-bad/hardware/badgpu.yaml:7:7: error: link: no "
        "link 'nolink' in tests/data/catalog-bad/links (known: badlink)\n");
}
END_TEST

START_TEST(bad_link_reports_every_problem)
{
    cost_link l;
    io_catalog *c = NULL;

    ck_assert_int_eq(
        io_catalog_load_link(BAD_CAT, "badlink", &l, nowhere, diag),
        HS_EINPUT);
    ck_assert_str_eq(
        messages(),
        "tests/data/catalog-bad/links/badlink.yaml:1:1: error: missing "
        "required key 'energy_per_bit'\n"
        "tests/data/catalog-bad/links/badlink.yaml:2:12: error: bandwidth: "
        "expected a bandwidth like '3.35TB/s', found '450GQ/s' (unknown unit "
        "'GQ/s')\n");
    ck_assert_int_eq(io_catalog_load_all(BAD_CAT, IO_CATALOG_LINKS, &c, diag),
                     HS_EINPUT);
    ck_assert_ptr_null(c);
    ck_assert_uint_eq(hs_diag_count(diag), 2);
}
END_TEST

/* ---- finding the catalog ------------------------------------------------ */

START_TEST(find_uses_the_environment_first)
{
    char *dir = NULL;
    hs_loc none = {NULL, 0, 0};
    cost_link l;

    setenv("HETSIM_CATALOG", TEST_CAT, 1);
    ck_assert_int_eq(io_catalog_find(&dir, diag), HS_OK);
    ck_assert_str_eq(dir, TEST_CAT);
    free(dir);
    /* A NULL directory means "find it". */
    ck_assert_int_eq(io_catalog_load_link(NULL, "fastlink", &l, none, diag),
                     HS_OK);
    setenv("HETSIM_CATALOG", "tests/data/scenarios", 1);
    ck_assert_int_eq(io_catalog_find(&dir, diag), HS_EINPUT);
    ck_assert_ptr_null(dir);
    ck_assert_str_eq(messages(), "error: HETSIM_CATALOG=tests/data/scenarios "
                                 "is not a catalog directory (it needs "
                                 "models/, hardware/ and links/)\n");
    unsetenv("HETSIM_CATALOG");
}
END_TEST

/* A failed search is a value: no location, no key, the reason as the
 * message; a loader given a place reports it there instead. */
START_TEST(failed_search_is_reported_as_fields)
{
    char *dir = NULL;
    hs_loc at = {"s.yaml", 4, 9};
    const hs_diag_item *it;
    const char *msg = "HETSIM_CATALOG=tests/data/scenarios is not a "
                      "catalog directory (it needs models/, hardware/ "
                      "and links/)";
    cost_link l;
    wl_preset p;

    setenv("HETSIM_CATALOG", "tests/data/scenarios", 1);
    ck_assert_int_eq(io_catalog_find(&dir, diag), HS_EINPUT);
    ck_assert_uint_eq(hs_diag_count(diag), 1);
    it = hs_diag_item_at(diag, 0);
    ck_assert_int_eq(it->severity, HS_SEV_ERROR);
    ck_assert_int_eq(it->code, HS_EINPUT);
    ck_assert_ptr_null(it->loc.file);
    ck_assert_ptr_null(it->key);
    ck_assert_str_eq(it->message, msg);
    hs_diag_clear(diag);
    ck_assert_int_eq(io_catalog_load_link(NULL, "fastlink", &l, at, diag),
                     HS_EINPUT);
    at.line = 5;
    ck_assert_int_eq(io_preset_load(NULL, "chat", &p, at, diag), HS_EINPUT);
    ck_assert_uint_eq(hs_diag_count(diag), 2);
    for (size_t i = 0; i < 2; i++) {
        it = hs_diag_item_at(diag, i);
        ck_assert_str_eq(it->loc.file, "s.yaml");
        ck_assert_uint_eq(it->loc.line, 4 + i);
        ck_assert_uint_eq(it->loc.col, 9);
        ck_assert_ptr_null(it->key);
        ck_assert_str_eq(it->message, msg);
    }
    unsetenv("HETSIM_CATALOG");
}
END_TEST

/* An unreadable catalog directory is an I/O error. */
START_TEST(unreadable_directory_is_eio)
{
    char **names = NULL;
    size_t n = 0;
    const hs_diag_item *it;

    ck_assert_int_eq(io_catalog_list("tests/data/nothere", IO_CATALOG_LINKS,
                                     &names, &n, diag),
                     HS_EIO);
    ck_assert_int_eq(io_preset_list("tests/data/nothere", &names, &n, diag),
                     HS_EIO);
    ck_assert_uint_eq(hs_diag_count(diag), 2);
    it = hs_diag_item_at(diag, 0);
    ck_assert_int_eq(it->code, HS_EIO);
    ck_assert_str_eq(it->loc.file, "tests/data/nothere/links");
    ck_assert_str_eq(it->message,
                     "cannot read the directory: No such file or directory");
    it = hs_diag_item_at(diag, 1);
    ck_assert_int_eq(it->code, HS_EIO);
    ck_assert_str_eq(it->loc.file, "tests/data/nothere/presets");
    ck_assert_str_eq(messages(),
                     "tests/data/nothere/links: error: cannot read the "
                     "directory: No such file or directory\n"
                     "tests/data/nothere/presets: error: cannot read the "
                     "directory: No such file or directory\n");
}
END_TEST

START_TEST(find_falls_back_to_the_tree)
{
    char *dir = NULL;
    size_t len;

    /* build/unit_tests and build/san/unit_tests find <repo>/configs. */
    unsetenv("HETSIM_CATALOG");
    ck_assert_int_eq(io_catalog_find(&dir, diag), HS_OK);
    len = strlen(dir);
    ck_assert_uint_ge(len, 8);
    ck_assert_str_eq(dir + len - 8, "/configs");
    free(dir);
}
END_TEST

Suite *io_catalog_suite(void)
{
    Suite *s = suite_create("io_catalog");
    TCase *shipped = tcase_create("shipped");
    TCase *entries = tcase_create("entries");
    TCase *find = tcase_create("find");

    tcase_add_checked_fixture(shipped, setup, teardown);
    tcase_add_test(shipped, shipped_models_load_cleanly);
    tcase_add_test(shipped, shipped_hardware_loads_cleanly);
    tcase_add_test(shipped, shipped_links_load_cleanly);
    suite_add_tcase(s, shipped);

    tcase_add_checked_fixture(entries, setup, teardown);
    tcase_add_test(entries, names_are_listed_sorted);
    tcase_add_test(entries, model_loads_with_defaults);
    tcase_add_test(entries, hardware_loads_with_defaults);
    tcase_add_test(entries, link_loads);
    tcase_add_test(entries, unknown_entry_lists_the_known_ones);
    tcase_add_test(entries, bad_model_reports_every_problem);
    tcase_add_test(entries, bad_hardware_reports_every_problem);
    tcase_add_test(entries, bad_link_reports_every_problem);
    suite_add_tcase(s, entries);

    tcase_add_checked_fixture(find, setup, teardown);
    tcase_add_test(find, find_uses_the_environment_first);
    tcase_add_test(find, find_falls_back_to_the_tree);
    tcase_add_test(find, failed_search_is_reported_as_fields);
    tcase_add_test(find, unreadable_directory_is_eio);
    suite_add_tcase(s, find);
    return s;
}
