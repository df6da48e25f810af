/* test_dp_urgent.c — urgent data (RFC 9293 3.8.5, 3.10.2 SEND with the
 * urgent flag, 3.10.7.4 sixth step; RFC 6093: urgent data stays inline and
 * the pointer points just past it). No options; peer 198.18.0.1:40000,
 * ISN 1000; the stack is the server on port 80. */
#include "check.h"
#include "support/harness.h"

static int open_conn(harness *h, uint32_t *isn)
{
    synack_stack *s = h_stack(h);
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>"), 0);
    *isn = h_pop(h).seq;
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", *isn + 1), 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    return c;
}

/* MUST-30/31 (sender side, 3.10.2): every segment holding bytes before
 * the end of the urgent data carries URG and a pointer to the octet just
 * past it; once that data is acknowledged URG stops. */
TEST(send_urgent_marks_segments_up_to_the_end)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send(s, c, "abc", 3), 3);
    h_expect(h, "P. %u:%u(3) ack 1001", a + 1, a + 4);
    CHECK_EQ(synack_send_urgent(s, c, "!", 1), 1);
    /* Nagle is off: "!" goes at once, pointing just past itself. */
    h_expect(h, "P.U %u:%u(1) ack 1001 urg 1", a + 4, a + 5);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", a + 5), 0);
    CHECK_EQ(synack_send(s, c, "z", 1), 1);
    h_expect(h, "P. %u:%u(1) ack 1001", a + 5, a + 6);
    h_free(h);
}

/* A retransmission of urgent data is marked again, the pointer counted
 * from its own SEQ. */
TEST(urgent_mark_survives_retransmission)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_send_urgent(s, c, "hello", 5), 5);
    h_expect(h, "P.U %u:%u(5) ack 1001 urg 5", a + 1, a + 6);
    h_advance(h, SYNACK_SEC(1));
    h_expect(h, "P.U %u:%u(5) ack 1001 urg 5", a + 1, a + 6);
    h_free(h);
}

/* MUST-32/33 (receiver side, 3.10.7.4 sixth step): RCV.UP = max(RCV.UP,
 * SEG.UP); the application is told (SYNACK_EV_URGENT) and can learn how
 * much must be read to pass the urgent data; the bytes stay inline. */
TEST(receive_urgent_signals_and_counts_down)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_urgent_pending(s, c), 0);
    CHECK_EQ(synack_poll(s, c) & SYNACK_EV_URGENT, 0);
    /* 10 bytes; urgent data ends after byte 7 (pointer 7 from SEQ). */
    CHECK_EQ(h_inject(h, "P.U 1001:1011(10) ack %u urg 7", a + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1011", a + 1, a + 1);
    CHECK(synack_poll(s, c) & SYNACK_EV_URGENT);
    CHECK_EQ(synack_urgent_pending(s, c), 7);
    char buf[16];
    CHECK_EQ(synack_recv(s, c, buf, 4), 4);
    CHECK_EQ(synack_urgent_pending(s, c), 3);
    CHECK_EQ(synack_recv(s, c, buf, 3), 3);
    CHECK_EQ(synack_urgent_pending(s, c), 0);
    CHECK_EQ(synack_poll(s, c) & SYNACK_EV_URGENT, 0);
    /* A later segment moves the pointer on: signalled again. */
    CHECK_EQ(h_inject(h, "P.U 1011:1015(4) ack %u urg 4", a + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1015", a + 1, a + 1);
    CHECK_EQ(synack_urgent_pending(s, c), 3 + 4);
    /* An older pointer (already passed) does not move it back. */
    CHECK_EQ(h_inject(h, "P.U 1015:1016(1) ack %u urg 0", a + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1016", a + 1, a + 1);
    CHECK_EQ(synack_urgent_pending(s, c), 7);
    CHECK_EQ(synack_recv(s, c, buf, sizeof buf), 8);
    CHECK_EQ(synack_urgent_pending(s, c), 0);
    h_free(h);
}

/* The ready queue reports the handle when urgent data arrives. */
TEST(urgent_arrival_is_reported_by_the_ready_queue)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    synack_ready_event ev[4];
    while (synack_ready(s, ev, 4) > 0) {
    }
    CHECK_EQ(h_inject(h, "P.U 1001:1002(1) ack %u urg 1", a + 1), 0);
    int n = synack_ready(s, ev, 4);
    CHECK_EQ(n, 1);
    CHECK_EQ(ev[0].handle, c);
    CHECK(ev[0].events & SYNACK_EV_URGENT);
    CHECK(ev[0].events & SYNACK_EV_READABLE);
    h_free(h);
}

/* The peer's FIN after urgent data: RCV.NXT counts the FIN, the queue
 * does not hold it, and the count of bytes to read is unchanged by it. */
TEST(urgent_count_unchanged_by_the_fin)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_stack *s = h_stack(h);
    CHECK_EQ(h_inject(h, "P.U 1001:1011(10) ack %u urg 7", a + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1011", a + 1, a + 1);
    CHECK_EQ(synack_urgent_pending(s, c), 7);
    CHECK_EQ(h_inject(h, "F. 1011:1011(0) ack %u", a + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1012", a + 1, a + 1);
    CHECK_EQ(synack_urgent_pending(s, c), 7);
    char buf[16];
    CHECK_EQ(synack_recv(s, c, buf, 6), 6);
    CHECK_EQ(synack_urgent_pending(s, c), 1);  /* one urgent byte still unread */
    CHECK(synack_poll(s, c) & SYNACK_EV_URGENT);
    h_free(h);
}

TEST_MAIN()
