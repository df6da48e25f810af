/* lwip_mem.c — memory per idle established lwIP connection end: n
 * connections opened at once, glibc heap growth (mallinfo2, what lwIP's
 * malloc-backed pools really cost) / 2n, and the size of the pcb record
 * itself in this build. Afterwards every connection is aborted, so the
 * phases that follow start from an empty stack. */
#include "lwip_bench.h"

#include <malloc.h>
#include <stdlib.h>

#include "lwip_pair.h"

static int connected, accepted;

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    (void)pcb;
    accepted += err == ERR_OK;
    return ERR_OK;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    (void)pcb;
    connected += err == ERR_OK;
    return ERR_OK;
}

void lwb_mem(uint64_t n)
{
    if (n > LWB_MAX_CONNS)
        bench_die("lwip mem: at most %u connections", LWB_MAX_CONNS);
    struct tcp_pcb *l = lp_listen(LP_SERVER_PORT0 + 1, 255);
    tcp_accept(l, on_accept);
    struct tcp_pcb **pcbs = malloc(n * sizeof(*pcbs));
    if (!pcbs)
        bench_die("lwip mem: no memory");
    struct mallinfo2 m0 = mallinfo2();
    for (uint64_t i = 0; i < n; i++) {
        struct tcp_pcb *pcb = pcbs[i] = lp_client_pcb();
        if (tcp_connect(pcb, &lp_addr_b, LP_SERVER_PORT0 + 1, on_connected) != ERR_OK)
            bench_die("lwip mem: tcp_connect %llu failed", (unsigned long long)i);
        lp_run();
    }
    struct mallinfo2 m1 = mallinfo2();
    if ((uint64_t)connected != n || (uint64_t)accepted != n)
        bench_die("lwip mem: %d connected, %d accepted of %llu", connected, accepted,
                  (unsigned long long)n);
    /* mallinfo2 sees nothing when a sanitizer replaces malloc: no figure. */
    if (m1.uordblks > m0.uordblks)
        bench_result("lwip.mem.est_chunk",
                     (double)(m1.uordblks - m0.uordblks) / (2.0 * (double)n), "B");
    bench_result("lwip.mem.pcb_size", (double)sizeof(struct tcp_pcb), "B");
    /* Clean up for the phases after this one: each client RST frees
     * both ends (no TIME-WAIT after an abort). */
    for (uint64_t i = 0; i < n; i++) {
        tcp_abort(pcbs[i]);
        lp_run();
    }
    tcp_close(l);
    lp_run();
    free(pcbs);
}
