/* tcp_user.c — the user calls of RFC 9293 section 3.10 on one TCB: OPEN
 * (active), SEND, RECEIVE, CLOSE (as shutdown of the write side and as
 * close of the handle) and ABORT. Handle bookkeeping is socket.c's. */
#include "stack_impl.h"

#include "base/seq.h"

int tcp_user_connect(synack_stack *s, tcb *t)
{
    /* RFC 9293 3.10.1 OPEN, active: select an ISS, send a SYN segment
     * <SEQ=ISS><CTL=SYN>, set SND.UNA to ISS, SND.NXT to ISS+1, enter
     * SYN-SENT. */
    tcb_set_iss(t, tcb_isn(s, t->raddr, t->lport, t->rport));
    t->rcv_wscale = s->cfg.wscale >= 0 ? (uint8_t)s->cfg.wscale : 0;
    tcb_hash_insert(s, t);
    s->stats.conns_active++;
    tcb_set_state(s, t, SYNACK_SYN_SENT, "active open (connect)");
    tcp_output(s, t);
    return SYNACK_EINPROGRESS;
}

/* RFC 9293 3.10.2 SEND: may data be queued on t now? Returns 0, or the
 * answer the call gives instead: the connection's error, ENOTCONN or
 * EPIPE. With queue set it also makes sure of the extension: data flows
 * from here on, and congestion control and the rest of it are needed.
 * Without memory for it, the same answer as for a send buffer that
 * cannot grow (ENOBUFS). Shared by synack_send and the zero-copy
 * reserve/commit, so they can never disagree on when sending is over. */
static long send_allowed(synack_stack *s, tcb *t, int queue)
{
    if (t->error)
        return t->error;
    switch (t->state) {
    case SYNACK_SYN_SENT:
    case SYNACK_SYN_RECEIVED:
        /* RFC 9293 3.10.2: queue for transmission after ESTABLISHED. */
    case SYNACK_ESTABLISHED:
    case SYNACK_CLOSE_WAIT:
        break;
    case SYNACK_CLOSED:
        return SYNACK_ENOTCONN;
    default:
        return SYNACK_EPIPE;        /* "error: connection closing" */
    }
    if (t->fin_queued)
        return SYNACK_EPIPE;
    if (queue && !tcb_ext_get(s, t))
        return SYNACK_ENOBUFS;
    return 0;
}

long tcp_user_send(synack_stack *s, tcb *t, const void *buf, size_t len, int urgent)
{
    long e = send_allowed(s, t, len > 0);
    if (e || len == 0)
        return e;
    long n = ring_write(&t->sndq, buf, len, stack_ring_alloc, stack_ring_free, s);
    if (n < 0)
        return SYNACK_ENOBUFS;
    if (n == 0)
        return SYNACK_EAGAIN;
    if (urgent) {
        /* RFC 9293 3.10.2: the urgent pointer marks the last byte queued
         * by this call (RFC 6093: pointing just past it). */
        t->ext->snd_up = t->snd_buf_seq + t->sndq.len;
        t->ext->urg_snd = 1;
    }
    tcp_output(s, t);
    return n;
}

long tcp_user_send_reserve(synack_stack *s, tcb *t, size_t want, void **buf)
{
    *buf = NULL;
    long e = send_allowed(s, t, 1);
    if (e)
        return e;
    uint8_t *p;
    long n = ring_writable(&t->sndq, want < UINT32_MAX ? (uint32_t)want : UINT32_MAX, &p,
                           stack_ring_alloc, stack_ring_free, s);
    if (n < 0)
        return SYNACK_ENOBUFS;
    if (n == 0)
        return SYNACK_EAGAIN;
    *buf = p;
    return n;
}

long tcp_user_send_commit(synack_stack *s, tcb *t, size_t n)
{
    long e = send_allowed(s, t, n > 0);
    if (e || n == 0)
        return e;
    /* The bound is the storage as it is now, not what a reserve once
     * returned: whatever the caller did in between, committing can never
     * take in bytes beyond the buffer. */
    uint8_t *p;
    if (n > ring_tail_room(&t->sndq, &p))
        return SYNACK_EINVAL;
    ring_commit(&t->sndq, (uint32_t)n);
    tcp_output(s, t);       /* as for synack_send: sent as the windows allow */
    return (long)n;
}

/* What a read of an empty receive queue answers: the connection's error,
 * 0 at the end of the stream, else EAGAIN. */
static long recv_empty(const tcb *t)
{
    if (t->error)
        return t->error;
    if (t->fin_rcvd || t->state == SYNACK_CLOSED)
        return 0;       /* end of stream */
    return SYNACK_EAGAIN;
}

void tcp_user_consume(synack_stack *s, tcb *t, uint32_t n)
{
    ring_consume(&t->rcvq, n);
    if (!reass_pending(t))
        stack_ring_trim(s, &t->rcvq);
    /* Window update: tell the peer about the space just freed once it is
     * worth it (RFC 9293 3.8.6.2.2; RFC 1122 4.2.3.3), in particular when
     * the window it knows is smaller than a segment. */
    if (tcb_synchronized(t) && !t->fin_rcvd) {
        /* Compare what the header field would say, not the internal
         * window: with a 64 KiB buffer and no scaling both read 65535. */
        uint32_t offered = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
        uint32_t cap = 65535u << t->rcv_wscale;
        uint32_t now_wnd = tcb_rcv_wnd(t);
        if (now_wnd > cap)
            now_wnd = cap;
        now_wnd = now_wnd >> t->rcv_wscale << t->rcv_wscale;
        if (now_wnd > offered && (offered < t->adv_mss || now_wnd - offered >= 2u * t->adv_mss)) {
            t->ack_now = 1;
            tcp_output(s, t);
        }
    }
}

long tcp_user_recv(synack_stack *s, tcb *t, void *buf, size_t len)
{
    if (t->rcvq.len == 0)
        return recv_empty(t);
    uint32_t n = len < t->rcvq.len ? (uint32_t)len : t->rcvq.len;
    ring_peek(&t->rcvq, 0, buf, n);
    tcp_user_consume(s, t, n);
    return (long)n;
}

long tcp_user_recv_peek(const tcb *t, const void **data)
{
    const uint8_t *p;
    uint32_t n = ring_readable(&t->rcvq, &p);
    *data = p;
    return n ? (long)n : recv_empty(t);
}

int tcp_user_shutdown(synack_stack *s, tcb *t)
{
    /* RFC 9293 3.10.4 CLOSE, as a half-close: the FIN follows all queued
     * data; receiving continues. */
    switch (t->state) {
    case SYNACK_SYN_RECEIVED:
        /* RFC 9293 3.10.4: in SYN-RECEIVED with nothing queued, send a
         * FIN and enter FIN-WAIT-1 (queued data goes first anyway). */
    case SYNACK_ESTABLISHED:
        t->fin_queued = 1;
        tcb_set_state(s, t, SYNACK_FIN_WAIT_1, "close requested");
        break;
    case SYNACK_CLOSE_WAIT:
        t->fin_queued = 1;
        tcb_set_state(s, t, SYNACK_LAST_ACK, "close requested after peer's FIN");
        break;
    case SYNACK_SYN_SENT:
    case SYNACK_CLOSED:
        return SYNACK_ENOTCONN;
    default:
        return 0;           /* already shut down */
    }
    tcp_output(s, t);
    return 0;
}

void tcp_user_abort(synack_stack *s, tcb *t)
{
    /* RFC 9293 3.10.5 ABORT: synchronized states (and SYN-RECEIVED) send
     * <SEQ=SND.NXT><CTL=RST>; SYN-SENT, CLOSING, LAST-ACK and TIME-WAIT
     * just delete the TCB. */
    switch (t->state) {
    case SYNACK_SYN_RECEIVED:
    case SYNACK_ESTABLISHED:
    case SYNACK_FIN_WAIT_1:
    case SYNACK_FIN_WAIT_2:
    case SYNACK_CLOSE_WAIT:
        tcp_send_rst_for(s, t);
        break;
    default:
        break;
    }
    if (t->state != SYNACK_CLOSED)
        tcb_close(s, t, 0, "aborted by the application");
}

void tcp_user_close(synack_stack *s, tcb *t)
{
    t->rd_closed = 1;
    if (t->state == SYNACK_CLOSED)
        return;
    if (t->state == SYNACK_TIME_WAIT) {
        /* Both directions are closed already: unread data is simply
         * dropped (no RST: it would cut TIME-WAIT short, RFC 1337), and
         * the rest of the wait needs no TCB. */
        tw_adopt(s, t);
        return;
    }
    if (t->rcvq.len > 0 || tcb_linger(t) == 0) {
        /* Unread data would be lost silently: RFC 1122 4.2.2.13 says send
         * a RST. SO_LINGER 0 asks for the same. */
        tcp_user_abort(s, t);
        return;
    }
    if (t->state == SYNACK_SYN_SENT) {
        /* "Delete the TCB and return 'error: closing' responses". */
        tcb_close(s, t, 0, "closed in SYN-SENT");
        return;
    }
    tcp_user_shutdown(s, t);
    if (t->state == SYNACK_CLOSED)
        return;
    if (t->state == SYNACK_FIN_WAIT_2)
        tcb_timer_set(s, t, SYNACK_TIMER_FIN_WAIT_2, s->now + s->cfg.fin_wait_2_timeout);
    if (tcb_linger(t) > 0)
        tcb_timer_set(s, t, SYNACK_TIMER_LINGER, s->now + SYNACK_SEC(t->ext->linger));
}

long tcp_urgent_pending(const tcb *t)
{
    /* The next byte the application reads has this sequence number
     * (RCV.NXT counts the peer's FIN too, which is not in the queue). */
    uint32_t read_at = t->rcv_nxt - t->fin_rcvd - t->rcvq.len;
    const tcb_ext *x = t->ext;
    if (!x || !x->urg_rcvd || !seq_gt(x->rcv_up, read_at))
        return 0;
    return (long)(x->rcv_up - read_at);
}
