/* siphash.c — SipHash-2-4: two compression rounds per 8-byte message
 * word, four finalization rounds, 64-bit output. Written from the
 * algorithm description in the SipHash paper; byte order is explicit
 * (little-endian loads) so no host assumption is made. */
#include "base/siphash.h"

static inline uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64u - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8u * i);
    return v;
}

typedef struct { uint64_t v0, v1, v2, v3; } sip_state;

static void sip_round(sip_state *s)
{
    s->v0 += s->v1; s->v1 = rotl(s->v1, 13); s->v1 ^= s->v0; s->v0 = rotl(s->v0, 32);
    s->v2 += s->v3; s->v3 = rotl(s->v3, 16); s->v3 ^= s->v2;
    s->v0 += s->v3; s->v3 = rotl(s->v3, 21); s->v3 ^= s->v0;
    s->v2 += s->v1; s->v1 = rotl(s->v1, 17); s->v1 ^= s->v2; s->v2 = rotl(s->v2, 32);
}

static void sip_absorb(sip_state *s, uint64_t m)
{
    s->v3 ^= m;
    sip_round(s);
    sip_round(s);
    s->v0 ^= m;
}

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    /* Initialization constants: "somepseudorandomlygeneratedbytes". */
    sip_state s = {
        k0 ^ 0x736f6d6570736575ull,
        k1 ^ 0x646f72616e646f6dull,
        k0 ^ 0x6c7967656e657261ull,
        k1 ^ 0x7465646279746573ull,
    };

    size_t left = len;
    while (left >= 8) {
        sip_absorb(&s, load_le64(p));
        p += 8;
        left -= 8;
    }
    /* Last word: the remaining 0..7 bytes, and len mod 256 in the top
     * byte. */
    uint64_t last = (uint64_t)(len & 0xffu) << 56;
    for (size_t i = 0; i < left; i++)
        last |= (uint64_t)p[i] << (8u * i);
    sip_absorb(&s, last);

    s.v2 ^= 0xff;
    for (int i = 0; i < 4; i++)
        sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
