/* b2b.h — the back-to-back synack measurements (bulk transfer,
 * handshake+close rate and latency, memory per connection), each printing
 * its "synack.*" result lines. */
#ifndef B2B_H
#define B2B_H

#include <stdint.h>

typedef struct b2b_bulk_opts {
    uint64_t duration_ns;       /* timed phase */
    uint32_t loss_every;        /* 0 or k: drop every k-th data segment */
    const char *key;            /* result key prefix, e.g. "synack.bulk" */
    uint64_t verify_bytes;      /* warm-up bytes checked against the pattern */
    uint64_t bufsize;           /* send/receive buffer per end, 0 = 4 MiB */
} b2b_bulk_opts;

void b2b_bulk(const b2b_bulk_opts *o);

/* Sequential connections: connect, 1 byte each way, client closes first,
 * server reads EOF and closes. Rates per decade block of n, latency. */
void b2b_conn(uint64_t n);

/* Bytes per idle established connection end and per TIME-WAIT entry,
 * with n connections in one stack. */
void b2b_mem(uint64_t n);

/* Server port for the i-th sequential connection: the client's 28,232
 * ephemeral ports are used in order, so a new server port every 28,000
 * connections keeps every 4-tuple unique while earlier ones sit in
 * TIME-WAIT. */
#define B2B_PORTS_PER_LISTENER 28000u
#define B2B_SERVER_PORT0 5001u

#endif
