/* test_icmp.c — ICMP codec (RFC 792): a real echo request parsed, bad
 * checksum and short messages rejected, emit produces exact bytes. */
#include "check.h"

#include <stdlib.h>

#include "wire/wire.h"

/* An echo request as ping sends it: id 0x1234, seq 1, 8 body bytes
 * "abcdefgh". Checksum computed by hand:
 * 0800 + 0000 + 1234 + 0001 + 6162 + 6364 + 6566 + 6768 = 0x1_abc9
 * -> 0xabca; complement 0x5435. */
static const uint8_t echo[16] = { 0x08, 0x00, 0x54, 0x35, 0x12, 0x34, 0x00, 0x01,
                                  'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' };

TEST(echo_request_parse)
{
    wire_icmp m;
    CHECK_EQ(wire_icmp_parse(echo, sizeof echo, &m), 0);
    CHECK_EQ(m.type, WIRE_ICMP_ECHO_REQUEST);
    CHECK_EQ(m.code, 0);
    CHECK_U64(m.rest, 0x12340001u);
    CHECK(m.body == echo + 8);
    CHECK_EQ(m.body_len, 8);
    CHECK_MEM(m.body, "abcdefgh", 8);
}

TEST(header_only_and_odd_body)
{
    /* type 0 code 0 rest 0: sum 0, checksum ffff. */
    static const uint8_t h[8] = { 0, 0, 0xff, 0xff, 0, 0, 0, 0 };
    wire_icmp m;
    CHECK_EQ(wire_icmp_parse(h, 8, &m), 0);
    CHECK_EQ(m.body_len, 0);
    CHECK_EQ(m.type, WIRE_ICMP_ECHO_REPLY);
    /* Odd-length body: 0800 + 7a00 = 8200 -> 7dff. */
    static const uint8_t o[9] = { 8, 0, 0x7d, 0xff, 0, 0, 0, 0, 0x7a };
    CHECK_EQ(wire_icmp_parse(o, 9, &m), 0);
    CHECK_EQ(m.body_len, 1);
    CHECK_EQ(m.body[0], 0x7a);
}

TEST(bad_checksum)
{
    uint8_t b[sizeof echo];
    wire_icmp m;
    for (size_t i = 0; i < sizeof b; i++) {
        memcpy(b, echo, sizeof b);
        b[i] ^= 0x10;
        CHECK_EQ(wire_icmp_parse(b, sizeof b, &m), -1);
    }
    /* Dropping the last body byte breaks the sum too. */
    CHECK_EQ(wire_icmp_parse(echo, sizeof echo - 1, &m), -1);
}

TEST(short_message)
{
    wire_icmp m;
    for (size_t len = 0; len < 8; len++)
        CHECK_EQ(wire_icmp_parse(echo, len, &m), -1);
    /* Short messages whose checksum is right for their length are still
     * rejected; exact-size heap blocks let ASan see any over-read. */
    for (size_t len = 1; len < 8; len++) {
        uint8_t *b = malloc(len);
        CHECK(b != NULL);
        memset(b, 0, len);
        b[0] = WIRE_ICMP_ECHO_REPLY;
        if (len >= 4) {
            wire_put16(b + 2, wire_csum_fold(wire_csum_add(0, b, len)));
            CHECK_U64(wire_csum_fold(wire_csum_add(0, b, len)), 0);
        }
        int rc = wire_icmp_parse(b, len, &m);
        free(b);
        CHECK_EQ(rc, -1);
    }
}

TEST(emit_exact)
{
    uint8_t b[16];
    memset(b, 0, sizeof b);
    memcpy(b + 8, "abcdefgh", 8);
    CHECK_EQ(wire_icmp_emit(b, WIRE_ICMP_ECHO_REQUEST, 0, 0x12340001u, 8), 8);
    CHECK_MEM(b, echo, sizeof echo);
}

TEST(emit_reply_round_trip)
{
    /* Destination unreachable, fragmentation needed, next-hop MTU 1400
     * (RFC 1191): rest = 0x0000_0578, body = original header bytes. */
    uint8_t b[8 + 28];
    for (size_t i = 0; i < 28; i++)
        b[8 + i] = (uint8_t)(0xc0 + i);
    CHECK_EQ(wire_icmp_emit(b, WIRE_ICMP_UNREACH, 4, 1400, 28), 8);
    CHECK_EQ(b[0], 3);
    CHECK_EQ(b[1], 4);
    CHECK_U64(wire_get32(b + 4), 1400);
    wire_icmp m;
    CHECK_EQ(wire_icmp_parse(b, sizeof b, &m), 0);
    CHECK_EQ(m.type, WIRE_ICMP_UNREACH);
    CHECK_EQ(m.code, 4);
    CHECK_U64(m.rest, 1400);
    CHECK_EQ(m.body_len, 28);
    CHECK(m.body == b + 8);
}

TEST_MAIN()
