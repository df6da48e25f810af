/* ipv4.c — IPv4 header validation/decoding and emission (RFC 791).
 *
 * Parsing checks, in order, exactly the conditions that have a drop reason
 * in synack.h, so the caller can count and trace why a datagram died:
 * truncated, version, header length, total length, header checksum.
 * Options (IHL > 5) are validated only as part of the checksum and are
 * otherwise skipped; nothing in synack acts on IP options. */
#include "wire/wire.h"

#define IP_FLAG_DF 0x4000u   /* RFC 791 3.1: bit 1 of the flags field */
#define IP_FLAG_MF 0x2000u   /* bit 2 */
#define IP_FRAG_MASK 0x1fffu /* 13-bit fragment offset, 8-byte units */

int wire_ipv4_parse(const uint8_t *pkt, size_t len, wire_ipv4 *out, synack_drop *why)
{
    if (len < WIRE_IPV4_HDR_LEN) {
        *why = SYNACK_DROP_IP_TRUNCATED;
        return -1;
    }
    if ((pkt[0] >> 4) != 4) {
        *why = SYNACK_DROP_IP_VERSION;
        return -1;
    }
    size_t hl = (size_t)(pkt[0] & 0x0fu) * 4u;
    if (hl < WIRE_IPV4_HDR_LEN || hl > len) {
        *why = SYNACK_DROP_IP_HDRLEN;
        return -1;
    }
    size_t total = wire_get16(pkt + 2);
    /* Bytes after total_len (link-layer padding) are not ours to read. */
    if (total < hl || total > len) {
        *why = SYNACK_DROP_IP_TOTLEN;
        return -1;
    }
    /* RFC 791 3.1 / RFC 1071: the sum over a correct header, checksum
     * field included, is all ones, so the folded complement is zero. */
    if (wire_csum_fold(wire_csum_hdr(0, pkt, hl)) != 0) {
        *why = SYNACK_DROP_IP_CHECKSUM;
        return -1;
    }

    uint16_t frag = wire_get16(pkt + 6);
    out->tos = pkt[1];
    out->total_len = (uint16_t)total;
    out->id = wire_get16(pkt + 4);
    out->df = (frag & IP_FLAG_DF) != 0;
    out->mf = (frag & IP_FLAG_MF) != 0;
    out->frag = (uint16_t)(frag & IP_FRAG_MASK);
    out->ttl = pkt[8];
    out->proto = pkt[9];
    out->src = wire_get32(pkt + 12);
    out->dst = wire_get32(pkt + 16);
    out->hdr_len = (uint16_t)hl;
    out->payload = pkt + hl;
    out->payload_len = total - hl;
    return 0;
}

size_t wire_ipv4_emit(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t proto,
                      uint8_t ttl, uint16_t id, size_t payload_len)
{
    buf[0] = 0x45;                      /* version 4, IHL 5 */
    buf[1] = 0;                         /* TOS / DSCP+ECN: not used */
    wire_put16(buf + 2, (uint16_t)(WIRE_IPV4_HDR_LEN + payload_len));
    wire_put16(buf + 4, id);
    /* DF always: synack does path-MTU-friendly segmentation itself and
     * never wants routers to fragment (RFC 1191). */
    wire_put16(buf + 6, IP_FLAG_DF);
    buf[8] = ttl;
    buf[9] = proto;
    wire_put32(buf + 12, src);
    wire_put32(buf + 16, dst);
    /* RFC 791 3.1 / RFC 1071: the header checksum, summed from the field
     * values rather than read back from the buffer — the same 16-bit
     * words (the checksum field itself counts as zero), so the same
     * result as wire_csum_add over the header, in a few additions. */
    uint32_t sum = 0x4500u + (uint32_t)(uint16_t)(WIRE_IPV4_HDR_LEN + payload_len) + id +
                   IP_FLAG_DF + ((uint32_t)ttl << 8 | proto) + (src >> 16) + (src & 0xffffu) +
                   (dst >> 16) + (dst & 0xffffu);
    wire_put16(buf + 10, wire_csum_fold(sum));
    return WIRE_IPV4_HDR_LEN;
}
