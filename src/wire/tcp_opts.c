/* tcp_opts.c — TCP option list decoding and encoding: MSS (RFC 9293
 * 3.2), window scale and timestamps (RFC 7323), SACK-permitted and SACK
 * blocks (RFC 2018).
 *
 * Emission uses one fixed layout, chosen so every option sits on its
 * natural alignment and tests can predict the exact bytes:
 *
 *   MSS                      02 04 mm mm                          4 bytes
 *   SACK-permitted + TS      04 02 08 0a <tsval> <tsecr>          12 bytes
 *   or TS alone              01 01 08 0a <tsval> <tsecr>          12 bytes
 *   or SACK-permitted alone  01 01 04 02                           4 bytes
 *   window scale             01 03 03 ss                           4 bytes
 *   SACK blocks              01 01 05 (2+8n) n x <left> <right>  4+8n bytes
 *
 * Every piece is a multiple of 4, so no trailing padding is ever needed.
 * The option space is 40 bytes (data offset <= 15 words); the fixed part
 * above is at most 20, so if SACK blocks would overflow it, blocks are
 * dropped from the end of the list (the first blocks are the most recent,
 * RFC 2018 section 4) until the whole list fits. */
#include <string.h>

#include "wire/tcp_opts.h"
#include "wire/wire.h"

enum {
    OPT_EOL = 0,
    OPT_NOP = 1,
    OPT_MSS = 2,
    OPT_WSCALE = 3,
    OPT_SACK_PERM = 4,
    OPT_SACK = 5,
    OPT_TS = 8,
};

#define OPT_LEN_MSS       4u
#define OPT_LEN_WSCALE    3u
#define OPT_LEN_SACK_PERM 2u
#define OPT_LEN_TS        10u
#define OPT_SACK_MAX      4u
#define WSCALE_MAX        14u   /* RFC 7323 2.3 */

int wire_tcp_opts_parse_general(const uint8_t *opts, size_t len, synack_tcp_opts *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < len) {
        uint8_t kind = opts[i];
        if (kind == OPT_EOL)
            break;                      /* RFC 9293 3.2: end of list */
        if (kind == OPT_NOP) {
            i++;
            continue;
        }
        /* Every other option carries a length octet that counts kind and
         * length themselves, so it must be >= 2 and stay inside the list
         * (RFC 9293 3.2, and 3.10.7.1's "robust against malformed"). */
        if (len - i < 2)
            goto bad;
        size_t olen = opts[i + 1];
        if (olen < 2 || olen > len - i)
            goto bad;
        const uint8_t *v = opts + i + 2;
        switch (kind) {
        case OPT_MSS:
            if (olen != OPT_LEN_MSS)
                goto bad;
            out->has_mss = 1;
            out->mss = wire_get16(v);
            break;
        case OPT_WSCALE:
            if (olen != OPT_LEN_WSCALE)
                goto bad;
            out->has_wscale = 1;
            /* RFC 7323 2.3: a shift above 14 is treated as 14. */
            out->wscale = v[0] > WSCALE_MAX ? (uint8_t)WSCALE_MAX : v[0];
            break;
        case OPT_SACK_PERM:
            if (olen != OPT_LEN_SACK_PERM)
                goto bad;
            out->sack_permitted = 1;
            break;
        case OPT_TS:
            if (olen != OPT_LEN_TS)
                goto bad;
            out->has_ts = 1;
            out->tsval = wire_get32(v);
            out->tsecr = wire_get32(v + 4);
            break;
        case OPT_SACK: {
            /* RFC 2018 3: length 2 + 8n; 40 bytes of option space allow
             * at most 4 blocks. */
            if (olen < 10 || (olen - 2) % 8 != 0 || (olen - 2) / 8 > OPT_SACK_MAX)
                goto bad;
            size_t n = (olen - 2) / 8;
            out->nsack = (uint8_t)n;
            for (size_t b = 0; b < n; b++) {
                out->sack[b][0] = wire_get32(v + 8 * b);
                out->sack[b][1] = wire_get32(v + 8 * b + 4);
            }
            break;
        }
        default:
            break;                      /* unknown: skipped by its length */
        }
        i += olen;
    }
    return 0;
bad:
    memset(out, 0, sizeof *out);
    return -1;
}

/* The layouts nearly every segment carries, recognised by their exact
 * bytes and decoded without the walk: timestamps alone (NOP NOP TS, every
 * segment of a connection with timestamps) and the SYN layout of synack
 * and Linux (MSS, SACK-permitted, TS, NOP, WS). Each gives exactly what
 * the general parser gives for the same bytes; anything else goes to it. */
int wire_tcp_opts_parse(const uint8_t *opts, size_t len, synack_tcp_opts *out)
{
    if (len == 0) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    if (len == 12 && opts[0] == OPT_NOP && opts[1] == OPT_NOP && opts[2] == OPT_TS &&
        opts[3] == OPT_LEN_TS) {
        memset(out, 0, sizeof *out);
        out->has_ts = 1;
        out->tsval = wire_get32(opts + 4);
        out->tsecr = wire_get32(opts + 8);
        return 0;
    }
    if (len == 20 && opts[0] == OPT_MSS && opts[1] == OPT_LEN_MSS &&
        opts[4] == OPT_SACK_PERM && opts[5] == OPT_LEN_SACK_PERM && opts[6] == OPT_TS &&
        opts[7] == OPT_LEN_TS && opts[16] == OPT_NOP && opts[17] == OPT_WSCALE &&
        opts[18] == OPT_LEN_WSCALE) {
        memset(out, 0, sizeof *out);
        out->has_mss = 1;
        out->mss = wire_get16(opts + 2);
        out->sack_permitted = 1;
        out->has_ts = 1;
        out->tsval = wire_get32(opts + 8);
        out->tsecr = wire_get32(opts + 12);
        out->has_wscale = 1;
        out->wscale = opts[19] > WSCALE_MAX ? (uint8_t)WSCALE_MAX : opts[19];
        return 0;
    }
    return wire_tcp_opts_parse_general(opts, len, out);
}

/* Bytes of the fixed (non-SACK) part of the layout. At most 20. */
static size_t fixed_len(const synack_tcp_opts *o)
{
    size_t n = 0;
    if (o->has_mss)
        n += 4;
    if (o->has_ts)
        n += 12;
    else if (o->sack_permitted)
        n += 4;
    if (o->has_wscale)
        n += 4;
    return n;
}

/* SACK blocks that will actually be written: nsack capped at 4, then
 * trimmed from the end until the whole list fits in 40 bytes. */
static size_t sack_blocks(const synack_tcp_opts *o, size_t fixed)
{
    size_t n = o->nsack < OPT_SACK_MAX ? o->nsack : OPT_SACK_MAX;
    while (n > 0 && fixed + 4 + 8 * n > WIRE_TCP_MAX_OPTS)
        n--;
    return n;
}

size_t wire_tcp_opts_len(const synack_tcp_opts *o)
{
    size_t fixed = fixed_len(o);
    size_t n = sack_blocks(o, fixed);
    return fixed + (n ? 4 + 8 * n : 0);
}

size_t wire_tcp_opts_emit(uint8_t *buf, const synack_tcp_opts *o)
{
    if (o->has_ts && !o->has_mss && !o->sack_permitted && !o->has_wscale && !o->nsack) {
        /* Timestamps alone: every segment after the handshake when they
         * are on. The same bytes as the general layout below. */
        buf[0] = OPT_NOP;
        buf[1] = OPT_NOP;
        buf[2] = OPT_TS;
        buf[3] = OPT_LEN_TS;
        wire_put32(buf + 4, o->tsval);
        wire_put32(buf + 8, o->tsecr);
        return 12;
    }
    uint8_t *p = buf;
    if (o->has_mss) {
        p[0] = OPT_MSS;
        p[1] = OPT_LEN_MSS;
        wire_put16(p + 2, o->mss);
        p += 4;
    }
    if (o->has_ts) {
        if (o->sack_permitted) {
            /* SACK-permitted takes the two bytes TS would otherwise pad
             * with NOPs, keeping TS 4-byte aligned (as Linux lays out its
             * SYNs). */
            p[0] = OPT_SACK_PERM;
            p[1] = OPT_LEN_SACK_PERM;
        } else {
            p[0] = OPT_NOP;
            p[1] = OPT_NOP;
        }
        p[2] = OPT_TS;
        p[3] = OPT_LEN_TS;
        wire_put32(p + 4, o->tsval);
        wire_put32(p + 8, o->tsecr);
        p += 12;
    } else if (o->sack_permitted) {
        p[0] = OPT_NOP;
        p[1] = OPT_NOP;
        p[2] = OPT_SACK_PERM;
        p[3] = OPT_LEN_SACK_PERM;
        p += 4;
    }
    if (o->has_wscale) {
        p[0] = OPT_NOP;
        p[1] = OPT_WSCALE;
        p[2] = OPT_LEN_WSCALE;
        p[3] = o->wscale;
        p += 4;
    }
    size_t n = sack_blocks(o, (size_t)(p - buf));
    if (n > 0) {
        p[0] = OPT_NOP;
        p[1] = OPT_NOP;
        p[2] = OPT_SACK;
        p[3] = (uint8_t)(2 + 8 * n);
        p += 4;
        for (size_t b = 0; b < n; b++) {
            wire_put32(p, o->sack[b][0]);
            wire_put32(p + 4, o->sack[b][1]);
            p += 8;
        }
    }
    return (size_t)(p - buf);
}
