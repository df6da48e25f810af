/* tcp_icmp.h — what TCP does with an ICMP error about one of its
 * segments (tcp_icmp.c). The IP layer (ip/ip.c) validates the ICMP
 * message and the quoted IPv4 header and passes the quoted TCP fields. */
#ifndef SYNACK_TCP_ICMP_H
#define SYNACK_TCP_ICMP_H

#include <stdint.h>

#include "synack.h"

/* The parts of an ICMP error that TCP needs. */
typedef struct tcp_icmp_err {
    uint8_t  type, code;        /* WIRE_ICMP_UNREACH or _TIME_EXCEEDED */
    uint16_t mtu;               /* next-hop MTU (fragmentation needed) */
    uint32_t raddr;             /* the quoted datagram's destination */
    uint16_t lport, rport;      /* the quoted segment's source / dest port */
    uint32_t seq;               /* the quoted segment's sequence number */
} tcp_icmp_err;

/* Applies an ICMP error to the connection it names (RFC 9293 3.9.1 /
 * RFC 1122 4.2.3.9, RFC 5927). Returns 0 if the connection acted on it,
 * 1 if it was dropped (counted with a reason). */
int tcp_icmp_error(synack_stack *s, const tcp_icmp_err *e);

#endif
