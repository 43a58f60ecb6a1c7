/*
 * io_preset_int.h -- the preset loader's entry for the scenario binder
 * (io_scenario.c): loading a preset with errors collected in an io_errs,
 * reported at the scenario node that named it.  Private to sim/io (and
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

#endif /* HETSIM_IO_PRESET_INT_H */
