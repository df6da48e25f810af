/* test_dp_delack_ts.c — a regression test: the engine used to get this wrong. RFC 5681 section 4.2 (and RFC
 * 1122 4.2.3.2): "an ACK SHOULD be generated for at least every second
 * full-sized segment". With timestamps negotiated a full-sized segment
 * carries MSS - 12 = 1448 bytes, so two of them (2896 bytes) must be
 * acknowledged at once. The engine (tcp_input.c schedule_ack) waits for
 * rcv_unacked >= 2 * adv_mss = 2920 bytes, so with timestamps — the
 * default — the pair rule never fires on two segments: the ACK comes from
 * the 40 ms timer (or after a third segment), halving the ACK rate and
 * slowing the peer's slow start. */
#include "check.h"
#include "support/harness.h"

TEST(every_second_full_segment_with_timestamps)
{
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = H_DEFAULT_LOCAL_ADDR;
    cfg.rcvbuf = cfg.sndbuf = 65535;
    cfg.delack = SYNACK_MSEC(40);
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460,TS val 1 ecr 0>"), 0);
    uint32_t a = h_pop(h).seq + 1;
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <TS val 2 ecr 1000>", a), 0);
    CHECK_EQ(h_inject(h, ". 1001:2449(1448) ack %u <TS val 3 ecr 1000>", a), 0);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 2449:3897(1448) ack %u <TS val 4 ecr 1000>", a), 0);
    h_expect(h, ". %u:%u(0) ack 3897 <TS val 1000 ecr 3>", a, a);
    h_free(h);
}

TEST_MAIN()
