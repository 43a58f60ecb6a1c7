/*
 * wl_fmt_azure.c -- the Azure LLM inference trace format (2023, 2024):
 * CSV with the header exactly 'TIMESTAMP,ContextTokens,GeneratedTokens',
 * TIMESTAMP 'YYYY-MM-DD HH:MM:SS[.fraction]' (UTC, read exactly to the
 * ns, up to 9 fraction digits; the times whose ns since 1970 fit a
 * signed 64-bit integer, 1677-09-21 00:12:44 to 2262-04-11
 * 23:47:16.854775807), each at most WL_MAX_TRACE_NS (10 years) after
 * the first record's, as in every trace format.  One record is one request; the trace
 * carries no sessions and no prefix ids.  Read by wl_trace.c.
 */
#include "workload_int.h"

#include <string.h>

static const char azure_header[] = "TIMESTAMP,ContextTokens,GeneratedTokens";

/* Years outside these cannot give a time in range (parse_azure_time). */
#define AZURE_MIN_YEAR 1677
#define AZURE_MAX_YEAR 2262

static bool digits_at(const char *s, size_t n, unsigned *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (unsigned)(s[i] - '0');
    }
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil); y >= 0. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned day)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = y / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned dm[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dm[m - 1];
}

/* What parse_azure_time found. */
enum azure_time { AT_OK, AT_MALFORMED, AT_RANGE };

/* 'YYYY-MM-DD HH:MM:SS[.f...]' (1 to 9 fraction digits) as ns since the
 * epoch, UTC, exactly; AT_RANGE when the ns do not fit an int64_t
 * (before 1677-09-21 00:12:44 or after 2262-04-11 23:47:16.854775807). */
static enum azure_time parse_azure_time(const char *s, size_t n, int64_t *ns)
{
    unsigned y, mo, da, h, mi, se, frac = 0;
    size_t nfrac = 0;
    int64_t sec;

    if (n < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
        s[16] != ':')
        return AT_MALFORMED;
    if (!digits_at(s, 4, &y) || !digits_at(s + 5, 2, &mo) ||
        !digits_at(s + 8, 2, &da) || !digits_at(s + 11, 2, &h) ||
        !digits_at(s + 14, 2, &mi) || !digits_at(s + 17, 2, &se))
        return AT_MALFORMED;
    if (mo < 1 || mo > 12 || da < 1 || da > days_in_month(y, mo) || h > 23 ||
        mi > 59 || se > 60)
        return AT_MALFORMED;
    if (n > 19) {
        nfrac = n - 20;
        if (s[19] != '.' || nfrac < 1 || nfrac > 9 ||
            !digits_at(s + 20, nfrac, &frac))
            return AT_MALFORMED;
        for (size_t k = nfrac; k < 9; k++)
            frac *= 10;
    }
    if (y < AZURE_MIN_YEAR || y > AZURE_MAX_YEAR)
        return AT_RANGE;
    /* Seconds fit easily for these years; their ns may not. */
    sec = ((days_from_civil(y, mo, da) * 24 + h) * 60 + mi) * 60 + se;
    if (__builtin_mul_overflow(sec, HS_NS_PER_S, ns) ||
        __builtin_add_overflow(*ns, (int64_t)frac, ns))
        return AT_RANGE;
    return AT_OK;
}

static int azure_open(wl_trace *t, void *state, hs_diag *d)
{
    size_t len;
    const char *line;
    int rc = wl_trace_header(t, azure_header, d);

    (void)state;
    if (rc != HS_OK)
        return rc;
    line = wl_trace_line(t, &len);
    if (strcmp(line, azure_header) != 0)
        return wl_trace_bad_header(t, azure_header, d);
    wl_trace_set_cols(t, 3);
    return HS_OK;
}

static int azure_read(wl_trace *t, void *state, wl_request *out, int64_t *raw,
                      hs_diag *d)
{
    const char *time;
    size_t len;
    int rc;

    if ((rc = wl_trace_split_row(t, d)) != HS_OK)
        return rc;
    wl_trace_time_at(t, wl_trace_field_at(t, 0).col);
    time = wl_trace_field(t, 0, &len);
    switch (parse_azure_time(time, len, raw)) {
    case AT_OK:
        break;
    case AT_MALFORMED:
        return wl_trace_bad_field(
            t, 0, "TIMESTAMP", "a time like '2023-11-16 18:15:46.6805900'", d);
    case AT_RANGE:
        return wl_trace_bad_field(t, 0, "TIMESTAMP",
                                  "a time from 1677-09-21 00:12:44 to "
                                  "2262-04-11 23:47:16.854775807",
                                  d);
    }
    if ((rc = wl_trace_span(t, state, *raw, 0, "TIMESTAMP", "10 years", d)) !=
            HS_OK ||
        (rc = wl_trace_uint(t, 1, "ContextTokens", WL_MAX_TOKENS,
                            &out->prompt_tokens, d)) != HS_OK)
        return rc;
    return wl_trace_uint(t, 2, "GeneratedTokens", WL_MAX_TOKENS,
                         &out->output_tokens, d);
}

const wl_format wl_format_azure = {
    .version = WL_FORMAT_VERSION,
    .name = "azure",
    .time_col = "column 'TIMESTAMP'",
    .sessions = false,
    .size = sizeof(wl_span),
    .open = azure_open,
    .read = azure_read,
    .close = NULL,
};
