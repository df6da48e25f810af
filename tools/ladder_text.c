/* ladder_text.c — draws a ladder model for a terminal, 80 columns wide.
 *
 * Layout of every line (columns):
 *
 *   0-9   time since the start        23 -  left lifeline at 24
 *   11-22 left end's state/timer      25-65 arrows, labels, notes
 *   66    right lifeline              68-79 right end's state/timer
 *
 * Each segment is one horizontal arrow from the sender's lifeline to the
 * receiver's, its label inside the arrow; what does not fit (options,
 * annotations) continues on the lines below, on the sender's side. A lost
 * segment's arrow stops mid-way in an X. A line is composed in a cell
 * buffer (character + colour) and then written, so nothing can exceed 80
 * columns and colour codes never count towards the width. */
#include <stdio.h>
#include <string.h>

#include "ladder_label.h"
#include "ladder_render.h"

#define W        LADDER_TEXT_WIDTH
#define TIME_W   10
#define LSTATE   11                 /* first column of the left margin */
#define STATE_W  12
#define LL       24                 /* left lifeline */
#define RL       66                 /* right lifeline */
#define AREA     (LL + 1)
#define AREA_W   (RL - LL - 1)      /* 41 */
#define RSTATE   (RL + 2)

enum colour { C_NONE, C_LINE, C_STATE, C_SYN, C_FIN, C_RST, C_LOST, C_TIMER, C_DIM,
              C_BOLD, C_MARK };

static const char *const ansi[] = {
    [C_NONE] = "\033[0m",   [C_LINE] = "\033[2m",     [C_STATE] = "\033[1;36m",
    [C_SYN] = "\033[32m",   [C_FIN] = "\033[34m",     [C_RST] = "\033[31m",
    [C_LOST] = "\033[1;31m", [C_TIMER] = "\033[35m",  [C_DIM] = "\033[2m",
    [C_BOLD] = "\033[1m",   [C_MARK] = "\033[33m",
};

typedef struct line {
    char ch[W];
    unsigned char col[W];
} line;

typedef struct ctx {
    const ladder_model *m;
    const ladder_render_opts *o;
    FILE *out;
    int decimals;
    int err;
} ctx;

static void line_clear(line *l, int lifelines)
{
    memset(l->ch, ' ', W);
    memset(l->col, C_NONE, W);
    if (lifelines) {
        l->ch[LL] = l->ch[RL] = '|';
        l->col[LL] = l->col[RL] = C_LINE;
    }
}

/* Writes s at column x (clipped to [x, limit) and to the line). */
static void put(line *l, int x, int limit, const char *s, unsigned char colour)
{
    if (limit > W)
        limit = W;
    for (; *s && x < limit; s++, x++) {
        if (x < 0)
            continue;
        l->ch[x] = *s;
        l->col[x] = colour;
    }
}

static void put_centered(line *l, int centre, const char *s, unsigned char colour)
{
    int n = (int)strlen(s);
    int x = centre - n / 2;
    if (x < 0)
        x = 0;
    if (x + n > W)
        x = W - n;
    put(l, x, W, s, colour);
}

static void emit(ctx *c, const line *l)
{
    int end = W;
    while (end > 0 && l->ch[end - 1] == ' ')
        end--;
    unsigned char cur = C_NONE;
    for (int x = 0; x < end; x++) {
        if (c->o->color && l->col[x] != cur && l->ch[x] != ' ') {
            fputs(ansi[C_NONE], c->out);
            if (l->col[x] != C_NONE)
                fputs(ansi[l->col[x]], c->out);
            cur = l->col[x];
        }
        fputc(l->ch[x], c->out);
    }
    if (c->o->color && cur != C_NONE)
        fputs(ansi[C_NONE], c->out);
    if (fputc('\n', c->out) == EOF)
        c->err = 1;
}

static void put_time(ctx *c, line *l, synack_time t)
{
    char buf[32];
    ladder_fmt_time(c->m, t, c->decimals, TIME_W, buf, sizeof buf);
    int n = (int)strlen(buf);
    put(l, TIME_W - n, TIME_W, buf, C_DIM);
}

/* Text in an end's margin: right-aligned against the left lifeline, or
 * left-aligned after the right one. */
static void put_margin(line *l, int side, const char *s, unsigned char colour)
{
    int n = (int)strlen(s);
    if (n > STATE_W)
        n = STATE_W;
    if (side == LADDER_LEFT)
        put(l, LL - 1 - n, LL - 1, s, colour);
    else
        put(l, RSTATE, W, s, colour);
}

/* Text inside the arrow area next to an end's lifeline. */
static void put_beside(line *l, int side, const char *s, unsigned char colour)
{
    int n = (int)strlen(s);
    if (n > AREA_W - 2)
        n = AREA_W - 2;
    if (side == LADDER_LEFT)
        put(l, AREA + 1, AREA + 1 + n, s, colour);
    else
        put(l, RL - 1 - n, RL - 1, s, colour);
}

static unsigned char seg_colour(const ladder_row *r)
{
    if (r->seg.flags & SYNACK_TCP_RST)
        return C_RST;
    if (r->seg.flags & SYNACK_TCP_SYN)
        return C_SYN;
    if (r->seg.flags & SYNACK_TCP_FIN)
        return C_FIN;
    return C_NONE;
}

/* Bytes of p that fit in width columns, cut at a space when possible. */
static int take_words(const char *p, int width)
{
    int n = (int)strlen(p);
    if (n <= width)
        return n;
    n = width;
    while (n > 0 && p[n] != ' ')
        n--;
    return n > 0 ? n : width;
}

static void draw_note_text(ctx *c, synack_time t, const char *text, int with_time)
{
    /* Words wrapped to the arrow area, two columns in from each side. */
    const int width = AREA_W - 4;
    const char *p = text;
    int first = 1;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        int n = take_words(p, width);
        line l;
        line_clear(&l, 1);
        if (first && with_time)
            put_time(c, &l, t);
        char buf[W + 1];
        memcpy(buf, p, (size_t)n);
        buf[n] = '\0';
        put(&l, AREA + 2, AREA + 2 + width, buf, C_DIM);
        emit(c, &l);
        p += n;
        first = 0;
    }
}

/* Text beside an end's lifeline, starting on line l (already holding the
 * row's time and margin) and wrapping onto further lines. */
static void draw_beside(ctx *c, line *l, int side, const char *text, unsigned char colour)
{
    const int width = AREA_W - 2;
    const char *p = text;
    do {
        while (*p == ' ')
            p++;
        int n = take_words(p, width);
        char buf[W + 1];
        memcpy(buf, p, (size_t)n);
        buf[n] = '\0';
        put_beside(l, side, buf, colour);
        emit(c, l);
        line_clear(l, 1);
        p += n;
        while (*p == ' ')
            p++;
    } while (*p);
}

static void draw_segment(ctx *c, ladder_labeler *lb, const ladder_row *r)
{
    ladder_label lab;
    ladder_label_segment(lb, (size_t)(r - lb->m->rows), &lab);
    int s = r->side & 1;
    if (lab.rebased) {
        char note[LADDER_NOTE_MAX];
        snprintf(note, sizeof note, "%s starts again with ISN %u%s", c->m->end[s].name,
                 (unsigned)lab.isn, lb->absolute ? "" : " (seq 0 from here)");
        draw_note_text(c, r->t, note, 1);
    }
    unsigned char colour = seg_colour(r);
    const int budget = r->lost ? AREA_W - 12 : AREA_W - 6;
    size_t k = ladder_label_fit(&lab, 0, (size_t)budget);
    char text[AREA_W + 1];
    ladder_label_join(&lab, 0, k, text, sizeof text);
    int n = (int)strlen(text);
    if (n > budget)
        n = budget;
    text[n] = '\0';

    /* Build the arrow inside the area as a string of AREA_W characters. */
    char arrow[AREA_W + 1];
    memset(arrow, ' ', AREA_W);
    arrow[AREA_W] = '\0';
    int xpos = -1;                  /* where the X of a lost arrow goes */
    if (s == LADDER_LEFT) {
        int end = AREA_W;
        if (r->lost) {
            xpos = n + 5 > AREA_W * 3 / 5 ? n + 5 : AREA_W * 3 / 5;
            end = xpos;
        }
        for (int i = 0; i < end; i++)
            arrow[i] = '-';
        memcpy(arrow + 3, text, (size_t)n);
        arrow[3 + n] = ' ';
        arrow[2] = ' ';
        if (!r->lost)
            arrow[AREA_W - 1] = '>';
    } else {
        int start = 0;
        if (r->lost) {
            xpos = AREA_W - 1 - (n + 5 > AREA_W * 3 / 5 ? n + 5 : AREA_W * 3 / 5);
            start = xpos + 1;
        }
        for (int i = start; i < AREA_W; i++)
            arrow[i] = '-';
        memcpy(arrow + AREA_W - 3 - n, text, (size_t)n);
        arrow[AREA_W - 4 - n] = ' ';
        arrow[AREA_W - 3] = ' ';
        if (!r->lost)
            arrow[0] = '<';
    }
    line l;
    line_clear(&l, 1);
    put_time(c, &l, r->t);
    put(&l, AREA, AREA + AREA_W, arrow, colour);
    if (xpos >= 0)
        put(&l, AREA + xpos, AREA + xpos + 1, "X", C_LOST);
    emit(c, &l);

    /* Continuation lines on the sender's side. */
    const int cont_w = AREA_W - 4;
    for (size_t i = k; i < lab.n;) {
        size_t j = ladder_label_fit(&lab, i, (size_t)cont_w);
        ladder_label_join(&lab, i, i + j, text, sizeof text);
        n = (int)strlen(text);
        if (n > cont_w)
            n = cont_w;
        text[n] = '\0';
        line_clear(&l, 1);
        unsigned char tc = text[0] == '(' ? C_MARK : C_DIM;
        if (s == LADDER_LEFT)
            put(&l, AREA + 3, AREA + 3 + n, text, tc);
        else
            put(&l, RL - 3 - n, RL - 3, text, tc);
        emit(c, &l);
        i += j;
    }
}

static void draw_row(ctx *c, ladder_labeler *lb, const ladder_row *r)
{
    line l;
    switch (r->kind) {
    case LADDER_ROW_SEGMENT:
        draw_segment(c, lb, r);
        return;
    case LADDER_ROW_STATE:
        line_clear(&l, 1);
        put_time(c, &l, r->t);
        put_margin(&l, r->side, synack_state_name(r->new_state), C_STATE);
        if (r->cause) {
            draw_beside(c, &l, r->side, r->cause, C_DIM);
            return;
        }
        break;
    case LADDER_ROW_TIMER:
        line_clear(&l, 1);
        put_time(c, &l, r->t);
        put_margin(&l, r->side, ladder_timer_label(r->timer), C_TIMER);
        break;
    case LADDER_ROW_DROP:
        line_clear(&l, 1);
        put_time(c, &l, r->t);
        put_margin(&l, r->side, "dropped", C_RST);
        draw_beside(c, &l, r->side, synack_drop_name(r->drop), C_DIM);
        return;
    case LADDER_ROW_NOTE:
    default:
        draw_note_text(c, r->t, r->text, 1);
        return;
    }
    emit(c, &l);
}

static void draw_header(ctx *c, const ladder_labeler *lb)
{
    const ladder_model *m = c->m;
    line l;
    if (m->title[0]) {
        line_clear(&l, 0);
        put(&l, 0, W, m->title, C_BOLD);
        emit(c, &l);
        line_clear(&l, 0);
        emit(c, &l);
    }
    line_clear(&l, 0);
    put_centered(&l, LL, m->end[0].name, C_BOLD);
    put_centered(&l, RL, m->end[1].name, C_BOLD);
    emit(c, &l);

    char a[40], b[40];
    ladder_fmt_endpoint(&m->end[0], a, sizeof a);
    ladder_fmt_endpoint(&m->end[1], b, sizeof b);
    line_clear(&l, 0);
    put_centered(&l, LL, a, C_NONE);
    put_centered(&l, RL, b, C_NONE);
    emit(c, &l);

    line_clear(&l, 0);
    for (int s = 0; s < 2; s++) {
        uint32_t isn;
        if (ladder_labeler_isn(lb, s, &isn))
            snprintf(a, sizeof a, "ISN %u", (unsigned)isn);
        else
            snprintf(a, sizeof a, "(no SYN seen)");
        put_centered(&l, s ? RL : LL, a, C_DIM);
    }
    emit(c, &l);

    line_clear(&l, 1);
    put(&l, TIME_W - 4, TIME_W, "time", C_DIM);
    for (int s = 0; s < 2; s++)
        if (m->end[s].initial_state != LADDER_STATE_NONE)
            put_margin(&l, s, synack_state_name(m->end[s].initial_state), C_STATE);
    emit(c, &l);
}

int ladder_render_text(const ladder_model *m, const ladder_render_opts *o, FILE *out)
{
    ctx c = {.m = m, .o = o, .out = out, .decimals = ladder_time_decimals(m)};
    ladder_labeler lb;
    ladder_labeler_init(&lb, m, o->absolute, o->all_options);
    draw_header(&c, &lb);
    for (size_t i = 0; i < m->nrows; i++)
        draw_row(&c, &lb, &m->rows[i]);
    line l;
    line_clear(&l, 1);
    emit(&c, &l);
    if (!o->absolute) {
        line_clear(&l, 0);
        put(&l, 0, W, "seq and ack are relative to each end's ISN", C_DIM);
        emit(&c, &l);
    }
    if (m->oom) {
        line_clear(&l, 0);
        put(&l, 0, W, "(out of memory: the diagram is incomplete)", C_RST);
        emit(&c, &l);
    }
    return c.err || ferror(out) ? -1 : 0;
}
