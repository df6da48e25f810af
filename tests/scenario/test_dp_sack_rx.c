/* test_dp_sack_rx.c — the receiver's side of SACK, packet by packet:
 * SACK-permitted negotiation (RFC 2018 section 2), one block per
 * out-of-order range with exact edges, the block holding the newest
 * segment first and the others in the order last reported (section 4), at
 * most 4 blocks (3 with timestamps), immediate ACKs for out-of-order
 * segments and for hole fills even with delayed ACKs on (RFC 5681 4.2),
 * the fill committing everything queued with one cumulative ACK, data
 * segments shortened to leave room for the blocks, plain duplicate ACKs
 * when the peer did not offer SACK, and D-SACKs for duplicates (RFC 2883).
 *
 * Delayed ACKs at 40 ms unless a test says otherwise; no window scaling
 * (windows are raw bytes); peer 198.18.0.1:40000, ISN 1000. */
#include "check.h"
#include "support/harness.h"

static harness *new_h(synack_time delack)
{
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = H_DEFAULT_LOCAL_ADDR;
    cfg.rcvbuf = cfg.sndbuf = 65535;
    cfg.delack = delack;
    return h_new(&cfg);
}

static int open_with(harness *h, const char *syn_opts, const char *synack_opts, uint32_t *isn)
{
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 %s", syn_opts), 0);
    synack_segment sa = h_pop(h);
    char text[256], err[128], why[256];
    snprintf(text, sizeof text, "S. %u:%u(0) ack 1001 win 65535 %s", sa.seq, sa.seq, synack_opts);
    h_spec sp;
    CHECK_EQ(h_spec_parse(text, &sp, err, sizeof err), 0);
    if (!h_spec_match(&sp, &sa, why, sizeof why))
        check_fail(__FILE__, __LINE__, "SYN-ACK: %s (want %s)", why, text);
    *isn = sa.seq;
    if (strstr(syn_opts, "TS"))
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535 <TS val 1 ecr 1000>", *isn + 1), 0);
    else
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", *isn + 1), 0);
    h_expect_nothing(h);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    return c;
}

/* Reads n bytes and checks they are the pattern from sequence seq. */
static void read_pattern(harness *h, int c, uint32_t seq, size_t n)
{
    static uint8_t buf[16384], want[16384];
    CHECK(n <= sizeof buf);
    CHECK_EQ(synack_recv(h_stack(h), c, buf, sizeof buf), (long)n);
    h_pattern_fill(seq, want, n);
    CHECK_MEM(buf, want, n);
}

TEST(blocks_most_recent_first_and_hole_fill)
{
    harness *h = new_h(SYNACK_MSEC(40));
    uint32_t isn;
    int c = open_with(h, "<mss 1460,sackOK>", "<mss 1460,sackOK>", &isn);
    uint32_t a = isn + 1;
    /* 1001:2001 is lost. Each later segment is out of order: ACKed at
     * once (no 40 ms wait) with its range as the first block. The window
     * keeps its right edge (65535 from RCV.NXT = 1001). */
    CHECK_EQ(h_inject(h, "P. 2001:3001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <sack 2001:3001>", a, a);
    CHECK_EQ(h_inject(h, "P. 4001:5001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <sack 4001:5001 2001:3001>", a, a);
    CHECK_EQ(h_inject(h, "P. 6001:7001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <sack 6001:7001 4001:5001 2001:3001>", a, a);
    CHECK_EQ(h_inject(h, "P. 8001:9001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <sack 8001:9001 6001:7001 4001:5001 2001:3001>",
             a, a);
    /* A segment joining two ranges: the merged block comes first. */
    CHECK_EQ(h_inject(h, "P. 3001:4001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <sack 2001:5001 8001:9001 6001:7001>", a, a);
    /* A duplicate of data already held changes nothing but is ACKed: a
     * D-SACK for it first, then the block that holds it (RFC 2883
     * 4.1.2), then the others. */
    CHECK_EQ(h_inject(h, "P. 6001:7001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <sack 6001:7001 6001:7001 2001:5001 8001:9001>",
             a, a);
    h_expect_nothing(h);
    CHECK_EQ(synack_recv_ready(h_stack(h), c), 0);
    /* The hole at RCV.NXT fills: 1001:5001 is committed with one
     * cumulative ACK, at once; the ranges still above are reported. */
    CHECK_EQ(h_inject(h, "P. 1001:2001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 5001 win 61535 <sack 6001:7001 8001:9001>", a, a);
    h_expect_nothing(h);
    CHECK_EQ(synack_recv_ready(h_stack(h), c), 4000);
    /* Partial fill: 5001:6001 joins 6001:7001, RCV.NXT jumps to 7001. */
    CHECK_EQ(h_inject(h, "P. 5001:6001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 7001 win 59535 <sack 8001:9001>", a, a);
    CHECK_EQ(h_inject(h, "P. 7001:8001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 9001 win 57535 <>", a, a);
    h_expect_nothing(h);
    read_pattern(h, c, 1001, 8000);
    h_free(h);
}

TEST(three_blocks_with_timestamps)
{
    harness *h = new_h(0);
    uint32_t isn;
    open_with(h, "<mss 1460,sackOK,TS val 1 ecr 0>", "<mss 1460,sackOK,TS val 1000 ecr 1>", &isn);
    uint32_t a = isn + 1;
    /* 40 option bytes: timestamps (10 + 2) leave room for 3 blocks
     * (RFC 2018 section 3). */
    CHECK_EQ(h_inject(h, "P. 2001:2101(100) ack %u <TS val 2 ecr 1000>", a), 0);
    h_expect(h, ". %u:%u(0) ack 1001 <TS val 1000 ecr 1,sack 2001:2101>", a, a);
    CHECK_EQ(h_inject(h, "P. 3001:3101(100) ack %u <TS val 3 ecr 1000>", a), 0);
    CHECK_EQ(h_inject(h, "P. 4001:4101(100) ack %u <TS val 4 ecr 1000>", a), 0);
    CHECK_EQ(h_inject(h, "P. 5001:5101(100) ack %u <TS val 5 ecr 1000>", a), 0);
    h_expect(h, ". %u:%u(0) ack 1001 <TS val 1000 ecr 1,sack 3001:3101 2001:2101>", a, a);
    h_expect(h, ". %u:%u(0) ack 1001 <TS val 1000 ecr 1,sack 4001:4101 3001:3101 2001:2101>",
             a, a);
    h_expect(h, ". %u:%u(0) ack 1001 <TS val 1000 ecr 1,sack 5001:5101 4001:4101 3001:3101>",
             a, a);
    h_expect_nothing(h);
    h_free(h);
}

TEST(no_sack_without_sack_permitted)
{
    harness *h = new_h(SYNACK_MSEC(40));
    uint32_t isn;
    /* RFC 2018 section 2: SACK-permitted only in reply to the peer's. */
    int c = open_with(h, "<mss 1460>", "<mss 1460>", &isn);
    uint32_t a = isn + 1;
    /* Out-of-order data is still kept and ACKed at once, as a plain
     * duplicate ACK. */
    CHECK_EQ(h_inject(h, "P. 2001:3001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", a, a);
    CHECK_EQ(h_inject(h, "P. 3001:4001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1001 win 65535 <>", a, a);
    CHECK_EQ(h_inject(h, "P. 1001:2001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 4001 win 62535 <>", a, a);
    h_expect_nothing(h);
    read_pattern(h, c, 1001, 3000);
    h_free(h);
}

TEST(data_segments_leave_room_for_blocks)
{
    harness *h = new_h(0);
    uint32_t isn;
    int c = open_with(h, "<mss 1460,sackOK>", "<mss 1460,sackOK>", &isn);
    uint32_t a = isn + 1;
    CHECK_EQ(h_inject(h, "P. 2001:2101(100) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1001 <sack 2001:2101>", a, a);
    CHECK_EQ(h_inject(h, "P. 3001:3101(100) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 1001 <sack 3001:3101 2001:2101>", a, a);
    /* Two blocks take 2 + 2 * 8 (+2 padding) = 20 option bytes: a
     * segment carries 1460 - 20 = 1440 bytes so the datagram stays within
     * what the peer's MSS allows (RFC 6691). */
    static uint8_t d[3000];
    CHECK_EQ(synack_setopt(h_stack(h), c, SYNACK_TCP_NODELAY, 1), 0);
    CHECK_EQ(synack_send(h_stack(h), c, d, 3000), 3000);
    h_expect(h, ". %u:%u(1440) ack 1001 <sack 3001:3101 2001:2101>", a, a + 1440);
    h_expect(h, ". %u:%u(1440) ack 1001 <sack 3001:3101 2001:2101>", a + 1440, a + 2880);
    h_expect(h, "P. %u:%u(120) ack 1001 <sack 3001:3101 2001:2101>", a + 2880, a + 3000);
    h_expect_nothing(h);
    h_free(h);
}

/* D-SACK (RFC 2883): a segment whose bytes we already have is answered at
 * once with an ACK whose first block reports exactly those bytes (below
 * the cumulative ACK), once; a segment that only starts below RCV.NXT
 * reports its old part and delivers the rest. Every segment is ACKed at
 * once (delack 0). */
TEST(duplicates_below_rcv_nxt_are_reported_once_as_dsack)
{
    harness *h = new_h(0);
    uint32_t isn;
    int c = open_with(h, "<mss 1460,sackOK>", "<mss 1460,sackOK>", &isn);
    uint32_t a = isn + 1;
    CHECK_EQ(h_inject(h, "P. 1001:2001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 2001 win 64535", a, a);
    /* A retransmission of it: entirely old, dropped, reported. */
    CHECK_EQ(h_inject(h, "P. 1001:2001(1000) ack %u", a), 1);
    h_expect(h, ". %u:%u(0) ack 2001 win 64535 <sack 1001:2001>", a, a);
    h_expect_nothing(h);
    /* Reported once: the next ACK carries no block. */
    CHECK_EQ(h_inject(h, "P. 2001:3001(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 3001 win 63535 <>", a, a);
    /* 2501:3501 overlaps: 2501:3001 is reported, 3001:3501 delivered. */
    CHECK_EQ(h_inject(h, "P. 2501:3501(1000) ack %u", a), 0);
    h_expect(h, ". %u:%u(0) ack 3501 win 63035 <sack 2501:3001>", a, a);
    h_expect_nothing(h);
    read_pattern(h, c, 1001, 2500);
    h_free(h);
}

/* A data segment that carries the D-SACK is shortened by the option's 12
 * bytes (kind, length, one block, padding; RFC 6691), and only the first
 * segment carries it. The duplicate part of a segment that also brings new
 * data and opens the peer's window is reported on the data that window
 * lets out. */
TEST(dsack_on_a_data_segment_leaves_room_for_its_block)
{
    harness *h = new_h(SYNACK_MSEC(40));
    uint32_t isn;
    int c = open_with(h, "<mss 1460,sackOK>", "<mss 1460,sackOK>", &isn);
    uint32_t a = isn + 1;
    CHECK_EQ(h_inject(h, "P. 1001:1101(100) ack %u win 1460", a), 0);
    h_expect_nothing(h);                        /* delayed ACK pending */
    static uint8_t d[3000];
    CHECK_EQ(synack_setopt(h_stack(h), c, SYNACK_TCP_NODELAY, 1), 0);
    CHECK_EQ(synack_send(h_stack(h), c, d, 3000), 3000);
    h_expect(h, ". %u:%u(1460) ack 1101", a, a + 1460);   /* the peer's window */
    h_expect_nothing(h);
    /* 1001:1201: 100 old bytes and 100 new; it acknowledges our segment
     * and opens the window. */
    CHECK_EQ(h_inject(h, "P. 1001:1201(200) ack %u win 65535", a + 1460), 0);
    h_expect(h, ". %u:%u(1448) ack 1201 <sack 1001:1101>", a + 1460, a + 2908);
    h_expect(h, "P. %u:%u(92) ack 1201 <>", a + 2908, a + 3000);
    h_expect_nothing(h);
    h_free(h);
}

TEST_MAIN()
