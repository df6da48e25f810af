/* test_dp_sack_recovery.c — SACK-based loss recovery (RFC 6675), packet
 * by packet: a duplicate ACK whose blocks show more than (DupThresh - 1)
 * SMSS above SND.UNA starts recovery (IsLost, section 4); every hole below
 * the highest SACKed byte is resent once, lowest first (NextSeg rule 1),
 * then new data while cwnd - pipe leaves a segment (rule 2, step C);
 * pipe counts resent holes and unSACKed data above them; cumulative ACKs
 * during recovery let more go out; the full ACK ends recovery. Beyond RFC
 * 6675: a resend lost again is resent once data sent after it is SACKed,
 * and a recovery whose every resend comes back D-SACKed is undone.
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

/* A resend lost again is found by what was sent after it: once more
 * than 2 SMSS of data sent after the last resend is SACKed while the
 * resent bytes at SND.UNA are still missing, the holes are resent at once
 * (tcp_recovery.c:detect_lost_resends) instead of after an RTO. */
TEST(lost_resend_is_resent_again_without_a_timeout)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 29200), 29200);
    for (int i = 0; i < 10; i++)                    /* the initial window */
        h_expect(h, ". %u:%u(1460) ack 1001", SEG(i), SEG(i + 1));
    h_expect_nothing(h);
    h_advance(h, SYNACK_MSEC(100));
    /* Segment 0 lost: 3 SACKed segments start recovery; FlightSize 14600
     * -> cwnd 7300; the hole goes out at once; pipe = 6 unSACKed segments
     * above + the resend: nothing more. SND.MAX at the resend is SEG(10). */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", SEG(0), SEG(1),
                      SEG(4)), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(0), SEG(1));
    h_expect_nothing(h);
    /* 1..9 SACKed: pipe = the resend: four new segments (pipe 7300). */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", SEG(0), SEG(1),
                      SEG(10)), 0);
    for (int i = 10; i < 14; i++)
        h_expect(h, ". %u:%u(1460) ack 1001", SEG(i), SEG(i + 1));
    h_expect_nothing(h);
    /* The resend is lost. 10 and 11 arrive: 2 SMSS sent after the resend
     * are SACKed, not more than 2 SMSS: the resend may only be late.
     * pipe = 2 unSACKed above + the resend = 4380: two new segments. */
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", SEG(0), SEG(1),
                      SEG(12)), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(14), SEG(15));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(15), SEG(16));
    h_expect_nothing(h);
    /* 12 arrives too: 3 SMSS sent after the resend are SACKed: the resend
     * is lost. Segment 0 goes again at once, then new data while pipe
     * (3 unSACKed above + the new resend) leaves room: one segment. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", SEG(0), SEG(1),
                      SEG(13)), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(0), SEG(1));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(16), SEG(17));
    h_expect_nothing(h);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_lost_retransmits, 1);
    CHECK_U64(st.tcp_retransmits, 2);
    CHECK_U64(st.tcp_rto_timeouts, 0);
    CHECK_U64(st.tcp_fast_retransmits, 1);
    /* More SACKs of later data do not resend it a third time: the new
     * resend is newer than all of it. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", SEG(0), SEG(1),
                      SEG(16)), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(17), SEG(18));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(18), SEG(19));
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(19), SEG(20));
    h_expect_nothing(h);
    /* The second resend arrives: all acknowledged up to 16, beyond the
     * recovery point SEG(10): recovery ends (nothing more to send: all 20
     * segments are out). */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", SEG(16)), 0);
    h_expect_nothing(h);
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_lost_retransmits, 1);
    CHECK_U64(st.tcp_retransmits, 2);
    /* It did end: segment 16 lost with 17..19 SACKed starts a second
     * recovery (inside the first, the SACKs would only have fed it). */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", SEG(16), SEG(17),
                      SEG(20)), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(16), SEG(17));
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_fast_retransmits, 2);
    h_free(h);
}

/* The ten-segment initial window with segment 0 late or lost: 1..3 are
 * SACKed first, recovery starts (NewReno: cwnd 7300) and resends segment
 * 0; then a full ACK of all ten ends it with cwnd = min(ssthresh 7300,
 * FlightSize 0 + 2 SMSS) = 2920. Whether segment 0 was lost or only late
 * is what a D-SACK for the resend tells afterwards. */
static void first_of_ten_resent(harness *h, int c, uint32_t a)
{
    CHECK_EQ(synack_send(h_stack(h), c, data, 14600), 14600);
    for (int i = 0; i < 10; i++)                    /* cwnd 14600, the IW */
        h_pop(h);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", SEG(0), SEG(1),
                      SEG(4)), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(0), SEG(1));
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", SEG(10)), 0);
    h_expect_nothing(h);
}

/* A recovery set off by reordering is undone when D-SACKs show that every
 * resend was a duplicate (RFC 3708, RFC 2883): the congestion window from
 * before the reduction comes back. A D-SACK for data the recovery did not
 * resend (a duplicate made by the network) does not count. */
TEST(dsack_of_every_resend_undoes_the_recovery)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    first_of_ten_resent(h, c, a);
    /* A D-SACK for segment 5, which was never resent: not ours to count. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", SEG(10), SEG(5),
                      SEG(6)), 0);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_spurious_recoveries, 0);
    /* The resend arrives as a duplicate: its D-SACK covers every byte the
     * recovery resent, so the recovery is undone: cwnd 14600 again. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", SEG(10), SEG(0),
                      SEG(1)), 0);
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_spurious_recoveries, 1);
    CHECK_U64(st.tcp_fast_retransmits, 1);
    CHECK_EQ(synack_send(s, c, data, 29200), 29200);
    for (int i = 10; i < 20; i++)
        h_expect(h, ". %u:%u(1460) ack 1001", SEG(i), SEG(i + 1));
    h_expect_nothing(h);
    h_free(h);
}

/* A real loss stays a loss: without a D-SACK for the resend, the reduced
 * window stays: two segments. */
TEST(recovery_without_dsack_keeps_its_reduction)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    first_of_ten_resent(h, c, a);
    CHECK_EQ(synack_send(s, c, data, 29200), 29200);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(10), SEG(11));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(11), SEG(12));
    h_expect_nothing(h);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_spurious_recoveries, 0);
    h_free(h);
}

TEST_MAIN()
