/* test_dp_nagle.c — the sender's small-segment rules, packet by packet:
 * Nagle (RFC 9293 3.7.4, RFC 896) holding a small segment while data is
 * unacknowledged and releasing it on the ACK, full segments never held,
 * TCP_NODELAY sending at once (and releasing what was held when turned
 * on), and sender SWS avoidance (RFC 9293 3.8.6.2.1): with a window
 * smaller than a segment, less than half the largest window offered is
 * not sent unless it is all the data there is.
 *
 * Harness defaults (delayed ACKs off), no window scaling or timestamps:
 * 1460-byte segments, raw windows; peer 198.18.0.1:40000, ISN 1000. */
#include "check.h"
#include "support/harness.h"

static int open_conn(harness *h, unsigned peer_win, uint32_t *isn)
{
    synack_stack *s = h_stack(h);
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win %u <mss 1460>", peer_win), 0);
    synack_segment sa = h_pop(h);
    *isn = sa.seq;
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win %u", *isn + 1, peer_win), 0);
    h_expect_nothing(h);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    return c;
}

static uint8_t data[30000];

TEST(nagle_holds_small_segment_until_ack)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = open_conn(h, 65535, &isn);
    synack_stack *s = h_stack(h);
    uint32_t a = isn + 1;
    /* Nothing outstanding: a small segment goes at once. */
    CHECK_EQ(synack_send(s, c, data, 100), 100);
    h_expect(h, "P. %u:%u(100) ack 1001", a, a + 100);
    /* 100 bytes unacknowledged: the next small one waits. */
    CHECK_EQ(synack_send(s, c, data, 100), 100);
    h_expect_nothing(h);
    /* A full segment's worth is never held; the 640 left over is. */
    CHECK_EQ(synack_send(s, c, data, 2000), 2000);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 100, a + 1560);
    h_expect_nothing(h);
    /* An ACK that leaves data outstanding does not release it... */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 100), 0);
    h_expect_nothing(h);
    /* ...the ACK of everything does. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 1560), 0);
    h_expect(h, "P. %u:%u(640) ack 1001", a + 1560, a + 2200);
    h_expect_nothing(h);
    /* Time alone never releases held data. */
    CHECK_EQ(synack_send(s, c, data, 10), 10);
    h_advance(h, SYNACK_MSEC(150));
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 2200), 0);
    h_expect(h, "P. %u:%u(10) ack 1001", a + 2200, a + 2210);
    h_free(h);
}

TEST(nodelay_sends_at_once)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = open_conn(h, 65535, &isn);
    synack_stack *s = h_stack(h);
    uint32_t a = isn + 1;
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    CHECK_EQ(synack_send(s, c, data, 100), 100);
    h_expect(h, "P. %u:%u(100) ack 1001", a, a + 100);
    CHECK_EQ(synack_send(s, c, data, 100), 100);
    h_expect(h, "P. %u:%u(100) ack 1001", a + 100, a + 200);
    CHECK_EQ(synack_send(s, c, data, 2000), 2000);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 200, a + 1660);
    h_expect(h, "P. %u:%u(540) ack 1001", a + 1660, a + 2200);
    h_expect_nothing(h);
    h_free(h);
}

TEST(nodelay_releases_held_data)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = open_conn(h, 65535, &isn);
    synack_stack *s = h_stack(h);
    uint32_t a = isn + 1;
    CHECK_EQ(synack_send(s, c, data, 100), 100);
    h_expect(h, "P. %u:%u(100) ack 1001", a, a + 100);
    CHECK_EQ(synack_send(s, c, data, 50), 50);
    h_expect_nothing(h);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    h_expect(h, "P. %u:%u(50) ack 1001", a + 100, a + 150);
    h_expect_nothing(h);
    h_free(h);
}

TEST(sender_sws_avoidance)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    /* The largest window the peer offers is 10000 bytes. */
    int c = open_conn(h, 10000, &isn);
    synack_stack *s = h_stack(h);
    uint32_t a = isn + 1;
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    CHECK_EQ(synack_send(s, c, data, 20000), 20000);
    /* Six full segments (8760); the 1240 the window still allows is less
     * than a segment and less than 10000 / 2, and more data waits: not
     * sent (RFC 9293 3.8.6.2.1). */
    for (uint32_t i = 0; i < 6; i++)
        h_expect(h, ". %u:%u(1460) ack 1001", a + i * 1460, a + (i + 1) * 1460);
    h_expect_nothing(h);
    /* Everything ACKed but the window shrinks to 1000: still silly. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 1000", a + 8760), 0);
    h_expect_nothing(h);
    /* 5000 = half the largest window: three full segments, and the 620
     * beyond them waits again. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 5000", a + 8760), 0);
    for (uint32_t i = 6; i < 9; i++)
        h_expect(h, ". %u:%u(1460) ack 1001", a + i * 1460, a + (i + 1) * 1460);
    h_expect_nothing(h);
    /* The window opens wide: four full segments, and the last 1020
     * bytes are all there is (case 2 of the rule): sent although short. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 10000", a + 13140), 0);
    for (uint32_t i = 9; i < 13; i++)
        h_expect(h, ". %u:%u(1460) ack 1001", a + i * 1460, a + (i + 1) * 1460);
    h_expect(h, "P. %u:%u(1020) ack 1001", a + 18980, a + 20000);
    h_expect_nothing(h);
    h_free(h);
}

TEST(sender_sws_half_of_a_small_max_window)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    /* A peer whose largest window is 2000 bytes. */
    int c = open_conn(h, 2000, &isn);
    synack_stack *s = h_stack(h);
    uint32_t a = isn + 1;
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    CHECK_EQ(synack_send(s, c, data, 5000), 5000);
    /* 1460, then 540 < 2000 / 2 with more data waiting: held. */
    h_expect(h, ". %u:%u(1460) ack 1001", a, a + 1460);
    h_expect_nothing(h);
    /* 999 < 1000: held; 1000 = Fs * max window (Fs = 1/2): sent. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 999", a + 1460), 0);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 1000", a + 1460), 0);
    h_expect(h, ". %u:%u(1000) ack 1001", a + 1460, a + 2460);
    h_expect_nothing(h);
    h_free(h);
}

TEST_MAIN()
