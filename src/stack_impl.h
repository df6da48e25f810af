/* stack_impl.h — the stack object and socket table, shared by the core's
 * files. Not part of the public API.
 *
 * The stack owns everything: configuration, clock, randomness, counters,
 * sockets (handles), connection records (TCBs) with their hash table and
 * timer heap, the readiness queue and one transmit scratch buffer. */
#ifndef SYNACK_STACK_IMPL_H
#define SYNACK_STACK_IMPL_H

#include "base/heap.h"
#include "base/rng.h"
#include "synack.h"
#include "tcp/tcb.h"

/* A connection in TIME-WAIT that no socket holds any more: just what is
 * needed to acknowledge a retransmitted FIN, refuse old duplicates and
 * let a new incarnation in (tcp/tcp_timewait.c). 64 bytes instead of a
 * whole TCB. */
typedef struct tw_entry {
    struct tw_entry *hnext;     /* TIME-WAIT hash chain */
    struct tw_entry *fnext, *fprev;     /* expiry FIFO, oldest first */
    synack_time expires;
    uint32_t raddr;
    uint16_t rport, lport;
    uint32_t snd_nxt;           /* our SND.MAX: the seq of our ACKs */
    uint32_t rcv_nxt;           /* the peer's FIN + 1 */
    uint32_t ts_recent;         /* TSval to echo, if ts_ok */
    uint32_t id;                /* conn_id, for trace events */
    uint32_t oow_ack_ms;        /* see oow_ack_allowed */
    uint16_t wnd;               /* window field of our last ACK */
    uint8_t  wscale;            /* our receive window scale */
    uint8_t  ts_ok;
} tw_entry;

/* A bounded free list of fixed-size records of one kind (TCBs, TIME-WAIT
 * entries): a connection's records are taken and given back once per
 * connection, and at high connection rates the allocator round trip is a
 * measurable part of the cost. Records sit here zeroed-on-reuse, at most
 * REC_CACHE_MAX of them, and are freed with the stack. They are not live
 * connections: nothing counts them as such. */
#define REC_CACHE_MAX 64u
typedef struct rec_cache {
    void    *head;          /* first cached record; its first bytes link on */
    uint32_t n;
} rec_cache;

typedef enum sock_kind {
    SOCK_FREE = 0,      /* slot unused */
    SOCK_IDLE,          /* created, maybe bound */
    SOCK_LISTEN,        /* passive open */
    SOCK_CONN           /* has (or had) a TCB */
} sock_kind;

typedef struct sock {
    sock_kind kind;
    uint16_t  port;             /* bound local port, 0 = unbound */
    uint8_t   reuseaddr;
    uint8_t   in_ready;         /* queued in the readiness queue */
    uint8_t   nodelay, keepalive, quickack, cc;
    int       linger;
    uint32_t  rcvbuf, sndbuf;
    uint16_t  mss_cap;
    uint8_t   retries;          /* SYNACK_TCP_RETRIES, 0 = the stack's */
    uint32_t  keepidle, keepintvl, keepcnt;
    tcb      *tcb;              /* SOCK_CONN */
    /* SOCK_LISTEN */
    uint32_t  backlog;
    uint32_t  nhalf;            /* half-open (SYN-RECEIVED) entries */
    uint32_t  naccept;          /* established, not yet accepted */
    tcb      *acceptq_head, *acceptq_tail;  /* established, FIFO */
    int       next_free;        /* free-list link */
    int       next_listener;    /* listener list link, -1 ends */
} sock;

#define STACK_BATCH_MAX 16

/* Ephemeral ports: Linux's default range, 32768..60999. */
#define EPHEMERAL_LOW  32768u
#define EPHEMERAL_HIGH 60999u
#define EPHEMERAL_COUNT (EPHEMERAL_HIGH - EPHEMERAL_LOW + 1u)

struct synack_stack {
    synack_config cfg;
    synack_time now;
    synack_rng rng;
    uint8_t isn_secret[16];
    uint8_t cookie_secret[16];
    uint64_t hash_salt;
    synack_stats stats;
    uint64_t ndrops;            /* all drops, to tell callers one happened */
    uint32_t next_conn_id;
    uint16_t ip_id;
    uint16_t next_ephemeral;

    sock    *socks;             /* cfg.max_sockets slots */
    int      free_sock;         /* head of the free list, -1 if none */
    int      listeners;         /* list of listening handles, -1 if none */

    tcb    **table;             /* connection hash buckets */
    uint32_t table_mask;
    tw_entry **tw_table;        /* TIME-WAIT entries, same bucket count */
    tw_entry *tw_head, *tw_tail;        /* expiry FIFO */
    heap     timers;            /* TCBs by earliest deadline */
    rec_cache tcb_cache;        /* freed TCBs kept for reuse */
    rec_cache ext_cache;        /* freed TCB extensions kept for reuse */
    rec_cache tw_cache;         /* freed TIME-WAIT entries kept for reuse */
    rec_cache buf_cache;        /* freed STACK_BUF_CACHED-byte ring buffers */

    int     *readyq;            /* ring of handles, cfg.max_sockets */
    uint32_t ready_head, ready_len;

    struct ip_reasm *reasm;     /* IPv4 reassembly, NULL if off */
    uint8_t *txbuf;             /* one datagram being built (own buffer) */
    uint8_t *txcur;             /* where the current one is built: txbuf or
                                   the driver's (cfg.tx_buffer) */
    uint32_t tx_cap;            /* its size: MTU, or TSO maximum + headers */

    /* RFC 5961 section 7: challenge ACKs per second, stack-wide. */
    synack_time chack_epoch;
    uint32_t chack_count;
    uint32_t chack_limit;       /* this second's budget, 0 until drawn */

    /* Input batch (synack_batch_begin/end): connections whose output
     * waits for the end of the batch. A full list means no more waiting;
     * a TCB released meanwhile leaves a NULL (batch_forget). */
    uint8_t  in_batch;
    uint8_t  nbatched;
    tcb     *batched[STACK_BATCH_MAX];
};

/* Bucket of a 4-tuple in the connection and TIME-WAIT hash tables,
 * inline for the lookups every segment makes. Salted multiplicative hash: cheap per segment; the salt is
 * random so a peer cannot aim many tuples at one bucket without knowing
 * it. */
static inline uint32_t conn_hash_bucket(const synack_stack *s, uint32_t raddr, uint16_t rport,
                                        uint16_t lport)
{
    uint64_t k = ((uint64_t)raddr << 32 | (uint64_t)rport << 16 | lport) ^ s->hash_salt;
    k *= 0x9E3779B97F4A7C15ull;
    k ^= k >> 29;
    return (uint32_t)(k >> 32) & s->table_mask;
}

/* Input batches (stack.c): defers t's output to synack_batch_end if a
 * batch is open and has room (1), else 0 (the caller outputs now). */
int  batch_defer(synack_stack *s, tcb *t);
/* t is going away: forget it if its output waits. */
void batch_forget(synack_stack *s, tcb *t);

/* Allocation through the configured allocator. */
void *stack_alloc(synack_stack *s, size_t n);
void *stack_calloc(synack_stack *s, size_t n);
void  stack_free(synack_stack *s, void *p);
uint64_t stack_random(synack_stack *s);
/* A zeroed record of size bytes, from the cache c if it holds one. */
void *rec_get(synack_stack *s, rec_cache *c, size_t size);
/* Gives a record back: cached if there is room, else freed. NULL is ok. */
void  rec_put(synack_stack *s, rec_cache *c, void *p);
/* Frees every cached record. */
void  rec_cache_drain(synack_stack *s, rec_cache *c);

/* Ring buffers of exactly this size (a ring's first allocation) are kept
 * in buf_cache when a connection lets go of them, at most
 * STACK_BUF_CACHE_MAX, and handed to the next ring that asks for that
 * size: a short connection then costs no allocator round trip for its
 * queues. Other sizes go straight to the configured allocator. */
#define STACK_BUF_CACHED    RING_FIRST_ALLOC
#define STACK_BUF_CACHE_MAX 16u
/* Allocator callbacks for ring_write (ctx: the stack). */
void *stack_ring_alloc(void *ctx, size_t n);
void  stack_ring_free(void *ctx, void *p);
/* ring_free, and ring_free when ring_trimmable, through the buffer cache. */
void  stack_ring_release(synack_stack *s, ring *r);
void  stack_ring_trim(synack_stack *s, ring *r);

/* Trace events (no-ops without an observer). The ones on every segment
 * and state change test for the observer inline, so the common case
 * (none) costs a load and a branch, not a call; the *_event functions
 * build and deliver the event. */
void trace_seg_event(synack_stack *s, synack_trace_kind kind, const tcb *t,
                     const synack_segment *seg, int retransmit);
void trace_state_event(synack_stack *s, const tcb *t, synack_state from, synack_state to,
                       const char *cause);
static inline void trace_seg(synack_stack *s, synack_trace_kind kind, const tcb *t,
                             const synack_segment *seg, int retransmit)
{
    if (s->cfg.observer)
        trace_seg_event(s, kind, t, seg, retransmit);
}
static inline void trace_state(synack_stack *s, const tcb *t, synack_state from,
                               synack_state to, const char *cause)
{
    if (s->cfg.observer)
        trace_state_event(s, t, from, to, cause);
}
void trace_drop(synack_stack *s, synack_drop why, const tcb *t, const synack_segment *seg);
void trace_timer(synack_stack *s, const tcb *t, synack_timer which);
void trace_error(synack_stack *s, const tcb *t, int err, const char *cause);

void trace_seg_id(synack_stack *s, synack_trace_kind kind, uint32_t id, const synack_segment *seg);
void trace_state_id(synack_stack *s, uint32_t id, synack_state from, synack_state to,
                    const char *cause);
void trace_timer_id(synack_stack *s, uint32_t id, synack_timer which);

/* Counts and reports a dropped packet. */
void stack_drop(synack_stack *s, synack_drop why, const tcb *t, const synack_segment *seg);
void stack_drop_id(synack_stack *s, synack_drop why, uint32_t id, const synack_segment *seg);

/* RFC 5961 section 7: may a challenge ACK go out now? Counts it, or
 * counts the suppression. */
int challenge_ack_allowed(synack_stack *s);

/* May we answer this unacceptable segment with an ACK? Pure ACKs get at
 * most one answer per 500 ms per connection (last_ms: the connection's
 * clock of the last one, 0 = never): two ends that disagree about the
 * sequence space would otherwise ACK each other forever. Segments with
 * data, SYN or FIN are always answered (zero-window probes, FIN
 * retransmissions), as in Linux's tcp_oow_rate_limited. */
int oow_ack_allowed(synack_stack *s, uint32_t *last_ms, const synack_segment *seg);

/* TIME-WAIT entries (tcp/tcp_timewait.c). */
/* Turns an orphaned TIME-WAIT TCB into a compact entry and frees the
 * TCB. Keeps the TCB if there is no memory for the entry. */
void tw_adopt(synack_stack *s, tcb *t);
tw_entry *tw_lookup(const synack_stack *s, uint32_t raddr, uint16_t rport, uint16_t lport);
/* A segment for a TIME-WAIT entry. Returns 0 if handled, 1 if dropped,
 * or -1 if a new SYN reopened the port: the entry is gone, *min_iss set. */
int tw_input(synack_stack *s, tw_entry *tw, const synack_segment *seg, uint32_t *min_iss);
/* The TCP timestamp clock (RFC 7323): 1 ms ticks of the stack's time
 * (5.4 allows 1 ms to 1 s). TSvals, TSecr-based RTT and the out-of-window
 * ACK clock all read it. */
static inline uint32_t tcp_ts_now(const synack_stack *s)
{
    return (uint32_t)(s->now / 1000000u);
}

/* The earliest TIME-WAIT expiry: the head of the FIFO (inline: asked for
 * by every synack_next_deadline). */
static inline synack_time tw_next_expiry(const synack_stack *s)
{
    return s->tw_head ? s->tw_head->expires : SYNACK_TIME_NEVER;
}
void tw_expire(synack_stack *s);
int tw_port_in_use(const synack_stack *s, uint16_t port);
void tw_free_all(synack_stack *s);

/* Readiness changed on handle h (ignored for h < 0). */
void sock_notify(synack_stack *s, int h);
/* A passive connection became ESTABLISHED: queue it on its listener. */
void sock_listener_established(synack_stack *s, tcb *t);
/* A half-open or unaccepted connection left its listener (reset, timeout). */
void sock_listener_detach(synack_stack *s, tcb *t);
/* Copies a socket's options (buffers, Nagle, keepalive, linger, MSS cap)
 * into a TCB it creates or accepts. */
int sock_apply_options(synack_stack *s, const sock *so, tcb *t);
/* The listener for a local port, or NULL. */
sock *sock_find_listener(synack_stack *s, uint16_t port, int *handle);

/* SYN cookies (tcp/tcp_syncookie.c, RFC 4987). */
uint32_t syncookie_isn(const synack_stack *s, const synack_segment *syn, uint16_t peer_mss,
                       uint16_t *mss_out);
int syncookie_check(const synack_stack *s, const synack_segment *ack, uint16_t *mss_out);
uint8_t syncookie_opt_bits(const synack_segment *syn);

/* Starts a datagram: returns where its IPv4 payload goes (the driver's
 * buffer from cfg.tx_buffer, or the stack's own). Every call must be
 * followed by exactly one ip_output. */
uint8_t *ip_tx_begin(synack_stack *s);

/* IPv4 output: wraps the payload placed at ip_tx_begin's pointer in a
 * header and hands the datagram to cfg.tx (or cfg.tx_offload with info,
 * whose csum_start the IP layer fills in; info may be NULL). */
void ip_output(synack_stack *s, uint32_t dst, uint8_t proto, size_t payload_len,
               synack_tx_info *info);

#endif
