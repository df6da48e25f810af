/* wire.h — pure codecs for IPv4, TCP (with options) and ICMP, and the
 * Internet checksum. No state, no allocation, no I/O.
 *
 * Parsers take untrusted bytes and a length, check every bound before
 * reading, and either fill a small validated struct or report why the
 * input is malformed (a synack_drop reason). Emitters write into a buffer
 * the caller sized. The engine never touches raw header bytes itself. */
#ifndef SYNACK_WIRE_H
#define SYNACK_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "synack.h"

#define WIRE_IPV4_HDR_LEN   20u
#define WIRE_TCP_HDR_LEN    20u
#define WIRE_TCP_MAX_OPTS   40u
#define WIRE_ICMP_HDR_LEN   8u

#define WIRE_PROTO_ICMP 1
#define WIRE_PROTO_TCP  6
#define WIRE_PROTO_UDP  17

/* ------------------------------------------------------------ checksum */

/* Adds len bytes to a running one's-complement sum (RFC 1071). Bytes are
 * taken as big-endian 16-bit words; an odd final byte is padded with zero.
 * Sums of pieces may be chained only if every piece but the last has even
 * length. */
uint32_t wire_csum_add(uint32_t sum, const void *data, size_t len);

/* Copies len bytes from src to dst and adds them to sum (as
 * wire_csum_add over the copy would), reading them only once. */
uint32_t wire_csum_copy(void *dst, const void *src, size_t len, uint32_t sum);

/* The running sum of a piece that starts at an odd offset of the data:
 * pass the piece's own sum; add the result to the sum of what precedes
 * it (RFC 1071 section 2 (B): a byte-swapped sum). */
uint32_t wire_csum_shift(uint32_t sum);

/* Folds a running sum to 16 bits and complements it: the value to store
 * in a checksum field (host byte order). Inline, as the helpers below:
 * every datagram in and out needs a few of them (a call each cost more
 * than the arithmetic). */
static inline uint16_t wire_csum_fold(uint32_t sum)
{
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);    /* at most 0xffff after two */
    return (uint16_t)~sum;
}

/* The running sum of the TCP/UDP pseudo-header (RFC 9293 3.1): source,
 * destination, zero byte + protocol, TCP length. Each term is below
 * 2^17, so the 32-bit sum cannot overflow. */
static inline uint32_t wire_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint32_t len)
{
    return (src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu) + proto + (len >> 16) +
           (len & 0xffffu);
}

/* Whether native 16-bit words hold the first byte in their low half. A
 * compile-time constant with GCC/Clang; the memcpy probe is the portable
 * fallback and folds to a constant as well. */
static inline int wire_host_is_little_endian(void)
{
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
    return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
#else
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 1;
#endif
}

/* Adds a native-order 64-bit partial sum (words loaded in host order) to
 * a running sum in network order, with end-around carry, so the result
 * never overflows 32 bits. */
static inline uint32_t wire_csum_merge(uint32_t sum, uint64_t acc)
{
    /* 64 -> 32 bits with end-around carry (2^32 == 1 modulo 0xffff). */
    uint32_t hi = (uint32_t)(acc >> 32);
    uint32_t part = (uint32_t)acc + hi;
    part += part < hi;
    /* Native to network order: swapping all four bytes equals swapping
     * the bytes of the 16-bit fold (x * 2^8 modulo 0xffff either way,
     * RFC 1071 2 (B)), without folding first. A nonzero sum stays
     * nonzero throughout. */
    if (wire_host_is_little_endian())
        part = ((part & 0xffu) << 24) | ((part & 0xff00u) << 8) | ((part >> 8) & 0xff00u) |
               (part >> 24);
    uint32_t total = sum + part;
    total += total < part;
    return total;
}

/* wire_csum_add for a header: len a multiple of 4 and at most 60 (an
 * IPv4 or TCP header with options). Inline, so a header sum is a few
 * loads and adds instead of a call into the general loop: 64-bit words
 * with end-around carry (2^64 == 1 modulo 0xffff; a short loop the
 * compiler keeps scalar), then a last 32-bit word if len is not a
 * multiple of 8. */
static inline uint32_t wire_csum_hdr(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, sizeof w);
        acc += w;
        acc += acc < w;
    }
    if (i < len) {
        uint32_t w;
        memcpy(&w, p + i, sizeof w);
        acc += w;
        acc += acc < w;
    }
    return wire_csum_merge(sum, acc);
}

/* ---------------------------------------------------------------- IPv4 */

typedef struct wire_ipv4 {
    uint32_t src, dst;
    uint8_t  tos, ttl, proto;
    uint16_t id;
    uint16_t frag;          /* fragment offset in 8-byte units */
    uint8_t  df, mf;        /* don't fragment / more fragments */
    uint16_t hdr_len;       /* IHL * 4, options included */
    uint16_t total_len;     /* from the header, <= bytes given */
    const uint8_t *payload; /* points into the parsed buffer */
    size_t payload_len;     /* total_len - hdr_len */
} wire_ipv4;

/* Validates and decodes an IPv4 header: version 4, IHL >= 5 and within
 * len, total length within [IHL*4, len] (bytes beyond total length, e.g.
 * Ethernet padding, are ignored), header checksum. Options are skipped.
 * Returns 0, or -1 with *why set. Fragments parse fine; the caller decides. */
int wire_ipv4_parse(const uint8_t *pkt, size_t len, wire_ipv4 *out, synack_drop *why);

/* Writes a 20-byte header (no options) for a datagram carrying
 * payload_len bytes, with DF set, the given id and ttl, and its checksum.
 * buf must have room for WIRE_IPV4_HDR_LEN bytes. Returns 20. */
size_t wire_ipv4_emit(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto,
                      uint8_t ttl, uint16_t id, size_t payload_len);

/* ----------------------------------------------------------------- TCP */

/* Decodes TCP options (RFC 9293 3.2, RFC 7323, RFC 2018). EOL ends the
 * list; NOP is skipped; known options must have their exact length (MSS 4,
 * WS 3, SACK-permitted 2, TS 10, SACK 2+8n with n 1..4); unknown options are
 * skipped by their length, which must be >= 2 and within the list.
 * Returns 0, or -1 on a malformed list. */
int wire_tcp_opts_parse(const uint8_t *opts, size_t len, synack_tcp_opts *out);

/* Bytes the options in o take on the wire, padded to a multiple of 4.
 * Layout (fixed, so tests can predict it): MSS; then SACK-permitted+TS as
 * one 12-byte block, or NOP NOP TS, or NOP NOP SACK-permitted; then NOP WS;
 * then NOP NOP SACK blocks. At most WIRE_TCP_MAX_OPTS: SACK blocks that do
 * not fit are dropped from the end. */
size_t wire_tcp_opts_len(const synack_tcp_opts *o);

/* Validates and decodes a TCP segment carried in an IPv4 datagram from
 * src to dst: length >= 20, data offset in [5, len/4], checksum over the
 * pseudo-header, options well formed. Fills out (addresses, ports, seq,
 * ack, flags, window, urgent pointer, payload length, options) and
 * *payload. Returns 0, or -1 with *why set. */
int wire_tcp_parse(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst,
                   synack_segment *out, const uint8_t **payload, synack_drop *why);

/* wire_tcp_parse, but with verify_csum = 0 the checksum is not checked
 * (the device already did; see SYNACK_IN_CSUM_VALID). */
int wire_tcp_decode(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst,
                    synack_segment *out, const uint8_t **payload, synack_drop *why,
                    int verify_csum);

/* wire_tcp_decode for a receiver that finishes the checksum itself while
 * it copies the payload (the fused receive path): *hdr_sum gets the
 * running sum of the pseudo-header and the TCP header, and the segment is
 * valid only if wire_csum_fold(hdr_sum chained with the payload's sum)
 * is 0 — the caller must check that before acting on anything in *out.
 * With malformed options the whole checksum is checked here first, so a
 * corrupt segment is reported as tcp-checksum as wire_tcp_decode would. */
int wire_tcp_decode_deferred(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst,
                             synack_segment *out, const uint8_t **payload, synack_drop *why,
                             uint32_t *hdr_sum);

/* Header length (20 + options) that wire_tcp_emit will write for seg. */
size_t wire_tcp_hdr_len(const synack_segment *seg);

/* Writes the TCP header and options for seg at buf and sets its checksum
 * over the header, seg->len payload bytes that the caller already placed
 * right after the header, and the pseudo-header (seg->saddr/daddr).
 * Returns the header length. */
size_t wire_tcp_emit(uint8_t *buf, const synack_segment *seg);

/* The two halves of a header emission whose payload sum the caller has
 * (it copied the payload with wire_csum_copy) / whose checksum a device
 * completes (checksum offload, Linux CHECKSUM_PARTIAL), for a
 * caller that places the payload after writing the header (and so needs
 * the header length once, not twice): wire_tcp_emit_hdr writes header and
 * options with a zero checksum field and returns the header length hl;
 * wire_tcp_finish_sum then sets the checksum from the payload's running
 * sum (seg->len bytes, not read), wire_tcp_finish_partial the folded
 * pseudo-header sum for checksum offload. */
size_t wire_tcp_emit_hdr(uint8_t *buf, const synack_segment *seg);
void wire_tcp_finish_sum(uint8_t *buf, const synack_segment *seg, size_t hl, uint32_t payload_sum);
void wire_tcp_finish_partial(uint8_t *buf, const synack_segment *seg, size_t hl);

/* ---------------------------------------------------------------- ICMP */

#define WIRE_ICMP_ECHO_REPLY   0
#define WIRE_ICMP_UNREACH      3
#define WIRE_ICMP_ECHO_REQUEST 8
#define WIRE_ICMP_TIME_EXCEEDED 11

typedef struct wire_icmp {
    uint8_t  type, code;
    uint32_t rest;              /* bytes 4..7 (id/seq for echo, MTU...) */
    const uint8_t *body;        /* after the 8-byte header */
    size_t body_len;
} wire_icmp;

/* Validates length (>= 8) and checksum. Returns 0 or -1. */
int wire_icmp_parse(const uint8_t *msg, size_t len, wire_icmp *out);

/* Writes an 8-byte ICMP header at buf followed by nothing; the caller has
 * placed body_len bytes right after it. Computes the checksum over both.
 * Returns 8. */
size_t wire_icmp_emit(uint8_t *buf, uint8_t type, uint8_t code, uint32_t rest,
                      size_t body_len);

/* Big-endian loads/stores, bounds are the caller's. With GCC/Clang on a
 * little-endian host each is one load or store and a byte swap; the
 * byte-by-byte form elsewhere (the compiler's store merging turned runs
 * of them into long shift-and-or chains building one wide store). */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline uint16_t wire_get16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return __builtin_bswap16(v);
}
static inline uint32_t wire_get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return __builtin_bswap32(v);
}
static inline void wire_put16(uint8_t *p, uint16_t v)
{
    v = __builtin_bswap16(v);
    memcpy(p, &v, sizeof v);
}
static inline void wire_put32(uint8_t *p, uint32_t v)
{
    v = __builtin_bswap32(v);
    memcpy(p, &v, sizeof v);
}
#else
static inline uint16_t wire_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t wire_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wire_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void wire_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
#endif

#endif
