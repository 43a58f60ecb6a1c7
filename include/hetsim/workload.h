/*
 * workload.h -- where requests come from: synthetic generators driven by
 * GSL random streams, and streamed readers of real traces.
 *
 * This first part is plain data: the workload section of a scenario as
 * io/ fills it (one wl_source_spec per entry of 'workload:').  The
 * functions that turn a spec into a stream of requests follow below.
 */
#ifndef HETSIM_WORKLOAD_H
#define HETSIM_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hetsim/util.h"

/* ---- specs (filled by io/, read by workload/) -------------------------- */

typedef enum wl_dist_kind {
    WL_DIST_FIXED,     /* 'value' */
    WL_DIST_UNIFORM,   /* integers in ['min', 'max'] */
    WL_DIST_LOGNORMAL, /* 'mean' and 'cv' (std/mean) of the lognormal */
    WL_DIST_EMPIRICAL  /* resampled from a trace file's column */
} wl_dist_kind;

/* A distribution of token counts.  Results are rounded to integers and
 * clamped to ['min', 'max'] when those are set (max 0 = no upper bound);
 * the result is always >= 1. */
typedef struct wl_dist_spec {
    wl_dist_kind kind;
    double value;
    double min, max;
    double mean, cv;
    char *path;        /* empirical: trace file (owned) */
    char *format;      /* empirical: trace format name (owned) */
    hs_loc loc;        /* where the spec was written, for errors */
} wl_dist_spec;

typedef enum wl_arrival_kind {
    WL_ARRIVAL_POISSON,  /* exponential gaps at 'rate' */
    WL_ARRIVAL_GAMMA,    /* gamma gaps with mean 1/rate and CV 'cv' */
    WL_ARRIVAL_CONSTANT, /* gaps of exactly 1/rate */
    WL_ARRIVAL_CLOSED    /* 'concurrency' requests kept in flight */
} wl_arrival_kind;

typedef struct wl_arrival_spec {
    wl_arrival_kind kind;
    double rate; /* requests per second (open processes) */
    double cv;   /* gamma only */
    int64_t concurrency; /* closed only */
} wl_arrival_spec;

typedef struct wl_synthetic_spec {
    wl_arrival_spec arrival;
    int64_t requests;  /* stop after this many; 0 = no count limit */
    double horizon_s;  /* stop arrivals after this time; 0 = no limit */
    wl_dist_spec prompt;
    wl_dist_spec output;
} wl_synthetic_spec;

typedef enum wl_trace_format {
    WL_TRACE_AZURE,    /* TIMESTAMP,ContextTokens,GeneratedTokens */
    WL_TRACE_MOONCAKE, /* JSONL timestamp(ms),input_length,output_length,
                          hash_ids */
    WL_TRACE_HETSIM,   /* arrival_s,prompt_tokens,output_tokens[,...] */
    WL_TRACE_SESSIONS  /* agent session CSV (DESIGN.md section 5) */
} wl_trace_format;

typedef struct wl_trace_spec {
    wl_trace_format format;
    char *path;          /* owned; relative paths are resolved by io/
                            against the scenario file's directory */
    double time_scale;   /* arrival times are multiplied by this (1.0) */
    int64_t max_requests; /* 0 = all */
} wl_trace_spec;

typedef struct wl_agent_spec {
    char *preset;        /* owned: chat, coding, web, computer-use */
    double session_rate; /* sessions per second */
    int64_t sessions;    /* number of sessions; 0 = until horizon */
    double horizon_s;
} wl_agent_spec;

typedef enum wl_source_kind {
    WL_SOURCE_TRACE,
    WL_SOURCE_SYNTHETIC,
    WL_SOURCE_AGENT
} wl_source_kind;

typedef struct wl_source_spec {
    char *name; /* owned */
    wl_source_kind kind;
    wl_trace_spec trace;         /* kind == WL_SOURCE_TRACE */
    wl_synthetic_spec synthetic; /* kind == WL_SOURCE_SYNTHETIC */
    wl_agent_spec agent;         /* kind == WL_SOURCE_AGENT */
    hs_loc loc;
} wl_source_spec;

/* Free what a spec owns (not the spec itself).  NULL is a no-op. */
void wl_source_spec_fini(wl_source_spec *s);

#endif /* HETSIM_WORKLOAD_H */
