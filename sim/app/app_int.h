/*
 * app_int.h -- private to sim/app: the clock helpers the run and the
 * oicf writer share (defined in app_run.c).
 */
#ifndef HETSIM_APP_INT_H
#define HETSIM_APP_INT_H

#include <stddef.h>

/* Monotonic wall-clock seconds, for durations. */
double app_wall_now(void);

/* The current UTC time as ISO-8601 text ("2025-01-31T12:00:00Z") into
 * 'buf' of 'len' bytes (>= 21). */
void app_iso_now(char *buf, size_t len);

#endif /* HETSIM_APP_INT_H */
