/* fault.h — a fault-injecting layer between a stack and any driver.
 *
 * It wraps both directions of a link: datagrams the stack sends (its tx /
 * tx_offload callback) on their way to the device, and datagrams the
 * device delivers on their way to synack_input. Each direction draws its
 * own faults from its own seeded generator (the simulator's splitmix64),
 * with the simulated link's semantics and order of decisions
 * (drivers/sim/sim_link.c), so a real peer can be tested on a bad network:
 *
 *   1. loss      the datagram is dropped;
 *   2. corrupt   one bit, chosen uniformly, is flipped (see below);
 *   3. reorder   the datagram is held back and released after `depth`
 *                later datagrams of its direction went past it, or
 *                `delay` after it was held, whichever comes first;
 *   4. dup       the datagram is delivered twice, the copy right after.
 * Each step draws from the generator only when its probability is
 * nonzero, so a given seed and packet sequence always get the same fates.
 * Faults apply per datagram as the driver sees it: with TUN offloads a
 * 64 KiB super-packet is one datagram (its loss is the loss of ~45 MSS
 * segments).
 *
 * Corruption must be caught by the receiver's checksum, which offloads
 * would otherwise switch off. The layer therefore makes every corrupted
 * datagram carry a complete, correct checksum for its original bytes
 * before flipping the bit (a single-bit change always breaks a
 * one's-complement sum, RFC 1071):
 *   - incoming TCP datagrams flagged SYNACK_IN_CSUM_VALID (the kernel left
 *     the checksum partial or vouched for it) get their TCP checksum
 *     completed in software and lose the flag, so synack verifies them;
 *   - outgoing datagrams with a partial checksum (csum_offload) get it
 *     completed in software and go out as complete (csum_partial = 0):
 *     the kernel verifies checksums of TUN packets not marked partial;
 *   - outgoing TSO super-segments must stay partial (the device cuts them
 *     and checksums every piece, which would bless a flipped payload bit),
 *     so their flipped bit is taken from the IPv4 header, whose checksum
 *     every receiver verifies (RFC 791, RFC 1122 3.2.1.2).
 *
 * Memory is bounded: at most FAULT_MAX_HELD datagrams are held per
 * direction (a datagram drawn for reordering when that many are held goes
 * through in order and counts in hold_full). Held datagrams are released
 * by later traffic or by time: the driver calls fault_advance at
 * fault_next_deadline. fault_flush releases them all at once.
 *
 * Pure C: no clock, no I/O, no globals; time comes in as `now` (ns). */
#ifndef SYNACK_FAULT_H
#define SYNACK_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

#define FAULT_MAX_HELD 64u
#define FAULT_DEFAULT_DEPTH 3u
#define FAULT_DEFAULT_DELAY SYNACK_MSEC(10)

/* The faults of one direction. */
typedef struct fault_params {
    double loss, dup, reorder, corrupt;    /* probabilities 0..1 */
    uint32_t depth;         /* reorder: later datagrams that overtake a held
                               one (1..FAULT_MAX_HELD; 0: the default) */
    synack_time delay;      /* reorder: longest hold (0: the default) */
    uint64_t seed;          /* generator seed of this direction */
} fault_params;

typedef struct fault_config {
    fault_params in;        /* device -> stack */
    fault_params out;       /* stack -> device */
} fault_config;

typedef enum fault_dir { FAULT_IN = 0, FAULT_OUT = 1 } fault_dir;

/* What the layer did in one direction. At any time
 *   packets - lost + duplicated == delivered + held_copies
 * (held_copies: datagrams still held, a duplicated one counting twice). */
typedef struct fault_stats {
    uint64_t packets;       /* datagrams offered */
    uint64_t delivered;     /* datagrams passed on, copies included */
    uint64_t lost;
    uint64_t corrupted;
    uint64_t duplicated;
    uint64_t reordered;     /* held back */
    uint64_t released_by_count; /* held ones overtaken by `depth` others */
    uint64_t released_by_time;  /* held ones released after `delay` */
    uint64_t released_flushed;  /* held ones released by fault_flush */
    uint64_t hold_full;     /* drawn for reordering, not held: full */
    uint64_t held;          /* held now */
    uint64_t held_max;      /* most held at once */
} fault_stats;

/* Passes an outgoing datagram on to the device. info is NULL for a
 * complete datagram, as with synack_config.tx. */
typedef void (*fault_tx_fn)(void *ctx, const uint8_t *pkt, size_t len,
                            const synack_tx_info *info);
/* Passes an incoming datagram on to the stack (synack_input_flags). */
typedef void (*fault_rx_fn)(void *ctx, const uint8_t *pkt, size_t len, unsigned in_flags,
                            synack_time now);

typedef struct fault fault;

/* Sets every field of cfg to "no faults" with the default depth, delay
 * and seed 1 in both directions. */
void fault_config_default(fault_config *cfg);

/* 1 if any probability of cfg is nonzero. */
int fault_config_active(const fault_config *cfg);

/* Creates the layer. tx and rx receive what survives; either may be NULL
 * if that direction is never used. Returns 0 and sets *out, or
 * SYNACK_EINVAL (a probability outside 0..1, depth too large) or
 * SYNACK_ENOMEM. */
int fault_new(const fault_config *cfg, fault_tx_fn tx, fault_rx_fn rx, void *ctx, fault **out);

/* Frees the layer; datagrams still held are discarded. */
void fault_free(fault *f);

/* A datagram the stack sends at time now (info as tx_offload's, or NULL). */
void fault_out(fault *f, const uint8_t *pkt, size_t len, const synack_tx_info *info,
               synack_time now);

/* A datagram the device delivered at time now, with its SYNACK_IN_* flags. */
void fault_in(fault *f, const uint8_t *pkt, size_t len, unsigned in_flags, synack_time now);

/* Releases held datagrams whose delay ran out by now. */
void fault_advance(fault *f, synack_time now);

/* When fault_advance next has work, or SYNACK_TIME_NEVER. */
synack_time fault_next_deadline(const fault *f);

/* Releases every held datagram now, oldest first in each direction. */
void fault_flush(fault *f, synack_time now);

void fault_stats_get(const fault *f, fault_dir dir, fault_stats *out);

/* Parses "loss=0.01,dup=0.005,reorder=1%,corrupt=0,depth=3,delay=10ms,
 * seed=7" into p, changing only the keys given. A probability is a
 * number in [0, 1] or a percentage ("1%"); delay takes a unit (ns, us,
 * ms, s; bare numbers are ms). Returns 0, or -1 with a one-line reason in
 * err. */
int fault_parse(const char *spec, fault_params *p, char *err, size_t errlen);

/* One line describing p ("loss 1% dup 0.5% reorder 1% (depth 3, delay
 * 10 ms) corrupt 0% seed 7") into buf. Returns buf. */
const char *fault_describe(const fault_params *p, char *buf, size_t len);

#endif
