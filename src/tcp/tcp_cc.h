/* tcp_cc.h — congestion control behind a small interface. A module
 * decides how the window grows in congestion avoidance and how far it
 * falls after a loss; slow start, the initial window (RFC 6928), the RTO
 * response (RFC 5681 section 3.1) and the recovery bookkeeping are shared.
 * Modules: NewReno (RFC 5681, RFC 6582) and CUBIC (RFC 9438). */
#ifndef SYNACK_TCP_CC_H
#define SYNACK_TCP_CC_H

#include "stack_impl.h"

typedef struct cc_ops {
    const char *name;
    /* Congestion avoidance: acked new bytes arrived (cwnd >= ssthresh). */
    void (*avoid)(synack_stack *s, tcb *t, uint32_t acked);
    /* A loss was detected: return the new ssthresh (and reset the
     * module's own state). */
    uint32_t (*on_loss)(synack_stack *s, tcb *t);
} cc_ops;

extern const cc_ops cc_newreno;
extern const cc_ops cc_cubic;

/* Sets the initial window and ssthresh when the connection is set up. */
void cc_init(synack_stack *s, tcb *t);
/* The initial window for t's MSS (RFC 6928; one segment after a lost SYN
 * or SYN-ACK, RFC 5681 3.1). */
uint32_t cc_initial_window(const tcb *t);
/* About to send new data: after more than an RTO without sending any,
 * cwnd restarts from min(IW, cwnd) (RFC 5681 4.1). */
void cc_before_send(synack_stack *s, tcb *t);
/* New data acknowledged outside fast recovery. */
void cc_on_ack(synack_stack *s, tcb *t, uint32_t acked);
/* Entering fast recovery: ssthresh from the module, cwnd = ssthresh. */
void cc_on_fast_loss(synack_stack *s, tcb *t);
/* Retransmission timeout: ssthresh from the module, cwnd = 1 segment. */
void cc_on_rto(synack_stack *s, tcb *t);

/* Bytes in flight as RFC 5681 defines FlightSize. */
uint32_t cc_flight(const tcb *t);

#endif
