/* test_batch.c — input batches (synack_batch_begin / synack_batch_end):
 * in-order data of an ESTABLISHED connection is acknowledged once, at the
 * end of the batch (a stretch ACK), and a sender answers the new ACKs of
 * a batch with one burst; everything RFC 5681 4.2 and RFC 9293 3.10.7.4
 * want answered at once still is — out-of-order data (duplicate ACK),
 * a filled hole, a FIN, a duplicate ACK's fast retransmit — and a RST
 * in the batch leaves nothing behind. API misuse gets its error codes.
 *
 * Delayed ACKs at 40 ms, no timestamps or window scaling (full segments
 * carry 1460 bytes); peer 198.18.0.1:40000, ISN 1000. */
#include "check.h"
#include "support/harness.h"

static int open_conn(harness *h, uint32_t *isn, unsigned peer_wnd)
{
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win %u <mss 1460>", peer_wnd), 0);
    synack_segment sa = h_pop(h);
    CHECK_EQ(sa.flags, SYNACK_TCP_SYN | SYNACK_TCP_ACK);
    *isn = sa.seq;
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win %u", *isn + 1, peer_wnd), 0);
    h_expect_nothing(h);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    return c;
}

static harness *new_h(void)
{
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = H_DEFAULT_LOCAL_ADDR;
    cfg.rcvbuf = cfg.sndbuf = 65535;
    cfg.delack = SYNACK_MSEC(40);
    return h_new(&cfg);
}

TEST(in_order_data_gets_one_ack_at_the_end)
{
    harness *h = new_h();
    uint32_t isn;
    int c = open_conn(h, &isn, 65535);
    uint32_t a = isn + 1;
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_batch_begin(s), 0);
    for (uint32_t i = 0; i < 5; i++)
        CHECK_EQ(h_inject(h, ". %u:%u(1460) ack %u", 1001 + i * 1460, 2461 + i * 1460, a), 0);
    /* Without the batch, the 2nd and 4th segments would each draw an ACK. */
    h_expect_nothing(h);
    CHECK_EQ(synack_batch_end(s), 0);
    h_expect(h, ". %u:%u(0) ack 8301 win 58235 <>", a, a);
    h_expect_nothing(h);
    uint8_t buf[8000];
    CHECK_EQ(synack_recv(s, c, buf, sizeof buf), 7300);
    h_expect(h, ". %u:%u(0) ack 8301 win 65535 <>", a, a);    /* window update */
    /* The stretch ACK cleared the pending ACK: no timer left behind. */
    h_advance(h, SYNACK_MSEC(100));
    h_expect_nothing(h);
    h_free(h);
}

TEST(out_of_order_data_and_filled_hole_are_acked_at_once)
{
    harness *h = new_h();
    uint32_t isn;
    open_conn(h, &isn, 65535);
    uint32_t a = isn + 1;
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_batch_begin(s), 0);
    CHECK_EQ(h_inject(h, ". 1001:2461(1460) ack %u", a), 0);
    h_expect_nothing(h);
    /* A hole at 2461: the duplicate ACK leaves now (RFC 5681 4.2). */
    CHECK_EQ(h_inject(h, ". 3921:5381(1460) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 2461 <>", a, a);
    /* The segment filling it is acknowledged now too. */
    CHECK_EQ(h_inject(h, ". 2461:3921(1460) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 5381 <>", a, a);
    CHECK_EQ(synack_batch_end(s), 0);
    h_expect_nothing(h);
    h_free(h);
}

TEST(fin_in_a_batch_is_acked_at_once)
{
    harness *h = new_h();
    uint32_t isn;
    open_conn(h, &isn, 65535);
    uint32_t a = isn + 1;
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_batch_begin(s), 0);
    CHECK_EQ(h_inject(h, ". 1001:2461(1460) ack %u", a), 0);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, "F. 2461:2461(0) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 2462 <>", a, a);
    CHECK_EQ(synack_batch_end(s), 0);
    h_expect_nothing(h);
    h_free(h);
}

TEST(sender_answers_the_new_acks_of_a_batch_with_one_burst)
{
    harness *h = new_h();
    uint32_t isn;
    int c = open_conn(h, &isn, 2920);   /* the peer's window: two segments */
    synack_stack *s = h_stack(h);
    uint32_t a = isn + 1;
    static uint8_t data[4 * 1460];
    CHECK_EQ(synack_send(s, c, data, sizeof data), (long)sizeof data);
    h_expect(h, ". %u:%u(1460) ack 1001", a, a + 1460);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 1460, a + 2920);
    h_expect_nothing(h);
    CHECK_EQ(synack_batch_begin(s), 0);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 2920", a + 1460), 0);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 2920", a + 2920), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_batch_end(s), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 2920, a + 4380);
    h_expect(h, "P. %u:%u(1460) ack 1001", a + 4380, a + 5840);
    h_expect_nothing(h);
    h_free(h);
}

TEST(duplicate_acks_in_a_batch_retransmit_at_once)
{
    harness *h = new_h();
    uint32_t isn;
    int c = open_conn(h, &isn, 65535);
    synack_stack *s = h_stack(h);
    uint32_t a = isn + 1;
    static uint8_t data[4 * 1460];
    CHECK_EQ(synack_send(s, c, data, sizeof data), (long)sizeof data);
    for (int i = 0; i < 4; i++)
        (void)h_pop(h);
    h_expect_nothing(h);
    CHECK_EQ(synack_batch_begin(s), 0);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 1460), 0);
    h_expect_nothing(h);    /* a new ACK: its output may wait */
    for (int i = 0; i < 3; i++)
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 1460), 0);
    /* The third duplicate: fast retransmit now (RFC 5681 3.2), not at the
     * end of the batch. */
    h_expect(h, ". %u:%u(1460) ack 1001", a + 1460, a + 2920);
    CHECK_EQ(synack_batch_end(s), 0);
    h_expect_nothing(h);
    h_free(h);
}

/* NewReno inflates cwnd by one segment per further duplicate ACK in fast
 * recovery (RFC 6582 3.2 step 4), and the output those ACKs release is
 * new data: it leaves with the duplicate that allowed it, not at the end
 * of the batch (duplicates are never deferred). */
TEST(inflating_duplicate_acks_send_new_data_at_once)
{
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = H_DEFAULT_LOCAL_ADDR;
    cfg.rcvbuf = cfg.sndbuf = 65535;
    cfg.delack = SYNACK_MSEC(40);
    cfg.cc = SYNACK_CC_NEWRENO;
    harness *h = h_new(&cfg);
    uint32_t isn;
    int c = open_conn(h, &isn, 65535);
    synack_stack *s = h_stack(h);
    uint32_t a = isn + 1;
    static uint8_t data[30 * 1460];
    CHECK_EQ(synack_send(s, c, data, sizeof data), (long)sizeof data);
    for (int i = 0; i < 10; i++)        /* the initial window */
        (void)h_pop(h);
    h_expect_nothing(h);
    CHECK_EQ(synack_batch_begin(s), 0);
    /* A new ACK: slow start opens two segments, whose sending may wait. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 1460), 0);
    h_expect_nothing(h);
    /* The first duplicate is answered at once, and takes them along. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 1460), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 14600, a + 16060);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 16060, a + 17520);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 1460), 0);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 1460), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 1460, a + 2920);     /* fast retransmit */
    h_expect_nothing(h);
    /* Inflation: ssthresh = 11 x 1460 / 2, cwnd = ssthresh + 3 segments,
     * +1 segment per duplicate; from the fourth further duplicate on,
     * each releases one new segment, at once. */
    for (uint32_t i = 0; i < 3; i++) {
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 1460), 0);
        h_expect_nothing(h);
    }
    for (uint32_t i = 0; i < 5; i++) {
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 1460), 0);
        h_expect(h, ". %u:%u(1460) ack 1001", a + 17520 + i * 1460, a + 18980 + i * 1460);
        h_expect_nothing(h);
    }
    CHECK_EQ(synack_batch_end(s), 0);
    h_expect_nothing(h);
    h_free(h);
}

TEST(rst_in_a_batch_leaves_nothing_to_send)
{
    harness *h = new_h();
    uint32_t isn;
    int c = open_conn(h, &isn, 65535);
    uint32_t a = isn + 1;
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_batch_begin(s), 0);
    CHECK_EQ(h_inject(h, ". 1001:2461(1460) ack %u", a), 0);
    CHECK_EQ(h_inject(h, ". 2461:3921(1460) ack %u", a), 0);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, "R 3921:3921(0)"), 0);
    CHECK_EQ(synack_batch_end(s), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    h_free(h);
}

TEST(time_moving_ends_the_batch_and_misuse_is_refused)
{
    harness *h = new_h();
    uint32_t isn;
    open_conn(h, &isn, 65535);
    uint32_t a = isn + 1;
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_batch_end(s), SYNACK_EINVAL);
    CHECK_EQ(synack_batch_begin(s), 0);
    CHECK_EQ(synack_batch_begin(s), SYNACK_EALREADY);
    CHECK_EQ(h_inject(h, ". 1001:2461(1460) ack %u", a), 0);
    CHECK_EQ(h_inject(h, ". 2461:3921(1460) ack %u", a), 0);
    h_expect_nothing(h);
    /* synack_advance ends the open batch before the clock moves. */
    h_advance(h, SYNACK_USEC(1));
    h_expect(h, ". %u:%u(0) ack 3921 <>", a, a);
    CHECK_EQ(synack_batch_end(s), SYNACK_EINVAL);
    h_free(h);
}

TEST_MAIN()
