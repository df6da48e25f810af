/* sim_link.c — directed links and the send path: routing, serialization
 * and tail-drop queueing, one-shot drop rules, random loss, corruption,
 * reordering and duplication, then scheduling in the in-flight queue.
 *
 * The order of decisions for a packet sent on from -> to is fixed, so a
 * seed always gives the same fates:
 *   1. route by destination address (else SIM_NO_ROUTE);
 *   2. tail drop if the link's queue is full (SIM_QUEUE_DROP); otherwise
 *      the packet takes its serialization time on the transmitter;
 *   3. drop rules count it; one reaching its nth match drops it (SIM_LOST);
 *   4. random loss, corruption, reordering, duplication, each drawing from
 *      the PRNG only when its probability is nonzero.
 * A packet lost on the wire has still occupied the transmitter. */
#include "sim/sim_internal.h"

#include <stdlib.h>
#include <string.h>

void sim_link_default(sim_link *l)
{
    memset(l, 0, sizeof *l);
    l->delay = SYNACK_MSEC(1);
}

int sim_links_grow(sim_net *n, int new_cap)
{
    sim_linkstate *m = calloc((size_t)new_cap * (size_t)new_cap, sizeof *m);
    if (!m)
        return -1;
    for (int f = 0; f < new_cap; f++)
        for (int t = 0; t < new_cap; t++) {
            sim_linkstate *dst = &m[(size_t)f * (size_t)new_cap + (size_t)t];
            if (f < n->node_cap && t < n->node_cap)
                *dst = *sim_linkstate_of(n, f, t);
            else
                sim_link_default(&dst->p);
        }
    free(n->links);
    n->links = m;
    return 0;
}

void sim_links_free(sim_net *n)
{
    size_t cells = (size_t)n->node_cap * (size_t)n->node_cap;
    for (size_t i = 0; n->links && i < cells; i++)
        free(n->links[i].departs);
    free(n->links);
    n->links = NULL;
    free(n->rules);
    n->rules = NULL;
    n->nrules = n->rule_cap = 0;
}

static int valid_prob(double p)
{
    return p >= 0.0 && p <= 1.0;   /* also false for NaN */
}

int sim_set_link(sim_net *n, int from, int to, const sim_link *l)
{
    if (from < 0 || to < 0 || from >= n->nnodes || to >= n->nnodes || !l)
        return SYNACK_EINVAL;
    if (!valid_prob(l->loss) || !valid_prob(l->dup) || !valid_prob(l->reorder) ||
        !valid_prob(l->corrupt))
        return SYNACK_EINVAL;
    sim_linkstate_of(n, from, to)->p = *l;
    return 0;
}

int sim_get_link(const sim_net *n, int from, int to, sim_link *out)
{
    if (from < 0 || to < 0 || from >= n->nnodes || to >= n->nnodes || !out)
        return SYNACK_EINVAL;
    *out = n->links[(size_t)from * (size_t)n->node_cap + (size_t)to].p;
    return 0;
}

int sim_drop_nth(sim_net *n, int from, int to, sim_match_fn match, void *ctx, unsigned nth)
{
    if (from < 0 || to < 0 || from >= n->nnodes || to >= n->nnodes || nth == 0)
        return SYNACK_EINVAL;
    if (n->nrules == n->rule_cap) {
        size_t cap = n->rule_cap ? n->rule_cap * 2 : 8;
        sim_rule *r = realloc(n->rules, cap * sizeof *r);
        if (!r)
            return SYNACK_ENOMEM;
        n->rules = r;
        n->rule_cap = cap;
    }
    n->rules[n->nrules++] = (sim_rule){ .from = from, .to = to, .match = match,
                                        .ctx = ctx, .nth = nth, .seen = 0, .armed = 1 };
    return 0;
}

int sim_drop_rules_pending(const sim_net *n)
{
    int armed = 0;
    for (size_t i = 0; i < n->nrules; i++)
        armed += n->rules[i].armed;
    return armed;
}

/* Step 3: every armed rule on this link counts the packet if it matches;
 * returns 1 if some rule reached its nth match (that rule is disarmed). */
static int rules_drop(sim_net *n, int from, int to, const uint8_t *pkt, size_t len)
{
    int drop = 0;
    size_t keep = 0;
    for (size_t i = 0; i < n->nrules; i++) {
        sim_rule *r = &n->rules[i];
        if (r->armed && r->from == from && r->to == to &&
            (!r->match || r->match(r->ctx, pkt, len)) && ++r->seen == r->nth) {
            r->armed = 0;
            drop = 1;
        }
        if (r->armed)
            n->rules[keep++] = *r;
    }
    n->nrules = keep;
    return drop;
}

static int route(const sim_net *n, const uint8_t *pkt, size_t len)
{
    if (len < 20)
        return -1;
    uint32_t dst = (uint32_t)pkt[16] << 24 | (uint32_t)pkt[17] << 16 |
                   (uint32_t)pkt[18] << 8 | pkt[19];
    return sim_node_by_addr(n, dst);
}

static int fifo_push(sim_linkstate *L, synack_time t)
{
    if (L->head == L->tail)
        L->head = L->tail = 0;
    if (L->tail == L->cap) {
        if (L->head > 0) {     /* slide the live part down before growing */
            memmove(L->departs, L->departs + L->head, (L->tail - L->head) * sizeof *L->departs);
            L->tail -= L->head;
            L->head = 0;
        }
        if (L->tail == L->cap) {
            size_t cap = L->cap ? L->cap * 2 : 16;
            synack_time *d = realloc(L->departs, cap * sizeof *d);
            if (!d)
                return -1;
            L->departs = d;
            L->cap = cap;
        }
    }
    L->departs[L->tail++] = t;
    return 0;
}

/* Step 2: the time the last bit leaves the transmitter, or NEVER for a
 * tail drop (or no memory to track the queue, counted the same way). */
static synack_time serialize(sim_net *n, sim_linkstate *L, size_t len)
{
    if (L->p.rate_bps == 0)
        return n->now;
    while (L->head < L->tail && L->departs[L->head] <= n->now)
        L->head++;
    if (L->p.queue_limit && L->tail - L->head >= L->p.queue_limit)
        return SYNACK_TIME_NEVER;
    synack_time start = L->busy_until > n->now ? L->busy_until : n->now;
    uint64_t bits = (uint64_t)len * 8u;
    /* Rounded up: a packet never leaves before its last bit could. */
    synack_time tx = (bits * 1000000000u + L->p.rate_bps - 1) / L->p.rate_bps;
    if (fifo_push(L, start + tx) < 0)
        return SYNACK_TIME_NEVER;
    L->busy_until = start + tx;
    return start + tx;
}

static int chance(sim_net *n, double p)
{
    if (p <= 0.0)
        return 0;
    return sim_rng_unit(&n->rng) < p;
}

static int schedule(sim_net *n, const uint8_t *pkt, size_t len, int from, int to, synack_time at)
{
    sim_pkt *p = sim_pkt_new(pkt, len);
    if (!p)
        return -1;
    p->at = at;
    p->from = from;
    p->to = to;
    if (sim_queue_push(&n->q, p) < 0) {
        free(p);
        return -1;
    }
    return 0;
}

int sim_send(sim_net *n, int from, const uint8_t *pkt, size_t len)
{
    if (from < 0 || from >= n->nnodes || (!pkt && len))
        return SYNACK_EINVAL;
    sim_packet_event ev = {
        .id = ++n->next_id, .sent = n->now, .delivered = SYNACK_TIME_NEVER,
        .dup_delivered = SYNACK_TIME_NEVER, .from = from, .to = -1,
        .pkt = pkt, .len = len, .fate = SIM_DELIVERED,
    };
    n->stats.sent++;
    sim_capture_packet(n, n->now, pkt, len);

    int to = route(n, pkt, len);
    if (to < 0) {
        n->stats.no_route++;
        ev.fate = SIM_NO_ROUTE;
        ev.effects = SIM_EFFECT(SIM_NO_ROUTE);
        sim_report(n, &ev);
        return SIM_NO_ROUTE;
    }
    ev.to = to;
    sim_linkstate *L = sim_linkstate_of(n, from, to);

    synack_time depart = serialize(n, L, len);
    if (depart == SYNACK_TIME_NEVER) {
        n->stats.queue_drops++;
        ev.fate = SIM_QUEUE_DROP;
        ev.effects = SIM_EFFECT(SIM_QUEUE_DROP);
        sim_report(n, &ev);
        return SIM_QUEUE_DROP;
    }
    ev.by_rule = rules_drop(n, from, to, pkt, len);
    if (ev.by_rule || chance(n, L->p.loss)) {
        n->stats.lost++;
        n->stats.lost_by_rule += (uint64_t)ev.by_rule;
        ev.fate = SIM_LOST;
        ev.effects = SIM_EFFECT(SIM_LOST);
        sim_report(n, &ev);
        return SIM_LOST;
    }

    const uint8_t *wire = pkt;
    uint8_t *flipped = NULL;
    if (chance(n, L->p.corrupt) && len > 0) {
        flipped = malloc(len);
        if (!flipped)
            return SYNACK_ENOMEM;
        memcpy(flipped, pkt, len);
        ev.bit = (size_t)sim_rng_below(&n->rng, (uint64_t)len * 8u);
        flipped[ev.bit / 8] ^= (uint8_t)(0x80u >> (ev.bit % 8));
        wire = flipped;
        ev.effects |= SIM_EFFECT(SIM_CORRUPTED);
        n->stats.corrupted++;
    }
    ev.delivered = depart + L->p.delay;
    if (chance(n, L->p.reorder)) {
        ev.delivered += L->p.reorder_extra ? L->p.reorder_extra : L->p.delay;
        ev.effects |= SIM_EFFECT(SIM_REORDERED);
        n->stats.reordered++;
    }
    int dup = chance(n, L->p.dup);

    int rc = schedule(n, wire, len, from, to, ev.delivered);
    if (rc == 0 && dup) {
        /* The copy is inserted second, so at equal times it arrives second. */
        rc = schedule(n, wire, len, from, to, ev.delivered);
        ev.dup_delivered = ev.delivered;
        ev.effects |= SIM_EFFECT(SIM_DUPLICATED);
        n->stats.duplicated++;
    }
    free(flipped);
    if (rc < 0)
        return SYNACK_ENOMEM;

    if (ev.effects & SIM_EFFECT(SIM_CORRUPTED))
        ev.fate = SIM_CORRUPTED;
    else if (ev.effects & SIM_EFFECT(SIM_REORDERED))
        ev.fate = SIM_REORDERED;
    else if (ev.effects & SIM_EFFECT(SIM_DUPLICATED))
        ev.fate = SIM_DUPLICATED;
    ev.effects |= SIM_EFFECT(SIM_DELIVERED);
    sim_report(n, &ev);
    return (int)ev.fate;
}
