/* test_cm_alloc.c — running out of memory (design brief: "running out
 * refuses work cleanly and never crashes"). A counting allocator in
 * cfg.alloc fails the Nth allocation; N walks 1, 2, ... until a run
 * completes without reaching it. Each run must answer only documented
 * codes (ENOMEM, ENOBUFS, ...) or drop packets (counted), never crash
 * (ASan/UBSan watch), and leave zero blocks outstanding once the stack is
 * freed. The run that never fails must end exactly as on a healthy
 * machine. */
#include "test_cm_util.h"

#include <stdlib.h>

typedef struct counting {
    uint64_t count;         /* allocations attempted */
    uint64_t fail_at;       /* 0: never fail */
    uint64_t failed;        /* allocations refused */
    int64_t live;           /* blocks outstanding */
} counting;

static void *c_alloc(void *ctx, size_t n)
{
    counting *a = ctx;
    a->count++;
    if (a->fail_at && a->count == a->fail_at) {
        a->failed++;
        return NULL;
    }
    void *p = malloc(n ? n : 1);
    if (p)
        a->live++;
    return p;
}

static void c_free(void *ctx, void *p)
{
    counting *a = ctx;
    if (p)
        a->live--;
    free(p);
}

static void counting_config(synack_config *cfg, counting *a)
{
    cm_config(cfg);
    cfg->alloc = c_alloc;
    cfg->free = c_free;
    cfg->alloc_ctx = a;
}

static void tx_nowhere(void *ctx, const uint8_t *pkt, size_t len)
{
    (void)ctx;
    (void)pkt;
    (void)len;
}

/* ================================================== stack creation */

/* synack.h synack_stack_new: "Returns 0 ... or SYNACK_ENOMEM"; a failed
 * creation frees what it took. */
TEST(stack_new_fails_cleanly_at_every_allocation)
{
    uint64_t n;
    for (n = 1; n < 100; n++) {
        counting a = { 0, n, 0, 0 };
        synack_config cfg;
        counting_config(&cfg, &a);
        cfg.tx = tx_nowhere;
        synack_stack *s = (synack_stack *)&a;       /* must be reset to NULL */
        int rc = synack_stack_new(&cfg, &s);
        if (rc == 0) {
            CHECK_U64(a.failed, 0);
            synack_stack_free(s);
            CHECK_EQ(a.live, 0);
            break;
        }
        CHECK_EQ(rc, SYNACK_ENOMEM);
        CHECK(s == NULL);
        CHECK_U64(a.failed, 1);
        CHECK_EQ(a.live, 0);
    }
    CHECK(n > 1 && n < 100);                        /* creation does allocate */
}

/* ====================================================== a workload */

/* What the peer learned from the stack's segments. */
typedef struct peer_view {
    uint32_t isn_81;        /* our client's ISN (local port 81) */
    uint32_t isn_80;        /* the server's ISN to peer port 40001 */
    int got_81, got_80;
} peer_view;

static void drain(harness *h, peer_view *v)
{
    while (h_pending(h)) {
        synack_segment g = h_pop(h);
        if (!(g.flags & SYNACK_TCP_SYN))
            continue;
        if (g.sport == 81) {
            v->isn_81 = g.seq;
            v->got_81 = 1;
        } else if (g.sport == 80 && g.dport == 40001) {
            v->isn_80 = g.seq;
            v->got_80 = 1;
        }
    }
}

#define ALLOWED(rc, ...) allowed_at(__FILE__, __LINE__, #rc, (long)(rc), __VA_ARGS__, 1)
/* rc must be one of the listed values (the list ends with the sentinel 1,
 * which no call here returns). */
static void allowed_at(const char *file, int line, const char *what, long rc, ...)
{
    va_list ap;
    va_start(ap, rc);
    for (;;) {
        long v = va_arg(ap, long);
        if (v == rc) {
            va_end(ap);
            return;
        }
        if (v == 1)
            break;
    }
    va_end(ap);
    check_fail(file, line, "%s returned %ld (%s)", what, rc, synack_strerror((int)rc));
}

/* One run: a client connection (local port 81 to the peer's 40000) and a
 * server one (peer 40001 to our listener on 80), data both ways, both
 * closed, TIME-WAIT run out. Allocation number fail_at (counted from the
 * first socket call) fails. Returns 1 if the failure was never reached. */
static int workload(uint64_t fail_at)
{
    counting a = { 0, 0, 0, 0 };
    synack_config cfg;
    counting_config(&cfg, &a);
    harness *h = h_new(&cfg);
    synack_stack *s = h_stack(h);
    a.fail_at = fail_at ? a.count + fail_at : 0;
    peer_view v = { 0, 0, 0, 0 };
    char buf[4096];
    static char big[3000];

    int l = synack_socket(s);
    CHECK(l >= 0);
    CHECK_EQ(synack_bind(s, l, 0, 80), 0);
    CHECK_EQ(synack_listen(s, l, 8), 0);
    int c = synack_socket(s);
    CHECK_EQ(synack_bind(s, c, 0, 81), 0);
    CHECK_EQ(synack_setopt(s, c, SYNACK_TCP_NODELAY, 1), 0);
    int rc = synack_connect(s, c, H_DEFAULT_PEER_ADDR, 40000);
    ALLOWED(rc, (long)SYNACK_EINPROGRESS, (long)SYNACK_ENOMEM);
    if (fail_at == 1)
        CHECK_EQ(rc, SYNACK_ENOMEM);                /* the connection record */
    drain(h, &v);

    /* The peer answers our SYN. */
    h->local_port = 81;
    h->peer_port = 40000;
    if (v.got_81) {
        h_inject(h, "S. 5000:5000(0) ack %u <mss 1460>", v.isn_81 + 1);
        drain(h, &v);
    }
    /* The peer opens a connection to the listener, with data on the ACK. */
    h->local_port = 80;
    h->peer_port = 40001;
    h_inject(h, "S 1000:1000(0) <mss 1460>");
    drain(h, &v);
    if (v.got_80) {
        /* 100 bytes in order, then 200 more with the first half late:
         * the out-of-order store needs memory too. */
        h_inject(h, "P. 1001:1101(100) ack %u", v.isn_80 + 1);
        h_inject(h, "P. 1201:1301(100) ack %u", v.isn_80 + 1);
        h_inject(h, "P. 1101:1201(100) ack %u", v.isn_80 + 1);
        drain(h, &v);
    }
    int sc = synack_accept(s, l, NULL);
    ALLOWED(sc >= 0 ? 0 : sc, 0L, (long)SYNACK_EAGAIN);
    long got = 0;
    if (sc >= 0) {
        got = synack_recv(s, sc, buf, sizeof buf);
        ALLOWED(got > 0 ? 0 : got, 0L, (long)SYNACK_EAGAIN, (long)SYNACK_ECONNRESET,
                (long)SYNACK_ENOMEM);
    }
    /* The peer sends our client 50 bytes. */
    h->local_port = 81;
    h->peer_port = 40000;
    long cgot = 0;
    if (v.got_81) {
        h_inject(h, "P. 5001:5051(50) ack %u", v.isn_81 + 1);
        drain(h, &v);
        cgot = synack_recv(s, c, buf + 1024, 1024);
        ALLOWED(cgot > 0 ? 0 : cgot, 0L, (long)SYNACK_EAGAIN, (long)SYNACK_ENOMEM);
    }
    /* Our client sends 3000 bytes; the peer acknowledges all it sees. */
    long sent = synack_send(s, c, big, sizeof big);
    ALLOWED(sent > 0 ? 0 : sent, 0L, (long)SYNACK_ENOBUFS, (long)SYNACK_ENOTCONN,
            (long)SYNACK_ENOMEM, (long)SYNACK_EAGAIN);
    drain(h, &v);
    h->local_port = 81;
    h->peer_port = 40000;
    if (v.got_81)
        h_inject(h, ". 5051:5051(0) ack %u", v.isn_81 + 1 + (sent > 0 ? (uint32_t)sent : 0));
    drain(h, &v);
    /* Both close; the peer's FINs follow. */
    ALLOWED(synack_close(s, c), 0L);
    if (sc >= 0)
        ALLOWED(synack_close(s, sc), 0L);
    drain(h, &v);
    if (v.got_81)
        h_inject(h, "F. 5051:5051(0) ack %u",
                 v.isn_81 + 2 + (sent > 0 ? (uint32_t)sent : 0));
    h->local_port = 80;
    h->peer_port = 40001;
    if (v.got_80)
        h_inject(h, "F. 1301:1301(0) ack %u", v.isn_80 + 2);
    drain(h, &v);
    for (int i = 0; i < 200; i++) {
        h_advance(h, SYNACK_SEC(1));
        drain(h, &v);
    }
    ALLOWED(synack_close(s, l), 0L);

    int clean = a.failed == 0;
    if (clean) {
        /* Nothing failed: exactly the healthy outcome. */
        CHECK_EQ(got, 300);
        CHECK_EQ(cgot, 50);
        uint8_t want[300];
        h_pattern_fill(1001, want, sizeof want);
        CHECK_MEM(buf, want, 300);
        h_pattern_fill(5001, want, 50);
        CHECK_MEM(buf + 1024, want, 50);
        CHECK_EQ(sent, 3000);
        synack_stats st;
        synack_stats_get(s, &st);
        CHECK_U64(st.conns_established, 2);
        CHECK_U64(st.conns_reset, 0);
        CHECK_U64(st.drops[SYNACK_DROP_TCP_NO_MEMORY], 0);
    }
    CHECK_U64(cm_live(h), 0);                       /* every record freed */
    h_free(h);
    CHECK_EQ(a.live, 0);                            /* every block returned */
    return clean;
}

/* Design brief (bounded memory, clean refusal) with RFC 9293 3.10's error
 * responses: every allocation of a full connection lifetime fails in
 * turn; the stack copes each time. */
TEST(every_allocation_failure_is_survived)
{
    uint64_t n;
    for (n = 1; n < 500; n++)
        if (workload(n))
            break;
    CHECK(n > 3 && n < 500);                        /* the workload allocates */
    CHECK_EQ(workload(0), 1);
}

TEST_MAIN()
