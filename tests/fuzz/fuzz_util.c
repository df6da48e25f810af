/* fuzz_util.c — the fuzz targets' shared fixture and checks (fuzz_util.h). */
#include "fuzz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/wire.h"

void fz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
    fflush(stderr);
    abort();
}

uint8_t fz_u8(fz_in *in)
{
    return in->pos < in->len ? in->p[in->pos++] : 0;
}

uint16_t fz_u16(fz_in *in)
{
    uint16_t hi = fz_u8(in);
    return (uint16_t)(hi << 8 | fz_u8(in));
}

uint32_t fz_u32(fz_in *in)
{
    uint32_t hi = fz_u16(in);
    return hi << 16 | fz_u16(in);
}

const uint8_t *fz_bytes(fz_in *in, size_t want, size_t *n)
{
    size_t left = in->len - in->pos;
    *n = want < left ? want : left;
    const uint8_t *p = in->p + in->pos;
    in->pos += *n;
    return p;
}

void fz_check_datagram(const uint8_t *pkt, size_t len, uint32_t src, uint16_t mtu)
{
    wire_ipv4 ip;
    synack_drop why;
    FZ_ASSERT(len <= mtu);
    FZ_ASSERT(wire_ipv4_parse(pkt, len, &ip, &why) == 0);
    FZ_ASSERT(ip.total_len == len);
    FZ_ASSERT(ip.src == src);
    FZ_ASSERT(!ip.mf && ip.frag == 0);
    if (ip.proto == WIRE_PROTO_TCP) {
        synack_segment seg;
        const uint8_t *payload;
        FZ_ASSERT(wire_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, &seg, &payload,
                                 &why) == 0);
        /* RFC 9293 3.10.7: we never send SYN together with RST or FIN. */
        FZ_ASSERT(!((seg.flags & SYNACK_TCP_SYN) && (seg.flags & (SYNACK_TCP_RST | SYNACK_TCP_FIN))));
    } else {
        wire_icmp m;
        FZ_ASSERT(ip.proto == WIRE_PROTO_ICMP);
        FZ_ASSERT(wire_icmp_parse(ip.payload, ip.payload_len, &m) == 0);
    }
}

static void capture(void *ctx, const uint8_t *pkt, size_t len)
{
    fz_node *n = ctx;
    fz_check_datagram(pkt, len, n->addr, n->mtu);
    n->sent++;
    if (n->n == FZ_TXQ_MAX) {
        n->lost++;
        return;
    }
    n->q[n->n].len = len;
    memcpy(n->q[n->n].b, pkt, len);
    n->n++;
}

void fz_config(synack_config *c, uint32_t addr, uint64_t seed)
{
    synack_config_default(c);
    c->addr = addr;
    c->seed = seed;
    c->mtu = 1500;
    c->max_sockets = 16;
    c->max_conns = 12;
    c->sndbuf = 16384;
    c->rcvbuf = 16384;
    c->delack = 0;
}

void fz_node_init(fz_node *n, const synack_config *cfg)
{
    memset(n, 0, sizeof(*n));
    synack_config c = *cfg;
    c.tx = capture;
    c.tx_ctx = n;
    c.tx_offload = NULL;
    c.tso_max = 0;
    c.csum_offload = 0;
    FZ_ASSERT(c.mtu <= FZ_PKT_MAX);
    n->addr = c.addr;
    n->mtu = c.mtu;
    n->q = malloc(FZ_TXQ_MAX * sizeof(*n->q));
    FZ_ASSERT(n->q != NULL);
    FZ_ASSERT(synack_stack_new(&c, &n->s) == 0);
}

void fz_node_free(fz_node *n)
{
    synack_stack_free(n->s);
    free(n->q);
    n->s = NULL;
    n->q = NULL;
}

void fz_drain(fz_node *n) { n->n = 0; }

size_t fz_build(uint8_t *buf, size_t cap, const synack_segment *seg, const uint8_t *payload)
{
    size_t th = wire_tcp_hdr_len(seg);
    size_t total = WIRE_IPV4_HDR_LEN + th + seg->len;
    if (total > cap || total > 65535)
        return 0;
    uint8_t *data = buf + WIRE_IPV4_HDR_LEN + th;
    if (payload)
        memcpy(data, payload, seg->len);
    else
        memset(data, 0, seg->len);
    wire_tcp_emit(buf + WIRE_IPV4_HDR_LEN, seg);
    wire_ipv4_emit(buf, seg->saddr, seg->daddr, WIRE_PROTO_TCP, 64, 0, th + seg->len);
    return total;
}

synack_segment fz_peer_seg(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    synack_segment g;
    memset(&g, 0, sizeof(g));
    g.saddr = FZ_PEER_ADDR;
    g.daddr = FZ_SERVER_ADDR;
    g.sport = FZ_PEER_PORT;
    g.dport = FZ_SERVER_PORT;
    g.flags = flags;
    g.seq = seq;
    g.ack = ack;
    g.len = len;
    g.wnd = 65535;
    return g;
}

int fz_inject(fz_node *n, const synack_segment *seg, const uint8_t *payload, synack_time now)
{
    uint8_t buf[FZ_PKT_MAX];
    size_t len = fz_build(buf, sizeof(buf), seg, payload);
    FZ_ASSERT(len > 0);
    return synack_input(n->s, buf, len, now);
}

/* The server's segment in the capture queue at index i, decoded. */
static synack_segment sent_seg(const fz_node *n, size_t i)
{
    wire_ipv4 ip;
    synack_drop why;
    synack_segment seg;
    const uint8_t *payload;
    FZ_ASSERT(i < n->n);
    FZ_ASSERT(wire_ipv4_parse(n->q[i].b, n->q[i].len, &ip, &why) == 0);
    FZ_ASSERT(wire_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, &seg, &payload,
                             &why) == 0);
    return seg;
}

int fz_server_fixture(fz_node *n, int *conn, uint32_t *iss)
{
    synack_stack *s = n->s;
    int l = synack_socket(s);
    FZ_ASSERT(l >= 0);
    FZ_ASSERT(synack_bind(s, l, 0, FZ_SERVER_PORT) == 0);
    FZ_ASSERT(synack_listen(s, l, 4) == 0);
    synack_segment syn = fz_peer_seg(SYNACK_TCP_SYN, FZ_PEER_ISN, 0, 0);
    syn.opts.has_mss = 1;
    syn.opts.mss = 1460;
    syn.opts.sack_permitted = 1;
    syn.opts.has_ts = 1;
    syn.opts.tsval = 100;
    syn.opts.has_wscale = 1;
    syn.opts.wscale = 7;
    FZ_ASSERT(fz_inject(n, &syn, NULL, 0) == 0);
    FZ_ASSERT(n->n == 1);
    synack_segment sa = sent_seg(n, 0);
    FZ_ASSERT(sa.flags == (SYNACK_TCP_SYN | SYNACK_TCP_ACK) && sa.ack == FZ_PEER_ISN + 1);
    synack_segment ack = fz_peer_seg(SYNACK_TCP_ACK, FZ_PEER_ISN + 1, sa.seq + 1, 0);
    ack.wnd = 512;      /* << 7 = 65536 */
    ack.opts.has_ts = 1;
    ack.opts.tsval = 101;
    ack.opts.tsecr = sa.opts.tsval;
    FZ_ASSERT(fz_inject(n, &ack, NULL, 0) == 0);
    *conn = synack_accept(s, l, NULL);
    FZ_ASSERT(*conn >= 0);
    FZ_ASSERT(synack_get_state(s, *conn) == SYNACK_ESTABLISHED);
    *iss = sa.seq;
    fz_drain(n);
    return l;
}

synack_time fz_wind_down(fz_node *n, int l, int conn, synack_time now)
{
    for (int i = 0; l >= 0 && i < 64; i++) {
        int h = synack_accept(n->s, l, NULL);
        if (h < 0)
            break;
        synack_close(n->s, h);
    }
    if (conn >= 0)
        synack_close(n->s, conn);
    if (l >= 0)
        synack_close(n->s, l);
    /* Bounded: every timer either fires for the last time or backs off
     * towards rto_max with a retry limit. */
    for (int guard = 0; guard < 100000; guard++) {
        fz_drain(n);
        synack_time d = synack_next_deadline(n->s);
        if (d == SYNACK_TIME_NEVER)
            break;
        if (d > now)
            now = d;
        synack_advance(n->s, now);
    }
    fz_drain(n);
    synack_stats st;
    synack_stats_get(n->s, &st);
    FZ_ASSERT(synack_next_deadline(n->s) == SYNACK_TIME_NEVER);
    FZ_ASSERT(st.conns_live == 0);
    return now;
}
