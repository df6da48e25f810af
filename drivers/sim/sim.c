/* sim.c — the simulator's event core: nodes, the virtual clock, the event
 * loop, injection, the packet observer and pcap capture. Links, faults
 * and the send path live in sim_link.c; the stack adapter in sim_stack.c.
 *
 * Loop invariant: every node has been advanced to `now` before any packet
 * is delivered at `now`, so all clocks stay in step; time never moves
 * backwards (a deadline already past is served at the current time). */
#include "sim/sim_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

sim_net *sim_new(uint64_t seed)
{
    sim_net *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    sim_rng_seed(&n->rng, seed);
    return n;
}

void sim_free(sim_net *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->nnodes; i++)
        if (n->nodes[i].ops.destroy)
            n->nodes[i].ops.destroy(n->nodes[i].ctx);
    free(n->nodes);
    sim_links_free(n);
    sim_queue_clear(&n->q);
    pcap_writer_close(n->capture);
    free(n);
}

int sim_add_node(sim_net *n, uint32_t addr, const sim_node_ops *ops, void *ctx)
{
    if (!ops || !ops->deliver || addr == 0 || sim_node_by_addr(n, addr) >= 0)
        return SYNACK_EINVAL;
    if (n->nnodes == n->node_cap) {
        int cap = n->node_cap ? n->node_cap * 2 : 4;
        sim_node *nodes = realloc(n->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes)
            return SYNACK_ENOMEM;
        n->nodes = nodes;
        if (sim_links_grow(n, cap) < 0)
            return SYNACK_ENOMEM;
        n->node_cap = cap;
    }
    n->nodes[n->nnodes] = (sim_node){ .addr = addr, .ops = *ops, .ctx = ctx };
    return n->nnodes++;
}

int sim_node_count(const sim_net *n)
{
    return n->nnodes;
}

int sim_node_by_addr(const sim_net *n, uint32_t addr)
{
    for (int i = 0; i < n->nnodes; i++)
        if (n->nodes[i].addr == addr)
            return i;
    return -1;
}

uint32_t sim_node_addr(const sim_net *n, int node)
{
    return node >= 0 && node < n->nnodes ? n->nodes[node].addr : 0;
}

/* ------------------------------------------------- observer, capture */

void sim_set_observer(sim_net *n, sim_observer_fn fn, void *ctx)
{
    n->observer = fn;
    n->observer_ctx = ctx;
}

void sim_report(sim_net *n, const sim_packet_event *ev)
{
    if (n->observer)
        n->observer(n->observer_ctx, ev);
}

int sim_capture(sim_net *n, const char *pcap_path)
{
    pcap_writer_close(n->capture);
    n->capture = NULL;
    if (!pcap_path)
        return 0;
    errno = 0;
    n->capture = pcap_writer_open(pcap_path, NULL, 0);
    if (!n->capture)
        return errno ? -errno : SYNACK_EINVAL;
    return 0;
}

void sim_capture_packet(sim_net *n, synack_time t, const uint8_t *pkt, size_t len)
{
    if (n->capture && pcap_writer_write(n->capture, t, pkt, len) < 0)
        n->stats.capture_errors++;
}

const char *sim_fate_name(int fate)
{
    static const char *const names[SIM_FATE_COUNT] = {
        [SIM_DELIVERED] = "delivered", [SIM_LOST] = "lost",
        [SIM_DUPLICATED] = "duplicated", [SIM_REORDERED] = "reordered",
        [SIM_CORRUPTED] = "corrupted", [SIM_QUEUE_DROP] = "queue-drop",
        [SIM_NO_ROUTE] = "no-route",
    };
    return fate >= 0 && fate < SIM_FATE_COUNT ? names[fate] : "unknown";
}

void sim_stats_get(const sim_net *n, sim_stats *out)
{
    *out = n->stats;
}

/* ------------------------------------------------------------ running */

synack_time sim_now(const sim_net *n)
{
    return n->now;
}

synack_time sim_next_event(const sim_net *n)
{
    synack_time t = SYNACK_TIME_NEVER;
    const sim_pkt *p = sim_queue_peek(&n->q);
    if (p)
        t = p->at;
    for (int i = 0; i < n->nnodes; i++) {
        if (!n->nodes[i].ops.deadline)
            continue;
        synack_time d = n->nodes[i].ops.deadline(n->nodes[i].ctx);
        if (d < t)
            t = d;
    }
    if (t != SYNACK_TIME_NEVER && t < n->now)
        t = n->now;
    return t;
}

/* Moves every node to now; -1 if one still has work due at or before now
 * afterwards (it would never let the clock move on). */
static int advance_all(sim_net *n)
{
    for (int i = 0; i < n->nnodes; i++)
        if (n->nodes[i].ops.advance)
            n->nodes[i].ops.advance(n->nodes[i].ctx, n->now);
    for (int i = 0; i < n->nnodes; i++)
        if (n->nodes[i].ops.deadline && n->nodes[i].ops.deadline(n->nodes[i].ctx) <= n->now)
            return -1;
    return 0;
}

static void deliver(sim_net *n, sim_pkt *p)
{
    if (p->from < 0) {
        /* Injected for later: it appears on the wire when it arrives. */
        sim_packet_event ev = {
            .id = ++n->next_id, .sent = n->now, .delivered = n->now,
            .dup_delivered = SYNACK_TIME_NEVER, .from = -1, .to = p->to,
            .pkt = p->data, .len = p->len, .fate = SIM_DELIVERED,
            .effects = SIM_EFFECT(SIM_DELIVERED),
        };
        sim_capture_packet(n, n->now, p->data, p->len);
        sim_report(n, &ev);
        n->stats.injected++;
    }
    n->stats.delivered++;
    sim_node *dst = &n->nodes[p->to];
    dst->ops.deliver(dst->ctx, p->data, p->len, n->now);
}

int sim_step(sim_net *n)
{
    synack_time t = sim_next_event(n);
    if (t == SYNACK_TIME_NEVER)
        return 0;
    n->now = t;
    if (advance_all(n) < 0)
        return -1;
    const sim_pkt *top = sim_queue_peek(&n->q);
    if (top && top->at <= n->now) {
        sim_pkt *p = sim_queue_pop(&n->q);
        deliver(n, p);
        free(p);
    }
    return 1;
}

int sim_run_until(sim_net *n, synack_time t)
{
    for (;;) {
        synack_time e = sim_next_event(n);
        if (e == SYNACK_TIME_NEVER || e > t)
            break;
        if (sim_step(n) < 0)
            return -1;
    }
    if (t > n->now) {
        n->now = t;
        if (advance_all(n) < 0)
            return -1;
    }
    return 0;
}

int sim_run_for(sim_net *n, synack_time dt)
{
    synack_time t = n->now + dt < n->now ? SYNACK_TIME_NEVER - 1 : n->now + dt;
    return sim_run_until(n, t);
}

int sim_run_until_idle(sim_net *n, synack_time limit)
{
    synack_time end = n->now + limit < n->now ? SYNACK_TIME_NEVER - 1 : n->now + limit;
    for (;;) {
        synack_time e = sim_next_event(n);
        if (e == SYNACK_TIME_NEVER)
            return 1;
        if (e > end)
            return sim_run_until(n, end) < 0 ? -1 : 0;
        if (sim_step(n) < 0)
            return -1;
    }
}

/* ---------------------------------------------------------- injection */

int sim_inject(sim_net *n, int to, const uint8_t *pkt, size_t len)
{
    if (to < 0 || to >= n->nnodes || (!pkt && len))
        return SYNACK_EINVAL;
    if (advance_all(n) < 0)
        return SYNACK_EINVAL;
    sim_packet_event ev = {
        .id = ++n->next_id, .sent = n->now, .delivered = n->now,
        .dup_delivered = SYNACK_TIME_NEVER, .from = -1, .to = to,
        .pkt = pkt, .len = len, .fate = SIM_DELIVERED,
        .effects = SIM_EFFECT(SIM_DELIVERED),
    };
    sim_capture_packet(n, n->now, pkt, len);
    sim_report(n, &ev);
    n->stats.injected++;
    n->stats.delivered++;
    n->nodes[to].ops.deliver(n->nodes[to].ctx, pkt, len, n->now);
    return 0;
}

int sim_inject_at(sim_net *n, int to, const uint8_t *pkt, size_t len, synack_time t)
{
    if (to < 0 || to >= n->nnodes || (!pkt && len) || t < n->now)
        return SYNACK_EINVAL;
    sim_pkt *p = sim_pkt_new(pkt, len);
    if (!p)
        return SYNACK_ENOMEM;
    p->at = t;
    p->from = -1;
    p->to = to;
    if (sim_queue_push(&n->q, p) < 0) {
        free(p);
        return SYNACK_ENOMEM;
    }
    return 0;
}
