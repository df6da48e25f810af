/* test_rng.c — the deterministic PRNG: same seed, same stream; different
 * seeds, different streams; seed 0 usable; known first outputs pinned so
 * a change of algorithm (which would change every simulator run) shows. */
#include "check.h"

#include "base/rng.h"

TEST(same_seed_same_stream)
{
    synack_rng a, b;
    rng_seed(&a, 12345);
    rng_seed(&b, 12345);
    for (int i = 0; i < 10000; i++)
        CHECK_U64(rng_next(&a), rng_next(&b));
}

TEST(reseed_restarts)
{
    synack_rng a;
    rng_seed(&a, 99);
    uint64_t first[8];
    for (int i = 0; i < 8; i++)
        first[i] = rng_next(&a);
    rng_seed(&a, 99);
    for (int i = 0; i < 8; i++)
        CHECK_U64(rng_next(&a), first[i]);
}

TEST(different_seeds_differ)
{
    synack_rng a, b;
    for (uint64_t s = 0; s < 64; s++) {
        rng_seed(&a, s);
        rng_seed(&b, s + 1);
        int same = 0;
        for (int i = 0; i < 16; i++)
            same += rng_next(&a) == rng_next(&b);
        CHECK_EQ(same, 0);
    }
}

TEST(seed_zero_works)
{
    synack_rng r;
    rng_seed(&r, 0);
    CHECK(r.s[0] != 0 || r.s[1] != 0);
    uint64_t prev = rng_next(&r);
    int changes = 0, zeros = prev == 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t v = rng_next(&r);
        changes += v != prev;
        zeros += v == 0;
        prev = v;
    }
    CHECK_EQ(changes, 1000);
    CHECK_EQ(zeros, 0);
}

TEST(known_values)
{
    /* splitmix64(0) is the published first output of splitmix64 seeded
     * with 0; xoroshiro128+ outputs s0 + s1. */
    synack_rng r;
    rng_seed(&r, 0);
    CHECK_U64(r.s[0], 0xe220a8397b1dcdafull);
    CHECK_U64(r.s[1], 0x6e789e6aa1b965f4ull);
    CHECK_U64(rng_next(&r), 0xe220a8397b1dcdafull + 0x6e789e6aa1b965f4ull);
}

TEST(bits_are_balanced)
{
    /* Each of the 64 output bits is set in roughly half of 4096 draws
     * (bounds are > 8 standard deviations wide: a sanity check that no
     * bit is stuck, not a statistical test suite). */
    synack_rng r;
    rng_seed(&r, 7);
    int count[64] = { 0 };
    for (int i = 0; i < 4096; i++) {
        uint64_t v = rng_next(&r);
        for (int b = 0; b < 64; b++)
            count[b] += (int)((v >> b) & 1u);
    }
    for (int b = 0; b < 64; b++) {
        CHECK(count[b] > 2048 - 260);
        CHECK(count[b] < 2048 + 260);
    }
}

TEST_MAIN()
