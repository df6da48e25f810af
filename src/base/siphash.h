/* siphash.h — SipHash-2-4 (Aumasson and Bernstein, 2012), a keyed 64-bit
 * PRF. synack uses it where an outsider must not predict the output from
 * the input: RFC 6528 initial sequence numbers and SYN cookies. */
#ifndef SYNACK_SIPHASH_H
#define SYNACK_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of len bytes at data under a 128-bit key. The key and the
 * message are read as little-endian words, as in the reference, so the
 * result matches the published test vectors on any host. */
uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

#endif
