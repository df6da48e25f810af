/* test_heap.c — the deadline heap (src/base/heap.c): the minimum is
 * always the earliest key through inserts, moves in both directions and
 * removals from the middle, checked against a brute-force scan. */
#include "check.h"

#include <stdlib.h>

#include "base/heap.h"

static void *al(void *ctx, size_t n) { (void)ctx; return malloc(n); }
static void fr(void *ctx, void *p) { (void)ctx; free(p); }

#define N 500

TEST(random_operations_keep_the_minimum)
{
    static heap_node nodes[N];
    heap h = { 0 };
    for (int i = 0; i < N; i++) {
        nodes[i].idx = HEAP_NONE;
        nodes[i].key = SYNACK_TIME_NEVER;
    }
    uint64_t x = 12345;
    for (int step = 0; step < 20000; step++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        heap_node *nd = &nodes[x % N];
        switch ((x >> 20) % 4) {
        case 0:
        case 1:
            CHECK_EQ(heap_set(&h, nd, (x >> 30) % 100000, al, fr, NULL), 0);
            break;
        case 2:
            heap_remove(&h, nd);
            nd->key = SYNACK_TIME_NEVER;
            break;
        case 3:
            CHECK_EQ(heap_set(&h, nd, SYNACK_TIME_NEVER, al, fr, NULL), 0);
            CHECK_EQ(nd->idx, HEAP_NONE);
            break;
        }
        synack_time best = SYNACK_TIME_NEVER;
        uint32_t in = 0;
        for (int i = 0; i < N; i++) {
            if (nodes[i].idx != HEAP_NONE) {
                in++;
                if (nodes[i].key < best)
                    best = nodes[i].key;
            }
        }
        CHECK_EQ(h.n, in);
        heap_node *m = heap_min(&h);
        CHECK_U64(m ? m->key : SYNACK_TIME_NEVER, best);
    }
    heap_release(&h, fr, NULL);
}

TEST_MAIN()
