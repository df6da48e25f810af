/* test_cm_tcb_reuse.c — a connection record taken from the stack's free
 * list of TCBs (rec_get, stack.c) starts exactly like a freshly allocated
 * one. One stack first runs a connection that leaves as much state behind
 * as it can (window scaling, SACK and timestamps negotiated, urgent data,
 * an out-of-order range, unread data, queued data to send, an RTT
 * measurement, reset by the peer with an error pending); once its handle
 * is closed the record goes to the free list. The next connection on that
 * stack must take that very record and behave — every segment, every call
 * result, every retransmission time — exactly as the same connection on a
 * fresh stack at the same moment. */
#include "check.h"
#include "stack_impl.h"
#include "support/harness.h"
#include "test_cm_util.h"

#define DIRTY_PORT 41000

static void dirty_connection(harness *h)
{
    synack_stack *s = h_stack(h);
    h->peer_port = DIRTY_PORT;
    CHECK_EQ(h_inject(h, "S 1000:1000(0) <mss 1200,sackOK,TS val 100 ecr 0,wscale 3>"), 0);
    synack_segment sa = h_pop(h);
    CHECK(sa.opts.has_ts && sa.opts.has_wscale && sa.opts.sack_permitted);
    uint32_t isn = sa.seq;
    h_advance(h, SYNACK_MSEC(30));
    CHECK_EQ(h_inject(h, ". 1001:1001(0) ack %u <TS val 130 ecr %u>", isn + 1, sa.opts.tsval), 0);
    int l = 0;      /* the listener is handle 0 */
    int a = synack_accept(s, l, NULL);
    CHECK(a >= 0);
    /* Urgent data in order, then a range above a hole (kept out of order,
     * reported with SACK). */
    CHECK_EQ(h_inject(h, "P.U 1001:1011(10) ack %u urg 5 <TS val 140 ecr %u>", isn + 1,
                      sa.opts.tsval), 0);
    CHECK_EQ(h_inject(h, "P. 1021:1031(10) ack %u <TS val 141 ecr %u>", isn + 1,
                      sa.opts.tsval), 0);
    while (h_pending(h))
        (void)h_pop(h);
    CHECK(synack_urgent_pending(s, a) > 0);
    /* Data of ours in flight, unacknowledged. */
    CHECK_EQ(synack_send(s, a, "dirty", 5), 5);
    while (h_pending(h))
        (void)h_pop(h);
    /* The peer resets it at RCV.NXT: error pending, data unread. */
    CHECK_EQ(h_inject(h, "R 1011:1011(0)"), 0);
    CHECK_EQ(synack_get_state(s, a), SYNACK_CLOSED);
    CHECK_EQ(synack_close(s, a), 0);
    h_expect_nothing(h);
    CHECK_EQ(s->tcb_cache.n, 1u);
    CHECK(s->buf_cache.n >= 1u);    /* its send queue's buffer at least */
}

#define MAX_SEGS 32

typedef struct run {
    synack_segment seg[MAX_SEGS];
    uint8_t data[MAX_SEGS][16];     /* first payload bytes of each */
    size_t n;
    long results[16];
    size_t nres;
} run;

static void take_all(harness *h, run *r)
{
    while (h_pending(h)) {
        CHECK(r->n < MAX_SEGS);
        if (r->n >= MAX_SEGS)
            return;
        r->seg[r->n] = h_pop(h);
        size_t len;
        const uint8_t *d = h_last_payload(h, &len);
        memset(r->data[r->n], 0, sizeof r->data[r->n]);
        if (len)
            memcpy(r->data[r->n], d, len < 16 ? len : 16);
        r->n++;
    }
}

static void note(run *r, long v)
{
    if (r->nres < 16)
        r->results[r->nres++] = v;
}

/* The connection both stacks run, from the same moment on. Its SYN offers
 * only MSS and timestamps, so nothing negotiated before may linger. */
static void measured_connection(harness *h, run *r)
{
    synack_stack *s = h_stack(h);
    h->peer_port = 40000;
    CHECK_EQ(h_inject(h, "S 7000:7000(0) <mss 1000,TS val 500 ecr 0>"), 0);
    synack_segment sa = h_pop(h);
    r->seg[r->n++] = sa;
    uint32_t isn = sa.seq;
    h_advance(h, SYNACK_MSEC(50));
    CHECK_EQ(h_inject(h, ". 7001:7001(0) ack %u <TS val 550 ecr %u>", isn + 1, sa.opts.tsval), 0);
    int a = synack_accept(s, 0, NULL);
    note(r, a);
    note(r, synack_get_error(s, a));
    note(r, synack_urgent_pending(s, a));
    note(r, synack_recv_ready(s, a));
    note(r, (long)synack_poll(s, a));
    CHECK_EQ(h_inject(h, "P. 7001:7011(10) ack %u <TS val 560 ecr %u>", isn + 1, sa.opts.tsval), 0);
    take_all(h, r);
    char buf[64];
    note(r, synack_recv(s, a, buf, sizeof buf));
    note(r, synack_recv(s, a, buf, sizeof buf));      /* EAGAIN, not EOF */
    note(r, synack_send(s, a, "hello", 5));
    take_all(h, r);
    /* No ACK: the retransmissions show the RTO the record computes. */
    for (int i = 0; i < 40; i++) {
        h_advance(h, SYNACK_MSEC(100));
        take_all(h, r);
    }
    CHECK_EQ(h_inject(h, "F. 7011:7011(0) ack %u <TS val 600 ecr %u>", isn + 6, sa.opts.tsval), 0);
    take_all(h, r);
    note(r, synack_recv(s, a, buf, sizeof buf));      /* EOF */
    note(r, synack_close(s, a));
    take_all(h, r);
    note(r, (long)h_now(h));
}

TEST(reused_record_behaves_like_a_fresh_one)
{
    harness *used = h_new(NULL), *fresh = h_new(NULL);
    for (int i = 0; i < 2; i++) {
        harness *h = i ? fresh : used;
        int l = synack_socket(h_stack(h));
        CHECK_EQ(l, 0);
        CHECK_EQ(synack_bind(h_stack(h), l, 0, 80), 0);
        CHECK_EQ(synack_listen(h_stack(h), l, 8), 0);
    }
    dirty_connection(used);
    /* Same moment on both: ISN (RFC 6528 clock) and TSval agree. */
    h_advance(fresh, h_now(used));
    CHECK_U64(h_now(fresh), h_now(used));

    static run ru, rf;
    measured_connection(used, &ru);
    CHECK_EQ(h_stack(used)->tcb_cache.n, 0u);     /* it took the cached record */
    CHECK(h_stack(used)->buf_cache.n >= 1u);       /* and gave buffers back */
    measured_connection(fresh, &rf);

    CHECK_EQ(ru.n, rf.n);
    CHECK(ru.n >= 6);       /* SYN-ACK, ACK, data, retransmissions, ... */
    for (size_t i = 0; i < ru.n && i < rf.n; i++) {
        cm_same_segment(&ru.seg[i], &rf.seg[i]);
        CHECK_MEM(ru.data[i], rf.data[i], sizeof ru.data[i]);
    }
    /* The data segment and its retransmissions carry "hello", from a
     * send queue whose buffer the dirty connection gave back. */
    int hellos = 0;
    for (size_t i = 0; i < ru.n; i++)
        if (ru.seg[i].len == 5 && memcmp(ru.data[i], "hello", 5) == 0)
            hellos++;
    CHECK(hellos >= 2);
    CHECK_EQ(ru.nres, rf.nres);
    for (size_t i = 0; i < ru.nres && i < rf.nres; i++)
        CHECK_U64((uint64_t)ru.results[i], (uint64_t)rf.results[i]);
    h_free(used);
    h_free(fresh);
}

/* The free list is bounded: many records released at once keep at most
 * REC_CACHE_MAX, and the stack frees them all at the end (ASan watches). */
TEST(free_list_is_bounded)
{
    harness *h = h_new(NULL);
    synack_stack *s = h_stack(h);
    int l = synack_socket(s);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 200), 0);
    for (int i = 0; i < 100; i++) {
        h->peer_port = (uint16_t)(42000 + i);
        CHECK_EQ(h_inject(h, "S 1000:1000(0) <mss 1460>"), 0);
    }
    while (h_pending(h))
        (void)h_pop(h);
    CHECK_EQ(s->stats.conns_live, 100u);
    CHECK_EQ(synack_close(s, l), 0);        /* resets every half-open one */
    while (h_pending(h))
        (void)h_pop(h);
    CHECK_EQ(s->stats.conns_live, 0u);
    CHECK_EQ(s->tcb_cache.n, REC_CACHE_MAX);
    h_free(h);
}

TEST_MAIN()
