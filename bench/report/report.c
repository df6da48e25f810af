/* report.c — bench-report: reads the "key value unit" lines every harness
 * prints (and "meta name text" lines from bench/run.sh) on stdin and
 * prints one table: each figure beside its peer's from the same run (lwIP
 * back to back; the Linux kernel over veth and the plain TUN ceiling for
 * the device rows), the ratios synack/peer and synack/floor, the target and whether it
 * was met. With --json (or SYNACK_BENCH_JSON=1 in the environment) it
 * prints the same as JSON instead.
 *
 * A figure that no harness produced is shown as "-" (JSON null): e.g.
 * lwIP when liblwip-dev is not installed, or the 100k-1M block when the
 * run stopped at 100,000 connections. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RESULTS 256
#define MAX_META 16

typedef struct result {
    char key[96];
    double value;
    char unit[24];
} result;

typedef struct meta {
    char key[32];
    char text[200];
} meta;

static result results[MAX_RESULTS];
static int nresults;
static meta metas[MAX_META];
static int nmetas;

/* How a row judges its figure. */
typedef enum goal {
    GOAL_NONE = 0,
    GOAL_MIN,           /* synack >= target */
    GOAL_MAX,           /* synack <= target */
    GOAL_MAX_FLOOR,     /* synack <= target x floor */
    GOAL_MIN_AND_LWIP,  /* synack >= target and >= 4 x peer (lwIP) */
    GOAL_PEER_RATIO     /* synack >= target x peer */
} goal;

typedef struct row {
    const char *label;
    const char *peer_name;              /* what the peer column holds */
    const char *synack, *lwip, *floor;  /* result keys, NULL if none; lwip
                                           is the peer's figure */
    goal goal;
    double target;
    const char *target_text;
} row;

static const row rows[] = {
    { "bulk goodput, Nagle off (Gbit/s)", "lwIP", "synack.bulk.gbps", "lwip.bulk.gbps",
      "floor.copy_csum_gbps", GOAL_MIN_AND_LWIP, 50, ">= 50 and >= 4x lwIP" },
    { "bulk cost (ns/byte)", "lwIP", "synack.bulk.ns_per_byte", "lwip.bulk.ns_per_byte",
      "floor.copy_csum", GOAL_MAX_FLOOR, 3, "<= 3x floor" },
    { "bulk goodput, plain driver API (Gbit/s)", "lwIP", "synack.bulk_copy.gbps", "lwip.bulk.gbps",
      "floor.copy_csum_gbps", GOAL_NONE, 0, "" },
    { "bulk goodput, offloading link (Gbit/s)", "lwIP", "synack.bulk_offload.gbps",
      "lwip.bulk.gbps", "floor.copy_csum_gbps", GOAL_NONE, 0, "" },
    { "bulk goodput, 1% loss (Gbit/s of CPU)", "lwIP", "synack.bulk_loss.gbps", "lwip.bulk_loss.gbps",
      NULL, GOAL_NONE, 0, "" },
    { "handshake+close, first 1,000 (conn/s)", "lwIP", "synack.conn.rate.0_1k", "lwip.conn.rate.0_1k",
      NULL, GOAL_MIN, 1e6, ">= 1,000,000" },
    { "handshake+close, 1k-10k (conn/s)", "lwIP", "synack.conn.rate.1k_10k", "lwip.conn.rate.1k_10k",
      NULL, GOAL_MIN, 1e6, ">= 1,000,000" },
    { "handshake+close, 10k-100k (conn/s)", "lwIP", "synack.conn.rate.10k_100k", "lwip.conn.rate.10k_100k",
      NULL, GOAL_MIN, 1e6, ">= 1,000,000" },
    { "handshake+close, 100k-1M (conn/s)", NULL, "synack.conn.rate.100k_1m", NULL,
      NULL, GOAL_MIN, 1e6, ">= 1,000,000" },
    { "handshake+close, whole run (conn/s)", "lwIP", "synack.conn.rate.all", "lwip.conn.rate.all",
      NULL, GOAL_MIN, 1e6, ">= 1,000,000" },
    { "handshake latency p50 (ns CPU)", "lwIP", "synack.conn.lat_p50", "lwip.conn.lat_p50",
      NULL, GOAL_NONE, 0, "" },
    { "handshake latency p99 (ns CPU)", "lwIP", "synack.conn.lat_p99", "lwip.conn.lat_p99",
      NULL, GOAL_NONE, 0, "" },
    { "idle established end (B requested)", NULL, "synack.mem.est_client", NULL,
      NULL, GOAL_MAX, 256, "<= 256" },
    { "idle established end (B malloc'd)", "lwIP", "synack.mem.est_client_chunk", "lwip.mem.est_chunk",
      NULL, GOAL_NONE, 0, "" },
    { "TIME-WAIT entry (B requested)", NULL, "synack.mem.tw", NULL,
      NULL, GOAL_MAX, 64, "<= 64" },
    { "TIME-WAIT entry (B malloc'd)", "lwIP", "synack.mem.tw_chunk", "lwip.mem.tw_chunk",
      NULL, GOAL_NONE, 0, "" },
    { "memcpy, 1460-byte segments (GB/s)", NULL, NULL, NULL, "floor.memcpy", GOAL_NONE, 0, "" },
    { "Internet checksum (GB/s)", NULL, NULL, NULL, "floor.csum", GOAL_NONE, 0, "" },
    { "over TUN with offloads (Gbit/s)", "Linux veth", "tun.synack_offload.gbps",
      "tun.kernel_veth.gbps", NULL, GOAL_PEER_RATIO, 1, ">= Linux veth" },
    { "over TUN, offloads, busy-poll (Gbit/s)", "Linux veth", "tun.synack_offload_busy.gbps",
      "tun.kernel_veth.gbps", NULL, GOAL_NONE, 0, "" },
    { "over plain TUN (Gbit/s)", "TUN ceiling", "tun.synack_plain.gbps",
      "tun.plain_ceiling.gbps", NULL, GOAL_PEER_RATIO, 0.9, ">= 90% of TUN ceiling" },
    { "over plain TUN (Gbit/s)", "veth no offl", "tun.synack_plain.gbps",
      "tun.kernel_veth_nooffload.gbps", NULL, GOAL_NONE, 0, "" },
};

static const result *find(const char *key)
{
    if (!key)
        return NULL;
    for (int i = 0; i < nresults; i++)
        if (strcmp(results[i].key, key) == 0)
            return &results[i];
    return NULL;
}

static const char *meta_text(const char *key)
{
    for (int i = 0; i < nmetas; i++)
        if (strcmp(metas[i].key, key) == 0)
            return metas[i].text;
    return "";
}

static void read_input(void)
{
    char line[512];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "meta ", 5) == 0) {
            if (nmetas == MAX_META)
                continue;
            meta *m = &metas[nmetas];
            if (sscanf(line + 5, "%31s %199[^\n]", m->key, m->text) >= 1)
                nmetas++;
            continue;
        }
        result r;
        memset(&r, 0, sizeof r);
        if (nresults < MAX_RESULTS && sscanf(line, "%95s %lf %23s", r.key, &r.value, r.unit) == 3)
            results[nresults++] = r;
    }
}

/* 1 met, 0 missed, -1 no target or no figure. */
static int verdict(const row *r, const result *s, const result *l, const result *f)
{
    if (!s)
        return -1;
    switch (r->goal) {
    case GOAL_MIN:
        return s->value >= r->target;
    case GOAL_MAX:
        /* Byte counts are averages over N connections and carry a few
         * hundredths of fixed, shared overhead (table growth): compare
         * whole bytes. */
        return floor(s->value + 0.5) <= r->target;
    case GOAL_MAX_FLOOR:
        return f ? s->value <= r->target * f->value : -1;
    case GOAL_MIN_AND_LWIP:
        return s->value >= r->target && (!l || s->value >= 4.0 * l->value);
    case GOAL_PEER_RATIO:
        return l ? s->value >= r->target * l->value : -1;
    default:
        return -1;
    }
}

static void fmt_value(char *out, size_t n, const result *r)
{
    if (!r)
        snprintf(out, n, "-");
    else if (fabs(r->value) >= 1e5)
        snprintf(out, n, "%.0f", r->value);
    else if (fabs(r->value) >= 100)
        snprintf(out, n, "%.0f", r->value);
    else
        snprintf(out, n, "%.3g", r->value);
}

static void fmt_ratio(char *out, size_t n, const result *a, const result *b)
{
    if (!a || !b || b->value == 0)
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%.2fx", a->value / b->value);
}

static void print_table(void)
{
    printf("synack benchmarks  %s\n", meta_text("date"));
    printf("machine: %s\n", meta_text("machine"));
    printf("commit:  %s\n\n", meta_text("commit"));
    printf("%-40s %10s %-12s %10s %8s %10s %8s  %-22s %s\n", "figure", "synack", "peer", "",
           "s/peer", "floor", "s/floor", "target", "met");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const row *r = &rows[i];
        const result *s = find(r->synack), *l = find(r->lwip), *f = find(r->floor);
        char sv[24], lv[24], fv[24], rl[24], rf[24];
        fmt_value(sv, sizeof sv, s);
        fmt_value(lv, sizeof lv, l);
        fmt_value(fv, sizeof fv, f);
        fmt_ratio(rl, sizeof rl, s, l);
        fmt_ratio(rf, sizeof rf, s, f);
        int v = verdict(r, s, l, f);
        printf("%-40s %10s %-12s %10s %8s %10s %8s  %-22s %s\n", r->label, r->synack ? sv : "",
               r->peer_name ? r->peer_name : "", r->lwip ? lv : "", r->lwip && r->synack ? rl : "",
               r->floor ? fv : "",
               r->synack && r->floor ? rf : "", r->target_text,
               v < 0 ? "" : v ? "yes" : "MISSED");
    }
    const result *first = find("synack.conn.rate.0_1k");
    const char *lastkeys[] = { "synack.conn.rate.100k_1m", "synack.conn.rate.10k_100k",
                               "synack.conn.rate.1k_10k" };
    for (int i = 0; i < 3 && first; i++) {
        const result *last = find(lastkeys[i]);
        if (last) {
            double flat = last->value / first->value;
            printf("\nhandshake+close flatness (last block / first 1,000): %.2f "
                   "(target >= 0.90: %s)\n", flat, flat >= 0.9 ? "yes" : "MISSED");
            break;
        }
    }
    const result *sn = find("synack.conn.n"), *ln = find("lwip.conn.n");
    if (sn || ln)
        printf("connections: synack N = %.0f, lwIP N = %.0f; blocks are decades of N, the "
               "last one ends at N\n", sn ? sn->value : 0.0, ln ? ln->value : 0.0);
    const result *tw = find("synack.conn.time_wait_at_end");
    if (tw)
        printf("TIME-WAIT entries held by the synack client at the end: %.0f\n", tw->value);
}

static void json_value(const result *r)
{
    if (r)
        printf("%.6g", r->value);
    else
        printf("null");
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar((unsigned char)*s < 0x20 ? ' ' : *s);
    }
    putchar('"');
}

static void print_json(void)
{
    printf("{\n  \"meta\": {");
    for (int i = 0; i < nmetas; i++) {
        printf("%s\n    ", i ? "," : "");
        json_string(metas[i].key);
        printf(": ");
        json_string(metas[i].text);
    }
    printf("\n  },\n  \"results\": {");
    for (int i = 0; i < nresults; i++) {
        printf("%s\n    ", i ? "," : "");
        json_string(results[i].key);
        printf(": {\"value\": %.6g, \"unit\": ", results[i].value);
        json_string(results[i].unit);
        printf("}");
    }
    printf("\n  },\n  \"rows\": [");
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const row *r = &rows[i];
        const result *s = find(r->synack), *l = find(r->lwip), *f = find(r->floor);
        printf("%s\n    {\"figure\": ", i ? "," : "");
        json_string(r->label);
        printf(", \"synack\": ");
        json_value(s);
        printf(", \"peer_name\": ");
        json_string(r->peer_name ? r->peer_name : "");
        printf(", \"peer\": ");
        json_value(l);
        printf(", \"floor\": ");
        json_value(f);
        printf(", \"synack_over_peer\": ");
        if (s && l && l->value != 0)
            printf("%.6g", s->value / l->value);
        else
            printf("null");
        printf(", \"synack_over_floor\": ");
        if (s && f && f->value != 0)
            printf("%.6g", s->value / f->value);
        else
            printf("null");
        printf(", \"target\": ");
        json_string(r->target_text);
        int v = verdict(r, s, l, f);
        printf(", \"met\": %s}", v < 0 ? "null" : v ? "true" : "false");
    }
    printf("\n  ]\n}\n");
}

int main(int argc, char **argv)
{
    int json = 0;
    const char *env = getenv("SYNACK_BENCH_JSON");
    if (env && *env && strcmp(env, "0") != 0)
        json = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else {
            fprintf(stderr, "usage: bench-report [--json] < results\n");
            return 2;
        }
    }
    read_input();
    if (nresults == 0) {
        fprintf(stderr, "bench-report: no results on stdin\n");
        return 1;
    }
    if (json)
        print_json();
    else
        print_table();
    return 0;
}
