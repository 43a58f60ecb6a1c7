/*
 * wl_parse.c -- exact number parsing for the trace readers, and the
 * seeding of the workload's random streams.
 *
 * Trace times are read straight into integer units (ns) without going
 * through a double, so "1.000000001" seconds is exactly 1000000001 ns and
 * a trace's arrival times are reproduced bit for bit.
 */
#include "workload_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int wl_parse_uint(const char *s, size_t n, int64_t max, int64_t *out)
{
    int64_t v = 0;

    if (n == 0)
        return HS_EINPUT;
    for (size_t i = 0; i < n; i++) {
        int64_t digit;

        if (!is_digit(s[i]))
            return HS_EINPUT;
        digit = s[i] - '0';
        if (v > (max - digit) / 10)
            return HS_ERANGE;
        v = v * 10 + digit;
    }
    *out = v;
    return HS_OK;
}

/* Scan [digits][.digits][(e|E)[+-]digits] with at least one mantissa
 * digit.  Sets '*has_exp'; returns false if s[0..n) is anything else. */
static bool scan_decimal(const char *s, size_t n, bool *has_exp)
{
    size_t i = 0;
    size_t mant = 0;

    while (i < n && is_digit(s[i]))
        i++, mant++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit(s[i]))
            i++, mant++;
    }
    if (mant == 0)
        return false;
    *has_exp = i < n && (s[i] == 'e' || s[i] == 'E');
    if (*has_exp) {
        size_t exp_digits = 0;

        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        while (i < n && is_digit(s[i]))
            i++, exp_digits++;
        if (exp_digits == 0)
            return false;
    }
    return i == n;
}

/* The exponent form, through strtod: s[0..n) already validated. */
static int parse_exp_form(const char *s, size_t n, int digits, int64_t *out)
{
    char tmp[64];
    double v;

    if (n >= sizeof tmp)
        return HS_EINPUT;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    v = strtod(tmp, NULL) * pow(10.0, digits);
    if (!(v < 9.2e18))
        return HS_ERANGE;
    *out = (int64_t)(v + 0.5);
    return HS_OK;
}

int wl_parse_decimal(const char *s, size_t n, int digits, int64_t *out)
{
    int64_t scale = 1;
    int64_t ipart = 0;
    int64_t frac = 0;
    size_t i = 0;
    bool has_exp;

    if (!scan_decimal(s, n, &has_exp))
        return HS_EINPUT;
    if (has_exp)
        return parse_exp_form(s, n, digits, out);
    for (int k = 0; k < digits; k++)
        scale *= 10;
    for (; i < n && s[i] != '.'; i++) {
        int64_t digit = s[i] - '0';

        if (ipart > (INT64_MAX / scale - digit) / 10)
            return HS_ERANGE;
        ipart = ipart * 10 + digit;
    }
    if (i < n)
        i++; /* the '.' */
    for (int k = 0; k < digits; k++) {
        frac *= 10;
        if (i < n)
            frac += s[i++] - '0';
    }
    if (i < n && s[i] >= '5')
        frac++; /* round half up on the first dropped digit */
    if (frac > INT64_MAX - ipart * scale)
        return HS_ERANGE;
    *out = ipart * scale + frac;
    return HS_OK;
}

uint64_t wl_stream_seed(uint64_t seed, int32_t source_index, uint32_t stream)
{
    uint64_t h = hs_mix64(seed);

    h = hs_mix64(h ^ (uint64_t)(uint32_t)source_index);
    return hs_mix64(h ^ ((uint64_t)stream << 32));
}

gsl_rng *wl_rng_new(uint64_t seed, int32_t source_index, uint32_t stream)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    uint64_t h = wl_stream_seed(seed, source_index, stream);

    if (r == NULL)
        HS_UNREACHABLE("out of memory allocating a random stream");
    /* mt19937 keeps 32 bits of its seed: fold both halves in. */
    gsl_rng_set(r, (unsigned long)((h ^ (h >> 32)) & 0xffffffffu));
    return r;
}
