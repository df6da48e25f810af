/* seq.h — sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4).
 *
 * Sequence numbers wrap, so they are compared only through these helpers:
 * a < b means b lies in the 2^31 numbers after a. Nothing else in the
 * engine compares two sequence numbers with < or >. */
#ifndef SYNACK_SEQ_H
#define SYNACK_SEQ_H

#include <stdint.h>

static inline int32_t seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }
static inline int seq_lt(uint32_t a, uint32_t b)  { return seq_diff(a, b) < 0; }
static inline int seq_leq(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }
static inline int seq_gt(uint32_t a, uint32_t b)  { return seq_diff(a, b) > 0; }
static inline int seq_geq(uint32_t a, uint32_t b) { return seq_diff(a, b) >= 0; }
static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }
static inline uint32_t seq_min(uint32_t a, uint32_t b) { return seq_lt(a, b) ? a : b; }

/* lo <= x < hi, in sequence space. */
static inline int seq_in(uint32_t x, uint32_t lo, uint32_t hi)
{
    return (uint32_t)(x - lo) < (uint32_t)(hi - lo);
}

#endif
