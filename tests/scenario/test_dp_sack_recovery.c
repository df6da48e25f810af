/* test_dp_sack_recovery.c — SACK-based loss recovery (RFC 6675), packet
 * by packet: a duplicate ACK whose blocks show more than (DupThresh - 1)
 * SMSS above SND.UNA starts recovery (IsLost, section 4); every hole below
 * the highest SACKed byte is resent once, lowest first (NextSeg rule 1),
 * then new data while cwnd - pipe leaves a segment (rule 2, step C);
 * pipe counts resent holes and unSACKed data above them; cumulative ACKs
 * during recovery let more go out; the full ACK ends recovery.
 *
 * NewReno module (ssthresh = FlightSize / 2), SACK without timestamps or
 * window scaling: 1460-byte segments. The handshake takes 100 ms (RTO 300
 * ms). Peer 198.18.0.1:40001 — its ISS lies below 2^31, clear of the
 * engine's recover-initialization bug (see
 * /work/briefs/pending/test_dp_recover_init.c) — ISN 1000. */
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
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460,sackOK>"), 0);
    *a = h_pop(h).seq + 1;
    CHECK(*a < 0x80000000u);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", *a), 0);
    h_expect_nothing(h);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    return c;
}

#define SEG(i) (a + (uint32_t)(i) * 1460u)

TEST(holes_resent_then_new_data)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 14600), 14600);
    for (int i = 0; i < 10; i++)
        h_expect(h, "%s %u:%u(1460) ack 1001", i == 9 ? "P." : ".", SEG(i), SEG(i + 1));
    h_advance(h, SYNACK_MSEC(100));
    /* Segment 0 arrives; 1 and 4 are lost; the ACKs for 2, 3 and 5..9
     * are lost too except the last, which carries both blocks (the most
     * recent first, as a receiver sends them). */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", SEG(1)), 0);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u %u:%u>", SEG(1), SEG(5),
                      SEG(10), SEG(2), SEG(4)), 0);
    /* 7 segments SACKed > 2 SMSS: segment 1 is lost (IsLost). FlightSize
     * 13140 -> ssthresh = cwnd = 6570. pipe = 0 (no unSACKed data above
     * the highest SACKed byte), so both holes go out at once, lowest
     * first; then pipe = 2920 and no new data is queued. */
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(1), SEG(2));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(4), SEG(5));
    h_expect_nothing(h);
    /* New data: cwnd 6570 - pipe 2920 leaves room for two segments
     * (pipe 4380, then 5840; 730 left is less than one). */
    CHECK_EQ(synack_send(s, c, data, 14600), 14600);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(10), SEG(11));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(11), SEG(12));
    h_expect_nothing(h);
    /* More duplicates with nothing new in their blocks change nothing:
     * each hole is resent only once. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u %u:%u>", SEG(1), SEG(5),
                      SEG(10), SEG(2), SEG(4)), 0);
    h_expect_nothing(h);
    /* The resent segment 1 arrives: the ACK moves to the second hole.
     * pipe = hole 4 (resent, 1460) + new segments 10, 11 (2920) = 4380:
     * one more new segment fits. */
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", SEG(4), SEG(5),
                      SEG(10)), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(12), SEG(13));
    h_expect_nothing(h);
    /* The resent segment 4 arrives: everything up to 10 is acknowledged,
     * at or beyond the recovery point: recovery ends with cwnd =
     * min(ssthresh 6570, FlightSize 4380 + 1460) = 5840: one more. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", SEG(10)), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(13), SEG(14));
    h_expect_nothing(h);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_retransmits, 2);
    h_free(h);
}

TEST(sacked_data_is_not_resent_after_more_losses)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 14600), 14600);
    for (int i = 0; i < 10; i++)
        h_pop(h);
    h_advance(h, SYNACK_MSEC(100));
    /* Segments 0, 3 and 6 lost; one ACK reports 1..2, 4..5 and 7..9. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u %u:%u %u:%u>", SEG(0),
                      SEG(7), SEG(10), SEG(4), SEG(6), SEG(1), SEG(3)), 0);
    /* FlightSize 14600 -> cwnd 7300; the three holes, lowest first. */
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(0), SEG(1));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(3), SEG(4));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(6), SEG(7));
    h_expect_nothing(h);
    /* All three arrive: one cumulative ACK for everything. */
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", SEG(10)), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_send_pending(s, c), 0);
    h_free(h);
}

TEST_MAIN()
