/*
 * io_sc_int.h -- private interface of the scenario binder (sim/io): the
 * binding context every section binder takes, the services they share
 * (io_sc_refs.c), and one entry per section file, called by
 * io_scenario.c in dependency order:
 *
 *   io_scenario.c        the root: reading, variants, then every section
 *     io_sc_variants.c   'variants' and the --set overrides (on the tree)
 *     io_sc_model.c      'model', 'precision'
 *     io_sc_hardware.c   'links', 'hardware', 'memory_pools'
 *     io_sc_cluster.c    'cluster', 'router'
 *     io_sc_workload.c   'workload'
 *     io_sc_output.c     'slo', 'output', 'window'
 *   io_sc_refs.c         catalog directory, paths, references by name
 *
 * Section files call only io_sc_refs.c and the YAML layer (io_int.h),
 * never each other.  Each binder reports into c->e and keeps going; none
 * returns a status (the loader checks whether any error was recorded).
 * Private to sim/io.
 */
#ifndef HETSIM_IO_SC_INT_H
#define HETSIM_IO_SC_INT_H

#include "io_int.h"
#include "io_preset_int.h"

#include "hetsim/scenario.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The state of one scenario load. */
typedef struct io_sc_ctx {
    io_errs *e;
    sc_scenario *sc;
    const char *catalog_opt; /* from the options, or NULL */
    bool catalog_failed;     /* the search failed (reported once) */
    char *base_dir;          /* directory of the file; NULL = cwd */
    bool *hw_ok;             /* per hardware entry: bound without error */
    sc_engine engine;        /* the scenario's 'engine' (groups start from
                                it), 'none' when not written */
    bool precision_fp4;      /* a 4-bit W4A4 shorthand: every group's
                                hardware needs an fp4 peak */
} io_sc_ctx;

/* ---- shared services (io_sc_refs.c) -------------------------------------- */

/* The catalog directory: the option, else found on first use (a failed
 * search is reported once, at 'ref').  NULL when there is none. */
const char *io_sc_catalog(io_sc_ctx *c, const io_node *ref);
/* Read path-valued member 'key' of 'map' into '*out' (freed first),
 * resolved against the scenario's directory and checked to be
 * readable. */
void io_sc_field_path(io_sc_ctx *c, const io_node *map, const char *key,
                      bool required, char **out);
/* "a, b" of the explicitly defined links (caller frees), NULL if none. */
char *io_sc_link_names(const sc_scenario *sc);
/* Index of link 'name' (only explicit entries when 'explicit'), or
 * SC_NONE. */
int io_sc_find_link(const sc_scenario *sc, const char *name, bool explicit);
/* Resolve scalar 'n' naming a defined link, hardware entry or memory
 * pool to its index; an unknown name is reported at 'n' with the defined
 * ones.  SC_NONE on failure. */
int io_sc_ref_link(io_sc_ctx *c, const io_node *n);
int io_sc_ref_hardware(io_sc_ctx *c, const io_node *n);
int io_sc_ref_pool(io_sc_ctx *c, const io_node *n);
/* Copy the key of mapping member 'entry' into 'buf' ('len' bytes with the
 * NUL); a longer key is reported at the key. */
void io_sc_entry_name(io_sc_ctx *c, const io_node *entry, char *buf,
                      size_t len);

/* ---- sections ------------------------------------------------------------
 *
 * Each binds node 'n' (the section's value; NULL when the section is
 * absent, for the optional ones) into c->sc.
 */
void io_sc_bind_model(io_sc_ctx *c, const io_node *n);      /* required */
void io_sc_bind_precision(io_sc_ctx *c, const io_node *n);  /* optional */
/* After the cluster: a 4-bit shorthand needs an fp4 peak on every group's
 * hardware (a located error at 'n' otherwise). */
void io_sc_check_precision(io_sc_ctx *c, const io_node *n);
void io_sc_bind_links(io_sc_ctx *c, const io_node *n);      /* optional */
void io_sc_bind_hardware(io_sc_ctx *c, const io_node *n);   /* required */
void io_sc_bind_pools(io_sc_ctx *c, const io_node *n);      /* optional */
void io_sc_bind_cluster(io_sc_ctx *c, const io_node *n);    /* required */
/* io_engine.c: an 'engine' value (a profile name, or a mapping with
 * 'profile' and overrides) into '*g'; io_engine_none() is the ideal
 * profile. */
void io_sc_bind_engine(io_sc_ctx *c, const io_node *n, sc_engine *g);
void io_engine_none(sc_engine *g);
void io_sc_bind_router(io_sc_ctx *c, const io_node *n);     /* optional */
void io_sc_bind_workload(io_sc_ctx *c, const io_node *n);   /* required */
/* A source's 'profile:' (io_sc_profile.c): diurnal or points. */
void io_sc_bind_profile(io_sc_ctx *c, const io_node *n, wl_profile_spec *p);
void io_sc_bind_slo(io_sc_ctx *c, const io_node *n);        /* optional */
void io_sc_bind_output(io_sc_ctx *c, const io_node *n);     /* optional */
void io_sc_bind_window(io_sc_ctx *c, const io_node *n);     /* optional */

/* ---- variants and overrides (io_sc_variants.c) ---------------------------- */

/* Check the 'variants' section of 'root' and collect the variant names,
 * in file order, into '*names' (fresh strings; io_names_free). */
void io_sc_read_variants(io_errs *e, const io_node *root, char ***names,
                         size_t *count);
/* Apply the 'set:' entries of variant 'name' to '*root'; an unknown name
 * is reported at 'path' with the known 'names'. */
void io_sc_apply_variant(io_errs *e, io_node **root, const char *path,
                         const char *name, char **names, size_t count);
/* Apply the 'n' --set overrides in order; 'at' NULL, or the locations
 * of io_scenario_opts.ovr_at. */
void io_sc_apply_overrides(io_errs *e, io_node **root,
                           const io_override *ovr, size_t n,
                           const hs_loc *at);

#endif /* HETSIM_IO_SC_INT_H */
