/* floor_main.c — bench-floor: the machine's limit for moving bytes the way
 * a TCP stack must at least once: memcpy and the Internet checksum
 * (synack's own wire_csum_add), over the same bytes the bulk benchmarks
 * move: 1460-byte segments (MSS at MTU 1500) cut from a 64,000-byte
 * application buffer, which stays resident in L2 like the bulk data does.
 *
 *   --ms=MS   time per measurement (default 500)
 *
 * Prints floor.memcpy, floor.csum (GB/s), floor.copy_csum (ns/B: one copy
 * plus one checksum of each byte) and floor.copy_csum_gbps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "wire/wire.h"

#define SEG 1460u
#define BUF 64000u

static volatile uint32_t sink;

typedef enum op { OP_COPY, OP_CSUM, OP_BOTH } op;

/* Runs op over the buffer for about ms milliseconds; returns ns per byte. */
static double run(op what, uint8_t *src, uint8_t *dst, uint64_t ms)
{
    uint64_t bytes = 0, t0 = bench_mono_ns(), t1 = t0;
    uint32_t acc = 0;
    while (t1 - t0 < ms * 1000000u) {
        for (int rep = 0; rep < 64; rep++) {
            for (uint32_t off = 0; off + SEG <= BUF; off += SEG) {
                if (what != OP_CSUM)
                    memcpy(dst + off, src + off, SEG);
                if (what != OP_COPY)
                    acc += wire_csum_fold(wire_csum_add(0, src + off, SEG));
                bytes += SEG;
            }
            acc += dst[rep];
        }
        t1 = bench_mono_ns();
    }
    sink = acc;
    return (double)(t1 - t0) / (double)bytes;
}

int main(int argc, char **argv)
{
    uint64_t ms = bench_arg_u64(argc, argv, "ms", 500);
    uint8_t *src = malloc(BUF), *dst = malloc(BUF);
    if (!src || !dst)
        bench_die("floor: no memory");
    for (uint32_t i = 0; i < BUF; i++)
        src[i] = bench_pattern_byte(i);
    memset(dst, 0, BUF);
    run(OP_BOTH, src, dst, ms / 5 + 1);      /* warm caches and clocks */
    double copy = run(OP_COPY, src, dst, ms);
    double csum = run(OP_CSUM, src, dst, ms);
    double both = run(OP_BOTH, src, dst, ms);
    bench_result("floor.memcpy", 1.0 / copy, "GB/s");
    bench_result("floor.csum", 1.0 / csum, "GB/s");
    bench_result("floor.copy_csum", both, "ns/B");
    bench_result("floor.copy_csum_gbps", 8.0 / both, "Gbit/s");
    free(src);
    free(dst);
    return 0;
}
