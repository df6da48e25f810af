/* b2b_link.c — the in-memory FIFO link between two stacks (b2b_link.h). */
#include "b2b_link.h"

#include <stdlib.h>
#include <string.h>

int b2b_link_copy;
int b2b_link_offload;

int b2b_link_init(b2b_link *l, uint32_t cap)
{
    memset(l, 0, sizeof(*l));
    l->slot_bytes = b2b_link_offload ? B2B_OFFLOAD_SLOT_BYTES : B2B_SLOT_BYTES;
    l->slots = malloc((size_t)cap * sizeof(*l->slots));
    l->store = malloc((size_t)cap * l->slot_bytes);
    l->cap = cap;
    if (!l->slots || !l->store) {
        b2b_link_free(l);
        return -1;
    }
    for (uint32_t i = 0; i < cap; i++)
        l->slots[i].bytes = l->store + (size_t)i * l->slot_bytes;
    return 0;
}

void b2b_link_free(b2b_link *l)
{
    free(l->slots);
    free(l->store);
    l->slots = NULL;
    l->store = NULL;
}

/* Payload bytes of an IPv4/TCP datagram, from its header fields (the
 * stack built it, so it is well formed). */
static uint32_t tcp_payload_len(const uint8_t *pkt, size_t len)
{
    if (len < 40 || pkt[9] != 6)
        return 0;
    size_t ihl = (size_t)(pkt[0] & 15u) * 4u;
    size_t doff = (size_t)(pkt[ihl + 12] >> 4) * 4u;
    return len > ihl + doff ? (uint32_t)(len - ihl - doff) : 0;
}

uint8_t *b2b_link_tx_buffer(void *ctx, size_t cap)
{
    b2b_link *l = ((b2b_port *)ctx)->link;
    if (cap > l->slot_bytes || l->tail - l->head >= l->cap)
        return NULL;
    return l->slots[l->tail % l->cap].bytes;
}

static void enqueue(b2b_port *p, const uint8_t *pkt, size_t len, unsigned in_flags)
{
    b2b_link *l = p->link;
    if (l->loss_every && tcp_payload_len(pkt, len) > 0 &&
        ++l->data_segs % l->loss_every == 0) {
        l->lost++;
        return;
    }
    if (l->tail - l->head >= l->cap || len > l->slot_bytes) {
        l->overflow++;
        return;
    }
    b2b_slot *s = &l->slots[l->tail % l->cap];
    s->len = (uint32_t)len;
    s->dst = p->dst;
    s->in_flags = in_flags;
    if (pkt != s->bytes)        /* built elsewhere, not in the lent slot */
        memcpy(s->bytes, pkt, len);
    l->tail++;
}

void b2b_link_tx(void *ctx, const uint8_t *pkt, size_t len)
{
    enqueue(ctx, pkt, len, 0);
}

void b2b_link_tx_offload(void *ctx, const uint8_t *pkt, size_t len, const synack_tx_info *info)
{
    enqueue(ctx, pkt, len, info && info->csum_partial ? SYNACK_IN_CSUM_VALID : 0);
}

uint64_t b2b_link_pump(b2b_link *l, synack_time now)
{
    uint64_t n = 0;
    while (l->head != l->tail) {
        /* The run of queued packets for one stack goes in as one input
         * batch (what arrives together is answered together), unless
         * batches are off (--link-copy: the plain driver API) or the run
         * is a single packet (nothing to gather). */
        uint32_t dst = l->slots[l->head % l->cap].dst;
        synack_stack *st = l->stacks[dst];
        int batch = !b2b_link_copy && l->tail - l->head > 1 &&
                    l->slots[(l->head + 1) % l->cap].dst == dst;
        if (batch)
            synack_batch_begin(st);
        while (l->head != l->tail && l->slots[l->head % l->cap].dst == dst) {
            b2b_slot *s = &l->slots[l->head % l->cap];
            synack_input_flags(st, s->bytes, s->len, now, s->in_flags);
            l->head++;
            n++;
        }
        if (batch)
            synack_batch_end(st);
    }
    l->head = l->tail = 0;
    l->delivered += n;
    return n;
}
