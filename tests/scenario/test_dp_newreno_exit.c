/* test_dp_newreno_exit.c — a regression test: the engine used to get this wrong.
 *
 * RFC 6582 section 3.2 step 3 (full acknowledgment): "Set cwnd to either
 * (1) min (ssthresh, max(FlightSize, SMSS) + SMSS) or (2) ssthresh".
 * The engine (tcp_recovery.c recovery_on_ack) uses min(ssthresh,
 * FlightSize + SMSS): when the full ACK leaves nothing in flight, cwnd
 * becomes 1 SMSS instead of at least 2, so the sender restarts from one
 * segment (as after a timeout) although the loss was repaired by fast
 * recovery. Here: ten segments, 0 and 3 lost; fast retransmit of 0, the
 * partial ACK resends 3, the full ACK leaves FlightSize = 0, ssthresh =
 * 7300: cwnd must be min(7300, 1460 + 1460) = 2920 (two segments) or
 * 7300 (five); the engine sends one. Peer port 40001 keeps this clear of
 * the recover-initialization bug (test_dp_recover_init.c). */
#include "check.h"
#include "support/harness.h"

static uint8_t data[1 << 15];

TEST(full_ack_with_empty_flight_leaves_two_segments)
{
    harness *h = h_new(NULL);
    synack_stack *s = h_stack(h);
    h->peer_port = 40001;
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_setopt(s, l, SYNACK_TCP_CONGESTION, SYNACK_CC_NEWRENO), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>"), 0);
    uint32_t a = h_pop(h).seq + 1;
    CHECK(a < 0x80000000u);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a), 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    CHECK_EQ(synack_send(s, c, data, 14600), 14600);
    for (int i = 0; i < 10; i++)
        h_pop(h);
    h_advance(h, SYNACK_MSEC(100));
    for (int i = 0; i < 8; i++)
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", a, a + 1460);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 4380), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 4380, a + 5840);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 14600), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_send(s, c, data, 14600), 14600);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 14600, a + 16060);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 16060, a + 17520);
    h_free(h);
}

TEST_MAIN()
