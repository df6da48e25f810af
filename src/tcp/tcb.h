/* tcb.h — the transmission control block: one TCP connection's record
 * (RFC 9293 section 3.3.1), and the engine's internal entry points.
 *
 * A TCB lives from the SYN it sends or receives until CLOSED; it may
 * outlive its socket handle (FIN-WAIT, TIME-WAIT after close). It is freed
 * exactly once, by tcb_release, when it is CLOSED and no handle refers to
 * it. */
#ifndef SYNACK_TCB_H
#define SYNACK_TCB_H

#include <stdint.h>

#include "base/heap.h"
#include "base/ring.h"
#include "base/seq.h"
#include "synack.h"

typedef struct synack_stack synack_stack;

#define TCB_OOO_MAX 8       /* out-of-order ranges kept (RFC 2018 needs 3-4) */
#define TCB_SB_MAX 8        /* SACKed ranges remembered per connection */

/* Out-of-order and SACK bookkeeping. Allocated only while a connection
 * has either, so idle connections do not pay for it. */
typedef struct tcb_sack {
    /* Receiver: ranges [start, end) held above RCV.NXT (their bytes sit in
     * the receive ring at their offsets), most recently changed first —
     * the order RFC 2018 section 4 asks SACK blocks to be reported in. */
    uint32_t ooo[TCB_OOO_MAX][2];
    uint8_t  nooo;
    /* Sender (RFC 6675 scoreboard): ranges the peer SACKed, ascending,
     * disjoint, all above SND.UNA. */
    uint8_t  nsacked;
    uint32_t sacked[TCB_SB_MAX][2];
} tcb_sack;

/* Congestion-control state shared by the modules (tcp_cc.h). */
typedef struct tcb_cc {
    uint32_t cwnd, ssthresh;    /* bytes */
    uint32_t bytes_acked;       /* congestion avoidance accumulator */
    /* CUBIC (RFC 9438) */
    uint32_t w_max;             /* bytes, before the last reduction */
    uint32_t w_last_max;        /* for fast convergence */
    uint32_t cubic_k_ms;        /* time to reach w_max again */
    synack_time epoch;          /* start of this congestion avoidance epoch,
                                   SYNACK_TIME_NEVER when none */
    uint32_t w_est;             /* Reno-friendly estimate, bytes */
    uint32_t origin;            /* cwnd at the start of the epoch */
} tcb_cc;

/* State a connection needs only once data flows or an option is set:
 * congestion control, loss recovery, urgent data, the socket options
 * behind keepalive and linger, and the timers that serve them. NULL in
 * the TCB until first needed (tcb_ext_get), freed with the TCB, so an
 * idle connection does not pay for it. Readers of a NULL extension see
 * the values tcb_ext_get would start it with. */
typedef struct tcb_ext {
    tcb_cc   cc;
    /* Timers kept here (see tcb_timer_at): absolute deadlines,
     * SYNACK_TIME_NEVER when off. */
    synack_time t_delack, t_persist, t_keepalive, t_linger, t_tlp;
    synack_time last_send;      /* when data was last sent, 0 = never
                                   (the restart window, RFC 5681 4.1) */
    uint32_t recover;           /* RecoveryPoint: SND.MAX at entry */
    uint32_t high_rxt;          /* next hole byte to retransmit */
    uint32_t rxt_mark;          /* SND.MAX when a hole was last resent: data
                                   above it left after every resend */
    /* Undoing a spurious recovery (RFC 3708): the congestion state before
     * the reduction, the range [undo_lo, undo_hi) the episode resent in,
     * and how many resent bytes no D-SACK has reported yet. Valid while
     * undo_armed. */
    tcb_cc   undo_cc;
    uint32_t undo_lo, undo_hi, undo_bytes;
    uint32_t dsack_l, dsack_r;  /* duplicate to report (if dsack_pending) */
    /* Proportional rate reduction in SACK recovery (RFC 6937): bytes the
     * peer reported delivered and bytes sent since recovery began, and
     * FlightSize when it began. */
    uint32_t prr_delivered, prr_out, recover_fs;
    /* The largest FlightSize since that data left (peak_seq: SND.MAX
     * then): whether the sender used its cwnd (tcp_cc.c:cwnd_limited). */
    uint32_t flight_peak, peak_seq;
    uint32_t tlp_armed_max;     /* SND.MAX when the probe timer was set */
    uint32_t rcv_unacked;       /* bytes received since our last ACK */
    uint32_t rcv_up;            /* end of urgent data (valid if urg_rcvd) */
    uint32_t snd_up;            /* end of urgent data to send (if urg_snd) */
    uint32_t oow_ack_ms;        /* last ACK to an unacceptable pure ACK */
    int      soft_error;        /* last soft ICMP error (RFC 1122 4.2.3.9) */
    int      linger;            /* -1 off, else seconds */
    uint16_t keepidle, keepintvl, keepcnt;   /* seconds, seconds, count
                                                (setsockopt caps at 32767) */
    uint16_t keep_probes;
    uint16_t mss_cap;           /* TCP_MAXSEG, 0 = none */
    uint8_t  dupacks;
    uint8_t  retries_max;       /* SYNACK_TCP_RETRIES, 0 = the stack's */
    unsigned in_recovery:1;     /* fast recovery in progress */
    unsigned undo_armed:1;      /* the last recovery may still be undone */
    unsigned dsack_pending:1;   /* the next ACK reports [dsack_l, dsack_r) */
    unsigned after_rto:1;       /* the last reduction was a timeout: the next
                                   CUBIC epoch starts with K = 0 (RFC 9438
                                   4.8) */
    unsigned tlp_out:1;         /* a tail loss probe awaits its ACK */
    unsigned urg_rcvd:1, urg_snd:1;
} tcb_ext;

/* What the core retransmission slot (tcb.t_rx) is timing. FIN-WAIT-2 and
 * TIME-WAIT are entered only once our FIN is acknowledged, when nothing
 * is left to retransmit, so the three never run together (as in BSD's and
 * Linux's shared retransmit/2MSL slots). */
enum { TCB_RX_RETRANSMIT, TCB_RX_FIN_WAIT_2, TCB_RX_TIME_WAIT };

/* The connection record. Only what every connection needs while idle
 * lives here (<= 256 bytes, tests/unit/test_tcb_size.c); the rest is in
 * tcb_ext. Fields touched on every segment stay here. */
typedef struct tcb {
    struct tcb *hnext;          /* connection hash chain */
    struct tcb *qnext;          /* listener's accept queue link */
    tcb_sack *sb;               /* NULL unless out-of-order or SACK data */
    tcb_ext  *ext;              /* NULL until data flows or an option needs it */
    ring     sndq;              /* unacknowledged + unsent bytes */
    ring     rcvq;              /* in-order bytes not yet read by the app */
    heap_node hn;               /* at or before the earliest timer (lazy:
                                   tcp_timer.c), in the stack's heap */
    uint32_t id;                /* conn_id in trace events, never reused */
    uint32_t rtt_seq;           /* sequence number being timed */

    /* The retransmission timer slot, shared (t_rx_kind says which). */
    synack_time t_rx;

    /* Retransmission (RFC 6298). */
    synack_time srtt, rttvar, rto;
    synack_time rtt_start;
    synack_time last_rx;        /* last acceptable segment (keepalive idle) */

    int handle;                 /* socket handle, -1 once the app closed it */
    int listener;               /* listener handle while half-open or not
                                   yet accepted (passive open), else -1 */

    /* 4-tuple (our address is the stack's, cfg.addr). */
    uint32_t raddr;
    uint16_t lport, rport;

    uint16_t mss;               /* our send MSS (peer's MSS option, capped) */
    uint16_t adv_mss;           /* the MSS we advertised */

    /* Send sequence space (RFC 9293 3.3.1). Invariant:
     * snd_una <= snd_nxt <= snd_max. snd_max is the highest sequence
     * number ever sent; after an RTO snd_nxt goes back to snd_una. */
    uint32_t iss, snd_una, snd_nxt, snd_max;
    uint32_t snd_wnd;           /* peer's window, already scaled */
    uint32_t snd_wl1, snd_wl2;  /* seq/ack of the last window update */
    uint32_t max_snd_wnd;       /* largest window the peer offered */
    uint32_t snd_buf_seq;       /* sequence number of sndq's first byte */

    /* Receive sequence space. rcv_adv is the right edge we advertised;
     * it never moves left (RFC 9293 3.8.6.2.2). IRS is not kept: it is
     * only needed in SYN-RECEIVED, where RCV.NXT = IRS + 1 (tcb_irs). */
    uint32_t rcv_nxt, rcv_adv;

    uint32_t ts_recent;         /* RFC 7323: last TSval to echo */
    uint32_t ts_recent_at;      /* when ts_recent was taken, in seconds of
                                   stack time (PAWS 24-day age) */
    uint32_t last_ack_sent;     /* RCV.NXT in our last ACK (RFC 7323 4.3) */

    uint16_t retries;           /* consecutive RTO expiries (saturating) */
    int16_t  error;             /* pending SYNACK_E* for the app */
    uint8_t  state;             /* synack_state */
    uint8_t  cc_algo;           /* SYNACK_CC_* */
    uint8_t  snd_wscale, rcv_wscale;

    unsigned cookie:6;          /* 1 + option bits: a stateless SYN-ACK
                                   (TSval carries them), 0 otherwise */
    unsigned in_table:1;        /* linked in the connection hash */
    unsigned passive:1;         /* created by a SYN to a listener */
    unsigned in_acceptq:1;      /* on the listener's accept queue */
    unsigned ws_ok:1, ts_ok:1, sack_ok:1;
    unsigned quickack:1;        /* acknowledge every segment at once */
    unsigned nodelay:1;         /* TCP_NODELAY */
    unsigned keepalive:1;       /* SO_KEEPALIVE (parameters in ext) */
    unsigned fin_queued:1;      /* app shut down the write side */
    unsigned fin_sent:1;        /* FIN has been sent at least once */
    unsigned fin_rcvd:1;        /* peer's FIN consumed (EOF after rcvq) */
    unsigned rd_closed:1;       /* app closed: data arriving now is lost */
    unsigned ack_now:1;         /* send an ACK at the next output */
    unsigned force_one:1;       /* next output may send 1 byte into a zero
                                   window (probe) */
    unsigned rtt_valid:1;       /* srtt/rttvar hold a measurement */
    unsigned rtt_timing:1;      /* measuring rtt_seq (Karn's rule) */
    unsigned t_rx_kind:2;       /* TCB_RX_* */
    /* Sequence space (SYN, FIN) acknowledged in slow start before the
     * extension existed: cwnd grew by it (cc_on_ack), so tcb_ext_get
     * starts cwnd that much above the initial window. */
    unsigned pre_acked:2;
    unsigned hn_early:1;        /* hn.key may be before the earliest timer */
    unsigned syn_lost:1;        /* our SYN or SYN-ACK was retransmitted: the
                                   initial window is one segment (RFC 5681
                                   3.1, RFC 6928 2) */
} tcb;

/* Sequence number of our FIN once queued: it follows all queued data,
 * and nothing is queued after it (sndq's bytes leave only as
 * snd_buf_seq moves past them). */
static inline uint32_t tcb_fin_seq(const tcb *t) { return t->snd_buf_seq + t->sndq.len; }

/* IRS, valid in SYN-RECEIVED (no data is taken before ESTABLISHED). */
static inline uint32_t tcb_irs(const tcb *t) { return t->rcv_nxt - 1; }

/* Defaults of the extension, as seen through a NULL one. */
#define TCB_KEEPIDLE_DEFAULT 7200   /* RFC 1122 4.2.3.6: at least two hours */
#define TCB_KEEPINTVL_DEFAULT 75
#define TCB_KEEPCNT_DEFAULT 9

static inline int tcb_soft_error(const tcb *t) { return t->ext ? t->ext->soft_error : 0; }
/* Stops every timer kept in the extension. */
static inline void tcb_ext_timers_never(tcb_ext *x)
{
    x->t_delack = x->t_persist = x->t_keepalive = x->t_linger = x->t_tlp = SYNACK_TIME_NEVER;
}
/* RFC 1122 4.2.3.5: R1, the timeouts of one segment after which the
 * application hears of the trouble (SHLD-10: at least 3). */
#define TCB_R1 3u
/* R2 for t in its state: the timeouts of one segment before it fails
 * (cfg.syn/synack/data_retries, or SYNACK_TCP_RETRIES for a connection
 * the application holds). */
uint32_t tcb_retry_limit(const synack_stack *s, const tcb *t);
/* SYNACK_EV_TROUBLE: R1 reached, or a soft ICMP error, without progress. */
static inline int tcb_troubled(const tcb *t) { return t->retries >= TCB_R1 || tcb_soft_error(t); }
static inline int tcb_linger(const tcb *t) { return t->ext ? t->ext->linger : -1; }
static inline int tcb_in_recovery(const tcb *t) { return t->ext && t->ext->in_recovery; }

/* ---- tcp_conn.c: records, lookup, state ---- */
tcb *tcb_new(synack_stack *s, uint32_t raddr, uint16_t lport, uint16_t rport);
void tcb_hash_insert(synack_stack *s, tcb *t);
void tcb_hash_remove(synack_stack *s, tcb *t);
tcb *tcb_lookup(const synack_stack *s, uint32_t raddr, uint16_t rport, uint16_t lport);
void tcb_set_state(synack_stack *s, tcb *t, synack_state st, const char *cause);
/* Enters CLOSED: unhashes, stops timers, reports err (0 = none) to the app,
 * and frees the record if no handle holds it. */
void tcb_close(synack_stack *s, tcb *t, int err, const char *cause);
void tcb_release(synack_stack *s, tcb *t);
/* A passive half-open record gives up (RST, new SYN, SYN-ACK retries):
 * traced as SYN-RECEIVED -> LISTEN, then freed. */
void tcb_back_to_listen(synack_stack *s, tcb *t, const char *cause);
uint32_t tcb_isn(synack_stack *s, uint32_t raddr, uint16_t lport, uint16_t rport);
/* Starts the send sequence space at iss, our SYN not yet sent: SND.UNA =
 * SND.NXT = SND.MAX = ISS, the send queue's first byte at ISS + 1, and
 * NewReno's recover = ISS (RFC 6582 3.2 step 1). */
void tcb_set_iss(tcb *t, uint32_t iss);
/* The receive window to offer now (inline: every segment sent asks). */
static inline uint32_t tcb_rcv_wnd(const tcb *t)
{
    uint32_t avail = ring_free_space(&t->rcvq);
    uint32_t offered = seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    /* Receiver SWS avoidance (RFC 9293 3.8.6.2.2): move the right edge
     * only by at least min(buffer/2, MSS); never shrink it. */
    uint32_t step = t->rcvq.cap / 2 < t->adv_mss ? t->rcvq.cap / 2 : t->adv_mss;
    if (avail <= offered || avail - offered < step)
        return offered;
    return avail;
}
/* Inline, as the other one-line tests here: several run on every
 * segment, and a call cost more than the test. */
static inline int tcb_synchronized(const tcb *t) { return t->state >= SYNACK_ESTABLISHED; }

/* The extension, allocated and initialised on first use; NULL if there
 * is no memory (the caller degrades or reports SYNACK_ENOMEM). */
tcb_ext *tcb_ext_get(synack_stack *s, tcb *t);

/* ---- tcp_timer.c ---- */
/* Where a timer's deadline is kept: the core slot t_rx when it is that
 * timer's turn, else the extension. NULL when it is not held (off). */
static inline synack_time *tcb_timer_slot(tcb *t, synack_timer which)
{
    tcb_ext *x = t->ext;
    switch (which) {
    case SYNACK_TIMER_RETRANSMIT:
        return t->t_rx_kind == TCB_RX_RETRANSMIT ? &t->t_rx : NULL;
    case SYNACK_TIMER_TIME_WAIT:
        return t->t_rx_kind == TCB_RX_TIME_WAIT ? &t->t_rx : NULL;
    case SYNACK_TIMER_FIN_WAIT_2:
        return t->t_rx_kind == TCB_RX_FIN_WAIT_2 ? &t->t_rx : NULL;
    case SYNACK_TIMER_DELACK:
        return x ? &x->t_delack : NULL;
    case SYNACK_TIMER_PERSIST:
        return x ? &x->t_persist : NULL;
    case SYNACK_TIMER_KEEPALIVE:
        return x ? &x->t_keepalive : NULL;
    case SYNACK_TIMER_LINGER:
        return x ? &x->t_linger : NULL;
    case SYNACK_TIMER_TLP:
        return x ? &x->t_tlp : NULL;
    case SYNACK_TIMER_COUNT:
        break;
    }
    return NULL;
}

/* A timer's deadline, SYNACK_TIME_NEVER when off. */
static inline synack_time tcb_timer_at(const tcb *t, synack_timer which)
{
    const synack_time *p = tcb_timer_slot((tcb *)t, which);
    return p ? *p : SYNACK_TIME_NEVER;
}

/* Stops a timer. The heap entry stays where it is (lazy heap, see
 * tcp_timer.c), marked as possibly early. */
static inline void tcb_timer_stop(synack_stack *s, tcb *t, synack_timer which)
{
    (void)s;
    synack_time *p = tcb_timer_slot(t, which);
    if (p && *p != SYNACK_TIME_NEVER) {
        *p = SYNACK_TIME_NEVER;
        t->hn_early = 1;
    }
}

/* Stops every timer (the connection is closing or entering TIME-WAIT
 * except keep, SYNACK_TIMER_COUNT for none); the heap is not touched. */
void tcb_timers_clear(tcb *t, synack_timer keep);
/* The earliest deadline of the stack's connections, exact: heap entries
 * left early by a deadline that moved later are put right first. */
synack_time tcb_timers_next(synack_stack *s);
void tcb_timer_set(synack_stack *s, tcb *t, synack_timer which, synack_time when);
void tcb_timers_fire(synack_stack *s, tcb *t);
void tcb_rtt_sample(synack_stack *s, tcb *t, synack_time rtt);
void tcb_rexmt_arm(synack_stack *s, tcb *t);
void tcb_keepalive_reset(synack_stack *s, tcb *t);

/* ---- tcp_output.c ---- */
/* Sends whatever the connection's state calls for: SYN/SYN-ACK, data the
 * window allows, FIN, or a pending ACK. */
void tcp_output(synack_stack *s, tcb *t);
/* A bare ACK <SEQ=SND.NXT><ACK=RCV.NXT> right now. */
void tcp_send_ack(synack_stack *s, tcb *t);
/* RST for a connection we abort (RFC 9293 3.10.5). */
void tcp_send_rst_for(synack_stack *s, tcb *t);
/* Sends a segment built without a TCB (addresses, ports, seq, ack,
 * flags, window and options filled in), traced with conn_id. */
void tcp_send_raw(synack_stack *s, synack_segment *seg, uint32_t conn_id);
/* RST in reply to a segment that has no connection (RFC 9293 3.10.7.1). */
void tcp_send_rst_reply(synack_stack *s, const synack_segment *seg);
/* Tail loss probe (RFC 8985 7.3): one new segment if the peer's window
 * allows, else the last segment sent again. */
void tcp_send_tlp(synack_stack *s, tcb *t);
/* The SYN-ACK of a stateless (SYN cookie) reply, from a temporary TCB. */
void tcp_send_synack_stateless(synack_stack *s, tcb *tmp);
/* A keepalive or zero-window probe. */
void tcp_send_probe(synack_stack *s, tcb *t, int with_byte);
/* Retransmits up to one segment of data starting at seq (not moving
 * SND.NXT); returns the sequence space sent. */
uint32_t tcp_retransmit_at(synack_stack *s, tcb *t, uint32_t seq, uint32_t max_len);

/* ---- tcp_reass.c: receiver out-of-order queue (RFC 2018 reporting) ---- */
tcb_sack *tcb_sack_get(synack_stack *s, tcb *t);
void tcb_sack_maybe_free(synack_stack *s, tcb *t);
/* Keeps len bytes at seq (> RCV.NXT, inside the window). 0, or -1 when it
 * could not (range table full, no memory): the sender will resend. */
int reass_store(synack_stack *s, tcb *t, uint32_t seq, const uint8_t *data, uint32_t len);
/* After RCV.NXT moved: commits ranges that became contiguous; returns
 * the bytes gained. */
uint32_t reass_advance(synack_stack *s, tcb *t);
/* Whether data is held out of order (inline: tested on every segment). */
static inline int reass_pending(const tcb *t) { return t->sb && t->sb->nooo > 0; }
/* Fills o->sack with up to max blocks: a pending D-SACK first, then the
 * out-of-order ranges, most recent first. */
void reass_sack_blocks(const tcb *t, synack_tcp_opts *o, int max);
/* Bytes [l, r) arrived again: the next ACK reports them (RFC 2883). */
void reass_note_duplicate(synack_stack *s, tcb *t, uint32_t l, uint32_t r);
/* SACK blocks the next ACK will carry (0 without SACK). */
int reass_block_count(const tcb *t);

/* ---- tcp_sack.c: sender scoreboard (RFC 6675) ---- */
/* Records the SACK blocks of an arriving ACK; 1 if they told us news. */
int sack_update(synack_stack *s, tcb *t, const synack_tcp_opts *o);
void sack_acked(synack_stack *s, tcb *t);       /* after SND.UNA moved */
void sack_clear(synack_stack *s, tcb *t);
uint32_t sack_bytes(const tcb *t);
uint32_t sack_bytes_above(const tcb *t, uint32_t from);   /* SACKed at or above from */
uint32_t sack_high(const tcb *t);               /* HighACK..HighSACK end */
/* First hole [start, end) at or above from and below the highest SACKed
 * byte; 0 if none. */
int sack_next_hole(const tcb *t, uint32_t from, uint32_t *start, uint32_t *end);
uint32_t sack_hole_bytes(const tcb *t, uint32_t lo, uint32_t hi);
/* RFC 6675 4 SetPipe, as this sender keeps it: the bytes above the highest
 * SACKed byte plus the holes below it already resent (below high_rxt). */
uint32_t sack_pipe(const tcb *t, uint32_t high_rxt);

/* ---- tcp_recovery.c: fast retransmit / fast recovery ---- */
/* An ACK was processed: acked = bytes newly acknowledged (0 for a
 * duplicate), delivered = acked plus the bytes it newly SACKed (RFC 6937
 * DeliveredData), dup = it is a duplicate ACK (RFC 5681 section 2),
 * sack_news = its SACK blocks added information. */
void recovery_on_ack(synack_stack *s, tcb *t, uint32_t acked, uint32_t delivered, int dup,
                     int sack_news);
/* The retransmission timer expired: leave recovery, forget SACK state. */
void recovery_on_rto(synack_stack *s, tcb *t);
/* SACK recovery resent [seq, seq + span) / sent span new bytes. */
void recovery_resent(tcb *t, uint32_t seq, uint32_t span);
void recovery_sent_new(tcb *t, uint32_t span);
/* An ACK's SACK blocks, before recovery_on_ack: a D-SACK (RFC 2883) for
 * bytes the last recovery resent may show that recovery was spurious. */
void recovery_on_dsack(synack_stack *s, tcb *t, const synack_tcp_opts *o, uint32_t ack);

/* ---- tcp_input.c ---- */
/* Processes one decoded segment (RFC 9293 3.10.7). hdr_sum, unless NULL,
 * is the checksum's running sum up to the payload (wire_tcp_decode_deferred):
 * the payload's part is checked here first, fused with its copy into the
 * receive ring when the segment is the next in order. Returns 0 if it was
 * accepted, 1 if it was dropped (and counted). */
int tcp_input(synack_stack *s, synack_segment *seg, const uint8_t *payload,
              const uint32_t *hdr_sum);

/* ---- tcp_user.c: RFC 9293 3.10.1-3.10.6 user calls on a TCB ---- */
int  tcp_user_connect(synack_stack *s, tcb *t);
long tcp_user_send(synack_stack *s, tcb *t, const void *buf, size_t len, int urgent);
/* Bytes to read until the end of the urgent data, 0 if none is pending. */
long tcp_urgent_pending(const tcb *t);
long tcp_user_recv(synack_stack *s, tcb *t, void *buf, size_t len);
/* Zero-copy SEND (synack_send_reserve / synack_send_commit): room at the
 * end of the send queue, then queueing n bytes written there; the same
 * state rule and answers as tcp_user_send. */
long tcp_user_send_reserve(synack_stack *s, tcb *t, size_t want, void **buf);
long tcp_user_send_commit(synack_stack *s, tcb *t, size_t n);
/* Zero-copy RECEIVE: the next contiguous unread bytes (synack_recv_peek),
 * and dropping n <= rcvq.len read bytes with the trim and window update
 * every read makes (tcp_user_recv ends with it too). */
long tcp_user_recv_peek(const tcb *t, const void **data);
void tcp_user_consume(synack_stack *s, tcb *t, uint32_t n);
int  tcp_user_shutdown(synack_stack *s, tcb *t);
void tcp_user_close(synack_stack *s, tcb *t);
void tcp_user_abort(synack_stack *s, tcb *t);

#endif
