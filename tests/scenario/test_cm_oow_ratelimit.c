/* test_cm_oow_ratelimit.c — answers to unacceptable segments (RFC 9293
 * 3.10.7.4 first step: "send an acknowledgment") are limited for pure
 * ACKs: at most one per 500 ms per connection, so two ends that disagree
 * about the sequence space cannot ACK each other forever (an ACK storm;
 * Linux's tcp_invalid_ratelimit). Segments carrying data, SYN or FIN are
 * always answered (zero-window probes, FIN retransmissions). */
#include "test_cm_util.h"

TEST(pure_acks_out_of_window_get_one_answer_per_500ms)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    /* Three old pure ACKs (below RCV.NXT = 5001) at one instant: one ACK. */
    for (int i = 0; i < 3; i++)
        CHECK_EQ(h_inject(h, ". 4000:4000(0) ack %u", isn + 1), 1);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_expect_nothing(h);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.oow_acks_suppressed, 2);
    CHECK_U64(st.drops[SYNACK_DROP_TCP_OUT_OF_WINDOW], 3);
    /* 499 ms later still quiet; at 500 ms one more answer. */
    h_advance(h, SYNACK_MSEC(499));
    CHECK_EQ(h_inject(h, ". 4000:4000(0) ack %u", isn + 1), 1);
    h_expect_nothing(h);
    h_advance(h, SYNACK_MSEC(1));
    CHECK_EQ(h_inject(h, ". 4000:4000(0) ack %u", isn + 1), 1);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    /* An ACK of data never sent is limited the same way. */
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u", isn + 100), 1);
    h_expect_nothing(h);
    synack_close(s, c);
    h_free(h);
}

TEST(old_data_and_fin_are_always_answered)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(h_inject(h, "P. 4990:5000(10) ack %u", isn + 1), 1);
        h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    }
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(h_inject(h, "F. 4990:4990(0) ack %u", isn + 1), 1);
        h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    }
    h_expect_nothing(h);
    synack_close(s, c);
    h_free(h);
}

TEST_MAIN()
