/* tcp_recovery.c — fast retransmit and fast recovery: NewReno (RFC 5681
 * section 3.2, RFC 6582) when the peer does not do SACK, and SACK-based
 * recovery (RFC 6675) when it does. The retransmissions of SACK recovery
 * are paced by tcp_output's pipe loop, with cwnd set on every ACK by
 * proportional rate reduction (RFC 6937); NewReno resends one segment per
 * (partial) acknowledgment from here. */
#include "tcp/tcp_cc.h"

#include "base/seq.h"

#define DUPTHRESH 3     /* RFC 5681 3.2 / RFC 6675 section 2 */

void recovery_resent(tcb *t, uint32_t seq, uint32_t span)
{
    tcb_ext *x = t->ext;
    x->high_rxt = seq + span;
    x->rxt_mark = t->snd_max;
    x->prr_out += span;
    x->undo_bytes += span;
    if (seq_gt(seq + span, x->undo_hi))
        x->undo_hi = seq + span;
}

void recovery_sent_new(tcb *t, uint32_t span)
{
    t->ext->prr_out += span;
}

/* RFC 6937 section 3, on every ACK of a SACK recovery: cwnd = pipe +
 * sndcnt, where sndcnt spreads the reduction to ssthresh over the ACKs of
 * the window (sending ssthresh / RecoverFS of what the peer reports
 * delivered) while pipe is above ssthresh, and below it grows back
 * towards ssthresh no faster than slow start (PRR-SSRB). RFC 6675 alone
 * sends nothing until half the window has been acknowledged, so one lost
 * ACK at the wrong moment left nothing in flight to clock out the rest. */
static void prr_update(tcb *t, tcb_ext *x, uint32_t delivered)
{
    x->prr_delivered += delivered;
    uint32_t pipe = sack_pipe(t, x->high_rxt);
    uint32_t ssthresh = x->cc.ssthresh;
    int64_t sndcnt;
    if (pipe > ssthresh) {
        uint64_t fs = x->recover_fs ? x->recover_fs : 1;
        sndcnt = (int64_t)(((uint64_t)x->prr_delivered * ssthresh + fs - 1) / fs) -
                 (int64_t)x->prr_out;
    } else {
        int64_t limit = (int64_t)x->prr_delivered - (int64_t)x->prr_out;
        if (limit < (int64_t)delivered)
            limit = delivered;
        limit += t->mss;
        sndcnt = (int64_t)(ssthresh - pipe) < limit ? (int64_t)(ssthresh - pipe) : limit;
    }
    x->cc.cwnd = pipe + (uint32_t)(sndcnt > 0 ? sndcnt : 0);
}

/* Called with the extension present (the callers below make sure). */
static void enter_recovery(synack_stack *s, tcb *t)
{
    tcb_ext *x = t->ext;
    x->in_recovery = 1;
    s->stats.tcp_fast_retransmits++;
    x->recover = t->snd_max;        /* RFC 6582 3.2 step 2 / RFC 6675 */
    x->high_rxt = t->snd_una;
    t->rtt_timing = 0;              /* Karn: timed data is being resent */
    /* What an undo restores; only D-SACKs can prove a recovery spurious
     * here, so only a SACK connection arms it. */
    x->undo_armed = t->sack_ok;
    x->undo_cc = x->cc;
    x->undo_lo = x->undo_hi = t->snd_una;
    x->undo_bytes = 0;
    x->prr_delivered = x->prr_out = 0;
    x->recover_fs = t->snd_max - t->snd_una;    /* RFC 6937 RecoverFS */
    cc_on_fast_loss(s, t);
    /* RFC 6582 3.2 step 2 / RFC 6675 5 (4.3): retransmit the first
     * unacknowledged segment now, whatever cwnd and pipe say. */
    uint32_t span = tcp_retransmit_at(s, t, t->snd_una, t->mss);
    recovery_resent(t, t->snd_una, span);
    if (!t->sack_ok)
        x->cc.cwnd = x->cc.ssthresh + DUPTHRESH * t->mss;   /* step 3: inflate */
}

/* RFC 6675 section 4 IsLost(SND.UNA): more than (DupThresh - 1) * SMSS
 * bytes above it have been SACKed. */
static int sack_says_lost(const tcb *t)
{
    return t->sack_ok && sack_bytes(t) > (DUPTHRESH - 1) * (uint32_t)t->mss;
}

/* A resent hole lost again. RFC 6675 resends each hole once per
 * recovery and leaves a lost retransmission to the RTO, which costs a
 * timeout and restarts from one segment; RFC 8985 (RACK) detects it by
 * send time instead. Without per-segment times the order of sending is
 * enough: everything above rxt_mark left after the last resend, so when
 * more than (DupThresh - 1) * SMSS of it has been SACKed while the
 * resent bytes at SND.UNA are still missing, IsLost's reasoning (RFC
 * 6675 section 4) applied in sending order says the resends are lost.
 * Every hole becomes eligible again (high_rxt back to SND.UNA, so pipe no
 * longer counts them) within the same recovery: no further reduction,
 * as for any loss inside one window (RFC 6582 3.2 step 2). */
static void detect_lost_resends(synack_stack *s, tcb *t, tcb_ext *x)
{
    if (!seq_gt(x->high_rxt, t->snd_una) ||
        sack_bytes_above(t, x->rxt_mark) <= (DUPTHRESH - 1) * (uint32_t)t->mss)
        return;
    x->high_rxt = t->snd_una;
    x->rxt_mark = t->snd_max;
    x->undo_armed = 0;      /* a resend lost again: the loss was real */
    s->stats.tcp_lost_retransmits++;
}

/* RFC 3708 section 3: when every byte a recovery resent comes back as a
 * D-SACK, the receiver had the originals — reordering or delay, not loss,
 * set recovery off. The congestion state from before the reduction comes
 * back (what RFC 4015 calls the response; like Linux, cwnd keeps anything
 * it gained since), recovery ends, and a new one may start at once. The
 * blocks must lie inside what the episode resent, so a duplicate of other
 * data cannot count; a resent range the network duplicated as well could
 * (the receiver reports each copy), a rare false undo costing one
 * window's growth. */
void recovery_on_dsack(synack_stack *s, tcb *t, const synack_tcp_opts *o, uint32_t ack)
{
    tcb_ext *x = t->ext;
    if (!x || !x->undo_armed || o->nsack == 0)
        return;
    /* RFC 2883 section 4: only the first block can be a D-SACK: it lies
     * below the cumulative ACK, or inside the second block. */
    uint32_t l = o->sack[0][0], r = o->sack[0][1];
    int dsack = seq_leq(r, ack) ||
                (o->nsack > 1 && seq_geq(l, o->sack[1][0]) && seq_leq(r, o->sack[1][1]));
    uint32_t dl = l - x->undo_lo, dr = r - x->undo_lo;
    if (!dsack || dl >= dr || dr > x->undo_hi - x->undo_lo)
        return;
    uint32_t n = dr - dl;
    x->undo_bytes = n < x->undo_bytes ? x->undo_bytes - n : 0;
    if (x->undo_bytes)
        return;
    uint32_t cwnd = x->cc.cwnd;
    x->cc = x->undo_cc;
    if (cwnd > x->cc.cwnd)
        x->cc.cwnd = cwnd;
    x->undo_armed = 0;
    x->in_recovery = 0;
    x->dupacks = 0;
    x->recover = t->snd_una;
    s->stats.tcp_spurious_recoveries++;
}

void recovery_on_ack(synack_stack *s, tcb *t, uint32_t acked, uint32_t delivered, int dup,
                     int sack_news)
{
    tcb_ext *x = t->ext;
    if (acked) {
        if (!x) {
            /* Only a SYN or FIN can be acknowledged before the extension
             * exists (data allocates it): slow start's growth is kept for
             * when it does (cc_on_ack with acked < 2*SMSS adds acked). */
            if (t->pre_acked + acked <= 3u)
                t->pre_acked = (t->pre_acked + acked) & 3u;
            return;
        }
        x->dupacks = 0;
        if (!x->in_recovery) {
            cc_on_ack(s, t, acked);
            return;
        }
        if (seq_geq(t->snd_una, x->recover)) {
            /* Full acknowledgment: leave recovery with cwnd =
             * min(ssthresh, max(FlightSize, SMSS) + SMSS) (RFC 6582 3.2
             * step 3, option 1). */
            x->in_recovery = 0;
            uint32_t f = cc_flight(t);
            f = (f > t->mss ? f : t->mss) + t->mss;
            x->cc.cwnd = f < x->cc.ssthresh ? f : x->cc.ssthresh;
            return;
        }
        if (t->sack_ok) {
            if (sack_news)
                detect_lost_resends(s, t, x);
            prr_update(t, x, delivered);
        } else {
            /* Partial acknowledgment (RFC 6582 3.2 step 3): resend the
             * next hole, deflate cwnd by what was acknowledged. */
            tcp_retransmit_at(s, t, t->snd_una, t->mss);
            x->cc.cwnd = x->cc.cwnd > acked ? x->cc.cwnd - acked : t->mss;
            if (acked >= t->mss)
                x->cc.cwnd += t->mss;
            tcb_timer_set(s, t, SYNACK_TIMER_RETRANSMIT, s->now + t->rto);
        }
        return;
    }
    if (!dup && !sack_news)
        return;
    /* Duplicates with no extension yet: a FIN alone is outstanding. The
     * count needs it; without memory the RTO does the recovering. */
    if (!x && !(x = tcb_ext_get(s, t)))
        return;
    if (x->dupacks < 255)
        x->dupacks++;
    if (!x->in_recovery) {
        /* RFC 6582 3.2 step 2: a new recovery starts only above the last
         * RecoveryPoint, so one window of losses costs one reduction.
         * Besides three duplicates (or enough SACKed data), an answer to a
         * tail loss probe that still leaves a hole under SACKed data says
         * the hole is lost: the probe, sent last, got through (RFC 8985
         * 7.4; without RACK's per-segment times this is its TLP case). */
        int probe_answered = x->tlp_out && t->sack_ok && seq_gt(sack_high(t), t->snd_una);
        if ((x->dupacks >= DUPTHRESH || sack_says_lost(t) || probe_answered) &&
            seq_geq(t->snd_una, x->recover)) {
            enter_recovery(s, t);
            if (t->sack_ok)
                prr_update(t, x, delivered);
        }
    } else if (!t->sack_ok) {
        if (dup)
            x->cc.cwnd += t->mss;   /* RFC 6582 3.2 step 4: inflate */
    } else {
        if (sack_news)
            detect_lost_resends(s, t, x);
        prr_update(t, x, delivered);
    }
}

void recovery_on_rto(synack_stack *s, tcb *t)
{
    /* RFC 5681 3.1 and RFC 6582 section 4: after a timeout, recover is
     * SND.MAX and cwnd restarts from one segment; SACK information is
     * discarded (RFC 2018 section 8: the receiver may have reneged).
     * Without the extension only a FIN is outstanding; if it cannot be
     * had, nothing more is sent that cwnd would govern. */
    tcb_ext *x = tcb_ext_get(s, t);
    if (x) {
        cc_on_rto(s, t);
        x->in_recovery = 0;
        x->undo_armed = 0;
        x->dupacks = 0;
        x->recover = t->snd_max;
    }
    sack_clear(s, t);
}
