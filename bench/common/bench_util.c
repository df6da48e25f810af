/* bench_util.c — clock, result lines, options, percentiles and the bulk
 * stream pattern shared by the harnesses (see bench_util.h). */
#include "bench_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t bench_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_clock_now(const bench_clock *c) { return bench_mono_ns() + c->skipped; }

void bench_clock_skip_to(bench_clock *c, uint64_t t)
{
    uint64_t now = bench_clock_now(c);
    if (t > now)
        c->skipped += t - now;
}

void bench_result(const char *key, double value, const char *unit)
{
    printf("%s %.6g %s\n", key, value, unit);
    fflush(stdout);
}

static const char *arg_value(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0 || strncmp(argv[i] + 2, name, n) != 0)
            continue;
        const char *rest = argv[i] + 2 + n;
        if (*rest == '=')
            return rest + 1;
        if (*rest == '\0')
            return i + 1 < argc ? argv[i + 1] : "";
    }
    return NULL;
}

uint64_t bench_arg_u64(int argc, char **argv, const char *name, uint64_t dflt)
{
    const char *v = arg_value(argc, argv, name);
    if (!v)
        return dflt;
    char *end;
    unsigned long long x = strtoull(v, &end, 10);
    if (end == v || *end != '\0')
        bench_die("--%s wants a number, got \"%s\"", name, v);
    return x;
}

int bench_arg_flag(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, name) == 0)
            return 1;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

uint64_t bench_quantile(uint64_t *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), cmp_u64);
    size_t rank = (size_t)(q * (double)n + 0.999999);   /* nearest rank, 1-based */
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

uint8_t bench_pattern_byte(uint64_t off)
{
    uint64_t i = off % BENCH_PATTERN_PERIOD;
    return (uint8_t)(i * 131u + (i >> 8) * 7u + 17u);
}

void bench_pattern_fill(uint8_t *buf)
{
    for (uint64_t i = 0; i < 2u * BENCH_PATTERN_PERIOD; i++)
        buf[i] = bench_pattern_byte(i);
}

int bench_pattern_check(const uint8_t *buf, const uint8_t *data, uint64_t off, size_t n)
{
    while (n) {
        size_t at = (size_t)(off % BENCH_PATTERN_PERIOD);
        size_t k = n < BENCH_PATTERN_PERIOD ? n : BENCH_PATTERN_PERIOD;
        if (memcmp(buf + at, data, k) != 0)
            return 0;
        data += k;
        off += k;
        n -= k;
    }
    return 1;
}

void bench_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}
