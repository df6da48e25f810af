/* ladder_model.c — storage for the ladder diagram model: ends, rows in
 * time order, and the derived "state after the last row". Names and
 * labels live in ladder_names.c; nothing here formats anything except
 * note text. */
#include "ladder_model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ladder_model_init(ladder_model *m, const char *title)
{
    memset(m, 0, sizeof *m);
    snprintf(m->title, sizeof m->title, "%s", title ? title : "");
    for (int i = 0; i < 2; i++)
        m->end[i].initial_state = LADDER_STATE_NONE;
}

void ladder_model_free(ladder_model *m)
{
    free(m->rows);
    m->rows = NULL;
    m->nrows = m->cap = 0;
}

void ladder_set_end(ladder_model *m, int side, const char *name, uint32_t addr,
                    uint16_t port, int initial_state)
{
    ladder_end *e = &m->end[side & 1];
    snprintf(e->name, sizeof e->name, "%s", name ? name : "");
    e->addr = addr;
    e->port = port;
    e->initial_state = initial_state;
}

int ladder_side_of(const ladder_model *m, uint32_t addr, uint16_t port)
{
    for (int i = 0; i < 2; i++)
        if (m->end[i].addr == addr && m->end[i].port == port)
            return i;
    return -1;
}

/* A zeroed row of the given kind at the end of the list, or NULL. */
static ladder_row *append(ladder_model *m, ladder_row_kind kind, int side, synack_time t)
{
    if (m->nrows == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 32;
        ladder_row *rows = realloc(m->rows, cap * sizeof *rows);
        if (!rows) {
            m->oom = 1;
            return NULL;
        }
        m->rows = rows;
        m->cap = cap;
    }
    ladder_row *r = &m->rows[m->nrows++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->side = side;
    r->t = t;
    r->t_arrive = SYNACK_TIME_NEVER;
    r->old_state = r->new_state = LADDER_STATE_NONE;
    return r;
}

static long index_of(const ladder_model *m, const ladder_row *r)
{
    return r ? (long)(r - m->rows) : -1;
}

long ladder_add_segment(ladder_model *m, int side, synack_time t,
                        const synack_segment *seg, unsigned marks)
{
    ladder_row *r = append(m, LADDER_ROW_SEGMENT, side, t);
    if (r) {
        r->seg = *seg;
        r->marks = marks;
        if (seg->flags & SYNACK_TCP_RST)
            r->marks |= LADDER_MARK_RESET;
    }
    return index_of(m, r);
}

long ladder_add_state(ladder_model *m, int side, synack_time t, int old_state,
                      int new_state, const char *cause)
{
    ladder_row *r = append(m, LADDER_ROW_STATE, side, t);
    if (r) {
        r->old_state = old_state;
        r->new_state = new_state;
        r->cause = cause;
    }
    return index_of(m, r);
}

long ladder_add_timer(ladder_model *m, int side, synack_time t, int timer)
{
    ladder_row *r = append(m, LADDER_ROW_TIMER, side, t);
    if (r)
        r->timer = timer;
    return index_of(m, r);
}

long ladder_add_drop(ladder_model *m, int side, synack_time t, int drop)
{
    ladder_row *r = append(m, LADDER_ROW_DROP, side, t);
    if (r)
        r->drop = drop;
    return index_of(m, r);
}

long ladder_add_note(ladder_model *m, synack_time t, const char *fmt, ...)
{
    ladder_row *r = append(m, LADDER_ROW_NOTE, -1, t);
    if (r) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->text, sizeof r->text, fmt, ap);
        va_end(ap);
    }
    return index_of(m, r);
}

void ladder_remove_row(ladder_model *m, size_t idx)
{
    if (idx >= m->nrows)
        return;
    memmove(&m->rows[idx], &m->rows[idx + 1], (m->nrows - idx - 1) * sizeof m->rows[0]);
    m->nrows--;
}

void ladder_set_fate(ladder_model *m, size_t idx, int lost, synack_time t_arrive)
{
    if (idx >= m->nrows || m->rows[idx].kind != LADDER_ROW_SEGMENT)
        return;
    m->rows[idx].lost = lost;
    m->rows[idx].t_arrive = lost ? SYNACK_TIME_NEVER : t_arrive;
}

int ladder_final_state(const ladder_model *m, int side)
{
    int st = m->end[side & 1].initial_state;
    for (size_t i = 0; i < m->nrows; i++)
        if (m->rows[i].kind == LADDER_ROW_STATE && m->rows[i].side == side)
            st = m->rows[i].new_state;
    return st;
}

void ladder_restart(ladder_model *m, synack_time t0)
{
    for (int i = 0; i < 2; i++)
        m->end[i].initial_state = ladder_final_state(m, i);
    for (size_t i = 0; i < m->nrows; i++) {
        const ladder_row *r = &m->rows[i];
        if (r->kind == LADDER_ROW_SEGMENT && (r->side == 0 || r->side == 1) &&
            (r->seg.flags & SYNACK_TCP_SYN) && !(r->marks & LADDER_MARK_OLD_DUP)) {
            m->end[r->side].has_isn = 1;
            m->end[r->side].isn = r->seg.seq;
        }
    }
    m->nrows = 0;
    m->t0 = t0;
}
