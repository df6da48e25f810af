/* reasm.h — IPv4 reassembly (reasm.c): fragments in, whole datagrams out,
 * within the memory, count and time bounds of the stack's configuration
 * (reasm_max_bytes, reasm_max_datagrams, reasm_timeout). */
#ifndef SYNACK_IP_REASM_H
#define SYNACK_IP_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"
#include "wire/wire.h"

typedef struct ip_reasm ip_reasm;

/* A reassembler for stack s, or NULL if reassembly is off
 * (cfg.reasm_max_bytes == 0) or memory ran out. */
ip_reasm *ip_reasm_new(synack_stack *s);
void ip_reasm_free(synack_stack *s, ip_reasm *r);

/* Takes one fragment (ip parsed from pkt; ip->mf or ip->frag set),
 * received at the stack's current time. Returns:
 *   1  the datagram is complete: *out (len *out_len) is the whole IPv4
 *      datagram with a fresh 20-byte-plus-options header, not a fragment;
 *      free it with stack_free;
 *   0  kept, waiting for the rest;
 *  -1  dropped, counted (ip-reasm-bad, ip-reasm-limit). */
int ip_reasm_add(synack_stack *s, ip_reasm *r, const wire_ipv4 *ip, const uint8_t *pkt,
                 uint8_t **out, size_t *out_len);

/* When the oldest incomplete datagram times out (SYNACK_TIME_NEVER if
 * none is waiting). */
synack_time ip_reasm_deadline(const ip_reasm *r);

/* Gives up the datagrams whose time is up at now (ip-reasm-timeout each);
 * for one whose first fragment had arrived, sends ICMP time exceeded,
 * code 1 (RFC 792, RFC 1122 3.3.2). */
void ip_reasm_expire(synack_stack *s, ip_reasm *r, synack_time now);

/* Bytes held and datagrams in progress (for tests and statistics). */
size_t ip_reasm_bytes(const ip_reasm *r);
size_t ip_reasm_count(const ip_reasm *r);

#endif
