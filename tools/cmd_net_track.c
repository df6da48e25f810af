/* cmd_net_track.c — follows every connection of a live stack through its
 * trace events: logs state changes on stderr and, with --trace, draws
 * each connection's ladder with the same model and renderer as `synack
 * demo`.
 *
 * Only synack's end is observed, so the peer's lifeline has no states:
 * its segments are the ones synack received (SEG_IN, or a SEG_DROP that
 * carried a segment). A ladder is drawn when synack's end reaches
 * TIME-WAIT (what follows is drawn when it closes) or CLOSED, or at exit.
 * A bulk transfer would draw thousands of arrows: the first HEAD_ROWS
 * rows are kept, then at most TAIL_ROWS more, in which plain data and ACK
 * segments give way to newer rows first (state changes, SYN/FIN/RST and
 * retransmissions stay), with a note saying how many were left out.
 *
 * Connections are found by conn_id in a table of TRACK_SLOTS slots
 * (id modulo the size). conn_ids grow and are never reused, so two live
 * connections collide only if their ids differ by a multiple of
 * TRACK_SLOTS; the newer then takes the slot and the older one is no
 * longer logged. Segments without a connection (RSTs to closed ports) get
 * a two-row ladder of their own. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_net.h"
#include "ladder_render.h"

#define TRACK_SLOTS 8192
#define HEAD_ROWS 48
#define TAIL_ROWS 24

typedef struct tail_ring {
    ladder_row rows[TAIL_ROWS];     /* in time order */
    size_t n;
} tail_ring;

struct net_tracker {
    net_opts o;
    int synack_side;                /* LADDER_LEFT (client) or RIGHT */
    net_conn_info *slots;
    ladder_model *anon;             /* a segment without a connection */
    uint32_t pending[64];           /* reached TIME-WAIT: draw at the next tick */
    size_t npending;
    uint32_t anon_peer;
    uint16_t anon_pport, anon_lport;
};

net_tracker *net_tracker_new(const net_opts *o, int synack_is_server)
{
    net_tracker *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->slots = calloc(TRACK_SLOTS, sizeof *t->slots);
    if (!t->slots) {
        free(t);
        return NULL;
    }
    t->o = *o;
    t->synack_side = synack_is_server ? LADDER_RIGHT : LADDER_LEFT;
    return t;
}

static void free_ladder(net_conn_info *c)
{
    if (c->ladder) {
        ladder_model_free(c->ladder);
        free(c->ladder);
    }
    free(c->tail);
    c->ladder = NULL;
    c->tail = NULL;
}

static void free_anon(net_tracker *t)
{
    if (t->anon) {
        ladder_model_free(t->anon);
        free(t->anon);
        t->anon = NULL;
    }
}

void net_tracker_free(net_tracker *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < TRACK_SLOTS; i++)
        free_ladder(&t->slots[i]);
    free_anon(t);
    free(t->slots);
    free(t);
}

const net_conn_info *net_tracker_get(const net_tracker *t, uint32_t id)
{
    const net_conn_info *c = &t->slots[id % TRACK_SLOTS];
    return id && c->id == id ? c : NULL;
}

/* ------------------------------------------------------------ ladders */

static void copy_row(ladder_model *m, const ladder_row *r)
{
    long i;
    switch (r->kind) {
    case LADDER_ROW_SEGMENT:
        i = ladder_add_segment(m, r->side, r->t, &r->seg, r->marks);
        if (i >= 0 && (r->lost || r->t_arrive != SYNACK_TIME_NEVER))
            ladder_set_fate(m, (size_t)i, r->lost, r->t_arrive);
        break;
    case LADDER_ROW_STATE:
        ladder_add_state(m, r->side, r->t, r->old_state, r->new_state, r->cause);
        break;
    case LADDER_ROW_TIMER:
        ladder_add_timer(m, r->side, r->t, r->timer);
        break;
    case LADDER_ROW_DROP:
        ladder_add_drop(m, r->side, r->t, r->drop);
        break;
    case LADDER_ROW_NOTE:
        ladder_add_note(m, r->t, "%s", r->text);
        break;
    }
}

static void render(const net_tracker *t, ladder_model *m)
{
    ladder_render_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.color = t->o.color < 0 ? isatty(2) : t->o.color;
    ro.absolute = t->o.absolute;
    fputc('\n', stderr);
    ladder_render_text(m, &ro, stderr);
    fflush(stderr);
}

/* Rows worth keeping over the bulk of a transfer: state changes, timers,
 * drops, notes, and segments with SYN, FIN or RST. */
static int interesting(const ladder_row *r)
{
    return r->kind != LADDER_ROW_SEGMENT ||
           (r->seg.flags & (SYNACK_TCP_SYN | SYNACK_TCP_FIN | SYNACK_TCP_RST)) ||
           (r->marks & LADDER_MARK_RETRANSMIT);
}

/* Appends a row: into the ladder while its head has room, else into the
 * tail. A full tail leaves out its oldest plain data/ACK row (its oldest
 * row if all are interesting), so the close is always drawn. */
static void add_row(net_conn_info *c, const ladder_row *r)
{
    if (!c->ladder)
        return;
    tail_ring *tr = c->tail;
    if (c->ladder->nrows < HEAD_ROWS && !c->omitted && (!tr || !tr->n)) {
        copy_row(c->ladder, r);
        return;
    }
    if (!tr && !(tr = c->tail = calloc(1, sizeof(tail_ring))))
        return;
    if (tr->n == TAIL_ROWS) {
        size_t k = 0;
        while (k < tr->n && interesting(&tr->rows[k]))
            k++;
        if (k == tr->n)
            k = 0;
        memmove(&tr->rows[k], &tr->rows[k + 1], (tr->n - k - 1) * sizeof tr->rows[0]);
        tr->n--;
        c->omitted++;
    }
    tr->rows[tr->n++] = *r;
}

static void draw_conn(const net_tracker *t, net_conn_info *c)
{
    if (!c->ladder)
        return;
    tail_ring *tr = c->tail;
    if (tr && tr->n) {
        if (c->omitted)
            ladder_add_note(c->ladder, tr->rows[0].t,
                            "... %llu rows of the transfer not shown ...",
                            (unsigned long long)c->omitted);
        for (size_t k = 0; k < tr->n; k++)
            copy_row(c->ladder, &tr->rows[k]);
        tr->n = 0;
    }
    c->omitted = 0;
    if (c->ladder->nrows)
        render(t, c->ladder);
}

static void set_ends(net_tracker *t, ladder_model *m, uint32_t peer, uint16_t pport,
                     uint16_t lport, int our_state)
{
    int s = t->synack_side;
    ladder_set_end(m, s, "synack", t->o.addr, lport, our_state);
    ladder_set_end(m, !s, "peer", peer, pport, LADDER_STATE_NONE);
}

static ladder_model *new_ladder(const char *title, synack_time t0)
{
    ladder_model *m = malloc(sizeof *m);
    if (!m)
        return NULL;
    ladder_model_init(m, title);
    m->t0 = t0;
    return m;
}

/* ------------------------------------------------------------- events */

static void log_line(const net_tracker *t, const net_conn_info *c, const char *fmt,
                     const char *a, const char *b)
{
    char ep[24];
    fprintf(stderr, "%s: conn %u %s ", t->o.prog, c->id,
            c->peer.port ? net_ep_str(c->peer.addr, c->peer.port, ep) : "-");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
}

static void on_state(net_tracker *t, net_conn_info *c, const synack_trace_event *ev)
{
    c->state = ev->new_state;
    if (!t->o.quiet) {
        if (t->o.verbose)
            log_line(t, c, "%s (%s)", synack_state_name(ev->new_state), ev->cause ? ev->cause : "");
        else if (ev->new_state == SYNACK_ESTABLISHED)
            log_line(t, c, "%s%s", "ESTABLISHED", "");
        else if (ev->new_state == SYNACK_CLOSED)
            log_line(t, c, "CLOSED (%s)%s", ev->cause ? ev->cause : "", "");
    }
    if (ev->new_state == SYNACK_TIME_WAIT && c->ladder) {
        /* The ACK of the peer's FIN follows this state change: draw once
         * the current step is over (net_tracker_tick). */
        if (t->npending < sizeof t->pending / sizeof t->pending[0]) {
            t->pending[t->npending++] = c->id;
        } else {
            draw_conn(t, c);
            ladder_restart(c->ladder, ev->now);
        }
    } else if (ev->new_state == SYNACK_CLOSED) {
        draw_conn(t, c);
        free_ladder(c);
        c->id = 0;
    }
}

static void anon_event(net_tracker *t, const synack_trace_event *ev)
{
    if (!ev->has_seg) {
        if (t->o.verbose && ev->kind == SYNACK_TRACE_SEG_DROP)
            fprintf(stderr, "%s: packet dropped: %s\n", t->o.prog, synack_drop_name(ev->drop));
        return;
    }
    const synack_segment *g = &ev->seg;
    int out = ev->kind == SYNACK_TRACE_SEG_OUT;
    uint32_t peer = out ? g->daddr : g->saddr;
    uint16_t pport = out ? g->dport : g->sport, lport = out ? g->sport : g->dport;
    if (t->anon && (t->anon_peer != peer || t->anon_pport != pport || t->anon_lport != lport)) {
        render(t, t->anon);
        free_anon(t);
    }
    if (!t->anon) {
        if (!t->o.trace) {
            if (!t->o.quiet && out && (g->flags & SYNACK_TCP_RST)) {
                char a[24], b[24];
                fprintf(stderr, "%s: %s -> %s refused (RST, no socket)\n", t->o.prog,
                        net_ep_str(peer, pport, a), net_ep_str(t->o.addr, lport, b));
            }
            return;
        }
        char title[80], ep[24];
        snprintf(title, sizeof title, "segment from %s without a connection",
                 net_ep_str(peer, pport, ep));
        if (!(t->anon = new_ladder(title, ev->now)))
            return;
        set_ends(t, t->anon, peer, pport, lport, SYNACK_CLOSED);
        t->anon_peer = peer;
        t->anon_pport = pport;
        t->anon_lport = lport;
    }
    if (out) {
        ladder_add_segment(t->anon, t->synack_side, ev->now, g, 0);
        render(t, t->anon);     /* the reply ends the exchange */
        free_anon(t);
    } else if (ev->kind == SYNACK_TRACE_SEG_DROP) {
        ladder_add_segment(t->anon, !t->synack_side, ev->now, g, 0);
        ladder_add_drop(t->anon, t->synack_side, ev->now, ev->drop);
    }
}

void net_tracker_observe(void *ctx, const synack_trace_event *ev)
{
    net_tracker *t = ctx;
    if (ev->conn_id == 0) {
        anon_event(t, ev);
        return;
    }
    net_conn_info *c = &t->slots[ev->conn_id % TRACK_SLOTS];
    if (c->id != ev->conn_id) {
        if (ev->kind == SYNACK_TRACE_STATE && ev->new_state == SYNACK_CLOSED && c->id)
            return;     /* a collided, forgotten connection ends */
        free_ladder(c);
        memset(c, 0, sizeof *c);
        c->id = ev->conn_id;
        c->state = SYNACK_CLOSED;
        c->synack_side = t->synack_side;
        /* A passive connection's first event is the SYN that reached
         * the listener; an active one's is its first state change. */
        c->init_state = ev->kind == SYNACK_TRACE_STATE  ? (int)ev->old_state
                        : ev->kind == SYNACK_TRACE_SEG_IN ? SYNACK_LISTEN
                                                          : SYNACK_CLOSED;
        if (t->o.trace) {
            char title[80];
            snprintf(title, sizeof title, "%s: connection %u", t->o.prog, c->id);
            c->ladder = new_ladder(title, ev->now);
            if (c->ladder)
                set_ends(t, c->ladder, 0, 0, 0, c->init_state);
        }
    }
    if (ev->has_seg && !c->peer.port) {
        int out = ev->kind == SYNACK_TRACE_SEG_OUT;
        c->peer.addr = out ? ev->seg.daddr : ev->seg.saddr;
        c->peer.port = out ? ev->seg.dport : ev->seg.sport;
        c->lport = out ? ev->seg.sport : ev->seg.dport;
        if (c->ladder)
            set_ends(t, c->ladder, c->peer.addr, c->peer.port, c->lport, c->init_state);
    }
    ladder_row r;
    memset(&r, 0, sizeof r);
    r.t = ev->now;
    r.t_arrive = SYNACK_TIME_NEVER;
    r.side = t->synack_side;
    switch (ev->kind) {
    case SYNACK_TRACE_SEG_OUT:
        r.kind = LADDER_ROW_SEGMENT;
        r.seg = ev->seg;
        r.marks = ev->retransmit ? LADDER_MARK_RETRANSMIT : 0;
        add_row(c, &r);
        break;
    case SYNACK_TRACE_SEG_IN:
        r.kind = LADDER_ROW_SEGMENT;
        r.side = !t->synack_side;
        r.seg = ev->seg;
        r.t_arrive = ev->now;
        add_row(c, &r);
        break;
    case SYNACK_TRACE_SEG_DROP:
        if (ev->has_seg) {
            r.kind = LADDER_ROW_SEGMENT;
            r.side = !t->synack_side;
            r.seg = ev->seg;
            r.t_arrive = ev->now;
            add_row(c, &r);
            r.side = t->synack_side;
        }
        r.kind = LADDER_ROW_DROP;
        r.drop = ev->drop;
        add_row(c, &r);
        break;
    case SYNACK_TRACE_TIMER:
        r.kind = LADDER_ROW_TIMER;
        r.timer = ev->timer;
        add_row(c, &r);
        break;
    case SYNACK_TRACE_ERROR:
        c->error = ev->error;
        if (!t->o.quiet)
            log_line(t, c, "error: %s%s", synack_strerror(ev->error), "");
        r.kind = LADDER_ROW_NOTE;
        r.side = -1;
        snprintf(r.text, sizeof r.text, "synack app gets error: %s", synack_strerror(ev->error));
        add_row(c, &r);
        break;
    case SYNACK_TRACE_STATE:
        r.kind = LADDER_ROW_STATE;
        r.old_state = ev->old_state;
        r.new_state = ev->new_state;
        r.cause = ev->cause;
        add_row(c, &r);
        on_state(t, c, ev);
        break;
    }
}

void net_tracker_tick(net_tracker *t)
{
    for (size_t i = 0; i < t->npending; i++) {
        net_conn_info *c = &t->slots[t->pending[i] % TRACK_SLOTS];
        if (c->id != t->pending[i] || !c->ladder)
            continue;
        draw_conn(t, c);
        ladder_restart(c->ladder,
                       c->ladder->nrows ? c->ladder->rows[c->ladder->nrows - 1].t : c->ladder->t0);
    }
    t->npending = 0;
}

void net_tracker_flush(net_tracker *t)
{
    t->npending = 0;
    if (t->anon) {
        render(t, t->anon);
        free_anon(t);
    }
    for (size_t i = 0; i < TRACK_SLOTS; i++) {
        net_conn_info *c = &t->slots[i];
        if (c->id && c->ladder) {
            draw_conn(t, c);
            free_ladder(c);
        }
    }
}
