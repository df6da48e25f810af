/* test_dp_recover_init.c — a regression test: the engine used to get this wrong.
 *
 * RFC 6582 section 3.2 step 1: "When the TCP protocol control block is
 * initialized, recover is set to the initial send sequence number." The
 * engine never initializes tcb.recover: it stays 0 from calloc until the
 * first fast recovery or RTO sets it to SND.MAX. recovery_on_ack enters
 * recovery only if seq_geq(SND.UNA, recover); with recover = 0 that is
 * false whenever SND.UNA is 2^31 or more away from 0 — for about half of
 * all ISNs. Those connections never fast-retransmit (NewReno or SACK)
 * and wait for the RTO instead. Here ISS = 3467483017 (peer port 40000):
 * the third duplicate ACK must trigger the retransmission, and nothing is
 * sent. Fix: set t->recover = t->iss where ISS is chosen (tcp_user.c
 * tcp_user_connect, tcp_input.c listen_input). */
#include "check.h"
#include "support/harness.h"

static uint8_t data[14600];

static void run(int sack)
{
    harness *h = h_new(NULL);
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_setopt(s, l, SYNACK_TCP_CONGESTION, SYNACK_CC_NEWRENO), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, sack ? "S 1000:1000(0) win 65535 <mss 1460,sackOK>"
                              : "S 1000:1000(0) win 65535 <mss 1460>"), 0);
    uint32_t a = h_pop(h).seq + 1;
    CHECK(a >= 0x80000000u);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a), 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_send(s, c, data, sizeof data), (long)sizeof data);
    for (int i = 0; i < 10; i++)
        h_pop(h);
    h_advance(h, SYNACK_MSEC(100));
    if (sack) {
        /* One duplicate ACK SACKing segments 1..9: IsLost(SND.UNA) (RFC
         * 6675 section 4) starts recovery; nothing is in the pipe, so the
         * hole is resent at once. */
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <sack %u:%u>", a, a + 1460,
                          a + 14600), 0);
    } else {
        for (int i = 0; i < 3; i++)
            CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a), 0);
    }
    h_expect(h, ". %u:%u(1460) ack 1001", a, a + 1460);
    h_free(h);
}

TEST(fast_retransmit_with_iss_above_2_31) { run(0); }
TEST(sack_recovery_with_iss_above_2_31) { run(1); }

TEST_MAIN()
