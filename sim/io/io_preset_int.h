/*
 * io_preset_int.h -- the preset loader's entry for the scenario binder
 * (io_scenario.c): loading a preset with errors collected in an io_errs,
 * reported at the scenario node that named it, and the inline overrides
 * of an agent source ('agent: {preset: coding, think_time: ...}').  Private to sim/io (and
 * tests, with -Isim).
 */
#ifndef HETSIM_IO_PRESET_INT_H
#define HETSIM_IO_PRESET_INT_H

#include "io_int.h"

#include "hetsim/preset.h"

/* Load preset 'name' of the catalog in 'dir' into '*out'.  An unknown
 * name is reported at node 'ref' (with its key path; no location when
 * 'ref' is NULL), listing the known names.  Returns HS_OK or HS_EINPUT
 * with the errors in 'e'. */
int io_preset_at(io_errs *e, const char *dir, const char *name,
                 const io_node *ref, wl_preset *out);

/* Override the fields of preset 'p' that mapping 'map' names with a
 * preset file's keys (every key of the file but name and description:
 * calls, start_context, ..., max_context, on_max_context), each bound and
 * checked as in the file (a distribution replaces the whole field), errors
 * located in 'map'; keys the preset table does not know are left to the
 * caller.  Returns HS_OK or HS_EINPUT. */
int io_preset_override(io_errs *e, const io_node *map, wl_preset *p);

/* The keys io_preset_override() binds, in the preset file's order, into
 * out[0..cap); returns how many (at most IO_PRESET_N_KEYS). */
#define IO_PRESET_N_KEYS 16
size_t io_preset_keys(const char **out, size_t cap);

#endif /* HETSIM_IO_PRESET_INT_H */
