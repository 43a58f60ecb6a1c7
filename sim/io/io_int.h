/*
 * io_int.h -- private interface of the YAML loading layer (sim/io): a
 * small document tree built from libyaml, the error collector every
 * loader reports into, typed scalar readers, path overrides, and the
 * catalog binders shared by io_catalog.c and io_scenario.c.
 *
 * No libyaml type appears here: io_yaml.c converts libyaml's document into
 * io_node trees once, and everything else walks those.  Tests may include
 * this header (-Isim); other modules may not.
 *
 * Errors.  Loaders do not stop at the first problem: they append to an
 * io_errs and keep going, and the public entry points flush the list into
 * the caller's hs_diag at the end, sorted by file (in order of first
 * appearance), line and column, duplicates dropped.  Each error keeps its
 * key path apart from its message (hs_diag_item's 'key' and 'message'),
 * and prints as
 *   file:line:col: error: <key path>: <what was expected, what was found>
 * where the key path is the node's position, "cluster.prefill.count" or
 * "workload.0.synthetic.requests" (sequence items by index).
 */
#ifndef HETSIM_IO_INT_H
#define HETSIM_IO_INT_H

#include <float.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hetsim/cost.h"
#include "hetsim/io.h"
#include "hetsim/util.h"

/* ---- errors (io_errs.c) ------------------------------------------------ */

typedef struct io_err {
    char *file; /* owned copy; NULL when the error has no file */
    unsigned line, col;
    int code;    /* HS_EINPUT, or HS_EIO for a file that cannot be read */
    char *key;   /* owned key path, or NULL */
    size_t seq;  /* insertion order, the last sort key */
    size_t rank; /* set by io_errs_flush: order of the file */
    char *text;  /* owned: the message after the key */
} io_err;

/* The error collector.  Zero-initialise ('io_errs e = {0};').  'n'
 * counts errors only (callers test 'e->n > before'); warnings (a model
 * feature the cost model does not represent, ...) are kept apart in 'w'
 * and never make a load fail. */
typedef struct io_errs {
    io_err *v;
    size_t n, cap;
    io_err *w; /* warnings */
    size_t nw, wcap;
} io_errs;

/* Record one error at 'at' with status 'code' about key path 'key' (may
 * be NULL) and return 'code'. */
int io_report(io_errs *e, int code, hs_loc at, const char *key,
              const char *fmt, ...) HS_PRINTF(5, 6);
int io_vreport(io_errs *e, int code, hs_loc at, const char *key,
               const char *fmt, va_list ap) HS_PRINTF(5, 0);
/* Record one error at 'at' (no key) and return HS_EINPUT. */
int io_error(io_errs *e, hs_loc at, const char *fmt, ...) HS_PRINTF(3, 4);
/* The same about key path 'key' (may be NULL). */
int io_key_error(io_errs *e, hs_loc at, const char *key, const char *fmt,
                 ...) HS_PRINTF(4, 5);
/* Record one warning at 'at' about key path 'key' (may be NULL). */
void io_warn(io_errs *e, hs_loc at, const char *key, const char *fmt, ...)
    HS_PRINTF(4, 5);
/* Move every error into 'd' (may be NULL) as hs_diag items, sorted as
 * described above, then every warning (HS_SEV_WARNING items, sorted the
 * same way), and empty 'e'.  O(n log n). */
void io_errs_flush(io_errs *e, hs_diag *d);
/* Drop every error. */
void io_errs_clear(io_errs *e);

/* ---- the document tree (io_node.c; parsing and reading: io_yaml.c) -----
 *
 * Invariants:
 *   I1  a mapping's kids each have key != NULL, and no two keys are equal
 *       (duplicates are reported at load time and the later one dropped);
 *   I2  a sequence's kids have key == NULL and index == their position;
 *   I3  kid->parent is the node that holds it; the root's parent is NULL;
 *   I4  loc.file and key_loc.file are borrowed from whoever parsed the
 *       text (io_parse's 'file'), which must outlive the tree.
 */
typedef enum io_kind { IO_SCALAR, IO_MAP, IO_SEQ } io_kind;

typedef struct io_node io_node;
struct io_node {
    io_kind kind;
    hs_loc loc;      /* where the value starts */
    io_node *parent; /* NULL for the root */
    char *key;       /* member of a mapping: its key (owned) */
    hs_loc key_loc;  /* member of a mapping: where the key starts */
    size_t index;    /* item of a sequence: its position */
    char *text;      /* scalar: the value (owned, never NULL) */
    bool plain;      /* scalar: plain style (not quoted, not a block) */
    io_node **kids;  /* mapping members or sequence items (owned) */
    size_t n_kids, cap_kids;
};

/* Parse 'len' bytes of YAML text into a tree.  'file' names the text in
 * locations and is borrowed by every node; 'col_offset' is added to the
 * column of everything on the first line (used for --set values, whose
 * text starts after "PATH=").  '*root' is NULL for an empty document.
 * Syntax errors, more than one document, non-scalar or duplicate keys and
 * documents deeper than IO_MAX_DEPTH, larger than IO_MAX_NODES or whose
 * aliases would expand past IO_MAX_BYTES (checked before copying) are
 * reported to 'e'.  Returns HS_OK or HS_EINPUT (then '*root' is NULL). */
#define IO_MAX_DEPTH 64
#define IO_MAX_NODES 1000000
#define IO_MAX_BYTES (64u << 20) /* 64 MiB of nodes and text */
int io_parse(io_errs *e, const char *text, size_t len, const char *file,
             unsigned col_offset, io_node **root);

/* The keys of a model file (a models catalog entry), NULL-ended
 * (io_catalog.c). */
extern const char *const io_model_keys[];

/* Read a whole file into a NUL-terminated heap buffer.  Errors ("cannot
 * read: No such file or directory") are reported at 'at', or at the path
 * itself when 'at.file' is NULL.  Returns HS_OK or HS_EIO. */
int io_read_file(io_errs *e, const char *path, hs_loc at, char **text,
                 size_t *len);

/* A new empty node of 'kind' (a mapping or a sequence; a scalar gets
 * its text from io_node_new_scalar). */
io_node *io_node_new(io_kind kind, hs_loc at);
/* A new scalar node. */
io_node *io_node_new_scalar(const char *text, bool plain, hs_loc at);
void io_node_free(io_node *n); /* NULL is a no-op */
/* Append 'kid' to container 'parent' (takes ownership): sets its parent
 * and its index.  Keys are the caller's.  O(1) amortised. */
void io_node_add(io_node *parent, io_node *kid);
/* Deep copy of 'n', detached (parent NULL, key kept). */
io_node *io_node_copy(const io_node *n);
/* The same, adding the number of nodes made to '*count' (the parser
 * bounds the total, aliases included). */
io_node *io_node_copy_counted(const io_node *n, size_t *count);

/* Add the nodes of the tree 'n' to '*nodes' and the bytes a copy of it
 * takes (nodes and their strings) to '*bytes'; copies nothing.  Its
 * recursion is bounded by IO_MAX_DEPTH. */
void io_node_measure(const io_node *n, size_t *nodes, size_t *bytes);

/* Member 'key' of mapping 'map', or NULL (also when 'map' is NULL or not
 * a mapping).  O(members). */
io_node *io_get(const io_node *map, const char *key);

/* The key path of 'n' ("cluster.prefill.count"; "" for the root) into
 * 'buf'.  Returns 'buf'. */
char *io_path(const io_node *n, char *buf, size_t len);

/* Record an error about node 'n', at its value, with its key path as the
 * key (none for the root).  Returns HS_EINPUT. */
int io_node_error(io_errs *e, const io_node *n, const char *fmt, ...)
    HS_PRINTF(3, 4);

/* "a mapping", "a sequence", "'text'" or "nothing" (a null scalar), for
 * the "found ..." part of messages.  Borrowed or written into 'buf'. */
const char *io_describe(const io_node *n, char *buf, size_t len);

bool io_is_null(const io_node *n);

/* ---- structure checks (io_value.c) -------------------------------------- */

/* Report, at the key, every member of 'map' whose key is not in the
 * NULL-terminated list 'keys'.  Returns HS_OK or HS_EINPUT. */
int io_check_keys(io_errs *e, const io_node *map, const char *const *keys);
/* Report, at the key, every member of mapping 'n' whose key is in the
 * NULL-terminated 'general' (the keys of every kind) but not in 'allowed'
 * (those of this kind): "<path>: 'cv' does not apply to <what> '<kind>'"
 * (what "process", kind "poisson"). */
void io_check_kind_keys(io_errs *e, const io_node *n,
                        const char *const *general, const char *const *allowed,
                        const char *what, const char *kind);
/* True if 'n' is a mapping; otherwise report "expected a mapping". */
bool io_expect_map(io_errs *e, const io_node *n);
/* True if 'n' is a sequence; otherwise report "expected a sequence". */
bool io_expect_seq(io_errs *e, const io_node *n);
/* Member 'key' of 'map'; when absent and 'required', report "missing
 * required key" at the mapping.  NULL when absent. */
io_node *io_member(io_errs *e, const io_node *map, const char *key,
                   bool required);

/* ---- typed scalars (io_value.c) ------------------------------------------
 *
 * Each reads scalar 'n' into '*out' and returns HS_OK, or reports
 * "<path>: expected <type>, found <what>" and returns HS_EINPUT leaving
 * '*out' untouched.  The io_field_* forms look member 'key' of 'map' up
 * first: absent and optional leaves '*out' as it is (the default) and
 * returns HS_OK; absent and required reports a missing key.
 */
int io_int(io_errs *e, const io_node *n, int64_t min, int64_t max,
           int64_t *out);
int io_int32(io_errs *e, const io_node *n, int min, int max, int *out);
int io_bool(io_errs *e, const io_node *n, bool *out);
/* A plain number (no unit) in [min, max]; min == IO_POSITIVE means
 * "> 0". */
#define IO_POSITIVE DBL_MIN
int io_number(io_errs *e, const io_node *n, double min, double max,
              double *out);
/* A quantity with a unit of 'kind'; 'positive' rejects zero. */
int io_quantity(io_errs *e, const io_node *n, hs_unit_kind kind, bool positive,
                double *out);
/* A non-empty string (any scalar); '*out' is a fresh copy (caller frees,
 * the previous value is freed). */
int io_string(io_errs *e, const io_node *n, char **out);
/* A non-empty string that fits 'len' bytes with its NUL. */
int io_name(io_errs *e, const io_node *n, char *buf, size_t len);
/* One of the 'count' names; '*out' is its index. */
int io_enum(io_errs *e, const io_node *n, const char *const *names,
            size_t count, int *out);

int io_field_int(io_errs *e, const io_node *map, const char *key,
                 bool required, int64_t min, int64_t max, int64_t *out);
int io_field_int32(io_errs *e, const io_node *map, const char *key,
                   bool required, int min, int max, int *out);
int io_field_bool(io_errs *e, const io_node *map, const char *key,
                  bool required, bool *out);
int io_field_number(io_errs *e, const io_node *map, const char *key,
                    bool required, double min, double max, double *out);
int io_field_quantity(io_errs *e, const io_node *map, const char *key,
                      bool required, hs_unit_kind kind, bool positive,
                      double *out);
int io_field_string(io_errs *e, const io_node *map, const char *key,
                    bool required, char **out);
int io_field_enum(io_errs *e, const io_node *map, const char *key,
                  bool required, const char *const *names, size_t count,
                  int *out);

/* "a, b, c" for the 'count' strings (caller frees). */
char *io_join(const char *const *names, size_t count);

/* ---- parameter tables (io_param.c) ----------------------------------------
 *
 * A section whose keys are plain values declares them as data, one
 * io_param per key, in the order they are read (which is the order of
 * errors that share a location, and of every --set error), and binds
 * them with one call.  Build entries with the IO_PARAM_* macros: each
 * checks at compile time that the field has the type its kind stores.
 */
typedef enum io_ptype {
    IO_P_INT,      /* int64_t in [imin, imax] */
    IO_P_INT32,    /* int in [imin, imax] */
    IO_P_BOOL,     /* bool */
    IO_P_NUMBER,   /* double in [min, max] (min IO_POSITIVE: > 0) */
    IO_P_QUANTITY, /* double with unit 'unit' (> 0 when 'positive') */
    IO_P_STRING,   /* char *, a fresh copy (the previous one freed) */
    IO_P_NAME,     /* char[len], a non-empty name that fits */
    IO_P_ENUM,     /* an enum stored like an int: index into 'names' */
    IO_P_MAP       /* a nested mapping bound by 'bind' */
} io_ptype;

typedef struct io_param {
    const char *key;
    io_ptype type;
    size_t offset;      /* of the field in the bound struct */
    bool required;      /* when binding completely (io_bind_params) */
    int64_t imin, imax; /* IO_P_INT, IO_P_INT32 */
    double min, max;    /* IO_P_NUMBER */
    hs_unit_kind unit;  /* IO_P_QUANTITY */
    bool positive;      /* IO_P_QUANTITY */
    size_t len;         /* IO_P_NAME: the buffer's size */
    const char *const *names; /* IO_P_ENUM */
    size_t n_names;
    bool has_def; /* io_params_default sets the field to 'def' */
    double def;   /* in the field's type: integers, 0/1 for a bool */
    /* IO_P_MAP: bind mapping 'n' into the field at 'offset' ('complete'
     * as given to io_bind_params). */
    void (*bind)(io_errs *e, const io_node *n, void *out, bool complete);
} io_param;

/* The offset of 'f' in 'T', checked to be of type 'ctype'. */
#define IO_OFFSET(T, f, ctype)                                                \
    (offsetof(T, f) + 0 * sizeof((ctype *){&((T *)0)->f}))
/* The offset of enum field 'f' in 'T', checked to be int-sized. */
#define IO_ENUM_OFFSET(T, f)                                                  \
    (offsetof(T, f) +                                                         \
     0 * sizeof(char[sizeof(((T *)0)->f) == sizeof(int) ? 1 : -1]))

/* Each expands to the designators of one entry: write
 * '{IO_PARAM_INT(grp, count, "count", false, 1, INT64_MAX), IO_DEFAULT(1)}'
 * (IO_DEFAULT optional). */
#define IO_PARAM_INT(T, f, k, req, lo, hi)                                    \
    .key = (k), .type = IO_P_INT, .offset = IO_OFFSET(T, f, int64_t),         \
    .required = (req), .imin = (lo), .imax = (hi)
#define IO_PARAM_INT32(T, f, k, req, lo, hi)                                  \
    .key = (k), .type = IO_P_INT32, .offset = IO_OFFSET(T, f, int),           \
    .required = (req), .imin = (lo), .imax = (hi)
#define IO_PARAM_BOOL(T, f, k, req)                                           \
    .key = (k), .type = IO_P_BOOL, .offset = IO_OFFSET(T, f, bool),           \
    .required = (req)
#define IO_PARAM_NUMBER(T, f, k, req, lo, hi)                                 \
    .key = (k), .type = IO_P_NUMBER, .offset = IO_OFFSET(T, f, double),       \
    .required = (req), .min = (lo), .max = (hi)
#define IO_PARAM_QUANTITY(T, f, k, req, u, pos)                               \
    .key = (k), .type = IO_P_QUANTITY, .offset = IO_OFFSET(T, f, double),     \
    .required = (req), .unit = (u), .positive = (pos)
#define IO_PARAM_STRING(T, f, k, req)                                         \
    .key = (k), .type = IO_P_STRING, .offset = IO_OFFSET(T, f, char *),       \
    .required = (req)
#define IO_PARAM_NAME(T, f, k, req)                                           \
    .key = (k), .type = IO_P_NAME,                                            \
    .offset = offsetof(T, f) + 0 * sizeof((char *){((T *)0)->f}),            \
    .required = (req), .len = sizeof(((T *)0)->f)
#define IO_PARAM_ENUM(T, f, k, req, nm)                                       \
    .key = (k), .type = IO_P_ENUM, .offset = IO_ENUM_OFFSET(T, f),            \
    .required = (req), .names = (nm), .n_names = sizeof(nm) / sizeof((nm)[0])
/* A nested mapping bound by 'fn' into field 'f' of 'T'... */
#define IO_PARAM_MAP(T, f, k, req, fn)                                        \
    .key = (k), .type = IO_P_MAP, .offset = offsetof(T, f),                   \
    .required = (req), .bind = (fn)
/* ...or into the bound struct itself (a block of its keys). */
#define IO_PARAM_BLOCK(k, req, fn)                                            \
    .key = (k), .type = IO_P_MAP, .offset = 0, .required = (req), .bind = (fn)
/* A default for io_params_default(), after the entry's designators. */
#define IO_DEFAULT(d) .has_def = true, .def = (d)
#define IO_PARAM_END {.key = NULL}

/* Bind every parameter of the IO_PARAM_END-terminated 'params' from
 * mapping 'map' into the struct at 'base', in table order.  A parameter
 * is required when its 'required' is set and 'complete' is true; an
 * absent optional one keeps the field's value.  Problems are reported as
 * the io_field_* readers do.  Returns HS_OK, or HS_EINPUT when any error
 * was recorded. */
int io_bind_params(io_errs *e, const io_node *map, const io_param *params,
                   void *base, bool complete);
/* Set every field of 'params' that has a default to it (only numbers,
 * quantities, integers, bools and enums may have one). */
void io_params_default(const io_param *params, void *base);

/* ---- overrides (io_set.c) ----------------------------------------------- */

/* Replace (or create) the node at dotted 'path' under '*root' by 'value'
 * (takes ownership of 'value' in every case).  Path components name
 * mapping keys or, in a sequence, an index; missing intermediate
 * mappings are created; components made only of digits that follow a
 * created key are joined to it with '.', and an existing key containing
 * dots ("ttft_p99.9") is matched whole, longest first.  'at' locates the
 * path's first character (each component is reported at its own
 * column).  Returns HS_OK or HS_EINPUT. */
int io_set_path(io_errs *e, io_node **root, const char *path, hs_loc at,
                io_node *value);

/* Apply one "PATH=VALUE" command-line override: VALUE is parsed as YAML
 * with the file name "--set" at line 1 and the columns of the whole
 * argument.  Returns HS_OK or HS_EINPUT. */
int io_apply_override(io_errs *e, io_node **root, const char *arg);

/* The same for an override written elsewhere (a sweep file): PATH is
 * reported at at[0] and VALUE, parsed as YAML, at at[1] (its first line
 * shifted there, later lines by the same number of lines). */
int io_apply_override_at(io_errs *e, io_node **root, const char *arg,
                         const hs_loc at[2]);

/* The file name every --set value is reported under. */
#define IO_SET_FILE "--set"

/* ---- catalogs (binders: io_bind.c; files: io_catalog.c) ----------------- */

/* Defaults of docs/catalogs.md, set before binding. */
void io_model_defaults(cost_model *m);
void io_device_defaults(cost_device *dev);
/* After the last binding: idle_power defaults to 25% of power. */
void io_device_finish(cost_device *dev);

/* Bind a model mapping into '*m' (which holds the defaults or a catalog
 * base).  'complete': report missing required keys (a catalog file or an
 * inline model without a base); otherwise the mapping overrides '*m' key
 * by key.  Only key checks are the caller's (io_check_keys).  The result
 * is checked with cost_model_valid().  Returns HS_OK or HS_EINPUT. */
int io_bind_model(io_errs *e, const io_node *map, cost_model *m,
                  bool complete);
/* The same for a device; its default link name goes to 'link' ("" when
 * none; checked by the caller).  idle_power stays negative until
 * io_device_finish() unless given. */
int io_bind_device(io_errs *e, const io_node *map, cost_device *dev,
                   char *link, size_t linklen, bool complete);
int io_bind_link(io_errs *e, const io_node *map, cost_link *l, bool complete);

/* Read the HuggingFace config.json at 'path' into '*m' (io_hf.c): errors
 * and warnings (features the cost model leaves out) go to 'e'; a file
 * that cannot be read is reported at 'at' (or at the path when at.file is
 * NULL).  Returns HS_OK, HS_EINPUT or HS_EIO. */
int io_hf_model(io_errs *e, const char *path, hs_loc at, cost_model *m);

/* Load entry 'name' of the catalog in 'dir' with errors collected in
 * 'e'.  An unknown or malformed name is reported at node 'ref' (with its
 * key path), or without a location when 'ref' is NULL, listing the known
 * names.  io_catalog_device_raw leaves idle_power negative when the file
 * does not give it, so that a scenario override of 'power' still moves
 * the default: call io_device_finish() after. */
int io_catalog_model_at(io_errs *e, const char *dir, const char *name,
                        const io_node *ref, cost_model *out);
/* ---- calibration files (io_calib.c) ------------------------------------ */

/* Read calibration file 'path' into '*out' ('name', may be NULL: its
 * 'name:' must equal it); a missing file is reported at 'at'.  On error
 * '*out' is uncalibrated and HS_EINPUT is returned. */
int io_calib_read(io_errs *e, const char *path, const char *name, hs_loc at,
                  cost_calib *out);
/* The calibration a hardware entry's 'calibration:' node 'ref' names
 * (<dir>/calibration/<name>.yaml; 'none' or a NULL 'ref': uncalibrated). */
int io_calib_ref(io_errs *e, const char *dir, const io_node *ref,
                 cost_calib *out);

int io_catalog_device_raw(io_errs *e, const char *dir, const char *name,
                          const io_node *ref, io_hardware *out);
int io_catalog_link_at(io_errs *e, const char *dir, const char *name,
                       const io_node *ref, cost_link *out);

/* The names of the *.yaml files in directory 'sub', without the
 * extension, sorted by strcmp ('*names' as for io_catalog_list).  Returns
 * HS_OK, or HS_EIO with the errno of the failure in '*err'. */
int io_yaml_names(const char *sub, char ***names, size_t *count, int *err);
/* True for a name that can be an entry's file name: not empty, not
 * hidden, no '/'. */
bool io_entry_name_ok(const char *name);

/* io_catalog_find() with a failure reported into 'e' at node 'ref' (with
 * its key path), or without a location when 'ref' is NULL. */
int io_catalog_search(io_errs *e, const io_node *ref, char **dir);

/* True when 'name' is an acceptable entry name and a file of catalog
 * 'kind' under 'dir'. */
bool io_catalog_has(const char *dir, io_catalog_kind kind, const char *name);

#endif /* HETSIM_IO_INT_H */
