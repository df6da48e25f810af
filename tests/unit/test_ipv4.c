/* test_ipv4.c — IPv4 header parse/emit (RFC 791): round trip, exact
 * emitted bytes, each malformed case's drop reason, options skipped,
 * trailing padding ignored, fragment fields decoded. */
#include "check.h"

#include "wire/wire.h"

static void fix_csum(uint8_t *h)
{
    size_t hl = (size_t)(h[0] & 0x0f) * 4;
    h[10] = h[11] = 0;
    wire_put16(h + 10, wire_csum_fold(wire_csum_add(0, h, hl)));
}

/* A valid 20-byte header for a datagram of total bytes, protocol TCP. */
static void make_hdr(uint8_t *h, uint16_t total)
{
    static const uint8_t base[20] = { 0x45, 0x00, 0x00, 0x00, 0x12, 0x34, 0x40, 0x00,
                                      0x40, 0x06, 0x00, 0x00, 0xc6, 0x12, 0x00, 0x01,
                                      0xc6, 0x12, 0x00, 0x02 };
    memcpy(h, base, 20);
    wire_put16(h + 2, total);
    fix_csum(h);
}

static synack_drop parse_fails(const uint8_t *p, size_t len)
{
    wire_ipv4 ip;
    synack_drop why = SYNACK_DROP_COUNT;
    CHECK_EQ(wire_ipv4_parse(p, len, &ip, &why), -1);
    return why;
}

TEST(emit_exact_bytes)
{
    uint8_t buf[20];
    CHECK_EQ(wire_ipv4_emit(buf, 0xc0a80001u, 0xc0a800c7u, WIRE_PROTO_UDP, 64, 0, 0x73 - 20), 20);
    /* The header from the checksum test vector, with DF: checksum b861. */
    static const uint8_t want[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                      0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
    CHECK_MEM(buf, want, 20);
}

TEST(round_trip)
{
    uint8_t pkt[20 + 5] = { 0 };
    memcpy(pkt + 20, "hello", 5);
    CHECK_EQ(wire_ipv4_emit(pkt, 0xc6120001u, 0xc6130002u, WIRE_PROTO_TCP, 63, 0xbeef, 5), 20);
    wire_ipv4 ip;
    synack_drop why = SYNACK_DROP_COUNT;
    CHECK_EQ(wire_ipv4_parse(pkt, sizeof pkt, &ip, &why), 0);
    CHECK_U64(ip.src, 0xc6120001u);
    CHECK_U64(ip.dst, 0xc6130002u);
    CHECK_EQ(ip.proto, WIRE_PROTO_TCP);
    CHECK_EQ(ip.ttl, 63);
    CHECK_EQ(ip.tos, 0);
    CHECK_EQ(ip.id, 0xbeef);
    CHECK_EQ(ip.df, 1);
    CHECK_EQ(ip.mf, 0);
    CHECK_EQ(ip.frag, 0);
    CHECK_EQ(ip.hdr_len, 20);
    CHECK_EQ(ip.total_len, 25);
    CHECK(ip.payload == pkt + 20);
    CHECK_EQ(ip.payload_len, 5);
    CHECK_MEM(ip.payload, "hello", 5);
    CHECK_EQ(why, SYNACK_DROP_COUNT);   /* untouched on success */
}

TEST(truncated)
{
    uint8_t h[20];
    make_hdr(h, 20);
    for (size_t len = 0; len < 20; len++)
        CHECK_EQ(parse_fails(h, len), SYNACK_DROP_IP_TRUNCATED);
}

TEST(version_6)
{
    uint8_t h[20];
    make_hdr(h, 20);
    h[0] = 0x65;
    fix_csum(h);
    CHECK_EQ(parse_fails(h, 20), SYNACK_DROP_IP_VERSION);
    h[0] = 0x05;
    fix_csum(h);
    CHECK_EQ(parse_fails(h, 20), SYNACK_DROP_IP_VERSION);
}

TEST(ihl_4)
{
    uint8_t h[20];
    make_hdr(h, 20);
    h[0] = 0x44;
    CHECK_EQ(parse_fails(h, 20), SYNACK_DROP_IP_HDRLEN);
    h[0] = 0x40;
    CHECK_EQ(parse_fails(h, 20), SYNACK_DROP_IP_HDRLEN);
}

TEST(ihl_beyond_len)
{
    uint8_t h[24];
    make_hdr(h, 24);
    h[0] = 0x46;                    /* 24-byte header ... */
    CHECK_EQ(parse_fails(h, 23), SYNACK_DROP_IP_HDRLEN);   /* ... in 23 bytes */
    h[0] = 0x4f;
    CHECK_EQ(parse_fails(h, 24), SYNACK_DROP_IP_HDRLEN);
}

TEST(total_len_below_ihl)
{
    uint8_t h[40] = { 0 };
    make_hdr(h, 19);
    CHECK_EQ(parse_fails(h, 40), SYNACK_DROP_IP_TOTLEN);
    make_hdr(h, 0);
    CHECK_EQ(parse_fails(h, 40), SYNACK_DROP_IP_TOTLEN);
    /* With options: total 23 < IHL 24. */
    make_hdr(h, 23);
    h[0] = 0x46;
    fix_csum(h);
    CHECK_EQ(parse_fails(h, 40), SYNACK_DROP_IP_TOTLEN);
}

TEST(total_len_beyond_len)
{
    uint8_t h[40] = { 0 };
    make_hdr(h, 41);
    CHECK_EQ(parse_fails(h, 40), SYNACK_DROP_IP_TOTLEN);
    make_hdr(h, 0xffff);
    CHECK_EQ(parse_fails(h, 40), SYNACK_DROP_IP_TOTLEN);
}

TEST(bad_checksum)
{
    uint8_t h[20];
    make_hdr(h, 20);
    h[11] ^= 0x01;
    CHECK_EQ(parse_fails(h, 20), SYNACK_DROP_IP_CHECKSUM);
    make_hdr(h, 20);
    h[8] = 0x3f;                    /* TTL changed, checksum not updated */
    CHECK_EQ(parse_fails(h, 20), SYNACK_DROP_IP_CHECKSUM);
}

TEST(checksum_covers_options)
{
    uint8_t h[28] = { 0 };
    make_hdr(h, 28);
    h[0] = 0x46;
    h[20] = 0x01;
    fix_csum(h);
    wire_ipv4 ip;
    synack_drop why;
    CHECK_EQ(wire_ipv4_parse(h, 28, &ip, &why), 0);
    h[21] = 0x01;                   /* corrupt an option byte */
    CHECK_EQ(parse_fails(h, 28), SYNACK_DROP_IP_CHECKSUM);
}

TEST(options_skipped_every_ihl)
{
    for (unsigned ihl = 5; ihl <= 15; ihl++) {
        uint8_t pkt[60 + 3];
        size_t hl = ihl * 4;
        make_hdr(pkt, (uint16_t)(hl + 3));
        pkt[0] = (uint8_t)(0x40 | ihl);
        /* Options: NOPs then EOL; their content is not interpreted. */
        memset(pkt + 20, 0x01, hl - 20);
        if (hl > 20)
            pkt[hl - 1] = 0x00;
        memcpy(pkt + hl, "abc", 3);
        fix_csum(pkt);
        wire_ipv4 ip;
        synack_drop why;
        CHECK_EQ(wire_ipv4_parse(pkt, hl + 3, &ip, &why), 0);
        CHECK_EQ(ip.hdr_len, hl);
        CHECK(ip.payload == pkt + hl);
        CHECK_EQ(ip.payload_len, 3);
        CHECK_MEM(ip.payload, "abc", 3);
        CHECK_U64(ip.src, 0xc6120001u);
        CHECK_U64(ip.dst, 0xc6120002u);
    }
}

TEST(trailing_padding_ignored)
{
    /* A 40-byte datagram in a 60-byte Ethernet minimum frame. */
    uint8_t pkt[60];
    memset(pkt, 0xee, sizeof pkt);
    make_hdr(pkt, 40);
    wire_ipv4 ip;
    synack_drop why;
    CHECK_EQ(wire_ipv4_parse(pkt, sizeof pkt, &ip, &why), 0);
    CHECK_EQ(ip.total_len, 40);
    CHECK_EQ(ip.payload_len, 20);
    CHECK(ip.payload == pkt + 20);
}

TEST(fragment_fields)
{
    uint8_t h[20];
    make_hdr(h, 20);
    wire_put16(h + 6, 0x2000 | 185);    /* MF, offset 185*8 = 1480 */
    fix_csum(h);
    wire_ipv4 ip;
    synack_drop why;
    CHECK_EQ(wire_ipv4_parse(h, 20, &ip, &why), 0);
    CHECK_EQ(ip.mf, 1);
    CHECK_EQ(ip.df, 0);
    CHECK_EQ(ip.frag, 185);

    wire_put16(h + 6, 0x1fff);          /* last fragment, max offset */
    fix_csum(h);
    CHECK_EQ(wire_ipv4_parse(h, 20, &ip, &why), 0);
    CHECK_EQ(ip.mf, 0);
    CHECK_EQ(ip.df, 0);
    CHECK_EQ(ip.frag, 0x1fff);

    wire_put16(h + 6, 0x4000);          /* DF only */
    fix_csum(h);
    CHECK_EQ(wire_ipv4_parse(h, 20, &ip, &why), 0);
    CHECK_EQ(ip.df, 1);
    CHECK_EQ(ip.mf, 0);
    CHECK_EQ(ip.frag, 0);
}

TEST(tos_and_id_decoded)
{
    uint8_t h[20];
    make_hdr(h, 20);
    h[1] = 0xb8;
    fix_csum(h);
    wire_ipv4 ip;
    synack_drop why;
    CHECK_EQ(wire_ipv4_parse(h, 20, &ip, &why), 0);
    CHECK_EQ(ip.tos, 0xb8);
    CHECK_EQ(ip.id, 0x1234);
    CHECK_EQ(ip.ttl, 0x40);
    CHECK_EQ(ip.proto, 6);
}

TEST_MAIN()
