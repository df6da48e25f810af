/* test_sim_core.c — the simulator's event core with fake nodes (no TCP
 * engine): delay, serialization and queueing, seeded faults, drop rules,
 * duplication, reordering, corruption, tie-breaking, the observer, pcap
 * capture, deadlines, injection and the run functions. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "pcap/pcap_writer.h"
#include "sim/sim.h"
#include "support/h_packet.h"

#define ADDR(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define A_ADDR ADDR(198, 18, 0, 1)
#define B_ADDR ADDR(198, 18, 0, 2)
#define C_ADDR ADDR(198, 18, 0, 3)
#define MAXRX 4096

typedef struct rx {
    synack_time at;
    synack_time clock_at_delivery;   /* the node's clock when it got it */
    size_t len;
    uint8_t data[256];
} rx;

typedef struct fake {
    sim_net *net;
    int id;
    synack_time clock;
    synack_time deadline;            /* NEVER unless a test sets it */
    synack_time period;              /* re-arm the timer by this much */
    int fires;
    int stuck;                       /* advance never clears the deadline */
    int echo;                        /* answer every packet, swapping addresses */
    size_t nrx;
    rx rx[MAXRX];
} fake;

static void fake_deliver(void *ctx, const uint8_t *pkt, size_t len, synack_time now)
{
    fake *f = ctx;
    CHECK(f->nrx < MAXRX);
    rx *r = &f->rx[f->nrx++];
    r->at = now;
    r->clock_at_delivery = f->clock;
    r->len = len;
    memcpy(r->data, pkt, len < sizeof r->data ? len : sizeof r->data);
    if (f->echo && len >= 20) {
        uint8_t reply[256];
        size_t n = len < sizeof reply ? len : sizeof reply;
        memcpy(reply, pkt, n);
        memcpy(reply + 12, pkt + 16, 4);
        memcpy(reply + 16, pkt + 12, 4);
        f->echo--;
        sim_send(f->net, f->id, reply, n);
    }
}

static synack_time fake_deadline(void *ctx)
{
    return ((fake *)ctx)->deadline;
}

static void fake_advance(void *ctx, synack_time now)
{
    fake *f = ctx;
    CHECK(now >= f->clock);
    f->clock = now;
    if (f->deadline <= now && !f->stuck) {
        f->fires++;
        f->deadline = f->period ? now + f->period : SYNACK_TIME_NEVER;
    }
}

static const sim_node_ops fake_ops = {
    .deliver = fake_deliver, .deadline = fake_deadline, .advance = fake_advance,
};

static fake *fake_add(sim_net *n, uint32_t addr)
{
    fake *f = calloc(1, sizeof *f);
    CHECK(f != NULL);
    f->net = n;
    f->deadline = SYNACK_TIME_NEVER;
    f->id = sim_add_node(n, addr, &fake_ops, f);
    CHECK(f->id >= 0);
    return f;
}

/* A minimal IPv4-shaped packet: the sim routes on bytes 16..19; bytes
 * 20..23 carry a marker so tests can tell packets apart. */
static size_t mkpkt(uint8_t *buf, uint32_t src, uint32_t dst, uint32_t marker, size_t len)
{
    memset(buf, 0, len);
    buf[0] = 0x45;
    buf[2] = (uint8_t)(len >> 8);
    buf[3] = (uint8_t)len;
    buf[9] = 253;                 /* experimental protocol: not TCP */
    for (int i = 0; i < 4; i++) {
        buf[12 + i] = (uint8_t)(src >> (24 - 8 * i));
        buf[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
        buf[20 + i] = (uint8_t)(marker >> (24 - 8 * i));
    }
    return len;
}

static uint32_t marker_of(const rx *r)
{
    return (uint32_t)r->data[20] << 24 | (uint32_t)r->data[21] << 16 |
           (uint32_t)r->data[22] << 8 | r->data[23];
}

static int send_marked(sim_net *n, fake *from, uint32_t to_addr, uint32_t marker, size_t len)
{
    uint8_t buf[2048];
    mkpkt(buf, sim_node_addr(n, from->id), to_addr, marker, len);
    return sim_send(n, from->id, buf, len);
}

/* Observer that keeps a copy of every event (pkt pointer cleared). */
typedef struct evlog {
    size_t n;
    sim_packet_event ev[MAXRX];
    uint32_t marker[MAXRX];
} evlog;

static void log_event(void *ctx, const sim_packet_event *ev)
{
    evlog *l = ctx;
    CHECK(l->n < MAXRX);
    l->ev[l->n] = *ev;
    l->ev[l->n].pkt = NULL;
    l->marker[l->n] = ev->len >= 24 ? (uint32_t)ev->pkt[20] << 24 | (uint32_t)ev->pkt[21] << 16 |
                                      (uint32_t)ev->pkt[22] << 8 | ev->pkt[23] : 0;
    l->n++;
}

/* ------------------------------------------------------------- tests */

TEST(link_defaults)
{
    sim_link l;
    memset(&l, 0xff, sizeof l);
    sim_link_default(&l);
    CHECK_U64(l.delay, SYNACK_MSEC(1));
    CHECK_U64(l.rate_bps, 0);
    CHECK_U64(l.queue_limit, 0);
    CHECK(l.loss == 0.0 && l.dup == 0.0 && l.reorder == 0.0 && l.corrupt == 0.0);
    CHECK_U64(l.reorder_extra, 0);
}

TEST(propagation_delay_per_direction)
{
    sim_net *n = sim_new(1);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    sim_link l;
    sim_link_default(&l);
    l.delay = SYNACK_MSEC(5);
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), 0);
    CHECK_EQ(send_marked(n, a, B_ADDR, 1, 40), SIM_DELIVERED);
    CHECK_EQ(send_marked(n, b, A_ADDR, 2, 40), SIM_DELIVERED);
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    CHECK_EQ(b->nrx, 1);
    CHECK_U64(b->rx[0].at, SYNACK_MSEC(5));
    CHECK_EQ(marker_of(&b->rx[0]), 1);
    CHECK_EQ(a->nrx, 1);
    CHECK_U64(a->rx[0].at, SYNACK_MSEC(1));       /* the default link back */
    CHECK_U64(sim_now(n), SYNACK_MSEC(5));
    sim_free(n);
    free(a);
    free(b);
}

TEST(serialization_queues_packets_in_order)
{
    sim_net *n = sim_new(1);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    sim_link l;
    sim_link_default(&l);
    l.rate_bps = 8000000;         /* one byte per microsecond */
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), 0);
    for (uint32_t i = 0; i < 3; i++)
        CHECK_EQ(send_marked(n, a, B_ADDR, i, 1000), SIM_DELIVERED);
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    CHECK_EQ(b->nrx, 3);
    for (uint32_t i = 0; i < 3; i++) {
        CHECK_EQ(marker_of(&b->rx[i]), i);
        /* 1 ms of serialization each, behind the ones before, + 1 ms delay */
        CHECK_U64(b->rx[i].at, SYNACK_MSEC(1) * (i + 1) + SYNACK_MSEC(1));
    }
    /* An idle transmitter starts at once: 500 bytes = 500 us. */
    CHECK_EQ(send_marked(n, a, B_ADDR, 9, 500), SIM_DELIVERED);
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    CHECK_U64(b->rx[3].at, SYNACK_MSEC(4) + SYNACK_USEC(500) + SYNACK_MSEC(1));
    /* Rounding up: 25 bytes at 3 bit/s take 66.67 s, so 66666666667 ns. */
    l.rate_bps = 3;
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), 0);
    synack_time t0 = sim_now(n);
    CHECK_EQ(send_marked(n, a, B_ADDR, 10, 25), SIM_DELIVERED);
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(100)), 1);
    CHECK_U64(b->rx[4].at - t0, 66666666667ull + SYNACK_MSEC(1));
    sim_free(n);
    free(a);
    free(b);
}

TEST(queue_limit_tail_drops)
{
    sim_net *n = sim_new(1);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    evlog *log = calloc(1, sizeof *log);
    sim_set_observer(n, log_event, log);
    sim_link l;
    sim_link_default(&l);
    l.rate_bps = 8000000;
    l.queue_limit = 2;            /* the one on the wire + one waiting */
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), 0);
    CHECK_EQ(send_marked(n, a, B_ADDR, 0, 1000), SIM_DELIVERED);
    CHECK_EQ(send_marked(n, a, B_ADDR, 1, 1000), SIM_DELIVERED);
    CHECK_EQ(send_marked(n, a, B_ADDR, 2, 1000), SIM_QUEUE_DROP);
    /* At 1 ms the first has left the transmitter: room for one more. */
    CHECK_EQ(sim_run_until(n, SYNACK_MSEC(1)), 0);
    CHECK_EQ(send_marked(n, a, B_ADDR, 3, 1000), SIM_DELIVERED);
    CHECK_EQ(send_marked(n, a, B_ADDR, 4, 1000), SIM_QUEUE_DROP);
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    CHECK_EQ(b->nrx, 3);
    CHECK_EQ(marker_of(&b->rx[0]), 0);
    CHECK_EQ(marker_of(&b->rx[1]), 1);
    CHECK_EQ(marker_of(&b->rx[2]), 3);
    CHECK_U64(b->rx[2].at, SYNACK_MSEC(4));   /* waits for #1 until 2 ms, leaves at 3 ms */
    CHECK_EQ(log->n, 5);
    CHECK_EQ(log->ev[2].fate, SIM_QUEUE_DROP);
    CHECK_U64(log->ev[2].delivered, SYNACK_TIME_NEVER);
    CHECK_EQ(log->ev[4].fate, SIM_QUEUE_DROP);
    sim_stats st;
    sim_stats_get(n, &st);
    CHECK_U64(st.sent, 5);
    CHECK_U64(st.queue_drops, 2);
    CHECK_U64(st.delivered, 3);
    sim_free(n);
    free(log);
    free(a);
    free(b);
}

/* Sends 1000 packets over a link with 30% loss and returns the fates as a
 * bitmap of lost packets. */
static void loss_run(uint64_t seed, uint8_t lost[1000], int *nlost)
{
    sim_net *n = sim_new(seed);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    sim_link l;
    sim_link_default(&l);
    l.loss = 0.3;
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), 0);
    *nlost = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        int fate = send_marked(n, a, B_ADDR, i, 64);
        CHECK(fate == SIM_DELIVERED || fate == SIM_LOST);
        lost[i] = fate == SIM_LOST;
        *nlost += lost[i];
    }
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    CHECK_EQ(b->nrx, 1000 - (size_t)*nlost);
    /* The survivors arrive in order, and are exactly the ones not lost. */
    size_t k = 0;
    for (uint32_t i = 0; i < 1000; i++)
        if (!lost[i])
            CHECK_EQ(marker_of(&b->rx[k++]), i);
    sim_free(n);
    free(a);
    free(b);
}

TEST(loss_is_deterministic_per_seed)
{
    static uint8_t r1[1000], r2[1000], r3[1000];
    int n1, n2, n3;
    loss_run(42, r1, &n1);
    loss_run(42, r2, &n2);
    loss_run(43, r3, &n3);
    CHECK_EQ(n1, n2);
    CHECK_MEM(r1, r2, sizeof r1);
    CHECK(memcmp(r1, r3, sizeof r1) != 0);
    /* 30% of 1000, within 4.5 standard deviations (sd = 14.5). */
    CHECK(n1 > 235 && n1 < 365);
    CHECK(n3 > 235 && n3 < 365);
}

TEST(loss_extremes)
{
    sim_net *n = sim_new(7);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    sim_link l;
    sim_link_default(&l);
    l.loss = 1.0;
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), 0);
    for (uint32_t i = 0; i < 100; i++)
        CHECK_EQ(send_marked(n, a, B_ADDR, i, 64), SIM_LOST);
    l.loss = 1.5;
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), SYNACK_EINVAL);
    l.loss = -0.1;
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), SYNACK_EINVAL);
    l.loss = 0;
    l.corrupt = 2;
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), SYNACK_EINVAL);
    CHECK_EQ(sim_set_link(n, a->id, 7, &l), SYNACK_EINVAL);
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    CHECK_EQ(b->nrx, 0);
    sim_stats st;
    sim_stats_get(n, &st);
    CHECK_U64(st.lost, 100);
    CHECK_U64(st.lost_by_rule, 0);
    sim_free(n);
    free(a);
    free(b);
}

static size_t tcp_pkt(uint8_t *buf, uint8_t flags, uint32_t seq, uint32_t len)
{
    synack_segment s = {
        .saddr = A_ADDR, .daddr = B_ADDR, .sport = 40000, .dport = 80,
        .seq = seq, .ack = flags & SYNACK_TCP_ACK ? 1 : 0, .flags = flags, .wnd = 1000, .len = len,
    };
    size_t n = h_build_datagram(buf, 2048, &s, NULL);
    CHECK(n > 0);
    return n;
}

TEST(drop_nth_with_tcp_flag_matcher)
{
    sim_net *n = sim_new(1);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    evlog *log = calloc(1, sizeof *log);
    sim_set_observer(n, log_event, log);
    sim_tcp_flags syn = { SYNACK_TCP_SYN, SYNACK_TCP_SYN | SYNACK_TCP_ACK };
    CHECK_EQ(sim_drop_nth(n, a->id, b->id, sim_match_tcp_flags, &syn, 2), 0);
    CHECK_EQ(sim_drop_nth(n, a->id, b->id, sim_match_tcp_data, NULL, 1), 0);
    CHECK_EQ(sim_drop_nth(n, a->id, b->id, NULL, NULL, 6), 0);
    CHECK_EQ(sim_drop_nth(n, a->id, b->id, NULL, NULL, 0), SYNACK_EINVAL);
    CHECK_EQ(sim_drop_rules_pending(n), 3);

    /* The rules watch a->b only: a SYN the other way is not counted. */
    uint8_t buf[2048];
    size_t len = tcp_pkt(buf, SYNACK_TCP_SYN, 1, 0);
    memcpy(buf + 12, (uint8_t[]){ 198, 18, 0, 2 }, 4);
    memcpy(buf + 16, (uint8_t[]){ 198, 18, 0, 1 }, 4);
    CHECK_EQ(sim_send(n, b->id, buf, len), SIM_DELIVERED);

    static const struct { uint8_t flags; uint32_t len; int fate; } plan[] = {
        { SYNACK_TCP_SYN, 0, SIM_DELIVERED },                   /* 1st SYN */
        { SYNACK_TCP_SYN | SYNACK_TCP_ACK, 0, SIM_DELIVERED },  /* not a bare SYN */
        { SYNACK_TCP_ACK, 0, SIM_DELIVERED },
        { SYNACK_TCP_SYN, 0, SIM_LOST },                        /* 2nd SYN */
        { SYNACK_TCP_ACK | SYNACK_TCP_PSH, 10, SIM_LOST },      /* 1st data */
        { SYNACK_TCP_ACK | SYNACK_TCP_PSH, 10, SIM_LOST },      /* 6th packet a->b */
        { SYNACK_TCP_SYN, 0, SIM_DELIVERED },                   /* 3rd SYN: rule gone */
        { SYNACK_TCP_ACK | SYNACK_TCP_PSH, 10, SIM_DELIVERED },
    };
    for (size_t i = 0; i < sizeof plan / sizeof plan[0]; i++) {
        len = tcp_pkt(buf, plan[i].flags, 100 + (uint32_t)i, plan[i].len);
        CHECK_EQ(sim_send(n, a->id, buf, len), plan[i].fate);
        CHECK_EQ(log->ev[log->n - 1].fate, plan[i].fate);
        CHECK_EQ(log->ev[log->n - 1].by_rule, plan[i].fate == SIM_LOST);
    }
    CHECK_EQ(sim_drop_rules_pending(n), 0);
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    CHECK_EQ(b->nrx, 5);
    CHECK_EQ(a->nrx, 1);
    sim_stats st;
    sim_stats_get(n, &st);
    CHECK_U64(st.lost, 3);
    CHECK_U64(st.lost_by_rule, 3);
    sim_free(n);
    free(log);
    free(a);
    free(b);
}

TEST(matchers_reject_malformed_packets)
{
    uint8_t buf[2048];
    sim_tcp_flags any_syn = { SYNACK_TCP_SYN, SYNACK_TCP_SYN };
    size_t len = tcp_pkt(buf, SYNACK_TCP_SYN, 1, 0);
    CHECK_EQ(sim_match_tcp_flags(&any_syn, buf, len), 1);
    CHECK_EQ(sim_match_tcp_data(NULL, buf, len), 0);
    for (size_t cut = 0; cut < len; cut++)
        CHECK_EQ(sim_match_tcp_flags(&any_syn, buf, cut), 0);   /* truncated */
    buf[9] = 17;                                                /* UDP */
    CHECK_EQ(sim_match_tcp_flags(&any_syn, buf, len), 0);
    buf[9] = 6;
    buf[0] = 0x44;                                              /* IHL 4 */
    CHECK_EQ(sim_match_tcp_flags(&any_syn, buf, len), 0);
    buf[0] = 0x45;
    buf[6] |= 0x20;                                             /* MF: a fragment */
    CHECK_EQ(sim_match_tcp_flags(&any_syn, buf, len), 0);
    len = tcp_pkt(buf, SYNACK_TCP_ACK, 1, 1);
    CHECK_EQ(sim_match_tcp_data(NULL, buf, len), 1);
}

TEST(duplication_delivers_twice_in_order)
{
    sim_net *n = sim_new(3);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    evlog *log = calloc(1, sizeof *log);
    sim_set_observer(n, log_event, log);
    sim_link l;
    sim_link_default(&l);
    l.dup = 1.0;
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), 0);
    CHECK_EQ(send_marked(n, a, B_ADDR, 1, 40), SIM_DUPLICATED);
    CHECK_EQ(send_marked(n, a, B_ADDR, 2, 40), SIM_DUPLICATED);
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    CHECK_EQ(b->nrx, 4);
    /* Each copy right after its original, all at 1 ms. */
    static const uint32_t want[] = { 1, 1, 2, 2 };
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(marker_of(&b->rx[i]), want[i]);
        CHECK_U64(b->rx[i].at, SYNACK_MSEC(1));
        CHECK_MEM(b->rx[i].data, b->rx[i - i % 2].data, 40);
    }
    CHECK_EQ(log->n, 2);
    CHECK_EQ(log->ev[0].fate, SIM_DUPLICATED);
    CHECK_U64(log->ev[0].effects, SIM_EFFECT(SIM_DUPLICATED) | SIM_EFFECT(SIM_DELIVERED));
    CHECK_U64(log->ev[0].delivered, SYNACK_MSEC(1));
    CHECK_U64(log->ev[0].dup_delivered, SYNACK_MSEC(1));
    sim_free(n);
    free(log);
    free(a);
    free(b);
}

TEST(reordering_holds_a_packet_back)
{
    sim_net *n = sim_new(3);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    evlog *log = calloc(1, sizeof *log);
    sim_set_observer(n, log_event, log);
    sim_link l;
    sim_link_default(&l);
    l.reorder = 1.0;                       /* extra = delay = 1 ms */
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), 0);
    CHECK_EQ(send_marked(n, a, B_ADDR, 1, 40), SIM_REORDERED);
    l.reorder = 0.0;
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), 0);
    CHECK_EQ(send_marked(n, a, B_ADDR, 2, 40), SIM_DELIVERED);
    l.reorder = 1.0;
    l.reorder_extra = SYNACK_USEC(300);
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), 0);
    CHECK_EQ(send_marked(n, a, B_ADDR, 3, 40), SIM_REORDERED);
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    CHECK_EQ(b->nrx, 3);
    CHECK_EQ(marker_of(&b->rx[0]), 2);
    CHECK_U64(b->rx[0].at, SYNACK_MSEC(1));
    CHECK_EQ(marker_of(&b->rx[1]), 3);
    CHECK_U64(b->rx[1].at, SYNACK_USEC(1300));
    CHECK_EQ(marker_of(&b->rx[2]), 1);
    CHECK_U64(b->rx[2].at, SYNACK_MSEC(2));
    CHECK_EQ(log->ev[0].fate, SIM_REORDERED);
    CHECK_U64(log->ev[0].delivered, SYNACK_MSEC(2));
    CHECK_U64(log->ev[2].delivered, SYNACK_USEC(1300));
    sim_free(n);
    free(log);
    free(a);
    free(b);
}

static int popcount8(uint8_t x)
{
    int c = 0;
    for (; x; x &= (uint8_t)(x - 1))
        c++;
    return c;
}

TEST(corruption_flips_exactly_one_bit)
{
    sim_net *n = sim_new(11);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    evlog *log = calloc(1, sizeof *log);
    sim_set_observer(n, log_event, log);
    sim_link l;
    sim_link_default(&l);
    l.corrupt = 1.0;
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), 0);
    uint8_t orig[200][100];
    for (uint32_t i = 0; i < 200; i++) {
        mkpkt(orig[i], A_ADDR, B_ADDR, i, 100);
        CHECK_EQ(sim_send(n, a->id, orig[i], 100), SIM_CORRUPTED);
    }
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    /* The route is decided before corruption (the bit flips on the wire),
     * so all 200 arrive at b even when an address bit flipped. */
    CHECK_EQ(b->nrx, 200);
    int bits_seen_in_header = 0;
    for (size_t i = 0; i < 200; i++) {
        int flipped = 0;
        size_t where = 0;
        for (size_t k = 0; k < 100; k++) {
            uint8_t d = (uint8_t)(b->rx[i].data[k] ^ orig[i][k]);
            if (d) {
                flipped += popcount8(d);
                where = k * 8 + (size_t)__builtin_clz((unsigned)d << 24);
            }
        }
        CHECK_EQ(flipped, 1);
        CHECK_U64(where, log->ev[i].bit);
        CHECK_EQ(log->ev[i].fate, SIM_CORRUPTED);
        bits_seen_in_header += where < 160;
    }
    /* Uniform over 800 bits: about 40 of 200 land in the first 20 bytes. */
    CHECK(bits_seen_in_header > 15 && bits_seen_in_header < 70);
    sim_stats st;
    sim_stats_get(n, &st);
    CHECK_U64(st.corrupted, 200);
    sim_free(n);
    free(log);
    free(a);
    free(b);
}

TEST(ties_break_by_send_order)
{
    sim_net *n = sim_new(1);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR), *c = fake_add(n, C_ADDR);
    /* Different senders, different links, same arrival instant. */
    sim_link slow;
    sim_link_default(&slow);
    slow.delay = SYNACK_MSEC(3);
    CHECK_EQ(sim_set_link(n, a->id, b->id, &slow), 0);
    CHECK_EQ(send_marked(n, a, B_ADDR, 1, 40), SIM_DELIVERED);   /* arrives at 3 ms */
    CHECK_EQ(sim_run_until(n, SYNACK_MSEC(2)), 0);
    for (uint32_t i = 2; i < 50; i++)                             /* all at 3 ms too */
        CHECK_EQ(send_marked(n, i % 2 ? a : c, B_ADDR, i, 40), SIM_DELIVERED);
    /* a->b is slow (3 ms): only c's packets (1 ms) tie with the first. */
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    CHECK_EQ(b->nrx, 49);
    CHECK_EQ(marker_of(&b->rx[0]), 1);
    CHECK_U64(b->rx[0].at, SYNACK_MSEC(3));
    for (uint32_t i = 1; i < 25; i++) {          /* c's even markers, in order */
        CHECK_EQ(marker_of(&b->rx[i]), 2 * i);
        CHECK_U64(b->rx[i].at, SYNACK_MSEC(3));
    }
    for (uint32_t i = 25; i < 49; i++) {         /* a's odd markers at 5 ms */
        CHECK_EQ(marker_of(&b->rx[i]), 2 * (i - 25) + 3);
        CHECK_U64(b->rx[i].at, SYNACK_MSEC(5));
    }
    sim_free(n);
    free(a);
    free(b);
    free(c);
}

TEST(observer_reports_every_fate)
{
    sim_net *n = sim_new(5);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    evlog *log = calloc(1, sizeof *log);
    sim_set_observer(n, log_event, log);
    sim_link l;
    sim_link_default(&l);
    CHECK_EQ(sim_run_until(n, SYNACK_MSEC(10)), 0);
    CHECK_EQ(send_marked(n, a, B_ADDR, 1, 40), SIM_DELIVERED);
    CHECK_EQ(send_marked(n, a, ADDR(10, 0, 0, 9), 2, 40), SIM_NO_ROUTE);
    CHECK_EQ(sim_drop_nth(n, a->id, b->id, NULL, NULL, 1), 0);
    CHECK_EQ(send_marked(n, a, B_ADDR, 3, 40), SIM_LOST);
    l.corrupt = 1.0;
    l.dup = 1.0;
    CHECK_EQ(sim_set_link(n, a->id, b->id, &l), 0);
    CHECK_EQ(send_marked(n, a, B_ADDR, 4, 40), SIM_CORRUPTED);
    uint8_t tiny[10] = { 0x45 };
    CHECK_EQ(sim_send(n, a->id, tiny, sizeof tiny), SIM_NO_ROUTE);
    CHECK_EQ(log->n, 5);
    static const struct { uint32_t marker; int from, to; sim_fate fate; unsigned effects;
                          synack_time delivered, dup; } want[] = {
        { 1, 0, 1, SIM_DELIVERED, SIM_EFFECT(SIM_DELIVERED), SYNACK_MSEC(11), SYNACK_TIME_NEVER },
        { 2, 0, -1, SIM_NO_ROUTE, SIM_EFFECT(SIM_NO_ROUTE), SYNACK_TIME_NEVER, SYNACK_TIME_NEVER },
        { 3, 0, 1, SIM_LOST, SIM_EFFECT(SIM_LOST), SYNACK_TIME_NEVER, SYNACK_TIME_NEVER },
        { 4, 0, 1, SIM_CORRUPTED,
          SIM_EFFECT(SIM_CORRUPTED) | SIM_EFFECT(SIM_DUPLICATED) | SIM_EFFECT(SIM_DELIVERED),
          SYNACK_MSEC(11), SYNACK_MSEC(11) },
        { 0, 0, -1, SIM_NO_ROUTE, SIM_EFFECT(SIM_NO_ROUTE), SYNACK_TIME_NEVER, SYNACK_TIME_NEVER },
    };
    for (int i = 0; i < 5; i++) {
        CHECK_U64(log->ev[i].id, (uint64_t)i + 1);
        CHECK_U64(log->ev[i].sent, SYNACK_MSEC(10));
        CHECK_EQ(log->marker[i], want[i].marker);
        CHECK_EQ(log->ev[i].from, want[i].from);
        CHECK_EQ(log->ev[i].to, want[i].to);
        CHECK_EQ(log->ev[i].fate, want[i].fate);
        CHECK_U64(log->ev[i].effects, want[i].effects);
        CHECK_U64(log->ev[i].delivered, want[i].delivered);
        CHECK_U64(log->ev[i].dup_delivered, want[i].dup);
        CHECK_EQ(log->ev[i].by_rule, i == 2);
    }
    CHECK_EQ(log->ev[0].len, 40);
    CHECK_EQ(log->ev[4].len, 10);
    CHECK_STR(sim_fate_name(SIM_QUEUE_DROP), "queue-drop");
    CHECK_STR(sim_fate_name(SIM_LOST), "lost");
    CHECK_STR(sim_fate_name(99), "unknown");
    sim_stats st;
    sim_stats_get(n, &st);
    CHECK_U64(st.no_route, 2);
    sim_set_observer(n, NULL, NULL);
    CHECK_EQ(send_marked(n, a, B_ADDR, 5, 40), SIM_CORRUPTED);
    CHECK_EQ(log->n, 5);
    sim_free(n);
    free(log);
    free(a);
    free(b);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

TEST(capture_writes_every_packet_as_sent)
{
    char path[] = "/tmp/synack-simcap-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    sim_net *n = sim_new(1);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    CHECK_EQ(sim_capture(n, path), 0);
    sim_link l;
    sim_link_default(&l);
    l.loss = 1.0;
    CHECK_EQ(sim_set_link(n, b->id, a->id, &l), 0);
    uint8_t p1[40], p2[60], p3[30];
    mkpkt(p1, A_ADDR, B_ADDR, 1, sizeof p1);
    mkpkt(p2, B_ADDR, A_ADDR, 2, sizeof p2);
    mkpkt(p3, A_ADDR, B_ADDR, 3, sizeof p3);
    CHECK_EQ(sim_send(n, a->id, p1, sizeof p1), SIM_DELIVERED);
    CHECK_EQ(sim_run_until(n, SYNACK_USEC(2500)), 0);
    CHECK_EQ(sim_send(n, b->id, p2, sizeof p2), SIM_LOST);    /* lost, still captured */
    CHECK_EQ(sim_inject_at(n, b->id, p3, sizeof p3, SYNACK_SEC(2) + 5), 0);
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(5)), 1);
    CHECK_EQ(sim_capture(n, NULL), 0);                        /* closes the file */
    CHECK_EQ(sim_send(n, a->id, p1, sizeof p1), SIM_DELIVERED);

    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    uint8_t file[1024];
    size_t len = fread(file, 1, sizeof file, f);
    fclose(f);
    unlink(path);
    CHECK_EQ(len, 24 + 16 + 40 + 16 + 60 + 16 + 30);
    CHECK_U64(le32(file), PCAP_MAGIC_NSEC);
    CHECK_U64(le32(file + 20), PCAP_LINKTYPE_RAW);
    const uint8_t *r = file + 24;
    CHECK_U64(le32(r), 0);
    CHECK_U64(le32(r + 4), 0);
    CHECK_U64(le32(r + 8), 40);
    CHECK_MEM(r + 16, p1, 40);
    r += 16 + 40;
    CHECK_U64(le32(r), 0);
    CHECK_U64(le32(r + 4), 2500000);
    CHECK_U64(le32(r + 12), 60);
    CHECK_MEM(r + 16, p2, 60);
    r += 16 + 60;
    CHECK_U64(le32(r), 2);                  /* the injected one, when it arrived */
    CHECK_U64(le32(r + 4), 5);
    CHECK_MEM(r + 16, p3, 30);
    CHECK_EQ(sim_capture(n, "/nonexistent-dir-synack/x.pcap"), -ENOENT);
    sim_free(n);
    free(a);
    free(b);
}

TEST(deadlines_advance_nodes_and_clocks_stay_in_step)
{
    sim_net *n = sim_new(1);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    a->deadline = SYNACK_MSEC(10);
    a->period = SYNACK_MSEC(10);
    CHECK_U64(sim_next_event(n), SYNACK_MSEC(10));
    CHECK_EQ(sim_step(n), 1);
    CHECK_U64(sim_now(n), SYNACK_MSEC(10));
    CHECK_EQ(a->fires, 1);
    CHECK_U64(b->clock, SYNACK_MSEC(10));       /* every node moved along */
    CHECK_EQ(send_marked(n, b, A_ADDR, 1, 40), SIM_DELIVERED);
    CHECK_EQ(sim_run_until(n, SYNACK_MSEC(35)), 0);
    CHECK_EQ(a->fires, 3);                      /* 10, 20, 30 ms */
    CHECK_EQ(a->nrx, 1);
    CHECK_U64(a->rx[0].at, SYNACK_MSEC(11));
    CHECK_U64(a->rx[0].clock_at_delivery, SYNACK_MSEC(11));
    CHECK_U64(sim_now(n), SYNACK_MSEC(35));
    CHECK_U64(a->clock, SYNACK_MSEC(35));
    CHECK_U64(b->clock, SYNACK_MSEC(35));
    /* A periodic timer never goes idle: the limit stops the run. */
    CHECK_EQ(sim_run_until_idle(n, SYNACK_MSEC(100)), 0);
    CHECK_U64(sim_now(n), SYNACK_MSEC(135));
    CHECK_EQ(a->fires, 13);
    a->period = 0;
    CHECK_EQ(sim_run_until_idle(n, SYNACK_MSEC(100)), 1);
    CHECK_EQ(a->fires, 14);
    CHECK_U64(sim_now(n), SYNACK_MSEC(140));
    CHECK_EQ(sim_step(n), 0);
    CHECK_U64(sim_next_event(n), SYNACK_TIME_NEVER);
    /* sim_run_for is relative. */
    CHECK_EQ(sim_run_for(n, SYNACK_MSEC(5)), 0);
    CHECK_U64(sim_now(n), SYNACK_MSEC(145));
    sim_free(n);
    free(a);
    free(b);
}

TEST(past_deadline_is_served_now_and_stuck_node_detected)
{
    sim_net *n = sim_new(1);
    fake *a = fake_add(n, A_ADDR);
    CHECK_EQ(sim_run_until(n, SYNACK_MSEC(50)), 0);
    a->deadline = SYNACK_MSEC(20);              /* already past: clock stays */
    CHECK_U64(sim_next_event(n), SYNACK_MSEC(50));
    CHECK_EQ(sim_step(n), 1);
    CHECK_U64(sim_now(n), SYNACK_MSEC(50));
    CHECK_EQ(a->fires, 1);
    a->deadline = SYNACK_MSEC(60);
    a->stuck = 1;                               /* never clears it */
    CHECK_EQ(sim_step(n), -1);
    CHECK_U64(sim_now(n), SYNACK_MSEC(60));
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), -1);
    CHECK_EQ(sim_run_until(n, SYNACK_SEC(1)), -1);
    sim_free(n);
    free(a);
}

TEST(inject_now_and_later)
{
    sim_net *n = sim_new(1);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    evlog *log = calloc(1, sizeof *log);
    sim_set_observer(n, log_event, log);
    CHECK_EQ(sim_run_until(n, SYNACK_MSEC(3)), 0);
    uint8_t p[40];
    mkpkt(p, ADDR(203, 0, 113, 1), B_ADDR, 77, sizeof p);
    CHECK_EQ(sim_inject_at(n, b->id, p, sizeof p, SYNACK_MSEC(8)), 0);
    CHECK_EQ(sim_inject_at(n, b->id, p, sizeof p, SYNACK_MSEC(2)), SYNACK_EINVAL);
    mkpkt(p, ADDR(203, 0, 113, 1), B_ADDR, 76, sizeof p);
    CHECK_EQ(sim_inject(n, b->id, p, sizeof p), 0);   /* synchronous */
    CHECK_EQ(b->nrx, 1);
    CHECK_EQ(marker_of(&b->rx[0]), 76);
    CHECK_U64(b->rx[0].at, SYNACK_MSEC(3));
    CHECK_EQ(sim_inject(n, 5, p, sizeof p), SYNACK_EINVAL);
    CHECK_EQ(log->n, 1);
    CHECK_EQ(log->ev[0].from, -1);
    CHECK_EQ(log->ev[0].to, b->id);
    CHECK_U64(log->ev[0].delivered, SYNACK_MSEC(3));
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    CHECK_EQ(b->nrx, 2);
    CHECK_EQ(marker_of(&b->rx[1]), 77);
    CHECK_U64(b->rx[1].at, SYNACK_MSEC(8));
    CHECK_EQ(log->n, 2);                      /* reported when it arrived */
    CHECK_U64(log->ev[1].sent, SYNACK_MSEC(8));
    CHECK_EQ(log->ev[1].from, -1);
    CHECK_EQ(a->nrx, 0);
    sim_stats st;
    sim_stats_get(n, &st);
    CHECK_U64(st.injected, 2);
    CHECK_U64(st.sent, 0);
    sim_free(n);
    free(log);
    free(a);
    free(b);
}

TEST(nodes_send_from_inside_deliver)
{
    sim_net *n = sim_new(1);
    fake *a = fake_add(n, A_ADDR), *b = fake_add(n, B_ADDR);
    a->echo = 5;
    b->echo = 5;
    CHECK_EQ(send_marked(n, a, B_ADDR, 9, 40), SIM_DELIVERED);
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(1)), 1);
    CHECK_EQ(b->nrx, 6);
    CHECK_EQ(a->nrx, 5);
    for (size_t i = 0; i < 6; i++)
        CHECK_U64(b->rx[i].at, SYNACK_MSEC(1) + SYNACK_MSEC(2) * i);
    CHECK_U64(sim_now(n), SYNACK_MSEC(11));
    sim_free(n);
    free(a);
    free(b);
}

TEST(node_registration)
{
    sim_net *n = sim_new(1);
    sim_node_ops no_deliver = { 0 };
    CHECK_EQ(sim_add_node(n, A_ADDR, &no_deliver, NULL), SYNACK_EINVAL);
    fake *nodes[9];
    for (uint32_t i = 0; i < 9; i++) {        /* grows past the first capacity */
        nodes[i] = fake_add(n, A_ADDR + i);
        CHECK_EQ(nodes[i]->id, (int)i);
    }
    CHECK_EQ(sim_add_node(n, A_ADDR, &fake_ops, NULL), SYNACK_EINVAL);
    CHECK_EQ(sim_add_node(n, 0, &fake_ops, NULL), SYNACK_EINVAL);
    CHECK_EQ(sim_node_count(n), 9);
    CHECK_EQ(sim_node_by_addr(n, A_ADDR + 8), 8);
    CHECK_EQ(sim_node_by_addr(n, C_ADDR + 100), -1);
    CHECK_U64(sim_node_addr(n, 3), A_ADDR + 3);
    /* Link settings survive the matrix growing. */
    sim_net *m = sim_new(1);
    fake *x = fake_add(m, A_ADDR), *y = fake_add(m, B_ADDR);
    sim_link l, got;
    sim_link_default(&l);
    l.delay = SYNACK_MSEC(7);
    l.loss = 0.25;
    CHECK_EQ(sim_set_link(m, x->id, y->id, &l), 0);
    fake *more[6];
    for (uint32_t i = 0; i < 6; i++)
        more[i] = fake_add(m, C_ADDR + i);
    CHECK_EQ(sim_get_link(m, x->id, y->id, &got), 0);
    CHECK_U64(got.delay, SYNACK_MSEC(7));
    CHECK(got.loss == 0.25);
    CHECK_EQ(sim_get_link(m, more[5]->id, x->id, &got), 0);
    CHECK_U64(got.delay, SYNACK_MSEC(1));
    CHECK_EQ(sim_get_link(m, 8, 0, &got), SYNACK_EINVAL);
    for (int i = 0; i < 9; i++)
        free(nodes[i]);
    for (int i = 0; i < 6; i++)
        free(more[i]);
    sim_free(n);
    sim_free(m);
    free(x);
    free(y);
}

static int destroyed;
static void count_destroy(void *ctx)
{
    (void)ctx;
    destroyed++;
}

TEST(free_destroys_nodes_and_packets_in_flight)
{
    sim_net *n = sim_new(1);
    fake *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    sim_node_ops ops = fake_ops;
    ops.destroy = count_destroy;
    a->net = b->net = n;
    a->deadline = b->deadline = SYNACK_TIME_NEVER;
    a->id = sim_add_node(n, A_ADDR, &ops, a);
    b->id = sim_add_node(n, B_ADDR, &ops, b);
    for (uint32_t i = 0; i < 100; i++)
        CHECK_EQ(send_marked(n, a, B_ADDR, i, 100), SIM_DELIVERED);
    destroyed = 0;
    sim_free(n);                             /* ASan checks nothing leaks */
    CHECK_EQ(destroyed, 2);
    sim_free(NULL);
    free(a);
    free(b);
}

TEST_MAIN()
