/* h_spec.c — parser, matcher and formatters of the harness's segment
 * language (grammar in h_spec.h). No stack calls: usable and tested
 * without the engine. */
#include "h_spec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ parsing */

typedef struct cursor {
    const char *start, *p;
    char *err;
    size_t errlen;
} cursor;

__attribute__((format(printf, 2, 3)))
static int fail(cursor *c, const char *fmt, ...)
{
    if (c->err && c->errlen) {
        int n = snprintf(c->err, c->errlen, "at column %d: ", (int)(c->p - c->start) + 1);
        if (n >= 0 && (size_t)n < c->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static void skip_ws(cursor *c)
{
    while (*c->p == ' ' || *c->p == '\t')
        c->p++;
}

/* Consumes word if it is next (followed by a non-letter). */
static int accept_word(cursor *c, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(c->p, word, n) != 0)
        return 0;
    char next = c->p[n];
    if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z'))
        return 0;
    c->p += n;
    return 1;
}

static int accept_char(cursor *c, char ch)
{
    if (*c->p != ch)
        return 0;
    c->p++;
    return 1;
}

/* A decimal number up to max. */
static int number(cursor *c, uint64_t max, uint64_t *out, const char *what)
{
    if (*c->p < '0' || *c->p > '9')
        return fail(c, "expected a number for %s", what);
    uint64_t v = 0;
    while (*c->p >= '0' && *c->p <= '9') {
        v = v * 10 + (uint64_t)(*c->p - '0');
        if (v > max)
            return fail(c, "%s is larger than %llu", what, (unsigned long long)max);
        c->p++;
    }
    *out = v;
    return 0;
}

/* A number, or "*" (sets wild_bit in *wild and leaves *out 0). */
static int number_or_wild(cursor *c, uint64_t max, uint64_t *out, const char *what,
                          unsigned *wild, unsigned wild_bit)
{
    if (accept_char(c, '*')) {
        *wild |= wild_bit;
        *out = 0;
        return 0;
    }
    return number(c, max, out, what);
}

static int parse_flags(cursor *c, uint8_t *flags)
{
    static const struct { char ch; uint8_t bit; } table[] = {
        { 'S', SYNACK_TCP_SYN }, { 'F', SYNACK_TCP_FIN }, { 'R', SYNACK_TCP_RST },
        { 'P', SYNACK_TCP_PSH }, { '.', SYNACK_TCP_ACK }, { 'U', SYNACK_TCP_URG },
        { 'E', SYNACK_TCP_ECE }, { 'W', SYNACK_TCP_CWR },
    };
    *flags = 0;
    if (accept_char(c, '-'))
        return 0;
    const char *begin = c->p;
    while (*c->p && *c->p != ' ' && *c->p != '\t') {
        size_t i;
        for (i = 0; i < sizeof table / sizeof table[0]; i++)
            if (table[i].ch == *c->p)
                break;
        if (i == sizeof table / sizeof table[0])
            return fail(c, "unknown flag '%c' (use S F R P . U E W or -)", *c->p);
        if (*flags & table[i].bit)
            return fail(c, "flag '%c' given twice", *c->p);
        *flags |= table[i].bit;
        c->p++;
    }
    if (c->p == begin)
        return fail(c, "expected flags");
    return 0;
}

static int parse_option(cursor *c, h_spec *s)
{
    synack_tcp_opts *o = &s->seg.opts;
    uint64_t v = 0, w = 0;   /* initialized for -O3's flow analysis */
    if (accept_word(c, "mss")) {
        skip_ws(c);
        if (number(c, UINT16_MAX, &v, "mss") < 0)
            return -1;
        o->has_mss = 1;
        o->mss = (uint16_t)v;
    } else if (accept_word(c, "sackOK")) {
        o->sack_permitted = 1;
    } else if (accept_word(c, "TS")) {
        skip_ws(c);
        if (!accept_word(c, "val"))
            return fail(c, "expected \"val\" after TS");
        skip_ws(c);
        if (number_or_wild(c, UINT32_MAX, &v, "TS val", &s->wild, H_WILD_TSVAL) < 0)
            return -1;
        skip_ws(c);
        if (!accept_word(c, "ecr"))
            return fail(c, "expected \"ecr\" after TS val");
        skip_ws(c);
        if (number_or_wild(c, UINT32_MAX, &w, "TS ecr", &s->wild, H_WILD_TSECR) < 0)
            return -1;
        o->has_ts = 1;
        o->tsval = (uint32_t)v;
        o->tsecr = (uint32_t)w;
    } else if (accept_word(c, "wscale")) {
        skip_ws(c);
        if (number(c, UINT8_MAX, &v, "wscale") < 0)
            return -1;
        o->has_wscale = 1;
        o->wscale = (uint8_t)v;
    } else if (accept_word(c, "sack")) {
        o->nsack = 0;
        for (;;) {
            skip_ws(c);
            if (*c->p < '0' || *c->p > '9')
                break;
            if (o->nsack == 4)
                return fail(c, "more than 4 SACK blocks");
            if (number(c, UINT32_MAX, &v, "SACK left edge") < 0)
                return -1;
            if (!accept_char(c, ':'))
                return fail(c, "expected ':' in SACK block");
            if (number(c, UINT32_MAX, &w, "SACK right edge") < 0)
                return -1;
            o->sack[o->nsack][0] = (uint32_t)v;
            o->sack[o->nsack][1] = (uint32_t)w;
            o->nsack++;
        }
        if (o->nsack == 0)
            return fail(c, "expected SACK blocks L:R");
    } else if (!accept_word(c, "nop") && !accept_word(c, "eol")) {
        return fail(c, "unknown option");
    }
    return 0;
}

static int parse_options(cursor *c, h_spec *s)
{
    s->given |= H_GIVEN_OPTS;
    skip_ws(c);
    if (accept_char(c, '>'))
        return 0;
    for (;;) {
        skip_ws(c);
        if (parse_option(c, s) < 0)
            return -1;
        skip_ws(c);
        if (accept_char(c, '>'))
            return 0;
        if (!accept_char(c, ','))
            return fail(c, "expected ',' or '>' in options");
    }
}

int h_spec_parse(const char *text, h_spec *out, char *err, size_t errlen)
{
    cursor c = { .start = text, .p = text, .err = err, .errlen = errlen };
    uint64_t seq = 0, end = 0, len = 0, v = 0;
    int have_ack = 0;
    memset(out, 0, sizeof *out);
    skip_ws(&c);
    if (parse_flags(&c, &out->seg.flags) < 0)
        return -1;
    skip_ws(&c);
    if (number(&c, UINT32_MAX, &seq, "seq") < 0)
        return -1;
    if (!accept_char(&c, ':'))
        return fail(&c, "expected ':' after seq");
    if (number(&c, UINT32_MAX, &end, "end seq") < 0)
        return -1;
    if (!accept_char(&c, '('))
        return fail(&c, "expected '(' before length");
    if (number(&c, 65535, &len, "length") < 0)
        return -1;
    if (!accept_char(&c, ')'))
        return fail(&c, "expected ')' after length");
    if ((uint32_t)(end - seq) != (uint32_t)len)
        return fail(&c, "end - seq is %u but length is %u", (uint32_t)(end - seq), (uint32_t)len);
    out->seg.seq = (uint32_t)seq;
    out->seg.len = (uint32_t)len;
    for (;;) {
        skip_ws(&c);
        if (!*c.p)
            break;
        if (accept_word(&c, "ack")) {
            skip_ws(&c);
            if (number_or_wild(&c, UINT32_MAX, &v, "ack", &out->wild, H_WILD_ACK) < 0)
                return -1;
            out->seg.ack = (uint32_t)v;
            have_ack = 1;
        } else if (accept_word(&c, "win")) {
            skip_ws(&c);
            if (number_or_wild(&c, UINT16_MAX, &v, "win", &out->wild, H_WILD_WIN) < 0)
                return -1;
            out->seg.wnd = (uint16_t)v;
            out->given |= H_GIVEN_WIN;
        } else if (accept_word(&c, "urg")) {
            skip_ws(&c);
            if (number_or_wild(&c, UINT16_MAX, &v, "urg", &out->wild, H_WILD_URG) < 0)
                return -1;
            out->seg.urg = (uint16_t)v;
            out->given |= H_GIVEN_URG;
        } else if (accept_char(&c, '<')) {
            if (out->given & H_GIVEN_OPTS)
                return fail(&c, "options given twice");
            if (parse_options(&c, out) < 0)
                return -1;
        } else {
            return fail(&c, "unexpected text \"%s\"", c.p);
        }
    }
    if ((out->seg.flags & SYNACK_TCP_ACK) && !have_ack)
        return fail(&c, "flag '.' (ACK) needs \"ack N\"");
    if (!(out->seg.flags & SYNACK_TCP_ACK) && have_ack)
        return fail(&c, "\"ack N\" given without the '.' (ACK) flag");
    return 0;
}

/* ----------------------------------------------------------- matching */

__attribute__((format(printf, 3, 4)))
static int mismatch(char *why, size_t whylen, const char *fmt, ...)
{
    if (why && whylen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return 0;
}

static int opts_match(const h_spec *want, const synack_tcp_opts *g, char *why, size_t whylen)
{
    const synack_tcp_opts *w = &want->seg.opts;
    if (w->has_mss != g->has_mss)
        return mismatch(why, whylen, "mss option: want %s, got %s",
                        w->has_mss ? "present" : "absent", g->has_mss ? "present" : "absent");
    if (w->has_mss && w->mss != g->mss)
        return mismatch(why, whylen, "mss: want %u, got %u", w->mss, g->mss);
    if (w->sack_permitted != g->sack_permitted)
        return mismatch(why, whylen, "sackOK option: want %s, got %s",
                        w->sack_permitted ? "present" : "absent",
                        g->sack_permitted ? "present" : "absent");
    if (w->has_ts != g->has_ts)
        return mismatch(why, whylen, "TS option: want %s, got %s",
                        w->has_ts ? "present" : "absent", g->has_ts ? "present" : "absent");
    if (w->has_ts && !(want->wild & H_WILD_TSVAL) && w->tsval != g->tsval)
        return mismatch(why, whylen, "TS val: want %u, got %u", w->tsval, g->tsval);
    if (w->has_ts && !(want->wild & H_WILD_TSECR) && w->tsecr != g->tsecr)
        return mismatch(why, whylen, "TS ecr: want %u, got %u", w->tsecr, g->tsecr);
    if (w->has_wscale != g->has_wscale)
        return mismatch(why, whylen, "wscale option: want %s, got %s",
                        w->has_wscale ? "present" : "absent", g->has_wscale ? "present" : "absent");
    if (w->has_wscale && w->wscale != g->wscale)
        return mismatch(why, whylen, "wscale: want %u, got %u", w->wscale, g->wscale);
    if (w->nsack != g->nsack)
        return mismatch(why, whylen, "SACK blocks: want %u, got %u", w->nsack, g->nsack);
    for (unsigned i = 0; i < w->nsack; i++)
        if (w->sack[i][0] != g->sack[i][0] || w->sack[i][1] != g->sack[i][1])
            return mismatch(why, whylen, "SACK block %u: want %u:%u, got %u:%u", i + 1,
                            w->sack[i][0], w->sack[i][1], g->sack[i][0], g->sack[i][1]);
    return 1;
}

int h_spec_match(const h_spec *want, const synack_segment *got, char *why, size_t whylen)
{
    char wf[9], gf[9];
    if (want->seg.flags != got->flags)
        return mismatch(why, whylen, "flags: want [%s], got [%s]",
                        h_fmt_flags(want->seg.flags, wf), h_fmt_flags(got->flags, gf));
    if (want->seg.seq != got->seq)
        return mismatch(why, whylen, "seq: want %u, got %u", want->seg.seq, got->seq);
    if (want->seg.len != got->len)
        return mismatch(why, whylen, "length: want %u, got %u", want->seg.len, got->len);
    if ((want->seg.flags & SYNACK_TCP_ACK) && !(want->wild & H_WILD_ACK) &&
        want->seg.ack != got->ack)
        return mismatch(why, whylen, "ack: want %u, got %u", want->seg.ack, got->ack);
    if ((want->given & H_GIVEN_WIN) && !(want->wild & H_WILD_WIN) && want->seg.wnd != got->wnd)
        return mismatch(why, whylen, "win: want %u, got %u", want->seg.wnd, got->wnd);
    if ((want->given & H_GIVEN_URG) && !(want->wild & H_WILD_URG) && want->seg.urg != got->urg)
        return mismatch(why, whylen, "urg: want %u, got %u", want->seg.urg, got->urg);
    if ((want->given & H_GIVEN_OPTS) && !opts_match(want, &got->opts, why, whylen))
        return 0;
    if (why && whylen)
        why[0] = '\0';
    return 1;
}

/* --------------------------------------------------------- formatting */

typedef struct out {
    char *buf;
    size_t len, used;
} out;

__attribute__((format(printf, 2, 3)))
static void put(out *o, const char *fmt, ...)
{
    if (o->used >= o->len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->used += (size_t)n < o->len - o->used ? (size_t)n : o->len - o->used - 1;
}

const char *h_fmt_flags(uint8_t flags, char *buf)
{
    /* tcpdump's order: the TCP header's bits from the lowest. */
    static const char letters[8] = { 'F', 'S', 'R', 'P', '.', 'U', 'E', 'W' };
    size_t n = 0;
    for (int i = 0; i < 8; i++)
        if (flags & (1u << i))
            buf[n++] = letters[i];
    if (n == 0) {
        memcpy(buf, "none", 5);
        return buf;
    }
    buf[n] = '\0';
    return buf;
}

static void put_addr(out *o, uint32_t a, uint16_t port)
{
    put(o, "%u.%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff, port);
}

static int has_opts(const synack_tcp_opts *x)
{
    return x->has_mss || x->sack_permitted || x->has_ts || x->has_wscale || x->nsack;
}

/* Options in wire order; tcpdump's words, or the spec language's where
 * they differ (SACK blocks). */
static void put_opts(out *o, const synack_tcp_opts *x, unsigned wild, int spec_style)
{
    const char *sep = "";
    if (x->has_mss) {
        put(o, "%smss %u", sep, x->mss);
        sep = ",";
    }
    if (x->sack_permitted) {
        put(o, "%ssackOK", sep);
        sep = ",";
    }
    if (x->has_ts) {
        put(o, "%sTS val ", sep);
        if (wild & H_WILD_TSVAL)
            put(o, "*");
        else
            put(o, "%u", x->tsval);
        put(o, " ecr ");
        if (wild & H_WILD_TSECR)
            put(o, "*");
        else
            put(o, "%u", x->tsecr);
        sep = ",";
    }
    if (x->has_wscale) {
        put(o, "%swscale %u", sep, x->wscale);
        sep = ",";
    }
    if (x->nsack) {
        if (spec_style) {
            put(o, "%ssack", sep);
            for (unsigned i = 0; i < x->nsack && i < 4; i++)
                put(o, " %u:%u", x->sack[i][0], x->sack[i][1]);
        } else {
            put(o, "%ssack %u ", sep, x->nsack);
            for (unsigned i = 0; i < x->nsack && i < 4; i++)
                put(o, "{%u:%u}", x->sack[i][0], x->sack[i][1]);
        }
    }
}

const char *h_fmt_segment(const synack_segment *seg, char *buf, size_t len)
{
    out o = { buf, len, 0 };
    char f[9];
    if (len)
        buf[0] = '\0';
    put_addr(&o, seg->saddr, seg->sport);
    put(&o, " > ");
    put_addr(&o, seg->daddr, seg->dport);
    put(&o, ": Flags [%s], seq %u", h_fmt_flags(seg->flags, f), seg->seq);
    if (seg->len)
        put(&o, ":%u", seg->seq + seg->len);
    if (seg->flags & SYNACK_TCP_ACK)
        put(&o, ", ack %u", seg->ack);
    put(&o, ", win %u", seg->wnd);
    if (seg->flags & SYNACK_TCP_URG)
        put(&o, ", urg %u", seg->urg);
    if (has_opts(&seg->opts)) {
        put(&o, ", options [");
        put_opts(&o, &seg->opts, 0, 0);
        put(&o, "]");
    }
    put(&o, ", length %u", seg->len);
    return buf;
}

static void put_spec_flags(out *o, uint8_t flags)
{
    /* The order packetdrill scripts use: S F R P then '.'. */
    static const struct { char ch; uint8_t bit; } order[] = {
        { 'S', SYNACK_TCP_SYN }, { 'F', SYNACK_TCP_FIN }, { 'R', SYNACK_TCP_RST },
        { 'P', SYNACK_TCP_PSH }, { 'U', SYNACK_TCP_URG }, { 'E', SYNACK_TCP_ECE },
        { 'W', SYNACK_TCP_CWR }, { '.', SYNACK_TCP_ACK },
    };
    if (!flags) {
        put(o, "-");
        return;
    }
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (flags & order[i].bit)
            put(o, "%c", order[i].ch);
}

const char *h_fmt_spec(const h_spec *spec, char *buf, size_t len)
{
    out o = { buf, len, 0 };
    const synack_segment *s = &spec->seg;
    if (len)
        buf[0] = '\0';
    put_spec_flags(&o, s->flags);
    put(&o, " %u:%u(%u)", s->seq, s->seq + s->len, s->len);
    if (s->flags & SYNACK_TCP_ACK) {
        if (spec->wild & H_WILD_ACK)
            put(&o, " ack *");
        else
            put(&o, " ack %u", s->ack);
    }
    if (spec->given & H_GIVEN_WIN) {
        if (spec->wild & H_WILD_WIN)
            put(&o, " win *");
        else
            put(&o, " win %u", s->wnd);
    }
    if (spec->given & H_GIVEN_URG) {
        if (spec->wild & H_WILD_URG)
            put(&o, " urg *");
        else
            put(&o, " urg %u", s->urg);
    }
    if (spec->given & H_GIVEN_OPTS) {
        put(&o, " <");
        put_opts(&o, &s->opts, spec->wild, 1);
        put(&o, ">");
    }
    return buf;
}

const char *h_fmt_segment_spec(const synack_segment *seg, char *buf, size_t len)
{
    h_spec s = { .seg = *seg, .given = H_GIVEN_WIN | H_GIVEN_OPTS, .wild = 0 };
    if (seg->flags & SYNACK_TCP_URG)
        s.given |= H_GIVEN_URG;
    return h_fmt_spec(&s, buf, len);
}

void h_pattern_fill(uint32_t seq, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = h_pattern_byte(seq + (uint32_t)i);
}
