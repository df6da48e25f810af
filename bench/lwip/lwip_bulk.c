/* lwip_bulk.c — bulk goodput between two lwIP netifs back to back, the
 * same pattern as bench/b2b/b2b_bulk.c: write at most 64,000 bytes
 * (TCP_WRITE_FLAG_COPY, Nagle off), deliver, the server's receive
 * callback copies everything into the application buffer and calls
 * tcp_recved, again. The library's own build fixes MSS 1460, a 64 KiB
 * window and a 64 KiB send buffer (TCP_WND, TCP_SND_BUF in lwipopts.h). */
#include "lwip_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip_pair.h"

#define CHUNK 64000u
#define VERIFY_BYTES (64ull << 20)

static struct {
    struct tcp_pcb *cli, *srv;
    uint8_t *pat, *rbuf;
    uint64_t sent, rcvd;
    int verify;
    int connected;
} bk;

static err_t srv_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    if (!p)
        bench_die("lwip bulk: unexpected end of stream");
    uint16_t n = p->tot_len;
    pbuf_copy_partial(p, bk.rbuf, n, 0);
    if (bk.verify && !bench_pattern_check(bk.pat, bk.rbuf, bk.rcvd, n))
        bench_die("lwip bulk: received bytes differ near offset %llu",
                  (unsigned long long)bk.rcvd);
    bk.rcvd += n;
    tcp_recved(pcb, n);
    pbuf_free(p);
    return ERR_OK;
}

static void srv_err(void *arg, err_t err)
{
    (void)arg;
    (void)err;
    bk.srv = NULL;      /* lwIP freed the pcb */
}

static err_t srv_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        bench_die("lwip bulk: accept failed");
    bk.srv = pcb;
    tcp_nagle_disable(pcb);
    tcp_recv(pcb, srv_recv);
    tcp_err(pcb, srv_err);
    return ERR_OK;
}

static err_t cli_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    (void)pcb;
    bk.connected = err == ERR_OK;
    return ERR_OK;
}

static void cli_err(void *arg, err_t err)
{
    (void)arg;
    bench_die("lwip bulk: connection failed (err %d)", err);
}

static int round_once(void)
{
    uint64_t before = bk.rcvd;
    int moved = 0;
    uint32_t n = tcp_sndbuf(bk.cli);
    if (n > CHUNK)
        n = CHUNK;
    if (n > 0) {
        err_t e = tcp_write(bk.cli, bk.pat + bk.sent % BENCH_PATTERN_PERIOD, (u16_t)n,
                            TCP_WRITE_FLAG_COPY);
        if (e == ERR_OK) {
            bk.sent += n;
            moved = 1;
        } else if (e != ERR_MEM) {
            bench_die("lwip bulk: tcp_write: err %d", e);
        }
        tcp_output(bk.cli);
    }
    lp_run();
    return moved || bk.rcvd != before;
}

static void step(void)
{
    if (round_once())
        return;
    if (!lp_skip_idle())
        bench_die("lwip bulk: stalled with no timer pending");
}

void lwb_bulk(uint64_t duration_ns, uint32_t loss_every, const char *key)
{
    memset(&bk, 0, sizeof(bk));
    bk.pat = malloc(2u * BENCH_PATTERN_PERIOD);
    bk.rbuf = malloc(65536);
    if (!bk.pat || !bk.rbuf)
        bench_die("lwip bulk: no memory");
    bench_pattern_fill(bk.pat);
    lp_set_loss(0);

    static uint16_t port = LP_SERVER_PORT0 + 1000;      /* a fresh port per run */
    port++;
    struct tcp_pcb *l = lp_listen(port, 8);
    tcp_accept(l, srv_accept);
    bk.cli = lp_client_pcb();
    tcp_nagle_disable(bk.cli);
    tcp_err(bk.cli, cli_err);
    if (tcp_connect(bk.cli, &lp_addr_b, port, cli_connected) != ERR_OK)
        bench_die("lwip bulk: tcp_connect failed");
    lp_run();
    if (!bk.connected || !bk.srv)
        bench_die("lwip bulk: handshake did not complete");
    lp_set_loss(loss_every);
    uint64_t lost0 = lp_lost();

    bk.verify = 1;
    while (bk.rcvd < VERIFY_BYTES)
        step();
    bk.verify = 0;

    uint64_t r0 = bk.rcvd, t0 = bench_mono_ns(), t1 = t0;
    unsigned iter = 0;
    while (t1 - t0 < duration_ns) {
        step();
        if (++iter % 64 == 0)
            t1 = bench_mono_ns();
    }
    t1 = bench_mono_ns();
    uint64_t bytes = bk.rcvd - r0;

    bk.verify = 1;
    for (int guard = 0; bk.rcvd < bk.sent && guard < 1000000; guard++) {
        lp_run();
        if (bk.rcvd < bk.sent && !lp_skip_idle())
            break;
    }
    if (bk.rcvd != bk.sent)
        bench_die("lwip bulk: %llu bytes sent but %llu received",
                  (unsigned long long)bk.sent, (unsigned long long)bk.rcvd);

    double ns = (double)(t1 - t0);
    char k[96];
    snprintf(k, sizeof k, "%s.gbps", key);
    bench_result(k, (double)bytes * 8.0 / ns, "Gbit/s");
    snprintf(k, sizeof k, "%s.ns_per_byte", key);
    bench_result(k, ns / (double)bytes, "ns/B");
    snprintf(k, sizeof k, "%s.lost", key);
    bench_result(k, (double)(lp_lost() - lost0), "segments");
    if (lp_overflow())
        bench_die("lwip bulk: the packet queue overflowed");

    /* Tear down without a close handshake: the client's RST frees the
     * server's pcb (srv_err clears bk.srv). */
    lp_set_loss(0);
    tcp_err(bk.cli, NULL);
    tcp_abort(bk.cli);
    lp_run();
    if (bk.srv) {
        tcp_recv(bk.srv, NULL);
        tcp_abort(bk.srv);
    }
    tcp_close(l);
    lp_run();
    free(bk.pat);
    free(bk.rbuf);
}
