/* tcp_recovery.c — fast retransmit and fast recovery: NewReno (RFC 5681
 * section 3.2, RFC 6582) when the peer does not do SACK, and SACK-based
 * recovery (RFC 6675) when it does. The retransmissions of SACK recovery
 * are paced by tcp_output's pipe loop; NewReno resends one segment per
 * (partial) acknowledgment from here. */
#include "tcp/tcp_cc.h"

#include "base/seq.h"

#define DUPTHRESH 3     /* RFC 5681 3.2 / RFC 6675 section 2 */

static void enter_recovery(synack_stack *s, tcb *t)
{
    t->in_recovery = 1;
    s->stats.tcp_fast_retransmits++;
    t->recover = t->snd_max;        /* RFC 6582 3.2 step 2 / RFC 6675 */
    t->high_rxt = t->snd_una;
    t->rtt_timing = 0;              /* Karn: timed data is being resent */
    cc_on_fast_loss(s, t);
    /* RFC 6582 3.2 step 2 / RFC 6675 5 (4.3): retransmit the first
     * unacknowledged segment now, whatever cwnd and pipe say. */
    uint32_t span = tcp_retransmit_at(s, t, t->snd_una, t->mss);
    t->high_rxt = t->snd_una + span;
    if (!t->sack_ok)
        t->cc.cwnd = t->cc.ssthresh + DUPTHRESH * t->mss;   /* step 3: inflate */
}

/* RFC 6675 section 4 IsLost(SND.UNA): more than (DupThresh - 1) * SMSS
 * bytes above it have been SACKed. */
static int sack_says_lost(const tcb *t)
{
    return t->sack_ok && sack_bytes(t) > (DUPTHRESH - 1) * (uint32_t)t->mss;
}

void recovery_on_ack(synack_stack *s, tcb *t, uint32_t acked, int dup, int sack_news)
{
    if (acked) {
        t->dupacks = 0;
        if (!t->in_recovery) {
            cc_on_ack(s, t, acked);
            return;
        }
        if (seq_geq(t->snd_una, t->recover)) {
            /* Full acknowledgment: leave recovery with cwnd =
             * min(ssthresh, max(FlightSize, SMSS) + SMSS) (RFC 6582 3.2
             * step 3, option 1). */
            t->in_recovery = 0;
            uint32_t f = cc_flight(t);
            f = (f > t->mss ? f : t->mss) + t->mss;
            t->cc.cwnd = f < t->cc.ssthresh ? f : t->cc.ssthresh;
            return;
        }
        if (!t->sack_ok) {
            /* Partial acknowledgment (RFC 6582 3.2 step 3): resend the
             * next hole, deflate cwnd by what was acknowledged. */
            tcp_retransmit_at(s, t, t->snd_una, t->mss);
            t->cc.cwnd = t->cc.cwnd > acked ? t->cc.cwnd - acked : t->mss;
            if (acked >= t->mss)
                t->cc.cwnd += t->mss;
            tcb_timer_set(s, t, SYNACK_TIMER_RETRANSMIT, s->now + t->rto);
        }
        return;
    }
    if (!dup && !sack_news)
        return;
    if (t->dupacks < 255)
        t->dupacks++;
    if (!t->in_recovery) {
        /* RFC 6582 3.2 step 2: a new recovery starts only above the last
         * RecoveryPoint, so one window of losses costs one reduction.
         * Besides three duplicates (or enough SACKed data), an answer to a
         * tail loss probe that still leaves a hole under SACKed data says
         * the hole is lost: the probe, sent last, got through (RFC 8985
         * 7.4; without RACK's per-segment times this is its TLP case). */
        int probe_answered = t->tlp_out && t->sack_ok && seq_gt(sack_high(t), t->snd_una);
        if ((t->dupacks >= DUPTHRESH || sack_says_lost(t) || probe_answered) &&
            seq_geq(t->snd_una, t->recover))
            enter_recovery(s, t);
    } else if (!t->sack_ok && dup) {
        t->cc.cwnd += t->mss;       /* RFC 6582 3.2 step 4: inflate */
    }
}

void recovery_on_rto(synack_stack *s, tcb *t)
{
    /* RFC 5681 3.1 and RFC 6582 section 4: after a timeout, recover is
     * SND.MAX and cwnd restarts from one segment; SACK information is
     * discarded (RFC 2018 section 8: the receiver may have reneged). */
    cc_on_rto(s, t);
    t->in_recovery = 0;
    t->dupacks = 0;
    t->recover = t->snd_max;
    sack_clear(s, t);
}
