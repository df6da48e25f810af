/* b2b_link.h — the in-memory link between two synack stacks: one FIFO of
 * packet buffers (copies of what a stack's tx callback handed over), in
 * sending order, with the destination stack of each. No faults except an
 * optional deterministic loss of every k-th data-carrying TCP segment.
 *
 * Zero copy by default: the stacks build each datagram right in the next
 * free slot (synack_config.tx_buffer), so tx only commits it, and each run
 * of queued packets for one stack is handed over as one input batch
 * (synack_batch_begin/end). With b2b_link_copy set (bench-b2b --link-copy)
 * the link uses the plain driver API instead: tx copies every packet and
 * packets go in one by one, as in the lwIP harness.
 *
 * With b2b_link_offload set (bench-b2b's bulk_offload phase) the link
 * has the offloads of a Linux veth pair: the stacks hand over TCP
 * super-segments of up to 64 KiB (TSO, synack_config.tso_max) with partial
 * checksums, and the link delivers them whole to the other stack with
 * SYNACK_IN_CSUM_VALID, as a veth passes a GSO packet with
 * CHECKSUM_PARTIAL to its peer without cutting or summing it. The MTU
 * (and so the MSS) stays 1500.
 *
 * A slot stays owned by the FIFO while its packet is being processed, so
 * the packets that processing emits can never overwrite it. When the FIFO
 * runs empty it restarts at slot 0: a bulk transfer reuses a few hot
 * slots instead of walking the whole array through the cache. */
#ifndef B2B_LINK_H
#define B2B_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

#define B2B_SLOT_BYTES 1536u        /* an MTU-1500 datagram, rounded up */
#define B2B_TSO_MAX (65535u - 80u)  /* payload of a super-segment (as TUN) */
#define B2B_OFFLOAD_SLOT_BYTES 65536u

typedef struct b2b_slot {
    uint32_t len;
    uint32_t dst;                   /* index into b2b_link.stacks */
    unsigned in_flags;              /* SYNACK_IN_* for synack_input_flags */
    uint8_t *bytes;                 /* slot_bytes of the link's store */
} b2b_slot;

typedef struct b2b_link {
    b2b_slot *slots;
    uint8_t *store;                 /* cap * slot_bytes */
    uint32_t slot_bytes;
    uint32_t cap, head, tail;       /* tail - head slots are queued */
    synack_stack *stacks[2];
    uint32_t loss_every;            /* 0: none; k: drop every k-th data segment */
    uint64_t data_segs;             /* data-carrying segments offered */
    uint64_t lost;                  /* dropped by loss_every */
    uint64_t overflow;              /* dropped because the FIFO was full */
    uint64_t delivered;
} b2b_link;

/* The tx callback context of one stack: which link, and where its packets go. */
typedef struct b2b_port {
    b2b_link *link;
    uint32_t dst;
} b2b_port;

/* Set before b2b_pair_init: copy in tx instead of lending slots. */
extern int b2b_link_copy;
/* Set before b2b_pair_init: a link with TSO and checksum offload. */
extern int b2b_link_offload;

int  b2b_link_init(b2b_link *l, uint32_t cap);
void b2b_link_free(b2b_link *l);
/* synack_tx_fn: ctx is a b2b_port. */
void b2b_link_tx(void *ctx, const uint8_t *pkt, size_t len);
/* synack_tx_offload_fn (b2b_link_offload): a partial checksum arrives
 * marked valid, a super-segment whole. */
void b2b_link_tx_offload(void *ctx, const uint8_t *pkt, size_t len, const synack_tx_info *info);
/* synack_tx_buffer_fn: the next free slot, or NULL when the FIFO is full. */
uint8_t *b2b_link_tx_buffer(void *ctx, size_t cap);
/* Delivers queued packets (and those they cause) until the FIFO is
 * empty, at clock time now. Returns how many were delivered. */
uint64_t b2b_link_pump(b2b_link *l, synack_time now);
static inline int b2b_link_empty(const b2b_link *l) { return l->head == l->tail; }

#endif
