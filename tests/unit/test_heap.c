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

static void *no_alloc(void *ctx, size_t n) { (void)ctx; (void)n; return NULL; }

/* heap_reserve makes room up front: inserting up to the reserved count
 * never calls the allocator (here one that always fails); one more does,
 * and fails cleanly, leaving the node out and the heap intact. */
TEST(reserve_then_insert_without_allocating)
{
    heap h = { 0, 0, 0 };
    CHECK_EQ(heap_reserve(&h, 4, al, fr, NULL), 0);
    CHECK_EQ(h.cap, 4);
    CHECK_EQ(heap_reserve(&h, 2, no_alloc, fr, NULL), 0);     /* already room */
    heap_node nd[5];
    for (int i = 0; i < 5; i++)
        nd[i].idx = HEAP_NONE;
    for (int i = 0; i < 4; i++)
        CHECK_EQ(heap_set(&h, &nd[i], (synack_time)(40 - i), no_alloc, fr, NULL), 0);
    CHECK(heap_min(&h) == &nd[3]);
    CHECK_EQ(heap_set(&h, &nd[4], 1, no_alloc, fr, NULL), -1);
    CHECK_EQ(nd[4].idx, HEAP_NONE);
    CHECK_EQ(h.n, 4);
    CHECK(heap_min(&h) == &nd[3]);
    CHECK_EQ(heap_reserve(&h, 8, no_alloc, fr, NULL), -1);    /* no memory: unchanged */
    CHECK_EQ(h.cap, 4);
    heap_release(&h, fr, NULL);
}

TEST_MAIN()
