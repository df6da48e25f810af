/* sim_rng.h — the simulator's private PRNG (splitmix64).
 *
 * Deliberately separate from the stack's generator so a change in either
 * never shifts the other's stream. splitmix64 passes BigCrush, needs one
 * word of state and accepts any seed, including 0. */
#ifndef SYNACK_SIM_RNG_H
#define SYNACK_SIM_RNG_H

#include <stdint.h>

typedef struct sim_rng {
    uint64_t state;
} sim_rng;

static inline void sim_rng_seed(sim_rng *r, uint64_t seed)
{
    r->state = seed;
}

static inline uint64_t sim_rng_next(sim_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1): the top 53 bits as a double. */
static inline double sim_rng_unit(sim_rng *r)
{
    return (double)(sim_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [0, bound) for bound > 0, without modulo bias: draws below
 * 2^64 mod bound are rejected (at most a handful for any bound). */
static inline uint64_t sim_rng_below(sim_rng *r, uint64_t bound)
{
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t x = sim_rng_next(r);
        if (x >= threshold)
            return x % bound;
    }
}

#endif
