/* test_dp_sws_override.c — a regression test: the engine used to get this wrong. RFC 9293 3.8.6.2.1 (sender SWS
 * avoidance) lists four cases in which to send; the fourth is "(4) or if
 * the override timeout occurs", with "The override timeout should be in
 * the range 0.1 - 1.0 seconds. It may be convenient to combine this timer
 * with the timer used to probe zero windows (Section 3.8.6.1)." (also RFC
 * 1122 4.2.3.4). The engine has no such timer: with data queued, nothing
 * in flight and a non-zero window smaller than both the MSS and half the
 * largest window, tcp_output never sends and no timer is armed (the
 * persist timer only runs for a zero window), so the connection waits for
 * a window update that a peer is not obliged to send. Linux sends the
 * window's worth from its probe timer in this state. */
#include "check.h"
#include "support/harness.h"

TEST(sws_override_timeout_sends_what_the_window_allows)
{
    harness *h = h_new(NULL);
    synack_stack *s = h_stack(h);
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 10000 <mss 1460>"), 0);
    uint32_t a = h_pop(h).seq + 1;
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 10000", a), 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    static uint8_t data[20000];
    CHECK_EQ(synack_send(s, c, data, 20000), 20000);
    for (uint32_t i = 0; i < 6; i++)
        h_expect(h, ". %u:%u(1460) ack 1001", a + i * 1460, a + (i + 1) * 1460);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 1000", a + 8760), 0);
    h_expect_nothing(h);
    /* Within the 1 s upper bound of the override timeout, the 1000 bytes
     * the window allows are sent. */
    h_advance(h, SYNACK_SEC(1));
    h_expect(h, ". %u:%u(1000) ack 1001", a + 8760, a + 9760);
    h_free(h);
}

TEST_MAIN()
