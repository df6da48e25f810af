/* b2b_bulk.c — bulk goodput between two synack stacks back to back: the
 * client sends the pattern stream with Nagle off, the server reads it.
 *
 * Setup (stated in docs/BENCHMARKS.md): MTU 1500 (MSS 1460), window scale
 * 7, 4 MiB send and receive buffers, delayed ACK 40 ms (every second
 * full segment is acknowledged at once), SACK as configured by default,
 * timestamps off so a segment carries 1460 bytes as lwIP's do. The
 * application writes at most 64,000 bytes, the link is drained, the
 * server reads everything, and again: data stays cache-resident the way
 * it does when sender and receiver run concurrently. Goodput is bytes the
 * server application read per second of real time. With loss, idle waits
 * for timers are skipped (the clock jumps), so the figure is the CPU cost
 * of recovering, not the wall-clock effect of a 200 ms RTO. */
#include "b2b.h"

#include <stdio.h>
#include <stdlib.h>

#include "b2b_pair.h"

#define CHUNK 64000u
#define RBUF  (256u * 1024u)

typedef struct bulk {
    b2b_pair p;
    int ch, sh;                 /* client and accepted server handle */
    uint8_t *pat, *rbuf;
    uint64_t sent, rcvd;
} bulk;

/* One round: write, deliver, read. Returns 1 if anything moved. Not
 * inlined so callgrind --toggle-collect=bulk_round can isolate it. */
__attribute__((noinline)) static int bulk_round(bulk *b, int verify)
{
    uint64_t before = b->rcvd;
    int moved = 0;
    long n = synack_send(b->p.cli, b->ch, b->pat + b->sent % BENCH_PATTERN_PERIOD, CHUNK);
    if (n > 0) {
        b->sent += (uint64_t)n;
        moved = 1;
    } else if (n != SYNACK_EAGAIN) {
        bench_die("bulk: send: %s", synack_strerror((int)n));
    }
    b2b_pair_run(&b->p);
    for (;;) {
        long m = synack_recv(b->p.srv, b->sh, b->rbuf, RBUF);
        if (m == SYNACK_EAGAIN)
            break;
        if (m <= 0)
            bench_die("bulk: recv: %s", m == 0 ? "unexpected end of stream"
                                                : synack_strerror((int)m));
        if (verify && !bench_pattern_check(b->pat, b->rbuf, b->rcvd, (size_t)m))
            bench_die("bulk: received bytes differ from those sent near offset %llu",
                      (unsigned long long)b->rcvd);
        b->rcvd += (uint64_t)m;
    }
    if (b->rcvd != before)
        moved = 1;
    b2b_pair_run(&b->p);        /* the window updates the reads caused */
    return moved;
}

static void bulk_step(bulk *b, int verify)
{
    if (bulk_round(b, verify))
        return;
    /* Nothing moved: waiting for a timer (a retransmission after loss). */
    if (!b2b_pair_skip_idle(&b->p))
        bench_die("bulk: stalled with no timer pending (sent %llu, received %llu)",
                  (unsigned long long)b->sent, (unsigned long long)b->rcvd);
}

void b2b_bulk(const b2b_bulk_opts *o)
{
    static bulk b;
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.wscale = 7;
    cfg.sndbuf = (uint32_t)(o->bufsize ? o->bufsize : 4u << 20);
    cfg.rcvbuf = cfg.sndbuf;
    cfg.timestamps = 0;
    cfg.max_sockets = 16;
    cfg.max_conns = 16;
    b2b_pair_init(&b.p, &cfg, 0, 8192);
    b.p.link.loss_every = o->loss_every;
    b.pat = malloc(2u * BENCH_PATTERN_PERIOD);
    b.rbuf = malloc(RBUF);
    if (!b.pat || !b.rbuf)
        bench_die("bulk: no memory");
    bench_pattern_fill(b.pat);

    int l = synack_socket(b.p.srv);
    if (l < 0 || synack_bind(b.p.srv, l, 0, B2B_SERVER_PORT0) != 0 || synack_listen(b.p.srv, l, 8) != 0)
        bench_die("bulk: listen failed");
    b.ch = synack_socket(b.p.cli);
    synack_setopt(b.p.cli, b.ch, SYNACK_TCP_NODELAY, 1);
    if (synack_connect(b.p.cli, b.ch, B2B_SRV_ADDR, B2B_SERVER_PORT0) != SYNACK_EINPROGRESS)
        bench_die("bulk: connect failed");
    b2b_pair_run(&b.p);
    b.sh = synack_accept(b.p.srv, l, NULL);
    if (b.sh < 0 || synack_get_state(b.p.cli, b.ch) != SYNACK_ESTABLISHED)
        bench_die("bulk: handshake did not complete");
    synack_setopt(b.p.srv, b.sh, SYNACK_TCP_NODELAY, 1);

    /* Warm-up, every byte checked against the pattern. */
    while (b.rcvd < o->verify_bytes)
        bulk_step(&b, 1);

    synack_stats st0;
    synack_stats_get(b.p.cli, &st0);
    uint64_t lost0 = b.p.link.lost, r0 = b.rcvd;
    uint64_t t0 = bench_mono_ns(), t1 = t0;
    unsigned iter = 0;
    while (t1 - t0 < o->duration_ns) {
        bulk_step(&b, 0);
        if (++iter % 64 == 0)
            t1 = bench_mono_ns();
    }
    t1 = bench_mono_ns();
    uint64_t bytes = b.rcvd - r0;

    /* Everything sent must arrive, intact at the end too. */
    for (int guard = 0; b.rcvd < b.sent && guard < 1000000; guard++) {
        if (!bulk_round(&b, 1) && !b2b_pair_skip_idle(&b.p))
            break;
    }
    if (b.rcvd != b.sent)
        bench_die("bulk: %llu bytes sent but %llu received",
                  (unsigned long long)b.sent, (unsigned long long)b.rcvd);

    synack_stats st1;
    synack_stats_get(b.p.cli, &st1);
    double ns = (double)(t1 - t0);
    char key[96];
    snprintf(key, sizeof key, "%s.gbps", o->key);
    bench_result(key, (double)bytes * 8.0 / ns, "Gbit/s");
    snprintf(key, sizeof key, "%s.ns_per_byte", o->key);
    bench_result(key, ns / (double)bytes, "ns/B");
    snprintf(key, sizeof key, "%s.retransmits", o->key);
    bench_result(key, (double)(st1.tcp_retransmits - st0.tcp_retransmits), "segments");
    snprintf(key, sizeof key, "%s.lost", o->key);
    bench_result(key, (double)(b.p.link.lost - lost0), "segments");
    if (b.p.link.overflow)
        bench_die("bulk: the link FIFO overflowed (%llu packets)",
                  (unsigned long long)b.p.link.overflow);

    b2b_pair_free(&b.p);
    free(b.pat);
    free(b.rbuf);
    b.sent = b.rcvd = 0;
}
