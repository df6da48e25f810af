/* test_harness_engine.c — the scenario harness (tests/support/harness.h)
 * driving the real engine: passive and active opens with exact segments,
 * data with the payload pattern, a full close through TIME-WAIT in
 * virtual time, a RST from a closed port, the state trace, and the
 * harness's own failure messages (checked by re-running this program on a
 * single failing case and reading what it printed). */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "support/harness.h"

/* A listener on port 80 that has accepted 198.18.0.1:40000 after a
 * handshake with peer ISN 1000; returns the accepted handle, *isn gets the
 * stack's ISN. */
static int accept_one(harness *h, uint32_t *isn)
{
    synack_stack *s = h_stack(h);
    int l = synack_socket(s);
    CHECK(l >= 0);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>"), 0);
    synack_segment sa = h_pop(h);
    *isn = sa.seq;
    CHECK_EQ(sa.flags, SYNACK_TCP_SYN | SYNACK_TCP_ACK);
    CHECK_U64(sa.ack, 1001);
    CHECK_EQ(sa.opts.has_mss, 1);
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u win 65535", *isn + 1), 0);
    h_expect_nothing(h);
    synack_endpoint peer;
    int c = synack_accept(s, l, &peer);
    CHECK(c >= 0);
    CHECK_U64(peer.addr, H_DEFAULT_PEER_ADDR);
    CHECK_EQ(peer.port, H_DEFAULT_PEER_PORT);
    return c;
}

TEST(passive_open_and_data)
{
    harness *h = h_new(NULL);
    CHECK_U64(h->local_addr, 0xC6120002u);
    uint32_t isn;
    int c = accept_one(h, &isn);
    synack_stack *s = h_stack(h);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);

    /* delack 0: the data is acknowledged at once; the window shrinks by
     * the 10 bytes not yet read (RFC 9293 3.8.6.2.2 keeps it simple). */
    CHECK_EQ(h_inject(h, "P. 1001:1011(10) ack %u win 65535", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1011 win 65525 <>", isn + 1, isn + 1);
    uint8_t buf[32], want[10];
    CHECK_EQ(synack_recv(s, c, buf, sizeof buf), 10);
    h_pattern_fill(1001, want, sizeof want);
    CHECK_MEM(buf, want, 10);

    /* Explicit payload bytes. */
    CHECK_EQ(h_inject_data(h, "hello", "P. 1011:1016(5) ack %u", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 1016", isn + 1, isn + 1);
    CHECK_EQ(synack_recv(s, c, buf, sizeof buf), 5);
    CHECK_MEM(buf, "hello", 5);

    /* The stack's data, read back through h_last_payload. */
    CHECK_EQ(synack_send(s, c, "abc", 3), 3);
    h_expect(h, "P. %u:%u(3) ack 1016", isn + 1, isn + 4);
    size_t len;
    const uint8_t *p = h_last_payload(h, &len);
    CHECK_EQ(len, 3);
    CHECK_MEM(p, "abc", 3);

    uint32_t conn = (uint32_t)synack_get_conn_id(s, c);
    CHECK(conn != 0);
    h_expect_states(h, conn, "SYN-RECEIVED ESTABLISHED");
    h_expect_states(h, 0, "  SYN-RECEIVED   ESTABLISHED ");
    size_t n;
    const h_state_change *st = h_trace_states(h, &n);
    CHECK_EQ(n, 2);
    CHECK_EQ(st[0].old_state, SYNACK_LISTEN);
    CHECK_EQ(st[0].new_state, SYNACK_SYN_RECEIVED);
    CHECK_U64(st[1].conn_id, conn);
    h_free(h);
}

TEST(active_open_close_and_time_wait)
{
    harness *h = h_new(NULL);
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    CHECK_EQ(synack_bind(s, c, 0, 80), 0);
    CHECK_EQ(synack_connect(s, c, H_DEFAULT_PEER_ADDR, H_DEFAULT_PEER_PORT), SYNACK_EINPROGRESS);
    synack_segment syn = h_pop(h);
    uint32_t isn = syn.seq;
    CHECK_EQ(syn.flags, SYNACK_TCP_SYN);
    CHECK_EQ(syn.opts.has_mss, 1);
    CHECK_EQ(syn.opts.mss, 1460);

    h_advance(h, SYNACK_MSEC(10));
    CHECK_EQ(h_inject(h, "S. 7000:7000(0) ack %u win 4000 <mss 1000>", isn + 1), 0);
    h_expect(h, ". %u:%u(0) ack 7001", isn + 1, isn + 1);
    CHECK_EQ(synack_get_state(s, c), SYNACK_ESTABLISHED);

    CHECK_EQ(synack_close(s, c), 0);
    h_expect(h, "F. %u:%u(0) ack 7001", isn + 1, isn + 1);
    CHECK_EQ(h_inject(h, ". 7001:7001(0) ack %u win 4000", isn + 2), 0);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, "F. 7001:7001(0) ack %u win 4000", isn + 2), 0);
    h_expect(h, ". %u:%u(0) ack 7002", isn + 2, isn + 2);

    /* TIME-WAIT lasts 2 x MSL (default MSL 30 s): a minute of virtual time. */
    h_advance(h, SYNACK_SEC(59));
    h_expect_nothing(h);
    h_advance(h, SYNACK_SEC(2));
    h_expect_nothing(h);
    CHECK_U64(h_now(h), SYNACK_MSEC(10) + SYNACK_SEC(61));
    h_expect_states(h, 0, "SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED");
    synack_stats st;
    synack_stats_get(s, &st);
    CHECK_U64(st.conns_live, 0);
    h_free(h);
}

TEST(closed_port_answers_rst)
{
    harness *h = h_new(NULL);
    h->local_port = 81;
    CHECK_EQ(h_inject(h, "S 1000:1000(0) win 65535"), 1);
    /* RFC 9293 3.10.7.1: no ACK bit -> <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>,
     * with the SYN counted in SEG.LEN. */
    h_expect(h, "R. 0:0(0) ack 1001 win 0 <>");
    h_expect_nothing(h);
    /* With an ACK bit: <SEQ=SEG.ACK><CTL=RST>. */
    h->peer_port = 40001;
    CHECK_EQ(h_inject(h, ". 5:5(0) ack 77"), 1);
    h_expect(h, "R 77:77(0)");
    CHECK_EQ(h_pending(h), 0);
    h_free(h);
}

TEST(malformed_input_is_dropped)
{
    harness *h = h_new(NULL);
    uint8_t junk[10] = { 0x45 };
    CHECK_EQ(h_inject_raw(h, junk, sizeof junk), 1);
    h_expect_nothing(h);
    h_free(h);
}

static int seg_out_events;
static void count_seg_out(void *ctx, const synack_trace_event *ev)
{
    (void)ctx;
    seg_out_events += ev->kind == SYNACK_TRACE_SEG_OUT;
}

TEST(custom_config_and_observer_chaining)
{
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = 0x0A000005;              /* 10.0.0.5 */
    cfg.delack = 0;
    cfg.observer = count_seg_out;
    seg_out_events = 0;
    harness *h = h_new(&cfg);
    CHECK_U64(h->local_addr, 0x0A000005u);
    uint32_t isn;
    accept_one(h, &isn);                /* one SYN-ACK sent */
    CHECK_EQ(seg_out_events, 1);
    h_expect_states(h, 0, "SYN-RECEIVED ESTABLISHED");
    h_free(h);
}

/* --------------------------------------------- the harness's failures */

/* Cases that must fail, run one at a time in a child process (they pass
 * trivially in the ordinary run, where SYNACK_HARNESS_FAILING is unset). */
static int failing_mode(void)
{
    return getenv("SYNACK_HARNESS_FAILING") != NULL;
}

TEST(fails_ack_mismatch)
{
    if (!failing_mode())
        return;
    harness *h = h_new(NULL);
    h->local_port = 81;
    h_inject(h, "S 1000:1000(0) win 65535");
    h_expect(h, "R. 0:0(0) ack 1000");
}

TEST(fails_nothing_sent)
{
    if (!failing_mode())
        return;
    harness *h = h_new(NULL);
    h_expect(h, "S. 1:1(0) ack %u", 1001u);
}

TEST(fails_unexpected_segment)
{
    if (!failing_mode())
        return;
    harness *h = h_new(NULL);
    h->local_port = 81;
    h_inject(h, "S 1000:1000(0) win 65535");
    h_expect_nothing(h);
}

TEST(fails_bad_spec)
{
    if (!failing_mode())
        return;
    harness *h = h_new(NULL);
    h_inject(h, "S. 1:1(0)");
}

TEST(fails_wrong_states)
{
    if (!failing_mode())
        return;
    harness *h = h_new(NULL);
    uint32_t isn;
    accept_one(h, &isn);
    h_expect_states(h, 0, "SYN-RECEIVED CLOSE-WAIT");
}

TEST(fails_wrong_port)
{
    if (!failing_mode())
        return;
    harness *h = h_new(NULL);
    h->local_port = 81;
    h_inject(h, "S 1000:1000(0) win 65535");
    h->peer_port = 40001;
    h_expect(h, "R. 0:0(0) ack 1001");
}

TEST(fails_forgot_free)
{
    if (!failing_mode())
        return;
    harness *h = h_new(NULL);
    (void)h;
}

static char self[4096];

/* Runs this program on one case with failures enabled; returns what it
 * printed (stdout and stderr), which must include summary. */
static const char *run_case(const char *name, const char *summary)
{
    static char out[16384];
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "SYNACK_HARNESS_FAILING=1 '%s' %s 2>&1",
             self, name);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    CHECK(status != 0);                       /* the child failed */
    CHECK(strstr(out, summary) != NULL);
    return out;
}

static const char *run_failing(const char *name)
{
    return run_case(name, "0 passed, 1 failed");
}

#define HAS(out, text) do { if (!strstr((out), (text)))                       \
    check_fail(__FILE__, __LINE__, "output lacks \"%s\":\n%s", (text), (out)); } while (0)

TEST(harness_failure_messages)
{
    if (failing_mode())
        return;
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    CHECK(n > 0);
    self[n] = '\0';
    const char *out = run_failing("fails_ack_mismatch");
    HAS(out, "test_harness_engine.c:");
    HAS(out, "harness: 1 harness(es) not freed by their test");
    HAS(out, ": h_expect: ack: want 1000, got 1001\n"
             "  want: 198.18.0.2.81 > 198.18.0.1.40000: Flags [R.], seq 0, ack 1000, win 0, length 0\n"
             "  got:  198.18.0.2.81 > 198.18.0.1.40000: Flags [R.], seq 0, ack 1001, win 0, length 0\n"
             "  spec: R. 0:0(0) ack 1000\n");
    out = run_failing("fails_nothing_sent");
    HAS(out, ": h_expect: want \"S. 1:1(0) ack 1001\", but the stack sent nothing\n");
    out = run_failing("fails_unexpected_segment");
    HAS(out, ": h_expect_nothing: the stack sent 1 datagram(s), the first:\n"
             "  198.18.0.2.81 > 198.18.0.1.40000: Flags [R.], seq 0, ack 1001, win 0, length 0\n");
    out = run_failing("fails_bad_spec");
    HAS(out, ": h_inject: bad spec \"S. 1:1(0)\": at column 10: flag '.' (ACK) needs \"ack N\"\n");
    out = run_failing("fails_wrong_states");
    HAS(out, ": h_expect_states (conn 0):\n  want: SYN-RECEIVED CLOSE-WAIT\n"
             "  got:  SYN-RECEIVED ESTABLISHED\n");
    out = run_failing("fails_wrong_port");
    HAS(out, ": h_expect: addresses or ports differ\n"
             "  want: 198.18.0.2.81 > 198.18.0.1.40001: Flags [R.]");
    /* A passing case that leaks its harness still fails the program. */
    out = run_case("fails_forgot_free", "1 passed, 0 failed");
    HAS(out, "harness: 1 harness(es) not freed by their test");
}

TEST_MAIN()
