/* lwip_pair.c — lwIP's two netifs, the packet queue between them, the
 * clock lwIP reads (sys_now) and the run loop (lwip_pair.h). */
#include "lwip_pair.h"

#include <stdlib.h>
#include <string.h>

#include "lwip/init.h"
#include "lwip/ip4.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"

struct netif lp_nif_a, lp_nif_b;
ip_addr_t lp_addr_a = IPADDR4_INIT_BYTES(198, 18, 0, 1);
ip_addr_t lp_addr_b = IPADDR4_INIT_BYTES(198, 18, 1, 1);
bench_clock lp_clock;

#define QCAP 16384u

typedef struct qent {
    struct pbuf *p;
    struct netif *dst;
} qent;

static qent queue[QCAP];
static uint32_t q_head, q_tail;
static uint32_t loss_every;
static uint64_t data_segs, lost, overflow;

/* The library's sys_now() is called through the PLT, so this definition
 * replaces it: lwIP's timers run on the harness clock (milliseconds). */
u32_t sys_now(void)
{
    return (u32_t)(bench_clock_now(&lp_clock) / 1000000u);
}

static uint32_t tcp_payload_len(const uint8_t *pkt, size_t len)
{
    if (len < 40 || pkt[9] != 6)
        return 0;
    size_t ihl = (size_t)(pkt[0] & 15u) * 4u;
    size_t doff = (size_t)(pkt[ihl + 12] >> 4) * 4u;
    return len > ihl + doff ? (uint32_t)(len - ihl - doff) : 0;
}

/* netif->output for both netifs: route by destination address. */
static err_t lp_output(struct netif *nif, struct pbuf *p, const ip4_addr_t *next)
{
    (void)nif;
    struct netif *dst = ip4_addr_cmp(next, ip_2_ip4(&lp_addr_a)) ? &lp_nif_a : &lp_nif_b;
    struct pbuf *q = pbuf_alloc(PBUF_RAW, p->tot_len, PBUF_RAM);
    if (!q)
        return ERR_MEM;
    pbuf_copy_partial(p, q->payload, p->tot_len, 0);
    if (loss_every && tcp_payload_len(q->payload, q->tot_len) > 0 &&
        ++data_segs % loss_every == 0) {
        lost++;
        pbuf_free(q);
        return ERR_OK;
    }
    if (q_tail - q_head >= QCAP) {
        overflow++;
        pbuf_free(q);
        return ERR_OK;
    }
    queue[q_tail % QCAP] = (qent){ q, dst };
    q_tail++;
    return ERR_OK;
}

static err_t lp_netif_init(struct netif *nif)
{
    nif->output = lp_output;
    nif->mtu = 1500;
    nif->name[0] = 'b';
    nif->name[1] = nif == &lp_nif_a ? 'a' : 'b';
    return ERR_OK;
}

void lp_init(void)
{
    lwip_init();
    ip4_addr_t mask, gw;
    IP4_ADDR(&mask, 255, 255, 255, 0);
    ip4_addr_set_zero(&gw);
    if (!netif_add(&lp_nif_a, ip_2_ip4(&lp_addr_a), &mask, &gw, NULL, lp_netif_init, ip4_input) ||
        !netif_add(&lp_nif_b, ip_2_ip4(&lp_addr_b), &mask, &gw, NULL, lp_netif_init, ip4_input))
        bench_die("lwip: netif_add failed");
    netif_set_up(&lp_nif_a);
    netif_set_link_up(&lp_nif_a);
    netif_set_up(&lp_nif_b);
    netif_set_link_up(&lp_nif_b);
}

void lp_set_loss(uint32_t every) { loss_every = every; data_segs = 0; }
uint64_t lp_lost(void) { return lost; }
uint64_t lp_overflow(void) { return overflow; }

void lp_run(void)
{
    for (;;) {
        sys_check_timeouts();
        if (q_head == q_tail)
            break;
        while (q_head != q_tail) {
            qent e = queue[q_head % QCAP];
            q_head++;
            ip4_input(e.p, e.dst);
        }
        q_head = q_tail = 0;
    }
}

int lp_skip_idle(void)
{
    u32_t ms = sys_timeouts_sleeptime();
    if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
        return 0;
    bench_clock_skip_to(&lp_clock, bench_clock_now(&lp_clock) + (uint64_t)ms * 1000000u + 1000000u);
    lp_run();
    return 1;
}

struct tcp_pcb *lp_client_pcb(void)
{
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb)
        bench_die("lwip: tcp_new failed");
    tcp_bind_netif(pcb, &lp_nif_a);
    return pcb;
}

struct tcp_pcb *lp_listen(uint16_t port, uint8_t backlog)
{
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb)
        bench_die("lwip: tcp_new failed");
    tcp_bind_netif(pcb, &lp_nif_b);
    if (tcp_bind(pcb, &lp_addr_b, port) != ERR_OK)
        bench_die("lwip: tcp_bind %u failed", port);
    struct tcp_pcb *l = tcp_listen_with_backlog(pcb, backlog);
    if (!l)
        bench_die("lwip: tcp_listen failed");
    return l;
}
