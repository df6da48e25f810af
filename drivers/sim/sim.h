/* sim.h — a simulated network: nodes joined by lossy virtual links on a
 * virtual clock, deterministic for a given seed.
 *
 * Two layers:
 *
 *  - The event core (sim.c, sim_link.c, sim_queue.c) knows nothing about
 *    TCP or the stack. A node is an IPv4 address plus callbacks
 *    (sim_node_ops): deliver a packet; optionally report a deadline and
 *    be advanced to a time; optionally be destroyed with the network.
 *    Packets a node sends (sim_send) are routed by IPv4 destination
 *    address, pass through the directed link from->to (serialization,
 *    tail-drop queue, faults, propagation delay) and wait in a priority
 *    queue ordered by (delivery time, insertion number), so ties are
 *    broken by the order packets were sent. The clock only moves forward.
 *
 *  - The stack adapter (sim_stack.c) turns a synack_stack into a node:
 *    its tx callback copies datagrams into the network, deliver calls
 *    synack_input, deadline/advance map to synack_next_deadline and
 *    synack_advance.
 *
 * Callbacks (deliver, advance, the stack's tx, observers) run inside
 * sim_step. A node's transmit path must only call sim_send (which copies
 * the packet into the queue); it must never call back into a node.
 *
 * Node ids are small integers from 0 in the order nodes were added. */
#ifndef SYNACK_SIM_H
#define SYNACK_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sim_net sim_net;

/* ------------------------------------------------------------- links */

/* Parameters of one directed link (from -> to). */
typedef struct sim_link {
    synack_time delay;         /* one-way propagation delay (default 1 ms) */
    uint64_t rate_bps;         /* serialization rate, 0 = infinite; packets
                                  queue behind each other */
    size_t queue_limit;        /* packets accepted and not yet fully
                                  serialized (the one on the wire included);
                                  tail drop beyond it; 0 = unlimited */
    double loss, dup, reorder, corrupt;   /* probabilities 0..1 */
    synack_time reorder_extra; /* extra delay of a reordered packet;
                                  0 means "equal to delay" (the default) */
} sim_link;

/* Fills l with the defaults: 1 ms delay, infinite rate, no queue limit,
 * no faults. */
void sim_link_default(sim_link *l);

/* ------------------------------------------------------------- nodes */

typedef struct sim_node_ops {
    /* Required: a packet arrived at time now. pkt is valid only during
     * the call. */
    void (*deliver)(void *ctx, const uint8_t *pkt, size_t len, synack_time now);
    /* Optional: earliest time the node wants advance() called, or
     * SYNACK_TIME_NEVER. */
    synack_time (*deadline)(void *ctx);
    /* Optional: the clock moved to now (called before every delivery and
     * whenever the node's deadline is due). */
    void (*advance)(void *ctx, synack_time now);
    /* Optional: called by sim_free to release ctx. */
    void (*destroy)(void *ctx);
} sim_node_ops;

/* Creates an empty network at time 0 whose fault decisions come from a
 * PRNG seeded with seed. Returns NULL when out of memory. */
sim_net *sim_new(uint64_t seed);

/* Frees the network, every packet in flight, and every node (calling its
 * destroy op, which for stacks frees the stack). NULL is ignored. */
void sim_free(sim_net *n);

/* Adds a node answering for IPv4 address addr (host byte order). Links to
 * and from it start with sim_link_default. Returns the node id (>= 0), or
 * SYNACK_EINVAL (no deliver op, address 0 or already taken) or
 * SYNACK_ENOMEM. ops is copied. */
int sim_add_node(sim_net *n, uint32_t addr, const sim_node_ops *ops, void *ctx);

/* Number of nodes; the node answering for addr, or -1. */
int sim_node_count(const sim_net *n);
int sim_node_by_addr(const sim_net *n, uint32_t addr);
uint32_t sim_node_addr(const sim_net *n, int node);

/* Sets / reads the parameters of the directed link from -> to. Returns 0
 * or SYNACK_EINVAL (bad node id or probability outside 0..1). */
int sim_set_link(sim_net *n, int from, int to, const sim_link *l);
int sim_get_link(const sim_net *n, int from, int to, sim_link *out);

/* ----------------------------------------------------------- sending */

/* Node `from` transmits an IPv4 datagram now. The bytes are copied. The
 * destination node is found from the IPv4 destination address (bytes
 * 16..19); a datagram too short to carry one, or addressed to no node,
 * is counted in no_route and dropped. Returns the packet's fate (see
 * sim_fate) or SYNACK_EINVAL / SYNACK_ENOMEM. */
int sim_send(sim_net *n, int from, const uint8_t *pkt, size_t len);

/* Delivers a hand-made datagram to node `to` now (synchronously, after
 * bringing every node's clock to now), bypassing links and faults. It is
 * captured and reported to the observer with from = -1. Must not be called
 * from inside a callback. Returns 0 or SYNACK_EINVAL. */
int sim_inject(sim_net *n, int to, const uint8_t *pkt, size_t len);

/* Schedules a hand-made datagram for delivery to node `to` at time t
 * (>= now), bypassing links and faults; from = -1 in observer events.
 * Use it to replay an old duplicate segment later in a run. Returns 0,
 * SYNACK_EINVAL or SYNACK_ENOMEM. */
int sim_inject_at(sim_net *n, int to, const uint8_t *pkt, size_t len, synack_time t);

/* --------------------------------------------------- targeted drops */

/* Returns nonzero if the packet is one the rule is looking for. */
typedef int (*sim_match_fn)(void *ctx, const uint8_t *pkt, size_t len);

/* Arms a one-shot rule: drop the nth (1-based) packet sent on from -> to
 * for which match returns nonzero (match NULL matches every packet). The
 * packet is reported as SIM_LOST. Several rules may be armed at once;
 * each counts matching packets independently. Counting starts at the
 * next packet sent. ctx must stay valid while the rule is armed. Returns
 * 0 or SYNACK_EINVAL / SYNACK_ENOMEM. */
int sim_drop_nth(sim_net *n, int from, int to, sim_match_fn match, void *ctx,
                 unsigned nth);

/* Rules armed and not yet fired. */
int sim_drop_rules_pending(const sim_net *n);

/* Ready-made matcher: ctx points to a sim_tcp_flags; matches TCP segments
 * (in well-formed IPv4) whose flags satisfy (flags & mask) == set. E.g.
 * {SYNACK_TCP_SYN, SYNACK_TCP_SYN | SYNACK_TCP_ACK} matches a bare SYN,
 * {SYNACK_TCP_ACK, 0xff} a pure ACK. */
typedef struct sim_tcp_flags {
    uint8_t set, mask;
} sim_tcp_flags;
int sim_match_tcp_flags(void *ctx, const uint8_t *pkt, size_t len);

/* Ready-made matcher: TCP segments carrying payload (ctx unused). */
int sim_match_tcp_data(void *ctx, const uint8_t *pkt, size_t len);

/* ---------------------------------------------------------- observing */

typedef enum sim_fate {
    SIM_DELIVERED = 0,   /* will arrive intact at .delivered */
    SIM_LOST,            /* lost on the link (random loss or a drop rule) */
    SIM_DUPLICATED,      /* arrives at .delivered and again at .dup_delivered */
    SIM_REORDERED,       /* held back by reorder_extra; arrives at .delivered */
    SIM_CORRUPTED,       /* arrives at .delivered with bit .bit flipped */
    SIM_QUEUE_DROP,      /* tail-dropped: the link's queue was full */
    SIM_NO_ROUTE,        /* no node has the destination address */
    SIM_FATE_COUNT
} sim_fate;

/* "delivered", "lost", ... Never NULL. */
const char *sim_fate_name(int fate);

/* Bits of sim_packet_event.effects. */
#define SIM_EFFECT(f) (1u << (f))

typedef struct sim_packet_event {
    uint64_t id;              /* 1, 2, ... in send order */
    synack_time sent;         /* when the sender handed it over */
    synack_time delivered;    /* arrival; SYNACK_TIME_NEVER if dropped */
    synack_time dup_delivered;/* arrival of the copy, or SYNACK_TIME_NEVER */
    int from, to;             /* node ids; from -1 = injected; to -1 = no route */
    const uint8_t *pkt;       /* bytes as sent (before any corruption) */
    size_t len;
    sim_fate fate;            /* the one fate to draw: a drop if any, else
                                 CORRUPTED > REORDERED > DUPLICATED > DELIVERED */
    unsigned effects;         /* SIM_EFFECT() of everything that happened;
                                 SIM_DELIVERED is set whenever it arrives */
    size_t bit;               /* CORRUPTED: index of the flipped bit
                                 (bit 7 of byte 0 is index 0) */
    int by_rule;              /* LOST by a sim_drop_nth rule, not chance */
} sim_packet_event;

typedef void (*sim_observer_fn)(void *ctx, const sim_packet_event *ev);

/* Reports every packet once, when it is sent (its fate is decided then).
 * fn NULL removes the observer. The observer must not call into the sim. */
void sim_set_observer(sim_net *n, sim_observer_fn fn, void *ctx);

/* Writes every packet as sent, at its send time, to a pcap file (see
 * drivers/pcap/pcap_writer.h); injected packets at their delivery time.
 * A second call replaces the file; path NULL stops capturing. Returns 0
 * or a negative errno-style code. */
int sim_capture(sim_net *n, const char *pcap_path);

typedef struct sim_stats {
    uint64_t sent;            /* packets handed to sim_send */
    uint64_t delivered;       /* deliver callbacks made (copies included) */
    uint64_t injected;
    uint64_t lost, lost_by_rule, duplicated, reordered, corrupted;
    uint64_t queue_drops, no_route;
    uint64_t capture_errors;  /* pcap writes that failed */
} sim_stats;

void sim_stats_get(const sim_net *n, sim_stats *out);

/* ------------------------------------------------------------ running */

synack_time sim_now(const sim_net *n);

/* Time of the next event: the earliest packet delivery or node deadline
 * (never earlier than now), or SYNACK_TIME_NEVER if nothing is pending. */
synack_time sim_next_event(const sim_net *n);

/* One step: moves the clock to sim_next_event, advances every node to the
 * new time (which fires the timers of those due), then delivers the first
 * packet due at that time, if any. Returns 1 if it did something, 0 if
 * nothing was pending, -1 if a node still reported a deadline at or
 * before now after being advanced (it would make the loop spin). */
int sim_step(sim_net *n);

/* Steps through every event up to and including time t, then moves the
 * clock (and every node) to t if it is later. Returns 0, or -1 as
 * sim_step. */
int sim_run_until(sim_net *n, synack_time t);
int sim_run_for(sim_net *n, synack_time dt);

/* Steps until nothing is pending, without passing now + limit. Returns 1
 * if the network went idle, 0 if the limit was reached first (the clock
 * is then at now + limit), -1 as sim_step. */
int sim_run_until_idle(sim_net *n, synack_time limit);

/* ------------------------------------------------------ stack adapter */

/* Joins a synack stack to the network: sets cfg->tx/tx_ctx to the sim's
 * and turns offloads off (tx_offload NULL, tso_max 0, csum_offload 0: the
 * link carries whole checksummed datagrams), keeps cfg->observer, creates
 * the stack with synack_stack_new, brings its clock to the current
 * virtual time and registers a node for cfg->addr. The network owns the
 * stack: sim_free frees it. Returns the node id (>= 0) and sets
 * *out, or SYNACK_EINVAL / SYNACK_ENOMEM / synack_stack_new's error. */
int sim_add_stack(sim_net *n, synack_config *cfg, synack_stack **out);

#ifdef __cplusplus
}
#endif
#endif
