/* test_tcp.c — TCP header and option codec (RFC 9293 3.1-3.2, RFC 7323,
 * RFC 2018): exact bytes of a typical SYN, emit/parse round trips for
 * every option combination, each malformed case's drop reason, option
 * corner cases, and SACK trimming to the 40-byte option space. */
#include "check.h"

#include "wire/tcp_opts.h"
#include "wire/wire.h"

#define SRC 0xc6120001u     /* 198.18.0.1 */
#define DST 0xc6120002u     /* 198.18.0.2 */

/* Builds a segment by hand: 20-byte header (ports 1000 -> 2000, seq
 * 0x11111111, ACK 0x22222222, flags ACK, window 512) + opts + payload, with
 * the data offset covering the options and a correct checksum. optlen
 * must be a multiple of 4. Returns the segment length. */
static size_t raw_seg(uint8_t *buf, const uint8_t *opts, size_t optlen,
                      const void *payload, size_t plen)
{
    memset(buf, 0, 20);
    wire_put16(buf, 1000);
    wire_put16(buf + 2, 2000);
    wire_put32(buf + 4, 0x11111111u);
    wire_put32(buf + 8, 0x22222222u);
    buf[12] = (uint8_t)(((20 + optlen) / 4) << 4);
    buf[13] = SYNACK_TCP_ACK;
    wire_put16(buf + 14, 512);
    if (optlen)
        memcpy(buf + 20, opts, optlen);
    if (plen)
        memcpy(buf + 20 + optlen, payload, plen);
    size_t len = 20 + optlen + plen;
    uint32_t s = wire_csum_pseudo(SRC, DST, WIRE_PROTO_TCP, (uint32_t)len);
    wire_put16(buf + 16, wire_csum_fold(wire_csum_add(s, buf, len)));
    return len;
}

static void reseal(uint8_t *buf, size_t len)
{
    wire_put16(buf + 16, 0);
    uint32_t s = wire_csum_pseudo(SRC, DST, WIRE_PROTO_TCP, (uint32_t)len);
    wire_put16(buf + 16, wire_csum_fold(wire_csum_add(s, buf, len)));
}

static synack_drop parse_fails(const uint8_t *p, size_t len)
{
    synack_segment seg;
    const uint8_t *pl = (const uint8_t *)1;
    synack_drop why = SYNACK_DROP_COUNT;
    CHECK_EQ(wire_tcp_parse(p, len, SRC, DST, &seg, &pl, &why), -1);
    CHECK(pl == NULL);
    return why;
}

/* Parses a hand-built segment whose options must be accepted. */
static synack_tcp_opts opts_ok(const uint8_t *opts, size_t optlen)
{
    uint8_t buf[60];
    size_t len = raw_seg(buf, opts, optlen, NULL, 0);
    synack_segment seg;
    const uint8_t *pl;
    synack_drop why = SYNACK_DROP_COUNT;
    if (wire_tcp_parse(buf, len, SRC, DST, &seg, &pl, &why) != 0)
        check_fail(__FILE__, __LINE__, "options rejected, reason %d", (int)why);
    return seg.opts;
}

static void opts_bad(const uint8_t *opts, size_t optlen, int line)
{
    uint8_t buf[60];
    size_t len = raw_seg(buf, opts, optlen, NULL, 0);
    synack_segment seg;
    const uint8_t *pl;
    synack_drop why = SYNACK_DROP_COUNT;
    if (wire_tcp_parse(buf, len, SRC, DST, &seg, &pl, &why) != -1 ||
        why != SYNACK_DROP_TCP_OPTION)
        check_fail(__FILE__, line, "malformed options not reported as TCP_OPTION (%d)", (int)why);
    /* The option decoder alone rejects them too, and leaves nothing set. */
    synack_tcp_opts o;
    memset(&o, 0xaa, sizeof o);
    if (wire_tcp_opts_parse(opts, optlen, &o) != -1)
        check_fail(__FILE__, line, "wire_tcp_opts_parse accepted malformed options");
    synack_tcp_opts zero;
    memset(&zero, 0, sizeof zero);
    if (memcmp(&o, &zero, sizeof o) != 0)
        check_fail(__FILE__, line, "opts not zeroed after failure");
}

TEST(syn_exact_bytes)
{
    synack_segment s;
    memset(&s, 0, sizeof s);
    s.saddr = SRC;
    s.daddr = DST;
    s.sport = 40000;
    s.dport = 80;
    s.seq = 0x01020304u;
    s.flags = SYNACK_TCP_SYN;
    s.wnd = 65535;
    s.opts.has_mss = 1;
    s.opts.mss = 1460;
    s.opts.sack_permitted = 1;
    s.opts.has_ts = 1;
    s.opts.tsval = 0x11223344u;
    s.opts.has_wscale = 1;
    s.opts.wscale = 7;
    /* RFC 9293 3.1 header; options: MSS (kind 2 len 4, RFC 9293 3.2),
     * SACK-permitted (kind 4 len 2, RFC 2018 2) + timestamps (kind 8 len
     * 10, RFC 7323 3.2), NOP + window scale (kind 3 len 3, RFC 7323 2.2).
     * Data offset 10 words. Checksum over the pseudo-header 198.18.0.1 ->
     * 198.18.0.2, proto 6, length 40, computed independently. */
    static const uint8_t want[40] = {
        0x9c, 0x40, 0x00, 0x50,             /* ports 40000 -> 80 */
        0x01, 0x02, 0x03, 0x04,             /* seq */
        0x00, 0x00, 0x00, 0x00,             /* ack */
        0xa0, 0x02, 0xff, 0xff,             /* doff 10, SYN, window */
        0xd6, 0xdb, 0x00, 0x00,             /* checksum, urgent */
        0x02, 0x04, 0x05, 0xb4,             /* MSS 1460 */
        0x04, 0x02, 0x08, 0x0a,             /* SACK-perm, TS kind/len */
        0x11, 0x22, 0x33, 0x44,             /* TSval */
        0x00, 0x00, 0x00, 0x00,             /* TSecr */
        0x01, 0x03, 0x03, 0x07,             /* NOP, WS 7 */
    };
    uint8_t buf[60];
    memset(buf, 0x5a, sizeof buf);
    CHECK_EQ(wire_tcp_hdr_len(&s), 40);
    CHECK_EQ(wire_tcp_emit(buf, &s), 40);
    CHECK_MEM(buf, want, 40);
    CHECK_EQ(buf[40], 0x5a);            /* nothing written past the header */

    synack_segment p;
    const uint8_t *pl;
    synack_drop why;
    CHECK_EQ(wire_tcp_parse(want, 40, SRC, DST, &p, &pl, &why), 0);
    CHECK(memcmp(&p, &s, sizeof p) == 0);
    CHECK(pl == want + 40);
}

TEST(ts_only_and_sackperm_only_layouts)
{
    synack_tcp_opts o;
    uint8_t b[40];
    memset(&o, 0, sizeof o);
    o.has_ts = 1;
    o.tsval = 1;
    o.tsecr = 2;
    static const uint8_t ts[12] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };
    CHECK_EQ(wire_tcp_opts_len(&o), 12);
    CHECK_EQ(wire_tcp_opts_emit(b, &o), 12);
    CHECK_MEM(b, ts, 12);

    memset(&o, 0, sizeof o);
    o.sack_permitted = 1;
    static const uint8_t sp[4] = { 1, 1, 4, 2 };
    CHECK_EQ(wire_tcp_opts_len(&o), 4);
    CHECK_EQ(wire_tcp_opts_emit(b, &o), 4);
    CHECK_MEM(b, sp, 4);

    memset(&o, 0, sizeof o);
    o.nsack = 1;
    o.sack[0][0] = 0xa0a0a0a0u;
    o.sack[0][1] = 0xb0b0b0b0u;
    static const uint8_t sk[12] = { 1, 1, 5, 10, 0xa0, 0xa0, 0xa0, 0xa0, 0xb0, 0xb0, 0xb0, 0xb0 };
    CHECK_EQ(wire_tcp_opts_len(&o), 12);
    CHECK_EQ(wire_tcp_opts_emit(b, &o), 12);
    CHECK_MEM(b, sk, 12);

    memset(&o, 0, sizeof o);
    CHECK_EQ(wire_tcp_opts_len(&o), 0);
    CHECK_EQ(wire_tcp_opts_emit(b, &o), 0);
}

TEST(round_trip_every_option_combination)
{
    uint8_t buf[60 + 100];
    for (unsigned mask = 0; mask < 16; mask++) {
        for (unsigned nsack = 0; nsack <= 4; nsack++) {
            synack_segment s;
            memset(&s, 0, sizeof s);
            s.saddr = SRC;
            s.daddr = DST;
            s.sport = (uint16_t)(1 + mask);
            s.dport = 65535;
            s.seq = 0xfffffff0u + mask;
            s.ack = 0x80000000u | nsack;
            s.flags = (uint8_t)(SYNACK_TCP_ACK | (mask & 1 ? SYNACK_TCP_PSH : 0));
            s.wnd = (uint16_t)(1000 * mask);
            s.urg = (uint16_t)nsack;
            s.len = mask * 3 + nsack;
            s.opts.has_mss = mask & 1;
            s.opts.mss = s.opts.has_mss ? 536 : 0;
            s.opts.has_wscale = (mask >> 1) & 1;
            s.opts.wscale = s.opts.has_wscale ? 14 : 0;
            s.opts.sack_permitted = (mask >> 2) & 1;
            s.opts.has_ts = (mask >> 3) & 1;
            s.opts.tsval = s.opts.has_ts ? 0xdeadbeefu : 0;
            s.opts.tsecr = s.opts.has_ts ? 0x01020304u : 0;
            /* Fixed part (<= 20 bytes) leaves room for this many blocks. */
            size_t fixed = (mask & 1 ? 4u : 0u) + (mask & 8 ? 12u : mask & 4 ? 4u : 0u) +
                           (mask & 2 ? 4u : 0u);
            unsigned fit = nsack;
            while (fit && fixed + 4 + 8 * fit > 40)
                fit--;
            s.opts.nsack = (uint8_t)nsack;
            for (unsigned b = 0; b < nsack; b++) {
                s.opts.sack[b][0] = 1000u * (b + 1);
                s.opts.sack[b][1] = 1000u * (b + 1) + 500u;
            }
            size_t hl = wire_tcp_hdr_len(&s);
            CHECK_EQ(hl, 20 + fixed + (fit ? 4 + 8 * fit : 0));
            CHECK_EQ(hl % 4, 0);
            CHECK(hl <= 60);
            for (uint32_t i = 0; i < s.len; i++)
                buf[hl + i] = (uint8_t)(i ^ mask);
            CHECK_EQ(wire_tcp_emit(buf, &s), hl);

            synack_segment p;
            const uint8_t *pl;
            synack_drop why;
            CHECK_EQ(wire_tcp_parse(buf, hl + s.len, SRC, DST, &p, &pl, &why), 0);
            s.opts.nsack = (uint8_t)fit;    /* what went on the wire */
            for (unsigned b = fit; b < 4; b++)
                s.opts.sack[b][0] = s.opts.sack[b][1] = 0;
            CHECK(memcmp(&p, &s, sizeof p) == 0);
            CHECK(pl == buf + hl);
        }
    }
}

TEST(all_flags_and_urgent)
{
    uint8_t buf[20];
    for (unsigned f = 0; f < 256; f++) {
        synack_segment s;
        memset(&s, 0, sizeof s);
        s.saddr = SRC;
        s.daddr = DST;
        s.flags = (uint8_t)f;
        s.urg = (uint16_t)(f * 257);
        CHECK_EQ(wire_tcp_emit(buf, &s), 20);
        CHECK_EQ(buf[13], f);
        CHECK_EQ(wire_get16(buf + 18), f * 257);
        synack_segment p;
        const uint8_t *pl;
        synack_drop why;
        CHECK_EQ(wire_tcp_parse(buf, 20, SRC, DST, &p, &pl, &why), 0);
        CHECK_EQ(p.flags, f);
        CHECK_EQ(p.urg, f * 257);
        CHECK_EQ(p.len, 0);
    }
}

TEST(reserved_bits_ignored)
{
    uint8_t buf[20];
    size_t len = raw_seg(buf, NULL, 0, NULL, 0);
    buf[12] |= 0x0f;
    reseal(buf, len);
    synack_segment p;
    const uint8_t *pl;
    synack_drop why;
    CHECK_EQ(wire_tcp_parse(buf, len, SRC, DST, &p, &pl, &why), 0);
    CHECK_EQ(p.flags, SYNACK_TCP_ACK);
    CHECK_U64(p.seq, 0x11111111u);
    CHECK_U64(p.ack, 0x22222222u);
    CHECK_EQ(p.sport, 1000);
    CHECK_EQ(p.dport, 2000);
    CHECK_EQ(p.wnd, 512);
}

TEST(checksum_verified)
{
    uint8_t buf[64];
    static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
    size_t len = raw_seg(buf, mss, 4, "payload", 7);
    synack_segment p;
    const uint8_t *pl;
    synack_drop why;
    CHECK_EQ(wire_tcp_parse(buf, len, SRC, DST, &p, &pl, &why), 0);
    CHECK_EQ(p.len, 7);
    CHECK_MEM(pl, "payload", 7);
    /* Every single-bit error outside the data-offset byte is caught by the
     * checksum (byte 12 can turn into a header-length error first). */
    for (size_t i = 0; i < len; i++) {
        if (i == 12)
            continue;
        for (int b = 0; b < 8; b++) {
            buf[i] ^= (uint8_t)(1u << b);
            CHECK_EQ(parse_fails(buf, len), SYNACK_DROP_TCP_CHECKSUM);
            buf[i] ^= (uint8_t)(1u << b);
        }
    }
    /* The pseudo-header counts: other addresses, or one byte less. */
    CHECK_EQ(wire_tcp_parse(buf, len, SRC + 1, DST, &p, &pl, &why), -1);
    CHECK_EQ(why, SYNACK_DROP_TCP_CHECKSUM);
    CHECK_EQ(wire_tcp_parse(buf, len, SRC, DST ^ 0x100, &p, &pl, &why), -1);
    CHECK_EQ(why, SYNACK_DROP_TCP_CHECKSUM);
    CHECK_EQ(parse_fails(buf, len - 1), SYNACK_DROP_TCP_CHECKSUM);
}

TEST(checksum_before_options)
{
    /* Malformed options in a segment with a bad checksum: the checksum
     * error is reported; the options were never looked at. */
    uint8_t buf[64];
    static const uint8_t bad[4] = { 2, 3, 0, 0 };
    size_t len = raw_seg(buf, bad, 4, NULL, 0);
    CHECK_EQ(parse_fails(buf, len), SYNACK_DROP_TCP_OPTION);
    buf[16] ^= 0xff;
    CHECK_EQ(parse_fails(buf, len), SYNACK_DROP_TCP_CHECKSUM);
}

/* The deferred decode (fused receive path): the header sum it returns,
 * chained with the payload's sum, folds to 0 exactly when the whole
 * segment is intact — every single-bit error in header or payload shows;
 * malformed options in a corrupt segment still report the checksum. */
TEST(deferred_checksum_chains_with_the_payload)
{
    uint8_t buf[64];
    static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
    size_t len = raw_seg(buf, mss, 4, "payload", 7);
    for (size_t i = 0; i < len; i++) {
        for (int b = -1; b < 8; b++) {
            if (b >= 0 && ((i == 12 && b >= 4) || i == 20 || i == 21))
                continue;   /* data offset, option kind and length: decode
                               errors; the MSS value bytes are summed late
                               (after the option parse) and are flipped */
            if (b >= 0)
                buf[i] ^= (uint8_t)(1u << b);
            synack_segment seg;
            const uint8_t *pl;
            synack_drop why;
            uint32_t hs = 0;
            CHECK_EQ(wire_tcp_decode_deferred(buf, len, SRC, DST, &seg, &pl, &why, &hs), 0);
            CHECK(pl == buf + 24);
            CHECK_EQ(seg.len, 7);
            int intact = wire_csum_fold(wire_csum_add(hs, pl, seg.len)) == 0;
            CHECK_EQ(intact, b < 0);
            if (b >= 0)
                buf[i] ^= (uint8_t)(1u << b);
        }
    }
    static const uint8_t bad[4] = { 2, 3, 0, 0 };
    len = raw_seg(buf, bad, 4, "x", 1);
    synack_segment seg;
    const uint8_t *pl;
    synack_drop why = SYNACK_DROP_COUNT;
    uint32_t hs;
    CHECK_EQ(wire_tcp_decode_deferred(buf, len, SRC, DST, &seg, &pl, &why, &hs), -1);
    CHECK_EQ(why, SYNACK_DROP_TCP_OPTION);
    buf[len - 1] ^= 0x40;
    CHECK_EQ(wire_tcp_decode_deferred(buf, len, SRC, DST, &seg, &pl, &why, &hs), -1);
    CHECK_EQ(why, SYNACK_DROP_TCP_CHECKSUM);
}

TEST(truncated)
{
    uint8_t buf[20];
    raw_seg(buf, NULL, 0, NULL, 0);
    for (size_t len = 0; len < 20; len++)
        CHECK_EQ(parse_fails(buf, len), SYNACK_DROP_TCP_TRUNCATED);
}

TEST(data_offset_4)
{
    uint8_t buf[40];
    size_t len = raw_seg(buf, NULL, 0, "0123456789abcdefghij", 20);
    buf[12] = 0x40;
    reseal(buf, len);
    CHECK_EQ(parse_fails(buf, len), SYNACK_DROP_TCP_HDRLEN);
    buf[12] = 0x00;
    reseal(buf, len);
    CHECK_EQ(parse_fails(buf, len), SYNACK_DROP_TCP_HDRLEN);
}

TEST(data_offset_beyond_length)
{
    uint8_t buf[60];
    size_t len = raw_seg(buf, NULL, 0, NULL, 0);
    buf[12] = 0x60;                     /* 24-byte header in 20 bytes */
    reseal(buf, len);
    CHECK_EQ(parse_fails(buf, len), SYNACK_DROP_TCP_HDRLEN);
    static const uint8_t nops[16] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
    len = raw_seg(buf, nops, 16, NULL, 0);  /* 36 bytes */
    buf[12] = 0xa0;                     /* claims 40 */
    reseal(buf, len);
    CHECK_EQ(parse_fails(buf, len), SYNACK_DROP_TCP_HDRLEN);
    buf[12] = 0x90;                     /* exactly 36: fine */
    reseal(buf, len);
    synack_segment p;
    const uint8_t *pl;
    synack_drop why;
    CHECK_EQ(wire_tcp_parse(buf, len, SRC, DST, &p, &pl, &why), 0);
    CHECK_EQ(p.len, 0);
    CHECK(pl == buf + 36);
}

TEST(max_data_offset)
{
    /* Data offset 15: 40 bytes of options, all NOP except a final MSS. */
    uint8_t opts[40];
    memset(opts, 1, sizeof opts);
    opts[36] = 2;
    opts[37] = 4;
    opts[38] = 0x02;
    opts[39] = 0x18;
    synack_tcp_opts o = opts_ok(opts, 40);
    CHECK_EQ(o.has_mss, 1);
    CHECK_EQ(o.mss, 536);
}

TEST(option_length_0)
{
    static const uint8_t a[4] = { 99, 0, 1, 1 };
    opts_bad(a, 4, __LINE__);
    static const uint8_t b[4] = { 2, 0, 1, 1 };
    opts_bad(b, 4, __LINE__);
}

TEST(option_length_1)
{
    static const uint8_t a[4] = { 99, 1, 1, 1 };
    opts_bad(a, 4, __LINE__);
    static const uint8_t b[4] = { 1, 1, 8, 1 };
    opts_bad(b, 4, __LINE__);
}

TEST(option_past_end)
{
    static const uint8_t a[4] = { 99, 6, 0, 0 };
    opts_bad(a, 4, __LINE__);
    static const uint8_t b[8] = { 1, 1, 1, 1, 1, 8, 10, 0 };   /* TS needs 10 */
    opts_bad(b, 8, __LINE__);
    static const uint8_t c[4] = { 1, 1, 1, 2 };     /* kind with no length byte */
    opts_bad(c, 4, __LINE__);
    static const uint8_t d[4] = { 1, 1, 1, 99 };
    opts_bad(d, 4, __LINE__);
    static const uint8_t e[4] = { 1, 1, 99, 3 };    /* one byte past the end */
    opts_bad(e, 4, __LINE__);
}

TEST(mss_length_3)
{
    static const uint8_t a[4] = { 2, 3, 5, 1 };
    opts_bad(a, 4, __LINE__);
    static const uint8_t b[8] = { 2, 5, 5, 0xb4, 0, 1, 1, 1 };
    opts_bad(b, 8, __LINE__);
}

TEST(other_wrong_known_lengths)
{
    static const uint8_t ws[4] = { 3, 4, 7, 0 };
    opts_bad(ws, 4, __LINE__);
    static const uint8_t sp[4] = { 4, 3, 0, 1 };
    opts_bad(sp, 4, __LINE__);
    static const uint8_t ts[12] = { 8, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    opts_bad(ts, 12, __LINE__);
    static const uint8_t sack2[4] = { 5, 2, 1, 1 };     /* zero blocks */
    opts_bad(sack2, 4, __LINE__);
    uint8_t sack5[40];              /* five blocks (length 42) */
    memset(sack5, 0, sizeof sack5);
    sack5[0] = 5;
    sack5[1] = 42;
    opts_bad(sack5, 40, __LINE__);
}

TEST(sack_length_11)
{
    /* NOP, SACK len 11 (not 2+8n), 8 bytes, 1 byte, EOL padding. */
    static const uint8_t a[16] = { 1, 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 9, 0, 0, 0, 0 };
    opts_bad(a, 16, __LINE__);
}

TEST(unknown_kind_skipped)
{
    /* Kind 99 length 6, then MSS: the MSS after it is still read. */
    static const uint8_t a[12] = { 99, 6, 0xaa, 0xbb, 0xcc, 0xdd, 2, 4, 0x05, 0xb4, 1, 1 };
    synack_tcp_opts o = opts_ok(a, 12);
    CHECK_EQ(o.has_mss, 1);
    CHECK_EQ(o.mss, 1460);
    CHECK_EQ(o.has_ts + o.has_wscale + o.sack_permitted + o.nsack, 0);
    /* Unknown option that contains what looks like an MSS option. */
    static const uint8_t b[8] = { 99, 6, 2, 4, 0x05, 0xb4, 0, 0 };
    o = opts_ok(b, 8);
    CHECK_EQ(o.has_mss, 0);
    /* Unknown option of length 2 (no data) and of maximum length. */
    static const uint8_t c[4] = { 200, 2, 1, 0 };
    o = opts_ok(c, 4);
    CHECK_EQ(o.has_mss, 0);
}

TEST(eol_stops_parsing)
{
    /* After EOL, even malformed bytes are ignored. */
    static const uint8_t a[8] = { 2, 4, 0x05, 0xb4, 0, 3, 0, 99 };
    synack_tcp_opts o = opts_ok(a, 8);
    CHECK_EQ(o.has_mss, 1);
    CHECK_EQ(o.mss, 1460);
    CHECK_EQ(o.has_wscale, 0);
    static const uint8_t b[8] = { 0, 0, 0, 0, 2, 4, 0x05, 0xb4 };
    o = opts_ok(b, 8);
    CHECK_EQ(o.has_mss, 0);
}

TEST(wscale_clamped)
{
    static const uint8_t a[4] = { 1, 3, 3, 15 };
    synack_tcp_opts o = opts_ok(a, 4);
    CHECK_EQ(o.has_wscale, 1);
    CHECK_EQ(o.wscale, 14);
    static const uint8_t b[4] = { 1, 3, 3, 255 };
    o = opts_ok(b, 4);
    CHECK_EQ(o.wscale, 14);
    static const uint8_t c[4] = { 1, 3, 3, 14 };
    o = opts_ok(c, 4);
    CHECK_EQ(o.wscale, 14);
    static const uint8_t d[4] = { 1, 3, 3, 0 };
    o = opts_ok(d, 4);
    CHECK_EQ(o.has_wscale, 1);
    CHECK_EQ(o.wscale, 0);
}

TEST(sack_blocks_decoded)
{
    for (unsigned n = 1; n <= 4; n++) {
        uint8_t a[40];
        memset(a, 0, sizeof a);
        a[0] = 1;
        a[1] = 1;
        a[2] = 5;
        a[3] = (uint8_t)(2 + 8 * n);
        for (unsigned b = 0; b < n; b++) {
            wire_put32(a + 4 + 8 * b, 0xfffffff0u + b);
            wire_put32(a + 8 + 8 * b, 0x00000100u * (b + 1));
        }
        size_t len = 4 + 8 * n;
        synack_tcp_opts o = opts_ok(a, len);
        CHECK_EQ(o.nsack, n);
        for (unsigned b = 0; b < n; b++) {
            CHECK_U64(o.sack[b][0], 0xfffffff0u + b);
            CHECK_U64(o.sack[b][1], 0x00000100u * (b + 1));
        }
        for (unsigned b = n; b < 4; b++)
            CHECK_U64(o.sack[b][0] | o.sack[b][1], 0);
    }
}

TEST(timestamps_decoded)
{
    static const uint8_t a[12] = { 1, 1, 8, 10, 0x80, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe };
    synack_tcp_opts o = opts_ok(a, 12);
    CHECK_EQ(o.has_ts, 1);
    CHECK_U64(o.tsval, 0x80000001u);
    CHECK_U64(o.tsecr, 0xfffffffeu);
}

TEST(duplicates_last_wins)
{
    static const uint8_t a[8] = { 2, 4, 0x05, 0xb4, 2, 4, 0x02, 0x18 };
    synack_tcp_opts o = opts_ok(a, 8);
    CHECK_EQ(o.mss, 536);
    static const uint8_t b[28] = { 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2,
                                   1, 1, 5, 10, 0, 0, 0, 3, 0, 0, 0, 4,
                                   1, 3, 3, 2 };
    o = opts_ok(b, 28);
    CHECK_EQ(o.nsack, 1);
    CHECK_U64(o.sack[0][0], 3);
    CHECK_U64(o.sack[0][1], 4);
    CHECK_EQ(o.wscale, 2);
}

TEST(sack_trimmed_to_40_bytes)
{
    synack_tcp_opts o;
    uint8_t b[40];
    memset(&o, 0, sizeof o);
    o.has_mss = 1;
    o.mss = 1460;
    o.sack_permitted = 1;
    o.has_ts = 1;
    o.has_wscale = 1;
    o.nsack = 4;
    for (unsigned i = 0; i < 4; i++) {
        o.sack[i][0] = 100u * i;
        o.sack[i][1] = 100u * i + 50u;
    }
    /* 20 fixed + 4 + 2*8 = 40: the last two blocks are dropped. */
    CHECK_EQ(wire_tcp_opts_len(&o), 40);
    CHECK_EQ(wire_tcp_opts_emit(b, &o), 40);
    CHECK_EQ(b[20], 1);
    CHECK_EQ(b[21], 1);
    CHECK_EQ(b[22], 5);
    CHECK_EQ(b[23], 18);
    CHECK_U64(wire_get32(b + 24), 0);
    CHECK_U64(wire_get32(b + 28), 50);
    CHECK_U64(wire_get32(b + 32), 100);
    CHECK_U64(wire_get32(b + 36), 150);

    /* TS only (12): three blocks fit exactly (12 + 28 = 40). */
    o.has_mss = 0;
    o.has_wscale = 0;
    o.sack_permitted = 0;
    CHECK_EQ(wire_tcp_opts_len(&o), 40);
    CHECK_EQ(wire_tcp_opts_emit(b, &o), 40);
    CHECK_EQ(b[15], 26);
    /* MSS + TS (16): 4 + 8n <= 24 -> two blocks. */
    o.has_mss = 1;
    CHECK_EQ(wire_tcp_opts_len(&o), 36);
    CHECK_EQ(wire_tcp_opts_emit(b, &o), 36);
    CHECK_EQ(b[19], 18);
    /* Nothing else: all four fit (36 bytes). */
    o.has_ts = 0;
    o.has_mss = 0;
    CHECK_EQ(wire_tcp_opts_len(&o), 36);
    CHECK_EQ(wire_tcp_opts_emit(b, &o), 36);
    CHECK_EQ(b[3], 34);
    /* nsack above 4 is capped at the 4 blocks the struct holds. */
    o.nsack = 9;
    CHECK_EQ(wire_tcp_opts_len(&o), 36);
}

TEST(emit_payload_checksum)
{
    /* wire_tcp_emit sums the payload the caller placed after the header. */
    uint8_t buf[20 + 4 + 5];
    synack_segment s;
    memset(&s, 0, sizeof s);
    s.saddr = SRC;
    s.daddr = DST;
    s.sport = 1;
    s.dport = 2;
    s.flags = SYNACK_TCP_ACK | SYNACK_TCP_PSH;
    s.opts.sack_permitted = 1;
    s.len = 5;
    memcpy(buf + 24, "hello", 5);
    CHECK_EQ(wire_tcp_emit(buf, &s), 24);
    uint32_t sum = wire_csum_pseudo(SRC, DST, 6, sizeof buf);
    CHECK_U64(wire_csum_fold(wire_csum_add(sum, buf, sizeof buf)), 0);
    synack_segment p;
    const uint8_t *pl;
    synack_drop why;
    CHECK_EQ(wire_tcp_parse(buf, sizeof buf, SRC, DST, &p, &pl, &why), 0);
    CHECK_EQ(p.len, 5);
    CHECK_MEM(pl, "hello", 5);
    CHECK_EQ(p.opts.sack_permitted, 1);
    /* Changing one payload byte breaks it. */
    buf[28] = '!';
    CHECK_EQ(parse_fails(buf, sizeof buf), SYNACK_DROP_TCP_CHECKSUM);
}

TEST_MAIN()
