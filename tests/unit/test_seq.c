/* test_seq.c — sequence-number arithmetic (src/base/seq.h) around the
 * 2^32 wrap and the 2^31 ambiguity boundary (RFC 9293 3.4). */
#include "check.h"

#include "base/seq.h"

TEST(diff_basic)
{
    CHECK_EQ(seq_diff(10, 3), 7);
    CHECK_EQ(seq_diff(3, 10), -7);
    CHECK_EQ(seq_diff(0x10, 0xFFFFFFF0u), 0x20);
    CHECK_EQ(seq_diff(0xFFFFFFF0u, 0x10), -0x20);
    CHECK_EQ(seq_diff(5, 5), 0);
}

TEST(lt_across_wrap)
{
    CHECK(seq_lt(0xFFFFFFF0u, 0x10));
    CHECK(!seq_lt(0x10, 0xFFFFFFF0u));
    CHECK(seq_gt(0x10, 0xFFFFFFF0u));
    CHECK(!seq_gt(0xFFFFFFF0u, 0x10));
    CHECK(seq_lt(0xFFFFFFFFu, 0));
    CHECK(seq_gt(0, 0xFFFFFFFFu));
    CHECK(seq_leq(0xFFFFFFFFu, 0));
    CHECK(seq_geq(0, 0xFFFFFFFFu));
}

TEST(equal_values)
{
    CHECK(!seq_lt(7, 7));
    CHECK(!seq_gt(7, 7));
    CHECK(seq_leq(7, 7));
    CHECK(seq_geq(7, 7));
    CHECK(seq_leq(0xFFFFFFFFu, 0xFFFFFFFFu));
}

TEST(boundary_2_31)
{
    /* b - a = 2^31 - 1: b is still "after" a. */
    CHECK(seq_lt(0, 0x7FFFFFFFu));
    CHECK(seq_gt(0x7FFFFFFFu, 0));
    /* b - a = 2^31: the difference is INT32_MIN, so b counts as before a
     * (and a as before b): the unavoidable ambiguity of 2^31 apart. */
    CHECK(seq_lt(0x80000000u, 0));
    CHECK(seq_lt(0, 0x80000000u));
    CHECK_EQ(seq_diff(0x80000000u, 0), INT32_MIN);
    /* b - a = 2^31 + 1: b is before a. */
    CHECK(seq_gt(0, 0x80000001u));
    CHECK(seq_lt(0x80000001u, 0));
    /* The same boundary, shifted across the wrap. */
    CHECK(seq_lt(0xC0000000u, 0x3FFFFFFFu));
    CHECK(seq_gt(0xC0000000u, 0x40000001u));
}

TEST(max_min)
{
    CHECK_U64(seq_max(0xFFFFFFF0u, 0x10), 0x10);
    CHECK_U64(seq_max(0x10, 0xFFFFFFF0u), 0x10);
    CHECK_U64(seq_min(0xFFFFFFF0u, 0x10), 0xFFFFFFF0u);
    CHECK_U64(seq_min(0x10, 0xFFFFFFF0u), 0xFFFFFFF0u);
    CHECK_U64(seq_max(100, 200), 200);
    CHECK_U64(seq_min(100, 200), 100);
    CHECK_U64(seq_max(42, 42), 42);
    CHECK_U64(seq_min(42, 42), 42);
}

TEST(in_window_plain)
{
    CHECK(seq_in(100, 100, 200));
    CHECK(seq_in(199, 100, 200));
    CHECK(!seq_in(200, 100, 200));
    CHECK(!seq_in(99, 100, 200));
    /* Empty window holds nothing. */
    CHECK(!seq_in(100, 100, 100));
}

TEST(in_window_at_wrap)
{
    uint32_t lo = 0xFFFFFFF0u, hi = 0x10;
    CHECK(seq_in(0xFFFFFFF0u, lo, hi));
    CHECK(seq_in(0xFFFFFFFFu, lo, hi));
    CHECK(seq_in(0, lo, hi));
    CHECK(seq_in(0xF, lo, hi));
    CHECK(!seq_in(0x10, lo, hi));
    CHECK(!seq_in(0xFFFFFFEFu, lo, hi));
    CHECK(!seq_in(0x80000000u, lo, hi));
}

TEST_MAIN()
