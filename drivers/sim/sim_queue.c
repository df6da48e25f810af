/* sim_queue.c — binary min-heap of in-flight packets keyed by
 * (delivery time, insertion number). O(log n) push and pop. */
#include "sim/sim_queue.h"

#include <stdlib.h>
#include <string.h>

sim_pkt *sim_pkt_new(const uint8_t *data, size_t len)
{
    sim_pkt *p = malloc(sizeof *p + len);
    if (!p)
        return NULL;
    memset(p, 0, sizeof *p);
    p->len = len;
    if (len)
        memcpy(p->data, data, len);
    return p;
}

static int before(const sim_pkt *a, const sim_pkt *b)
{
    if (a->at != b->at)
        return a->at < b->at;
    return a->order < b->order;
}

int sim_queue_push(sim_queue *q, sim_pkt *p)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 64;
        sim_pkt **h = realloc(q->heap, cap * sizeof *h);
        if (!h)
            return -1;
        q->heap = h;
        q->cap = cap;
    }
    p->order = q->next_order++;
    size_t i = q->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(p, q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = p;
    return 0;
}

const sim_pkt *sim_queue_peek(const sim_queue *q)
{
    return q->n ? q->heap[0] : NULL;
}

sim_pkt *sim_queue_pop(sim_queue *q)
{
    if (!q->n)
        return NULL;
    sim_pkt *top = q->heap[0];
    sim_pkt *last = q->heap[--q->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->n)
            break;
        if (c + 1 < q->n && before(q->heap[c + 1], q->heap[c]))
            c++;
        if (!before(q->heap[c], last))
            break;
        q->heap[i] = q->heap[c];
        i = c;
    }
    if (q->n)
        q->heap[i] = last;
    return top;
}

void sim_queue_clear(sim_queue *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->heap[i]);
    free(q->heap);
    q->heap = NULL;
    q->n = q->cap = 0;
}
