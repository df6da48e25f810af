/* test_cm_timewait.c — TIME-WAIT (RFC 9293 sections 3.4.2, 3.6, 3.10.7.4
 * and 3.10.8; RFC 1122 4.2.2.13; RFC 1337): lasts exactly 2*MSL, a
 * retransmitted FIN is acknowledged again and restarts the timer, RSTs
 * are ignored, old segments only draw an ACK, a new SYN above the old
 * sequence space reopens the port, and the 4-tuple stays reserved for
 * bind/connect until it ends. */
#include "test_cm_util.h"

/* Client connection taken to TIME-WAIT with the handle kept (shutdown);
 * the peer's FIN is at 5001. Returns the handle. */
static int client_in_time_wait(harness *h, uint32_t *isn)
{
    synack_stack *s = h_stack(h);
    int c = cm_client(h, isn);
    CHECK_EQ(synack_shutdown(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", *isn + 1, *isn + 1);
    CHECK_EQ(h_inject(h, "F. 5001:5001(0) ack %u", *isn + 2), 0);
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", *isn + 2, *isn + 2);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    return c;
}

/* ================================================ 2*MSL exactness */

/* RFC 9293 3.10.8 / 3.4.2: TIME-WAIT lasts 2*MSL = 60 s by default. */
TEST(time_wait_lasts_exactly_2msl)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_MSEC(3));
    uint32_t isn;
    int c = client_in_time_wait(h, &isn);
    synack_time start = h_now(h);
    CHECK_U64(synack_next_deadline(s), start + SYNACK_SEC(60));
    h_advance(h, SYNACK_SEC(60) - 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    h_advance(h, 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(s, c), 0);
    h_expect_nothing(h);
    size_t n;
    const h_state_change *st = h_trace_states(h, &n);
    CHECK_EQ(n, 6);
    CHECK_EQ(st[4].new_state, SYNACK_TIME_WAIT);
    CHECK_U64(st[4].at, start);
    CHECK_EQ(st[5].new_state, SYNACK_CLOSED);
    CHECK_U64(st[5].at, start + SYNACK_SEC(60));
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    synack_close(s, c);
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* RFC 9293 3.4.2: MSL is configurable; TIME-WAIT follows it. Server role. */
TEST(time_wait_follows_configured_msl_server)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.msl = SYNACK_SEC(2);
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    synack_close(s, c);
    h_expect(h, "F. %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    h_inject(h, "F. 1001:1001(0) ack %u", isn + 2);
    h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", isn + 2, isn + 2);
    h_advance(h, SYNACK_SEC(4) - 1);
    CHECK_U64(cm_live(h), 1);
    h_advance(h, 1);
    CHECK_U64(cm_live(h), 0);
    h_expect_nothing(h);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
    h_free(h);
}

/* ======================================= segments arriving in TIME-WAIT */

/* RFC 9293 3.10.7.4 (eighth step, TIME-WAIT): "The only thing that can
 * arrive in this state is a retransmission of the remote FIN. Acknowledge
 * it, and restart the 2 MSL timeout." */
TEST(retransmitted_fin_acked_and_timer_restarted)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = client_in_time_wait(h, &isn);
    h_advance(h, SYNACK_SEC(40));
    CHECK_EQ(h_inject(h, "F. 5001:5001(0) ack %u", isn + 2), 0);
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", isn + 2, isn + 2);
    h_expect_nothing(h);
    CHECK_U64(synack_next_deadline(s), SYNACK_SEC(100));
    h_advance(h, SYNACK_SEC(20));                   /* the old deadline passes */
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    h_advance(h, SYNACK_SEC(40) - 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    h_advance(h, 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    h_expect_nothing(h);
    synack_close(s, c);
    h_free(h);
}

/* RFC 1337 (TIME-WAIT assassination) / RFC 9293 3.10.7.4 second step: a
 * RST in TIME-WAIT, even an exact one, is ignored. */
TEST(rst_in_time_wait_ignored)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = client_in_time_wait(h, &isn);
    h_advance(h, SYNACK_SEC(1));
    CHECK_EQ(h_inject(h, "R 5002:5002(0)"), 1);
    CHECK_EQ(h_inject(h, "R. 5002:5002(0) ack %u", isn + 2), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_TIME_WAIT), 2);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    CHECK_U64(synack_next_deadline(s), SYNACK_SEC(60));     /* not restarted */
    CHECK_EQ(synack_get_error(s, c), 0);
    h_free(h);
}

/* RFC 9293 3.10.7.4 first step: an old duplicate (below RCV.NXT) is not
 * acceptable: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and drop. */
TEST(old_segment_in_time_wait_draws_ack)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = client_in_time_wait(h, &isn);
    h_advance(h, SYNACK_SEC(5));
    CHECK_EQ(h_inject(h, "P. 4901:4951(50) ack %u", isn + 1), 1);
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", isn + 2, isn + 2);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_TIME_WAIT), 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    CHECK_U64(synack_next_deadline(s), SYNACK_SEC(60));     /* not restarted */
    char b[4];
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 0);            /* nothing delivered */
    h_free(h);
}

/* RFC 9293 3.10.7.4 fourth step / RFC 5961 4: a SYN inside the window in
 * TIME-WAIT (not above the old sequence space) gets a challenge ACK. */
TEST(in_window_syn_in_time_wait_challenged)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = client_in_time_wait(h, &isn);
    CHECK_EQ(h_inject(h, "S 5002:5002(0) <mss 1460>"), 1);
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", isn + 2, isn + 2);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_SYN_CHALLENGED), 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    h_free(h);
}

/* RFC 1122 4.2.2.13 (RFC 6191): a SYN to a listening port whose sequence
 * number is above the TIME-WAIT connection's RCV.NXT reopens it at once;
 * old segments then do not disturb the new incarnation. */
TEST(new_syn_reopens_time_wait)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    uint32_t isn;
    int c = cm_accept(h, l, &isn);
    synack_close(s, c);
    h_expect(h, "F. %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    h_inject(h, "F. 1001:1001(0) ack %u", isn + 2);
    h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", isn + 2, isn + 2);
    h_advance(h, SYNACK_SEC(10));
    /* At or below RCV.NXT: no reopening, the old connection answers. */
    CHECK_EQ(h_inject(h, "S 900:900(0) <mss 1460>"), 1);
    h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", isn + 2, isn + 2);
    CHECK_U64(cm_live(h), 1);
    /* Above it: the TIME-WAIT record goes, a new half-open one comes. */
    CHECK_EQ(h_inject(h, "S 90000:90000(0) <mss 1460>"), 0);
    synack_segment sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 90001 win 65535 <mss 1460>", sa.seq, sa.seq);
    h_expect_nothing(h);
    /* RFC 6191 section 2: the new ISN lies above the old incarnation's
     * SND.MAX (ISN + 2) by at least a window. */
    CHECK((int32_t)(sa.seq - (isn + 2 + 65535 + 2)) >= 0);
    CHECK_U64(cm_live(h), 1);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED "
                          "SYN-RECEIVED");
    /* A late duplicate of the old incarnation is outside the new window:
     * it draws an ACK of the new connection and changes nothing. */
    CHECK_EQ(h_inject(h, "P. 1001:1011(10) ack %u", isn + 2), 1);
    h_expect(h, ". %u:%u(0) ack 90001 win 65535 <>", sa.seq + 1, sa.seq + 1);
    CHECK_EQ(h_inject(h, ". 90001:90001(0) ack %u", sa.seq + 1), 0);
    h_expect_nothing(h);
    int c2 = synack_accept(s, l, NULL);
    CHECK(c2 >= 0);
    CHECK_EQ(synack_recv_ready(s, c2), 0);
    CHECK_EQ(synack_get_state(s, c2), SYNACK_ESTABLISHED);
    h_free(h);
}

/* RFC 1122 4.2.2.13: without a listener a SYN cannot reopen TIME-WAIT;
 * one above RCV.NXT is out of window and draws an ACK. */
TEST(syn_without_listener_does_not_reopen)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = client_in_time_wait(h, &isn);
    CHECK_EQ(h_inject(h, "S 900000:900000(0) <mss 1460>"), 1);
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", isn + 2, isn + 2);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    h_free(h);
}

/* ========================================== the 4-tuple stays reserved */

/* RFC 9293 3.6: the connection's port is in use until TIME-WAIT ends;
 * SO_REUSEADDR lets another socket bind it, but the 4-tuple itself stays
 * taken for connect. */
TEST(time_wait_holds_port_and_tuple)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = client_in_time_wait(h, &isn);
    synack_close(s, c);                             /* orphan the TIME-WAIT record */
    int d = synack_socket(s);
    CHECK_EQ(synack_bind(s, d, 0, 80), SYNACK_EADDRINUSE);
    CHECK_EQ(synack_setopt(s, d, SYNACK_SO_REUSEADDR, 1), 0);
    CHECK_EQ(synack_bind(s, d, 0, 80), 0);
    CHECK_EQ(synack_connect(s, d, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT),
             SYNACK_EADDRINUSE);
    h_expect_nothing(h);
    /* Another remote port is another 4-tuple. */
    CHECK_EQ(synack_connect(s, d, H_DEFAULT_PEER_ADDR, 40001), SYNACK_EINPROGRESS);
    h->peer_port = 40001;
    synack_segment syn = h_pop(h);
    cm_match(h, &syn, "S %u:%u(0) win 65535 <mss 1460>", syn.seq, syn.seq);
    /* After 2*MSL the port is free for everyone again. */
    synack_close(s, d);
    h_advance(h, SYNACK_SEC(60));
    CHECK_U64(cm_live(h), 0);
    int f = synack_socket(s);
    CHECK_EQ(synack_bind(s, f, 0, 80), 0);
    h_free(h);
}

/* RFC 9293 3.10.5 ABORT in TIME-WAIT: "respond with ok and delete the
 * TCB" — no RST. */
TEST(abort_in_time_wait_sends_nothing)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = client_in_time_wait(h, &isn);
    CHECK_EQ(synack_abort(s, c), 0);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    h_free(h);
}

/* ====================================== TIME-WAIT kept after close */

/* A socket kept in TIME-WAIT for a while, then closed with unread data:
 * RFC 9293 3.10.4 / RFC 1337 — the close must not end TIME-WAIT (no RST,
 * no early delete), and the connection still leaves at its own 2*MSL,
 * not behind a connection that entered TIME-WAIT later. */
TEST(time_wait_closed_late_with_unread_data_keeps_its_deadline)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    CHECK_EQ(synack_shutdown(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    /* The peer's last data and FIN arrive; nobody reads them. */
    CHECK_EQ(h_inject(h, "P. 5001:5005(4) ack %u", isn + 2), 0);
    h_pop(h);
    CHECK_EQ(h_inject(h, "F. 5005:5005(0) ack %u", isn + 2), 0);
    h_pop(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_TIME_WAIT);
    synack_time first_end = h_now(h) + SYNACK_SEC(60);

    /* A second connection enters TIME-WAIT 10 s later, orphaned. */
    h_advance(h, SYNACK_SEC(10));
    h->peer_port = 40001;
    h->local_port = 81;
    uint32_t isn2;
    int c2 = cm_client(h, &isn2);
    CHECK_EQ(synack_close(s, c2), 0);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn2 + 1, isn2 + 1);
    CHECK_EQ(h_inject(h, "F. 5001:5001(0) ack %u", isn2 + 2), 0);
    h_pop(h);
    CHECK_U64(cm_live(h), 2);

    /* 20 s after entering TIME-WAIT the first socket is closed. */
    h_advance(h, SYNACK_SEC(10));
    CHECK_EQ(synack_close(s, c), 0);
    h_expect_nothing(h);                /* no RST */
    CHECK_U64(cm_live(h), 2);
    CHECK_U64(synack_next_deadline(s), first_end);
    h_advance(h, first_end - h_now(h) - 1);
    CHECK_U64(cm_live(h), 2);
    h_advance(h, 1);
    CHECK_U64(cm_live(h), 1);           /* the first is gone on time */
    h_advance(h, SYNACK_SEC(10));
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

TEST_MAIN()
