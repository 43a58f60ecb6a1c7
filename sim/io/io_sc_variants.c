/*
 * io_sc_variants.c -- a scenario's 'variants' section and the --set
 * overrides: checking the variants and listing their names, and applying
 * the selected variant's 'set:' entries and then the overrides to the
 * document tree before anything is bound.  Neither may change 'variants'
 * itself.
 */
#include "io_sc_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const variant_keys[] = {"name", "description", "set", NULL};

/* True for a path inside 'variants', which variants and --set may not
 * change. */
static bool sets_variants(const char *path)
{
    return strncmp(path, "variants", 8) == 0 &&
           (path[8] == '\0' || path[8] == '.' || path[8] == '=');
}

/* Check the 'variants' section and collect the names (in '*names'). */
void io_sc_read_variants(io_errs *e, const io_node *root, char ***names,
                         size_t *count)
{
    const io_node *n = io_get(root, "variants");

    *names = NULL;
    *count = 0;
    if (n == NULL || !io_expect_seq(e, n))
        return;
    *names = hs_calloc(n->n_kids + 1, sizeof(char *));
    for (size_t i = 0; i < n->n_kids; i++) {
        const io_node *v = n->kids[i], *set;
        char *name = NULL;

        if (!io_expect_map(e, v))
            continue;
        io_check_keys(e, v, variant_keys);
        if (io_field_string(e, v, "name", true, &name) == HS_OK &&
            name != NULL) {
            for (size_t j = 0; j < *count; j++)
                if (strcmp((*names)[j], name) == 0)
                    io_node_error(e, io_get(v, "name"),
                                  "duplicate variant name '%s'", name);
            (*names)[(*count)++] = name;
        }
        set = io_member(e, v, "set", true);
        if (set != NULL && io_expect_map(e, set)) {
            for (size_t j = 0; j < set->n_kids; j++) {
                char path[256];

                if (!sets_variants(set->kids[j]->key))
                    continue;
                io_path(set, path, sizeof path);
                io_key_error(e, set->kids[j]->key_loc, path,
                             "a variant cannot set '%s'", set->kids[j]->key);
            }
        }
    }
}

/* Apply variant 'name' to the tree. */
void io_sc_apply_variant(io_errs *e, io_node **root, const char *path,
                         const char *name, char **names, size_t count)
{
    const io_node *vs = io_get(*root, "variants");
    const io_node *set = NULL;

    for (size_t i = 0; vs != NULL && vs->kind == IO_SEQ && i < vs->n_kids;
         i++) {
        const io_node *nn = io_get(vs->kids[i], "name");

        if (nn != NULL && nn->kind == IO_SCALAR && strcmp(nn->text, name) == 0)
            set = io_get(vs->kids[i], "set");
    }
    if (set == NULL) {
        hs_loc at = {path, 0, 0};
        char *known;

        for (size_t i = 0; i < count; i++)
            if (strcmp(names[i], name) == 0)
                return; /* a variant without a usable 'set' (reported) */
        known = count > 0 ? io_join((const char *const *)names, count)
                          : hs_strdup("none: the file has no variants");
        io_error(e, at, "unknown variant '%s' (known: %s)", name, known);
        free(known);
        return;
    }
    if (set->kind != IO_MAP)
        return; /* reported by read_variants */
    for (size_t i = 0; i < set->n_kids; i++) {
        const io_node *k = set->kids[i];

        if (sets_variants(k->key))
            continue; /* reported by read_variants */
        io_set_path(e, root, k->key, k->key_loc, io_node_copy(k));
    }
}

void io_sc_apply_overrides(io_errs *e, io_node **root, const io_override *ovr,
                           size_t n, const hs_loc *at)
{
    for (size_t i = 0; i < n; i++) {
        const char *a = ovr[i].arg;

        if (sets_variants(a)) {
            hs_loc set_at = {IO_SET_FILE, 1, 1};

            io_key_error(e, at != NULL ? at[2 * i] : set_at, "variants",
                         "cannot be overridden with --set");
            continue;
        }
        if (at != NULL)
            io_apply_override_at(e, root, a, &at[2 * i]);
        else
            io_apply_override(e, root, a);
    }
}
