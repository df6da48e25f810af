/* cmd_demo.c — `synack demo [SCENARIO...]`: plays scenarios on the
 * simulated network and draws each as a ladder diagram with its
 * explanation; optionally writes them as SVG and the packets as pcap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo_scenarios.h"
#include "ladder_render.h"

#define MAX_PLAY 32

static void usage(FILE *out)
{
    fputs("usage: synack demo [SCENARIO...] [options]\n"
          "Plays TCP scenarios on a simulated network (virtual clock, no root, no\n"
          "real network) and draws each as a ladder diagram: two lifelines, every\n"
          "segment with its flags, numbers and options, every state change and timer.\n"
          "With no SCENARIO it plays handshake, then close; `all` plays every one.\n"
          "\n"
          "options:\n"
          "  --list          list the scenarios and exit\n"
          "  --lang en|zh    language of the explanations (default en)\n"
          "  --svg FILE      also write the diagrams as one SVG image\n"
          "  --pcap FILE     also write the packets as a pcap capture; with several\n"
          "                  scenarios, one file each: FILE-<scenario>.pcap\n"
          "  --seed N        seed for the ISNs and the network (default 1)\n"
          "  --absolute      absolute sequence numbers (default: relative to each ISN)\n"
          "  --options       every TCP option on every segment (default: on SYNs, and\n"
          "                  SACK blocks)\n"
          "  --color WHEN    auto (default: when stdout is a terminal), always, never\n"
          "  --no-explain    diagrams only\n"
          "  --help          this text\n", out);
}

static int list(void)
{
    size_t n;
    const demo_scenario *sc = demo_scenarios(&n);
    for (size_t i = 0; i < n; i++)
        printf("  %-19s %s\n", sc[i].name, sc[i].summary);
    return 0;
}

/* "x.pcap" + "close" -> "x-close.pcap" (the suffix after the last dot of
 * the file name is kept; without one, "-close" is appended). */
static char *pcap_name(const char *path, const char *scenario)
{
    size_t n = strlen(path), m = strlen(scenario);
    char *out = malloc(n + m + 2);
    if (!out)
        return NULL;
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    size_t cut = dot && (!slash || dot > slash + 1) ? (size_t)(dot - path) : n;
    memcpy(out, path, cut);
    out[cut] = '-';
    memcpy(out + cut + 1, scenario, m);
    memcpy(out + cut + 1 + m, path + cut, n - cut + 1);
    return out;
}

static int parse_seed(const char *s, uint64_t *seed)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *seed = v;
    return 0;
}

typedef struct plan {
    const demo_scenario *play[MAX_PLAY];
    size_t n;
    explain_lang lang;
    const char *svg, *pcap;
    uint64_t seed;
    int absolute, all_options, color, explain;
} plan;

static int parse(int argc, char **argv, plan *p, int *done)
{
    const synack_command *me = &cmd_demo;
    const char *color = "auto";
    *done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int r;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            *done = 1;
            return 0;
        } else if (strcmp(a, "--list") == 0) {
            *done = 1;
            return list();
        } else if (strcmp(a, "--absolute") == 0) {
            p->absolute = 1;
        } else if (strcmp(a, "--options") == 0) {
            p->all_options = 1;
        } else if (strcmp(a, "--no-explain") == 0) {
            p->explain = 0;
        } else if ((r = cli_value_opt(argc, argv, &i, "--lang", &v)) != 0) {
            if (r < 0 || explain_lang_parse(v, &p->lang) < 0)
                return cli_usage_error(me, "--lang wants en or zh");
        } else if ((r = cli_value_opt(argc, argv, &i, "--svg", &v)) != 0) {
            if (r < 0)
                return cli_usage_error(me, "--svg wants a file name");
            p->svg = v;
        } else if ((r = cli_value_opt(argc, argv, &i, "--pcap", &v)) != 0) {
            if (r < 0)
                return cli_usage_error(me, "--pcap wants a file name");
            p->pcap = v;
        } else if ((r = cli_value_opt(argc, argv, &i, "--seed", &v)) != 0) {
            if (r < 0 || parse_seed(v, &p->seed) < 0)
                return cli_usage_error(me, "--seed wants a non-negative integer");
        } else if ((r = cli_value_opt(argc, argv, &i, "--color", &v)) != 0) {
            if (r < 0)
                return cli_usage_error(me, "--color wants auto, always or never");
            color = v;
        } else if (a[0] == '-') {
            return cli_usage_error(me, "unknown option '%s'", a);
        } else if (strcmp(a, "all") == 0) {
            size_t n;
            const demo_scenario *all = demo_scenarios(&n);
            for (size_t k = 0; k < n && p->n < MAX_PLAY; k++)
                p->play[p->n++] = &all[k];
        } else {
            const demo_scenario *sc = demo_find(a);
            if (!sc)
                return cli_usage_error(me, "unknown scenario '%s' (see --list)", a);
            if (p->n == MAX_PLAY)
                return cli_usage_error(me, "too many scenarios");
            p->play[p->n++] = sc;
        }
    }
    if (cli_color(color, stdout, &p->color) < 0)
        return cli_usage_error(me, "--color wants auto, always or never");
    if (p->n == 0) {
        p->play[p->n++] = demo_find("handshake");
        p->play[p->n++] = demo_find("close");
    }
    return 0;
}

static int write_svg(const plan *p, demo_run *runs)
{
    const ladder_model *models[MAX_PLAY * DEMO_MAX_MODELS];
    ladder_render_opts opts[MAX_PLAY * DEMO_MAX_MODELS];
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++) {
        for (size_t k = 0; k < runs[i].count; k++) {
            models[n] = &runs[i].model[k];
            opts[n] = (ladder_render_opts){.absolute = p->absolute,
                                           .all_options = p->all_options};
            if (p->explain && k + 1 == runs[i].count)
                opts[n].explain = explain_scenario(p->play[i]->name, p->lang);
            n++;
        }
    }
    FILE *f = fopen(p->svg, "w");
    if (!f) {
        fprintf(stderr, "synack demo: cannot write %s: %s\n", p->svg, strerror(errno));
        return -1;
    }
    int rc = ladder_render_svg(models, opts, n, f);
    if (fclose(f) != 0 || rc < 0) {
        fprintf(stderr, "synack demo: error writing %s\n", p->svg);
        return -1;
    }
    fprintf(stderr, "synack demo: wrote %s\n", p->svg);
    return 0;
}

static int run(int argc, char **argv)
{
    plan p = {.lang = EXPLAIN_EN, .seed = 1, .explain = 1};
    int done;
    int rc = parse(argc, argv, &p, &done);
    if (rc != 0 || done)
        return rc;

    demo_run *runs = calloc(p.n, sizeof *runs);
    if (!runs) {
        fputs("synack demo: out of memory\n", stderr);
        return 1;
    }
    int status = 0;
    ladder_render_opts ro = {.color = p.color, .absolute = p.absolute,
                             .all_options = p.all_options};
    for (size_t i = 0; i < p.n; i++) {
        demo_opts o = {.seed = p.seed};
        char *pcap = NULL;
        if (p.pcap) {
            pcap = p.n > 1 ? pcap_name(p.pcap, p.play[i]->name) : strdup(p.pcap);
            if (!pcap) {
                fputs("synack demo: out of memory\n", stderr);
                status = 1;
                break;
            }
            o.pcap_path = pcap;
        }
        int failed = demo_play(p.play[i], &o, &runs[i]) < 0;
        if (i > 0)
            putchar('\n');
        for (size_t k = 0; k < runs[i].count; k++) {
            if (k > 0)
                putchar('\n');
            ladder_render_text(&runs[i].model[k], &ro, stdout);
        }
        const char *ex = explain_scenario(p.play[i]->name, p.lang);
        if (p.explain && ex && !failed) {
            putchar('\n');
            explain_print(stdout, ex);
        }
        fflush(stdout);
        if (failed) {
            fprintf(stderr, "synack demo: %s: %s\n", p.play[i]->name, runs[i].error);
            status = 1;
        } else if (pcap) {
            fprintf(stderr, "synack demo: wrote %s\n", pcap);
        }
        free(pcap);
    }
    if (p.svg && write_svg(&p, runs) < 0)
        status = 1;
    for (size_t i = 0; i < p.n; i++)
        demo_run_free(&runs[i]);
    free(runs);
    if (ferror(stdout))
        status = 1;
    return status;
}

const synack_command cmd_demo = {
    .name = "demo",
    .summary = "play a TCP scenario on the simulated network as a ladder diagram",
    .run = run,
    .usage = usage,
};
