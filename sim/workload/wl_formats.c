/*
 * wl_formats.c -- the registry of trace formats: the table made from
 * include/hetsim/wl_formats.def (one wl_format vtable per format, each
 * in its own wl_fmt_<name>.c), lookups by enum and by name, and the
 * checks of a trace spec that every trace source makes before reading.
 */
#include "workload_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const wl_format *const formats[] = {
#define WL_FORMAT(ID, name) [WL_TRACE_##ID] = &wl_format_##name,
#include "hetsim/wl_formats.def"
#undef WL_FORMAT
};

#define N_FORMATS (sizeof formats / sizeof *formats)

const wl_format *wl_format_of(wl_trace_format format)
{
    if ((unsigned)format < N_FORMATS)
        return formats[format];
    return NULL;
}

int wl_trace_format_parse(const char *name, wl_trace_format *out)
{
    for (size_t i = 0; i < N_FORMATS; i++) {
        if (strcmp(name, formats[i]->name) == 0) {
            *out = (wl_trace_format)i;
            return HS_OK;
        }
    }
    return HS_EINPUT;
}

const char *wl_trace_format_name(wl_trace_format format)
{
    const wl_format *f = wl_format_of(format);

    return f != NULL ? f->name : "unknown";
}

const char *wl_format_list(char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < N_FORMATS && used < len; i++) {
        const char *sep = i == 0 ? "" : i + 1 == N_FORMATS ? " or " : ", ";
        int n =
            snprintf(buf + used, len - used, "%s%s", sep, formats[i]->name);

        used += n > 0 ? (size_t)n : 0;
    }
    return buf;
}

const wl_format *wl_trace_check(const wl_source_spec *spec, hs_diag *d)
{
    const wl_trace_spec *t = &spec->trace;
    const wl_format *f = wl_format_of(t->format);
    int rc = HS_OK;

    if (t->path == NULL)
        rc = hs_diag_error(d, spec->loc, "trace needs a 'path'");
    if (f == NULL)
        rc = hs_diag_error(d, spec->loc, "unknown trace format %d",
                           (int)t->format);
    if (!(t->time_scale > 0 && isfinite(t->time_scale)))
        rc = hs_diag_error(d, spec->loc, "'time_scale' must be > 0, got %g",
                           t->time_scale);
    if (t->max_requests < 0)
        rc = hs_diag_error(d, spec->loc,
                           "'max_requests' must be >= 0, got %lld",
                           (long long)t->max_requests);
    return rc == HS_OK ? f : NULL;
}
