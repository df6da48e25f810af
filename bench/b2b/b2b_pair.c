/* b2b_pair.c — two stacks, one link, one clock (b2b_pair.h). */
#include "b2b_pair.h"

#include <stdlib.h>
#include <string.h>

/* Room in front of each counted block for its requested size; 16 keeps
 * malloc's alignment. */
#define COUNT_HDR 16u

static int64_t glibc_chunk(size_t n)
{
    size_t c = (n + 8u + 15u) & ~(size_t)15u;
    return (int64_t)(c < 32u ? 32u : c);
}

void *b2b_count_alloc(void *ctx, size_t n)
{
    b2b_count *c = ctx;
    uint8_t *p = malloc(n + COUNT_HDR);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof(n));
    c->live += (int64_t)n;
    c->chunk += glibc_chunk(n);
    c->allocs++;
    return p + COUNT_HDR;
}

void b2b_count_free(void *ctx, void *ptr)
{
    if (!ptr)
        return;
    b2b_count *c = ctx;
    uint8_t *p = (uint8_t *)ptr - COUNT_HDR;
    size_t n;
    memcpy(&n, p, sizeof(n));
    c->live -= (int64_t)n;
    c->chunk -= glibc_chunk(n);
    c->allocs--;
    free(p);
}

void b2b_pair_init(b2b_pair *p, const synack_config *cfg, int counting, uint32_t link_slots)
{
    memset(p, 0, sizeof(*p));
    if (b2b_link_init(&p->link, link_slots) != 0)
        bench_die("no memory for the link");
    for (int i = 0; i < 2; i++) {
        synack_config c = *cfg;
        c.addr = i == 0 ? B2B_CLI_ADDR : B2B_SRV_ADDR;
        p->ports[i].link = &p->link;
        p->ports[i].dst = (uint32_t)(1 - i);
        c.tx = b2b_link_tx;
        c.tx_ctx = &p->ports[i];
        c.tx_buffer = b2b_link_copy ? NULL : b2b_link_tx_buffer;
        if (b2b_link_offload) {
            c.tx = NULL;
            c.tx_offload = b2b_link_tx_offload;
            c.csum_offload = 1;
            c.tso_max = B2B_TSO_MAX;
        }
        c.seed = cfg->seed + (uint64_t)i * 0x9E3779B97F4A7C15ull;
        if (counting) {
            c.alloc = b2b_count_alloc;
            c.free = b2b_count_free;
            c.alloc_ctx = &p->count[i];
        }
        synack_stack *s;
        int r = synack_stack_new(&c, &s);
        if (r != 0)
            bench_die("synack_stack_new: %s", synack_strerror(r));
        p->link.stacks[i] = s;
        if (i == 0)
            p->cli = s;
        else
            p->srv = s;
    }
}

void b2b_pair_free(b2b_pair *p)
{
    synack_stack_free(p->cli);
    synack_stack_free(p->srv);
    b2b_link_free(&p->link);
}

void b2b_pair_run(b2b_pair *p)
{
    for (;;) {
        synack_time now = bench_clock_now(&p->clk);
        b2b_link_pump(&p->link, now);
        int fired = 0;
        for (int i = 0; i < 2; i++) {
            synack_stack *s = p->link.stacks[i];
            if (synack_next_deadline(s) <= now) {
                synack_advance(s, now);
                fired = 1;
            }
        }
        if (!fired && b2b_link_empty(&p->link))
            return;
    }
}

int b2b_pair_skip_idle(b2b_pair *p)
{
    synack_time a = synack_next_deadline(p->cli), b = synack_next_deadline(p->srv);
    synack_time t = a < b ? a : b;
    if (t == SYNACK_TIME_NEVER)
        return 0;
    bench_clock_skip_to(&p->clk, t);
    b2b_pair_run(p);
    return 1;
}
