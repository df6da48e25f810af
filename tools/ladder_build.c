/* ladder_build.c — turns two stacks' trace events and the simulator's
 * packet fates into ladder rows (see ladder_build.h). Segments received
 * (SEG_IN) add nothing: the arrow already shows the arrival. */
#include "ladder_build.h"

#include <string.h>

#include "wire/wire.h"

void ladder_builder_init(ladder_builder *b, ladder_model *m)
{
    memset(b, 0, sizeof *b);
    b->m = m;
    for (int i = 0; i < 2; i++) {
        b->tap[i].b = b;
        b->tap[i].side = i;
    }
}

/* Tracks connections an end opened passively; returns the state to draw
 * for a state change (LISTEN for a half-open one that closes). */
static int shown_state(ladder_builder *b, int side, const synack_trace_event *ev)
{
    uint32_t *ids = b->passive[side];
    size_t *n = &b->npassive[side];
    size_t i = 0;
    while (i < *n && ids[i] != ev->conn_id)
        i++;
    int known = i < *n;
    if (ev->old_state == SYNACK_LISTEN && ev->new_state == SYNACK_SYN_RECEIVED) {
        if (!known && *n < LADDER_PASSIVE_MAX)
            ids[(*n)++] = ev->conn_id;
        return ev->new_state;
    }
    if (known && (ev->new_state == SYNACK_ESTABLISHED || ev->new_state == SYNACK_CLOSED)) {
        ids[i] = ids[--*n];
        if (ev->new_state == SYNACK_CLOSED)
            return SYNACK_LISTEN;
    }
    return ev->new_state;
}

void ladder_builder_observer(void *ctx, const synack_trace_event *ev)
{
    ladder_tap *tap = ctx;
    ladder_model *m = tap->b->m;
    switch (ev->kind) {
    case SYNACK_TRACE_SEG_OUT:
        ladder_add_segment(m, tap->side, ev->now, &ev->seg,
                           ev->retransmit ? LADDER_MARK_RETRANSMIT : 0);
        break;
    case SYNACK_TRACE_SEG_DROP:
        ladder_add_drop(m, tap->side, ev->now, ev->drop);
        break;
    case SYNACK_TRACE_STATE:
        ladder_add_state(m, tap->side, ev->now, ev->old_state,
                         shown_state(tap->b, tap->side, ev), ev->cause);
        break;
    case SYNACK_TRACE_TIMER:
        ladder_add_timer(m, tap->side, ev->now, ev->timer);
        break;
    case SYNACK_TRACE_ERROR:
        ladder_add_note(m, ev->now, "%s app gets error: %s", m->end[tap->side].name,
                        synack_strerror(ev->error));
        break;
    case SYNACK_TRACE_SEG_IN:
    default:
        break;
    }
}

static int same_segment(const synack_segment *a, const synack_segment *b)
{
    return a->seq == b->seq && a->ack == b->ack && a->flags == b->flags && a->len == b->len &&
           a->sport == b->sport && a->dport == b->dport;
}

void ladder_builder_packet(void *ctx, const sim_packet_event *ev)
{
    ladder_builder *b = ctx;
    ladder_model *m = b->m;
    wire_ipv4 ip;
    synack_drop why;
    synack_segment seg;
    if (wire_ipv4_parse(ev->pkt, ev->len, &ip, &why) != 0 || ip.proto != WIRE_PROTO_TCP ||
        wire_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, &seg, NULL, &why) != 0)
        return;
    int lost = ev->fate == SIM_LOST || ev->fate == SIM_QUEUE_DROP || ev->fate == SIM_NO_ROUTE;
    int side = ladder_side_of(m, seg.saddr, seg.sport);

    if (ev->from < 0) {
        /* A hand-made packet put on the wire by the scenario: no stack
         * reported it, so it gets its row here. */
        if (side < 0)
            return;
        long i = ladder_add_segment(m, side, ev->delivered, &seg, b->inject_marks);
        if (i >= 0)
            ladder_set_fate(m, (size_t)i, lost, ev->delivered);
        b->inject_marks = 0;
        return;
    }
    for (size_t i = m->nrows; i-- > 0;) {
        ladder_row *r = &m->rows[i];
        if (r->kind == LADDER_ROW_SEGMENT && r->t_arrive == SYNACK_TIME_NEVER && !r->lost &&
            r->t == ev->sent && same_segment(&r->seg, &seg)) {
            ladder_set_fate(m, i, lost, ev->delivered);
            return;
        }
    }
}
