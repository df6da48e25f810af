/* test_cm_util.h — helpers shared by the connection-management scenario
 * tests (tests/scenario/test_cm_*.c): the plain configuration those tests
 * use, opening a connection in either role with exact segments, and
 * matching a segment already popped (for segments whose ISN the test
 * learns from them).
 *
 * Header-only (static inline) because tests/CMakeLists.txt builds every
 * test_*.c as its own program and the shared support library is not ours.
 *
 * Conventions: the stack is 198.18.0.2 with a listener or client on port
 * 80; the peer is 198.18.0.1:40000 and uses ISN 1000 when it opens and
 * ISN 5000 when it answers our SYN. */
#ifndef SYNACK_TEST_CM_UTIL_H
#define SYNACK_TEST_CM_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "support/harness.h"

#define CM_PEER_ISN   1000u     /* the peer's ISN when it opens */
#define CM_SERVER_ISN 5000u     /* the peer's ISN when it answers our SYN */

/* The harness defaults (delack 0, 65535-byte buffers) with every optional
 * TCP option switched off, so SYNs carry only <mss 1460>. */
static inline void cm_config(synack_config *c)
{
    synack_config_default(c);
    c->addr = H_DEFAULT_LOCAL_ADDR;
    c->mtu = 1500;
    c->seed = 1;
    c->delack = 0;
    c->rcvbuf = c->sndbuf = 65535;
    c->wscale = -1;
    c->timestamps = 0;
    c->sack = 0;
}

static inline harness *cm_new_at(const char *file, int line)
{
    synack_config c;
    cm_config(&c);
    return h_new_at(file, line, &c);
}
#define cm_new() cm_new_at(__FILE__, __LINE__)

/* Checks a segment already popped against a spec, addresses included. */
static inline void cm_match_at(const char *file, int line, const harness *h,
                               const synack_segment *got, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static inline void cm_match_at(const char *file, int line, const harness *h,
                               const synack_segment *got, const char *fmt, ...)
{
    char text[512], err[200], a[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    h_spec spec;
    if (h_spec_parse(text, &spec, err, sizeof err) < 0)
        check_fail(file, line, "cm_match: bad spec \"%s\": %s", text, err);
    if (!h_spec_match(&spec, got, err, sizeof err))
        check_fail(file, line, "cm_match: %s\n  got:  %s\n  spec: %s", err,
                   h_fmt_segment(got, a, sizeof a), text);
    if (got->saddr != h->local_addr || got->daddr != h->peer_addr ||
        got->sport != h->local_port || got->dport != h->peer_port)
        check_fail(file, line, "cm_match: addresses or ports differ\n  got:  %s",
                   h_fmt_segment(got, a, sizeof a));
}
#define cm_match(h, seg, ...) cm_match_at(__FILE__, __LINE__, (h), (seg), __VA_ARGS__)

/* A listener bound to h->local_port whose connections get rcvbuf and
 * sndbuf bytes of buffer (0: the configured size). */
static inline int cm_listen_bufs_at(const char *file, int line, harness *h, int backlog,
                                    int rcvbuf, int sndbuf)
{
    synack_stack *s = h_stack(h);
    int l = synack_socket(s);
    if (l < 0 || synack_bind(s, l, 0, h->local_port) != 0 ||
        (rcvbuf && synack_setopt(s, l, SYNACK_SO_RCVBUF, rcvbuf) != 0) ||
        (sndbuf && synack_setopt(s, l, SYNACK_SO_SNDBUF, sndbuf) != 0) ||
        synack_listen(s, l, backlog) != 0)
        check_fail(file, line, "cm_listen: cannot listen on port %u", h->local_port);
    return l;
}
#define cm_listen_bufs(h, backlog, rcvbuf, sndbuf) \
    cm_listen_bufs_at(__FILE__, __LINE__, (h), (backlog), (rcvbuf), (sndbuf))
#define cm_listen(h, backlog) cm_listen_bufs_at(__FILE__, __LINE__, (h), (backlog), 0, 0)

/* Passive open on listener l with the peer's ISN CM_PEER_ISN, <mss 1460>
 * and the window peer_win: checks the SYN-ACK exactly (its window is
 * our_win), completes the handshake and accepts. Returns the accepted
 * handle; *isn gets the stack's ISN. */
static inline int cm_accept_win_at(const char *file, int line, harness *h, int l,
                                   unsigned peer_win, unsigned our_win, uint32_t *isn)
{
    synack_stack *s = h_stack(h);
    if (h_inject_at(file, line, h, NULL, "S %u:%u(0) win %u <mss 1460>", CM_PEER_ISN,
                    CM_PEER_ISN, peer_win) != 0)
        check_fail(file, line, "cm_accept: SYN dropped");
    synack_segment sa = h_pop_at(file, line, h);
    cm_match_at(file, line, h, &sa, "S. %u:%u(0) ack %u win %u <mss 1460>", sa.seq, sa.seq,
                CM_PEER_ISN + 1, our_win);
    *isn = sa.seq;
    if (h_inject_at(file, line, h, NULL, ". %u:%u(0) ack %u win %u", CM_PEER_ISN + 1,
                    CM_PEER_ISN + 1, sa.seq + 1, peer_win) != 0)
        check_fail(file, line, "cm_accept: ACK dropped");
    h_expect_nothing_at(file, line, h);
    int c = synack_accept(s, l, NULL);
    if (c < 0)
        check_fail(file, line, "cm_accept: accept: %s", synack_strerror(c));
    if (synack_get_state(s, c) != SYNACK_ESTABLISHED)
        check_fail(file, line, "cm_accept: not ESTABLISHED");
    return c;
}
#define cm_accept_win(h, l, peer_win, our_win, isn) \
    cm_accept_win_at(__FILE__, __LINE__, (h), (l), (peer_win), (our_win), (isn))
#define cm_accept(h, l, isn) cm_accept_win_at(__FILE__, __LINE__, (h), (l), 65535, 65535, (isn))

/* Listener + passive open in one. */
static inline int cm_server_at(const char *file, int line, harness *h, uint32_t *isn)
{
    int l = cm_listen_bufs_at(file, line, h, 8, 0, 0);
    return cm_accept_win_at(file, line, h, l, 65535, 65535, isn);
}
#define cm_server(h, isn) cm_server_at(__FILE__, __LINE__, (h), (isn))

/* Active open from local_port to the peer: checks the SYN exactly, answers
 * with a SYN-ACK (ISN CM_SERVER_ISN, <mss 1460>) and checks the ACK.
 * Returns the handle; *isn gets the stack's ISN. */
static inline int cm_client_at(const char *file, int line, harness *h, uint32_t *isn)
{
    synack_stack *s = h_stack(h);
    int c = synack_socket(s);
    if (c < 0 || synack_bind(s, c, 0, h->local_port) != 0)
        check_fail(file, line, "cm_client: cannot bind port %u", h->local_port);
    int rc = synack_connect(s, c, h->peer_addr, h->peer_port);
    if (rc != SYNACK_EINPROGRESS)
        check_fail(file, line, "cm_client: connect: %s", synack_strerror(rc));
    synack_segment syn = h_pop_at(file, line, h);
    cm_match_at(file, line, h, &syn, "S %u:%u(0) win 65535 <mss 1460>", syn.seq, syn.seq);
    *isn = syn.seq;
    if (h_inject_at(file, line, h, NULL, "S. %u:%u(0) ack %u win 65535 <mss 1460>",
                    CM_SERVER_ISN, CM_SERVER_ISN, syn.seq + 1) != 0)
        check_fail(file, line, "cm_client: SYN-ACK dropped");
    h_expect_at(file, line, h, ". %u:%u(0) ack %u win 65535 <>", syn.seq + 1, syn.seq + 1,
                CM_SERVER_ISN + 1);
    h_expect_nothing_at(file, line, h);
    if (synack_get_state(s, c) != SYNACK_ESTABLISHED)
        check_fail(file, line, "cm_client: not ESTABLISHED");
    return c;
}
#define cm_client(h, isn) cm_client_at(__FILE__, __LINE__, (h), (isn))

/* Fails (at the caller's line) unless two segments agree in every header
 * field and option, SACK block edges included: their tcpdump-style lines
 * (support/h_spec.h) must be equal, and both are printed if not. */
#define cm_same_segment(x, y) cm_same_segment_at(__FILE__, __LINE__, (x), (y))
static inline void cm_same_segment_at(const char *file, int line, const synack_segment *x,
                                      const synack_segment *y)
{
    char a[512], b[512];
    h_fmt_segment(x, a, sizeof a);
    h_fmt_segment(y, b, sizeof b);
    if (strcmp(a, b) != 0)
        check_fail(file, line, "segments differ:\n  %s\n  %s", a, b);
}

static inline uint64_t cm_live(harness *h)
{
    synack_stats st;
    synack_stats_get(h_stack(h), &st);
    return st.conns_live;
}

static inline uint64_t cm_drops(harness *h, synack_drop why)
{
    synack_stats st;
    synack_stats_get(h_stack(h), &st);
    return st.drops[why];
}

#endif
