/* test_cm_handshake.c — packet-exact tests of connection establishment
 * (RFC 9293 sections 3.5 and 3.10.7.2-3.10.7.4): the three-way handshake
 * in both roles, the ISN (RFC 6528), MSS negotiation (3.7.1), the other
 * SYN options (RFC 7323, RFC 2018), SYN and SYN-ACK retransmission with
 * exact backoff, and the rules for odd segments in SYN-SENT and
 * SYN-RECEIVED. Simultaneous open is in test_cm_simultaneous.c, old
 * duplicate SYNs in test_cm_listen.c. */
#include "test_cm_util.h"

/* ===================================================== passive open */
/* LISTEN -> SYN-RECEIVED -> ESTABLISHED */

/* RFC 9293 3.5 / 3.10.7.2: SYN -> SYN-ACK <seq=y, ack=x+1>, ACK -> ESTABLISHED. */
TEST(passive_three_way_handshake)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    CHECK_EQ(synack_get_state(s, l), SYNACK_LISTEN);

    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>"), 0);
    synack_segment sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 1001 win 65535 <mss 1460>", sa.seq, sa.seq);
    h_expect_nothing(h);
    h_expect_states(h, 0, "SYN-RECEIVED");
    /* Half-open: nothing to accept yet, the listener is not readable. */
    CHECK_EQ(synack_accept(s, l, NULL), SYNACK_EAGAIN);
    CHECK_EQ(synack_poll(s, l), 0);
    CHECK_U64(cm_live(h), 1);

    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", sa.seq + 1), 0);
    h_expect_nothing(h);                    /* the ACK is not acknowledged */
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED");
    CHECK_EQ(synack_poll(s, l), SYNACK_EV_READABLE);
    synack_endpoint peer, local;
    int c = synack_accept(s, l, &peer);
    CHECK(c >= 0);
    CHECK_U64(peer.addr, H_DEFAULT_PEER_ADDR);
    CHECK_EQ(peer.port, H_DEFAULT_PEER_PORT);
    CHECK_EQ(synack_local_addr(s, c, &local), 0);
    CHECK_U64(local.addr, H_DEFAULT_LOCAL_ADDR);
    CHECK_EQ(local.port, 80);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    CHECK_EQ(synack_poll(s, c), SYNACK_EV_WRITABLE | SYNACK_EV_CONNECTED);
    CHECK_EQ(synack_accept(s, l, NULL), SYNACK_EAGAIN);

    /* The SYN consumed one sequence number on each side: data starts at
     * ISN+1 and is acknowledged from 1001 on. */
    CHECK_EQ(synack_send(s, c, "hi", 2), 2);
    h_expect(h, "P. %u:%u(2) ack 1001 win 65535 <>", sa.seq + 1, sa.seq + 3);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.conns_passive, 1);
    CHECK_U64(st.conns_active, 0);
    CHECK_U64(st.conns_established, 1);
    h_free(h);
}

/* RFC 9293 3.10.7.4 (SYN-RECEIVED, fifth step): the third segment may carry data. */
TEST(passive_third_segment_with_data)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    h_inject(h, "S 1000:1000(0) <mss 1460>");
    synack_segment sa = h_pop(h);
    CHECK_EQ(h_inject(h, "P. 1001:1006(5) ack %u", sa.seq + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1006 win 65530 <>", sa.seq + 1, sa.seq + 1);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    char buf[8];
    CHECK_EQ(synack_recv(s, c, buf, sizeof buf), 5);
    CHECK_MEM(buf, "nopqr", 5);             /* pattern bytes at 1001..1005 */
    h_free(h);
}

/* RFC 9293 3.10.7.4: ESTABLISHED by the ACK, then CLOSE-WAIT by the FIN on it. */
TEST(passive_third_segment_with_fin)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    h_inject(h, "S 1000:1000(0) <mss 1460>");
    synack_segment sa = h_pop(h);
    CHECK_EQ(h_inject(h, "F. 1001:1001(0) ack %u", sa.seq + 1), 0);
    /* The FIN takes a sequence number but no buffer: the right edge stays
     * where it was (RFC 9293 3.8.6.2.2), so the window reads one less. */
    h_expect(h, ". %u:%u(0) ack 1002 win 65534 <>", sa.seq + 1, sa.seq + 1);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED CLOSE-WAIT");
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSE_WAIT);
    char buf[4];
    CHECK_EQ(synack_recv(s, c, buf, sizeof buf), 0);        /* EOF */
    h_free(h);
}

/* RFC 9293 3.10.7.4 (SYN-RECEIVED, fifth step): an unacceptable ACK gets
 * <SEQ=SEG.ACK><CTL=RST> and the half-open entry stays. */
TEST(syn_received_bad_ack_answers_rst)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    h_inject(h, "S 1000:1000(0) <mss 1460>");
    synack_segment sa = h_pop(h);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", sa.seq + 7), 1);
    h_expect(h, "R %u:%u(0) <>", sa.seq + 7, sa.seq + 7);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", sa.seq), 1);     /* acks nothing */
    h_expect(h, "R %u:%u(0) <>", sa.seq, sa.seq);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_BAD_ACK), 2);
    h_expect_states(h, 0, "SYN-RECEIVED");
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", sa.seq + 1), 0);
    h_expect_nothing(h);
    CHECK(synack_accept(s, l, NULL) >= 0);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED");
    h_free(h);
}

/* RFC 9293 3.10.7.4 (fifth step): "if the ACK bit is off, drop the segment". */
TEST(syn_received_segment_without_ack_dropped)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    h_inject(h, "S 1000:1000(0) <mss 1460>");
    synack_segment sa = h_pop(h);
    CHECK_EQ(h_inject(h, "P 1001:1004(3)"), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_NO_ACK), 1);
    CHECK_EQ(synack_accept(s, l, NULL), SYNACK_EAGAIN);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", sa.seq + 1), 0);
    CHECK(synack_accept(s, l, NULL) >= 0);
    h_free(h);
}

/* ====================================================== active open */
/* CLOSED -> SYN-SENT -> ESTABLISHED */

/* RFC 9293 3.5 / 3.10.1 / 3.10.7.3: <SEQ=ISS><CTL=SYN>, then SYN-ACK -> ACK. */
TEST(active_three_way_handshake)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_bind(s, c, 0, 80), 0);
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT),
             SYNACK_EINPROGRESS);
    synack_segment syn = h_pop(h);
    cm_match(h, &syn, "S %u:%u(0) win 65535 <mss 1460>", syn.seq, syn.seq);
    uint32_t isn = syn.seq;
    CHECK_EQ(synack_get_state(s, c), SYNACK_SYN_SENT);
    CHECK_EQ(synack_poll(s, c), 0);
    synack_endpoint r;
    CHECK_EQ(synack_remote_addr(s, c, &r), 0);
    CHECK_U64(r.addr, H_DEFAULT_PEER_ADDR);
    CHECK_EQ(r.port, H_DEFAULT_PEER_PORT);
    synack_ready_event ev[4];
    CHECK_EQ(synack_ready(s, ev, 4), 1);            /* the SYN-SENT edge */
    CHECK_EQ(ev[0].handle, c);
    CHECK_EQ(ev[0].events, 0);

    h_advance(h, SYNACK_MSEC(30));
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u win 4000 <mss 1460>", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    CHECK_EQ(synack_poll(s, c), SYNACK_EV_WRITABLE | SYNACK_EV_CONNECTED);
    CHECK_EQ(synack_ready(s, ev, 4), 1);
    CHECK_EQ(ev[0].handle, c);
    CHECK_EQ(ev[0].events, SYNACK_EV_WRITABLE | SYNACK_EV_CONNECTED);
    CHECK_EQ(synack_ready(s, ev, 4), 0);
    CHECK_EQ(synack_get_error(s, c), 0);
    h_expect_states(h, (uint32_t)synack_get_conn_id(s, c), "SYN-SENT ESTABLISHED");

    /* The peer's window (4000, unscaled) bounds what we send; the 1080
     * bytes left in it are less than half the largest window, so sender
     * SWS avoidance (RFC 9293 3.8.6.2.1) holds them back. */
    static char big[6000];
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    CHECK_EQ(synack_send(s, c, big, sizeof big), 6000);
    h_expect(h, ". %u:%u(1460) ack 5001 win 65535 <>", isn + 1, isn + 1461);
    h_expect(h, ". %u:%u(1460) ack 5001 win 65535 <>", isn + 1461, isn + 2921);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u win 4000", isn + 2921), 0);
    h_expect(h, ". %u:%u(1460) ack 5001 win 65535 <>", isn + 2921, isn + 4381);
    h_expect(h, ". %u:%u(1460) ack 5001 win 65535 <>", isn + 4381, isn + 5841);
    h_expect(h, "P. %u:%u(160) ack 5001 win 65535 <>", isn + 5841, isn + 6001);
    h_expect_nothing(h);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.conns_active, 1);
    CHECK_U64(st.conns_established, 1);
    h_free(h);
}

/* RFC 6528 section 3: ISN = M + F(4-tuple, secret), M a 4 us clock. */
TEST(isn_is_keyed_hash_plus_4us_clock)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    CHECK_EQ(synack_bind(s, c, 0, 80), 0);
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT),
             SYNACK_EINPROGRESS);
    uint32_t isn1 = h_pop(h).seq;
    CHECK_EQ(synack_close(s, c), 0);                /* SYN-SENT: freed silently */
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);

    h_advance(h, SYNACK_MSEC(4));                   /* 1000 ticks of 4 us */
    c = synack_socket(s);
    CHECK_EQ(synack_bind(s, c, 0, 80), 0);
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT),
             SYNACK_EINPROGRESS);
    uint32_t isn2 = h_pop(h).seq;
    CHECK_U64(isn2 - isn1, 1000);

    /* Another 4-tuple, same instant: another point of the hash. */
    int d = synack_socket(s);
    CHECK_EQ(synack_bind(s, d, 0, 81), 0);
    CHECK_EQ(synack_connect(s, d, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT),
             SYNACK_EINPROGRESS);
    h->local_port = 81;
    synack_segment syn = h_pop(h);
    cm_match(h, &syn, "S %u:%u(0) win 65535 <mss 1460>", syn.seq, syn.seq);
    CHECK(syn.seq != isn2);
    h_free(h);
}

/* RFC 9293 3.10.7.3 (first): SEG.ACK =< ISS or > SND.NXT -> <SEQ=SEG.ACK><CTL=RST>. */
TEST(syn_sent_unacceptable_ack_answers_rst)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u", isn + 2), 1);
    h_expect(h, "R %u:%u(0) <>", isn + 2, isn + 2);
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u", isn), 1);
    h_expect(h, "R %u:%u(0) <>", isn, isn);
    /* With RST set the bad ACK is just dropped (never answer a RST). */
    CHECK_EQ(h_inject(h, "R. 0:0(0) ack %u", isn + 9), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_BAD_ACK), 3);
    CHECK_EQ(synack_get_state(s, c), SYNACK_SYN_SENT);
    /* The real SYN-ACK still completes the handshake. */
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u <mss 1460>", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    h_free(h);
}

/* RFC 9293 3.10.7.3 (fifth): neither SYN nor RST -> drop. */
TEST(syn_sent_plain_ack_dropped)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    CHECK_EQ(h_inject(h, ". 5000:5000(0) ack %u", isn + 1), 1);
    h_expect_nothing(h);
    CHECK_U64(cm_drops(h, SYNACK_DROP_TCP_NO_ACK), 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_SYN_SENT);
    h_free(h);
}

/* ==================================================== MSS (3.7.1) */

/* RFC 9293 3.7.1: the send MSS is the peer's MSS option (here smaller). */
TEST(mss_peer_smaller_bounds_segments)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    h_inject(h, "S 1000:1000(0) <mss 1000>");
    synack_segment sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 1001 win 65535 <mss 1460>", sa.seq, sa.seq);
    h_inject(h, ". 1001:1001(0) ack %u", sa.seq + 1);
    int c = synack_accept(s, l, NULL);
    int v;
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_MAXSEG, &v), 0);
    CHECK_EQ(v, 1000);
    static char buf[2500];
    CHECK_EQ(synack_send(s, c, buf, sizeof buf), 2500);
    h_expect(h, ". %u:%u(1000) ack 1001", sa.seq + 1, sa.seq + 1001);
    h_expect(h, ". %u:%u(1000) ack 1001", sa.seq + 1001, sa.seq + 2001);
    /* Nagle (RFC 9293 3.7.4): the 500-byte tail waits for an ACK. */
    h_expect_nothing(h);
    h_inject(h, ". 1001:1001(0) ack %u", sa.seq + 2001);
    h_expect(h, "P. %u:%u(500) ack 1001", sa.seq + 2001, sa.seq + 2501);
    h_free(h);
}

/* RFC 9293 3.7.1 (MUST-15): without an MSS option the send MSS is 536. */
TEST(mss_absent_means_536)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_setopt(s, c, SYNACK_TCP_NODELAY, 1);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    h_inject(h, "S. 5000:5000(0) ack %u <>", isn + 1);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    int v;
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_MAXSEG, &v), 0);
    CHECK_EQ(v, 536);
    static char buf[1000];
    CHECK_EQ(synack_send(s, c, buf, sizeof buf), 1000);
    h_expect(h, ". %u:%u(536) ack 5001", isn + 1, isn + 537);
    h_expect(h, "P. %u:%u(464) ack 5001", isn + 537, isn + 1001);
    h_free(h);
}

/* RFC 9293 3.7.1: a larger peer MSS does not raise ours above MTU-40. */
TEST(mss_peer_larger_capped_by_our_mtu)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    h_inject(h, "S 1000:1000(0) <mss 9000>");
    synack_segment sa = h_pop(h);
    h_inject(h, ". 1001:1001(0) ack %u", sa.seq + 1);
    int c = synack_accept(s, l, NULL);
    int v;
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_MAXSEG, &v), 0);
    CHECK_EQ(v, 1460);
    h_free(h);
}

/* RFC 9293 3.7.1 / RFC 6691: we advertise MTU - 40, or TCP_MAXSEG. */
TEST(mss_advertised_from_mtu_and_maxseg)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.mtu = 576;
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    synack_segment syn = h_pop(h);
    cm_match(h, &syn, "S %u:%u(0) win 65535 <mss 536>", syn.seq, syn.seq);
    h_free(h);

    h = cm_new();
    s = h_stack(h);
    int l = synack_socket(s);
    CHECK_EQ(synack_setopt(s, l, SYNACK_TCP_MAXSEG, 1200), 0);
    synack_bind(s, l, 0, 80);
    synack_listen(s, l, 8);
    h_inject(h, "S 1000:1000(0) <mss 1460>");
    synack_segment sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 1001 win 65535 <mss 1200>", sa.seq, sa.seq);
    h_inject(h, ". 1001:1001(0) ack %u", sa.seq + 1);
    c = synack_accept(s, l, NULL);
    int v;
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_MAXSEG, &v), 0);
    CHECK_EQ(v, 1200);                      /* the cap bounds what we send too */
    h_free(h);
}

/* ====================================== options (RFC 7323, RFC 2018) */

/* RFC 7323 2.2, 3.2; RFC 2018 2: a SYN offers every option configured. */
TEST(default_syn_offers_all_options)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.wscale = 7;
    cfg.timestamps = 1;
    cfg.sack = 1;
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_MSEC(1500));
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    synack_segment syn = h_pop(h);
    /* TS val is the 1 ms clock; the SYN's window is never scaled. */
    cm_match(h, &syn, "S %u:%u(0) win 65535 <mss 1460,sackOK,TS val 1500 ecr 0,nop,wscale 7>",
             syn.seq, syn.seq);
    uint32_t isn = syn.seq;
    h_advance(h, SYNACK_MSEC(20));
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u win 4000 <mss 1460,sackOK,TS val 777 ecr 1500,"
                         "wscale 2>", isn + 1), 0);
    /* Now the window field is scaled by 7 (65535 >> 7 = 511) and every
     * segment carries a timestamp echoing the peer's. */
    h_expect(h, ". %u:%u(0) ack 5001 win 511 <TS val 1520 ecr 777>", isn + 1, isn + 1);
    int v;
    CHECK_EQ(synack_getopt(s, c, SYNACK_TCP_MAXSEG, &v), 0);
    CHECK_EQ(v, 1448);                      /* 1460 less the 12-byte timestamp option */
    /* The peer's window: 4000 as the SYN-ACK said (never scaled), later
     * 1000 << 2 = 4000 from a scaled ACK. */
    static char buf[6000];
    synack_setopt(s, c, SYNACK_TCP_NODELAY, 1);
    CHECK_EQ(synack_send(s, c, buf, sizeof buf), 6000);
    h_expect(h, ". %u:%u(1448) ack 5001 win 511 <TS val 1520 ecr 777>", isn + 1, isn + 1449);
    h_expect(h, ". %u:%u(1448) ack 5001 win 511 <TS val 1520 ecr 777>", isn + 1449, isn + 2897);
    h_expect_nothing(h);                    /* 1104 < 4000 / 2: SWS avoidance */
    h_advance(h, SYNACK_MSEC(5));
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u win 1000 <TS val 790 ecr 1520>", isn + 2897), 0);
    h_expect(h, ". %u:%u(1448) ack 5001 win 511 <TS val 1525 ecr 790>", isn + 2897, isn + 4345);
    h_expect(h, ". %u:%u(1448) ack 5001 win 511 <TS val 1525 ecr 790>", isn + 4345, isn + 5793);
    h_expect(h, "P. %u:%u(208) ack 5001 win 511 <TS val 1525 ecr 790>", isn + 5793, isn + 6001);
    h_expect_nothing(h);
    h_free(h);
}

/* RFC 7323 1.3, 2.2; RFC 2018 2: a SYN-ACK offers only what the SYN offered. */
TEST(synack_echoes_only_offered_options)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.wscale = 7;
    cfg.timestamps = 1;
    cfg.sack = 1;
    harness *h = h_new(&cfg);
    cm_listen(h, 8);
    h_inject(h, "S 1000:1000(0) <mss 1460>");
    synack_segment sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 1001 win 65535 <mss 1460>", sa.seq, sa.seq);

    h->peer_port = 40001;
    h_advance(h, SYNACK_MSEC(2));
    h_inject(h, "S 3000:3000(0) <mss 1460,sackOK>");
    sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 3001 win 65535 <mss 1460,sackOK>", sa.seq, sa.seq);

    h->peer_port = 40002;
    h_inject(h, "S 4000:4000(0) <mss 1460,wscale 3>");
    sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 4001 win 65535 <mss 1460,wscale 7>", sa.seq, sa.seq);

    h->peer_port = 40003;
    h_inject(h, "S 6000:6000(0) <mss 1460,sackOK,TS val 99 ecr 0,wscale 3>");
    sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 6001 win 65535 <mss 1460,sackOK,TS val 2 ecr 99,wscale 7>",
             sa.seq, sa.seq);
    h_inject(h, ". 6001:6001(0) ack %u win 100 <TS val 100 ecr 2>", sa.seq + 1);
    h_expect_nothing(h);
    h_expect_states(h, 0, "SYN-RECEIVED SYN-RECEIVED SYN-RECEIVED SYN-RECEIVED ESTABLISHED");
    h_free(h);
}

/* ================================= SYN-SENT: lost SYN (RFC 6298 5.5) */

/* RFC 6298 (2.1, 5.5) and RFC 9293 3.8.3 (R2 for a SYN at least 3
 * minutes, MUST-23): SYN resent at 1, 3, 7, 15, 31, 63, 123 s (the RTO is
 * capped at rto_max 60 s); the 8th expiry gives up: ETIMEDOUT at 183 s. */
TEST(lost_syn_backoff_to_etimedout)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    static const unsigned at[] = { 1, 3, 7, 15, 31, 63, 123 };
    synack_time prev = 0;
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        CHECK_U64(synack_next_deadline(s), SYNACK_SEC(at[i]));
        h_advance(h, SYNACK_SEC(at[i]) - 1 - prev);
        h_expect_nothing(h);
        h_advance(h, 1);
        h_expect(h, "S %u:%u(0) win 65535 <mss 1460>", isn, isn);
        h_expect_nothing(h);
        CHECK_EQ(synack_get_state(s, c), SYNACK_SYN_SENT);
        prev = SYNACK_SEC(at[i]);
    }
    CHECK_U64(synack_next_deadline(s), SYNACK_SEC(183));
    h_advance(h, SYNACK_SEC(183) - 1 - prev);
    CHECK_EQ(synack_get_state(s, c), SYNACK_SYN_SENT);
    h_advance(h, 1);
    h_expect_nothing(h);                    /* giving up sends nothing */
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    CHECK_EQ(synack_poll(s, c), SYNACK_EV_READABLE | SYNACK_EV_WRITABLE | SYNACK_EV_CLOSED |
                                    SYNACK_EV_ERROR);
    char b[4];
    CHECK_EQ(synack_send(s, c, b, 1), SYNACK_ETIMEDOUT);
    CHECK_EQ(synack_recv(s, c, b, sizeof b), SYNACK_ETIMEDOUT);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ETIMEDOUT);
    CHECK_EQ(synack_get_error(s, c), 0);            /* read once, like SO_ERROR */
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_retransmits, 7);
    CHECK_U64(st.conns_timeout, 1);
    CHECK_U64(st.conns_live, 1);                    /* the handle still holds it */
    CHECK_EQ(synack_close(s, c), 0);
    CHECK_U64(cm_live(h), 0);
    h_expect_states(h, 0, "SYN-SENT CLOSED");
    h_free(h);
}

/* RFC 6298 (2.5): with Linux's settings (6 SYN retries, a 120 s ceiling)
 * the classic 127 s give-up appears. */
TEST(lost_syn_etimedout_at_127s_with_rto_max_120)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.rto_max = SYNACK_SEC(120);
    cfg.syn_retries = 6;
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    static const unsigned at[] = { 1, 3, 7, 15, 31, 63 };
    for (size_t i = 0; i < 6; i++) {
        h_advance(h, SYNACK_SEC(at[i]) - h_now(h));
        h_expect(h, "S %u:%u(0) <mss 1460>", isn, isn);
    }
    h_advance(h, SYNACK_SEC(64) - 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_SYN_SENT);
    h_advance(h, 1);
    CHECK_U64(h_now(h), SYNACK_SEC(127));
    CHECK_EQ(synack_get_state(s, c), SYNACK_CLOSED);
    CHECK_EQ(synack_get_error(s, c), SYNACK_ETIMEDOUT);
    h_expect_nothing(h);
    synack_close(s, c);
    h_free(h);
}

/* RFC 9293 3.10.7.3: a SYN-ACK that answers a retransmitted SYN completes it. */
TEST(synack_after_syn_retransmission)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    h_advance(h, SYNACK_SEC(1));
    h_expect(h, "S %u:%u(0) win 65535 <mss 1460>", isn, isn);
    h_advance(h, SYNACK_SEC(2));
    h_expect(h, "S %u:%u(0) win 65535 <mss 1460>", isn, isn);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u <mss 1460>", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    /* No timer left running on an idle connection. */
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    h_advance(h, SYNACK_SEC(10));
    h_expect_nothing(h);
    h_free(h);
}

/* RFC 6298 (5.7): the SYN was resent and no RTT was measured (Karn's
 * rule), so data starts with an RTO of 3 s instead of the 1 s initial. */
TEST(rto_3s_after_resent_syn)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    h_advance(h, SYNACK_SEC(1));
    h_expect(h, "S %u:%u(0) win 65535 <mss 1460>", isn, isn);
    h_advance(h, SYNACK_MSEC(50));
    h_inject(h, "S. 5000:5000(0) ack %u <mss 1460>", isn + 1);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_send(s, c, "x", 1), 1);
    h_expect(h, "P. %u:%u(1) ack 5001 win 65535 <>", isn + 1, isn + 2);
    h_advance(h, SYNACK_SEC(3) - 1);
    h_expect_nothing(h);
    h_advance(h, 1);
    h_expect(h, "P. %u:%u(1) ack 5001 win 65535 <>", isn + 1, isn + 2);
    h_free(h);
}

/* ================================ SYN-RECEIVED: lost SYN-ACK or ACK */

/* RFC 6298 5.5 / RFC 9293 3.8.1: SYN-ACK resent at 1, 3, 7, 15, 31 s;
 * after synack_retries (5) the half-open entry is freed at 63 s, silently,
 * and the listener carries on. */
TEST(lost_synack_retries_then_half_open_freed)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    h_inject(h, "S 1000:1000(0) <mss 1460>");
    synack_segment sa = h_pop(h);
    uint32_t isn = sa.seq;
    static const unsigned at[] = { 1, 3, 7, 15, 31 };
    synack_time prev = 0;
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        h_advance(h, SYNACK_SEC(at[i]) - 1 - prev);
        h_expect_nothing(h);
        h_advance(h, 1);
        h_expect(h, "S. %u:%u(0) ack 1001 win 65535 <mss 1460>", isn, isn);
        h_expect_nothing(h);
        prev = SYNACK_SEC(at[i]);
    }
    CHECK_U64(cm_live(h), 1);
    h_advance(h, SYNACK_SEC(63) - 1 - prev);
    CHECK_U64(cm_live(h), 1);
    h_advance(h, 1);
    h_expect_nothing(h);
    CHECK_U64(cm_live(h), 0);
    h_expect_states(h, 0, "SYN-RECEIVED LISTEN");
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_retransmits, 5);
    CHECK_U64(st.conns_timeout, 1);
    CHECK_EQ(synack_get_state(s, l), SYNACK_LISTEN);
    CHECK_EQ(synack_accept(s, l, NULL), SYNACK_EAGAIN);
    CHECK_EQ(synack_get_error(s, l), 0);            /* nothing to report */

    /* The entry is gone: the late ACK finds only the listener (RST). */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", isn + 1), 1);
    h_expect(h, "R %u:%u(0) <>", isn + 1, isn + 1);
    /* And the listener still opens connections. */
    h->peer_port = 40001;
    uint32_t isn2;
    int c = cm_accept(h, l, &isn2);
    CHECK(c >= 0);
    h_free(h);
}

/* RFC 9293 3.10.7.4 / RFC 793 figure 9 recovery: a retransmitted SYN in
 * SYN-RECEIVED means our SYN-ACK was lost: it is resent at once. */
TEST(retransmitted_syn_gets_synack_again)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    h_inject(h, "S 1000:1000(0) <mss 1460>");
    synack_segment sa = h_pop(h);
    h_advance(h, SYNACK_MSEC(700));
    CHECK_EQ(h_inject(h, "S 1000:1000(0) <mss 1460>"), 0);
    h_expect(h, "S. %u:%u(0) ack 1001 win 65535 <mss 1460>", sa.seq, sa.seq);
    h_expect_nothing(h);
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.tcp_retransmits, 1);
    CHECK_U64(st.conns_passive, 1);                 /* no second entry */
    CHECK_U64(st.conns_live, 1);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", sa.seq + 1), 0);
    CHECK(synack_accept(s, l, NULL) >= 0);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED");
    h_free(h);
}

/* RFC 9293 3.8.1: once ESTABLISHED by a late ACK, no SYN-ACK is resent. */
TEST(synack_retransmission_stops_on_ack)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    h_inject(h, "S 1000:1000(0) <mss 1460>");
    synack_segment sa = h_pop(h);
    h_advance(h, SYNACK_SEC(1));
    h_expect(h, "S. %u:%u(0) ack 1001 win 65535 <mss 1460>", sa.seq, sa.seq);
    h_advance(h, SYNACK_MSEC(500));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", sa.seq + 1), 0);
    h_expect_nothing(h);
    CHECK_U64(synack_next_deadline(s), SYNACK_TIME_NEVER);
    h_advance(h, SYNACK_SEC(100));
    h_expect_nothing(h);
    int c = synack_accept(s, l, NULL);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    /* RFC 6298 (5.7): the SYN-ACK was resent, so data starts with a 3 s RTO. */
    CHECK_EQ(synack_send(s, c, "x", 1), 1);
    h_expect(h, "P. %u:%u(1) ack 1001 win 65535 <>", sa.seq + 1, sa.seq + 2);
    h_advance(h, SYNACK_SEC(3) - 1);
    h_expect_nothing(h);
    h_advance(h, 1);
    h_expect(h, "P. %u:%u(1) ack 1001 win 65535 <>", sa.seq + 1, sa.seq + 2);
    h_free(h);
}

/* RFC 6298 (5.7): "If the timer expires awaiting the ACK of a SYN segment
 * and the TCP implementation is using an RTO less than 3 seconds, the RTO
 * MUST be re-initialized to 3 seconds when data transmission begins".
 * After two SYN retransmissions the backed-off SYN RTO is 4 s; data must
 * still start with 3 s (the backoff belongs to the SYN's timer). */
TEST(rto_3s_after_twice_resent_syn)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    synack_bind(s, c, 0, 80);
    synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT);
    uint32_t isn = h_pop(h).seq;
    h_advance(h, SYNACK_SEC(1));
    h_expect(h, "S %u:%u(0) win 65535 <mss 1460>", isn, isn);
    h_advance(h, SYNACK_SEC(2));
    h_expect(h, "S %u:%u(0) win 65535 <mss 1460>", isn, isn);
    h_advance(h, SYNACK_MSEC(50));
    h_inject(h, "S. 5000:5000(0) ack %u <mss 1460>", isn + 1);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_send(s, c, "x", 1), 1);
    h_expect(h, "P. %u:%u(1) ack 5001 win 65535 <>", isn + 1, isn + 2);
    h_advance(h, SYNACK_SEC(3) - 1);
    h_expect_nothing(h);
    h_advance(h, 1);
    h_expect(h, "P. %u:%u(1) ack 5001 win 65535 <>", isn + 1, isn + 2);
    h_free(h);
}

TEST_MAIN()
