/* test_dp_persist.c — a zero window, packet by packet, from both sides.
 *
 * Sender (RFC 9293 3.8.6.1): data stops when the peer's window closes and
 * a window update resumes transmission at once. The zero-window probes
 * themselves (one new byte after one RTO, backing off) are tested in
 * test_dp_zwp.c.
 *
 * Receiver (RFC 9293 3.8.6.2.2, receiver SWS avoidance): the window shrinks
 * as data arrives unread and reaches zero; a probe into the zero window is
 * answered with an ACK and not accepted; reading does not reopen the
 * window until the space gained reaches min(MSS, buffer / 2), and then a
 * window update is sent by itself.
 *
 * No timestamps, SACK or window scaling; handshake RTT 100 ms (RTO 300
 * ms). Peer 198.18.0.1:40000, ISN 1000. */
#include "check.h"
#include "support/harness.h"

static uint8_t data[1 << 15];

static int open_conn(harness *h, int rcvbuf, unsigned peer_win, uint32_t *a)
{
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    if (rcvbuf)
        CHECK_EQ(synack_setopt(s, l, SYNACK_SO_RCVBUF, rcvbuf), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win %u <mss 1460>", peer_win), 0);
    synack_segment sa = h_pop(h);
    *a = sa.seq + 1;
    CHECK_U64(sa.wnd, rcvbuf ? (unsigned)rcvbuf : 65535u);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win %u", *a, peer_win), 0);
    h_expect_nothing(h);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    return c;
}

TEST(sender_stops_and_resumes_on_window_update)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, 0, 2920, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 5000), 5000);
    h_expect(h, ". %u:%u(1460) ack 1001", a, a + 1460);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 1460, a + 2920);
    h_expect_nothing(h);
    /* Everything acknowledged, window zero: nothing may be sent. */
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 0", a + 2920), 0);
    h_expect_nothing(h);
    /* The window opens (same ACK, newer window: RFC 9293 3.10.7.4 takes
     * it since SND.WL2 =< SEG.ACK): the remaining 2080 bytes go at once. */
    h_advance(h, SYNACK_MSEC(50));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 4000", a + 2920), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 2920, a + 4380);
    h_expect(h, "P. %u:%u(620) ack 1001", a + 4380, a + 5000);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    h_free(h);
}

TEST(receiver_window_closes_and_sws_reopen)
{
    harness *h = h_new(NULL);
    uint32_t a;
    /* An 8000-byte receive buffer. */
    int c = open_conn(h, 8000, 65535, &a);
    synack_stack *s = h_stack(h);
    /* The window shrinks by what arrives unread, to zero. */
    static const unsigned wins[] = { 6540, 5080, 3620, 2160, 700 };
    for (uint32_t i = 0; i < 5; i++) {
        CHECK_EQ(h_inject(h, ". %u:%u(1460) ack %u win 65535", 1001 + i * 1460,
                          1001 + (i + 1) * 1460, a), 0);
        h_expect(h, ". %u:%u(0) ack %u win %u <>", a, a, 1001 + (i + 1) * 1460, wins[i]);
    }
    CHECK_EQ(h_inject(h, "P. 8301:9001(700) ack %u win 65535", a), 0);
    h_expect(h, ". %u:%u(0) ack 9001 win 0 <>", a, a);
    /* A zero-window probe is not accepted: ACK with RCV.NXT, window 0. */
    CHECK_EQ(h_inject(h, ". 9001:9002(1) ack %u win 65535", a), 0);
    h_expect(h, ". %u:%u(0) ack 9001 win 0 <>", a, a);
    /* Reading 100 bytes, then 1000 more: 1100 free bytes are less than
     * min(MSS 1460, 8000 / 2): no update, and probes still see 0. */
    uint8_t buf[2000];
    CHECK_EQ(synack_recv(s, c, buf, 100), 100);
    h_expect_nothing(h);
    CHECK_EQ(synack_recv(s, c, buf, 1000), 1000);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 9001:9002(1) ack %u win 65535", a), 0);
    h_expect(h, ". %u:%u(0) ack 9001 win 0 <>", a, a);
    /* 360 more: 1460 free = one MSS: the window update goes out. */
    CHECK_EQ(synack_recv(s, c, buf, 360), 360);
    h_expect(h, ". %u:%u(0) ack 9001 win 1460 <>", a, a);
    h_expect_nothing(h);
    /* The data read is the pattern from 1001 on (checked for the last
     * read: 1101 + 1000 = 2101). */
    uint8_t want[360];
    h_pattern_fill(2101, want, sizeof want);
    CHECK_MEM(buf, want, sizeof want);
    h_free(h);
}

TEST_MAIN()
