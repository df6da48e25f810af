/* icmp.c — ICMP message validation/decoding and header emission
 * (RFC 792). The checksum covers the whole ICMP message, header and
 * body, with no pseudo-header. */
#include "wire/wire.h"

int wire_icmp_parse(const uint8_t *msg, size_t len, wire_icmp *out)
{
    if (len < WIRE_ICMP_HDR_LEN)
        return -1;
    if (wire_csum_fold(wire_csum_add(0, msg, len)) != 0)
        return -1;
    out->type = msg[0];
    out->code = msg[1];
    out->rest = wire_get32(msg + 4);
    out->body = msg + WIRE_ICMP_HDR_LEN;
    out->body_len = len - WIRE_ICMP_HDR_LEN;
    return 0;
}

size_t wire_icmp_emit(uint8_t *buf, uint8_t type, uint8_t code, uint32_t rest,
                      size_t body_len)
{
    buf[0] = type;
    buf[1] = code;
    wire_put16(buf + 2, 0);
    wire_put32(buf + 4, rest);
    wire_put16(buf + 2, wire_csum_fold(wire_csum_add(0, buf, WIRE_ICMP_HDR_LEN + body_len)));
    return WIRE_ICMP_HDR_LEN;
}
