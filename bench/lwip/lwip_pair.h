/* lwip_pair.h — Debian's liblwip (2.1.3) back to back in one process, the
 * peer synack is measured against.
 *
 * The library is one global stack built NO_SYS=0 with core locking and
 * malloc-backed pools. Its raw TCP API works without the tcpip thread as
 * long as tcpip_init() is never called; this harness drives the timers
 * itself with sys_check_timeouts() and supplies sys_now() (interposing
 * the library's) from the harness clock, so idle waits can be skipped
 * exactly as in the synack harness.
 *
 * Two netifs of the one stack stand in for two stacks: A (198.18.0.1,
 * client) and B (198.18.1.1, server). Client pcbs are bound to A and the
 * listener to B (tcp_bind_netif; accepted pcbs inherit it), otherwise
 * lwIP would loop packets back internally. Each netif's output copies the
 * datagram into a fresh pbuf and queues it for the destination's
 * ip4_input (lwIP is not re-entrant): one copy per packet, like the
 * synack link. */
#ifndef LWIP_PAIR_H
#define LWIP_PAIR_H

#include <stdint.h>

#include "bench_util.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"

extern struct netif lp_nif_a, lp_nif_b;
extern ip_addr_t lp_addr_a, lp_addr_b;
extern bench_clock lp_clock;

/* Initializes lwIP and both netifs (once per process). */
void lp_init(void);

/* Drop every k-th data-carrying TCP segment (0: none); counters. */
void lp_set_loss(uint32_t every);
uint64_t lp_lost(void);
uint64_t lp_overflow(void);

/* Delivers queued packets and runs due timers until the queue is empty
 * and nothing is due. */
void lp_run(void);

/* Jumps the clock to lwIP's next timeout and runs. Returns 0 if none. */
int lp_skip_idle(void);

/* A new client pcb bound to netif A / a listener on B at port. */
struct tcp_pcb *lp_client_pcb(void);
struct tcp_pcb *lp_listen(uint16_t port, uint8_t backlog);

#define LP_SERVER_PORT0 5001u

#endif
