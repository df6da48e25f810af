/* test_attack_blind.c — off-path (blind) attacks on an established
 * connection, RFC 5961: RSTs, SYNs and data injected with sequence and
 * acknowledgment numbers that are wrong but inside the window, or outside
 * it. The connection must survive every one of them, answer exactly as
 * RFC 5961 / RFC 9293 say (challenge ACK, plain ACK, or silence), count
 * them, and deliver the peer's data stream unchanged. The exact RST that
 * does reset the connection is the control case. */
#include "check.h"
#include "support/harness.h"

/* The peer (198.18.0.1:40000, ISN 1000, no options: window 65535, no
 * scaling, no timestamps) connects to a listener on port 80 and sends
 * bytes 1001..1010; they are read and acknowledged. Returns the accepted
 * handle; *isn gets the stack's ISN. RCV.NXT is 1011 afterwards. */
static int established(harness *h, uint32_t *isn)
{
    synack_stack *s = h_stack(h);
    int l = synack_socket(s);
    CHECK(l >= 0);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535"), 0);
    synack_segment sa = h_pop(h);
    CHECK_EQ(sa.flags, SYNACK_TCP_SYN | SYNACK_TCP_ACK);
    *isn = sa.seq;
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", *isn + 1), 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_close(s, l), 0);
    CHECK_EQ(h_inject(h, "P. 1001:1011(10) ack %u", *isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1011", *isn + 1, *isn + 1);
    uint8_t buf[10], want[10];
    CHECK_EQ(synack_recv(s, c, buf, sizeof buf), 10);
    h_pattern_fill(1001, want, sizeof want);
    CHECK_MEM(buf, want, sizeof want);
    h_expect_nothing(h);
    return c;
}

/* The peer's real data from from..to-1 arrives and is read back exactly
 * (the harness pattern at those sequence numbers). */
static void stream_continues(harness *h, int c, uint32_t isn_ack, uint32_t from, uint32_t to)
{
    synack_stack *s = h_stack(h);
    CHECK_EQ(h_inject(h, "P. %u:%u(%u) ack %u", from, to, to - from, isn_ack), 0);
    h_expect(h, ". %u:%u(0) ack %u", isn_ack, isn_ack, to);
    uint8_t buf[512], want[512];
    CHECK(to - from <= sizeof buf);
    CHECK_EQ(synack_recv_ready(s, c), to - from);
    CHECK_EQ(synack_recv(s, c, buf, sizeof buf), to - from);
    h_pattern_fill(from, want, to - from);
    CHECK_MEM(buf, want, to - from);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
}

static synack_stats stats(harness *h)
{
    synack_stats st;
    synack_stats_get(h_stack(h), &st);
    return st;
}

TEST(blind_rst_in_window_gets_challenge_ack)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = established(h, &isn);
    /* RFC 5961 3.2: a RST inside the window but not at RCV.NXT is
     * answered with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and dropped. */
    CHECK_EQ(h_inject(h, "R 5000:5000(0)"), 1);
    h_expect(h, ". %u:%u(0) ack 1011", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, "R. 1012:1012(0) ack %u", isn + 1), 1);      /* off by one */
    h_expect(h, ". %u:%u(0) ack 1011", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, "R 66535:66535(0)"), 1);       /* last in-window number */
    h_expect(h, ". %u:%u(0) ack 1011", isn + 1, isn + 1);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_ESTABLISHED);
    synack_stats st = stats(h);
    CHECK_U64(st.drops[SYNACK_DROP_TCP_RST_CHALLENGED], 3);
    CHECK_U64(st.tcp_challenge_acks, 3);
    CHECK_U64(st.conns_reset, 0);
    stream_continues(h, c, isn + 1, 1011, 1111);
    h_free(h);
}

TEST(blind_rst_out_of_window_is_ignored)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = established(h, &isn);
    /* RFC 5961 3.2 / RFC 9293 3.10.7.4: outside the window, discard
     * silently (no ACK: that would help the attacker probe). */
    CHECK_EQ(h_inject(h, "R 1010:1010(0)"), 1);         /* just left of it */
    CHECK_EQ(h_inject(h, "R 66536:66536(0)"), 1);       /* just right of it */
    CHECK_EQ(h_inject(h, "R. %u:%u(0) ack %u", 1011u + 0x80000000u, 1011u + 0x80000000u,
                      isn + 1), 1);
    h_expect_nothing(h);
    synack_stats st = stats(h);
    CHECK_U64(st.drops[SYNACK_DROP_TCP_RST_INVALID], 3);
    CHECK_U64(st.tcp_challenge_acks, 0);
    stream_continues(h, c, isn + 1, 1011, 1211);
    h_free(h);
}

TEST(exact_rst_resets_control_case)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = established(h, &isn);
    /* The one RST that is accepted: SEG.SEQ == RCV.NXT. */
    CHECK_EQ(h_inject(h, "R 1011:1011(0)"), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_CLOSED);
    uint8_t buf[4];
    CHECK_EQ(synack_recv(h_stack(h), c, buf, sizeof buf), SYNACK_ECONNRESET);
    CHECK_U64(stats(h).conns_reset, 1);
    CHECK_EQ(synack_close(h_stack(h), c), 0);
    CHECK_U64(stats(h).conns_live, 0);
    h_free(h);
}

TEST(blind_syn_gets_challenge_ack)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = established(h, &isn);
    /* RFC 5961 4.2: a SYN in a synchronized state never resets; inside
     * the window it gets a challenge ACK ... */
    CHECK_EQ(h_inject(h, "S 2000:2000(0) win 65535 <mss 1460>"), 1);
    h_expect(h, ". %u:%u(0) ack 1011", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, "S 1011:1011(0)"), 1);
    h_expect(h, ". %u:%u(0) ack 1011", isn + 1, isn + 1);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_SYN_CHALLENGED], 2);
    CHECK_U64(stats(h).tcp_challenge_acks, 2);
    /* ... and outside it (an old duplicate of the first SYN, or far
     * away) the same ACK, as for any unacceptable segment. */
    CHECK_EQ(h_inject(h, "S 1000:1000(0)"), 1);
    h_expect(h, ". %u:%u(0) ack 1011", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, "S 900000:900000(0)"), 1);
    h_expect(h, ". %u:%u(0) ack 1011", isn + 1, isn + 1);
    h_expect_nothing(h);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_OUT_OF_WINDOW], 2);
    CHECK_U64(stats(h).conns_reset, 0);
    CHECK_U64(stats(h).conns_live, 1);
    stream_continues(h, c, isn + 1, 1011, 1111);
    h_free(h);
}

TEST(blind_data_with_bad_ack_is_discarded)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = established(h, &isn);
    synack_stack *s = h_stack(h);
    /* The stack has 10 bytes in flight: SND.UNA = isn+1, SND.NXT = isn+11,
     * MAX.SND.WND = 65535. */
    CHECK_EQ(synack_send(s, c, "0123456789", 10), 10);
    h_expect(h, "P. %u:%u(10) ack 1011", isn + 1, isn + 11);

    /* RFC 5961 5.2: an ACK of data never sent: ACK back, drop the data. */
    CHECK_EQ(h_inject_data(h, "EVIL", "P. 1011:1015(4) ack %u", isn + 100), 1);
    h_expect(h, ". %u:%u(0) ack 1011", isn + 11, isn + 11);
    CHECK_EQ(synack_recv_ready(s, c), 0);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_BAD_ACK], 1);

    /* An ACK older than SND.UNA - MAX.SND.WND: challenge ACK, drop. */
    CHECK_EQ(h_inject_data(h, "EVIL", "P. 1011:1015(4) ack %u", isn + 1 - 65535 - 1), 1);
    h_expect(h, ". %u:%u(0) ack 1011", isn + 11, isn + 11);
    CHECK_EQ(synack_recv_ready(s, c), 0);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_BAD_ACK], 2);
    CHECK_U64(stats(h).tcp_challenge_acks, 1);

    /* A segment with no ACK bit at all is dropped (RFC 9293 3.10.7.4
     * fifth step), without a reply. */
    CHECK_EQ(h_inject_data(h, "EVIL", "P 1011:1015(4)"), 1);
    h_expect_nothing(h);
    CHECK_EQ(synack_recv_ready(s, c), 0);

    /* Nothing the attacker sent freed our send buffer. */
    CHECK_EQ(synack_send_pending(s, c), 10);
    CHECK_EQ(h_inject(h, ". 1011:1011(0) ack %u", isn + 11), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_send_pending(s, c), 0);
    stream_continues(h, c, isn + 11, 1011, 1411);
    CHECK_U64(stats(h).conns_reset, 0);
    h_free(h);
}

TEST(blind_data_out_of_window_is_discarded)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = established(h, &isn);
    synack_stack *s = h_stack(h);
    /* Beyond the right edge, and already received: ACK, nothing kept. */
    CHECK_EQ(h_inject_data(h, "EVIL", "P. 70000:70004(4) ack %u", isn + 1), 1);
    h_expect(h, ". %u:%u(0) ack 1011", isn + 1, isn + 1);
    CHECK_EQ(h_inject_data(h, "EVIL", "P. 1001:1005(4) ack %u", isn + 1), 1);
    h_expect(h, ". %u:%u(0) ack 1011", isn + 1, isn + 1);
    CHECK_EQ(h_inject_data(h, "EVIL", "P. %u:%u(4) ack %u", 1011u + 0x80000000u,
                           1015u + 0x80000000u, isn + 1), 1);
    h_expect(h, ". %u:%u(0) ack 1011", isn + 1, isn + 1);
    h_expect_nothing(h);
    CHECK_EQ(synack_recv_ready(s, c), 0);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_OUT_OF_WINDOW], 3);
    /* The real bytes 1011.. arrive as if nothing happened: no old
     * injected byte shows up in the stream. */
    stream_continues(h, c, isn + 1, 1011, 1511);
    h_free(h);
}

TEST(challenge_ack_rate_limit)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = established(h, &isn);
    /* RFC 5961 7: challenge ACKs are rate limited (stack-wide, a budget
     * drawn each second between 500 and 1499), so a flood of blind RSTs
     * cannot turn the stack into an ACK amplifier. */
    for (int i = 0; i < 2000; i++)
        CHECK_EQ(h_inject(h, "R %u:%u(0)", 2000u + (uint32_t)i, 2000u + (uint32_t)i), 1);
    size_t sent = h_pending(h);
    CHECK(sent >= 500 && sent < 1500);
    for (size_t i = 0; i < sent; i++)
        h_expect(h, ". %u:%u(0) ack 1011", isn + 1, isn + 1);
    synack_stats st = stats(h);
    CHECK_U64(st.tcp_challenge_acks, sent);
    CHECK_U64(st.drops[SYNACK_DROP_TCP_CHALLENGE_LIMIT], 2000 - sent);
    CHECK_U64(st.drops[SYNACK_DROP_TCP_RST_CHALLENGED], 2000);
    /* A second later the budget is back. */
    h_advance(h, SYNACK_SEC(1));
    CHECK_EQ(h_inject(h, "R 3000:3000(0)"), 1);
    h_expect(h, ". %u:%u(0) ack 1011", isn + 1, isn + 1);
    h_expect_nothing(h);
    CHECK_U64(stats(h).tcp_challenge_acks, sent + 1);
    CHECK_U64(stats(h).conns_reset, 0);
    stream_continues(h, c, isn + 1, 1011, 1111);
    h_free(h);
}

TEST(time_wait_ignores_rst)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = established(h, &isn);
    synack_stack *s = h_stack(h);
    /* The stack closes first and reaches TIME-WAIT. */
    CHECK_EQ(synack_close(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 1011", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, "F. 1011:1011(0) ack %u", isn + 2), 0);
    h_expect(h, ". %u:%u(0) ack 1012", isn + 2, isn + 2);
    CHECK_U64(stats(h).conns_live, 1);
    /* RFC 1337: even the exact RST must not end TIME-WAIT early; an
     * inexact one is challenged as in any synchronized state. */
    CHECK_EQ(h_inject(h, "R 1012:1012(0)"), 1);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, "R 5000:5000(0)"), 1);
    h_expect(h, ". %u:%u(0) ack 1012", isn + 2, isn + 2);
    h_expect_nothing(h);
    CHECK_U64(stats(h).conns_live, 1);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_TIME_WAIT], 1);
    h_advance(h, SYNACK_SEC(61));
    CHECK_U64(stats(h).conns_live, 0);
    h_free(h);
}

TEST(mixed_attack_leaves_stream_unchanged)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = established(h, &isn);
    synack_stack *s = h_stack(h);
    uint32_t seq = 1011;
    for (int round = 0; round < 8; round++) {
        /* A volley of blind guesses between two real segments. */
        h_inject(h, "R %u:%u(0)", seq + 3000, seq + 3000);
        h_inject(h, "R %u:%u(0)", seq + 100000, seq + 100000);
        h_inject(h, "S %u:%u(0)", seq + 7, seq + 7);
        h_inject(h, "S %u:%u(0)", seq - 50000, seq - 50000);
        h_inject_data(h, "EVILEVIL", "P. %u:%u(8) ack %u", seq, seq + 8, isn + 5000);
        h_inject_data(h, "EVILEVIL", "P. %u:%u(8) ack %u", seq, seq + 8, isn - 70000);
        h_inject_data(h, "EVILEVIL", "P. %u:%u(8) ack %u", seq + 200000, seq + 200008, isn + 1);
        h_inject(h, ". %u:%u(0) ack %u", seq, seq, isn + 12345);
        while (h_pending(h) > 0) {
            synack_segment a = h_pop(h);
            CHECK_EQ(a.flags, SYNACK_TCP_ACK);      /* ACKs only, never a RST */
            CHECK_U64(a.ack, seq);
            CHECK_EQ(a.len, 0);
        }
        CHECK_EQ(synack_recv_ready(s, c), 0);
        stream_continues(h, c, isn + 1, seq, seq + 100 + 10 * (uint32_t)round);
        seq += 100 + 10 * (uint32_t)round;
    }
    synack_stats st = stats(h);
    CHECK_U64(st.conns_reset, 0);
    CHECK_U64(st.tcp_rst_out, 0);
    CHECK_U64(st.conns_live, 1);
    h_free(h);
}

TEST_MAIN()
