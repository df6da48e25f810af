/* trace_infer.c — connection grouping, state inference and segment
 * annotations for captured TCP traffic (see trace_infer.h).
 *
 * The state rules follow RFC 9293 section 3.10.7 as seen from outside:
 * an end's state changes when it sends a SYN, SYN+ACK, FIN or RST, and
 * when the other end's segment acknowledges its SYN or FIN or carries a
 * FIN or RST. Within one segment the acknowledgment is processed before
 * the FIN, as the RFC orders the steps. */
#include "trace_infer.h"

#include <stdlib.h>
#include <string.h>

#include "base/seq.h"

void trace_set_init(trace_set *ts)
{
    memset(ts, 0, sizeof *ts);
}

void trace_set_free(trace_set *ts)
{
    for (size_t i = 0; i < ts->n; i++)
        ladder_model_free(&ts->conns[i].model);
    free(ts->conns);
    memset(ts, 0, sizeof *ts);
}

int trace_conn_state(const trace_conn *c, int end)
{
    return c->dir[end & 1].state;
}

/* ------------------------------------------------------------ grouping */

static int same_pair(const trace_conn *c, const synack_segment *g)
{
    return (c->addr[0] == g->saddr && c->port[0] == g->sport && c->addr[1] == g->daddr &&
            c->port[1] == g->dport) ||
           (c->addr[1] == g->saddr && c->port[1] == g->sport && c->addr[0] == g->daddr &&
            c->port[0] == g->dport);
}

static trace_conn *new_conn(trace_set *ts, synack_time t, const synack_segment *g)
{
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 8;
        trace_conn *c = realloc(ts->conns, cap * sizeof *c);
        if (!c)
            return NULL;
        ts->conns = c;
        ts->cap = cap;
    }
    trace_conn *c = &ts->conns[ts->n++];
    memset(c, 0, sizeof *c);
    /* The client is the end that opened: the sender of the first
     * segment, unless that segment is a SYN+ACK (its receiver opened). */
    int flip = (g->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK)) ==
               (SYNACK_TCP_SYN | SYNACK_TCP_ACK);
    c->addr[0] = flip ? g->daddr : g->saddr;
    c->port[0] = flip ? g->dport : g->sport;
    c->addr[1] = flip ? g->saddr : g->daddr;
    c->port[1] = flip ? g->sport : g->dport;
    c->first = t;
    for (int i = 0; i < 2; i++) {
        c->dir[i].state = LADDER_STATE_NONE;
        c->dir[i].close_wait_row = -1;
    }
    ladder_model_init(&c->model, "");
    ladder_set_end(&c->model, LADDER_LEFT, "client", c->addr[0], c->port[0], LADDER_STATE_NONE);
    ladder_set_end(&c->model, LADDER_RIGHT, "server", c->addr[1], c->port[1],
                   LADDER_STATE_NONE);
    c->model.t0 = t;
    return c;
}

/* The connection a segment belongs to: the latest one with its 4-tuple,
 * unless that one is finished and this is a fresh SYN (a new incarnation,
 * e.g. the same client port reused). */
static trace_conn *find_conn(trace_set *ts, synack_time t, const synack_segment *g)
{
    for (size_t i = ts->n; i-- > 0;) {
        trace_conn *c = &ts->conns[i];
        if (!same_pair(c, g))
            continue;
        int bare_syn = (g->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK)) == SYNACK_TCP_SYN;
        const trace_dir *d = &c->dir[c->addr[0] == g->saddr && c->port[0] == g->sport ? 0 : 1];
        if (c->finished && bare_syn && !(d->syn_seen && d->isn == g->seq))
            break;
        return c;
    }
    return new_conn(ts, t, g);
}

/* --------------------------------------------------------- annotations */

static void hole_add(trace_dir *d, uint32_t lo, uint32_t hi)
{
    if (d->nholes == TRACE_HOLES_MAX) {
        /* Forget the oldest gap: bounded memory over exactness. */
        memmove(d->holes[0], d->holes[1], (TRACE_HOLES_MAX - 1) * sizeof d->holes[0]);
        d->nholes--;
    }
    d->holes[d->nholes][0] = lo;
    d->holes[d->nholes][1] = hi;
    d->nholes++;
}

/* Removes [lo, hi) from the gaps; returns whether it filled any. */
static int hole_fill(trace_dir *d, uint32_t lo, uint32_t hi)
{
    int filled = 0;
    for (size_t i = 0; i < d->nholes;) {
        uint32_t a = d->holes[i][0], b = d->holes[i][1];
        if (seq_geq(lo, b) || seq_leq(hi, a)) {
            i++;
            continue;
        }
        filled = 1;
        if (seq_gt(lo, a) && seq_lt(hi, b)) {
            /* splits the gap in two */
            d->holes[i][1] = lo;
            hole_add(d, hi, b);
            i++;
        } else if (seq_gt(lo, a)) {
            d->holes[i++][1] = lo;
        } else if (seq_lt(hi, b)) {
            d->holes[i++][0] = hi;
        } else {
            d->holes[i][0] = d->holes[d->nholes - 1][0];
            d->holes[i][1] = d->holes[d->nholes - 1][1];
            d->nholes--;
        }
    }
    return filled;
}

static unsigned annotate(trace_dir *s, const trace_dir *r, const synack_segment *g)
{
    unsigned marks = 0;
    uint8_t f = g->flags;
    if (!(f & SYNACK_TCP_RST) && g->wnd == 0)
        marks |= LADDER_MARK_ZERO_WINDOW;
    uint32_t span = g->len + !!(f & SYNACK_TCP_SYN) + !!(f & SYNACK_TCP_FIN);
    if (span && !(f & SYNACK_TCP_RST)) {
        uint32_t end = g->seq + span;
        if (!s->has_nxt || ((f & SYNACK_TCP_SYN) && !s->syn_seen)) {
            s->has_nxt = 1;
            s->nxt = end;
        } else if (seq_lt(g->seq, s->nxt)) {
            /* Filling a gap is a late (reordered) segment; covering only
             * what was already sent is a retransmission. */
            marks |= hole_fill(s, g->seq, seq_min(end, s->nxt)) ? LADDER_MARK_OUT_OF_ORDER
                                                                 : LADDER_MARK_RETRANSMIT;
            if (seq_gt(end, s->nxt))
                s->nxt = end;
        } else {
            if (seq_gt(g->seq, s->nxt)) {
                marks |= LADDER_MARK_OUT_OF_ORDER;   /* something before it is missing */
                hole_add(s, s->nxt, g->seq);
            }
            s->nxt = end;
        }
    }
    if (f & SYNACK_TCP_ACK) {
        /* RFC 5681 section 2: same ACK, no data, no SYN/FIN, same window,
         * while the other end has data outstanding. */
        if (s->has_ack && !span && !(f & SYNACK_TCP_RST) && g->ack == s->last_ack &&
            g->wnd == s->last_win && r->has_nxt && seq_gt(r->nxt, g->ack))
            marks |= LADDER_MARK_DUP_ACK;
        s->has_ack = 1;
        s->last_ack = g->ack;
        s->last_win = g->wnd;
    }
    return marks;
}

/* ----------------------------------------------------------- inference */

static void set_state(trace_conn *c, int end, synack_time t, int st, const char *cause)
{
    trace_dir *d = &c->dir[end];
    if (d->state == st)
        return;
    if (d->state == LADDER_STATE_NONE && c->model.end[end].initial_state == LADDER_STATE_NONE)
        c->model.end[end].initial_state = st == SYNACK_SYN_SENT ? SYNACK_CLOSED : st;
    if (d->state == LADDER_STATE_NONE && c->model.end[end].initial_state == st) {
        d->state = st;
        return;
    }
    ladder_add_state(&c->model, end, t, d->state, st, cause);
    d->state = st;
}

/* The receiver's side of an acknowledgment: its SYN or FIN acknowledged. */
static void on_ack(trace_conn *c, int rcv, synack_time t, const synack_segment *g)
{
    trace_dir *r = &c->dir[rcv];
    if (r->syn_seen && seq_gt(g->ack, r->isn) &&
        (r->state == SYNACK_SYN_RECEIVED || r->state == SYNACK_SYN_SENT))
        set_state(c, rcv, t, SYNACK_ESTABLISHED,
                  r->state == SYNACK_SYN_SENT ? "SYN-ACK received" : "ACK of SYN received");
    if (r->fin_seen && !r->fin_acked && seq_gt(g->ack, r->fin_seq)) {
        r->fin_acked = 1;
        if (r->state == SYNACK_FIN_WAIT_1)
            set_state(c, rcv, t, SYNACK_FIN_WAIT_2, "ACK of FIN received");
        else if (r->state == SYNACK_CLOSING)
            set_state(c, rcv, t, SYNACK_TIME_WAIT, "ACK of FIN received");
        else if (r->state == SYNACK_LAST_ACK)
            set_state(c, rcv, t, SYNACK_CLOSED, "ACK of FIN received");
    }
}

/* What sending g tells about the sender; drawn before the arrow. */
static void infer_sender(trace_conn *c, int snd, synack_time t, const synack_segment *g)
{
    trace_dir *s = &c->dir[snd], *r = &c->dir[!snd];
    uint8_t f = g->flags;

    if (f & SYNACK_TCP_RST) {
        set_state(c, snd, t, SYNACK_CLOSED, "RST sent");
        return;
    }
    if (f & SYNACK_TCP_SYN) {
        s->syn_seen = 1;
        s->isn = g->seq;
        if (!(f & SYNACK_TCP_ACK)) {
            if (s->state == LADDER_STATE_NONE || s->state == SYNACK_CLOSED)
                set_state(c, snd, t, SYNACK_SYN_SENT, "SYN sent (active open)");
        } else if (s->state == LADDER_STATE_NONE || s->state == SYNACK_LISTEN) {
            if (s->state == LADDER_STATE_NONE)
                c->model.end[snd].initial_state = SYNACK_LISTEN;
            s->passive = 1;
            set_state(c, snd, t, SYNACK_SYN_RECEIVED, "SYN received, SYN-ACK sent");
        } else if (s->state == SYNACK_SYN_SENT) {
            set_state(c, snd, t, SYNACK_SYN_RECEIVED, "SYN received in SYN-SENT");
        }
    } else if (s->state == LADDER_STATE_NONE) {
        /* The capture began after the handshake. */
        set_state(c, snd, t, SYNACK_ESTABLISHED, NULL);
        if (r->state == LADDER_STATE_NONE)
            set_state(c, !snd, t, SYNACK_ESTABLISHED, NULL);
    }
    if ((f & SYNACK_TCP_FIN) && !s->fin_seen) {
        s->fin_seen = 1;
        s->fin_seq = g->seq + g->len + !!(f & SYNACK_TCP_SYN);
        if (s->state == SYNACK_CLOSE_WAIT && s->close_wait_row >= 0 &&
            (!(f & SYNACK_TCP_ACK) || seq_leq(g->ack, r->fin_seq))) {
            /* The FINs crossed: this end sent its FIN before the peer's
             * reached it (else the FIN would acknowledge it), so it never
             * was in CLOSE-WAIT. It closes simultaneously (3.10.7.4). */
            ladder_remove_row(&c->model, (size_t)s->close_wait_row);
            if (r->close_wait_row > s->close_wait_row)
                r->close_wait_row--;
            s->close_wait_row = -1;
            s->state = SYNACK_ESTABLISHED;
            s->closing_next = 1;
        }
        if (s->state == SYNACK_ESTABLISHED || s->state == SYNACK_SYN_RECEIVED)
            set_state(c, snd, t, SYNACK_FIN_WAIT_1, "FIN sent (close)");
        else if (s->state == SYNACK_CLOSE_WAIT)
            set_state(c, snd, t, SYNACK_LAST_ACK, "FIN sent after peer's FIN");
    }
}

/* What receiving g does to the receiver (acknowledgment first, then the
 * FIN, in RFC 9293's order); drawn after the arrow. */
static void infer_receiver(trace_conn *c, int rcv, synack_time t, const synack_segment *g)
{
    trace_dir *r = &c->dir[rcv], *s = &c->dir[!rcv];
    uint8_t f = g->flags;

    if (f & SYNACK_TCP_RST) {
        /* RFC 9293 3.10.7.4: a passive half-open connection goes back to
         * LISTEN; anything else is closed. */
        if (r->state == SYNACK_SYN_RECEIVED && r->passive)
            set_state(c, rcv, t, SYNACK_LISTEN, "RST received: back to LISTEN");
        else if (r->state != LADDER_STATE_NONE && r->state != SYNACK_LISTEN)
            set_state(c, rcv, t, SYNACK_CLOSED, "RST received");
        c->finished = 1;
        return;
    }
    if ((f & SYNACK_TCP_SYN) && !(f & SYNACK_TCP_ACK) && r->state == SYNACK_SYN_SENT)
        set_state(c, rcv, t, SYNACK_SYN_RECEIVED, "SYN received in SYN-SENT");
    if (f & SYNACK_TCP_ACK)
        on_ack(c, rcv, t, g);
    if ((f & SYNACK_TCP_FIN) && s->fin_seq == g->seq + g->len + !!(f & SYNACK_TCP_SYN)) {
        if (r->state == SYNACK_ESTABLISHED) {
            set_state(c, rcv, t, SYNACK_CLOSE_WAIT, "FIN received");
            r->close_wait_row = (long)c->model.nrows - 1;
        }
        else if (r->state == SYNACK_FIN_WAIT_1)
            set_state(c, rcv, t, SYNACK_CLOSING, "FIN received (simultaneous close)");
        else if (r->state == SYNACK_FIN_WAIT_2)
            set_state(c, rcv, t, SYNACK_TIME_WAIT, "FIN received");
    }
    if (s->fin_acked && r->fin_acked)
        c->finished = 1;
}

int trace_set_add(trace_set *ts, synack_time t, const synack_segment *g, unsigned marks)
{
    if (!ts->have_t0) {
        ts->t0 = t;
        ts->have_t0 = 1;
    }
    trace_conn *c = find_conn(ts, t, g);
    if (!c) {
        ts->oom = 1;
        return -1;
    }
    int snd = c->addr[0] == g->saddr && c->port[0] == g->sport ? 0 : 1;
    c->packets++;
    c->bytes += g->len;
    c->last = t;
    marks |= annotate(&c->dir[snd], &c->dir[!snd], g);
    infer_sender(c, snd, t, g);
    if (ladder_add_segment(&c->model, snd, t, g, marks) < 0) {
        ts->oom = 1;
        return -1;
    }
    infer_receiver(c, !snd, t, g);
    trace_dir *s = &c->dir[snd];
    if (s->closing_next) {
        /* the crossing FIN from the peer reaches this end after its own */
        s->closing_next = 0;
        set_state(c, snd, t, SYNACK_CLOSING, "FIN received (simultaneous close)");
    }
    /* Once this end has acknowledged the peer's FIN, its CLOSE-WAIT is
     * certain. */
    if (c->dir[!snd].fin_seen && (g->flags & SYNACK_TCP_ACK) &&
        seq_gt(g->ack, c->dir[!snd].fin_seq))
        s->close_wait_row = -1;
    return c->model.oom ? -1 : 0;
}

void trace_set_finish(trace_set *ts)
{
    /* When most segments of a connection have a bad checksum the capture
     * was taken before checksums were filled in (offload, or Linux
     * loopback, which fills them in for some segments only): marking
     * each one would say nothing and hide the diagram. A few bad ones
     * among good ones may be real corruption: those stay marked. */
    for (size_t i = 0; i < ts->n; i++) {
        ladder_model *m = &ts->conns[i].model;
        size_t bad = 0, segs = 0;
        for (size_t k = 0; k < m->nrows; k++) {
            if (m->rows[k].kind != LADDER_ROW_SEGMENT)
                continue;
            segs++;
            bad += (m->rows[k].marks & LADDER_MARK_BAD_CSUM) != 0;
        }
        if (bad > 0 && bad * 2 >= segs) {
            ts->conns[i].offload_checksums = bad;
            for (size_t k = 0; k < m->nrows; k++)
                m->rows[k].marks &= ~LADDER_MARK_BAD_CSUM;
        }
    }
}
