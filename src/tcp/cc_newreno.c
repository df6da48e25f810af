/* cc_newreno.c — Reno congestion avoidance (RFC 5681 section 3.1):
 * one segment per window of acknowledged bytes; halve on loss. The
 * NewReno part (partial ACKs, RFC 6582) is in tcp_recovery.c. */
#include "tcp/tcp_cc.h"

static void reno_avoid(synack_stack *s, tcb *t, uint32_t acked)
{
    (void)s;
    t->ext->cc.bytes_acked += acked;
    if (t->ext->cc.bytes_acked >= t->ext->cc.cwnd) {
        t->ext->cc.bytes_acked -= t->ext->cc.cwnd;
        t->ext->cc.cwnd += t->mss;
    }
}

static uint32_t reno_loss(synack_stack *s, tcb *t)
{
    (void)s;
    uint32_t half = cc_flight(t) / 2;   /* RFC 5681 equation (4) */
    return half > 2u * t->mss ? half : 2u * t->mss;
}

const cc_ops cc_newreno = { "newreno", reno_avoid, reno_loss };
