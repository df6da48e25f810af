/* test_limits_resources.c — everything a peer can make the stack hold is
 * bounded: connection records (cfg.max_conns, TIME-WAIT ones included),
 * half-open entries (the listener's backlog), the out-of-order queue, and
 * socket handles (cfg.max_sockets). When a limit is hit the new work is
 * refused and counted in synack_stats, nothing aborts, established
 * connections keep working, and the room comes back once entries leave. */
#include "check.h"
#include "support/harness.h"

/* The harness defaults, with max_conns / max_sockets set and SYN cookies
 * (RFC 4987) off unless asked for: most tests here watch the limits
 * themselves refuse work. */
static harness *new_with_limits(uint32_t max_conns, uint32_t max_sockets, int cookies)
{
    synack_config c;
    synack_config_default(&c);
    c.addr = H_DEFAULT_LOCAL_ADDR;
    c.seed = 1;
    c.delack = 0;
    c.rcvbuf = c.sndbuf = 65535;
    c.max_conns = max_conns;
    c.max_sockets = max_sockets;
    c.syncookies = (uint8_t)cookies;
    return h_new(&c);
}

static int listener(harness *h, int backlog)
{
    synack_stack *s = h_stack(h);
    int l = synack_socket(s);
    CHECK(l >= 0);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, backlog), 0);
    return l;
}

/* A SYN from peer port `port` (ISN 1000) answered by a SYN-ACK: returns
 * the stack's ISN. */
static uint32_t syn_from(harness *h, uint16_t port)
{
    h->peer_port = port;
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460, sackOK>"), 0);
    synack_segment sa = h_pop(h);
    CHECK_EQ(sa.flags, SYNACK_TCP_SYN | SYNACK_TCP_ACK);
    CHECK_U64(sa.ack, 1001);
    return sa.seq;
}

/* A full handshake from `port`, accepted: returns the handle. */
static int connect_from(harness *h, int l, uint16_t port, uint32_t *isn)
{
    *isn = syn_from(h, port);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", *isn + 1), 0);
    h_expect_nothing(h);
    synack_endpoint peer;
    int c = synack_accept(h_stack(h), l, &peer);
    CHECK(c >= 0);
    CHECK_EQ(peer.port, port);
    return c;
}

/* A SYN from `port` that must be refused without any reply. */
static void syn_refused(harness *h, uint16_t port)
{
    h->peer_port = port;
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>"), 1);
    h_expect_nothing(h);
}

/* Connection `port` (RCV.NXT rcv, SND.NXT isn+1+sent) still moves data
 * both ways: n bytes in, exact, acknowledged; 5 bytes out. */
static void still_works(harness *h, int c, uint16_t port, uint32_t isn, uint32_t rcv,
                        uint32_t n)
{
    synack_stack *s = h_stack(h);
    h->peer_port = port;
    CHECK_EQ(h_inject(h, "P. %u:%u(%u) ack %u", rcv, rcv + n, n, isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack %u", isn + 1, isn + 1, rcv + n);
    uint8_t buf[1024], want[1024];
    CHECK(n <= sizeof buf);
    CHECK_EQ(synack_recv(s, c, buf, sizeof buf), n);
    h_pattern_fill(rcv, want, n);
    CHECK_MEM(buf, want, n);
    CHECK_EQ(synack_send(s, c, "alive", 5), 5);
    h_expect(h, "P. %u:%u(5) ack %u", isn + 1, isn + 6, rcv + n);
    CHECK_EQ(h_inject(h, ". %u:%u(0) ack %u", rcv + n, rcv + n, isn + 6), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
}

static synack_stats stats(harness *h)
{
    synack_stats st;
    synack_stats_get(h_stack(h), &st);
    return st;
}

TEST(max_conns_refuses_new_connections)
{
    harness *h = new_with_limits(4, 16, 0);
    synack_stack *s = h_stack(h);
    int l = listener(h, 16);
    int c[4];
    uint32_t isn[4];
    for (int i = 0; i < 4; i++)
        c[i] = connect_from(h, l, (uint16_t)(40000 + i), &isn[i]);
    CHECK_U64(stats(h).conns_live, 4);

    /* Table full: a fifth SYN is dropped (the client will retry), an
     * active open fails with ENOMEM; both are counted or reported. */
    syn_refused(h, 40004);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_NO_MEMORY], 1);
    int a = synack_socket(s);
    CHECK(a >= 0);
    CHECK_EQ(synack_connect(s, a, H_DEFAULT_PEER_ADDR, 9000), SYNACK_ENOMEM);
    h_expect_nothing(h);
    synack_stats st = stats(h);
    CHECK_U64(st.conns_live, 4);
    CHECK_U64(st.conns_passive, 4);
    CHECK_U64(st.conns_active, 0);

    /* The four established connections are untouched. */
    for (int i = 0; i < 4; i++)
        still_works(h, c[i], (uint16_t)(40000 + i), isn[i], 1001, 100);

    /* An abort frees a record; the next SYN gets through. */
    CHECK_EQ(synack_abort(s, c[1]), 0);
    h->peer_port = 40001;
    synack_segment rst = h_pop(h);
    CHECK(rst.flags & SYNACK_TCP_RST);
    CHECK_U64(stats(h).conns_live, 3);
    syn_from(h, 40004);
    CHECK_U64(stats(h).conns_live, 4);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_NO_MEMORY], 1);
    h_free(h);
}

TEST(backlog_bounds_half_open_and_unaccepted)
{
    harness *h = new_with_limits(4096, 16, 0);
    synack_stack *s = h_stack(h);
    int l = listener(h, 16);
    uint32_t kisn;
    int k = connect_from(h, l, 39999, &kisn);   /* accepted: outside the backlog */
    CHECK_EQ(synack_listen(s, l, 2), 0);         /* now shrink the backlog */

    /* The backlog bounds the half-open entries: a third SYN is dropped
     * silently (the client retries) and counted. */
    uint32_t isn0 = syn_from(h, 40000);
    syn_from(h, 40001);
    syn_refused(h, 40002);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_BACKLOG_FULL], 1);
    CHECK_U64(stats(h).conns_live, 3);

    /* ... and, separately, the connections waiting for accept(). */
    h->peer_port = 40000;
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", isn0 + 1), 0);
    h_expect_nothing(h);
    uint32_t isn3 = syn_from(h, 40003);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", isn3 + 1), 0);
    h_expect_nothing(h);
    syn_refused(h, 40004);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_BACKLOG_FULL], 2);

    still_works(h, k, 39999, kisn, 1001, 200);

    /* accept() makes room. */
    CHECK(synack_accept(s, l, NULL) >= 0);
    CHECK(synack_accept(s, l, NULL) >= 0);
    CHECK_EQ(synack_accept(s, l, NULL), SYNACK_EAGAIN);
    syn_from(h, 40004);
    syn_refused(h, 40005);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_BACKLOG_FULL], 3);

    /* Half-open entries that never complete give up after their SYN-ACK
     * retries (5, doubling from 1 s: gone after 63 s) and free the
     * backlog. */
    CHECK_U64(stats(h).conns_live, 5);
    for (int i = 0; i < 70; i++) {
        h_advance(h, SYNACK_SEC(1));
        while (h_pending(h) > 0) {
            synack_segment sa = h_pop(h);
            CHECK_EQ(sa.flags, SYNACK_TCP_SYN | SYNACK_TCP_ACK);
        }
    }
    CHECK_U64(stats(h).conns_live, 3);
    syn_from(h, 40005);
    syn_from(h, 40006);
    syn_refused(h, 40007);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_BACKLOG_FULL], 4);
    still_works(h, k, 39999, kisn + 5, 1201, 10);
    h_free(h);
}

TEST(syn_flood_with_cookies_keeps_records_bounded)
{
    harness *h = new_with_limits(4096, 16, 1);
    synack_stack *s = h_stack(h);
    int l = listener(h, 4);
    uint32_t kisn;
    int k = connect_from(h, l, 39999, &kisn);
    /* 200 SYNs from different ports: four become half-open entries, the
     * rest are answered statelessly (RFC 4987) and hold nothing. */
    for (uint16_t p = 0; p < 200; p++) {
        h->peer_port = (uint16_t)(20000 + p);
        CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>"), 0);
        synack_segment sa = h_pop(h);
        CHECK_EQ(sa.flags, SYNACK_TCP_SYN | SYNACK_TCP_ACK);
        CHECK_U64(sa.ack, 1001);
    }
    synack_stats st = stats(h);
    CHECK_U64(st.conns_live, 5);
    CHECK_U64(st.conns_passive, 5);
    CHECK_U64(st.syncookies_sent, 196);
    still_works(h, k, 39999, kisn, 1001, 100);
    CHECK_EQ(synack_accept(s, l, NULL), SYNACK_EAGAIN);
    h_free(h);
}

TEST(max_conns_with_cookies_refuses_at_the_ack)
{
    harness *h = new_with_limits(2, 16, 1);
    int l = listener(h, 8);
    uint32_t isn, isn1;
    int k = connect_from(h, l, 40000, &isn);
    connect_from(h, l, 40001, &isn1);
    /* The table is full: the SYN is still answered (with a cookie, no
     * state), but the ACK that would open the connection finds no room:
     * it is refused, counted, and the client told with a RST. */
    uint32_t cisn = syn_from(h, 40002);
    CHECK_U64(stats(h).syncookies_sent, 1);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", cisn + 1), 1);
    h_expect(h, "R %u:%u(0)", cisn + 1, cisn + 1);
    h_expect_nothing(h);
    synack_stats st = stats(h);
    CHECK_U64(st.drops[SYNACK_DROP_TCP_NO_MEMORY], 1);
    CHECK_U64(st.syncookies_ok, 0);
    CHECK_U64(st.conns_live, 2);
    still_works(h, k, 40000, isn, 1001, 100);
    h_free(h);
}

TEST(out_of_order_queue_is_bounded)
{
    harness *h = new_with_limits(16, 16, 0);
    synack_stack *s = h_stack(h);
    int l = listener(h, 4);
    uint32_t isn;
    int c = connect_from(h, l, 40000, &isn);
    /* Nine 100-byte segments S_k = [1101+200k, 1201+200k) arrive, each
     * after a 100-byte hole H_k = [1001+200k, 1101+200k). The first eight
     * are kept (the SACK blocks list them, most recent first, RFC 2018
     * 4); the ninth is one range too many: dropped and counted, but still
     * answered at once with the duplicate ACK. */
    for (uint32_t k = 0; k < 9; k++) {
        uint32_t a = 1101 + 200 * k;
        CHECK_EQ(h_inject(h, "P. %u:%u(100) ack %u", a, a + 100, isn + 1), k == 8);
        uint32_t top = k < 8 ? k : 7;
        char opts[256];
        int n = snprintf(opts, sizeof opts, "<sack");
        for (uint32_t j = 0; j < 4 && j <= top; j++)
            n += snprintf(opts + n, sizeof opts - (size_t)n, " %u:%u", 1101 + 200 * (top - j),
                          1201 + 200 * (top - j));
        snprintf(opts + n, sizeof opts - (size_t)n, ">");
        h_expect(h, ". %u:%u(0) ack 1001 %s", isn + 1, isn + 1, opts);
    }
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_OUT_OF_ORDER], 1);
    CHECK_EQ(synack_recv_ready(s, c), 0);

    /* Filling hole k releases S_k with it; after the last hole the ACK
     * stops where S_8 would have started: it was not kept. */
    for (uint32_t k = 0; k < 9; k++) {
        uint32_t a = 1001 + 200 * k;
        CHECK_EQ(h_inject(h, "P. %u:%u(100) ack %u", a, a + 100, isn + 1), 0);
        h_expect(h, ". %u:%u(0) ack %u", isn + 1, isn + 1, k < 8 ? a + 200 : a + 100);
    }
    /* The peer retransmits S_8. */
    CHECK_EQ(h_inject(h, "P. 2701:2801(100) ack %u", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 2801 <>", isn + 1, isn + 1);
    uint8_t buf[2048], want[1800];
    CHECK_EQ(synack_recv(s, c, buf, sizeof buf), 1800);
    h_pattern_fill(1001, want, sizeof want);
    CHECK_MEM(buf, want, sizeof want);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    h_free(h);
}

TEST(time_wait_entries_bounded_by_max_conns)
{
    harness *h = new_with_limits(4, 16, 0);
    synack_stack *s = h_stack(h);
    int l = listener(h, 8);
    uint32_t kisn;
    int k = connect_from(h, l, 40000, &kisn);
    /* Three connections the stack closes first: they sit in TIME-WAIT. */
    for (uint16_t p = 40001; p <= 40003; p++) {
        uint32_t isn;
        int c = connect_from(h, l, p, &isn);
        CHECK_EQ(synack_close(s, c), 0);
        h_expect(h, "F. %u:%u(0) ack 1001", isn + 1, isn + 1);
        CHECK_EQ(h_inject(h, "F. 1001:1001(0) ack %u", isn + 2), 0);
        h_expect(h, ". %u:%u(0) ack 1002", isn + 2, isn + 2);
    }
    CHECK_U64(stats(h).conns_live, 4);

    /* TIME-WAIT records count against max_conns: new work is refused. */
    syn_refused(h, 40004);
    CHECK_U64(stats(h).drops[SYNACK_DROP_TCP_NO_MEMORY], 1);
    int a = synack_socket(s);
    CHECK(a >= 0);
    CHECK_EQ(synack_connect(s, a, H_DEFAULT_PEER_ADDR, 9000), SYNACK_ENOMEM);
    h_expect_nothing(h);
    still_works(h, k, 40000, kisn, 1001, 300);

    /* After 2*MSL the TIME-WAIT entries are gone and the room is back. */
    h_advance(h, SYNACK_SEC(61));
    h_expect_nothing(h);
    CHECK_U64(stats(h).conns_live, 1);
    syn_from(h, 40004);
    CHECK_EQ(synack_connect(s, a, H_DEFAULT_PEER_ADDR, 9000), SYNACK_EINPROGRESS);
    synack_segment syn = h_pop(h);
    CHECK_EQ(syn.flags, SYNACK_TCP_SYN);
    CHECK_U64(stats(h).conns_live, 3);
    still_works(h, k, 40000, kisn + 5, 1301, 10);
    h_free(h);
}

TEST(max_sockets_refuses_accept_not_the_connection)
{
    harness *h = new_with_limits(16, 3, 0);
    synack_stack *s = h_stack(h);
    int l = listener(h, 8);
    uint32_t isn1, isn2;
    int c1 = connect_from(h, l, 40001, &isn1);
    int c2 = connect_from(h, l, 40002, &isn2);
    CHECK(c1 >= 0 && c2 >= 0);
    CHECK_EQ(synack_socket(s), SYNACK_EMFILE);
    /* A third connection completes in the stack but cannot get a handle:
     * accept() reports EMFILE and leaves it queued. */
    uint32_t isn3 = syn_from(h, 40003);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u", isn3 + 1), 0);
    CHECK_EQ(synack_accept(s, l, NULL), SYNACK_EMFILE);
    still_works(h, c1, 40001, isn1, 1001, 50);
    CHECK_EQ(synack_close(s, c2), 0);
    h->peer_port = 40002;
    h_expect(h, "F. %u:%u(0) ack 1001", isn2 + 1, isn2 + 1);
    synack_endpoint peer;
    int c3 = synack_accept(s, l, &peer);
    CHECK(c3 >= 0);
    CHECK_EQ(peer.port, 40003);
    still_works(h, c3, 40003, isn3, 1001, 50);
    h_free(h);
}

TEST_MAIN()
