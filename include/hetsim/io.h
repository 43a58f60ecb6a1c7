/*
 * io.h -- loading YAML: scenario files (into scenario.h's sc_scenario)
 * and the catalogs of models, hardware and links under configs/ (into
 * cost.h's structs).  The results store is store.h.
 *
 * Every loader reports problems into the caller's hs_diag as items (the
 * location, the key path in 'key', what was expected and found in
 * 'message'; code HS_EIO when the file being loaded or a catalog
 * directory cannot be read, else HS_EINPUT), printed as
 *   file:line:col: error: <key path>: <what was expected, what was found>
 * and keeps going, so one call lists every problem of the input (sorted
 * by file, line and column).  Nothing here prints or exits.  An '**out'
 * receives ownership only on HS_OK and is NULL otherwise.  No libyaml
 * type crosses this interface.
 */
#ifndef HETSIM_IO_H
#define HETSIM_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "hetsim/cost.h"
#include "hetsim/scenario.h"
#include "hetsim/util.h"

/* ---- catalogs ----------------------------------------------------------- */

typedef enum io_catalog_kind {
    IO_CATALOG_MODELS,
    IO_CATALOG_HARDWARE,
    IO_CATALOG_LINKS
} io_catalog_kind;

/* A hardware catalog entry: the device and the name of its default
 * scale-up link ("" when it names none; otherwise a file of the links
 * catalog, checked when loading). */
typedef struct io_hardware {
    cost_device dev;
    char link[64];
} io_hardware;

/* Find the catalog directory (one holding models/, hardware/, links/),
 * first match wins:
 *   1. $HETSIM_CATALOG when set and not empty (an error if it is not
 *      such a directory: no fallback);
 *   2. <dir of the running executable>/../configs, then
 *      <dir of the executable>/../share/hetsim/configs (an install under
 *      any prefix), then <dir of the executable>/../../configs
 *      (build/hetsim and build/san/hetsim in a source tree), via
 *      /proc/self/exe;
 *   3. HETSIM_DATADIR "/configs" (the installed copy).
 * On HS_OK '*dir' is a fresh string (caller frees).  On failure reports
 * the places tried and returns HS_EINPUT. */
int io_catalog_find(char **dir, hs_diag *d);

/* Load entry 'name' of the catalog in 'dir' (configs/<kind>/<name>.yaml);
 * 'dir' NULL means io_catalog_find().  The file's 'name:' must equal
 * 'name'; unknown keys, missing required keys, bad units and (hardware)
 * a 'link:' that names no links-catalog file are errors, reported at
 * their file:line:col.  An unknown name (the known ones are listed) or a
 * failed catalog search is reported at 'at', the place that named the
 * entry ({NULL, 0, 0}: no location).  Defaults follow docs/catalogs.md:
 * idle_power 25% of power, efficiency compute 0.7 / memory 0.85,
 * overheads 0, memory_margin 0.1, gated_mlp true.  Returns HS_OK,
 * HS_EINPUT or HS_EIO; '*out' is meaningful only on HS_OK. */
int io_catalog_load_model(const char *dir, const char *name, cost_model *out,
                          hs_loc at, hs_diag *d);
int io_catalog_load_hardware(const char *dir, const char *name,
                             io_hardware *out, hs_loc at, hs_diag *d);
int io_catalog_load_link(const char *dir, const char *name, cost_link *out,
                         hs_loc at, hs_diag *d);

/* Read a model from a HuggingFace config.json (docs/catalogs.md,
 * "HuggingFace configs"); its name is the file's (without '.json' and a
 * '_config' suffix; '<dir>/config.json' is named after <dir>).  Problems
 * are errors located at file:line:col with the key path; features the
 * cost model does not represent (sliding-window or linear attention,
 * multi-token prediction, a vision encoder, ...) are warnings in 'd'
 * (HS_SEV_WARNING items) that do not fail the load.  Returns HS_OK,
 * HS_EINPUT or HS_EIO. */
int io_hf_load_model(const char *path, cost_model *out, hs_diag *d);

/* Load one calibration file (configs/calibration/<name>.yaml, the format
 * of docs/calibration.md) into '*out', every problem a located error in
 * 'd'.  A hardware entry names its file with 'calibration: <name>'
 * (resolved in the entry's catalog; 'none' keeps the scalar roofline).
 * Returns HS_OK or HS_EINPUT. */
int io_calibration_load(const char *path, cost_calib *out, hs_diag *d);

/* ---- measured tables (io_csv.c) ----------------------------------------- */

/* A whole CSV file with a header row (no quoting), for the kernel tables
 * 'hetsim calibrate' reads.  io_csv_load reports an unreadable file
 * (HS_EIO) or a row whose cell count differs from the header's
 * (HS_EINPUT, at its file:line).  Rows are numbered from 0 after the
 * header. */
typedef struct io_csv io_csv;
int io_csv_load(const char *path, io_csv **out, hs_diag *d);
void io_csv_free(io_csv *c); /* NULL is a no-op */
size_t io_csv_rows(const io_csv *c);
/* The index of column 'name', or -1; io_csv_need reports its absence. */
int io_csv_col(const io_csv *c, const char *name);
int io_csv_need(const io_csv *c, const char *name, hs_diag *d);
const char *io_csv_cell(const io_csv *c, size_t row, int col);
/* A cell as a finite number; HS_EINPUT (located) otherwise. */
int io_csv_num(const io_csv *c, size_t row, int col, double *v, hs_diag *d);

/* The entry names of catalog 'kind' in 'dir' (its *.yaml files without
 * the extension), sorted by strcmp.  '*names' is a fresh array of fresh
 * strings, free with io_names_free(); it may be empty (then NULL with
 * '*count' 0).  Returns HS_OK or HS_EIO (directory unreadable). */
int io_catalog_list(const char *dir, io_catalog_kind kind, char ***names,
                    size_t *count, hs_diag *d);

/* "models", "hardware" or "links". */
const char *io_catalog_kind_name(io_catalog_kind kind);

/* Every entry of one catalog, loaded (for 'hetsim list' and the test that
 * the shipped catalogs load cleanly).  Only the array of 'kind' is set. */
typedef struct io_catalog {
    io_catalog_kind kind;
    size_t n;
    cost_model *models;
    io_hardware *hardware;
    cost_link *links;
} io_catalog;

/* Load every entry of catalog 'kind' in 'dir', in name order; every
 * problem of every file is reported.  On HS_OK '*out' is owned by the
 * caller (io_catalog_free); on failure it is NULL. */
int io_catalog_load_all(const char *dir, io_catalog_kind kind,
                        io_catalog **out, hs_diag *d);
void io_catalog_free(io_catalog *c); /* NULL is a no-op */

/* Free an array of 'count' strings and the array.  NULL is a no-op. */
void io_names_free(char **names, size_t count);

/* ---- scenarios ---------------------------------------------------------- */

/* One command-line override, "PATH=VALUE" (borrowed).  PATH is dotted:
 * mapping keys and sequence indexes ("cluster.prefill.count",
 * "workload.0.synthetic.requests"); missing intermediate mappings are
 * created.  VALUE is parsed as YAML, so it may be a scalar ("split",
 * "5/s") or a flow collection ("{device: h100, count: 2}"); it replaces
 * the node at PATH whole.  Errors in an override are reported as
 * "--set:1:COL: error: ...", COL counting in the whole PATH=VALUE
 * text. */
typedef struct io_override {
    const char *arg;
} io_override;

/* Options of io_scenario_load_opts().  Zero-initialise, then set what is
 * needed. */
typedef struct io_scenario_opts {
    const io_override *ovr; /* applied in order, after the variant */
    size_t n_ovr;
    const char *variant;     /* NULL: none (the base scenario) */
    const char *catalog_dir; /* NULL: io_catalog_find(), when needed */
    const char *text;        /* non-NULL: parse this instead of reading
                                'path' ('path' still names it in messages
                                and its directory resolves trace paths) */
    const hs_loc *ovr_at;    /* NULL, or 2 * n_ovr locations: where
                                override i's PATH ([2i]) and VALUE
                                ([2i + 1]) were written (a sweep file), so
                                that its problems are reported there and
                                not as "--set:1:COL"; the locations'
                                'file' must outlive the call */
} io_scenario_opts;

/* Load and validate the scenario file 'path' (DESIGN.md section 5,
 * docs/scenario.md).  The selected variant's 'set:' entries are applied
 * to the document first, then the overrides, both before anything is
 * bound; an unknown variant name is an error listing the known ones.
 * Every problem is reported to 'd'.  On HS_OK '*out' owns the scenario
 * (sc_scenario_free); otherwise it is NULL and the status is HS_EINPUT
 * (bad input) or HS_EIO (unreadable file). */
int io_scenario_load(const char *path, const io_override *ovr, size_t n_ovr,
                     const char *variant, sc_scenario **out, hs_diag *d);
int io_scenario_load_opts(const char *path, const io_scenario_opts *opts,
                          sc_scenario **out, hs_diag *d);

/* Warn (HS_SEV_WARNING items in 'd', located at each entry) about every
 * hardware, link and memory-pool quantity of 'sc' outside its plausible
 * physical range (sim/io/io_plaus.c, docs/scenario.md); the scenario
 * stays valid.  O(entries). */
void io_scenario_plausibility(const sc_scenario *sc, hs_diag *d);

/* The names of the variants defined in 'path' (or in 'text' when not
 * NULL), in file order, without binding the rest.  '*names' as for
 * io_catalog_list().  Errors in the 'variants:' section are reported. */
int io_scenario_variant_names(const char *path, const char *text,
                              char ***names, size_t *count, hs_diag *d);

/* ---- sweep and search files (io_sweep.c) ---------------------------------
 *
 * A sweep file (docs/sweep.md) names a scenario and the values to try at
 * dotted scenario PATHs (as --set takes them):
 *   scenario: base.yaml                      relative to the sweep file
 *   grid: {PATH: [V, ...], ...}              every combination
 *   zip:  {PATH: [V, ...], ...}              lists advanced together
 *   seeds: [N, ...]                          crossed with everything
 * A search file (docs/search.md) has 'scenario', 'slo' (replacing the
 * scenario's), 'objective' (cost, energy or devices), 'space' (as grid),
 * 'seeds' and an optional 'rate_max: {path, min, max, steps}'.
 * Every location ('at') names the file by the struct's 'path'. */

typedef struct io_sweep_value {
    char *text; /* as written ("5/s"); a collection as flow YAML */
    hs_loc at;  /* where it was written */
} io_sweep_value;

/* One PATH and its values. */
typedef struct io_sweep_axis {
    char *path;
    hs_loc at; /* of the PATH key */
    io_sweep_value *v;
    size_t n; /* >= 1 */
} io_sweep_axis;

typedef enum io_sweep_kind { IO_SWEEP_FILE, IO_SEARCH_FILE } io_sweep_kind;

/* What a search minimises. */
typedef enum io_objective {
    IO_OBJ_COST,   /* cost_usd per hour of the measurement window */
    IO_OBJ_ENERGY, /* joules per output token (1 / tokens_per_j) */
    IO_OBJ_DEVICES /* devices of the cluster */
} io_objective;

typedef struct io_sweep {
    io_sweep_kind kind;
    char *path;     /* the file as given */
    char *scenario; /* its scenario, resolved against the file's directory */
    hs_loc scenario_at;
    io_sweep_axis *grid; /* grid: (space: in a search file) */
    size_t n_grid;
    io_sweep_axis *zip; /* zip: lists of one length, zip_len */
    size_t n_zip, zip_len;
    uint64_t *seeds; /* none: the scenario's seed */
    size_t n_seeds;
    /* search files only */
    char *slo; /* "slo={...}", the file's slo as an override; NULL: none */
    hs_loc slo_at[2];
    io_objective objective;
    char *rate_path; /* rate_max.path; NULL: no rate_max section */
    hs_loc rate_at;
    double rate_min, rate_max; /* requests/s */
    int rate_steps;            /* bisection steps (default 6) */
} io_sweep;

/* Load and check the sweep (or search) file 'path': unknown keys,
 * missing lists, empty lists, zip lists of different lengths, a PATH
 * twice, seeds that are not integers, a missing scenario file are
 * located errors.  The values themselves are checked when the points'
 * scenarios are loaded (io_scenario_opts.ovr_at reports them here).  On
 * HS_OK '*out' is owned by the caller (io_sweep_free). */
int io_sweep_load(const char *path, io_sweep_kind kind, io_sweep **out,
                  hs_diag *d);
void io_sweep_free(io_sweep *s); /* NULL is a no-op */

/* The name of objective 'o' ("cost", ...). */
const char *io_objective_name(io_objective o);

#endif /* HETSIM_IO_H */
