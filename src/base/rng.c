/* rng.c — xoroshiro128+ (Blackman and Vigna) with splitmix64 seeding.
 * xoroshiro needs a nonzero state; splitmix64 turns any 64-bit seed,
 * including 0, into well-mixed state words. */
#include "base/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, unsigned k)
{
    return (x << k) | (x >> (64u - k));
}

void rng_seed(synack_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    r->s[0] = splitmix64(&x);
    r->s[1] = splitmix64(&x);
    if (r->s[0] == 0 && r->s[1] == 0)
        r->s[0] = 1;    /* the all-zero state would output zeros forever */
}

uint64_t rng_next(synack_rng *r)
{
    uint64_t s0 = r->s[0], s1 = r->s[1];
    uint64_t out = s0 + s1;
    s1 ^= s0;
    r->s[0] = rotl(s0, 24) ^ s1 ^ (s1 << 16);
    r->s[1] = rotl(s1, 37);
    return out;
}
