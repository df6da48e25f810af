/* test_dp_prr.c — proportional rate reduction in SACK recovery (RFC
 * 6937), packet by packet, with CUBIC (ssthresh = 0.7 cwnd). While pipe
 * is above ssthresh, each ACK lets out ssthresh / RecoverFS of what it
 * reports delivered (the fast retransmit counts against it); once pipe is
 * at or below ssthresh, sending follows the delivered data and at most
 * slow start (PRR-SSRB). RFC 6675 alone would send nothing until pipe fell
 * a segment below ssthresh, two ACKs later here.
 *
 * SACK, no timestamps or window scaling: 1460-byte segments; peer ISN
 * 1000, handshake RTT 100 ms. */
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
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460,sackOK>"), 0);
    *a = h_pop(h).seq + 1;
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", *a), 0);
    h_expect_nothing(h);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    return c;
}

#define SEG(i) (a + (uint32_t)(i) * 1460u)

/* A duplicate ACK for segment 10 (lost) SACKing 11 up to segment r. */
static void sack_upto(harness *h, uint32_t a, int r)
{
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", SEG(10), SEG(11),
                      SEG(r)), 0);
}

static void expect_segs(harness *h, uint32_t a, int from, int to)
{
    for (int i = from; i < to; i++)
        h_expect(h, ". %u:%u(1460) ack 1001", SEG(i), SEG(i + 1));
    h_expect_nothing(h);
}

TEST(sending_in_recovery_is_proportional_to_delivered_data)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 44 * 1460), 44 * 1460);
    expect_segs(h, a, 0, 10);                       /* IW 10 */
    /* Slow start: five ACKs of two segments each, cwnd 14600 -> 29200. */
    h_advance(h, SYNACK_MSEC(100));
    for (int i = 2; i <= 10; i += 2) {
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", SEG(i)), 0);
        expect_segs(h, a, 10 + 2 * (i - 2), 14 + 2 * (i - 2));
    }
    /* 10..29 in flight (RecoverFS 29200). Segment 10 is lost; the others
     * are SACKed one ACK at a time. */
    h_advance(h, SYNACK_MSEC(100));
    sack_upto(h, a, 12);
    sack_upto(h, a, 13);
    h_expect_nothing(h);
    /* Third duplicate: recovery, ssthresh = 0.7 * 29200 = 20440; the hole
     * goes at once (prr_out 1460 against prr_delivered 1460). */
    sack_upto(h, a, 14);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(10), SEG(11));
    h_expect_nothing(h);
    /* pipe 15 segments + the resend > ssthresh: ceil(2920 * 0.7) - 1460 =
     * 584, less than a segment. */
    sack_upto(h, a, 15);
    h_expect_nothing(h);
    /* ceil(4380 * 0.7) - 1460 = 1606: one new segment, while pipe (14 +
     * 1 = 21900) is still above ssthresh — RFC 6675 alone would wait. */
    sack_upto(h, a, 16);
    expect_segs(h, a, 30, 31);
    /* ceil(5840 * 0.7) - 2920 = 1168: nothing. */
    sack_upto(h, a, 17);
    h_expect_nothing(h);
    /* pipe = 13 + 1 segments = ssthresh: PRR-SSRB, ssthresh - pipe = 0. */
    sack_upto(h, a, 18);
    h_expect_nothing(h);
    /* Below ssthresh: one segment per segment delivered. */
    sack_upto(h, a, 19);
    expect_segs(h, a, 31, 32);
    sack_upto(h, a, 20);
    expect_segs(h, a, 32, 33);
    /* A stretch ACK reporting four more segments at once: PRR-SSRB lets
     * out min(ssthresh - pipe, max(prr_delivered - prr_out,
     * DeliveredData) + SMSS). prr_delivered 16060 (11 segments), prr_out
     * 5840 (the resend and 30..32); pipe = 24..32 + the resend = 14600:
     * min(5840, 10220 + 1460) = 5840, four segments. */
    sack_upto(h, a, 24);
    expect_segs(h, a, 33, 37);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_fast_retransmits, 1);
    CHECK_U64(st.tcp_retransmits, 1);
    h_free(h);
}

TEST_MAIN()
