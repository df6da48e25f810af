/* test_cm_close.c — packet-exact tests of connection teardown (RFC 9293
 * sections 3.6, 3.10.4 and 3.10.7.4): the four-way close in both roles
 * (we close first: FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT; the peer closes
 * first: CLOSE-WAIT, LAST-ACK), half-close with data flowing the other
 * way, FIN on the last data segment, FIN retransmission when it is lost,
 * FIN-WAIT-2 for orphaned and for half-closed sockets, and close in
 * SYN-SENT. TIME-WAIT itself is in test_cm_timewait.c, simultaneous close
 * in test_cm_simultaneous.c, aborts in test_cm_reset.c.
 *
 * Connections here come from the cm_* helpers with no round-trip time, so
 * the RTO is the floor, rto_min = 200 ms (RFC 6298 2.4 with the engine's
 * Linux-like minimum). */
#include "test_cm_util.h"

/* =============================== we close first: ESTABLISHED ->
 * FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED */

/* RFC 9293 3.6 / 3.10.4 / 3.10.7.4 (fifth and eighth steps), client role. */
TEST(active_close_client)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    uint32_t id = (uint32_t)synack_get_conn_id(s, c);
    CHECK_EQ(synack_close(s, c), 0);
    CHECK_EQ(synack_get_state(s, c), SYNACK_EBADF);     /* the handle is gone at once */
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_expect_nothing(h);
    h_advance(h, SYNACK_MSEC(10));
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u", isn + 2), 0);
    h_expect_nothing(h);
    h_expect_states(h, id, "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2");
    h_advance(h, SYNACK_MSEC(10));
    CHECK_EQ(h_inject(h, "F. 5001:5001(0) ack %u", isn + 2), 0);
    /* The FIN takes a sequence number, not buffer: the window edge holds. */
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", isn + 2, isn + 2);
    h_expect_nothing(h);
    h_expect_states(h, id, "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT");
    CHECK_U64(cm_live(h), 1);
    CHECK_U64(synack_next_deadline(s), SYNACK_MSEC(20) + SYNACK_SEC(60));
    h_advance(h, SYNACK_SEC(60));
    h_expect_nothing(h);
    h_expect_states(h, id, "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* RFC 9293 3.6 / 3.10.4 / 3.10.7.4, server role. */
TEST(active_close_server)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    CHECK_EQ(synack_close(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", isn + 2), 0);
    CHECK_EQ(h_inject(h, "F. 1001:1001(0) ack %u", isn + 2), 0);
    h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", isn + 2, isn + 2);
    h_expect_nothing(h);
    h_advance(h, SYNACK_SEC(60));
    h_expect_nothing(h);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* RFC 9293 3.10.7.4: a FIN that also acks our FIN: the fifth step enters
 * FIN-WAIT-2 "and continue[s] processing in that state", the eighth step
 * then TIME-WAIT — both within this one segment. */
TEST(fin_wait_1_fin_and_ack_together)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    synack_close(s, c);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, "F. 5001:5001(0) ack %u", isn + 2), 0);
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", isn + 2, isn + 2);
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT");
    size_t n;
    const h_state_change *st = h_trace_states(h, &n);
    CHECK_EQ(n, 5);
    CHECK_U64(st[3].at, st[4].at);
    h_free(h);
}

/* RFC 9293 3.10.4: the FIN follows the queued data and rides on the last
 * data segment when both are due. */
TEST(fin_piggybacks_on_last_data)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    static char buf[3000];
    CHECK_EQ(synack_send(s, c, buf, sizeof buf), 3000);
    h_expect(h, ". %u:%u(1460) ack 1001 win 65535 <>", isn + 1, isn + 1461);
    h_expect(h, ". %u:%u(1460) ack 1001 win 65535 <>", isn + 1461, isn + 2921);
    h_expect_nothing(h);                    /* Nagle holds the last 80 bytes */
    CHECK_EQ(synack_shutdown(s, c), 0);
    h_expect(h, "FP. %u:%u(80) ack 1001 win 65535 <>", isn + 2921, isn + 3001);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_FIN_WAIT_1);
    /* Acknowledging the data but not the FIN keeps FIN-WAIT-1. */
    h_inject(h, ". 1001:1001(0) ack %u", isn + 3001);
    CHECK_EQ(synack_get_state(s, c), SYNACK_FIN_WAIT_1);
    h_inject(h, ". 1001:1001(0) ack %u", isn + 3002);
    CHECK_EQ(synack_get_state(s, c), SYNACK_FIN_WAIT_2);
    CHECK_EQ(synack_send_pending(s, c), 0);
    h_expect_nothing(h);
    h_free(h);
}

/* RFC 9293 3.10.4: a FIN queued behind data the window holds back waits
 * for it, then goes out with the last segment. */
TEST(fin_waits_for_window)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    h_inject(h, "S 1000:1000(0) win 100 <mss 1460>");
    synack_segment sa = h_pop(h);
    h_inject(h, ". 1001:1001(0) ack %u win 100", sa.seq + 1);
    int c = synack_accept(s, l, NULL);
    uint32_t isn = sa.seq;
    static char buf[150];
    CHECK_EQ(synack_send(s, c, buf, sizeof buf), 150);
    h_expect(h, ". %u:%u(100) ack 1001 win 65535 <>", isn + 1, isn + 101);
    CHECK_EQ(synack_close(s, c), 0);
    h_expect_nothing(h);                    /* window full: no FIN yet */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 100", isn + 101), 0);
    h_expect(h, "FP. %u:%u(50) ack 1001 win 65535 <>", isn + 101, isn + 151);
    h_expect_nothing(h);
    h_free(h);
}

/* RFC 9293 3.10.4 (half-close) and 3.10.7.4 seventh step: after our FIN
 * the peer may still send; we acknowledge and deliver it. */
TEST(half_close_we_still_receive)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    CHECK_EQ(synack_shutdown(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_FIN_WAIT_1);
    char b[64];
    CHECK_EQ(synack_send(s, c, b, 1), SYNACK_EPIPE);
    CHECK_EQ(synack_shutdown(s, c), 0);             /* again: nothing more */
    h_expect_nothing(h);
    /* Data before the FIN is acknowledged: still FIN-WAIT-1. */
    CHECK_EQ(h_inject(h, "P. 5001:5011(10) ack %u", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 5011 win 65525 <>", isn + 2, isn + 2);
    CHECK_EQ(synack_get_state(s, c), SYNACK_FIN_WAIT_1);
    CHECK_EQ(h_inject(h, "P. 5011:5016(5) ack %u", isn + 2), 0);
    h_expect(h, ". %u:%u(0) ack 5016 win 65520 <>", isn + 2, isn + 2);
    CHECK_EQ(synack_get_state(s, c), SYNACK_FIN_WAIT_2);
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 15);
    uint8_t want[15];
    h_pattern_fill(5001, want, sizeof want);
    CHECK_MEM(b, want, 15);
    CHECK_EQ(synack_recv(s, c, b, sizeof b), SYNACK_EAGAIN);
    CHECK_EQ(h_inject(h, "FP. 5016:5019(3) ack %u", isn + 2), 0);
    h_expect(h, ". %u:%u(0) ack 5020 win 65516 <>", isn + 2, isn + 2);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    CHECK_EQ(synack_poll(s, c), SYNACK_EV_READABLE | SYNACK_EV_CONNECTED | SYNACK_EV_CLOSED);
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 3);
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 0);
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT");
    CHECK_EQ(synack_close(s, c), 0);                /* TIME-WAIT goes on alone */
    CHECK_U64(cm_live(h), 1);
    h_expect_nothing(h);
    h_advance(h, SYNACK_SEC(60));
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* ============================ the peer closes first: ESTABLISHED ->
 * CLOSE-WAIT -> LAST-ACK -> CLOSED */

/* RFC 9293 3.10.7.4 eighth step; 3.10.4 in CLOSE-WAIT; server role, with
 * half-close data sent from CLOSE-WAIT. */
TEST(passive_close_server_with_half_close_data)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    CHECK_EQ(h_inject(h, "F. 1001:1001(0) ack %u", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSE_WAIT);
    CHECK_EQ(synack_poll(s, c), SYNACK_EV_READABLE | SYNACK_EV_WRITABLE | SYNACK_EV_CONNECTED |
                                    SYNACK_EV_CLOSED);
    char b[8];
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 0);            /* end of stream */
    /* The peer only closed its side: we may still send. */
    CHECK_EQ(synack_send(s, c, "reply", 5), 5);
    h_expect(h, "P. %u:%u(5) ack 1002 win 65534 <>", isn + 1, isn + 6);
    CHECK_EQ(h_inject(h, ". 1002:1002(0) ack %u", isn + 6), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_close(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 1002 win 65534 <>", isn + 6, isn + 6);
    CHECK_U64(cm_live(h), 1);
    CHECK_EQ(h_inject(h, ". 1002:1002(0) ack %u", isn + 7), 0);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);                       /* no TIME-WAIT on this side */
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED");
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    h_free(h);
}

/* RFC 9293 3.10.7.4 / 3.10.4, client role, closing with shutdown: the
 * handle outlives the connection and reads CLOSED. */
TEST(passive_close_client)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    CHECK_EQ(h_inject(h, "FP. 5001:5004(3) ack %u", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 5005 win 65531 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSE_WAIT);
    char b[8];
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 3);
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 0);
    CHECK_EQ(synack_shutdown(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 5005 win 65531 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_LAST_ACK);
    CHECK_EQ(synack_send(s, c, b, 1), SYNACK_EPIPE);
    CHECK_EQ(h_inject(h, ". 5005:5005(0) ack %u", isn + 2), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(s, c), 0);            /* an orderly close */
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 0);
    CHECK_EQ(synack_send(s, c, b, 1), SYNACK_ENOTCONN);
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED");
    CHECK_U64(cm_live(h), 1);
    synack_close(s, c);
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* RFC 9293 3.10.4: CLOSE in CLOSE-WAIT queues the FIN behind pending data. */
TEST(close_wait_close_flushes_data_then_fin)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    h_inject(h, "F. 1001:1001(0) ack %u", isn + 1);
    h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", isn + 1, isn + 1);
    static char buf[2000];
    CHECK_EQ(synack_send(s, c, buf, sizeof buf), 2000);
    h_expect(h, ". %u:%u(1460) ack 1002 win 65534 <>", isn + 1, isn + 1461);
    h_expect_nothing(h);
    CHECK_EQ(synack_close(s, c), 0);
    h_expect(h, "FP. %u:%u(540) ack 1002 win 65534 <>", isn + 1461, isn + 2001);
    h_inject(h, ". 1002:1002(0) ack %u", isn + 2002);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED");
    h_free(h);
}

/* ==================================== lost FIN: retransmission */

/* RFC 9293 3.8.1 / RFC 6298 5.4-5.6: a lost FIN is resent from
 * FIN-WAIT-1 with a doubling RTO (200, 400, 800 ms ...). */
TEST(fin_wait_1_fin_retransmitted)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    synack_close(s, c);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    static const unsigned gap_ms[] = { 200, 400, 800, 1600 };
    for (size_t i = 0; i < 4; i++) {
        h_advance(h, SYNACK_MSEC(gap_ms[i]) - 1);
        h_expect_nothing(h);
        h_advance(h, 1);
        h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
        h_expect_nothing(h);
    }
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_retransmits, 4);
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u", isn + 2), 0);
    h_expect_nothing(h);
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2");
    h_free(h);
}

/* RFC 9293 3.8.1: a lost FIN is resent from LAST-ACK the same way. */
TEST(last_ack_fin_retransmitted)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    h_inject(h, "F. 1001:1001(0) ack %u", isn + 1);
    h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", isn + 1, isn + 1);
    synack_close(s, c);
    h_expect(h, "F. %u:%u(0) ack 1002 win 65534 <>", isn + 1, isn + 1);
    h_advance(h, SYNACK_MSEC(199));
    h_expect_nothing(h);
    h_advance(h, SYNACK_MSEC(1));
    h_expect(h, "F. %u:%u(0) ack 1002 win 65534 <>", isn + 1, isn + 1);
    h_advance(h, SYNACK_MSEC(399));
    h_expect_nothing(h);
    h_advance(h, SYNACK_MSEC(1));
    h_expect(h, "F. %u:%u(0) ack 1002 win 65534 <>", isn + 1, isn + 1);
    /* A duplicate of the peer's FIN meanwhile is acknowledged again. */
    CHECK_EQ(h_inject(h, "F. 1001:1001(0) ack %u", isn + 1), 1);
    h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", isn + 2, isn + 2);
    CHECK_EQ(h_inject(h, ". 1002:1002(0) ack %u", isn + 2), 0);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED");
    h_free(h);
}

/* RFC 9293 3.8.1: data and its trailing FIN are resent as one segment. */
TEST(lost_data_and_fin_resent_together)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    CHECK_EQ(synack_send(s, c, "bye", 3), 3);
    h_expect(h, "P. %u:%u(3) ack 1001 win 65535 <>", isn + 1, isn + 4);
    synack_close(s, c);
    h_expect(h, "F. %u:%u(0) ack 1001 win 65535 <>", isn + 4, isn + 4);
    h_advance(h, SYNACK_MSEC(200));
    h_expect(h, "FP. %u:%u(3) ack 1001 win 65535 <>", isn + 1, isn + 4);
    h_expect_nothing(h);
    h_inject(h, ". 1001:1001(0) ack %u", isn + 5);
    h_expect_nothing(h);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2");
    h_free(h);
}

/* ======================================================== FIN-WAIT-2 */

/* RFC 9293 3.10.7.4 allows FIN-WAIT-2 to last; for a socket the app closed
 * nobody would ever read, so it is given up after fin_wait_2_timeout (60 s,
 * Linux's tcp_fin_timeout), silently. */
TEST(orphaned_fin_wait_2_times_out)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    synack_close(s, c);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_advance(h, SYNACK_MSEC(5));
    h_inject(h, ". 5001:5001(0) ack %u", isn + 2);
    CHECK_U64(synack_next_deadline(s), SYNACK_MSEC(5) + SYNACK_SEC(60));
    h_advance(h, SYNACK_SEC(60) - 1);
    CHECK_U64(cm_live(h), 1);
    h_advance(h, 1);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 CLOSED");
    /* A late FIN finds no connection and no listener: RST (3.10.7.1). */
    CHECK_EQ(h_inject(h, "F. 5001:5001(0) ack %u", isn + 2), 1);
    h_expect(h, "R %u:%u(0) <>", isn + 2, isn + 2);
    h_free(h);
}

/* RFC 9293 3.10.7.4: a half-closed socket still has a reader, so
 * FIN-WAIT-2 has no timeout. */
TEST(half_closed_fin_wait_2_waits)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    synack_shutdown(s, c);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_inject(h, ". 5001:5001(0) ack %u", isn + 2);
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    h_advance(h, SYNACK_SEC(3600));
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_FIN_WAIT_2);
    h_inject(h, "F. 5001:5001(0) ack %u", isn + 2);
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", isn + 2, isn + 2);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    h_free(h);
}

/* RFC 9293 3.10.4 then 3.10.7.4: closing a half-closed socket in
 * FIN-WAIT-2 orphans it, which starts the FIN-WAIT-2 timer. */
TEST(close_after_shutdown_in_fin_wait_2_arms_timer)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    synack_shutdown(s, c);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_inject(h, ". 5001:5001(0) ack %u", isn + 2);
    h_advance(h, SYNACK_SEC(7));
    CHECK_EQ(synack_close(s, c), 0);
    h_expect_nothing(h);                            /* no second FIN */
    CHECK_U64(synack_next_deadline(s), SYNACK_SEC(67));
    h_advance(h, SYNACK_SEC(60));
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* RFC 1122 4.2.2.13 / RFC 9293 3.10.4: data arriving after the app closed
 * cannot be delivered: RST <SEQ=SND.NXT>, connection gone. */
TEST(data_after_close_answers_rst)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    synack_close(s, c);
    h_expect(h, "F. %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    h_inject(h, ". 1001:1001(0) ack %u", isn + 2);
    CHECK_EQ(h_inject(h, "P. 1001:1005(4) ack %u", isn + 2), 1);
    h_expect(h, "R %u:%u(0) <>", isn + 2, isn + 2);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_AFTER_CLOSE), 1);
    CHECK_U64(cm_live(h), 0);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 CLOSED");
    h_free(h);
}

/* ========================================================== SYN-SENT */

/* RFC 9293 3.10.4 (SYN-SENT): "Delete the TCB" — nothing is sent; a late
 * SYN-ACK then meets a closed port and gets <SEQ=SEG.ACK><CTL=RST>. */
TEST(close_in_syn_sent_is_silent)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    CHECK_EQ(synack_shutdown(s, c), SYNACK_ENOTCONN);   /* nothing to shut yet */
    CHECK_EQ(synack_close(s, c), 0);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    h_expect_states(h, 0, "SYN-SENT CLOSED");
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u <mss 1460>", isn + 1), 1);
    h_expect(h, "R %u:%u(0) <>", isn + 1, isn + 1);
    h_free(h);
}

/* RFC 9293 3.10.2: data sent in SYN-SENT is queued and goes out once
 * ESTABLISHED. */
TEST(send_in_syn_sent_is_queued)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    CHECK_EQ(synack_send(s, c, "early", 5), 5);
    h_expect_nothing(h);
    CHECK_EQ(synack_send_pending(s, c), 5);
    h_inject(h, "S. 5000:5000(0) ack %u <mss 1460>", isn + 1);
    h_expect(h, "P. %u:%u(5) ack 5001 win 65535 <>", isn + 1, isn + 6);
    h_expect_nothing(h);                    /* the data carries the ACK */
    h_free(h);
}

TEST_MAIN()
