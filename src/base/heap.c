/* heap.c — intrusive binary min-heap (see heap.h). */
#include "base/heap.h"

#include <string.h>

static void place(heap *h, uint32_t i, heap_node *nd)
{
    h->v[i] = nd;
    nd->idx = i;
}

static void sift_up(heap *h, uint32_t i)
{
    heap_node *nd = h->v[i];
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (h->v[p]->key <= nd->key)
            break;
        place(h, i, h->v[p]);
        i = p;
    }
    place(h, i, nd);
}

static void sift_down(heap *h, uint32_t i)
{
    heap_node *nd = h->v[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->v[c + 1]->key < h->v[c]->key)
            c++;
        if (nd->key <= h->v[c]->key)
            break;
        place(h, i, h->v[c]);
        i = c;
    }
    place(h, i, nd);
}

void heap_remove(heap *h, heap_node *nd)
{
    if (nd->idx == HEAP_NONE)
        return;
    uint32_t i = nd->idx;
    nd->idx = HEAP_NONE;
    h->n--;
    if (i == h->n)
        return;
    heap_node *last = h->v[h->n];
    place(h, i, last);
    if (i > 0 && h->v[(i - 1) / 2]->key > last->key)
        sift_up(h, i);
    else
        sift_down(h, i);
}

int heap_reserve(heap *h, uint32_t cap, synack_alloc_fn alloc, synack_free_fn fr, void *actx)
{
    if (cap <= h->cap)
        return 0;
    heap_node **nv = alloc(actx, (size_t)cap * sizeof(*nv));
    if (!nv)
        return -1;
    if (h->n)
        memcpy(nv, h->v, h->n * sizeof(*nv));
    if (h->v)
        fr(actx, h->v);
    h->v = nv;
    h->cap = cap;
    return 0;
}

int heap_set(heap *h, heap_node *nd, synack_time key, synack_alloc_fn alloc,
             synack_free_fn fr, void *actx)
{
    if (key == SYNACK_TIME_NEVER) {
        heap_remove(h, nd);
        nd->key = key;
        return 0;
    }
    if (nd->idx == HEAP_NONE) {
        if (h->n == h->cap && heap_reserve(h, h->cap ? h->cap * 2 : 64, alloc, fr, actx) != 0)
            return -1;
        nd->key = key;
        place(h, h->n++, nd);
        sift_up(h, nd->idx);
        return 0;
    }
    synack_time old = nd->key;
    nd->key = key;
    if (key < old)
        sift_up(h, nd->idx);
    else if (key > old)
        sift_down(h, nd->idx);
    return 0;
}

void heap_release(heap *h, synack_free_fn fr, void *actx)
{
    if (h->v)
        fr(actx, h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}
