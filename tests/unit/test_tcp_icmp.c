/* test_tcp_icmp.c — ICMP errors about our TCP segments (ip/ip.c,
 * tcp/tcp_icmp.c): validation of the quoted segment (RFC 5927 4.1), hard
 * errors ending an opening connection, soft errors leaving it alone
 * (RFC 1122 4.2.3.9), path MTU from "fragmentation needed" (RFC 1191),
 * and malformed messages — each with its exact drop counter. */
#include <string.h>

#include "check.h"
#include "support/harness.h"
#include "wire/wire.h"

#define PEER  0xC6120001u      /* 198.18.0.1 */
#define LOCAL 0xC6120002u      /* 198.18.0.2 */
#define ROUTER 0xC6120101u     /* 198.18.1.1: some router on the path */

/* An ICMP error from `from` about a TCP segment src:sport -> dst:dport
 * with sequence number seq; quote_len bytes of the quoted datagram are
 * included (28 = header + 8 bytes). Returns the datagram's length. */
static size_t icmp_error(uint8_t *buf, uint32_t from, uint8_t type, uint8_t code, uint32_t rest,
                         uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                         uint32_t seq, size_t quote_len)
{
    uint8_t *icmp = buf + WIRE_IPV4_HDR_LEN;
    uint8_t *q = icmp + WIRE_ICMP_HDR_LEN;
    uint8_t quote[28];
    wire_ipv4_emit(quote, src, dst, WIRE_PROTO_TCP, 64, 77, 40);
    wire_put16(quote + 20, sport);
    wire_put16(quote + 22, dport);
    wire_put32(quote + 24, seq);
    memcpy(q, quote, quote_len);
    wire_icmp_emit(icmp, type, code, rest, quote_len);
    wire_ipv4_emit(buf, from, LOCAL, WIRE_PROTO_ICMP, 64, 1, WIRE_ICMP_HDR_LEN + quote_len);
    return WIRE_IPV4_HDR_LEN + WIRE_ICMP_HDR_LEN + quote_len;
}

/* A client socket bound to port 80 that has sent its SYN to
 * 198.18.0.1:40000; *iss gets the SYN's sequence number. */
static int opening(harness *h, uint32_t *iss)
{
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    CHECK_EQ(synack_bind(s, c, 0, 80), 0);
    CHECK_EQ(synack_connect(s, c, PEER, 40000), SYNACK_EINPROGRESS);
    synack_segment syn = h_pop(h);
    CHECK_EQ(syn.flags, SYNACK_TCP_SYN);
    *iss = syn.seq;
    return c;
}

/* The same, completed: ESTABLISHED with the peer's ISN 5000, MSS 1460. */
static int established(harness *h, uint32_t *iss)
{
    int c = opening(h, iss);
    h_inject(h, "S. 5000:5000(0) ack %u win 65535 <mss 1460>", *iss + 1);
    h_expect(h, ". %u:%u(0) ack 5001", *iss + 1, *iss + 1);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_ESTABLISHED);
    return c;
}

static uint64_t drops(harness *h, synack_drop why)
{
    synack_stats st;
    synack_stats_get(h_stack(h), &st);
    return st.drops[why];
}

static int inject_icmp(harness *h, uint8_t type, uint8_t code, uint32_t rest, uint32_t seq)
{
    uint8_t pkt[128];
    size_t n = icmp_error(pkt, ROUTER, type, code, rest, LOCAL, 80, PEER, 40000, seq, 28);
    return h_inject_raw(h, pkt, n);
}

TEST(port_unreachable_refuses_a_connect_in_syn_sent)
{
    harness *h = h_new(NULL);
    uint32_t iss;
    int c = opening(h, &iss);
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 3, 0, iss), 0);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_CLOSED);
    CHECK(synack_poll(h_stack(h), c) & SYNACK_EV_ERROR);
    CHECK_EQ(synack_get_error(h_stack(h), c), SYNACK_ECONNREFUSED);
    h_expect_states(h, 0, "SYN-SENT CLOSED");
    h_advance(h, SYNACK_SEC(10));
    h_expect_nothing(h);            /* no more SYN retransmissions */
    h_free(h);
}

TEST(protocol_unreachable_refuses_too)
{
    harness *h = h_new(NULL);
    uint32_t iss;
    int c = opening(h, &iss);
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 2, 0, iss), 0);
    CHECK_EQ(synack_get_error(h_stack(h), c), SYNACK_ECONNREFUSED);
    h_free(h);
}

TEST(administratively_prohibited_is_host_unreachable)
{
    static const uint8_t codes[] = { 9, 10, 13 };
    for (size_t i = 0; i < sizeof codes; i++) {
        harness *h = h_new(NULL);
        uint32_t iss;
        int c = opening(h, &iss);
        CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, codes[i], 0, iss), 0);
        CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_CLOSED);
        CHECK_EQ(synack_get_error(h_stack(h), c), SYNACK_EHOSTUNREACH);
        h_free(h);
    }
}

TEST(soft_errors_leave_syn_sent_retrying)
{
    /* Net, host unreachable and time exceeded are soft (RFC 1122
     * 4.2.3.9): the SYN is retransmitted as if nothing happened. */
    harness *h = h_new(NULL);
    uint32_t iss;
    int c = opening(h, &iss);
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 0, 0, iss), 1);
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 1, 0, iss), 1);
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_TIME_EXCEEDED, 0, 0, iss), 1);
    CHECK_U64(drops(h, SYNACK_DROP_ICMP_SOFT_ERROR), 3);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_SYN_SENT);
    CHECK_EQ(synack_get_error(h_stack(h), c), 0);
    h_expect_nothing(h);
    h_advance(h, SYNACK_SEC(1));
    h_expect(h, "S %u:%u(0)", iss, iss);
    h_free(h);
}

TEST(quoted_sequence_number_must_be_in_flight)
{
    harness *h = h_new(NULL);
    uint32_t iss;
    int c = opening(h, &iss);
    /* SND.UNA = ISS, SND.MAX = ISS + 1: ISS - 1 and ISS + 2 are blind. */
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 3, 0, iss - 1), 1);
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 3, 0, iss + 2), 1);
    CHECK_U64(drops(h, SYNACK_DROP_ICMP_BAD_SEQ), 2);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_SYN_SENT);
    /* SND.MAX itself is accepted (an error about a segment at SND.NXT). */
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 3, 0, iss + 1), 0);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_CLOSED);
    h_free(h);
}

TEST(errors_about_other_connections_are_dropped)
{
    harness *h = h_new(NULL);
    uint32_t iss;
    int c = opening(h, &iss);
    uint8_t pkt[128];
    /* Wrong remote port. */
    size_t n = icmp_error(pkt, ROUTER, WIRE_ICMP_UNREACH, 3, 0, LOCAL, 80, PEER, 40001, iss, 28);
    CHECK_EQ(h_inject_raw(h, pkt, n), 1);
    /* A datagram someone else sent (quoted source is not us). */
    n = icmp_error(pkt, ROUTER, WIRE_ICMP_UNREACH, 3, 0, ROUTER, 80, PEER, 40000, iss, 28);
    CHECK_EQ(h_inject_raw(h, pkt, n), 1);
    CHECK_U64(drops(h, SYNACK_DROP_ICMP_NO_CONN), 2);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_SYN_SENT);
    h_free(h);
}

TEST(malformed_errors_are_dropped)
{
    harness *h = h_new(NULL);
    uint32_t iss;
    int c = opening(h, &iss);
    uint8_t pkt[128];
    /* Only 27 bytes quoted: the TCP sequence number is cut short. */
    size_t n = icmp_error(pkt, ROUTER, WIRE_ICMP_UNREACH, 3, 0, LOCAL, 80, PEER, 40000, iss, 27);
    CHECK_EQ(h_inject_raw(h, pkt, n), 1);
    /* A bad ICMP checksum. */
    n = icmp_error(pkt, ROUTER, WIRE_ICMP_UNREACH, 3, 0, LOCAL, 80, PEER, 40000, iss, 28);
    pkt[WIRE_IPV4_HDR_LEN + 2] ^= 0x40;
    CHECK_EQ(h_inject_raw(h, pkt, n), 1);
    /* A quoted header that is not IPv4. */
    n = icmp_error(pkt, ROUTER, WIRE_ICMP_UNREACH, 3, 0, LOCAL, 80, PEER, 40000, iss, 28);
    pkt[WIRE_IPV4_HDR_LEN + WIRE_ICMP_HDR_LEN] = 0x65;
    wire_icmp_emit(pkt + WIRE_IPV4_HDR_LEN, WIRE_ICMP_UNREACH, 3, 0, 28);
    CHECK_EQ(h_inject_raw(h, pkt, n), 1);
    CHECK_U64(drops(h, SYNACK_DROP_ICMP_MALFORMED), 3);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_SYN_SENT);
    h_free(h);
}

TEST(hard_errors_are_soft_once_established)
{
    /* RFC 5927 5.2: a synchronized connection survives a port
     * unreachable; it goes on exchanging data. */
    harness *h = h_new(NULL);
    uint32_t iss;
    int c = established(h, &iss);
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 3, 0, iss + 1), 1);
    CHECK_U64(drops(h, SYNACK_DROP_ICMP_SOFT_ERROR), 1);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_ESTABLISHED);
    CHECK_EQ(synack_get_error(h_stack(h), c), 0);
    CHECK_EQ(synack_send(h_stack(h), c, "hi", 2), 2);
    h_expect(h, "P. %u:%u(2) ack 5001", iss + 1, iss + 3);
    h_free(h);
}

TEST(fragmentation_needed_lowers_the_mss)
{
    harness *h = h_new(NULL);
    uint32_t iss;
    int c = established(h, &iss);
    int mss;
    CHECK_EQ(synack_getopt(h_stack(h), c, SYNACK_TCP_MAXSEG, &mss), 0);
    CHECK_EQ(mss, 1460);
    /* Next-hop MTU 1000 (RFC 1191: low 16 bits of the rest field). */
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 4, 1000, iss + 1), 0);
    CHECK_EQ(synack_getopt(h_stack(h), c, SYNACK_TCP_MAXSEG, &mss), 0);
    CHECK_EQ(mss, 960);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_ESTABLISHED);
    uint8_t data[2000];
    memset(data, 'x', sizeof data);
    CHECK_EQ(synack_send(h_stack(h), c, data, sizeof data), 2000);
    h_expect(h, ". %u:%u(960) ack 5001", iss + 1, iss + 961);
    /* A larger MTU never raises it; a tiny one is clamped to 552. */
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 4, 1400, iss + 1), 1);
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 4, 200, iss + 1), 0);
    CHECK_EQ(synack_getopt(h_stack(h), c, SYNACK_TCP_MAXSEG, &mss), 0);
    CHECK_EQ(mss, 512);
    /* MTU 0 (a pre-RFC 1191 router) is ignored. */
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 4, 0, iss + 1), 1);
    CHECK_U64(drops(h, SYNACK_DROP_ICMP_SOFT_ERROR), 2);
    h_free(h);
}

TEST(drop_reason_names)
{
    CHECK_STR(synack_drop_name(SYNACK_DROP_ICMP_MALFORMED), "icmp-malformed");
    CHECK_STR(synack_drop_name(SYNACK_DROP_ICMP_NO_CONN), "icmp-no-conn");
    CHECK_STR(synack_drop_name(SYNACK_DROP_ICMP_BAD_SEQ), "icmp-bad-seq");
    CHECK_STR(synack_drop_name(SYNACK_DROP_ICMP_SOFT_ERROR), "icmp-soft-error");
    CHECK_STR(synack_drop_name(SYNACK_DROP_IP_REASM_TIMEOUT), "ip-reasm-timeout");
    CHECK_STR(synack_drop_name(SYNACK_DROP_IP_REASM_LIMIT), "ip-reasm-limit");
    CHECK_STR(synack_drop_name(SYNACK_DROP_IP_REASM_BAD), "ip-reasm-bad");
    CHECK_STR(synack_drop_name(SYNACK_DROP_COUNT), "unknown");
}

/* Runs every timer until target, one deadline at a time. */
static void run_until(harness *h, synack_time target)
{
    for (int guard = 0; guard < 1000; guard++) {
        synack_time d = synack_next_deadline(h_stack(h));
        if (d > target)
            break;
        h_advance(h, d - h_now(h));
        while (h_pending(h))
            h_pop(h);
    }
}

/* RFC 1122 4.2.3.9 / RFC 9293 MUST-20 (SHLD): a soft error does not end
 * the connection, but when the connection then times out the application
 * learns what the network said (host unreachable), not just ETIMEDOUT. */
TEST(soft_error_is_reported_when_the_connect_times_out)
{
    harness *h = h_new(NULL);
    uint32_t iss;
    int c = opening(h, &iss);
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 1, 0, iss), 1);
    CHECK_EQ(synack_get_error(h_stack(h), c), 0);        /* not an error yet */
    int soft = 0;
    CHECK_EQ(synack_getopt(h_stack(h), c, SYNACK_TCP_SOFT_ERROR, &soft), 0);
    CHECK_EQ(soft, SYNACK_EHOSTUNREACH);                 /* but visible */
    CHECK_EQ(synack_setopt(h_stack(h), c, SYNACK_TCP_SOFT_ERROR, 0), SYNACK_EINVAL);
    run_until(h, SYNACK_SEC(300));                         /* SYN retries run out */
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(h_stack(h), c), SYNACK_EHOSTUNREACH);
    h_free(h);
}

/* A soft error raises SYNACK_EV_TROUBLE at once, through the ready
 * queue (MUST-47: the application hears of it without polling the
 * option); the ACK of new data clears it, and that change is reported
 * too. */
TEST(soft_error_raises_the_trouble_event_until_progress)
{
    harness *h = h_new(NULL);
    uint32_t iss;
    int c = established(h, &iss);
    synack_stack *s = h_stack(h);
    synack_ready_event ev[4];
    while (synack_ready(s, ev, 4) > 0)
        ;
    CHECK_EQ(synack_send(s, c, "ab", 2), 2);
    h_pop(h);
    CHECK_EQ(synack_poll(s, c) & SYNACK_EV_TROUBLE, 0);
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 1, 0, iss + 1), 1);
    CHECK_EQ(synack_ready(s, ev, 4), 1);
    CHECK_EQ(ev[0].handle, c);
    CHECK(ev[0].events & SYNACK_EV_TROUBLE);
    CHECK_EQ(synack_get_error(s, c), 0);                 /* not an error */
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u", iss + 3), 0);   /* progress */
    CHECK_EQ(synack_ready(s, ev, 4), 1);
    CHECK_EQ(ev[0].events & SYNACK_EV_TROUBLE, 0);
    CHECK_EQ(synack_poll(s, c) & SYNACK_EV_TROUBLE, 0);
    h_free(h);
}

/* Progress makes an old soft error stale: a later timeout is a timeout. */
TEST(soft_error_forgotten_after_progress)
{
    harness *h = h_new(NULL);
    uint32_t iss;
    int c = established(h, &iss);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, "ab", 2), 2);
    h_pop(h);
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 0, 0, iss + 1), 1);
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u", iss + 3), 0);   /* progress */
    CHECK_EQ(synack_send(s, c, "cd", 2), 2);
    run_until(h, SYNACK_SEC(3600));                               /* retries run out */
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ETIMEDOUT);
    h_free(h);
}

/* A soft error seen while connecting is forgotten once the SYN-ACK
 * arrives: the path works after all. */
TEST(soft_error_forgotten_when_the_handshake_completes)
{
    harness *h = h_new(NULL);
    uint32_t iss;
    int c = opening(h, &iss);
    CHECK_EQ(inject_icmp(h, WIRE_ICMP_UNREACH, 1, 0, iss), 1);
    int soft = 0;
    CHECK_EQ(synack_getopt(h_stack(h), c, SYNACK_TCP_SOFT_ERROR, &soft), 0);
    CHECK_EQ(soft, SYNACK_EHOSTUNREACH);
    h_inject(h, "S. 5000:5000(0) ack %u win 65535 <mss 1460>", iss + 1);
    h_expect(h, ". %u:%u(0) ack 5001", iss + 1, iss + 1);
    CHECK_EQ(synack_getopt(h_stack(h), c, SYNACK_TCP_SOFT_ERROR, &soft), 0);
    CHECK_EQ(soft, 0);
    h_free(h);
}

TEST_MAIN()
