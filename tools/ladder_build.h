/* ladder_build.h — fills a ladder model from a simulated run: the trace
 * events of two stacks (segments sent, states, timers, drops, errors) and
 * the simulator's report of what happened to each packet (delivered when,
 * or lost).
 *
 * Usage: ladder_builder_init, then pass ladder_builder_observer with a
 * ladder_tap as the observer of each stack's config (before
 * sim_add_stack), and ladder_builder_packet as the sim's packet observer.
 * The stack reports a segment before handing it to the network, so a fate
 * is matched to the latest segment row from the same end with the same
 * sequence, acknowledgment, flags and length that has no fate yet.
 *
 * An end's lifeline stands for the end as a whole: a listening server
 * whose half-open connection dies before it is established (reset, or
 * SYN-ACK retries exhausted) is drawn going back to LISTEN — RFC 9293
 * 3.10.7.4 "return this connection to LISTEN state" — although the
 * engine reports the connection record itself as CLOSED, because the
 * listener it came from is still there. */
#ifndef SYNACK_LADDER_BUILD_H
#define SYNACK_LADDER_BUILD_H

#include "ladder_model.h"
#include "sim/sim.h"

typedef struct ladder_builder ladder_builder;

#define LADDER_PASSIVE_MAX 16

/* What a stack's observer context points to: the builder and the end. */
typedef struct ladder_tap {
    ladder_builder *b;
    int side;
} ladder_tap;

struct ladder_builder {
    ladder_model *m;
    ladder_tap tap[2];
    unsigned inject_marks;      /* marks for the next injected packet */
    /* Half-open connections each end created from LISTEN (conn ids). */
    uint32_t passive[2][LADDER_PASSIVE_MAX];
    size_t npassive[2];
};

void ladder_builder_init(ladder_builder *b, ladder_model *m);

/* synack_observer_fn; ctx is a ladder_tap. */
void ladder_builder_observer(void *ctx, const synack_trace_event *ev);

/* sim_observer_fn; ctx is the ladder_builder. */
void ladder_builder_packet(void *ctx, const sim_packet_event *ev);

#endif
