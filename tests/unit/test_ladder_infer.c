/* test_ladder_infer.c — `synack trace`'s inference on hand-made segments:
 * connection grouping, the RFC 9293 states of both ends, and the marks
 * (retransmission, out-of-order, duplicate ACK, zero window, checksum). */
#include <string.h>

#include "check.h"
#include "trace_infer.h"

#define A 0x0A000001u       /* 10.0.0.1, the client */
#define B 0x0A000002u       /* 10.0.0.2, the server */
#define AP 5555
#define BP 80
#define AISN 1000u
#define BISN 9000u

static trace_set ts;
static synack_time now;

/* A segment from the client (dir 0) or the server (dir 1). */
static void seg(int from_server, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len,
                uint16_t wnd, unsigned marks)
{
    synack_segment s;
    memset(&s, 0, sizeof s);
    s.saddr = from_server ? B : A;
    s.daddr = from_server ? A : B;
    s.sport = from_server ? BP : AP;
    s.dport = from_server ? AP : BP;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.len = len;
    s.wnd = wnd;
    now += SYNACK_MSEC(1);
    CHECK_EQ(trace_set_add(&ts, now, &s, marks), 0);
}

#define S SYNACK_TCP_SYN
#define K SYNACK_TCP_ACK
#define F SYNACK_TCP_FIN
#define R SYNACK_TCP_RST
#define P SYNACK_TCP_PSH

static void handshake(void)
{
    seg(0, S, AISN, 0, 0, 65535, 0);
    seg(1, S | K, BISN, AISN + 1, 0, 65535, 0);
    seg(0, K, AISN + 1, BISN + 1, 0, 65535, 0);
}

static void start(void)
{
    trace_set_free(&ts);
    trace_set_init(&ts);
    now = 0;
}

/* "CLOSED>SYN-SENT>ESTABLISHED": initial state then every change. */
static const char *states(const trace_conn *c, int side, char *buf, size_t len)
{
    int init = c->model.end[side].initial_state;
    snprintf(buf, len, "%s", init == LADDER_STATE_NONE ? "?" : synack_state_name(init));
    for (size_t i = 0; i < c->model.nrows; i++) {
        const ladder_row *r = &c->model.rows[i];
        if (r->kind == LADDER_ROW_STATE && r->side == side) {
            size_t n = strlen(buf);
            snprintf(buf + n, len - n, ">%s", synack_state_name(r->new_state));
        }
    }
    return buf;
}

/* Marks of the nth (0-based) segment row. */
static unsigned marks_of(const trace_conn *c, size_t nth)
{
    for (size_t i = 0; i < c->model.nrows; i++)
        if (c->model.rows[i].kind == LADDER_ROW_SEGMENT && nth-- == 0)
            return c->model.rows[i].marks;
    check_fail(__FILE__, __LINE__, "no segment %zu", nth);
}

TEST(handshake_data_and_close_initiated_by_the_client)
{
    char buf[256];
    start();
    handshake();
    seg(0, P | K, AISN + 1, BISN + 1, 100, 65535, 0);
    seg(1, K, BISN + 1, AISN + 101, 0, 65535, 0);
    seg(0, F | K, AISN + 101, BISN + 1, 0, 65535, 0);     /* client closes */
    seg(1, K, BISN + 1, AISN + 102, 0, 65535, 0);
    seg(1, F | K, BISN + 1, AISN + 102, 0, 65535, 0);     /* server closes */
    seg(0, K, AISN + 102, BISN + 2, 0, 65535, 0);
    trace_set_finish(&ts);
    CHECK_EQ(ts.n, 1);
    const trace_conn *c = &ts.conns[0];
    CHECK_EQ(c->addr[0], A);
    CHECK_EQ(c->port[1], BP);
    CHECK_EQ(c->packets, 9);
    CHECK_EQ(c->bytes, 100);
    CHECK_STR(states(c, 0, buf, sizeof buf),
              "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT");
    CHECK_STR(states(c, 1, buf, sizeof buf),
              "LISTEN>SYN-RECEIVED>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED");
    CHECK_EQ(trace_conn_state(c, 0), SYNACK_TIME_WAIT);
    CHECK_EQ(trace_conn_state(c, 1), SYNACK_CLOSED);
    CHECK(c->finished);
    for (size_t i = 0; i < 9; i++)
        CHECK_EQ(marks_of(c, i), 0);
    /* the sender's change is drawn before its arrow: row 0 is SYN-SENT */
    CHECK_EQ(c->model.rows[0].kind, LADDER_ROW_STATE);
    CHECK_EQ(c->model.rows[1].kind, LADDER_ROW_SEGMENT);
}

TEST(fin_ack_that_acknowledges_our_fin_goes_through_fin_wait_2)
{
    char buf[256];
    start();
    handshake();
    seg(1, F | K, BISN + 1, AISN + 1, 0, 65535, 0);       /* server closes */
    seg(0, F | K, AISN + 1, BISN + 2, 0, 65535, 0);       /* ACK + FIN in one */
    seg(1, K, BISN + 2, AISN + 2, 0, 65535, 0);
    const trace_conn *c = &ts.conns[0];
    CHECK_STR(states(c, 1, buf, sizeof buf),
              "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>FIN-WAIT-2>TIME-WAIT");
    CHECK_STR(states(c, 0, buf, sizeof buf),
              "CLOSED>SYN-SENT>ESTABLISHED>CLOSE-WAIT>LAST-ACK>CLOSED");
}

TEST(simultaneous_close_goes_through_closing)
{
    char buf[256];
    start();
    handshake();
    seg(0, F | K, AISN + 1, BISN + 1, 0, 65535, 0);
    seg(1, F | K, BISN + 1, AISN + 1, 0, 65535, 0);       /* crossed FINs */
    seg(0, K, AISN + 2, BISN + 2, 0, 65535, 0);
    seg(1, K, BISN + 2, AISN + 2, 0, 65535, 0);
    const trace_conn *c = &ts.conns[0];
    /* The server's FIN does not acknowledge the client's: the FINs
     * crossed, so the server was never in CLOSE-WAIT. */
    CHECK_STR(states(c, 0, buf, sizeof buf),
              "CLOSED>SYN-SENT>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT");
    CHECK_STR(states(c, 1, buf, sizeof buf),
              "LISTEN>SYN-RECEIVED>ESTABLISHED>FIN-WAIT-1>CLOSING>TIME-WAIT");
}

TEST(simultaneous_open)
{
    char buf[256];
    start();
    seg(0, S, AISN, 0, 0, 65535, 0);
    seg(1, S, BISN, 0, 0, 65535, 0);
    seg(0, S | K, AISN, BISN + 1, 0, 65535, 0);
    seg(1, S | K, BISN, AISN + 1, 0, 65535, 0);
    const trace_conn *c = &ts.conns[0];
    CHECK_EQ(ts.n, 1);
    /* In capture order the client gets the server's bare SYN while in
     * SYN-SENT (-> SYN-RECEIVED, RFC 9293 3.10.7.3), but the server gets
     * the client's SYN+ACK while still in SYN-SENT (-> ESTABLISHED): a
     * capture point sees crossing segments in one order only. */
    CHECK_STR(states(c, 0, buf, sizeof buf), "CLOSED>SYN-SENT>SYN-RECEIVED>ESTABLISHED");
    CHECK_STR(states(c, 1, buf, sizeof buf), "CLOSED>SYN-SENT>ESTABLISHED");
}

TEST(refused_connection_and_reset_back_to_listen)
{
    char buf[256];
    start();
    seg(0, S, AISN, 0, 0, 65535, 0);
    seg(1, R | K, 0, AISN + 1, 0, 0, 0);
    const trace_conn *c = &ts.conns[0];
    CHECK_STR(states(c, 0, buf, sizeof buf), "CLOSED>SYN-SENT>CLOSED");
    CHECK_STR(states(c, 1, buf, sizeof buf), "CLOSED");
    CHECK(marks_of(c, 1) & LADDER_MARK_RESET);
    CHECK_EQ(marks_of(c, 1) & LADDER_MARK_ZERO_WINDOW, 0);    /* not on a RST */

    /* An old SYN answered by the server, refused by the client's RST:
     * the passive end returns to LISTEN (RFC 9293 3.10.7.4). Port reuse
     * after the reset makes it a new connection. */
    seg(0, S, AISN - 1000, 0, 0, 65535, 0);
    seg(1, S | K, BISN, AISN - 999, 0, 65535, 0);
    seg(0, R, AISN - 999, 0, 0, 0, 0);
    CHECK_EQ(ts.n, 2);
    c = &ts.conns[1];
    CHECK_STR(states(c, 1, buf, sizeof buf), "LISTEN>SYN-RECEIVED>LISTEN");
}

TEST(retransmission_out_of_order_and_gaps)
{
    start();
    handshake();
    seg(0, P | K, AISN + 1, BISN + 1, 100, 65535, 0);     /* 3: bytes 1-100 */
    seg(0, P | K, AISN + 1, BISN + 1, 100, 65535, 0);     /* 4: again */
    seg(0, P | K, AISN + 201, BISN + 1, 100, 65535, 0);   /* 5: 201-300, gap */
    seg(0, P | K, AISN + 101, BISN + 1, 100, 65535, 0);   /* 6: fills the gap */
    seg(0, P | K, AISN + 101, BISN + 1, 100, 65535, 0);   /* 7: now a resend */
    seg(0, F | K, AISN + 301, BISN + 1, 0, 65535, 0);     /* 8: FIN */
    seg(0, F | K, AISN + 301, BISN + 1, 0, 65535, 0);     /* 9: FIN again */
    const trace_conn *c = &ts.conns[0];
    CHECK_EQ(marks_of(c, 3), 0);
    CHECK_EQ(marks_of(c, 4), LADDER_MARK_RETRANSMIT);
    CHECK_EQ(marks_of(c, 5), LADDER_MARK_OUT_OF_ORDER);
    CHECK_EQ(marks_of(c, 6), LADDER_MARK_OUT_OF_ORDER);
    CHECK_EQ(marks_of(c, 7), LADDER_MARK_RETRANSMIT);
    CHECK_EQ(marks_of(c, 8), 0);
    CHECK_EQ(marks_of(c, 9), LADDER_MARK_RETRANSMIT);
    CHECK_EQ(trace_conn_state(c, 0), SYNACK_FIN_WAIT_1);
}

TEST(duplicate_acks_and_zero_window)
{
    start();
    handshake();
    seg(0, P | K, AISN + 1, BISN + 1, 100, 65535, 0);     /* 3 */
    seg(0, P | K, AISN + 101, BISN + 1, 100, 65535, 0);   /* 4 */
    seg(1, K, BISN + 1, AISN + 101, 0, 4000, 0);          /* 5: ACK */
    seg(1, K, BISN + 1, AISN + 101, 0, 4000, 0);          /* 6: dup */
    seg(1, K, BISN + 1, AISN + 101, 0, 4000, 0);          /* 7: dup */
    seg(1, K, BISN + 1, AISN + 101, 0, 3000, 0);          /* 8: window update */
    seg(1, K, BISN + 1, AISN + 201, 0, 0, 0);             /* 9: all acked, zero window */
    seg(1, K, BISN + 1, AISN + 201, 0, 0, 0);             /* 10: nothing outstanding */
    const trace_conn *c = &ts.conns[0];
    CHECK_EQ(marks_of(c, 5), 0);
    CHECK_EQ(marks_of(c, 6), LADDER_MARK_DUP_ACK);
    CHECK_EQ(marks_of(c, 7), LADDER_MARK_DUP_ACK);
    CHECK_EQ(marks_of(c, 8), 0);
    CHECK_EQ(marks_of(c, 9), LADDER_MARK_ZERO_WINDOW);
    CHECK_EQ(marks_of(c, 10), LADDER_MARK_ZERO_WINDOW);
}

TEST(grouping_by_four_tuple_and_reuse_after_close)
{
    start();
    handshake();
    seg(0, S, AISN, 0, 0, 65535, 0);          /* a retransmitted SYN: same conn */
    CHECK_EQ(ts.n, 1);
    seg(0, R, AISN + 1, 0, 0, 0, 0);          /* finished */
    seg(0, S, AISN, 0, 0, 65535, 0);          /* the same SYN again: still the old one */
    CHECK_EQ(ts.n, 1);
    seg(0, S, AISN + 50000, 0, 0, 65535, 0);  /* a new ISN on the same ports */
    CHECK_EQ(ts.n, 2);
    /* another client port is another connection */
    synack_segment s;
    memset(&s, 0, sizeof s);
    s.saddr = A;
    s.daddr = B;
    s.sport = AP + 1;
    s.dport = BP;
    s.flags = S;
    CHECK_EQ(trace_set_add(&ts, now, &s, 0), 0);
    CHECK_EQ(ts.n, 3);
}

TEST(capture_starting_mid_connection_and_syn_ack_first)
{
    char buf[256];
    start();
    seg(1, P | K, BISN + 500, AISN + 70, 10, 65535, 0);
    const trace_conn *c = &ts.conns[0];
    CHECK_EQ(c->addr[0], B);     /* the first sender is taken as the client */
    CHECK_STR(states(c, 0, buf, sizeof buf), "ESTABLISHED");
    CHECK_STR(states(c, 1, buf, sizeof buf), "ESTABLISHED");

    start();
    seg(1, S | K, BISN, AISN + 1, 0, 65535, 0);   /* the SYN was not captured */
    c = &ts.conns[0];
    CHECK_EQ(c->addr[0], A);     /* a SYN-ACK's receiver opened the connection */
    CHECK_STR(states(c, 1, buf, sizeof buf), "LISTEN>SYN-RECEIVED");
}

TEST(checksum_marks_only_when_some_segments_are_fine)
{
    start();
    seg(0, S, AISN, 0, 0, 65535, LADDER_MARK_BAD_CSUM);
    seg(1, S | K, BISN, AISN + 1, 0, 65535, LADDER_MARK_BAD_CSUM);
    seg(0, K, AISN + 1, BISN + 1, 0, 65535, 0);
    seg(0, P | K, AISN + 1, BISN + 1, 10, 65535, 0);
    trace_set_finish(&ts);      /* half bad: offload, unmarked */
    CHECK_EQ(ts.conns[0].offload_checksums, 2);
    for (size_t i = 0; i < 4; i++)
        CHECK_EQ(marks_of(&ts.conns[0], i), 0);

    start();
    seg(0, S, AISN, 0, 0, 65535, LADDER_MARK_BAD_CSUM);
    seg(1, S | K, BISN, AISN + 1, 0, 65535, 0);
    seg(0, K, AISN + 1, BISN + 1, 0, 65535, 0);
    trace_set_finish(&ts);      /* one in three: marked */
    CHECK_EQ(ts.conns[0].offload_checksums, 0);
    CHECK_EQ(marks_of(&ts.conns[0], 0), LADDER_MARK_BAD_CSUM);
    CHECK_EQ(marks_of(&ts.conns[0], 1), 0);
    trace_set_free(&ts);
}

TEST_MAIN()
