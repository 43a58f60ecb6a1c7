/*
 * app_merge.c -- results files into one (app.h, app_merge_file): the
 * runs of a sweep's workers, of 'hetsim sweep --shard' files and of MPI
 * ranks are copied into the output store by io_store_merge(); a done run
 * whose point (app_run_key) the output already holds done is copied too
 * -- nothing is dropped -- and reported as a duplicate.
 */
#include "hetsim/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct id_list {
    int64_t *v;
    size_t n, cap;
} id_list;

static int take_id(void *ctx, const io_row *row)
{
    id_list *l = ctx;

    hs_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = strtoll(row->values[0], NULL, 10);
    return 0;
}

/* The keys of the done runs of 's' (keys[i] of run ids->v[i]). */
typedef struct key_set {
    id_list ids;
    char **keys;
} key_set;

static int load_keys(io_store *s, key_set *k, hs_diag *d)
{
    int rc = io_store_query(s,
                            "SELECT run_id FROM runs WHERE status = 'done' "
                            "ORDER BY run_id",
                            NULL, 0, take_id, &k->ids, d);

    k->keys = hs_calloc(k->ids.n + 1, sizeof *k->keys);
    for (size_t i = 0; i < k->ids.n && rc == HS_OK; i++)
        k->keys[i] = app_run_key(s, k->ids.v[i], d);
    return rc;
}

static void free_keys(key_set *k)
{
    for (size_t i = 0; i < k->ids.n; i++)
        free(k->keys[i]);
    free(k->keys);
    free(k->ids.v);
}

static bool is_done(io_store *s, int64_t run_id, hs_diag *d)
{
    char id[32];
    const char *prm[1] = {id};
    id_list l = {0};

    snprintf(id, sizeof id, "%lld", (long long)run_id);
    io_store_query(s,
                   "SELECT run_id FROM runs WHERE run_id = CAST(?1 AS "
                   "INTEGER) AND status = 'done'",
                   prm, 1, take_id, &l, d);
    free(l.v);
    return l.n > 0;
}

/* Warn about run 'to' (run 'from' of 'src') when a run of 'k' has its
 * key; then add it to 'k'. */
static void check_dup(io_store *s, key_set *k, const char *src, int64_t from,
                      int64_t to, app_merge_stats *st, hs_diag *dup,
                      hs_diag *d)
{
    char *key = is_done(s, to, d) ? app_run_key(s, to, d) : NULL;
    hs_loc at = {src, 0, 0};

    if (key == NULL)
        return;
    for (size_t i = 0; i < k->ids.n; i++) {
        hs_diag_item it;
        char *msg;

        if (k->keys[i] == NULL || strcmp(k->keys[i], key) != 0)
            continue;
        msg = hs_asprintf("run %lld is a duplicate point: run %lld of the "
                          "output has the same scenario, seed and "
                          "parameters (both kept, as run %lld and run %lld)",
                          (long long)from, (long long)k->ids.v[i],
                          (long long)k->ids.v[i], (long long)to);
        memset(&it, 0, sizeof it);
        it.severity = HS_SEV_WARNING;
        it.code = HS_OK;
        it.loc = at;
        it.message = msg;
        hs_diag_add(dup, &it);
        free(msg);
        st->duplicates++;
        break;
    }
    hs_grow((void **)&k->ids.v, &k->ids.cap, k->ids.n + 1, sizeof *k->ids.v);
    k->keys = realloc(k->keys, (k->ids.n + 1) * sizeof *k->keys);
    HS_ASSERT(k->keys != NULL);
    k->ids.v[k->ids.n] = to;
    k->keys[k->ids.n++] = key;
}

int app_merge_file(io_store *s, const char *src, int64_t only,
                   app_merge_stats *st, hs_diag *dup, hs_diag *d)
{
    key_set k;
    int64_t *from = NULL, *to = NULL;
    size_t n = 0;
    int rc = HS_OK;

    memset(&k, 0, sizeof k);
    if (dup != NULL)
        rc = load_keys(s, &k, d);
    if (rc == HS_OK)
        rc = io_store_merge(s, src, only, &from, &to, &n, d);
    st->runs += n;
    st->last_run = n > 0 ? to[n - 1] : -1;
    for (size_t i = 0; i < n && dup != NULL; i++)
        check_dup(s, &k, src, from[i], to[i], st, dup, d);
    free(from);
    free(to);
    free_keys(&k);
    return rc;
}
