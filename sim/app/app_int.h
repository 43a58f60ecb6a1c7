/*
 * app_int.h -- private to sim/app: the clock helpers the run and the
 * oicf writer share (defined in app_run.c).
 */
#ifndef HETSIM_APP_INT_H
#define HETSIM_APP_INT_H

#include <stddef.h>

#include "hetsim/app.h"

/* Monotonic wall-clock seconds, for durations. */
double app_wall_now(void);

/* The current UTC time as ISO-8601 text ("2025-01-31T12:00:00Z") into
 * 'buf' of 'len' bytes (>= 21). */
void app_iso_now(char *buf, size_t len);

/* Write device 'dv''s calibration as <out_dir or catalog/calibration>/
 * <name>.yaml (a temporary file, read back with io_calibration_load,
 * then renamed over the old one); its path into dv->path
 * (app_calib_write.c). */
int app_calib_write(const char *out_dir, const char *catalog,
                    app_calib_device *dv, hs_diag *d);

/* One MLA module row as a fit sample: 'batch' sequences with 'heads'
 * query heads on the GPU, prefill chunks of 'prompt' tokens after
 * 'context' cached ones (k mla_prefill) or decodes attending to
 * 'context' tokens (mla_decode); the module's other kernels timed by
 * 'dev''s curves (app_calib_mla.c). */
int app_mla_sample(const cost_device *dev, cost_kclass k, int heads,
                   int batch, double prompt, double context,
                   double measured_s, app_ksample *x);

#endif /* HETSIM_APP_INT_H */
