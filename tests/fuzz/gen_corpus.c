/* gen_corpus.c — writes the seed corpus of the four fuzz targets.
 *
 *   fuzz_gen_corpus DIR      creates DIR/packet, DIR/tcp_opts, DIR/reasm
 *                            and DIR/stateful with seed-* files
 *
 * The seeds are the scenario tests' situations in each target's input
 * format: a handshake, data in order and out of order, FIN, exact and
 * inexact RSTs, SYNs in synchronized states, SACK, timestamps, zero
 * window, ICMP echo, fragments, and two-stack programs with loss,
 * duplication and reordering. Packet seeds need the server's ISN, so the
 * generator runs the same fixture the target does (same configuration,
 * same seed, same clock) and reads it from the SYN-ACK. The committed
 * tests/fuzz/corpus is this program's output (plus regress-* inputs from
 * crashes); ctest also regenerates it into the build tree, so seeds
 * follow engine changes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_util.h"
#include "wire/tcp_opts.h"
#include "wire/wire.h"

typedef struct buf {
    uint8_t b[32768];
    size_t n;
} buf;

static const char *outdir;

static void put8(buf *o, unsigned v) { if (o->n < sizeof(o->b)) o->b[o->n++] = (uint8_t)v; }
static void put16(buf *o, unsigned v) { put8(o, v >> 8); put8(o, v & 0xff); }
static void putn(buf *o, const void *p, size_t n)
{
    if (n > sizeof(o->b) - o->n)
        n = sizeof(o->b) - o->n;
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void mkdir_p(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
}

static void save(const char *target, const char *name, const buf *o)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", outdir, target);
    mkdir_p(path);
    snprintf(path, sizeof(path), "%s/%s/seed-%s", outdir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(o->b, 1, o->n, f) != o->n || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* ------------------------------------------------------------ packet */

static uint32_t server_iss;

/* A record of fuzz_packet: ctl, length, a datagram from the peer. */
static void rec_seg(buf *o, unsigned ctl, const synack_segment *seg, const uint8_t *payload)
{
    uint8_t pkt[FZ_PKT_MAX];
    size_t n = fz_build(pkt, sizeof(pkt), seg, payload);
    put8(o, ctl);
    put16(o, (unsigned)n);
    putn(o, pkt, n);
}

static synack_segment data_seg(uint32_t off, uint32_t len, uint8_t extra)
{
    synack_segment g = fz_peer_seg(SYNACK_TCP_ACK | extra, FZ_PEER_ISN + 1 + off,
                                   server_iss + 1, len);
    g.wnd = 512;
    g.opts.has_ts = 1;
    g.opts.tsval = 200 + off;
    g.opts.tsecr = 0;
    return g;
}

static void gen_packet(void)
{
    /* Learn the ISN exactly as the target will see it. */
    synack_config cfg;
    fz_config(&cfg, FZ_SERVER_ADDR, 1);
    fz_node n;
    fz_node_init(&n, &cfg);
    int conn;
    fz_server_fixture(&n, &conn, &server_iss);
    fz_node_free(&n);

    uint8_t text[1400];
    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = (uint8_t)('a' + i % 26);
    buf o;
    synack_segment g;

    o.n = 0;                                   /* in-order data, read */
    g = data_seg(0, 100, SYNACK_TCP_PSH);
    rec_seg(&o, 8, &g, text);
    g = data_seg(100, 1400, 0);
    rec_seg(&o, 8, &g, text);
    save("packet", "data", &o);

    o.n = 0;                                   /* data then FIN, then time */
    g = data_seg(0, 10, SYNACK_TCP_PSH);
    rec_seg(&o, 0, &g, text);
    g = data_seg(10, 0, SYNACK_TCP_FIN);
    rec_seg(&o, 8, &g, NULL);
    g = data_seg(11, 0, 0);
    rec_seg(&o, 0xf0, &g, NULL);
    save("packet", "fin", &o);

    o.n = 0;                                   /* out of order, then fill */
    g = data_seg(200, 100, 0);
    rec_seg(&o, 0, &g, text);
    g = data_seg(400, 100, 0);
    rec_seg(&o, 0, &g, text);
    g = data_seg(0, 200, 0);
    rec_seg(&o, 0, &g, text);
    g = data_seg(300, 100, 0);
    rec_seg(&o, 8, &g, text);
    save("packet", "ooo", &o);

    o.n = 0;                                   /* RFC 5961 RST variants */
    g = data_seg(1000, 0, SYNACK_TCP_RST);
    g.flags = SYNACK_TCP_RST;
    rec_seg(&o, 0, &g, NULL);                  /* in window, not exact */
    g.seq = FZ_PEER_ISN + 1 + 0x40000000u;
    rec_seg(&o, 0, &g, NULL);                  /* out of window */
    g.seq = FZ_PEER_ISN + 1;
    rec_seg(&o, 0, &g, NULL);                  /* exact */
    save("packet", "rst", &o);

    o.n = 0;                                   /* SYN on a synchronized conn */
    g = data_seg(5, 0, 0);
    g.flags = SYNACK_TCP_SYN;
    rec_seg(&o, 0, &g, NULL);
    g = data_seg(0, 4, SYNACK_TCP_PSH);
    rec_seg(&o, 8, &g, text);
    save("packet", "syn-established", &o);

    o.n = 0;                                   /* ACK of unsent data, old ACK */
    g = data_seg(0, 0, 0);
    g.ack = server_iss + 100000;
    rec_seg(&o, 0, &g, NULL);
    g.ack = server_iss - 200000;
    rec_seg(&o, 0, &g, NULL);
    save("packet", "bad-ack", &o);

    o.n = 0;                                   /* PAWS: an old timestamp */
    g = data_seg(0, 10, 0);
    g.opts.tsval = 50;
    rec_seg(&o, 0, &g, text);
    save("packet", "paws", &o);

    o.n = 0;                                   /* SACK blocks on an ACK */
    g = data_seg(0, 0, 0);
    g.opts.nsack = 2;
    g.opts.sack[0][0] = server_iss + 1;
    g.opts.sack[0][1] = server_iss + 100;
    g.opts.sack[1][0] = server_iss + 200;
    g.opts.sack[1][1] = server_iss + 300;
    rec_seg(&o, 0, &g, NULL);
    save("packet", "sack", &o);

    o.n = 0;                                   /* a second client connects */
    g = fz_peer_seg(SYNACK_TCP_SYN, 5000, 0, 0);
    g.sport = 40001;
    g.opts.has_mss = 1;
    g.opts.mss = 536;
    rec_seg(&o, 0, &g, NULL);
    g.flags = SYNACK_TCP_SYN;
    rec_seg(&o, 0x30, &g, NULL);               /* retransmitted SYN */
    g.sport = 40002;
    g.flags = SYNACK_TCP_ACK;
    g.ack = 12345;
    rec_seg(&o, 0, &g, NULL);                  /* stray ACK to the listener */
    save("packet", "second-client", &o);

    o.n = 0;                                   /* zero window: fill, no read */
    for (uint32_t off = 0; off < 18000; off += 1400) {
        g = data_seg(off, 1400, 0);
        rec_seg(&o, 0, &g, text);
    }
    g = data_seg(18200, 1, 0);
    rec_seg(&o, 0x50, &g, text);
    save("packet", "zero-window", &o);

    o.n = 0;                                   /* ICMP echo request */
    {
        uint8_t pkt[128];
        memcpy(pkt + 28, text, 32);
        wire_icmp_emit(pkt + 20, WIRE_ICMP_ECHO_REQUEST, 0, 0x12340001u, 32);
        wire_ipv4_emit(pkt, FZ_PEER_ADDR, FZ_SERVER_ADDR, WIRE_PROTO_ICMP, 64, 9, 40);
        put8(&o, 0);
        put16(&o, 60);
        putn(&o, pkt, 60);
    }
    save("packet", "icmp-echo", &o);

    o.n = 0;                                   /* checksum off, CSUM_VALID */
    g = data_seg(0, 20, 0);
    {
        uint8_t pkt[FZ_PKT_MAX];
        size_t len = fz_build(pkt, sizeof(pkt), &g, text);
        pkt[36] ^= 0x55;
        put8(&o, 0);
        put16(&o, (unsigned)len);
        putn(&o, pkt, len);
        put8(&o, 4 | 8);
        put16(&o, (unsigned)len);
        putn(&o, pkt, len);
    }
    save("packet", "csum", &o);
}

/* ---------------------------------------------------------- tcp_opts */

static void gen_tcp_opts(void)
{
    static const struct { const char *name; uint8_t b[41]; size_t n; } lists[] = {
        { "syn-linux", { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 }, 20 },
        { "sack-1", { 1, 1, 5, 10, 0, 0, 1, 0, 0, 0, 2, 0 }, 12 },
        { "sack-4", { 1, 1, 5, 34, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4,
                      0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0, 7, 0, 0, 0, 8 }, 36 },
        { "eol", { 2, 4, 2, 0, 0, 99, 99 }, 7 },
        { "unknown", { 30, 6, 1, 2, 3, 4, 1, 3, 3, 15 }, 10 },
        { "bad-len", { 2, 5, 0, 0, 0 }, 5 },
        { "zero-len", { 8, 0 }, 2 },
        { "truncated", { 8, 10, 0, 0 }, 4 },
    };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        buf o = { .n = 0 };
        put8(&o, 0);
        putn(&o, lists[i].b, lists[i].n);
        save("tcp_opts", lists[i].name, &o);
    }
    /* Whole segments: all options, and a SACK list too long to keep. */
    synack_segment g = fz_peer_seg(SYNACK_TCP_ACK, 1, 2, 5);
    g.opts.has_mss = 1;
    g.opts.mss = 1460;
    g.opts.has_ts = 1;
    g.opts.tsval = 7;
    g.opts.tsecr = 9;
    g.opts.sack_permitted = 1;
    g.opts.has_wscale = 1;
    g.opts.wscale = 14;
    uint8_t pkt[FZ_PKT_MAX];
    size_t n = fz_build(pkt, sizeof(pkt), &g, (const uint8_t *)"hello");
    buf o = { .n = 0 };
    put8(&o, 1);
    putn(&o, pkt + WIRE_IPV4_HDR_LEN, n - WIRE_IPV4_HDR_LEN);
    save("tcp_opts", "segment-all", &o);
    g.opts.has_mss = 0;
    g.opts.has_wscale = 0;
    g.opts.sack_permitted = 0;
    g.opts.nsack = 3;
    for (int b = 0; b < 3; b++) {
        g.opts.sack[b][0] = 100u * (unsigned)b;
        g.opts.sack[b][1] = 100u * (unsigned)b + 50;
    }
    g.len = 0;
    n = fz_build(pkt, sizeof(pkt), &g, NULL);
    o.n = 0;
    put8(&o, 1);
    putn(&o, pkt + WIRE_IPV4_HDR_LEN, n - WIRE_IPV4_HDR_LEN);
    save("tcp_opts", "segment-sack", &o);
}

/* ------------------------------------------------------------- reasm */

static void frag(buf *o, unsigned ctl, unsigned off8, unsigned len)
{
    put8(o, ctl);
    put16(o, off8);
    put16(o, len);
}

static void gen_reasm(void)
{
    /* Body 1: a SYN to the listener (checksum made by the target). */
    synack_segment g = fz_peer_seg(SYNACK_TCP_SYN, 7000, 0, 0);
    g.sport = 40010;
    g.opts.has_mss = 1;
    g.opts.mss = 1460;
    g.opts.has_ts = 1;
    g.opts.tsval = 1;
    uint8_t pkt[FZ_PKT_MAX];
    size_t n = fz_build(pkt, sizeof(pkt), &g, NULL);
    size_t tl = n - WIRE_IPV4_HDR_LEN;
    buf o = { .n = 0 };
    put8(&o, 1);
    put16(&o, (unsigned)tl);
    putn(&o, pkt + WIRE_IPV4_HDR_LEN, tl);
    buf base = o;
    frag(&o, 1, 0, 16);                        /* in order */
    frag(&o, 0, 2, (unsigned)tl - 16);
    save("reasm", "syn-2", &o);

    o = base;                                  /* reversed, duplicated */
    frag(&o, 0, 2, (unsigned)tl - 16);
    frag(&o, 1, 0, 16);
    frag(&o, 1, 0, 16);
    save("reasm", "syn-reversed", &o);

    o = base;                                  /* overlap, then timeout */
    frag(&o, 1, 0, 24);
    frag(&o, 0, 2, (unsigned)tl - 16);
    frag(&o, 1 | 4, 0, 8);
    frag(&o, 0xe0, 0, 0);
    save("reasm", "overlap-timeout", &o);

    /* Body 2: an ICMP echo request of 1000 bytes in three pieces. */
    uint8_t icmp[1008];
    for (size_t i = 0; i < 1000; i++)
        icmp[8 + i] = (uint8_t)i;
    wire_icmp_emit(icmp, WIRE_ICMP_ECHO_REQUEST, 0, 0x00010001u, 1000);
    o.n = 0;
    put8(&o, 2);
    put16(&o, sizeof(icmp));
    putn(&o, icmp, sizeof(icmp));
    base = o;
    frag(&o, 1, 0, 400);
    frag(&o, 1, 50, 400);
    frag(&o, 0, 100, 208);
    save("reasm", "icmp-3", &o);

    o = base;                                  /* four ids, two sources */
    for (unsigned id = 0; id < 4; id++)
        frag(&o, 1 | (id << 2) | ((id & 1) << 4), 0, 400);
    for (unsigned id = 0; id < 4; id++)
        frag(&o, (id << 2), 50, 608);
    frag(&o, 0, 8191, 1480);                   /* beyond 65535 */
    save("reasm", "many-ids", &o);
}

/* ---------------------------------------------------------- stateful */

enum {
    OP_DELIVER, OP_RUN, OP_ADVANCE, OP_SOCKET, OP_BIND, OP_LISTEN, OP_ACCEPT,
    OP_CONNECT, OP_SEND, OP_RECV, OP_CLOSE, OP_SHUTDOWN, OP_ABORT, OP_SETOPT,
    OP_INJECT, OP_CORRUPT, OP_QUERY
};

/* B listens on 80 in slot 0; A connects from slot 0; B accepts into 1. */
static void st_connect(buf *o)
{
    put8(o, OP_SOCKET); put8(o, 1);
    put8(o, OP_BIND); put8(o, 1); put8(o, 0); put8(o, 0);
    put8(o, OP_LISTEN); put8(o, 1); put8(o, 0); put8(o, 10);
    put8(o, OP_SOCKET); put8(o, 0);
    put8(o, OP_CONNECT); put8(o, 0); put8(o, 0); put8(o, 0);
    put8(o, OP_RUN);
    put8(o, OP_ACCEPT); put8(o, 1); put8(o, 0);
}

static void st_send(buf *o, int st, int sl, unsigned n)
{
    put8(o, OP_SEND); put8(o, (unsigned)st); put8(o, (unsigned)sl); put16(o, n);
}

static void st_recv(buf *o, int st, int sl, unsigned n)
{
    put8(o, OP_RECV); put8(o, (unsigned)st); put8(o, (unsigned)sl); put16(o, n);
}

static void gen_stateful(void)
{
    buf o = { .n = 0 };
    st_connect(&o);                            /* data both ways, close */
    st_send(&o, 0, 0, 3000);
    put8(&o, OP_RUN);
    st_recv(&o, 1, 1, 4096);
    st_send(&o, 1, 1, 500);
    put8(&o, OP_RUN);
    st_recv(&o, 0, 0, 4096);
    put8(&o, OP_CLOSE); put8(&o, 0); put8(&o, 0);
    put8(&o, OP_RUN);
    put8(&o, OP_CLOSE); put8(&o, 1); put8(&o, 1);
    put8(&o, OP_RUN);
    put8(&o, OP_ADVANCE); put16(&o, 61000);
    save("stateful", "basic", &o);

    o.n = 0;                                   /* lossy link */
    st_connect(&o);
    for (int i = 0; i < 4; i++) {
        st_send(&o, 0, 0, 4000);
        put8(&o, OP_DELIVER); put8(&o, 0x10);  /* two across */
        put8(&o, OP_DELIVER); put8(&o, 0x02);  /* one dropped */
        put8(&o, OP_DELIVER); put8(&o, 0x0c);  /* duplicate newest */
        put8(&o, OP_DELIVER); put8(&o, 0x31);  /* ACKs back */
        put8(&o, OP_ADVANCE); put16(&o, 300);
        put8(&o, OP_RUN);
        st_recv(&o, 1, 1, 4096);
    }
    put8(&o, OP_ADVANCE); put16(&o, 2000);
    put8(&o, OP_RUN);
    st_recv(&o, 1, 1, 4096);
    st_recv(&o, 1, 1, 4096);
    save("stateful", "lossy", &o);

    o.n = 0;                                   /* half close, options, query */
    st_connect(&o);
    put8(&o, OP_SETOPT); put8(&o, 0); put8(&o, 0); put8(&o, SYNACK_TCP_NODELAY); put16(&o, 1);
    put8(&o, OP_SETOPT); put8(&o, 1); put8(&o, 1); put8(&o, SYNACK_SO_KEEPALIVE); put16(&o, 1);
    put8(&o, OP_SETOPT); put8(&o, 1); put8(&o, 1); put8(&o, SYNACK_TCP_KEEPIDLE); put16(&o, 10);
    put8(&o, OP_SHUTDOWN); put8(&o, 0); put8(&o, 0);
    put8(&o, OP_RUN);
    st_recv(&o, 1, 1, 100);
    st_send(&o, 1, 1, 1000);
    put8(&o, OP_RUN);
    put8(&o, OP_QUERY); put8(&o, 0); put8(&o, 0);
    put8(&o, OP_QUERY); put8(&o, 1); put8(&o, 1);
    st_recv(&o, 0, 0, 2000);
    put8(&o, OP_ADVANCE); put16(&o, 30000);
    put8(&o, OP_ABORT); put8(&o, 1); put8(&o, 1);
    put8(&o, OP_RUN);
    save("stateful", "half-close", &o);

    o.n = 0;                                   /* linger 0, corrupt, inject */
    st_connect(&o);
    put8(&o, OP_SETOPT); put8(&o, 0); put8(&o, 0); put8(&o, SYNACK_SO_LINGER); put16(&o, 0);
    st_send(&o, 0, 0, 100);
    put8(&o, OP_CORRUPT); put8(&o, 2); put16(&o, 40); put8(&o, 0x20);
    put8(&o, OP_INJECT); put8(&o, 1); put8(&o, 3); put16(&o, 40);
    {
        uint8_t pkt[64];
        synack_segment g;
        memset(&g, 0, sizeof(g));
        g.saddr = 0xC6120001u;
        g.daddr = 0xC6120002u;
        g.sport = 40000;
        g.dport = 80;
        g.flags = SYNACK_TCP_RST;
        g.seq = 12345;
        fz_build(pkt, sizeof(pkt), &g, NULL);
        putn(&o, pkt, 40);
    }
    put8(&o, OP_CLOSE); put8(&o, 0); put8(&o, 0);
    put8(&o, OP_RUN);
    save("stateful", "linger-inject", &o);

    o.n = 0;                                   /* simultaneous open */
    put8(&o, OP_SOCKET); put8(&o, 0);
    put8(&o, OP_BIND); put8(&o, 0); put8(&o, 0); put8(&o, 3);
    put8(&o, OP_SOCKET); put8(&o, 1);
    put8(&o, OP_BIND); put8(&o, 1); put8(&o, 0); put8(&o, 3);
    put8(&o, OP_CONNECT); put8(&o, 0); put8(&o, 0); put8(&o, 3);
    put8(&o, OP_CONNECT); put8(&o, 1); put8(&o, 0); put8(&o, 3);
    put8(&o, OP_RUN);
    st_send(&o, 0, 0, 10);
    put8(&o, OP_RUN);
    st_recv(&o, 1, 0, 10);
    save("stateful", "simultaneous", &o);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    outdir = argv[1];
    mkdir_p(outdir);
    gen_packet();
    gen_tcp_opts();
    gen_reasm();
    gen_stateful();
    return 0;
}
