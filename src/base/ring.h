/* ring.h — a byte ring buffer for the send and receive queues.
 *
 * The storage is allocated lazily (on the first write) so an idle
 * connection costs no buffer memory; it is released by ring_free. All
 * operations are O(1) or O(bytes copied). */
#ifndef SYNACK_RING_H
#define SYNACK_RING_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

typedef struct ring {
    uint8_t *buf;       /* NULL until the first write */
    uint32_t cap;       /* capacity in bytes (fixed at init) */
    uint32_t head;      /* offset of the first byte */
    uint32_t len;       /* bytes held */
} ring;

static inline void ring_init(ring *r, uint32_t cap) { r->buf = NULL; r->cap = cap; r->head = 0; r->len = 0; }
static inline uint32_t ring_free_space(const ring *r) { return r->cap - r->len; }

/* Appends up to n bytes; returns how many fit, or -1 if the storage
 * could not be allocated. */
long ring_write(ring *r, const void *src, size_t n,
                synack_alloc_fn alloc, void *actx);

/* Copies n bytes starting off bytes after the head into dst (n + off must
 * not exceed len). Does not consume. */
void ring_peek(const ring *r, uint32_t off, void *dst, uint32_t n);

/* Drops n bytes from the head (n <= len). */
void ring_consume(ring *r, uint32_t n);

/* Releases the storage. */
void ring_free(ring *r, synack_free_fn fr, void *actx);

#endif
