/* ring.h — a byte ring buffer for the send and receive queues.
 *
 * Storage grows on demand (doubling, up to the fixed capacity) and can be
 * released when empty, so an idle connection holds no buffer memory.
 * Bytes can also be written at an offset beyond the current length and
 * committed later: the receive queue keeps out-of-order data right where
 * it belongs, and a filled hole costs no second copy. */
#ifndef SYNACK_RING_H
#define SYNACK_RING_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

/* A ring's first allocation; it doubles from there. (The stack caches
 * freed buffers of exactly this size: stack_impl.h.) */
#define RING_FIRST_ALLOC 2048u

typedef struct ring {
    uint8_t *buf;       /* NULL until the first write */
    uint32_t size;      /* bytes allocated (<= cap) */
    uint32_t cap;       /* most bytes it may ever hold */
    uint32_t head;      /* offset of the first byte in buf */
    uint32_t len;       /* committed bytes */
} ring;

static inline void ring_init(ring *r, uint32_t cap)
{
    r->buf = NULL;
    r->size = 0;
    r->cap = cap;
    r->head = 0;
    r->len = 0;
}
static inline uint32_t ring_free_space(const ring *r) { return r->cap - r->len; }

/* Appends up to n bytes; returns how many fit, or -1 if storage could not
 * be allocated. */
long ring_write(ring *r, const void *src, size_t n, synack_alloc_fn alloc,
                synack_free_fn fr, void *actx);

/* Writes n bytes at offset off from the head without committing them
 * (off + n <= cap). Returns 0, or -1 if storage could not be allocated. */
int ring_write_at(ring *r, uint32_t off, const void *src, uint32_t n,
                  synack_alloc_fn alloc, synack_free_fn fr, void *actx);

/* Makes n bytes already written after the committed ones part of it. */
static inline void ring_commit(ring *r, uint32_t n) { r->len += n; }

/* ring_write_at that also adds the bytes to the running Internet checksum
 * *sum (wire_csum_copy semantics: a piece starting at an even offset of
 * the checksummed data), copying and summing in one pass: the receive
 * path places a segment's payload and verifies its checksum at once. */
int ring_write_at_csum(ring *r, uint32_t off, const void *src, uint32_t n, uint32_t *sum,
                       synack_alloc_fn alloc, synack_free_fn fr, void *actx);

/* Copies n bytes starting off bytes after the head into dst (off + n <=
 * len, or bytes written with ring_write_at). Does not consume. */
void ring_peek(const ring *r, uint32_t off, void *dst, uint32_t n);

/* ring_peek that also returns the Internet checksum running sum of the
 * bytes (wire_csum_add semantics), copying and summing in one pass. */
uint32_t ring_peek_csum(const ring *r, uint32_t off, void *dst, uint32_t n);

/* Zero-copy access (the synack_recv_peek and synack_send_reserve calls).
 *
 * ring_readable sets *p to the first committed byte and returns how many
 * committed bytes lie contiguous there: all of them, or those up to the
 * end of the storage when they wrap (the rest starts at offset 0). An
 * empty ring gives 0 and *p NULL. */
uint32_t ring_readable(const ring *r, const uint8_t **p);

/* Storage right after the committed bytes, up to the end of the storage
 * or to the head, whichever comes first: *p gets its start (NULL when
 * there is none) and the count is returned. Only for a ring holding
 * nothing beyond len (a send queue): it overlaps bytes written there with
 * ring_write_at. Never allocates, so it is the bound a commit of bytes
 * written into the ring must respect. */
uint32_t ring_tail_room(const ring *r, uint8_t **p);

/* Grows the storage as ring_write of min(want, free space) bytes would,
 * then returns ring_tail_room capped at that amount: the contiguous bytes
 * a caller may fill and then ring_commit. 0 (and *p NULL) when the ring
 * is full or want is 0; -1 (and *p NULL) if storage could not be
 * allocated. */
long ring_writable(ring *r, uint32_t want, uint8_t **p, synack_alloc_fn alloc,
                   synack_free_fn fr, void *actx);

/* Drops n bytes from the head (n <= len). */
void ring_consume(ring *r, uint32_t n);

/* Releases the storage (the ring must hold nothing worth keeping). */
void ring_free(ring *r, synack_free_fn fr, void *actx);

/* Storage an empty ring keeps: a small buffer (request/response traffic)
 * is released so idle connections cost nothing; a large one (bulk
 * traffic) is kept, since it would be grown again right away. */
#define RING_KEEP_ABOVE 8192u
static inline int ring_trimmable(const ring *r)
{
    return r->len == 0 && r->size <= RING_KEEP_ABOVE;
}

#endif
