/* tcp_input.c — SEGMENT ARRIVES (RFC 9293 section 3.10.7), in the RFC's
 * order: CLOSED (3.10.7.1), LISTEN (3.10.7.2), SYN-SENT (3.10.7.3), then
 * for the other states (3.10.7.4) the steps check sequence, RST, SYN, ACK,
 * text, FIN — each a named function returning a verdict.
 *
 * The segment is passed explicitly; nothing here keeps a "current
 * segment". Output (ACKs, data the new window allows) happens once, at the
 * end, through tcp_output. */
#include "stack_impl.h"

#include <string.h>

#include "base/seq.h"
#include "tcp/tcp_cc.h"
#include "wire/wire.h"

typedef enum verdict {
    V_CONTINUE,     /* go on to the next step */
    V_DROP,         /* stop here (segment dropped and counted, or used
                       up); run output, e.g. the ACK an RFC step asks for */
    V_GONE          /* the TCB was closed and may be freed: stop */
} verdict;

/* One segment in flight through the steps. */
typedef struct inseg {
    synack_segment *seg;
    const uint8_t *data;    /* payload, after trimming */
    uint32_t seq;           /* first sequence number after trimming */
    uint32_t len;           /* payload bytes after trimming */
    uint8_t syn, fin;       /* controls still to process after trimming */
    uint32_t placed;        /* payload bytes already copied to the end of
                               the receive ring (uncommitted) by the fused
                               checksum check, starting at placed_seq */
    uint32_t placed_seq;
} inseg;

static uint32_t seg_span(const synack_segment *seg)
{
    return seg->len + !!(seg->flags & SYNACK_TCP_SYN) + !!(seg->flags & SYNACK_TCP_FIN);
}

/* RFC 5961 section 7: challenge ACKs per second, stack-wide, on average. */
#define CHALLENGE_ACK_LIMIT 1000

int challenge_ack_allowed(synack_stack *s)
{
    if (s->chack_limit == 0 || s->now - s->chack_epoch >= SYNACK_SEC(1)) {
        s->chack_epoch = s->now;
        s->chack_count = 0;
        /* RFC 5961 7 leaves the limit to the implementation. A fixed
         * stack-wide budget is a side channel (CVE-2016-5696: an off-path
         * attacker who exhausts it with its own connection and counts the
         * challenge ACKs it still gets learns whether its guesses hit
         * someone else's connection), so each second's budget is drawn at
         * random, from half to one and a half times the nominal limit. */
        s->chack_limit =
            CHALLENGE_ACK_LIMIT / 2 + (uint32_t)(stack_random(s) % CHALLENGE_ACK_LIMIT);
    }
    if (s->chack_count >= s->chack_limit) {
        s->stats.drops[SYNACK_DROP_TCP_CHALLENGE_LIMIT]++;
        s->ndrops++;
        return 0;
    }
    s->chack_count++;
    s->stats.tcp_challenge_acks++;
    return 1;
}

#define OOW_ACK_INTERVAL_MS 500

int oow_ack_allowed(synack_stack *s, uint32_t *last_ms, const synack_segment *seg)
{
    if (seg->len || (seg->flags & (SYNACK_TCP_SYN | SYNACK_TCP_FIN)))
        return 1;
    /* Milliseconds plus one, so that 0 can mean "never". */
    uint32_t now_ms = tcp_ts_now(s) + 1u;
    if (*last_ms && now_ms - *last_ms < OOW_ACK_INTERVAL_MS) {
        s->stats.oow_acks_suppressed++;
        return 0;
    }
    *last_ms = now_ms ? now_ms : 1;
    return 1;
}

/* PAWS keeps the age of TS.Recent in whole seconds of stack time: the
 * 24-day rule (RFC 7323 5.5) needs no finer clock. */
static uint32_t ts_seconds(const synack_stack *s)
{
    return (uint32_t)(s->now / SYNACK_SEC(1));
}

static int ts_recent_stale(const synack_stack *s, const tcb *t)
{
    return ts_seconds(s) - t->ts_recent_at >= 24u * 24 * 3600;
}

/* oow_ack_allowed for a TCB: the rate limit's clock lives in the
 * extension, needed only for a pure ACK (the others always get their
 * answer). Without memory for it, the ACK goes. */
static int oow_ack_ok(synack_stack *s, tcb *t, const synack_segment *seg)
{
    uint32_t none = 0;
    uint32_t *last = &none;
    if (!seg->len && !(seg->flags & (SYNACK_TCP_SYN | SYNACK_TCP_FIN))) {
        tcb_ext *x = tcb_ext_get(s, t);
        if (x)
            last = &x->oow_ack_ms;
    }
    return oow_ack_allowed(s, last, seg);
}

static void challenge_ack(synack_stack *s, tcb *t)
{
    if (challenge_ack_allowed(s))
        tcp_send_ack(s, t);
}

/* Negotiates MSS, window scale, timestamps and SACK from a SYN or SYN-ACK
 * (RFC 9293 3.7.1, RFC 7323 2.2 and 3.2, RFC 2018 2). */
static void take_syn_options(synack_stack *s, tcb *t, const synack_segment *seg)
{
    const synack_tcp_opts *o = &seg->opts;
    t->ws_ok = s->cfg.wscale >= 0 && o->has_wscale;
    t->snd_wscale = t->ws_ok ? (o->wscale > 14 ? 14 : o->wscale) : 0;
    t->rcv_wscale = t->ws_ok ? (uint8_t)s->cfg.wscale : 0;
    t->ts_ok = s->cfg.timestamps && o->has_ts;
    if (t->ts_ok) {
        t->ts_recent = o->tsval;
        t->ts_recent_at = ts_seconds(s);    /* the PAWS age counts from now */
    }
    t->sack_ok = s->cfg.sack && o->sack_permitted;
    uint32_t mss = o->has_mss ? o->mss : 536;       /* RFC 9293 3.7.1 */
    if (mss > t->adv_mss)
        mss = t->adv_mss;       /* our own MTU bounds what we send too */
    uint32_t cap = t->ext ? t->ext->mss_cap : 0;
    if (cap && mss > cap)
        mss = cap;
    if (t->ts_ok)
        mss -= 12;              /* room for the timestamp option */
    if (mss < 64)
        mss = 64;
    t->mss = (uint16_t)mss;
    /* Congestion state starts with the extension (tcb_ext_get), from
     * this MSS. */
    if (t->ext)
        cc_init(s, t);
}

static void enter_time_wait(synack_stack *s, tcb *t, const char *cause)
{
    tcb_timers_clear(t, SYNACK_TIMER_TIME_WAIT);
    stack_ring_release(s, &t->sndq);
    stack_free(s, t->sb);       /* no data can arrive or leave any more */
    t->sb = NULL;
    tcb_set_state(s, t, SYNACK_TIME_WAIT, cause);
    /* RFC 9293 3.10.7.4 eighth step: start (or restart) the 2 MSL timer. */
    tcb_timer_set(s, t, SYNACK_TIMER_TIME_WAIT, s->now + 2 * s->cfg.msl);
}

/* ---------------------------------------------------- 3.10.7.1 CLOSED */

static int closed_input(synack_stack *s, const synack_segment *seg)
{
    /* "all data in the incoming segment is discarded. An incoming segment
     * containing a RST is discarded. An incoming segment not containing a
     * RST causes a RST to be sent in response." */
    stack_drop(s, SYNACK_DROP_TCP_NO_SOCKET, NULL, seg);
    tcp_send_rst_reply(s, seg);
    return 1;
}

/* ---------------------------------------------------- 3.10.7.2 LISTEN */

/* Fills a passive TCB from the SYN that asked for it. 0, or
 * SYNACK_ENOMEM if the listener's options found no memory for the
 * extension (the rest is filled all the same). */
static int passive_init(synack_stack *s, tcb *t, const sock *l, const synack_segment *syn)
{
    int err = sock_apply_options(s, l, t);
    t->passive = 1;
    t->rcv_nxt = syn->seq + 1;
    t->rcv_adv = t->rcv_nxt;
    take_syn_options(s, t, syn);
    t->snd_wnd = syn->wnd;                      /* never scaled in a SYN */
    t->max_snd_wnd = t->snd_wnd;
    t->snd_wl1 = syn->seq;
    return err;
}

/* RFC 4987 3.6: answer with a cookie and keep nothing. */
static int send_cookie(synack_stack *s, const sock *l, const synack_segment *syn)
{
    tcb tmp;
    memset(&tmp, 0, sizeof(tmp));
    tmp.t_rx = SYNACK_TIME_NEVER;
    tmp.hn.idx = HEAP_NONE;
    tmp.handle = tmp.listener = -1;
    tmp.raddr = syn->saddr;
    tmp.lport = syn->dport;
    tmp.rport = syn->sport;
    /* Only the SYN-ACK's fields matter here: without memory for the
     * listener's options their defaults do. */
    (void)passive_init(s, &tmp, l, syn);
    stack_free(s, tmp.ext);
    tmp.ext = NULL;
    uint16_t mss;
    tmp.iss = syncookie_isn(s, syn, syn->opts.has_mss ? syn->opts.mss : 536, &mss);
    if (tmp.ts_ok) {
        tmp.cookie = (uint8_t)(1 + syncookie_opt_bits(syn));
    } else {
        /* Nowhere to keep them: offer neither window scaling nor SACK. */
        tmp.ws_ok = tmp.sack_ok = 0;
        tmp.rcv_wscale = 0;
    }
    tcp_send_synack_stateless(s, &tmp);
    s->stats.syncookies_sent++;
    return 0;
}

/* The client's ACK to a cookie SYN-ACK: rebuild the connection. Returns
 * the new ESTABLISHED TCB, or NULL (counted) if the cookie is no good or
 * there is no room. */
static tcb *cookie_open(synack_stack *s, sock *l, int lh, const synack_segment *seg)
{
    uint16_t mss;
    if (!syncookie_check(s, seg, &mss)) {
        s->stats.syncookies_failed++;
        return NULL;
    }
    if (l->naccept >= l->backlog) {
        stack_drop(s, SYNACK_DROP_TCP_BACKLOG_FULL, NULL, seg);
        return NULL;
    }
    tcb *t = tcb_new(s, seg->saddr, seg->dport, seg->sport);
    if (!t) {
        stack_drop(s, SYNACK_DROP_TCP_NO_MEMORY, NULL, seg);
        return NULL;
    }
    /* Rebuild the SYN as the client sent it, as far as the cookie says. */
    synack_segment syn = *seg;
    syn.seq = seg->seq - 1;
    syn.flags = SYNACK_TCP_SYN;
    memset(&syn.opts, 0, sizeof(syn.opts));
    syn.opts.has_mss = 1;
    syn.opts.mss = mss;
    if (seg->opts.has_ts && s->cfg.timestamps) {
        uint32_t bits = seg->opts.tsecr & 31u;
        syn.opts.has_ts = 1;
        syn.opts.tsval = seg->opts.tsval;
        syn.opts.sack_permitted = (bits & 16) != 0;
        syn.opts.has_wscale = (bits & 15) != 15;
        syn.opts.wscale = (uint8_t)(bits & 15);
    }
    if (passive_init(s, t, l, &syn) != 0) {
        tcb_release(s, t);
        stack_drop(s, SYNACK_DROP_TCP_NO_MEMORY, NULL, seg);
        return NULL;
    }
    t->cookie = 1;
    t->listener = lh;
    t->last_ack_sent = t->rcv_nxt;  /* what the cookie SYN-ACK acknowledged */
    tcb_set_iss(t, seg->ack - 1);
    t->snd_una = t->snd_nxt = t->snd_max = seg->ack;   /* the cookie SYN-ACK was acked */
    t->snd_wnd = (uint32_t)seg->wnd << t->snd_wscale;
    t->max_snd_wnd = t->snd_wnd;
    t->snd_wl2 = seg->ack;
    /* What our SYN-ACK offered: the buffer, unscaled, at most 65535. */
    uint32_t offered = t->rcvq.cap < 65535u ? t->rcvq.cap : 65535u;
    t->rcv_adv = t->rcv_nxt + offered;
    tcb_hash_insert(s, t);
    s->stats.conns_passive++;
    s->stats.syncookies_ok++;
    t->state = SYNACK_LISTEN;
    tcb_set_state(s, t, SYNACK_ESTABLISHED, "ACK with a valid SYN cookie");
    tcb_keepalive_reset(s, t);
    sock_listener_established(s, t);
    return t;
}

static int synced_input(synack_stack *s, tcb *t, synack_segment *seg, const uint8_t *payload,
                        uint32_t placed);

static int listen_input(synack_stack *s, sock *l, int lh, synack_segment *seg,
                        const uint8_t *payload, int reopen, uint32_t min_iss)
{
    if (seg->flags & SYNACK_TCP_RST) {          /* first: ignore RST */
        stack_drop(s, SYNACK_DROP_TCP_RST_INVALID, NULL, seg);
        return 1;
    }
    if (seg->flags & SYNACK_TCP_ACK) {
        /* second: an ACK to a listener is reset — unless it answers one of
         * our SYN cookies. */
        if (s->cfg.syncookies && !(seg->flags & SYNACK_TCP_SYN)) {
            tcb *t = cookie_open(s, l, lh, seg);
            if (t)
                return synced_input(s, t, seg, payload, 0);
        }
        stack_drop(s, SYNACK_DROP_TCP_BAD_ACK, NULL, seg);
        tcp_send_rst_reply(s, seg);
        return 1;
    }
    if (!(seg->flags & SYNACK_TCP_SYN)) {       /* fourth: anything else */
        stack_drop(s, SYNACK_DROP_TCP_NO_ACK, NULL, seg);
        return 1;
    }
    /* third: SYN. The accept queue holds at most backlog connections; a
     * SYN beyond that is dropped silently and the client retries. */
    if (l->naccept >= l->backlog) {
        stack_drop(s, SYNACK_DROP_TCP_BACKLOG_FULL, NULL, seg);
        return 1;
    }
    tcb *t = l->nhalf < l->backlog ? tcb_new(s, seg->saddr, seg->dport, seg->sport) : NULL;
    if (!t) {
        /* Half-open entries (or records) exhausted: a SYN flood, or a
         * crowd. Cookies keep legitimate clients coming (RFC 4987). */
        if (s->cfg.syncookies) {
            trace_seg(s, SYNACK_TRACE_SEG_IN, NULL, seg, 0);
            return send_cookie(s, l, seg);
        }
        stack_drop(s, l->nhalf >= l->backlog ? SYNACK_DROP_TCP_BACKLOG_FULL
                                             : SYNACK_DROP_TCP_NO_MEMORY, NULL, seg);
        return 1;
    }
    if (passive_init(s, t, l, seg) != 0) {
        tcb_release(s, t);
        stack_drop(s, SYNACK_DROP_TCP_NO_MEMORY, NULL, seg);
        return 1;
    }
    t->listener = lh;
    l->nhalf++;
    trace_seg(s, SYNACK_TRACE_SEG_IN, t, seg, 0);
    uint32_t iss = tcb_isn(s, t->raddr, t->lport, t->rport);
    tcb_set_iss(t, reopen && seq_lt(iss, min_iss) ? min_iss : iss);
    t->snd_wl2 = t->iss;
    tcb_hash_insert(s, t);
    s->stats.conns_passive++;
    t->state = SYNACK_LISTEN;   /* the record starts life as the listener's */
    tcb_set_state(s, t, SYNACK_SYN_RECEIVED, "SYN received");
    /* Data carried on the SYN is not acknowledged here; the peer sends
     * it again once the connection is synchronized. */
    tcp_output(s, t);
    return 0;
}

/* -------------------------------------------------- 3.10.7.3 SYN-SENT */

static int syn_sent_input(synack_stack *s, tcb *t, synack_segment *seg)
{
    uint8_t f = seg->flags;
    int ack_ok = 0;
    if (f & SYNACK_TCP_ACK) {
        /* first: "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset
         * (unless the RST bit is set) and discard the segment." */
        if (seq_leq(seg->ack, t->iss) || seq_gt(seg->ack, t->snd_max)) {
            stack_drop(s, SYNACK_DROP_TCP_BAD_ACK, t, seg);
            tcp_send_rst_reply(s, seg);
            return 1;
        }
        ack_ok = 1;
    }
    if (f & SYNACK_TCP_RST) {
        /* second: a RST is acceptable only if it acknowledges our SYN
         * (RFC 5961 3.2 for SYN-SENT). */
        if (!ack_ok) {
            stack_drop(s, SYNACK_DROP_TCP_RST_INVALID, t, seg);
            return 1;
        }
        trace_seg(s, SYNACK_TRACE_SEG_IN, t, seg, 0);
        s->stats.conns_reset++;
        tcb_close(s, t, SYNACK_ECONNREFUSED, "RST in SYN-SENT: connection refused");
        return 0;
    }
    if (!(f & SYNACK_TCP_SYN)) {
        /* fifth: "If neither of the SYN or RST bits is set, then drop". */
        stack_drop(s, SYNACK_DROP_TCP_NO_ACK, t, seg);
        return 1;
    }
    /* fourth: SYN. */
    trace_seg(s, SYNACK_TRACE_SEG_IN, t, seg, 0);
    t->rcv_nxt = seg->seq + 1;      /* IRS + 1 */
    t->rcv_adv = t->rcv_nxt;
    take_syn_options(s, t, seg);
    t->last_rx = s->now;
    if (ack_ok) {
        t->snd_una = seg->ack;
        if (t->rtt_timing && seq_gt(seg->ack, t->rtt_seq)) {
            tcb_rtt_sample(s, t, s->now - t->rtt_start);
            t->rtt_timing = 0;
        }
        if (t->retries && !t->rtt_valid && s->cfg.rto_initial < SYNACK_SEC(3))
            t->rto = SYNACK_SEC(3);     /* RFC 6298 (5.7): the SYN was resent */
        t->retries = 0;
        if (t->ext)
            t->ext->soft_error = 0;     /* the path works after all */
        t->snd_wnd = seg->wnd;                  /* never scaled in a SYN */
        t->max_snd_wnd = t->snd_wnd;
        t->snd_wl1 = seg->seq;
        t->snd_wl2 = seg->ack;
        tcb_timer_stop(s, t, SYNACK_TIMER_RETRANSMIT);
        tcb_set_state(s, t, SYNACK_ESTABLISHED, "SYN-ACK received");
        tcb_keepalive_reset(s, t);
        t->ack_now = 1;
        tcp_output(s, t);
        return 0;
    }
    /* Simultaneous open (RFC 9293 Figure 7): answer with our SYN again,
     * now carrying the ACK, from SYN-RECEIVED. */
    t->snd_wnd = seg->wnd;
    t->max_snd_wnd = t->snd_wnd;
    t->snd_wl1 = seg->seq;
    t->snd_wl2 = t->iss;
    t->snd_nxt = t->snd_max = t->iss;
    t->rtt_timing = 0;
    tcb_set_state(s, t, SYNACK_SYN_RECEIVED, "SYN received in SYN-SENT (simultaneous open)");
    tcp_output(s, t);
    return 0;
}

/* ------------------------------------------ 3.10.7.4 the other states */

/* RFC 7323 4.3 / 5.3 R3: remember the timestamp to echo, from a segment
 * that covers the last ACK we sent. (RFC 7323 5.5 / Appendix D: after 24
 * days idle TS.Recent is stale and any TSval replaces it.) */
static void take_ts_recent(synack_stack *s, tcb *t, const synack_segment *seg)
{
    if (t->ts_ok && seg->opts.has_ts && seq_leq(seg->seq, t->last_ack_sent) &&
        (seq_geq(seg->opts.tsval, t->ts_recent) || ts_recent_stale(s, t))) {
        t->ts_recent = seg->opts.tsval;
        t->ts_recent_at = ts_seconds(s);
    }
}

/* first: check sequence number, and trim the segment to the window. */
static verdict check_sequence(synack_stack *s, tcb *t, inseg *in)
{
    synack_segment *seg = in->seg;
    if (t->ts_ok && seg->opts.has_ts && !(seg->flags & SYNACK_TCP_RST) &&
        seq_lt(seg->opts.tsval, t->ts_recent) &&
        !ts_recent_stale(s, t)) {
        /* RFC 7323 5.3 R1 (PAWS): an older timestamp than the last one
         * taken marks an old duplicate: acknowledge and drop it. */
        stack_drop(s, SYNACK_DROP_TCP_PAWS, t, seg);
        if (oow_ack_ok(s, t, seg))
            t->ack_now = 1;
        return V_DROP;
    }
    uint32_t span = seg_span(seg);
    uint32_t wnd = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    uint32_t seq = seg->seq;
    int ok;
    if (t->state == SYNACK_SYN_RECEIVED && (seg->flags & SYNACK_TCP_SYN) &&
        (seg->flags & SYNACK_TCP_ACK) && seq == tcb_irs(t) && !(seg->flags & SYNACK_TCP_RST)) {
        /* Simultaneous open (RFC 9293 Figure 7): the peer's SYN-ACK
         * repeats the SYN we already have, but its ACK is new. Take it as
         * acceptable; the duplicate SYN is trimmed below and the ACK
         * completes the handshake, as in the figure. */
        span = 0;
        seq = t->rcv_nxt;
    }
    if (span == 0)
        ok = wnd == 0 ? seq == t->rcv_nxt : seq_in(seq, t->rcv_nxt, t->rcv_nxt + wnd);
    else
        ok = wnd != 0 && (seq_in(seq, t->rcv_nxt, t->rcv_nxt + wnd) ||
                          seq_in(seq + span - 1, t->rcv_nxt, t->rcv_nxt + wnd));
    /* A zero window still accepts a segment at RCV.NXT for its ACK, RST
     * and URG fields (RFC 9293 3.10.7.4: "valid ACKs, URGs, and RSTs"):
     * it is processed with its text and FIN trimmed away. */
    if (!ok && wnd == 0 && seq == t->rcv_nxt)
        ok = 1;
    if (!ok) {
        if (seg->flags & SYNACK_TCP_RST) {
            stack_drop(s, SYNACK_DROP_TCP_RST_INVALID, t, seg);
            return V_GONE;      /* nothing to send: no output */
        }
        if (t->state == SYNACK_TIME_WAIT && (seg->flags & SYNACK_TCP_FIN) &&
            seq_lt(seq, t->rcv_nxt)) {
            /* A retransmission of the peer's FIN: our last ACK was lost.
             * Acknowledge it again and restart the 2 MSL timeout
             * (RFC 9293 3.10.7.4 eighth step, TIME-WAIT). */
            trace_seg(s, SYNACK_TRACE_SEG_IN, t, seg, 0);
            tcb_timer_set(s, t, SYNACK_TIMER_TIME_WAIT, s->now + 2 * s->cfg.msl);
            tcp_send_ack(s, t);
            return V_GONE;
        }
        /* "send an acknowledgment ... <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"
         * and drop the unacceptable segment; data we already have is a
         * duplicate that acknowledgment reports (RFC 2883). */
        if (seg->len && !(seg->flags & SYNACK_TCP_SYN) && seq_leq(seq + seg->len, t->rcv_nxt) &&
            seq_geq(seq, t->rcv_nxt - t->rcvq.cap))
            reass_note_duplicate(s, t, seq, seq + seg->len);
        stack_drop(s, t->state == SYNACK_TIME_WAIT ? SYNACK_DROP_TCP_TIME_WAIT
                                                   : SYNACK_DROP_TCP_OUT_OF_WINDOW, t, seg);
        if (oow_ack_ok(s, t, seg))
            t->ack_now = 1;
        return V_DROP;
    }
    trace_seg(s, SYNACK_TRACE_SEG_IN, t, seg, 0);
    seq = seg->seq;
    take_ts_recent(s, t, seg);
    in->seq = seq;
    in->syn = !!(seg->flags & SYNACK_TCP_SYN);
    in->fin = !!(seg->flags & SYNACK_TCP_FIN);
    /* Trim the front: bytes (and a SYN) already received. */
    if (seq_lt(in->seq, t->rcv_nxt)) {
        uint32_t cut = t->rcv_nxt - in->seq;
        if (in->syn) {
            in->syn = 0;
            cut--;
            in->seq++;
        }
        if (cut > in->len)
            cut = in->len;
        if (cut) {
            /* A duplicate: acknowledged at once, with its D-SACK (RFC
             * 2883; RFC 5681 4.2 asks the same for out-of-order data). */
            reass_note_duplicate(s, t, in->seq, in->seq + cut);
            t->ack_now = 1;
        }
        in->data += cut;
        in->len -= cut;
        in->seq += cut;
    }
    /* Trim the back: what lies beyond the window, and the FIN with it. */
    uint32_t right = t->rcv_nxt + wnd;
    if (seq_gt(in->seq + in->len, right)) {
        in->len = seq_gt(right, in->seq) ? right - in->seq : 0;
        in->fin = 0;
        t->ack_now = 1;
    }
    if (t->state == SYNACK_TIME_WAIT)
        return V_CONTINUE;
    t->last_rx = s->now;
    if (t->keepalive)
        tcb_keepalive_reset(s, t);
    return V_CONTINUE;
}

/* second: check the RST bit (RFC 9293 3.10.7.4, RFC 5961 section 3). */
static verdict check_rst(synack_stack *s, tcb *t, inseg *in)
{
    if (!(in->seg->flags & SYNACK_TCP_RST))
        return V_CONTINUE;
    if (in->seg->seq != t->rcv_nxt) {
        /* In the window but not exact: maybe blind. Ask for proof. */
        stack_drop(s, SYNACK_DROP_TCP_RST_CHALLENGED, t, in->seg);
        challenge_ack(s, t);
        return V_GONE;
    }
    switch (t->state) {
    case SYNACK_SYN_RECEIVED:
        if (t->passive) {
            /* "If this connection was initiated with a passive OPEN, then
             * return this connection to the LISTEN state": the half-open
             * entry is freed, the listener is untouched. This is how an
             * old duplicate SYN is defeated (RFC 9293 3.5, Figure 8). */
            tcb_back_to_listen(s, t, "RST in SYN-RECEIVED");
        } else {
            s->stats.conns_reset++;
            tcb_close(s, t, SYNACK_ECONNREFUSED, "RST in SYN-RECEIVED: connection refused");
        }
        return V_GONE;
    case SYNACK_ESTABLISHED:
    case SYNACK_FIN_WAIT_1:
    case SYNACK_FIN_WAIT_2:
    case SYNACK_CLOSE_WAIT:
        s->stats.conns_reset++;
        tcb_close(s, t, SYNACK_ECONNRESET, "RST received: connection reset");
        return V_GONE;
    case SYNACK_TIME_WAIT:
        /* RFC 1337: a RST must not cut TIME-WAIT short ("TIME-WAIT
         * assassination"); old duplicates would then be accepted by a new
         * incarnation. Ignore it. */
        stack_drop(s, SYNACK_DROP_TCP_TIME_WAIT, t, in->seg);
        return V_GONE;
    default:    /* CLOSING, LAST-ACK */
        tcb_close(s, t, 0, "RST received while closing");
        return V_GONE;
    }
}

/* fourth: check the SYN bit (RFC 9293 3.10.7.4, RFC 5961 section 4). */
static verdict check_syn(synack_stack *s, tcb *t, inseg *in)
{
    if (!in->syn)
        return V_CONTINUE;
    if (t->state == SYNACK_SYN_RECEIVED && t->passive) {
        /* A new SYN in the window of a half-open entry: "return this
         * connection to the LISTEN state". */
        tcb_back_to_listen(s, t, "SYN in SYN-RECEIVED");
        return V_GONE;
    }
    /* Synchronized: never reset on a SYN; challenge it. */
    stack_drop(s, SYNACK_DROP_TCP_SYN_CHALLENGED, t, in->seg);
    challenge_ack(s, t);
    return V_GONE;
}

/* A new ACK: SND.UNA < SEG.ACK =< SND.MAX. Releases acknowledged data,
 * takes an RTT sample, restarts the retransmission timer. */
static void ack_advance(synack_stack *s, tcb *t, const synack_segment *seg)
{
    uint32_t ack = seg->ack;
    uint32_t data_end = t->snd_buf_seq + t->sndq.len;
    uint32_t upto = seq_lt(ack, data_end) ? ack : data_end;
    if (seq_gt(upto, t->snd_buf_seq)) {
        ring_consume(&t->sndq, upto - t->snd_buf_seq);
        t->snd_buf_seq = upto;
        stack_ring_trim(s, &t->sndq);
        sock_notify(s, t->handle);      /* room to write */
    }
    t->snd_una = ack;
    if (seq_lt(t->snd_nxt, t->snd_una))
        t->snd_nxt = t->snd_una;
    sack_acked(s, t);
    if (t->ts_ok && seg->opts.has_ts && seg->opts.tsecr) {
        /* RFC 7323 4.1 (RTTM): every ACK that advances SND.UNA echoes
         * the time its data was sent; 1 ms ticks. */
        uint32_t ms = tcp_ts_now(s) - seg->opts.tsecr;
        if (ms < 0x7fffffffu)
            tcb_rtt_sample(s, t, SYNACK_MSEC(ms));
        t->rtt_timing = 0;
    } else if (t->rtt_timing && seq_gt(ack, t->rtt_seq)) {
        tcb_rtt_sample(s, t, s->now - t->rtt_start);
        t->rtt_timing = 0;
    }
    if (tcb_troubled(t))
        sock_notify(s, t->handle);      /* SYNACK_EV_TROUBLE clears */
    t->retries = 0;
    tcb_ext *x = t->ext;
    if (x) {
        x->tlp_out = 0;
        x->soft_error = 0;      /* the path works again */
        if (x->urg_snd && seq_geq(ack, x->snd_up))
            x->urg_snd = 0;     /* all urgent data delivered */
    }
    /* RFC 6298 (5.3): restart the timer for what is still outstanding
     * (and the probe timer, RFC 8985 7.2). Stopped here, started again by
     * the tcp_output that follows every segment reaching this step (at
     * once or at the end of its input batch; see synced_input) once it
     * has sent what the ACK allows: arming both here as well did the
     * work twice per ACK, with the same deadlines (the clock does not
     * move in between). A segment that ends the connection instead
     * (LAST-ACK, data after close) needs no timer. */
    tcb_timer_stop(s, t, SYNACK_TIMER_RETRANSMIT);
    tcb_timer_stop(s, t, SYNACK_TIMER_TLP);
}

static int fin_acked(const tcb *t)
{
    return t->fin_sent && seq_gt(t->snd_una, tcb_fin_seq(t));
}

/* RFC 9293 3.10.7.4 fifth step: the send window is updated only from a
 * segment newer than the one that last set it (SND.WL1 < SEG.SEQ, or
 * SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK). */
static int window_update_ok(const tcb *t, const synack_segment *seg)
{
    return seq_lt(t->snd_wl1, seg->seq) ||
           (t->snd_wl1 == seg->seq && seq_leq(t->snd_wl2, seg->ack));
}

/* fifth: check the ACK field. */
static verdict check_ack(synack_stack *s, tcb *t, inseg *in)
{
    synack_segment *seg = in->seg;
    if (!(seg->flags & SYNACK_TCP_ACK)) {
        stack_drop(s, SYNACK_DROP_TCP_NO_ACK, t, seg);
        return V_GONE;
    }
    uint32_t ack = seg->ack;
    if (t->state == SYNACK_SYN_RECEIVED) {
        /* "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state
         * and continue processing"; otherwise reset the sender. */
        if (!(seq_lt(t->snd_una, ack) && seq_leq(ack, t->snd_max))) {
            stack_drop(s, SYNACK_DROP_TCP_BAD_ACK, t, seg);
            tcp_send_rst_reply(s, seg);
            return V_GONE;
        }
        t->snd_wnd = (uint32_t)seg->wnd << t->snd_wscale;
        t->max_snd_wnd = t->snd_wnd;
        t->snd_wl1 = seg->seq;
        t->snd_wl2 = ack;
        if (t->retries && !t->rtt_valid && s->cfg.rto_initial < SYNACK_SEC(3))
            t->rto = SYNACK_SEC(3);     /* RFC 6298 (5.7): the SYN-ACK was resent */
        tcb_set_state(s, t, SYNACK_ESTABLISHED, "ACK of SYN received");
        tcb_keepalive_reset(s, t);
        if (t->passive)
            sock_listener_established(s, t);
    }
    if (t->state == SYNACK_TIME_WAIT)
        return V_CONTINUE;      /* only a FIN matters here (eighth step) */

    if (seq_gt(ack, t->snd_max)) {
        /* "If the ACK acks something not yet sent ... send an ACK, drop
         * the segment, and return." */
        stack_drop(s, SYNACK_DROP_TCP_BAD_ACK, t, seg);
        if (oow_ack_ok(s, t, seg))
            t->ack_now = 1;
        return V_DROP;
    }
    uint32_t wnd_floor = t->max_snd_wnd ? t->max_snd_wnd : 1;
    if (seq_lt(ack, t->snd_una - wnd_floor)) {
        /* RFC 5961 5.2: too old to be a real duplicate: blind injection. */
        stack_drop(s, SYNACK_DROP_TCP_BAD_ACK, t, seg);
        challenge_ack(s, t);
        return V_GONE;
    }
    /* RFC 5681 section 2: a duplicate ACK carries no data, no SYN/FIN,
     * the same ACK and window, while data is outstanding. */
    int dup = seg->len == 0 && !(seg->flags & (SYNACK_TCP_SYN | SYNACK_TCP_FIN)) &&
              ack == t->snd_una && t->snd_max != t->snd_una &&
              ((uint32_t)seg->wnd << t->snd_wscale) == t->snd_wnd &&
              t->snd_wnd != 0;    /* answers to zero-window probes are not */
    int sack_news = 0;
    uint32_t sacked_before = t->sb ? sack_bytes(t) : 0;
    if (t->sack_ok && seg->opts.nsack) {
        recovery_on_dsack(s, t, &seg->opts, ack);
        sack_news = sack_update(s, t, &seg->opts);
    }
    uint32_t acked = 0;
    if (seq_gt(ack, t->snd_una)) {
        acked = ack - t->snd_una;
        ack_advance(s, t, seg);
    }
    /* Window update (RFC 9293 3.10.7.4): only from a segment newer than
     * the one that last set it. */
    if (window_update_ok(t, seg)) {
        uint32_t old_wnd = t->snd_wnd;
        t->snd_wnd = (uint32_t)seg->wnd << t->snd_wscale;
        if (old_wnd == 0 && t->snd_wnd && seq_gt(t->snd_nxt, t->snd_una) &&
            !tcb_in_recovery(t)) {
            /* The window reopened without taking our probe byte: send
             * from SND.UNA again, the probe byte first. */
            t->snd_nxt = t->snd_una;
        }
        if (t->snd_wnd > t->max_snd_wnd)
            t->max_snd_wnd = t->snd_wnd;
        t->snd_wl1 = seg->seq;
        t->snd_wl2 = ack;
    }
    /* The peer answers our zero-window probes: it is alive, keep going
     * (RFC 9293 3.8.6.1: never give up while the window is zero). */
    if (t->snd_wnd == 0 && ack == t->snd_una) {
        if (tcb_troubled(t))
            sock_notify(s, t->handle);  /* SYNACK_EV_TROUBLE may clear */
        t->retries = 0;
    }
    if (tcb_synchronized(t)) {
        /* RFC 6937 DeliveredData: the cumulative advance plus the change
         * in SACKed bytes (ranges the advance swallowed count once). */
        uint32_t sacked_after = t->sb ? sack_bytes(t) : 0;
        uint32_t delivered = acked + sacked_after - sacked_before;
        if ((int32_t)delivered < 0)
            delivered = 0;
        recovery_on_ack(s, t, acked, delivered, dup, sack_news);
    }

    switch (t->state) {
    case SYNACK_FIN_WAIT_1:
        if (fin_acked(t)) {
            tcb_set_state(s, t, SYNACK_FIN_WAIT_2, "ACK of FIN received");
            if (t->handle < 0)
                tcb_timer_set(s, t, SYNACK_TIMER_FIN_WAIT_2,
                              s->now + s->cfg.fin_wait_2_timeout);
        }
        break;
    case SYNACK_CLOSING:
        if (fin_acked(t))
            enter_time_wait(s, t, "ACK of FIN received in CLOSING");
        break;
    case SYNACK_LAST_ACK:
        if (fin_acked(t)) {
            tcb_close(s, t, 0, "ACK of FIN received in LAST-ACK");
            return V_GONE;
        }
        break;
    default:
        break;
    }
    return V_CONTINUE;
}

/* sixth: check the URG bit (RFC 9293 3.10.7.4, 3.8.5). Urgent data stays
 * in the stream; RCV.UP remembers where it ends and the application is
 * told when it is new or has moved (MUST-32). */
static verdict check_urg(synack_stack *s, tcb *t, inseg *in)
{
    const synack_segment *seg = in->seg;
    if (!(seg->flags & SYNACK_TCP_URG) || seg->urg == 0)
        return V_CONTINUE;
    if (t->state != SYNACK_ESTABLISHED && t->state != SYNACK_FIN_WAIT_1 &&
        t->state != SYNACK_FIN_WAIT_2)
        return V_CONTINUE;      /* "ignore the URG" after the peer's FIN */
    uint32_t up = seg->seq + seg->urg;
    tcb_ext *x = tcb_ext_get(s, t);
    if (!x) {
        /* No memory to remember RCV.UP: the bytes still arrive in line,
         * only the mark is lost (it comes again with later segments). */
        return V_CONTINUE;
    }
    if (!x->urg_rcvd || seq_gt(up, x->rcv_up)) {
        x->rcv_up = up;
        x->urg_rcvd = 1;
        sock_notify(s, t->handle);
    }
    return V_CONTINUE;
}

/* Decides when to acknowledge received data: at once if delayed ACKs are
 * off, for every second full-sized segment, or on the delayed-ACK timer
 * (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2). */
static void schedule_ack(synack_stack *s, tcb *t, uint32_t n)
{
    /* The count and the timer live in the extension; without memory
     * for it, acknowledge at once. */
    tcb_ext *x = tcb_ext_get(s, t);
    if (!x) {
        t->ack_now = 1;
        return;
    }
    x->rcv_unacked += n;
    /* A full-sized segment carries the MSS less the timestamp option. */
    uint32_t full = t->adv_mss - (t->ts_ok ? 12u : 0u);
    if (s->cfg.delack == 0 || t->quickack || x->rcv_unacked >= 2u * full) {
        t->ack_now = 1;
        return;
    }
    if (x->t_delack == SYNACK_TIME_NEVER)
        tcb_timer_set(s, t, SYNACK_TIMER_DELACK, s->now + s->cfg.delack);
}

/* seventh: process the segment text. */
static verdict process_text(synack_stack *s, tcb *t, inseg *in)
{
    if (in->len == 0)
        return V_CONTINUE;
    if (t->state != SYNACK_ESTABLISHED && t->state != SYNACK_FIN_WAIT_1 &&
        t->state != SYNACK_FIN_WAIT_2) {
        /* CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not
         * occur since a FIN has been received": ignore the text. */
        in->len = 0;
        return V_CONTINUE;
    }
    if (t->rd_closed) {
        /* RFC 1122 4.2.2.13: new data after the app closed is lost; say
         * so with a RST rather than acknowledging it. */
        stack_drop(s, SYNACK_DROP_TCP_AFTER_CLOSE, t, in->seg);
        tcp_send_rst_for(s, t);
        tcb_close(s, t, 0, "data received after close: reset");
        return V_GONE;
    }
    if (in->seq != t->rcv_nxt) {
        /* Beyond RCV.NXT: keep it in place in the receive ring and tell
         * the sender at once what is missing (RFC 5681 4.2, RFC 2018). */
        if (reass_store(s, t, in->seq, in->data, in->len) != 0)
            stack_drop(s, SYNACK_DROP_TCP_OUT_OF_ORDER, t, in->seg);
        in->len = 0;
        in->fin = 0;
        t->ack_now = 1;
        return V_DROP;
    }
    long n;
    if (in->placed && in->seq == in->placed_seq && in->len <= in->placed) {
        /* Already in place (receive_fast_ok held when it arrived and
         * nothing moved RCV.NXT since): just make it part of the queue. */
        ring_commit(&t->rcvq, in->len);
        n = (long)in->len;
    } else {
        n = ring_write(&t->rcvq, in->data, in->len, stack_ring_alloc, stack_ring_free, s);
    }
    if (n < 0) {
        /* Unacknowledged, so the peer retransmits: nothing is lost. */
        stack_drop(s, SYNACK_DROP_TCP_NO_MEMORY, t, in->seg);
        in->fin = 0;
        return V_DROP;
    }
    if ((uint32_t)n < in->len) {
        stack_drop(s, SYNACK_DROP_TCP_RCVBUF_FULL, t, in->seg);
        in->fin = 0;
        t->ack_now = 1;
    }
    t->rcv_nxt += (uint32_t)n;
    in->seq += (uint32_t)n;
    if (reass_pending(t)) {
        /* The segment filled (part of) a hole: commit what joined up and
         * acknowledge at once (RFC 5681 4.2). */
        uint32_t more = reass_advance(s, t);
        if (more) {
            in->seq = t->rcv_nxt;
            in->fin = 0;    /* a FIN was never stored out of order */
        }
        t->ack_now = 1;
    }
    sock_notify(s, t->handle);
    schedule_ack(s, t, (uint32_t)n);
    return V_CONTINUE;
}

/* eighth: check the FIN bit. */
static verdict process_fin(synack_stack *s, tcb *t, inseg *in)
{
    if (!in->fin || in->seq != t->rcv_nxt)
        return V_CONTINUE;
    t->rcv_nxt++;
    t->fin_rcvd = 1;
    t->ack_now = 1;         /* "send an acknowledgment for the FIN" */
    sock_notify(s, t->handle);
    switch (t->state) {
    case SYNACK_SYN_RECEIVED:
    case SYNACK_ESTABLISHED:
        tcb_set_state(s, t, SYNACK_CLOSE_WAIT, "FIN received");
        break;
    case SYNACK_FIN_WAIT_1:
        if (fin_acked(t))
            enter_time_wait(s, t, "FIN received, our FIN acknowledged");
        else
            tcb_set_state(s, t, SYNACK_CLOSING, "FIN received (simultaneous close)");
        break;
    case SYNACK_FIN_WAIT_2:
        enter_time_wait(s, t, "FIN received in FIN-WAIT-2");
        break;
    case SYNACK_TIME_WAIT:
        tcb_timer_set(s, t, SYNACK_TIMER_TIME_WAIT, s->now + 2 * s->cfg.msl);
        break;
    default:        /* CLOSE-WAIT, CLOSING, LAST-ACK: remain */
        break;
    }
    return V_CONTINUE;
}

/* RFC 1122 4.2.2.13 (and RFC 6191): a SYN for a connection in TIME-WAIT
 * whose sequence number is above everything of the old incarnation may
 * open a new connection at once. */
static int time_wait_reopen(synack_stack *s, tcb *t, synack_segment *seg, uint32_t *min_iss)
{
    if (t->state != SYNACK_TIME_WAIT || (seg->flags & (SYNACK_TCP_ACK | SYNACK_TCP_RST)) ||
        !(seg->flags & SYNACK_TCP_SYN) || !seq_gt(seg->seq, t->rcv_nxt))
        return 0;
    int lh;
    sock *l = sock_find_listener(s, seg->dport, &lh);
    if (!l)
        return 0;
    /* The new incarnation must start above every sequence number of the
     * old one, so its segments cannot be taken for old ones (RFC 1122
     * 4.2.2.13, RFC 6191 section 2); a window's worth of margin too. */
    *min_iss = t->snd_max + 65535u + 2u;
    tcb_close(s, t, 0, "new SYN reopens a TIME-WAIT connection");
    return 1;
}

/* Header prediction (the 4.4BSD fast path): the next in-order data of an
 * ESTABLISHED connection that acknowledges nothing new and changes
 * nothing else — the steady flow a receiver sees. For such a segment the
 * steps of RFC 9293 3.10.7.4 reduce to this: the acceptability test passes
 * (SEG.SEQ = RCV.NXT and the text fits the window, so nothing is
 * trimmed); no PAWS drop; the RST, SYN, URG and FIN steps have nothing to
 * do; the ACK step acknowledges nothing (SEG.ACK = SND.UNA) and, the
 * segment carrying data, counts no duplicate, so only its window
 * bookkeeping remains (the window itself is unchanged) and
 * recovery_on_ack would return at once. Returns 1 after doing that; the
 * caller then takes the text with process_text, as the seventh step does.
 * Returns 0, having done nothing, for any other segment. */
static int predicted_data(synack_stack *s, tcb *t, const synack_segment *seg)
{
    uint32_t wnd = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    if (t->state != SYNACK_ESTABLISHED ||
        (seg->flags & ~SYNACK_TCP_PSH) != SYNACK_TCP_ACK || seg->len == 0 ||
        seg->seq != t->rcv_nxt || seg->len > wnd || seg->ack != t->snd_una ||
        seg->opts.nsack != 0 || t->snd_wnd == 0 ||
        ((uint32_t)seg->wnd << t->snd_wscale) != t->snd_wnd || !t->ext || t->rd_closed ||
        reass_pending(t) ||
        (t->ts_ok && seg->opts.has_ts && seq_lt(seg->opts.tsval, t->ts_recent)))
        return 0;
    trace_seg(s, SYNACK_TRACE_SEG_IN, t, seg, 0);
    take_ts_recent(s, t, seg);
    t->last_rx = s->now;
    if (t->keepalive)
        tcb_keepalive_reset(s, t);
    if (window_update_ok(t, seg)) {
        t->snd_wl1 = seg->seq;
        t->snd_wl2 = seg->ack;
    }
    return 1;
}

/* Inside an input batch (synack_batch_begin), the output after a segment
 * may wait for the batch's end only for the steady flow of an ESTABLISHED
 * connection: the segment arrived in order with nothing held out of
 * order, carried only ACK (and PSH), no SACK blocks, brought data or a new
 * ACK (so it is not a duplicate ACK, which signals loss), was taken whole
 * (not trimmed at a window edge), and left the connection ESTABLISHED
 * with no hole. Everything else — out-of-order data, filled holes,
 * duplicates, window probes, FIN, SYN, RST, URG — is answered at once as
 * RFC 5681 4.2 and RFC 9293 3.10.7.4 ask; the ACK for in-order data may
 * be a stretch ACK covering the whole batch, which RFC 9293 3.8.6.3
 * (SHLD-19) bends the way GRO does in kernel stacks. */
static int batch_may_wait(const tcb *t, const inseg *in, verdict v)
{
    const synack_segment *seg = in->seg;
    return v == V_CONTINUE && t->state == SYNACK_ESTABLISHED &&
           !(seg->flags & ~(SYNACK_TCP_ACK | SYNACK_TCP_PSH)) && (seg->flags & SYNACK_TCP_ACK) &&
           seg->opts.nsack == 0 && in->len == seg->len && !reass_pending(t);
}

static int synced_input(synack_stack *s, tcb *t, synack_segment *seg, const uint8_t *payload,
                        uint32_t placed)
{
    if (t->state == SYNACK_SYN_RECEIVED && t->passive && (seg->flags & SYNACK_TCP_SYN) &&
        !(seg->flags & (SYNACK_TCP_ACK | SYNACK_TCP_RST)) && seg->seq == tcb_irs(t)) {
        /* The peer resent its SYN: our SYN-ACK was lost. Resend it. */
        trace_seg(s, SYNACK_TRACE_SEG_IN, t, seg, 0);
        t->snd_nxt = t->iss;
        tcp_output(s, t);
        return 0;
    }
    inseg in = { seg, payload, seg->seq, seg->len, 0, 0, placed, seg->seq };
    typedef verdict (*step_fn)(synack_stack *, tcb *, inseg *);
    static const step_fn steps[] = {
        check_sequence, check_rst, check_syn, check_ack, check_urg, process_text, process_fin,
    };
    /* Whether this segment's output may wait for the end of an input
     * batch: what it looked like on arrival (see batch_may_wait). */
    int steady = s->in_batch && t->state == SYNACK_ESTABLISHED && seg->seq == t->rcv_nxt &&
                 !reass_pending(t) && (seg->len ? 1 : seq_gt(seg->ack, t->snd_una));
    verdict v = V_CONTINUE;
    if (predicted_data(s, t, seg))
        v = process_text(s, t, &in);    /* process_fin: no FIN here */
    else
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && v == V_CONTINUE; i++)
            v = steps[i](s, t, &in);
    if (v != V_GONE) {
        if (!(steady && batch_may_wait(t, &in, v) && batch_defer(s, t)))
            tcp_output(s, t);
        /* Nobody holds this connection any more: keep its TIME-WAIT in a
         * compact entry instead of the whole TCB. */
        if (t->state == SYNACK_TIME_WAIT && t->handle < 0)
            tw_adopt(s, t);
    }
    return 0;
}

static int dispatch(synack_stack *s, tcb *t, synack_segment *seg, const uint8_t *payload,
                    uint32_t placed)
{
    uint8_t f = seg->flags;
    if ((f & SYNACK_TCP_SYN) && (f & (SYNACK_TCP_RST | SYNACK_TCP_FIN))) {
        stack_drop(s, SYNACK_DROP_TCP_BAD_FLAGS, NULL, seg);
        return 1;
    }
    uint32_t min_iss = 0;
    int reopen = t && time_wait_reopen(s, t, seg, &min_iss);
    if (reopen)
        t = NULL;
    if (!t && !reopen) {
        tw_entry *w = tw_lookup(s, seg->saddr, seg->sport, seg->dport);
        if (w) {
            int r = tw_input(s, w, seg, &min_iss);
            if (r >= 0)
                return r;
            reopen = 1;
        }
    }
    if (!t) {
        int lh;
        sock *l = sock_find_listener(s, seg->dport, &lh);
        if (l)
            return listen_input(s, l, lh, seg, payload, reopen, min_iss);
        return closed_input(s, seg);
    }
    if (t->state == SYNACK_SYN_SENT)
        return syn_sent_input(s, t, seg);
    return synced_input(s, t, seg, payload, placed);
}

/* Whether a segment's payload can be copied to the end of the receive
 * ring before it is processed: it is the next data in order for a
 * connection that takes data (RFC 9293 3.10.7.4, seventh step), the bytes
 * fit, and nothing is held out of order (the space past the end of the
 * queue holds no bytes worth keeping). If the segment is dropped later
 * the placed bytes are just never committed. */
static int receive_fast_ok(const tcb *t, const synack_segment *seg)
{
    return (t->state == SYNACK_ESTABLISHED || t->state == SYNACK_FIN_WAIT_1 ||
            t->state == SYNACK_FIN_WAIT_2) &&
           !(seg->flags & (SYNACK_TCP_SYN | SYNACK_TCP_RST)) && seg->seq == t->rcv_nxt &&
           !t->rd_closed && seg->len <= ring_free_space(&t->rcvq) && !reass_pending(t);
}

/* Finishes the checksum (RFC 9293 3.1) over the payload, copying it to the
 * end of t's receive ring in the same pass when receive_fast_ok allows:
 * *placed gets the bytes placed. 1 if the checksum is right. */
static int checksum_ok(synack_stack *s, tcb *t, const synack_segment *seg,
                       const uint8_t *payload, uint32_t sum, uint32_t *placed)
{
    *placed = 0;
    if (t && seg->len && receive_fast_ok(t, seg) &&
        ring_write_at_csum(&t->rcvq, t->rcvq.len, payload, seg->len, &sum, stack_ring_alloc,
                           stack_ring_free, s) == 0)
        *placed = seg->len;
    else if (seg->len)
        sum = wire_csum_add(sum, payload, seg->len);
    if (wire_csum_fold(sum) == 0)
        return 1;
    *placed = 0;
    return 0;
}

int tcp_input(synack_stack *s, synack_segment *seg, const uint8_t *payload,
              const uint32_t *hdr_sum)
{
    uint64_t before = s->ndrops;
    tcb *t = tcb_lookup(s, seg->saddr, seg->sport, seg->dport);
    uint32_t placed = 0;
    if (hdr_sum && !checksum_ok(s, t, seg, payload, *hdr_sum, &placed)) {
        /* Reported as the decoder reports it: nothing of it is trusted. */
        stack_drop(s, SYNACK_DROP_TCP_CHECKSUM, NULL, NULL);
        return 1;
    }
    s->stats.tcp_in++;
    dispatch(s, t, seg, payload, placed);
    return s->ndrops != before;
}
