/* siphash.c — SipHash-2-4: two compression rounds per 8-byte message
 * word, four finalization rounds, 64-bit output. Written from the
 * algorithm description in the SipHash paper; byte order is explicit
 * (little-endian loads) so no host assumption is made.
 *
 * It runs twice per connection (the RFC 6528 ISN of each end), so the
 * state lives in four locals and the rounds are a macro: the compiler
 * keeps everything in registers, which a struct passed to a round
 * function did not get. */
#include "base/siphash.h"

#include <string.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64u - (b))))

#define SIPROUND                                                           \
    do {                                                                   \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);          \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                             \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                             \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);          \
    } while (0)

static inline uint64_t load_le64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);       /* host order is the wire order here */
    return v;
#else
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8u * i);
    return v;
#endif
}

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    /* Initialization constants: "somepseudorandomlygeneratedbytes". */
    uint64_t v0 = k0 ^ 0x736f6d6570736575ull;
    uint64_t v1 = k1 ^ 0x646f72616e646f6dull;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ull;
    uint64_t v3 = k1 ^ 0x7465646279746573ull;

    size_t left = len;
    while (left >= 8) {
        uint64_t m = load_le64(p);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
        p += 8;
        left -= 8;
    }
    /* Last word: the remaining 0..7 bytes, and len mod 256 in the top
     * byte. */
    uint64_t last = (uint64_t)(len & 0xffu) << 56;
    for (size_t i = 0; i < left; i++)
        last |= (uint64_t)p[i] << (8u * i);
    v3 ^= last;
    SIPROUND;
    SIPROUND;
    v0 ^= last;

    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}
