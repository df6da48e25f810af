/* test_ladder_text.c — the terminal renderer on hand-built models: an
 * exact snapshot of a small diagram, the 80-column limit on every line,
 * lost arrows, colour codes only when asked for. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ladder_render.h"

#define CLIENT 0xC6120001u      /* 198.18.0.1 */
#define SERVER 0xC6120002u      /* 198.18.0.2 */

static synack_segment seg(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd, uint32_t len)
{
    synack_segment s;
    memset(&s, 0, sizeof s);
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.wnd = wnd;
    s.len = len;
    return s;
}

/* The handshake with the first SYN lost, as the lost-syn scenario draws it. */
static void lost_syn_model(ladder_model *m)
{
    ladder_model_init(m, "lost-syn: the SYN is lost and sent again");
    ladder_set_end(m, LADDER_LEFT, "client", CLIENT, 40000, SYNACK_CLOSED);
    ladder_set_end(m, LADDER_RIGHT, "server", SERVER, 80, SYNACK_LISTEN);
    synack_segment syn = seg(SYNACK_TCP_SYN, 1000, 0, 65535, 0);
    syn.opts.has_mss = 1;
    syn.opts.mss = 1460;
    ladder_add_state(m, 0, 0, SYNACK_CLOSED, SYNACK_SYN_SENT, "connect");
    long i = ladder_add_segment(m, 0, 0, &syn, 0);
    ladder_set_fate(m, (size_t)i, 1, 0);
    ladder_add_timer(m, 0, SYNACK_SEC(1), SYNACK_TIMER_RETRANSMIT);
    i = ladder_add_segment(m, 0, SYNACK_SEC(1), &syn, LADDER_MARK_RETRANSMIT);
    ladder_set_fate(m, (size_t)i, 0, SYNACK_SEC(1) + SYNACK_MSEC(1));
    ladder_add_state(m, 1, SYNACK_SEC(1) + SYNACK_MSEC(1), SYNACK_LISTEN,
                     SYNACK_SYN_RECEIVED, "SYN");
    synack_segment sa = seg(SYNACK_TCP_SYN | SYNACK_TCP_ACK, 5000, 1001, 65535, 0);
    sa.opts.has_mss = 1;
    sa.opts.mss = 1460;
    ladder_add_segment(m, 1, SYNACK_SEC(1) + SYNACK_MSEC(1), &sa, 0);
    ladder_add_state(m, 0, SYNACK_SEC(1) + SYNACK_MSEC(2), SYNACK_SYN_SENT,
                     SYNACK_ESTABLISHED, "SYN-ACK");
    synack_segment ack = seg(SYNACK_TCP_ACK, 1001, 5001, 65535, 0);
    ladder_add_segment(m, 0, SYNACK_SEC(1) + SYNACK_MSEC(2), &ack, 0);
    ladder_add_state(m, 1, SYNACK_SEC(1) + SYNACK_MSEC(3), SYNACK_SYN_RECEIVED,
                     SYNACK_ESTABLISHED, "ACK");
}

static char *render(const ladder_model *m, int color, int absolute)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ladder_render_opts o = {.color = color, .absolute = absolute};
    int rc = ladder_render_text(m, &o, f);
    fclose(f);
    if (rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static const char SNAPSHOT[] =
"lost-syn: the SYN is lost and sent again\n"
"\n"
"                     client                                    server\n"
"                198.18.0.1:40000                            198.18.0.2:80\n"
"                    ISN 1000                                  ISN 5000\n"
"      time       CLOSED |                                         | LISTEN\n"
"    0.000s     SYN-SENT | connect                                 |\n"
"    0.000s              |-- [S] seq=0 win=65535 -X                |\n"
"                        |   <mss 1460> (lost)                     |\n"
"    1.000s    RTO fired |                                         |\n"
"    1.000s              |-- [S] seq=0 win=65535 <mss 1460> ------>|\n"
"                        |   (retransmission)                      |\n"
"    1.001s              |                                     SYN | SYN-RECEIVED\n"
"    1.001s              |<---------- [S.] seq=0 ack=1 win=65535 --|\n"
"                        |                            <mss 1460>   |\n"
"    1.002s  ESTABLISHED | SYN-ACK                                 |\n"
"    1.002s              |-- [.] seq=1 ack=1 win=65535 ----------->|\n"
"    1.003s              |                                     ACK | ESTABLISHED\n"
"                        |                                         |\n"
"seq and ack are relative to each end's ISN\n";

TEST(snapshot_of_lost_syn)
{
    ladder_model m;
    lost_syn_model(&m);
    char *out = render(&m, 0, 0);
    CHECK(out != NULL);
    CHECK_STR(out, SNAPSHOT);
    free(out);
    ladder_model_free(&m);
}

/* Every line of s is at most 80 columns (all output is ASCII). */
static void check_width(const char *s)
{
    int lines = 0;
    while (*s) {
        const char *nl = strchr(s, '\n');
        CHECK(nl != NULL);
        if ((size_t)(nl - s) > LADDER_TEXT_WIDTH)
            check_fail(__FILE__, __LINE__, "line %d is %zu columns: %.*s", lines + 1,
                       (size_t)(nl - s), (int)(nl - s), s);
        s = nl + 1;
        lines++;
    }
    CHECK(lines > 5);
}

TEST(every_line_fits_80_columns)
{
    ladder_model m;
    ladder_model_init(&m, "a title that is much longer than eighty columns, so the "
                          "renderer has to cut it");
    ladder_set_end(&m, 0, "client", 0xFFFFFFFFu, 65535, SYNACK_SYN_RECEIVED);
    ladder_set_end(&m, 1, "server", 0xFFFFFFFEu, 65534, SYNACK_SYN_RECEIVED);
    synack_segment s = seg(0xFF, 0xFFFFFFF0u, 0xFFFFFFFFu, 65535, 65535);
    s.opts.has_mss = s.opts.sack_permitted = s.opts.has_ts = s.opts.has_wscale = 1;
    s.opts.mss = 65535;
    s.opts.tsval = s.opts.tsecr = 4294967295u;
    s.opts.wscale = 14;
    s.opts.nsack = 4;
    for (int i = 0; i < 4; i++) {
        s.opts.sack[i][0] = 4000000000u + (uint32_t)i;
        s.opts.sack[i][1] = 4100000000u + (uint32_t)i;
    }
    unsigned all = LADDER_MARK_RETRANSMIT | LADDER_MARK_OUT_OF_ORDER | LADDER_MARK_DUP_ACK |
                   LADDER_MARK_ZERO_WINDOW | LADDER_MARK_BAD_CSUM | LADDER_MARK_OLD_DUP;
    for (int side = 0; side < 2; side++) {
        for (int lost = 0; lost < 2; lost++) {
            long i = ladder_add_segment(&m, side, SYNACK_SEC(100000), &s, all);
            ladder_set_fate(&m, (size_t)i, lost, SYNACK_SEC(100000));
        }
        ladder_add_state(&m, side, SYNACK_SEC(100000) + 1, SYNACK_SYN_RECEIVED,
                         SYNACK_SYN_RECEIVED, "a cause much too long to fit beside the "
                         "lifeline in the arrow area at all");
        ladder_add_timer(&m, side, SYNACK_SEC(100001), SYNACK_TIMER_FIN_WAIT_2);
        ladder_add_drop(&m, side, SYNACK_SEC(100001), SYNACK_DROP_TCP_RST_CHALLENGED);
    }
    ladder_add_note(&m, SYNACK_SEC(100002), "%s", "averyveryveryveryveryveryverylongword"
                    "withoutanyspacesthatmustbecut and then some ordinary words");
    for (int absolute = 0; absolute < 2; absolute++) {
        char *out = render(&m, 0, absolute);
        CHECK(out != NULL);
        check_width(out);
        /* the lost arrows end in an X, the delivered ones in a head */
        CHECK(strstr(out, "-X") != NULL);
        CHECK(strstr(out, "X-") != NULL);
        CHECK(strstr(out, "->|") != NULL);
        CHECK(strstr(out, "|<-") != NULL);
        CHECK(strstr(out, "FW2 timeout") != NULL);
        free(out);
    }
    ladder_model_free(&m);
}

/* Removes ANSI colour sequences in place. */
static void strip_ansi(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (r[0] == '\033' && r[1] == '[') {
            r += 2;
            while (*r && *r != 'm')
                r++;
            if (*r)
                r++;
            continue;
        }
        *w++ = *r++;
    }
    *w = '\0';
}

TEST(colour_only_when_asked_and_never_changes_the_text)
{
    ladder_model m;
    lost_syn_model(&m);
    char *plain = render(&m, 0, 0);
    char *colour = render(&m, 1, 0);
    CHECK(plain && colour);
    CHECK(strchr(plain, '\033') == NULL);
    CHECK(strstr(colour, "\033[1;36mSYN-SENT") != NULL);   /* states bold cyan */
    CHECK(strstr(colour, "\033[1;31mX") != NULL);          /* the lost X red */
    strip_ansi(colour);
    CHECK_STR(colour, plain);
    free(plain);
    free(colour);
    ladder_model_free(&m);
}

TEST(absolute_numbers_on_request)
{
    ladder_model m;
    lost_syn_model(&m);
    char *out = render(&m, 0, 1);
    CHECK(out != NULL);
    CHECK(strstr(out, "[S.] seq=5000 ack=1001 win=65535") != NULL);
    CHECK(strstr(out, "[.] seq=1001 ack=5001 win=65535") != NULL);
    CHECK(strstr(out, "relative") == NULL);
    free(out);
    ladder_model_free(&m);
}

TEST_MAIN()
