/* rng.h — a small deterministic PRNG (xoroshiro128+, seeded through
 * splitmix64). The stack uses it when the application gives no random
 * hook, so simulator runs with the same seed are identical. Not
 * cryptographic: anything an attacker must not guess (ISNs, cookies) goes
 * through siphash24 with a secret key instead. */
#ifndef SYNACK_RNG_H
#define SYNACK_RNG_H

#include <stdint.h>

typedef struct { uint64_t s[2]; } synack_rng;

/* Any seed works, including 0: splitmix64 spreads it over both state
 * words, which are never both zero. */
void rng_seed(synack_rng *r, uint64_t seed);

/* The next 64-bit value. */
uint64_t rng_next(synack_rng *r);

#endif
