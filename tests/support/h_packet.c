/* h_packet.c — IPv4+TCP datagram builder and strict decoder for tests
 * (see h_packet.h); all encoding goes through the wire codecs. */
#include "h_packet.h"

#include <stdio.h>
#include <string.h>

#include "h_spec.h"
#include "wire/wire.h"

/* Names of the reasons the wire parsers give. Kept here rather than
 * calling synack_drop_name so this file links without the engine. */
static const char *wire_reason(synack_drop d)
{
    static const char *const names[] = {
        [SYNACK_DROP_IP_TRUNCATED] = "ip-truncated", [SYNACK_DROP_IP_VERSION] = "ip-version",
        [SYNACK_DROP_IP_HDRLEN] = "ip-hdrlen", [SYNACK_DROP_IP_TOTLEN] = "ip-totlen",
        [SYNACK_DROP_IP_CHECKSUM] = "ip-checksum", [SYNACK_DROP_IP_FRAGMENT] = "ip-fragment",
        [SYNACK_DROP_IP_NOT_FOR_US] = "ip-not-for-us", [SYNACK_DROP_IP_PROTOCOL] = "ip-protocol",
        [SYNACK_DROP_IP_BAD_SOURCE] = "ip-bad-source",
        [SYNACK_DROP_TCP_TRUNCATED] = "tcp-truncated", [SYNACK_DROP_TCP_HDRLEN] = "tcp-hdrlen",
        [SYNACK_DROP_TCP_CHECKSUM] = "tcp-checksum", [SYNACK_DROP_TCP_OPTION] = "tcp-option",
    };
    if ((unsigned)d < sizeof names / sizeof names[0] && names[d])
        return names[d];
    return "other";
}

size_t h_build_datagram(uint8_t *buf, size_t cap, const synack_segment *seg,
                        const uint8_t *payload)
{
    size_t th = wire_tcp_hdr_len(seg);
    size_t total = WIRE_IPV4_HDR_LEN + th + seg->len;
    if (total > cap || total > 65535)
        return 0;
    uint8_t *data = buf + WIRE_IPV4_HDR_LEN + th;
    if (payload)
        memcpy(data, payload, seg->len);
    else
        h_pattern_fill(seg->seq, data, seg->len);
    wire_tcp_emit(buf + WIRE_IPV4_HDR_LEN, seg);
    wire_ipv4_emit(buf, seg->saddr, seg->daddr, WIRE_PROTO_TCP, 64, 0, th + seg->len);
    return total;
}

int h_parse_datagram(const uint8_t *pkt, size_t len, synack_segment *seg,
                     const uint8_t **payload, char *why, size_t whylen)
{
    wire_ipv4 ip;
    synack_drop drop;
    if (wire_ipv4_parse(pkt, len, &ip, &drop) < 0) {
        snprintf(why, whylen, "invalid IPv4 datagram (%s), %zu bytes", wire_reason(drop), len);
        return -1;
    }
    if (ip.total_len != len) {
        snprintf(why, whylen, "IPv4 total length %u but %zu bytes sent", ip.total_len, len);
        return -1;
    }
    if (ip.frag || ip.mf) {
        snprintf(why, whylen, "IPv4 fragment (offset %u, MF %u)", ip.frag, ip.mf);
        return -1;
    }
    if (ip.proto != WIRE_PROTO_TCP) {
        if (ip.proto == WIRE_PROTO_ICMP && ip.payload_len >= 2)
            snprintf(why, whylen, "not TCP: ICMP type %u code %u", ip.payload[0], ip.payload[1]);
        else
            snprintf(why, whylen, "not TCP: IP protocol %u", ip.proto);
        return -1;
    }
    if (wire_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, seg, payload, &drop) < 0) {
        snprintf(why, whylen, "invalid TCP segment (%s)", wire_reason(drop));
        return -1;
    }
    return 0;
}
