/*
 * test_hs_table.c -- the hash function and the open-addressing table of
 * util: known splitmix64 values, and random operation sequences checked
 * against a plain array after every step (invariants T1-T2 included).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "hetsim/util.h"

Suite *hs_table_suite(void);

START_TEST(mix64_is_splitmix64)
{
    /* The first outputs of the splitmix64 generator seeded with 0 are
     * hs_mix64(0), hs_mix64(golden), ... (Vigna's reference code). */
    ck_assert_uint_eq(hs_mix64(0), UINT64_C(0xe220a8397b1dcdaf));
    ck_assert_uint_eq(hs_mix64(UINT64_C(0x9e3779b97f4a7c15)),
                      UINT64_C(0x6e789e6aa1b965f4));
}
END_TEST

START_TEST(string_hash_depends_on_every_byte)
{
    ck_assert_uint_ne(hs_hash_str("gpu.0"), hs_hash_str("gpu.1"));
    ck_assert_uint_ne(hs_hash_str("abcdefgh"), hs_hash_str("abcdefgh\x01"));
    ck_assert_uint_ne(hs_hash_str(""), hs_hash_str("a"));
    ck_assert_uint_eq(hs_hash_str("prefill.12"), hs_hash_str("prefill.12"));
}
END_TEST

/* A reference map: keys[i] -> vals[i], unordered. */
typedef struct ref_map {
    uint64_t keys[512], vals[512];
    size_t n;
} ref_map;

static long ref_find(const ref_map *m, uint64_t key)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->keys[i] == key)
            return (long)i;
    return -1;
}

static void check_same(const hs_table *t, const ref_map *m)
{
    const char *why = NULL;
    size_t pos = 0, seen = 0;
    uint64_t k, v;

    ck_assert_msg(hs_table_check(t, &why), "%s", why);
    ck_assert_uint_eq(t->n, m->n);
    for (size_t i = 0; i < m->n; i++) {
        ck_assert(hs_table_get(t, m->keys[i], &v));
        ck_assert_uint_eq(v, m->vals[i]);
    }
    while (hs_table_next(t, &pos, &k, &v)) {
        long i = ref_find(m, k);

        ck_assert_int_ge(i, 0);
        ck_assert_uint_eq(v, m->vals[i]);
        seen++;
    }
    ck_assert_uint_eq(seen, m->n);
}

START_TEST(random_operations_match_a_plain_array)
{
    hs_table t;
    ref_map m;
    uint64_t x = 12345;

    hs_table_init(&t);
    memset(&m, 0, sizeof m);
    ck_assert(!hs_table_get(&t, 7, NULL));
    ck_assert(!hs_table_del(&t, 7));
    for (int step = 0; step < 6000; step++) {
        uint64_t r = hs_mix64(x++);
        /* Few distinct keys, so puts overwrite and deletes hit; some
         * keys share a home bucket. */
        uint64_t key = (r >> 8) % 300 * (r & 1 ? 1 : 1024);
        long i = ref_find(&m, key);

        if ((r & 6) != 0) {
            hs_table_put(&t, key, r);
            if (i < 0) {
                m.keys[m.n] = key;
                i = (long)m.n++;
            }
            m.vals[i] = r;
        } else {
            ck_assert(hs_table_del(&t, key) == (i >= 0));
            if (i >= 0) {
                m.keys[i] = m.keys[m.n - 1];
                m.vals[i] = m.vals[m.n - 1];
                m.n--;
            }
        }
        if (step % 97 == 0 || step > 5900)
            check_same(&t, &m);
    }
    check_same(&t, &m);
    hs_table_fini(&t);
}
END_TEST

Suite *hs_table_suite(void)
{
    Suite *s = suite_create("hs_table");
    TCase *tc = tcase_create("table");

    tcase_add_test(tc, mix64_is_splitmix64);
    tcase_add_test(tc, string_hash_depends_on_every_byte);
    tcase_add_test(tc, random_operations_match_a_plain_array);
    suite_add_tcase(s, tc);
    return s;
}
