/* test_tx_buffer.c — zero-copy transmit (synack_config.tx_buffer): two
 * stacks joined by a recording link run the same exchange (handshake,
 * data both ways, an ICMP echo, close, a RST to a closed port) once with
 * the link lending its buffers and once without. Every datagram must be
 * byte-identical between the runs; with lending, each tx must hand back
 * exactly the buffer lent for it (one tx per lend, before the next lend),
 * cap must be the MTU, and a NULL answer must fall back to the stack's
 * own buffer without changing a byte. */
#include "check.h"

#include <stdlib.h>

#include "synack.h"
#include "wire/wire.h"

#define A_ADDR 0xC6120001u  /* 198.18.0.1 */
#define B_ADDR 0xC6120002u  /* 198.18.0.2 */
#define MAXPKT 64
#define MTU 1500

typedef struct link {
    /* Mode: 0 never lends; 1 always lends; 2 lends every other time. */
    int mode;
    unsigned asks;
    uint8_t *lent;              /* buffer lent and not yet sent, or NULL */
    uint8_t bufs[2][MTU];       /* one per direction is enough: the stack
                                   sends each datagram before the next */
    int nbuf;
    /* Queue of datagrams in flight (copied), and a record of them all. */
    uint8_t q[MAXPKT][MTU];
    size_t qlen[MAXPKT];
    int qdst[MAXPKT];
    int qhead, qtail;
    uint8_t rec[MAXPKT][MTU];
    size_t reclen[MAXPKT];
    int nrec;
    synack_stack *st[2];
} link;

typedef struct port {
    link *l;
    int dst;
} port;

static uint8_t *lend(void *ctx, size_t cap)
{
    port *p = ctx;
    link *l = p->l;
    CHECK_EQ(cap, MTU);
    CHECK(l->lent == NULL);     /* the previous lend was sent */
    l->asks++;
    if (l->mode == 0 || (l->mode == 2 && l->asks % 2 == 0))
        return NULL;
    l->nbuf ^= 1;
    l->lent = l->bufs[l->nbuf];
    return l->lent;
}

static void tx(void *ctx, const uint8_t *pkt, size_t len)
{
    port *p = ctx;
    link *l = p->l;
    if (l->lent) {
        CHECK(pkt == l->lent);  /* built right in the lent buffer */
        l->lent = NULL;
    } else if (l->mode == 1) {
        check_fail(__FILE__, __LINE__, "a datagram was sent without a lend");
    }
    CHECK(len <= MTU && l->qtail < MAXPKT && l->nrec < MAXPKT);
    memcpy(l->q[l->qtail], pkt, len);
    l->qlen[l->qtail] = len;
    l->qdst[l->qtail++] = p->dst;
    memcpy(l->rec[l->nrec], pkt, len);
    l->reclen[l->nrec++] = len;
}

static void pump(link *l)
{
    while (l->qhead < l->qtail) {
        int i = l->qhead++;
        synack_input(l->st[l->qdst[i]], l->q[i], l->qlen[i], 0);
    }
}

/* An ICMP echo request from A to B with a 5-byte body. */
static size_t echo_request(uint8_t *p)
{
    uint8_t *icmp = p + WIRE_IPV4_HDR_LEN;
    memcpy(icmp + WIRE_ICMP_HDR_LEN, "hello", 5);
    wire_icmp_emit(icmp, WIRE_ICMP_ECHO_REQUEST, 0, 0x12340001u, 5);
    return wire_ipv4_emit(p, A_ADDR, B_ADDR, WIRE_PROTO_ICMP, 64, 7, WIRE_ICMP_HDR_LEN + 5) +
           WIRE_ICMP_HDR_LEN + 5;
}

static void run(link *l, int mode)
{
    memset(l, 0, sizeof *l);
    l->mode = mode;
    port ports[2] = { { l, 1 }, { l, 0 } };
    for (int i = 0; i < 2; i++) {
        synack_config cfg;
        synack_config_default(&cfg);
        cfg.addr = i == 0 ? A_ADDR : B_ADDR;
        cfg.mtu = MTU;
        cfg.seed = 42 + (uint64_t)i;
        cfg.delack = 0;             /* time stands still here */
        cfg.tx = tx;
        cfg.tx_ctx = &ports[i];
        cfg.tx_buffer = lend;
        CHECK_EQ(synack_stack_new(&cfg, &l->st[i]), 0);
    }
    synack_stack *a = l->st[0], *b = l->st[1];
    int ls = synack_socket(b);
    CHECK_EQ(synack_bind(b, ls, 0, 80), 0);
    CHECK_EQ(synack_listen(b, ls, 4), 0);
    int c = synack_socket(a);
    CHECK_EQ(synack_connect(a, c, B_ADDR, 80), SYNACK_EINPROGRESS);
    pump(l);
    int sc = synack_accept(b, ls, NULL);
    CHECK(sc >= 0);
    static uint8_t data[5000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 1);
    CHECK_EQ(synack_send(a, c, data, sizeof data), (long)sizeof data);
    CHECK_EQ(synack_send(b, sc, "pong", 4), 4);
    pump(l);
    uint8_t got[6000];
    CHECK_EQ(synack_recv(b, sc, got, sizeof got), (long)sizeof data);
    CHECK_MEM(got, data, sizeof data);
    CHECK_EQ(synack_recv(a, c, got, sizeof got), 4);
    CHECK_MEM(got, "pong", 4);
    uint8_t req[64];
    size_t n = echo_request(req);
    CHECK_EQ(synack_input(b, req, n, 0), 0);
    pump(l);
    CHECK_EQ(synack_close(a, c), 0);
    pump(l);
    CHECK_EQ(synack_close(b, sc), 0);
    pump(l);
    CHECK_EQ(synack_get_state(a, c), SYNACK_EBADF);     /* handle gone */
    /* A SYN to a closed port: answered with a RST built without a TCB. */
    int c2 = synack_socket(a);
    CHECK_EQ(synack_connect(a, c2, B_ADDR, 81), SYNACK_EINPROGRESS);
    pump(l);
    CHECK(l->lent == NULL);
    synack_stack_free(a);
    synack_stack_free(b);
}

TEST(lent_buffers_give_the_same_datagrams)
{
    static link plain, lent, mixed;
    run(&plain, 0);
    run(&lent, 1);
    run(&mixed, 2);
    CHECK(plain.nrec >= 12);
    CHECK_EQ(lent.nrec, plain.nrec);
    CHECK_EQ(mixed.nrec, plain.nrec);
    /* Every datagram was built through a lend request. */
    CHECK_EQ(lent.asks, (unsigned)plain.nrec);
    int icmp = 0;
    for (int i = 0; i < plain.nrec; i++) {
        CHECK_EQ(lent.reclen[i], plain.reclen[i]);
        CHECK_EQ(mixed.reclen[i], plain.reclen[i]);
        CHECK_MEM(lent.rec[i], plain.rec[i], plain.reclen[i]);
        CHECK_MEM(mixed.rec[i], plain.rec[i], plain.reclen[i]);
        icmp += plain.rec[i][9] == WIRE_PROTO_ICMP;
    }
    CHECK_EQ(icmp, 1);          /* the echo reply went through it too */
}

TEST_MAIN()
