/* test_dp_wscale.c — window scale negotiation, packet by packet (RFC 7323
 * section 2): offered in the SYN, echoed in the SYN-ACK only when the peer
 * offered it, never applied to a SYN's own window field, applied to every
 * later window in both directions, shift counts above 14 taken as 14; and
 * a peer that does not offer it gets unscaled windows only.
 *
 * The stack runs with the harness defaults (receive buffer 65535, our
 * shift 7, delayed ACKs off); the peer is 198.18.0.1:40000 with ISN 1000. */
#include "check.h"
#include "support/harness.h"

/* Pops the stack's SYN-ACK, checks it against "S. ISN:ISN(0) <rest>" and
 * returns the stack's ISN. */
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

/* Listener on port 80; the clock starts at 1 s. */
static int listen80(harness *h)
{
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK(l >= 0);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    return l;
}

static int accept_it(harness *h, int l)
{
    int c = synack_accept(h_stack(h), l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(h_stack(h), c, SYNACK_TCP_NODELAY, 1), 0);
    return c;
}

static uint8_t bulk[40000];

TEST(passive_both_offer_scaling)
{
    harness *h = h_new(NULL);
    int l = listen80(h);
    /* RFC 7323 2.2: the SYN-ACK carries our shift (7) because the SYN
     * carried one; 2.2 also says the window field of a SYN or SYN-ACK is
     * never scaled: 65535 here is 65535 bytes. */
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460,wscale 2>"), 0);
    uint32_t isn = expect_synack(h, "ack 1001 win 65535 <mss 1460,wscale 7>");
    /* From now on the peer's window fields are shifted by 2: 1000 means
     * 4000 bytes. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 1000", isn + 1), 0);
    h_expect_nothing(h);
    int c = accept_it(h, l);
    CHECK_EQ(synack_send(h_stack(h), c, bulk, 10000), 10000);
    /* 4000 bytes: 1460 + 1460; the 1080 left is less than half the
     * largest window (2000, RFC 9293 3.8.6.2.1 sender SWS) and waits.
     * Our own window field is RCV.WND >> 7 = 65535 >> 7 = 511. */
    h_expect(h, ". %u:%u(1460) ack 1001 win 511 <>", isn + 1, isn + 1461);
    h_expect(h, ". %u:%u(1460) ack 1001 win 511 <>", isn + 1461, isn + 2921);
    h_expect_nothing(h);
    /* The window moves to 750 << 2 = 3000 bytes past the new SND.UNA:
     * two more full segments; the 80 beyond them wait. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 750", isn + 2921), 0);
    h_expect(h, ". %u:%u(1460) ack 1001 win 511 <>", isn + 2921, isn + 4381);
    h_expect(h, ". %u:%u(1460) ack 1001 win 511 <>", isn + 4381, isn + 5841);
    h_expect_nothing(h);
    /* Peer data acknowledges all and opens another 3000 bytes; our
     * segments acknowledge its data with the scaled window: 100 bytes sit
     * unread, RCV.WND = 65435, 65435 >> 7 = 511. */
    CHECK_EQ(h_inject(h, "P. 1001:1101(100) ack %u win 750", isn + 5841), 0);
    h_expect(h, ". %u:%u(1460) ack 1101 win 511 <>", isn + 5841, isn + 7301);
    h_expect(h, ". %u:%u(1460) ack 1101 win 511 <>", isn + 7301, isn + 8761);
    h_expect_nothing(h);
    h_free(h);
}

TEST(passive_peer_without_scaling)
{
    harness *h = h_new(NULL);
    int l = listen80(h);
    /* RFC 7323 1.3 / 2.2: without the peer's option neither side scales,
     * and the SYN-ACK must not carry ours. */
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>"), 0);
    uint32_t isn = expect_synack(h, "ack 1001 win 65535 <mss 1460>");
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 1000", isn + 1), 0);
    int c = accept_it(h, l);
    CHECK_EQ(synack_send(h_stack(h), c, bulk, 10000), 10000);
    /* 1000 is 1000 bytes, and our field is the unscaled 65535. */
    h_expect(h, ". %u:%u(1000) ack 1001 win 65535 <>", isn + 1, isn + 1001);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, "P. 1001:1101(100) ack %u win 1000", isn + 1001), 0);
    /* 65535 - 100 unread bytes. */
    h_expect(h, ". %u:%u(1000) ack 1101 win 65435 <>", isn + 1001, isn + 2001);
    h_expect_nothing(h);
    h_free(h);
}

/* Active open: our SYN offers scaling; the answer decides. */
static uint32_t connect_out(harness *h, int *c)
{
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    *c = synack_socket(s);
    CHECK_EQ(synack_bind(s, *c, 0, 80), 0);
    CHECK_EQ(synack_setopt(s, *c, SYNACK_TCP_NODELAY, 1), 0);
    CHECK_EQ(synack_connect(s, *c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT), SYNACK_EINPROGRESS);
    synack_segment syn = h_pop(h);
    char text[160], err[128], why[256];
    snprintf(text, sizeof text,
             "S %u:%u(0) win 65535 <mss 1460,sackOK,TS val 1000 ecr 0,wscale 7>", syn.seq,
             syn.seq);
    h_spec sp;
    CHECK_EQ(h_spec_parse(text, &sp, err, sizeof err), 0);
    if (!h_spec_match(&sp, &syn, why, sizeof why))
        check_fail(__FILE__, __LINE__, "SYN: %s", why);
    return syn.seq;
}

TEST(active_peer_declines_scaling)
{
    harness *h = h_new(NULL);
    int c;
    uint32_t isn = connect_out(h, &c);
    /* A SYN-ACK without wscale: scaling is off both ways (RFC 7323 2.2),
     * so our ACK carries the raw 65535, not 65535 >> 7. */
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u win 3000 <mss 1460>", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 5001 win 65535 <>", isn + 1, isn + 1);
    CHECK_EQ(synack_send(h_stack(h), c, bulk, 10000), 10000);
    /* 3000 unscaled bytes: 1460 + 1460, and 80 < 3000 / 2 waits. */
    h_expect(h, ". %u:%u(1460) ack 5001 win 65535 <>", isn + 1, isn + 1461);
    h_expect(h, ". %u:%u(1460) ack 5001 win 65535 <>", isn + 1461, isn + 2921);
    h_expect_nothing(h);
    h_free(h);
}

TEST(active_shift_above_14_is_14)
{
    harness *h = h_new(NULL);
    int c;
    uint32_t isn = connect_out(h, &c);
    /* RFC 7323 2.3: a shift above 14 "MUST use 14 instead". The SYN-ACK's
     * own window (1) is not scaled. */
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u win 1 <mss 1460,wscale 15>", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 5001 win 511 <>", isn + 1, isn + 1);
    /* Window update: field 1 << 14 = 16384 bytes (1 << 15 would be
     * 32768). */
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u win 1", isn + 1), 0);
    h_expect_nothing(h);
    CHECK_EQ(synack_send(h_stack(h), c, bulk, sizeof bulk), (long)sizeof bulk);
    /* The initial window (10 x 1460 = 14600 < 16384) goes out first. */
    for (uint32_t i = 0; i < 10; i++)
        h_expect(h, ". %u:%u(1460) ack 5001 win 511 <>", isn + 1 + i * 1460,
                 isn + 1 + (i + 1) * 1460);
    h_expect_nothing(h);
    /* One ACK for all ten: slow start raises cwnd to 17520 (RFC 3465,
     * L = 2 SMSS), so only the peer's 16384 bytes limit the flight:
     * 11 full segments (16060); the 324 left would be a silly segment
     * (below half the largest window, RFC 9293 3.8.6.2.1). With a shift
     * of 15 the window would be 32768 and cwnd would allow 12. */
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u win 1", isn + 14601), 0);
    for (uint32_t i = 10; i < 21; i++)
        h_expect(h, ". %u:%u(1460) ack 5001 win 511 <>", isn + 1 + i * 1460,
                 isn + 1 + (i + 1) * 1460);
    h_expect_nothing(h);
    h_free(h);
}

TEST(active_both_scale)
{
    harness *h = h_new(NULL);
    int c;
    uint32_t isn = connect_out(h, &c);
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u win 2000 <mss 1460,wscale 1>", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 5001 win 511 <>", isn + 1, isn + 1);
    /* The SYN-ACK's window was 2000 bytes unscaled: 1460, then the last
     * 540 queued bytes (all there is, TCP_NODELAY: RFC 9293 3.8.6.2.1
     * case 2). */
    CHECK_EQ(synack_send(h_stack(h), c, bulk, 2000), 2000);
    h_expect(h, ". %u:%u(1460) ack 5001 win 511 <>", isn + 1, isn + 1461);
    h_expect(h, "P. %u:%u(540) ack 5001 win 511 <>", isn + 1461, isn + 2001);
    CHECK_EQ(synack_send(h_stack(h), c, bulk, 2000), 2000);
    h_expect_nothing(h);
    /* Now the field 1000 means 1000 << 1 = 2000 bytes past the new
     * SND.UNA (unscaled it would allow only 1000). */
    CHECK_EQ(h_inject(h, ". 5001:5001(0) ack %u win 1000", isn + 2001), 0);
    h_expect(h, ". %u:%u(1460) ack 5001 win 511 <>", isn + 2001, isn + 3461);
    h_expect(h, "P. %u:%u(540) ack 5001 win 511 <>", isn + 3461, isn + 4001);
    h_expect_nothing(h);
    h_free(h);
}

TEST_MAIN()
