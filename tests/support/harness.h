/* harness.h — the packet-exact scenario harness (packetdrill style).
 *
 * Drives ONE synack stack directly, without the simulator: the stack's
 * transmit callback appends every datagram it emits to a FIFO; a test
 * injects hand-described segments "from the peer" and expects the stack's
 * exact replies, on a virtual clock it moves itself.
 *
 *   harness *h = h_new(NULL);
 *   int l = synack_socket(h_stack(h));
 *   synack_bind(h_stack(h), l, 0, 80);
 *   synack_listen(h_stack(h), l, 8);
 *   h_inject(h, "S 1000:1000(0) win 65535 <mss 1460>");
 *   synack_segment sa = h_pop(h);                 // learn the ISN
 *   h_inject(h, ". 1001:1001(0) ack %u win 65535", sa.seq + 1);
 *   h_advance(h, SYNACK_SEC(1));
 *   h_expect_nothing(h);
 *   h_free(h);
 *
 * Segments are written in the language of h_spec.h (flags, absolute
 * SEQ:END(LEN), ack, win, urg, <options>); h_inject and h_expect take
 * printf-style formats so tests splice in ISNs. Injected segments go from
 * peer_addr:peer_port to the stack's address:local_port; expected ones
 * must go the other way (addresses and ports are checked too). Change the
 * public fields between calls to talk as another peer.
 *
 * Every emitted datagram must be valid IPv4 carrying valid TCP with
 * correct checksums (checked with the wire codecs); anything else fails
 * the expectation that meets it. On a mismatch both segments are printed
 * in tcpdump style:
 *
 *   h_expect: ack: want 1001, got 1
 *     want: 198.18.0.2.80 > 198.18.0.1.40000: Flags [S.], seq 7, ack 1001, ...
 *     got:  198.18.0.2.80 > 198.18.0.1.40000: Flags [S.], seq 7, ack 1, ...
 *     spec: S. 7:7(0) ack 1001
 *
 * ("want" shows fields the spec leaves unchecked with the values got.)
 * Failures go through check_fail (tests/check.h) with the caller's
 * file:line. */
#ifndef SYNACK_TEST_HARNESS_H
#define SYNACK_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "support/h_spec.h"
#include "synack.h"

#define H_DEFAULT_LOCAL_ADDR 0xC6120002u   /* 198.18.0.2 */
#define H_DEFAULT_PEER_ADDR  0xC6120001u   /* 198.18.0.1 */
#define H_DEFAULT_PEER_PORT  40000
#define H_DEFAULT_LOCAL_PORT 80
#define H_DEFAULT_INJECT_WIN 65535        /* injected segments without "win" */

typedef struct h_private h_private;

typedef struct harness {
    /* Public: set them before injecting or expecting. */
    uint32_t peer_addr;         /* default 198.18.0.1 */
    uint16_t peer_port;         /* default 40000 */
    uint16_t local_port;        /* default 80 */
    uint32_t local_addr;        /* the stack's address (read-only) */
    h_private *priv;
} harness;

/* One state transition seen by the observer. */
typedef struct h_state_change {
    synack_time at;
    uint32_t conn_id;
    synack_state old_state, new_state;
    const char *cause;
} h_state_change;

/* Creates a stack at time 0. cfg NULL means the harness defaults: addr
 * 198.18.0.2, mtu 1500, seed 1, delack 0 (every segment ACKed at once),
 * rcvbuf = sndbuf = 65535, other fields from synack_config_default. A
 * given cfg is used as is (addr required). In both cases tx/tx_ctx and
 * the offloads are the harness's; a cfg->observer still receives every
 * trace event. Fails the test if the stack cannot be created. */
#define h_new(cfg) h_new_at(__FILE__, __LINE__, (cfg))
harness *h_new_at(const char *file, int line, const synack_config *cfg);

/* Frees the stack and everything queued. NULL is ignored. */
void h_free(harness *h);

synack_stack *h_stack(harness *h);
synack_time h_now(const harness *h);

/* Moves the virtual clock forward by dt and calls synack_advance. */
void h_advance(harness *h, synack_time dt);

/* Builds the segment described by the spec (payload: the h_pattern_fill
 * pattern at its sequence numbers; window H_DEFAULT_INJECT_WIN when the
 * spec gives no "win"; no "*" allowed) and hands it to synack_input now.
 * Returns synack_input's result (0 processed, 1 dropped). A spec that
 * does not parse fails the test. */
#define h_inject(h, ...) h_inject_at(__FILE__, __LINE__, (h), NULL, __VA_ARGS__)
/* Same with explicit payload bytes (LEN of them). */
#define h_inject_data(h, data, ...) h_inject_at(__FILE__, __LINE__, (h), (data), __VA_ARGS__)
int h_inject_at(const char *file, int line, harness *h, const void *data, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Hands raw bytes to synack_input now (for malformed packets). */
int h_inject_raw(harness *h, const void *pkt, size_t len);

/* Pops the next emitted datagram and fails the test unless it is valid
 * TCP from the stack to the peer matching the spec (rules in h_spec.h). */
#define h_expect(h, ...) h_expect_at(__FILE__, __LINE__, (h), __VA_ARGS__)
void h_expect_at(const char *file, int line, harness *h, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fails the test if the stack emitted anything not yet popped. */
#define h_expect_nothing(h) h_expect_nothing_at(__FILE__, __LINE__, (h))
void h_expect_nothing_at(const char *file, int line, harness *h);

/* Pops the next emitted datagram as a decoded segment (any addresses),
 * failing the test if there is none or it is not valid TCP. */
#define h_pop(h) h_pop_at(__FILE__, __LINE__, (h))
synack_segment h_pop_at(const char *file, int line, harness *h);

/* Emitted datagrams not yet popped. */
size_t h_pending(const harness *h);

/* Payload of the segment last popped by h_expect or h_pop (valid until
 * the next pop); *len gets its length. */
const uint8_t *h_last_payload(const harness *h, size_t *len);

/* State transitions seen so far, in order; *n gets their count. */
const h_state_change *h_trace_states(const harness *h, size_t *n);

/* Fails the test unless the new states of connection conn (0: of every
 * connection, interleaved as they happened) are exactly the listed
 * space-separated RFC names, e.g. "SYN-SENT ESTABLISHED FIN-WAIT-1". */
#define h_expect_states(h, conn, list) h_expect_states_at(__FILE__, __LINE__, (h), (conn), (list))
void h_expect_states_at(const char *file, int line, const harness *h, uint32_t conn,
                        const char *list);

#endif
