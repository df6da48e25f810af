/* test_cm_reset.c — resets (RFC 9293 sections 3.5.2, 3.5.3, 3.10.5,
 * 3.10.7; RFC 5961): RSTs we send for segments to a closed port or a
 * listener, RST acceptance (exact, in window -> challenge ACK, outside ->
 * ignored) in every state, SYNs and blind ACKs in synchronized states,
 * and aborts (abort, close with unread data, SO_LINGER 0). TIME-WAIT's
 * RST rule is in test_cm_timewait.c, SYN-RECEIVED's in test_cm_listen.c
 * and test_cm_simultaneous.c. */
#include "test_cm_util.h"

/* =================================================== CLOSED (no TCB) */

/* RFC 9293 3.10.7.1: ACK off -> <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>,
 * SYN and FIN counted in SEG.LEN. */
TEST(closed_port_rst_for_segments_without_ack)
{
    harness *h = cm_new();
    CHECK_EQ(h_inject(h, "S 1000:1000(0) <mss 1460>"), 1);
    h_expect(h, "R. 0:0(0) ack 1001 win 0 <>");
    CHECK_EQ(h_inject(h, "S 2000:2010(10) <mss 1460>"), 1);         /* SYN with data */
    h_expect(h, "R. 0:0(0) ack 2011 win 0 <>");
    CHECK_EQ(h_inject(h, "P 3000:3020(20)"), 1);
    h_expect(h, "R. 0:0(0) ack 3020 win 0 <>");
    CHECK_EQ(h_inject(h, "FP 4000:4005(5)"), 1);
    h_expect(h, "R. 0:0(0) ack 4006 win 0 <>");
    CHECK_EQ(h_inject(h, "F 4294967295:4294967295(0)"), 1);         /* wraps */
    h_expect(h, "R. 0:0(0) ack 0 win 0 <>");
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_NO_SOCKET), 5);
    synack_stats st;
    synack_stats_get(h_stack(h), &st);
    CHECK_U64(st.tcp_rst_out, 5);
    CHECK_U64(st.conns_live, 0);
    h_free(h);
}

/* RFC 9293 3.10.7.1: ACK on -> <SEQ=SEG.ACK><CTL=RST>. */
TEST(closed_port_rst_for_segments_with_ack)
{
    harness *h = cm_new();
    CHECK_EQ(h_inject(h, ". 1000:1000(0) ack 777"), 1);
    h_expect(h, "R 777:777(0) win 0 <>");
    CHECK_EQ(h_inject(h, "S. 1000:1000(0) ack 12345 <mss 1460>"), 1);
    h_expect(h, "R 12345:12345(0) win 0 <>");
    CHECK_EQ(h_inject(h, "FP. 1000:1010(10) ack 99"), 1);
    h_expect(h, "R 99:99(0) win 0 <>");
    h_expect_nothing(h);
    h_free(h);
}

/* RFC 9293 3.10.7.1: "An incoming segment containing a RST is discarded." */
TEST(closed_port_never_answers_rst)
{
    harness *h = cm_new();
    CHECK_EQ(h_inject(h, "R 1000:1000(0)"), 1);
    CHECK_EQ(h_inject(h, "R. 1000:1000(0) ack 5"), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_NO_SOCKET), 2);
    h_free(h);
}

/* RFC 9293 3.5.2 (reset generation, group 1): a bound but not listening
 * socket is no connection: RST. */
TEST(bound_idle_port_answers_rst)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    CHECK_EQ(synack_bind(s, c, 0, 80), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) <mss 1460>"), 1);
    h_expect(h, "R. 0:0(0) ack 1001 win 0 <>");
    h_free(h);
}

/* ============================================================ LISTEN */

/* RFC 9293 3.10.7.2: first RST ignored; second ACK -> <SEQ=SEG.ACK><CTL=RST>;
 * fourth anything else without SYN dropped. */
TEST(listener_rst_ack_and_other_segments)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    CHECK_EQ(h_inject(h, "R 1000:1000(0)"), 1);
    CHECK_EQ(h_inject(h, "R. 1000:1000(0) ack 55"), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_RST_INVALID), 2);
    CHECK_EQ(h_inject(h, ". 1000:1000(0) ack 55"), 1);
    h_expect(h, "R 55:55(0) win 0 <>");
    CHECK_EQ(h_inject(h, "S. 1000:1000(0) ack 66 <mss 1460>"), 1);
    h_expect(h, "R 66:66(0) win 0 <>");
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_BAD_ACK), 2);
    CHECK_EQ(h_inject(h, "P 1000:1010(10)"), 1);
    CHECK_EQ(h_inject(h, "F 1000:1000(0)"), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_NO_ACK), 2);
    CHECK_U64(cm_live(h), 0);
    CHECK_EQ(synack_get_state(s, l), SYNACK_LISTEN);
    h_free(h);
}

/* RFC 9293 3.1 / RFC 1122 4.2.2.10 practice: SYN with RST or FIN is
 * nonsense; dropped without reply, counted. */
TEST(syn_with_rst_or_fin_dropped)
{
    harness *h = cm_new();
    cm_listen(h, 8);
    CHECK_EQ(h_inject(h, "SR 1000:1000(0)"), 1);
    CHECK_EQ(h_inject(h, "SF 1000:1000(0)"), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_BAD_FLAGS), 2);
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* ========================================================== SYN-SENT */

/* RFC 9293 3.10.7.3 (second): RST acking our SYN -> "error: connection
 * reset" (ECONNREFUSED), CLOSED; nothing sent. */
TEST(syn_sent_rst_is_econnrefused)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    synack_ready_event ev[2];
    CHECK_EQ(synack_ready(s, ev, 2), 1);
    CHECK_EQ(h_inject(h, "R. 0:0(0) ack %u", isn + 1), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_ready(s, ev, 2), 1);
    CHECK_EQ(ev[0].handle, c);
    CHECK_EQ(ev[0].events, SYNACK_EV_READABLE | SYNACK_EV_WRITABLE | SYNACK_EV_CLOSED |
                               SYNACK_EV_ERROR);
    char b[4];
    CHECK_EQ(synack_send(s, c, b, 1), SYNACK_ECONNREFUSED);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ECONNREFUSED);
    CHECK_EQ(synack_get_error(s, c), 0);
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.conns_reset, 1);
    h_expect_states(h, 0, "SYN-SENT CLOSED");
    synack_close(s, c);
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* RFC 9293 3.10.7.3 (second) / RFC 5961 3.2: a RST without an acceptable
 * ACK is dropped; the connect goes on. */
TEST(syn_sent_rst_without_ack_ignored)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    CHECK_EQ(h_inject(h, "R 0:0(0)"), 1);
    CHECK_EQ(h_inject(h, "R %u:%u(0)", isn + 1, isn + 1), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_RST_INVALID), 2);
    CHECK_EQ(synack_get_state(s, c), SYNACK_SYN_SENT);
    h_advance(h, SYNACK_SEC(1));
    h_expect(h, "S %u:%u(0) win 65535 <mss 1460>", isn, isn);
    h_free(h);
}

/* ============================ synchronized states: RST acceptance */

/* RFC 9293 3.10.7.4 second step / RFC 5961 3.2: RST with SEQ = RCV.NXT in
 * ESTABLISHED -> CLOSED, "connection reset", queues flushed. */
TEST(established_exact_rst_resets)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    h_inject(h, "P. 1001:1006(5) ack %u", isn + 1);
    h_expect(h, ". %u:%u(0) ack 1006 win 65530 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_send(s, c, "x", 1), 1);
    h_expect(h, "P. %u:%u(1) ack 1006 win 65530 <>", isn + 1, isn + 2);
    CHECK_EQ(h_inject(h, "R 1006:1006(0)"), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_poll(s, c), SYNACK_EV_READABLE | SYNACK_EV_WRITABLE | SYNACK_EV_CLOSED |
                                    SYNACK_EV_ERROR);
    CHECK_EQ(synack_recv_ready(s, c), 0);               /* flushed */
    CHECK_EQ(synack_send_pending(s, c), 0);
    char b[8];
    CHECK_EQ(synack_recv(s, c, b, sizeof b), SYNACK_ECONNRESET);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ECONNRESET);
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);   /* no RTO for the byte */
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.conns_reset, 1);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED CLOSED");
    synack_close(s, c);
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* RFC 5961 3.2: an exact RST with the ACK bit set resets as well. */
TEST(established_exact_rst_with_ack_resets)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    CHECK_EQ(h_inject(h, "R. 5001:5001(0) ack %u", isn + 1), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ECONNRESET);
    h_free(h);
}

/* Brings a server connection to the given state; returns the handle (-1
 * if the app closed it) and sets *rcv_nxt to the peer's next sequence
 * number. The stack's ISN is *isn. */
static int server_in(harness *h, synack_state want, uint32_t *isn, uint32_t *rcv_nxt)
{
    synack_stack *s = h_stack(h);
    int c = cm_server(h, isn);
    *rcv_nxt = 1001;
    switch (want) {
    case SYNACK_ESTABLISHED:
        break;
    case SYNACK_FIN_WAIT_1:
        synack_shutdown(s, c);
        h_expect(h, "F. %u:%u(0) ack 1001 win 65535 <>", *isn + 1, *isn + 1);
        break;
    case SYNACK_FIN_WAIT_2:
        synack_shutdown(s, c);
        h_expect(h, "F. %u:%u(0) ack 1001 win 65535 <>", *isn + 1, *isn + 1);
        h_inject(h, ". 1001:1001(0) ack %u", *isn + 2);
        break;
    case SYNACK_CLOSE_WAIT:
        h_inject(h, "F. 1001:1001(0) ack %u", *isn + 1);
        h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", *isn + 1, *isn + 1);
        *rcv_nxt = 1002;
        break;
    case SYNACK_CLOSING:
        synack_shutdown(s, c);
        h_expect(h, "F. %u:%u(0) ack 1001 win 65535 <>", *isn + 1, *isn + 1);
        h_inject(h, "F. 1001:1001(0) ack %u", *isn + 1);
        h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", *isn + 2, *isn + 2);
        *rcv_nxt = 1002;
        break;
    case SYNACK_LAST_ACK:
        h_inject(h, "F. 1001:1001(0) ack %u", *isn + 1);
        h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", *isn + 1, *isn + 1);
        synack_shutdown(s, c);
        h_expect(h, "F. %u:%u(0) ack 1002 win 65534 <>", *isn + 1, *isn + 1);
        *rcv_nxt = 1002;
        break;
    default:
        CHECK(0);
    }
    CHECK_EQ(synack_get_state(s, c), want);
    return c;
}

/* RFC 9293 3.10.7.4 second step: exact RST in FIN-WAIT-1, FIN-WAIT-2 and
 * CLOSE-WAIT -> "connection reset", CLOSED. */
TEST(exact_rst_in_each_synchronized_state)
{
    static const synack_state states[] = {
        SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2, SYNACK_CLOSE_WAIT,
        SYNACK_CLOSING, SYNACK_LAST_ACK,
    };
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        harness *h = cm_new();
        synack_stack *s = h_stack(h);
        uint32_t isn, nxt;
        int c = server_in(h, states[i], &isn, &nxt);
        CHECK_EQ(h_inject(h, "R %u:%u(0)", nxt, nxt), 0);
        h_expect_nothing(h);
        CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
        /* CLOSING and LAST-ACK: "enter the CLOSED state, delete the TCB,
         * and return" — the app already closed its side: no error. */
        int want = states[i] == SYNACK_CLOSING || states[i] == SYNACK_LAST_ACK
                       ? 0 : SYNACK_ECONNRESET;
        CHECK_EQ(synack_get_error(s, c), want);
        CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
        synack_close(s, c);
        CHECK_U64(cm_live(h), 0);
        h_free(h);
    }
}

/* RFC 5961 3.2 / RFC 9293 3.10.7.4: a RST inside the window but not at
 * RCV.NXT gets a challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, in
 * every synchronized state. */
TEST(in_window_rst_challenged_in_each_state)
{
    static const synack_state states[] = {
        SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2, SYNACK_CLOSE_WAIT,
        SYNACK_CLOSING, SYNACK_LAST_ACK,
    };
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        harness *h = cm_new();
        synack_stack *s = h_stack(h);
        uint32_t isn, nxt;
        int c = server_in(h, states[i], &isn, &nxt);
        int fin_sent = states[i] != SYNACK_ESTABLISHED && states[i] != SYNACK_CLOSE_WAIT;
        uint32_t snd = isn + 1 + (uint32_t)fin_sent;
        CHECK_EQ(h_inject(h, "R %u:%u(0)", nxt + 1, nxt + 1), 1);
        h_expect(h, ". %u:%u(0) ack %u win %u <>", snd, snd, nxt, nxt == 1001 ? 65535 : 65534);
        CHECK_EQ(h_inject(h, "R %u:%u(0)", nxt + 60000, nxt + 60000), 1);
        h_expect(h, ". %u:%u(0) ack %u win %u <>", snd, snd, nxt, nxt == 1001 ? 65535 : 65534);
        h_expect_nothing(h);
        CHECK_EQ(synack_get_state(s, c), states[i]);
        CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_RST_CHALLENGED), 2);
        synack_stats st;
        synack_stats_get(s, &st);
        CHECK_U64(st.tcp_challenge_acks, 2);
        CHECK_U64(st.conns_reset, 0);
        h_free(h);
    }
}

/* RFC 9293 3.10.7.4 first step: a RST outside the window is dropped
 * silently ("If the RST bit is set, [...] drop the segment and return"). */
TEST(out_of_window_rst_ignored)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    CHECK_EQ(h_inject(h, "R 1000:1000(0)"), 1);                 /* just below */
    CHECK_EQ(h_inject(h, "R 66536:66536(0)"), 1);               /* RCV.NXT + RCV.WND */
    CHECK_EQ(h_inject(h, "R. 500000:500000(0) ack %u", isn + 1), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_RST_INVALID), 3);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    CHECK_EQ(synack_get_error(s, c), 0);
    h_free(h);
}

/* In-window RSTs until the first challenge ACK is suppressed; returns how
 * many were answered (each with the exact challenge ACK). */
static unsigned challenges_until_limit(harness *h, uint32_t isn)
{
    for (unsigned n = 0; n < 2000; n++) {
        uint64_t before = cm_drops(h, SYNACK_DROP_TCP_CHALLENGE_LIMIT);
        CHECK_EQ(h_inject(h, "R 2000:2000(0)"), 1);
        if (cm_drops(h, SYNACK_DROP_TCP_CHALLENGE_LIMIT) == before + 1) {
            h_expect_nothing(h);
            return n;
        }
        h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    }
    check_fail(__FILE__, __LINE__, "no challenge ACK limit after 2000 RSTs");
}

/* RFC 5961 section 7: challenge ACKs are rate-limited, stack-wide, per
 * second; the ones over the limit are counted, not sent. The budget is
 * drawn anew each second between 500 and 1499 (1000 on average), so an
 * off-path attacker cannot count it out (CVE-2016-5696). */
TEST(challenge_acks_rate_limited)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    cm_server(h, &isn);
    h_advance(h, SYNACK_SEC(5));
    unsigned first = challenges_until_limit(h, isn);
    CHECK(first >= 500 && first < 1500);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_CHALLENGE_LIMIT), 1);
    h_advance(h, SYNACK_SEC(1) - 1);
    h_inject(h, "S 3000:3000(0)");                  /* SYN challenges share the budget */
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_CHALLENGE_LIMIT), 2);
    /* A second after the budget was drawn, a new one; over a few seconds
     * they differ. */
    unsigned total = first, distinct = 0, prev = first;
    for (int sec = 0; sec < 4; sec++) {
        h_advance(h, sec == 0 ? 1 : SYNACK_SEC(1));
        unsigned n = challenges_until_limit(h, isn);
        CHECK(n >= 500 && n < 1500);
        distinct += n != prev;
        prev = n;
        total += n;
    }
    CHECK(distinct >= 2);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_challenge_acks, total);
    CHECK_U64(st.drops[SYNACK_DROP_TCP_CHALLENGE_LIMIT], 2 + 4);
    h_free(h);
}

/* ======================== synchronized states: SYN and blind ACKs */

/* RFC 5961 4.2 / RFC 9293 3.10.7.4 fourth step: a SYN in a synchronized
 * state never resets; in the window it draws a challenge ACK, outside it
 * the ordinary ACK of an unacceptable segment. */
TEST(syn_in_established_challenged)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    CHECK_EQ(h_inject(h, "S 5001:5001(0) <mss 1460>"), 1);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, "S 7000:7000(0) <mss 1460>"), 1);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, "S 4000:4000(0) <mss 1460>"), 1);          /* old */
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_SYN_CHALLENGED), 2);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_OUT_OF_WINDOW), 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    CHECK_EQ(synack_get_error(s, c), 0);
    h_free(h);
}

/* RFC 5961 4.2 in the closing states as well. */
TEST(syn_in_close_wait_and_fin_wait_2_challenged)
{
    harness *h = cm_new();
    uint32_t isn, nxt;
    server_in(h, SYNACK_CLOSE_WAIT, &isn, &nxt);
    CHECK_EQ(h_inject(h, "S 1002:1002(0)"), 1);
    h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", isn + 1, isn + 1);
    h_free(h);
    h = cm_new();
    server_in(h, SYNACK_FIN_WAIT_2, &isn, &nxt);
    CHECK_EQ(h_inject(h, "S 1001:1001(0)"), 1);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn + 2, isn + 2);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_SYN_CHALLENGED), 1);
    h_free(h);
}

/* RFC 9293 3.10.7.4 fifth step: an ACK of something not yet sent draws an
 * ACK and is dropped; RFC 5961 5.2: one older than SND.UNA - MAX.SND.WND
 * draws a challenge ACK. Neither changes the connection. */
TEST(bad_acks_in_established)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    CHECK_EQ(h_inject(h, "P. 1001:1004(3) ack %u", isn + 100), 1);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_recv_ready(s, c), 0);           /* its data was not taken */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", isn + 1 - 65535 - 1), 1);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_BAD_ACK), 2);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_challenge_acks, 1);
    /* Within the window below SND.UNA: an acceptable (old) ACK, no reply. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", isn - 100), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    h_free(h);
}

/* RFC 9293 3.10.7.4 first step: an unacceptable segment (data outside the
 * window) draws <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
TEST(out_of_window_data_draws_ack)
{
    harness *h = cm_new();
    uint32_t isn;
    cm_server(h, &isn);
    CHECK_EQ(h_inject(h, "P. 901:951(50) ack %u", isn + 1), 1);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, "P. 66536:66546(10) ack %u", isn + 1), 1);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_OUT_OF_WINDOW), 2);
    h_free(h);
}

/* ============================================================ aborts */

/* RFC 9293 3.10.5 ABORT in ESTABLISHED: <SEQ=SND.NXT><CTL=RST>, queues
 * flushed, TCB deleted. */
TEST(abort_established_sends_rst)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    CHECK_EQ(synack_send(s, c, "abc", 3), 3);
    h_expect(h, "P. %u:%u(3) ack 1001 win 65535 <>", isn + 1, isn + 4);
    CHECK_EQ(synack_abort(s, c), 0);
    h_expect(h, "R %u:%u(0) win 0 <>", isn + 4, isn + 4);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_EBADF);
    CHECK_EQ(synack_abort(s, c), SYNACK_EBADF);
    CHECK_U64(cm_live(h), 0);
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED CLOSED");
    /* The peer's next segment finds only the listener (3.10.7.2): RST. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", isn + 4), 1);
    h_expect(h, "R %u:%u(0) win 0 <>", isn + 4, isn + 4);
    h_free(h);
}

/* RFC 9293 3.10.5 ABORT in the other states: RST from FIN-WAIT-1/2 and
 * CLOSE-WAIT (SEQ = SND.NXT, past our FIN); nothing from LAST-ACK. */
TEST(abort_in_closing_states)
{
    static const synack_state states[] = {
        SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2, SYNACK_CLOSE_WAIT, SYNACK_CLOSING,
        SYNACK_LAST_ACK,
    };
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        harness *h = cm_new();
        synack_stack *s = h_stack(h);
        uint32_t isn, nxt;
        int c = server_in(h, states[i], &isn, &nxt);
        CHECK_EQ(synack_abort(s, c), 0);
        if (states[i] == SYNACK_CLOSE_WAIT)
            h_expect(h, "R %u:%u(0) win 0 <>", isn + 1, isn + 1);
        else if (states[i] == SYNACK_FIN_WAIT_1 || states[i] == SYNACK_FIN_WAIT_2)
            h_expect(h, "R %u:%u(0) win 0 <>", isn + 2, isn + 2);
        /* CLOSING, LAST-ACK: "respond with ok and delete the TCB". */
        h_expect_nothing(h);
        CHECK_U64(cm_live(h), 0);
        h_free(h);
    }
}

/* RFC 9293 3.10.5: ABORT in SYN-SENT deletes the TCB without a RST. */
TEST(abort_in_syn_sent_is_silent)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    h_pop(h);
    CHECK_EQ(synack_abort(s, c), 0);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* RFC 1122 4.2.2.13 / RFC 9293 3.10.4: closing with unread data loses it,
 * so the peer is told with a RST instead of a FIN. */
TEST(close_with_unread_data_sends_rst)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    h_inject(h, "P. 5001:5011(10) ack %u", isn + 1);
    h_expect(h, ". %u:%u(0) ack 5011 win 65525 <>", isn + 1, isn + 1);
    char b[4];
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 4);        /* 6 bytes left unread */
    CHECK_EQ(synack_close(s, c), 0);
    h_expect(h, "R %u:%u(0) win 0 <>", isn + 1, isn + 1);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED CLOSED");
    h_free(h);
}

/* SO_LINGER 0 (BSD practice over RFC 9293 3.10.5): close() is an abort. */
TEST(linger_zero_close_sends_rst)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_server(h, &isn);
    CHECK_EQ(synack_setopt(s, c, SYNACK_SO_LINGER, 0), 0);
    int v = -5;
    CHECK_EQ(synack_getopt(s, c, SYNACK_SO_LINGER, &v), 0);
    CHECK_EQ(v, 0);
    CHECK_EQ(synack_send(s, c, "queued", 6), 6);
    h_expect(h, "P. %u:%u(6) ack 1001 win 65535 <>", isn + 1, isn + 7);
    CHECK_EQ(synack_close(s, c), 0);
    h_expect(h, "R %u:%u(0) win 0 <>", isn + 7, isn + 7);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* SO_LINGER set on the listener is inherited by accepted connections. */
TEST(linger_zero_inherited_from_listener)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    CHECK_EQ(synack_setopt(s, l, SYNACK_SO_LINGER, 0), 0);
    uint32_t isn;
    int c = cm_accept(h, l, &isn);
    int v = -5;
    CHECK_EQ(synack_getopt(s, c, SYNACK_SO_LINGER, &v), 0);
    CHECK_EQ(v, 0);
    synack_close(s, c);
    h_expect(h, "R %u:%u(0) win 0 <>", isn + 1, isn + 1);
    h_free(h);
}

TEST_MAIN()
