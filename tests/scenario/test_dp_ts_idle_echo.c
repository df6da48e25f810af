/* test_dp_ts_idle_echo.c — a regression test: the engine used to get this wrong.
 * RFC 7323 Appendix D: "If SEG.TSval < TS.Recent and the RST bit is off: If the connection has
 * been idle more than 24 days, save SEG.TSval in variable TS.Recent, else
 * the segment is not acceptable". After 25 days idle an older TSval (600)
 * is accepted and must become TS.Recent, so the ACK echoes 600. The engine
 * accepts the segment but keeps TS.Recent = 720 (tcp_input.c
 * check_sequence updates TS.Recent only when SEG.TSval >= TS.Recent). */
#include "check.h"
#include "support/harness.h"

TEST(ts_recent_replaced_after_24_days_idle)
{
    harness *h = h_new(NULL);
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460,TS val 700 ecr 0,wscale 7>"), 0);
    synack_segment sa = h_pop(h);
    uint32_t isn = sa.seq;
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 1000 <TS val 710 ecr 1000>", isn + 1), 0);
    CHECK_EQ(h_inject(h, "P. 1001:1101(100) ack %u win 1000 <TS val 720 ecr 1000>", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1101 win 511 <TS val 1000 ecr 720>", isn + 1, isn + 1);
    h_advance(h, SYNACK_SEC(25u * 24 * 3600));
    CHECK_EQ(h_inject(h, "P. 1101:1201(100) ack %u win 1000 <TS val 600 ecr 1000>", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1201 win 510 <TS val 2160001000 ecr 600>", isn + 1, isn + 1);
    h_free(h);
}

TEST_MAIN()
