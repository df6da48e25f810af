/* fault_spec.c — the text form of one direction's faults, as given on the
 * command line ("loss=0.01,dup=0.5%,reorder=1%,seed=7") and as printed
 * back in logs. */
#include "fault/fault.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 3, 4)))
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* "0.01" or "1%" -> 0.01; -1 if not a probability. */
static double parse_prob(const char *s, size_t n)
{
    char buf[32];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (errno || end == buf || !isfinite(v))
        return -1;
    if (*end == '%') {
        v /= 100.0;
        end++;
    }
    if (*end || v < 0.0 || v > 1.0)
        return -1;
    return v;
}

/* A decimal unsigned number of exactly n characters; -1 if not one. */
static int parse_u64(const char *s, size_t n, uint64_t *out, const char **rest)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned dgt = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - dgt) / 10)
            return -1;
        v = v * 10 + dgt;
    }
    if (i == 0)
        return -1;
    *out = v;
    if (rest)
        *rest = s + i;
    else if (i != n)
        return -1;
    return 0;
}

/* "10ms", "500us", "2s", "7000000ns", or bare milliseconds. */
static int parse_delay(const char *s, size_t n, synack_time *out)
{
    uint64_t v;
    const char *unit;
    if (parse_u64(s, n, &v, &unit))
        return -1;
    size_t ul = n - (size_t)(unit - s);
    uint64_t mul;
    if (ul == 0 || (ul == 2 && memcmp(unit, "ms", 2) == 0))
        mul = 1000000u;
    else if (ul == 2 && memcmp(unit, "us", 2) == 0)
        mul = 1000u;
    else if (ul == 2 && memcmp(unit, "ns", 2) == 0)
        mul = 1u;
    else if (ul == 1 && unit[0] == 's')
        mul = 1000000000u;
    else
        return -1;
    /* At most an hour: a hold is meant to be short. */
    if (v == 0 || v > 3600000000000u / mul)
        return -1;
    *out = v * mul;
    return 0;
}

static int key_is(const char *k, size_t kl, const char *name)
{
    return strlen(name) == kl && memcmp(k, name, kl) == 0;
}

int fault_parse(const char *spec, fault_params *p, char *err, size_t errlen)
{
    if (!spec || !*spec)
        return bad(err, errlen, "empty fault list (want e.g. loss=0.01,reorder=1%%,seed=7)");
    fault_params r = *p;
    const char *s = spec;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        const char *eq = memchr(s, '=', n);
        if (!eq)
            return bad(err, errlen, "'%.*s' is not key=value", (int)n, s);
        size_t kl = (size_t)(eq - s), vl = n - kl - 1;
        const char *v = eq + 1;
        double prob;
        uint64_t u;
        if (key_is(s, kl, "loss") || key_is(s, kl, "dup") || key_is(s, kl, "reorder") ||
            key_is(s, kl, "corrupt")) {
            if ((prob = parse_prob(v, vl)) < 0)
                return bad(err, errlen, "%.*s: '%.*s' is not a probability (0..1 or 0%%..100%%)",
                           (int)kl, s, (int)vl, v);
            if (s[0] == 'l')
                r.loss = prob;
            else if (s[0] == 'd')
                r.dup = prob;
            else if (s[0] == 'r')
                r.reorder = prob;
            else
                r.corrupt = prob;
        } else if (key_is(s, kl, "depth")) {
            if (parse_u64(v, vl, &u, NULL) || u < 1 || u > FAULT_MAX_HELD)
                return bad(err, errlen, "depth: '%.*s' is not a count in 1..%u", (int)vl, v,
                           FAULT_MAX_HELD);
            r.depth = (uint32_t)u;
        } else if (key_is(s, kl, "delay")) {
            if (parse_delay(v, vl, &r.delay))
                return bad(err, errlen,
                           "delay: '%.*s' is not a duration (e.g. 10ms, 500us, 1s; up to 1 h)",
                           (int)vl, v);
        } else if (key_is(s, kl, "seed")) {
            if (parse_u64(v, vl, &u, NULL))
                return bad(err, errlen, "seed: '%.*s' is not an unsigned number", (int)vl, v);
            r.seed = u;
        } else {
            return bad(err, errlen,
                       "unknown fault '%.*s' (known: loss, dup, reorder, corrupt, depth, delay, "
                       "seed)", (int)kl, s);
        }
        if (!comma)
            break;
        s = comma + 1;
    }
    *p = r;
    return 0;
}

const char *fault_describe(const fault_params *p, char *buf, size_t len)
{
    synack_time delay = p->delay ? p->delay : FAULT_DEFAULT_DELAY;
    snprintf(buf, len, "loss %g%% dup %g%% reorder %g%% (depth %u, delay %g ms) corrupt %g%% seed %llu",
             p->loss * 100.0, p->dup * 100.0, p->reorder * 100.0,
             p->depth ? p->depth : FAULT_DEFAULT_DEPTH, (double)delay / 1e6, p->corrupt * 100.0,
             (unsigned long long)p->seed);
    return buf;
}
