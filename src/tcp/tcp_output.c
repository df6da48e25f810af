/* tcp_output.c — what the connection sends and why: SYN / SYN-ACK, data
 * the peer's window and Nagle allow, FIN after the data, pending ACKs,
 * probes and resets. Segments are built straight into the stack's
 * transmit buffer: IPv4 header, TCP header + options, payload copied once
 * from the send queue. */
#include "stack_impl.h"

#include <string.h>

#include "base/seq.h"
#include "tcp/tcp_cc.h"
#include "wire/wire.h"


static void seg_init(synack_segment *seg, const synack_stack *s, const tcb *t)
{
    memset(seg, 0, sizeof(*seg));
    seg->saddr = s->cfg.addr;
    seg->daddr = t->raddr;
    seg->sport = t->lport;
    seg->dport = t->rport;
}

/* Window to put in a segment's header and the right edge it advertises.
 * SYN segments are never scaled (RFC 7323 2.2). */
static uint16_t window_field(tcb *t, int syn)
{
    uint32_t w = tcb_rcv_wnd(t);
    uint8_t shift = syn ? 0 : t->rcv_wscale;
    uint32_t f = w >> shift;
    if (f > 65535)
        f = 65535;
    uint32_t edge = t->rcv_nxt + (f << shift);
    if (seq_gt(edge, t->rcv_adv))
        t->rcv_adv = edge;
    return (uint16_t)f;
}

/* Bytes of SACK option our ACK-bearing segments carry now: a data
 * segment must leave room for them within the MSS. */
static uint32_t sack_room(const tcb *t)
{
    int n = reass_block_count(t);
    return n ? 4u + 8u * (uint32_t)n : 0;
}

/* Builds and sends one segment of t. Payload: len bytes of the send
 * queue starting at sequence number seg->seq (+1 if SYN). */
static void emit(synack_stack *s, tcb *t, synack_segment *seg, uint32_t len)
{
    uint8_t syn = seg->flags & SYNACK_TCP_SYN;
    if (seg->flags & SYNACK_TCP_ACK)
        seg->ack = t->rcv_nxt;
    if (!(seg->flags & SYNACK_TCP_RST))
        seg->wnd = window_field(t, syn);
    if (syn) {
        seg->opts.has_mss = 1;
        seg->opts.mss = t->adv_mss;
        /* In a SYN-ACK offer only what the peer offered (RFC 7323 1.3). */
        int synack = seg->flags & SYNACK_TCP_ACK;
        if (s->cfg.wscale >= 0 && (!synack || t->ws_ok)) {
            seg->opts.has_wscale = 1;
            seg->opts.wscale = t->rcv_wscale;
        }
        if (s->cfg.sack && (!synack || t->sack_ok))
            seg->opts.sack_permitted = 1;
        if (s->cfg.timestamps && (!synack || t->ts_ok)) {
            seg->opts.has_ts = 1;
            seg->opts.tsval = tcp_ts_now(s);
            if (t->cookie) {
                /* SYN cookie: options ride in the TSval's low 5 bits. Never
                 * ahead of our clock: the peer takes it as TS.Recent, and
                 * our next segments would fail its PAWS test (RFC 7323
                 * 5.3) until the clock caught up. */
                uint32_t now = seg->opts.tsval;
                uint32_t v = (now & ~31u) | (uint32_t)(t->cookie - 1);
                seg->opts.tsval = seq_gt(v, now) ? v - 32u : v;
            }
            seg->opts.tsecr = synack ? t->ts_recent : 0;
        }
    } else if (!(seg->flags & SYNACK_TCP_RST)) {
        if (t->ts_ok) {
            seg->opts.has_ts = 1;
            seg->opts.tsval = tcp_ts_now(s);
            seg->opts.tsecr = t->ts_recent;
        }
        /* RFC 2018 4: report what we hold above RCV.NXT on every ACK,
         * after a duplicate's D-SACK (RFC 2883 4; nothing without either:
         * seg_init left nsack 0). */
        if ((seg->flags & SYNACK_TCP_ACK) && (t->sb || (t->ext && t->ext->dsack_pending)))
            reass_sack_blocks(t, &seg->opts, t->ts_ok ? 3 : 4);
    }
    const tcb_ext *x = t->ext;
    if (x && x->urg_snd && !(seg->flags & (SYNACK_TCP_RST | SYNACK_TCP_SYN)) &&
        seq_lt(seg->seq, x->snd_up)) {
        /* RFC 9293 3.8.5: URG with a pointer to the octet after the
         * urgent data, as an offset from this segment's SEQ (at most
         * 65535; later segments point closer). */
        uint32_t up = x->snd_up - seg->seq;
        seg->flags |= SYNACK_TCP_URG;
        seg->urg = (uint16_t)(up > 65535u ? 65535u : up);
    }
    seg->len = len;
    uint8_t *tcp = ip_tx_begin(s);
    /* Header and options first (their length places the payload), then
     * the payload, then the checksum over both. */
    size_t hl = wire_tcp_emit_hdr(tcp, seg);
    synack_tx_info info = { 0, 0, 0, 16 };
    /* A TSO super-segment: the device cuts pieces of gso_size bytes, each
     * with this header, so the SACK option's room comes off as well. */
    uint32_t piece = t->mss - sack_room(t);
    if (len > piece)
        info.gso_size = (uint16_t)piece;
    if (seg->opts.nsack && t->ext)
        t->ext->dsack_pending = 0;      /* reported once (RFC 2883 4) */
    if (s->cfg.csum_offload) {
        if (len)
            ring_peek(&t->sndq, seg->seq - t->snd_buf_seq, tcp + hl, len);
        wire_tcp_finish_partial(tcp, seg, hl);
        info.csum_partial = 1;
    } else {
        /* One pass over the payload: copied and summed together. */
        uint32_t psum = len ? ring_peek_csum(&t->sndq, seg->seq - t->snd_buf_seq, tcp + hl, len)
                            : 0;
        wire_tcp_finish_sum(tcp, seg, hl, psum);
    }
    int rexmit = !(seg->flags & SYNACK_TCP_RST) && (len || syn || (seg->flags & SYNACK_TCP_FIN)) &&
                 seq_lt(seg->seq, t->snd_max);
    s->stats.tcp_out++;
    if (rexmit)
        s->stats.tcp_retransmits++;
    if (seg->flags & SYNACK_TCP_RST)
        s->stats.tcp_rst_out++;
    trace_seg(s, SYNACK_TRACE_SEG_OUT, t, seg, rexmit);
    ip_output(s, t->raddr, WIRE_PROTO_TCP, hl + len, &info);
    if (seg->flags & SYNACK_TCP_ACK) {
        t->ack_now = 0;
        t->last_ack_sent = t->rcv_nxt;
        if (t->ext) {
            t->ext->rcv_unacked = 0;
            tcb_timer_stop(s, t, SYNACK_TIMER_DELACK);
        }
    }
}

/* Advances snd_nxt/snd_max over what was just sent and starts an RTT
 * measurement on new data (Karn's rule: never on a retransmission). */
static void sent(synack_stack *s, tcb *t, uint32_t seq, uint32_t span)
{
    if (span && t->ext)
        t->ext->last_send = s->now;     /* for the restart window */
    if (!t->rtt_timing && seq == t->snd_max && span) {
        t->rtt_timing = 1;
        t->rtt_seq = seq;
        t->rtt_start = s->now;
    }
    t->snd_nxt = seq + span;
    if (seq_gt(t->snd_nxt, t->snd_max))
        t->snd_max = t->snd_nxt;
    tcb_ext *x = t->ext;
    if (x && t->snd_max - t->snd_una > x->flight_peak) {
        x->flight_peak = t->snd_max - t->snd_una;
        x->peak_seq = t->snd_max;
    }
}

/* A segment with no payload: flags and SEQ given, the rest from t. */
static void send_ctl(synack_stack *s, tcb *t, uint8_t flags, uint32_t seq)
{
    synack_segment seg;
    seg_init(&seg, s, t);
    seg.flags = flags;
    seg.seq = seq;
    emit(s, t, &seg, 0);
}

static void send_syn(synack_stack *s, tcb *t, int with_ack)
{
    send_ctl(s, t, SYNACK_TCP_SYN | (with_ack ? SYNACK_TCP_ACK : 0), t->iss);
    sent(s, t, t->iss, 1);
}

/* RFC 9293 3.8.6.2.1 (sender SWS avoidance) with the Nagle algorithm
 * (RFC 9293 3.7.4 / RFC 896): is it worth sending n of avail bytes now? */
static int worth_sending(const tcb *t, uint32_t n, uint32_t avail, uint32_t mss)
{
    if (n >= mss)
        return 1;
    if (n == avail && (t->nodelay || t->snd_nxt == t->snd_una || t->fin_queued))
        return 1;
    if (t->max_snd_wnd && n >= t->max_snd_wnd / 2)
        return 1;
    return 0;
}

static int can_send_data(const tcb *t)
{
    switch (t->state) {
    case SYNACK_ESTABLISHED:
    case SYNACK_CLOSE_WAIT:
    case SYNACK_FIN_WAIT_1:
    case SYNACK_CLOSING:
    case SYNACK_LAST_ACK:
        return 1;
    default:
        return 0;
    }
}

/* Largest payload per datagram: the MSS less SACK option room, or with
 * TSO as many whole segments as fit in tso_max. */
static uint32_t seg_limit(const synack_stack *s, const tcb *t, uint32_t *eff_mss)
{
    uint32_t mss = t->mss - sack_room(t);
    *eff_mss = mss;
    if (s->cfg.tso_max > mss)
        return s->cfg.tso_max / mss * mss;
    return mss;
}

/* Sends n bytes of the send queue at seq, with PSH when they are the last
 * queued bytes and the FIN when it is due right after them. Returns the
 * sequence space used (n, +1 with FIN). */
static uint32_t send_data(synack_stack *s, tcb *t, uint32_t seq, uint32_t n, uint32_t data_end)
{
    /* Data lives in [snd_buf_seq, data_end): never read the ring outside
     * it, whatever state the sequence variables are in. */
    if (n && (seq_lt(seq, t->snd_buf_seq) || seq_gt(seq + n, data_end)))
        return 0;
    synack_segment seg;
    seg_init(&seg, s, t);
    seg.flags = SYNACK_TCP_ACK;
    seg.seq = seq;
    uint32_t span = n;
    if (seq + n == data_end) {
        if (n)
            seg.flags |= SYNACK_TCP_PSH;
        /* The FIN rides on the last data segment when it is due. */
        if (t->fin_queued && seq + n == tcb_fin_seq(t)) {
            seg.flags |= SYNACK_TCP_FIN;
            span++;
            t->fin_sent = 1;
        }
    }
    if (n == 0 && !(seg.flags & SYNACK_TCP_FIN))
        return 0;
    emit(s, t, &seg, n);
    return span;
}

uint32_t tcp_retransmit_at(synack_stack *s, tcb *t, uint32_t seq, uint32_t max_len)
{
    uint32_t data_end = t->snd_buf_seq + t->sndq.len;
    uint32_t eff;
    seg_limit(s, t, &eff);
    uint32_t n = seq_lt(seq, data_end) ? data_end - seq : 0;
    if (n > eff)
        n = eff;
    if (n > max_len)
        n = max_len;
    if (t->rtt_timing && seq_leq(seq, t->rtt_seq))
        t->rtt_timing = 0;      /* Karn: the timed segment was resent */
    uint32_t span = send_data(s, t, seq, n, data_end);
    if (span && seq_gt(seq + span, t->snd_max))
        t->snd_max = seq + span;
    return span;
}

/* SACK-based loss recovery (RFC 6675 section 5): while the estimated
 * bytes in flight (pipe) leave a segment of room in cwnd, retransmit the
 * next hole, else send new data. Holes below the highest SACKed byte are
 * taken as lost; pipe counts the bytes above it plus the holes already
 * resent. cwnd is set on each ACK by proportional rate reduction
 * (tcp_recovery.c:prr_update). */
static void sack_recovery_output(synack_stack *s, tcb *t, uint32_t data_end)
{
    tcb_ext *x = t->ext;        /* in recovery, so present */
    uint32_t eff;
    uint32_t lim = seg_limit(s, t, &eff);
    for (int guard = 0; guard < 4096; guard++) {
        uint32_t high = sack_high(t);
        if (seq_lt(x->high_rxt, t->snd_una))
            x->high_rxt = t->snd_una;
        if (sack_pipe(t, x->high_rxt) + eff > x->cc.cwnd)
            return;
        uint32_t a, b;
        if (sack_next_hole(t, x->high_rxt, &a, &b) && seq_lt(a, high)) {
            uint32_t span = tcp_retransmit_at(s, t, a, b - a);
            if (!span)
                return;
            recovery_resent(t, a, span);
            continue;
        }
        /* New data, within the peer's window. */
        uint32_t avail = seq_lt(t->snd_nxt, data_end) ? data_end - t->snd_nxt : 0;
        uint32_t wnd_end = t->snd_una + t->snd_wnd;
        uint32_t usable = seq_lt(t->snd_nxt, wnd_end) ? wnd_end - t->snd_nxt : 0;
        uint32_t n = avail < usable ? avail : usable;
        if (n > lim)
            n = lim;
        int fin_due = t->fin_queued && t->snd_nxt == tcb_fin_seq(t) && !avail;
        if (!n && !fin_due)
            return;
        uint32_t seq = t->snd_nxt;
        uint32_t span = send_data(s, t, seq, n, data_end);
        sent(s, t, seq, span);
        recovery_sent_new(t, span);
    }
}

void tcp_output(synack_stack *s, tcb *t)
{
    if (t->state == SYNACK_SYN_SENT || t->state == SYNACK_SYN_RECEIVED) {
        if (t->snd_nxt == t->iss) {
            send_syn(s, t, t->state == SYNACK_SYN_RECEIVED);
            tcb_rexmt_arm(s, t);
            return;
        }
        if (t->ack_now)
            tcp_send_ack(s, t);
        return;
    }
    if (t->snd_nxt == t->iss && t->snd_una == t->iss) {
        /* Our SYN was never acknowledged (closed in SYN-RECEIVED, RFC
         * 9293 3.10.4, and the peer moved on without acking it) and it
         * must go again: the SYN-ACK comes first, the FIN follows below. */
        send_syn(s, t, 1);
    }
    if (!can_send_data(t)) {
        if (t->ack_now && t->state != SYNACK_CLOSED)
            tcp_send_ack(s, t);
        return;
    }
    uint32_t data_end = t->snd_buf_seq + t->sndq.len;
    if (tcb_in_recovery(t) && t->sack_ok) {
        sack_recovery_output(s, t, data_end);
    } else {
        uint32_t eff;
        uint32_t lim = seg_limit(s, t, &eff);
        if (seq_lt(t->snd_nxt, data_end))
            cc_before_send(s, t);
        /* The usable window: the peer's window and the congestion window
         * (RFC 5681 section 3), whichever is smaller. */
        uint32_t wnd = t->snd_wnd;
        /* Without the extension no data was ever queued: nothing for
         * cwnd to limit (tcp_user_send creates it). */
        if (t->ext && t->ext->cc.cwnd < wnd)
            wnd = t->ext->cc.cwnd;
        int force = t->force_one;
        t->force_one = 0;
        for (;;) {
            uint32_t avail = seq_lt(t->snd_nxt, data_end) ? data_end - t->snd_nxt : 0;
            uint32_t wnd_end = t->snd_una + wnd;
            uint32_t usable = seq_lt(t->snd_nxt, wnd_end) ? wnd_end - t->snd_nxt : 0;
            int forced = force && avail;
            if (forced && usable == 0)
                usable = 1;     /* zero-window probe byte (RFC 9293 3.8.6.1) */
            force = 0;
            uint32_t n = avail < usable ? avail : usable;
            if (n > lim)
                n = lim;
            /* A probe or the SWS override timeout sends regardless of
             * the sender-SWS and Nagle tests (RFC 9293 3.8.6.2.1 (4)). */
            if (n == 0 || (!forced && !worth_sending(t, n, avail, eff)))
                break;
            uint32_t seq = t->snd_nxt;
            uint32_t span = send_data(s, t, seq, n, data_end);
            sent(s, t, seq, span);
            if (span > n)
                break;          /* the FIN went out */
        }
        if (t->fin_queued && t->snd_nxt == tcb_fin_seq(t)) {
            /* RFC 9293 3.10.4: the FIN follows all queued data. */
            uint32_t seq = t->snd_nxt;
            sent(s, t, seq, send_data(s, t, seq, 0, data_end));
        }
    }
    if (t->ack_now)
        tcp_send_ack(s, t);
    tcb_rexmt_arm(s, t);
    /* Persist: data waits and nothing is in flight — the window is shut,
     * or too small to be worth a segment — so no ACK will come to change
     * that unless we probe (RFC 9293 3.8.6.1) or the override timeout
     * sends what fits (3.8.6.2.1 (4)). */
    uint32_t unsent = seq_lt(t->snd_nxt, data_end) ? data_end - t->snd_nxt : 0;
    if (unsent && t->snd_una == t->snd_max && can_send_data(t)) {
        if (tcb_timer_at(t, SYNACK_TIMER_PERSIST) == SYNACK_TIME_NEVER)
            tcb_timer_set(s, t, SYNACK_TIMER_PERSIST, s->now + t->rto);
    } else {
        tcb_timer_stop(s, t, SYNACK_TIMER_PERSIST);
    }
}

void tcp_send_tlp(synack_stack *s, tcb *t)
{
    uint32_t data_end = t->snd_buf_seq + t->sndq.len;
    uint32_t eff;
    seg_limit(s, t, &eff);
    uint32_t avail = seq_lt(t->snd_nxt, data_end) ? data_end - t->snd_nxt : 0;
    uint32_t wnd_end = t->snd_una + t->snd_wnd;
    uint32_t usable = seq_lt(t->snd_nxt, wnd_end) ? wnd_end - t->snd_nxt : 0;
    uint32_t n = avail < usable ? avail : usable;
    if (n > eff)
        n = eff;
    if (n && t->snd_nxt == t->snd_max) {
        uint32_t seq = t->snd_nxt;
        sent(s, t, seq, send_data(s, t, seq, n, data_end));
        return;
    }
    /* Nothing new may go: resend the last segment, so its ACK (or SACK)
     * tells us about the tail (RFC 8985 7.3). A FIN outstanding at the
     * end goes with it (send_data adds it). */
    uint32_t sent_end = t->snd_max;
    if (t->fin_sent && sent_end == tcb_fin_seq(t) + 1)
        sent_end--;
    uint32_t back = sent_end - t->snd_una;
    if (back > eff)
        back = eff;
    tcp_retransmit_at(s, t, sent_end - back, back);
}

void tcp_send_synack_stateless(synack_stack *s, tcb *tmp)
{
    send_ctl(s, tmp, SYNACK_TCP_SYN | SYNACK_TCP_ACK, tmp->iss);
}

void tcp_send_ack(synack_stack *s, tcb *t)
{
    /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, except that after a timeout
     * has pulled SND.NXT back, SND.MAX is used (as BSD does): the peer may
     * already hold everything up to SND.MAX, and an ACK below its RCV.NXT
     * would be unacceptable and ignored, leaving both ends waiting. */
    send_ctl(s, t, SYNACK_TCP_ACK, t->snd_max);
}

void tcp_send_rst_for(synack_stack *s, tcb *t)
{
    /* RFC 9293 3.10.5 ABORT: <SEQ=SND.NXT><CTL=RST> (SND.MAX after a
     * timeout rolled SND.NXT back, for the reason given at tcp_send_ack:
     * the peer must find it exactly at its RCV.NXT, RFC 5961 3.2). */
    send_ctl(s, t, SYNACK_TCP_RST, t->snd_max);
}

void tcp_send_probe(synack_stack *s, tcb *t, int zero_window)
{
    if (zero_window) {
        t->force_one = 1;
        tcp_output(s, t);
        return;
    }
    /* RFC 1122 4.2.3.6 keepalive: <SEQ=SND.UNA-1><ACK=RCV.NXT>, no data;
     * the peer must answer with an ACK. */
    send_ctl(s, t, SYNACK_TCP_ACK, t->snd_una - 1);
}

void tcp_send_rst_reply(synack_stack *s, const synack_segment *in)
{
    /* RFC 9293 3.10.7.1: never answer a RST; otherwise
     *   ACK off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
     *   ACK on:  <SEQ=SEG.ACK><CTL=RST>
     * where SEG.LEN counts SYN and FIN. */
    if (in->flags & SYNACK_TCP_RST)
        return;
    synack_segment seg;
    memset(&seg, 0, sizeof(seg));
    seg.saddr = in->daddr;
    seg.daddr = in->saddr;
    seg.sport = in->dport;
    seg.dport = in->sport;
    if (in->flags & SYNACK_TCP_ACK) {
        seg.flags = SYNACK_TCP_RST;
        seg.seq = in->ack;
    } else {
        seg.flags = SYNACK_TCP_RST | SYNACK_TCP_ACK;
        seg.ack = in->seq + in->len + !!(in->flags & SYNACK_TCP_SYN) +
                  !!(in->flags & SYNACK_TCP_FIN);
    }
    tcp_send_raw(s, &seg, 0);
}

void tcp_send_raw(synack_stack *s, synack_segment *seg, uint32_t conn_id)
{
    uint8_t *tcp = ip_tx_begin(s);
    size_t hl = wire_tcp_emit(tcp, seg);
    s->stats.tcp_out++;
    if (seg->flags & SYNACK_TCP_RST)
        s->stats.tcp_rst_out++;
    trace_seg_id(s, SYNACK_TRACE_SEG_OUT, conn_id, seg);
    ip_output(s, seg->daddr, WIRE_PROTO_TCP, hl, NULL);
}
