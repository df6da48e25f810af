/* test_wire_fuzz.c — bounded, deterministic mutation fuzzing of every
 * wire parser. Valid packets are flipped, overwritten, truncated and
 * extended; each mutant is copied into a heap block of exactly its length
 * so AddressSanitizer catches any read past the end (that is the main
 * assertion). Half of the mutants get their checksums repaired, so the
 * option parser and later checks see hostile input too. On success the
 * decoded results must satisfy their invariants, and a parsed TCP segment
 * must survive re-emission unchanged. */
#include "check.h"

#include <stdlib.h>

#include "base/rng.h"
#include "wire/tcp_opts.h"
#include "wire/wire.h"

#define ITERATIONS 200000
#define MAXPKT 256

#define SRC 0xc6120001u
#define DST 0xc6120002u

typedef struct {
    uint8_t b[MAXPKT];
    size_t len;
} pkt;

static size_t build_tcp(uint8_t *buf, const synack_tcp_opts *o, uint8_t flags,
                        const char *payload)
{
    synack_segment s;
    memset(&s, 0, sizeof s);
    s.saddr = SRC;
    s.daddr = DST;
    s.sport = 40000;
    s.dport = 80;
    s.seq = 0xfffffff0u;
    s.ack = 12345;
    s.flags = flags;
    s.wnd = 29200;
    s.opts = *o;
    s.len = (uint32_t)strlen(payload);
    size_t hl = wire_tcp_hdr_len(&s);
    memcpy(buf + WIRE_IPV4_HDR_LEN + hl, payload, s.len);
    wire_tcp_emit(buf + WIRE_IPV4_HDR_LEN, &s);
    wire_ipv4_emit(buf, SRC, DST, WIRE_PROTO_TCP, 64, 7, hl + s.len);
    return WIRE_IPV4_HDR_LEN + hl + s.len;
}

static size_t build_icmp(uint8_t *buf)
{
    memcpy(buf + 28, "0123456789abcdefghijklmnopq", 27);
    wire_icmp_emit(buf + 20, WIRE_ICMP_ECHO_REQUEST, 0, 0xabcd0001u, 27);
    wire_ipv4_emit(buf, SRC, DST, WIRE_PROTO_ICMP, 64, 8, 8 + 27);
    return 20 + 8 + 27;
}

static int make_corpus(pkt *c)
{
    int n = 0;
    synack_tcp_opts o;
    memset(&o, 0, sizeof o);
    c[n].len = build_tcp(c[n].b, &o, SYNACK_TCP_ACK, "");
    n++;
    o.has_mss = 1;
    o.mss = 1460;
    o.sack_permitted = 1;
    o.has_ts = 1;
    o.tsval = 1;
    o.has_wscale = 1;
    o.wscale = 7;
    c[n].len = build_tcp(c[n].b, &o, SYNACK_TCP_SYN, "");
    n++;
    memset(&o, 0, sizeof o);
    o.has_ts = 1;
    o.tsval = 100;
    o.tsecr = 99;
    o.nsack = 3;
    for (int i = 0; i < 3; i++) {
        o.sack[i][0] = 1000u * (uint32_t)i;
        o.sack[i][1] = 1000u * (uint32_t)i + 100u;
    }
    c[n].len = build_tcp(c[n].b, &o, SYNACK_TCP_ACK | SYNACK_TCP_PSH, "GET / HTTP/1.0\r\n\r\n");
    n++;
    memset(&o, 0, sizeof o);
    o.nsack = 4;
    c[n].len = build_tcp(c[n].b, &o, SYNACK_TCP_FIN | SYNACK_TCP_ACK, "x");
    n++;
    c[n].len = build_icmp(c[n].b);
    n++;
    return n;
}

/* Re-establishes correct IPv4 and TCP/ICMP checksums where the (mutated)
 * header still says where they are, so deeper checks get exercised. */
static void repair(uint8_t *b, size_t len)
{
    if (len < 20)
        return;
    size_t hl = (size_t)(b[0] & 0x0f) * 4;
    if (hl < 20 || hl > len)
        return;
    size_t total = wire_get16(b + 2);
    if (total >= hl && total <= len) {
        uint8_t *l4 = b + hl;
        size_t l4len = total - hl;
        if (b[9] == WIRE_PROTO_TCP && l4len >= 20) {
            wire_put16(l4 + 16, 0);
            uint32_t s = wire_csum_pseudo(wire_get32(b + 12), wire_get32(b + 16),
                                          WIRE_PROTO_TCP, (uint32_t)l4len);
            wire_put16(l4 + 16, wire_csum_fold(wire_csum_add(s, l4, l4len)));
        } else if (b[9] == WIRE_PROTO_ICMP && l4len >= 8) {
            wire_put16(l4 + 2, 0);
            wire_put16(l4 + 2, wire_csum_fold(wire_csum_add(0, l4, l4len)));
        }
    }
    wire_put16(b + 10, 0);
    wire_put16(b + 10, wire_csum_fold(wire_csum_add(0, b, hl)));
}

static void mutate(synack_rng *r, uint8_t *b, size_t *len)
{
    unsigned rounds = 1 + (unsigned)(rng_next(r) % 4);
    for (unsigned k = 0; k < rounds; k++) {
        uint64_t x = rng_next(r);
        size_t pos = *len ? (size_t)((x >> 8) % *len) : 0;
        switch (x % 7) {
        case 0:                                 /* flip one bit */
        case 1:
            if (*len)
                b[pos] ^= (uint8_t)(1u << ((x >> 40) & 7));
            break;
        case 2:                                 /* random byte */
            if (*len)
                b[pos] = (uint8_t)(x >> 48);
            break;
        case 3:                                 /* interesting byte */
            if (*len) {
                static const uint8_t v[] = { 0, 1, 2, 3, 4, 5, 8, 10, 11, 0x0f,
                                             0x40, 0x45, 0x4f, 0x7f, 0x80, 0xff };
                b[pos] = v[(x >> 48) % sizeof v];
            }
            break;
        case 4:                                 /* truncate */
            *len = *len ? (size_t)((x >> 16) % *len) : 0;
            break;
        case 5: {                               /* extend with random bytes */
            size_t add = 1 + (size_t)((x >> 16) % 24);
            if (*len + add > MAXPKT)
                add = MAXPKT - *len;
            for (size_t i = 0; i < add; i++)
                b[*len + i] = (uint8_t)rng_next(r);
            *len += add;
            break;
        }
        default:                                /* header length fields */
            if (*len > 0 && (x & 0x100))
                b[0] = (uint8_t)(0x40 | ((x >> 20) & 0x0f));
            else if (*len > 33)
                b[32] = (uint8_t)(((x >> 20) & 0x0f) << 4);
            break;
        }
    }
}

static void check_tcp(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst)
{
    synack_segment s;
    const uint8_t *pl;
    synack_drop why = SYNACK_DROP_COUNT;
    if (wire_tcp_parse(seg, len, src, dst, &s, &pl, &why) != 0) {
        CHECK(why >= SYNACK_DROP_TCP_TRUNCATED && why <= SYNACK_DROP_TCP_OPTION);
        return;
    }
    CHECK(pl >= seg + WIRE_TCP_HDR_LEN);
    CHECK(pl <= seg + 60);
    CHECK(pl + s.len == seg + len);
    CHECK(s.opts.nsack <= 4);
    CHECK(s.opts.wscale <= 14);

    /* Re-emit what was decoded and parse it again: same segment, except
     * SACK blocks beyond the 40-byte option space. */
    static uint8_t out[60 + MAXPKT];
    size_t hl = wire_tcp_hdr_len(&s);
    CHECK(hl >= 20 && hl <= 60 && hl % 4 == 0);
    memcpy(out + hl, pl, s.len);
    CHECK_EQ(wire_tcp_emit(out, &s), hl);
    synack_segment t;
    const uint8_t *pl2;
    CHECK_EQ(wire_tcp_parse(out, hl + s.len, src, dst, &t, &pl2, &why), 0);
    CHECK(t.opts.nsack <= s.opts.nsack);
    for (unsigned i = t.opts.nsack; i < 4; i++)
        s.opts.sack[i][0] = s.opts.sack[i][1] = 0;
    s.opts.nsack = t.opts.nsack;
    CHECK(memcmp(&s, &t, sizeof s) == 0);
    CHECK_MEM(pl2, pl, s.len);
}

static void check_icmp(const uint8_t *m, size_t len)
{
    wire_icmp ic;
    if (wire_icmp_parse(m, len, &ic) != 0)
        return;
    CHECK(len >= 8);
    CHECK(ic.body == m + 8);
    CHECK_EQ(ic.body_len, len - 8);
}

static void run_all(const uint8_t *src, size_t len)
{
    /* Exact-size heap copy: ASan flags any byte read past len. */
    uint8_t *b = malloc(len ? len : 1);
    CHECK(b != NULL);
    memcpy(b, src, len);

    wire_ipv4 ip;
    synack_drop why = SYNACK_DROP_COUNT;
    if (wire_ipv4_parse(b, len, &ip, &why) == 0) {
        CHECK(ip.hdr_len >= 20 && ip.hdr_len <= 60 && ip.hdr_len % 4 == 0);
        CHECK(ip.total_len >= ip.hdr_len && ip.total_len <= len);
        CHECK(ip.payload == b + ip.hdr_len);
        CHECK_EQ(ip.payload_len, ip.total_len - ip.hdr_len);
        CHECK(ip.payload + ip.payload_len <= b + len);
        CHECK(ip.frag <= 0x1fff && ip.df <= 1 && ip.mf <= 1);
        if (ip.proto == WIRE_PROTO_TCP)
            check_tcp(ip.payload, ip.payload_len, ip.src, ip.dst);
        else if (ip.proto == WIRE_PROTO_ICMP)
            check_icmp(ip.payload, ip.payload_len);
    } else {
        CHECK(why <= SYNACK_DROP_IP_CHECKSUM);
    }

    /* Every parser also sees the raw bytes directly. */
    if (len >= 20)
        check_tcp(b + 20, len - 20, SRC, DST);
    check_tcp(b, len, SRC, DST);
    check_icmp(b, len);
    synack_tcp_opts o;
    if (wire_tcp_opts_parse(b, len, &o) == 0) {
        CHECK(o.nsack <= 4);
        CHECK(o.wscale <= 14);
    }
    free(b);
}

TEST(corpus_is_valid)
{
    pkt c[8];
    int n = make_corpus(c);
    for (int i = 0; i < n; i++) {
        wire_ipv4 ip;
        synack_drop why;
        CHECK_EQ(wire_ipv4_parse(c[i].b, c[i].len, &ip, &why), 0);
        if (ip.proto == WIRE_PROTO_TCP) {
            synack_segment s;
            const uint8_t *pl;
            CHECK_EQ(wire_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, &s, &pl, &why), 0);
        } else {
            wire_icmp m;
            CHECK_EQ(wire_icmp_parse(ip.payload, ip.payload_len, &m), 0);
        }
    }
}

TEST(mutations)
{
    pkt c[8];
    int n = make_corpus(c);
    synack_rng r;
    rng_seed(&r, 0xf022);
    uint8_t b[MAXPKT];
    unsigned long ok_ip = 0, ok_tcp_deep = 0;
    for (long it = 0; it < ITERATIONS; it++) {
        const pkt *p = &c[rng_next(&r) % (uint64_t)n];
        size_t len = p->len;
        memcpy(b, p->b, len);
        mutate(&r, b, &len);
        if (rng_next(&r) & 1)
            repair(b, len);
        run_all(b, len);
        /* Count how often mutants got deep, to keep the fuzzer honest. */
        wire_ipv4 ip;
        synack_drop why;
        if (wire_ipv4_parse(b, len, &ip, &why) == 0) {
            ok_ip++;
            synack_segment s;
            const uint8_t *pl;
            if (ip.proto == WIRE_PROTO_TCP &&
                wire_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, &s, &pl, &why) == 0)
                ok_tcp_deep++;
        }
    }
    /* A meaningful share of mutants must pass each layer, or the loop
     * only exercised the first length check. */
    CHECK(ok_ip > ITERATIONS / 20);
    CHECK(ok_tcp_deep > ITERATIONS / 50);
}

TEST(random_option_lists)
{
    /* Option lists of random bytes from a small alphabet of kinds and
     * lengths, at every length 0..40. */
    synack_rng r;
    rng_seed(&r, 40);
    static const uint8_t alpha[] = { 0, 1, 2, 3, 4, 5, 8, 10, 18, 26, 34, 99, 2, 4, 1, 1 };
    uint8_t opts[40];
    int accepted = 0;
    for (int it = 0; it < 50000; it++) {
        size_t len = (size_t)(rng_next(&r) % 41);
        for (size_t i = 0; i < len; i++)
            opts[i] = alpha[rng_next(&r) % sizeof alpha];
        uint8_t *h = malloc(len ? len : 1);
        CHECK(h != NULL);
        memcpy(h, opts, len);
        synack_tcp_opts o;
        if (wire_tcp_opts_parse(h, len, &o) == 0) {
            accepted++;
            CHECK(o.nsack <= 4);
            /* Re-encoding accepted options and decoding gives them back. */
            uint8_t e[40];
            size_t el = wire_tcp_opts_emit(e, &o);
            CHECK_EQ(el, wire_tcp_opts_len(&o));
            CHECK(el <= 40);
            synack_tcp_opts o2;
            CHECK_EQ(wire_tcp_opts_parse(e, el, &o2), 0);
            CHECK_EQ(o2.has_mss, o.has_mss);
            CHECK_EQ(o2.mss, o.mss);
            CHECK_EQ(o2.has_ts, o.has_ts);
            CHECK_EQ(o2.has_wscale, o.has_wscale);
            CHECK_EQ(o2.wscale, o.wscale);
            CHECK_EQ(o2.sack_permitted, o.sack_permitted);
        }
        free(h);
    }
    CHECK(accepted > 1000);
}

TEST_MAIN()
