/*
 * fuzz_trace.c -- libFuzzer harness for one trace reader, chosen at
 * compile time by FZ_FORMAT (WL_TRACE_AZURE, _MOONCAKE, _HETSIM or
 * _SESSIONS): the Makefile builds this file once per format, as
 * fuzz_trace_<name>.
 *
 * The input is written to a scratch file and read twice: by
 * wl_source_scan(), as 'hetsim check' and 'hetsim run' read it before a
 * run, then request by request as a run pulls it, each call finished a
 * little after the later of its arrival and the previous finish (one
 * server working through them), so session traces release their next
 * calls in a different order than the scan's.  Checked: statuses the
 * contract allows; a failure says why; arrivals never go backwards, are
 * not negative and stay below HS_TIME_MAX; token counts not negative;
 * without sessions (Azure, Mooncake) a trace the scan accepts is read
 * whole by the pull too, and the two count the same requests (with
 * sessions, the pull's later finishes may move calls past a limit).
 */
#include <string.h>

#include "fuzz_common.h"
#include "hetsim/util.h"
#include "hetsim/workload.h"

#ifndef FZ_FORMAT
#error "FZ_FORMAT must name a wl_trace_format"
#endif

static wl_source_spec spec_for(const char *path)
{
    wl_source_spec s;

    memset(&s, 0, sizeof s);
    s.kind = WL_SOURCE_TRACE;
    s.trace.format = FZ_FORMAT;
    s.trace.path = (char *)path;
    s.trace.time_scale = 1.0;
    return s;
}

/* Pull every request as a run does; returns the last status of next(). */
static int pull(const wl_source_spec *spec, int64_t *n, bool *sessions)
{
    hs_diag *d = hs_diag_new();
    wl_source *s = wl_source_open(spec, 0, 1, d);
    hs_time last = 0, now = 0;
    wl_request r;
    int rc = HS_EINPUT;

    *n = 0;
    *sessions = false;
    if (s == NULL) {
        HS_ASSERT(hs_diag_count(d) > 0);
        hs_diag_free(d);
        return rc;
    }
    while ((rc = wl_source_next(s, &r, d)) == 1) {
        int64_t work = r.prompt_tokens + r.output_tokens;

        HS_ASSERT(r.arrival >= last && r.arrival >= 0);
        HS_ASSERT(r.prompt_tokens >= 0 && r.output_tokens >= 0);
        HS_ASSERT(r.tool_wait >= 0);
        last = r.arrival;
        if (r.session_id >= 0)
            *sessions = true;
        now = now > r.arrival ? now : r.arrival;
        if (__builtin_add_overflow(
                now, (work > 0 && work < 1000000 ? work : 1) * 1000, &now))
            now = HS_TIME_MAX;
        wl_source_finished(s, r.session_id, now);
        wl_source_release(s, now);
    }
    HS_ASSERT(rc == 0 || rc == HS_EINPUT || rc == HS_EIO);
    HS_ASSERT(rc == 0 || hs_diag_count(d) > 0);
    *n = wl_source_count(s);
    wl_source_close(s);
    hs_diag_free(d);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wl_source_spec spec = spec_for(fz_scratch(data, size));
    hs_diag *d = hs_diag_new();
    int64_t n_scan = -1, n_pull = 0;
    bool sessions;
    int rc_scan, rc_pull;

    rc_scan = wl_source_scan(&spec, &n_scan, d);
    HS_ASSERT(rc_scan == HS_OK || rc_scan == HS_EINPUT || rc_scan == HS_EIO);
    HS_ASSERT(rc_scan == HS_OK || hs_diag_count(d) > 0);
    hs_diag_free(d);
    rc_pull = pull(&spec, &n_pull, &sessions);
    /* Without sessions the timing of finishes changes nothing. */
    if ((FZ_FORMAT == WL_TRACE_AZURE || FZ_FORMAT == WL_TRACE_MOONCAKE) &&
        rc_scan == HS_OK)
        HS_ASSERT(rc_pull == 0);
    if (rc_scan == HS_OK && rc_pull == 0 && !sessions)
        HS_ASSERT(n_scan == n_pull);
    return 0;
}
