/* test_sim_stack.c — real synack stacks on the simulated network: the
 * handshake's exact timing, data and a full close through TIME-WAIT in
 * virtual time, a lost SYN recovered by retransmission, a corrupted SYN
 * dropped by the receiver's checksum, pcap capture of a connection, and
 * whole-run determinism per seed. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "sim/sim.h"
#include "support/h_packet.h"
#include "support/h_spec.h"

#define CLIENT 0xC6120001u      /* 198.18.0.1 */
#define SERVER 0xC6120002u      /* 198.18.0.2 */

typedef struct pktlog {
    size_t n;
    struct {
        sim_packet_event ev;
        synack_segment seg;
        int is_tcp;
    } e[4096];
} pktlog;

static void log_packet(void *ctx, const sim_packet_event *ev)
{
    pktlog *l = ctx;
    CHECK(l->n < sizeof l->e / sizeof l->e[0]);
    l->e[l->n].ev = *ev;
    l->e[l->n].ev.pkt = NULL;
    const uint8_t *payload;
    char why[128];
    l->e[l->n].is_tcp = h_parse_datagram(ev->pkt, ev->len, &l->e[l->n].seg, &payload, why,
                                         sizeof why) == 0;
    l->n++;
}

typedef struct pair {
    sim_net *net;
    synack_stack *c, *s;
    int cn, sn;                 /* node ids */
    int listener;
} pair;

/* A client and a listening server (port 80); the network's PRNG gets
 * net_seed, the stacks stack_seed and stack_seed + 1. */
static void pair_new2(pair *p, uint64_t net_seed, uint64_t stack_seed)
{
    synack_config cfg;
    p->net = sim_new(net_seed);
    CHECK(p->net != NULL);
    synack_config_default(&cfg);
    cfg.addr = CLIENT;
    cfg.seed = stack_seed;
    p->cn = sim_add_stack(p->net, &cfg, &p->c);
    CHECK_EQ(p->cn, 0);
    synack_config_default(&cfg);
    cfg.addr = SERVER;
    cfg.seed = stack_seed + 1;
    p->sn = sim_add_stack(p->net, &cfg, &p->s);
    CHECK_EQ(p->sn, 1);
    p->listener = synack_socket(p->s);
    CHECK_EQ(synack_bind(p->s, p->listener, 0, 80), 0);
    CHECK_EQ(synack_listen(p->s, p->listener, 8), 0);
}

static void pair_new(pair *p, uint64_t seed)
{
    pair_new2(p, seed, seed);
}

static int connect_client(pair *p)
{
    int h = synack_socket(p->c);
    CHECK(h >= 0);
    CHECK_EQ(synack_connect(p->c, h, SERVER, 80), SYNACK_EINPROGRESS);
    return h;
}

TEST(handshake_timing_over_default_links)
{
    pair p;
    pair_new(&p, 1);
    pktlog *log = calloc(1, sizeof *log);
    sim_set_observer(p.net, log_packet, log);
    int ch = connect_client(&p);
    CHECK_EQ(sim_run_until_idle(p.net, SYNACK_SEC(10)), 1);
    CHECK_EQ(synack_get_state(p.c, ch), SYNACK_ESTABLISHED);
    int sh = synack_accept(p.s, p.listener, NULL);
    CHECK(sh >= 0);
    CHECK_EQ(synack_get_state(p.s, sh), SYNACK_ESTABLISHED);
    CHECK_U64(sim_now(p.net), SYNACK_MSEC(3));       /* the ACK arrived */
    /* Send time, arrival, flags; 1 ms each way (the default link). */
    CHECK_EQ(log->n, 3);
    static const struct { int from; synack_time sent; uint8_t flags; } want[] = {
        { 0, 0, SYNACK_TCP_SYN },
        { 1, SYNACK_MSEC(1), SYNACK_TCP_SYN | SYNACK_TCP_ACK },
        { 0, SYNACK_MSEC(2), SYNACK_TCP_ACK },
    };
    for (int i = 0; i < 3; i++) {
        CHECK(log->e[i].is_tcp);
        CHECK_EQ(log->e[i].ev.from, want[i].from);
        CHECK_EQ(log->e[i].ev.to, 1 - want[i].from);
        CHECK_U64(log->e[i].ev.sent, want[i].sent);
        CHECK_U64(log->e[i].ev.delivered, want[i].sent + SYNACK_MSEC(1));
        CHECK_EQ(log->e[i].ev.fate, SIM_DELIVERED);
        CHECK_EQ(log->e[i].seg.flags, want[i].flags);
    }
    /* The SYN-ACK acknowledges the SYN; the ACK the SYN-ACK. */
    CHECK_U64(log->e[1].seg.ack, log->e[0].seg.seq + 1);
    CHECK_U64(log->e[2].seg.ack, log->e[1].seg.seq + 1);
    CHECK_U64(synack_now(p.c), SYNACK_MSEC(3));       /* clocks in step */
    CHECK_U64(synack_now(p.s), SYNACK_MSEC(3));
    sim_free(p.net);
    free(log);
}

/* Moves len bytes from one side to the other, stepping the network. */
static void transfer(pair *p, synack_stack *from, int fh, synack_stack *to, int th, size_t len)
{
    uint8_t *data = malloc(len), *got = malloc(len);
    CHECK(data && got);
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)(i * 31 + 7);
    size_t sent = 0, recvd = 0;
    for (int guard = 0; recvd < len && guard < 1000000; guard++) {
        if (sent < len) {
            long n = synack_send(from, fh, data + sent, len - sent);
            if (n > 0)
                sent += (size_t)n;
            else
                CHECK_EQ(n, SYNACK_EAGAIN);
        }
        long r = synack_recv(to, th, got + recvd, len - recvd);
        if (r > 0)
            recvd += (size_t)r;
        else
            CHECK_EQ(r, SYNACK_EAGAIN);
        if (recvd < len)
            CHECK_EQ(sim_step(p->net), 1);
    }
    CHECK_EQ(recvd, len);
    CHECK_MEM(got, data, len);
    free(data);
    free(got);
}

TEST(data_and_close_through_time_wait)
{
    pair p;
    pair_new(&p, 2);
    int ch = connect_client(&p);
    CHECK_EQ(sim_run_until_idle(p.net, SYNACK_SEC(10)), 1);
    int sh = synack_accept(p.s, p.listener, NULL);
    CHECK(sh >= 0);
    transfer(&p, p.c, ch, p.s, sh, 200000);
    transfer(&p, p.s, sh, p.c, ch, 5000);

    CHECK_EQ(synack_close(p.c, ch), 0);                 /* client closes first */
    /* The client's FIN-WAIT-2 timer keeps the network from going idle. */
    CHECK_EQ(sim_run_until_idle(p.net, SYNACK_SEC(1)), 0);
    uint8_t b[8];
    CHECK_EQ(synack_recv(p.s, sh, b, sizeof b), 0);    /* EOF */
    CHECK_EQ(synack_close(p.s, sh), 0);
    synack_time closed_at = sim_now(p.net);
    /* 2 x MSL = 60 s of TIME-WAIT, no real time spent. */
    CHECK_EQ(sim_run_until_idle(p.net, SYNACK_SEC(120)), 1);
    CHECK(sim_now(p.net) >= closed_at + SYNACK_SEC(59));
    CHECK(sim_now(p.net) <= closed_at + SYNACK_SEC(61));
    synack_stats cs, ss;
    synack_stats_get(p.c, &cs);
    synack_stats_get(p.s, &ss);
    CHECK_U64(cs.conns_live, 0);
    CHECK_U64(ss.conns_live, 0);
    CHECK_U64(cs.tcp_retransmits, 0);
    sim_free(p.net);
}

TEST(lost_syn_is_retransmitted_after_rto)
{
    pair p;
    pair_new(&p, 3);
    pktlog *log = calloc(1, sizeof *log);
    sim_set_observer(p.net, log_packet, log);
    sim_tcp_flags syn = { SYNACK_TCP_SYN, SYNACK_TCP_SYN | SYNACK_TCP_ACK };
    CHECK_EQ(sim_drop_nth(p.net, p.cn, p.sn, sim_match_tcp_flags, &syn, 1), 0);
    int ch = connect_client(&p);
    CHECK_EQ(sim_run_until_idle(p.net, SYNACK_SEC(10)), 1);
    CHECK_EQ(synack_get_state(p.c, ch), SYNACK_ESTABLISHED);
    CHECK_EQ(log->n, 4);
    CHECK_EQ(log->e[0].ev.fate, SIM_LOST);
    CHECK_EQ(log->e[0].ev.by_rule, 1);
    CHECK_EQ(log->e[0].seg.flags, SYNACK_TCP_SYN);
    /* RFC 6298 (2.1): initial RTO 1 s; the same SYN again. */
    CHECK_U64(log->e[1].ev.sent, SYNACK_SEC(1));
    CHECK_EQ(log->e[1].seg.flags, SYNACK_TCP_SYN);
    CHECK_U64(log->e[1].seg.seq, log->e[0].seg.seq);
    CHECK_EQ(log->e[1].ev.fate, SIM_DELIVERED);
    CHECK_EQ(log->e[2].seg.flags, SYNACK_TCP_SYN | SYNACK_TCP_ACK);
    CHECK_EQ(log->e[3].seg.flags, SYNACK_TCP_ACK);
    CHECK_U64(sim_now(p.net), SYNACK_SEC(1) + SYNACK_MSEC(3));
    synack_stats cs;
    synack_stats_get(p.c, &cs);
    CHECK_U64(cs.tcp_retransmits, 1);
    sim_free(p.net);
    free(log);
}

TEST(corrupted_syn_is_dropped_by_the_receiver)
{
    pair p;
    pair_new(&p, 4);
    sim_link l;
    sim_link_default(&l);
    l.corrupt = 1.0;
    CHECK_EQ(sim_set_link(p.net, p.cn, p.sn, &l), 0);
    int ch = connect_client(&p);
    CHECK_EQ(sim_run_until(p.net, SYNACK_MSEC(500)), 0);
    synack_stats ss;
    synack_stats_get(p.s, &ss);
    uint64_t drops = 0;
    for (int i = 0; i < SYNACK_DROP_COUNT; i++)
        drops += ss.drops[i];
    CHECK_U64(drops, 1);
    CHECK_U64(ss.conns_passive, 0);
    sim_link_default(&l);
    CHECK_EQ(sim_set_link(p.net, p.cn, p.sn, &l), 0);
    CHECK_EQ(sim_run_until_idle(p.net, SYNACK_SEC(10)), 1);
    CHECK_EQ(synack_get_state(p.c, ch), SYNACK_ESTABLISHED);
    sim_free(p.net);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

TEST(capture_of_a_handshake)
{
    char path[] = "/tmp/synack-simstack-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    pair p;
    pair_new(&p, 5);
    CHECK_EQ(sim_capture(p.net, path), 0);
    connect_client(&p);
    CHECK_EQ(sim_run_until_idle(p.net, SYNACK_SEC(10)), 1);
    sim_free(p.net);                      /* closes the capture */

    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    static uint8_t file[65536];
    size_t len = fread(file, 1, sizeof file, f);
    fclose(f);
    unlink(path);
    CHECK(len > 24);
    size_t off = 24, count = 0;
    static const uint8_t flags[3] = { SYNACK_TCP_SYN, SYNACK_TCP_SYN | SYNACK_TCP_ACK, SYNACK_TCP_ACK };
    while (off + 16 <= len) {
        uint32_t incl = le32(file + off + 8);
        CHECK(off + 16 + incl <= len);
        CHECK(count < 3);
        synack_segment seg;
        const uint8_t *payload;
        char why[128];
        CHECK_EQ(h_parse_datagram(file + off + 16, incl, &seg, &payload, why, sizeof why), 0);
        CHECK_EQ(seg.flags, flags[count]);
        CHECK_U64(le32(file + off + 4), SYNACK_MSEC(1) * count);   /* 0, 1, 2 ms */
        off += 16 + incl;
        count++;
    }
    CHECK_EQ(off, len);
    CHECK_EQ(count, 3);
}

/* A lossy bulk transfer; returns a digest of every packet event. */
static uint64_t lossy_run(uint64_t seed)
{
    pair p;
    pair_new2(&p, seed, 9);               /* same stacks; only the network seed varies */
    sim_link l;
    sim_link_default(&l);
    l.loss = 0.05;
    l.rate_bps = 10000000;
    CHECK_EQ(sim_set_link(p.net, 0, 1, &l), 0);
    CHECK_EQ(sim_set_link(p.net, 1, 0, &l), 0);
    pktlog *log = calloc(1, sizeof *log);
    sim_set_observer(p.net, log_packet, log);
    int ch = connect_client(&p);
    int sh = -1;
    for (int guard = 0; sh < 0 && guard < 100000; guard++) {
        CHECK_EQ(sim_step(p.net), 1);
        sh = synack_accept(p.s, p.listener, NULL);
    }
    CHECK(sh >= 0);
    transfer(&p, p.c, ch, p.s, sh, 100000);
    uint64_t digest = 1469598103934665603u;      /* FNV-1a over the events */
    for (size_t i = 0; i < log->n; i++) {
        uint64_t v[4] = { log->e[i].ev.sent, log->e[i].ev.delivered,
                          (uint64_t)log->e[i].ev.fate, log->e[i].ev.len };
        for (int k = 0; k < 4; k++) {
            digest ^= v[k];
            digest *= 1099511628211u;
        }
    }
    sim_stats st;
    sim_stats_get(p.net, &st);
    CHECK(st.lost > 0);
    sim_free(p.net);
    free(log);
    return digest;
}

TEST(whole_runs_are_deterministic_per_seed)
{
    uint64_t a = lossy_run(100), b = lossy_run(100), c = lossy_run(101);
    CHECK_U64(a, b);
    CHECK(a != c);
}

static int observed;
static void count_events(void *ctx, const synack_trace_event *ev)
{
    (void)ctx;
    (void)ev;
    observed++;
}

static void offload_tx(void *ctx, const uint8_t *pkt, size_t len, const synack_tx_info *info)
{
    (void)ctx;
    (void)pkt;
    (void)len;
    (void)info;
    CHECK(0);                             /* the sim must have replaced it */
}

TEST(adapter_config_handling)
{
    sim_net *n = sim_new(1);
    CHECK_EQ(sim_run_until(n, SYNACK_MSEC(250)), 0);
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = CLIENT;
    cfg.observer = count_events;
    cfg.tx_offload = offload_tx;
    cfg.tso_max = 60000;
    cfg.csum_offload = 1;
    synack_stack *c, *s, *dup;
    CHECK_EQ(sim_add_stack(n, &cfg, &c), 0);
    CHECK(cfg.tx != NULL);
    CHECK(cfg.tx_offload == NULL);
    CHECK_EQ(cfg.tso_max, 0);
    CHECK_EQ(cfg.csum_offload, 0);
    CHECK(cfg.observer == count_events);
    CHECK_U64(synack_now(c), SYNACK_MSEC(250));     /* joined at the sim's time */
    CHECK_EQ(sim_add_stack(n, &cfg, &dup), SYNACK_EINVAL);  /* address taken */
    cfg.addr = 0;
    CHECK_EQ(sim_add_stack(n, &cfg, &dup), SYNACK_EINVAL);
    synack_config_default(&cfg);
    cfg.addr = SERVER;
    cfg.mtu = 10;                                    /* refused by the stack */
    CHECK_EQ(sim_add_stack(n, &cfg, &dup), SYNACK_EINVAL);
    CHECK_EQ(sim_node_count(n), 1);
    cfg.mtu = 1500;
    CHECK_EQ(sim_add_stack(n, &cfg, &s), 1);
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    observed = 0;
    int h = synack_socket(c);
    CHECK_EQ(synack_connect(c, h, SERVER, 80), SYNACK_EINPROGRESS);
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(10)), 1);
    CHECK_EQ(synack_get_state(c, h), SYNACK_ESTABLISHED);
    CHECK(observed >= 4);     /* the caller's observer still sees the client */
    sim_free(n);
}

TEST_MAIN()
