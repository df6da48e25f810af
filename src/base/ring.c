/* ring.c — byte ring buffer (see ring.h). */
#include "base/ring.h"

#include <string.h>

long ring_write(ring *r, const void *src, size_t n, synack_alloc_fn alloc, void *actx)
{
    if (n > ring_free_space(r))
        n = ring_free_space(r);
    if (n == 0)
        return 0;
    if (!r->buf) {
        r->buf = alloc(actx, r->cap);
        if (!r->buf)
            return -1;
        r->head = 0;
    }
    uint32_t tail = (r->head + r->len) % r->cap;
    uint32_t first = r->cap - tail;
    if (first > n)
        first = (uint32_t)n;
    memcpy(r->buf + tail, src, first);
    memcpy(r->buf, (const uint8_t *)src + first, n - first);
    r->len += (uint32_t)n;
    return (long)n;
}

void ring_peek(const ring *r, uint32_t off, void *dst, uint32_t n)
{
    if (n == 0)
        return;
    uint32_t start = (r->head + off) % r->cap;
    uint32_t first = r->cap - start;
    if (first > n)
        first = n;
    memcpy(dst, r->buf + start, first);
    memcpy((uint8_t *)dst + first, r->buf, n - first);
}

void ring_consume(ring *r, uint32_t n)
{
    r->len -= n;
    r->head = r->len ? (r->head + n) % r->cap : 0;
}

void ring_free(ring *r, synack_free_fn fr, void *actx)
{
    if (r->buf)
        fr(actx, r->buf);
    r->buf = NULL;
    r->head = r->len = 0;
}
