/*
 * preset.h -- loading agent-workload presets: configs/presets/<name>.yaml
 * (chat, coding, web, computer-use) into workload.h's wl_preset.  The file
 * format, every figure and its source are in docs/presets.md.
 *
 * A preset file is a mapping:
 *   name           the file name without .yaml (required)
 *   description    free text (optional, at most 255 characters)
 *   calls, start_context, appended, output      token DISTs (required)
 *   tool_latency, think_time                    time DISTs (required)
 *   tool_fraction  a number in [0, 1] (required)
 *   max_context    tokens, an integer >= 1 (required)
 *   on_max_context end | compact (optional, default end)
 * A token DIST is {dist: fixed, value: N} | {dist: uniform, min: N, max: N}
 * | {dist: lognormal, mean: N, cv: X[, min: N][, max: N]}, as in
 * scenarios (empirical is not accepted in presets).  A time DIST has the
 * same forms with times carrying units ({dist: lognormal, mean: 18.4s,
 * cv: 61, max: 744h}); a bare number there is an error.
 *
 * Errors are reported as the other loaders do (io.h):
 *   file:line:col: error: <key path>: <what was expected, what was found>
 * with every problem of the file listed.  Nothing here prints or exits.
 */
#ifndef HETSIM_PRESET_H
#define HETSIM_PRESET_H

#include <stddef.h>

#include "hetsim/util.h"
#include "hetsim/workload.h"

/* Load preset 'name' from <dir>/presets/<name>.yaml, where 'dir' is a
 * catalog directory (NULL: io_catalog_find()).  An unknown name is
 * reported at 'at' (no location when at.file is NULL) with the known
 * names listed ("no preset 'x' in configs/presets (known: chat, coding,
 * computer-use, web)").  Returns HS_OK, HS_EINPUT or HS_EIO (the file
 * exists but cannot be read); '*out' is meaningful only on HS_OK. */
int io_preset_load(const char *dir, const char *name, wl_preset *out,
                   hs_loc at, hs_diag *d);

/* The preset names in <dir>/presets (its *.yaml files without the
 * extension), sorted by strcmp.  '*names' as for io_catalog_list (free
 * with io_names_free); empty (NULL, 0) when there are none.  Returns HS_OK
 * or HS_EIO (directory unreadable). */
int io_preset_list(const char *dir, char ***names, size_t *count, hs_diag *d);

/* "end" or "compact"; "unknown" for anything else. */
const char *io_overflow_name(wl_overflow o);

#endif /* HETSIM_PRESET_H */
