/* b2b_main.c — bench-b2b: two synack stacks back to back in one process,
 * one core, MTU 1500. Prints "synack.*" result lines (bench/report makes
 * the table).
 *
 *   --bulk-ms=MS      timed bulk phase (default 2000)
 *   --loss-ms=MS      timed phase of the 1%-loss variant (default 1000; 0 skips)
 *   --conns=N         sequential handshake+close connections (default 100000)
 *   --mem-conns=N     connections for the memory figures (default 100000)
 *   --warmup-mb=MB    bulk warm-up, every byte checked (default 64)
 *   --buf-kb=KB       send/receive buffer of each end for bulk (default 4096)
 *   --only=WHAT       bulk | loss | conn | mem (default: all)
 *   --copy-ms=MS      timed phase of bulk over the plain driver API: the
 *                     link copies every packet in tx and hands packets over
 *                     one by one, as lwIP's link does (default: bulk-ms;
 *                     0 skips); key synack.bulk_copy
 *   --offload-ms=MS   timed phase of bulk over a link with a veth's
 *                     offloads: TSO super-segments of up to 64 KiB and
 *                     partial checksums, delivered whole and trusted
 *                     (default: bulk-ms; 0 skips); key synack.bulk_offload
 *   --link-copy       every phase over that plain link instead of the one
 *                     lending its slots (synack_config.tx_buffer) and
 *                     batching input (synack_batch_begin/end) */
#include <stdio.h>
#include <string.h>

#include "b2b.h"
#include "b2b_link.h"
#include "bench_util.h"

static const char *only_arg(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--only=", 7) == 0)
            return argv[i] + 7;
    return NULL;
}

int main(int argc, char **argv)
{
    const char *only = only_arg(argc, argv);
    b2b_link_copy = bench_arg_flag(argc, argv, "link-copy");
    uint64_t bulk_ms = bench_arg_u64(argc, argv, "bulk-ms", 2000);
    uint64_t loss_ms = bench_arg_u64(argc, argv, "loss-ms", 1000);
    uint64_t copy_ms = bench_arg_u64(argc, argv, "copy-ms", bulk_ms);
    uint64_t offload_ms = bench_arg_u64(argc, argv, "offload-ms", bulk_ms);
    uint64_t conns = bench_arg_u64(argc, argv, "conns", 100000);
    uint64_t mem_conns = bench_arg_u64(argc, argv, "mem-conns", 100000);
    uint64_t warmup = bench_arg_u64(argc, argv, "warmup-mb", 64) << 20;
    uint64_t bufkb = bench_arg_u64(argc, argv, "buf-kb", 4096);
    if (conns == 0 || mem_conns == 0 || conns > 10000000 || mem_conns > 10000000)
        bench_die("--conns and --mem-conns must be in 1..10000000");

    if (!only || strcmp(only, "bulk") == 0) {
        b2b_bulk_opts o = { bulk_ms * 1000000u, 0, "synack.bulk", warmup, bufkb << 10 };
        b2b_bulk(&o);
    }
    if ((!only || strcmp(only, "bulk") == 0) && copy_ms && !b2b_link_copy) {
        /* The same transfer with one more copy per packet: the figure to
         * hold against lwIP's, whose link copies (bench/lwip). */
        b2b_link_copy = 1;
        b2b_bulk_opts o = { copy_ms * 1000000u, 0, "synack.bulk_copy", warmup, bufkb << 10 };
        b2b_bulk(&o);
        b2b_link_copy = 0;
    }
    if ((!only || strcmp(only, "bulk") == 0) && offload_ms && !b2b_link_copy) {
        /* What the stack does when the link offloads like a veth pair
         * (the Linux figure it is compared with over TUN has them too). */
        b2b_link_offload = 1;
        b2b_bulk_opts o = { offload_ms * 1000000u, 0, "synack.bulk_offload", warmup,
                            bufkb << 10 };
        b2b_bulk(&o);
        b2b_link_offload = 0;
    }
    if ((!only || strcmp(only, "loss") == 0) && loss_ms) {
        b2b_bulk_opts o = { loss_ms * 1000000u, 100, "synack.bulk_loss", warmup, bufkb << 10 };
        b2b_bulk(&o);
    }
    if (!only || strcmp(only, "conn") == 0)
        b2b_conn(conns);
    if (!only || strcmp(only, "mem") == 0)
        b2b_mem(mem_conns);
    return 0;
}
