/* ring.c — growable byte ring buffer (see ring.h). */
#include "base/ring.h"

#include "wire/wire.h"

#include <string.h>

/* Ensures storage for offsets [0, need) from the head, growing by
 * doubling. Growth copies the whole old buffer in order, so bytes written
 * beyond len with ring_write_at survive it. */
static int reserve(ring *r, uint32_t need, synack_alloc_fn alloc, synack_free_fn fr, void *actx)
{
    if (need <= r->size)
        return 0;
    if (need > r->cap)
        return -1;      /* beyond what the ring may ever hold (a caller bug) */
    uint32_t nsize = r->size ? r->size : RING_FIRST_ALLOC;
    while (nsize < need)
        nsize = nsize > r->cap / 2 ? r->cap : nsize * 2;
    if (nsize > r->cap)
        nsize = r->cap;
    uint8_t *nb = alloc(actx, nsize);
    if (!nb)
        return -1;
    if (r->buf) {
        uint32_t first = r->size - r->head;
        memcpy(nb, r->buf + r->head, first);
        memcpy(nb + first, r->buf, r->head);
        fr(actx, r->buf);
    }
    r->buf = nb;
    r->size = nsize;
    r->head = 0;
    return 0;
}

/* Where n bytes starting off bytes after the head lie: *pos in buf, and
 * the bytes up to the end of storage (returned); the rest wraps to 0. */
static uint32_t split(const ring *r, uint32_t off, uint32_t n, uint32_t *pos)
{
    uint32_t p = r->head + off;
    if (p >= r->size)
        p -= r->size;
    *pos = p;
    return r->size - p < n ? r->size - p : n;
}

static void copy_in(ring *r, uint32_t off, const uint8_t *src, uint32_t n)
{
    uint32_t pos, first = split(r, off, n, &pos);
    memcpy(r->buf + pos, src, first);
    memcpy(r->buf, src + first, n - first);
}

long ring_write(ring *r, const void *src, size_t n, synack_alloc_fn alloc, synack_free_fn fr,
                void *actx)
{
    if (n > ring_free_space(r))
        n = ring_free_space(r);
    if (n == 0)
        return 0;
    if (reserve(r, r->len + (uint32_t)n, alloc, fr, actx) != 0)
        return -1;
    copy_in(r, r->len, src, (uint32_t)n);
    r->len += (uint32_t)n;
    return (long)n;
}

int ring_write_at(ring *r, uint32_t off, const void *src, uint32_t n, synack_alloc_fn alloc,
                  synack_free_fn fr, void *actx)
{
    if (n == 0)
        return 0;
    if (reserve(r, off + n, alloc, fr, actx) != 0)
        return -1;
    copy_in(r, off, src, n);
    return 0;
}

void ring_peek(const ring *r, uint32_t off, void *dst, uint32_t n)
{
    if (n == 0)
        return;
    uint32_t pos, first = split(r, off, n, &pos);
    memcpy(dst, r->buf + pos, first);
    memcpy((uint8_t *)dst + first, r->buf, n - first);
}

/* Copies n bytes as two pieces (first bytes, then the rest: a ring that
 * wraps) while summing them, chained onto sum. The second piece starts
 * at an odd offset of the data when first is odd: its own sum is
 * byte-swapped before it is added (RFC 1071 section 2 (B)). */
static uint32_t copy_csum_split(uint8_t *d1, const uint8_t *s1, uint8_t *d2, const uint8_t *s2,
                                uint32_t first, uint32_t n, uint32_t sum)
{
    sum = wire_csum_copy(d1, s1, first, sum);
    if (first == n)
        return sum;
    uint32_t rest = wire_csum_copy(d2, s2, n - first, 0);
    if (first & 1)
        rest = wire_csum_shift(rest);
    uint64_t total = (uint64_t)sum + rest;
    return (uint32_t)((total & 0xffffffffu) + (total >> 32));
}

uint32_t ring_peek_csum(const ring *r, uint32_t off, void *dst, uint32_t n)
{
    if (n == 0)
        return 0;
    uint32_t pos, first = split(r, off, n, &pos);
    return copy_csum_split(dst, r->buf + pos, (uint8_t *)dst + first, r->buf, first, n, 0);
}

int ring_write_at_csum(ring *r, uint32_t off, const void *src, uint32_t n, uint32_t *sum,
                       synack_alloc_fn alloc, synack_free_fn fr, void *actx)
{
    if (n == 0)
        return 0;
    if (reserve(r, off + n, alloc, fr, actx) != 0)
        return -1;
    uint32_t pos, first = split(r, off, n, &pos);
    const uint8_t *p = src;
    *sum = copy_csum_split(r->buf + pos, p, r->buf, p + first, first, n, *sum);
    return 0;
}

uint32_t ring_readable(const ring *r, const uint8_t **p)
{
    if (r->len == 0) {
        *p = NULL;
        return 0;
    }
    uint32_t pos, n = split(r, 0, r->len, &pos);
    *p = r->buf + pos;
    return n;
}

uint32_t ring_tail_room(const ring *r, uint8_t **p)
{
    if (r->len == r->size) {
        *p = NULL;      /* storage full, or none allocated yet */
        return 0;
    }
    /* The tail is where the next committed byte goes; free storage runs
     * from there to the end of the buffer or, once the committed bytes
     * wrap, up to the head. */
    uint32_t tail;
    split(r, r->len, 0, &tail);
    *p = r->buf + tail;
    return tail >= r->head ? r->size - tail : r->head - tail;
}

long ring_writable(ring *r, uint32_t want, uint8_t **p, synack_alloc_fn alloc, synack_free_fn fr,
                   void *actx)
{
    uint32_t n = want < ring_free_space(r) ? want : ring_free_space(r);
    *p = NULL;
    if (n == 0)
        return 0;
    if (reserve(r, r->len + n, alloc, fr, actx) != 0)
        return -1;
    uint32_t room = ring_tail_room(r, p);
    return room < n ? room : n;
}

void ring_consume(ring *r, uint32_t n)
{
    r->len -= n;
    r->head += n;
    if (r->head >= r->size)
        r->head -= r->size;
}

void ring_free(ring *r, synack_free_fn fr, void *actx)
{
    if (r->buf)
        fr(actx, r->buf);
    r->buf = NULL;
    r->size = 0;
    r->head = 0;
    r->len = 0;
}
