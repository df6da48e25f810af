/* b2b_pair.h — two synack stacks back to back in one process: a client
 * (198.18.0.1) and a server (198.18.0.2) joined by a b2b_link, one harness
 * clock, and optionally a counting allocator per stack so memory can be
 * charged to the stack that asked for it. */
#ifndef B2B_PAIR_H
#define B2B_PAIR_H

#include "b2b_link.h"
#include "bench_util.h"
#include "synack.h"

#define B2B_CLI_ADDR 0xC6120001u    /* 198.18.0.1 */
#define B2B_SRV_ADDR 0xC6120002u    /* 198.18.0.2 */

/* Bytes a stack has asked for and still holds. chunk estimates what glibc
 * malloc would use for the same requests (8-byte header, 16-byte
 * granularity, 32-byte minimum), to compare with peers measured through
 * malloc itself. The counting header the allocator adds is excluded. */
typedef struct b2b_count {
    int64_t live;
    int64_t chunk;
    int64_t allocs;                 /* live allocations */
} b2b_count;

typedef struct b2b_pair {
    synack_stack *cli, *srv;
    b2b_link link;
    b2b_port ports[2];
    bench_clock clk;
    b2b_count count[2];             /* [0] client, [1] server */
} b2b_pair;

/* Creates both stacks from cfg (addr, tx and alloc are filled in here).
 * counting: route their allocations through b2b_count. p must stay where
 * it is (the stacks point into it). Exits on failure. */
void b2b_pair_init(b2b_pair *p, const synack_config *cfg, int counting, uint32_t link_slots);
void b2b_pair_free(b2b_pair *p);

/* Delivers everything on the link and fires every timer due, until the
 * link is empty and nothing is due. */
void b2b_pair_run(b2b_pair *p);

/* Both ends are idle: jump the clock to the earlier next deadline of the
 * two stacks and run. Returns 0 if no timer is pending at all. */
int b2b_pair_skip_idle(b2b_pair *p);

/* The synack_alloc_fn / synack_free_fn pair over a b2b_count. */
void *b2b_count_alloc(void *ctx, size_t n);
void  b2b_count_free(void *ctx, void *ptr);

#endif
