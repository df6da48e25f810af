/* test_ip_fragments.c — IPv4 reassembly seen through the stack (RFC 791
 * 3.2, RFC 815; RFC 1122 3.3.2): a TCP segment that arrives as fragments,
 * in any order, is delivered as one; fragments of a datagram that never
 * completes are given up after reasm_timeout with an ICMP time exceeded
 * (code 1) and nothing is left held. The reassembly module itself has its
 * own unit tests (tests/unit/test_reasm.c). */
#include "test_cm_util.h"

#include "support/h_packet.h"
#include "wire/wire.h"

/* Cuts datagram d (20-byte header) into fragments whose payload parts
 * are `step` bytes (a multiple of 8), with IP id 0x4242. Returns count. */
static int fragment(const uint8_t *d, size_t len, size_t step, uint8_t out[][256],
                    size_t *olen)
{
    size_t pay = len - 20;
    int n = 0;
    for (size_t off = 0; off < pay; off += step, n++) {
        size_t part = pay - off < step ? pay - off : step;
        memcpy(out[n], d, 20);
        memcpy(out[n] + 20, d + 20 + off, part);
        wire_put16(out[n] + 2, (uint16_t)(20 + part));
        wire_put16(out[n] + 4, 0x4242);
        uint16_t fo = (uint16_t)(off / 8) | (off + part < pay ? 0x2000 : 0);
        wire_put16(out[n] + 6, fo);                 /* DF off, MF, offset */
        wire_put16(out[n] + 10, 0);
        wire_put16(out[n] + 10, wire_csum_fold(wire_csum_add(0, out[n], 20)));
        olen[n] = 20 + part;
    }
    return n;
}

static size_t data_segment(harness *h, uint32_t isn, uint8_t *buf, size_t cap, uint32_t len)
{
    synack_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.saddr = h->peer_addr;
    seg.daddr = h->local_addr;
    seg.sport = h->peer_port;
    seg.dport = h->local_port;
    seg.seq = 1001;
    seg.ack = isn + 1;
    seg.flags = SYNACK_TCP_ACK | SYNACK_TCP_PSH;
    seg.wnd = 65535;
    seg.len = len;
    return h_build_datagram(buf, cap, &seg, NULL);
}

TEST(fragments_in_reverse_order_deliver_one_segment)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    uint8_t d[1024];
    size_t n = data_segment(h, isn, d, sizeof d, 500);    /* 520 bytes of IP payload */
    uint8_t frag[8][256];
    size_t flen[8];
    int k = fragment(d, n, 200, frag, flen);
    CHECK_EQ(k, 3);
    /* Last first, then the first, then the middle one. */
    CHECK_EQ(h_inject_raw(h, frag[2], flen[2]), 0);
    CHECK_EQ(h_inject_raw(h, frag[0], flen[0]), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_recv_ready(s, c), 0);
    CHECK_EQ(h_inject_raw(h, frag[1], flen[1]), 0);
    h_expect(h, ". %u:%u(0) ack 1501 win 65035 <>", isn + 1, isn + 1);
    uint8_t got[600], want[600];
    CHECK_EQ(synack_recv(s, c, got, sizeof got), 500);
    h_pattern_fill(1001, want, 500);
    CHECK_MEM(got, want, 500);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.ip_in, 2 + 3);                 /* handshake ACK... and 3 fragments */
    h_free(h);
}

TEST(incomplete_datagram_times_out_with_icmp_time_exceeded)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    cm_server(h, &isn);
    uint8_t d[1024];
    size_t n = data_segment(h, isn, d, sizeof d, 500);
    uint8_t frag[8][256];
    size_t flen[8];
    fragment(d, n, 200, frag, flen);
    synack_time t0 = h_now(h);
    CHECK_EQ(h_inject_raw(h, frag[0], flen[0]), 0);    /* the first only */
    CHECK_U64(synack_next_deadline(s), t0 + SYNACK_SEC(30));
    h_advance(h, SYNACK_SEC(30) - 1);
    CHECK_EQ(h_pending(h), 0);
    h_advance(h, 1);
    /* RFC 1122 3.3.2: ICMP time exceeded, code 1, quoting the first
     * fragment's header and 8 bytes. */
    CHECK_EQ(h_pending(h), 1);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.drops[SYNACK_DROP_IP_REASM_TIMEOUT], 1);
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    h_free(h);
}

TEST_MAIN()
