/* ladder_svg.c — draws ladder models as one standalone SVG document
 * (for slides and web pages; tested with rsvg-convert and Chromium).
 *
 * Same content as the text diagram (ladder_text.c) with room to breathe:
 * segments slope down from sender to receiver, their labels above them;
 * a lost segment stops half-way in a red X; states sit in boxes beside
 * their lifeline. Labels use a monospace font stack, explanations a sans
 * stack with CJK fallbacks. The body is composed in memory first because
 * the document's height is known only at the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder_label.h"
#include "ladder_render.h"
#include "text_wrap.h"

#define SVG_W      860
#define LLX        240             /* left lifeline */
#define RLX        700             /* right lifeline */
#define TIME_X     72              /* right edge of the time column */
#define LABEL_CH   58              /* label columns between the lifelines */
#define LINE_H     15              /* label line height */
#define SLOPE      18              /* vertical drop of an arrow */
#define EXPLAIN_COLS 100           /* explanation width, in columns */

static const char *const MONO =
    "'DejaVu Sans Mono','Menlo','Consolas','Liberation Mono','Noto Sans Mono',monospace";
static const char *const SANS =
    "'DejaVu Sans','Helvetica Neue','Arial','Noto Sans CJK SC','Source Han Sans SC',"
    "'WenQuanYi Micro Hei','PingFang SC','Microsoft YaHei',sans-serif";

typedef struct svg {
    FILE *f;
    const ladder_model *m;
    int decimals;
    int y;
} svg;

/* Writes n bytes of s with XML's special characters escaped. */
static void esc_n(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        switch (s[i]) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:  fputc(s[i], f);
        }
    }
}

static void esc(FILE *f, const char *s)
{
    esc_n(f, s, strlen(s));
}

static void text(svg *v, int x, int y, const char *anchor, const char *cls, const char *s)
{
    fprintf(v->f, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor, cls);
    esc(v->f, s);
    fputs("</text>\n", v->f);
}

static const char *seg_class(const ladder_row *r)
{
    if (r->seg.flags & SYNACK_TCP_RST)
        return "rst";
    if (r->seg.flags & SYNACK_TCP_SYN)
        return "syn";
    if (r->seg.flags & SYNACK_TCP_FIN)
        return "fin";
    return "dat";
}

static void time_at(svg *v, synack_time t, int y)
{
    char buf[32];
    ladder_fmt_time(v->m, t, v->decimals, 12, buf, sizeof buf);
    text(v, TIME_X, y, "end", "time", buf);
}

/* A box with a state name (or a timer) beside an end's lifeline. */
static void margin_box(svg *v, int side, int y, const char *cls, const char *s)
{
    int w = (int)strlen(s) * 8 + 12;
    int x = side == LADDER_LEFT ? LLX - 8 - w : RLX + 8;
    fprintf(v->f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" rx=\"4\" class=\"%s\"/>\n",
            x, y - 14, w, cls);
    char tcls[16];
    snprintf(tcls, sizeof tcls, "%st", cls);
    text(v, x + w / 2, y, "middle", tcls, s);
}

static void beside(svg *v, int side, int y, const char *s)
{
    if (side == LADDER_LEFT)
        text(v, LLX + 8, y, "start", "cause", s);
    else
        text(v, RLX - 8, y, "end", "cause", s);
}

static void note(svg *v, const char *s)
{
    /* Wrapped like the text renderer's notes, centred between lifelines. */
    const char *p = s;
    while (*p) {
        size_t n = strlen(p);
        if (n > LABEL_CH) {
            n = LABEL_CH;
            while (n > 0 && p[n] != ' ')
                n--;
            if (n == 0)
                n = LABEL_CH;
        }
        fprintf(v->f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"note\">",
                (LLX + RLX) / 2, v->y);
        esc_n(v->f, p, n);
        fputs("</text>\n", v->f);
        v->y += LINE_H + 2;
        p += n;
        while (*p == ' ')
            p++;
    }
    v->y += 4;
}

static void segment(svg *v, ladder_labeler *lb, const ladder_row *r)
{
    ladder_label lab;
    ladder_label_segment(lb, (size_t)(r - lb->m->rows), &lab);
    int s = r->side & 1;
    if (lab.rebased) {
        char buf[LADDER_NOTE_MAX];
        snprintf(buf, sizeof buf, "%s starts again with ISN %u%s", v->m->end[s].name,
                 (unsigned)lab.isn, lb->absolute ? "" : " (seq 0 from here)");
        note(v, buf);
    }
    const char *cls = seg_class(r);
    int top = v->y;
    for (size_t i = 0; i < lab.n;) {
        size_t k = ladder_label_fit(&lab, i, LABEL_CH);
        char buf[LABEL_CH * 2];
        ladder_label_join(&lab, i, i + k, buf, sizeof buf);
        text(v, (LLX + RLX) / 2, v->y, "middle", i == 0 ? cls : buf[0] == '(' ? "mark" : "opt",
             buf);
        v->y += LINE_H;
        i += k;
    }
    int x0 = s == LADDER_LEFT ? LLX : RLX, x1 = s == LADDER_LEFT ? RLX : LLX;
    int y0 = v->y - 6, y1 = y0 + SLOPE;
    time_at(v, r->t, top);
    if (!r->lost) {
        fprintf(v->f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"a%s\" "
                "marker-end=\"url(#h%s)\"/>\n", x0, y0, x1 + (s ? 2 : -2), y1, cls, cls);
    } else {
        /* Stops 55% of the way across, at the matching height. */
        int xm = x0 + (x1 - x0) * 55 / 100, ym = y0 + SLOPE * 55 / 100;
        fprintf(v->f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"a%s\"/>\n", x0, y0,
                xm, ym, cls);
        fprintf(v->f, "<path d=\"M%d %d L%d %d M%d %d L%d %d\" class=\"lostx\"/>\n", xm - 7,
                ym - 7, xm + 7, ym + 7, xm - 7, ym + 7, xm + 7, ym - 7);
    }
    v->y = y1 + 22;
}

static void row(svg *v, ladder_labeler *lb, const ladder_row *r)
{
    switch (r->kind) {
    case LADDER_ROW_SEGMENT:
        segment(v, lb, r);
        return;
    case LADDER_ROW_STATE:
        time_at(v, r->t, v->y);
        margin_box(v, r->side, v->y, "st", synack_state_name(r->new_state));
        if (r->cause)
            beside(v, r->side, v->y, r->cause);
        break;
    case LADDER_ROW_TIMER:
        time_at(v, r->t, v->y);
        margin_box(v, r->side, v->y, "tm", ladder_timer_label(r->timer));
        break;
    case LADDER_ROW_DROP:
        time_at(v, r->t, v->y);
        margin_box(v, r->side, v->y, "dr", "dropped");
        beside(v, r->side, v->y, synack_drop_name(r->drop));
        break;
    case LADDER_ROW_NOTE:
    default:
        time_at(v, r->t, v->y);
        note(v, r->text);
        return;
    }
    v->y += 26;
}

typedef struct explain_ctx {
    svg *v;
} explain_ctx;

static void explain_line(void *ctx, const char *s, size_t n)
{
    svg *v = ((explain_ctx *)ctx)->v;
    if (n > 0) {
        fprintf(v->f, "<text x=\"24\" y=\"%d\" class=\"ex\">", v->y);
        esc_n(v->f, s, n);
        fputs("</text>\n", v->f);
    }
    v->y += 20;
}

static void diagram(svg *v, const ladder_model *m, const ladder_render_opts *o)
{
    v->m = m;
    v->decimals = ladder_time_decimals(m);
    ladder_labeler lb;
    ladder_labeler_init(&lb, m, o->absolute, o->all_options);

    if (m->title[0]) {
        v->y += 28;
        text(v, 24, v->y, "start", "title", m->title);
    }
    v->y += 34;
    char buf[64];
    for (int s = 0; s < 2; s++) {
        int x = s ? RLX : LLX;
        text(v, x, v->y, "middle", "end", m->end[s].name);
        ladder_fmt_endpoint(&m->end[s], buf, sizeof buf);
        text(v, x, v->y + 17, "middle", "addr", buf);
        uint32_t isn;
        if (ladder_labeler_isn(&lb, s, &isn))
            snprintf(buf, sizeof buf, "ISN %u", (unsigned)isn);
        else
            snprintf(buf, sizeof buf, "(no SYN seen)");
        text(v, x, v->y + 33, "middle", "isn", buf);
    }
    int line_top = v->y + 42;
    v->y += 64;
    for (int s = 0; s < 2; s++)
        if (m->end[s].initial_state != LADDER_STATE_NONE)
            margin_box(v, s, v->y, "st", synack_state_name(m->end[s].initial_state));
    v->y += 28;
    for (size_t i = 0; i < m->nrows; i++)
        row(v, &lb, &m->rows[i]);
    for (int s = 0; s < 2; s++)
        fprintf(v->f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"life\"/>\n",
                s ? RLX : LLX, line_top, s ? RLX : LLX, v->y);
    v->y += 20;
    if (!o->absolute) {
        text(v, 24, v->y, "start", "cause", "seq and ack are relative to each end's ISN");
        v->y += 20;
    }
    if (o->explain && o->explain[0]) {
        v->y += 8;
        explain_ctx ec = {v};
        tw_wrap(o->explain, EXPLAIN_COLS, explain_line, &ec);
    }
    v->y += 12;
}

static void style(FILE *f)
{
    fprintf(f,
            "<style>\n"
            "text{font-family:%s;font-size:12px;fill:#222}\n"
            ".title{font-family:%s;font-size:17px;font-weight:bold}\n"
            ".end{font-size:15px;font-weight:bold}\n"
            ".addr{font-size:12px;fill:#444}\n"
            ".isn,.time,.cause,.opt{fill:#666}\n"
            ".note{fill:#555;font-style:italic}\n"
            ".mark{fill:#b26a00}\n"
            ".syn{fill:#1b7a1b}.fin{fill:#1f4fb8}.rst{fill:#c62828}.dat{fill:#222}\n"
            ".life{stroke:#888;stroke-width:2}\n"
            ".asyn{stroke:#1b7a1b}.afin{stroke:#1f4fb8}.arst{stroke:#c62828}.adat{stroke:#333}\n"
            ".asyn,.afin,.arst,.adat{stroke-width:1.6}\n"
            ".lostx{stroke:#c62828;stroke-width:3}\n"
            ".st{fill:#e0f2f1;stroke:#00796b}.stt{fill:#004d40;font-weight:bold}\n"
            ".tm{fill:#f3e5f5;stroke:#8e24aa;stroke-dasharray:3 2}.tmt{fill:#6a1b9a}\n"
            ".dr{fill:#ffebee;stroke:#c62828}.drt{fill:#b71c1c}\n"
            ".ex{font-family:%s;font-size:14px;fill:#222}\n"
            "</style>\n",
            MONO, SANS, SANS);
    static const struct { const char *id, *colour; } heads[] = {
        {"syn", "#1b7a1b"}, {"fin", "#1f4fb8"}, {"rst", "#c62828"}, {"dat", "#333"}};
    fputs("<defs>\n", f);
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
        fprintf(f, "<marker id=\"h%s\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
                "markerWidth=\"9\" markerHeight=\"9\" orient=\"auto\">"
                "<path d=\"M0 0 L10 5 L0 10 z\" fill=\"%s\"/></marker>\n",
                heads[i].id, heads[i].colour);
    fputs("</defs>\n", f);
}

int ladder_render_svg(const ladder_model *const *models, const ladder_render_opts *o,
                      size_t count, FILE *out)
{
    char *body = NULL;
    size_t body_len = 0;
    FILE *mem = open_memstream(&body, &body_len);
    if (!mem)
        return -1;
    svg v = {.f = mem};
    for (size_t i = 0; i < count; i++)
        diagram(&v, models[i], &o[i]);
    int err = ferror(mem);
    if (fclose(mem) != 0 || err) {
        free(body);
        return -1;
    }
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\">\n", SVG_W, v.y, SVG_W, v.y);
    style(out);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", SVG_W, v.y);
    fwrite(body, 1, body_len, out);
    fputs("</svg>\n", out);
    free(body);
    return ferror(out) ? -1 : 0;
}
