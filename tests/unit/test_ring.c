/* test_ring.c — the byte ring (src/base/ring.c): wrap-around, growth that
 * keeps bytes written beyond the committed length, trimming, the
 * one-pass copy+checksum across every split point, and the zero-copy
 * access (ring_readable, ring_tail_room, ring_writable). */
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

/* ring_trimmable: what stack_ring_trim releases. */
TEST(trim_frees_only_small_empty_rings)
{
    ring r;
    ring_init(&r, 1u << 20);
    uint8_t x[64] = { 0 };
    CHECK_EQ(ring_write(&r, x, sizeof x, al, fr, NULL), 64);
    CHECK(!ring_trimmable(&r));     /* not empty: kept */
    ring_consume(&r, 64);
    CHECK(ring_trimmable(&r));      /* small and empty: released */
    ring_free(&r, fr, NULL);
    static uint8_t big[100000];
    CHECK_EQ(ring_write(&r, big, sizeof big, al, fr, NULL), (long)sizeof big);
    ring_consume(&r, sizeof big);
    CHECK(!ring_trimmable(&r));     /* large: kept for the next burst */
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

/* A ring of storage 2048 (cap 4096) whose head sits at offset head, with
 * len committed bytes: byte i of them is (uint8_t)(i * 3 + 5). */
static void ring_at(ring *r, uint32_t head, uint32_t len)
{
    static uint8_t pad[2048], data[2048];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 3 + 5);
    ring_init(r, 4096);
    CHECK_EQ(ring_write(r, pad, head, al, fr, NULL), head);
    ring_consume(r, head);
    CHECK_EQ(ring_write(r, data, len, al, fr, NULL), len);
    CHECK_EQ(r->size, 2048);
    CHECK_EQ(r->head, head);
}

TEST(readable_is_the_contiguous_run_at_the_head)
{
    ring r;
    const uint8_t *p = (const uint8_t *)"x";
    ring_init(&r, 4096);
    CHECK_EQ(ring_readable(&r, &p), 0);     /* no storage */
    CHECK(p == NULL);
    /* Not wrapping: all of it, at the head. */
    ring_at(&r, 100, 500);
    CHECK_EQ(ring_readable(&r, &p), 500);
    CHECK(p == r.buf + 100);
    CHECK_EQ(p[0], 5);
    CHECK_EQ(p[499], (uint8_t)(499 * 3 + 5));
    ring_free(&r, fr, NULL);
    /* Wrapping: the bytes up to the end of the storage; after consuming
     * them, the rest from offset 0. */
    ring_at(&r, 1800, 600);
    CHECK_EQ(ring_readable(&r, &p), 248);
    CHECK(p == r.buf + 1800);
    CHECK_EQ(p[247], (uint8_t)(247 * 3 + 5));
    ring_consume(&r, 248);
    CHECK_EQ(ring_readable(&r, &p), 352);
    CHECK(p == r.buf);
    CHECK_EQ(p[0], (uint8_t)(248 * 3 + 5));
    /* Ending exactly at the end of the storage. */
    ring_free(&r, fr, NULL);
    ring_at(&r, 1048, 1000);
    CHECK_EQ(ring_readable(&r, &p), 1000);
    /* Empty with storage: nothing, NULL. */
    ring_consume(&r, 1000);
    CHECK_EQ(ring_readable(&r, &p), 0);
    CHECK(p == NULL);
    ring_free(&r, fr, NULL);
}

TEST(tail_room_ends_at_the_storage_end_or_the_head)
{
    ring r;
    uint8_t *p;
    ring_init(&r, 4096);
    CHECK_EQ(ring_tail_room(&r, &p), 0);    /* no storage yet */
    CHECK(p == NULL);
    /* In storage of 2048: the head, the committed bytes, and the room
     * expected after them (at offset at; none: NULL). */
    static const struct { uint32_t head, len, room, at; } cases[] = {
        { 100, 500, 2048 - 600, 600 },      /* not wrapping: to the end */
        { 1048, 1000, 1048, 0 },            /* ending at the end: 0 to head */
        { 1800, 600, 1800 - 352, 352 },     /* wrapping: from their end to head */
        { 1500, 0, 548, 1500 },             /* empty: from the head to the end */
        { 700, 2048, 0, 0 },                /* storage full (not the cap) */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ring_at(&r, cases[i].head, cases[i].len);
        CHECK_EQ(ring_tail_room(&r, &p), cases[i].room);
        CHECK(p == (cases[i].room ? r.buf + cases[i].at : NULL));
        ring_free(&r, fr, NULL);
    }
}

TEST(writable_grows_like_a_write_and_commits_in_place)
{
    ring r;
    uint8_t *p;
    ring_init(&r, 100000);
    /* want 0: nothing, and no storage allocated for it. */
    CHECK_EQ(ring_writable(&r, 0, &p, al, fr, NULL), 0);
    CHECK(p == NULL && r.buf == NULL);
    /* First use: the storage a 10-byte write would get (2 KiB), and
     * exactly the 10 bytes asked for. */
    CHECK_EQ(ring_writable(&r, 10, &p, al, fr, NULL), 10);
    CHECK_EQ(r.size, 2048);
    CHECK(p == r.buf);
    memcpy(p, "0123456789", 10);
    ring_commit(&r, 10);
    /* Asking for 5000 grows it as a 5000-byte write would (doubling to
     * 8 KiB, the committed bytes kept) and offers all 5000 after them. */
    CHECK_EQ(ring_writable(&r, 5000, &p, al, fr, NULL), 5000);
    CHECK_EQ(r.size, 8192);
    CHECK(p == r.buf + 10);
    for (uint32_t i = 0; i < 5000; i++)
        p[i] = (uint8_t)(i * 11);
    ring_commit(&r, 5000);
    uint8_t out[5010];
    ring_peek(&r, 0, out, sizeof out);
    CHECK_MEM(out, "0123456789", 10);
    for (uint32_t i = 0; i < 5000; i++)
        CHECK_EQ(out[10 + i], (uint8_t)(i * 11));
    ring_free(&r, fr, NULL);
}

TEST(writable_stops_at_the_wrap_and_then_continues_from_zero)
{
    ring r;
    uint8_t *p;
    /* 600 committed bytes at 1200..1800 of 2048: 248 writable before
     * the end, then the 1200 before the head. */
    ring_at(&r, 1200, 600);
    CHECK_EQ(ring_writable(&r, 1000, &p, al, fr, NULL), 248);
    CHECK(p == r.buf + 1800);
    memset(p, 'a', 248);
    ring_commit(&r, 248);
    CHECK_EQ(ring_writable(&r, 1000, &p, al, fr, NULL), 1000);
    CHECK(p == r.buf);
    memset(p, 'b', 1000);
    ring_commit(&r, 1000);
    CHECK_EQ(r.size, 2048);         /* it all fitted: no growth */
    uint8_t out[1848];
    ring_peek(&r, 0, out, sizeof out);
    CHECK_EQ(out[0], 5);
    CHECK_EQ(out[599], (uint8_t)(599 * 3 + 5));
    CHECK_EQ(out[600], 'a');
    CHECK_EQ(out[847], 'a');
    CHECK_EQ(out[848], 'b');
    CHECK_EQ(out[1847], 'b');
    ring_free(&r, fr, NULL);
}

TEST(writable_growth_unwraps_and_full_ring_gives_nothing)
{
    ring r;
    uint8_t *p;
    /* Wrapped, and asking for more than the storage has: growth copies
     * the bytes in order to a new buffer (head 0), and the room follows
     * them, capped by the free space of the ring (cap 4096). */
    ring_at(&r, 1800, 600);
    CHECK_EQ(ring_writable(&r, 10000, &p, al, fr, NULL), 4096 - 600);
    CHECK_EQ(r.size, 4096);
    CHECK_EQ(r.head, 0);
    CHECK(p == r.buf + 600);
    uint8_t out[600];
    ring_peek(&r, 0, out, sizeof out);
    for (uint32_t i = 0; i < 600; i++)
        CHECK_EQ(out[i], (uint8_t)(i * 3 + 5));
    ring_commit(&r, 4096 - 600);
    /* Full: 0 and NULL, whatever is asked; nothing allocated. */
    CHECK_EQ(ring_writable(&r, 1, &p, no_alloc, fr, NULL), 0);
    CHECK(p == NULL);
    CHECK_EQ(ring_tail_room(&r, &p), 0);
    ring_free(&r, fr, NULL);
}

TEST(writable_reports_allocation_failure)
{
    ring r;
    uint8_t *p = (uint8_t *)"x";
    ring_init(&r, 4096);
    CHECK_EQ(ring_writable(&r, 100, &p, no_alloc, fr, NULL), -1);
    CHECK(p == NULL);
    CHECK(r.buf == NULL);
    CHECK_EQ(r.len, 0);
    /* Growth that fails leaves the old storage and bytes alone. */
    ring_at(&r, 0, 2000);
    uint8_t *old = r.buf;
    CHECK_EQ(ring_writable(&r, 100, &p, no_alloc, fr, NULL), -1);
    CHECK(r.buf == old);
    CHECK_EQ(r.len, 2000);
    CHECK_EQ(r.size, 2048);
    ring_free(&r, fr, NULL);
}

TEST_MAIN()
