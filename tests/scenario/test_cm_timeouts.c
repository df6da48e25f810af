/* test_cm_timeouts.c — connections that end because time ran out:
 * keepalive probes (RFC 9293 3.8.4, RFC 1122 4.2.3.6), the SO_LINGER
 * deadline, and giving up on retransmitting data or a FIN (RFC 9293
 * 3.8.3, RFC 6298 5.5), with exact probe and retransmission times. */
#include "test_cm_util.h"

/* ====================================================== keepalive */

/* RFC 1122 4.2.3.6: after keepidle of silence a probe <SEQ=SND.UNA-1>
 * <ACK=RCV.NXT> with no data; keepcnt unanswered probes keepintvl apart
 * end the connection (RST, ETIMEDOUT). */
TEST(keepalive_probes_then_etimedout)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_KEEPIDLE, 10), 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_KEEPINTVL, 5), 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_KEEPCNT, 3), 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_SO_KEEPALIVE, 1), 0);
    CHECK_U64(synack_next_deadline(s), SYNACK_SEC(10));
    h_advance(h, SYNACK_SEC(10) - 1);
    h_expect_nothing(h);
    h_advance(h, 1);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn, isn);
    static const unsigned at[] = { 15, 20 };
    for (int i = 0; i < 2; i++) {
        h_advance(h, SYNACK_SEC(at[i]) - 1 - h_now(h));
        h_expect_nothing(h);
        h_advance(h, 1);
        h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn, isn);
    }
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    h_advance(h, SYNACK_SEC(5) - 1);
    h_expect_nothing(h);
    h_advance(h, 1);
    h_expect(h, "R %u:%u(0) win 0 <>", isn + 1, isn + 1);
    h_expect_nothing(h);
    CHECK_U64(h_now(h), SYNACK_SEC(25));
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ETIMEDOUT);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.conns_timeout, 1);
    h_free(h);
}

/* RFC 1122 4.2.3.6: an answered probe (or any segment) restarts the idle
 * time and the probe count. */
TEST(keepalive_answer_restarts_idle_time)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    synack_setopt(s, c, SYNACK_TCP_KEEPIDLE, 10);
    synack_setopt(s, c, SYNACK_TCP_KEEPINTVL, 5);
    synack_setopt(s, c, SYNACK_TCP_KEEPCNT, 2);
    synack_setopt(s, c, SYNACK_SO_KEEPALIVE, 1);
    h_advance(h, SYNACK_SEC(10));
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn, isn);
    h_advance(h, SYNACK_SEC(5));
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn, isn);
    h_advance(h, SYNACK_SEC(1));
    /* The peer answers the probe (its seq is below our window: an ACK). */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", isn + 1), 0);
    h_expect_nothing(h);
    CHECK_U64(synack_next_deadline(s), SYNACK_SEC(26));
    h_advance(h, SYNACK_SEC(10));
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn, isn);
    h_advance(h, SYNACK_SEC(5));
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn, isn);
    h_advance(h, SYNACK_SEC(5));
    h_expect(h, "R %u:%u(0) win 0 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ETIMEDOUT);
    h_free(h);
}

/* RFC 1122 4.2.3.6: keepalives are off by default; with it on, the default
 * idle time is 7200 s (two hours) and is inherited by accepted sockets. */
TEST(keepalive_defaults)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    h_advance(h, SYNACK_SEC(3 * 7200));
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    h_free(h);

    h = cm_new();
    s = h_stack(h);
    int l = cm_listen(h, 8);
    CHECK_EQ(synack_setopt(s, l, SYNACK_SO_KEEPALIVE, 1), 0);
    c = cm_accept(h, l, &isn);
    int v;
    CHECK_EQ(synack_getopt(s, c, SYNACK_SO_KEEPALIVE, &v), 0);
    CHECK_EQ(v, 1);
    CHECK_U64(synack_next_deadline(s), SYNACK_SEC(7200));
    h_advance(h, SYNACK_SEC(7200));
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn, isn);
    CHECK_U64(synack_next_deadline(s), SYNACK_SEC(7275));
    h_free(h);
}

/* RFC 1122 4.2.3.6: probes only on an idle connection; while data is being
 * retransmitted the RTO decides. */
TEST(keepalive_not_while_data_outstanding)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.rto_min = SYNACK_SEC(20);
    cfg.rto_initial = SYNACK_SEC(20);
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    synack_setopt(s, c, SYNACK_TCP_KEEPIDLE, 10);
    synack_setopt(s, c, SYNACK_SO_KEEPALIVE, 1);
    CHECK_EQ(synack_send(s, c, "q", 1), 1);
    h_expect(h, "P. %u:%u(1) ack 5001 win 65535 <>", isn + 1, isn + 2);
    h_advance(h, SYNACK_SEC(10));
    h_expect_nothing(h);                            /* no probe: not idle */
    h_advance(h, SYNACK_SEC(10));
    h_expect(h, "P. %u:%u(1) ack 5001 win 65535 <>", isn + 1, isn + 2);
    h_expect_nothing(h);
    h_free(h);
}

/* ========================================================= linger */

/* SO_LINGER > 0 (BSD semantics; synack.h): if the close has not finished
 * that many seconds after close(), the connection is aborted with a RST.
 * Here the FIN is never acknowledged: resent at 0.2, 0.6, 1.4, 3.0 s, then
 * RST <SEQ=SND.NXT> at exactly 5 s. */
TEST(linger_deadline_aborts_unfinished_close)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    CHECK_EQ(synack_setopt(s, c, SYNACK_SO_LINGER, 5), 0);
    CHECK_EQ(synack_close(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    static const unsigned ms[] = { 200, 600, 1400, 3000 };
    for (int i = 0; i < 4; i++) {
        h_advance(h, SYNACK_MSEC(ms[i]) - h_now(h));
        h_expect(h, "F. %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    }
    h_advance(h, SYNACK_SEC(5) - 1 - h_now(h));
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 1);
    h_advance(h, 1);
    h_expect(h, "R %u:%u(0) win 0 <>", isn + 2, isn + 2);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED FIN-WAIT-1 CLOSED");
    h_free(h);
}

/* SO_LINGER > 0: a close that completes in time ends normally (TIME-WAIT,
 * no RST at the deadline). */
TEST(linger_close_finishing_in_time_is_orderly)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    synack_setopt(s, c, SYNACK_SO_LINGER, 5);
    synack_close(s, c);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_advance(h, SYNACK_MSEC(100));
    h_inject(h, "F. 5001:5001(0) ack %u", isn + 2);
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", isn + 2, isn + 2);
    h_advance(h, SYNACK_SEC(10));
    h_expect_nothing(h);
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT");
    h_advance(h, SYNACK_SEC(50));
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* ============================================ retransmission limits */

/* RFC 9293 3.8.3 (R2) / RFC 6298 5.5: unacknowledged data is resent with
 * a doubling RTO (200 ms floor here, 60 s cap); after data_retries (15)
 * the next expiry gives up: ETIMEDOUT, nothing more sent. */
TEST(data_retries_exhausted_etimedout)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    CHECK_EQ(synack_send(s, c, "data", 4), 4);
    h_expect(h, "P. %u:%u(4) ack 5001 win 65535 <>", isn + 1, isn + 5);
    synack_time rto = SYNACK_MSEC(200), at = 0;
    for (int i = 0; i < 15; i++) {
        at += rto;
        h_advance(h, at - 1 - h_now(h));
        h_expect_nothing(h);
        h_advance(h, 1);
        h_expect(h, "P. %u:%u(4) ack 5001 win 65535 <>", isn + 1, isn + 5);
        rto = rto * 2 > SYNACK_SEC(60) ? SYNACK_SEC(60) : rto * 2;
    }
    CHECK_U64(at, SYNACK_MSEC(102200) + SYNACK_SEC(6 * 60));
    at += rto;
    h_advance(h, at - 1 - h_now(h));
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    h_advance(h, 1);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    char b[4];
    CHECK_EQ(synack_send(s, c, b, 1), SYNACK_ETIMEDOUT);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ETIMEDOUT);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_retransmits, 15);
    CHECK_U64(st.conns_timeout, 1);
    h_free(h);
}

/* RFC 9293 3.8.3: a FIN is retransmitted like data and given up on the same
 * way (data_retries 2 here): from FIN-WAIT-1 with the handle kept, the app
 * sees ETIMEDOUT. */
TEST(fin_retries_exhausted_etimedout)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.data_retries = 2;
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    synack_shutdown(s, c);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_advance(h, SYNACK_MSEC(200));
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_advance(h, SYNACK_MSEC(400));
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_advance(h, SYNACK_MSEC(800) - 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_FIN_WAIT_1);
    h_advance(h, 1);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ETIMEDOUT);
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED FIN-WAIT-1 CLOSED");
    h_free(h);
}

/* RFC 9293 3.10.7.4 says <SEQ=SND.NXT> for ACKs and 3.10.5 for RSTs; after
 * an RTO pulled SND.NXT back the engine uses SND.MAX (as BSD does) so the
 * peer, which may hold everything up to SND.MAX, still finds them
 * acceptable. */
TEST(ack_and_rst_after_rto_carry_snd_max)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    synack_setopt(s, c, SYNACK_TCP_NODELAY, 1);
    static char buf[3000];
    CHECK_EQ(synack_send(s, c, buf, sizeof buf), 3000);
    h_expect(h, ". %u:%u(1460) ack 5001 win 65535 <>", isn + 1, isn + 1461);
    h_expect(h, ". %u:%u(1460) ack 5001 win 65535 <>", isn + 1461, isn + 2921);
    h_expect(h, "P. %u:%u(80) ack 5001 win 65535 <>", isn + 2921, isn + 3001);
    h_advance(h, SYNACK_MSEC(200));
    /* RFC 5681 (4) after a timeout: one segment (cwnd = 1 MSS). */
    h_expect(h, ". %u:%u(1460) ack 5001 win 65535 <>", isn + 1, isn + 1461);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, "P. 5001:5006(5) ack %u", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 5006 win 65530 <>", isn + 3001, isn + 3001);
    CHECK_EQ(synack_abort(s, c), 0);
    h_expect(h, "R %u:%u(0) win 0 <>", isn + 3001, isn + 3001);
    h_free(h);
}

/* RFC 6298 (2.1): the initial RTO is configurable; SYN backoff follows it. */
TEST(configured_initial_rto)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.rto_initial = SYNACK_SEC(3);
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    CHECK_U64(synack_next_deadline(s), SYNACK_SEC(3));
    h_advance(h, SYNACK_SEC(3));
    h_expect(h, "S %u:%u(0) win 65535 <mss 1460>", isn, isn);
    CHECK_U64(synack_next_deadline(s), SYNACK_SEC(9));
    h_free(h);
}

/* A connection accepted from a listener takes the listener's keepalive
 * timing, and its handle reports and keeps it: changing one parameter on
 * the accepted socket leaves the others as the listener set them. */
TEST(accepted_socket_keeps_the_listeners_keepalive_timing)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    CHECK_EQ(synack_setopt(s, l, SYNACK_TCP_KEEPIDLE, 10), 0);
    CHECK_EQ(synack_setopt(s, l, SYNACK_TCP_KEEPINTVL, 5), 0);
    CHECK_EQ(synack_setopt(s, l, SYNACK_TCP_KEEPCNT, 2), 0);
    CHECK_EQ(synack_setopt(s, l, SYNACK_SO_KEEPALIVE, 1), 0);
    uint32_t isn;
    int c = cm_accept(h, l, &isn);
    int v;
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_KEEPIDLE, &v), 0);
    CHECK_EQ(v, 10);
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_KEEPINTVL, &v), 0);
    CHECK_EQ(v, 5);
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_KEEPCNT, &v), 0);
    CHECK_EQ(v, 2);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_KEEPCNT, 3), 0);
    h_advance(h, SYNACK_SEC(10));       /* still 10 s idle, not 7200 */
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn, isn);
    h_advance(h, SYNACK_SEC(5));
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn, isn);
    h_free(h);
}

TEST_MAIN()
