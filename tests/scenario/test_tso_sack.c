/* test_tso_sack.c — TSO super-segments while SACK blocks ride on every
 * segment: the device cuts a super-segment into pieces of gso_size payload
 * bytes, each with the same header, so gso_size must leave room for the
 * SACK option too, or every piece would exceed the MTU. The stack here
 * has offloads (tx_offload, tso_max, csum_offload); the peer holds a hole,
 * so the stack reports one SACK block (12 bytes) besides the timestamps. */
#include "check.h"

#include "support/h_packet.h"
#include "wire/wire.h"

#define LOCAL 0xC6120002u   /* 198.18.0.2 */
#define PEER  0xC6120001u   /* 198.18.0.1 */

typedef struct captured {
    uint8_t pkt[70000];
    size_t len;
    synack_tx_info info;
    int n;
} captured;

static void capture(void *ctx, const uint8_t *pkt, size_t len, const synack_tx_info *info)
{
    captured *c = ctx;
    CHECK(len <= sizeof c->pkt);
    memcpy(c->pkt, pkt, len);
    c->len = len;
    c->info = info ? *info : (synack_tx_info){ 0, 0, 0, 0 };
    c->n++;
}

/* A segment from the peer (port 40000 -> 80) with timestamps. */
static void from_peer(synack_stack *s, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len,
                      int syn_opts)
{
    synack_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.saddr = PEER;
    seg.daddr = LOCAL;
    seg.sport = 40000;
    seg.dport = 80;
    seg.seq = seq;
    seg.ack = ack;
    seg.flags = flags;
    seg.wnd = syn_opts ? 65535 : 4000;     /* scaled by 7 after the SYN */
    seg.len = len;
    seg.opts.has_ts = 1;
    seg.opts.tsval = 100;
    seg.opts.tsecr = syn_opts ? 0 : 1;
    if (syn_opts) {
        seg.opts.has_mss = 1;
        seg.opts.mss = 1460;
        seg.opts.sack_permitted = 1;
        seg.opts.has_wscale = 1;
        seg.opts.wscale = 7;
    }
    static uint8_t buf[2000];
    size_t n = h_build_datagram(buf, sizeof buf, &seg, NULL);
    CHECK(n > 0);
    CHECK_EQ(synack_input(s, buf, n, SYNACK_SEC(1)), 0);
}

TEST(gso_size_leaves_room_for_sack_blocks)
{
    static captured cap;
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = LOCAL;
    cfg.tx_offload = capture;
    cfg.tx_ctx = &cap;
    cfg.tso_max = 60000;
    cfg.csum_offload = 1;
    cfg.delack = 0;
    synack_stack *s;
    CHECK_EQ(synack_stack_new(&cfg, &s), 0);
    synack_advance(s, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 4), 0);
    from_peer(s, SYNACK_TCP_SYN, 1000, 0, 0, 1);
    CHECK_EQ(cap.n, 1);
    uint32_t isn = wire_get32(cap.pkt + 20 + 4);
    from_peer(s, SYNACK_TCP_ACK, 1001, isn + 1, 0, 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    /* Out of order: a hole at 1001, so every segment reports it. */
    from_peer(s, SYNACK_TCP_ACK, 2001, isn + 1, 100, 0);
    CHECK_EQ(cap.n, 2);                     /* the duplicate ACK, with SACK */
    static uint8_t data[40000];
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    CHECK_EQ(synack_send(s, c, data, sizeof data), (long)sizeof data);
    CHECK_EQ(cap.n, 3);
    /* Header: 20 + 12 (timestamps, NOP NOP TS) + 12 (NOP NOP SACK, one
     * block) = 44 bytes; send MSS 1448 (1460 less timestamps). */
    size_t thl = (size_t)(cap.pkt[20 + 12] >> 4) * 4u;
    CHECK_EQ(thl, 44);
    CHECK_EQ(cap.info.gso_size, 1448 - 12);
    size_t payload = cap.len - 20 - thl;
    CHECK(payload > 9u * cap.info.gso_size);   /* the initial window, cut in 10+ */
    /* Each piece the device cuts: IPv4 + this header + gso_size = MTU. */
    CHECK_EQ(20 + thl + cap.info.gso_size, 1500);
    synack_stack_free(s);
}

TEST_MAIN()
