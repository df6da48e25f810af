/* test_pair_basic.c — two stacks back to back on a lossless in-memory
 * link with no delay: connect, exchange data both ways, close in both
 * orders; exact states at each end and every record freed. */
#include "check.h"

#include <stdlib.h>

#include "synack.h"

#define A_ADDR 0xC6120001u  /* 198.18.0.1 */
#define B_ADDR 0xC6120002u  /* 198.18.0.2 */

typedef struct pkt { struct pkt *next; size_t len; uint8_t data[]; } pkt;
typedef struct wire { pkt *head, *tail; } wire;
typedef struct pair {
    synack_stack *a, *b;
    wire to_a, to_b;
    synack_time now;
    uint32_t b_last_synack_seq;     /* seq of B's latest SYN-ACK */
} pair;

static void watch_b(void *ctx, const synack_trace_event *ev)
{
    pair *p = ctx;
    if (ev->kind == SYNACK_TRACE_SEG_OUT &&
        (ev->seg.flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK)) == (SYNACK_TCP_SYN | SYNACK_TCP_ACK))
        p->b_last_synack_seq = ev->seg.seq;
}

static void tx_to(void *ctx, const uint8_t *p, size_t n)
{
    wire *w = ctx;
    pkt *k = malloc(sizeof(*k) + n);
    memcpy(k->data, p, n);
    k->len = n;
    k->next = NULL;
    if (w->tail) w->tail->next = k; else w->head = k;
    w->tail = k;
}

static int deliver_one(pair *p)
{
    wire *ws[2] = { &p->to_a, &p->to_b };
    synack_stack *st[2] = { p->a, p->b };
    for (int i = 0; i < 2; i++) {
        pkt *k = ws[i]->head;
        if (!k) continue;
        ws[i]->head = k->next;
        if (!ws[i]->head) ws[i]->tail = NULL;
        synack_input(st[i], k->data, k->len, p->now);
        free(k);
        return 1;
    }
    return 0;
}

static void run(pair *p)
{
    for (int guard = 0; guard < 100000; guard++) {
        if (deliver_one(p)) continue;
        synack_time d = synack_next_deadline(p->a), e = synack_next_deadline(p->b);
        if (e < d) d = e;
        if (d == SYNACK_TIME_NEVER || d > p->now + SYNACK_MSEC(200)) return;  /* idle */
        p->now = d;
        synack_advance(p->a, d);
        synack_advance(p->b, d);
    }
}

static void pair_init(pair *p)
{
    memset(p, 0, sizeof(*p));
    synack_config c;
    synack_config_default(&c);
    c.delack = 0;
    c.addr = A_ADDR; c.tx = tx_to; c.tx_ctx = &p->to_b; c.seed = 1;
    CHECK_EQ(synack_stack_new(&c, &p->a), 0);
    c.addr = B_ADDR; c.tx_ctx = &p->to_a; c.seed = 2;
    c.observer = watch_b;
    c.observer_ctx = p;
    CHECK_EQ(synack_stack_new(&c, &p->b), 0);
}

static void pair_free(pair *p)
{
    while (deliver_one(p)) {}
    synack_stack_free(p->a);
    synack_stack_free(p->b);
}

static void connect_pair(pair *p, int *ca, int *sb)
{
    int l = synack_socket(p->b);
    CHECK_EQ(synack_bind(p->b, l, 0, 80), 0);
    CHECK_EQ(synack_listen(p->b, l, 8), 0);
    *ca = synack_socket(p->a);
    CHECK_EQ(synack_connect(p->a, *ca, B_ADDR, 80), SYNACK_EINPROGRESS);
    CHECK_EQ(synack_get_state(p->a, *ca), SYNACK_SYN_SENT);
    run(p);
    CHECK_EQ(synack_get_state(p->a, *ca), SYNACK_ESTABLISHED);
    synack_endpoint peer;
    *sb = synack_accept(p->b, l, &peer);
    CHECK(*sb >= 0);
    CHECK_U64(peer.addr, A_ADDR);
    CHECK_EQ(synack_get_state(p->b, *sb), SYNACK_ESTABLISHED);
    CHECK_EQ(synack_close(p->b, l), 0);
}

TEST(handshake_data_close_client_first)
{
    pair p;
    pair_init(&p);
    int c, s;
    connect_pair(&p, &c, &s);
    CHECK_EQ(synack_send(p.a, c, "hello", 5), 5);
    run(&p);
    char buf[64];
    CHECK_EQ(synack_recv(p.b, s, buf, sizeof buf), 5);
    CHECK_MEM(buf, "hello", 5);
    CHECK_EQ(synack_send(p.b, s, "world!", 6), 6);
    run(&p);
    CHECK_EQ(synack_recv(p.a, c, buf, sizeof buf), 6);
    CHECK_MEM(buf, "world!", 6);
    CHECK_EQ(synack_shutdown(p.a, c), 0);
    run(&p);
    CHECK_EQ(synack_get_state(p.a, c), SYNACK_FIN_WAIT_2);
    CHECK_EQ(synack_get_state(p.b, s), SYNACK_CLOSE_WAIT);
    CHECK_EQ(synack_recv(p.b, s, buf, sizeof buf), 0);
    /* half-close: B can still send, A still receives */
    CHECK_EQ(synack_send(p.b, s, "late", 4), 4);
    run(&p);
    CHECK_EQ(synack_recv(p.a, c, buf, sizeof buf), 4);
    CHECK_EQ(synack_close(p.b, s), 0);
    run(&p);
    CHECK_EQ(synack_get_state(p.a, c), SYNACK_TIME_WAIT);
    CHECK_EQ(synack_recv(p.a, c, buf, sizeof buf), 0);
    synack_stats st;
    synack_stats_get(p.b, &st);
    CHECK_U64(st.conns_live, 0);
    p.now += SYNACK_SEC(60);
    synack_advance(p.a, p.now);
    CHECK_EQ(synack_get_state(p.a, c), SYNACK_CLOSED);
    CHECK_EQ(synack_close(p.a, c), 0);
    synack_stats_get(p.a, &st);
    CHECK_U64(st.conns_live, 0);
    pair_free(&p);
}

TEST(big_transfer_both_ways)
{
    pair p;
    pair_init(&p);
    int c, s;
    connect_pair(&p, &c, &s);
    enum { N = 1 << 20 };
    uint8_t *src = malloc(N), *dst = malloc(N);
    for (int i = 0; i < N; i++) src[i] = (uint8_t)(i * 7 + (i >> 8));
    size_t sent = 0, got = 0;
    for (int iter = 0; iter < 100000 && got < N; iter++) {
        if (sent < N) {
            long n = synack_send(p.a, c, src + sent, N - sent);
            if (n > 0) sent += (size_t)n;
        }
        run(&p);
        long r = synack_recv(p.b, s, dst + got, N - got);
        if (r > 0) got += (size_t)r;
    }
    CHECK_U64(got, N);
    CHECK_MEM(src, dst, N);
    free(src); free(dst);
    CHECK_EQ(synack_close(p.b, s), 0);
    run(&p);
    CHECK_EQ(synack_get_state(p.a, c), SYNACK_CLOSE_WAIT);
    CHECK_EQ(synack_close(p.a, c), 0);
    run(&p);
    synack_stats st;
    synack_stats_get(p.a, &st);
    CHECK_U64(st.conns_live, 0);
    synack_stats_get(p.b, &st);
    CHECK_U64(st.conns_live, 1);    /* B is in TIME-WAIT */
    pair_free(&p);
}

TEST(syn_cookies_when_half_open_entries_are_full)
{
    /* RFC 4987 3.6: with room for 2 half-open entries, 20 simultaneous
     * clients all get connected; 18 of them through cookies. */
    pair p;
    pair_init(&p);
    int l = synack_socket(p.b);
    CHECK_EQ(synack_bind(p.b, l, 0, 80), 0);
    CHECK_EQ(synack_listen(p.b, l, 2), 0);
    enum { N = 20 };
    int c[N], sv[N], accepted = 0;
    for (int i = 0; i < N; i++) {
        c[i] = synack_socket(p.a);
        CHECK_EQ(synack_connect(p.a, c[i], B_ADDR, 80), SYNACK_EINPROGRESS);
    }
    for (int guard = 0; guard < 10000 && deliver_one(&p); guard++)
        for (int a; (a = synack_accept(p.b, l, NULL)) >= 0;)
            sv[accepted++] = a;
    CHECK_EQ(accepted, N);
    for (int i = 0; i < N; i++)
        CHECK_EQ(synack_get_state(p.a, c[i]), SYNACK_ESTABLISHED);
    synack_stats st;
    synack_stats_get(p.b, &st);
    CHECK_U64(st.syncookies_sent, N - 2);
    CHECK_U64(st.syncookies_ok, N - 2);
    CHECK_U64(st.syncookies_failed, 0);
    /* The last one connected through a cookie: window scaling and SACK
     * came back from the timestamp, so a bulk transfer works both ways. */
    int last = -1;
    for (int i = 0; i < N; i++) {
        synack_endpoint e, me;
        synack_remote_addr(p.b, sv[i], &e);
        synack_local_addr(p.a, c[N - 1], &me);
        if (e.port == me.port)
            last = sv[i];
    }
    CHECK(last >= 0);
    static uint8_t src[300000], dst[300000];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 13 + 7);
    size_t sent = 0, got = 0;
    for (int iter = 0; iter < 10000 && got < sizeof dst; iter++) {
        long n = synack_send(p.a, c[N - 1], src + sent, sizeof src - sent);
        if (n > 0)
            sent += (size_t)n;
        run(&p);
        long r = synack_recv(p.b, last, dst + got, sizeof dst - got);
        if (r > 0)
            got += (size_t)r;
    }
    CHECK_U64(got, sizeof dst);
    CHECK_MEM(src, dst, sizeof dst);
    pair_free(&p);
}

static void pump(pair *p, int from_h, synack_stack *from, int to_h, synack_stack *to,
                 size_t total)
{
    static uint8_t buf[8192];
    size_t sent = 0, got = 0;
    memset(buf, 'x', sizeof buf);
    for (int iter = 0; iter < 100000 && got < total; iter++) {
        if (sent < total) {
            size_t n = total - sent < sizeof buf ? total - sent : sizeof buf;
            long r = synack_send(from, from_h, buf, n);
            if (r > 0)
                sent += (size_t)r;
        }
        run(p);
        long r = synack_recv(to, to_h, buf, sizeof buf);
        if (r > 0)
            got += (size_t)r;
    }
    CHECK_U64(got, total);
}

TEST(time_wait_reopen_starts_above_the_old_sequence_space)
{
    /* RFC 1122 4.2.2.13 / RFC 6191: B closed first and sits in TIME-WAIT;
     * A reconnects from the same port with a higher ISN. B accepts at
     * once, and its new ISN lies above everything the old incarnation
     * sent (plus a window), whatever its clock-driven ISN would be. */
    pair p;
    pair_init(&p);
    int c, s;
    connect_pair(&p, &c, &s);
    synack_endpoint me;
    CHECK_EQ(synack_local_addr(p.a, c, &me), 0);
    uint32_t old_isn = p.b_last_synack_seq;
    pump(&p, s, p.b, c, p.a, 200000);           /* B sends 200 KB */
    CHECK_EQ(synack_close(p.b, s), 0);          /* B closes first */
    run(&p);
    char tmp[8];
    CHECK_EQ(synack_recv(p.a, c, tmp, sizeof tmp), 0);
    CHECK_EQ(synack_close(p.a, c), 0);
    run(&p);
    synack_stats st;
    synack_stats_get(p.b, &st);
    CHECK_U64(st.conns_live, 1);                /* B's TIME-WAIT */
    p.now += SYNACK_MSEC(100);
    synack_advance(p.a, p.now);
    synack_advance(p.b, p.now);
    int l = synack_socket(p.b);
    CHECK_EQ(synack_setopt(p.b, l, SYNACK_SO_REUSEADDR, 1), 0);
    CHECK_EQ(synack_bind(p.b, l, 0, 80), 0);
    CHECK_EQ(synack_listen(p.b, l, 8), 0);
    int c2 = synack_socket(p.a);
    CHECK_EQ(synack_setopt(p.a, c2, SYNACK_SO_REUSEADDR, 1), 0);
    CHECK_EQ(synack_bind(p.a, c2, 0, me.port), 0);
    CHECK_EQ(synack_connect(p.a, c2, B_ADDR, 80), SYNACK_EINPROGRESS);
    run(&p);
    CHECK_EQ(synack_get_state(p.a, c2), SYNACK_ESTABLISHED);
    uint32_t new_isn = p.b_last_synack_seq;
    CHECK((int32_t)(new_isn - (old_isn + 1 + 200000 + 1 + 65535)) >= 0);
    int s2 = synack_accept(p.b, l, NULL);
    CHECK(s2 >= 0);
    pump(&p, c2, p.a, s2, p.b, 1000);
    pair_free(&p);
}

TEST(reuseaddr_relisten_while_an_accepted_connection_lives)
{
    /* A server restarts its listener while an accepted connection is
     * still open: EADDRINUSE without SO_REUSEADDR, fine with it. */
    pair p;
    pair_init(&p);
    int c, s;
    connect_pair(&p, &c, &s);               /* closes the listener */
    int l = synack_socket(p.b);
    CHECK_EQ(synack_bind(p.b, l, 0, 80), SYNACK_EADDRINUSE);
    CHECK_EQ(synack_setopt(p.b, l, SYNACK_SO_REUSEADDR, 1), 0);
    CHECK_EQ(synack_bind(p.b, l, 0, 80), 0);
    CHECK_EQ(synack_listen(p.b, l, 8), 0);
    pump(&p, c, p.a, s, p.b, 10);          /* the old connection works */
    pair_free(&p);
}

TEST_MAIN()
