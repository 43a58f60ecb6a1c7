/*
 * hs_alloc.c -- checked allocation and assertion failure.
 *
 * Allocation failure is not an expected condition in a simulator sized by
 * its input, so it aborts with a message (as Redis zmalloc does) instead of
 * threading ENOMEM through every caller.
 */
#include "hetsim/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hs_assert_fail(const char *expr, const char *file, int line,
                    const char *func)
{
    fprintf(stderr, "%s:%d: %s: assertion failed: %s\n", file, line, func,
            expr);
    abort();
}

static HS_NORETURN void out_of_memory(size_t n)
{
    fprintf(stderr, "hetsim: out of memory allocating %zu bytes\n", n);
    abort();
}

void *hs_malloc(size_t n)
{
    void *p = malloc(n == 0 ? 1 : n);

    if (p == NULL)
        out_of_memory(n);
    return p;
}

void *hs_calloc(size_t count, size_t size)
{
    void *p = calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);

    if (p == NULL)
        out_of_memory(count * size);
    return p;
}

void *hs_realloc(void *p, size_t n)
{
    void *q = realloc(p, n == 0 ? 1 : n);

    if (q == NULL)
        out_of_memory(n);
    return q;
}

char *hs_strdup(const char *s)
{
    return hs_strndup(s, strlen(s));
}

char *hs_strndup(const char *s, size_t n)
{
    char *p = hs_malloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *hs_vasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    char *p;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    HS_ASSERT(n >= 0);
    p = hs_malloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *hs_asprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = hs_vasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void hs_grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap;

    if (need <= n)
        return;
    if (n < 8)
        n = 8;
    while (n < need)
        n *= 2;
    *buf = hs_realloc(*buf, n * elem);
    *cap = n;
}

hs_time hs_time_from_s(double s)
{
    double ns = s * 1e9;

    if (!(ns < 9.2e18))
        return HS_TIME_MAX;
    if (ns <= -9.2e18)
        return -HS_TIME_MAX;
    return (hs_time)(ns >= 0 ? ns + 0.5 : ns - 0.5);
}

double hs_time_to_s(hs_time t)
{
    return (double)t / 1e9;
}
