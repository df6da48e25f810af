/* tcp_timer.c — the connection's timers: retransmission (RFC 6298, with
 * SYN and SYN-ACK retries), TIME-WAIT (2*MSL), delayed ACK, persist
 * (zero-window probes), keepalive (RFC 9293 3.8.4), linger and orphaned
 * FIN-WAIT-2.
 *
 * Each TCB keeps one absolute deadline per timer (retransmission, FIN-
 * WAIT-2 and TIME-WAIT share a slot in the TCB, the others live in the
 * extension); the stack's heap holds the TCB at or before its earliest
 * one (lazily, see tcb_timer_set). */
#include "stack_impl.h"

#include <assert.h>
#include <stddef.h>

#include "base/seq.h"

#define NOT_RX 3u
/* Which t_rx_kind a timer uses the core slot as, NOT_RX if it lives in
 * the extension. */
static unsigned rx_kind(synack_timer which)
{
    return which == SYNACK_TIMER_RETRANSMIT ? TCB_RX_RETRANSMIT
         : which == SYNACK_TIMER_FIN_WAIT_2 ? TCB_RX_FIN_WAIT_2
         : which == SYNACK_TIMER_TIME_WAIT ? TCB_RX_TIME_WAIT
         : NOT_RX;
}

/* The true earliest deadline of t. */
static synack_time earliest(const tcb *t)
{
    synack_time m = t->t_rx;
    const tcb_ext *x = t->ext;
    if (x) {
        if (x->t_delack < m)
            m = x->t_delack;
        if (x->t_persist < m)
            m = x->t_persist;
        if (x->t_keepalive < m)
            m = x->t_keepalive;
        if (x->t_linger < m)
            m = x->t_linger;
        if (x->t_tlp < m)
            m = x->t_tlp;
    }
    return m;
}

void tcb_timers_clear(tcb *t, synack_timer keep)
{
    t->hn_early = 1;
    if (keep == SYNACK_TIMER_COUNT || rx_kind(keep) != t->t_rx_kind)
        t->t_rx = SYNACK_TIME_NEVER;
    tcb_ext *x = t->ext;
    if (!x)
        return;
    synack_time k = keep != SYNACK_TIMER_COUNT && rx_kind(keep) == NOT_RX ? *tcb_timer_slot(t, keep)
                                                                          : SYNACK_TIME_NEVER;
    tcb_ext_timers_never(x);
    if (k != SYNACK_TIME_NEVER)
        *tcb_timer_slot(t, keep) = k;
}

/* Puts t's heap entry at its earliest deadline key exactly (removing it
 * for NEVER). Cannot fail: synack_stack_new reserved a heap slot for
 * every TCB cfg.max_conns allows. */
static void heap_place(synack_stack *s, tcb *t, synack_time key)
{
    t->hn_early = 0;
    int rc = heap_set(&s->timers, &t->hn, key, s->cfg.alloc, s->cfg.free, s->cfg.alloc_ctx);
    assert(rc == 0);
    (void)rc;
}

/* The heap is lazy: a connection's entry sits at or before its earliest
 * deadline. A deadline that moves earlier moves the entry; one that
 * moves later, or stops, leaves it (an ACK pushes the RTO out on every
 * segment, and this saves the sift) and marks it hn_early. An early
 * entry is put right when it reaches the root (tcb_timers_next) or fires
 * with nothing due (tcb_timers_fire), with no trace event. */
void tcb_timer_set(synack_stack *s, tcb *t, synack_timer which, synack_time when)
{
    synack_time *p;
    unsigned k = rx_kind(which);
    if (k != NOT_RX) {
        /* The slot is free or already this timer's (see TCB_RX_*). */
        assert(t->t_rx_kind == k || t->t_rx == SYNACK_TIME_NEVER);
        t->t_rx_kind = k & 3u;
        p = &t->t_rx;
    } else {
        if (!t->ext && !tcb_ext_get(s, t)) {
            tcb_timers_clear(t, SYNACK_TIMER_COUNT);
            tcb_close(s, t, SYNACK_ENOMEM, "no memory for timer");
            return;
        }
        p = tcb_timer_slot(t, which);
    }
    *p = when;
    if (t->hn.idx == HEAP_NONE || when < t->hn.key)
        heap_place(s, t, when);     /* when is now the earliest */
    else if (when != t->hn.key)
        t->hn_early = 1;
}

synack_time tcb_timers_next(synack_stack *s)
{
    for (;;) {
        heap_node *n = heap_min(&s->timers);
        if (!n)
            return SYNACK_TIME_NEVER;
        tcb *t = (tcb *)((char *)n - offsetof(tcb, hn));
        if (!t->hn_early)
            return n->key;
        synack_time m = earliest(t);
        if (m == n->key) {
            t->hn_early = 0;
            return m;
        }
        /* Early (m > key): move it to its true place; the node is in the
         * heap, so this never allocates. */
        heap_place(s, t, m);
    }
}

static synack_time clamp_rto(const synack_stack *s, synack_time rto)
{
    if (rto < s->cfg.rto_min)
        return s->cfg.rto_min;
    if (rto > s->cfg.rto_max)
        return s->cfg.rto_max;
    return rto;
}

void tcb_rtt_sample(synack_stack *s, tcb *t, synack_time r)
{
    /* RFC 6298 (2.2) first measurement, (2.3) later ones, alpha 1/8,
     * beta 1/4, K = 4, clock granularity G = 1 ms. */
    const synack_time g = SYNACK_MSEC(1);
    if (!t->rtt_valid) {
        t->srtt = r;
        t->rttvar = r / 2;
        t->rtt_valid = 1;
    } else {
        synack_time delta = t->srtt > r ? t->srtt - r : r - t->srtt;
        t->rttvar = (3 * t->rttvar + delta) / 4;
        t->srtt = (7 * t->srtt + r) / 8;
    }
    synack_time var = 4 * t->rttvar > g ? 4 * t->rttvar : g;
    t->rto = clamp_rto(s, t->srtt + var);     /* (2.4), (2.5) */
}

/* RFC 8985 7.2: schedule a tail loss probe two smoothed RTTs after the
 * last send (plus a worst-case delayed ACK when one segment is in
 * flight), unless the RTO would come first. Needs SACK and an RTT sample;
 * one probe at a time; not during recovery. */
static void tlp_arm(synack_stack *s, tcb *t)
{
    synack_time rto_at = tcb_timer_at(t, SYNACK_TIMER_RETRANSMIT);
    tcb_ext *x = t->ext;
    /* Every state where our data or FIN can be the lost tail: an upload
     * that ends with close() loses its tail in FIN-WAIT-1 as often as in
     * ESTABLISHED (the probe resends the FIN with the last segment). */
    int tail_states = t->state == SYNACK_ESTABLISHED || t->state == SYNACK_CLOSE_WAIT ||
                      t->state == SYNACK_FIN_WAIT_1 || t->state == SYNACK_CLOSING ||
                      t->state == SYNACK_LAST_ACK;
    if (!t->sack_ok || !t->rtt_valid || (x && (x->in_recovery || x->tlp_out)) ||
        !tail_states || rto_at == SYNACK_TIME_NEVER) {
        tcb_timer_stop(s, t, SYNACK_TIMER_TLP);
        return;
    }
    if (!x && !(x = tcb_ext_get(s, t)))
        return;                 /* no memory: the RTO covers the tail */
    /* RFC 8985 7.2: (re)start the probe timer when new data went out (or
     * after an ACK of new data, which stops it first); a duplicate ACK
     * leaves it where it is. */
    if (x->t_tlp != SYNACK_TIME_NEVER && t->snd_max == x->tlp_armed_max)
        return;
    x->tlp_armed_max = t->snd_max;
    synack_time pto = 2 * t->srtt;
    if (t->snd_max - t->snd_una <= t->mss)
        pto += SYNACK_MSEC(200);        /* WCDelAckT */
    if (pto < SYNACK_MSEC(10))
        pto = SYNACK_MSEC(10);
    if (s->now + pto >= rto_at) {
        tcb_timer_stop(s, t, SYNACK_TIMER_TLP);
        return;
    }
    tcb_timer_set(s, t, SYNACK_TIMER_TLP, s->now + pto);
}

void tcb_rexmt_arm(synack_stack *s, tcb *t)
{
    /* RFC 6298 (5.1): start the timer if it is not running when something
     * that occupies sequence space is outstanding; (5.2) stop it when
     * everything is acknowledged. */
    if (t->snd_una == t->snd_max) {
        tcb_timer_stop(s, t, SYNACK_TIMER_RETRANSMIT);
        tcb_timer_stop(s, t, SYNACK_TIMER_TLP);
        return;
    }
    if (tcb_timer_at(t, SYNACK_TIMER_RETRANSMIT) == SYNACK_TIME_NEVER)
        tcb_timer_set(s, t, SYNACK_TIMER_RETRANSMIT, s->now + t->rto);
    tlp_arm(s, t);
}

void tcb_keepalive_reset(synack_stack *s, tcb *t)
{
    if (t->ext)
        t->ext->keep_probes = 0;
    if (!t->keepalive || !tcb_synchronized(t) || t->state == SYNACK_TIME_WAIT) {
        tcb_timer_stop(s, t, SYNACK_TIMER_KEEPALIVE);
        return;
    }
    /* SO_KEEPALIVE allocated the extension (socket.c); its absence means
     * no memory for it, and then no keepalive. */
    if (t->ext)
        tcb_timer_set(s, t, SYNACK_TIMER_KEEPALIVE,
                      t->last_rx + SYNACK_SEC(t->ext->keepidle));
}

/* Returns 1 if the TCB is gone (closed and released or closed). */
uint32_t tcb_retry_limit(const synack_stack *s, const tcb *t)
{
    if (t->state == SYNACK_SYN_RECEIVED)
        return s->cfg.synack_retries;
    if (t->ext && t->ext->retries_max)
        return t->ext->retries_max;     /* SYNACK_TCP_RETRIES (MUST-21) */
    return t->state == SYNACK_SYN_SENT ? s->cfg.syn_retries : s->cfg.data_retries;
}

static int fire_retransmit(synack_stack *s, tcb *t)
{
    if (t->retries < UINT16_MAX)
        t->retries++;
    t->rtt_timing = 0;      /* Karn's rule: no sample from a resend */
    if (t->retries > tcb_retry_limit(s, t)) {
        s->stats.conns_timeout++;
        if (t->state == SYNACK_SYN_RECEIVED && t->passive) {
            /* The third segment never came: the half-open entry is freed
             * and the listener carries on (the article's server that
             * waits, then leaves). */
            tcb_back_to_listen(s, t, "SYN-ACK retries exhausted");
        } else {
            /* Report what an ICMP error told us about the path, if any
             * (RFC 1122 4.2.3.9); else a plain timeout. */
            int soft = tcb_soft_error(t);
            tcb_close(s, t, soft ? soft : SYNACK_ETIMEDOUT, "retransmission limit reached");
        }
        return 1;
    }
    /* RFC 6298 (5.5): back off; (5.6) restart with the new RTO; resend
     * from the oldest unacknowledged sequence number (5.4). */
    s->stats.tcp_rto_timeouts++;
    if (t->retries == TCB_R1)
        sock_notify(s, t->handle);  /* SYNACK_EV_TROUBLE (RFC 1122 4.2.3.5 (d)) */
    t->rto = clamp_rto(s, t->rto * 2);
    if (t->state == SYNACK_SYN_SENT || t->state == SYNACK_SYN_RECEIVED)
        t->syn_lost = 1;        /* the initial window shrinks (cc_init) */
    if (t->ext)
        t->ext->tlp_out = 0;
    tcb_timer_stop(s, t, SYNACK_TIMER_TLP);
    if (t->snd_wnd == 0) {
        /* A zero-window probe went unanswered: not a congestion signal,
         * just probe again (RFC 9293 3.8.6.1). */
        t->force_one = 1;
    } else if (tcb_synchronized(t)) {
        recovery_on_rto(s, t);
    }
    t->snd_nxt = t->snd_una;
    tcb_timer_set(s, t, SYNACK_TIMER_RETRANSMIT, s->now + t->rto);
    tcp_output(s, t);
    return 0;
}

static void fire_persist(synack_stack *s, tcb *t)
{
    /* RFC 9293 3.8.6.1: probe a zero window, backing off like the RTO
     * (RFC 1122 4.2.2.17: first after one RTO, then exponentially); with
     * a small non-zero window this is the sender-SWS override timeout
     * (3.8.6.2.1 case 4): send what the window allows. Once the probe is
     * in flight the retransmission timer paces the next ones, so the RTO
     * is backed off now. */
    t->rto = clamp_rto(s, t->rto * 2);
    tcp_send_probe(s, t, 1);
    if (t->snd_una == t->snd_max)   /* nothing could go: try again later */
        tcb_timer_set(s, t, SYNACK_TIMER_PERSIST, s->now + t->rto);
}

static int fire_keepalive(synack_stack *s, tcb *t)
{
    /* RFC 9293 3.8.4 / RFC 1122 4.2.3.6: probe after the idle time; give
     * up after keepcnt unanswered probes. The timer lives in the
     * extension, so it exists here. */
    tcb_ext *x = t->ext;
    if (t->snd_una != t->snd_max) {
        /* Not idle: data is being retransmitted, and the RTO decides the
         * connection's fate. Look again later (RFC 1122 4.2.3.6: probes
         * only on an idle connection). */
        x->keep_probes = 0;
        tcb_timer_set(s, t, SYNACK_TIMER_KEEPALIVE, s->now + SYNACK_SEC(x->keepidle));
        return 0;
    }
    if (x->keep_probes >= x->keepcnt) {
        tcp_send_rst_for(s, t);
        s->stats.conns_timeout++;
        tcb_close(s, t, x->soft_error ? x->soft_error : SYNACK_ETIMEDOUT,
                  "keepalive probes unanswered");
        return 1;
    }
    tcp_send_probe(s, t, 0);
    x->keep_probes++;
    tcb_timer_set(s, t, SYNACK_TIMER_KEEPALIVE, s->now + SYNACK_SEC(x->keepintvl));
    return 0;
}

void tcb_timers_fire(synack_stack *s, tcb *t)
{
    for (int i = 0; i < SYNACK_TIMER_COUNT; i++) {
        if (earliest(t) > s->now)
            break;              /* nothing (more) is due */
        synack_time *p = tcb_timer_slot(t, (synack_timer)i);
        if (!p || *p > s->now)
            continue;
        *p = SYNACK_TIME_NEVER;
        trace_timer(s, t, (synack_timer)i);
        int gone = 0;
        switch ((synack_timer)i) {
        case SYNACK_TIMER_RETRANSMIT:
            gone = fire_retransmit(s, t);
            break;
        case SYNACK_TIMER_TIME_WAIT:
            /* RFC 9293 3.10.8: "If the time-wait timeout expires on a
             * connection, delete the TCB, enter the CLOSED state". */
            tcb_close(s, t, 0, "2MSL timer expired");
            gone = 1;
            break;
        case SYNACK_TIMER_DELACK:
            t->ack_now = 1;
            tcp_output(s, t);
            break;
        case SYNACK_TIMER_PERSIST:
            fire_persist(s, t);
            break;
        case SYNACK_TIMER_KEEPALIVE:
            gone = fire_keepalive(s, t);
            break;
        case SYNACK_TIMER_LINGER:
            tcp_send_rst_for(s, t);
            tcb_close(s, t, SYNACK_ETIMEDOUT, "linger time expired");
            gone = 1;
            break;
        case SYNACK_TIMER_FIN_WAIT_2:
            tcb_close(s, t, 0, "FIN-WAIT-2 timeout");
            gone = 1;
            break;
        case SYNACK_TIMER_TLP:
            /* RFC 8985 7.3: send the probe, then rearm the RTO. */
            t->ext->tlp_out = 1;
            s->stats.tcp_tlp_probes++;
            tcp_send_tlp(s, t);
            tcb_timer_set(s, t, SYNACK_TIMER_RETRANSMIT, s->now + t->rto);
            break;
        case SYNACK_TIMER_COUNT:
            break;
        }
        if (gone)
            return;
    }
    /* The entry fired at its key: put it at the true earliest deadline
     * (this is also where an early entry ends, having fired nothing). */
    heap_place(s, t, earliest(t));
}
