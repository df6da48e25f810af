/* test_reasm.c — IPv4 reassembly (src/ip/reasm.c): fragments in any
 * order make the exact original datagram; duplicates are ignored;
 * overlaps, oversize and inconsistent fragments discard the datagram;
 * memory and count limits give up the oldest; the timeout expires a
 * datagram and answers with ICMP time exceeded (code 1) when the first
 * fragment was there. Every drop is checked by its counter. */
#include <string.h>

#include "check.h"
#include "ip/reasm.h"
#include "stack_impl.h"
#include "wire/wire.h"

#define LOCAL 0xC6120002u
#define PEER  0xC6120001u

typedef struct sent {
    uint8_t pkt[2048];
    size_t len;
    int count;
} sent;

static void capture(void *ctx, const uint8_t *pkt, size_t len)
{
    sent *out = ctx;
    out->count++;
    out->len = len < sizeof out->pkt ? len : sizeof out->pkt;
    memcpy(out->pkt, pkt, out->len);
}

static synack_stack *stack_with(sent *out, uint32_t max_bytes, uint32_t max_dgrams)
{
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = LOCAL;
    cfg.tx = capture;
    cfg.tx_ctx = out;
    cfg.reasm_max_bytes = max_bytes;
    cfg.reasm_max_datagrams = max_dgrams;
    synack_stack *s;
    CHECK_EQ(synack_stack_new(&cfg, &s), 0);
    return s;
}

/* The payload of the test datagram: byte i is (i * 7 + 3) mod 251. */
static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 7 + 3) % 251);
}

/* One fragment of datagram `id`: payload bytes [off, off + len) of the
 * test pattern, MF as given. Returns its length. */
static size_t frag(uint8_t *buf, uint16_t id, uint32_t off, uint32_t len, int mf)
{
    static uint8_t data[65536 + 4096];
    if (off + len > sizeof data)
        return 0;
    fill(data, off + len);
    wire_ipv4_emit(buf, PEER, LOCAL, WIRE_PROTO_TCP, 64, id, len);
    memcpy(buf + 20, data + off, len);
    uint16_t ff = (uint16_t)((mf ? 0x2000u : 0) | (off / 8));
    wire_put16(buf + 6, ff);
    wire_put16(buf + 10, 0);
    wire_put16(buf + 10, wire_csum_fold(wire_csum_add(0, buf, 20)));
    return 20 + len;
}

/* Feeds one fragment; returns ip_reasm_add's result. */
static int add(synack_stack *s, ip_reasm *r, uint16_t id, uint32_t off, uint32_t len, int mf,
               uint8_t **out, size_t *out_len)
{
    static uint8_t buf[65536 + 20];
    size_t n = frag(buf, id, off, len, mf);
    wire_ipv4 ip;
    synack_drop why;
    CHECK_EQ(wire_ipv4_parse(buf, n, &ip, &why), 0);
    return ip_reasm_add(s, r, &ip, buf, out, out_len);
}

static uint64_t drops(synack_stack *s, synack_drop why)
{
    synack_stats st;
    synack_stats_get(s, &st);
    return st.drops[why];
}

/* Checks that d is the whole test datagram of n payload bytes. */
static void check_whole(uint8_t *d, size_t len, uint16_t id, size_t n)
{
    CHECK_EQ(len, 20 + n);
    wire_ipv4 ip;
    synack_drop why;
    CHECK_EQ(wire_ipv4_parse(d, len, &ip, &why), 0);  /* checksum too */
    CHECK_EQ(ip.mf, 0);
    CHECK_EQ(ip.frag, 0);
    CHECK_EQ(ip.id, id);
    CHECK_EQ(ip.total_len, 20 + n);
    CHECK_EQ(ip.src, PEER);
    CHECK_EQ(ip.dst, LOCAL);
    static uint8_t want[65536];
    fill(want, n);
    CHECK_MEM(ip.payload, want, n);
}

TEST(two_fragments_in_order)
{
    sent out = { .count = 0 };
    synack_stack *s = stack_with(&out, 256 * 1024, 64);
    ip_reasm *r = ip_reasm_new(s);
    CHECK(r != NULL);
    uint8_t *d = NULL;
    size_t len = 0;
    CHECK_EQ(add(s, r, 7, 0, 1480, 1, &d, &len), 0);
    CHECK_EQ(ip_reasm_count(r), 1);
    CHECK_EQ(add(s, r, 7, 1480, 520, 0, &d, &len), 1);
    check_whole(d, len, 7, 2000);
    stack_free(s, d);
    CHECK_EQ(ip_reasm_count(r), 0);
    CHECK_EQ(ip_reasm_bytes(r), 0);
    CHECK_EQ(ip_reasm_deadline(r), SYNACK_TIME_NEVER);
    ip_reasm_free(s, r);
    synack_stack_free(s);
}

TEST(any_order_and_duplicates)
{
    sent out = { .count = 0 };
    synack_stack *s = stack_with(&out, 256 * 1024, 64);
    ip_reasm *r = ip_reasm_new(s);
    uint8_t *d = NULL;
    size_t len = 0;
    CHECK_EQ(add(s, r, 9, 2000, 100, 0, &d, &len), 0);     /* last first */
    CHECK_EQ(add(s, r, 9, 1000, 1000, 1, &d, &len), 0);
    CHECK_EQ(add(s, r, 9, 1000, 1000, 1, &d, &len), 0);    /* duplicate */
    CHECK_EQ(add(s, r, 9, 2000, 100, 0, &d, &len), 0);     /* duplicate */
    CHECK_EQ(add(s, r, 9, 0, 1000, 1, &d, &len), 1);
    check_whole(d, len, 9, 2100);
    stack_free(s, d);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_BAD), 0);
    ip_reasm_free(s, r);
    synack_stack_free(s);
}

TEST(interleaved_datagrams)
{
    sent out = { .count = 0 };
    synack_stack *s = stack_with(&out, 256 * 1024, 64);
    ip_reasm *r = ip_reasm_new(s);
    uint8_t *d = NULL;
    size_t len = 0;
    CHECK_EQ(add(s, r, 1, 0, 800, 1, &d, &len), 0);
    CHECK_EQ(add(s, r, 2, 0, 400, 1, &d, &len), 0);
    CHECK_EQ(ip_reasm_count(r), 2);
    CHECK_EQ(add(s, r, 2, 400, 8, 0, &d, &len), 1);
    check_whole(d, len, 2, 408);
    stack_free(s, d);
    CHECK_EQ(add(s, r, 1, 800, 1, 0, &d, &len), 1);
    check_whole(d, len, 1, 801);
    stack_free(s, d);
    ip_reasm_free(s, r);
    synack_stack_free(s);
}

TEST(overlap_discards_the_datagram)
{
    sent out = { .count = 0 };
    synack_stack *s = stack_with(&out, 256 * 1024, 64);
    ip_reasm *r = ip_reasm_new(s);
    uint8_t *d = NULL;
    size_t len = 0;
    CHECK_EQ(add(s, r, 3, 0, 1000, 1, &d, &len), 0);
    CHECK_EQ(add(s, r, 3, 992, 16, 1, &d, &len), -1);      /* overlaps by 8 */
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_BAD), 1);
    CHECK_EQ(ip_reasm_count(r), 0);
    CHECK_EQ(ip_reasm_bytes(r), 0);
    /* A same-offset piece of another length is an overlap too. */
    CHECK_EQ(add(s, r, 4, 0, 1000, 1, &d, &len), 0);
    CHECK_EQ(add(s, r, 4, 0, 800, 1, &d, &len), -1);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_BAD), 2);
    ip_reasm_free(s, r);
    synack_stack_free(s);
}

TEST(inconsistent_fragments_are_bad)
{
    sent out = { .count = 0 };
    synack_stack *s = stack_with(&out, 256 * 1024, 64);
    ip_reasm *r = ip_reasm_new(s);
    uint8_t *d = NULL;
    size_t len = 0;
    /* Not the last, but not a multiple of 8. */
    CHECK_EQ(add(s, r, 5, 0, 1001, 1, &d, &len), -1);
    /* Beyond 65535 bytes (the ping of death). */
    CHECK_EQ(add(s, r, 5, 65528, 100, 0, &d, &len), -1);
    /* Two different ends. */
    CHECK_EQ(add(s, r, 6, 800, 100, 0, &d, &len), 0);
    CHECK_EQ(add(s, r, 6, 808, 100, 0, &d, &len), -1);
    /* A fragment beyond a known end. */
    CHECK_EQ(add(s, r, 7, 800, 100, 0, &d, &len), 0);
    CHECK_EQ(add(s, r, 7, 1600, 8, 1, &d, &len), -1);
    /* A last fragment ending before data we hold. */
    CHECK_EQ(add(s, r, 8, 1600, 8, 1, &d, &len), 0);
    CHECK_EQ(add(s, r, 8, 800, 100, 0, &d, &len), -1);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_BAD), 5);
    CHECK_EQ(ip_reasm_count(r), 0);
    ip_reasm_free(s, r);
    synack_stack_free(s);
}

/* Feeds the first fragment of datagram id with a 60-byte header (40 bytes
 * of NOP options): payload [0, len) of the test pattern, MF set. */
static int add_first_with_options(synack_stack *s, ip_reasm *r, uint16_t id, uint32_t len,
                                  uint8_t **out, size_t *out_len)
{
    static uint8_t plain[65536 + 20], buf[65536 + 60];
    size_t n = frag(plain, id, 0, len, 1);
    memcpy(buf, plain, 20);
    memset(buf + 20, 1, 40);                    /* NOP (RFC 791 3.1) */
    memcpy(buf + 60, plain + 20, n - 20);
    buf[0] = 0x4f;                              /* version 4, IHL 15 */
    wire_put16(buf + 2, (uint16_t)(n + 40));
    wire_put16(buf + 10, 0);
    wire_put16(buf + 10, wire_csum_fold(wire_csum_add(0, buf, 60)));
    wire_ipv4 ip;
    synack_drop why;
    CHECK_EQ(wire_ipv4_parse(buf, n + 40, &ip, &why), 0);
    CHECK_EQ(ip.hdr_len, 60);
    return ip_reasm_add(s, r, &ip, buf, out, out_len);
}

/* The reassembled datagram is the first fragment's header plus all the
 * data, so its size limit (RFC 791: total length is 16 bits) depends on
 * that header, not on the header of whichever fragment came last: a last
 * fragment with a 20-byte header that fits alone must still be refused
 * when the first one's 60-byte header makes the whole exceed 65535. */
TEST(size_limit_counts_the_first_fragments_header)
{
    sent out = { .count = 0 };
    synack_stack *s = stack_with(&out, 256 * 1024, 64);
    ip_reasm *r = ip_reasm_new(s);
    uint8_t *d = NULL;
    size_t len = 0;
    /* 60 + 65472 + 43 = 65575 bytes: too big, whatever the order. */
    CHECK_EQ(add_first_with_options(s, r, 21, 65472, &d, &len), 0);
    CHECK_EQ(add(s, r, 21, 65472, 43, 0, &d, &len), -1);
    CHECK(d == NULL);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_BAD), 1);
    CHECK_EQ(ip_reasm_count(r), 0);
    CHECK_EQ(add(s, r, 22, 65472, 43, 0, &d, &len), 0);
    CHECK_EQ(add_first_with_options(s, r, 22, 65472, &d, &len), -1);
    CHECK(d == NULL);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_BAD), 2);
    CHECK_EQ(ip_reasm_count(r), 0);
    CHECK_EQ(ip_reasm_bytes(r), 0);
    /* 60 + 65472 + 3 = 65535 bytes: the largest datagram, accepted. */
    CHECK_EQ(add_first_with_options(s, r, 23, 65472, &d, &len), 0);
    CHECK_EQ(add(s, r, 23, 65472, 3, 0, &d, &len), 1);
    CHECK_EQ(len, 65535);
    wire_ipv4 ip;
    synack_drop why;
    CHECK_EQ(wire_ipv4_parse(d, len, &ip, &why), 0);
    CHECK_EQ(ip.total_len, 65535);
    CHECK_EQ(ip.hdr_len, 60);
    CHECK_EQ(ip.payload_len, 65475);
    stack_free(s, d);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_BAD), 2);
    ip_reasm_free(s, r);
    synack_stack_free(s);
}

TEST(memory_limit_gives_up_the_oldest)
{
    sent out = { .count = 0 };
    synack_stack *s = stack_with(&out, 3000, 64);
    ip_reasm *r = ip_reasm_new(s);
    uint8_t *d = NULL;
    size_t len = 0;
    CHECK_EQ(add(s, r, 1, 0, 1600, 1, &d, &len), 0);
    CHECK_EQ(add(s, r, 2, 0, 1600, 1, &d, &len), 0);       /* evicts 1 */
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_LIMIT), 1);
    CHECK_EQ(ip_reasm_count(r), 1);
    CHECK(ip_reasm_bytes(r) <= 3000);
    /* Datagram 1's end starts it afresh: it cannot complete it. */
    CHECK_EQ(add(s, r, 1, 1600, 10, 0, &d, &len), 0);
    CHECK_EQ(ip_reasm_count(r), 2);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_LIMIT), 1);
    /* Another 1600 bytes do not fit beside 2: 2, the oldest, goes. */
    CHECK_EQ(add(s, r, 3, 0, 1600, 1, &d, &len), 0);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_LIMIT), 2);
    CHECK_EQ(ip_reasm_count(r), 2);
    CHECK_EQ(add(s, r, 3, 1600, 8, 0, &d, &len), 1);       /* 3 completes */
    check_whole(d, len, 3, 1608);
    stack_free(s, d);
    /* A single fragment larger than the whole budget is refused. */
    CHECK_EQ(add(s, r, 9, 0, 2992, 1, &d, &len), -1);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_LIMIT), 3);
    ip_reasm_free(s, r);
    synack_stack_free(s);
}

TEST(datagram_count_limit)
{
    sent out = { .count = 0 };
    synack_stack *s = stack_with(&out, 256 * 1024, 2);
    ip_reasm *r = ip_reasm_new(s);
    uint8_t *d = NULL;
    size_t len = 0;
    CHECK_EQ(add(s, r, 1, 0, 8, 1, &d, &len), 0);
    CHECK_EQ(add(s, r, 2, 0, 8, 1, &d, &len), 0);
    CHECK_EQ(add(s, r, 3, 0, 8, 1, &d, &len), 0);          /* gives up 1 */
    CHECK_EQ(ip_reasm_count(r), 2);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_LIMIT), 1);
    CHECK_EQ(add(s, r, 2, 8, 8, 0, &d, &len), 1);          /* 2 is still whole */
    check_whole(d, len, 2, 16);
    stack_free(s, d);
    ip_reasm_free(s, r);
    synack_stack_free(s);
}

TEST(timeout_expires_and_sends_time_exceeded)
{
    sent out = { .count = 0 };
    synack_stack *s = stack_with(&out, 256 * 1024, 64);
    ip_reasm *r = ip_reasm_new(s);
    uint8_t *d = NULL;
    size_t len = 0;
    synack_advance(s, SYNACK_SEC(5));
    CHECK_EQ(add(s, r, 11, 0, 800, 1, &d, &len), 0);       /* has the first */
    synack_advance(s, SYNACK_SEC(6));
    CHECK_EQ(add(s, r, 12, 800, 8, 0, &d, &len), 0);       /* lacks it */
    CHECK_EQ(ip_reasm_deadline(r), SYNACK_SEC(35));
    ip_reasm_expire(s, r, SYNACK_SEC(35) - 1);
    CHECK_EQ(ip_reasm_count(r), 2);
    synack_advance(s, SYNACK_SEC(35));
    ip_reasm_expire(s, r, SYNACK_SEC(35));
    CHECK_EQ(ip_reasm_count(r), 1);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_TIMEOUT), 1);
    /* RFC 792: time exceeded, code 1, quoting the header + 8 bytes. */
    CHECK_EQ(out.count, 1);
    wire_ipv4 ip;
    synack_drop why;
    CHECK_EQ(wire_ipv4_parse(out.pkt, out.len, &ip, &why), 0);
    CHECK_EQ(ip.dst, PEER);
    CHECK_EQ(ip.proto, WIRE_PROTO_ICMP);
    wire_icmp m;
    CHECK_EQ(wire_icmp_parse(ip.payload, ip.payload_len, &m), 0);
    CHECK_EQ(m.type, WIRE_ICMP_TIME_EXCEEDED);
    CHECK_EQ(m.code, 1);
    CHECK_EQ(m.body_len, 28);
    uint8_t first[20 + 800];
    frag(first, 11, 0, 800, 1);
    CHECK_MEM(m.body, first, 28);
    CHECK_EQ(ip_reasm_deadline(r), SYNACK_SEC(36));
    synack_advance(s, SYNACK_SEC(36));
    ip_reasm_expire(s, r, SYNACK_SEC(36));
    CHECK_EQ(ip_reasm_count(r), 0);
    CHECK_EQ(ip_reasm_bytes(r), 0);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_TIMEOUT), 2);
    CHECK_EQ(out.count, 1);         /* nothing to quote for 12 */
    ip_reasm_free(s, r);
    synack_stack_free(s);
}

TEST(free_with_datagrams_in_progress)
{
    sent out = { .count = 0 };
    synack_stack *s = stack_with(&out, 256 * 1024, 64);
    ip_reasm *r = ip_reasm_new(s);
    uint8_t *d = NULL;
    size_t len = 0;
    CHECK_EQ(add(s, r, 1, 0, 800, 1, &d, &len), 0);
    CHECK_EQ(add(s, r, 2, 800, 800, 0, &d, &len), 0);
    ip_reasm_free(s, r);            /* ASan: nothing leaks */
    synack_stack_free(s);
}

TEST(off_when_no_memory_is_allowed)
{
    sent out = { .count = 0 };
    synack_stack *s = stack_with(&out, 0, 64);
    CHECK(ip_reasm_new(s) == NULL);
    synack_stack_free(s);
}

/* RFC 1122 3.2.2: no ICMP error about an ICMP message. A fragmented ICMP
 * datagram that times out is dropped and counted like any other, but
 * draws no time exceeded (its type cannot be checked safely, so none is
 * sent about any ICMP datagram). */
TEST(timeout_of_an_icmp_datagram_sends_nothing)
{
    sent out = { .count = 0 };
    synack_stack *s = stack_with(&out, 256 * 1024, 64);
    ip_reasm *r = ip_reasm_new(s);
    uint8_t *d = NULL;
    size_t len = 0;
    static uint8_t buf[20 + 800];
    size_t n = frag(buf, 21, 0, 800, 1);
    buf[9] = WIRE_PROTO_ICMP;
    wire_put16(buf + 10, 0);
    wire_put16(buf + 10, wire_csum_fold(wire_csum_add(0, buf, 20)));
    wire_ipv4 ip;
    synack_drop why;
    CHECK_EQ(wire_ipv4_parse(buf, n, &ip, &why), 0);
    CHECK_EQ(ip_reasm_add(s, r, &ip, buf, &d, &len), 0);
    CHECK_EQ(ip_reasm_count(r), 1);
    synack_advance(s, SYNACK_SEC(30));
    ip_reasm_expire(s, r, SYNACK_SEC(30));
    CHECK_EQ(ip_reasm_count(r), 0);
    CHECK_U64(drops(s, SYNACK_DROP_IP_REASM_TIMEOUT), 1);
    CHECK_EQ(out.count, 0);
    ip_reasm_free(s, r);
    synack_stack_free(s);
}

TEST_MAIN()
