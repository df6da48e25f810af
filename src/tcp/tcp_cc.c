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
    /* RFC 6928: IW = min(10*MSS, max(2*MSS, 14600)). */
    uint32_t mss = t->mss;
    uint32_t iw = 2 * mss > 14600 ? 2 * mss : 14600;
    if (iw > 10 * mss)
        iw = 10 * mss;
    t->cc.cwnd = iw;
    t->cc.ssthresh = UINT32_MAX;        /* RFC 5681 3.1: arbitrarily high */
    t->cc.bytes_acked = 0;
    t->cc.epoch = SYNACK_TIME_NEVER;
    t->cc.w_max = t->cc.w_last_max = 0;
}

void cc_on_ack(synack_stack *s, tcb *t, uint32_t acked)
{
    if (t->cc.cwnd < t->cc.ssthresh) {
        /* Slow start with appropriate byte counting, L = 2 (RFC 3465). */
        uint32_t inc = acked < 2u * t->mss ? acked : 2u * t->mss;
        t->cc.cwnd += inc;
        return;
    }
    ops_of(t)->avoid(s, t, acked);
}

void cc_on_fast_loss(synack_stack *s, tcb *t)
{
    t->cc.ssthresh = ops_of(t)->on_loss(s, t);
    t->cc.cwnd = t->cc.ssthresh;
    t->cc.bytes_acked = 0;
}

void cc_on_rto(synack_stack *s, tcb *t)
{
    /* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS) for Reno; the
     * module decides; then cwnd = LW = 1 segment. */
    t->cc.ssthresh = ops_of(t)->on_loss(s, t);
    t->cc.cwnd = t->mss;
    t->cc.bytes_acked = 0;
}
