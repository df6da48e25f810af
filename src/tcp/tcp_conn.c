/* tcp_conn.c — connection records: allocation, the 4-tuple hash table,
 * state changes, the RFC 6528 initial sequence number, and teardown.
 *
 * Every TCB enters through tcb_new and leaves through tcb_release, once;
 * its extension (tcb_ext_get) is created on first need and leaves with
 * it. */
#include "stack_impl.h"

#include <string.h>

#include "base/seq.h"
#include "base/siphash.h"
#include "tcp/tcp_cc.h"

tcb *tcb_lookup(const synack_stack *s, uint32_t raddr, uint16_t rport, uint16_t lport)
{
    for (tcb *t = s->table[conn_hash_bucket(s, raddr, rport, lport)]; t; t = t->hnext)
        if (t->raddr == raddr && t->rport == rport && t->lport == lport)
            return t;
    return NULL;
}

void tcb_hash_insert(synack_stack *s, tcb *t)
{
    uint32_t b = conn_hash_bucket(s, t->raddr, t->rport, t->lport);
    t->hnext = s->table[b];
    s->table[b] = t;
    t->in_table = 1;
}

void tcb_hash_remove(synack_stack *s, tcb *t)
{
    if (!t->in_table)
        return;
    tcb **pp = &s->table[conn_hash_bucket(s, t->raddr, t->rport, t->lport)];
    while (*pp && *pp != t)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = t->hnext;
    t->hnext = NULL;
    t->in_table = 0;
}

tcb *tcb_new(synack_stack *s, uint32_t raddr, uint16_t lport, uint16_t rport)
{
    if (s->stats.conns_live >= s->cfg.max_conns)
        return NULL;
    tcb *t = rec_get(s, &s->tcb_cache, sizeof(*t));
    if (!t)
        return NULL;
    t->id = s->next_conn_id++;
    t->state = SYNACK_CLOSED;
    t->handle = -1;
    t->listener = -1;
    t->raddr = raddr;
    t->lport = lport;
    t->rport = rport;
    t->t_rx = SYNACK_TIME_NEVER;
    t->hn.idx = HEAP_NONE;
    t->hn.key = SYNACK_TIME_NEVER;
    ring_init(&t->sndq, s->cfg.sndbuf);
    ring_init(&t->rcvq, s->cfg.rcvbuf);
    t->rto = s->cfg.rto_initial;
    t->last_rx = s->now;
    t->mss = 536;       /* RFC 9293 3.7.1: default send MSS without the option */
    s->stats.conns_live++;
    return t;
}

tcb_ext *tcb_ext_get(synack_stack *s, tcb *t)
{
    if (t->ext)
        return t->ext;
    tcb_ext *x = rec_get(s, &s->ext_cache, sizeof(*x));
    if (!x)
        return NULL;
    t->ext = x;
    /* What the connection has been doing without it: the initial window
     * of its MSS (RFC 6928), grown by the SYN or FIN acknowledged since
     * (slow start, cc_on_ack); RecoveryPoint at ISS (RFC 6582 3.2 step
     * 1); no timers; the socket options at their defaults. */
    cc_init(s, t);
    x->cc.cwnd += t->pre_acked;
    x->recover = t->iss;
    tcb_ext_timers_never(x);
    x->linger = -1;
    x->keepidle = TCB_KEEPIDLE_DEFAULT;
    x->keepintvl = TCB_KEEPINTVL_DEFAULT;
    x->keepcnt = TCB_KEEPCNT_DEFAULT;
    return x;
}

void tcb_release(synack_stack *s, tcb *t)
{
    batch_forget(s, t);
    tcb_hash_remove(s, t);
    heap_remove(&s->timers, &t->hn);
    stack_ring_release(s, &t->sndq);
    stack_ring_release(s, &t->rcvq);
    stack_free(s, t->sb);
    rec_put(s, &s->ext_cache, t->ext);
    s->stats.conns_live--;
    rec_put(s, &s->tcb_cache, t);
}

void tcb_set_state(synack_stack *s, tcb *t, synack_state st, const char *cause)
{
    synack_state old = t->state;
    if (old == st)
        return;
    t->state = st;
    if (st == SYNACK_ESTABLISHED)
        s->stats.conns_established++;
    trace_state(s, t, old, st, cause);
    sock_notify(s, t->handle);
}

void tcb_close(synack_stack *s, tcb *t, int err, const char *cause)
{
    tcb_hash_remove(s, t);
    tcb_timers_clear(t, SYNACK_TIMER_COUNT);
    heap_remove(&s->timers, &t->hn);
    if (err) {
        /* RFC 9293 3.10.7.4: on reset "all segment queues should be
         * flushed"; the app sees the error instead of the data. */
        t->error = err;
        stack_ring_release(s, &t->sndq);
        stack_ring_release(s, &t->rcvq);
        trace_error(s, t, err, cause);
    }
    if (t->listener >= 0)
        sock_listener_detach(s, t);
    tcb_set_state(s, t, SYNACK_CLOSED, cause);
    if (t->handle < 0)
        tcb_release(s, t);
    else
        sock_notify(s, t->handle);
}

void tcb_back_to_listen(synack_stack *s, tcb *t, const char *cause)
{
    /* RFC 9293 3.10.7.4: "return this connection to the LISTEN state".
     * The listener never left LISTEN; this half-open record was the part
     * of it that had answered one SYN, and it goes away. The trace says
     * LISTEN, which is what the RFC's state diagram shows. */
    tcb_hash_remove(s, t);
    tcb_timers_clear(t, SYNACK_TIMER_COUNT);
    heap_remove(&s->timers, &t->hn);
    if (t->listener >= 0)
        sock_listener_detach(s, t);
    synack_state old = t->state;
    t->state = SYNACK_LISTEN;
    trace_state(s, t, old, SYNACK_LISTEN, cause);
    tcb_release(s, t);
}

uint32_t tcb_isn(synack_stack *s, uint32_t raddr, uint16_t lport, uint16_t rport)
{
    /* RFC 6528 section 3: ISN = M + F(localip, localport, remoteip,
     * remoteport, secretkey), M a 4-microsecond timer, F SipHash-2-4. */
    uint8_t tuple[12];
    uint32_t la = s->cfg.addr;
    memcpy(tuple, &la, 4);
    memcpy(tuple + 4, &raddr, 4);
    memcpy(tuple + 8, &lport, 2);
    memcpy(tuple + 10, &rport, 2);
    uint32_t f = (uint32_t)siphash24(s->isn_secret, tuple, sizeof(tuple));
    return f + (uint32_t)(s->now / 4000u);
}

void tcb_set_iss(tcb *t, uint32_t iss)
{
    t->iss = iss;
    t->snd_una = t->snd_nxt = t->snd_max = iss;
    t->snd_buf_seq = iss + 1;
    if (t->ext)
        t->ext->recover = iss;
}
