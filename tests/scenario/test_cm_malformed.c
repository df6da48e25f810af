/* test_cm_malformed.c — malformed input reaching a stack with a live
 * connection: every IPv4 and TCP parse failure is dropped without a
 * reply, counted under its own reason in synack_stats.drops[], reported to
 * the observer as SEG_DROP with that reason, and leaves the connection
 * exactly as it was (RFC 9293 3.1 checksum MUST-2/3, RFC 1122 3.2.1 and
 * 4.2.2.5 on IP and option validation, RFC 9293 3.2 option lengths). */
#include "test_cm_util.h"

#include "support/h_packet.h"
#include "wire/wire.h"

static synack_drop last_drop;
static int ndrop_events;

static void watch_drops(void *ctx, const synack_trace_event *ev)
{
    (void)ctx;
    if (ev->kind == SYNACK_TRACE_SEG_DROP) {
        last_drop = ev->drop;
        ndrop_events++;
    }
}

/* An established server connection (peer ISN 1000) whose stack reports
 * drops to watch_drops. */
static harness *setup_cfg(uint32_t *isn, int *c, int reasm)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.observer = watch_drops;
    if (!reasm)
        cfg.reasm_max_bytes = 0;    /* reassembly off: fragments dropped */
    harness *h = h_new(&cfg);
    *c = cm_server(h, isn);
    ndrop_events = 0;
    return h;
}

static harness *setup(uint32_t *isn, int *c)
{
    return setup_cfg(isn, c, 1);
}

/* A valid datagram from the peer: ". 1001:1005(4) ack isn+1" with the
 * payload pattern; returns its length. */
static size_t valid(harness *h, uint32_t isn, uint8_t *buf, size_t cap)
{
    synack_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.saddr = h->peer_addr;
    seg.daddr = h->local_addr;
    seg.sport = h->peer_port;
    seg.dport = h->local_port;
    seg.seq = 1001;
    seg.ack = isn + 1;
    seg.flags = SYNACK_TCP_ACK | SYNACK_TCP_PSH;
    seg.wnd = 65535;
    seg.len = 4;
    size_t n = h_build_datagram(buf, cap, &seg, NULL);
    CHECK(n == 20 + 20 + 4);
    return n;
}

static void ip_csum(uint8_t *p)
{
    size_t hl = (size_t)(p[0] & 15u) * 4u;
    wire_put16(p + 10, 0);
    wire_put16(p + 10, wire_csum_fold(wire_csum_add(0, p, hl)));
}

/* Recomputes the TCP checksum of the segment after a 20-byte IP header. */
static void tcp_csum(uint8_t *p, size_t len)
{
    uint8_t *t = p + 20;
    size_t tl = len - 20;
    wire_put16(t + 16, 0);
    uint32_t sum = wire_csum_pseudo(wire_get32(p + 12), wire_get32(p + 16), WIRE_PROTO_TCP,
                                    (uint32_t)tl);
    wire_put16(t + 16, wire_csum_fold(wire_csum_add(sum, t, tl)));
}

/* Injects pkt and checks: dropped (1), nothing sent, exactly one more drop
 * counted, under why, and reported as such. */
#define REJECT(h, pkt, len, why) reject_at(__FILE__, __LINE__, (h), (pkt), (len), (why))
static void reject_at(const char *file, int line, harness *h, const uint8_t *pkt, size_t len,
                      synack_drop why)
{
    synack_stats before, after;
    synack_stats_get(h_stack(h), &before);
    int events = ndrop_events;
    int rc = h_inject_raw(h, pkt, len);
    synack_stats_get(h_stack(h), &after);
    if (rc != 1)
        check_fail(file, line, "%s: not dropped", synack_drop_name((int)why));
    if (h_pending(h))
        h_expect_nothing_at(file, line, h);
    for (int i = 0; i < SYNACK_DROP_COUNT; i++) {
        uint64_t want = before.drops[i] + (i == (int)why);
        if (after.drops[i] != want)
            check_fail(file, line, "%s: drops[%s] %llu, want %llu", synack_drop_name((int)why),
                       synack_drop_name(i), (unsigned long long)after.drops[i],
                       (unsigned long long)want);
    }
    if (ndrop_events != events + 1 || last_drop != why)
        check_fail(file, line, "%s: observer saw %d drop event(s), last %s",
                   synack_drop_name((int)why), ndrop_events - events,
                   synack_drop_name((int)last_drop));
}

/* The connection is untouched: the valid segment is taken and acked. */
static void still_fine(harness *h, uint32_t isn, int c)
{
    uint8_t p[128];
    size_t n = valid(h, isn, p, sizeof p);
    CHECK_EQ(h_inject_raw(h, p, n), 0);
    h_expect(h, ". %u:%u(0) ack 1005 win 65531 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_recv_ready(h_stack(h), c), 4);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_ESTABLISHED);
}

/* ============================================================ IPv4 */

/* RFC 1122 3.2.1.1-3.2.1.2 / RFC 791: version, header length, total length
 * and header checksum are validated before anything else is read. */
TEST(ip_header_errors_dropped_per_reason)
{
    uint32_t isn;
    int c;
    harness *h = setup(&isn, &c);
    uint8_t p[128];
    size_t n = valid(h, isn, p, sizeof p);

    REJECT(h, p, 19, SYNACK_DROP_IP_TRUNCATED);
    REJECT(h, p, 0, SYNACK_DROP_IP_TRUNCATED);

    n = valid(h, isn, p, sizeof p);
    p[0] = 0x65;                                    /* version 6 */
    ip_csum(p);
    REJECT(h, p, n, SYNACK_DROP_IP_VERSION);

    n = valid(h, isn, p, sizeof p);
    p[0] = 0x44;                                    /* IHL 4: below 20 bytes */
    REJECT(h, p, n, SYNACK_DROP_IP_HDRLEN);
    p[0] = 0x4F;                                    /* IHL 15: 60 bytes > 44 */
    REJECT(h, p, n, SYNACK_DROP_IP_HDRLEN);

    n = valid(h, isn, p, sizeof p);
    wire_put16(p + 2, (uint16_t)(n + 1));           /* claims a byte more */
    ip_csum(p);
    REJECT(h, p, n, SYNACK_DROP_IP_TOTLEN);
    wire_put16(p + 2, 16);                          /* less than its header */
    ip_csum(p);
    REJECT(h, p, n, SYNACK_DROP_IP_TOTLEN);

    n = valid(h, isn, p, sizeof p);
    p[10] ^= 0x01;
    REJECT(h, p, n, SYNACK_DROP_IP_CHECKSUM);

    still_fine(h, isn, c);
    h_free(h);
}

/* RFC 1122 3.2.1.3 (source), 3.3.2 (with reassembly turned off, fragments
 * are counted and dropped), 3.2.1.3 (not our address), unknown protocol. */
TEST(ip_content_errors_dropped_per_reason)
{
    uint32_t isn;
    int c;
    harness *h = setup_cfg(&isn, &c, 0);
    uint8_t p[128];
    size_t n = valid(h, isn, p, sizeof p);
    p[6] |= 0x20;                                   /* more fragments */
    ip_csum(p);
    REJECT(h, p, n, SYNACK_DROP_IP_FRAGMENT);
    n = valid(h, isn, p, sizeof p);
    wire_put16(p + 6, 0x0010);                      /* offset 128, last fragment */
    ip_csum(p);
    REJECT(h, p, n, SYNACK_DROP_IP_FRAGMENT);

    n = valid(h, isn, p, sizeof p);
    wire_put32(p + 16, 0xC6120003u);                /* 198.18.0.3 */
    ip_csum(p);
    tcp_csum(p, n);
    REJECT(h, p, n, SYNACK_DROP_IP_NOT_FOR_US);

    static const uint32_t bad_src[] = { 0, 0xFFFFFFFFu, 0xE0000001u, 0xF0000001u };
    for (size_t i = 0; i < 4; i++) {
        n = valid(h, isn, p, sizeof p);
        wire_put32(p + 12, bad_src[i]);
        ip_csum(p);
        tcp_csum(p, n);
        REJECT(h, p, n, SYNACK_DROP_IP_BAD_SOURCE);
    }

    n = valid(h, isn, p, sizeof p);
    p[9] = WIRE_PROTO_UDP;
    ip_csum(p);
    REJECT(h, p, n, SYNACK_DROP_IP_PROTOCOL);

    still_fine(h, isn, c);
    h_free(h);
}

/* ============================================================= TCP */

/* RFC 9293 3.1: data offset within the segment; the checksum covers the
 * pseudo-header, header and data (MUST-2, MUST-3: checked on receipt). */
TEST(tcp_header_errors_dropped_per_reason)
{
    uint32_t isn;
    int c;
    harness *h = setup(&isn, &c);
    uint8_t p[128];
    size_t n = valid(h, isn, p, sizeof p);
    wire_put16(p + 2, 39);                          /* 19 bytes of TCP */
    ip_csum(p);
    REJECT(h, p, 39, SYNACK_DROP_TCP_TRUNCATED);

    n = valid(h, isn, p, sizeof p);
    p[32] = 0x40;                                   /* data offset 4 */
    tcp_csum(p, n);
    REJECT(h, p, n, SYNACK_DROP_TCP_HDRLEN);
    p[32] = 0x70;                                   /* 28 bytes > 24 */
    tcp_csum(p, n);
    REJECT(h, p, n, SYNACK_DROP_TCP_HDRLEN);

    n = valid(h, isn, p, sizeof p);
    p[n - 1] ^= 0x20;                               /* a payload bit */
    REJECT(h, p, n, SYNACK_DROP_TCP_CHECKSUM);
    /* A driver that vouches for the checksum skips the check. */
    CHECK_EQ(synack_input_flags(h_stack(h), p, n, h_now(h), SYNACK_IN_CSUM_VALID), 0);
    h_expect(h, ". %u:%u(0) ack 1005 win 65531 <>", isn + 1, isn + 1);
    h_free(h);
}

/* Builds ". 1001:1001(0) ack isn+1" with the given option bytes (a
 * multiple of 4). */
static size_t with_options(harness *h, uint32_t isn, const uint8_t *opt, size_t olen,
                           uint8_t *p, size_t cap)
{
    synack_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.saddr = h->peer_addr;
    seg.daddr = h->local_addr;
    seg.sport = h->peer_port;
    seg.dport = h->local_port;
    seg.seq = 1001;
    seg.ack = isn + 1;
    seg.flags = SYNACK_TCP_ACK;
    seg.wnd = 65535;
    size_t n = h_build_datagram(p, cap, &seg, NULL);
    CHECK(n == 40 && n + olen <= cap);
    memcpy(p + 40, opt, olen);
    p[32] = (uint8_t)((20 + olen) / 4 << 4);
    n += olen;
    wire_put16(p + 2, (uint16_t)n);
    ip_csum(p);
    tcp_csum(p, n);
    return n;
}

/* A data segment from the peer, seq..seq+len with the pattern payload
 * (h_pattern_fill), acknowledging isn+1; returns the datagram length. */
static size_t data_seg(harness *h, uint32_t isn, uint32_t seq, uint32_t len, uint8_t *p,
                       size_t cap)
{
    synack_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.saddr = h->peer_addr;
    seg.daddr = h->local_addr;
    seg.sport = h->peer_port;
    seg.dport = h->local_port;
    seg.seq = seq;
    seg.ack = isn + 1;
    seg.flags = SYNACK_TCP_ACK;
    seg.wnd = 65535;
    seg.len = len;
    uint8_t payload[1460];
    CHECK(len <= sizeof payload);
    h_pattern_fill(seq, payload, len);
    size_t n = h_build_datagram(p, cap, &seg, payload);
    CHECK(n == 40 + len);
    return n;
}

/* Reads exactly want bytes from c and checks they are the pattern from
 * seq on. */
static void read_pattern(harness *h, int c, uint32_t seq, uint32_t want)
{
    uint8_t got[4096], ref[4096];
    CHECK(want <= sizeof got);
    CHECK_EQ(synack_recv(h_stack(h), c, got, sizeof got), (long)want);
    h_pattern_fill(seq, ref, want);
    CHECK_MEM(got, ref, want);
}

/* The next in-order segment's payload is copied into the receive queue
 * while its checksum is summed (one pass). A corrupt one must leave no
 * trace: not acknowledged, not readable, and the good copy that follows
 * is read byte for byte — at full size (the vector path) and tiny. */
TEST(corrupt_in_order_data_leaves_no_trace)
{
    uint32_t isn;
    int c;
    harness *h = setup(&isn, &c);
    uint8_t p[1600];
    size_t n = data_seg(h, isn, 1001, 1460, p, sizeof p);
    p[40 + 700] ^= 0x01;
    REJECT(h, p, n, SYNACK_DROP_TCP_CHECKSUM);
    CHECK_EQ(synack_recv_ready(h_stack(h), c), 0);
    n = data_seg(h, isn, 1001, 1460, p, sizeof p);
    CHECK_EQ(h_inject_raw(h, p, n), 0);
    h_expect(h, ". %u:%u(0) ack 2461 <>", isn + 1, isn + 1);
    read_pattern(h, c, 1001, 1460);

    n = data_seg(h, isn, 2461, 3, p, sizeof p);
    p[n - 1] ^= 0x80;
    REJECT(h, p, n, SYNACK_DROP_TCP_CHECKSUM);
    n = data_seg(h, isn, 2461, 3, p, sizeof p);
    CHECK_EQ(h_inject_raw(h, p, n), 0);
    h_expect(h, ". %u:%u(0) ack 2464 <>", isn + 1, isn + 1);
    read_pattern(h, c, 2461, 3);
    h_free(h);
}

/* Bytes held out of order sit past the end of the receive queue, right
 * where an in-order segment would be copied: a corrupt in-order segment
 * overlapping them must not overwrite them. */
TEST(corrupt_in_order_data_keeps_out_of_order_bytes)
{
    uint32_t isn;
    int c;
    harness *h = setup(&isn, &c);
    uint8_t p[1600];
    size_t n = data_seg(h, isn, 1101, 100, p, sizeof p);        /* hole 1001..1101 */
    CHECK_EQ(h_inject_raw(h, p, n), 0);
    h_expect(h, ". %u:%u(0) ack 1001 <>", isn + 1, isn + 1);   /* no SACK agreed */
    n = data_seg(h, isn, 1001, 200, p, sizeof p);               /* covers both */
    p[40 + 150] ^= 0xff;                                        /* in the held part */
    REJECT(h, p, n, SYNACK_DROP_TCP_CHECKSUM);
    n = data_seg(h, isn, 1001, 100, p, sizeof p);               /* fills the hole */
    CHECK_EQ(h_inject_raw(h, p, n), 0);
    h_expect(h, ". %u:%u(0) ack 1201 <>", isn + 1, isn + 1);
    read_pattern(h, c, 1001, 200);
    h_free(h);
}

/* The fused check runs after the options are parsed; a segment that is
 * corrupt AND has malformed options is still a checksum drop, as when
 * the checksum was verified first. */
TEST(corrupt_segment_with_bad_options_is_a_checksum_drop)
{
    uint32_t isn;
    int c;
    harness *h = setup(&isn, &c);
    uint8_t p[128];
    static const uint8_t mss3[] = { 2, 3, 5, 0 };
    size_t n = with_options(h, isn, mss3, sizeof mss3, p, sizeof p);
    p[20 + 14] ^= 0x10;                             /* window: checksum now wrong */
    REJECT(h, p, n, SYNACK_DROP_TCP_CHECKSUM);
    still_fine(h, isn, c);
    h_free(h);
}

/* RFC 9293 3.2 (MUST-64/68): known options with a wrong length and
 * options running past the header are malformed; unknown options are
 * skipped by their length. */
TEST(tcp_option_errors_dropped)
{
    uint32_t isn;
    int c;
    harness *h = setup(&isn, &c);
    uint8_t p[128];
    static const uint8_t mss3[] = { 2, 3, 5, 0 };               /* MSS length 3 */
    static const uint8_t len0[] = { 99, 0, 0, 0 };              /* length 0 */
    static const uint8_t len1[] = { 99, 1, 0, 0 };              /* length 1 */
    static const uint8_t past[] = { 1, 1, 99, 8 };              /* runs past the end */
    static const uint8_t ws4[] = { 3, 4, 7, 0 };                /* window scale length 4 */
    static const uint8_t ts8[] = { 8, 8, 0, 0, 0, 1, 0, 0 };    /* timestamps length 8 */
    static const uint8_t sack3[] = { 5, 3, 0, 0 };              /* SACK with no block */
    const struct { const uint8_t *o; size_t n; } bad[] = {
        { mss3, 4 }, { len0, 4 }, { len1, 4 }, { past, 4 }, { ws4, 4 }, { ts8, 8 }, { sack3, 4 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = with_options(h, isn, bad[i].o, bad[i].n, p, sizeof p);
        REJECT(h, p, n, SYNACK_DROP_TCP_OPTION);
    }
    /* Unknown kind, proper length; NOPs; EOL with junk after it. */
    static const uint8_t unknown[] = { 99, 4, 0xAB, 0xCD, 1, 1, 0, 0x77 };
    size_t n = with_options(h, isn, unknown, sizeof unknown, p, sizeof p);
    CHECK_EQ(h_inject_raw(h, p, n), 0);
    h_expect_nothing(h);
    CHECK_EQ(ndrop_events, 7);
    still_fine(h, isn, c);
    h_free(h);
}

/* Malformed packets to a listener never create a half-open entry or draw
 * a SYN-ACK or RST. */
TEST(malformed_syn_to_listener_creates_nothing)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.observer = watch_drops;
    harness *h = h_new(&cfg);
    cm_listen(h, 8);
    synack_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.saddr = h->peer_addr;
    seg.daddr = h->local_addr;
    seg.sport = h->peer_port;
    seg.dport = h->local_port;
    seg.seq = 1000;
    seg.flags = SYNACK_TCP_SYN;
    seg.wnd = 65535;
    seg.opts.has_mss = 1;
    seg.opts.mss = 1460;
    uint8_t p[128];
    size_t n = h_build_datagram(p, sizeof p, &seg, NULL);
    p[n - 1] ^= 1;                                  /* corrupt the MSS value */
    REJECT(h, p, n, SYNACK_DROP_TCP_CHECKSUM);
    CHECK_U64(cm_live(h), 0);
    p[n - 1] ^= 1;
    CHECK_EQ(h_inject_raw(h, p, n), 0);
    synack_segment sa = h_pop(h);
    cm_match(h, &sa, "S. %u:%u(0) ack 1001 win 65535 <mss 1460>", sa.seq, sa.seq);
    h_free(h);
}

TEST_MAIN()
