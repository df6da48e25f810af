/* sim_stack.c — the stack adapter: one synack_stack as a sim node.
 *
 * The stack's tx callback only copies datagrams into the network
 * (sim_send); it never calls back into any stack, so a stack may transmit
 * from inside synack_input or synack_advance safely. This is the only
 * file of the simulator that calls the stack API. */
#include "sim/sim.h"

#include <stdlib.h>

typedef struct sim_stack_node {
    sim_net *net;
    int node;
    synack_stack *stack;
} sim_stack_node;

static void stack_tx(void *ctx, const uint8_t *pkt, size_t len)
{
    sim_stack_node *sn = ctx;
    /* The stack has no use for the fate: a drop on the network is not an
     * error the sender can see. */
    (void)sim_send(sn->net, sn->node, pkt, len);
}

static void stack_deliver(void *ctx, const uint8_t *pkt, size_t len, synack_time now)
{
    sim_stack_node *sn = ctx;
    (void)synack_input(sn->stack, pkt, len, now);
}

static synack_time stack_deadline(void *ctx)
{
    const sim_stack_node *sn = ctx;
    return synack_next_deadline(sn->stack);
}

static void stack_advance(void *ctx, synack_time now)
{
    sim_stack_node *sn = ctx;
    synack_advance(sn->stack, now);
}

static void stack_destroy(void *ctx)
{
    sim_stack_node *sn = ctx;
    synack_stack_free(sn->stack);
    free(sn);
}

int sim_add_stack(sim_net *n, synack_config *cfg, synack_stack **out)
{
    static const sim_node_ops ops = {
        .deliver = stack_deliver, .deadline = stack_deadline,
        .advance = stack_advance, .destroy = stack_destroy,
    };
    if (!n || !cfg || !out || cfg->addr == 0 || sim_node_by_addr(n, cfg->addr) >= 0)
        return SYNACK_EINVAL;
    sim_stack_node *sn = calloc(1, sizeof *sn);
    if (!sn)
        return SYNACK_ENOMEM;
    sn->net = n;
    /* The node id the next sim_add_node will return: known before the
     * stack exists, so a stack that transmits during creation is routed. */
    sn->node = sim_node_count(n);
    cfg->tx = stack_tx;
    cfg->tx_ctx = sn;
    /* The simulated link carries whole, checksummed datagrams: corruption
     * must be caught by the receiver's checksum check. */
    cfg->tx_offload = NULL;
    cfg->tso_max = 0;
    cfg->csum_offload = 0;
    int rc = synack_stack_new(cfg, &sn->stack);
    if (rc < 0) {
        free(sn);
        return rc;
    }
    synack_advance(sn->stack, sim_now(n));
    int id = sim_add_node(n, cfg->addr, &ops, sn);
    if (id < 0) {
        synack_stack_free(sn->stack);
        free(sn);
        return id;
    }
    *out = sn->stack;
    return id;
}
