/* test_checksum.c — the Internet checksum (RFC 1071): known sums, odd
 * lengths, chaining, extreme inputs, the pseudo-header, and the fast path
 * and the inline header sum against a byte-at-a-time reference at every
 * alignment. */
#include "check.h"

#include <stdlib.h>

#include "base/rng.h"
#include "wire/wire.h"

/* Textbook RFC 1071 loop: big-endian 16-bit words into 32 bits, odd byte
 * padded with zero, carries folded at the end. */
static uint16_t ref_csum(uint32_t start, const uint8_t *p, size_t len)
{
    uint64_t sum = start;
    size_t i = 0;
    for (; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (i < len)
        sum += (uint32_t)p[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

TEST(rfc1071_example)
{
    /* RFC 1071 section 3: these bytes sum to ddf2 (before complement). */
    static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    CHECK_U64(wire_csum_fold(wire_csum_add(0, b, sizeof b)), 0x220d);
    CHECK_U64(wire_csum_fold(wire_csum_add(0, b, sizeof b)), (uint16_t)~0xddf2);
}

TEST(known_ipv4_header)
{
    uint8_t h[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                    0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
    CHECK_U64(wire_csum_fold(wire_csum_add(0, h, sizeof h)), 0xb861);
    /* With the checksum in place the header verifies: folds to zero. */
    h[10] = 0xb8;
    h[11] = 0x61;
    CHECK_U64(wire_csum_fold(wire_csum_add(0, h, sizeof h)), 0);
}

TEST(odd_lengths)
{
    static const uint8_t one[] = { 0x01 };
    CHECK_U64(wire_csum_fold(wire_csum_add(0, one, 1)), 0xfeff);    /* ~0x0100 */
    static const uint8_t three[] = { 0x12, 0x34, 0x56 };
    CHECK_U64(wire_csum_fold(wire_csum_add(0, three, 3)), 0x97cb);  /* ~(0x1234+0x5600) */
    static const uint8_t five[] = { 0xff, 0xff, 0x00, 0x01, 0x80 };
    /* ffff + 0001 = 1_0000 -> 0001; + 8000 = 8001; ~ = 7ffe */
    CHECK_U64(wire_csum_fold(wire_csum_add(0, five, 5)), 0x7ffe);
    static const uint8_t seventeen[17] = { [16] = 0xab };
    CHECK_U64(wire_csum_fold(wire_csum_add(0, seventeen, 17)), (uint16_t)~0xab00);
}

TEST(empty_and_zero)
{
    CHECK_U64(wire_csum_add(0, "", 0), 0);
    CHECK_U64(wire_csum_add(0x1234, "", 0), 0x1234);
    CHECK_U64(wire_csum_fold(0), 0xffff);
    static const uint8_t zeros[40] = { 0 };
    CHECK_U64(wire_csum_fold(wire_csum_add(0, zeros, sizeof zeros)), 0xffff);
}

TEST(all_ones)
{
    /* Any number of 0xffff words sums to 0xffff (one's-complement
     * "negative zero"), never to 0: checksum 0x0000. */
    uint8_t buf[4096];
    memset(buf, 0xff, sizeof buf);
    for (size_t n = 2; n <= sizeof buf; n += 2)
        CHECK_U64(wire_csum_fold(wire_csum_add(0, buf, n)), 0x0000);
    /* Odd: trailing 0xff00 added to 0xffff gives 0xff00 after the carry. */
    CHECK_U64(wire_csum_fold(wire_csum_add(0, buf, 7)), 0x00ff);
    CHECK_U64(wire_csum_fold(wire_csum_add(0, buf, 1)), 0x00ff);
}

TEST(large_all_ones_matches_reference)
{
    /* Long enough for many 64-bit end-around carries. */
    size_t n = 70001;
    uint8_t *buf = malloc(n);
    CHECK(buf != NULL);
    memset(buf, 0xff, n);
    CHECK_U64(wire_csum_fold(wire_csum_add(0, buf, n)), ref_csum(0, buf, n));
    CHECK_U64(wire_csum_fold(wire_csum_add(0xffffffffu, buf, n)), ref_csum(0xffffffffu, buf, n));
    free(buf);
}

TEST(chained_even_pieces)
{
    uint8_t buf[301];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    uint16_t whole = wire_csum_fold(wire_csum_add(0, buf, sizeof buf));
    CHECK_U64(whole, ref_csum(0, buf, sizeof buf));
    /* Every split with an even first piece gives the same result. */
    for (size_t cut = 0; cut <= sizeof buf; cut += 2) {
        uint32_t s = wire_csum_add(0, buf, cut);
        s = wire_csum_add(s, buf + cut, sizeof buf - cut);
        CHECK_U64(wire_csum_fold(s), whole);
    }
    /* Three pieces, the middle one starting at an odd address. */
    uint32_t s = wire_csum_add(0, buf, 2);
    uint8_t copy[sizeof buf + 1];
    memcpy(copy + 1, buf, sizeof buf);
    s = wire_csum_add(s, copy + 1 + 2, 100);
    s = wire_csum_add(s, buf + 102, sizeof buf - 102);
    CHECK_U64(wire_csum_fold(s), whole);
}

TEST(running_sum_near_overflow)
{
    /* A running sum close to 2^32 must absorb more data without losing a
     * carry. */
    static const uint8_t b[] = { 0xff, 0xff, 0xff, 0xff };
    uint32_t s = wire_csum_add(0xfffffffeu, b, sizeof b);
    CHECK_U64(wire_csum_fold(s), ref_csum(0xfffffffeu, b, sizeof b));
}

TEST(pseudo_header)
{
    uint32_t src = 0xc0a80001u, dst = 0xc0a800c7u;
    /* c0a8 + 0001 + c0a8 + 00c7 + 0006 + 0014 = 1_8232 -> 8233 */
    CHECK_U64(wire_csum_fold(wire_csum_pseudo(src, dst, 6, 20)), (uint16_t)~0x8233);
    /* Same as summing the explicit 12-byte pseudo-header. */
    uint8_t ph[12] = { 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7, 0x00, 0x06, 0x05, 0xdc };
    CHECK_U64(wire_csum_fold(wire_csum_pseudo(src, dst, 6, 1500)), ref_csum(0, ph, 12));
    /* Extreme values. */
    uint8_t ph2[12] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff };
    CHECK_U64(wire_csum_fold(wire_csum_pseudo(0xffffffffu, 0xffffffffu, 255, 0xffff)),
              ref_csum(0, ph2, 12));
}

TEST(fast_path_equals_reference_every_alignment)
{
    enum { MAXLEN = 2000 };
    static uint8_t storage[MAXLEN + 16];
    synack_rng r;
    rng_seed(&r, 0x5eed);
    for (size_t i = 0; i < sizeof storage; i++)
        storage[i] = (uint8_t)rng_next(&r);
    for (size_t align = 0; align < 8; align++) {
        for (size_t len = 0; len <= MAXLEN; len++) {
            const uint8_t *p = storage + align;
            uint32_t start = (uint32_t)rng_next(&r);
            if (len % 3 == 0)
                start = 0;
            uint16_t want = ref_csum(start, p, len);
            uint16_t got = wire_csum_fold(wire_csum_add(start, p, len));
            if (got != want)
                check_fail(__FILE__, __LINE__, "align %zu len %zu start %08x: got %04x want %04x",
                           align, len, start, got, want);
        }
        /* Refresh the bytes so each alignment sees different data. */
        for (size_t i = 0; i < sizeof storage; i++)
            storage[i] = (uint8_t)rng_next(&r);
    }
}

TEST(header_sum_equals_reference)
{
    /* wire_csum_hdr (inline, headers: lengths 4..60 in steps of 4) must
     * agree with the reference for any data, start sum and alignment,
     * all-ones words included (every 64-bit add then carries). */
    static uint8_t storage[60 + 8];
    synack_rng r;
    rng_seed(&r, 0x4eade5);
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof storage; i++)
            storage[i] = round % 4 == 0 ? 0xff : (uint8_t)rng_next(&r);
        uint32_t start = round % 3 == 0 ? 0 : round % 3 == 1 ? 0xffffffffu : (uint32_t)rng_next(&r);
        for (size_t align = 0; align < 8; align++)
            for (size_t len = 4; len <= 60; len += 4) {
                const uint8_t *p = storage + align;
                uint16_t want = ref_csum(start, p, len);
                uint16_t got = wire_csum_fold(wire_csum_hdr(start, p, len));
                if (got != want)
                    check_fail(__FILE__, __LINE__,
                               "align %zu len %zu start %08x: got %04x want %04x", align, len,
                               start, got, want);
            }
    }
}

TEST_MAIN()
