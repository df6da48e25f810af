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

void cc_init(synack_stack *s, tcb *t)
{
    (void)s;
    /* RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)); but after a lost SYN
     * or SYN-ACK "the initial window ... MUST be one segment consisting of
     * at most SMSS bytes" (RFC 5681 3.1, kept by RFC 6928 2). */
    uint32_t mss = t->mss;
    uint32_t iw = 2 * mss > 14600 ? 2 * mss : 14600;
    if (iw > 10 * mss)
        iw = 10 * mss;
    if (t->syn_lost)
        iw = mss;
    tcb_cc *c = &t->ext->cc;
    c->cwnd = iw;
    c->ssthresh = UINT32_MAX;           /* RFC 5681 3.1: arbitrarily high */
    c->bytes_acked = 0;
    c->epoch = SYNACK_TIME_NEVER;
    c->w_max = c->w_last_max = 0;
}

void cc_on_ack(synack_stack *s, tcb *t, uint32_t acked)
{
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
}

void cc_on_rto(synack_stack *s, tcb *t)
{
    /* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS) for Reno; the
     * module decides; then cwnd = LW = 1 segment. */
    t->ext->cc.ssthresh = ops_of(t)->on_loss(s, t);
    t->ext->cc.cwnd = t->mss;
    t->ext->cc.bytes_acked = 0;
}
