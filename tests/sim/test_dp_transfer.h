/* test_dp_transfer.h — the bulk-transfer driver shared by the
 * tests/sim/test_dp_transfer_*.c tests: a client stack sends a stream of
 * nbytes to a server stack over a simulated link (drivers/sim), the
 * server reads it, both close, and TIME-WAIT runs out.
 *
 * The stream is a keyed pseudo-random pattern (SplitMix64 of the 8-byte
 * word index), generated in chunks on both sides, never stored whole: the
 * receiver compares every chunk with the pattern at its offset (so a
 * byte lost, duplicated or moved is caught at its position), and each
 * side keeps a running 64-bit hash of the bytes it sent / received; the
 * two hashes and counts must agree. The run also checks: no reset, no
 * timeout, EOF exactly after nbytes, every connection record freed.
 *
 * Sizes: each test has a default size that keeps `make test` short and a
 * full size (issue 5) used when SYNACK_LONG_TESTS=1 is set.
 *
 * Static inline functions in a header: each test file includes it once
 * and may leave some unused. */
#ifndef SYNACK_TEST_DP_TRANSFER_H
#define SYNACK_TEST_DP_TRANSFER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "sim/sim.h"
#include "synack.h"

#define DP_CLIENT 0xC6120001u   /* 198.18.0.1 */
#define DP_SERVER 0xC6120002u   /* 198.18.0.2 */
#define DP_PORT   5001
#define DP_CHUNK  65536

static inline uint64_t dp_splitmix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Pattern word w as 8 bytes, least significant first. */
static inline void dp_word(uint64_t w, uint8_t b[8])
{
    uint64_t v = dp_splitmix(w ^ 0x5EEDull);
    for (int k = 0; k < 8; k++)
        b[k] = (uint8_t)(v >> (8 * k));
}

/* The n pattern bytes at stream offset off. */
static inline void dp_pattern(uint64_t off, uint8_t *out, size_t n)
{
    uint64_t w = off / 8;
    size_t skip = (size_t)(off % 8), i = 0;
    uint8_t b[8];
    if (skip) {
        dp_word(w++, b);
        i = 8 - skip < n ? 8 - skip : n;
        memcpy(out, b + skip, i);
    }
    for (; i + 8 <= n; i += 8)
        dp_word(w++, out + i);
    if (i < n) {
        dp_word(w, b);
        memcpy(out + i, b, n - i);
    }
}

/* Running hash of a byte stream, independent of how it is cut: FNV-1a
 * over 64-bit little-endian words, the tail word padded at the end. */
typedef struct dp_hash {
    uint64_t h, word;
    unsigned have;
} dp_hash;

static inline void dp_hash_init(dp_hash *x)
{
    x->h = 0xCBF29CE484222325ull;
    x->word = 0;
    x->have = 0;
}

static inline void dp_hash_update(dp_hash *x, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && x->have) {          /* finish a partial word */
        x->word |= (uint64_t)p[i++] << (8 * x->have);
        if (++x->have == 8) {
            x->h = (x->h ^ x->word) * 0x100000001B3ull;
            x->word = 0;
            x->have = 0;
        }
    }
    for (; i + 8 <= n; i += 8) {        /* whole words */
        uint64_t v = 0;
        for (int k = 7; k >= 0; k--)
            v = v << 8 | p[i + (size_t)k];
        x->h = (x->h ^ v) * 0x100000001B3ull;
    }
    for (; i < n; i++)                  /* start the next partial word */
        x->word |= (uint64_t)p[i] << (8 * x->have++);
}

static inline uint64_t dp_hash_final(const dp_hash *x)
{
    uint64_t h = x->h;
    if (x->have)
        h = (h ^ x->word ^ ((uint64_t)x->have << 56)) * 0x100000001B3ull;
    return h;
}

typedef struct dp_spec {
    const char *name;
    uint64_t seed;
    sim_link fwd, rev;          /* client -> server, server -> client */
    uint64_t nbytes;
    int cc;                     /* SYNACK_CC_* */
    uint32_t sndbuf, rcvbuf;    /* 0: defaults */
} dp_spec;

typedef struct dp_result {
    uint64_t bytes;
    uint64_t sent_hash, recv_hash;
    synack_time t_connected, t_done;    /* virtual */
    double wall_s;
    double goodput_mbps;                /* bytes over virtual connected time */
    synack_stats client, server;
    sim_stats net;
} dp_result;

/* Reads everything the server socket has and checks it. */
static inline void dp_pump_recv(synack_stack *ss, int sh, uint8_t *buf, uint8_t *want, uint64_t *recvd,
                         uint64_t total, dp_hash *hash, int *eof)
{
    for (;;) {
        long r = synack_recv(ss, sh, buf, DP_CHUNK);
        if (r == SYNACK_EAGAIN)
            return;
        if (r < 0)
            check_fail(__FILE__, __LINE__, "recv -> %s after %llu bytes",
                       synack_strerror((int)r), (unsigned long long)*recvd);
        if (r == 0) {
            if (*recvd != total)
                check_fail(__FILE__, __LINE__, "EOF after %llu of %llu bytes",
                           (unsigned long long)*recvd, (unsigned long long)total);
            *eof = 1;
            return;
        }
        if (*recvd + (uint64_t)r > total)
            check_fail(__FILE__, __LINE__, "more bytes than sent");
        dp_pattern(*recvd, want, (size_t)r);
        if (memcmp(buf, want, (size_t)r) != 0) {
            size_t i = 0;
            while (buf[i] == want[i])
                i++;
            check_fail(__FILE__, __LINE__, "byte %llu differs from what was sent",
                       (unsigned long long)(*recvd + i));
        }
        dp_hash_update(hash, buf, (size_t)r);
        *recvd += (uint64_t)r;
    }
}

static inline void dp_run(const dp_spec *sp, dp_result *res)
{
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    memset(res, 0, sizeof *res);
    sim_net *n = sim_new(sp->seed);
    CHECK(n != NULL);
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.seed = sp->seed;
    cfg.cc = (uint8_t)sp->cc;
    if (sp->sndbuf)
        cfg.sndbuf = sp->sndbuf;
    if (sp->rcvbuf)
        cfg.rcvbuf = sp->rcvbuf;
    synack_stack *cs, *ss;
    cfg.addr = DP_CLIENT;
    int cn = sim_add_stack(n, &cfg, &cs);
    cfg.addr = DP_SERVER;
    cfg.seed = sp->seed + 1;
    int sn = sim_add_stack(n, &cfg, &ss);
    CHECK(cn >= 0 && sn >= 0);
    CHECK_EQ(sim_set_link(n, cn, sn, &sp->fwd), 0);
    CHECK_EQ(sim_set_link(n, sn, cn, &sp->rev), 0);

    int lh = synack_socket(ss);
    CHECK_EQ(synack_bind(ss, lh, 0, DP_PORT), 0);
    CHECK_EQ(synack_listen(ss, lh, 4), 0);
    int ch = synack_socket(cs);
    CHECK_EQ(synack_connect(cs, ch, DP_SERVER, DP_PORT), SYNACK_EINPROGRESS);

    uint8_t *out = malloc(DP_CHUNK), *in = malloc(DP_CHUNK), *want = malloc(DP_CHUNK);
    CHECK(out && in && want);
    dp_hash sh_hash, rh_hash;
    dp_hash_init(&sh_hash);
    dp_hash_init(&rh_hash);
    uint64_t sent = 0, recvd = 0;
    size_t out_len = 0, out_off = 0;    /* pattern chunk being handed over */
    int sh = -1, eof = 0, shut = 0, connected = 0;
    /* Bounded: at most 2^31 events and 2 hours of virtual time. */
    for (long step = 0; step < (1l << 31) && !eof; step++) {
        int r = sim_step(n);
        if (r < 0)
            check_fail(__FILE__, __LINE__, "%s: sim_step failed", sp->name);
        if (r == 0 || sim_now(n) > SYNACK_SEC(7200))
            check_fail(__FILE__, __LINE__, "%s: stalled at %llu of %llu bytes (t = %.3f s)",
                       sp->name, (unsigned long long)recvd, (unsigned long long)sp->nbytes,
                       (double)sim_now(n) / 1e9);
        if (!connected) {
            if (synack_get_state(cs, ch) != SYNACK_ESTABLISHED)
                continue;
            connected = 1;
            res->t_connected = sim_now(n);
        }
        if (sh < 0) {
            sh = synack_accept(ss, lh, NULL);
            if (sh < 0)
                sh = -1;
        }
        /* Sender: keep the send buffer full. */
        while (sent < sp->nbytes) {
            if (out_off == out_len) {
                out_len = sp->nbytes - sent < DP_CHUNK ? (size_t)(sp->nbytes - sent) : DP_CHUNK;
                dp_pattern(sent, out, out_len);
                out_off = 0;
            }
            long w = synack_send(cs, ch, out + out_off, out_len - out_off);
            if (w == SYNACK_EAGAIN)
                break;
            if (w <= 0)
                check_fail(__FILE__, __LINE__, "%s: send -> %s after %llu bytes", sp->name,
                           synack_strerror((int)w), (unsigned long long)sent);
            dp_hash_update(&sh_hash, out + out_off, (size_t)w);
            out_off += (size_t)w;
            sent += (uint64_t)w;
        }
        if (sent == sp->nbytes && !shut) {
            CHECK_EQ(synack_shutdown(cs, ch), 0);
            shut = 1;
        }
        if (sh >= 0)
            dp_pump_recv(ss, sh, in, want, &recvd, sp->nbytes, &rh_hash, &eof);
    }
    res->t_done = sim_now(n);
    res->bytes = recvd;
    res->sent_hash = dp_hash_final(&sh_hash);
    res->recv_hash = dp_hash_final(&rh_hash);
    CHECK_U64(recvd, sp->nbytes);
    CHECK_U64(res->recv_hash, res->sent_hash);
    CHECK_EQ(synack_close(ss, sh), 0);
    CHECK_EQ(synack_close(cs, ch), 0);
    CHECK_EQ(synack_close(ss, lh), 0);
    /* FINs, then TIME-WAIT (2 x 30 s): every record must go. */
    CHECK_EQ(sim_run_until_idle(n, SYNACK_SEC(600)), 1);
    synack_stats_get(cs, &res->client);
    synack_stats_get(ss, &res->server);
    sim_stats_get(n, &res->net);
    CHECK_U64(res->client.conns_live, 0);
    CHECK_U64(res->server.conns_live, 0);
    CHECK_U64(res->client.conns_reset + res->server.conns_reset, 0);
    CHECK_U64(res->client.conns_timeout + res->server.conns_timeout, 0);
    free(out);
    free(in);
    free(want);
    sim_free(n);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    res->wall_s = (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9;
    double secs = (double)(res->t_done - res->t_connected) / 1e9;
    res->goodput_mbps = secs > 0 ? (double)res->bytes * 8 / secs / 1e6 : 0.0;
    printf("%-28s %10llu bytes  hash %016llx  %8.3f s virtual  goodput %9.2f Mbit/s  "
           "pkts %8llu lost %6llu dup %5llu reord %6llu qdrop %5llu  rexmit %6llu "
           "(recoveries %llu, undone %llu, timeouts %llu)  wall %.2f s\n",
           sp->name, (unsigned long long)res->bytes, (unsigned long long)res->recv_hash, secs,
           res->goodput_mbps,
           (unsigned long long)res->net.sent, (unsigned long long)res->net.lost,
           (unsigned long long)res->net.duplicated, (unsigned long long)res->net.reordered,
           (unsigned long long)res->net.queue_drops,
           (unsigned long long)res->client.tcp_retransmits,
           (unsigned long long)res->client.tcp_fast_retransmits,
           (unsigned long long)res->client.tcp_spurious_recoveries,
           (unsigned long long)res->client.tcp_rto_timeouts, res->wall_s);
    fflush(stdout);
}

/* Goodput in virtual time (deterministic for a seed: the simulated link
 * and the stacks' clocks are the simulator's) must reach floor_mbps. */
static inline void dp_check_goodput(const dp_spec *sp, const dp_result *r, double floor_mbps)
{
    if (r->goodput_mbps < floor_mbps)
        check_fail(__FILE__, __LINE__, "%s: goodput %.2f Mbit/s, below the floor of %.0f",
                   sp->name, r->goodput_mbps, floor_mbps);
}

/* nbytes_default normally, nbytes_long with SYNACK_LONG_TESTS=1. */
static inline uint64_t dp_size(uint64_t nbytes_default, uint64_t nbytes_long)
{
    const char *e = getenv("SYNACK_LONG_TESTS");
    return e && strcmp(e, "1") == 0 ? nbytes_long : nbytes_default;
}

#endif
