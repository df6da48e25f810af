/* h_packet.h — building and decoding whole IPv4+TCP datagrams for tests,
 * on top of the wire codecs (src/wire/wire.h). Shared by the scenario
 * harness, the simulator tests and the pcap writer test. */
#ifndef SYNACK_TEST_H_PACKET_H
#define SYNACK_TEST_H_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

/* Writes an IPv4 datagram (20-byte header, DF, TTL 64, id 0) carrying the
 * TCP segment seg: addresses, ports, seq, ack, flags, window, urgent
 * pointer, options, and seg->len payload bytes taken from payload, or
 * the h_pattern_fill pattern starting at seg->seq when payload is NULL.
 * Checksums are correct. Returns the datagram length, or 0 if cap is too
 * small or the datagram would exceed 65535 bytes. */
size_t h_build_datagram(uint8_t *buf, size_t cap, const synack_segment *seg,
                        const uint8_t *payload);

/* Decodes an emitted datagram that must be valid IPv4 carrying valid TCP
 * (both checksums checked). Returns 0 and fills *seg and *payload (which
 * points into pkt), or -1 with the reason in why. */
int h_parse_datagram(const uint8_t *pkt, size_t len, synack_segment *seg,
                     const uint8_t **payload, char *why, size_t whylen);

#endif
