/* tcp_timer.c — the connection's timers: retransmission (RFC 6298, with
 * SYN and SYN-ACK retries), TIME-WAIT (2*MSL), delayed ACK, persist
 * (zero-window probes), keepalive (RFC 9293 3.8.4), linger and orphaned
 * FIN-WAIT-2.
 *
 * Each TCB keeps one absolute deadline per timer; the stack's heap holds
 * the TCB at its earliest one, so synack_next_deadline is O(1). */
#include "stack_impl.h"

#include "base/seq.h"

static void heap_refresh(synack_stack *s, tcb *t)
{
    synack_time m = SYNACK_TIME_NEVER;
    for (int i = 0; i < SYNACK_TIMER_COUNT; i++)
        if (t->t[i] < m)
            m = t->t[i];
    if (m == t->hn.key && (m == SYNACK_TIME_NEVER) == (t->hn.idx == HEAP_NONE))
        return;
    if (heap_set(&s->timers, &t->hn, m, s->cfg.alloc, s->cfg.free, s->cfg.alloc_ctx) != 0) {
        /* The heap could not grow: without a timer this connection would
         * hang, so fail it now and say why. */
        for (int i = 0; i < SYNACK_TIMER_COUNT; i++)
            t->t[i] = SYNACK_TIME_NEVER;
        tcb_close(s, t, SYNACK_ENOMEM, "no memory for timer");
    }
}

void tcb_timer_set(synack_stack *s, tcb *t, synack_timer which, synack_time when)
{
    t->t[which] = when;
    heap_refresh(s, t);
}

void tcb_timer_stop(synack_stack *s, tcb *t, synack_timer which)
{
    if (t->t[which] == SYNACK_TIME_NEVER)
        return;
    t->t[which] = SYNACK_TIME_NEVER;
    heap_refresh(s, t);
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
    synack_time rto_at = t->t[SYNACK_TIMER_RETRANSMIT];
    if (!t->sack_ok || !t->rtt_valid || t->in_recovery || t->tlp_out ||
        (t->state != SYNACK_ESTABLISHED && t->state != SYNACK_CLOSE_WAIT) ||
        rto_at == SYNACK_TIME_NEVER) {
        tcb_timer_stop(s, t, SYNACK_TIMER_TLP);
        return;
    }
    /* RFC 8985 7.2: (re)start the probe timer when new data went out (or
     * after an ACK of new data, which stops it first); a duplicate ACK
     * leaves it where it is. */
    if (t->t[SYNACK_TIMER_TLP] != SYNACK_TIME_NEVER && t->snd_max == t->tlp_armed_max)
        return;
    t->tlp_armed_max = t->snd_max;
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
    if (t->t[SYNACK_TIMER_RETRANSMIT] == SYNACK_TIME_NEVER)
        tcb_timer_set(s, t, SYNACK_TIMER_RETRANSMIT, s->now + t->rto);
    tlp_arm(s, t);
}

void tcb_keepalive_reset(synack_stack *s, tcb *t)
{
    t->keep_probes = 0;
    if (!t->keepalive || !tcb_synchronized(t) || t->state == SYNACK_TIME_WAIT) {
        tcb_timer_stop(s, t, SYNACK_TIMER_KEEPALIVE);
        return;
    }
    tcb_timer_set(s, t, SYNACK_TIMER_KEEPALIVE, t->last_rx + SYNACK_SEC(t->keepidle));
}

/* Returns 1 if the TCB is gone (closed and released or closed). */
static int fire_retransmit(synack_stack *s, tcb *t)
{
    t->retries++;
    t->rtt_timing = 0;      /* Karn's rule: no sample from a resend */
    uint32_t limit = t->state == SYNACK_SYN_SENT ? s->cfg.syn_retries
                   : t->state == SYNACK_SYN_RECEIVED ? s->cfg.synack_retries
                   : s->cfg.data_retries;
    if (t->retries > limit) {
        s->stats.conns_timeout++;
        if (t->state == SYNACK_SYN_RECEIVED && t->passive) {
            /* The third segment never came: the half-open entry is freed
             * and the listener carries on (the article's server that
             * waits, then leaves). */
            tcb_back_to_listen(s, t, "SYN-ACK retries exhausted");
        } else {
            /* Report what an ICMP error told us about the path, if any
             * (RFC 1122 4.2.3.9); else a plain timeout. */
            tcb_close(s, t, t->soft_error ? t->soft_error : SYNACK_ETIMEDOUT,
                      "retransmission limit reached");
        }
        return 1;
    }
    /* RFC 6298 (5.5): back off; (5.6) restart with the new RTO; resend
     * from the oldest unacknowledged sequence number (5.4). */
    t->rto = clamp_rto(s, t->rto * 2);
    t->tlp_out = 0;
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
     * up after keepcnt unanswered probes. */
    if (t->snd_una != t->snd_max) {
        /* Not idle: data is being retransmitted, and the RTO decides the
         * connection's fate. Look again later (RFC 1122 4.2.3.6: probes
         * only on an idle connection). */
        t->keep_probes = 0;
        tcb_timer_set(s, t, SYNACK_TIMER_KEEPALIVE, s->now + SYNACK_SEC(t->keepidle));
        return 0;
    }
    if (t->keep_probes >= t->keepcnt) {
        tcp_send_rst_for(s, t);
        s->stats.conns_timeout++;
        tcb_close(s, t, t->soft_error ? t->soft_error : SYNACK_ETIMEDOUT,
                  "keepalive probes unanswered");
        return 1;
    }
    tcp_send_probe(s, t, 0);
    t->keep_probes++;
    tcb_timer_set(s, t, SYNACK_TIMER_KEEPALIVE, s->now + SYNACK_SEC(t->keepintvl));
    return 0;
}

void tcb_timers_fire(synack_stack *s, tcb *t)
{
    for (int i = 0; i < SYNACK_TIMER_COUNT; i++) {
        if (t->t[i] > s->now)
            continue;
        t->t[i] = SYNACK_TIME_NEVER;
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
            t->tlp_out = 1;
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
    heap_refresh(s, t);
}
