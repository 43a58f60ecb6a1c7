/*
 * hs_units.c -- quantities with units: "80GB", "3.35TB/s", "400Gb/s",
 * "989TFLOP/s", "150ns", "700W", "3.1pJ", "5/s".
 *
 * Each kind has a table of accepted suffixes and their factor to the SI
 * base unit.  Matching is exact and case-sensitive where case carries
 * meaning (b is bits, B is bytes; m is milli, M is mega).
 */
#include "hetsim/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct unit_suffix {
    const char *text;
    double factor;
} unit_suffix;

static const unit_suffix bytes_units[] = {
    {"B", 1.0},
    {"KB", 1e3},
    {"MB", 1e6},
    {"GB", 1e9},
    {"TB", 1e12},
    {"PB", 1e15},
    {"kB", 1e3},
    {"KiB", 1024.0},
    {"MiB", 1048576.0},
    {"GiB", 1073741824.0},
    {"TiB", 1099511627776.0},
    {"PiB", 1125899906842624.0},
    {NULL, 0},
};

static const unit_suffix bandwidth_units[] = {
    {"B/s", 1.0},
    {"KB/s", 1e3},
    {"kB/s", 1e3},
    {"MB/s", 1e6},
    {"GB/s", 1e9},
    {"TB/s", 1e12},
    {"PB/s", 1e15},
    {"KiB/s", 1024.0},
    {"MiB/s", 1048576.0},
    {"GiB/s", 1073741824.0},
    {"TiB/s", 1099511627776.0},
    {"b/s", 0.125},
    {"Kb/s", 125.0},
    {"kb/s", 125.0},
    {"Mb/s", 1.25e5},
    {"Gb/s", 1.25e8},
    {"Tb/s", 1.25e11},
    {"bps", 0.125},
    {"Kbps", 125.0},
    {"kbps", 125.0},
    {"Mbps", 1.25e5},
    {"Gbps", 1.25e8},
    {"Tbps", 1.25e11},
    {NULL, 0},
};

static const unit_suffix time_units[] = {
    {"ps", 1e-12}, {"ns", 1e-9},  {"us", 1e-6},  {"ms", 1e-3},
    {"s", 1.0},    {"min", 60.0}, {"h", 3600.0}, {NULL, 0},
};

static const unit_suffix flops_units[] = {
    {"FLOP/s", 1.0},   {"KFLOP/s", 1e3},  {"MFLOP/s", 1e6},  {"GFLOP/s", 1e9},
    {"TFLOP/s", 1e12}, {"PFLOP/s", 1e15}, {"EFLOP/s", 1e18}, {NULL, 0},
};

static const unit_suffix power_units[] = {
    {"mW", 1e-3}, {"W", 1.0}, {"kW", 1e3}, {"MW", 1e6}, {NULL, 0},
};

static const unit_suffix energy_units[] = {
    {"fJ", 1e-15}, {"pJ", 1e-12}, {"nJ", 1e-9},   {"uJ", 1e-6}, {"mJ", 1e-3},
    {"J", 1.0},    {"kJ", 1e3},   {"kWh", 3.6e6}, {NULL, 0},
};

static const unit_suffix rate_units[] = {
    {"/s", 1.0},
    {"/min", 1.0 / 60.0},
    {"/h", 1.0 / 3600.0},
    {NULL, 0},
};

typedef struct unit_kind_info {
    const char *name;
    const char *example;
    const unit_suffix *suffixes;
} unit_kind_info;

static const unit_kind_info kinds[] = {
    [HS_UNIT_BYTES] = {"size in bytes", "80GB", bytes_units},
    [HS_UNIT_BANDWIDTH] = {"bandwidth", "3.35TB/s", bandwidth_units},
    [HS_UNIT_TIME] = {"time", "150ns", time_units},
    [HS_UNIT_FLOPS] = {"compute rate", "989TFLOP/s", flops_units},
    [HS_UNIT_POWER] = {"power", "700W", power_units},
    [HS_UNIT_ENERGY] = {"energy", "3.1pJ", energy_units},
    [HS_UNIT_RATE] = {"rate", "5/s", rate_units},
};

const char *hs_unit_kind_name(hs_unit_kind kind)
{
    return kinds[kind].name;
}

const char *hs_unit_kind_example(hs_unit_kind kind)
{
    return kinds[kind].example;
}

static void say(char *why, size_t whylen, const char *fmt, const char *arg)
{
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, fmt, arg);
}

/* Whether 'p' starts a plain decimal number (sign, digits, point,
 * exponent), not one of strtod's other forms: hex floats ("0x1p3"),
 * "inf", "nan". */
static bool decimal_start(const char *p)
{
    if (*p == '+' || *p == '-')
        p++;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        return false;
    return isdigit((unsigned char)*p) ||
           (*p == '.' && isdigit((unsigned char)p[1]));
}

int hs_parse_quantity(const char *text, hs_unit_kind kind, double *out,
                      char *why, size_t whylen)
{
    const char *p = text;
    char *end;
    double v;

    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0') {
        say(why, whylen, "%s", "empty value");
        return HS_EINPUT;
    }
    errno = 0;
    v = strtod(p, &end);
    if (end == p || !decimal_start(p)) {
        say(why, whylen, "'%s' does not start with a decimal number", text);
        return HS_EINPUT;
    }
    if (errno == ERANGE || !isfinite(v)) {
        say(why, whylen, "'%s' is out of range", text);
        return HS_EINPUT;
    }
    if (v < 0) {
        say(why, whylen, "'%s' is negative", text);
        return HS_EINPUT;
    }
    while (*end == ' ')
        end++;
    if (*end == '\0') {
        say(why, whylen, "'%s' has no unit", text);
        return HS_EINPUT;
    }
    for (const unit_suffix *u = kinds[kind].suffixes; u->text != NULL; u++) {
        size_t n = strlen(u->text);

        if (strncmp(end, u->text, n) == 0) {
            const char *rest = end + n;

            while (isspace((unsigned char)*rest))
                rest++;
            if (*rest == '\0' && !isfinite(v * u->factor)) {
                say(why, whylen, "'%s' is out of range", text);
                return HS_EINPUT;
            }
            if (*rest == '\0') {
                *out = v * u->factor;
                return HS_OK;
            }
        }
    }
    say(why, whylen, "unknown unit '%s'", end);
    return HS_EUNIT;
}

int hs_parse_double(const char *text, double *out)
{
    char *end;
    double v;

    if (text == NULL || *text == '\0' || isspace((unsigned char)*text))
        return HS_EINPUT;
    errno = 0;
    v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v))
        return HS_EINPUT;
    *out = v;
    return HS_OK;
}

int hs_parse_int64(const char *text, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    if (text == NULL || *text == '\0' || isspace((unsigned char)*text))
        return HS_EINPUT;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (end == text || *end != '\0')
        return HS_EINPUT;
    if (errno == ERANGE || v < min || v > max)
        return HS_ERANGE;
    *out = (int64_t)v;
    return HS_OK;
}
