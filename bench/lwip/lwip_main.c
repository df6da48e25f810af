/* lwip_main.c — bench-lwip: the lwIP peer in the synack harness's
 * patterns. Prints "lwip.*" result lines.
 *
 *   --bulk-ms=MS      timed bulk phase (default 2000)
 *   --loss-ms=MS      timed phase with 1% loss (default 1000; 0 skips)
 *   --conns=N         sequential handshake+close connections (default 10000, max 16000)
 *   --mem-conns=N     idle connections for the memory figure (default 10000, max 16000)
 *   --only=WHAT       bulk | loss | conn | mem
 *
 * lwIP is one global stack and the phases share it: each leaves it empty
 * except the connection phase (its TIME-WAIT pcbs), which runs last. */
#include <string.h>

#include "bench_util.h"
#include "lwip_bench.h"
#include "lwip_pair.h"

int main(int argc, char **argv)
{
    const char *only = NULL;
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--only=", 7) == 0)
            only = argv[i] + 7;
    uint64_t bulk_ms = bench_arg_u64(argc, argv, "bulk-ms", 2000);
    uint64_t loss_ms = bench_arg_u64(argc, argv, "loss-ms", 1000);
    uint64_t conns = bench_arg_u64(argc, argv, "conns", 10000);
    uint64_t mem_conns = bench_arg_u64(argc, argv, "mem-conns", 10000);
    if (conns == 0 || mem_conns == 0)
        bench_die("--conns and --mem-conns must be at least 1");

    lp_init();
    if (!only || strcmp(only, "bulk") == 0)
        lwb_bulk(bulk_ms * 1000000u, 0, "lwip.bulk");
    if ((!only || strcmp(only, "loss") == 0) && loss_ms)
        lwb_bulk(loss_ms * 1000000u, 100, "lwip.bulk_loss");
    if (!only || strcmp(only, "mem") == 0)
        lwb_mem(mem_conns);
    if (!only || strcmp(only, "conn") == 0)
        lwb_conn(conns);
    return 0;
}
