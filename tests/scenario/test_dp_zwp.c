/* test_dp_zwp.c — a regression test: the engine used to get this wrong.
 *
 * RFC 9293 3.8.6.1: "The sending TCP must regularly transmit at least one
 * octet of new data (if available), or retransmit to the receiving TCP
 * even if the send window is zero" (MUST-36; RFC 1122 4.2.2.17: the first
 * probe after one RTO, then exponentially increasing intervals).
 *
 * The engine's persist timer fires on time and with exponential backoff,
 * but nothing is sent: fire_persist -> tcp_send_probe -> tcp_output with
 * force_one makes the usable window 1 byte, and then worth_sending() (the
 * sender-SWS/Nagle test) refuses a 1-byte segment whenever more than one
 * byte is queued and the peer's largest window exceeds 2 bytes. So a
 * sender facing a zero window never probes; if the receiver's window
 * update is lost, the connection hangs forever (no retries are counted
 * either, so it never times out). The probe must bypass worth_sending.
 *
 * Also worth checking with the fix: after the probe byte is sent,
 * tcp_output arms the retransmission timer (SND.UNA != SND.MAX) and stops
 * the persist timer (its condition requires SND.UNA == SND.MAX); when the
 * RTO then fires, snd_nxt returns to SND.UNA and tcp_output sends nothing
 * into the zero window (force_one is not set), so later probes depend on
 * that path too — the test below expects the byte to be probed again at
 * doubling intervals either way.
 *
 * Setup: no options, handshake RTT 100 ms; the data's ACK 100 ms later
 * gives SRTT 100, RTTVAR 37.5, RTO 250 ms. */
#include "check.h"
#include "support/harness.h"

static uint8_t data[5000];

static int open_conn(harness *h, uint32_t *a)
{
    synack_stack *s = h_stack(h);
    h_advance(h, SYNACK_SEC(1));
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 2920 <mss 1460>"), 0);
    *a = h_pop(h).seq + 1;
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 2920", *a), 0);
    int c = synack_accept(s, l, NULL);
    CHECK(c >= 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    CHECK_EQ(synack_send(s, c, data, sizeof data), (long)sizeof data);
    h_expect(h, ". %u:%u(1460) ack 1001", *a, *a + 1460);
    h_expect(h, ". %u:%u(1460) ack 1001", *a + 1460, *a + 2920);
    h_advance(h, SYNACK_MSEC(100));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 0", *a + 2920), 0);
    h_expect_nothing(h);
    return c;
}

TEST(probe_after_rto_then_backoff)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    synack_time gap = SYNACK_MSEC(250);
    for (int i = 0; i < 4; i++) {
        h_advance(h, gap - SYNACK_USEC(1));
        h_expect_nothing(h);
        h_advance(h, SYNACK_USEC(1));
        h_expect(h, ". %u:%u(1) ack 1001", a + 2920, a + 2921);
        h_expect_nothing(h);
        /* The peer answers each probe; its window stays shut. */
        CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 0", a + 2920), 0);
        h_expect_nothing(h);
        gap *= 2;
    }
    /* The window opens: everything left goes out. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 4000", a + 2920), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 2920, a + 4380);
    h_expect(h, "P. %u:%u(620) ack 1001", a + 4380, a + 5000);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_ESTABLISHED);
    h_free(h);
}

TEST(probe_byte_accepted_moves_on)
{
    harness *h = h_new(NULL);
    uint32_t a;
    open_conn(h, &a);
    h_advance(h, SYNACK_MSEC(250));
    h_expect(h, ". %u:%u(1) ack 1001", a + 2920, a + 2921);
    /* The peer takes the byte and opens a window: sending resumes right
     * after it. */
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 1460", a + 2921), 0);
    h_expect(h, ". %u:%u(1460) ack 1001", a + 2921, a + 4381);
    h_expect_nothing(h);
    h_free(h);
}

TEST(never_times_out_while_the_peer_answers)
{
    harness *h = h_new(NULL);
    uint32_t a;
    int c = open_conn(h, &a);
    /* 20 minutes of probes, each answered with a zero window: more than
     * data_retries (15) expiries, but the connection must live on. */
    int probes = 0;
    for (int step = 0; step < 1200; step++) {
        h_advance(h, SYNACK_SEC(1));
        while (h_pending(h)) {
            synack_segment g = h_pop(h);
            CHECK_U64(g.seq, a + 2920);
            CHECK_EQ(g.len, 1);
            probes++;
            CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 0", a + 2920), 0);
        }
    }
    CHECK(probes >= 16);
    CHECK_EQ(synack_get_state(h_stack(h), c), SYNACK_ESTABLISHED);
    h_free(h);
}

TEST_MAIN()
