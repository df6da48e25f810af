/* fuzz_stateful.c — fuzz target 4: a program of operations against two
 * stacks joined by a link the program controls.
 *
 * Stack A is 198.18.0.1, stack B 198.18.0.2; each has up to SLOTS tracked
 * socket handles. The input is a list of operations, each an opcode byte
 * followed by its arguments (fuzz_in returns zeros past the end):
 *
 *   DELIVER f     move up to 1+(f>>4) datagrams across the link; bit 0
 *                 direction (A->B / B->A); bit 1 drop them instead;
 *                 bit 2 deliver but keep a copy (duplicate); bit 3 take
 *                 the newest first (reorder)
 *   RUN           deliver everything both ways until quiet (bounded)
 *   ADVANCE v:u16 move the clock v ms (both stacks), firing timers
 *   SOCKET st     new socket on stack st into a free slot
 *   BIND st sl p  bind slot sl to port 80/81/0/40000 (p & 3)
 *   LISTEN st sl b   listen with backlog b - 2
 *   ACCEPT st sl  accept on slot sl into a free slot
 *   CONNECT st sl p  connect to the other stack, port 80/81/0/40000
 *   SEND st sl n:u16  send n bytes of the stream pattern (odd n: through
 *                 synack_send_reserve/commit, written in place)
 *   RECV st sl n:u16  receive up to n bytes and check them (odd n: through
 *                 synack_recv_peek/consume, checked in place)
 *   CLOSE / SHUTDOWN / ABORT st sl
 *   SETOPT st sl o v:u16   synack_setopt(o % 15, (int16_t)v)
 *   INJECT st c n:u16 bytes   a raw datagram into stack st; c bit 0
 *                 repairs the IPv4 header (to st, from the other stack),
 *                 bit 1 the TCP checksum too
 *   CORRUPT f pos:u16 x:u8   xor x into byte pos of the next datagram of
 *                 direction f & 1, repair checksums if f & 2, deliver it
 *   QUERY st sl   poll, ready queue, get_error, get_state, buffers,
 *                 addresses and getopt: answers must be consistent
 *
 * Checked, besides ASan/UBSan/LSan and well-formed output (fuzz_util.c):
 *   - while nothing was injected or corrupted, every byte received is the
 *     byte the peer sent at that stream offset: the link may drop,
 *     duplicate and reorder, but TCP delivers each byte once, in order;
 *   - calls return their documented codes (>= 0 or a SYNACK_E* error);
 *   - after all handles are closed, the two stacks talk themselves quiet
 *     in bounded steps and every connection record is freed.
 *
 * Built with FUZZ_BATCH (target stateful_batch, same inputs and corpus),
 * the datagrams of one DELIVER, and each direction's queue in RUN, go in
 * as one input batch (synack_batch_begin/end), so the same programs also
 * exercise deferred output, stretch ACKs and records released or reused
 * while their output waits. */
#include <stdint.h>
#include <string.h>

#include "fuzz_util.h"
#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define A_ADDR 0xC6120001u
#define B_ADDR 0xC6120002u
#define SLOTS 6

enum {
    OP_DELIVER, OP_RUN, OP_ADVANCE, OP_SOCKET, OP_BIND, OP_LISTEN, OP_ACCEPT,
    OP_CONNECT, OP_SEND, OP_RECV, OP_CLOSE, OP_SHUTDOWN, OP_ABORT, OP_SETOPT,
    OP_INJECT, OP_CORRUPT, OP_QUERY, OP_COUNT
};

typedef struct slot {
    int h;                  /* handle, -1 if free */
    uint64_t sent, rcvd;    /* stream offsets */
    int eof;                /* recv returned 0 */
} slot;

typedef struct world {
    fz_node node[2];
    slot sl[2][SLOTS];
    synack_time now;
    int tainted;            /* foreign bytes entered: no stream oracle */
} world;

static const uint16_t ports[4] = { 80, 81, 0, 40000 };

/* The stream sent from port sport to port dport: a byte depends on its
 * offset in a way that exposes shifted, repeated or missing data. */
static uint8_t pattern(uint16_t sport, uint16_t dport, uint64_t off)
{
    return (uint8_t)(off * 131u + (off >> 8) * 7u + sport * 3u + dport * 5u);
}

static int valid_err(long r)
{
    switch (r) {
    case SYNACK_EPERM: case SYNACK_ENOMEM: case SYNACK_EBADF: case SYNACK_EINVAL:
    case SYNACK_EAGAIN: case SYNACK_EMFILE: case SYNACK_EPIPE: case SYNACK_ENOPROTOOPT:
    case SYNACK_EOPNOTSUPP: case SYNACK_EADDRINUSE: case SYNACK_EADDRNOTAVAIL:
    case SYNACK_ENETUNREACH: case SYNACK_EHOSTUNREACH: case SYNACK_ECONNABORTED:
    case SYNACK_ECONNRESET: case SYNACK_ENOBUFS: case SYNACK_EISCONN: case SYNACK_ENOTCONN:
    case SYNACK_ETIMEDOUT: case SYNACK_ECONNREFUSED: case SYNACK_EALREADY:
    case SYNACK_EINPROGRESS: case SYNACK_EMSGSIZE:
        return 1;
    default:
        return 0;
    }
}

/* Evaluates r once: it is often the call itself. */
#define CHECK_RC(r) do { long rc_ = (long)(r); FZ_ASSERT(rc_ >= 0 || valid_err(rc_)); } while (0)

/* Moves one datagram from stack `from`'s queue into the other stack. */
static int deliver(world *w, int from, unsigned f)
{
    fz_node *src = &w->node[from], *dst = &w->node[!from];
    if (src->n == 0)
        return 0;
    size_t i = (f & 8) ? src->n - 1 : 0;
    fz_pkt p = src->q[i];
    if (!(f & 4)) {
        memmove(&src->q[i], &src->q[i + 1], (src->n - i - 1) * sizeof(src->q[0]));
        src->n--;
    }
    if (!(f & 2)) {
        int r = synack_input(dst->s, p.b, p.len, w->now);
        FZ_ASSERT(r == 0 || r == 1);
    }
    return 1;
}

#ifdef FUZZ_BATCH
enum { BATCHED = 1 };
#else
enum { BATCHED = 0 };
#endif

/* Opens an input batch on stack st (when built with FUZZ_BATCH). */
static void batch_open(world *w, int st)
{
    if (BATCHED)
        FZ_ASSERT(synack_batch_begin(w->node[st].s) == 0);
}

static void batch_close(world *w, int st)
{
    if (BATCHED)
        FZ_ASSERT(synack_batch_end(w->node[st].s) == 0);
}

static int run(world *w)
{
    if (BATCHED) {
        /* Each direction's whole queue as one batch, in turns. */
        for (int i = 0; i < 400; i++) {
            int moved = 0;
            for (int from = 0; from < 2; from++) {
                batch_open(w, !from);
                for (int k = 0; k < 64 && deliver(w, from, 0); k++)
                    moved = 1;
                batch_close(w, !from);
            }
            if (!moved)
                return 1;
        }
        return 0;
    }
    for (int i = 0; i < 400; i++)
        if (!deliver(w, i & 1, 0) && !deliver(w, !(i & 1), 0))
            return 1;
    return 0;
}

static void advance(world *w, synack_time dt)
{
    w->now += dt;
    synack_advance(w->node[0].s, w->now);
    synack_advance(w->node[1].s, w->now);
}

static slot *free_slot(world *w, int st)
{
    for (int i = 0; i < SLOTS; i++)
        if (w->sl[st][i].h < 0)
            return &w->sl[st][i];
    return NULL;
}

static void slot_take(slot *s, int h)
{
    memset(s, 0, sizeof(*s));
    s->h = h;
}

/* A handle for slot sl: its own, or, for an empty slot, one that is never
 * valid (so calls on it exercise EBADF without disturbing the tracked
 * handles). */
static int handle_of(world *w, int st, unsigned sl)
{
    static const int bad[3] = { -1, 16, 1 << 20 };
    slot *s = &w->sl[st][sl % SLOTS];
    return s->h >= 0 ? s->h : bad[sl % 3];
}

static void op_send(world *w, int st, slot *s, size_t n)
{
    synack_stack *S = w->node[st].s;
    uint8_t buf[4096];
    synack_endpoint le, re;
    if (s->h < 0 || synack_local_addr(S, s->h, &le) != 0 || synack_remote_addr(S, s->h, &re) != 0)
        return;
    if (n > sizeof(buf))
        n = sizeof(buf);
    if (n & 1) {
        /* Odd sizes go through the zero-copy calls: the pattern is
         * written straight into the send queue's space. */
        void *room;
        long r = synack_send_reserve(S, s->h, n, &room);
        CHECK_RC(r);
        FZ_ASSERT(r <= (long)n && (r > 0) == (room != NULL));
        if (r <= 0)
            return;
        for (long i = 0; i < r; i++)
            ((uint8_t *)room)[i] = pattern(le.port, re.port, s->sent + (uint64_t)i);
        long c = synack_send_commit(S, s->h, (size_t)r);
        FZ_ASSERT(c == r);
        s->sent += (uint64_t)r;
        return;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = pattern(le.port, re.port, s->sent + i);
    long r = synack_send(S, s->h, buf, n);
    CHECK_RC(r);
    FZ_ASSERT(r <= (long)n);
    if (r > 0)
        s->sent += (uint64_t)r;
}

static void op_recv(world *w, int st, slot *s, size_t n)
{
    synack_stack *S = w->node[st].s;
    uint8_t buf[4096];
    if (s->h < 0)
        return;
    if (n > sizeof(buf))
        n = sizeof(buf);
    long ready = synack_recv_ready(S, s->h);
    const uint8_t *got = buf;
    int in_place = n & 1;   /* odd sizes read in place (zero-copy) */
    long r;
    if (in_place) {
        const void *data;
        r = synack_recv_peek(S, s->h, &data);
        CHECK_RC(r);
        FZ_ASSERT((r > 0) == (data != NULL));
        if (r > (long)n)
            r = (long)n;
        got = data;
    } else {
        r = synack_recv(S, s->h, buf, n);
        CHECK_RC(r);
    }
    FZ_ASSERT(r <= (long)n);
    if (r > 0 && ready >= 0)
        FZ_ASSERT(r <= ready);
    if (r == 0 && n > 0)
        s->eof = 1;
    if (r <= 0)
        return;
    FZ_ASSERT(!s->eof || w->tainted);   /* nothing after end of stream */
    synack_endpoint le, re;
    if (!w->tainted && synack_local_addr(S, s->h, &le) == 0 &&
        synack_remote_addr(S, s->h, &re) == 0)
        for (long i = 0; i < r; i++)
            FZ_ASSERT(got[i] == pattern(re.port, le.port, s->rcvd + (uint64_t)i));
    /* Consumed only after the check: consuming may release the storage. */
    if (in_place)
        FZ_ASSERT(synack_recv_consume(S, s->h, (size_t)r) == 0);
    s->rcvd += (uint64_t)r;
}

static void op_query(world *w, int st, int h)
{
    synack_stack *S = w->node[st].s;
    unsigned ev = synack_poll(S, h);
    FZ_ASSERT((ev & ~0x7fu) == 0);
    synack_ready_event evs[4];
    int n = synack_ready(S, evs, 4);
    FZ_ASSERT(n >= 0 && n <= 4);
    for (int i = 0; i < n; i++)
        FZ_ASSERT(evs[i].handle >= 0 && (evs[i].events & ~0x7fu) == 0);
    int e = synack_get_error(S, h);
    FZ_ASSERT(e == 0 || valid_err(e));
    int state = synack_get_state(S, h);
    FZ_ASSERT(state == SYNACK_EBADF || (state >= 0 && state < SYNACK_STATE_COUNT));
    CHECK_RC(synack_recv_ready(S, h));
    CHECK_RC(synack_send_pending(S, h));
    CHECK_RC(synack_get_conn_id(S, h));
    synack_endpoint ep;
    CHECK_RC(synack_local_addr(S, h, &ep));
    CHECK_RC(synack_remote_addr(S, h, &ep));
    for (int o = 1; o <= SYNACK_TCP_RETRIES; o++) {
        int v;
        CHECK_RC(synack_getopt(S, h, o, &v));
    }
}

static void op_inject(world *w, int st, fz_in *in)
{
    unsigned c = fz_u8(in);
    size_t n = fz_u16(in) % 1600, got;
    uint8_t pkt[1600];
    const uint8_t *src = fz_bytes(in, n, &got);
    memcpy(pkt, src, got);
    if ((c & 1) && got >= WIRE_IPV4_HDR_LEN && (pkt[0] >> 4) == 4 && (pkt[0] & 15) == 5) {
        wire_put32(pkt + 12, w->node[!st].addr);
        wire_put32(pkt + 16, w->node[st].addr);
        wire_put16(pkt + 2, (uint16_t)got);
        wire_put16(pkt + 6, 0);
        wire_put16(pkt + 10, 0);
        wire_put16(pkt + 10, wire_csum_fold(wire_csum_add(0, pkt, WIRE_IPV4_HDR_LEN)));
        if ((c & 2) && pkt[9] == WIRE_PROTO_TCP && got >= 40) {
            uint8_t *t = pkt + WIRE_IPV4_HDR_LEN;
            size_t tl = got - WIRE_IPV4_HDR_LEN;
            wire_put16(t + 16, 0);
            uint32_t sum = wire_csum_pseudo(w->node[!st].addr, w->node[st].addr,
                                            WIRE_PROTO_TCP, (uint32_t)tl);
            wire_put16(t + 16, wire_csum_fold(wire_csum_add(sum, t, tl)));
        }
    }
    w->tainted = 1;
    int r = synack_input(w->node[st].s, pkt, got, w->now);
    FZ_ASSERT(r == 0 || r == 1);
}

static void op_corrupt(world *w, fz_in *in)
{
    unsigned f = fz_u8(in);
    uint16_t pos = fz_u16(in);
    uint8_t x = fz_u8(in);
    int from = f & 1;
    fz_node *src = &w->node[from];
    if (src->n == 0)
        return;
    fz_pkt *p = &src->q[0];
    p->b[pos % p->len] ^= x;
    if ((f & 2) && p->len >= 40 && (p->b[0] & 15) == 5 && p->b[9] == WIRE_PROTO_TCP) {
        wire_put16(p->b + 10, 0);
        wire_put16(p->b + 10, wire_csum_fold(wire_csum_add(0, p->b, WIRE_IPV4_HDR_LEN)));
        uint8_t *t = p->b + WIRE_IPV4_HDR_LEN;
        size_t tl = p->len - WIRE_IPV4_HDR_LEN;
        wire_put16(t + 16, 0);
        uint32_t sum = wire_csum_pseudo(wire_get32(p->b + 12), wire_get32(p->b + 16),
                                        WIRE_PROTO_TCP, (uint32_t)tl);
        wire_put16(t + 16, wire_csum_fold(wire_csum_add(sum, t, tl)));
    }
    if (x)
        w->tainted = 1;
    deliver(w, from, 0);
}

static void step(world *w, fz_in *in)
{
    unsigned op = fz_u8(in) % OP_COUNT;
    if (op == OP_DELIVER) {
        unsigned f = fz_u8(in);
        batch_open(w, !(f & 1));
        for (unsigned i = 0; i <= (f >> 4); i++)
            deliver(w, f & 1, f);
        batch_close(w, !(f & 1));
        return;
    }
    if (op == OP_RUN) {
        run(w);
        return;
    }
    if (op == OP_ADVANCE) {
        advance(w, SYNACK_MSEC(fz_u16(in)));
        return;
    }
    if (op == OP_CORRUPT) {
        op_corrupt(w, in);
        return;
    }
    int st = fz_u8(in) & 1;
    synack_stack *S = w->node[st].s;
    if (op == OP_SOCKET) {
        int h = synack_socket(S);
        CHECK_RC(h);
        slot *s = free_slot(w, st);
        if (h >= 0 && s)
            slot_take(s, h);
        else if (h >= 0)
            FZ_ASSERT(synack_close(S, h) == 0);
        return;
    }
    if (op == OP_INJECT) {
        op_inject(w, st, in);
        return;
    }
    unsigned sl = fz_u8(in);
    slot *s = &w->sl[st][sl % SLOTS];
    int h = handle_of(w, st, sl);
    switch (op) {
    case OP_BIND:
        CHECK_RC(synack_bind(S, h, 0, ports[fz_u8(in) & 3]));
        break;
    case OP_LISTEN:
        CHECK_RC(synack_listen(S, h, (int)fz_u8(in) - 2));
        break;
    case OP_ACCEPT: {
        synack_endpoint peer;
        int a = synack_accept(S, h, &peer);
        CHECK_RC(a);
        if (a >= 0) {
            FZ_ASSERT(peer.addr == w->node[!st].addr || w->tainted);
            slot *f = free_slot(w, st);
            if (f)
                slot_take(f, a);
            else
                FZ_ASSERT(synack_abort(S, a) == 0);
        }
        break;
    }
    case OP_CONNECT:
        CHECK_RC(synack_connect(S, h, w->node[!st].addr, ports[fz_u8(in) & 3]));
        break;
    case OP_SEND:
        op_send(w, st, s, fz_u16(in));
        break;
    case OP_RECV:
        op_recv(w, st, s, fz_u16(in));
        break;
    case OP_CLOSE:
    case OP_ABORT: {
        int r = op == OP_CLOSE ? synack_close(S, h) : synack_abort(S, h);
        CHECK_RC(r);
        FZ_ASSERT((r == 0) == (s->h >= 0));
        s->h = -1;
        break;
    }
    case OP_SHUTDOWN:
        CHECK_RC(synack_shutdown(S, h));
        break;
    case OP_SETOPT: {
        int o = fz_u8(in) % 15;
        CHECK_RC(synack_setopt(S, h, o, (int16_t)fz_u16(in)));
        break;
    }
    default:
        op_query(w, st, h);
        break;
    }
}

/* Closes every handle and lets the stacks finish: deliver whatever is
 * queued, else move to the next deadline. Must end with nothing left. */
static void wind_down(world *w)
{
    for (int st = 0; st < 2; st++)
        for (int i = 0; i < SLOTS; i++)
            if (w->sl[st][i].h >= 0) {
                FZ_ASSERT(synack_close(w->node[st].s, w->sl[st][i].h) == 0);
                w->sl[st][i].h = -1;
            }
    int quiet = 0;
    for (int guard = 0; guard < 200000 && !quiet; guard++) {
        if (deliver(w, guard & 1, 0) || deliver(w, !(guard & 1), 0))
            continue;
        synack_time d = synack_next_deadline(w->node[0].s);
        synack_time e = synack_next_deadline(w->node[1].s);
        if (e < d)
            d = e;
        if (d == SYNACK_TIME_NEVER) {
            quiet = 1;
            break;
        }
        if (d > w->now)
            w->now = d;
        advance(w, 0);
    }
    FZ_ASSERT(quiet);
    for (int st = 0; st < 2; st++) {
        synack_stats stats;
        synack_stats_get(w->node[st].s, &stats);
        FZ_ASSERT(stats.conns_live == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = { data, size, 0 };
    static world w;
    memset(&w, 0, sizeof(w));
    synack_config cfg;
    fz_config(&cfg, A_ADDR, 1);
    fz_node_init(&w.node[0], &cfg);
    fz_config(&cfg, B_ADDR, 2);
    fz_node_init(&w.node[1], &cfg);
    for (int st = 0; st < 2; st++)
        for (int i = 0; i < SLOTS; i++)
            w.sl[st][i].h = -1;
    for (int n = 0; n < 256 && fz_more(&in); n++)
        step(&w, &in);
    wind_down(&w);
    fz_node_free(&w.node[0]);
    fz_node_free(&w.node[1]);
    return 0;
}
