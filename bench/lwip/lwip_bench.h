/* lwip_bench.h — the lwIP measurements, mirroring bench/b2b: bulk
 * transfer, handshake+close rate and latency, memory per connection. Each
 * prints "lwip.*" result lines. */
#ifndef LWIP_BENCH_H
#define LWIP_BENCH_H

#include <stdint.h>

void lwb_bulk(uint64_t duration_ns, uint32_t loss_every, const char *key);
void lwb_conn(uint64_t n);
void lwb_mem(uint64_t n);

/* lwIP's ephemeral ports are 49152..65535 and tcp_new_port() refuses a
 * port any pcb holds, TIME-WAIT ones included: at most 16,383 client
 * pcbs can exist at once. */
#define LWB_MAX_CONNS 16000u

#endif
