/* tcp_cc.c — the parts of congestion control every module shares: the
 * initial window, slow start, and the responses to loss and timeout. */
#include "tcp/tcp_cc.h"

static const cc_ops *ops_of(const tcb *t)
{
    return t->cc_algo == SYNACK_CC_NEWRENO ? &cc_newreno : &cc_cubic;
}

uint32_t cc_flight(const tcb *t)
{
    return t->snd_max - t->snd_una;
}

uint32_t cc_initial_window(const tcb *t)
{
    /* RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)); but after a lost SYN
     * or SYN-ACK "the initial window ... MUST be one segment consisting of
     * at most SMSS bytes" (RFC 5681 3.1, kept by RFC 6928 2). */
    uint32_t mss = t->mss;
    uint32_t iw = 2 * mss > 14600 ? 2 * mss : 14600;
    if (iw > 10 * mss)
        iw = 10 * mss;
    if (t->syn_lost)
        iw = mss;
    return iw;
}

void cc_before_send(synack_stack *s, tcb *t)
{
    /* RFC 5681 4.1: "a TCP SHOULD set cwnd to no more than RW before
     * beginning transmission if the TCP has not sent data in an interval
     * exceeding the retransmission timeout", RW = min(IW, cwnd): after an
     * idle period the ACK clock is gone, and a full old window would go
     * out as one burst. Only when nothing is in flight (idle), and only
     * after data was sent once (before that cwnd is the IW anyway). */
    tcb_ext *x = t->ext;
    if (!x || x->last_send == 0 || t->snd_una != t->snd_max ||
        s->now - x->last_send <= t->rto)
        return;
    uint32_t rw = cc_initial_window(t);
    if (x->cc.cwnd > rw) {
        x->cc.cwnd = rw;
        x->cc.epoch = SYNACK_TIME_NEVER;    /* CUBIC: a new epoch */
    }
}

void cc_init(synack_stack *s, tcb *t)
{
    (void)s;
    tcb_cc *c = &t->ext->cc;
    c->cwnd = cc_initial_window(t);
    c->ssthresh = UINT32_MAX;           /* RFC 5681 3.1: arbitrarily high */
    c->bytes_acked = 0;
    c->epoch = SYNACK_TIME_NEVER;
    c->w_max = c->w_last_max = 0;
}

/* Was the sender using its window? The largest FlightSize of the data in
 * flight (flight_peak, kept by tcp_output.c:sent) against cwnd. An
 * application that sends less than cwnd allows never tested the path at
 * that rate, so its cwnd must not grow (RFC 9438 4.6: a MUST for CUBIC,
 * which computes ssthresh from cwnd; RFC 7661 for any sender). As Linux
 * does, slow start counts as limited while cwnd is below twice that peak
 * (the next round may double it), congestion avoidance while less than a
 * segment of cwnd was left unused. */
static int cwnd_limited(const tcb *t)
{
    const tcb_ext *x = t->ext;
    if (x->cc.cwnd < x->cc.ssthresh)
        return x->cc.cwnd < 2u * x->flight_peak;
    return x->flight_peak + t->mss > x->cc.cwnd;
}

void cc_on_ack(synack_stack *s, tcb *t, uint32_t acked)
{
    tcb_ext *x = t->ext;
    int grow = cwnd_limited(t);
    if (seq_geq(t->snd_una, x->peak_seq)) {
        /* The data of that peak is acknowledged: measure afresh. */
        x->flight_peak = cc_flight(t);
        x->peak_seq = t->snd_max;
    }
    if (!grow)
        return;
    if (t->ext->cc.cwnd < t->ext->cc.ssthresh) {
        /* Slow start with appropriate byte counting, L = 2 (RFC 3465). */
        uint32_t inc = acked < 2u * t->mss ? acked : 2u * t->mss;
        t->ext->cc.cwnd += inc;
        return;
    }
    ops_of(t)->avoid(s, t, acked);
}

void cc_on_fast_loss(synack_stack *s, tcb *t)
{
    t->ext->cc.ssthresh = ops_of(t)->on_loss(s, t);
    t->ext->cc.cwnd = t->ext->cc.ssthresh;
    t->ext->cc.bytes_acked = 0;
    t->ext->after_rto = 0;
}

void cc_on_rto(synack_stack *s, tcb *t)
{
    /* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS) for Reno; the
     * module decides; then cwnd = LW = 1 segment. When the timer expires
     * again for a segment it already resent, "the value of ssthresh is
     * held constant" (RFC 5681 3.1; RFC 9438 4.8 too): recomputing it from
     * the one-segment cwnd would throw away what the first timeout kept. */
    if (t->retries <= 1)
        t->ext->cc.ssthresh = ops_of(t)->on_loss(s, t);
    t->ext->cc.cwnd = t->mss;
    t->ext->cc.bytes_acked = 0;
    t->ext->after_rto = 1;
}
