/* test_cm_api.c — the socket API's answers to misuse (include/synack.h):
 * every error code a call documents (EBADF, EINVAL, ENOTCONN, EISCONN,
 * EALREADY, EADDRINUSE, EADDRNOTAVAIL, EAGAIN, EINPROGRESS, ENOPROTOOPT,
 * EPIPE, EMFILE), each with a non-empty synack_strerror text, the names of
 * states, drop reasons and timers, options' defaults and ranges, and the
 * readiness interface. Misuse never sends a segment. RFC 9293 3.10 names
 * the user calls' error responses ("connection does not exist", "connection
 * already exists", "connection closing", ...). */
#include "test_cm_util.h"

static void strerror_ok(int err)
{
    const char *t = synack_strerror(err);
    CHECK(t != NULL);
    CHECK(t[0] != '\0');
    CHECK(strcmp(t, "unknown error") != 0);
}

/* =========================================================== EBADF */

/* RFC 9293 3.10 ("connection does not exist" for an unknown name): every
 * call on a handle that was never opened or was closed says EBADF. */
TEST(ebadf_for_every_call)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int closed = synack_socket(s);
    CHECK_EQ(synack_close(s, closed), 0);
    const int bad[] = { -1, closed, 1023, 1024, 1 << 30 };
    char b[4];
    int v;
    synack_endpoint ep;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int x = bad[i];
        CHECK_EQ(synack_bind(s, x, 0, 80), SYNACK_EBADF);
        CHECK_EQ(synack_listen(s, x, 8), SYNACK_EBADF);
        CHECK_EQ(synack_accept(s, x, NULL), SYNACK_EBADF);
        CHECK_EQ(synack_connect(s, x, H_DEFAULT_PEER_ADDR, 80), SYNACK_EBADF);
        CHECK_EQ(synack_send(s, x, b, 1), SYNACK_EBADF);
        CHECK_EQ(synack_recv(s, x, b, 1), SYNACK_EBADF);
        CHECK_EQ(synack_recv_ready(s, x), SYNACK_EBADF);
        CHECK_EQ(synack_send_pending(s, x), SYNACK_EBADF);
        CHECK_EQ(synack_shutdown(s, x), SYNACK_EBADF);
        CHECK_EQ(synack_get_error(s, x), SYNACK_EBADF);
        CHECK_EQ(synack_get_state(s, x), SYNACK_EBADF);
        CHECK_EQ(synack_get_conn_id(s, x), SYNACK_EBADF);
        CHECK_EQ(synack_local_addr(s, x, &ep), SYNACK_EBADF);
        CHECK_EQ(synack_remote_addr(s, x, &ep), SYNACK_EBADF);
        CHECK_EQ(synack_setopt(s, x, SYNACK_TCP_NODELAY, 1), SYNACK_EBADF);
        CHECK_EQ(synack_getopt(s, x, SYNACK_TCP_NODELAY, &v), SYNACK_EBADF);
        CHECK_EQ(synack_poll(s, x), 0);
        CHECK_EQ(synack_close(s, x), SYNACK_EBADF);
        CHECK_EQ(synack_abort(s, x), SYNACK_EBADF);
    }
    strerror_ok(SYNACK_EBADF);
    h_expect_nothing(h);
    h_free(h);
}

/* ========================================================== EINVAL */

/* synack.h bind/listen/accept/connect: calls in the wrong socket state or
 * with nonsense arguments answer EINVAL (or EADDRNOTAVAIL for a foreign
 * local address). */
TEST(einval_and_eaddrnotavail)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int a = synack_socket(s);
    CHECK_EQ(synack_accept(s, a, NULL), SYNACK_EINVAL);         /* not listening */
    CHECK_EQ(synack_bind(s, a, 0x0A000001u, 80), SYNACK_EADDRNOTAVAIL);
    CHECK_EQ(synack_bind(s, a, H_DEFAULT_LOCAL_ADDR, 80), 0);   /* our own address */
    CHECK_EQ(synack_bind(s, a, 0, 81), SYNACK_EINVAL);          /* already bound */
    /* connect: unspecified, broadcast and multicast peers, port 0. */
    CHECK_EQ(synack_connect(s, a, 0, 80), SYNACK_EINVAL);
    CHECK_EQ(synack_connect(s, a, 0xFFFFFFFFu, 80), SYNACK_EINVAL);
    CHECK_EQ(synack_connect(s, a, 0xE0000001u, 80), SYNACK_EINVAL);
    CHECK_EQ(synack_connect(s, a, H_DEFAULT_PEER_ADDR, 0), SYNACK_EINVAL);
    CHECK_EQ(synack_listen(s, a, 8), 0);
    CHECK_EQ(synack_connect(s, a, H_DEFAULT_PEER_ADDR, 80), SYNACK_EINVAL);  /* listening */
    CHECK_EQ(synack_bind(s, a, 0, 82), SYNACK_EINVAL);
    /* A connected socket cannot listen or bind. */
    uint32_t isn;
    h->local_port = 90;
    int c = cm_client(h, &isn);
    CHECK_EQ(synack_listen(s, c, 8), SYNACK_EINVAL);
    CHECK_EQ(synack_bind(s, c, 0, 91), SYNACK_EINVAL);
    CHECK_EQ(synack_send(s, c, NULL, 5), SYNACK_EINVAL);
    CHECK_EQ(synack_recv(s, c, NULL, 5), SYNACK_EINVAL);
    CHECK_EQ(synack_send(s, c, NULL, 0), 0);
    /* Options out of range or too late. */
    CHECK_EQ(synack_setopt(s, c, SYNACK_SO_LINGER, -2), SYNACK_EINVAL);
    CHECK_EQ(synack_setopt(s, c, SYNACK_SO_RCVBUF, 4096), SYNACK_EINVAL);   /* after connect */
    CHECK_EQ(synack_setopt(s, c, SYNACK_SO_SNDBUF, 4096), SYNACK_EINVAL);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_MAXSEG, 1000), SYNACK_EINVAL);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_KEEPIDLE, 0), SYNACK_EINVAL);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_KEEPINTVL, 40000), SYNACK_EINVAL);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_KEEPCNT, -1), SYNACK_EINVAL);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_CONGESTION, 7), SYNACK_EINVAL);
    int d = synack_socket(s);
    CHECK_EQ(synack_setopt(s, d, SYNACK_SO_RCVBUF, 0), SYNACK_EINVAL);
    CHECK_EQ(synack_setopt(s, d, SYNACK_TCP_MAXSEG, 63), SYNACK_EINVAL);
    CHECK_EQ(synack_setopt(s, d, SYNACK_TCP_MAXSEG, 64), 0);
    strerror_ok(SYNACK_EINVAL);
    strerror_ok(SYNACK_EADDRNOTAVAIL);
    h_expect_nothing(h);
    h_free(h);
}

/* ======================================================== ENOTCONN */

/* RFC 9293 3.10.2-3.10.4 on a socket with no connection: "connection does
 * not exist" -> ENOTCONN. */
TEST(enotconn)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int a = synack_socket(s);
    char b[4];
    synack_endpoint ep;
    CHECK_EQ(synack_send(s, a, b, 1), SYNACK_ENOTCONN);
    CHECK_EQ(synack_recv(s, a, b, 1), SYNACK_ENOTCONN);
    CHECK_EQ(synack_shutdown(s, a), SYNACK_ENOTCONN);
    CHECK_EQ(synack_remote_addr(s, a, &ep), SYNACK_ENOTCONN);
    CHECK_EQ(synack_recv_ready(s, a), SYNACK_ENOTCONN);
    CHECK_EQ(synack_send_pending(s, a), SYNACK_ENOTCONN);
    CHECK_EQ(synack_local_addr(s, a, &ep), 0);
    CHECK_U64(ep.addr, 0);
    CHECK_EQ(ep.port, 0);
    CHECK_EQ(synack_get_state(s, a), SYNACK_CLOSED);
    CHECK_EQ(synack_get_conn_id(s, a), 0);
    int l = cm_listen(h, 8);
    CHECK_EQ(synack_send(s, l, b, 1), SYNACK_ENOTCONN);
    CHECK_EQ(synack_recv(s, l, b, 1), SYNACK_ENOTCONN);
    CHECK_EQ(synack_shutdown(s, l), SYNACK_ENOTCONN);
    strerror_ok(SYNACK_ENOTCONN);
    h_expect_nothing(h);
    h_free(h);
}

/* ============================= EINPROGRESS, EALREADY, EISCONN, EAGAIN */

/* RFC 9293 3.10.1: OPEN on an existing connection is "connection already
 * exists": EALREADY while it is being set up, EISCONN once it is. */
TEST(einprogress_ealready_eisconn)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT),
             SYNACK_EINPROGRESS);
    synack_endpoint me;
    CHECK_EQ(synack_local_addr(s, c, &me), 0);
    CHECK(me.port >= 32768 && me.port <= 60999);    /* ephemeral range */
    CHECK_U64(me.addr, H_DEFAULT_LOCAL_ADDR);
    h->local_port = me.port;
    uint32_t isn = h_pop(h).seq;
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT), SYNACK_EALREADY);
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, 9), SYNACK_EALREADY);
    h_expect_nothing(h);                            /* no second SYN */
    h_inject(h, "S. 5000:5000(0) ack %u <mss 1460>", isn + 1);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT), SYNACK_EISCONN);
    strerror_ok(SYNACK_EINPROGRESS);
    strerror_ok(SYNACK_EALREADY);
    strerror_ok(SYNACK_EISCONN);
    h_free(h);
}

/* Nonblocking calls that would wait answer EAGAIN: accept with an empty
 * queue, recv with no data, send with a full buffer. */
TEST(eagain)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int l = synack_socket(s);
    CHECK_EQ(synack_setopt(s, l, SYNACK_SO_SNDBUF, 10), 0);
    synack_bind(s, l, 0, 80);
    synack_listen(s, l, 8);
    CHECK_EQ(synack_accept(s, l, NULL), SYNACK_EAGAIN);
    uint32_t isn;
    int c = cm_accept(h, l, &isn);
    char b[32];
    CHECK_EQ(synack_recv(s, c, b, sizeof b), SYNACK_EAGAIN);
    CHECK_EQ(synack_poll(s, c), SYNACK_EV_WRITABLE | SYNACK_EV_CONNECTED);
    CHECK_EQ(synack_send(s, c, "0123456789abcdef", 16), 10);      /* buffer: 10 bytes */
    h_expect(h, "P. %u:%u(10) ack 1001 win 65535 <>", isn + 1, isn + 11);
    CHECK_EQ(synack_send(s, c, "x", 1), SYNACK_EAGAIN);
    CHECK_EQ(synack_poll(s, c), SYNACK_EV_CONNECTED);               /* not writable */
    CHECK_EQ(synack_send_pending(s, c), 10);
    h_inject(h, ". 1001:1001(0) ack %u", isn + 6);
    CHECK_EQ(synack_poll(s, c), SYNACK_EV_WRITABLE | SYNACK_EV_CONNECTED);
    CHECK_EQ(synack_send(s, c, "0123456789", 10), 5);
    strerror_ok(SYNACK_EAGAIN);
    h_free(h);
}

/* ====================================================== EADDRINUSE */

/* synack.h bind/listen/connect: a port bound by another socket, a second
 * listener on a port, a 4-tuple already in use. */
TEST(eaddrinuse)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int a = synack_socket(s);
    CHECK_EQ(synack_bind(s, a, 0, 80), 0);
    int b = synack_socket(s);
    CHECK_EQ(synack_bind(s, b, 0, 80), SYNACK_EADDRINUSE);
    CHECK_EQ(synack_setopt(s, b, SYNACK_SO_REUSEADDR, 1), 0);
    CHECK_EQ(synack_bind(s, b, 0, 80), SYNACK_EADDRINUSE);      /* bound sockets conflict */
    CHECK_EQ(synack_listen(s, a, 8), 0);
    int c = synack_socket(s);
    CHECK_EQ(synack_bind(s, c, 0, 80), SYNACK_EADDRINUSE);
    CHECK_EQ(synack_close(s, a), 0);
    CHECK_EQ(synack_bind(s, c, 0, 80), 0);                      /* free again */
    /* Two clients on one local port to the same peer: one 4-tuple. */
    uint32_t isn;
    h->local_port = 7000;
    int d = cm_client(h, &isn);
    int e = synack_socket(s);
    CHECK_EQ(synack_setopt(s, e, SYNACK_SO_REUSEADDR, 1), 0);
    CHECK_EQ(synack_bind(s, e, 0, 7000), 0);
    CHECK_EQ(synack_connect(s, e, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT),
             SYNACK_EADDRINUSE);
    CHECK_EQ(synack_connect(s, e, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT + 1),
             SYNACK_EINPROGRESS);
    CHECK_EQ(synack_get_state(s, d), SYNACK_ESTABLISHED);
    strerror_ok(SYNACK_EADDRINUSE);
    h_free(h);
}

/* ================================================ EPIPE and EMFILE */

/* RFC 9293 3.10.2 SEND after CLOSE: "connection closing" -> EPIPE, in every
 * state after our FIN was queued. */
TEST(epipe_after_shutdown)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    uint32_t isn;
    int c = cm_client(h, &isn);
    CHECK_EQ(synack_shutdown(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_send(s, c, "x", 1), SYNACK_EPIPE);              /* FIN-WAIT-1 */
    h_inject(h, ". 5001:5001(0) ack %u", isn + 2);
    CHECK_EQ(synack_send(s, c, "x", 1), SYNACK_EPIPE);              /* FIN-WAIT-2 */
    h_inject(h, "F. 5001:5001(0) ack %u", isn + 2);
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", isn + 2, isn + 2);
    CHECK_EQ(synack_send(s, c, "x", 1), SYNACK_EPIPE);              /* TIME-WAIT */
    h_expect_nothing(h);
    strerror_ok(SYNACK_EPIPE);
    h_free(h);
}

/* synack.h socket/accept: with every handle in use socket() and accept()
 * say EMFILE; the connection stays queued until a handle frees up. */
TEST(emfile)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.max_sockets = 2;
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    int l = cm_listen(h, 8);
    int x = synack_socket(s);
    CHECK(x >= 0);
    CHECK_EQ(synack_socket(s), SYNACK_EMFILE);
    h_inject(h, "S 1000:1000(0) <mss 1460>");
    synack_segment sa = h_pop(h);
    h_inject(h, ". 1001:1001(0) ack %u", sa.seq + 1);
    CHECK_EQ(synack_accept(s, l, NULL), SYNACK_EMFILE);
    CHECK_EQ(synack_poll(s, l), SYNACK_EV_READABLE);
    CHECK_EQ(synack_close(s, x), 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);
    strerror_ok(SYNACK_EMFILE);
    h_free(h);
}

/* ===================================================== ENOPROTOOPT */

/* synack.h options: "Each either works or answers SYNACK_ENOPROTOOPT". */
TEST(enoprotoopt_and_option_defaults)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    int a = synack_socket(s);
    int v = 12345;
    CHECK_EQ(synack_setopt(s, a, 0, 1), SYNACK_ENOPROTOOPT);
    CHECK_EQ(synack_setopt(s, a, 999, 1), SYNACK_ENOPROTOOPT);
    CHECK_EQ(synack_getopt(s, a, 999, &v), SYNACK_ENOPROTOOPT);
    CHECK_EQ(v, 12345);
    static const struct { int opt, def; } defs[] = {
        { SYNACK_SO_REUSEADDR, 0 }, { SYNACK_SO_LINGER, -1 }, { SYNACK_SO_RCVBUF, 65535 },
        { SYNACK_SO_SNDBUF, 65535 }, { SYNACK_SO_KEEPALIVE, 0 }, { SYNACK_TCP_NODELAY, 0 },
        { SYNACK_TCP_MAXSEG, 1460 }, { SYNACK_TCP_KEEPIDLE, 7200 }, { SYNACK_TCP_KEEPINTVL, 75 },
        { SYNACK_TCP_KEEPCNT, 9 }, { SYNACK_TCP_CONGESTION, SYNACK_CC_CUBIC },
        { SYNACK_TCP_QUICKACK, 0 },
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        CHECK_EQ(synack_getopt(s, a, defs[i].opt, &v), 0);
        CHECK_EQ(v, defs[i].def);
    }
    /* Each settable option reads back what was set. */
    static const struct { int opt, val; } sets[] = {
        { SYNACK_SO_REUSEADDR, 1 }, { SYNACK_SO_LINGER, 7 }, { SYNACK_SO_RCVBUF, 5000 },
        { SYNACK_SO_SNDBUF, 6000 }, { SYNACK_SO_KEEPALIVE, 1 }, { SYNACK_TCP_NODELAY, 1 },
        { SYNACK_TCP_MAXSEG, 1000 }, { SYNACK_TCP_KEEPIDLE, 60 }, { SYNACK_TCP_KEEPINTVL, 10 },
        { SYNACK_TCP_KEEPCNT, 3 }, { SYNACK_TCP_CONGESTION, SYNACK_CC_NEWRENO },
        { SYNACK_TCP_QUICKACK, 1 },
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        CHECK_EQ(synack_setopt(s, a, sets[i].opt, sets[i].val), 0);
        CHECK_EQ(synack_getopt(s, a, sets[i].opt, &v), 0);
        CHECK_EQ(v, sets[i].val);
    }
    strerror_ok(SYNACK_ENOPROTOOPT);
    h_free(h);
}

/* =========================================================== names */

/* synack.h: synack_strerror is never NULL and names every documented
 * code; state, drop and timer names are never NULL. */
TEST(names_never_null)
{
    static const int codes[] = {
        SYNACK_EPERM, SYNACK_ENOMEM, SYNACK_EBADF, SYNACK_EINVAL, SYNACK_EAGAIN, SYNACK_EMFILE,
        SYNACK_EPIPE, SYNACK_ENOPROTOOPT, SYNACK_EOPNOTSUPP, SYNACK_EADDRINUSE,
        SYNACK_EADDRNOTAVAIL, SYNACK_ENETUNREACH, SYNACK_EHOSTUNREACH, SYNACK_ECONNABORTED,
        SYNACK_ECONNRESET, SYNACK_ENOBUFS, SYNACK_EISCONN, SYNACK_ENOTCONN, SYNACK_ETIMEDOUT,
        SYNACK_ECONNREFUSED, SYNACK_EALREADY, SYNACK_EINPROGRESS, SYNACK_EMSGSIZE,
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        strerror_ok(codes[i]);
        for (size_t j = 0; j < i; j++)      /* each its own sentence */
            CHECK(strcmp(synack_strerror(codes[i]), synack_strerror(codes[j])) != 0);
    }
    CHECK_STR(synack_strerror(0), "success");
    CHECK_STR(synack_strerror(-9999), "unknown error");
    CHECK_STR(synack_strerror(12345), "unknown error");
    static const char *const states[] = {
        "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
        "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
    };
    for (int i = 0; i < SYNACK_STATE_COUNT; i++)
        CHECK_STR(synack_state_name(i), states[i]);
    CHECK_STR(synack_state_name(-1), "UNKNOWN");
    CHECK_STR(synack_state_name(SYNACK_STATE_COUNT), "UNKNOWN");
    for (int i = 0; i < SYNACK_DROP_COUNT; i++) {
        CHECK(synack_drop_name(i) != NULL);
        CHECK(strcmp(synack_drop_name(i), "unknown") != 0);
    }
    CHECK_STR(synack_drop_name(SYNACK_DROP_COUNT), "unknown");
    for (int i = 0; i < SYNACK_TIMER_COUNT; i++) {
        CHECK(synack_timer_name(i) != NULL);
        CHECK(strcmp(synack_timer_name(i), "unknown") != 0);
    }
    CHECK_STR(synack_timer_name(-1), "unknown");
}

/* ======================================================= readiness */

/* synack.h readiness: edge-triggered queue, one entry per handle per
 * call, at most max per call, current events in each. */
TEST(ready_queue_edges)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    synack_ready_event ev[8];
    CHECK_EQ(synack_ready(s, ev, 8), 0);
    uint32_t i1, i2;
    h->local_port = 81;
    int c1 = cm_client(h, &i1);
    h->local_port = 82;
    int c2 = cm_client(h, &i2);
    /* Each handle changed twice (SYN-SENT, ESTABLISHED) but is reported once. */
    CHECK_EQ(synack_ready(s, ev, 1), 1);
    CHECK_EQ(ev[0].handle, c1);
    CHECK_EQ(synack_ready(s, ev, 8), 1);
    CHECK_EQ(ev[0].handle, c2);
    CHECK_EQ(ev[0].events, SYNACK_EV_WRITABLE | SYNACK_EV_CONNECTED);
    CHECK_EQ(synack_ready(s, ev, 8), 0);
    /* Data makes c1 readable. */
    h->local_port = 81;
    h_inject(h, "P. 5001:5003(2) ack %u", i1 + 1);
    h_expect(h, ". %u:%u(0) ack 5003 win 65533 <>", i1 + 1, i1 + 1);
    CHECK_EQ(synack_ready(s, ev, 8), 1);
    CHECK_EQ(ev[0].handle, c1);
    CHECK_EQ(ev[0].events, SYNACK_EV_READABLE | SYNACK_EV_WRITABLE | SYNACK_EV_CONNECTED);
    /* A handle closed while queued is not reported. */
    h->local_port = 82;
    h_inject(h, "F. 5001:5001(0) ack %u", i2 + 1);
    h_expect(h, ". %u:%u(0) ack 5002 win 65534 <>", i2 + 1, i2 + 1);
    CHECK_EQ(synack_abort(s, c2), 0);
    h_expect(h, "R %u:%u(0) win 0 <>", i2 + 1, i2 + 1);
    CHECK_EQ(synack_ready(s, ev, 8), 0);
    h_free(h);
}

/* synack_stack_new refuses a configuration it cannot honour with EINVAL
 * and creates nothing: no transmit function, no address, a delayed-ACK
 * bound of 500 ms or more (RFC 9293 MUST-40), retry limits beyond what a
 * TCB counts (65534), RTO bounds the wrong way round, TSO or checksum
 * offload without tx_offload (a plain tx could not finish them). */
static void nop_tx(void *ctx, const uint8_t *pkt, size_t len)
{
    (void)ctx;
    (void)pkt;
    (void)len;
}

TEST(stack_new_rejects_bad_configs)
{
    synack_config good;
    synack_config_default(&good);
    good.addr = H_DEFAULT_LOCAL_ADDR;
    good.tx = nop_tx;
    synack_stack *s = NULL;
    CHECK_EQ(synack_stack_new(&good, &s), 0);
    synack_stack_free(s);
    synack_config c;
    for (int i = 0; i < 10; i++) {
        c = good;
        switch (i) {
        case 8: c.tso_max = 60000; break;       /* offloads without tx_offload */
        case 9: c.csum_offload = 1; break;
        case 0: c.tx = NULL; break;
        case 1: c.addr = 0; break;
        case 2: c.delack = SYNACK_MSEC(500); break;
        case 3: c.syn_retries = 65535; break;
        case 4: c.synack_retries = 65535; break;
        case 5: c.data_retries = 65535; break;
        case 6: c.rto_min = c.rto_max + 1; break;
        default: c.wscale = 15; break;
        }
        s = (synack_stack *)&c;
        CHECK_EQ(synack_stack_new(&c, &s), SYNACK_EINVAL);
        CHECK(s == NULL);
    }
    c = good;
    c.data_retries = 65534;
    CHECK_EQ(synack_stack_new(&c, &s), 0);
    synack_stack_free(s);
}

TEST_MAIN()
