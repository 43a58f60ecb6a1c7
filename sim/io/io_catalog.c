/*
 * io_catalog.c -- the catalogs of models, hardware and links
 * (configs/<kind>/<name>.yaml, docs/catalogs.md): finding the catalog
 * directory, listing entries, and loading an entry's file into the
 * cost.h structs with the binders of io_bind.c (which the scenario binder
 * also uses, for inline definitions and overrides of catalog entries).
 */
#include "io_int.h"

#include "hetsim_config.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const kind_dirs[] = {"models", "hardware", "links"};
static const char *const kind_nouns[] = {"model", "hardware", "link"};

const char *io_catalog_kind_name(io_catalog_kind kind)
{
    return kind_dirs[kind];
}

void io_names_free(char **names, size_t count)
{
    if (names == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* ---- finding the catalog ------------------------------------------------ */

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_catalog(const char *dir)
{
    for (size_t i = 0; i < 3; i++) {
        char *sub = hs_asprintf("%s/%s", dir, kind_dirs[i]);
        bool ok = is_dir(sub);

        free(sub);
        if (!ok)
            return false;
    }
    return true;
}

/* Cut the last path component of 'path' in place; false when none. */
static bool cut_last(char *path)
{
    char *slash = strrchr(path, '/');

    if (slash == NULL || slash == path)
        return false;
    *slash = '\0';
    return true;
}

/* Return 'cand' when it is a catalog; else free it, append it to the
 * places '*tried' and return NULL. */
static char *try_dir(char *cand, char **tried)
{
    char *t;

    if (is_catalog(cand))
        return cand;
    t = hs_asprintf("%s, %s", *tried, cand);
    free(*tried);
    *tried = t;
    free(cand);
    return NULL;
}

/* Try <exe dir>/../configs, <exe dir>/../share/hetsim/configs (an install
 * under any prefix, DESTDIR staging included) and <exe dir>/../../configs;
 * append the places tried to '*tried'. */
static char *find_near_exe(char **tried)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *found;

    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    if (!cut_last(exe) || !cut_last(exe)) /* the executable's parent */
        return NULL;
    found = try_dir(hs_asprintf("%s/configs", exe), tried);
    if (found == NULL)
        found = try_dir(hs_asprintf("%s/share/hetsim/configs", exe), tried);
    if (found == NULL && cut_last(exe))
        found = try_dir(hs_asprintf("%s/configs", exe), tried);
    return found;
}

/* Report a failed search, 'why' (freed), at 'ref' (with its key path),
 * or without a location when 'ref' is NULL.  Returns HS_EINPUT. */
static int search_failed(io_errs *e, const io_node *ref, char *why)
{
    hs_loc none = {NULL, 0, 0};

    if (ref != NULL)
        io_node_error(e, ref, "%s", why);
    else
        io_error(e, none, "%s", why);
    free(why);
    return HS_EINPUT;
}

int io_catalog_search(io_errs *e, const io_node *ref, char **dir)
{
    const char *env = getenv("HETSIM_CATALOG");
    char *tried;
    char *found;

    *dir = NULL;
    if (env != NULL && env[0] != '\0') {
        if (!is_catalog(env))
            return search_failed(e, ref,
                                 hs_asprintf("HETSIM_CATALOG=%s is not a "
                                             "catalog directory (it needs "
                                             "models/, hardware/ and "
                                             "links/)",
                                             env));
        *dir = hs_strdup(env);
        return HS_OK;
    }
    tried = hs_strdup("$HETSIM_CATALOG (unset)");
    found = find_near_exe(&tried);
#ifdef HETSIM_DATADIR
    if (found == NULL) {
        char *t;

        found = hs_strdup(HETSIM_DATADIR "/configs");
        if (!is_catalog(found)) {
            t = hs_asprintf("%s, %s", tried, found);
            free(tried);
            tried = t;
            free(found);
            found = NULL;
        }
    }
#endif
    if (found == NULL) {
        search_failed(e, ref,
                      hs_asprintf("no catalog directory found (tried %s); "
                                  "set HETSIM_CATALOG",
                                  tried));
        free(tried);
        return HS_EINPUT;
    }
    free(tried);
    *dir = found;
    return HS_OK;
}

int io_catalog_find(char **dir, hs_diag *d)
{
    io_errs e = {0};
    int rc = io_catalog_search(&e, NULL, dir);

    io_errs_flush(&e, d);
    return rc;
}

/* ---- listing ------------------------------------------------------------ */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bool io_entry_name_ok(const char *name)
{
    return name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL;
}

int io_yaml_names(const char *sub, char ***names, size_t *count, int *err)
{
    DIR *dp = opendir(sub);
    char **v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;

    *names = NULL;
    *count = 0;
    if (dp == NULL) {
        *err = errno;
        return HS_EIO;
    }
    while ((de = readdir(dp)) != NULL) {
        size_t len = strlen(de->d_name);

        if (len <= 5 || de->d_name[0] == '.' ||
            strcmp(de->d_name + len - 5, ".yaml") != 0)
            continue;
        hs_grow((void **)&v, &cap, n + 1, sizeof(char *));
        v[n++] = hs_strndup(de->d_name, len - 5);
    }
    closedir(dp);
    if (n > 0)
        qsort(v, n, sizeof(char *), cmp_names);
    *names = v;
    *count = n;
    return HS_OK;
}

/* List catalog 'kind'; errors go to 'e'. */
static int list_names(io_errs *e, const char *dir, io_catalog_kind kind,
                      char ***names, size_t *count)
{
    char *sub = hs_asprintf("%s/%s", dir, kind_dirs[kind]);
    int err = 0;
    int rc = io_yaml_names(sub, names, count, &err);

    if (rc != HS_OK) {
        hs_loc at = {sub, 0, 0};

        io_report(e, HS_EIO, at, NULL, "cannot read the directory: %s",
                  strerror(err));
    }
    free(sub);
    return rc;
}

int io_catalog_list(const char *dir, io_catalog_kind kind, char ***names,
                    size_t *count, hs_diag *d)
{
    io_errs e = {0};
    int rc = list_names(&e, dir, kind, names, count);

    io_errs_flush(&e, d);
    return rc;
}

bool io_catalog_has(const char *dir, io_catalog_kind kind, const char *name)
{
    char *path;
    bool ok;

    if (!io_entry_name_ok(name))
        return false;
    path = hs_asprintf("%s/%s/%s.yaml", dir, kind_dirs[kind], name);
    ok = access(path, R_OK) == 0;
    free(path);
    return ok;
}

/* Report "no <kind> 'name' in <dir>/<kind> (known: ...)" at 'ref' (with
 * its key path), or without a location when 'ref' is NULL.  Returns
 * HS_EINPUT. */
static int catalog_unknown(io_errs *e, const char *dir, io_catalog_kind kind,
                           const char *name, const io_node *ref)
{
    char **names;
    size_t n;
    char *known;
    hs_loc none = {NULL, 0, 0};

    if (list_names(e, dir, kind, &names, &n) != HS_OK)
        return HS_EINPUT;
    known = n > 0 ? io_join((const char *const *)names, n) : hs_strdup("none");
    if (ref != NULL)
        io_node_error(e, ref, "no %s '%s' in %s/%s (known: %s)",
                      kind_nouns[kind], name, dir, kind_dirs[kind], known);
    else
        io_error(e, none, "no %s '%s' in %s/%s (known: %s)", kind_nouns[kind],
                 name, dir, kind_dirs[kind], known);
    free(known);
    io_names_free(names, n);
    return HS_EINPUT;
}

/* ---- key lists of the catalog files -------------------------------------- */

const char *const io_model_keys[] = {
    "name",      "description", "layers", "hidden", "heads",
    "kv_heads",  "head_dim",    "ffn",    "vocab",  "tied_embeddings",
    "gated_mlp", "max_context", "moe",    "mla",    NULL,
};

static const char *const io_device_keys[] = {
    "name",          "description",   "hypothetical", "peak_flops",
    "mem_capacity",  "mem_bandwidth", "power",        "idle_power",
    "cost_per_hour", "efficiency",    "overhead",     "memory_margin",
    "link",          "calibration",   NULL,
};

static const char *const io_link_keys[] = {
    "name",           "description", "bandwidth", "latency",
    "energy_per_bit", "efficiency",  NULL,
};

/* ---- loading entries ---------------------------------------------------- */

/* Load entry 'name' of catalog 'kind' under 'dir' as a tree; an unknown
 * name is reported as catalog_unknown() does.  '*path_out' receives the
 * file's path, which the tree borrows: free the tree first.  On failure
 * both are NULL. */
static int catalog_tree(io_errs *e, const char *dir, io_catalog_kind kind,
                        const char *name, const io_node *ref, io_node **root,
                        char **path_out)
{
    char *path, *text;
    size_t len;
    hs_loc whole;
    int rc;

    *root = NULL;
    *path_out = NULL;
    if (!io_catalog_has(dir, kind, name))
        return catalog_unknown(e, dir, kind, name, ref);
    path = hs_asprintf("%s/%s/%s.yaml", dir, kind_dirs[kind], name);
    whole.file = path;
    whole.line = whole.col = 0;
    if (io_read_file(e, path, whole, &text, &len) != HS_OK) {
        free(path);
        return HS_EIO;
    }
    rc = io_parse(e, text, len, path, 0, root);
    free(text);
    if (rc == HS_OK && *root == NULL)
        rc = io_error(e, whole, "empty file");
    if (rc != HS_OK) {
        free(path); /* errors hold their own copies of it */
        return HS_EINPUT;
    }
    *path_out = path;
    return HS_OK;
}

/* Open entry 'name' as a mapping, check its keys against 'keys' and its
 * 'name:' against the file name. */
static int open_entry(io_errs *e, const char *dir, io_catalog_kind kind,
                      const char *name, const io_node *ref,
                      const char *const *keys, io_node **root, char **path)
{
    const io_node *n;

    if (catalog_tree(e, dir, kind, name, ref, root, path) != HS_OK)
        return HS_EINPUT;
    if (!io_expect_map(e, *root)) {
        io_node_free(*root);
        free(*path);
        *root = NULL;
        *path = NULL;
        return HS_EINPUT;
    }
    io_check_keys(e, *root, keys);
    n = io_member(e, *root, "name", true);
    if (n != NULL && n->kind == IO_SCALAR && strcmp(n->text, name) != 0)
        io_node_error(e, n, "expected '%s' (the file name), found '%s'", name,
                      n->text);
    return HS_OK;
}

static void close_entry(io_node *root, char *path)
{
    io_node_free(root);
    free(path);
}

/* Copy the entry name into a fixed-size name field. */
static void set_name(io_errs *e, const io_node *ref, const char *name,
                     char *buf, size_t len)
{
    hs_loc none = {NULL, 0, 0};

    if (strlen(name) < len) {
        memcpy(buf, name, strlen(name) + 1);
        return;
    }
    if (ref != NULL)
        io_node_error(e, ref, "name '%s' too long (at most %zu characters)",
                      name, len - 1);
    else
        io_error(e, none, "name '%s' too long (at most %zu characters)", name,
                 len - 1);
}

int io_catalog_model_at(io_errs *e, const char *dir, const char *name,
                        const io_node *ref, cost_model *out)
{
    size_t before = e->n;
    io_node *root;
    char *path;

    io_model_defaults(out);
    if (open_entry(e, dir, IO_CATALOG_MODELS, name, ref, io_model_keys, &root,
                   &path) != HS_OK)
        return HS_EINPUT;
    io_bind_model(e, root, out, true);
    set_name(e, ref, name, out->name, sizeof out->name);
    close_entry(root, path);
    return e->n > before ? HS_EINPUT : HS_OK;
}

int io_catalog_device_raw(io_errs *e, const char *dir, const char *name,
                          const io_node *ref, io_hardware *out)
{
    size_t before = e->n;
    io_node *root;
    char *path;

    io_device_defaults(&out->dev);
    out->link[0] = '\0';
    if (open_entry(e, dir, IO_CATALOG_HARDWARE, name, ref, io_device_keys,
                   &root, &path) != HS_OK)
        return HS_EINPUT;
    io_bind_device(e, root, &out->dev, out->link, sizeof out->link, true);
    io_calib_ref(e, dir, io_get(root, "calibration"), &out->dev.calib);
    set_name(e, ref, name, out->dev.name, sizeof out->dev.name);
    if (out->link[0] != '\0' &&
        !io_catalog_has(dir, IO_CATALOG_LINKS, out->link))
        catalog_unknown(e, dir, IO_CATALOG_LINKS, out->link,
                        io_get(root, "link"));
    close_entry(root, path);
    return e->n > before ? HS_EINPUT : HS_OK;
}

int io_catalog_link_at(io_errs *e, const char *dir, const char *name,
                       const io_node *ref, cost_link *out)
{
    size_t before = e->n;
    io_node *root;
    char *path;

    memset(out, 0, sizeof *out);
    if (open_entry(e, dir, IO_CATALOG_LINKS, name, ref, io_link_keys, &root,
                   &path) != HS_OK)
        return HS_EINPUT;
    io_bind_link(e, root, out, true);
    set_name(e, ref, name, out->name, sizeof out->name);
    close_entry(root, path);
    return e->n > before ? HS_EINPUT : HS_OK;
}

/* A stand-in node at 'at' for reporting, without a key path. */
static io_node loc_node(hs_loc at)
{
    io_node n;

    memset(&n, 0, sizeof n);
    n.kind = IO_SCALAR;
    n.loc = at;
    return n;
}

/* 'dir', or the catalog found (into '*found'; a failed search is
 * reported at 'ref'); NULL when none. */
static const char *pick_dir(io_errs *e, const char *dir, const io_node *ref,
                            char **found)
{
    *found = NULL;
    if (dir != NULL)
        return dir;
    io_catalog_search(e, ref, found);
    return *found;
}

int io_catalog_load_model(const char *dir, const char *name, cost_model *out,
                          hs_loc at, hs_diag *d)
{
    io_errs e = {0};
    io_node ref = loc_node(at);
    char *found;
    int rc = HS_EINPUT;

    if ((dir = pick_dir(&e, dir, &ref, &found)) != NULL)
        rc = io_catalog_model_at(&e, dir, name, &ref, out);
    free(found);
    io_errs_flush(&e, d);
    return rc;
}

int io_catalog_load_hardware(const char *dir, const char *name,
                             io_hardware *out, hs_loc at, hs_diag *d)
{
    io_errs e = {0};
    io_node ref = loc_node(at);
    char *found;
    int rc = HS_EINPUT;

    if ((dir = pick_dir(&e, dir, &ref, &found)) != NULL) {
        rc = io_catalog_device_raw(&e, dir, name, &ref, out);
        io_device_finish(&out->dev);
    }
    free(found);
    io_errs_flush(&e, d);
    return rc;
}

int io_catalog_load_link(const char *dir, const char *name, cost_link *out,
                         hs_loc at, hs_diag *d)
{
    io_errs e = {0};
    io_node ref = loc_node(at);
    char *found;
    int rc = HS_EINPUT;

    if ((dir = pick_dir(&e, dir, &ref, &found)) != NULL)
        rc = io_catalog_link_at(&e, dir, name, &ref, out);
    free(found);
    io_errs_flush(&e, d);
    return rc;
}

/* ---- whole catalogs ----------------------------------------------------- */

void io_catalog_free(io_catalog *c)
{
    if (c == NULL)
        return;
    free(c->models);
    free(c->hardware);
    free(c->links);
    free(c);
}

static void load_one(io_errs *e, const char *dir, io_catalog *c,
                     const char *name)
{
    size_t i = c->n++;

    switch (c->kind) {
    case IO_CATALOG_MODELS:
        io_catalog_model_at(e, dir, name, NULL, &c->models[i]);
        break;
    case IO_CATALOG_HARDWARE:
        io_catalog_device_raw(e, dir, name, NULL, &c->hardware[i]);
        io_device_finish(&c->hardware[i].dev);
        break;
    case IO_CATALOG_LINKS:
        io_catalog_link_at(e, dir, name, NULL, &c->links[i]);
        break;
    }
}

int io_catalog_load_all(const char *dir, io_catalog_kind kind,
                        io_catalog **out, hs_diag *d)
{
    io_errs e = {0};
    io_catalog *c;
    char **names;
    size_t n;
    int rc;

    *out = NULL;
    rc = list_names(&e, dir, kind, &names, &n);
    if (rc != HS_OK) {
        io_errs_flush(&e, d);
        return rc;
    }
    c = hs_calloc(1, sizeof *c);
    c->kind = kind;
    if (kind == IO_CATALOG_MODELS)
        c->models = hs_calloc(n + 1, sizeof(cost_model));
    else if (kind == IO_CATALOG_HARDWARE)
        c->hardware = hs_calloc(n + 1, sizeof(io_hardware));
    else
        c->links = hs_calloc(n + 1, sizeof(cost_link));
    for (size_t i = 0; i < n; i++)
        load_one(&e, dir, c, names[i]);
    io_names_free(names, n);
    if (e.n > 0) {
        io_errs_flush(&e, d);
        io_catalog_free(c);
        return HS_EINPUT;
    }
    *out = c;
    return HS_OK;
}
