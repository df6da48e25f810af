/* test_dp_cwnd.c — the congestion window seen from the wire, packet by
 * packet: the initial window of RFC 6928 (min(10 MSS, max(2 MSS, 14600)):
 * ten segments for ordinary MSS values, two for a jumbo MSS), slow start
 * growth (RFC 5681 3.1; stretch ACKs count up to 2 SMSS, RFC 3465), and
 * CUBIC (RFC 9438) against NewReno (RFC 5681/6582) after one loss,
 * observed as the number of segments sent per round trip.
 *
 * Harness defaults otherwise, TCP_NODELAY; peer 198.18.0.1:40000, ISN
 * 1000. */
#include "check.h"
#include "support/harness.h"

static uint8_t data[1 << 16];

static harness *new_h(uint16_t mtu, uint32_t sndbuf)
{
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = H_DEFAULT_LOCAL_ADDR;
    cfg.mtu = mtu;
    cfg.delack = 0;
    cfg.rcvbuf = 65535;
    cfg.sndbuf = sndbuf;
    return h_new(&cfg);
}

/* Accepts the peer's SYN with syn_opts; the peer's ACK is "ack_opts".
 * Window 65535 (scaled by the peer's shift if it offered one). */
static int open_conn(harness *h, const char *syn_opts, const char *ack_opts, int cc,
                     uint32_t *isn)
{
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_setopt(s, l, SYNACK_TCP_CONGESTION, cc), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 %s", syn_opts), 0);
    *isn = h_pop(h).seq;
    /* The handshake takes one 80 ms round trip: SRTT starts at 80 ms. */
    h_advance(h, SYNACK_MSEC(80));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 %s", *isn + 1, ack_opts), 0);
    h_expect_nothing(h);
    int c = synack_accept(h_stack(h), l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    return c;
}

/* Expects n segments of seg bytes from a + off, and nothing after. */
static void expect_run(harness *h, uint32_t a, uint32_t off, uint32_t n, uint32_t seg)
{
    for (uint32_t i = 0; i < n; i++)
        h_expect(h, ". %u:%u(%u) ack 1001", a + off + i * seg, a + off + (i + 1) * seg, seg);
    h_expect_nothing(h);
}

TEST(initial_window_ten_segments)
{
    harness *h = new_h(1500, 65535);
    uint32_t isn;
    int c = open_conn(h, "<mss 1460>", "", SYNACK_CC_NEWRENO, &isn);
    CHECK_EQ(synack_send(h_stack(h), c, data, 30000), 30000);
    expect_run(h, isn + 1, 0, 10, 1460);
    h_free(h);
}

TEST(initial_window_ten_segments_with_timestamps)
{
    harness *h = new_h(1500, 65535);
    uint32_t isn;
    int c = open_conn(h, "<mss 1460,TS val 1 ecr 0>", "<TS val 2 ecr 1000>", SYNACK_CC_CUBIC,
                      &isn);
    /* SMSS = 1448 here: min(14480, max(2896, 14600)) = 14480. */
    CHECK_EQ(synack_send(h_stack(h), c, data, 30000), 30000);
    expect_run(h, isn + 1, 0, 10, 1448);
    h_free(h);
}

TEST(initial_window_small_mss)
{
    harness *h = new_h(1500, 65535);
    uint32_t isn;
    int c = open_conn(h, "<mss 536>", "", SYNACK_CC_NEWRENO, &isn);
    CHECK_EQ(synack_send(h_stack(h), c, data, 30000), 30000);
    expect_run(h, isn + 1, 0, 10, 536);
    h_free(h);
}

TEST(initial_window_jumbo_mss_two_segments)
{
    harness *h = new_h(9000, 65535);
    uint32_t isn;
    /* SMSS 8960: max(2 * 8960, 14600) = 17920 = two segments. */
    int c = open_conn(h, "<mss 8960>", "", SYNACK_CC_NEWRENO, &isn);
    CHECK_EQ(synack_send(h_stack(h), c, data, 30000), 30000);
    expect_run(h, isn + 1, 0, 2, 8960);
    h_free(h);
}

TEST(slow_start_two_segments_per_ack)
{
    harness *h = new_h(1500, 1 << 20);
    uint32_t isn;
    int c = open_conn(h, "<mss 1460,wscale 7>", "", SYNACK_CC_NEWRENO, &isn);
    uint32_t a = isn + 1;
    CHECK_EQ(synack_send(h_stack(h), c, data, sizeof data), (long)sizeof data);
    expect_run(h, a, 0, 10, 1460);
    /* Each ACK of one segment: cwnd += 1 SMSS (RFC 5681 3.1), one
     * segment left the network, so two go out. */
    uint32_t next = 10;
    for (uint32_t i = 1; i <= 10; i++) {
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + i * 1460), 0);
        expect_run(h, a, next * 1460, 2, 1460);
        next += 2;
    }
    /* cwnd is now 20 segments, 20 in flight. One ACK for four segments
     * (a stretch ACK) adds 2 SMSS, the RFC 3465 limit L: 4 + 2 = 6. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 14 * 1460), 0);
    expect_run(h, a, next * 1460, 6, 1460);
    h_free(h);
}

/* ------------------------------------------------ CUBIC vs NewReno */

/* 80 ms: with RTO at its 200 ms floor the fast retransmission's ACK (two
 * round trips after the lost segment left) arrives before the timer. */
#define RTT SYNACK_MSEC(80)
#define MAXSEG 512

/* The peer side of a bulk transfer: a receiver that ACKs every segment
 * when it arrives, one RTT after the round's segments were sent, and
 * loses the segments it is told to. */
typedef struct peer {
    harness *h;
    int c;
    uint32_t a;                 /* our ISS + 1 */
    uint32_t rcv_nxt;           /* relative to a */
    uint32_t held[MAXSEG][2];   /* out-of-order ranges (relative) */
    int nheld;
    long queued;                /* bytes handed to synack_send */
} peer;

static void refill(peer *p)
{
    for (;;) {
        long r = synack_send(h_stack(p->h), p->c, data, sizeof data);
        if (r == SYNACK_EAGAIN)
            return;
        CHECK(r > 0);
        p->queued += r;
    }
}

static void arrive(peer *p, uint32_t lo, uint32_t hi)
{
    if (p->nheld < MAXSEG) {
        p->held[p->nheld][0] = lo;
        p->held[p->nheld][1] = hi;
        p->nheld++;
    }
    for (int moved = 1; moved;) {
        moved = 0;
        for (int i = 0; i < p->nheld; i++) {
            if (p->held[i][0] <= p->rcv_nxt && p->held[i][1] > p->rcv_nxt) {
                p->rcv_nxt = p->held[i][1];
                moved = 1;
            }
        }
    }
    int k = 0;
    for (int i = 0; i < p->nheld; i++) {
        if (p->held[i][1] > p->rcv_nxt) {
            p->held[k][0] = p->held[i][0];
            p->held[k][1] = p->held[i][1];
            k++;
        }
    }
    p->nheld = k;
}

/* One round trip: takes every segment the stack has sent, waits RTT,
 * delivers them (except the lose-th new one, 1-based; 0 = none), ACKing
 * each. Returns how many data segments the round held. */
static int round_trip(peer *p, int lose)
{
    uint32_t segs[MAXSEG][2];
    int n = 0;
    while (h_pending(p->h)) {
        synack_segment g = h_pop(p->h);
        if (g.len == 0)
            continue;
        CHECK(n < MAXSEG);
        segs[n][0] = g.seq - p->a;
        segs[n][1] = g.seq - p->a + g.len;
        n++;
    }
    h_advance(p->h, RTT);
    for (int i = 0; i < n; i++) {
        if (i + 1 == lose)
            continue;
        arrive(p, segs[i][0], segs[i][1]);
        CHECK_EQ(h_inject(p->h, ". 1001:1001(0) ack %u win 65535", p->a + p->rcv_nxt), 0);
    }
    refill(p);
    return n;
}

/* Rounds of a bulk transfer (slow start: 10, 20, 40, 80, 160 segments)
 * with the first segment of round 5 lost. */
static void run_flow(int cc, int *counts, int nrounds)
{
    harness *h = new_h(1500, 1 << 20);
    peer p;
    memset(&p, 0, sizeof p);
    p.h = h;
    uint32_t isn;
    p.c = open_conn(h, "<mss 1460,wscale 7>", "", cc, &isn);
    p.a = isn + 1;
    refill(&p);
    for (int r = 0; r < nrounds; r++)
        counts[r] = round_trip(&p, r == 4 ? 1 : 0);
    h_free(h);
}

TEST(cubic_vs_newreno_after_a_loss)
{
    enum { N = 16 };
    int reno[N], cubic[N];
    run_flow(SYNACK_CC_NEWRENO, reno, N);
    run_flow(SYNACK_CC_CUBIC, cubic, N);
    printf("segments per round trip (loss in round 5):\n  newreno:");
    for (int i = 0; i < N; i++)
        printf(" %d", reno[i]);
    printf("\n  cubic:  ");
    for (int i = 0; i < N; i++)
        printf(" %d", cubic[i]);
    printf("\n");
    /* Round 5 sends 160 segments and loses the first: 159 duplicate
     * ACKs. The fast retransmit and the window inflation of RFC 6582
     * (+1 SMSS per further duplicate) let round 6 carry the
     * retransmission plus cwnd - 160 new segments, and the full ACK
     * leaves recovery with cwnd = ssthresh.
     *
     * NewReno: ssthresh = FlightSize / 2 = 80 (RFC 5681 eq. 4); then
     * congestion avoidance adds one segment per round trip.
     * CUBIC: ssthresh = 0.7 * 160 = 112 (RFC 9438 4.6), W_max = 160,
     * K = cbrt((160 - 112) / 0.4) = 4.93 s; each round reaches
     * W(t + RTT) = 0.4 (t + RTT - K)^3 + 160 with RTT = 80 ms:
     * W(0.08) = 114.3, W(0.16) = 116.5, W(0.24) = 118.7, ... W(0.80) =
     * 131.8 — above the Reno-friendly estimate (4.3), which grows by
     * only 9/17 segment per round. */
    static const int want_reno[N] = { 10, 20, 40, 80, 160, 80, 80, 81,
                                      82, 83, 84, 85, 86, 87, 88, 89 };
    static const int want_cubic[N] = { 10, 20, 40, 80, 160, 112, 114, 116,
                                       118, 120, 122, 124, 126, 128, 130, 131 };
    for (int i = 0; i < N; i++) {
        CHECK_EQ(reno[i], want_reno[i]);
        CHECK_EQ(cubic[i], want_cubic[i]);
    }
}

/* RFC 5681 3.1 (kept by RFC 6928 2): "if the SYN or SYN/ACK is lost, the
 * initial window used by a sender after a correctly transmitted SYN MUST
 * be one segment". Passive side: our SYN-ACK times out once and is resent;
 * then one segment goes out, and slow start resumes from it. */
TEST(initial_window_one_segment_after_a_lost_synack)
{
    harness *h = new_h(1500, 65535);
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>"), 0);
    uint32_t isn = h_pop(h).seq;
    h_advance(h, SYNACK_SEC(1));                    /* initial RTO: resent */
    h_expect(h, "S. %u:%u(0) ack 1001 <mss 1460>", isn, isn);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", isn + 1), 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    CHECK_EQ(synack_send(s, c, data, 30000), 30000);
    expect_run(h, isn + 1, 0, 1, 1460);
    /* Its ACK: slow start, two more (cwnd 1 MSS + 1460 acked). */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", isn + 1 + 1460), 0);
    expect_run(h, isn + 1, 1460, 2, 1460);
    h_free(h);
}

/* Active side: our SYN is resent before the SYN-ACK comes; one segment. */
TEST(initial_window_one_segment_after_a_lost_syn)
{
    harness *h = new_h(1500, 65535);
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int c = synack_socket(s);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    CHECK_EQ(synack_bind(s, c, 0, h->local_port), 0);
    CHECK_EQ(synack_connect(s, c, h->peer_addr, h->peer_port), SYNACK_EINPROGRESS);
    synack_segment syn = h_pop(h);
    h_advance(h, SYNACK_SEC(1));
    synack_segment again = h_pop(h);
    CHECK_EQ(again.flags, SYNACK_TCP_SYN);
    CHECK_EQ(again.seq, syn.seq);
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u win 65535 <mss 1460>", syn.seq + 1), 0);
    h_expect(h, ". %u:%u(0) ack 5001", syn.seq + 1, syn.seq + 1);
    CHECK_EQ(synack_send(s, c, data, 30000), 30000);
    h_expect(h, ". %u:%u(1460) ack 5001", syn.seq + 1, syn.seq + 1461);
    h_expect_nothing(h);
    h_free(h);
}

/* Grows cwnd to 20 segments: 10 sent, acknowledged two at a time (slow
 * start adds 2 SMSS per ACK). Returns the sequence offset reached. */
static uint32_t grow_to_twenty(harness *h, int c, uint32_t isn)
{
    CHECK_EQ(synack_send(h_stack(h), c, data, 14600), 14600);
    for (uint32_t i = 0; i < 10; i++)       /* the last one ends the data: PSH */
        h_expect(h, "%s %u:%u(1460) ack 1001", i == 9 ? "P." : ".", isn + 1 + i * 1460,
                 isn + 1 + (i + 1) * 1460);
    h_expect_nothing(h);
    for (uint32_t i = 1; i <= 5; i++)
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", isn + 1 + i * 2920), 0);
    h_expect_nothing(h);
    return 14600;
}

/* RFC 5681 4.1: after more than an RTO without sending, cwnd restarts
 * from RW = min(IW, cwnd): 10 segments, not the 20 it had grown to. */
TEST(restart_window_after_an_idle_rto)
{
    harness *h = new_h(1500, 65535);
    uint32_t isn;
    int c = open_conn(h, "<mss 1460>", "", SYNACK_CC_NEWRENO, &isn);
    uint32_t off = grow_to_twenty(h, c, isn);
    h_advance(h, SYNACK_SEC(2));        /* RTO here: 240 ms (one 80 ms sample) */
    CHECK_EQ(synack_send(h_stack(h), c, data, 40000), 40000);
    expect_run(h, isn + 1, off, 10, 1460);
    h_free(h);
}

/* Within the RTO the window is kept: 20 segments at once. */
TEST(no_restart_within_the_rto)
{
    harness *h = new_h(1500, 65535);
    uint32_t isn;
    int c = open_conn(h, "<mss 1460>", "", SYNACK_CC_NEWRENO, &isn);
    uint32_t off = grow_to_twenty(h, c, isn);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(synack_send(h_stack(h), c, data, 40000), 40000);
    expect_run(h, isn + 1, off, 20, 1460);
    h_free(h);
}

/* RFC 9438 4.6 / RFC 7661: a sender that never fills its window does not
 * grow it. Five round trips of two segments, each acknowledged: cwnd stays
 * at the initial 10 segments (slow start would otherwise have added 2 SMSS
 * per ACK, 20 segments), so a large write then goes out as 10. */
TEST(application_limited_sender_keeps_its_window)
{
    harness *h = new_h(1500, 65535);
    uint32_t isn;
    int c = open_conn(h, "<mss 1460>", "", SYNACK_CC_NEWRENO, &isn);
    uint32_t off = 0;
    for (int round = 0; round < 5; round++) {
        CHECK_EQ(synack_send(h_stack(h), c, data, 2920), 2920);
        h_expect(h, ". %u:%u(1460) ack 1001", isn + 1 + off, isn + 1 + off + 1460);
        h_expect(h, "P. %u:%u(1460) ack 1001", isn + 1 + off + 1460, isn + 1 + off + 2920);
        h_advance(h, SYNACK_MSEC(80));
        off += 2920;
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", isn + 1 + off), 0);
        h_expect_nothing(h);
    }
    CHECK_EQ(synack_send(h_stack(h), c, data, 40000), 40000);
    expect_run(h, isn + 1, off, 10, 1460);
    h_free(h);
}

/* Waits (10 ms steps, at most max_ms) for the retransmission timer's
 * resend of the segment at seq. */
static void expect_rto_resend(harness *h, uint32_t seq, int max_ms)
{
    for (int ms = 0; ms < max_ms && !h_pending(h); ms += 10)
        h_advance(h, SYNACK_MSEC(10));
    h_expect(h, ". %u:%u(1460) ack 1001", seq, seq + 1460);
    h_expect_nothing(h);
}

/* RFC 5681 3.1: when the timer expires again for a segment it already
 * resent, "the value of ssthresh is held constant". CUBIC's ssthresh after
 * the first timeout is 0.7 cwnd (7 segments); recomputed from the
 * one-segment cwnd of the second timeout it would fall to 2 segments and
 * slow start would end at the first ACK. Held, slow start goes on: the two
 * segments of the second round, acknowledged one by one, release four. */
TEST(second_timeout_keeps_ssthresh)
{
    harness *h = new_h(1500, 65535);
    uint32_t isn;
    int c = open_conn(h, "<mss 1460>", "", SYNACK_CC_CUBIC, &isn);
    uint32_t a = isn + 1;
    CHECK_EQ(synack_send(h_stack(h), c, data, 20 * 1460), 20 * 1460);
    expect_run(h, a, 0, 10, 1460);
    expect_rto_resend(h, a, 5000);          /* first timeout */
    expect_rto_resend(h, a, 10000);         /* second, after the backoff */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 1460), 0);
    expect_run(h, a, 1460, 2, 1460);        /* cwnd 2 */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 2920), 0);
    expect_run(h, a, 4380, 2, 1460);        /* cwnd 3, one in flight */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", a + 4380), 0);
    expect_run(h, a, 7300, 2, 1460);        /* cwnd 4, two in flight */
    h_free(h);
}

TEST_MAIN()
