/* sim_queue.h — the in-flight packet queue: a binary min-heap ordered by
 * (delivery time, insertion number). The insertion number makes ties
 * deterministic: two packets due at the same instant arrive in the order
 * they were queued. Private to drivers/sim. */
#ifndef SYNACK_SIM_QUEUE_H
#define SYNACK_SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

typedef struct sim_pkt {
    synack_time at;            /* delivery time */
    uint64_t order;            /* insertion number, the tie-breaker */
    int from, to;              /* from -1: injected */
    size_t len;
    uint8_t data[];
} sim_pkt;

typedef struct sim_queue {
    sim_pkt **heap;
    size_t n, cap;
    uint64_t next_order;
} sim_queue;

/* Allocates a packet holding a copy of len bytes, or NULL. */
sim_pkt *sim_pkt_new(const uint8_t *data, size_t len);

/* Stamps p with the next insertion number and adds it. Returns 0 or -1
 * (out of memory; p is not taken then). */
int sim_queue_push(sim_queue *q, sim_pkt *p);

/* The earliest packet, or NULL. */
const sim_pkt *sim_queue_peek(const sim_queue *q);

/* Removes and returns the earliest packet (the caller frees it), or NULL. */
sim_pkt *sim_queue_pop(sim_queue *q);

/* Frees every queued packet and the heap. */
void sim_queue_clear(sim_queue *q);

#endif
