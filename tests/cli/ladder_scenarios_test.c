/* ladder_scenarios_test.c — every `synack demo` scenario, run as the demo
 * runs it, must draw exactly these rows: each segment (sender, flags,
 * seq/ack relative to the sender's/receiver's ISN, length, lost or not),
 * each state change, timer and drop, at its virtual time. The summary is
 * computed here independently of the renderer's labeler. The runs are
 * deterministic and the numbers relative, so every seed gives the same
 * summary. Also checks that the capture a scenario writes reads back
 * through `synack trace`'s reader to the same handshake. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "demo_scenarios.h"
#include "trace_pcap.h"

typedef struct sbuf {
    char s[16384];
    size_t n;
} sbuf;

static void put(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);
    va_end(ap);
    if (w > 0 && (size_t)w < sizeof b->s - b->n)
        b->n += (size_t)w;
}

static const char *side_name(int side) { return side == LADDER_LEFT ? "client" : "server"; }

/* One line per row: "<ms> <end> <what>". */
static void summarize(const ladder_model *m, sbuf *b)
{
    uint32_t base[2] = {m->end[0].isn, m->end[1].isn};
    int known[2] = {m->end[0].has_isn, m->end[1].has_isn};
    put(b, "start client %s server %s\n", synack_state_name(m->end[0].initial_state),
        synack_state_name(m->end[1].initial_state));
    for (size_t i = 0; i < m->nrows; i++) {
        const ladder_row *r = &m->rows[i];
        unsigned long long ms = (unsigned long long)((r->t - m->t0) / SYNACK_MSEC(1));
        switch (r->kind) {
        case LADDER_ROW_SEGMENT: {
            int s = r->side, peer = !s;
            const synack_segment *g = &r->seg;
            int old = (r->marks & LADDER_MARK_OLD_DUP) != 0;
            if ((g->flags & SYNACK_TCP_SYN) && !old) {
                base[s] = g->seq;       /* a new SYN is a new ISN */
                known[s] = 1;
            }
            char flags[12];
            put(b, "%llu %s %s seq=%d", ms, side_name(s), ladder_flags_str(g->flags, flags),
                known[s] ? (int)(int32_t)(g->seq - base[s]) : 0);
            if (g->flags & SYNACK_TCP_ACK)
                put(b, " ack=%d", known[peer] ? (int)(int32_t)(g->ack - base[peer]) : 0);
            if (g->len)
                put(b, " len=%u", (unsigned)g->len);
            if (r->marks & LADDER_MARK_RETRANSMIT)
                put(b, " rexmit");
            if (old)
                put(b, " old-dup");
            put(b, "%s\n", r->lost ? " LOST" : "");
            break;
        }
        case LADDER_ROW_STATE:
            put(b, "%llu %s %s\n", ms, side_name(r->side), synack_state_name(r->new_state));
            break;
        case LADDER_ROW_TIMER:
            put(b, "%llu %s timer %s\n", ms, side_name(r->side), synack_timer_name(r->timer));
            break;
        case LADDER_ROW_DROP:
            put(b, "%llu %s drop %s\n", ms, side_name(r->side), synack_drop_name(r->drop));
            break;
        case LADDER_ROW_NOTE:
        default:
            break;
        }
    }
}

static void check_scenario(const char *name, const char *const *want, size_t nwant)
{
    const demo_scenario *sc = demo_find(name);
    CHECK(sc != NULL);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        demo_run run;
        demo_opts o = {.seed = seed};
        int rc = demo_play(sc, &o, &run);
        if (rc != 0)
            check_fail(__FILE__, __LINE__, "%s (seed %llu): %s", name,
                       (unsigned long long)seed, run.error);
        CHECK_EQ(run.count, nwant);
        for (size_t k = 0; k < run.count; k++) {
            sbuf b = {.n = 0};
            summarize(&run.model[k], &b);
            if (strcmp(b.s, want[k]) != 0) {
                demo_run_free(&run);
                check_fail(__FILE__, __LINE__, "%s diagram %zu (seed %llu):\n--- got\n%s--- want\n%s",
                           name, k + 1, (unsigned long long)seed, b.s, want[k]);
            }
        }
        demo_run_free(&run);
    }
}

TEST(handshake)
{
    static const char *const want[] = {
        "start client CLOSED server LISTEN\n"
        "0 client SYN-SENT\n"
        "0 client S seq=0\n"
        "1 server SYN-RECEIVED\n"
        "1 server S. seq=0 ack=1\n"
        "2 client ESTABLISHED\n"
        "2 client . seq=1 ack=1\n"
        "3 server ESTABLISHED\n"};
    check_scenario("handshake", want, 1);
}

TEST(close_with_half_close)
{
    static const char *const want[] = {
        "start client ESTABLISHED server ESTABLISHED\n"
        "0 client FIN-WAIT-1\n"
        "0 client F. seq=1 ack=1\n"
        "1 server CLOSE-WAIT\n"
        "1 server . seq=1 ack=2\n"
        "1 server P. seq=1 ack=2 len=4\n"
        "2 client FIN-WAIT-2\n"
        "42 client timer delayed-ack\n"
        "42 client . seq=2 ack=5\n"
        "101 server LAST-ACK\n"
        "101 server F. seq=5 ack=2\n"
        "102 client TIME-WAIT\n"
        "102 client . seq=2 ack=6\n"
        "103 server CLOSED\n"
        "60102 client timer time-wait\n"
        "60102 client CLOSED\n"};
    check_scenario("close", want, 1);
}

TEST(lost_syn)
{
    static const char *const want[] = {
        "start client CLOSED server LISTEN\n"
        "0 client SYN-SENT\n"
        "0 client S seq=0 LOST\n"
        "1000 client timer retransmit\n"
        "1000 client S seq=0 rexmit\n"
        "1001 server SYN-RECEIVED\n"
        "1001 server S. seq=0 ack=1\n"
        "1002 client ESTABLISHED\n"
        "1002 client . seq=1 ack=1\n"
        "1003 server ESTABLISHED\n"};
    check_scenario("lost-syn", want, 1);
}

TEST(old_duplicate_syn)
{
    /* RFC 9293 Figure 8: the old SYN is answered, the client refuses the
     * SYN-ACK with RST (seq = its ack), the server returns to LISTEN, and
     * the delayed new SYN then opens the connection. */
    static const char *const want[] = {
        "start client CLOSED server LISTEN\n"
        "0 client SYN-SENT\n"
        "0 client S seq=0\n"
        "0 client S seq=-1000 old-dup\n"
        "0 server SYN-RECEIVED\n"
        "0 server S. seq=0 ack=-999\n"
        "1 client drop tcp-bad-ack\n"
        "1 client R seq=-999\n"
        "2 server LISTEN\n"
        "10 server SYN-RECEIVED\n"
        "10 server S. seq=0 ack=1\n"
        "11 client ESTABLISHED\n"
        "11 client . seq=1 ack=1\n"
        "12 server ESTABLISHED\n"};
    check_scenario("old-duplicate-syn", want, 1);
}

TEST(lost_final_ack)
{
    /* RFC 9293 3.10.7.4: TIME-WAIT acknowledges the retransmitted FIN and
     * restarts 2*MSL, so CLOSED comes 60 s after the second ACK. */
    static const char *const want[] = {
        "start client ESTABLISHED server ESTABLISHED\n"
        "0 client FIN-WAIT-1\n"
        "0 client F. seq=1 ack=1\n"
        "1 server CLOSE-WAIT\n"
        "1 server . seq=1 ack=2\n"
        "1 server LAST-ACK\n"
        "1 server F. seq=1 ack=2\n"
        "2 client FIN-WAIT-2\n"
        "2 client TIME-WAIT\n"
        "2 client . seq=2 ack=2 LOST\n"
        "201 server timer retransmit\n"
        "201 server F. seq=1 ack=2 rexmit\n"
        "202 client . seq=2 ack=2\n"
        "203 server CLOSED\n"
        "60202 client timer time-wait\n"
        "60202 client CLOSED\n"};
    check_scenario("lost-final-ack", want, 1);
}

TEST(syn_rcvd_timeout)
{
    static const char *const want[] = {
        "start client CLOSED server LISTEN\n"
        "0 client SYN-SENT\n"
        "0 client S seq=0\n"
        "1 server SYN-RECEIVED\n"
        "1 server S. seq=0 ack=1\n"
        "2 client ESTABLISHED\n"
        "2 client . seq=1 ack=1 LOST\n"
        "1001 server timer retransmit\n"
        "1001 server S. seq=0 ack=1 rexmit\n"
        "1002 client drop tcp-out-of-window\n"
        "1002 client . seq=1 ack=1 LOST\n"
        "3001 server timer retransmit\n"
        "3001 server S. seq=0 ack=1 rexmit\n"
        "3002 client drop tcp-out-of-window\n"
        "3002 client . seq=1 ack=1 LOST\n"
        "7001 server timer retransmit\n"
        "7001 server S. seq=0 ack=1 rexmit\n"
        "7002 client drop tcp-out-of-window\n"
        "7002 client . seq=1 ack=1 LOST\n"
        "15001 server timer retransmit\n"
        "15001 server LISTEN\n"};
    check_scenario("syn-rcvd-timeout", want, 1);
}

TEST(simultaneous_open)
{
    static const char *const want[] = {
        "start client CLOSED server CLOSED\n"
        "0 client SYN-SENT\n"
        "0 client S seq=0\n"
        "0 server SYN-SENT\n"
        "0 server S seq=0\n"
        "1 server SYN-RECEIVED\n"
        "1 server S. seq=0 ack=1\n"
        "1 client SYN-RECEIVED\n"
        "1 client S. seq=0 ack=1\n"
        "2 client ESTABLISHED\n"
        "2 server ESTABLISHED\n"};
    check_scenario("simultaneous-open", want, 1);
}

TEST(simultaneous_close)
{
    static const char *const want[] = {
        "start client ESTABLISHED server ESTABLISHED\n"
        "0 client FIN-WAIT-1\n"
        "0 client F. seq=1 ack=1\n"
        "0 server FIN-WAIT-1\n"
        "0 server F. seq=1 ack=1\n"
        "1 server CLOSING\n"
        "1 server . seq=2 ack=2\n"
        "1 client CLOSING\n"
        "1 client . seq=2 ack=2\n"
        "2 client TIME-WAIT\n"
        "2 server TIME-WAIT\n"
        "60002 client timer time-wait\n"
        "60002 client CLOSED\n"
        "60002 server timer time-wait\n"
        "60002 server CLOSED\n"};
    check_scenario("simultaneous-close", want, 1);
}

TEST(reset)
{
    static const char *const want[] = {
        /* RFC 9293 3.10.7.1: no socket, the SYN is answered <SEQ=0>
         * <ACK=SEG.SEQ+1><CTL=RST,ACK>; the server end has no ISN. */
        "start client CLOSED server CLOSED\n"
        "0 client SYN-SENT\n"
        "0 client S seq=0\n"
        "1 server drop tcp-no-socket\n"
        "1 server R. seq=0 ack=1\n"
        "2 client CLOSED\n",
        /* 3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST>, no TIME-WAIT. */
        "start client ESTABLISHED server ESTABLISHED\n"
        "0 client R seq=1\n"
        "0 client CLOSED\n"
        "1 server CLOSED\n"};
    check_scenario("reset", want, 2);
}

TEST(every_scenario_is_tested_here)
{
    static const char *const tested[] = {
        "handshake", "close", "lost-syn", "old-duplicate-syn", "lost-final-ack",
        "syn-rcvd-timeout", "simultaneous-open", "simultaneous-close", "reset"};
    size_t n;
    const demo_scenario *sc = demo_scenarios(&n);
    CHECK_EQ(n, sizeof tested / sizeof tested[0]);
    for (size_t i = 0; i < n; i++)
        CHECK_STR(sc[i].name, tested[i]);
}

TEST(capture_reads_back_as_the_same_handshake)
{
    char path[] = "/tmp/synack-ladder-......";
    memset(path + strlen(path) - 6, 'X', 6);     /* mkstemp's template */
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    demo_run run;
    demo_opts o = {.seed = 7, .pcap_path = path};
    CHECK_EQ(demo_play(demo_find("handshake"), &o, &run), 0);
    uint32_t isn = run.model[0].rows[1].seg.seq;     /* the client's SYN */
    demo_run_free(&run);

    trace_set ts;
    trace_set_init(&ts);
    trace_read_stats st;
    char err[256];
    int rc = trace_read_pcap(path, &ts, &st, err, sizeof err);
    unlink(path);
    CHECK_EQ(rc, 0);
    CHECK_EQ(st.tcp, 3);
    CHECK_EQ(st.bad_checksum, 0);
    CHECK_EQ(ts.n, 1);
    const trace_conn *c = &ts.conns[0];
    CHECK_EQ(c->addr[0], DEMO_CLIENT_ADDR);
    CHECK_EQ(c->port[1], DEMO_SERVER_PORT);
    size_t first = 0;
    while (first < c->model.nrows && c->model.rows[first].kind != LADDER_ROW_SEGMENT)
        first++;
    CHECK(first < c->model.nrows);
    CHECK_EQ(c->model.rows[first].seg.seq, isn);
    CHECK_EQ(c->model.rows[first].seg.flags, SYNACK_TCP_SYN);
    CHECK_EQ(trace_conn_state(c, 0), SYNACK_ESTABLISHED);
    CHECK_EQ(trace_conn_state(c, 1), SYNACK_ESTABLISHED);
    trace_set_free(&ts);
}

TEST_MAIN()
