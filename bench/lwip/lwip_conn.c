/* lwip_conn.c — handshake+close rate and latency with lwIP, the pattern
 * of bench/b2b/b2b_conn.c: connect -> 1 byte each way -> the client
 * closes first (its pcb stays in TIME-WAIT, 2 x TCP_MSL = 120 s) -> the
 * server reads EOF and closes. Also the memory one TIME-WAIT pcb holds
 * (glibc heap growth over the run / n). */
#include "lwip_bench.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "lwip_pair.h"

static struct {
    struct tcp_pcb *cli, *srv;
    int connected, got_x, got_y, srv_eof, cli_eof;
} cs;

static void expect(int ok, const char *what, uint64_t i)
{
    if (!ok)
        bench_die("lwip conn %llu: %s", (unsigned long long)i, what);
}

static err_t srv_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    if (!p) {
        cs.srv_eof = 1;
        return ERR_OK;
    }
    char c;
    pbuf_copy_partial(p, &c, 1, 0);
    cs.got_x += p->tot_len == 1 && c == 'x';
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static err_t cli_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg;
    (void)err;
    if (!p) {
        cs.cli_eof = 1;
        return ERR_OK;
    }
    char c;
    pbuf_copy_partial(p, &c, 1, 0);
    cs.got_y += p->tot_len == 1 && c == 'y';
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static err_t srv_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    cs.srv = pcb;
    tcp_recv(pcb, srv_recv);
    return ERR_OK;
}

static err_t cli_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    (void)pcb;
    cs.connected = err == ERR_OK;
    return ERR_OK;
}

static void conn_err(void *arg, err_t err)
{
    (void)arg;
    bench_die("lwip conn: connection failed (err %d)", err);
}

static uint64_t one_conn(uint16_t port, uint64_t i)
{
    cs.connected = cs.got_x = cs.got_y = cs.srv_eof = cs.cli_eof = 0;
    cs.srv = NULL;
    uint64_t t0 = bench_mono_ns();
    cs.cli = lp_client_pcb();
    tcp_recv(cs.cli, cli_recv);
    tcp_err(cs.cli, conn_err);
    expect(tcp_connect(cs.cli, &lp_addr_b, port, cli_connected) == ERR_OK, "tcp_connect", i);
    lp_run();
    uint64_t t1 = bench_mono_ns();
    expect(cs.connected && cs.srv, "handshake did not complete", i);

    expect(tcp_write(cs.cli, "x", 1, TCP_WRITE_FLAG_COPY) == ERR_OK, "client write", i);
    tcp_output(cs.cli);
    lp_run();
    expect(cs.got_x == 1, "server did not receive", i);
    expect(tcp_write(cs.srv, "y", 1, TCP_WRITE_FLAG_COPY) == ERR_OK, "server write", i);
    tcp_output(cs.srv);
    lp_run();
    expect(cs.got_y == 1, "client did not receive", i);

    tcp_err(cs.cli, NULL);
    expect(tcp_close(cs.cli) == ERR_OK, "client close", i);
    lp_run();
    expect(cs.srv_eof, "server saw no EOF", i);
    expect(tcp_close(cs.srv) == ERR_OK, "server close", i);
    lp_run();
    return t1 - t0;
}

void lwb_conn(uint64_t n)
{
    if (n > LWB_MAX_CONNS)
        bench_die("lwip conn: at most %u connections (lwIP's ephemeral port range "
                  "holds 16,383 pcbs, TIME-WAIT included)", LWB_MAX_CONNS);
    uint64_t *lat = malloc(n * sizeof(*lat));
    if (!lat)
        bench_die("lwip conn: no memory");
    struct tcp_pcb *l = lp_listen(LP_SERVER_PORT0, 128);
    tcp_accept(l, srv_accept);
    lp_set_loss(0);
    for (int w = 0; w < 10; w++)        /* pools and timers in steady state */
        one_conn(LP_SERVER_PORT0, (uint64_t)w);
    struct mallinfo2 m0 = mallinfo2();

    static const uint64_t edges[] = { 1000, 10000, 100000 };
    static const char *const names[] = { "0_1k", "1k_10k", "10k_100k" };
    uint64_t t_block = bench_mono_ns(), t_all = t_block, from = 0;
    size_t e = 0;
    for (uint64_t i = 0; i < n; i++) {
        lat[i] = one_conn(LP_SERVER_PORT0, i);
        uint64_t done = i + 1;
        if (e < sizeof(edges) / sizeof(edges[0]) && (done == edges[e] || done == n)) {
            uint64_t t = bench_mono_ns();
            char key[64];
            snprintf(key, sizeof key, "lwip.conn.rate.%s", names[e]);
            bench_result(key, (double)(done - from) * 1e9 / (double)(t - t_block), "conn/s");
            t_block = t;
            from = done;
            if (done == edges[e])
                e++;
        }
    }
    uint64_t t_end = bench_mono_ns();
    struct mallinfo2 m1 = mallinfo2();
    bench_result("lwip.conn.n", (double)n, "conns");
    bench_result("lwip.conn.rate.all", (double)n * 1e9 / (double)(t_end - t_all), "conn/s");
    bench_result("lwip.conn.lat_p50", (double)bench_quantile(lat, n, 0.50), "ns");
    bench_result("lwip.conn.lat_p99", (double)bench_quantile(lat, n, 0.99), "ns");
    /* mallinfo2 sees nothing when a sanitizer replaces malloc: no figure. */
    if (m1.uordblks > m0.uordblks)
        bench_result("lwip.mem.tw_chunk", (double)(m1.uordblks - m0.uordblks) / (double)n, "B");
    free(lat);
}
