/* test_cm_listen.c — the passive side (RFC 9293 sections 3.5, 3.10.1,
 * 3.10.7.2 and 3.10.7.4 for SYN-RECEIVED): the backlog bound, the accept
 * queue, old duplicate SYNs (Figure 8) from both ends, RST and SYN rules
 * in SYN-RECEIVED, closing a listener, and the connection-record limit. */
#include "test_cm_util.h"

/* Sends a SYN from peer port `port` (ISN 1000) and returns the stack's ISN
 * from its SYN-ACK. */
static uint32_t syn_from(harness *h, uint16_t port)
{
    h->peer_port = port;
    CHECK_EQ(h_inject(h, "S 1000:1000(0) <mss 1460>"), 0);
    synack_segment sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 1001 win 65535 <mss 1460>", sa.seq, sa.seq);
    return sa.seq;
}

static void ack_from(harness *h, uint16_t port, uint32_t isn)
{
    h->peer_port = port;
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", isn + 1), 0);
    h_expect_nothing(h);
}

/* ============================================== backlog and accept queue */

/* RFC 9293 3.10.7.2 (third) with the backlog as the bound on half-open
 * entries: without SYN cookies a SYN beyond it is dropped silently (the
 * client retries); an entry that completes makes room. */
TEST(backlog_bounds_half_open_without_cookies)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.syncookies = 0;
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 2);
    uint32_t a = syn_from(h, 40000);
    syn_from(h, 40001);
    h->peer_port = 40002;
    CHECK_EQ(h_inject(h, "S 1000:1000(0) <mss 1460>"), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_BACKLOG_FULL), 1);
    CHECK_U64(cm_live(h), 2);
    ack_from(h, 40000, a);                          /* half-open -> accept queue */
    syn_from(h, 40002);
    CHECK_U64(cm_live(h), 3);
    /* listen() again raises the bound. */
    h->peer_port = 40003;
    CHECK_EQ(h_inject(h, "S 1000:1000(0) <mss 1460>"), 1);
    h_expect_nothing(h);
    CHECK_EQ(synack_listen(s, l, 3), 0);
    syn_from(h, 40003);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.conns_passive, 4);
    CHECK_U64(st.syncookies_sent, 0);
    h_free(h);
}

/* RFC 9293 3.10.7.2 (third): with backlog connections waiting for accept
 * a SYN is dropped silently, cookies or not; accept makes room. */
TEST(full_accept_queue_drops_syn_silently)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 1);
    uint32_t a = syn_from(h, 40000);
    ack_from(h, 40000, a);
    h->peer_port = 40001;
    CHECK_EQ(h_inject(h, "S 1000:1000(0) <mss 1460>"), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_BACKLOG_FULL), 1);
    CHECK_U64(cm_live(h), 1);
    CHECK(synack_accept(s, l, NULL) >= 0);
    syn_from(h, 40001);
    CHECK_U64(cm_live(h), 2);
    h_free(h);
}

/* RFC 9293 3.10.1: accept hands out connections in the order they were
 * established, each with its peer's address; the listener is readable
 * while any wait. */
TEST(accept_queue_is_fifo_by_establishment)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    uint32_t i0 = syn_from(h, 40000);
    uint32_t i1 = syn_from(h, 40001);
    uint32_t i2 = syn_from(h, 40002);
    synack_ready_event ev[4];
    CHECK_EQ(synack_ready(s, ev, 4), 0);            /* half-open: not ready */
    ack_from(h, 40001, i1);
    ack_from(h, 40002, i2);
    ack_from(h, 40000, i0);
    CHECK_EQ(synack_ready(s, ev, 4), 1);
    CHECK_EQ(ev[0].handle, l);
    CHECK_EQ(ev[0].events, SYNACK_EV_READABLE);
    static const uint16_t order[] = { 40001, 40002, 40000 };
    for (int i = 0; i < 3; i++) {
        synack_endpoint peer;
        int c = synack_accept(s, l, &peer);
        CHECK(c >= 0);
        CHECK_U64(peer.addr, H_DEFAULT_PEER_ADDR);
        CHECK_EQ(peer.port, order[i]);
        synack_endpoint r;
        CHECK_EQ(synack_remote_addr(s, c, &r), 0);
        CHECK_EQ(r.port, order[i]);
        CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    }
    CHECK_EQ(synack_accept(s, l, NULL), SYNACK_EAGAIN);
    CHECK_EQ(synack_poll(s, l), 0);
    h_free(h);
}

/* RFC 9293 3.10.7.4: an unaccepted connection lives on its own: data is
 * acknowledged and kept, a FIN moves it to CLOSE-WAIT, and accept still
 * returns it with all of that. */
TEST(unaccepted_connection_receives_and_closes)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    uint32_t isn = syn_from(h, 40000);
    ack_from(h, 40000, isn);
    CHECK_EQ(h_inject(h, "FP. 1001:1005(4) ack %u", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1006 win 65530 <>", isn + 1, isn + 1);
    int c = synack_accept(s, l, NULL);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSE_WAIT);
    CHECK_EQ(synack_poll(s, c), SYNACK_EV_READABLE | SYNACK_EV_WRITABLE | SYNACK_EV_CONNECTED |
                                    SYNACK_EV_CLOSED);
    char b[8];
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 4);
    CHECK_MEM(b, "nopq", 4);
    CHECK_EQ(synack_recv(s, c, b, sizeof b), 0);
    h_free(h);
}

/* RFC 9293 3.10.7.4 second step (SYN-RECEIVED, passive): an unaccepted
 * connection that is reset leaves the queue; accept does not see it. */
TEST(reset_before_accept_leaves_queue)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 1);
    uint32_t isn = syn_from(h, 40000);
    ack_from(h, 40000, isn);
    CHECK_EQ(synack_poll(s, l), SYNACK_EV_READABLE);
    CHECK_EQ(h_inject(h, "R 1001:1001(0)"), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_accept(s, l, NULL), SYNACK_EAGAIN);
    CHECK_EQ(synack_poll(s, l), 0);
    CHECK_U64(cm_live(h), 0);
    syn_from(h, 40001);                             /* the backlog slot is free */
    h_free(h);
}

/* ========================== old duplicate SYN (RFC 9293 3.5, Figure 8) */

/* Figure 8, B's side: an old SYN (seq 90) opens a half-open entry; A's RST
 * <SEQ=91> (= our RCV.NXT) sends it back to LISTEN (3.10.7.4 second step),
 * freeing it; the real SYN (seq 100) then opens the connection. */
TEST(old_duplicate_syn_server_side)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    CHECK_EQ(h_inject(h, "S 90:90(0) <mss 1460>"), 0);
    synack_segment sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 91 win 65535 <mss 1460>", sa.seq, sa.seq);
    CHECK_EQ(h_inject(h, "R 91:91(0)"), 0);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    CHECK_EQ(synack_accept(s, l, NULL), SYNACK_EAGAIN);
    CHECK_EQ(synack_get_error(s, l), 0);
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);  /* no SYN-ACK retries left */
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.conns_reset, 0);
    CHECK_U64(st.conns_established, 0);

    CHECK_EQ(h_inject(h, "S 100:100(0) <mss 1460>"), 0);
    synack_segment sa2 = h_pop(h);
    cm_match(h, &sa2, "S. %u:%u(0) ack 101 win 65535 <mss 1460>", sa2.seq, sa2.seq);
    CHECK_EQ(h_inject(h, ". 101:101(0) ack %u", sa2.seq + 1), 0);
    h_expect_nothing(h);
    CHECK(synack_accept(s, l, NULL) >= 0);
    h_expect_states(h, 0, "SYN-RECEIVED LISTEN SYN-RECEIVED ESTABLISHED");
    h_free(h);
}

/* Figure 8, A's side: in SYN-SENT (our SYN is ISS) a SYN-ACK for an old
 * SYN (ack 91) is unacceptable: <SEQ=SEG.ACK><CTL=RST> (3.10.7.3 first);
 * the connection goes on and the real SYN-ACK completes it. */
TEST(old_duplicate_syn_client_side)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    CHECK(isn + 1 != 91);
    CHECK_EQ(h_inject(h, "S. 300:300(0) ack 91 <mss 1460>"), 1);
    h_expect(h, "R 91:91(0) win 0 <>");
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_SYN_SENT);
    CHECK_EQ(h_inject(h, "S. 400:400(0) ack %u <mss 1460>", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 401 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED");
    h_free(h);
}

/* Figure 8, A with no connection at all: the SYN-ACK meets a closed port
 * (3.10.7.1): <SEQ=SEG.ACK><CTL=RST>. */
TEST(old_duplicate_synack_to_closed_port)
{
    harness *h = cm_new();
    CHECK_EQ(h_inject(h, "S. 300:300(0) ack 91 <mss 1460>"), 1);
    h_expect(h, "R 91:91(0) win 0 <>");
    CHECK_U64(cm_live(h), 0);
    h_free(h);
}

/* ================================================== SYN-RECEIVED */

/* RFC 5961 3.2 in SYN-RECEIVED: a RST in the window but not at RCV.NXT
 * draws a challenge ACK; outside the window it is ignored; neither frees
 * the half-open entry. */
TEST(syn_received_inexact_rst)
{
    harness *h = cm_new();
    int l = cm_listen(h, 8);
    uint32_t isn = syn_from(h, 40000);
    CHECK_EQ(h_inject(h, "R 1500:1500(0)"), 1);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, "R 999:999(0)"), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_RST_CHALLENGED), 1);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_RST_INVALID), 1);
    CHECK_U64(cm_live(h), 1);
    ack_from(h, 40000, isn);
    CHECK(synack_accept(h_stack(h), l, NULL) >= 0);
    h_free(h);
}

/* RFC 9293 3.10.7.4 fourth step (SYN-RECEIVED, passive): a SYN with a new
 * sequence number in the window returns the entry to LISTEN (freed,
 * nothing sent); the client's next SYN starts afresh. */
TEST(syn_received_new_syn_returns_to_listen)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    syn_from(h, 40000);
    CHECK_EQ(h_inject(h, "S 1500:1500(0) <mss 1460>"), 0);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    CHECK_EQ(h_inject(h, "S 1500:1500(0) <mss 1460>"), 0);
    synack_segment sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 1501 win 65535 <mss 1460>", sa.seq, sa.seq);
    CHECK_EQ(h_inject(h, ". 1501:1501(0) ack %u", sa.seq + 1), 0);
    CHECK(synack_accept(s, l, NULL) >= 0);
    h_expect_states(h, 0, "SYN-RECEIVED LISTEN SYN-RECEIVED ESTABLISHED");
    h_free(h);
}

/* RFC 9293 3.10.7.2: a SYN's data is not acknowledged before the
 * connection is synchronized; the peer sends it again. */
TEST(syn_with_data_only_syn_acknowledged)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    CHECK_EQ(h_inject(h, "S 1000:1010(10) <mss 1460>"), 0);
    synack_segment sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 1001 win 65535 <mss 1460>", sa.seq, sa.seq);
    CHECK_EQ(h_inject(h, "P. 1001:1011(10) ack %u", sa.seq + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1011 win 65525 <>", sa.seq + 1, sa.seq + 1);
    int c = synack_accept(s, l, NULL);
    CHECK_EQ(synack_recv_ready(s, c), 10);
    h_free(h);
}

/* ================================================= closing a listener */

/* RFC 9293 3.10.4 CLOSE in LISTEN: the listener goes; the connections it
 * still holds (half-open, established but unaccepted) have no owner and
 * are reset (3.10.5); accepted ones are untouched; the port then answers
 * RST. */
TEST(close_listener_resets_its_pending_connections)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    uint32_t i0 = syn_from(h, 40000);
    ack_from(h, 40000, i0);
    int c0 = synack_accept(s, l, NULL);
    uint32_t i1 = syn_from(h, 40001);
    ack_from(h, 40001, i1);                         /* established, not accepted */
    uint32_t i2 = syn_from(h, 40002);               /* half-open */
    CHECK_EQ(synack_close(s, l), 0);
    CHECK_EQ(h_pending(h), 2);
    /* Order follows the connection table; check both by their ports. */
    for (int k = 0; k < 2; k++) {
        synack_segment r = h_pop(h);
        CHECK_EQ(r.flags, SYNACK_TCP_RST);
        CHECK_U64(r.seq, r.dport == 40001 ? i1 + 1 : i2 + 1);
        CHECK(r.dport == 40001 || r.dport == 40002);
        CHECK_EQ(r.wnd, 0);
        CHECK_EQ(r.len, 0);
    }
    CHECK_U64(cm_live(h), 1);
    CHECK_EQ(synack_get_state(s, c0), SYNACK_ESTABLISHED);
    h->peer_port = 40003;
    CHECK_EQ(h_inject(h, "S 1000:1000(0) <mss 1460>"), 1);
    h_expect(h, "R. 0:0(0) ack 1001 win 0 <>");
    CHECK_EQ(synack_get_state(s, l), SYNACK_EBADF);
    h_free(h);
}

/* ============================================= connection-record limit */

/* Bounded memory (design brief): with max_conns records in use and no
 * SYN cookies, a SYN is dropped and counted, never crashes; connect says
 * ENOMEM; a freed record makes room again. */
TEST(max_conns_limits_records_without_cookies)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.max_conns = 1;
    cfg.syncookies = 0;
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    cm_listen(h, 8);
    syn_from(h, 40000);
    h->peer_port = 40001;
    CHECK_EQ(h_inject(h, "S 1000:1000(0) <mss 1460>"), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_NO_MEMORY), 1);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 81);
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, 9), SYNACK_ENOMEM);
    h_expect_nothing(h);
    h->peer_port = 40000;
    CHECK_EQ(h_inject(h, "R 1001:1001(0)"), 0);     /* frees the half-open one */
    syn_from(h, 40001);
    h_free(h);
}

/* ===================================================== SYN cookies */

/* RFC 4987 3.6: with the half-open entries full, a SYN is answered with a
 * SYN-ACK whose ISN is a cookie (5-bit 64 s counter, 3-bit MSS index,
 * 24-bit keyed hash) and nothing is kept; the client's ACK rebuilds the
 * connection, ESTABLISHED and queued for accept, MSS from the cookie. */
TEST(syn_cookie_when_half_open_full)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 1);
    syn_from(h, 40000);                             /* the one half-open slot */
    h_advance(h, SYNACK_MSEC(500));
    h->peer_port = 40001;
    CHECK_EQ(h_inject(h, "S 7000:7000(0) <mss 1300>"), 0);
    synack_segment sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 7001 win 65535 <mss 1460>", sa.seq, sa.seq);
    CHECK_EQ(sa.seq >> 27, 0);                      /* counter: 0.5 s / 64 s */
    CHECK_EQ((sa.seq >> 24) & 7u, 2);               /* 1300 in the MSS table */
    CHECK_U64(cm_live(h), 1);                       /* nothing kept */
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.syncookies_sent, 1);
    CHECK_U64(st.conns_passive, 1);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 7001:7001(0) ack %u", sa.seq + 1), 0);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 2);
    synack_stats_get(s, &st);
    CHECK_U64(st.syncookies_ok, 1);
    synack_endpoint peer;
    int c = synack_accept(s, l, &peer);
    CHECK(c >= 0);
    CHECK_EQ(peer.port, 40001);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    int v;
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_MAXSEG, &v), 0);
    CHECK_EQ(v, 1300);
    CHECK_EQ(synack_send(s, c, "hi", 2), 2);
    h_expect(h, "P. %u:%u(2) ack 7001 win 65535 <>", sa.seq + 1, sa.seq + 3);
    h_expect_states(h, (uint32_t)synack_get_conn_id(s, c), "ESTABLISHED");
    h_free(h);
}

/* RFC 4987 3.6: a cookie is good for the counter period it was made in
 * and the next (64 to 128 s); a late or forged one is an ACK to a
 * listener: <SEQ=SEG.ACK><CTL=RST> (3.10.7.2). */
TEST(syn_cookie_expiry_and_forgery)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 1);
    syn_from(h, 40000);
    h->peer_port = 40001;
    h_inject(h, "S 7000:7000(0) <mss 1460>");
    uint32_t c1 = h_pop(h).seq;
    h->peer_port = 40002;
    h_inject(h, "S 8000:8000(0) <mss 1460>");
    uint32_t c2 = h_pop(h).seq;
    CHECK_EQ((c1 >> 24) & 7u, 7);                   /* 1460 */
    h->peer_port = 40000;
    CHECK_EQ(h_inject(h, "R 1001:1001(0)"), 0);     /* free the half-open entry */
    h_expect_nothing(h);

    h->peer_port = 40003;                           /* a guess is refused */
    CHECK_EQ(h_inject(h, ". 9001:9001(0) ack %u", c1 + 1), 1);
    h_expect(h, "R %u:%u(0) win 0 <>", c1 + 1, c1 + 1);

    h_advance(h, SYNACK_SEC(128) - 1);              /* still the next period */
    h->peer_port = 40001;
    CHECK_EQ(h_inject(h, ". 7001:7001(0) ack %u", c1 + 1), 0);
    h_expect_nothing(h);
    CHECK(synack_accept(s, l, NULL) >= 0);
    h_advance(h, 1);                                /* two periods on: stale */
    h->peer_port = 40002;
    CHECK_EQ(h_inject(h, ". 8001:8001(0) ack %u", c2 + 1), 1);
    h_expect(h, "R %u:%u(0) win 0 <>", c2 + 1, c2 + 1);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.syncookies_sent, 2);
    CHECK_U64(st.syncookies_ok, 1);
    CHECK_U64(st.syncookies_failed, 2);
    CHECK_U64(st.drops[SYNACK_DROP_TCP_BAD_ACK], 2);
    CHECK_U64(cm_live(h), 1);
    h_free(h);
}

/* RFC 4987 3.6 with RFC 7323: with timestamps the cookie keeps the
 * client's window scale and SACK-permitted in the low 5 bits of our TSval
 * (the ACK echoes them), so both survive the stateless handshake. */
TEST(syn_cookie_keeps_options_in_timestamp)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.wscale = 7;
    cfg.timestamps = 1;
    cfg.sack = 1;
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 1);
    syn_from(h, 40000);
    h_advance(h, SYNACK_MSEC(2));
    h->peer_port = 40001;
    CHECK_EQ(h_inject(h, "S 7000:7000(0) <mss 1460,sackOK,TS val 5 ecr 0,wscale 3>"), 0);
    synack_segment sa = h_pop(h);
    /* TSval: the 1 ms clock (2) with its low bits replaced by 16 (SACK) | 3
     * = 19 — but that is ahead of the clock, and the peer's PAWS test
     * would drop our next segments (TSval 2), so it goes back 32 ticks:
     * 19 - 32 = 2^32 - 13, before 2 in sequence space. */
    cm_match(h, &sa, "S. %u:%u(0) ack 7001 win 65535 <mss 1460,sackOK,TS val %u ecr 5,wscale 7>",
             sa.seq, sa.seq, 4294967283u);
    CHECK_U64(cm_live(h), 1);
    CHECK_EQ(h_inject(h, ". 7001:7001(0) ack %u win 100 <TS val 6 ecr %u>", sa.seq + 1,
                      4294967283u), 0);
    h_expect_nothing(h);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    int v;
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_MAXSEG, &v), 0);
    CHECK_EQ(v, 1448);                              /* 1460 less the timestamp option */
    /* The peer's window is 100 << 3 = 800 and ours reads 65535 >> 7. */
    static char buf[2000];
    synack_setopt(s, c, SYNACK_TCP_NODELAY, 1);
    CHECK_EQ(synack_send(s, c, buf, sizeof buf), 2000);
    h_expect(h, ". %u:%u(800) ack 7001 win 511 <TS val 2 ecr 6>", sa.seq + 1, sa.seq + 801);
    h_expect_nothing(h);
    h_free(h);
}

TEST_MAIN()
