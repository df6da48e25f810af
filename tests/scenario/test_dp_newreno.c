/* test_dp_newreno.c — fast retransmit and NewReno fast recovery without
 * SACK, packet by packet (RFC 5681 3.2, RFC 6582 3.2): nothing on the
 * first two duplicate ACKs, the first unacknowledged segment resent on
 * the third, cwnd = ssthresh + 3 SMSS then inflated by one SMSS per
 * further duplicate (new data goes out once cwnd passes the flight), a
 * partial ACK resending the next hole at once, and the full ACK leaving
 * recovery with cwnd = min(ssthresh, FlightSize + SMSS).
 *
 * NewReno module, no SACK, timestamps or window scaling: 1460-byte
 * segments and raw windows. The handshake takes 100 ms, so RTO is 300 ms
 * and stays out of the way. Peer 198.18.0.1:40001, ISN 1000.
 *
 * The peer port is 40001 because it gives our ISS a value below 2^31:
 * the engine starts `recover` at 0 instead of ISS (RFC 6582 3.2 step 1),
 * so with an ISS at or above 2^31 (port 40000 here) SND.UNA >= recover
 * fails and no fast retransmit happens before the first timeout. That
 * case is in /work/briefs/pending/test_dp_recover_init.c. */
#include "check.h"
#include "support/harness.h"

static uint8_t data[1 << 16];

static int open_conn(harness *h, uint32_t *a)
{
    synack_stack *s = h_stack(h);
    h->peer_port = 40001;
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_setopt(s, l, SYNACK_TCP_CONGESTION, SYNACK_CC_NEWRENO), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>"), 0);
    *a = h_pop(h).seq + 1;
    CHECK(*a < 0x80000000u);    /* see the header comment */
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", *a), 0);
    h_expect_nothing(h);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    return c;
}

/* Segment i (0-based) of the stream: a + i * 1460. */
#define SEG(i) (a + (uint32_t)(i) * 1460u)

static void dupack(harness *h, uint32_t ack)
{
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", ack), 0);
}

TEST(fast_retransmit_on_third_duplicate)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    /* Exactly the initial window: ten segments, no more data queued (so
     * RFC 3042 limited transmit has nothing to send). */
    CHECK_EQ(synack_send(s, c, data, 14600), 14600);
    for (int i = 0; i < 10; i++)
        h_expect(h, "%s %u:%u(1460) ack 1001", i == 9 ? "P." : ".", SEG(i), SEG(i + 1));
    h_advance(h, SYNACK_MSEC(100));
    /* Segment 0 lost; 1..9 each bring a duplicate ACK. */
    dupack(h, SEG(0));
    dupack(h, SEG(0));
    h_expect_nothing(h);
    dupack(h, SEG(0));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(0), SEG(1));
    h_expect_nothing(h);
    /* ssthresh = FlightSize / 2 = 7300, cwnd = 7300 + 3 * 1460 = 11680:
     * below the 14600 in flight, so new data waits... */
    CHECK_EQ(synack_send(s, c, data, 14600), 14600);
    h_expect_nothing(h);
    dupack(h, SEG(0));          /* cwnd 13140 */
    dupack(h, SEG(0));          /* cwnd 14600 */
    h_expect_nothing(h);
    /* ...until the inflation passes it: one new segment per duplicate. */
    dupack(h, SEG(0));          /* cwnd 16060 */
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(10), SEG(11));
    dupack(h, SEG(0));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(11), SEG(12));
    dupack(h, SEG(0));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(12), SEG(13));
    h_expect_nothing(h);
    /* The retransmission arrives: the ACK covers all ten (>= recover):
     * full ACK. cwnd = min(7300, FlightSize 4380 + 1460) = 5840: one
     * new segment beside the 4380 in flight. */
    h_advance(h, SYNACK_MSEC(100));
    dupack(h, SEG(10));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(13), SEG(14));
    h_expect_nothing(h);
    /* cwnd 5840 < ssthresh 7300: slow start again (RFC 5681 3.1). The
     * ACK of one segment adds one SMSS: two segments go out. */
    dupack(h, SEG(11));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(14), SEG(15));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(15), SEG(16));
    h_expect_nothing(h);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_retransmits, 1);
    h_free(h);
}

TEST(partial_ack_resends_next_hole)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 14600), 14600);
    for (int i = 0; i < 10; i++)
        h_expect(h, "%s %u:%u(1460) ack 1001", i == 9 ? "P." : ".", SEG(i), SEG(i + 1));
    h_advance(h, SYNACK_MSEC(100));
    /* Segments 0 and 3 lost: 1, 2, 4..9 arrive: eight duplicates. */
    for (int i = 0; i < 3; i++)
        dupack(h, SEG(0));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(0), SEG(1));
    for (int i = 3; i < 8; i++)
        dupack(h, SEG(0));
    h_expect_nothing(h);
    /* The retransmitted segment 0 fills the first hole: the ACK stops at
     * the second (3), below recover (RFC 6582 3.2 step 5): segment 3 is
     * resent at once, without waiting for three more duplicates. */
    h_advance(h, SYNACK_MSEC(100));
    dupack(h, SEG(3));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(3), SEG(4));
    h_expect_nothing(h);
    /* Step 5 also re-arms the retransmission timer (300 ms from now):
     * nothing before, the timer fires on time. */
    h_advance(h, SYNACK_USEC(299999));
    h_expect_nothing(h);
    h_advance(h, SYNACK_USEC(1));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(3), SEG(4));
    h_free(h);
}

TEST(partial_ack_deflates_window)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 14600), 14600);
    for (int i = 0; i < 10; i++)
        h_expect(h, "%s %u:%u(1460) ack 1001", i == 9 ? "P." : ".", SEG(i), SEG(i + 1));
    h_advance(h, SYNACK_MSEC(100));
    /* Segments 0 and 5 lost: eight duplicates, the third resends 0.
     * cwnd = 7300 + 3 * 1460, then + 5 * 1460 = 18980. */
    for (int i = 0; i < 8; i++)
        dupack(h, SEG(0));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(0), SEG(1));
    h_expect_nothing(h);
    /* 20 more segments queued: 18980 - 14600 = 4380 of room: three. */
    CHECK_EQ(synack_send(s, c, data, 29200), 29200);
    for (int i = 10; i < 13; i++)
        h_expect(h, ". %u:%u(1460) ack 1001", SEG(i), SEG(i + 1));
    h_expect_nothing(h);
    /* Partial ACK of five segments (7300 bytes): resend segment 5 and
     * deflate: cwnd = 18980 - 7300 + 1460 = 13140 (RFC 6582 step 5).
     * In flight from the new SND.UNA: 8 segments = 11680, so one more
     * new segment fits. */
    h_advance(h, SYNACK_MSEC(100));
    dupack(h, SEG(5));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(5), SEG(6));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(13), SEG(14));
    h_expect_nothing(h);
    /* Duplicates for the three new segments sent during recovery inflate
     * again, one segment each. */
    dupack(h, SEG(5));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(14), SEG(15));
    h_expect_nothing(h);
    h_free(h);
}

TEST_MAIN()
