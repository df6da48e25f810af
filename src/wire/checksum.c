/* checksum.c — the Internet checksum (RFC 1071) and the TCP/UDP
 * pseudo-header sum (RFC 9293 section 3.1).
 *
 * The one's-complement sum does not depend on byte order (RFC 1071
 * section 2, property B): we add the data as native-endian words, fold,
 * and swap the 16-bit result into network order once at the end. The main
 * loop adds four 64-bit words per iteration with end-around carry, which
 * equals adding the 16-bit words they contain (2^16 == 1 modulo
 * 0xffff). Loads go through memcpy, so any alignment is fine.
 *
 * On x86-64 CPUs with AVX2 (checked at run time) blocks of 64 (and a last 32) bytes go
 * through vector kernels instead: each 32-bit word is added into a 64-bit
 * lane, which cannot overflow for any length below 2^36 bytes and equals
 * the same one's-complement sum once the lanes are folded. The fused
 * copy+checksum runs at close to memcpy speed that way (measured on the
 * AMD EPYC of docs/BENCHMARKS.md: 29 GB/s vs 14 GB/s for the scalar
 * chains, memcpy 38 GB/s), and the payload is copied and summed once on
 * both the send and the receive path. The target attribute and
 * __builtin_cpu_supports are shared by GCC and Clang; other compilers and
 * other CPUs get the portable code. */
#include <string.h>

#include "wire/wire.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CSUM_AVX2 1
#endif

/* One's-complement 64-bit add: a carry out of bit 63 wraps to bit 0. */
static inline uint64_t add_carry64(uint64_t acc, uint64_t w)
{
    acc += w;
    return acc + (acc < w);
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint32_t load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint16_t load16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

#ifdef CSUM_AVX2
/* Largest block handed to one vector call: its lanes then hold at most
 * 2^24 additions of 32-bit words each, far from overflowing 64 bits. */
#define CSUM_AVX2_CHUNK ((size_t)1 << 30)

static int have_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}

/* One's-complement sum of the 64-bit lanes of four accumulators. */
__attribute__((target("avx2"))) static uint64_t lanes_sum(__m256i a, __m256i b, __m256i c,
                                                          __m256i d)
{
    __m256i s = _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(c, d));
    uint64_t l[4];
    memcpy(l, &s, sizeof l);
    return add_carry64(add_carry64(l[0], l[1]), add_carry64(l[2], l[3]));
}

/* Sum of the 32-byte blocks of [p, p + n), n a multiple of 32, and with
 * copy set a copy of them at d (each block stored as it is loaded). The
 * 32-bit words of each block are zero-extended into 64-bit lanes (unpack
 * with zero) and added there: no carries are lost inside the chunk.
 * Inlined into the two wrappers below, where copy is a constant. */
__attribute__((target("avx2"))) static inline uint64_t blocks_avx2(uint8_t *d, const uint8_t *p,
                                                                  size_t n, int copy)
{
    const __m256i z = _mm256_setzero_si256();
    __m256i s0 = z, s1 = z, s2 = z, s3 = z;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        __m256i w = _mm256_loadu_si256((const __m256i *)(const void *)(p + i + 32));
        if (copy) {
            _mm256_storeu_si256((__m256i *)(void *)(d + i), v);
            _mm256_storeu_si256((__m256i *)(void *)(d + i + 32), w);
        }
        s0 = _mm256_add_epi64(s0, _mm256_unpacklo_epi32(v, z));
        s1 = _mm256_add_epi64(s1, _mm256_unpackhi_epi32(v, z));
        s2 = _mm256_add_epi64(s2, _mm256_unpacklo_epi32(w, z));
        s3 = _mm256_add_epi64(s3, _mm256_unpackhi_epi32(w, z));
    }
    if (i < n) {                /* a last 32-byte half block */
        __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        if (copy)
            _mm256_storeu_si256((__m256i *)(void *)(d + i), v);
        s0 = _mm256_add_epi64(s0, _mm256_unpacklo_epi32(v, z));
        s1 = _mm256_add_epi64(s1, _mm256_unpackhi_epi32(v, z));
    }
    return lanes_sum(s0, s1, s2, s3);
}

__attribute__((target("avx2"))) static uint64_t sum_avx2(const uint8_t *p, size_t n)
{
    return blocks_avx2(NULL, p, n, 0);
}

__attribute__((target("avx2"))) static uint64_t copy_sum_avx2(uint8_t *d, const uint8_t *p,
                                                              size_t n)
{
    return blocks_avx2(d, p, n, 1);
}

/* The vector part of a sum (and copy, if d): consumes the whole 32-byte
 * blocks of *len bytes, advancing *p (and *d). Returns their sum. */
static uint64_t vector_blocks(uint8_t **d, const uint8_t **p, size_t *len)
{
    uint64_t acc = 0;
    if (*len < 128 || !have_avx2())
        return 0;
    while (*len >= 32) {
        size_t n = *len & ~(size_t)31;
        if (n > CSUM_AVX2_CHUNK)
            n = CSUM_AVX2_CHUNK;
        acc = add_carry64(acc, *d ? copy_sum_avx2(*d, *p, n) : sum_avx2(*p, n));
        if (*d)
            *d += n;
        *p += n;
        *len -= n;
    }
    return acc;
}
#else
static uint64_t vector_blocks(uint8_t **d, const uint8_t **p, size_t *len)
{
    (void)d;
    (void)p;
    (void)len;
    return 0;
}
#endif

/* Native-order sum of a short piece: its 32-bit words, a 16-bit word and
 * an odd last byte added into 64 bits, which cannot overflow below 2^34
 * bytes. RFC 1071 4.1: an odd last byte is the high byte of a word whose
 * low byte is zero; in native order that is the word {b, 0}. */
static inline uint64_t sum_short(const uint8_t *p, size_t len)
{
    uint64_t acc = 0;
    while (len >= 4) {
        acc += load32(p);
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        acc += load16(p);
        p += 2;
        len -= 2;
    }
    if (len) {
        const uint8_t last[2] = { p[0], 0 };
        acc += load16(last);
    }
    return acc;
}

/* memcpy of fewer than 32 bytes in fixed-size moves the compiler inlines
 * (the tail of a fused copy+checksum; a variable-size memcpy is a call). */
static inline void copy_short(uint8_t *d, const uint8_t *p, size_t n)
{
    if (n >= 16) {
        memcpy(d, p, 16);
        d += 16;
        p += 16;
        n -= 16;
    }
    if (n >= 8) {
        memcpy(d, p, 8);
        d += 8;
        p += 8;
        n -= 8;
    }
    if (n >= 4) {
        memcpy(d, p, 4);
        d += 4;
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        memcpy(d, p, 2);
        d += 2;
        p += 2;
        n -= 2;
    }
    if (n)
        *d = *p;
}

uint32_t wire_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    /* Headers (IPv4, TCP, ICMP) need no carry chains at all. */
    if (len < 64)
        return wire_csum_merge(sum, sum_short(p, len));

    uint8_t *nodst = NULL;
    /* Blocks of 32 bytes are an even length: the scalar rest chains on. */
    uint64_t acc = vector_blocks(&nodst, &p, &len);
    /* Four independent carry chains: the adds of one iteration do not
     * wait for each other, which is 2-3x faster than a single chain on
     * current x86 cores (measured 9 -> 25 GB/s). */
    uint64_t a1 = 0, a2 = 0, a3 = 0;
    while (len >= 32) {
        acc = add_carry64(acc, load64(p));
        a1 = add_carry64(a1, load64(p + 8));
        a2 = add_carry64(a2, load64(p + 16));
        a3 = add_carry64(a3, load64(p + 24));
        p += 32;
        len -= 32;
    }
    acc = add_carry64(add_carry64(acc, a1), add_carry64(a2, a3));
    return wire_csum_merge(sum, add_carry64(acc, sum_short(p, len)));
}

uint32_t wire_csum_copy(void *dst, const void *src, size_t len, uint32_t sum)
{
    /* The same kernels as wire_csum_add, with each word stored as it is
     * loaded: the payload is read once for copy and checksum. */
    uint8_t *d = dst;
    const uint8_t *p = src;
    uint64_t acc = vector_blocks(&d, &p, &len);
    uint64_t a1 = 0, a2 = 0, a3 = 0;
    while (len >= 32) {
        uint64_t w0 = load64(p), w1 = load64(p + 8);
        uint64_t w2 = load64(p + 16), w3 = load64(p + 24);
        memcpy(d, &w0, 8);
        memcpy(d + 8, &w1, 8);
        memcpy(d + 16, &w2, 8);
        memcpy(d + 24, &w3, 8);
        acc = add_carry64(acc, w0);
        a1 = add_carry64(a1, w1);
        a2 = add_carry64(a2, w2);
        a3 = add_carry64(a3, w3);
        d += 32;
        p += 32;
        len -= 32;
    }
    acc = add_carry64(add_carry64(acc, a1), add_carry64(a2, a3));
    copy_short(d, p, len);
    return wire_csum_merge(sum, add_carry64(acc, sum_short(p, len)));
}

uint32_t wire_csum_shift(uint32_t sum)
{
    uint32_t v = sum;
    while (v >> 16)
        v = (v & 0xffffu) + (v >> 16);
    return ((v & 0xffu) << 8) | (v >> 8);
}
