/* test_dp_sack_entry_rexmit.c — a regression test: the engine used to get this wrong.
 *
 * RFC 6675 section 5, on entering loss recovery:
 *   (4.3) "Retransmit the first data segment presumed dropped -- the
 *   segment starting with sequence number HighACK + 1. To prevent
 *   repeated retransmission of the same data or a premature
 *   retransmission timeout, set HighRxt to the highest sequence number in
 *   the retransmitted segment."
 * That retransmission is unconditional; only later transmissions are
 * limited by cwnd - pipe (step C). The engine (tcp_recovery.c
 * enter_recovery with sack_ok) sends nothing itself and leaves it to
 * sack_recovery_output, which requires pipe + SMSS <= cwnd. With ten
 * segments in flight, segment 0 lost and one duplicate ACK per arriving
 * segment, recovery starts on the third (SACK 1..3): cwnd = ssthresh =
 * 7300 but pipe = 6 segments above the highest SACKed byte = 8760, so
 * nothing is sent; the retransmission waits for two more duplicates
 * (pipe falls to 5840) — or never comes if fewer segments follow the
 * loss, leaving it to the RTO. Peer port 40001 keeps this clear of the
 * recover-initialization bug (test_dp_recover_init.c). */
#include "check.h"
#include "support/harness.h"

static uint8_t data[14600];

TEST(first_hole_resent_on_entering_recovery)
{
    harness *h = h_new(NULL);
    synack_stack *s = h_stack(h);
    h->peer_port = 40001;
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_setopt(s, l, SYNACK_TCP_CONGESTION, SYNACK_CC_NEWRENO), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460,sackOK>"), 0);
    uint32_t a = h_pop(h).seq + 1;
    CHECK(a < 0x80000000u);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a), 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_send(s, c, data, sizeof data), (long)sizeof data);
    for (int i = 0; i < 10; i++)
        h_pop(h);
    h_advance(h, SYNACK_MSEC(100));
    for (uint32_t i = 1; i <= 2; i++)
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", a, a + 1460,
                          a + 1460 + i * 1460), 0);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", a, a + 1460,
                      a + 1460 + 3 * 1460), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", a, a + 1460);
    h_expect_nothing(h);
    h_free(h);
}

TEST_MAIN()
