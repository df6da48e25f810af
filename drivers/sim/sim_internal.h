/* sim_internal.h — the simulator's private state, shared by sim.c (nodes,
 * clock, event loop, capture) and sim_link.c (links, faults, drop rules,
 * the send path). Nothing outside drivers/sim includes it. */
#ifndef SYNACK_SIM_INTERNAL_H
#define SYNACK_SIM_INTERNAL_H

#include "pcap/pcap_writer.h"
#include "sim/sim.h"
#include "sim/sim_queue.h"
#include "sim/sim_rng.h"

typedef struct sim_node {
    uint32_t addr;
    sim_node_ops ops;
    void *ctx;
} sim_node;

/* One directed link: its parameters and its transmitter's state. */
typedef struct sim_linkstate {
    sim_link p;
    synack_time busy_until;     /* when the transmitter finishes its backlog */
    synack_time *departs;       /* FIFO of serialization end times, */
    size_t head, tail, cap;     /* [head, tail) are still being sent */
} sim_linkstate;

typedef struct sim_rule {
    int from, to;
    sim_match_fn match;
    void *ctx;
    unsigned nth, seen;
    int armed;
} sim_rule;

struct sim_net {
    synack_time now;
    sim_rng rng;
    sim_queue q;
    sim_node *nodes;
    int nnodes, node_cap;
    sim_linkstate *links;       /* node_cap * node_cap, [from * node_cap + to] */
    sim_rule *rules;
    size_t nrules, rule_cap;
    sim_observer_fn observer;
    void *observer_ctx;
    pcap_writer *capture;
    uint64_t next_id;
    sim_stats stats;
};

/* The link from -> to (both valid node ids). */
static inline sim_linkstate *sim_linkstate_of(sim_net *n, int from, int to)
{
    return &n->links[(size_t)from * (size_t)n->node_cap + (size_t)to];
}

/* Writes pkt to the capture file, if any, counting failures. */
void sim_capture_packet(sim_net *n, synack_time t, const uint8_t *pkt, size_t len);

/* Hands ev to the observer, if any. */
void sim_report(sim_net *n, const sim_packet_event *ev);

/* Grows the link matrix to new_cap nodes, keeping existing links. */
int sim_links_grow(sim_net *n, int new_cap);

/* Frees every link's FIFO and the matrix, and the drop rules. */
void sim_links_free(sim_net *n);

#endif
