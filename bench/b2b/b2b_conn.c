/* b2b_conn.c — handshake+close rate and handshake latency between two
 * synack stacks back to back.
 *
 * Each of n sequential connections: connect -> 1 byte each way -> the
 * client closes first (its end stays in TIME-WAIT) -> the server reads
 * EOF and closes. Nothing expires during the run: the client's
 * max_conns is n + 1024 and the clock is real time (TIME-WAIT lasts
 * 2 x MSL = 60 s), so the client holds every TIME-WAIT entry so far while
 * the next connection opens — which is what "flat as N grows" tests.
 *
 * Latency is connect() until both ends are ESTABLISHED (three segments
 * processed): with an instant link that is pure CPU time on this thread. */
#include "b2b.h"

#include <stdio.h>
#include <stdlib.h>

#include "b2b_pair.h"

static void expect(int ok, const char *what, uint64_t i)
{
    if (!ok)
        bench_die("conn %llu: %s", (unsigned long long)i, what);
}

/* One connection's life; returns connect -> established nanoseconds.
 * Not inlined so callgrind --toggle-collect=one_conn can isolate it. */
__attribute__((noinline)) static uint64_t one_conn(b2b_pair *p, int listener, uint16_t port, uint64_t i)
{
    char c;
    uint64_t t0 = bench_mono_ns();
    int h = synack_socket(p->cli);
    expect(h >= 0, "socket", i);
    expect(synack_connect(p->cli, h, B2B_SRV_ADDR, port) == SYNACK_EINPROGRESS, "connect", i);
    b2b_pair_run(p);
    uint64_t t1 = bench_mono_ns();
    expect(synack_get_state(p->cli, h) == SYNACK_ESTABLISHED, "client not established", i);
    int a = synack_accept(p->srv, listener, NULL);
    expect(a >= 0, "accept", i);

    expect(synack_send(p->cli, h, "x", 1) == 1, "client send", i);
    b2b_pair_run(p);
    expect(synack_recv(p->srv, a, &c, 1) == 1 && c == 'x', "server recv", i);
    expect(synack_send(p->srv, a, "y", 1) == 1, "server send", i);
    b2b_pair_run(p);
    expect(synack_recv(p->cli, h, &c, 1) == 1 && c == 'y', "client recv", i);

    expect(synack_close(p->cli, h) == 0, "client close", i);
    b2b_pair_run(p);
    expect(synack_recv(p->srv, a, &c, 1) == 0, "server EOF", i);
    expect(synack_close(p->srv, a) == 0, "server close", i);
    b2b_pair_run(p);
    return t1 - t0;
}

void b2b_conn(uint64_t n)
{
    static b2b_pair p;
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.max_conns = (uint32_t)(n + 1024);
    cfg.max_sockets = 1024;
    b2b_pair_init(&p, &cfg, 0, 256);
    uint64_t *lat = malloc(n * sizeof(*lat));
    if (!lat)
        bench_die("conn: no memory");

    static const uint64_t edges[] = { 1000, 10000, 100000, 1000000, 10000000 };
    static const char *const names[] = { "0_1k", "1k_10k", "10k_100k", "100k_1m", "1m_10m" };
    int listener = -1;
    uint16_t port = 0;
    uint64_t t_block = bench_mono_ns(), t_all = t_block, from = 0;
    size_t e = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (i % B2B_PORTS_PER_LISTENER == 0) {
            /* Earlier listeners stay open; the newest is found first. */
            port = (uint16_t)(B2B_SERVER_PORT0 + i / B2B_PORTS_PER_LISTENER);
            listener = synack_socket(p.srv);
            expect(listener >= 0 && synack_bind(p.srv, listener, 0, port) == 0 &&
                   synack_listen(p.srv, listener, 128) == 0, "listen", i);
        }
        lat[i] = one_conn(&p, listener, port, i);
        uint64_t done = i + 1;
        if (e < sizeof(edges) / sizeof(edges[0]) && (done == edges[e] || done == n)) {
            uint64_t t = bench_mono_ns();
            char key[64];
            /* A partial last block is labelled with the edge it stopped short of. */
            snprintf(key, sizeof key, "synack.conn.rate.%s", names[e]);
            bench_result(key, (double)(done - from) * 1e9 / (double)(t - t_block), "conn/s");
            t_block = t;
            from = done;
            if (done == edges[e])
                e++;
        }
    }
    uint64_t t_end = bench_mono_ns();
    bench_result("synack.conn.n", (double)n, "conns");
    bench_result("synack.conn.rate.all", (double)n * 1e9 / (double)(t_end - t_all), "conn/s");
    synack_stats st;
    synack_stats_get(p.cli, &st);
    bench_result("synack.conn.time_wait_at_end", (double)st.conns_live, "entries");
    bench_result("synack.conn.lat_p50", (double)bench_quantile(lat, n, 0.50), "ns");
    bench_result("synack.conn.lat_p99", (double)bench_quantile(lat, n, 0.99), "ns");
    free(lat);
    b2b_pair_free(&p);
}
