/* ladder_label.c — segment labels, relative sequence numbers, window
 * scaling, time and endpoint formatting for the renderers (see
 * ladder_label.h for the rules). */
#include "ladder_label.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ladder_labeler_init(ladder_labeler *lb, const ladder_model *m, int absolute,
                         int all_options)
{
    memset(lb, 0, sizeof *lb);
    lb->m = m;
    lb->absolute = absolute;
    lb->all_options = all_options;
    lb->decimals = ladder_time_decimals(m);
    for (int s = 0; s < 2; s++) {
        if (m->end[s].has_isn) {
            lb->base[s] = m->end[s].isn;
            lb->have_base[s] = lb->base_is_isn[s] = 1;
        }
    }
    /* Each end's base is its first (non-stale) SYN, as in Wireshark; an
     * end seen without a SYN counts from its first sequence number. */
    for (size_t i = 0; i < m->nrows; i++) {
        const ladder_row *r = &m->rows[i];
        if (r->kind != LADDER_ROW_SEGMENT || (r->side != 0 && r->side != 1))
            continue;
        int s = r->side;
        int syn = (r->seg.flags & SYNACK_TCP_SYN) && !(r->marks & LADDER_MARK_OLD_DUP);
        if (syn && !lb->base_is_isn[s]) {
            lb->base[s] = r->seg.seq;
            lb->have_base[s] = lb->base_is_isn[s] = 1;
        } else if (!lb->have_base[s] && !(r->marks & LADDER_MARK_OLD_DUP)) {
            lb->base[s] = r->seg.seq;
            lb->have_base[s] = 1;
        }
    }
    /* An end that never sent anything is still acknowledged: count its
     * numbers from the first ACK the other end sent. */
    for (size_t i = 0; i < m->nrows; i++) {
        const ladder_row *r = &m->rows[i];
        if (r->kind != LADDER_ROW_SEGMENT || (r->side != 0 && r->side != 1))
            continue;
        int peer = !r->side;
        if (!lb->have_base[peer] && (r->seg.flags & SYNACK_TCP_ACK)) {
            lb->base[peer] = r->seg.ack;
            lb->have_base[peer] = 1;
        }
    }
}

int ladder_labeler_isn(const ladder_labeler *lb, int side, uint32_t *isn)
{
    if (!lb->base_is_isn[side & 1])
        return 0;
    *isn = lb->base[side & 1];
    return 1;
}

static ladder_token *add(ladder_label *l, const char *sep, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ladder_token *add(ladder_label *l, const char *sep, const char *fmt, ...)
{
    if (l->n == LADDER_TOKENS_MAX)
        return NULL;
    ladder_token *t = &l->tok[l->n++];
    t->sep = sep;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->text, sizeof t->text, fmt, ap);
    va_end(ap);
    return t;
}

/* A sequence number of `side` as the diagram shows it. Relative numbers
 * are signed: a stale segment from before the ISN shows as negative. */
static long long shown(const ladder_labeler *lb, int side, uint32_t v)
{
    if (lb->absolute || !lb->have_base[side])
        return (long long)v;
    return (long long)(int32_t)(v - lb->base[side]);
}

/* Starts a new item of a list ("mss 1460" after "<"): the previous item
 * gets its comma now, so a line break between items keeps it. */
static void add_item(ladder_label *l, size_t first, const char *sep, const char *text)
{
    if (l->n > first) {
        ladder_token *prev = &l->tok[l->n - 1];
        size_t n = strlen(prev->text);
        if (n + 1 < LADDER_TOKEN_LEN) {
            prev->text[n] = ',';
            prev->text[n + 1] = '\0';
        }
    }
    add(l, l->n > first ? sep : " ", "%s", text);
}

/* Encloses tokens [first, n) in open/close: "<mss 1460,sackOK>". */
static void bracket(ladder_label *l, size_t first, char open, char close)
{
    ladder_token *a = &l->tok[first], *b = &l->tok[l->n - 1];
    size_t n = strlen(a->text);
    if (n + 1 < LADDER_TOKEN_LEN) {
        memmove(a->text + 1, a->text, n + 1);
        a->text[0] = open;
    }
    n = strlen(b->text);
    if (n + 1 < LADDER_TOKEN_LEN) {
        b->text[n] = close;
        b->text[n + 1] = '\0';
    }
}

static void add_options(const ladder_labeler *lb, int receiver, const synack_tcp_opts *in,
                        int syn, ladder_label *l)
{
    size_t first = l->n;
    char buf[LADDER_TOKEN_LEN];
    synack_tcp_opts sack_only = {.nsack = in->nsack};
    memcpy(sack_only.sack, in->sack, sizeof sack_only.sack);
    const synack_tcp_opts *o = syn || lb->all_options ? in : &sack_only;
    if (o->has_mss) {
        snprintf(buf, sizeof buf, "mss %u", (unsigned)o->mss);
        add_item(l, first, "", buf);
    }
    if (o->sack_permitted)
        add_item(l, first, "", "sackOK");
    if (o->has_ts) {
        snprintf(buf, sizeof buf, "TS val %u ecr %u", (unsigned)o->tsval, (unsigned)o->tsecr);
        add_item(l, first, "", buf);
    }
    if (o->has_wscale) {
        snprintf(buf, sizeof buf, "wscale %u", (unsigned)o->wscale);
        add_item(l, first, "", buf);
    }
    for (unsigned i = 0; i < o->nsack && i < 4; i++) {
        /* SACK blocks name bytes of the receiver's sequence space; the
         * blocks of one option are separated by spaces, as in tcpdump. */
        snprintf(buf, sizeof buf, "%s%lld:%lld", i ? "" : "sack ",
                 shown(lb, receiver, o->sack[i][0]), shown(lb, receiver, o->sack[i][1]));
        if (i == 0)
            add_item(l, first, "", buf);
        else
            add(l, " ", "%s", buf);
    }
    if (l->n > first)
        bracket(l, first, '<', '>');
}

/* Whether something happened strictly between the row's send time and
 * its arrival: then the arrow alone would mislead about when it landed. */
static int overtaken(const ladder_model *m, size_t idx)
{
    const ladder_row *r = &m->rows[idx];
    if (r->lost || r->t_arrive == SYNACK_TIME_NEVER)
        return 0;
    for (size_t i = idx + 1; i < m->nrows && m->rows[i].t < r->t_arrive; i++)
        if (m->rows[i].t > r->t)
            return 1;
    return 0;
}

static void add_marks(const ladder_labeler *lb, size_t idx, ladder_label *l)
{
    const ladder_row *r = &lb->m->rows[idx];
    static const struct { unsigned bit; const char *text; } marks[] = {
        {LADDER_MARK_OLD_DUP, "old duplicate"},
        {LADDER_MARK_RETRANSMIT, "retransmission"},
        {LADDER_MARK_OUT_OF_ORDER, "out-of-order"},
        {LADDER_MARK_DUP_ACK, "dup ACK"},
        {LADDER_MARK_ZERO_WINDOW, "zero window"},
        {LADDER_MARK_BAD_CSUM, "bad checksum"},
    };
    /* RST is not listed: the flags already say it. */
    size_t first = l->n;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (r->marks & marks[i].bit)
            add_item(l, first, " ", marks[i].text);
    if (r->lost)
        add_item(l, first, " ", "lost");
    if (overtaken(lb->m, idx)) {
        char t[32], buf[LADDER_TOKEN_LEN];
        ladder_fmt_time(lb->m, r->t_arrive, lb->decimals, 12, t, sizeof t);
        snprintf(buf, sizeof buf, "arrives %s", t);
        add_item(l, first, " ", buf);
    }
    if (l->n > first)
        bracket(l, first, '(', ')');
}

void ladder_label_segment(ladder_labeler *lb, size_t idx, ladder_label *out)
{
    const ladder_row *r = &lb->m->rows[idx];
    memset(out, 0, sizeof *out);
    int s = r->side & 1, peer = !s;
    const synack_segment *g = &r->seg;
    int syn = (g->flags & SYNACK_TCP_SYN) != 0;

    if (syn && !(r->marks & LADDER_MARK_OLD_DUP)) {
        /* A SYN with a new sequence number is a new incarnation. */
        if (lb->base_is_isn[s] && lb->base[s] != g->seq) {
            out->rebased = 1;
            out->isn = g->seq;
        }
        lb->base[s] = g->seq;
        lb->have_base[s] = lb->base_is_isn[s] = 1;
        lb->ws_offered[s] = g->opts.has_wscale;
        lb->ws[s] = g->opts.wscale;
    }

    char flags[12];
    add(out, " ", "[%s]", ladder_flags_str(g->flags, flags));
    add(out, " ", "seq=%lld", shown(lb, s, g->seq));
    if (g->flags & SYNACK_TCP_ACK)
        add(out, " ", "ack=%lld", shown(lb, peer, g->ack));
    unsigned long win = g->wnd;
    if (!syn && lb->ws_offered[0] && lb->ws[s] <= 14 && lb->ws_offered[1])
        win <<= lb->ws[s];
    add(out, " ", "win=%lu", win);
    if (g->len)
        add(out, " ", "len=%u", (unsigned)g->len);
    add_options(lb, peer, &g->opts, syn, out);
    add_marks(lb, idx, out);
}

void ladder_label_join(const ladder_label *l, size_t from, size_t to, char *buf, size_t len)
{
    size_t n = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    for (size_t i = from; i < to && i < l->n; i++) {
        int w = snprintf(buf + n, len - n, "%s%s", i == from ? "" : l->tok[i].sep,
                         l->tok[i].text);
        if (w < 0 || (size_t)w >= len - n) {
            buf[len - 1] = '\0';
            return;
        }
        n += (size_t)w;
    }
}

size_t ladder_label_fit(const ladder_label *l, size_t from, size_t width)
{
    size_t used = 0, i = from;
    for (; i < l->n; i++) {
        size_t w = strlen(l->tok[i].text) + (i == from ? 0 : strlen(l->tok[i].sep));
        if (used + w > width)
            break;
        used += w;
    }
    return i == from && i < l->n ? 1 : i - from;
}

int ladder_time_decimals(const ladder_model *m)
{
    for (size_t i = 0; i < m->nrows; i++)
        if ((m->rows[i].t - m->t0) % SYNACK_MSEC(1) != 0)
            return 6;
    return 3;
}

void ladder_fmt_time(const ladder_model *m, synack_time t, int decimals, size_t width,
                     char *buf, size_t len)
{
    synack_time rel = t >= m->t0 ? t - m->t0 : 0;
    double sec = (double)rel / 1e9;
    for (int d = decimals; d >= 0; d--) {
        int w = snprintf(buf, len, "%.*fs", d, sec);
        if (w >= 0 && (size_t)w <= width)
            return;
    }
}

void ladder_fmt_endpoint(const ladder_end *e, char *buf, size_t len)
{
    snprintf(buf, len, "%u.%u.%u.%u:%u", (unsigned)(e->addr >> 24),
             (unsigned)(e->addr >> 16) & 255u, (unsigned)(e->addr >> 8) & 255u,
             (unsigned)e->addr & 255u, (unsigned)e->port);
}
