/* test_dp_mss.c — segment sizes, packet by packet: the MSS we advertise
 * (MTU - 40, RFC 9293 3.7.1), the peer's MSS option bounding our
 * segments, 536 when the peer sends none, TCP_MAXSEG clamping both what
 * we advertise and what we send, the 12 bytes the timestamp option takes
 * from each segment (RFC 6691), and TCP_MAXSEG refused once connected.
 *
 * Harness defaults otherwise; TCP_NODELAY so every queued byte goes out;
 * the peer is 198.18.0.1:40000 with ISN 1000. */
#include "check.h"
#include "support/harness.h"

static uint32_t expect_synack(harness *h, const char *rest)
{
    synack_segment sa = h_pop(h);
    char text[256], err[128], why[256];
    snprintf(text, sizeof text, "S. %u:%u(0) %s", sa.seq, sa.seq, rest);
    h_spec sp;
    CHECK_EQ(h_spec_parse(text, &sp, err, sizeof err), 0);
    if (!h_spec_match(&sp, &sa, why, sizeof why))
        check_fail(__FILE__, __LINE__, "SYN-ACK: %s (want %s)", why, text);
    return sa.seq;
}

/* A listener with TCP_MAXSEG maxseg (0: none) takes the peer's SYN with
 * syn_opts; the SYN-ACK must be "ack 1001 win 65535 <synack_opts>".
 * Returns the accepted handle (TCP_NODELAY on); *isn gets our ISN. */
static int open_with(harness *h, int maxseg, const char *syn_opts, const char *synack_opts,
                     uint32_t *isn)
{
    synack_stack *s = h_stack(h);
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    if (maxseg)
        CHECK_EQ(synack_setopt(s, l, SYNACK_TCP_MAXSEG, maxseg), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 %s", syn_opts), 0);
    char rest[160];
    snprintf(rest, sizeof rest, "ack 1001 win 65535 %s", synack_opts);
    *isn = expect_synack(h, rest);
    int c = synack_accept(s, l, NULL);
    CHECK_EQ(c, SYNACK_EAGAIN);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", *isn + 1), 0);
    c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    return c;
}

static uint8_t data[4000];

/* Sends 2000 bytes and expects segments of seg bytes (the last one
 * shorter, with PSH). */
static void expect_cut(harness *h, int c, uint32_t isn, uint32_t seg)
{
    CHECK_EQ(synack_send(h_stack(h), c, data, 2000), 2000);
    uint32_t at = 0;
    while (at < 2000) {
        uint32_t n = 2000 - at < seg ? 2000 - at : seg;
        if (at + n == 2000)
            h_expect(h, "P. %u:%u(%u) ack 1001", isn + 1 + at, isn + 1 + at + n, n);
        else
            h_expect(h, ". %u:%u(%u) ack 1001", isn + 1 + at, isn + 1 + at + n, n);
        at += n;
    }
    h_expect_nothing(h);
}

TEST(peer_mss_bounds_segments)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = open_with(h, 0, "<mss 500>", "<mss 1460>", &isn);
    expect_cut(h, c, isn, 500);
    int v;
    CHECK_EQ(synack_getopt(h_stack(h), c, SYNACK_TCP_MAXSEG, &v), 0);
    CHECK_EQ(v, 500);
    h_free(h);
}

TEST(no_mss_option_means_536)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    /* RFC 9293 3.7.1: without the option the send MSS is 536. */
    int c = open_with(h, 0, "<>", "<mss 1460>", &isn);
    expect_cut(h, c, isn, 536);
    h_free(h);
}

TEST(maxseg_clamps_advertised_and_sent)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = open_with(h, 1000, "<mss 1460>", "<mss 1000>", &isn);
    expect_cut(h, c, isn, 1000);
    /* Too late once connected (synack.h). */
    CHECK_EQ(synack_setopt(h_stack(h), c, SYNACK_TCP_MAXSEG, 500), SYNACK_EINVAL);
    h_free(h);
}

TEST(maxseg_with_smaller_peer_mss)
{
    harness *h = h_new(NULL);
    uint32_t isn;
    int c = open_with(h, 1000, "<mss 800>", "<mss 1000>", &isn);
    expect_cut(h, c, isn, 800);
    h_free(h);
}

TEST(maxseg_with_timestamps)
{
    harness *h = h_new(NULL);
    h_advance(h, SYNACK_SEC(1));
    synack_stack *s = h_stack(h);
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_setopt(s, l, SYNACK_TCP_MAXSEG, 1000), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460,TS val 1 ecr 0>"), 0);
    uint32_t isn = expect_synack(h, "ack 1001 win 65535 <mss 1000,TS val 1000 ecr 1>");
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <TS val 2 ecr 1000>", isn + 1), 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    /* 1000 - 12 bytes of timestamp option = 988 per segment. */
    expect_cut(h, c, isn, 988);
    h_free(h);
}

TEST(mtu_sets_advertised_mss)
{
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = H_DEFAULT_LOCAL_ADDR;
    cfg.mtu = 1280;
    cfg.delack = 0;
    harness *h = h_new(&cfg);
    uint32_t isn;
    /* MTU 1280 - 20 - 20 = 1240 advertised, and our own MTU bounds what
     * we send even though the peer could take 1460. */
    int c = open_with(h, 0, "<mss 1460>", "<mss 1240>", &isn);
    expect_cut(h, c, isn, 1240);
    h_free(h);
}

TEST(active_open_advertises_maxseg)
{
    harness *h = h_new(NULL);
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_MAXSEG, 700), 0);
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT), SYNACK_EINPROGRESS);
    synack_segment syn = h_pop(h);
    CHECK_EQ(syn.flags, SYNACK_TCP_SYN);
    CHECK_EQ(syn.opts.mss, 700);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_MAXSEG, 600), SYNACK_EINVAL);
    h_free(h);
}

TEST_MAIN()
