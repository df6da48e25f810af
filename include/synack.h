/* synack.h — the public API of synack, a user-space TCP/IP stack.
 *
 * The core is sans-I/O: it never reads a clock, never draws randomness on
 * its own, never does I/O and keeps no global state. A driver feeds it
 * packets and time and receives the packets it wants to send:
 *
 *   synack_input(stack, pkt, len, now)    an IPv4 datagram arrived
 *   synack_advance(stack, now)            time moved on; fire due timers
 *   synack_next_deadline(stack)           when to call synack_advance next
 *   cfg.tx(cfg.tx_ctx, pkt, len)          the stack sends an IPv4 datagram
 *
 * Time is a uint64_t count of nanoseconds on any monotonic clock the driver
 * chooses (a virtual one in the simulator). Socket calls act at the stack's
 * current time: the `now` last passed to synack_input or synack_advance.
 *
 * Addresses and ports are in host byte order throughout this API.
 *
 * Errors are negative errno-style codes (SYNACK_E*, equal to -errno on
 * Linux); synack_strerror() names them. No call aborts the process.
 */
#ifndef SYNACK_H
#define SYNACK_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- time */

typedef uint64_t synack_time;               /* nanoseconds */
#define SYNACK_TIME_NEVER UINT64_MAX
#define SYNACK_USEC(x) ((synack_time)(x) * 1000u)
#define SYNACK_MSEC(x) ((synack_time)(x) * 1000000u)
#define SYNACK_SEC(x)  ((synack_time)(x) * 1000000000u)

/* -------------------------------------------------------------- errors */

#define SYNACK_OK            0
#define SYNACK_EPERM         (-EPERM)
#define SYNACK_ENOMEM        (-ENOMEM)
#define SYNACK_EBADF         (-EBADF)
#define SYNACK_EINVAL        (-EINVAL)
#define SYNACK_EAGAIN        (-EAGAIN)
#define SYNACK_EMFILE        (-EMFILE)
#define SYNACK_EPIPE         (-EPIPE)
#define SYNACK_ENOPROTOOPT   (-ENOPROTOOPT)
#define SYNACK_EOPNOTSUPP    (-EOPNOTSUPP)
#define SYNACK_EADDRINUSE    (-EADDRINUSE)
#define SYNACK_EADDRNOTAVAIL (-EADDRNOTAVAIL)
#define SYNACK_ENETUNREACH   (-ENETUNREACH)
#define SYNACK_EHOSTUNREACH  (-EHOSTUNREACH)
#define SYNACK_ECONNABORTED  (-ECONNABORTED)
#define SYNACK_ECONNRESET    (-ECONNRESET)
#define SYNACK_ENOBUFS       (-ENOBUFS)
#define SYNACK_EISCONN       (-EISCONN)
#define SYNACK_ENOTCONN      (-ENOTCONN)
#define SYNACK_ETIMEDOUT     (-ETIMEDOUT)
#define SYNACK_ECONNREFUSED  (-ECONNREFUSED)
#define SYNACK_EALREADY      (-EALREADY)
#define SYNACK_EINPROGRESS   (-EINPROGRESS)
#define SYNACK_EMSGSIZE      (-EMSGSIZE)

/* A readable sentence for any code returned by this API ("connection
 * refused by peer"). Unknown codes get "unknown error". Never NULL. */
const char *synack_strerror(int err);

/* -------------------------------------------------------------- states */

/* RFC 9293 section 3.3.2, Figure 5. */
typedef enum synack_state {
    SYNACK_CLOSED = 0,
    SYNACK_LISTEN,
    SYNACK_SYN_SENT,
    SYNACK_SYN_RECEIVED,
    SYNACK_ESTABLISHED,
    SYNACK_FIN_WAIT_1,
    SYNACK_FIN_WAIT_2,
    SYNACK_CLOSE_WAIT,
    SYNACK_CLOSING,
    SYNACK_LAST_ACK,
    SYNACK_TIME_WAIT,
    SYNACK_STATE_COUNT
} synack_state;

/* RFC spelling: "SYN-SENT", "TIME-WAIT", ... Never NULL. */
const char *synack_state_name(int state);

/* ---------------------------------------------------------- tcp flags */

#define SYNACK_TCP_FIN 0x01
#define SYNACK_TCP_SYN 0x02
#define SYNACK_TCP_RST 0x04
#define SYNACK_TCP_PSH 0x08
#define SYNACK_TCP_ACK 0x10
#define SYNACK_TCP_URG 0x20
#define SYNACK_TCP_ECE 0x40
#define SYNACK_TCP_CWR 0x80

/* --------------------------------------------------------- drop reasons */

/* Why an incoming packet was dropped. Each has a counter in synack_stats
 * and appears in SYNACK_TRACE_SEG_DROP events. */
typedef enum synack_drop {
    SYNACK_DROP_IP_TRUNCATED = 0,   /* shorter than its IPv4 header */
    SYNACK_DROP_IP_VERSION,         /* version field is not 4 */
    SYNACK_DROP_IP_HDRLEN,          /* IHL < 5 or beyond the packet */
    SYNACK_DROP_IP_TOTLEN,          /* total length < IHL or > bytes given */
    SYNACK_DROP_IP_CHECKSUM,        /* bad IPv4 header checksum */
    SYNACK_DROP_IP_FRAGMENT,        /* fragment (no reassembly here) */
    SYNACK_DROP_IP_NOT_FOR_US,      /* destination is not our address */
    SYNACK_DROP_IP_PROTOCOL,        /* protocol we do not handle */
    SYNACK_DROP_IP_BAD_SOURCE,      /* broadcast/multicast/zero source */
    SYNACK_DROP_TCP_TRUNCATED,      /* shorter than a TCP header */
    SYNACK_DROP_TCP_HDRLEN,         /* data offset < 5 or beyond segment */
    SYNACK_DROP_TCP_CHECKSUM,       /* bad TCP checksum */
    SYNACK_DROP_TCP_OPTION,         /* malformed TCP option */
    SYNACK_DROP_TCP_BAD_FLAGS,      /* nonsensical flags (SYN+RST, ...) */
    SYNACK_DROP_TCP_NO_SOCKET,      /* no connection or listener (RST sent) */
    SYNACK_DROP_TCP_OUT_OF_WINDOW,  /* unacceptable segment (ACK sent) */
    SYNACK_DROP_TCP_BAD_ACK,        /* ACK of data never sent */
    SYNACK_DROP_TCP_RST_INVALID,    /* RST outside the window, ignored */
    SYNACK_DROP_TCP_RST_CHALLENGED, /* in-window RST not exact: challenge ACK */
    SYNACK_DROP_TCP_SYN_CHALLENGED, /* SYN in synchronized state: challenge */
    SYNACK_DROP_TCP_BACKLOG_FULL,   /* SYN to a listener whose queue is full */
    SYNACK_DROP_TCP_NO_MEMORY,      /* connection table or memory exhausted */
    SYNACK_DROP_TCP_NO_ACK,         /* segment without ACK where one is required */
    SYNACK_DROP_TCP_RCVBUF_FULL,    /* data beyond the receive buffer */
    SYNACK_DROP_TCP_AFTER_CLOSE,    /* data for a socket that closed its read side */
    SYNACK_DROP_TCP_TIME_WAIT,      /* old segment absorbed by TIME-WAIT */
    SYNACK_DROP_TCP_OUT_OF_ORDER,   /* data beyond RCV.NXT not queued (ACK sent) */
    SYNACK_DROP_TCP_CHALLENGE_LIMIT,/* challenge ACK suppressed by rate limit */
    SYNACK_DROP_TCP_PAWS,           /* old timestamp (RFC 7323 PAWS), ACK sent */
    SYNACK_DROP_ICMP_MALFORMED,     /* ICMP too short, bad checksum, or an
                                       error quoting no usable IPv4 header */
    SYNACK_DROP_ICMP_NO_CONN,       /* ICMP error about no connection of ours */
    SYNACK_DROP_ICMP_BAD_SEQ,       /* ICMP error quoting a sequence number
                                       not in flight (RFC 5927 4.1) */
    SYNACK_DROP_ICMP_SOFT_ERROR,    /* soft ICMP error: noted, connection
                                       kept (RFC 1122 4.2.3.9) */
    SYNACK_DROP_IP_REASM_TIMEOUT,   /* fragments of a datagram never
                                       completed in time (RFC 791) */
    SYNACK_DROP_IP_REASM_LIMIT,     /* reassembly memory or datagram limit */
    SYNACK_DROP_IP_REASM_BAD,       /* inconsistent fragment: beyond 64 KiB,
                                       conflicting overlap or end */
    SYNACK_DROP_COUNT
} synack_drop;

/* Short identifier such as "tcp-checksum". Never NULL. */
const char *synack_drop_name(int reason);

/* ------------------------------------------------------------- tracing */

/* TCP options as seen on the wire; has_* says which were present. */
typedef struct synack_tcp_opts {
    uint8_t  has_mss, has_wscale, sack_permitted, has_ts;
    uint16_t mss;
    uint8_t  wscale;
    uint8_t  nsack;                 /* SACK blocks, 0..4 */
    uint32_t tsval, tsecr;
    uint32_t sack[4][2];            /* [left, right) edges */
} synack_tcp_opts;

/* One TCP segment, decoded. */
typedef struct synack_segment {
    uint32_t saddr, daddr;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t  flags;                 /* SYNACK_TCP_* */
    uint16_t wnd;                   /* raw 16-bit window field */
    uint16_t urg;
    uint32_t len;                   /* payload bytes */
    synack_tcp_opts opts;
} synack_segment;

typedef enum synack_trace_kind {
    SYNACK_TRACE_SEG_OUT = 0,       /* .seg sent (.retransmit if resent) */
    SYNACK_TRACE_SEG_IN,            /* .seg accepted for processing */
    SYNACK_TRACE_SEG_DROP,          /* packet dropped: .drop, .seg if parsed */
    SYNACK_TRACE_STATE,             /* .old_state -> .new_state, .cause */
    SYNACK_TRACE_TIMER,             /* .timer fired */
    SYNACK_TRACE_ERROR              /* connection reports .error to the app */
} synack_trace_kind;

typedef enum synack_timer {
    SYNACK_TIMER_RETRANSMIT = 0,    /* RTO (also SYN and SYN-ACK retries) */
    SYNACK_TIMER_TIME_WAIT,         /* 2*MSL expired */
    SYNACK_TIMER_DELACK,            /* delayed ACK sent */
    SYNACK_TIMER_PERSIST,           /* zero-window probe */
    SYNACK_TIMER_KEEPALIVE,         /* keepalive probe */
    SYNACK_TIMER_LINGER,            /* SO_LINGER deadline: abort */
    SYNACK_TIMER_FIN_WAIT_2,        /* orphaned FIN-WAIT-2 gave up */
    SYNACK_TIMER_TLP,               /* tail loss probe (RFC 8985 7) sent */
    SYNACK_TIMER_COUNT
} synack_timer;

const char *synack_timer_name(int timer);

typedef struct synack_trace_event {
    synack_trace_kind kind;
    synack_time now;
    uint32_t conn_id;               /* stable per connection; 0 if none */
    int      handle;                /* socket handle, or -1 */
    int      has_seg;               /* .seg is valid */
    synack_segment seg;
    int      retransmit;            /* SEG_OUT: this is a retransmission */
    synack_drop drop;               /* SEG_DROP */
    synack_state old_state, new_state; /* STATE */
    const char *cause;              /* STATE, ERROR: short reason, static */
    synack_timer timer;             /* TIMER */
    int      error;                 /* ERROR: SYNACK_E* */
} synack_trace_event;

typedef void (*synack_observer_fn)(void *ctx, const synack_trace_event *ev);

/* -------------------------------------------------------------- config */

typedef void (*synack_tx_fn)(void *ctx, const uint8_t *pkt, size_t len);

/* Zero-copy transmit (optional), for drivers that own their transmit
 * buffers (a ring of device slots, an in-memory link): returns a buffer
 * of at least cap bytes in which the stack builds its next datagram, or
 * NULL to let the stack use its own buffer for this one. The stack then
 * passes that very pointer to tx (or tx_offload) exactly once, before it
 * asks for another buffer, so a driver that recognizes its own buffer
 * needs no copy. cap is the MTU, or tso_max + 80 with TSO. The buffer
 * must not overlap a datagram being handed to synack_input at the time:
 * the stack may be answering it (an echo reply copies from it). */
typedef uint8_t *(*synack_tx_buffer_fn)(void *ctx, size_t cap);

/* What a driver with offloads needs to know about an outgoing datagram
 * (see synack_config.tx_offload). */
typedef struct synack_tx_info {
    uint16_t gso_size;      /* > 0: a TCP super-segment the device must cut
                               into segments of gso_size payload bytes */
    uint8_t  csum_partial;  /* the TCP checksum field holds only the folded
                               pseudo-header sum; the device completes it */
    uint16_t csum_start;    /* offset of the TCP header in pkt */
    uint16_t csum_offset;   /* offset of the checksum field from csum_start */
} synack_tx_info;
typedef void (*synack_tx_offload_fn)(void *ctx, const uint8_t *pkt, size_t len,
                                     const synack_tx_info *info);
typedef uint64_t (*synack_random_fn)(void *ctx);
typedef void *(*synack_alloc_fn)(void *ctx, size_t size);
typedef void (*synack_free_fn)(void *ctx, void *ptr);

typedef struct synack_config {
    uint32_t addr;                  /* our IPv4 address (required) */
    uint16_t mtu;                   /* link MTU, default 1500 */
    uint32_t max_sockets;           /* handles open at once, default 1024 */
    uint32_t max_conns;             /* connection records incl. half-open
                                       and TIME-WAIT, default 4096 */
    uint32_t sndbuf, rcvbuf;        /* default buffer limits, 256 KiB each;
                                       memory is taken as data arrives */
    synack_time msl;                /* maximum segment lifetime; TIME-WAIT
                                       lasts 2*msl. Default 30 s (Linux's
                                       60 s TIME-WAIT), see docs */
    uint32_t syn_retries;           /* SYN retransmissions, default 7
                                       (ETIMEDOUT after 183 s: RFC 9293
                                       asks for at least 3 minutes) */
    uint32_t synack_retries;        /* SYN-ACK retransmissions, default 5 */
    uint32_t data_retries;          /* data/FIN retransmissions, default 15;
                                       each of the three at most 65534 */
    synack_time rto_initial;        /* RFC 6298 (2.1): default 1 s */
    synack_time rto_min;            /* default 200 ms (Linux; RFC says 1 s) */
    synack_time rto_max;            /* default 60 s */
    synack_time delack;             /* delayed-ACK bound, default 40 ms,
                                       must be < 500 ms (RFC 9293 MUST-40);
                                       0 acknowledges every segment at once */
    synack_time fin_wait_2_timeout; /* orphaned FIN-WAIT-2, default 60 s */

    /* TCP options offered in our SYN / SYN-ACK; each is used only if the
     * peer offers it too (RFC 7323 sections 2.2 and 3.2, RFC 2018). */
    int8_t  wscale;                 /* shift to offer 0..14, -1 = never
                                       (default 7) */
    uint8_t timestamps;             /* offer timestamps (default on) */
    uint8_t sack;                   /* offer SACK-permitted (default on) */
    uint8_t cc;                     /* default congestion control,
                                       SYNACK_CC_CUBIC unless set */
    uint8_t syncookies;             /* answer SYNs with cookies when a
                                       listener's half-open entries are
                                       full (RFC 4987); default on */

    /* Randomness. If random is NULL the stack uses a deterministic
     * generator seeded with .seed (what the simulator and tests want).
     * Real drivers pass the OS's random source. The ISN secret (RFC 6528)
     * is drawn from it once, at creation. */
    synack_random_fn random;
    void *random_ctx;
    uint64_t seed;

    synack_tx_fn tx;                /* called for each datagram (required
                                       unless tx_offload is set) */
    void *tx_ctx;
    synack_tx_buffer_fn tx_buffer;  /* optional, called with tx_ctx: where
                                       to build each datagram (see above) */

    /* Offloads, for drivers whose device segments and checksums (Linux
     * TUN with IFF_VNET_HDR, for one). When tx_offload is set it is called
     * instead of tx, with tx_ctx. tso_max > 0 lets a data segment carry up
     * to tso_max payload bytes (cut to a multiple of the MSS; at most
     * 65535 - 80); csum_offload leaves the TCP checksum to the device.
     * Both need tx_offload (only it tells the device what to finish):
     * synack_stack_new refuses them with tx alone (SYNACK_EINVAL). */
    synack_tx_offload_fn tx_offload;
    uint32_t tso_max;
    uint8_t  csum_offload;
    synack_observer_fn observer;    /* optional trace events */
    void *observer_ctx;
    synack_alloc_fn alloc;          /* optional; default malloc/free */
    synack_free_fn free;
    void *alloc_ctx;

    /* IPv4 reassembly (RFC 791, RFC 815). Fragments of datagrams being
     * put back together take at most reasm_max_bytes (data plus
     * bookkeeping), at most reasm_max_datagrams are in progress at once
     * (the oldest is given up to make room), and each must complete
     * within reasm_timeout of its first fragment. reasm_max_bytes = 0
     * turns reassembly off: fragments are dropped (ip-fragment). */
    uint32_t reasm_max_bytes;       /* default 256 KiB */
    uint32_t reasm_max_datagrams;   /* default 64 */
    synack_time reasm_timeout;      /* default 30 s, Linux's ipfrag_time
                                       (RFC 1122 3.3.2 suggests 60-120 s) */
} synack_config;

/* Fills every field with its default (addr 0 and tx NULL must be set). */
void synack_config_default(synack_config *cfg);

/* ---------------------------------------------------------------- stack */

typedef struct synack_stack synack_stack;

/* Creates a stack. Returns 0 and sets *out, or SYNACK_EINVAL (no tx, zero
 * addr, nonsensical limits) or SYNACK_ENOMEM. */
int synack_stack_new(const synack_config *cfg, synack_stack **out);

/* Frees the stack and everything it holds, without sending anything. */
void synack_stack_free(synack_stack *s);

/* Hands the stack one IPv4 datagram received at time now (now must not go
 * backwards). The stack keeps no reference to pkt. Returns 0 if the packet
 * was processed, or 1 if it was dropped (counted in synack_stats and
 * reported to the observer). */
int synack_input(synack_stack *s, const void *pkt, size_t len, synack_time now);

/* Flags for synack_input_flags. */
#define SYNACK_IN_CSUM_VALID 0x1u   /* the device or kernel verified the TCP
                                       checksum (or it is a local partial
                                       one): skip the check */

/* Input batches (optional; what interrupt coalescing and GRO give a
 * kernel stack). A driver holding several received datagrams brackets
 * their synack_input calls with synack_batch_begin and synack_batch_end.
 * Every datagram is still processed in full and in order, and everything
 * that must go out at once still does at once: handshake segments,
 * resets, challenge ACKs, and the immediate ACKs for out-of-order data,
 * filled holes, duplicates and window edges. What waits for
 * synack_batch_end is only the output that follows in-order data or a
 * new ACK on an ESTABLISHED connection: one ACK then covers all the
 * in-order data of the batch (a "stretch" ACK, as after GRO), and a sender
 * sends once for all the ACKs that arrived together.
 *
 * synack_batch_begin returns 0, or SYNACK_EALREADY inside a batch.
 * synack_batch_end sends what waited and returns 0, or SYNACK_EINVAL
 * outside a batch. End a batch before other calls on the stack (time, or
 * the application's calls): synack_advance ends an open batch first; other
 * calls work inside one, but output they cause for a waiting connection
 * leaves at once. */
int synack_batch_begin(synack_stack *s);
int synack_batch_end(synack_stack *s);

/* synack_input with flags (SYNACK_IN_*); synack_input is flags = 0. */
int synack_input_flags(synack_stack *s, const void *pkt, size_t len, synack_time now,
                       unsigned flags);

/* Moves the stack's clock to now and fires every timer due by then. */
void synack_advance(synack_stack *s, synack_time now);

/* The earliest time at which synack_advance has work to do, or
 * SYNACK_TIME_NEVER. */
synack_time synack_next_deadline(const synack_stack *s);

/* The stack's current time (last now given). */
synack_time synack_now(const synack_stack *s);

typedef struct synack_stats {
    uint64_t ip_in, ip_out;         /* datagrams */
    uint64_t tcp_in, tcp_out;       /* segments */
    uint64_t tcp_retransmits;
    uint64_t tcp_rst_out;
    uint64_t tcp_challenge_acks;
    uint64_t tcp_tlp_probes;        /* tail loss probes sent (RFC 8985) */
    uint64_t tcp_fast_retransmits;  /* entries into fast recovery */
    uint64_t tcp_rto_timeouts;      /* retransmission timeouts that resent
                                       (RFC 6298 5.4-5.6; SYN and zero-window
                                       probes included) */
    uint64_t tcp_lost_retransmits;  /* SACK recovery found its resends lost
                                       again and resent them without waiting
                                       for the RTO */
    uint64_t tcp_spurious_recoveries;   /* recoveries undone: D-SACKs showed
                                           every resend was a duplicate
                                           (RFC 3708) */
    uint64_t oow_acks_suppressed;   /* ACKs not sent to unacceptable pure
                                       ACKs (at most 2/s per connection) */
    uint64_t conns_active;          /* connect() calls that sent a SYN */
    uint64_t conns_passive;         /* SYNs that created a half-open entry */
    uint64_t conns_established;
    uint64_t conns_reset;           /* reset by peer */
    uint64_t conns_timeout;         /* gave up retransmitting */
    uint64_t conns_live;            /* connection records now allocated */
    uint64_t syncookies_sent;       /* SYN-ACKs carrying a cookie */
    uint64_t syncookies_ok;         /* connections opened from a cookie */
    uint64_t syncookies_failed;     /* ACKs whose cookie did not check out */
    uint64_t drops[SYNACK_DROP_COUNT];
} synack_stats;

void synack_stats_get(const synack_stack *s, synack_stats *out);

/* --------------------------------------------------------------- sockets */

typedef struct synack_endpoint {
    uint32_t addr;
    uint16_t port;
} synack_endpoint;

/* Creates a TCP socket. Returns a handle >= 0, or SYNACK_EMFILE. */
int synack_socket(synack_stack *s);

/* Binds to our address (addr 0 or the stack's address) and port (0 picks
 * an ephemeral port). Errors: EBADF, EINVAL (already bound or not idle),
 * EADDRNOTAVAIL (foreign address), EADDRINUSE. */
int synack_bind(synack_stack *s, int h, uint32_t addr, uint16_t port);

/* Passive open (RFC 9293 3.10.1). backlog bounds established-but-not-
 * accepted plus half-open connections (<= 0 means 128). Binds an ephemeral
 * port if unbound. Errors: EBADF, EINVAL (connected or connecting),
 * EADDRINUSE. Calling it again on a listener updates the backlog. */
int synack_listen(synack_stack *s, int h, int backlog);

/* Takes one established connection off a listener's queue. Returns the new
 * handle and fills *peer (may be NULL). Errors: EBADF, EINVAL (not
 * listening), EAGAIN (none ready), EMFILE. */
int synack_accept(synack_stack *s, int h, synack_endpoint *peer);

/* Active open (RFC 9293 3.10.1): sends a SYN now and returns
 * SYNACK_EINPROGRESS; completion is reported through readiness
 * (SYNACK_EV_CONNECTED, or SYNACK_EV_ERROR with ECONNREFUSED/ETIMEDOUT).
 * Errors: EBADF, EISCONN, EALREADY (connecting), EINVAL (listening or
 * bad address), EADDRINUSE (4-tuple taken), EADDRNOTAVAIL (no ephemeral
 * port free), ENOMEM (no connection record, or no memory for the
 * socket's options). */
int synack_connect(synack_stack *s, int h, uint32_t addr, uint16_t port);

/* Queues up to len bytes for sending; returns bytes accepted (maybe fewer
 * than len), or EAGAIN (buffer full), ENOBUFS (no memory for the buffer),
 * ENOTCONN (not yet connected), EPIPE (write side shut down or connection
 * closing), EINVAL (buf NULL with len > 0), EBADF, or the error the
 * connection failed with (ECONNRESET, ETIMEDOUT, ECONNREFUSED,
 * EHOSTUNREACH, ENETUNREACH, ECONNABORTED, ENOMEM — as synack_get_error
 * reports it). Data accepted is never dropped silently: if the connection
 * later fails, the failure is reported. */
long synack_send(synack_stack *s, int h, const void *buf, size_t len);

/* Copies up to len received bytes into buf. Returns the count, 0 at end of
 * stream (peer sent FIN and all data was read), or EAGAIN, ENOTCONN,
 * EINVAL (buf NULL with len > 0), EBADF, or the error the connection
 * failed with (as for synack_send). */
long synack_recv(synack_stack *s, int h, void *buf, size_t len);

/* Bytes waiting to be read / bytes queued but not yet acknowledged. */
long synack_recv_ready(const synack_stack *s, int h);
long synack_send_pending(const synack_stack *s, int h);

/* Zero-copy receive: read the bytes where the stack holds them, then
 * drop them.
 *
 * synack_recv_peek sets *data to the next unread received bytes inside
 * the stack's receive buffer and returns how many of them lie contiguous
 * there (> 0). That can be fewer than synack_recv_ready when the buffer
 * wraps: the rest is returned by the peek after a consume. Nothing is
 * consumed; peeking again returns the same bytes. Returns 0 at end of
 * stream, or what synack_recv would return instead of data: EAGAIN,
 * ENOTCONN, EBADF or the error the connection failed with; EINVAL if
 * data is NULL. *data is NULL whenever the result is not > 0.
 *
 * The bytes stay valid and unchanged until the next call into the stack
 * other than synack_recv_peek and the const queries (synack_recv_ready,
 * synack_send_pending, synack_poll, synack_get_state, ...): input, timers,
 * sends, consumes and closes may move or free the storage (it grows by
 * reallocation, and an emptied small buffer is released).
 *
 * synack_recv_consume drops the first n unread bytes exactly as
 * synack_recv would after copying them, including the window update it
 * may send (RFC 9293 3.8.6.2.2). n may exceed what the last peek
 * returned but not synack_recv_ready (EINVAL, nothing dropped); n = 0
 * does nothing. Returns 0, or EBADF, ENOTCONN, EINVAL. Bytes peeked but
 * not consumed are unread: closing the socket then aborts it with a RST,
 * as after synack_recv (RFC 1122 4.2.2.13). */
long synack_recv_peek(synack_stack *s, int h, const void **data);
int synack_recv_consume(synack_stack *s, int h, size_t n);

/* Zero-copy send: write the bytes where the stack queues them, then
 * queue them.
 *
 * synack_send_reserve makes room for up to want bytes at the end of the
 * send queue (growing its storage as a synack_send of want bytes would,
 * at most to the send buffer's free space), sets *buf to the contiguous
 * writable space right after the queued bytes and returns its size (> 0,
 * at most want). It can be less than want when the buffer wraps or is
 * nearly full: commit, then reserve again. Nothing is queued yet.
 * Errors: EAGAIN (send buffer full), EINVAL (buf NULL or want 0), and
 * otherwise as synack_send: ENOBUFS, ENOTCONN, EPIPE, EBADF, the error
 * the connection failed with. *buf is NULL whenever the result is not
 * > 0. The space stays valid until the next call into the stack other
 * than synack_send_commit and the const queries: an ACK arriving may
 * release an emptied small buffer, a send may move the storage.
 *
 * synack_send_commit queues the first n bytes written into that space,
 * as synack_send would queue them: they leave as the windows allow and
 * are never dropped silently. n must fit in the contiguous writable space
 * after the queued bytes as it is now (else EINVAL and nothing is
 * queued), so a commit can never take in bytes beyond the buffer. Returns
 * n, or the errors of synack_send: EPIPE, ENOTCONN, EBADF, ENOBUFS, the
 * connection's error. n = 0 queues nothing and returns 0 where a
 * synack_send of 0 bytes would (the state is checked first, as there). */
long synack_send_reserve(synack_stack *s, int h, size_t want, void **buf);
long synack_send_commit(synack_stack *s, int h, size_t n);

/* Urgent data (RFC 9293 3.8.5, RFC 6093). Urgent bytes stay in the byte
 * stream ("inline", as RFC 6093 recommends); the urgent pointer only marks
 * where they end.
 *
 * synack_send_urgent queues data like synack_send and marks its last byte
 * as the end of urgent data: segments carrying bytes before that point
 * have URG set and point just past it. Errors as synack_send.
 *
 * synack_urgent_pending returns how many bytes, counted from the next byte
 * synack_recv returns, must be read to reach the end of the urgent data
 * the peer signalled (0 if none is pending), or EBADF/ENOTCONN. A new or
 * advanced urgent pointer raises SYNACK_EV_URGENT. */
long synack_send_urgent(synack_stack *s, int h, const void *buf, size_t len);
long synack_urgent_pending(const synack_stack *s, int h);

/* Shuts down the write side: a FIN follows the queued data (half-close,
 * RFC 9293 3.10.4). The read side stays open. Errors: EBADF, ENOTCONN. */
int synack_shutdown(synack_stack *s, int h);

/* Closes the handle (RFC 9293 3.10.4). A connected socket sends FIN after
 * its queued data and finishes the close in the background (FIN-WAIT,
 * TIME-WAIT); the handle is free at once. Unread received data, or
 * SO_LINGER with 0 seconds, makes it an abort (RST) instead. */
int synack_close(synack_stack *s, int h);

/* Aborts (RFC 9293 3.10.5): sends RST if synchronized, discards queues,
 * frees the handle. */
int synack_abort(synack_stack *s, int h);

/* Returns and clears the socket's pending error (0 if none), like
 * SO_ERROR. Errors: EBADF. */
int synack_get_error(synack_stack *s, int h);

/* Current RFC state of the socket's connection (SYNACK_CLOSED if none),
 * or EBADF. */
int synack_get_state(const synack_stack *s, int h);

/* Connection id used in trace events (0 if none), or EBADF. */
long synack_get_conn_id(const synack_stack *s, int h);

int synack_local_addr(const synack_stack *s, int h, synack_endpoint *out);
int synack_remote_addr(const synack_stack *s, int h, synack_endpoint *out);

/* Options. Each either works or answers SYNACK_ENOPROTOOPT. */
typedef enum synack_option {
    SYNACK_SO_REUSEADDR = 1,    /* bool: bind over TIME-WAIT entries */
    SYNACK_SO_LINGER,           /* seconds; -1 off (default), 0 = close
                                   aborts with RST, >0 abort if the close
                                   has not finished in that time */
    SYNACK_SO_RCVBUF,           /* bytes, before connect/listen */
    SYNACK_SO_SNDBUF,           /* bytes */
    SYNACK_SO_KEEPALIVE,        /* bool, default off */
    SYNACK_TCP_NODELAY,         /* bool: disable Nagle */
    SYNACK_TCP_MAXSEG,          /* MSS cap, before connect/listen */
    SYNACK_TCP_KEEPIDLE,        /* seconds idle before first probe (7200) */
    SYNACK_TCP_KEEPINTVL,       /* seconds between probes (75) */
    SYNACK_TCP_KEEPCNT,         /* unanswered probes before ETIMEDOUT (9) */
    SYNACK_TCP_CONGESTION,      /* SYNACK_CC_NEWRENO or SYNACK_CC_CUBIC */
    SYNACK_TCP_QUICKACK,        /* bool: acknowledge every segment at once
                                   (no delayed ACK) */
    SYNACK_TCP_SOFT_ERROR,      /* read-only: the last soft ICMP error
                                   (SYNACK_EHOSTUNREACH, ...) reported on
                                   the path since data last got through,
                                   0 if none (RFC 1122 4.2.3.9) */
    SYNACK_TCP_RETRIES          /* R2 of this connection (RFC 1122
                                   4.2.3.5, RFC 9293 MUST-21): timeouts
                                   of the same segment (its SYN included
                                   when set before connect) before the
                                   connection fails with ETIMEDOUT, 1..255;
                                   0 sets the stack's cfg.data_retries /
                                   cfg.syn_retries back; reads the value
                                   in force */
} synack_option;

/* Congestion control modules (SYNACK_TCP_CONGESTION, cfg.cc). */
#define SYNACK_CC_NEWRENO 0     /* RFC 5681 + RFC 6582 */
#define SYNACK_CC_CUBIC   1     /* RFC 9438 */

/* Errors: EBADF, ENOPROTOOPT (unknown option), EINVAL (value out of range,
 * too late, e.g. TCP_MAXSEG after connect, or a read-only option), ENOMEM
 * (a connection's option needs its lazily allocated state and there is no
 * memory; the option is unchanged). */
int synack_setopt(synack_stack *s, int h, int opt, int value);
int synack_getopt(const synack_stack *s, int h, int opt, int *value);

/* Readiness. */
#define SYNACK_EV_READABLE  0x01u   /* recv would not return EAGAIN (data,
                                       EOF, or error); accept has a conn */
#define SYNACK_EV_WRITABLE  0x02u   /* send would accept bytes */
#define SYNACK_EV_CONNECTED 0x04u   /* handshake completed */
#define SYNACK_EV_CLOSED    0x08u   /* peer finished sending (FIN) or the
                                       connection is gone */
#define SYNACK_EV_ERROR     0x10u   /* synack_get_error has a code */
#define SYNACK_EV_URGENT    0x20u   /* urgent data pending (see
                                       synack_urgent_pending) */
#define SYNACK_EV_TROUBLE   0x40u   /* delivery trouble short of failure
                                       (RFC 1122 4.2.3.5 (d), 4.2.3.9): the
                                       same segment timed out R1 = 3 times
                                       or more, or an ICMP soft error came
                                       (SYNACK_TCP_SOFT_ERROR); clears when
                                       the peer acknowledges new data */

/* Current readiness of one handle (0 for a bad handle). */
unsigned synack_poll(const synack_stack *s, int h);

typedef struct synack_ready_event {
    int handle;
    unsigned events;                /* current SYNACK_EV_* */
} synack_ready_event;

/* Edge-triggered readiness queue, like epoll_wait: fills up to max events
 * for handles whose readiness changed since they were last reported, and
 * returns how many. A handle appears at most once per call. */
int synack_ready(synack_stack *s, synack_ready_event *evs, int max);

#ifdef __cplusplus
}
#endif
#endif
