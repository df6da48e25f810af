/* tcp_timewait.c — TIME-WAIT without a TCB (RFC 9293 3.10.7.4, RFC 1337,
 * RFC 1122 4.2.2.13).
 *
 * A connection that nobody can use any more still has to wait 2*MSL in
 * TIME-WAIT, so that a lost final ACK can be repeated and old duplicates
 * die out. Once its socket is closed, the TCB is exchanged for a 64-byte
 * entry holding only what that job needs. Entries sit in their own hash
 * table and in a FIFO ordered by expiry (every wait is 2*MSL from its last
 * start, and a restart moves the entry to the tail), so lookup, expiry and
 * restart are O(1); adoption walks back from the tail to its place, which
 * is at the tail unless a socket kept the connection for a while. */
#include "stack_impl.h"

#include <string.h>

#include "base/seq.h"

static void fifo_unlink(synack_stack *s, tw_entry *w)
{
    if (w->fprev)
        w->fprev->fnext = w->fnext;
    else
        s->tw_head = w->fnext;
    if (w->fnext)
        w->fnext->fprev = w->fprev;
    else
        s->tw_tail = w->fprev;
    w->fnext = w->fprev = NULL;
}

static void fifo_append(synack_stack *s, tw_entry *w)
{
    w->fnext = NULL;
    w->fprev = s->tw_tail;
    if (s->tw_tail)
        s->tw_tail->fnext = w;
    else
        s->tw_head = w;
    s->tw_tail = w;
}

/* Keeps the FIFO ordered by expiry. A TCB adopted long after it entered
 * TIME-WAIT (its socket was closed late) may be due before entries at the
 * tail: walk back from the tail, usually not at all. */
static void fifo_insert(synack_stack *s, tw_entry *w)
{
    tw_entry *after = s->tw_tail;
    while (after && after->expires > w->expires)
        after = after->fprev;
    if (!after) {
        w->fprev = NULL;
        w->fnext = s->tw_head;
        if (s->tw_head)
            s->tw_head->fprev = w;
        else
            s->tw_tail = w;
        s->tw_head = w;
        return;
    }
    w->fprev = after;
    w->fnext = after->fnext;
    if (after->fnext)
        after->fnext->fprev = w;
    else
        s->tw_tail = w;
    after->fnext = w;
}

static void hash_unlink(synack_stack *s, tw_entry *w)
{
    tw_entry **pp = &s->tw_table[conn_hash_bucket(s, w->raddr, w->rport, w->lport)];
    while (*pp && *pp != w)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = w->hnext;
}

static void tw_remove(synack_stack *s, tw_entry *w)
{
    fifo_unlink(s, w);
    hash_unlink(s, w);
    s->stats.conns_live--;
    rec_put(s, &s->tw_cache, w);
}

void tw_adopt(synack_stack *s, tcb *t)
{
    tw_entry *w = rec_get(s, &s->tw_cache, sizeof(*w));
    if (!w)
        return;     /* the TCB stays in TIME-WAIT, its timer still runs */
    w->raddr = t->raddr;
    w->rport = t->rport;
    w->lport = t->lport;
    w->snd_nxt = t->snd_max;
    w->rcv_nxt = t->rcv_nxt;
    w->ts_ok = t->ts_ok;
    w->ts_recent = t->ts_recent;
    w->id = t->id;
    w->oow_ack_ms = t->ext ? t->ext->oow_ack_ms : 0;   /* the rate limit carries over */
    uint32_t wnd = tcb_rcv_wnd(t) >> t->rcv_wscale;  /* what the TCB would say */
    w->wnd = (uint16_t)(wnd > 65535 ? 65535 : wnd);
    w->wscale = t->rcv_wscale;
    w->expires = tcb_timer_at(t, SYNACK_TIMER_TIME_WAIT);
    uint32_t b = conn_hash_bucket(s, w->raddr, w->rport, w->lport);
    w->hnext = s->tw_table[b];
    s->tw_table[b] = w;
    fifo_insert(s, w);
    s->stats.conns_live++;
    /* The TCB leaves silently: the connection itself is still in
     * TIME-WAIT, now as this entry. */
    tcb_release(s, t);
}

tw_entry *tw_lookup(const synack_stack *s, uint32_t raddr, uint16_t rport, uint16_t lport)
{
    for (tw_entry *w = s->tw_table[conn_hash_bucket(s, raddr, rport, lport)]; w; w = w->hnext)
        if (w->raddr == raddr && w->rport == rport && w->lport == lport)
            return w;
    return NULL;
}

static void tw_send_ack(synack_stack *s, const tw_entry *w)
{
    synack_segment seg;
    memset(&seg, 0, sizeof(seg));
    seg.saddr = s->cfg.addr;
    seg.daddr = w->raddr;
    seg.sport = w->lport;
    seg.dport = w->rport;
    seg.flags = SYNACK_TCP_ACK;
    seg.seq = w->snd_nxt;
    seg.ack = w->rcv_nxt;
    seg.wnd = w->wnd;
    if (w->ts_ok) {
        seg.opts.has_ts = 1;
        seg.opts.tsval = tcp_ts_now(s);
        seg.opts.tsecr = w->ts_recent;
    }
    tcp_send_raw(s, &seg, w->id);
}

int tw_input(synack_stack *s, tw_entry *w, const synack_segment *seg, uint32_t *min_iss)
{
    uint8_t f = seg->flags;
    if (f & SYNACK_TCP_RST) {
        uint32_t wnd = (uint32_t)w->wnd << w->wscale;
        if (seg->seq != w->rcv_nxt && seq_in(seg->seq, w->rcv_nxt, w->rcv_nxt + (wnd ? wnd : 1))) {
            /* In the window but not exact: challenge it, as in any
             * synchronized state (RFC 5961 3.2). */
            stack_drop_id(s, SYNACK_DROP_TCP_RST_CHALLENGED, w->id, seg);
            if (challenge_ack_allowed(s))
                tw_send_ack(s, w);
            return 1;
        }
        /* Exact: RFC 1337, no TIME-WAIT assassination. Outside the
         * window: not ours. Either way, ignore it. */
        stack_drop_id(s, seg->seq == w->rcv_nxt ? SYNACK_DROP_TCP_TIME_WAIT
                                                : SYNACK_DROP_TCP_RST_INVALID, w->id, seg);
        return 1;
    }
    if ((f & SYNACK_TCP_SYN) && !(f & SYNACK_TCP_ACK) && seq_gt(seg->seq, w->rcv_nxt)) {
        int lh;
        if (sock_find_listener(s, seg->dport, &lh)) {
            /* RFC 1122 4.2.2.13 / RFC 6191: a new incarnation may start
             * now; its ISN will lie above all of ours, plus a window. */
            *min_iss = w->snd_nxt + 65535u + 2u;
            trace_state_id(s, w->id, SYNACK_TIME_WAIT, SYNACK_CLOSED,
                           "new SYN reopens a TIME-WAIT connection");
            tw_remove(s, w);
            return -1;
        }
    }
    trace_seg_id(s, SYNACK_TRACE_SEG_IN, w->id, seg);
    uint32_t end = seg->seq + seg->len + !!(f & SYNACK_TCP_SYN) + !!(f & SYNACK_TCP_FIN);
    if ((f & SYNACK_TCP_FIN) && end == w->rcv_nxt) {
        /* The peer's FIN again: our last ACK was lost. Acknowledge it and
         * restart the 2 MSL wait (RFC 9293 3.10.7.4 eighth step). */
        w->expires = s->now + 2 * s->cfg.msl;
        fifo_unlink(s, w);
        fifo_append(s, w);
        tw_send_ack(s, w);
        return 0;
    }
    if (seg->len == 0 && !(f & (SYNACK_TCP_SYN | SYNACK_TCP_FIN)) && seg->seq == w->rcv_nxt) {
        /* A bare ACK of the old connection: nothing to answer (answering
         * ACKs with ACKs could loop). */
        stack_drop_id(s, SYNACK_DROP_TCP_TIME_WAIT, w->id, seg);
        return 1;
    }
    /* Anything else is an old duplicate: acknowledge and drop it. */
    stack_drop_id(s, SYNACK_DROP_TCP_TIME_WAIT, w->id, seg);
    if (oow_ack_allowed(s, &w->oow_ack_ms, seg))
        tw_send_ack(s, w);
    return 1;
}

void tw_expire(synack_stack *s)
{
    while (s->tw_head && s->tw_head->expires <= s->now) {
        tw_entry *w = s->tw_head;
        trace_timer_id(s, w->id, SYNACK_TIMER_TIME_WAIT);
        trace_state_id(s, w->id, SYNACK_TIME_WAIT, SYNACK_CLOSED, "2MSL timer expired");
        tw_remove(s, w);
    }
}

int tw_port_in_use(const synack_stack *s, uint16_t port)
{
    for (const tw_entry *w = s->tw_head; w; w = w->fnext)
        if (w->lport == port)
            return 1;
    return 0;
}

void tw_free_all(synack_stack *s)
{
    while (s->tw_head)
        tw_remove(s, s->tw_head);
}
