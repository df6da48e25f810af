/* tcp.c — TCP header validation/decoding and emission (RFC 9293 3.1).
 *
 * Parsing order matters: lengths first (so every later read is in
 * bounds), then the checksum over pseudo-header, header and payload, and
 * only then the options — nothing from an unverified segment is trusted.
 * The deferred variant leaves the payload's part of the checksum to the
 * caller (which sums it while copying the payload to its place) and must
 * not act on the segment before it has checked it.
 * On failure the fixed header fields are decoded into *out when the header
 * length was valid (so a drop can be traced with ports and flags); they
 * remain unverified and the options stay zeroed. */
#include <string.h>

#include "wire/tcp_opts.h"
#include "wire/wire.h"

static int fail(synack_drop *why, synack_drop reason)
{
    if (why)
        *why = reason;
    return -1;
}

int wire_tcp_parse(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst,
                   synack_segment *out, const uint8_t **payload, synack_drop *why)
{
    return wire_tcp_decode(seg, len, src, dst, out, payload, why, 1);
}

/* What decode does about the checksum. */
enum csum_mode { CSUM_SKIP, CSUM_VERIFY, CSUM_DEFER };

static int csum_ok(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
    uint32_t sum = wire_csum_pseudo(src, dst, WIRE_PROTO_TCP, (uint32_t)len);
    return wire_csum_fold(wire_csum_add(sum, seg, len)) == 0;
}

static int decode(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst,
                  synack_segment *out, const uint8_t **payload, synack_drop *why,
                  enum csum_mode mode, uint32_t *hdr_sum)
{
    memset(out, 0, sizeof *out);
    if (payload)
        *payload = NULL;
    if (len < WIRE_TCP_HDR_LEN)
        return fail(why, SYNACK_DROP_TCP_TRUNCATED);
    size_t hl = (size_t)(seg[12] >> 4) * 4u;
    if (hl < WIRE_TCP_HDR_LEN || hl > len)
        return fail(why, SYNACK_DROP_TCP_HDRLEN);

    out->saddr = src;
    out->daddr = dst;
    out->sport = wire_get16(seg);
    out->dport = wire_get16(seg + 2);
    out->seq = wire_get32(seg + 4);
    out->ack = wire_get32(seg + 8);
    /* The low 4 bits of byte 12 are reserved (RFC 9293 3.1) and ignored;
     * byte 13 holds CWR ECE URG ACK PSH RST SYN FIN, as SYNACK_TCP_*. */
    out->flags = seg[13];
    out->wnd = wire_get16(seg + 14);
    out->urg = wire_get16(seg + 18);
    out->len = (uint32_t)(len - hl);

    if (mode == CSUM_VERIFY && !csum_ok(seg, len, src, dst))
        return fail(why, SYNACK_DROP_TCP_CHECKSUM);
    if (wire_tcp_opts_parse(seg + WIRE_TCP_HDR_LEN, hl - WIRE_TCP_HDR_LEN, &out->opts) != 0) {
        /* A deferred check still comes first: a corrupt segment is a
         * checksum drop whatever its options look like. */
        if (mode == CSUM_DEFER && !csum_ok(seg, len, src, dst))
            return fail(why, SYNACK_DROP_TCP_CHECKSUM);
        return fail(why, SYNACK_DROP_TCP_OPTION);
    }
    if (mode == CSUM_DEFER) {
        /* hl is a multiple of 4, so the payload's sum chains on. */
        uint32_t sum = wire_csum_pseudo(src, dst, WIRE_PROTO_TCP, (uint32_t)len);
        *hdr_sum = wire_csum_hdr(sum, seg, hl);
    }
    if (payload)
        *payload = seg + hl;
    return 0;
}

int wire_tcp_decode(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst,
                    synack_segment *out, const uint8_t **payload, synack_drop *why,
                    int verify_csum)
{
    return decode(seg, len, src, dst, out, payload, why, verify_csum ? CSUM_VERIFY : CSUM_SKIP,
                  NULL);
}

int wire_tcp_decode_deferred(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst,
                             synack_segment *out, const uint8_t **payload, synack_drop *why,
                             uint32_t *hdr_sum)
{
    return decode(seg, len, src, dst, out, payload, why, CSUM_DEFER, hdr_sum);
}

size_t wire_tcp_hdr_len(const synack_segment *seg)
{
    return WIRE_TCP_HDR_LEN + wire_tcp_opts_len(&seg->opts);
}

static size_t emit_header(uint8_t *buf, const synack_segment *seg)
{
    size_t hl = WIRE_TCP_HDR_LEN + wire_tcp_opts_emit(buf + WIRE_TCP_HDR_LEN, &seg->opts);
    wire_put16(buf, seg->sport);
    wire_put16(buf + 2, seg->dport);
    wire_put32(buf + 4, seg->seq);
    wire_put32(buf + 8, seg->ack);
    buf[12] = (uint8_t)((hl / 4u) << 4);
    buf[13] = seg->flags;
    wire_put16(buf + 14, seg->wnd);
    wire_put16(buf + 16, 0);
    wire_put16(buf + 18, seg->urg);
    return hl;
}

size_t wire_tcp_emit(uint8_t *buf, const synack_segment *seg)
{
    size_t hl = emit_header(buf, seg);
    /* RFC 9293 3.1: the checksum covers the pseudo-header, the header
     * and the payload the caller placed right after the header. */
    size_t total = hl + seg->len;
    uint32_t sum = wire_csum_pseudo(seg->saddr, seg->daddr, WIRE_PROTO_TCP, (uint32_t)total);
    wire_put16(buf + 16, wire_csum_fold(wire_csum_add(sum, buf, total)));
    return hl;
}

size_t wire_tcp_emit_hdr(uint8_t *buf, const synack_segment *seg)
{
    return emit_header(buf, seg);
}

void wire_tcp_finish_sum(uint8_t *buf, const synack_segment *seg, size_t hl, uint32_t payload_sum)
{
    uint32_t sum = wire_csum_pseudo(seg->saddr, seg->daddr, WIRE_PROTO_TCP,
                                    (uint32_t)(hl + seg->len));
    sum = wire_csum_hdr(sum, buf, hl);
    uint64_t total = (uint64_t)sum + payload_sum;
    total = (total & 0xffffffffu) + (total >> 32);
    wire_put16(buf + 16, wire_csum_fold((uint32_t)total));
}

void wire_tcp_finish_partial(uint8_t *buf, const synack_segment *seg, size_t hl)
{
    uint32_t sum = wire_csum_pseudo(seg->saddr, seg->daddr, WIRE_PROTO_TCP,
                                    (uint32_t)(hl + seg->len));
    wire_put16(buf + 16, (uint16_t)~wire_csum_fold(sum));
}

