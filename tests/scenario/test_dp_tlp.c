/* test_dp_tlp.c — tail loss probes (RFC 8985 section 7): with SACK and an
 * RTT sample, a probe goes out 2*SRTT after the last send when the tail
 * is unacknowledged; when its answer still shows a hole under SACKed
 * data, the hole is retransmitted at once instead of after the RTO.
 * SACK only (no timestamps, no window scaling); peer ISN 1000; the stack
 * is the server; handshake and first data RTT 100 ms (SRTT 100 ms, RTO
 * 250 ms). */
#include "check.h"
#include "support/harness.h"

static uint8_t data[8000];

static int open_conn(harness *h, uint32_t *a)
{
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460,sackOK>"), 0);
    *a = h_pop(h).seq + 1;
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", *a), 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    /* One segment and its ACK 100 ms later: the RTT sample. */
    CHECK_EQ(synack_send(s, c, data, 100), 100);
    h_expect(h, "P. %u:%u(100) ack 1001", *a, *a + 100);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", *a + 100), 0);
    *a += 100;
    return c;
}

/* SACK only, no delayed ACK, window scaling or timestamps. */
static harness *new_h(void)
{
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = H_DEFAULT_LOCAL_ADDR;
    cfg.rcvbuf = cfg.sndbuf = 65535;
    cfg.delack = 0;
    cfg.wscale = -1;
    cfg.timestamps = 0;
    return h_new(&cfg);
}

TEST(probe_after_two_srtt_then_the_hole_goes_at_once)
{
    harness *h = new_h();
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 2920), 2920);
    h_expect(h, ". %u:%u(1460) ack 1001", a, a + 1460);
    h_expect(h, "P. %u:%u(1460) ack 1001", a + 1460, a + 2920);
    /* The first segment is lost: one duplicate ACK SACKs the second. */
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", a, a + 1460,
                      a + 2920), 0);
    h_expect_nothing(h);
    /* 2*SRTT = 200 ms after the last send (a duplicate ACK does not move
     * it), before the RTO at 250 ms: the probe resends the last segment,
     * there being no new data to send. */
    h_advance(h, SYNACK_MSEC(100) - 1);
    h_expect_nothing(h);
    h_advance(h, 1);
    h_expect(h, "P. %u:%u(1460) ack 1001", a + 1460, a + 2920);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_tlp_probes, 1);
    /* Its answer still has the hole under SACKed data: the hole is lost,
     * resent now (recovery), not at the RTO. */
    h_advance(h, SYNACK_MSEC(20));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", a, a + 1460,
                      a + 2920), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", a, a + 1460);
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_fast_retransmits, 1);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 2920), 0);
    h_expect_nothing(h);
    h_free(h);
}

/* The same tail lost after shutdown (FIN-WAIT-1): the probe resends the
 * last segment with the FIN, and its answer sends the hole at once. */
TEST(probe_in_fin_wait_1_resends_the_fin_with_the_last_segment)
{
    harness *h = new_h();
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, data, 2920), 2920);
    h_expect(h, ". %u:%u(1460) ack 1001", a, a + 1460);
    h_expect(h, "P. %u:%u(1460) ack 1001", a + 1460, a + 2920);
    CHECK_EQ(synack_shutdown(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 1001", a + 2920, a + 2920);
    CHECK_EQ(synack_get_state(s, c), SYNACK_FIN_WAIT_1);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", a, a + 1460,
                      a + 2921), 0);
    h_expect_nothing(h);
    /* 2*SRTT after the FIN went out: the probe, the last data segment
     * with the FIN. */
    h_advance(h, SYNACK_MSEC(100) - 1);
    h_expect_nothing(h);
    h_advance(h, 1);
    h_expect(h, "FP. %u:%u(1460) ack 1001", a + 1460, a + 2920);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_tlp_probes, 1);
    CHECK_U64(st.tcp_rto_timeouts, 0);
    h_advance(h, SYNACK_MSEC(20));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", a, a + 1460,
                      a + 2921), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", a, a + 1460);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 2921), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_FIN_WAIT_2);
    h_free(h);
}

TEST_MAIN()
