/* fault_corrupt.c — the corruption step of the fault layer: copy the
 * datagram, make sure the receiver will verify a checksum that covers the
 * bit about to flip, flip it.
 *
 * Why the checksum work: with offloads a receiver trusts what its device
 * vouched for. Linux accepts a TUN packet marked "checksum partial"
 * without checking it, and synack skips the check of packets flagged
 * SYNACK_IN_CSUM_VALID. A flipped bit in such a packet would be delivered
 * as data. Completing the checksum first (as the device would) and
 * dropping the mark makes the receiver verify it, and a single-bit change
 * always changes a one's-complement sum (RFC 1071), so the datagram is
 * dropped. */
#include "fault/fault_internal.h"

#include <stdlib.h>
#include <string.h>

#define PROTO_TCP 6

/* One's-complement sum of big-endian 16-bit words (RFC 1071), unfolded;
 * an odd last byte is padded with zero. 64 bits never overflow here. */
static uint64_t sum16(uint64_t sum, const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        sum += (uint64_t)p[i] << 8 | p[i + 1];
    if (i < n)
        sum += (uint64_t)p[i] << 8;
    return sum;
}

/* The value for a checksum field: folded to 16 bits and complemented. */
static uint16_t fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Writes the full TCP checksum (RFC 9293 3.1: pseudo-header + segment) of
 * an IPv4 datagram in place. Returns 0, or -1 if it is not a well-formed
 * unfragmented IPv4/TCP datagram (it is then left alone). */
static int complete_tcp(uint8_t *p, size_t len)
{
    if (len < 20 || p[0] >> 4 != 4)
        return -1;
    size_t ihl = (size_t)(p[0] & 15u) * 4u;
    size_t total = (size_t)p[2] << 8 | p[3];
    if (ihl < 20 || total > len || total < ihl + 20 || p[9] != PROTO_TCP)
        return -1;
    if ((p[6] & 0x3fu) || p[7])     /* MF or a fragment offset */
        return -1;
    size_t tcplen = total - ihl;
    uint8_t *t = p + ihl;
    put16(t + 16, 0);
    uint64_t sum = sum16(0, p + 12, 8);         /* source, destination */
    sum += PROTO_TCP + (uint64_t)tcplen;
    put16(t + 16, fold(sum16(sum, t, tcplen)));
    return 0;
}

/* Completes a partial checksum as a device does: the field already holds
 * the pseudo-header sum; sum from csum_start to the end, store the
 * complement. Returns 0, or -1 if the offsets do not fit the datagram. */
static int complete_partial(uint8_t *p, size_t len, const synack_tx_info *info)
{
    size_t start = info->csum_start, at = start + info->csum_offset;
    if (start > len || at + 2 > len)
        return -1;
    put16(p + at, fold(sum16(0, p + start, len - start)));
    return 0;
}

uint8_t *fault_corrupt_copy(sim_rng *rng, fault_dir dir, const uint8_t *pkt, size_t len,
                            synack_tx_info *info, unsigned *in_flags)
{
    uint8_t *c = malloc(len ? len : 1);
    if (!c)
        return NULL;
    memcpy(c, pkt, len);
    size_t span = len;      /* bytes the flipped bit may come from */
    if (dir == FAULT_IN && (*in_flags & SYNACK_IN_CSUM_VALID)) {
        /* Not TCP (or malformed): the flag is about TCP checksums only,
         * and synack checks everything else itself. */
        complete_tcp(c, len);
        *in_flags &= ~SYNACK_IN_CSUM_VALID;
    } else if (dir == FAULT_OUT && info && info->csum_partial) {
        if (info->gso_size == 0 && complete_partial(c, len, info) == 0) {
            memset(info, 0, sizeof *info);
        } else {
            /* A super-segment stays partial: only its IPv4 header is
             * checked by the receiver after the device cut it. */
            size_t ihl = len ? (size_t)(c[0] & 15u) * 4u : 0;
            span = ihl >= 20 && ihl <= len ? ihl : (len < 20 ? len : 20);
        }
    }
    if (span == 0)
        return c;
    size_t bit = (size_t)sim_rng_below(rng, (uint64_t)span * 8u);
    c[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
    return c;
}
