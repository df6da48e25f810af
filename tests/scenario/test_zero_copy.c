/* test_zero_copy.c — the zero-copy calls, packet by packet: reading the
 * received bytes where the stack holds them (synack_recv_peek, then
 * synack_recv_consume) and writing bytes to send where the stack queues
 * them (synack_send_reserve, then synack_send_commit).
 *
 * Each is held against its copying twin: the same scenario run once with
 * synack_recv or synack_send and once with the zero-copy calls must give
 * the same segments (seq, ack, window, flags, payload), window updates
 * (RFC 9293 3.8.6.2.2, RFC 1122 4.2.3.3) included. Also: a receive buffer
 * that wraps, the end of the stream and every error, the send buffer's
 * limits (full, nearly full, wrapped), the state rule of SEND (RFC 9293
 * 3.10.2: queued in SYN-SENT, refused after a shutdown), and a close with
 * data peeked but not consumed (a RST, RFC 1122 4.2.2.13).
 *
 * No timestamps, SACK or window scaling (cm_config); delack 0. The stack
 * is 198.18.0.2:80, the peer 198.18.0.1:40000 with ISN 1000 (5000 when it
 * answers our SYN). */
#include "check.h"
#include "support/harness.h"
#include "test_cm_util.h"

#include <stdlib.h>

enum { BY_COPY, ZERO_COPY };

/* The peer's byte stream: stream[i] is the byte at sequence number
 * 1001 + i. Not periodic (unlike h_pattern_fill's 26), so a byte read
 * from a wrong offset shows. */
static uint8_t stream[1 << 16];

static void stream_init(void)
{
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof stream; i++) {
        x = x * 1103515245u + 12345u;
        stream[i] = (uint8_t)(x >> 16);
    }
}

/* One connection accepted on a stack of its own. */
typedef struct zconn {
    harness *h;
    synack_stack *s;
    int c;                      /* the accepted handle */
    uint32_t a;                 /* our ISN + 1 */
} zconn;

/* A stack (cfg, or cm_config when NULL) and a passive open on it with the
 * given buffer sizes (0: the 65535 default) and the peer's window. */
static zconn zc_open(const synack_config *cfg, int rcvbuf, int sndbuf, unsigned peer_win)
{
    zconn z;
    z.h = cfg ? h_new(cfg) : cm_new();
    z.s = h_stack(z.h);
    stream_init();
    int l = cm_listen_bufs(z.h, 8, rcvbuf, sndbuf);
    uint32_t isn;
    z.c = cm_accept_win(z.h, l, peer_win, rcvbuf ? (unsigned)rcvbuf : 65535u, &isn);
    z.a = isn + 1;
    CHECK_EQ(synack_close(z.s, l), 0);
    return z;
}

/* The peer sends stream[off, off + len) in one segment, and the stack
 * acknowledges it at once (delack 0) with the window field win. */
#define peer_sends(h, a, off, len, win) peer_sends_at(__FILE__, __LINE__, h, a, off, len, win)
static void peer_sends_at(const char *file, int line, harness *h, uint32_t a, uint32_t off,
                          uint32_t len, unsigned win)
{
    if (h_inject_at(file, line, h, stream + off, "P. %u:%u(%u) ack %u", 1001 + off,
                    1001 + off + len, len, a) != 0)
        check_fail(file, line, "peer_sends: segment dropped");
    h_expect_at(file, line, h, ". %u:%u(0) ack %u win %u <>", a, a, 1001 + off + len, win);
}

/* Reads n bytes into out, either with synack_recv or by peeking (the n
 * bytes must be contiguous) and consuming all n in one call, so that both
 * ways make one window-update decision. */
static void take(harness *h, int c, uint8_t *out, uint32_t n, int mode)
{
    synack_stack *s = h_stack(h);
    if (mode == BY_COPY) {
        CHECK_EQ(synack_recv(s, c, out, n), n);
        return;
    }
    const void *p;
    long k = synack_recv_peek(s, c, &p);
    CHECK(k >= (long)n);
    memcpy(out, p, n);
    CHECK_EQ(synack_recv_consume(s, c, n), 0);
}

/* ---- receive ---- */

TEST(peek_shows_the_bytes_in_place_and_consumes_nothing)
{
    zconn z = zc_open(NULL, 0, 0, 65535);
    peer_sends(z.h, z.a, 0, 100, 65435);
    const void *p = NULL, *q = NULL;
    CHECK_EQ(synack_recv_peek(z.s, z.c, &p), 100);
    CHECK(p != NULL);
    CHECK_MEM(p, stream, 100);
    /* Nothing consumed: the same bytes at the same place again. */
    CHECK_EQ(synack_recv_ready(z.s, z.c), 100);
    CHECK_EQ(synack_recv_peek(z.s, z.c, &q), 100);
    CHECK(q == p);
    /* Consuming part shows the rest, right after it. */
    CHECK_EQ(synack_recv_consume(z.s, z.c, 30), 0);
    CHECK_EQ(synack_recv_ready(z.s, z.c), 70);
    CHECK_EQ(synack_recv_peek(z.s, z.c, &q), 70);
    CHECK(q == (const uint8_t *)p + 30);
    CHECK_MEM(q, stream + 30, 70);
    /* 30 bytes freed in a 65535 window: no update. n = 0 does nothing. */
    CHECK_EQ(synack_recv_consume(z.s, z.c, 0), 0);
    CHECK_EQ(synack_recv_ready(z.s, z.c), 70);
    h_expect_nothing(z.h);
    /* synack_recv continues where consume left off. */
    uint8_t buf[100];
    CHECK_EQ(synack_recv(z.s, z.c, buf, sizeof buf), 70);
    CHECK_MEM(buf, stream + 30, 70);
    CHECK_EQ(synack_recv_peek(z.s, z.c, &q), SYNACK_EAGAIN);
    CHECK(q == NULL);
    h_expect_nothing(z.h);
    h_free(z.h);
}

TEST(consuming_everything_releases_a_small_buffer)
{
    /* As after synack_recv: an emptied small receive buffer is released
     * (to the stack's cache of 2 KiB buffers), so the next data starts a
     * fresh one at its first byte. Kept, the data would follow the 100
     * consumed bytes. */
    zconn z = zc_open(NULL, 0, 0, 65535);
    peer_sends(z.h, z.a, 0, 100, 65435);
    const void *p, *q;
    CHECK_EQ(synack_recv_peek(z.s, z.c, &p), 100);
    CHECK_EQ(synack_recv_consume(z.s, z.c, 100), 0);
    peer_sends(z.h, z.a, 100, 50, 65385);   /* edge unmoved */
    CHECK_EQ(synack_recv_peek(z.s, z.c, &q), 50);
    CHECK(q == p);
    CHECK_MEM(q, stream + 100, 50);
    h_free(z.h);
}

TEST(peek_stops_at_the_wrap_and_the_rest_follows_the_consume)
{
    /* A 4000-byte receive buffer: its storage grows 2048 -> 4000. */
    zconn z = zc_open(NULL, 4000, 0, 65535);
    peer_sends(z.h, z.a, 0, 1460, 2540);
    peer_sends(z.h, z.a, 1460, 1460, 1080);
    peer_sends(z.h, z.a, 2920, 80, 1000);
    static uint8_t got[8000];
    uint32_t have = 0;
    /* All 3000 in one piece; consume 2900, keeping 100 so that the
     * storage stays (an emptied small buffer is released). */
    const void *p;
    CHECK_EQ(synack_recv_peek(z.s, z.c, &p), 3000);
    memcpy(got, p, 2900);
    have = 2900;
    CHECK_EQ(synack_recv_consume(z.s, z.c, 2900), 0);
    /* The window the peer knows (1000) is below one MSS: update. */
    h_expect(z.h, ". %u:%u(0) ack 4001 win 3900 <>", z.a, z.a);
    /* 2000 more: bytes 2900..4999 of the stream sit at storage offsets
     * 2900..3999 and then 0..999. */
    peer_sends(z.h, z.a, 3000, 1460, 2440);
    peer_sends(z.h, z.a, 4460, 540, 1900);
    CHECK_EQ(synack_recv_ready(z.s, z.c), 2100);
    long k = synack_recv_peek(z.s, z.c, &p);
    CHECK_EQ(k, 1100);              /* up to the end of the storage */
    memcpy(got + have, p, (size_t)k);
    have += (uint32_t)k;
    CHECK_EQ(synack_recv_consume(z.s, z.c, (size_t)k), 0);
    /* The peer knows a window of 1900, more than a segment: 3000 is not
     * two segments more. */
    h_expect_nothing(z.h);
    k = synack_recv_peek(z.s, z.c, &p);
    CHECK_EQ(k, 1000);              /* the rest, from the start */
    memcpy(got + have, p, (size_t)k);
    have += (uint32_t)k;
    CHECK_EQ(synack_recv_consume(z.s, z.c, (size_t)k), 0);
    h_expect_nothing(z.h);    /* nor is 4000 */
    CHECK_EQ(have, 5000);
    CHECK_MEM(got, stream, 5000);
    h_free(z.h);
}

/* A window-update scenario: the peer fills fill bytes of a receive buffer
 * of rcvbuf bytes (0: 65535) in full-sized segments, each acknowledged
 * with the window left; then the application takes the reads in order.
 * Only the last read may send an update, carrying update_win. */
typedef struct wnd_case {
    int rcvbuf;
    uint32_t fill;
    uint32_t reads[3];          /* 0 ends the list */
    unsigned update_win;
} wnd_case;

static const wnd_case wnd_cases[] = {
    /* An 8000-byte buffer filled to a zero window. 100 and then 1000
     * freed bytes are less than one MSS (RFC 9293 3.8.6.2.2: the window
     * stays shut); 360 more make 1460 and the peer, which knows a window
     * below one segment, is told. */
    { 8000, 8000, { 100, 1000, 360 }, 1460 },
    /* 65535 bytes holding 14600 unread: the peer knows 50935, more than a
     * segment. Freeing 2000 opens the window, but not by two segments:
     * no update; 1000 more make it 3000 and the update goes. */
    { 0, 14600, { 2000, 1000, 0 }, 53935 },
};

/* Runs w with reads made by mode; returns the window update. */
static synack_segment window_update(const wnd_case *w, int mode)
{
    zconn z = zc_open(NULL, w->rcvbuf, 0, 65535);
    uint32_t buf = w->rcvbuf ? (uint32_t)w->rcvbuf : 65535u;
    for (uint32_t off = 0, len; off < w->fill; off += len) {
        len = w->fill - off < 1460 ? w->fill - off : 1460;
        peer_sends(z.h, z.a, off, len, buf - off - len);
    }
    static uint8_t got[8000];
    uint32_t have = 0;
    for (int i = 0; i < 3 && w->reads[i]; i++) {
        h_expect_nothing(z.h);    /* the reads before the last: no update */
        take(z.h, z.c, got + have, w->reads[i], mode);
        have += w->reads[i];
    }
    synack_segment up = h_pop(z.h);
    cm_match(z.h, &up, ". %u:%u(0) ack %u win %u <>", z.a, z.a, 1001 + w->fill, w->update_win);
    h_expect_nothing(z.h);
    CHECK_MEM(got, stream, have);
    h_free(z.h);
    return up;
}

TEST(consume_sends_the_window_update_recv_would_send)
{
    for (size_t i = 0; i < sizeof wnd_cases / sizeof wnd_cases[0]; i++) {
        synack_segment copy = window_update(&wnd_cases[i], BY_COPY);
        synack_segment zero = window_update(&wnd_cases[i], ZERO_COPY);
        cm_same_segment(&copy, &zero);
    }
}

TEST(end_of_stream_and_errors)
{
    zconn z = zc_open(NULL, 0, 0, 65535);
    CHECK_EQ(h_inject_data(z.h, stream, "FP. 1001:1006(5) ack %u", z.a), 0);
    /* The FIN takes a sequence number too: RCV.NXT 1007, window 65529. */
    h_expect(z.h, ". %u:%u(0) ack 1007 win 65529 <>", z.a, z.a);
    const void *p = NULL;
    /* Not consumable beyond what is there; nothing dropped by trying. */
    CHECK_EQ(synack_recv_consume(z.s, z.c, 6), SYNACK_EINVAL);
    CHECK_EQ(synack_recv_ready(z.s, z.c), 5);
    CHECK_EQ(synack_recv_peek(z.s, z.c, NULL), SYNACK_EINVAL);
    CHECK_EQ(synack_recv_peek(z.s, z.c, &p), 5);
    CHECK_MEM(p, stream, 5);
    CHECK_EQ(synack_recv_consume(z.s, z.c, 5), 0);
    h_expect_nothing(z.h);    /* after the peer's FIN, no window update */
    /* All consumed after the FIN: end of stream, as synack_recv says. */
    p = stream;
    CHECK_EQ(synack_recv_peek(z.s, z.c, &p), 0);
    CHECK(p == NULL);
    uint8_t buf[8];
    CHECK_EQ(synack_recv(z.s, z.c, buf, sizeof buf), 0);
    CHECK_EQ(synack_recv_consume(z.s, z.c, 1), SYNACK_EINVAL);
    CHECK_EQ(synack_recv_consume(z.s, z.c, 0), 0);
    /* Bad handles, a socket never connected, a listener. */
    p = stream;
    CHECK_EQ(synack_recv_peek(z.s, 999, &p), SYNACK_EBADF);
    CHECK(p == NULL);
    CHECK_EQ(synack_recv_peek(z.s, -1, &p), SYNACK_EBADF);
    CHECK_EQ(synack_recv_consume(z.s, 999, 0), SYNACK_EBADF);
    int idle = synack_socket(z.s);
    p = stream;
    CHECK_EQ(synack_recv_peek(z.s, idle, &p), SYNACK_ENOTCONN);
    CHECK(p == NULL);
    CHECK_EQ(synack_recv_consume(z.s, idle, 0), SYNACK_ENOTCONN);
    CHECK_EQ(synack_listen(z.s, idle, 1), 0);
    CHECK_EQ(synack_recv_peek(z.s, idle, &p), SYNACK_ENOTCONN);
    h_free(z.h);
}

TEST(peek_reports_the_connection_error)
{
    zconn z = zc_open(NULL, 0, 0, 65535);
    const void *p = stream;
    CHECK_EQ(synack_recv_peek(z.s, z.c, &p), SYNACK_EAGAIN);
    CHECK(p == NULL);
    CHECK_EQ(h_inject(z.h, "R 1001:1001(0)"), 0);
    p = stream;
    CHECK_EQ(synack_recv_peek(z.s, z.c, &p), SYNACK_ECONNRESET);
    CHECK(p == NULL);
    h_expect_nothing(z.h);
    h_free(z.h);
}

TEST(close_with_peeked_but_unconsumed_data_resets)
{
    /* Twice: bytes peeked and partly consumed, and bytes all consumed.
     * Only the first is unread data (RFC 1122 4.2.2.13: RST); the other
     * closes with a FIN (its window still the one the peer knows: 100
     * freed bytes are too few to move it, RFC 9293 3.8.6.2.2). */
    for (int all = 0; all <= 1; all++) {
        zconn z = zc_open(NULL, 0, 0, 65535);
        peer_sends(z.h, z.a, 0, 100, 65435);
        const void *p;
        CHECK_EQ(synack_recv_peek(z.s, z.c, &p), 100);
        CHECK_EQ(synack_recv_consume(z.s, z.c, all ? 100 : 40), 0);
        CHECK_EQ(synack_close(z.s, z.c), 0);
        if (all)
            h_expect(z.h, "F. %u:%u(0) ack 1101 win 65435 <>", z.a, z.a);
        else
            h_expect(z.h, "R %u:%u(0) win 0 <>", z.a, z.a);
        h_expect_nothing(z.h);
        h_free(z.h);
    }
}

/* ---- send ---- */

#define REC_MAX 16
typedef struct rec {
    synack_segment seg[REC_MAX];
    uint8_t data[REC_MAX][1460];
    int n;
} rec;

/* Pops everything the stack sent into r (appending). */
static void record(harness *h, rec *r)
{
    while (h_pending(h)) {
        CHECK(r->n < REC_MAX);
        r->seg[r->n] = h_pop(h);
        size_t len;
        const uint8_t *p = h_last_payload(h, &len);
        CHECK(len <= sizeof r->data[0]);
        memcpy(r->data[r->n], p, len);
        r->n++;
    }
}

static void same_record(const rec *x, const rec *y)
{
    CHECK_EQ(x->n, y->n);
    for (int i = 0; i < x->n; i++) {
        cm_same_segment(&x->seg[i], &y->seg[i]);
        CHECK_MEM(x->data[i], y->data[i], x->seg[i].len);
    }
}

/* Queues stream[0, n), with synack_send or by reserving, writing and
 * committing piece by piece. Everything must be taken. */
static void queue(harness *h, int c, uint32_t n, int mode)
{
    synack_stack *s = h_stack(h);
    if (mode == BY_COPY) {
        CHECK_EQ(synack_send(s, c, stream, n), n);
        return;
    }
    for (uint32_t done = 0; done < n;) {
        void *buf;
        long k = synack_send_reserve(s, c, n - done, &buf);
        CHECK(k > 0 && (uint32_t)k <= n - done);
        memcpy(buf, stream + done, (size_t)k);
        CHECK_EQ(synack_send_commit(s, c, (size_t)k), k);
        done += (uint32_t)k;
    }
}

/* 5000 bytes to a peer with a wide window: four segments at once. */
static void send_established(rec *r, int mode)
{
    zconn z = zc_open(NULL, 0, 0, 65535);
    CHECK_EQ(synack_setopt(h_stack(z.h), z.c, SYNACK_TCP_NODELAY, 1), 0);
    queue(z.h, z.c, 5000, mode);
    CHECK_EQ(synack_send_pending(h_stack(z.h), z.c), 5000);
    record(z.h, r);
    CHECK_EQ(r->n, 4);
    static const uint32_t lens[] = { 1460, 1460, 1460, 620 };
    for (uint32_t i = 0, off = 0; i < 4; off += lens[i], i++) {
        cm_match(z.h, &r->seg[i], "%s %u:%u(%u) ack 1001 win 65535 <>", i == 3 ? "P." : ".",
                 z.a + off, z.a + off + lens[i], lens[i]);
        CHECK_MEM(r->data[i], stream + off, lens[i]);
    }
    h_free(z.h);
}

/* Data queued in SYN-SENT (RFC 9293 3.10.2) goes after the handshake. */
static void send_syn_sent(rec *r, int mode)
{
    harness *h = cm_new();
    synack_stack *s = h_stack(h);
    stream_init();
    h->local_port = 50000;
    int c = synack_socket(s);
    CHECK_EQ(synack_bind(s, c, 0, 50000), 0);
    CHECK_EQ(synack_connect(s, c, h->peer_addr, h->peer_port), SYNACK_EINPROGRESS);
    synack_segment syn = h_pop(h);
    cm_match(h, &syn, "S %u:%u(0) win 65535 <mss 1460>", syn.seq, syn.seq);
    queue(h, c, 300, mode);
    CHECK_EQ(synack_send_pending(s, c), 300);
    h_expect_nothing(h);
    CHECK_EQ(h_inject(h, "S. 5000:5000(0) ack %u win 65535 <mss 1460>", syn.seq + 1), 0);
    record(h, r);
    CHECK(r->n >= 1);
    size_t last = (size_t)r->n - 1;
    cm_match(h, &r->seg[last], "P. %u:%u(300) ack 5001 win 65535 <>", syn.seq + 1,
             syn.seq + 301);
    CHECK_MEM(r->data[last], stream, 300);
    h_free(h);
}

TEST(committed_bytes_leave_as_synack_send_sends_them)
{
    static rec copy, zero;
    memset(&copy, 0, sizeof copy);
    memset(&zero, 0, sizeof zero);
    send_established(&copy, BY_COPY);
    send_established(&zero, ZERO_COPY);
    same_record(&copy, &zero);
    memset(&copy, 0, sizeof copy);
    memset(&zero, 0, sizeof zero);
    send_syn_sent(&copy, BY_COPY);
    send_syn_sent(&zero, ZERO_COPY);
    same_record(&copy, &zero);
}

TEST(reserve_and_commit_within_the_send_buffer)
{
    size_t len;
    /* A 3000-byte send buffer; the peer's window lets 1000 bytes out. */
    zconn z = zc_open(NULL, 0, 3000, 1000);
    CHECK_EQ(synack_setopt(z.s, z.c, SYNACK_TCP_NODELAY, 1), 0);
    void *first = NULL, *buf = NULL;
    /* More than the buffer holds: at most its free space. Nothing is
     * queued by reserving. */
    CHECK_EQ(synack_send_reserve(z.s, z.c, 100000, &first), 3000);
    CHECK(first != NULL);
    CHECK_EQ(synack_send_pending(z.s, z.c), 0);
    h_expect_nothing(z.h);
    /* A commit beyond the space: refused, nothing queued or sent. */
    CHECK_EQ(synack_send_commit(z.s, z.c, 3001), SYNACK_EINVAL);
    CHECK_EQ(synack_send_pending(z.s, z.c), 0);
    h_expect_nothing(z.h);
    CHECK_EQ(synack_send_commit(z.s, z.c, 0), 0);
    /* Part of it used: 2000 bytes queued, 1000 leave. */
    memcpy(first, stream, 2000);
    CHECK_EQ(synack_send_commit(z.s, z.c, 2000), 2000);
    CHECK_EQ(synack_send_pending(z.s, z.c), 2000);
    h_expect(z.h, ". %u:%u(1000) ack 1001 win 65535 <>", z.a, z.a + 1000);
    CHECK_MEM(h_last_payload(z.h, &len), stream, 1000);
    h_expect_nothing(z.h);
    /* The peer takes them and closes its window. 2000 bytes are free,
     * but only the 1000 up to the end of the storage are contiguous: the
     * reserve says so, and a commit may not go past them. */
    CHECK_EQ(h_inject(z.h, ". 1001:1001(0) ack %u win 0", z.a + 1000), 0);
    h_expect_nothing(z.h);
    CHECK_EQ(synack_send_reserve(z.s, z.c, 5000, &buf), 1000);
    CHECK(buf == (uint8_t *)first + 2000);
    memcpy(buf, stream + 2000, 1000);
    CHECK_EQ(synack_send_commit(z.s, z.c, 1001), SYNACK_EINVAL);
    CHECK_EQ(synack_send_pending(z.s, z.c), 1000);
    CHECK_EQ(synack_send_commit(z.s, z.c, 1000), 1000);
    /* The rest is at the start of the storage, before the queue's head. */
    CHECK_EQ(synack_send_reserve(z.s, z.c, 5000, &buf), 1000);
    CHECK(buf == first);
    memcpy(buf, stream + 3000, 1000);
    CHECK_EQ(synack_send_commit(z.s, z.c, 1000), 1000);
    CHECK_EQ(synack_send_pending(z.s, z.c), 3000);
    /* Full: EAGAIN, whatever is asked; a commit has no room either. */
    buf = stream;
    CHECK_EQ(synack_send_reserve(z.s, z.c, 1, &buf), SYNACK_EAGAIN);
    CHECK(buf == NULL);
    CHECK_EQ(synack_send_commit(z.s, z.c, 1), SYNACK_EINVAL);
    CHECK_EQ(synack_send_pending(z.s, z.c), 3000);
    h_expect_nothing(z.h);
    /* The window opens: the queued bytes, 1000..3999 of the stream
     * (wrapping in the storage), leave in order and intact. */
    CHECK_EQ(h_inject(z.h, ". 1001:1001(0) ack %u win 65535", z.a + 1000), 0);
    h_expect(z.h, ". %u:%u(1460) ack 1001 win 65535 <>", z.a + 1000, z.a + 2460);
    CHECK_MEM(h_last_payload(z.h, &len), stream + 1000, 1460);
    h_expect(z.h, ". %u:%u(1460) ack 1001 win 65535 <>", z.a + 2460, z.a + 3920);
    CHECK_MEM(h_last_payload(z.h, &len), stream + 2460, 1460);
    h_expect(z.h, "P. %u:%u(80) ack 1001 win 65535 <>", z.a + 3920, z.a + 4000);
    CHECK_MEM(h_last_payload(z.h, &len), stream + 3920, 80);
    h_expect_nothing(z.h);
    h_free(z.h);
}

TEST(reserve_follows_the_state_rule_of_send)
{
    zconn z = zc_open(NULL, 0, 0, 65535);
    void *buf = stream;
    CHECK_EQ(synack_send_reserve(z.s, z.c, 0, &buf), SYNACK_EINVAL);
    CHECK(buf == NULL);
    CHECK_EQ(synack_send_reserve(z.s, z.c, 10, NULL), SYNACK_EINVAL);
    CHECK_EQ(synack_send_reserve(z.s, 999, 10, &buf), SYNACK_EBADF);
    CHECK_EQ(synack_send_commit(z.s, 999, 10), SYNACK_EBADF);
    int idle = synack_socket(z.s);
    CHECK_EQ(synack_send_reserve(z.s, idle, 10, &buf), SYNACK_ENOTCONN);
    CHECK_EQ(synack_send_commit(z.s, idle, 0), SYNACK_ENOTCONN);
    /* Reserved, then the write side shut down: neither more room nor the
     * commit of what was written (the FIN is already queued after the
     * data, RFC 9293 3.10.4). */
    CHECK_EQ(synack_send_reserve(z.s, z.c, 10, &buf), 10);
    CHECK_EQ(synack_shutdown(z.s, z.c), 0);
    h_expect(z.h, "F. %u:%u(0) ack 1001 win 65535 <>", z.a, z.a);
    buf = stream;
    CHECK_EQ(synack_send_reserve(z.s, z.c, 10, &buf), SYNACK_EPIPE);
    CHECK(buf == NULL);
    CHECK_EQ(synack_send_commit(z.s, z.c, 10), SYNACK_EPIPE);
    CHECK_EQ(synack_send_commit(z.s, z.c, 0), SYNACK_EPIPE);
    CHECK_EQ(synack_send_pending(z.s, z.c), 0);
    /* A reset connection reports its error. */
    CHECK_EQ(h_inject(z.h, "R 1001:1001(0)"), 0);
    CHECK_EQ(synack_send_reserve(z.s, z.c, 10, &buf), SYNACK_ECONNRESET);
    h_expect_nothing(z.h);
    h_free(z.h);
}

/* An allocator that fails on request. */
static int alloc_fails;
static void *test_alloc(void *ctx, size_t n) { (void)ctx; return alloc_fails ? NULL : malloc(n); }
static void test_free(void *ctx, void *p) { (void)ctx; free(p); }

TEST(reserve_without_memory_is_enobufs)
{
    synack_config cfg;
    cm_config(&cfg);
    cfg.alloc = test_alloc;
    cfg.free = test_free;
    alloc_fails = 0;
    zconn z = zc_open(&cfg, 0, 0, 65535);
    /* A first exchange makes the connection's extension; its 2 KiB send
     * storage, emptied by the ACK, goes back to the stack's cache. */
    void *buf;
    CHECK_EQ(synack_send_reserve(z.s, z.c, 10, &buf), 10);
    memcpy(buf, stream, 10);
    CHECK_EQ(synack_send_commit(z.s, z.c, 10), 10);
    h_expect(z.h, "P. %u:%u(10) ack 1001 win 65535 <>", z.a, z.a + 10);
    CHECK_EQ(h_inject(z.h, ". 1001:1001(0) ack %u win 65535", z.a + 10), 0);
    /* 5000 bytes need new storage (8 KiB), which the allocator refuses. */
    alloc_fails = 1;
    buf = stream;
    CHECK_EQ(synack_send_reserve(z.s, z.c, 5000, &buf), SYNACK_ENOBUFS);
    CHECK(buf == NULL);
    CHECK_EQ(synack_send_pending(z.s, z.c), 0);
    alloc_fails = 0;
    CHECK_EQ(synack_send_reserve(z.s, z.c, 5000, &buf), 5000);
    h_expect_nothing(z.h);
    h_free(z.h);
}

TEST_MAIN()
