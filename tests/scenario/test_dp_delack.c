/* test_dp_delack.c — when the receiver acknowledges, packet by packet:
 * delayed ACKs bounded at 40 ms (RFC 1122 4.2.3.2: less than 0.5 s) and
 * timed from the first unacknowledged segment, an ACK for every second
 * full-sized segment (RFC 5681 4.2), the ACK carried by our own data when
 * we send within the delay, TCP_QUICKACK acknowledging each segment at
 * once, and the FIN acknowledged at once.
 *
 * Delayed ACKs at 40 ms; no timestamps or window scaling (full-sized
 * segments are 1460 bytes, windows raw); peer 198.18.0.1:40000, ISN
 * 1000. */
#include "check.h"
#include "support/harness.h"

static int open_conn(harness *h, uint32_t *isn)
{
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>"), 0);
    synack_segment sa = h_pop(h);
    CHECK_EQ(sa.flags, SYNACK_TCP_SYN | SYNACK_TCP_ACK);
    *isn = sa.seq;
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", *isn + 1), 0);
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

TEST(single_segment_acked_after_40ms)
{
    harness *h = new_h();
    uint32_t isn;
    open_conn(h, &isn);
    uint32_t a = isn + 1;
    CHECK_EQ(h_inject(h, "P. 1001:1101(100) ack %u", a), 0);
    h_expect_nothing(h);
    /* The timer runs from the first unacknowledged segment; a second one
     * 30 ms later does not restart it. */
    h_advance(h, SYNACK_MSEC(30));
    CHECK_EQ(h_inject(h, "P. 1101:1201(100) ack %u", a), 0);
    h_expect_nothing(h);
    h_advance(h, SYNACK_USEC(9999));
    h_expect_nothing(h);
    h_advance(h, SYNACK_USEC(1));
    h_expect(h, ". %u:%u(0) ack 1201 win 65335 <>", a, a);
    h_advance(h, SYNACK_SEC(1));
    h_expect_nothing(h);
    h_free(h);
}

TEST(every_second_full_segment)
{
    harness *h = new_h();
    uint32_t isn;
    open_conn(h, &isn);
    uint32_t a = isn + 1;
    CHECK_EQ(h_inject(h, ". 1001:2461(1460) ack %u", a), 0);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 2461:3921(1460) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 3921 win 62615 <>", a, a);
    /* The ACK stopped the timer: nothing at 40 ms. */
    h_advance(h, SYNACK_MSEC(40));
    h_expect_nothing(h);
    /* Third and fourth: the pair rule again; a fifth waits for the
     * timer. */
    CHECK_EQ(h_inject(h, ". 3921:5381(1460) ack %u", a), 0);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 5381:6841(1460) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 6841 win 59695 <>", a, a);
    CHECK_EQ(h_inject(h, "P. 6841:8301(1460) ack %u", a), 0);
    h_expect_nothing(h);
    h_advance(h, SYNACK_MSEC(40));
    h_expect(h, ". %u:%u(0) ack 8301 win 58235 <>", a, a);
    h_free(h);
}

TEST(ack_rides_on_data_sent_within_the_delay)
{
    harness *h = new_h();
    uint32_t isn;
    int c = open_conn(h, &isn);
    uint32_t a = isn + 1;
    CHECK_EQ(h_inject(h, "P. 1001:1101(100) ack %u", a), 0);
    h_expect_nothing(h);
    h_advance(h, SYNACK_MSEC(10));
    CHECK_EQ(synack_send(h_stack(h), c, "reply", 5), 5);
    h_expect(h, "P. %u:%u(5) ack 1101 win 65435 <>", a, a + 5);
    h_advance(h, SYNACK_MSEC(100));
    h_expect_nothing(h);        /* no separate delayed ACK */
    h_free(h);
}

TEST(quickack_acknowledges_every_segment)
{
    harness *h = new_h();
    uint32_t isn;
    int c = open_conn(h, &isn);
    uint32_t a = isn + 1;
    CHECK_EQ(synack_setopt(h_stack(h), c, SYNACK_TCP_QUICKACK, 1), 0);
    int v = 0;
    CHECK_EQ(synack_getopt(h_stack(h), c, SYNACK_TCP_QUICKACK, &v), 0);
    CHECK_EQ(v, 1);
    CHECK_EQ(h_inject(h, "P. 1001:1101(100) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1101 win 65435 <>", a, a);
    CHECK_EQ(h_inject(h, "P. 1101:1201(100) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1201 win 65335 <>", a, a);
    /* Off again: back to delaying. */
    CHECK_EQ(synack_setopt(h_stack(h), c, SYNACK_TCP_QUICKACK, 0), 0);
    CHECK_EQ(h_inject(h, "P. 1201:1301(100) ack %u", a), 0);
    h_expect_nothing(h);
    h_advance(h, SYNACK_MSEC(40));
    h_expect(h, ". %u:%u(0) ack 1301 win 65235 <>", a, a);
    h_free(h);
}

TEST(fin_acknowledged_at_once)
{
    harness *h = new_h();
    uint32_t isn;
    open_conn(h, &isn);
    uint32_t a = isn + 1;
    CHECK_EQ(h_inject(h, "P. 1001:1101(100) ack %u", a), 0);
    h_expect_nothing(h);
    /* RFC 9293 3.10.7.4 eighth step: "send an acknowledgment for the
     * FIN" — not delayed. */
    CHECK_EQ(h_inject(h, "F. 1101:1101(0) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1102 <>", a, a);
    h_advance(h, SYNACK_MSEC(40));
    h_expect_nothing(h);
    h_free(h);
}

TEST_MAIN()
