/* test_ladder_svg.c — the SVG renderer: a well-formed XML document
 * (balanced tags, escaped text), the labels, states, timers and lost
 * marks of the diagram, and the explanation text in either language. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ladder_render.h"

static void model(ladder_model *m)
{
    ladder_model_init(m, "lost-syn & <friends>");
    ladder_set_end(m, LADDER_LEFT, "client", 0xC6120001u, 40000, SYNACK_CLOSED);
    ladder_set_end(m, LADDER_RIGHT, "server", 0xC6120002u, 80, SYNACK_LISTEN);
    synack_segment syn;
    memset(&syn, 0, sizeof syn);
    syn.flags = SYNACK_TCP_SYN;
    syn.seq = 1000;
    syn.wnd = 65535;
    syn.opts.has_mss = 1;
    syn.opts.mss = 1460;
    ladder_add_state(m, 0, 0, SYNACK_CLOSED, SYNACK_SYN_SENT, "active open (connect)");
    long i = ladder_add_segment(m, 0, 0, &syn, 0);
    ladder_set_fate(m, (size_t)i, 1, 0);
    ladder_add_timer(m, 0, SYNACK_SEC(1), SYNACK_TIMER_RETRANSMIT);
    ladder_add_segment(m, 0, SYNACK_SEC(1), &syn, LADDER_MARK_RETRANSMIT);
    ladder_add_drop(m, 1, SYNACK_SEC(1), SYNACK_DROP_TCP_BACKLOG_FULL);
    ladder_add_note(m, SYNACK_SEC(1), "a \"quoted\" note");
}

static char *render(const ladder_model *const *ms, const ladder_render_opts *o, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f != NULL);
    int rc = ladder_render_svg(ms, o, n, f);
    fclose(f);
    CHECK_EQ(rc, 0);
    return buf;
}

/* Balanced elements and only the five entities XML predefines (the
 * renderer writes no other markup). Returns the number of elements. */
static int check_xml(const char *s)
{
    const char *stack[256];
    size_t depth[256];
    int sp = 0, elements = 0;
    CHECK(strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
    s = strchr(s, '\n') + 1;
    for (const char *p = s; *p; p++) {
        if (*p == '&') {
            CHECK(strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&lt;", 4) == 0 ||
                  strncmp(p, "&gt;", 4) == 0 || strncmp(p, "&quot;", 6) == 0 ||
                  strncmp(p, "&apos;", 6) == 0);
            continue;
        }
        if (*p == '>')
            check_fail(__FILE__, __LINE__, "stray '>' in text: %.40s", p);
        if (*p != '<')
            continue;
        const char *end = strchr(p, '>');
        CHECK(end != NULL);
        for (const char *q = p + 1; q < end; q++)
            CHECK(*q != '<');
        if (p[1] == '/') {
            CHECK(sp > 0);
            sp--;
            CHECK_EQ(strspn(p + 2, "abcdefghijklmnopqrstuvwxyz"), depth[sp]);
            CHECK(strncmp(p + 2, stack[sp], depth[sp]) == 0);
        } else if (end[-1] != '/') {
            CHECK(sp < 256);
            stack[sp] = p + 1;
            depth[sp++] = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz");
            elements++;
        } else {
            elements++;
        }
        p = end;
    }
    CHECK_EQ(sp, 0);
    return elements;
}

TEST(well_formed_with_labels_states_timers_and_lost_marks)
{
    ladder_model m;
    model(&m);
    const ladder_model *ms[1] = {&m};
    ladder_render_opts o = {.explain = "The SYN is lost & sent again <after 1 s>."};
    char *svg = render(ms, &o, 1);
    CHECK(check_xml(svg) > 20);
    CHECK(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"860\"") != NULL);
    CHECK(strstr(svg, ">lost-syn &amp; &lt;friends&gt;</text>") != NULL);
    CHECK(strstr(svg, ">[S] seq=0 win=65535 &lt;mss 1460&gt; (lost)</text>") != NULL);
    CHECK(strstr(svg, ">[S] seq=0 win=65535 &lt;mss 1460&gt; (retransmission)</text>") != NULL);
    CHECK(strstr(svg, ">SYN-SENT</text>") != NULL);
    CHECK(strstr(svg, ">LISTEN</text>") != NULL);
    CHECK(strstr(svg, ">RTO fired</text>") != NULL);
    CHECK(strstr(svg, ">tcp-backlog-full</text>") != NULL);
    CHECK(strstr(svg, ">a &quot;quoted&quot; note</text>") != NULL);
    CHECK(strstr(svg, ">ISN 1000</text>") != NULL);
    CHECK(strstr(svg, "class=\"lostx\"") != NULL);            /* the X */
    CHECK(strstr(svg, "marker-end=\"url(#hsyn)\"") != NULL);  /* delivered arrow */
    CHECK(strstr(svg, "The SYN is lost &amp; sent again &lt;after 1 s&gt;.") != NULL);
    CHECK(strstr(svg, "monospace") != NULL);
    free(svg);
    ladder_model_free(&m);
}

TEST(several_diagrams_and_chinese_text_in_one_document)
{
    ladder_model a, b;
    model(&a);
    model(&b);
    const ladder_model *ms[2] = {&a, &b};
    ladder_render_opts o[2] = {{.absolute = 1}, {.explain = "客户端发送 SYN，进入 SYN-SENT 状态。"}};
    char *svg = render(ms, o, 2);
    check_xml(svg);
    CHECK(strstr(svg, ">[S] seq=1000 win=65535 &lt;mss 1460&gt; (lost)</text>") != NULL);
    CHECK(strstr(svg, ">[S] seq=0 win=65535 &lt;mss 1460&gt; (lost)</text>") != NULL);
    CHECK(strstr(svg, "客户端发送 SYN，进入 SYN-SENT 状态。") != NULL);
    CHECK(strstr(svg, "Noto Sans CJK SC") != NULL);          /* a CJK font in the stack */
    const char *first = strstr(svg, "<svg");
    CHECK(first != NULL && strstr(first + 1, "<svg") == NULL); /* one document */
    free(svg);
    ladder_model_free(&a);
    ladder_model_free(&b);
}

TEST_MAIN()
