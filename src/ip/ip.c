/* ip.c — IPv4 input and output, and ICMP: echo replies, and errors about
 * our TCP segments handed to TCP (tcp/tcp_icmp.c).
 *
 * Input validates the datagram (wire_ipv4_parse), refuses what is not for
 * us, and hands TCP segments to tcp_input and ICMP to icmp_input.
 * Fragments go to the reassembler (reasm.c, bounded in memory and time);
 * a completed datagram is processed like any other. With reassembly off
 * (cfg.reasm_max_bytes 0) fragments are dropped and counted. Output wraps
 * a payload already placed in the stack's transmit buffer. */
#include "stack_impl.h"

#include <string.h>

#include "ip/reasm.h"
#include "tcp/tcp_icmp.h"
#include "wire/wire.h"

#define IP_TTL 64

uint8_t *ip_tx_begin(synack_stack *s)
{
    uint8_t *b = s->cfg.tx_buffer ? s->cfg.tx_buffer(s->cfg.tx_ctx, s->tx_cap) : NULL;
    s->txcur = b ? b : s->txbuf;
    return s->txcur + WIRE_IPV4_HDR_LEN;
}

void ip_output(synack_stack *s, uint32_t dst, uint8_t proto, size_t payload_len,
               synack_tx_info *info)
{
    uint8_t *pkt = s->txcur;
    size_t n = wire_ipv4_emit(pkt, s->cfg.addr, dst, proto, IP_TTL, s->ip_id++, payload_len);
    s->stats.ip_out++;
    if (s->cfg.tx_offload) {
        synack_tx_info none = { 0, 0, 0, 0 };
        if (!info)
            info = &none;
        info->csum_start = (uint16_t)n;
        s->cfg.tx_offload(s->cfg.tx_ctx, pkt, n + payload_len, info);
        return;
    }
    s->cfg.tx(s->cfg.tx_ctx, pkt, n + payload_len);
}

/* RFC 1122 3.2.1.3: a source that is broadcast, multicast or zero is
 * never a valid peer. Loopback is allowed (tests may use it). */
static int bad_source(uint32_t a)
{
    return a == 0 || a == 0xFFFFFFFFu || (a >> 28) == 0xE || (a >> 28) == 0xF;
}

static void drop_raw(synack_stack *s, synack_drop why)
{
    stack_drop(s, why, NULL, NULL);
}

/* An ICMP destination unreachable or time exceeded message: its body
 * quotes the IPv4 header and at least the first 8 bytes of the datagram
 * that caused it (RFC 792; RFC 1812 4.3.2.3 allows more). Only errors
 * about TCP segments we sent concern us. Returns 0 or 1 (dropped). */
static int icmp_error(synack_stack *s, const wire_icmp *m)
{
    const uint8_t *q = m->body;
    size_t n = m->body_len;
    /* The quoted header's total length and checksum describe the
     * original datagram, of which only a part is here: check only what
     * we use, and that it is all present. */
    if (n < WIRE_IPV4_HDR_LEN || (q[0] >> 4) != 4) {
        drop_raw(s, SYNACK_DROP_ICMP_MALFORMED);
        return 1;
    }
    size_t ihl = (size_t)(q[0] & 15) * 4u;
    if (ihl < WIRE_IPV4_HDR_LEN || n < ihl + 8) {
        drop_raw(s, SYNACK_DROP_ICMP_MALFORMED);
        return 1;
    }
    if (q[9] != WIRE_PROTO_TCP || wire_get32(q + 12) != s->cfg.addr) {
        drop_raw(s, SYNACK_DROP_ICMP_NO_CONN);     /* not a segment of ours */
        return 1;
    }
    const uint8_t *th = q + ihl;
    tcp_icmp_err e;
    e.type = m->type;
    e.code = m->code;
    e.mtu = (uint16_t)(m->rest & 0xFFFFu);     /* RFC 1191 section 4 */
    e.raddr = wire_get32(q + 16);
    e.lport = wire_get16(th);
    e.rport = wire_get16(th + 2);
    e.seq = wire_get32(th + 4);
    return tcp_icmp_error(s, &e);
}

/* RFC 1122 3.2.2.6: echo requests get a reply with the same data. ICMP
 * errors go to icmp_error; other types are ignored. Returns 0 or 1. */
static int icmp_input(synack_stack *s, const wire_ipv4 *ip)
{
    wire_icmp m;
    if (wire_icmp_parse(ip->payload, ip->payload_len, &m) != 0) {
        drop_raw(s, SYNACK_DROP_ICMP_MALFORMED);
        return 1;
    }
    if (m.type == WIRE_ICMP_UNREACH || m.type == WIRE_ICMP_TIME_EXCEEDED)
        return icmp_error(s, &m);
    if (m.type != WIRE_ICMP_ECHO_REQUEST || m.code != 0)
        return 0;
    size_t room = s->cfg.mtu - WIRE_IPV4_HDR_LEN - WIRE_ICMP_HDR_LEN;  /* mtu >= 68 */
    if (m.body_len > room)
        return 0;
    uint8_t *out = ip_tx_begin(s);
    memcpy(out + WIRE_ICMP_HDR_LEN, m.body, m.body_len);
    wire_icmp_emit(out, WIRE_ICMP_ECHO_REPLY, 0, m.rest, m.body_len);
    ip_output(s, ip->src, WIRE_PROTO_ICMP, WIRE_ICMP_HDR_LEN + m.body_len, NULL);
    return 0;
}

int synack_input(synack_stack *s, const void *pkt, size_t len, synack_time now)
{
    return synack_input_flags(s, pkt, len, now, 0);
}

static int ip_input(synack_stack *s, const uint8_t *pkt, size_t len, unsigned flags);

int synack_input_flags(synack_stack *s, const void *pkt, size_t len, synack_time now,
                       unsigned flags)
{
    if (now > s->now)
        s->now = now;
    s->stats.ip_in++;
    return ip_input(s, pkt, len, flags);
}

static int ip_input(synack_stack *s, const uint8_t *pkt, size_t len, unsigned flags)
{
    synack_drop why;
    wire_ipv4 ip;
    if (wire_ipv4_parse(pkt, len, &ip, &why) != 0) {
        drop_raw(s, why);
        return 1;
    }
    if (ip.dst != s->cfg.addr) {
        drop_raw(s, SYNACK_DROP_IP_NOT_FOR_US);
        return 1;
    }
    if (bad_source(ip.src)) {
        drop_raw(s, SYNACK_DROP_IP_BAD_SOURCE);
        return 1;
    }
    if (ip.mf || ip.frag) {
        if (!s->reasm) {
            drop_raw(s, SYNACK_DROP_IP_FRAGMENT);
            return 1;
        }
        uint8_t *whole;
        size_t whole_len;
        int r = ip_reasm_add(s, s->reasm, &ip, pkt, &whole, &whole_len);
        if (r <= 0)
            return r < 0;   /* kept (0), or dropped and counted (1) */
        /* A whole datagram again: through the same checks, once more.
         * Its checksum flags do not carry over (the fragments' did not
         * cover the TCP payload as a whole). */
        int res = ip_input(s, whole, whole_len, 0);
        stack_free(s, whole);
        return res;
    }
    switch (ip.proto) {
    case WIRE_PROTO_TCP: {
        synack_segment seg;
        const uint8_t *payload;
        uint32_t hdr_sum;
        /* Unless the device vouched for it, TCP finishes the checksum
         * itself: it sums the payload while copying it to its place. */
        int valid = (flags & SYNACK_IN_CSUM_VALID) != 0;
        int r = valid ? wire_tcp_decode(ip.payload, ip.payload_len, ip.src, ip.dst, &seg,
                                        &payload, &why, 0)
                      : wire_tcp_decode_deferred(ip.payload, ip.payload_len, ip.src, ip.dst,
                                                 &seg, &payload, &why, &hdr_sum);
        if (r != 0) {
            drop_raw(s, why);
            return 1;
        }
        return tcp_input(s, &seg, payload, valid ? NULL : &hdr_sum);
    }
    case WIRE_PROTO_ICMP:
        return icmp_input(s, &ip);
    default:
        drop_raw(s, SYNACK_DROP_IP_PROTOCOL);
        return 1;
    }
}
