/* test_dp_rto.c — the retransmission timer, packet by packet (RFC 6298):
 * RTO = SRTT + 4 RTTVAR from the handshake's sample, firing at the exact
 * nanosecond; each expiry resends the first unacknowledged segment and
 * doubles the RTO (5.5) up to rto_max; after a timeout cwnd is one
 * segment and transmission goes back to SND.UNA (RFC 5681 3.1), so the
 * ACK of the resent segment releases the next two segments again
 * (go-back-N); Karn's rule keeps the backed-off RTO until a fresh sample;
 * data_retries expiries end the connection with ETIMEDOUT, or the
 * connection's own SYNACK_TCP_RETRIES (MUST-21); the third expiry of one
 * segment raises SYNACK_EV_TROUBLE (SHLD-9).
 *
 * No timestamps, SACK or window scaling: 1460-byte segments. The
 * handshake takes 100 ms: SRTT 100, RTTVAR 50, RTO 300 ms. Peer
 * 198.18.0.1:40000, ISN 1000. */
#include "check.h"
#include "support/harness.h"

static uint8_t data[1 << 15];

static harness *new_h(synack_time rto_max, uint32_t retries)
{
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = H_DEFAULT_LOCAL_ADDR;
    cfg.rcvbuf = cfg.sndbuf = 65535;
    cfg.delack = 0;
    cfg.rto_max = rto_max;
    cfg.data_retries = retries;
    return h_new(&cfg);
}

static int open_conn(harness *h, uint32_t *a)
{
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>"), 0);
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

/* The lone segment 0 (sent with PSH) resent dt after the last send. */
static void expect_lone_resend_after(harness *h, synack_time dt, uint32_t a)
{
    h_advance(h, dt);
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(0), SEG(1));
}

/* Empties the ready queue: what follows counts only new changes. */
static void drain_ready(synack_stack *s)
{
    synack_ready_event ev[4];
    while (synack_ready(s, ev, 4) > 0)
        ;
}

/* Advances to 1 us before dt: nothing; then the last microsecond: the
 * first segment again. */
static void expect_rexmit_after(harness *h, synack_time dt, uint32_t a)
{
    h_advance(h, dt - SYNACK_USEC(1));
    h_expect_nothing(h);
    h_advance(h, SYNACK_USEC(1));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(0), SEG(1));
    h_expect_nothing(h);
}

TEST(backoff_doubles_then_go_back_n)
{
    harness *h = new_h(SYNACK_SEC(60), 15);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 4380), 4380);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(0), SEG(1));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(1), SEG(2));
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(2), SEG(3));
    /* Nothing comes back. Only the first segment is resent (cwnd = 1
     * SMSS after a timeout), at 300, 600, 1200, 2400 ms intervals. */
    expect_rexmit_after(h, SYNACK_MSEC(300), a);
    expect_rexmit_after(h, SYNACK_MSEC(600), a);
    expect_rexmit_after(h, SYNACK_MSEC(1200), a);
    expect_rexmit_after(h, SYNACK_MSEC(2400), a);
    /* The ACK of segment 0: slow start from one segment gives cwnd = 2
     * SMSS, and sending resumes from SND.UNA: segments 1 and 2 again. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", SEG(1)), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(1), SEG(2));
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(2), SEG(3));
    h_expect_nothing(h);
    /* Karn: the ACK of a resent segment gives no sample, so the RTO stays
     * backed off at 4800 ms (RFC 6298 section 5 note, Karn's algorithm). */
    h_advance(h, SYNACK_USEC(4799999));
    h_expect_nothing(h);
    h_advance(h, SYNACK_USEC(1));
    h_expect(h, ". %u:%u(1460) ack 1001", SEG(1), SEG(2));
    h_expect_nothing(h);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_retransmits, 7);
    CHECK_U64(st.tcp_rto_timeouts, 5);          /* the two go-back-N resends were not */
    CHECK_U64(st.tcp_fast_retransmits, 0);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    h_free(h);
}

TEST(backoff_capped_by_rto_max)
{
    harness *h = new_h(SYNACK_SEC(2), 15);
    uint32_t a;
    int c = open_conn(h, &a);
    CHECK_EQ(synack_send(h_stack(h), c, data, 1460), 1460);
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(0), SEG(1));
    expect_lone_resend_after(h, SYNACK_MSEC(300), a);
    expect_lone_resend_after(h, SYNACK_MSEC(600), a);
    expect_lone_resend_after(h, SYNACK_MSEC(1200), a);
    /* 2400 would exceed rto_max: 2000, and 2000 again. */
    h_advance(h, SYNACK_MSEC(2000) - 1);
    h_expect_nothing(h);
    h_advance(h, 1);
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(0), SEG(1));
    expect_lone_resend_after(h, SYNACK_MSEC(2000), a);
    h_expect_nothing(h);
    h_free(h);
}

TEST(gives_up_after_data_retries)
{
    harness *h = new_h(SYNACK_SEC(60), 3);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 1460), 1460);
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(0), SEG(1));
    expect_lone_resend_after(h, SYNACK_MSEC(300), a);
    expect_lone_resend_after(h, SYNACK_MSEC(600), a);
    expect_lone_resend_after(h, SYNACK_MSEC(1200), a);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    /* The fourth expiry exceeds 3 retries: the connection fails. */
    h_advance(h, SYNACK_MSEC(2400));
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ETIMEDOUT);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.conns_timeout, 1);
    CHECK_U64(st.tcp_rto_timeouts, 3);          /* the fourth expiry gave up instead */
    CHECK_EQ(synack_close(s, c), 0);
    synack_stats_get(s, &st);
    CHECK_U64(st.conns_live, 0);
    h_free(h);
}

TEST(fresh_sample_after_backoff_resets_rto)
{
    harness *h = new_h(SYNACK_SEC(60), 15);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 1460), 1460);
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(0), SEG(1));
    expect_lone_resend_after(h, SYNACK_MSEC(300), a);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", SEG(1)), 0);
    /* New data, timed; its ACK after 100 ms is a valid sample: SRTT =
     * 7/8 100 + 1/8 100 = 100, RTTVAR = 3/4 50 = 37.5, RTO = 250 ms. */
    CHECK_EQ(synack_send(s, c, data, 1460), 1460);
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(1), SEG(2));
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", SEG(2)), 0);
    CHECK_EQ(synack_send(s, c, data, 1460), 1460);
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(2), SEG(3));
    h_advance(h, SYNACK_USEC(249999));
    h_expect_nothing(h);
    h_advance(h, SYNACK_USEC(1));
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(2), SEG(3));
    h_free(h);
}

/* RFC 1122 4.2.3.5 (d), RFC 9293 SHLD-9: at the R1 = 3rd timeout of the
 * same segment the application is told (SYNACK_EV_TROUBLE, through the
 * ready queue), before the connection fails; the ACK that finally comes
 * clears it. */
TEST(third_timeout_raises_trouble_until_the_ack)
{
    harness *h = new_h(SYNACK_SEC(60), 15);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 1460), 1460);
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(0), SEG(1));
    drain_ready(s);
    synack_ready_event ev[4];
    expect_lone_resend_after(h, SYNACK_MSEC(300), a);
    expect_lone_resend_after(h, SYNACK_MSEC(600), a);
    CHECK_EQ(synack_ready(s, ev, 4), 0);                 /* two: not yet */
    CHECK_EQ(synack_poll(s, c) & SYNACK_EV_TROUBLE, 0);
    expect_lone_resend_after(h, SYNACK_MSEC(1200), a);
    CHECK_EQ(synack_ready(s, ev, 4), 1);                 /* the third */
    CHECK_EQ(ev[0].handle, c);
    CHECK(ev[0].events & SYNACK_EV_TROUBLE);
    CHECK(ev[0].events & SYNACK_EV_CONNECTED);
    CHECK_EQ(synack_get_error(s, c), 0);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", SEG(1)), 0);
    CHECK_EQ(synack_ready(s, ev, 4), 1);
    CHECK_EQ(ev[0].events & SYNACK_EV_TROUBLE, 0);
    h_free(h);
}

/* RFC 9293 MUST-21: R2 per connection. With SYNACK_TCP_RETRIES 2 the
 * third timeout ends the connection (the stack's data_retries is 15);
 * the values outside 0..255 are refused, 0 restores the stack's. */
TEST(retries_option_sets_r2_for_one_connection)
{
    harness *h = new_h(SYNACK_SEC(60), 15);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    int v = 0;
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_RETRIES, &v), 0);
    CHECK_EQ(v, 15);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_RETRIES, 256), SYNACK_EINVAL);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_RETRIES, -1), SYNACK_EINVAL);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_RETRIES, 2), 0);
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_RETRIES, &v), 0);
    CHECK_EQ(v, 2);
    CHECK_EQ(synack_send(s, c, data, 1460), 1460);
    h_expect(h, "P. %u:%u(1460) ack 1001", SEG(0), SEG(1));
    expect_lone_resend_after(h, SYNACK_MSEC(300), a);
    expect_lone_resend_after(h, SYNACK_MSEC(600), a);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    h_advance(h, SYNACK_MSEC(1200));
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ETIMEDOUT);
    h_free(h);
}

/* An accepted connection takes the listener's value. */
TEST(retries_option_is_inherited_from_the_listener)
{
    harness *h = new_h(SYNACK_SEC(60), 15);
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_setopt(s, l, SYNACK_TCP_RETRIES, 4), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>"), 0);
    uint32_t a = h_pop(h).seq + 1;
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a), 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    int v = 0;
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_RETRIES, &v), 0);
    CHECK_EQ(v, 4);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_RETRIES, 0), 0);     /* back to the stack's */
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_RETRIES, &v), 0);
    CHECK_EQ(v, 15);
    h_free(h);
}

/* Set on a client before connect, the option bounds the SYN's timeouts
 * as well (syn_retries is 7 by default). */
TEST(retries_option_bounds_the_syn)
{
    harness *h = new_h(SYNACK_SEC(60), 15);
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int c = synack_socket(s);
    CHECK_EQ(synack_bind(s, c, 0, 80), 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_RETRIES, 1), 0);
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, 40000), SYNACK_EINPROGRESS);
    synack_segment syn = h_pop(h);
    h_advance(h, SYNACK_SEC(1));                        /* rto_initial */
    h_expect(h, "S %u:%u(0)", syn.seq, syn.seq);
    h_advance(h, SYNACK_SEC(2));
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ETIMEDOUT);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.conns_timeout, 1);
    CHECK_U64(st.tcp_rto_timeouts, 1);
    h_free(h);
}

TEST_MAIN()
