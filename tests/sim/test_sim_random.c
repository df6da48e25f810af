/* test_sim_random.c — randomized end-to-end runs on the simulated network.
 *
 * For many seeds: a client and a server stack on a link with random delay,
 * loss, duplication, reordering and corruption; several connections, each
 * exchanging a random amount of data both ways, closed in one of three
 * orders (client first, server first, simultaneous). Invariants checked:
 * every byte arrives exactly once and in order; every connection ends with
 * EOF on both sides (no reset, no timeout at these loss rates); every
 * connection record is freed once TIME-WAIT has passed (ASan reports any
 * leak at exit). */
#include "check.h"

#include <stdlib.h>

#include "sim/sim.h"
#include "synack.h"

#define CLIENT_ADDR 0xC6120001u
#define SERVER_ADDR 0xC6120002u
#define PORT 7
#define NCONN 4

enum { CLOSE_CLIENT_FIRST, CLOSE_SERVER_FIRST, CLOSE_SIMULTANEOUS };

/* One direction of one connection's byte stream. */
typedef struct stream {
    size_t total, sent, recvd;
    int shut;           /* sender called shutdown */
    int eof;            /* receiver saw end of stream */
} stream;

typedef struct conn {
    int ch, sh;         /* client and server handles, -1 if none */
    uint16_t cport;     /* client's local port, to match accepted sockets */
    int order;
    stream up, down;    /* client->server, server->client */
    int cclosed, sclosed;
} conn;

static uint8_t pattern(int c, int dir, size_t i)
{
    return (uint8_t)(i * 131u + (size_t)c * 7u + (size_t)dir * 13u + (i >> 7));
}

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Pushes as much of the stream as the socket takes. */
static void pump_send(synack_stack *st, int h, int c, int dir, stream *s)
{
    uint8_t buf[4096];
    while (s->sent < s->total) {
        size_t n = s->total - s->sent;
        if (n > sizeof buf)
            n = sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(c, dir, s->sent + i);
        long r = synack_send(st, h, buf, n);
        if (r == SYNACK_EAGAIN)
            return;
        if (r <= 0)
            check_fail(__FILE__, __LINE__, "conn %d dir %d: send -> %s", c, dir,
                       synack_strerror((int)r));
        s->sent += (size_t)r;
    }
}

/* Reads everything available and checks it against the pattern. */
static void pump_recv(synack_stack *st, int h, int c, int dir, stream *s)
{
    uint8_t buf[4096];
    for (;;) {
        long r = synack_recv(st, h, buf, sizeof buf);
        if (r == SYNACK_EAGAIN)
            return;
        if (r < 0)
            check_fail(__FILE__, __LINE__, "conn %d dir %d: recv -> %s after %zu bytes", c,
                       dir, synack_strerror((int)r), s->recvd);
        if (r == 0) {
            if (s->recvd != s->total)
                check_fail(__FILE__, __LINE__, "conn %d dir %d: EOF after %zu of %zu bytes",
                           c, dir, s->recvd, s->total);
            s->eof = 1;
            return;
        }
        for (long i = 0; i < r; i++)
            if (buf[i] != pattern(c, dir, s->recvd + (size_t)i))
                check_fail(__FILE__, __LINE__, "conn %d dir %d: byte %zu wrong", c, dir,
                           s->recvd + (size_t)i);
        s->recvd += (size_t)r;
        if (s->recvd > s->total)
            check_fail(__FILE__, __LINE__, "conn %d dir %d: too many bytes", c, dir);
    }
}

static void drive_end(synack_stack *st, int *h, int c, int dir_out, stream *out, stream *in,
                      int shut_early, int *closed)
{
    if (*h < 0 || *closed)
        return;
    pump_send(st, *h, c, dir_out, out);
    pump_recv(st, *h, c, 1 - dir_out, in);
    if (!out->shut && out->sent == out->total && (shut_early || in->eof)) {
        CHECK_EQ(synack_shutdown(st, *h), 0);
        out->shut = 1;
    }
    if (out->shut && in->eof) {
        CHECK_EQ(synack_close(st, *h), 0);
        *closed = 1;
    }
}

/* SYNACK_TEST_TRACE=1 prints every event of both stacks (debugging). */
static void print_event(void *ctx, const synack_trace_event *ev)
{
    const char *who = ctx;
    switch (ev->kind) {
    case SYNACK_TRACE_SEG_OUT:
    case SYNACK_TRACE_SEG_IN:
    case SYNACK_TRACE_SEG_DROP:
        printf("%10.6f %s c%u %s %02x seq %u ack %u win %u len %u%s%s%s\n", (double)ev->now / 1e9,
               who, ev->conn_id,
               ev->kind == SYNACK_TRACE_SEG_OUT ? "out" : ev->kind == SYNACK_TRACE_SEG_IN ? "in " : "DROP",
               ev->seg.flags, ev->seg.seq, ev->seg.ack, ev->seg.wnd, ev->seg.len,
               ev->retransmit ? " rexmit" : "", ev->kind == SYNACK_TRACE_SEG_DROP ? " " : "",
               ev->kind == SYNACK_TRACE_SEG_DROP ? synack_drop_name(ev->drop) : "");
        break;
    case SYNACK_TRACE_STATE:
        printf("%10.6f %s c%u %s -> %s (%s)\n", (double)ev->now / 1e9, who, ev->conn_id,
               synack_state_name(ev->old_state), synack_state_name(ev->new_state), ev->cause);
        break;
    case SYNACK_TRACE_TIMER:
        printf("%10.6f %s c%u timer %s\n", (double)ev->now / 1e9, who, ev->conn_id,
               synack_timer_name(ev->timer));
        break;
    case SYNACK_TRACE_ERROR:
        printf("%10.6f %s c%u error %s\n", (double)ev->now / 1e9, who, ev->conn_id,
               synack_strerror(ev->error));
        break;
    }
}

static void run_seed(uint64_t seed)
{
    int tracing = getenv("SYNACK_TEST_TRACE") != NULL;
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    sim_net *n = sim_new(seed);
    CHECK(n != NULL);
    synack_config cfg;
    synack_stack *cs, *ss;
    synack_config_default(&cfg);
    cfg.seed = seed;
    /* Odd seeds: window scaling, timestamps and SACK; even: none. Every
     * third seed uses NewReno instead of CUBIC. */
    cfg.wscale = seed % 2 ? 7 : -1;
    cfg.timestamps = seed % 2;
    cfg.sack = seed % 2;
    cfg.cc = seed % 3 == 0 ? SYNACK_CC_NEWRENO : SYNACK_CC_CUBIC;
    cfg.addr = CLIENT_ADDR;
    if (tracing) {
        cfg.observer = print_event;
        cfg.observer_ctx = "C";
    }
    int cn = sim_add_stack(n, &cfg, &cs);
    cfg.addr = SERVER_ADDR;
    cfg.seed = seed + 1000;
    cfg.observer_ctx = "S";
    int sn = sim_add_stack(n, &cfg, &ss);
    CHECK(cn >= 0 && sn >= 0);

    sim_link l;
    sim_link_default(&l);
    l.delay = SYNACK_MSEC(1 + rnd(&x) % 50);
    l.loss = (double)(rnd(&x) % 100) / 1000.0;      /* 0 .. 9.9 % */
    l.dup = (double)(rnd(&x) % 50) / 1000.0;
    l.reorder = (double)(rnd(&x) % 100) / 1000.0;
    l.corrupt = (double)(rnd(&x) % 20) / 1000.0;
    CHECK_EQ(sim_set_link(n, cn, sn, &l), 0);
    CHECK_EQ(sim_set_link(n, sn, cn, &l), 0);

    int lh = synack_socket(ss);
    CHECK_EQ(synack_bind(ss, lh, 0, PORT), 0);
    CHECK_EQ(synack_listen(ss, lh, 16), 0);

    conn conns[NCONN];
    for (int c = 0; c < NCONN; c++) {
        conn *k = &conns[c];
        memset(k, 0, sizeof(*k));
        k->sh = -1;
        k->order = (int)(rnd(&x) % 3);
        k->up.total = rnd(&x) % 100000;
        k->down.total = rnd(&x) % 100000;
        k->ch = synack_socket(cs);
        CHECK(k->ch >= 0);
        CHECK_EQ(synack_connect(cs, k->ch, SERVER_ADDR, PORT), SYNACK_EINPROGRESS);
        synack_endpoint me;
        CHECK_EQ(synack_local_addr(cs, k->ch, &me), 0);
        k->cport = me.port;
    }

    int done = 0;
    for (long step = 0; step < 5000000 && !done; step++) {
        if (sim_step(n) <= 0)
            break;
        int a;
        synack_endpoint peer;
        while ((a = synack_accept(ss, lh, &peer)) >= 0) {
            for (int c = 0; c < NCONN; c++)
                if (conns[c].cport == peer.port)
                    conns[c].sh = a;
        }
        done = 1;
        for (int c = 0; c < NCONN; c++) {
            conn *k = &conns[c];
            if (!k->cclosed && synack_get_state(cs, k->ch) == SYNACK_CLOSED) {
                int e = synack_get_error(cs, k->ch);
                check_fail(__FILE__, __LINE__, "seed %llu conn %d: client closed early: %s",
                           (unsigned long long)seed, c, synack_strerror(e));
            }
            if (synack_get_state(cs, k->ch) >= SYNACK_ESTABLISHED || k->cclosed)
                drive_end(cs, &k->ch, c, 0, &k->up, &k->down,
                          k->order != CLOSE_SERVER_FIRST, &k->cclosed);
            drive_end(ss, &k->sh, c, 1, &k->down, &k->up,
                      k->order != CLOSE_CLIENT_FIRST, &k->sclosed);
            if (!k->cclosed || !k->sclosed)
                done = 0;
        }
    }
    for (int c = 0; c < NCONN; c++) {
        conn *k = &conns[c];
        if (!k->cclosed || !k->sclosed)
            check_fail(__FILE__, __LINE__,
                       "seed %llu conn %d (order %d) unfinished: up %zu/%zu/%zu eof %d, "
                       "down %zu/%zu/%zu eof %d, client %s",
                       (unsigned long long)seed, c, k->order, k->up.sent, k->up.recvd,
                       k->up.total, k->up.eof, k->down.sent, k->down.recvd, k->down.total,
                       k->down.eof, synack_state_name(synack_get_state(cs, k->ch)));
    }
    CHECK_EQ(synack_close(ss, lh), 0);
    /* Let FIN retransmissions and TIME-WAIT (2 x 30 s) play out. */
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(600)), 1);
    synack_stats st;
    synack_stats_get(cs, &st);
    sim_stats ns;
    sim_stats_get(n, &ns);
    size_t bytes = 0;
    for (int c = 0; c < NCONN; c++)
        bytes += conns[c].up.recvd + conns[c].down.recvd;
    printf("seed %2llu: %7zu bytes, %6llu pkts, lost %4llu dup %3llu reord %4llu corrupt %3llu,"
           " client rexmit %4llu, %6.1f s virtual\n",
           (unsigned long long)seed, bytes, (unsigned long long)ns.sent,
           (unsigned long long)ns.lost, (unsigned long long)ns.duplicated,
           (unsigned long long)ns.reordered, (unsigned long long)ns.corrupted,
           (unsigned long long)st.tcp_retransmits, (double)sim_now(n) / 1e9);
    CHECK_U64(st.conns_live, 0);
    CHECK_U64(st.conns_reset, 0);
    CHECK_U64(st.conns_timeout, 0);
    synack_stats_get(ss, &st);
    CHECK_U64(st.conns_live, 0);
    CHECK_U64(st.conns_reset, 0);
    sim_free(n);
}

TEST(random_links_many_seeds)
{
    const char *one = getenv("SYNACK_TEST_SEED");
    if (one) {
        run_seed(strtoull(one, NULL, 10));
        return;
    }
    for (uint64_t seed = 1; seed <= 60; seed++)
        run_seed(seed);
}

TEST_MAIN()
