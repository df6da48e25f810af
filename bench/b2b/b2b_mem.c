/* b2b_mem.c — memory per connection, charged through a counting
 * allocator per stack (cfg.alloc/cfg.free):
 *
 *   established: n idle connections open at once (no data ever sent, so
 *     lazily allocated buffers stay unallocated); growth of each stack's
 *     live bytes / n is the cost of one connection end;
 *   TIME-WAIT: n connections through the handshake+close pattern; the
 *     client's growth / n is the cost of one TIME-WAIT entry, and the
 *     server must be back where it started (nothing leaked);
 *   preallocated: what a stack reserves up front per socket handle
 *     (cfg.max_sockets) and per connection record (cfg.max_conns: hash
 *     buckets), from the difference between two stack sizes.
 *
 * "chunk" figures estimate the same requests served by glibc malloc
 * (8-byte header, 16-byte granularity), comparable with peers measured
 * through malloc itself. */
#include "b2b.h"

#include <stdio.h>

#include "b2b_pair.h"

static void expect(int ok, const char *what, uint64_t i)
{
    if (!ok)
        bench_die("mem, conn %llu: %s", (unsigned long long)i, what);
}

static int listen_on(b2b_pair *p, uint16_t port, int backlog)
{
    int l = synack_socket(p->srv);
    expect(l >= 0 && synack_bind(p->srv, l, 0, port) == 0 && synack_listen(p->srv, l, backlog) == 0,
           "listen", 0);
    return l;
}

static void established(uint64_t n)
{
    static b2b_pair p;
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.max_conns = (uint32_t)(n + 64);
    cfg.max_sockets = (uint32_t)(n + 64);
    b2b_pair_init(&p, &cfg, 1, 256);
    int listener = -1;
    b2b_count c0 = p.count[0], s0 = p.count[1];
    for (uint64_t i = 0; i < n; i++) {
        if (i % B2B_PORTS_PER_LISTENER == 0) {
            listener = listen_on(&p, (uint16_t)(B2B_SERVER_PORT0 + i / B2B_PORTS_PER_LISTENER), 128);
            if (i == 0) {
                c0 = p.count[0];
                s0 = p.count[1];
            }
        }
        int h = synack_socket(p.cli);
        expect(h >= 0, "socket", i);
        expect(synack_connect(p.cli, h, B2B_SRV_ADDR,
                              (uint16_t)(B2B_SERVER_PORT0 + i / B2B_PORTS_PER_LISTENER)) ==
               SYNACK_EINPROGRESS, "connect", i);
        b2b_pair_run(&p);
        expect(synack_get_state(p.cli, h) == SYNACK_ESTABLISHED, "not established", i);
        expect(synack_accept(p.srv, listener, NULL) >= 0, "accept", i);
    }
    double dn = (double)n;
    bench_result("synack.mem.est_client", (double)(p.count[0].live - c0.live) / dn, "B");
    bench_result("synack.mem.est_server", (double)(p.count[1].live - s0.live) / dn, "B");
    bench_result("synack.mem.est_client_chunk", (double)(p.count[0].chunk - c0.chunk) / dn, "B");
    bench_result("synack.mem.est_server_chunk", (double)(p.count[1].chunk - s0.chunk) / dn, "B");
    bench_result("synack.mem.est_allocs", (double)(p.count[0].allocs - c0.allocs) / dn, "allocs");
    b2b_pair_free(&p);
}

static void time_wait(uint64_t n)
{
    static b2b_pair p;
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.max_conns = (uint32_t)(n + 64);
    cfg.max_sockets = 64;
    b2b_pair_init(&p, &cfg, 1, 256);
    int listener = -1;
    b2b_count c0 = p.count[0], s0 = p.count[1];
    char c;
    for (uint64_t i = 0; i < n; i++) {
        if (i % B2B_PORTS_PER_LISTENER == 0) {
            listener = listen_on(&p, (uint16_t)(B2B_SERVER_PORT0 + i / B2B_PORTS_PER_LISTENER), 128);
            if (i == 0) {
                c0 = p.count[0];
                s0 = p.count[1];
            }
        }
        int h = synack_socket(p.cli);
        expect(h >= 0 && synack_connect(p.cli, h, B2B_SRV_ADDR,
                                        (uint16_t)(B2B_SERVER_PORT0 + i / B2B_PORTS_PER_LISTENER)) ==
                             SYNACK_EINPROGRESS, "connect", i);
        b2b_pair_run(&p);
        int a = synack_accept(p.srv, listener, NULL);
        expect(a >= 0, "accept", i);
        expect(synack_send(p.cli, h, "x", 1) == 1, "client send", i);
        b2b_pair_run(&p);
        expect(synack_recv(p.srv, a, &c, 1) == 1, "server recv", i);
        expect(synack_send(p.srv, a, "y", 1) == 1, "server send", i);
        b2b_pair_run(&p);
        expect(synack_recv(p.cli, h, &c, 1) == 1, "client recv", i);
        expect(synack_close(p.cli, h) == 0, "client close", i);
        b2b_pair_run(&p);
        expect(synack_recv(p.srv, a, &c, 1) == 0, "server EOF", i);
        expect(synack_close(p.srv, a) == 0, "server close", i);
        b2b_pair_run(&p);
    }
    synack_stats st;
    synack_stats_get(p.cli, &st);
    expect(st.conns_live == n, "client does not hold every TIME-WAIT entry", n);
    double dn = (double)n;
    bench_result("synack.mem.tw", (double)(p.count[0].live - c0.live) / dn, "B");
    bench_result("synack.mem.tw_chunk", (double)(p.count[0].chunk - c0.chunk) / dn, "B");
    bench_result("synack.mem.tw_allocs", (double)(p.count[0].allocs - c0.allocs) / dn, "allocs");
    bench_result("synack.mem.server_after_close", (double)(p.count[1].live - s0.live), "B");
    b2b_pair_free(&p);
}

/* Live bytes of a fresh stack with the given limits. */
static int64_t fresh_stack_bytes(uint32_t max_sockets, uint32_t max_conns)
{
    b2b_count c = { 0, 0, 0 };
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = B2B_CLI_ADDR;
    cfg.tx = b2b_link_tx;
    cfg.max_sockets = max_sockets;
    cfg.max_conns = max_conns;
    cfg.alloc = b2b_count_alloc;
    cfg.free = b2b_count_free;
    cfg.alloc_ctx = &c;
    synack_stack *s;
    if (synack_stack_new(&cfg, &s) != 0)
        bench_die("mem: synack_stack_new failed");
    int64_t live = c.live;
    synack_stack_free(s);
    return live;
}

void b2b_mem(uint64_t n)
{
    established(n);
    time_wait(n);
    /* 2^16 and 2^17: powers of two so hash bucket rounding cancels. */
    int64_t base = fresh_stack_bytes(65536, 65536);
    bench_result("synack.mem.prealloc_per_handle",
                 (double)(fresh_stack_bytes(131072, 65536) - base) / 65536.0, "B");
    bench_result("synack.mem.prealloc_per_conn",
                 (double)(fresh_stack_bytes(65536, 131072) - base) / 65536.0, "B");
}
