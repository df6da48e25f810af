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

typedef struct tcb {
    uint32_t id;                /* conn_id in trace events, never reused */
    synack_state state;
    int handle;                 /* socket handle, -1 once the app closed it */
    int listener;               /* listener handle while half-open or not
                                   yet accepted (passive open), else -1 */
    struct tcb *hnext;          /* connection hash chain */
    struct tcb *qnext;          /* listener's accept queue link */
    uint8_t  in_table;          /* linked in the connection hash */
    uint8_t  passive;           /* created by a SYN to a listener */
    uint8_t  in_acceptq;        /* on the listener's accept queue */
    uint8_t  cookie;            /* 1 + option bits: a stateless SYN-ACK
                                   (TSval carries them), 0 otherwise */

    /* 4-tuple (our address is the stack's). */
    uint32_t laddr, raddr;
    uint16_t lport, rport;

    /* Send sequence space (RFC 9293 3.3.1). Invariant:
     * snd_una <= snd_nxt <= snd_max. snd_max is the highest sequence
     * number ever sent; after an RTO snd_nxt goes back to snd_una. */
    uint32_t iss, snd_una, snd_nxt, snd_max;
    uint32_t snd_wnd;           /* peer's window, already scaled */
    uint32_t snd_wl1, snd_wl2;  /* seq/ack of the last window update */
    uint32_t max_snd_wnd;       /* largest window the peer offered */
    uint32_t snd_buf_seq;       /* sequence number of sndq's first byte */
    ring     sndq;              /* unacknowledged + unsent bytes */

    /* Receive sequence space. rcv_adv is the right edge we advertised;
     * it never moves left (RFC 9293 3.8.6.2.2). */
    uint32_t irs, rcv_nxt, rcv_adv;
    uint32_t rcv_up;            /* end of urgent data (valid if urg_rcvd) */
    uint32_t snd_up;            /* end of urgent data to send (if urg_snd) */
    uint8_t  urg_rcvd, urg_snd;
    ring     rcvq;              /* in-order bytes not yet read by the app */

    uint16_t mss;               /* our send MSS (peer's MSS option, capped) */
    uint16_t adv_mss;           /* the MSS we advertised */
    uint16_t mss_cap;           /* TCP_MAXSEG, 0 = none */
    uint8_t  snd_wscale, rcv_wscale;
    uint8_t  ws_ok, ts_ok, sack_ok;
    uint32_t ts_recent;         /* RFC 7323: last TSval to echo */
    synack_time ts_recent_at;   /* when ts_recent was taken (PAWS age) */
    uint32_t last_ack_sent;     /* RCV.NXT in our last ACK (RFC 7323 4.3) */
    tcb_sack *sb;               /* NULL unless out-of-order or SACK data */

    /* Congestion control and loss recovery (RFC 5681, 6582, 6675). */
    uint8_t  cc_algo;           /* SYNACK_CC_* */
    uint8_t  in_recovery;       /* fast recovery in progress */
    uint8_t  dupacks;
    uint8_t  quickack;          /* acknowledge every segment at once */
    uint8_t  tlp_out;           /* a tail loss probe awaits its ACK */
    uint32_t tlp_armed_max;     /* SND.MAX when the probe timer was set */
    uint32_t oow_ack_ms;        /* last ACK to an unacceptable pure ACK */
    uint32_t recover;           /* RecoveryPoint: SND.MAX at entry */
    uint32_t high_rxt;          /* next hole byte to retransmit */
    tcb_cc   cc;

    /* Close bookkeeping. */
    uint8_t  fin_queued;        /* app shut down the write side */
    uint8_t  fin_sent;          /* FIN has been sent at least once */
    uint8_t  fin_rcvd;          /* peer's FIN consumed (EOF after rcvq) */
    uint8_t  rd_closed;         /* app closed: data arriving now is lost */
    uint32_t fin_seq;           /* sequence number of our FIN (if queued) */

    /* Output requests. */
    uint8_t  ack_now;           /* send an ACK at the next output */
    uint32_t rcv_unacked;       /* bytes received since our last ACK */
    uint8_t  nodelay;           /* TCP_NODELAY */
    uint8_t  force_one;         /* next output may send 1 byte into a zero
                                   window (probe) */

    /* Timers: absolute deadlines, SYNACK_TIME_NEVER when off. */
    synack_time t[SYNACK_TIMER_COUNT];
    heap_node hn;               /* earliest of t[], in the stack's heap */

    /* Retransmission (RFC 6298) and retries. */
    synack_time srtt, rttvar, rto;
    uint8_t  rtt_valid;         /* srtt/rttvar hold a measurement */
    uint8_t  rtt_timing;        /* measuring rtt_seq (Karn's rule) */
    uint32_t rtt_seq;
    synack_time rtt_start;
    uint32_t retries;           /* consecutive RTO expiries */

    /* Keepalive and linger. */
    uint8_t  keepalive;
    uint32_t keepidle, keepintvl, keepcnt;   /* seconds, seconds, count */
    uint32_t keep_probes;
    int      linger;            /* -1 off, else seconds */
    synack_time last_rx;

    int      error;             /* pending SYNACK_E* for the app */
    int      soft_error;        /* last soft ICMP error (RFC 1122 4.2.3.9) */
} tcb;

/* ---- tcp_conn.c: records, lookup, state ---- */
tcb *tcb_new(synack_stack *s, uint32_t raddr, uint16_t lport, uint16_t rport);
void tcb_hash_insert(synack_stack *s, tcb *t);
void tcb_hash_remove(synack_stack *s, tcb *t);
tcb *tcb_lookup(const synack_stack *s, uint32_t raddr, uint16_t rport, uint16_t lport);
/* Bucket of a 4-tuple in the connection (and TIME-WAIT) hash tables. */
uint32_t conn_bucket(const synack_stack *s, uint32_t raddr, uint16_t rport, uint16_t lport);
void tcb_set_state(synack_stack *s, tcb *t, synack_state st, const char *cause);
/* Enters CLOSED: unhashes, stops timers, reports err (0 = none) to the app,
 * and frees the record if no handle holds it. */
void tcb_close(synack_stack *s, tcb *t, int err, const char *cause);
void tcb_release(synack_stack *s, tcb *t);
/* A passive half-open record gives up (RST, new SYN, SYN-ACK retries):
 * traced as SYN-RECEIVED -> LISTEN, then freed. */
void tcb_back_to_listen(synack_stack *s, tcb *t, const char *cause);
uint32_t tcb_isn(synack_stack *s, uint32_t raddr, uint16_t lport, uint16_t rport);
uint32_t tcb_rcv_wnd(const tcb *t);
int tcb_synchronized(const tcb *t);

/* ---- tcp_timer.c ---- */
void tcb_timer_set(synack_stack *s, tcb *t, synack_timer which, synack_time when);
void tcb_timer_stop(synack_stack *s, tcb *t, synack_timer which);
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
int reass_pending(const tcb *t);
/* Fills o->sack with up to max blocks, most recent first. */
void reass_sack_blocks(const tcb *t, synack_tcp_opts *o, int max);

/* ---- tcp_sack.c: sender scoreboard (RFC 6675) ---- */
/* Records the SACK blocks of an arriving ACK; 1 if they told us news. */
int sack_update(synack_stack *s, tcb *t, const synack_tcp_opts *o);
void sack_acked(synack_stack *s, tcb *t);       /* after SND.UNA moved */
void sack_clear(synack_stack *s, tcb *t);
uint32_t sack_bytes(const tcb *t);
uint32_t sack_high(const tcb *t);               /* HighACK..HighSACK end */
/* First hole [start, end) at or above from and below the highest SACKed
 * byte; 0 if none. */
int sack_next_hole(const tcb *t, uint32_t from, uint32_t *start, uint32_t *end);
uint32_t sack_hole_bytes(const tcb *t, uint32_t lo, uint32_t hi);

/* ---- tcp_recovery.c: fast retransmit / fast recovery ---- */
/* An ACK was processed: acked = bytes newly acknowledged (0 for a
 * duplicate), dup = it is a duplicate ACK (RFC 5681 section 2), sack_news
 * = its SACK blocks added information. */
void recovery_on_ack(synack_stack *s, tcb *t, uint32_t acked, int dup, int sack_news);
/* The retransmission timer expired: leave recovery, forget SACK state. */
void recovery_on_rto(synack_stack *s, tcb *t);

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
int  tcp_user_shutdown(synack_stack *s, tcb *t);
void tcp_user_close(synack_stack *s, tcb *t);
void tcp_user_abort(synack_stack *s, tcb *t);

#endif
