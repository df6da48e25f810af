/* test_fault.c — the fault-injecting layer (drivers/fault): pass-through
 * when idle, the same fates for the same seed, rates over many datagrams
 * within tolerance, reordering bounded by depth and by time, every held
 * datagram released, corrupted datagrams always caught by the receiver's
 * checksum (offloaded ones included: a real stack drops each one), the
 * text form of the options. */
#include "check.h"

#include <math.h>
#include <stdlib.h>

#include "fault/fault.h"
#include "support/h_packet.h"
#include "wire/wire.h"

#define MAXLOG 420000

/* Everything the layer passed on, in order. */
typedef struct rec {
    size_t n;
    uint8_t dir[MAXLOG];
    uint32_t id[MAXLOG];        /* first 4 bytes of the datagram */
    uint32_t hash[MAXLOG];      /* FNV-1a of all its bytes */
    uint32_t len[MAXLOG];
    unsigned flags[MAXLOG];
    int has_info[MAXLOG];
    synack_tx_info info[MAXLOG];
    uint8_t last[70000];        /* bytes of the last one */
    size_t last_len;
} rec;

static rec R;

static uint32_t fnv(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void log_one(int dir, const uint8_t *pkt, size_t len, const synack_tx_info *info,
                    unsigned flags)
{
    if (R.n >= MAXLOG)
        return;
    size_t i = R.n++;
    R.dir[i] = (uint8_t)dir;
    R.id[i] = len >= 4 ? (uint32_t)pkt[0] << 24 | (uint32_t)pkt[1] << 16 |
                             (uint32_t)pkt[2] << 8 | pkt[3] : 0;
    R.hash[i] = fnv(pkt, len);
    R.len[i] = (uint32_t)len;
    R.flags[i] = flags;
    R.has_info[i] = info != NULL;
    if (info)
        R.info[i] = *info;
    if (len <= sizeof R.last) {
        memcpy(R.last, pkt, len);
        R.last_len = len;
    }
}

static void rec_tx(void *ctx, const uint8_t *pkt, size_t len, const synack_tx_info *info)
{
    (void)ctx;
    log_one(FAULT_OUT, pkt, len, info, 0);
}

static void rec_rx(void *ctx, const uint8_t *pkt, size_t len, unsigned flags, synack_time now)
{
    (void)ctx;
    (void)now;
    log_one(FAULT_IN, pkt, len, NULL, flags);
}

static void rec_reset(void) { memset(&R, 0, sizeof R); }

/* A datagram of len bytes whose first 4 bytes are id and the rest a
 * pattern of it. */
static void make_pkt(uint8_t *p, size_t len, uint32_t id)
{
    p[0] = (uint8_t)(id >> 24);
    p[1] = (uint8_t)(id >> 16);
    p[2] = (uint8_t)(id >> 8);
    p[3] = (uint8_t)id;
    for (size_t i = 4; i < len; i++)
        p[i] = (uint8_t)(id * 7u + i);
}

static fault *make(const fault_config *cfg)
{
    fault *f = NULL;
    CHECK_EQ(fault_new(cfg, rec_tx, rec_rx, NULL, &f), 0);
    CHECK(f != NULL);
    return f;
}

/* Offers n datagrams (ids 0..n-1, 100 bytes) alternately in and out, one
 * microsecond apart, then lets every hold run out. */
static void run_mixed(fault *f, uint32_t n)
{
    uint8_t p[100];
    synack_time now = 1000;
    for (uint32_t i = 0; i < n; i++, now += 1000) {
        make_pkt(p, sizeof p, i);
        if (i & 1)
            fault_out(f, p, sizeof p, NULL, now);
        else
            fault_in(f, p, sizeof p, 0, now);
    }
    fault_advance(f, now + FAULT_DEFAULT_DELAY);
}

TEST(idle_layer_passes_everything_unchanged_in_order)
{
    rec_reset();
    fault_config cfg;
    fault_config_default(&cfg);
    CHECK_EQ(fault_config_active(&cfg), 0);
    fault *f = make(&cfg);
    uint8_t p[300];
    synack_tx_info info = { .gso_size = 1448, .csum_partial = 1, .csum_start = 20,
                            .csum_offset = 16 };
    for (uint32_t i = 0; i < 1000; i++) {
        make_pkt(p, 40 + i % 200, i);
        if (i % 3 == 0)
            fault_out(f, p, 40 + i % 200, &info, i);
        else if (i % 3 == 1)
            fault_out(f, p, 40 + i % 200, NULL, i);
        else
            fault_in(f, p, 40 + i % 200, SYNACK_IN_CSUM_VALID, i);
    }
    CHECK_U64(R.n, 1000);
    for (uint32_t i = 0; i < 1000; i++) {
        make_pkt(p, 40 + i % 200, i);
        CHECK_U64(R.id[i], i);
        CHECK_U64(R.len[i], 40 + i % 200);
        CHECK_U64(R.hash[i], fnv(p, 40 + i % 200));
        CHECK_EQ(R.dir[i], i % 3 == 2 ? FAULT_IN : FAULT_OUT);
        CHECK_EQ(R.has_info[i], i % 3 == 0);
        if (i % 3 == 0)
            CHECK_MEM(&R.info[i], &info, sizeof info);
        CHECK_EQ(R.flags[i], i % 3 == 2 ? SYNACK_IN_CSUM_VALID : 0);
    }
    CHECK_U64(fault_next_deadline(f), SYNACK_TIME_NEVER);
    fault_stats in, out;
    fault_stats_get(f, FAULT_IN, &in);
    fault_stats_get(f, FAULT_OUT, &out);
    CHECK_U64(in.packets, 333);
    CHECK_U64(in.delivered, 333);
    CHECK_U64(out.packets, 667);
    CHECK_U64(out.delivered, 667);
    CHECK_U64(in.lost + in.duplicated + in.reordered + in.corrupted, 0);
    CHECK_U64(out.lost + out.duplicated + out.reordered + out.corrupted, 0);
    fault_free(f);
}

static fault_config busy_config(uint64_t seed_in, uint64_t seed_out)
{
    fault_config cfg;
    fault_config_default(&cfg);
    cfg.in.loss = cfg.out.loss = 0.05;
    cfg.in.dup = cfg.out.dup = 0.05;
    cfg.in.reorder = cfg.out.reorder = 0.05;
    cfg.in.corrupt = cfg.out.corrupt = 0.05;
    cfg.in.seed = seed_in;
    cfg.out.seed = seed_out;
    return cfg;
}

/* The fates of a run, as one hash over everything passed on. */
static uint32_t run_digest(const fault_config *cfg, uint32_t n)
{
    rec_reset();
    fault *f = make(cfg);
    run_mixed(f, n);
    fault_free(f);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < R.n; i++)
        h = (h ^ R.hash[i] ^ (uint32_t)R.dir[i] << 31) * 16777619u;
    return h ^ (uint32_t)R.n;
}

TEST(same_seed_same_fates_other_seed_other_fates)
{
    fault_config a = busy_config(42, 42);
    uint32_t d1 = run_digest(&a, 20000);
    size_t n1 = R.n;
    uint32_t d2 = run_digest(&a, 20000);
    CHECK_U64(d1, d2);
    CHECK_U64(R.n, n1);
    fault_config b = busy_config(43, 42);
    CHECK(run_digest(&b, 20000) != d1);
    fault_config c = busy_config(42, 43);
    CHECK(run_digest(&c, 20000) != d1);
}

/* One seed for both directions must not make them mirror each other:
 * each direction salts its generator. */
TEST(directions_draw_independent_streams)
{
    rec_reset();
    fault_config cfg;
    fault_config_default(&cfg);
    cfg.in.loss = cfg.out.loss = 0.5;
    cfg.in.seed = cfg.out.seed = 7;
    fault *f = make(&cfg);
    uint8_t p[20];
    int differ = 0;
    for (uint32_t i = 0; i < 256; i++) {
        make_pkt(p, sizeof p, i);
        size_t before = R.n;
        fault_in(f, p, sizeof p, 0, 0);
        int in_passed = R.n > before;
        before = R.n;
        fault_out(f, p, sizeof p, NULL, 0);
        differ += in_passed != (R.n > before);
    }
    /* Independent fair coins disagree half the time: 128 +- 5 sigma (40). */
    CHECK(differ > 88 && differ < 168);
    fault_free(f);
}

/* |got - n*p| within 5 standard deviations of a binomial count. */
static void check_rate(uint64_t got, uint64_t n, double p)
{
    double mean = (double)n * p, var = (double)n * p * (1 - p);
    double d = (double)got - mean;
    if (d * d > 25 * var)   /* no libm: compare squares */
        check_fail(__FILE__, __LINE__, "count %llu, expected %.0f, variance %.0f",
                   (unsigned long long)got, mean, var);
}

/* 200,000 datagrams each way with loss 1 %, dup 0.5 %, reorder 1 %: the
 * counters are near the rates, and what was passed on agrees with them
 * exactly (ids missing = lost, ids seen twice = duplicated). */
TEST(rates_over_many_datagrams)
{
    rec_reset();
    fault_config cfg;
    fault_config_default(&cfg);
    cfg.in.loss = cfg.out.loss = 0.01;
    cfg.in.dup = cfg.out.dup = 0.005;
    cfg.in.reorder = cfg.out.reorder = 0.01;
    cfg.in.seed = 1234;
    cfg.out.seed = 99;
    fault *f = make(&cfg);
    const uint32_t n = 400000;
    run_mixed(f, n);
    CHECK_U64(fault_next_deadline(f), SYNACK_TIME_NEVER);
    static uint8_t seen[400000];
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < R.n; i++) {
        CHECK(R.id[i] < n);
        CHECK_EQ(R.dir[i], R.id[i] & 1 ? FAULT_OUT : FAULT_IN);
        seen[R.id[i]]++;
    }
    for (int dir = 0; dir < 2; dir++) {
        fault_stats s;
        fault_stats_get(f, (fault_dir)dir, &s);
        uint64_t missing = 0, twice = 0;
        for (uint32_t i = (uint32_t)dir; i < n; i += 2) {
            CHECK(seen[i] <= 2);
            missing += seen[i] == 0;
            twice += seen[i] == 2;
        }
        CHECK_U64(s.packets, n / 2);
        CHECK_U64(s.lost, missing);
        CHECK_U64(s.duplicated, twice);
        CHECK_U64(s.delivered, s.packets - s.lost + s.duplicated);
        CHECK_U64(s.held, 0);
        CHECK_U64(s.corrupted, 0);
        check_rate(s.lost, s.packets, 0.01);
        /* dup and reorder are drawn only for datagrams not lost. */
        check_rate(s.duplicated, s.packets - s.lost, 0.005);
        check_rate(s.reordered, s.packets - s.lost, 0.01);
        CHECK_U64(s.released_by_count + s.released_by_time, s.reordered);
        CHECK_U64(s.hold_full, 0);
    }
    fault_free(f);
}

/* Corruption alone: datagrams keep their order, so each can be compared
 * with what was sent: a corrupted one differs in exactly one bit. */
TEST(corruption_rate_and_single_bit)
{
    rec_reset();
    fault_config cfg;
    fault_config_default(&cfg);
    cfg.out.corrupt = 0.02;
    cfg.out.seed = 5;
    fault *f = make(&cfg);
    const uint32_t n = 100000;
    uint8_t p[64];
    uint64_t damaged = 0, in_first_20 = 0;
    for (uint32_t i = 0; i < n; i++) {
        make_pkt(p, sizeof p, i);
        fault_out(f, p, sizeof p, NULL, i);
        CHECK_U64(R.n, i + 1);
        int bits = 0, where = -1;
        for (size_t k = 0; k < sizeof p; k++) {
            uint8_t x = R.last[k] ^ p[k];
            for (; x; x &= (uint8_t)(x - 1)) {
                bits++;
                where = (int)k;
            }
        }
        CHECK(bits <= 1);
        damaged += (uint64_t)bits;
        in_first_20 += bits && where < 20;
    }
    fault_stats s;
    fault_stats_get(f, FAULT_OUT, &s);
    CHECK_U64(s.corrupted, damaged);
    check_rate(s.corrupted, n, 0.02);
    /* The bit is drawn over the whole datagram: 20 of 64 bytes. */
    check_rate(in_first_20, damaged, 20.0 / 64);
    fault_free(f);
}

/* With reordering only and steady traffic, a held datagram is overtaken
 * by exactly `depth` later ones; nothing else moves. */
TEST(reordering_is_bounded_by_depth)
{
    for (uint32_t depth = 1; depth <= 5; depth += 2) {
        rec_reset();
        fault_config cfg;
        fault_config_default(&cfg);
        cfg.in.reorder = 0.1;
        cfg.in.depth = depth;
        cfg.in.seed = depth;
        fault *f = make(&cfg);
        const uint32_t n = 20000;
        uint8_t p[32];
        for (uint32_t i = 0; i < n; i++) {
            make_pkt(p, sizeof p, i);
            fault_in(f, p, sizeof p, 0, 5000);     /* time stands still */
        }
        fault_flush(f, 5000);
        CHECK_U64(R.n, n);
        /* over[id]: later ids delivered before id, counted with a
         * Fenwick tree of the ids delivered so far. */
        static uint32_t tree[20001], over_of[20000];
        static uint8_t once[20000];
        memset(tree, 0, sizeof tree);
        memset(once, 0, sizeof once);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t id = R.id[k], le = 0;
            CHECK(id < n);
            CHECK_EQ(once[id]++, 0);
            for (uint32_t j = id + 1; j > 0; j -= j & -j)
                le += tree[j];
            over_of[id] = k - le;
            for (uint32_t j = id + 1; j <= n; j += j & -j)
                tree[j]++;
        }
        fault_stats s;
        fault_stats_get(f, FAULT_IN, &s);
        uint64_t displaced = 0;
        for (uint32_t id = 0; id < n; id++) {
            uint32_t over = over_of[id];
            if (over) {
                /* A datagram held at the very end may be flushed early. */
                CHECK(over == depth || id >= n - 64);
                displaced++;
            }
        }
        CHECK_U64(s.released_by_count + s.released_flushed, s.reordered);
        CHECK(s.released_flushed <= 64);
        CHECK(s.reordered >= displaced);
        check_rate(s.reordered, n, 0.1);
        CHECK(s.held_max <= depth + 8);
        CHECK_U64(s.released_by_time, 0);
        fault_free(f);
    }
}

/* A held datagram with no traffic behind it comes out exactly `delay`
 * after it was held, and the deadline says so. */
TEST(held_datagram_released_by_time)
{
    rec_reset();
    fault_config cfg;
    fault_config_default(&cfg);
    cfg.out.reorder = 1.0;
    cfg.out.delay = SYNACK_MSEC(7);
    fault *f = make(&cfg);
    uint8_t p[40];
    make_pkt(p, sizeof p, 77);
    fault_out(f, p, sizeof p, NULL, SYNACK_SEC(1));
    CHECK_U64(R.n, 0);
    CHECK_U64(fault_next_deadline(f), SYNACK_SEC(1) + SYNACK_MSEC(7));
    fault_advance(f, SYNACK_SEC(1) + SYNACK_MSEC(7) - 1);
    CHECK_U64(R.n, 0);
    fault_advance(f, SYNACK_SEC(1) + SYNACK_MSEC(7));
    CHECK_U64(R.n, 1);
    CHECK_U64(R.id[0], 77);
    CHECK_U64(R.hash[0], fnv(p, sizeof p));
    CHECK_U64(fault_next_deadline(f), SYNACK_TIME_NEVER);
    fault_stats s;
    fault_stats_get(f, FAULT_OUT, &s);
    CHECK_U64(s.released_by_time, 1);
    CHECK_U64(s.held, 0);
    fault_free(f);
}

/* Everything held back: the ring fills to its bound, later datagrams go
 * straight through (counted), and time releases every held one. */
TEST(hold_ring_is_bounded_and_drains)
{
    rec_reset();
    fault_config cfg;
    fault_config_default(&cfg);
    cfg.in.reorder = 1.0;
    cfg.in.dup = 0.3;
    fault *f = make(&cfg);
    uint8_t p[40];
    for (uint32_t i = 0; i < 1000; i++) {
        make_pkt(p, sizeof p, i);
        fault_in(f, p, sizeof p, 0, 100);
    }
    fault_stats s;
    fault_stats_get(f, FAULT_IN, &s);
    CHECK(s.held <= FAULT_MAX_HELD);
    CHECK_U64(s.held_max, FAULT_MAX_HELD);
    CHECK(s.hold_full > 0);
    CHECK_U64(s.reordered + s.hold_full, 1000);
    CHECK_U64(fault_next_deadline(f), 100 + FAULT_DEFAULT_DELAY);
    fault_advance(f, 100 + FAULT_DEFAULT_DELAY);
    fault_stats_get(f, FAULT_IN, &s);
    CHECK_U64(s.held, 0);
    CHECK_U64(s.delivered, 1000 + s.duplicated);
    CHECK_U64(R.n, s.delivered);
    CHECK_U64(fault_next_deadline(f), SYNACK_TIME_NEVER);
    fault_free(f);
}

/* Random traffic with pauses: no datagram stays held once its delay has
 * passed, and the books balance at every pause. */
TEST(every_held_datagram_is_released)
{
    fault_config cfg = busy_config(3, 4);
    cfg.in.delay = SYNACK_USEC(300);
    rec_reset();
    fault *f = make(&cfg);
    uint8_t p[60];
    synack_time now = 0;
    uint32_t id = 0;
    for (int burst = 0; burst < 200; burst++) {
        for (int k = 0; k < burst % 17; k++, id++, now += 10000) {
            make_pkt(p, sizeof p, id);
            if (id % 3)
                fault_in(f, p, sizeof p, 0, now);
            else
                fault_out(f, p, sizeof p, NULL, now);
        }
        /* Follow the deadlines, as a driver's timer would. */
        synack_time d;
        int steps = 0;
        while ((d = fault_next_deadline(f)) != SYNACK_TIME_NEVER) {
            now = d > now ? d : now;
            fault_advance(f, now);
            CHECK(++steps <= 2 * (int)FAULT_MAX_HELD);
        }
        for (int dir = 0; dir < 2; dir++) {
            fault_stats s;
            fault_stats_get(f, (fault_dir)dir, &s);
            CHECK_U64(s.held, 0);
            CHECK_U64(s.delivered, s.packets - s.lost + s.duplicated);
        }
    }
    fault_stats in, out;
    fault_stats_get(f, FAULT_IN, &in);
    fault_stats_get(f, FAULT_OUT, &out);
    CHECK(in.released_by_time > 0 && out.released_by_time > 0);
    CHECK_U64(R.n, in.delivered + out.delivered);
    fault_free(f);
}

/* A callback that answers through the layer (as a stack does: input ->
 * tx) while the layer is releasing datagrams. */
static fault *echo_f;
static size_t echo_count;
static void echo_rx(void *ctx, const uint8_t *pkt, size_t len, unsigned flags, synack_time now)
{
    (void)ctx;
    (void)flags;
    echo_count++;
    fault_out(echo_f, pkt, len, NULL, now);
}

TEST(callbacks_may_send_through_the_layer)
{
    rec_reset();
    fault_config cfg = busy_config(11, 12);
    cfg.in.corrupt = cfg.out.corrupt = 0;
    CHECK_EQ(fault_new(&cfg, rec_tx, echo_rx, NULL, &echo_f), 0);
    echo_count = 0;
    uint8_t p[50];
    for (uint32_t i = 0; i < 5000; i++) {
        make_pkt(p, sizeof p, i);
        fault_in(echo_f, p, sizeof p, 0, i * 1000u);
    }
    fault_advance(echo_f, SYNACK_SEC(10));
    fault_stats in, out;
    fault_stats_get(echo_f, FAULT_IN, &in);
    fault_stats_get(echo_f, FAULT_OUT, &out);
    CHECK_U64(in.delivered, echo_count);
    CHECK_U64(out.packets, echo_count);
    CHECK_U64(out.delivered, R.n);
    CHECK_U64(out.delivered, out.packets - out.lost + out.duplicated);
    CHECK_U64(in.held + out.held, 0);
    fault_free(echo_f);
}

/* -------------------------------------------------- corruption vs checksums */

static const uint32_t A_KERNEL = 0xC6120001u, A_SYNACK = 0xC6120002u;

/* A TCP datagram kernel -> synack (to a port nobody listens on), with
 * `payload` bytes. partial: its checksum field holds only the pseudo-header
 * sum, as the kernel leaves it with offloads. */
static size_t tcp_pkt(uint8_t *buf, size_t cap, uint32_t i, uint32_t payload, int partial)
{
    synack_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.saddr = A_KERNEL;
    seg.daddr = A_SYNACK;
    seg.sport = (uint16_t)(40000 + i % 1000);
    seg.dport = 5555;
    seg.seq = 1000 + i * 977u;
    seg.ack = 1;
    seg.flags = SYNACK_TCP_ACK | SYNACK_TCP_PSH;
    seg.wnd = 500;
    seg.len = payload;
    size_t n = h_build_datagram(buf, cap, &seg, NULL);
    CHECK(n > 0);
    if (partial)
        wire_tcp_finish_partial(buf + WIRE_IPV4_HDR_LEN, &seg,
                                wire_tcp_emit_hdr(buf + WIRE_IPV4_HDR_LEN, &seg));
    return n;
}

/* The datagram with its TCP checksum made complete (what the layer must
 * corrupt): checked by the wire parser. */
static void complete_copy(uint8_t *dst, const uint8_t *src, size_t len)
{
    memcpy(dst, src, len);
    uint8_t *t = dst + WIRE_IPV4_HDR_LEN;
    size_t tl = len - WIRE_IPV4_HDR_LEN;
    t[16] = t[17] = 0;
    uint16_t c = wire_csum_fold(wire_csum_add(
        wire_csum_pseudo(A_KERNEL, A_SYNACK, WIRE_PROTO_TCP, (uint32_t)tl), t, tl));
    t[16] = (uint8_t)(c >> 8);
    t[17] = (uint8_t)c;
    char why[128];
    synack_segment seg;
    const uint8_t *pl;
    CHECK_EQ(h_parse_datagram(dst, len, &seg, &pl, why, sizeof why), 0);
}

static int bit_diff(const uint8_t *a, const uint8_t *b, size_t n, size_t *byte)
{
    int bits = 0;
    for (size_t k = 0; k < n; k++) {
        uint8_t x = a[k] ^ b[k];
        for (; x; x &= (uint8_t)(x - 1)) {
            bits++;
            *byte = k;
        }
    }
    return bits;
}

static void tx_nothing(void *ctx, const uint8_t *pkt, size_t len)
{
    (void)ctx;
    (void)pkt;
    (void)len;
}

static synack_stack *receiver;
static int receiver_dropped;
static void rx_into_stack(void *ctx, const uint8_t *pkt, size_t len, unsigned flags,
                          synack_time now)
{
    log_one(FAULT_IN, pkt, len, NULL, flags);
    (void)ctx;
    receiver_dropped += synack_input_flags(receiver, pkt, len, now, flags);
}

/* Incoming datagrams that the device vouched for (SYNACK_IN_CSUM_VALID,
 * partial checksum): each corrupted one reaches synack with a complete
 * checksum, one bit flipped, the flag gone, and synack drops it before
 * TCP sees it; the same datagrams uncorrupted reach TCP (which answers
 * "no socket" with a RST). */
TEST(incoming_offloaded_corruption_is_dropped_by_synack)
{
    synack_config sc;
    synack_config_default(&sc);
    sc.addr = A_SYNACK;
    sc.tx = tx_nothing;
    CHECK_EQ(synack_stack_new(&sc, &receiver), 0);
    fault_config cfg;
    fault_config_default(&cfg);
    cfg.in.corrupt = 1.0;
    cfg.in.seed = 77;
    fault *f = NULL;
    CHECK_EQ(fault_new(&cfg, rec_tx, rx_into_stack, NULL, &f), 0);
    rec_reset();
    receiver_dropped = 0;
    static uint8_t pkt[70000], want[70000];
    const uint32_t n = 400;
    uint64_t hit_payload = 0;
    for (uint32_t i = 0; i < n; i++) {
        /* Some kernel GSO super-packets (60,000 bytes) among MSS ones. */
        uint32_t pl = i % 50 == 0 ? 60000 : 1 + (i * 37) % 1448;
        size_t len = tcp_pkt(pkt, sizeof pkt, i, pl, 1);
        complete_copy(want, pkt, len);
        fault_in(f, pkt, len, SYNACK_IN_CSUM_VALID, SYNACK_MSEC(i));
        CHECK_U64(R.n, i + 1);
        CHECK_EQ(R.flags[i], 0);
        CHECK_U64(R.last_len, len);
        size_t at = 0;
        CHECK_EQ(bit_diff(R.last, want, len, &at), 1);
        hit_payload += at >= 40;
    }
    CHECK_EQ(receiver_dropped, (int)n);
    synack_stats st;
    synack_stats_get(receiver, &st);
    CHECK_U64(st.drops[SYNACK_DROP_TCP_NO_SOCKET], 0);
    CHECK_U64(st.tcp_rst_out, 0);
    CHECK(st.drops[SYNACK_DROP_TCP_CHECKSUM] > 0 && st.drops[SYNACK_DROP_IP_CHECKSUM] > 0);
    CHECK(hit_payload > n / 2);
    fault_free(f);

    /* Control: the same datagrams, no fault, flag kept: TCP answers. */
    fault_config_default(&cfg);
    CHECK_EQ(fault_new(&cfg, rec_tx, rx_into_stack, NULL, &f), 0);
    receiver_dropped = 0;
    for (uint32_t i = 0; i < 20; i++) {
        size_t len = tcp_pkt(pkt, sizeof pkt, i, 100, 1);
        fault_in(f, pkt, len, SYNACK_IN_CSUM_VALID, SYNACK_SEC(1) + i);
    }
    synack_stats_get(receiver, &st);
    CHECK_U64(st.drops[SYNACK_DROP_TCP_NO_SOCKET], 20);
    CHECK_U64(st.tcp_rst_out, 20);
    fault_free(f);
    synack_stack_free(receiver);
}

/* Outgoing datagrams with a partial checksum (csum_offload): the
 * corrupted copy goes out complete (csum_partial cleared), differing
 * from the correctly checksummed datagram in one bit anywhere. */
TEST(outgoing_partial_checksum_completed_before_corruption)
{
    rec_reset();
    fault_config cfg;
    fault_config_default(&cfg);
    cfg.out.corrupt = 1.0;
    fault *f = make(&cfg);
    static uint8_t pkt[2000], want[2000];
    uint64_t beyond_ip = 0;
    for (uint32_t i = 0; i < 300; i++) {
        size_t len = tcp_pkt(pkt, sizeof pkt, i, 1 + i * 5, 1);
        complete_copy(want, pkt, len);
        synack_tx_info info = { .csum_partial = 1, .csum_start = 20, .csum_offset = 16 };
        fault_out(f, pkt, len, &info, i);
        CHECK_U64(R.n, i + 1);
        CHECK_EQ(R.has_info[i], 1);
        CHECK_EQ(R.info[i].csum_partial, 0);
        CHECK_EQ(R.info[i].gso_size, 0);
        size_t at = 0;
        CHECK_EQ(bit_diff(R.last, want, len, &at), 1);
        beyond_ip += at >= 20;
    }
    CHECK(beyond_ip > 200);
    fault_free(f);
}

/* A TSO super-segment stays partial (the device must cut it), so its bit
 * is flipped in the IPv4 header, which the receiver always checks. */
TEST(outgoing_super_segment_corrupted_in_ip_header)
{
    rec_reset();
    fault_config cfg;
    fault_config_default(&cfg);
    cfg.out.corrupt = 1.0;
    fault *f = make(&cfg);
    static uint8_t pkt[70000];
    int hit[20] = { 0 };
    for (uint32_t i = 0; i < 400; i++) {
        size_t len = tcp_pkt(pkt, sizeof pkt, i, 1448 * 40, 1);
        synack_tx_info info = { .gso_size = 1448, .csum_partial = 1, .csum_start = 20,
                                .csum_offset = 16 };
        fault_out(f, pkt, len, &info, i);
        CHECK_MEM(&R.info[i], &info, sizeof info);
        size_t at = 0;
        CHECK_EQ(bit_diff(R.last, pkt, len, &at), 1);
        CHECK(at < 20);
        hit[at]++;
        wire_ipv4 ip;
        synack_drop why;
        CHECK_EQ(wire_ipv4_parse(R.last, len, &ip, &why), -1);
    }
    for (int k = 0; k < 20; k++)
        CHECK(hit[k] > 0);
    fault_free(f);
}

/* ------------------------------------------------------------- text form */

TEST(parse_spec)
{
    fault_params p;
    memset(&p, 0, sizeof p);
    char err[160];
    CHECK_EQ(fault_parse("loss=0.01,dup=0.005,reorder=1%,corrupt=0,seed=42", &p, err,
                         sizeof err), 0);
    CHECK(p.loss == 0.01);
    CHECK(p.dup == 0.005);
    CHECK(p.reorder == 0.01);
    CHECK(p.corrupt == 0);
    CHECK_U64(p.seed, 42);
    CHECK_EQ(fault_parse("depth=5,delay=250us,corrupt=0.5%", &p, err, sizeof err), 0);
    CHECK_U64(p.depth, 5);
    CHECK_U64(p.delay, SYNACK_USEC(250));
    CHECK(p.corrupt == 0.005);
    CHECK(p.loss == 0.01);      /* untouched keys keep their values */
    CHECK_EQ(fault_parse("delay=3", &p, err, sizeof err), 0);
    CHECK_U64(p.delay, SYNACK_MSEC(3));
    CHECK_EQ(fault_parse("delay=2s,seed=18446744073709551615", &p, err, sizeof err), 0);
    CHECK_U64(p.delay, SYNACK_SEC(2));
    CHECK_U64(p.seed, UINT64_MAX);
    CHECK_EQ(fault_parse("loss=1,dup=100%", &p, err, sizeof err), 0);
    CHECK(p.loss == 1.0 && p.dup == 1.0);
}

static void parse_fails(const char *spec, const char *msg)
{
    fault_params p, before;
    memset(&p, 0, sizeof p);
    p.loss = 0.25;
    before = p;
    char err[160] = "";
    CHECK_EQ(fault_parse(spec, &p, err, sizeof err), -1);
    CHECK_STR(err, msg);
    CHECK_MEM(&p, &before, sizeof p);
}

TEST(parse_errors)
{
    parse_fails("", "empty fault list (want e.g. loss=0.01,reorder=1%,seed=7)");
    parse_fails("loss", "'loss' is not key=value");
    parse_fails("dup=0.1,loss", "'loss' is not key=value");
    parse_fails("loss=1.5", "loss: '1.5' is not a probability (0..1 or 0%..100%)");
    parse_fails("loss=-0.1", "loss: '-0.1' is not a probability (0..1 or 0%..100%)");
    parse_fails("reorder=101%", "reorder: '101%' is not a probability (0..1 or 0%..100%)");
    parse_fails("dup=nan", "dup: 'nan' is not a probability (0..1 or 0%..100%)");
    parse_fails("corrupt=", "corrupt: '' is not a probability (0..1 or 0%..100%)");
    parse_fails("loss=0.1x", "loss: '0.1x' is not a probability (0..1 or 0%..100%)");
    parse_fails("jitter=3", "unknown fault 'jitter' (known: loss, dup, reorder, corrupt, "
                            "depth, delay, seed)");
    parse_fails("depth=0", "depth: '0' is not a count in 1..64");
    parse_fails("depth=65", "depth: '65' is not a count in 1..64");
    parse_fails("delay=10m", "delay: '10m' is not a duration (e.g. 10ms, 500us, 1s; up to 1 h)");
    parse_fails("delay=0", "delay: '0' is not a duration (e.g. 10ms, 500us, 1s; up to 1 h)");
    parse_fails("delay=3601s",
                "delay: '3601s' is not a duration (e.g. 10ms, 500us, 1s; up to 1 h)");
    parse_fails("seed=18446744073709551616",
                "seed: '18446744073709551616' is not an unsigned number");
    parse_fails("seed=-1", "seed: '-1' is not an unsigned number");
    /* A good key before a bad one changes nothing. */
    parse_fails("loss=0.5,dup=2", "dup: '2' is not a probability (0..1 or 0%..100%)");
}

TEST(describe)
{
    fault_params p;
    memset(&p, 0, sizeof p);
    p.loss = 0.01;
    p.dup = 0.005;
    p.reorder = 0.01;
    p.seed = 7;
    char buf[160];
    CHECK_STR(fault_describe(&p, buf, sizeof buf),
              "loss 1% dup 0.5% reorder 1% (depth 3, delay 10 ms) corrupt 0% seed 7");
    p.depth = 5;
    p.delay = SYNACK_USEC(250);
    CHECK_STR(fault_describe(&p, buf, sizeof buf),
              "loss 1% dup 0.5% reorder 1% (depth 5, delay 0.25 ms) corrupt 0% seed 7");
}

TEST(bad_configs_refused)
{
    fault_config cfg;
    fault *f = (fault *)&cfg;
    fault_config_default(&cfg);
    cfg.in.loss = 1.5;
    CHECK_EQ(fault_new(&cfg, rec_tx, rec_rx, NULL, &f), SYNACK_EINVAL);
    CHECK(f == NULL);
    fault_config_default(&cfg);
    cfg.out.dup = NAN;
    CHECK_EQ(fault_new(&cfg, rec_tx, rec_rx, NULL, &f), SYNACK_EINVAL);
    fault_config_default(&cfg);
    cfg.out.depth = FAULT_MAX_HELD + 1;
    CHECK_EQ(fault_new(&cfg, rec_tx, rec_rx, NULL, &f), SYNACK_EINVAL);
    fault_config_default(&cfg);
    cfg.in.reorder = -0.01;
    CHECK_EQ(fault_new(&cfg, rec_tx, rec_rx, NULL, &f), SYNACK_EINVAL);
    fault_config_default(&cfg);
    cfg.in.corrupt = 0.1;
    CHECK_EQ(fault_config_active(&cfg), 1);
    CHECK_EQ(fault_new(&cfg, rec_tx, rec_rx, NULL, &f), 0);
    fault_free(f);
}

TEST_MAIN()
