/* cmd_trace.c — `synack trace FILE`: draws the TCP connections of a
 * capture as ladder diagrams, with each end's state inferred from the
 * segments. With several connections and no --conn it lists them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ladder_label.h"
#include "ladder_render.h"
#include "trace_pcap.h"

static void usage(FILE *out)
{
    fputs("usage: synack trace FILE [options]\n"
          "Draws a TCP connection from a capture file (pcap or pcapng; Ethernet, raw IP,\n"
          "Linux cooked or loopback) as a ladder diagram, with the RFC 9293 state of\n"
          "each end inferred from the segments, and retransmissions, out-of-order\n"
          "segments, duplicate ACKs, zero windows and resets marked. With several\n"
          "connections in the file and no --conn, lists them.\n"
          "\n"
          "options:\n"
          "  --conn N        draw connection N of the list\n"
          "  --svg FILE      also write the diagram as an SVG image\n"
          "  --lang en|zh    language of the explanation (default en)\n"
          "  --absolute      absolute sequence numbers (default: relative to each ISN)\n"
          "  --options       every TCP option on every segment (default: on SYNs, and\n"
          "                  SACK blocks)\n"
          "  --color WHEN    auto (default: when stdout is a terminal), always, never\n"
          "  --no-explain    diagram only\n"
          "  --help          this text\n", out);
}

static void state_or_unknown(char *buf, size_t len, int st)
{
    snprintf(buf, len, "%s", st == LADDER_STATE_NONE ? "unknown" : synack_state_name(st));
}

static void list(const trace_set *ts)
{
    printf("%zu TCP connections (draw one with --conn N):\n\n", ts->n);
    for (size_t i = 0; i < ts->n; i++) {
        const trace_conn *c = &ts->conns[i];
        char a[40], b[40], sa[16], sb[16];
        ladder_fmt_endpoint(&c->model.end[0], a, sizeof a);
        ladder_fmt_endpoint(&c->model.end[1], b, sizeof b);
        state_or_unknown(sa, sizeof sa, trace_conn_state(c, 0));
        state_or_unknown(sb, sizeof sb, trace_conn_state(c, 1));
        printf("%3zu  %s -> %s\n", i + 1, a, b);
        printf("     %llu packets, %llu bytes, %.6fs to %.6fs\n",
               (unsigned long long)c->packets, (unsigned long long)c->bytes,
               (double)(c->first - ts->t0) / 1e9, (double)(c->last - ts->t0) / 1e9);
        printf("     final states: client %s, server %s\n", sa, sb);
    }
}

static int parse_conn(const char *s, size_t *n)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v == 0 || s[0] == '-')
        return -1;
    *n = v;
    return 0;
}

static int run(int argc, char **argv)
{
    const synack_command *me = &cmd_trace;
    const char *file = NULL, *svg = NULL, *color = "auto", *v;
    size_t conn = 0;
    explain_lang lang = EXPLAIN_EN;
    int absolute = 0, all_options = 0, explain = 1, r;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--absolute") == 0) {
            absolute = 1;
        } else if (strcmp(a, "--options") == 0) {
            all_options = 1;
        } else if (strcmp(a, "--no-explain") == 0) {
            explain = 0;
        } else if ((r = cli_value_opt(argc, argv, &i, "--conn", &v)) != 0) {
            if (r < 0 || parse_conn(v, &conn) < 0)
                return cli_usage_error(me, "--conn wants a connection number (1, 2, ...)");
        } else if ((r = cli_value_opt(argc, argv, &i, "--svg", &v)) != 0) {
            if (r < 0)
                return cli_usage_error(me, "--svg wants a file name");
            svg = v;
        } else if ((r = cli_value_opt(argc, argv, &i, "--lang", &v)) != 0) {
            if (r < 0 || explain_lang_parse(v, &lang) < 0)
                return cli_usage_error(me, "--lang wants en or zh");
        } else if ((r = cli_value_opt(argc, argv, &i, "--color", &v)) != 0) {
            if (r < 0)
                return cli_usage_error(me, "--color wants auto, always or never");
            color = v;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(me, "unknown option '%s'", a);
        } else if (file) {
            return cli_usage_error(me, "one capture file at a time");
        } else {
            file = a;
        }
    }
    int on;
    if (cli_color(color, stdout, &on) < 0)
        return cli_usage_error(me, "--color wants auto, always or never");
    if (!file)
        return cli_usage_error(me, "no capture file given");

    trace_set ts;
    trace_set_init(&ts);
    trace_read_stats st;
    char err[256];
    if (trace_read_pcap(file, &ts, &st, err, sizeof err) < 0) {
        fprintf(stderr, "synack trace: %s: %s\n", file, err);
        trace_set_free(&ts);
        return 1;
    }
    int status = 0;
    if (ts.n == 0) {
        fprintf(stderr, "synack trace: %s: no IPv4 TCP segments (%llu packets)\n", file,
                (unsigned long long)st.packets);
        status = 1;
    } else if (conn == 0 && ts.n > 1) {
        list(&ts);
    } else if (conn > ts.n) {
        fprintf(stderr, "synack trace: %s has %zu connections, not %zu\n", file, ts.n, conn);
        status = 1;
    } else {
        trace_conn *c = &ts.conns[conn ? conn - 1 : 0];
        snprintf(c->model.title, sizeof c->model.title, "%s: connection %zu of %zu", file,
                 conn ? conn : 1, ts.n);
        ladder_render_opts o = {.color = on, .absolute = absolute, .all_options = all_options};
        ladder_render_text(&c->model, &o, stdout);
        if (c->offload_checksums)
            printf("%llu of its %llu segments have a wrong checksum in the capture: they\n"
                   "were captured before checksums were filled in (checksum offload, or\n"
                   "Linux loopback), so they are drawn unmarked.\n",
                   (unsigned long long)c->offload_checksums, (unsigned long long)c->packets);
        if (explain) {
            putchar('\n');
            explain_print(stdout, explain_trace(lang));
        }
        if (svg) {
            const ladder_model *m = &c->model;
            o.color = 0;
            o.explain = explain ? explain_trace(lang) : NULL;
            FILE *f = fopen(svg, "w");
            if (!f || ladder_render_svg(&m, &o, 1, f) < 0 || fclose(f) != 0) {
                fprintf(stderr, "synack trace: cannot write %s\n", svg);
                status = 1;
            }
        }
    }
    trace_set_free(&ts);
    return status;
}

const synack_command cmd_trace = {
    .name = "trace",
    .summary = "draw the TCP connections of a pcap/pcapng capture as ladder diagrams",
    .run = run,
    .usage = usage,
};
