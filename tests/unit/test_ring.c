/* test_ring.c — the byte ring (src/base/ring.c): wrap-around, growth that
 * keeps bytes written beyond the committed length, trimming, and the
 * one-pass copy+checksum across every split point. */
#include "check.h"

#include <stdlib.h>

#include "base/ring.h"
#include "wire/wire.h"

static void *al(void *ctx, size_t n) { (void)ctx; return malloc(n); }
static void fr(void *ctx, void *p) { (void)ctx; free(p); }
static void *no_alloc(void *ctx, size_t n) { (void)ctx; (void)n; return NULL; }

TEST(write_peek_consume_wraps)
{
    ring r;
    ring_init(&r, 4096);
    uint8_t in[3000], out[3000];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i * 7);
    CHECK_EQ(ring_write(&r, in, 3000, al, fr, NULL), 3000);
    ring_consume(&r, 2500);
    CHECK_EQ(r.len, 500);
    /* This write wraps around the end of the storage. */
    CHECK_EQ(ring_write(&r, in, 3000, al, fr, NULL), 3000);
    CHECK_EQ(r.len, 3500);
    ring_peek(&r, 0, out, 500);
    CHECK_MEM(out, in + 2500, 500);
    ring_peek(&r, 500, out, 3000);
    CHECK_MEM(out, in, 3000);
    /* Full: only what fits is taken. */
    CHECK_EQ(ring_write(&r, in, 3000, al, fr, NULL), 596);
    CHECK_EQ(ring_write(&r, in, 10, al, fr, NULL), 0);
    ring_free(&r, fr, NULL);
}

TEST(growth_keeps_bytes_written_beyond_len)
{
    ring r;
    ring_init(&r, 1u << 20);
    uint8_t a[100], b[5000], out[5100];
    memset(a, 'a', sizeof a);
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (uint8_t)(i * 13 + 1);
    /* Out of order first: bytes 100..5099, forcing growth past 2 KiB. */
    CHECK_EQ(ring_write_at(&r, 100, b, sizeof b, al, fr, NULL), 0);
    CHECK_EQ(r.len, 0);
    CHECK(r.size >= 5100);
    /* Then the hole, and commit everything. */
    CHECK_EQ(ring_write(&r, a, sizeof a, al, fr, NULL), 100);
    ring_commit(&r, sizeof b);
    CHECK_EQ(r.len, 5100);
    ring_peek(&r, 0, out, 5100);
    CHECK_MEM(out, a, 100);
    CHECK_MEM(out + 100, b, sizeof b);
    ring_free(&r, fr, NULL);
}

TEST(trim_frees_only_small_empty_rings)
{
    ring r;
    ring_init(&r, 1u << 20);
    uint8_t x[64] = { 0 };
    CHECK_EQ(ring_write(&r, x, sizeof x, al, fr, NULL), 64);
    ring_trim(&r, fr, NULL);
    CHECK(r.buf != NULL);           /* not empty: kept */
    ring_consume(&r, 64);
    ring_trim(&r, fr, NULL);
    CHECK(r.buf == NULL);           /* small and empty: released */
    static uint8_t big[100000];
    CHECK_EQ(ring_write(&r, big, sizeof big, al, fr, NULL), (long)sizeof big);
    ring_consume(&r, sizeof big);
    ring_trim(&r, fr, NULL);
    CHECK(r.buf != NULL);           /* large: kept for the next burst */
    ring_free(&r, fr, NULL);
}

TEST(peek_csum_equals_checksum_of_the_copy_at_every_split)
{
    /* Place 1 to 300 bytes so that the wrap falls at every offset, odd
     * ones included; the one-pass sum must equal the sum of the copy. */
    uint8_t src[600], out[600];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 31 + 7);
    for (uint32_t head = 0; head < 64; head++) {
        for (uint32_t n = 1; n <= 300; n += 7) {
            ring r;
            ring_init(&r, 256);
            uint8_t pad[256];
            memset(pad, 0, sizeof pad);
            CHECK_EQ(ring_write(&r, pad, 200 + head % 50, al, fr, NULL), 200 + head % 50);
            ring_consume(&r, 200 + head % 50);
            uint32_t m = n > 256 ? 256 : n;
            CHECK_EQ(ring_write(&r, src, m, al, fr, NULL), (long)m);
            uint32_t got = ring_peek_csum(&r, 0, out, m);
            CHECK_MEM(out, src, m);
            CHECK_EQ(wire_csum_fold(got), wire_csum_fold(wire_csum_add(0, out, m)));
            ring_free(&r, fr, NULL);
        }
    }
}

TEST(csum_copy_matches_csum_add_for_all_lengths_and_offsets)
{
    /* Up to 2000 bytes: the short-header path, the scalar chains and the
     * vector blocks (128 bytes and more), with source and destination at
     * every alignment. */
    static uint8_t src[2100], dst[2100];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 91 + 3 + (i >> 8));
    for (size_t off = 0; off < 8; off++) {
        size_t doff = (off * 5) % 8;
        for (size_t len = 0; len + off <= 2000; len++) {
            uint32_t a = wire_csum_copy(dst + doff, src + off, len, 0x1234);
            CHECK_MEM(dst + doff, src + off, len);
            CHECK_EQ(wire_csum_fold(a), wire_csum_fold(wire_csum_add(0x1234, src + off, len)));
        }
    }
}

TEST(write_at_csum_places_and_sums_at_every_split)
{
    /* The receive path's fused copy: bytes written past the committed
     * ones, wrapping at every offset (odd splits included), summed onto a
     * running sum; committing then makes exactly those bytes readable. */
    uint8_t src[1600], out[1600];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 131 + 17);
    for (uint32_t head = 0; head < 40; head++) {
        for (uint32_t n = 1; n <= 1500; n += 37) {
            ring r;
            ring_init(&r, 2048);
            static uint8_t pad[2048];
            /* Storage of 2048 bytes whose head sits near its end, plus 3
             * committed bytes before the new ones. */
            CHECK_EQ(ring_write(&r, pad, 2000 + head, al, fr, NULL), 2000 + head);
            ring_consume(&r, 1997 + head);
            uint32_t sum = 0xfffe1234u;
            CHECK_EQ(ring_write_at_csum(&r, r.len, src, n, &sum, al, fr, NULL), 0);
            CHECK_EQ(wire_csum_fold(sum), wire_csum_fold(wire_csum_add(0xfffe1234u, src, n)));
            CHECK_EQ(r.len, 3);
            ring_commit(&r, n);
            ring_peek(&r, 3, out, n);
            CHECK_MEM(out, src, n);
            ring_free(&r, fr, NULL);
        }
    }
}

TEST(write_at_csum_reports_allocation_failure)
{
    ring r;
    ring_init(&r, 4096);
    uint32_t sum = 7;
    CHECK_EQ(ring_write_at_csum(&r, 0, "abcd", 4, &sum, no_alloc, fr, NULL), -1);
    CHECK_EQ(sum, 7);
    CHECK(r.buf == NULL);
    CHECK_EQ(r.len, 0);
}

TEST_MAIN()
