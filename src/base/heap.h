/* heap.h — an intrusive binary min-heap of deadlines.
 *
 * Each connection embeds one heap_node holding its earliest timer; the
 * stack's next deadline is the root. Insert, update and remove are
 * O(log n), the minimum is O(1). The heap grows its array through the
 * stack's allocator and never shrinks. */
#ifndef SYNACK_HEAP_H
#define SYNACK_HEAP_H

#include <stdint.h>

#include "synack.h"

typedef struct heap_node {
    synack_time key;
    uint32_t idx;           /* position in the heap, HEAP_NONE if absent */
} heap_node;

#define HEAP_NONE UINT32_MAX

typedef struct heap {
    heap_node **v;
    uint32_t n, cap;
} heap;

/* Sets node's key and places it (inserting if absent). key ==
 * SYNACK_TIME_NEVER removes it. Returns 0, or -1 if the array could not
 * grow (the node is then absent). */
int heap_set(heap *h, heap_node *node, synack_time key, synack_alloc_fn alloc,
             synack_free_fn fr, void *actx);
/* Makes room for cap nodes up front: heap_set then never allocates (and
 * never fails) while the heap holds fewer. Returns 0, or -1 without
 * memory (the heap is unchanged). */
int heap_reserve(heap *h, uint32_t cap, synack_alloc_fn alloc, synack_free_fn fr, void *actx);
void heap_remove(heap *h, heap_node *node);
static inline heap_node *heap_min(const heap *h) { return h->n ? h->v[0] : 0; }
void heap_release(heap *h, synack_free_fn fr, void *actx);

#endif
