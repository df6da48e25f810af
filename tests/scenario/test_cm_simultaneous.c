/* test_cm_simultaneous.c — simultaneous open (RFC 9293 section 3.5,
 * Figure 7: SYN-SENT -> SYN-RECEIVED -> ESTABLISHED) and simultaneous close
 * (section 3.6, Figure 13: FIN-WAIT-1 -> CLOSING -> TIME-WAIT), in both
 * roles where a role applies, with the lost-segment cases. */
#include "test_cm_util.h"

/* Starts an active open and answers it with a bare SYN (ISN 5000), as a
 * peer opening at the same time would. Returns the handle; *isn gets our
 * ISN. The stack is then SYN-RECEIVED and has sent its SYN-ACK. */
static int crossed_syns(harness *h, uint32_t *isn)
{
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    CHECK_EQ(synack_bind(s, c, 0, 80), 0);
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT),
             SYNACK_EINPROGRESS);
    synack_segment syn = h_pop(h);
    cm_match(h, &syn, "S %u:%u(0) win 65535 <mss 1460>", syn.seq, syn.seq);
    *isn = syn.seq;
    h_advance(h, SYNACK_MSEC(100));
    /* RFC 9293 3.10.7.3 fourth: SYN without ACK in SYN-SENT -> SYN-RECEIVED,
     * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. */
    CHECK_EQ(h_inject(h, "S 5000:5000(0) win 30000 <mss 1200>"), 0);
    h_expect(h, "S. %u:%u(0) ack 5001 win 65535 <mss 1460>", *isn, *isn);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_SYN_RECEIVED);
    h_expect_states(h, 0, "SYN-SENT SYN-RECEIVED");
    return c;
}

/* ================================================ simultaneous open */

/* RFC 9293 3.10.7.3 / 3.10.7.4: crossed SYNs, then the peer's ACK of our
 * SYN completes the open (SYN-SENT -> SYN-RECEIVED -> ESTABLISHED). */
TEST(simultaneous_open_completed_by_ack)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = crossed_syns(h, &isn);
    CHECK_EQ(synack_poll(s, c), 0);
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u win 30000", isn + 1), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    CHECK_EQ(synack_poll(s, c), SYNACK_EV_WRITABLE | SYNACK_EV_CONNECTED);
    h_expect_states(h, 0, "SYN-SENT SYN-RECEIVED ESTABLISHED");
    int v;
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_MAXSEG, &v), 0);
    CHECK_EQ(v, 1200);                              /* from the peer's SYN */
    CHECK_EQ(synack_send(s, c, "ok", 2), 2);
    h_expect(h, "P. %u:%u(2) ack 5001 win 65535 <>", isn + 1, isn + 3);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.conns_active, 1);
    CHECK_U64(st.conns_passive, 0);
    CHECK_U64(st.conns_established, 1);
    h_free(h);
}

/* RFC 9293 3.10.7.4: data on the completing ACK is taken too. */
TEST(simultaneous_open_ack_with_data)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = crossed_syns(h, &isn);
    CHECK_EQ(h_inject(h, "P. 5001:5004(3) ack %u", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 5004 win 65532 <>", isn + 1, isn + 1);
    char b[4];
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 3);
    h_free(h);
}

/* RFC 6298 5.5 in SYN-RECEIVED: our SYN-ACK is resent on the running
 * retransmission timer (started with the SYN at 0: 1 s, then 3 s). */
TEST(simultaneous_open_synack_retransmitted)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = crossed_syns(h, &isn);
    h_advance(h, SYNACK_MSEC(900) - 1);
    h_expect_nothing(h);
    h_advance(h, 1);
    CHECK_U64(h_now(h), SYNACK_SEC(1));
    h_expect(h, "S. %u:%u(0) ack 5001 win 65535 <mss 1460>", isn, isn);
    h_advance(h, SYNACK_SEC(2));
    h_expect(h, "S. %u:%u(0) ack 5001 win 65535 <mss 1460>", isn, isn);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u", isn + 1), 0);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    h_free(h);
}

/* RFC 9293 3.10.7.4 second step, SYN-RECEIVED from an active OPEN: an
 * exact RST means "the connection was refused" (ECONNREFUSED). */
TEST(simultaneous_open_rst_refuses)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = crossed_syns(h, &isn);
    /* In the window but not exact: challenge ACK (RFC 5961 3.2). */
    CHECK_EQ(h_inject(h, "R 5100:5100(0)"), 1);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_SYN_RECEIVED);
    CHECK_EQ(h_inject(h, "R 5001:5001(0)"), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ECONNREFUSED);
    h_expect_states(h, 0, "SYN-SENT SYN-RECEIVED CLOSED");
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    synack_close(s, c);
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* RFC 9293 3.10.7.3: an SYN-RECEIVED reached by simultaneous open gives
 * up after synack_retries like any other and reports ETIMEDOUT. */
TEST(simultaneous_open_gives_up_with_etimedout)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.syn_retries = 1;
    cfg.synack_retries = 1;
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = crossed_syns(h, &isn);
    h_advance(h, SYNACK_MSEC(900));
    h_expect(h, "S. %u:%u(0) ack 5001 win 65535 <mss 1460>", isn, isn);
    h_advance(h, SYNACK_SEC(2));
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ETIMEDOUT);
    h_free(h);
}

/* =============================================== simultaneous close */

/* RFC 9293 3.6 Figure 13 / 3.10.7.4: FINs cross: FIN-WAIT-1 -> CLOSING on
 * the peer's FIN, CLOSING -> TIME-WAIT on the ACK of ours; 2*MSL later
 * CLOSED. Client role. */
TEST(simultaneous_close_client)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    synack_close(s, c);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_advance(h, SYNACK_MSEC(20));
    CHECK_EQ(h_inject(h, "F. 5001:5001(0) ack %u", isn + 1), 0);     /* crossed */
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", isn + 2, isn + 2);
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED FIN-WAIT-1 CLOSING");
    h_advance(h, SYNACK_MSEC(20));
    CHECK_EQ(h_inject(h, ". 5002:5002(0) ack %u", isn + 2), 0);
    h_expect_nothing(h);
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED FIN-WAIT-1 CLOSING TIME-WAIT");
    CHECK_U64(synack_next_deadline(s), SYNACK_MSEC(40) + SYNACK_SEC(60));
    h_advance(h, SYNACK_SEC(60));
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED FIN-WAIT-1 CLOSING TIME-WAIT CLOSED");
    h_free(h);
}

/* Same, server role, with the handle kept (shutdown) to watch the states. */
TEST(simultaneous_close_server)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    synack_shutdown(s, c);
    h_expect(h, "F. %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, "F. 1001:1001(0) ack %u", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", isn + 2, isn + 2);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSING);
    CHECK_EQ(synack_poll(s, c), SYNACK_EV_READABLE | SYNACK_EV_CONNECTED | SYNACK_EV_CLOSED);
    char b[4];
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 0);
    CHECK_EQ(h_inject(h, ". 1002:1002(0) ack %u", isn + 2), 0);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    h_advance(h, SYNACK_SEC(60) - 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    h_advance(h, 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(s, c), 0);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 CLOSING TIME-WAIT CLOSED");
    h_expect_nothing(h);
    h_free(h);
}

/* RFC 9293 3.8.1: our FIN lost in a simultaneous close is resent from
 * CLOSING (RTO 200 ms); the peer's retransmitted FIN is acknowledged
 * again (3.10.7.4 first step). */
TEST(closing_retransmits_fin_and_reacks_peer_fin)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    synack_shutdown(s, c);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_inject(h, "F. 5001:5001(0) ack %u", isn + 1);
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", isn + 2, isn + 2);
    h_advance(h, SYNACK_MSEC(200) - 1);
    h_expect_nothing(h);
    h_advance(h, 1);
    h_expect(h, "F. %u:%u(0) ack 5002 win 65534 <>", isn + 1, isn + 1);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSING);
    CHECK_EQ(h_inject(h, "F. 5001:5001(0) ack %u", isn + 1), 1);
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", isn + 2, isn + 2);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSING);
    h_advance(h, SYNACK_MSEC(400));
    h_expect(h, "F. %u:%u(0) ack 5002 win 65534 <>", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, ". 5002:5002(0) ack %u", isn + 2), 0);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    h_expect_nothing(h);
    h_free(h);
}

/* RFC 9293 3.5 Figure 7, line 6: in SYN-RECEIVED (reached from SYN-SENT),
 * the peer's <SEQ=300><ACK=101><CTL=SYN,ACK> makes us ESTABLISHED. Its SYN
 * is the old one (below RCV.NXT) and is trimmed away (3.10.7.4: "trimming
 * off any portions that lie outside the window (including SYN and FIN)"),
 * leaving an acceptable ACK at RCV.NXT that acknowledges our SYN. Nothing
 * needs to be sent: the peer gets our SYN-ACK (line 7). */
TEST(simultaneous_open_figure_7_synack_establishes)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = crossed_syns(h, &isn);
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u win 30000 <mss 1200>", isn + 1), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    h_expect_states(h, 0, "SYN-SENT SYN-RECEIVED ESTABLISHED");
    /* And no SYN-ACK retransmission follows. */
    h_advance(h, SYNACK_SEC(5));
    h_expect_nothing(h);
    h_free(h);
}

/* RFC 9293 3.10.4 CLOSE, SYN-RECEIVED STATE: "If no SENDs have been issued
 * and there is no pending data to send, then form a FIN segment and send
 * it, and enter FIN-WAIT-1 state". (Linux's tcp_close_state agrees:
 * SYN_RECV -> FIN_WAIT1.) */
TEST(close_in_syn_received_sends_fin)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = crossed_syns(h, &isn);
    uint32_t id = (uint32_t)synack_get_conn_id(s, c);
    CHECK_EQ(synack_close(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_expect_nothing(h);
    h_expect_states(h, id, "SYN-SENT SYN-RECEIVED FIN-WAIT-1");
    /* The peer acknowledges SYN and FIN: FIN-WAIT-2. */
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u", isn + 2), 0);
    h_expect_states(h, id, "SYN-SENT SYN-RECEIVED FIN-WAIT-1 FIN-WAIT-2");
    h_free(h);
}

/* RFC 9293 3.10.4: shutdown (CLOSE of the sending side) in SYN-RECEIVED
 * likewise sends a FIN and keeps the read side. */
TEST(shutdown_in_syn_received_sends_fin)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = crossed_syns(h, &isn);
    CHECK_EQ(synack_shutdown(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_FIN_WAIT_1);
    CHECK_EQ(h_inject(h, "P. 5001:5004(3) ack %u", isn + 2), 0);
    h_expect(h, ". %u:%u(0) ack 5004 win 65532 <>", isn + 2, isn + 2);
    CHECK_EQ(synack_get_state(s, c), SYNACK_FIN_WAIT_2);
    char b[4];
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 3);
    h_free(h);
}

TEST_MAIN()
